//! A create or update body as Partnero's Laravel API reads and checks it, and the customer
//! written from it.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::{
    clock::now_ms,
    email::is_valid_email,
    incoming::{Incoming, JsonBody},
    laravel::{label, normalise, string_field, Errors, Field},
};

use super::{message, validation_error, Answer, Customer, Store, MAX, PARTNERS};

/// The body as Laravel sees it: JSON object, strings trimmed, `""` as null; empty body = `{}`.
pub(super) fn json_input(request: &Incoming) -> Result<Map<String, Value>, Answer> {
    if request.body_is_empty() {
        return Ok(Map::new());
    }
    let is_json = request
        .content_type_essence()
        .is_some_and(|ct| ct.contains("/json") || ct.contains("+json"));
    if !is_json {
        return Err(message(
            StatusCode::BAD_REQUEST,
            "Request bodies must be JSON, sent with Content-Type: application/json.",
        ));
    }
    match request.json_body() {
        JsonBody::Object(map) => match normalise(Value::Object(map)) {
            Value::Object(map) => Ok(map),
            _ => Ok(Map::new()),
        },
        JsonBody::Empty => Ok(Map::new()),
        JsonBody::NotAnObject => Err(message(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object.",
        )),
        JsonBody::Invalid => Err(message(
            StatusCode::BAD_REQUEST,
            "The request body is not valid JSON.",
        )),
    }
}

/// `tags`: absent or null -> `None`; an array of strings -> the deduplicated list.
pub(super) fn tags_field(
    value: Option<&Value>,
    name: &str,
    errors: &mut Errors,
) -> Option<Vec<String>> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut tags: Vec<String> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(tag) if tag.chars().count() <= MAX => {
                        if !tags.contains(tag) {
                            tags.push(tag.clone());
                        }
                    }
                    Value::String(_) => errors.push(
                        &format!("{name}.{i}"),
                        format!("The {name}.{i} field must not be greater than {MAX} characters."),
                    ),
                    _ => errors.push(
                        &format!("{name}.{i}"),
                        format!("The {name}.{i} field must be a string."),
                    ),
                }
            }
            Some(tags)
        }
        Some(_) => {
            errors.push(name, format!("The {} field must be an array.", label(name)));
            None
        }
    }
}

/// An object field (`partner`, `options`, `update`): absent/null -> empty, else must be an object.
pub(super) fn object_field(
    input: &Map<String, Value>,
    key: &str,
    errors: &mut Errors,
) -> Option<Map<String, Value>> {
    match input.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map.clone()),
        Some(_) => {
            // Laravel calls JSON objects "arrays".
            errors.push(key, format!("The {key} field must be an array."));
            None
        }
    }
}

pub(super) fn create_customer(store: &mut Store, input: &Map<String, Value>) -> Answer {
    let mut errors = Errors::default();
    let key = match string_field(input, "key", "key", MAX, &mut errors) {
        Field::Text(key) => {
            if store.key_taken(&key, None) {
                errors.taken("key");
            }
            Some(key)
        }
        Field::Absent | Field::Null => {
            errors.required("key");
            None
        }
        Field::Invalid => None,
    };
    let email = match string_field(input, "email", "email", MAX, &mut errors) {
        Field::Text(email) => {
            if !is_valid_email(&email) {
                errors.invalid_email("email");
            } else if store.email_taken(&email, None) {
                errors.taken("email");
            }
            Some(email)
        }
        _ => None,
    };
    let text = |field: Field| match field {
        Field::Text(value) => Some(value),
        _ => None,
    };
    let name = text(string_field(input, "name", "name", MAX, &mut errors));
    let surname = text(string_field(input, "surname", "surname", MAX, &mut errors));
    let tags = tags_field(input.get("tags"), "tags", &mut errors).unwrap_or_default();

    let partner = object_field(input, "partner", &mut errors).unwrap_or_default();
    let mut identifiers = Vec::new();
    for part in ["key", "id", "email"] {
        if let Field::Text(value) =
            string_field(&partner, part, &format!("partner.{part}"), MAX, &mut errors)
        {
            identifiers.push((part, value));
        }
    }
    if identifiers.is_empty() && !errors.0.iter().any(|(f, _)| f.starts_with("partner")) {
        errors.push(
            "partner.key",
            "The partner.key field is required when none of partner.id / partner.email are present.".into(),
        );
    }
    let options = object_field(input, "options", &mut errors).unwrap_or_default();
    string_field(
        &options,
        "referral_url",
        "options.referral_url",
        2048,
        &mut errors,
    );

    let (Some(key), true) = (key, errors.is_empty()) else {
        return validation_error(errors);
    };
    // The first identifier given decides, in the order key, id, email.
    let partner = identifiers.first().and_then(|(part, value)| {
        PARTNERS.iter().find(|p| match *part {
            "key" => p.key == value,
            "id" => p.id == value,
            _ => p.email.eq_ignore_ascii_case(value),
        })
    });
    let Some(partner) = partner else {
        return message(StatusCode::BAD_REQUEST, "Invalid partner key");
    };
    let now = now_ms();
    let customer = Customer {
        key,
        partner_id: partner.id.into(),
        name,
        surname,
        email,
        tags,
        created_ms: now,
        updated_ms: now,
    };
    store.customers.push(customer.clone());
    Answer::data(StatusCode::CREATED, &customer)
}

/// Fields live under the required `update` object; errors are keyed `update.<field>`.
pub(super) fn update_customer(
    store: &mut Store,
    index: usize,
    input: &Map<String, Value>,
) -> Answer {
    let mut errors = Errors::default();
    let Some(update) = object_field(input, "update", &mut errors) else {
        if errors.is_empty() {
            errors.required("update");
        }
        return validation_error(errors);
    };
    let mut next = store.customers[index].clone();
    match string_field(&update, "key", "update.key", MAX, &mut errors) {
        Field::Text(key) if store.key_taken(&key, Some(index)) => errors.taken("update.key"),
        Field::Text(key) => next.key = key,
        Field::Null => errors.required("update.key"),
        Field::Absent | Field::Invalid => {}
    }
    match string_field(&update, "email", "update.email", MAX, &mut errors) {
        Field::Text(email) if !is_valid_email(&email) => errors.invalid_email("update.email"),
        Field::Text(email) if store.email_taken(&email, Some(index)) => {
            errors.taken("update.email")
        }
        Field::Text(email) => next.email = Some(email),
        Field::Null => next.email = None,
        Field::Absent | Field::Invalid => {}
    }
    for (key, slot) in [("name", &mut next.name), ("surname", &mut next.surname)] {
        match string_field(&update, key, &format!("update.{key}"), MAX, &mut errors) {
            Field::Text(value) => *slot = Some(value),
            Field::Null => *slot = None,
            Field::Absent | Field::Invalid => {}
        }
    }
    // Documented: an array replaces the tag set, `[]` removes all, `null` leaves them alone.
    if let Some(tags) = tags_field(update.get("tags"), "update.tags", &mut errors) {
        next.tags = tags;
    }
    if !errors.is_empty() {
        return validation_error(errors);
    }
    next.updated_ms = now_ms().max(next.updated_ms + 1);
    store.customers[index] = next;
    Answer::data(StatusCode::OK, &store.customers[index])
}
