//! What the widget may do with the credential it was handed, decided before anything is sent.

use crate::substring::Trim;
use crate::text_key;
use crate::token_claims::TokenClaims;
use crate::ProviderId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalReason {
    /// A secret live key (Prolifi `sk_live_`) in a page.
    SecretLiveKey,
    /// A secret test key aimed at anything but this machine's sandbox.
    SecretKeyOffLoopback,
    /// A confidential Commerce Layer token (integration or webapp) in a page.
    ConfidentialToken,
    /// A scoped token issued for another provider.
    WrongProvider,
    /// Nothing the widget knows how to use safely.
    Unrecognised,
    /// No token at all.
    Missing,
}

impl RefusalReason {
    /// Message key; none of the texts repeats the credential.
    pub fn message_key(self) -> &'static str {
        match self {
            RefusalReason::SecretLiveKey => text_key!("credential.secret_live"),
            RefusalReason::SecretKeyOffLoopback => text_key!("credential.secret_off_loopback"),
            RefusalReason::ConfidentialToken => text_key!("credential.confidential"),
            RefusalReason::WrongProvider => text_key!("credential.wrong_provider"),
            RefusalReason::Unrecognised => text_key!("credential.unrecognised"),
            RefusalReason::Missing => text_key!("credential.missing"),
        }
    }
}

/// Where the widget's requests go with this credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Straight to the provider (or the sandbox): Commerce Layer sales-channel tokens, sandbox keys.
    Direct,
    /// Through the gateway, with a scoped token.
    Gateway,
}

/// What a credential lets the form do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub read: bool,
    pub create: bool,
    pub update: bool,
    pub channel: Channel,
    /// The customer the credential belongs to, when it says (a Commerce Layer customer token).
    pub owner: Option<String>,
    /// The only fields a write may set, when the credential says (a scoped token's `fields`
    /// claim); `None`: every field. A hint for the form: the gateway decides.
    pub fields: Option<Vec<String>>,
}

impl Grant {
    pub fn all(channel: Channel) -> Grant {
        Grant {
            read: true,
            create: true,
            update: true,
            channel,
            owner: None,
            fields: None,
        }
    }

