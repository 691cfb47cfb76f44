//! Count (getcount.com) partner API: `POST /customers`, `GET /customers/{uuid}`,
//! `PUT /customers/{uuid}`, find-by-email; errors in the documented `{status, message, code,
//! details, errors}` shape or the `{message, statusCode, type, …}` shape Count's own CLI sees.
//!
//! Source: shared/provider-docs/count-update-customer.md and contracts.md §3, §6.3. Signing and
//! OAuth happen in the gateway; the browser never talks to Count directly.

use crate::substring::Trim;
use crate::text_key;
use crate::contract::{
    customer_route, field_error_list, Contract, GatewayRules, Replaced, RequestContext,
    Route, WrittenField,
};
use crate::error::{ApiError, ErrorKind, FieldError};
use crate::field::{FieldKind, FieldSpec, Section};
use crate::http::{HttpReply, HttpRequest, Method};
use crate::json::Json;
use crate::record::Record;
use crate::url::{customer_url, encode_query_value, join};
use crate::validate::{normalize, Invalid, Normal, Rule};
use crate::values::FormValues;
use crate::{Operation, ProviderId};

pub struct Count;

pub const DEFAULT_BASE: &str = "https://api.getcount.com/partners";

// A static, not a const: `FieldKind::Choice` lists compare by address (field.rs).
static STATUSES: &[&str] = &["active", "inactive"];
const ADDRESSES: [&str; 2] = ["billingAddress", "shippingAddress"];
const ADDRESS_PARTS: [&str; 5] = ["street", "city", "state", "zipCode", "country"];
const CONTACT_KEYS: [&str; 5] = ["firstName", "lastName", "email", "phone", "isPrimary"];

macro_rules! address_fields {
    ($address:literal, $label:literal) => {
        [
            FieldSpec::new(
                concat!($address, ".street"),
                concat!("field.", $label, ".street"),
                FieldKind::Text,
            )
            .autocomplete(concat!($label, " street-address"))
            .section(Section::Addresses),
            FieldSpec::new(
                concat!($address, ".city"),
                concat!("field.", $label, ".city"),
                FieldKind::Text,
            )
            .autocomplete(concat!($label, " address-level2"))
            .section(Section::Addresses),
            FieldSpec::new(
                concat!($address, ".state"),
                concat!("field.", $label, ".state"),
                FieldKind::Text,
            )
            .autocomplete(concat!($label, " address-level1"))
            .section(Section::Addresses),
            FieldSpec::new(
                concat!($address, ".zipCode"),
                concat!("field.", $label, ".zip_code"),
                FieldKind::Text,
            )
            .autocomplete(concat!($label, " postal-code"))
            .section(Section::Addresses),
            FieldSpec::new(
                concat!($address, ".country"),
                concat!("field.", $label, ".country"),
                FieldKind::Text,
            )
            .autocomplete(concat!($label, " country-name"))
            .section(Section::Addresses),
        ]
    };
}

const BILLING: [FieldSpec; 5] = address_fields!("billingAddress", "billing");
const SHIPPING: [FieldSpec; 5] = address_fields!("shippingAddress", "shipping");

/// The customer fields in display order; with N = 16 the last one is `contacts` (create only).
const fn customer_fields<const N: usize>() -> [FieldSpec; N] {
    let head = [
        FieldSpec::new("customer", text_key!("field.count.customer"), FieldKind::Text)
            .required()
            .max(255)
            .autocomplete("organization"),
        FieldSpec::new("email", text_key!("field.email"), FieldKind::Email)
            .required()
            .max(255)
            .hint(text_key!("hint.count.email"))
            .autocomplete("email")
            .section(Section::Contact),
        FieldSpec::new("mainPhone", text_key!("field.phone"), FieldKind::Tel)
            .max(50)
            .hint(text_key!("hint.phone"))
            .autocomplete("tel")
            .section(Section::Contact),
        FieldSpec::new("website", text_key!("field.website"), FieldKind::Website)
            .max(255)
            .hint(text_key!("hint.count.website"))
            .autocomplete("url")
            .section(Section::Contact),
        FieldSpec::new("status", text_key!("field.status"), FieldKind::Choice(STATUSES))
            .section(Section::Classification),
    ];
    let contacts = FieldSpec::new("contacts", text_key!("field.count.contacts"), FieldKind::JsonList)
        .hint(text_key!("hint.count.contacts"))
        .section(Section::Contact);
    let mut out = [contacts; N];
    let mut i = 0;
    while i < 5 {
        out[i] = head[i];
        i += 1;
    }
    let mut j = 0;
    while j < 5 {
        out[5 + j] = BILLING[j];
        out[10 + j] = SHIPPING[j];
        j += 1;
    }
    out
}

