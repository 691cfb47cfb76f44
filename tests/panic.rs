//! A panic inside the widget leaves a clear failure message, not a dead form.
//!
//! Run: `cargo test --target wasm32-unknown-unknown --features panic-probe --test panic`.
#![cfg(all(target_arch = "wasm32", feature = "panic-probe"))]

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_panic_shows_a_failure_state_and_reports_it() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"provider".into(), &"prolifi".into()).unwrap();
    js_sys::Reflect::set(&options, &"mode".into(), &"create".into()).unwrap();
    js_sys::Reflect::set(&options, &"token".into(), &"sk_live_refused".into()).unwrap();
    let _handle = customer_form::mount(host.clone(), options.into()).unwrap();
    sleep(50).await;

    let kinds = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let listener = {
        let kinds = kinds.clone();
        Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            let kind = js_sys::Reflect::get(&e.detail(), &"kind".into()).unwrap_or(JsValue::NULL);
            kinds
                .borrow_mut()
                .push(kind.as_string().unwrap_or_default());
        })
    };
    host.add_event_listener_with_callback("customer-error", listener.as_ref().unchecked_ref())
        .unwrap();

    // The panic aborts that call only: run it in its own task and swallow its trap.
    let page = web_sys::window().unwrap();
    let run = js_sys::Function::new_with_args(
        "probe",
        "setTimeout(() => { try { probe(); } catch (trap) { window.__trap = String(trap); } }, 0);",
    );
    let probe = Closure::<dyn Fn()>::new(customer_form::element::panic_probe);
    run.call1(&JsValue::NULL, probe.as_ref()).unwrap();
    sleep(100).await;

    assert!(
        js_sys::Reflect::get(&page, &"__trap".into())
            .unwrap()
            .is_string(),
        "the panic trapped"
    );
    let root = host.shadow_root().unwrap();
    let failed = root
        .query_selector("[data-state=error][role=alert]")
        .unwrap()
        .expect("a failure state");
    assert!(failed.text_content().unwrap().contains("stopped working"));
    assert!(
        kinds.borrow().iter().any(|k| k == "panic"),
        "{:?}",
        kinds.borrow()
    );
}
