use super::*;

#[test]
fn update_sends_only_changes_to_the_canonical_id() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    let request = submit(&mut state, "k1").unwrap();
    assert_eq!(request.method, Method::Patch);
    assert!(request.url.ends_with("/customers/c-1"));
    assert_eq!(request.body.as_deref(), Some(r#"{"last_name":"Smith"}"#));
    assert_eq!(state.phase(), Phase::Saving);
}

#[test]
fn double_submit_sends_once() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    assert!(submit(&mut state, "k1").is_some());
    assert!(submit(&mut state, "k2").is_none());
}

#[test]
fn a_transient_failure_keeps_values_and_the_key_for_the_same_request() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    submit(&mut state, "k1").unwrap();
    give_up(&mut state);
    assert_eq!(state.phase(), Phase::Error);
    assert_eq!(state.values.get("last_name"), "Smith");
    let retry = submit(&mut state, "k2").unwrap();
    assert_eq!(retry.header("Idempotency-Key"), Some("k1"));
}

#[test]
fn a_different_request_gets_a_new_key() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    submit(&mut state, "k1").unwrap();
    give_up(&mut state);
    edit(&mut state, "last_name", "Smythe");
    assert_eq!(
        submit(&mut state, "k2").unwrap().header("Idempotency-Key"),
        Some("k2")
    );
}

#[test]
fn a_validation_failure_does_not_reuse_the_key() {
    let mut state = loaded_update_form();
    edit(&mut state, "email", "taken@example.com");
    submit(&mut state, "k1").unwrap();
    let mut error = ApiError::new(Some(422), ErrorKind::Validation, "invalid");
    error.field_errors = vec![
        providers::FieldError::new("email", "Taken."),
        providers::FieldError::new("plan", "Bad."),
    ];
    let effects = state.update(Msg::Saved(Err(error)));
    assert!(matches!(&effects[..], [Effect::Emit(Event::Error(_))]));
    assert_eq!(
        state.field_errors.get("email"),
        Some(&FieldMessage::Text("Taken.".into()))
    );
    assert!(!state.field_errors.contains_key("plan"));
    assert_eq!(
        submit(&mut state, "k2").unwrap().header("Idempotency-Key"),
        Some("k2")
    );
}

#[test]
fn editing_a_field_clears_its_error_and_then_the_alert() {
    let mut state = FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
    state.update(Msg::Credential(Some(all())));
    assert_eq!(state.phase(), Phase::Ready);
    edit(&mut state, "email", "not-an-email");
    assert!(submit(&mut state, "k1").is_none());
    assert_eq!(
        state.field_errors.get("email"),
        Some(&FieldMessage::Rule(Rule::Email))
    );
    assert_eq!(state.failure, Some(Failure::Invalid));
    edit(&mut state, "email", "ok@example.com");
    assert!(state.field_errors.is_empty());
    assert_eq!(state.failure, None);
    assert_eq!(state.phase(), Phase::Ready);
}

#[test]
fn after_a_create_the_next_submit_updates_the_new_customer() {
    let mut state = FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
    state.update(Msg::Credential(Some(all())));
    edit(&mut state, "email", "ada@example.com");
    edit(&mut state, "name", "Ada Lovelace");
    let create = submit(&mut state, "k1").unwrap();
    assert_eq!(create.method, Method::Post);
    let created = record(
        r#"{"data":{"id":"new-1","email":"ada@example.com","first_name":"Ada","last_name":"Lovelace","name":"Ada Lovelace"}}"#,
    );
    let effects = state.update(Msg::Saved(Ok(Saved {
        record: created,
        replayed: false,
    })));
    assert!(matches!(
        &effects[..],
        [Effect::Emit(Event::Saved {
            operation: Operation::Create,
            ..
        })]
    ));
    assert_eq!(
        (state.phase(), state.notice.clone()),
        (Phase::Saved, Some(Notice::Created))
    );
    assert_eq!(state.values.get("first_name"), "Ada");
    assert!(submit(&mut state, "k2").is_none(), "nothing changed");
    assert_eq!(
        (state.phase(), state.notice.clone()),
        (Phase::Saved, Some(Notice::Created)),
        "the new customer's id stays in view"
    );
    edit(&mut state, "phone", "+1 555");
    let update = submit(&mut state, "k3").unwrap();
    assert_eq!(update.method, Method::Patch);
    assert!(update.url.ends_with("/customers/new-1"));
}

