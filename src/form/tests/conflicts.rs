use super::*;

#[test]
fn someone_elses_change_to_another_field_is_kept_not_overwritten() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    let effects = state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    assert!(matches!(&effects[..], [Effect::Check(check)] if check.method == Method::Get));
    let theirs = changed_on_server(&state, "first_name", "Janet");
    let effects = state.update(Msg::Checked(Ok(theirs)));
    let [Effect::Save { request, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(request.body.as_deref(), Some(r#"{"last_name":"Smith"}"#));
    assert_eq!(state.values.get("first_name"), "Janet");
    let saved = record(
        r#"{"data":{"id":"c-1","email":"jane@example.com","first_name":"Janet","last_name":"Smith","updated_at":"t3"}}"#,
    );
    state.update(Msg::Saved(Ok(Saved {
        record: saved,
        replayed: false,
    })));
    assert_eq!(
        state.notice,
        Some(Notice::SavedWithTheirs(vec!["first_name"]))
    );
}

#[test]
fn a_conflict_is_never_overwritten_silently() {
    for (resolution, expected_body, expected_name) in [
        (
            Resolution::KeepMine,
            Some(r#"{"last_name":"Smith"}"#),
            "Smith",
        ),
        (Resolution::TakeTheirs, None, "Jones"),
    ] {
        let mut state = loaded_update_form();
        edit(&mut state, "last_name", "Smith");
        state.update(Msg::Submit {
            fresh_key: "k1".into(),
        });
        let theirs = changed_on_server(&state, "last_name", "Jones");
        let effects = state.update(Msg::Checked(Ok(theirs)));
        assert!(
            matches!(&effects[..], [Effect::Emit(Event::Error(Failure::Conflict { fields }))] if fields == &vec!["last_name"])
        );
        assert_eq!(state.phase(), Phase::Error);
        assert!(!state.editable(), "the choice comes first");
        let mut effects = state.update(Msg::Resolve(resolution));
        if let [Effect::Check(_)] = &effects[..] {
            // Nobody changed it again while the person chose.
            let now = state.loaded.clone().unwrap();
            effects = state.update(Msg::Checked(Ok(now)));
        }
        let body = match &effects[..] {
            [Effect::Save { request, .. }] => request.body.as_deref(),
            [] => None,
            other => panic!("{other:?}"),
        };
        assert_eq!(body, expected_body);
        assert_eq!(state.values.get("last_name"), expected_name);
    }
}

#[test]
fn a_conflict_can_be_merged_field_by_field() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    edit(&mut state, "phone", "+1 555");
    state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    let mut theirs = changed_on_server(&state, "last_name", "Jones");
    theirs.values.set("phone", "+44 1");
    state.update(Msg::Checked(Ok(theirs)));
    assert_eq!(
        state.failure,
        Some(Failure::Conflict {
            fields: vec!["last_name", "phone"]
        })
    );
    state.update(Msg::Choose {
        field: "last_name",
        side: Side::Theirs,
    });
    let effects = state.update(Msg::Resolve(Resolution::Merge));
    assert!(
        matches!(&effects[..], [Effect::Check(_)]),
        "checked again first"
    );
    let now = state.loaded.clone().unwrap();
    let effects = state.update(Msg::Checked(Ok(now)));
    let [Effect::Save { request, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(request.body.as_deref(), Some(r#"{"phone":"+1 555"}"#));
}

/// The attack: someone else changes a field within the same second (a stamp to the second, as
/// Partnero's, or one a provider does not move): the form must see the change by its values,
/// not revert it by sending the loaded value back (Count's update always carries the email).
#[test]
fn a_change_under_an_unchanged_stamp_is_kept_not_reverted() {
    let mut state = count_update_form();
    edit(&mut state, "mainPhone", "+44 2");
    let effects = state.update(Msg::Submit {
        fresh_key: "k".into(),
    });
    assert!(matches!(&effects[..], [Effect::Check(_)]), "{effects:?}");
    let theirs = count_record(&COUNT_U1.replace("old@acme.test", "new@acme.test"));
    let effects = state.update(Msg::Checked(Ok(theirs)));
    let [Effect::Save { request, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    let body = request.body.as_deref().unwrap_or_default();
    assert!(body.contains("new@acme.test"), "their email kept: {body}");
    assert!(!body.contains("old@acme.test"), "not reverted: {body}");
    assert!(body.contains("+44 2"), "mine sent: {body}");
}

/// The attack: the re-read answers about another customer (a proxy's or a cache's mistake, or
/// a provider's): the form must not take it for this record and write on it.
#[test]
fn a_reread_about_another_customer_is_never_written_to() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    state.update(Msg::Submit {
        fresh_key: "k".into(),
    });
    let other = record(
        r#"{"data":{"id":"c-2","email":"bob@example.com","first_name":"Bob","last_name":"Doe","updated_at":"t9"}}"#,
    );
    // However often it is read again, the reply stays about c-2; nothing is written.
    let mut effects = state.update(Msg::Checked(Ok(other.clone())));
    let mut reads = 0;
    while let [Effect::Retry { .. }] = &effects[..] {
        let again = state.update(Msg::RetryNow);
        let [Effect::Check(read)] = &again[..] else {
            panic!("{again:?}")
        };
        assert!(read.url.ends_with("/customers/c-1"), "{}", read.url);
        reads += 1;
        assert!(reads < 10, "it gives up");
        effects = state.update(Msg::Checked(Ok(other.clone())));
    }
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Save { .. })),
        "{effects:?}"
    );
    assert_eq!(state.loaded.as_ref().map(|r| r.id.as_str()), Some("c-1"));
    assert_eq!(
        state.values.get("last_name"),
        "Smith",
        "what was typed is kept"
    );
}

/// The attack: an update's reply about another customer (Count's uuid cannot change): the form
/// must not move to that customer, whose record the next save would then write.
#[test]
fn an_update_reply_about_another_customer_does_not_move_the_form() {
    let mut state = count_update_form();
    edit(&mut state, "mainPhone", "+44 2");
    let write = submit(&mut state, "k").unwrap();
    assert!(write.url.ends_with("/customers/u-1"), "{}", write.url);
    let other = count_record(
        r#"{"status":"success","data":{"uuid":"u-2","customer":"Other","email":"x@y.test","updatedAt":"T2"}}"#,
    );
    state.update(Msg::Saved(Ok(Saved {
        record: other,
        replayed: false,
    })));
    assert_eq!(state.customer_id(), "u-1");
    assert_eq!(state.loaded.as_ref().map(|r| r.id.as_str()), Some("u-1"));
    assert_ne!(
        state.values.get("customer"),
        "Other",
        "their values not taken as this record's"
    );
}
