//! The form's stylesheet, attached to the root the form renders in (its shadow root, or the
//! document) instead of an inline `<style>`: a page under `style-src 'self'` blocks inline
//! styles, but not a constructable stylesheet adopted through `adoptedStyleSheets`. Browsers
//! without constructable stylesheets get a `<style>` element once per root.
//!
//! The stylesheet and the work are in `element.js` (`STYLES`, `attachStyles`), which the
//! element's loading skeleton shares: one sheet for both, and its text compresses with the rest
//! of that module rather than inside the wasm (README, Size). Written in Rust with `Reflect`,
//! the attaching cost 0.9 kB more gzip of wasm than this call (measured).

use wasm_bindgen::prelude::*;
use web_sys::Node;

#[wasm_bindgen(module = "/src/element.js")]
extern "C" {
    #[wasm_bindgen(js_name = attachStyles)]
    fn attach_styles(node: &Node);
}

/// Styles the shadow root or document `node` is in; harmless on every render (once per root).
/// A node not yet in a document or shadow root is styled on a later call.
pub fn attach(node: &Node) {
    attach_styles(node);
}
