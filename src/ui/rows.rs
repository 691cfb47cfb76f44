//! Row editors drawn from a JSON field's canonical text: metadata as key/value rows here, Count's
//! contacts as one row per contact in `contact_rows.rs`, on the drawing functions below.
//!
//! View functions over the text: every edit parses the field's current text, changes one
//! thing, writes the text back and dispatches it like a keystroke in the named textarea (which
//! stays beside the rows, in sync). Drafts, conflicts and the save machine therefore see one
//! text per field, as before. The only state is `RowsText`: the text as the rows last wrote it,
//! and the row to focus once they are drawn again.

use dom::{el, Event};
use providers::contacts::{parse_contacts, set_contact_text, set_primary, write_contacts};
use providers::pairs::{parse_pairs, write_pairs, Pair};
use providers::text_key;
use providers::{FieldKind, FieldSpec, Json};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::AttrValue;

use super::contact_rows::contact_rows;
use super::metadata_rows::metadata_rows;
use super::shell::{target_value, Html, On};
use crate::form::FormState;
use crate::i18n::Catalog;

/// A form's row-drawn fields as their rows last wrote them (one entry per field).
///
/// An edit starts from this text, not from the text the rows were drawn from, so a second edit
/// made before a redraw does not undo the first. Under Yew, whose scheduler paused after a run
/// over 16 ms, a key's last letter, Tab and a value typed at once lost that letter
/// (`tests/component.rs`, `two_row_edits_made_before_a_redraw_both_count`); the form now
/// redraws after each event's messages, and this keeps it right whenever drawing waits. Each
/// drawing sets it back to the form's text, which by then holds every edit sent.
///
/// It also holds the row to focus once the rows are drawn again (after adding or removing one):
/// the form calls `focus_drawn_row` from `rendered`, so the focus waits for the drawing.
#[derive(Clone, Default)]
pub struct RowsText {
    texts: Rc<RefCell<Vec<(&'static str, String)>>>,
    focus: Rc<RefCell<Option<RowToFocus>>>,
}

/// A row (1-based) of the rows container `rows`; with no such row, its add button.
struct RowToFocus {
    rows: Element,
    row: usize,
}

impl RowsText {
    fn set(&self, name: &'static str, text: &str) {
        let mut texts = self.texts.borrow_mut();
        match texts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, held)) => {
                held.clear();
                held.push_str(text);
            }
            None => texts.push((name, text.to_string())),
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        let texts = self.texts.borrow();
        texts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
    }

    /// After the next drawing, focuses the first input of row `row` (1-based) of the rows the
    /// click `e` was in or, with no such row, their add button.
    pub(super) fn focus_after_redraw(&self, e: &web_sys::Event, row: usize) {
        let rows = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| dom::closest(&el, ".cf-rows"));
        if let Some(rows) = rows {
            *self.focus.borrow_mut() = Some(RowToFocus { rows, row });
        }
    }

    /// The form has drawn: the row asked for by the last add or remove takes the focus.
    pub(super) fn focus_drawn_row(&self) {
        let Some(RowToFocus { rows, row }) = self.focus.borrow_mut().take() else {
            return;
        };
        let target = dom::query(
            &rows,
            &providers::substring::concat(&[
                "[data-row=\"",
                &providers::digits::text(row as u64),
                "\"] input",
            ]),
        )
        .or_else(|| dom::query(&rows, ".cf-row-add"));
        if let Some(target) = target {
            dom::focus(&target);
        }
    }
}

/// What a rows editor's edits start from: the named control's id and the field's text as the
/// rows last wrote it.
pub struct EditTarget<'a> {
    pub id: &'a str,
    pub written: &'a RowsText,
}

/// The rows editor for a JSON field, or `None` for other kinds.
#[inline(never)]
pub fn editor(
    catalog: &Catalog,
    spec: &FieldSpec,
    value: &str,
    field_error: bool,
    read_only: bool,
    target: EditTarget,
) -> Option<Html> {
    if !matches!(spec.kind, FieldKind::JsonObject | FieldKind::JsonList) {
        return None;
    }
    target.written.set(spec.name, value);
    let edit = Edit {
        id: AttrValue::from(target.id.to_string()),
        kind_is_list: spec.kind == FieldKind::JsonList,
        name: spec.name,
        written: target.written.clone(),
    };
    let label = catalog.t(spec.label);
    let rows = if edit.kind_is_list {
        parse_contacts(value).map(|items| contact_rows(catalog, &items, read_only, &edit))
    } else {
        parse_pairs(value)
            .map(|pairs| metadata_rows(catalog, &pairs, field_error, read_only, &edit))
    };
    let rows = rows.unwrap_or_else(|| {
        vec![el("p")
            .attr("class", "cf-hint cf-rows-note")
            .attr("part", "rows-note")
            .text(catalog.t(text_key!("rows.fix_json")))
            .into()]
    });
    Some(
        el("div")
            .attr("class", "cf-rows")
            .attr("part", "rows")
            .attr("role", "group")
            .attr("aria-label", label)
            .children(rows)
            .into(),
    )
}

