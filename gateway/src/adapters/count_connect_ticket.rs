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
use sha2::Sha256;

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

/// What the browser that opened a ticket's link must bring back to the callback (a cookie), for
/// the flow's `state`: the Count login URL that link led to cannot then be finished in another
/// browser (someone who saw it signing in to a workspace of their own).
pub fn browser_binding(client_secret: &Secret, state: &str) -> Option<String> {
    let mac = mac_of(client_secret, &format!("browser:{state}"))?;
    Some(hex(&mac.finalize().into_bytes()))
}

/// Whether `cookie` is the binding of `state` (compared in constant time).
pub fn binds(client_secret: &Secret, state: &str, cookie: &str) -> bool {
    let (Some(mac), Some(given)) = (
        mac_of(client_secret, &format!("browser:{state}")),
        lower_hex(cookie, 64).then(|| unhex(cookie)).flatten(),
    ) else {
        return false;
    };
    mac.verify_slice(&given).is_ok()
}

/// A ticket good until `now_secs + TICKET_LIFETIME_SECS`; `None` without randomness.
pub fn issue(client_secret: &Secret, now_secs: u64) -> Option<String> {
    let mut nonce = [0u8; 16];
    getrandom::getrandom(&mut nonce).ok()?;
    let signed = format!("{}.{}", now_secs + TICKET_LIFETIME_SECS, hex(&nonce));
    let mac = mac_of(client_secret, &signed)?.finalize().into_bytes();
    Some(format!("{signed}.{}", hex(&mac)))
}

/// A ticket that verified.
#[derive(Debug, PartialEq, Eq)]
pub struct Ticket {
    /// Seconds since the epoch.
    pub expires: u64,
    /// Under which the store remembers it spent: its nonce, which names it whatever else the
    /// text carries, namespaced apart from the OAuth states (which are bare hex digests).
    pub spent_key: String,
}

/// Checks a ticket's form, its signature (in constant time) and its expiry. A ticket has one
/// spelling: decimal digits without a leading zero, then lower-case hex of the lengths `issue`
/// writes, so that a used one cannot pass again as different text.
pub fn verify(
    client_secret: &Secret,
    ticket: &str,
    now_secs: u64,
) -> Result<Ticket, TicketRefused> {
    let (signed, mac) = ticket.rsplit_once('.').ok_or(TicketRefused::Malformed)?;
    let (expires, nonce) = signed.split_once('.').ok_or(TicketRefused::Malformed)?;
    let digits = !expires.is_empty()
        && expires.len() <= 19
        && !expires.starts_with('0')
        && expires.bytes().all(|b| b.is_ascii_digit());
    if !digits || !lower_hex(nonce, 32) || !lower_hex(mac, 64) {
        return Err(TicketRefused::Malformed);
    }
    let expires: u64 = expires.parse().map_err(|_| TicketRefused::Malformed)?;
    let mac = unhex(mac).ok_or(TicketRefused::Malformed)?;
    mac_of(client_secret, signed)
        .ok_or(TicketRefused::Forged)?
        .verify_slice(&mac)
        .map_err(|_| TicketRefused::Forged)?;
    if expires <= now_secs {
        return Err(TicketRefused::Expired);
    }
    Ok(Ticket {
        expires,
        spent_key: format!("ticket:{nonce}"),
    })
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

fn lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn unhex(text: &str) -> Option<Vec<u8>> {
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
        assert_eq!(
            verify(&secret(), &ticket, 1_000).map(|t| t.expires),
            Ok(1_600)
        );
        assert_eq!(
            verify(&secret(), &ticket, 1_599).map(|t| t.expires),
            Ok(1_600)
        );
        assert_eq!(
            verify(&secret(), &ticket, 1_600),
            Err(TicketRefused::Expired)
        );
    }

    #[test]
    fn a_binding_is_for_its_state_and_key() {
        let binding = browser_binding(&secret(), "b1234").unwrap();
        assert!(binds(&secret(), "b1234", &binding));
        assert!(!binds(&secret(), "b1235", &binding));
        assert!(!binds(&Secret::new("another"), "b1234", &binding));
        assert!(!binds(&secret(), "b1234", &binding.to_uppercase()));
        assert!(!binds(&secret(), "b1234", ""));
        assert!(!binds(&secret(), "b1234", "é"));
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
        let ticket = verify(&secret(), &issue(&secret(), 1_000).unwrap(), 1_000).unwrap();
        assert!(ticket.spent_key.starts_with("ticket:"));
    }

    /// A ticket seen once used (a proxy's access log, the browser's history) must not be
    /// usable again in another spelling: the spent mark names the ticket, not its text.
    #[test]
    fn a_ticket_has_one_spelling() {
        let ticket = issue(&secret(), 1_000).unwrap();
        let (signed, mac) = ticket.rsplit_once('.').unwrap();
        let (expires, nonce) = signed.split_once('.').unwrap();
        for respelled in [
            format!("{signed}.{}", mac.to_uppercase()),
            format!("{expires}.{}.{mac}", nonce.to_uppercase()),
            format!("+{signed}.{mac}"),
            format!("0{signed}.{mac}"),
            format!("{signed}.+{}", &mac[1..]),
            format!("{signed}.{mac}00"),
        ] {
            assert!(verify(&secret(), &respelled, 1_000).is_err(), "{respelled}");
        }
        assert_eq!(
            verify(&secret(), &ticket, 1_000).unwrap().spent_key,
            verify(&secret(), &ticket, 1_500).unwrap().spent_key
        );
    }
}
