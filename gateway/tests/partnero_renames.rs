//! Partnero's renames made through the gateway, as attacks: the record a token reaches has no
//! immutable id, only a key that a rename moves, so the gateway records each rename it forwards
//! (before the write, `gateway/src/forward/renaming.rs`) and tokens follow them. Each test is an
//! attack that worked on the gateway before its fix (split from `attacks.rs`, which holds the
//! other providers' and the edge's).

mod common;

use common::Gateway;
use serde_json::{json, Value};

fn code(body: &Value) -> &str {
    body["gateway"]["code"].as_str().unwrap_or("")
}

/// Waits until the wall clock has moved past the current second, so a token minted next has an
/// `iat` after everything done so far (token times are whole seconds).
async fn next_second() {
    let now = customer_form_gateway::tokens::now_secs();
    while customer_form_gateway::tokens::now_secs() == now {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Waits until a write renaming `customer_123` is on its way: the gateway has recorded that the
/// key's tokens reach nothing meanwhile.
async fn until_on_its_way(g: &Gateway) {
    while g
        .state
        .store
        .next_rename("customer_123", 0)
        .await
        .unwrap()
        .is_none()
    {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// A token of u1's that may read and update Alice's customer (`customer_123`).
fn alice_token(g: &Gateway) -> String {
    g.token(
        "u1",
        "partnero",
        &["read", "update"],
        Some("customer_123"),
        None,
    )
}

/// Reading `key` is refused to `token` as another's customer (403), and shows nothing of it.
async fn not_reached(g: &Gateway, token: &str, key: &str) {
    let (status, reply) = g
        .call("GET", &format!("/partnero/customers/{key}"), token, None)
        .await;
    assert_eq!((status, code(&reply)), (403, "scope_customer"), "{reply}");
    assert!(!reply.to_string().contains("eve@"));
}

/// `token` renames `customer_123` to `customer_123-old`: the status and the reply.
async fn rename_customer_123(g: &Gateway, token: &str) -> (u16, Value) {
    g.call(
        "PUT",
        "/partnero/customers/customer_123",
        token,
        Some(r#"{"update":{"key":"customer_123-old"}}"#),
    )
    .await
}

/// Someone creates a new customer with the key `customer_123` was renamed away from.
async fn eve_takes_customer_123(g: &Gateway) {
    let creator = g.token("u2", "partnero", &["create"], None, None);
    let (status, _) = g
        .call(
            "POST",
            "/partnero/customers",
            &creator,
            Some(r#"{"key":"customer_123","email":"eve@example.com","partner":{"key":"ref_123"}}"#),
        )
        .await;
    assert_eq!(status, 201);
}

/// `token`, which followed the rename, is refused the customer now under the old key: its own
/// record is not there any more (404, the gateway's `renamed`), and Eve's is not shown.
async fn refused_eve(g: &Gateway, token: &str) {
    let (status, reply) = g
        .call("GET", "/partnero/customers/customer_123", token, None)
        .await;
    assert_eq!((status, code(&reply)), (404, "renamed"), "{reply}");
    assert!(!reply.to_string().contains("eve@"));
}

/// `token` reads its own customer under the new key.
async fn reaches_alice(g: &Gateway, token: &str) {
    reaches_alice_at(g, token, "customer_123-old").await;
}

/// `token` reads Alice's customer under `key`.
async fn reaches_alice_at(g: &Gateway, token: &str, key: &str) {
    let (status, alice) = g
        .call("GET", &format!("/partnero/customers/{key}"), token, None)
        .await;
    assert_eq!(
        (status, alice["data"]["email"].as_str()),
        (200, Some("alice.brown@example.com"))
    );
}

/// A token dated ahead of the gateway's clock (a minter whose clock runs fast, within
/// `leeway_secs`) still takes its own rename along: its point of following is the moment it was
/// first used when that is earlier than its `iat`, so the key it left, taken by someone else,
/// is out of its reach.
#[tokio::test]
async fn partnero_a_token_dated_ahead_still_follows_its_own_rename() {
    use customer_form_gateway::minting::{claims_for, TokenRequest};
    let g = Gateway::start("", "").await;
    let request = TokenRequest {
        sub: "u1".into(),
        provider: "partnero".into(),
        ops: vec!["read".into(), "update".into()],
        customer: Some("customer_123".into()),
        fields: None,
        ttl_secs: Some(300),
    };
    let ahead = customer_form_gateway::tokens::now_secs() + 20;
    let token = g
        .state
        .keys
        .mint(&claims_for(&g.state.keys, &request, ahead).unwrap())
        .unwrap();
    let (status, _) = rename_customer_123(&g, &token).await;
    assert_eq!(status, 200);
    eve_takes_customer_123(&g).await;
    refused_eve(&g, &token).await;
    reaches_alice(&g, &token).await;
}

#[tokio::test]
async fn partnero_a_rename_takes_the_token_along_and_the_old_key_stays_behind() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    let (status, renamed) = rename_customer_123(&g, &token).await;
    assert_eq!(
        (status, renamed["data"]["key"].as_str()),
        (200, Some("customer_123-old"))
    );
    eve_takes_customer_123(&g).await;

    refused_eve(&g, &token).await;
    let (status, reply) = g
        .call(
            "PUT",
            "/partnero/customers/customer_123",
            &token,
            Some(r#"{"update":{"name":"Mallory"}}"#),
        )
        .await;
    assert_eq!((status, code(&reply)), (404, "renamed"), "{reply}");
    assert!(g
        .writes_to("customer_123")
        .await
        .iter()
        .all(|w| !w.to_string().contains("Mallory")));
    reaches_alice(&g, &token).await;

    // A token issued after the rename names whoever holds the key now.
    next_second().await;
    let fresh = g.token("u1", "partnero", &["read"], Some("customer_123"), None);
    let (status, eve) = g
        .call("GET", "/partnero/customers/customer_123", &fresh, None)
        .await;
    assert_eq!(
        (status, eve["data"]["email"].as_str()),
        (200, Some("eve@example.com"))
    );
    assert_eq!(
        g.call("GET", "/partnero/customers/customer_123-old", &fresh, None)
            .await
            .0,
        403
    );
}

/// A rename whose reply never came (Partnero committed it, then the connection dropped) still
/// takes the token along: the gateway records it before forwarding and keeps it when no answer
/// says otherwise, so whoever takes the old key next is out of reach (found by the attacker's
/// second look of 2026-11-28: the token had stayed on the old key and read and wrote Eve's record).
#[tokio::test]
async fn partnero_a_rename_whose_reply_was_lost_still_takes_the_token_along() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    let drop_reply = json!({"provider": "partnero", "method": "PUT", "times": 1,
        "action": {"kind": "drop_after_commit"}});
    g.sandbox.control("/_faults", &drop_reply.to_string()).await;
    let (status, reply) = rename_customer_123(&g, &token).await;
    assert_eq!(status, 502, "{reply}");
    eve_takes_customer_123(&g).await;
    g.sandbox.clear_log().await;
    refused_eve(&g, &token).await;
    let (status, reply) = g
        .call(
            "PUT",
            "/partnero/customers/customer_123",
            &token,
            Some(r#"{"update":{"name":"Mallory"}}"#),
        )
        .await;
    assert_eq!((status, code(&reply)), (404, "renamed"), "{reply}");
    assert!(
        g.writes_to("customer_123").await.is_empty(),
        "nothing written to Eve's customer"
    );
    reaches_alice(&g, &token).await;
}

/// No write that may rename goes out unless the store has first recorded that the old key's
/// tokens reach nothing while it is on its way: with the store
/// failing at that moment, the write is refused (503) and Partnero never sees it, rather than
/// renaming a record whose tokens would then stay on the old key. A write that renames nothing
/// goes on.
#[tokio::test]
async fn partnero_a_rename_the_store_cannot_take_is_not_sent() {
    use common::failing_renames::FailingRenames;
    let g =
        Gateway::start_with_store("", "", |store| std::sync::Arc::new(FailingRenames(store))).await;
    let token = alice_token(&g);
    let (status, reply) = rename_customer_123(&g, &token).await;
    assert_eq!(
        (status, code(&reply)),
        (503, "store_unavailable"),
        "{reply}"
    );
    assert!(g.writes_to("customer_123").await.is_empty(), "nothing sent");
    let (status, reply) = g
        .call(
            "PUT",
            "/partnero/customers/customer_123",
            &token,
            Some(r#"{"update":{"name":"Alicia"}}"#),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
}

/// A rename Partnero refused leaves the token where it was (what was recorded ahead of the write
/// is taken back), and it does not reach whoever takes the new key later.
#[tokio::test]
async fn partnero_a_refused_rename_is_taken_back() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    let refuse = json!({"provider": "partnero", "method": "PUT", "times": 1,
        "action": {"kind": "status", "status": 422,
            "body": r#"{"message":"The given data was invalid."}"#,
            "content_type": "application/json"}});
    g.sandbox.control("/_faults", &refuse.to_string()).await;
    let (status, reply) = rename_customer_123(&g, &token).await;
    assert_eq!(status, 422, "{reply}");
    reaches_alice_at(&g, &token, "customer_123").await;
    eve_takes(&g, "customer_123-old").await;
    not_reached(&g, &token, "customer_123-old").await;
}

/// A 5xx to a rename tells nothing: the gateway reads both keys. Still under the old key and
/// none under the new: the rename did not land, the token stays (and whoever takes the new key
/// later is out of its reach).
#[tokio::test]
async fn partnero_a_rename_answered_with_a_5xx_that_did_not_land_is_taken_back() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    let fail = json!({"provider": "partnero", "method": "PUT", "times": 1,
        "action": {"kind": "status", "status": 500, "body": "{}", "content_type": "application/json"}});
    g.sandbox.control("/_faults", &fail.to_string()).await;
    let (status, _) = rename_customer_123(&g, &token).await;
    assert_eq!(status, 500);
    reaches_alice_at(&g, &token, "customer_123").await;
    eve_takes(&g, "customer_123-old").await;
    not_reached(&g, &token, "customer_123-old").await;
}

/// Neither the answer nor the reads after it tell whether a rename landed: the token reaches
/// nothing under either key until it expires (a fresh token names whoever holds a key then).
#[tokio::test]
async fn partnero_a_rename_nothing_settles_leaves_the_token_reaching_neither_key() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    for rule in [
        json!({"provider": "partnero", "method": "PUT", "times": 1,
            "action": {"kind": "status", "status": 503, "body": "{}", "content_type": "application/json"}}),
        // The read before the write and the read after it.
        json!({"provider": "partnero", "method": "GET", "path_contains": "customers/customer_123",
            "times": 2, "action": {"kind": "status", "status": 503, "body": "{}",
            "content_type": "application/json"}}),
    ] {
        g.sandbox.control("/_faults", &rule.to_string()).await;
    }
    let (status, _) = g
        .call(
            "PUT",
            "/partnero/customers/customer_123",
            &token,
            Some(r#"{"update":{"key":"renamed_123"}}"#),
        )
        .await;
    assert_eq!(status, 503);
    let (status, reply) = g
        .call("GET", "/partnero/customers/customer_123", &token, None)
        .await;
    assert_eq!((status, code(&reply)), (404, "renamed"), "{reply}");
    eve_takes(&g, "renamed_123").await;
    not_reached(&g, &token, "renamed_123").await;
}

/// A key that cannot name a customer in an address (`..` would read Partnero's `/v1/` with the
/// gateway's credential before the write) is refused, and nothing is sent.
#[tokio::test]
async fn partnero_a_rename_to_a_key_no_address_can_hold_is_refused() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    g.sandbox.clear_log().await;
    for key in ["..", ".", "a/b"] {
        let body = json!({"update": {"key": key}}).to_string();
        let (status, reply) = g
            .call(
                "PUT",
                "/partnero/customers/customer_123",
                &token,
                Some(&body),
            )
            .await;
        assert_eq!(
            (status, code(&reply)),
            (422, "key_unusable"),
            "{key}: {reply}"
        );
    }
    assert!(g.sandbox.log().await.is_empty(), "nothing sent");
}

/// A record the token created, renamed by it with the answer lost: its old key answers 404, as
/// the token's own claim does, so the form follows it (before, a 403 when someone held it, and
/// the form stopped there).
#[tokio::test]
async fn partnero_a_created_record_renamed_with_the_answer_lost_answers_renamed() {
    let g = Gateway::start("", "").await;
    let token = g.token("u1", "partnero", &["create", "read", "update"], None, None);
    let (status, reply) = g
        .call(
            "POST",
            "/partnero/customers",
            &token,
            Some(r#"{"key":"made_2","email":"made2@example.com","partner":{"key":"ref_123"}}"#),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    let drop_reply = json!({"provider": "partnero", "method": "PUT", "times": 1,
        "action": {"kind": "drop_after_commit"}});
    g.sandbox.control("/_faults", &drop_reply.to_string()).await;
    let (status, _) = g
        .call(
            "PUT",
            "/partnero/customers/made_2",
            &token,
            Some(r#"{"update":{"key":"made_2-moved"}}"#),
        )
        .await;
    assert_eq!(status, 502);
    // Nobody holds the old key: Partnero's own 404 (someone holding it: the gateway's).
    let (status, reply) = g
        .call("GET", "/partnero/customers/made_2", &token, None)
        .await;
    assert_eq!(status, 404, "{reply}");
    eve_takes(&g, "made_2").await;
    let (status, reply) = g
        .call("GET", "/partnero/customers/made_2", &token, None)
        .await;
    assert_eq!((status, code(&reply)), (404, "renamed"), "{reply}");
    assert!(!reply.to_string().contains("eve@"));
    let (status, moved) = g
        .call("GET", "/partnero/customers/made_2-moved", &token, None)
        .await;
    assert_eq!(
        (status, moved["data"]["email"].as_str()),
        (200, Some("made2@example.com"))
    );
}

/// A rename onto a key someone holds: Partnero refuses it, and the token stays where it was, out
/// of reach of that someone's record.
#[tokio::test]
async fn partnero_a_rename_onto_a_taken_key_leaves_the_token_on_its_key() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    eve_takes(&g, "customer_123-old").await;
    let (status, reply) = rename_customer_123(&g, &token).await;
    assert_eq!(status, 422, "{reply}");
    reaches_alice_at(&g, &token, "customer_123").await;
    not_reached(&g, &token, "customer_123-old").await;
}

/// `token` renames the key `from` one more than the gateway follows
/// (`MAX_RENAME_CHAIN`): `from` → `{from}-1` → … → `{from}-33`, every rename through the gateway.
async fn rename_past_the_chain(g: &Gateway, token: &str, from: &str) {
    use customer_form_gateway::store::MAX_RENAME_CHAIN;
    let mut current = from.to_string();
    for i in 1..=MAX_RENAME_CHAIN + 1 {
        let next = format!("{from}-{i}");
        let (status, reply) = g
            .call(
                "PUT",
                &format!("/partnero/customers/{current}"),
                token,
                Some(&format!(r#"{{"update":{{"key":"{next}"}}}}"#)),
            )
            .await;
        assert_eq!(status, 200, "rename {i}: {reply}");
        current = next;
    }
}

/// Someone else creates a customer under `key`.
async fn eve_takes(g: &Gateway, key: &str) {
    let creator = g.token("u2", "partnero", &["create"], None, None);
    let body =
        format!(r#"{{"key":"{key}","email":"eve@example.com","partner":{{"key":"ref_123"}}}}"#);
    let (status, reply) = g
        .call("POST", "/partnero/customers", &creator, Some(&body))
        .await;
    assert_eq!(status, 201, "{reply}");
}

/// Refused everything under `key`: read and write.
async fn refused_at(g: &Gateway, token: &str, key: &str) {
    let path = format!("/partnero/customers/{key}");
    let (status, reply) = g.call("GET", &path, token, None).await;
    assert_eq!((status, code(&reply)), (403, "scope_customer"), "{reply}");
    assert!(!reply.to_string().contains("eve@"));
    let (status, reply) = g
        .call(
            "PUT",
            &path,
            token,
            Some(r#"{"update":{"email":"mallory@example.com"}}"#),
        )
        .await;
    assert_eq!((status, code(&reply)), (403, "scope_customer"), "{reply}");
}

/// A chain of renames longer than the gateway follows leaves the token reaching nothing, never
/// the key where the walk stopped: that key is free once the record moves on, and whoever takes
/// it next would be in the token's reach (found by the attacker's second look of 2026-11-28).
#[tokio::test]
async fn partnero_a_rename_chain_past_the_cap_reaches_nothing() {
    use customer_form_gateway::store::MAX_RENAME_CHAIN;
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    rename_past_the_chain(&g, &token, "customer_123").await;
    let stopped = format!("customer_123-{MAX_RENAME_CHAIN}");
    eve_takes(&g, &stopped).await;
    g.sandbox.clear_log().await;
    refused_at(&g, &token, &stopped).await;
    refused_at(
        &g,
        &token,
        &format!("customer_123-{}", MAX_RENAME_CHAIN + 1),
    )
    .await;
    let log = g.sandbox.calls_to(&format!("/customers/{stopped}")).await;
    assert!(
        log.iter().all(|e| e["method"] != "PUT"),
        "nothing written to Eve's customer: {log:?}"
    );
}

/// The same for a record the token created (a grant), which follows the renames from its
/// creation.
#[tokio::test]
async fn partnero_a_created_record_renamed_past_the_cap_reaches_nothing() {
    use customer_form_gateway::store::MAX_RENAME_CHAIN;
    let g = Gateway::start("", "").await;
    let token = g.token("u1", "partnero", &["create", "read", "update"], None, None);
    let (status, reply) = g
        .call(
            "POST",
            "/partnero/customers",
            &token,
            Some(r#"{"key":"made_1","email":"made@example.com","partner":{"key":"ref_123"}}"#),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    rename_past_the_chain(&g, &token, "made_1").await;
    let stopped = format!("made_1-{MAX_RENAME_CHAIN}");
    eve_takes(&g, &stopped).await;
    refused_at(&g, &token, &stopped).await;
}

/// The rename is recorded even when the client hangs up while Partnero is still answering: a
/// token holder who closed the connection at the right moment would otherwise keep the old key
/// untracked, and reach whoever takes it next.
#[tokio::test]
async fn partnero_a_rename_is_recorded_when_the_client_hangs_up() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    g.sandbox.hold("partnero", "PUT", "customer_123", 400).await;
    let hung_up = common::impatient_client()
        .put(format!("{}/partnero/customers/customer_123", g.url))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"update":{"key":"customer_123-old"}}"#)
        .send()
        .await;
    assert!(hung_up.is_err(), "the client gave up before the reply");
    // Partnero commits the rename after the client has gone; the token follows it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (status, alice) = g
            .call("GET", "/partnero/customers/customer_123-old", &token, None)
            .await;
        if status == 200 {
            assert_eq!(alice["data"]["email"], "alice.brown@example.com");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the rename was never recorded: {status} {alice}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (status, _) = g
        .call("GET", "/partnero/customers/customer_123", &token, None)
        .await;
    assert_eq!(status, 404, "the old key is left behind");
}

/// While a rename is on its way, the token reaches neither key: a stranger who creates the new
/// key meanwhile is out of its reach (the third attacker's pass: it read and wrote them), and
/// once Partnero refuses the rename (the key is taken now) the token is back on its record.
#[tokio::test]
async fn partnero_a_stranger_taking_the_new_key_while_the_rename_is_on_its_way_is_out_of_reach() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    let slow = json!({"provider": "partnero", "method": "PUT", "times": 1,
        "path_contains": "customers/customer_123", "action": {"kind": "delay", "ms": 2000}});
    g.sandbox.control("/_faults", &slow.to_string()).await;
    let meanwhile = async {
        until_on_its_way(&g).await;
        eve_takes(&g, "customer_123-old").await;
        not_reached(&g, &token, "customer_123-old").await;
        let (status, reply) = g
            .call(
                "PUT",
                "/partnero/customers/customer_123-old",
                &token,
                Some(r#"{"update":{"name":"Mallory"}}"#),
            )
            .await;
        assert_eq!((status, code(&reply)), (403, "scope_customer"), "{reply}");
    };
    let ((status, reply), ()) = tokio::join!(rename_customer_123(&g, &token), meanwhile);
    assert_eq!(status, 422, "the key was taken meanwhile: {reply}");
    reaches_alice_at(&g, &token, "customer_123").await;
    not_reached(&g, &token, "customer_123-old").await;
}

/// A rename whose answer was lost, and whose new key answers something that is not a record:
/// the token reaches nothing (before, the gateway sent the write without recording anything, and
/// the token stayed on the key its record had left, reaching whoever took it next).
#[tokio::test]
async fn partnero_a_lost_rename_whose_new_key_reads_as_garbage_reaches_nothing() {
    let g = Gateway::start("", "").await;
    let token = alice_token(&g);
    for rule in [
        json!({"provider": "partnero", "method": "GET", "path_contains": "customers/customer_123-old",
            "action": {"kind": "malformed_json"}}),
        json!({"provider": "partnero", "method": "PUT", "times": 1,
            "action": {"kind": "drop_after_commit"}}),
    ] {
        g.sandbox.control("/_faults", &rule.to_string()).await;
    }
    let (status, _) = rename_customer_123(&g, &token).await;
    assert_eq!(status, 502);
    eve_takes_customer_123(&g).await;
    refused_eve(&g, &token).await;
    let (status, reply) = g
        .call(
            "PUT",
            "/partnero/customers/customer_123",
            &token,
            Some(r#"{"update":{"email":"mallory@example.com"}}"#),
        )
        .await;
    assert_eq!((status, code(&reply)), (404, "renamed"), "{reply}");
}

/// A write Partnero holds back lands on whoever has the key by then. Here the attacker's second
/// token moves their record away and Eve creates a customer under the old key before the first
/// write lands, which renames Eve's record. Its answer names Eve's record (another `created_at`
/// than the record read before the write), so the rename is not recorded and the answer not
/// shown: the first token reaches nothing, not Eve under the new key (the third attacker's
/// pass, "late write").
#[tokio::test]
async fn partnero_a_late_write_that_lands_on_someone_else_takes_no_token_along() {
    let g = Gateway::start("", "").await;
    let first = alice_token(&g);
    let slow = json!({"provider": "partnero", "method": "PUT", "times": 1,
        "path_contains": "customers/customer_123", "action": {"kind": "delay", "ms": 2500}});
    g.sandbox.control("/_faults", &slow.to_string()).await;
    let meanwhile = async {
        until_on_its_way(&g).await;
        // A second token, issued after the first write left, moves the record away.
        next_second().await;
        let second = alice_token(&g);
        let (status, reply) = g
            .call(
                "PUT",
                "/partnero/customers/customer_123",
                &second,
                Some(r#"{"update":{"key":"customer_123-c"}}"#),
            )
            .await;
        assert_eq!(status, 200, "{reply}");
        eve_takes_customer_123(&g).await;
    };
    let late = g.call(
        "PUT",
        "/partnero/customers/customer_123",
        &first,
        Some(r#"{"update":{"key":"customer_123-b"}}"#),
    );
    let ((status, reply), ()) = tokio::join!(late, meanwhile);
    // The late write renamed Eve's record (Partnero addresses by key alone); its answer is not
    // shown.
    assert_eq!((status, code(&reply)), (409, "record_changed"), "{reply}");
    assert!(!reply.to_string().contains("eve@"));
    not_reached(&g, &first, "customer_123-b").await;
}
