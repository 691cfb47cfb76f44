//! The request gate every customers call passes: rate limit, media types, then the handler.

use axum::{
    http::{Method, StatusCode},
    response::Response,
};
use serde_json::Value;

use crate::{
    incoming::Incoming,
    reply::{self, JSON_API},
    state::AppState,
};

use super::{
    errors::{rate_limited, set_rate_headers, ClError},
    oauth::Caller,
    Store,
};

pub(super) type Outcome = Result<(StatusCode, Value), ClError>;

pub(super) fn serve(
    app: &AppState,
    request: &Incoming,
    operation: impl FnOnce(&mut Store, &Incoming, &Caller) -> Outcome,
) -> Response {
    let mut guard = app.world();
    let world = &mut *guard;
    // Commerce Layer counts per IP; everything reaching the sandbox is one IP.
    let verdict = world.limits.hit(
        "commercelayer:api",
        world.knobs.commercelayer.rate_limit_per_minute,
    );
    let mut response = if verdict.retry_after_secs.is_some() {
        rate_limited(None)
    } else {
        let outcome = check_media_types(request)
            .and_then(|()| world.commercelayer.tokens.authenticate(request))
            .and_then(|caller| operation(&mut world.commercelayer, request, &caller));
        match outcome {
            Ok((status, body)) => reply::json(status, JSON_API, &body),
            Err(error) => error.render(),
        }
    };
    set_rate_headers(&mut response, &verdict);
    response
}

/// `Accept` must list `application/vnd.api+json` (406 otherwise); writes must send exactly
/// `Content-Type: application/vnd.api+json`, without media type parameters (415 otherwise; the
/// JSON:API spec requires servers to refuse parameters).
pub(super) fn check_media_types(request: &Incoming) -> Result<(), ClError> {
    let accepts = request.header("accept").is_some_and(|accept| {
        accept
            .split(',')
            .any(|item| item.trim().eq_ignore_ascii_case(JSON_API))
    });
    if !accepts {
        return Err(ClError::new(
            StatusCode::NOT_ACCEPTABLE,
            "Not acceptable",
            "All requests must use the 'application/vnd.api+json' Accept header.",
            "NOT_ACCEPTABLE",
        ));
    }
    if matches!(request.method, Method::POST | Method::PATCH) {
        let exact = request
            .header("content-type")
            .is_some_and(|ct| ct.trim().eq_ignore_ascii_case(JSON_API));
        if !exact {
            return Err(ClError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                "All requests that create or update must use the 'application/vnd.api+json' Content-Type.",
                "UNSUPPORTED_MEDIA_TYPE",
            ));
        }
    }
    Ok(())
}
