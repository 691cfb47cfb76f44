//! Commerce Layer's customers resource, JSON:API (contracts.md §4, commercelayer-update-customer.md).
//!
//! Real: `https://{org}.commercelayer.io/api/customers` and `https://auth.commercelayer.io/oauth/token`;
//! here `/commercelayer/api/customers` and `/commercelayer/oauth/token`.
//! Order of checks: rate limit -> `Accept` (406) -> `Content-Type` on writes (415) -> token (401)
//! -> permission (401, Commerce Layer has no 403) -> document structure (400) -> relationships
//! (404) -> attribute validation (422).

mod oauth;

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
    ids::{commercelayer_id, random_hex, uuid_v4},
    incoming::{Incoming, JsonBody},
    rate_limit::{Verdict, WINDOW},
    reply::{self, set_header, JSON_API},
    state::AppState,
};

use oauth::Caller;
pub use oauth::Tokens;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/token", post(oauth::token))
        .route("/api/customers", get(list).post(create))
        .route("/api/customers/{id}", get(retrieve).patch(update))
        .route("/api/customer_groups", get(list_customer_groups))
        .route("/api/tags", get(list_tags))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
}

const ORGANIZATION_ID: &str = "wRPpEFOkVr";
const MARKET_CODE: &str = "europe";
const MARKET_ID: &str = "BjQkZhRZJn";
/// 2025-05-02T16:12:39Z, the timestamp of every seeded record.
const SEED_TIME_MS: i64 = 1_746_202_359_000;
/// Documented: a resource can have at most 10 tags.
const MAX_TAGS: usize = 10;
/// Attributes that "cannot be passed by sales channels" (SDK), plus `reference`, which the
/// sandbox also keeps integration-only (an inference in contracts.md §4.2).
const INTEGRATION_ONLY_ATTRIBUTES: [&str; 5] = [
    "_add_tags",
    "_remove_tags",
    "_request_anonymization",
    "_cancel_anonymization",
    "reference",
];
const CREATE_ATTRIBUTES: [&str; 8] = [
    "email",
    "password",
    "shopper_reference",
    "profile_id",
    "tax_exemption_code",
    "reference",
    "reference_origin",
    "metadata",
];
const UPDATE_ATTRIBUTES: [&str; 12] = [
    "email",
    "password",
    "shopper_reference",
    "profile_id",
    "tax_exemption_code",
    "_add_tags",
    "_remove_tags",
    "reference",
    "reference_origin",
    "metadata",
    "_request_anonymization",
    "_cancel_anonymization",
];
/// Relationship links every customer resource carries.
const RELATIONSHIPS: [&str; 11] = [
    "customer_group",
    "customer_addresses",
    "customer_payment_sources",
    "customer_subscriptions",
    "orders",
    "order_subscriptions",
    "returns",
    "sku_lists",
    "attachments",
    "events",
    "tags",
];

struct Named {
    id: &'static str,
    name: &'static str,
}

const CUSTOMER_GROUPS: [Named; 4] = [
    Named {
        id: "ABCRtyUpBa",
        name: "VIP",
    },
    Named {
        id: "dKmLpQrStU",
        name: "Wholesale",
    },
    Named {
        id: "eRtLmNoPqA",
        name: "Retail",
    },
    Named {
        id: "fStUvWxYzB",
        name: "Staff",
    },
];

/// The organisation's customer groups: the seeded ones, then `extra` generated ones (the
/// `extra_customer_groups` knob) as `(id, name)`.
fn customer_groups(extra: u32) -> impl Iterator<Item = (String, String)> {
    CUSTOMER_GROUPS
        .iter()
        .map(|g| (g.id.to_owned(), g.name.to_owned()))
        .chain((1..=extra).map(|n| (format!("xGrp{n:06}"), format!("Region {n:03}"))))
}

fn find_group(id: &str, extra: u32) -> Option<(String, String)> {
    customer_groups(extra).find(|(group, _)| group == id)
}

fn extra_groups(app: &AppState) -> u32 {
    app.world().knobs.commercelayer.extra_customer_groups
}

