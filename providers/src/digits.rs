//! Unsigned decimal numbers read from text: a header, a JSON number, an attribute.
//!
//! Why not `str::parse`: it is instantiated once per integer type (`u16`, `u32`, `u64`,
//! `usize`), each a few hundred bytes of wasm, for the same job (README, Size). Same results as
//! `parse` (tested below against it): an optional `+`, then ASCII digits only, and `None` on
//! overflow.

pub fn parse_u64(text: &str) -> Option<u64> {
    let digits = text.strip_prefix("+").unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    let mut number: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        number = number.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(number)
}

pub fn parse_u32(text: &str) -> Option<u32> {
    parse_u64(text).and_then(|n| u32::try_from(n).ok())
}

pub fn parse_u16(text: &str) -> Option<u16> {
    parse_u64(text).and_then(|n| u16::try_from(n).ok())
}

pub fn parse_usize(text: &str) -> Option<usize> {
    parse_u64(text).and_then(|n| usize::try_from(n).ok())
}

/// `n` in decimal digits, as `n.to_string()` writes it (without core's formatter: see
/// `substring::concat`).
pub fn text(n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut text = String::new();
    for &digit in &digits[at..] {
        text.push(char::from(digit));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_parse_reads() {
        let texts = [
            "",
            "+",
            "-",
            "0",
            "+0",
            "-0",
            "00042",
            "7",
            " 7",
            "7 ",
            "1.5",
            "1e3",
            "++1",
            "+-1",
            "65535",
            "65536",
            "4294967295",
            "4294967296",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999",
            "٣",
            "12a",
            "a12",
        ];
        for text in texts {
            assert_eq!(parse_u64(text), text.parse::<u64>().ok(), "{text:?}");
            assert_eq!(parse_u32(text), text.parse::<u32>().ok(), "{text:?}");
            assert_eq!(parse_u16(text), text.parse::<u16>().ok(), "{text:?}");
            assert_eq!(parse_usize(text), text.parse::<usize>().ok(), "{text:?}");
        }
        for n in (0..70_000u64).chain([u64::MAX - 1, u64::MAX]) {
            let text = n.to_string();
            assert_eq!(parse_u64(&text), Some(n));
            assert_eq!(parse_u16(&text), text.parse::<u16>().ok());
        }
    }

    #[test]
    fn writes_what_to_string_writes() {
        for n in [0, 1, 9, 10, 99, 100, 12345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(text(n), n.to_string());
        }
    }
}
