//! A JSON object's text as an ordered list of (key, raw value) rows: what the metadata editor
//! shows and writes back.
//!
//! The rows keep what a plain object parse would hide (empty and repeated keys, in the order
//! typed), so the editor can point at the row to fix. The editor writes one member per line;
//! reading that layout back also works while one value is not valid JSON yet (a person halfway
//! through typing `[1, 2]` in a cell), so that row can be flagged instead of all rows vanishing.

use crate::json::Json;
use crate::substring::Trim;
use crate::text_key;

/// One member: its key and its value's JSON text (possibly invalid, see the module note).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub key: String,
    pub raw: String,
}

/// What is wrong with one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowProblem {
    EmptyKey,
    /// The key of an earlier row.
    RepeatedKey,
    /// The value is not JSON.
    BadValue,
}

impl RowProblem {
    /// The message key; the same words beside the row and in the field's error.
    pub fn message_key(self) -> &'static str {
        match self {
            RowProblem::EmptyKey => text_key!("error.metadata.empty_key"),
            RowProblem::RepeatedKey => text_key!("error.metadata.repeated_key"),
            RowProblem::BadValue => text_key!("error.metadata.bad_value"),
        }
    }
}

impl Pair {
    /// The value as a person edits it: `Ok(text)` for a string (plain text), `Err(json)` for
    /// anything else (a number, an object, a list, or text that is not JSON yet).
    pub fn cell(&self) -> Result<String, &str> {
        match Json::parse(&self.raw) {
            Ok(Json::String(text)) => Ok(text),
            _ => Err(&self.raw),
        }
    }

    /// A row whose value is plain text.
    pub fn text(key: &str, text: &str) -> Pair {
        Pair {
            key: key.to_string(),
            raw: Json::str(text).to_json_string(),
        }
    }
}

/// The rows of an object's text; an empty text has none. `None` when the text is neither a JSON
/// object nor the editor's own one-member-per-line layout (the person must fix it first).
pub fn parse_pairs(text: &str) -> Option<Vec<Pair>> {
    let text = text.trimmed();
    if text.is_empty() {
        return Some(Vec::new());
    }
    match Json::parse(text) {
        Ok(Json::Object(members)) => {
            let mut pairs = Vec::with_capacity(members.len());
            for (key, value) in members {
                let raw = value.to_json_string();
                pairs.push(Pair { key, raw });
            }
            Some(pairs)
        }
        Ok(_) => None,
        Err(_) => parse_lines(text),
    }
}

/// The editor's layout, `{`, one `"key": value,` per line, `}`, with values taken as written.
///
/// Loops rather than iterator adapters collected into an `Option`: those cost the package
/// about 2 kB raw here (README, Size).
fn parse_lines(text: &str) -> Option<Vec<Pair>> {
    let lines: Vec<&str> = crate::substring::lines(text)
        .map(str::trimmed)
        .filter(|l| !l.is_empty())
        .collect();
    let [first, members @ .., last] = lines.as_slice() else {
        return None;
    };
    if *first != "{" || *last != "}" {
        return None;
    }
    let mut pairs = Vec::with_capacity(members.len());
    for line in members {
        let end = string_end(line)?;
        let key = Json::parse(crate::substring::slice(line, 0, end))
            .ok()?
            .as_str()?
            .to_string();
        let rest = crate::substring::slice_from(line, end)
            .trimmed_start()
            .strip_prefix(":")?
            .trimmed();
        let raw = rest.strip_suffix(",").unwrap_or(rest).trimmed_end();
        pairs.push(Pair {
            key,
            raw: raw.to_string(),
        });
    }
    Some(pairs)
}

