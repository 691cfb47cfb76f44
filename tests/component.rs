//! Component tests in headless Chromium: the Yew component (the form app inside it) and the
//! custom element, with a transport that answers from a script instead of a server.
//!
//! Run: `cargo test --target wasm32-unknown-unknown --test component` (scripts/test.sh does).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use customer_form::client::abort::Abort;
use customer_form::transport::{ReplyFuture, Transport};
use customer_form::{
    CustomerForm, CustomerFormProps, ErrorReport, Operation, ProviderId, SavedCustomer,
    TokenSource, TransportRef,
};
use providers::{ApiError, ErrorKind, HttpReply, HttpRequest, Method};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlInputElement};
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

const BASE: &str = "http://127.0.0.1:9/prolifi/api/v1/public";
const JANE: &str = r#"{"data":{"id":"0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10","external_id":"cus_1001","email":"jane@example.com","name":"Jane Doe","first_name":"Jane","last_name":"Doe","company_name":null,"phone":"+44 20 7946 0958","status":"active","country":"United Kingdom","country_id":"9a7c3b52-3f0e-4d8c-8f55-1c0c2e9d4b61","metadata":{"plan":"pro"},"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z"}}"#;

/// Answers requests from a queue and remembers what was sent, token included.
#[derive(Default)]
struct ScriptedTransport {
    replies: RefCell<VecDeque<Result<HttpReply, ApiError>>>,
    sent: RefCell<Vec<(HttpRequest, Option<String>)>>,
    /// When set: for each request, whether the form had drawn anything in this root yet, even
    /// hidden.
    watch: RefCell<Option<Element>>,
    drawn_at_send: RefCell<Vec<bool>>,
}

impl ScriptedTransport {
    fn answer(&self, status: u16, body: &str) -> &Self {
        self.replies.borrow_mut().push_back(Ok(HttpReply {
            status,
            headers: vec![],
            body: body.to_string(),
        }));
        self
    }

    fn sent(&self) -> Vec<(HttpRequest, Option<String>)> {
        self.sent.borrow().clone()
    }
}

