//! The tags editor (Partnero, Commerce Layer): a chip per tag with its remove button above the
//! named input, which keeps the whole comma-separated text (scripts fill it, the save reads it;
//! the chips are drawn from it, see `crate::tags`). With the organisation's tags (Commerce
//! Layer) the input is a WAI-ARIA combobox with list autocomplete: typing opens a listbox of the
//! tags matching the one being typed, ArrowDown/ArrowUp move the active option, Enter or a click
//! adds it (Enter with none active only closes the listbox), Escape closes. Keyboard on the
//! chips: Delete or Backspace removes the focused chip and the focus moves to its neighbour (the
//! input when none is left), ArrowLeft/ArrowRight move between chips and the input; Backspace
//! with the caret at the start of the input focuses the last chip (it never removes one unseen).

use dom::{el, Event};
use providers::text_key;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};
use yew::AttrValue;

use super::customer_form::FormApp;
use super::field::{Choices, FieldProps, Wiring};
use super::shell::{target_value, text_of, Html, On};
use crate::tags;

/// The combobox's popup: whether it is open, and which option is active.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Combo {
    pub open: bool,
    pub active: Option<usize>,
}

/// What the editor asks of the form: a new popup state, maybe a new text for the field, and an
/// element (by id) to focus or to scroll into view once rendered.
pub struct TagsChange {
    pub combo: Combo,
    pub text: Option<(&'static str, String)>,
    pub focus: Option<String>,
    pub reveal: Option<String>,
}

/// What `field()` needs to draw the editor.
pub struct TagsEditor {
    pub combo: Combo,
    /// "Remove tag {tag}".
    pub remove: String,
    /// The listbox's name ("Suggested tags").
    pub suggested: AttrValue,
}

impl FormApp {
    pub(super) fn tags_editor(&self) -> TagsEditor {
        TagsEditor {
            combo: self.tags_combo,
            remove: self.catalog.t(text_key!("tags.remove")),
            suggested: self.catalog.t(text_key!("tags.suggested")).into(),
        }
    }

    /// After a render: the focus or scroll the editor asked for.
    pub(super) fn tags_rendered(&mut self) {
        let focus = self.tags_focus.take();
        let reveal = self.tags_reveal.take();
        let Some(root) = self.root_ref.get() else {
            return;
        };
        let find = |id: &str| dom::query(&root, &providers::substring::concat(&["#", id]));
        if let Some(element) = focus.as_deref().and_then(find) {
            dom::focus(&element);
        }
        // The active option scrolled into its listbox's view, without scrolling the page
        // (`scrollIntoView` moves every scrolling ancestor).
        let option = reveal.as_deref().and_then(find);
        if let Some(option) = option.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            if let Some(list) = option.parent_element() {
                let (top, height) = (option.offset_top(), option.offset_height());
                let (scroll, view) = (list.scroll_top(), list.client_height());
                if top < scroll {
                    // The first option brings the list's top padding along.
                    let first = option.previous_element_sibling().is_none();
                    list.set_scroll_top(if first { 0 } else { top });
                } else if top + height > scroll + view {
                    list.set_scroll_top(top + height - view);
                }
            }
        }
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The editor's text input: its caret read without web-sys's `catch`, which guards input
    /// types that have no selection (an `email`'s throws in older browsers); a text input's
    /// cannot throw.
    type TextInput;
    #[wasm_bindgen(method, getter = selectionStart)]
    fn selection_start(this: &TextInput) -> Option<u32>;
    #[wasm_bindgen(method, getter = selectionEnd)]
    fn selection_end(this: &TextInput) -> Option<u32>;
}

fn chip_id(id: &str, index: usize) -> String {
    providers::substring::concat(&[id, "-chip-", &providers::digits::text(index as u64)])
}

fn option_id(id: &str, index: usize) -> String {
    providers::substring::concat(&[id, "-opt-", &providers::digits::text(index as u64)])
}

/// What the editor's event handlers (keys and clicks delegated from the chips, the input and
/// the options: one each rather than one per chip and option, for size) read.
struct Editor {
    name: &'static str,
    id: String,
    text: String,
    options: Vec<AttrValue>,
    chips: usize,
    combobox: bool,
    open: bool,
    active: Option<usize>,
    combo: Combo,
}

impl Editor {
    fn change(&self, combo: Combo, text: Option<String>, focus: Option<String>) -> TagsChange {
        TagsChange {
            combo,
            text: text.map(|t| (self.name, t)),
            focus,
            reveal: None,
        }
    }

