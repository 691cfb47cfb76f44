//! The one-time link that lets an operator connect a Count workspace from a browser.
//!
//! `/count/oauth/start` starts a connection that every Count request will then run on. Left
//! open to anyone, whoever reaches a gateway before its operator could connect a workspace of
//! their own and receive every customer the forms save. So a start must carry either the admin
//! key as Bearer (curl, then open the `Location`) or a ticket that `gateway count-connect-link`
//! prints on the gateway's host: `<expires>.<nonce>.<mac>`, an HMAC over the first two made with
//! a key derived from Count's `client_secret`, which every gateway configured for Count already
//! holds. A ticket is good for ten minutes and for one start (the store remembers it spent,
//! across replicas).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::count_oauth::{CALLBACK_PATH, START_PATH};
use super::count_signing::hex;
use crate::config::Config;
use crate::secret::Secret;

/// How long a printed link can be used (Count's authorization codes live as long).
pub const TICKET_LIFETIME_SECS: u64 = 600;

/// Why a ticket was not accepted. The route answers all of them alike.
#[derive(Debug, PartialEq, Eq)]
pub enum TicketRefused {
    Malformed,
    Forged,
    Expired,
}

/// The key tickets are signed with: Count's client secret is also what signs every request to
/// Count, so the tickets get a key of their own derived from it.
fn ticket_key(client_secret: &Secret) -> Option<Hmac<Sha256>> {
    let mut derive = Hmac::<Sha256>::new_from_slice(client_secret.expose().as_bytes()).ok()?;
    derive.update(b"customer-form gateway: Count connect tickets, v1");
    Hmac::<Sha256>::new_from_slice(&derive.finalize().into_bytes()).ok()
}

fn mac_of(client_secret: &Secret, signed: &str) -> Option<Hmac<Sha256>> {
    let mut mac = ticket_key(client_secret)?;
    mac.update(signed.as_bytes());
    Some(mac)
}

/// A ticket good until `now_secs + TICKET_LIFETIME_SECS`; `None` without randomness.
pub fn issue(client_secret: &Secret, now_secs: u64) -> Option<String> {
    let mut nonce = [0u8; 16];
    getrandom::getrandom(&mut nonce).ok()?;
    let signed = format!("{}.{}", now_secs + TICKET_LIFETIME_SECS, hex(&nonce));
    let mac = mac_of(client_secret, &signed)?.finalize().into_bytes();
    Some(format!("{signed}.{}", hex(&mac)))
}

/// Checks a ticket's signature (in constant time) and its expiry; answers when it expires.
pub fn verify(client_secret: &Secret, ticket: &str, now_secs: u64) -> Result<u64, TicketRefused> {
    let (signed, mac) = ticket.rsplit_once('.').ok_or(TicketRefused::Malformed)?;
    let (expires, _nonce) = signed.split_once('.').ok_or(TicketRefused::Malformed)?;
    let expires: u64 = expires.parse().map_err(|_| TicketRefused::Malformed)?;
    let mac = unhex(mac).ok_or(TicketRefused::Malformed)?;
    mac_of(client_secret, signed)
        .ok_or(TicketRefused::Forged)?
        .verify_slice(&mac)
        .map_err(|_| TicketRefused::Forged)?;
    if expires <= now_secs {
        return Err(TicketRefused::Expired);
    }
    Ok(expires)
}

/// What `gateway count-connect-link` prints: the start route beside the configured
/// `redirect_uri` (the gateway's own callback), with a fresh ticket.
pub fn connect_link(config: &Config, now_secs: u64) -> Result<String, String> {
    let count = config
        .providers
        .get("count")
        .ok_or("the config has no [providers.count]")?;
    let secret = count
        .client_secret
        .as_ref()
        .ok_or("[providers.count] needs client_secret (it signs the link)")?
        .load()?;
    let callback = count
        .redirect_uri
        .as_deref()
        .ok_or("[providers.count] needs redirect_uri")?;
    let gateway = callback
        .strip_suffix(CALLBACK_PATH)
        .ok_or_else(|| format!("[providers.count] redirect_uri does not end in {CALLBACK_PATH}"))?;
    let ticket = issue(&secret, now_secs).ok_or("no randomness available for the ticket")?;
    Ok(format!("{gateway}{START_PATH}?ticket={ticket}"))
}

/// The key under which the store remembers a ticket as spent: its hash, namespaced apart from
/// the OAuth states (which are bare hex digests).
pub fn spent_key(ticket: &str) -> String {
    format!("ticket:{}", hex(&Sha256::digest(ticket.as_bytes())))
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new("count-client-secret")
    }

    #[test]
    fn an_issued_ticket_verifies_until_it_expires() {
        let ticket = issue(&secret(), 1_000).unwrap();
        assert_eq!(verify(&secret(), &ticket, 1_000), Ok(1_600));
        assert_eq!(verify(&secret(), &ticket, 1_599), Ok(1_600));
        assert_eq!(
            verify(&secret(), &ticket, 1_600),
            Err(TicketRefused::Expired)
        );
    }

    #[test]
    fn two_tickets_differ() {
        assert_ne!(issue(&secret(), 1_000), issue(&secret(), 1_000));
    }

    #[test]
    fn a_ticket_with_a_moved_expiry_or_another_key_is_forged() {
        let ticket = issue(&secret(), 1_000).unwrap();
        let later = ticket.replacen("1600.", "9999999999.", 1);
        assert_eq!(verify(&secret(), &later, 1_000), Err(TicketRefused::Forged));
        assert_eq!(
            verify(&Secret::new("another secret"), &ticket, 1_000),
            Err(TicketRefused::Forged)
        );
        // A ticket signed with the client secret itself, not the key derived from it.
        let signed = "1600.00112233445566778899aabbccddeeff";
        let mut raw = Hmac::<Sha256>::new_from_slice(b"count-client-secret").unwrap();
        raw.update(signed.as_bytes());
        let raw = format!("{signed}.{}", hex(&raw.finalize().into_bytes()));
        assert_eq!(verify(&secret(), &raw, 1_000), Err(TicketRefused::Forged));
    }

    #[test]
    fn text_that_is_no_ticket_is_refused_without_panicking() {
        for text in [
            "",
            ".",
            "..",
            "1600",
            "x.y.z",
            "1600.ab.zz",
            "1600.ab.abc",
            "1600.ab.é1",
            "99999999999999999999999.ab.00",
        ] {
            assert_eq!(
                verify(&secret(), text, 1_000),
                Err(TicketRefused::Malformed),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_spent_key_is_apart_from_any_state_hash() {
        let ticket = issue(&secret(), 1_000).unwrap();
        assert!(spent_key(&ticket).starts_with("ticket:"));
        assert_eq!(spent_key(&ticket), spent_key(&ticket));
    }
}
