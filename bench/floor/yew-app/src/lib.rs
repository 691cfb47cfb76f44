//! One Yew component drawing a label and an input: what a Yew app ships and costs before it
//! draws anything of its own (bench/floor/README.md).

use wasm_bindgen::prelude::*;
use web_sys::HtmlInputElement;
use yew::prelude::*;

// The widget's allocator (src/lib.rs), so the two differ only in what they draw.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: a wasm32-unknown-unknown module without threads runs on one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

pub struct EmailField {
    typed: String,
}

pub enum Typed {
    Email(String),
}

impl Component for EmailField {
    type Message = Typed;
    type Properties = ();

    fn create(_: &Context<Self>) -> Self {
        EmailField {
            typed: String::new(),
        }
    }

    fn update(&mut self, _: &Context<Self>, message: Typed) -> bool {
        let Typed::Email(text) = message;
        self.typed = text;
        // As the widget does with a key that changes only its own field: the input already
        // shows it, so nothing is rendered.
        false
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let oninput = ctx.link().callback(|e: InputEvent| {
            Typed::Email(e.target_unchecked_into::<HtmlInputElement>().value())
        });
        html! { <label>{ "Email " }<input name="email" value={self.typed.clone()} {oninput} /></label> }
    }
}

#[wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<EmailField>::new().render();
}
