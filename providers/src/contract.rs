//! The seam every provider implements, and the steps all of them share.

use crate::credential::{classify_scoped_token, Channel, CredentialUse};
use crate::error::{ApiError, ErrorKind, FieldError};
use crate::field::FieldSpec;
use crate::http::{HttpReply, HttpRequest, Method};
use crate::json::Json;
use crate::public_client::{PublicClient, PublicClientSettings};
use crate::record::Record;
use crate::reference::ReferenceList;
use crate::substring::Trim;
use crate::validate::{check_fields, normalize, Invalid, Normal};
use crate::values::FormValues;
use crate::{Operation, ProviderId};

/// What a request to a provider's customer API does, read from its method and path (relative to
/// the provider's API base). The gateway checks a token's scope against it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Read {
        customer: String,
    },
    Create,
    Update {
        customer: String,
    },
    /// A duplicate check before a create (Count's find-by-email).
    FindByEmail {
        email: String,
    },
}

impl Route {
    /// The scope operation (`ops` claim) this route needs.
    pub fn op(&self) -> &'static str {
        match self {
            Route::Read { .. } => "read",
            Route::Create | Route::FindByEmail { .. } => "create",
            Route::Update { .. } => "update",
        }
    }

    pub fn customer(&self) -> Option<&str> {
        match self {
            Route::Read { customer } | Route::Update { customer } => Some(customer),
            Route::Create | Route::FindByEmail { .. } => None,
        }
    }
}

/// The customer routes every provider shares: `POST customers` creates, `GET customers/{id}`
/// reads, `{update} customers/{id}` updates (PATCH or PUT, by provider). The query is ignored.
/// Ids that could leave the customer path are refused (see `url::is_safe_id`).
pub fn customer_route(method: Method, path: &str, update: Method) -> Option<Route> {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (Method::Post, ["customers"]) => Some(Route::Create),
        (Method::Get, ["customers", id]) if crate::url::is_safe_id(id) => Some(Route::Read {
            customer: (*id).to_string(),
        }),
        (m, ["customers", id]) if m == update && crate::url::is_safe_id(id) => {
            Some(Route::Update {
                customer: (*id).to_string(),
            })
        }
        _ => None,
    }
}

/// `[{field, message}]`, the field-error list Prolifi and Count put in their error envelopes.
pub fn field_error_list(field_errors: &[FieldError]) -> Json {
    Json::Array(
        field_errors
            .iter()
            .map(|e| {
                Json::object([
                    ("field", Json::str(e.field.clone())),
                    ("message", Json::str(e.message.clone())),
                ])
            })
            .collect(),
    )
}

/// A field a request body writes, as form text; `None` when the body sends `null` (clears it).
pub type WrittenField = (&'static str, Option<String>);

/// Something a write changes whatever the record holds now (a Count address replaces the whole
/// address; Commerce Layer's `_add_tags` and `_remove_tags` change the tags; a relationship is
/// set anew). A `fields` claim allows it when it names `field`, or every one of `parts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replaced {
    pub field: &'static str,
    /// The form fields it is made of (`billingAddress.city`…); `[field]` when it is one.
    pub parts: &'static [&'static str],
}

/// How a customer path names a record, which decides how the gateway binds a token to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordNames {
    /// Only by the record's immutable id (Count's `uuid`, Commerce Layer's `id`).
    Immutable,
    /// By its immutable id or by an alias the caller can move to another record (Prolifi's
    /// `id` or `external_id`).
    IdOrAlias,
    /// By a key that can be renamed and later given to another record (Partnero): there is no
    /// immutable id.
    RenamableKey,
}

/// What request building needs besides the values.
#[derive(Clone, Copy, Debug)]
pub struct RequestContext<'a> {
    /// The API base the requests go to (the provider's, the gateway's or the sandbox's).
    pub base: &'a str,
    /// Generated once per submission by the caller, reused when the same submission is retried.
    pub idempotency_key: Option<&'a str>,
}

