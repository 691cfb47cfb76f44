//! The browser at the edge: cookies, session storage, the unload prompt, page hiding, timers,
//! random bytes, dates and numbers, events for the host. Bindings to `host.js`.

use js_sys::Function;
use providers::{FormValues, Json};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;

use crate::form::Draft;

#[wasm_bindgen(module = "/src/host.js")]
extern "C" {
    /// A first-party cookie of the host page, by name. Never a credential.
    pub fn cookie(name: &str) -> Option<String>;
    fn session(key: &str, value: JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = pagePath)]
    fn page_path() -> String;
    #[wasm_bindgen(js_name = onPageHide)]
    fn on_page_hide(callback: &Closure<dyn FnMut()>) -> Function;
    #[wasm_bindgen(js_name = guardUnload)]
    fn guard_unload() -> Function;
    fn after(ms: u32, callback: &Closure<dyn FnMut()>) -> Function;
    #[wasm_bindgen(js_name = afterPaint)]
    fn after_paint(callback: &Closure<dyn FnMut()>) -> Function;
    /// 16 bytes from the browser's CSPRNG.
    #[wasm_bindgen(js_name = randomBytes)]
    pub fn random_bytes() -> Vec<u8>;
    /// An ISO 8601 timestamp as a medium date and short time in the language.
    #[wasm_bindgen(js_name = formatDate)]
    pub fn format_date(tag: &str, iso: &str) -> Option<String>;
    /// An integer with the language's grouping.
    #[wasm_bindgen(js_name = formatInteger)]
    pub fn format_integer(tag: &str, n: u32) -> String;
    /// Whether the visitor's system asks for dark colours.
    #[wasm_bindgen(js_name = prefersDark)]
    pub fn prefers_dark() -> bool;
    /// Dispatches a bubbling, composed `CustomEvent` whose detail is this JSON.
    pub fn dispatch(target: &web_sys::Element, name: &str, json: &str);
    /// Count's country suggestions: the `<datalist id=id>` beside `node`, made or refilled for
    /// the language (English names, the language's as labels).
    #[wasm_bindgen(js_name = countryList)]
    pub fn country_list(node: &web_sys::Node, id: &str, tag: &str);
}

/// The values a create form finds on the page before anyone types (`Contract::create_defaults`).
pub fn create_defaults(contract: &dyn providers::Contract) -> FormValues {
    let mut values = FormValues::new();
    for default in contract.create_defaults() {
        let providers::DefaultSource::Cookie(name) = default.source;
        if let Some(text) = cookie(name) {
            values.set(default.field, text);
        }
    }
    values
}

/// An opt-in draft of the form's values in `sessionStorage` (this tab only, gone with it):
/// restored after a reload, cleared on save. It never holds a token or a password.
pub struct DraftStore {
    key: String,
}

impl DraftStore {
    pub fn new(provider: &str, mode: &str, customer_id: &str) -> DraftStore {
        DraftStore {
            key: providers::substring::concat(&[
                "customer-form:draft:",
                provider,
                ":",
                mode,
                ":",
                customer_id,
                ":",
                &page_path(),
            ]),
        }
    }

    /// `{"mine": {field: text}, "base": {field: text}}`; anything else is no draft.
    pub fn load(&self) -> Option<Draft> {
        let json = Json::parse(&session(&self.key, JsValue::UNDEFINED)?).ok()?;
        let read = |key: &str| -> Option<FormValues> {
            let Json::Object(members) = json.get(key)? else {
                return None;
            };
            let mut values = FormValues::new();
            for (field, value) in members {
                if let Some(text) = value.as_str() {
                    values.set(field.as_str(), text);
                }
            }
            Some(values)
        };
        Some(Draft {
            mine: read("mine")?,
            base: read("base")?,
        })
    }

    pub fn save(&self, draft: &Draft) {
        let object =
            |values: &FormValues| Json::object(values.iter().map(|(k, v)| (k, Json::str(v))));
        let json = Json::object([("mine", object(&draft.mine)), ("base", object(&draft.base))]);
        session(&self.key, JsValue::from_str(&json.to_json_string()));
    }

    pub fn clear(&self) {
        session(&self.key, JsValue::NULL);
    }
}

/// The browser's "leave site?" prompt while there are unsaved changes (opt-in).
#[derive(Default)]
pub struct UnloadGuard {
    stop: Option<Function>,
}

impl UnloadGuard {
    pub fn set(&mut self, active: bool) {
        match (active, self.stop.take()) {
            (true, None) => self.stop = Some(guard_unload()),
            (true, stop) => self.stop = stop,
            (false, Some(stop)) => {
                let _ = stop.call0(&JsValue::UNDEFINED);
            }
            (false, None) => {}
        }
    }
}

impl Drop for UnloadGuard {
    fn drop(&mut self) {
        self.set(false);
    }
}

/// Calls back when the page is hidden or left (`visibilitychange` to hidden, `pagehide`): the
/// last moment a page is sure to run code, so drafts are written then rather than on every key.
pub struct PageHide {
    stop: Function,
    _callback: Closure<dyn FnMut()>,
}

impl PageHide {
    pub fn listen(callback: impl FnMut() + 'static) -> PageHide {
        let callback = Closure::<dyn FnMut()>::new(callback);
        PageHide {
            stop: on_page_hide(&callback),
            _callback: callback,
        }
    }
}

impl Drop for PageHide {
    fn drop(&mut self) {
        let _ = self.stop.call0(&JsValue::UNDEFINED);
    }
}

/// A one-shot timer, cancelled when dropped.
pub struct Timer {
    cancel: Function,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn start(ms: u32, callback: impl FnOnce() + 'static) -> Timer {
        Timer::with(callback, |callback| after(ms, callback))
    }

    /// Fires in a task after the next frame is painted: for what need not hold the form back
    /// from the screen.
    pub fn after_paint(callback: impl FnOnce() + 'static) -> Timer {
        Timer::with(callback, after_paint)
    }

    fn with(
        callback: impl FnOnce() + 'static,
        schedule: impl FnOnce(&Closure<dyn FnMut()>) -> Function,
    ) -> Timer {
        let mut callback = Some(callback);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(callback) = callback.take() {
                callback();
            }
        });
        Timer {
            cancel: schedule(&callback),
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let _ = self.cancel.call0(&JsValue::UNDEFINED);
    }
}
