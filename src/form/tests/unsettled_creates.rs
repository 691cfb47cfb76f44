//! Creates whose outcome is unknown: retried only under a guard (an idempotency key, a lookup
//! of what the first attempt made), remembered until settled, and looked for before a create
//! with other values goes out.

use super::*;

#[test]
fn a_prolifi_create_is_retried_with_its_idempotency_key() {
    let mut state = FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
    state.update(Msg::Credential(Some(all())));
    edit(&mut state, "email", "ada@example.com");
    let first = submit(&mut state, "k1").unwrap();
    assert!(matches!(
        &state.update(Msg::Saved(Err(transient())))[..],
        [Effect::Retry { .. }]
    ));
    let effects = state.update(Msg::RetryNow);
    assert_eq!(
        effects,
        vec![Effect::Save {
            request: first,
            operation: Operation::Create
        }]
    );
}

#[test]
fn a_count_create_retry_finds_what_the_first_attempt_created() {
    let mut state = count_create_form();
    state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    let effects = state.update(Msg::LookedUp(Ok(None)));
    assert!(matches!(&effects[..], [Effect::Save { .. }]));
    assert!(matches!(
        &state.update(Msg::Saved(Err(transient())))[..],
        [Effect::Retry { .. }]
    ));
    let effects = state.update(Msg::RetryNow);
    let [Effect::Lookup(lookup)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(lookup.url.contains("find-by-email"));
    let found = r#"{"status":"success","data":{"uuid":"u-9","customer":"Acme Ltd","email":"ap@acme.test"}}"#;
    let reply = HttpReply {
        status: 200,
        headers: vec![],
        body: found.into(),
    };
    let existing = contract::interpret_reply(state.contract(), &reply).unwrap();
    let effects = state.update(Msg::LookedUp(Ok(Some(existing))));
    let [Effect::RefreshToken, Effect::Load(load)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(load.url.ends_with("/customers/u-9"));
    assert_eq!(state.phase(), Phase::Saving);
    let full = r#"{"status":"success","data":{"uuid":"u-9","customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 1"}}"#;
    let reply = HttpReply {
        status: 200,
        headers: vec![],
        body: full.into(),
    };
    let effects = state.update(Msg::Loaded(contract::interpret_reply(
        state.contract(),
        &reply,
    )));
    assert!(matches!(
        &effects[..],
        [Effect::Emit(Event::Saved {
            operation: Operation::Create,
            ..
        })]
    ));
    assert_eq!(
        (state.phase(), state.notice.clone()),
        (Phase::Saved, Some(Notice::Replayed))
    );
    assert_eq!(state.operation(), Operation::Update);
}

#[test]
fn a_partnero_create_retry_reads_the_key_back_first() {
    let mut state = partnero_create_form(Grant::all(Channel::Gateway), "c-77");
    let effects = state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    assert!(
        matches!(&effects[..], [Effect::Save { .. }]),
        "no lookup before a first create"
    );
    assert!(matches!(
        &state.update(Msg::Saved(Err(transient())))[..],
        [Effect::Retry { .. }]
    ));
    let effects = state.update(Msg::RetryNow);
    let [Effect::RefreshToken, Effect::Lookup(lookup)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(lookup.url.ends_with("/customers/c-77"));
    assert_eq!(
        state.customer_id(),
        "c-77",
        "the token provider is asked for this customer"
    );
    let effects = state.update(Msg::LookedUp(Ok(None)));
    assert!(matches!(
        &effects[..],
        [Effect::Save {
            operation: Operation::Create,
            ..
        }]
    ));
}

#[test]
fn a_create_without_a_duplicate_guard_is_not_retried_automatically() {
    let mut state = FormState::new(
        ProviderId::CommerceLayer,
        Operation::Create,
        "",
        Some("http://127.0.0.1:1/cl/api"),
    )
    .unwrap();
    let guest = Grant {
        read: false,
        create: true,
        update: false,
        channel: Channel::Direct,
        owner: None,
        fields: None,
    };
    state.update(Msg::Credential(Some(CredentialUse::Allowed(guest))));
    edit(&mut state, "email", "new@example.com");
    assert!(submit(&mut state, "k1").is_some());
    assert!(matches!(
        &state.update(Msg::Saved(Err(transient())))[..],
        [Effect::Emit(_)]
    ));
    assert_eq!(state.phase(), Phase::Error);
}

#[test]
fn an_unsettled_create_is_sent_again_as_it_was_before_later_edits() {
    let mut state = FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
    state.update(Msg::Credential(Some(all())));
    edit(&mut state, "email", "ada@example.com");
    let first = submit(&mut state, "k1").unwrap();
    give_up(&mut state);
    assert_eq!(state.phase(), Phase::Error);
    edit(&mut state, "first_name", "Ada");
    let effects = state.update(Msg::Submit {
        fresh_key: "k2".into(),
    });
    assert_eq!(
        effects,
        vec![Effect::Save {
            request: first,
            operation: Operation::Create
        }]
    );
    let created = record(r#"{"data":{"id":"new-1","email":"ada@example.com","updated_at":"t1"}}"#);
    let effects = state.update(Msg::Saved(Ok(Saved {
        record: created.clone(),
        replayed: true,
    })));
    assert!(matches!(
        &effects[..],
        [
            Effect::Emit(Event::Saved {
                operation: Operation::Create,
                ..
            }),
            Effect::Check(_)
        ]
    ));
    assert_eq!(
        state.values.get("first_name"),
        "Ada",
        "the later edit is kept"
    );
    let effects = state.update(Msg::Checked(Ok(created)));
    let [Effect::Save {
        request,
        operation: Operation::Update,
    }] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(request.body.as_deref(), Some(r#"{"first_name":"Ada"}"#));
}

#[test]
fn a_lookup_that_finds_someone_elses_customer_is_not_adopted() {
    let mut state = partnero_create_form(Grant::all(Channel::Gateway), "taken_key");
    edit(&mut state, "email", "me@example.com");
    state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    state.update(Msg::Saved(Err(transient())));
    state.update(Msg::RetryNow);
    let stranger =
        r#"{"data":{"key":"taken_key","email":"someone@else.com","name":"Bob"},"status":1}"#;
    let reply = HttpReply {
        status: 200,
        headers: vec![],
        body: stranger.into(),
    };
    let found = contract::interpret_reply(state.contract(), &reply).unwrap();
    state.update(Msg::LookedUp(Ok(Some(found.clone()))));
    let effects = state.update(Msg::Loaded(Ok(found)));
    assert!(
        matches!(
            &effects[..],
            [Effect::Emit(Event::Error(Failure::Duplicate { .. }))]
        ),
        "{effects:?}"
    );
    assert!(state.loaded.is_none());
    assert_eq!(state.values.get("email"), "me@example.com");
}

/// A Count create sent, its outcome unknown, then every find-by-email lookup before sending it
/// again timing out: the form reports the failure.
fn count_create_unsettled_behind_lookups() -> FormState {
    let mut state = count_create_form();
    state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    state.update(Msg::LookedUp(Ok(None)));
    let mut effects = state.update(Msg::Saved(Err(transient())));
    while let [Effect::Retry { .. }] = &effects[..] {
        let next = state.update(Msg::RetryNow);
        assert!(matches!(&next[..], [Effect::Lookup(_)]), "{next:?}");
        effects = state.update(Msg::LookedUp(Err(transient())));
    }
    assert_eq!(state.phase(), Phase::Error);
    state
}

const FIRST_EMAIL_LOOKUP: &str =
    "http://127.0.0.1:8788/count/customers/find-by-email?email=ap%40acme.test";

#[test]
fn a_create_whose_lookups_time_out_is_looked_for_again_before_another_with_a_new_email() {
    let mut state = count_create_unsettled_behind_lookups();
    edit(&mut state, "email", "billing@acme.test");
    let lookup = submit_to_lookup(&mut state, "k2");
    assert_eq!(
        lookup.url, FIRST_EMAIL_LOOKUP,
        "the first create, which may have made a customer, is looked for by what it sent"
    );
    let found = count_record(
        r#"{"status":"success","data":{"uuid":"u-9","customer":"Acme Ltd","email":"ap@acme.test"}}"#,
    );
    let effects = state.update(Msg::LookedUp(Ok(Some(found))));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Save { .. })),
        "{effects:?}"
    );
    assert!(matches!(
        &state.failure,
        Some(Failure::Duplicate { id, .. }) if id == "u-9"
    ));
    assert_eq!(
        state.values.get("email"),
        "billing@acme.test",
        "what was typed is kept"
    );
}

#[test]
fn once_the_first_create_is_known_not_to_have_landed_the_new_values_are_created() {
    let mut state = count_create_unsettled_behind_lookups();
    edit(&mut state, "email", "billing@acme.test");
    state.update(Msg::Submit {
        fresh_key: "k2".into(),
    });
    let effects = state.update(Msg::LookedUp(Ok(None)));
    let [Effect::Lookup(lookup)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(
        lookup.url.ends_with("email=billing%40acme.test"),
        "{lookup:?}"
    );
    let effects = state.update(Msg::LookedUp(Ok(None)));
    let [Effect::Save {
        request,
        operation: Operation::Create,
    }] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert!(request
        .body
        .as_deref()
        .unwrap_or("")
        .contains("billing@acme.test"));
    // Settled: a later failure of this create is about this one alone.
    give_up_create(&mut state);
    edit(&mut state, "mainPhone", "+44 2");
    let lookup = submit_to_lookup(&mut state, "k3");
    assert!(
        lookup.url.ends_with("email=billing%40acme.test"),
        "{lookup:?}"
    );
}

#[test]
fn the_same_create_after_its_lookups_timed_out_is_looked_for_before_it_is_sent_again() {
    let mut state = count_create_unsettled_behind_lookups();
    let lookup = submit_to_lookup(&mut state, "k2");
    assert_eq!(lookup.url, FIRST_EMAIL_LOOKUP);
    let found = count_record(
        r#"{"status":"success","data":{"uuid":"u-9","customer":"Acme Ltd","email":"ap@acme.test"}}"#,
    );
    let effects = state.update(Msg::LookedUp(Ok(Some(found))));
    assert!(
        matches!(&effects[..], [Effect::RefreshToken, Effect::Load(_)]),
        "read back and adopted if it holds what was sent: {effects:?}"
    );
}

/// Fails a Count create under way with network errors, its lookups too, until reported.
fn give_up_create(state: &mut FormState) {
    let mut effects = state.update(Msg::Saved(Err(transient())));
    while let [Effect::Retry { .. }] = &effects[..] {
        state.update(Msg::RetryNow);
        effects = state.update(Msg::LookedUp(Err(transient())));
    }
}

#[test]
fn a_partnero_create_under_a_new_key_waits_until_the_first_key_is_known_free() {
    let mut state = partnero_create_form(Grant::all(Channel::Gateway), "c-77");
    state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    let mut effects = state.update(Msg::Saved(Err(transient())));
    while let [Effect::Retry { .. }] = &effects[..] {
        state.update(Msg::RetryNow);
        effects = state.update(Msg::LookedUp(Err(transient())));
    }
    assert_eq!(state.phase(), Phase::Error);
    edit(&mut state, "key", "c-78");
    let effects = state.update(Msg::Submit {
        fresh_key: "k2".into(),
    });
    let [Effect::RefreshToken, Effect::Lookup(lookup)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(lookup.url.ends_with("/customers/c-77"), "{lookup:?}");
    assert_eq!(state.customer_id(), "c-77", "a token that may read it");
    let effects = state.update(Msg::LookedUp(Ok(None)));
    let [Effect::RefreshToken, Effect::Save {
        request,
        operation: Operation::Create,
    }] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert!(request.body.as_deref().unwrap_or("").contains("c-78"));
    assert_eq!(state.customer_id(), "", "a create names no customer");
}

/// A create-only token cannot read a customer: the earlier create cannot be looked for.
fn partnero_creator_with_an_unsettled_create() -> FormState {
    let creator = Grant {
        read: false,
        update: false,
        ..Grant::all(Channel::Gateway)
    };
    let mut state = partnero_create_form(creator, "c-77");
    state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    let forbidden = ApiError::new(Some(403), ErrorKind::Permission, "");
    let mut effects = state.update(Msg::Saved(Err(transient())));
    while let [Effect::Retry { .. }] = &effects[..] {
        state.update(Msg::RetryNow);
        effects = state.update(Msg::LookedUp(Err(forbidden.clone())));
    }
    assert_eq!(state.phase(), Phase::Error);
    state
}

#[test]
fn a_token_that_cannot_read_does_not_look_for_the_earlier_create_before_another() {
    let mut state = partnero_creator_with_an_unsettled_create();
    edit(&mut state, "key", "c-78");
    let effects = state.update(Msg::Submit {
        fresh_key: "k2".into(),
    });
    assert!(
        matches!(
            effects.last(),
            Some(Effect::Save {
                operation: Operation::Create,
                ..
            })
        ),
        "{effects:?}"
    );
    assert_eq!(state.customer_id(), "", "a create names no customer");
}

#[test]
fn an_earlier_create_that_cannot_be_looked_for_does_not_hold_the_next_one_back() {
    let mut state = count_create_unsettled_behind_lookups();
    edit(&mut state, "email", "billing@acme.test");
    state.update(Msg::Submit {
        fresh_key: "k2".into(),
    });
    let forbidden = ApiError::new(Some(403), ErrorKind::Permission, "");
    let effects = state.update(Msg::LookedUp(Err(forbidden)));
    assert!(
        matches!(effects.last(), Some(Effect::Emit(_))),
        "{effects:?}"
    );
    let lookup = submit_to_lookup(&mut state, "k3");
    assert!(
        lookup.url.ends_with("email=billing%40acme.test"),
        "the new create's own lookup: {lookup:?}"
    );
}

#[test]
fn no_token_to_look_for_a_chosen_key_leaves_the_create_form_naming_nothing() {
    let mut state = partnero_create_form(Grant::all(Channel::Gateway), "c-77");
    state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    state.update(Msg::Saved(Err(transient())));
    state.update(Msg::RetryNow);
    assert_eq!(
        state.customer_id(),
        "c-77",
        "a token that may read it was asked for"
    );
    let refused = CredentialUse::Refused(RefusalReason::WrongProvider);
    let effects = state.update(Msg::Credential(Some(refused)));
    assert!(
        matches!(effects.last(), Some(Effect::Emit(_))),
        "{effects:?}"
    );
    assert_eq!(state.customer_id(), "");
}

/// A Partnero create form under `grant`, with the key `key` chosen and a referring partner.
fn partnero_create_form(grant: Grant, key: &str) -> FormState {
    let mut state = FormState::new(ProviderId::Partnero, Operation::Create, "", None).unwrap();
    state.update(Msg::Credential(Some(CredentialUse::Allowed(grant))));
    edit(&mut state, "key", key);
    edit(&mut state, "partner.key", "ref_123");
    state
}
