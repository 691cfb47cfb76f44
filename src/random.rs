//! Random ids from the browser's CSPRNG (`crypto.getRandomValues`, which works in insecure
//! contexts too, unlike `crypto.randomUUID`, so an http:// dashboard still gets real randomness).

/// A version 4 UUID for `Idempotency-Key`, from the browser's CSPRNG.
pub fn uuid_v4() -> String {
    let bytes = crate::browser::random_bytes();
    let mut uuid = [0u8; 16];
    for (slot, byte) in uuid.iter_mut().zip(bytes) {
        *slot = byte;
    }
    format_uuid_v4(uuid)
}

pub fn format_uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_a_version_4_uuid() {
        let id = super::format_uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert!(providers::validate::is_uuid(&id));
    }
}
