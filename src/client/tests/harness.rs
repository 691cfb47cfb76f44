//! What the client's tests run on: a tiny single-threaded executor, values the test hands over
//! later, and the scripted transport and token source.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use providers::token_claims::base64url_encode as base64url;
use providers::{ApiError, ErrorKind, HttpReply, HttpRequest, Method, ProviderId};

use crate::client::abort::Abort;
use crate::client::tokens::{TokenCache, TokenError, TokenFetch, TokenFuture, TokenPurpose};
use crate::client::{Client, ClientError};
use crate::transport::{ReplyFuture, Transport};

// ---- a single-threaded executor: poll every task until none is woken ----

pub(super) struct Flag(pub(super) AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

pub(super) type Task = Pin<Box<dyn Future<Output = ()>>>;

#[derive(Default)]
pub(super) struct Executor {
    pub(super) tasks: Vec<Option<Task>>,
}

impl Executor {
    pub(super) fn spawn(&mut self, task: impl Future<Output = ()> + 'static) {
        self.tasks.push(Some(Box::pin(task)));
    }

    /// Runs until every task is done or waits for something the test has not given yet.
    pub(super) fn run(&mut self) {
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

    pub(super) fn idle(&self) -> bool {
        self.tasks.iter().all(Option::is_none)
    }
}

/// A value the test hands over later; whoever awaits it parks until then.
pub(super) struct Later<T>(Rc<RefCell<(Option<T>, Vec<Waker>)>>);

impl<T> Clone for Later<T> {
    fn clone(&self) -> Self {
        Later(self.0.clone())
    }
}

impl<T: Clone + 'static> Later<T> {
    pub(super) fn new() -> Later<T> {
        Later(Rc::new(RefCell::new((None, Vec::new()))))
    }

    pub(super) fn ready(value: T) -> Later<T> {
        let later = Later::new();
        later.give(value);
        later
    }

    pub(super) fn give(&self, value: T) {
        let mut slot = self.0.borrow_mut();
        slot.0 = Some(value);
        for waker in slot.1.drain(..) {
            waker.wake();
        }
    }

    pub(super) async fn get(self) -> T {
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

pub(super) type Answer = Result<HttpReply, ApiError>;

#[derive(Default)]
pub(super) struct ScriptedTransport {
    pub(super) answers: RefCell<VecDeque<Later<Answer>>>,
    pub(super) sent: RefCell<Vec<(HttpRequest, Option<String>)>>,
    pub(super) aborted: Rc<RefCell<u32>>,
}

impl ScriptedTransport {
    pub(super) fn answer(&self, status: u16, body: &str) {
        self.answers
            .borrow_mut()
            .push_back(Later::ready(Ok(reply(status, body))));
    }

    /// An answer the test gives later.
    pub(super) fn answer_later(&self) -> Later<Answer> {
        let later = Later::new();
        self.answers.borrow_mut().push_back(later.clone());
        later
    }

    pub(super) fn tokens_sent(&self) -> Vec<Option<String>> {
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

pub(super) type TokenAnswer = Later<Result<String, TokenError>>;

#[derive(Clone)]
pub(super) struct ScriptedTokens {
    pub(super) tokens: Rc<RefCell<VecDeque<TokenAnswer>>>,
    pub(super) asked: Rc<RefCell<Vec<TokenPurpose>>>,
    pub(super) refreshable: bool,
}

impl ScriptedTokens {
    pub(super) fn new(refreshable: bool) -> ScriptedTokens {
        ScriptedTokens {
            tokens: Rc::default(),
            asked: Rc::default(),
            refreshable,
        }
    }

    pub(super) fn give(&self, token: &str) {
        self.tokens
            .borrow_mut()
            .push_back(Later::ready(Ok(token.to_string())));
    }

    pub(super) fn give_later(&self) -> TokenAnswer {
        let later = Later::new();
        self.tokens.borrow_mut().push_back(later.clone());
        later
    }

    pub(super) fn times_asked(&self) -> usize {
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

pub(super) fn reply(status: u16, body: &str) -> HttpReply {
    HttpReply {
        status,
        headers: vec![],
        body: body.to_string(),
    }
}

pub(super) const BASE: &str = "https://gateway.example.com/prolifi";
pub(super) const JANE: &str = r#"{"data":{"id":"c-1","email":"jane@example.com"}}"#;
pub(super) const UNAUTHORIZED: &str =
    r#"{"error":{"type":"authentication_error","message":"Token expired."}}"#;

/// A scoped token for Prolifi (the client checks every token before use), numbered.
pub(super) fn token(n: u32) -> String {
    jwt(&format!(r#"{{"provider":"prolifi","n":{n}}}"#))
}

/// A JWT-shaped token with this JSON payload (the client reads claims, it does not verify).
pub(super) fn jwt(payload: &str) -> String {
    format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", base64url(payload.as_bytes()))
}

pub(super) fn clock() -> f64 {
    1_000_000.0
}

pub(super) struct Setup {
    pub(super) client: Client,
    pub(super) transport: Rc<ScriptedTransport>,
    pub(super) tokens: ScriptedTokens,
}

pub(super) fn setup(refreshable: bool) -> Setup {
    let transport = Rc::new(ScriptedTransport::default());
    let tokens = ScriptedTokens::new(refreshable);
    let cache = Rc::new(TokenCache::new(tokens.clone(), clock));
    Setup {
        client: Client::new(transport.clone(), cache),
        transport,
        tokens,
    }
}

pub(super) fn get() -> HttpRequest {
    HttpRequest::json(Method::Get, format!("{BASE}/customers/c-1"), None)
}

pub(super) type Outcome = Rc<RefCell<Option<Result<u16, ClientError>>>>;

/// Starts a call on `executor`; its outcome (the reply's status) lands in the returned cell.
pub(super) fn start(executor: &mut Executor, client: &Client, abort: &Abort) -> Outcome {
    let outcome: Outcome = Rc::default();
    let (client, abort, slot) = (client.clone(), abort.clone(), outcome.clone());
    executor.spawn(async move {
        let contract = ProviderId::Prolifi.contract();
        let result = client.send(contract, BASE, get(), &abort).await;
        *slot.borrow_mut() = Some(result.map(|reply| reply.status));
    });
    outcome
}

/// One request on an executor of its own, run until nothing more can happen.
pub(super) fn run_once(s: &Setup) -> Outcome {
    let mut executor = Executor::default();
    let call = start(&mut executor, &s.client, &Abort::new());
    executor.run();
    call
}

pub(super) fn outcome(cell: &Outcome) -> Option<Result<u16, ClientError>> {
    cell.borrow().clone()
}
