//! What a host hands the form and hears back: the props (`CustomerFormProps`, shared by the
//! element, `mount()` and the Yew component), the saved customer and the error report of the
//! `customer-*` events, the theme.

use providers::substring::Trim;
use std::rc::Rc;

use providers::{FieldError, Json, Operation, ProviderId};
use yew::{AttrValue, Callback, Properties};

use crate::token::TokenSource;
use crate::transport::Transport;

/// A transport shared by reference; compared by identity.
#[derive(Clone)]
pub struct TransportRef(pub Rc<dyn Transport>);

impl PartialEq for TransportRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// `customer-saved`: which operation succeeded and the customer as the provider returned it.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedCustomer {
    pub operation: Operation,
    pub customer: Json,
}

/// `customer-error`: everything a host needs to react, nothing secret.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorReport {
    pub status: Option<u16>,
    /// `validation`, `network`, `credential_refused`… (see `providers::ErrorKind::as_str`).
    pub kind: &'static str,
    /// What the form shows, in the form's language.
    pub message: String,
    /// The provider's own message, when it sent one.
    pub provider_message: Option<String>,
    pub field_errors: Vec<FieldError>,
}

#[derive(Properties, Clone, PartialEq)]
pub struct CustomerFormProps {
    pub provider: ProviderId,
    pub mode: Operation,
    /// The customer to edit (update mode): the provider's id or an alias it accepts.
    #[prop_or_default]
    pub customer_id: AttrValue,
    /// Where requests go; the provider's public API base when absent.
    #[prop_or_default]
    pub api_base: Option<AttrValue>,
    /// BCP 47 language tag.
    #[prop_or_default]
    pub locale: AttrValue,
    /// Overrides for any text, by key.
    #[prop_or_default]
    pub strings: Rc<Vec<(String, String)>>,
    #[prop_or_default]
    pub token: TokenSource,
    #[prop_or_default]
    pub on_loaded: Callback<Json>,
    #[prop_or_default]
    pub on_saved: Callback<SavedCustomer>,
    #[prop_or_default]
    pub on_error: Callback<ErrorReport>,
    /// `customer-dirty-change`: whether the form now holds unsaved changes.
    #[prop_or_default]
    pub on_dirty_change: Callback<bool>,
    /// `customer-ready`: the form can take focus.
    #[prop_or_default]
    pub on_ready: Callback<()>,
    #[prop_or_default]
    pub theme: Theme,
    /// How long one request may take (ms) before the form gives up on it.
    #[prop_or_default]
    pub timeout_ms: Option<u32>,
    /// Ask the browser to confirm leaving the page while there are unsaved changes.
    #[prop_or_default]
    pub warn_unsaved: bool,
    /// Keep unsaved values in `sessionStorage` (this tab only) and restore them after a reload.
    #[prop_or_default]
    pub keep_draft: bool,
    /// Replaces `fetch` (tests).
    #[prop_or_default]
    pub transport: Option<TransportRef>,
    /// Countries to pick Prolifi's `country_id` from: `(id, name)`, names in the page's
    /// language. Empty: the id is typed, with the record's country named beside it.
    #[prop_or_default]
    pub countries: Rc<Vec<(String, String)>>,
}

/// Light or dark colours (`auto` follows the visitor's system setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Light,
    Dark,
    Auto,
}

impl Theme {
    pub fn parse(name: &str) -> Theme {
        match name.trimmed().to_ascii_lowercase().as_str() {
            "dark" => Theme::Dark,
            "auto" => Theme::Auto,
            _ => Theme::Light,
        }
    }

    pub(super) fn resolved(self) -> &'static str {
        match self {
            Theme::Dark => "dark",
            Theme::Auto if crate::browser::prefers_dark() => "dark",
            _ => "light",
        }
    }
}
