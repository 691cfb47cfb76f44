//! The form's state and its transitions, as a pure reducer.
//!
//! The component feeds it what happened (a keystroke, a reply, a token) and carries out the
//! effects it returns (send this request, emit that event). Nothing here touches the DOM or the
//! network, so every rule about saving is tested natively.

use providers::contract::{self, RequestContext};

use super::FieldErrors;
use providers::validate::Rule;
use providers::{
    contract_for, ApiError, Channel, Contract, CredentialUse, ErrorKind, FormValues, Grant,
    HttpRequest, Json, Operation, ProviderId, Record, RefusalReason,
};

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Created,
    Saved,
    /// The provider replayed an earlier reply to the same idempotent request.
    Replayed,
    NothingChanged,
    ReadOnly,
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
    Save {
        request: HttpRequest,
        operation: Operation,
    },
    Emit(Event),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// The credential was classified (or the host's token provider failed: `None`).
    Credential(Option<CredentialUse>),
    Loaded(Result<Record, ApiError>),
    /// The duplicate check answered: the existing customer, or `None` when there is none.
    LookedUp(Result<Option<Record>, ApiError>),
    Edit {
        field: String,
        text: String,
    },
    /// Values the host page offers for an empty form (Partnero's referral cookie).
    Seed(FormValues),
    /// `fresh_key` is a new random idempotency key; the reducer decides whether to use it or to
    /// reuse the key of a failed attempt at the very same request.
    Submit {
        fresh_key: String,
    },
    Saved(Result<Saved, ApiError>),
    RetryLoad,
    /// Edit the customer the duplicate check found, keeping what was typed.
    UseExisting,
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
    grant: Option<Grant>,
    attempt: Option<Attempt>,
    /// A create waiting for the duplicate check to come back empty.
    pending_create: Option<HttpRequest>,
    /// Typed values to keep over a record being loaded (after "edit the existing customer").
    carried: Option<FormValues>,
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
            grant: None,
            attempt: None,
            pending_create: None,
            carried: None,
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
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Credential(credential) => self.on_credential(credential),
            Msg::Loaded(result) => self.on_loaded(result),
            Msg::LookedUp(result) => self.on_looked_up(result),
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
            Msg::Submit { fresh_key } => self.on_submit(fresh_key),
            Msg::Saved(result) => self.on_saved(result),
            Msg::RetryLoad => match self.failure {
                Some(Failure::Api {
                    step: Step::Load, ..
                }) => self.start_load(),
                _ => Vec::new(),
            },
            Msg::UseExisting => self.on_use_existing(),
        }
    }

    fn fail(&mut self, failure: Failure) -> Vec<Effect> {
        self.phase = Phase::Error;
        self.notice = None;
        self.failure = Some(failure.clone());
        vec![Effect::Emit(Event::Error(failure))]
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
        self.phase = Phase::Loading;
        self.failure = None;
        vec![Effect::Load(
            self.contract.read_request(&self.base, &self.customer_id),
        )]
    }

    fn on_loaded(&mut self, result: Result<Record, ApiError>) -> Vec<Effect> {
        match result {
            Ok(record) => {
                let raw = record.raw.clone();
                self.values = record.values.clone();
                if let Some(carried) = self.carried.take() {
                    for (field, text) in carried.iter() {
                        if !text.trim().is_empty()
                            && self
                                .contract
                                .fields(Operation::Update)
                                .iter()
                                .any(|f| f.name == field)
                        {
                            self.values.set(field, text);
                        }
                    }
                }
                self.loaded = Some(record);
                self.failure = None;
                self.settle();
                vec![Effect::Emit(Event::Loaded(raw))]
            }
            Err(error) => self.fail(Failure::Api {
                error,
                step: Step::Load,
            }),
        }
    }

    fn on_edit(&mut self, field: String, text: String) {
        if !self.editable() || !self.can_write() {
            return;
        }
        self.field_errors.remove(&field);
        self.values.set(field, text);
        if self.phase == Phase::Saved {
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
        if self.notice == Some(Notice::NothingChanged) {
            self.notice = None;
        }
        self.phase = Phase::Ready;
    }

    fn on_submit(&mut self, fresh_key: String) -> Vec<Effect> {
        if !self.editable() || !self.can_write() {
            return Vec::new();
        }
        let operation = self.operation();
        let build = |state: &FormState, key: Option<&str>| {
            let ctx = RequestContext {
                base: &state.base,
                idempotency_key: key,
            };
            match &state.loaded {
                Some(loaded) => {
                    contract::update_request(state.contract, ctx, loaded, &state.values)
                }
                None => contract::create_request(state.contract, ctx, &state.values).map(Some),
            }
        };
        let request = match build(self, None) {
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
        // Same request as a write that failed in transit: same key, so the provider can tell.
        let key = match &self.attempt {
            Some(a) if a.body == request.body && a.url == request.url => a.key.clone(),
            _ => fresh_key,
        };
        let request = match build(self, Some(&key)) {
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
        self.phase = Phase::Saving;
        if operation == Operation::Create {
            if let Some(lookup) = self.contract.duplicate_lookup(&self.base, &self.values) {
                self.pending_create = Some(request);
                return vec![Effect::Lookup(lookup)];
            }
        }
        vec![Effect::Save { request, operation }]
    }

    fn on_looked_up(&mut self, result: Result<Option<Record>, ApiError>) -> Vec<Effect> {
        let Some(request) = self.pending_create.take() else {
            return Vec::new();
        };
        match result {
            Ok(None) => vec![Effect::Save {
                request,
                operation: Operation::Create,
            }],
            Ok(Some(existing)) => {
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
            Err(error) => self.fail(Failure::Api {
                error,
                step: Step::Save,
            }),
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
        self.start_load()
    }

    fn on_saved(&mut self, result: Result<Saved, ApiError>) -> Vec<Effect> {
        let operation = self.operation();
        match result {
            Ok(Saved { record, replayed }) => {
                let customer = record.raw.clone();
                self.values = record.values.clone();
                self.loaded = Some(record);
                self.attempt = None;
                self.failure = None;
                self.field_errors.clear();
                self.phase = Phase::Saved;
                self.notice = Some(match (replayed, operation) {
                    (true, _) => Notice::Replayed,
                    (false, Operation::Create) => Notice::Created,
                    (false, Operation::Update) => Notice::Saved,
                });
                vec![Effect::Emit(Event::Saved {
                    operation,
                    customer,
                })]
            }
            Err(error) => {
                if !error.kind.is_transient() {
                    self.attempt = None;
                }
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
        match state
            .update(Msg::Submit {
                fresh_key: key.into(),
            })
            .pop()
        {
            Some(Effect::Save { request, .. }) => Some(request),
            _ => None,
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
        state.update(Msg::Saved(Err(transient())));
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
        state.update(Msg::Saved(Err(transient())));
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
            (state.phase, state.notice),
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
            (state.phase, state.notice),
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
        state.update(Msg::Loaded(Err(ApiError::new(
            Some(503),
            ErrorKind::Server,
            "",
        ))));
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
        let [Effect::Load(load)] = &effects[..] else {
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
}
