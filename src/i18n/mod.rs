//! Every text the widget shows, looked up by key in the active locale, with host overrides.
//!
//! Labels, hints and messages are keys (`field.email`, `alert.network`), so a locale or a host's
//! `strings` option can replace any of them without touching the components.

mod de;
mod en;
mod es;
mod fr;

use std::rc::Rc;

/// The locales the widget ships. Unknown tags fall back to English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    En,
    De,
    Fr,
    Es,
}

impl Locale {
    /// Picks the best shipped locale for a BCP 47 tag (`de-CH` → German).
    ///
    /// Only the language subtag decides: each table is written to read well in every region, so
    /// `de-AT` and `es-419` get the same German and Spanish. Hosts pass `navigator.language` or
    /// their own settings, so case varies and `_` stands in for `-` often enough to accept it.
    pub fn negotiate(tag: &str) -> Locale {
        let language = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if language.eq_ignore_ascii_case("de") {
            Locale::De
        } else if language.eq_ignore_ascii_case("fr") {
            Locale::Fr
        } else if language.eq_ignore_ascii_case("es") {
            Locale::Es
        } else {
            Locale::En
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

    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Locale::En => en::TABLE,
            Locale::De => de::TABLE,
            Locale::Fr => fr::TABLE,
            Locale::Es => es::TABLE,
        }
    }
}

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, text)| *text)
}

/// Formats an integer for a language tag (the browser's `Intl` in the widget).
pub type NumberFormat = fn(&str, u32) -> String;

#[derive(Clone, Debug)]
pub struct Catalog {
    locale: Locale,
    overrides: Rc<[(String, String)]>,
    numbers: Option<NumberFormat>,
}

/// Two catalogs say the same things when language and overrides match.
impl PartialEq for Catalog {
    fn eq(&self, other: &Self) -> bool {
        self.locale == other.locale && self.overrides == other.overrides
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new(Locale::En, Vec::new())
    }
}

impl Catalog {
    pub fn new(locale: Locale, overrides: Vec<(String, String)>) -> Catalog {
        Catalog {
            locale,
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
            None => n.to_string(),
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
        lookup(self.locale.table(), key)
            .or_else(|| lookup(en::TABLE, key))
            .unwrap_or(key)
            .to_string()
    }

    /// `t` with `{name}` placeholders filled in.
    pub fn t_with(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key);
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const TRANSLATED: [Locale; 3] = [Locale::De, Locale::Fr, Locale::Es];

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
    fn every_locale_has_exactly_the_english_keys_in_order() {
        let english: Vec<&str> = en::TABLE.iter().map(|(k, _)| *k).collect();
        let unique: BTreeSet<&str> = english.iter().copied().collect();
        assert_eq!(unique.len(), english.len(), "English has a duplicate key");
        for locale in TRANSLATED {
            let keys: Vec<&str> = locale.table().iter().map(|(k, _)| *k).collect();
            assert_eq!(keys, english, "{} keys differ from English", locale.tag());
        }
    }

    #[test]
    fn translations_keep_the_english_placeholders() {
        for locale in TRANSLATED {
            for ((key, english), (_, text)) in en::TABLE.iter().zip(locale.table()) {
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
            let table = locale.table();
            let mut same = Vec::new();
            for ((key, english), (_, text)) in en::TABLE.iter().zip(table) {
                assert!(!text.trim().is_empty(), "{} {key} is empty", locale.tag());
                if text == english {
                    same.push(*key);
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
        let catalog = Catalog::new(Locale::negotiate("de-CH"), Vec::new());
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
}
