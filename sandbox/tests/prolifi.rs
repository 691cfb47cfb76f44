mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

const BASE: &str = "/prolifi/api/v1/public/customers";
const JANE: &str = "0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10";
const SK: (&str, &str) = ("authorization", "Bearer sk_test_demo");
const PK: (&str, &str) = ("authorization", "Bearer pk_test_demo");
const JSON_CT: (&str, &str) = ("content-type", "application/json");

#[tokio::test]
async fn reads_seeded_customer_by_uuid_and_external_id() {
    let app = sandbox();
    for id in [JANE, "cus_1001"] {
        let reply = send(&app, "GET", &format!("{BASE}/{id}"), &[SK], None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.json(),
            json!({"data": {
                "id": JANE, "external_id": "cus_1001", "email": "jane@example.com", "name": "Jane Doe",
                "first_name": "Jane", "last_name": "Doe", "company_name": null, "type": "individual",
                "phone": "+44 20 7946 0958", "status": "active", "country": "United Kingdom",
                "country_id": "9a7c3b52-3f0e-4d8c-8f55-1c0c2e9d4b61", "metadata": {"plan": "pro"},
                "created_at": "2025-05-02T16:12:39.000000Z", "updated_at": "2025-05-02T16:12:39.000000Z"
            }})
        );
    }
    // Public keys may read.
    assert_eq!(
        send(&app, "GET", &format!("{BASE}/{JANE}"), &[PK], None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn creates_with_name_split_and_business_type() {
    let app = sandbox();
    let body = r#"{"email":"sam@example.com","name":"Sam van der Berg","company_name":"Berg BV","country_id":"5c2d8e1f-7a3b-4d5c-8e6f-1a2b3c4d5e6f","external_id":"cus_2001","metadata":{"source":"widget"}}"#;
    let reply = send(&app, "POST", BASE, &[SK, JSON_CT], Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let data = &reply.json()["data"];
    assert_eq!(data["first_name"], "Sam");
    assert_eq!(data["last_name"], "van der Berg");
    assert_eq!(data["name"], "Sam van der Berg");
    assert_eq!(data["type"], "business");
    assert_eq!(data["country"], "France");
    assert_eq!(data["status"], "active");
    assert_eq!(data["metadata"], json!({"source": "widget"}));
    let id = data["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    let again = send(&app, "GET", &format!("{BASE}/cus_2001"), &[SK], None).await;
    assert_eq!(again.json()["data"]["id"], id);
}

#[tokio::test]
async fn create_validation_uses_laravel_messages() {
    let app = sandbox();
    let reply = send(
        &app,
        "POST",
        BASE,
        &[SK, JSON_CT],
        Some(r#"{"name":"No Email"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json(),
        json!({"error": {"type": "validation_error", "message": "The request data is invalid.",
            "errors": [{"field": "email", "message": "The email field is required."}]}})
    );
    let reply = send(
        &app,
        "POST",
        BASE,
        &[SK, JSON_CT],
        Some(r#"{"email":"nope","first_name":42,"external_id":"cus_1001","country_id":"not-a-uuid","metadata":"x"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = reply.json()["error"]["errors"].clone();
    assert_eq!(
        errors,
        json!([
            {"field": "email", "message": "The email field must be a valid email address."},
            {"field": "first_name", "message": "The first name field must be a string."},
            {"field": "external_id", "message": "The external id has already been taken."},
            {"field": "country_id", "message": "The country id field must be a valid UUID."},
            {"field": "metadata", "message": "The metadata field must be an object."}
        ])
    );
    // A well-formed UUID that is not a known country.
    let reply = send(
        &app,
        "POST",
        BASE,
        &[SK, JSON_CT],
        Some(r#"{"email":"a@b.test","country_id":"00000000-0000-4000-8000-000000000000"}"#),
    )
    .await;
    assert_eq!(
        reply.json()["error"]["errors"][0]["message"],
        "The selected country id is invalid."
    );
}

#[tokio::test]
async fn bad_json_is_an_invalid_request() {
    let app = sandbox();
    let reply = send(&app, "POST", BASE, &[SK, JSON_CT], Some("{not json")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["type"], "invalid_request");
    let reply = send(&app, "POST", BASE, &[SK, JSON_CT], Some("[1,2]")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = send(
        &app,
        "POST",
        BASE,
        &[SK, ("content-type", "text/plain")],
        Some(r#"{"email":"a@b.test"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn patch_changes_only_given_fields() {
    let app = sandbox();
    let reply = send(
        &app,
        "PATCH",
        &format!("{BASE}/cus_1001"),
        &[SK, JSON_CT],
        Some(r#"{"last_name":"Smith","phone":null}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let data = reply.json()["data"].clone();
    assert_eq!(data["first_name"], "Jane");
    assert_eq!(data["last_name"], "Smith");
    assert_eq!(data["name"], "Jane Smith");
    assert_eq!(data["phone"], json!(null));
    assert_eq!(data["email"], "jane@example.com");
    assert_eq!(data["metadata"], json!({"plan": "pro"}));
    assert_ne!(data["updated_at"], "2025-05-02T16:12:39.000000Z");
    assert_eq!(data["created_at"], "2025-05-02T16:12:39.000000Z");

    // `name` is split again; clearing the country clears its name too.
    let reply = send(
        &app,
        "PATCH",
        &format!("{BASE}/{JANE}"),
        &[SK, JSON_CT],
        Some(r#"{"name":"Janet Q Public","country_id":null,"company_name":"Q Ltd"}"#),
    )
    .await;
    let data = reply.json()["data"].clone();
    assert_eq!(
        (data["first_name"].clone(), data["last_name"].clone()),
        (json!("Janet"), json!("Q Public"))
    );
    assert_eq!(data["country"], json!(null));
    assert_eq!(data["type"], "business");
}

#[tokio::test]
async fn patch_cannot_clear_email_and_reports_not_found() {
    let app = sandbox();
    let reply = send(
        &app,
        "PATCH",
        &format!("{BASE}/{JANE}"),
        &[SK, JSON_CT],
        Some(r#"{"email":null}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json()["error"]["errors"],
        json!([{"field": "email", "message": "The email field is required."}])
    );
    // Laravel turns "" into null first.
    let reply = send(
        &app,
        "PATCH",
        &format!("{BASE}/{JANE}"),
        &[SK, JSON_CT],
        Some(r#"{"email":"  "}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = send(
        &app,
        "PATCH",
        &format!("{BASE}/cus_nope"),
        &[SK, JSON_CT],
        Some(r#"{"phone":"1"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.json(),
        json!({"error": {"type": "not_found", "message": "Customer not found."}})
    );
    // external_id must stay unique.
    let reply = send(
        &app,
        "PATCH",
        &format!("{BASE}/{JANE}"),
        &[SK, JSON_CT],
        Some(r#"{"external_id":"cus_1002"}"#),
    )
    .await;
    assert_eq!(
        reply.json()["error"]["errors"][0]["message"],
        "The external id has already been taken."
    );
}

#[tokio::test]
async fn authentication_and_key_kinds() {
    let app = sandbox();
    let url = format!("{BASE}/{JANE}");
    let reply = send(&app, "GET", &url, &[], None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"]["type"], "authentication_error");
    assert!(reply.json()["error"].get("errors").is_none());
    let reply = send(
        &app,
        "GET",
        &url,
        &[("authorization", "Bearer rk_test_x")],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = send(
        &app,
        "PATCH",
        &url,
        &[PK, JSON_CT],
        Some(r#"{"phone":"1"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.json(),
        json!({"error": {"type": "permission_error", "message": "Public keys (pk_*) are read-only. Use a secret key (sk_*) for write operations."}})
    );
    for live in ["Bearer sk_live_x", "Bearer pk_live_x"] {
        let reply = send(&app, "GET", &url, &[("authorization", live)], None).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.json()["error"]["type"], "permission_error");
    }
}

#[tokio::test]
async fn idempotent_replay_does_not_execute_twice() {
    let app = sandbox();
    let key = ("idempotency-key", "form-submit-1");
    let body = r#"{"email":"once@example.com","first_name":"Once"}"#;
    let first = send(&app, "POST", BASE, &[SK, JSON_CT, key], Some(body)).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert!(first.header("idempotent-replayed").is_none());
    let second = send(&app, "POST", BASE, &[SK, JSON_CT, key], Some(body)).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.text, first.text);
    let list = send(&app, "GET", BASE, &[SK], None).await.json();
    assert_eq!(list["pagination"]["total"], 3, "created once");

    // Same key, different body: refused.
    let other = send(
        &app,
        "POST",
        BASE,
        &[SK, JSON_CT, key],
        Some(r#"{"email":"twice@example.com"}"#),
    )
    .await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert_eq!(other.json()["error"]["type"], "conflict");
    // Keys are scoped per API key.
    let elsewhere = send(
        &app,
        "POST",
        BASE,
        &[("authorization", "Bearer sk_test_other"), JSON_CT, key],
        Some(body),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::CREATED);
    assert!(elsewhere.header("idempotent-replayed").is_none());
    // GET ignores the header.
    let get = send(&app, "GET", &format!("{BASE}/{JANE}"), &[SK, key], None).await;
    assert!(get.header("idempotent-replayed").is_none());

    let entries = log(&app).await;
    let replayed: Vec<bool> = entries
        .iter()
        .map(|e| e["replayed"].as_bool().unwrap())
        .collect();
    assert_eq!(replayed.iter().filter(|r| **r).count(), 1);
}

#[tokio::test]
async fn failed_requests_are_not_saved_and_long_keys_are_refused() {
    let app = sandbox();
    let key = ("idempotency-key", "retry-me");
    let bad = send(
        &app,
        "POST",
        BASE,
        &[SK, JSON_CT, key],
        Some(r#"{"email":"bad"}"#),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fixed = send(
        &app,
        "POST",
        BASE,
        &[SK, JSON_CT, key],
        Some(r#"{"email":"good@example.com"}"#),
    )
    .await;
    assert_eq!(fixed.status, StatusCode::CREATED);

    let long = "k".repeat(256);
    let reply = send(
        &app,
        "POST",
        BASE,
        &[SK, JSON_CT, ("idempotency-key", &long)],
        Some(r#"{"email":"x@example.com"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["type"], "invalid_request");
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let app = sandbox();
    let reply = send(&app, "GET", &format!("{BASE}/{JANE}"), &[SK], None).await;
    assert_eq!(reply.header("x-ratelimit-limit"), Some("1000"));
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("999"));

    post_json(
        &app,
        "/_config",
        r#"{"prolifi":{"rate_limit_per_minute":2}}"#,
    )
    .await;
    let key = ("authorization", "Bearer sk_test_limited");
    for remaining in ["1", "0"] {
        let reply = send(&app, "GET", &format!("{BASE}/{JANE}"), &[key], None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("x-ratelimit-remaining"), Some(remaining));
    }
    let reply = send(&app, "GET", &format!("{BASE}/{JANE}"), &[key], None).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        reply.json(),
        json!({"error": {"type": "rate_limit_error", "message": "Too many requests. Please retry after the rate limit resets."}})
    );
    let retry: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(reply.header("x-ratelimit-limit"), Some("2"));
}

#[tokio::test]
async fn archive_and_list() {
    let app = sandbox();
    let reply = send(&app, "DELETE", &format!("{BASE}/cus_1002"), &[SK], None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["data"]["status"], "archived");
    let list = send(
        &app,
        "GET",
        &format!("{BASE}?limit=1&offset=1"),
        &[SK],
        None,
    )
    .await
    .json();
    assert_eq!(
        list["pagination"],
        json!({"total": 2, "limit": 1, "offset": 1, "has_more": false})
    );
    assert_eq!(list["data"][0]["external_id"], "cus_1002");
    let bad = send(&app, "GET", &format!("{BASE}?limit=500"), &[SK], None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
