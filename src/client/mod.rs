//! The authenticated client at the edge: it takes a request, gets a token, checks it may be
//! used, sends, renews the token once on a 401, reads the reply with the provider's contract,
//! and stops when aborted. One error type comes back. No browser API is used here (the
//! transport and the token source are traits), so all of it is tested natively.

pub mod abort;
mod reference;
pub mod tokens;

#[cfg(test)]
mod tests;

use std::rc::Rc;

use providers::contract::interpret_reply_to;
use providers::{ApiError, Contract, CredentialUse, HttpReply, HttpRequest, Record, RefusalReason};

use crate::transport::Transport;
use abort::{unless_aborted, Abort};
use tokens::{TokenCache, TokenError};

/// Why a call brought back no reply to read.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientError {
    /// The provider (or the network on the way) answered with this error.
    Api(ApiError),
    /// The token the host gave is one the form must not use; nothing was sent with it.
    Refused(RefusalReason),
    /// No token could be had.
    Token(TokenError),
    /// The form was destroyed or moved on to another customer.
    Aborted,
}

#[derive(Clone)]
pub struct Client {
    pub transport: Rc<dyn Transport>,
    pub tokens: Rc<TokenCache>,
}

impl Client {
    pub fn new(transport: Rc<dyn Transport>, tokens: Rc<TokenCache>) -> Client {
        Client { transport, tokens }
    }

    /// What the credential lets the form do, before anything is sent; `None` when the host's
    /// token provider failed.
    pub async fn credential(&self, contract: &dyn Contract, base: &str) -> Option<CredentialUse> {
        match self.tokens.token_instead_of(None).await {
            Ok(token) => Some(contract.classify(&token, base)),
            Err(TokenError::Missing) => Some(CredentialUse::Refused(RefusalReason::Missing)),
            Err(TokenError::ProviderFailed) => None,
        }
    }

    /// Sends `request` and reads the reply as a customer record of `contract`.
    pub async fn call(
        &self,
        contract: &dyn Contract,
        base: &str,
        request: HttpRequest,
        abort: &Abort,
    ) -> Result<(HttpReply, Record), ClientError> {
        let reply = self.send(contract, base, request.clone(), abort).await?;
        let record = interpret_reply_to(contract, &request, &reply).map_err(ClientError::Api)?;
        Ok((reply, record))
    }

    /// Sends `request` with a token, renewing the token once on a 401 when the source can give
    /// another one. The reply comes back whatever its status.
    pub async fn send(
        &self,
        contract: &dyn Contract,
        base: &str,
        request: HttpRequest,
        abort: &Abort,
    ) -> Result<HttpReply, ClientError> {
        // The token a 401 refused, once: the loop runs at most twice.
        let mut rejected: Option<String> = None;
        loop {
            let token = self
                .usable_token(contract, base, rejected.as_deref(), abort)
                .await?;
            if abort.is_aborted() {
                return Err(ClientError::Aborted);
            }
            let sent = self
                .transport
                .send(request.clone(), Some(token.clone()), abort.clone());
            let reply = unless_aborted(sent, abort)
                .await
                .ok_or(ClientError::Aborted)?
                .map_err(ClientError::Api)?;
            if reply.status == 401 && rejected.is_none() && self.tokens.can_refresh() {
                rejected = Some(token);
                continue;
            }
            return Ok(reply);
        }
    }

    /// A token `contract` may use at `base`. Every token the host hands over is checked, not
    /// only the first: a renewal could return a secret key just as well.
    async fn usable_token(
        &self,
        contract: &dyn Contract,
        base: &str,
        rejected: Option<&str>,
        abort: &Abort,
    ) -> Result<String, ClientError> {
        let token = self
            .tokens
            .token_instead_of(rejected)
            .await
            .map_err(ClientError::Token)?;
        if abort.is_aborted() {
            return Err(ClientError::Aborted);
        }
        match contract.classify(&token, base) {
            CredentialUse::Refused(reason) => Err(ClientError::Refused(reason)),
            CredentialUse::Allowed(_) => Ok(token),
        }
    }
}
