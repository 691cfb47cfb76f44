//! Prolifi's public customers API (contracts.md §2, prolifi-update-customer.md).
//!
//! Real base `https://api.prolifi.co/api/v1/public`; here `/prolifi/api/v1/public`.
//! Order of checks on every request: rate limit (per presented key), authentication and key
//! permissions, `Idempotency-Key` (writes only), body, validation, the operation.

mod writes;

use axum::{
    extract::State,
    http::{Method, StatusCode},
    response::Response,
    routing::get,
    Router,
};
use serde_json::{json, Map, Value};

use crate::{
    clock::{iso_micros, now_ms},
    idempotency::{Fingerprint, IdempotencyStore, Lookup, MAX_KEY_LEN},
    incoming::Incoming,
    laravel::Errors,
    reply::{self, set_header, JSON},
    state::AppState,
};
use writes::{create_customer, json_input, update_customer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/public/customers", get(list).post(create))
        .route(
            "/api/v1/public/customers/{id}",
            get(retrieve).patch(update).delete(archive),
        )
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
}

/// Seeded countries: `country_id` must be one of these (Laravel `exists` rule).
const COUNTRIES: [(&str, &str); 4] = [
    ("9a7c3b52-3f0e-4d8c-8f55-1c0c2e9d4b61", "United Kingdom"),
    ("3e1f5a7c-2b4d-4c6e-9f8a-0b1c2d3e4f50", "Germany"),
    ("5c2d8e1f-7a3b-4d5c-8e6f-1a2b3c4d5e6f", "France"),
    ("7b4e9f2a-1c3d-4e5f-a6b7-c8d9e0f1a2b3", "Spain"),
];

/// 2025-05-02T16:12:39Z, the timestamp of every seeded record.
const SEED_TIME_MS: i64 = 1_746_202_359_000;

#[derive(Clone)]
struct Customer {
    id: String,
    external_id: Option<String>,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
    phone: Option<String>,
    archived: bool,
    country_id: Option<String>,
    metadata: Option<Map<String, Value>>,
    created_ms: i64,
    updated_ms: i64,
}

impl Customer {
    /// The documented `Customer` schema, plus `type` from the create page.
    fn to_json(&self) -> Value {
        let name = match (&self.first_name, &self.last_name) {
            (None, None) => None,
            (first, last) => Some(
                [first.as_deref(), last.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        json!({
            "id": self.id,
            "external_id": self.external_id,
            "email": self.email,
            "name": name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company_name": self.company_name,
            "type": if self.company_name.is_some() { "business" } else { "individual" },
            "phone": self.phone,
            "status": if self.archived { "archived" } else { "active" },
            "country": self.country_id.as_deref().and_then(country_name),
            "country_id": self.country_id,
            "metadata": self.metadata,
            "created_at": iso_micros(self.created_ms),
            "updated_at": iso_micros(self.updated_ms),
        })
    }
}

fn country_name(id: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(country_id, _)| *country_id == id)
        .map(|(_, name)| *name)
}

pub struct Store {
    customers: Vec<Customer>,
    idempotency: IdempotencyStore,
}

impl Store {
    pub fn seeded() -> Self {
        let metadata = |value: Value| value.as_object().cloned();
        Store {
            customers: vec![
                Customer {
                    id: "0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10".into(),
                    external_id: Some("cus_1001".into()),
                    email: "jane@example.com".into(),
                    first_name: Some("Jane".into()),
                    last_name: Some("Doe".into()),
                    company_name: None,
                    phone: Some("+44 20 7946 0958".into()),
                    archived: false,
                    country_id: Some(COUNTRIES[0].0.into()),
                    metadata: metadata(json!({"plan": "pro"})),
                    created_ms: SEED_TIME_MS,
                    updated_ms: SEED_TIME_MS,
                },
                Customer {
                    id: "4c1e7a92-8b3d-4f6e-a0c5-2d9b7e1f3a48".into(),
                    external_id: Some("cus_1002".into()),
                    email: "billing@acme.test".into(),
                    first_name: Some("Max".into()),
                    last_name: Some("Mustermann".into()),
                    company_name: Some("Acme GmbH".into()),
                    phone: Some("+49 30 1234567".into()),
                    archived: false,
                    country_id: Some(COUNTRIES[1].0.into()),
                    metadata: None,
                    created_ms: SEED_TIME_MS,
                    updated_ms: SEED_TIME_MS,
                },
            ],
            idempotency: IdempotencyStore::default(),
        }
    }

    /// By UUID or by `external_id`, as the path parameter allows either.
    fn position(&self, id_or_external: &str) -> Option<usize> {
        self.customers
            .iter()
            .position(|c| c.id == id_or_external)
            .or_else(|| {
                self.customers
                    .iter()
                    .position(|c| c.external_id.as_deref() == Some(id_or_external))
            })
    }

    fn external_id_taken(&self, external_id: &str, except: Option<&str>) -> bool {
        self.customers
            .iter()
            .any(|c| c.external_id.as_deref() == Some(external_id) && Some(c.id.as_str()) != except)
    }
}

/// A status and JSON body; turned into a response (and maybe saved for idempotency) at the end.
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn ok(status: StatusCode, customer: &Customer) -> Answer {
        Answer {
            status,
            body: json!({"data": customer.to_json()}),
        }
    }

    fn into_response(self) -> Response {
        reply::json(self.status, JSON, &self.body)
    }
}

fn error(status: StatusCode, kind: &str, message: &str) -> Answer {
    Answer {
        status,
        body: json!({"error": {"type": kind, "message": message}}),
    }
}

fn validation_error(errors: Errors) -> Answer {
    let items: Vec<Value> = errors
        .0
        .into_iter()
        .map(|(field, message)| json!({"field": field, "message": message}))
        .collect();
    Answer {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        body: json!({"error": {"type": "validation_error", "message": "The request data is invalid.", "errors": items}}),
    }
}

fn not_found() -> Answer {
    error(StatusCode::NOT_FOUND, "not_found", "Customer not found.")
}

/// The documented 429 (also used by the `rate_limit` fault).
pub fn rate_limited(retry_after_secs: Option<u64>) -> Response {
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_error",
        "Too many requests. Please retry after the rate limit resets.",
    )
    .into_response();
    if let Some(secs) = retry_after_secs {
        set_header(&mut response, "retry-after", secs);
    }
    response
}

