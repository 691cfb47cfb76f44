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
