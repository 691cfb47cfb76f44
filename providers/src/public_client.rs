//! A public OAuth client: a browser-safe way for the widget to get its own token (Commerce
//! Layer's sales channel gives guest tokens to anyone with its public client ID). The provider
//! decides whether its settings make one (`Contract::public_client`); this says how the token is
//! asked for and read back.

use crate::http::{HttpReply, HttpRequest, Method};
use crate::json::Json;
use crate::substring::Trim;

/// The element's `client-id`, `market` and `auth-base` attributes, none of them secret.
#[derive(Clone, Copy, Debug, Default)]
pub struct PublicClientSettings<'a> {
    pub client_id: &'a str,
    pub market: &'a str,
    /// Empty: the provider's own token endpoint.
    pub auth_base: &'a str,
}

/// What a guest token request needs; none of it is secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicClient {
    /// `https://auth.commercelayer.io/oauth/token`, or the sandbox's.
    pub token_url: String,
    pub client_id: String,
    /// `market:code:europe` or `market:id:…`.
    pub scope: String,
}

impl PublicClient {
    /// The `client_credentials` grant with the public client ID, as a JSON body.
    pub fn token_request(&self) -> HttpRequest {
        let body = Json::object([
            ("grant_type", Json::str("client_credentials")),
            ("client_id", Json::str(self.client_id.clone())),
            ("scope", Json::str(self.scope.clone())),
        ]);
        HttpRequest::json(Method::Post, self.token_url.clone(), Some(&body))
    }

    /// The `access_token` of a successful reply; `None` for anything else.
    pub fn read_token(reply: &HttpReply) -> Option<String> {
        if !reply.is_success() {
            return None;
        }
        Json::parse(&reply.body)
            .ok()?
            .get("access_token")?
            .as_str()
            .filter(|token| !token.trimmed().is_empty())
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProviderId;

    fn settings<'a>(market: &'a str, auth_base: &'a str) -> PublicClientSettings<'a> {
        PublicClientSettings {
            client_id: " cl_public ",
            market,
            auth_base,
        }
    }

    #[test]
    fn commerce_layer_makes_a_market_scope_from_a_code_or_an_id() {
        let contract = ProviderId::CommerceLayer.contract();
        let client = contract.public_client(&settings("europe", "")).unwrap();
        assert_eq!(
            client,
            PublicClient {
                token_url: "https://auth.commercelayer.io/oauth/token".into(),
                client_id: "cl_public".into(),
                scope: "market:code:europe".into(),
            }
        );
        let by_id = contract
            .public_client(&settings(
                "id:BjQkZhRZJn",
                "http://127.0.0.1:8787/commercelayer/",
            ))
            .unwrap();
        assert_eq!(by_id.scope, "market:id:BjQkZhRZJn");
        assert_eq!(
            by_id.token_url,
            "http://127.0.0.1:8787/commercelayer/oauth/token"
        );
        let request = by_id.token_request();
        assert_eq!(request.method, Method::Post);
        assert_eq!(
            request.body.as_deref(),
            Some(
                r#"{"grant_type":"client_credentials","client_id":"cl_public","scope":"market:id:BjQkZhRZJn"}"#
            )
        );
        assert!(contract
            .public_client(&PublicClientSettings::default())
            .is_none());
    }

    #[test]
    fn only_commerce_layer_has_a_public_client() {
        for provider in [ProviderId::Partnero, ProviderId::Prolifi, ProviderId::Count] {
            assert!(provider
                .contract()
                .public_client(&settings("europe", ""))
                .is_none());
        }
    }

    #[test]
    fn a_token_is_read_only_from_a_successful_reply() {
        let reply = |status, body: &str| HttpReply {
            status,
            headers: vec![],
            body: body.into(),
        };
        assert_eq!(
            PublicClient::read_token(&reply(
                200,
                r#"{"access_token":"eyJ.x.y","token_type":"bearer"}"#
            )),
            Some("eyJ.x.y".into())
        );
        assert_eq!(
            PublicClient::read_token(&reply(401, r#"{"access_token":"x"}"#)),
            None
        );
        assert_eq!(
            PublicClient::read_token(&reply(200, r#"{"access_token":" "}"#)),
            None
        );
        assert_eq!(PublicClient::read_token(&reply(200, "<html>")), None);
    }
}
