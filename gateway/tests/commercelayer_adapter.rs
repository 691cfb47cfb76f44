//! The Commerce Layer adapter against the sandbox: an integration token obtained once and
//! reused, renewed once on a 401 `INVALID_TOKEN`, JSON:API headers passed through.

mod common;

use common::{adapter, config, gateway_client, json_of, outgoing, Sandbox};
use customer_form_gateway::adapters::Adapter;
use providers::ProviderId;
use serde_json::Value;

const JSON_API: &str = "application/vnd.api+json";
const ADA: &str = "XAyRWNUzyN";

const SECRET: &str = "cl_sandbox_integration_secret";

/// The adapter with the integration secret read from `variable` (set to `secret`).
fn commercelayer(sandbox: &Sandbox, variable: &str, secret: &str) -> Box<dyn Adapter> {
    std::env::set_var(variable, secret);
    adapter(
        &config(&format!(
            r#"
            [providers.commercelayer]
            base = "{url}/commercelayer/api"
            auth_base = "{url}/commercelayer"
            client_id = "cl_sandbox_integration"
            client_secret = {{ env = "{variable}" }}
            "#,
            url = sandbox.url
        )),
        ProviderId::CommerceLayer,
    )
}

async fn read_ada(
    adapter: &dyn Adapter,
    client: &reqwest::Client,
) -> customer_form_gateway::adapters::UpstreamReply {
    adapter
        .send(
            client,
            outgoing(
                "GET",
                &format!("/customers/{ADA}"),
                &[("accept", JSON_API)],
                "",
            ),
        )
        .await
        .unwrap()
}

