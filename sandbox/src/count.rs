//! Count's partner customers API (contracts.md §3, count-update-customer.md).
//!
//! Real base `https://api.getcount.com/partners`; here `/count/partners` (signatures are over the
//! path without it). Two authentication layers: HMAC partner headers on every request except the
//! authorization start, plus a user Bearer token from the OAuth flow on the customer endpoints.
//! Order of checks: partner headers present -> rate limit (per client id) -> HMAC -> Bearer ->
//! body -> validation -> lookup -> uniqueness.

mod oauth;
mod signature;

use axum::{
    extract::State,
    http::{Method, StatusCode},
    response::Response,
    routing::{get, post},
    Router,
};
use serde_json::{json, Map, Value};

use crate::{
    clock::{iso_millis, now_ms},
    email::is_valid_email,
    ids::uuid_v4,
    incoming::{Incoming, JsonBody},
    knobs::{CountErrorShape, CountKnobs},
    reply::{self, set_header, JSON_UTF8},
    state::AppState,
};

pub use oauth::Tokens;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partners/customers", post(create))
        .route("/partners/customers/find-by-email", get(find_by_email))
        .route("/partners/customers/{uuid}", get(retrieve).put(update))
        .route(
            "/partners/grant-access-token",
            post(oauth::grant_access_token),
        )
        .route(
            "/partners/refresh-user-access-token",
            post(oauth::refresh_access_token),
        )
        .route("/auth2/authorize-intiate", get(oauth::authorize_initiate))
        .route("/_login", get(oauth::login))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
}

/// 2025-05-02T16:12:39Z, the timestamp of every seeded record.
const SEED_TIME_MS: i64 = 1_746_202_359_000;
const ADDRESS_FIELDS: [&str; 5] = ["street", "city", "state", "zipCode", "country"];
const CONTACT_FIELDS: [&str; 5] = ["firstName", "lastName", "email", "phone", "isPrimary"];

#[derive(Clone)]
struct Customer {
    uuid: String,
    customer: String,
    email: String,
    main_phone: Option<String>,
    website: Option<String>,
    status: String,
    billing_address: Option<Value>,
    shipping_address: Option<Value>,
    contacts: Vec<Value>,
    created_ms: i64,
    updated_ms: i64,
}

impl Customer {
    fn to_json(&self) -> Value {
        json!({
            "uuid": self.uuid,
            "customer": self.customer,
            "email": self.email,
            "mainPhone": self.main_phone,
            "website": self.website,
            "status": self.status,
            "billingAddress": self.billing_address,
            "shippingAddress": self.shipping_address,
            "contacts": self.contacts,
            "createdAt": iso_millis(self.created_ms),
            "updatedAt": iso_millis(self.updated_ms),
        })
    }
}

pub struct Store {
    customers: Vec<Customer>,
    tokens: Tokens,
}

impl Store {
    pub fn seeded() -> Self {
        Store {
            customers: vec![
                Customer {
                    uuid: "5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d".into(),
                    customer: "Acme Ltd".into(),
                    email: "ap@acme.test".into(),
                    main_phone: Some("+44 20 7946 0000".into()),
                    website: Some("https://acme.test".into()),
                    status: "active".into(),
                    billing_address: Some(json!({
                        "street": "1 High Street", "city": "London", "state": "Greater London",
                        "zipCode": "EC1A 1BB", "country": "United Kingdom"
                    })),
                    shipping_address: None,
                    contacts: vec![json!({
                        "uuid": "c0a1b2c3-d4e5-4f60-8a1b-2c3d4e5f6a7b",
                        "firstName": "Wile", "lastName": "Coyote", "email": "wile@acme.test",
                        "phone": null, "isPrimary": true
                    })],
                    created_ms: SEED_TIME_MS,
                    updated_ms: SEED_TIME_MS,
                },
                Customer {
                    uuid: "8a2c4e6f-0b1d-4f3a-9c5e-7d9f1b3a5c7e".into(),
                    customer: "Globex Corporation".into(),
                    email: "billing@globex.test".into(),
                    main_phone: None,
                    website: None,
                    status: "inactive".into(),
                    billing_address: None,
                    shipping_address: None,
                    contacts: Vec::new(),
                    created_ms: SEED_TIME_MS,
                    updated_ms: SEED_TIME_MS,
                },
            ],
            tokens: Tokens::default(),
        }
    }

