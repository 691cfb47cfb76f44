//! Prolifi: `POST/GET/PATCH {base}/customers[/{id}]`, JSON bodies, `{error:{type,message,errors}}`.
//!
//! Source: shared/provider-docs/prolifi-update-customer.md (OpenAPI 3.1) and contracts.md §2, §6.2.

use crate::substring::Trim;
use crate::text_key;
use crate::contract::{
    customer_route, field_error_list, Contract, GatewayRules, RecordNames,
    RequestContext, Route, WrittenField,
};
use crate::credential::{read_token, Channel, CredentialUse, Grant, RefusalReason, TokenKind};
use crate::error::{ApiError, ErrorKind, FieldError};
use crate::field::{FieldKind, FieldSpec, Section};
use crate::http::{HttpReply, HttpRequest, Method};
use crate::json::Json;
use crate::record::Record;
use crate::url::{customer_url, is_loopback, join};
use crate::validate::{normalize, Invalid, Normal, Rule};
use crate::values::FormValues;
use crate::{Operation, ProviderId};

pub struct Prolifi;

pub const DEFAULT_BASE: &str = "https://api.prolifi.co/api/v1/public";

/// The fields of `UpdateCustomerRequest`, which create takes too. Email is required in both: a
/// Prolifi customer always has one.
const FIELDS: &[FieldSpec] = &[
    FieldSpec::new("email", text_key!("field.email"), FieldKind::Email)
        .required()
        .autocomplete("email")
        .section(Section::Contact),
    FieldSpec::new("first_name", text_key!("field.first_name"), FieldKind::Text).autocomplete("given-name"),
    FieldSpec::new("last_name", text_key!("field.last_name"), FieldKind::Text).autocomplete("family-name"),
    FieldSpec::new("name", text_key!("field.full_name"), FieldKind::Text)
        .hint(text_key!("hint.prolifi.name"))
        .autocomplete("name"),
    FieldSpec::new("company_name", text_key!("field.company_name"), FieldKind::Text)
        .hint(text_key!("hint.prolifi.company_name"))
        .autocomplete("organization"),
    FieldSpec::new("external_id", text_key!("field.external_id"), FieldKind::Text)
        .hint(text_key!("hint.prolifi.external_id"))
        .max(255),
    FieldSpec::new("phone", text_key!("field.phone"), FieldKind::Tel)
        .hint(text_key!("hint.phone"))
        .autocomplete("tel")
        .section(Section::Contact),
    FieldSpec::new("country_id", text_key!("field.country_id"), FieldKind::Uuid)
        .hint(text_key!("hint.prolifi.country_id"))
        .section(Section::Addresses),
    FieldSpec::new("metadata", text_key!("field.metadata"), FieldKind::JsonObject)
        .hint(text_key!("hint.metadata"))
        .section(Section::Metadata),
];

const NAME_PARTS: [&str; 2] = ["first_name", "last_name"];

impl Contract for Prolifi {
    fn provider(&self) -> ProviderId {
        ProviderId::Prolifi
    }

