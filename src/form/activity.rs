//! What the save machine is doing (`Activity`) and the requests it waits on, each carrying the
//! data its next step needs. The transitions are in `save.rs`.

use providers::{FormValues, HttpRequest, Operation};

use super::conflict::Conflict;

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
    /// Two versions of the record differ in fields the person typed: nothing is written until
    /// they choose, and `then` says what follows the choice.
    Deciding {
        conflict: Conflict,
        then: AfterChoice,
    },
}

/// What follows a person's choice between their values and the record's.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum AfterChoice {
    /// The record changed on the server while they edited it: check it again, then write with
    /// `fresh_key`, the save's idempotency key, still unused.
    Write { fresh_key: String },
    /// They chose to edit the existing customer a create would have duplicated: their choice
    /// fills the form, and nothing is written until they save.
    Edit,
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
    /// After a 404 under the record's old name, reading it under the new name a rename whose
    /// outcome was unknown gave it (a Partnero key): taken only if it holds what was sent.
    Renamed { fresh_key: String },
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
    /// Before a create with other values than an earlier one whose outcome is unknown: the
    /// earlier one's lookup (by what it sent). What it finds is offered, as an existing
    /// customer is; if nothing, the new create goes on with its own lookup.
    Earlier,
}

/// Edits made after a create whose outcome was unknown; they follow as an update.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct LaterEdits {
    pub values: FormValues,
    pub fresh_key: String,
}

/// A write that failed in transit (see `FormState::unconfirmed`), and the values it was built
/// from, which the lookup for what it created is made of.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Unconfirmed {
    pub request: HttpRequest,
    pub operation: Operation,
    pub sent: FormValues,
}
