//! `/{provider}/{path}`: with a verified token (`verified.rs`), within its limits
//! (`limits.rs`), its operations and fields (`scope.rs`) and the records it reaches
//! (`authority.rs`), the request is rebuilt from the parsed route, given the provider's
//! credential by its adapter and forwarded; the provider's reply comes back unchanged.

mod afterwards;
mod answers;
mod renaming;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use providers::contract::interpret_reply;
use providers::{
    gateway_rules_for, ErrorKind, GatewayRules, HttpReply, Operation, ProviderId, Record,
    RecordNames, Route,
};

use crate::adapters::{Adapter, Outgoing, UpstreamError, UpstreamReply};
use crate::authority::{Authority, Failure};
use crate::body::WriteBody;
use crate::claims::Claims;
use crate::edge::ClientIp;
use crate::replies::{refusal, store_unavailable, Refusal};
use crate::scope::{
    check_fields, check_operation, check_replaced, plain_fields, without_unchanged, ScopeError,
};
use crate::store::StoreError;
use crate::tokens::now_secs;
use crate::verified::Verified;
use crate::{limits, log, reference, reply_identity, AppState};
use afterwards::Afterwards;
use answers::{respond, scope_refusal};
pub(crate) use answers::{unreadable, upstream_failure};

/// Prolifi's limit for `Idempotency-Key`; anything longer or unprintable is not passed on.
const MAX_IDEMPOTENCY_KEY: usize = 255;
/// Reply headers the provider's reply keeps on its way back (names built once: a name built
/// or looked up from a `&str` is parsed again each time).
const PASSED_BACK: [HeaderName; 6] = [
    HeaderName::from_static("content-type"),
    HeaderName::from_static("retry-after"),
    HeaderName::from_static("x-ratelimit-limit"),
    HeaderName::from_static("x-ratelimit-remaining"),
    HeaderName::from_static("x-ratelimit-interval"),
    HeaderName::from_static("idempotent-replayed"),
];

/// Moves the headers a reply keeps (`PASSED_BACK`; of a repeated one, its first value) from the
/// provider's reply to ours. One pass over the reply's few headers, compared with the prebuilt
/// names, rather than a hashed lookup and removal for each of the six names (callgrind, per
/// forwarded read: see the README's "Gateway speed").
pub(crate) fn pass_back(from: HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        // `None`: a further value of the header before, which is not passed on.
        if let Some(name) = name.filter(|name| PASSED_BACK.contains(name)) {
            to.insert(name, value);
        }
    }
}

/// What the request log says about one forwarded request.
#[derive(Default)]
struct Trace {
    /// The token's claims, once verified (the log names its `sub`).
    claims: Option<Arc<Claims>>,
    op: Option<&'static str>,
    upstream_status: Option<u16>,
    refused: Option<String>,
}

/// The router's handler of `/{provider}/{*rest}`, for the paths `routes.rs` leaves to it.
pub async fn forward(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    client_ip: Option<Extension<ClientIp>>,
    Path((provider, rest)): Path<(String, String)>,
    request: Request,
) -> Response {
    let client_ip = client_ip.map(|Extension(ip)| ip);
    forward_request(state, peer, client_ip, provider, rest, request).await
}

