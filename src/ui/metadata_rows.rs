//! Metadata as key/value rows (Prolifi, Commerce Layer), on the row functions of `rows.rs`:
//! a key, a value (text, or JSON when its box is ticked) and a remove button per row.

use providers::pairs::{row_problems, Pair, RowProblem};
use providers::text_key;

use super::rows::{cell, remove_callback, row, rows_view, toggle, Cell, Edit, Row};
use super::shell::{target_value, Html, On};
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
    let add = {
        let edit = edit.clone();
        On::new(move |e: &web_sys::Event| {
            edit.pairs(|pairs| pairs.push(Pair::text("", "")));
            edit.written.focus_after_redraw(e, count + 1);
        })
    };
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
    let n = (i + 1).to_string();
    let error_id = format!("{}-row-{n}-error", edit.id);
    let cell_text = pair.cell();
    let is_json = cell_text.is_err();
    let key_problem = matches!(
        problem,
        Some(RowProblem::EmptyKey | RowProblem::RepeatedKey)
    );
    let on_key = {
        let edit = edit.clone();
        On::new(move |e: &web_sys::Event| {
            let key = target_value(e);
            edit.pairs(|pairs| {
                if let Some(pair) = pairs.get_mut(i) {
                    pair.key = key;
                }
            });
        })
    };
    let on_value = {
        let edit = edit.clone();
        On::new(move |e: &web_sys::Event| {
            let text = target_value(e);
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
        On::new(move |_: &web_sys::Event| {
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
            label: format!("{} {n}", words[0]),
            read_only,
            error: described.clone().filter(|_| key_problem),
            oninput: on_key,
        }),
        cell(Cell {
            kind: "text",
            class: if is_json {
                "cf-row-value cf-mono"
            } else {
                "cf-row-value"
            },
            value: shown,
            label: format!("{} {n}", words[1]),
            read_only,
            error: described.filter(|_| !key_problem),
            oninput: on_value,
        }),
        toggle(
            "checkbox",
            is_json,
            read_only,
            catalog.t_with(text_key!("rows.value_json"), &[("n", &n)]),
            catalog.t(text_key!("rows.json")),
            None,
            on_json,
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
                remove_callback(edit, i),
            )
        }),
        error: problem.map(|p| (error_id, catalog.t(p.message_key()))),
    })
}
