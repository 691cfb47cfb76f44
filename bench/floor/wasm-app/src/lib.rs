//! A label and an input drawn by web-sys calls, no framework: what a wasm app ships and costs
//! before it draws anything of its own (bench/floor/README.md).

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlInputElement;

// The widget's allocator (src/lib.rs), so the two differ only in what they draw.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: a wasm32-unknown-unknown module without threads runs on one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    // What a Rust app keeps of std's panic and formatting machinery, as the widget does.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into())
    }));
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or("no document")?;
    let label = document.create_element("label")?;
    label.append_child(&document.create_text_node("Email "))?;
    let input: HtmlInputElement = document.create_element("input")?.dyn_into()?;
    input.set_name("email");
    label.append_child(&input)?;
    let typed = Rc::new(RefCell::new(String::new()));
    let target = input.clone();
    // Each key writes the typed text into the app's state, as the widget's form state does.
    let on_input = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        *typed.borrow_mut() = target.value();
    });
    input.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref())?;
    // The listener lives as long as the page.
    on_input.forget();
    document.body().ok_or("no body")?.append_child(&label)?;
    Ok(())
}
