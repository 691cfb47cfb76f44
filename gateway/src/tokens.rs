//! Verifying scoped tokens (HS256 with a shared key, or EdDSA with a host's public key) and
//! minting them (HS256).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use providers::token_claims::base64url_decode;

use crate::claims::Claims;
use crate::config::TokenConfig;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    Missing,
    Malformed,
    /// `alg` is not one this gateway accepts (`none`, RS256…, or EdDSA without a key).
    UnsupportedAlgorithm,
    BadSignature,
    WrongAudience,
    Expired,
    NotYetValid,
    /// `exp - iat` is over the configured maximum, or `iat` is in the future.
    LifetimeTooLong,
    WrongProvider,
}

impl TokenError {
    /// A clear reason for the 401 reply; never quotes the token.
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Missing => {
                "A scoped token is required: send Authorization: Bearer <token>."
            }
            TokenError::Malformed => "The token is not a well-formed scoped token.",
            TokenError::UnsupportedAlgorithm => {
                "The token's signing algorithm is not accepted by this gateway."
            }
            TokenError::BadSignature => "The token's signature is not valid.",
            TokenError::WrongAudience => "The token was issued for another audience.",
            TokenError::Expired => "The token has expired.",
            TokenError::NotYetValid => "The token is not valid yet.",
            TokenError::LifetimeTooLong => {
                "The token's lifetime is longer than this gateway allows."
            }
            TokenError::WrongProvider => "The token was issued for another provider.",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            TokenError::Missing => "token_missing",
            TokenError::Malformed => "token_malformed",
            TokenError::UnsupportedAlgorithm => "token_algorithm",
            TokenError::BadSignature => "token_signature",
            TokenError::WrongAudience => "token_audience",
            TokenError::Expired => "token_expired",
            TokenError::NotYetValid => "token_not_yet_valid",
            TokenError::LifetimeTooLong => "token_lifetime",
            TokenError::WrongProvider => "token_provider",
        }
    }
}

pub struct TokenKeys {
    audience: String,
    max_lifetime_secs: u64,
    leeway_secs: u64,
    /// The key tokens are minted with, when the gateway mints.
    hs256_signing: Option<EncodingKey>,
    /// Every key an HS256 token may be signed with: `hs256_key` first, then the accepted ones.
    hs256: Vec<DecodingKey>,
    /// Every EdDSA public key: `eddsa_public_key_file` first, then the accepted ones.
    eddsa: Vec<DecodingKey>,
}

/// An HS256 key as configured, held to a length that resists guessing.
fn hs256_secret(source: &crate::secret::SecretSource) -> Result<crate::secret::Secret, String> {
    let secret = source.load()?;
    if secret.expose().len() < 32 {
        return Err("an HS256 key must be at least 32 characters".into());
    }
    Ok(secret)
}

fn eddsa_key(path: &str) -> Result<DecodingKey, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    DecodingKey::from_ed_pem(&pem).map_err(|e| format!("{path}: not an Ed25519 public key ({e})"))
}