/// A forwarded request, taken whole (rather than a copy of its headers and URI through
/// extractors); the body is read here, as axum's `Bytes` extractor would, with the same
/// refusals.
pub async fn forward_request(
    state: Arc<AppState>,
    peer: SocketAddr,
    client_ip: Option<ClientIp>,
    provider: String,
    rest: String,
    request: Request,
) -> Response {
    let started = Instant::now();
    let (mut parts, body) = request.into_parts();
    // The body limit set by the layers travels in the extensions.
    let mut bare = Request::new(body);
    *bare.extensions_mut() = std::mem::take(&mut parts.extensions);
    let body = match Bytes::from_request(bare, &state).await {
        Ok(body) => body,
        Err(rejection) => return rejection.into_response(),
    };
    let (method, uri, headers) = (&parts.method, &parts.uri, &parts.headers);
    let verified = Verified::of(&parts, &state);
    let mut trace = Trace::default();
    let response = match handle(
        &state, &mut trace, &provider, &rest, method, uri, headers, verified, body,
    )
    .await
    {
        Ok(response) => response,
        Err(refused) => {
            trace.refused = Some(refused.code);
            *refused.response
        }
    };
    let ip = client_ip.map_or(peer.ip(), |ClientIp(ip)| ip);
    log::forward(&log::Forward {
        ts: now_secs(),
        event: "forward",
        method: method.as_str(),
        provider: &provider,
        path: rest_path(uri),
        op: trace.op,
        status: response.status().as_u16(),
        upstream_status: trace.upstream_status,
        refused: trace.refused.as_deref(),
        sub: trace.claims.as_ref().map(|claims| claims.sub.as_str()),
        ip,
        ms: started.elapsed().as_millis() as u64,
    });
    response
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    state: &Arc<AppState>,
    trace: &mut Trace,
    provider_name: &str,
    rest: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    verified: Result<Verified, Refusal>,
    body: Bytes,
) -> Result<Response, Refusal> {
    let (rules, adapter) = target(state, provider_name)?;
    let verified = verified?;
    trace.claims = Some(Arc::clone(&verified.claims));
    limits::check_user(state, rules, &verified, now_secs()).await?;
    if let Some(list) = rules.reference_list_at(rest) {
        trace.op = Some("reference");
        let (response, status) = Box::pin(reference::serve(
            state,
            rules,
            adapter,
            &verified,
            method,
            list,
            uri.query(),
        ))
        .await?;
        trace.upstream_status = Some(status);
        return Ok(response);
    }
    let route = route_of(rules, method, rest, uri)?;
    trace.op = Some(route.op());
    check_operation(&verified.claims, &route).map_err(|e| scope_refusal(rules, &e))?;
    let mut call = Call {
        state,
        rules,
        adapter,
        verified: &verified,
        headers,
        method,
        trace,
    };
    // The other routes' futures are boxed, so a read's future (the most common request) is
    // the size of a read, not of the largest route, each time it is moved (callgrind: see the
    // README's "Gateway speed").
    match route {
        Route::Read { customer } => call.read(customer).await,
        Route::Update { customer } => {
            let write = WriteBody::read(rules, Operation::Update, Some(&customer), &body)?;
            Box::pin(call.update(customer, write, body)).await
        }
        Route::Create => {
            let write = WriteBody::read(rules, Operation::Create, None, &body)?;
            Box::pin(call.create(write, body)).await
        }
        Route::FindByEmail { .. } => {
            let reply = call.send(&route, body).await?;
            Ok(respond(rules, &route, reply))
        }
    }
}

/// The path under the provider's prefix, for the log (`/prolifi/customers/x` → `/customers/x`).
fn rest_path(uri: &Uri) -> &str {
    let path = uri.path();
    match path.get(1..).and_then(|p| p.find('/')) {
        Some(slash) => &path[slash + 1..],
        None => path,
    }
}

/// The provider's rules and its adapter, when this gateway serves it.
fn target<'a>(
    state: &'a AppState,
    name: &str,
) -> Result<(&'static dyn GatewayRules, &'a dyn Adapter), Refusal> {
    let provider = ProviderId::parse(name);
    let (Some(provider), Some(rules)) = (provider, provider.and_then(gateway_rules_for)) else {
        return Err(Refusal::plain(
            StatusCode::NOT_FOUND,
            "provider",
            "No such provider.",
        ));
    };
    match state.adapters.get(&provider) {
        Some(adapter) => Ok((rules, adapter.as_ref())),
        None => Err(refusal(
            rules,
            StatusCode::NOT_FOUND,
            ErrorKind::NotFound,
            "provider_not_configured",
            &format!(
                "This gateway is not configured for {}.",
                provider.display_name()
            ),
        )),
    }
}

fn route_of(
    rules: &'static dyn GatewayRules,
    method: &Method,
    rest: &str,
    uri: &Uri,
) -> Result<Route, Refusal> {
    let method = match *method {
        Method::GET => Some(providers::Method::Get),
        Method::POST => Some(providers::Method::Post),
        Method::PUT => Some(providers::Method::Put),
        Method::PATCH => Some(providers::Method::Patch),
        _ => None,
    };
    // Count's duplicate check carries the email in the query string.
    let path_and_query = match uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_string(),
    };
    method
        .and_then(|m| rules.route(m, &path_and_query))
        .ok_or_else(|| {
            refusal(
                rules,
                StatusCode::NOT_FOUND,
                ErrorKind::NotFound,
                "route",
                "The gateway only forwards the customer API.",
            )
        })
}

