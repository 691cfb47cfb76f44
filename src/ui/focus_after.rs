//! Where the focus goes once the next render is on screen, when the step a person took removes
//! the control they used (a conflict's buttons, the confirmation's) or opens something to
//! answer: without it, the focus falls to the page and a keyboard user starts again from the
//! top.

use wasm_bindgen::JsCast;

use super::customer_form::FormApp;
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
}

impl FormApp {
    /// Moves the focus where the last step asked for. A failure's summary, focused in the same
    /// render, comes first (`rendered`).
    pub(super) fn apply_focus(&mut self) {
        let Some(target) = self.focus_after.take() else {
            return;
        };
        let Some(form) = self.form_ref.get() else {
            return;
        };
        let request;
        let selectors: &[&str] = match target {
            FocusAfter::ConfirmCancel => &["[part~=confirm-cancel]"],
            FocusAfter::RequestBox => {
                request = providers::substring::concat(&["[name=", anonymization::REQUEST, "]"]);
                &[&request]
            }
            FocusAfter::Submit => &["[part~=submit]"],
            FocusAfter::MergeChoice => &[
                "[part~=merge-field] input:checked",
                "[part~=merge-field] input",
            ],
        };
        if let Some(element) = selectors
            .iter()
            .find_map(|selector| form.query_selector(selector).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    }
}