/// Where a create form finds a value for a field before the person types anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreateDefault {
    /// The form field it fills (only when empty).
    pub field: &'static str,
    pub source: DefaultSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultSource {
    /// A first-party cookie of this name on the host page (e.g. a referral script's).
    Cookie(&'static str),
}

pub trait Contract: Sync {
    fn provider(&self) -> ProviderId;

    /// The public `provider` attribute value (`prolifi`).
    fn name(&self) -> &'static str;

    /// The name people know the provider by (`Commerce Layer`), used in messages.
    fn display_name(&self) -> &'static str;

    /// The contract as reached through `channel`, when that differs from this one (Commerce
    /// Layer: a sales-channel token in the browser may set fewer things than the gateway's
    /// integration token).
    fn through(&self, _channel: Channel) -> Option<&'static dyn Contract> {
        None
    }

    /// Automatic retries after the first attempt for a failure that may clear by itself. Two
    /// by default: the providers' rate limits are shared by every user of an account.
    fn retry_budget(&self) -> u32 {
        2
    }

    /// Values a create form takes from the host page before anyone types.
    fn create_defaults(&self) -> &'static [CreateDefault] {
        &[]
    }

    /// A browser-safe way to get a token without the host's help (a public OAuth client),
    /// from the element's `client-id`, `market` and `auth-base` attributes.
    fn public_client(&self, _settings: &PublicClientSettings) -> Option<PublicClient> {
        None
    }

    /// The provider's public API base, used when the host gives none; empty when there is no
    /// such thing (Commerce Layer's base names the organisation).
    fn default_base(&self) -> &'static str;

    /// The fields of the form, in display order within each section.
    fn fields(&self, op: Operation) -> &'static [FieldSpec];

    /// The fields that name a customer (in a title), best first: the first group with any text
    /// gives the name, its parts joined by a space.
    fn name_fields(&self) -> &'static [&'static [&'static str]] {
        &[&["email"]]
    }

    /// Provider rules beyond the per-field ones (e.g. "name or first/last name").
    fn check_extra(
        &self,
        _op: Operation,
        _values: &FormValues,
        _loaded: Option<&FormValues>,
    ) -> Vec<Invalid> {
        Vec::new()
    }

    fn read_request(&self, base: &str, id: &str) -> HttpRequest;

    /// A request that finds an existing customer with these values before a create (so the form
    /// can offer it instead of making a duplicate); `None` when the provider has no such lookup.
    /// A 2xx reply carries the existing record; a 404 means there is none.
    fn duplicate_lookup(&self, _base: &str, _values: &FormValues) -> Option<HttpRequest> {
        None
    }

    /// Whether sending the same create twice cannot make two customers (Prolifi's
    /// `Idempotency-Key` replays the first reply).
    fn create_is_idempotent(&self) -> bool {
        false
    }

    /// Before sending a create again after an attempt that may have reached the provider: the
    /// lookup that finds what that attempt created (a 2xx reply carries it, a 404 means nothing
    /// was created). `None` when the create cannot be guarded this way.
    fn created_lookup(&self, base: &str, values: &FormValues) -> Option<HttpRequest> {
        self.duplicate_lookup(base, values)
    }

    /// The id a create gives the customer when the caller chooses it (Partnero's `key`).
    fn chosen_id(&self, _values: &FormValues) -> Option<String> {
        None
    }

    /// The create request, once the values pass validation.
    fn create_body(&self, ctx: RequestContext, values: &FormValues) -> HttpRequest;

    /// The update request for the fields that changed since `loaded`; `None` when nothing did.
    fn update_body(
        &self,
        ctx: RequestContext,
        loaded: &Record,
        changed: &[(&FieldSpec, Normal)],
        values: &FormValues,
    ) -> Option<HttpRequest>;

    /// The customer in a successful reply body.
    fn parse_record(&self, body: &Json) -> Option<Record>;

    /// An error reply in the provider's envelope; `base` is what the status alone says.
    fn parse_error(&self, reply: &HttpReply, base: ApiError) -> ApiError;

    /// An error reply read with the request it answers: where the provider words a failure about
    /// something the request named (a related record that does not exist), the contract can put
    /// it on that field.
    fn explain_error(&self, _request: &HttpRequest, error: ApiError) -> ApiError {
        error
    }

    /// Values a successful write left out without saying so, as the person would name them
    /// (Commerce Layer discards tags that do not exist): `sent` are the values submitted,
    /// `saved` the record in the reply.
    fn not_applied(&self, _sent: &FormValues, _saved: &Record) -> Vec<String> {
        Vec::new()
    }

    /// The list of choices a field offers (Commerce Layer's customer groups and tags), read from
    /// the provider alongside the record; `None` for a field typed freely.
    fn reference_list(&self, _field: &str) -> Option<ReferenceList> {
        None
    }

    /// What the form may do with this credential, decided before anything is sent. By
    /// default only the gateway's scoped tokens for this provider are accepted.
    fn classify(&self, token: &str, _api_base: &str) -> CredentialUse {
        classify_scoped_token(self.provider(), token)
    }
}

