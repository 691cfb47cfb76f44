//! When to try again after a failure that may clear by itself, and how long to wait. How many
//! times is the provider's to say (`Contract::retry_budget`).

use providers::ErrorKind;

/// A `Retry-After` longer than this is not waited out automatically: the person is told when
/// to try again instead.
pub const MAX_RETRY_AFTER_SECS: u32 = 30;

const BASE_DELAY_MS: f64 = 500.0;
const MAX_DELAY_MS: f64 = 8_000.0;

/// Whether a failure of this kind may be retried automatically at all.
pub fn retryable(kind: ErrorKind, retry_after_secs: Option<u32>) -> bool {
    kind.is_transient() && retry_after_secs.is_none_or(|secs| secs <= MAX_RETRY_AFTER_SECS)
}

/// Milliseconds to wait before attempt `attempt` (1 = the first retry): the provider's
/// `Retry-After` when it gave one, else exponential backoff with jitter (`random` in [0, 1)), so
/// that many forms failing together do not come back together.
pub fn delay_ms(attempt: u32, retry_after_secs: Option<u32>, random: f64) -> u32 {
    if let Some(secs) = retry_after_secs {
        return secs.min(MAX_RETRY_AFTER_SECS) * 1000;
    }
    // 2^exponent as a shift: `powi` links compiler-builtins' power routine for this alone.
    let exponent = attempt.saturating_sub(1).min(10);
    let ceiling = (BASE_DELAY_MS * f64::from(1u32 << exponent)).min(MAX_DELAY_MS);
    let random = random.clamp(0.0, 1.0);
    (ceiling / 2.0 + random * ceiling / 2.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_and_capped() {
        assert_eq!(delay_ms(1, Some(3), 0.9), 3000);
        assert_eq!(delay_ms(1, Some(0), 0.9), 0);
        assert!(!retryable(ErrorKind::RateLimited, Some(120)));
        assert!(retryable(ErrorKind::RateLimited, Some(5)));
        assert!(retryable(ErrorKind::RateLimited, None));
    }

    #[test]
    fn backoff_grows_with_jitter_within_bounds() {
        assert_eq!((delay_ms(1, None, 0.0), delay_ms(1, None, 1.0)), (250, 500));
        assert_eq!(
            (delay_ms(2, None, 0.0), delay_ms(2, None, 1.0)),
            (500, 1000)
        );
        assert_eq!((delay_ms(3, None, 0.5)), 1500);
        assert_eq!(delay_ms(30, None, 1.0), 8000);
    }

    #[test]
    fn only_transient_failures_are_retried() {
        for kind in [
            ErrorKind::Server,
            ErrorKind::Network,
            ErrorKind::Timeout,
            ErrorKind::RateLimited,
            ErrorKind::BadReply,
        ] {
            assert!(retryable(kind, None), "{kind:?}");
        }
        for kind in [
            ErrorKind::Validation,
            ErrorKind::NotFound,
            ErrorKind::Conflict,
            ErrorKind::Authentication,
            ErrorKind::BadRequest,
        ] {
            assert!(!retryable(kind, None), "{kind:?}");
        }
    }
}
