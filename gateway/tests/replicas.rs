//! Two gateway processes on one PostgreSQL store, requests alternating between them, as behind a
//! load balancer: a create on A and its update on B; a Partnero rename on A and the old key on B;
//! a Count OAuth flow started on A and called back on B; 20 concurrent Count requests over both
//! with an expired access token (one refresh); a flood counted across both; the Count pair moved
//! from SQLite into the store; and what a client gets when the store goes away.
//!
//! Skipped (with a note) when PostgreSQL is not installed, except under `CI=true`.

mod common;

use std::sync::Arc;
use std::thread;

use common::postgres::Postgres;
use common::{GatewayProcess, Sandbox, TempStore, HS256_KEY};
use customer_form_gateway::adapters::{CountTokenPair, CountTokenStore};
use customer_form_gateway::config::Config;
use customer_form_gateway::minting::{claims_for, TokenRequest};
use customer_form_gateway::tokens::{now_secs, TokenKeys};
use serde_json::{json, Value};

const ADMIN_KEY: &str = "replicas-test-admin-key-0123456789abcdef";
const ACME: &str = "5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d";
const REFRESH: &str = "/count/partners/refresh-user-access-token";

fn env(store_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("REPLICA_HS256", HS256_KEY.to_string()),
        ("REPLICA_ADMIN", ADMIN_KEY.to_string()),
        ("REPLICA_STORE", store_url.to_string()),
        ("REPLICA_PROLIFI", "sk_test_replicas".to_string()),
        ("REPLICA_PARTNERO", "partnero_sandbox_key".to_string()),
        ("REPLICA_COUNT", "count_sandbox_secret".to_string()),
    ]
}

