//! Commerce Layer's customer groups and tags through the gateway: reference data for any
//! Commerce Layer token that may create or update, GET only, an allow-listed query rebuilt by the
//! gateway, and only each item's id and name in the reply. The attacks come first.

mod common;

use common::Gateway;
use serde_json::{json, Value};

const ADA: &str = "XAyRWNUzyN";

fn code(body: &Value) -> &str {
    body["gateway"]["code"].as_str().unwrap_or("")
}

/// Requests the sandbox received for the lists.
async fn list_calls(g: &Gateway) -> Vec<Value> {
    g.sandbox
        .log()
        .await
        .into_iter()
        .filter(|e| {
            let path = e["path"].as_str().unwrap_or("");
            path.ends_with("/customer_groups") || path.ends_with("/tags")
        })
        .collect()
}

#[tokio::test]
async fn a_token_that_may_only_read_gets_no_list() {
    let g = Gateway::start("", "").await;
    let read_only = g.token("u1", "commercelayer", &["read"], Some(ADA), None);
    for path in ["/commercelayer/customer_groups", "/commercelayer/tags"] {
        let (status, reply) = g.call("GET", path, &read_only, None).await;
        assert_eq!((status, code(&reply)), (403, "scope_operation"), "{reply}");
        assert_eq!(reply["errors"][0]["code"], "FORBIDDEN");
    }
    assert!(list_calls(&g).await.is_empty());
}

#[tokio::test]
async fn another_providers_token_gets_no_list() {
    let g = Gateway::start("", "").await;
    let prolifi = g.token("u1", "prolifi", &["create", "update"], None, None);
    let (status, reply) = g
        .call("GET", "/commercelayer/customer_groups", &prolifi, None)
        .await;
    assert_eq!(status, 401, "{reply}");
    let (status, _) = g.send("GET", "/commercelayer/tags", None, &[], None).await;
    assert_eq!(status, 401);
    assert!(list_calls(&g).await.is_empty());
}

#[tokio::test]
async fn only_the_allowed_query_parameters_pass() {
    let g = Gateway::start("", "").await;
    let writer = g.token("u1", "commercelayer", &["update"], Some(ADA), None);
    for query in [
        "include=customers",
        "page[size]=26",
        "page%5Bsize%5D=100",
        "page[number]=0",
        "filter[q][email_eq]=ada@example.com",
        "fields[customer_groups]=name,metadata",
        "sort=-created_at",
        "page[number]=1&page[number]=2",
    ] {
        let path = format!("/commercelayer/customer_groups?{query}");
        let (status, reply) = g.call("GET", &path, &writer, None).await;
        assert_eq!(
            (status, code(&reply)),
            (400, "reference_query"),
            "{query}: {reply}"
        );
    }
    assert!(
        list_calls(&g).await.is_empty(),
        "nothing reached Commerce Layer"
    );

    // What passes is rebuilt: a value cannot smuggle a parameter in.
    let (status, reply) = g
        .call(
            "GET",
            "/commercelayer/tags?filter[q][name_cont]=v%26include%3Dcustomers&page[size]=5",
            &writer,
            None,
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let calls = list_calls(&g).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0]["query"],
        "page%5Bnumber%5D=1&page%5Bsize%5D=5&filter%5Bq%5D%5Bname_cont%5D=v%26include%3Dcustomers"
    );
}

#[tokio::test]
async fn the_list_route_reaches_nothing_else() {
    let g = Gateway::start("", "").await;
    let writer = g.token("u1", "commercelayer", &["create", "update"], None, None);
    for path in [
        "/commercelayer/customer_groups/ABCRtyUpBa/customers",
        "/commercelayer/customer_groups/ABCRtyUpBa",
        "/commercelayer/customer_groups/..%2Fcustomers",
        "/commercelayer/customer_groups%2F..%2Fcustomers",
        "/commercelayer/tags/geJmexflJQ/relationships/customers",
        "/commercelayer/customers",
    ] {
        let (status, reply) = g.call("GET", path, &writer, None).await;
        assert_eq!((status, code(&reply)), (404, "route"), "{path}: {reply}");
    }
    for method in ["POST", "PATCH", "DELETE"] {
        let (status, reply) = g
            .call(
                method,
                "/commercelayer/customer_groups",
                &writer,
                Some("{}"),
            )
            .await;
        assert_ne!(status, 200, "{method}: {reply}");
        assert!(status >= 400, "{method}");
    }
    assert!(
        g.sandbox.log().await.is_empty(),
        "nothing reached Commerce Layer: {:?}",
        g.sandbox.log().await
    );
}

