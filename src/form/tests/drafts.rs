use super::*;

#[test]
fn dirty_tracking_and_drafts_without_passwords() {
    let mut state = FormState::new(
        ProviderId::CommerceLayer,
        Operation::Create,
        "",
        Some("http://127.0.0.1:1/cl/api"),
    )
    .unwrap();
    state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
        Channel::Direct,
    )))));
    assert!(!state.is_dirty());
    edit(&mut state, "email", "a@b.co");
    edit(&mut state, "password", "hunter2");
    assert!(state.is_dirty());
    let draft = state.draft();
    assert_eq!(draft.mine.get("email"), "a@b.co");
    assert_eq!(draft.mine.get("password"), "", "never a password");
    assert_eq!(draft.mine.iter().count(), 1, "only what changed");
    let mut restored = FormState::new(
        ProviderId::CommerceLayer,
        Operation::Create,
        "",
        Some("http://127.0.0.1:1/cl/api"),
    )
    .unwrap();
    restored.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
        Channel::Direct,
    )))));
    restored.update(Msg::Restore(draft));
    assert_eq!(
        (restored.values.get("email"), restored.notice.clone()),
        ("a@b.co", Some(Notice::Restored))
    );
}

#[test]
fn a_draft_never_reverts_someone_elses_later_change() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    edit(&mut state, "phone", "+1 555");
    let draft = state.draft();
    assert_eq!(draft.base.get("last_name"), "Doe");
    // After a reload the server has a new last name from a colleague.
    let mut fresh = FormState::new(
        ProviderId::Prolifi,
        Operation::Update,
        "cus_1001",
        Some(BASE),
    )
    .unwrap();
    fresh.update(Msg::Credential(Some(all())));
    fresh.update(Msg::Loaded(Ok(record(
        &CUSTOMER.replace("\"Doe\"", "\"Jones\""),
    ))));
    fresh.update(Msg::Restore(draft));
    assert_eq!(fresh.values.get("last_name"), "Jones", "their change stays");
    assert_eq!(
        fresh.values.get("phone"),
        "+1 555",
        "my untouched-by-them change comes back"
    );
    assert_eq!(
        fresh.notice,
        Some(Notice::RestoredExcept(vec!["last_name"]))
    );
}

/// The attack: a draft is kept under the name the host gave the form (an external id, or none
/// when a customer token names the record), which can come to name another customer: in a
/// shared tab, customer A's typed values must not land in customer B's form, and be saved there.
#[test]
fn a_draft_is_never_restored_into_another_record() {
    let mut a = loaded_update_form();
    edit(&mut a, "phone", "+1 555");
    edit(&mut a, "company_name", "A Corp");
    let draft = a.draft();
    let mut b = FormState::new(
        ProviderId::Prolifi,
        Operation::Update,
        "cus_1001",
        Some(BASE),
    )
    .unwrap();
    b.update(Msg::Credential(Some(all())));
    b.update(Msg::Loaded(Ok(record(
        r#"{"data":{"id":"c-2","email":"bob@example.com","first_name":"Bob","updated_at":"t5"}}"#,
    ))));
    b.update(Msg::Restore(draft.clone()));
    assert_eq!(b.values.get("phone"), "");
    assert_eq!(b.values.get("company_name"), "");
    assert!(!b.is_dirty());
    assert_ne!(b.notice, Some(Notice::Restored));
    // Into the record it was taken from, it is restored.
    let mut again = loaded_update_form();
    again.update(Msg::Restore(draft));
    assert_eq!(again.values.get("company_name"), "A Corp");
}
