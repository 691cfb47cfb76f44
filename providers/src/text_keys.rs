//! The keys of every text the widget shows (`field.email`, `alert.network`), one per line, in
//! the order of the English table (the widget's `src/i18n/en.rs`) and every translation.
//!
//! A key in code is written `text_key!("field.email")`: checked when it is compiled (a key that
//! is not here does not build), and made a slice of `NAMES` itself, so the package holds each
//! key once instead of once here and once at every place that names it (README, Size).

/// Every key, each ended by a newline: a static, so that a key made by `key` points into this
/// one place (a `const` string would be copied wherever it is used).
static BYTES: [u8; 4316] = *b"\
field.email
field.first_name
field.last_name
field.full_name
field.company_name
field.external_id
field.phone
field.country_id
field.metadata
field.tags
field.website
field.status
field.password
field.partnero.key
field.partnero.partner_key
field.partnero.partner_id
field.partnero.partner_email
field.partnero.referral_url
field.count.customer
field.count.contacts
field.billing.street
field.billing.city
field.billing.state
field.billing.zip_code
field.billing.country
field.shipping.street
field.shipping.city
field.shipping.state
field.shipping.zip_code
field.shipping.country
field.commercelayer.shopper_reference
field.commercelayer.tax_exemption_code
field.commercelayer.reference
field.commercelayer.reference_origin
field.commercelayer.customer_group
field.commercelayer.request_anonymization
field.commercelayer.cancel_anonymization
hint.commercelayer.customer_group_choice
reference.no_group
reference.current_group
reference.groups_loading
reference.groups_empty
reference.groups_failed
reference.groups_cut
reference.tags_failed
reference.tags_cut
action.reload_list
error.commercelayer.unknown_group
status.tags_not_added
field.locked
alert.gateway_said
hint.prolifi.name
hint.prolifi.company_name
hint.prolifi.external_id
hint.prolifi.country_id
hint.metadata
hint.tags
hint.partnero.key
hint.partnero.rename
hint.partnero.tags
hint.count.email
hint.count.contacts
hint.commercelayer.password
hint.commercelayer.tags
error.required
error.email
error.uuid
error.url
error.json_object
error.too_long
error.not_a_choice
error.prolifi.name_or_parts
error.json_list
error.partnero.partner_required
error.count.one_primary
error.count.contact_keys
error.commercelayer.max_tags
error.commercelayer.anonymization_both
form.title.create
form.title.update
form.required_note
form.last_changed
action.create
action.update
action.saving
action.retry_load
action.use_existing
action.try_again
conflict.keep_mine
conflict.take_theirs
conflict.merge
conflict.apply_merge
conflict.mine
conflict.theirs
conflict.empty
conflict.option
compare.keep_mine
compare.take_theirs
compare.apply
compare.mine
compare.theirs
alert.differs
alert.left_behind
status.chose_existing
status.loading
status.created
status.saved
status.nothing_changed
status.read_only
status.cannot_create
status.cannot_update
status.saved_with_theirs
status.retrying
status.retrying_secs
status.restored
status.restored_except
status.took_theirs
status.replayed
alert.invalid
alert.validation
alert.validation_unplaced
alert.authentication
alert.permission
alert.not_found
alert.conflict
alert.rate_limited
alert.rate_limited_secs
alert.server
alert.bad_request
alert.network
alert.timeout
alert.bad_reply
alert.api_base_required
alert.conflict_edit
alert.duplicate
alert.duplicate_named
alert.provider_said
alert.other_fields
credential.secret_live
credential.secret_off_loopback
credential.confidential
credential.wrong_provider
credential.unrecognised
credential.missing
credential.provider_failed
section.identity
section.contact
section.addresses
section.referrer
section.classification
section.metadata
section.danger_zone
hint.section.referrer
hint.section.danger_zone
form.title.update_named
status.created_id
status.created_cannot_edit
load.authentication
load.permission
load.rate_limited
load.server
load.network
load.timeout
load.bad_reply
hint.phone
hint.count.website
hint.commercelayer.shopper_reference
hint.commercelayer.reference
hint.commercelayer.reference_origin
hint.commercelayer.tax_exemption_code
hint.partnero.partner_cookie
choice.status.active
choice.status.inactive
tags.remove
tags.suggested
rows.key
rows.value
rows.json
rows.value_json
rows.add
rows.remove
rows.remove_row
rows.remove_named
rows.fix_json
error.metadata.empty_key
error.metadata.repeated_key
error.metadata.bad_value
error.count.contact_email
error.taken
contacts.title
contacts.contact
contacts.add
contacts.remove
contacts.primary
contacts.primary_n
contacts.none
contacts.read_only
field.country
country.none
country.saved
address.same_as_billing
hint.commercelayer.request_anonymization
anonymization.status.none
anonymization.status.requested
anonymization.status.in_progress
anonymization.status.completed
anonymization.status.failed
anonymization.status.other
anonymization.confirm_title
anonymization.confirm_text
action.anonymize
action.cancel
";

