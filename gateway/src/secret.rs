//! Where a secret comes from: an environment variable or a file, never the config text itself.

use std::fmt;

use serde::Deserialize;

/// `{ env = "PROLIFI_SECRET_KEY" }` or `{ file = "/run/secrets/prolifi" }` in the config.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SecretSource {
    pub env: Option<String>,
    pub file: Option<String>,
}

/// A loaded secret. Its `Debug` never shows the value, so it cannot leak into a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` is this secret, in constant time (the digests are compared, so not even
    /// the length shows).
    pub fn matches(&self, given: &str) -> bool {
        use sha2::{Digest, Sha256};
        use subtle::ConstantTimeEq;
        let expected = Sha256::digest(self.0.as_bytes());
        let given = Sha256::digest(given.as_bytes());
        expected.ct_eq(&given).into()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.env, &self.file) {
            (Some(name), _) => write!(f, "env:{name}"),
            (None, Some(path)) => write!(f, "file:{path}"),
            (None, None) => f.write_str("nowhere"),
        }
    }
}

impl SecretSource {
    /// Reads the secret; the error names where it looked, never what it found.
    pub fn load(&self) -> Result<Secret, String> {
        let value = match (&self.env, &self.file) {
            (Some(name), None) => std::env::var(name)
                .map_err(|_| format!("environment variable {name} is not set"))?,
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read secret file {path}: {e}"))?,
            _ => return Err("a secret needs exactly one of `env` or `file`".into()),
        };
        let value = value.trim().to_string();
        if value.is_empty() {
            return Err(format!("the secret from {self:?} is empty"));
        }
        Ok(Secret(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_matches_only_itself() {
        let secret = Secret::new("0123456789abcdef0123456789abcdef");
        assert!(secret.matches("0123456789abcdef0123456789abcdef"));
        assert!(!secret.matches("0123456789abcdef0123456789abcde"));
        assert!(!secret.matches(""));
        assert_eq!(format!("{secret:?}"), "Secret(..)");
    }
}
