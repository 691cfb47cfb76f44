//! A small JSON value with a parser and a compact writer.
//!
//! Why not serde_json: the widget ships under a gzip budget and only needs to read replies and
//! write request bodies. Keeping numbers as their source text also means metadata round-trips
//! byte for byte (no float re-formatting), and object keys keep the order the person typed.
//! The parser never panics and bounds its nesting depth, so hostile replies cannot crash or
//! overflow the stack of the widget or the gateway.

/// Deeper documents are refused rather than risking the stack (replies we read are shallow).
const MAX_DEPTH: usize = 128;

#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number exactly as written (already checked against the JSON grammar).
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in source order; on duplicate keys the last one wins in [`Json::get`].
    Object(Vec<(String, Json)>),
}

/// Where a text stopped being JSON. Only where: every caller takes a failure as "not JSON"
/// whatever its reason, and the reasons' texts cost the widget 0.1 kB (gzip).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
}

/// `count` members between `open` and `close`, one per line and indented, each written by
/// `write(index, out)`: how the form writes a value a person edits as rows (Count's contacts,
/// metadata), so the text and the rows line up.
pub fn one_per_line(
    open: char,
    close: char,
    count: usize,
    write: &dyn Fn(usize, &mut String),
) -> String {
    let mut out = String::new();
    out.push(open);
    out.push('\n');
    for i in 0..count {
        out.push_str("  ");
        write(i, &mut out);
        out.push_str(if i + 1 < count { ",\n" } else { "\n" });
    }
    out.push(close);
    out
}

