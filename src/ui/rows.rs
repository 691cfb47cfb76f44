//! Row editors drawn from a JSON field's canonical text: metadata as key/value rows, Count's
//! contacts as one row per contact, and the contacts a Count update can only show.
//!
//! View functions over the text, no state of their own: every edit parses the field's current
//! text, changes one thing, writes the text back and dispatches it like a keystroke in the
//! named textarea (which stays beside the rows, in sync). Drafts, conflicts and the save
//! machine therefore see one text per field, as before.

use providers::contacts::{
    contact_problems, contact_text, is_primary, parse_contacts, set_contact_text, set_primary,
    write_contacts, CONTACT_TEXT_FIELDS,
};
use providers::pairs::{parse_pairs, row_problems, write_pairs, Pair, RowProblem};
use providers::{FieldKind, FieldSpec, Json};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::form::FormState;
use crate::i18n::Catalog;

/// The rows editor for a JSON field, or `None` for other kinds.
pub fn editor(
    catalog: &Catalog,
    spec: &FieldSpec,
    id: &str,
    value: &str,
    field_error: bool,
    read_only: bool,
    on_edit: &Callback<(&'static str, String)>,
) -> Option<Html> {
    let edit = Edit {
        id: AttrValue::from(id.to_string()),
        name: spec.name,
        value: AttrValue::from(value.to_string()),
        on_edit: on_edit.clone(),
    };
    let label = catalog.t(spec.label);
    let rows = match spec.kind {
        FieldKind::JsonObject => parse_pairs(value)
            .map(|pairs| metadata_rows(catalog, &pairs, field_error, read_only, &edit)),
        FieldKind::JsonList => {
            parse_contacts(value).map(|items| contact_rows(catalog, &items, read_only, &edit))
        }
        _ => return None,
    };
    Some(html! {
        <div class="cf-rows" part="rows" role="group" aria-label={label}>
            { rows.unwrap_or_else(|| html! {
                <p class="cf-hint cf-rows-note" part="rows-note">{catalog.t("rows.fix_json")}</p>
            }) }
        </div>
    })
}

/// Whether a field of this form is drawn as rows, so an edit of its text must redraw them.
pub fn draws_rows(state: &FormState, name: &str) -> bool {
    state
        .contract()
        .fields(state.operation())
        .iter()
        .any(|f| f.name == name && matches!(f.kind, FieldKind::JsonObject | FieldKind::JsonList))
}

/// What every edit needs: the field, its text when drawn, and where the new text goes.
#[derive(Clone)]
struct Edit {
    /// The named control's id, the stem of the rows' element ids.
    id: AttrValue,
    name: &'static str,
    value: AttrValue,
    on_edit: Callback<(&'static str, String)>,
}

impl Edit {
    /// Applies `change` to the rows of the current text and dispatches the text written back.
    fn pairs(&self, change: impl FnOnce(&mut Vec<Pair>)) {
        if let Some(mut pairs) = parse_pairs(&self.value) {
            change(&mut pairs);
            self.on_edit.emit((self.name, write_pairs(&pairs)));
        }
    }

    fn contacts(&self, change: impl FnOnce(&mut Vec<Json>)) {
        if let Some(mut items) = parse_contacts(&self.value) {
            change(&mut items);
            self.on_edit.emit((self.name, write_contacts(&items)));
        }
    }
}

fn input_value(e: InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

/// After the rows are drawn again, focuses the first input of row `row` (1-based) or, with no
/// such row, the add button. Yew draws in a task queued before this one, so it runs after it.
fn focus_row_later(e: &MouseEvent, row: usize) {
    let rows = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|el| el.closest(".cf-rows").ok().flatten());
    let Some(rows) = rows else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let target = rows
            .query_selector(&format!("[data-row=\"{row}\"] input"))
            .ok()
            .flatten()
            .or_else(|| rows.query_selector(".cf-row-add").ok().flatten());
        if let Some(target) = target.and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
            let _ = target.focus();
        }
    });
}

fn metadata_rows(
    catalog: &Catalog,
    pairs: &[Pair],
    field_error: bool,
    read_only: bool,
    edit: &Edit,
) -> Html {
    let problems = row_problems(pairs);
    let key_word = catalog.t("rows.key");
    let value_word = catalog.t("rows.value");
    let count = pairs.len();
    let add = {
        let edit = edit.clone();
        Callback::from(move |e: MouseEvent| {
            edit.pairs(|pairs| pairs.push(Pair::text("", "")));
            focus_row_later(&e, count + 1);
        })
    };
    html! { <>
        if !pairs.is_empty() {
            <div class="cf-row cf-row-head" aria-hidden="true"><span>{key_word.clone()}</span><span>{value_word.clone()}</span></div>
        }
        { for pairs.iter().zip(problems).enumerate().map(|(i, (pair, problem))| {
            // A new, still blank row is not an error until the person tries to save.
            let problem = problem.filter(|p| {
                *p != RowProblem::EmptyKey || field_error || pair.cell().map_or(true, |t| !t.is_empty())
            });
            pair_row(catalog, i, pair, problem, read_only, edit, (&key_word, &value_word))
        }) }
        if !read_only {
            <button type="button" class="cf-row-add" part="row-add" onclick={add}>{catalog.t("rows.add")}</button>
        }
    </> }
}

