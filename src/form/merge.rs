//! Three-way merge of a form against a record that changed on the server meanwhile.

use providers::validate::normalize;
use providers::{FieldSpec, FormValues};

/// Which version of a field a person chose when both sides changed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Mine,
    Theirs,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    /// Mine where only I changed a field, theirs where only they did; mine on conflicts.
    pub values: FormValues,
    /// Fields both sides changed, to different values.
    pub conflicts: Vec<&'static str>,
    /// Fields only the server changed (their changes are kept).
    pub theirs_only: Vec<&'static str>,
}

/// `base` is what the form loaded, `mine` what the person has now, `theirs` the server's current
/// record. Values compare in their normal form, so reformatting is not a change.
pub fn three_way(
    fields: &[FieldSpec],
    base: &FormValues,
    mine: &FormValues,
    theirs: &FormValues,
) -> Merged {
    let mut merged = Merged {
        values: mine.clone(),
        conflicts: Vec::new(),
        theirs_only: Vec::new(),
    };
    for spec in fields {
        let normal = |values: &FormValues| normalize(spec.kind, values.get(spec.name));
        let (b, m, t) = (normal(base), normal(mine), normal(theirs));
        if t == b || m == t {
            continue;
        }
        if m == b {
            merged.values.set(spec.name, theirs.get(spec.name));
            merged.theirs_only.push(spec.name);
        } else {
            merged.conflicts.push(spec.name);
        }
    }
    merged
}

/// The merge with the person's choices applied to the conflicting fields.
pub fn resolve(merged: &Merged, theirs: &FormValues, choices: &[(String, Side)]) -> FormValues {
    let mut values = merged.values.clone();
    for field in &merged.conflicts {
        let side = choices
            .iter()
            .find(|(f, _)| f == field)
            .map_or(Side::Mine, |(_, s)| *s);
        if side == Side::Theirs {
            values.set(*field, theirs.get(field));
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use providers::FieldKind;

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
        let resolved = resolve(&merged, &theirs, &[("c".into(), Side::Theirs)]);
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
}
