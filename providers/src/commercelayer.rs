//! Commerce Layer (JSON:API): `POST /customers`, `GET /customers/{id}?include=customer_group,tags`,
//! `PATCH /customers/{id}`; errors as JSON:API `errors[]` with `source.pointer`.
//!
//! Two ways in: straight from the browser with a sales-channel token (a guest creates, a logged-in
//! customer reads and updates their own record), or through the gateway with an integration token,
//! which may also set the customer group, tags, references and anonymization flags.
//!
//! Source: shared/provider-docs/commercelayer-update-customer.md and contracts.md §4, §6.4.

use crate::substring::Trim;
use crate::text_key;
use crate::contract::{
    map_field, Contract, RequestContext,
};
use crate::credential::{read_token, Channel, CredentialUse, Grant, RefusalReason, TokenKind};
use crate::error::{ApiError, ErrorKind, FieldError};
use crate::field::{FieldKind, FieldSpec, Section};
use crate::http::{HttpReply, HttpRequest, Method};
use crate::json::Json;
use crate::public_client::{PublicClient, PublicClientSettings};
use crate::record::Record;
use crate::reference::ReferenceList;
use crate::url::{customer_url, join};
use crate::validate::{normalize, Invalid, Normal, Rule};
use crate::values::FormValues;
use crate::{Operation, ProviderId};

mod gateway_rules;

pub struct CommerceLayer {
    /// Reached with an integration token (through the gateway).
    integration: bool,
}

pub static SALES_CHANNEL: CommerceLayer = CommerceLayer { integration: false };
pub static INTEGRATION: CommerceLayer = CommerceLayer { integration: true };

/// Commerce Layer's token endpoint (the per-organisation one is deprecated).
pub const DEFAULT_AUTH_BASE: &str = "https://auth.commercelayer.io";

/// A resource may carry at most ten tags.
const MAX_TAGS: usize = 10;
// A static, not a const: `FieldKind::Choice` lists compare by address (field.rs).
static YES: &[&str] = &["true"];

const EMAIL: FieldSpec = FieldSpec::new("email", text_key!("field.email"), FieldKind::Email)
    .required()
    .autocomplete("email");
/// A new customer's password: "leave empty to keep" would mean nothing yet.
const NEW_PASSWORD: FieldSpec = FieldSpec::new("password", text_key!("field.password"), FieldKind::Password);
const PASSWORD: FieldSpec = NEW_PASSWORD.hint(text_key!("hint.commercelayer.password"));
const SHOPPER_REFERENCE: FieldSpec = FieldSpec::new(
    "shopper_reference",
    text_key!("field.commercelayer.shopper_reference"),
    FieldKind::Text,
)
.hint(text_key!("hint.commercelayer.shopper_reference"));
const TAX_EXEMPTION: FieldSpec = FieldSpec::new(
    "tax_exemption_code",
    text_key!("field.commercelayer.tax_exemption_code"),
    FieldKind::Text,
)
.hint(text_key!("hint.commercelayer.tax_exemption_code"))
.section(Section::Classification);
const METADATA: FieldSpec = FieldSpec::new("metadata", text_key!("field.metadata"), FieldKind::JsonObject)
    .hint(text_key!("hint.metadata"))
    .section(Section::Metadata);
const REFERENCE: FieldSpec = FieldSpec::new(
    "reference",
    text_key!("field.commercelayer.reference"),
    FieldKind::Text,
)
.hint(text_key!("hint.commercelayer.reference"));
const REFERENCE_ORIGIN: FieldSpec = FieldSpec::new(
    "reference_origin",
    text_key!("field.commercelayer.reference_origin"),
    FieldKind::Text,
)
.hint(text_key!("hint.commercelayer.reference_origin"));
const CUSTOMER_GROUP: FieldSpec = FieldSpec::new(
    "customer_group",
    text_key!("field.commercelayer.customer_group"),
    FieldKind::Text,
)
.hint(text_key!("hint.commercelayer.customer_group_choice"))
.section(Section::Classification);
const TAGS: FieldSpec = FieldSpec::new("tags", text_key!("field.tags"), FieldKind::Tags)
    .hint(text_key!("hint.commercelayer.tags"))
    .section(Section::Classification);
