mod common;

use axum::http::StatusCode;
use common::*;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const ACME: &str = "5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d";
const CLIENT_ID: &str = "count_sandbox_client";
const SECRET: &str = "count_sandbox_secret";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Count's documented signature, implemented here independently of the sandbox.
fn signature(secret: &str, method: &str, path: &str, timestamp: &str, body: &str) -> String {
    let body_hash = if method == "GET" {
        String::new()
    } else {
        hex(&Sha256::digest(body.as_bytes()))
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{method}:{path}:{timestamp}:{body_hash}").as_bytes());
    hex(&mac.finalize().into_bytes())
}

#[test]
fn signature_worked_examples() {
    // printf 'GET:/customers/abc:1700000000:' | openssl dgst -sha256 -hmac count_sandbox_secret
    assert_eq!(
        signature(SECRET, "GET", "/customers/abc", "1700000000", ""),
        "55a3c709266fc64ab57751c52686efa2562d7e23f503e992360795ea2d789a02"
    );
    // printf '{"customer":"Acme Ltd","email":"ap@acme.test"}' | sha256sum
    //   = 7d22fe2cc83602b8f287534501218deaae492f0c6a1bc0db3bbb7470e2a1e709, then
    // printf 'POST:/customers:1700000000:7d22fe2c…e709' | openssl dgst -sha256 -hmac count_sandbox_secret
    assert_eq!(
        signature(
            SECRET,
            "POST",
            "/customers",
            "1700000000",
            r#"{"customer":"Acme Ltd","email":"ap@acme.test"}"#
        ),
        "7c7b085b6b51ea95415ebc559f9f83166bd9e13ff5854bfb23b21e13d75a0964"
    );
}

fn now() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string()
}

