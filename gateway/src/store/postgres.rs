//! The store for several gateways: PostgreSQL, through `tokio-postgres` and a `deadpool` pool.
//!
//! The schema is in `gateway/migrations/`, applied on start under an advisory lock
//! (`postgres_setup.rs`, with the connection settings). The Count refresh runs while this gateway holds
//! the pair's row (`SELECT … FOR UPDATE`, `postgres_count_pair.rs`), which makes it single-flight
//! across every gateway on the database.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};

use super::leases::{batch_for, granted, Leases, Local};
use super::postgres_count_pair::{lock_pair, read_pair, upsert_pair};
use super::postgres_setup::{migrate_locked, postgres_config, tls_connector};
use super::{CountPairLock, Counter, Grant, Rename, Store, StoreError, MAX_OAUTH_STATES};
use crate::adapters::CountTokenPair;
use crate::config::StoreConfig;
use crate::fast_map::FastMap;

/// Bindings remembered in this process at most (they never change, so any copy is good); the
/// same for tokens whose grants are remembered.
const MAX_CACHED_BINDINGS: usize = 100_000;
/// Grants remembered per token at most.
const MAX_GRANTS_SEEN_PER_TOKEN: usize = 16;

pub struct PostgresStore {
    pool: Pool,
    /// Bindings never change once made: kept here after the first read, so a token's requests do
    /// not ask the database again.
    bindings: Mutex<FastMap<String, (String, u64)>>,
    /// Grants seen (token → identities it created, with their expiry): like bindings, a grant
    /// never changes until it expires, so once seen a token's further requests to the record
    /// it created do not ask the database again (they did, one round trip each). What is not
    /// here may have been granted on another replica: the database is asked.
    grants_seen: Mutex<HashMap<String, Vec<(String, u64)>>>,
    /// This replica's share of the rate-limit counters.
    leases: Leases,
}

pub(super) fn fail(what: &str) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
    move |e| StoreError(format!("PostgreSQL: {what}: {e}"))
}

fn pool_fail(e: deadpool_postgres::PoolError) -> StoreError {
    StoreError(format!("PostgreSQL is unreachable: {e}"))
}

impl PostgresStore {
    /// Builds the pool; no connection is made until the store is used.
    pub fn new(config: &StoreConfig) -> Result<PostgresStore, String> {
        let url = config.url.load()?;
        let pg = postgres_config(&url, config.connect_timeout_secs)?;
        let tls = tls_connector(config.ca_file.as_deref())?;
        let manager = Manager::from_config(
            pg,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let timeout = Duration::from_secs(config.connect_timeout_secs);
        let pool = Pool::builder(manager)
            .max_size(config.pool_size)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| format!("[store]: {e}"))?;
        Ok(PostgresStore {
            pool,
            bindings: Mutex::new(FastMap::default()),
            grants_seen: Mutex::new(HashMap::new()),
            leases: Leases::default(),
        })
    }

    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(pool_fail)
    }

    fn cached_bindings(&self) -> MutexGuard<'_, FastMap<String, (String, u64)>> {
        match self.bindings.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn cache_binding(&self, token: &str, identity: &str, expires_at: u64) {
        let mut cache = self.cached_bindings();
        if cache.len() >= MAX_CACHED_BINDINGS {
            let now = crate::tokens::now_secs();
            cache.retain(|_, (_, exp)| *exp > now);
            if cache.len() >= MAX_CACHED_BINDINGS {
                cache.clear();
            }
        }
        cache.insert(token.to_string(), (identity.to_string(), expires_at));
    }

    fn seen_grants(&self) -> MutexGuard<'_, HashMap<String, Vec<(String, u64)>>> {
        match self.grants_seen.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn grant_seen(&self, token: &str, identity: &str) -> bool {
        self.seen_grants()
            .get(token)
            .is_some_and(|seen| seen.iter().any(|(id, _)| id == identity))
    }

    fn remember_grant(&self, token: &str, identity: &str, expires_at: u64) {
        let mut seen = self.seen_grants();
        if seen.len() >= MAX_CACHED_BINDINGS {
            let now = crate::tokens::now_secs();
            seen.retain(|_, grants| {
                grants.retain(|(_, exp)| *exp > now);
                !grants.is_empty()
            });
            if seen.len() >= MAX_CACHED_BINDINGS {
                seen.clear();
            }
        }
        let grants = seen.entry(token.to_string()).or_default();
        // A token creates a handful of records at most; past that, the database answers.
        if grants.len() < MAX_GRANTS_SEEN_PER_TOKEN && !grants.iter().any(|(id, _)| id == identity)
        {
            grants.push((identity.to_string(), expires_at));
        }
    }
}

