//! English: the reference table every other locale translates, key for key.
//!
//! One string, a key, a tab and the text per line, rather than a table of pairs: the pairs'
//! pointers cost the package more than scanning the lines costs a lookup (see README, Size).

pub static TABLE: &str = "\
field.email	Email
field.first_name	First name
field.last_name	Last name
field.full_name	Full name
field.company_name	Company
field.external_id	External ID
field.phone	Phone
field.country_id	Country ID
field.metadata	Metadata
field.tags	Tags
field.website	Website
field.status	Status
field.password	Password
field.partnero.key	Customer key
field.partnero.partner_key	Partner referral key
field.partnero.partner_id	Partner ID
field.partnero.partner_email	Partner email
field.partnero.referral_url	Referral URL
field.count.customer	Customer or company name
field.count.contacts	Contacts
field.billing.street	Billing street
field.billing.city	Billing city
field.billing.state	Billing state or region
field.billing.zip_code	Billing postal code
field.billing.country	Billing country
field.shipping.street	Shipping street
field.shipping.city	Shipping city
field.shipping.state	Shipping state or region
field.shipping.zip_code	Shipping postal code
field.shipping.country	Shipping country
field.commercelayer.shopper_reference	Shopper reference
field.commercelayer.tax_exemption_code	Tax exemption code
field.commercelayer.reference	Reference
field.commercelayer.reference_origin	Reference origin
field.commercelayer.customer_group	Customer group
field.commercelayer.request_anonymization	Request anonymization
field.commercelayer.cancel_anonymization	Cancel a requested anonymization
hint.commercelayer.customer_group_choice	Choose “No group” to take the customer out of its group.
reference.no_group	No group
reference.current_group	Current group ({id})
reference.groups_loading	Loading the customer groups…
reference.groups_empty	This organization has no customer groups yet.
reference.groups_failed	The customer groups could not be loaded; the current group is kept.
reference.groups_cut	Only the first {count} customer groups are listed.
reference.tags_failed	Tag suggestions could not be loaded; you can still type tag names.
reference.tags_cut	Suggestions show the first {count} tags only.
action.reload_list	Load again
error.commercelayer.unknown_group	There is no customer group with this ID. Choose one from the list.
status.tags_not_added	Changes saved, but {provider} did not add these tags: {tags}. It adds only tags that already exist in your organization; ask an administrator to create them.
field.locked	Your access does not allow changing this field.
alert.gateway_said	The gateway said: {message}
hint.prolifi.name	Instead of first and last name, you can give the full name; Prolifi splits it.
hint.prolifi.company_name	A company makes this a business customer.
hint.prolifi.external_id	Your own ID for this customer. It can replace the Prolifi ID in URLs.
hint.prolifi.country_id	The UUID of a Prolifi country.
hint.metadata	One row per key. The same data as JSON is in the box below the rows; either can be edited.
hint.tags	Separate tags with commas; a tag cannot contain a comma.
hint.partnero.key	A unique ID for this customer, such as your account ID or their email. Transactions refer to it.
hint.partnero.rename	Changing the key renames the customer in Partnero.
hint.partnero.tags	Separate tags with commas; a tag cannot contain a comma. The list replaces the customer's tags; empty it to remove them all.
hint.count.email	Must be unique in your Count team.
hint.count.contacts	One row per contact, at most one primary. The same list as JSON is in the box below the rows; either can be edited.
hint.commercelayer.password	Leave empty to keep the current password. It is never shown.
hint.commercelayer.tags	Tag names, separated by commas (a tag cannot contain one); at most 10.
error.required	This field is required.
error.email	Enter a valid email address, like name@example.com.
error.uuid	Enter a UUID, like 3f2b8c1e-8a4d-4e0b-9c57-2d9f0e6a1b7c.
error.url	Enter a full URL starting with http:// or https://.
error.json_object	Enter a JSON object, like {\"plan\": \"pro\"}.
error.too_long	Use at most {max} characters.
error.not_a_choice	Choose one of the offered values.
error.prolifi.name_or_parts	Give either the full name or first and last name, not both.
error.json_list	Enter a JSON list of objects, like [{\"email\": \"ann@example.com\"}].
error.partnero.partner_required	Give the partner's referral key, ID or email.
error.count.one_primary	Mark at most one contact as primary.
error.count.contact_keys	Contacts may only have firstName, lastName, email, phone and isPrimary.
error.commercelayer.max_tags	Use at most 10 tags.
error.commercelayer.anonymization_both	Request or cancel anonymization, not both.
form.title.create	New {provider} customer
form.title.update	Edit {provider} customer
form.required_note	Fields marked * are required.
form.last_changed	Last changed {date}.
action.create	Create customer
action.update	Save changes
action.saving	Saving…
action.retry_load	Load again
action.use_existing	Edit that customer instead
action.try_again	Try again
conflict.keep_mine	Keep my changes
conflict.take_theirs	Use their version
conflict.merge	Choose field by field
conflict.apply_merge	Save my choices
conflict.mine	Mine
conflict.theirs	Theirs
conflict.empty	(empty)
conflict.option	{side}: 
compare.keep_mine	Use everything I typed
compare.take_theirs	Keep all its current values
compare.apply	Use these choices
compare.mine	What you typed
compare.theirs	Saved now
alert.differs	That customer already has other values in {fields}. Choose for each what to keep; nothing is saved until you press Save changes.
status.chose_existing	Nothing is saved yet: check the values, then press Save changes.
status.loading	Loading the customer…
status.created	Customer created.
status.saved	Changes saved.
status.nothing_changed	Nothing to save: no field has changed.
status.read_only	This credential can only read, so the form is read-only. Nothing will be sent.
status.saved_with_theirs	Changes saved. Someone else changed {fields} meanwhile; those changes were kept.
status.retrying	{provider} did not answer properly; trying again…
status.retrying_secs	{provider} asked to wait; trying again in {secs} s…
status.restored	Your unsaved changes from before were restored.
status.restored_except	Your unsaved changes from before were restored, except {fields}: someone changed them meanwhile, so they show the saved value.
status.took_theirs	Showing the latest saved version; your changes were set aside.
status.replayed	The provider had already received this request; nothing was saved twice.
alert.invalid	Some fields need attention before this can be sent.
alert.validation	{provider} did not accept some values. Check the highlighted fields.
alert.authentication	{provider} did not accept the credential (401). Sign in again or ask your administrator for a new token. Your entries are kept.
alert.permission	This credential is not allowed to do this (403). Your entries are kept.
alert.not_found	This customer was not found (404). It may have been deleted, or the ID is wrong.
alert.conflict	This conflicts with another customer (409). Check the highlighted fields.
alert.rate_limited	Too many requests to {provider}. Wait a moment, then try again. Your entries are kept.
alert.rate_limited_secs	Too many requests to {provider}. Try again in {secs} s. Your entries are kept.
alert.server	{provider} had a problem ({status}). Your entries are kept; try again in a moment.
alert.bad_request	{provider} refused the request as malformed (400). This is a bug in the form; please report it.
alert.network	Could not reach {provider}. Check your connection, then try again. Your entries are kept.
alert.timeout	{provider} did not answer in time. Your entries are kept; try again.
alert.bad_reply	{provider} sent a reply the form could not read. Your entries are kept; try again.
alert.api_base_required	{provider} needs the api-base attribute: your organisation's API address, or your gateway's.
alert.conflict_edit	Someone else changed this customer since you opened it ({fields}). Choose which version to keep.
alert.duplicate	A {provider} customer with this email already exists. Edit that customer instead, or change the email.
alert.duplicate_named	A {provider} customer with this email already exists: {name}. Edit that customer instead, or change the email.
alert.provider_said	{provider} said: {message}
alert.other_fields	Also: {fields}
credential.secret_live	A secret live key was given to the form. Secret keys must never be used in a browser, so it was refused and nothing was sent. Use a scoped token from your server instead.
credential.secret_off_loopback	A secret test key is accepted only against a sandbox on this machine. It was refused and nothing was sent. Use a scoped token from your server instead.
credential.confidential	A confidential Commerce Layer token (integration or webapp) was given to the form. It must never be used in a browser, so it was refused and nothing was sent. Use a sales-channel token, or the gateway.
credential.wrong_provider	The token given to the form was issued for another provider. Nothing was sent.
credential.unrecognised	The credential given to the form is not one it can use safely with {provider}. Nothing was sent.
credential.missing	No credential was given to the form. Set its token or tokenProvider property.
credential.provider_failed	Could not obtain a token from the host page. Try again.
section.identity	Who the customer is
section.contact	Contact
section.addresses	Addresses
section.referrer	Referring partner — give one of
section.classification	Classification
section.metadata	Other details
section.danger_zone	Danger zone
hint.section.referrer	The partner who referred this customer: their referral key, ID or email. One is enough.
hint.section.danger_zone	Anonymization removes the customer's personal data for good. A request can be cancelled until Commerce Layer carries it out.
form.title.update_named	Edit customer · {name}
status.created_id	Customer created. Its ID is {id}.
status.created_cannot_edit	This credential can create customers but not edit them, so the form is now read-only. Sign in to edit this customer.
load.authentication	{provider} did not accept the credential (401), so the customer could not be loaded. Sign in again or ask your administrator for a new token.
load.permission	This credential may not read this customer, so there is nothing to show.
load.rate_limited	Too many requests to {provider}, so the customer could not be loaded. Wait a moment, then load again.
load.server	{provider} had a problem ({status}), so the customer could not be loaded. Load again in a moment.
load.network	Could not reach {provider}, so the customer could not be loaded. Check your connection, then load again.
load.timeout	{provider} did not answer in time, so the customer could not be loaded. Load again.
load.bad_reply	{provider} sent a reply the form could not read, so the customer could not be loaded. Load again.
hint.phone	In international format, with the country code, like +44 20 7946 0958.
hint.count.website	https:// is added when you leave it out.
hint.commercelayer.shopper_reference	Your shop's own ID for this customer, such as their ID in your e-commerce platform.
hint.commercelayer.reference	A reference of your choice, such as the customer's ID in your CRM.
hint.commercelayer.reference_origin	Where the reference comes from, such as the name of that system.
hint.commercelayer.tax_exemption_code	Only for customers exempt from tax: the code your tax calculator expects.
hint.partnero.partner_cookie	Filled in from the partnero_partner cookie when the visitor came through a referral link.
choice.status.active	Active
choice.status.inactive	Inactive
tags.remove	Remove tag {tag}
tags.suggested	Suggested tags
rows.key	Key
rows.value	Value
rows.json	JSON
rows.value_json	Value {n} as JSON
rows.add	Add row
rows.remove	Remove
rows.remove_row	Remove row {n}
rows.remove_named	Remove {name}
rows.fix_json	The rows cannot be shown until the JSON below is valid: fix it there, or clear it to start again.
error.metadata.empty_key	Enter a key for this row.
error.metadata.repeated_key	This key is already used in an earlier row; each key can be used once.
error.metadata.bad_value	This value is not valid JSON (text needs quotes, or untick JSON).
error.count.contact_email	Enter a valid email address for each contact.
contacts.title	Contacts
contacts.contact	Contact {n}
contacts.add	Add contact
contacts.remove	Remove contact {n}
contacts.primary	Primary
contacts.primary_n	Primary contact {n}
contacts.none	This customer has no contacts.
contacts.read_only	Count's API cannot change contacts here; change them in Count.
field.country	Country
country.none	No country
country.saved	Saved country: {name}.
address.same_as_billing	Shipping address same as billing
hint.commercelayer.request_anonymization	Commerce Layer then removes this customer's personal data. This cannot be undone.
anonymization.status.none	No anonymization has been requested for this customer.
anonymization.status.requested	Anonymization has been requested and has not been carried out yet.
anonymization.status.in_progress	This customer is being anonymized.
anonymization.status.completed	This customer has been anonymized.
anonymization.status.failed	The anonymization of this customer failed.
anonymization.status.other	Anonymization status: {status}
anonymization.confirm_title	Anonymize this customer?
anonymization.confirm_text	Saving asks Commerce Layer to remove this customer's personal data. This cannot be undone.
action.anonymize	Anonymize
action.cancel	Cancel";

/// The (key, text) pairs, in order.
pub fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    TABLE.lines().filter_map(|line| line.split_once('\t'))
}
