//! Partnero (affiliate programs): `POST /customers`, `GET /customers/{key}`,
//! `PUT /customers/{key}` with the `update` wrapper; Laravel-style `{message, errors}`.
//!
//! Source: shared/provider-docs/partnero-create-customer.md, partnero-update-customer.md and
//! contracts.md §1, §6.1.

use crate::substring::Trim;
use crate::text_key;
use crate::contract::{
    customer_route, map_field, Contract, CreateDefault, DefaultSource, GatewayRules, RecordNames,
    RequestContext, Route, WrittenField,
};
use crate::error::{ApiError, ErrorKind, FieldError};
use crate::field::{FieldKind, FieldSpec, Section};
use crate::http::{HttpReply, HttpRequest, Method};
use crate::json::Json;
use crate::record::Record;
use crate::url::{customer_url, join};
use crate::validate::{normalize, Invalid, Normal, Rule};
use crate::values::FormValues;
use crate::{Operation, ProviderId};

pub struct Partnero;

pub const DEFAULT_BASE: &str = "https://api.partnero.com/v1";

/// Where a referral comes from: the form offers all three; one is required.
const PARTNER_FIELDS: [&str; 3] = ["partner.key", "partner.id", "partner.email"];

const CREATE_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("key", text_key!("field.partnero.key"), FieldKind::Text)
        .required()
        .hint(text_key!("hint.partnero.key")),
    FieldSpec::new("email", text_key!("field.email"), FieldKind::Email)
        .autocomplete("email")
        .section(Section::Contact),
    FieldSpec::new("name", text_key!("field.first_name"), FieldKind::Text).autocomplete("given-name"),
    FieldSpec::new("surname", text_key!("field.last_name"), FieldKind::Text).autocomplete("family-name"),
    FieldSpec::new("tags", text_key!("field.tags"), FieldKind::Tags)
        .hint(text_key!("hint.tags"))
        .section(Section::Classification),
    FieldSpec::new("partner.key", text_key!("field.partnero.partner_key"), FieldKind::Text)
        .hint(text_key!("hint.partnero.partner_cookie"))
        .section(Section::Referrer),
    FieldSpec::new("partner.id", text_key!("field.partnero.partner_id"), FieldKind::Text)
        .section(Section::Referrer),
    FieldSpec::new(
        "partner.email",
        text_key!("field.partnero.partner_email"),
        FieldKind::Email,
    )
    .section(Section::Referrer),
    FieldSpec::new(
        "options.referral_url",
        text_key!("field.partnero.referral_url"),
        FieldKind::Url,
    )
    .section(Section::Metadata),
];

/// Everything inside `update` is optional; `key` renames the customer.
const UPDATE_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("key", text_key!("field.partnero.key"), FieldKind::Text)
        .required()
        .hint(text_key!("hint.partnero.rename")),
    FieldSpec::new("email", text_key!("field.email"), FieldKind::Email)
        .autocomplete("email")
        .section(Section::Contact),
    FieldSpec::new("name", text_key!("field.first_name"), FieldKind::Text).autocomplete("given-name"),
    FieldSpec::new("surname", text_key!("field.last_name"), FieldKind::Text).autocomplete("family-name"),
    FieldSpec::new("tags", text_key!("field.tags"), FieldKind::Tags)
        .hint(text_key!("hint.partnero.tags"))
        .section(Section::Classification),
];

fn fields(op: Operation) -> &'static [FieldSpec] {
    match op {
        Operation::Create => CREATE_FIELDS,
        Operation::Update => UPDATE_FIELDS,
    }
}

impl Contract for Partnero {
    fn provider(&self) -> ProviderId {
        ProviderId::Partnero
    }

