//! An update that renamed the record (a Partnero key) and whose outcome is unknown: a 404 under
//! the old name may mean it landed. The record is then read under the new name, and taken only
//! if it holds what was sent; otherwise the form names its own record again and says it was not
//! found.

use providers::{ApiError, ErrorKind, Operation, Record};

use super::activity::{Activity, Request};
use super::state::FormState;
use super::{Effect, Failure, Step};

impl FormState {
    /// The name an update whose outcome is unknown gave the record.
    pub(super) fn unsettled_rename(&self) -> Option<String> {
        let unconfirmed = self.unconfirmed.as_ref()?;
        if unconfirmed.operation != Operation::Update {
            return None;
        }
        self.contract.chosen_id(&unconfirmed.sent)
    }

    /// The new name to read the record under, when `request` (a re-read or the write) met the
    /// provider's 404 under the old name of a rename that may have landed.
    pub(super) fn renamed_away(&self, request: &Request, error: &ApiError) -> Option<String> {
        match (request, error.kind) {
            // The provider's 404, or the gateway's `renamed`: the rename, recorded by the gateway
            // before it was sent, took this token's record away from the old name. (Its other
            // 404s, a route it does not serve, would have met the write itself.)
            (Request::Recheck { .. } | Request::Write { .. }, ErrorKind::NotFound) => self
                .unsettled_rename()
                .filter(|name| *name != self.customer_id),
            _ => None,
        }
    }

    /// Reads the record under `new_name` (with a token for it) instead of reporting `request`'s
    /// 404.
    pub(super) fn follow_rename(
        &mut self,
        new_name: String,
        request: Request,
        retries: u32,
    ) -> Vec<Effect> {
        self.customer_id = new_name;
        // A rename is Partnero's, whose writes take no idempotency key.
        let fresh_key = match request {
            Request::Recheck { fresh_key, .. } => fresh_key,
            _ => String::new(),
        };
        let mut effects = vec![Effect::RefreshToken];
        effects.extend(self.read_renamed(fresh_key, retries));
        effects
    }

    /// Reads the record under the name the rename gave it (`customer_id` by now).
    pub(super) fn read_renamed(&mut self, fresh_key: String, retries: u32) -> Vec<Effect> {
        let read = self.contract.read_request(&self.base, &self.customer_id);
        self.activity = Activity::Busy {
            request: Request::Renamed { fresh_key },
            retries,
        };
        vec![Effect::Check(read)]
    }

    /// The record under the new name: the rename's, if it holds what was sent, and the save goes
    /// on as after any re-read (nothing left to write: reported saved). Someone else's customer
    /// otherwise: the rename did not land there, and the record is under neither name. Strict on
    /// purpose: a change someone else made in the same moment to a field the form holds makes
    /// the person's own record read as another's ("not found"; a reload finds it), the safer of
    /// the two mistakes than taking another customer's record for theirs.
    pub(super) fn renamed(
        &mut self,
        theirs: Record,
        fresh_key: String,
        retries: u32,
    ) -> Vec<Effect> {
        if self
            .unconfirmed
            .as_ref()
            .is_some_and(|rename| self.holds(&rename.sent, &theirs))
        {
            return self.rechecked(theirs, fresh_key, Vec::new(), retries);
        }
        self.unconfirmed = None;
        let mut effects = self.name_loaded();
        effects.extend(self.fail(Failure::Api {
            error: ApiError::new(Some(404), ErrorKind::NotFound, ""),
            step: Step::Save,
        }));
        effects
    }

    /// The form names the record it shows again (and its token follows), after naming another
    /// for a step that did not take it there.
    pub(super) fn name_loaded(&mut self) -> Vec<Effect> {
        match &self.loaded {
            Some(loaded) if loaded.id != self.customer_id => {
                self.customer_id = loaded.id.clone();
                vec![Effect::RefreshToken]
            }
            _ => Vec::new(),
        }
    }
}