impl Transport for ScriptedTransport {
    fn send(&self, request: HttpRequest, token: Option<String>, _abort: Abort) -> ReplyFuture {
        self.sent.borrow_mut().push((request, token));
        if let Some(root) = self.watch.borrow().as_ref() {
            let drawn = root.query_selector("[data-state]").ok().flatten().is_some();
            self.drawn_at_send.borrow_mut().push(drawn);
        }
        let reply = self
            .replies
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err(ApiError::new(None, ErrorKind::Network, "")));
        Box::pin(async move { reply })
    }
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Polls until `check` holds (replies and the Yew component's mounting come later), failing
/// after a second.
async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..100 {
        if check() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Waits until the form in this shadow root is ready for input.
async fn until_ready(shadow: &web_sys::ShadowRoot) {
    until("ready", || {
        shadow
            .query_selector("[data-state=ready]")
            .unwrap()
            .is_some()
    })
    .await;
}

fn host() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn state(root: &Element) -> String {
    root.query_selector("[data-state]")
        .unwrap()
        .and_then(|e| e.get_attribute("data-state"))
        .unwrap_or_default()
}

fn type_into(root: &Element, name: &str, text: &str) {
    type_into_input(&find(root, &format!("[name='{name}']")), text);
}

fn click_submit(root: &Element) {
    let button: HtmlButtonElement = find(root, "button[type=submit]").unchecked_into();
    button.click();
}

struct Mounted {
    root: Element,
    transport: Rc<ScriptedTransport>,
    saved: Rc<RefCell<Vec<SavedCustomer>>>,
    errors: Rc<RefCell<Vec<ErrorReport>>>,
}

fn mount_form(mode: Operation, token: &str, transport: ScriptedTransport) -> Mounted {
    mount_with(mode, TokenSource::from_string(token), transport).0
}

/// The mounted form, its app handle (to change props) and the props it was given.
fn mount_with(
    mode: Operation,
    token: TokenSource,
    transport: ScriptedTransport,
) -> (Mounted, yew::AppHandle<CustomerForm>, CustomerFormProps) {
    let root = host();
    let transport = Rc::new(transport);
    let saved = Rc::new(RefCell::new(Vec::new()));
    let errors = Rc::new(RefCell::new(Vec::new()));
    let props = CustomerFormProps {
        provider: ProviderId::Prolifi,
        mode,
        customer_id: "cus_1001".into(),
        api_base: Some(BASE.into()),
        locale: "en".into(),
        strings: Rc::default(),
        countries: Rc::default(),
        token,
        on_loaded: Callback::noop(),
        on_saved: {
            let saved = saved.clone();
            Callback::from(move |s| saved.borrow_mut().push(s))
        },
        on_error: {
            let errors = errors.clone();
            Callback::from(move |e| errors.borrow_mut().push(e))
        },
        on_dirty_change: Callback::noop(),
        on_ready: Callback::noop(),
        theme: Default::default(),
        timeout_ms: None,
        warn_unsaved: false,
        keep_draft: false,
        transport: Some(TransportRef(transport.clone())),
    };
    let app =
        yew::Renderer::<CustomerForm>::with_root_and_props(root.clone(), props.clone()).render();
    let mounted = Mounted {
        root,
        transport,
        saved,
        errors,
    };
    (mounted, app, props)
}

#[wasm_bindgen_test]
async fn a_rust_app_says_where_a_language_file_is() {
    use customer_form::i18n::{remote, Locale};
    // A `data:` URL stands for a file served somewhere other than beside the page (where
    // nothing is served here).
    remote::set_locale_url(
        "de",
        "data:application/json,%7B%22field.email%22%3A%22E-Mail%22%7D",
    );
    let table = remote::load(Locale::De)
        .await
        .expect("the German table, from its data: URL");
    assert!(table
        .iter()
        .any(|(key, text)| key == "field.email" && text == "E-Mail"));
}

#[wasm_bindgen_test]
async fn with_a_token_string_the_record_is_asked_for_before_anything_is_drawn() {
    // The first request goes out from the form's creation, not after its first render: the
    // network's wait overlaps the drawing.
    let transport = ScriptedTransport::default();
    transport.answer(200, JANE);
    let form = mount_form(Operation::Update, "sk_test_x", transport);
    // The Yew component mounts the form after its own first render, a later microtask, so the
    // watch is in place before it runs.
    *form.transport.watch.borrow_mut() = Some(form.root.clone());
    until("the record is shown", || state(&form.root) == "ready").await;
    assert_eq!(*form.transport.drawn_at_send.borrow(), [false]);
    assert_eq!(form.transport.sent().len(), 1);
}

#[wasm_bindgen_test]
async fn with_a_token_provider_nothing_is_drawn_before_a_quick_record() {
    // The token comes from the host's promise, then the record: when both come quickly the form
    // draws once, filled, without a loading state drawn first (the element shows its own
    // skeleton meanwhile).
    let transport = ScriptedTransport::default();
    transport.answer(200, JANE);
    let source = TokenSource::from_async(|| async { Ok("sk_test_provided".to_string()) });
    let (form, _app, _props) = mount_with(Operation::Update, source, transport);
    *form.transport.watch.borrow_mut() = Some(form.root.clone());
    until("the record is shown", || state(&form.root) == "ready").await;
    assert_eq!(*form.transport.drawn_at_send.borrow(), [false]);
}

#[wasm_bindgen_test]
async fn while_the_record_is_on_its_way_the_form_is_built_hidden() {
    // The main thread waits for the record anyway: the form is built then, hidden and empty,
    // so that when the record comes only its values, flags and notice change.
    let transport = ScriptedTransport::default();
    transport.answer(200, JANE);
    let source = TokenSource::from_async(|| async {
        sleep(100).await;
        Ok("sk_test_provided".to_string())
    });
    let (form, _app, _props) = mount_with(Operation::Update, source, transport);
    let built = |selector: &str| form.root.query_selector(selector).unwrap().is_some();
    until("the form built hidden", || {
        built("[data-state=loading][hidden] [name=email]")
    })
    .await;
    assert!(!built("[data-state]:not([hidden])"), "nothing shown yet");
    assert!(!built("[part=skeleton]"), "the fields, not the skeleton");
    until("the record is shown", || state(&form.root) == "ready").await;
    assert!(!built("[data-state][hidden]"));
    let email: HtmlInputElement = find(&form.root, "[name=email]").unchecked_into();
    assert_eq!(email.value(), "jane@example.com");
}

#[wasm_bindgen_test]
async fn the_record_is_drawn_before_its_last_changed_line() {
    // The line's date comes from `Intl`, whose first formatter on a page costs tens of
    // milliseconds: the record is drawn without the line, which follows after that frame.
    let transport = ScriptedTransport::default();
    transport.answer(200, JANE);
    let form = mount_form(Operation::Update, "sk_test_x", transport);
    // Called in the task that drew the record (mutation observers run before any frame).
    let line_with_record: Rc<RefCell<Option<bool>>> = Rc::default();
    let seen = line_with_record.clone();
    let root = form.root.clone();
    let on_mutation = Closure::<dyn FnMut()>::new(move || {
        if seen.borrow().is_none() && state(&root) == "ready" {
            *seen.borrow_mut() = Some(root.query_selector(".cf-meta").unwrap().is_some());
        }
    });
    let observer = web_sys::MutationObserver::new(on_mutation.as_ref().unchecked_ref()).unwrap();
    let init = web_sys::MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    init.set_attributes(true);
    observer.observe_with_options(&form.root, &init).unwrap();
    until("the last changed line is shown", || {
        form.root.query_selector(".cf-meta").unwrap().is_some()
    })
    .await;
    observer.disconnect();
    assert_eq!(*line_with_record.borrow(), Some(false));
    assert!(find(&form.root, ".cf-meta")
        .text_content()
        .unwrap()
        .contains("2026"));
}

/// Types `text` into `input` as a keystroke would leave it, without waiting for a redraw.
fn type_into_input(input: &Element, text: &str) {
    let input: HtmlInputElement = input.clone().unchecked_into();
    input.set_value(text);
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    let event = web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn two_row_edits_made_before_a_redraw_both_count() {
    // Keys can come before a redraw (under Yew, whose scheduler paused after a long run, they
    // did): a key's last letter, then Tab and a value typed before the redraw. The second edit
    // must not start from the text drawn before the first, or the first is lost.
    let transport = ScriptedTransport::default();
    transport.answer(200, JANE);
    let form = mount_form(Operation::Update, "sk_test_x", transport);
    until("the record is shown", || state(&form.root) == "ready").await;
    let key = find(&form.root, "[data-row=\"1\"] .cf-row-key");
    let value = find(&form.root, "[data-row=\"1\"] .cf-row-value");
    type_into_input(&key, "owner");
    type_into_input(&value, "ops team");
    until("the text holds both edits", || {
        let text: web_sys::HtmlTextAreaElement =
            find(&form.root, "[name=metadata]").unchecked_into();
        text.value().contains("ops team")
    })
    .await;
    let text: web_sys::HtmlTextAreaElement = find(&form.root, "[name=metadata]").unchecked_into();
    assert_eq!(text.value(), "{\n  \"owner\": \"ops team\"\n}");
}

#[wasm_bindgen_test]
async fn every_field_is_labelled_and_named_after_the_wire_body() {
    let transport = ScriptedTransport::default();
    transport.answer(200, JANE);
    let form = mount_form(Operation::Update, "sk_test_x", transport);
    until("ready", || state(&form.root) == "ready").await;
    for name in [
        "email",
        "first_name",
        "last_name",
        "name",
        "company_name",
        "external_id",
        "phone",
        "country_id",
        "metadata",
    ] {
        let input = find(&form.root, &format!("[name='{name}']"));
        let id = input.id();
        assert!(!id.is_empty(), "{name} has an id");
        let label = find(&form.root, &format!("label[for='{id}']"));
        assert!(
            !label.text_content().unwrap_or_default().trim().is_empty(),
            "{name} has a visible label"
        );
    }
    let last_name: HtmlInputElement = find(&form.root, "[name=last_name]").unchecked_into();
    assert_eq!(last_name.value(), "Doe");
    assert_eq!(
        form.root
            .query_selector_all("button[type=submit]")
            .unwrap()
            .length(),
        1
    );
}

#[wasm_bindgen_test]
async fn update_sends_only_the_changed_field_with_the_token() {
    let transport = ScriptedTransport::default();
    // Load, the check that nobody changed it meanwhile, the save.
    transport
        .answer(200, JANE)
        .answer(200, JANE)
        .answer(200, &JANE.replace("\"Doe\"", "\"Smith\""));
    let form = mount_form(Operation::Update, "sk_test_x", transport);
    until("ready", || state(&form.root) == "ready").await;
    type_into(&form.root, "last_name", "Smith");
    click_submit(&form.root);
    until("saved", || state(&form.root) == "saved").await;
    let sent = form.transport.sent();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[1].0.method, Method::Get);
    let (request, token) = &sent[2];
    assert_eq!(request.method, Method::Patch);
    assert_eq!(
        request.url,
        format!("{BASE}/customers/0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10")
    );
    assert_eq!(request.body.as_deref(), Some(r#"{"last_name":"Smith"}"#));
    assert_eq!(token.as_deref(), Some("sk_test_x"));
    assert_eq!(form.saved.borrow().len(), 1);
    assert_eq!(form.saved.borrow()[0].operation, Operation::Update);
    let status = find(&form.root, "[role=status]");
    assert_eq!(status.text_content().unwrap(), "Changes saved.");
}

#[wasm_bindgen_test]
async fn provider_field_errors_sit_beside_their_inputs() {
    let transport = ScriptedTransport::default();
    transport.answer(
        422,
        r#"{"error":{"type":"validation_error","message":"The request data is invalid.","errors":[{"field":"country_id","message":"The selected country id is invalid."}]}}"#,
    );
    let form = mount_form(Operation::Create, "sk_test_x", transport);
    until("ready", || state(&form.root) == "ready").await;
    type_into(&form.root, "email", "ada@example.com");
    type_into(
        &form.root,
        "country_id",
        "00000000-0000-4000-8000-000000000000",
    );
    click_submit(&form.root);
    until("error", || state(&form.root) == "error").await;
    let input = find(&form.root, "[name=country_id]");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described_by = input.get_attribute("aria-describedby").unwrap();
    let error_id = described_by.split(' ').next().unwrap();
    let error = find(&form.root, &format!("#{error_id}"));
    assert_eq!(
        error.text_content().unwrap(),
        "The selected country id is invalid."
    );
    let alert = find(&form.root, "[role=alert]");
    assert!(alert
        .text_content()
        .unwrap()
        .contains("did not accept some values"));
    let (kind, status) = {
        let report = &form.errors.borrow()[0];
        (report.kind, report.status)
    };
    assert_eq!((kind, status), ("validation", Some(422)));
    // The typed values are still there, and editing the field clears its error.
    let email: HtmlInputElement = find(&form.root, "[name=email]").unchecked_into();
    assert_eq!(email.value(), "ada@example.com");
    type_into(&form.root, "country_id", "");
    until("error cleared", || {
        find(&form.root, "[name=country_id]")
            .get_attribute("aria-invalid")
            .is_none()
    })
    .await;
}

#[wasm_bindgen_test]
async fn client_validation_sends_nothing_and_the_summary_takes_the_focus_and_links_the_fields() {
    let form = mount_form(Operation::Create, "sk_test_x", ScriptedTransport::default());
    until("ready", || state(&form.root) == "ready").await;
    type_into(&form.root, "metadata", "[1, 2]");
    click_submit(&form.root);
    until("error", || state(&form.root) == "error").await;
    assert!(form.transport.sent().is_empty());
    let email = find(&form.root, "[name=email]");
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    let active = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    // Issue 12: the summary at the top takes the focus; its links lead to the fields.
    assert_eq!(active.get_attribute("role").as_deref(), Some("alert"));
    let metadata = find(&form.root, "[name=metadata]");
    assert_eq!(
        metadata.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    let links = form.root.query_selector_all("[part=error-link]").unwrap();
    assert_eq!(links.length(), 2, "one link per invalid field");
    let first: web_sys::HtmlElement = links.get(0).unwrap().unchecked_into();
    first.click();
    let active = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    assert_eq!(active.get_attribute("name").as_deref(), Some("email"));
}

#[wasm_bindgen_test]
async fn a_public_key_makes_the_form_read_only() {
    let transport = ScriptedTransport::default();
    transport.answer(200, JANE);
    let form = mount_form(Operation::Update, "pk_test_x", transport);
    until("read-only", || state(&form.root) == "read-only").await;
    let input: HtmlInputElement = find(&form.root, "[name=last_name]").unchecked_into();
    assert!(input.read_only());
    let button: HtmlButtonElement = find(&form.root, "button[type=submit]").unchecked_into();
    assert!(button.disabled());
    type_into(&form.root, "last_name", "Smith");
    button.click();
    sleep(50).await;
    assert!(form
        .transport
        .sent()
        .iter()
        .all(|(r, _)| r.method == Method::Get));
}

#[wasm_bindgen_test]
async fn a_live_secret_key_is_refused_before_any_request() {
    let form = mount_form(
        Operation::Update,
        "sk_live_abc123",
        ScriptedTransport::default(),
    );
    until("error", || state(&form.root) == "error").await;
    assert!(form.transport.sent().is_empty());
    let alert = find(&form.root, "[role=alert]").text_content().unwrap();
    assert!(alert.contains("secret live key"), "{alert}");
    assert!(!form.root.inner_html().contains("sk_live_abc123"));
    assert_eq!(form.errors.borrow()[0].kind, "credential_refused");
}

#[wasm_bindgen_test]
async fn the_custom_element_takes_attributes_and_a_token_property() {
    customer_form::define_customer_form(Some("customer-form-test".into()));
    // A second definition (another copy of the package) is tolerated.
    customer_form::define_customer_form(Some("customer-form-test".into()));
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("customer-form-test").unwrap();
    element.set_attribute("provider", "prolifi").unwrap();
    element.set_attribute("mode", "create").unwrap();
    js_sys::Reflect::set(
        &element,
        &JsValue::from_str("token"),
        &JsValue::from_str("sk_live_nope"),
    )
    .unwrap();
    let errors = Rc::new(RefCell::new(Vec::<JsValue>::new()));
    let listener = {
        let errors = errors.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::CustomEvent)>::new(
            move |e: web_sys::CustomEvent| errors.borrow_mut().push(e.detail()),
        )
    };
    // Listening on the document proves the event bubbles out of the shadow root.
    document
        .add_event_listener_with_callback("customer-error", listener.as_ref().unchecked_ref())
        .unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    let shadow = || element.shadow_root().expect("open shadow root");
    until("error state", || {
        shadow()
            .query_selector("[data-state=error]")
            .unwrap()
            .is_some()
    })
    .await;
    assert!(element.get_attribute("token").is_none());
    assert!(js_sys::Reflect::get(&element, &JsValue::from_str("token"))
        .unwrap()
        .is_undefined());
    let detail = errors.borrow()[0].clone();
    let kind = js_sys::Reflect::get(&detail, &JsValue::from_str("kind")).unwrap();
    assert_eq!(kind.as_string().as_deref(), Some("credential_refused"));
    document
        .remove_event_listener_with_callback("customer-error", listener.as_ref().unchecked_ref())
        .unwrap();
    element.remove();
}

#[wasm_bindgen_test]
async fn a_form_without_a_credential_waits_for_one_quietly() {
    let transport = ScriptedTransport::default();
    transport.answer(200, JANE);
    let (form, mut app, props) = mount_with(Operation::Update, TokenSource::None, transport);
    until("rendered", || !state(&form.root).is_empty()).await;
    // Frameworks set the credential after the element is connected: no error, no request,
    // the loading skeleton, for as long as a framework could take.
    sleep(400).await;
    assert_eq!(state(&form.root), "loading");
    find(&form.root, "[part=skeleton]");
    assert!(form.errors.borrow().is_empty());
    assert!(form.transport.sent().is_empty());
    app.update(CustomerFormProps {
        token: TokenSource::from_string("sk_test_late"),
        ..props
    });
    until("ready", || state(&form.root) == "ready").await;
    assert!(form.errors.borrow().is_empty());
    let sent = form.transport.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.as_deref(), Some("sk_test_late"));
}

/// A Prolifi create form as an element defined under `tag`, not yet in the document.
fn prolifi_create_element(tag: &str) -> Element {
    customer_form::define_customer_form(Some(tag.into()));
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element(tag).unwrap();
    for (name, value) in [
        ("provider", "prolifi"),
        ("mode", "create"),
        ("api-base", BASE),
    ] {
        element.set_attribute(name, value).unwrap();
    }
    js_sys::Reflect::set(
        &element,
        &JsValue::from_str("token"),
        &JsValue::from_str("sk_test_x"),
    )
    .unwrap();
    element
}

#[wasm_bindgen_test]
async fn focus_from_a_customer_ready_listener_reaches_the_first_field() {
    // `customer-ready` goes out as the form's state becomes ready, before that state is drawn:
    // `element.focus()` called from a listener still lands on the first field.
    let element = prolifi_create_element("customer-form-ready-focus");
    let listener = {
        let element = element.clone();
        wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            element
                .unchecked_ref::<web_sys::HtmlElement>()
                .focus()
                .unwrap()
        })
    };
    element
        .add_event_listener_with_callback("customer-ready", listener.as_ref().unchecked_ref())
        .unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    let shadow = element.shadow_root().expect("open shadow root");
    until_ready(&shadow).await;
    let focused = js_sys::Reflect::get(&shadow, &JsValue::from_str("activeElement")).unwrap();
    let first = shadow
        .query_selector("input:not([type=radio]), textarea, select")
        .unwrap()
        .expect("a first field");
    assert_eq!(focused, JsValue::from(first));
    element.remove();
}

#[wasm_bindgen_test]
async fn styles_are_an_adopted_stylesheet_not_inline_css() {
    let element = prolifi_create_element("customer-form-styles");
    let document = web_sys::window().unwrap().document().unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    let shadow = element.shadow_root().expect("open shadow root");
    until_ready(&shadow).await;
    // Nothing a `style-src 'self'` policy would block: no <style>, no style attribute.
    assert!(shadow.query_selector("style, [style]").unwrap().is_none());
    let adopted: js_sys::Array =
        js_sys::Reflect::get(&shadow, &JsValue::from_str("adoptedStyleSheets"))
            .unwrap()
            .unchecked_into();
    let sheet = adopted.iter().last().expect("an adopted stylesheet");
    let rules = js_sys::Reflect::get(&sheet, &JsValue::from_str("cssRules")).unwrap();
    let count = js_sys::Reflect::get(&rules, &JsValue::from_str("length"))
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(count > 10.0, "{count} rules");
    let input = shadow.query_selector("[name=email]").unwrap().unwrap();
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&input)
        .unwrap()
        .unwrap();
    assert_eq!(style.get_property_value("border-top-width").unwrap(), "1px");
    assert_eq!(style.get_property_value("padding-left").unwrap(), "10px");
    element.remove();
}

