//! The tree a view returns: elements with their attributes, the `value` or `checked` they hold,
//! the events they answer (as data, see `Event`) and their children; and text.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

/// Text that is most often a literal: a class name, a tag, a label from a table.
pub type Str = Cow<'static, str>;

/// The events a view can ask for. An element answers each with an action of the app's own type
/// (`Element::on`), which the app's `update` turns into a change: handlers are data, so the
/// tree holds no closures and one listener per kind serves the whole tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    MouseDown,
    Input,
    Change,
    Click,
    Submit,
    KeyDown,
    FocusIn,
    FocusOut,
}

impl Event {
    pub const ALL: [Event; 8] = [
        Event::MouseDown,
        Event::Input,
        Event::Change,
        Event::Click,
        Event::Submit,
        Event::KeyDown,
        Event::FocusIn,
        Event::FocusOut,
    ];

    /// The DOM's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Event::MouseDown => "mousedown",
            Event::Input => "input",
            Event::Change => "change",
            Event::Click => "click",
            Event::Submit => "submit",
            Event::KeyDown => "keydown",
            Event::FocusIn => "focusin",
            Event::FocusOut => "focusout",
        }
    }

    /// Its bit in an element's mark (`patch::Slots`): the kinds of event the element answers.
    pub(crate) fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// Where a drawn element can be found after a render (focus, scrolling, measuring).
#[derive(Clone, Default)]
pub struct NodeRef(Rc<RefCell<Option<web_sys::Element>>>);

impl NodeRef {
    pub fn get(&self) -> Option<web_sys::Element> {
        self.0.borrow().clone()
    }

    pub(crate) fn set(&self, element: Option<web_sys::Element>) {
        *self.0.borrow_mut() = element;
    }
}

impl PartialEq for NodeRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

pub enum Node<A> {
    Element(Element<A>),
    Text(Text),
    /// The place of a child that is not drawn this time (`child_opt(None)`), so the children
    /// after it keep theirs and are updated, not drawn again.
    Empty,
}

pub struct Text {
    pub(crate) text: Str,
    pub(crate) dom: Option<web_sys::Text>,
}

/// An element being built or drawn. Boxed, so that each step of a builder chain moves a
/// pointer, not the whole element: the form's views are some hundred such chains, and the
/// moves were most of their code.
pub struct Element<A>(pub(crate) Box<Data<A>>);

pub(crate) struct Data<A> {
    pub(crate) tag: &'static str,
    pub(crate) key: Option<Str>,
    pub(crate) attrs: Vec<(&'static str, Str)>,
    /// The `value` property (inputs, textareas, selects): written whenever the control holds
    /// something else, even when the view has not changed (the app holds the value, not the
    /// page), and only then.
    pub(crate) value: Option<Str>,
    pub(crate) checked: Option<bool>,
    pub(crate) on: Vec<(Event, A)>,
    pub(crate) children: Vec<Node<A>>,
    pub(crate) node_ref: Option<NodeRef>,
    pub(crate) dom: Option<web_sys::Element>,
    /// The element's mark (`patch::KIND_BITS`): its place in the runtime's handler table and
    /// the kinds of event it answers, once it has handlers.
    pub(crate) slot: Option<u32>,
}

/// An element to build on: `el("p").attr("class", "cf-hint").text(hint)`.
pub fn el<A>(tag: &'static str) -> Element<A> {
    Element(Box::new(Data {
        tag,
        key: None,
        attrs: Vec::new(),
        value: None,
        checked: None,
        on: Vec::new(),
        children: Vec::new(),
        node_ref: None,
        dom: None,
        slot: None,
    }))
}

pub fn text<A>(text: impl Into<Str>) -> Node<A> {
    Node::Text(Text {
        text: text.into(),
        dom: None,
    })
}

// Each builder method is a thin generic shell around one non-generic step that is never
// inlined: inlined, every `Vec::push` and its growth path was repeated at each of the views'
// calls.
impl<A> Element<A> {
    pub fn attr(mut self, name: &'static str, value: impl Into<Str>) -> Self {
        self.push_attr(name, value.into());
        self
    }

    #[inline(never)]
    fn push_attr(&mut self, name: &'static str, value: Str) {
        self.0.attrs.push((name, value));
    }

    /// The attribute when there is a value, none when `None`.
    pub fn attr_opt(self, name: &'static str, value: Option<impl Into<Str>>) -> Self {
        match value {
            Some(value) => self.attr(name, value),
            None => self,
        }
    }

    /// A boolean attribute (`disabled`, `required`, `readonly`): present or absent.
    pub fn flag(mut self, name: &'static str, on: bool) -> Self {
        if on {
            self.push_attr(name, Str::Borrowed(""));
        }
        self
    }

    /// Children are matched by key across renders (rows that can move or be removed), else by
    /// their place among their siblings.
    pub fn key(mut self, key: impl Into<Str>) -> Self {
        self.0.key = Some(key.into());
        self
    }

    pub fn value(mut self, value: impl Into<Str>) -> Self {
        self.0.value = Some(value.into());
        self
    }

    pub fn checked(mut self, checked: bool) -> Self {
        self.0.checked = Some(checked);
        self
    }

    #[inline(never)]
    pub fn on(mut self, event: Event, action: A) -> Self {
        self.0.on.push((event, action));
        self
    }

    pub fn node_ref(mut self, node_ref: &NodeRef) -> Self {
        self.0.node_ref = Some(node_ref.clone());
        self
    }

    pub fn child(mut self, child: impl Into<Node<A>>) -> Self {
        self.push_child(child.into());
        self
    }

    #[inline(never)]
    fn push_child(&mut self, child: Node<A>) {
        self.0.children.push(child);
    }

    /// The child when there is one; its place is kept when there is none.
    pub fn child_opt(mut self, child: Option<impl Into<Node<A>>>) -> Self {
        self.push_child(child.map_or(Node::Empty, Into::into));
        self
    }

    pub fn children(mut self, children: impl IntoIterator<Item = Node<A>>) -> Self {
        self.0.children.extend(children);
        self
    }

    pub fn text(self, content: impl Into<Str>) -> Self {
        self.child(text(content))
    }
}

impl<A> From<Element<A>> for Node<A> {
    fn from(element: Element<A>) -> Node<A> {
        Node::Element(element)
    }
}

impl<A> Node<A> {
    pub(crate) fn key(&self) -> Option<&str> {
        match self {
            Node::Element(element) => element.0.key.as_deref(),
            Node::Text(_) | Node::Empty => None,
        }
    }

    pub(crate) fn dom(&self) -> Option<web_sys::Node> {
        match self {
            Node::Element(element) => element.0.dom.clone().map(Into::into),
            Node::Text(text) => text.dom.clone().map(Into::into),
            Node::Empty => None,
        }
    }
}
