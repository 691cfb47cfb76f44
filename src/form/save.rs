//! The save machine: what the form is doing (`Activity`), each step carrying the data it needs,
//! and the one transition function (`FormState::update`) that turns what happened into what it
//! does next. Pure: the shell carries out the effects (send this, wait, emit that).
//!
//! A save is a short sequence of requests: for an update, read the record again, then write;
//! for a create, look for an existing customer first where the provider has a lookup, then
//! write. A failure that may clear by itself waits and repeats the same step within the
//! provider's retry budget. A create that may have reached the provider is never simply sent
//! twice: it is sent again with the same idempotency key where the provider honours one, and
//! otherwise looked up first (and what is found is read back and checked before it is adopted).

use providers::substring::Trim;
use providers::validate::{normalize, same, Normal, Rule};
use providers::{
    contract_for, ApiError, CredentialUse, ErrorKind, FormValues, Grant, Json, Operation, Record,
};

use super::activity::{Activity, AfterChoice, LookupPurpose, Request, Settled, Unconfirmed};
use super::conflict::{Conflict, Merged};
use super::state::FormState;
use super::{retry, Effect, Event, Failure, FieldMessage, Msg, Notice, Step};

impl FormState {
    /// The transition function: what happened (`msg`), given what the form is doing, decides
    /// what it does next. A message that does not fit the current activity (a late reply, a
    /// click on a button that has just gone) changes nothing.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let msg = match msg {
            Msg::Credential(credential) => return self.on_credential(credential),
            Msg::Seed(values) => {
                self.seed(values);
                return Vec::new();
            }
            msg => msg,
        };
        // Taken out so each arm says what comes next; every arm sets it again.
        let activity = std::mem::replace(&mut self.activity, Activity::AwaitingCredential);
        match (activity, msg) {
            (Activity::Idle(settled), Msg::Edit { field, text }) => {
                self.activity = Activity::Idle(settled);
                self.edit(field, text);
                Vec::new()
            }
            (Activity::Idle(settled), Msg::Restore(draft)) => {
                self.activity = Activity::Idle(settled);
                self.restore(draft);
                Vec::new()
            }
            (Activity::Idle(settled), Msg::Submit { fresh_key }) => {
                self.activity = Activity::Idle(settled);
                self.submit(fresh_key)
            }
            (Activity::Idle(settled), Msg::SubmitAfter { fresh_key, secs }) => {
                self.activity = Activity::Idle(settled);
                self.submit_after(fresh_key, secs)
            }
            (Activity::Idle(settled), Msg::RetryLoad) => {
                self.activity = Activity::Idle(settled);
                match self.failure {
                    Some(Failure::Api {
                        step: Step::Load, ..
                    }) => self.load(Request::Load { keep: None }, 0),
                    _ => Vec::new(),
                }
            }
            (Activity::Idle(settled), Msg::UseExisting) => {
                self.activity = Activity::Idle(settled);
                self.use_existing()
            }
            (Activity::Busy { request, retries }, reply) => self.on_reply(request, retries, reply),
            (Activity::RetryWait { request, retries }, Msg::RetryNow) => {
                self.notice = None;
                self.repeat(request, retries)
            }
            (Activity::Deciding { mut conflict, then }, Msg::Choose { field, side }) => {
                conflict.choose(field, side);
                self.activity = Activity::Deciding { conflict, then };
                Vec::new()
            }
            (Activity::Deciding { conflict, then }, Msg::Resolve(resolution)) => {
                self.resolve(conflict, then, resolution)
            }
            (activity, _) => {
                self.activity = activity;
                Vec::new()
            }
        }
    }

    /// A reply while `request` is under way: only the reply to that request counts.
    fn on_reply(&mut self, request: Request, retries: u32, reply: Msg) -> Vec<Effect> {
        // A re-read's or an update's reply about another customer (a proxy's or a cache's
        // mistake) is no record to build a write on or to move the form to: a reply not
        // understood, read or sent again like one.
        let reply = match reply {
            Msg::Checked(Ok(theirs)) if self.about_another(false, &theirs.id) => {
                Msg::Checked(Err(another_customer()))
            }
            Msg::Saved(Ok(saved)) if self.about_another(true, &saved.record.id) => {
                Msg::Saved(Err(another_customer()))
            }
            reply => reply,
        };
        match (request, reply) {
            (Request::Load { keep }, Msg::Loaded(Ok(record))) => self.loaded(record, keep),
            (Request::ReadBack, Msg::Loaded(Ok(record))) => self.read_back(record),
            // The lookup's 404 is the good news: nobody has this email (or key) yet.
            (Request::Lookup { create, purpose }, Msg::LookedUp(Ok(found))) => {
                self.looked_up(create, purpose, found, retries)
            }
            (Request::Lookup { create, purpose }, Msg::LookedUp(Err(error)))
                if error.kind == ErrorKind::NotFound =>
            {
                self.looked_up(create, purpose, None, retries)
            }
            (
                Request::Recheck {
                    fresh_key,
                    theirs_kept,
                },
                Msg::Checked(Ok(theirs)),
            ) => self.rechecked(theirs, fresh_key, theirs_kept, retries),
            (
                Request::Write {
                    operation,
                    theirs_kept,
                    then,
                    ..
                },
                Msg::Saved(Ok(saved)),
            ) => self.saved(saved, operation, theirs_kept, then),
            (Request::Renamed { fresh_key }, Msg::Checked(Ok(theirs))) => {
                self.renamed(theirs, fresh_key, retries)
            }
            (request @ (Request::Load { .. } | Request::ReadBack), Msg::Loaded(Err(error)))
            | (request @ Request::Lookup { .. }, Msg::LookedUp(Err(error)))
            | (
                request @ (Request::Recheck { .. } | Request::Renamed { .. }),
                Msg::Checked(Err(error)),
            )
            | (request @ Request::Write { .. }, Msg::Saved(Err(error))) => {
                self.failed(request, retries, error)
            }
            (request, _) => {
                self.activity = Activity::Busy { request, retries };
                Vec::new()
            }
        }
    }

    fn on_credential(&mut self, credential: Option<CredentialUse>) -> Vec<Effect> {
        let failure = match credential {
            None => Failure::TokenProvider,
            Some(CredentialUse::Refused(reason)) => {
                self.grant = None;
                Failure::Credential(reason)
            }
            Some(CredentialUse::Allowed(grant)) => return self.on_grant(grant),
        };
        // No token for the record a step named only for itself: `fail` ends the step anyway.
        let activity = std::mem::replace(&mut self.activity, Activity::Idle(Settled::Failed));
        let mut effects = match &activity {
            Activity::Busy { request, .. } => self.name_own_record_after(request),
            _ => Vec::new(),
        };
        effects.extend(self.fail(failure));
        effects
    }

    fn on_grant(&mut self, grant: Grant) -> Vec<Effect> {
        if let Some(contract) = contract_for(self.provider, grant.channel) {
            self.contract = contract;
        }
        // A customer token knows whose record it is: edit that one when the host named none.
        if self.customer_id.is_empty() {
            if let Some(owner) = &grant.owner {
                self.customer_id = owner.clone();
            }
        }
        let can_read = grant.read;
        self.grant = Some(grant);
        if matches!(
            self.failure,
            Some(Failure::Credential(_) | Failure::TokenProvider)
        ) {
            self.failure = None;
        }
        // A new credential for a request under way is the client's business; the step goes on.
        if !matches!(
            self.activity,
            Activity::AwaitingCredential | Activity::Idle(_)
        ) {
            return Vec::new();
        }
        if self.operation() == Operation::Update && self.loaded.is_none() {
            if !can_read {
                // A guest token may create but never read a customer: say so instead of a 401.
                return self.fail_to_load(ErrorKind::Permission);
            }
            return self.load(Request::Load { keep: None }, 0);
        }
        self.settle();
        Vec::new()
    }

    /// Nothing under way: ready for the next edit (a save or a failure stays shown until then),
    /// or read-only when the credential cannot write.
    pub(super) fn settle(&mut self) {
        let settled = match self.activity {
            Activity::Idle(Settled::Saved) => Settled::Saved,
            Activity::Idle(Settled::Failed) if self.failure.is_some() => Settled::Failed,
            _ => Settled::Ready,
        };
        self.activity = Activity::Idle(settled);
        if self.can_write() {
            if self.notice == Some(Notice::ReadOnly) {
                self.notice = None;
            }
        } else {
            self.notice = Some(Notice::ReadOnly);
        }
    }

    pub(super) fn fail(&mut self, failure: Failure) -> Vec<Effect> {
        self.activity = Activity::Idle(Settled::Failed);
        self.notice = None;
        self.failure = Some(failure.clone());
        self.failures = self.failures.wrapping_add(1);
        vec![Effect::Emit(Event::Error(failure))]
    }

    pub(super) fn fail_to_load(&mut self, kind: ErrorKind) -> Vec<Effect> {
        let error = ApiError::new(None, kind, "");
        self.fail(Failure::Api {
            error,
            step: Step::Load,
        })
    }

    fn seed(&mut self, values: FormValues) {
        for (field, text) in values.iter() {
            if self.values.get(field).is_empty() {
                self.values.set(field, text);
            }
        }
    }

    fn edit(&mut self, field: &'static str, text: String) {
        if !self.editable() || !self.can_write() || !self.may_write(field) {
            return;
        }
        self.field_errors.remove(field);
        self.values.set(field, text);
        if matches!(
            self.notice,
            Some(
                Notice::NothingChanged
                    | Notice::Restored
                    | Notice::TookTheirs
                    | Notice::ChoseExisting
                    | Notice::LeftBehind(_)
            )
        ) || self.activity == Activity::Idle(Settled::Saved)
        {
            self.notice = None;
        }
        let field_level = match &self.failure {
            Some(Failure::Invalid) => true,
            Some(Failure::Api { error, .. }) => {
                matches!(error.kind, ErrorKind::Validation | ErrorKind::Conflict)
                    && !error.field_errors.is_empty()
            }
            _ => false,
        };
        if field_level && self.field_errors.is_empty() {
            self.failure = None;
        }
        self.activity = Activity::Idle(Settled::Ready);
    }

    /// Reads the record (`Request::Load` or `Request::ReadBack`).
    pub(super) fn load(&mut self, request: Request, retries: u32) -> Vec<Effect> {
        if self.customer_id.is_empty() {
            return self.fail_to_load(ErrorKind::NotFound);
        }
        self.failure = None;
        let read = self.contract.read_request(&self.base, &self.customer_id);
        self.activity = Activity::Busy { request, retries };
        vec![Effect::Load(read)]
    }

    /// The record arrived. `keep`: what was typed before "edit that customer instead"; where it
    /// differs from the record, the person sees both and chooses before anything is written.
    fn loaded(&mut self, record: Record, keep: Option<FormValues>) -> Vec<Effect> {
        let raw = record.raw.clone();
        self.values = record.values.clone();
        let update_fields = self.contract.fields(Operation::Update);
        let mut differing = Vec::new();
        // What was typed is on the create form's fields; those an update cannot write are
        // left behind (and said to be).
        let mut left_behind = Vec::new();
        for spec in self.contract.fields(Operation::Create) {
            let typed = keep.as_ref().map_or("", |k| k.get(spec.name));
            if typed.trimmed().is_empty() {
                continue;
            }
            if !update_fields.iter().any(|f| f.name == spec.name) {
                // Rows added and left blank (`{}` each) hold nothing typed.
                let blank = matches!(normalize(spec.kind, typed),
                    Normal::Object(Json::Array(rows)) if rows.iter().all(|r| *r == Json::Object(Vec::new())));
                if !blank {
                    left_behind.push(spec.name);
                }
                continue;
            }
            if !same(spec.kind, typed, record.values.get(spec.name)) {
                differing.push(spec.name);
            }
            self.values.set(spec.name, typed);
        }
        self.failure = None;
        self.loaded = Some(record.clone());
        if differing.is_empty() {
            self.settle();
            if !left_behind.is_empty() {
                self.notice = Some(Notice::LeftBehind(left_behind));
            }
        } else {
            self.failures = self.failures.wrapping_add(1);
            self.failure = Some(Failure::Differs {
                fields: differing.clone(),
                left_behind,
            });
            self.activity = Activity::Deciding {
                conflict: Conflict {
                    theirs: record,
                    merged: Merged {
                        values: self.values.clone(),
                        conflicts: differing,
                        theirs_only: Vec::new(),
                    },
                    choices: Vec::new(),
                },
                then: AfterChoice::Edit,
            };
        }
        vec![Effect::Emit(Event::Loaded(raw))]
    }

    /// A request under way failed: repeat it when that is safe and the budget allows, else
    /// report it.
    fn failed(&mut self, request: Request, retries: u32, error: ApiError) -> Vec<Effect> {
        if let Some(new_name) = self.renamed_away(&request, &error) {
            return self.follow_rename(new_name, request, retries);
        }
        if let Request::Write {
            request, operation, ..
        } = &request
        {
            if error.kind.is_transient() {
                // It may have reached the provider: remembered before any retry, so that it is
                // never sent twice under two keys nor forgotten if what follows fails too.
                self.unconfirmed = Some(Unconfirmed {
                    request: request.clone(),
                    operation: *operation,
                    sent: self.values.clone(),
                });
            }
        }
        if self.may_repeat(&request)
            && retry::retryable(error.kind, error.retry_after_secs)
            && retries < self.contract.retry_budget()
        {
            let retries = retries + 1;
            self.notice = Some(Notice::Retrying {
                secs: error.retry_after_secs.unwrap_or(0),
            });
            self.activity = Activity::RetryWait { request, retries };
            return vec![Effect::Retry {
                attempt: retries,
                retry_after_secs: error.retry_after_secs,
            }];
        }
        let step = match request {
            Request::Load { .. } => Step::Load,
            _ => Step::Save,
        };
        // Refused, the earlier create cannot be looked for: it holds no create back.
        if matches!(
            request,
            Request::Lookup {
                purpose: LookupPurpose::Earlier,
                ..
            }
        ) && !error.kind.is_transient()
        {
            self.unconfirmed = None;
        }
        let mut effects = self.name_own_record_after(&request);
        if let Request::Write { operation, .. } = request {
            if !error.kind.is_transient() {
                self.unconfirmed = None;
                let fields = self.contract.fields(operation);
                self.field_errors.clear();
                for e in &error.field_errors {
                    if fields.iter().any(|f| f.name == e.field) {
                        let message = match e.key {
                            Some(key) => FieldMessage::Rule(Rule::Custom(key)),
                            None => FieldMessage::Text(e.message.clone()),
                        };
                        self.field_errors.add(e.field.clone(), message);
                    }
                }
            }
        }
        effects.extend(self.fail(Failure::Api { error, step }));
        effects
    }

    /// After `request` ended without taking the form where it went, the form names its own
    /// record again (and its token follows): a rename's new key, a key a create chose to look
    /// for, were named for that step only.
    fn name_own_record_after(&mut self, request: &Request) -> Vec<Effect> {
        match request {
            Request::Renamed { .. } => self.name_loaded(),
            Request::Lookup { .. } => self.unname(),
            _ => Vec::new(),
        }
    }

    /// Whether `id`, a reply's, names another record than the one loaded (an empty one too:
    /// every provider's record has its id, so a reply giving `""` is about no record of ours).
    /// A write's reply may name the new id the person gave it, where the caller chooses it (a
    /// Partnero key renamed).
    fn about_another(&self, write: bool, id: &str) -> bool {
        self.loaded.as_ref().is_some_and(|loaded| id != loaded.id)
            && !(write
                && self
                    .contract
                    .chosen_id(&self.values)
                    .is_some_and(|chosen| chosen == id))
            && self.unsettled_rename().is_none_or(|renamed| renamed != id)
    }

    /// Whether repeating `request` is safe: a create only when it cannot make a second customer
    /// (an idempotency key, or a lookup that finds what the first attempt made).
    fn may_repeat(&self, request: &Request) -> bool {
        match request {
            Request::Write {
                operation: Operation::Create,
                ..
            } => {
                self.contract.create_is_idempotent()
                    || self
                        .contract
                        .created_lookup(&self.base, &self.values)
                        .is_some()
            }
            _ => true,
        }
    }

    /// The wait before an automatic retry is over: the same step again.
    fn repeat(&mut self, request: Request, retries: u32) -> Vec<Effect> {
        match request {
            Request::Load { .. } | Request::ReadBack => self.load(request, retries),
            Request::Lookup { create, purpose } => self.lookup(create, purpose, retries),
            Request::Recheck {
                fresh_key,
                theirs_kept,
            } => self.recheck(fresh_key, theirs_kept, retries),
            Request::Renamed { fresh_key } => self.read_renamed(fresh_key, retries),
            // The first attempt may have created the customer: look before creating again.
            Request::Write {
                request,
                operation: Operation::Create,
                ..
            } if !self.contract.create_is_idempotent() => {
                self.lookup(request, LookupPurpose::Adopt, retries)
            }
            Request::Write {
                request,
                operation,
                theirs_kept,
                then,
            } => self.write(request, operation, theirs_kept, then, retries),
        }
    }
}

/// A reply about another record than the one asked about: not this form's to take.
fn another_customer() -> ApiError {
    ApiError::new(Some(200), ErrorKind::BadReply, "")
}