    /// A token pair without the browser flow (the `/_count/issue-tokens` control route).
    pub fn issue_tokens(&mut self, client_id: &str, knobs: &CountKnobs) -> Value {
        self.tokens.issue(client_id, knobs)
    }

    fn position(&self, uuid: &str) -> Option<usize> {
        self.customers.iter().position(|c| c.uuid == uuid)
    }

    /// Documented: unique within the team, compared case-insensitively.
    fn email_taken(&self, email: &str, except: Option<usize>) -> bool {
        self.customers
            .iter()
            .enumerate()
            .any(|(i, c)| Some(i) != except && c.email.eq_ignore_ascii_case(email))
    }
}

/// A success body: `{status: "success", message, data}`.
pub struct Answer {
    status: StatusCode,
    message: &'static str,
    data: Value,
}

impl Answer {
    fn new(status: StatusCode, message: &'static str, data: Value) -> Answer {
        Answer {
            status,
            message,
            data,
        }
    }

    fn into_response(self) -> Response {
        reply::json(
            self.status,
            JSON_UTF8,
            &json!({"status": "success", "message": self.message, "data": self.data}),
        )
    }
}

/// An error, rendered in either of the two shapes Count is known to use (knob `error_shape`).
pub struct CountError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field_errors: Vec<(String, String)>,
    extra: Map<String, Value>,
}

impl CountError {
    fn new(status: StatusCode, code: &'static str, message: &str) -> CountError {
        CountError {
            status,
            code,
            message: message.to_owned(),
            field_errors: Vec::new(),
            extra: Map::new(),
        }
    }

    /// 400 with one entry per failing field.
    fn validation(errors: Vec<(String, String)>) -> CountError {
        CountError {
            field_errors: errors,
            ..CountError::new(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                "Validation failed",
            )
        }
    }

    fn with(mut self, key: &str, value: &str) -> CountError {
        self.extra
            .insert(key.to_owned(), Value::String(value.to_owned()));
        self
    }

    fn render(self, shape: CountErrorShape) -> Response {
        let mut body = match shape {
            CountErrorShape::Documented => {
                let mut body = json!({
                    "status": "error",
                    "message": self.message,
                    "code": self.code,
                    "details": {},
                });
                if !self.field_errors.is_empty() {
                    let items: Vec<Value> = self
                        .field_errors
                        .iter()
                        .map(|(field, message)| json!({"field": field, "message": message}))
                        .collect();
                    body["errors"] = Value::Array(items);
                }
                body
            }
            // The CLI's view: no errors[], a single joined message.
            CountErrorShape::Cli => {
                let message = if self.field_errors.is_empty() {
                    self.message
                } else {
                    self.field_errors
                        .iter()
                        .map(|(_, m)| m.as_str())
                        .collect::<Vec<_>>()
                        .join(". ")
                };
                json!({
                    "message": message,
                    "status": "Error",
                    "statusCode": self.status.as_u16(),
                    "isOperational": true,
                    "type": self.code,
                })
            }
        };
        if let Value::Object(map) = &mut body {
            map.extend(self.extra);
        }
        reply::json(self.status, JSON_UTF8, &body)
    }
}

/// 429 (documented: 100 requests per minute per client id; `type: RATE_LIMITED` per the CLI).
/// Count itself sends no `Retry-After` on the partner API; the `rate_limit` fault may add one.
pub fn rate_limited(retry_after_secs: Option<u64>, shape: CountErrorShape) -> Response {
    let mut error = CountError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        "Too many requests, please try again later",
    );
    if shape == CountErrorShape::Documented {
        // The documented shape has `code`; `type` is what the CLI keys on, so send both.
        error = error.with("type", "RATE_LIMITED");
    }
    let mut response = error.render(shape);
    if let Some(secs) = retry_after_secs {
        set_header(&mut response, "retry-after", secs);
    }
    response
}

