//! A create or update body as Prolifi's Laravel API reads and checks it, and the customer
//! written from it.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::{
    clock::now_ms,
    email::is_valid_email,
    ids::{is_uuid, uuid_v4},
    incoming::{Incoming, JsonBody},
    laravel::{label, normalise, string_field, Errors, Field},
};

use super::{country_name, error, validation_error, Answer, Customer, Store};

/// The body as Laravel would see it: JSON object, trimmed, `""` as null. An empty body is `{}`.
pub(super) fn json_input(request: &Incoming) -> Result<Map<String, Value>, Answer> {
    if request.body_is_empty() {
        return Ok(Map::new());
    }
    // Laravel treats a body as JSON when the content type contains `/json` or `+json`.
    let is_json = request
        .content_type_essence()
        .is_some_and(|ct| ct.contains("/json") || ct.contains("+json"));
    if !is_json {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Request bodies must be JSON, sent with Content-Type: application/json.",
        ));
    }
    match request.json_body() {
        JsonBody::Object(map) => match normalise(Value::Object(map)) {
            Value::Object(map) => Ok(map),
            _ => Ok(Map::new()),
        },
        JsonBody::Empty => Ok(Map::new()),
        JsonBody::NotAnObject => Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request body must be a JSON object.",
        )),
        JsonBody::Invalid => Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request body is not valid JSON.",
        )),
    }
}

pub(super) const MAX: usize = 255;

/// `name` is split server-side: first word -> first name, the rest -> last name.
pub(super) fn split_name(name: &str) -> (Option<String>, Option<String>) {
    match name.trim().split_once(char::is_whitespace) {
        Some((first, rest)) if !rest.trim().is_empty() => {
            (Some(first.to_owned()), Some(rest.trim().to_owned()))
        }
        _ => (Some(name.trim().to_owned()), None),
    }
}

pub(super) fn check_country(id: &str, errors: &mut Errors) {
    if !is_uuid(id) {
        errors.push(
            "country_id",
            format!("The {} field must be a valid UUID.", label("country_id")),
        );
    } else if country_name(id).is_none() {
        errors.push(
            "country_id",
            format!("The selected {} is invalid.", label("country_id")),
        );
    }
}

/// `metadata`: an object, or null. `Err(())` when invalid (error recorded).
pub(super) fn metadata_field(
    input: &Map<String, Value>,
    errors: &mut Errors,
) -> Result<Option<Option<Map<String, Value>>>, ()> {
    match input.get("metadata") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::Object(map)) => Ok(Some(Some(map.clone()))),
        Some(_) => {
            errors.push("metadata", "The metadata field must be an object.".into());
            Err(())
        }
    }
}

pub(super) fn create_customer(store: &mut Store, input: &Map<String, Value>) -> Answer {
    let mut errors = Errors::default();
    let email = match string_field(input, "email", "email", MAX, &mut errors) {
        Field::Text(email) => {
            if !is_valid_email(&email) {
                errors.invalid_email("email");
            }
            Some(email)
        }
        Field::Absent | Field::Null => {
            errors.required("email");
            None
        }
        Field::Invalid => None,
    };
    let mut text = |key: &str| match string_field(input, key, key, MAX, &mut errors) {
        Field::Text(value) => Some(value),
        _ => None,
    };
    let name = text("name");
    let first_name = text("first_name");
    let last_name = text("last_name");
    let company_name = text("company_name");
    let phone = text("phone");
    let external_id = text("external_id");
    let country_id = text("country_id");
    if let Some(external_id) = &external_id {
        if store.external_id_taken(external_id, None) {
            errors.taken("external_id");
        }
    }
    if let Some(country_id) = &country_id {
        check_country(country_id, &mut errors);
    }
    let metadata = metadata_field(input, &mut errors).ok().flatten().flatten();
    let (Some(email), true) = (email, errors.is_empty()) else {
        return validation_error(errors);
    };

    // Explicit first_name / last_name win over the parts split from `name`.
    let (split_first, split_last) = name.as_deref().map(split_name).unwrap_or((None, None));
    let now = now_ms();
    let customer = Customer {
        id: uuid_v4(),
        external_id,
        email,
        first_name: first_name.or(split_first),
        last_name: last_name.or(split_last),
        company_name,
        phone,
        archived: false,
        country_id,
        metadata,
        created_ms: now,
        updated_ms: now,
    };
    store.customers.push(customer.clone());
    Answer::ok(StatusCode::CREATED, &customer)
}

/// Only the keys present change; `null` clears; `email` can't be cleared (it is required).
pub(super) fn update_customer(
    store: &mut Store,
    index: usize,
    input: &Map<String, Value>,
) -> Answer {
    let mut errors = Errors::default();
    let current = &store.customers[index];
    let mut next = current.clone();

    match string_field(input, "email", "email", MAX, &mut errors) {
        Field::Text(email) if is_valid_email(&email) => next.email = email,
        Field::Text(_) => errors.invalid_email("email"),
        Field::Null => errors.required("email"),
        Field::Absent | Field::Invalid => {}
    }
    match string_field(input, "name", "name", MAX, &mut errors) {
        Field::Text(name) => (next.first_name, next.last_name) = split_name(&name),
        Field::Null => (next.first_name, next.last_name) = (None, None),
        Field::Absent | Field::Invalid => {}
    }
    // Explicit first_name / last_name win over the parts split from `name`.
    for (key, slot) in [
        ("first_name", &mut next.first_name),
        ("last_name", &mut next.last_name),
        ("company_name", &mut next.company_name),
        ("phone", &mut next.phone),
        ("external_id", &mut next.external_id),
        ("country_id", &mut next.country_id),
    ] {
        match string_field(input, key, key, MAX, &mut errors) {
            Field::Text(value) => *slot = Some(value),
            Field::Null => *slot = None,
            Field::Absent | Field::Invalid => {}
        }
    }
    if input.contains_key("external_id") {
        if let Some(external_id) = &next.external_id {
            if store.external_id_taken(external_id, Some(&current.id)) {
                errors.taken("external_id");
            }
        }
    }
    if input.contains_key("country_id") && !errors.has("country_id") {
        if let Some(country_id) = &next.country_id {
            check_country(country_id, &mut errors);
        }
    }
    if let Ok(Some(metadata)) = metadata_field(input, &mut errors) {
        next.metadata = metadata;
    }
    if !errors.is_empty() {
        return validation_error(errors);
    }
    next.updated_ms = now_ms().max(current.updated_ms + 1);
    store.customers[index] = next;
    Answer::ok(StatusCode::OK, &store.customers[index])
}
