//! Fetching a locale's table: `customer-form.<tag>.json`, found the way the `.wasm` is (the
//! package's entry resolves both the same way and tells `src/fetch.js`; without it, beside the
//! page, where Trunk puts both). Any failure leaves the form in English.

use wasm_bindgen::prelude::*;

use super::{parse_table, remember, Locale, Table};
use crate::transport::DEFAULT_TIMEOUT_MS;

#[wasm_bindgen(module = "/src/fetch.js")]
extern "C" {
    /// The file's text, or `null` when it cannot be had (a failed or refused request, a
    /// status other than 2xx, a timeout, a file over the reply limit). The URLs stay in the JS
    /// and the wasm only names the language: the same fetch through `transport.rs`, with the
    /// URLs kept here and the entry telling them through an export, cost 471 B gzip more
    /// (README, Size).
    #[wasm_bindgen(js_name = fetchLocale)]
    fn fetch_locale(tag: &str, timeout_ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = setLocaleUrl)]
    fn set_locale_url_js(tag: &str, url: &str);
}

/// Tells the widget where a locale's file is, for a Rust app that serves the files somewhere
/// other than beside the page (the npm package's entry does this itself). A tag that is not one
/// of the fetched languages (`de`, `fr`, `es`) is ignored.
pub fn set_locale_url(tag: &str, url: &str) {
    let locale = Locale::negotiate(tag);
    if locale != Locale::En && locale.tag() == tag {
        set_locale_url_js(tag, url);
    }
}

/// Fetches and keeps `locale`'s table; `None` (English) when it cannot be had.
pub async fn load(locale: Locale) -> Option<Table> {
    if let Some(table) = super::fetched(locale) {
        return Some(table);
    }
    let sent = fetch_locale(locale.tag(), DEFAULT_TIMEOUT_MS);
    let text = crate::spawn::settled(&sent).await.as_string()?;
    let table = parse_table(&text)?;
    remember(locale, table.clone());
    Some(table)
}
