//! Connecting a Count workspace: the gateway's own `/count/oauth/start` and
//! `/count/oauth/callback` routes. The started flows live in the store, so a flow started on one
//! gateway can be called back on another.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::count::{error_code, token_pair_of, CountIntegration};
use super::count_connect_ticket::{binds, browser_binding, verify};
use super::count_signing::hex;
use super::{read_capped, RouteContext};
use crate::log;
use crate::replies::{json as json_response, plain};
use crate::tokens::{bearer, now_millis};

pub const START_PATH: &str = "/count/oauth/start";
pub const CALLBACK_PATH: &str = "/count/oauth/callback";
/// The cookie that ties a flow started from a ticket's link to its browser.
const BINDING_COOKIE: &str = "count_connect";
/// How a flow's `state` begins: started with the admin key, or in a browser. Not hex, which a
/// state remembered by an older gateway is.
const ADMIN_STATE: &str = "a.";
const BROWSER_STATE: &str = "b.";

/// How long a spent connect ticket is remembered after it expires (clocks of replicas differ).
const SPENT_MARGIN_SECS: u64 = 600;
/// How long a started authorization may take (Count's codes live 10 minutes).
const START_LIFETIME: Duration = Duration::from_secs(600);

fn store_unavailable() -> Response {
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "store_unavailable",
        "The gateway cannot reach its store right now; try again shortly.",
    )
}

/// The store keeps a hash of the state, not the state: a leaked table cannot complete a flow.
fn state_key(state: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(state.as_bytes()))
}