/// What the gateway needs on top of the contract to check requests before it attaches a secret.
/// A separate trait so the widget's wasm, which never calls these, does not carry them.
pub trait GatewayRules: Contract {
    /// The customer-API route a request is, or `None` for anything else (which the gateway refuses).
    fn route(&self, method: Method, path: &str) -> Option<Route>;

    /// Reads a request body back into the fields it writes. `Err` (with a reason) when the body
    /// is not one the form would build: an unknown field, a wrong type, a missing envelope.
    fn read_body(&self, op: Operation, body: &Json) -> Result<Vec<WrittenField>, String>;

    /// The record a write's body names itself besides its path (Commerce Layer's `data.id`),
    /// which the gateway holds to the one the path names. `None` where a body names none.
    fn record_in_body<'a>(&self, _body: &'a Json) -> Option<&'a str> {
        None
    }

    /// What this body changes whatever the record holds now (see `Replaced`); the fields
    /// `read_body` reads inside them are covered by it.
    fn replaced(&self, _op: Operation, _body: &Json) -> Vec<Replaced> {
        Vec::new()
    }

    /// The reference list a path (relative to the API base, query included) names; such a GET is
    /// served by the gateway's reference route, not as a customer route.
    fn reference_list_at(&self, _path: &str) -> Option<ReferenceList> {
        None
    }

    /// How the customer paths name a record.
    fn record_names(&self) -> RecordNames {
        RecordNames::Immutable
    }

    /// The plain fields every update carries whether they changed or not (Count's `customer` and
    /// `email`): sent with the record's current value, a token need not be allowed to write
    /// them. Any other field sent is a write, whatever its value: what the provider does with a
    /// value is not always what the record shows (a name split, a password never shown).
    fn carried_in_every_update(&self) -> &'static [&'static str] {
        &[]
    }

    /// The members of a reply's `data` object that hold the record's identity, in order: what
    /// `parse_record` reads as `Record::id`, for a gateway that needs only that (every read it
    /// forwards is checked against it).
    fn identity_members(&self) -> &'static [&'static str] {
        &["id"]
    }

    /// The members of a reply's `data` object that tell one record from another whatever its
    /// name, when the name can move (Partnero's key): a gateway that wrote to a name reads them
    /// before the write and in the answer, to know the answer is about the record it meant, not
    /// one that took the name meanwhile. Empty where the identity never changes.
    fn lasting_members(&self) -> &'static [&'static str] {
        &[]
    }

    /// An error reply body in the provider's own envelope, so the widget reads the gateway's
    /// refusals exactly like the provider's errors.
    fn error_body(&self, kind: ErrorKind, message: &str, field_errors: &[FieldError]) -> Json;

    /// The upstream path and query for a route, rebuilt from the parsed route (never the caller's
    /// text, which a server could decode again) with the only query the provider gets.
    fn upstream(&self, route: &Route) -> (String, Option<String>) {
        use crate::url::{encode_query_value, encode_segment};
        match route {
            Route::Create => ("/customers".into(), None),
            Route::Read { customer } | Route::Update { customer } => {
                (format!("/customers/{}", encode_segment(customer)), None)
            }
            Route::FindByEmail { email } => (
                "/customers/find-by-email".into(),
                Some(format!("email={}", encode_query_value(email))),
            ),
        }
    }

    /// The media type of the provider's request and reply bodies; the gateway sets it itself.
    fn media_type(&self) -> &'static str {
        "application/json"
    }

    /// What of a successful reply the token may see, on a route that `redacts` (a duplicate
    /// check only needs to know that a record exists and which). `None`: it could not be cut
    /// down, and the gateway answers 502 rather than pass it on. Not called on other routes.
    fn redact(&self, _route: &Route, _body: &Json) -> Option<Json> {
        None
    }

    /// Whether `redact` may cut down a successful reply on this route: the gateway parses the
    /// reply only then.
    fn redacts(&self, route: &Route) -> bool {
        matches!(route, Route::FindByEmail { .. })
    }
}

