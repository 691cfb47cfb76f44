//! Starting a future at once, on the caller's stack, instead of in the next microtask.
//!
//! `spawn_local` first polls a future in a later microtask. For the form's first request that
//! meant the GET went out only after the first render of the loading state (and, under Yew,
//! after the pause its scheduler made once a run took over 16 ms): 40-60 ms after the element
//! was mounted (`BENCH_PROFILE=1 scripts/bench-widget.sh`). Polled here first, the request is
//! on the wire before anything is drawn, and the rendering overlaps the network's wait.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Polls `future` once now; if it is not done, hands it to `spawn_local`, which polls it again
/// (with a waker that counts) in the next microtask.
///
/// The first poll is given a waker that does nothing, so every future awaited inside must take
/// its waker again on each poll, as `JsFuture`, the token cache's waiters and `Aborted` do: a
/// future that kept only the first poll's waker would never be woken.
pub fn spawn_now(future: impl Future<Output = ()> + 'static) {
    let mut future: Pin<Box<dyn Future<Output = ()>>> = Box::pin(future);
    let mut context = Context::from_waker(futures_task::noop_waker_ref());
    if future.as_mut().poll(&mut context) == Poll::Pending {
        wasm_bindgen_futures::spawn_local(future);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;

    #[test]
    fn a_future_that_needs_nothing_runs_to_the_end_at_once() {
        let ran = Rc::new(Cell::new(0));
        let seen = ran.clone();
        spawn_now(async move { seen.set(seen.get() + 1) });
        assert_eq!(ran.get(), 1);
    }
}