impl CountIntegration {
    /// `GET /count/oauth/start[?ticket=]`: asks Count for its login URL with a fresh `state`,
    /// remembers the state, and sends the browser there.
    ///
    /// Only an operator may start: with the admin key as Bearer (the admin takes the `Location`
    /// from the answer and opens it in a browser), or with a one-time ticket from
    /// `gateway count-connect-link` (`count_connect_ticket`), which a browser can open as it is.
    /// Either may replace a connected workspace.
    pub(super) async fn start(
        self: &Arc<Self>,
        context: &RouteContext,
        headers: &HeaderMap,
        query: &HashMap<String, String>,
    ) -> Response {
        let by_admin = context
            .admin_key
            .as_ref()
            .is_some_and(|key| bearer(headers).is_some_and(|given| key.matches(given)));
        if !by_admin {
            let Some(ticket) = query.get("ticket") else {
                return operator_only(context);
            };
            if let Err(response) = self.spend(ticket).await {
                return response;
            }
        }
        // A flow started from a ticket's link is finished only in the browser that opened it
        // (a cookie); the admin's runs through curl, so its login URL is opened elsewhere.
        let Some(state) = random_state().map(|random| match by_admin {
            true => format!("{ADMIN_STATE}{random}"),
            false => format!("{BROWSER_STATE}{random}"),
        }) else {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "No randomness available for the OAuth state.",
            );
        };
        let login = match self.login_url(context, &state).await {
            Ok(login) => login,
            Err(response) => return response,
        };
        let Ok(location) = HeaderValue::from_str(&login) else {
            return plain(
                StatusCode::BAD_GATEWAY,
                "count_authorize_failed",
                "Count answered with a login URL that cannot be redirected to.",
            );
        };
        let expires = now_millis() + START_LIFETIME.as_millis() as u64;
        if let Err(error) = self
            .store
            // Every flow is an operator's now: it may replace a connected workspace.
            .put_oauth_state(&state_key(&state), true, expires)
            .await
        {
            log::store_failed(&error);
            return store_unavailable();
        }
        let by = if by_admin { "admin key" } else { "ticket" };
        log::event("count_oauth_started", &[("by", json!(by))]);
        let mut response = StatusCode::FOUND.into_response();
        response.headers_mut().insert(LOCATION, location);
        if !by_admin {
            let Some(cookie) = self.binding_cookie(&state) else {
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The connect flow could not be tied to this browser.",
                );
            };
            response.headers_mut().insert(SET_COOKIE, cookie);
        }
        response
    }

    /// `Set-Cookie` for the browser that starts `state` from a ticket's link: sent back only to
    /// the gateway's OAuth routes, to no script, and on Count's redirect back (a top-level
    /// navigation, which `SameSite=Lax` allows).
    fn binding_cookie(&self, state: &str) -> Option<HeaderValue> {
        let binding = browser_binding(&self.client_secret, state)?;
        let secure = if self.redirect_uri.starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
        HeaderValue::from_str(&format!(
            "{BINDING_COOKIE}={binding}; Path={}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            cookie_path(&self.redirect_uri),
            START_LIFETIME.as_secs()
        ))
        .ok()
    }

    /// Accepts a connect ticket once: a forged, expired or already used one is refused.
    async fn spend(&self, ticket: &str) -> Result<(), Response> {
        let ticket =
            verify(&self.client_secret, ticket, now_millis() / 1000).map_err(|refused| {
                log::event(
                    "count_connect_ticket_refused",
                    &[("why", json!(format!("{refused:?}")))],
                );
                invalid_ticket()
            })?;
        match self
            .store
            // Kept past the ticket's expiry by a margin: a replica whose clock is behind
            // still takes the ticket for a while after this one's clock says it expired.
            .spend_ticket(
                &ticket.spent_key,
                (ticket.expires + SPENT_MARGIN_SECS).saturating_mul(1000),
            )
            .await
        {
            Ok(true) => Ok(()),
            Ok(false) => {
                log::event("count_connect_ticket_refused", &[("why", json!("Spent"))]);
                Err(invalid_ticket())
            }
            Err(error) => {
                log::store_failed(&error);
                Err(store_unavailable())
            }
        }
    }

    /// Count's login URL for this `state` (`{auth_base}/auth2/authorize-intiate`, Count's
    /// spelling).
    async fn login_url(&self, context: &RouteContext, state: &str) -> Result<String, Response> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/auth2/authorize-intiate", self.auth_base),
            &[
                ("clientId", self.client_id.as_str()),
                ("redirectUri", self.redirect_uri.as_str()),
                ("state", state),
            ],
        )
        .map_err(|_| {
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "The configured Count auth_base is not a valid URL.",
            )
        })?;
        let unreachable = || {
            plain(
                StatusCode::BAD_GATEWAY,
                "count_unreachable",
                "Count could not be reached to start the authorization.",
            )
        };
        let response = context
            .client
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|_| unreachable())?;
        let status = response.status().as_u16();
        let body = read_capped(response).await.map_err(|_| unreachable())?;
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let login = (200..300)
            .contains(&status)
            .then(|| login_url(&body))
            .flatten();
        login.ok_or_else(|| {
            log::event(
                "count_oauth_start_refused",
                &[
                    ("status", json!(status)),
                    ("code", json!(body.get("code").and_then(Value::as_str))),
                ],
            );
            plain(
                StatusCode::BAD_GATEWAY,
                "count_authorize_failed",
                &format!(
                    "Count did not start the authorization (status {status}); see the gateway log."
                ),
            )
        })
    }

    /// `GET /count/oauth/callback?code=&state=`: checks the state, trades the code for the
    /// workspace's tokens and commits them.
    pub(super) async fn callback(
        self: &Arc<Self>,
        client: &reqwest::Client,
        headers: &HeaderMap,
        query: &HashMap<String, String>,
    ) -> Response {
        if let Some(error) = query.get("error") {
            let error: String = error.chars().take(100).collect();
            return plain(
                StatusCode::BAD_REQUEST,
                "count_authorization_denied",
                &format!("Count did not authorize the gateway: {error}."),
            );
        }
        let Some(state) = query.get("state").filter(|s| !s.is_empty()) else {
            return invalid_state();
        };
        if state.starts_with(BROWSER_STATE)
            && !cookie(headers, BINDING_COOKIE)
                .is_some_and(|given| binds(&self.client_secret, state, given))
        {
            log::event("count_oauth_other_browser", &[]);
            return plain(
                StatusCode::BAD_REQUEST,
                "other_browser",
                "This authorization was started in another browser: open the connect link \
                 again, in the browser that signs in to Count.",
            );
        }
        // Before the state is used up: a callback without a code, which anyone who saw the
        // state could send, must not end the flow.
        let Some(code) = query.get("code").filter(|c| !c.is_empty()) else {
            return plain(
                StatusCode::BAD_REQUEST,
                "missing_code",
                "Count's redirect carried no authorization code.",
            );
        };
        let by_admin = match self
            .store
            .take_oauth_state(&state_key(state), now_millis())
            .await
        {
            Ok(Some(by_admin)) => by_admin,
            Ok(None) => return invalid_state(),
            Err(error) => {
                log::store_failed(&error);
                return store_unavailable();
            }
        };
        // A flow remembered by a gateway from before only an operator could start (`by_admin`
        // false): it may connect a gateway that has no workspace, never replace one.
        if !by_admin {
            match self.is_connected().await {
                Ok(false) => {}
                Ok(true) => {
                    return plain(
                        StatusCode::CONFLICT,
                        "count_already_connected",
                        "Count was connected in the meantime; this authorization was not used.",
                    )
                }
                Err(error) => {
                    log::store_failed(&error);
                    return store_unavailable();
                }
            }
        }
        // Its own task, like a refresh: a browser that gives up must not lose a granted pair.
        let integration = Arc::clone(self);
        let client = client.clone();
        let (code, state) = (code.clone(), state.clone());
        let task = tokio::spawn(async move {
            let exchanged = integration.exchange(&client, &code, &state).await;
            match exchanged {
                Ok(response) => response,
                Err(response) => {
                    // A code Count would not take (anyone who saw the state can send one) does
                    // not end the flow: the state is kept for the operator's own callback.
                    let expires = now_millis() + START_LIFETIME.as_millis() as u64;
                    if let Err(error) = integration
                        .store
                        .put_oauth_state(&state_key(&state), by_admin, expires)
                        .await
                    {
                        log::store_failed(&error);
                    }
                    response
                }
            }
        });
        match task.await {
            Ok(response) => response,
            Err(_) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "The token exchange failed.",
            ),
        }
    }

    /// `POST /grant-access-token`, HMAC-signed, no Bearer; then commit. `Err` when the code was
    /// not taken (Count refused it, or could not be reached): the flow may go on.
    async fn exchange(
        &self,
        client: &reqwest::Client,
        code: &str,
        state: &str,
    ) -> Result<Response, Response> {
        // The CLI's body; the docs show `grantType, code, client_id, client_secret` (the
        // signature already proves the client).
        let body = json!({"grantType": "authorization_code", "code": code, "state": state});
        let reply = match self.post_signed(client, "/grant-access-token", &body).await {
            Ok(reply) => reply,
            Err(_) => {
                return Err(plain(
                    StatusCode::BAD_GATEWAY,
                    "count_unreachable",
                    "Count could not be reached to exchange the authorization code.",
                ))
            }
        };
        let Some(pair) = token_pair_of(&reply) else {
            let code = error_code(&reply);
            log::event(
                "count_grant_refused",
                &[("status", json!(reply.status)), ("code", json!(code))],
            );
            return Err(plain(
                StatusCode::BAD_GATEWAY,
                "count_grant_failed",
                &format!(
                    "Count refused the authorization code (status {}, {}): sign in again from the \
                     same link, or start again at {START_PATH}.",
                    reply.status,
                    code.as_deref().unwrap_or("no code")
                ),
            ));
        };
        let mut current = self.current.lock().await;
        let saved = self.commit(&pair).await;
        self.replace(&mut current, Some(pair.clone()));
        drop(current);
        log::event(
            "count_connected",
            &[
                ("workspace", json!(pair.workspace_name)),
                ("saved", json!(saved)),
            ],
        );
        if !saved {
            return Ok(plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "count_token_store_failed",
                "Count is connected, but its tokens could not be saved (see the gateway log): \
                 they will be lost when the gateway restarts.",
            ));
        }
        Ok(json_response(
            StatusCode::OK,
            json!({
                "status": "connected",
                "provider": "count",
                "workspaceId": pair.workspace_id,
                "workspaceName": pair.workspace_name,
            })
            .to_string(),
        ))
    }
}

