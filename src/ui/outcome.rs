//! Where a person learns how a save went: a summary at the top of the form that takes focus on
//! failure and links to each invalid field (the form's one `role="alert"`), and the outcome
//! beside the submit button (successes in the polite `role="status"` region; a failure as plain
//! text, so it is not announced twice).

use yew::prelude::*;

use crate::messages::AlertText;

/// A field the summary links to.
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
    pub form_ref: NodeRef,
}

/// The `role="alert"` summary; present (empty) when there is nothing to say, so assistive
/// technology already knows the region when a failure fills it.
pub fn summary(props: SummaryProps) -> Html {
    let SummaryProps {
        alert,
        invalid,
        summary_ref,
        form_ref,
    } = props;
    html! {
        <div ref={summary_ref} class="cf-alert" role="alert" part="alert" tabindex="-1">
            if let Some(alert) = alert {
                <p class="cf-alert-summary">{alert.summary}</p>
                if let Some(detail) = alert.detail { <p class="cf-alert-detail">{detail}</p> }
                if let Some(other) = alert.other_fields { <p class="cf-alert-detail">{other}</p> }
                if !invalid.is_empty() {
                    <ul class="cf-error-links" part="error-links">
                        { for invalid.into_iter().map(|field| error_link(field, &form_ref)) }
                    </ul>
                }
            }
        </div>
    }
}

fn error_link(field: InvalidField, form_ref: &NodeRef) -> Html {
    let href = format!("#{}", field.id);
    let form_ref = form_ref.clone();
    let id = field.id;
    // A fragment link does not reach into a shadow root: the click focuses the field itself.
    let onclick = Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        focus_by_id(&form_ref, &id);
    });
    html! {
        <li><a {href} part="error-link" {onclick}>{field.label}{": "}{field.message}</a></li>
    }
}

/// Focuses the element with this id inside the form.
pub fn focus_by_id(form: &NodeRef, id: &str) {
    let target = form
        .cast::<web_sys::Element>()
        .and_then(|form| {
            form.query_selector(&format!("[id=\"{id}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok());
    if let Some(target) = target {
        let _ = target.focus();
    }
}

/// Moves the focus to the summary (after a failed save).
pub fn focus_summary(summary: &NodeRef) {
    if let Some(summary) = summary.cast::<web_sys::HtmlElement>() {
        let _ = summary.focus();
    }
}

/// Beside the submit button: what the last save did (`notice`, announced politely) or, after a
/// failure, the same words as the summary, as plain text.
pub fn beside_submit(notice: Option<String>, failed: Option<String>) -> Html {
    html! {
        <div class="cf-outcome">
            <div class="cf-status" role="status" part="status">
                if let Some(notice) = notice { <p>{notice}</p> }
            </div>
            if let Some(failed) = failed {
                <p class="cf-failed" part="outcome">{failed}</p>
            }
        </div>
    }
}