/// The config every replica shares (as they would behind a load balancer), on its own port.
/// Count's redirect URI is the callback of `callback_port`'s replica.
fn config(sandbox: &str, port: u16, callback_port: u16) -> String {
    format!(
        r#"
listen = "127.0.0.1:{port}"
[tokens]
hs256_key = {{ env = "REPLICA_HS256" }}
[admin]
key = {{ env = "REPLICA_ADMIN" }}
[limits]
per_sub_per_minute = 30
per_token_per_minute = 1000
per_ip_per_minute = 100000
[store]
url = {{ env = "REPLICA_STORE" }}
pool_size = 8
connect_timeout_secs = 2
[providers.prolifi]
base = "{sandbox}/prolifi/api/v1/public"
secret_key = {{ env = "REPLICA_PROLIFI" }}
[providers.partnero]
base = "{sandbox}/partnero/v1"
secret_key = {{ env = "REPLICA_PARTNERO" }}
[providers.count]
base = "{sandbox}/count/partners"
auth_base = "{sandbox}/count"
client_id = "count_sandbox_client"
client_secret = {{ env = "REPLICA_COUNT" }}
redirect_uri = "http://127.0.0.1:{callback_port}/count/oauth/callback"
"#
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the replicas at the same time (their migrations race for the advisory lock).
fn start_together(configs: Vec<String>, env: &[(&'static str, String)]) -> Vec<GatewayProcess> {
    let handles: Vec<_> = configs
        .into_iter()
        .map(|config| {
            let env = env.to_vec();
            thread::spawn(move || {
                let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
                GatewayProcess::start(&config, &env)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

struct Minter(TokenKeys);

impl Minter {
    fn new() -> Minter {
        std::env::set_var("REPLICA_MINT_KEY", HS256_KEY);
        let config = Config::parse("[tokens]\nhs256_key = { env = \"REPLICA_MINT_KEY\" }").unwrap();
        Minter(TokenKeys::from_config(&config.tokens).unwrap())
    }

    fn token(&self, sub: &str, provider: &str, ops: &[&str], customer: Option<&str>) -> String {
        let request = TokenRequest {
            sub: sub.into(),
            provider: provider.into(),
            ops: ops.iter().map(|s| s.to_string()).collect(),
            customer: customer.map(str::to_string),
            fields: None,
            ttl_secs: Some(300),
        };
        self.0
            .mint(&claims_for(&self.0, &request, now_secs()).unwrap())
            .unwrap()
    }
}

async fn call(
    http: &reqwest::Client,
    gateway: &GatewayProcess,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http
        .request(method.parse().unwrap(), format!("{}{path}", gateway.url))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_on_one_postgres_store_act_as_one() {
    let Some(mut postgres) = Postgres::start() else {
        return;
    };
    let sandbox = Sandbox::start().await;
    let (port_a, port_b) = (free_port(), free_port());
    let env = env(&postgres.url);
    let gateways = start_together(
        vec![
            config(&sandbox.url, port_a, port_b),
            config(&sandbox.url, port_b, port_b),
        ],
        &env,
    );
    let (a, b) = (&gateways[0], &gateways[1]);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let minter = Minter::new();

    // An OAuth flow started on A, called back on B. The pair Count grants has already expired.
    sandbox
        .control(
            "/_config",
            &json!({"count": {"access_token_ttl_secs": 0}}).to_string(),
        )
        .await;
    // Only an operator may start it: a stranger is refused by either replica, and the one-time
    // link `gateway count-connect-link` prints (on B's address, the configured callback's)
    // works once, on either, but not on both.
    for gateway in [a, b] {
        let stranger = http
            .get(format!("{}/count/oauth/start", gateway.url))
            .send()
            .await
            .unwrap();
        assert_eq!(stranger.status(), 401);
    }
    let env_strs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let link = a.command(&["count-connect-link"], &env_strs);
    let link = link.trim();
    assert!(
        link.starts_with(&format!("{}/count/oauth/start?ticket=", b.url)),
        "{link}"
    );
    let start = http.get(link.replace(&b.url, &a.url)).send().await.unwrap();
    assert_eq!(start.status(), 302, "{}", a.log());
    // The browser's cookie for the flow, which it sends to B too (cookies are per host).
    let cookie = start.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let replayed = http.get(link).send().await.unwrap();
    assert_eq!(replayed.status(), 401, "a ticket spent on A is spent on B");
    let replayed: Value = replayed.json().await.unwrap();
    assert_eq!(replayed["error"]["type"], "invalid_ticket");
    let login = http
        .get(start.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    let callback = login.headers()["location"].to_str().unwrap().to_string();
    assert!(
        callback.starts_with(&format!("{}/count/oauth/callback?", b.url)),
        "{callback}"
    );
    let connected = http
        .get(&callback)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(connected.status(), 200, "{}", b.log());
    sandbox
        .control(
            "/_config",
            &json!({"count": {"access_token_ttl_secs": 3600}}).to_string(),
        )
        .await;

    // 20 concurrent Count requests over both replicas: one refresh between them.
    sandbox.clear_log().await;
    let count_token = Arc::new(minter.token("counter", "count", &["read"], Some(ACME)));
    let mut reads = Vec::new();
    for i in 0..20 {
        let (http, token) = (http.clone(), Arc::clone(&count_token));
        let url = format!(
            "{}/count/customers/{ACME}",
            if i % 2 == 0 { &a.url } else { &b.url }
        );
        reads.push(tokio::spawn(async move {
            let response = http
                .get(url)
                .bearer_auth(token.as_str())
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        }));
    }
    for read in reads {
        assert_eq!(read.await.unwrap(), 200);
    }
    let refreshes = sandbox.calls_to(REFRESH).await;
    assert_eq!(refreshes.len(), 1, "{refreshes:?}");

    // A Prolifi create on A, its update on B.
    let creator = minter.token("creator", "prolifi", &["create", "update"], None);
    let (status, created) = call(
        &http,
        a,
        "POST",
        "/prolifi/customers",
        &creator,
        Some(json!({"email": "replica@example.com"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let path = format!(
        "/prolifi/customers/{}",
        created["data"]["id"].as_str().unwrap()
    );
    let update = Some(json!({"first_name": "Rep"}));
    assert_eq!(
        call(&http, b, "PATCH", &path, &creator, update.clone())
            .await
            .0,
        200
    );
    let stranger = minter.token("creator", "prolifi", &["create", "update"], None);
    assert_eq!(
        call(&http, b, "PATCH", &path, &stranger, update).await.0,
        403
    );

    // A Partnero rename on A; on B the token follows it and the old key is out of its reach.
    let alice = minter.token(
        "alice-admin",
        "partnero",
        &["read", "update"],
        Some("customer_123"),
    );
    let (status, _) = call(
        &http,
        a,
        "PUT",
        "/partnero/customers/customer_123",
        &alice,
        Some(json!({"update": {"key": "customer_123-moved"}})),
    )
    .await;
    assert_eq!(status, 200);
    let someone = minter.token("someone", "partnero", &["create"], None);
    let (status, _) = call(
        &http,
        b,
        "POST",
        "/partnero/customers",
        &someone,
        Some(json!({"key": "customer_123", "email": "new@example.com", "partner": {"key": "ref_123"}})),
    )
    .await;
    assert_eq!(status, 201);
    // Its own record is not under the old key any more (404, the gateway's `renamed`), and the
    // new customer there is not shown.
    let (status, old_key) = call(
        &http,
        b,
        "GET",
        "/partnero/customers/customer_123",
        &alice,
        None,
    )
    .await;
    assert_eq!(
        (status, old_key["gateway"]["code"].as_str()),
        (404, Some("renamed")),
        "{old_key}"
    );
    assert!(!old_key.to_string().contains("new@example.com"));
    let (status, moved) = call(
        &http,
        b,
        "GET",
        "/partnero/customers/customer_123-moved",
        &alice,
        None,
    )
    .await;
    assert_eq!(
        (status, moved["data"]["email"].as_str()),
        (200, Some("alice.brown@example.com"))
    );

    // A flood from one user, a fresh token per request, alternating: counted across both.
    let second = now_secs() % 60;
    if second > 45 {
        // Not across a minute boundary, where the window starts again.
        tokio::time::sleep(std::time::Duration::from_secs(61 - second)).await;
    }
    let mut statuses = Vec::new();
    for i in 0..40 {
        let token = minter.token("flood", "prolifi", &["read"], Some("cus_1001"));
        let gateway = if i % 2 == 0 { a } else { b };
        let (status, body) = call(
            &http,
            gateway,
            "GET",
            "/prolifi/customers/cus_1001",
            &token,
            None,
        )
        .await;
        if status == 429 {
            assert_eq!(body["gateway"]["code"], "rate_sub");
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        30,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        10,
        "{statuses:?}"
    );

    // The Count pair of a single gateway (SQLite) moved into the store, without Count.
    let file = TempStore::new();
    let issued = sandbox.control("/_count/issue-tokens", "{}").await;
    let moved_pair = CountTokenPair::from_reply(&issued).unwrap();
    CountTokenStore::open(&file.path)
        .unwrap()
        .save(&moved_pair)
        .unwrap();
    let migrate = |replace: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gateway"));
        command
            .args(["migrate-count-tokens", "--config"])
            .arg(a.dir.join("gateway.toml"))
            .args(["--from", &file.path])
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        if replace {
            command.arg("--replace");
        }
        command.output().unwrap()
    };
    sandbox.clear_log().await;
    let refused = migrate(false);
    assert!(!refused.status.success(), "the store already holds a pair");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--replace"));
    let moved = migrate(true);
    assert!(
        moved.status.success(),
        "{}",
        String::from_utf8_lossy(&moved.stderr)
    );
    assert_eq!(
        CountTokenStore::open(&file.path).unwrap().load().unwrap(),
        None
    );
    assert!(
        sandbox.log().await.is_empty(),
        "Count was not asked anything"
    );
    let third = GatewayProcess::start(
        &config(&sandbox.url, 0, port_b),
        &env.iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        call(
            &http,
            &third,
            "GET",
            &format!("/count/customers/{ACME}"),
            &count_token,
            None
        )
        .await
        .0,
        200
    );
    let used = sandbox.calls_to(&format!("/customers/{ACME}")).await;
    assert_eq!(
        used[0]["headers"]["authorization"],
        format!("Bearer {}", moved_pair.access_token.expose())
    );

    // The store goes away: a 503 in the provider's envelope, and /healthz says so.
    postgres.stop();
    let fresh = minter.token("late", "prolifi", &["read"], Some("cus_1001"));
    let (status, body) = call(&http, a, "GET", "/prolifi/customers/cus_1001", &fresh, None).await;
    assert_eq!(
        (status, body["gateway"]["code"].as_str()),
        (503, Some("store_unavailable")),
        "{body}"
    );
    assert_eq!(body["error"]["type"], "api_error");
    let health = http.get(format!("{}/healthz", b.url)).send().await.unwrap();
    assert_eq!(health.status(), 503);
    assert!(health.text().await.unwrap().contains("postgres"));
}

/// Requests of one replica that find its batch spent at the same moment wait for one of them to
/// take the next batch, rather than each taking a batch (which left the replica holding many,
/// unused past the 32nd of the limit the rule allows, and made a round trip per request of the
/// burst).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_takes_one_batch_at_a_time() {
    use customer_form_gateway::store::leases::batch_for;
    use customer_form_gateway::store::{Counter, Store};

    let Some(postgres) = Postgres::start() else {
        return;
    };
    let store = Arc::new(store_on(&postgres, "LEASES_TEST_STORE"));
    store.prepare().await.unwrap();
    let limit = 3_200;
    let batch = batch_for(limit);
    assert_eq!(batch, 100);
    let now = now_secs();
    let window = now - now % 60;
    let burst = 3 * batch as usize / 2;
    let tasks: Vec<_> = (0..burst)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let counters = [Counter {
                    key: "t:burst".into(),
                    limit,
                }];
                store.admit(&counters, window, window + 60).await.unwrap()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), vec![true]);
    }
    let client = tokio_postgres::connect(&postgres.url, tokio_postgres::NoTls).await;
    let (client, connection) = client.unwrap();
    tokio::spawn(connection);
    let hits: i32 = client
        .query_one(
            "SELECT hits FROM gateway_rate_counts WHERE key = 't:burst'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    // 150 requests: two batches of 100, not one per request that found the first one spent.
    assert_eq!(hits, 2 * batch as i32);
}

/// A store of its own on `postgres` (a replica, as far as the store knows), its URL read from the
/// environment variable `variable`.
fn store_on(
    postgres: &Postgres,
    variable: &str,
) -> customer_form_gateway::store::postgres::PostgresStore {
    use customer_form_gateway::config::StoreConfig;
    use customer_form_gateway::secret::SecretSource;
    std::env::set_var(variable, &postgres.url);
    customer_form_gateway::store::postgres::PostgresStore::new(&StoreConfig {
        url: SecretSource {
            env: Some(variable.into()),
            file: None,
        },
        pool_size: 4,
        connect_timeout_secs: 5,
        ca_file: None,
    })
    .unwrap()
}

/// A grant made on one replica is seen on the other as soon as it is made (what a replica has
/// not seen, it asks the database for); one it has seen is not asked for again (it never
/// changes until it expires).
#[tokio::test]
async fn grants_made_on_one_replica_are_seen_on_the_other() {
    use customer_form_gateway::store::Store;

    let Some(postgres) = Postgres::start() else {
        return;
    };
    let (a, b) = (
        store_on(&postgres, "GRANTS_TEST_STORE"),
        store_on(&postgres, "GRANTS_TEST_STORE"),
    );
    a.prepare().await.unwrap();
    let expires = now_secs() + 600;
    assert!(!b.has_grant("token-1", "rec-1").await.unwrap());
    a.grant("token-1", "rec-1", 1, expires).await.unwrap();
    assert!(
        b.has_grant("token-1", "rec-1").await.unwrap(),
        "not cached as absent"
    );
    assert!(!b.has_grant("token-1", "rec-2").await.unwrap());
    assert!(!b.has_grant("token-2", "rec-1").await.unwrap());
    a.grant("token-1", "rec-2", 2, expires).await.unwrap();
    assert!(b.has_grant("token-1", "rec-2").await.unwrap());

    // Seen once, remembered: the database is not asked again (the rows gone, B still knows).
    let (client, connection) = tokio_postgres::connect(&postgres.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .execute("DELETE FROM gateway_grants", &[])
        .await
        .unwrap();
    assert!(b.has_grant("token-1", "rec-1").await.unwrap());
    assert!(
        a.has_grant("token-1", "rec-2").await.unwrap(),
        "granted here"
    );
    assert!(!b.has_grant("token-1", "rec-3").await.unwrap());
}

/// Two identical renames recorded at once (the same key, the same millisecond) are two rows, and
/// taking one back leaves the other: the rename that landed keeps its tokens along while the
/// one Partnero refused is taken back (the review of 2026-11-28: both rows went).
#[tokio::test]
async fn taking_back_one_of_two_identical_renames_keeps_the_other() {
    use customer_form_gateway::store::embedded::EmbeddedStore;
    use customer_form_gateway::store::Store;

    let postgres = Postgres::start();
    let mut stores: Vec<Box<dyn Store>> = vec![Box::new(EmbeddedStore::new(None))];
    if let Some(postgres) = &postgres {
        let store = store_on(postgres, "RENAMES_TEST_STORE");
        store.prepare().await.unwrap();
        stores.push(Box::new(store));
    }
    for store in stores {
        let far = now_secs() + 600;
        store
            .record_rename("twice", "twice-b", 7_000, far)
            .await
            .unwrap();
        store
            .record_rename("twice", "twice-b", 7_000, far)
            .await
            .unwrap();
        store
            .forget_rename("twice", "twice-b", 7_000)
            .await
            .unwrap();
        assert_eq!(
            store
                .next_rename("twice", 0)
                .await
                .unwrap()
                .map(|r| r.new_key),
            Some("twice-b".to_string()),
            "{}",
            store.kind()
        );
        store
            .forget_rename("twice", "twice-b", 7_000)
            .await
            .unwrap();
        assert_eq!(
            store.next_rename("twice", 0).await.unwrap(),
            None,
            "{}",
            store.kind()
        );
    }
}
