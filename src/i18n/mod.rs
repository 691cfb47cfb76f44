//! Every text the widget shows, looked up by key in the active locale, with host overrides.
//!
//! Labels, hints and messages are keys (`field.email`, `alert.network`), so a locale or a host's
//! `strings` option can replace any of them without touching the components.

mod en;

use std::rc::Rc;

/// The locales the widget ships. Unknown tags fall back to English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    En,
}

impl Locale {
    /// Picks the best shipped locale for a BCP 47 tag (`de-CH` → German once shipped).
    pub fn negotiate(_tag: &str) -> Locale {
        Locale::En
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
        }
    }

    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Locale::En => en::TABLE,
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