#[wasm_bindgen_test]
async fn the_styles_are_there_when_the_form_first_shows_even_if_drawing_pauses() {
    // A frame painted between drawing the form and its `rendered` must already be styled (Yew's
    // scheduler paused there once a run had taken 16 ms). A clock that moves 20 ms at every
    // read makes any such pause happen at every chance.
    let date: JsValue =
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Date")).unwrap();
    let real_now = js_sys::Reflect::get(&date, &JsValue::from_str("now")).unwrap();
    let fake_now = js_sys::Function::new_no_args(
        "globalThis.__fakeNow = (globalThis.__fakeNow || 1e12) + 20; return globalThis.__fakeNow;",
    );
    js_sys::Reflect::set(&date, &JsValue::from_str("now"), &fake_now).unwrap();

    let element = prolifi_create_element("customer-form-styles-pause");
    let document = web_sys::window().unwrap().document().unwrap();
    let shadow = element.shadow_root().expect("open shadow root");
    // Mutation observers run before any frame: what the first one sees is what could be painted.
    let styled_when_shown: Rc<RefCell<Option<bool>>> = Rc::default();
    let seen = styled_when_shown.clone();
    let root = shadow.clone();
    let on_mutation = Closure::<dyn FnMut()>::new(move || {
        if seen.borrow().is_none() && root.query_selector("[name=email]").unwrap().is_some() {
            let adopted: js_sys::Array =
                js_sys::Reflect::get(&root, &JsValue::from_str("adoptedStyleSheets"))
                    .unwrap()
                    .unchecked_into();
            *seen.borrow_mut() = Some(adopted.length() > 0);
        }
    });
    let observer = web_sys::MutationObserver::new(on_mutation.as_ref().unchecked_ref()).unwrap();
    let init = web_sys::MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    observer.observe_with_options(&shadow, &init).unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    let shown = styled_when_shown.clone();
    until("the form is shown", || shown.borrow().is_some()).await;
    observer.disconnect();
    js_sys::Reflect::set(&date, &JsValue::from_str("now"), &real_now).unwrap();
    element.remove();
    assert_eq!(*styled_when_shown.borrow(), Some(true));
}

