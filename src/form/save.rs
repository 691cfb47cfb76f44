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

use providers::validate::{normalize, Rule};
use providers::{
    contract_for, ApiError, CredentialUse, ErrorKind, FormValues, HttpRequest, Json, Operation,
    Record,
};

use super::conflict::{resolve, three_way, Conflict};
use super::state::FormState;
use super::{retry, Effect, Event, Failure, FieldMessage, Msg, Notice, Resolution, Saved, Step};

/// What the form is doing. Exactly one of these at a time, so a save cannot be both waiting
/// for a reply and waiting to retry, nor be under way with nothing in flight.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Activity {
    /// Nothing can happen until the credential is classified.
    AwaitingCredential,
    /// Nothing under way; how the last thing ended.
    Idle(Settled),
    /// Waiting for the reply to `request`, after `retries` automatic retries of it.
    Busy { request: Request, retries: u32 },
    /// `request` failed in a way that may clear by itself: waiting to send it again.
    RetryWait { request: Request, retries: u32 },
    /// The record changed on the server in fields the person changed too: nothing is written
    /// until they choose. `fresh_key` is the save's idempotency key, still unused.
    Deciding {
        conflict: Conflict,
        fresh_key: String,
    },
}

/// How the last thing ended, while nothing is under way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Settled {
    /// Ready for input (read-only when the credential cannot write).
    Ready,
    /// Saved, until the next edit.
    Saved,
    /// Failed, until the next edit.
    Failed,
}

/// A request the form waits on (or is about to repeat), with what it needs when the reply comes.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Request {
    /// Reading the record to edit. `keep`: typed values that win over it (after "edit that
    /// customer instead").
    Load { keep: Option<FormValues> },
    /// Before a create: the provider's lookup for a customer it would duplicate.
    Lookup {
        create: HttpRequest,
        purpose: LookupPurpose,
    },
    /// Reading back the customer a lookup found after a create that may have reached the
    /// provider: it is adopted only if it holds what was sent.
    ReadBack,
    /// Before an update: reading the record again, in case someone changed it meanwhile.
    /// `theirs_kept`: fields someone else changed that a conflict resolution already kept.
    Recheck {
        fresh_key: String,
        theirs_kept: Vec<&'static str>,
    },
    /// The write itself. `theirs_kept`: fields someone else changed that this update keeps (the
    /// notice names them); `then`: edits made after a create whose outcome was unknown, applied
    /// as an update once that create is settled.
    Write {
        request: HttpRequest,
        operation: Operation,
        theirs_kept: Vec<&'static str>,
        then: Option<LaterEdits>,
    },
}

/// What a lookup before a create is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LookupPurpose {
    /// Offer an existing customer instead of creating a duplicate.
    Offer,
    /// After an attempt that may have reached the provider: what it finds may be ours.
    Adopt,
}

/// Edits made after a create whose outcome was unknown; they follow as an update.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct LaterEdits {
    pub values: FormValues,
    pub fresh_key: String,
}

/// A write that failed in transit after its retries (see `FormState::unconfirmed`).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Unconfirmed {
    pub request: HttpRequest,
    pub operation: Operation,
}

/// Two writes are the same request when they would write the same thing to the same place
/// (the idempotency key aside).
fn same_write(a: &HttpRequest, b: &HttpRequest) -> bool {
    a.method == b.method && a.url == b.url && a.body == b.body
}