/// Whether a field of this form is drawn as rows, so an edit of its text must redraw them.
pub fn draws_rows(state: &FormState, name: &str) -> bool {
    state
        .contract()
        .fields(state.operation())
        .iter()
        .any(|f| f.name == name && matches!(f.kind, FieldKind::JsonObject | FieldKind::JsonList))
}

/// What every edit needs: the field and its text as last written.
#[derive(Clone)]
pub(super) struct Edit {
    /// The named control's id, the stem of the rows' element ids.
    pub(super) id: AttrValue,
    /// Contacts (a JSON list) rather than metadata (an object).
    pub(super) kind_is_list: bool,
    pub(super) name: &'static str,
    pub(super) written: RowsText,
}

impl Edit {
    fn current(&self) -> String {
        self.written.get(self.name).unwrap_or_default()
    }

    fn written(&self, text: String) -> (&'static str, String) {
        self.written.set(self.name, &text);
        (self.name, text)
    }

    /// Applies `change` to the rows of the current text: the field's text written back.
    pub(super) fn pairs(
        &self,
        change: impl FnOnce(&mut Vec<Pair>),
    ) -> Option<(&'static str, String)> {
        let mut pairs = parse_pairs(&self.current())?;
        change(&mut pairs);
        Some(self.written(write_pairs(&pairs)))
    }

    pub(super) fn contacts(
        &self,
        change: impl FnOnce(&mut Vec<Json>),
    ) -> Option<(&'static str, String)> {
        let mut items = parse_contacts(&self.current())?;
        change(&mut items);
        Some(self.written(write_contacts(&items)))
    }
}

/// The column heads, the rows and the add button: both editors share these few drawing
/// functions.
#[inline(never)]
pub(super) fn rows_view(
    heads: &[String],
    head_class: &'static str,
    mut rows: Vec<Html>,
    read_only: bool,
    add_text: String,
    add: On,
) -> Vec<Html> {
    let head = (!rows.is_empty()).then(|| {
        el("div")
            .attr("class", head_class)
            .attr("aria-hidden", "true")
            .children(heads.iter().map(|w| el("span").text(w.clone()).into()))
            .into()
    });
    let add = (!read_only).then(|| {
        el("button")
            .attr("type", "button")
            .attr("class", "cf-row-add")
            .attr("part", "row-add")
            .on(Event::Click, add)
            .text(add_text)
            .into()
    });
    let mut drawn = Vec::with_capacity(rows.len() + 2);
    drawn.push(head.unwrap_or(Html::Empty));
    drawn.append(&mut rows);
    drawn.push(add.unwrap_or(Html::Empty));
    drawn
}

/// One text input of a row.
pub(super) struct Cell<'a> {
    pub(super) kind: &'static str,
    pub(super) class: &'static str,
    pub(super) value: String,
    /// Its column's head ("Email"), its placeholder too: a phone's width hides the heads.
    pub(super) word: &'a str,
    /// Its row's number, which its label adds to the head ("Email 2").
    pub(super) n: &'a str,
    pub(super) read_only: bool,
    /// The id of the row's error, when it is about this input.
    pub(super) error: Option<String>,
    pub(super) oninput: On,
}

#[inline(never)]
pub(super) fn cell(c: Cell) -> Html {
    el("input")
        .attr("type", c.kind)
        .attr("class", c.class)
        .attr(
            "aria-label",
            providers::substring::concat(&[c.word, " ", c.n]),
        )
        .attr("placeholder", c.word.to_string())
        .flag("readonly", c.read_only)
        .attr_opt("aria-invalid", c.error.as_ref().map(|_| "true"))
        .attr_opt("aria-describedby", c.error)
        .attr("autocomplete", "off")
        .value(c.value)
        .on(Event::Input, c.oninput)
        .into()
}

/// A row's checkbox ("JSON") or radio ("Primary"), with its visible word.
#[inline(never)]
pub(super) fn toggle(
    kind: &'static str,
    checked: bool,
    read_only: bool,
    label: String,
    text: String,
    error: Option<String>,
    onclick: On,
) -> Html {
    el("label")
        .attr("class", "cf-row-json")
        .child(
            el("input")
                .attr("type", kind)
                .flag("disabled", read_only)
                .attr("aria-label", label)
                .attr_opt("aria-invalid", error.as_ref().map(|_| "true"))
                .attr_opt("aria-describedby", error)
                .checked(checked)
                .on(Event::Click, onclick),
        )
        .text(text)
        .into()
}

