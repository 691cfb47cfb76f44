//! Text cut and searched without std's pattern machinery: the few substring searches the widget
//! makes (placeholders, tag suggestions, a scheme, an error's field), splits at an ASCII byte
//! (first, last, every one; `lines`), slicing, trimming (`Trim`, and of one ASCII byte), and
//! joining (`join`, `concat`), each by a plain byte or character walk.
//!
//! Why not `str::find`, `contains`, `replace` and `split_once` with a `&str` pattern: those link
//! core's Two-Way searcher, about 3.6 kB of wasm for strings a few dozen bytes long (README, Size).
//! Same results as the std methods (tested below against them).

/// `text[start..end]` without the panic path of `str` indexing, `""` for a range that is not
/// one (never asked for: every index here comes from a scan that stops at a boundary).
/// Indexing a `str` links core's slice-error message, which formats a `char` with `Debug`, and
/// with it Unicode's printable tables (README, Size).
pub fn slice(text: &str, start: usize, end: usize) -> &str {
    debug_assert!(
        text.get(start..end).is_some(),
        "{start}..{end} of {}",
        text.len()
    );
    text.get(start..end).unwrap_or_default()
}

/// `text[start..]`, as `slice` does.
pub fn slice_from(text: &str, start: usize) -> &str {
    debug_assert!(text.get(start..).is_some(), "{start}.. of {}", text.len());
    text.get(start..).unwrap_or_default()
}

/// The byte index of the first occurrence of `needle` in `haystack`. A match of a whole UTF-8
/// `needle` starts and ends on character boundaries, so the index can slice `haystack`.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// The text before and after the first `separator`.
pub fn split_once<'a>(text: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    let at = find(text, separator)?;
    Some((slice(text, 0, at), slice_from(text, at + separator.len())))
}

/// The text before and after the last `separator`, an ASCII character (any other byte never
/// matches: it could fall inside a character). Searching from the end with a `char` pattern
/// links core's reverse searcher and `memrchr`, for four callers (README, Size).
pub fn rsplit_once(text: &str, separator: u8) -> Option<(&str, &str)> {
    if !separator.is_ascii() {
        return None;
    }
    let at = text.bytes().rposition(|b| b == separator)?;
    Some((slice(text, 0, at), slice_from(text, at + 1)))
}

/// The text after the last `separator` (an ASCII character), or all of it when there is none:
/// what `text.rsplit(separator).next()` gives.
pub fn after_last(text: &str, separator: u8) -> &str {
    rsplit_once(text, separator).map_or(text, |(_, after)| after)
}

/// `str::trim`, `trim_start` and `trim_end` (the same Unicode whitespace, tested against them)
/// as `trimmed`, `trimmed_start` and `trimmed_end`: std's link core's generic pattern
/// searchers for `char::is_whitespace`; these walk the characters (README, Size).
pub trait Trim {
    fn trimmed(&self) -> &str;
    fn trimmed_start(&self) -> &str;
    fn trimmed_end(&self) -> &str;
}

impl Trim for str {
    fn trimmed(&self) -> &str {
        self.trimmed_start().trimmed_end()
    }

    fn trimmed_start(&self) -> &str {
        let mut chars = self.chars();
        loop {
            let rest = chars.as_str();
            match chars.next() {
                Some(c) if c.is_whitespace() => {}
                _ => return rest,
            }
        }
    }

    fn trimmed_end(&self) -> &str {
        let mut chars = self.chars();
        loop {
            let rest = chars.as_str();
            match chars.next_back() {
                Some(c) if c.is_whitespace() => {}
                _ => return rest,
            }
        }
    }
}

/// `text` without the `byte`s (an ASCII character) at its start: `trim_start_matches` with a
/// `char`, which links core's character searcher (README, Size).
pub fn trim_start_byte(text: &str, byte: u8) -> &str {
    if !byte.is_ascii() {
        return text;
    }
    let start = text.bytes().position(|b| b != byte).unwrap_or(text.len());
    slice_from(text, start)
}

/// `text` without the `byte`s (an ASCII character) at its end.
pub fn trim_end_byte(text: &str, byte: u8) -> &str {
    if !byte.is_ascii() {
        return text;
    }
    let end = text.bytes().rposition(|b| b != byte).map_or(0, |at| at + 1);
    slice(text, 0, end)
}

/// The parts one after the other, as `format!` with only text in it would write them. The
/// package formats nothing with `format!`, `to_string` on a number or `write!`: with none left,
/// core's formatting machinery (`fmt::write`, `Formatter::pad`, `pad_integral`, the `Display`
/// implementations and every call's argument tables) is not linked (README, Size).
pub fn concat(parts: &[&str]) -> String {
    join(parts, "")
}

/// `parts.join(separator)` by a push loop: std's `join` and `concat` on slices are one generic
/// copier each, for a dozen short lists (README, Size).
pub fn join<S: AsRef<str>>(parts: &[S], separator: &str) -> String {
    let mut joined = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            joined.push_str(separator);
        }
        joined.push_str(part.as_ref());
    }
    joined
}

/// The byte index of the first `byte`, an ASCII character. A `char` pattern (`str::find`,
/// `split`, `split_once`, `lines`) links core's character searcher, its `Split` and `memchr`:
/// every such search in the package is one of these instead (README, Size).
pub fn find_byte(text: &str, byte: u8) -> Option<usize> {
    if !byte.is_ascii() {
        return None;
    }
    text.bytes().position(|b| b == byte)
}

