//! One error model for every provider: whatever envelope a provider uses, the widget sees a
//! status, a kind, a message and field errors keyed by the form's field names.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The provider rejected some values (422, or 400 with field errors).
    Validation,
    /// The credential is missing, wrong or expired (401).
    Authentication,
    /// The credential may not do this (403).
    Permission,
    NotFound,
    /// The record collides with another one (409, duplicate keys).
    Conflict,
    RateLimited,
    /// The provider failed (5xx).
    Server,
    /// A request the provider considers malformed (400 without field errors): a bug, not the user's.
    BadRequest,
    /// The request never got a reply: offline, DNS, CORS, connection dropped.
    Network,
    Timeout,
    /// A reply we could not understand (HTML from a proxy, truncated JSON…).
    BadReply,
    /// The widget refused the credential it was given before sending anything.
    CredentialRefused,
    /// The values failed the provider's rules in the browser; nothing was sent.
    Invalid,
}

impl ErrorKind {
    /// The public `detail.kind` of `customer-error` events.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Authentication => "authentication",
            ErrorKind::Permission => "permission",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::BadReply => "bad_reply",
            ErrorKind::CredentialRefused => "credential_refused",
            ErrorKind::Invalid => "invalid",
        }
    }

    /// The kind a bare HTTP status means when the body says nothing more specific.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Permission,
            404 | 410 => ErrorKind::NotFound,
            408 => ErrorKind::Timeout,
            409 => ErrorKind::Conflict,
            422 => ErrorKind::Validation,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::BadReply,
        }
    }

    /// Whether trying the same request again later can succeed without anyone changing anything.
    /// An unreadable reply counts: it is usually a proxy's error page or a cut connection, and the
    /// request may or may not have been carried out.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited
                | ErrorKind::Server
                | ErrorKind::Network
                | ErrorKind::Timeout
                | ErrorKind::BadReply
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's `name` (the body path without envelope).
    pub field: String,
    pub message: String,
    /// A message key the widget words in the form's language instead of `message`, when the
    /// contract (not the provider) explains the error.
    pub key: Option<&'static str>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
            key: None,
        }
    }

    /// An error the contract words itself: `key` in the form's language, `english` elsewhere.
    pub fn explained(field: &str, key: &'static str, english: &str) -> FieldError {
        FieldError {
            key: Some(key),
            ..FieldError::new(field, english)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status; `None` when no reply arrived or nothing was sent.
    pub status: Option<u16>,
    pub kind: ErrorKind,
    /// The provider's own message when it gave one; empty otherwise (the widget then shows its
    /// localised text for the kind).
    pub message: String,
    /// The provider's machine-readable code when it gave one (`permission_error`, `INVALID_TOKEN`).
    pub code: Option<String>,
    pub field_errors: Vec<FieldError>,
    pub retry_after_secs: Option<u32>,
    /// The gateway's reason (`scope_fields`…) when the gateway refused the request itself
    /// rather than passing on the provider's answer.
    pub gateway: Option<String>,
}

impl ApiError {
    pub fn new(status: Option<u16>, kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.into(),
            code: None,
            field_errors: Vec::new(),
            retry_after_secs: None,
            gateway: None,
        }
    }

    pub fn invalid(field_errors: Vec<FieldError>) -> ApiError {
        ApiError {
            field_errors,
            ..ApiError::new(None, ErrorKind::Invalid, "")
        }
    }

    /// Splits field errors into those the form shows (by field name) and the rest, which belong
    /// in the form-level alert.
    pub fn partition_fields<'a>(
        &'a self,
        shown: &[&str],
    ) -> (Vec<&'a FieldError>, Vec<&'a FieldError>) {
        self.field_errors
            .iter()
            .partition(|e| shown.contains(&e.field.as_str()))
    }
}
