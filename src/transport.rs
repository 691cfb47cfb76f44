//! The network edge: a request from the contract crate goes out with `fetch`, a reply comes back
//! as plain data. Timeouts and aborts end here too.
//!
//! `fetch` is called through `web-sys` directly rather than through `gloo-net`: its builder and
//! error types cost the package bytes this module does not need (see README, Size).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use providers::{ApiError, ErrorKind, HttpReply, HttpRequest};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use crate::browser::Timer;
use crate::client::abort::Abort;

/// How long a request may take before the form gives up on it and says so.
pub const DEFAULT_TIMEOUT_MS: i32 = 15_000;

/// Replies larger than this are not kept: no customer record comes near it, and a runaway body
/// would only stall the page.
pub const MAX_REPLY_BYTES: usize = 1 << 20;

pub type ReplyFuture = Pin<Box<dyn Future<Output = Result<HttpReply, ApiError>>>>;

/// Sends a request. Swappable so tests can answer without a server.
pub trait Transport {
    /// `token` goes out as a bearer token; `abort` cancels the request (the form aborts
    /// everything in flight when it is destroyed or moves on).
    fn send(&self, request: HttpRequest, token: Option<String>, abort: Abort) -> ReplyFuture;
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
    fn send(&self, request: HttpRequest, token: Option<String>, abort: Abort) -> ReplyFuture {
        let timeout_ms = self.timeout_ms;
        Box::pin(async move {
            let Ok(controller) = AbortController::new() else {
                return Err(ApiError::new(None, ErrorKind::Network, ""));
            };
            let stop = controller.clone();
            let _hook = abort.on_abort(move || stop.abort());
            let timed_out = Rc::new(Cell::new(false));
            let _timer = {
                let (controller, timed_out) = (controller.clone(), timed_out.clone());
                Timer::start(timeout_ms.max(0) as u32, move || {
                    timed_out.set(true);
                    controller.abort();
                })
            };
            match fetch(&request, token.as_deref(), &controller).await {
                Ok(reply) if reply.body.len() > MAX_REPLY_BYTES => Err(too_large(reply.status)),
                Ok(reply) => Ok(reply),
                Err(Fault::TooLarge(status)) => {
                    controller.abort();
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

fn too_large(status: u16) -> ApiError {
    ApiError::new(Some(status), ErrorKind::BadReply, "")
}

enum Fault {
    /// Offline, refused, cut, blocked by CORS, aborted: the same to the caller.
    NoReply,
    /// A reply announced as larger than `MAX_REPLY_BYTES`, not read.
    TooLarge(u16),
}

impl From<JsValue> for Fault {
    fn from(_: JsValue) -> Fault {
        Fault::NoReply
    }
}

async fn fetch(
    request: &HttpRequest,
    token: Option<&str>,
    controller: &AbortController,
) -> Result<HttpReply, Fault> {
    let headers = Headers::new()?;
    for (name, value) in &request.headers {
        headers.append(name, value)?;
    }
    if let Some(token) = token {
        headers.append("Authorization", &format!("Bearer {token}"))?;
    }
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    init.set_headers(&headers);
    init.set_signal(Some(&controller.signal()));
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    let window = web_sys::window().ok_or(Fault::NoReply)?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(&request.url, &init))
        .await?
        .dyn_into()?;
    let mut headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries.flatten() {
            let pair: js_sys::Array = entry.unchecked_into();
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                headers.push((name.to_ascii_lowercase(), value));
            }
        }
    }
    let announced = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.trim().parse::<usize>().ok());
    if announced.is_some_and(|bytes| bytes > MAX_REPLY_BYTES) {
        return Err(Fault::TooLarge(response.status()));
    }
    let body = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .ok_or(Fault::NoReply)?;
    Ok(HttpReply {
        status: response.status(),
        headers,
        body,
    })
}