fn token_body(entry: &Value) -> Value {
    serde_json::from_str(entry["body"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn one_token_serves_many_requests_and_json_api_headers_pass_through() {
    let sandbox = Sandbox::start().await;
    let cl = commercelayer(&sandbox, "CL_TEST_SECRET", SECRET);
    let client = gateway_client();

    assert_eq!(read_ada(cl.as_ref(), &client).await.status, 200);
    let body = format!(
        r#"{{"data":{{"type":"customers","id":"{ADA}","attributes":{{"metadata":{{"tier":"gold"}}}}}}}}"#
    );
    let update = cl
        .send(
            &client,
            outgoing(
                "PATCH",
                &format!("/customers/{ADA}"),
                &[("accept", JSON_API), ("content-type", JSON_API)],
                &body,
            ),
        )
        .await
        .unwrap();
    assert_eq!(update.status, 200, "{:?}", update.body);
    assert_eq!(
        json_of(&update)["data"]["attributes"]["metadata"]["tier"],
        "gold"
    );
    assert_eq!(read_ada(cl.as_ref(), &client).await.status, 200);

    let tokens = sandbox.calls_to("/commercelayer/oauth/token").await;
    assert_eq!(tokens.len(), 1, "the token is cached");
    let asked = token_body(&tokens[0]);
    assert_eq!(asked["grant_type"], "client_credentials");
    assert_eq!(asked["client_id"], "cl_sandbox_integration");
    assert!(asked.get("scope").is_none(), "no scope unless configured");

    let api: Vec<Value> = sandbox
        .log()
        .await
        .into_iter()
        .filter(|e| {
            e["path"]
                .as_str()
                .unwrap()
                .starts_with("/commercelayer/api/")
        })
        .collect();
    assert_eq!(api.len(), 3);
    let bearer = api[0]["headers"]["authorization"].as_str().unwrap();
    assert!(bearer.starts_with("Bearer ") && bearer.len() > 20);
    for entry in &api {
        assert_eq!(entry["headers"]["authorization"], bearer);
        assert_eq!(entry["headers"]["accept"], JSON_API);
    }
    assert_eq!(api[1]["headers"]["content-type"], JSON_API);
    assert_eq!(api[1]["body"], body);
}

#[tokio::test]
async fn an_invalid_token_gets_one_new_token_and_one_retry() {
    let sandbox = Sandbox::start().await;
    let cl = commercelayer(&sandbox, "CL_TEST_SECRET", SECRET);
    let client = gateway_client();
    assert_eq!(read_ada(cl.as_ref(), &client).await.status, 200);

    // The sandbox forgets every token it issued (and its log): the cached one is now invalid.
    sandbox.control("/_reset", "{}").await;
    let reply = read_ada(cl.as_ref(), &client).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);

    let log = sandbox.log().await;
    let seen: Vec<(String, u64)> = log
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    let customer = format!("/commercelayer/api/customers/{ADA}");
    assert_eq!(
        seen,
        vec![
            (customer.clone(), 401),
            ("/commercelayer/oauth/token".to_string(), 200),
            (customer, 200),
        ]
    );
    assert_ne!(
        log[0]["headers"]["authorization"], log[2]["headers"]["authorization"],
        "the retry carries the new token"
    );
}

#[tokio::test]
async fn a_token_refused_twice_is_answered_not_retried_again() {
    let sandbox = Sandbox::start().await;
    // Every token the sandbox issues now is already expired.
    sandbox
        .control(
            "/_config",
            r#"{"commercelayer":{"access_token_ttl_secs":0}}"#,
        )
        .await;
    let cl = commercelayer(&sandbox, "CL_TEST_SECRET", SECRET);
    let reply = read_ada(cl.as_ref(), &gateway_client()).await;
    assert_eq!(reply.status, 401);
    assert_eq!(json_of(&reply)["errors"][0]["code"], "INVALID_TOKEN");
    assert_eq!(sandbox.calls_to("/oauth/token").await.len(), 2);
    assert_eq!(
        sandbox.calls_to(&format!("/customers/{ADA}")).await.len(),
        2
    );
}

#[tokio::test]
async fn concurrent_first_requests_share_one_token_request() {
    let sandbox = Sandbox::start().await;
    let cl = std::sync::Arc::new(commercelayer(&sandbox, "CL_TEST_SECRET", SECRET));
    let client = gateway_client();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (cl, client) = (cl.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            read_ada(cl.as_ref().as_ref(), &client).await.status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    assert_eq!(sandbox.calls_to("/oauth/token").await.len(), 1);
}

#[tokio::test]
async fn a_refused_integration_secret_is_a_503_not_a_token_error_for_the_widget() {
    let sandbox = Sandbox::start().await;
    let cl = commercelayer(&sandbox, "CL_TEST_WRONG_SECRET", "wrong-secret");
    let reply = read_ada(cl.as_ref(), &gateway_client()).await;
    assert_eq!(reply.status, 503);
    assert_eq!(
        json_of(&reply)["errors"][0]["code"],
        "GATEWAY_TOKEN_UNAVAILABLE"
    );
    assert!(!String::from_utf8_lossy(&reply.body).contains("wrong-secret"));
    assert!(sandbox
        .calls_to("/api/customers/XAyRWNUzyN")
        .await
        .is_empty());
}

/// A rate limit from the token endpoint (whose request carried the integration's secret) is
/// the gateway's own 429, keeping only `Retry-After`: whatever that endpoint wrote back is not
/// the page's to read.
#[tokio::test]
async fn a_rate_limited_token_request_keeps_its_wait_and_not_its_body() {
    let sandbox = Sandbox::start().await;
    sandbox
        .control(
            "/_faults",
            &serde_json::json!({"provider": "commercelayer", "path_contains": "/oauth/token",
                "action": {"kind": "status", "status": 429,
                    "body": r#"{"errors":[{"code":"TOO_MANY_REQUESTS","meta":{"echo":"client_secret=ECHOED"}}]}"#,
                    "headers": {"retry-after": "7", "x-debug": "ECHOED"}}})
            .to_string(),
        )
        .await;
    let cl = commercelayer(&sandbox, "CL_TEST_SECRET_LIMITED", SECRET);
    let reply = read_ada(cl.as_ref(), &gateway_client()).await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.headers["retry-after"], "7");
    assert!(reply.headers.get("x-debug").is_none());
    let text = String::from_utf8_lossy(&reply.body);
    assert!(!text.contains("ECHOED"), "{text}");
    assert_eq!(json_of(&reply)["errors"][0]["status"], "429", "{text}");
}
