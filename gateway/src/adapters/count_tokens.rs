//! Count's workspace token pair, and the SQLite file that keeps it.
//!
//! Count rotates the refresh token on every refresh: once Count has answered a refresh, the
//! refresh token this gateway held is dead, and the new one exists only in that answer. So the
//! new pair is committed (one transaction, WAL with `synchronous=FULL`, i.e. fsynced) as soon as
//! it arrives, before anything uses it. A restart or a crash after that commit loses nothing.

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use crate::secret::Secret;

/// What Count returns from `grant-access-token` and `refresh-user-access-token`.
#[derive(Clone, PartialEq, Eq)]
pub struct CountTokenPair {
    pub access_token: Secret,
    pub refresh_token: Secret,
    /// Unix seconds; `None` when Count's timestamp could not be read (then only a 401 tells
    /// that the access token expired).
    pub access_expires_at: Option<u64>,
    pub refresh_expires_at: Option<u64>,
    pub workspace_id: Option<String>,
    pub workspace_name: Option<String>,
}

/// Never shows the tokens, so a pair cannot leak into a log line.
impl fmt::Debug for CountTokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountTokenPair")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("workspace_id", &self.workspace_id)
            .field("workspace_name", &self.workspace_name)
            .finish_non_exhaustive()
    }
}

impl CountTokenPair {
    /// Reads `data.result` of a token reply (`{status, message, data:{result:{…}}}`); a bare
    /// `result` object is accepted too. `None` unless both tokens are there.
    pub fn from_reply(body: &Value) -> Option<CountTokenPair> {
        let result = body
            .pointer("/data/result")
            .or_else(|| body.get("result"))
            .unwrap_or(body);
        let text = |name: &str| {
            result
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Some(CountTokenPair {
            access_token: Secret::new(text("accessToken")?),
            refresh_token: Secret::new(text("refreshToken")?),
            access_expires_at: result.get("accessTokenExpiresAt").and_then(unix_seconds),
            refresh_expires_at: result.get("refreshTokenExpiresAt").and_then(unix_seconds),
            workspace_id: text("workspaceId"),
            workspace_name: text("workspaceName"),
        })
    }

    /// Whether the access token has expired, or will within `margin` seconds.
    pub fn access_expired(&self, now: u64, margin: u64) -> bool {
        self.access_expires_at
            .is_some_and(|at| now.saturating_add(margin) >= at)
    }
}

/// A `*ExpiresAt` value as Unix seconds: an ISO-8601 string (what Count returns), or a number
/// (seconds, or milliseconds when it is too large to be seconds), in case Count ever sends one.
fn unix_seconds(value: &Value) -> Option<u64> {
    match value {
        Value::String(text) => parse_iso8601(text),
        Value::Number(number) => {
            let n = number.as_u64()?;
            Some(if n > 100_000_000_000 { n / 1000 } else { n })
        }
        _ => None,
    }
}

/// An RFC 3339 time (`2025-05-02T16:12:39.123Z`, `…+02:00`) → Unix seconds (fractions dropped);
/// `None` for anything else, or a time before 1970.
pub fn parse_iso8601(text: &str) -> Option<u64> {
    let time =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .ok()?;
    u64::try_from(time.unix_timestamp()).ok()
}

/// The SQLite file holding the one workspace pair this gateway uses.
pub struct CountTokenStore {
    path: String,
    connection: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS count_tokens (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    access_token       TEXT    NOT NULL,
    refresh_token      TEXT    NOT NULL,
    access_expires_at  INTEGER,
    refresh_expires_at INTEGER,
    workspace_id       TEXT,
    workspace_name     TEXT,
    stored_at          INTEGER NOT NULL
);";

impl CountTokenStore {
    /// Opens (creating if needed) the store. The file is created readable by its owner only:
    /// it holds the workspace's tokens.
    pub fn open(path: &str) -> Result<CountTokenStore, String> {
        let fail = |e: &dyn fmt::Display| format!("Count token store {path}: {e}");
        create_private(Path::new(path)).map_err(|e| fail(&e))?;
        let connection = Connection::open(path).map_err(|e| fail(&e))?;
        connection
            .busy_timeout(Duration::from_secs(5))
            .map_err(|e| fail(&e))?;
        // WAL + FULL: every commit is fsynced before it returns, so a committed pair survives a
        // crash or a power cut.
        let mode: String = connection
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(|e| fail(&e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(fail(&format!(
                "cannot use write-ahead logging (got {mode})"
            )));
        }
        connection
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| fail(&e))?;
        connection.execute_batch(SCHEMA).map_err(|e| fail(&e))?;
        Ok(CountTokenStore {
            path: path.to_string(),
            connection: Mutex::new(connection),
        })
    }

