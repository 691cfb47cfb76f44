//! Where a person learns how a save went: a summary at the top of the form that takes focus on
//! failure and links to each invalid field (the form's one `role="alert"`), and the outcome
//! beside the submit button (successes in the polite `role="status"` region; a failure as plain
//! text, so it is not announced twice).

use dom::{el, Event, NodeRef};

use super::shell::{Html, On};
use crate::messages::AlertText;

/// A field the summary links to (or, with no message, a control to go to).
pub struct InvalidField {
    /// The element id of the field's control.
    pub id: String,
    pub label: String,
    pub message: String,
}

pub struct SummaryProps {
    pub alert: Option<AlertText>,
    pub invalid: Vec<InvalidField>,
    pub summary_ref: NodeRef,
}

/// The `role="alert"` summary; present (empty) when there is nothing to say, so assistive
/// technology already knows the region when a failure fills it.
pub fn summary(props: SummaryProps) -> Html {
    let SummaryProps {
        alert,
        invalid,
        summary_ref,
    } = props;
    let summary = el("div")
        .node_ref(&summary_ref)
        .attr("class", "cf-alert")
        .attr("role", "alert")
        .attr("part", "alert")
        .attr("tabindex", "-1");
    let Some(alert) = alert else {
        return summary.into();
    };
    let detail =
        |text: Option<String>| text.map(|text| el("p").attr("class", "cf-alert-detail").text(text));
    summary
        .child(
            el("p")
                .attr("class", "cf-alert-summary")
                .text(alert.summary),
        )
        .child_opt(detail(alert.detail))
        .child_opt(detail(alert.other_fields))
        .child_opt((!invalid.is_empty()).then(|| {
            el("ul")
                .attr("class", "cf-error-links")
                .attr("part", "error-links")
                .children(invalid.into_iter().map(error_link))
        }))
        .into()
}

fn error_link(field: InvalidField) -> Html {
    let href = providers::substring::concat(&["#", &field.id]);
    let mut link = el("a")
        .attr("href", href)
        .attr("part", "error-link")
        .on(Event::Click, On::Focus(field.id.into()))
        .text(field.label);
    if !field.message.is_empty() {
        link = link.text(": ").text(field.message);
    }
    el("li").child(link).into()
}

/// Focuses the field with this id inside the form; for a field drawn as rows, the first input
/// its row errors describe, where the person fixes it, rather than the JSON beside the rows.
pub fn focus_field(form: &NodeRef, id: &str) {
    focus_first(
        form,
        &[
            &providers::substring::concat(&["[aria-describedby^=\"", id, "-row-\"]"]),
            &providers::substring::concat(&["[id=\"", id, "\"]"]),
        ],
    );
}

/// Focuses the first element inside the form that one of `selectors` finds, tried in turn.
pub fn focus_first(form: &NodeRef, selectors: &[&str]) {
    let target = form.get().and_then(|form| {
        selectors
            .iter()
            .find_map(|selector| dom::query(&form, selector))
    });
    if let Some(target) = target {
        dom::focus(&target);
    }
}

/// Moves the focus to the summary (after a failed save).
pub fn focus_summary(summary: &NodeRef) {
    if let Some(summary) = summary.get() {
        dom::focus(&summary);
    }
}

/// Beside the submit button: what the last save did (`notice`, announced politely) or, after a
/// failure, the same words as the summary, as plain text.
pub fn beside_submit(notice: Option<String>, failed: Option<String>) -> Html {
    el("div")
        .attr("class", "cf-outcome")
        .child(
            el("div")
                .attr("class", "cf-status")
                .attr("role", "status")
                .attr("part", "status")
                .child_opt(notice.map(|notice| el("p").text(notice))),
        )
        .child_opt(failed.map(|failed| {
            el("p")
                .attr("class", "cf-failed")
                .attr("part", "outcome")
                .text(failed)
        }))
        .into()
}