    /// Adds option `index`, the focus staying in the input.
    fn pick(&self, index: usize) -> Option<TagsChange> {
        let tag = self.options.get(index)?;
        let text = tags::pick(&self.text, tag);
        Some(self.change(Combo::default(), Some(text), Some(self.id.clone())))
    }

    /// Removes chip `index`; its neighbour (or the input) takes the focus.
    fn remove(&self, index: usize) -> Option<TagsChange> {
        let focus = match tags::focus_after_removal(index, self.chips) {
            Some(next) => chip_id(&self.id, next),
            None => self.id.clone(),
        };
        let text = tags::without(&self.text, index);
        Some(self.change(Combo::default(), Some(text), Some(focus)))
    }

    fn click(&self, e: &web_sys::Event) -> Option<TagsChange> {
        let (index, option) = target_index(e.target())?;
        if option {
            self.pick(index)
        } else {
            self.remove(index)
        }
    }

    fn key(&self, e: &KeyboardEvent) -> Option<TagsChange> {
        let key = e.key();
        let target = e.target();
        if let Some((index, false)) = target_index(target.clone()) {
            return self.chip_key(e, &key, index);
        }
        let n = self.options.len();
        let closed = Combo::default();
        match key.as_str() {
            "ArrowDown" | "ArrowUp" if self.combobox && n > 0 => {
                e.prevent_default();
                let down = key == "ArrowDown";
                let next = match self.active {
                    None if down => 0,
                    None => n - 1,
                    Some(i) if down => (i + 1) % n,
                    Some(i) => (i + n - 1) % n,
                };
                Some(TagsChange {
                    combo: Combo {
                        open: true,
                        active: Some(next),
                    },
                    text: None,
                    focus: None,
                    reveal: Some(option_id(&self.id, next)),
                })
            }
            // Enter while the suggestions show never submits the form: it adds the active
            // tag or, with none active, only closes the popup (a half-typed tag was saved and
            // refused); Enter once more submits.
            "Enter" if self.open => {
                e.prevent_default();
                match self.active {
                    Some(index) => self.pick(index),
                    None => Some(self.change(closed, None, None)),
                }
            }
            "Escape" if self.open => {
                // Closes the popup only, not a dialog the form sits in.
                e.prevent_default();
                e.stop_propagation();
                Some(self.change(closed, None, None))
            }
            "Backspace" if self.chips > 0 => {
                let at_start = e
                    .target()
                    .map(|t| t.unchecked_into::<TextInput>())
                    .is_some_and(|input| {
                        input.selection_start() == Some(0) && input.selection_end() == Some(0)
                    });
                if !at_start {
                    return None;
                }
                e.prevent_default();
                let last = chip_id(&self.id, self.chips - 1);
                Some(self.change(self.combo, None, Some(last)))
            }
            _ => None,
        }
    }

