//! Partnero renames: the form and its next token follow the new key, and a rename whose
//! reply was lost is found under it (or reported not found).

use super::*;

fn partnero(body: &str) -> Record {
    let reply = HttpReply {
        status: 200,
        headers: vec![],
        body: body.into(),
    };
    contract::interpret_reply(&providers::partnero::Partnero, &reply).unwrap()
}

const PARTNERO_ALICE: &str = r#"{"data":{"key":"user-77","name":"Alice","surname":"Brown","email":"alice@example.com","updated_at":"t1"},"status":1}"#;
const PARTNERO_RENAMED: &str = r#"{"data":{"key":"user-77-old","name":"Alice","surname":"Brown","email":"alice@example.com","updated_at":"t2"},"status":1}"#;

fn partnero_update_form(customer: &str) -> FormState {
    let mut state =
        FormState::new(ProviderId::Partnero, Operation::Update, customer, None).unwrap();
    state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
        Channel::Gateway,
    )))));
    state.update(Msg::Loaded(Ok(partnero(PARTNERO_ALICE))));
    assert_eq!(state.phase(), Phase::Ready);
    state
}

#[test]
fn a_rename_moves_the_form_and_its_next_token_to_the_new_key() {
    let mut state = partnero_update_form("user-77");
    edit(&mut state, "key", "user-77-old");
    let rename = submit(&mut state, "k1").unwrap();
    assert!(rename.url.ends_with("/customers/user-77"), "{}", rename.url);
    let effects = state.update(Msg::Saved(Ok(Saved {
        record: partnero(PARTNERO_RENAMED),
        replayed: false,
    })));
    assert!(
        matches!(
            &effects[..],
            [Effect::Emit(Event::Saved { .. }), Effect::RefreshToken]
        ),
        "a token for the new key is asked for: {effects:?}"
    );
    assert_eq!(state.customer_id(), "user-77-old");
    edit(&mut state, "name", "Alicia");
    let next = submit(&mut state, "k2").unwrap();
    assert!(next.url.ends_with("/customers/user-77-old"), "{}", next.url);
}

#[test]
fn a_save_that_keeps_the_name_keeps_the_token() {
    let mut state = partnero_update_form("user-77");
    edit(&mut state, "name", "Alicia");
    submit(&mut state, "k1").unwrap();
    let effects = state.update(Msg::Saved(Ok(Saved {
        record: partnero(PARTNERO_ALICE),
        replayed: false,
    })));
    assert!(matches!(&effects[..], [Effect::Emit(Event::Saved { .. })]));
    assert_eq!(state.customer_id(), "user-77");
}

fn not_found() -> ApiError {
    ApiError::new(Some(404), ErrorKind::NotFound, "")
}

