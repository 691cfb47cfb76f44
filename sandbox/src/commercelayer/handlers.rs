//! The routes' handlers: list, retrieve, create, update, and the reference lists.

use axum::{extract::State, http::StatusCode, response::Response};
use serde_json::{json, Map, Value};

use crate::{
    clock::now_ms,
    ids::{commercelayer_id, uuid_v4},
    incoming::Incoming,
    state::AppState,
};

use super::{
    customer_groups,
    documents::{apply, Document},
    errors::ClError,
    extra_groups,
    gate::{serve, Outcome},
    oauth::Caller,
    resources::{base_url, customer_resource, included, includes, named_resource, single_document},
    Customer, Store, CREATE_ATTRIBUTES, TAGS, UPDATE_ATTRIBUTES,
};

/// `GET /api/customers`: integration tokens only (sales channels can never list customers).
pub(super) async fn list(State(app): State<AppState>, request: Incoming) -> Response {
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
pub(super) fn page_params(request: &Incoming) -> Result<(usize, usize), ClError> {
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
pub(super) async fn list_customer_groups(
    State(app): State<AppState>,
    request: Incoming,
) -> Response {
    let extra = extra_groups(&app);
    serve(&app, &request, |_, request, caller| {
        named_list("customer_groups", customer_groups(extra), request, caller)
    })
}

/// `GET /api/tags`: the organisation's tags, paginated, `filter[q][name_cont]`.
pub(super) async fn list_tags(State(app): State<AppState>, request: Incoming) -> Response {
    serve(&app, &request, |_, request, caller| {
        let tags = TAGS.iter().map(|t| (t.id.to_owned(), t.name.to_owned()));
        named_list("tags", tags, request, caller)
    })
}

/// A JSON:API list of named resources (integration tokens only, like every list here).
pub(super) fn named_list(
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
pub(super) fn readable_position(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Result<usize, ClError> {
    match caller {
        Caller::Guest => Err(ClError::unauthorized()),
        Caller::Customer(own) if own != id => Err(ClError::unauthorized()),
        Caller::Customer(_) => store.position(id).ok_or_else(ClError::unauthorized),
        Caller::Integration => store.position(id).ok_or_else(|| ClError::not_found(id)),
    }
}

pub(super) async fn retrieve(State(app): State<AppState>, request: Incoming) -> Response {
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

pub(super) async fn create(State(app): State<AppState>, request: Incoming) -> Response {
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

pub(super) async fn update(State(app): State<AppState>, request: Incoming) -> Response {
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
