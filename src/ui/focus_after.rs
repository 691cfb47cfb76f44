//! Where the focus goes once the next render is on screen, when the step a person took removes
//! the control they used (a conflict's buttons, the confirmation's) or opens something to
//! answer: without it, the focus falls to the page and a keyboard user starts again from the
//! top.

use super::customer_form::FormApp;
use super::outcome::focus_first;
use crate::anonymization;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FocusAfter {
    /// The confirmation's "Cancel" (the harmless choice) when it opens.
    ConfirmCancel,
    /// The request box, when the confirmation was cancelled.
    RequestBox,
    /// The submit button: once a confirmed save is on its way, or a conflict is settled.
    Submit,
    /// The first field's choice (the one ticked) when the field-by-field comparison opens.
    MergeChoice,
    /// A field, by name: the one whose list "Load again" reloads.
    Field(&'static str),
}

impl FormApp {
    /// Moves the focus where the last step asked for. A failure's summary, focused in the same
    /// render, comes first (`rendered`).
    pub(super) fn apply_focus(&mut self) {
        let Some(target) = self.focus_after.take() else {
            return;
        };
        let named;
        let selectors: &[&str] = match target {
            FocusAfter::ConfirmCancel => &["[part~=confirm-cancel]"],
            FocusAfter::RequestBox => {
                named = providers::substring::concat(&["[name=", anonymization::REQUEST, "]"]);
                &[&named]
            }
            FocusAfter::Field(name) => {
                named = providers::substring::concat(&["[name=\"", name, "\"]"]);
                &[&named]
            }
            FocusAfter::Submit => &["[part~=submit]"],
            FocusAfter::MergeChoice => &[
                "[part~=merge-field] input:checked",
                "[part~=merge-field] input",
            ],
        };
        focus_first(&self.form_ref, selectors);
    }
}
