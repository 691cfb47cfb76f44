//! The store for one gateway: maps in this process, and Count's token pair in its SQLite file
//! (`[providers.count] token_store`), as before there was a store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::{CountPairLock, Counter, Grant, Rename, Store, StoreError, MAX_OAUTH_STATES};
use crate::adapters::{CountTokenPair, CountTokenStore};
use crate::fast_map::FastMap;

/// Entries of one kind kept at most before expired ones are dropped early (and, if that is not
/// enough, the oldest): a flood of fresh tokens must not grow the process without bound.
const MAX_ENTRIES: usize = 200_000;

pub struct EmbeddedStore {
    maps: Mutex<Maps>,
    count: Option<Arc<CountTokenStore>>,
    /// Makes a Count refresh single-flight within this process (the only one using the file
    /// when the store is embedded).
    count_lock: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Default)]
struct Maps {
    /// key → (window start, hits).
    hits: FastMap<String, (u64, u32)>,
    /// token → (identity, expires at).
    bindings: FastMap<String, (String, u64)>,
    /// token → grants with their expiry.
    grants: FastMap<String, Vec<(Grant, u64)>>,
    /// old key → renames of it with their expiry, oldest first.
    renames: HashMap<String, Vec<(Rename, u64)>>,
    /// state hash → (by admin, expires at ms).
    oauth: HashMap<String, (bool, u64)>,
}

impl EmbeddedStore {
    /// `count` is Count's SQLite token file, when Count is configured.
    pub fn new(count: Option<CountTokenStore>) -> EmbeddedStore {
        EmbeddedStore {
            maps: Mutex::new(Maps::default()),
            count: count.map(Arc::new),
            count_lock: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    fn maps(&self) -> MutexGuard<'_, Maps> {
        crate::lock::lock(&self.maps)
    }

    async fn load_pair(&self) -> Result<Option<CountTokenPair>, StoreError> {
        let Some(file) = self.count.clone() else {
            return Ok(None);
        };
        tokio::task::spawn_blocking(move || file.load())
            .await
            .map_err(|_| StoreError("the token store read failed".into()))?
            .map_err(StoreError)
    }
}

async fn save_pair(
    file: Option<Arc<CountTokenStore>>,
    pair: &CountTokenPair,
) -> Result<(), StoreError> {
    let Some(file) = file else {
        return Err(StoreError("Count is not configured".into()));
    };
    let pair = pair.clone();
    tokio::task::spawn_blocking(move || file.save(&pair))
        .await
        .map_err(|_| StoreError("the token store write failed".into()))?
        .map_err(StoreError)
}

/// Keeps the counters under `MAX_ENTRIES`: expired entries first, then everything if it is
/// still full (a map this full is a flood; what is lost is the counts, the limits fail open).
fn bound<V, S: std::hash::BuildHasher>(
    map: &mut HashMap<String, V, S>,
    now: u64,
    expiry: impl Fn(&V) -> u64,
) {
    if !room(map, now, expiry) {
        map.clear();
    }
}

/// Makes room for one more entry in a map of what tokens may reach (bindings, grants, renames)
/// by dropping the expired ones; `false` when it is still full. Those maps are never cleared:
/// a binding or a rename lost would let a token reach whoever holds its name next.
fn room<V, S: std::hash::BuildHasher>(
    map: &mut HashMap<String, V, S>,
    now: u64,
    expiry: impl Fn(&V) -> u64,
) -> bool {
    if map.len() >= MAX_ENTRIES {
        map.retain(|_, v| expiry(v) > now);
    }
    map.len() < MAX_ENTRIES
}

/// The store's answer when a map of what tokens reach is full of live entries: the request
/// gets a 503, as when the store cannot be reached.
fn full() -> StoreError {
    StoreError("the embedded store is full (a flood of tokens?)".into())
}

#[async_trait]
impl Store for EmbeddedStore {
    fn kind(&self) -> &'static str {
        "embedded"
    }

