//! What the gateway enforces for Commerce Layer: its routes, the upstream path (always with the
//! group and tags included), and what a token may write.

use crate::contract::{customer_route, Contract, GatewayRules, Replaced, Route, WrittenField};
use crate::error::{ErrorKind, FieldError};
use crate::http::Method;
use crate::json::Json;
use crate::reference::ReferenceList;
use crate::url::encode_segment;
use crate::Operation;

use super::CommerceLayer;

/// A customer resource with what the form reads of it: `id`, `type`, `attributes`, and each
/// relationship's `data` (not its links). `None` for what is not an object.
fn customer_as_read(data: &Json) -> Option<Json> {
    if !data.is_object() {
        return None;
    }
    let mut kept = picked(data, &["id", "type", "attributes"]);
    if let Some(Json::Object(relationships)) = data.get("relationships") {
        let linked = relationships.iter().filter_map(|(name, relationship)| {
            let data = relationship.get("data")?;
            Some((name.clone(), Json::object([("data", data.clone())])))
        });
        kept.push(("relationships", Json::Object(linked.collect())));
    }
    Some(Json::object(kept))
}

/// The members of `resource` named in `keys` that it has, in that order.
fn picked(resource: &Json, keys: &[&'static str]) -> Vec<(&'static str, Json)> {
    let mut kept = Vec::new();
    for key in keys {
        if let Some(value) = resource.get(key) {
            kept.push((*key, value.clone()));
        }
    }
    kept
}

impl GatewayRules for CommerceLayer {
    fn route(&self, method: Method, path: &str) -> Option<Route> {
        customer_route(method, path, Method::Patch)
    }

    /// Every request asks for the group and tags, and nothing else may be included.
    fn upstream(&self, route: &Route) -> (String, Option<String>) {
        let path = match route {
            Route::Read { customer } | Route::Update { customer } => {
                format!("/customers/{}", encode_segment(customer))
            }
            _ => "/customers".to_string(),
        };
        (path, Some("include=customer_group,tags".to_string()))
    }

    fn media_type(&self) -> &'static str {
        "application/vnd.api+json"
    }

    /// Every reply includes the customer's group and tags whole (see `upstream`).
    fn redacts(&self, _route: &Route) -> bool {
        true
    }

    /// The customer as the form reads it (its id, type, attributes and each relationship's
    /// data), without the links and meta that name the organisation's own host and id; each
    /// included resource (the customer's group and tags) as its id, type and name only: the
    /// form reads no more of them, and the reference-list route shows no more of the same
    /// records, whereas a group's `code`, `metadata` and references are the organisation's.
    /// Nothing else of the document: each member is rebuilt from the one `get` reads, so a
    /// repeated key carries no whole copy past the cut.
    fn redact(&self, _route: &Route, body: &Json) -> Option<Json> {
        if !body.is_object() {
            return None;
        }
        let mut members = Vec::new();
        if let Some(data) = body.get("data") {
            members.push(("data", customer_as_read(data)?));
        }
        let Some(included) = body.get("included") else {
            return Some(Json::object(members));
        };
        let included = included.as_array()?;
        let named = included.iter().map(|resource| {
            let mut kept = picked(resource, &["id", "type"]);
            if let Some(name) = resource.pointer("attributes.name") {
                kept.push(("attributes", Json::object([("name", name.clone())])));
            }
            Json::object(kept)
        });
        members.push(("included", Json::Array(named.collect())));
        Some(Json::object(members))
    }

    fn reference_list_at(&self, path: &str) -> Option<ReferenceList> {
        ReferenceList::from_path(path)
    }

    /// `_add_tags` and `_remove_tags` change the tags whatever they are now (removing the current
    /// ones removes them all), and a relationship is set anew whatever it was.
    fn replaced(&self, _op: Operation, body: &Json) -> Vec<Replaced> {
        let data = body.get("data");
        let attribute = |name: &str| {
            data.and_then(|d| d.get("attributes"))
                .and_then(|a| a.get(name))
                .is_some()
        };
        let mut replaced = Vec::new();
        if attribute("_add_tags") || attribute("_remove_tags") {
            replaced.push(Replaced {
                field: "tags",
                parts: &["tags"],
            });
        }
        if data
            .and_then(|d| d.get("relationships"))
            .and_then(|r| r.get("customer_group"))
            .is_some()
        {
            replaced.push(Replaced {
                field: "customer_group",
                parts: &["customer_group"],
            });
        }
        replaced
    }

    fn read_body(&self, op: Operation, body: &Json) -> Result<Vec<WrittenField>, String> {
        // Only the members Commerce Layer's customerCreate and customerUpdate define (its
        // OpenAPI): whatever else it would do with another is not something a scope was
        // checked against.
        let Json::Object(top) = body else {
            return Err("the body must be a JSON object".into());
        };
        if let Some((key, _)) = top.iter().find(|(key, _)| key != "data") {
            return Err(format!("the member {key:?} is not one the form sends"));
        }
        let data = body
            .get("data")
            .ok_or("the JSON:API data member is missing")?;
        let Json::Object(members) = data else {
            return Err("data must be an object".into());
        };
        for (key, _) in members {
            match key.as_str() {
                "type" | "attributes" | "relationships" => {}
                "id" if op == Operation::Update => {}
                _ => return Err(format!("data.{key} is not one the form sends")),
            }
        }
        if op == Operation::Update && self.record_in_body(body).is_none() {
            return Err("data.id is missing".into());
        }
        if data.get("type").and_then(Json::as_str) != Some("customers") {
            return Err("data.type must be customers".into());
        }
        let fields = self.fields(op);
        let find = |name: &str| {
            fields
                .iter()
                .find(|f| f.name == name)
                .ok_or_else(|| format!("unknown field {name:?}"))
        };
        let mut written = Vec::new();
        if let Some(attributes) = data.get("attributes") {
            let Json::Object(members) = attributes else {
                return Err("data.attributes must be an object".into());
            };
            for (key, value) in members {
                let (spec, text) = match (key.as_str(), value) {
                    ("_add_tags" | "_remove_tags", Json::String(names)) => {
                        (find("tags")?, Some(names.clone()))
                    }
                    (_, Json::Null) => (find(key)?, None),
                    (_, Json::Bool(true)) => (find(key)?, Some("true".to_string())),
                    (_, Json::Object(_)) => (find(key)?, Some(value.to_json_string())),
                    (_, Json::String(text)) => (find(key)?, Some(text.clone())),
                    _ => return Err(format!("{key} has the wrong type")),
                };
                written.push((spec.name, text));
            }
        }
        if let Some(relationships) = data.get("relationships") {
            let Json::Object(members) = relationships else {
                return Err("data.relationships must be an object".into());
            };
            for (key, value) in members {
                if key != "customer_group" {
                    return Err(format!("the relationship {key:?} is not one the form sets"));
                }
                // `data` alone, holding an identifier alone (`type` and `id`), as the OpenAPI
                // gives them: nothing beside them that no scope was checked against.
                let only = |value: &Json, allowed: &[&str]| match value {
                    Json::Object(members) => members
                        .iter()
                        .all(|(key, _)| allowed.contains(&key.as_str())),
                    _ => true,
                };
                if !only(value, &["data"])
                    || value
                        .get("data")
                        .is_some_and(|data| !only(data, &["type", "id"]))
                {
                    return Err("customer_group carries members the form never sends".into());
                }
                let id = match value.get("data") {
                    Some(Json::Null) => None,
                    Some(group)
                        if group.get("type").and_then(Json::as_str) == Some("customer_groups") =>
                    {
                        Some(
                            group
                                .get("id")
                                .and_then(Json::as_str)
                                .ok_or("customer_group needs an id")?
                                .to_string(),
                        )
                    }
                    _ => {
                        return Err(
                            "customer_group.data must be a customer_groups identifier or null"
                                .into(),
                        )
                    }
                };
                written.push((find("customer_group")?.name, id));
            }
        }
        Ok(written)
    }

    fn record_in_body<'a>(&self, body: &'a Json) -> Option<&'a str> {
        body.get("data")?.get("id")?.as_str()
    }

    fn error_body(&self, kind: ErrorKind, message: &str, field_errors: &[FieldError]) -> Json {
        let (status, code) = match kind {
            ErrorKind::Authentication => ("401", "INVALID_TOKEN"),
            ErrorKind::Permission | ErrorKind::CredentialRefused => ("403", "FORBIDDEN"),
            ErrorKind::NotFound => ("404", "RECORD_NOT_FOUND"),
            ErrorKind::RateLimited => ("429", "TOO_MANY_REQUESTS"),
            ErrorKind::BadRequest => ("400", "BAD_REQUEST"),
            ErrorKind::Validation | ErrorKind::Invalid => ("422", "VALIDATION_ERROR"),
            _ => ("500", "INTERNAL_SERVER_ERROR"),
        };
        let mut items: Vec<Json> = field_errors
            .iter()
            .map(|e| {
                Json::object([
                    ("title", Json::str(e.message.clone())),
                    ("detail", Json::str(format!("{} - {}", e.field, e.message))),
                    ("code", Json::str("VALIDATION_ERROR")),
                    (
                        "source",
                        Json::object([(
                            "pointer",
                            Json::str(format!("/data/attributes/{}", e.field)),
                        )]),
                    ),
                    ("status", Json::str("422")),
                ])
            })
            .collect();
        if items.is_empty() {
            items.push(Json::object([
                ("title", Json::str(message)),
                ("detail", Json::str(message)),
                ("code", Json::str(code)),
                ("status", Json::str(status)),
            ]));
        }
        Json::object([("errors", Json::Array(items))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(body: &str) -> Option<String> {
        let route = Route::Read {
            customer: "c1".into(),
        };
        super::super::INTEGRATION
            .redact(&route, &Json::parse(body).unwrap())
            .map(|json| json.to_json_string())
    }

    #[test]
    fn included_resources_keep_their_id_type_and_name_only() {
        let body = r#"{"data":{"id":"c1","type":"customers","attributes":{"metadata":{"a":1}}},"included":[{"id":"g1","type":"customer_groups","links":{"self":"x"},"attributes":{"name":"VIP","code":"c","metadata":{"n":"secret"}},"meta":{"m":1}},{"id":"t1","type":"tags","attributes":{}}]}"#;
        assert_eq!(
            redacted(body).as_deref(),
            Some(
                r#"{"data":{"id":"c1","type":"customers","attributes":{"metadata":{"a":1}}},"included":[{"id":"g1","type":"customer_groups","attributes":{"name":"VIP"}},{"id":"t1","type":"tags"}]}"#
            )
        );
    }

    #[test]
    fn a_repeated_included_key_is_cut_too() {
        let body = r#"{"included":[{"id":"g1","type":"customer_groups","attributes":{"name":"VIP","code":"secret"}}],"data":{"id":"c1"},"included":[]}"#;
        let cut = redacted(body).unwrap();
        assert!(!cut.contains("secret"), "{cut}");
        assert_eq!(cut, r#"{"data":{"id":"c1"},"included":[]}"#);
    }

    #[test]
    fn a_reply_without_included_resources_is_left_as_it_is() {
        assert_eq!(
            redacted(r#"{"data":{"id":"c1"}}"#).as_deref(),
            Some(r#"{"data":{"id":"c1"}}"#)
        );
    }

    /// `None`: the gateway answers 502 rather than pass on what it could not cut down.
    #[test]
    fn included_resources_that_are_not_a_list_cannot_be_cut_down() {
        assert_eq!(redacted(r#"{"data":{"id":"c1"},"included":{}}"#), None);
        assert_eq!(redacted(r#"[{"included":[]}]"#), None);
    }
}
