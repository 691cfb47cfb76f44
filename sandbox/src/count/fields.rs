//! A create or update body checked the way Count's API checks it (Joi-style messages, unknown
//! keys refused), into the fields a customer is written from.

use serde_json::{Map, Value};

use crate::{email::is_valid_email, ids::uuid_v4};

use super::{CountError, ADDRESS_FIELDS, CONTACT_FIELDS};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Create,
    Update,
}

/// A validated create/update body. `Option<Option<_>>`: absent / removed / set.
pub(super) struct CustomerFields {
    pub(super) customer: Option<String>,
    pub(super) email: Option<String>,
    pub(super) main_phone: Option<Option<String>>,
    pub(super) website: Option<Option<String>>,
    pub(super) status: Option<String>,
    pub(super) billing_address: Option<Option<Value>>,
    pub(super) shipping_address: Option<Option<Value>>,
    pub(super) contacts: Option<Vec<Value>>,
}

impl CustomerFields {
    /// Joi-style validation (messages like `"email" must be a valid email`); unknown keys are
    /// refused, as Joi does by default.
    pub(super) fn parse(
        body: &Map<String, Value>,
        mode: Mode,
    ) -> Result<CustomerFields, CountError> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut fail = |field: &str, message: String| errors.push((field.to_owned(), message));
        const KNOWN: [&str; 8] = [
            "customer",
            "email",
            "mainPhone",
            "website",
            "status",
            "billingAddress",
            "shippingAddress",
            "contacts",
        ];
        for key in body.keys().filter(|k| !KNOWN.contains(&k.as_str())) {
            fail(key, format!("\"{key}\" is not allowed"));
        }

        let customer = match body.get("customer") {
            None | Some(Value::Null) => {
                fail("customer", "\"customer\" is required".into());
                None
            }
            Some(Value::String(name)) if name.trim().is_empty() => {
                fail("customer", "\"customer\" is not allowed to be empty".into());
                None
            }
            Some(Value::String(name)) if name.chars().count() > 255 => {
                fail(
                    "customer",
                    "\"customer\" length must be less than or equal to 255 characters long".into(),
                );
                None
            }
            Some(Value::String(name)) => Some(name.clone()),
            Some(_) => {
                fail("customer", "\"customer\" must be a string".into());
                None
            }
        };
        let email = match body.get("email") {
            None | Some(Value::Null) => {
                fail("email", "\"email\" is required".into());
                None
            }
            Some(Value::String(email)) if email.is_empty() => {
                fail("email", "\"email\" is not allowed to be empty".into());
                None
            }
            Some(Value::String(email)) if email.chars().count() > 255 => {
                fail(
                    "email",
                    "\"email\" length must be less than or equal to 255 characters long".into(),
                );
                None
            }
            Some(Value::String(email)) if !is_valid_email(email) => {
                fail("email", "\"email\" must be a valid email".into());
                None
            }
            Some(Value::String(email)) => Some(email.clone()),
            Some(_) => {
                fail("email", "\"email\" must be a string".into());
                None
            }
        };
        // `null` or `""` removes (documented for update; the same is accepted on create).
        let mut removable = |key: &str, max: usize| match body.get(key) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(text)) if text.is_empty() => Some(None),
            Some(Value::String(text)) if text.chars().count() > max => {
                fail(
                    key,
                    format!("\"{key}\" length must be less than or equal to {max} characters long"),
                );
                None
            }
            Some(Value::String(text)) => Some(Some(text.clone())),
            Some(_) => {
                fail(key, format!("\"{key}\" must be a string"));
                None
            }
        };
        let main_phone = removable("mainPhone", 50);
        let website = removable("website", 255);
        let status = match body.get("status") {
            None => None,
            Some(Value::String(s)) if s == "active" || s == "inactive" => Some(s.clone()),
            Some(_) => {
                fail(
                    "status",
                    "\"status\" must be one of [active, inactive]".into(),
                );
                None
            }
        };
        let billing_address = address(body, "billingAddress", &mut fail);
        let shipping_address = address(body, "shippingAddress", &mut fail);
        let contacts = match (body.get("contacts"), mode) {
            (None, _) => None,
            (Some(_), Mode::Update) => {
                fail(
                    "contacts",
                    "Contacts cannot be updated via this endpoint".into(),
                );
                None
            }
            (Some(value), Mode::Create) => contacts(value, &mut fail),
        };
        if !errors.is_empty() {
            return Err(CountError::validation(errors));
        }
        Ok(CustomerFields {
            customer,
            email,
            main_phone,
            website,
            status,
            billing_address,
            shipping_address,
            contacts,
        })
    }
}

