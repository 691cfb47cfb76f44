//! An in-memory, loopback-only emulation of the customer APIs of Partnero, Prolifi, Count and
//! Commerce Layer, written from the providers' docs (see `/work/shared/provider-docs/`), so the
//! demo and the browser tests run without credentials or network.
//!
//! It is deliberately independent of the `providers` crate: both are written from the same docs,
//! so a misreading in one shows up as a disagreement with the other.
//!
//! Layout: one module per provider (`prolifi`, `partnero`, `count`, `commercelayer`), one per
//! shared concern (`request_log`, `faults`, `cors`, `rate_limit`, `idempotency`, `knobs`), the
//! `pipeline` middleware that ties the shared concerns around every request, and `control`, the
//! test-only `/_…` routes.

// Error values are built at most once per request in a test server; boxing them to please
// this size lint would only add noise.
#![allow(clippy::result_large_err)]

use axum::Router;

mod clock;
mod commercelayer;
mod control;
mod cors;
mod count;
mod email;
mod faults;
mod idempotency;
mod ids;
mod incoming;
mod jwt;
mod knobs;
mod laravel;
mod partnero;
mod pipeline;
mod prolifi;
mod provider;
mod rate_limit;
mod reply;
mod request_log;
mod state;

pub use state::Credentials;

/// The whole sandbox as one router: the four providers under their prefixes, the control routes,
/// and the pipeline (request log, faults, CORS) around all of it.
pub fn app(credentials: Credentials) -> Router {
    let state = state::AppState::new(credentials);
    Router::new()
        .nest("/prolifi", prolifi::routes())
        .nest("/partnero", partnero::routes())
        .nest("/count", count::routes())
        .nest("/commercelayer", commercelayer::routes())
        .merge(control::routes())
        .fallback(reply::plain_not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pipeline::pipeline,
        ))
        .with_state(state)
}
