//! The DOM calls the virtual DOM and the form make, bound without wasm-bindgen's `catch` where
//! they cannot throw with what is passed to them: web-sys marks them as throwing, which cost a
//! wrapper in the glue for each and a check of the exception slot at every call (README, Size).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// An input, a textarea or a select: read by property name, which all three have (web-sys
    /// binds each element type's own accessor, which another type refuses).
    #[wasm_bindgen(extends = web_sys::Element)]
    pub(crate) type Control;
    #[wasm_bindgen(method, getter, structural)]
    pub(crate) fn value(this: &Control) -> String;
    #[wasm_bindgen(method, setter, structural)]
    pub(crate) fn set_value(this: &Control, value: &str);
    #[wasm_bindgen(method, getter, structural)]
    pub(crate) fn checked(this: &Control) -> bool;
    #[wasm_bindgen(method, setter, structural)]
    pub(crate) fn set_checked(this: &Control, checked: bool);
    // With a view's literal names, on an element the patch made, these cannot throw.
    #[wasm_bindgen(method, js_name = setAttribute)]
    pub(crate) fn set_attr(this: &Control, name: &str, value: &str);
    #[wasm_bindgen(method, js_name = removeAttribute)]
    pub(crate) fn remove_attr(this: &Control, name: &str);
    /// The element's mark (`patch::KIND_BITS`).
    #[wasm_bindgen(method, setter = __cfSlot)]
    pub(crate) fn set_slot(this: &Control, mark: u32);
    /// The mark of an element the patch gave handlers, `None` on any other node.
    #[wasm_bindgen(method, getter = __cfSlot)]
    pub(crate) fn mark(this: &Control) -> Option<u32>;
    #[wasm_bindgen(method, js_name = focus)]
    fn focus_control(this: &Control);
    #[wasm_bindgen(method, js_name = querySelector)]
    fn query_control(this: &Control, selector: &str) -> Option<web_sys::Element>;
    #[wasm_bindgen(method, js_name = closest)]
    fn closest_control(this: &Control, selector: &str) -> Option<web_sys::Element>;

    #[wasm_bindgen(extends = web_sys::Document)]
    type Doc;
    #[wasm_bindgen(method, js_name = createElement)]
    fn make(this: &Doc, tag: &str) -> web_sys::Element;

    #[wasm_bindgen(extends = web_sys::Node)]
    pub(crate) type Parent;
    #[wasm_bindgen(method, js_name = appendChild)]
    fn append_node(this: &Parent, child: &web_sys::Node);
    // `remove` and `before` rather than the parent's `removeChild` and `insertBefore`, which
    // throw when a page's script or an extension has moved the node: these act where it is.
    #[wasm_bindgen(method, js_name = remove)]
    fn remove_node(this: &Parent);
    #[wasm_bindgen(method, js_name = before)]
    pub(crate) fn put_before(this: &Parent, node: &web_sys::Node);
}

/// The `value` of an input, a textarea or a select (an event's target): one binding for all
/// three, the one a patch uses.
pub fn value_of(control: &JsValue) -> String {
    control.unchecked_ref::<Control>().value()
}

/// Whether a checkbox or a radio (an event's target) is checked.
pub fn checked_of(control: &JsValue) -> bool {
    control.unchecked_ref::<Control>().checked()
}

/// The first element inside `root` that `selector` finds. The views' selectors are literals
/// and ids they made (`cf3-email`), which a browser cannot refuse: nothing to catch.
pub fn query(root: &web_sys::Element, selector: &str) -> Option<web_sys::Element> {
    root.unchecked_ref::<Control>().query_control(selector)
}

/// `element` or its nearest ancestor that `selector` (a literal) finds.
pub fn closest(element: &web_sys::Element, selector: &str) -> Option<web_sys::Element> {
    element.unchecked_ref::<Control>().closest_control(selector)
}

/// Takes `node` out of the page, from wherever it is.
pub fn remove(node: &web_sys::Node) {
    node.unchecked_ref::<Parent>().remove_node();
}

/// A new `<tag>` element: with a tag name this crate's callers write as a literal,
/// `createElement` cannot throw.
pub fn create_element(document: &web_sys::Document, tag: &'static str) -> web_sys::Element {
    document.unchecked_ref::<Doc>().make(tag)
}

/// Puts `child` last in `parent`, a node this crate or its caller has just made (an element, a
/// shadow root): no error is possible there, so none is checked for.
pub fn append(parent: &web_sys::Node, child: &web_sys::Node) {
    parent.unchecked_ref::<Parent>().append_node(child);
}

/// Moves the focus to `element`: any element the views draw (HTML, all of them) has `focus()`,
/// which does not throw (an element that cannot take the focus is left as it is).
pub fn focus(element: &web_sys::Element) {
    element.unchecked_ref::<Control>().focus_control();
}
