//! Commerce Layer's danger zone (see `crate::anonymization`): the record's anonymization status,
//! and the confirmation a save that asks for anonymization waits for, inside the form (no
//! `window.confirm`, which a host page may block and which cannot be styled or translated).
//! The `_request_anonymization` / `_cancel_anonymization` boxes themselves are `field.rs`'s
//! checkboxes; `view.rs` shows each only while the status allows it.

use dom::{el, Event};
use providers::text_key;

use super::customer_form::FormApp;
use super::shell::{Html, On, Signal};
use crate::anonymization;

impl FormApp {
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
        el("p")
            .key("anonymization-status")
            .attr("class", "cf-anonymization-status")
            .attr("part", "anonymization-status")
            .text(text)
            .into()
    }

    /// "Anonymize this customer?" with "Anonymize" and "Cancel"; Escape cancels.
    pub(super) fn anonymization_confirm(&self) -> Option<Html> {
        if !self.confirming_anonymization {
            return None;
        }
        let catalog = &self.catalog;
        let title_id = providers::substring::concat(&[&self.id_prefix, "-confirm-title"]);
        let text_id = providers::substring::concat(&[&self.id_prefix, "-confirm-text"]);
        let onkeydown = On::Escape(Signal::ConfirmAnonymization(false));
        let answer = |yes: bool| On::Send(Signal::ConfirmAnonymization(yes));
        let button = |part: &'static str, yes: bool, label: &str| {
            el("button")
                .attr("type", "button")
                .attr("part", part)
                .on(Event::Click, answer(yes))
                .text(catalog.t(label))
        };
        Some(
            el("div")
                .attr("class", "cf-confirm")
                .attr("part", "confirm")
                .attr("role", "alertdialog")
                .attr("aria-labelledby", title_id.clone())
                .attr("aria-describedby", text_id.clone())
                .on(Event::KeyDown, onkeydown)
                .child(
                    el("p")
                        .attr("id", title_id)
                        .attr("class", "cf-confirm-title")
                        .text(catalog.t(text_key!("anonymization.confirm_title"))),
                )
                .child(
                    el("p")
                        .attr("id", text_id)
                        .text(catalog.t(text_key!("anonymization.confirm_text"))),
                )
                .child(
                    el("div")
                        .attr("class", "cf-actions")
                        .child(
                            button("confirm-anonymize", true, text_key!("action.anonymize"))
                                .attr("class", "cf-danger-button"),
                        )
                        .child(button("confirm-cancel", false, text_key!("action.cancel"))),
                )
                .into(),
        )
    }
}
