//! The gateway binary at the edge of the network: slow and idle clients are cut off, the number
//! of connections is capped, and a huge upstream reply is refused without being held in memory.

mod common;

use std::time::{Duration, Instant};

use common::{GatewayProcess, Sandbox, HS256_KEY};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ADMIN_KEY: &str = "edge-test-admin-key-0123456789abcdef";

fn gateway(sandbox: &Sandbox, top: &str) -> GatewayProcess {
    let config = format!(
        r#"
listen = "127.0.0.1:0"
{top}
[tokens]
hs256_key = {{ env = "EDGE_HS256" }}
[admin]
key = {{ env = "EDGE_ADMIN" }}
[providers.prolifi]
base = "{}/prolifi/api/v1/public"
secret_key = {{ env = "EDGE_PROLIFI" }}
"#,
        sandbox.url
    );
    GatewayProcess::start(
        &config,
        &[
            ("EDGE_HS256", HS256_KEY),
            ("EDGE_ADMIN", ADMIN_KEY),
            ("EDGE_PROLIFI", "sk_test_edge"),
        ],
    )
}

async fn connect(gateway: &GatewayProcess) -> TcpStream {
    TcpStream::connect(gateway.url.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Asks for `/healthz` on `stream` and closes it after the reply: what came back (see
/// `until_closed`).
async fn healthz(mut stream: TcpStream, since: Instant, limit: Duration) -> (String, Duration) {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    until_closed(stream, since, limit).await
}

/// Reads until the server closes the connection (or `limit` passes): what it sent, and when it
/// closed, counted from `since`.
async fn until_closed(
    mut stream: TcpStream,
    since: Instant,
    limit: Duration,
) -> (String, Duration) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((since + limit).into(), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => panic!(
                "still open after {limit:?}; received {:?}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        since.elapsed(),
    )
}

#[tokio::test]
async fn silent_slow_and_idle_connections_are_closed() {
    let sandbox = Sandbox::start().await;
    let gw = gateway(
        &sandbox,
        "header_read_timeout_secs = 1\nidle_timeout_secs = 2\nrequest_timeout_secs = 3",
    );
    let silent = connect(&gw).await;
    let mut half_header = connect(&gw).await;
    half_header
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Slow: ")
        .await
        .unwrap();
    let mut half_body = connect(&gw).await;
    half_body
        .write_all(
            format!(
                "POST /tokens HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {ADMIN_KEY}\r\n\
                 Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"sub\":"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut idle = connect(&gw).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 1024];
    let n = idle.read(&mut first).await.unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    let since = Instant::now();
    let limit = Duration::from_secs(15);
    let (silent, half_header, half_body, idle) = tokio::join!(
        until_closed(silent, since, limit),
        until_closed(half_header, since, limit),
        until_closed(half_body, since, limit),
        until_closed(idle, since, limit),
    );
    assert!(silent.1 < Duration::from_secs(4), "silent: {:?}", silent.1);
    assert!(
        half_header.1 < Duration::from_secs(4),
        "half a header: {:?}",
        half_header.1
    );
    assert!(
        half_body.0.starts_with("HTTP/1.1 408"),
        "half a body: {:?}",
        half_body.0
    );
    assert!(
        (Duration::from_millis(2500)..Duration::from_secs(8)).contains(&half_body.1),
        "half a body: {:?}",
        half_body.1
    );
    assert!(
        (Duration::from_millis(1500)..Duration::from_secs(6)).contains(&idle.1),
        "idle: {:?}",
        idle.1
    );
}

#[tokio::test]
async fn connections_over_the_cap_wait_for_a_free_slot() {
    let sandbox = Sandbox::start().await;
    let gw = gateway(
        &sandbox,
        "max_connections = 2\nheader_read_timeout_secs = 2",
    );
    let held = [connect(&gw).await, connect(&gw).await];
    let started = Instant::now();
    let third = connect(&gw).await;
    let (reply, waited) = healthz(third, started, Duration::from_secs(10)).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        waited >= Duration::from_millis(1500),
        "answered after {waited:?}"
    );
    drop(held);
}

/// A client that keeps connections open (a `/healthz` now and then, or a slow body) cannot
/// take every slot: past `max_connections_per_ip` its further connections are closed at once,
/// and another address is still served.
#[tokio::test]
async fn one_address_cannot_hold_every_connection() {
    let sandbox = Sandbox::start().await;
    let gw = gateway(
        &sandbox,
        "max_connections = 4\nmax_connections_per_ip = 2\nheader_read_timeout_secs = 8",
    );
    let held = [connect(&gw).await, connect(&gw).await];
    let started = Instant::now();
    let third = connect(&gw).await;
    let (reply, closed) = until_closed(third, started, Duration::from_secs(5)).await;
    assert_eq!(
        reply, "",
        "a third connection from the same address is served"
    );
    assert!(closed < Duration::from_secs(2), "closed after {closed:?}");
    // Another address (loopback's 127.0.0.2) is served.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let address = gw.url.trim_start_matches("http://").parse().unwrap();
    let other = socket.connect(address).await.unwrap();
    let (reply, _) = healthz(other, Instant::now(), Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    // A slot freed is a slot again, once the gateway has seen the close.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let again = connect(&gw).await;
        let (reply, _) = healthz(again, Instant::now(), Duration::from_secs(5)).await;
        if reply.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no slot after the close: {reply:?}"
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_huge_upstream_reply_is_refused_without_being_held_in_memory() {
    let sandbox = Sandbox::start().await;
    let gw = gateway(&sandbox, "");
    let http = reqwest::Client::new();
    let minted: serde_json::Value = http
        .post(format!("{}/tokens", gw.url))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"sub": "u1", "provider": "prolifi", "ops": ["read"], "customer": "cus_1001"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = minted["token"].as_str().unwrap().to_string();
    let read = || {
        http.get(format!("{}/prolifi/customers/cus_1001", gw.url))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(read().await.unwrap().status(), 200);
    let before = gw.peak_rss_kib();
    sandbox
        .control(
            "/_faults",
            &json!({"provider": "prolifi", "action": {"kind": "huge_body", "bytes": 32 << 20, "chunked": true}})
                .to_string(),
        )
        .await;
    let refused = read().await.unwrap();
    assert_eq!(refused.status(), 502);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["gateway"]["code"], "upstream_too_large");
    let grown = gw.peak_rss_kib().saturating_sub(before);
    assert!(
        grown < 8 * 1024,
        "the gateway's peak memory grew by {grown} KiB"
    );
}

#[tokio::test]
async fn sigterm_stops_the_gateway_promptly_with_idle_connections_open() {
    let sandbox = Sandbox::start().await;
    let mut gw = gateway(&sandbox, "");
    let mut idle = connect(&gw).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 1024];
    let n = idle.read(&mut first).await.unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    let _silent = connect(&gw).await;
    let started = Instant::now();
    assert!(gw.stop(), "the gateway exited by itself, cleanly");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
