//! Cancelling what is in flight: one `Abort` per form generation, shared by every request it
//! makes. Plain Rust (the fetch transport ties it to the browser's `AbortController`), so the
//! client's abort handling is tested natively.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

type Hook = Box<dyn FnOnce()>;

#[derive(Default)]
struct Inner {
    aborted: Cell<bool>,
    next_id: Cell<u32>,
    hooks: RefCell<Vec<(u32, Hook)>>,
}

/// A signal that, once raised, stays raised. Clones share it.
#[derive(Clone, Default)]
pub struct Abort(Rc<Inner>);

impl Abort {
    pub fn new() -> Abort {
        Abort::default()
    }

    /// Raises the signal and runs every hook (once).
    pub fn abort(&self) {
        if self.0.aborted.replace(true) {
            return;
        }
        let hooks = std::mem::take(&mut *self.0.hooks.borrow_mut());
        for (_, hook) in hooks {
            hook();
        }
    }

    pub fn is_aborted(&self) -> bool {
        self.0.aborted.get()
    }

    /// Runs `hook` when the signal is raised (at once if it already is), unless the returned
    /// guard is dropped first.
    pub fn on_abort(&self, hook: impl FnOnce() + 'static) -> AbortHook {
        if self.is_aborted() {
            hook();
            return AbortHook(None);
        }
        let id = self.0.next_id.get().wrapping_add(1);
        self.0.next_id.set(id);
        self.0.hooks.borrow_mut().push((id, Box::new(hook)));
        AbortHook(Some((self.clone(), id)))
    }

    /// Completes when the signal is raised.
    pub fn aborted(&self) -> Aborted {
        Aborted {
            abort: self.clone(),
            waker: Rc::default(),
            hook: None,
        }
    }
}

/// Removes its hook when dropped.
pub struct AbortHook(Option<(Abort, u32)>);

impl Drop for AbortHook {
    fn drop(&mut self) {
        if let Some((abort, id)) = self.0.take() {
            if let Ok(mut hooks) = abort.0.hooks.try_borrow_mut() {
                hooks.retain(|(hook_id, _)| *hook_id != id);
            }
        }
    }
}

/// The future `Abort::aborted` returns.
pub struct Aborted {
    abort: Abort,
    waker: Rc<RefCell<Option<Waker>>>,
    hook: Option<AbortHook>,
}

impl Future for Aborted {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.abort.is_aborted() {
            return Poll::Ready(());
        }
        *self.waker.borrow_mut() = Some(cx.waker().clone());
        if self.hook.is_none() {
            let waker = self.waker.clone();
            let hook = self.abort.on_abort(move || {
                if let Some(waker) = waker.borrow_mut().take() {
                    waker.wake();
                }
            });
            self.hook = Some(hook);
        }
        Poll::Pending
    }
}

/// `future`'s output, or `None` if `abort` is raised first (the future is then dropped).
pub async fn unless_aborted<F: Future>(future: F, abort: &Abort) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut aborted = std::pin::pin!(abort.aborted());
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        match aborted.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
