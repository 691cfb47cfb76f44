//! One labelled control with its hint and error, wired for assistive technology.

use dom::{el, Event};
use providers::{FieldKind, FieldSpec};
use yew::AttrValue;

use super::shell::{text_of, Html, On, Read};
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
    pub retry: Option<(AttrValue, On)>,
}

/// The element id of a field's control.
pub fn field_id(id_prefix: &str, name: &str) -> String {
    providers::substring::concat(&[id_prefix, "-", &dashed(name)])
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
    let hint_id = providers::substring::concat(&[&id, "-hint"]);
    let error_id = providers::substring::concat(&[&id, "-error"]);
    let list_id = providers::substring::concat(&[&id, "-list"]);
    let locked_id = providers::substring::concat(&[&id, "-locked"]);
    let status = match &props.choices {
        Some(Choices::Pick { status, .. } | Choices::Suggest { status, .. }) => Some(status),
        None | Some(Choices::Listed(_)) => None,
    };
    let status_text = status.and_then(|s| s.text.clone());
    let status_id = providers::substring::concat(&[&id, "-list-status"]);
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

    let (control, datalist) = match (spec.kind, &props.choices) {
        (
            _,
            Some(Choices::Pick {
                options,
                none,
                status,
            }),
        ) => el("select")
            .attr("id", id.clone())
            .attr("name", name)
            .attr("part", "input")
            .flag("disabled", read_only)
            .attr_opt("aria-invalid", invalid)
            .attr_opt("aria-busy", status.loading.then_some("true"))
            .attr_opt("aria-describedby", described_by.clone())
            .child(el("option").attr("value", "").text(text_of(none)))
            .children(options.iter().map(|(value, label)| {
                el("option")
                    .attr("value", text_of(value))
                    .text(text_of(label))
                    .into()
            }))
            .value(text_of(&props.value))
            .on(Event::Change, On::Edit(name, Read::Value))
            .alone(),
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

    let retry = status.and_then(|s| s.retry.clone());
    el("div")
        .key(spec.name)
        .attr("class", "cf-field")
        .attr("part", "field")
        .child(
            el("label")
                .attr("for", id.clone())
                .attr("part", "label")
                .text(text_of(&props.label))
                .child_opt(spec.required.then(|| {
                    el("span")
                        .attr("class", "cf-required")
                        .attr("aria-hidden", "true")
                        .text(" *")
                })),
        )
        .child(props.editor.unwrap_or(Html::Empty))
        .child(control)
        .child(datalist)
        .child_opt(
            props
                .locked
                .as_ref()
                .map(|locked| note(locked_id, "cf-hint cf-locked", "hint", locked)),
        )
        .child_opt(status_text.map(|text| {
            note(status_id, "cf-hint cf-list-status", "hint", &text)
                .child_opt(retry.as_ref().map(|_| dom::text(" ")))
                .child_opt(retry.map(|(label, onclick)| {
                    el("button")
                        .attr("type", "button")
                        .attr("part", "retry-list")
                        .on(Event::Click, onclick)
                        .text(text_of(&label))
                }))
        }))
        .child_opt(
            props
                .hint
                .as_ref()
                .map(|hint| note(hint_id, "cf-hint", "hint", hint)),
        )
        .child_opt(
            props
                .error
                .as_ref()
                .map(|error| note(error_id, "cf-field-error", "field-error", error)),
        )
        .into()
}

/// A paragraph that describes the field's control (its id is in the control's
/// `aria-describedby`): the lock, the list's status, the hint, the error.
fn note(id: String, class: &'static str, part: &'static str, text: &AttrValue) -> dom::Element<On> {
    el("p")
        .attr("id", id)
        .attr("class", class)
        .attr("part", part)
        .text(text_of(text))
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
/// A control and the suggestions list drawn after it (`Html::Empty` when it has none).
type Control = (Html, Html);

/// A control with no suggestions list.
trait Alone {
    fn alone(self) -> Control;
}

impl Alone for dom::Element<On> {
    fn alone(self) -> Control {
        (self.into(), Html::Empty)
    }
}

fn control(
    props: &FieldProps,
    kind: FieldKind,
    choices: &Option<Choices>,
    wiring: Wiring,
) -> Control {
    let spec = props.spec;
    let name = spec.name;
    if let (FieldKind::Tags, Some(editor)) = (kind, &props.tags) {
        return (tags_control(props, editor, wiring), Html::Empty);
    }
    let Wiring {
        id,
        list_id,
        invalid,
        described_by,
        read_only,
    } = wiring;
    let id = id.to_string();
    let common = |tag: &'static str| {
        el(tag)
            .attr("id", id.clone())
            .attr("name", name)
            .attr("part", "input")
    };
    let wired = |element: dom::Element<On>| {
        element
            .attr_opt("aria-invalid", invalid)
            .attr_opt("aria-describedby", described_by.clone())
    };
    match kind {
        FieldKind::JsonObject | FieldKind::JsonList => wired(
            common("textarea")
                .attr("spellcheck", "false")
                .attr(
                    "rows",
                    providers::digits::text(
                        providers::substring::lines(&props.value)
                            .count()
                            .clamp(3, 12) as u64,
                    ),
                )
                .flag("readonly", read_only)
                .flag("required", spec.required),
        )
        .value(text_of(&props.value))
        .on(Event::Input, On::Edit(name, Read::Value))
        .alone(),
        // A flag (`"true"` or nothing, e.g. Commerce Layer's anonymization requests): a checkbox.
        FieldKind::Choice(["true"]) => wired(
            el("input")
                .attr("type", "checkbox")
                .attr("id", id.clone())
                .attr("name", name)
                .attr("value", "true")
                .attr("class", "cf-checkbox")
                .attr("part", "checkbox")
                .flag("disabled", read_only),
        )
        .checked(props.value == "true")
        .on(Event::Change, On::Edit(name, Read::Checked))
        .alone(),
        FieldKind::Choice(choices) => wired(
            common("select")
                .flag("disabled", read_only)
                .flag("required", spec.required),
        )
        .child_opt((!spec.required).then(|| el("option").attr("value", "").text("—")))
        .children(
            choices
                .iter()
                .zip(props.choice_labels.iter())
                .map(|(choice, label)| {
                    el("option")
                        .attr("value", *choice)
                        .text(text_of(label))
                        .into()
                }),
        )
        .value(text_of(&props.value))
        .on(Event::Change, On::Edit(name, Read::Value))
        .alone(),
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
                Some(Choices::Listed(list)) => Some(text_of(list)),
                _ => suggestions.map(|_| list_id.to_string().into()),
            };
            let input = wired(
                common("input")
                    .attr("type", input_type)
                    .flag("readonly", read_only)
                    .flag("required", spec.required),
            )
            .attr_opt(
                "autocomplete",
                spec.autocomplete
                    .or((kind == FieldKind::Password).then_some("new-password")),
            )
            .attr_opt(
                "maxlength",
                spec.max_chars.map(|m| providers::digits::text(m as u64)),
            )
            .attr_opt("spellcheck", literal.then_some("false"))
            .attr_opt("autocapitalize", literal.then_some("off"))
            .attr_opt("list", list)
            .value(text_of(&props.value))
            .on(Event::Input, On::Edit(name, Read::Value));
            let datalist = suggestions.map(|options| {
                el("datalist")
                    .attr("id", list_id.to_string())
                    .children(options.iter().map(|(value, label)| {
                        el("option")
                            .attr("value", text_of(value))
                            .attr("label", text_of(label))
                            .into()
                    }))
                    .into()
            });
            (input.into(), datalist.unwrap_or(Html::Empty))
        }
    }
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
