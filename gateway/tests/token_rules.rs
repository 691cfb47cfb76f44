//! The token-rule matrix: each rule the gateway applies to a scoped token, as a test that fails
//! if the rule is removed. (The customer rule needs a provider; it is in `forwarding.rs`.)

use customer_form_gateway::claims::{Audience, Claims};
use customer_form_gateway::config::Config;
use customer_form_gateway::scope::{check_fields, check_operation, ScopeError};
use customer_form_gateway::tokens::{TokenError, TokenKeys};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use providers::token_claims::base64url_encode as b64;
use providers::Route;

const KEY: &str = "token-rules-test-key-0123456789abcdef";
const NOW: u64 = 1_800_000_000;

fn keys() -> TokenKeys {
    std::env::set_var("TOKEN_RULES_HS256_KEY", KEY);
    let config = Config::parse(&format!(
        r#"
        [tokens]
        audience = "customer-form"
        max_lifetime_secs = 900
        leeway_secs = 30
        hs256_key = {{ env = "TOKEN_RULES_HS256_KEY" }}
        eddsa_public_key_file = "{}/tests/keys/host-test.pub.pem"
        "#,
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    TokenKeys::from_config(&config.tokens).unwrap()
}

fn claims() -> Claims {
    Claims {
        aud: Audience::One("customer-form".into()),
        exp: NOW + 300,
        iat: NOW,
        nbf: None,
        sub: "user-7".into(),
        provider: "prolifi".into(),
        ops: vec!["read".into(), "update".into()],
        customer: Some("cus_1001".into()),
        fields: None,
        jti: None,
    }
}

fn hs256(claims: &Claims) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(KEY.as_bytes()),
    )
    .unwrap()
}

fn eddsa(claims: &Claims) -> String {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/keys/host-test.key.pem"
    ))
    .unwrap();
    encode(
        &Header::new(Algorithm::EdDSA),
        claims,
        &EncodingKey::from_ed_pem(&pem).unwrap(),
    )
    .unwrap()
}

fn verify(token: &str) -> Result<Claims, TokenError> {
    keys().verify(token, "prolifi", NOW)
}

#[test]
fn a_good_token_passes_with_either_algorithm() {
    assert_eq!(verify(&hs256(&claims())), Ok(claims()));
    assert_eq!(verify(&eddsa(&claims())), Ok(claims()));
}

#[test]
fn expired() {
    let mut c = claims();
    c.iat = NOW - 400;
    c.exp = NOW - 100;
    assert_eq!(verify(&hs256(&c)), Err(TokenError::Expired));
    // Within the leeway it still passes: clocks drift.
    c.exp = NOW - 10;
    assert!(verify(&hs256(&c)).is_ok());
}

#[test]
fn not_yet_valid() {
    let mut c = claims();
    c.nbf = Some(NOW + 120);
    assert_eq!(verify(&hs256(&c)), Err(TokenError::NotYetValid));
}