/// The gateway rules of a provider (as the gateway reaches it: with the server-side credential).
pub fn gateway_rules_for(provider: ProviderId) -> Option<&'static dyn GatewayRules> {
    Some(provider.gateway_rules())
}

/// The contract of a provider as reached through `channel`.
pub fn contract_for(provider: ProviderId, channel: Channel) -> Option<&'static dyn Contract> {
    let contract = provider.contract();
    Some(contract.through(channel).unwrap_or(contract))
}

/// What to call the customer these values describe (see `Contract::name_fields`).
pub fn customer_title(contract: &dyn Contract, values: &FormValues) -> Option<String> {
    contract.name_fields().iter().find_map(|group| {
        let mut parts: Vec<&str> = Vec::new();
        for field in *group {
            let part = values.get(field).trimmed();
            if !part.is_empty() {
                parts.push(part);
            }
        }
        let name = crate::substring::join(&parts, " ");
        (!name.is_empty()).then_some(name)
    })
}

/// Every rule for these values: per field, then the provider's own.
pub fn validate(
    contract: &dyn Contract,
    op: Operation,
    values: &FormValues,
    loaded: Option<&FormValues>,
) -> Vec<Invalid> {
    let mut invalid = check_fields(contract.fields(op), values);
    for extra in contract.check_extra(op, values, loaded) {
        if !invalid.iter().any(|i| i.field == extra.field) {
            invalid.push(extra);
        }
    }
    invalid
}

pub fn create_request(
    contract: &dyn Contract,
    ctx: RequestContext,
    values: &FormValues,
) -> Result<HttpRequest, Vec<Invalid>> {
    let invalid = validate(contract, Operation::Create, values, None);
    if invalid.is_empty() {
        Ok(contract.create_body(ctx, values))
    } else {
        Err(invalid)
    }
}

/// The fields whose normal form differs from the loaded record's.
pub fn changed_fields<'a>(
    fields: &'a [FieldSpec],
    loaded: &FormValues,
    values: &FormValues,
) -> Vec<(&'a FieldSpec, Normal)> {
    let mut changed = Vec::new();
    for spec in fields {
        // An empty password keeps the current one.
        if spec.kind == crate::FieldKind::Password && values.get(spec.name).is_empty() {
            continue;
        }
        let now = normalize(spec.kind, values.get(spec.name));
        if !(now == normalize(spec.kind, loaded.get(spec.name))) {
            changed.push((spec, now));
        }
    }
    changed
}

/// `Ok(None)` when nothing changed: there is nothing to send.
pub fn update_request(
    contract: &dyn Contract,
    ctx: RequestContext,
    loaded: &Record,
    values: &FormValues,
) -> Result<Option<HttpRequest>, Vec<Invalid>> {
    let invalid = validate(contract, Operation::Update, values, Some(&loaded.values));
    if !invalid.is_empty() {
        return Err(invalid);
    }
    let fields = contract.fields(Operation::Update);
    let changed = changed_fields(fields, &loaded.values, values);
    if changed.is_empty() {
        return Ok(None);
    }
    Ok(contract.update_body(ctx, loaded, &changed, values))
}

/// Reads any reply: the record on success, the one error model otherwise. Never panics.
pub fn interpret_reply(contract: &dyn Contract, reply: &HttpReply) -> Result<Record, ApiError> {
    if reply.is_success() {
        return Json::parse(&reply.body)
            .ok()
            .and_then(|body| contract.parse_record(&body))
            .ok_or_else(|| ApiError::new(Some(reply.status), ErrorKind::BadReply, ""));
    }
    let mut base = ApiError::new(Some(reply.status), ErrorKind::from_status(reply.status), "");
    base.retry_after_secs = reply.retry_after_secs();
    let mut error = contract.parse_error(reply, base);
    // The gateway's own refusals carry `gateway.code` beside the provider's envelope.
    error.gateway = Json::parse(&reply.body)
        .ok()
        .and_then(|body| body.string_at("gateway.code"))
        .filter(|code| !code.is_empty());
    Err(error)
}

