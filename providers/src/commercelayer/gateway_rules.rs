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
        let data = body
            .get("data")
            .ok_or("the JSON:API data member is missing")?;
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
