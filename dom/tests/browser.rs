//! The virtual DOM in headless Chromium: what a render draws, what a second render keeps, and
//! where an event's action goes.
//!
//! Run: `cargo test -p customer-form-dom --target wasm32-unknown-unknown` (scripts/test.sh does).
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use customer_form_dom as dom;
use dom::{el, text, App, Event, Mounted, Node, NodeRef, Scope};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

type View = Box<dyn Fn(u32) -> Node<Msg>>;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Show(u32),
    Heard(&'static str),
    /// Sends `Show(n)` from inside `update`.
    Chain(u32),
    /// Unmounts the app from inside `update` (a host's listener closing the form).
    Close,
}

struct TestApp {
    /// The app's own `Mounted`, for `Msg::Close`.
    closer: Rc<RefCell<Option<Mounted<TestApp>>>>,
    shown: u32,
    view: View,
    heard: Rc<RefCell<Vec<&'static str>>>,
    renders: Rc<Cell<u32>>,
}

impl App for TestApp {
    type Message = Msg;
    type Action = Msg;

    fn view(&self) -> Node<Msg> {
        self.renders.set(self.renders.get() + 1);
        (self.view)(self.shown)
    }

    fn act(&mut self, scope: &Scope<Self>, action: Msg, _: &web_sys::Event) -> bool {
        self.update(scope, action)
    }

    fn update(&mut self, scope: &Scope<Self>, message: Msg) -> bool {
        match message {
            Msg::Show(n) => {
                self.shown = n;
                true
            }
            Msg::Heard(what) => {
                self.heard.borrow_mut().push(what);
                false
            }
            Msg::Chain(n) => {
                scope.send(Msg::Show(n));
                false
            }
            Msg::Close => {
                if let Some(app) = self.closer.borrow_mut().take() {
                    app.unmount();
                }
                true
            }
        }
    }

    fn destroy(&mut self) {
        self.heard.borrow_mut().push("destroyed");
    }
}

struct Mount {
    host: web_sys::Element,
    app: Mounted<TestApp>,
    heard: Rc<RefCell<Vec<&'static str>>>,
    renders: Rc<Cell<u32>>,
}

impl Mount {
    fn show(&self, n: u32) {
        self.app.scope().send(Msg::Show(n));
    }

    fn find(&self, selector: &str) -> web_sys::Element {
        self.host
            .query_selector(selector)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("no {selector} in {}", self.host.inner_html()))
    }
}

fn mount(view: impl Fn(u32) -> Node<Msg> + 'static) -> Mount {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let heard = Rc::new(RefCell::new(Vec::new()));
    let renders = Rc::new(Cell::new(0));
    let (h, r) = (heard.clone(), renders.clone());
    let app = dom::mount(&host, move |_| TestApp {
        closer: Rc::default(),
        shown: 0,
        view: Box::new(view),
        heard: h,
        renders: r,
    })
    .unwrap();
    Mount {
        host,
        app,
        heard,
        renders,
    }
}

fn same(a: &web_sys::Element, b: &web_sys::Element) -> bool {
    a.is_same_node(Some(b))
}

#[wasm_bindgen_test]
fn a_render_draws_attributes_text_and_values_and_the_next_updates_them_in_place() {
    let form = mount(|n| {
        el("p")
            .attr("class", if n == 0 { "a" } else { "b" })
            .attr_opt("title", (n == 0).then_some("only at first"))
            .flag("hidden", n == 1)
            .text(format!("shown {n}"))
            .into()
    });
    let p = form.find("p");
    assert_eq!(
        form.host.inner_html(),
        r#"<p class="a" title="only at first">shown 0</p>"#
    );
    form.show(1);
    assert_eq!(
        form.host.inner_html(),
        r#"<p class="b" hidden="">shown 1</p>"#
    );
    assert!(same(&p, &form.find("p")), "the same element, updated");
}

#[wasm_bindgen_test]
fn a_control_shows_the_apps_value_and_keeps_its_caret_when_it_already_does() {
    let form = mount(|n| {
        el("input")
            .attr("name", "email")
            .value(if n == 2 { "reset" } else { "typed" })
            .into()
    });
    let input: HtmlInputElement = form.find("input").dyn_into().unwrap();
    assert_eq!(input.value(), "typed");
    input.focus().unwrap();
    input.set_selection_range(2, 2).unwrap();
    form.show(1);
    assert_eq!(
        input.selection_start().unwrap(),
        Some(2),
        "the caret stays where it was"
    );
    form.show(2);
    assert_eq!(input.value(), "reset", "a value the app decided is written");
    form.show(1);
    input.set_value("typed, not taken");
    form.show(3);
    assert_eq!(
        input.value(),
        "typed",
        "the same view still writes what the app holds"
    );
}