/// The rename's reply lost, then a 404 under the old key: the rename may have landed, so the
/// record is read under the new key; holding what was sent, the save is reported made.
fn the_renamed_record_is_read_and_the_save_reported(state: &mut FormState, effects: Vec<Effect>) {
    let [Effect::RefreshToken, Effect::Check(read)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(read.url.ends_with("/customers/user-77-old"), "{}", read.url);
    assert_eq!(
        state.customer_id(),
        "user-77-old",
        "a token for the new key"
    );
    let effects = state.update(Msg::Checked(Ok(partnero(PARTNERO_RENAMED))));
    assert!(
        matches!(&effects[..], [Effect::Emit(Event::Saved { .. })]),
        "{effects:?}"
    );
    assert_eq!(
        (state.phase(), state.notice.clone()),
        (Phase::Saved, Some(Notice::Saved))
    );
    assert_eq!(state.values.get("key"), "user-77-old");
    edit(state, "name", "Alicia");
    let next = submit(state, "k3").unwrap();
    assert!(next.url.ends_with("/customers/user-77-old"), "{}", next.url);
}

#[test]
fn a_rename_retried_after_it_landed_unseen_is_found_under_its_new_key() {
    let mut state = partnero_update_form("user-77");
    edit(&mut state, "key", "user-77-old");
    submit(&mut state, "k1").unwrap();
    let effects = state.update(Msg::Saved(Err(transient())));
    assert!(matches!(&effects[..], [Effect::Retry { .. }]));
    let effects = state.update(Msg::RetryNow);
    assert!(matches!(&effects[..], [Effect::Save { .. }]));
    let effects = state.update(Msg::Saved(Err(not_found())));
    the_renamed_record_is_read_and_the_save_reported(&mut state, effects);
}

#[test]
fn a_rename_saved_again_after_it_landed_unseen_is_found_under_its_new_key() {
    let mut state = partnero_update_form("user-77");
    edit(&mut state, "key", "user-77-old");
    submit(&mut state, "k1").unwrap();
    give_up(&mut state);
    assert_eq!(state.phase(), Phase::Error);
    let effects = state.update(Msg::Submit {
        fresh_key: "k2".into(),
    });
    assert!(matches!(&effects[..], [Effect::Check(_)]), "{effects:?}");
    let effects = state.update(Msg::Checked(Err(not_found())));
    the_renamed_record_is_read_and_the_save_reported(&mut state, effects);
}

/// A rename to `user-77-old` whose every attempt was lost, saved again, and met by a 404 under
/// the old key: the form now reads the record under the new one.
fn rename_lost_then_404_under_the_old_key() -> FormState {
    let mut state = partnero_update_form("user-77");
    edit(&mut state, "key", "user-77-old");
    submit(&mut state, "k1").unwrap();
    give_up(&mut state);
    state.update(Msg::Submit {
        fresh_key: "k2".into(),
    });
    state.update(Msg::Checked(Err(not_found())));
    state
}

#[test]
fn a_record_gone_under_both_keys_is_reported_not_found() {
    let mut state = rename_lost_then_404_under_the_old_key();
    let effects = state.update(Msg::Checked(Err(not_found())));
    assert!(
        matches!(&effects[..], [Effect::RefreshToken, Effect::Emit(_)]),
        "{effects:?}"
    );
    assert_eq!(state.phase(), Phase::Error);
    assert_eq!(state.customer_id(), "user-77", "named as the record shown");
    assert!(matches!(
        &state.failure,
        Some(Failure::Api { error, .. }) if error.kind == ErrorKind::NotFound
    ));
}

const PARTNERO_BOB: &str = r#"{"data":{"key":"user-77-old","name":"Bob","surname":"Stone","email":"bob@example.com","updated_at":"t9"},"status":1}"#;

#[test]
fn a_customer_found_under_the_new_key_who_does_not_hold_what_was_sent_is_not_taken() {
    let mut state = rename_lost_then_404_under_the_old_key();
    let effects = state.update(Msg::Checked(Ok(partnero(PARTNERO_BOB))));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Emit(Event::Saved { .. }))),
        "{effects:?}"
    );
    assert!(
        matches!(&effects[..], [Effect::RefreshToken, Effect::Emit(_)]),
        "a token for the form's own record again: {effects:?}"
    );
    assert_eq!(state.customer_id(), "user-77");
    assert_eq!(state.loaded.as_ref().unwrap().id, "user-77");
    assert!(matches!(
        &state.failure,
        Some(Failure::Api { error, .. }) if error.kind == ErrorKind::NotFound
    ));
    assert_eq!(
        state.values.get("name"),
        "Alice",
        "nothing of Bob's is shown"
    );
}

#[test]
fn a_read_under_the_new_key_that_fails_is_retried_there_and_then_given_back() {
    let mut state = rename_lost_then_404_under_the_old_key();
    let effects = state.update(Msg::Checked(Err(transient())));
    assert!(
        matches!(&effects[..], [Effect::Retry { .. }]),
        "{effects:?}"
    );
    let effects = state.update(Msg::RetryNow);
    let [Effect::Check(read)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(read.url.ends_with("/customers/user-77-old"), "{}", read.url);
    let mut effects = state.update(Msg::Checked(Err(transient())));
    while let [Effect::Retry { .. }] = &effects[..] {
        state.update(Msg::RetryNow);
        effects = state.update(Msg::Checked(Err(transient())));
    }
    assert!(
        matches!(&effects[..], [Effect::RefreshToken, Effect::Emit(_)]),
        "{effects:?}"
    );
    assert_eq!(state.customer_id(), "user-77", "named as the record shown");
}

/// The gateway records a rename before it sends it, and answers a token naming the key its
/// record left with a 404 of its own (`renamed`): that 404 too sends the form to the new key.
#[test]
fn the_gateways_renamed_404_sends_the_form_to_the_new_key() {
    let mut state = partnero_update_form("user-77");
    edit(&mut state, "key", "user-77-old");
    submit(&mut state, "k1").unwrap();
    give_up(&mut state);
    state.update(Msg::Submit {
        fresh_key: "k2".into(),
    });
    let mut moved = not_found();
    moved.gateway = Some("renamed".into());
    let effects = state.update(Msg::Checked(Err(moved)));
    let [Effect::RefreshToken, Effect::Check(read)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(read.url.ends_with("/customers/user-77-old"), "{}", read.url);
    assert_eq!(state.customer_id(), "user-77-old");
}

#[test]
fn no_token_for_the_new_key_names_the_forms_record_again() {
    let mut state = partnero_update_form("user-77");
    edit(&mut state, "key", "user-77-old");
    submit(&mut state, "k1").unwrap();
    state.update(Msg::Saved(Err(transient())));
    state.update(Msg::RetryNow);
    state.update(Msg::Saved(Err(not_found())));
    assert_eq!(state.customer_id(), "user-77-old");
    let effects = state.update(Msg::Credential(None));
    assert!(
        matches!(&effects[..], [Effect::RefreshToken, Effect::Emit(_)]),
        "{effects:?}"
    );
    assert_eq!(state.customer_id(), "user-77", "named as the record shown");
    assert_eq!(state.phase(), Phase::Error);
}
