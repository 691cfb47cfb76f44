//! The JS face: `mount(element, options)`, its handle, `defineCustomerForm()`, and the DOM events.

use providers::substring::Trim;
use std::cell::Cell;
use std::rc::Rc;

use js_sys::Function;
use providers::{Json, Operation, ProviderId};
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};
use yew::{AttrValue, Callback};

mod options;

use options::{apply_appearance, public_client, token_source, PlainOptions};

use crate::token::TokenSource;
use crate::ui::customer_form::{
    CustomerFormProps, ErrorReport, FormApp, Message, SavedCustomer, Theme,
};

#[wasm_bindgen(module = "/src/trap.js")]
extern "C" {
    /// Records a mounted form, so a trap can mark it as failed (src/trap.js).
    fn track(host: &Element, container: &Element);
    fn untrack(container: &Element);
    #[cfg(not(panic = "immediate-abort"))]
    fn stopped();
}

/// A panic in WebAssembly ends every call into the module: rather than leave dead forms on the
/// page, `stopped()` (src/trap.js) replaces each one with a clear failure message and reports
/// `customer-error`. The package's wasm aborts at once on a panic, with no hook to run
/// (scripts/lib/release-wasm.sh); its glue notices the trap instead.
#[cfg(not(panic = "immediate-abort"))]
fn install_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| std::panic::set_hook(Box::new(|_| stopped())));
}

/// Panics on purpose, to test the failure state (built only with the `panic-probe` feature).
#[cfg(feature = "panic-probe")]
#[wasm_bindgen(js_name = panicProbe)]
pub fn panic_probe() {
    panic!("panic probe");
}

/// The tag `defineCustomerForm()` registers unless told otherwise.
pub const DEFAULT_TAG: &str = "customer-form";

#[wasm_bindgen(module = "/src/element.js")]
extern "C" {
    #[wasm_bindgen(js_name = defineElement)]
    fn define_element(tag_name: &str, mount: &Function) -> bool;
    /// Options the form cannot work with: said in place of the form (a few DOM calls, smaller
    /// in JS than through web-sys).
    #[wasm_bindgen(js_name = showProblem)]
    fn show_problem(container: &Element, problem: &str);
}

fn dispatch(host: &Element, name: &str, detail: &Json) {
    crate::browser::dispatch(host, name, &detail.to_json_string());
}

fn provider_field(provider: ProviderId) -> (&'static str, Json) {
    ("provider", Json::str(provider.as_str()))
}

fn error_detail(provider: ProviderId, report: &ErrorReport) -> Json {
    let mut field_errors = Json::Object(Vec::new());
    for error in &report.field_errors {
        let message = match field_errors.get(&error.field).and_then(Json::as_str) {
            Some(earlier) => providers::substring::concat(&[earlier, " ", &error.message]),
            None => error.message.clone(),
        };
        field_errors.insert(error.field.clone(), Json::str(message));
    }
    Json::object([
        provider_field(provider),
        (
            "status",
            report.status.map_or(Json::Null, |s| {
                Json::Number(providers::digits::text(u64::from(s)))
            }),
        ),
        ("kind", Json::str(report.kind)),
        ("message", Json::str(report.message.clone())),
        (
            "providerMessage",
            report
                .provider_message
                .clone()
                .map_or(Json::Null, Json::String),
        ),
        ("fieldErrors", field_errors),
    ])
}

/// The host's event callbacks, made once per mounted form (so new options with the same
/// meaning do not re-render it). The provider in each event's detail is the current one.
#[derive(Clone)]
struct HostCallbacks {
    on_loaded: Callback<Json>,
    on_saved: Callback<SavedCustomer>,
    on_error: Callback<ErrorReport>,
    on_ready: Callback<()>,
    on_dirty_change: Callback<bool>,
}

impl HostCallbacks {
    fn new(host: &Element, provider: &Rc<Cell<ProviderId>>) -> HostCallbacks {
        let event = |name: &'static str| {
            let (host, provider) = (host.clone(), provider.clone());
            move |members: Vec<(&'static str, Json)>| {
                let mut detail = Json::object([provider_field(provider.get())]);
                for (key, value) in members {
                    detail.insert(key, value);
                }
                dispatch(&host, name, &detail);
            }
        };
        let loaded = event("customer-loaded");
        let saved = event("customer-saved");
        let ready = event("customer-ready");
        let dirty = event("customer-dirty-change");
        let (host, current) = (host.clone(), provider.clone());
        HostCallbacks {
            on_loaded: Callback::from(move |customer: Json| loaded(vec![("customer", customer)])),
            on_saved: Callback::from(move |saved_customer: SavedCustomer| {
                saved(vec![
                    ("operation", Json::str(saved_customer.operation.as_str())),
                    ("customer", saved_customer.customer),
                ])
            }),
            on_error: Callback::from(move |report: ErrorReport| {
                dispatch(
                    &host,
                    "customer-error",
                    &error_detail(current.get(), &report),
                );
            }),
            on_ready: Callback::from(move |()| ready(Vec::new())),
            on_dirty_change: Callback::from(move |is_dirty: bool| {
                dirty(vec![("dirty", Json::Bool(is_dirty))])
            }),
        }
    }
}