/// One forwarded request and what it needs along the way.
struct Call<'a> {
    state: &'a Arc<AppState>,
    rules: &'static dyn GatewayRules,
    adapter: &'a dyn Adapter,
    verified: &'a Verified,
    headers: &'a HeaderMap,
    method: &'a Method,
    trace: &'a mut Trace,
}

impl Call<'_> {
    /// A read: forwarded as it is; the record in the reply must be one the token reaches.
    async fn read(&mut self, customer: String) -> Result<Response, Refusal> {
        let mut authority = Authority::new(self.state, self.rules, self.verified);
        authority.prepare(&customer).await.map_err(self.store())?;
        let route = Route::Read { customer };
        let reply = self.send(&route, Bytes::new()).await?;
        if !(200..300).contains(&reply.status) {
            return self.failed_lookup(&authority, &route, reply).await;
        }
        let identity = reply_identity::identity(self.rules.identity_members(), &reply.body)
            .ok_or_else(|| unreadable(self.rules))?;
        self.check_reach(&mut authority, &identity).await?;
        Ok(respond(self.rules, &route, reply))
    }

    /// An update: the record is read first (unless its name is its immutable identity) and must
    /// be one the token reaches; the write then goes to that identity, so a name moving between
    /// the check and the write changes nothing.
    async fn update(
        &mut self,
        customer: String,
        write: WriteBody,
        body: Bytes,
    ) -> Result<Response, Refusal> {
        let mut authority = Authority::new(self.state, self.rules, self.verified);
        authority.prepare(&customer).await.map_err(self.store())?;
        let claims = &self.verified.claims;
        check_replaced(claims, &write.replaced).map_err(|e| scope_refusal(self.rules, &e))?;
        let plain = plain_fields(&write.written, &write.replaced);
        let fields_ok = check_fields(claims, &plain).is_ok();
        let names = self.rules.record_names();
        let mut current = None;
        let identity = if names == RecordNames::IdOrAlias || !fields_ok {
            let route = Route::Read {
                customer: customer.clone(),
            };
            let reply = self.send(&route, Bytes::new()).await?;
            if !(200..300).contains(&reply.status) {
                return self.failed_lookup(&authority, &route, reply).await;
            }
            let record = self.record_of(&reply)?;
            let identity = record.id.clone();
            current = Some(record);
            identity
        } else {
            customer.clone()
        };
        self.check_reach(&mut authority, &identity).await?;
        if let (false, Some(current)) = (fields_ok, &current) {
            // A field every update carries (Count's customer and email), sent with its current
            // value, is not a change; any other field sent is one (`without_unchanged`).
            let changed = without_unchanged(self.rules, current, &plain);
            check_fields(claims, &changed).map_err(|e| scope_refusal(self.rules, &e))?;
        }
        let route = Route::Update {
            customer: identity.clone(),
        };
        let reply = if names == RecordNames::RenamableKey {
            let new = self.new_name(&identity, &write)?;
            let outgoing = self.outgoing(&route, body);
            let provider = self.adapter.provider();
            let reply =
                renaming::send_renaming(self.state, self.rules, provider, identity, new, outgoing)
                    .await?;
            self.trace.upstream_status = Some(reply.status);
            reply
        } else {
            self.send(&route, body).await?
        };
        Ok(respond(self.rules, &route, reply))
    }

    /// The key a Partnero update's body renames its record to, when another; refused when it
    /// could not name the record in an address (`.`, `..`, a slash…): the gateway may read the
    /// new key to settle the write (`renaming.rs`), and that read must not go elsewhere.
    fn new_name(&self, old: &str, write: &WriteBody) -> Result<Option<String>, Refusal> {
        let member = self.rules.identity_members().first().copied();
        let new = write
            .written
            .iter()
            .find(|(name, _)| Some(*name) == member)
            .and_then(|(_, value)| value.clone())
            .filter(|new| new != old);
        match new {
            Some(new) if !providers::url::is_safe_id(&new) => Err(refusal(
                self.rules,
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorKind::Validation,
                "key_unusable",
                "This key cannot name a customer in an address.",
            )),
            new => Ok(new),
        }
    }

    /// A write sent, and what its reply tells the gateway to keep recorded, in a task of its
    /// own: a client that hangs up drops the request's future, and with it, had they run there,
    /// the write itself and the record of what the provider had already done (a new record this
    /// token must reach; a Partnero rename is `renaming.rs`'s).
    async fn send_recorded(
        &mut self,
        route: &Route,
        body: Bytes,
        afterwards: Afterwards,
    ) -> Result<UpstreamReply, Refusal> {
        let outgoing = self.outgoing(route, body);
        let (state, rules, provider) =
            (Arc::clone(self.state), self.rules, self.adapter.provider());
        let task = tokio::spawn(async move {
            let adapter = state
                .adapters
                .get(&provider)
                .ok_or(UpstreamError::Unreachable)?;
            let sent = adapter.send(&state.client, outgoing).await;
            afterwards.record(&state, rules, sent.as_ref().ok()).await;
            sent
        });
        let reply = task
            .await
            .unwrap_or(Err(UpstreamError::Unreachable))
            .map_err(|error| upstream_failure(self.rules, error))?;
        self.trace.upstream_status = Some(reply.status);
        Ok(reply)
    }

    /// A create: on success the token reaches the new record (a grant).
    async fn create(&mut self, write: WriteBody, body: Bytes) -> Result<Response, Refusal> {
        let claims = &self.verified.claims;
        check_replaced(claims, &write.replaced).map_err(|e| scope_refusal(self.rules, &e))?;
        check_fields(claims, &plain_fields(&write.written, &write.replaced))
            .map_err(|e| scope_refusal(self.rules, &e))?;
        let grant = Afterwards::Grant {
            token: self.verified.names.token.clone(),
            expires_at: crate::authority::kept_until(self.state, claims),
            sub: claims.sub.clone(),
        };
        let reply = self.send_recorded(&Route::Create, body, grant).await?;
        Ok(respond(self.rules, &Route::Create, reply))
    }

    /// The provider did not return the record: its answer goes back when the token names this
    /// record itself (the widget shows "not found"; for Partnero also by the key of a record it
    /// created, which a rename may have moved), and otherwise the token learns nothing.
    async fn failed_lookup(
        &self,
        authority: &Authority<'_>,
        route: &Route,
        reply: UpstreamReply,
    ) -> Result<Response, Refusal> {
        if reply.status == 404 {
            let named = match route.customer() {
                Some(name) if self.rules.record_names() == RecordNames::RenamableKey => {
                    authority.named_once(name).await.map_err(self.store())?
                }
                Some(name) => authority.claim_names(name),
                None => false,
            };
            if !named {
                return Err(scope_refusal(self.rules, &ScopeError::Customer));
            }
        }
        Ok(respond(self.rules, route, reply))
    }

    async fn check_reach(
        &mut self,
        authority: &mut Authority<'_>,
        identity: &str,
    ) -> Result<(), Refusal> {
        let (state, rules, adapter) = (self.state, self.rules, self.adapter);
        let resolve = |customer: String| resolve_identity(state, rules, adapter, customer);
        match authority.reaches(identity, resolve).await {
            Ok(true) => Ok(()),
            // A Partnero key the token was given for its record (its claim, or a record it
            // created), which a rename recorded here moved the record away from: its record is
            // not there (whoever holds the key now is not shown). A 404, so a form whose
            // rename's answer was lost looks for the record under the new key.
            Ok(false) if rules.record_names() == RecordNames::RenamableKey => {
                match authority.named_once(identity).await {
                    Ok(true) => Err(refusal(
                        rules,
                        StatusCode::NOT_FOUND,
                        ErrorKind::NotFound,
                        "renamed",
                        "This token's customer is no longer under this key: it was renamed.",
                    )),
                    Ok(false) => Err(scope_refusal(rules, &ScopeError::Customer)),
                    Err(error) => Err(self.store()(error)),
                }
            }
            Ok(false) => Err(scope_refusal(rules, &ScopeError::Customer)),
            Err(Failure::Store(error)) => Err(self.store()(error)),
            Err(Failure::Upstream(error)) => Err(upstream_failure(rules, error)),
        }
    }

    fn record_of(&self, reply: &UpstreamReply) -> Result<Record, Refusal> {
        parse_record(self.rules, reply).ok_or_else(|| unreadable(self.rules))
    }

    fn store(&self) -> impl Fn(StoreError) -> Refusal + 'static {
        let rules = self.rules;
        move |error| {
            log::store_failed(&error);
            store_unavailable(Some(rules))
        }
    }

    /// Sends the route (rebuilt from the parsed route, never the caller's text) with the media
    /// type of the contract and, for a write, the caller's idempotency key in the user's
    /// namespace.
    async fn send(&mut self, route: &Route, body: Bytes) -> Result<UpstreamReply, Refusal> {
        let outgoing = self.outgoing(route, body);
        let reply = self
            .adapter
            .send(&self.state.client, outgoing)
            .await
            .map_err(|error| upstream_failure(self.rules, error))?;
        self.trace.upstream_status = Some(reply.status);
        Ok(reply)
    }

    fn outgoing(&self, route: &Route, body: Bytes) -> Outgoing {
        let (path, query) = self.rules.upstream(route);
        let media_type = self.rules.media_type().to_string();
        let mut headers = vec![("accept".to_string(), media_type.clone())];
        if !body.is_empty() {
            headers.push(("content-type".to_string(), media_type));
        }
        let method = match route {
            Route::Read { .. } | Route::FindByEmail { .. } => Method::GET,
            Route::Create | Route::Update { .. } => self.method.clone(),
        };
        if method != Method::GET {
            if let Some(key) = idempotency_key(self.headers, &self.verified.claims.sub) {
                headers.push(("idempotency-key".to_string(), key));
            }
        }
        Outgoing {
            method,
            path,
            query,
            headers,
            body,
        }
    }
}