/// Eleven tags, so the ten-tag limit can be exceeded.
const TAGS: [Named; 11] = [
    Named {
        id: "geJmexflJQ",
        name: "vip",
    },
    Named {
        id: "kLbNwQpRtY",
        name: "b2b",
    },
    Named {
        id: "mPqRsTuVwX",
        name: "new",
    },
    Named {
        id: "nRtYuIoPlK",
        name: "wholesale",
    },
    Named {
        id: "oZxCvBnMaS",
        name: "newsletter",
    },
    Named {
        id: "pAsDfGhJkL",
        name: "gold",
    },
    Named {
        id: "qWeRtYuIoP",
        name: "silver",
    },
    Named {
        id: "rZxCvBnMqW",
        name: "bronze",
    },
    Named {
        id: "sPlMoKnIjB",
        name: "eu",
    },
    Named {
        id: "tUhBvGyTfC",
        name: "uk",
    },
    Named {
        id: "uYgVtFcRdX",
        name: "us",
    },
];

#[derive(Clone)]
struct Customer {
    id: String,
    email: String,
    password: Option<String>,
    status: &'static str,
    total_orders_count: u32,
    shopper_reference: Option<String>,
    profile_id: Option<String>,
    tax_exemption_code: Option<String>,
    reference: Option<String>,
    reference_origin: Option<String>,
    metadata: Map<String, Value>,
    anonymization_requested_ms: Option<i64>,
    customer_group_id: Option<String>,
    tag_ids: Vec<String>,
    created_ms: i64,
    updated_ms: i64,
}

pub struct Store {
    customers: Vec<Customer>,
    tokens: Tokens,
}

impl Store {
    pub fn seeded() -> Self {
        let ada = Customer {
            id: "XAyRWNUzyN".into(),
            email: "ada@example.com".into(),
            password: Some("ada-password".into()),
            status: "acquired",
            total_orders_count: 1,
            shopper_reference: Some("shopper-ada".into()),
            profile_id: Some("profile-ada".into()),
            tax_exemption_code: None,
            reference: Some("crm-ada-1815".into()),
            reference_origin: Some("crm".into()),
            metadata: json!({"favourite_colour": "teal", "newsletter": true})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            anonymization_requested_ms: None,
            customer_group_id: Some("ABCRtyUpBa".into()),
            tag_ids: vec!["geJmexflJQ".into(), "oZxCvBnMaS".into()],
            created_ms: SEED_TIME_MS,
            updated_ms: SEED_TIME_MS,
        };
        let grace = Customer {
            id: "QWpnGhTkLm".into(),
            email: "grace@example.com".into(),
            password: Some("grace-password".into()),
            status: "prospect",
            total_orders_count: 0,
            shopper_reference: Some("shopper-grace".into()),
            profile_id: Some("profile-grace".into()),
            tax_exemption_code: None,
            reference: None,
            reference_origin: None,
            metadata: Map::new(),
            anonymization_requested_ms: None,
            customer_group_id: None,
            tag_ids: vec!["kLbNwQpRtY".into()],
            created_ms: SEED_TIME_MS,
            updated_ms: SEED_TIME_MS,
        };
        Store {
            customers: vec![ada, grace],
            tokens: Tokens::default(),
        }
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.customers.iter().position(|c| c.id == id)
    }

