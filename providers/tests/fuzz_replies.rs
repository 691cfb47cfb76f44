//! No panic on anything from outside: every reply and error parser of every provider, every
//! gateway body reader, the token reader and the JSON parser, over generated input.
//!
//! 100,000 generated replies per provider by default (`FUZZ_CASES` changes it). Replies are
//! built from the providers' own vocabulary (envelope and field names, statuses, headers) so the
//! parsers get past their first checks, mixed with raw noise.

use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use providers::contract::{check_body, interpret_reply, update_request, RequestContext};
use providers::token_claims::{base64url_encode as base64url, TokenClaims};
use providers::{
    classify_credential, contract_for, gateway_rules_for, Channel, FormValues, HttpReply, Json,
    Method, Operation, ProviderId,
};

const WORDS: &[&str] = &[
    "data",
    "error",
    "errors",
    "id",
    "uuid",
    "key",
    "email",
    "field",
    "message",
    "attributes",
    "relationships",
    "included",
    "source",
    "pointer",
    "type",
    "tags",
    "value",
    "status",
    "code",
    "title",
    "detail",
    "customer",
    "customer_group",
    "name",
    "first_name",
    "last_name",
    "metadata",
    "external_id",
    "billingAddress",
    "city",
    "update",
    "partner",
    "updated_at",
    "updatedAt",
    "statusCode",
    "details",
    "path",
    "/data/attributes/email",
    "VALIDATION_ERROR",
    "validation_error",
    "INVALID_TOKEN",
    "customers",
    "tags",
    "application",
    "kind",
    "owner",
    "ops",
    "exp",
    "provider",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_string),
        1 => ".{0,12}",
    ]
}

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        prop_oneof![
            Just("0".to_string()),
            Just("-1.5e3".to_string()),
            "[0-9]{1,20}"
        ]
        .prop_map(Json::Number),
        word().prop_map(Json::String),
        ".{0,64}".prop_map(Json::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((word(), inner), 0..8).prop_map(Json::Object),
        ]
    })
}

/// An object of provider field names with arbitrary values.
fn record() -> impl Strategy<Value = Json> {
    prop::collection::vec(
        (prop::sample::select(WORDS).prop_map(str::to_string), json()),
        0..10,
    )
    .prop_map(Json::Object)
}

/// The envelopes the providers use, filled with arbitrary members: most generated replies get
/// past the first checks and into the field handling.
fn shaped() -> impl Strategy<Value = Json> {
    let envelope = prop::sample::select(vec![
        "data", "error", "errors", "included", "message", "status",
    ]);
    let member = prop_oneof![
        3 => record(),
        2 => prop::collection::vec(record(), 0..4).prop_map(Json::Array),
        1 => json(),
    ];
    prop::collection::vec((envelope.prop_map(str::to_string), member), 1..4).prop_map(Json::Object)
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => shaped().prop_map(|v| v.to_json_string()),
        3 => json().prop_map(|v| v.to_json_string()),
        1 => ".{0,200}",
        1 => json().prop_map(|v| {
            let text = v.to_json_string();
            let cut = text.len() / 2;
            text.get(..cut).unwrap_or_default().to_string()
        }),
        1 => Just("<html><body><h1>502 Bad Gateway</h1></body></html>".to_string()),
    ]
}

fn reply() -> impl Strategy<Value = HttpReply> {
    let status = prop_oneof![
        prop::sample::select(vec![
            200u16, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503
        ]),
        100u16..600,
    ];
    let headers = prop::collection::vec(
        (
            prop::sample::select(vec![
                "retry-after",
                "idempotent-replayed",
                "content-type",
                "x-ratelimit-remaining",
            ]),
            ".{0,12}",
        )
            .prop_map(|(name, value)| (name.to_string(), value)),
        0..3,
    );
    (status, headers, body()).prop_map(|(status, headers, body)| HttpReply {
        status,
        headers,
        body,
    })
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

/// Runs `cases()` generated replies through everything that reads outside input for `provider`.
fn fuzz(provider: ProviderId) {
    let ran = AtomicU64::new(0);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let contracts =
        [Channel::Direct, Channel::Gateway].map(|channel| contract_for(provider, channel).unwrap());
    let rules = gateway_rules_for(provider).unwrap();
    let result = runner.run(
        &(reply(), prop_oneof![shaped(), json()], ".{0,80}"),
        |(reply, body, text)| {
            ran.fetch_add(1, Ordering::Relaxed);
            for contract in contracts {
                if let Ok(record) = interpret_reply(contract, &reply) {
                    // A parsed record must be usable as the base of an update without panicking.
                    let ctx = RequestContext {
                        base: "https://x.test",
                        idempotency_key: Some("k"),
                    };
                    let edited = record.values.clone().with("email", "new@example.com");
                    let _ = update_request(contract, ctx, &record, &edited);
                    let _ = contract.duplicate_lookup("https://x.test", &record.values);
                }
            }
            for op in [Operation::Create, Operation::Update] {
                let _ = rules.read_body(op, &body);
                let _ = check_body(rules, op, &body);
            }
            for method in [Method::Get, Method::Post, Method::Put, Method::Patch] {
                let _ = rules.route(method, &text);
            }
            let _ = rules.redact(
                &providers::Route::FindByEmail {
                    email: text.clone(),
                },
                &body,
            );
            let _ = Json::parse(&reply.body);
            let _ = TokenClaims::read(&text);
            let _ = classify_credential(provider, &text, &text);
            let values: FormValues = [("email", text.as_str()), ("metadata", reply.body.as_str())]
                .into_iter()
                .collect();
            let _ = providers::contract::validate(contracts[0], Operation::Create, &values, None);
            Ok(())
        },
    );
    if let Err(failure) = result {
        panic!("{} parser failed: {failure}", provider.display_name());
    }
    println!(
        "{}: {} generated replies, no panic",
        provider.display_name(),
        ran.load(Ordering::Relaxed)
    );
    assert!(ran.load(Ordering::Relaxed) >= cases() as u64);
}

#[test]
fn prolifi_never_panics() {
    fuzz(ProviderId::Prolifi);
}

#[test]
fn partnero_never_panics() {
    fuzz(ProviderId::Partnero);
}

#[test]
fn count_never_panics() {
    fuzz(ProviderId::Count);
}

#[test]
fn commerce_layer_never_panics() {
    fuzz(ProviderId::CommerceLayer);
}

#[test]
fn tokens_built_from_noise_never_panic() {
    let mut runner = TestRunner::new(Config {
        cases: cases() / 10,
        failure_persistence: None,
        ..Config::default()
    });
    let token =
        ("[A-Za-z0-9_-]{0,40}", json(), "[A-Za-z0-9_-]{0,20}").prop_map(|(head, claims, sig)| {
            let payload = claims.to_json_string();
            let encoded: String = payload.bytes().map(|b| format!("{b:02x}")).collect();
            // Not base64: the reader must still refuse it calmly; the second form is valid base64url.
            vec![
                format!("{head}.{encoded}.{sig}"),
                format!("{head}.{}.{sig}", base64url(payload.as_bytes())),
            ]
        });
    runner
        .run(&token, |tokens| {
            for token in tokens {
                let _ = TokenClaims::read(&token);
                for provider in ProviderId::ALL {
                    let _ = classify_credential(provider, &token, "http://127.0.0.1:1");
                }
            }
            Ok(())
        })
        .unwrap();
}
