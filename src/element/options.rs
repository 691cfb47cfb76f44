//! The element's options, read from the untyped JS object `mount()` and the element pass:
//! plain values, the credential, Prolifi's countries and the `appearance` variables.

use providers::substring::Trim;
use std::rc::Rc;

use js_sys::{Function, Reflect};
use providers::public_client::PublicClientSettings;
use providers::ProviderId;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::token::TokenSource;

/// The plain-data part of the options (the token travels separately).
#[derive(Default, Clone, PartialEq)]
pub(super) struct PlainOptions {
    pub(super) provider: Option<String>,
    pub(super) mode: Option<String>,
    pub(super) customer_id: Option<String>,
    pub(super) api_base: Option<String>,
    pub(super) locale: Option<String>,
    pub(super) strings: Option<Vec<(String, String)>>,
    /// Prolifi's countries: `(id, name)` from `[{id, name}]`.
    pub(super) countries: Vec<(String, String)>,
    /// Commerce Layer sales channel: public client ID, market, token endpoint base.
    pub(super) client_id: Option<String>,
    pub(super) market: Option<String>,
    pub(super) auth_base: Option<String>,
    /// Milliseconds one request may take.
    pub(super) timeout: Option<u32>,
    pub(super) warn_unsaved: bool,
    pub(super) draft: bool,
    /// `light`, `dark` or `auto` (the `theme` attribute, or `appearance.theme`).
    pub(super) theme: Option<String>,
}

impl PlainOptions {
    pub(super) fn from_js(options: &JsValue) -> PlainOptions {
        let text = |key: &str| member(options, key).as_string();
        let flag = |key: &str| member(options, key).as_bool().unwrap_or(false);
        PlainOptions {
            provider: text("provider"),
            mode: text("mode"),
            customer_id: text("customerId"),
            api_base: text("apiBase"),
            locale: text("locale"),
            client_id: text("clientId"),
            market: text("market"),
            auth_base: text("authBase"),
            timeout: member(options, "timeout")
                .as_f64()
                .filter(|ms| ms.is_finite() && *ms > 0.0)
                .map(|ms| ms.min(u32::MAX as f64) as u32),
            warn_unsaved: flag("warnUnsaved"),
            draft: flag("draft"),
            theme: Some(member(options, "appearance"))
                .filter(JsValue::is_object)
                .and_then(|a| member(&a, "theme").as_string())
                .or_else(|| text("theme")),
            countries: countries(options),
            strings: Some(member(options, "strings"))
                .filter(JsValue::is_object)
                .map(|v| text_entries(&v)),
        }
    }
}

/// `object[key]`, or `undefined` when reading it throws (a getter, a proxy). One function for
/// every option rather than the same calls inlined at each (README, Size).
#[inline(never)]
fn member(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `countries: [{id, name}]`: entries without a text id are skipped (a host's bad entry must
/// not take the picker down); a missing name shows the id.
fn countries(options: &JsValue) -> Vec<(String, String)> {
    let Ok(list) = member(options, "countries").dyn_into::<js_sys::Array>() else {
        return Vec::new();
    };
    let text = |item: &JsValue, key: &str| member(item, key).as_string();
    let mut countries = Vec::new();
    for item in list.iter().filter(JsValue::is_object) {
        if let Some(id) = text(&item, "id") {
            countries.push((id, text(&item, "name").unwrap_or_default()));
        }
    }
    countries
}

/// An object's members whose values are strings (`strings: {key: text}`, `appearance.variables`).
fn text_entries(object: &JsValue) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    for entry in js_sys::Object::entries(object.unchecked_ref()).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            entries.push((name, value));
        }
    }
    entries
}

/// Without a token, a provider with a public client (Commerce Layer's sales channel: the
/// `client-id`, `market` and `auth-base` attributes) gets tokens itself.
pub(super) fn public_client(options: &PlainOptions) -> Option<TokenSource> {
    let provider = options.provider.as_deref().and_then(ProviderId::parse)?;
    let settings = PublicClientSettings {
        client_id: options.client_id.as_deref().unwrap_or_default(),
        market: options.market.as_deref().unwrap_or_default(),
        auth_base: options.auth_base.as_deref().unwrap_or_default(),
    };
    let client = provider.contract().public_client(&settings)?;
    Some(TokenSource::SalesChannel(Rc::new(client)))
}

/// `tokenProvider` (refreshable) wins over `token` when both are given.
pub(super) fn token_source(options: &JsValue) -> TokenSource {
    if !options.is_object() {
        return TokenSource::None;
    }
    let provider = member(options, "tokenProvider");
    if let Some(function) = provider.dyn_ref::<Function>() {
        return TokenSource::Provider(function.clone());
    }
    match member(options, "token").as_string() {
        Some(token) if !token.trimmed().is_empty() => TokenSource::from_string(token),
        _ => TokenSource::None,
    }
}

#[wasm_bindgen]
extern "C" {
    /// The host's inline style, set without web-sys's `catch`: `setProperty` throws only on a
    /// read-only declaration (a computed style), which an element's own is not, and ignores a
    /// value it cannot parse.
    type Style;
    #[wasm_bindgen(method, js_name = setProperty)]
    fn set_variable(this: &Style, name: &str, value: &str);
}

/// `appearance.variables` (`{colorPrimary: "#6b21a8", borderRadius: "12px"}`) become the CSS
/// custom properties the styles read (`--cf-color-primary`, `--cf-radius`), set on the host so
/// the page's own rules for it can still win with `!important`.
pub(super) fn apply_appearance(host: &Element, options: &JsValue) {
    let Some(style) = host.dyn_ref::<web_sys::HtmlElement>().map(|h| h.style()) else {
        return;
    };
    let variables = Some(member(options, "appearance"))
        .filter(JsValue::is_object)
        .map(|a| member(&a, "variables"))
        .filter(JsValue::is_object);
    let Some(variables) = variables else { return };
    for (name, value) in text_entries(&variables) {
        if let Some(property) = css_variable(&name) {
            style
                .unchecked_ref::<Style>()
                .set_variable(&property, &value);
        }
    }
}

/// `colorPrimary` → `--cf-color-primary`; `fontFamily` → `--cf-font`; `borderRadius` →
/// `--cf-radius`. Anything but ASCII letters is refused: a name cannot escape the property.
fn css_variable(name: &str) -> Option<String> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut property = String::from("--cf-");
    match name {
        "fontFamily" => property.push_str("font"),
        "borderRadius" => property.push_str("radius"),
        _ => {
            for c in name.chars() {
                if c.is_ascii_uppercase() {
                    property.push('-');
                }
                property.push(c.to_ascii_lowercase());
            }
        }
    }
    Some(property)
}

#[cfg(test)]
mod tests {
    use super::css_variable;

    #[test]
    fn appearance_variables_become_custom_properties() {
        assert_eq!(
            css_variable("colorPrimary").as_deref(),
            Some("--cf-color-primary")
        );
        assert_eq!(
            css_variable("colorTextMuted").as_deref(),
            Some("--cf-color-text-muted")
        );
        assert_eq!(css_variable("spacing").as_deref(), Some("--cf-spacing"));
        assert_eq!(css_variable("fontFamily").as_deref(), Some("--cf-font"));
        assert_eq!(css_variable("borderRadius").as_deref(), Some("--cf-radius"));
        for refused in ["", "color-primary", "x;y", "colör", "a:b"] {
            assert_eq!(css_variable(refused), None, "{refused}");
        }
    }
}
