//! Identifier and secret generators.

/// A random version-4 UUID, lower case (Prolifi ids, Count uuids).
pub fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `n` random bytes as lower-case hex (opaque tokens and codes).
pub fn random_hex(n_bytes: usize) -> String {
    let mut out = String::with_capacity(n_bytes * 2);
    while out.len() < n_bytes * 2 {
        for byte in uuid::Uuid::new_v4().as_bytes() {
            if out.len() < n_bytes * 2 {
                out.push_str(&format!("{byte:02x}"));
            }
        }
    }
    out
}

/// A Commerce Layer style resource id: ten ASCII letters, e.g. `XAyRWNUzyN`.
pub fn commercelayer_id() -> String {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uuid::Uuid::new_v4().as_bytes()[..10]
        .iter()
        .map(|b| LETTERS[(*b as usize) % LETTERS.len()] as char)
        .collect()
}

/// True for the canonical textual UUID form `8-4-4-4-12` hex digits (any version), which is
/// what Laravel's `uuid` rule and Count's path ids accept.
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}
