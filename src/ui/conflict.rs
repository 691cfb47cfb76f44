//! The choice a person makes between two versions of a record: when it changed on the server
//! while they edited it, or when they chose to edit an existing customer instead of creating a
//! duplicate (then every differing field is shown at once, the saved value beside theirs).
//! A view function, like `field`.

use dom::{el, Event};
use providers::text_key;
use yew::AttrValue;

use super::customer_form::FormApp;
use super::shell::{text_of, Html, On, Signal};
use crate::form::{FormState, Resolution, Side};

/// One field both sides changed: its label and the two versions.
#[derive(Clone, PartialEq)]
pub struct ConflictingField {
    pub name: &'static str,
    pub label: AttrValue,
    pub mine: AttrValue,
    pub theirs: AttrValue,
    pub chosen: Side,
}

/// The texts the choice shows, already in the form's language.
#[derive(Clone, PartialEq)]
pub struct ConflictTexts {
    pub keep_mine: AttrValue,
    pub take_theirs: AttrValue,
    pub merge: AttrValue,
    pub apply_merge: AttrValue,
    pub mine: AttrValue,
    pub theirs: AttrValue,
    pub empty: AttrValue,
}

pub struct ConflictChoiceProps {
    pub fields: Vec<ConflictingField>,
    pub merging: bool,
    /// Comparing with an existing customer: the fields and every way out, at once.
    pub comparing: bool,
    pub texts: ConflictTexts,
    pub id_prefix: AttrValue,
    pub on_keep_mine: On,
    pub on_take_theirs: On,
    pub on_show_merge: On,
    pub on_apply_merge: On,
}

pub fn conflict_choice(props: ConflictChoiceProps) -> Html {
    let texts = &props.texts;
    let shown = |value: &AttrValue| {
        text_of(if value.is_empty() {
            &texts.empty
        } else {
            value
        })
    };
    let button = |part: &'static str, on: &On, label: &AttrValue| {
        el("button")
            .attr("type", "button")
            .attr("part", part)
            .on(Event::Click, on.clone())
            .text(text_of(label))
    };
    let keep_mine = || button("keep-mine", &props.on_keep_mine, &texts.keep_mine);
    let take_theirs = || button("take-theirs", &props.on_take_theirs, &texts.take_theirs);
    if !props.merging && !props.comparing {
        return el("div")
            .attr("class", "cf-actions cf-conflict")
            .attr("part", "conflict")
            .child(keep_mine())
            .child(take_theirs())
            .child(button("merge", &props.on_show_merge, &texts.merge))
            .into();
    }
    let fields = props.fields.iter().map(|field| {
        let group = providers::substring::concat(&[
            &props.id_prefix,
            "-merge-",
            &super::field::dashed(field.name),
        ]);
        let option = |side: Side, label: &AttrValue, value: &AttrValue| {
            let name = field.name;
            let id = providers::substring::concat(&[
                &group,
                if side == Side::Mine {
                    "-mine"
                } else {
                    "-theirs"
                },
            ]);
            el("div")
                .attr("class", "cf-choice")
                .child(
                    el("input")
                        .attr("type", "radio")
                        .attr("id", id.clone())
                        .attr("name", group.clone())
                        .checked(field.chosen == side)
                        .on(Event::Change, On::Send(Signal::Choose(name, side))),
                )
                .child(
                    el("label")
                        .attr("for", id)
                        .text(text_of(label))
                        .child(el("span").attr("class", "cf-value").text(shown(value))),
                )
        };
        el("fieldset")
            .key(field.name)
            .attr("class", "cf-merge-field")
            .attr("part", "merge-field")
            .child(el("legend").text(text_of(&field.label)))
            .child(option(Side::Mine, &texts.mine, &field.mine))
            .child(option(Side::Theirs, &texts.theirs, &field.theirs))
            .into()
    });
    let comparing = props.comparing;
    el("div")
        .attr("class", "cf-conflict")
        .attr("part", "conflict")
        .children(fields)
        .child(
            el("div")
                .attr("class", "cf-actions")
                .child(button(
                    "apply-merge",
                    &props.on_apply_merge,
                    &texts.apply_merge,
                ))
                .child_opt(comparing.then(keep_mine))
                .child_opt(comparing.then(take_theirs)),
        )
        .into()
}

impl FormApp {
    /// The choice between the person's version and the server's, while a conflict waits for it.
    pub(super) fn conflict_view(
        &self,
        state: &FormState,
        label_of: &dyn Fn(&str) -> String,
    ) -> Option<Html> {
        let conflict = state.conflict()?;
        let catalog = &self.catalog;
        let resolve = |resolution: Resolution| On::Send(Signal::Resolve(resolution));
        let fields = conflict
            .merged
            .conflicts
            .iter()
            .map(|name| ConflictingField {
                name,
                label: label_of(name).into(),
                mine: state.values.get(name).to_string().into(),
                theirs: conflict.theirs.values.get(name).to_string().into(),
                chosen: conflict.choice(name),
            })
            .collect::<Vec<_>>();
        let option = |side: &str| {
            catalog.t_with(text_key!("conflict.option"), &[("side", &catalog.t(side))])
        };
        let comparing = state.comparing();
        // The same choice in other words when the other version is an existing customer's.
        let text = |conflict_key: &'static str, compare_key: &'static str| -> AttrValue {
            catalog
                .t(if comparing { compare_key } else { conflict_key })
                .into()
        };
        let texts = ConflictTexts {
            keep_mine: text(
                text_key!("conflict.keep_mine"),
                text_key!("compare.keep_mine"),
            ),
            take_theirs: text(
                text_key!("conflict.take_theirs"),
                text_key!("compare.take_theirs"),
            ),
            merge: catalog.t(text_key!("conflict.merge")).into(),
            apply_merge: text(
                text_key!("conflict.apply_merge"),
                text_key!("compare.apply"),
            ),
            mine: option(if comparing {
                text_key!("compare.mine")
            } else {
                text_key!("conflict.mine")
            })
            .into(),
            theirs: option(if comparing {
                text_key!("compare.theirs")
            } else {
                text_key!("conflict.theirs")
            })
            .into(),
            empty: catalog.t(text_key!("conflict.empty")).into(),
        };
        Some(conflict_choice(ConflictChoiceProps {
            fields,
            merging: self.merging,
            comparing,
            texts,
            id_prefix: self.id_prefix.clone(),
            on_keep_mine: resolve(Resolution::KeepMine),
            on_take_theirs: resolve(Resolution::TakeTheirs),
            on_show_merge: On::Send(Signal::ShowMerge),
            on_apply_merge: resolve(Resolution::Merge),
        }))
    }
}
