//! The identity of the record in a provider's reply (`data.<member>`, the members the contract
//! names in `GatewayRules::identity_members`), read without building the reply: every forwarded
//! read is checked against it, so it is on the hot path. The contract's full `parse_record` took
//! about 4% of the gateway's CPU under `scripts/bench-gateway.sh` (perf); this takes a fraction.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

mod plain;

/// `data.<first member present>` of a JSON reply, when it is a string. The usual reply is read
/// by hand (`plain`); anything else by serde_json, which decides.
pub fn identity(members: &[&str], body: &[u8]) -> Option<String> {
    if let Some(found) = plain::identity(members, body) {
        return Some(found);
    }
    read(members, body)
}

/// The reply read by serde_json: the reader for every reply `plain` leaves to it.
fn read(members: &[&str], body: &[u8]) -> Option<String> {
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
        while let Some(key) = map.next_key_seed(Key { names: &["data"] })? {
            if key.is_none() {
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

/// An object's key, as its position in `names` (`None`: not one of them). Compared where it
/// lies (borrowed from the reply, or unescaped in serde_json's scratch buffer) rather than
/// copied into a `Cow<str>` first, which is always an owned `String` (serde's `Cow` impl): an
/// allocation and a copy for every key of the reply. The key is read by the same serde_json code
/// either way (`MapKey` forwards `deserialize_str` and `deserialize_string` to
/// `deserialize_any`), so the same replies are accepted and refused. Callgrind, per forwarded
/// read (`scripts/callgrind-gateway.sh`): see the README's "Gateway speed".
struct Key<'m> {
    names: &'m [&'m str],
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.names.iter().position(|name| *name == key))
    }
}

/// The member kept so far (its rank in the members, its value if a string), after meeting
/// the member of this rank: the first member listed wins, wherever it appears; the same member
/// twice makes the record ambiguous (no identity).
fn choose<V>(
    best: Option<(usize, Option<V>)>,
    rank: usize,
    value: Option<V>,
) -> Option<(usize, Option<V>)> {
    match best {
        Some((seen, _)) if seen == rank => Some((rank, None)),
        Some((seen, kept)) if seen < rank => Some((seen, kept)),
        _ => Some((rank, value)),
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
        while let Some(key) = map.next_key_seed(Key {
            names: self.members,
        })? {
            let Some(rank) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let value = match map.next_value::<serde_json::Value>()? {
                serde_json::Value::String(value) => Some(value),
                _ => None,
            };
            best = choose(best, rank, value);
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
mod tests;
