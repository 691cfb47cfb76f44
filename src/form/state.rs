//! The form's state and its transitions, as a pure reducer.
//!
//! The component feeds it what happened (a keystroke, a reply, a token, a timer) and carries out
//! the effects it returns (send this request, wait and retry, emit that event). Nothing here
//! touches the DOM or the network, so every rule about saving is tested natively.

use providers::contract::{self, RequestContext};
use providers::validate::{normalize, Rule};
use providers::{
    contract_for, ApiError, Channel, Contract, CredentialUse, ErrorKind, FieldKind, FormValues,
    Grant, HttpRequest, Json, Operation, ProviderId, Record, RefusalReason,
};

use super::merge::{resolve, three_way, Merged, Side};
use super::retry;
use super::FieldErrors;

/// The public `data-state` of the form's root element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Loading,
    Ready,
    Saving,
    Saved,
    Error,
    ReadOnly,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::Ready => "ready",
            Phase::Saving => "saving",
            Phase::Saved => "saved",
            Phase::Error => "error",
            Phase::ReadOnly => "read-only",
        }
    }
}

/// What a field error says: a client rule (localised by the view) or the provider's own words.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldMessage {
    Rule(Rule),
    Text(String),
}

/// Which request a provider error answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Load,
    Save,
}

/// The form-level failure shown in the `role="alert"` region.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    Api {
        error: ApiError,
        step: Step,
    },
    Credential(RefusalReason),
    /// The host's `tokenProvider` threw or returned nothing.
    TokenProvider,
    /// Client validation failed; details are on the fields.
    Invalid,
    /// A create would duplicate this existing customer (found by the provider's lookup).
    Duplicate {
        id: String,
        name: String,
    },
    /// The record changed on the server since it was loaded, in fields the person changed too.
    Conflict {
        fields: Vec<&'static str>,
    },
}

impl Failure {
    /// Failures after which the form cannot be used until the host changes something.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Failure::Credential(_)
                | Failure::TokenProvider
                | Failure::Api {
                    step: Step::Load,
                    ..
                }
        )
    }
}

/// The form-level outcome shown in the `role="status"` region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Created,
    Saved,
    /// Saved on top of someone else's changes to these fields, which were kept.
    SavedWithTheirs(Vec<&'static str>),
    /// The provider replayed an earlier reply to the same idempotent request.
    Replayed,
    NothingChanged,
    ReadOnly,
    /// An automatic retry is coming (after this many seconds).
    Retrying {
        secs: u32,
    },
    /// Unsaved changes from before a reload were put back.
    Restored,
    /// Some were, but these fields changed on the server meanwhile and keep the server's value.
    RestoredExcept(Vec<&'static str>),
    /// The server's version replaced the person's changes, at their request.
    TookTheirs,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Loaded(Json),
    Saved {
        operation: Operation,
        customer: Json,
    },
    Error(Failure),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Ask the host for a token for what the form now edits (another customer).
    RefreshToken,
    Load(HttpRequest),
    /// Look for an existing customer before creating one.
    Lookup(HttpRequest),
    /// Read the record again before writing, to see whether someone changed it meanwhile.
    Check(HttpRequest),
    Save {
        request: HttpRequest,
        operation: Operation,
    },
    /// Wait (see `retry::delay_ms`), then send `Msg::RetryNow`.
    Retry {
        attempt: u32,
        retry_after_secs: Option<u32>,
    },
    Emit(Event),
}

/// How a person settles a conflict with the server's version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// My changes win where both changed a field; their other changes are kept.
    KeepMine,
    /// Drop my changes; show the server's version.
    TakeTheirs,
    /// Field by field, as chosen with `Msg::Choose`.
    Merge,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// The credential was classified (or the host's token provider failed: `None`).
    Credential(Option<CredentialUse>),
    Loaded(Result<Record, ApiError>),
    /// The duplicate check answered: the existing customer, or `None` when there is none.
    LookedUp(Result<Option<Record>, ApiError>),
    /// The pre-write read answered.
    Checked(Result<Record, ApiError>),
    Edit {
        field: String,
        text: String,
    },
    /// Values the host page offers for an empty form (Partnero's referral cookie).
    Seed(FormValues),
    /// Unsaved changes kept from before a reload.
    Restore(Draft),
    /// `fresh_key` is a new random idempotency key; the reducer decides whether to use it or to
    /// reuse the key of a failed attempt at the very same request.
    Submit {
        fresh_key: String,
    },
    Saved(Result<Saved, ApiError>),
    RetryLoad,
    /// The wait before an automatic retry is over.
    RetryNow,
    /// Edit the customer the duplicate check found, keeping what was typed.
    UseExisting,
    /// For a conflicting field, which version to keep (`Resolution::Merge`).
    Choose {
        field: String,
        side: Side,
    },
    Resolve(Resolution),
}

/// Unsaved changes: the changed fields (`mine`) and what they were when loaded (`base`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub mine: FormValues,
    pub base: FormValues,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub record: Record,
    pub replayed: bool,
}

/// The last write sent, kept while a retry of the same request may still be needed.
#[derive(Clone, Debug, PartialEq)]
struct Attempt {
    key: String,
    body: Option<String>,
    url: String,
}

/// What a lookup before a create is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lookup {
    /// Offer an existing customer instead of creating a duplicate.
    Offer,
    /// After an attempt that may have reached the provider: what it found is ours.
    Adopt,
}

/// The request an automatic retry repeats.
#[derive(Clone, Debug, PartialEq)]
enum Pending {
    Load,
    Lookup(Lookup),
    Check,
    Save(HttpRequest, Operation),
}

/// A conflict waiting for the person's decision.
#[derive(Clone, Debug, PartialEq)]
pub struct ConflictState {
    pub theirs: Record,
    pub merged: Merged,
    pub choices: Vec<(String, Side)>,
}

pub struct FormState {
    provider: ProviderId,
    contract: &'static dyn Contract,
    mode: Operation,
    customer_id: String,
    base: String,
    pub phase: Phase,
    pub values: FormValues,
    pub loaded: Option<Record>,
    pub field_errors: FieldErrors,
    pub failure: Option<Failure>,
    pub notice: Option<Notice>,
    pub conflict: Option<ConflictState>,
    grant: Option<Grant>,
    attempt: Option<Attempt>,
    /// A create waiting for its lookup, and what the lookup is for.
    pending_create: Option<(HttpRequest, Lookup)>,
    /// Typed values to keep over a record being loaded (after "edit the existing customer").
    carried: Option<FormValues>,
    /// The load under way completes a create (a retry found what the first attempt made).
    adopting: bool,
    /// Automatic retries made for the request under way, and what to repeat.
    retries: u32,
    pending: Option<Pending>,
    /// Fields someone else changed that the save under way keeps.
    theirs_kept: Vec<&'static str>,
    /// A fresh idempotency key for when a rebased update no longer matches the attempt's body.
    spare_key: String,
    /// A create that failed in transit after the retries: its outcome is unknown.
    unsettled_create: Option<HttpRequest>,
    /// After resending the unsettled create, apply the person's later edits as an update.
    then_update: Option<FormValues>,
}

