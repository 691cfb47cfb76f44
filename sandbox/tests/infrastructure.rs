//! CORS, the request log, control routes, faults, and the real binary on a socket.
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::*;
use serde_json::json;

const JANE_URL: &str = "/prolifi/api/v1/public/customers/cus_1001";
const SK: (&str, &str) = ("authorization", "Bearer sk_test_demo");
const ORIGIN: (&str, &str) = ("origin", "http://127.0.0.1:5173");

#[tokio::test]
async fn preflight_answers_like_a_real_api_and_is_logged() {
    let app = sandbox();
    let reply = send(
        &app,
        "OPTIONS",
        JANE_URL,
        &[
            ORIGIN,
            ("access-control-request-method", "PATCH"),
            (
                "access-control-request-headers",
                "authorization,content-type,idempotency-key",
            ),
        ],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://127.0.0.1:5173")
    );
    assert_eq!(reply.header("vary"), Some("Origin"));
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("GET, POST, PUT, PATCH, DELETE, OPTIONS")
    );
    let allowed = reply.header("access-control-allow-headers").unwrap();
    for name in [
        "authorization",
        "content-type",
        "accept",
        "idempotency-key",
        "x-client-id",
        "x-timestamp",
        "x-signature",
    ] {
        assert!(allowed.split(", ").any(|h| h == name), "{name}");
    }
    assert_eq!(reply.header("access-control-max-age"), Some("600"));
    assert!(reply.header("access-control-allow-credentials").is_none());
    // One request per connection, so a dropped request is never silently retried by a browser.
    assert_eq!(reply.header("connection"), Some("close"));

    let entries = log(&app).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["method"], "OPTIONS");
    assert_eq!(entries[0]["status"], 204);
    assert_eq!(entries[0]["provider"], "prolifi");
}