#[tokio::test]
async fn a_token_that_may_create_or_update_reads_ids_and_names_only() {
    let g = Gateway::start("", "").await;
    let creator = g.token("u1", "commercelayer", &["create"], None, None);
    let (status, groups) = g
        .call("GET", "/commercelayer/customer_groups", &creator, None)
        .await;
    assert_eq!(status, 200, "{groups}");
    let names: Vec<&str> = groups["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["attributes"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Wholesale") && names.contains(&"Retail"),
        "{names:?}"
    );
    // Every item is exactly its id, type and name; no links (they name the upstream host).
    for item in groups["data"].as_array().unwrap() {
        let mut keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["attributes", "id", "type"], "{item}");
        assert_eq!(item["attributes"].as_object().unwrap().len(), 1, "{item}");
        assert_eq!(item["type"], "customer_groups");
    }
    assert_eq!(
        groups.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["data", "meta"]
    );
    assert!(!groups.to_string().contains(&g.sandbox.url[7..]));

    // Paginated as Commerce Layer pages: page[size] up to 25, page_count in meta.
    let updater = g.token(
        "u1",
        "commercelayer",
        &["update"],
        Some(ADA),
        Some(&["email"]),
    );
    let (status, page) = g
        .call(
            "GET",
            "/commercelayer/tags?page[number]=2&page[size]=5",
            &updater,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["meta"], json!({"record_count": 11, "page_count": 3}));
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
    let (_, found) = g
        .call(
            "GET",
            "/commercelayer/customer_groups?filter[q][name_cont]=whole",
            &updater,
            None,
        )
        .await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["attributes"]["name"], "Wholesale");
}

/// The provider's refusal of the gateway's own request for a list is about the gateway's
/// credential and request, not the page's: it goes on as the gateway's own error in the
/// provider's envelope, never as the provider wrote it, and a refused credential upstream is
/// not shown to the page as its own.
#[tokio::test]
async fn a_refused_list_goes_on_as_the_gateways_error_not_the_providers_words() {
    let g = Gateway::start("", "").await;
    let creator = g.token("u1", "commercelayer", &["create"], None, None);
    let upstream = r#"{"errors":[{"title":"Internal error","detail":"db01.acme-org.internal timed out; see https://acme-org.commercelayer.io/admin","code":"INTERNAL_SERVER_ERROR","status":"500"}]}"#;
    for (upstream_status, expected) in [(500, 502), (401, 502), (403, 502), (404, 502), (429, 429)]
    {
        g.sandbox
            .control(
                "/_faults",
                &json!({"provider": "commercelayer", "path_contains": "customer_groups", "times": 1,
                        "action": {"kind": "status", "status": upstream_status, "body": upstream}})
                .to_string(),
            )
            .await;
        let (status, reply) = g
            .call("GET", "/commercelayer/customer_groups", &creator, None)
            .await;
        assert_eq!(status, expected, "{upstream_status}: {reply}");
        let text = reply.to_string();
        assert!(!text.contains("acme-org"), "{upstream_status}: {reply}");
        assert_eq!(code(&reply), "reference_upstream", "{reply}");
        assert!(
            reply["errors"][0]["code"].is_string(),
            "the provider's envelope: {reply}"
        );
    }
}

#[tokio::test]
async fn a_rate_limited_list_keeps_its_wait() {
    let g = Gateway::start("", "").await;
    let creator = g.token("u1", "commercelayer", &["create"], None, None);
    g.sandbox
        .control(
            "/_faults",
            &json!({"provider": "commercelayer", "path_contains": "tags", "times": 1,
                    "action": {"kind": "rate_limit", "retry_after": 7}})
            .to_string(),
        )
        .await;
    let response = g
        .http
        .get(format!("{}/commercelayer/tags", g.url))
        .bearer_auth(&creator)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
}
