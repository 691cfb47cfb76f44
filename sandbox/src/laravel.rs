//! Laravel conventions shared by the two Laravel-style APIs (Prolifi and Partnero): their
//! validation messages are Laravel's default English ones, so their input handling is emulated
//! from Laravel's defaults too.
//!
//! - Input normalisation: Laravel's global `TrimStrings` and `ConvertEmptyStringsToNull`
//!   middleware trim every string in the input, recursively, and turn `""` into `null`.
//! - Messages: `The {attribute} field is required.` etc., where the attribute label is the field
//!   name with `_` replaced by a space (`first_name` -> `first name`; dots are kept).

use serde_json::{Map, Value};

/// Applies `TrimStrings` and `ConvertEmptyStringsToNull` to a decoded JSON body.
pub fn normalise(value: Value) -> Value {
    match value {
        Value::String(text) => {
            let trimmed = text.trim();
            if trimmed.is_empty() {
                Value::Null
            } else {
                Value::String(trimmed.to_owned())
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, normalise(v))).collect())
        }
        other => other,
    }
}

pub fn label(field: &str) -> String {
    field.replace('_', " ")
}

/// Validation failures in the order found, as (field, message).
#[derive(Default)]
pub struct Errors(pub Vec<(String, String)>);

impl Errors {
    pub fn push(&mut self, field: &str, message: String) {
        self.0.push((field.to_owned(), message));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }
    pub fn required(&mut self, field: &str) {
        self.push(field, format!("The {} field is required.", label(field)));
    }
    pub fn taken(&mut self, field: &str) {
        self.push(
            field,
            format!("The {} has already been taken.", label(field)),
        );
    }
    pub fn invalid_email(&mut self, field: &str) {
        self.push(
            field,
            format!("The {} field must be a valid email address.", label(field)),
        );
    }
}

/// A string-or-null input field after the `string|max:N` rules.
pub enum Field {
    Absent,
    Null,
    Text(String),
    /// Present but failed a rule; the error is already recorded.
    Invalid,
}

/// Reads `input[key]` with Laravel's `nullable|string|max:{max}` rules, reporting as `name`.
pub fn string_field(
    input: &Map<String, Value>,
    key: &str,
    name: &str,
    max: usize,
    errors: &mut Errors,
) -> Field {
    match input.get(key) {
        None => Field::Absent,
        Some(Value::Null) => Field::Null,
        Some(Value::String(text)) if text.chars().count() > max => {
            errors.push(
                name,
                format!(
                    "The {} field must not be greater than {max} characters.",
                    label(name)
                ),
            );
            Field::Invalid
        }
        Some(Value::String(text)) => Field::Text(text.clone()),
        Some(_) => {
            errors.push(name, format!("The {} field must be a string.", label(name)));
            Field::Invalid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trims_and_nulls_like_laravel_middleware() {
        assert_eq!(
            normalise(json!({"a": "  x ", "b": "", "c": ["", " y"], "d": {"e": "   "}, "f": 1})),
            json!({"a": "x", "b": null, "c": [null, "y"], "d": {"e": null}, "f": 1})
        );
    }
}
