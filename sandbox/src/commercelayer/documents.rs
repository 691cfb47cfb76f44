//! Request documents: the structurally valid parts of a write's `data`, and applying them.

use serde_json::{json, Map, Value};

use crate::{
    clock::now_ms,
    email::is_valid_email,
    incoming::{Incoming, JsonBody},
};

use super::{
    errors::{ClError, Invalid},
    find_group,
    oauth::Caller,
    Customer, Store, INTEGRATION_ONLY_ATTRIBUTES, MAX_TAGS, TAGS,
};

/// The structurally valid parts of a `{"data": {type, id?, attributes?, relationships?}}` body.
pub(super) struct Document {
    attributes: Map<String, Value>,
    relationships: Map<String, Value>,
}

impl Document {
    pub(super) fn parse(
        request: &Incoming,
        url_id: Option<&str>,
        allowed: &[&str],
        caller: &Caller,
    ) -> Result<Document, ClError> {
        let missing = |name: &str| {
            ClError::bad_request(
                "Missing parameter",
                &format!("The required parameter, {name}, is missing."),
                "PARAM_MISSING",
            )
        };
        let body = match request.json_body() {
            JsonBody::Object(body) => body,
            JsonBody::Empty => return Err(missing("data")),
            JsonBody::NotAnObject | JsonBody::Invalid => {
                return Err(ClError::bad_request(
                    "Bad request",
                    "The request body is not a valid JSON:API document.",
                    "BAD_REQUEST",
                ))
            }
        };
        let Some(Value::Object(data)) = body.get("data") else {
            return Err(missing("data"));
        };
        match data.get("type") {
            None | Some(Value::Null) => return Err(missing("type")),
            Some(Value::String(kind)) if kind == "customers" => {}
            Some(other) => {
                let shown = other
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| other.to_string());
                return Err(ClError::bad_request(
                    "Invalid resource",
                    &format!("{shown} is not a valid resource."),
                    "INVALID_RESOURCE",
                ));
            }
        }
        match (url_id, data.get("id")) {
            // Update: `data.id` is required and must be the id in the URL.
            (Some(url_id), given) if given.and_then(Value::as_str) != Some(url_id) => {
                let shown = given.map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                });
                return Err(ClError::bad_request(
                    "Key is not included in URL",
                    &format!(
                        "The URL does not support the key {}",
                        shown.unwrap_or_else(|| "null".into())
                    ),
                    "KEY_NOT_INCLUDED_IN_URL",
                ));
            }
            (None, Some(_)) => {
                return Err(ClError::param_not_allowed(
                    "id",
                    "/data",
                    "id is not allowed.",
                ));
            }
            _ => {}
        }
        let object = |name: &str| match data.get(name) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(_) => Err(ClError::bad_request(
                "Bad request",
                &format!("data.{name} must be an object."),
                "BAD_REQUEST",
            )
            .with_pointer(&format!("/data/{name}"))),
        };
        let attributes = object("attributes")?;
        let relationships = object("relationships")?;
        for name in attributes.keys() {
            if !allowed.contains(&name.as_str()) {
                return Err(ClError::param_not_allowed(
                    name,
                    "/data/attributes",
                    &format!("{name} is not allowed."),
                ));
            }
            if caller.is_sales_channel() && INTEGRATION_ONLY_ATTRIBUTES.contains(&name.as_str()) {
                return Err(ClError::param_not_allowed(
                    name,
                    "/data/attributes",
                    &format!("{name} cannot be set with a sales channel token."),
                ));
            }
        }
        for name in relationships.keys() {
            if name != "customer_group" && name != "tags" {
                return Err(ClError::param_not_allowed(
                    name,
                    "/data/relationships",
                    &format!("{name} is not allowed."),
                ));
            }
            if caller.is_sales_channel() {
                return Err(ClError::param_not_allowed(
                    name,
                    "/data/relationships",
                    &format!("{name} cannot be set with a sales channel token."),
                ));
            }
        }
        Ok(Document {
            attributes,
            relationships,
        })
    }
}