/// Reads the reply to `request`: as `interpret_reply`, with the error explained by what the
/// request sent (see `Contract::explain_error`).
pub fn interpret_reply_to(
    contract: &dyn Contract,
    request: &HttpRequest,
    reply: &HttpReply,
) -> Result<Record, ApiError> {
    interpret_reply(contract, reply).map_err(|error| contract.explain_error(request, error))
}

/// The field errors of an `errors` array of `{field, message}` items (Prolifi's, Count's): each
/// item's field is the first of `keys` it has, mapped to the form's field; items without one are
/// skipped, a missing message is empty. One loop for both providers (README, Size).
pub fn listed_field_errors(
    errors: Option<&Json>,
    keys: &[&str],
    fields: &[FieldSpec],
) -> Vec<FieldError> {
    let mut field_errors = Vec::new();
    for item in errors.and_then(Json::as_array).unwrap_or_default() {
        let Some(field) = keys
            .iter()
            .find_map(|key| item.get(key))
            .and_then(Json::as_str)
        else {
            continue;
        };
        let message = item
            .get("message")
            .and_then(Json::as_str)
            .unwrap_or_default();
        field_errors.push(FieldError::new(map_field(fields, field), message));
    }
    field_errors
}

/// Maps a provider's field path to the form field that shows it: exact name, else the longest
/// form field the path lies under (`metadata.plan` → `metadata`), else the path unchanged (the
/// caller then shows it at form level).
pub fn map_field(fields: &[FieldSpec], path: &str) -> String {
    if fields.iter().any(|f| f.name == path) {
        return path.to_string();
    }
    fields
        .iter()
        .filter(|f| {
            path.starts_with(f.name)
                && crate::substring::slice_from(path, f.name.len()).starts_with(['.', '['])
        })
        .max_by_key(|f| f.name.len())
        .map(|f| f.name.to_string())
        .unwrap_or_else(|| path.to_string())
}

/// A web address the form would have completed (`example.com` → `https://example.com`): the
/// gateway forwards a body as sent, so it takes only what the form itself sends, whole.
fn not_as_forwarded(spec: &FieldSpec, text: &str) -> Option<crate::validate::Rule> {
    let completed = match normalize(spec.kind, text) {
        Normal::Text(completed) => completed != text,
        _ => false,
    };
    (matches!(spec.kind, crate::FieldKind::Url | crate::FieldKind::Website) && completed)
        .then_some(crate::validate::Rule::Url)
}

/// The rules of the form applied to a request body (the gateway's validation): for create every
/// required field must be there; for update only the fields sent are checked, and clearing a
/// required one is refused.
pub fn check_body(
    contract: &dyn GatewayRules,
    op: Operation,
    body: &Json,
) -> Result<Vec<Invalid>, String> {
    let written = contract.read_body(op, body)?;
    let fields = contract.fields(op);
    let mut values = FormValues::new();
    let mut invalid = Vec::new();
    for spec in fields {
        match written.iter().find(|(name, _)| *name == spec.name) {
            Some((_, Some(text))) => {
                values.set(spec.name, text.clone());
                if let Some(rule) = crate::validate::check_field(spec, text)
                    .or_else(|| not_as_forwarded(spec, text))
                {
                    invalid.push(Invalid {
                        field: spec.name,
                        rule,
                    });
                }
            }
            Some((_, None)) | None => {
                let cleared = written
                    .iter()
                    .any(|(name, v)| *name == spec.name && v.is_none());
                let missing_on_create =
                    op == Operation::Create && !written.iter().any(|(n, _)| *n == spec.name);
                if spec.required && (cleared || missing_on_create) {
                    invalid.push(Invalid {
                        field: spec.name,
                        rule: crate::validate::Rule::Required,
                    });
                }
            }
        }
    }
    // Cross-field rules see only what this body sends.
    let loaded = (op == Operation::Update).then(FormValues::new);
    for extra in contract.check_extra(op, &values, loaded.as_ref()) {
        if !invalid.iter().any(|i| i.field == extra.field) {
            invalid.push(extra);
        }
    }
    Ok(invalid)
}

/// Field errors for the client rules, in English (the gateway's wording).
pub fn english_field_errors(invalid: &[Invalid]) -> Vec<FieldError> {
    invalid
        .iter()
        .map(|i| FieldError::new(i.field, i.rule.english()))
        .collect()
}
