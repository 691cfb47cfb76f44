//! The words for a state: what the alert and status regions say, and the `customer-error` detail.

use providers::text_key;
use providers::validate::Rule;
use providers::{ApiError, ErrorKind, ProviderId, RefusalReason};

use crate::form::{Failure, FieldMessage, Notice, Step};
use crate::i18n::Catalog;

/// What the `role="alert"` region shows for a failure.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertText {
    pub summary: String,
    /// The provider's own words, when they add something.
    pub detail: Option<String>,
    /// Errors for fields this form does not show.
    pub other_fields: Option<String>,
}

pub fn rule_text(catalog: &Catalog, rule: Rule) -> String {
    match rule {
        Rule::Required => catalog.t(text_key!("error.required")),
        Rule::Email => catalog.t(text_key!("error.email")),
        Rule::Uuid => catalog.t(text_key!("error.uuid")),
        Rule::Url => catalog.t(text_key!("error.url")),
        Rule::JsonObject => catalog.t(text_key!("error.json_object")),
        Rule::JsonList => catalog.t(text_key!("error.json_list")),
        Rule::TooLong(max) => catalog.t_with(
            text_key!("error.too_long"),
            &[("max", &providers::digits::text(max as u64))],
        ),
        Rule::NotAChoice => catalog.t(text_key!("error.not_a_choice")),
        Rule::Custom(key) => catalog.t(key),
    }
}

pub fn field_text(catalog: &Catalog, message: &FieldMessage) -> String {
    match message {
        FieldMessage::Rule(rule) => rule_text(catalog, *rule),
        FieldMessage::Text(text) => text.clone(),
    }
}

/// The fields' labels (or the tags), comma-separated: one function for the messages that list
/// them, rather than a collected `Vec` and `join` at each (README, Size).
fn labels<S: AsRef<str>>(fields: &[S], label_of: &dyn Fn(&str) -> String) -> String {
    let mut names = String::new();
    for field in fields {
        if !names.is_empty() {
            names.push_str(", ");
        }
        names.push_str(&label_of(field.as_ref()));
    }
    names
}

/// What the `role="status"` region says; `label_of` names fields in the form's language.
pub fn notice_text(
    catalog: &Catalog,
    provider: ProviderId,
    notice: &Notice,
    label_of: &dyn Fn(&str) -> String,
) -> String {
    match notice {
        Notice::Created => catalog.t(text_key!("status.created")),
        Notice::Saved => catalog.t(text_key!("status.saved")),
        Notice::SavedWithTheirs(fields) => catalog.t_with(
            text_key!("status.saved_with_theirs"),
            &[("fields", &labels(fields, label_of))],
        ),
        Notice::Replayed => catalog.t(text_key!("status.replayed")),
        Notice::NothingChanged => catalog.t(text_key!("status.nothing_changed")),
        Notice::ReadOnly => catalog.t(text_key!("status.read_only")),
        Notice::Retrying { secs: 0 } => catalog.t_with(
            text_key!("status.retrying"),
            &[("provider", provider.display_name())],
        ),
        Notice::Retrying { secs } => catalog.t_with(
            text_key!("status.retrying_secs"),
            &[
                ("provider", provider.display_name()),
                ("secs", &catalog.number(*secs)),
            ],
        ),
        Notice::Restored => catalog.t(text_key!("status.restored")),
        Notice::RestoredExcept(fields) => catalog.t_with(
            text_key!("status.restored_except"),
            &[("fields", &labels(fields, label_of))],
        ),
        Notice::TookTheirs => catalog.t(text_key!("status.took_theirs")),
        Notice::ChoseExisting => catalog.t(text_key!("status.chose_existing")),
        Notice::LeftBehind(fields) => left_behind_text(catalog, provider, fields, label_of),
        Notice::TagsNotAdded(tags) => catalog.t_with(
            text_key!("status.tags_not_added"),
            &[
                ("provider", provider.display_name()),
                ("tags", &labels(tags, &|tag| tag.to_string())),
            ],
        ),
    }
}