    fn name(&self) -> &'static str {
        "prolifi"
    }

    fn display_name(&self) -> &'static str {
        "Prolifi"
    }

    /// Prolifi allows 1,000 requests a minute per key: one more try than the others.
    fn retry_budget(&self) -> u32 {
        3
    }

    /// Besides the gateway's scoped tokens, Prolifi's own keys: a public key reads, a secret
    /// test key works only against this machine's sandbox, a secret live key never belongs in
    /// a page.
    fn classify(&self, token: &str, api_base: &str) -> CredentialUse {
        match read_token(ProviderId::Prolifi, token) {
            TokenKind::Opaque => {}
            TokenKind::Missing => return CredentialUse::Refused(RefusalReason::Missing),
            TokenKind::Scoped(scoped) => return scoped,
            TokenKind::ProviderJwt(_) => return CredentialUse::Refused(RefusalReason::Unrecognised),
        }
        let token = token.trimmed();
        if token.starts_with("sk_live_") {
            CredentialUse::Refused(RefusalReason::SecretLiveKey)
        } else if token.starts_with("sk_test_") {
            if is_loopback(api_base) {
                CredentialUse::Allowed(Grant::all(Channel::Direct))
            } else {
                CredentialUse::Refused(RefusalReason::SecretKeyOffLoopback)
            }
        } else if token.starts_with("pk_test_") || token.starts_with("pk_live_") {
            CredentialUse::Allowed(Grant::read_only(Channel::Direct))
        } else {
            CredentialUse::Refused(RefusalReason::Unrecognised)
        }
    }

    fn default_base(&self) -> &'static str {
        DEFAULT_BASE
    }

    fn fields(&self, _op: Operation) -> &'static [FieldSpec] {
        FIELDS
    }

    fn name_fields(&self) -> &'static [&'static [&'static str]] {
        &[
            &["name"],
            &["first_name", "last_name"],
            &["company_name"],
            &["email"],
        ]
    }

    /// "Either pass `name` … or pass `first_name` / `last_name`": on update, only the fields
    /// being changed count.
    fn check_extra(
        &self,
        _op: Operation,
        values: &FormValues,
        loaded: Option<&FormValues>,
    ) -> Vec<Invalid> {
        let sent = |name: &str| {
            let now = normalize(FieldKind::Text, values.get(name));
            match loaded {
                Some(loaded) => {
                    !(now == normalize(FieldKind::Text, loaded.get(name))) && !now.is_empty()
                }
                None => !now.is_empty(),
            }
        };
        if sent("name") && NAME_PARTS.iter().any(|part| sent(part)) {
            vec![Invalid {
                field: "name",
                rule: Rule::Custom(text_key!("error.prolifi.name_or_parts")),
            }]
        } else {
            Vec::new()
        }
    }

    fn read_request(&self, base: &str, id: &str) -> HttpRequest {
        HttpRequest::json(Method::Get, customer_url(base, id), None)
    }

    fn create_is_idempotent(&self) -> bool {
        true
    }

    fn create_body(&self, ctx: RequestContext, values: &FormValues) -> HttpRequest {
        let body = Json::object(FIELDS.iter().filter_map(|spec| {
            let normal = normalize(spec.kind, values.get(spec.name));
            (!normal.is_empty()).then(|| (spec.name, normal.to_json()))
        }));
        with_idempotency(
            HttpRequest::json(Method::Post, join(ctx.base, "customers"), Some(&body)),
            ctx,
        )
    }

    fn update_body(
        &self,
        ctx: RequestContext,
        loaded: &Record,
        changed: &[(&FieldSpec, Normal)],
        _values: &FormValues,
    ) -> Option<HttpRequest> {
        let body = Json::object(
            changed
                .iter()
                .map(|(spec, normal)| (spec.name, normal.to_json())),
        );
        Some(with_idempotency(
            HttpRequest::json(
                Method::Patch,
                customer_url(ctx.base, &loaded.id),
                Some(&body),
            ),
            ctx,
        ))
    }

    fn parse_record(&self, body: &Json) -> Option<Record> {
        let data = body.get("data")?;
        let id = data.get("id")?.as_str()?.to_string();
        let values = FIELDS
            .iter()
            .map(|spec| {
                let text = match data.get(spec.name) {
                    Some(value @ Json::Object(_)) => value.to_json_string(),
                    Some(value) => value.scalar_text().unwrap_or_default(),
                    None => String::new(),
                };
                (spec.name, text)
            })
            .collect();
        Some(Record {
            id,
            values,
            updated_at: data.string_at("updated_at"),
            raw: data.clone(),
        })
    }

    fn parse_error(&self, reply: &HttpReply, mut error: ApiError) -> ApiError {
        let Some(envelope) = Json::parse(&reply.body)
            .ok()
            .and_then(|b| b.get("error").cloned())
        else {
            return error;
        };
        let code = envelope.get("type").and_then(Json::as_str);
        if let Some(kind) = code.and_then(kind_of_type) {
            error.kind = kind;
        }
        error.code = code.map(str::to_string);
        if let Some(message) = envelope.get("message").and_then(Json::as_str) {
            error.message = message.to_string();
        }
        error.field_errors =
            crate::contract::listed_field_errors(envelope.get("errors"), &["field"], FIELDS);
        error
    }
}

