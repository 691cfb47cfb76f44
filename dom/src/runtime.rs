//! An app mounted in an element: its messages go through `update` one at a time, and the page
//! is patched once the queue is empty. One listener per event kind on the mount point finds
//! the action of the element an event came from.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::calls::Control;
use crate::node::{Event, Node};
use crate::patch::{Patcher, Slots, KIND_BITS};

pub trait App: Sized + 'static {
    /// What the app sends itself (`Scope::send`), from a reply, a timer, another message.
    type Message: 'static;
    /// What an element answers an event with (`Element::on`): kept in the handler table and
    /// handed to `act` each time, so it is cloned.
    type Action: Clone + 'static;

    fn view(&self) -> Node<Self::Action>;

    /// Handles one message. Returns whether the page must be redrawn.
    fn update(&mut self, scope: &Scope<Self>, message: Self::Message) -> bool;

    /// Handles an element's action for the DOM event it answered. Returns whether the page
    /// must be redrawn.
    fn act(&mut self, scope: &Scope<Self>, action: Self::Action, event: &web_sys::Event) -> bool;

    /// After the page shows the latest view (focus, scrolling).
    fn rendered(&mut self, _scope: &Scope<Self>) {}

    /// When it is unmounted.
    fn destroy(&mut self) {}
}

enum Queued<T: App> {
    Message(T::Message),
    Action(T::Action, web_sys::Event),
}

/// A listener for one kind of event, on the mount point. `Fn`, not `FnMut`: the page
/// calls it again while it runs when the app moves the focus (`focus()` fires `focusin` and
/// `focusout` at once), and wasm-bindgen throws on a `FnMut` closure called again while it runs
/// ("closure invoked recursively"). Called again, it only queues the event's action (`send`).
type Listener = Closure<dyn Fn(web_sys::Event)>;

