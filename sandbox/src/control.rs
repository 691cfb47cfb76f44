//! Test-only control routes under `/_…`: never logged, never faulted, CORS-enabled so a test page
//! can call them. None of this is part of any provider's API.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use serde_json::{json, Value};

use crate::{
    incoming::{Incoming, JsonBody},
    reply::{self, JSON},
    state::{AppState, World},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_health", get(health))
        .route("/_log", get(read_log).delete(clear_log))
        .route("/_reset", post(reset))
        .route("/_config", get(read_config).post(merge_config))
        .route(
            "/_faults",
            get(read_faults).post(add_faults).delete(clear_faults),
        )
        .route("/_count/issue-tokens", post(issue_count_tokens))
}

async fn health() -> Response {
    reply::json(StatusCode::OK, JSON, &json!({"status": "ok"}))
}

async fn read_log(State(app): State<AppState>) -> Response {
    let entries = app.world().log.entries();
    reply::json(StatusCode::OK, JSON, &json!(entries))
}

async fn clear_log(State(app): State<AppState>) -> Response {
    app.world().log.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn reset(State(app): State<AppState>) -> Response {
    *app.world() = World::seeded();
    StatusCode::NO_CONTENT.into_response()
}

async fn read_config(State(app): State<AppState>) -> Response {
    let knobs = app.world().knobs.clone();
    reply::json(StatusCode::OK, JSON, &json!(knobs))
}

async fn merge_config(State(app): State<AppState>, request: Incoming) -> Response {
    let patch = match json_value(&request) {
        Ok(patch) => patch,
        Err(response) => return response,
    };
    let mut world = app.world();
    match world.knobs.merged(&patch) {
        Ok(knobs) => {
            world.knobs = knobs;
            reply::json(StatusCode::OK, JSON, &json!(world.knobs))
        }
        Err(message) => bad_request(&message),
    }
}

async fn read_faults(State(app): State<AppState>) -> Response {
    let rules = app.world().faults.list().to_vec();
    reply::json(StatusCode::OK, JSON, &json!({"faults": rules}))
}

async fn add_faults(State(app): State<AppState>, request: Incoming) -> Response {
    let rules = match json_value(&request) {
        Ok(rules) => rules,
        Err(response) => return response,
    };
    let mut world = app.world();
    match world.faults.add(&rules) {
        Ok(()) => reply::json(
            StatusCode::OK,
            JSON,
            &json!({"faults": world.faults.list()}),
        ),
        Err(message) => bad_request(&message),
    }
}

async fn clear_faults(State(app): State<AppState>) -> Response {
    app.world().faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

/// A Count token pair without the browser OAuth flow, for tests and the demo proxy.
async fn issue_count_tokens(State(app): State<AppState>) -> Response {
    let client_id = app.credentials().count_client_id.clone();
    let mut world = app.world();
    let ttl = world.knobs.count.clone();
    let result = world.count.issue_tokens(&client_id, &ttl);
    reply::json(
        StatusCode::OK,
        JSON,
        &json!({"status": "success", "data": {"result": result}}),
    )
}

fn json_value(request: &Incoming) -> Result<Value, Response> {
    match request.json_body() {
        JsonBody::Object(map) => Ok(Value::Object(map)),
        JsonBody::Empty => Err(bad_request("expected a JSON body")),
        JsonBody::Invalid => Err(bad_request("the body is not valid JSON")),
        JsonBody::NotAnObject => serde_json::from_slice(&request.body)
            .map_err(|_| bad_request("the body is not valid JSON")),
    }
}

fn bad_request(message: &str) -> Response {
    reply::json(StatusCode::BAD_REQUEST, JSON, &json!({"error": message}))
}