async fn unknown_route(State(app): State<AppState>) -> Response {
    let shape = app.world().knobs.count.error_shape;
    CountError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Route not found").render(shape)
}

async fn method_not_allowed(State(app): State<AppState>, method: Method) -> Response {
    let shape = app.world().knobs.count.error_shape;
    CountError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        &format!("Method {method} is not allowed on this route"),
    )
    .render(shape)
}

/// Partner authentication (and, when `user_token`, the Bearer check), then `operation`.
fn serve_signed(
    app: &AppState,
    request: &Incoming,
    user_token: bool,
    operation: impl FnOnce(&mut Store, &Incoming, &CountKnobs) -> Result<Answer, CountError>,
) -> Response {
    let credentials = app.credentials().clone();
    let mut guard = app.world();
    let world = &mut *guard;
    let knobs = world.knobs.count.clone();
    // Counted per presented client id, before the signature is checked.
    if let Some(client_id) = request.header("x-client-id") {
        let verdict = world
            .limits
            .hit(&format!("count:{client_id}"), knobs.rate_limit_per_minute);
        if verdict.retry_after_secs.is_some() {
            return rate_limited(None, knobs.error_shape);
        }
    }
    let outcome = signature::verify(request, &credentials, knobs.timestamp_tolerance_secs)
        .and_then(|()| {
            if user_token {
                world.count.tokens.check_access(request)
            } else {
                Ok(())
            }
        })
        .and_then(|()| operation(&mut world.count, request, &knobs));
    match outcome {
        Ok(answer) => answer.into_response(),
        Err(error) => error.render(knobs.error_shape),
    }
}

/// The body as a JSON object (Express' `json()` parser only reads `application/json`).
/// An empty body is `{}`.
fn json_object(request: &Incoming) -> Result<Map<String, Value>, CountError> {
    if request.body_is_empty() {
        return Ok(Map::new());
    }
    if request.content_type_essence().as_deref() != Some("application/json") {
        return Err(CountError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_CONTENT_TYPE",
            "Content-Type must be application/json",
        ));
    }
    match request.json_body() {
        JsonBody::Object(map) => Ok(map),
        JsonBody::Empty => Ok(Map::new()),
        JsonBody::NotAnObject => Err(CountError::validation(vec![(
            "body".into(),
            "\"value\" must be of type object".into(),
        )])),
        JsonBody::Invalid => Err(CountError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            "Request body is not valid JSON",
        )),
    }
}

async fn create(State(app): State<AppState>, request: Incoming) -> Response {
    serve_signed(&app, &request, true, |store, request, _| {
        let body = json_object(request)?;
        let fields = CustomerFields::parse(&body, Mode::Create)?;
        let email = fields.email.unwrap_or_default();
        if store.email_taken(&email, None) {
            return Err(email_exists());
        }
        let now = now_ms();
        let customer = Customer {
            uuid: uuid_v4(),
            customer: fields.customer.unwrap_or_default(),
            email,
            main_phone: fields.main_phone.flatten(),
            website: fields.website.flatten(),
            status: fields.status.unwrap_or_else(|| "active".into()),
            billing_address: fields.billing_address.flatten(),
            shipping_address: fields.shipping_address.flatten(),
            contacts: fields.contacts.unwrap_or_default(),
            created_ms: now,
            updated_ms: now,
        };
        store.customers.push(customer.clone());
        Ok(Answer::new(
            StatusCode::CREATED,
            "Customer created successfully",
            customer.to_json(),
        ))
    })
}

async fn retrieve(State(app): State<AppState>, request: Incoming) -> Response {
    serve_signed(&app, &request, true, |store, request, _| {
        let index = store
            .position(&request.last_segment())
            .ok_or_else(customer_not_found)?;
        Ok(Answer::new(
            StatusCode::OK,
            "Customer retrieved successfully",
            store.customers[index].to_json(),
        ))
    })
}