async fn unknown_route() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "The requested resource was not found.",
    )
    .into_response()
}

async fn method_not_allowed(method: Method) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        &format!("The {method} method is not supported for this route."),
    )
    .into_response()
}

async fn list(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |store, request| {
        list_customers(store, request)
    })
}

async fn create(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |store, request| match json_input(request) {
        Ok(input) => create_customer(store, &input),
        Err(answer) => answer,
    })
}

async fn retrieve(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |store, request| {
        match store.position(&request.last_segment()) {
            Some(index) => Answer::ok(StatusCode::OK, &store.customers[index]),
            None => not_found(),
        }
    })
}

async fn update(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |store, request| {
        let Some(index) = store.position(&request.last_segment()) else {
            return not_found();
        };
        match json_input(request) {
            Ok(input) => update_customer(store, index, &input),
            Err(answer) => answer,
        }
    })
}

/// `DELETE` archives (the docs: it "archives the customer; it does not delete it").
async fn archive(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |store, request| {
        let Some(index) = store.position(&request.last_segment()) else {
            return not_found();
        };
        let customer = &mut store.customers[index];
        customer.archived = true;
        customer.updated_ms = now_ms();
        Answer::ok(StatusCode::OK, customer)
    })
}

/// Rate limit, then authentication, then idempotency, then `operation`. Every response carries
/// `X-RateLimit-Limit` and `X-RateLimit-Remaining`, as documented.
fn serve(
    app: &AppState,
    request: &Incoming,
    operation: impl FnOnce(&mut Store, &Incoming) -> Answer,
) -> Response {
    let mut guard = app.world();
    let world = &mut *guard;
    let key = request.bearer_token();
    // Counted per presented key (anonymous requests share one bucket), before authentication,
    // so even a 401 carries the documented headers.
    let verdict = world.limits.hit(
        &format!("prolifi:{}", key.unwrap_or("")),
        world.knobs.prolifi.rate_limit_per_minute,
    );
    let mut response = match verdict.retry_after_secs {
        Some(secs) => rate_limited(Some(secs)),
        None => authorized(&mut world.prolifi, request, key, operation),
    };
    set_header(&mut response, "x-ratelimit-limit", verdict.limit);
    set_header(&mut response, "x-ratelimit-remaining", verdict.remaining);
    response
}

