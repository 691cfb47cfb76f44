//! The three-way merge on its own.

use super::*;
use crate::form::conflict::{resolve, three_way};
use providers::{FieldKind, FieldSpec};

const FIELDS: &[FieldSpec] = &[
    FieldSpec::new("a", "l", FieldKind::Text),
    FieldSpec::new("b", "l", FieldKind::Text),
    FieldSpec::new("c", "l", FieldKind::Text),
    FieldSpec::new("d", "l", FieldKind::JsonObject),
];

#[test]
fn keeps_both_sides_changes_and_finds_conflicts() {
    let base = FormValues::new()
        .with("a", "1")
        .with("b", "1")
        .with("c", "1")
        .with("d", r#"{"x":1}"#);
    let mine = base
        .clone()
        .with("a", "mine")
        .with("c", "mine")
        .with("d", r#"{ "x" : 1 }"#);
    let theirs = base
        .clone()
        .with("b", "theirs")
        .with("c", "theirs")
        .with("d", r#"{"x":2}"#);
    let merged = three_way(FIELDS, &base, &mine, &theirs);
    assert_eq!(merged.conflicts, vec!["c"]);
    assert_eq!(merged.theirs_only, vec!["b", "d"]);
    assert_eq!(merged.values.get("a"), "mine");
    assert_eq!(merged.values.get("b"), "theirs");
    assert_eq!(merged.values.get("c"), "mine");
    assert_eq!(merged.values.get("d"), r#"{"x":2}"#);
    let resolved = resolve(&merged, &theirs, &[("c", Side::Theirs)]);
    assert_eq!(resolved.get("c"), "theirs");
    assert_eq!(resolved.get("a"), "mine");
}

#[test]
fn the_same_change_on_both_sides_is_no_conflict() {
    let base = FormValues::new().with("a", "1");
    let both = base.clone().with("a", "2");
    let merged = three_way(FIELDS, &base, &both, &both);
    assert!(merged.conflicts.is_empty() && merged.theirs_only.is_empty());
}