impl GatewayRules for Prolifi {
    fn route(&self, method: Method, path: &str) -> Option<Route> {
        customer_route(method, path, Method::Patch)
    }

    fn read_body(&self, _op: Operation, body: &Json) -> Result<Vec<WrittenField>, String> {
        let Json::Object(members) = body else {
            return Err("the body must be a JSON object".into());
        };
        members
            .iter()
            .map(|(key, value)| {
                let spec = FIELDS
                    .iter()
                    .find(|f| f.name == key)
                    .ok_or_else(|| format!("unknown field {key:?}"))?;
                let text = match (spec.kind, value) {
                    (_, Json::Null) => None,
                    (FieldKind::JsonObject, Json::Object(_)) => Some(value.to_json_string()),
                    (FieldKind::JsonObject, _) => {
                        return Err(format!("{key} must be an object or null"))
                    }
                    (_, Json::String(text)) => Some(text.clone()),
                    _ => return Err(format!("{key} must be a string or null")),
                };
                Ok((spec.name, text))
            })
            .collect()
    }

    /// `/customers/{id}` takes the UUID or the `external_id`, which any update can move.
    fn record_names(&self) -> RecordNames {
        RecordNames::IdOrAlias
    }

    fn error_body(&self, kind: ErrorKind, message: &str, field_errors: &[FieldError]) -> Json {
        let error_type = match kind {
            ErrorKind::Authentication => "authentication_error",
            ErrorKind::Permission | ErrorKind::CredentialRefused => "permission_error",
            ErrorKind::Validation | ErrorKind::Invalid => "validation_error",
            ErrorKind::NotFound => "not_found",
            ErrorKind::RateLimited => "rate_limit_error",
            ErrorKind::Conflict => "conflict",
            ErrorKind::BadRequest => "invalid_request",
            _ => "api_error",
        };
        let mut error = Json::object([
            ("type", Json::str(error_type)),
            ("message", Json::str(message)),
        ]);
        if !field_errors.is_empty() {
            error.insert("errors", field_error_list(field_errors));
        }
        Json::object([("error", error)])
    }
}

fn with_idempotency(request: HttpRequest, ctx: RequestContext) -> HttpRequest {
    match ctx.idempotency_key {
        Some(key) => request.with_header("Idempotency-Key", key),
        None => request,
    }
}

