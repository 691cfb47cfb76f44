//! The token in front of every request: cached in memory, renewed before it expires and after a
//! 401, and fetched once for everyone who needs it at the same time (single flight).
//!
//! Tokens live only here, in memory: never in an attribute, URL, storage, log line or message.

use providers::substring::Trim;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use providers::token_claims::TokenClaims;

/// A renewal is due this many seconds before the token's `exp`.
const RENEW_MARGIN_SECS: f64 = 60.0;

/// Why no token could be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The host gave neither `token` nor `tokenProvider`.
    Missing,
    /// The host's `tokenProvider` threw, rejected or returned something other than a string.
    ProviderFailed,
}

/// What the next token is for, passed to the host's `tokenProvider`
/// (`{provider, operation, customerId}`), so its backend can scope the token to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenPurpose {
    pub provider: &'static str,
    pub operation: &'static str,
    /// Empty when the form edits no particular customer yet.
    pub customer_id: String,
}

pub type TokenFuture = Pin<Box<dyn Future<Output = Result<String, TokenError>>>>;

/// Where tokens come from: the host's string or `tokenProvider`, or a public client.
pub trait TokenFetch {
    fn fetch(&self, purpose: &TokenPurpose) -> TokenFuture;

    /// Whether asking again can give another token (a fixed string cannot).
    fn can_refresh(&self) -> bool;
}

/// A fetch under way, awaited by everyone who asked meanwhile.
#[derive(Default)]
struct Pending {
    result: RefCell<Option<Result<String, TokenError>>>,
    waiters: RefCell<Vec<Waker>>,
}

impl Pending {
    fn finish(&self, result: Result<String, TokenError>) {
        *self.result.borrow_mut() = Some(result);
        for waker in self.waiters.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    async fn wait(&self) -> Result<String, TokenError> {
        std::future::poll_fn(|cx| match self.result.borrow().as_ref() {
            Some(result) => Poll::Ready(result.clone()),
            None => {
                self.waiters.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// Ends the fetch for the waiters even if the one driving it is dropped half-way.
struct Flight<'a> {
    cache: &'a TokenCache,
    pending: Rc<Pending>,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        if self.pending.result.borrow().is_none() {
            self.pending.finish(Err(TokenError::ProviderFailed));
        }
        self.cache.in_flight.borrow_mut().take();
    }
}

pub struct TokenCache {
    source: Box<dyn TokenFetch>,
    purpose: RefCell<TokenPurpose>,
    current: RefCell<Option<String>>,
    in_flight: RefCell<Option<Rc<Pending>>>,
    /// Seconds since the Unix epoch (the browser's clock in the widget).
    now_secs: fn() -> f64,
}

impl TokenCache {
    pub fn new(source: impl TokenFetch + 'static, now_secs: fn() -> f64) -> TokenCache {
        TokenCache {
            source: Box::new(source),
            purpose: RefCell::default(),
            current: RefCell::new(None),
            in_flight: RefCell::new(None),
            now_secs,
        }
    }

    pub fn can_refresh(&self) -> bool {
        self.source.can_refresh()
    }

    /// What the next token will be asked for.
    pub fn set_purpose(&self, purpose: TokenPurpose) {
        *self.purpose.borrow_mut() = purpose;
    }

    /// Drops the cached token: the next request asks for one for the current purpose (the form
    /// moved on to another customer).
    pub fn forget(&self) {
        self.current.borrow_mut().take();
    }

    /// A token fit for the next request: the one being fetched if a fetch is under way, else the
    /// cached one unless it is about to expire; after `rejected` was refused (a 401), a new one.
    /// Requests refused together share one fetch, and one whose token was already replaced gets
    /// the replacement. One function for both, so the client awaits one future type, not two.
    pub async fn token_instead_of(&self, rejected: Option<&str>) -> Result<String, TokenError> {
        if self.in_flight.borrow().is_none() {
            let cached = self.current.borrow().clone();
            match (cached, rejected) {
                (Some(token), None) if !self.expires_soon(&token) => return Ok(token),
                (Some(token), Some(rejected)) if token != rejected => return Ok(token),
                (_, Some(_)) => self.forget(),
                (_, None) => {}
            }
        }
        self.fetch().await
    }

    async fn fetch(&self) -> Result<String, TokenError> {
        let joined = self.in_flight.borrow().clone();
        if let Some(pending) = joined {
            return pending.wait().await;
        }
        let pending = Rc::new(Pending::default());
        *self.in_flight.borrow_mut() = Some(pending.clone());
        let flight = Flight {
            cache: self,
            pending,
        };
        let purpose = self.purpose.borrow().clone();
        let result = match self.source.fetch(&purpose).await {
            Ok(token) if !token.trimmed().is_empty() => Ok(token),
            Ok(_) => Err(TokenError::ProviderFailed),
            Err(error) => Err(error),
        };
        if let Ok(token) = &result {
            *self.current.borrow_mut() = Some(token.clone());
        }
        flight.pending.finish(result.clone());
        drop(flight);
        result
    }

    fn expires_soon(&self, token: &str) -> bool {
        match TokenClaims::read(token).and_then(|claims| claims.exp) {
            Some(exp) => (exp as f64) - (self.now_secs)() < RENEW_MARGIN_SECS,
            None => false,
        }
    }
}
