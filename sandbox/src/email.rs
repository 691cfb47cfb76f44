//! The one e-mail syntax check used by all four emulations.
//!
//! The providers do not publish their exact rules (Laravel's `email`, Joi's `email()`, Rails'
//! format validator all differ at the edges), so the sandbox uses a plain, common subset:
//! exactly one `@`, a non-empty local part, a dotted domain of non-empty labels, no whitespace.

pub fn is_valid_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

#[cfg(test)]
mod tests {
    use super::is_valid_email;

    #[test]
    fn accepts_ordinary_and_rejects_broken_addresses() {
        assert!(is_valid_email("jane@example.com"));
        assert!(is_valid_email("a.b+tag@sub.example.co.uk"));
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@example.com",
            "a@b@c.d",
            "a@.com",
            "a@b..com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }
}
