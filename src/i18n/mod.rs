//! Every text the widget shows, looked up by key in the active locale, with host overrides.
//!
//! Labels, hints and messages are keys (`field.email`, `alert.network`), so a locale or a host's
//! `strings` option can replace any of them without touching the components.
//!
//! English is built in (`en.rs`, the reference every other table translates key for key). The
//! other languages are JSON files beside the `.wasm` (`customer-form.de.json`: German with the
//! formal "Sie", French with "vous", Spanish with "usted"), fetched only by a page that asks for
//! them (`remote.rs`): an English page does not pay for them. A table that cannot be had leaves
//! the form in English.

mod en;
pub mod remote;

use providers::substring::Trim;
use std::cell::RefCell;
use std::rc::Rc;

use providers::{substring, Json};

/// The locales the widget ships. Unknown tags fall back to English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    En,
    De,
    Fr,
    Es,
}

/// The locales that are fetched on demand.
pub const FETCHED: [Locale; 3] = [Locale::De, Locale::Fr, Locale::Es];

impl Locale {
    /// Picks the best shipped locale for a BCP 47 tag (`de-CH` → German).
    ///
    /// Only the language subtag decides: each table is written to read well in every region, so
    /// `de-AT` and `es-419` get the same German and Spanish. Hosts pass `navigator.language` or
    /// their own settings, so case varies and `_` stands in for `-` often enough to accept it.
    pub fn negotiate(tag: &str) -> Locale {
        // Every shipped language's subtag has two letters: the tag's first two, then its end,
        // `-` or `_` (matched by bytes: `split` on two characters and a search of `FETCHED` cost
        // the package 151 B gzip more).
        let (first, second) = match tag.trimmed().as_bytes() {
            [first, second] | [first, second, b'-' | b'_', ..] => (*first, *second),
            _ => return Locale::En,
        };
        match [first.to_ascii_lowercase(), second.to_ascii_lowercase()] {
            [b'd', b'e'] => Locale::De,
            [b'f', b'r'] => Locale::Fr,
            [b'e', b's'] => Locale::Es,
            _ => Locale::En,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
        }
    }
}

/// A translated table: key and text, in the English table's order.
pub type Table = Rc<[(String, String)]>;

thread_local! {
    /// Tables fetched so far (every form on the page shares them).
    static TABLES: RefCell<Vec<(Locale, Table)>> = const { RefCell::new(Vec::new()) };
}

/// The table for `locale` if it has been fetched.
pub fn fetched(locale: Locale) -> Option<Table> {
    TABLES.with(|tables| {
        tables
            .borrow()
            .iter()
            .find(|(l, _)| *l == locale)
            .map(|(_, table)| table.clone())
    })
}

/// Keeps a fetched table for every form on the page.
pub fn remember(locale: Locale, table: Table) {
    TABLES.with(|tables| {
        let mut tables = tables.borrow_mut();
        tables.retain(|(l, _)| *l != locale);
        tables.push((locale, table));
    });
}

/// Reads a locale file: a JSON object of key → text. Only the keys English has are kept, so a
/// stale or hostile file can add nothing; `None` when it is not such an object.
pub fn parse_table(text: &str) -> Option<Table> {
    let Json::Object(members) = Json::parse(text).ok()? else {
        return None;
    };
    // Only the keys English has, with text.
    let mut table: Vec<(String, String)> = Vec::new();
    for (key, value) in members {
        if let Json::String(text) = value {
            if english(&key).is_some() {
                table.push((key, text));
            }
        }
    }
    Some(table.into())
}

fn english(key: &str) -> Option<&'static str> {
    en::entries().find(|(k, _)| *k == key).map(|(_, text)| text)
}

/// Formats an integer for a language tag (the browser's `Intl` in the widget).
pub type NumberFormat = fn(&str, u32) -> String;

#[derive(Clone, Debug)]
pub struct Catalog {
    /// The language the texts are in (English when the asked-for table is missing).
    locale: Locale,
    table: Option<Table>,
    overrides: Rc<[(String, String)]>,
    numbers: Option<NumberFormat>,
}

/// Two catalogs say the same things when language, table and overrides match.
impl PartialEq for Catalog {
    fn eq(&self, other: &Self) -> bool {
        self.locale == other.locale
            && match (&self.table, &other.table) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
            && self.overrides == other.overrides
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new(Locale::En, Vec::new())
    }
}

