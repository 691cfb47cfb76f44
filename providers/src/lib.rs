//! The wire contracts of the four providers' customer APIs, as pure Rust.
//!
//! Nothing here touches the browser, the network or a clock: the widget (wasm) and the gateway
//! (native) both call these functions, so a request the browser builds is validated by the same
//! rules before the gateway attaches a secret.

pub mod commercelayer;
pub mod contract;
pub mod count;
pub mod credential;
pub mod error;
pub mod field;
pub mod http;
pub mod json;
pub mod partnero;
pub mod prolifi;
pub mod record;
pub mod token_claims;
pub mod url;
pub mod validate;
pub mod values;

pub use contract::{
    contract_for, gateway_rules_for, Contract, GatewayRules, RecordNames, Replaced, RequestContext,
    Route,
};
pub use credential::{classify_credential, Channel, CredentialUse, Grant, RefusalReason};
pub use error::{ApiError, ErrorKind, FieldError};
pub use field::{FieldKind, FieldSpec};
pub use http::{HttpReply, HttpRequest, Method};
pub use json::Json;
pub use record::Record;
pub use values::FormValues;

/// The providers the widget speaks to. The `as_str` names are the public `provider` attribute values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProviderId {
    Partnero,
    Prolifi,
    Count,
    CommerceLayer,
}

impl ProviderId {
    pub const ALL: [ProviderId; 4] = [
        ProviderId::Partnero,
        ProviderId::Prolifi,
        ProviderId::Count,
        ProviderId::CommerceLayer,
    ];

    pub fn parse(name: &str) -> Option<ProviderId> {
        match name.trim().to_ascii_lowercase().as_str() {
            "partnero" => Some(ProviderId::Partnero),
            "prolifi" => Some(ProviderId::Prolifi),
            "count" => Some(ProviderId::Count),
            "commercelayer" => Some(ProviderId::CommerceLayer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Partnero => "partnero",
            ProviderId::Prolifi => "prolifi",
            ProviderId::Count => "count",
            ProviderId::CommerceLayer => "commercelayer",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            ProviderId::Partnero => "Partnero",
            ProviderId::Prolifi => "Prolifi",
            ProviderId::Count => "Count",
            ProviderId::CommerceLayer => "Commerce Layer",
        }
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
        match name.trim().to_ascii_lowercase().as_str() {
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
