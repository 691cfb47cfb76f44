//! A label and an input drawn by the widget's own virtual DOM (`dom/`): what the element build
//! ships and costs without Yew, before it draws anything of its own (bench/floor/README.md).

use dom::{el, App, Event, Node, Scope};
use wasm_bindgen::prelude::*;
use web_sys::HtmlInputElement;

// The widget's allocator (src/lib.rs), so the floor apps differ only in what they draw.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: a wasm32-unknown-unknown module without threads runs on one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

struct EmailField {
    typed: String,
}

#[derive(Clone)]
enum Typed {
    Email,
}

impl App for EmailField {
    type Message = ();
    type Action = Typed;

    fn view(&self) -> Node<Typed> {
        el("label")
            .text("Email ")
            .child(
                el("input")
                    .attr("name", "email")
                    .value(self.typed.clone())
                    .on(Event::Input, Typed::Email),
            )
            .into()
    }

    fn update(&mut self, _: &Scope<Self>, _: ()) -> bool {
        false
    }

    fn act(&mut self, _: &Scope<Self>, action: Typed, event: &web_sys::Event) -> bool {
        let Typed::Email = action;
        if let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        {
            self.typed = input.value();
        }
        // Drawn again, unlike the Yew floor app, so that the patching code is in the floor too.
        true
    }
}

#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    // What a Rust app keeps of std's panic and formatting machinery, as the widget does.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into())
    }));
    let body = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.body())
        .ok_or("no body")?;
    // The page keeps the app for its lifetime.
    std::mem::forget(dom::mount(&body, |_| EmailField {
        typed: String::new(),
    })?);
    Ok(())
}
