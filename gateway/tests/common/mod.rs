//! What the adapter tests share: the sandbox on a loopback port, its request log, a gateway
//! config, and throwaway token store files.

#![allow(dead_code)] // each test binary uses a different part of this

pub mod failing_renames;
pub mod postgres;

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

    /// Holds this provider's replies to `method` requests whose path contains `path_contains`
    /// for `ms` before handling them.
    pub async fn hold(&self, provider: &str, method: &str, path_contains: &str, ms: u64) {
        let rule = serde_json::json!({"provider": provider, "method": method,
            "path_contains": path_contains, "action": {"kind": "delay", "ms": ms}});
        self.control("/_faults", &rule.to_string()).await;
    }
}

/// A client that gives up after 100 ms: it hangs up on a request the sandbox holds longer.
pub fn impatient_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(100))
        .build()
        .unwrap()
}

pub const COUNT_CLIENT_ID: &str = "count_sandbox_client";
pub const COUNT_SECRET: &str = "count_sandbox_secret";
pub const COUNT_ADMIN_KEY: &str = "count-test-admin-key-0123456789abcdef";

/// A gateway config for the sandbox's Count workspace with its token pair in `store_path`,
/// with an `[admin]` key or without.
pub fn count_config(
    sandbox: &Sandbox,
    store_path: &str,
    redirect_uri: &str,
    admin: bool,
) -> Config {
    std::env::set_var("COUNT_TEST_SECRET", COUNT_SECRET);
    std::env::set_var("COUNT_TEST_ADMIN", COUNT_ADMIN_KEY);
    let admin = if admin {
        "[admin]\nkey = { env = \"COUNT_TEST_ADMIN\" }"
    } else {
        ""
    };
    config(&format!(
        r#"
        [providers.count]
        base = "{url}/count/partners"
        auth_base = "{url}/count"
        client_id = "{COUNT_CLIENT_ID}"
        client_secret = {{ env = "COUNT_TEST_SECRET" }}
        redirect_uri = "{redirect_uri}"
        token_store = "{store_path}"
        {admin}
        "#,
        url = sandbox.url,
    ))
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

/// The whole gateway (every provider) in front of an in-process sandbox, both on loopback, with
/// Count already connected (a pair seeded into its token store).
pub struct Gateway {
    pub url: String,
    pub state: std::sync::Arc<customer_form_gateway::AppState>,
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    _store: TempStore,
}

pub const GATEWAY_ADMIN_KEY: &str = "gateway-admin-key-0123456789abcdef0123";

impl Gateway {
    /// `top` is top-level TOML (keys before any table); `tables` extra tables (`[limits]`…).
    pub async fn start(top: &str, tables: &str) -> Gateway {
        Gateway::start_with_store(top, tables, |store| store).await
    }

    /// The same, with the store wrapped (`wrap` is given the one the config built).
    pub async fn start_with_store(
        top: &str,
        tables: &str,
        wrap: impl FnOnce(
            std::sync::Arc<dyn customer_form_gateway::store::Store>,
        ) -> std::sync::Arc<dyn customer_form_gateway::store::Store>,
    ) -> Gateway {
        let sandbox = Sandbox::start().await;
        let store = TempStore::new();
        let reply = sandbox.control("/_count/issue-tokens", "{}").await;
        let pair = adapters::CountTokenPair::from_reply(&reply).unwrap();
        adapters::CountTokenStore::open(&store.path)
            .unwrap()
            .save(&pair)
            .unwrap();
        std::env::set_var("GW_HS256", HS256_KEY);
        std::env::set_var("GW_ADMIN", GATEWAY_ADMIN_KEY);
        std::env::set_var("GW_PROLIFI", "sk_test_gateway_attacks");
        std::env::set_var("GW_PARTNERO", "partnero_sandbox_key");
        std::env::set_var("GW_COUNT", "count_sandbox_secret");
        std::env::set_var("GW_CL", "cl_sandbox_integration_secret");
        let url = &sandbox.url;
        let config = Config::parse(&format!(
            r#"
            {top}
            [tokens]
            hs256_key = {{ env = "GW_HS256" }}
            {tables}
            [providers.prolifi]
            base = "{url}/prolifi/api/v1/public"
            secret_key = {{ env = "GW_PROLIFI" }}
            [providers.partnero]
            base = "{url}/partnero/v1"
            secret_key = {{ env = "GW_PARTNERO" }}
            [providers.count]
            base = "{url}/count/partners"
            auth_base = "{url}/count"
            client_id = "count_sandbox_client"
            client_secret = {{ env = "GW_COUNT" }}
            redirect_uri = "http://127.0.0.1:9/count/oauth/callback"
            token_store = "{store}"
            [providers.commercelayer]
            base = "{url}/commercelayer/api"
            auth_base = "{url}/commercelayer"
            client_id = "cl_sandbox_integration"
            client_secret = {{ env = "GW_CL" }}
            "#,
            store = store.path,
        ))
        .unwrap();
        let mut state = customer_form_gateway::AppState::new(config).unwrap();
        state.store = wrap(state.store);
        let state = std::sync::Arc::new(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(customer_form_gateway::serve_listener(
            state.clone(),
            listener,
            std::future::pending(),
        ));
        Gateway {
            url,
            state,
            sandbox,
            http: reqwest::Client::new(),
            _store: store,
        }
    }

    pub fn token(
        &self,
        sub: &str,
        provider: &str,
        ops: &[&str],
        customer: Option<&str>,
        fields: Option<&[&str]>,
    ) -> String {
        use customer_form_gateway::minting::{claims_for, TokenRequest};
        let request = TokenRequest {
            sub: sub.into(),
            provider: provider.into(),
            ops: ops.iter().map(|s| s.to_string()).collect(),
            customer: customer.map(str::to_string),
            fields: fields.map(|f| f.iter().map(|s| s.to_string()).collect()),
            ttl_secs: Some(300),
        };
        let claims = claims_for(
            &self.state.keys,
            &request,
            customer_form_gateway::tokens::now_secs(),
        )
        .unwrap();
        self.state.keys.mint(&claims).unwrap()
    }

    /// A request to the gateway; `headers` are added as given.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&str>,
    ) -> (u16, Value) {
        self.send(method, path, Some(token), &[], body).await
    }

    /// A request straight to the sandbox with the provider's own credential (someone working
    /// outside the gateway, or another application on the same account).
    pub async fn direct(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let mut request = self
            .http
            .request(
                method.parse().unwrap(),
                format!("{}{path}", self.sandbox.url),
            )
            .header("accept", "application/json");
        request = if path.starts_with("/prolifi") {
            request.bearer_auth("sk_test_someone_else")
        } else {
            request.bearer_auth("partnero_sandbox_key")
        };
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The writes (non-GET requests) the sandbox received on paths containing `part`.
    pub async fn writes_to(&self, part: &str) -> Vec<Value> {
        self.sandbox
            .log()
            .await
            .into_iter()
            .filter(|e| e["method"] != "GET" && e["path"].as_str().unwrap_or("").contains(part))
            .collect()
    }
}

/// The gateway binary, started with a config of its own in a temp directory; killed on drop.
pub struct GatewayProcess {
    pub url: String,
    pub dir: std::path::PathBuf,
    child: std::process::Child,
}

impl GatewayProcess {
    /// Starts `gateway serve` with this config text and environment, and waits until it listens.
    pub fn start(config: &str, env: &[(&str, &str)]) -> GatewayProcess {
        Self::start_in(Self::temp_dir(), config, env)
    }

    pub fn temp_dir() -> std::path::PathBuf {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gateway-process-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub fn start_in(dir: std::path::PathBuf, config: &str, env: &[(&str, &str)]) -> GatewayProcess {
        use std::io::BufRead;
        let config_path = dir.join("gateway.toml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.join("gateway.log")).unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
            .arg("serve")
            .arg("--config")
            .arg(&config_path)
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        let Some(url) = line.split("listening on ").nth(1) else {
            let _ = child.kill();
            let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap_or_default();
            panic!("the gateway did not start: {line}\n{log}");
        };
        GatewayProcess {
            url: url.trim().to_string(),
            dir,
            child,
        }
    }

    /// Runs another command of the same binary (`mint`, `count-connect-link`, …) with this
    /// gateway's config and the given environment; its standard output.
    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
            .args(args)
            .arg("--config")
            .arg(self.dir.join("gateway.toml"))
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "gateway {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// The gateway's log so far (JSON lines).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("gateway.log")).unwrap_or_default()
    }

    /// The process's peak resident memory so far, in KiB (`VmHWM`).
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// Stops it the way an orchestrator does (SIGTERM), then kills it if it lingers past 5 s;
    /// whether it exited cleanly by itself.
    pub fn stop(&mut self) -> bool {
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..100 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for GatewayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
