//! What the adapter tests share: the sandbox on a loopback port, its request log, a gateway
//! config, and throwaway token store files.

#![allow(dead_code)] // each test binary uses a different part of this

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use customer_form_gateway::adapters::{self, Adapter, Outgoing, UpstreamReply};
use customer_form_gateway::config::Config;
use providers::ProviderId;
use serde_json::Value;

pub const HS256_KEY: &str = "adapter-test-hs256-key-0123456789abcdef";

/// Serves a router on a fresh loopback port; returns its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve_on(listener, router)
}

pub fn serve_on(listener: tokio::net::TcpListener, router: axum::Router) -> String {
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{address}")
}

pub struct Sandbox {
    pub url: String,
    http: reqwest::Client,
}

impl Sandbox {
    pub async fn start() -> Sandbox {
        let url = serve(customer_form_sandbox::app(
            customer_form_sandbox::Credentials::default(),
        ))
        .await;
        Sandbox {
            url,
            http: reqwest::Client::new(),
        }
    }

    /// What the sandbox received, oldest first (preflights left out).
    pub async fn log(&self) -> Vec<Value> {
        let log: Vec<Value> = self
            .http
            .get(format!("{}/_log", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log.into_iter()
            .filter(|e| e["method"] != "OPTIONS")
            .collect()
    }

    /// The log entries whose path ends with `suffix`.
    pub async fn calls_to(&self, suffix: &str) -> Vec<Value> {
        self.log()
            .await
            .into_iter()
            .filter(|e| e["path"].as_str().unwrap_or("").ends_with(suffix))
            .collect()
    }

    pub async fn clear_log(&self) {
        self.http
            .delete(format!("{}/_log", self.url))
            .send()
            .await
            .unwrap();
    }

    pub async fn control(&self, path: &str, body: &str) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }
}

/// A gateway config with these `[providers.…]` tables.
pub fn config(providers: &str) -> Config {
    std::env::set_var("ADAPTER_TEST_HS256", HS256_KEY);
    Config::parse(&format!(
        r#"
        [tokens]
        hs256_key = {{ env = "ADAPTER_TEST_HS256" }}
        {providers}
        "#
    ))
    .unwrap()
}

/// The adapter the config builds for `provider`, as the gateway builds it.
pub fn adapter(config: &Config, provider: ProviderId) -> Box<dyn Adapter> {
    let mut built = adapters::build(&config.providers).unwrap();
    built.remove(&provider).unwrap()
}

/// The client the gateway uses: redirects are never followed.
pub fn gateway_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn outgoing(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Outgoing {
    Outgoing {
        method: method.parse().unwrap(),
        path: path.to_string(),
        query: None,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: Bytes::from(body.to_string()),
    }
}

pub fn json_of(reply: &UpstreamReply) -> Value {
    serde_json::from_slice(&reply.body).unwrap_or(Value::Null)
}

/// A token store path of its own in the temp directory; the files go when it is dropped.
pub struct TempStore {
    pub path: String,
}

impl TempStore {
    pub fn new() -> TempStore {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "gateway-count-test-{}-{}.sqlite",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let store = TempStore {
            path: path.to_string_lossy().into_owned(),
        };
        store.remove();
        store
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path));
        }
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        self.remove();
    }
}