    fn email_taken(&self, email: &str, except: Option<usize>) -> bool {
        self.customers
            .iter()
            .enumerate()
            .any(|(i, c)| Some(i) != except && c.email.eq_ignore_ascii_case(email))
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// A JSON:API error document: `{"errors": [{title, detail, code, status, source?, meta?}]}`.
pub struct ClError {
    status: StatusCode,
    items: Vec<Value>,
}

impl ClError {
    fn new(status: StatusCode, title: &str, detail: &str, code: &str) -> ClError {
        ClError {
            status,
            items: vec![
                json!({"title": title, "detail": detail, "code": code, "status": status.as_str()}),
            ],
        }
    }

    fn with_pointer(mut self, pointer: &str) -> ClError {
        if let Some(Value::Object(item)) = self.items.first_mut() {
            item.insert("source".into(), json!({"pointer": pointer}));
        }
        self
    }

    fn invalid_token() -> ClError {
        ClError::new(
            StatusCode::UNAUTHORIZED,
            "Invalid token",
            "The access token you provided is invalid.",
            "INVALID_TOKEN",
        )
    }

    fn unauthorized() -> ClError {
        ClError::new(
            StatusCode::UNAUTHORIZED,
            "Access denied",
            "You are not authorized to perform this action on the requested resource.",
            "UNAUTHORIZED",
        )
    }

    fn not_found(id: &str) -> ClError {
        ClError::new(
            StatusCode::NOT_FOUND,
            "Record not found",
            &format!("The record identified by {id} could not be found."),
            "RECORD_NOT_FOUND",
        )
    }

    fn bad_request(title: &str, detail: &str, code: &str) -> ClError {
        ClError::new(StatusCode::BAD_REQUEST, title, detail, code)
    }

    fn param_not_allowed(name: &str, pointer: &str, detail: &str) -> ClError {
        ClError::bad_request("Param not allowed", detail, "PARAM_NOT_ALLOWED")
            .with_pointer(&format!("{pointer}/{name}"))
    }

    fn render(self) -> Response {
        self.render_as(JSON_API)
    }

    fn render_as(self, content_type: &'static str) -> Response {
        reply::json(self.status, content_type, &json!({"errors": self.items}))
    }
}

/// 422 validation errors, collected: title `can't be blank`, detail `email - can't be blank`.
#[derive(Default)]
struct Invalid(Vec<Value>);

impl Invalid {
    fn add(&mut self, pointer: &str, title: &str, error: &str, value: &Value) {
        let name = pointer.rsplit('/').next().unwrap_or(pointer);
        self.0.push(json!({
            "title": title,
            "detail": format!("{name} - {title}"),
            "code": "VALIDATION_ERROR",
            "source": {"pointer": pointer},
            "status": "422",
            "meta": {"error": error, "value": value},
        }));
    }

    fn into_result(self) -> Result<(), ClError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ClError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                items: self.0,
            })
        }
    }
}

/// 429 without `Retry-After` (Commerce Layer sends none; the `rate_limit` fault may add one).
pub fn rate_limited(retry_after_secs: Option<u64>) -> Response {
    let mut response = ClError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests",
        "You have exceeded the allowed number of requests. Please slow down.",
        "TOO_MANY_REQUESTS",
    )
    .render();
    if let Some(secs) = retry_after_secs {
        set_header(&mut response, "retry-after", secs);
    }
    response
}

/// The headers the official SDK reads; documented: there is no reset header.
fn set_rate_headers(response: &mut Response, verdict: &Verdict) {
    set_header(response, "x-ratelimit-limit", verdict.limit);
    set_header(response, "x-ratelimit-interval", WINDOW.as_secs());
    set_header(response, "x-ratelimit-remaining", verdict.remaining);
}

async fn unknown_route() -> Response {
    ClError::new(
        StatusCode::NOT_FOUND,
        "Not found",
        "The requested resource was not found.",
        "NOT_FOUND",
    )
    .render()
}

async fn method_not_allowed(method: Method) -> Response {
    ClError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        &format!("The {method} method is not allowed on this resource."),
        "METHOD_NOT_ALLOWED",
    )
    .render()
}

// ---------------------------------------------------------------------------------------------
// Request gate

type Outcome = Result<(StatusCode, Value), ClError>;

fn serve(
    app: &AppState,
    request: &Incoming,
    operation: impl FnOnce(&mut Store, &Incoming, &Caller) -> Outcome,
) -> Response {
    let mut guard = app.world();
    let world = &mut *guard;
    // Commerce Layer counts per IP; everything reaching the sandbox is one IP.
    let verdict = world.limits.hit(
        "commercelayer:api",
        world.knobs.commercelayer.rate_limit_per_minute,
    );
    let mut response = if verdict.retry_after_secs.is_some() {
        rate_limited(None)
    } else {
        let outcome = check_media_types(request)
            .and_then(|()| world.commercelayer.tokens.authenticate(request))
            .and_then(|caller| operation(&mut world.commercelayer, request, &caller));
        match outcome {
            Ok((status, body)) => reply::json(status, JSON_API, &body),
            Err(error) => error.render(),
        }
    };
    set_rate_headers(&mut response, &verdict);
    response
}