#[wasm_bindgen_test]
async fn concurrent_requests_share_one_token_refresh() {
    use customer_form::client::tokens::TokenCache;
    use customer_form::token::{now_secs, HostTokens};
    use std::cell::Cell;
    let calls = Rc::new(Cell::new(0));
    let source = {
        let calls = calls.clone();
        TokenSource::from_async(move || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                sleep(30).await;
                Ok(format!("token-{n}"))
            }
        })
    };
    let host = HostTokens {
        source,
        transport: Rc::new(ScriptedTransport::default()),
        api_base: None,
    };
    let cache = Rc::new(TokenCache::new(host, now_secs));
    let results = Rc::new(RefCell::new(Vec::new()));
    for _ in 0..3 {
        let (cache, results) = (cache.clone(), results.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let token = cache.token_instead_of(None).await;
            results.borrow_mut().push(token);
        });
    }
    until("three tokens", || results.borrow().len() == 3).await;
    assert_eq!(calls.get(), 1, "one refresh for three concurrent callers");
    assert!(results
        .borrow()
        .iter()
        .all(|t| t.as_deref() == Ok("token-1")));
    // A renewal after a 401 asks the host's token provider again.
    assert_eq!(
        cache.token_instead_of(Some("token-1")).await.as_deref(),
        Ok("token-2")
    );
    assert_eq!(cache.token_instead_of(None).await.as_deref(), Ok("token-2"));
}

