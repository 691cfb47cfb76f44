//! The sandbox's whole mutable world behind one lock, and the credentials fixed at start-up.
//!
//! One `std::sync::Mutex` is enough: every handler does its work synchronously while holding it
//! and never across an `.await`, so requests are serialised like a single database transaction.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::{
    commercelayer, count, faults::FaultRules, knobs::Knobs, partnero, prolifi,
    rate_limit::RateLimiter, request_log::RequestLog,
};

/// Secrets the sandbox accepts. The defaults are public sandbox values; each can be overridden
/// by an environment variable so a test can prove the caller reads its secret from config.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// Partnero program API key (`SANDBOX_PARTNERO_KEY`).
    pub partnero_api_key: String,
    /// Count partner client id (`SANDBOX_COUNT_CLIENT_ID`).
    pub count_client_id: String,
    /// Count partner client secret, the HMAC key (`SANDBOX_COUNT_CLIENT_SECRET`).
    pub count_client_secret: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            partnero_api_key: "partnero_sandbox_key".into(),
            count_client_id: "count_sandbox_client".into(),
            count_client_secret: "count_sandbox_secret".into(),
        }
    }
}

impl Credentials {
    /// The defaults, each overridden by its environment variable when that is set and non-empty.
    pub fn from_env() -> Self {
        let defaults = Credentials::default();
        let read = |name: &str, default: String| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or(default)
        };
        Credentials {
            partnero_api_key: read("SANDBOX_PARTNERO_KEY", defaults.partnero_api_key),
            count_client_id: read("SANDBOX_COUNT_CLIENT_ID", defaults.count_client_id),
            count_client_secret: read("SANDBOX_COUNT_CLIENT_SECRET", defaults.count_client_secret),
        }
    }
}

/// Everything `POST /_reset` puts back to its initial value.
pub struct World {
    pub log: RequestLog,
    pub faults: FaultRules,
    pub knobs: Knobs,
    pub limits: RateLimiter,
    pub prolifi: prolifi::Store,
    pub partnero: partnero::Store,
    pub count: count::Store,
    pub commercelayer: commercelayer::Store,
}

impl World {
    pub fn seeded() -> Self {
        World {
            log: RequestLog::default(),
            faults: FaultRules::default(),
            knobs: Knobs::default(),
            limits: RateLimiter::default(),
            prolifi: prolifi::Store::seeded(),
            partnero: partnero::Store::seeded(),
            count: count::Store::seeded(),
            commercelayer: commercelayer::Store::seeded(),
        }
    }
}

/// Shared, cheaply clonable handle given to every handler.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: Credentials,
    world: Mutex<World>,
}

impl AppState {
    pub fn new(credentials: Credentials) -> Self {
        AppState {
            inner: Arc::new(Inner {
                credentials,
                world: Mutex::new(World::seeded()),
            }),
        }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// Locks the world. A poisoned lock (a panic elsewhere) is recovered rather than propagated:
    /// the sandbox must keep answering.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.inner
            .world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