pub(super) fn seconds(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(super) fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[async_trait]
impl Store for PostgresStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    async fn prepare(&self) -> Result<(), StoreError> {
        migrate_locked(self.client().await?).await
    }

    async fn health(&self) -> Result<(), StoreError> {
        self.client()
            .await?
            .simple_query("SELECT 1")
            .await
            .map(drop)
            .map_err(fail("health check"))
    }

    /// Through leases (`leases.rs`): most requests are admitted from a batch this replica
    /// already holds; the others take a new batch for each of their counters in one statement.
    async fn admit(
        &self,
        counters: &[Counter],
        window_start: u64,
        expires_at: u64,
    ) -> Result<Vec<bool>, StoreError> {
        let mut admitted = vec![false; counters.len()];
        let mut ask: Vec<usize> = Vec::new();
        for (i, counter) in counters.iter().enumerate() {
            match self.leases.take(&counter.key, window_start) {
                Local::Admitted => admitted[i] = true,
                Local::Refused => {}
                Local::Ask => ask.push(i),
            }
        }
        if ask.is_empty() {
            return Ok(admitted);
        }
        // Rows are locked in key order, so two requests counting the same keys cannot deadlock;
        // this replica's turns to ask are taken in the same order, for the same reason.
        ask.sort_by(|a, b| counters[*a].key.cmp(&counters[*b].key));
        ask.dedup_by(|a, b| counters[*a].key == counters[*b].key);
        let mut turns = Vec::with_capacity(ask.len());
        for i in &ask {
            let turn = self.leases.turn(&counters[*i].key, window_start);
            turns.push(turn.lock_owned().await);
        }
        // Whoever had the turn before may have brought a batch this request can take from.
        ask.retain(
            |i| match self.leases.take(&counters[*i].key, window_start) {
                Local::Admitted => {
                    admitted[*i] = true;
                    false
                }
                Local::Refused => false,
                Local::Ask => true,
            },
        );
        if ask.is_empty() {
            return Ok(admitted);
        }
        let keys: Vec<&str> = ask.iter().map(|i| counters[*i].key.as_str()).collect();
        let batches: Vec<i32> = ask
            .iter()
            .map(|i| i32::try_from(batch_for(counters[*i].limit)).unwrap_or(1))
            .collect();
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "INSERT INTO gateway_rate_counts AS c (key, window_start, hits, expires_at)
                 SELECT k, $3, n, $4 FROM unnest($1::text[], $2::int4[]) AS u(k, n) ORDER BY k
                 ON CONFLICT (key, window_start) DO UPDATE SET hits = c.hits + excluded.hits
                 RETURNING key, hits",
            )
            .await
            .map_err(fail("counting a request"))?;
        let rows = client
            .query(
                &statement,
                &[
                    &keys,
                    &batches,
                    &seconds(window_start),
                    &seconds(expires_at),
                ],
            )
            .await
            .map_err(fail("counting a request"))?;
        let totals: HashMap<String, i32> =
            rows.iter().map(|row| (row.get(0), row.get(1))).collect();
        for (i, counter) in counters.iter().enumerate() {
            let Some(total) = totals.get(&counter.key) else {
                continue;
            };
            if !ask.iter().any(|a| counters[*a].key == counter.key) {
                continue;
            }
            let batch = batch_for(counter.limit);
            let before = u32::try_from(*total).unwrap_or(0).saturating_sub(batch);
            admitted[i] = self.leases.record(
                &counter.key,
                window_start,
                granted(counter.limit, before, batch),
            );
        }
        drop(turns);
        Ok(admitted)
    }

    async fn binding(&self, token: &str) -> Result<Option<String>, StoreError> {
        if let Some((identity, _)) = self.cached_bindings().get(token) {
            return Ok(Some(identity.clone()));
        }
        let client = self.client().await?;
        let statement = client
            .prepare_cached("SELECT identity, expires_at FROM gateway_bindings WHERE token_id = $1")
            .await
            .map_err(fail("reading a binding"))?;
        let row = client
            .query_opt(&statement, &[&token])
            .await
            .map_err(fail("reading a binding"))?;
        Ok(row.map(|row| {
            let identity: String = row.get(0);
            self.cache_binding(token, &identity, unsigned(row.get(1)));
            identity
        }))
    }

    async fn bind(
        &self,
        token: &str,
        identity: &str,
        expires_at: u64,
    ) -> Result<String, StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO gateway_bindings (token_id, identity, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (token_id) DO NOTHING",
                &[&token, &identity, &seconds(expires_at)],
            )
            .await
            .map_err(fail("binding a token"))?;
        // A separate statement: it sees a binding another gateway committed first.
        let bound: String = client
            .query_one(
                "SELECT identity FROM gateway_bindings WHERE token_id = $1",
                &[&token],
            )
            .await
            .map_err(fail("binding a token"))?
            .get(0);
        self.cache_binding(token, &bound, expires_at);
        Ok(bound)
    }

    async fn grant(
        &self,
        token: &str,
        identity: &str,
        at_ms: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "INSERT INTO gateway_grants (token_id, identity, at_ms, expires_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&token, &identity, &seconds(at_ms), &seconds(expires_at)],
            )
            .await
            .map_err(fail("recording a created record"))?;
        self.remember_grant(token, identity, expires_at);
        Ok(())
    }

    async fn grants(&self, token: &str) -> Result<Vec<Grant>, StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached("SELECT identity, at_ms FROM gateway_grants WHERE token_id = $1")
            .await
            .map_err(fail("reading created records"))?;
        Ok(client
            .query(&statement, &[&token])
            .await
            .map_err(fail("reading created records"))?
            .iter()
            .map(|row| Grant {
                identity: row.get(0),
                at_ms: unsigned(row.get(1)),
            })
            .collect())
    }

    async fn has_grant(&self, token: &str, identity: &str) -> Result<bool, StoreError> {
        if self.grant_seen(token, identity) {
            return Ok(true);
        }
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT expires_at FROM gateway_grants WHERE token_id = $1 AND identity = $2",
            )
            .await
            .map_err(fail("reading created records"))?;
        let row = client
            .query_opt(&statement, &[&token, &identity])
            .await
            .map_err(fail("reading created records"))?;
        Ok(row.is_some_and(|row| {
            self.remember_grant(token, identity, unsigned(row.get(0)));
            true
        }))
    }

    async fn record_rename(
        &self,
        old: &str,
        new: &str,
        at_ms: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "INSERT INTO gateway_partnero_renames (old_key, new_key, at_ms, expires_at)
                 VALUES ($1, $2, $3, $4)",
                &[&old, &new, &seconds(at_ms), &seconds(expires_at)],
            )
            .await
            .map(drop)
            .map_err(fail("recording a rename"))
    }

    async fn forget_rename(&self, old: &str, new: &str, at_ms: u64) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                // One row: two identical renames recorded at once are two, and each takes
                // back its own.
                "DELETE FROM gateway_partnero_renames WHERE id = (
                     SELECT id FROM gateway_partnero_renames
                     WHERE old_key = $1 AND new_key = $2 AND at_ms = $3 LIMIT 1)",
                &[&old, &new, &seconds(at_ms)],
            )
            .await
            .map(drop)
            .map_err(fail("taking back a rename"))
    }

    async fn next_rename(&self, key: &str, since_ms: u64) -> Result<Option<Rename>, StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT new_key, at_ms FROM gateway_partnero_renames
                 WHERE old_key = $1 AND at_ms >= $2 ORDER BY at_ms, id LIMIT 1",
            )
            .await
            .map_err(fail("reading renames"))?;
        Ok(client
            .query_opt(&statement, &[&key, &seconds(since_ms)])
            .await
            .map_err(fail("reading renames"))?
            .map(|row| Rename {
                new_key: row.get(0),
                at_ms: unsigned(row.get(1)),
            }))
    }

    async fn put_oauth_state(
        &self,
        state: &str,
        by_admin: bool,
        expires_at_ms: u64,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client
            .transaction()
            .await
            .map_err(fail("remembering an OAuth state"))?;
        let now_ms = seconds(crate::tokens::now_millis());
        let keep = i64::try_from(MAX_OAUTH_STATES - 1).unwrap_or(0);
        transaction
            .execute(
                // Spent connect tickets are not states: they are never pushed out early.
                "DELETE FROM gateway_count_oauth_states
                 WHERE expires_at_ms <= $1 OR state_hash IN (
                     SELECT state_hash FROM gateway_count_oauth_states
                     WHERE state_hash NOT LIKE 'ticket:%'
                     ORDER BY expires_at_ms DESC OFFSET $2)",
                &[&now_ms, &keep],
            )
            .await
            .map_err(fail("remembering an OAuth state"))?;
        transaction
            .execute(
                "INSERT INTO gateway_count_oauth_states (state_hash, by_admin, expires_at_ms)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (state_hash) DO UPDATE SET by_admin = excluded.by_admin,
                     expires_at_ms = excluded.expires_at_ms",
                &[&state, &by_admin, &seconds(expires_at_ms)],
            )
            .await
            .map_err(fail("remembering an OAuth state"))?;
        transaction
            .commit()
            .await
            .map_err(fail("remembering an OAuth state"))
    }

    async fn take_oauth_state(&self, state: &str, now_ms: u64) -> Result<Option<bool>, StoreError> {
        Ok(self
            .client()
            .await?
            .query_opt(
                "DELETE FROM gateway_count_oauth_states WHERE state_hash = $1
                 RETURNING by_admin, expires_at_ms",
                &[&state],
            )
            .await
            .map_err(fail("using an OAuth state"))?
            .filter(|row| unsigned(row.get(1)) > now_ms)
            .map(|row| row.get(0)))
    }

    async fn spend_ticket(&self, key: &str, expires_at_ms: u64) -> Result<bool, StoreError> {
        // An expired mark may still be there (clean_up runs every minute): it is replaced.
        let inserted = self
            .client()
            .await?
            .execute(
                "INSERT INTO gateway_count_oauth_states (state_hash, by_admin, expires_at_ms)
                 VALUES ($1, false, $2)
                 ON CONFLICT (state_hash) DO UPDATE SET expires_at_ms = excluded.expires_at_ms
                 WHERE gateway_count_oauth_states.expires_at_ms <= $3",
                &[
                    &key,
                    &seconds(expires_at_ms),
                    &seconds(crate::tokens::now_millis()),
                ],
            )
            .await
            .map_err(fail("spending a Count connect ticket"))?;
        Ok(inserted == 1)
    }

    async fn count_pair(&self) -> Result<Option<CountTokenPair>, StoreError> {
        let client = self.client().await?;
        read_pair(&client).await
    }

    async fn save_count_pair(&self, pair: &CountTokenPair) -> Result<(), StoreError> {
        let client = self.client().await?;
        upsert_pair(&client, pair).await
    }

    async fn lock_count_pair(&self) -> Result<Box<dyn CountPairLock>, StoreError> {
        lock_pair(self.client().await?).await
    }

    async fn clean_up(&self, now: u64) -> Result<(), StoreError> {
        let client = self.client().await?;
        let now = seconds(now);
        for table in [
            "gateway_bindings",
            "gateway_grants",
            "gateway_partnero_renames",
            "gateway_rate_counts",
        ] {
            client
                .execute(
                    &format!("DELETE FROM {table} WHERE expires_at <= $1"),
                    &[&now],
                )
                .await
                .map_err(fail("cleaning up"))?;
        }
        client
            .execute(
                "DELETE FROM gateway_count_oauth_states WHERE expires_at_ms <= $1",
                &[&now.saturating_mul(1000)],
            )
            .await
            .map_err(fail("cleaning up"))?;
        let current = crate::tokens::now_secs();
        self.cached_bindings().retain(|_, (_, exp)| *exp > current);
        self.seen_grants().retain(|_, grants| {
            grants.retain(|(_, exp)| *exp > current);
            !grants.is_empty()
        });
        Ok(())
    }
}
