//! Dates and numbers in the form's language, by the browser's `Intl` (no date crate shipped).

use js_sys::{Array, Date, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

fn locales(tag: &str) -> Array {
    Array::of1(&JsValue::from_str(tag))
}

/// An ISO 8601 timestamp as a medium date and short time (`24 Nov 2026, 10:05`); `None` when it
/// does not parse.
pub fn date_time(tag: &str, iso: &str) -> Option<String> {
    let date = Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return None;
    }
    let options = Object::new();
    Reflect::set(&options, &"dateStyle".into(), &"medium".into()).ok()?;
    Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
    let format = Intl::DateTimeFormat::new(&locales(tag), &options).format();
    format.call1(&JsValue::UNDEFINED, &date).ok()?.as_string()
}

/// An integer with the locale's grouping (`10,000`, `10.000`, `10 000`).
pub fn integer(tag: &str, n: u32) -> String {
    let format = Intl::NumberFormat::new(&locales(tag), &Object::new()).format();
    format
        .call1(&JsValue::UNDEFINED, &JsValue::from(n))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| n.to_string())
}