/// `Accept` must list `application/vnd.api+json` (406 otherwise); writes must send exactly
/// `Content-Type: application/vnd.api+json`, without media type parameters (415 otherwise; the
/// JSON:API spec requires servers to refuse parameters).
fn check_media_types(request: &Incoming) -> Result<(), ClError> {
    let accepts = request.header("accept").is_some_and(|accept| {
        accept
            .split(',')
            .any(|item| item.trim().eq_ignore_ascii_case(JSON_API))
    });
    if !accepts {
        return Err(ClError::new(
            StatusCode::NOT_ACCEPTABLE,
            "Not acceptable",
            "All requests must use the 'application/vnd.api+json' Accept header.",
            "NOT_ACCEPTABLE",
        ));
    }
    if matches!(request.method, Method::POST | Method::PATCH) {
        let exact = request
            .header("content-type")
            .is_some_and(|ct| ct.trim().eq_ignore_ascii_case(JSON_API));
        if !exact {
            return Err(ClError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                "All requests that create or update must use the 'application/vnd.api+json' Content-Type.",
                "UNSUPPORTED_MEDIA_TYPE",
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Resource objects

/// `include=customer_group,tags`; anything else is a 400.
fn includes(request: &Incoming) -> Result<Vec<&'static str>, ClError> {
    let Some(raw) = request.query_param("include") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match name {
            "customer_group" => out.push("customer_group"),
            "tags" => out.push("tags"),
            other => {
                return Err(ClError::bad_request(
                    "Invalid field",
                    &format!("{other} is not a valid includable relationship of customers"),
                    "INVALID_INCLUDE",
                ))
            }
        }
    }
    Ok(out)
}

fn base_url(request: &Incoming) -> String {
    format!("http://{}/commercelayer/api", request.host())
}

fn meta() -> Value {
    json!({"mode": "test", "organization_id": ORGANIZATION_ID, "trace_id": random_hex(32)})
}

fn customer_resource(customer: &Customer, base: &str, include: &[&str]) -> Value {
    let self_link = format!("{base}/customers/{}", customer.id);
    let mut relationships = Map::new();
    for name in RELATIONSHIPS {
        let mut relation = json!({"links": {
            "self": format!("{self_link}/relationships/{name}"),
            "related": format!("{self_link}/{name}"),
        }});
        if include.contains(&name) && name == "customer_group" {
            relation["data"] = match &customer.customer_group_id {
                Some(id) => json!({"type": "customer_groups", "id": id}),
                None => Value::Null,
            };
        }
        if include.contains(&name) && name == "tags" {
            relation["data"] = customer
                .tag_ids
                .iter()
                .map(|id| json!({"type": "tags", "id": id}))
                .collect();
        }
        relationships.insert(name.into(), relation);
    }
    let anonymization_info = customer.anonymization_requested_ms.map(
        |ms| json!({"status": "requested", "requested_at": iso_millis(ms), "requester": null}),
    );
    json!({
        "id": customer.id,
        "type": "customers",
        "links": {"self": self_link},
        "attributes": {
            "email": customer.email,
            "status": customer.status,
            "has_password": customer.password.is_some(),
            "total_orders_count": customer.total_orders_count,
            "shopper_reference": customer.shopper_reference,
            "profile_id": customer.profile_id,
            "tax_exemption_code": customer.tax_exemption_code,
            "reference": customer.reference,
            "reference_origin": customer.reference_origin,
            "anonymization_info": anonymization_info,
            "anonymization_status": anonymization_info.as_ref().map(|_| "requested"),
            "metadata": customer.metadata,
            "created_at": iso_millis(customer.created_ms),
            "updated_at": iso_millis(customer.updated_ms),
        },
        "relationships": relationships,
        "meta": meta(),
    })
}

fn named_resource(kind: &str, id: &str, name: &str, base: &str) -> Value {
    let mut attributes = json!({
        "name": name,
        "reference": null,
        "reference_origin": null,
        "metadata": {},
        "created_at": iso_millis(SEED_TIME_MS),
        "updated_at": iso_millis(SEED_TIME_MS),
    });
    if kind == "customer_groups" {
        attributes["code"] = Value::Null;
    }
    json!({
        "id": id,
        "type": kind,
        "links": {"self": format!("{base}/{kind}/{id}")},
        "attributes": attributes,
        "meta": meta(),
    })
}

/// The `included` array for the given customers, without duplicates.
fn included(customers: &[&Customer], base: &str, include: &[&str], extra: u32) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for customer in customers {
        if include.contains(&"customer_group") {
            if let Some((id, name)) = customer
                .customer_group_id
                .as_deref()
                .and_then(|id| find_group(id, extra))
            {
                if !seen.contains(&format!("g:{id}")) {
                    seen.push(format!("g:{id}"));
                    out.push(named_resource("customer_groups", &id, &name, base));
                }
            }
        }
        if include.contains(&"tags") {
            for tag in customer
                .tag_ids
                .iter()
                .filter_map(|id| TAGS.iter().find(|t| t.id == id))
            {
                if !seen.contains(&format!("t:{}", tag.id)) {
                    seen.push(format!("t:{}", tag.id));
                    out.push(named_resource("tags", tag.id, tag.name, base));
                }
            }
        }
    }
    out
}

fn single_document(customer: &Customer, request: &Incoming, include: &[&str], extra: u32) -> Value {
    let base = base_url(request);
    let mut document = json!({"data": customer_resource(customer, &base, include)});
    if !include.is_empty() {
        document["included"] = Value::Array(included(&[customer], &base, include, extra));
    }
    document
}

// ---------------------------------------------------------------------------------------------
// Handlers

/// `GET /api/customers`: integration tokens only (sales channels can never list customers).
async fn list(State(app): State<AppState>, request: Incoming) -> Response {
    let extra = extra_groups(&app);
    serve(&app, &request, |store, request, caller| {
        if *caller != Caller::Integration {
            return Err(ClError::unauthorized());
        }
        let include = includes(request)?;
        let (number, size) = page_params(request)?;
        let email_eq = request.query_param("filter[q][email_eq]");
        let matching: Vec<&Customer> = store
            .customers
            .iter()
            .filter(|c| {
                email_eq
                    .as_deref()
                    .is_none_or(|e| c.email.eq_ignore_ascii_case(e.trim()))
            })
            .collect();
        let page_count = matching.len().div_ceil(size).max(1);
        let page: Vec<&Customer> = matching
            .iter()
            .skip((number - 1).saturating_mul(size))
            .take(size)
            .copied()
            .collect();
        let base = base_url(request);
        let mut document = json!({
            "data": page.iter().map(|c| customer_resource(c, &base, &include)).collect::<Vec<_>>(),
            "meta": {"record_count": matching.len(), "page_count": page_count},
            "links": {
                "first": format!("{base}/customers?page[number]=1&page[size]={size}"),
                "last": format!("{base}/customers?page[number]={page_count}&page[size]={size}"),
            },
        });
        if number < page_count {
            document["links"]["next"] = json!(format!(
                "{base}/customers?page[number]={}&page[size]={size}",
                number + 1
            ));
        }
        if !include.is_empty() {
            document["included"] = Value::Array(included(&page, &base, &include, extra));
        }
        Ok((StatusCode::OK, document))
    })
}

/// `page[number]` (from 1) and `page[size]` (documented: default 10, at most 25).
fn page_params(request: &Incoming) -> Result<(usize, usize), ClError> {
    let page_param = |name: &str, default: usize, max: usize| -> Result<usize, ClError> {
        match request.query_param(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    ClError::bad_request(
                        "Invalid page value",
                        &format!("{raw} is not a valid value for {name}."),
                        "INVALID_PAGE_VALUE",
                    )
                }),
        }
    };
    Ok((
        page_param("page[number]", 1, usize::MAX)?,
        page_param("page[size]", 10, 25)?,
    ))
}

