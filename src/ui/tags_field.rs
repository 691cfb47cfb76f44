//! The tags editor (Partnero, Commerce Layer): a chip per tag with its remove button above the
//! named input, which keeps the whole comma-separated text (scripts fill it, the save reads it;
//! the chips are drawn from it, see `crate::tags`). With the organisation's tags (Commerce
//! Layer) the input is a WAI-ARIA combobox with list autocomplete: typing opens a listbox of the
//! tags matching the one being typed, ArrowDown/ArrowUp move the active option, Enter or a click
//! adds it, Escape closes. Keyboard on the chips: Delete or Backspace removes the focused chip
//! and the focus moves to its neighbour (the input when none is left), ArrowLeft/ArrowRight move
//! between chips and the input; Backspace with the caret at the start of the input focuses the
//! last chip (it never removes one unseen).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::customer_form::{CustomerForm, Message};
use super::field::{Choices, FieldProps};
use crate::tags;

/// The combobox's popup: whether it is open, and which option is active.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Combo {
    pub open: bool,
    pub active: Option<usize>,
}

/// What the editor asks of the form: a new popup state, maybe a new text for the field, and an
/// element (by id) to focus or to scroll into view once rendered.
#[derive(Clone)]
pub struct TagsChange {
    pub combo: Combo,
    pub text: Option<(&'static str, String)>,
    pub focus: Option<String>,
    pub reveal: Option<String>,
}

/// What `field()` needs to draw the editor.
pub struct TagsEditor {
    pub combo: Combo,
    pub on_change: Callback<TagsChange>,
    /// "Remove tag {tag}".
    pub remove: String,
    /// The listbox's name ("Suggested tags").
    pub suggested: AttrValue,
}

impl CustomerForm {
    pub(super) fn tags_editor(&self, ctx: &Context<Self>) -> TagsEditor {
        let generation = self.generation;
        TagsEditor {
            combo: self.tags_combo,
            on_change: ctx
                .link()
                .callback(move |change| Message::Tags(generation, change)),
            remove: self.catalog.t("tags.remove"),
            suggested: self.catalog.t("tags.suggested").into(),
        }
    }

