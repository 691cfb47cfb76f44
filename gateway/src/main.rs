//! `gateway serve [--config gateway.toml]` runs the gateway;
//! `gateway mint --sub <user> --provider <p> --ops read,update [--customer <id>] [--fields a,b] [--ttl <secs>]`
//! prints a scoped token signed with the configured HS256 key;
//! `gateway count-connect-link` prints a one-time link that connects a Count workspace;
//! `gateway migrate-count-tokens --from <count-tokens.sqlite> [--replace]` moves Count's token
//! pair from its SQLite file into the `[store]` (PostgreSQL) the config names.

use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: see its line in Cargo.toml for the measured cost, and
/// `allocator.rs` for how it is called.
#[global_allocator]
static ALLOCATOR: customer_form_gateway::allocator::MiMalloc =
    customer_form_gateway::allocator::MiMalloc;

use customer_form_gateway::adapters::count_connect_ticket::{connect_link, TICKET_LIFETIME_SECS};
use customer_form_gateway::adapters::CountTokenStore;
use customer_form_gateway::config::Config;
use customer_form_gateway::minting::{claims_for, TokenRequest};
use customer_form_gateway::store::postgres::PostgresStore;
use customer_form_gateway::store::Store;
use customer_form_gateway::tokens::{now_secs, TokenKeys};
use customer_form_gateway::{serve, AppState};

const USAGE: &str = "usage:
  gateway serve [--config <file>]
  gateway mint [--config <file>] --sub <user> --provider <provider> --ops <read,create,update>
               [--customer <id>] [--fields <a,b>] [--ttl <seconds>]
  gateway count-connect-link [--config <file>]
  gateway migrate-count-tokens [--config <file>] --from <count-tokens.sqlite> [--replace]";

/// Options that take no value.
const FLAGS: [&str; 1] = ["replace"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gateway: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let (command, rest) = args.split_first().ok_or(USAGE)?;
    let mut options = std::collections::BTreeMap::new();
    let mut iter = rest.iter();
    while let Some(flag) = iter.next() {
        let name = flag
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected {flag:?}\n{USAGE}"))?;
        if FLAGS.contains(&name) {
            options.insert(name.to_string(), "true".to_string());
            continue;
        }
        let value = iter
            .next()
            .ok_or_else(|| format!("--{name} needs a value"))?;
        options.insert(name.to_string(), value.clone());
    }
    let config_path = options
        .remove("config")
        .unwrap_or_else(|| "gateway.toml".into());
    let config = Config::load(&config_path)?;
    match command.as_str() {
        "serve" => {
            let state = AppState::new(config)?;
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            runtime.block_on(serve(state))
        }
        "mint" => {
            let keys = TokenKeys::from_config(&config.tokens)?;
            let list = |s: Option<String>| {
                s.map(|s| {
                    s.split(',')
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                })
            };
            let request = TokenRequest {
                sub: options.remove("sub").ok_or("--sub is required")?,
                provider: options.remove("provider").ok_or("--provider is required")?,
                ops: list(options.remove("ops")).ok_or("--ops is required")?,
                customer: options.remove("customer"),
                fields: list(options.remove("fields")),
                ttl_secs: options
                    .remove("ttl")
                    .map(|t| t.parse().map_err(|_| "--ttl must be a number of seconds"))
                    .transpose()?,
            };
            if let Some(unknown) = options.keys().next() {
                return Err(format!("unknown option --{unknown}\n{USAGE}"));
            }
            let claims = claims_for(&keys, &request, now_secs())?;
            println!("{}", keys.mint(&claims)?);
            Ok(())
        }
        "count-connect-link" => {
            if let Some(unknown) = options.keys().next() {
                return Err(format!("unknown option --{unknown}\n{USAGE}"));
            }
            let link = connect_link(&config, now_secs())?;
            println!("{link}");
            eprintln!(
                "Open it in a browser within {} minutes and sign in to the Count workspace to \
                 connect; it works once.",
                TICKET_LIFETIME_SECS / 60
            );
            Ok(())
        }
        "migrate-count-tokens" => {
            let from = options
                .remove("from")
                .ok_or("--from <count-tokens.sqlite> is required")?;
            let replace = options.remove("replace").is_some();
            if let Some(unknown) = options.keys().next() {
                return Err(format!("unknown option --{unknown}\n{USAGE}"));
            }
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            runtime.block_on(migrate_count_tokens(&config, &from, replace))
        }
        _ => Err(USAGE.into()),
    }
}

/// Copies the pair into PostgreSQL, then removes it from the SQLite file, so the two can never
/// both refresh it (each refresh rotates the refresh token). Count is not asked anything.
async fn migrate_count_tokens(config: &Config, from: &str, replace: bool) -> Result<(), String> {
    let store = config
        .store
        .as_ref()
        .ok_or("the config has no [store]: there is nowhere to move the Count tokens to")?;
    let sqlite = CountTokenStore::open_existing(from)?;
    let pair = sqlite
        .load()?
        .ok_or_else(|| format!("{from} holds no Count token pair"))?;
    let postgres = PostgresStore::new(store)?;
    postgres.prepare().await.map_err(|e| e.to_string())?;
    if let Some(existing) = postgres.count_pair().await.map_err(|e| e.to_string())? {
        if existing != pair && !replace {
            return Err(format!(
                "the store already holds a Count token pair (workspace {}); pass --replace to \
                 overwrite it with the one from {from}",
                existing.workspace_name.as_deref().unwrap_or("unnamed")
            ));
        }
    }
    postgres
        .save_count_pair(&pair)
        .await
        .map_err(|e| e.to_string())?;
    sqlite.clear()?;
    println!(
        "moved the Count token pair (workspace {}) from {from} into the store; {from} no longer holds it",
        pair.workspace_name.as_deref().unwrap_or("unnamed")
    );
    Ok(())
}
