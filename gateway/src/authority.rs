//! Which records a token may touch. Authority follows records, never names:
//!
//! - The `customer` claim names a record. With Count and Commerce Layer the name is the record's
//!   immutable id. With Prolifi it may be an `external_id`, which can move to another record, so
//!   the token is bound once (on first use) to the record's immutable `id`, and the binding is
//!   kept in the store until the token expires. Partnero has no immutable id: the token's key
//!   follows the renames recorded through the gateway after the token was issued.
//! - A token also reaches the records it created itself (grants), by identity.
//!
//! Callers compare the identity in the provider's own reply (a read) or in a read made just
//! before a write with `reaches`.

use providers::{GatewayRules, RecordNames};

use crate::claims::Claims;
use crate::store::{follow_renames, StoreError};
use crate::verified::Verified;
use crate::AppState;

pub struct Authority<'a> {
    state: &'a AppState,
    rules: &'static dyn GatewayRules,
    verified: &'a Verified,
    token: &'a str,
    bound: Bound,
}

enum Bound {
    NotYet,
    /// The token's record (`None`: no `customer` claim, or the record cannot be found).
    Known(Option<String>),
    /// The claim's own name is being read now and the token was never bound: the reply binds it
    /// (saving a read of the same record).
    ByThisReply,
}