    /// Opens a store that must already exist (what `gateway migrate-count-tokens` moves from).
    pub fn open_existing(path: &str) -> Result<CountTokenStore, String> {
        if !Path::new(path).is_file() {
            return Err(format!("Count token store {path}: no such file"));
        }
        CountTokenStore::open(path)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Forgets the pair (once it has moved elsewhere, so two places never refresh it).
    pub fn clear(&self) -> Result<(), String> {
        self.connection()
            .execute("DELETE FROM count_tokens", [])
            .map(drop)
            .map_err(|e| format!("Count token store {}: cannot write: {e}", self.path))
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        crate::lock::lock(&self.connection)
    }

    pub fn load(&self) -> Result<Option<CountTokenPair>, String> {
        let connection = self.connection();
        connection
            .query_row(
                "SELECT access_token, refresh_token, access_expires_at, refresh_expires_at,
                        workspace_id, workspace_name
                 FROM count_tokens WHERE id = 1",
                [],
                |row| {
                    Ok(CountTokenPair {
                        access_token: Secret::new(row.get::<_, String>(0)?),
                        refresh_token: Secret::new(row.get::<_, String>(1)?),
                        access_expires_at: row
                            .get::<_, Option<i64>>(2)?
                            .and_then(|s| u64::try_from(s).ok()),
                        refresh_expires_at: row
                            .get::<_, Option<i64>>(3)?
                            .and_then(|s| u64::try_from(s).ok()),
                        workspace_id: row.get(4)?,
                        workspace_name: row.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| format!("Count token store {}: cannot read: {e}", self.path))
    }

    /// Replaces the pair in one durable transaction.
    pub fn save(&self, pair: &CountTokenPair) -> Result<(), String> {
        let fail =
            |e: rusqlite::Error| format!("Count token store {}: cannot write: {e}", self.path);
        let seconds = |s: Option<u64>| s.and_then(|s| i64::try_from(s).ok());
        let mut connection = self.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        transaction
            .execute(
                "INSERT INTO count_tokens (id, access_token, refresh_token, access_expires_at,
                                           refresh_expires_at, workspace_id, workspace_name,
                                           stored_at)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET
                     access_token = excluded.access_token,
                     refresh_token = excluded.refresh_token,
                     access_expires_at = excluded.access_expires_at,
                     refresh_expires_at = excluded.refresh_expires_at,
                     workspace_id = excluded.workspace_id,
                     workspace_name = excluded.workspace_name,
                     stored_at = excluded.stored_at",
                params![
                    pair.access_token.expose(),
                    pair.refresh_token.expose(),
                    seconds(pair.access_expires_at),
                    seconds(pair.refresh_expires_at),
                    pair.workspace_id,
                    pair.workspace_name,
                    seconds(Some(crate::tokens::now_secs())),
                ],
            )
            .map_err(fail)?;
        transaction.commit().map_err(fail)
    }
}

/// Creates the file with owner-only permissions if it does not exist yet (SQLite would create it
/// with the process umask, typically world-readable). An existing file is left as it is.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

/// Which pair to use, and whether it is still one the store lacks: the store's, which is this
/// gateway's or newer, unless this gateway's own could not be committed (`unsaved`: then the
/// store holds the pair it was refreshed from, whose refresh token Count no longer takes). A
/// store's pair for another workspace wins even then: an operator connected it since. With
/// `keep_without_store`, an empty store leaves the pair in use; otherwise an empty store means
/// no connection (its row was removed).
pub(super) fn preferred_pair(
    ours: Option<CountTokenPair>,
    stored: Option<CountTokenPair>,
    unsaved: bool,
    keep_without_store: bool,
) -> (Option<CountTokenPair>, bool) {
    match (ours, stored) {
        (Some(ours), Some(stored)) if unsaved && ours.workspace_id == stored.workspace_id => {
            (Some(ours), true)
        }
        (_, Some(stored)) => (Some(stored), false),
        (ours, None) if unsaved || keep_without_store => (ours, unsaved),
        (_, None) => (None, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pair(access: &str, workspace: &str) -> CountTokenPair {
        CountTokenPair {
            access_token: Secret::new(access),
            refresh_token: Secret::new(format!("r-{access}")),
            access_expires_at: None,
            refresh_expires_at: None,
            workspace_id: Some(workspace.into()),
            workspace_name: None,
        }
    }

    #[test]
    fn the_stored_pair_wins_unless_ours_is_a_rotation_the_store_lacks() {
        let (ours, rotated_elsewhere) = (pair("a1", "w1"), pair("a2", "w1"));
        let reconnected = pair("b1", "w2");
        // Ours committed: the store's is ours or newer.
        assert_eq!(
            preferred_pair(
                Some(ours.clone()),
                Some(rotated_elsewhere.clone()),
                false,
                false
            ),
            (Some(rotated_elsewhere.clone()), false)
        );
        // Ours not committed: the store still holds the pair we rotated from.
        assert_eq!(
            preferred_pair(Some(ours.clone()), Some(rotated_elsewhere), true, false),
            (Some(ours.clone()), true)
        );
        // ... unless an operator connected another workspace since: that one wins, and ours
        // is not written back over it.
        assert_eq!(
            preferred_pair(Some(ours.clone()), Some(reconnected.clone()), true, false),
            (Some(reconnected.clone()), false)
        );
        // An empty store: nothing connected (its row was removed), unless ours is unsaved or
        // the caller keeps it.
        assert_eq!(
            preferred_pair(Some(ours.clone()), None, false, false),
            (None, false)
        );
        assert_eq!(
            preferred_pair(Some(ours.clone()), None, true, false),
            (Some(ours.clone()), true)
        );
        assert_eq!(
            preferred_pair(Some(ours.clone()), None, false, true),
            (Some(ours), false)
        );
        assert_eq!(
            preferred_pair(None, Some(reconnected.clone()), false, false),
            (Some(reconnected), false)
        );
    }

    #[test]
    fn iso_timestamps_are_read_as_unix_seconds() {
        // `date -u -d 2025-05-02T16:12:39Z +%s` = 1746202359
        assert_eq!(parse_iso8601("2025-05-02T16:12:39Z"), Some(1_746_202_359));
        assert_eq!(
            parse_iso8601("2025-05-02T16:12:39.123Z"),
            Some(1_746_202_359)
        );
        assert_eq!(
            parse_iso8601("2025-05-02T18:12:39+02:00"),
            Some(1_746_202_359)
        );
        assert_eq!(
            parse_iso8601("2025-05-02T14:12:39.5-02:00"),
            Some(1_746_202_359)
        );
        assert_eq!(parse_iso8601("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_iso8601("2000-02-29T00:00:00Z"), Some(951_782_400));
        for bad in [
            "",
            "2025-05-02",
            "2025-05-02T16:12:39",
            "2025-13-02T16:12:39Z",
            "2025-05-02T16:12:39.Z",
            "2025-05-02T16:12:39+0200",
            "20x5-05-02T16:12:39Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_token_reply_gives_a_pair_only_with_both_tokens() {
        let reply = json!({"status": "success", "data": {"result": {
            "accessToken": "a.b.c", "refreshToken": "r1",
            "accessTokenExpiresAt": "2025-05-02T16:12:39.000Z",
            "refreshTokenExpiresAt": 1_746_202_359_000u64,
            "workspaceId": "w", "workspaceName": "Sandbox Workspace"}}});
        let pair = CountTokenPair::from_reply(&reply).unwrap();
        assert_eq!(pair.access_token.expose(), "a.b.c");
        assert_eq!(pair.refresh_token.expose(), "r1");
        assert_eq!(pair.access_expires_at, Some(1_746_202_359));
        assert_eq!(pair.refresh_expires_at, Some(1_746_202_359));
        assert_eq!(pair.workspace_name.as_deref(), Some("Sandbox Workspace"));
        assert!(pair.access_expired(1_746_202_359, 0));
        assert!(pair.access_expired(1_746_202_300, 60));
        assert!(!pair.access_expired(1_746_202_300, 30));
        assert!(!format!("{pair:?}").contains("a.b.c"));

        let no_refresh = json!({"data": {"result": {"accessToken": "a"}}});
        assert!(CountTokenPair::from_reply(&no_refresh).is_none());
        let error = json!({"status": "error", "code": "INVALID_GRANT"});
        assert!(CountTokenPair::from_reply(&error).is_none());
    }
}