/// An address: `null`, or an object with (any of) `street, city, state, zipCode, country` as
/// strings. Stored and returned with all five keys (missing ones as `null`).
pub(super) fn address(
    body: &Map<String, Value>,
    key: &str,
    fail: &mut impl FnMut(&str, String),
) -> Option<Option<Value>> {
    match body.get(key) {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::Object(given)) => {
            let mut ok = true;
            for (field, value) in given {
                let path = format!("{key}.{field}");
                if !ADDRESS_FIELDS.contains(&field.as_str()) {
                    fail(&path, format!("\"{path}\" is not allowed"));
                    ok = false;
                } else if !(value.is_string() || value.is_null()) {
                    fail(&path, format!("\"{path}\" must be a string"));
                    ok = false;
                } else if value.as_str().is_some_and(|s| s.chars().count() > 255) {
                    fail(
                        &path,
                        format!(
                            "\"{path}\" length must be less than or equal to 255 characters long"
                        ),
                    );
                    ok = false;
                }
            }
            let full: Map<String, Value> = ADDRESS_FIELDS
                .iter()
                .map(|f| (f.to_string(), given.get(*f).cloned().unwrap_or(Value::Null)))
                .collect();
            ok.then_some(Some(Value::Object(full)))
        }
        Some(_) => {
            fail(key, format!("\"{key}\" must be of type object"));
            None
        }
    }
}

/// Contacts on create: objects with `firstName, lastName, email, phone` (strings or null) and
/// `isPrimary` (boolean); at most one primary. Each gets a `uuid`; missing fields are `null`
/// (`isPrimary` defaults to false).
pub(super) fn contacts(value: &Value, fail: &mut impl FnMut(&str, String)) -> Option<Vec<Value>> {
    let Value::Array(items) = value else {
        fail("contacts", "\"contacts\" must be an array".into());
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let base = format!("contacts[{i}]");
        let Value::Object(contact) = item else {
            fail(&base, format!("\"{base}\" must be of type object"));
            ok = false;
            continue;
        };
        for (field, value) in contact {
            let path = format!("{base}.{field}");
            let valid = match field.as_str() {
                "isPrimary" => value.is_boolean(),
                "email" => value.is_null() || value.as_str().is_some_and(is_valid_email),
                f if CONTACT_FIELDS.contains(&f) => value.is_null() || value.is_string(),
                _ => {
                    fail(&path, format!("\"{path}\" is not allowed"));
                    ok = false;
                    continue;
                }
            };
            if !valid {
                let expected = match field.as_str() {
                    "isPrimary" => "must be a boolean",
                    "email" if value.is_string() => "must be a valid email",
                    _ => "must be a string",
                };
                fail(&path, format!("\"{path}\" {expected}"));
                ok = false;
            }
        }
        let mut stored = Map::new();
        stored.insert("uuid".into(), Value::String(uuid_v4()));
        for field in CONTACT_FIELDS {
            let default = if field == "isPrimary" {
                Value::Bool(false)
            } else {
                Value::Null
            };
            stored.insert(field.into(), contact.get(field).cloned().unwrap_or(default));
        }
        out.push(Value::Object(stored));
    }
    let primaries = out
        .iter()
        .filter(|c| c["isPrimary"] == Value::Bool(true))
        .count();
    if primaries > 1 {
        fail(
            "contacts",
            "\"contacts\" must contain at most one primary contact".into(),
        );
        ok = false;
    }
    ok.then_some(out)
}