const CREATE_FIELDS: [FieldSpec; 16] = customer_fields::<16>();
/// Contacts "cannot be updated via this endpoint".
const UPDATE_FIELDS: [FieldSpec; 15] = customer_fields::<15>();

fn fields(op: Operation) -> &'static [FieldSpec] {
    match op {
        Operation::Create => &CREATE_FIELDS,
        Operation::Update => &UPDATE_FIELDS,
    }
}

fn address_of(field: &str) -> Option<&'static str> {
    ADDRESSES.into_iter().find(|a| {
        field
            .strip_prefix(a)
            .is_some_and(|rest| rest.starts_with("."))
    })
}

/// An address as sent: the parts that have text (create), or all five (update, where Count
/// replaces the whole address); `None` when every part is empty.
fn address_json(values: &FormValues, address: &str, whole: bool) -> Option<Json> {
    let parts: Vec<(&str, String)> = ADDRESS_PARTS
        .iter()
        .map(|part| {
            (
                *part,
                values.get(&crate::substring::concat(&[address, ".", part])).trimmed().to_string(),
            )
        })
        .collect();
    if parts.iter().all(|(_, text)| text.is_empty()) {
        return None;
    }
    Some(Json::object(
        parts
            .into_iter()
            .filter(|(_, text)| whole || !text.is_empty())
            .map(|(part, text)| (part, Json::String(text))),
    ))
}

impl Contract for Count {
    fn provider(&self) -> ProviderId {
        ProviderId::Count
    }