const REQUEST_ANONYMIZATION: FieldSpec = FieldSpec::new(
    "_request_anonymization",
    text_key!("field.commercelayer.request_anonymization"),
    FieldKind::Choice(YES),
)
.hint(text_key!("hint.commercelayer.request_anonymization"))
.section(Section::DangerZone);
const CANCEL_ANONYMIZATION: FieldSpec = FieldSpec::new(
    "_cancel_anonymization",
    text_key!("field.commercelayer.cancel_anonymization"),
    FieldKind::Choice(YES),
)
.section(Section::DangerZone);

const SALES_CHANNEL_CREATE_FIELDS: &[FieldSpec] =
    &[EMAIL, NEW_PASSWORD, SHOPPER_REFERENCE, TAX_EXEMPTION, METADATA];
const SALES_CHANNEL_UPDATE_FIELDS: &[FieldSpec] =
    &[EMAIL, PASSWORD, SHOPPER_REFERENCE, TAX_EXEMPTION, METADATA];
const INTEGRATION_CREATE_FIELDS: &[FieldSpec] = &[
    EMAIL,
    NEW_PASSWORD,
    SHOPPER_REFERENCE,
    TAX_EXEMPTION,
    REFERENCE,
    REFERENCE_ORIGIN,
    CUSTOMER_GROUP,
    METADATA,
];
const INTEGRATION_UPDATE_FIELDS: &[FieldSpec] = &[
    EMAIL,
    PASSWORD,
    SHOPPER_REFERENCE,
    TAX_EXEMPTION,
    REFERENCE,
    REFERENCE_ORIGIN,
    CUSTOMER_GROUP,
    TAGS,
    METADATA,
    REQUEST_ANONYMIZATION,
    CANCEL_ANONYMIZATION,
];

/// Fields that travel as relationships or pseudo-attributes rather than plain attributes.
fn is_attribute(name: &str) -> bool {
    !matches!(name, "customer_group" | "tags")
}

fn attribute_value(spec: &FieldSpec, normal: &Normal) -> Json {
    match (spec.kind, normal) {
        (FieldKind::Choice(_), Normal::Text(flag)) if flag == "true" => Json::Bool(true),
        _ => normal.to_json(),
    }
}

fn group_relationship(normal: &Normal) -> Json {
    let data = match normal {
        Normal::Text(id) => Json::object([
            ("type", Json::str("customer_groups")),
            ("id", Json::str(id.clone())),
        ]),
        _ => Json::Null,
    };
    Json::object([("data", data)])
}

fn tag_names(normal: &Normal) -> Vec<String> {
    match normal {
        Normal::List(names) => names.clone(),
        _ => Vec::new(),
    }
}

impl Contract for CommerceLayer {
    fn provider(&self) -> ProviderId {
        ProviderId::CommerceLayer
    }

