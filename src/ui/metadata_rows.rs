//! Metadata as key/value rows (Prolifi, Commerce Layer), on the row functions of `rows.rs`:
//! a key, a value (text, or JSON when its box is ticked) and a remove button per row.

use providers::pairs::{row_problems, Pair, RowProblem};
use providers::text_key;

use super::rows::{cell, row, rows_view, toggle, Cell, Edit, Row, RowAction, RowChange};
use super::shell::Html;
use crate::i18n::Catalog;

#[inline(never)]
pub(super) fn metadata_rows(
    catalog: &Catalog,
    pairs: &[Pair],
    field_error: bool,
    read_only: bool,
    edit: &Edit,
) -> Vec<Html> {
    let problems = row_problems(pairs);
    let words = [
        catalog.t(text_key!("rows.key")),
        catalog.t(text_key!("rows.value")),
    ];
    let count = pairs.len();
    let add = RowAction::on(edit, count, RowChange::Add);
    let rows = pairs
        .iter()
        .zip(problems)
        .enumerate()
        .map(|(i, (pair, problem))| {
            // A new, still blank row is not an error until the person tries to save.
            let problem = problem.filter(|p| {
                *p != RowProblem::EmptyKey
                    || field_error
                    || pair.cell().map_or(true, |t| !t.is_empty())
            });
            pair_row(catalog, i, pair, problem, read_only, edit, &words)
        });
    rows_view(
        &words,
        "cf-row cf-row-head",
        rows.collect(),
        read_only,
        catalog.t(text_key!("rows.add")),
        add,
    )
}

#[inline(never)]
fn pair_row(
    catalog: &Catalog,
    i: usize,
    pair: &Pair,
    problem: Option<RowProblem>,
    read_only: bool,
    edit: &Edit,
    words: &[String; 2],
) -> Html {
    let n = providers::digits::text(i as u64 + 1);
    let error_id = providers::substring::concat(&[&edit.id, "-row-", &n, "-error"]);
    let cell_text = pair.cell();
    let is_json = cell_text.is_err();
    let key_problem = matches!(
        problem,
        Some(RowProblem::EmptyKey | RowProblem::RepeatedKey)
    );
    let remove_label = if pair.key.is_empty() {
        catalog.t_with(text_key!("rows.remove_row"), &[("n", &n)])
    } else {
        catalog.t_with(text_key!("rows.remove_named"), &[("name", &pair.key)])
    };
    let described = problem.map(|_| error_id.clone());
    let shown = match cell_text {
        Ok(text) => text,
        Err(raw) => raw.to_string(),
    };
    let cells = vec![
        cell(Cell {
            kind: "text",
            class: "cf-row-key",
            value: pair.key.clone(),
            word: &words[0],
            n: &n,
            read_only,
            error: described.clone().filter(|_| key_problem),
            oninput: RowAction::on(edit, i, RowChange::Key),
        }),
        cell(Cell {
            kind: "text",
            class: if is_json {
                "cf-row-value cf-mono"
            } else {
                "cf-row-value"
            },
            value: shown,
            word: &words[1],
            n: &n,
            read_only,
            error: described.filter(|_| !key_problem),
            oninput: RowAction::on(edit, i, RowChange::Value { json: is_json }),
        }),
        toggle(
            "checkbox",
            is_json,
            read_only,
            catalog.t_with(text_key!("rows.value_json"), &[("n", &n)]),
            catalog.t(text_key!("rows.json")),
            None,
            RowAction::on(edit, i, RowChange::Json),
        ),
    ];
    row(Row {
        index: i,
        class: "cf-row",
        group: None,
        cells,
        remove: (!read_only).then(|| {
            (
                remove_label,
                catalog.t(text_key!("rows.remove")),
                RowAction::on(edit, i, RowChange::Remove),
            )
        }),
        error: problem.map(|p| (error_id, catalog.t(p.message_key()))),
    })
}