    async fn health(&self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn admit(
        &self,
        counters: &[Counter],
        window_start: u64,
        _expires_at: u64,
    ) -> Result<Vec<bool>, StoreError> {
        let mut maps = self.maps();
        bound(&mut maps.hits, window_start, |(start, _)| start + 60);
        Ok(counters
            .iter()
            .map(|counter| {
                let count = match maps.hits.get_mut(&counter.key) {
                    Some(entry) => {
                        if entry.0 != window_start {
                            *entry = (window_start, 0);
                        }
                        entry.1 = entry.1.saturating_add(1);
                        entry.1
                    }
                    None => {
                        maps.hits.insert(counter.key.clone(), (window_start, 1));
                        1
                    }
                };
                count <= counter.limit
            })
            .collect())
    }

    async fn binding(&self, token: &str) -> Result<Option<String>, StoreError> {
        Ok(self.maps().bindings.get(token).map(|(id, _)| id.clone()))
    }

    async fn bind(
        &self,
        token: &str,
        identity: &str,
        expires_at: u64,
    ) -> Result<String, StoreError> {
        let mut maps = self.maps();
        if let Some((bound_to, _)) = maps.bindings.get(token) {
            return Ok(bound_to.clone());
        }
        if !room(&mut maps.bindings, crate::tokens::now_secs(), |(_, exp)| {
            *exp
        }) {
            return Err(full());
        }
        let entry = maps
            .bindings
            .entry(token.to_string())
            .or_insert_with(|| (identity.to_string(), expires_at));
        Ok(entry.0.clone())
    }

    async fn grant(
        &self,
        token: &str,
        identity: &str,
        at_ms: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let mut maps = self.maps();
        if !maps.grants.contains_key(token)
            && !room(&mut maps.grants, crate::tokens::now_secs(), |grants| {
                grants.iter().map(|(_, exp)| *exp).max().unwrap_or(0)
            })
        {
            return Err(full());
        }
        let grants = maps.grants.entry(token.to_string()).or_default();
        if !grants.iter().any(|(g, _)| g.identity == identity) {
            grants.push((
                Grant {
                    identity: identity.to_string(),
                    at_ms,
                },
                expires_at,
            ));
        }
        Ok(())
    }

    async fn grants(&self, token: &str) -> Result<Vec<Grant>, StoreError> {
        Ok(self
            .maps()
            .grants
            .get(token)
            .map(|grants| grants.iter().map(|(g, _)| g.clone()).collect())
            .unwrap_or_default())
    }

    async fn record_rename(
        &self,
        old: &str,
        new: &str,
        at_ms: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let mut maps = self.maps();
        if !maps.renames.contains_key(old)
            && !room(&mut maps.renames, crate::tokens::now_secs(), |renames| {
                renames.iter().map(|(_, exp)| *exp).max().unwrap_or(0)
            })
        {
            return Err(full());
        }
        maps.renames.entry(old.to_string()).or_default().push((
            Rename {
                new_key: new.to_string(),
                at_ms,
            },
            expires_at,
        ));
        Ok(())
    }

    async fn forget_rename(&self, old: &str, new: &str, at_ms: u64) -> Result<(), StoreError> {
        let mut maps = self.maps();
        if let Some(renames) = maps.renames.get_mut(old) {
            // One entry: two identical renames recorded at once are two, and each takes back
            // its own.
            if let Some(at) = renames
                .iter()
                .position(|(r, _)| r.new_key == new && r.at_ms == at_ms)
            {
                renames.remove(at);
            }
            if renames.is_empty() {
                maps.renames.remove(old);
            }
        }
        Ok(())
    }

    async fn next_rename(&self, key: &str, since_ms: u64) -> Result<Option<Rename>, StoreError> {
        Ok(self.maps().renames.get(key).and_then(|renames| {
            renames
                .iter()
                .filter(|(r, _)| r.at_ms >= since_ms)
                .min_by_key(|(r, _)| r.at_ms)
                .map(|(r, _)| r.clone())
        }))
    }

    async fn put_oauth_state(
        &self,
        state: &str,
        by_admin: bool,
        expires_at_ms: u64,
    ) -> Result<(), StoreError> {
        let mut maps = self.maps();
        let now_ms = crate::tokens::now_millis();
        maps.oauth.retain(|_, (_, exp)| *exp > now_ms);
        // Spent connect tickets are not states: they are never pushed out early.
        let is_state = |key: &String| !key.starts_with("ticket:");
        while maps.oauth.keys().filter(|key| is_state(key)).count() >= MAX_OAUTH_STATES {
            let oldest = maps
                .oauth
                .iter()
                .filter(|(key, _)| is_state(key))
                .min_by_key(|(_, (_, exp))| *exp)
                .map(|(s, _)| s.clone());
            match oldest {
                Some(oldest) => maps.oauth.remove(&oldest),
                None => break,
            };
        }
        maps.oauth
            .insert(state.to_string(), (by_admin, expires_at_ms));
        Ok(())
    }

    async fn take_oauth_state(&self, state: &str, now_ms: u64) -> Result<Option<bool>, StoreError> {
        Ok(self
            .maps()
            .oauth
            .remove(state)
            .filter(|(_, exp)| *exp > now_ms)
            .map(|(by_admin, _)| by_admin))
    }

    async fn spend_ticket(&self, key: &str, expires_at_ms: u64) -> Result<bool, StoreError> {
        let mut maps = self.maps();
        let now_ms = crate::tokens::now_millis();
        if maps.oauth.get(key).is_some_and(|(_, exp)| *exp > now_ms) {
            return Ok(false);
        }
        maps.oauth.insert(key.to_string(), (false, expires_at_ms));
        Ok(true)
    }

    async fn count_pair(&self) -> Result<Option<CountTokenPair>, StoreError> {
        self.load_pair().await
    }

    async fn save_count_pair(&self, pair: &CountTokenPair) -> Result<(), StoreError> {
        save_pair(self.count.clone(), pair).await
    }

    async fn lock_count_pair(&self) -> Result<Box<dyn CountPairLock>, StoreError> {
        let guard = Arc::clone(&self.count_lock).lock_owned().await;
        // Re-read the file under the lock: another gateway process on the same file may have
        // rotated the pair (safe when its refreshes and ours do not overlap).
        let pair = self.load_pair().await?;
        Ok(Box::new(EmbeddedLock {
            _guard: guard,
            pair,
            file: self.count.clone(),
        }))
    }

    async fn clean_up(&self, now: u64) -> Result<(), StoreError> {
        let mut maps = self.maps();
        let now_ms = now.saturating_mul(1000);
        maps.hits
            .retain(|_, (start, _)| start.saturating_add(60) > now);
        maps.bindings.retain(|_, (_, exp)| *exp > now);
        maps.grants.retain(|_, grants| {
            grants.retain(|(_, exp)| *exp > now);
            !grants.is_empty()
        });
        maps.renames.retain(|_, renames| {
            renames.retain(|(_, exp)| *exp > now);
            !renames.is_empty()
        });
        maps.oauth.retain(|_, (_, exp)| *exp > now_ms);
        Ok(())
    }
}

struct EmbeddedLock {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    pair: Option<CountTokenPair>,
    file: Option<Arc<CountTokenStore>>,
}

#[async_trait]
impl CountPairLock for EmbeddedLock {
    fn pair(&self) -> Option<&CountTokenPair> {
        self.pair.as_ref()
    }

