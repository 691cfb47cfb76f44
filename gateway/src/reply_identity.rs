//! The identity of the record in a provider's reply (`data.<member>`, the members the contract
//! names in `GatewayRules::identity_members`), read without building the reply: every forwarded
//! read is checked against it, so it is on the hot path. The contract's full `parse_record` took
//! about 4% of the gateway's CPU under `scripts/bench-gateway.sh` (perf); this takes a fraction.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// `data.<first member present>` of a JSON reply, when it is a string.
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

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Envelope<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // `Some(found)` once `data` was seen; a second `data` makes the reply ambiguous.
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

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Data<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the data object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // (position in `members`, its value if a string): the first member listed wins,
        // wherever it appears; if that one is not a string there is no identity (as in
        // `parse_record`).
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
                // The same member twice: ambiguous.
                Some((seen, _)) if seen == rank => Some((rank, None)),
                Some((seen, kept)) if seen < rank => Some((seen, kept)),
                _ => Some((rank, value)),
            };
        }
        Ok(best.and_then(|(_, value)| value))
    }

    // `data` that is not an object (null, a list…) holds no record.
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
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

#[cfg(test)]
mod tests {
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
}