    fn chip_key(&self, e: &KeyboardEvent, key: &str, index: usize) -> Option<TagsChange> {
        let focus = match key {
            "Delete" | "Backspace" => {
                e.prevent_default();
                return self.remove(index);
            }
            "ArrowLeft" => chip_id(&self.id, index.saturating_sub(1)),
            "ArrowRight" if index + 1 < self.chips => chip_id(&self.id, index + 1),
            "ArrowRight" => self.id.clone(),
            _ => return None,
        };
        e.prevent_default();
        Some(self.change(self.combo, None, Some(focus)))
    }
}

/// The editor's handlers, as data rather than a closure type each (README, Size).
#[derive(Clone, Copy)]
enum Handler {
    /// The input's text changed: the popup opens with no active option.
    Input,
    /// The focus left the input: the popup closes.
    Close,
    Key,
    Click,
    /// A press on the listbox keeps the focus in the input while an option is clicked.
    Hold,
}

/// An event on the editor, for the editor as drawn.
#[derive(Clone)]
pub struct TagsAction(std::rc::Rc<Editor>, Handler);

impl TagsAction {
    /// What the event changes, for the form to take in.
    pub fn apply(&self, e: &web_sys::Event) -> Option<TagsChange> {
        let TagsAction(state, handler) = self;
        match handler {
            Handler::Input => {
                let combo = Combo {
                    open: true,
                    active: None,
                };
                Some(state.change(combo, Some(target_value(e)), None))
            }
            Handler::Close => Some(state.change(Combo::default(), None, None)),
            // Keyboard events only: a script's plain `Event` named `keydown` has no `key`.
            Handler::Key => state.key(e.dyn_ref::<KeyboardEvent>()?),
            Handler::Click => state.click(e),
            Handler::Hold => {
                e.prevent_default();
                None
            }
        }
    }
}

/// The index of the chip button or option an event came from (`data-i`), and whether it is an
/// option.
fn target_index(target: Option<web_sys::EventTarget>) -> Option<(usize, bool)> {
    let element = dom::closest(&target?.dyn_into::<Element>().ok()?, "[data-i]")?;
    let index = providers::digits::parse_usize(&element.get_attribute("data-i")?)?;
    Some((index, element.has_attribute("role")))
}

/// The chips, the named input and (with suggestions) the listbox.
pub fn tags_control(props: &FieldProps, editor: &TagsEditor, wiring: Wiring) -> Html {
    let Wiring {
        id,
        invalid,
        described_by,
        read_only,
        ..
    } = wiring;
    let options: Vec<AttrValue> = match &props.choices {
        Some(Choices::Suggest { options, .. }) => options.iter().map(|o| o.0.clone()).collect(),
        _ => Vec::new(),
    };
    let combobox = matches!(props.choices, Some(Choices::Suggest { .. })) && !read_only;
    let open = combobox && editor.combo.open && !options.is_empty();
    let active = editor.combo.active.filter(|i| open && *i < options.len());
    let text = String::from(props.value.as_str());
    let chips: Vec<String> = tags::chips(&text).into_iter().map(String::from).collect();
    let state = std::rc::Rc::new(Editor {
        name: props.spec.name,
        id: id.to_string(),
        text,
        options,
        chips: chips.len(),
        combobox,
        open,
        active,
        combo: editor.combo,
    });
    let listbox_id = providers::substring::concat(&[id, "-listbox"]);
    let on = |handler: Handler| On::Tags(TagsAction(state.clone(), handler));

    let chip_list = (!chips.is_empty()).then(|| {
        el("ul")
            .attr("class", "cf-chips")
            .attr("part", "chips")
            .attr("aria-label", text_of(&props.label))
            .children(chips.iter().enumerate().map(|(index, tag)| {
                el("li")
                    .attr("class", "cf-chip")
                    .attr("part", "chip")
                    .child(el("span").text(tag.clone()))
                    .child_opt((!read_only).then(|| {
                        el("button")
                            .attr("type", "button")
                            .attr("id", chip_id(id, index))
                            .attr("data-i", providers::digits::text(index as u64))
                            .attr("class", "cf-chip-remove")
                            .attr("part", "chip-remove")
                            .attr(
                                "aria-label",
                                crate::i18n::fill(&editor.remove, &[("tag", tag)]),
                            )
                            .child(el("span").attr("aria-hidden", "true").text("×"))
                    }))
                    .into()
            }))
    });
    let listbox = combobox.then(|| {
        let options = state.options.iter().enumerate().map(|(index, tag)| {
            el("li")
                .attr("id", option_id(id, index))
                .attr("data-i", providers::digits::text(index as u64))
                .attr("role", "option")
                .attr("class", "cf-option")
                .attr("part", "option")
                .attr(
                    "aria-selected",
                    if active == Some(index) {
                        "true"
                    } else {
                        "false"
                    },
                )
                .text(text_of(tag))
                .into()
        });
        el("ul")
            .attr("id", listbox_id.clone())
            .attr("class", "cf-listbox")
            .attr("part", "listbox")
            .attr("role", "listbox")
            .attr("aria-label", text_of(&editor.suggested))
            .flag("hidden", !open)
            // Keeps the focus in the input while an option is clicked.
            .on(Event::MouseDown, on(Handler::Hold))
            .children(options.filter(|_| open))
    });
    let mut input = el("input")
        .attr("id", id.to_string())
        .attr("name", props.spec.name)
        .attr("type", "text")
        .attr("part", "input")
        .flag("readonly", read_only)
        .flag("required", props.spec.required)
        .attr_opt("aria-invalid", invalid)
        .attr_opt("aria-describedby", described_by.clone())
        .attr_opt("autocomplete", combobox.then_some("off"))
        .attr_opt("role", combobox.then_some("combobox"))
        .attr_opt("aria-autocomplete", combobox.then_some("list"))
        .attr_opt(
            "aria-expanded",
            combobox.then_some(if open { "true" } else { "false" }),
        )
        .attr_opt("aria-controls", combobox.then_some(listbox_id))
        .attr_opt("aria-activedescendant", active.map(|i| option_id(id, i)))
        .value(text_of(&props.value))
        .on(Event::Input, on(Handler::Input));
    if open {
        input = input.on(Event::FocusOut, on(Handler::Close));
    }

    el("div")
        .attr("class", "cf-tags")
        .on(Event::KeyDown, on(Handler::Key))
        .on(Event::Click, on(Handler::Click))
        .child_opt(chip_list)
        .child(
            el("div")
                .attr("class", "cf-combo")
                .child(input)
                .child_opt(listbox),
        )
        .into()
}
