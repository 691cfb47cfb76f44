//! Commerce Layer's customers resource, JSON:API (contracts.md §4, commercelayer-update-customer.md).
//!
//! Real: `https://{org}.commercelayer.io/api/customers` and `https://auth.commercelayer.io/oauth/token`;
//! here `/commercelayer/api/customers` and `/commercelayer/oauth/token`.
//! Order of checks: rate limit -> `Accept` (406) -> `Content-Type` on writes (415) -> token (401)
//! -> permission (401, Commerce Layer has no 403) -> document structure (400) -> relationships
//! (404) -> attribute validation (422).

mod documents;
mod errors;
mod gate;
mod handlers;
mod oauth;
mod resources;

use axum::{
    routing::{get, post},
    Router,
};
use serde_json::{json, Map, Value};

use crate::state::AppState;

use self::{
    errors::{method_not_allowed, set_rate_headers, unknown_route, ClError},
    handlers::{create, list, list_customer_groups, list_tags, retrieve, update},
};
pub use errors::rate_limited;
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