/// `GET /api/customer_groups`: the organisation's groups, paginated, `filter[q][name_cont]`.
async fn list_customer_groups(State(app): State<AppState>, request: Incoming) -> Response {
    let extra = extra_groups(&app);
    serve(&app, &request, |_, request, caller| {
        named_list("customer_groups", customer_groups(extra), request, caller)
    })
}

/// `GET /api/tags`: the organisation's tags, paginated, `filter[q][name_cont]`.
async fn list_tags(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |_, request, caller| {
        let tags = TAGS.iter().map(|t| (t.id.to_owned(), t.name.to_owned()));
        named_list("tags", tags, request, caller)
    })
}

/// A JSON:API list of named resources (integration tokens only, like every list here).
fn named_list(
    kind: &str,
    all: impl Iterator<Item = (String, String)>,
    request: &Incoming,
    caller: &Caller,
) -> Outcome {
    if *caller != Caller::Integration {
        return Err(ClError::unauthorized());
    }
    if request.query_param("include").is_some() {
        return Err(ClError::bad_request(
            "Invalid field",
            &format!("{kind} have no includable relationships here"),
            "INVALID_INCLUDE",
        ));
    }
    let (number, size) = page_params(request)?;
    let contains = request
        .query_param("filter[q][name_cont]")
        .map(|n| n.trim().to_lowercase());
    let matching: Vec<(String, String)> = all
        .filter(|(_, name)| {
            contains
                .as_deref()
                .is_none_or(|c| name.to_lowercase().contains(c))
        })
        .collect();
    let page_count = matching.len().div_ceil(size).max(1);
    let base = base_url(request);
    let data: Vec<Value> = matching
        .iter()
        .skip((number - 1).saturating_mul(size))
        .take(size)
        .map(|(id, name)| named_resource(kind, id, name, &base))
        .collect();
    let link = |n: usize| format!("{base}/{kind}?page[number]={n}&page[size]={size}");
    let mut document = json!({
        "data": data,
        "meta": {"record_count": matching.len(), "page_count": page_count},
        "links": {"first": link(1), "last": link(page_count)},
    });
    if number < page_count {
        document["links"]["next"] = json!(link(number + 1));
    }
    Ok((StatusCode::OK, document))
}