    pub fn read_only(channel: Channel) -> Grant {
        Grant {
            read: true,
            create: false,
            update: false,
            channel,
            owner: None,
            fields: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialUse {
    Allowed(Grant),
    Refused(RefusalReason),
}

/// Classifies `token` for `provider` when the widget calls `api_base` (the provider's contract
/// decides; see `Contract::classify`).
pub fn classify_credential(provider: ProviderId, token: &str, api_base: &str) -> CredentialUse {
    provider.contract().classify(token, api_base)
}

/// What a token is, before the provider's contract decides what it may do.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    Missing,
    /// A scoped token (a JWT) from the gateway, and what it allows this provider. Its `ops` are
    /// only a hint: the gateway decides.
    Scoped(CredentialUse),
    /// A JWT without a `provider` claim: one of a provider's own tokens.
    ProviderJwt(TokenClaims),
    /// Anything else (an API key, a random string).
    Opaque,
}

pub fn read_token(provider: ProviderId, token: &str) -> TokenKind {
    let token = token.trimmed();
    if token.is_empty() {
        return TokenKind::Missing;
    }
    let Some(claims) = TokenClaims::read(token) else {
        return TokenKind::Opaque;
    };
    let Some(issued_for) = &claims.provider else {
        return TokenKind::ProviderJwt(claims);
    };
    if ProviderId::parse(issued_for) != Some(provider) {
        return TokenKind::Scoped(CredentialUse::Refused(RefusalReason::WrongProvider));
    }
    TokenKind::Scoped(CredentialUse::Allowed(Grant {
        read: claims.allows("read"),
        create: claims.allows("create"),
        update: claims.allows("update"),
        channel: Channel::Gateway,
        owner: None,
        fields: claims.fields,
    }))
}

/// What every provider accepts: the gateway's scoped tokens for it. Anything else is refused
/// (Partnero's API key and Count's secrets never belong in a page).
pub fn classify_scoped_token(provider: ProviderId, token: &str) -> CredentialUse {
    match read_token(provider, token) {
        TokenKind::Missing => CredentialUse::Refused(RefusalReason::Missing),
        TokenKind::Scoped(allowed) => allowed,
        TokenKind::ProviderJwt(_) | TokenKind::Opaque => {
            CredentialUse::Refused(RefusalReason::Unrecognised)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SANDBOX: &str = "http://127.0.0.1:8787/prolifi/api/v1/public";
    const LIVE: &str = "https://api.prolifi.co/api/v1/public";

    fn jwt(payload: &str) -> String {
        let payload = crate::token_claims::base64url_encode(payload.as_bytes());
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}.sig")
    }

    fn refused(reason: RefusalReason) -> CredentialUse {
        CredentialUse::Refused(reason)
    }

    #[test]
    fn prolifi_keys() {
        let p = ProviderId::Prolifi;
        assert_eq!(
            classify_credential(p, "sk_live_x", SANDBOX),
            refused(RefusalReason::SecretLiveKey)
        );
        assert_eq!(
            classify_credential(p, "sk_live_x", LIVE),
            refused(RefusalReason::SecretLiveKey)
        );
        assert_eq!(
            classify_credential(p, "sk_test_x", SANDBOX),
            CredentialUse::Allowed(Grant::all(Channel::Direct))
        );
        assert_eq!(
            classify_credential(p, "sk_test_x", LIVE),
            refused(RefusalReason::SecretKeyOffLoopback)
        );
        assert_eq!(
            classify_credential(p, "pk_test_x", LIVE),
            CredentialUse::Allowed(Grant::read_only(Channel::Direct))
        );
        assert_eq!(
            classify_credential(p, "pk_live_x", LIVE),
            CredentialUse::Allowed(Grant::read_only(Channel::Direct))
        );
        assert_eq!(
            classify_credential(p, "  ", LIVE),
            refused(RefusalReason::Missing)
        );
        assert_eq!(
            classify_credential(p, "hunter2", LIVE),
            refused(RefusalReason::Unrecognised)
        );
    }

    #[test]
    fn scoped_tokens_follow_their_ops_hint_and_provider() {
        let token = jwt(r#"{"provider":"prolifi","ops":["read","update"]}"#);
        assert_eq!(
            classify_credential(ProviderId::Prolifi, &token, LIVE),
            CredentialUse::Allowed(Grant {
                read: true,
                create: false,
                update: true,
                channel: Channel::Gateway,
                owner: None,
                fields: None
            })
        );
        assert_eq!(
            classify_credential(ProviderId::Count, &token, LIVE),
            refused(RefusalReason::WrongProvider)
        );
    }

    #[test]
    fn partnero_and_count_accept_only_scoped_tokens() {
        for provider in [ProviderId::Partnero, ProviderId::Count] {
            assert_eq!(
                classify_credential(provider, "pk_live_abc", LIVE),
                refused(RefusalReason::Unrecognised)
            );
            assert_eq!(
                classify_credential(provider, &jwt(r#"{"sub":"x"}"#), LIVE),
                refused(RefusalReason::Unrecognised)
            );
        }
    }

    #[test]
    fn commerce_layer_token_kinds() {
        let cl = ProviderId::CommerceLayer;
        let customer = jwt(
            r#"{"application":{"kind":"sales_channel","public":true},"owner":{"id":"XAyRWNUzyN","type":"Customer"}}"#,
        );
        assert_eq!(
            classify_credential(cl, &customer, LIVE),
            CredentialUse::Allowed(Grant {
                read: true,
                create: false,
                update: true,
                channel: Channel::Direct,
                owner: Some("XAyRWNUzyN".into()),
                fields: None
            })
        );
        let guest = jwt(
            r#"{"application":{"kind":"sales_channel","public":true},"market":{"id":["BjQkZhRZJn"]}}"#,
        );
        assert_eq!(
            classify_credential(cl, &guest, LIVE),
            CredentialUse::Allowed(Grant {
                read: false,
                create: true,
                update: false,
                channel: Channel::Direct,
                owner: None,
                fields: None
            })
        );
        for kind in ["integration", "webapp"] {
            let confidential = jwt(&format!(
                r#"{{"application":{{"kind":"{kind}","public":false}}}}"#
            ));
            assert_eq!(
                classify_credential(cl, &confidential, LIVE),
                refused(RefusalReason::ConfidentialToken)
            );
        }
        assert_eq!(
            classify_credential(cl, "not-a-jwt", LIVE),
            refused(RefusalReason::Unrecognised)
        );
    }
}
