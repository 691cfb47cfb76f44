//! Carrying out what the form state asks for: requests through the authenticated client,
//! the wait before a retry, a token for another customer, events for the host.

use providers::{
    ApiError, CredentialUse, ErrorKind, HttpReply, HttpRequest, Record, RefusalReason,
};
use std::future::Future;
use std::task::{Context as TaskContext, Poll};

use super::shell::Context;

use super::customer_form::{DateLine, FormApp, Message};
use crate::browser::Timer;
use crate::client::tokens::TokenError;
use crate::client::ClientError;
use crate::credential_wait::wait_for_credential;
use crate::form::retry::delay_ms;
use crate::form::{Effect, Msg, Saved};
use crate::spawn::{spawn_now, spawn_soon};
use crate::token::TokenSource;

/// How a reply is told to the form state.
type Wrap = fn(Result<(HttpReply, Record), ApiError>) -> Msg;

/// The message a call's outcome makes; `None` when it was aborted (nobody is listening).
pub fn reply_msg(outcome: Result<(HttpReply, Record), ClientError>, wrap: Wrap) -> Option<Msg> {
    Some(match outcome {
        Ok(done) => wrap(Ok(done)),
        Err(ClientError::Api(error)) => wrap(Err(error)),
        // The host page could not give a token: nothing went out, and the form offers to ask
        // again ("Try again"), as when the first token could not be had.
        Err(ClientError::Token(TokenError::ProviderFailed)) => Msg::Credential(None),
        // Without a token the request could not go out: said as the request's failure.
        Err(ClientError::Token(TokenError::Missing)) => {
            wrap(Err(ApiError::new(None, ErrorKind::CredentialRefused, "")))
        }
        Err(ClientError::Refused(reason)) => Msg::Credential(Some(CredentialUse::Refused(reason))),
        Err(ClientError::Aborted) => return None,
    })
}

impl FormApp {
    /// Classifies the credential the host gave, before anything is sent.
    pub(super) fn obtain_credential(&mut self, ctx: &Context) {
        self.set_token_purpose();
        let link = ctx.link().clone();
        let generation = self.generation;
        self.credential_wait = None;
        if ctx.props().token == TokenSource::None && self.state.is_some() {
            self.credential_wait = Some(wait_for_credential(move || {
                let missing = CredentialUse::Refused(RefusalReason::Missing);
                link.send_message(Message::Form(generation, Msg::Credential(Some(missing))));
            }));
            return;
        }
        let Some(state) = &self.state else { return };
        let (contract, base) = (state.contract(), state.base().to_string());
        let client = self.client.clone();
        let mut credential = Box::pin(async move { client.credential(contract, &base).await });
        let mut now = TaskContext::from_waker(futures_task::noop_waker_ref());
        if let Poll::Ready(credential) = credential.as_mut().poll(&mut now) {
            // Known at once (a token string): told to the state here rather than by a message,
            // handled only once the form is created and drawn; the record's request (`request`)
            // then goes out before anything is drawn (see `crate::spawn`).
            if let Some(state) = self.state.as_mut() {
                let effects = state.update(Msg::Credential(credential));
                self.run(ctx, effects);
                self.follow_up(ctx);
            }
            return;
        }
        spawn_soon(async move {
            let credential = credential.await;
            link.send_message(Message::Form(generation, Msg::Credential(credential)));
        });
    }

    /// Once a record has been drawn: the "last changed" line, after the paint (`DateLine`).
    pub(super) fn date_after_paint(&mut self, ctx: &Context) {
        let drawn_record = self.state.as_ref().is_some_and(|s| s.loaded.is_some());
        if drawn_record && matches!(self.date_line, DateLine::Waiting) {
            let link = ctx.link().clone();
            self.date_line = DateLine::AfterPaint {
                _timer: Timer::after_paint(move || link.send_message(Message::ShowDate)),
            };
        }
    }

    pub(super) fn run(&mut self, ctx: &Context, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Load(request) => self.request(ctx, request, |result| {
                    Msg::Loaded(result.map(|(_, record)| record))
                }),
                Effect::Lookup(request) => self.request(ctx, request, |result| {
                    Msg::LookedUp(result.map(|(_, record)| Some(record)))
                }),
                Effect::Check(request) => self.request(ctx, request, |result| {
                    Msg::Checked(result.map(|(_, record)| record))
                }),
                Effect::Save { request, .. } => self.request(ctx, request, |result| {
                    Msg::Saved(result.map(|(reply, record)| Saved {
                        record,
                        replayed: reply.header("idempotent-replayed") == Some("true"),
                    }))
                }),
                Effect::Retry {
                    attempt,
                    retry_after_secs,
                } => {
                    let link = ctx.link().clone();
                    let generation = self.generation;
                    let wait = delay_ms(attempt, retry_after_secs, js_sys::Math::random());
                    self.retry_timer = Some(Timer::start(wait, move || {
                        link.send_message(Message::Form(generation, Msg::RetryNow));
                    }));
                }
                Effect::RefreshToken => {
                    // The next request asks for a token scoped to the customer the form moved to.
                    self.set_token_purpose();
                    self.client.tokens.forget();
                }
                Effect::Emit(event) => self.emit(ctx, event),
            }
        }
    }

    /// Sends `request` through the client and reports the outcome as `wrap(..)`.
    fn request(&self, ctx: &Context, request: HttpRequest, wrap: Wrap) {
        let Some(state) = &self.state else { return };
        let (contract, base) = (state.contract(), state.base().to_string());
        let client = self.client.clone();
        let abort = self.abort.clone();
        let link = ctx.link().clone();
        let generation = self.generation;
        spawn_now(async move {
            let outcome = client.call(contract, &base, request, &abort).await;
            if let Some(msg) = reply_msg(outcome, wrap) {
                link.send_message(Message::Form(generation, msg));
            }
        });
    }
}