/// The typed props for untyped element options, or what is wrong with them.
fn props_for(options: &JsValue, callbacks: &HostCallbacks) -> Result<CustomerFormProps, String> {
    let plain = PlainOptions::from_js(options);
    let provider = plain
        .provider
        .as_deref()
        .and_then(ProviderId::parse)
        .ok_or_else(|| {
            let names = providers::substring::join(&ProviderId::ALL.map(ProviderId::as_str), ", ");
            providers::substring::concat(&["The provider must be one of: ", &names, "."])
        })?;
    // Without a mode, a form given a customer edits it; otherwise it creates one.
    let has_customer = plain
        .customer_id
        .as_deref()
        .is_some_and(|id| !id.trimmed().is_empty());
    let default_mode = if has_customer {
        Operation::Update
    } else {
        Operation::Create
    };
    let mode = plain
        .mode
        .as_deref()
        .filter(|m| !m.is_empty())
        .map_or(Some(default_mode), Operation::parse)
        .ok_or_else(|| "The mode must be create or update.".to_string())?;
    let token = match token_source(options) {
        TokenSource::None => public_client(&plain).unwrap_or_default(),
        given => given,
    };
    let callbacks = callbacks.clone();
    Ok(CustomerFormProps {
        provider,
        mode,
        customer_id: plain.customer_id.unwrap_or_default().into(),
        api_base: plain.api_base.map(AttrValue::from),
        locale: plain.locale.unwrap_or_default().into(),
        strings: Rc::new(plain.strings.unwrap_or_default()),
        countries: Rc::new(plain.countries),
        token,
        on_loaded: callbacks.on_loaded,
        on_saved: callbacks.on_saved,
        on_error: callbacks.on_error,
        on_dirty_change: callbacks.on_dirty_change,
        on_ready: callbacks.on_ready,
        theme: Theme::parse(plain.theme.as_deref().unwrap_or_default()),
        timeout_ms: plain.timeout,
        warn_unsaved: plain.warn_unsaved,
        keep_draft: plain.draft,
        transport: None,
    })
}

/// A mounted form: `update(options)` re-renders with new options, `destroy()` removes it and
/// cancels whatever it was sending.
#[wasm_bindgen]
pub struct CustomerFormHandle {
    app: Option<dom::Mounted<FormApp>>,
    host: Element,
    container: Element,
    provider: Rc<Cell<ProviderId>>,
    callbacks: HostCallbacks,
}

#[wasm_bindgen]
impl CustomerFormHandle {
    pub fn update(&mut self, options: JsValue) {
        apply_appearance(&self.host, &options);
        self.render(&options);
    }

    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.unmount();
        }
        untrack(&self.container);
        dom::remove(&self.container);
    }
}

impl CustomerFormHandle {
    fn render(&mut self, options: &JsValue) {
        match props_for(options, &self.callbacks) {
            Ok(props) => {
                self.provider.set(props.provider);
                let props = Rc::new(props);
                match self.app.as_ref() {
                    // In a later task, as under Yew: what the new props make the form send the
                    // page (events) then reaches listeners after `update()` has returned, free
                    // to call the handle again.
                    Some(app) => {
                        let scope = app.scope();
                        crate::spawn::spawn_soon(async move { scope.send(Message::Props(props)) });
                    }
                    None => {
                        self.container.set_text_content(None);
                        self.app =
                            dom::mount(&self.container, |scope| FormApp::create(scope, props)).ok();
                    }
                }
            }
            Err(problem) => {
                if let Some(app) = self.app.take() {
                    app.unmount();
                }
                show_problem(&self.container, &problem);
            }
        }
    }
}

/// Renders a customer form into `element`'s shadow root (an open one is attached if the element
/// has none). Options: `provider`, `mode`, `customerId`, `apiBase`, `locale`, `strings`, and the
/// credential as `token` or `tokenProvider`. Events are dispatched on `element`.
#[wasm_bindgen]
pub fn mount(element: Element, options: JsValue) -> Result<CustomerFormHandle, JsValue> {
    #[cfg(not(panic = "immediate-abort"))]
    install_panic_hook();
    let root = match element.shadow_root() {
        Some(root) => root,
        None => element.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    let document = element
        .owner_document()
        .ok_or_else(|| JsValue::from_str("customer-form: the element is not in a document"))?;
    let container = dom::create_element(&document, "div");
    dom::append(&root, &container);
    // Styled before the form draws, which it may do while being mounted.
    crate::style::attach(&container);
    apply_appearance(&element, &options);
    track(&element, &container);
    let provider = Rc::new(Cell::new(ProviderId::Prolifi));
    let mut handle = CustomerFormHandle {
        app: None,
        callbacks: HostCallbacks::new(&element, &provider),
        host: element,
        container,
        provider,
    };
    handle.render(&options);
    Ok(handle)
}

/// Registers the `<customer-form>` custom element (or `tagName`). Safe to call more than once,
/// and from a second copy of the package: the first definition stays. Returns the tag name.
/// Exported to JS with the `define-export` feature (on by default; the npm package's entry
/// defines the element itself).
#[cfg_attr(feature = "define-export", wasm_bindgen(js_name = defineCustomerForm))]
pub fn define_customer_form(tag_name: Option<String>) -> String {
    let tag = tag_name.unwrap_or_else(|| DEFAULT_TAG.to_string());
    let mount_fn = Closure::<dyn Fn(Element, JsValue) -> JsValue>::new(
        |element: Element, options: JsValue| {
            mount(element, options)
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL)
        },
    );
    // The registry keeps the function for the page's lifetime, so the closure is never freed.
    let function: Function = mount_fn.into_js_value().unchecked_into();
    define_element(&tag, &function);
    tag
}