#[wasm_bindgen_test]
async fn a_mounted_form_destroyed_by_a_listener_of_its_own_event_goes_quietly() {
    // A host closing the form from a `customer-*` listener (after a save, on a change) destroys
    // it while the form is still handling what the event is about.
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let options = js_sys::Object::new();
    for (name, value) in [
        ("provider", "prolifi"),
        ("mode", "create"),
        ("apiBase", BASE),
        ("token", "sk_test_x"),
    ] {
        js_sys::Reflect::set(&options, &name.into(), &value.into()).unwrap();
    }
    let handle = Rc::new(RefCell::new(Some(
        customer_form::mount(host.clone(), options.into()).unwrap(),
    )));
    let shadow = host.shadow_root().expect("open shadow root");
    until_ready(&shadow).await;
    let held = handle.clone();
    let close = Closure::<dyn Fn()>::new(move || {
        if let Some(mut form) = held.borrow_mut().take() {
            form.destroy();
        }
    });
    host.add_event_listener_with_callback("customer-dirty-change", close.as_ref().unchecked_ref())
        .unwrap();
    let form = shadow.query_selector(".cf").unwrap().unwrap();
    type_into(&form, "email", "ann@example.test");
    assert!(handle.borrow().is_none(), "the listener ran");
    sleep(20).await;
    assert!(
        shadow.query_selector(".cf").unwrap().is_none(),
        "the form is gone"
    );
    assert!(
        !shadow
            .text_content()
            .unwrap_or_default()
            .contains("stopped working"),
        "and did not fail on its way out"
    );
    host.remove();
}
