//! Gateway overhead, measured: requests/second and p50/p99 latency of calling the sandbox
//! directly versus through the gateway, in the same run, on loopback. Prints figures; asserts
//! nothing. Run with `scripts/bench-gateway.sh` (it builds the release binaries first).
//!
//! Knobs: BENCH_SECS (measured seconds per case, default 5), BENCH_CONCURRENCY (default 16).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ADMIN_KEY: &str = "bench-admin-key-0123456789";
const UPSTREAM_KEY: &str = "sk_test_bench_upstream";

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn start(binary: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(binary)
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (run scripts/bench-gateway.sh)"));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("a listening line");
    let url = line
        .split("listening on ")
        .nth(1)
        .expect("listening on <url>")
        .trim()
        .to_string();
    Server { child, url }
}

struct Case {
    name: &'static str,
    method: reqwest::Method,
    url: String,
    token: String,
    body: Option<&'static str>,
}

struct Figures {
    requests: u64,
    errors: u64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn run(
    client: reqwest::Client,
    case: &Case,
    concurrency: usize,
    warmup: Duration,
    measured: Duration,
) -> Figures {
    let keys = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    let started = Instant::now();
    let measuring_from = started + warmup;
    let end = measuring_from + measured;
    for _ in 0..concurrency {
        let client = client.clone();
        let (method, url, token, body) = (
            case.method.clone(),
            case.url.clone(),
            case.token.clone(),
            case.body,
        );
        let keys = keys.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < end {
                let mut request = client
                    .request(method.clone(), &url)
                    .bearer_auth(&token)
                    .header("accept", "application/json");
                if let Some(body) = body {
                    let key = keys.fetch_add(1, Ordering::Relaxed);
                    request = request
                        .header("content-type", "application/json")
                        .header(
                            "idempotency-key",
                            format!("00000000-0000-4000-8000-{key:012x}"),
                        )
                        .body(body);
                }
                let sent = Instant::now();
                let ok = match request.send().await {
                    Ok(response) => {
                        response.status().is_success() && response.bytes().await.is_ok()
                    }
                    Err(_) => false,
                };
                if sent >= measuring_from {
                    if ok {
                        latencies.push(sent.elapsed());
                    } else {
                        errors += 1;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mut l, e) = task.await.expect("bench task");
        latencies.append(&mut l);
        errors += e;
    }
    latencies.sort();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    Figures {
        requests: latencies.len() as u64,
        errors,
        rps: latencies.len() as f64 / measured.as_secs_f64(),
        p50_ms: pick(0.50),
        p99_ms: pick(0.99),
    }
}

#[tokio::main]
async fn main() {
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let concurrency: usize = std::env::var("BENCH_CONCURRENCY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let sandbox = start(
        &format!("{root}/target/release/sandbox"),
        &["--port", "0"],
        &[],
    );
    let http = reqwest::Client::new();
    // The sandbox's Prolifi limit (1000/min per key, as documented) would turn the run into 429s.
    http.post(format!("{}/_config", sandbox.url))
        .json(&json!({"prolifi": {"rate_limit_per_minute": 1_000_000_000u64}}))
        .send()
        .await
        .expect("sandbox config");

    let dir = std::env::temp_dir().join(format!("gateway-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\n[tokens]\nhs256_key = {{ env = \"BENCH_TOKEN_KEY\" }}\n[admin]\nkey = {{ env = \"BENCH_ADMIN_KEY\" }}\n\
             [limits]\nper_token_per_minute = 1000000000\nper_ip_per_minute = 1000000000\n\
             [providers.prolifi]\nbase = \"{}/prolifi/api/v1/public\"\nsecret_key = {{ env = \"BENCH_PROLIFI_KEY\" }}\n",
            sandbox.url
        ),
    )
    .expect("gateway config");
    let config = config.to_string_lossy().to_string();
    let gateway = start(
        &format!("{root}/target/release/gateway"),
        &["serve", "--config", &config],
        &[
            (
                "BENCH_TOKEN_KEY",
                "bench-token-key-0123456789abcdef0123456789",
            ),
            ("BENCH_ADMIN_KEY", ADMIN_KEY),
            ("BENCH_PROLIFI_KEY", UPSTREAM_KEY),
        ],
    );
    let minted: Value = http
        .post(format!("{}/tokens", gateway.url))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"sub": "bench", "provider": "prolifi", "ops": ["read", "update"], "customer": "cus_1001", "ttl_secs": 900}))
        .send()
        .await
        .expect("mint")
        .json()
        .await
        .expect("token json");
    let scoped = minted["token"].as_str().expect("a token").to_string();

    let jane = "0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10";
    let patch_body = r#"{"phone":"+44 20 7946 0000"}"#;
    let cases = [
        Case {
            name: "GET direct",
            method: reqwest::Method::GET,
            url: format!("{}/prolifi/api/v1/public/customers/cus_1001", sandbox.url),
            token: UPSTREAM_KEY.into(),
            body: None,
        },
        Case {
            name: "GET via gateway",
            method: reqwest::Method::GET,
            url: format!("{}/prolifi/customers/cus_1001", gateway.url),
            token: scoped.clone(),
            body: None,
        },
        Case {
            name: "PATCH direct",
            method: reqwest::Method::PATCH,
            url: format!("{}/prolifi/api/v1/public/customers/{jane}", sandbox.url),
            token: UPSTREAM_KEY.into(),
            body: Some(patch_body),
        },
        Case {
            name: "PATCH via gateway",
            method: reqwest::Method::PATCH,
            url: format!("{}/prolifi/customers/{jane}", gateway.url),
            token: scoped,
            body: Some(patch_body),
        },
    ];
    println!("gateway forwarding benchmark: {concurrency} concurrent clients, {secs} s measured per case after 1 s warm-up, loopback, release builds");
    println!(
        "{:<20} {:>10} {:>8} {:>10} {:>10} {:>10}",
        "case", "requests", "errors", "req/s", "p50 ms", "p99 ms"
    );
    for case in &cases {
        let figures = run(
            http.clone(),
            case,
            concurrency,
            Duration::from_secs(1),
            Duration::from_secs(secs),
        )
        .await;
        println!(
            "{:<20} {:>10} {:>8} {:>10.0} {:>10.2} {:>10.2}",
            case.name,
            figures.requests,
            figures.errors,
            figures.rps,
            figures.p50_ms,
            figures.p99_ms
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
