//! Commerce Layer's danger zone (see `crate::anonymization`): the record's anonymization status,
//! and the confirmation a save that asks for anonymization waits for, inside the form (no
//! `window.confirm`, which a host page may block and which cannot be styled or translated).
//! The `_request_anonymization` / `_cancel_anonymization` boxes themselves are `field.rs`'s
//! checkboxes; `view.rs` shows each only while the status allows it.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::customer_form::{CustomerForm, Message};
use crate::anonymization;

/// Where the focus goes once the next render is on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FocusAfter {
    /// The confirmation's "Cancel" (the harmless choice) when it opens.
    ConfirmCancel,
    /// The request box, when the confirmation was cancelled.
    RequestBox,
    /// The submit button, once the confirmed save is on its way.
    Submit,
}

impl CustomerForm {
    /// The record's anonymization status (Commerce Layer), lower case.
    pub(super) fn anonymization_status(&self) -> Option<String> {
        anonymization::status(&self.state.as_ref()?.loaded.as_ref()?.raw)
    }

    /// "No anonymization has been requested." / "Anonymization was requested…", at the top of
    /// the danger zone.
    pub(super) fn anonymization_status_view(&self) -> Html {
        let status = self.anonymization_status();
        let text = self.catalog.t_with(
            anonymization::status_key(status.as_deref()),
            &[("status", status.as_deref().unwrap_or_default())],
        );
        html! {
            <p class="cf-anonymization-status" part="anonymization-status" key="anonymization-status">{text}</p>
        }
    }

    /// Moves the focus where the last step asked for (see `FocusAfter`).
    pub(super) fn apply_focus(&mut self) {
        let Some(target) = self.focus_after.take() else {
            return;
        };
        let Some(form) = self.form_ref.cast::<web_sys::Element>() else {
            return;
        };
        let selector = match target {
            FocusAfter::ConfirmCancel => "[part~=confirm-cancel]".to_string(),
            FocusAfter::RequestBox => format!("[name={}]", anonymization::REQUEST),
            FocusAfter::Submit => "[part~=submit]".to_string(),
        };
        if let Some(element) = form
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    }

    /// "Anonymize this customer?" with "Anonymize" and "Cancel"; Escape cancels.
    pub(super) fn anonymization_confirm(&self, ctx: &Context<Self>) -> Option<Html> {
        if !self.confirming_anonymization {
            return None;
        }
        let catalog = &self.catalog;
        let title_id = format!("{}-confirm-title", self.id_prefix);
        let text_id = format!("{}-confirm-text", self.id_prefix);
        let onkeydown = ctx.link().batch_callback(|e: KeyboardEvent| {
            (e.key() == "Escape").then(|| {
                e.prevent_default();
                Message::ConfirmAnonymization(false)
            })
        });
        // One closure type for both buttons: each `callback` type costs the package its own copy.
        let answer = |yes: bool| {
            ctx.link()
                .callback(move |_: MouseEvent| Message::ConfirmAnonymization(yes))
        };
        let (confirm, cancel) = (answer(true), answer(false));
        Some(html! {
            <div class="cf-confirm" part="confirm" role="alertdialog"
                aria-labelledby={title_id.clone()} aria-describedby={text_id.clone()} {onkeydown}>
                <p id={title_id} class="cf-confirm-title">{catalog.t("anonymization.confirm_title")}</p>
                <p id={text_id}>{catalog.t("anonymization.confirm_text")}</p>
                <div class="cf-actions">
                    <button type="button" class="cf-danger-button" part="confirm-anonymize" onclick={confirm}>{catalog.t("action.anonymize")}</button>
                    <button type="button" part="confirm-cancel" onclick={cancel}>{catalog.t("action.cancel")}</button>
                </div>
            </div>
        })
    }
}