/// A row: its inputs, its remove button and what is wrong with it.
pub(super) struct Row {
    pub(super) index: usize,
    pub(super) class: &'static str,
    /// The name of a row that is a group of its own (a contact).
    pub(super) group: Option<String>,
    pub(super) cells: Vec<Html>,
    pub(super) remove: Option<(String, String, On)>,
    pub(super) error: Option<(String, String)>,
}

#[inline(never)]
pub(super) fn row(r: Row) -> Html {
    let n = providers::digits::text(r.index as u64 + 1);
    el("div")
        .key(n.clone())
        .attr("class", r.class)
        .attr("part", "row")
        .attr("data-row", n)
        .attr_opt("role", r.group.as_ref().map(|_| "group"))
        .attr_opt("aria-label", r.group)
        .children(r.cells)
        .child_opt(r.remove.map(|(label, text, onclick)| {
            el("button")
                .attr("type", "button")
                .attr("class", "cf-row-remove")
                .attr("part", "row-remove")
                .attr("aria-label", label)
                .on(Event::Click, onclick)
                .text(text)
        }))
        .child_opt(r.error.map(|(id, text)| {
            el("p")
                .attr("id", id)
                .attr("class", "cf-field-error cf-row-error")
                .attr("part", "row-error")
                .text(text)
        }))
        .into()
}

/// What a row editor's input, button or toggle does: data the form applies (`RowAction::apply`),
/// not a closure per kind of edit, each of which the package carried as a type of its own
/// with its call shim, drop code and vtable (README, Size).
pub struct RowAction {
    pub(super) edit: Edit,
    /// The row (0-based); for `Add`, the row count before it.
    pub(super) row: usize,
    pub(super) change: RowChange,
}

#[derive(Clone, Copy)]
pub(super) enum RowChange {
    Add,
    Remove,
    /// A metadata key typed.
    Key,
    /// A metadata value typed: as JSON when its box is ticked.
    Value {
        json: bool,
    },
    /// Ticking "JSON" reads the text as JSON (`5`, `[1, 2]`); unticking keeps it as text.
    Json,
    /// A contact's first name, last name, email or phone typed.
    Contact(&'static str),
    /// A click, not a change: with two primaries typed in the JSON, both radios are checked
    /// and choosing one of them must still clear the other.
    Primary,
}

impl RowAction {
    pub(super) fn on(edit: &Edit, row: usize, change: RowChange) -> On {
        On::Row(Rc::new(RowAction {
            edit: edit.clone(),
            row,
            change,
        }))
    }

    /// Applies the edit to the field's text as the rows last wrote it, and gives the field's
    /// new text, an edit for the form; after adding or removing a row, the row that takes the
    /// focus is the new one or the one in the removed one's place.
    pub(super) fn apply(&self, e: &web_sys::Event) -> Option<(&'static str, String)> {
        let (edit, i) = (&self.edit, self.row);
        let typed = || target_value(e);
        let mut left = 0;
        let written = if edit.kind_is_list {
            edit.contacts(|items| {
                match self.change {
                    RowChange::Add => items.push(Json::Object(Vec::new())),
                    RowChange::Remove if i < items.len() => {
                        items.remove(i);
                    }
                    RowChange::Contact(member) => {
                        if let Some(item) = items.get_mut(i) {
                            set_contact_text(item, member, &typed());
                        }
                    }
                    RowChange::Primary => set_primary(items, i),
                    _ => {}
                }
                left = items.len();
            })
        } else {
            edit.pairs(|pairs| {
                match (self.change, pairs.get_mut(i)) {
                    (RowChange::Add, _) => pairs.push(Pair::text("", "")),
                    (RowChange::Remove, Some(_)) => {
                        pairs.remove(i);
                    }
                    (RowChange::Key, Some(pair)) => pair.key = typed(),
                    (RowChange::Value { json }, Some(pair)) => {
                        let text = typed();
                        pair.raw = if json {
                            text
                        } else {
                            Pair::text("", &text).raw
                        };
                    }
                    (RowChange::Json, Some(pair)) => {
                        pair.raw = match pair.cell() {
                            Ok(text) => text,
                            Err(raw) => Pair::text("", raw).raw,
                        };
                    }
                    _ => {}
                }
                left = pairs.len();
            })
        };
        match self.change {
            RowChange::Add => edit.written.focus_after_redraw(e, i + 1),
            RowChange::Remove => edit.written.focus_after_redraw(e, (i + 1).min(left)),
            _ => {}
        }
        written
    }
}
