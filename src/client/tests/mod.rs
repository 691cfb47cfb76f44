//! The client with a scripted transport and a scripted token source, on a tiny executor: every
//! step (token, send, 401, renewal, abort) under the test's control.

mod harness;
mod reference_lists;

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use providers::{ErrorKind, ProviderId, RefusalReason};

use super::abort::Abort;
use super::tokens::{TokenCache, TokenError, TokenPurpose};
use super::ClientError;
use harness::*;

#[test]
fn a_call_gets_a_token_sends_it_and_reads_the_record() {
    let s = setup(true);
    s.tokens.give(&token(1));
    s.transport.answer(200, JANE);
    let mut executor = Executor::default();
    let result: Rc<RefCell<Option<_>>> = Rc::default();
    let (client, slot) = (s.client.clone(), result.clone());
    executor.spawn(async move {
        let contract = ProviderId::Prolifi.contract();
        let got = client.call(contract, BASE, get(), &Abort::new()).await;
        *slot.borrow_mut() = Some(got.map(|(_, record)| record.id));
    });
    executor.run();
    assert_eq!(*result.borrow(), Some(Ok("c-1".to_string())));
    assert_eq!(s.transport.tokens_sent(), vec![Some(token(1))]);
    // The next call reuses the cached token.
    s.transport.answer(200, JANE);
    let second = start(&mut executor, &s.client, &Abort::new());
    executor.run();
    assert_eq!(outcome(&second), Some(Ok(200)));
    assert_eq!(s.tokens.times_asked(), 1);
}

#[test]
fn a_401_renews_the_token_once_and_sends_again() {
    let s = setup(true);
    s.tokens.give(&token(1));
    s.tokens.give(&token(2));
    s.transport.answer(401, UNAUTHORIZED);
    s.transport.answer(200, JANE);
    let call = run_once(&s);
    assert_eq!(outcome(&call), Some(Ok(200)));
    assert_eq!(
        s.transport.tokens_sent(),
        vec![Some(token(1)), Some(token(2))]
    );
}

#[test]
fn a_second_401_is_the_answer_not_a_loop() {
    let s = setup(true);
    s.tokens.give(&token(1));
    s.tokens.give(&token(2));
    s.transport.answer(401, UNAUTHORIZED);
    s.transport.answer(401, UNAUTHORIZED);
    let mut executor = Executor::default();
    let result: Rc<RefCell<Option<_>>> = Rc::default();
    let (client, slot) = (s.client.clone(), result.clone());
    executor.spawn(async move {
        let contract = ProviderId::Prolifi.contract();
        let got = client.call(contract, BASE, get(), &Abort::new()).await;
        *slot.borrow_mut() = Some(got.map(|_| ()));
    });
    executor.run();
    let Some(Err(ClientError::Api(error))) = result.borrow().clone() else {
        panic!("{:?}", result.borrow())
    };
    assert_eq!(
        (error.status, error.kind),
        (Some(401), ErrorKind::Authentication)
    );
    assert_eq!(s.transport.sent.borrow().len(), 2);
    assert_eq!(s.tokens.times_asked(), 2);
}

#[test]
fn a_fixed_token_is_not_renewed_on_a_401() {
    let s = setup(false);
    s.tokens.give(&token(1));
    s.transport.answer(401, UNAUTHORIZED);
    let call = run_once(&s);
    assert_eq!(outcome(&call), Some(Ok(401)));
    assert_eq!(s.transport.sent.borrow().len(), 1);
}

#[test]
fn a_token_the_form_must_not_use_is_refused_before_anything_is_sent() {
    let s = setup(true);
    s.tokens.give("sk_live_secret");
    let call = run_once(&s);
    assert_eq!(
        outcome(&call),
        Some(Err(ClientError::Refused(RefusalReason::SecretLiveKey)))
    );
    assert!(s.transport.sent.borrow().is_empty());
}

