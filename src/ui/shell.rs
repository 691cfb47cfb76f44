//! What the form's code is handed where a Yew component is handed its `Context`: its props and
//! a way to send it messages. The form runs on `dom` (the element build ships no Yew: README,
//! Size); `component.rs` wraps it in a Yew component for Rust apps.

use std::rc::Rc;

use super::customer_form::{CustomerFormProps, FormApp, Message};
use super::rows::RowAction;
use super::tags_field::TagsAction;
use crate::form::{Msg, Resolution, Side};
use providers::reference::ReferenceList;

/// What a view draws.
pub type Html = dom::Node<On>;

/// What an element does with an event. Data, not closures: under Yew every handler was a
/// closure, and each closure type cost its own code (README, Size).
#[derive(Clone)]
pub enum On {
    /// Sends the form a fixed message.
    Send(Signal),
    /// Escape sends the form a fixed message (a keyboard event only: a script's plain `Event`
    /// named `keydown` has no `key`).
    Escape(Signal),
    /// A field's control changed: the field's new text, read from the control as `Read` says.
    Edit(&'static str, Read),
    /// A checkbox changed: the form is sent the message this makes of whether it is checked.
    Checked(fn(bool) -> Message),
    /// A link to the field with this id: the field takes the focus (a fragment link does not
    /// reach into a shadow root).
    Focus(Rc<str>),
    /// A row editor's edit (`rows.rs`).
    Row(Rc<RowAction>),
    /// An event on the tags editor (`tags_field.rs`).
    Tags(TagsAction),
}

/// How a field's new text is read from its control.
#[derive(Clone, Copy)]
pub enum Read {
    /// Its `value`: an input, a textarea or a select.
    Value,
    /// A checkbox: `"true"` when checked, else nothing.
    Checked,
}

impl Read {
    pub fn text(self, event: &web_sys::Event) -> String {
        match self {
            Read::Value => target_value(event),
            Read::Checked if target_checked(event) => "true".to_string(),
            Read::Checked => String::new(),
        }
    }
}

/// A fixed message to the form; the form's generation is added when it is sent.
#[derive(Clone, Copy)]
pub enum Signal {
    /// The form's `submit` (its default, a navigation, prevented).
    Submit,
    /// A conflict's choice for one field.
    Choose(&'static str, Side),
    RetryLoad,
    RetryCredential,
    UseExisting,
    ConfirmAnonymization(bool),
    Resolve(Resolution),
    ShowMerge,
    /// "Load again" for a list, and the field it serves (which then takes the focus).
    ReloadReference(ReferenceList, &'static str),
}

impl Signal {
    pub fn message(self, generation: u32) -> Message {
        match self {
            Signal::Submit => Message::Form(
                generation,
                Msg::Submit {
                    fresh_key: crate::random::uuid_v4(),
                },
            ),
            Signal::Choose(field, side) => Message::Form(generation, Msg::Choose { field, side }),
            Signal::RetryLoad => Message::Form(generation, Msg::RetryLoad),
            Signal::RetryCredential => Message::RetryCredential,
            Signal::UseExisting => Message::Form(generation, Msg::UseExisting),
            Signal::ConfirmAnonymization(yes) => Message::ConfirmAnonymization(yes),
            Signal::Resolve(resolution) => Message::Form(generation, Msg::Resolve(resolution)),
            Signal::ShowMerge => Message::ShowMerge,
            Signal::ReloadReference(list, field) => {
                Message::ReloadReference(generation, list, field)
            }
        }
    }
}

/// Sends the form messages; does nothing once the form is gone.
#[derive(Clone)]
pub struct Link(pub(super) dom::Scope<FormApp>);

impl Link {
    pub fn send_message(&self, message: Message) {
        self.0.send(message);
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
        .map(|t| dom::value_of(&t))
        .unwrap_or_default()
}

/// Whether the checkbox or radio an event came from is checked.
pub fn target_checked(event: &web_sys::Event) -> bool {
    event.target().is_some_and(|t| dom::checked_of(&t))
}