/// `highlighted`: some of the error's fields are marked on the form (a summary that says
/// "check the highlighted fields" needs one).
fn api_summary(
    catalog: &Catalog,
    provider: ProviderId,
    error: &ApiError,
    step: Step,
    highlighted: bool,
) -> String {
    let name = provider.display_name();
    let status = error
        .status
        .map(|s| providers::digits::text(u64::from(s)))
        .unwrap_or_default();
    // Nothing was typed before a record loads: a load failure says what happened to the
    // loading, and never that entries are kept.
    let load_key = match error.kind {
        ErrorKind::Authentication => Some(text_key!("load.authentication")),
        ErrorKind::Permission => Some(text_key!("load.permission")),
        ErrorKind::RateLimited => Some(text_key!("load.rate_limited")),
        ErrorKind::Server => Some(text_key!("load.server")),
        ErrorKind::Network => Some(text_key!("load.network")),
        ErrorKind::Timeout => Some(text_key!("load.timeout")),
        ErrorKind::BadReply => Some(text_key!("load.bad_reply")),
        _ => None,
    };
    let key = match error.kind {
        _ if step == Step::Load && load_key.is_some() => load_key.unwrap_or_default(),
        ErrorKind::Validation if highlighted => text_key!("alert.validation"),
        ErrorKind::Validation => text_key!("alert.validation_unplaced"),
        ErrorKind::Authentication => text_key!("alert.authentication"),
        ErrorKind::Permission => text_key!("alert.permission"),
        ErrorKind::NotFound => text_key!("alert.not_found"),
        ErrorKind::Conflict => text_key!("alert.conflict"),
        ErrorKind::RateLimited if error.retry_after_secs.is_some() => {
            text_key!("alert.rate_limited_secs")
        }
        ErrorKind::RateLimited => text_key!("alert.rate_limited"),
        ErrorKind::Server => text_key!("alert.server"),
        ErrorKind::BadRequest => text_key!("alert.bad_request"),
        ErrorKind::Network => text_key!("alert.network"),
        ErrorKind::Timeout => text_key!("alert.timeout"),
        ErrorKind::BadReply => text_key!("alert.bad_reply"),
        ErrorKind::CredentialRefused => text_key!("credential.unrecognised"),
        ErrorKind::Invalid => text_key!("alert.invalid"),
    };
    let secs = error
        .retry_after_secs
        .map(|s| catalog.number(s))
        .unwrap_or_default();
    catalog.t_with(
        key,
        &[("provider", name), ("status", &status), ("secs", &secs)],
    )
}

