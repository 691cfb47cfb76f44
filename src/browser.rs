//! The browser at the edge: cookies, session storage, the unload prompt, timers.

use std::cell::RefCell;

use providers::{FormValues, Json};

use crate::form::Draft;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Partnero's referral cookie: the partner key PartneroJS stored when the visitor arrived
/// through a referral link. Not a credential.
pub fn partnero_partner_cookie() -> Option<String> {
    let document: web_sys::HtmlDocument = web_sys::window()?.document()?.dyn_into().ok()?;
    let cookies = document.cookie().ok()?;
    cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == "partnero_partner" && !value.is_empty()).then(|| value.to_string())
    })
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