impl Catalog {
    /// The catalog for `locale` as far as it is available now: a locale whose table has not been
    /// fetched speaks English (see `remote::load`).
    pub fn new(locale: Locale, overrides: Vec<(String, String)>) -> Catalog {
        Catalog::with_table(locale, fetched(locale), overrides)
    }

    /// `table` translates into `locale`; without one the catalog speaks English.
    pub fn with_table(
        locale: Locale,
        table: Option<Table>,
        overrides: Vec<(String, String)>,
    ) -> Catalog {
        let table = table.filter(|_| locale != Locale::En);
        Catalog {
            locale: if table.is_some() { locale } else { Locale::En },
            table,
            overrides: overrides.into(),
            numbers: None,
        }
    }

    pub fn with_numbers(mut self, format: NumberFormat) -> Catalog {
        self.numbers = Some(format);
        self
    }

    /// An integer as the language writes it.
    pub fn number(&self, n: u32) -> String {
        match self.numbers {
            Some(format) => format(self.locale.tag(), n),
            None => providers::digits::text(u64::from(n)),
        }
    }

    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The text for `key`; the key itself when no table has it, so a missing string is visible
    /// rather than blank.
    pub fn t(&self, key: &str) -> String {
        if let Some((_, text)) = self.overrides.iter().find(|(k, _)| k == key) {
            return text.clone();
        }
        let translated = self
            .table
            .as_ref()
            .and_then(|table| table.iter().find(|(k, _)| k == key))
            .map(|(_, text)| text.as_str());
        translated
            .or_else(|| english(key))
            .unwrap_or(key)
            .to_string()
    }

    /// `t` with `{name}` placeholders filled in.
    pub fn t_with(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(&self.t(key), args)
    }
}