/// Applies a parsed document to `customer` (a copy; the caller stores it on success).
/// Relationship ids that do not exist are 404s; attribute problems are collected into one 422.
pub(super) fn apply(
    customer: &mut Customer,
    document: &Document,
    store: &Store,
    index: Option<usize>,
    creating: bool,
    extra_groups: u32,
) -> Result<(), ClError> {
    let mut invalid = Invalid::default();
    let attributes = &document.attributes;
    let pointer = |name: &str| format!("/data/attributes/{name}");

    match attributes.get("email") {
        None if !creating => {}
        None | Some(Value::Null) => {
            invalid.add(&pointer("email"), "can't be blank", "blank", &Value::Null)
        }
        Some(Value::String(email)) if email.trim().is_empty() => {
            invalid.add(&pointer("email"), "can't be blank", "blank", &json!(email))
        }
        Some(Value::String(email)) if !is_valid_email(email.trim()) => {
            invalid.add(&pointer("email"), "is invalid", "invalid", &json!(email))
        }
        Some(Value::String(email)) if store.email_taken(email.trim(), index) => invalid.add(
            &pointer("email"),
            "has already been taken",
            "taken",
            &json!(email),
        ),
        Some(Value::String(email)) => customer.email = email.trim().to_owned(),
        Some(other) => invalid.add(&pointer("email"), "is invalid", "invalid", other),
    }
    let mut text = |name: &str, slot: &mut Option<String>| match attributes.get(name) {
        None => {}
        Some(Value::Null) => *slot = None,
        Some(Value::String(value)) => *slot = Some(value.clone()),
        Some(other) => invalid.add(&pointer(name), "is invalid", "invalid", other),
    };
    text("password", &mut customer.password);
    text("shopper_reference", &mut customer.shopper_reference);
    text("profile_id", &mut customer.profile_id);
    text("tax_exemption_code", &mut customer.tax_exemption_code);
    text("reference", &mut customer.reference);
    text("reference_origin", &mut customer.reference_origin);
    // Whether metadata merges or replaces is not documented: it replaces.
    match attributes.get("metadata") {
        None => {}
        Some(Value::Null) => customer.metadata = Map::new(),
        Some(Value::Object(map)) => customer.metadata = map.clone(),
        Some(other) => invalid.add(&pointer("metadata"), "is invalid", "invalid", other),
    }
    for flag in ["_request_anonymization", "_cancel_anonymization"] {
        match attributes.get(flag) {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) if flag == "_request_anonymization" => {
                customer.anonymization_requested_ms = Some(now_ms())
            }
            Some(Value::Bool(true)) => customer.anonymization_requested_ms = None,
            Some(other) => invalid.add(&pointer(flag), "is invalid", "invalid", other),
        }
    }

    if let Some(relation) = document.relationships.get("customer_group") {
        customer.customer_group_id = match relation.get("data") {
            Some(Value::Null) => None,
            Some(Value::Object(link))
                if link.get("type").and_then(Value::as_str) == Some("customer_groups") =>
            {
                let id = link.get("id").and_then(Value::as_str).unwrap_or_default();
                let (group, _) =
                    find_group(id, extra_groups).ok_or_else(|| ClError::not_found(id))?;
                Some(group)
            }
            _ => return Err(invalid_linkage("customer_group")),
        };
    }
    if let Some(relation) = document.relationships.get("tags") {
        let Some(Value::Array(links)) = relation.get("data") else {
            return Err(invalid_linkage("tags"));
        };
        let mut ids = Vec::new();
        for link in links {
            if link.get("type").and_then(Value::as_str) != Some("tags") {
                return Err(invalid_linkage("tags"));
            }
            let id = link.get("id").and_then(Value::as_str).unwrap_or_default();
            let tag = TAGS
                .iter()
                .find(|t| t.id == id)
                .ok_or_else(|| ClError::not_found(id))?;
            if !ids.contains(&tag.id.to_owned()) {
                ids.push(tag.id.to_owned());
            }
        }
        // Documented: the array replaces the whole set; [] removes all tags.
        customer.tag_ids = ids;
    }
    // Documented: comma-separated names; removal runs after addition; duplicate, invalid and
    // non-existent tags are discarded.
    for (name, adding) in [("_add_tags", true), ("_remove_tags", false)] {
        match attributes.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(list)) => {
                for tag in list
                    .split(',')
                    .filter_map(|n| TAGS.iter().find(|t| t.name == n.trim()))
                {
                    let id = tag.id.to_owned();
                    if adding && !customer.tag_ids.contains(&id) {
                        customer.tag_ids.push(id);
                    } else if !adding {
                        customer.tag_ids.retain(|t| *t != id);
                    }
                }
            }
            Some(other) => invalid.add(&pointer(name), "is invalid", "invalid", other),
        }
    }
    if customer.tag_ids.len() > MAX_TAGS {
        invalid.0.push(json!({
            "title": format!("must have at most {MAX_TAGS} tags"),
            "detail": format!("tags - must have at most {MAX_TAGS} tags"),
            "code": "VALIDATION_ERROR",
            "source": {"pointer": "/data/relationships/tags"},
            "status": "422",
            "meta": {"error": "too_long", "count": MAX_TAGS, "value": customer.tag_ids.len()},
        }));
    }
    invalid.into_result()
}

pub(super) fn invalid_linkage(name: &str) -> ClError {
    ClError::bad_request(
        "Invalid linkage",
        "Data is not a valid Links Object.",
        "INVALID_LINKS_OBJECT",
    )
    .with_pointer(&format!("/data/relationships/{name}"))
}
