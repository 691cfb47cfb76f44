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