/// The byte just past the JSON string literal that opens `line`.
fn string_end(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The rows as the object's text, one member per line (empty rows give `{}`).
pub fn write_pairs(pairs: &[Pair]) -> String {
    if pairs.is_empty() {
        return "{}".to_string();
    }
    crate::json::one_per_line('{', '}', pairs.len(), &|i, out| {
        out.push_str(&Json::str(pairs[i].key.as_str()).to_json_string());
        out.push_str(": ");
        out.push_str(&pairs[i].raw);
    })
}

/// What is wrong with each row, in order.
pub fn row_problems(pairs: &[Pair]) -> Vec<Option<RowProblem>> {
    pairs
        .iter()
        .enumerate()
        .map(|(i, pair)| {
            if pair.key.is_empty() {
                Some(RowProblem::EmptyKey)
            } else if pairs[..i].iter().any(|p| p.key == pair.key) {
                Some(RowProblem::RepeatedKey)
            } else if Json::parse(&pair.raw).is_err() {
                Some(RowProblem::BadValue)
            } else {
                None
            }
        })
        .collect()
}

/// The first problem of an object's text, for the field's own error; `None` when its rows are
/// fine or it cannot be read as rows at all (the JSON rule covers that).
pub fn first_problem(text: &str) -> Option<RowProblem> {
    let pairs = parse_pairs(text)?;
    row_problems(&pairs).into_iter().flatten().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(key: &str, raw: &str) -> Pair {
        Pair {
            key: key.into(),
            raw: raw.into(),
        }
    }

    #[test]
    fn an_object_reads_as_rows_in_order_with_repeats_and_empty_keys() {
        let rows = parse_pairs(r#"{"plan":"pro","seats":5,"":1,"plan":{"a":[1,true,null]}}"#);
        assert_eq!(
            rows,
            Some(vec![
                pair("plan", r#""pro""#),
                pair("seats", "5"),
                pair("", "1"),
                pair("plan", r#"{"a":[1,true,null]}"#),
            ])
        );
    }

    #[test]
    fn empty_text_has_no_rows_and_other_json_or_garbage_none() {
        assert_eq!(parse_pairs("  "), Some(vec![]));
        assert_eq!(parse_pairs("{}"), Some(vec![]));
        assert_eq!(parse_pairs("[1]"), None);
        assert_eq!(parse_pairs("\"x\""), None);
        assert_eq!(parse_pairs("{\"a\": 1"), None);
        assert_eq!(parse_pairs("{oops}"), None);
        assert_eq!(parse_pairs("{\n  \"a\": [1,\n 2]\n"), None);
        assert_eq!(parse_pairs("{\n  \"a: 1\n}"), None);
        assert_eq!(parse_pairs("{\n  a: 1\n}"), None);
        // The layout needs its own opening and closing lines.
        assert_eq!(parse_pairs("{\n\n}"), Some(vec![]));
        assert_eq!(parse_pairs("{\n  \"a\": 1,"), None);
        assert_eq!(parse_pairs("\"a\": 1,\n}"), None);
    }

    #[test]
    fn rows_round_trip_through_the_written_text() {
        let rows = vec![
            pair("plan", r#""pro""#),
            pair("we\"ird\nkey", r#"[1,{"b":"c, d"}]"#),
            pair("plan", "5"),
            pair("", r#""""#),
        ];
        let text = write_pairs(&rows);
        assert_eq!(
            text,
            "{\n  \"plan\": \"pro\",\n  \"we\\\"ird\\nkey\": [1,{\"b\":\"c, d\"}],\n  \"plan\": 5,\n  \"\": \"\"\n}"
        );
        assert_eq!(parse_pairs(&text), Some(rows));
        assert_eq!(write_pairs(&[]), "{}");
    }

    #[test]
    fn a_value_that_is_not_json_yet_keeps_the_rows() {
        let rows = vec![pair("a", "[1, 2"), pair("b", r#""x""#), pair("c", "tru")];
        let text = write_pairs(&rows);
        assert!(Json::parse(&text).is_err());
        assert_eq!(parse_pairs(&text), Some(rows.clone()));
        assert_eq!(
            row_problems(&rows),
            vec![Some(RowProblem::BadValue), None, Some(RowProblem::BadValue)]
        );
    }

    #[test]
    fn problems_name_the_row() {
        let rows = vec![
            pair("a", "1"),
            pair("", "2"),
            pair("a", "3"),
            pair("b", "{"),
        ];
        assert_eq!(
            row_problems(&rows),
            vec![
                None,
                Some(RowProblem::EmptyKey),
                Some(RowProblem::RepeatedKey),
                Some(RowProblem::BadValue)
            ]
        );
        assert_eq!(
            first_problem(r#"{"a":1,"a":2}"#),
            Some(RowProblem::RepeatedKey)
        );
        assert_eq!(first_problem(r#"{"a":1}"#), None);
        assert_eq!(first_problem("not json"), None);
    }

    #[test]
    fn cells_are_text_for_strings_and_json_otherwise() {
        assert_eq!(pair("k", r#""pro""#).cell(), Ok("pro".to_string()));
        assert_eq!(pair("k", "5").cell(), Err("5"));
        assert_eq!(pair("k", "[1").cell(), Err("[1"));
        assert_eq!(Pair::text("k", "a\"b").raw, r#""a\"b""#);
    }
}