/// `text` with each `{name}` of `args` replaced by its value, in one pass: a value is not read
/// again, so a provider's message that contains `{fields}` stays as it was written.
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = substring::find(rest, "{") {
        out.push_str(substring::slice(rest, 0, open));
        let after = substring::slice_from(rest, open + 1);
        let value = substring::find(after, "}").and_then(|close| {
            let name = substring::slice(after, 0, close);
            let (_, value) = args.iter().find(|(n, _)| *n == name)?;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = substring::slice_from(after, close + 1);
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const TRANSLATED: [Locale; 3] = FETCHED;

    /// The shipped files, read as the widget reads them.
    fn table(locale: Locale) -> Table {
        let text = match locale {
            Locale::De => include_str!("customer-form.de.json"),
            Locale::Fr => include_str!("customer-form.fr.json"),
            Locale::Es => include_str!("customer-form.es.json"),
            Locale::En => unreachable!("English is built in"),
        };
        parse_table(text).expect("a locale file is a JSON object of strings")
    }

    fn catalog(locale: Locale, overrides: Vec<(String, String)>) -> Catalog {
        Catalog::with_table(locale, Some(table(locale)), overrides)
    }

    /// The `{name}` placeholders of a text; JSON examples such as `{"plan": "pro"}` are not
    /// placeholders, so only lowercase names count.
    fn placeholders(text: &str) -> BTreeSet<&str> {
        let mut names = BTreeSet::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            rest = &rest[start + 1..];
            if let Some(end) = rest.find('}') {
                let name = &rest[..end];
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    names.insert(name);
                }
            }
        }
        names
    }

    #[test]
    fn placeholders_are_filled_once_and_others_kept() {
        let args = [("provider", "Count"), ("message", "bad {provider} {x")];
        assert_eq!(
            fill("{provider} said: {message} {unknown} {", &args),
            "Count said: bad {provider} {x {unknown} {"
        );
        assert_eq!(fill("{}{provider}}", &args), "{}Count}");
        assert_eq!(fill("", &args), "");
        assert_eq!(fill("plain", &[]), "plain");
    }

    #[test]
    fn english_has_one_text_per_key() {
        assert_eq!(
            en::TEXTS.lines().count(),
            providers::text_keys::NAMES.lines().count()
        );
        assert!(en::TEXTS.lines().all(|text| !text.trimmed().is_empty()));
    }

    #[test]
    fn every_locale_has_exactly_the_english_keys_in_order() {
        let english: Vec<&str> = en::entries().map(|(k, _)| k).collect();
        let unique: BTreeSet<&str> = english.iter().copied().collect();
        assert_eq!(unique.len(), english.len(), "English has a duplicate key");
        for locale in TRANSLATED {
            let table = table(locale);
            let keys: Vec<&str> = table.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(keys, english, "{} keys differ from English", locale.tag());
        }
    }

    #[test]
    fn translations_keep_the_english_placeholders() {
        for locale in TRANSLATED {
            for ((key, english), (_, text)) in en::entries().zip(table(locale).iter()) {
                assert_eq!(
                    placeholders(text),
                    placeholders(english),
                    "{} {key}: {text}",
                    locale.tag()
                );
            }
        }
        assert_eq!(
            placeholders("A JSON object, for example {\"plan\": \"pro\"}, by {provider}."),
            BTreeSet::from(["provider"])
        );
    }

    #[test]
    fn negotiation_goes_by_the_language_subtag() {
        for (tag, locale) in [
            ("de", Locale::De),
            ("de-CH", Locale::De),
            ("DE-at", Locale::De),
            ("de_DE", Locale::De),
            ("fr-CA", Locale::Fr),
            ("FR", Locale::Fr),
            ("es-419", Locale::Es),
            ("es-ES", Locale::Es),
            ("en-GB", Locale::En),
            ("it-IT", Locale::En),
            ("des", Locale::En),
            ("", Locale::En),
        ] {
            assert_eq!(Locale::negotiate(tag), locale, "{tag:?}");
        }
        for locale in TRANSLATED {
            assert_eq!(Locale::negotiate(locale.tag()), locale);
        }
    }

    /// Labels like "Status" or "Website" may rightly stay as they are; whole tables may not.
    #[test]
    fn translations_are_filled_in_and_mostly_differ_from_english() {
        for locale in TRANSLATED {
            let table = table(locale);
            let mut same = Vec::new();
            for ((key, english), (_, text)) in en::entries().zip(table.iter()) {
                assert!(
                    !text.trimmed().is_empty(),
                    "{} {key} is empty",
                    locale.tag()
                );
                if text == english {
                    same.push(key);
                }
            }
            assert!(
                same.len() * 10 <= table.len(),
                "{} leaves too much in English: {same:?}",
                locale.tag()
            );
        }
    }

    #[test]
    fn a_locale_speaks_its_language_and_fills_placeholders() {
        let catalog = catalog(Locale::negotiate("de-CH"), Vec::new());
        assert_eq!(catalog.t("field.first_name"), "Vorname");
        assert_eq!(
            catalog.t_with("error.too_long", &[("max", "5")]),
            "Verwenden Sie höchstens 5 Zeichen."
        );
        assert_eq!(catalog.t("no.such.key"), "no.such.key");
    }

    #[test]
    fn overrides_win_and_missing_keys_show_themselves() {
        let overrides = vec![("field.email".to_string(), "E-mail address".to_string())];
        let catalog = Catalog::new(Locale::En, overrides);
        assert_eq!(catalog.t("field.email"), "E-mail address");
        assert_eq!(catalog.t("field.first_name"), "First name");
        assert_eq!(catalog.t("no.such.key"), "no.such.key");
        assert_eq!(
            catalog.t_with("error.too_long", &[("max", "5")]),
            "Use at most 5 characters."
        );
    }

    #[test]
    fn a_locale_without_its_table_speaks_english() {
        let catalog = Catalog::with_table(Locale::De, None, Vec::new());
        assert_eq!(catalog.locale(), Locale::En);
        assert_eq!(catalog.t("field.first_name"), "First name");
        assert_eq!(
            Catalog::new(Locale::Fr, Vec::new()).locale(),
            Locale::En,
            "not fetched"
        );
    }

    #[test]
    fn a_locale_file_adds_no_unknown_keys_and_no_markup_types() {
        let table =
            parse_table(r#"{"field.email": "Courriel", "evil.key": "x", "field.phone": 5}"#)
                .unwrap();
        assert_eq!(
            &table[..],
            &[("field.email".to_string(), "Courriel".to_string())]
        );
        assert!(parse_table("[1, 2]").is_none());
        assert!(parse_table("<html>").is_none());
    }
}
