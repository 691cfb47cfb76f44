mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const API: &str = "/commercelayer/api/customers";
const ADA: &str = "XAyRWNUzyN";
const ACCEPT: (&str, &str) = ("accept", "application/vnd.api+json");
const CT: (&str, &str) = ("content-type", "application/vnd.api+json");

async fn token(app: &axum::Router, body: Value) -> Reply {
    post_json(app, "/commercelayer/oauth/token", &body.to_string()).await
}

async fn guest(app: &axum::Router) -> String {
    let reply = token(app, json!({"grant_type": "client_credentials", "client_id": "cl_sandbox_sales_channel", "scope": "market:code:europe"})).await;
    reply.json()["access_token"].as_str().unwrap().to_owned()
}

async fn customer(app: &axum::Router, email: &str, password: &str) -> Value {
    token(app, json!({"grant_type": "password", "username": email, "password": password, "client_id": "cl_sandbox_sales_channel", "scope": "market:code:europe"}))
        .await
        .json()
}

async fn integration(app: &axum::Router) -> String {
    let reply = token(app, json!({"grant_type": "client_credentials", "client_id": "cl_sandbox_integration", "client_secret": "cl_sandbox_integration_secret"})).await;
    reply.json()["access_token"].as_str().unwrap().to_owned()
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let mut bits = Vec::new();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (mut acc, mut n) = (0u32, 0);
    for c in payload.chars() {
        acc = (acc << 6) | alphabet.find(c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            bits.push((acc >> n) as u8);
            acc &= (1 << n) - 1;
        }
    }
    serde_json::from_slice(&bits).unwrap()
}

async fn api(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<&str>,
) -> Reply {
    let bearer = format!("Bearer {token}");
    send(
        app,
        method,
        uri,
        &[ACCEPT, CT, ("authorization", &bearer)],
        body,
    )
    .await
}