impl TokenKeys {
    pub fn from_config(config: &TokenConfig) -> Result<TokenKeys, String> {
        let mut hs256_signing = None;
        let mut hs256 = Vec::new();
        if let Some(source) = &config.hs256_key {
            let secret = hs256_secret(source)?;
            hs256_signing = Some(EncodingKey::from_secret(secret.expose().as_bytes()));
            hs256.push(DecodingKey::from_secret(secret.expose().as_bytes()));
        }
        for source in &config.hs256_accepted_keys {
            hs256.push(DecodingKey::from_secret(
                hs256_secret(source)?.expose().as_bytes(),
            ));
        }
        let eddsa = config
            .eddsa_public_key_file
            .iter()
            .chain(&config.eddsa_accepted_public_key_files)
            .map(|path| eddsa_key(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TokenKeys {
            audience: config.audience.clone(),
            max_lifetime_secs: config.max_lifetime_secs,
            leeway_secs: config.leeway_secs,
            hs256_signing,
            hs256,
            eddsa,
        })
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    pub fn max_lifetime_secs(&self) -> u64 {
        self.max_lifetime_secs
    }

    pub fn can_mint(&self) -> bool {
        self.hs256_signing.is_some()
    }

    /// Checks signature, algorithm, audience, times and provider, in that order.
    pub fn verify(&self, token: &str, provider: &str, now: u64) -> Result<Claims, TokenError> {
        let claims = self.decode(token)?;
        self.check(&claims, provider, now)?;
        Ok(claims)
    }

    /// Checks signature, algorithm and audience: what never changes for a given token, so the
    /// result can be kept by the token's hash.
    pub fn decode(&self, token: &str) -> Result<Claims, TokenError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenError::Missing);
        }
        let (algorithm, keys) = match header_alg(token)?.as_str() {
            "HS256" => (Algorithm::HS256, &self.hs256),
            "EdDSA" => (Algorithm::EdDSA, &self.eddsa),
            _ => return Err(TokenError::UnsupportedAlgorithm),
        };
        if keys.is_empty() {
            return Err(TokenError::UnsupportedAlgorithm);
        }
        let mut validation = Validation::new(algorithm);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "aud", "sub"]);
        // Times are checked in `check`, against the caller's clock, so tests can pin it.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        // The signature is checked before any claim: a key that did not sign the token says
        // so, and the next one is tried; any other refusal is the token's own.
        let mut refusal = TokenError::BadSignature;
        for key in keys {
            use jsonwebtoken::errors::ErrorKind as K;
            match jsonwebtoken::decode::<Claims>(token, key, &validation) {
                Ok(data) => return Ok(data.claims),
                Err(e) => {
                    refusal = match e.kind() {
                        K::InvalidSignature => continue,
                        K::InvalidAudience => TokenError::WrongAudience,
                        K::InvalidAlgorithm | K::InvalidAlgorithmName => {
                            TokenError::UnsupportedAlgorithm
                        }
                        _ => TokenError::Malformed,
                    };
                    break;
                }
            }
        }
        Err(refusal)
    }

    /// Checks what depends on the time and the route: expiry, not-before, lifetime, provider.
    pub fn check(&self, claims: &Claims, provider: &str, now: u64) -> Result<(), TokenError> {
        if claims.exp.saturating_add(self.leeway_secs) <= now {
            return Err(TokenError::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(self.leeway_secs))
        {
            return Err(TokenError::NotYetValid);
        }
        if claims.iat > now.saturating_add(self.leeway_secs)
            || claims.exp.saturating_sub(claims.iat) > self.max_lifetime_secs
        {
            return Err(TokenError::LifetimeTooLong);
        }
        if claims.provider != provider {
            return Err(TokenError::WrongProvider);
        }
        Ok(())
    }

    /// Signs claims with the HS256 key (`hs256_key`, never an accepted one).
    pub fn mint(&self, claims: &Claims) -> Result<String, String> {
        let key = self
            .hs256_signing
            .as_ref()
            .ok_or("minting needs [tokens] hs256_key")?;
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, key).map_err(|e| e.to_string())
    }
}

/// The `alg` of a JWT header, read without trusting anything else in the token. A header that
/// names extensions the receiver must understand (`crit`, RFC 7515 §4.1.11) is refused: the
/// gateway understands none.
fn header_alg(token: &str) -> Result<String, TokenError> {
    let header = token.split('.').next().ok_or(TokenError::Malformed)?;
    let bytes = base64url_decode(header).ok_or(TokenError::Malformed)?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
    if value.get("crit").is_some() {
        return Err(TokenError::Malformed);
    }
    value
        .get("alg")
        .and_then(|a| a.as_str())
        .map(str::to_string)
        .ok_or(TokenError::Malformed)
}

/// The credential of an `Authorization: Bearer …` header; the scheme is case-insensitive
/// (RFC 9110 §11.1).
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, credential) = value.split_once(' ')?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credential.is_empty()).then_some(credential)
}

pub fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
