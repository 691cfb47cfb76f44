//! `gateway serve [--config gateway.toml]` runs the gateway;
//! `gateway mint --sub <user> --provider <p> --ops read,update [--customer <id>] [--fields a,b] [--ttl <secs>]`
//! prints a scoped token signed with the configured HS256 key.

use std::process::ExitCode;

use customer_form_gateway::config::Config;
use customer_form_gateway::minting::{claims_for, TokenRequest};
use customer_form_gateway::tokens::{now_secs, TokenKeys};
use customer_form_gateway::{serve, AppState};

const USAGE: &str = "usage:
  gateway serve [--config <file>]
  gateway mint [--config <file>] --sub <user> --provider <provider> --ops <read,create,update>
               [--customer <id>] [--fields <a,b>] [--ttl <seconds>]";

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
        _ => Err(USAGE.into()),
    }
}