#[tokio::test]
async fn token_kinds_and_claims() {
    let app = sandbox();
    let reply = token(&app, json!({"grant_type": "client_credentials", "client_id": "cl_sandbox_sales_channel", "scope": "market:code:europe"})).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 14400);
    assert_eq!(body["scope"], "market:code:europe");
    assert!(body["created_at"].is_i64());
    assert!(body.get("refresh_token").is_none());
    let guest_claims = claims(body["access_token"].as_str().unwrap());
    assert_eq!(guest_claims["application"]["kind"], "sales_channel");
    assert_eq!(guest_claims["application"]["public"], true);
    assert_eq!(guest_claims["test"], true);
    assert!(guest_claims["exp"].is_i64());
    assert!(guest_claims.get("owner").is_none());

    let body = customer(&app, "ada@example.com", "ada-password").await;
    assert_eq!(body["owner_id"], ADA);
    assert_eq!(body["owner_type"], "customer");
    assert!(body["refresh_token"].is_string());
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["owner"],
        json!({"id": ADA, "type": "Customer"})
    );

    let integration_token = integration(&app).await;
    let c = claims(&integration_token);
    assert_eq!(c["application"]["kind"], "integration");
    assert_eq!(c["application"]["public"], false);

    // Refresh with the client id alone.
    let refresh = body["refresh_token"].as_str().unwrap();
    let reply = token(&app, json!({"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "cl_sandbox_sales_channel"})).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["owner_id"], ADA);
}

#[tokio::test]
async fn token_errors() {
    let app = sandbox();
    let reply = token(&app, json!({"grant_type": "client_credentials", "client_id": "cl_sandbox_sales_channel", "scope": "market:code:usa"})).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["errors"][0]["code"], "INVALID_SCOPE");
    let reply = token(
        &app,
        json!({"grant_type": "client_credentials", "client_id": "cl_sandbox_sales_channel"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = token(&app, json!({"grant_type": "client_credentials", "client_id": "nope", "scope": "market:code:europe"})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = token(&app, json!({"grant_type": "client_credentials", "client_id": "cl_sandbox_integration", "client_secret": "wrong"})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = customer(&app, "ada@example.com", "wrong").await;
    assert_eq!(reply["errors"][0]["code"], "INVALID_GRANT");
    let reply = token(&app, json!({"grant_type": "refresh_token", "refresh_token": "nope", "client_id": "cl_sandbox_sales_channel"})).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn guest_creates_and_may_do_nothing_else() {
    let app = sandbox();
    let guest = guest(&app).await;
    let body = r#"{"data":{"type":"customers","attributes":{"email":"new@example.com","password":"s3cret","metadata":{"k":"v"}}}}"#;
    let reply = api(&app, "POST", API, &guest, Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("application/vnd.api+json")
    );
    let data = reply.json()["data"].clone();
    assert_eq!(data["type"], "customers");
    assert_eq!(data["id"].as_str().unwrap().len(), 10);
    let attributes = &data["attributes"];
    assert_eq!(attributes["email"], "new@example.com");
    assert_eq!(attributes["status"], "prospect");
    assert_eq!(attributes["has_password"], true);
    assert_eq!(attributes["total_orders_count"], 0);
    assert!(attributes["shopper_reference"].is_string());
    assert_eq!(attributes["metadata"], json!({"k": "v"}));
    assert!(attributes.get("password").is_none());
    assert_eq!(data["meta"]["mode"], "test");
    assert!(data["links"]["self"]
        .as_str()
        .unwrap()
        .ends_with(data["id"].as_str().unwrap()));
    assert!(data["relationships"]["tags"]["links"]["related"].is_string());

    // The new customer can log in.
    assert!(customer(&app, "new@example.com", "s3cret").await["access_token"].is_string());
    // Guests cannot read, update or list.
    for (method, uri) in [("GET", format!("{API}/{ADA}")), ("GET", API.to_owned())] {
        let reply = api(&app, method, &uri, &guest, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.json()["errors"][0]["code"], "UNAUTHORIZED");
    }
    let patch = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","attributes":{{"email":"x@example.com"}}}}}}"#
    );
    assert_eq!(
        api(&app, "PATCH", &format!("{API}/{ADA}"), &guest, Some(&patch))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn create_validation() {
    let app = sandbox();
    let guest = guest(&app).await;
    let reply = api(
        &app,
        "POST",
        API,
        &guest,
        Some(r#"{"data":{"type":"customers","attributes":{"email":"ADA@example.com"}}}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json(),
        json!({"errors": [{"title": "has already been taken", "detail": "email - has already been taken", "code": "VALIDATION_ERROR",
            "source": {"pointer": "/data/attributes/email"}, "status": "422", "meta": {"error": "taken", "value": "ADA@example.com"}}]})
    );
    let reply = api(
        &app,
        "POST",
        API,
        &guest,
        Some(r#"{"data":{"type":"customers","attributes":{}}}"#),
    )
    .await;
    assert_eq!(reply.json()["errors"][0]["title"], "can't be blank");
    let reply = api(
        &app,
        "POST",
        API,
        &guest,
        Some(r#"{"data":{"type":"customers","attributes":{"email":"nope"}}}"#),
    )
    .await;
    assert_eq!(reply.json()["errors"][0]["detail"], "email - is invalid");
    // Structure errors.
    let reply = api(
        &app,
        "POST",
        API,
        &guest,
        Some(r#"{"data":{"type":"orders","attributes":{"email":"a@b.test"}}}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = api(&app, "POST", API, &guest, Some("not json")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = api(
        &app,
        "POST",
        API,
        &guest,
        Some(
            r#"{"data":{"type":"customers","attributes":{"email":"a@b.test","status":"repeat"}}}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["errors"][0]["code"], "PARAM_NOT_ALLOWED");
    // Sales channels may not set integration-only fields.
    for body in [
        r#"{"data":{"type":"customers","attributes":{"email":"a@b.test","reference":"r"}}}"#,
        r#"{"data":{"type":"customers","attributes":{"email":"a@b.test"},"relationships":{"customer_group":{"data":{"type":"customer_groups","id":"ABCRtyUpBa"}}}}}"#,
        r#"{"data":{"type":"customers","attributes":{"email":"a@b.test"},"relationships":{"tags":{"data":[]}}}}"#,
    ] {
        let reply = api(&app, "POST", API, &guest, Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.json()["errors"][0]["code"], "PARAM_NOT_ALLOWED");
    }
}

#[tokio::test]
async fn media_types_and_tokens_are_enforced() {
    let app = sandbox();
    let guest = guest(&app).await;
    let bearer = format!("Bearer {guest}");
    let body = r#"{"data":{"type":"customers","attributes":{"email":"m@example.com"}}}"#;
    let reply = send(
        &app,
        "POST",
        API,
        &[
            ("accept", "application/json"),
            CT,
            ("authorization", &bearer),
        ],
        Some(body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
    let reply = send(
        &app,
        "POST",
        API,
        &[
            ACCEPT,
            ("content-type", "application/json"),
            ("authorization", &bearer),
        ],
        Some(body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let reply = send(
        &app,
        "POST",
        API,
        &[
            ACCEPT,
            ("content-type", "application/vnd.api+json; charset=utf-8"),
            ("authorization", &bearer),
        ],
        Some(body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let reply = send(&app, "POST", API, &[ACCEPT, CT], Some(body)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.json(),
        json!({"errors": [{"title": "Invalid token", "detail": "The access token you provided is invalid.", "code": "INVALID_TOKEN", "status": "401"}]})
    );
    // Expired tokens are invalid too.
    post_json(
        &app,
        "/_config",
        r#"{"commercelayer":{"access_token_ttl_secs":0}}"#,
    )
    .await;
    let expired = integration(&app).await;
    assert_eq!(
        api(&app, "GET", &format!("{API}/{ADA}"), &expired, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn customer_token_reads_and_updates_only_itself() {
    let app = sandbox();
    let token = customer(&app, "ada@example.com", "ada-password").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = api(
        &app,
        "GET",
        &format!("{API}/{ADA}?include=customer_group,tags"),
        &token,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let value = reply.json();
    assert_eq!(value["data"]["attributes"]["email"], "ada@example.com");
    assert_eq!(
        value["data"]["relationships"]["customer_group"]["data"],
        json!({"type": "customer_groups", "id": "ABCRtyUpBa"})
    );
    assert_eq!(
        value["data"]["relationships"]["tags"]["data"][0],
        json!({"type": "tags", "id": "geJmexflJQ"})
    );
    let included: Vec<(String, String)> = value["included"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap().to_owned(),
                r["attributes"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        included,
        [
            ("customer_groups".to_owned(), "VIP".to_owned()),
            ("tags".into(), "vip".into()),
            ("tags".into(), "newsletter".into())
        ]
    );
    // Without include there is no linkage data.
    let reply = api(&app, "GET", &format!("{API}/{ADA}"), &token, None).await;
    assert!(reply.json()["data"]["relationships"]["customer_group"]
        .get("data")
        .is_none());
    assert!(reply.json().get("included").is_none());

    let patch = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","attributes":{{"email":"ada.lovelace@example.com","metadata":{{"a":1}}}}}}}}"#
    );
    let reply = api(&app, "PATCH", &format!("{API}/{ADA}"), &token, Some(&patch)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let attributes = reply.json()["data"]["attributes"].clone();
    assert_eq!(attributes["email"], "ada.lovelace@example.com");
    assert_eq!(attributes["metadata"], json!({"a": 1}));
    assert_eq!(attributes["reference"], "crm-ada-1815");

    // Someone else's record: 401 (Commerce Layer has no 403).
    let reply = api(&app, "GET", &format!("{API}/QWpnGhTkLm"), &token, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let patch =
        r#"{"data":{"type":"customers","id":"QWpnGhTkLm","attributes":{"email":"g@example.com"}}}"#;
    assert_eq!(
        api(
            &app,
            "PATCH",
            &format!("{API}/QWpnGhTkLm"),
            &token,
            Some(patch)
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    // Tag attributes are off limits for sales channels.
    let patch = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","attributes":{{"_add_tags":"b2b"}}}}}}"#
    );
    let reply = api(&app, "PATCH", &format!("{API}/{ADA}"), &token, Some(&patch)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["errors"][0]["source"]["pointer"],
        "/data/attributes/_add_tags"
    );
    // data.id must match the URL.
    let patch = r#"{"data":{"type":"customers","id":"QWpnGhTkLm","attributes":{}}}"#;
    let reply = api(&app, "PATCH", &format!("{API}/{ADA}"), &token, Some(patch)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["errors"][0]["code"], "KEY_NOT_INCLUDED_IN_URL");
    let patch = r#"{"data":{"type":"customers","attributes":{}}}"#;
    let reply = api(&app, "PATCH", &format!("{API}/{ADA}"), &token, Some(patch)).await;
    assert_eq!(reply.json()["errors"][0]["code"], "KEY_NOT_INCLUDED_IN_URL");
}

#[tokio::test]
async fn integration_manages_groups_and_tags() {
    let app = sandbox();
    let token = integration(&app).await;
    let url = format!("{API}/{ADA}?include=tags,customer_group");
    let patch = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","attributes":{{"_add_tags":"b2b, new,unknown,vip","_remove_tags":"vip"}},"relationships":{{"customer_group":{{"data":{{"type":"customer_groups","id":"dKmLpQrStU"}}}}}}}}}}"#
    );
    let reply = api(&app, "PATCH", &url, &token, Some(&patch)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let rel = reply.json()["data"]["relationships"].clone();
    let tag_ids: Vec<&str> = rel["tags"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        tag_ids,
        ["oZxCvBnMaS", "kLbNwQpRtY", "mPqRsTuVwX"],
        "newsletter kept, b2b and new added, vip removed"
    );
    assert_eq!(rel["customer_group"]["data"]["id"], "dKmLpQrStU");

    // Replace the set, remove the group.
    let patch = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","relationships":{{"tags":{{"data":[{{"type":"tags","id":"geJmexflJQ"}}]}},"customer_group":{{"data":null}}}}}}}}"#
    );
    let rel = api(&app, "PATCH", &url, &token, Some(&patch)).await.json()["data"]["relationships"]
        .clone();
    assert_eq!(
        rel["tags"]["data"],
        json!([{"type": "tags", "id": "geJmexflJQ"}])
    );
    assert_eq!(rel["customer_group"]["data"], json!(null));

    // Unknown ids are 404s; more than ten tags is a 422.
    let patch = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","relationships":{{"customer_group":{{"data":{{"type":"customer_groups","id":"nope"}}}}}}}}}}"#
    );
    assert_eq!(
        api(&app, "PATCH", &url, &token, Some(&patch)).await.status,
        StatusCode::NOT_FOUND
    );
    let many: Vec<String> = (0..11)
        .map(|_| r#"{"type":"tags","id":"geJmexflJQ"}"#.to_owned())
        .collect();
    let patch = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","relationships":{{"tags":{{"data":[{}]}}}}}}}}"#,
        many.join(",")
    );
    // Duplicates collapse, so this stays within the limit.
    assert_eq!(
        api(&app, "PATCH", &url, &token, Some(&patch)).await.status,
        StatusCode::OK
    );
    let all = "vip,b2b,new,wholesale,newsletter,gold,silver,bronze,eu,uk,us";
    let patch = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","attributes":{{"_add_tags":"{all}"}}}}}}"#
    );
    let reply = api(&app, "PATCH", &url, &token, Some(&patch)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json()["errors"][0]["source"]["pointer"],
        "/data/relationships/tags"
    );
    let patch = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","attributes":{{"_add_tags":"{all}","_remove_tags":"us"}}}}}}"#
    );
    assert_eq!(
        api(&app, "PATCH", &url, &token, Some(&patch)).await.status,
        StatusCode::OK,
        "ten after removal"
    );

    // List with the email filter.
    let reply = api(
        &app,
        "GET",
        &format!("{API}?filter[q][email_eq]=grace%40example.com"),
        &token,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let value = reply.json();
    assert_eq!(value["data"].as_array().unwrap().len(), 1);
    assert_eq!(value["data"][0]["id"], "QWpnGhTkLm");
    assert_eq!(value["meta"]["record_count"], 1);
    // Unknown customers are 404 for integrations.
    assert_eq!(
        api(&app, "GET", &format!("{API}/NoSuchOne1"), &token, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let reply = api(
        &app,
        "GET",
        &format!("{API}/{ADA}?include=orders"),
        &token,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn rate_limit_headers_without_reset() {
    let app = sandbox();
    let token = integration(&app).await;
    let reply = api(&app, "GET", &format!("{API}/{ADA}"), &token, None).await;
    assert_eq!(reply.header("x-ratelimit-limit"), Some("600"));
    assert_eq!(reply.header("x-ratelimit-interval"), Some("60"));
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("599"));
    assert!(reply.header("x-ratelimit-reset").is_none());
    post_json(
        &app,
        "/_config",
        r#"{"commercelayer":{"rate_limit_per_minute":1}}"#,
    )
    .await;
    let reply = api(&app, "GET", &format!("{API}/{ADA}"), &token, None).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.header("retry-after").is_none());
    assert_eq!(reply.json()["errors"][0]["status"], "429");
}