impl FormState {
    /// `None` when the provider cannot be reached at `base` (Commerce Layer without an API base).
    pub fn new(
        provider: ProviderId,
        mode: Operation,
        customer_id: &str,
        base: Option<&str>,
    ) -> Option<FormState> {
        // Until the credential says otherwise, show the fields a gateway token would get.
        let contract = contract_for(provider, Channel::Gateway)?;
        let base = base
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .unwrap_or(contract.default_base());
        if base.is_empty() {
            return None;
        }
        Some(FormState {
            provider,
            contract,
            mode,
            customer_id: customer_id.trim().to_string(),
            base: base.to_string(),
            phase: Phase::Loading,
            values: FormValues::new(),
            loaded: None,
            field_errors: FieldErrors::default(),
            failure: None,
            notice: None,
            conflict: None,
            grant: None,
            attempt: None,
            pending_create: None,
            carried: None,
            adopting: false,
            retries: 0,
            pending: None,
            theirs_kept: Vec::new(),
            spare_key: String::new(),
            unsettled_create: None,
            then_update: None,
        })
    }

    pub fn contract(&self) -> &'static dyn Contract {
        self.contract
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }

    pub fn provider(&self) -> ProviderId {
        self.provider
    }

    /// What a submit does now: after a create succeeds, the form edits the new customer, so a
    /// second submit updates it instead of creating a duplicate.
    pub fn operation(&self) -> Operation {
        if self.loaded.is_some() {
            Operation::Update
        } else {
            self.mode
        }
    }

    pub fn can_write(&self) -> bool {
        self.grant.as_ref().is_some_and(|g| match self.operation() {
            Operation::Create => g.create,
            Operation::Update => g.update,
        })
    }

    /// Whether the inputs take typing now.
    pub fn editable(&self) -> bool {
        matches!(self.phase, Phase::Ready | Phase::Saved | Phase::Error)
            && !self.failure.as_ref().is_some_and(Failure::is_fatal)
            && self.conflict.is_none()
    }

    /// Whether the form holds changes not saved yet (for `customer-dirty-change`).
    pub fn is_dirty(&self) -> bool {
        let empty = FormValues::new();
        let baseline = self.loaded.as_ref().map_or(&empty, |r| &r.values);
        self.contract.fields(self.operation()).iter().any(|spec| {
            normalize(spec.kind, self.values.get(spec.name))
                != normalize(spec.kind, baseline.get(spec.name))
        })
    }

    /// What a draft keeps: the fields changed since the load, with what each was when loaded (so
    /// a restore never reverts someone else's later change), and never a password.
    pub fn draft(&self) -> Draft {
        let empty = FormValues::new();
        let baseline = self.loaded.as_ref().map_or(&empty, |r| &r.values);
        let mut draft = Draft::default();
        for spec in self.contract.fields(self.operation()) {
            let (now, then) = (self.values.get(spec.name), baseline.get(spec.name));
            if spec.kind != FieldKind::Password
                && normalize(spec.kind, now) != normalize(spec.kind, then)
            {
                draft.mine.set(spec.name, now);
                draft.base.set(spec.name, then);
            }
        }
        draft
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Credential(credential) => self.on_credential(credential),
            Msg::Loaded(result) => self.on_loaded(result),
            Msg::LookedUp(result) => self.on_looked_up(result),
            Msg::Checked(result) => self.on_checked(result),
            Msg::Edit { field, text } => {
                self.on_edit(field, text);
                Vec::new()
            }
            Msg::Seed(values) => {
                for (field, text) in values.iter() {
                    if self.values.get(field).is_empty() {
                        self.values.set(field, text);
                    }
                }
                Vec::new()
            }
            Msg::Restore(draft) => {
                self.on_restore(draft);
                Vec::new()
            }
            Msg::Submit { fresh_key } => {
                self.retries = 0;
                self.on_submit(fresh_key)
            }
            Msg::Saved(result) => self.on_saved(result),
            Msg::RetryLoad => match self.failure {
                Some(Failure::Api {
                    step: Step::Load, ..
                }) => {
                    self.retries = 0;
                    self.start_load()
                }
                _ => Vec::new(),
            },
            Msg::RetryNow => self.on_retry_now(),
            Msg::UseExisting => self.on_use_existing(),
            Msg::Choose { field, side } => {
                if let Some(conflict) = &mut self.conflict {
                    conflict.choices.retain(|(f, _)| *f != field);
                    conflict.choices.push((field, side));
                }
                Vec::new()
            }
            Msg::Resolve(resolution) => self.on_resolve(resolution),
        }
    }

    /// Puts back the draft's fields whose value on the server is still what it was when the
    /// draft was taken; the others keep the server's newer value, and the person is told.
    fn on_restore(&mut self, draft: Draft) {
        if !self.editable() || !self.can_write() {
            return;
        }
        let empty = FormValues::new();
        let current = self.loaded.as_ref().map_or(&empty, |r| &r.values).clone();
        let mut skipped = Vec::new();
        for spec in self.contract.fields(self.operation()) {
            let mine = draft.mine.iter().find(|(f, _)| *f == spec.name);
            let Some((_, text)) = mine else { continue };
            let base = normalize(spec.kind, draft.base.get(spec.name));
            if base == normalize(spec.kind, current.get(spec.name)) {
                self.values.set(spec.name, text);
            } else {
                skipped.push(spec.name);
            }
        }
        if !skipped.is_empty() {
            self.notice = Some(Notice::RestoredExcept(skipped));
        } else if self.is_dirty() {
            self.notice = Some(Notice::Restored);
        }
    }

    fn fail(&mut self, failure: Failure) -> Vec<Effect> {
        // A create whose outcome is unknown (it may have reached the provider) is remembered, so
        // the next attempt sends that very request again before anything else.
        if let (Some(Pending::Save(request, Operation::Create)), Failure::Api { error, .. }) =
            (&self.pending, &failure)
        {
            if error.kind.is_transient() && self.contract.create_is_idempotent() {
                self.unsettled_create = Some(request.clone());
            }
        }
        self.adopting = false;
        self.pending_create = None;
        self.phase = Phase::Error;
        self.notice = None;
        self.pending = None;
        self.retries = 0;
        self.failure = Some(failure.clone());
        vec![Effect::Emit(Event::Error(failure))]
    }

    /// A transient failure of the request under way: wait and retry it when that is safe and
    /// the budget allows, else report it.
    fn retry_or_fail(&mut self, error: ApiError, step: Step) -> Vec<Effect> {
        let safe = match &self.pending {
            Some(Pending::Save(_, Operation::Create)) => {
                self.contract.create_is_idempotent()
                    || self
                        .contract
                        .created_lookup(&self.base, &self.values)
                        .is_some()
            }
            Some(_) => true,
            None => false,
        };
        if safe
            && retry::retryable(error.kind, error.retry_after_secs)
            && self.retries < retry::budget(self.provider)
        {
            self.retries += 1;
            let secs = error.retry_after_secs.unwrap_or(0);
            self.notice = Some(Notice::Retrying { secs });
            return vec![Effect::Retry {
                attempt: self.retries,
                retry_after_secs: error.retry_after_secs,
            }];
        }
        if !error.kind.is_transient() {
            self.attempt = None;
        }
        self.fail(Failure::Api { error, step })
    }

    fn on_retry_now(&mut self) -> Vec<Effect> {
        self.notice = None;
        match self.pending.clone() {
            Some(Pending::Load) => self.start_load(),
            Some(Pending::Lookup(purpose)) => match self.pending_create.take() {
                Some((request, _)) => self.lookup_effects(request, purpose == Lookup::Adopt),
                None => Vec::new(),
            },
            Some(Pending::Check) => self.check_effects(),
            Some(Pending::Save(request, Operation::Create)) => {
                if self.contract.create_is_idempotent() {
                    return self.send(request, Operation::Create);
                }
                // The first attempt may have created the customer: look before creating again.
                self.lookup_effects(request, true)
            }
            Some(Pending::Save(request, operation)) => self.send(request, operation),
            None => Vec::new(),
        }
    }

    fn settle(&mut self) {
        if self.can_write() {
            self.phase = Phase::Ready;
            if self.notice == Some(Notice::ReadOnly) {
                self.notice = None;
            }
        } else {
            self.phase = Phase::ReadOnly;
            self.notice = Some(Notice::ReadOnly);
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
        self.grant = Some(grant);
        if matches!(
            self.failure,
            Some(Failure::Credential(_) | Failure::TokenProvider)
        ) {
            self.failure = None;
        }
        if self.operation() == Operation::Update && self.loaded.is_none() {
            if !self.grant.as_ref().is_some_and(|g| g.read) {
                // A guest token may create but never read a customer: say so instead of a 401.
                let error = ApiError::new(None, ErrorKind::Permission, "");
                return self.fail(Failure::Api {
                    error,
                    step: Step::Load,
                });
            }
            return self.start_load();
        }
        if self.phase != Phase::Saving {
            self.settle();
        }
        Vec::new()
    }

    fn start_load(&mut self) -> Vec<Effect> {
        if self.customer_id.is_empty() {
            let error = ApiError::new(None, ErrorKind::NotFound, "");
            return self.fail(Failure::Api {
                error,
                step: Step::Load,
            });
        }
        // Reading back what an earlier create made is still part of saving.
        self.phase = if self.adopting {
            Phase::Saving
        } else {
            Phase::Loading
        };
        self.failure = None;
        self.pending = Some(Pending::Load);
        vec![Effect::Load(
            self.contract.read_request(&self.base, &self.customer_id),
        )]
    }

    fn on_loaded(&mut self, result: Result<Record, ApiError>) -> Vec<Effect> {
        let record = match result {
            Ok(record) => record,
            Err(error) => {
                let step = if self.adopting {
                    Step::Save
                } else {
                    Step::Load
                };
                return self.retry_or_fail(error, step);
            }
        };
        self.pending = None;
        self.retries = 0;
        if std::mem::take(&mut self.adopting) {
            // What the lookup found is ours only if it holds what was sent; otherwise it is
            // someone else's customer with the same key or email.
            let fields = self.contract.fields(Operation::Update);
            let ours = fields.iter().all(|spec| {
                let sent = normalize(spec.kind, self.values.get(spec.name));
                sent.is_empty() || sent == normalize(spec.kind, record.values.get(spec.name))
            });
            if !ours {
                let name = ["customer", "name", "email", "key"]
                    .iter()
                    .find_map(|key| {
                        record
                            .raw
                            .get(key)
                            .and_then(Json::as_str)
                            .filter(|s| !s.is_empty())
                    })
                    .unwrap_or_default()
                    .to_string();
                self.customer_id.clear();
                return self.fail(Failure::Duplicate {
                    id: record.id,
                    name,
                });
            }
            // What an earlier attempt created: the create succeeded after all.
            return self.on_saved(Ok(Saved {
                record,
                replayed: true,
            }));
        }
        let raw = record.raw.clone();
        self.values = record.values.clone();
        if let Some(carried) = self.carried.take() {
            for (field, text) in carried.iter() {
                let known = self
                    .contract
                    .fields(Operation::Update)
                    .iter()
                    .any(|f| f.name == field);
                if !text.trim().is_empty() && known {
                    self.values.set(field, text);
                }
            }
        }
        self.loaded = Some(record);
        self.failure = None;
        self.settle();
        vec![Effect::Emit(Event::Loaded(raw))]
    }

    fn on_edit(&mut self, field: String, text: String) {
        if !self.editable() || !self.can_write() {
            return;
        }
        self.field_errors.remove(&field);
        self.values.set(field, text);
        if matches!(
            self.notice,
            Some(Notice::NothingChanged | Notice::Restored | Notice::TookTheirs)
        ) || self.phase == Phase::Saved
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
        self.phase = Phase::Ready;
    }

    /// The request for the current values, with `key` as its idempotency key.
    fn build(
        &self,
        key: Option<&str>,
    ) -> Result<Option<HttpRequest>, Vec<providers::validate::Invalid>> {
        let ctx = RequestContext {
            base: &self.base,
            idempotency_key: key,
        };
        match &self.loaded {
            Some(loaded) => contract::update_request(self.contract, ctx, loaded, &self.values),
            None => contract::create_request(self.contract, ctx, &self.values).map(Some),
        }
    }

    fn on_submit(&mut self, fresh_key: String) -> Vec<Effect> {
        if !self.editable() || !self.can_write() {
            return Vec::new();
        }
        let operation = self.operation();
        let request = match self.build(None) {
            Err(invalid) => {
                self.field_errors = invalid
                    .iter()
                    .map(|i| (i.field.to_string(), FieldMessage::Rule(i.rule)))
                    .collect();
                return self.fail(Failure::Invalid);
            }
            Ok(None) => {
                self.field_errors.clear();
                self.failure = None;
                self.notice = Some(Notice::NothingChanged);
                self.phase = Phase::Ready;
                return Vec::new();
            }
            Ok(Some(request)) => request,
        };
        // A create that may have happened already goes out again, as it was, before any edit made
        // since: the provider replays it (or makes it once), then the edits follow as an update.
        if operation == Operation::Create {
            if let Some(unsettled) = self.unsettled_create.take() {
                if unsettled.body != request.body {
                    self.then_update = Some(self.values.clone());
                    self.field_errors.clear();
                    self.failure = None;
                    self.notice = None;
                    return self.send(unsettled, Operation::Create);
                }
            }
        }
        // Same request as a write that failed in transit: same key, so the provider can tell.
        let retrying_same = matches!(
            &self.attempt,
            Some(a) if a.body == request.body && a.url == request.url
        );
        let key = match (&self.attempt, retrying_same) {
            (Some(a), true) => a.key.clone(),
            _ => fresh_key,
        };
        let request = match self.build(Some(&key)) {
            Ok(Some(request)) => request,
            _ => request,
        };
        self.attempt = Some(Attempt {
            key,
            body: request.body.clone(),
            url: request.url.clone(),
        });
        self.field_errors.clear();
        self.failure = None;
        self.notice = None;
        self.theirs_kept.clear();
        self.spare_key = fresh_key_for_rebase(&request, &self.attempt);
        self.phase = Phase::Saving;
        match operation {
            Operation::Create => {
                let guard = retrying_same && !self.contract.create_is_idempotent();
                self.lookup_effects(request, guard)
            }
            Operation::Update => self.check_effects(),
        }
    }

    /// A create goes through the provider's lookup first when it has one: to offer an existing
    /// customer, or (`adopt`) to find what an earlier attempt already created.
    fn lookup_effects(&mut self, request: HttpRequest, adopt: bool) -> Vec<Effect> {
        let lookup = if adopt {
            self.contract.created_lookup(&self.base, &self.values)
        } else {
            self.contract.duplicate_lookup(&self.base, &self.values)
        };
        match lookup {
            Some(lookup) => {
                let purpose = if adopt { Lookup::Adopt } else { Lookup::Offer };
                self.pending_create = Some((request, purpose));
                self.pending = Some(Pending::Lookup(purpose));
                let mut effects = Vec::new();
                // Reading back a customer by the id the create chose: a scoped token must name it.
                if let Some(id) = adopt
                    .then(|| self.contract.chosen_id(&self.values))
                    .flatten()
                {
                    self.customer_id = id;
                    effects.push(Effect::RefreshToken);
                }
                effects.push(Effect::Lookup(lookup));
                effects
            }
            None => self.send(request, Operation::Create),
        }
    }

    /// Before an update, read the record again: someone may have changed it since it was loaded.
    fn check_effects(&mut self) -> Vec<Effect> {
        let Some(loaded) = &self.loaded else {
            return Vec::new();
        };
        self.pending = Some(Pending::Check);
        vec![Effect::Check(
            self.contract.read_request(&self.base, &loaded.id),
        )]
    }

    fn send(&mut self, request: HttpRequest, operation: Operation) -> Vec<Effect> {
        self.phase = Phase::Saving;
        self.pending = Some(Pending::Save(request.clone(), operation));
        vec![Effect::Save { request, operation }]
    }

    fn on_looked_up(&mut self, result: Result<Option<Record>, ApiError>) -> Vec<Effect> {
        let Some((request, purpose)) = self.pending_create.take() else {
            return Vec::new();
        };
        match (result, purpose) {
            (Ok(None), _) => self.send(request, Operation::Create),
            (Ok(Some(existing)), Lookup::Offer) => {
                self.attempt = None;
                let name = ["customer", "name", "email"]
                    .iter()
                    .find_map(|key| {
                        existing
                            .raw
                            .get(key)
                            .and_then(Json::as_str)
                            .filter(|s| !s.is_empty())
                    })
                    .unwrap_or_default()
                    .to_string();
                self.fail(Failure::Duplicate {
                    id: existing.id,
                    name,
                })
            }
            (Ok(Some(existing)), Lookup::Adopt) => {
                // Read the whole record (a lookup may show only part of it) and finish the create.
                self.adopting = true;
                self.customer_id = existing.id;
                let mut effects = vec![Effect::RefreshToken];
                effects.extend(self.start_load());
                effects
            }
            (Err(error), _) => {
                self.pending_create = Some((request, purpose));
                self.retry_or_fail(error, Step::Save)
            }
        }
    }

    fn on_checked(&mut self, result: Result<Record, ApiError>) -> Vec<Effect> {
        let theirs = match result {
            Ok(theirs) => theirs,
            Err(error) => return self.retry_or_fail(error, Step::Save),
        };
        let Some(loaded) = &self.loaded else {
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
                let fields = merged.conflicts.clone();
                self.conflict = Some(ConflictState {
                    theirs,
                    merged,
                    choices: Vec::new(),
                });
                return self.fail(Failure::Conflict { fields });
            }
            // Their changes touch other fields: build on their version, keeping both.
            self.theirs_kept = merged.theirs_only.clone();
            self.values = merged.values;
            self.loaded = Some(theirs);
        }
        self.write_update()
    }

    /// Sends the update for the current values against the (possibly rebased) record. A body that
    /// changed with the rebase is a new request, so it gets a new idempotency key.
    fn write_update(&mut self) -> Vec<Effect> {
        let same_body = |request: &HttpRequest, attempt: &Option<Attempt>| {
            attempt
                .as_ref()
                .is_some_and(|a| a.body == request.body && a.url == request.url)
        };
        let first = self.build(self.attempt.as_ref().map(|a| a.key.as_str()));
        let built = match first {
            Ok(Some(request))
                if !same_body(&request, &self.attempt) && !self.spare_key.is_empty() =>
            {
                let key = std::mem::take(&mut self.spare_key);
                let request = self.build(Some(&key)).ok().flatten().unwrap_or(request);
                self.attempt = Some(Attempt {
                    key,
                    body: request.body.clone(),
                    url: request.url.clone(),
                });
                Ok(Some(request))
            }
            other => other,
        };
        match built {
            Ok(Some(request)) => self.send(request, Operation::Update),
            Ok(None) => {
                self.pending = None;
                self.phase = Phase::Ready;
                self.notice = Some(Notice::NothingChanged);
                Vec::new()
            }
            Err(invalid) => {
                self.field_errors = invalid
                    .iter()
                    .map(|i| (i.field.to_string(), FieldMessage::Rule(i.rule)))
                    .collect();
                self.fail(Failure::Invalid)
            }
        }
    }

    fn on_resolve(&mut self, resolution: Resolution) -> Vec<Effect> {
        let Some(conflict) = self.conflict.take() else {
            return Vec::new();
        };
        self.failure = None;
        let theirs_values = conflict.theirs.values.clone();
        match resolution {
            Resolution::TakeTheirs => {
                self.values = theirs_values;
                self.loaded = Some(conflict.theirs);
                self.attempt = None;
                self.phase = Phase::Ready;
                self.notice = Some(Notice::TookTheirs);
                Vec::new()
            }
            Resolution::KeepMine | Resolution::Merge => {
                let choices = if resolution == Resolution::Merge {
                    conflict.choices.clone()
                } else {
                    Vec::new()
                };
                self.values = resolve(&conflict.merged, &theirs_values, &choices);
                self.theirs_kept = conflict.merged.theirs_only.clone();
                self.loaded = Some(conflict.theirs);
                self.phase = Phase::Saving;
                // Someone may have changed it again while the person decided: check once more.
                self.check_effects()
            }
        }
    }

    fn on_use_existing(&mut self) -> Vec<Effect> {
        let Some(Failure::Duplicate { id, .. }) = &self.failure else {
            return Vec::new();
        };
        self.customer_id = id.clone();
        self.mode = Operation::Update;
        self.carried = Some(self.values.clone());
        if !self.grant.as_ref().is_some_and(|g| g.read) {
            let error = ApiError::new(None, ErrorKind::Permission, "");
            return self.fail(Failure::Api {
                error,
                step: Step::Load,
            });
        }
        // A scoped token names the customer it may touch: get one for this customer first.
        let mut effects = vec![Effect::RefreshToken];
        effects.extend(self.start_load());
        effects
    }

    fn on_saved(&mut self, result: Result<Saved, ApiError>) -> Vec<Effect> {
        let operation = self.operation();
        match result {
            Ok(Saved { record, replayed }) => {
                let customer = record.raw.clone();
                self.values = record.values.clone();
                self.loaded = Some(record);
                self.attempt = None;
                self.pending = None;
                self.retries = 0;
                self.failure = None;
                self.field_errors.clear();
                self.phase = Phase::Saved;
                let theirs = std::mem::take(&mut self.theirs_kept);
                self.notice = Some(match (replayed, operation) {
                    (true, _) => Notice::Replayed,
                    (false, Operation::Create) => Notice::Created,
                    (false, Operation::Update) if !theirs.is_empty() => {
                        Notice::SavedWithTheirs(theirs)
                    }
                    (false, Operation::Update) => Notice::Saved,
                });
                self.unsettled_create = None;
                let mut effects = vec![Effect::Emit(Event::Saved {
                    operation,
                    customer,
                })];
                if let Some(edited) = self.then_update.take() {
                    self.values = edited;
                    if self.is_dirty() {
                        self.phase = Phase::Saving;
                        self.notice = None;
                        effects.extend(self.check_effects());
                    }
                }
                effects
            }
            Err(error) => {
                self.then_update = None;
                if error.kind.is_transient() {
                    return self.retry_or_fail(error, Step::Save);
                }
                self.attempt = None;
                self.field_errors = error
                    .field_errors
                    .iter()
                    .filter(|e| {
                        self.contract
                            .fields(operation)
                            .iter()
                            .any(|f| f.name == e.field)
                    })
                    .map(|e| (e.field.clone(), FieldMessage::Text(e.message.clone())))
                    .collect();
                self.fail(Failure::Api {
                    error,
                    step: Step::Save,
                })
            }
        }
    }
}

