//! The client with a scripted transport and a scripted token source, on a tiny executor: every
//! step (token, send, 401, renewal, abort) under the test's control.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use providers::{ApiError, ErrorKind, HttpReply, HttpRequest, Method, ProviderId, RefusalReason};

use super::abort::Abort;
use super::tokens::{TokenCache, TokenError, TokenFetch, TokenFuture, TokenPurpose};
use super::{Client, ClientError};
use crate::transport::{ReplyFuture, Transport};

// ---- a single-threaded executor: poll every task until none is woken ----

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

type Task = Pin<Box<dyn Future<Output = ()>>>;

#[derive(Default)]
struct Executor {
    tasks: Vec<Option<Task>>,
}

impl Executor {
    fn spawn(&mut self, task: impl Future<Output = ()> + 'static) {
        self.tasks.push(Some(Box::pin(task)));
    }

    /// Runs until every task is done or waits for something the test has not given yet.
    fn run(&mut self) {
        let flag = Arc::new(Flag(AtomicBool::new(true)));
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        while flag.0.swap(false, Ordering::SeqCst) {
            for slot in &mut self.tasks {
                if let Some(task) = slot {
                    if task.as_mut().poll(&mut cx).is_ready() {
                        *slot = None;
                    }
                }
            }
        }
    }

    fn idle(&self) -> bool {
        self.tasks.iter().all(Option::is_none)
    }
}

/// A value the test hands over later; whoever awaits it parks until then.
struct Later<T>(Rc<RefCell<(Option<T>, Vec<Waker>)>>);

impl<T> Clone for Later<T> {
    fn clone(&self) -> Self {
        Later(self.0.clone())
    }
}

