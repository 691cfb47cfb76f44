//! The gateway in front of the sandbox, both on loopback: what is forwarded, what is refused,
//! and what the provider actually receives.

use std::net::SocketAddr;
use std::sync::Arc;

use customer_form_gateway::config::Config;
use customer_form_gateway::minting::{claims_for, TokenRequest};
use customer_form_gateway::tokens::now_secs;
use customer_form_gateway::{app, AppState};
use serde_json::{json, Value};

const HS256_KEY: &str = "forwarding-test-hs256-key-0123456789abcdef";
const PROLIFI_KEY: &str = "sk_test_gateway_upstream_secret";
const ADMIN_KEY: &str = "admin-key-for-forwarding-tests-0123456789";
const ORIGIN: &str = "http://127.0.0.1:8080";
const JANE: &str = "0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10";

struct Harness {
    gateway: String,
    sandbox: String,
    state: Arc<AppState>,
    http: reqwest::Client,
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
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

async fn harness_with(limits: &str) -> Harness {
    let sandbox = serve(customer_form_sandbox::app(
        customer_form_sandbox::Credentials::default(),
    ))
    .await;
    std::env::set_var("FWD_HS256", HS256_KEY);
    std::env::set_var("FWD_PROLIFI", PROLIFI_KEY);
    std::env::set_var("FWD_ADMIN", ADMIN_KEY);
    let config = Config::parse(&format!(
        r#"
        allowed_origins = ["{ORIGIN}"]
        max_body_bytes = 4096
        [tokens]
        hs256_key = {{ env = "FWD_HS256" }}
        [admin]
        key = {{ env = "FWD_ADMIN" }}
        [limits]
        {limits}
        [providers.prolifi]
        base = "{sandbox}/prolifi/api/v1/public"
        secret_key = {{ env = "FWD_PROLIFI" }}
        "#
    ))
    .unwrap();
    let state = Arc::new(AppState::new(config).unwrap());
    let gateway = serve(app(state.clone())).await;
    Harness {
        gateway,
        sandbox,
        state,
        http: reqwest::Client::new(),
    }
}

async fn harness() -> Harness {
    harness_with("").await
}

impl Harness {
    fn token(&self, ops: &[&str], customer: Option<&str>, fields: Option<&[&str]>) -> String {
        let request = TokenRequest {
            sub: "dash-user-1".into(),
            provider: "prolifi".into(),
            ops: ops.iter().map(|s| s.to_string()).collect(),
            customer: customer.map(str::to_string),
            fields: fields.map(|f| f.iter().map(|s| s.to_string()).collect()),
            ttl_secs: Some(300),
        };
        let claims = claims_for(&self.state.keys, &request, now_secs()).unwrap();
        self.state.keys.mint(&claims).unwrap()
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.gateway))
            .header("origin", ORIGIN)
            .header("accept", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .header("idempotency-key", idempotency_key())
                .body(body.to_string());
        }
        request.send().await.unwrap()
    }

    /// What the sandbox received (preflights left out).
    async fn upstream_log(&self) -> Vec<Value> {
        let log: Vec<Value> = self
            .http
            .get(format!("{}/_log", self.sandbox))
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
}

