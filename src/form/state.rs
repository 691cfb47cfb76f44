//! What the form holds: which customer of which provider, the values, what was loaded, what it
//! shows, and where saving stands (`activity::Activity`). Its transitions are in `save.rs`; this
//! file answers questions about it.

use providers::contract::{self, RequestContext};
use providers::substring::Trim;
use providers::validate::{same, Invalid};
use providers::{
    contract_for, Channel, Contract, FormValues, Grant, HttpRequest, Operation, ProviderId, Record,
};

use super::activity::{Activity, AfterChoice, Request, Settled, Unconfirmed};
use super::conflict::Conflict;
use super::{Failure, FieldErrors, Notice, Phase};

pub struct FormState {
    pub(super) provider: ProviderId,
    pub(super) contract: &'static dyn Contract,
    pub(super) mode: Operation,
    pub(super) customer_id: String,
    pub(super) base: String,
    /// What the credential allows; `None` until it is classified (or when it was refused).
    pub(super) grant: Option<Grant>,
    pub values: FormValues,
    pub loaded: Option<Record>,
    pub field_errors: FieldErrors,
    pub failure: Option<Failure>,
    /// How many failures the form has met: one more each time `failure` is set, so the view
    /// knows a new one came without keeping a copy of the last to compare.
    pub(crate) failures: u32,
    pub notice: Option<Notice>,
    /// Where the form's requests stand; the only record of a save's progress.
    pub(super) activity: Activity,
    /// A write that failed in transit: it may or may not have reached the provider. Kept until
    /// it is settled (saved, found, refused, or known not to have landed), through the
    /// lookups and reads that follow it, whatever they meet. The same request goes out again
    /// with the same key; a create is sent again as it was before later edits, or, where a
    /// second create could duplicate it, looked for before any create.
    pub(super) unconfirmed: Option<Unconfirmed>,
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
            .map(str::trimmed)
            .filter(|b| !b.is_empty())
            .unwrap_or(contract.default_base());
        if base.is_empty() {
            return None;
        }
        Some(FormState {
            provider,
            contract,
            mode,
            customer_id: customer_id.trimmed().to_string(),
            base: base.to_string(),
            grant: None,
            values: FormValues::new(),
            loaded: None,
            field_errors: FieldErrors::default(),
            failure: None,
            failures: 0,
            notice: None,
            activity: Activity::AwaitingCredential,
            unconfirmed: None,
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

    /// The public `data-state`, read off what the form is doing: it cannot say `saving` while
    /// nothing is being sent, nor `ready` while a request is under way.
    pub fn phase(&self) -> Phase {
        match &self.activity {
            Activity::AwaitingCredential => Phase::Loading,
            Activity::Busy { request, .. } | Activity::RetryWait { request, .. } => match request {
                Request::Load { .. } => Phase::Loading,
                _ => Phase::Saving,
            },
            Activity::Deciding { .. } => Phase::Error,
            Activity::Idle(Settled::Failed) => Phase::Error,
            Activity::Idle(Settled::Saved) => Phase::Saved,
            Activity::Idle(Settled::Ready) if self.can_write() => Phase::Ready,
            Activity::Idle(Settled::Ready) => Phase::ReadOnly,
        }
    }

    /// Whether the choice waiting is between what was typed and an existing customer's values
    /// ("edit that customer instead"), rather than a conflict with someone else's save.
    pub fn comparing(&self) -> bool {
        matches!(
            self.activity,
            Activity::Deciding {
                then: AfterChoice::Edit,
                ..
            }
        )
    }

    /// The conflict waiting for the person's choice, if any.
    pub fn conflict(&self) -> Option<&Conflict> {
        match &self.activity {
            Activity::Deciding { conflict, .. } => Some(conflict),
            _ => None,
        }
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

    /// Whether a credential that cannot write what this form would may write the other way (an
    /// update-only token on a create form): the form then says which it cannot do, not that it
    /// "can only read".
    pub fn may_write_other_operation(&self) -> bool {
        self.grant.as_ref().is_some_and(|g| g.create || g.update)
    }

    /// Whether the credential lets the form write `field`: a scoped token's `fields` claim names
    /// it, or something it is part of (`billingAddress` covers `billingAddress.city`). A hint
    /// only; the gateway decides.
    pub fn may_write(&self, field: &str) -> bool {
        let Some(allowed) = self.grant.as_ref().and_then(|g| g.fields.as_ref()) else {
            return true;
        };
        allowed.iter().any(|a| {
            field == a
                || field
                    .strip_prefix(a.as_str())
                    .is_some_and(|rest| rest.starts_with("."))
        })
    }

    /// Whether the inputs take typing now.
    pub fn editable(&self) -> bool {
        matches!(self.activity, Activity::Idle(_))
            && !self.failure.as_ref().is_some_and(Failure::is_fatal)
    }

    /// What the values are measured against: the record as loaded, or nothing for a create.
    pub(super) fn baseline(&self) -> Option<&FormValues> {
        self.loaded.as_ref().map(|r| &r.values)
    }

    /// Whether `field` differs from what was loaded (in normal form, so reformatting is not a
    /// change).
    pub fn is_changed(&self, field: &str) -> bool {
        let Some(spec) = self
            .contract
            .fields(self.operation())
            .iter()
            .find(|f| f.name == field)
        else {
            return false;
        };
        let then = self.baseline().map_or("", |b| b.get(field));
        !same(spec.kind, self.values.get(field), then)
    }

    /// Whether the form holds changes not saved yet (for `customer-dirty-change`).
    pub fn is_dirty(&self) -> bool {
        self.contract
            .fields(self.operation())
            .iter()
            .any(|spec| self.is_changed(spec.name))
    }

    /// The request for the current values, with `key` as its idempotency key; `Ok(None)` when
    /// an update would change nothing.
    pub(super) fn build(&self, key: Option<&str>) -> Result<Option<HttpRequest>, Vec<Invalid>> {
        let ctx = RequestContext {
            base: &self.base,
            idempotency_key: key,
        };
        match &self.loaded {
            Some(loaded) => contract::update_request(self.contract, ctx, loaded, &self.values),
            None => contract::create_request(self.contract, ctx, &self.values).map(Some),
        }
    }
}