impl Json {
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            text,
            pos: 0,
        };
        parser.skip_ws();
        let value = parser.value(0)?;
        parser.skip_ws();
        if parser.pos != parser.bytes.len() {
            return Err(parser.error("trailing characters"));
        }
        Ok(value)
    }

    pub fn str(value: impl Into<String>) -> Json {
        Json::String(value.into())
    }

    /// A loop, not `collect`: this is instantiated for every caller's iterator (some twenty in
    /// the widget), and a collected `Vec` costs several times the code of a push (README, Size).
    pub fn object<K: Into<String>>(members: impl IntoIterator<Item = (K, Json)>) -> Json {
        let mut object = Vec::new();
        for (key, value) in members {
            object.push((key.into(), value));
        }
        Json::Object(object)
    }

    /// A member of an object (the last one when a key repeats); `None` for non-objects.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a dotted path through nested objects: `"billingAddress.city"`.
    pub fn pointer(&self, dotted: &str) -> Option<&Json> {
        crate::substring::split(dotted, b'.').try_fold(self, |node, key| node.get(key))
    }

    /// The string at a dotted path, owned; `None` when absent or not a string.
    pub fn string_at(&self, dotted: &str) -> Option<String> {
        self.pointer(dotted)
            .and_then(Json::as_str)
            .map(str::to_string)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    /// Text of a scalar as a person would type it back into a form: strings as they are,
    /// numbers and booleans as written, `null` as empty.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Json::Null => Some(String::new()),
            Json::Bool(b) => Some(if *b { "true" } else { "false" }.to_string()),
            Json::Number(n) => Some(n.clone()),
            Json::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// Sets (or replaces) a member; turns `self` into an object if it was not one.
    pub fn insert(&mut self, key: impl Into<String>, value: Json) {
        let key = key.into();
        if !self.is_object() {
            *self = Json::Object(Vec::new());
        }
        if let Json::Object(members) = self {
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => members.push((key, value)),
            }
        }
    }

    /// Sets a member at a dotted path (`partner.key`), creating the objects on the way.
    pub fn set_path(&mut self, dotted: &str, value: Json) {
        match crate::substring::split_once_byte(dotted, b'.') {
            None => self.insert(dotted, value),
            Some((head, rest)) => {
                if !self.get(head).is_some_and(Json::is_object) {
                    self.insert(head, Json::Object(Vec::new()));
                }
                if let Json::Object(members) = self {
                    if let Some((_, child)) = members.iter_mut().rev().find(|(k, _)| k == head) {
                        child.set_path(rest, value);
                    }
                }
            }
        }
    }

    pub fn is_empty_object(&self) -> bool {
        matches!(self, Json::Object(members) if members.is_empty())
    }

    /// Compact serialisation, byte-identical to `JSON.stringify` for the same value.
    pub fn to_json_string(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => write_string(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            // Below 0x20: `\u00` and two lowercase hex digits, as `JSON.stringify` writes them.
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let code = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[code >> 4]));
                out.push(char::from(HEX[code & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    /// `_why`: what went wrong, said at each place for its reader and not kept (`JsonError`).
    fn error(&self, _why: &'static str) -> JsonError {
        JsonError { offset: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_word(&mut self, word: &'static str, value: Json) -> Result<Json, JsonError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        match self.peek() {
            None => Err(self.error("unexpected end")),
            Some(b'n') => self.expect_word("null", Json::Null),
            Some(b't') => self.expect_word("true", Json::Bool(true)),
            Some(b'f') => self.expect_word("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected , or ]")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected :"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error("expected , or }")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Json::Number(
            crate::substring::slice(self.text, start, self.pos).to_string(),
        ))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let hex = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let mut code = 0u32;
        for &h in hex {
            let digit = (h as char)
                .to_digit(16)
                .ok_or_else(|| self.error("bad \\u escape"))?;
            code = code * 16 + digit;
        }
        self.pos += 4;
        Ok(code)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The run stops only at ASCII bytes, so it ends on a char boundary.
            out.push_str(crate::substring::slice(self.text, run_start, self.pos));
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("bad escape")),
                    }
                }
                Some(_) => return Err(self.error("control character in string")),
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Err(self.error("lone surrogate"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("lone surrogate"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("lone surrogate"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_a_reply_verbatim() {
        let text = r#"{"data":{"id":"a","n":-1.50e+3,"ok":true,"none":null,"tags":[{"value":"new"}],"s":"é\"\\"}}"#;
        let value = Json::parse(text).unwrap();
        assert_eq!(value.to_json_string(), text);
        assert_eq!(
            value.pointer("data.n"),
            Some(&Json::Number("-1.50e+3".into()))
        );
    }

    #[test]
    fn escapes_like_json_stringify() {
        let value = Json::str("a\u{1}b\n\u{2028}/");
        assert_eq!(value.to_json_string(), "\"a\\u0001b\\n\u{2028}/\"");
    }

    #[test]
    fn decodes_surrogate_pairs_and_refuses_lone_ones() {
        assert_eq!(Json::parse(r#""\ud83d\ude00""#).unwrap(), Json::str("😀"));
        assert!(Json::parse(r#""\ud83d""#).is_err());
        assert!(Json::parse(r#""\ude00""#).is_err());
    }

    #[test]
    fn rejects_what_the_grammar_rejects() {
        for bad in [
            "",
            "01",
            "1.",
            "-",
            "+1",
            "[1,]",
            "{\"a\" 1}",
            "{a:1}",
            "\"\t\"",
            "nul",
            "[",
            "{}x",
            "1e",
        ] {
            assert!(Json::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn bounds_nesting_depth() {
        let deep = "[".repeat(100_000);
        assert!(Json::parse(&deep).is_err());
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(Json::parse(&ok).is_ok());
    }

    #[test]
    fn sets_nested_paths() {
        let mut value = Json::object([("key", Json::str("c1"))]);
        value.set_path("partner.key", Json::str("ref_1"));
        value.set_path("partner.email", Json::str("p@x.co"));
        value.set_path("options.referral_url", Json::str("https://x.co"));
        assert_eq!(
            value.to_json_string(),
            r#"{"key":"c1","partner":{"key":"ref_1","email":"p@x.co"},"options":{"referral_url":"https://x.co"}}"#
        );
    }

    #[test]
    fn last_duplicate_key_wins() {
        let value = Json::parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(value.get("a"), Some(&Json::Number("2".into())));
    }

    mod differential {
        use super::*;
        use proptest::prelude::*;

        fn to_serde(value: &Json) -> serde_json::Value {
            serde_json::from_str(&value.to_json_string()).unwrap()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever serde_json accepts, we accept, and we mean the same value.
            #[test]
            fn agrees_with_serde_json(text in "[\\[\\]{}\",:0-9a-z\\\\. \\-eE+ntrufl]{0,40}") {
                let ours = Json::parse(&text);
                let theirs: Result<serde_json::Value, _> = serde_json::from_str(&text);
                if let Ok(theirs) = theirs {
                    let ours = ours.expect("serde_json accepted it");
                    prop_assert_eq!(to_serde(&ours), theirs);
                }
            }

            #[test]
            fn strings_round_trip(s in any::<String>()) {
                let written = Json::str(s.clone()).to_json_string();
                prop_assert_eq!(&written, &serde_json::to_string(&s).unwrap());
                prop_assert_eq!(Json::parse(&written).unwrap(), Json::String(s));
            }
        }
    }
}
