//! What the page hears from the form (`customer-loaded`, `-saved`, `-error`, `-dirty-change`,
//! `-ready` through the props' callbacks) and what the form hears from the page (leaving with
//! unsaved changes, the page being hidden: when a draft is kept).

use super::shell::Context;
use providers::FieldError;

use super::customer_form::{CustomerFormProps, ErrorReport, FormApp, Message, SavedCustomer};
use crate::browser::{DraftStore, PageHide, UnloadGuard};
use crate::form::{Draft, Event as FormEvent, Failure, FormState};
use crate::messages::{alert_text, failure_kind, field_text};

#[derive(Default)]
pub struct HostEvents {
    /// The dirty flag last reported.
    dirty: bool,
    /// `customer-ready` goes out once per customer, when the form first takes input.
    ready_sent: bool,
    unload_guard: UnloadGuard,
    drafts: Option<Drafts>,
}

/// An opt-in draft: where it is kept, whether it was offered back, and the page-hide listener
/// that writes it.
struct Drafts {
    store: DraftStore,
    /// A draft is restored once, when the form first becomes editable.
    checked: bool,
    _page_hide: PageHide,
}

impl HostEvents {
    /// A new customer (or the first): drafts for it, if asked for.
    pub fn start(&mut self, ctx: &Context, props: &CustomerFormProps) {
        self.ready_sent = false;
        self.drafts = props.keep_draft.then(|| {
            let link = ctx.link().clone();
            Drafts {
                store: DraftStore::new(
                    props.provider.as_str(),
                    props.mode.as_str(),
                    &props.customer_id,
                ),
                checked: false,
                _page_hide: PageHide::listen(move || link.send_message(Message::PageHidden)),
            }
        });
    }

    pub fn stop(&mut self) {
        self.unload_guard.set(false);
        self.drafts = None;
    }

    /// The kept draft, once, as soon as the form can take it.
    pub fn draft_to_restore(&mut self, state: &FormState) -> Option<Draft> {
        let drafts = self.drafts.as_mut()?;
        if drafts.checked || !state.editable() || !state.can_write() {
            return None;
        }
        drafts.checked = true;
        drafts.store.load()
    }

    /// Keeps the unsaved changes (or forgets an old draft when there are none). Called when the
    /// page is hidden or left and when the form goes away, not on every key. Not by a form that
    /// has not yet been offered the kept draft: it would forget it unseen (a form replaced
    /// while its record loads, as React's StrictMode does with `mount()`, or a page hidden
    /// then).
    pub fn keep_draft(&self, state: &FormState) {
        let Some(drafts) = self.drafts.as_ref().filter(|d| d.checked) else {
            return;
        };
        if state.is_dirty() {
            drafts.store.save(&state.draft());
        } else {
            drafts.store.clear();
        }
    }

    /// After a change of state: `customer-ready`, `customer-dirty-change`, the unload guard.
    pub fn follow(&mut self, props: &CustomerFormProps, state: &FormState, ready: bool) {
        if ready && !self.ready_sent {
            self.ready_sent = true;
            props.on_ready.emit(());
        }
        let dirty = state.is_dirty();
        if dirty != self.dirty {
            self.dirty = dirty;
            props.on_dirty_change.emit(dirty);
        }
        self.unload_guard.set(props.warn_unsaved && dirty);
    }

    fn saved(&self) {
        if let Some(drafts) = &self.drafts {
            drafts.store.clear();
        }
    }
}

impl FormApp {
    /// Tells the host what happened, in its terms.
    pub(super) fn emit(&self, ctx: &Context, event: FormEvent) {
        let props = ctx.props();
        match event {
            FormEvent::Loaded(customer) => props.on_loaded.emit(customer),
            FormEvent::Saved {
                operation,
                customer,
            } => {
                self.host.saved();
                props.on_saved.emit(SavedCustomer {
                    operation,
                    customer,
                })
            }
            FormEvent::Error(failure) => props.on_error.emit(self.error_report(props, &failure)),
        }
    }

    fn error_report(&self, props: &CustomerFormProps, failure: &Failure) -> ErrorReport {
        let (kind, status) = failure_kind(failure);
        let text = alert_text(
            &self.catalog,
            props.provider,
            failure,
            &[],
            &|name: &str| name.to_string(),
        );
        let (provider_message, field_errors) = match failure {
            Failure::Api { error, .. } => (
                (!error.message.is_empty()).then(|| error.message.clone()),
                error.field_errors.clone(),
            ),
            _ => (None, Vec::new()),
        };
        // The browser's own checks: what each field says, in the form's language.
        let field_errors = match (failure, &self.state) {
            (Failure::Invalid, Some(state)) => state
                .field_errors
                .iter()
                .map(|(field, message)| {
                    FieldError::new(field.clone(), field_text(&self.catalog, message))
                })
                .collect(),
            _ => field_errors,
        };
        ErrorReport {
            status,
            kind,
            message: text.summary,
            provider_message,
            field_errors,
        }
    }
}
