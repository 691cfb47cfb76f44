//! One labelled control with its hint and error, wired for assistive technology.
//!
//! A view function rather than a component: it keeps no state, and every component type costs
//! the widget a copy of Yew's lifecycle code.

use providers::{FieldKind, FieldSpec};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::tags_field::{tags_control, TagsEditor};

pub struct FieldProps {
    pub spec: FieldSpec,
    /// Prefix that makes element ids unique when several forms share a document.
    pub id_prefix: AttrValue,
    pub label: AttrValue,
    pub hint: Option<AttrValue>,
    pub error: Option<AttrValue>,
    pub value: AttrValue,
    /// The text of each offered value of a choice, in the form's language.
    pub choice_labels: Vec<AttrValue>,
    pub read_only: bool,
    pub on_edit: Callback<(&'static str, String)>,
    /// Choices from the provider's lists (see `reference_field.rs`).
    pub choices: Option<Choices>,
    /// Why the field cannot be changed, when the credential may not write it.
    pub locked: Option<AttrValue>,
    /// The chips editor of a tags field (see `tags_field.rs`).
    pub tags: Option<TagsEditor>,
    /// A richer editor drawn from the same text, shown above the named control (`rows.rs`).
    pub editor: Option<Html>,
}

/// What a field offers beside free typing.
pub enum Choices {
    /// A select of named choices whose values are ids, "none" first (`none`).
    Pick {
        options: Vec<(AttrValue, AttrValue)>,
        none: AttrValue,
        status: ListStatus,
    },
    /// Suggestions for free text: `(whole text, label)`.
    Suggest {
        options: Vec<(AttrValue, AttrValue)>,
        status: ListStatus,
    },
    /// Suggestions in a `<datalist>` the form keeps outside its virtual DOM (Count's
    /// countries, see `country_field.rs`): the list's id.
    Listed(AttrValue),
}

/// What a field says about its list while it loads, when it is empty, failed or cut.
pub struct ListStatus {
    pub text: Option<AttrValue>,
    pub loading: bool,
    /// "Load again", after a failure.
    pub retry: Option<(AttrValue, Callback<MouseEvent>)>,
}

/// The element id of a field's control.
pub fn field_id(id_prefix: &str, name: &str) -> String {
    format!("{id_prefix}-{}", dashed(name))
}

/// A field name fit for an id: `billingAddress.city` → `billingAddress-city`. A loop, not
/// `str::replace`, which linked 1.3 kB raw for this alone (README, Size).
pub fn dashed(name: &str) -> String {
    let mut dashed = String::with_capacity(name.len());
    for c in name.chars() {
        dashed.push(if c == '.' { '-' } else { c });
    }
    dashed
}

pub fn field(props: FieldProps) -> Html {
    let spec = props.spec;
    let id = field_id(&props.id_prefix, spec.name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let list_id = format!("{id}-list");
    let locked_id = format!("{id}-locked");
    let status = match &props.choices {
        Some(Choices::Pick { status, .. } | Choices::Suggest { status, .. }) => Some(status),
        None | Some(Choices::Listed(_)) => None,
    };
    let status_text = status.and_then(|s| s.text.clone());
    let status_id = format!("{id}-list-status");
    let mut described_by = String::new();
    for (shown, id) in [
        (props.error.is_some(), &error_id),
        (props.locked.is_some(), &locked_id),
        (status_text.is_some(), &status_id),
        (props.hint.is_some(), &hint_id),
    ] {
        if shown {
            if !described_by.is_empty() {
                described_by.push(' ');
            }
            described_by.push_str(id);
        }
    }
    let described_by = (!described_by.is_empty()).then_some(described_by);
    let invalid = props.error.as_ref().map(|_| "true");
    let name = spec.name;
    let read_only = props.read_only || props.locked.is_some();

    let control = match (spec.kind, &props.choices) {
        (
            _,
            Some(Choices::Pick {
                options,
                none,
                status,
            }),
        ) => {
            let onchange = on_change(&props.on_edit, name);
            html! {
                <select id={id.clone()} {name} part="input" disabled={read_only}
                    aria-invalid={invalid} aria-busy={status.loading.then_some("true")}
                    aria-describedby={described_by.clone()} {onchange}>
                    <option value="" selected={props.value.is_empty()}>{none.clone()}</option>
                    { for options.iter().map(|(value, label)| html! {
                        <option value={value.clone()} selected={props.value == *value}>{label.clone()}</option>
                    }) }
                </select>
            }
        }
        (kind, choices) => {
            let wiring = Wiring {
                id: &id,
                list_id: &list_id,
                invalid,
                described_by: &described_by,
                read_only,
            };
            control(&props, kind, choices, wiring)
        }
    };

    html! {
        <div class="cf-field" part="field" key={spec.name}>
            <label for={id.clone()} part="label">
                {props.label.clone()}
                if spec.required {
                    <span class="cf-required" aria-hidden="true">{" *"}</span>
                }
            </label>
            if let Some(editor) = props.editor.clone() { {editor} }
            {control}
            if let Some(locked) = &props.locked {
                <p id={locked_id} class="cf-hint cf-locked" part="hint">{locked.clone()}</p>
            }
            if let Some(text) = status_text {
                <p id={status_id} class="cf-hint cf-list-status" part="hint">
                    {text}
                    if let Some((label, onclick)) = status.and_then(|s| s.retry.clone()) {
                        {" "}<button type="button" part="retry-list" {onclick}>{label}</button>
                    }
                </p>
            }
            if let Some(hint) = &props.hint {
                <p id={hint_id} class="cf-hint" part="hint">{hint.clone()}</p>
            }
            if let Some(error) = &props.error {
                <p id={error_id} class="cf-field-error" part="field-error">{error.clone()}</p>
            }
        </div>
    }
}

/// How a field's control is tied to what surrounds it: its id (the label's `for`), its
/// suggestions list, and the notes that describe it.
#[derive(Clone, Copy)]
pub(super) struct Wiring<'a> {
    pub(super) id: &'a str,
    pub(super) list_id: &'a str,
    pub(super) invalid: Option<&'static str>,
    pub(super) described_by: &'a Option<String>,
    pub(super) read_only: bool,
}

/// The field's own control: a textarea, a select of fixed choices, or an input (with its
/// suggestions).
fn control(props: &FieldProps, kind: FieldKind, choices: &Option<Choices>, wiring: Wiring) -> Html {
    let spec = props.spec;
    let name = spec.name;
    if let (FieldKind::Tags, Some(editor)) = (kind, &props.tags) {
        return tags_control(props, editor, wiring);
    }
    let Wiring {
        id,
        list_id,
        invalid,
        described_by,
        read_only,
    } = wiring;
    let id = id.to_string();
    match kind {
        FieldKind::JsonObject | FieldKind::JsonList => {
            let oninput = on_input(&props.on_edit, name);
            html! {
                <textarea id={id.clone()} {name} part="input" spellcheck="false"
                    rows={props.value.lines().count().clamp(3, 12).to_string()}
                    value={props.value.clone()} readonly={read_only}
                    required={spec.required} aria-invalid={invalid}
                    aria-describedby={described_by.clone()} {oninput} />
            }
        }
        // A flag (`"true"` or nothing, e.g. Commerce Layer's anonymization requests): a checkbox.
        FieldKind::Choice(["true"]) => {
            let on_edit = props.on_edit.clone();
            let onchange = Callback::from(move |e: Event| {
                let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
                on_edit.emit((name, if checked { "true" } else { "" }.to_string()));
            });
            html! {
                <input type="checkbox" id={id.clone()} {name} value="true" class="cf-checkbox" part="checkbox"
                    checked={props.value == "true"} disabled={read_only}
                    aria-invalid={invalid} aria-describedby={described_by.clone()} {onchange} />
            }
        }
        FieldKind::Choice(choices) => {
            let onchange = on_change(&props.on_edit, name);
            html! {
                <select id={id.clone()} {name} part="input" disabled={read_only}
                    required={spec.required} aria-invalid={invalid}
                    aria-describedby={described_by.clone()} {onchange}>
                    if !spec.required {
                        <option value="" selected={props.value.is_empty()}>{"—"}</option>
                    }
                    { for choices.iter().zip(props.choice_labels.iter()).map(|(choice, label)| html! {
                        <option value={*choice} selected={props.value.as_str() == *choice}>{label.clone()}</option>
                    }) }
                </select>
            }
        }
        kind => {
            let input_type = match kind {
                FieldKind::Email => "email",
                FieldKind::Tel => "tel",
                FieldKind::Url | FieldKind::Website => "url",
                FieldKind::Password => "password",
                _ => "text",
            };
            let literal = matches!(
                kind,
                FieldKind::Uuid | FieldKind::Email | FieldKind::Url | FieldKind::Website
            );
            let suggestions = match choices {
                Some(Choices::Suggest { options, .. }) if !options.is_empty() => Some(options),
                _ => None,
            };
            let list = match choices {
                Some(Choices::Listed(list)) => Some(list.clone()),
                _ => suggestions.map(|_| list_id.into()),
            };
            let oninput = on_input(&props.on_edit, name);
            html! { <>
                <input id={id.clone()} {name} type={input_type} part="input"
                    value={props.value.clone()} readonly={read_only}
                    required={spec.required} aria-invalid={invalid}
                    aria-describedby={described_by.clone()}
                    autocomplete={spec.autocomplete.or((kind == FieldKind::Password).then_some("new-password"))}
                    maxlength={spec.max_chars.map(|m| m.to_string())}
                    spellcheck={literal.then_some("false")}
                    autocapitalize={literal.then_some("off")}
                    {list}
                    {oninput} />
                if let Some(options) = suggestions {
                    <datalist id={list_id.to_string()}>
                        { for options.iter().map(|(value, label)| html! {
                            <option value={value.clone()} label={label.clone()} />
                        }) }
                    </datalist>
                }
            </> }
        }
    }
}

/// A select's new value, as the field's edit. One callback type for every select, and one for
/// every text control below: a closure per control cost a type each (README, Size).
fn on_change(on_edit: &Callback<(&'static str, String)>, name: &'static str) -> Callback<Event> {
    let on_edit = on_edit.clone();
    Callback::from(move |e: Event| on_edit.emit((name, control_value(&e))))
}

/// An input's or a textarea's new text, as the field's edit.
fn on_input(
    on_edit: &Callback<(&'static str, String)>,
    name: &'static str,
) -> Callback<InputEvent> {
    let on_edit = on_edit.clone();
    Callback::from(move |e: InputEvent| on_edit.emit((name, control_value(&e))))
}

/// The `value` of the control an event came from: an input, a textarea or a select, which all
/// have one (read as an input's; the binding reads the property by name).
fn control_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_dashes_for_dots() {
        assert_eq!(
            field_id("cf1", "billingAddress.city"),
            "cf1-billingAddress-city"
        );
        assert_eq!(dashed("partner.key.name"), "partner-key-name");
        assert_eq!(dashed("email"), "email");
    }
}