#[test]
fn tampered_signature() {
    let token = hs256(&claims());
    let (rest, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    assert_eq!(
        verify(&format!("{rest}.{flipped}{}", &signature[1..])),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn tampered_payload() {
    let token = hs256(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut widened = claims();
    widened.ops.push("create".into());
    let payload = b64(serde_json::to_string(&widened).unwrap().as_bytes());
    assert_eq!(
        verify(&format!("{}.{payload}.{}", parts[0], parts[2])),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn signed_with_another_key() {
    let other = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(b"some-other-key-0123456789abcdefghij"),
    )
    .unwrap();
    assert_eq!(verify(&other), Err(TokenError::BadSignature));
}

#[test]
fn wrong_audience() {
    let mut c = claims();
    c.aud = Audience::One("another-service".into());
    assert_eq!(verify(&hs256(&c)), Err(TokenError::WrongAudience));
    c.aud = Audience::Many(vec!["x".into(), "customer-form".into()]);
    assert!(verify(&hs256(&c)).is_ok());
}

#[test]
fn wrong_provider() {
    assert_eq!(
        keys().verify(&hs256(&claims()), "partnero", NOW),
        Err(TokenError::WrongProvider)
    );
}

#[test]
fn lifetime_over_the_maximum() {
    let mut c = claims();
    c.exp = NOW + 3600;
    assert_eq!(verify(&hs256(&c)), Err(TokenError::LifetimeTooLong));
    // A token claiming to be issued in the future cannot stretch its lifetime either.
    let mut c = claims();
    c.iat = NOW + 600;
    c.exp = NOW + 900;
    assert_eq!(verify(&hs256(&c)), Err(TokenError::LifetimeTooLong));
}

#[test]
fn alg_none() {
    let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64(serde_json::to_string(&claims()).unwrap().as_bytes());
    assert_eq!(
        verify(&format!("{header}.{payload}.")),
        Err(TokenError::UnsupportedAlgorithm)
    );
    let header = b64(br#"{"alg":"RS256","typ":"JWT"}"#);
    assert_eq!(
        verify(&format!("{header}.{payload}.sig")),
        Err(TokenError::UnsupportedAlgorithm)
    );
}

#[test]
fn hs256_key_presented_as_an_eddsa_token_is_refused() {
    // Algorithm confusion: an HS256 body under an EdDSA header must not verify.
    let token = hs256(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let header = b64(br#"{"alg":"EdDSA","typ":"JWT"}"#);
    assert!(verify(&format!("{header}.{}.{}", parts[1], parts[2])).is_err());
}

#[test]
fn malformed_and_missing() {
    assert_eq!(verify(""), Err(TokenError::Missing));
    assert_eq!(verify("not-a-token"), Err(TokenError::Malformed));
    let header = b64(br#"{"alg":"HS256"}"#);
    assert_eq!(
        verify(&format!("{header}.!!.x")),
        Err(TokenError::Malformed)
    );
}

/// A header with `crit` (extensions the receiver must understand) is refused, whatever it names:
/// the gateway understands none (RFC 7515 §4.1.11).
#[test]
fn a_critical_header_extension_is_refused() {
    let mut header = Header::new(Algorithm::HS256);
    header.crit = Some(vec!["exp".into()]);
    let token = encode(
        &header,
        &claims(),
        &EncodingKey::from_secret(KEY.as_bytes()),
    )
    .unwrap();
    assert_eq!(verify(&token), Err(TokenError::Malformed));
}

/// `"fields": null` is not read as "no `fields` claim" (which allows every field): a host that
/// writes `null` when it found no field to allow must not grant them all. An empty list allows
/// none.
#[test]
fn a_null_fields_claim_is_refused_and_an_empty_one_allows_nothing() {
    let sign = |fields: serde_json::Value| {
        let mut payload = serde_json::to_value(claims()).unwrap();
        payload["fields"] = fields;
        encode(
            &Header::new(Algorithm::HS256),
            &payload,
            &EncodingKey::from_secret(KEY.as_bytes()),
        )
        .unwrap()
    };
    assert_eq!(
        verify(&sign(serde_json::Value::Null)),
        Err(TokenError::Malformed)
    );
    let none = verify(&sign(serde_json::json!([]))).unwrap();
    assert_eq!(none.fields, Some(vec![]));
    assert!(check_fields(&none, &[("phone", Some("+1".into()))]).is_err());
    assert_eq!(
        verify(&hs256(&claims())).unwrap().fields,
        None,
        "absent: any field"
    );
}

#[test]
fn wrong_operation() {
    let c = claims();
    assert_eq!(
        check_operation(
            &c,
            &Route::Update {
                customer: "cus_1001".into()
            }
        ),
        Ok(())
    );
    assert_eq!(
        check_operation(&c, &Route::Create),
        Err(ScopeError::Operation("create"))
    );
}

#[test]
fn field_not_allowed() {
    let mut c = claims();
    let written = [("email", Some("a@b.co".to_string())), ("phone", None)];
    assert_eq!(check_fields(&c, &written), Ok(()));
    c.fields = Some(vec!["phone".into()]);
    assert_eq!(
        check_fields(&c, &written),
        Err(ScopeError::Fields(vec!["email".into()]))
    );
}

#[test]
fn what_a_write_replaces_whole_needs_its_name_or_every_part() {
    use customer_form_gateway::scope::{check_replaced, plain_fields};
    use providers::Replaced;
    const PARTS: &[&str] = &["billingAddress.city", "billingAddress.street"];
    let replaced = [Replaced {
        field: "billingAddress",
        parts: PARTS,
    }];
    let with = |fields: Option<&[&str]>| {
        let mut c = claims();
        c.fields = fields.map(|f| f.iter().map(|s| s.to_string()).collect());
        check_replaced(&c, &replaced)
    };
    assert_eq!(
        with(Some(&["billingAddress.city"])),
        Err(ScopeError::Fields(vec!["billingAddress".into()]))
    );
    assert_eq!(with(Some(&["billingAddress"])), Ok(()));
    assert_eq!(with(Some(PARTS)), Ok(()));
    assert_eq!(with(None), Ok(()));
    let written = vec![
        ("billingAddress.city", Some("Paris".to_string())),
        ("website", None),
    ];
    assert_eq!(
        plain_fields(&written, &replaced),
        vec![("website", None::<String>)]
    );
}

/// Rotating a signing key without refusing the tokens already out, across replicas restarted
/// one by one: a key listed in `hs256_accepted_keys` or `eddsa_accepted_public_key_files` verifies
/// tokens (and never signs one), so every replica can accept the next key before the host signs
/// with it, and the old one for as long as its tokens live.
#[test]
fn accepted_keys_verify_during_a_rotation_and_never_sign() {
    const NEXT: &str = "token-rules-next-key-0123456789abcdef";
    std::env::set_var("TOKEN_RULES_CURRENT", KEY);
    std::env::set_var("TOKEN_RULES_NEXT", NEXT);
    let dir = env!("CARGO_MANIFEST_DIR");
    let config = Config::parse(&format!(
        r#"
        [tokens]
        hs256_key = {{ env = "TOKEN_RULES_CURRENT" }}
        hs256_accepted_keys = [{{ env = "TOKEN_RULES_NEXT" }}]
        eddsa_public_key_file = "{dir}/tests/keys/host-test.pub.pem"
        eddsa_accepted_public_key_files = ["{dir}/tests/keys/host-next.pub.pem"]
        "#
    ))
    .unwrap();
    let keys = TokenKeys::from_config(&config.tokens).unwrap();
    let mut c = claims();
    c.aud = Audience::One("customer-form".into());
    let signed_next = encode(
        &Header::new(Algorithm::HS256),
        &c,
        &EncodingKey::from_secret(NEXT.as_bytes()),
    )
    .unwrap();
    let pem = std::fs::read(format!("{dir}/tests/keys/host-next.key.pem")).unwrap();
    let eddsa_next = encode(
        &Header::new(Algorithm::EdDSA),
        &c,
        &EncodingKey::from_ed_pem(&pem).unwrap(),
    )
    .unwrap();
    for token in [hs256(&c), signed_next.clone(), eddsa(&c), eddsa_next] {
        assert_eq!(keys.verify(&token, "prolifi", NOW), Ok(c.clone()));
    }
    // Minting signs with `hs256_key` only.
    assert_eq!(keys.mint(&c).unwrap(), hs256(&c));
    // A key nobody listed is still refused, and so is a tampered token under every key.
    let other = encode(
        &Header::new(Algorithm::HS256),
        &c,
        &EncodingKey::from_secret(b"some-other-key-0123456789abcdefghij"),
    )
    .unwrap();
    assert_eq!(
        keys.verify(&other, "prolifi", NOW),
        Err(TokenError::BadSignature)
    );
    let (rest, _) = signed_next.rsplit_once('.').unwrap();
    assert_eq!(
        keys.verify(&format!("{rest}.AAAA"), "prolifi", NOW),
        Err(TokenError::BadSignature)
    );
    // The other rules still apply to a token under an accepted key.
    let mut late = c.clone();
    late.iat = NOW - 400;
    late.exp = NOW - 100;
    let late = encode(
        &Header::new(Algorithm::HS256),
        &late,
        &EncodingKey::from_secret(NEXT.as_bytes()),
    )
    .unwrap();
    assert_eq!(keys.verify(&late, "prolifi", NOW), Err(TokenError::Expired));
    // An accepted key is held to the same length as the signing key.
    std::env::set_var("TOKEN_RULES_SHORT", "short");
    let short = Config::parse(
        "[tokens]\nhs256_key = { env = \"TOKEN_RULES_CURRENT\" }\nhs256_accepted_keys = [{ env = \"TOKEN_RULES_SHORT\" }]",
    )
    .unwrap();
    assert!(TokenKeys::from_config(&short.tokens).is_err());
    // Accepted keys are extras: a config still names the key of its own.
    assert!(
        Config::parse("[tokens]\nhs256_accepted_keys = [{ env = \"TOKEN_RULES_NEXT\" }]").is_err()
    );
}
