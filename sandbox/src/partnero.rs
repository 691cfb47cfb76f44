//! Partnero's customers API for affiliate programs (contracts.md §1, partnero-create-customer.md,
//! partnero-update-customer.md).
//!
//! Real base `https://api.partnero.com/v1`; here `/partnero/v1`. Laravel-style: success bodies
//! carry `"status": 1`, errors `{"message"}`, validation `{"message", "errors": {field: [..]}}`.

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
    clock::iso_micros,
    incoming::Incoming,
    laravel::{string_field, Errors, Field},
    reply::{self, set_header, JSON},
    state::AppState,
};
use writes::{create_customer, json_input, update_customer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/customers",
            get(list).post(create).put(update_by_body_key),
        )
        .route("/v1/customers:search", get(search))
        .route("/v1/customers/{key}", get(retrieve).put(update_by_path_key))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
}

/// 2025-05-02T16:12:39Z, the timestamp in the docs' examples.
const SEED_TIME_MS: i64 = 1_746_202_359_000;
const MAX: usize = 255;

struct Partner {
    id: &'static str,
    key: &'static str,
    email: &'static str,
}

const PARTNERS: [Partner; 2] = [
    Partner {
        id: "partner_123",
        key: "ref_123",
        email: "partner@example.com",
    },
    Partner {
        id: "partner_456",
        key: "ref_456",
        email: "second.partner@example.com",
    },
];

#[derive(Clone)]
struct Customer {
    key: String,
    partner_id: String,
    name: Option<String>,
    surname: Option<String>,
    email: Option<String>,
    tags: Vec<String>,
    created_ms: i64,
    updated_ms: i64,
}

impl Customer {
    /// The documented customer object. The list endpoint's items carry no `tags`.
    fn to_json(&self, with_tags: bool) -> Value {
        let mut value = json!({
            "key": self.key,
            "partner": self.partner_id,
            "deleted": false,
            "name": self.name,
            "surname": self.surname,
            "email": self.email,
            "status": "active",
            "created_at": iso_micros(self.created_ms),
            "updated_at": iso_micros(self.updated_ms),
            "deleted_at": null,
        });
        if with_tags {
            let tags: Vec<Value> = self.tags.iter().map(|t| json!({"value": t})).collect();
            value["tags"] = Value::Array(tags);
        }
        value
    }
}

pub struct Store {
    customers: Vec<Customer>,
}

impl Store {
    pub fn seeded() -> Self {
        let seed =
            |key: &str, partner: &str, name: &str, surname: &str, email: &str, tags: &[&str]| {
                Customer {
                    key: key.into(),
                    partner_id: partner.into(),
                    name: Some(name.into()),
                    surname: Some(surname.into()),
                    email: Some(email.into()),
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                    created_ms: SEED_TIME_MS,
                    updated_ms: SEED_TIME_MS,
                }
            };
        Store {
            customers: vec![
                seed(
                    "customer_123",
                    "partner_123",
                    "Alice",
                    "Brown",
                    "alice.brown@example.com",
                    &["new"],
                ),
                seed(
                    "customer_456",
                    "partner_456",
                    "Bob",
                    "Stone",
                    "bob.stone@example.com",
                    &["premium", "vip"],
                ),
            ],
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.customers.iter().position(|c| c.key == key)
    }

    fn key_taken(&self, key: &str, except: Option<usize>) -> bool {
        self.customers
            .iter()
            .enumerate()
            .any(|(i, c)| c.key == key && Some(i) != except)
    }

    /// E-mail uniqueness is case-insensitive, like MySQL's default collation under Laravel.
    fn email_taken(&self, email: &str, except: Option<usize>) -> bool {
        self.customers.iter().enumerate().any(|(i, c)| {
            Some(i) != except
                && c.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
    }
}

struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn data(status: StatusCode, customer: &Customer) -> Answer {
        Answer {
            status,
            body: json!({"data": customer.to_json(true), "status": 1}),
        }
    }

    fn into_response(self) -> Response {
        reply::json(self.status, JSON, &self.body)
    }
}

fn message(status: StatusCode, text: &str) -> Answer {
    Answer {
        status,
        body: json!({"message": text}),
    }
}

/// Laravel's classic 422 body (the exact shape is inferred from the PHP SDK, contracts.md §1.5).
fn validation_error(errors: Errors) -> Answer {
    let mut by_field = Map::new();
    for (field, text) in errors.0 {
        if let Value::Array(list) = by_field.entry(field).or_insert_with(|| json!([])) {
            list.push(Value::String(text));
        }
    }
    Answer {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        body: json!({"message": "The given data was invalid.", "errors": by_field}),
    }
}

fn not_found() -> Answer {
    message(StatusCode::NOT_FOUND, "Customer not found.")
}

/// Laravel's throttle answer (used when a limit is configured, and by the `rate_limit` fault).
pub fn rate_limited(retry_after_secs: Option<u64>) -> Response {
    let mut response = message(StatusCode::TOO_MANY_REQUESTS, "Too Many Attempts.").into_response();
    if let Some(secs) = retry_after_secs {
        set_header(&mut response, "retry-after", secs);
    }
    response
}

async fn unknown_route() -> Response {
    message(StatusCode::NOT_FOUND, "The route could not be found.").into_response()
}

async fn method_not_allowed(method: Method) -> Response {
    message(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("The {method} method is not supported for this route."),
    )
    .into_response()
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
            Some(index) => Answer::data(StatusCode::OK, &store.customers[index]),
            None => not_found(),
        }
    })
}

