//! The attacks of issue 9, each as it was tried against the demo configuration and the sandbox
//! (Partnero's renames are in `partnero_renames.rs`),
//! and the class behind it: names that move (keys, external ids), partial objects, replays,
//! proxies. Every test here failed on the gateway before the redesign.

mod common;

use common::{Gateway, GATEWAY_ADMIN_KEY};
use serde_json::{json, Value};

const JANE: &str = "0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10";
const ACME: &str = "5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d";
const ADA: &str = "XAyRWNUzyN";

fn code(body: &Value) -> &str {
    body["gateway"]["code"].as_str().unwrap_or("")
}

// 1. Count: an address object replaces the whole address, whatever parts it carries.

#[tokio::test]
async fn count_any_address_object_changes_the_whole_address() {
    let g = Gateway::start("", "").await;
    let path = format!("/count/customers/{ACME}");
    let website_only = g.token(
        "u1",
        "count",
        &["read", "update"],
        Some(ACME),
        Some(&["website"]),
    );
    for body in [
        r#"{"customer":"Acme Ltd","email":"ap@acme.test","billingAddress":{}}"#,
        r#"{"customer":"Acme Ltd","email":"ap@acme.test","billingAddress":{"city":"London"}}"#,
        r#"{"customer":"Acme Ltd","email":"ap@acme.test","shippingAddress":null}"#,
    ] {
        let (status, reply) = g.call("PUT", &path, &website_only, Some(body)).await;
        assert_eq!(
            (status, code(&reply)),
            (403, "scope_fields"),
            "{body}: {reply}"
        );
    }
    assert!(
        g.writes_to("/customers/").await.is_empty(),
        "nothing was written"
    );
    let (_, acme) = g.call("GET", &path, &website_only, None).await;
    assert_eq!(acme["data"]["billingAddress"]["street"], "1 High Street");

    // Unchanged plain fields still pass (Count's update always carries customer and email).
    let (status, _) = g
        .call(
            "PUT",
            &path,
            &website_only,
            Some(r#"{"customer":"Acme Ltd","email":"ap@acme.test","website":"https://acme.test"}"#),
        )
        .await;
    assert_eq!(status, 200);

    // The address by its name in the claim, or all five of its parts.
    let address = r#"{"customer":"Acme Ltd","email":"ap@acme.test","billingAddress":{"street":"1 High Street","city":"Leeds","state":"West Yorkshire","zipCode":"LS1 1AA","country":"United Kingdom"}}"#;
    let whole = g.token(
        "u1",
        "count",
        &["update"],
        Some(ACME),
        Some(&["billingAddress"]),
    );
    assert_eq!(g.call("PUT", &path, &whole, Some(address)).await.0, 200);
    let parts = [
        "billingAddress.street",
        "billingAddress.city",
        "billingAddress.state",
        "billingAddress.zipCode",
        "billingAddress.country",
    ];
    let every_part = g.token("u1", "count", &["update"], Some(ACME), Some(&parts));
    assert_eq!(
        g.call("PUT", &path, &every_part, Some(address)).await.0,
        200
    );
    let four_parts = g.token("u1", "count", &["update"], Some(ACME), Some(&parts[..4]));
    assert_eq!(
        g.call("PUT", &path, &four_parts, Some(address)).await.0,
        403
    );
}

// 2. Prolifi: an external id is a name; the token's authority stays with the record.

#[tokio::test]
async fn prolifi_a_name_the_token_once_used_never_reaches_another_customer() {
    let g = Gateway::start("", "").await;
    // The token names Jane by her immutable id, as in the reported attack.
    let token = g.token("u1", "prolifi", &["read", "update"], Some(JANE), None);
    let rename = |to: &str| format!(r#"{{"external_id":"{to}"}}"#);
    let (status, _) = g
        .call(
            "PATCH",
            &format!("/prolifi/customers/{JANE}"),
            &token,
            Some(&rename("cus_2001")),
        )
        .await;
    assert_eq!(status, 200);
    let (status, jane) = g
        .call("GET", "/prolifi/customers/cus_2001", &token, None)
        .await;
    assert_eq!((status, jane["data"]["id"].as_str()), (200, Some(JANE)));
    let (status, _) = g
        .call(
            "PATCH",
            "/prolifi/customers/cus_2001",
            &token,
            Some(&rename("cus_1001")),
        )
        .await;
    assert_eq!(status, 200);
    // Later, another customer gets that external id (outside the gateway).
    let (status, _) = g
        .direct(
            "PATCH",
            "/prolifi/api/v1/public/customers/cus_1002",
            Some(&rename("cus_2001")),
        )
        .await;
    assert_eq!(status, 200);
    g.sandbox.clear_log().await;

    let (status, reply) = g
        .call("GET", "/prolifi/customers/cus_2001", &token, None)
        .await;
    assert_eq!((status, code(&reply)), (403, "scope_customer"), "{reply}");
    assert!(
        !reply.to_string().contains("@"),
        "nothing of the other customer: {reply}"
    );
    let (status, _) = g
        .call(
            "PATCH",
            "/prolifi/customers/cus_2001",
            &token,
            Some(r#"{"email":"attacker@evil.test"}"#),
        )
        .await;
    assert_eq!(status, 403);
    assert!(g.writes_to("/customers/").await.is_empty());
    let fresh = g.token("u1", "prolifi", &["read", "update"], Some(JANE), None);
    assert_eq!(
        g.call("GET", "/prolifi/customers/cus_2001", &fresh, None)
            .await
            .0,
        403
    );
    // The token's own record, under either of its ids.
    assert_eq!(
        g.call("GET", "/prolifi/customers/cus_1001", &token, None)
            .await
            .0,
        200
    );
    assert_eq!(
        g.call("GET", &format!("/prolifi/customers/{JANE}"), &token, None)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn prolifi_a_token_stays_with_its_record_when_its_name_moves_away() {
    let g = Gateway::start("", "").await;
    let token = g.token("u1", "prolifi", &["read", "update"], Some("cus_1001"), None);
    assert_eq!(
        g.call("GET", "/prolifi/customers/cus_1001", &token, None)
            .await
            .0,
        200
    );
    // Outside the gateway, Jane gives up the name and another customer takes it.
    for (who, to) in [("cus_1001", "cus_jane"), ("cus_1002", "cus_1001")] {
        let path = format!("/prolifi/api/v1/public/customers/{who}");
        let body = format!(r#"{{"external_id":"{to}"}}"#);
        assert_eq!(g.direct("PATCH", &path, Some(&body)).await.0, 200);
    }
    g.sandbox.clear_log().await;
    let (status, reply) = g
        .call("GET", "/prolifi/customers/cus_1001", &token, None)
        .await;
    assert_eq!((status, code(&reply)), (403, "scope_customer"), "{reply}");
    let (status, _) = g
        .call(
            "PATCH",
            "/prolifi/customers/cus_1001",
            &token,
            Some(r#"{"phone":null}"#),
        )
        .await;
    assert_eq!(status, 403);
    assert!(g.writes_to("/customers/").await.is_empty());
    // Jane, whatever she is called now.
    let (status, jane) = g
        .call("GET", "/prolifi/customers/cus_jane", &token, None)
        .await;
    assert_eq!((status, jane["data"]["id"].as_str()), (200, Some(JANE)));
    let (status, _) = g
        .call(
            "PATCH",
            "/prolifi/customers/cus_jane",
            &token,
            Some(r#"{"phone":null}"#),
        )
        .await;
    assert_eq!(status, 200);
    let writes = g.writes_to("/customers/").await;
    assert_eq!(
        writes[0]["path"],
        format!("/prolifi/api/v1/public/customers/{JANE}"),
        "a write goes to the immutable id, not to a name"
    );
}

// 4. Commerce Layer: tag operations and relationships change their field, whatever it holds.

#[tokio::test]
async fn commercelayer_tag_operations_and_relationships_need_their_field() {
    let g = Gateway::start("", "").await;
    let path = format!("/commercelayer/customers/{ADA}");
    let body = |attributes: Value, relationships: Option<Value>| {
        let mut data = json!({"type": "customers", "id": ADA, "attributes": attributes});
        if let Some(relationships) = relationships {
            data["relationships"] = relationships;
        }
        json!({ "data": data }).to_string()
    };
    let reference_only = g.token(
        "u1",
        "commercelayer",
        &["read", "update"],
        Some(ADA),
        Some(&["reference"]),
    );
    for attempt in [
        body(json!({"_remove_tags": "vip, newsletter"}), None),
        body(json!({"_add_tags": "vip"}), None),
        body(
            json!({}),
            Some(
                json!({"customer_group": {"data": {"type": "customer_groups", "id": "ABCRtyUpBa"}}}),
            ),
        ),
    ] {
        let (status, reply) = g
            .call("PATCH", &path, &reference_only, Some(&attempt))
            .await;
        assert_eq!(
            (status, code(&reply)),
            (403, "scope_fields"),
            "{attempt}: {reply}"
        );
        assert_eq!(reply["errors"][0]["code"], "FORBIDDEN");
    }
    assert!(g.writes_to("/customers/").await.is_empty());
    let (_, ada) = g.call("GET", &path, &reference_only, None).await;
    assert_eq!(
        ada["data"]["relationships"]["tags"]["data"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let (status, _) = g
        .call(
            "PATCH",
            &path,
            &reference_only,
            Some(&body(json!({"reference": "R-1"}), None)),
        )
        .await;
    assert_eq!(status, 200);
    let tags = g.token(
        "u1",
        "commercelayer",
        &["update"],
        Some(ADA),
        Some(&["tags"]),
    );
    let (status, _) = g
        .call(
            "PATCH",
            &path,
            &tags,
            Some(&body(json!({"_remove_tags": "newsletter"}), None)),
        )
        .await;
    assert_eq!(status, 200);
}

// 5. Behind a proxy: the client's address comes from X-Forwarded-For / Forwarded, and only
// when the proxy is trusted.

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let g = Gateway::start(
        "",
        "[limits]\nper_ip_per_minute = 5\ntrusted_proxies = [\"127.0.0.1/32\", \"10.0.0.0/8\"]",
    )
    .await;
    let from = |headers: &'static [(&'static str, &'static str)]| {
        g.send("GET", "/prolifi/customers/cus_1001", None, headers, None)
    };
    for _ in 0..5 {
        assert_eq!(from(&[("x-forwarded-for", "203.0.113.7")]).await.0, 401);
    }
    let (status, reply) = from(&[("x-forwarded-for", "203.0.113.7")]).await;
    assert_eq!((status, code(&reply)), (429, "rate_ip"));
    // Other people behind the same proxy are not locked out.
    assert_eq!(from(&[("x-forwarded-for", "198.51.100.9")]).await.0, 401);
    assert_eq!(
        from(&[("forwarded", "for=\"198.51.100.10:4711\";proto=https")])
            .await
            .0,
        401
    );
    // The client cannot choose its address: the rightmost hop the trusted proxies did not add
    // is the client.
    assert_eq!(
        from(&[("x-forwarded-for", "198.51.100.11, 203.0.113.7, 10.1.2.3")])
            .await
            .0,
        429
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_forwarding_headers_are_ignored() {
    let g = Gateway::start("", "[limits]\nper_ip_per_minute = 3").await;
    for (i, address) in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]
        .into_iter()
        .enumerate()
    {
        let headers = [("x-forwarded-for", address)];
        let (status, _) = g
            .send("GET", "/prolifi/customers/cus_1001", None, &headers, None)
            .await;
        assert_eq!(status, if i < 3 { 401 } else { 429 });
    }
}

// 7. A replayed Idempotency-Key grants only within the same user.

#[tokio::test]
async fn an_idempotency_key_replayed_by_another_user_grants_nothing() {
    let g = Gateway::start("", "").await;
    let key = "6f9c1e2a-7b3d-4c5e-8f1a-2b3c4d5e6f70";
    let body = r#"{"email":"victim@example.com","first_name":"Vic"}"#;
    let create = |token: String| {
        let http = g.http.clone();
        let url = format!("{}/prolifi/customers", g.url);
        async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .header("idempotency-key", key)
                .body(body)
                .send()
                .await
                .unwrap();
            let replayed = response.headers().get("idempotent-replayed").is_some();
            let status = response.status().as_u16();
            (
                status,
                replayed,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let ops = ["create", "read", "update"];
    let (status, _, created) = create(g.token("victim", "prolifi", &ops, None, None)).await;
    assert_eq!(status, 201);
    let id = created["data"]["id"].as_str().unwrap().to_string();

    let attacker = g.token("attacker", "prolifi", &ops, None, None);
    // Prolifi does not see the victim's key: the same body makes a record of the attacker's own
    // (Prolifi does not require unique emails), not a replay of the victim's.
    let (_, replayed, reply) = create(attacker.clone()).await;
    assert!(!replayed, "{reply}");
    assert!(!reply.to_string().contains(&id), "{reply}");
    let path = format!("/prolifi/customers/{id}");
    assert_eq!(g.call("GET", &path, &attacker, None).await.0, 403);

    // The widget's own retry after its token was refreshed: same user, same key, same body.
    let refreshed = g.token("victim", "prolifi", &ops, None, None);
    let (status, replayed, again) = create(refreshed.clone()).await;
    assert_eq!((status, replayed), (201, true));
    assert_eq!(again["data"]["id"], id.as_str());
    assert_eq!(g.call("GET", &path, &refreshed, None).await.0, 200);
}

// Also seen.

#[tokio::test]
async fn a_get_or_head_with_a_body_is_refused_and_nothing_is_forwarded() {
    let g = Gateway::start("", "").await;
    let token = g.token("u1", "prolifi", &["read"], Some("cus_1001"), None);
    for method in ["GET", "HEAD"] {
        let response = g
            .http
            .request(
                method.parse().unwrap(),
                format!("{}/prolifi/customers/cus_1001", g.url),
            )
            .bearer_auth(&token)
            .body(r#"{"smuggled":true}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{method}");
    }
    assert!(g.sandbox.log().await.is_empty(), "nothing reached Prolifi");
}

#[tokio::test]
async fn a_short_admin_key_is_refused_at_start() {
    std::env::set_var("ATTACKS_SHORT_ADMIN", "abc");
    std::env::set_var("ATTACKS_HS256", common::HS256_KEY);
    let config = customer_form_gateway::config::Config::parse(
        "[tokens]\nhs256_key = { env = \"ATTACKS_HS256\" }\n[admin]\nkey = { env = \"ATTACKS_SHORT_ADMIN\" }",
    )
    .unwrap();
    let error = customer_form_gateway::AppState::new(config)
        .err()
        .unwrap_or_default();
    assert!(error.contains("at least 32 characters"), "{error}");
}

#[tokio::test]
async fn minting_and_oauth_routes_count_against_the_per_ip_limit() {
    let g = Gateway::start(
        "",
        "[limits]\nper_ip_per_minute = 3\n[demo]\ntoken_endpoint = true\n[admin]\nkey = { env = \"GW_ADMIN\" }",
    )
    .await;
    let mint = json!({"sub": "u1", "provider": "prolifi", "ops": ["read"]}).to_string();
    for _ in 0..3 {
        assert_eq!(
            g.send("POST", "/demo/token", None, &[], Some(&mint))
                .await
                .0,
            200
        );
    }
    assert_eq!(
        g.send("POST", "/demo/token", None, &[], Some(&mint))
            .await
            .0,
        429
    );
    assert_eq!(
        g.send("POST", "/tokens", Some(GATEWAY_ADMIN_KEY), &[], Some(&mint))
            .await
            .0,
        429
    );
    assert_eq!(
        g.send("GET", "/count/oauth/start", None, &[], None).await.0,
        429
    );
    assert_eq!(
        g.send(
            "GET",
            "/count/oauth/callback?code=x&state=y",
            None,
            &[],
            None
        )
        .await
        .0,
        429
    );
}

#[tokio::test]
async fn a_fresh_token_for_the_same_user_does_not_start_from_zero() {
    let g = Gateway::start(
        "",
        "[limits]\nper_token_per_minute = 100\nper_sub_per_minute = 3",
    )
    .await;
    let read = |sub: &str| g.token(sub, "prolifi", &["read"], Some("cus_1001"), None);
    for _ in 0..3 {
        assert_eq!(
            g.call("GET", "/prolifi/customers/cus_1001", &read("busy"), None)
                .await
                .0,
            200
        );
    }
    let (status, reply) = g
        .call("GET", "/prolifi/customers/cus_1001", &read("busy"), None)
        .await;
    assert_eq!((status, code(&reply)), (429, "rate_sub"));
    assert_eq!(
        g.call("GET", "/prolifi/customers/cus_1001", &read("calm"), None)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_everywhere() {
    let g = Gateway::start("", "[admin]\nkey = { env = \"GW_ADMIN\" }").await;
    let mint = json!({"sub": "u1", "provider": "prolifi", "ops": ["read"], "customer": "cus_1001"});
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = g
            .http
            .post(format!("{}/tokens", g.url))
            .header("authorization", format!("{scheme} {GATEWAY_ADMIN_KEY}"))
            .json(&mint)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
        let token: Value = response.json().await.unwrap();
        let read = g
            .http
            .get(format!("{}/prolifi/customers/cus_1001", g.url))
            .header(
                "authorization",
                format!("{scheme} {}", token["token"].as_str().unwrap()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), 200, "{scheme}");
    }
}

#[tokio::test]
async fn an_upstream_reply_over_one_mebibyte_is_a_502_in_the_providers_envelope() {
    let g = Gateway::start("", "").await;
    let token = g.token("u1", "prolifi", &["read"], Some("cus_1001"), None);
    for chunked in [false, true] {
        let mut action = json!({"kind": "huge_body", "bytes": 2 << 20});
        if chunked {
            action["chunked"] = json!(true);
        }
        g.sandbox
            .control(
                "/_faults",
                &json!({"provider": "prolifi", "action": action}).to_string(),
            )
            .await;
        let (status, reply) = g
            .call("GET", "/prolifi/customers/cus_1001", &token, None)
            .await;
        assert_eq!(
            (status, code(&reply)),
            (502, "upstream_too_large"),
            "{reply}"
        );
        assert_eq!(reply["error"]["type"], "api_error");
    }
    // Just under the cap passes (the reply is not a customer, so a read refuses it as unreadable,
    // but it is not refused for its size).
    g.sandbox
        .control(
            "/_faults",
            &json!({"provider": "prolifi", "action": {"kind": "huge_body", "bytes": (1 << 20) - 1}})
                .to_string(),
        )
        .await;
    let (_, reply) = g
        .call("GET", "/prolifi/customers/cus_1001", &token, None)
        .await;
    assert_ne!(code(&reply), "upstream_too_large");
}

#[test]
fn a_zero_token_lifetime_is_refused_when_the_config_is_read() {
    std::env::set_var("ATTACKS_HS256_ZERO", common::HS256_KEY);
    // Left through, it made minting's clamp(1, 0) panic at the first /tokens request.
    let error = customer_form_gateway::config::Config::parse(
        "[tokens]\nhs256_key = { env = \"ATTACKS_HS256_ZERO\" }\nmax_lifetime_secs = 0",
    )
    .err()
    .unwrap_or_default();
    assert!(
        error.contains("max_lifetime_secs must be at least 1"),
        "{error}"
    );
}

// Commerce Layer reads: the group and tags are reference data, shown by name only.

/// Every Commerce Layer request includes the customer's group and tags (the form shows their
/// names), and Commerce Layer includes each whole: a group's `metadata`, `code` and references
/// are the organisation's, which the reference-list route already cuts down to id and name. A
/// token allowed one customer sees the names of its group and tags, nothing more of them.
#[tokio::test]
async fn commercelayer_replies_show_only_the_name_of_the_group_and_tags() {
    let g = Gateway::start("", "").await;
    let path = format!("/commercelayer/customers/{ADA}");
    let token = g.token("u1", "commercelayer", &["read", "update"], Some(ADA), None);
    let only_names = |reply: &Value| {
        let included = reply["included"].as_array().expect("included");
        assert!(!included.is_empty(), "{reply}");
        for resource in included {
            let mut keys: Vec<&str> = resource
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort_unstable();
            assert_eq!(keys, ["attributes", "id", "type"], "{resource}");
            assert_eq!(
                resource["attributes"].as_object().unwrap().len(),
                1,
                "{resource}"
            );
            assert!(resource["attributes"]["name"].is_string(), "{resource}");
        }
    };
    // As the sandbox answers: each included resource whole (links, meta, reference, metadata…).
    let (status, read) = g.call("GET", &path, &token, None).await;
    assert_eq!(status, 200, "{read}");
    only_names(&read);
    assert_eq!(read["data"]["id"], ADA, "the customer itself is whole");
    assert!(read["data"]["attributes"]["metadata"].is_object());

    // A group whose metadata holds what the organisation keeps about it.
    let reply = json!({
        "data": {"id": ADA, "type": "customers", "attributes": {"email": "ada@example.com"},
                 "relationships": {"customer_group": {"data": {"type": "customer_groups", "id": "g1"}},
                                   "tags": {"data": [{"type": "tags", "id": "t1"}]}}},
        "included": [
            {"id": "g1", "type": "customer_groups",
             "attributes": {"name": "VIP", "code": "VIP-NET-30",
                            "metadata": {"credit_limit": 50000, "notes": "pays late"}},
             "relationships": {"markets": {"data": [{"type": "markets", "id": "m1"}]}},
             "meta": {"mode": "test"}},
            {"id": "t1", "type": "tags", "attributes": {"name": "vip", "reference": "crm-7"}}
        ]
    });
    g.sandbox
        .control(
            "/_faults",
            &json!({"provider": "commercelayer", "path_contains": ADA,
                    "action": {"kind": "status", "status": 200, "body": reply.to_string()}})
            .to_string(),
        )
        .await;
    let (status, read) = g.call("GET", &path, &token, None).await;
    assert_eq!(status, 200, "{read}");
    only_names(&read);
    assert_eq!(read["included"][0]["attributes"]["name"], "VIP");
    assert_eq!(read["included"][1]["attributes"]["name"], "vip");
    assert!(!read.to_string().contains("pays late"), "{read}");
    assert_eq!(read["data"], reply["data"]);
    // An update's reply is cut down the same way.
    let (status, updated) = g
        .call(
            "PATCH",
            &path,
            &token,
            Some(
                &json!({"data": {"type": "customers", "id": ADA,
                                 "attributes": {"reference": "x"}}})
                .to_string(),
            ),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    only_names(&updated);
    // A reply that cannot be cut down is not passed on whole.
    let unreadable = r#"{"data":{"id":"XAyRWNUzyN"},"included":[{"id":"g1","attributes":{"name":"VIP","metadata":{"notes":"pays late"}}}"#;
    g.sandbox
        .control(
            "/_faults",
            &json!({"provider": "commercelayer", "path_contains": ADA,
                    "action": {"kind": "status", "status": 200, "body": unreadable}})
            .to_string(),
        )
        .await;
    let (status, read) = g.call("GET", &path, &token, None).await;
    assert_eq!(status, 502, "{read}");
    assert!(!read.to_string().contains("pays late"), "{read}");
    // A write's reply is not read for a record before it is passed on: it is cut down too.
    g.sandbox
        .control(
            "/_faults",
            &json!({"provider": "commercelayer", "method": "PATCH", "path_contains": ADA,
                    "action": {"kind": "status", "status": 200, "body": unreadable}})
            .to_string(),
        )
        .await;
    let patch = json!({"data": {"type": "customers", "id": ADA, "attributes": {"reference": "y"}}});
    let response = g
        .http
        .patch(format!("{}{path}", g.url))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(patch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    let text = response.text().await.unwrap();
    assert!(!text.contains("pays late"), "{text}");
}

// 7. A field sent with its current value: not a change only where the provider's update must
// carry it (Count's `customer` and `email`). Elsewhere the value as the record shows it is not
// what the provider does with it: Prolifi splits a `name` it is sent into first and last
// names, Commerce Layer's password is never shown (so any value "equals" the empty one shown),
// and Partnero stores a list of tags as sent, which the field's text (joined with commas)
// cannot tell from another list.

#[tokio::test]
async fn a_value_sent_unchanged_passes_a_fields_claim_only_where_the_update_must_carry_it() {
    let g = Gateway::start("", "").await;
    let prolifi = g.token(
        "u1",
        "prolifi",
        &["read", "update"],
        Some(JANE),
        Some(&["phone"]),
    );
    let commercelayer = g.token(
        "u1",
        "commercelayer",
        &["read", "update"],
        Some(ADA),
        Some(&["metadata"]),
    );
    let partnero = g.token(
        "u1",
        "partnero",
        &["read", "update"],
        Some("customer_456"),
        Some(&["name"]),
    );
    for (token, method, path, body) in [
        (
            &prolifi,
            "PATCH",
            format!("/prolifi/customers/{JANE}"),
            json!({"phone": "+1 555 0100", "name": "Jane Doe"}).to_string(),
        ),
        (
            &commercelayer,
            "PATCH",
            format!("/commercelayer/customers/{ADA}"),
            json!({"data": {"type": "customers", "id": ADA, "attributes": {"password": null}}})
                .to_string(),
        ),
        (
            &commercelayer,
            "PATCH",
            format!("/commercelayer/customers/{ADA}"),
            json!({"data": {"type": "customers", "id": ADA, "attributes": {"password": ""}}})
                .to_string(),
        ),
        (
            &partnero,
            "PUT",
            "/partnero/customers/customer_456".to_string(),
            json!({"update": {"name": "Bob", "tags": ["premium,vip"]}}).to_string(),
        ),
    ] {
        let (status, reply) = g.call(method, &path, token, Some(&body)).await;
        assert_eq!(
            (status, code(&reply)),
            (403, "scope_fields"),
            "{body}: {reply}"
        );
    }
    assert!(
        g.writes_to("/customers/").await.is_empty(),
        "nothing was written"
    );
    // The field named in the claim, or changed as allowed, still passes.
    let (status, reply) = g
        .call(
            "PUT",
            "/partnero/customers/customer_456",
            &partnero,
            Some(&json!({"update": {"name": "Bob"}}).to_string()),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
}

/// A Commerce Layer write names its record twice, in the path and in `data.id`, and JSON:API
/// lets a body carry members besides `data`: the gateway checks the one in the path, so the
/// body may name no other, and carries nothing the form never sends.
#[tokio::test]
async fn commercelayer_a_write_body_names_only_its_own_record_and_carries_only_data() {
    let g = Gateway::start("", "").await;
    let path = format!("/commercelayer/customers/{ADA}");
    let token = g.token(
        "u1",
        "commercelayer",
        &["read", "update", "create"],
        Some(ADA),
        None,
    );
    let attributes = json!({"reference": "R-1"});
    for attempt in [
        json!({"data": {"type": "customers", "id": "QWpnGhTkLm", "attributes": attributes}}),
        json!({"data": {"type": "customers", "attributes": attributes}}),
        json!({"data": {"type": "customers", "id": ADA, "attributes": attributes}, "meta": {"x": 1}}),
        json!({"data": {"type": "customers", "id": ADA, "attributes": attributes}, "included": []}),
        json!({"data": {"type": "customers", "id": ADA, "attributes": attributes, "meta": {"x": 1}}}),
        json!({"data": {"type": "customers", "id": ADA, "attributes": attributes, "links": {}}}),
        json!({"data": {"type": "customers", "id": ADA, "attributes": attributes,
                        "relationships": {"customer_group": {"data": {"type": "customer_groups", "id": "ABCRtyUpBa"},
                                                             "meta": {"x": 1}}}}}),
        json!({"data": {"type": "customers", "id": ADA, "attributes": attributes,
                        "relationships": {"customer_group": {"data": {"type": "customer_groups", "id": "ABCRtyUpBa",
                                                                      "attributes": {"name": "x"}}}}}}),
    ] {
        let (status, reply) = g
            .call("PATCH", &path, &token, Some(&attempt.to_string()))
            .await;
        assert_eq!(
            (status, code(&reply)),
            (400, "body_shape"),
            "{attempt}: {reply}"
        );
    }
    let create = json!({"data": {"type": "customers", "id": "QWpnGhTkLm", "attributes": {"email": "new@example.com"}}});
    let (status, reply) = g
        .call(
            "POST",
            "/commercelayer/customers",
            &token,
            Some(&create.to_string()),
        )
        .await;
    assert_eq!((status, code(&reply)), (400, "body_shape"), "{reply}");
    assert!(g.writes_to("/customers").await.is_empty());
    let (status, _) = g
        .call(
            "PATCH",
            &path,
            &token,
            Some(
                &json!({"data": {"type": "customers", "id": ADA, "attributes": attributes}})
                    .to_string(),
            ),
        )
        .await;
    assert_eq!(status, 200);
}

/// Commerce Layer's documents carry links to themselves on the organisation's own host, and
/// meta about the organisation: the page is shown the customer, not where the gateway gets it.
#[tokio::test]
async fn commercelayer_replies_do_not_show_the_upstream_address() {
    let g = Gateway::start("", "").await;
    let path = format!("/commercelayer/customers/{ADA}");
    let token = g.token("u1", "commercelayer", &["read"], Some(ADA), None);
    let upstream = "https://acme-org.commercelayer.io/api";
    let reply = json!({
        "data": {"id": ADA, "type": "customers",
                 "links": {"self": format!("{upstream}/customers/{ADA}")},
                 "attributes": {"email": "ada@example.com"},
                 "relationships": {
                     "customer_group": {"links": {"self": format!("{upstream}/customers/{ADA}/relationships/customer_group"),
                                                  "related": format!("{upstream}/customers/{ADA}/customer_group")},
                                        "data": {"type": "customer_groups", "id": "g1"}},
                     "tags": {"links": {"related": format!("{upstream}/customers/{ADA}/tags")},
                              "data": [{"type": "tags", "id": "t1"}]}},
                 "meta": {"mode": "test", "organization_id": "wRPpEFOkVr"}},
        "links": {"self": format!("{upstream}/customers/{ADA}")},
        "included": [{"id": "g1", "type": "customer_groups", "attributes": {"name": "VIP"}}]
    });
    g.sandbox
        .control(
            "/_faults",
            &json!({"provider": "commercelayer", "path_contains": ADA,
                    "action": {"kind": "status", "status": 200, "body": reply.to_string()}})
            .to_string(),
        )
        .await;
    let (status, read) = g.call("GET", &path, &token, None).await;
    assert_eq!(status, 200, "{read}");
    let text = read.to_string();
    assert!(!text.contains("commercelayer.io"), "{read}");
    assert!(!text.contains("organization_id"), "{read}");
    assert_eq!(read["data"]["attributes"]["email"], "ada@example.com");
    assert_eq!(
        read["data"]["relationships"]["customer_group"]["data"]["id"],
        "g1"
    );
    assert_eq!(read["data"]["relationships"]["tags"]["data"][0]["id"], "t1");
}