#[wasm_bindgen_test]
fn a_select_takes_its_value_once_its_options_are_there() {
    let form = mount(|n| {
        let options = (0..=n).map(|i| {
            el("option")
                .attr("value", format!("v{i}"))
                .text(format!("{i}"))
                .into()
        });
        el("select").children(options).value(format!("v{n}")).into()
    });
    form.show(3);
    let select = form.find("select");
    assert_eq!(
        js_sys::Reflect::get(&select, &"value".into()).unwrap(),
        "v3"
    );
}

#[wasm_bindgen_test]
fn a_child_that_comes_and_goes_does_not_redraw_its_siblings() {
    let form = mount(|n| {
        el("form")
            .child_opt((n == 1).then(|| el("div").attr("role", "alert").text("failed")))
            .child(
                el("div")
                    .attr("class", "section")
                    .child(el("input").attr("name", "email")),
            )
            .into()
    });
    let section = form.find(".section");
    let input: HtmlElement = form.find("input").dyn_into().unwrap();
    input.focus().unwrap();
    form.show(1);
    assert!(same(&section, &form.find(".section")));
    assert_eq!(
        form.find("form")
            .first_element_child()
            .unwrap()
            .get_attribute("role")
            .as_deref(),
        Some("alert")
    );
    let focused = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    assert!(same(&focused, &input), "the focus stays in the field");
    form.show(0);
    assert!(same(&section, &form.find(".section")));
    assert_eq!(form.host.query_selector("[role=alert]").unwrap(), None);
}

fn rows(order: &'static [&'static str]) -> Node<Msg> {
    el("ul")
        .children(order.iter().map(|key| el("li").key(*key).text(*key).into()))
        .child(el("li").attr("class", "add").text("add"))
        .into()
}

#[wasm_bindgen_test]
fn keyed_rows_move_with_their_elements_and_the_rest_keep_their_place() {
    let form = mount(|n| match n {
        0 => rows(&["a", "b", "c", "d"]),
        1 => rows(&["d", "a", "c", "e", "b"]),
        _ => rows(&["b"]),
    });
    let by_key = |key: &str| form.find(&format!("li:nth-child({})", 1 + "abcd".find(key).unwrap()));
    let (a, b, d) = (by_key("a"), by_key("b"), by_key("d"));
    let add = form.find(".add");
    form.show(1);
    assert_eq!(form.find("ul").text_content().unwrap(), "dacebadd");
    assert!(same(&a, &form.find("li:nth-child(2)")));
    assert!(same(&d, &form.find("li:nth-child(1)")));
    assert!(same(&b, &form.find("li:nth-child(5)")));
    assert!(
        same(&add, &form.find(".add")),
        "the unkeyed row after the list is the same one"
    );
    form.show(2);
    assert_eq!(form.find("ul").text_content().unwrap(), "badd");
    assert!(same(&b, &form.find("li:nth-child(1)")));
}

/// A page's script or an extension takes out or moves what the form drew: the next patches
/// neither throw through the wasm nor stop drawing.
#[wasm_bindgen_test]
fn nodes_a_page_script_took_out_or_moved_do_not_stop_the_next_patches() {
    let form = mount(|n| match n {
        0 => rows(&["a", "b", "c"]),
        1 => rows(&["c", "b"]),
        _ => rows(&["b", "d"]),
    });
    let document = web_sys::window().unwrap().document().unwrap();
    form.find("li:nth-child(1)").remove();
    let elsewhere = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&elsewhere).unwrap();
    elsewhere
        .append_child(&form.find("li:nth-child(2)"))
        .unwrap();
    form.show(1);
    form.show(2);
    assert_eq!(form.find("ul").text_content().unwrap(), "bdadd");
    assert_eq!(
        elsewhere.child_element_count(),
        0,
        "the moved row was taken out where it was"
    );
}

#[wasm_bindgen_test]
fn an_event_goes_to_the_nearest_element_that_answers_its_kind() {
    let form = mount(|_| {
        el("div")
            .on(Event::Input, Msg::Heard("div input"))
            .child(
                el("button")
                    .attr("type", "button")
                    .on(Event::Click, Msg::Heard("button click"))
                    .child(el("span").text("Press")),
            )
            .child(el("input"))
            .into()
    });
    form.find("span").dyn_into::<HtmlElement>().unwrap().click();
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    let typed = web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap();
    form.find("input").dispatch_event(&typed).unwrap();
    form.host.dyn_ref::<HtmlElement>().unwrap().click();
    assert_eq!(*form.heard.borrow(), ["button click", "div input"]);
}

#[wasm_bindgen_test]
fn an_element_drawn_again_answers_the_kinds_it_now_has_and_passes_on_the_others() {
    let form = mount(|n| {
        let button = el("button").attr("type", "button");
        let button = match n {
            0 => button,
            1 => button.on(Event::Click, Msg::Heard("button click")),
            _ => button.on(Event::Input, Msg::Heard("button input")),
        };
        el("div")
            .on(Event::Click, Msg::Heard("div click"))
            .child(button)
            .into()
    });
    let button: HtmlElement = form.find("button").dyn_into().unwrap();
    button.click();
    form.show(1);
    button.click();
    form.show(2);
    button.click();
    assert_eq!(
        *form.heard.borrow(),
        ["div click", "button click", "div click"]
    );
}

