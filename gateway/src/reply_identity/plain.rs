//! The usual reply, read by hand: a JSON object whose strings are plain ASCII (no escape, no
//! control character, no byte above 0x7F), whose numbers have no exponent, nested at most
//! `MAX_DEPTH` deep, with one `data` object whose identity member is a plain string. That is
//! what the providers send; for it this gives the identity the serde reader (`super::read`)
//! gives, for about half of its instructions (4.3k against 8.8k per forwarded read under
//! callgrind, README "Gateway speed"; serde_json spent ~290 instructions on each key).
//!
//! It never refuses a reply: at anything outside that subset (an escape, a non-ASCII byte, an
//! exponent, a second `data`, an identity that is not a plain string, deep nesting, broken JSON)
//! it answers `None` and the serde reader reads the reply from the start and decides. So on
//! the subset it only has to agree with serde_json's grammar, which there is plain JSON; the
//! tests compare both readers over generated replies.

/// Deeper than this, the serde reader decides.
const MAX_DEPTH: usize = 32;

/// `Some(identity)` when the reply is in the plain subset and has one; `None`: ask the serde
/// reader.
pub(super) fn identity(members: &[&str], body: &[u8]) -> Option<String> {
    let mut scan = Scan { body, at: 0 };
    scan.object_start()?;
    let mut found = None;
    loop {
        let key = scan.key()?;
        if key == b"data" {
            if found.is_some() {
                return None;
            }
            found = Some(scan.data(members)?);
        } else {
            scan.skip_value(1)?;
        }
        if scan.object_next()? {
            break;
        }
    }
    scan.whitespace();
    if scan.at != body.len() {
        return None;
    }
    let found = found?;
    Some(std::str::from_utf8(found).ok()?.to_owned())
}

struct Scan<'b> {
    body: &'b [u8],
    at: usize,
}

impl<'b> Scan<'b> {
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.body.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.body.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// `{` (an empty object then fails at its first key: left to the serde reader).
    fn object_start(&mut self) -> Option<()> {
        self.whitespace();
        self.eat(b'{')
    }

    /// A member's key and its colon.
    fn key(&mut self) -> Option<&'b [u8]> {
        self.whitespace();
        let key = self.string()?;
        self.whitespace();
        self.eat(b':')?;
        self.whitespace();
        Some(key)
    }

    /// After a member: `,` (false: another member follows) or `}` (true: the object ends).
    fn object_next(&mut self) -> Option<bool> {
        self.whitespace();
        match self.peek()? {
            b',' => {
                self.at += 1;
                Some(false)
            }
            b'}' => {
                self.at += 1;
                Some(true)
            }
            _ => None,
        }
    }

    /// A plain string's content (the quotes not included).
    fn string(&mut self) -> Option<&'b [u8]> {
        self.eat(b'"')?;
        let rest = self.body.get(self.at..)?;
        let length = plain_run(rest);
        if *rest.get(length)? != b'"' {
            return None;
        }
        self.at += length + 1;
        Some(&rest[..length])
    }

    /// The `data` object: the identity member's plain string value, ranked as the serde
    /// reader ranks members (`super::choose`).
    fn data(&mut self, members: &[&str]) -> Option<&'b [u8]> {
        self.object_start()?;
        let mut best = None;
        loop {
            let key = self.key()?;
            match members.iter().position(|m| m.as_bytes() == key) {
                Some(rank) => {
                    let value = self.string()?;
                    best = super::choose(best, rank, Some(value));
                }
                None => self.skip_value(2)?,
            }
            if self.object_next()? {
                break;
            }
        }
        best.and_then(|(_, value)| value)
    }

    /// Any value, at this depth (the reply's own object is 1).
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.at += 1;
                self.whitespace();
                if self.eat(b'}').is_some() {
                    return Some(());
                }
                loop {
                    self.key()?;
                    self.skip_value(depth + 1)?;
                    if self.object_next()? {
                        return Some(());
                    }
                }
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.at += 1;
                self.whitespace();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.whitespace();
                    self.skip_value(depth + 1)?;
                    self.whitespace();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.body.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`; an exponent is left to the serde reader.
    fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => {
                self.at += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return None;
                }
            }
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        match self.peek() {
            Some(b'e' | b'E') => None,
            _ => Some(()),
        }
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}

/// How many bytes at the start of `bytes` may stand in a plain string (printable ASCII other
/// than `"` and `\\`), eight bytes at a time (the usual bit tricks: in each mask below, the
/// lowest flagged byte is exactly the first byte it looks for; bytes above it may be flagged
/// falsely, which does not matter, as only the lowest flagged byte is used). Byte by byte this
/// was ~7 instructions a byte of the reply under callgrind.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    /// The first zero byte of `word`, flagged by its high bit.
    fn zero(word: u64) -> u64 {
        word.wrapping_sub(ONES) & !word & HIGHS
    }
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        // Little-endian: the string's first byte is the word's lowest.
        let word = u64::from_le_bytes(word);
        let stop = (word & HIGHS)
            // below 0x20 (bits 5 and 6 clear; those at 0x80 and above are flagged already)
            | zero(word & u64::from_le_bytes([0x60; 8]))
            | zero(word ^ u64::from_le_bytes([b'"'; 8]))
            | zero(word ^ u64::from_le_bytes([b'\\'; 8]));
        if stop != 0 {
            return at + (stop.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b))
        .unwrap_or(bytes.len() - at)
}

#[cfg(test)]
mod tests {
    use super::plain_run;

    /// Eight at a time stops where byte by byte stops: every byte value, at every place of a
    /// run long enough to take several words.
    #[test]
    fn a_plain_run_stops_at_the_first_stop() {
        let by_byte = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b))
                .unwrap_or(bytes.len())
        };
        for stop in 0..=255u8 {
            for place in 0..40 {
                for length in [place, place + 1, 40] {
                    let mut bytes = vec![b'a'; length];
                    if place < length {
                        bytes[place] = stop;
                    }
                    assert_eq!(
                        plain_run(&bytes),
                        by_byte(&bytes),
                        "{stop} {place} {length}"
                    );
                    // With a NUL, a high byte or a quote just before it (a borrow from a zero
                    // byte may flag the bytes above it falsely).
                    for before in [0x00, 0x80, 0xff, b'"'] {
                        if place > 0 && place < length {
                            let mut bytes = bytes.clone();
                            bytes[place - 1] = before;
                            assert_eq!(plain_run(&bytes), by_byte(&bytes), "{before} {stop}");
                        }
                    }
                }
            }
        }
    }
}