#[test]
fn a_renewed_token_is_checked_too() {
    let s = setup(true);
    s.tokens.give(&token(1));
    s.tokens.give("sk_live_secret");
    s.transport.answer(401, UNAUTHORIZED);
    let call = run_once(&s);
    assert_eq!(
        outcome(&call),
        Some(Err(ClientError::Refused(RefusalReason::SecretLiveKey)))
    );
    assert_eq!(
        s.transport.sent.borrow().len(),
        1,
        "never sent with the secret"
    );
}

#[test]
fn no_token_is_one_error() {
    let s = setup(true);
    s.tokens
        .tokens
        .borrow_mut()
        .push_back(Later::ready(Err(TokenError::Missing)));
    let mut executor = Executor::default();
    let call = start(&mut executor, &s.client, &Abort::new());
    executor.run();
    assert_eq!(
        outcome(&call),
        Some(Err(ClientError::Token(TokenError::Missing)))
    );
    // A provider that answers with an empty string failed.
    s.tokens.give("  ");
    let call = start(&mut executor, &s.client, &Abort::new());
    executor.run();
    assert_eq!(
        outcome(&call),
        Some(Err(ClientError::Token(TokenError::ProviderFailed)))
    );
    assert!(s.transport.sent.borrow().is_empty());
}

#[test]
fn abort_stops_a_request_in_flight_and_cancels_it() {
    let s = setup(true);
    s.tokens.give(&token(1));
    let _never = s.transport.answer_later();
    let abort = Abort::new();
    let mut executor = Executor::default();
    let call = start(&mut executor, &s.client, &abort);
    executor.run();
    assert_eq!(outcome(&call), None, "waiting for the reply");
    abort.abort();
    executor.run();
    assert_eq!(outcome(&call), Some(Err(ClientError::Aborted)));
    assert_eq!(*s.transport.aborted.borrow(), 1, "the transport was told");
    assert!(executor.idle());
}

#[test]
fn nothing_is_sent_after_an_abort_even_once_the_token_arrives() {
    let s = setup(true);
    let later = s.tokens.give_later();
    let abort = Abort::new();
    let mut executor = Executor::default();
    let call = start(&mut executor, &s.client, &abort);
    executor.run();
    abort.abort();
    later.give(Ok(token(1)));
    executor.run();
    assert_eq!(outcome(&call), Some(Err(ClientError::Aborted)));
    assert!(s.transport.sent.borrow().is_empty());
}

#[test]
fn concurrent_requests_share_one_first_token() {
    let s = setup(true);
    let later = s.tokens.give_later();
    s.transport.answer(200, JANE);
    s.transport.answer(200, JANE);
    let mut executor = Executor::default();
    let first = start(&mut executor, &s.client, &Abort::new());
    let second = start(&mut executor, &s.client, &Abort::new());
    executor.run();
    assert_eq!(s.tokens.times_asked(), 1);
    later.give(Ok(token(1)));
    executor.run();
    assert_eq!(
        (outcome(&first), outcome(&second)),
        (Some(Ok(200)), Some(Ok(200)))
    );
    assert_eq!(
        s.transport.tokens_sent(),
        vec![Some(token(1)), Some(token(1))]
    );
}

#[test]
fn concurrent_401s_share_one_renewal() {
    let s = setup(true);
    s.tokens.give(&token(1));
    let renewal = s.tokens.give_later();
    let first_reply = s.transport.answer_later();
    let second_reply = s.transport.answer_later();
    s.transport.answer(200, JANE);
    s.transport.answer(200, JANE);
    let mut executor = Executor::default();
    let first = start(&mut executor, &s.client, &Abort::new());
    let second = start(&mut executor, &s.client, &Abort::new());
    executor.run();
    first_reply.give(Ok(reply(401, UNAUTHORIZED)));
    second_reply.give(Ok(reply(401, UNAUTHORIZED)));
    executor.run();
    assert_eq!(s.tokens.times_asked(), 2, "the first token and one renewal");
    renewal.give(Ok(token(2)));
    executor.run();
    assert_eq!(
        (outcome(&first), outcome(&second)),
        (Some(Ok(200)), Some(Ok(200)))
    );
    assert_eq!(
        s.transport.tokens_sent(),
        vec![
            Some(token(1)),
            Some(token(1)),
            Some(token(2)),
            Some(token(2))
        ]
    );
    assert_eq!(s.tokens.times_asked(), 2);
}