    fn name(&self) -> &'static str {
        "commercelayer"
    }

    fn display_name(&self) -> &'static str {
        "Commerce Layer"
    }

    /// Straight from the browser, a sales-channel token sets fewer things than the integration.
    fn through(&self, channel: Channel) -> Option<&'static dyn Contract> {
        match channel {
            Channel::Direct => Some(&SALES_CHANNEL),
            Channel::Gateway => Some(&INTEGRATION),
        }
    }

    // Commerce Layer limits per IP in short bursts: the default two retries.

    /// A sales channel's public client ID gets guest tokens (`client_credentials` with a market
    /// scope: `market:code:europe`, or `market:id:…` when the market is given as `id:…`).
    fn public_client(&self, settings: &PublicClientSettings) -> Option<PublicClient> {
        let client_id = settings.client_id.trimmed();
        if client_id.is_empty() {
            return None;
        }
        let market = settings.market.trimmed();
        let scope = if crate::substring::find_byte(market, b':').is_some() {
            crate::substring::concat(&["market:", market])
        } else {
            crate::substring::concat(&["market:code:", market])
        };
        let auth_base = Some(settings.auth_base.trimmed())
            .filter(|b| !b.is_empty())
            .unwrap_or(DEFAULT_AUTH_BASE);
        Some(PublicClient {
            token_url: crate::substring::concat(&[crate::substring::trim_end_byte(auth_base, b'/'), "/oauth/token"]),
            client_id: client_id.to_string(),
            scope,
        })
    }

    /// Scoped tokens from the gateway, and Commerce Layer's own tokens: a logged-in customer
    /// reads and updates only their own record, a guest creates; confidential (integration,
    /// webapp) tokens never belong in a page.
    fn classify(&self, token: &str, _api_base: &str) -> CredentialUse {
        let claims = match read_token(ProviderId::CommerceLayer, token) {
            TokenKind::ProviderJwt(claims) => claims,
            TokenKind::Scoped(scoped) => return scoped,
            TokenKind::Missing => return CredentialUse::Refused(RefusalReason::Missing),
            TokenKind::Opaque => return CredentialUse::Refused(RefusalReason::Unrecognised),
        };
        match claims.application_kind.as_deref() {
            Some("sales_channel") => CredentialUse::Allowed(match claims.owner_id {
                Some(owner) => Grant {
                    read: true,
                    create: false,
                    update: true,
                    channel: Channel::Direct,
                    owner: Some(owner),
                    fields: None,
                },
                None => Grant {
                    read: false,
                    create: true,
                    update: false,
                    channel: Channel::Direct,
                    owner: None,
                    fields: None,
                },
            }),
            Some("integration" | "webapp") => {
                CredentialUse::Refused(RefusalReason::ConfidentialToken)
            }
            _ => CredentialUse::Refused(RefusalReason::Unrecognised),
        }
    }

    /// Commerce Layer discards tags that do not exist (it cannot create them from a customer):
    /// the tags sent that the saved record does not carry.
    fn not_applied(&self, sent: &FormValues, saved: &Record) -> Vec<String> {
        let kept = tag_names(&normalize(FieldKind::Tags, saved.values.get("tags")));
        let mut dropped = Vec::new();
        for tag in tag_names(&normalize(FieldKind::Tags, sent.get("tags"))) {
            if !kept.contains(&tag) {
                dropped.push(tag);
            }
        }
        dropped
    }

    /// Through the gateway, the group is chosen from the organisation's groups and tags are
    /// suggested from its tags.
    fn reference_list(&self, field: &str) -> Option<ReferenceList> {
        match (self.integration, field) {
            (true, "customer_group") => Some(ReferenceList::CustomerGroups),
            (true, "tags") => Some(ReferenceList::Tags),
            _ => None,
        }
    }

    /// The base names the organisation (`https://{org}.commercelayer.io/api`): the host must say.
    fn default_base(&self) -> &'static str {
        ""
    }

    fn fields(&self, op: Operation) -> &'static [FieldSpec] {
        match (self.integration, op) {
            (false, Operation::Create) => SALES_CHANNEL_CREATE_FIELDS,
            (false, Operation::Update) => SALES_CHANNEL_UPDATE_FIELDS,
            (true, Operation::Create) => INTEGRATION_CREATE_FIELDS,
            (true, Operation::Update) => INTEGRATION_UPDATE_FIELDS,
        }
    }

    fn check_extra(
        &self,
        _op: Operation,
        values: &FormValues,
        _loaded: Option<&FormValues>,
    ) -> Vec<Invalid> {
        let mut invalid = Vec::new();
        if tag_names(&normalize(FieldKind::Tags, values.get("tags"))).len() > MAX_TAGS {
            invalid.push(Invalid {
                field: "tags",
                rule: Rule::Custom(text_key!("error.commercelayer.max_tags")),
            });
        }
        let flags = ["_request_anonymization", "_cancel_anonymization"];
        if flags.iter().all(|f| values.get(f) == "true") {
            invalid.push(Invalid {
                field: "_cancel_anonymization",
                rule: Rule::Custom(text_key!("error.commercelayer.anonymization_both")),
            });
        }
        invalid
    }

    fn read_request(&self, base: &str, id: &str) -> HttpRequest {
        HttpRequest::json_api(Method::Get, with_includes(customer_url(base, id)), None)
    }

    fn create_body(&self, ctx: RequestContext, values: &FormValues) -> HttpRequest {
        let fields = self.fields(Operation::Create);
        let mut attributes = Json::Object(Vec::new());
        let mut relationships = Json::Object(Vec::new());
        for spec in fields {
            let normal = normalize(spec.kind, values.get(spec.name));
            if normal.is_empty() {
                continue;
            }
            if spec.name == "customer_group" {
                relationships.insert("customer_group", group_relationship(&normal));
            } else {
                attributes.insert(spec.name, attribute_value(spec, &normal));
            }
        }
        let mut data = Json::object([("type", Json::str("customers")), ("attributes", attributes)]);
        if !relationships.is_empty_object() {
            data.insert("relationships", relationships);
        }
        let body = Json::object([("data", data)]);
        HttpRequest::json_api(
            Method::Post,
            with_includes(join(ctx.base, "customers")),
            Some(&body),
        )
    }

    /// Only changed attributes; a password only when typed (it is never prefilled); the group as a
    /// relationship (`null` removes it); tags as `_add_tags` / `_remove_tags` by name.
    fn update_body(
        &self,
        ctx: RequestContext,
        loaded: &Record,
        changed: &[(&FieldSpec, Normal)],
        _values: &FormValues,
    ) -> Option<HttpRequest> {
        let mut attributes = Json::Object(Vec::new());
        let mut relationships = Json::Object(Vec::new());
        for (spec, normal) in changed {
            match spec.name {
                "customer_group" => {
                    relationships.insert("customer_group", group_relationship(normal))
                }
                "tags" => {
                    let before = tag_names(&normalize(FieldKind::Tags, loaded.values.get("tags")));
                    let after = tag_names(normal);
                    for (name, from, to) in [
                        ("_add_tags", &after, &before),
                        ("_remove_tags", &before, &after),
                    ] {
                        // The tags of `from` that `to` does not have.
                        let mut only: Vec<&str> = Vec::new();
                        for tag in from {
                            if !to.contains(tag) {
                                only.push(tag);
                            }
                        }
                        if !only.is_empty() {
                            attributes.insert(name, Json::str(crate::substring::join(&only, ",")));
                        }
                    }
                }
                // An emptied flag means "do not ask", not "send false".
                "_request_anonymization" | "_cancel_anonymization" if normal.is_empty() => {}
                _ if is_attribute(spec.name) => {
                    attributes.insert(spec.name, attribute_value(spec, normal))
                }
                _ => {}
            }
        }
        if attributes.is_empty_object() && relationships.is_empty_object() {
            return None;
        }
        // `attributes` is required by the OpenAPI `customerUpdate` (and `@commercelayer/sdk` always
        // sends it), so a change of relationships only still carries an empty object.
        let mut data = Json::object([
            ("type", Json::str("customers")),
            ("id", Json::str(loaded.id.clone())),
            ("attributes", attributes),
        ]);
        if !relationships.is_empty_object() {
            data.insert("relationships", relationships);
        }
        let body = Json::object([("data", data)]);
        Some(HttpRequest::json_api(
            Method::Patch,
            with_includes(customer_url(ctx.base, &loaded.id)),
            Some(&body),
        ))
    }

    fn parse_record(&self, body: &Json) -> Option<Record> {
        let data = body.get("data")?;
        let id = data.get("id")?.as_str()?.to_string();
        let attributes = data.get("attributes");
        let mut values = FormValues::new();
        for spec in INTEGRATION_UPDATE_FIELDS
            .iter()
            .filter(|f| is_attribute(f.name))
        {
            let text = match attributes.and_then(|a| a.get(spec.name)) {
                // A password is never sent back, and is never prefilled.
                _ if spec.kind == FieldKind::Password => String::new(),
                Some(value @ Json::Object(_)) => value.to_json_string(),
                Some(value) => value.scalar_text().unwrap_or_default(),
                None => String::new(),
            };
            values.set(spec.name, text);
        }
        values.set(
            "customer_group",
            data.pointer("relationships.customer_group.data.id")
                .and_then(Json::as_str)
                .unwrap_or_default(),
        );
        let included = body
            .get("included")
            .and_then(Json::as_array)
            .unwrap_or_default();
        let tags = data
            .pointer("relationships.tags.data")
            .and_then(Json::as_array)
            .unwrap_or_default();
        // Each related tag's name, from the included resources, in the relationship's order.
        let mut names: Vec<&str> = Vec::new();
        for id in tags.iter().filter_map(|t| t.get("id").and_then(Json::as_str)) {
            let tag = included.iter().find(|r| {
                r.get("type").and_then(Json::as_str) == Some("tags")
                    && r.get("id").and_then(Json::as_str) == Some(id)
            });
            if let Some(name) = tag.and_then(|tag| tag.pointer("attributes.name")) {
                if let Some(name) = name.as_str() {
                    names.push(name);
                }
            }
        }
        values.set("tags", crate::substring::join(&names, ", "));
        Some(Record {
            id,
            values,
            updated_at: attributes.and_then(|a| a.string_at("updated_at")),
            raw: data.clone(),
        })
    }

    /// Commerce Layer answers a write naming a customer group that does not exist with its 404
    /// for a missing record ("The record identified by {id} could not be found."), the same
    /// words as for a missing customer. When the write named a group and the reply names that
    /// group, or does not name the customer, the group is what was not found.
    fn explain_error(&self, request: &HttpRequest, mut error: ApiError) -> ApiError {
        if error.kind != ErrorKind::NotFound || !request.method.is_write() {
            return error;
        }
        let Some(body) = request.body.as_deref().and_then(|b| Json::parse(b).ok()) else {
            return error;
        };
        let Some(group) = body
            .string_at("data.relationships.customer_group.data.id")
            .filter(|g| !g.is_empty())
        else {
            return error;
        };
        let customer = body.string_at("data.id").filter(|c| !c.is_empty());
        let names_group = crate::substring::contains(&error.message, &group);
        let names_customer =
            customer.is_some_and(|c| crate::substring::contains(&error.message, &c));
        if names_group || !names_customer {
            error.kind = ErrorKind::Validation;
            error.field_errors.push(FieldError::explained(
                "customer_group",
                text_key!("error.commercelayer.unknown_group"),
                "There is no customer group with this id.",
            ));
        }
        error
    }

    fn parse_error(&self, reply: &HttpReply, mut error: ApiError) -> ApiError {
        let Some(errors) = Json::parse(&reply.body).ok().and_then(|b| {
            b.get("errors")
                .and_then(Json::as_array)
                .map(<[Json]>::to_vec)
        }) else {
            return error;
        };
        let fields = self.fields(Operation::Update);
        let mut summaries = Vec::new();
        for item in &errors {
            let text = |key: &str| item.get(key).and_then(Json::as_str).unwrap_or_default();
            if error.code.is_none() && !text("code").is_empty() {
                error.code = Some(text("code").to_string());
            }
            let pointer = item.pointer("source.pointer").and_then(Json::as_str);
            let field = pointer
                .map(|p| crate::substring::after_last(p, b'/'))
                .filter(|f| !f.is_empty() && *f != "data")
                .or_else(|| {
                    crate::substring::split_once(text("detail"), " - ")
                        .map(|(field, _)| field.trimmed())
                });
            match field {
                Some(field) if text("code") == "VALIDATION_ERROR" || reply.status == 422 => {
                    let message = if text("title").is_empty() {
                        text("detail")
                    } else {
                        text("title")
                    };
                    let mut field_error = FieldError::new(map_field(fields, field), message);
                    // Commerce Layer's texts are English; a reason it names that the form
                    // knows is worded in the form's language.
                    if item.pointer("meta.error").and_then(Json::as_str) == Some("taken") {
                        field_error.key = Some(text_key!("error.taken"));
                    }
                    error.field_errors.push(field_error);
                }
                _ => summaries.push(
                    if text("detail").is_empty() {
                        text("title")
                    } else {
                        text("detail")
                    }
                    .to_string(),
                ),
            }
        }
        error.message = summaries
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        error
    }
}


