//! Conflicts: the record changed on the server while the person edited it. A three-way merge
//! keeps both sides' changes where they touch different fields; where both changed the same
//! field, the person chooses.

use providers::validate::normalize;
use providers::{FieldSpec, FormValues, Record};

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

/// A conflict waiting for the person's decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The server's version now.
    pub theirs: Record,
    pub merged: Merged,
    /// For conflicting fields, the side chosen so far (`Side::Mine` when not chosen).
    pub choices: Vec<(&'static str, Side)>,
}

impl Conflict {
    pub fn choice(&self, field: &str) -> Side {
        self.choices
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(Side::Mine, |(_, side)| *side)
    }

    pub fn choose(&mut self, field: &'static str, side: Side) {
        self.choices.retain(|(f, _)| *f != field);
        self.choices.push((field, side));
    }
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
pub fn resolve(
    merged: &Merged,
    theirs: &FormValues,
    choices: &[(&'static str, Side)],
) -> FormValues {
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