/// The key a rebased update may need: unused so far, so the provider never sees one key with two
/// different bodies.
fn fresh_key_for_rebase(request: &HttpRequest, attempt: &Option<Attempt>) -> String {
    match (request.header("Idempotency-Key"), attempt) {
        (Some(used), Some(a)) if a.key == used => format!("{used}-r"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use providers::prolifi::Prolifi;

    fn all() -> CredentialUse {
        CredentialUse::Allowed(Grant::all(Channel::Direct))
    }

    fn read_only() -> CredentialUse {
        CredentialUse::Allowed(Grant::read_only(Channel::Direct))
    }
    use providers::{HttpReply, Method};

    const BASE: &str = "http://127.0.0.1:8787/prolifi/api/v1/public";
    const CUSTOMER: &str = r#"{"data":{"id":"c-1","email":"jane@example.com","first_name":"Jane","last_name":"Doe","name":"Jane Doe","updated_at":"t1"}}"#;

    fn record(body: &str) -> Record {
        let reply = HttpReply {
            status: 200,
            headers: vec![],
            body: body.into(),
        };
        contract::interpret_reply(&Prolifi, &reply).unwrap()
    }

    fn loaded_update_form() -> FormState {
        let mut state = FormState::new(
            ProviderId::Prolifi,
            Operation::Update,
            "cus_1001",
            Some(BASE),
        )
        .unwrap();
        let effects = state.update(Msg::Credential(Some(all())));
        assert!(
            matches!(&effects[..], [Effect::Load(r)] if r.url.ends_with("/customers/cus_1001") && r.method == Method::Get)
        );
        state.update(Msg::Loaded(Ok(record(CUSTOMER))));
        assert_eq!(state.phase, Phase::Ready);
        state
    }

    fn edit(state: &mut FormState, field: &str, text: &str) {
        state.update(Msg::Edit {
            field: field.into(),
            text: text.into(),
        });
    }

    fn submit(state: &mut FormState, key: &str) -> Option<HttpRequest> {
        let mut effects = state.update(Msg::Submit {
            fresh_key: key.into(),
        });
        if let [Effect::Check(_)] = &effects[..] {
            // Nobody changed the record meanwhile.
            let unchanged = state.loaded.clone().unwrap();
            effects = state.update(Msg::Checked(Ok(unchanged)));
        }
        match effects.pop() {
            Some(Effect::Save { request, .. }) => Some(request),
            _ => None,
        }
    }

    /// Fails the request under way with a network error until the retry budget is spent.
    fn give_up(state: &mut FormState) {
        loop {
            let effects = state.update(Msg::Saved(Err(transient())));
            match &effects[..] {
                [Effect::Retry { .. }] => {
                    state.update(Msg::RetryNow);
                }
                _ => break,
            }
        }
    }

    fn transient() -> ApiError {
        ApiError::new(None, ErrorKind::Network, "")
    }

    #[test]
    fn update_sends_only_changes_to_the_canonical_id() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        let request = submit(&mut state, "k1").unwrap();
        assert_eq!(request.method, Method::Patch);
        assert!(request.url.ends_with("/customers/c-1"));
        assert_eq!(request.body.as_deref(), Some(r#"{"last_name":"Smith"}"#));
        assert_eq!(state.phase, Phase::Saving);
    }

    #[test]
    fn double_submit_sends_once() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        assert!(submit(&mut state, "k1").is_some());
        assert!(submit(&mut state, "k2").is_none());
    }

    #[test]
    fn a_transient_failure_keeps_values_and_the_key_for_the_same_request() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        submit(&mut state, "k1").unwrap();
        give_up(&mut state);
        assert_eq!(state.phase, Phase::Error);
        assert_eq!(state.values.get("last_name"), "Smith");
        let retry = submit(&mut state, "k2").unwrap();
        assert_eq!(retry.header("Idempotency-Key"), Some("k1"));
    }

    #[test]
    fn a_different_request_gets_a_new_key() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        submit(&mut state, "k1").unwrap();
        give_up(&mut state);
        edit(&mut state, "last_name", "Smythe");
        assert_eq!(
            submit(&mut state, "k2").unwrap().header("Idempotency-Key"),
            Some("k2")
        );
    }

    #[test]
    fn a_validation_failure_does_not_reuse_the_key() {
        let mut state = loaded_update_form();
        edit(&mut state, "email", "taken@example.com");
        submit(&mut state, "k1").unwrap();
        let mut error = ApiError::new(Some(422), ErrorKind::Validation, "invalid");
        error.field_errors = vec![
            providers::FieldError::new("email", "Taken."),
            providers::FieldError::new("plan", "Bad."),
        ];
        let effects = state.update(Msg::Saved(Err(error)));
        assert!(matches!(&effects[..], [Effect::Emit(Event::Error(_))]));
        assert_eq!(
            state.field_errors.get("email"),
            Some(&FieldMessage::Text("Taken.".into()))
        );
        assert!(!state.field_errors.contains_key("plan"));
        assert_eq!(
            submit(&mut state, "k2").unwrap().header("Idempotency-Key"),
            Some("k2")
        );
    }

    #[test]
    fn editing_a_field_clears_its_error_and_then_the_alert() {
        let mut state =
            FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
        state.update(Msg::Credential(Some(all())));
        assert_eq!(state.phase, Phase::Ready);
        edit(&mut state, "email", "not-an-email");
        assert!(submit(&mut state, "k1").is_none());
        assert_eq!(
            state.field_errors.get("email"),
            Some(&FieldMessage::Rule(Rule::Email))
        );
        assert_eq!(state.failure, Some(Failure::Invalid));
        edit(&mut state, "email", "ok@example.com");
        assert!(state.field_errors.is_empty());
        assert_eq!(state.failure, None);
        assert_eq!(state.phase, Phase::Ready);
    }

    #[test]
    fn after_a_create_the_next_submit_updates_the_new_customer() {
        let mut state =
            FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
        state.update(Msg::Credential(Some(all())));
        edit(&mut state, "email", "ada@example.com");
        edit(&mut state, "name", "Ada Lovelace");
        let create = submit(&mut state, "k1").unwrap();
        assert_eq!(create.method, Method::Post);
        let created = record(
            r#"{"data":{"id":"new-1","email":"ada@example.com","first_name":"Ada","last_name":"Lovelace","name":"Ada Lovelace"}}"#,
        );
        let effects = state.update(Msg::Saved(Ok(Saved {
            record: created,
            replayed: false,
        })));
        assert!(matches!(
            &effects[..],
            [Effect::Emit(Event::Saved {
                operation: Operation::Create,
                ..
            })]
        ));
        assert_eq!(
            (state.phase, state.notice.clone()),
            (Phase::Saved, Some(Notice::Created))
        );
        assert_eq!(state.values.get("first_name"), "Ada");
        assert!(submit(&mut state, "k2").is_none(), "nothing changed");
        assert_eq!(state.notice, Some(Notice::NothingChanged));
        edit(&mut state, "phone", "+1 555");
        let update = submit(&mut state, "k3").unwrap();
        assert_eq!(update.method, Method::Patch);
        assert!(update.url.ends_with("/customers/new-1"));
    }

    #[test]
    fn read_only_credentials_never_send_a_write() {
        let mut state =
            FormState::new(ProviderId::Prolifi, Operation::Update, "c-1", Some(BASE)).unwrap();
        let effects = state.update(Msg::Credential(Some(read_only())));
        assert!(matches!(&effects[..], [Effect::Load(_)]));
        state.update(Msg::Loaded(Ok(record(CUSTOMER))));
        assert_eq!(
            (state.phase, state.notice.clone()),
            (Phase::ReadOnly, Some(Notice::ReadOnly))
        );
        edit(&mut state, "last_name", "Smith");
        assert_eq!(state.values.get("last_name"), "Doe");
        assert!(submit(&mut state, "k1").is_none());

        let mut create =
            FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
        assert!(create.update(Msg::Credential(Some(read_only()))).is_empty());
        assert_eq!(create.phase, Phase::ReadOnly);
    }

    #[test]
    fn refused_credentials_send_nothing_at_all() {
        let mut state =
            FormState::new(ProviderId::Prolifi, Operation::Update, "c-1", Some(BASE)).unwrap();
        let effects = state.update(Msg::Credential(Some(CredentialUse::Refused(
            RefusalReason::SecretLiveKey,
        ))));
        assert_eq!(
            effects,
            vec![Effect::Emit(Event::Error(Failure::Credential(
                RefusalReason::SecretLiveKey
            )))]
        );
        assert_eq!(state.phase, Phase::Error);
        assert!(submit(&mut state, "k").is_none());
    }

    #[test]
    fn a_failed_load_can_be_retried() {
        let mut state =
            FormState::new(ProviderId::Prolifi, Operation::Update, "c-1", Some(BASE)).unwrap();
        state.update(Msg::Credential(Some(all())));
        let outage = || Msg::Loaded(Err(ApiError::new(Some(503), ErrorKind::Server, "")));
        while let [Effect::Retry { .. }] = &state.update(outage())[..] {
            assert_eq!(state.phase, Phase::Loading, "retrying on its own");
            assert!(matches!(
                &state.update(Msg::RetryNow)[..],
                [Effect::Load(_)]
            ));
        }
        assert_eq!(state.phase, Phase::Error);
        edit(&mut state, "email", "x@y.z");
        assert_eq!(
            state.values.get("email"),
            "",
            "no typing into a form that did not load"
        );
        assert!(matches!(
            &state.update(Msg::RetryLoad)[..],
            [Effect::Load(_)]
        ));
        assert_eq!(state.phase, Phase::Loading);
    }

    #[test]
    fn a_new_token_does_not_reload_or_drop_typed_values() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        assert!(state.update(Msg::Credential(Some(all()))).is_empty());
        assert_eq!(state.values.get("last_name"), "Smith");
        assert!(state.update(Msg::Credential(Some(read_only()))).is_empty());
        assert_eq!(state.phase, Phase::ReadOnly);
        assert_eq!(state.values.get("last_name"), "Smith");
    }

    const COUNT_BASE: &str = "http://127.0.0.1:8788/count";

    fn count_create_form() -> FormState {
        let mut state =
            FormState::new(ProviderId::Count, Operation::Create, "", Some(COUNT_BASE)).unwrap();
        state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
            Channel::Gateway,
        )))));
        edit(&mut state, "customer", "Acme Ltd");
        edit(&mut state, "email", "ap@acme.test");
        edit(&mut state, "mainPhone", "+44 1");
        state
    }

    #[test]
    fn count_looks_for_the_email_before_creating() {
        let mut state = count_create_form();
        let effects = state.update(Msg::Submit {
            fresh_key: "k1".into(),
        });
        let [Effect::Lookup(lookup)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert_eq!(
            lookup.url,
            "http://127.0.0.1:8788/count/customers/find-by-email?email=ap%40acme.test"
        );
        let effects = state.update(Msg::LookedUp(Ok(None)));
        let [Effect::Save {
            request,
            operation: Operation::Create,
        }] = &effects[..]
        else {
            panic!("{effects:?}")
        };
        assert_eq!(request.method, providers::Method::Post);
    }

    #[test]
    fn an_existing_customer_is_offered_instead_of_a_duplicate_and_typed_values_carry_over() {
        let mut state = count_create_form();
        state.update(Msg::Submit {
            fresh_key: "k1".into(),
        });
        let found = r#"{"status":"success","data":{"uuid":"u-1","customer":"Acme Ltd","email":"ap@acme.test"}}"#;
        let reply = HttpReply {
            status: 200,
            headers: vec![],
            body: found.into(),
        };
        let existing = contract::interpret_reply(state.contract(), &reply).unwrap();
        state.update(Msg::LookedUp(Ok(Some(existing))));
        assert_eq!(
            state.failure,
            Some(Failure::Duplicate {
                id: "u-1".into(),
                name: "Acme Ltd".into()
            })
        );
        assert_eq!(state.phase, Phase::Error);
        let effects = state.update(Msg::UseExisting);
        let [Effect::RefreshToken, Effect::Load(load)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(load.url.ends_with("/customers/u-1"));
        let full = r#"{"status":"success","data":{"uuid":"u-1","customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 9","website":"https://acme.test","status":"active"}}"#;
        let reply = HttpReply {
            status: 200,
            headers: vec![],
            body: full.into(),
        };
        state.update(Msg::Loaded(contract::interpret_reply(
            state.contract(),
            &reply,
        )));
        assert_eq!(state.operation(), Operation::Update);
        assert_eq!(
            state.values.get("mainPhone"),
            "+44 1",
            "what was typed wins"
        );
        assert_eq!(
            state.values.get("website"),
            "https://acme.test",
            "the rest comes from the record"
        );
        let update = submit(&mut state, "k2").unwrap();
        assert_eq!(update.method, providers::Method::Put);
        assert_eq!(
            update.body.as_deref(),
            Some(r#"{"customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 1"}"#)
        );
    }

    #[test]
    fn a_customer_token_edits_its_own_record_when_none_is_named() {
        let mut state = FormState::new(
            ProviderId::CommerceLayer,
            Operation::Update,
            "",
            Some("http://127.0.0.1:1/commercelayer/api"),
        )
        .unwrap();
        let grant = Grant {
            read: true,
            create: false,
            update: true,
            channel: Channel::Direct,
            owner: Some("XAyRWNUzyN".into()),
        };
        let effects = state.update(Msg::Credential(Some(CredentialUse::Allowed(grant))));
        let [Effect::Load(load)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(load.url.contains("/customers/XAyRWNUzyN?include="));
        assert!(
            state
                .contract()
                .fields(Operation::Update)
                .iter()
                .all(|f| f.name != "customer_group"),
            "sales-channel fields"
        );
    }

    #[test]
    fn commerce_layer_needs_an_api_base() {
        assert!(FormState::new(ProviderId::CommerceLayer, Operation::Create, "", None).is_none());
        assert!(FormState::new(ProviderId::Prolifi, Operation::Create, "", None).is_some());
    }

    #[test]
    fn seeds_fill_only_empty_fields() {
        let mut state = FormState::new(ProviderId::Partnero, Operation::Create, "", None).unwrap();
        state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
            Channel::Gateway,
        )))));
        edit(&mut state, "partner.id", "p1");
        state.update(Msg::Seed(
            FormValues::new()
                .with("partner.key", "ref_123")
                .with("partner.id", "other"),
        ));
        assert_eq!(
            (
                state.values.get("partner.key"),
                state.values.get("partner.id")
            ),
            ("ref_123", "p1")
        );
    }

    #[test]
    fn transient_failures_are_retried_with_the_same_request_then_reported() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        let first = submit(&mut state, "k1").unwrap();
        let mut retry_after = ApiError::new(Some(429), ErrorKind::RateLimited, "");
        retry_after.retry_after_secs = Some(2);
        let effects = state.update(Msg::Saved(Err(retry_after)));
        assert_eq!(
            effects,
            vec![Effect::Retry {
                attempt: 1,
                retry_after_secs: Some(2)
            }]
        );
        assert_eq!(
            (state.phase, state.notice.clone()),
            (Phase::Saving, Some(Notice::Retrying { secs: 2 }))
        );
        assert_eq!(state.values.get("last_name"), "Smith");
        let effects = state.update(Msg::RetryNow);
        assert_eq!(
            effects,
            vec![Effect::Save {
                request: first.clone(),
                operation: Operation::Update
            }]
        );
        for attempt in 2..=retry::budget(ProviderId::Prolifi) {
            assert_eq!(
                state.update(Msg::Saved(Err(transient()))),
                vec![Effect::Retry {
                    attempt,
                    retry_after_secs: None
                }]
            );
            state.update(Msg::RetryNow);
        }
        let effects = state.update(Msg::Saved(Err(transient())));
        assert!(
            matches!(&effects[..], [Effect::Emit(Event::Error(_))]),
            "budget spent: {effects:?}"
        );
        assert_eq!(state.phase, Phase::Error);
    }

    #[test]
    fn a_long_retry_after_is_not_waited_out() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        submit(&mut state, "k1").unwrap();
        let mut error = ApiError::new(Some(429), ErrorKind::RateLimited, "");
        error.retry_after_secs = Some(120);
        assert!(matches!(
            &state.update(Msg::Saved(Err(error)))[..],
            [Effect::Emit(_)]
        ));
        assert_eq!(state.phase, Phase::Error);
    }

    #[test]
    fn a_prolifi_create_is_retried_with_its_idempotency_key() {
        let mut state =
            FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
        state.update(Msg::Credential(Some(all())));
        edit(&mut state, "email", "ada@example.com");
        let first = submit(&mut state, "k1").unwrap();
        assert!(matches!(
            &state.update(Msg::Saved(Err(transient())))[..],
            [Effect::Retry { .. }]
        ));
        let effects = state.update(Msg::RetryNow);
        assert_eq!(
            effects,
            vec![Effect::Save {
                request: first,
                operation: Operation::Create
            }]
        );
    }

    #[test]
    fn a_count_create_retry_finds_what_the_first_attempt_created() {
        let mut state = count_create_form();
        state.update(Msg::Submit {
            fresh_key: "k1".into(),
        });
        let effects = state.update(Msg::LookedUp(Ok(None)));
        assert!(matches!(&effects[..], [Effect::Save { .. }]));
        assert!(matches!(
            &state.update(Msg::Saved(Err(transient())))[..],
            [Effect::Retry { .. }]
        ));
        let effects = state.update(Msg::RetryNow);
        let [Effect::Lookup(lookup)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(lookup.url.contains("find-by-email"));
        let found = r#"{"status":"success","data":{"uuid":"u-9","customer":"Acme Ltd","email":"ap@acme.test"}}"#;
        let reply = HttpReply {
            status: 200,
            headers: vec![],
            body: found.into(),
        };
        let existing = contract::interpret_reply(state.contract(), &reply).unwrap();
        let effects = state.update(Msg::LookedUp(Ok(Some(existing))));
        let [Effect::RefreshToken, Effect::Load(load)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(load.url.ends_with("/customers/u-9"));
        assert_eq!(state.phase, Phase::Saving);
        let full = r#"{"status":"success","data":{"uuid":"u-9","customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 1"}}"#;
        let reply = HttpReply {
            status: 200,
            headers: vec![],
            body: full.into(),
        };
        let effects = state.update(Msg::Loaded(contract::interpret_reply(
            state.contract(),
            &reply,
        )));
        assert!(matches!(
            &effects[..],
            [Effect::Emit(Event::Saved {
                operation: Operation::Create,
                ..
            })]
        ));
        assert_eq!(
            (state.phase, state.notice.clone()),
            (Phase::Saved, Some(Notice::Replayed))
        );
        assert_eq!(state.operation(), Operation::Update);
    }

    #[test]
    fn a_partnero_create_retry_reads_the_key_back_first() {
        let mut state = FormState::new(ProviderId::Partnero, Operation::Create, "", None).unwrap();
        state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
            Channel::Gateway,
        )))));
        edit(&mut state, "key", "c-77");
        edit(&mut state, "partner.key", "ref_123");
        let effects = state.update(Msg::Submit {
            fresh_key: "k1".into(),
        });
        assert!(
            matches!(&effects[..], [Effect::Save { .. }]),
            "no lookup before a first create"
        );
        assert!(matches!(
            &state.update(Msg::Saved(Err(transient())))[..],
            [Effect::Retry { .. }]
        ));
        let effects = state.update(Msg::RetryNow);
        let [Effect::RefreshToken, Effect::Lookup(lookup)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(lookup.url.ends_with("/customers/c-77"));
        assert_eq!(
            state.customer_id(),
            "c-77",
            "the token provider is asked for this customer"
        );
        let effects = state.update(Msg::LookedUp(Ok(None)));
        assert!(matches!(
            &effects[..],
            [Effect::Save {
                operation: Operation::Create,
                ..
            }]
        ));
    }

    #[test]
    fn a_create_without_a_duplicate_guard_is_not_retried_automatically() {
        let mut state = FormState::new(
            ProviderId::CommerceLayer,
            Operation::Create,
            "",
            Some("http://127.0.0.1:1/cl/api"),
        )
        .unwrap();
        let guest = Grant {
            read: false,
            create: true,
            update: false,
            channel: Channel::Direct,
            owner: None,
        };
        state.update(Msg::Credential(Some(CredentialUse::Allowed(guest))));
        edit(&mut state, "email", "new@example.com");
        assert!(submit(&mut state, "k1").is_some());
        assert!(matches!(
            &state.update(Msg::Saved(Err(transient())))[..],
            [Effect::Emit(_)]
        ));
        assert_eq!(state.phase, Phase::Error);
    }

    fn changed_on_server(state: &FormState, field: &str, text: &str) -> Record {
        let mut theirs = state.loaded.clone().unwrap();
        theirs.values.set(field, text);
        theirs.updated_at = Some("t2".into());
        theirs
    }

    #[test]
    fn someone_elses_change_to_another_field_is_kept_not_overwritten() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        let effects = state.update(Msg::Submit {
            fresh_key: "k1".into(),
        });
        assert!(matches!(&effects[..], [Effect::Check(check)] if check.method == Method::Get));
        let theirs = changed_on_server(&state, "first_name", "Janet");
        let effects = state.update(Msg::Checked(Ok(theirs)));
        let [Effect::Save { request, .. }] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert_eq!(request.body.as_deref(), Some(r#"{"last_name":"Smith"}"#));
        assert_eq!(state.values.get("first_name"), "Janet");
        let saved = record(
            r#"{"data":{"id":"c-1","email":"jane@example.com","first_name":"Janet","last_name":"Smith","updated_at":"t3"}}"#,
        );
        state.update(Msg::Saved(Ok(Saved {
            record: saved,
            replayed: false,
        })));
        assert_eq!(
            state.notice,
            Some(Notice::SavedWithTheirs(vec!["first_name"]))
        );
    }

    #[test]
    fn a_conflict_is_never_overwritten_silently() {
        for (resolution, expected_body, expected_name) in [
            (
                Resolution::KeepMine,
                Some(r#"{"last_name":"Smith"}"#),
                "Smith",
            ),
            (Resolution::TakeTheirs, None, "Jones"),
        ] {
            let mut state = loaded_update_form();
            edit(&mut state, "last_name", "Smith");
            state.update(Msg::Submit {
                fresh_key: "k1".into(),
            });
            let theirs = changed_on_server(&state, "last_name", "Jones");
            let effects = state.update(Msg::Checked(Ok(theirs)));
            assert!(
                matches!(&effects[..], [Effect::Emit(Event::Error(Failure::Conflict { fields }))] if fields == &vec!["last_name"])
            );
            assert_eq!(state.phase, Phase::Error);
            assert!(!state.editable(), "the choice comes first");
            let mut effects = state.update(Msg::Resolve(resolution));
            if let [Effect::Check(_)] = &effects[..] {
                // Nobody changed it again while the person chose.
                let now = state.loaded.clone().unwrap();
                effects = state.update(Msg::Checked(Ok(now)));
            }
            let body = match &effects[..] {
                [Effect::Save { request, .. }] => request.body.as_deref(),
                [] => None,
                other => panic!("{other:?}"),
            };
            assert_eq!(body, expected_body);
            assert_eq!(state.values.get("last_name"), expected_name);
        }
    }

    #[test]
    fn a_conflict_can_be_merged_field_by_field() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        edit(&mut state, "phone", "+1 555");
        state.update(Msg::Submit {
            fresh_key: "k1".into(),
        });
        let mut theirs = changed_on_server(&state, "last_name", "Jones");
        theirs.values.set("phone", "+44 1");
        state.update(Msg::Checked(Ok(theirs)));
        assert_eq!(
            state.failure,
            Some(Failure::Conflict {
                fields: vec!["last_name", "phone"]
            })
        );
        state.update(Msg::Choose {
            field: "last_name".into(),
            side: Side::Theirs,
        });
        let effects = state.update(Msg::Resolve(Resolution::Merge));
        assert!(
            matches!(&effects[..], [Effect::Check(_)]),
            "checked again first"
        );
        let now = state.loaded.clone().unwrap();
        let effects = state.update(Msg::Checked(Ok(now)));
        let [Effect::Save { request, .. }] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert_eq!(request.body.as_deref(), Some(r#"{"phone":"+1 555"}"#));
    }

    #[test]
    fn dirty_tracking_and_drafts_without_passwords() {
        let mut state = FormState::new(
            ProviderId::CommerceLayer,
            Operation::Create,
            "",
            Some("http://127.0.0.1:1/cl/api"),
        )
        .unwrap();
        state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
            Channel::Direct,
        )))));
        assert!(!state.is_dirty());
        edit(&mut state, "email", "a@b.co");
        edit(&mut state, "password", "hunter2");
        assert!(state.is_dirty());
        let draft = state.draft();
        assert_eq!(draft.mine.get("email"), "a@b.co");
        assert_eq!(draft.mine.get("password"), "", "never a password");
        assert_eq!(draft.mine.iter().count(), 1, "only what changed");
        let mut restored = FormState::new(
            ProviderId::CommerceLayer,
            Operation::Create,
            "",
            Some("http://127.0.0.1:1/cl/api"),
        )
        .unwrap();
        restored.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
            Channel::Direct,
        )))));
        restored.update(Msg::Restore(draft));
        assert_eq!(
            (restored.values.get("email"), restored.notice.clone()),
            ("a@b.co", Some(Notice::Restored))
        );
    }

    #[test]
    fn a_draft_never_reverts_someone_elses_later_change() {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        edit(&mut state, "phone", "+1 555");
        let draft = state.draft();
        assert_eq!(draft.base.get("last_name"), "Doe");
        // After a reload the server has a new last name from a colleague.
        let mut fresh = FormState::new(
            ProviderId::Prolifi,
            Operation::Update,
            "cus_1001",
            Some(BASE),
        )
        .unwrap();
        fresh.update(Msg::Credential(Some(all())));
        fresh.update(Msg::Loaded(Ok(record(
            &CUSTOMER.replace("\"Doe\"", "\"Jones\""),
        ))));
        fresh.update(Msg::Restore(draft));
        assert_eq!(fresh.values.get("last_name"), "Jones", "their change stays");
        assert_eq!(
            fresh.values.get("phone"),
            "+1 555",
            "my untouched-by-them change comes back"
        );
        assert_eq!(
            fresh.notice,
            Some(Notice::RestoredExcept(vec!["last_name"]))
        );
    }

    #[test]
    fn an_unsettled_create_is_sent_again_as_it_was_before_later_edits() {
        let mut state =
            FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
        state.update(Msg::Credential(Some(all())));
        edit(&mut state, "email", "ada@example.com");
        let first = submit(&mut state, "k1").unwrap();
        give_up(&mut state);
        assert_eq!(state.phase, Phase::Error);
        edit(&mut state, "first_name", "Ada");
        let effects = state.update(Msg::Submit {
            fresh_key: "k2".into(),
        });
        assert_eq!(
            effects,
            vec![Effect::Save {
                request: first,
                operation: Operation::Create
            }]
        );
        let created =
            record(r#"{"data":{"id":"new-1","email":"ada@example.com","updated_at":"t1"}}"#);
        let effects = state.update(Msg::Saved(Ok(Saved {
            record: created.clone(),
            replayed: true,
        })));
        assert!(matches!(
            &effects[..],
            [
                Effect::Emit(Event::Saved {
                    operation: Operation::Create,
                    ..
                }),
                Effect::Check(_)
            ]
        ));
        assert_eq!(
            state.values.get("first_name"),
            "Ada",
            "the later edit is kept"
        );
        let effects = state.update(Msg::Checked(Ok(created)));
        let [Effect::Save {
            request,
            operation: Operation::Update,
        }] = &effects[..]
        else {
            panic!("{effects:?}")
        };
        assert_eq!(request.body.as_deref(), Some(r#"{"first_name":"Ada"}"#));
    }

    #[test]
    fn a_lookup_that_finds_someone_elses_customer_is_not_adopted() {
        let mut state = FormState::new(ProviderId::Partnero, Operation::Create, "", None).unwrap();
        state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
            Channel::Gateway,
        )))));
        edit(&mut state, "key", "taken_key");
        edit(&mut state, "email", "me@example.com");
        edit(&mut state, "partner.key", "ref_123");
        state.update(Msg::Submit {
            fresh_key: "k1".into(),
        });
        state.update(Msg::Saved(Err(transient())));
        state.update(Msg::RetryNow);
        let stranger =
            r#"{"data":{"key":"taken_key","email":"someone@else.com","name":"Bob"},"status":1}"#;
        let reply = HttpReply {
            status: 200,
            headers: vec![],
            body: stranger.into(),
        };
        let found = contract::interpret_reply(state.contract(), &reply).unwrap();
        state.update(Msg::LookedUp(Ok(Some(found.clone()))));
        let effects = state.update(Msg::Loaded(Ok(found)));
        assert!(
            matches!(
                &effects[..],
                [Effect::Emit(Event::Error(Failure::Duplicate { .. }))]
            ),
            "{effects:?}"
        );
        assert!(state.loaded.is_none());
        assert_eq!(state.values.get("email"), "me@example.com");
    }
}