/// Every reply carries the group and the tags, so the form shows them again after a save (a
/// JSON:API write may ask for `include` like a read).
fn with_includes(url: String) -> String {
    crate::substring::concat(&[&url, "?include=customer_group,tags"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{check_body, create_request, interpret_reply, update_request, GatewayRules, Route};

    const BASE: &str = "https://yourdomain.commercelayer.io/api";

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

    const ADA: &str = r#"{"data":{"id":"XAyRWNUzyN","type":"customers","attributes":{"email":"john@example.com","status":"prospect","has_password":false,"shopper_reference":"xxx-yyy-zzz","tax_exemption_code":"xxx-yyy-zzz","reference":"ANY-EXTERNAL-REFEFERNCE","reference_origin":"ANY-EXTERNAL-REFEFERNCE-ORIGIN","metadata":{"foo":"bar"},"created_at":"2018-01-01T12:00:00.000Z","updated_at":"2018-01-01T12:00:00.000Z"},"relationships":{"customer_group":{"data":{"type":"customer_groups","id":"ABCRtyUpBa"}},"tags":{"data":[{"type":"tags","id":"geJmexflJQ"},{"type":"tags","id":"t2"}]}}},"included":[{"id":"ABCRtyUpBa","type":"customer_groups","attributes":{"name":"VIP"}},{"id":"geJmexflJQ","type":"tags","attributes":{"name":"vip"}},{"id":"t2","type":"tags","attributes":{"name":"newsletter"}}]}"#;

    fn ada() -> Record {
        interpret_reply(
            &INTEGRATION,
            &HttpReply {
                status: 200,
                headers: vec![],
                body: ADA.into(),
            },
        )
        .unwrap()
    }

    #[test]
    fn prefill_reads_attributes_group_and_tag_names_but_never_a_password() {
        let record = ada();
        assert_eq!(record.id, "XAyRWNUzyN");
        assert_eq!(record.values.get("email"), "john@example.com");
        assert_eq!(record.values.get("customer_group"), "ABCRtyUpBa");
        assert_eq!(record.values.get("tags"), "vip, newsletter");
        assert_eq!(record.values.get("metadata"), r#"{"foo":"bar"}"#);
        assert_eq!(record.values.get("password"), "");
        assert_eq!(
            record.updated_at.as_deref(),
            Some("2018-01-01T12:00:00.000Z")
        );
        let read = INTEGRATION.read_request(BASE, "XAyRWNUzyN");
        assert_eq!(read.url, "https://yourdomain.commercelayer.io/api/customers/XAyRWNUzyN?include=customer_group,tags");
        assert_eq!(read.header("Accept"), Some("application/vnd.api+json"));
    }

    /// The docs' create example (attributes; the group as a relationship).
    #[test]
    fn golden_create() {
        let values = FormValues::new()
            .with("email", "john@example.com")
            .with("password", "s3cret")
            .with("metadata", r#"{"k":"v"}"#)
            .with("customer_group", "ABCRtyUpBa");
        let request = create_request(&INTEGRATION, ctx(), &values).unwrap();
        assert_eq!(
            (request.method, request.url.as_str()),
            (
                Method::Post,
                "https://yourdomain.commercelayer.io/api/customers?include=customer_group,tags"
            )
        );
        assert_eq!(
            request.header("Content-Type"),
            Some("application/vnd.api+json")
        );
        assert!(same_json(
            request.body.as_deref().unwrap(),
            r#"{"data":{"type":"customers","attributes":{"email":"john@example.com","password":"s3cret","metadata":{"k":"v"}},"relationships":{"customer_group":{"data":{"type":"customer_groups","id":"ABCRtyUpBa"}}}}}"#
        ));
        // A guest (sales channel) form has no group field at all.
        assert!(SALES_CHANNEL
            .fields(Operation::Create)
            .iter()
            .all(|f| f.name != "customer_group"));
    }

    /// The docs' update example: a password and a customer group.
    #[test]
    fn golden_update_from_the_docs_example() {
        let mut record = ada();
        record.values.set("customer_group", "");
        let values = record
            .values
            .clone()
            .with("password", "secret")
            .with("customer_group", "ABCRtyUpBa");
        let request = update_request(&INTEGRATION, ctx(), &record, &values)
            .unwrap()
            .unwrap();
        assert_eq!(
            (request.method, request.url.as_str()),
            (
                Method::Patch,
                "https://yourdomain.commercelayer.io/api/customers/XAyRWNUzyN?include=customer_group,tags"
            )
        );
        assert!(same_json(
            request.body.as_deref().unwrap(),
            r#"{"data":{"type":"customers","id":"XAyRWNUzyN","attributes":{"password":"secret"},"relationships":{"customer_group":{"data":{"type":"customer_groups","id":"ABCRtyUpBa"}}}}}"#
        ));
    }

    #[test]
    fn update_sends_only_changes_tags_by_name_and_null_groups() {
        let record = ada();
        let values = record
            .values
            .clone()
            .with("tags", "vip, b2b")
            .with("customer_group", "")
            .with("reference", "");
        let body = update_request(&INTEGRATION, ctx(), &record, &values)
            .unwrap()
            .unwrap()
            .body
            .unwrap();
        assert_eq!(
            body,
            r#"{"data":{"type":"customers","id":"XAyRWNUzyN","attributes":{"reference":null,"_add_tags":"b2b","_remove_tags":"newsletter"},"relationships":{"customer_group":{"data":null}}}}"#
        );
        assert_eq!(
            update_request(&INTEGRATION, ctx(), &record, &record.values),
            Ok(None)
        );
        let flags = record.values.clone().with("_request_anonymization", "true");
        assert_eq!(
            update_request(&INTEGRATION, ctx(), &record, &flags)
                .unwrap()
                .unwrap()
                .body
                .unwrap(),
            r#"{"data":{"type":"customers","id":"XAyRWNUzyN","attributes":{"_request_anonymization":true}}}"#
        );
    }

    /// Commerce Layer's OpenAPI `customerUpdate` requires `data.type`, `data.id` and
    /// `data.attributes`: a change of group alone still sends attributes, empty.
    #[test]
    fn a_relationship_only_update_still_sends_attributes() {
        let record = ada();
        let values = record.values.clone().with("customer_group", "");
        let body = update_request(&INTEGRATION, ctx(), &record, &values)
            .unwrap()
            .unwrap()
            .body
            .unwrap();
        assert_eq!(
            body,
            r#"{"data":{"type":"customers","id":"XAyRWNUzyN","attributes":{},"relationships":{"customer_group":{"data":null}}}}"#
        );
    }

    /// A group that does not exist comes back as Commerce Layer's 404 for a missing record: it
    /// belongs on the group field, not "this customer was not found".
    #[test]
    fn a_missing_group_is_an_error_on_the_group_field() {
        use crate::contract::interpret_reply_to;
        let record = ada();
        let values = record.values.clone().with("customer_group", "Wholesale");
        let request = update_request(&INTEGRATION, ctx(), &record, &values)
            .unwrap()
            .unwrap();
        let not_found = |id: &str| HttpReply {
            status: 404,
            headers: vec![],
            body: format!(r#"{{"errors":[{{"title":"Record not found","detail":"The record identified by {id} could not be found.","code":"RECORD_NOT_FOUND","status":"404"}}]}}"#),
        };
        let error = interpret_reply_to(&INTEGRATION, &request, &not_found("Wholesale")).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Validation);
        assert_eq!(error.field_errors.len(), 1);
        assert_eq!(error.field_errors[0].field, "customer_group");
        assert_eq!(
            error.field_errors[0].key,
            Some("error.commercelayer.unknown_group")
        );
        // The customer itself gone: still "not found".
        let error = interpret_reply_to(&INTEGRATION, &request, &not_found("XAyRWNUzyN")).unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotFound);
        assert!(error.field_errors.is_empty());
        // A write that names no group: nothing to explain.
        let plain = update_request(
            &INTEGRATION,
            ctx(),
            &record,
            &record.values.clone().with("reference", "x"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            interpret_reply_to(&INTEGRATION, &plain, &not_found("zzz"))
                .unwrap_err()
                .kind,
            ErrorKind::NotFound
        );
    }

    /// Commerce Layer keeps only tags that exist: the ones it left out are named.
    #[test]
    fn tags_a_save_left_out_are_named() {
        use crate::Contract;
        let saved = ada(); // vip, newsletter
        let sent = saved.values.clone().with("tags", "vip, platinum, newsletter, Gold");
        assert_eq!(INTEGRATION.not_applied(&sent, &saved), ["platinum", "Gold"]);
        assert!(INTEGRATION.not_applied(&saved.values, &saved).is_empty());
    }

    #[test]
    fn at_most_ten_tags() {
        let record = ada();
        let eleven = (0..11)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let values = record.values.clone().with("tags", &eleven);
        assert_eq!(
            update_request(&INTEGRATION, ctx(), &record, &values).unwrap_err(),
            vec![Invalid {
                field: "tags",
                rule: Rule::Custom("error.commercelayer.max_tags")
            }]
        );
    }

    /// The docs' 422 example, and a pointer-less error falling back to the detail text.
    #[test]
    fn golden_errors() {
        let reply = HttpReply {
            status: 422,
            headers: vec![],
            body: r#"{"errors":[{"title":"has already been taken","detail":"email - has already been taken","code":"VALIDATION_ERROR","source":{"pointer":"/data/attributes/email"},"status":"422","meta":{"error":"taken"}},{"title":"is invalid","detail":"metadata - is invalid","code":"VALIDATION_ERROR","status":"422"}]}"#.into(),
        };
        let error = interpret_reply(&SALES_CHANNEL, &reply).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Validation);
        assert_eq!(
            error.field_errors,
            vec![
                // Worded in the form's language: Commerce Layer's text is English only.
                FieldError::explained("email", text_key!("error.taken"), "has already been taken"),
                FieldError::new("metadata", "is invalid")
            ]
        );
        let unauthorized = HttpReply {
            status: 401,
            headers: vec![],
            body: r#"{"errors":[{"title":"Invalid token","detail":"The access token you provided is invalid.","code":"INVALID_TOKEN","status":"401"}]}"#.into(),
        };
        let error = interpret_reply(&SALES_CHANNEL, &unauthorized).unwrap_err();
        assert_eq!(
            (error.kind, error.code.as_deref()),
            (ErrorKind::Authentication, Some("INVALID_TOKEN"))
        );
        assert_eq!(error.message, "The access token you provided is invalid.");
    }

    #[test]
    fn gateway_reads_json_api_bodies_back() {
        let body = Json::parse(r#"{"data":{"type":"customers","id":"X","attributes":{"email":"a@b.co","_add_tags":"vip"},"relationships":{"customer_group":{"data":null}}}}"#).unwrap();
        assert_eq!(
            INTEGRATION.read_body(Operation::Update, &body).unwrap(),
            vec![
                ("email", Some("a@b.co".into())),
                ("tags", Some("vip".into())),
                ("customer_group", None)
            ]
        );
        let tags_relationship =
            Json::parse(r#"{"data":{"type":"customers","relationships":{"tags":{"data":[]}}}}"#)
                .unwrap();
        assert!(INTEGRATION
            .read_body(Operation::Update, &tags_relationship)
            .is_err());
        assert!(INTEGRATION
            .read_body(
                Operation::Create,
                &Json::parse(r#"{"data":{"type":"orders"}}"#).unwrap()
            )
            .is_err());
        assert_eq!(
            check_body(
                &INTEGRATION,
                Operation::Create,
                &Json::parse(r#"{"data":{"type":"customers","attributes":{}}}"#).unwrap()
            ),
            Ok(vec![Invalid {
                field: "email",
                rule: Rule::Required
            }])
        );
        assert_eq!(
            INTEGRATION.route(Method::Get, "/customers/X?include=tags"),
            Some(Route::Read {
                customer: "X".into()
            })
        );
    }

    #[test]
    fn tag_operations_and_relationships_replace_their_field() {
        use crate::contract::GatewayRules;
        let body = Json::parse(
            r#"{"data":{"type":"customers","attributes":{"_remove_tags":"vip","reference":"x"},"relationships":{"customer_group":{"data":null}}}}"#,
        )
        .unwrap();
        let fields: Vec<&str> = INTEGRATION
            .replaced(Operation::Update, &body)
            .iter()
            .map(|r| r.field)
            .collect();
        assert_eq!(fields, ["tags", "customer_group"]);
        let plain =
            Json::parse(r#"{"data":{"type":"customers","attributes":{"reference":"x"}}}"#).unwrap();
        assert!(INTEGRATION.replaced(Operation::Update, &plain).is_empty());
    }
}
