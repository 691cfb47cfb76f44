//! The body of a write, read back with the widget's own contract: JSON, the shape the form
//! builds, the form's validation rules, and what it writes (for the scope check).

use std::collections::HashSet;

use axum::body::Bytes;
use axum::http::StatusCode;
use providers::contract::{check_body, english_field_errors, WrittenField};
use providers::{ErrorKind, GatewayRules, Json, Operation, Replaced};

use crate::replies::{refusal, refusal_with_errors, Refusal};

pub struct WriteBody {
    /// Every field the body writes (the parts of an address included).
    pub written: Vec<WrittenField>,
    /// What it replaces whole.
    pub replaced: Vec<Replaced>,
}

impl WriteBody {
    /// `record`: the one an update's path names.
    pub fn read(
        rules: &'static dyn GatewayRules,
        op: Operation,
        record: Option<&str>,
        body: &Bytes,
    ) -> Result<WriteBody, Refusal> {
        let parsed = std::str::from_utf8(body)
            .ok()
            .and_then(|text| Json::parse(text).ok());
        let Some(parsed) = parsed else {
            return Err(refusal(
                rules,
                StatusCode::BAD_REQUEST,
                ErrorKind::BadRequest,
                "body_json",
                "The body is not valid JSON.",
            ));
        };
        if let Some(key) = repeated_key(&parsed) {
            // The gateway's checks read one of the two and the provider may take the other:
            // the form never writes a key twice.
            return Err(refusal(
                rules,
                StatusCode::BAD_REQUEST,
                ErrorKind::BadRequest,
                "body_repeated_key",
                &format!("The body gives {key:?} twice."),
            ));
        }
        if rules
            .record_in_body(&parsed)
            .is_some_and(|named| Some(named) != record)
        {
            // Checked against the path's, the scope would not be against the one written.
            return Err(refusal(
                rules,
                StatusCode::BAD_REQUEST,
                ErrorKind::BadRequest,
                "body_shape",
                "The body names another customer than its address.",
            ));
        }
        let written = rules.read_body(op, &parsed).map_err(|reason| {
            refusal(
                rules,
                StatusCode::BAD_REQUEST,
                ErrorKind::BadRequest,
                "body_shape",
                &format!("The body is not one the form sends: {reason}."),
            )
        })?;
        if let Ok(invalid) = check_body(rules, op, &parsed) {
            if !invalid.is_empty() {
                return Err(refusal_with_errors(
                    rules,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorKind::Validation,
                    "validation",
                    "The request data is invalid.",
                    &english_field_errors(&invalid),
                ));
            }
        }
        Ok(WriteBody {
            written,
            replaced: rules.replaced(op, &parsed),
        })
    }
}

/// The first key an object in `value` repeats, at any depth (the parser bounds the depth).
fn repeated_key(value: &Json) -> Option<&str> {
    match value {
        Json::Object(members) => {
            let mut seen = HashSet::with_capacity(members.len());
            for (key, _) in members {
                if !seen.insert(key.as_str()) {
                    return Some(key);
                }
            }
            members.iter().find_map(|(_, member)| repeated_key(member))
        }
        Json::Array(items) => items.iter().find_map(repeated_key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeated(text: &str) -> Option<String> {
        repeated_key(&Json::parse(text).unwrap()).map(str::to_string)
    }

    #[test]
    fn a_key_given_twice_is_found_at_any_depth() {
        assert_eq!(
            repeated(r#"{"a":1,"b":{"c":[{"d":1,"d":2}]}}"#),
            Some("d".into())
        );
        assert_eq!(repeated(r#"{"a":1,"a":1}"#), Some("a".into()));
        assert_eq!(repeated(r#"{"a":{"b":1},"c":{"b":1}}"#), None);
        assert_eq!(repeated(r#"[{"a":1},{"a":2}]"#), None);
    }
}
