//! The form's stylesheet, attached to the root the form renders in (its shadow root, or the
//! document) instead of an inline `<style>`: a page under `style-src 'self'` blocks inline
//! styles, but not a constructable stylesheet adopted through `adoptedStyleSheets`. Browsers
//! without constructable stylesheets get a `<style>` element once per root.

use std::cell::RefCell;

use js_sys::{Array, Function, Reflect, WeakSet};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Node;

pub const CSS: &str = include_str!("ui/style.css");

thread_local! {
    /// One sheet for every form on the page (any number of roots of a document may adopt it),
    /// and the roots already styled, so a render costs one lookup.
    static SHEET: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    static STYLED: WeakSet = WeakSet::new();
}

/// Styles the shadow root or document `node` is in. Harmless to call on every render; a node
/// not yet in a document or shadow root is styled on a later call.
pub fn attach(node: &Node) {
    let root = node.get_root_node();
    if !matches!(
        root.node_type(),
        Node::DOCUMENT_NODE | Node::DOCUMENT_FRAGMENT_NODE
    ) {
        return;
    }
    let object: &js_sys::Object = root.unchecked_ref();
    if STYLED.with(|styled| styled.has(object)) {
        return;
    }
    if adopt(&root).is_none() {
        insert_style_element(&root);
    }
    STYLED.with(|styled| {
        styled.add(object);
    });
}

/// Adds the shared constructable sheet to `root.adoptedStyleSheets`, keeping the others there.
fn adopt(root: &Node) -> Option<()> {
    let key = JsValue::from_str("adoptedStyleSheets");
    let adopted: Array = Reflect::get(root, &key).ok()?.dyn_into().ok()?;
    let sheet = shared_sheet()?;
    if !adopted.includes(&sheet, 0) {
        Reflect::set(root, &key, &adopted.concat(&Array::of1(&sheet))).ok()?;
    }
    Some(())
}

fn shared_sheet() -> Option<JsValue> {
    SHEET.with(|cell| {
        if let Some(sheet) = cell.borrow().as_ref() {
            return Some(sheet.clone());
        }
        let constructor: Function =
            Reflect::get(&js_sys::global(), &JsValue::from_str("CSSStyleSheet"))
                .ok()?
                .dyn_into()
                .ok()?;
        let sheet = Reflect::construct(&constructor, &Array::new()).ok()?;
        let replace_sync: Function = Reflect::get(&sheet, &JsValue::from_str("replaceSync"))
            .ok()?
            .dyn_into()
            .ok()?;
        replace_sync.call1(&sheet, &JsValue::from_str(CSS)).ok()?;
        *cell.borrow_mut() = Some(sheet.clone());
        Some(sheet)
    })
}

/// The fallback: a `<style>` at the start of the shadow root, or in the document's head.
fn insert_style_element(root: &Node) {
    let document = match root.dyn_ref::<web_sys::Document>() {
        Some(document) => document.clone(),
        None => match root.owner_document() {
            Some(document) => document,
            None => return,
        },
    };
    let Ok(style) = document.create_element("style") else {
        return;
    };
    let _ = style.set_attribute("data-customer-form", "");
    style.set_text_content(Some(CSS));
    let parent: Node = if root.node_type() == Node::DOCUMENT_NODE {
        match document.query_selector("head").ok().flatten() {
            Some(head) => head.into(),
            None => return,
        }
    } else {
        root.clone()
    };
    let _ = parent.insert_before(&style, parent.first_child().as_ref());
}
