//! Dates and numbers in the form's language, by the browser's `Intl` (no date crate shipped).

/// An ISO 8601 timestamp as a medium date and short time (`24 Nov 2026, 10:05`); `None` when it
/// does not parse.
pub fn date_time(tag: &str, iso: &str) -> Option<String> {
    crate::browser::format_date(tag, iso)
}

/// An integer with the locale's grouping (`10,000`, `10.000`, `10 000`).
pub fn integer(tag: &str, n: u32) -> String {
    crate::browser::format_integer(tag, n)
}
