//! The forwarding client's keep-alive connections to a provider (`adapters/upstream.rs`), against
//! a provider written here that says which connection each request came on: a connection is
//! reused only after its reply was read to the end (never after a reply refused as too large,
//! whether announced by its length or found too long while reading), and a connection the
//! provider closed while it sat idle is replaced.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use customer_form_gateway::adapters::{Outgoing, Upstream, UpstreamError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// (connection number, path) of every request, in order.
type Seen = Arc<Mutex<Vec<(usize, String)>>>;

struct Provider {
    base: String,
    seen: Seen,
    /// A connection number, each time the gateway closed a connection `/close` was sent on.
    closed: mpsc::UnboundedReceiver<usize>,
}

/// Reads one request head (these requests have no body); `None` at the end of the connection.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

async fn serve(
    mut stream: TcpStream,
    number: usize,
    seen: Seen,
    closed: mpsc::UnboundedSender<usize>,
) {
    while let Some(head) = read_head(&mut stream).await {
        let path = head.split(' ').nth(1).unwrap_or("").to_string();
        seen.lock().unwrap().push((number, path.clone()));
        let chunk = vec![b'x'; 64 * 1024];
        match path.as_str() {
            "/huge-length" => {
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", 2 << 20);
                let _ = stream.write_all(head.as_bytes()).await;
                for _ in 0..32 {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
            }
            "/huge-chunked" => {
                let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
                let _ = stream.write_all(head.as_bytes()).await;
                for _ in 0..32 {
                    let framed =
                        [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                    if stream.write_all(&framed).await.is_err() {
                        return;
                    }
                }
                let _ = stream.write_all(b"0\r\n\r\n").await;
            }
            "/close" => {
                // Answered with keep-alive, then closed by the provider, as an idle connection
                // is when the provider's keep-alive timeout passes.
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                    .await;
                let _ = stream.shutdown().await;
                // Tell the test once the gateway has closed its side too.
                let mut rest = [0u8; 64];
                while matches!(stream.read(&mut rest).await, Ok(n) if n > 0) {}
                let _ = closed.send(number);
                return;
            }
            _ => {
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                    .await;
            }
        }
    }
}

async fn provider() -> Provider {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let (closed_tx, closed) = mpsc::unbounded_channel();
    let accepted = Arc::clone(&seen);
    tokio::spawn(async move {
        let mut number = 0;
        while let Ok((stream, _)) = listener.accept().await {
            number += 1;
            tokio::spawn(serve(
                stream,
                number,
                Arc::clone(&accepted),
                closed_tx.clone(),
            ));
        }
    });
    Provider { base, seen, closed }
}

fn get(path: &str) -> Outgoing {
    Outgoing {
        method: reqwest::Method::GET,
        path: path.to_string(),
        query: None,
        headers: Vec::new(),
        body: Bytes::new(),
    }
}

async fn send(upstream: &Upstream, provider: &Provider, path: &str) -> Result<u16, UpstreamError> {
    upstream
        .send(
            &provider.base,
            get(path),
            vec![("authorization", "Bearer sk".into())],
        )
        .await
        .map(|reply| reply.status)
}

fn connection_of_last(provider: &Provider) -> usize {
    provider.seen.lock().unwrap().last().unwrap().0
}

/// On a worker thread's own pool (a current-thread runtime, as the server's workers run).
#[tokio::test]
async fn a_connection_is_reused_only_after_its_reply_was_read_to_the_end() {
    Upstream::pool_per_thread();
    let provider = provider().await;
    let upstream = Upstream::new(Duration::from_secs(10)).unwrap();

    // A reply read to the end: the next request goes on the same connection.
    assert_eq!(send(&upstream, &provider, "/ok").await, Ok(200));
    let first = connection_of_last(&provider);
    assert_eq!(send(&upstream, &provider, "/ok").await, Ok(200));
    assert_eq!(connection_of_last(&provider), first, "kept alive");

    for huge in ["/huge-length", "/huge-chunked"] {
        assert_eq!(
            send(&upstream, &provider, huge).await,
            Err(UpstreamError::TooLarge)
        );
        let cut = connection_of_last(&provider);
        // The connection holds the unread rest of that reply: never used again.
        assert_eq!(send(&upstream, &provider, "/ok").await, Ok(200));
        assert_ne!(connection_of_last(&provider), cut, "after {huge}");
        assert_eq!(send(&upstream, &provider, "/ok").await, Ok(200));
    }
    let seen = provider.seen.lock().unwrap().clone();
    for (i, (connection, path)) in seen.iter().enumerate() {
        if path.starts_with("/huge") {
            assert!(
                !seen[i + 1..].iter().any(|(later, _)| later == connection),
                "a request went on the connection of a half-read reply: {seen:?}"
            );
        }
    }
}

/// On the shared pool (threads without a pool of their own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_the_provider_closed_while_idle_is_replaced() {
    let mut provider = provider().await;
    let upstream = Upstream::new(Duration::from_secs(10)).unwrap();
    assert_eq!(send(&upstream, &provider, "/close").await, Ok(200));
    let closed = connection_of_last(&provider);
    assert_eq!(provider.closed.recv().await, Some(closed));
    assert_eq!(send(&upstream, &provider, "/ok").await, Ok(200));
    assert_ne!(connection_of_last(&provider), closed);
    assert_eq!(send(&upstream, &provider, "/ok").await, Ok(200));
}
