use super::*;

#[test]
fn transient_failures_are_retried_with_the_same_request_then_reported() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    let first = submit(&mut state, "k1").unwrap();
    let mut retry_after = ApiError::new(Some(429), ErrorKind::RateLimited, "");
    retry_after.retry_after_secs = Some(2);
    let effects = state.update(Msg::Saved(Err(retry_after)));
    assert_eq!(
        effects,
        vec![Effect::Retry {
            attempt: 1,
            retry_after_secs: Some(2)
        }]
    );
    assert_eq!(
        (state.phase(), state.notice.clone()),
        (Phase::Saving, Some(Notice::Retrying { secs: 2 }))
    );
    assert_eq!(state.values.get("last_name"), "Smith");
    let effects = state.update(Msg::RetryNow);
    assert_eq!(
        effects,
        vec![Effect::Save {
            request: first.clone(),
            operation: Operation::Update
        }]
    );
    for attempt in 2..=Prolifi.retry_budget() {
        assert_eq!(
            state.update(Msg::Saved(Err(transient()))),
            vec![Effect::Retry {
                attempt,
                retry_after_secs: None
            }]
        );
        state.update(Msg::RetryNow);
    }
    let effects = state.update(Msg::Saved(Err(transient())));
    assert!(
        matches!(&effects[..], [Effect::Emit(Event::Error(_))]),
        "budget spent: {effects:?}"
    );
    assert_eq!(state.phase(), Phase::Error);
}

#[test]
fn a_long_retry_after_is_not_waited_out() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    submit(&mut state, "k1").unwrap();
    let mut error = ApiError::new(Some(429), ErrorKind::RateLimited, "");
    error.retry_after_secs = Some(120);
    assert!(matches!(
        &state.update(Msg::Saved(Err(error)))[..],
        [Effect::Emit(_)]
    ));
    assert_eq!(state.phase(), Phase::Error);
}

#[test]
fn a_submit_before_the_provider_s_wait_is_over_waits_the_rest_out() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    submit(&mut state, "k1").unwrap();
    let mut error = ApiError::new(Some(429), ErrorKind::RateLimited, "");
    error.retry_after_secs = Some(120);
    let refused = Msg::Saved(Err(error));
    assert_eq!(
        refused.retry_after_secs(),
        Some(120),
        "the shell keeps the wait"
    );
    state.update(refused);
    assert_eq!(state.phase(), Phase::Error);

    // Pressed again with 100 s left: nothing goes out; the summary says what is left.
    let early = Msg::SubmitAfter {
        fresh_key: "k2".into(),
        secs: 100,
    };
    let effects = state.update(early);
    assert!(
        matches!(&effects[..], [Effect::Emit(Event::Error(_))]),
        "{effects:?}"
    );
    assert!(
        matches!(&state.failure, Some(Failure::Api { error, .. }) if error.retry_after_secs == Some(100)),
        "{:?}",
        state.failure
    );
    assert_eq!(state.phase(), Phase::Error);

    // With 12 s left: the save is under way and waits them out, then reads the record again
    // and writes, as any save.
    let soon = Msg::SubmitAfter {
        fresh_key: "k3".into(),
        secs: 12,
    };
    assert_eq!(
        state.update(soon),
        vec![Effect::Retry {
            attempt: 0,
            retry_after_secs: Some(12)
        }]
    );
    assert_eq!(
        (state.phase(), state.notice.clone()),
        (Phase::Saving, Some(Notice::Retrying { secs: 12 }))
    );
    let effects = state.update(Msg::RetryNow);
    assert!(matches!(&effects[..], [Effect::Check(_)]), "{effects:?}");
    let unchanged = state.loaded.clone().unwrap();
    let effects = state.update(Msg::Checked(Ok(unchanged)));
    assert!(
        matches!(&effects[..], [Effect::Save { request, .. }] if request.body.as_deref().is_some_and(|b| b.contains("Smith"))),
        "{effects:?}"
    );
}

#[test]
fn a_submit_during_the_wait_with_nothing_to_save_waits_for_nothing() {
    let mut state = loaded_update_form();
    let effects = state.update(Msg::SubmitAfter {
        fresh_key: "k1".into(),
        secs: 5,
    });
    assert_eq!(effects, vec![]);
    assert_eq!(state.notice, Some(Notice::NothingChanged));
    assert_eq!(state.phase(), Phase::Ready);
}

/// An update that timed out every time it was sent, and had got through after all: the next
/// save reads the record again and finds the values written. That is the save the person made,
/// reported as one (`customer-saved`, "saved"), not as "nothing changed", which would leave the
/// host never told.
#[test]
fn an_update_that_landed_unseen_is_reported_saved_when_the_record_shows_it() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    submit(&mut state, "k1").unwrap();
    give_up(&mut state);
    let effects = state.update(Msg::Submit {
        fresh_key: "k2".into(),
    });
    assert!(matches!(&effects[..], [Effect::Check(_)]), "{effects:?}");
    let landed = record(
        r#"{"data":{"id":"c-1","email":"jane@example.com","first_name":"Jane","last_name":"Smith","name":"Jane Smith","updated_at":"t2"}}"#,
    );
    let effects = state.update(Msg::Checked(Ok(landed)));
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Emit(Event::Saved {
                operation: Operation::Update,
                ..
            })
        )),
        "{effects:?}"
    );
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Save { .. })),
        "not written twice"
    );
    // Prolifi computed the full name from the new last name: theirs, kept and said.
    assert_eq!(state.notice, Some(Notice::SavedWithTheirs(vec!["name"])));
    assert_eq!(state.phase(), Phase::Saved);
}
