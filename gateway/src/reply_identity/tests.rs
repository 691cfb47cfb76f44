use super::*;
use providers::contract::interpret_reply;
use providers::{gateway_rules_for, HttpReply, ProviderId};

/// What the contract's `parse_record` says the identity is, for the same body.
fn by_contract(provider: ProviderId, body: &str) -> Option<String> {
    let rules = gateway_rules_for(provider)?;
    let reply = HttpReply {
        status: 200,
        headers: Vec::new(),
        body: body.to_string(),
    };
    interpret_reply(rules, &reply).ok().map(|record| record.id)
}

#[test]
fn the_identity_is_the_one_the_contract_reads() {
    let cases = [
        (
            ProviderId::Prolifi,
            r#"{"data":{"email":"a@b.co","id":"u-1","external_id":"cus_1"}}"#,
        ),
        (
            ProviderId::Partnero,
            r#"{"status":1,"data":{"key":"customer_123","email":null,"tags":[{"value":"new"}]}}"#,
        ),
        (
            ProviderId::Count,
            r#"{"status":"success","data":{"id":"x","uuid":"5d8e","customer":"Acme"}}"#,
        ),
        (ProviderId::Count, r#"{"data":{"id":"only-id"}}"#),
        (ProviderId::Count, r#"{"data":{"id":"x","uuid":"5d8e"}}"#),
        (
            ProviderId::CommerceLayer,
            r#"{"data":{"id":"XAyRWNUzyN","type":"customers","attributes":{"email":"a@b.co"}},"included":[{"id":"t"}]}"#,
        ),
    ];
    for (provider, body) in cases {
        let members = gateway_rules_for(provider).unwrap().identity_members();
        let fast = identity(members, body.as_bytes());
        assert!(fast.is_some(), "{body}");
        assert_eq!(fast, by_contract(provider, body), "{body}");
        // The usual replies are read by hand, not left to serde_json.
        assert_eq!(plain::identity(members, body.as_bytes()), fast, "{body}");
    }
}

/// Edges where a parser of its own could differ: escaped keys, the same key twice (also
/// once escaped), the key nested deeper, numbers against strings, bad escapes, deep
/// nesting and a large reply.
#[test]
fn edges_are_read_as_before() {
    // Deep nesting where the reader skips (no depth limit there), and where it reads the
    // member's value (serde_json's limit of 128).
    let deep = format!(
        r#"{{"data":{{"id":"x","deep":{}{}}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let deep_member = format!(
        r#"{{"data":{{"id":{}{}}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let large = format!(
        r#"{{"data":{{"pad":"{}","id":"big"}}}}"#,
        "a".repeat(1 << 20)
    );
    let cases: [(&str, Option<&str>); 19] = [
        (r#"{"data":{"\u0069d":"x"}}"#, Some("x")),
        (r#"{"d\u0061ta":{"id":"x"}}"#, Some("x")),
        (r#"{"data":{"id":"x","\u0069d":"y"}}"#, None),
        (r#"{"data":{"id":"x"},"d\u0061ta":{"id":"x"}}"#, None),
        (r#"{"data":{"i\u0064\u0000":"x"}}"#, None),
        (r#"{"data":{"nested":{"id":"y"},"id":"x"}}"#, Some("x")),
        (r#"{"data":{"nested":{"id":"y"}}}"#, None),
        (r#"{"other":{"data":{"id":"y"}}}"#, None),
        (r#"{"data":{"id":1}}"#, None),
        (r#"{"data":{"id":"1"}}"#, Some("1")),
        (r#"{"data":{"id":null}}"#, None),
        (r#"{"data":{"id":"x\ud800"}}"#, None),
        (r#"{"data":{"id":"x"},"e":1e999}"#, Some("x")),
        (r#"{"data":{"id":1e999}}"#, None),
        (r#"{"data":{"\x":"y","id":"x"}}"#, None),
        (r#"{"data":{"id":"x"}"#, None),
        (deep.as_str(), Some("x")),
        (deep_member.as_str(), None),
        (large.as_str(), Some("big")),
    ];
    for (body, expected) in cases {
        assert_eq!(
            identity(&["id"], body.as_bytes()).as_deref(),
            expected,
            "{}",
            &body[..body.len().min(80)]
        );
        assert_eq!(
            identity(&["id"], body.as_bytes()),
            reference::identity(&["id"], body.as_bytes()),
            "{}",
            &body[..body.len().min(80)]
        );
    }
    // Count's two members: the first listed wins, and an error anywhere refuses the reply.
    for body in [
        r#"{"data":{"id":"a","uuid":"b"}}"#,
        r#"{"data":{"\u0075uid":"b","id":"a"}}"#,
        r#"{"data":{"uuid":7,"id":"a"}}"#,
        r#"{"data":{"uuid":"b","id":{"x":1e999}}}"#,
        r#"{"data":{"uuid":"b","id":[1,{"$serde_json::private::RawValue":"2"}]}}"#,
        r#"{"data":{"uuid":{"$serde_json::private::RawValue":"\"b\""}}}"#,
        r#"{"data":{"uuid":"b","uuid":"b","id":"a"}}"#,
    ] {
        assert_eq!(
            identity(&["uuid", "id"], body.as_bytes()),
            reference::identity(&["uuid", "id"], body.as_bytes()),
            "{body}"
        );
    }
}

/// Generated replies (objects, lists and scalars nested at random, keys among those the
/// readers look for, some escaped, some repeated; now and then a broken piece): this reader
/// and the one it replaced (`reference`, kept verbatim) agree on every one.
#[test]
fn agrees_with_the_reader_it_replaced() {
    const KEYS: [&str; 10] = [
        r#""data""#,
        r#""d\u0061ta""#,
        r#""id""#,
        r#""\u0069d""#,
        r#""uuid""#,
        r#""key""#,
        r#""x""#,
        r#""$serde_json::private::RawValue""#,
        r#""\q""#,
        r#""i\u0064""#,
    ];
    // Well-formed ones first; the last twelve break a reply (or its member's value).
    const SCALARS: [&str; 27] = [
        r#""a""#,
        r#""b\n""#,
        r#""\"r\"""#,
        "\"\u{e9}\"",
        "1",
        "-0.5",
        "true",
        "null",
        " 12.25\n",
        "\t\"\u{7f}\" ",
        "-0",
        "1E2",
        "false",
        "{}",
        "[]",
        r#""\ud800""#,
        "\"\u{1}\"",
        "1e999",
        "01",
        "\"",
        "",
        "1.",
        "-",
        "tru",
        "[1,]",
        "{,}",
        "\u{b}1",
    ];
    struct Gen(u64);
    impl Gen {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn value(&mut self, out: &mut String, depth: usize) {
            match self.below(if depth > 3 { 2 } else { 5 }) {
                0 | 1 => {
                    let broken = self.below(8) == 0;
                    out.push_str(SCALARS[self.below(if broken { 27 } else { 15 })]);
                }
                2 | 3 => {
                    out.push('{');
                    for i in 0..self.below(4) {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(KEYS[self.below(KEYS.len())]);
                        out.push(':');
                        self.value(out, depth + 1);
                    }
                    if self.below(50) > 0 {
                        out.push('}');
                    }
                }
                _ => {
                    out.push('[');
                    for i in 0..self.below(3) {
                        if i > 0 {
                            out.push(',');
                        }
                        self.value(out, depth + 1);
                    }
                    out.push(']');
                }
            }
        }
    }
    let mut generate = Gen(0x9e37_79b9_7f4a_7c15);
    let (mut with_identity, mut without, mut by_hand_count) = (0, 0, 0);
    for _ in 0..100_000 {
        let mut body = String::from("{");
        for i in 0..generate.below(3) + 1 {
            if i > 0 {
                body.push(',');
            }
            body.push_str(KEYS[generate.below(3)]);
            body.push(':');
            if generate.below(2) == 0 {
                // Shaped like a provider's reply: a data object with members the readers look
                // for, their values mostly plain strings.
                body.push('{');
                for j in 0..generate.below(5) + 1 {
                    if j > 0 {
                        body.push(',');
                    }
                    body.push_str(KEYS[generate.below(KEYS.len())]);
                    body.push(':');
                    if generate.below(3) == 0 {
                        generate.value(&mut body, 2);
                    } else {
                        body.push_str(["\"v\"", "\"w\"", "\" \""][generate.below(3)]);
                    }
                }
                body.push('}');
            } else {
                generate.value(&mut body, 1);
            }
        }
        body.push('}');
        if generate.below(20) == 0 {
            body.push_str(" x");
        }
        for members in [&["id"][..], &["uuid", "id"][..], &["key"][..]] {
            let fast = identity(members, body.as_bytes());
            let before = reference::identity(members, body.as_bytes());
            assert_eq!(fast, before, "{body}");
            assert_eq!(read(members, body.as_bytes()), before, "{body}");
            if let Some(by_hand) = plain::identity(members, body.as_bytes()) {
                assert_eq!(Some(by_hand), before, "{body}");
                by_hand_count += 1;
            }
            if fast.is_some() {
                with_identity += 1;
            } else {
                without += 1;
            }
        }
    }
    // The generator reaches both kinds of reply, and both readers.
    assert!(
        with_identity > 1_000 && without > 1_000 && by_hand_count > 1_000,
        "{with_identity} {without} {by_hand_count}"
    );
    assert!(
        with_identity > by_hand_count,
        "{with_identity} {by_hand_count}"
    );
}

/// The reader before keys were compared in place (`Cow<str>` keys), kept as it was to
/// check the new one against.
mod reference {
    use std::borrow::Cow;
    use std::fmt;

    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    pub fn identity(members: &[&str], body: &[u8]) -> Option<String> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let found = Envelope { members }.deserialize(&mut deserializer).ok()??;
        deserializer.end().ok()?;
        Some(found)
    }

    struct Envelope<'m> {
        members: &'m [&'m str],
    }

    impl<'de> DeserializeSeed<'de> for Envelope<'_> {
        type Value = Option<String>;

        fn deserialize<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Envelope<'_> {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut data: Option<Option<String>> = None;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key != "data" {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                let found = map.next_value_seed(Data {
                    members: self.members,
                })?;
                data = Some(if data.is_some() { None } else { found });
            }
            Ok(data.flatten())
        }
    }

    struct Data<'m> {
        members: &'m [&'m str],
    }

    impl<'de> DeserializeSeed<'de> for Data<'_> {
        type Value = Option<String>;

        fn deserialize<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Data<'_> {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("the data object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut best: Option<(usize, Option<String>)> = None;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                let Some(rank) = self.members.iter().position(|m| *m == key) else {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                };
                let value = match map.next_value::<serde_json::Value>()? {
                    serde_json::Value::String(value) => Some(value),
                    _ => None,
                };
                best = match best {
                    Some((seen, _)) if seen == rank => Some((rank, None)),
                    Some((seen, kept)) if seen < rank => Some((seen, kept)),
                    _ => Some((rank, value)),
                };
            }
            Ok(best.and_then(|(_, value)| value))
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
}

#[test]
fn anything_else_has_no_identity() {
    for body in [
        "",
        "not json",
        r#"{"padding":"xxxx"}"#,
        r#"{"data":null}"#,
        r#"{"data":[{"id":"x"}]}"#,
        r#"{"data":{"id":7}}"#,
        r#"{"data":{"id":"x"},"data":{"id":"y"}}"#,
        r#"{"data":{"id":"x","id":"y"}}"#,
        r#"{"data":{"id":"x"}} trailing"#,
        r#"[1,2]"#,
    ] {
        assert_eq!(identity(&["id"], body.as_bytes()), None, "{body}");
    }
}