/// A fresh key per request, as the widget sends: `3b241101-e2bb-4255-8caf-<counter>`.
fn idempotency_key() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0x4136c566a962);
    format!(
        "3b241101-e2bb-4255-8caf-{:012x}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_update_is_forwarded_with_the_provider_key_and_nothing_of_the_token() {
    let h = harness().await;
    let token = h.token(&["read", "update"], Some(JANE), None);
    let (status, body) = json_of(
        h.call(
            "PATCH",
            &format!("/prolifi/customers/{JANE}"),
            Some(&token),
            Some(r#"{"last_name":"Smith"}"#),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["last_name"], "Smith");
    let log = h.upstream_log().await;
    // The record is read first (a Prolifi path may be an external id, which can move), and the
    // write goes to the id that read returned.
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["method"], "GET");
    let entry = &log[1];
    assert_eq!(entry["method"], "PATCH");
    assert_eq!(
        entry["path"],
        format!("/prolifi/api/v1/public/customers/{JANE}")
    );
    assert_eq!(entry["body"], r#"{"last_name":"Smith"}"#);
    assert_eq!(
        entry["headers"]["authorization"],
        format!("Bearer {PROLIFI_KEY}")
    );
    // The widget's key, made the user's own (see attacks.rs): still a UUID, never the same.
    let key = entry["headers"]["idempotency-key"].as_str().unwrap();
    assert_eq!(key.len(), 36);
    assert!(!key.starts_with("3b241101-e2bb-4255-8caf-"));
    assert_eq!(entry["headers"]["content-type"], "application/json");
    assert!(
        !entry.to_string().contains(&token),
        "the scoped token never reaches the provider"
    );
    assert!(entry["headers"].get("origin").is_none());
}

#[tokio::test]
async fn replies_come_back_unchanged_with_rate_limit_headers_and_hardening() {
    let h = harness().await;
    let token = h.token(&["read"], Some("cus_1001"), None);
    let response = h
        .call("GET", "/prolifi/customers/cus_1001", Some(&token), None)
        .await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(headers.get("x-ratelimit-limit").is_some());
    assert!(headers.get("x-ratelimit-remaining").is_some());
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    let text = response.text().await.unwrap();
    let direct: Value = h
        .http
        .get(format!(
            "{}/prolifi/api/v1/public/customers/cus_1001",
            h.sandbox
        ))
        .bearer_auth("sk_test_x")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), direct);
}

#[tokio::test]
async fn the_customer_claim_covers_every_id_of_that_record_and_no_other() {
    let h = harness().await;
    // Scoped to the external id; the widget updates by UUID after loading.
    let token = h.token(&["read", "update"], Some("cus_1001"), None);
    let ok = h
        .call(
            "PATCH",
            &format!("/prolifi/customers/{JANE}"),
            Some(&token),
            Some(r#"{"phone":null}"#),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let (status, body) = json_of(
        h.call(
            "PATCH",
            "/prolifi/customers/cus_1002",
            Some(&token),
            Some(r#"{"phone":null}"#),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["type"], "permission_error");
    assert_eq!(body["gateway"]["code"], "scope_customer");
    assert_eq!(
        body["error"]["message"],
        "This token is for another customer."
    );
    let writes: Vec<_> = h
        .upstream_log()
        .await
        .into_iter()
        .filter(|e| e["method"] == "PATCH")
        .collect();
    assert_eq!(writes.len(), 1, "the refused write never reached Prolifi");
}

#[tokio::test]
async fn operations_outside_the_token_are_refused_before_anything_is_sent() {
    let h = harness().await;
    let read_only = h.token(&["read"], Some(JANE), None);
    let (status, body) = json_of(
        h.call(
            "PATCH",
            &format!("/prolifi/customers/{JANE}"),
            Some(&read_only),
            Some(r#"{"phone":null}"#),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["gateway"]["code"].as_str()),
        (403, Some("scope_operation"))
    );
    let (status, _) = json_of(
        h.call(
            "POST",
            "/prolifi/customers",
            Some(&read_only),
            Some(r#"{"email":"a@b.co"}"#),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    assert!(h.upstream_log().await.is_empty());
}

#[tokio::test]
async fn fields_outside_the_token_are_refused() {
    let h = harness().await;
    let token = h.token(&["update"], Some(JANE), Some(&["phone", "company_name"]));
    let ok = h
        .call(
            "PATCH",
            &format!("/prolifi/customers/{JANE}"),
            Some(&token),
            Some(r#"{"phone":"+1 555 0100"}"#),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let (status, body) = json_of(
        h.call(
            "PATCH",
            &format!("/prolifi/customers/{JANE}"),
            Some(&token),
            Some(r#"{"phone":null,"email":"x@y.co"}"#),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["message"],
        "This token may not change: email."
    );
    // The gateway may read the record (to see whether email really changes), never write it.
    let writes = h
        .upstream_log()
        .await
        .into_iter()
        .filter(|e| e["method"] == "PATCH")
        .count();
    assert_eq!(writes, 1);
}

#[tokio::test]
async fn bodies_are_validated_with_the_widgets_rules_before_the_key_is_attached() {
    let h = harness().await;
    let token = h.token(&["create"], None, None);
    let (status, body) = json_of(
        h.call(
            "POST",
            "/prolifi/customers",
            Some(&token),
            Some(r#"{"email":"not-an-email","country_id":"uk"}"#),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["type"], "validation_error");
    let fields: Vec<&str> = body["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "country_id"]);
    let (status, body) = json_of(
        h.call(
            "POST",
            "/prolifi/customers",
            Some(&token),
            Some(r#"{"email":"a@b.co","status":"archived"}"#),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["gateway"]["code"].as_str()),
        (400, Some("body_shape"))
    );
    let (status, _) = json_of(
        h.call("POST", "/prolifi/customers", Some(&token), Some("{oops"))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(h.upstream_log().await.is_empty());
}

#[tokio::test]
async fn a_token_may_edit_the_customer_it_created() {
    let h = harness().await;
    let token = h.token(&["create", "update"], None, None);
    let (status, body) = json_of(
        h.call(
            "POST",
            "/prolifi/customers",
            Some(&token),
            Some(r#"{"email":"new@example.com","external_id":"ext_new"}"#),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_string();
    let ok = h
        .call(
            "PATCH",
            &format!("/prolifi/customers/{id}"),
            Some(&token),
            Some(r#"{"first_name":"New"}"#),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let other = h
        .call(
            "PATCH",
            &format!("/prolifi/customers/{JANE}"),
            Some(&token),
            Some(r#"{"first_name":"New"}"#),
        )
        .await;
    assert_eq!(other.status(), 403);
    // Another token with the same rights did not create it.
    let stranger = h.token(&["create", "update"], None, None);
    let refused = h
        .call(
            "PATCH",
            &format!("/prolifi/customers/{id}"),
            Some(&stranger),
            Some(r#"{"first_name":"X"}"#),
        )
        .await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn bad_tokens_get_a_clear_401_in_the_providers_envelope() {
    let h = harness().await;
    let (status, body) = json_of(
        h.call("GET", "/prolifi/customers/cus_1001", None, None)
            .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (401, Some("authentication_error"))
    );
    assert_eq!(body["gateway"]["code"], "token_missing");
    let (status, body) = json_of(
        h.call(
            "GET",
            "/prolifi/customers/cus_1001",
            Some("sk_test_not_a_scoped_token"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["gateway"]["code"].as_str()),
        (401, Some("token_malformed"))
    );
    assert!(h.upstream_log().await.is_empty());
}

#[tokio::test]
async fn cors_only_for_the_listed_origins_and_preflights_answered() {
    let h = harness().await;
    let preflight = |origin: &'static str| {
        h.http
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/prolifi/customers/x", h.gateway),
            )
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .header(
                "access-control-request-headers",
                "authorization,content-type,idempotency-key",
            )
            .send()
    };
    let allowed = preflight(ORIGIN).await.unwrap();
    // tower-http's CORS layer answers preflights with 200 (the gateway's own code used 204).
    assert!(allowed.status().is_success());
    assert_eq!(allowed.headers()["access-control-allow-origin"], ORIGIN);
    let allow_headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_string();
    for header in ["authorization", "content-type", "idempotency-key"] {
        assert!(allow_headers.contains(header), "{allow_headers}");
    }
    let stranger = preflight("https://evil.example").await.unwrap();
    assert!(stranger
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let h = harness().await;
    let token = h.token(&["create"], None, None);
    let huge = format!(
        r#"{{"email":"a@b.co","metadata":{{"x":"{}"}}}}"#,
        "y".repeat(10_000)
    );
    let response = h
        .call("POST", "/prolifi/customers", Some(&token), Some(&huge))
        .await;
    assert_eq!(response.status(), 413);
    assert!(h.upstream_log().await.is_empty());
}

#[tokio::test]
async fn per_token_rate_limit_answers_429_with_retry_after() {
    let h = harness_with("per_token_per_minute = 2").await;
    let token = h.token(&["read"], Some("cus_1001"), None);
    for _ in 0..2 {
        assert_eq!(
            h.call("GET", "/prolifi/customers/cus_1001", Some(&token), None)
                .await
                .status(),
            200
        );
    }
    let limited = h
        .call("GET", "/prolifi/customers/cus_1001", Some(&token), None)
        .await;
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    let (_, body) = json_of(limited).await;
    assert_eq!(body["error"]["type"], "rate_limit_error");
}

#[tokio::test]
async fn per_ip_rate_limit_answers_429() {
    let h = harness_with("per_ip_per_minute = 1").await;
    let token = h.token(&["read"], Some("cus_1001"), None);
    assert_eq!(
        h.call("GET", "/prolifi/customers/cus_1001", Some(&token), None)
            .await
            .status(),
        200
    );
    let other_token = h.token(&["read"], Some("cus_1001"), None);
    let limited = h
        .call(
            "GET",
            "/prolifi/customers/cus_1001",
            Some(&other_token),
            None,
        )
        .await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn the_tokens_endpoint_needs_the_admin_key_and_the_demo_endpoint_is_off() {
    let h = harness().await;
    let request = json!({"sub": "u1", "provider": "prolifi", "ops": ["read"], "customer": "cus_1001", "ttl_secs": 60});
    let refused = h
        .http
        .post(format!("{}/tokens", h.gateway))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let minted: Value = h
        .http
        .post(format!("{}/tokens", h.gateway))
        .bearer_auth(ADMIN_KEY)
        .json(&request)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = minted["token"].as_str().unwrap();
    assert_eq!(
        h.call("GET", "/prolifi/customers/cus_1001", Some(token), None)
            .await
            .status(),
        200
    );
    // `"fields": null` is refused, not minted as a token that may write every field.
    let mut nulled = request.clone();
    nulled["fields"] = Value::Null;
    let refused = h
        .http
        .post(format!("{}/tokens", h.gateway))
        .bearer_auth(ADMIN_KEY)
        .json(&nulled)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let demo = h
        .http
        .post(format!("{}/demo/token", h.gateway))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(demo.status(), 404);
}

#[tokio::test]
async fn only_customer_api_routes_are_forwarded() {
    let h = harness().await;
    let token = h.token(&["read", "update", "create"], Some("cus_1001"), None);
    for (method, path) in [
        ("GET", "/prolifi/customers"),
        ("DELETE", "/prolifi/customers/cus_1001"),
        ("GET", "/prolifi/plans"),
    ] {
        let response = h.call(method, path, Some(&token), None).await;
        assert_eq!(response.status(), 404, "{method} {path}");
    }
    assert_eq!(
        h.call("GET", "/nowhere/customers/x", Some(&token), None)
            .await
            .status(),
        404
    );
    assert!(h.upstream_log().await.is_empty());
}

#[tokio::test]
async fn a_caller_chosen_alias_never_grants_another_customer() {
    let h = harness().await;
    let token = h.token(&["create", "read", "update"], None, None);
    // The attacker names its new customer after the victim's UUID.
    let victim = "4c1e7a92-8b3d-4f6e-a0c5-2d9b7e1f3a48";
    let created = h
        .call(
            "POST",
            "/prolifi/customers",
            Some(&token),
            Some(&format!(
                r#"{{"email":"a@evil.test","external_id":"{victim}"}}"#
            )),
        )
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(
        h.call(
            "GET",
            &format!("/prolifi/customers/{victim}"),
            Some(&token),
            None
        )
        .await
        .status(),
        403
    );
    let patch = h
        .call(
            "PATCH",
            &format!("/prolifi/customers/{victim}"),
            Some(&token),
            Some(r#"{"phone":null}"#),
        )
        .await;
    assert_eq!(patch.status(), 403);
}

#[tokio::test]
async fn ids_that_could_leave_the_customer_path_are_refused() {
    let h = harness().await;
    let token = h.token(&["read"], Some("cus_1001"), None);
    for path in [
        "/prolifi/customers/%2563us_1002",
        "/prolifi/customers/..%5C..%5C..%5C_log",
        "/prolifi/customers/..",
        "/prolifi/customers/a%2Fb",
        "/prolifi/customers/%2E%2E",
    ] {
        let response = h.call("GET", path, Some(&token), None).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    assert!(h.upstream_log().await.is_empty());
}

#[tokio::test]
async fn the_callers_query_and_content_type_do_not_reach_the_provider() {
    let h = harness().await;
    let token = h.token(&["update"], Some(JANE), Some(&["phone"]));
    let response = h
        .http
        .patch(format!(
            "{}/prolifi/customers/{JANE}?external_id=hijack&email=x@y.z",
            h.gateway
        ))
        .bearer_auth(&token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(r#"{"phone":"+1 555"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let log = h.upstream_log().await;
    let patch = log.iter().find(|e| e["method"] == "PATCH").unwrap();
    assert_eq!(patch["query"], Value::Null);
    assert_eq!(patch["headers"]["content-type"], "application/json");
}

#[tokio::test]
async fn tokens_sharing_a_jti_do_not_share_what_they_created() {
    let h = harness().await;
    let mint = |customer: Option<&str>| {
        let mut claims = claims_for(
            &h.state.keys,
            &TokenRequest {
                sub: "u".into(),
                provider: "Prolifi".into(),
                ops: vec!["create".into(), "update".into()],
                customer: customer.map(str::to_string),
                fields: None,
                ttl_secs: Some(60),
            },
            now_secs(),
        )
        .unwrap();
        claims.jti = Some("same-jti".into());
        h.state.keys.mint(&claims).unwrap()
    };
    let (first, second) = (mint(None), mint(Some("someone-else")));
    let created: Value = h
        .call(
            "POST",
            "/prolifi/customers",
            Some(&first),
            Some(r#"{"email":"mine@example.com"}"#),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["data"]["id"].as_str().unwrap().to_string();
    let path = format!("/prolifi/customers/{id}");
    assert_eq!(
        h.call("PATCH", &path, Some(&first), Some(r#"{"phone":null}"#))
            .await
            .status(),
        200
    );
    assert_eq!(
        h.call("PATCH", &path, Some(&second), Some(r#"{"phone":null}"#))
            .await
            .status(),
        403
    );
}

/// `routes.rs` sends plain forwarded paths straight to the forwarding and leaves the others
/// (a percent-escape, a fixed path) to the router: both ways must answer alike.
#[tokio::test]
async fn forwarded_paths_answer_alike_with_or_without_the_router() {
    let h = harness().await;
    let token = h.token(&["read"], Some("cus_1001"), None);
    // `%5F` is `_`: the router decodes it, so this one goes through the router's route.
    let mut answers = Vec::new();
    for path in [
        "/prolifi/customers/cus_1001",
        "/prolifi/customers/cus%5F1001",
    ] {
        let response = h.call("GET", path, Some(&token), None).await;
        let headers = response.headers().clone();
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["access-control-allow-origin"], ORIGIN, "{path}");
        answers.push(json_of(response).await);
    }
    assert_eq!(answers[0].0, 200);
    assert_eq!(answers[0], answers[1]);
    // Refusals too: another customer, either way.
    for path in [
        "/prolifi/customers/cus_1002",
        "/prolifi/customers/cus%5F1002",
    ] {
        let (status, body) = json_of(h.call("GET", path, Some(&token), None).await).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(body["gateway"]["code"], "scope_customer", "{path}");
    }
    // A fixed route of the router's own is not taken for a provider named `demo`.
    let demo = h.call("POST", "/demo/token", None, Some("{}")).await;
    let (status, body) = json_of(demo).await;
    assert_ne!(body["error"]["type"], "provider", "{status} {body}");
    // No provider by that name, either way.
    for path in ["/nosuch/customers/1", "/nosuch/customers/%31"] {
        let (status, _) = json_of(h.call("GET", path, Some(&token), None).await).await;
        assert_eq!(status, 404, "{path}");
    }
}
