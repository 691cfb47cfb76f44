//! The update path of the save machine: reading the record again before writing, merging
//! someone else's changes or stopping for the person's choice, then the write itself.

use providers::{HttpRequest, Operation, Record};

use super::activity::{Activity, AfterChoice, Request, Settled};
use super::conflict::{three_way, Conflict};
use super::state::FormState;
use super::{Effect, Failure, Notice, Saved};

/// Two writes are the same request when they would write the same thing to the same place
/// (the idempotency key aside).
pub(super) fn same_write(a: &HttpRequest, b: &HttpRequest) -> bool {
    a.method == b.method && a.url == b.url && a.body == b.body
}

impl FormState {
    /// Before an update, read the record again: someone may have changed it since it was loaded.
    pub(super) fn recheck(
        &mut self,
        fresh_key: String,
        theirs_kept: Vec<&'static str>,
        retries: u32,
    ) -> Vec<Effect> {
        let Some(loaded) = &self.loaded else {
            self.settle();
            return Vec::new();
        };
        let read = self.contract.read_request(&self.base, &loaded.id);
        self.activity = Activity::Busy {
            request: Request::Recheck {
                fresh_key,
                theirs_kept,
            },
            retries,
        };
        vec![Effect::Check(read)]
    }

    pub(super) fn rechecked(
        &mut self,
        theirs: Record,
        fresh_key: String,
        mut theirs_kept: Vec<&'static str>,
        retries: u32,
    ) -> Vec<Effect> {
        let Some(loaded) = &self.loaded else {
            self.settle();
            return Vec::new();
        };
        let fields = self.contract.fields(Operation::Update);
        // By the values as well as the stamp: a stamp to the second (Partnero's) or one a
        // provider does not move for every change hides a change made meanwhile, which a
        // write carrying the loaded value (Count's always carries the email) would revert.
        // The merge again rather than a loop of `same`: that loop cost 105 B of the package
        // (gzip) to save a copy of the values made once per save.
        let unchanged = loaded.updated_at == theirs.updated_at
            && three_way(fields, &loaded.values, &loaded.values, &theirs.values)
                .theirs_only
                .is_empty();
        if !unchanged {
            let merged = three_way(fields, &loaded.values, &self.values, &theirs.values);
            if !merged.conflicts.is_empty() {
                let effects = self.fail(Failure::Conflict {
                    fields: merged.conflicts.clone(),
                });
                self.activity = Activity::Deciding {
                    conflict: Conflict {
                        theirs,
                        merged,
                        choices: Vec::new(),
                    },
                    then: AfterChoice::Write { fresh_key },
                };
                return effects;
            }
            // Their changes touch other fields: build on their version, keeping both.
            theirs_kept = merged.theirs_only;
            self.values = merged.values;
            self.loaded = Some(theirs);
        }
        self.write_update(fresh_key, theirs_kept, retries)
    }

    /// Sends the update for the current values against the (possibly rebased) record. The very
    /// request of a write whose outcome is unknown keeps that write's key, so the provider can
    /// tell; anything else is a new request with the fresh key.
    pub(super) fn write_update(
        &mut self,
        fresh_key: String,
        theirs_kept: Vec<&'static str>,
        retries: u32,
    ) -> Vec<Effect> {
        match self.build(Some(&fresh_key)) {
            Ok(Some(request)) => {
                let request = match self.unconfirmed.take() {
                    Some(earlier) if same_write(&earlier.request, &request) => earlier.request,
                    _ => request,
                };
                self.write(request, Operation::Update, theirs_kept, None, retries)
            }
            Ok(None) => {
                // The record already holds these values. After a write whose outcome was not
                // known, that write got through after all: the person's save, reported as one
                // (`customer-saved`), so the host is told.
                if self.unconfirmed.take().is_some() {
                    if let Some(record) = self.loaded.take() {
                        let saved = Saved {
                            record,
                            replayed: false,
                        };
                        return self.saved(saved, Operation::Update, theirs_kept, None);
                    }
                }
                self.activity = Activity::Idle(Settled::Ready);
                self.notice = Some(Notice::NothingChanged);
                Vec::new()
            }
            Err(invalid) => self.fail_invalid(&invalid),
        }
    }
}