#[test]
fn a_401_for_a_token_already_replaced_uses_the_replacement() {
    let s = setup(true);
    s.tokens.give(&token(1));
    s.tokens.give(&token(2));
    let late_reply = s.transport.answer_later();
    s.transport.answer(401, UNAUTHORIZED);
    s.transport.answer(200, JANE);
    s.transport.answer(200, JANE);
    let mut executor = Executor::default();
    let slow = start(&mut executor, &s.client, &Abort::new());
    let fast = start(&mut executor, &s.client, &Abort::new());
    executor.run();
    assert_eq!(outcome(&fast), Some(Ok(200)), "renewed to token 2");
    // The slow request's 401 answers token 1, which is already replaced: no second renewal.
    late_reply.give(Ok(reply(401, UNAUTHORIZED)));
    executor.run();
    assert_eq!(outcome(&slow), Some(Ok(200)));
    assert_eq!(s.tokens.times_asked(), 2);
    assert_eq!(s.transport.tokens_sent()[3], Some(token(2)));
}

#[test]
fn a_token_about_to_expire_is_renewed_before_use() {
    let s = setup(true);
    let soon = jwt(&format!(
        r#"{{"provider":"prolifi","exp":{}}}"#,
        clock() as u64 + 30
    ));
    s.tokens.give(&soon);
    s.tokens.give(&token(2));
    s.transport.answer(200, JANE);
    s.transport.answer(200, JANE);
    let mut executor = Executor::default();
    start(&mut executor, &s.client, &Abort::new());
    executor.run();
    start(&mut executor, &s.client, &Abort::new());
    executor.run();
    assert_eq!(s.transport.tokens_sent(), vec![Some(soon), Some(token(2))]);
}

#[test]
fn the_purpose_goes_to_the_token_source_and_forget_asks_again() {
    let s = setup(true);
    s.tokens.give(&token(1));
    s.tokens.give(&token(2));
    s.transport.answer(200, JANE);
    s.transport.answer(200, JANE);
    let purpose = |customer: &str| TokenPurpose {
        provider: "prolifi",
        operation: "update",
        customer_id: customer.to_string(),
    };
    s.client.tokens.set_purpose(purpose("c-1"));
    let mut executor = Executor::default();
    start(&mut executor, &s.client, &Abort::new());
    executor.run();
    s.client.tokens.set_purpose(purpose("c-2"));
    s.client.tokens.forget();
    start(&mut executor, &s.client, &Abort::new());
    executor.run();
    assert_eq!(
        *s.tokens.asked.borrow(),
        vec![purpose("c-1"), purpose("c-2")]
    );
}

#[test]
fn waiters_are_released_if_the_fetch_they_joined_is_dropped() {
    let tokens = ScriptedTokens::new(true);
    let _never = tokens.give_later();
    tokens.give(&token(2));
    let cache = Rc::new(TokenCache::new(tokens.clone(), clock));
    let mut driver = Box::pin({
        let cache = cache.clone();
        async move { cache.token_instead_of(None).await }
    });
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(flag);
    let mut cx = Context::from_waker(&waker);
    assert!(driver.as_mut().poll(&mut cx).is_pending());
    let mut waiter = Box::pin({
        let cache = cache.clone();
        async move { cache.token_instead_of(None).await }
    });
    assert!(waiter.as_mut().poll(&mut cx).is_pending());
    drop(driver);
    assert_eq!(
        waiter.as_mut().poll(&mut cx),
        Poll::Ready(Err(TokenError::ProviderFailed))
    );
    // The next request fetches anew.
    let mut next = Box::pin(async move { cache.token_instead_of(None).await });
    assert_eq!(next.as_mut().poll(&mut cx), Poll::Ready(Ok(token(2))));
}
