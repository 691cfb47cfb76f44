//! A message for the form's state (`Message::Form`): what the app does around the state's one
//! transition. A submit that asks for anonymization waits for the person's confirmation; a
//! billing edit is also its shipping twin's while shipping follows billing; a save that has
//! just failed takes the focus to the summary; a submit while the provider asks the form to
//! wait waits the rest out; and a keystroke that changed only its own field's text is not
//! rendered again.

use super::country_field::ShippingAddress;
use super::customer_form::FormApp;
use super::focus_after::FocusAfter;
use super::shell::Context;
use super::view;
use crate::form::Msg;

impl FormApp {
    /// `msg` from the form of `generation` (a stale generation's is dropped); whether to render.
    pub(super) fn on_form(&mut self, ctx: &Context, generation: u32, msg: Msg) -> bool {
        if generation != self.generation {
            return false;
        }
        // An edit while the confirmation is open (the box unticked, say) changes the save it
        // asked about: it closes, and the next submit asks again if it still must.
        let closed_confirmation =
            matches!(msg, Msg::Edit { .. }) && std::mem::take(&mut self.confirming_anonymization);
        // A save that asks for anonymization waits for the person's confirmation.
        if matches!(msg, Msg::Submit { .. })
            && !std::mem::take(&mut self.anonymization_confirmed)
            && self.state.as_ref().is_some_and(|s| {
                s.editable() && crate::anonymization::needs_confirmation(&s.values)
            })
        {
            self.confirming_anonymization = true;
            self.focus_after = Some(FocusAfter::ConfirmCancel);
            return true;
        }
        // A wait the provider asked for (its `Retry-After`) is kept by the page's clock: a submit
        // before it is over waits the rest out (`Msg::SubmitAfter`) instead of being refused.
        // The clock is read for a reply that asks to wait and for a submit, not on every key.
        if let Some(secs) = msg.retry_after_secs() {
            self.wait_until = js_sys::Date::now() + f64::from(secs) * 1000.0;
        }
        let msg = match msg {
            Msg::Submit { fresh_key } => {
                let left = self.wait_until - js_sys::Date::now();
                if left > 0.0 {
                    Msg::SubmitAfter {
                        fresh_key,
                        secs: (left / 1000.0).ceil() as u32,
                    }
                } else {
                    Msg::Submit { fresh_key }
                }
            }
            msg => msg,
        };
        let suggesting = matches!(&msg, Msg::Edit { field, .. } if self.suggests(field));
        // While shipping follows billing, a billing edit is also its shipping twin's.
        let mirror = match &msg {
            Msg::Edit { field, text } => self.mirror_of(field).map(|twin| (twin, text.clone())),
            _ => None,
        };
        let Some(state) = self.state.as_mut() else {
            return false;
        };
        // A field drawn as rows redraws them from its new text (rows.rs).
        let rows = matches!(&msg, Msg::Edit { field, .. } if super::rows::draws_rows(state, field));
        let edited = matches!(msg, Msg::Edit { .. }) && !suggesting && !rows && mirror.is_none();
        let submitted = matches!(msg, Msg::Submit { .. });
        if matches!(msg, Msg::Resolve(_)) {
            // The conflict's buttons go: the focus goes on to the form's own.
            self.merging = false;
            self.focus_after = Some(FocusAfter::Submit);
        }
        let shown_before = view::Shown::of(state);
        let failures_before = state.failures;
        let first_record = matches!(msg, Msg::Loaded(Ok(_))) && state.loaded.is_none();
        let save_landed = matches!(msg, Msg::Saved(Ok(_)));
        let mut effects = state.update(msg);
        // Saved while shipping follows billing: the copies are the record's shipping address
        // now, so clearing the box keeps them rather than giving back the one the save replaced.
        if save_landed && matches!(state.phase(), crate::form::Phase::Saved) {
            if let ShippingAddress::SameAsBilling { set_aside } = &mut self.shipping {
                *set_aside = None;
            }
        }
        if let Some((field, text)) = mirror {
            effects.extend(state.update(Msg::Edit { field, text }));
        }
        // A save that has just failed (again, after another submit): the summary says what
        // happened and links to the fields. Failures that stop the form from starting leave the
        // focus where it is.
        if state.failure.is_some()
            && (submitted || state.failures != failures_before)
            && !state.failure.as_ref().is_some_and(|f| f.is_fatal())
        {
            self.focus_summary = true;
        }
        // A keystroke that changed only its own field's text needs no render: the input
        // already shows it.
        let render = closed_confirmation
            || !(edited && effects.is_empty() && view::Shown::of(state) == shown_before);
        self.run(ctx, effects);
        self.follow_up(ctx);
        if first_record {
            // After a restored draft, which may hold another shipping address.
            self.shipping = if self.addresses_match() {
                ShippingAddress::SameAsBilling { set_aside: None }
            } else {
                ShippingAddress::Own
            };
        }
        if self
            .state
            .as_ref()
            .is_some_and(|s| s.loaded.is_some() || s.failure.is_some())
        {
            // Answered: the loading state will not be needed.
            self.quiet = None;
        }
        render
    }
}