/// A customer token may touch only its own record; guests none; integrations any (404 if missing).
fn readable_position(store: &Store, caller: &Caller, id: &str) -> Result<usize, ClError> {
    match caller {
        Caller::Guest => Err(ClError::unauthorized()),
        Caller::Customer(own) if own != id => Err(ClError::unauthorized()),
        Caller::Customer(_) => store.position(id).ok_or_else(ClError::unauthorized),
        Caller::Integration => store.position(id).ok_or_else(|| ClError::not_found(id)),
    }
}

async fn retrieve(State(app): State<AppState>, request: Incoming) -> Response {
    let extra = extra_groups(&app);
    serve(&app, &request, |store, request, caller| {
        let index = readable_position(store, caller, &request.last_segment())?;
        let include = includes(request)?;
        Ok((
            StatusCode::OK,
            single_document(&store.customers[index], request, &include, extra),
        ))
    })
}

async fn create(State(app): State<AppState>, request: Incoming) -> Response {
    let extra = extra_groups(&app);
    serve(&app, &request, |store, request, caller| {
        // Guests (sales channel client_credentials) may only create; customer tokens may not.
        if matches!(caller, Caller::Customer(_)) {
            return Err(ClError::unauthorized());
        }
        let include = includes(request)?;
        let document = Document::parse(request, None, &CREATE_ATTRIBUTES, caller)?;
        let now = now_ms();
        let mut customer = Customer {
            id: commercelayer_id(),
            email: String::new(),
            password: None,
            status: "prospect",
            total_orders_count: 0,
            shopper_reference: None,
            profile_id: None,
            tax_exemption_code: None,
            reference: None,
            reference_origin: None,
            metadata: Map::new(),
            anonymization_requested_ms: None,
            customer_group_id: None,
            tag_ids: Vec::new(),
            created_ms: now,
            updated_ms: now,
        };
        apply(&mut customer, &document, store, None, true, extra)?;
        // Documented: shopper_reference and profile_id are auto-generated if missing.
        customer.shopper_reference.get_or_insert_with(uuid_v4);
        customer.profile_id.get_or_insert_with(uuid_v4);
        store.customers.push(customer.clone());
        Ok((
            StatusCode::CREATED,
            single_document(&customer, request, &include, extra),
        ))
    })
}