/// Sends a signed request to `/count/partners{path}` (path signed without the prefix).
async fn signed(
    app: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Reply {
    signed_at(app, method, path, token, body, &now(), SECRET).await
}

async fn signed_at(
    app: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    timestamp: &str,
    secret: &str,
) -> Reply {
    let path_only = path.split('?').next().unwrap();
    let sig = signature(secret, method, path_only, timestamp, body.unwrap_or(""));
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![
        ("x-client-id", CLIENT_ID),
        ("x-timestamp", timestamp),
        ("x-signature", sig.as_str()),
        ("content-type", "application/json"),
    ];
    if let Some(bearer) = &bearer {
        headers.push(("authorization", bearer.as_str()));
    }
    send(
        app,
        method,
        &format!("/count/partners{path}"),
        &headers,
        body,
    )
    .await
}

async fn access_token(app: &axum::Router) -> Value {
    send(app, "POST", "/_count/issue-tokens", &[], None)
        .await
        .json()["data"]["result"]
        .clone()
}

#[tokio::test]
async fn reads_seeded_customer() {
    let app = sandbox();
    let token = access_token(&app).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = signed(
        &app,
        "GET",
        &format!("/customers/{ACME}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let value = reply.json();
    assert_eq!(value["status"], "success");
    assert_eq!(value["data"]["customer"], "Acme Ltd");
    assert_eq!(value["data"]["email"], "ap@acme.test");
    assert_eq!(value["data"]["billingAddress"]["city"], "London");
    assert_eq!(value["data"]["uuid"], ACME);
}

#[tokio::test]
async fn signature_rejections() {
    let app = sandbox();
    let token = access_token(&app).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/customers/{ACME}");
    // Wrong secret.
    let reply = signed_at(&app, "GET", &path, Some(&token), None, &now(), "wrong").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "INVALID_SIGNATURE");
    assert_eq!(reply.json()["status"], "error");
    // Milliseconds (what the CLI sends) are out of the window.
    let millis = format!("{}000", now());
    let reply = signed_at(&app, "GET", &path, Some(&token), None, &millis, SECRET).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "TIMESTAMP_OUT_OF_RANGE");
    // Signing the path with the /partners prefix is wrong.
    let ts = now();
    let sig = signature(SECRET, "GET", &format!("/partners{path}"), &ts, "");
    let bearer = format!("Bearer {token}");
    let reply = send(
        &app,
        "GET",
        &format!("/count/partners{path}"),
        &[
            ("x-client-id", CLIENT_ID),
            ("x-timestamp", &ts),
            ("x-signature", &sig),
            ("authorization", &bearer),
        ],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // Missing headers and unknown client.
    let reply = send(
        &app,
        "GET",
        &format!("/count/partners{path}"),
        &[("authorization", &bearer)],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "MISSING_PARTNER_AUTH");
    let sig = signature(SECRET, "GET", &path, &ts, "");
    let reply = send(
        &app,
        "GET",
        &format!("/count/partners{path}"),
        &[
            ("x-client-id", "someone_else"),
            ("x-timestamp", &ts),
            ("x-signature", &sig),
            ("authorization", &bearer),
        ],
        None,
    )
    .await;
    assert_eq!(reply.json()["code"], "INVALID_CLIENT");
    // The body hash covers the exact bytes: re-serialised JSON with other spacing fails.
    let ts = now();
    let signed_body = r#"{"customer":"Spaced","email":"spaced@x.test"}"#;
    let sent_body = r#"{"customer": "Spaced", "email": "spaced@x.test"}"#;
    let sig = signature(SECRET, "POST", "/customers", &ts, signed_body);
    let reply = send(
        &app,
        "POST",
        "/count/partners/customers",
        &[
            ("x-client-id", CLIENT_ID),
            ("x-timestamp", &ts),
            ("x-signature", &sig),
            ("authorization", &bearer),
            ("content-type", "application/json"),
        ],
        Some(sent_body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // The query string is not signed.
    let reply = signed(
        &app,
        "GET",
        "/customers/find-by-email?email=ap%40acme.test",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn bearer_token_is_required_and_checked() {
    let app = sandbox();
    let path = format!("/customers/{ACME}");
    let reply = signed(&app, "GET", &path, None, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = signed(&app, "GET", &path, Some("not-a-token"), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"], "invalid_token");

    post_json(&app, "/_config", r#"{"count":{"access_token_ttl_secs":0}}"#).await;
    let expired = access_token(&app).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = signed(&app, "GET", &path, Some(&expired), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let value = reply.json();
    assert_eq!(value["code"], "token_expired");
    assert_eq!(value["error"], "invalid_token");
    assert_eq!(value["error_description"], "The access token expired");

    post_json(&app, "/_config", r#"{"count":{"error_shape":"cli"}}"#).await;
    let value = signed(&app, "GET", &path, Some(&expired), None)
        .await
        .json();
    assert_eq!(
        value,
        json!({"message": "The access token expired", "status": "Error", "statusCode": 401, "isOperational": true,
               "type": "token_expired", "error": "invalid_token", "error_description": "The access token expired"})
    );
}

#[tokio::test]
async fn oauth_flow_and_refresh_rotation() {
    let app = sandbox();
    let reply = send(&app, "GET", "/count/auth2/authorize-intiate?clientId=count_sandbox_client&redirectUri=http%3A%2F%2F127.0.0.1%3A9000%2Fcallback&state=xyz", &[], None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let value = reply.json();
    assert_eq!(value["status"], "success");
    let login = value["data"]["redirectUri"].as_str().unwrap().to_owned();
    assert_eq!(value["redirectUri"], login.as_str());
    assert!(
        login.starts_with("http://127.0.0.1:8787/count/_login?"),
        "{login}"
    );

    let reply = send(
        &app,
        "GET",
        login.trim_start_matches("http://127.0.0.1:8787"),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    let location = reply.header("location").unwrap().to_owned();
    assert!(
        location.starts_with("http://127.0.0.1:9000/callback?code="),
        "{location}"
    );
    assert!(location.ends_with("&state=xyz"));
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();

    // CLI-style body; the code is single use.
    let body = format!(r#"{{"grantType":"authorization_code","code":"{code}","state":"xyz"}}"#);
    let reply = signed(&app, "POST", "/grant-access-token", None, Some(&body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let result = reply.json()["data"]["result"].clone();
    for field in [
        "accessToken",
        "refreshToken",
        "accessTokenExpiresAt",
        "refreshTokenExpiresAt",
        "workspaceId",
        "workspaceName",
    ] {
        assert!(result[field].is_string(), "{field}");
    }
    assert_eq!(
        result["accessToken"].as_str().unwrap().split('.').count(),
        3,
        "JWT-shaped"
    );
    let reply = signed(&app, "POST", "/grant-access-token", None, Some(&body)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["code"], "INVALID_GRANT");

    // Documented snake_case refresh; the old refresh token dies at once.
    let old = result["refreshToken"].as_str().unwrap().to_owned();
    let body = format!(
        r#"{{"grant_type":"refresh_token","refresh_token":"{old}","client_id":"{CLIENT_ID}","client_secret":"{SECRET}"}}"#
    );
    let reply = signed(
        &app,
        "POST",
        "/refresh-user-access-token",
        None,
        Some(&body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let new = reply.json()["data"]["result"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new, old);
    let reply = signed(
        &app,
        "POST",
        "/refresh-user-access-token",
        None,
        Some(&body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // CLI camelCase with the new token works.
    let body = format!(r#"{{"grantType":"refresh_token","refreshToken":"{new}"}}"#);
    let reply = signed(
        &app,
        "POST",
        "/refresh-user-access-token",
        None,
        Some(&body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let access = reply.json()["data"]["result"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = signed(
        &app,
        "GET",
        &format!("/customers/{ACME}"),
        Some(&access),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);

    // Redirect URIs with a query are refused.
    let reply = send(&app, "GET", "/count/auth2/authorize-intiate?clientId=count_sandbox_client&redirectUri=http%3A%2F%2Fx.test%2Fcb%3Fa%3D1", &[], None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    // The grant endpoint needs the HMAC.
    let reply = post_json(
        &app,
        "/count/partners/grant-access-token",
        r#"{"grantType":"authorization_code","code":"x"}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn create_find_and_conflicts() {
    let app = sandbox();
    let token = access_token(&app).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = r#"{"customer":"Initech","email":"AP@Initech.test","mainPhone":"+1 555 0100","website":"https://initech.test","billingAddress":{"city":"Austin","country":"US"},"contacts":[{"firstName":"Bill","lastName":"Lumbergh","email":"bill@initech.test","isPrimary":true},{"firstName":"Milton"}]}"#;
    let reply = signed(&app, "POST", "/customers", Some(&token), Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let data = reply.json()["data"].clone();
    assert_eq!(data["status"], "active");
    assert_eq!(
        data["billingAddress"],
        json!({"street": null, "city": "Austin", "state": null, "zipCode": null, "country": "US"})
    );
    assert_eq!(data["shippingAddress"], json!(null));
    assert_eq!(data["contacts"].as_array().unwrap().len(), 2);
    assert_eq!(data["contacts"][1]["isPrimary"], false);
    let uuid = data["uuid"].as_str().unwrap().to_owned();

    // Case-insensitive lookup and uniqueness.
    let reply = signed(
        &app,
        "GET",
        "/customers/find-by-email?email=ap%40initech.TEST",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.json()["data"]["uuid"], uuid.as_str());
    let reply = signed(
        &app,
        "GET",
        "/customers/find-by-email?email=nobody%40x.test",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = signed(
        &app,
        "GET",
        "/customers/find-by-email?email=not-an-email",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = signed(&app, "GET", "/customers/find-by-email", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = signed(
        &app,
        "POST",
        "/customers",
        Some(&token),
        Some(r#"{"customer":"Dup","email":"ap@ACME.test"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.json()["message"], "Email already exists");
    let reply = signed(
        &app,
        "GET",
        "/customers/00000000-0000-4000-8000-000000000000",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn create_validation_in_both_shapes() {
    let app = sandbox();
    let token = access_token(&app).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = r#"{"customer":"","email":"bad","mainPhone":"123456789012345678901234567890123456789012345678901","status":"archived","contacts":[{"isPrimary":true},{"isPrimary":true}],"nickname":"x"}"#;
    let reply = signed(&app, "POST", "/customers", Some(&token), Some(body)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let value = reply.json();
    assert_eq!(value["status"], "error");
    assert_eq!(value["code"], "VALIDATION_ERROR");
    let fields: Vec<&str> = value["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "nickname",
            "customer",
            "email",
            "mainPhone",
            "status",
            "contacts"
        ]
    );

    post_json(&app, "/_config", r#"{"count":{"error_shape":"cli"}}"#).await;
    let reply = signed(
        &app,
        "POST",
        "/customers",
        Some(&token),
        Some(r#"{"email":"a@b.test"}"#),
    )
    .await;
    assert_eq!(
        reply.json(),
        json!({"message": "\"customer\" is required", "status": "Error", "statusCode": 400, "isOperational": true, "type": "VALIDATION_ERROR"})
    );
    let reply = signed(&app, "POST", "/customers", Some(&token), Some("{oops")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn update_rules() {
    let app = sandbox();
    let token = access_token(&app).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/customers/{ACME}");
    // customer and email are required on update.
    let reply = signed(
        &app,
        "PUT",
        &path,
        Some(&token),
        Some(r#"{"website":null}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    // Contacts cannot be updated here.
    let reply = signed(
        &app,
        "PUT",
        &path,
        Some(&token),
        Some(r#"{"customer":"Acme Ltd","email":"ap@acme.test","contacts":[]}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["errors"][0]["message"],
        "Contacts cannot be updated via this endpoint"
    );
    // Email of another customer: 409.
    let reply = signed(
        &app,
        "PUT",
        &path,
        Some(&token),
        Some(r#"{"customer":"Acme Ltd","email":"billing@globex.test"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    // Partial: website "" removes, billing null removes, shipping replaced whole, phone kept.
    let body = r#"{"customer":"Acme Limited","email":"ap@acme.test","website":"","billingAddress":null,"shippingAddress":{"street":"2 Dock Rd","city":"Leeds"},"status":"inactive"}"#;
    let reply = signed(&app, "PUT", &path, Some(&token), Some(body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let data = reply.json()["data"].clone();
    assert_eq!(data["customer"], "Acme Limited");
    assert_eq!(data["website"], json!(null));
    assert_eq!(data["mainPhone"], "+44 20 7946 0000");
    assert_eq!(data["billingAddress"], json!(null));
    assert_eq!(data["shippingAddress"]["street"], "2 Dock Rd");
    assert_eq!(data["shippingAddress"]["zipCode"], json!(null));
    assert_eq!(data["status"], "inactive");
    assert_eq!(data["contacts"].as_array().unwrap().len(), 1);
    assert_ne!(data["updatedAt"], data["createdAt"]);
    let reply = signed(
        &app,
        "PUT",
        "/customers/00000000-0000-4000-8000-000000000000",
        Some(&token),
        Some(r#"{"customer":"X","email":"x@x.test"}"#),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rate_limited_per_client_id() {
    let app = sandbox();
    let token = access_token(&app).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    post_json(&app, "/_config", r#"{"count":{"rate_limit_per_minute":1}}"#).await;
    let path = format!("/customers/{ACME}");
    assert_eq!(
        signed(&app, "GET", &path, Some(&token), None).await.status,
        StatusCode::OK
    );
    let reply = signed(&app, "GET", &path, Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.json()["type"], "RATE_LIMITED");
    assert_eq!(reply.json()["code"], "RATE_LIMITED");
}
