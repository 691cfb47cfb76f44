//! Client-side rules from the providers' docs, and the normal form of each kind of value.

use crate::field::{FieldKind, FieldSpec};
use crate::json::Json;
use crate::substring::Trim;
use crate::values::FormValues;

/// Why a value was refused in the browser. The widget turns it into localised text; the gateway
/// into English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Required,
    Email,
    Uuid,
    Url,
    JsonObject,
    JsonList,
    TooLong(usize),
    NotAChoice,
    /// A provider-specific rule; the value is the message key.
    Custom(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub rule: Rule,
}

impl Rule {
    /// Plain English, for the gateway's replies and for logs.
    pub fn english(self) -> String {
        match self {
            Rule::Required => "This field is required.".into(),
            Rule::Email => "Enter a valid email address.".into(),
            Rule::Uuid => "Enter a UUID such as 3f2b8c1e-8a4d-4e0b-9c57-2d9f0e6a1b7c.".into(),
            Rule::Url => "Enter a full URL starting with http:// or https://.".into(),
            Rule::JsonObject => "Enter a JSON object, such as {\"plan\": \"pro\"}.".into(),
            Rule::JsonList => {
                "Enter a JSON list of objects, such as [{\"email\": \"a@b.co\"}].".into()
            }
            Rule::TooLong(max) => format!("Use at most {max} characters."),
            Rule::NotAChoice => "Choose one of the offered values.".into(),
            Rule::Custom(key) => key.into(),
        }
    }
}

/// A value in the form the provider receives it; diffs compare these, not raw text, so that
/// reformatting JSON or adding a space does not count as a change.
#[derive(Clone, Debug)]
pub enum Normal {
    Empty,
    Text(String),
    List(Vec<String>),
    Object(Json),
    /// Unparseable text (JSON fields); validation reports it.
    Broken(String),
}

