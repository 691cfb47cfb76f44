//! Count's contacts: one row per contact on create (first name, last name, email, phone, one
//! "Primary" radio), drawn with the row functions of `rows.rs`, and on update a read-only list
//! (Count's API cannot change contacts there).

use dom::el;
use providers::contacts::{contact_problems, contact_text, is_primary, CONTACT_TEXT_FIELDS};
use providers::text_key;
use providers::Json;

use super::rows::{cell, row, rows_view, toggle, Cell, Edit, Row, RowAction, RowChange};
use super::shell::Html;
use crate::i18n::Catalog;

#[inline(never)]
pub(super) fn contact_rows(
    catalog: &Catalog,
    items: &[Json],
    read_only: bool,
    edit: &Edit,
) -> Vec<Html> {
    let problems = contact_problems(items);
    let words: Vec<String> = [
        text_key!("field.first_name"),
        text_key!("field.last_name"),
        text_key!("field.email"),
        text_key!("field.phone"),
    ]
    .iter()
    .map(|key| catalog.t(key))
    .collect();
    let count = items.len();
    let add = RowAction::on(edit, count, RowChange::Add);
    let rows = items
        .iter()
        .zip(problems)
        .enumerate()
        .map(|(i, (item, problem))| {
            contact_row(catalog, i, item, problem, read_only, edit, &words)
        });
    rows_view(
        &words,
        "cf-row cf-contact cf-row-head",
        rows.collect(),
        read_only,
        catalog.t(text_key!("contacts.add")),
        add,
    )
}

#[inline(never)]
fn contact_row(
    catalog: &Catalog,
    i: usize,
    item: &Json,
    problem: Option<&'static str>,
    read_only: bool,
    edit: &Edit,
    words: &[String],
) -> Html {
    let n = providers::digits::text(i as u64 + 1);
    let error_id = providers::substring::concat(&[&edit.id, "-row-", &n, "-error"]);
    let bad_email = problem == Some(text_key!("error.count.contact_email"));
    let inputs = CONTACT_TEXT_FIELDS.iter().zip(words).map(|(member, word)| {
        let member: &'static str = member;
        cell(Cell {
            kind: match member {
                "email" => "email",
                "phone" => "tel",
                _ => "text",
            },
            class: "cf-row-cell",
            value: contact_text(item, member),
            word,
            n: &n,
            read_only,
            error: (bad_email && member == "email").then(|| error_id.clone()),
            oninput: RowAction::on(edit, i, RowChange::Contact(member)),
        })
    });
    let primary_problem = problem == Some(text_key!("error.count.one_primary"));
    let mut cells: Vec<Html> = inputs.collect();
    cells.push(toggle(
        "radio",
        is_primary(item),
        read_only,
        catalog.t_with(text_key!("contacts.primary_n"), &[("n", &n)]),
        catalog.t(text_key!("contacts.primary")),
        primary_problem.then(|| error_id.clone()),
        RowAction::on(edit, i, RowChange::Primary),
    ));
    row(Row {
        index: i,
        class: "cf-row cf-contact",
        group: Some(catalog.t_with(text_key!("contacts.contact"), &[("n", &n)])),
        cells,
        remove: (!read_only).then(|| {
            (
                catalog.t_with(text_key!("contacts.remove"), &[("n", &n)]),
                catalog.t(text_key!("rows.remove")),
                RowAction::on(edit, i, RowChange::Remove),
            )
        }),
        error: problem.map(|p| (error_id, catalog.t(p))),
    })
}

/// A Count update: the record's contacts as a list, and why they cannot be changed here.
#[inline(never)]
pub fn contacts_read_only(catalog: &Catalog, id_prefix: &str, raw: &Json) -> Html {
    let items = raw
        .get("contacts")
        .and_then(Json::as_array)
        .unwrap_or_default();
    let title_id = providers::substring::concat(&[id_prefix, "-contacts-title"]);
    let primary = catalog.t(text_key!("contacts.primary"));
    let list = if items.is_empty() {
        el("p")
            .attr("class", "cf-hint")
            .text(catalog.t(text_key!("contacts.none")))
    } else {
        el("ul")
            .attr("class", "cf-contacts-list")
            .attr("part", "contacts-list")
            .attr("aria-labelledby", title_id.clone())
            .children(
                items
                    .iter()
                    .map(|item| el("li").text(contact_line(item, &primary)).into()),
            )
    };
    el("div")
        .key("contacts-view")
        .attr("class", "cf-field cf-contacts-view")
        .attr("part", "field contacts-view")
        .child(
            el("p")
                .attr("id", title_id)
                .attr("class", "cf-label")
                .attr("part", "label")
                .text(catalog.t(text_key!("contacts.title"))),
        )
        .child(list)
        .child(
            el("p")
                .attr("class", "cf-hint")
                .text(catalog.t(text_key!("contacts.read_only"))),
        )
        .into()
}

/// "Ann Lee · ann@acme.test · +44 … · Primary": the parts a contact has.
fn contact_line(item: &Json, primary: &str) -> String {
    let mut line = String::new();
    for member in CONTACT_TEXT_FIELDS {
        let text = contact_text(item, member);
        if !text.is_empty() {
            if !line.is_empty() {
                line.push_str(if member == "lastName" { " " } else { " · " });
            }
            line.push_str(&text);
        }
    }
    if is_primary(item) {
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(primary);
    }
    line
}
