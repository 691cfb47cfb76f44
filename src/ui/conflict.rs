//! The choice a person makes between two versions of a record: when it changed on the server
//! while they edited it, or when they chose to edit an existing customer instead of creating a
//! duplicate (then every differing field is shown at once, the saved value beside theirs).
//! A view function, like `field`.

use yew::prelude::*;

use crate::form::Side;

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
    pub on_keep_mine: Callback<MouseEvent>,
    pub on_take_theirs: Callback<MouseEvent>,
    pub on_show_merge: Callback<MouseEvent>,
    pub on_choose: Callback<(&'static str, Side)>,
    pub on_apply_merge: Callback<MouseEvent>,
}

pub fn conflict_choice(props: ConflictChoiceProps) -> Html {
    let texts = &props.texts;
    let shown = |value: &AttrValue| {
        if value.is_empty() {
            texts.empty.clone()
        } else {
            value.clone()
        }
    };
    if !props.merging && !props.comparing {
        return html! {
            <div class="cf-actions cf-conflict" part="conflict">
                <button type="button" part="keep-mine" onclick={props.on_keep_mine.clone()}>{texts.keep_mine.clone()}</button>
                <button type="button" part="take-theirs" onclick={props.on_take_theirs.clone()}>{texts.take_theirs.clone()}</button>
                <button type="button" part="merge" onclick={props.on_show_merge.clone()}>{texts.merge.clone()}</button>
            </div>
        };
    }
    html! {
        <div class="cf-conflict" part="conflict">
            { for props.fields.iter().map(|field| {
                let group = format!("{}-merge-{}", props.id_prefix, super::field::dashed(field.name));
                let option = |side: Side, label: &AttrValue, value: &AttrValue| {
                    let on_choose = props.on_choose.clone();
                    let name = field.name;
                    let id = format!("{group}-{}", if side == Side::Mine { "mine" } else { "theirs" });
                    html! {
                        <div class="cf-choice">
                            <input type="radio" id={id.clone()} name={group.clone()} checked={field.chosen == side}
                                onchange={Callback::from(move |_: Event| on_choose.emit((name, side)))} />
                            <label for={id}>{label.clone()}<span class="cf-value">{shown(value)}</span></label>
                        </div>
                    }
                };
                html! {
                    <fieldset class="cf-merge-field" part="merge-field">
                        <legend>{field.label.clone()}</legend>
                        { option(Side::Mine, &texts.mine, &field.mine) }
                        { option(Side::Theirs, &texts.theirs, &field.theirs) }
                    </fieldset>
                }
            }) }
            <div class="cf-actions">
                <button type="button" part="apply-merge" onclick={props.on_apply_merge.clone()}>{texts.apply_merge.clone()}</button>
                if props.comparing {
                    <button type="button" part="keep-mine" onclick={props.on_keep_mine.clone()}>{texts.keep_mine.clone()}</button>
                    <button type="button" part="take-theirs" onclick={props.on_take_theirs.clone()}>{texts.take_theirs.clone()}</button>
                }
            </div>
        </div>
    }
}