#[test]
fn read_only_credentials_never_send_a_write() {
    let mut state =
        FormState::new(ProviderId::Prolifi, Operation::Update, "c-1", Some(BASE)).unwrap();
    let effects = state.update(Msg::Credential(Some(read_only())));
    assert!(matches!(&effects[..], [Effect::Load(_)]));
    state.update(Msg::Loaded(Ok(record(CUSTOMER))));
    assert_eq!(
        (state.phase(), state.notice.clone()),
        (Phase::ReadOnly, Some(Notice::ReadOnly))
    );
    edit(&mut state, "last_name", "Smith");
    assert_eq!(state.values.get("last_name"), "Doe");
    assert!(submit(&mut state, "k1").is_none());

    let mut create =
        FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
    assert!(create.update(Msg::Credential(Some(read_only()))).is_empty());
    assert_eq!(create.phase(), Phase::ReadOnly);
}

/// A credential that may change customers but not create them (or the other way round) is
/// not one that "can only read": the form tells them apart, to say what it cannot do here.
#[test]
fn a_credential_for_the_other_write_says_which_it_cannot_do() {
    let update_only = CredentialUse::Allowed(Grant {
        create: false,
        ..Grant::all(Channel::Direct)
    });
    let mut create =
        FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
    create.update(Msg::Credential(Some(update_only)));
    assert_eq!(
        (create.phase(), create.notice.clone()),
        (Phase::ReadOnly, Some(Notice::ReadOnly))
    );
    assert!(create.may_write_other_operation());
    let create_only = CredentialUse::Allowed(Grant {
        update: false,
        ..Grant::all(Channel::Direct)
    });
    let mut update =
        FormState::new(ProviderId::Prolifi, Operation::Update, "c-1", Some(BASE)).unwrap();
    update.update(Msg::Credential(Some(create_only)));
    update.update(Msg::Loaded(Ok(record(CUSTOMER))));
    assert_eq!(update.notice.clone(), Some(Notice::ReadOnly));
    assert!(update.may_write_other_operation());
    // Given a credential that may write after all, the notice goes.
    update.update(Msg::Credential(Some(all())));
    assert_eq!(update.notice, None);
    let mut read = FormState::new(ProviderId::Prolifi, Operation::Create, "", Some(BASE)).unwrap();
    read.update(Msg::Credential(Some(read_only())));
    assert!(!read.may_write_other_operation());
}

#[test]
fn refused_credentials_send_nothing_at_all() {
    let mut state =
        FormState::new(ProviderId::Prolifi, Operation::Update, "c-1", Some(BASE)).unwrap();
    let effects = state.update(Msg::Credential(Some(CredentialUse::Refused(
        RefusalReason::SecretLiveKey,
    ))));
    assert_eq!(
        effects,
        vec![Effect::Emit(Event::Error(Failure::Credential(
            RefusalReason::SecretLiveKey
        )))]
    );
    assert_eq!(state.phase(), Phase::Error);
    assert!(submit(&mut state, "k").is_none());
}

#[test]
fn a_failed_load_can_be_retried() {
    let mut state =
        FormState::new(ProviderId::Prolifi, Operation::Update, "c-1", Some(BASE)).unwrap();
    state.update(Msg::Credential(Some(all())));
    let outage = || Msg::Loaded(Err(ApiError::new(Some(503), ErrorKind::Server, "")));
    while let [Effect::Retry { .. }] = &state.update(outage())[..] {
        assert_eq!(state.phase(), Phase::Loading, "retrying on its own");
        assert!(matches!(
            &state.update(Msg::RetryNow)[..],
            [Effect::Load(_)]
        ));
    }
    assert_eq!(state.phase(), Phase::Error);
    edit(&mut state, "email", "x@y.z");
    assert_eq!(
        state.values.get("email"),
        "",
        "no typing into a form that did not load"
    );
    assert!(matches!(
        &state.update(Msg::RetryLoad)[..],
        [Effect::Load(_)]
    ));
    assert_eq!(state.phase(), Phase::Loading);
}

#[test]
fn a_new_token_does_not_reload_or_drop_typed_values() {
    let mut state = loaded_update_form();
    edit(&mut state, "last_name", "Smith");
    assert!(state.update(Msg::Credential(Some(all()))).is_empty());
    assert_eq!(state.values.get("last_name"), "Smith");
    assert!(state.update(Msg::Credential(Some(read_only()))).is_empty());
    assert_eq!(state.phase(), Phase::ReadOnly);
    assert_eq!(state.values.get("last_name"), "Smith");
}

