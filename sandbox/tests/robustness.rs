//! Odd input everywhere: no panic, no 5xx, and every provider answers in its own JSON envelope.
mod common;

use common::*;

const ROUTES: [(&str, &str); 20] = [
    ("POST", "/prolifi/api/v1/public/customers"),
    ("PATCH", "/prolifi/api/v1/public/customers/cus_1001"),
    ("DELETE", "/prolifi/api/v1/public/customers/%ZZ"),
    (
        "GET",
        "/prolifi/api/v1/public/customers?limit=-1&offset=99999999999999999999",
    ),
    ("POST", "/partnero/v1/customers"),
    ("PUT", "/partnero/v1/customers"),
    ("PUT", "/partnero/v1/customers/customer_123"),
    (
        "GET",
        "/partnero/v1/customers?limit=0&page=18446744073709551615",
    ),
    ("GET", "/partnero/v1/customers:search?email="),
    ("POST", "/count/partners/customers"),
    (
        "PUT",
        "/count/partners/customers/5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d",
    ),
    ("POST", "/count/partners/grant-access-token"),
    ("POST", "/count/partners/refresh-user-access-token"),
    (
        "GET",
        "/count/auth2/authorize-intiate?clientId=%&redirectUri=%%",
    ),
    ("GET", "/count/_login"),
    ("POST", "/commercelayer/oauth/token"),
    ("POST", "/commercelayer/api/customers"),
    ("PATCH", "/commercelayer/api/customers/XAyRWNUzyN"),
    (
        "GET",
        "/commercelayer/api/customers?page[size]=999&page[number]=0",
    ),
    ("POST", "/_faults"),
];

const BODIES: [&str; 10] = [
    "",
    "null",
    "[]",
    "{",
    "\"text\"",
    "{\"data\":[]}",
    "{\"data\":{\"type\":\"customers\",\"id\":5,\"attributes\":[],\"relationships\":{\"tags\":{\"data\":{}}}}}",
    "{\"update\":[],\"email\":{},\"customer\":7,\"partner\":\"x\",\"tags\":{\"a\":1},\"contacts\":{},\"grantType\":1}",
    "{\"email\":\"\\u0000@x.y\",\"name\":\"\\ud83d\\ude00 \\u00e9\",\"billingAddress\":{\"city\":[]}}",
    "\u{feff}{}",
];

#[tokio::test]
async fn odd_input_never_breaks_the_sandbox() {
    let app = sandbox();
    // Tokens that pass authentication, so validation code runs too.
    let cl = post_json(
        &app,
        "/commercelayer/oauth/token",
        r#"{"grant_type":"client_credentials","client_id":"cl_sandbox_integration","client_secret":"cl_sandbox_integration_secret"}"#,
    )
    .await
    .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let cl_bearer = format!("Bearer {cl}");
    for (method, uri) in ROUTES {
        for body in BODIES {
            for content_type in ["application/json", "application/vnd.api+json", "text/plain"] {
                let authorization = if uri.starts_with("/commercelayer") {
                    cl_bearer.as_str()
                } else if uri.starts_with("/partnero") {
                    "Bearer partnero_sandbox_key"
                } else {
                    "Bearer sk_test_fuzz"
                };
                let headers = [
                    ("content-type", content_type),
                    ("accept", "application/vnd.api+json"),
                    ("authorization", authorization),
                ];
                let reply = send(&app, method, uri, &headers, Some(body)).await;
                assert!(
                    reply.status.as_u16() < 500,
                    "{method} {uri} {body:?}: {} {}",
                    reply.status,
                    reply.text
                );
                if !uri.contains("_login") && reply.status.as_u16() != 302 {
                    assert!(
                        serde_json::from_str::<serde_json::Value>(&reply.text).is_ok(),
                        "{method} {uri} {body:?}: not JSON: {}",
                        reply.text
                    );
                }
            }
        }
    }
    let entries = log(&app).await;
    assert!(entries.len() > 500);
}

#[tokio::test]
async fn bytes_that_are_not_utf8_are_logged_lossily_and_refused() {
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;
    let app = sandbox();
    for uri in [
        "/prolifi/api/v1/public/customers",
        "/partnero/v1/customers",
        "/commercelayer/oauth/token",
    ] {
        let request = Request::post(uri)
            .header("content-type", "application/json")
            .header("authorization", "Bearer sk_test_x")
            .body(Body::from(vec![0xff, 0xfe, b'{']))
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert!(response.status().is_client_error(), "{uri}");
    }
    let entries = log(&app).await;
    assert_eq!(entries[0]["body"], "\u{fffd}\u{fffd}{");
}
