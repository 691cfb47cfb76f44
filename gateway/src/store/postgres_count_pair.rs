//! Count's token pair in PostgreSQL: one row, read, saved, and held (`SELECT … FOR UPDATE` in a
//! transaction) while one gateway refreshes it, so that a refresh is single-flight across every
//! gateway on the database.

use async_trait::async_trait;
use deadpool_postgres::Object;
use tokio_postgres::Row;

use super::postgres::{fail, seconds, unsigned};
use super::{CountPairLock, StoreError};
use crate::adapters::CountTokenPair;
use crate::secret::Secret;

const PAIR_COLUMNS: &str = "access_token, refresh_token, access_expires_at, refresh_expires_at, \
                            workspace_id, workspace_name";

fn pair_of(row: &Row) -> CountTokenPair {
    CountTokenPair {
        access_token: Secret::new(row.get::<_, String>(0)),
        refresh_token: Secret::new(row.get::<_, String>(1)),
        access_expires_at: row.get::<_, Option<i64>>(2).map(unsigned),
        refresh_expires_at: row.get::<_, Option<i64>>(3).map(unsigned),
        workspace_id: row.get(4),
        workspace_name: row.get(5),
    }
}

pub(super) async fn read_pair(
    client: &tokio_postgres::Client,
) -> Result<Option<CountTokenPair>, StoreError> {
    select_pair(client, "", "reading the Count token pair").await
}

/// The stored pair, the query ended by `then` (a lock clause, or nothing).
async fn select_pair(
    client: &tokio_postgres::Client,
    then: &str,
    doing: &'static str,
) -> Result<Option<CountTokenPair>, StoreError> {
    Ok(client
        .query_opt(
            &format!("SELECT {PAIR_COLUMNS} FROM gateway_count_tokens WHERE id = 1{then}"),
            &[],
        )
        .await
        .map_err(fail(doing))?
        .as_ref()
        .map(pair_of))
}

pub(super) async fn upsert_pair(
    client: &tokio_postgres::Client,
    pair: &CountTokenPair,
) -> Result<(), StoreError> {
    let optional = |s: Option<u64>| s.map(seconds);
    client
        .execute(
            "INSERT INTO gateway_count_tokens (id, access_token, refresh_token, access_expires_at,
                 refresh_expires_at, workspace_id, workspace_name, stored_at)
             VALUES (1, $1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET
                 access_token = excluded.access_token,
                 refresh_token = excluded.refresh_token,
                 access_expires_at = excluded.access_expires_at,
                 refresh_expires_at = excluded.refresh_expires_at,
                 workspace_id = excluded.workspace_id,
                 workspace_name = excluded.workspace_name,
                 stored_at = excluded.stored_at",
            &[
                &pair.access_token.expose(),
                &pair.refresh_token.expose(),
                &optional(pair.access_expires_at),
                &optional(pair.refresh_expires_at),
                &pair.workspace_id,
                &pair.workspace_name,
                &seconds(crate::tokens::now_secs()),
            ],
        )
        .await
        .map(drop)
        .map_err(fail("saving the Count token pair"))
}

/// Begins a transaction on `client` holding the pair's row until the lock is committed or dropped.
pub(super) async fn lock_pair(client: Object) -> Result<Box<dyn CountPairLock>, StoreError> {
    let mut lock = PostgresLock {
        client: Some(client),
        pair: None,
    };
    let Some(client) = lock.client.as_ref() else {
        return Err(StoreError("no connection".into()));
    };
    // Another gateway's refresh may take as long as Count takes to answer it (60 s);
    // `COUNT_LOCK_WAIT`.
    client
        .batch_execute("BEGIN; SET LOCAL statement_timeout = '90s'")
        .await
        .map_err(fail("locking the Count token pair"))?;
    lock.pair = select_pair(client, " FOR UPDATE", "locking the Count token pair").await?;
    Ok(Box::new(lock))
}

/// A transaction holding the pair's row. Dropped without a commit, its connection is closed
/// rather than returned to the pool, which rolls the transaction back and releases the row.
struct PostgresLock {
    client: Option<Object>,
    pair: Option<CountTokenPair>,
}

impl Drop for PostgresLock {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            drop(Object::take(client));
        }
    }
}

#[async_trait]
impl CountPairLock for PostgresLock {
    fn pair(&self) -> Option<&CountTokenPair> {
        self.pair.as_ref()
    }

    async fn commit(mut self: Box<Self>, pair: &CountTokenPair) -> Result<(), StoreError> {
        let Some(client) = self.client.as_ref() else {
            return Err(StoreError("the lock was already released".into()));
        };
        upsert_pair(client, pair).await?;
        client
            .batch_execute("COMMIT")
            .await
            .map_err(fail("committing the Count token pair"))?;
        // Committed: the connection may go back to the pool.
        drop(self.client.take());
        Ok(())
    }
}
