//! English: the reference table every other locale translates, key for key.
//!
//! One string, the text of each key of `providers::text_keys::NAMES` per line, in the same order,
//! rather than a table of pairs: the pairs' pointers cost the package more than scanning the
//! lines costs a lookup, and the keys are in the package once, in `NAMES` (see README, Size).

pub static TEXTS: &str = "\
Email
First name
Last name
Full name
Company
External ID
Phone
Country ID
Metadata
Tags
Website
Status
Password
Customer key
Partner referral key
Partner ID
Partner email
Referral URL
Customer or company name
Contacts
Billing street
Billing city
Billing state or region
Billing postal code
Billing country
Shipping street
Shipping city
Shipping state or region
Shipping postal code
Shipping country
Shopper reference
Tax exemption code
Reference
Reference origin
Customer group
Request anonymization
Cancel a requested anonymization
Choose “No group” to take the customer out of its group.
No group
Current group ({id})
Loading the customer groups…
This organization has no customer groups yet.
The customer groups could not be loaded; the current group is kept.
Only the first {count} customer groups are listed.
Tag suggestions could not be loaded; you can still type tag names.
Suggestions show the first {count} tags only.
Load again
There is no customer group with this ID. Choose one from the list.
Changes saved, but {provider} did not add these tags: {tags}. It adds only tags that already exist in your organization; ask an administrator to create them.
Your access does not allow changing this field.
The gateway said: {message}
Instead of first and last name, you can give the full name; Prolifi splits it.
A company makes this a business customer.
Your own ID for this customer. It can replace the Prolifi ID in URLs.
The UUID of a Prolifi country.
One row per key. The same data as JSON is in the box below the rows; either can be edited.
Separate tags with commas; a tag cannot contain a comma.
A unique ID for this customer, such as your account ID or their email. Transactions refer to it.
Changing the key renames the customer in Partnero.
Separate tags with commas; a tag cannot contain a comma. The list replaces the customer's tags; empty it to remove them all.
Must be unique in your Count team.
One row per contact, at most one primary. The same list as JSON is in the box below the rows; either can be edited.
Leave empty to keep the current password. It is never shown.
Tag names, separated by commas (a tag cannot contain one); at most 10.
This field is required.
Enter a valid email address, like name@example.com.
Enter a UUID, like 3f2b8c1e-8a4d-4e0b-9c57-2d9f0e6a1b7c.
Enter a full URL starting with http:// or https://.
Enter a JSON object, like {\"plan\": \"pro\"}.
Use at most {max} characters.
Choose one of the offered values.
Give either the full name or first and last name, not both.
Enter a JSON list of objects, like [{\"email\": \"ann@example.com\"}].
Give the partner's referral key, ID or email.
Mark at most one contact as primary.
Contacts may only have firstName, lastName, email, phone and isPrimary.
Use at most 10 tags.
Request or cancel anonymization, not both.
New {provider} customer
Edit {provider} customer
Fields marked * are required.
Last changed {date}.
Create customer
Save changes
Saving…
Load again
Edit that customer instead
Try again
Keep my changes
Use their version
Choose field by field
Save my choices
Mine
Theirs
(empty)
{side}: 
Use everything I typed
Keep all its current values
Use these choices
What you typed
Saved now
That customer already has other values in {fields}. Choose for each what to keep; nothing is saved until you press Save changes.
{provider} cannot change {fields} of an existing customer here, so what you typed there will not be saved.
Nothing is saved yet: check the values, then press Save changes.
Loading the customer…
Customer created.
Changes saved.
Nothing to save: no field has changed.
This credential can only read, so the form is read-only. Nothing will be sent.
This credential cannot create customers, so the form is read-only. Nothing will be sent.
This credential cannot change customers, so the form is read-only. Nothing will be sent.
Changes saved. Someone else changed {fields} meanwhile; those changes were kept.
{provider} did not answer properly; trying again…
{provider} asked to wait; trying again in {secs} s…
Your unsaved changes from before were restored.
Your unsaved changes from before were restored, except {fields}: someone changed them meanwhile, so they show the saved value.
Showing the latest saved version; your changes were set aside.
The provider had already received this request; nothing was saved twice.
Some fields need attention before this can be sent.
{provider} did not accept some values. Check the highlighted fields.
{provider} did not accept the values.
{provider} did not accept the credential (401). Sign in again or ask your administrator for a new token. Your entries are kept.
This credential is not allowed to do this (403). Your entries are kept.
This customer was not found (404). It may have been deleted, or the ID is wrong.
This conflicts with another customer (409). Check the highlighted fields.
Too many requests to {provider}. Wait a moment, then try again. Your entries are kept.
Too many requests to {provider}. Try again in {secs} s. Your entries are kept.
{provider} had a problem ({status}). Your entries are kept; try again in a moment.
{provider} refused the request as malformed (400). This is a bug in the form; please report it.
Could not reach {provider}. Check your connection, then try again. Your entries are kept.
{provider} did not answer in time. Your entries are kept; try again.
{provider} sent a reply the form could not read. Your entries are kept; try again.
{provider} needs the api-base attribute: your organisation's API address, or your gateway's.
Someone else changed this customer since you opened it ({fields}). Choose which version to keep.
A {provider} customer with this email already exists. Edit that customer instead, or change the email.
A {provider} customer with this email already exists: {name}. Edit that customer instead, or change the email.
{provider} said: {message}
Also: {fields}
A secret live key was given to the form. Secret keys must never be used in a browser, so it was refused and nothing was sent. Use a scoped token from your server instead.
A secret test key is accepted only against a sandbox on this machine. It was refused and nothing was sent. Use a scoped token from your server instead.
A confidential Commerce Layer token (integration or webapp) was given to the form. It must never be used in a browser, so it was refused and nothing was sent. Use a sales-channel token, or the gateway.
The token given to the form was issued for another provider. Nothing was sent.
The credential given to the form is not one it can use safely with {provider}. Nothing was sent.
No credential was given to the form. Set its token or tokenProvider property.
Could not obtain a token from the host page. Try again.
Who the customer is
Contact
Addresses
Referring partner — give one of
Classification
Other details
Danger zone
The partner who referred this customer: their referral key, ID or email. One is enough.
Anonymization removes the customer's personal data for good. A request can be cancelled until Commerce Layer carries it out.
Edit customer · {name}
Customer created. Its ID is {id}.
This credential can create customers but not edit them, so the form is now read-only. Sign in to edit this customer.
{provider} did not accept the credential (401), so the customer could not be loaded. Sign in again or ask your administrator for a new token.
This credential may not read this customer, so there is nothing to show.
Too many requests to {provider}, so the customer could not be loaded. Wait a moment, then load again.
{provider} had a problem ({status}), so the customer could not be loaded. Load again in a moment.
Could not reach {provider}, so the customer could not be loaded. Check your connection, then load again.
{provider} did not answer in time, so the customer could not be loaded. Load again.
{provider} sent a reply the form could not read, so the customer could not be loaded. Load again.
In international format, with the country code, like +44 20 7946 0958.
https:// is added when you leave it out.
Your shop's own ID for this customer, such as their ID in your e-commerce platform.
A reference of your choice, such as the customer's ID in your CRM.
Where the reference comes from, such as the name of that system.
Only for customers exempt from tax: the code your tax calculator expects.
Filled in from the referral link the visitor came through.
Active
Inactive
Remove tag {tag}
Suggested tags
Key
Value
JSON
Value {n} as JSON
Add row
Remove
Remove row {n}
Remove {name}
The rows cannot be shown until the JSON below is valid: fix it there, or clear it to start again.
Enter a key for this row.
This key is already used in an earlier row; each key can be used once.
This value is not valid JSON (text needs quotes, or untick JSON).
Enter a valid email address for each contact.
Another customer already has this.
Contacts
Contact {n}
Add contact
Remove contact {n}
Primary
Primary contact {n}
This customer has no contacts.
Count's API cannot change contacts here; change them in Count.
Country
No country
Saved country: {name}.
Shipping address same as billing
Commerce Layer then removes this customer's personal data. This cannot be undone.
No anonymization has been requested for this customer.
Anonymization has been requested and has not been carried out yet.
This customer is being anonymized.
This customer has been anonymized.
The anonymization of this customer failed.
Anonymization status: {status}
Anonymize this customer?
Saving asks Commerce Layer to remove this customer's personal data. This cannot be undone.
Anonymize
Cancel";

/// The (key, text) pairs, in order.
pub fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    let lines = providers::substring::lines;
    lines(providers::text_keys::NAMES).zip(lines(TEXTS))
}