#[tokio::test]
async fn actual_responses_carry_cors_headers_even_on_errors() {
    let app = sandbox();
    for headers in [vec![ORIGIN, SK], vec![ORIGIN]] {
        let reply = send(&app, "GET", JANE_URL, &headers, None).await;
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some("http://127.0.0.1:5173")
        );
        let exposed = reply.header("access-control-expose-headers").unwrap();
        for name in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "retry-after",
            "idempotent-replayed",
        ] {
            assert!(exposed.contains(name), "{name}");
        }
    }
    // Control routes answer CORS too.
    let reply = send(&app, "GET", "/_log", &[ORIGIN], None).await;
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://127.0.0.1:5173")
    );
    let reply = send(
        &app,
        "OPTIONS",
        "/_reset",
        &[ORIGIN, ("access-control-request-method", "POST")],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn log_records_exact_wire_requests_but_not_control_routes() {
    let app = sandbox();
    let body = "{\n  \"email\" : \"spaced@example.com\"\n}";
    send(
        &app,
        "POST",
        "/prolifi/api/v1/public/customers?x=1&y=%20",
        &[SK, ("content-type", "application/json"), ("X-Custom", "A")],
        Some(body),
    )
    .await;
    send(&app, "GET", JANE_URL, &[], None).await; // rejected (401), still logged
    send(&app, "GET", "/_config", &[], None).await;
    let entries = log(&app).await;
    assert_eq!(entries.len(), 2);
    let first = &entries[0];
    assert_eq!(first["provider"], "prolifi");
    assert_eq!(first["method"], "POST");
    assert_eq!(first["path"], "/prolifi/api/v1/public/customers");
    assert_eq!(first["query"], "x=1&y=%20");
    assert_eq!(first["body"], body);
    assert_eq!(first["headers"]["x-custom"], "A");
    assert_eq!(first["headers"]["authorization"], "Bearer sk_test_demo");
    assert_eq!(first["status"], 201);
    assert_eq!(first["replayed"], false);
    assert_eq!(first["fault"], json!(null));
    assert_eq!(entries[1]["status"], 401);
    assert_eq!(entries[1]["body"], json!(null));
    assert_eq!(entries[1]["query"], json!(null));
    assert!(entries[1]["seq"].as_u64().unwrap() > first["seq"].as_u64().unwrap());

    assert_eq!(
        send(&app, "DELETE", "/_log", &[], None).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(log(&app).await.is_empty());
}

#[tokio::test]
async fn reset_restores_seed_data_and_clears_everything() {
    let app = sandbox();
    send(
        &app,
        "PATCH",
        JANE_URL,
        &[SK, ("content-type", "application/json")],
        Some(r#"{"first_name":"Changed"}"#),
    )
    .await;
    post_json(
        &app,
        "/_config",
        r#"{"prolifi":{"rate_limit_per_minute":5}}"#,
    )
    .await;
    post_json(&app, "/_faults", r#"[{"action":{"kind":"html502"}}]"#).await;
    assert_eq!(
        send(&app, "POST", "/_reset", &[], None).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(log(&app).await.is_empty());
    assert_eq!(
        send(&app, "GET", "/_faults", &[], None).await.json(),
        json!({"faults": []})
    );
    assert_eq!(
        send(&app, "GET", "/_config", &[], None).await.json()["prolifi"]["rate_limit_per_minute"],
        1000
    );
    let reply = send(&app, "GET", JANE_URL, &[SK], None).await;
    assert_eq!(reply.json()["data"]["first_name"], "Jane");
    assert_eq!(
        reply.header("x-ratelimit-remaining"),
        Some("999"),
        "counters reset"
    );
}

#[tokio::test]
async fn keep_alive_is_a_knob_and_off_by_default() {
    let app = sandbox();
    let health = send(&app, "GET", "/_health", &[], None).await;
    assert_eq!(health.header("connection"), Some("close"));
    let reply = post_json(&app, "/_config", r#"{"keep_alive":true}"#).await;
    assert_eq!(reply.json()["keep_alive"], true);
    let health = send(&app, "GET", "/_health", &[], None).await;
    assert_eq!(health.header("connection"), None);
}

#[tokio::test]
async fn config_merges_and_rejects_unknown_knobs() {
    let app = sandbox();
    let reply = post_json(
        &app,
        "/_config",
        r#"{"count":{"access_token_ttl_secs":2,"error_shape":"cli"}}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = post_json(&app, "/_config", r#"{"count":{"rate_limit_per_minute":7}}"#).await;
    let count = reply.json()["count"].clone();
    assert_eq!(count["access_token_ttl_secs"], 2);
    assert_eq!(count["error_shape"], "cli");
    assert_eq!(count["rate_limit_per_minute"], 7);
    assert_eq!(
        post_json(&app, "/_config", r#"{"count":{"ttl":1}}"#)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post_json(&app, "/_config", r#"{"stripe":{}}"#).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post_json(&app, "/_config", "nope").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn status_and_html502_faults() {
    let app = sandbox();
    post_json(
        &app,
        "/_faults",
        r#"[{"provider":"prolifi","method":"GET","path_contains":"cus_1001","action":{"kind":"status","status":503,"body":"{\"oops\":true}","headers":{"x-extra":"1"}}},
            {"provider":"partnero","action":{"kind":"html502"}}]"#,
    )
    .await;
    let reply = send(&app, "GET", JANE_URL, &[SK, ORIGIN], None).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.text, r#"{"oops":true}"#);
    assert_eq!(reply.header("x-extra"), Some("1"));
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert!(reply.header("access-control-allow-origin").is_some());
    // Used up: the next request is normal.
    assert_eq!(
        send(&app, "GET", JANE_URL, &[SK], None).await.status,
        StatusCode::OK
    );

    let reply = send(
        &app,
        "GET",
        "/partnero/v1/customers/customer_123",
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(reply.text.contains("502 Bad Gateway"));

    let entries = log(&app).await;
    assert_eq!(entries[0]["fault"], "status");
    assert_eq!(entries[0]["status"], 503);
    assert_eq!(entries[2]["fault"], "html502");
}

#[tokio::test]
async fn body_shape_faults() {
    let app = sandbox();
    post_json(
        &app,
        "/_faults",
        r#"[{"provider":"commercelayer","action":{"kind":"malformed_json"}},
            {"provider":"commercelayer","action":{"kind":"huge_body","bytes":100000}},
            {"provider":"prolifi","times":2,"action":{"kind":"rate_limit","retry_after":7}},
            {"provider":"count","action":{"kind":"rate_limit"}}]"#,
    )
    .await;
    let reply = send(
        &app,
        "GET",
        "/commercelayer/api/customers/XAyRWNUzyN",
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(serde_json::from_str::<serde_json::Value>(&reply.text).is_err());
    assert_eq!(
        reply.header("content-type"),
        Some("application/vnd.api+json")
    );
    let reply = send(
        &app,
        "GET",
        "/commercelayer/api/customers/XAyRWNUzyN",
        &[],
        None,
    )
    .await;
    assert_eq!(reply.text.len(), 100_000);

    for _ in 0..2 {
        let reply = send(
            &app,
            "POST",
            "/prolifi/api/v1/public/customers",
            &[SK],
            Some("{}"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(reply.header("retry-after"), Some("7"));
        assert_eq!(reply.json()["error"]["type"], "rate_limit_error");
    }
    let reply = send(&app, "GET", "/count/partners/customers/x", &[], None).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.header("retry-after").is_none());
    assert_eq!(reply.json()["type"], "RATE_LIMITED");
}

#[tokio::test]
async fn delay_fault_then_normal_handling() {
    let app = sandbox();
    post_json(
        &app,
        "/_faults",
        r#"[{"provider":"prolifi","action":{"kind":"delay","ms":150}}]"#,
    )
    .await;
    let started = Instant::now();
    let reply = send(&app, "GET", JANE_URL, &[SK], None).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(log(&app).await[0]["fault"], "delay");
}

#[tokio::test]
async fn drop_faults_break_the_body_and_drop_after_commit_commits() {
    let app = sandbox();
    post_json(
        &app,
        "/_faults",
        r#"[{"method":"POST","action":{"kind":"drop_after_commit"}},{"method":"GET","action":{"kind":"drop"}}]"#,
    )
    .await;
    send_expecting_broken_body(
        &app,
        "POST",
        "/partnero/v1/customers",
        &[
            ("authorization", "Bearer partnero_sandbox_key"),
            ("content-type", "application/json"),
        ],
        Some(r#"{"key":"committed","partner":{"key":"ref_123"}}"#),
    )
    .await;
    send_expecting_broken_body(&app, "GET", "/partnero/v1/customers/committed", &[], None).await;
    let reply = send(
        &app,
        "GET",
        "/partnero/v1/customers/committed",
        &[("authorization", "Bearer partnero_sandbox_key")],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "the create was committed");
    let entries = log(&app).await;
    assert_eq!(entries[0]["fault"], "drop_after_commit");
    assert_eq!(entries[0]["status"], 201);
    assert_eq!(entries[1]["fault"], "drop");
    assert_eq!(entries[1]["status"], json!(null));
}

#[tokio::test]
async fn bad_fault_rules_are_refused() {
    let app = sandbox();
    let reply = post_json(&app, "/_faults", r#"[{"action":{"kind":"teleport"}}]"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        send(&app, "DELETE", "/_faults", &[], None).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn count_issue_tokens_control_route() {
    let app = sandbox();
    let reply = send(&app, "POST", "/_count/issue-tokens", &[], None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.json()["data"]["result"]["accessToken"].is_string());
    assert!(log(&app).await.is_empty(), "control routes are not logged");
}

/// Reads a whole HTTP/1.1 exchange from a raw socket (the request says `Connection: close`).
fn raw_exchange(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_binary_prints_its_address_and_drop_sends_nothing() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let outcome = std::panic::catch_unwind(|| {
        let port: u16 = line
            .trim()
            .strip_prefix("sandbox listening on http://127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        let ok = raw_exchange(
            port,
            "GET /_health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");

        let rule = r#"[{"provider":"prolifi","action":{"kind":"drop"}}]"#;
        let set = raw_exchange(
            port,
            &format!("POST /_faults HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{rule}", rule.len()),
        );
        assert!(set.starts_with("HTTP/1.1 200"), "{set}");
        let dropped = raw_exchange(
            port,
            &format!("GET {JANE_URL} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_x\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(
            dropped, "",
            "the connection is closed without a single byte"
        );
        let after = raw_exchange(
            port,
            &format!("GET {JANE_URL} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_x\r\nConnection: close\r\n\r\n"),
        );
        assert!(after.starts_with("HTTP/1.1 200"), "{after}");
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