    fn name(&self) -> &'static str {
        "partnero"
    }

    fn display_name(&self) -> &'static str {
        "Partnero"
    }

    /// PartneroJS keeps the referring partner's key in this cookie when a visitor arrives
    /// through a referral link (not a credential).
    fn create_defaults(&self) -> &'static [CreateDefault] {
        &[CreateDefault {
            field: "partner.key",
            source: DefaultSource::Cookie("partnero_partner"),
        }]
    }

    fn default_base(&self) -> &'static str {
        DEFAULT_BASE
    }

    fn fields(&self, op: Operation) -> &'static [FieldSpec] {
        fields(op)
    }

    fn name_fields(&self) -> &'static [&'static [&'static str]] {
        &[&["name", "surname"], &["email"], &["key"]]
    }

    fn check_extra(
        &self,
        op: Operation,
        values: &FormValues,
        _loaded: Option<&FormValues>,
    ) -> Vec<Invalid> {
        let has_partner = PARTNER_FIELDS
            .iter()
            .any(|f| !values.get(f).trimmed().is_empty());
        if op == Operation::Create && !has_partner {
            vec![Invalid {
                field: "partner.key",
                rule: Rule::Custom(text_key!("error.partnero.partner_required")),
            }]
        } else {
            Vec::new()
        }
    }

    fn read_request(&self, base: &str, id: &str) -> HttpRequest {
        HttpRequest::json(Method::Get, customer_url(base, id), None)
    }

    /// The customer key is unique: reading it back tells whether an earlier attempt created it.
    fn created_lookup(&self, base: &str, values: &FormValues) -> Option<HttpRequest> {
        self.chosen_id(values)
            .map(|key| self.read_request(base, &key))
    }

    fn chosen_id(&self, values: &FormValues) -> Option<String> {
        let key = values.get("key").trimmed();
        (!key.is_empty()).then(|| key.to_string())
    }

    fn create_body(&self, ctx: RequestContext, values: &FormValues) -> HttpRequest {
        let mut body = Json::Object(Vec::new());
        for spec in CREATE_FIELDS {
            let normal = normalize(spec.kind, values.get(spec.name));
            if !normal.is_empty() {
                body.set_path(spec.name, normal.to_json());
            }
        }
        HttpRequest::json(Method::Post, join(ctx.base, "customers"), Some(&body))
    }

    fn update_body(
        &self,
        ctx: RequestContext,
        loaded: &Record,
        changed: &[(&FieldSpec, Normal)],
        _values: &FormValues,
    ) -> Option<HttpRequest> {
        let update = Json::object(changed.iter().map(|(spec, normal)| {
            // Tags replace the set: an emptied list is sent as [] (null would leave them alone).
            let value = match (spec.kind, normal) {
                (FieldKind::Tags, Normal::Empty) => Json::Array(Vec::new()),
                _ => normal.to_json(),
            };
            (spec.name, value)
        }));
        let body = Json::object([("update", update)]);
        Some(HttpRequest::json(
            Method::Put,
            customer_url(ctx.base, &loaded.id),
            Some(&body),
        ))
    }

    fn parse_record(&self, body: &Json) -> Option<Record> {
        let data = body.get("data")?;
        let id = data.get("key")?.as_str()?.to_string();
        let mut values = FormValues::new();
        for name in ["key", "email", "name", "surname"] {
            values.set(
                name,
                data.get(name)
                    .and_then(Json::scalar_text)
                    .unwrap_or_default(),
            );
        }
        // Tags come back as [{"value": "new"}] although they are sent as strings.
        let mut tags: Vec<&str> = Vec::new();
        for tag in data.get("tags").and_then(Json::as_array).unwrap_or_default() {
            if let Some(name) = tag.get("value").and_then(Json::as_str).or_else(|| tag.as_str()) {
                tags.push(name);
            }
        }
        values.set("tags", crate::substring::join(&tags, ", "));
        Some(Record {
            id,
            values,
            updated_at: data.string_at("updated_at"),
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
        let mut all_fields: Vec<FieldSpec> = CREATE_FIELDS.to_vec();
        all_fields.extend_from_slice(UPDATE_FIELDS);
        if let Some(Json::Object(errors)) = body.get("errors") {
            for (path, messages) in errors {
                let path = path.strip_prefix("update.").unwrap_or(path);
                let mut texts: Vec<&str> = Vec::new();
                match messages {
                    Json::Array(items) => {
                        for item in items {
                            if let Some(text) = item.as_str() {
                                texts.push(text);
                            }
                        }
                    }
                    Json::String(text) => texts.push(text),
                    _ => {}
                }
                let mut field_error = FieldError::new(
                    map_field(&all_fields, path),
                    crate::substring::join(&texts, " "),
                );
                // Laravel's English rule text, the field's only one; the form words it in its
                // own language.
                if texts.len() == 1 && field_error.message.ends_with("has already been taken.") {
                    field_error.key = Some(text_key!("error.taken"));
                }
                error.field_errors.push(field_error);
            }
            // Laravel's `message` beside its `errors` only sums them up ("The given data was
            // invalid.", or the first one "(and 1 more error)"), in English: each error is
            // said by its field, in the form's language.
            if !error.field_errors.is_empty() {
                error.message.clear();
            }
        }
        match reply.status {
            // "Invalid partner key": the referral is not recognised, not a bug in the request.
            400 => error.kind = ErrorKind::Validation,
            // A duplicate key may come back as 409 (seen in the wild) instead of 422.
            409 if error.field_errors.is_empty() => {
                let message = if error.message.is_empty() {
                    "This key is already taken."
                } else {
                    &error.message
                };
                error.field_errors.push(FieldError::new("key", message));
            }
            _ => {}
        }
        error
    }
}

impl GatewayRules for Partnero {
    fn route(&self, method: Method, path: &str) -> Option<Route> {
        // `customers:search` is not a customer key.
        customer_route(method, path, Method::Put)
            .filter(|route| !route.customer().is_some_and(|key| key.contains(':')))
    }

    fn read_body(&self, op: Operation, body: &Json) -> Result<Vec<WrittenField>, String> {
        let fields = fields(op);
        let root = match op {
            Operation::Create => body,
            Operation::Update => body.get("update").ok_or("the update wrapper is missing")?,
        };
        if op == Operation::Update && matches!(body, Json::Object(m) if m.len() != 1) {
            return Err("only the update wrapper may be sent".into());
        }
        let mut written = Vec::new();
        read_members(root, "", fields, &mut written)?;
        Ok(written)
    }

    /// The `key` is the only id, and `update.key` renames it.
    fn record_names(&self) -> RecordNames {
        RecordNames::RenamableKey
    }

    fn identity_members(&self) -> &'static [&'static str] {
        &["key"]
    }

    /// When the customer was created: a key moves, and another customer may take it.
    fn lasting_members(&self) -> &'static [&'static str] {
        &["created_at"]
    }

    fn error_body(&self, _kind: ErrorKind, message: &str, field_errors: &[FieldError]) -> Json {
        let mut body = Json::object([("message", Json::str(message))]);
        if !field_errors.is_empty() {
            body.insert(
                "errors",
                Json::object(field_errors.iter().map(|e| {
                    (
                        e.field.clone(),
                        Json::Array(vec![Json::str(e.message.clone())]),
                    )
                })),
            );
        }
        body
    }
}

