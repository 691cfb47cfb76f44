//! The Partnero adapter against the sandbox: the program's API key as Bearer, JSON accepted.

mod common;

use common::{adapter, config, gateway_client, json_of, outgoing, Sandbox};
use providers::ProviderId;

const KEY: &str = "partnero_sandbox_key";

fn partnero_config(sandbox: &Sandbox, key_variable: &str) -> customer_form_gateway::config::Config {
    config(&format!(
        r#"
        [providers.partnero]
        base = "{}/partnero/v1"
        secret_key = {{ env = "{key_variable}" }}
        "#,
        sandbox.url
    ))
}

#[tokio::test]
async fn a_read_and_an_update_reach_partnero_with_the_program_key() {
    let sandbox = Sandbox::start().await;
    std::env::set_var("PARTNERO_TEST_KEY", KEY);
    let partnero = adapter(
        &partnero_config(&sandbox, "PARTNERO_TEST_KEY"),
        ProviderId::Partnero,
    );
    let client = gateway_client();

    let read = partnero
        .send(
            &client,
            outgoing(
                "GET",
                "/customers/customer_123",
                &[("accept", "application/json")],
                "",
            ),
        )
        .await
        .unwrap();
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(json_of(&read)["data"]["email"], "alice.brown@example.com");

    let body = r#"{"update":{"name":"Alicia","tags":["vip"]}}"#;
    let update = partnero
        .send(
            &client,
            outgoing(
                "PUT",
                "/customers/customer_123",
                &[
                    ("content-type", "application/json"),
                    ("accept", "application/json"),
                ],
                body,
            ),
        )
        .await
        .unwrap();
    assert_eq!(update.status, 200, "{:?}", update.body);
    assert_eq!(json_of(&update)["data"]["name"], "Alicia");

    let log = sandbox.log().await;
    assert_eq!(log.len(), 2);
    for entry in &log {
        assert_eq!(entry["headers"]["authorization"], format!("Bearer {KEY}"));
        // Set once by the adapter, not once more from the widget's own header.
        assert_eq!(entry["headers"]["accept"], "application/json");
    }
    assert_eq!(log[0]["path"], "/partnero/v1/customers/customer_123");
    assert_eq!(log[1]["method"], "PUT");
    assert_eq!(log[1]["body"], body);
    assert_eq!(log[1]["headers"]["content-type"], "application/json");
}

#[tokio::test]
async fn a_wrong_key_gets_partneros_own_401_back_unchanged() {
    let sandbox = Sandbox::start().await;
    std::env::set_var("PARTNERO_TEST_WRONG_KEY", "not-the-key");
    let partnero = adapter(
        &partnero_config(&sandbox, "PARTNERO_TEST_WRONG_KEY"),
        ProviderId::Partnero,
    );
    let reply = partnero
        .send(
            &gateway_client(),
            outgoing("GET", "/customers/customer_123", &[], ""),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 401);
    assert_eq!(json_of(&reply)["message"], "Unauthenticated.");
}
