//! The Count adapter against the sandbox: signed requests with the workspace's Bearer token, the
//! OAuth connection through the gateway's own routes, refresh with rotation (single-flight,
//! committed to SQLite, safe across restarts), and a clear answer while nothing is connected.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use common::{gateway_client, json_of, outgoing, serve_on, Sandbox, TempStore};
use customer_form_gateway::adapters::count_connect_ticket::connect_link;
use customer_form_gateway::adapters::{
    self, partner_headers, signature_base, signature_for, Adapter, CountTokenPair, CountTokenStore,
    UpstreamReply,
};
use customer_form_gateway::config::Config;
use customer_form_gateway::secret::SecretSource;
use customer_form_gateway::tokens::now_secs;
use customer_form_gateway::{app, AppState};
use providers::ProviderId;
use serde_json::{json, Value};

const CLIENT_ID: &str = common::COUNT_CLIENT_ID;
const SECRET: &str = common::COUNT_SECRET;
const ADMIN_KEY: &str = common::COUNT_ADMIN_KEY;
const ACME: &str = "5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d";
const REFRESH: &str = "/count/partners/refresh-user-access-token";

fn count_config(sandbox: &Sandbox, store: &TempStore, redirect_uri: &str, admin: bool) -> Config {
    common::count_config(sandbox, &store.path, redirect_uri, admin)
}

/// A gateway instance's Count adapter on this store (each call is a fresh instance, as after a
/// restart).
fn count(sandbox: &Sandbox, store: &TempStore) -> Box<dyn Adapter> {
    let config = count_config(
        sandbox,
        store,
        "http://127.0.0.1:9/count/oauth/callback",
        false,
    );
    let mut built = adapters::build(&config.providers).unwrap();
    built.remove(&ProviderId::Count).unwrap()
}