    fn name(&self) -> &'static str {
        "count"
    }

    fn display_name(&self) -> &'static str {
        "Count"
    }

    // Count's 100 requests a minute are shared by every user of the partner app: the default
    // two retries.

    fn default_base(&self) -> &'static str {
        DEFAULT_BASE
    }

    fn fields(&self, op: Operation) -> &'static [FieldSpec] {
        fields(op)
    }

    fn name_fields(&self) -> &'static [&'static [&'static str]] {
        &[&["customer"], &["email"]]
    }

    /// At most one primary contact, and only the keys Count knows.
    fn check_extra(
        &self,
        op: Operation,
        values: &FormValues,
        _loaded: Option<&FormValues>,
    ) -> Vec<Invalid> {
        if op != Operation::Create {
            return Vec::new();
        }
        let Normal::Object(Json::Array(contacts)) =
            normalize(FieldKind::JsonList, values.get("contacts"))
        else {
            return Vec::new();
        };
        let unknown_key = contacts.iter().any(|c| match c {
            Json::Object(members) => members
                .iter()
                .any(|(k, _)| !CONTACT_KEYS.contains(&k.as_str())),
            _ => true,
        });
        let problems = crate::contacts::contact_problems(&contacts);
        let rule = if unknown_key {
            Some(text_key!("error.count.contact_keys"))
        } else if problems.contains(&Some(text_key!("error.count.one_primary"))) {
            Some(text_key!("error.count.one_primary"))
        } else {
            problems.into_iter().flatten().next()
        };
        match rule {
            Some(key) => vec![Invalid {
                field: "contacts",
                rule: Rule::Custom(key),
            }],
            None => Vec::new(),
        }
    }

    fn read_request(&self, base: &str, id: &str) -> HttpRequest {
        HttpRequest::json(Method::Get, customer_url(base, id), None)
    }

    fn duplicate_lookup(&self, base: &str, values: &FormValues) -> Option<HttpRequest> {
        let email = values.get("email").trimmed();
        (!email.is_empty()).then(|| {
            let url = join(
                base,
                &crate::substring::concat(&["customers/find-by-email?email=", &encode_query_value(email)]),
            );
            HttpRequest::json(Method::Get, url, None)
        })
    }

    fn create_body(&self, ctx: RequestContext, values: &FormValues) -> HttpRequest {
        let mut body = Json::Object(Vec::new());
        for spec in CREATE_FIELDS
            .iter()
            .filter(|f| address_of(f.name).is_none())
        {
            let normal = normalize(spec.kind, values.get(spec.name));
            if !normal.is_empty() {
                body.insert(spec.name, normal.to_json());
            }
        }
        for address in ADDRESSES {
            if let Some(json) = address_json(values, address, false) {
                body.insert(address, json);
            }
        }
        HttpRequest::json(Method::Post, join(ctx.base, "customers"), Some(&body))
    }

    /// `customer` and `email` always; other fields when changed; an address whole when any part
    /// changed, `null` when all of it was removed; never `contacts`.
    fn update_body(
        &self,
        ctx: RequestContext,
        loaded: &Record,
        changed: &[(&FieldSpec, Normal)],
        values: &FormValues,
    ) -> Option<HttpRequest> {
        let mut body = Json::object([
            (
                "customer",
                normalize(FieldKind::Text, values.get("customer")).to_json(),
            ),
            (
                "email",
                normalize(FieldKind::Email, values.get("email")).to_json(),
            ),
        ]);
        for (spec, normal) in changed {
            if address_of(spec.name).is_none() && !matches!(spec.name, "customer" | "email") {
                body.insert(spec.name, normal.to_json());
            }
        }
        for address in ADDRESSES {
            if changed
                .iter()
                .any(|(spec, _)| address_of(spec.name) == Some(address))
            {
                body.insert(
                    address,
                    address_json(values, address, true).unwrap_or(Json::Null),
                );
            }
        }
        Some(HttpRequest::json(
            Method::Put,
            customer_url(ctx.base, &loaded.id),
            Some(&body),
        ))
    }

    fn parse_record(&self, body: &Json) -> Option<Record> {
        let data = body.get("data")?;
        let id = data
            .get("uuid")
            .or_else(|| data.get("id"))?
            .as_str()?
            .to_string();
        let mut values = FormValues::new();
        for spec in UPDATE_FIELDS.iter() {
            let text = data
                .pointer(spec.name)
                .and_then(Json::scalar_text)
                .unwrap_or_default();
            values.set(spec.name, text);
        }
        Some(Record {
            id,
            values,
            updated_at: data.string_at("updatedAt"),
            raw: data.clone(),
        })
    }

    fn parse_error(&self, reply: &HttpReply, mut error: ApiError) -> ApiError {
        let Ok(body) = Json::parse(&reply.body) else {
            return error;
        };
        if let Some(message) = body.get("message").and_then(Json::as_str) {
            error.message = message.to_string();
        }
        error.code = ["code", "type", "error"]
            .iter()
            .find_map(|key| body.get(key).and_then(Json::as_str))
            .map(str::to_string);
        error.field_errors = crate::contract::listed_field_errors(
            body.get("errors"),
            &["field", "path"],
            &CREATE_FIELDS,
        );
        // Beside errors[], the message ("Validation failed") only sums them up, in English:
        // each is said by its field.
        if !error.field_errors.is_empty() {
            error.message.clear();
        }
        match reply.status {
            // Count's 400 is "Validation failed", with or without errors[].
            400 => error.kind = ErrorKind::Validation,
            // "Conflict - Email already exists".
            409 if error.field_errors.is_empty() => {
                let message = if error.message.is_empty() {
                    "This email is already used by another customer."
                } else {
                    &error.message
                };
                error.field_errors.push(FieldError::new("email", message));
            }
            _ => {}
        }
        error
    }
}

