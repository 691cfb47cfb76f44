//! The network edge: a request from the contract crate goes out with `fetch`, a reply comes back
//! as plain data. Timeouts and aborts end here too.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use providers::{ApiError, ErrorKind, HttpReply, HttpRequest, Method};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

/// How long a request may take before the form gives up on it and says so.
pub const DEFAULT_TIMEOUT_MS: i32 = 15_000;

/// Replies larger than this are not kept: no customer record comes near it, and a runaway body
/// would only stall the page.
pub const MAX_REPLY_BYTES: usize = 1 << 20;

pub type ReplyFuture = Pin<Box<dyn Future<Output = Result<HttpReply, ApiError>>>>;

/// Sends a request. Swappable so component tests can answer without a server.
pub trait Transport {
    /// `abort` cancels the request (the component aborts everything in flight when it is destroyed).
    fn send(
        &self,
        request: HttpRequest,
        token: Option<String>,
        abort: AbortController,
    ) -> ReplyFuture;
}

pub struct FetchTransport {
    pub timeout_ms: i32,
}

impl Default for FetchTransport {
    fn default() -> Self {
        FetchTransport {
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }
}

impl Transport for FetchTransport {
    fn send(
        &self,
        request: HttpRequest,
        token: Option<String>,
        abort: AbortController,
    ) -> ReplyFuture {
        let timeout_ms = self.timeout_ms;
        Box::pin(async move {
            let timed_out = Rc::new(Cell::new(false));
            let timer = start_timer(timeout_ms, &abort, &timed_out);
            let result = fetch(&request, token.as_deref(), &abort).await;
            if let Some((window, id, _closure)) = timer {
                window.clear_timeout_with_handle(id);
            }
            match result {
                Ok(reply) if reply.body.len() > MAX_REPLY_BYTES => Err(too_large(reply.status)),
                Ok(reply) => Ok(reply),
                Err(Fault::TooLarge(status)) => {
                    abort.abort();
                    Err(too_large(status))
                }
                Err(Fault::NoReply) => {
                    let kind = if timed_out.get() {
                        ErrorKind::Timeout
                    } else {
                        ErrorKind::Network
                    };
                    Err(ApiError::new(None, kind, ""))
                }
            }
        })
    }
}

type Timer = (web_sys::Window, i32, Closure<dyn FnMut()>);

fn start_timer(
    timeout_ms: i32,
    abort: &AbortController,
    timed_out: &Rc<Cell<bool>>,
) -> Option<Timer> {
    let window = web_sys::window()?;
    let abort = abort.clone();
    let timed_out = timed_out.clone();
    let closure = Closure::<dyn FnMut()>::new(move || {
        timed_out.set(true);
        abort.abort();
    });
    let id = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            closure.as_ref().unchecked_ref(),
            timeout_ms,
        )
        .ok()?;
    Some((window, id, closure))
}

fn too_large(status: u16) -> ApiError {
    ApiError::new(Some(status), ErrorKind::BadReply, "")
}

enum Fault {
    /// Offline, refused, cut, blocked by CORS, aborted: the same to the caller.
    NoReply,
    /// A reply announced as larger than `MAX_REPLY_BYTES`, not read.
    TooLarge(u16),
}

async fn fetch(
    request: &HttpRequest,
    token: Option<&str>,
    abort: &AbortController,
) -> Result<HttpReply, Fault> {
    let method = match request.method {
        Method::Get => FetchMethod::GET,
        Method::Post => FetchMethod::POST,
        Method::Put => FetchMethod::PUT,
        Method::Patch => FetchMethod::PATCH,
    };
    let mut builder = RequestBuilder::new(&request.url)
        .method(method)
        .abort_signal(Some(&abort.signal()));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(token) = token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let prepared = match &request.body {
        Some(body) => builder.body(body.as_str()),
        None => builder.build(),
    }
    .map_err(|_| Fault::NoReply)?;
    let response = prepared.send().await.map_err(|_| Fault::NoReply)?;
    let headers: Vec<(String, String)> = response
        .headers()
        .entries()
        .map(|(name, value)| (name.to_ascii_lowercase(), value))
        .collect();
    let announced = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.trim().parse::<usize>().ok());
    if announced.is_some_and(|bytes| bytes > MAX_REPLY_BYTES) {
        return Err(Fault::TooLarge(response.status()));
    }
    let body = response.text().await.map_err(|_| Fault::NoReply)?;
    Ok(HttpReply {
        status: response.status(),
        headers,
        body,
    })
}
