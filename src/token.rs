//! Where the widget's token comes from: the host's string or `tokenProvider`, or (for a
//! provider with a public client, like Commerce Layer's sales channel) the widget itself. The
//! cache and the single flight in front of it are in `client::tokens`.

use std::fmt;
use std::rc::Rc;

use js_sys::{Function, Promise};
use providers::PublicClient;
use wasm_bindgen::{JsCast, JsValue};

use crate::client::abort::Abort;
use crate::client::tokens::{TokenFetch, TokenFuture, TokenPurpose};
use crate::transport::Transport;

pub use crate::client::tokens::TokenError;

/// What a guest token request needs; none of it is secret (`providers::PublicClient`).
pub use providers::PublicClient as SalesChannel;

/// The token as the host gives it: a string, or an async function returning one (called again
/// before expiry and after a 401).
#[derive(Clone, Default)]
pub enum TokenSource {
    #[default]
    None,
    Static(Rc<str>),
    Provider(Function),
    /// A public client (a Commerce Layer sales channel): the widget asks for a guest token
    /// itself with the public client ID.
    SalesChannel(Rc<SalesChannel>),
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

/// A token asked for: known at once, or on its way from the host's provider or the guest
/// token endpoint.
enum Asked {
    Known(Result<String, TokenError>),
    Provider(crate::spawn::Settled),
    Guest(crate::transport::ReplyFuture),
}

/// The host's token source in the browser: a guest token goes out through the form's
/// transport (with its timeout), a `tokenProvider` is called with the token's purpose.
pub struct HostTokens {
    pub source: TokenSource,
    pub transport: Rc<dyn Transport>,
    /// The `api-base` the token will be sent to, told to the `tokenProvider` so that its
    /// backend can refuse an address it does not know.
    pub api_base: Option<yew::AttrValue>,
}

impl TokenFetch for HostTokens {
    /// The provider is called, or the guest token's request sent, now; the future waits for
    /// the answer. One future type for every source (each type costs the package its own
    /// code).
    fn fetch(&self, purpose: &TokenPurpose) -> TokenFuture {
        let asked = match &self.source {
            TokenSource::None => Asked::Known(Err(TokenError::Missing)),
            TokenSource::Static(token) => Asked::Known(Ok(String::from(&**token))),
            TokenSource::Provider(function) => {
                let context = purpose_object(purpose, self.api_base.as_deref());
                match function.call1(&JsValue::UNDEFINED, &context) {
                    Ok(called) => Asked::Provider(crate::spawn::settled(&called)),
                    Err(_) => Asked::Known(Err(TokenError::ProviderFailed)),
                }
            }
            TokenSource::SalesChannel(client) => Asked::Guest(self.transport.send(
                client.token_request(),
                None,
                Abort::new(),
            )),
        };
        Box::pin(async move {
            let token = match asked {
                Asked::Known(result) => return result,
                Asked::Provider(called) => called.await.as_string(),
                Asked::Guest(sent) => sent
                    .await
                    .ok()
                    .and_then(|reply| PublicClient::read_token(&reply)),
            };
            token.ok_or(TokenError::ProviderFailed)
        })
    }

    fn can_refresh(&self) -> bool {
        self.source.can_refresh()
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Reflect.set` without js_sys's `catch`, and with text passed as it is: on a plain object
    /// just made it cannot throw.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    fn set_text(target: &js_sys::Object, key: &str, value: &str);
}

/// `{provider, operation, customerId, apiBase}` for the host's `tokenProvider`.
fn purpose_object(purpose: &TokenPurpose, api_base: Option<&str>) -> JsValue {
    let context = js_sys::Object::new();
    let set = |key: &str, value: &str| set_text(&context, key, value);
    set("provider", purpose.provider);
    set("operation", purpose.operation);
    if !purpose.customer_id.is_empty() {
        set("customerId", &purpose.customer_id);
    }
    if let Some(api_base) = api_base {
        set("apiBase", api_base);
    }
    context.into()
}

/// Seconds since the Unix epoch, by the browser's clock.
pub fn now_secs() -> f64 {
    js_sys::Date::now() / 1000.0
}
