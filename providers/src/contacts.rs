//! Count's contacts as rows: the JSON array's text read as contact objects, edited one member at
//! a time and written back, one contact per line. Members the rows do not show are kept, so the
//! contract's own rules still see (and refuse) them.

use crate::json::Json;
use crate::substring::Trim;
use crate::text_key;
use crate::validate::is_email;

/// The text members a contact row edits, in the order shown.
pub const CONTACT_TEXT_FIELDS: [&str; 4] = ["firstName", "lastName", "email", "phone"];

/// The contacts of an array's text; an empty text has none. `None` when the text is not a JSON
/// array of objects (the person must fix it first).
pub fn parse_contacts(text: &str) -> Option<Vec<Json>> {
    let text = text.trimmed();
    if text.is_empty() {
        return Some(Vec::new());
    }
    match Json::parse(text) {
        Ok(Json::Array(items)) if items.iter().all(Json::is_object) => Some(items),
        _ => None,
    }
}

/// The contacts as the array's text, one per line; no contacts give an empty text (nothing sent).
pub fn write_contacts(items: &[Json]) -> String {
    if items.is_empty() {
        return String::new();
    }
    crate::json::one_per_line('[', ']', items.len(), &|i, out| {
        out.push_str(&items[i].to_json_string())
    })
}

/// A text member as a row shows it (numbers and booleans as written, absent as empty).
pub fn contact_text(item: &Json, member: &str) -> String {
    item.get(member)
        .and_then(Json::scalar_text)
        .unwrap_or_default()
}

pub fn is_primary(item: &Json) -> bool {
    item.get("isPrimary") == Some(&Json::Bool(true))
}

/// Sets a text member; an emptied one is left out rather than sent as `""`.
pub fn set_contact_text(item: &mut Json, member: &str, text: &str) {
    if let Json::Object(members) = item {
        members.retain(|(k, _)| k != member || !text.is_empty());
    }
    if !text.is_empty() {
        item.insert(member, Json::str(text));
    }
}

/// Makes contact `index` the only primary one.
pub fn set_primary(items: &mut [Json], index: usize) {
    for (i, item) in items.iter_mut().enumerate() {
        if i == index {
            item.insert("isPrimary", Json::Bool(true));
        } else if let Json::Object(members) = item {
            members.retain(|(k, _)| k != "isPrimary");
        }
    }
}

/// What is wrong with each contact (a message key), in order: an email that is not one, or a
/// second primary contact (only typed JSON can hold two; the radios cannot).
pub fn contact_problems(items: &[Json]) -> Vec<Option<&'static str>> {
    let mut primaries = 0;
    items
        .iter()
        .map(|item| {
            if is_primary(item) {
                primaries += 1;
            }
            let email = item.get("email");
            if email.is_some_and(|e| !e.as_str().is_some_and(is_email)) {
                Some(text_key!("error.count.contact_email"))
            } else if is_primary(item) && primaries > 1 {
                Some(text_key!("error.count.one_primary"))
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_array_of_objects_and_nothing_else() {
        assert_eq!(parse_contacts(" "), Some(vec![]));
        assert_eq!(parse_contacts("[]"), Some(vec![]));
        assert_eq!(parse_contacts("{}"), None);
        assert_eq!(parse_contacts("[1]"), None);
        assert_eq!(parse_contacts("[{\"firstName\":"), None);
        let items =
            parse_contacts(r#"[{"firstName":"Ann","isPrimary":true},{"email":"b@c.co"}]"#).unwrap();
        assert_eq!(contact_text(&items[0], "firstName"), "Ann");
        assert_eq!(contact_text(&items[1], "firstName"), "");
        assert!(is_primary(&items[0]) && !is_primary(&items[1]));
    }

    #[test]
    fn edits_write_back_one_contact_per_line_keeping_other_members() {
        let mut items = parse_contacts(r#"[{"firstName":"Ann","isPrimary":true,"x":1}]"#).unwrap();
        items.push(Json::Object(Vec::new()));
        set_contact_text(&mut items[1], "email", "bo@acme.test");
        set_contact_text(&mut items[0], "firstName", "");
        set_primary(&mut items, 1);
        let text = write_contacts(&items);
        assert_eq!(
            text,
            "[\n  {\"x\":1},\n  {\"email\":\"bo@acme.test\",\"isPrimary\":true}\n]"
        );
        assert_eq!(parse_contacts(&text), Some(items));
        assert_eq!(write_contacts(&[]), "");
    }

    #[test]
    fn flags_bad_emails_and_a_second_primary() {
        let items = parse_contacts(
            r#"[{"email":"ann@acme.test","isPrimary":true},{"email":"nope"},{"isPrimary":true},{"email":5}]"#,
        )
        .unwrap();
        assert_eq!(
            contact_problems(&items),
            vec![
                None,
                Some("error.count.contact_email"),
                Some("error.count.one_primary"),
                Some("error.count.contact_email")
            ]
        );
    }
}
