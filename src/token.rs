//! Where the widget's token comes from, and the single-flight cache in front of it.
//!
//! Tokens live only here, in memory: never in an attribute, URL, storage, log line or message.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use js_sys::{Function, Promise};
use providers::token_claims::TokenClaims;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A refresh is due this many seconds before the token's `exp`.
const REFRESH_MARGIN_SECS: f64 = 60.0;

/// The token as the host gives it: a string, or an async function returning one (called again
/// before expiry and after a 401).
#[derive(Clone, Default)]
pub enum TokenSource {
    #[default]
    None,
    Static(Rc<str>),
    Provider(Function),
    /// A Commerce Layer sales channel: the widget asks for a guest token itself with the public
    /// client ID (`client_credentials` with a market scope).
    SalesChannel(Rc<SalesChannel>),
}

/// What a Commerce Layer guest token request needs; none of it is secret.
#[derive(Debug, PartialEq, Eq)]
pub struct SalesChannel {
    /// `https://auth.commercelayer.io/oauth/token`, or the sandbox's.
    pub token_url: String,
    pub client_id: String,
    /// `market:code:europe` or `market:id:…`.
    pub scope: String,
}

impl TokenSource {
    pub fn from_string(token: impl Into<Rc<str>>) -> TokenSource {
        TokenSource::Static(token.into())
    }

    /// An async Rust closure as a token provider (for Rust applications).
    pub fn from_async<F, Fut>(provider: F) -> TokenSource
    where
        F: Fn() -> Fut + 'static,
        Fut: std::future::Future<Output = Result<String, String>> + 'static,
    {
        let closure = wasm_bindgen::closure::Closure::<dyn Fn() -> Promise>::new(move || {
            let future = provider();
            wasm_bindgen_futures::future_to_promise(async move {
                future.await.map(JsValue::from).map_err(JsValue::from)
            })
        });
        TokenSource::Provider(closure.into_js_value().unchecked_into())
    }

    pub fn can_refresh(&self) -> bool {
        matches!(
            self,
            TokenSource::Provider(_) | TokenSource::SalesChannel(_)
        )
    }
}

impl PartialEq for TokenSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TokenSource::None, TokenSource::None) => true,
            (TokenSource::Static(a), TokenSource::Static(b)) => a == b,
            (TokenSource::Provider(a), TokenSource::Provider(b)) => {
                JsValue::from(a) == JsValue::from(b)
            }
            (TokenSource::SalesChannel(a), TokenSource::SalesChannel(b)) => a == b,
            _ => false,
        }
    }
}

/// Never prints the token.
impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenSource::None => "TokenSource::None",
            TokenSource::Static(_) => "TokenSource::Static(..)",
            TokenSource::Provider(_) => "TokenSource::Provider(..)",
            TokenSource::SalesChannel(_) => "TokenSource::SalesChannel(..)",
        })
    }
}

/// Why no token could be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The host gave neither `token` nor `tokenProvider`.
    Missing,
    /// The host's `tokenProvider` threw, rejected or returned something other than a string.
    ProviderFailed,
}

pub struct TokenCache {
    source: TokenSource,
    /// What the form needs the token for, passed to the host's `tokenProvider`
    /// (`{provider, operation, customerId}`), so its backend can scope the token to it.
    context: RefCell<JsValue>,
    current: RefCell<Option<String>>,
    /// The refresh in flight; concurrent callers await this same promise.
    in_flight: RefCell<Option<Promise>>,
}

impl TokenCache {
    pub fn new(source: TokenSource) -> TokenCache {
        TokenCache {
            source,
            context: RefCell::new(JsValue::UNDEFINED),
            current: RefCell::new(None),
            in_flight: RefCell::new(None),
        }
    }

    pub fn can_refresh(&self) -> bool {
        self.source.can_refresh()
    }

    pub fn set_context(&self, provider: &str, operation: &str, customer_id: &str) {
        let context = js_sys::Object::new();
        let set = |key: &str, value: &str| {
            let _ =
                js_sys::Reflect::set(&context, &JsValue::from_str(key), &JsValue::from_str(value));
        };
        set("provider", provider);
        set("operation", operation);
        if !customer_id.is_empty() {
            set("customerId", customer_id);
        }
        *self.context.borrow_mut() = context.into();
    }

    /// A token fit for the next request: the one being fetched if a refresh is under way, else
    /// the cached one unless it is about to expire.
    pub async fn token(&self) -> Result<String, TokenError> {
        if self.in_flight.borrow().is_some() {
            return self.refresh().await;
        }
        if let Some(token) = self.current.borrow().as_ref() {
            if !expires_soon(token) {
                return Ok(token.clone());
            }
        }
        self.refresh().await
    }

    /// A new token from the provider (after a 401), shared by everyone who asks meanwhile.
    pub async fn refresh(&self) -> Result<String, TokenError> {
        let pending = self.in_flight.borrow().clone();
        let promise = match pending {
            Some(promise) => promise,
            None => {
                let promise = match &self.source {
                    TokenSource::None => return Err(TokenError::Missing),
                    TokenSource::Static(token) => return Ok(token.to_string()),
                    TokenSource::Provider(function) => {
                        match function.call1(&JsValue::UNDEFINED, &self.context.borrow()) {
                            Ok(result) => Promise::resolve(&result),
                            Err(_) => return Err(TokenError::ProviderFailed),
                        }
                    }
                    TokenSource::SalesChannel(channel) => {
                        let channel = channel.clone();
                        wasm_bindgen_futures::future_to_promise(async move {
                            guest_token(&channel)
                                .await
                                .map(JsValue::from)
                                .map_err(|()| JsValue::NULL)
                        })
                    }
                };
                *self.in_flight.borrow_mut() = Some(promise.clone());
                promise
            }
        };
        let result = JsFuture::from(promise).await;
        self.in_flight.borrow_mut().take();
        match result.ok().and_then(|value| value.as_string()) {
            Some(token) if !token.trim().is_empty() => {
                *self.current.borrow_mut() = Some(token.clone());
                Ok(token)
            }
            _ => Err(TokenError::ProviderFailed),
        }
    }
}

/// Asks Commerce Layer for a guest token with the sales channel's public client ID.
async fn guest_token(channel: &SalesChannel) -> Result<String, ()> {
    use providers::Json;
    let body = Json::object([
        ("grant_type", Json::str("client_credentials")),
        ("client_id", Json::str(channel.client_id.clone())),
        ("scope", Json::str(channel.scope.clone())),
    ]);
    let response = gloo_net::http::RequestBuilder::new(&channel.token_url)
        .method(gloo_net::http::Method::POST)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body.to_json_string())
        .map_err(|_| ())?
        .send()
        .await
        .map_err(|_| ())?;
    if !response.ok() {
        return Err(());
    }
    let text = response.text().await.map_err(|_| ())?;
    Json::parse(&text)
        .ok()
        .and_then(|reply| {
            reply
                .get("access_token")
                .and_then(Json::as_str)
                .map(str::to_string)
        })
        .ok_or(())
}

fn expires_soon(token: &str) -> bool {
    match TokenClaims::read(token).and_then(|claims| claims.exp) {
        Some(exp) => (exp as f64) - js_sys::Date::now() / 1000.0 < REFRESH_MARGIN_SECS,
        None => false,
    }
}