impl<T: Clone + 'static> Later<T> {
    fn new() -> Later<T> {
        Later(Rc::new(RefCell::new((None, Vec::new()))))
    }

    fn ready(value: T) -> Later<T> {
        let later = Later::new();
        later.give(value);
        later
    }

    fn give(&self, value: T) {
        let mut slot = self.0.borrow_mut();
        slot.0 = Some(value);
        for waker in slot.1.drain(..) {
            waker.wake();
        }
    }

    async fn get(self) -> T {
        std::future::poll_fn(move |cx| {
            let mut slot = self.0.borrow_mut();
            match slot.0.clone() {
                Some(value) => Poll::Ready(value),
                None => {
                    slot.1.push(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }
}

// ---- the scripted edges ----

type Answer = Result<HttpReply, ApiError>;

#[derive(Default)]
struct ScriptedTransport {
    answers: RefCell<VecDeque<Later<Answer>>>,
    sent: RefCell<Vec<(HttpRequest, Option<String>)>>,
    aborted: Rc<RefCell<u32>>,
}

impl ScriptedTransport {
    fn answer(&self, status: u16, body: &str) {
        self.answers
            .borrow_mut()
            .push_back(Later::ready(Ok(reply(status, body))));
    }

    /// An answer the test gives later.
    fn answer_later(&self) -> Later<Answer> {
        let later = Later::new();
        self.answers.borrow_mut().push_back(later.clone());
        later
    }

    fn tokens_sent(&self) -> Vec<Option<String>> {
        self.sent.borrow().iter().map(|(_, t)| t.clone()).collect()
    }
}

impl Transport for ScriptedTransport {
    fn send(&self, request: HttpRequest, token: Option<String>, abort: Abort) -> ReplyFuture {
        self.sent.borrow_mut().push((request, token));
        let answer = self.answers.borrow_mut().pop_front();
        let aborted = self.aborted.clone();
        // Like fetch: the request is cancelled when the signal is raised.
        let hook = abort.on_abort(move || *aborted.borrow_mut() += 1);
        Box::pin(async move {
            let _hook = hook;
            match answer {
                Some(later) => later.get().await,
                None => Err(ApiError::new(None, ErrorKind::Network, "")),
            }
        })
    }
}

type TokenAnswer = Later<Result<String, TokenError>>;

#[derive(Clone)]
struct ScriptedTokens {
    tokens: Rc<RefCell<VecDeque<TokenAnswer>>>,
    asked: Rc<RefCell<Vec<TokenPurpose>>>,
    refreshable: bool,
}

impl ScriptedTokens {
    fn new(refreshable: bool) -> ScriptedTokens {
        ScriptedTokens {
            tokens: Rc::default(),
            asked: Rc::default(),
            refreshable,
        }
    }

    fn give(&self, token: &str) {
        self.tokens
            .borrow_mut()
            .push_back(Later::ready(Ok(token.to_string())));
    }

    fn give_later(&self) -> TokenAnswer {
        let later = Later::new();
        self.tokens.borrow_mut().push_back(later.clone());
        later
    }

    fn times_asked(&self) -> usize {
        self.asked.borrow().len()
    }
}

impl TokenFetch for ScriptedTokens {
    fn fetch(&self, purpose: &TokenPurpose) -> TokenFuture {
        self.asked.borrow_mut().push(purpose.clone());
        let next = self.tokens.borrow_mut().pop_front();
        Box::pin(async move {
            match next {
                Some(later) => later.get().await,
                None => Err(TokenError::ProviderFailed),
            }
        })
    }

    fn can_refresh(&self) -> bool {
        self.refreshable
    }
}

fn reply(status: u16, body: &str) -> HttpReply {
    HttpReply {
        status,
        headers: vec![],
        body: body.to_string(),
    }
}

const BASE: &str = "https://gateway.example.com/prolifi";
const JANE: &str = r#"{"data":{"id":"c-1","email":"jane@example.com"}}"#;
const UNAUTHORIZED: &str =
    r#"{"error":{"type":"authentication_error","message":"Token expired."}}"#;

/// A scoped token for Prolifi (the client checks every token before use), numbered.
fn token(n: u32) -> String {
    let payload = format!(r#"{{"provider":"prolifi","n":{n}}}"#);
    format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", base64url(payload.as_bytes()))
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn clock() -> f64 {
    1_000_000.0
}

struct Setup {
    client: Client,
    transport: Rc<ScriptedTransport>,
    tokens: ScriptedTokens,
}

fn setup(refreshable: bool) -> Setup {
    let transport = Rc::new(ScriptedTransport::default());
    let tokens = ScriptedTokens::new(refreshable);
    let cache = Rc::new(TokenCache::new(tokens.clone(), clock));
    Setup {
        client: Client::new(transport.clone(), cache),
        transport,
        tokens,
    }
}

fn get() -> HttpRequest {
    HttpRequest::json(Method::Get, format!("{BASE}/customers/c-1"), None)
}

type Outcome = Rc<RefCell<Option<Result<u16, ClientError>>>>;

/// Starts a call on `executor`; its outcome (the reply's status) lands in the returned cell.
fn start(executor: &mut Executor, client: &Client, abort: &Abort) -> Outcome {
    let outcome: Outcome = Rc::default();
    let (client, abort, slot) = (client.clone(), abort.clone(), outcome.clone());
    executor.spawn(async move {
        let contract = ProviderId::Prolifi.contract();
        let result = client.send(contract, BASE, get(), &abort).await;
        *slot.borrow_mut() = Some(result.map(|reply| reply.status));
    });
    outcome
}

fn outcome(cell: &Outcome) -> Option<Result<u16, ClientError>> {
    cell.borrow().clone()
}

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
    let mut executor = Executor::default();
    let call = start(&mut executor, &s.client, &Abort::new());
    executor.run();
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
    let mut executor = Executor::default();
    let call = start(&mut executor, &s.client, &Abort::new());
    executor.run();
    assert_eq!(outcome(&call), Some(Ok(401)));
    assert_eq!(s.transport.sent.borrow().len(), 1);
}

#[test]
fn a_token_the_form_must_not_use_is_refused_before_anything_is_sent() {
    let s = setup(true);
    s.tokens.give("sk_live_secret");
    let mut executor = Executor::default();
    let call = start(&mut executor, &s.client, &Abort::new());
    executor.run();
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
    let mut executor = Executor::default();
    let call = start(&mut executor, &s.client, &Abort::new());
    executor.run();
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
    let soon = {
        let payload = format!(r#"{{"provider":"prolifi","exp":{}}}"#, clock() as u64 + 30);
        format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", base64url(payload.as_bytes()))
    };
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

// ---- reference lists: every page up to the cap ----

fn commercelayer_token() -> String {
    let payload = r#"{"provider":"commercelayer","ops":["update"]}"#;
    format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", base64url(payload.as_bytes()))
}

fn group_page(page: u32, page_count: u32) -> String {
    format!(
        r#"{{"data":[{{"id":"g{page}","type":"customer_groups","attributes":{{"name":"Group {page:02}"}}}}],"meta":{{"record_count":{page_count},"page_count":{page_count}}}}}"#
    )
}

fn list_groups(s: &Setup) -> Rc<RefCell<Option<Option<crate::reference::ReferenceData>>>> {
    use providers::reference::ReferenceList;
    let result: Rc<RefCell<Option<_>>> = Rc::default();
    let (client, slot) = (s.client.clone(), result.clone());
    let mut executor = Executor::default();
    executor.spawn(async move {
        let contract =
            providers::contract_for(ProviderId::CommerceLayer, providers::Channel::Gateway)
                .unwrap();
        let got = client
            .reference_list(
                contract,
                "http://gw.test/commercelayer",
                ReferenceList::CustomerGroups,
                &Abort::new(),
            )
            .await;
        *slot.borrow_mut() = Some(got);
    });
    executor.run();
    result
}

#[test]
fn a_list_is_read_page_by_page_and_cut_at_the_cap() {
    use crate::reference::{ReferenceData, MAX_PAGES};
    let s = setup(true);
    s.tokens.give(&commercelayer_token());
    for page in 1..=MAX_PAGES + 2 {
        s.transport.answer(200, &group_page(page, MAX_PAGES + 2));
    }
    let result = list_groups(&s);
    let Some(Some(ReferenceData::Loaded { items, cut })) = result.borrow().clone() else {
        panic!("{:?}", result.borrow())
    };
    assert!(cut);
    assert_eq!(items.len(), MAX_PAGES as usize);
    let sent = s.transport.sent.borrow();
    assert_eq!(sent.len(), MAX_PAGES as usize, "no page past the cap");
    assert!(sent[1]
        .0
        .url
        .ends_with("/customer_groups?page%5Bnumber%5D=2&page%5Bsize%5D=25"));
}

#[test]
fn a_short_list_is_whole_and_a_failed_page_fails_the_list() {
    use crate::reference::ReferenceData;
    let s = setup(true);
    s.tokens.give(&commercelayer_token());
    s.transport.answer(200, &group_page(1, 2));
    s.transport.answer(200, &group_page(2, 2));
    let whole = list_groups(&s);
    assert!(matches!(
        whole.borrow().clone(),
        Some(Some(ReferenceData::Loaded { ref items, cut: false })) if items.len() == 2
    ));
    s.transport.answer(200, &group_page(1, 2));
    s.transport.answer(500, "{}");
    let failed = list_groups(&s);
    assert_eq!(failed.borrow().clone(), Some(Some(ReferenceData::Failed)));
}
