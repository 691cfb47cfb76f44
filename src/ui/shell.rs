//! What the form's code is handed where a Yew component is handed its `Context`: its props and
//! a way to send it messages. The form runs on `dom` (the element build ships no Yew: README,
//! Size); `component.rs` wraps it in a Yew component for Rust apps.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::Callback;

use super::customer_form::{CustomerFormProps, FormApp, Message};
use super::rows::RowAction;
use super::tags_field::TagsAction;
use crate::form::{Msg, Resolution};
use providers::reference::ReferenceList;

/// What a view draws.
pub type Html = dom::Node<On>;

/// What an element does with an event: run a closure (the form's handlers were closures under
/// Yew, and most still are), or send the form a fixed message, which is data rather than a
/// closure type of its own (README, Size).
#[derive(Clone)]
pub enum On {
    Run(Rc<dyn Fn(&web_sys::Event)>),
    Send(Signal),
    /// A row editor's edit (`rows.rs`).
    Row(Rc<RowAction>),
    /// An event on the tags editor (`tags_field.rs`).
    Tags(TagsAction),
}

/// A button's fixed message to the form; the form's generation is added when it is sent.
#[derive(Clone, Copy)]
pub enum Signal {
    RetryLoad,
    RetryCredential,
    UseExisting,
    ConfirmAnonymization(bool),
    Resolve(Resolution),
    ShowMerge,
    ReloadReference(ReferenceList),
}

impl Signal {
    pub fn message(self, generation: u32) -> Message {
        match self {
            Signal::RetryLoad => Message::Form(generation, Msg::RetryLoad),
            Signal::RetryCredential => Message::RetryCredential,
            Signal::UseExisting => Message::Form(generation, Msg::UseExisting),
            Signal::ConfirmAnonymization(yes) => Message::ConfirmAnonymization(yes),
            Signal::Resolve(resolution) => Message::Form(generation, Msg::Resolve(resolution)),
            Signal::ShowMerge => Message::ShowMerge,
            Signal::ReloadReference(list) => Message::ReloadReference(generation, list),
        }
    }
}

impl On {
    /// An element's handler, handed the event as it came: a closure that needs another type
    /// casts it (`unchecked_ref`), so no wrapper closure is made per handler type and no
    /// reference to the event is cloned (README, Size).
    pub fn new(handler: impl Fn(&web_sys::Event) + 'static) -> On {
        On::Run(Rc::new(handler))
    }

    /// A `keydown` handler, for keyboard events only: a plain `Event` named `keydown` (a
    /// script's, an autofill's) has no `key`, and asking for it would throw in the middle of
    /// the form's message handling.
    pub fn keys(handler: impl Fn(&web_sys::KeyboardEvent) + 'static) -> On {
        On::Run(Rc::new(move |event: &web_sys::Event| {
            if let Some(keys) = event.dyn_ref::<web_sys::KeyboardEvent>() {
                handler(keys)
            }
        }))
    }
}

/// Sends the form messages; does nothing once the form is gone.
#[derive(Clone)]
pub struct Link(pub(super) dom::Scope<FormApp>);

impl Link {
    pub fn send_message(&self, message: Message) {
        self.0.send(message);
    }

    pub fn callback<IN: 'static>(&self, make: impl Fn(IN) -> Message + 'static) -> Callback<IN> {
        let link = self.clone();
        Callback::from(move |input: IN| link.send_message(make(input)))
    }

    /// An element's handler that sends the message `make` makes of the event.
    pub fn on(&self, make: impl Fn(&web_sys::Event) -> Message + 'static) -> On {
        let link = self.clone();
        On::new(move |event| link.send_message(make(event)))
    }
}

/// The form's props and its link, for one update or render.
pub struct Context {
    link: Link,
    props: Rc<CustomerFormProps>,
}

impl Context {
    pub fn new(link: Link, props: Rc<CustomerFormProps>) -> Context {
        Context { link, props }
    }

    pub fn link(&self) -> &Link {
        &self.link
    }

    pub fn props(&self) -> &CustomerFormProps {
        &self.props
    }
}

/// An `AttrValue` as the text of an attribute or a node: a literal stays borrowed.
pub fn text_of(value: &yew::AttrValue) -> dom::Str {
    match value {
        yew::AttrValue::Static(text) => dom::Str::Borrowed(text),
        other => dom::Str::Owned(String::from(other.as_str())),
    }
}

/// The `value` of the control an event came from: an input, a textarea or a select, which all
/// have one (read as an input's; the binding reads the property by name).
pub fn target_value(event: &web_sys::Event) -> String {
    event
        .target()
        .map(|t| t.unchecked_into::<web_sys::HtmlInputElement>().value())
        .unwrap_or_default()
}

/// Whether the checkbox or radio an event came from is checked.
pub fn target_checked(event: &web_sys::Event) -> bool {
    event
        .target()
        .is_some_and(|t| t.unchecked_into::<web_sys::HtmlInputElement>().checked())
}
