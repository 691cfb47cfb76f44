//! Resource objects as Commerce Layer returns them: customers, their groups and tags, `include`d.

use serde_json::{json, Map, Value};

use crate::{clock::iso_millis, ids::random_hex, incoming::Incoming};

use super::{
    errors::ClError, find_group, Customer, ORGANIZATION_ID, RELATIONSHIPS, SEED_TIME_MS, TAGS,
};

/// `include=customer_group,tags`; anything else is a 400.
pub(super) fn includes(request: &Incoming) -> Result<Vec<&'static str>, ClError> {
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

pub(super) fn base_url(request: &Incoming) -> String {
    format!("http://{}/commercelayer/api", request.host())
}

pub(super) fn meta() -> Value {
    json!({"mode": "test", "organization_id": ORGANIZATION_ID, "trace_id": random_hex(32)})
}

pub(super) fn customer_resource(customer: &Customer, base: &str, include: &[&str]) -> Value {
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

pub(super) fn named_resource(kind: &str, id: &str, name: &str, base: &str) -> Value {
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
pub(super) fn included(
    customers: &[&Customer],
    base: &str,
    include: &[&str],
    extra: u32,
) -> Vec<Value> {
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

pub(super) fn single_document(
    customer: &Customer,
    request: &Incoming,
    include: &[&str],
    extra: u32,
) -> Value {
    let base = base_url(request);
    let mut document = json!({"data": customer_resource(customer, &base, include)});
    if !include.is_empty() {
        document["included"] = Value::Array(included(&[customer], &base, include, extra));
    }
    document
}
