//! The browser at the edge: cookies, session storage, the unload prompt, page hiding, timers.

use std::cell::RefCell;

use providers::{FormValues, Json};

use crate::form::Draft;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// A first-party cookie of the host page, by name (a provider's create default, e.g. the
/// referral script's partner key). Never a credential.
pub fn cookie(name: &str) -> Option<String> {
    let document: web_sys::HtmlDocument = web_sys::window()?.document()?.dyn_into().ok()?;
    let cookies = document.cookie().ok()?;
    cookies.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_string())
    })
}

/// The values a create form finds on the page before anyone types (`Contract::create_defaults`).
pub fn create_defaults(contract: &dyn providers::Contract) -> FormValues {
    contract
        .create_defaults()
        .iter()
        .filter_map(|default| match default.source {
            providers::DefaultSource::Cookie(name) => Some((default.field, cookie(name)?)),
        })
        .collect()
}

/// An opt-in draft of the form's values in `sessionStorage` (this tab only, gone with it):
/// restored after a reload, cleared on save. It never holds a token or a password.
pub struct DraftStore {
    key: String,
}

impl DraftStore {
    pub fn new(provider: &str, mode: &str, customer_id: &str) -> DraftStore {
        let page = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        DraftStore {
            key: format!("customer-form:draft:{provider}:{mode}:{customer_id}:{page}"),
        }
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }

    /// `{"mine": {field: text}, "base": {field: text}}`; anything else is no draft.
    pub fn load(&self) -> Option<Draft> {
        let text = Self::storage()?.get_item(&self.key).ok()??;
        let json = Json::parse(&text).ok()?;
        let read = |key: &str| -> Option<FormValues> {
            let Json::Object(members) = json.get(key)? else {
                return None;
            };
            Some(
                members
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect(),
            )
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
        if let Some(storage) = Self::storage() {
            // A full storage quota only loses the draft, never the form.
            let _ = storage.set_item(&self.key, &json.to_json_string());
        }
    }

    pub fn clear(&self) {
        if let Some(storage) = Self::storage() {
            let _ = storage.remove_item(&self.key);
        }
    }
}

type UnloadListener = Closure<dyn FnMut(web_sys::BeforeUnloadEvent)>;

/// The browser's "leave site?" prompt while there are unsaved changes (opt-in).
#[derive(Default)]
pub struct UnloadGuard {
    listener: RefCell<Option<UnloadListener>>,
}

impl UnloadGuard {
    pub fn set(&self, active: bool) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let mut listener = self.listener.borrow_mut();
        match (active, listener.is_some()) {
            (true, false) => {
                let closure = Closure::<dyn FnMut(web_sys::BeforeUnloadEvent)>::new(
                    |event: web_sys::BeforeUnloadEvent| {
                        event.prevent_default();
                        event.set_return_value("");
                    },
                );
                let _ = window.add_event_listener_with_callback(
                    "beforeunload",
                    closure.as_ref().unchecked_ref(),
                );
                *listener = Some(closure);
            }
            (false, true) => {
                if let Some(closure) = listener.take() {
                    let _ = window.remove_event_listener_with_callback(
                        "beforeunload",
                        closure.as_ref().unchecked_ref(),
                    );
                }
            }
            _ => {}
        }
    }
}

impl Drop for UnloadGuard {
    fn drop(&mut self) {
        self.set(false);
    }
}

type PageListener = Closure<dyn FnMut(web_sys::Event)>;

/// Calls back when the page is hidden or left (`visibilitychange` to hidden, `pagehide`): the
/// last moment a page is sure to run code, so drafts are written then rather than on every key.
pub struct PageHide {
    listener: PageListener,
}

impl PageHide {
    pub fn listen(callback: impl Fn() + 'static) -> Option<PageHide> {
        let window = web_sys::window()?;
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let hidden = event.type_() == "pagehide"
                || web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
            if hidden {
                callback();
            }
        });
        let function = listener.as_ref().unchecked_ref();
        window
            .add_event_listener_with_callback("pagehide", function)
            .ok()?;
        window
            .add_event_listener_with_callback("visibilitychange", function)
            .ok()?;
        Some(PageHide { listener })
    }
}

impl Drop for PageHide {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let function = self.listener.as_ref().unchecked_ref();
            let _ = window.remove_event_listener_with_callback("pagehide", function);
            let _ = window.remove_event_listener_with_callback("visibilitychange", function);
        }
    }
}

/// A one-shot timer, cancelled when dropped.
pub struct Timer {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn start(ms: u32, callback: impl FnOnce() + 'static) -> Option<Timer> {
        let mut callback = Some(callback);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(callback) = callback.take() {
                callback();
            }
        });
        let id = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                ms.min(i32::MAX as u32) as i32,
            )
            .ok()?;
        Some(Timer {
            id,
            _closure: closure,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.id);
        }
    }
}