/// The identity of the record `customer` names now, read with the gateway's credential; `None`
/// when the provider has no such record.
async fn resolve_identity(
    state: &AppState,
    rules: &'static dyn GatewayRules,
    adapter: &dyn Adapter,
    customer: String,
) -> Result<Option<String>, UpstreamError> {
    let reply = adapter
        .send(&state.client, renaming::read_of(rules, &customer))
        .await?;
    Ok(parse_record(rules, &reply).map(|record| record.id))
}

/// The record in a successful reply.
fn parse_record(rules: &dyn GatewayRules, reply: &UpstreamReply) -> Option<Record> {
    if !(200..300).contains(&reply.status) {
        return None;
    }
    let reply = HttpReply {
        status: reply.status,
        headers: Vec::new(),
        body: String::from_utf8_lossy(&reply.body).into_owned(),
    };
    interpret_reply(rules, &reply).ok()
}

/// The caller's `Idempotency-Key`, made the user's own: Prolifi replays a saved answer to anyone
/// who sends the same key and body, so the key it sees is derived from the `sub` and the
/// caller's key (a UUID, as Prolifi expects). The same user's retry (even with a refreshed
/// token) matches; another user's cannot.
fn idempotency_key(headers: &HeaderMap, sub: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    let given = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| {
            !k.is_empty()
                && k.len() <= MAX_IDEMPOTENCY_KEY
                && k.bytes().all(|b| b.is_ascii_graphic())
        })?;
    let mut hasher = Sha256::new();
    hasher.update(b"customer-form idempotency\n");
    hasher.update(sub.len().to_string().as_bytes());
    hasher.update(b":");
    hasher.update(sub.as_bytes());
    hasher.update(given.as_bytes());
    let digest = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    // Version 4, RFC 4122 variant: the shape of a random UUID.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn idempotency_keys_are_the_users_own_and_shaped_like_uuids() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "idempotency-key",
            HeaderValue::from_static("6f9c1e2a-7b3d-4c5e-8f1a-2b3c4d5e6f70"),
        );
        let mine = idempotency_key(&headers, "user-1").unwrap();
        assert_eq!(mine, idempotency_key(&headers, "user-1").unwrap());
        assert_ne!(mine, idempotency_key(&headers, "user-2").unwrap());
        assert_ne!(mine, "6f9c1e2a-7b3d-4c5e-8f1a-2b3c4d5e6f70");
        let parts: Vec<usize> = mine.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&mine[14..15], "4");
        assert!("89ab".contains(&mine[19..20]));
        headers.insert("idempotency-key", HeaderValue::from_static("bad key"));
        assert_eq!(idempotency_key(&headers, "user-1"), None);
    }
}