    async fn commit(self: Box<Self>, pair: &CountTokenPair) -> Result<(), StoreError> {
        save_pair(self.file.clone(), pair).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_binding_wins_and_counters_reset_each_window() {
        let store = EmbeddedStore::new(None);
        assert_eq!(store.bind("t", "a", u64::MAX).await.unwrap(), "a");
        assert_eq!(store.bind("t", "b", u64::MAX).await.unwrap(), "a");
        let counter = |key: &str, limit| Counter {
            key: key.into(),
            limit,
        };
        let both = [counter("s:x", 2), counter("t:y", 1)];
        assert_eq!(store.admit(&both, 60, 120).await.unwrap(), [true, true]);
        assert_eq!(store.admit(&both, 60, 120).await.unwrap(), [true, false]);
        assert_eq!(store.admit(&both[..1], 60, 120).await.unwrap(), [false]);
        assert_eq!(store.admit(&both, 120, 180).await.unwrap(), [true, true]);
    }

    #[tokio::test]
    async fn a_ticket_is_spent_once_and_stays_spent_however_many_flows_start() {
        let store = EmbeddedStore::new(None);
        let now = crate::tokens::now_millis();
        assert!(store.spend_ticket("ticket:n1", now + 60_000).await.unwrap());
        assert!(!store.spend_ticket("ticket:n1", now + 60_000).await.unwrap());
        for i in 0..MAX_OAUTH_STATES * 2 {
            store
                .put_oauth_state(&format!("s{i}"), true, now + 120_000)
                .await
                .unwrap();
        }
        assert!(!store.spend_ticket("ticket:n1", now + 60_000).await.unwrap());
        // A mark past its time no longer counts.
        assert!(store.spend_ticket("ticket:n2", now).await.unwrap());
        assert!(store.spend_ticket("ticket:n2", now + 60_000).await.unwrap());
    }

    #[tokio::test]
    async fn an_oauth_state_is_good_once_and_only_until_it_expires() {
        let store = EmbeddedStore::new(None);
        let now = crate::tokens::now_millis();
        store.put_oauth_state("s", true, now + 2_000).await.unwrap();
        store
            .put_oauth_state("old", false, now + 1_000)
            .await
            .unwrap();
        let later = now + 1_500;
        assert_eq!(store.take_oauth_state("old", later).await.unwrap(), None);
        assert_eq!(
            store.take_oauth_state("s", later).await.unwrap(),
            Some(true)
        );
        assert_eq!(store.take_oauth_state("s", later).await.unwrap(), None);
        for i in 0..MAX_OAUTH_STATES + 5 {
            store
                .put_oauth_state(&format!("flood-{i}"), false, now + 10_000 + i as u64)
                .await
                .unwrap();
        }
        assert_eq!(store.maps().oauth.len(), MAX_OAUTH_STATES);
        assert_eq!(
            store.take_oauth_state("flood-0", now).await.unwrap(),
            None,
            "the oldest went"
        );
    }

    #[tokio::test]
    async fn expired_entries_are_cleaned_up() {
        let store = EmbeddedStore::new(None);
        store.bind("t", "a", 100).await.unwrap();
        store.grant("t", "g", 0, 100).await.unwrap();
        store.record_rename("k", "n", 0, 100).await.unwrap();
        store.clean_up(200).await.unwrap();
        assert_eq!(store.binding("t").await.unwrap(), None);
        assert!(store.grants("t").await.unwrap().is_empty());
        assert_eq!(store.next_rename("k", 0).await.unwrap(), None);
    }

    /// A full map of bindings is a flood (tokens used once each). Clearing it, as the counters
    /// are, would let every token bound before bind again to whoever holds its name then:
    /// a new binding is refused instead, and the ones made stay.
    #[tokio::test]
    async fn a_full_store_refuses_new_bindings_and_keeps_the_ones_it_has() {
        let store = EmbeddedStore::new(None);
        for i in 0..MAX_ENTRIES {
            store.bind(&format!("t{i}"), "a", u64::MAX).await.unwrap();
        }
        assert!(store.bind("one-more", "b", u64::MAX).await.is_err());
        assert!(
            store.grant("one-more", "b", 0, u64::MAX).await.is_ok(),
            "another map"
        );
        assert_eq!(store.binding("t0").await.unwrap().as_deref(), Some("a"));
        assert_eq!(store.bind("t0", "b", u64::MAX).await.unwrap(), "a");
    }
}
