//! The body of a write, read back with the widget's own contract: JSON, the shape the form
//! builds, the form's validation rules, and what it writes (for the scope check).

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
    pub fn read(
        rules: &'static dyn GatewayRules,
        op: Operation,
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