/// The text before and after the first `separator`, an ASCII character.
pub fn split_once_byte(text: &str, separator: u8) -> Option<(&str, &str)> {
    let at = find_byte(text, separator)?;
    Some((slice(text, 0, at), slice_from(text, at + 1)))
}

/// The pieces of `text` between each `separator` (an ASCII character), as `str::split` gives
/// them: empty ones too, and one (`text`) when there is no separator.
pub fn split(text: &str, separator: u8) -> Split<'_> {
    Split {
        rest: Some(text),
        separator,
    }
}

pub struct Split<'a> {
    rest: Option<&'a str>,
    separator: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once_byte(rest, self.separator) {
            Some((piece, after)) => {
                self.rest = Some(after);
                Some(piece)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// The lines of `text`, as `str::lines` gives them: split at `\n`, a `\r` before it dropped,
/// and no empty line after a last `\n` (nor in empty text).
pub fn lines(text: &str) -> Lines<'_> {
    Lines(Some(text))
}

pub struct Lines<'a>(Option<&'a str>);

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.0?;
        match split_once_byte(rest, b'\n') {
            Some((line, after)) => {
                self.0 = Some(after).filter(|after| !after.is_empty());
                Some(match line.as_bytes().last() {
                    Some(b'\r') => slice(line, 0, line.len() - 1),
                    _ => line,
                })
            }
            None => {
                self.0 = None;
                Some(rest).filter(|rest| !rest.is_empty())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXTS: [&str; 9] = [
        "",
        "a",
        "{tag}",
        "Remove {tag}, then {tag}",
        "https://blueharbour.test",
        "email - must be a valid email",
        "ünïcödé {name} ✓ {name}",
        "aaaa",
        "{{name}}",
    ];
    const NEEDLES: [&str; 9] = ["", "a", "aa", "{tag}", "://", " - ", "{name}", "✓", "ö"];

    #[test]
    fn finds_what_std_finds() {
        for text in TEXTS {
            for needle in NEEDLES {
                assert_eq!(find(text, needle), text.find(needle), "{text:?} {needle:?}");
                assert_eq!(contains(text, needle), text.contains(needle));
                assert_eq!(split_once(text, needle), text.split_once(needle));
            }
        }
    }

    #[test]
    fn splits_at_the_last_separator_as_std_does() {
        for text in TEXTS
            .iter()
            .chain(&["a@b@c", "@", "x/", "/y", "ö@ü", "a,b, c"])
        {
            for separator in [b'@', b'/', b',', b'{', b'a'] {
                let c = char::from(separator);
                assert_eq!(
                    rsplit_once(text, separator),
                    text.rsplit_once(c),
                    "{text:?}"
                );
                assert_eq!(Some(after_last(text, separator)), text.rsplit(c).next());
            }
            assert_eq!(rsplit_once(text, 0xC3), None);
        }
    }

    #[test]
    fn splits_at_a_byte_as_std_does_at_a_char() {
        let texts = ["", ",", "a,b", ",a,,b,", "ö,ü,", "a.b.c", "no separator"];
        for text in texts {
            for separator in [b',', b'.', b'?'] {
                let c = char::from(separator);
                assert_eq!(find_byte(text, separator), text.find(c), "{text:?}");
                assert_eq!(split_once_byte(text, separator), text.split_once(c));
                assert_eq!(
                    split(text, separator).collect::<Vec<_>>(),
                    text.split(c).collect::<Vec<_>>(),
                    "{text:?}"
                );
            }
            assert_eq!(find_byte(text, 0xC3), None);
        }
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "a\r",
            "\r\n",
            "a\n\nb\n\n",
            "ö\nü",
        ] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn trims_what_std_trims() {
        for text in [
            "",
            " ",
            "a",
            " a ",
            "\t\na b\r\n",
            "\u{a0}x\u{3000}",
            "\u{2028}ü\u{85}",
            "é",
            " é ",
            "x\u{200b}",
        ] {
            assert_eq!(text.trimmed(), text.trim(), "{text:?}");
            assert_eq!(text.trimmed_start(), text.trim_start(), "{text:?}");
            assert_eq!(text.trimmed_end(), text.trim_end(), "{text:?}");
        }
    }

    #[test]
    fn trims_bytes_as_std_trims_a_char() {
        for text in ["", "/", "//", "a/", "/a", "//a//", "ö/", "/ö", "a=="] {
            for byte in [b'/', b'='] {
                let c = char::from(byte);
                assert_eq!(
                    trim_start_byte(text, byte),
                    text.trim_start_matches(c),
                    "{text:?}"
                );
                assert_eq!(
                    trim_end_byte(text, byte),
                    text.trim_end_matches(c),
                    "{text:?}"
                );
            }
            assert_eq!(trim_end_byte(text, 0xB6), text);
        }
    }

    #[test]
    fn joins_as_std_joins() {
        for parts in [&[][..], &["a"], &["a", "b"], &["", "", "c"]] {
            for separator in ["", ", ", " "] {
                assert_eq!(join(parts, separator), parts.join(separator));
            }
        }
        assert_eq!(join(&[String::from("x"), String::from("y")], ","), "x,y");
    }
}
