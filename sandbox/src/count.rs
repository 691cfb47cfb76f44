//! Count's partner customers API (contracts.md §3, count-update-customer.md).
//!
//! Real base `https://api.getcount.com/partners`; here `/count/partners` (signatures are over the
//! path without it). Two authentication layers: HMAC partner headers on every request except the
//! authorization start, plus a user Bearer token from the OAuth flow on the customer endpoints.
//! Order of checks: partner headers present -> rate limit (per client id) -> HMAC -> Bearer ->
//! body -> validation -> lookup -> uniqueness.

mod fields;
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

use fields::{CustomerFields, Mode};
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
