//! Countries as a person picks them: Prolifi's `country_id` from the host's `countries` list
//! (ids and names in the page's language), and Count's address countries suggested as the
//! English names its records hold, each with the name in the form's language beside it.
//! Pure functions; the names themselves come from the host or from `Intl.DisplayNames`
//! (`host.js`).

use providers::substring::Trim;

/// The options of the country select: every listed country, plus the record's current country
/// (labelled with the record's `country` name) and the value held (a restored draft's id) when
/// the list lacks them, so a select never silently changes what the customer has. Sorted by name
/// for a person (case and Latin accents ignored), each id once.
pub fn country_options(
    countries: &[(String, String)],
    value: &str,
    record: Option<(&str, &str)>,
) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = Vec::with_capacity(countries.len() + 2);
    let mut add = |id: &str, name: &str| {
        if !id.is_empty() && !options.iter().any(|(known, _)| known == id) {
            let name = if name.trimmed().is_empty() { id } else { name };
            options.push((id.to_string(), name.to_string()));
        }
    };
    for (id, name) in countries {
        add(id, name);
    }
    if let Some((id, name)) = record {
        add(id, name);
    }
    add(value, value);
    // An insertion sort: a few hundred names, and std's sorts cost the package kilobytes per
    // instantiation. Loops rather than collected adapters, for the same reason (README, Size).
    let mut sorted: Vec<(String, (String, String))> = Vec::with_capacity(options.len());
    for option in options {
        let item = (sort_key(&option.1), option);
        let at = sorted
            .iter()
            .position(|other| (&item.0, &item.1 .1) < (&other.0, &other.1 .1))
            .unwrap_or(sorted.len());
        sorted.insert(at, item);
    }
    let mut options = Vec::with_capacity(sorted.len());
    for (_, option) in sorted {
        options.push(option);
    }
    options
}

/// A name folded for sorting: lower case, Latin-1 accents dropped ("Österreich" beside
/// "Oman"). Unicode collation tables would cost the package kilobytes (see reference/mod.rs).
fn sort_key(name: &str) -> String {
    name.chars().map(fold).collect()
}

fn fold(c: char) -> char {
    match c.to_ascii_lowercase() {
        'à'..='å' | 'À'..='Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è'..='ë' | 'È'..='Ë' => 'e',
        'ì'..='ï' | 'Ì'..='Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' => 'o',
        'ù'..='ü' | 'Ù'..='Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        c => c,
    }
}

/// Whether `field` is one of Count's address countries.
pub fn is_address_country(field: &str) -> bool {
    matches!(field, "billingAddress.country" | "shippingAddress.country")
}

/// Whether a loaded record's shipping address is its billing address, part for part, among
/// the form's `fields` (Count): the form then starts with "same as billing" ticked. Two empty
/// addresses are not "the same address" (nothing was said).
pub fn addresses_match<'a>(fields: &[&str], value: impl Fn(&str) -> &'a str) -> bool {
    let mut any = false;
    for field in fields {
        let Some(twin) = shipping_twin(field) else {
            continue;
        };
        if !fields.contains(&twin.as_str()) {
            continue;
        }
        let billing = value(field).trimmed();
        if billing != value(&twin).trimmed() {
            return false;
        }
        any |= !billing.is_empty();
    }
    any
}

/// The shipping field that mirrors a billing field ("billingAddress.city" →
/// "shippingAddress.city"), while "same as billing" is ticked.
pub fn shipping_twin(field: &str) -> Option<String> {
    field
        .strip_prefix("billingAddress.")
        .map(|part| providers::substring::concat(&["shippingAddress.", part]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn options_are_sorted_by_name_ignoring_case_and_accents() {
        let countries = list(&[
            ("pl", "Polen"),
            ("at", "Österreich"),
            ("de", "deutschland"),
            ("om", "Oman"),
            ("es", "Spanien"),
            ("be", "Belgien"),
        ]);
        let names: Vec<String> = country_options(&countries, "", None)
            .into_iter()
            .map(|(_, name)| name)
            .collect();
        assert_eq!(
            names,
            [
                "Belgien",
                "deutschland",
                "Oman",
                "Österreich",
                "Polen",
                "Spanien"
            ]
        );
    }

    #[test]
    fn the_records_country_stays_selectable_under_its_name_when_the_list_lacks_it() {
        let countries = list(&[("de", "Deutschland"), ("fr", "Frankreich")]);
        let options = country_options(&countries, "uk-id", Some(("uk-id", "United Kingdom")));
        assert_eq!(
            options,
            list(&[
                ("de", "Deutschland"),
                ("fr", "Frankreich"),
                ("uk-id", "United Kingdom")
            ])
        );
        // Listed: the list's name (the page's language) wins, and the id is there once.
        let options = country_options(&countries, "de", Some(("de", "Germany")));
        assert_eq!(options, countries);
    }

    #[test]
    fn a_held_id_nobody_named_is_kept_under_the_id_itself() {
        let countries = list(&[("de", "Deutschland")]);
        let options = country_options(&countries, "draft-id", Some(("uk-id", "")));
        assert_eq!(
            options,
            list(&[
                ("de", "Deutschland"),
                ("draft-id", "draft-id"),
                ("uk-id", "uk-id")
            ])
        );
        // Nothing held, no record, empty ids and duplicates in the host's list: ignored.
        let countries = list(&[("de", "Deutschland"), ("", "Nowhere"), ("de", "Again")]);
        assert_eq!(
            country_options(&countries, "", None),
            list(&[("de", "Deutschland")])
        );
    }

    #[test]
    fn the_same_address_twice_is_said_once() {
        let fields = [
            "customer",
            "billingAddress.street",
            "billingAddress.city",
            "shippingAddress.street",
            "shippingAddress.city",
        ];
        let values = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map_or("", |(_, v)| *v)
            }
        };
        let same = values(&[
            ("customer", "Acme"),
            ("billingAddress.street", "1 High St"),
            ("billingAddress.city", "London"),
            ("shippingAddress.street", "1 High St "),
            ("shippingAddress.city", "London"),
        ]);
        assert!(addresses_match(&fields, same));
        let other_city = values(&[
            ("billingAddress.street", "1 High St"),
            ("billingAddress.city", "London"),
            ("shippingAddress.street", "1 High St"),
            ("shippingAddress.city", "Leeds"),
        ]);
        assert!(!addresses_match(&fields, other_city));
        let no_shipping = values(&[("billingAddress.city", "London")]);
        assert!(!addresses_match(&fields, no_shipping));
        // Nothing on either side is not "the same address".
        assert!(!addresses_match(&fields, values(&[])));
        // A form without the shipping fields has nothing to compare.
        assert!(!addresses_match(
            &["billingAddress.city"],
            values(&[("billingAddress.city", "London")])
        ));
    }

    #[test]
    fn billing_fields_have_shipping_twins() {
        assert_eq!(
            shipping_twin("billingAddress.zipCode").as_deref(),
            Some("shippingAddress.zipCode")
        );
        assert_eq!(shipping_twin("shippingAddress.city"), None);
        assert!(is_address_country("shippingAddress.country"));
        assert!(!is_address_country("country_id"));
    }
}
