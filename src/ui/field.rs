//! One labelled control with its hint and error, wired for assistive technology.
//!
//! A view function rather than a component: it keeps no state, and every component type costs
//! the widget a copy of Yew's lifecycle code.

use providers::{FieldKind, FieldSpec};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

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
}

/// The element id of a field's control.
pub fn field_id(id_prefix: &str, name: &str) -> String {
    format!("{id_prefix}-{}", name.replace('.', "-"))
}

pub fn field(props: FieldProps) -> Html {
    let spec = props.spec;
    let id = field_id(&props.id_prefix, spec.name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = [
        props.error.as_ref().map(|_| error_id.as_str()),
        props.hint.as_ref().map(|_| hint_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let described_by = (!described_by.is_empty()).then_some(described_by);
    let invalid = props.error.as_ref().map(|_| "true");
    let name = spec.name;

    let control = match spec.kind {
        FieldKind::JsonObject | FieldKind::JsonList => {
            let on_edit = props.on_edit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                on_edit.emit((
                    name,
                    e.target_unchecked_into::<HtmlTextAreaElement>().value(),
                ));
            });
            html! {
                <textarea id={id.clone()} {name} part="input" rows="3" spellcheck="false"
                    value={props.value.clone()} readonly={props.read_only}
                    required={spec.required} aria-invalid={invalid}
                    aria-describedby={described_by.clone()} {oninput} />
            }
        }
        FieldKind::Choice(choices) => {
            let on_edit = props.on_edit.clone();
            let onchange = Callback::from(move |e: Event| {
                on_edit.emit((name, e.target_unchecked_into::<HtmlSelectElement>().value()));
            });
            html! {
                <select id={id.clone()} {name} part="input" disabled={props.read_only}
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
            let on_edit = props.on_edit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                on_edit.emit((name, e.target_unchecked_into::<HtmlInputElement>().value()));
            });
            html! {
                <input id={id.clone()} {name} type={input_type} part="input"
                    value={props.value.clone()} readonly={props.read_only}
                    required={spec.required} aria-invalid={invalid}
                    aria-describedby={described_by.clone()}
                    autocomplete={spec.autocomplete.or((kind == FieldKind::Password).then_some("new-password"))}
                    maxlength={spec.max_chars.map(|m| m.to_string())}
                    spellcheck={literal.then_some("false")}
                    autocapitalize={literal.then_some("off")}
                    {oninput} />
            }
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
            {control}
            if let Some(hint) = &props.hint {
                <p id={hint_id} class="cf-hint" part="hint">{hint.clone()}</p>
            }
            if let Some(error) = &props.error {
                <p id={error_id} class="cf-field-error" part="field-error">{error.clone()}</p>
            }
        </div>
    }
}