/// `PUT /customers/{key}`. The customer is looked up first (route model binding runs before
/// validation in Laravel), so an unknown key is a 404 whatever the body.
async fn update_by_path_key(State(app): State<AppState>, request: Incoming) -> Response {
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

/// `PUT /customers` with the key in the body (what the PHP SDK sends).
async fn update_by_body_key(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |store, request| {
        let input = match json_input(request) {
            Ok(input) => input,
            Err(answer) => return answer,
        };
        let mut errors = Errors::default();
        let key = match string_field(&input, "key", "key", MAX, &mut errors) {
            Field::Text(key) => key,
            Field::Absent | Field::Null => {
                errors.required("key");
                return validation_error(errors);
            }
            Field::Invalid => return validation_error(errors),
        };
        match store.position(&key) {
            Some(index) => update_customer(store, index, &input),
            None => not_found(),
        }
    })
}

/// `GET /customers:search?email=` or `?key=` (seen in the official n8n node, not in the docs).
async fn search(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |store, request| {
        let email = request
            .query_param("email")
            .filter(|e| !e.trim().is_empty());
        let key = request.query_param("key").filter(|k| !k.trim().is_empty());
        let found: Vec<Value> = match (email, key) {
            (Some(email), _) => store
                .customers
                .iter()
                .filter(|c| {
                    c.email
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(email.trim()))
                })
                .map(|c| c.to_json(true))
                .collect(),
            (None, Some(key)) => store
                .customers
                .iter()
                .filter(|c| c.key == key.trim())
                .map(|c| c.to_json(true))
                .collect(),
            (None, None) => {
                let mut errors = Errors::default();
                errors.push(
                    "email",
                    "The email field is required when key is not present.".into(),
                );
                return validation_error(errors);
            }
        };
        Answer {
            status: StatusCode::OK,
            body: json!({"data": found, "status": 1}),
        }
    })
}

/// Documented list: `limit` 1..250 (default 15), `page`, filters `partner.key` / `partner.email`.
async fn list(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |store, request| {
        let mut errors = Errors::default();
        let mut integer = |name: &str, default: usize, max: usize| match request.query_param(name) {
            None => default,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(value) if (1..=max).contains(&value) => value,
                _ => {
                    errors.push(
                        name,
                        format!("The {name} field must be between 1 and {max}."),
                    );
                    default
                }
            },
        };
        let per_page = integer("limit", 15, 250);
        let page = integer("page", 1, usize::MAX);
        if !errors.is_empty() {
            return validation_error(errors);
        }
        let partner_key = request.query_param("partner.key");
        let partner_email = request.query_param("partner.email");
        let matching: Vec<&Customer> = store
            .customers
            .iter()
            .filter(|c| {
                let partner = PARTNERS.iter().find(|p| p.id == c.partner_id);
                partner_key
                    .as_deref()
                    .is_none_or(|k| partner.is_some_and(|p| p.key == k))
                    && partner_email
                        .as_deref()
                        .is_none_or(|e| partner.is_some_and(|p| p.email.eq_ignore_ascii_case(e)))
            })
            .collect();
        let last_page = matching.len().div_ceil(per_page).max(1);
        let start = (page - 1).saturating_mul(per_page);
        let items: Vec<Value> = matching
            .iter()
            .skip(start)
            .take(per_page)
            .map(|c| c.to_json(false))
            .collect();
        let path = format!("http://{}/partnero/v1/customers", request.host());
        let link = |n: usize| Value::String(format!("{path}?page={n}"));
        let (from, to) = if items.is_empty() {
            (Value::Null, Value::Null)
        } else {
            (json!(start + 1), json!(start + items.len()))
        };
        Answer {
            status: StatusCode::OK,
            body: json!({
                "data": items,
                "links": {
                    "first": link(1),
                    "last": link(last_page),
                    "prev": if page > 1 { link(page - 1) } else { Value::Null },
                    "next": if page < last_page { link(page + 1) } else { Value::Null },
                },
                "meta": {"current_page": page, "from": from, "path": path, "per_page": per_page, "to": to},
                "status": 1,
            }),
        }
    })
}

/// Optional rate limit (only when configured), then the Bearer program API key, then `operation`.
fn serve(
    app: &AppState,
    request: &Incoming,
    operation: impl FnOnce(&mut Store, &Incoming) -> Answer,
) -> Response {
    let expected_key = app.credentials().partnero_api_key.clone();
    let mut guard = app.world();
    let world = &mut *guard;
    let verdict = world.knobs.partnero.rate_limit_per_minute.map(|limit| {
        world.limits.hit(
            &format!("partnero:{}", request.bearer_token().unwrap_or("")),
            limit,
        )
    });
    let mut response = match verdict.and_then(|v| v.retry_after_secs) {
        Some(secs) => rate_limited(Some(secs)),
        None if request.bearer_token() != Some(expected_key.as_str()) => {
            message(StatusCode::UNAUTHORIZED, "Unauthenticated.").into_response()
        }
        None => operation(&mut world.partnero, request).into_response(),
    };
    if let Some(verdict) = verdict {
        set_header(&mut response, "x-ratelimit-limit", verdict.limit);
        set_header(&mut response, "x-ratelimit-remaining", verdict.remaining);
    }
    response
}
