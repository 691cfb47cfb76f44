//! Fetching a locale's table: `customer-form.<tag>.json`, found the way the `.wasm` is (the
//! package's entry resolves both the same way and tells the widget; without it, beside the
//! page, where Trunk puts both). Any failure leaves the form in English.

use std::cell::RefCell;

use providers::{HttpRequest, Method};

use super::{parse_table, remember, Locale, Table};
use crate::client::abort::Abort;
use crate::transport::{FetchTransport, Transport};

thread_local! {
    /// Where each locale's file is, as the package's entry found it.
    static URLS: RefCell<Vec<(Locale, String)>> = const { RefCell::new(Vec::new()) };
}

/// Tells the widget where a locale's file is. The package's entry calls this for each language
/// with the URL it resolved like the `.wasm`'s (`new URL(…, import.meta.url)`, or beside an
/// explicit `wasmUrl`), so bundlers that rename assets still lead the widget to it.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = setLocaleUrl)]
pub fn set_locale_url(tag: &str, url: &str) {
    let locale = Locale::negotiate(tag);
    if locale == Locale::En || locale.tag() != tag {
        return;
    }
    URLS.with(|urls| {
        let mut urls = urls.borrow_mut();
        urls.retain(|(l, _)| *l != locale);
        urls.push((locale, url.to_string()));
    });
}

/// The URL of `locale`'s file: as the entry said, else beside the page (where Trunk puts the
/// `.wasm` and, from `index.html`, these files).
pub fn url(locale: Locale) -> Option<String> {
    let given = URLS.with(|urls| {
        urls.borrow()
            .iter()
            .find(|(l, _)| *l == locale)
            .map(|(_, url)| url.clone())
    });
    if given.is_some() {
        return given;
    }
    Some(crate::browser::beside_page(&locale.file_name()))
}

/// Fetches and keeps `locale`'s table; `None` (English) when it cannot be had.
pub async fn load(locale: Locale) -> Option<Table> {
    if let Some(table) = super::fetched(locale) {
        return Some(table);
    }
    let request = HttpRequest::json(Method::Get, url(locale)?, None);
    let reply = FetchTransport::default()
        .send(request, None, Abort::new())
        .await
        .ok()?;
    if !reply.is_success() {
        return None;
    }
    let table = parse_table(&reply.body)?;
    remember(locale, table.clone());
    Some(table)
}
