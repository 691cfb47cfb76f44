//! The form's transitions, tested natively: saving, creating (lookups and offers), creates
//! whose outcome is unknown, retries, conflicts and drafts, one file each. Helpers here drive a
//! form through the steps a component would.

mod conflicts;
mod creating;
mod drafts;
mod merge;
mod renames;
mod retries;
mod saving;
mod unsettled_creates;

pub(super) use super::*;
pub(super) use providers::contract;
pub(super) use providers::prolifi::Prolifi;
pub(super) use providers::validate::Rule;
pub(super) use providers::{
    ApiError, Channel, Contract, CredentialUse, ErrorKind, FormValues, Grant, HttpReply,
    HttpRequest, Method, Operation, ProviderId, Record, RefusalReason,
};

pub(super) fn all() -> CredentialUse {
    CredentialUse::Allowed(Grant::all(Channel::Direct))
}

pub(super) fn read_only() -> CredentialUse {
    CredentialUse::Allowed(Grant::read_only(Channel::Direct))
}

pub(super) const BASE: &str = "http://127.0.0.1:8787/prolifi/api/v1/public";
pub(super) const CUSTOMER: &str = r#"{"data":{"id":"c-1","email":"jane@example.com","first_name":"Jane","last_name":"Doe","name":"Jane Doe","updated_at":"t1"}}"#;

pub(super) fn record(body: &str) -> Record {
    record_of(&Prolifi, body)
}

/// A 200 reply with `body`, read as `contract`'s record.
pub(super) fn record_of(contract: &dyn Contract, body: &str) -> Record {
    let reply = HttpReply {
        status: 200,
        headers: vec![],
        body: body.into(),
    };
    contract::interpret_reply(contract, &reply).unwrap()
}

pub(super) fn loaded_update_form() -> FormState {
    let mut state = FormState::new(
        ProviderId::Prolifi,
        Operation::Update,
        "cus_1001",
        Some(BASE),
    )
    .unwrap();
    let effects = state.update(Msg::Credential(Some(all())));
    assert!(
        matches!(&effects[..], [Effect::Load(r)] if r.url.ends_with("/customers/cus_1001") && r.method == Method::Get)
    );
    state.update(Msg::Loaded(Ok(record(CUSTOMER))));
    assert_eq!(state.phase(), Phase::Ready);
    state
}

pub(super) fn edit(state: &mut FormState, field: &'static str, text: &str) {
    state.update(Msg::Edit {
        field,
        text: text.into(),
    });
}

/// Submits; for an update, answers the re-read with the record unchanged. The write sent, if any.
pub(super) fn submit(state: &mut FormState, key: &str) -> Option<HttpRequest> {
    let mut effects = state.update(Msg::Submit {
        fresh_key: key.into(),
    });
    if let [Effect::Check(_)] = &effects[..] {
        // Nobody changed the record meanwhile.
        let unchanged = state.loaded.clone().unwrap();
        effects = state.update(Msg::Checked(Ok(unchanged)));
    }
    match effects.pop() {
        Some(Effect::Save { request, .. }) => Some(request),
        _ => None,
    }
}

/// Fails the request under way with a network error until the retry budget is spent.
pub(super) fn give_up(state: &mut FormState) {
    loop {
        let effects = state.update(Msg::Saved(Err(transient())));
        match &effects[..] {
            [Effect::Retry { .. }] => {
                state.update(Msg::RetryNow);
            }
            _ => break,
        }
    }
}

pub(super) fn transient() -> ApiError {
    ApiError::new(None, ErrorKind::Network, "")
}

pub(super) const COUNT_BASE: &str = "http://127.0.0.1:8788/count";

pub(super) fn count_create_form() -> FormState {
    let mut state =
        FormState::new(ProviderId::Count, Operation::Create, "", Some(COUNT_BASE)).unwrap();
    state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
        Channel::Gateway,
    )))));
    edit(&mut state, "customer", "Acme Ltd");
    edit(&mut state, "email", "ap@acme.test");
    edit(&mut state, "mainPhone", "+44 1");
    state
}

pub(super) fn changed_on_server(state: &FormState, field: &str, text: &str) -> Record {
    let mut theirs = state.loaded.clone().unwrap();
    theirs.values.set(field, text);
    theirs.updated_at = Some("t2".into());
    theirs
}

/// A Count update form, loaded at stamp `T`.
pub(super) fn count_update_form() -> FormState {
    let mut state = FormState::new(
        ProviderId::Count,
        Operation::Update,
        "u-1",
        Some(COUNT_BASE),
    )
    .unwrap();
    state.update(Msg::Credential(Some(CredentialUse::Allowed(Grant::all(
        Channel::Gateway,
    )))));
    state.update(Msg::Loaded(Ok(count_record(COUNT_U1))));
    assert_eq!(state.phase(), Phase::Ready);
    state
}

pub(super) const COUNT_U1: &str = r#"{"status":"success","data":{"uuid":"u-1","customer":"Acme","email":"old@acme.test","mainPhone":"+44 1","updatedAt":"T"}}"#;

pub(super) fn count_record(body: &str) -> Record {
    record_of(&providers::count::Count, body)
}

/// Submits; the one lookup that sends.
pub(super) fn submit_to_lookup(state: &mut FormState, key: &str) -> HttpRequest {
    let effects = state.update(Msg::Submit {
        fresh_key: key.into(),
    });
    let [Effect::Lookup(lookup)] = &effects[..] else {
        panic!("{effects:?}")
    };
    lookup.clone()
}