/// Documented: exact match, case-insensitive; 404 means "does not exist"; 400 for a missing or
/// invalid e-mail.
async fn find_by_email(State(app): State<AppState>, request: Incoming) -> Response {
    serve_signed(&app, &request, true, |store, request, _| {
        let email = request.query_param("email").unwrap_or_default();
        let email = email.trim();
        if email.is_empty() {
            return Err(CountError::validation(vec![(
                "email".into(),
                "\"email\" is required".into(),
            )]));
        }
        if !is_valid_email(email) {
            return Err(CountError::validation(vec![(
                "email".into(),
                "\"email\" must be a valid email".into(),
            )]));
        }
        let customer = store
            .customers
            .iter()
            .find(|c| c.email.eq_ignore_ascii_case(email))
            .ok_or_else(customer_not_found)?;
        Ok(Answer::new(
            StatusCode::OK,
            "Customer found",
            customer.to_json(),
        ))
    })
}

/// Documented partial update, but `customer` and `email` are required in every body; addresses
/// are replaced whole (`null` removes); `""` or `null` removes `website`/`mainPhone`; `contacts`
/// cannot be updated here. The body is validated before the customer is looked up.
async fn update(State(app): State<AppState>, request: Incoming) -> Response {
    serve_signed(&app, &request, true, |store, request, _| {
        let body = json_object(request)?;
        let fields = CustomerFields::parse(&body, Mode::Update)?;
        let index = store
            .position(&request.last_segment())
            .ok_or_else(customer_not_found)?;
        let email = fields.email.unwrap_or_default();
        if store.email_taken(&email, Some(index)) {
            return Err(email_exists());
        }
        let customer = &mut store.customers[index];
        customer.email = email;
        customer.customer = fields.customer.unwrap_or_default();
        if let Some(phone) = fields.main_phone {
            customer.main_phone = phone;
        }
        if let Some(website) = fields.website {
            customer.website = website;
        }
        if let Some(status) = fields.status {
            customer.status = status;
        }
        if let Some(address) = fields.billing_address {
            customer.billing_address = address;
        }
        if let Some(address) = fields.shipping_address {
            customer.shipping_address = address;
        }
        customer.updated_ms = now_ms().max(customer.updated_ms + 1);
        Ok(Answer::new(
            StatusCode::OK,
            "Customer updated successfully",
            customer.to_json(),
        ))
    })
}

fn customer_not_found() -> CountError {
    CountError::new(
        StatusCode::NOT_FOUND,
        "CUSTOMER_NOT_FOUND",
        "Customer not found",
    )
}

fn email_exists() -> CountError {
    CountError::new(StatusCode::CONFLICT, "EMAIL_EXISTS", "Email already exists")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Update,
}

/// A validated create/update body. `Option<Option<_>>`: absent / removed / set.
struct CustomerFields {
    customer: Option<String>,
    email: Option<String>,
    main_phone: Option<Option<String>>,
    website: Option<Option<String>>,
    status: Option<String>,
    billing_address: Option<Option<Value>>,
    shipping_address: Option<Option<Value>>,
    contacts: Option<Vec<Value>>,
}

impl CustomerFields {
    /// Joi-style validation (messages like `"email" must be a valid email`); unknown keys are
    /// refused, as Joi does by default.
    fn parse(body: &Map<String, Value>, mode: Mode) -> Result<CustomerFields, CountError> {
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
fn address(
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
fn contacts(value: &Value, fail: &mut impl FnMut(&str, String)) -> Option<Vec<Value>> {
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

#[cfg(test)]
mod tests {
    use super::signature::{base_string, body_hash, sign};
    use axum::http::Method;

    #[test]
    fn get_base_string_ends_with_a_colon() {
        let base = base_string(
            &Method::GET,
            "/customers/abc",
            "1700000000",
            &body_hash(&Method::GET, b""),
        );
        assert_eq!(base, "GET:/customers/abc:1700000000:");
        assert_eq!(sign("count_sandbox_secret", &base).len(), 64);
    }
}