/// A browser opening `link`: the redirects start → Count's login → the gateway's callback,
/// followed by hand, sending the gateway's cookie back to its OAuth routes as a browser does.
async fn open_in_browser(link: &str) -> reqwest::Response {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut url = link.to_string();
    let mut jar: Option<String> = None;
    for _ in 0..5 {
        let mut request = http.get(&url);
        if let (Some(cookie), true) = (&jar, url.contains("/count/oauth/")) {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        if let Some(set) = response.headers().get("set-cookie") {
            let set = set.to_str().unwrap();
            assert!(
                set.contains("HttpOnly") && set.contains("SameSite=Lax"),
                "{set}"
            );
            jar = Some(set.split(';').next().unwrap().to_string());
        }
        if !response.status().is_redirection() {
            return response;
        }
        url = response.headers()["location"].to_str().unwrap().to_string();
    }
    panic!("too many redirects from {link}")
}

/// A gateway serving Count on this store, its own callback registered with Count, and the link
/// `gateway count-connect-link` prints for it.
struct Linked {
    gateway: String,
    callback: String,
    link: String,
    state: Arc<AppState>,
}

async fn linked_gateway(sandbox: &Sandbox, store: &TempStore, admin: bool) -> Linked {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let gateway = format!("http://{address}");
    let callback = format!("{gateway}/count/oauth/callback");
    let config = count_config(sandbox, store, &callback, admin);
    let link = connect_link(&config, now_secs()).unwrap();
    let state = Arc::new(AppState::new(config).unwrap());
    serve_on(listener, app(state.clone()));
    Linked {
        gateway,
        callback,
        link,
        state,
    }
}

/// A pair from the sandbox without the browser flow.
async fn issue_pair(sandbox: &Sandbox) -> CountTokenPair {
    let reply = sandbox.control("/_count/issue-tokens", "{}").await;
    CountTokenPair::from_reply(&reply).unwrap()
}

async fn set_access_ttl(sandbox: &Sandbox, secs: u64) {
    sandbox
        .control(
            "/_config",
            &json!({"count": {"access_token_ttl_secs": secs}}).to_string(),
        )
        .await;
}

/// A pair whose access token Count already considers expired. With `our_clock_agrees` false,
/// the stored expiry says an hour from now (as with clocks apart): only Count's 401 tells.
async fn expired_pair(sandbox: &Sandbox, our_clock_agrees: bool) -> CountTokenPair {
    set_access_ttl(sandbox, 0).await;
    let mut pair = issue_pair(sandbox).await;
    set_access_ttl(sandbox, 3600).await;
    if !our_clock_agrees {
        pair.access_expires_at = Some(now_secs() + 3600);
    }
    pair
}

fn seed(store: &TempStore, pair: &CountTokenPair) {
    CountTokenStore::open(&store.path)
        .unwrap()
        .save(pair)
        .unwrap();
}

fn stored(store: &TempStore) -> Option<CountTokenPair> {
    CountTokenStore::open(&store.path).unwrap().load().unwrap()
}

async fn read_acme(adapter: &dyn Adapter) -> UpstreamReply {
    adapter
        .send(
            &gateway_client(),
            outgoing(
                "GET",
                &format!("/customers/{ACME}"),
                &[("accept", "application/json")],
                "",
            ),
        )
        .await
        .unwrap()
}

/// (path, status) of every request the sandbox saw.
async fn trail(sandbox: &Sandbox) -> Vec<(String, u64)> {
    sandbox
        .log()
        .await
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["status"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn acme_path() -> String {
    format!("/count/partners/customers/{ACME}")
}

fn bearer_of(pair: &CountTokenPair) -> String {
    format!("Bearer {}", pair.access_token.expose())
}

#[tokio::test]
async fn signed_reads_updates_and_creates_are_accepted() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    let pair = issue_pair(&sandbox).await;
    seed(&store, &pair);
    let count = count(&sandbox, &store);
    let client = gateway_client();

    let read = read_acme(count.as_ref()).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(json_of(&read)["data"]["customer"], "Acme Ltd");

    let update_body =
        r#"{"customer":"Acme Ltd","email":"ap@acme.test","website":"https://acme.example"}"#;
    let update = count
        .send(
            &client,
            outgoing(
                "PUT",
                &format!("/customers/{ACME}"),
                &[("content-type", "application/json")],
                update_body,
            ),
        )
        .await
        .unwrap();
    assert_eq!(update.status, 200, "{:?}", update.body);
    assert_eq!(json_of(&update)["data"]["website"], "https://acme.example");

    let create_body = r#"{"customer":"Initech","email":"ap@initech.test"}"#;
    let create = count
        .send(
            &client,
            outgoing(
                "POST",
                "/customers",
                &[("content-type", "application/json")],
                create_body,
            ),
        )
        .await
        .unwrap();
    assert_eq!(create.status, 201, "{:?}", create.body);

    let log = sandbox.log().await;
    assert_eq!(log.len(), 3);
    for entry in &log {
        let headers = &entry["headers"];
        assert_eq!(headers["x-client-id"], CLIENT_ID);
        assert_eq!(headers["authorization"], bearer_of(&pair));
        assert_eq!(headers["content-type"], "application/json");
        let timestamp: u64 = headers["x-timestamp"].as_str().unwrap().parse().unwrap();
        assert!(now_secs().abs_diff(timestamp) < 60, "Unix seconds");
        // The signature, recomputed here from what the sandbox received.
        let path = entry["path"]
            .as_str()
            .unwrap()
            .strip_prefix("/count/partners")
            .unwrap();
        let body = entry["body"].as_str().unwrap_or("");
        let method = entry["method"].as_str().unwrap().parse().unwrap();
        let base = signature_base(&method, path, timestamp, body.as_bytes());
        assert_eq!(headers["x-signature"], signature_for(SECRET, &base));
    }
    assert_eq!(log[1]["body"], update_body);
    assert_eq!(log[2]["body"], create_body);
}

#[tokio::test]
async fn a_body_changed_after_signing_is_refused() {
    let sandbox = Sandbox::start().await;
    let pair = issue_pair(&sandbox).await;
    let path = format!("/customers/{ACME}");
    let signed = r#"{"customer":"Acme Ltd","email":"ap@acme.test"}"#;
    // The same JSON to any parser, but not the same bytes.
    let tampered = r#"{"customer": "Acme Ltd","email":"ap@acme.test"}"#;
    let send = |body: &'static str| {
        let headers = partner_headers(
            CLIENT_ID,
            SECRET,
            &reqwest::Method::PUT,
            &path,
            signed.as_bytes(),
            now_secs(),
        );
        let mut request = gateway_client()
            .put(format!("{}/count/partners{path}", sandbox.url))
            .header("authorization", bearer_of(&pair))
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let refused = send(tampered).await.unwrap();
    assert_eq!(refused.status(), 401);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["code"], "INVALID_SIGNATURE");
    assert_eq!(send(signed).await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_oauth_flow_connects_a_workspace_and_stores_its_tokens() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    let Linked {
        gateway,
        callback,
        link,
        state,
    } = linked_gateway(&sandbox, &store, true).await;
    // A browser: follows the redirects start → Count's login → the gateway's callback.
    let browser = reqwest::Client::new();

    // The attack: a stranger who reaches the gateway before its operator does connects a
    // workspace of their own, and every customer the forms save then goes to them.
    let stranger = browser
        .get(format!("{gateway}/count/oauth/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 401);
    let stranger: Value = stranger.json().await.unwrap();
    assert_eq!(stranger["error"]["type"], "count_connect_needs_operator");
    assert!(
        stranger["error"]["message"]
            .as_str()
            .unwrap()
            .contains("gateway count-connect-link"),
        "{stranger}"
    );
    assert!(trail(&sandbox).await.is_empty(), "Count was not asked");
    assert!(stored(&store).is_none());
    // Nor with a ticket of their making.
    let (signed, _mac) = link.rsplit_once('.').unwrap();
    let forged = format!("{signed}.{}", "0".repeat(64));
    assert_eq!(browser.get(&forged).send().await.unwrap().status(), 401);
    assert!(trail(&sandbox).await.is_empty(), "Count was not asked");

    // The operator opens the link `gateway count-connect-link` printed.
    assert!(
        link.starts_with(&format!("{gateway}/count/oauth/start?ticket=")),
        "{link}"
    );
    let connected = open_in_browser(&link).await;
    assert_eq!(connected.status(), 200);
    let connected: Value = connected.json().await.unwrap();
    assert_eq!(connected["status"], "connected");
    assert_eq!(connected["workspaceName"], "Sandbox Workspace");

    let log = sandbox.log().await;
    let paths: Vec<&str> = log.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "/count/auth2/authorize-intiate",
            "/count/_login",
            "/count/partners/grant-access-token"
        ]
    );
    let query = log[0]["query"].as_str().unwrap();
    assert!(query.contains(&format!("clientId={CLIENT_ID}")), "{query}");
    assert!(
        query.contains("redirectUri=http%3A%2F%2F127.0.0.1"),
        "{query}"
    );
    let grant = &log[2];
    assert_eq!(grant["status"], 200);
    assert!(grant["headers"].get("authorization").is_none(), "no Bearer");
    assert!(grant["headers"]["x-signature"].is_string());
    let grant_body: Value = serde_json::from_str(grant["body"].as_str().unwrap()).unwrap();
    assert_eq!(grant_body["grantType"], "authorization_code");

    // Stored durably, and in use.
    let pair = stored(&store).expect("the pair is committed");
    assert_eq!(pair.workspace_name.as_deref(), Some("Sandbox Workspace"));
    sandbox.clear_log().await;
    let in_use = state.adapters.get(&ProviderId::Count).unwrap();
    assert_eq!(read_acme(in_use.as_ref()).await.status, 200);
    assert_eq!(
        sandbox.log().await[0]["headers"]["authorization"],
        bearer_of(&pair)
    );
    // A restarted gateway is still connected.
    assert_eq!(
        read_acme(count(&sandbox, &store).as_ref()).await.status,
        200
    );

    // The link works once, in any spelling.
    let replayed = browser.get(&link).send().await.unwrap();
    assert_eq!(replayed.status(), 401);
    let replayed: Value = replayed.json().await.unwrap();
    assert_eq!(replayed["error"]["type"], "invalid_ticket");
    let (signed, mac) = link.rsplit_once('.').unwrap();
    let respelled = format!("{signed}.{}", mac.to_uppercase());
    assert_eq!(browser.get(&respelled).send().await.unwrap().status(), 401);

    // Once connected, still only an operator may start again.
    let refused = browser
        .get(format!("{gateway}/count/oauth/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let by_admin = gateway_client()
        .get(format!("{gateway}/count/oauth/start"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(by_admin.status(), 302);
    let location = by_admin.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{}/count/_login?", sandbox.url)),
        "{location}"
    );

    // A callback without a code, or with one Count will not take, does not use the flow up
    // (anyone who saw its state could otherwise end it): the operator's own callback still
    // connects.
    let state = reqwest::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .expect("the login address carries the state");
    let codeless = browser
        .get(format!("{callback}?state={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(codeless.status(), 400);
    let codeless: Value = codeless.json().await.unwrap();
    assert_eq!(codeless["error"]["type"], "missing_code");
    // Nor does a code Count will not take.
    let junk = browser
        .get(format!("{callback}?state={state}&code=junk"))
        .send()
        .await
        .unwrap();
    assert_eq!(junk.status(), 502);
    let junk: Value = junk.json().await.unwrap();
    assert_eq!(junk["error"]["type"], "count_grant_failed");
    let again = open_in_browser(location).await;
    assert_eq!(again.status(), 200, "the flow was still there");

    // A callback nobody started is refused, and a state is good for one callback only.
    let forged = browser
        .get(format!("{callback}?code=abc&state=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let forged: Value = forged.json().await.unwrap();
    assert_eq!(forged["error"]["type"], "invalid_state");
}

#[tokio::test]
async fn without_an_admin_key_only_a_fresh_link_starts_a_new_connection() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    seed(&store, &issue_pair(&sandbox).await);
    let Linked {
        gateway,
        callback,
        link,
        ..
    } = linked_gateway(&sandbox, &store, false).await;
    let other = connect_link(
        &count_config(&sandbox, &store, &callback, false),
        now_secs(),
    )
    .unwrap();
    assert_ne!(link, other, "each link is a new ticket");
    let http = gateway_client();
    // With no admin key configured, a Bearer is no key at all.
    let refused = http
        .get(format!("{gateway}/count/oauth/start"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["error"]["type"], "count_connect_needs_operator");
    assert!(trail(&sandbox).await.is_empty(), "Count was not asked");
    // A link from another gateway's secret is refused; this gateway's own works, each once.
    let mut elsewhere = count_config(&sandbox, &store, &callback, false);
    std::env::set_var("COUNT_TEST_OTHER_SECRET", "another partner app's secret");
    elsewhere.providers.get_mut("count").unwrap().client_secret = Some(SecretSource {
        env: Some("COUNT_TEST_OTHER_SECRET".into()),
        file: None,
    });
    let foreign = connect_link(&elsewhere, now_secs()).unwrap();
    assert_eq!(http.get(&foreign).send().await.unwrap().status(), 401);
    for link in [&link, &other] {
        let started = http.get(link).send().await.unwrap();
        assert_eq!(
            started.status(),
            302,
            "the operator may replace the workspace"
        );
        assert_eq!(http.get(link).send().await.unwrap().status(), 401);
    }
    // A link printed more than ten minutes ago.
    let own = count_config(&sandbox, &store, &callback, false);
    let expired = connect_link(&own, now_secs() - 601).unwrap();
    assert_eq!(http.get(&expired).send().await.unwrap().status(), 401);
    assert_eq!(
        trail(&sandbox).await.len(),
        2,
        "Count was asked only by the two good links"
    );
}

#[tokio::test]
async fn a_token_count_says_expired_is_refreshed_and_the_request_retried_once() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    let old = expired_pair(&sandbox, false).await;
    seed(&store, &old);
    let count = count(&sandbox, &store);
    sandbox.clear_log().await;

    let reply = read_acme(count.as_ref()).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(
        trail(&sandbox).await,
        [
            (acme_path(), 401),
            (REFRESH.into(), 200),
            (acme_path(), 200)
        ]
    );
    let log = sandbox.log().await;
    let refresh = &log[1];
    assert!(
        refresh["headers"].get("authorization").is_none(),
        "no Bearer"
    );
    let asked: Value = serde_json::from_str(refresh["body"].as_str().unwrap()).unwrap();
    assert_eq!(asked["grantType"], "refresh_token");
    assert_eq!(asked["refreshToken"], old.refresh_token.expose());

    // The rotated pair is committed, and is what the retry used.
    let new = stored(&store).unwrap();
    assert_ne!(new.refresh_token, old.refresh_token);
    assert_eq!(log[2]["headers"]["authorization"], bearer_of(&new));
    // Count really rotated: the old refresh token is dead.
    let body = json!({"grantType": "refresh_token", "refreshToken": old.refresh_token.expose()})
        .to_string();
    let mut again = gateway_client()
        .post(format!("{}{REFRESH}", sandbox.url))
        .header("content-type", "application/json")
        .body(body.clone());
    for (name, value) in partner_headers(
        CLIENT_ID,
        SECRET,
        &reqwest::Method::POST,
        "/refresh-user-access-token",
        body.as_bytes(),
        now_secs(),
    ) {
        again = again.header(name, value);
    }
    assert_eq!(again.send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn a_token_past_its_expiry_is_refreshed_before_it_is_sent() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    seed(&store, &expired_pair(&sandbox, true).await);
    let count = count(&sandbox, &store);
    sandbox.clear_log().await;
    assert_eq!(read_acme(count.as_ref()).await.status, 200);
    assert_eq!(
        trail(&sandbox).await,
        [(REFRESH.into(), 200), (acme_path(), 200)]
    );
}

#[tokio::test]
async fn gateway_instances_on_one_store_survive_each_others_refresh_and_restarts() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    seed(&store, &expired_pair(&sandbox, true).await);
    // Both opened before any refresh: both hold the same soon-to-be-rotated pair.
    let first = count(&sandbox, &store);
    let second = count(&sandbox, &store);
    sandbox.clear_log().await;

    assert_eq!(read_acme(first.as_ref()).await.status, 200);
    // The second finds the first's rotated pair in the store rather than refreshing with the
    // refresh token the first already used up.
    assert_eq!(read_acme(second.as_ref()).await.status, 200);
    drop(first);
    drop(second);
    // After a restart, the stored pair is the live one.
    let restarted = count(&sandbox, &store);
    assert_eq!(read_acme(restarted.as_ref()).await.status, 200);
    let trail = trail(&sandbox).await;
    assert_eq!(
        trail.iter().filter(|(path, _)| path == REFRESH).count(),
        1,
        "{trail:?}"
    );
    assert!(trail.iter().all(|(_, status)| *status == 200), "{trail:?}");
}

async fn concurrent_reads(count: Arc<Box<dyn Adapter>>, how_many: usize) {
    let mut tasks = Vec::new();
    for _ in 0..how_many {
        let count = count.clone();
        tasks.push(tokio::spawn(async move {
            read_acme(count.as_ref().as_ref()).await
        }));
    }
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_past_expiry_cause_one_refresh() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    seed(&store, &expired_pair(&sandbox, true).await);
    let count = Arc::new(count(&sandbox, &store));
    sandbox.clear_log().await;
    concurrent_reads(count, 8).await;
    let trail = trail(&sandbox).await;
    assert_eq!(trail.iter().filter(|(p, _)| p == REFRESH).count(), 1);
    assert_eq!(trail.iter().filter(|(p, _)| *p == acme_path()).count(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_refused_as_expired_cause_one_refresh() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    seed(&store, &expired_pair(&sandbox, false).await);
    let count = Arc::new(count(&sandbox, &store));
    sandbox.clear_log().await;
    concurrent_reads(count, 8).await;
    let trail = trail(&sandbox).await;
    assert_eq!(
        trail.iter().filter(|(p, _)| p == REFRESH).count(),
        1,
        "{trail:?}"
    );
    // Each request at most twice: once refused, once retried.
    let reads = trail.iter().filter(|(p, _)| *p == acme_path()).count();
    assert!((8..=16).contains(&reads), "{trail:?}");
}

#[tokio::test]
async fn with_no_workspace_connected_requests_get_a_clear_503() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    let count = count(&sandbox, &store);
    let reply = read_acme(count.as_ref()).await;
    assert_eq!(reply.status, 503);
    let body = json_of(&reply);
    assert_eq!(body["status"], "error");
    assert_eq!(body["code"], "COUNT_NOT_CONNECTED");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("/count/oauth/start"));
    assert!(trail(&sandbox).await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_refresh_token_count_refuses_asks_for_a_new_connection() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    let mut pair = expired_pair(&sandbox, true).await;
    pair.refresh_token = customer_form_gateway::secret::Secret::new("revoked");
    seed(&store, &pair);
    let reply = read_acme(count(&sandbox, &store).as_ref()).await;
    assert_eq!(reply.status, 503);
    assert_eq!(json_of(&reply)["code"], "COUNT_RECONNECT_REQUIRED");
    assert_eq!(trail(&sandbox).await, [(REFRESH.into(), 401)]);
}

/// Count's refresh endpoint busy or failing: the request carried the gateway's refresh token,
/// so the page gets the gateway's own reply (the status and `Retry-After`), never that body.
#[tokio::test]
async fn a_refresh_that_fails_is_answered_without_counts_body() {
    for (status, expected) in [(500, 503), (429, 429)] {
        let sandbox = Sandbox::start().await;
        let store = TempStore::new();
        seed(&store, &expired_pair(&sandbox, true).await);
        sandbox
            .control(
                "/_faults",
                &json!({"provider": "count", "path_contains": "refresh-user-access-token",
                    "action": {"kind": "status", "status": status,
                        "body": r#"{"status":"error","message":"boom","echo":"refresh_token=ECHOED"}"#,
                        "headers": {"retry-after": "9"}}})
                .to_string(),
            )
            .await;
        let reply = read_acme(count(&sandbox, &store).as_ref()).await;
        assert_eq!(reply.status, expected);
        let text = String::from_utf8_lossy(&reply.body);
        assert!(!text.contains("ECHOED"), "{text}");
        assert_eq!(json_of(&reply)["status"], "error", "{text}");
        if expected == 429 {
            assert_eq!(reply.headers["retry-after"], "9");
        }
    }
}

/// Count needs `customer` and `email` in every update: a token limited to other fields may still
/// send them unchanged, but not change them.
#[tokio::test]
async fn a_fields_claim_allows_count_s_required_fields_when_unchanged() {
    let (_sandbox, _store, gateway, token) =
        connected_gateway(&["update"], Some(ACME), Some(&["mainPhone"])).await;
    let put = |body: &'static str| {
        gateway_client()
            .put(format!("{gateway}/count/customers/{ACME}"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    // The status and body of a PUT.
    let answer = |body: &'static str| {
        let sent = put(body);
        async move {
            let reply = sent.await.unwrap();
            let status = reply.status().as_u16();
            (status, reply.json::<Value>().await.unwrap_or_default())
        }
    };
    let (ok, _) =
        answer(r#"{"customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 1"}"#).await;
    assert_eq!(ok, 200);
    let (status, body) =
        answer(r#"{"customer":"Acme Ltd","email":"new@acme.test","mainPhone":"+44 2"}"#).await;
    assert_eq!(status, 403);
    assert_eq!(body["message"], "This token may not change: email.");
    // The same name spelt otherwise is a change, though the form's rules read it as the same:
    // the body is forwarded as it is sent.
    let (status, body) =
        answer(r#"{"customer":"Acme Ltd ","email":"ap@acme.test","mainPhone":"+44 3"}"#).await;
    assert_eq!(status, 403);
    assert_eq!(body["message"], "This token may not change: customer.");
    // A key given twice: the gateway reads one, the provider may take the other.
    let (status, body) = answer(
        r#"{"customer":"Acme Ltd","email":"new@acme.test","email":"ap@acme.test","mainPhone":"+44 4"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["gateway"]["code"], "body_repeated_key", "{body}");
}

/// A gateway connected to the sandbox's Count workspace, and a token for it.
async fn connected_gateway(
    ops: &[&str],
    customer: Option<&str>,
    fields: Option<&[&str]>,
) -> (Sandbox, TempStore, String, String) {
    use customer_form_gateway::minting::{claims_for, TokenRequest};
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    let Linked {
        gateway,
        link,
        state,
        ..
    } = linked_gateway(&sandbox, &store, false).await;
    let connected = open_in_browser(&link).await;
    assert_eq!(connected.status(), 200);
    let request = TokenRequest {
        sub: "u1".into(),
        provider: "count".into(),
        ops: ops.iter().map(|op| op.to_string()).collect(),
        customer: customer.map(str::to_string),
        fields: fields.map(|fields| fields.iter().map(|f| f.to_string()).collect()),
        ttl_secs: Some(60),
    };
    let token = state
        .keys
        .mint(&claims_for(&state.keys, &request, now_secs()).unwrap())
        .unwrap();
    (sandbox, store, gateway, token)
}

/// A create token may ask whether an email is taken (the form offers to edit that customer
/// instead), and learns the customer's id, name and email, nothing more. A reply the gateway
/// cannot cut down is not passed on whole.
#[tokio::test]
async fn find_by_email_shows_a_create_token_only_id_name_and_email() {
    let (sandbox, _store, gateway, token) = connected_gateway(&["create"], None, None).await;
    let find = || {
        gateway_client()
            .get(format!(
                "{gateway}/count/customers/find-by-email?email=ap%40acme.test"
            ))
            .bearer_auth(&token)
            .send()
    };
    let found: Value = find().await.unwrap().json().await.unwrap();
    let data = found["data"].as_object().unwrap();
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["customer", "email", "uuid"], "{found}");
    assert_eq!(data["uuid"], ACME);
    let whole = r#"{"status":"success","record":{"uuid":"x","customer":"Acme Ltd","mainPhone":"+44 1","notes":"private"}}"#;
    sandbox
        .control(
            "/_faults",
            &json!({"provider": "count", "path_contains": "find-by-email",
                    "action": {"kind": "status", "status": 200, "body": whole}})
            .to_string(),
        )
        .await;
    let reply = find().await.unwrap();
    assert_eq!(reply.status(), 502);
    let text = reply.text().await.unwrap();
    assert!(!text.contains("private"), "{text}");
    assert!(text.contains("upstream_unreadable"), "{text}");
}

/// A workspace connected again through another replica (or the pair rotated there) is taken
/// up here within seconds, not only once the pair in use fails: an operator replacing a wrong
/// workspace must not have replicas that keep sending customers to it.
#[tokio::test]
async fn a_pair_replaced_in_the_store_is_taken_up_without_a_failure() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    let first = issue_pair(&sandbox).await;
    seed(&store, &first);
    let replica = count(&sandbox, &store);
    assert_eq!(read_acme(replica.as_ref()).await.status, 200);
    // Another replica connects again: a new pair, the old one still accepted by Count.
    let second = issue_pair(&sandbox).await;
    seed(&store, &second);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        sandbox.clear_log().await;
        assert_eq!(read_acme(replica.as_ref()).await.status, 200);
        let used = sandbox.log().await[0]["headers"]["authorization"].clone();
        if used == bearer_of(&second) {
            break;
        }
        assert_eq!(used, bearer_of(&first));
        assert!(
            std::time::Instant::now() < deadline,
            "the replica kept the replaced pair"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // It does not go back to the old one.
    sandbox.clear_log().await;
    assert_eq!(read_acme(replica.as_ref()).await.status, 200);
    assert_eq!(
        sandbox.log().await[0]["headers"]["authorization"],
        bearer_of(&second)
    );
}

/// The Count login URL a connect link leads to, seen by someone else (a shared screen, a
/// history synced elsewhere), cannot be finished in their browser: they would sign in to a
/// workspace of their own and connect it. The flow stays the operator's to finish.
#[tokio::test]
async fn a_flow_started_from_a_link_is_finished_only_in_its_browser() {
    let sandbox = Sandbox::start().await;
    let store = TempStore::new();
    let Linked { callback, link, .. } = linked_gateway(&sandbox, &store, false).await;
    let http = gateway_client();
    let started = http.get(&link).send().await.unwrap();
    assert_eq!(started.status(), 302);
    let cookie = started.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Path=/count/oauth"), "{cookie}");
    let cookie = cookie.split(';').next().unwrap().to_string();
    let login = started.headers()["location"].to_str().unwrap();
    // Someone else's browser: Count signs them in and sends them to the callback.
    let signed_in = http.get(login).send().await.unwrap();
    let back = signed_in.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(back.starts_with(&callback), "{back}");
    for wrong in [
        None,
        Some("count_connect=00"),
        Some(&*"count_connect=".repeat(2)),
    ] {
        let mut request = http.get(&back);
        if let Some(wrong) = wrong {
            request = request.header("cookie", wrong);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), 400);
        let refused: Value = refused.json().await.unwrap();
        assert_eq!(refused["error"]["type"], "other_browser");
    }
    assert!(stored(&store).is_none(), "nothing was connected");
    // The operator's browser, with its cookie among others, still finishes it.
    let finished = http
        .get(&back)
        .header("cookie", format!("theme=dark; {cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), 200);
    assert!(stored(&store).is_some());
}

/// A client that hangs up while its create is on its way to Count still reaches the customer
/// it created: the create goes on, and the form's retry finds it by email (Count has no
/// idempotency key) and goes on to edit it, which needs the grant the create's reply gives.
#[tokio::test]
async fn a_create_s_grant_is_recorded_when_the_client_hangs_up() {
    let (sandbox, _store, gateway, token) =
        connected_gateway(&["create", "read", "update"], None, None).await;
    sandbox.hold("count", "POST", "/customers", 400).await;
    let hung_up = common::impatient_client()
        .post(format!("{gateway}/count/customers"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"customer":"Initech","email":"ap@initech.test"}"#)
        .send()
        .await;
    assert!(hung_up.is_err(), "the client gave up before the reply");
    let client = gateway_client();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let found: Value = client
            .get(format!(
                "{gateway}/count/customers/find-by-email?email=ap%40initech.test"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(uuid) = found["data"]["uuid"].as_str() {
            let read = client
                .get(format!("{gateway}/count/customers/{uuid}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let status = read.status();
            let body = read.text().await.unwrap();
            if status == 200 {
                assert!(body.contains("Initech"), "{body}");
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the create's grant was never recorded: {status} {body}"
            );
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the create was dropped with the client: {found}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