impl PartialEq for Normal {
    /// As derived, but one function: the derived one was in the package twice (446 B), copied
    /// for the callers that compare with an empty value.
    #[inline(never)]
    fn eq(&self, other: &Normal) -> bool {
        match (self, other) {
            (Normal::Empty, Normal::Empty) => true,
            (Normal::Text(a), Normal::Text(b)) | (Normal::Broken(a), Normal::Broken(b)) => a == b,
            (Normal::List(a), Normal::List(b)) => a == b,
            (Normal::Object(a), Normal::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl Normal {
    /// The JSON a provider receives for this value; `Empty` becomes `null` (cleared).
    pub fn to_json(&self) -> Json {
        match self {
            Normal::Empty => Json::Null,
            Normal::Text(s) | Normal::Broken(s) => Json::str(s.clone()),
            Normal::List(items) => {
                Json::Array(items.iter().map(|s| Json::str(s.clone())).collect())
            }
            Normal::Object(value) => value.clone(),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Normal::Empty)
    }
}

/// The tags a tags text holds, in order, each once, blanks dropped: what a tags field saves
/// (and the chips the widget draws from it).
pub fn tags(raw: &str) -> Vec<&str> {
    let mut tags: Vec<&str> = Vec::new();
    for tag in crate::substring::split(raw, b',')
        .map(str::trimmed)
        .filter(|t| !t.is_empty())
    {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// Whether two texts of a field of `kind` hold the same value. Callers compare through this,
/// or with `==`, never `!=`: `Normal`'s derived `ne` was a second function beside `eq`, with
/// a second drop of both values (README, Size).
#[inline(never)]
pub fn same(kind: FieldKind, a: &str, b: &str) -> bool {
    normalize(kind, a) == normalize(kind, b)
}

pub fn normalize(kind: FieldKind, raw: &str) -> Normal {
    match kind {
        // A password is taken as typed: spaces may be part of it.
        FieldKind::Password if raw.is_empty() => Normal::Empty,
        FieldKind::Password => Normal::Text(raw.to_string()),
        FieldKind::Tags => {
            let mut list = Vec::new();
            for tag in tags(raw) {
                list.push(tag.to_string());
            }
            if list.is_empty() {
                Normal::Empty
            } else {
                Normal::List(list)
            }
        }
        // A web address typed without its scheme (`blueharbour.test`), as people type them.
        FieldKind::Url | FieldKind::Website => {
            let text = raw.trimmed();
            if text.is_empty() {
                Normal::Empty
            } else if has_scheme(text) {
                // Any scheme is left as typed: one that is not http(s) (`javascript:`,
                // `mailto:`) is then refused, not hidden behind an `https://` (the gateway
                // checks what it forwards this way too, and forwards it as sent).
                Normal::Text(text.to_string())
            } else {
                Normal::Text(crate::substring::concat(&["https://", text]))
            }
        }
        FieldKind::JsonObject | FieldKind::JsonList => {
            let text = raw.trimmed();
            if text.is_empty() {
                return Normal::Empty;
            }
            match (kind, Json::parse(text)) {
                (FieldKind::JsonObject, Ok(value @ Json::Object(_))) => Normal::Object(value),
                (FieldKind::JsonList, Ok(Json::Array(items)))
                    if items.iter().all(Json::is_object) =>
                {
                    if items.is_empty() {
                        Normal::Empty
                    } else {
                        Normal::Object(Json::Array(items))
                    }
                }
                _ => Normal::Broken(text.to_string()),
            }
        }
        _ => {
            let text = raw.trimmed();
            if text.is_empty() {
                Normal::Empty
            } else {
                Normal::Text(text.to_string())
            }
        }
    }
}

/// The per-field rules every provider shares (required, format, length, choices).
pub fn check_field(spec: &FieldSpec, raw: &str) -> Option<Rule> {
    let normal = normalize(spec.kind, raw);
    let text = match &normal {
        Normal::Empty => return spec.required.then_some(Rule::Required),
        Normal::Broken(_) if spec.kind == FieldKind::JsonList => return Some(Rule::JsonList),
        // An object's rows: an empty or repeated key, or a value that is not JSON.
        Normal::Broken(_) | Normal::Object(_) if spec.kind == FieldKind::JsonObject => {
            return match crate::pairs::first_problem(raw) {
                Some(problem) => Some(Rule::Custom(problem.message_key())),
                None if matches!(normal, Normal::Broken(_)) => Some(Rule::JsonObject),
                None => None,
            };
        }
        Normal::Broken(_) => return Some(Rule::JsonObject),
        Normal::Text(text) => text.as_str(),
        Normal::List(_) | Normal::Object(_) => "",
    };
    if let Some(max) = spec.max_chars {
        if text.chars().count() > max {
            return Some(Rule::TooLong(max));
        }
    }
    match spec.kind {
        FieldKind::Email if !is_email(text) => Some(Rule::Email),
        FieldKind::Uuid if !is_uuid(text) => Some(Rule::Uuid),
        FieldKind::Url | FieldKind::Website if !is_http_url(text) => Some(Rule::Url),
        FieldKind::Choice(choices) if !choices.contains(&text) => Some(Rule::NotAChoice),
        _ => None,
    }
}

pub fn check_fields(fields: &[FieldSpec], values: &FormValues) -> Vec<Invalid> {
    // A loop, as the other collecting functions here: each adapter chain is code of its own.
    let mut invalid = Vec::new();
    for spec in fields {
        if let Some(rule) = check_field(spec, values.get(spec.name)) {
            invalid.push(Invalid {
                field: spec.name,
                rule,
            });
        }
    }
    invalid
}

/// A character an email's local part may hold unquoted (HTML's grammar, RFC 5322 `atext`):
/// a letter, a digit or one of ``.!#$%&'*+/=?^_`{|}~-``, which is printable ASCII but for
/// `"(),:;<>@[\]` (a match, not a search of a list: that links `memchr`, README, Size).
fn is_atext(b: u8) -> bool {
    b.is_ascii_graphic()
        && !matches!(
            b,
            b'"' | b'(' | b')' | b',' | b':' | b';' | b'<' | b'>' | b'@' | b'[' | b'\\' | b']'
        )
}

/// The HTML `type=email` grammar, plus a dot in the domain (every provider needs a routable address).
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = crate::substring::rsplit_once(text, b'@') else {
        return false;
    };
    let local_ok = !local.is_empty() && local.bytes().all(is_atext);
    let mut labels = 0;
    let domain_ok = crate::substring::split(domain, b'.').all(|label| {
        labels += 1;
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with("-")
            && !label.ends_with("-")
    }) && labels >= 2;
    local_ok && domain_ok && text.len() <= 254
}

/// 8-4-4-4-12 hexadecimal digits, any version.
pub fn is_uuid(text: &str) -> bool {
    let mut groups = 0;
    crate::substring::split(text, b'-').all(|group| {
        let length = [8, 4, 4, 4, 12].get(groups).copied();
        groups += 1;
        length == Some(group.len()) && group.bytes().all(|b| b.is_ascii_hexdigit())
    }) && groups == 5
}

/// Whether `text` starts with a URL scheme (`https:`, `javascript:`), not a host and its port
/// (`localhost:8080/a`, `example.com:81`).
fn has_scheme(text: &str) -> bool {
    // `None` before the first colon; after it, the count of digits read since.
    let mut port: Option<usize> = None;
    for b in text.bytes() {
        match port {
            None if b == b':' => port = Some(0),
            None if !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) => {
                return false
            }
            None => {}
            Some(n) if b.is_ascii_digit() => port = Some(n + 1),
            Some(n) => return n == 0 || !matches!(b, b'/' | b'?' | b'#'),
        }
    }
    matches!(port, Some(0))
}

pub fn is_http_url(text: &str) -> bool {
    crate::url::host(text).is_some_and(|h| crate::substring::find_byte(&h, b' ').is_none())
        && !text.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atext_is_letters_digits_and_the_listed_marks() {
        for b in 0..=255u8 {
            let listed = b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b);
            assert_eq!(is_atext(b), listed, "{b}");
        }
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "jane.doe+tag@example.com", "x_y@sub.example.org"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@", "a b@c.de", "a@-b.co", "a@b..co", "a@b.co.", "é@b.co",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("3f2b8c1e-8a4d-4e0b-9c57-2d9f0e6a1b7c"));
        assert!(is_uuid("3F2B8C1E-8A4D-4E0B-9C57-2D9F0E6A1B7C"));
        assert!(!is_uuid("3f2b8c1e8a4d4e0b9c572d9f0e6a1b7c"));
        assert!(!is_uuid("3f2b8c1e-8a4d-4e0b-9c57-2d9f0e6a1b7g"));
        for wrong_groups in [
            "3f2b8c1e-8a4d-4e0b-9c57-2d9f0e6a1b7c-1",
            "3f2b8c1e-8a4d-4e0b-9c572d9f0e6a1b7c",
            "3f2b8c1e8-a4d-4e0b-9c57-2d9f0e6a1b7c",
            "",
        ] {
            assert!(!is_uuid(wrong_groups), "{wrong_groups}");
        }
    }

    #[test]
    fn normal_forms() {
        assert_eq!(
            normalize(FieldKind::Text, "  Jane "),
            Normal::Text("Jane".into())
        );
        assert_eq!(normalize(FieldKind::Text, "   "), Normal::Empty);
        assert_eq!(
            normalize(FieldKind::Password, " a b "),
            Normal::Text(" a b ".into())
        );
        assert_eq!(
            normalize(FieldKind::Tags, "vip, new,,vip , b2b"),
            Normal::List(vec!["vip".into(), "new".into(), "b2b".into()])
        );
        assert_eq!(
            normalize(FieldKind::JsonObject, "{ \"a\" : 1 }"),
            normalize(FieldKind::JsonObject, "{\"a\":1}")
        );
        assert!(matches!(
            normalize(FieldKind::JsonObject, "[1]"),
            Normal::Broken(_)
        ));
    }

    #[test]
    fn a_website_without_a_scheme_gets_https() {
        assert_eq!(
            normalize(FieldKind::Website, " blueharbour.test "),
            Normal::Text("https://blueharbour.test".into())
        );
        assert_eq!(
            normalize(FieldKind::Website, "http://blueharbour.test/a"),
            Normal::Text("http://blueharbour.test/a".into())
        );
        assert_eq!(normalize(FieldKind::Website, "  "), Normal::Empty);
        let website = FieldSpec::new("website", "l", FieldKind::Website);
        assert_eq!(check_field(&website, "blueharbour.test"), None);
        assert_eq!(check_field(&website, "blue harbour"), Some(Rule::Url));
        assert_eq!(
            check_field(&website, "ftp://blueharbour.test"),
            Some(Rule::Url)
        );
        // Typing the scheme or leaving it out is no change.
        assert_eq!(
            normalize(FieldKind::Website, "blueharbour.test"),
            normalize(FieldKind::Website, "https://blueharbour.test")
        );
        // Another scheme is refused, not made https:// with the scheme for its user; a host
        // and its port are a host.
        for refused in ["javascript:alert(1)", "mailto:ref@example.com", "ftp:x"] {
            assert_eq!(check_field(&website, refused), Some(Rule::Url), "{refused}");
        }
        // Partnero's referral URL (`Url`) alike.
        for (kind, typed) in [
            (FieldKind::Website, "localhost:8080/a"),
            (FieldKind::Website, "example.com:81"),
            (FieldKind::Url, "example.com/ref"),
        ] {
            let sent = ["https://", typed].concat();
            assert_eq!(normalize(kind, typed), Normal::Text(sent), "{typed}");
        }
        let url = FieldSpec::new("options.referral_url", "l", FieldKind::Url);
        assert_eq!(check_field(&url, "example.com/ref"), None);
    }

    #[test]
    fn field_rules() {
        let email = FieldSpec::new("email", "l", FieldKind::Email).required();
        assert_eq!(check_field(&email, ""), Some(Rule::Required));
        assert_eq!(check_field(&email, "nope"), Some(Rule::Email));
        assert_eq!(check_field(&email, " ok@ex.com "), None);
        let short = FieldSpec::new("phone", "l", FieldKind::Tel).max(3);
        assert_eq!(check_field(&short, "1234"), Some(Rule::TooLong(3)));
        assert_eq!(check_field(&short, "éé"), None);
        let meta = FieldSpec::new("metadata", "l", FieldKind::JsonObject);
        assert_eq!(check_field(&meta, "{oops"), Some(Rule::JsonObject));
        assert_eq!(check_field(&meta, "\"text\""), Some(Rule::JsonObject));
        assert_eq!(check_field(&meta, "{\"a\":1}"), None);
        assert_eq!(
            check_field(&meta, "{\"a\":1,\"a\":2}"),
            Some(Rule::Custom("error.metadata.repeated_key"))
        );
        assert_eq!(
            check_field(&meta, "{\"\":1}"),
            Some(Rule::Custom("error.metadata.empty_key"))
        );
        assert_eq!(
            check_field(&meta, "{\n  \"a\": [1,\n}"),
            Some(Rule::Custom("error.metadata.bad_value"))
        );
        let status = FieldSpec::new("status", "l", FieldKind::Choice(&["active", "inactive"]));
        assert_eq!(check_field(&status, "gone"), Some(Rule::NotAChoice));
    }
}