    /// After a render: the focus or scroll the editor asked for.
    pub(super) fn tags_rendered(&mut self) {
        let focus = self.tags_focus.take();
        let reveal = self.tags_reveal.take();
        let Some(root) = self.root_ref.cast::<Element>() else {
            return;
        };
        let find = |id: &str| {
            root.query_selector(&["#", id].concat())
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        };
        if let Some(element) = focus.as_deref().and_then(find) {
            let _ = element.focus();
        }
        // The active option scrolled into its listbox's view, without scrolling the page
        // (`scrollIntoView` moves every scrolling ancestor).
        if let Some(option) = reveal.as_deref().and_then(find) {
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

fn chip_id(id: &str, index: usize) -> String {
    format!("{id}-chip-{index}")
}

fn option_id(id: &str, index: usize) -> String {
    format!("{id}-opt-{index}")
}

/// The chips, the named input and (with suggestions) the listbox.
pub fn tags_control(
    props: &FieldProps,
    editor: &TagsEditor,
    id: &str,
    invalid: Option<&'static str>,
    described_by: &Option<String>,
    read_only: bool,
) -> Html {
    let name = props.spec.name;
    let text = props.value.to_string();
    let chips = tags::chips(&text);
    let count = chips.len();
    let options: Vec<AttrValue> = match &props.choices {
        Some(Choices::Suggest { options, .. }) => options.iter().map(|o| o.0.clone()).collect(),
        _ => Vec::new(),
    };
    let combobox = matches!(props.choices, Some(Choices::Suggest { .. })) && !read_only;
    let open = combobox && editor.combo.open && !options.is_empty();
    let active = editor.combo.active.filter(|i| open && *i < options.len());
    let listbox_id = format!("{id}-listbox");
    let on_change = &editor.on_change;

    let remove_chip = |index: usize| {
        let on_change = on_change.clone();
        let text = text.clone();
        let id = id.to_string();
        move || {
            let focus = match tags::focus_after_removal(index, count) {
                Some(next) => chip_id(&id, next),
                None => id.clone(),
            };
            on_change.emit(TagsChange {
                combo: Combo::default(),
                text: Some((name, tags::without(&text, index))),
                focus: Some(focus),
                reveal: None,
            });
        }
    };
    let combo = editor.combo;
    let focus_only = move |target: String| TagsChange {
        combo,
        text: None,
        focus: Some(target),
        reveal: None,
    };

    let chip_list = (count > 0).then(|| {
        html! {
            <ul class="cf-chips" part="chips" aria-label={props.label.clone()}>
                { for chips.iter().enumerate().map(|(index, tag)| {
                    let button = (!read_only).then(|| {
                        let remove = remove_chip(index);
                        let onclick = {
                            let remove = remove.clone();
                            Callback::from(move |_: MouseEvent| remove())
                        };
                        let onkeydown = {
                            let on_change = on_change.clone();
                            let (id, before, after) = (
                                id.to_string(),
                                index.checked_sub(1).map(|i| chip_id(id, i)),
                                if index + 1 < count { chip_id(id, index + 1) } else { id.to_string() },
                            );
                            Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                                "Delete" | "Backspace" => {
                                    e.prevent_default();
                                    remove();
                                }
                                "ArrowLeft" => {
                                    e.prevent_default();
                                    on_change.emit(focus_only(before.clone().unwrap_or_else(|| chip_id(&id, 0))));
                                }
                                "ArrowRight" => {
                                    e.prevent_default();
                                    on_change.emit(focus_only(after.clone()));
                                }
                                _ => {}
                            })
                        };
                        html! {
                            <button type="button" id={chip_id(id, index)} class="cf-chip-remove" part="chip-remove"
                                aria-label={editor.remove.replace("{tag}", tag)} {onclick} {onkeydown}>
                                <span aria-hidden="true">{"×"}</span>
                            </button>
                        }
                    });
                    html! {
                        <li class="cf-chip" part="chip"><span>{tag.to_string()}</span>{button}</li>
                    }
                }) }
            </ul>
        }
    });

    let pick = |index: usize| -> Option<TagsChange> {
        let tag = options.get(index)?;
        Some(TagsChange {
            combo: Combo::default(),
            text: Some((name, tags::pick(&text, tag))),
            focus: Some(id.to_string()),
            reveal: None,
        })
    };

    let oninput = {
        let on_change = on_change.clone();
        Callback::from(move |e: InputEvent| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            on_change.emit(TagsChange {
                combo: Combo {
                    open: true,
                    active: None,
                },
                text: Some((name, text)),
                focus: None,
                reveal: None,
            });
        })
    };
    let onkeydown = {
        let on_change = on_change.clone();
        let picked = active.and_then(pick);
        let last_chip = count.checked_sub(1).map(|i| chip_id(id, i));
        let n = options.len();
        let id = id.to_string();
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            match key.as_str() {
                "ArrowDown" | "ArrowUp" if combobox && n > 0 => {
                    e.prevent_default();
                    let down = key == "ArrowDown";
                    let next = match active {
                        None if down => 0,
                        None => n - 1,
                        Some(i) if down => (i + 1) % n,
                        Some(i) => (i + n - 1) % n,
                    };
                    on_change.emit(TagsChange {
                        combo: Combo {
                            open: true,
                            active: Some(next),
                        },
                        text: None,
                        focus: None,
                        reveal: Some(option_id(&id, next)),
                    });
                }
                "Enter" if picked.is_some() => {
                    // Adds the active tag instead of submitting the form.
                    e.prevent_default();
                    if let Some(change) = &picked {
                        on_change.emit(change.clone());
                    }
                }
                // Enter without an active option submits the form; the popup closes.
                "Enter" if open => on_change.emit(TagsChange {
                    combo: Combo::default(),
                    text: None,
                    focus: None,
                    reveal: None,
                }),
                "Escape" if open => {
                    // Closes the popup only, not a dialog the form sits in.
                    e.prevent_default();
                    e.stop_propagation();
                    on_change.emit(TagsChange {
                        combo: Combo::default(),
                        text: None,
                        focus: None,
                        reveal: None,
                    });
                }
                "Backspace" => {
                    let input = e.target_unchecked_into::<HtmlInputElement>();
                    let at_start = input.selection_start() == Ok(Some(0))
                        && input.selection_end() == Ok(Some(0));
                    if let (true, Some(last)) = (at_start, &last_chip) {
                        e.prevent_default();
                        on_change.emit(TagsChange {
                            combo,
                            text: None,
                            focus: Some(last.clone()),
                            reveal: None,
                        });
                    }
                }
                _ => {}
            }
        })
    };
    let onblur = editor.combo.open.then(|| {
        let on_change = on_change.clone();
        Callback::from(move |_: FocusEvent| {
            on_change.emit(TagsChange {
                combo: Combo::default(),
                text: None,
                focus: None,
                reveal: None,
            })
        })
    });

    let listbox = combobox.then(|| {
        html! {
            <ul id={listbox_id.clone()} class="cf-listbox" part="listbox" role="listbox"
                aria-label={editor.suggested.clone()} hidden={!open}>
                if open {
                    { for options.iter().enumerate().map(|(index, tag)| {
                        let onclick = pick(index).map(|change| {
                            let on_change = on_change.clone();
                            Callback::from(move |_: MouseEvent| on_change.emit(change.clone()))
                        });
                        // Keeps the focus in the input while the option is clicked.
                        let onmousedown = Callback::from(|e: MouseEvent| e.prevent_default());
                        let selected = active == Some(index);
                        html! {
                            <li id={option_id(id, index)} role="option" class="cf-option" part="option"
                                aria-selected={if selected { "true" } else { "false" }} {onclick} {onmousedown}>
                                {tag.clone()}
                            </li>
                        }
                    }) }
                }
            </ul>
        }
    });

    html! { <>
        {chip_list}
        <div class="cf-combo">
            <input id={id.to_string()} {name} type="text" part="input"
                value={props.value.clone()} readonly={read_only}
                required={props.spec.required} aria-invalid={invalid}
                aria-describedby={described_by.clone()}
                autocomplete={combobox.then_some("off")}
                role={combobox.then_some("combobox")}
                aria-autocomplete={combobox.then_some("list")}
                aria-expanded={combobox.then_some(if open { "true" } else { "false" })}
                aria-controls={combobox.then(|| listbox_id.clone())}
                aria-activedescendant={active.map(|i| option_id(id, i))}
                {oninput} {onkeydown} {onblur} />
            {listbox}
        </div>
    </> }
}