/// A start with neither the admin key nor a ticket.
fn operator_only(context: &RouteContext) -> Response {
    plain(
        StatusCode::UNAUTHORIZED,
        "count_connect_needs_operator",
        match context.admin_key {
            Some(_) => {
                "Only an operator may connect Count: run `gateway count-connect-link` on the \
                 gateway's host and open the link it prints, or send this request with the admin \
                 key as Bearer and open the Location of the answer."
            }
            None => {
                "Only an operator may connect Count: run `gateway count-connect-link` on the \
                 gateway's host and open the link it prints."
            }
        },
    )
}

fn invalid_ticket() -> Response {
    plain(
        StatusCode::UNAUTHORIZED,
        "invalid_ticket",
        "This connect link is not valid, has expired or was already used: run \
         `gateway count-connect-link` again.",
    )
}

fn invalid_state() -> Response {
    plain(
        StatusCode::BAD_REQUEST,
        "invalid_state",
        &format!("Unknown or expired authorization: start again at {START_PATH}."),
    )
}

/// The login URL from `authorize-intiate`: `redirectUri` at the top (docs) or under `data`
/// (what the CLI reads), and only an http(s) one.
fn login_url(body: &Value) -> Option<String> {
    body.get("redirectUri")
        .or_else(|| body.pointer("/data/redirectUri"))
        .and_then(Value::as_str)
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        .map(str::to_string)
}

