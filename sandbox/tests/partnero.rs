mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

const BASE: &str = "/partnero/v1/customers";
const AUTH: (&str, &str) = ("authorization", "Bearer partnero_sandbox_key");
const JSON_CT: (&str, &str) = ("content-type", "application/json");

#[tokio::test]
async fn creates_like_the_docs_example() {
    let app = sandbox();
    let body = r#"{"partner":{"key":"ref_123"},"key":"customer_789","email":"carol@example.com","name":"Carol","surname":"White","tags":["new","new","trial"]}"#;
    let reply = send(
        &app,
        "POST",
        BASE,
        &[AUTH, JSON_CT, ("accept", "application/json")],
        Some(body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let mut value = reply.json();
    let data = value["data"].as_object_mut().unwrap();
    assert!(data
        .remove("created_at")
        .unwrap()
        .as_str()
        .unwrap()
        .ends_with("Z"));
    assert!(data.remove("updated_at").is_some());
    assert_eq!(
        value,
        json!({"data": {"key": "customer_789", "partner": "partner_123", "deleted": false, "name": "Carol",
            "surname": "White", "email": "carol@example.com", "status": "active", "deleted_at": null,
            "tags": [{"value": "new"}, {"value": "trial"}]}, "status": 1})
    );
    // Partner by id or e-mail works too.
    for partner in [
        r#"{"id":"partner_456"}"#,
        r#"{"email":"partner@example.com"}"#,
    ] {
        let body = format!(r#"{{"key":"by_{}","partner":{partner}}}"#, partner.len());
        let reply = send(&app, "POST", BASE, &[AUTH, JSON_CT], Some(&body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
}

#[tokio::test]
async fn create_errors() {
    let app = sandbox();
    // Duplicate key: 422, Laravel-style.
    let reply = send(
        &app,
        "POST",
        BASE,
        &[AUTH, JSON_CT],
        Some(r#"{"key":"customer_123","partner":{"key":"ref_123"}}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json(),
        json!({"message": "The given data was invalid.", "errors": {"key": ["The key has already been taken."]}})
    );
    // Missing key and partner identification.
    let reply = send(
        &app,
        "POST",
        BASE,
        &[AUTH, JSON_CT],
        Some(r#"{"email":"x@example.com"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json()["errors"],
        json!({"key": ["The key field is required."],
               "partner.key": ["The partner.key field is required when none of partner.id / partner.email are present."]})
    );
    // Invalid and duplicate e-mails; tags must be strings.
    let reply = send(&app, "POST", BASE, &[AUTH, JSON_CT], Some(r#"{"key":"k1","email":"ALICE.BROWN@example.com","partner":{"key":"ref_123"},"tags":["ok",5]}"#)).await;
    assert_eq!(
        reply.json()["errors"],
        json!({"email": ["The email has already been taken."], "tags.1": ["The tags.1 field must be a string."]})
    );
    let reply = send(
        &app,
        "POST",
        BASE,
        &[AUTH, JSON_CT],
        Some(r#"{"key":"k1","email":"not-an-email","partner":{"key":"ref_123"}}"#),
    )
    .await;
    assert_eq!(
        reply.json()["errors"],
        json!({"email": ["The email field must be a valid email address."]})
    );
    // Unknown partner: 400.
    let reply = send(
        &app,
        "POST",
        BASE,
        &[AUTH, JSON_CT],
        Some(r#"{"key":"k2","partner":{"key":"ref_nope"}}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json(), json!({"message": "Invalid partner key"}));
    // Not JSON.
    let reply = send(&app, "POST", BASE, &[AUTH, JSON_CT], Some("{")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.json()["message"].is_string());
}

#[tokio::test]
async fn authentication() {
    let app = sandbox();
    for headers in [
        vec![],
        vec![("authorization", "Bearer wrong")],
        vec![("authorization", "partnero_sandbox_key")],
    ] {
        let reply = send(&app, "GET", &format!("{BASE}/customer_123"), &headers, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.json(), json!({"message": "Unauthenticated."}));
    }
}

#[tokio::test]
async fn environment_overrides_the_key() {
    let app = app(Credentials {
        partnero_api_key: "from_env".into(),
        ..Credentials::default()
    });
    let ok = send(
        &app,
        "GET",
        &format!("{BASE}/customer_123"),
        &[("authorization", "Bearer from_env")],
        None,
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    let old = send(&app, "GET", &format!("{BASE}/customer_123"), &[AUTH], None).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reads_and_404s() {
    let app = sandbox();
    let reply = send(&app, "GET", &format!("{BASE}/customer_123"), &[AUTH], None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["data"]["tags"], json!([{"value": "new"}]));
    assert_eq!(reply.json()["status"], 1);
    let reply = send(&app, "GET", &format!("{BASE}/nobody"), &[AUTH], None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.json()["message"].is_string());
}

#[tokio::test]
async fn update_by_path_with_the_update_wrapper() {
    let app = sandbox();
    let body = r#"{"update":{"name":"Amanda","surname":"Green","email":"amanda.green@example.com","tags":["premium","vip"]}}"#;
    let reply = send(
        &app,
        "PUT",
        &format!("{BASE}/customer_123"),
        &[AUTH, JSON_CT],
        Some(body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let data = reply.json()["data"].clone();
    assert_eq!(data["name"], "Amanda");
    assert_eq!(data["email"], "amanda.green@example.com");
    assert_eq!(
        data["tags"],
        json!([{"value": "premium"}, {"value": "vip"}])
    );
    assert_ne!(data["updated_at"], data["created_at"]);

    // null leaves tags alone, [] clears them.
    let reply = send(
        &app,
        "PUT",
        &format!("{BASE}/customer_123"),
        &[AUTH, JSON_CT],
        Some(r#"{"update":{"tags":null,"surname":"Grey"}}"#),
    )
    .await;
    assert_eq!(
        reply.json()["data"]["tags"],
        json!([{"value": "premium"}, {"value": "vip"}])
    );
    assert_eq!(reply.json()["data"]["surname"], "Grey");
    let reply = send(
        &app,
        "PUT",
        &format!("{BASE}/customer_123"),
        &[AUTH, JSON_CT],
        Some(r#"{"update":{"tags":[]}}"#),
    )
    .await;
    assert_eq!(reply.json()["data"]["tags"], json!([]));
}

#[tokio::test]
async fn update_by_body_key_and_rename() {
    let app = sandbox();
    let body =
        r#"{"key":"customer_123","update":{"key":"customer_123_renamed","tags":["premium"]}}"#;
    let reply = send(&app, "PUT", BASE, &[AUTH, JSON_CT], Some(body)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["data"]["key"], "customer_123_renamed");
    assert_eq!(
        send(&app, "GET", &format!("{BASE}/customer_123"), &[AUTH], None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &app,
            "GET",
            &format!("{BASE}/customer_123_renamed"),
            &[AUTH],
            None
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn update_errors() {
    let app = sandbox();
    let url = format!("{BASE}/customer_123");
    // Top-level fields without the wrapper (the n8n variant) are refused.
    let reply = send(
        &app,
        "PUT",
        &url,
        &[AUTH, JSON_CT],
        Some(r#"{"name":"Amanda"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json(),
        json!({"message": "The given data was invalid.", "errors": {"update": ["The update field is required."]}})
    );
    let reply = send(
        &app,
        "PUT",
        &url,
        &[AUTH, JSON_CT],
        Some(r#"{"update":{"key":"customer_456","email":"bad"}}"#),
    )
    .await;
    assert_eq!(
        reply.json()["errors"],
        json!({"update.key": ["The update.key has already been taken."], "update.email": ["The update.email field must be a valid email address."]})
    );
    let reply = send(
        &app,
        "PUT",
        &url,
        &[AUTH, JSON_CT],
        Some(r#"{"update":{"email":"bob.stone@example.com"}}"#),
    )
    .await;
    assert_eq!(
        reply.json()["errors"],
        json!({"update.email": ["The update.email has already been taken."]})
    );
    let reply = send(
        &app,
        "PUT",
        &format!("{BASE}/nobody"),
        &[AUTH, JSON_CT],
        Some(r#"{"update":{}}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = send(
        &app,
        "PUT",
        BASE,
        &[AUTH, JSON_CT],
        Some(r#"{"update":{"name":"x"}}"#),
    )
    .await;
    assert_eq!(
        reply.json()["errors"],
        json!({"key": ["The key field is required."]})
    );
}

#[tokio::test]
async fn search_by_email_or_key() {
    let app = sandbox();
    let reply = send(
        &app,
        "GET",
        &format!("{BASE}:search?email=Alice.Brown%40example.com"),
        &[AUTH],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["data"][0]["key"], "customer_123");
    assert_eq!(reply.json()["status"], 1);
    let reply = send(
        &app,
        "GET",
        &format!("{BASE}:search?key=customer_456"),
        &[AUTH],
        None,
    )
    .await;
    assert_eq!(reply.json()["data"][0]["email"], "bob.stone@example.com");
    let reply = send(
        &app,
        "GET",
        &format!("{BASE}:search?email=nobody%40example.com"),
        &[AUTH],
        None,
    )
    .await;
    assert_eq!(reply.json(), json!({"data": [], "status": 1}));
    let reply = send(&app, "GET", &format!("{BASE}:search"), &[AUTH], None).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn list_has_no_tags() {
    let app = sandbox();
    let reply = send(
        &app,
        "GET",
        &format!("{BASE}?limit=1&partner.key=ref_456"),
        &[AUTH],
        None,
    )
    .await;
    let value = reply.json();
    assert_eq!(value["data"].as_array().unwrap().len(), 1);
    assert_eq!(value["data"][0]["key"], "customer_456");
    assert!(value["data"][0].get("tags").is_none());
    assert_eq!(value["meta"]["per_page"], 1);
}

#[tokio::test]
async fn optional_rate_limit() {
    let app = sandbox();
    post_json(
        &app,
        "/_config",
        r#"{"partnero":{"rate_limit_per_minute":1}}"#,
    )
    .await;
    let first = send(&app, "GET", &format!("{BASE}/customer_123"), &[AUTH], None).await;
    assert_eq!(first.status, StatusCode::OK);
    let second = send(&app, "GET", &format!("{BASE}/customer_123"), &[AUTH], None).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(second.json(), json!({"message": "Too Many Attempts."}));
    assert!(second.header("retry-after").is_some());
}