/// "Count cannot change Contacts of an existing customer here, so what you typed there will
/// not be saved."
fn left_behind_text(
    catalog: &Catalog,
    provider: ProviderId,
    fields: &[&'static str],
    label_of: &dyn Fn(&str) -> String,
) -> String {
    catalog.t_with(
        text_key!("alert.left_behind"),
        &[
            ("provider", provider.display_name()),
            ("fields", &labels(fields, label_of)),
        ],
    )
}

pub fn alert_text(
    catalog: &Catalog,
    provider: ProviderId,
    failure: &Failure,
    shown_fields: &[&str],
    label_of: &dyn Fn(&str) -> String,
) -> AlertText {
    let name = provider.display_name();
    match failure {
        Failure::Api { error, step } => {
            let (shown, unshown) = error.partition_fields(shown_fields);
            let other_fields = (!unshown.is_empty()).then(|| {
                let mut list = String::new();
                for e in unshown {
                    if !list.is_empty() {
                        list.push_str("; ");
                    }
                    list.push_str(&e.field);
                    list.push_str(": ");
                    list.push_str(&e.message);
                }
                catalog.t_with(text_key!("alert.other_fields"), &[("fields", &list)])
            });
            // The gateway's own refusals are its words, not the provider's.
            let said = match error.gateway {
                Some(_) => text_key!("alert.gateway_said"),
                None => text_key!("alert.provider_said"),
            };
            // A gateway's failure to reach or hear the provider (or its own store, or a
            // limit) is what the summary says, in the form's language; its English would only
            // say it again.
            let told = error.gateway.is_some() && error.kind.is_transient();
            let detail = (!error.message.is_empty() && !told)
                .then(|| catalog.t_with(said, &[("provider", name), ("message", &error.message)]));
            AlertText {
                summary: api_summary(catalog, provider, error, *step, !shown.is_empty()),
                detail,
                other_fields,
            }
        }
        Failure::Credential(reason) => AlertText {
            summary: catalog.t_with(reason.message_key(), &[("provider", name)]),
            detail: None,
            other_fields: None,
        },
        Failure::TokenProvider => AlertText {
            summary: catalog.t(text_key!("credential.provider_failed")),
            detail: None,
            other_fields: None,
        },
        Failure::Invalid => AlertText {
            summary: catalog.t(text_key!("alert.invalid")),
            detail: None,
            other_fields: None,
        },
        Failure::Conflict { fields } => AlertText {
            summary: catalog.t_with(
                text_key!("alert.conflict_edit"),
                // `{provider}` too: a host's `strings` may word it with the provider's name.
                &[("provider", name), ("fields", &labels(fields, label_of))],
            ),
            detail: None,
            other_fields: None,
        },
        Failure::Differs {
            fields,
            left_behind,
        } => AlertText {
            summary: catalog.t_with(
                text_key!("alert.differs"),
                &[("provider", name), ("fields", &labels(fields, label_of))],
            ),
            detail: (!left_behind.is_empty())
                .then(|| left_behind_text(catalog, provider, left_behind, label_of)),
            other_fields: None,
        },
        Failure::Duplicate { name: customer, .. } => AlertText {
            summary: if customer.is_empty() {
                catalog.t_with(text_key!("alert.duplicate"), &[("provider", name)])
            } else {
                catalog.t_with(
                    text_key!("alert.duplicate_named"),
                    &[("provider", name), ("name", customer)],
                )
            },
            detail: None,
            other_fields: None,
        },
    }
}

/// The public `kind` and `status` of a failure, as `customer-error` reports them.
pub fn failure_kind(failure: &Failure) -> (&'static str, Option<u16>) {
    match failure {
        Failure::Api { error, .. } => (error.kind.as_str(), error.status),
        // Distinct from a refusal: nothing was given, so there is nothing to fix but the page.
        Failure::Credential(RefusalReason::Missing) => ("credential_missing", None),
        Failure::Credential(_) | Failure::TokenProvider => {
            (ErrorKind::CredentialRefused.as_str(), None)
        }
        Failure::Invalid => (ErrorKind::Invalid.as_str(), None),
        Failure::Duplicate { .. } | Failure::Conflict { .. } | Failure::Differs { .. } => {
            (ErrorKind::Conflict.as_str(), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use providers::{FieldError, RefusalReason};

    #[test]
    fn a_load_failure_never_says_entries_are_kept() {
        let catalog = Catalog::default();
        for kind in [
            ErrorKind::Authentication,
            ErrorKind::Permission,
            ErrorKind::RateLimited,
            ErrorKind::Server,
            ErrorKind::Network,
            ErrorKind::Timeout,
            ErrorKind::BadReply,
        ] {
            let failure = Failure::Api {
                error: ApiError::new(Some(502), kind, ""),
                step: Step::Load,
            };
            let text = alert_text(&catalog, ProviderId::Count, &failure, &[], &|n: &str| {
                n.to_string()
            });
            assert!(
                !text.summary.contains("entries"),
                "{kind:?}: {}",
                text.summary
            );
            assert!(
                text.summary.contains("load") || kind == ErrorKind::Permission,
                "{kind:?}: {}",
                text.summary
            );
        }
        let server = Failure::Api {
            error: ApiError::new(Some(502), ErrorKind::Server, ""),
            step: Step::Load,
        };
        assert_eq!(
            alert_text(&catalog, ProviderId::Count, &server, &[], &|n: &str| n
                .to_string())
            .summary,
            "Count had a problem (502), so the customer could not be loaded. Load again in a moment."
        );
    }

    #[test]
    fn api_failures_say_what_happened_and_keep_provider_words_apart() {
        let catalog = Catalog::default();
        let mut error = ApiError::new(Some(429), ErrorKind::RateLimited, "Too many requests.");
        error.retry_after_secs = Some(30);
        error.field_errors = vec![
            FieldError::new("email", "x"),
            FieldError::new("plan", "Unknown plan."),
        ];
        let text = alert_text(
            &catalog,
            ProviderId::Prolifi,
            &Failure::Api {
                error,
                step: Step::Save,
            },
            &["email"],
            &|n: &str| n.to_string(),
        );
        assert_eq!(
            text.summary,
            "Too many requests to Prolifi. Try again in 30 s. Your entries are kept."
        );
        assert_eq!(
            text.detail.as_deref(),
            Some("Prolifi said: Too many requests.")
        );
        assert_eq!(
            text.other_fields.as_deref(),
            Some("Also: plan: Unknown plan.")
        );
    }

    /// What a save's failure with `error` says, with `shown` the fields on the form.
    fn save_alert(
        catalog: &Catalog,
        provider: ProviderId,
        error: ApiError,
        shown: &[&str],
    ) -> AlertText {
        let failure = Failure::Api {
            error,
            step: Step::Save,
        };
        alert_text(catalog, provider, &failure, shown, &|n: &str| n.to_string())
    }

    #[test]
    fn a_gateway_refusal_is_worded_as_the_gateways() {
        let catalog = Catalog::default();
        let mut error = ApiError::new(
            Some(403),
            ErrorKind::Permission,
            "This token may not change: tags.",
        );
        error.gateway = Some("scope_fields".into());
        let text = save_alert(&catalog, ProviderId::Prolifi, error, &[]);
        let detail = text.detail.unwrap();
        assert!(!detail.contains("Prolifi said"), "{detail}");
        assert_eq!(detail, "The gateway said: This token may not change: tags.");
    }

    /// "Invalid partner key" names no field the form shows: the summary does not send the
    /// person looking for a highlighted one.
    #[test]
    fn a_refusal_that_marks_no_field_does_not_point_at_highlighted_ones() {
        let catalog = Catalog::default();
        let error = ApiError::new(Some(400), ErrorKind::Validation, "Invalid partner key");
        let text = save_alert(&catalog, ProviderId::Partnero, error, &["key", "email"]);
        assert_eq!(text.summary, "Partnero did not accept the values.");
        assert_eq!(
            text.detail.as_deref(),
            Some("Partnero said: Invalid partner key")
        );
    }

    /// The gateway's own English for a failure the summary already tells in the form's
    /// language ("Count had a problem (502)…") is not repeated after it.
    #[test]
    fn a_gateway_failure_the_summary_tells_adds_no_english_detail() {
        let catalog = Catalog::default();
        for (status, kind, code) in [
            (502, ErrorKind::Server, "upstream"),
            (504, ErrorKind::Timeout, "upstream"),
            (429, ErrorKind::RateLimited, "rate_ip"),
            (503, ErrorKind::Server, "store_unavailable"),
        ] {
            let mut error = ApiError::new(Some(status), kind, "The provider could not be reached.");
            error.gateway = Some(code.into());
            let text = save_alert(&catalog, ProviderId::Count, error, &[]);
            assert_eq!(text.detail, None, "{code}: {}", text.summary);
        }
    }

    #[test]
    fn a_duplicate_names_both_the_provider_and_the_customer() {
        let catalog = Catalog::default();
        let failure = Failure::Duplicate {
            id: "u1".into(),
            name: "Acme Ltd".into(),
        };
        let text = alert_text(&catalog, ProviderId::Count, &failure, &[], &|n: &str| {
            n.to_string()
        });
        assert_eq!(
            text.summary,
            "A Count customer with this email already exists: Acme Ltd. Edit that customer instead, or change the email."
        );
    }

    #[test]
    fn refused_credentials_never_quote_the_credential() {
        let catalog = Catalog::default();
        let text = alert_text(
            &catalog,
            ProviderId::Prolifi,
            &Failure::Credential(RefusalReason::SecretLiveKey),
            &[],
            &|n: &str| n.to_string(),
        );
        assert!(text.summary.contains("secret live key"));
        assert_eq!(
            failure_kind(&Failure::Credential(RefusalReason::SecretLiveKey)),
            ("credential_refused", None)
        );
    }

    #[test]
    fn a_missing_credential_has_its_own_kind() {
        let catalog = Catalog::default();
        let text = alert_text(
            &catalog,
            ProviderId::Prolifi,
            &Failure::Credential(RefusalReason::Missing),
            &[],
            &|n: &str| n.to_string(),
        );
        assert!(text.summary.contains("tokenProvider"), "{}", text.summary);
        assert_eq!(
            failure_kind(&Failure::Credential(RefusalReason::Missing)),
            ("credential_missing", None)
        );
        assert_eq!(
            failure_kind(&Failure::TokenProvider).0,
            "credential_refused"
        );
    }
}