impl<'a> Authority<'a> {
    pub fn new(
        state: &'a AppState,
        rules: &'static dyn GatewayRules,
        verified: &'a Verified,
    ) -> Authority<'a> {
        Authority {
            state,
            rules,
            verified,
            token: &verified.names.token,
            bound: Bound::NotYet,
        }
    }

    /// Whether `name` is what the `customer` claim says (the string, not yet the record).
    pub fn claim_names(&self, name: &str) -> bool {
        self.verified.claims.customer.as_deref() == Some(name)
    }

    /// Gets ready for a request naming `name`. When that is the claim's own alias and the token
    /// was never bound, the reply to this very request will bind it; when it was, the binding
    /// read here is the one `bound` gives (a binding never changes), not read a second time.
    pub async fn prepare(&mut self, name: &str) -> Result<(), StoreError> {
        if self.rules.record_names() == RecordNames::IdOrAlias && self.claim_names(name) {
            self.bound = match self.state.store.binding(self.token).await? {
                Some(identity) => Bound::Known(Some(identity)),
                None => Bound::ByThisReply,
            };
        }
        Ok(())
    }

    /// The identity of the token's own record, resolving the claim if it was never bound:
    /// `resolve` reads the record the claim names (with the gateway's credential) and gives its
    /// identity, or `None` if there is no such record.
    pub async fn bound<F, Fut>(&mut self, resolve: F) -> Result<Option<String>, Failure>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Result<Option<String>, crate::adapters::UpstreamError>>,
    {
        if let Bound::Known(bound) = &self.bound {
            return Ok(bound.clone());
        }
        let Some(customer) = self.verified.claims.customer.clone() else {
            self.bound = Bound::Known(None);
            return Ok(None);
        };
        let bound = match self.rules.record_names() {
            RecordNames::Immutable => Some(customer),
            RecordNames::RenamableKey => {
                let since = self.rename_point().await?;
                follow_renames(self.state.store.as_ref(), &customer, since).await?
            }
            RecordNames::IdOrAlias => match self.state.store.binding(self.token).await? {
                Some(identity) => Some(identity),
                None => match resolve(customer).await.map_err(Failure::Upstream)? {
                    Some(identity) => Some(self.bind(&identity).await?),
                    None => None,
                },
            },
        };
        self.bound = Bound::Known(bound.clone());
        Ok(bound)
    }

    /// From when a Partnero token follows the renames of its key: its `iat`, unless it was
    /// first used before that. Renames are dated by the gateway's clock and `iat` by the
    /// minter's; a token dated ahead (a minter's clock running fast, within `leeway_secs`)
    /// would otherwise not follow its own rename, and would then reach whoever takes the key
    /// it left. The earlier point is kept (the binding table; the first one wins), so every
    /// later request and every replica follows from the same one.
    async fn rename_point(&self) -> Result<u64, StoreError> {
        let issued_ms = self.verified.claims.iat.saturating_mul(1000);
        if let Some(point) = self.state.store.binding(self.token).await? {
            return Ok(point.parse().unwrap_or(issued_ms));
        }
        let now = crate::tokens::now_millis();
        if issued_ms <= now {
            return Ok(issued_ms);
        }
        Ok(self.bind(&now.to_string()).await?.parse().unwrap_or(now))
    }

    async fn bind(&self, identity: &str) -> Result<String, StoreError> {
        self.state
            .store
            .bind(self.token, identity, self.expires_at())
            .await
    }

    /// Whether the record with this identity (as the provider names it in a reply) is the
    /// token's own or one it created.
    pub async fn reaches<F, Fut>(&mut self, identity: &str, resolve: F) -> Result<bool, Failure>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Result<Option<String>, crate::adapters::UpstreamError>>,
    {
        if let Bound::ByThisReply = self.bound {
            let bound = self.bind(identity).await?;
            self.bound = Bound::Known(Some(bound));
        }
        if self.bound(resolve).await?.as_deref() == Some(identity) {
            return Ok(true);
        }
        if self.rules.record_names() != RecordNames::RenamableKey {
            return Ok(self.state.store.has_grant(self.token, identity).await?);
        }
        for grant in self.state.store.grants(self.token).await? {
            let now_named =
                follow_renames(self.state.store.as_ref(), &grant.identity, grant.at_ms).await?;
            if now_named.as_deref() == Some(identity) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether `identity` is a name the token was given for its record: its `customer` claim,
    /// or a record it created (by the name it had then).
    pub async fn named_once(&self, identity: &str) -> Result<bool, StoreError> {
        if self.claim_names(identity) {
            return Ok(true);
        }
        let grants = self.state.store.grants(self.token).await?;
        Ok(grants.iter().any(|grant| grant.identity == identity))
    }

    fn expires_at(&self) -> u64 {
        kept_until(self.state, &self.verified.claims)
    }
}

/// Why authority could not be decided.
#[derive(Debug)]
pub enum Failure {
    Store(StoreError),
    Upstream(crate::adapters::UpstreamError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        Failure::Store(error)
    }
}

/// Until when a token's bindings and grants are kept: as long as the token lives, with the
/// clock leeway.
pub fn kept_until(state: &AppState, claims: &Claims) -> u64 {
    claims.exp.saturating_add(state.config.tokens.leeway_secs)
}

/// Records that the token with this id (`TokenId` in hex) created the record with this identity,
/// until `expires_at` (`kept_until`).
pub async fn record_grant(
    state: &AppState,
    token: &str,
    identity: &str,
    expires_at: u64,
) -> Result<(), StoreError> {
    state
        .store
        .grant(token, identity, crate::tokens::now_millis(), expires_at)
        .await
}

/// Records a Partnero rename made through the gateway (`old` is `new` from `at_ms`), for as
/// long as a token issued before it can live.
pub async fn record_rename(
    state: &AppState,
    old: &str,
    new: &str,
    at_ms: u64,
) -> Result<(), StoreError> {
    let keys = &state.config.tokens;
    let keep = keys.max_lifetime_secs.saturating_add(keys.leeway_secs);
    state
        .store
        .record_rename(
            old,
            new,
            at_ms,
            crate::tokens::now_secs().saturating_add(keep),
        )
        .await
}

/// Takes back one rename recorded with these values (`forward/renaming.rs`: the empty one
/// recorded ahead of a write, once its answer has settled).
pub async fn forget_rename(
    state: &AppState,
    old: &str,
    new: &str,
    at_ms: u64,
) -> Result<(), StoreError> {
    state.store.forget_rename(old, new, at_ms).await
}