/// The first non-empty of these members of a record, to name a customer in a message.
fn customer_name(record: &Record, members: &[&str]) -> String {
    members
        .iter()
        .find_map(|key| {
            record
                .raw
                .get(key)
                .and_then(Json::as_str)
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_default()
        .to_string()
}

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
            (
                Activity::Deciding {
                    mut conflict,
                    fresh_key,
                },
                Msg::Choose { field, side },
            ) => {
                conflict.choose(field, side);
                self.activity = Activity::Deciding {
                    conflict,
                    fresh_key,
                };
                Vec::new()
            }
            (
                Activity::Deciding {
                    conflict,
                    fresh_key,
                },
                Msg::Resolve(resolution),
            ) => self.resolve(conflict, fresh_key, resolution),
            (activity, _) => {
                self.activity = activity;
                Vec::new()
            }
        }
    }

    /// A reply while `request` is under way: only the reply to that request counts.
    fn on_reply(&mut self, request: Request, retries: u32, reply: Msg) -> Vec<Effect> {
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
            (request @ (Request::Load { .. } | Request::ReadBack), Msg::Loaded(Err(error)))
            | (request @ Request::Lookup { .. }, Msg::LookedUp(Err(error)))
            | (request @ Request::Recheck { .. }, Msg::Checked(Err(error)))
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
        let grant = match credential {
            None => return self.fail(Failure::TokenProvider),
            Some(CredentialUse::Refused(reason)) => {
                self.grant = None;
                return self.fail(Failure::Credential(reason));
            }
            Some(CredentialUse::Allowed(grant)) => grant,
        };
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
    fn settle(&mut self) {
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

    fn fail(&mut self, failure: Failure) -> Vec<Effect> {
        self.activity = Activity::Idle(Settled::Failed);
        self.notice = None;
        self.failure = Some(failure.clone());
        vec![Effect::Emit(Event::Error(failure))]
    }

    fn fail_to_load(&mut self, kind: ErrorKind) -> Vec<Effect> {
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
            Some(Notice::NothingChanged | Notice::Restored | Notice::TookTheirs)
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
    fn load(&mut self, request: Request, retries: u32) -> Vec<Effect> {
        if self.customer_id.is_empty() {
            return self.fail_to_load(ErrorKind::NotFound);
        }
        self.failure = None;
        let read = self.contract.read_request(&self.base, &self.customer_id);
        self.activity = Activity::Busy { request, retries };
        vec![Effect::Load(read)]
    }

    fn loaded(&mut self, record: Record, keep: Option<FormValues>) -> Vec<Effect> {
        let raw = record.raw.clone();
        self.values = record.values.clone();
        let fields = self.contract.fields(Operation::Update);
        for (field, text) in keep.iter().flat_map(FormValues::iter) {
            if !text.trim().is_empty() && fields.iter().any(|f| f.name == field) {
                self.values.set(field, text);
            }
        }
        self.loaded = Some(record);
        self.failure = None;
        self.settle();
        vec![Effect::Emit(Event::Loaded(raw))]
    }

    /// What a lookup found after a create that may have reached the provider is ours only if it
    /// holds what was sent; otherwise it is someone else's customer with the same key or email.
    fn read_back(&mut self, record: Record) -> Vec<Effect> {
        let ours = self.contract.fields(Operation::Update).iter().all(|spec| {
            let sent = normalize(spec.kind, self.values.get(spec.name));
            sent.is_empty() || sent == normalize(spec.kind, record.values.get(spec.name))
        });
        if !ours {
            let name = customer_name(&record, &["customer", "name", "email", "key"]);
            self.customer_id.clear();
            return self.fail(Failure::Duplicate {
                id: record.id,
                name,
            });
        }
        // What an earlier attempt created: the create succeeded after all.
        let saved = Saved {
            record,
            replayed: true,
        };
        self.saved(saved, Operation::Create, Vec::new(), None)
    }

    /// A request under way failed: repeat it when that is safe and the budget allows, else
    /// report it.
    fn failed(&mut self, request: Request, retries: u32, error: ApiError) -> Vec<Effect> {
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
        if let Request::Write {
            request, operation, ..
        } = request
        {
            if error.kind.is_transient() {
                // It may have reached the provider: remembered, so that it is never sent twice
                // under two keys (see `submit`).
                self.unconfirmed = Some(Unconfirmed { request, operation });
            } else {
                self.unconfirmed = None;
                let fields = self.contract.fields(operation);
                self.field_errors = error
                    .field_errors
                    .iter()
                    .filter(|e| fields.iter().any(|f| f.name == e.field))
                    .map(|e| {
                        let message = match e.key {
                            Some(key) => FieldMessage::Rule(Rule::Custom(key)),
                            None => FieldMessage::Text(e.message.clone()),
                        };
                        (e.field.clone(), message)
                    })
                    .collect();
            }
        }
        self.fail(Failure::Api { error, step })
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

    fn submit(&mut self, fresh_key: String) -> Vec<Effect> {
        if !self.editable() || !self.can_write() {
            return Vec::new();
        }
        let operation = self.operation();
        let request = match self.build(None) {
            Err(invalid) => return self.fail_invalid(&invalid),
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
        match self.unconfirmed.take() {
            // A create that may have happened already goes out again, as it was, before any
            // edit made since: the provider replays it (or makes it once), then the edits
            // follow as an update.
            Some(unconfirmed)
                if unconfirmed.operation == Operation::Create
                    && self.contract.create_is_idempotent() =>
            {
                let then = (!same_write(&unconfirmed.request, &request)).then(|| LaterEdits {
                    values: self.values.clone(),
                    fresh_key,
                });
                self.write(unconfirmed.request, Operation::Create, Vec::new(), then, 0)
            }
            // The very create whose outcome is unknown, where a second one could duplicate it:
            // look for what the first made before sending it again.
            Some(unconfirmed)
                if unconfirmed.operation == Operation::Create
                    && same_write(&unconfirmed.request, &request) =>
            {
                self.lookup(unconfirmed.request, LookupPurpose::Adopt, 0)
            }
            _ => {
                let request = match self.build(Some(&fresh_key)) {
                    Ok(Some(keyed)) => keyed,
                    _ => request,
                };
                self.lookup(request, LookupPurpose::Offer, 0)
            }
        }
    }

    fn fail_invalid(&mut self, invalid: &[providers::validate::Invalid]) -> Vec<Effect> {
        self.field_errors = invalid
            .iter()
            .map(|i| (i.field.to_string(), FieldMessage::Rule(i.rule)))
            .collect();
        self.fail(Failure::Invalid)
    }

    /// A create goes through the provider's lookup first when it has one: to offer an existing
    /// customer, or to find what an earlier attempt already created.
    fn lookup(&mut self, create: HttpRequest, purpose: LookupPurpose, retries: u32) -> Vec<Effect> {
        let found = match purpose {
            LookupPurpose::Adopt => self.contract.created_lookup(&self.base, &self.values),
            LookupPurpose::Offer => self.contract.duplicate_lookup(&self.base, &self.values),
        };
        let Some(lookup) = found else {
            return self.write(create, Operation::Create, Vec::new(), None, retries);
        };
        let mut effects = Vec::new();
        // Reading back a customer by the id the create chose: a scoped token must name it.
        if purpose == LookupPurpose::Adopt {
            if let Some(id) = self.contract.chosen_id(&self.values) {
                self.customer_id = id;
                effects.push(Effect::RefreshToken);
            }
        }
        self.activity = Activity::Busy {
            request: Request::Lookup { create, purpose },
            retries,
        };
        effects.push(Effect::Lookup(lookup));
        effects
    }

    fn looked_up(
        &mut self,
        create: HttpRequest,
        purpose: LookupPurpose,
        found: Option<Record>,
        retries: u32,
    ) -> Vec<Effect> {
        match (found, purpose) {
            (None, _) => self.write(create, Operation::Create, Vec::new(), None, retries),
            (Some(existing), LookupPurpose::Offer) => {
                self.unconfirmed = None;
                let name = customer_name(&existing, &["customer", "name", "email"]);
                self.fail(Failure::Duplicate {
                    id: existing.id,
                    name,
                })
            }
            (Some(existing), LookupPurpose::Adopt) => {
                // Read the whole record (a lookup may show only part of it) and finish the create.
                self.customer_id = existing.id;
                let mut effects = vec![Effect::RefreshToken];
                effects.extend(self.load(Request::ReadBack, retries));
                effects
            }
        }
    }

    /// Before an update, read the record again: someone may have changed it since it was loaded.
    fn recheck(
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

    fn rechecked(
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
        let unchanged = match (&loaded.updated_at, &theirs.updated_at) {
            (Some(before), Some(now)) => before == now,
            _ => three_way(fields, &loaded.values, &loaded.values, &theirs.values)
                .theirs_only
                .is_empty(),
        };
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
                    fresh_key,
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
    fn write_update(
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
                // The record already holds these values: an earlier write got through after all.
                self.unconfirmed = None;
                self.activity = Activity::Idle(Settled::Ready);
                self.notice = Some(Notice::NothingChanged);
                Vec::new()
            }
            Err(invalid) => self.fail_invalid(&invalid),
        }
    }

    fn write(
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

    fn saved(
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

    fn resolve(
        &mut self,
        conflict: Conflict,
        fresh_key: String,
        resolution: Resolution,
    ) -> Vec<Effect> {
        self.failure = None;
        let Conflict {
            theirs,
            merged,
            choices,
        } = conflict;
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

    fn use_existing(&mut self) -> Vec<Effect> {
        let Some(Failure::Duplicate { id, .. }) = &self.failure else {
            return Vec::new();
        };
        self.customer_id = id.clone();
        self.mode = Operation::Update;
        let keep = Some(self.values.clone());
        if !self.grant.as_ref().is_some_and(|g| g.read) {
            return self.fail_to_load(ErrorKind::Permission);
        }
        // A scoped token names the customer it may touch: get one for this customer first.
        let mut effects = vec![Effect::RefreshToken];
        effects.extend(self.load(Request::Load { keep }, 0));
        effects
    }
}