fn pair_row(
    catalog: &Catalog,
    i: usize,
    pair: &Pair,
    problem: Option<RowProblem>,
    read_only: bool,
    edit: &Edit,
    (key_word, value_word): (&str, &str),
) -> Html {
    let n = (i + 1).to_string();
    let error_id = format!("{}-row-{n}-error", edit.id);
    let cell = pair.cell();
    let is_json = cell.is_err();
    let key_problem = matches!(
        problem,
        Some(RowProblem::EmptyKey | RowProblem::RepeatedKey)
    );
    let on_key = {
        let edit = edit.clone();
        Callback::from(move |e: InputEvent| {
            let key = input_value(e);
            edit.pairs(|pairs| {
                if let Some(pair) = pairs.get_mut(i) {
                    pair.key = key;
                }
            });
        })
    };
    let on_value = {
        let edit = edit.clone();
        Callback::from(move |e: InputEvent| {
            let text = input_value(e);
            edit.pairs(|pairs| {
                if let Some(pair) = pairs.get_mut(i) {
                    pair.raw = if is_json {
                        text
                    } else {
                        Pair::text("", &text).raw
                    };
                }
            });
        })
    };
    // Ticking "JSON" reads the text as JSON (`5`, `[1, 2]`); unticking keeps it as text.
    let on_json = {
        let edit = edit.clone();
        Callback::from(move |_: Event| {
            edit.pairs(|pairs| {
                if let Some(pair) = pairs.get_mut(i) {
                    pair.raw = match pair.cell() {
                        Ok(text) => text,
                        Err(raw) => Pair::text("", raw).raw,
                    };
                }
            });
        })
    };
    let on_remove = {
        let edit = edit.clone();
        Callback::from(move |e: MouseEvent| {
            let mut left = 0;
            edit.pairs(|pairs| {
                if i < pairs.len() {
                    pairs.remove(i);
                }
                left = pairs.len();
            });
            focus_row_later(&e, (i + 1).min(left));
        })
    };
    let remove_label = if pair.key.is_empty() {
        catalog.t_with("rows.remove_row", &[("n", &n)])
    } else {
        catalog.t_with("rows.remove_named", &[("name", &pair.key)])
    };
    let described = problem.map(|_| error_id.clone());
    let shown = match &cell {
        Ok(text) => text.clone(),
        Err(raw) => (*raw).to_string(),
    };
    html! {
        <div class="cf-row" part="row" data-row={n.clone()} key={i}>
            <input class="cf-row-key" type="text" value={pair.key.clone()} aria-label={format!("{key_word} {n}")}
                readonly={read_only} aria-invalid={key_problem.then_some("true")}
                aria-describedby={described.clone().filter(|_| key_problem)} oninput={on_key} />
            <input class={classes!("cf-row-value", is_json.then_some("cf-mono"))} type="text" value={shown}
                aria-label={format!("{value_word} {n}")} readonly={read_only} spellcheck={is_json.then_some("false")}
                aria-invalid={(problem == Some(RowProblem::BadValue)).then_some("true")}
                aria-describedby={described.filter(|_| !key_problem)} oninput={on_value} />
            <label class="cf-row-json">
                <input type="checkbox" checked={is_json} disabled={read_only}
                    aria-label={catalog.t_with("rows.value_json", &[("n", &n)])} onchange={on_json} />
                {catalog.t("rows.json")}
            </label>
            if !read_only {
                <button type="button" class="cf-row-remove" part="row-remove" aria-label={remove_label} onclick={on_remove}>{catalog.t("rows.remove")}</button>
            }
            if let Some(problem) = problem {
                <p id={error_id} class="cf-field-error cf-row-error" part="row-error">{catalog.t(problem.message_key())}</p>
            }
        </div>
    }
}

fn contact_rows(catalog: &Catalog, items: &[Json], read_only: bool, edit: &Edit) -> Html {
    let problems = contact_problems(items);
    let words: Vec<String> = [
        "field.first_name",
        "field.last_name",
        "field.email",
        "field.phone",
    ]
    .iter()
    .map(|key| catalog.t(key))
    .collect();
    let count = items.len();
    let add = {
        let edit = edit.clone();
        Callback::from(move |e: MouseEvent| {
            edit.contacts(|items| items.push(Json::Object(Vec::new())));
            focus_row_later(&e, count + 1);
        })
    };
    html! { <>
        if !items.is_empty() {
            <div class="cf-row cf-contact cf-row-head" aria-hidden="true">
                { for words.iter().map(|w| html! { <span>{w.clone()}</span> }) }
            </div>
        }
        { for items.iter().zip(problems).enumerate().map(|(i, (item, problem))| {
            contact_row(catalog, i, item, problem, read_only, edit, &words)
        }) }
        if !read_only {
            <button type="button" class="cf-row-add" part="row-add" onclick={add}>{catalog.t("contacts.add")}</button>
        }
    </> }
}