/// `ErrorResponseErrorType` → the one error model.
fn kind_of_type(error_type: &str) -> Option<ErrorKind> {
    Some(match error_type {
        "authentication_error" => ErrorKind::Authentication,
        "permission_error" | "ip_restricted" => ErrorKind::Permission,
        "validation_error" => ErrorKind::Validation,
        "not_found" => ErrorKind::NotFound,
        "invalid_request" => ErrorKind::BadRequest,
        "rate_limit_error" => ErrorKind::RateLimited,
        "conflict" => ErrorKind::Conflict,
        "api_error" => ErrorKind::Server,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{create_request, interpret_reply, update_request};

    const BASE: &str = "https://api.prolifi.co/api/v1/public";

    fn ctx(key: Option<&str>) -> RequestContext<'_> {
        RequestContext {
            base: BASE,
            idempotency_key: key,
        }
    }

    fn loaded() -> Record {
        let reply = HttpReply {
            status: 200,
            headers: vec![],
            body: r#"{"data":{"id":"0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10","external_id":"cus_1001","email":"jane@example.com","name":"Jane Doe","first_name":"Jane","last_name":"Doe","company_name":null,"phone":"+44 20 7946 0958","status":"active","country":"United Kingdom","country_id":"9a7c3b52-3f0e-4d8c-8f55-1c0c2e9d4b61","metadata":{"plan":"pro"},"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z"}}"#.into(),
        };
        interpret_reply(&Prolifi, &reply).unwrap()
    }

    #[test]
    fn a_customer_is_named_by_full_name_then_parts_then_email() {
        use crate::contract::customer_title;
        let record = loaded();
        assert_eq!(
            customer_title(&Prolifi, &record.values).as_deref(),
            Some("Jane Doe")
        );
        let mut values = FormValues::new();
        values.set("first_name", "Ann".to_string());
        values.set("email", "ann@example.com".to_string());
        assert_eq!(customer_title(&Prolifi, &values).as_deref(), Some("Ann"));
        values.set("first_name", " ".to_string());
        assert_eq!(
            customer_title(&Prolifi, &values).as_deref(),
            Some("ann@example.com")
        );
        assert_eq!(customer_title(&Prolifi, &FormValues::new()), None);
    }

    #[test]
    fn parses_a_customer_into_form_text() {
        let record = loaded();
        assert_eq!(record.id, "0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10");
        assert_eq!(record.values.get("first_name"), "Jane");
        assert_eq!(record.values.get("name"), "Jane Doe");
        assert_eq!(record.values.get("company_name"), "");
        assert_eq!(record.values.get("metadata"), r#"{"plan":"pro"}"#);
        assert_eq!(record.updated_at.as_deref(), Some("2026-01-02T00:00:00Z"));
    }

    /// The docs' example: `{"first_name":"Jane","last_name":"Doe"}` to `PATCH /customers/id`.
    #[test]
    fn golden_update_from_the_docs_example() {
        let mut record = loaded();
        record.id = "id".into();
        record.values.set("first_name", "John");
        record.values.set("last_name", "Smith");
        let values = record
            .values
            .clone()
            .with("first_name", "Jane")
            .with("last_name", "Doe");
        let request = update_request(&Prolifi, ctx(None), &record, &values)
            .unwrap()
            .unwrap();
        assert_eq!(request.method, Method::Patch);
        assert_eq!(
            request.url,
            "https://api.prolifi.co/api/v1/public/customers/id"
        );
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(
            request.body.as_deref(),
            Some(r#"{"first_name":"Jane","last_name":"Doe"}"#)
        );
    }

    /// The docs' second example: `{"email":"newemail@example.com"}`.
    #[test]
    fn golden_email_change_from_the_docs_example() {
        let record = loaded();
        let values = record.values.clone().with("email", "newemail@example.com");
        let request = update_request(&Prolifi, ctx(Some("k-1")), &record, &values)
            .unwrap()
            .unwrap();
        assert_eq!(
            request.body.as_deref(),
            Some(r#"{"email":"newemail@example.com"}"#)
        );
        assert_eq!(request.header("Idempotency-Key"), Some("k-1"));
        assert!(request
            .url
            .ends_with("/customers/0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10"));
    }

    #[test]
    fn update_sends_only_changes_and_null_for_cleared_fields() {
        let record = loaded();
        let values = record
            .values
            .clone()
            .with("phone", "  ")
            .with("metadata", "{ \"plan\" : \"pro\" }")
            .with("company_name", " Acme ");
        let request = update_request(&Prolifi, ctx(None), &record, &values)
            .unwrap()
            .unwrap();
        assert_eq!(
            request.body.as_deref(),
            Some(r#"{"company_name":"Acme","phone":null}"#)
        );
    }

    #[test]
    fn update_with_nothing_changed_sends_nothing() {
        let record = loaded();
        let values = record.values.clone().with("first_name", " Jane ");
        assert_eq!(
            update_request(&Prolifi, ctx(None), &record, &values),
            Ok(None)
        );
    }

    #[test]
    fn update_refuses_clearing_the_email() {
        let record = loaded();
        let values = record.values.clone().with("email", "");
        let invalid = update_request(&Prolifi, ctx(None), &record, &values).unwrap_err();
        assert_eq!(
            invalid,
            vec![Invalid {
                field: "email",
                rule: Rule::Required
            }]
        );
    }

    #[test]
    fn golden_create() {
        let values = FormValues::new()
            .with("email", "ada@example.com")
            .with("first_name", "Ada")
            .with("last_name", "Lovelace")
            .with("company_name", "Analytical Engines Ltd")
            .with("external_id", "usr_42")
            .with("country_id", "9a7c3b52-3f0e-4d8c-8f55-1c0c2e9d4b61")
            .with("metadata", "{\"plan\": \"pro\", \"seats\": 5}");
        let request = create_request(&Prolifi, ctx(Some("idem-1")), &values).unwrap();
        assert_eq!(request.method, Method::Post);
        assert_eq!(
            request.url,
            "https://api.prolifi.co/api/v1/public/customers"
        );
        assert_eq!(
            request.body.as_deref(),
            Some(
                r#"{"email":"ada@example.com","first_name":"Ada","last_name":"Lovelace","company_name":"Analytical Engines Ltd","external_id":"usr_42","country_id":"9a7c3b52-3f0e-4d8c-8f55-1c0c2e9d4b61","metadata":{"plan":"pro","seats":5}}"#
            )
        );
        assert_eq!(request.header("Idempotency-Key"), Some("idem-1"));
    }

    #[test]
    fn create_rules() {
        let invalid = create_request(
            &Prolifi,
            ctx(None),
            &FormValues::new()
                .with("country_id", "uk")
                .with("metadata", "[]"),
        )
        .unwrap_err();
        assert_eq!(
            invalid,
            vec![
                Invalid {
                    field: "email",
                    rule: Rule::Required
                },
                Invalid {
                    field: "country_id",
                    rule: Rule::Uuid
                },
                Invalid {
                    field: "metadata",
                    rule: Rule::JsonObject
                },
            ]
        );
        let both = FormValues::new()
            .with("email", "a@b.co")
            .with("name", "Ada L")
            .with("first_name", "Ada");
        assert_eq!(
            create_request(&Prolifi, ctx(None), &both).unwrap_err(),
            vec![Invalid {
                field: "name",
                rule: Rule::Custom("error.prolifi.name_or_parts")
            }]
        );
    }

    #[test]
    fn path_ids_cannot_escape_the_customer_path() {
        let request = Prolifi.read_request(BASE, "../admin?x=1");
        assert_eq!(
            request.url,
            "https://api.prolifi.co/api/v1/public/customers/..%2Fadmin%3Fx%3D1"
        );
    }

    /// The docs' 422 example, mapped onto the `email` field.
    #[test]
    fn golden_validation_error() {
        let reply = HttpReply {
            status: 422,
            headers: vec![],
            body: r#"{"error":{"type":"validation_error","message":"The request data is invalid.","errors":[{"field":"email","message":"The email field is required."},{"field":"metadata.plan","message":"Bad plan."}]}}"#.into(),
        };
        let error = interpret_reply(&Prolifi, &reply).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Validation);
        assert_eq!(error.message, "The request data is invalid.");
        assert_eq!(
            error.field_errors,
            vec![
                FieldError::new("email", "The email field is required."),
                FieldError::new("metadata", "Bad plan."),
            ]
        );
    }

    #[test]
    fn error_types_and_statuses() {
        let cases = [
            (
                403,
                r#"{"error":{"type":"permission_error","message":"Public keys (pk_*) are read-only. Use a secret key (sk_*) for write operations."}}"#,
                ErrorKind::Permission,
            ),
            (
                404,
                r#"{"error":{"type":"not_found","message":"Customer not found."}}"#,
                ErrorKind::NotFound,
            ),
            (
                429,
                r#"{"error":{"type":"rate_limit_error","message":"Too many requests. Please retry after the rate limit resets."}}"#,
                ErrorKind::RateLimited,
            ),
            (
                401,
                r#"{"error":{"type":"authentication_error","message":"Invalid API key."}}"#,
                ErrorKind::Authentication,
            ),
            (
                502,
                "<html><body>Bad gateway</body></html>",
                ErrorKind::Server,
            ),
            (500, "", ErrorKind::Server),
            (
                409,
                r#"{"error":{"type":"conflict","message":"x"}}"#,
                ErrorKind::Conflict,
            ),
        ];
        for (status, body, kind) in cases {
            let reply = HttpReply {
                status,
                headers: vec![("retry-after".into(), "7".into())],
                body: body.into(),
            };
            let error = interpret_reply(&Prolifi, &reply).unwrap_err();
            assert_eq!(error.kind, kind, "{status}");
            assert_eq!(error.status, Some(status));
            assert_eq!(error.retry_after_secs, Some(7));
        }
    }

    #[test]
    fn routes() {
        assert_eq!(
            Prolifi.route(Method::Post, "/customers"),
            Some(Route::Create)
        );
        assert_eq!(
            Prolifi.route(Method::Get, "customers/cus_1"),
            Some(Route::Read {
                customer: "cus_1".into()
            })
        );
        assert_eq!(
            Prolifi.route(Method::Patch, "/customers/x/"),
            Some(Route::Update {
                customer: "x".into()
            })
        );
        assert_eq!(Prolifi.route(Method::Put, "/customers/x"), None);
        assert_eq!(Prolifi.route(Method::Get, "/customers"), None);
        assert_eq!(Prolifi.route(Method::Get, "/customers/x/orders"), None);
    }

    #[test]
    fn bodies_are_checked_with_the_form_rules() {
        use crate::contract::check_body;
        let body = Json::parse(r#"{"email":"bad","metadata":{"a":1},"phone":null}"#).unwrap();
        assert_eq!(
            check_body(&Prolifi, Operation::Update, &body),
            Ok(vec![Invalid {
                field: "email",
                rule: Rule::Email
            }])
        );
        let create = Json::parse(r#"{"first_name":"Ada"}"#).unwrap();
        assert_eq!(
            check_body(&Prolifi, Operation::Create, &create),
            Ok(vec![Invalid {
                field: "email",
                rule: Rule::Required
            }])
        );
        let cleared = Json::parse(r#"{"email":null}"#).unwrap();
        assert_eq!(
            check_body(&Prolifi, Operation::Update, &cleared),
            Ok(vec![Invalid {
                field: "email",
                rule: Rule::Required
            }])
        );
        assert!(check_body(
            &Prolifi,
            Operation::Update,
            &Json::parse(r#"{"status":"archived"}"#).unwrap()
        )
        .is_err());
        assert!(check_body(
            &Prolifi,
            Operation::Update,
            &Json::parse(r#"{"metadata":"x"}"#).unwrap()
        )
        .is_err());
        assert!(check_body(&Prolifi, Operation::Update, &Json::parse("[]").unwrap()).is_err());
    }

    #[test]
    fn a_body_built_by_the_form_reads_back_to_its_fields() {
        let values = FormValues::new()
            .with("email", "ada@example.com")
            .with("metadata", "{\"plan\":\"pro\"}");
        let request = create_request(&Prolifi, ctx(None), &values).unwrap();
        let body = Json::parse(request.body.as_deref().unwrap()).unwrap();
        let written = Prolifi.read_body(Operation::Create, &body).unwrap();
        assert_eq!(
            written,
            vec![
                ("email", Some("ada@example.com".to_string())),
                ("metadata", Some("{\"plan\":\"pro\"}".to_string()))
            ]
        );
    }

    #[test]
    fn gateway_refusals_read_back_as_prolifi_errors() {
        let body = Prolifi.error_body(ErrorKind::Permission, "No.", &[]);
        let reply = HttpReply {
            status: 403,
            headers: vec![],
            body: body.to_json_string(),
        };
        let error = interpret_reply(&Prolifi, &reply).unwrap_err();
        assert_eq!(
            (error.kind, error.message.as_str()),
            (ErrorKind::Permission, "No.")
        );
    }

    #[test]
    fn odd_success_replies_are_bad_replies_not_panics() {
        for body in [
            "",
            "{",
            "[]",
            r#"{"data":null}"#,
            r#"{"data":{"id":5}}"#,
            "<html>",
        ] {
            let reply = HttpReply {
                status: 200,
                headers: vec![],
                body: body.into(),
            };
            assert_eq!(
                interpret_reply(&Prolifi, &reply).unwrap_err().kind,
                ErrorKind::BadReply,
                "{body}"
            );
        }
    }
}
