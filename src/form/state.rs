//! The form's state and its transitions, as a pure reducer.
//!
//! The component feeds it what happened (a keystroke, a reply, a token) and carries out the
//! effects it returns (send this request, emit that event). Nothing here touches the DOM or the
//! network, so every rule about saving is tested natively.

use std::collections::BTreeMap;

use providers::contract::{self, RequestContext};
use providers::validate::Rule;
use providers::{
    ApiError, Contract, CredentialUse, ErrorKind, FormValues, HttpRequest, Json, Operation, Record,
    RefusalReason,
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
    Load(HttpRequest),
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
    Edit {
        field: String,
        text: String,
    },
    /// `fresh_key` is a new random idempotency key; the reducer decides whether to use it or to
    /// reuse the key of a failed attempt at the very same request.
    Submit {
        fresh_key: String,
    },
    Saved(Result<Saved, ApiError>),
    RetryLoad,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Access {
    read: bool,
    create: bool,
    update: bool,
}

pub struct FormState {
    contract: &'static dyn Contract,
    mode: Operation,
    customer_id: String,
    base: String,
    pub phase: Phase,
    pub values: FormValues,
    pub loaded: Option<Record>,
    pub field_errors: BTreeMap<String, FieldMessage>,
    pub failure: Option<Failure>,
    pub notice: Option<Notice>,
    access: Option<Access>,
    attempt: Option<Attempt>,
}

impl FormState {
    pub fn new(
        contract: &'static dyn Contract,
        mode: Operation,
        customer_id: &str,
        base: &str,
    ) -> FormState {
        FormState {
            contract,
            mode,
            customer_id: customer_id.trim().to_string(),
            base: base.to_string(),
            phase: Phase::Loading,
            values: FormValues::new(),
            loaded: None,
            field_errors: BTreeMap::new(),
            failure: None,
            notice: None,
            access: None,
            attempt: None,
        }
    }

    pub fn contract(&self) -> &'static dyn Contract {
        self.contract
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
        self.access.is_some_and(|a| match self.operation() {
            Operation::Create => a.create,
            Operation::Update => a.update,
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
            Msg::Edit { field, text } => {
                self.on_edit(field, text);
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
        let access = match credential {
            None => return self.fail(Failure::TokenProvider),
            Some(CredentialUse::Refused(reason)) => {
                self.access = None;
                return self.fail(Failure::Credential(reason));
            }
            Some(CredentialUse::Allowed {
                read,
                create,
                update,
            }) => Access {
                read,
                create,
                update,
            },
        };
        self.access = Some(access);
        if matches!(
            self.failure,
            Some(Failure::Credential(_) | Failure::TokenProvider)
        ) {
            self.failure = None;
        }
        if self.operation() == Operation::Update && self.loaded.is_none() {
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
        vec![Effect::Save { request, operation }]
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
        let mut state = FormState::new(&Prolifi, Operation::Update, "cus_1001", BASE);
        let effects = state.update(Msg::Credential(Some(CredentialUse::ALL)));
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
        let mut state = FormState::new(&Prolifi, Operation::Create, "", BASE);
        state.update(Msg::Credential(Some(CredentialUse::ALL)));
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
        let mut state = FormState::new(&Prolifi, Operation::Create, "", BASE);
        state.update(Msg::Credential(Some(CredentialUse::ALL)));
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
        let mut state = FormState::new(&Prolifi, Operation::Update, "c-1", BASE);
        let effects = state.update(Msg::Credential(Some(CredentialUse::READ_ONLY)));
        assert!(matches!(&effects[..], [Effect::Load(_)]));
        state.update(Msg::Loaded(Ok(record(CUSTOMER))));
        assert_eq!(
            (state.phase, state.notice),
            (Phase::ReadOnly, Some(Notice::ReadOnly))
        );
        edit(&mut state, "last_name", "Smith");
        assert_eq!(state.values.get("last_name"), "Doe");
        assert!(submit(&mut state, "k1").is_none());

        let mut create = FormState::new(&Prolifi, Operation::Create, "", BASE);
        assert!(create
            .update(Msg::Credential(Some(CredentialUse::READ_ONLY)))
            .is_empty());
        assert_eq!(create.phase, Phase::ReadOnly);
    }

    #[test]
    fn refused_credentials_send_nothing_at_all() {
        let mut state = FormState::new(&Prolifi, Operation::Update, "c-1", BASE);
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
        let mut state = FormState::new(&Prolifi, Operation::Update, "c-1", BASE);
        state.update(Msg::Credential(Some(CredentialUse::ALL)));
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
        assert!(state
            .update(Msg::Credential(Some(CredentialUse::ALL)))
            .is_empty());
        assert_eq!(state.values.get("last_name"), "Smith");
        assert!(state
            .update(Msg::Credential(Some(CredentialUse::READ_ONLY)))
            .is_empty());
        assert_eq!(state.phase, Phase::ReadOnly);
        assert_eq!(state.values.get("last_name"), "Smith");
    }
}