#[test]
fn a_customer_token_edits_its_own_record_when_none_is_named() {
    let mut state = FormState::new(
        ProviderId::CommerceLayer,
        Operation::Update,
        "",
        Some("http://127.0.0.1:1/commercelayer/api"),
    )
    .unwrap();
    let grant = Grant {
        read: true,
        create: false,
        update: true,
        channel: Channel::Direct,
        owner: Some("XAyRWNUzyN".into()),
        fields: None,
    };
    let effects = state.update(Msg::Credential(Some(CredentialUse::Allowed(grant))));
    let [Effect::Load(load)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(load.url.contains("/customers/XAyRWNUzyN?include="));
    assert!(
        state
            .contract()
            .fields(Operation::Update)
            .iter()
            .all(|f| f.name != "customer_group"),
        "sales-channel fields"
    );
}

#[test]
fn commerce_layer_needs_an_api_base() {
    assert!(FormState::new(ProviderId::CommerceLayer, Operation::Create, "", None).is_none());
    assert!(FormState::new(ProviderId::Prolifi, Operation::Create, "", None).is_some());
}

#[test]
fn seeds_fill_only_empty_fields() {
    let mut state = FormState::new(ProviderId::Partnero, Operation::Create, "", None).unwrap();
    state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
        Channel::Gateway,
    )))));
    edit(&mut state, "partner.id", "p1");
    state.update(Msg::Seed(
        FormValues::new()
            .with("partner.key", "ref_123")
            .with("partner.id", "other"),
    ));
    assert_eq!(
        (
            state.values.get("partner.key"),
            state.values.get("partner.id")
        ),
        ("ref_123", "p1")
    );
}

/// A scoped token whose `fields` claim names only some fields: the others cannot be edited.
#[test]
fn a_token_limited_to_some_fields_edits_only_those() {
    let mut state = FormState::new(
        ProviderId::Prolifi,
        Operation::Update,
        "cus_1001",
        Some(BASE),
    )
    .unwrap();
    let grant = Grant {
        fields: Some(vec!["email".into(), "billing".into()]),
        ..Grant::all(Channel::Gateway)
    };
    state.update(Msg::Credential(Some(CredentialUse::Allowed(grant))));
    state.update(Msg::Loaded(Ok(record(CUSTOMER))));
    assert!(state.may_write("email"));
    assert!(state.may_write("billing.city"));
    assert!(!state.may_write("billingcity"));
    assert!(!state.may_write("last_name"));
    edit(&mut state, "last_name", "Smith");
    assert_eq!(
        state.values.get("last_name"),
        "Doe",
        "not writable: unchanged"
    );
    edit(&mut state, "email", "jane@example.org");
    assert_eq!(state.values.get("email"), "jane@example.org");
}

/// Commerce Layer drops tags that do not exist: the save says which.
#[test]
fn tags_the_provider_left_out_are_named_after_a_save() {
    const ADA: &str = r#"{"data":{"id":"XAyRWNUzyN","type":"customers","attributes":{"email":"ada@example.com","updated_at":"t1"},"relationships":{"tags":{"data":[{"type":"tags","id":"t1"}]}}},"included":[{"id":"t1","type":"tags","attributes":{"name":"vip"}}]}"#;
    let base = "http://127.0.0.1:8788/commercelayer";
    let mut state = FormState::new(
        ProviderId::CommerceLayer,
        Operation::Update,
        "XAyRWNUzyN",
        Some(base),
    )
    .unwrap();
    state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
        Channel::Gateway,
    )))));
    let reply = |body: &str| HttpReply {
        status: 200,
        headers: vec![],
        body: body.into(),
    };
    let contract = state.contract();
    let ada = contract::interpret_reply(contract, &reply(ADA)).unwrap();
    state.update(Msg::Loaded(Ok(ada.clone())));
    edit(&mut state, "tags", "vip, platinum");
    let effects = state.update(Msg::Submit {
        fresh_key: "k".into(),
    });
    assert!(matches!(&effects[..], [Effect::Check(_)]), "{effects:?}");
    let effects = state.update(Msg::Checked(Ok(ada.clone())));
    assert!(matches!(&effects[..], [Effect::Save { .. }]), "{effects:?}");
    state.update(Msg::Saved(Ok(Saved {
        record: ada,
        replayed: false,
    })));
    assert_eq!(state.phase(), Phase::Saved);
    assert_eq!(
        state.notice,
        Some(Notice::TagsNotAdded(vec!["platinum".into()]))
    );
    assert_eq!(state.values.get("tags"), "vip");
}
