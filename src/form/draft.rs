//! Drafts: unsaved changes kept across a reload (opt-in), restored without ever reverting a
//! change someone else made on the server meanwhile.

use providers::validate::{normalize, same};
use providers::{FieldKind, FormValues};

use super::state::FormState;
use super::Notice;

/// Unsaved changes: the changed fields (`mine`) and what they were when loaded (`base`), where
/// `RECORD` also holds the id of the record they were typed into (empty on a create form).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub mine: FormValues,
    pub base: FormValues,
}

/// The key of `base` that holds the record's id: no field's name. Kept among the values rather
/// than as a member of its own, which cost 93 B more of the package (gzip) for the same check.
const RECORD: &str = "";

impl FormState {
    /// What a draft keeps: the fields changed since the load, with what each was when loaded (so
    /// a restore never reverts someone else's later change), and never a password.
    pub fn draft(&self) -> Draft {
        let mut draft = Draft::default();
        if let Some(record) = &self.loaded {
            draft.base.set(RECORD, record.id.as_str());
        }
        let baseline = self.baseline();
        for spec in self.contract.fields(self.operation()) {
            let now = self.values.get(spec.name);
            let then = baseline.map_or("", |b| b.get(spec.name));
            if spec.kind != FieldKind::Password && !same(spec.kind, now, then) {
                draft.mine.set(spec.name, now);
                draft.base.set(spec.name, then);
            }
        }
        draft
    }

    /// Puts back the draft's fields whose value on the server is still what it was when the
    /// draft was taken; the others keep the server's newer value, and the person is told.
    pub(super) fn restore(&mut self, draft: Draft) {
        // Kept under the name the host gave the form, which can come to name another record
        // (an external id, or none with a customer token): only into the record it was typed in.
        if !self.editable()
            || !self.can_write()
            || draft.base.get(RECORD) != self.loaded.as_ref().map_or("", |r| r.id.as_str())
        {
            return;
        }
        let mut skipped = Vec::new();
        for spec in self.contract.fields(self.operation()) {
            let Some((_, text)) = draft.mine.iter().find(|(f, _)| *f == spec.name) else {
                continue;
            };
            let current = self.baseline().map_or("", |b| b.get(spec.name));
            let base = normalize(spec.kind, draft.base.get(spec.name));
            if base == normalize(spec.kind, current) {
                self.values.set(spec.name, text);
            } else {
                skipped.push(spec.name);
            }
        }
        if !skipped.is_empty() {
            self.notice = Some(Notice::RestoredExcept(skipped));
        } else if self.is_dirty() {
            self.notice = Some(Notice::Restored);
        }
    }
}
