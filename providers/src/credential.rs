//! What the widget may do with the credential it was handed, decided before anything is sent.

use crate::token_claims::TokenClaims;
use crate::url::is_loopback;
use crate::ProviderId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalReason {
    /// A secret live key (Prolifi `sk_live_`) in a page.
    SecretLiveKey,
    /// A secret test key aimed at anything but this machine's sandbox.
    SecretKeyOffLoopback,
    /// Nothing the widget knows how to use safely.
    Unrecognised,
    /// No token at all.
    Missing,
}

impl RefusalReason {
    /// Message key; none of the texts repeats the credential.
    pub fn message_key(self) -> &'static str {
        match self {
            RefusalReason::SecretLiveKey => "credential.secret_live",
            RefusalReason::SecretKeyOffLoopback => "credential.secret_off_loopback",
            RefusalReason::Unrecognised => "credential.unrecognised",
            RefusalReason::Missing => "credential.missing",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialUse {
    Allowed {
        read: bool,
        create: bool,
        update: bool,
    },
    Refused(RefusalReason),
}

impl CredentialUse {
    pub const ALL: CredentialUse = CredentialUse::Allowed {
        read: true,
        create: true,
        update: true,
    };
    pub const READ_ONLY: CredentialUse = CredentialUse::Allowed {
        read: true,
        create: false,
        update: false,
    };
}

/// Classifies `token` for `provider` when the widget calls `api_base`.
pub fn classify_credential(provider: ProviderId, token: &str, api_base: &str) -> CredentialUse {
    let token = token.trim();
    if token.is_empty() {
        return CredentialUse::Refused(RefusalReason::Missing);
    }
    if let Some(claims) = TokenClaims::read(token) {
        return CredentialUse::Allowed {
            read: claims.allows("read"),
            create: claims.allows("create"),
            update: claims.allows("update"),
        };
    }
    match provider {
        ProviderId::Prolifi => {
            if token.starts_with("sk_live_") {
                CredentialUse::Refused(RefusalReason::SecretLiveKey)
            } else if token.starts_with("sk_test_") {
                if is_loopback(api_base) {
                    CredentialUse::ALL
                } else {
                    CredentialUse::Refused(RefusalReason::SecretKeyOffLoopback)
                }
            } else if token.starts_with("pk_test_") || token.starts_with("pk_live_") {
                CredentialUse::READ_ONLY
            } else {
                CredentialUse::Refused(RefusalReason::Unrecognised)
            }
        }
        _ => CredentialUse::Refused(RefusalReason::Unrecognised),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SANDBOX: &str = "http://127.0.0.1:8787/prolifi/api/v1/public";
    const LIVE: &str = "https://api.prolifi.co/api/v1/public";

    #[test]
    fn prolifi_keys() {
        let p = ProviderId::Prolifi;
        assert_eq!(
            classify_credential(p, "sk_live_x", SANDBOX),
            CredentialUse::Refused(RefusalReason::SecretLiveKey)
        );
        assert_eq!(
            classify_credential(p, "sk_live_x", LIVE),
            CredentialUse::Refused(RefusalReason::SecretLiveKey)
        );
        assert_eq!(
            classify_credential(p, "sk_test_x", SANDBOX),
            CredentialUse::ALL
        );
        assert_eq!(
            classify_credential(p, "sk_test_x", LIVE),
            CredentialUse::Refused(RefusalReason::SecretKeyOffLoopback)
        );
        assert_eq!(
            classify_credential(p, "pk_test_x", LIVE),
            CredentialUse::READ_ONLY
        );
        assert_eq!(
            classify_credential(p, "pk_live_x", LIVE),
            CredentialUse::READ_ONLY
        );
        assert_eq!(
            classify_credential(p, "  ", LIVE),
            CredentialUse::Refused(RefusalReason::Missing)
        );
        assert_eq!(
            classify_credential(p, "hunter2", LIVE),
            CredentialUse::Refused(RefusalReason::Unrecognised)
        );
    }

    #[test]
    fn scoped_tokens_follow_their_ops_hint() {
        // payload {"ops":["read","update"]}
        let token = "e30.eyJvcHMiOlsicmVhZCIsInVwZGF0ZSJdfQ.x";
        assert_eq!(
            classify_credential(ProviderId::Prolifi, token, LIVE),
            CredentialUse::Allowed {
                read: true,
                create: false,
                update: true
            }
        );
    }
}