fn contact_row(
    catalog: &Catalog,
    i: usize,
    item: &Json,
    problem: Option<&'static str>,
    read_only: bool,
    edit: &Edit,
    words: &[String],
) -> Html {
    let n = (i + 1).to_string();
    let error_id = format!("{}-row-{n}-error", edit.id);
    let bad_email = problem == Some("error.count.contact_email");
    let inputs = CONTACT_TEXT_FIELDS.iter().zip(words).map(|(member, word)| {
        let member: &'static str = member;
        let oninput = {
            let edit = edit.clone();
            Callback::from(move |e: InputEvent| {
                let text = input_value(e);
                edit.contacts(|items| {
                    if let Some(item) = items.get_mut(i) {
                        set_contact_text(item, member, &text);
                    }
                });
            })
        };
        let invalid = bad_email && member == "email";
        let input_type = match member {
            "email" => "email",
            "phone" => "tel",
            _ => "text",
        };
        html! {
            <input type={input_type} value={contact_text(item, member)} aria-label={format!("{word} {n}")}
                readonly={read_only} aria-invalid={invalid.then_some("true")}
                aria-describedby={invalid.then(|| error_id.clone())} autocomplete="off" {oninput} />
        }
    });
    let on_primary = {
        let edit = edit.clone();
        // A click, not a change: with two primaries typed in the JSON, both radios are checked
        // and choosing one of them must still clear the other.
        Callback::from(move |_: MouseEvent| edit.contacts(|items| set_primary(items, i)))
    };
    let on_remove = {
        let edit = edit.clone();
        Callback::from(move |e: MouseEvent| {
            let mut left = 0;
            edit.contacts(|items| {
                if i < items.len() {
                    items.remove(i);
                }
                left = items.len();
            });
            focus_row_later(&e, (i + 1).min(left));
        })
    };
    let primary_problem = problem == Some("error.count.one_primary");
    html! {
        <div class="cf-row cf-contact" part="row" data-row={n.clone()} key={i} role="group"
            aria-label={catalog.t_with("contacts.contact", &[("n", &n)])}>
            { for inputs }
            <label class="cf-row-json">
                <input type="radio" checked={is_primary(item)} disabled={read_only}
                    aria-label={catalog.t_with("contacts.primary_n", &[("n", &n)])}
                    aria-invalid={primary_problem.then_some("true")}
                    aria-describedby={primary_problem.then(|| error_id.clone())} onclick={on_primary} />
                {catalog.t("contacts.primary")}
            </label>
            if !read_only {
                <button type="button" class="cf-row-remove" part="row-remove"
                    aria-label={catalog.t_with("contacts.remove", &[("n", &n)])} onclick={on_remove}>{catalog.t("rows.remove")}</button>
            }
            if let Some(problem) = problem {
                <p id={error_id} class="cf-field-error cf-row-error" part="row-error">{catalog.t(problem)}</p>
            }
        </div>
    }
}

/// A Count update: the record's contacts as a list, and why they cannot be changed here.
pub fn contacts_read_only(catalog: &Catalog, id_prefix: &str, raw: &Json) -> Html {
    let items = raw
        .get("contacts")
        .and_then(Json::as_array)
        .unwrap_or_default();
    let title_id = format!("{id_prefix}-contacts-title");
    let primary = catalog.t("contacts.primary");
    html! {
        <div class="cf-field cf-contacts-view" part="field contacts-view">
            <p id={title_id.clone()} class="cf-label" part="label">{catalog.t("contacts.title")}</p>
            if items.is_empty() {
                <p class="cf-hint">{catalog.t("contacts.none")}</p>
            } else {
                <ul class="cf-contacts-list" part="contacts-list" aria-labelledby={title_id}>
                    { for items.iter().map(|item| {
                        let name = [contact_text(item, "firstName"), contact_text(item, "lastName")]
                            .into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
                        let mut parts = vec![name, contact_text(item, "email"), contact_text(item, "phone")];
                        if is_primary(item) {
                            parts.push(primary.clone());
                        }
                        parts.retain(|s| !s.is_empty());
                        html! { <li>{parts.join(" · ")}</li> }
                    }) }
                </ul>
            }
            <p class="cf-hint">{catalog.t("contacts.read_only")}</p>
        </div>
    }
}
