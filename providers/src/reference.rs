//! Reference data a form offers as choices: Commerce Layer's customer groups and tags, the
//! organisation's lists of names and ids. Never customer data.
//!
//! The widget reads them page by page (`list_request`, `read_page`); the gateway serves them to
//! any token that may create or update, reading the query against an allow-list
//! (`ReferenceQuery::parse`), sending a query it rebuilt itself, and passing back only each
//! item's id and name (`slim`). JSON:API pagination: `page[number]`, `page[size]` (at most 25),
//! `meta.page_count`. Source: contracts.md §4.3 (pagination), Commerce Layer's filtering docs
//! (`filter[q][name_cont]`).

use crate::http::{HttpRequest, Method};
use crate::json::Json;
use crate::substring::Trim;
use crate::url::{encode_query_value, join, percent_decode};

/// Commerce Layer's largest page.
pub const MAX_PAGE_SIZE: u32 = 25;
/// A name filter longer than this is not a name anyone types.
pub const MAX_NAME_FILTER: usize = 100;
/// A page number past this is refused: 25 000 names is past any list a form offers.
pub const MAX_PAGE_NUMBER: u32 = 1000;

/// Which list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceList {
    CustomerGroups,
    Tags,
}

impl ReferenceList {
    /// The path under the API base, which is also the JSON:API resource type.
    pub fn path(self) -> &'static str {
        match self {
            ReferenceList::CustomerGroups => "customer_groups",
            ReferenceList::Tags => "tags",
        }
    }

    /// The list a path names: exactly `customer_groups` or `tags` (one segment, nothing under it).
    pub fn from_path(path: &str) -> Option<ReferenceList> {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        match path.trim_matches('/') {
            "customer_groups" => Some(ReferenceList::CustomerGroups),
            "tags" => Some(ReferenceList::Tags),
            _ => None,
        }
    }
}

/// The only query a list request may have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceQuery {
    /// From 1.
    pub page: u32,
    /// 1 to `MAX_PAGE_SIZE`.
    pub size: u32,
    /// Names containing this text (`filter[q][name_cont]`).
    pub name: Option<String>,
}

impl ReferenceQuery {
    /// Page `page` of the whole list, as large as pages go.
    pub fn page(page: u32) -> ReferenceQuery {
        ReferenceQuery {
            page,
            size: MAX_PAGE_SIZE,
            name: None,
        }
    }

    /// Reads a query string against the allow-list: `page[number]`, `page[size]` (at most 25) and
    /// `filter[q][name_cont]`, each at most once. Anything else is refused with the reason.
    pub fn parse(query: &str) -> Result<ReferenceQuery, String> {
        let mut parsed = ReferenceQuery {
            page: 1,
            size: 10,
            name: None,
        };
        let mut seen: Vec<String> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(raw_key).ok_or("a query parameter is not well encoded")?;
            let value = percent_decode(raw_value).ok_or("a query value is not well encoded")?;
            if seen.contains(&key) {
                return Err(format!("{key} is given twice"));
            }
            let number = |max: u32| {
                crate::digits::parse_u32(&value)
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| format!("{key} must be a number from 1 to {max}"))
            };
            match key.as_str() {
                "page[number]" => parsed.page = number(MAX_PAGE_NUMBER)?,
                "page[size]" => parsed.size = number(MAX_PAGE_SIZE)?,
                "filter[q][name_cont]" => {
                    if value.chars().count() > MAX_NAME_FILTER || value.chars().any(char::is_control)
                    {
                        return Err(format!("{key} must be a short name"));
                    }
                    parsed.name = Some(value).filter(|v| !v.trimmed().is_empty());
                }
                _ => {
                    return Err(format!(
                        "{key} is not allowed here (page[number], page[size] and filter[q][name_cont] are)"
                    ))
                }
            }
            seen.push(key);
        }
        Ok(parsed)
    }

    /// The query string, built from the parsed values (never from a caller's text).
    pub fn to_query(&self) -> String {
        let mut query = crate::substring::concat(&[
            "page%5Bnumber%5D=",
            &crate::digits::text(u64::from(self.page)),
            "&page%5Bsize%5D=",
            &crate::digits::text(u64::from(self.size)),
        ]);
        if let Some(name) = &self.name {
            query.push_str("&filter%5Bq%5D%5Bname_cont%5D=");
            query.push_str(&encode_query_value(name));
        }
        query
    }
}

/// One choice: the id a request sends, the name a person reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferencePage {
    pub items: Vec<Named>,
    /// How many pages the whole list has (`meta.page_count`); at least 1.
    pub page_count: u32,
}

/// `GET {base}/{list}?page[number]=…`, with JSON:API headers.
pub fn list_request(base: &str, list: ReferenceList, query: &ReferenceQuery) -> HttpRequest {
    let url = crate::substring::concat(&[&join(base, list.path()), "?", &query.to_query()]);
    HttpRequest::json_api(Method::Get, url, None)
}

