//! Drives the sandbox router in-process with `tower::ServiceExt::oneshot` (no sockets).
#![allow(dead_code)]

use axum::{
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub use customer_form_sandbox::{app, Credentials};

pub fn sandbox() -> Router {
    app(Credentials::default())
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one request; `headers` are (name, value) pairs, `body` the exact text.
pub async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let mut builder = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri)
        .header("host", "127.0.0.1:8787");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(
            body.map(|b| Body::from(b.to_owned()))
                .unwrap_or_else(Body::empty),
        )
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// Sends a request whose response body is expected to fail (the `drop` faults).
pub async fn send_expecting_broken_body(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(
            body.map(|b| Body::from(b.to_owned()))
                .unwrap_or_else(Body::empty),
        )
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert!(
        response.into_body().collect().await.is_err(),
        "the body should fail"
    );
}

pub async fn log(app: &Router) -> Vec<Value> {
    match send(app, "GET", "/_log", &[], None).await.json() {
        Value::Array(entries) => entries,
        other => panic!("log is not an array: {other}"),
    }
}

pub async fn post_json(app: &Router, uri: &str, body: &str) -> Reply {
    send(
        app,
        "POST",
        uri,
        &[("content-type", "application/json")],
        Some(body),
    )
    .await
}