fn authorized(
    store: &mut Store,
    request: &Incoming,
    key: Option<&str>,
    operation: impl FnOnce(&mut Store, &Incoming) -> Answer,
) -> Response {
    let is_write = !matches!(request.method, Method::GET | Method::HEAD);
    let key = match authenticate(key, is_write) {
        Ok(key) => key,
        Err(answer) => return answer.into_response(),
    };
    // Documented: the header works on POST, PATCH, PUT and DELETE and is ignored on GET.
    let idempotency_key = request.header("idempotency-key").filter(|_| is_write);
    let Some(idempotency_key) = idempotency_key else {
        return operation(store, request).into_response();
    };
    if idempotency_key.chars().count() > MAX_KEY_LEN {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The Idempotency-Key header must not be longer than 255 characters.",
        )
        .into_response();
    }
    if idempotency_key.trim().is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The Idempotency-Key header must not be empty.",
        )
        .into_response();
    }
    let fingerprint = Fingerprint {
        method: request.method.to_string(),
        path: request.path.clone(),
        body: request.body.to_vec(),
    };
    match store.idempotency.lookup(key, idempotency_key, &fingerprint) {
        Lookup::Replay(saved) => {
            let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
            let mut response = reply::raw(status, JSON, saved.body);
            set_header(&mut response, "idempotent-replayed", "true");
            response
        }
        Lookup::Mismatch => error(
            StatusCode::CONFLICT,
            "conflict",
            "This Idempotency-Key has already been used with a different request.",
        )
        .into_response(),
        Lookup::Fresh => {
            let answer = operation(store, request);
            if answer.status.is_success() {
                let body = answer.body.to_string();
                store.idempotency.save(
                    key,
                    idempotency_key,
                    fingerprint,
                    answer.status.as_u16(),
                    body,
                );
            }
            answer.into_response()
        }
    }
}

/// Documented key kinds: `sk_test_*` read+write, `pk_test_*` read only; live keys are refused
/// until live mode is enabled (never, in the sandbox).
fn authenticate(key: Option<&str>, is_write: bool) -> Result<&str, Answer> {
    let Some(key) = key else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "No API key provided. Send it as a Bearer token in the Authorization header.",
        ));
    };
    let has_suffix = |prefix: &str| {
        key.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
    };
    if has_suffix("sk_live_") || has_suffix("pk_live_") {
        return Err(error(
            StatusCode::FORBIDDEN,
            "permission_error",
            "Live mode is not enabled for this account. Use a test key (sk_test_* or pk_test_*).",
        ));
    }
    if has_suffix("sk_test_") {
        return Ok(key);
    }
    if has_suffix("pk_test_") {
        if is_write {
            return Err(error(
                StatusCode::FORBIDDEN,
                "permission_error",
                "Public keys (pk_*) are read-only. Use a secret key (sk_*) for write operations.",
            ));
        }
        return Ok(key);
    }
    Err(error(
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "Invalid API key provided.",
    ))
}

/// Documented pagination: `limit` 1..100 (default 20), `offset` >= 0 (default 0).
fn list_customers(store: &mut Store, request: &Incoming) -> Answer {
    let mut errors = Errors::default();
    let mut integer = |name: &str, default: usize, min: usize, max: usize| {
        let Some(raw) = request.query_param(name) else {
            return default;
        };
        match raw.trim().parse::<usize>() {
            Ok(value) if (min..=max).contains(&value) => value,
            Ok(_) => {
                errors.push(
                    name,
                    format!("The {name} field must be between {min} and {max}."),
                );
                default
            }
            Err(_) => {
                errors.push(name, format!("The {name} field must be an integer."));
                default
            }
        }
    };
    let limit = integer("limit", 20, 1, 100);
    let offset = integer("offset", 0, 0, usize::MAX);
    if !errors.is_empty() {
        return validation_error(errors);
    }
    let total = store.customers.len();
    let page: Vec<Value> = store
        .customers
        .iter()
        .skip(offset)
        .take(limit)
        .map(Customer::to_json)
        .collect();
    Answer {
        status: StatusCode::OK,
        body: json!({
            "data": page,
            "pagination": {"total": total, "limit": limit, "offset": offset, "has_more": offset.saturating_add(limit) < total},
        }),
    }
}