/// The items of a list reply (those of the list's type with an id and a name) and its page
/// count; `None` when it is not a JSON:API list.
pub fn read_page(list: ReferenceList, body: &Json) -> Option<ReferencePage> {
    let data = body.get("data")?.as_array()?;
    fn text<'a>(item: &'a Json, at: &str) -> Option<&'a str> {
        item.pointer(at).and_then(Json::as_str).map(str::trimmed)
    }
    let mut items = Vec::new();
    for item in data {
        if item.get("type").and_then(Json::as_str) != Some(list.path()) {
            continue;
        }
        if let (Some(id), Some(name)) = (text(item, "id"), text(item, "attributes.name")) {
            if !id.is_empty() && !name.is_empty() {
                items.push(Named {
                    id: id.to_string(),
                    name: name.to_string(),
                });
            }
        }
    }
    let page_count = match body.pointer("meta.page_count") {
        Some(Json::Number(n)) => crate::digits::parse_u32(n).unwrap_or(1).max(1),
        _ => 1,
    };
    Some(ReferencePage { items, page_count })
}

/// What the gateway passes back of a list reply: each item's type, id and name, and the page and
/// record counts; nothing else (no links naming the upstream host, no metadata, no references).
pub fn slim(list: ReferenceList, body: &Json) -> Option<Json> {
    let page = read_page(list, body)?;
    let count = |name: &str| match body.pointer(&format!("meta.{name}")) {
        Some(Json::Number(n)) if crate::digits::parse_u64(n).is_some() => Json::Number(n.clone()),
        _ => Json::Number("0".into()),
    };
    let data = page
        .items
        .into_iter()
        .map(|item| {
            Json::object([
                ("id", Json::str(item.id)),
                ("type", Json::str(list.path())),
                ("attributes", Json::object([("name", Json::str(item.name))])),
            ])
        })
        .collect();
    Some(Json::object([
        ("data", Json::Array(data)),
        (
            "meta",
            Json::object([
                ("record_count", count("record_count")),
                ("page_count", Json::Number(page.page_count.to_string())),
            ]),
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_allowed_query_passes() {
        assert_eq!(
            ReferenceQuery::parse("page[number]=2&page%5Bsize%5D=25&filter[q][name_cont]=Whole"),
            Ok(ReferenceQuery {
                page: 2,
                size: 25,
                name: Some("Whole".into())
            })
        );
        assert_eq!(
            ReferenceQuery::parse(""),
            Ok(ReferenceQuery {
                page: 1,
                size: 10,
                name: None
            })
        );
        for refused in [
            "include=customers",
            "page[size]=26",
            "page[size]=0",
            "page[number]=-1",
            "page[number]=1&page[number]=2",
            "fields[customer_groups]=name,metadata",
            "filter[q][email_eq]=ada@example.com",
            "filter[q][name_cont]=%ZZ",
            "sort=name",
        ] {
            assert!(ReferenceQuery::parse(refused).is_err(), "{refused}");
        }
        let long = "x".repeat(MAX_NAME_FILTER + 1);
        assert!(ReferenceQuery::parse(&format!("filter[q][name_cont]={long}")).is_err());
    }

    #[test]
    fn the_query_sent_on_is_rebuilt() {
        let query = ReferenceQuery::parse("filter[q][name_cont]=a%26include%3Dcustomers").unwrap();
        assert_eq!(
            query.to_query(),
            "page%5Bnumber%5D=1&page%5Bsize%5D=10&filter%5Bq%5D%5Bname_cont%5D=a%26include%3Dcustomers"
        );
        let request = list_request(
            "http://127.0.0.1:8788/commercelayer/",
            ReferenceList::Tags,
            &ReferenceQuery::page(3),
        );
        assert_eq!(
            request.url,
            "http://127.0.0.1:8788/commercelayer/tags?page%5Bnumber%5D=3&page%5Bsize%5D=25"
        );
        assert_eq!(request.header("Accept"), Some("application/vnd.api+json"));
    }

    #[test]
    fn lists_are_exactly_one_segment() {
        assert_eq!(
            ReferenceList::from_path("customer_groups?page[number]=1"),
            Some(ReferenceList::CustomerGroups)
        );
        assert_eq!(ReferenceList::from_path("/tags"), Some(ReferenceList::Tags));
        for other in [
            "customer_groups/ABC",
            "customer_groups/ABC/customers",
            "tags/../customers",
            "customers",
            "customer_groups%2F..%2Fcustomers",
        ] {
            assert_eq!(ReferenceList::from_path(other), None, "{other}");
        }
    }

    #[test]
    fn slim_keeps_ids_names_and_counts_only() {
        let body = Json::parse(
            r#"{"data":[{"id":"g1","type":"customer_groups","links":{"self":"https://secret.example/api/customer_groups/g1"},"attributes":{"name":"VIP","code":"vip","metadata":{"owner":"ops"}},"relationships":{"customers":{"data":[{"type":"customers","id":"c1"}]}}},{"id":"c1","type":"customers","attributes":{"name":"not a group"}}],"meta":{"record_count":2,"page_count":1},"links":{"first":"https://secret.example/api/customer_groups?page[number]=1"}}"#,
        )
        .unwrap();
        let slimmed = slim(ReferenceList::CustomerGroups, &body).unwrap();
        assert_eq!(
            slimmed.to_json_string(),
            r#"{"data":[{"id":"g1","type":"customer_groups","attributes":{"name":"VIP"}}],"meta":{"record_count":2,"page_count":1}}"#
        );
        assert_eq!(
            read_page(ReferenceList::CustomerGroups, &slimmed),
            Some(ReferencePage {
                items: vec![Named {
                    id: "g1".into(),
                    name: "VIP".into()
                }],
                page_count: 1
            })
        );
        assert_eq!(slim(ReferenceList::Tags, &Json::parse("{}").unwrap()), None);
    }
}
