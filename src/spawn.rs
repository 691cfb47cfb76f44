//! The widget's futures run here: a queue of tasks polled in a microtask, and a future for a
//! JS promise. It replaces `wasm-bindgen-futures` (`spawn_local`, `JsFuture`) in the package,
//! which links a task type, a waker, a queue and a second task type for JS promise
//! integration, and takes two closures per promise: this is 0.85 kB gzip smaller (README, Size).
//!
//! `spawn_now` polls a future on the caller's stack first: `spawn_local` first polled in a
//! later microtask, which for the form's first request meant the GET went out only after the
//! first render of the loading state, 40-60 ms after the element was mounted
//! (`BENCH_PROFILE=1 scripts/bench-widget.sh`). Polled at once, the request is on the wire
//! before anything is drawn, and the rendering overlaps the network's wait. `spawn_soon` keeps
//! the later first poll, for work that must not run inside the caller (a message to a form
//! that is busy updating).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(run: &JsValue);
}

#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    fn settle(value: &JsValue, then: JsValue);
}

type Boxed = Pin<Box<dyn Future<Output = ()>>>;

struct Task {
    /// `None` while it is being polled (a wake then only queues it again) and once it is done.
    future: RefCell<Option<Boxed>>,
    queued: Cell<bool>,
}

thread_local! {
    static QUEUE: RefCell<Vec<Rc<Task>>> = const { RefCell::new(Vec::new()) };
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
    static RUN: Closure<dyn FnMut()> = Closure::new(run_queue);
}

/// Polls `future` once now; if it is not done, a wake polls it again in a microtask.
pub fn spawn_now(future: impl Future<Output = ()> + 'static) {
    poll(&task(future));
}

/// Polls `future` first in a microtask, after the caller has returned.
pub fn spawn_soon(future: impl Future<Output = ()> + 'static) {
    wake(task(future));
}

fn task(future: impl Future<Output = ()> + 'static) -> Rc<Task> {
    Rc::new(Task {
        future: RefCell::new(Some(Box::pin(future))),
        queued: Cell::new(false),
    })
}

fn poll(task: &Rc<Task>) {
    let Some(mut future) = task.future.borrow_mut().take() else {
        return;
    };
    let waker = waker(task.clone());
    if future.as_mut().poll(&mut Context::from_waker(&waker)) == Poll::Pending {
        *task.future.borrow_mut() = Some(future);
    }
}

fn wake(task: Rc<Task>) {
    if task.queued.replace(true) {
        return;
    }
    QUEUE.with(|queue| queue.borrow_mut().push(task));
    if !SCHEDULED.replace(true) {
        RUN.with(|run| queue_microtask(run.as_ref()));
    }
}

/// Polls the queued tasks in the order they were woken. A task woken meanwhile waits for the
/// next microtask, as with `wasm-bindgen-futures`: a future that wakes itself yields to the page
/// instead of spinning here.
fn run_queue() {
    SCHEDULED.set(false);
    let batch = QUEUE.with(|queue| std::mem::take(&mut *queue.borrow_mut()));
    for task in batch {
        task.queued.set(false);
        poll(&task);
    }
}

// A waker is an `Rc<Task>` behind a raw pointer: the widget runs on one thread, and
// `std::task::Wake` would need the task to be `Send` and `Sync`.
const VTABLE: RawWakerVTable = RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

fn waker(task: Rc<Task>) -> Waker {
    // SAFETY: the pointer comes from `Rc::into_raw` and the vtable's functions keep the count.
    unsafe { Waker::from_raw(RawWaker::new(Rc::into_raw(task).cast(), &VTABLE)) }
}

unsafe fn clone_raw(data: *const ()) -> RawWaker {
    Rc::increment_strong_count(data.cast::<Task>());
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake_raw(data: *const ()) {
    wake(Rc::from_raw(data.cast::<Task>()));
}

unsafe fn wake_by_ref_raw(data: *const ()) {
    Rc::increment_strong_count(data.cast::<Task>());
    wake(Rc::from_raw(data.cast::<Task>()));
}

unsafe fn drop_raw(data: *const ()) {
    drop(Rc::from_raw(data.cast::<Task>()));
}

/// What a promise (or any value: it is resolved first) settles to: its value, or `null` when
/// it is rejected. Every caller treats a rejection as it treats a value it cannot use.
pub fn settled(value: &JsValue) -> Settled {
    let state = Rc::new(RefCell::new(Settling::Waiting(None)));
    let seen = state.clone();
    let then = Closure::once_into_js(move |value: JsValue| {
        if let Settling::Waiting(Some(waker)) = seen.replace(Settling::Done(value)) {
            waker.wake();
        }
    });
    settle(value, then);
    Settled(state)
}

enum Settling {
    Waiting(Option<Waker>),
    Done(JsValue),
    Taken,
}

pub struct Settled(Rc<RefCell<Settling>>);

impl Future for Settled {
    type Output = JsValue;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<JsValue> {
        let mut state = self.0.borrow_mut();
        match std::mem::replace(&mut *state, Settling::Taken) {
            Settling::Done(value) => Poll::Ready(value),
            Settling::Waiting(_) => {
                *state = Settling::Waiting(Some(cx.waker().clone()));
                Poll::Pending
            }
            Settling::Taken => Poll::Pending,
        }
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