async fn update(State(app): State<AppState>, request: Incoming) -> Response {
    let extra = extra_groups(&app);
    serve(&app, &request, |store, request, caller| {
        let id = request.last_segment();
        let index = readable_position(store, caller, &id)?;
        let include = includes(request)?;
        let document = Document::parse(request, Some(&id), &UPDATE_ATTRIBUTES, caller)?;
        let mut customer = store.customers[index].clone();
        apply(&mut customer, &document, store, Some(index), false, extra)?;
        customer.updated_ms = now_ms().max(customer.updated_ms + 1);
        store.customers[index] = customer;
        Ok((
            StatusCode::OK,
            single_document(&store.customers[index], request, &include, extra),
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// Request documents

/// The structurally valid parts of a `{"data": {type, id?, attributes?, relationships?}}` body.
struct Document {
    attributes: Map<String, Value>,
    relationships: Map<String, Value>,
}

impl Document {
    fn parse(
        request: &Incoming,
        url_id: Option<&str>,
        allowed: &[&str],
        caller: &Caller,
    ) -> Result<Document, ClError> {
        let missing = |name: &str| {
            ClError::bad_request(
                "Missing parameter",
                &format!("The required parameter, {name}, is missing."),
                "PARAM_MISSING",
            )
        };
        let body = match request.json_body() {
            JsonBody::Object(body) => body,
            JsonBody::Empty => return Err(missing("data")),
            JsonBody::NotAnObject | JsonBody::Invalid => {
                return Err(ClError::bad_request(
                    "Bad request",
                    "The request body is not a valid JSON:API document.",
                    "BAD_REQUEST",
                ))
            }
        };
        let Some(Value::Object(data)) = body.get("data") else {
            return Err(missing("data"));
        };
        match data.get("type") {
            None | Some(Value::Null) => return Err(missing("type")),
            Some(Value::String(kind)) if kind == "customers" => {}
            Some(other) => {
                let shown = other
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| other.to_string());
                return Err(ClError::bad_request(
                    "Invalid resource",
                    &format!("{shown} is not a valid resource."),
                    "INVALID_RESOURCE",
                ));
            }
        }
        match (url_id, data.get("id")) {
            // Update: `data.id` is required and must be the id in the URL.
            (Some(url_id), given) if given.and_then(Value::as_str) != Some(url_id) => {
                let shown = given.map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                });
                return Err(ClError::bad_request(
                    "Key is not included in URL",
                    &format!(
                        "The URL does not support the key {}",
                        shown.unwrap_or_else(|| "null".into())
                    ),
                    "KEY_NOT_INCLUDED_IN_URL",
                ));
            }
            (None, Some(_)) => {
                return Err(ClError::param_not_allowed(
                    "id",
                    "/data",
                    "id is not allowed.",
                ));
            }
            _ => {}
        }
        let object = |name: &str| match data.get(name) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(_) => Err(ClError::bad_request(
                "Bad request",
                &format!("data.{name} must be an object."),
                "BAD_REQUEST",
            )
            .with_pointer(&format!("/data/{name}"))),
        };
        let attributes = object("attributes")?;
        let relationships = object("relationships")?;
        for name in attributes.keys() {
            if !allowed.contains(&name.as_str()) {
                return Err(ClError::param_not_allowed(
                    name,
                    "/data/attributes",
                    &format!("{name} is not allowed."),
                ));
            }
            if caller.is_sales_channel() && INTEGRATION_ONLY_ATTRIBUTES.contains(&name.as_str()) {
                return Err(ClError::param_not_allowed(
                    name,
                    "/data/attributes",
                    &format!("{name} cannot be set with a sales channel token."),
                ));
            }
        }
        for name in relationships.keys() {
            if name != "customer_group" && name != "tags" {
                return Err(ClError::param_not_allowed(
                    name,
                    "/data/relationships",
                    &format!("{name} is not allowed."),
                ));
            }
            if caller.is_sales_channel() {
                return Err(ClError::param_not_allowed(
                    name,
                    "/data/relationships",
                    &format!("{name} cannot be set with a sales channel token."),
                ));
            }
        }
        Ok(Document {
            attributes,
            relationships,
        })
    }
}

/// Applies a parsed document to `customer` (a copy; the caller stores it on success).
/// Relationship ids that do not exist are 404s; attribute problems are collected into one 422.
fn apply(
    customer: &mut Customer,
    document: &Document,
    store: &Store,
    index: Option<usize>,
    creating: bool,
    extra_groups: u32,
) -> Result<(), ClError> {
    let mut invalid = Invalid::default();
    let attributes = &document.attributes;
    let pointer = |name: &str| format!("/data/attributes/{name}");

    match attributes.get("email") {
        None if !creating => {}
        None | Some(Value::Null) => {
            invalid.add(&pointer("email"), "can't be blank", "blank", &Value::Null)
        }
        Some(Value::String(email)) if email.trim().is_empty() => {
            invalid.add(&pointer("email"), "can't be blank", "blank", &json!(email))
        }
        Some(Value::String(email)) if !is_valid_email(email.trim()) => {
            invalid.add(&pointer("email"), "is invalid", "invalid", &json!(email))
        }
        Some(Value::String(email)) if store.email_taken(email.trim(), index) => invalid.add(
            &pointer("email"),
            "has already been taken",
            "taken",
            &json!(email),
        ),
        Some(Value::String(email)) => customer.email = email.trim().to_owned(),
        Some(other) => invalid.add(&pointer("email"), "is invalid", "invalid", other),
    }
    let mut text = |name: &str, slot: &mut Option<String>| match attributes.get(name) {
        None => {}
        Some(Value::Null) => *slot = None,
        Some(Value::String(value)) => *slot = Some(value.clone()),
        Some(other) => invalid.add(&pointer(name), "is invalid", "invalid", other),
    };
    text("password", &mut customer.password);
    text("shopper_reference", &mut customer.shopper_reference);
    text("profile_id", &mut customer.profile_id);
    text("tax_exemption_code", &mut customer.tax_exemption_code);
    text("reference", &mut customer.reference);
    text("reference_origin", &mut customer.reference_origin);
    // Whether metadata merges or replaces is not documented: it replaces.
    match attributes.get("metadata") {
        None => {}
        Some(Value::Null) => customer.metadata = Map::new(),
        Some(Value::Object(map)) => customer.metadata = map.clone(),
        Some(other) => invalid.add(&pointer("metadata"), "is invalid", "invalid", other),
    }
    for flag in ["_request_anonymization", "_cancel_anonymization"] {
        match attributes.get(flag) {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) if flag == "_request_anonymization" => {
                customer.anonymization_requested_ms = Some(now_ms())
            }
            Some(Value::Bool(true)) => customer.anonymization_requested_ms = None,
            Some(other) => invalid.add(&pointer(flag), "is invalid", "invalid", other),
        }
    }

    if let Some(relation) = document.relationships.get("customer_group") {
        customer.customer_group_id = match relation.get("data") {
            Some(Value::Null) => None,
            Some(Value::Object(link))
                if link.get("type").and_then(Value::as_str) == Some("customer_groups") =>
            {
                let id = link.get("id").and_then(Value::as_str).unwrap_or_default();
                let (group, _) =
                    find_group(id, extra_groups).ok_or_else(|| ClError::not_found(id))?;
                Some(group)
            }
            _ => return Err(invalid_linkage("customer_group")),
        };
    }
    if let Some(relation) = document.relationships.get("tags") {
        let Some(Value::Array(links)) = relation.get("data") else {
            return Err(invalid_linkage("tags"));
        };
        let mut ids = Vec::new();
        for link in links {
            if link.get("type").and_then(Value::as_str) != Some("tags") {
                return Err(invalid_linkage("tags"));
            }
            let id = link.get("id").and_then(Value::as_str).unwrap_or_default();
            let tag = TAGS
                .iter()
                .find(|t| t.id == id)
                .ok_or_else(|| ClError::not_found(id))?;
            if !ids.contains(&tag.id.to_owned()) {
                ids.push(tag.id.to_owned());
            }
        }
        // Documented: the array replaces the whole set; [] removes all tags.
        customer.tag_ids = ids;
    }
    // Documented: comma-separated names; removal runs after addition; duplicate, invalid and
    // non-existent tags are discarded.
    for (name, adding) in [("_add_tags", true), ("_remove_tags", false)] {
        match attributes.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(list)) => {
                for tag in list
                    .split(',')
                    .filter_map(|n| TAGS.iter().find(|t| t.name == n.trim()))
                {
                    let id = tag.id.to_owned();
                    if adding && !customer.tag_ids.contains(&id) {
                        customer.tag_ids.push(id);
                    } else if !adding {
                        customer.tag_ids.retain(|t| *t != id);
                    }
                }
            }
            Some(other) => invalid.add(&pointer(name), "is invalid", "invalid", other),
        }
    }
    if customer.tag_ids.len() > MAX_TAGS {
        invalid.0.push(json!({
            "title": format!("must have at most {MAX_TAGS} tags"),
            "detail": format!("tags - must have at most {MAX_TAGS} tags"),
            "code": "VALIDATION_ERROR",
            "source": {"pointer": "/data/relationships/tags"},
            "status": "422",
            "meta": {"error": "too_long", "count": MAX_TAGS, "value": customer.tag_ids.len()},
        }));
    }
    invalid.into_result()
}

fn invalid_linkage(name: &str) -> ClError {
    ClError::bad_request(
        "Invalid linkage",
        "Data is not a valid Links Object.",
        "INVALID_LINKS_OBJECT",
    )
    .with_pointer(&format!("/data/relationships/{name}"))
}
