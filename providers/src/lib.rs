//! The wire contracts of the four providers' customer APIs, as pure Rust.
//!
//! Nothing here touches the browser, the network or a clock: the widget (wasm) and the gateway
//! (native) both call these functions, so a request the browser builds is validated by the same
//! rules before the gateway attaches a secret.

#[macro_use]
mod registry;

pub mod contacts;
pub mod contract;
pub mod credential;
pub mod digits;
pub mod error;
pub mod field;
pub mod http;
pub mod json;
pub mod pairs;
pub mod public_client;
pub mod record;
pub mod reference;
pub mod substring;
pub mod text_keys;
pub mod token_claims;
pub mod url;
pub mod validate;
pub mod values;

// The providers: one line each. A fifth provider is its module (one file) plus one line here.
registry! {
    Partnero => partnero::Partnero,
    Prolifi => prolifi::Prolifi,
    Count => count::Count,
    CommerceLayer => commercelayer::INTEGRATION,
}

use crate::substring::Trim;
pub use contract::{
    contract_for, gateway_rules_for, Contract, CreateDefault, DefaultSource, GatewayRules,
    RecordNames, Replaced, RequestContext, Route,
};
pub use credential::{classify_credential, Channel, CredentialUse, Grant, RefusalReason};
pub use error::{ApiError, ErrorKind, FieldError};
pub use field::{by_section, FieldKind, FieldSpec, Section};
pub use http::{HttpReply, HttpRequest, Method};
pub use json::Json;
pub use public_client::PublicClient;
pub use record::Record;
pub use values::FormValues;

impl ProviderId {
    pub fn parse(name: &str) -> Option<ProviderId> {
        let name = name.trimmed();
        ProviderId::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
    }

    pub fn as_str(self) -> &'static str {
        self.contract().name()
    }

    pub fn display_name(self) -> &'static str {
        self.contract().display_name()
    }
}

/// What the form does: the public `mode` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    Create,
    Update,
}

impl Operation {
    pub fn parse(name: &str) -> Option<Operation> {
        match name.trimmed().to_ascii_lowercase().as_str() {
            "create" => Some(Operation::Create),
            "update" => Some(Operation::Update),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
        }
    }
}
