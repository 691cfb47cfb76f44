//! The words of the form's state machine: what it shows (`Phase`, `Failure`, `Notice`), what
//! it is told (`Msg`) and what it asks the shell to do (`Effect`, `Event`).

use providers::validate::Rule;
use providers::{
    ApiError, CredentialUse, FormValues, HttpRequest, Json, Operation, Record, RefusalReason,
};

use super::{Draft, Side};

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

/// Which part of the work a provider error interrupted: reading the record, or saving it
/// (every request a save makes, lookups and re-reads included).
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
    /// The customer the person chose to edit instead of creating a duplicate holds other
    /// values in fields they typed: they choose which to keep before anything is written.
    Differs {
        fields: Vec<&'static str>,
        /// Fields typed on the create form that an update cannot write (Count's contacts):
        /// what was typed there will not be saved.
        left_behind: Vec<&'static str>,
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
    /// The credential cannot write what this form would (`FormState::may_write_other_operation` tells
    /// whether it may write the other way).
    ReadOnly,
    /// An automatic retry is coming (after this many seconds; 0: shortly).
    Retrying {
        secs: u32,
    },
    /// Unsaved changes from before a reload were put back.
    Restored,
    /// Some were, but these fields changed on the server meanwhile and keep the server's value.
    RestoredExcept(Vec<&'static str>),
    /// The server's version replaced the person's changes, at their request.
    TookTheirs,
    /// The person chose what to keep of an existing customer's values; nothing is saved yet.
    ChoseExisting,
    /// The customer to edit instead holds what was typed, but an update cannot write these
    /// fields typed on the create form (with other fields differing, `Failure::Differs` says
    /// it).
    LeftBehind(Vec<&'static str>),
    /// Saved, but the provider left out these tags (Commerce Layer adds only existing tags).
    TagsNotAdded(Vec<String>),
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
    /// Wait (see `retry::delay_ms`), then send `Msg::RetryNow`. `attempt` 1 is the first retry.
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
        field: &'static str,
        text: String,
    },
    /// Values the host page offers for empty fields of a create (the provider's create
    /// defaults, e.g. Partnero's referral cookie).
    Seed(FormValues),
    /// Unsaved changes kept from before a reload.
    Restore(Draft),
    /// `fresh_key` is a new random idempotency key; the save machine uses it unless this is the
    /// very request of a write whose outcome is unknown, which keeps its key.
    Submit {
        fresh_key: String,
    },
    /// A submit while the provider still asks the form to wait (its `Retry-After`): `secs`
    /// more, as the host page's clock counts them.
    SubmitAfter {
        fresh_key: String,
        secs: u32,
    },
    Saved(Result<Saved, ApiError>),
    RetryLoad,
    /// The wait before an automatic retry is over.
    RetryNow,
    /// Edit the customer the duplicate check found, keeping what was typed.
    UseExisting,
    /// For a conflicting field, which version to keep (`Resolution::Merge`).
    Choose {
        field: &'static str,
        side: Side,
    },
    Resolve(Resolution),
}

impl Msg {
    /// A reply's request to wait (its `Retry-After`) before asking again: the form keeps it,
    /// so that a submit before it is over waits the rest out (`Msg::SubmitAfter`).
    pub fn retry_after_secs(&self) -> Option<u32> {
        let error = match self {
            Msg::Loaded(Err(error))
            | Msg::LookedUp(Err(error))
            | Msg::Checked(Err(error))
            | Msg::Saved(Err(error)) => error,
            _ => return None,
        };
        error.retry_after_secs
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub record: Record,
    pub replayed: bool,
}
