//! The form's stylesheet, attached to the root the form renders in (its shadow root, or the
//! document) instead of an inline `<style>`: a page under `style-src 'self'` blocks inline
//! styles, but not a constructable stylesheet adopted through `adoptedStyleSheets`. Browsers
//! without constructable stylesheets get a `<style>` element once per root.
//!
//! The work is done by `attachStyles` in `element.js`, which the element's loading skeleton
//! shares: written in Rust with `Reflect` it cost 0.9 kB more gzip of wasm than this call (measured).

use wasm_bindgen::prelude::*;
use web_sys::Node;

/// One rule per line and no comments (they would ship): after the form's own rules come the
/// reference lists (customer group select, tag suggestions) and locked fields
/// (`reference_field.rs`, `field.rs`); the tags' chips and combobox (`tags_field.rs`); the row
/// editors, metadata and Count contacts (`rows.rs`); countries, same-as-billing and the
/// anonymization danger zone (`country_field.rs`, `anonymization.rs`).
pub const CSS: &str = include_str!("ui/style.css");

#[wasm_bindgen(module = "/src/element.js")]
extern "C" {
    #[wasm_bindgen(js_name = attachStyles)]
    fn attach_styles(node: &Node, css: &JsValue);
}

thread_local! {
    /// Made a JS string once, not on every render.
    static CSS_TEXT: JsValue = JsValue::from_str(CSS);
}

/// Styles the shadow root or document `node` is in; harmless on every render (once per root).
/// A node not yet in a document or shadow root is styled on a later call.
pub fn attach(node: &Node) {
    CSS_TEXT.with(|css| attach_styles(node, css));
}
