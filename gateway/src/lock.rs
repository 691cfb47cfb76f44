//! Locking a `std` mutex whatever happened to the last holder.

use std::sync::{Mutex, MutexGuard};

/// The mutex's guard, also when a thread panicked while holding it: every mutex in the gateway
/// guards data a panic leaves whole (counters, maps, a buffer), and refusing it from then on
/// would take the gateway down with the one request that panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}
