//! The save machine's writing steps: a submit checked and turned into its first request, the
//! write sent, a saved record taken in (and the edits made meanwhile sent after it), and a
//! conflict resolved as the person chose. Called by the transition function (`save.rs`) and by
//! the create and update paths (`create_lookup.rs`, `recheck.rs`).

use providers::{ApiError, ErrorKind, HttpRequest, Operation};

use super::activity::{Activity, AfterChoice, LaterEdits, LookupPurpose, Request, Settled};
use super::conflict::{resolve, Conflict};
use super::recheck::same_write;
use super::retry::MAX_RETRY_AFTER_SECS;
use super::state::FormState;
use super::{Effect, Event, Failure, FieldMessage, Notice, Resolution, Saved, Step};

impl FormState {
    pub(super) fn submit(&mut self, fresh_key: String) -> Vec<Effect> {
        if !self.editable() || !self.can_write() {
            return Vec::new();
        }
        let operation = self.operation();
        let request = match self.build(None) {
            Err(invalid) => return self.fail_invalid(&invalid),
            // Right after a create, nothing has changed since: the form stays as the create
            // left it, its notice (with the new customer's id) in view rather than taken away by
            // a second press; the next edit clears it, as after any save.
            Ok(None) if matches!(self.notice, Some(Notice::Created)) => return Vec::new(),
            Ok(None) => {
                self.field_errors.clear();
                self.failure = None;
                self.notice = Some(Notice::NothingChanged);
                self.activity = Activity::Idle(Settled::Ready);
                return Vec::new();
            }
            Ok(Some(request)) => request,
        };
        self.field_errors.clear();
        self.failure = None;
        self.notice = None;
        if operation == Operation::Update {
            return self.recheck(fresh_key, Vec::new(), 0);
        }
        let earlier = match &self.unconfirmed {
            Some(unconfirmed) if unconfirmed.operation == Operation::Create => {
                Some(unconfirmed.request.clone())
            }
            _ => None,
        };
        match earlier {
            // A create that may have happened already goes out again, as it was, before any
            // edit made since: the provider replays it (or makes it once), then the edits
            // follow as an update.
            Some(earlier) if self.contract.create_is_idempotent() => {
                let then = (!same_write(&earlier, &request)).then(|| LaterEdits {
                    values: self.values.clone(),
                    fresh_key,
                });
                self.write(earlier, Operation::Create, Vec::new(), then, 0)
            }
            // The very create whose outcome is unknown, where a second one could duplicate it:
            // look for what the first made before sending it again.
            Some(earlier) if same_write(&earlier, &request) => {
                self.lookup(earlier, LookupPurpose::Adopt, 0)
            }
            earlier => {
                let request = match self.build(Some(&fresh_key)) {
                    Ok(Some(keyed)) => keyed,
                    _ => request,
                };
                // Other values: not before the earlier create is known not to have landed,
                // where the token may read what it would find.
                let purpose = match earlier {
                    Some(_) if self.grant.as_ref().is_some_and(|g| g.read) => {
                        LookupPurpose::Earlier
                    }
                    _ => {
                        self.unconfirmed = None;
                        LookupPurpose::Offer
                    }
                };
                self.lookup(request, purpose, 0)
            }
        }
    }

    /// A submit made while the provider still asks the form to wait `secs` more: checked as
    /// any submit, then its first request waits the rest out as an automatic retry would,
    /// rather than going out early to be refused again (and to count against the limit). A
    /// wait longer than the form waits out by itself is said again instead, with what is left.
    pub(super) fn submit_after(&mut self, fresh_key: String, secs: u32) -> Vec<Effect> {
        if secs > MAX_RETRY_AFTER_SECS && self.editable() && self.can_write() {
            if let Err(invalid) = self.build(None) {
                return self.fail_invalid(&invalid);
            }
            let mut error = ApiError::new(Some(429), ErrorKind::RateLimited, "");
            error.retry_after_secs = Some(secs);
            self.field_errors.clear();
            return self.fail(Failure::Api {
                error,
                step: Step::Save,
            });
        }
        let effects = self.submit(fresh_key);
        match std::mem::replace(&mut self.activity, Activity::AwaitingCredential) {
            // What it would do now (its request) is not done: `Msg::RetryNow` does it then.
            Activity::Busy { request, retries } => {
                self.activity = Activity::RetryWait { request, retries };
                self.notice = Some(Notice::Retrying { secs });
                vec![Effect::Retry {
                    attempt: retries,
                    retry_after_secs: Some(secs),
                }]
            }
            other => {
                self.activity = other;
                effects
            }
        }
    }

