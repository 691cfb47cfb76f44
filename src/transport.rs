//! The network edge: a request from the contract crate goes out with `fetch`, a reply comes back
//! as plain data. Timeouts and aborts end here too.
//!
//! The `fetch` call itself is `fetch.js`: written against web-sys (`Headers`, `RequestInit`,
//! `Response`, a timer) the same thing cost the package more in bindings than the few lines of
//! JS it takes (see README, Size).

use std::future::Future;
use std::pin::Pin;

use js_sys::{Array, Promise};
use providers::{ApiError, ErrorKind, HttpReply, HttpRequest};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use crate::client::abort::Abort;

#[wasm_bindgen(module = "/src/fetch.js")]
extern "C" {
    #[wasm_bindgen(js_name = send)]
    fn js_send(
        method: &str,
        url: &str,
        headers: &Texts,
        body: Option<String>,
        signal: &AbortSignal,
        timeout_ms: i32,
        max_bytes: u32,
    ) -> Promise;
}

#[wasm_bindgen]
extern "C" {
    // Without web-sys's and js_sys's `catch` and string handles: neither can throw here.
    #[wasm_bindgen(js_name = AbortController)]
    type Controller;
    #[wasm_bindgen(constructor, js_class = AbortController)]
    fn new() -> Controller;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &Controller) -> AbortSignal;
    #[wasm_bindgen(method)]
    fn abort(this: &Controller);
    #[wasm_bindgen(extends = Array)]
    type Texts;
    #[wasm_bindgen(method, js_name = push)]
    fn push_text(this: &Texts, text: &str);
}

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
            let no_reply = |kind| ApiError::new(None, kind, "");
            let controller = Controller::new();
            let stop: Controller = controller.clone().unchecked_into();
            let _hook = abort.on_abort(move || stop.abort());
            let headers: Texts = Array::new().unchecked_into();
            for (name, value) in &request.headers {
                headers.push_text(name);
                headers.push_text(value);
            }
            if let Some(token) = token {
                headers.push_text("Authorization");
                headers.push_text(&providers::substring::concat(&["Bearer ", &token]));
            }
            let sent = js_send(
                request.method.as_str(),
                &request.url,
                &headers,
                request.body,
                &controller.signal(),
                timeout_ms,
                MAX_REPLY_BYTES as u32,
            );
            let reply = crate::spawn::settled(&sent).await;
            if let Some(fault) = reply.as_string() {
                return Err(match fault.strip_prefix("too-large:") {
                    Some(status) => too_large(providers::digits::parse_u16(status).unwrap_or(0)),
                    None if fault == "timeout" => no_reply(ErrorKind::Timeout),
                    None => no_reply(ErrorKind::Network),
                });
            }
            if !Array::is_array(&reply) {
                return Err(no_reply(ErrorKind::Network));
            }
            let reply: Array = reply.unchecked_into();
            let names: Array = reply.get(1).unchecked_into();
            // Names and values alternate.
            let mut headers = Vec::new();
            let mut i = 0;
            while i + 1 < names.length() {
                if let (Some(name), Some(value)) =
                    (names.get(i).as_string(), names.get(i + 1).as_string())
                {
                    headers.push((name, value));
                }
                i += 2;
            }
            let body = reply.get(2).as_string().unwrap_or_default();
            let status = reply.get(0).as_f64().unwrap_or(0.0) as u16;
            if body.len() > MAX_REPLY_BYTES {
                return Err(too_large(status));
            }
            Ok(HttpReply {
                status,
                headers,
                body,
            })
        })
    }
}

fn too_large(status: u16) -> ApiError {
    ApiError::new(Some(status), ErrorKind::BadReply, "")
}
