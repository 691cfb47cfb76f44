//! A form given no credential waits for one before it says so.
//!
//! Frameworks hand properties over after the element is connected (an effect, a ref, a token
//! fetched first), so "no credential yet" is normal for a moment: the form stays in its loading
//! state, sends nothing and reports nothing, and starts as soon as `token` or `tokenProvider`
//! is set. Only a form still without one after this wait shows the error and sends
//! `customer-error` with `kind: "credential_missing"`.

use crate::browser::Timer;

/// How long a form without a credential waits before reporting it missing.
pub const CREDENTIAL_WAIT_MS: u32 = 5_000;

/// Calls `give_up` after [`CREDENTIAL_WAIT_MS`] unless the returned timer is dropped first
/// (a credential arrived, the form moved on or was destroyed).
pub fn wait_for_credential(give_up: impl FnOnce() + 'static) -> Timer {
    Timer::start(CREDENTIAL_WAIT_MS, give_up)
}