    pub(super) fn fail_invalid(&mut self, invalid: &[providers::validate::Invalid]) -> Vec<Effect> {
        self.field_errors.clear();
        for i in invalid {
            self.field_errors
                .add(i.field.to_string(), FieldMessage::Rule(i.rule));
        }
        self.fail(Failure::Invalid)
    }

    pub(super) fn write(
        &mut self,
        request: HttpRequest,
        operation: Operation,
        theirs_kept: Vec<&'static str>,
        then: Option<LaterEdits>,
        retries: u32,
    ) -> Vec<Effect> {
        let effect = Effect::Save {
            request: request.clone(),
            operation,
        };
        self.activity = Activity::Busy {
            request: Request::Write {
                request,
                operation,
                theirs_kept,
                then,
            },
            retries,
        };
        vec![effect]
    }

    pub(super) fn saved(
        &mut self,
        saved: Saved,
        operation: Operation,
        theirs_kept: Vec<&'static str>,
        then: Option<LaterEdits>,
    ) -> Vec<Effect> {
        let Saved { record, replayed } = saved;
        let customer = record.raw.clone();
        // The form named the record by an id the save changed (a Partnero key): from now on it
        // is the record's new name, and tokens are asked for that one (the old name may soon
        // belong to someone else).
        let renamed = operation == Operation::Update
            && !record.id.is_empty()
            && record.id != self.customer_id
            && self
                .loaded
                .as_ref()
                .is_some_and(|before| before.id == self.customer_id);
        if renamed {
            self.customer_id = record.id.clone();
        }
        let left_out = self.contract.not_applied(&self.values, &record);
        self.values = record.values.clone();
        self.loaded = Some(record);
        self.unconfirmed = None;
        self.failure = None;
        self.field_errors.clear();
        self.activity = Activity::Idle(Settled::Saved);
        self.notice = Some(match (replayed, operation) {
            (true, _) => Notice::Replayed,
            (false, Operation::Create) => Notice::Created,
            (false, Operation::Update) if !theirs_kept.is_empty() => {
                Notice::SavedWithTheirs(theirs_kept)
            }
            (false, Operation::Update) => Notice::Saved,
        });
        if !left_out.is_empty() {
            self.notice = Some(Notice::TagsNotAdded(left_out));
        }
        let mut effects = vec![Effect::Emit(Event::Saved {
            operation,
            customer,
        })];
        if renamed {
            effects.push(Effect::RefreshToken);
        }
        if let Some(later) = then {
            self.values = later.values;
            if self.is_dirty() {
                self.notice = None;
                effects.extend(self.recheck(later.fresh_key, Vec::new(), 0));
            }
        }
        effects
    }

    pub(super) fn resolve(
        &mut self,
        conflict: Conflict,
        then: AfterChoice,
        resolution: Resolution,
    ) -> Vec<Effect> {
        self.failure = None;
        let Conflict {
            theirs,
            merged,
            choices,
        } = conflict;
        let fresh_key = match then {
            AfterChoice::Write { fresh_key } => fresh_key,
            AfterChoice::Edit => {
                self.values = match resolution {
                    Resolution::TakeTheirs => theirs.values.clone(),
                    Resolution::KeepMine => merged.values.clone(),
                    Resolution::Merge => resolve(&merged, &theirs.values, &choices),
                };
                self.loaded = Some(theirs);
                self.activity = Activity::Idle(Settled::Ready);
                self.notice = Some(Notice::ChoseExisting);
                return Vec::new();
            }
        };
        match resolution {
            Resolution::TakeTheirs => {
                self.values = theirs.values.clone();
                self.loaded = Some(theirs);
                self.unconfirmed = None;
                self.activity = Activity::Idle(Settled::Ready);
                self.notice = Some(Notice::TookTheirs);
                Vec::new()
            }
            Resolution::KeepMine | Resolution::Merge => {
                let choices = match resolution {
                    Resolution::Merge => choices,
                    _ => Vec::new(),
                };
                self.values = resolve(&merged, &theirs.values, &choices);
                self.loaded = Some(theirs);
                // Someone may have changed it again while the person decided: check once more.
                self.recheck(fresh_key, merged.theirs_only, 0)
            }
        }
    }
}