fn random_state() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(hex(&bytes))
}

/// The path the browser sees the OAuth routes under: the configured callback's folder, which
/// a proxy may have put under a prefix of its own (`/gw/count/oauth/callback`).
fn cookie_path(redirect_uri: &str) -> String {
    reqwest::Url::parse(redirect_uri)
        .ok()
        .and_then(|url| {
            let path = url.path().strip_suffix("/callback")?.to_string();
            path.starts_with('/').then_some(path)
        })
        .unwrap_or_else(|| "/".to_string())
}

/// The value of the request's cookie `name`, if it sent one.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_url_is_read_from_either_place_and_must_be_http() {
        let top = json!({"status": "success", "redirectUri": "https://app.getcount.com/login?x=1"});
        assert_eq!(
            login_url(&top).as_deref(),
            Some("https://app.getcount.com/login?x=1")
        );
        let nested = json!({"data": {"redirectUri": "http://127.0.0.1:1/count/_login"}});
        assert_eq!(
            login_url(&nested).as_deref(),
            Some("http://127.0.0.1:1/count/_login")
        );
        assert_eq!(
            login_url(&json!({"redirectUri": "javascript:alert(1)"})),
            None
        );
        assert_eq!(login_url(&json!({"status": "error"})), None);
    }

    #[test]
    fn the_binding_cookie_goes_to_the_routes_as_the_browser_sees_them() {
        assert_eq!(
            cookie_path("https://gw.example.com/count/oauth/callback"),
            "/count/oauth"
        );
        assert_eq!(
            cookie_path("https://example.com/gw/count/oauth/callback"),
            "/gw/count/oauth"
        );
        assert_eq!(cookie_path("https://example.com/elsewhere"), "/");
        assert_eq!(cookie_path("not a url"), "/");
    }

    #[test]
    fn states_are_stored_as_hashes() {
        let key = state_key("abc");
        assert_eq!(key.len(), 64);
        assert_ne!(key, "abc");
        assert_eq!(key, state_key("abc"));
    }
}