#[wasm_bindgen]
extern "C" {
    // Without web-sys's `catch`: adding or removing a listener does not throw.
    #[wasm_bindgen(extends = web_sys::Element)]
    type MountPoint;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn listen(this: &MountPoint, name: &str, listener: &js_sys::Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn unlisten(this: &MountPoint, name: &str, listener: &js_sys::Function);
}

struct Runtime<T: App> {
    /// `None` only while `mount` is creating it: what it sends meanwhile waits in the queue.
    app: RefCell<Option<T>>,
    mount_point: web_sys::Element,
    document: web_sys::Document,
    tree: RefCell<Option<Node<T::Action>>>,
    slots: RefCell<Slots<T::Action>>,
    queue: RefCell<VecDeque<Queued<T>>>,
    busy: Cell<bool>,
    /// Unmounted while busy: taken down once the current messages are handled.
    closing: Cell<bool>,
    closed: Cell<bool>,
    /// One per kind (`Event::ALL`'s order): each knows its kind, so no event's type is read.
    listeners: RefCell<Vec<Listener>>,
    scope: Scope<T>,
}

/// How an app (or anything it hands this to) sends it messages. Does nothing once unmounted.
pub struct Scope<T: App>(Weak<Runtime<T>>);

impl<T: App> Clone for Scope<T> {
    fn clone(&self) -> Self {
        Scope(self.0.clone())
    }
}

impl<T: App> Scope<T> {
    pub fn send(&self, message: T::Message) {
        if let Some(runtime) = self.0.upgrade() {
            runtime.send(Queued::Message(message));
        }
    }
}

/// The mounted app, for as long as this is kept: dropping it unmounts the app, as `unmount`
/// does (`std::mem::forget` keeps an app for the page's lifetime).
pub struct Mounted<T: App>(Rc<Runtime<T>>);

impl<T: App> Mounted<T> {
    pub fn scope(&self) -> Scope<T> {
        self.0.scope.clone()
    }

    /// Stops listening, removes what the app drew and tells the app (`App::destroy`); when
    /// called while the app handles a message (a host's listener closing the form), once that
    /// is done.
    pub fn unmount(self) {
        drop(self);
    }
}

impl<T: App> Drop for Mounted<T> {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl<T: App> Runtime<T> {
    fn close(&self) {
        if self.closed.get() {
            return;
        }
        if self.busy.get() {
            self.closing.set(true);
        } else {
            self.take_down();
        }
    }

    fn take_down(&self) {
        let runtime = self;
        runtime.closed.set(true);
        runtime.closing.set(false);
        runtime.queue.borrow_mut().clear();
        let mount_point = runtime.mount_point.unchecked_ref::<MountPoint>();
        for (event, listener) in Event::ALL.iter().zip(runtime.listeners.take()) {
            mount_point.unlisten(event.name(), listener.as_ref().unchecked_ref());
        }
        if let Some(tree) = runtime.tree.borrow_mut().take() {
            let mut slots = runtime.slots.borrow_mut();
            let mut patcher = Patcher {
                document: &runtime.document,
                slots: &mut slots,
            };
            patcher.remove(tree);
        }
        if let Some(app) = runtime.app.borrow_mut().as_mut() {
            app.destroy();
        }
    }
}

/// Mounts the app `create` makes into `mount_point` (appended after what is there) and draws it.
pub fn mount<T: App>(
    mount_point: &web_sys::Element,
    create: impl FnOnce(&Scope<T>) -> T,
) -> Result<Mounted<T>, JsValue> {
    let document = mount_point
        .owner_document()
        .ok_or("customer-form: the mount point has no document")?;
    let runtime = Rc::new_cyclic(|weak: &Weak<Runtime<T>>| Runtime {
        app: RefCell::new(None),
        mount_point: mount_point.clone(),
        document,
        tree: RefCell::new(None),
        slots: RefCell::new(Slots::new()),
        queue: RefCell::new(VecDeque::new()),
        // Until the app exists and is drawn, messages wait.
        busy: Cell::new(true),
        closing: Cell::new(false),
        closed: Cell::new(false),
        listeners: RefCell::new(Vec::new()),
        scope: Scope(weak.clone()),
    });
    let app = create(&runtime.scope);
    *runtime.app.borrow_mut() = Some(app);
    for kind in Event::ALL {
        let weak = Rc::downgrade(&runtime);
        let listener = Listener::new(move |event: web_sys::Event| {
            if let Some(runtime) = weak.upgrade() {
                runtime.dispatch(event, kind);
            }
        });
        mount_point
            .unchecked_ref::<MountPoint>()
            .listen(kind.name(), listener.as_ref().unchecked_ref());
        runtime.listeners.borrow_mut().push(listener);
    }
    runtime.drain(true);
    Ok(Mounted(runtime))
}

impl<T: App> Runtime<T> {
    fn send(&self, queued: Queued<T>) {
        if self.closed.get() {
            return;
        }
        self.queue.borrow_mut().push_back(queued);
        if !self.busy.replace(true) {
            self.drain(false);
        }
    }

    /// Handles every queued message, then draws once if any asked for it; what `rendered`
    /// sends is handled in the same way before this returns.
    fn drain(&self, mut render: bool) {
        loop {
            if self.closing.get() {
                break;
            }
            let next = self.queue.borrow_mut().pop_front();
            match next {
                Some(queued) => {
                    let mut app = self.app.borrow_mut();
                    let Some(app) = app.as_mut() else { break };
                    render |= match queued {
                        Queued::Message(message) => app.update(&self.scope, message),
                        Queued::Action(action, event) => app.act(&self.scope, action, &event),
                    };
                }
                None if render => {
                    render = false;
                    self.render();
                    if let Some(app) = self.app.borrow_mut().as_mut() {
                        app.rendered(&self.scope);
                    }
                }
                None => break,
            }
        }
        self.busy.set(false);
        if self.closing.get() {
            self.take_down();
        }
    }

    fn render(&self) {
        if self.closing.get() || self.closed.get() {
            return;
        }
        let Some(mut new) = self.app.borrow().as_ref().map(App::view) else {
            return;
        };
        let old = self.tree.borrow_mut().take();
        let mut slots = self.slots.borrow_mut();
        let mut patcher = Patcher {
            document: &self.document,
            slots: &mut slots,
        };
        // The app's root is the one child the runtime keeps in the mount point.
        patcher.children(
            &self.mount_point,
            old.into_iter().collect(),
            std::slice::from_mut(&mut new),
        );
        *self.tree.borrow_mut() = Some(new);
    }

    /// Finds the nearest element, from the event's target up to the mount point, that answers
    /// this kind of event (its mark says so: `patch::KIND_BITS`), and sends its action. Each
    /// step reads the mark by its own getter and makes no string: the walk made one of the
    /// property's name for `Reflect.get` and one of the event's type at every event, and the
    /// form's listener took 234 µs a key where it now takes 135 (README, Speed).
    fn dispatch(&self, event: web_sys::Event, kind: Event) {
        let mut node = event.target().map(JsCast::unchecked_into::<Control>);
        while let Some(current) = node {
            if *current == self.mount_point {
                return;
            }
            match current.mark() {
                Some(mark) if mark & kind.bit() != 0 => {
                    // An event the page fires while a patch holds the table (a focused element
                    // removed) belongs to an element that is going away: it is let pass.
                    let action = self
                        .slots
                        .try_borrow()
                        .ok()
                        .and_then(|slots| slots.action(mark >> KIND_BITS, kind));
                    if let Some(action) = action {
                        self.send(Queued::Action(action, event));
                    }
                    return;
                }
                _ => node = current.parent_node().map(JsCast::unchecked_into),
            }
        }
    }
}