impl GatewayRules for Count {
    /// `update_body` sends them in every update.
    fn carried_in_every_update(&self) -> &'static [&'static str] {
        &["customer", "email"]
    }

    fn route(&self, method: Method, path: &str) -> Option<Route> {
        let (bare, query) = path.split_once('?').unwrap_or((path, ""));
        if method == Method::Get && bare.trim_matches('/') == "customers/find-by-email" {
            let email = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("email="))?;
            return Some(Route::FindByEmail {
                email: crate::url::percent_decode(email)?,
            });
        }
        customer_route(method, path, Method::Put)
    }

    fn read_body(&self, op: Operation, body: &Json) -> Result<Vec<WrittenField>, String> {
        let Json::Object(members) = body else {
            return Err("the body must be a JSON object".into());
        };
        let mut written = Vec::new();
        for (key, value) in members {
            if ADDRESSES.contains(&key.as_str()) {
                match value {
                    Json::Null => ADDRESS_PARTS.iter().for_each(|part| {
                        let spec = fields(op)
                            .iter()
                            .find(|f| f.name == format!("{key}.{part}"));
                        if let Some(spec) = spec {
                            written.push((spec.name, None));
                        }
                    }),
                    Json::Object(parts) => {
                        for (part, text) in parts {
                            let name = format!("{key}.{part}");
                            let spec = fields(op)
                                .iter()
                                .find(|f| f.name == name)
                                .ok_or_else(|| format!("unknown field {name:?}"))?;
                            let text = text
                                .as_str()
                                .ok_or_else(|| format!("{name} must be a string"))?;
                            written.push((spec.name, Some(text.to_string())));
                        }
                    }
                    _ => return Err(format!("{key} must be an object or null")),
                }
                continue;
            }
            let spec = fields(op)
                .iter()
                .find(|f| f.name == key)
                .ok_or_else(|| format!("unknown field {key:?}"))?;
            let text = match (spec.kind, value) {
                (_, Json::Null) => None,
                (FieldKind::JsonList, Json::Array(_)) => Some(value.to_json_string()),
                (_, Json::String(text)) => Some(text.clone()),
                _ => return Err(format!("{key} has the wrong type")),
            };
            written.push((spec.name, text));
        }
        if op == Operation::Update
            && !(members.iter().any(|(k, _)| k == "customer")
                && members.iter().any(|(k, _)| k == "email"))
        {
            return Err("customer and email are required on update".into());
        }
        Ok(written)
    }

    fn identity_members(&self) -> &'static [&'static str] {
        &["uuid", "id"]
    }

    /// Count replaces an address whole: any `billingAddress` / `shippingAddress` member (even
    /// `{}`, or only unchanged parts, or `null`) sets all five parts.
    fn replaced(&self, _op: Operation, body: &Json) -> Vec<Replaced> {
        const BILLING_PARTS: [&str; 5] = [
            "billingAddress.street",
            "billingAddress.city",
            "billingAddress.state",
            "billingAddress.zipCode",
            "billingAddress.country",
        ];
        const SHIPPING_PARTS: [&str; 5] = [
            "shippingAddress.street",
            "shippingAddress.city",
            "shippingAddress.state",
            "shippingAddress.zipCode",
            "shippingAddress.country",
        ];
        [
            ("billingAddress", &BILLING_PARTS),
            ("shippingAddress", &SHIPPING_PARTS),
        ]
        .into_iter()
        .filter(|(field, _)| body.get(field).is_some())
        .map(|(field, parts)| Replaced { field, parts })
        .collect()
    }

    fn error_body(&self, kind: ErrorKind, message: &str, field_errors: &[FieldError]) -> Json {
        let code = match kind {
            ErrorKind::Authentication => "UNAUTHORIZED",
            ErrorKind::Permission | ErrorKind::CredentialRefused => "FORBIDDEN",
            ErrorKind::Validation | ErrorKind::Invalid | ErrorKind::BadRequest => {
                "VALIDATION_ERROR"
            }
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::RateLimited => "RATE_LIMITED",
            ErrorKind::Conflict => "CONFLICT",
            _ => "INTERNAL_ERROR",
        };
        let mut body = Json::object([
            ("status", Json::str("error")),
            ("message", Json::str(message)),
            ("code", Json::str(code)),
        ]);
        if !field_errors.is_empty() {
            body.insert("errors", field_error_list(field_errors));
        }
        body
    }

    /// A duplicate check tells a create-only token that the customer exists and which it is,
    /// not everything about them.
    fn redact(&self, route: &Route, body: &Json) -> Option<Json> {
        if !matches!(route, Route::FindByEmail { .. }) {
            return None;
        }
        let data = body.get("data")?;
        let kept = ["uuid", "customer", "email"]
            .into_iter()
            .filter_map(|key| Some((key, data.get(key)?.clone())));
        Some(Json::object([
            ("status", Json::str("success")),
            ("data", Json::object(kept)),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{check_body, create_request, interpret_reply, update_request};

    const BASE: &str = "https://api.getcount.com/partners";

    fn ctx() -> RequestContext<'static> {
        RequestContext {
            base: BASE,
            idempotency_key: None,
        }
    }

    const ACME: &str = r#"{"status":"success","message":"Customer retrieved","data":{"uuid":"5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d","customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 20 7946 0000","website":"https://acme.test","status":"active","billingAddress":{"street":"1 High St","city":"London","state":"","zipCode":"EC1A 1AA","country":"GB"},"shippingAddress":null,"contacts":[{"firstName":"Ann","isPrimary":true}],"createdAt":"2025-05-02T16:12:39Z","updatedAt":"2025-05-02T16:12:39Z"}}"#;

    fn acme() -> Record {
        interpret_reply(
            &Count,
            &HttpReply {
                status: 200,
                headers: vec![],
                body: ACME.into(),
            },
        )
        .unwrap()
    }

    #[test]
    fn field_lists() {
        assert_eq!(CREATE_FIELDS.len(), 16);
        assert_eq!(CREATE_FIELDS[15].name, "contacts");
        assert!(UPDATE_FIELDS.iter().all(|f| f.name != "contacts"));
        assert_eq!(UPDATE_FIELDS[5].name, "billingAddress.street");
        assert_eq!(UPDATE_FIELDS[14].name, "shippingAddress.country");
    }

    #[test]
    fn prefill_flattens_addresses_into_named_fields() {
        let record = acme();
        assert_eq!(record.id, "5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d");
        assert_eq!(record.values.get("billingAddress.city"), "London");
        assert_eq!(record.values.get("shippingAddress.city"), "");
        assert_eq!(record.values.get("status"), "active");
        assert_eq!(record.updated_at.as_deref(), Some("2025-05-02T16:12:39Z"));
    }

    /// The docs' create body shape (contracts.md §6.3).
    #[test]
    fn golden_create() {
        let values = FormValues::new()
            .with("customer", "Acme Ltd")
            .with("email", "ap@acme.test")
            .with("mainPhone", "+44 20 7946 0000")
            .with("status", "active")
            .with("billingAddress.street", "1 High St")
            .with("billingAddress.city", "London")
            .with("contacts", r#"[{"firstName":"Ann","lastName":"Lee","email":"ann@acme.test","isPrimary":true}]"#);
        let request = create_request(&Count, ctx(), &values).unwrap();
        assert_eq!(
            (request.method, request.url.as_str()),
            (Method::Post, "https://api.getcount.com/partners/customers")
        );
        assert_eq!(
            request.body.as_deref().unwrap(),
            r#"{"customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 20 7946 0000","status":"active","contacts":[{"firstName":"Ann","lastName":"Lee","email":"ann@acme.test","isPrimary":true}],"billingAddress":{"street":"1 High St","city":"London"}}"#
        );
    }

    #[test]
    fn create_rules() {
        let two_primaries = FormValues::new()
            .with("customer", "A")
            .with("email", "a@b.co")
            .with("contacts", r#"[{"isPrimary":true},{"isPrimary":true}]"#);
        assert_eq!(
            create_request(&Count, ctx(), &two_primaries).unwrap_err(),
            vec![Invalid {
                field: "contacts",
                rule: Rule::Custom("error.count.one_primary")
            }]
        );
        let bad_email = FormValues::new()
            .with("customer", "A")
            .with("email", "a@b.co")
            .with("contacts", r#"[{"firstName":"Ann","email":"ann@"}]"#);
        assert_eq!(
            create_request(&Count, ctx(), &bad_email).unwrap_err(),
            vec![Invalid {
                field: "contacts",
                rule: Rule::Custom("error.count.contact_email")
            }]
        );
        let long_phone = FormValues::new()
            .with("customer", "A")
            .with("email", "a@b.co")
            .with("mainPhone", &"1".repeat(51));
        assert_eq!(
            create_request(&Count, ctx(), &long_phone).unwrap_err(),
            vec![Invalid {
                field: "mainPhone",
                rule: Rule::TooLong(50)
            }]
        );
        let missing =
            create_request(&Count, ctx(), &FormValues::new().with("contacts", "{}")).unwrap_err();
        assert_eq!(
            missing,
            vec![
                Invalid {
                    field: "customer",
                    rule: Rule::Required
                },
                Invalid {
                    field: "email",
                    rule: Rule::Required
                },
                Invalid {
                    field: "contacts",
                    rule: Rule::JsonList
                },
            ]
        );
    }

    #[test]
    fn update_always_sends_customer_and_email_and_addresses_whole() {
        let record = acme();
        let values = record
            .values
            .clone()
            .with("billingAddress.city", "Manchester")
            .with("website", "");
        let request = update_request(&Count, ctx(), &record, &values)
            .unwrap()
            .unwrap();
        assert_eq!(
            (request.method, request.url.as_str()),
            (
                Method::Put,
                "https://api.getcount.com/partners/customers/5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d"
            )
        );
        assert_eq!(
            request.body.as_deref().unwrap(),
            r#"{"customer":"Acme Ltd","email":"ap@acme.test","website":null,"billingAddress":{"street":"1 High St","city":"Manchester","state":"","zipCode":"EC1A 1AA","country":"GB"}}"#
        );
    }

    #[test]
    fn a_removed_address_is_sent_as_null_and_a_new_one_whole() {
        let record = acme();
        let mut values = record.values.clone().with("shippingAddress.city", "Leeds");
        for part in ADDRESS_PARTS {
            values.set(format!("billingAddress.{part}"), "");
        }
        let body = update_request(&Count, ctx(), &record, &values)
            .unwrap()
            .unwrap()
            .body
            .unwrap();
        assert_eq!(
            body,
            r#"{"customer":"Acme Ltd","email":"ap@acme.test","billingAddress":null,"shippingAddress":{"street":"","city":"Leeds","state":"","zipCode":"","country":""}}"#
        );
    }

    #[test]
    fn find_by_email_before_create() {
        let lookup = Count
            .duplicate_lookup(BASE, &FormValues::new().with("email", " AP+x@acme.test "))
            .unwrap();
        assert_eq!(
            lookup.url,
            "https://api.getcount.com/partners/customers/find-by-email?email=AP%2Bx%40acme.test"
        );
        assert!(Count.duplicate_lookup(BASE, &FormValues::new()).is_none());
    }

    #[test]
    fn both_error_shapes() {
        let documented = HttpReply {
            status: 400,
            headers: vec![],
            body: r#"{"status":"error","message":"Validation failed","code":"VALIDATION_ERROR","details":{},"errors":[{"field":"billingAddress.zipCode","message":"zipCode must be a string"},{"field":"website","message":"website must be a valid URL"}]}"#.into(),
        };
        let error = interpret_reply(&Count, &documented).unwrap_err();
        assert_eq!(
            (error.kind, error.code.as_deref(), error.message.as_str()),
            (ErrorKind::Validation, Some("VALIDATION_ERROR"), "")
        );
        assert_eq!(
            error.field_errors,
            vec![
                FieldError::new("billingAddress.zipCode", "zipCode must be a string"),
                FieldError::new("website", "website must be a valid URL"),
            ]
        );
        let cli = HttpReply {
            status: 400,
            headers: vec![],
            body: r#"{"message":"\"customer\" is not allowed to be empty. \"email\" must be a valid email","status":"Error","statusCode":400,"isOperational":true,"type":"VALIDATION_ERROR"}"#.into(),
        };
        let error = interpret_reply(&Count, &cli).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Validation);
        assert!(error.field_errors.is_empty());
        assert!(error.message.contains("must be a valid email"));
        let conflict = HttpReply {
            status: 409,
            headers: vec![],
            body: r#"{"status":"error","message":"Email already exists","code":"CONFLICT"}"#.into(),
        };
        let error = interpret_reply(&Count, &conflict).unwrap_err();
        assert_eq!(
            error.field_errors,
            vec![FieldError::new("email", "Email already exists")]
        );
        let expired = HttpReply {
            status: 401,
            headers: vec![],
            body: r#"{"status":"Error","statusCode":401,"message":"The access token expired","error":"invalid_token","error_description":"The access token expired"}"#.into(),
        };
        assert_eq!(
            interpret_reply(&Count, &expired)
                .unwrap_err()
                .code
                .as_deref(),
            Some("invalid_token")
        );
    }

    #[test]
    fn gateway_rules() {
        assert_eq!(
            Count.route(Method::Get, "/customers/find-by-email?email=a%40b.co"),
            Some(Route::FindByEmail {
                email: "a@b.co".into()
            })
        );
        assert_eq!(
            Count.route(Method::Put, "/customers/u1"),
            Some(Route::Update {
                customer: "u1".into()
            })
        );
        let update =
            Json::parse(r#"{"customer":"A","email":"a@b.co","billingAddress":null}"#).unwrap();
        assert_eq!(check_body(&Count, Operation::Update, &update), Ok(vec![]));
        let partial = Json::parse(r#"{"email":"a@b.co"}"#).unwrap();
        assert!(Count.read_body(Operation::Update, &partial).is_err());
        let contacts = Json::parse(r#"{"customer":"A","email":"a@b.co","contacts":[]}"#).unwrap();
        assert!(
            Count.read_body(Operation::Update, &contacts).is_err(),
            "no contacts on update"
        );
        let found = Json::parse(ACME).unwrap();
        let redacted = Count
            .redact(&Route::FindByEmail { email: "x".into() }, &found)
            .unwrap();
        assert_eq!(
            redacted.to_json_string(),
            r#"{"status":"success","data":{"uuid":"5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d","customer":"Acme Ltd","email":"ap@acme.test"}}"#
        );
    }

    #[test]
    fn any_address_member_replaces_the_whole_address() {
        use crate::contract::GatewayRules;
        let body = Json::parse(
            r#"{"customer":"A","email":"a@b.co","billingAddress":{},"shippingAddress":null}"#,
        )
        .unwrap();
        let replaced = Count.replaced(Operation::Update, &body);
        let fields: Vec<&str> = replaced.iter().map(|r| r.field).collect();
        assert_eq!(fields, ["billingAddress", "shippingAddress"]);
        assert_eq!(replaced[0].parts.len(), 5);
        assert!(replaced[0].parts.contains(&"billingAddress.zipCode"));
        let plain = Json::parse(r#"{"customer":"A","email":"a@b.co"}"#).unwrap();
        assert!(Count.replaced(Operation::Update, &plain).is_empty());
    }
}
