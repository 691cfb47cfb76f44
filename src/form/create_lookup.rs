//! The create path of the save machine: the provider's lookup before a create (to offer an
//! existing customer instead of a duplicate, or to find what an earlier attempt created), and
//! editing the customer it found.

use providers::validate::normalize;
use providers::{ErrorKind, FormValues, HttpRequest, Json, Operation, Record};

use super::activity::{Activity, LookupPurpose, Request};
use super::state::FormState;
use super::{Effect, Failure, Saved};

/// The first non-empty of these members of a record, to name a customer in a message.
pub(super) fn customer_name(record: &Record, members: &[&str]) -> String {
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
    /// A create goes through the provider's lookup first when it has one: to offer an existing
    /// customer, or to find what an earlier attempt already created.
    pub(super) fn lookup(
        &mut self,
        create: HttpRequest,
        purpose: LookupPurpose,
        retries: u32,
    ) -> Vec<Effect> {
        // What the earlier create sent, for its lookup; otherwise what the form holds.
        let values = match (purpose, &self.unconfirmed) {
            (LookupPurpose::Earlier, Some(earlier)) => &earlier.sent,
            _ => &self.values,
        };
        let (found, chosen) = match purpose {
            LookupPurpose::Offer => (self.contract.duplicate_lookup(&self.base, values), None),
            _ => (
                self.contract.created_lookup(&self.base, values),
                self.contract.chosen_id(values),
            ),
        };
        let Some(lookup) = found else {
            // Nothing to look by: the earlier create is as settled as it can be.
            if purpose == LookupPurpose::Earlier {
                return self.earlier_settled(create, retries);
            }
            return self.write(create, Operation::Create, Vec::new(), None, retries);
        };
        let mut effects = Vec::new();
        // Reading a customer by the id the create chose: a scoped token must name it.
        if let Some(id) = chosen {
            self.customer_id = id;
            effects.push(Effect::RefreshToken);
        }
        self.activity = Activity::Busy {
            request: Request::Lookup { create, purpose },
            retries,
        };
        effects.push(Effect::Lookup(lookup));
        effects
    }

    pub(super) fn looked_up(
        &mut self,
        create: HttpRequest,
        purpose: LookupPurpose,
        found: Option<Record>,
        retries: u32,
    ) -> Vec<Effect> {
        match (found, purpose) {
            (None, LookupPurpose::Earlier) => self.earlier_settled(create, retries),
            (None, _) => self.write(create, Operation::Create, Vec::new(), None, retries),
            (Some(existing), LookupPurpose::Offer | LookupPurpose::Earlier) => {
                self.unconfirmed = None;
                let mut effects = self.unname();
                let name = customer_name(&existing, &["customer", "name", "email"]);
                effects.extend(self.fail(Failure::Duplicate {
                    id: existing.id,
                    name,
                }));
                effects
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

    /// The earlier create did not land (or cannot be looked for): the new one goes on as any
    /// create, with its own lookup.
    fn earlier_settled(&mut self, create: HttpRequest, retries: u32) -> Vec<Effect> {
        self.unconfirmed = None;
        let mut effects = self.unname();
        effects.extend(self.lookup(create, LookupPurpose::Offer, retries));
        effects
    }

    /// A create form named a customer only to look for what an earlier create made (by the id
    /// it chose): it names none again, and its token follows.
    pub(super) fn unname(&mut self) -> Vec<Effect> {
        if self.customer_id.is_empty() {
            return Vec::new();
        }
        self.customer_id.clear();
        vec![Effect::RefreshToken]
    }

    /// Whether `record` holds every value `sent` gave (those it left empty aside): a record an
    /// earlier write made or renamed, rather than someone else's under the same name.
    pub(super) fn holds(&self, sent: &FormValues, record: &Record) -> bool {
        self.contract.fields(Operation::Update).iter().all(|spec| {
            let sent = normalize(spec.kind, sent.get(spec.name));
            sent.is_empty() || sent == normalize(spec.kind, record.values.get(spec.name))
        })
    }

    /// What a lookup found after a create that may have reached the provider is ours only if it
    /// holds what was sent; otherwise it is someone else's customer with the same key or email.
    pub(super) fn read_back(&mut self, record: Record) -> Vec<Effect> {
        if !self.holds(&self.values, &record) {
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

    pub(super) fn use_existing(&mut self) -> Vec<Effect> {
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