/// Walks nested objects (`partner.key`) back into form fields.
fn read_members(
    node: &Json,
    prefix: &str,
    fields: &'static [FieldSpec],
    written: &mut Vec<WrittenField>,
) -> Result<(), String> {
    let Json::Object(members) = node else {
        return Err(format!(
            "{} must be an object",
            if prefix.is_empty() {
                "the body"
            } else {
                prefix
            }
        ));
    };
    for (key, value) in members {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let Some(spec) = fields.iter().find(|f| f.name == path) {
            let text = match (spec.kind, value) {
                (_, Json::Null) => None,
                (FieldKind::Tags, Json::Array(items)) => Some(
                    items
                        .iter()
                        .map(|t| t.as_str().map(str::to_string).ok_or("tags must be strings"))
                        .collect::<Result<Vec<_>, _>>()?
                        .join(", "),
                ),
                (FieldKind::Tags, _) => return Err("tags must be a list".into()),
                (_, Json::String(text)) => Some(text.clone()),
                _ => return Err(format!("{path} must be a string")),
            };
            written.push((spec.name, text));
        } else if value.is_object()
            && fields
                .iter()
                .any(|f| f.name.starts_with(&format!("{path}.")))
        {
            read_members(value, &path, fields, written)?;
        } else {
            return Err(format!("unknown field {path:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{check_body, create_request, interpret_reply, update_request};

    const BASE: &str = "https://api.partnero.com/v1";

    fn ctx() -> RequestContext<'static> {
        RequestContext {
            base: BASE,
            idempotency_key: None,
        }
    }

    fn same_json(a: &str, b: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(a).unwrap()
            == serde_json::from_str::<serde_json::Value>(b).unwrap()
    }

    const ALICE: &str = r#"{"data":{"key":"customer_123","partner":"partner_123","deleted":false,"name":"Alice","surname":"Brown","email":"alice.brown@example.com","status":"active","created_at":"2025-05-02T16:12:39.000000Z","updated_at":"2025-05-02T16:12:39.000000Z","deleted_at":null,"tags":[{"value":"new"}]},"status":1}"#;

    fn alice() -> Record {
        interpret_reply(
            &Partnero,
            &HttpReply {
                status: 200,
                headers: vec![],
                body: ALICE.into(),
            },
        )
        .unwrap()
    }

    /// The docs' create example, field for field.
    #[test]
    fn golden_create_from_the_docs_example() {
        let values = FormValues::new()
            .with("partner.key", "ref_123")
            .with("key", "customer_123")
            .with("email", "alice.brown@example.com")
            .with("name", "Alice")
            .with("surname", "Brown")
            .with("tags", "new");
        let request = create_request(&Partnero, ctx(), &values).unwrap();
        assert_eq!(
            (request.method, request.url.as_str()),
            (Method::Post, "https://api.partnero.com/v1/customers")
        );
        assert_eq!(request.header("Accept"), Some("application/json"));
        assert!(same_json(
            request.body.as_deref().unwrap(),
            r#"{"partner":{"key":"ref_123"},"key":"customer_123","email":"alice.brown@example.com","name":"Alice","surname":"Brown","tags":["new"]}"#
        ));
    }

    #[test]
    fn create_needs_a_key_and_a_partner() {
        let invalid = create_request(&Partnero, ctx(), &FormValues::new().with("email", "a@b.co"))
            .unwrap_err();
        assert_eq!(
            invalid,
            vec![
                Invalid {
                    field: "key",
                    rule: Rule::Required
                },
                Invalid {
                    field: "partner.key",
                    rule: Rule::Custom("error.partnero.partner_required")
                },
            ]
        );
        let by_email = FormValues::new()
            .with("key", "c1")
            .with("partner.email", "p@x.co")
            .with("options.referral_url", "https://x.co/r");
        let body = create_request(&Partnero, ctx(), &by_email)
            .unwrap()
            .body
            .unwrap();
        assert_eq!(
            body,
            r#"{"key":"c1","partner":{"email":"p@x.co"},"options":{"referral_url":"https://x.co/r"}}"#
        );
    }

    #[test]
    fn reads_tags_from_value_objects() {
        let record = alice();
        assert_eq!(record.id, "customer_123");
        assert_eq!(record.values.get("tags"), "new");
        assert_eq!(record.values.get("surname"), "Brown");
    }

    /// The docs' update example: name, surname, email and tags in the `update` wrapper.
    #[test]
    fn golden_update_from_the_docs_example() {
        let record = alice();
        let values = record
            .values
            .clone()
            .with("name", "Amanda")
            .with("surname", "Green")
            .with("email", "amanda.green@example.com")
            .with("tags", "premium, vip");
        let request = update_request(&Partnero, ctx(), &record, &values)
            .unwrap()
            .unwrap();
        assert_eq!(
            (request.method, request.url.as_str()),
            (
                Method::Put,
                "https://api.partnero.com/v1/customers/customer_123"
            )
        );
        assert!(same_json(
            request.body.as_deref().unwrap(),
            r#"{"update":{"name":"Amanda","surname":"Green","email":"amanda.green@example.com","tags":["premium","vip"]}}"#
        ));
    }

    #[test]
    fn update_sends_only_changes_clears_tags_with_an_empty_list_and_renames() {
        let record = alice();
        let unchanged_tags = record.values.clone().with("name", "Alicia");
        let body = update_request(&Partnero, ctx(), &record, &unchanged_tags)
            .unwrap()
            .unwrap()
            .body
            .unwrap();
        assert_eq!(body, r#"{"update":{"name":"Alicia"}}"#);
        let cleared = record.values.clone().with("tags", " ");
        assert_eq!(
            update_request(&Partnero, ctx(), &record, &cleared)
                .unwrap()
                .unwrap()
                .body
                .unwrap(),
            r#"{"update":{"tags":[]}}"#
        );
        let renamed = record.values.clone().with("key", "customer_999");
        let request = update_request(&Partnero, ctx(), &record, &renamed)
            .unwrap()
            .unwrap();
        assert!(request.url.ends_with("/customers/customer_123"));
        assert_eq!(
            request.body.unwrap(),
            r#"{"update":{"key":"customer_999"}}"#
        );
    }

    #[test]
    fn validation_errors_lose_the_update_prefix() {
        let reply = HttpReply {
            status: 422,
            headers: vec![],
            body: r#"{"message":"The given data was invalid.","errors":{"update.email":["The email has already been taken."],"update.key":["The key has already been taken."]}}"#.into(),
        };
        let error = interpret_reply(&Partnero, &reply).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Validation);
        assert_eq!(error.message, "", "Laravel's summary of the errors below");
        assert_eq!(
            error.field_errors,
            vec![
                FieldError::explained(
                    "email",
                    text_key!("error.taken"),
                    "The email has already been taken."
                ),
                FieldError::explained(
                    "key",
                    text_key!("error.taken"),
                    "The key has already been taken."
                ),
            ]
        );
    }

    #[test]
    fn duplicate_keys_and_bad_partners() {
        let conflict = HttpReply {
            status: 409,
            headers: vec![],
            body: r#"{"message":"Customer already registered."}"#.into(),
        };
        let error = interpret_reply(&Partnero, &conflict).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Conflict);
        assert_eq!(
            error.field_errors,
            vec![FieldError::new("key", "Customer already registered.")]
        );
        let partner = HttpReply {
            status: 400,
            headers: vec![],
            body: r#"{"message":"Invalid partner key"}"#.into(),
        };
        let error = interpret_reply(&Partnero, &partner).unwrap_err();
        assert_eq!(
            (error.kind, error.message.as_str()),
            (ErrorKind::Validation, "Invalid partner key")
        );
    }

    #[test]
    fn gateway_reads_bodies_back() {
        let create =
            Json::parse(r#"{"key":"c1","partner":{"key":"ref_123"},"tags":["a","b"]}"#).unwrap();
        assert_eq!(
            Partnero.read_body(Operation::Create, &create).unwrap(),
            vec![
                ("key", Some("c1".into())),
                ("partner.key", Some("ref_123".into())),
                ("tags", Some("a, b".into()))
            ]
        );
        let update = Json::parse(r#"{"update":{"tags":[],"email":null}}"#).unwrap();
        assert_eq!(
            Partnero.read_body(Operation::Update, &update).unwrap(),
            vec![("tags", Some(String::new())), ("email", None)]
        );
        assert!(Partnero
            .read_body(
                Operation::Update,
                &Json::parse(r#"{"email":"a@b.co"}"#).unwrap()
            )
            .is_err());
        assert!(Partnero
            .read_body(
                Operation::Create,
                &Json::parse(r#"{"key":"c","partner":{"evil":"x"}}"#).unwrap()
            )
            .is_err());
        assert_eq!(
            check_body(
                &Partnero,
                Operation::Create,
                &Json::parse(r#"{"key":"c1"}"#).unwrap()
            ),
            Ok(vec![Invalid {
                field: "partner.key",
                rule: Rule::Custom("error.partnero.partner_required")
            }])
        );
        // What the gateway forwards as sent: a referral URL of another scheme is refused, not
        // read as `https://javascript:…` (a host named "javascript") and passed on.
        assert_eq!(
            check_body(
                &Partnero,
                Operation::Create,
                &Json::parse(
                    r#"{"key":"c1","partner":{"key":"p"},"options":{"referral_url":"javascript:alert(1)"}}"#
                )
                .unwrap()
            ),
            Ok(vec![Invalid {
                field: "options.referral_url",
                rule: Rule::Url
            }])
        );
        // Nor one the form would have completed: the gateway forwards it as sent.
        for (sent, refused) in [("example.com/ref", true), ("https://example.com/ref", false)] {
            let body = format!(
                r#"{{"key":"c1","partner":{{"key":"p"}},"options":{{"referral_url":"{sent}"}}}}"#
            );
            let invalid = check_body(&Partnero, Operation::Create, &Json::parse(&body).unwrap());
            assert_eq!(invalid.unwrap().len(), usize::from(refused), "{sent}");
        }
        assert_eq!(
            Partnero.route(Method::Put, "/customers/c1"),
            Some(Route::Update {
                customer: "c1".into()
            })
        );
        assert_eq!(Partnero.route(Method::Get, "/customers:search"), None);
    }
}