// ASCII, checked when compiled: `at` relies on it to make any slice of `BYTES` a `str`.
const _: () = {
    let mut i = 0;
    while i < BYTES.len() {
        assert!(BYTES[i].is_ascii(), "text keys are ASCII");
        i += 1;
    }
};

/// Every key, each ended by a newline.
pub static NAMES: &str = match core::str::from_utf8(&BYTES) {
    Ok(names) => names,
    Err(_) => panic!("the keys are ASCII"),
};

/// Where the key `name` is in `NAMES` (start, length); fails to compile (in a `const`) when
/// there is none.
pub const fn find(name: &str) -> (usize, usize) {
    let all: &'static [u8] = &BYTES;
    let want = name.as_bytes();
    let mut start = 0;
    while start < all.len() {
        let mut end = start;
        while all[end] != b'\n' {
            end += 1;
        }
        if end - start == want.len() {
            let mut i = 0;
            while i < want.len() && all[start + i] == want[i] {
                i += 1;
            }
            if i == want.len() {
                return (start, want.len());
            }
        }
        start = end + 1;
    }
    panic!("not a text key: add it to providers/src/text_keys.rs and every language")
}

/// The key at `(start, length)` of `NAMES` (as `find` gives it), as a slice of `NAMES`: the
/// package then holds its text once. A call rather than a `const` string, which clippy cannot
/// evaluate when it points into a static (an internal compiler error in clippy 1.95).
#[inline(always)]
pub const fn at((start, len): (usize, usize)) -> &'static str {
    let all: &'static [u8] = &BYTES;
    let (_, rest) = all.split_at(start);
    let (found, _) = rest.split_at(len);
    // SAFETY: `BYTES` is ASCII (asserted when compiled, above), so every slice of it is UTF-8;
    // `from_utf8` here would link core's validator into the package at run time.
    unsafe { core::str::from_utf8_unchecked(found) }
}

/// The key named `name` at compile time: `text_key!("field.email")`.
#[macro_export]
macro_rules! text_key {
    ($name:literal) => {
        $crate::text_keys::at({
            const AT: (usize, usize) = $crate::text_keys::find($name);
            AT
        })
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(key: &str) -> Option<usize> {
        NAMES.lines().position(|name| name == key)
    }

    #[test]
    fn a_key_is_a_slice_of_the_names() {
        let email = text_key!("field.email");
        assert_eq!(email, "field.email");
        let offset = email.as_ptr() as usize - NAMES.as_ptr() as usize;
        assert!(offset + email.len() <= NAMES.len());
        assert_eq!(
            position(text_key!("action.cancel")),
            Some(NAMES.lines().count() - 1)
        );
        assert_eq!(position("field"), None);
        assert_eq!(position("field.emai"), None);
    }

    #[test]
    fn names_are_unique_and_plain() {
        let names: Vec<&str> = NAMES.lines().collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "a key is listed twice");
        assert!(names
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic())));
        assert!(NAMES.ends_with('\n'));
    }
}
