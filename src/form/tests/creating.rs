use super::*;

#[test]
fn count_looks_for_the_email_before_creating() {
    let mut state = count_create_form();
    let lookup = submit_to_lookup(&mut state, "k1");
    assert_eq!(
        lookup.url,
        "http://127.0.0.1:8788/count/customers/find-by-email?email=ap%40acme.test"
    );
    let effects = state.update(Msg::LookedUp(Ok(None)));
    let [Effect::Save {
        request,
        operation: Operation::Create,
    }] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(request.method, providers::Method::Post);
}

#[test]
fn an_existing_customer_is_offered_instead_of_a_duplicate_and_typed_values_carry_over() {
    let mut state = count_create_form();
    state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    let found = r#"{"status":"success","data":{"uuid":"u-1","customer":"Acme Ltd","email":"ap@acme.test"}}"#;
    let reply = HttpReply {
        status: 200,
        headers: vec![],
        body: found.into(),
    };
    let existing = contract::interpret_reply(state.contract(), &reply).unwrap();
    state.update(Msg::LookedUp(Ok(Some(existing))));
    assert_eq!(
        state.failure,
        Some(Failure::Duplicate {
            id: "u-1".into(),
            name: "Acme Ltd".into()
        })
    );
    assert_eq!(state.phase(), Phase::Error);
    let effects = state.update(Msg::UseExisting);
    let [Effect::RefreshToken, Effect::Load(load)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(load.url.ends_with("/customers/u-1"));
    let full = r#"{"status":"success","data":{"uuid":"u-1","customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 9","website":"https://acme.test","status":"active"}}"#;
    let reply = HttpReply {
        status: 200,
        headers: vec![],
        body: full.into(),
    };
    state.update(Msg::Loaded(contract::interpret_reply(
        state.contract(),
        &reply,
    )));
    assert_eq!(state.operation(), Operation::Update);
    // The typed phone differs from the record's: the person sees both before anything is written.
    assert_eq!(
        state.failure,
        Some(Failure::Differs {
            fields: vec!["mainPhone"],
            left_behind: vec![]
        })
    );
    assert!(state.comparing());
    assert_eq!(
        state.conflict().unwrap().theirs.values.get("mainPhone"),
        "+44 9"
    );
    assert_eq!(state.update(Msg::Resolve(Resolution::KeepMine)), vec![]);
    assert_eq!(state.phase(), Phase::Ready);
    assert_eq!(state.notice, Some(Notice::ChoseExisting));
    assert_eq!(
        state.values.get("mainPhone"),
        "+44 1",
        "what was typed wins"
    );
    assert_eq!(
        state.values.get("website"),
        "https://acme.test",
        "the rest comes from the record"
    );
    let update = submit(&mut state, "k2").unwrap();
    assert_eq!(update.method, providers::Method::Put);
    assert_eq!(
        update.body.as_deref(),
        Some(r#"{"customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 1"}"#)
    );
}

/// Loads the existing customer after "edit that customer instead", from a create form where
/// `typed` was typed (field, text), the customer found being `existing` (Count's reply body).
fn compared_with(typed: &[(&'static str, &str)], existing: &str) -> FormState {
    let mut state = count_create_form();
    for &(field, text) in typed {
        edit(&mut state, field, text);
    }
    state.update(Msg::Submit {
        fresh_key: "k1".into(),
    });
    let reply = HttpReply {
        status: 200,
        headers: vec![],
        body: existing.into(),
    };
    let found = contract::interpret_reply(state.contract(), &reply).unwrap();
    state.update(Msg::LookedUp(Ok(Some(found.clone()))));
    state.update(Msg::UseExisting);
    state.update(Msg::Loaded(Ok(found)));
    state
}

/// `compared_with` Acme Ltd (another phone), `customer` typed as `typed`.
fn compared_with_acme(typed: &str) -> FormState {
    compared_with(
        &[("customer", typed)],
        r#"{"status":"success","data":{"uuid":"u-1","customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 9","status":"active"}}"#,
    )
}

/// Issue 12, bug 5: one click on "edit that customer instead" renamed "Acme Ltd" to what was
/// typed. Now every differing field is shown (theirs → mine) and nothing is written until the
/// person has chosen and saves.
#[test]
fn editing_an_existing_customer_shows_what_would_change_and_writes_nothing_until_chosen() {
    let mut state = compared_with_acme("Acme Limited (new)");
    assert_eq!(
        state.failure,
        Some(Failure::Differs {
            fields: vec!["customer", "mainPhone"],
            left_behind: vec![]
        })
    );
    assert_eq!(state.phase(), Phase::Error);
    // Typing and submitting wait for the choice.
    assert_eq!(
        state.update(Msg::Submit {
            fresh_key: "k2".into()
        }),
        vec![]
    );
    edit(&mut state, "customer", "Something else");
    assert_eq!(state.values.get("customer"), "Acme Limited (new)");

    // Keep their name, take my phone: nothing is sent by the choice itself.
    state.update(Msg::Choose {
        field: "customer",
        side: Side::Theirs,
    });
    assert_eq!(state.update(Msg::Resolve(Resolution::Merge)), vec![]);
    assert_eq!(state.failure, None);
    assert_eq!(state.values.get("customer"), "Acme Ltd");
    assert_eq!(state.values.get("mainPhone"), "+44 1");
    let update = submit(&mut state, "k3").unwrap();
    assert_eq!(
        update.body.as_deref(),
        Some(r#"{"customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 1"}"#)
    );
}

#[test]
fn keeping_all_of_the_existing_customers_values_leaves_nothing_to_save() {
    let mut state = compared_with_acme("Acme Limited (new)");
    assert_eq!(state.update(Msg::Resolve(Resolution::TakeTheirs)), vec![]);
    assert_eq!(state.values.get("customer"), "Acme Ltd");
    assert_eq!(state.values.get("mainPhone"), "+44 9");
    assert_eq!(state.phase(), Phase::Ready);
    assert!(!state.is_dirty());
}

#[test]
fn an_existing_customer_that_already_holds_what_was_typed_needs_no_choice() {
    let state = compared_with(
        &[("mainPhone", "")],
        r#"{"status":"success","data":{"uuid":"u-1","customer":"Acme Ltd","email":"ap@acme.test"}}"#,
    );
    assert_eq!(state.failure, None);
    assert_eq!(state.phase(), Phase::Ready);
}

/// Contacts typed on the create form cannot go to an existing customer (Count's update cannot
/// change them): the person is told before choosing, rather than losing them without a word.
#[test]
fn typed_values_an_update_cannot_carry_are_named_when_editing_that_customer_instead() {
    let contacts =
        r#"[{"firstName":"Hans","lastName":"Meier","email":"hans@globex.test","isPrimary":true}]"#;
    let acme = r#"{"status":"success","data":{"uuid":"u-1","customer":"Acme Ltd","email":"ap@acme.test","mainPhone":"+44 9","status":"active"}}"#;
    let state = compared_with(
        &[("customer", "Acme Limited"), ("contacts", contacts)],
        acme,
    );
    assert_eq!(
        state.failure,
        Some(Failure::Differs {
            fields: vec!["customer", "mainPhone"],
            left_behind: vec!["contacts"]
        })
    );
    // Nothing else differs (everything typed as the record has it): a notice says it.
    let state = compared_with(
        &[
            ("customer", "Acme Ltd"),
            ("mainPhone", "+44 9"),
            ("contacts", contacts),
        ],
        acme,
    );
    assert_eq!(state.failure, None);
    assert_eq!(state.notice, Some(Notice::LeftBehind(vec!["contacts"])));
    // A row added and left blank holds nothing typed.
    let state = compared_with(
        &[("customer", "Acme Limited"), ("contacts", "[\n  {}\n]")],
        acme,
    );
    assert_eq!(
        state.failure,
        Some(Failure::Differs {
            fields: vec!["customer", "mainPhone"],
            left_behind: vec![]
        })
    );
}