#[wasm_bindgen_test]
fn an_element_drawn_again_answers_with_its_new_action() {
    let form = mount(|n| {
        el("button")
            .on(
                Event::Click,
                Msg::Heard(if n == 0 { "first" } else { "second" }),
            )
            .into()
    });
    let button: HtmlElement = form.find("button").dyn_into().unwrap();
    button.click();
    form.show(1);
    button.click();
    assert_eq!(*form.heard.borrow(), ["first", "second"]);
}

#[wasm_bindgen_test]
fn messages_sent_while_updating_are_handled_before_one_render() {
    let form = mount(|n| text(format!("{n}")));
    let before = form.renders.get();
    form.app.scope().send(Msg::Chain(7));
    assert_eq!(form.host.text_content().unwrap(), "7");
    assert_eq!(form.renders.get(), before + 1);
}

#[wasm_bindgen_test]
fn a_message_sent_while_the_app_is_being_created_is_handled() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    let app = dom::mount(&host, |scope| {
        scope.send(Msg::Show(5));
        TestApp {
            closer: Rc::default(),
            shown: 0,
            view: Box::new(|n| text(format!("{n}"))),
            heard: Rc::default(),
            renders: Rc::default(),
        }
    })
    .unwrap();
    assert_eq!(host.text_content().unwrap(), "5");
    app.unmount();
}

#[wasm_bindgen_test]
fn a_reference_follows_its_element_and_is_cleared_when_it_goes() {
    let node_ref = NodeRef::default();
    let held = node_ref.clone();
    let form = mount(move |n| {
        el("div")
            .child_opt((n == 0).then(|| el("p").node_ref(&held)))
            .into()
    });
    assert_eq!(node_ref.get().unwrap().tag_name(), "P");
    form.show(1);
    assert!(node_ref.get().is_none());
}

#[wasm_bindgen_test]
fn unmounting_removes_what_was_drawn_and_stops_listening() {
    let form = mount(|_| el("button").on(Event::Click, Msg::Heard("click")).into());
    let button: HtmlElement = form.find("button").dyn_into().unwrap();
    let host = form.host.clone();
    let heard = form.heard.clone();
    form.app.unmount();
    assert_eq!(host.inner_html(), "");
    host.append_child(&button).unwrap();
    button.click();
    assert_eq!(
        *heard.borrow(),
        ["destroyed"],
        "told, and deaf to the click"
    );
}

#[wasm_bindgen_test]
fn an_app_unmounted_while_it_handles_a_message_goes_once_that_is_done() {
    let closer: Rc<RefCell<Option<Mounted<TestApp>>>> = Rc::default();
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    let heard: Rc<RefCell<Vec<&'static str>>> = Rc::default();
    let (c, h) = (closer.clone(), heard.clone());
    let app = dom::mount(&host, move |_| TestApp {
        closer: c,
        shown: 0,
        view: Box::new(|_| el("button").on(Event::Click, Msg::Close).into()),
        heard: h,
        renders: Rc::default(),
    })
    .unwrap();
    let scope = app.scope();
    *closer.borrow_mut() = Some(app);
    let button: HtmlElement = host
        .query_selector("button")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    button.click();
    assert_eq!(host.inner_html(), "", "nothing left on the page");
    assert_eq!(*heard.borrow(), ["destroyed"]);
    scope.send(Msg::Show(1));
    assert_eq!(host.inner_html(), "", "and nothing drawn again");
}

#[wasm_bindgen_test]
fn a_dropped_app_is_unmounted_and_its_page_stays_quiet() {
    let form = mount(|_| el("button").on(Event::Click, Msg::Heard("click")).into());
    let button: HtmlElement = form.find("button").dyn_into().unwrap();
    let (host, heard) = (form.host.clone(), form.heard.clone());
    drop(form.app);
    assert_eq!(host.inner_html(), "");
    host.append_child(&button).unwrap();
    // A listener dropped while still registered would throw here.
    button.click();
    assert_eq!(*heard.borrow(), ["destroyed"]);
}

#[wasm_bindgen_test]
fn a_reference_that_moves_to_an_element_drawn_before_its_old_one_follows_it() {
    let node_ref = NodeRef::default();
    let held = node_ref.clone();
    let form = mount(move |n| {
        let first = el("p").attr("class", "new");
        let kept = el("div").key("kept");
        if n == 0 {
            el("section").child(kept.node_ref(&held)).into()
        } else {
            el("section")
                .child(first.node_ref(&held))
                .child(kept)
                .into()
        }
    });
    assert_eq!(node_ref.get().unwrap().tag_name(), "DIV");
    form.show(1);
    assert_eq!(node_ref.get().map(|e| e.tag_name()).as_deref(), Some("P"));
}
