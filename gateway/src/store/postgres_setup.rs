//! Setting up the PostgreSQL store: the connection settings from `[store]` (URL, TLS roots) and
//! the schema, migrated on start under an advisory lock so replicas starting together apply each
//! migration once.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Object;

use super::postgres::fail;
use super::StoreError;
use crate::secret::Secret;

/// The migrations, in order. Each runs once, in its own transaction.
const MIGRATIONS: &[(i32, &str, &str)] =
    &[(1, "store", include_str!("../../migrations/0001_store.sql"))];
/// The advisory lock replicas take while migrating ("cfgw" and 1).
const MIGRATION_LOCK: i64 = 0x6366_6777_0000_0001;
/// How long a store operation may take before the request gets a 503 (a Count refresh waiting
/// for another gateway's refresh gets longer, see `PostgresStore::lock_count_pair`).
pub const STATEMENT_TIMEOUT_MS: u64 = 5_000;
/// How long a Count refresh may wait for another gateway's (`postgres_count_pair.rs` sets it as
/// the lock's `statement_timeout`).
pub const COUNT_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(90);

/// Applies the migrations not yet applied, holding the migration lock meanwhile.
pub async fn migrate_locked(mut client: Object) -> Result<(), StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(fail("taking the migration lock"))?;
    let migrated = migrate(&mut client).await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    if unlocked.is_err() {
        // A connection that may still hold the lock must not go back to the pool.
        drop(Object::take(client));
    }
    migrated
}

async fn migrate(client: &mut Object) -> Result<(), StoreError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS gateway_schema_migrations (
                 version    INTEGER PRIMARY KEY,
                 name       TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await
        .map_err(fail("creating the migrations table"))?;
    let applied: Vec<i32> = client
        .query("SELECT version FROM gateway_schema_migrations", &[])
        .await
        .map_err(fail("reading the applied migrations"))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let transaction = client
            .transaction()
            .await
            .map_err(fail("starting a migration"))?;
        transaction
            .batch_execute(sql)
            .await
            .map_err(fail("applying a migration"))?;
        transaction
            .execute(
                "INSERT INTO gateway_schema_migrations (version, name) VALUES ($1, $2)",
                &[version, name],
            )
            .await
            .map_err(fail("recording a migration"))?;
        transaction
            .commit()
            .await
            .map_err(fail("committing a migration"))?;
        crate::log::event(
            "store_migrated",
            &[
                ("version", serde_json::json!(version)),
                ("name", serde_json::json!(name)),
            ],
        );
    }
    Ok(())
}

/// The connection settings from the URL (`postgres://user:password@host:port/db?sslmode=…`).
/// `sslmode` may be `disable`, `prefer` (the default) or `require`; libpq's `verify-ca` and
/// `verify-full` are read as `require`, since the certificate is always verified here.
pub fn postgres_config(
    url: &Secret,
    connect_timeout_secs: u64,
) -> Result<tokio_postgres::Config, String> {
    let text = url
        .expose()
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    // The URL holds a password: the error never quotes it.
    let mut config: tokio_postgres::Config = text
        .parse()
        .map_err(|e| format!("[store] url is not a PostgreSQL URL ({e})"))?;
    config
        .application_name("customer-form-gateway")
        .connect_timeout(Duration::from_secs(connect_timeout_secs))
        .options(format!("-c statement_timeout={STATEMENT_TIMEOUT_MS}"));
    Ok(config)
}

/// rustls with the web PKI roots, plus the CA in `ca_file` (a private database's certificate).
pub fn tls_connector(
    ca_file: Option<&str>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("[store] ca_file {path}: {e}"))?;
        for certificate in certificates {
            let certificate = certificate.map_err(|e| format!("[store] ca_file {path}: {e}"))?;
            roots
                .add(certificate)
                .map_err(|e| format!("[store] ca_file {path}: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}
