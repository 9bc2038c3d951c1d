//! `GET /auth/oidc-token-exchange` (experimental): a CI job's OIDC ID token and this client's
//! token in, a short-lived nixbuild.net token out.

use reqwest::header::{ACCEPT, HeaderName, HeaderValue};

use crate::api::operation::{OIDC_ID_TOKEN_HEADER, OperationId};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::request::ApiRequest;
use crate::secret::Secret;
use crate::token::Token;

/// The `/auth` resource, from [`Client::auth`] (feature `experimental`).
#[derive(Debug, Clone)]
pub struct Auth {
    client: Client,
}

impl Client {
    /// The experimental `/auth` resource: OIDC token exchange.
    pub fn auth(&self) -> Auth {
        Auth::new(self.clone())
    }
}

impl Auth {
    pub(crate) fn new(client: Client) -> Auth {
        Auth { client }
    }

    /// Exchanges the client's token and a CI OIDC ID token (a JWT, such as GitHub Actions'
    /// `ACTIONS_ID_TOKEN_REQUEST_*` one) for a new nixbuild.net token.
    pub fn oidc_token_exchange(&self, id_token: impl Into<Secret>) -> OidcTokenExchange {
        OidcTokenExchange {
            client: self.client.clone(),
            id_token: id_token.into(),
        }
    }
}

/// `GET /auth/oidc-token-exchange`, from [`Auth::oidc_token_exchange`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct OidcTokenExchange {
    client: Client,
    id_token: Secret,
}

impl OidcTokenExchange {
    /// Sends the request: the new token. The service answers it as plain text; earlier
    /// versions answered a JSON string or `{"token": "…"}`, which are read too.
    pub async fn send(self) -> Result<Token> {
        let mut request = ApiRequest::new(OperationId::ExchangeOidcToken, String::new());
        request.headers.insert(
            HeaderName::from_static(OIDC_ID_TOKEN_HEADER),
            id_token_header(self.id_token.expose_secret())?,
        );
        request
            .headers
            .insert(ACCEPT, HeaderValue::from_static("text/plain, application/json"));
        let body = self.client.send_text(request).await?;
        Ok(Token::new(token_from_body(&body)))
    }
}

/// The OIDC ID token as a sensitive header value.
pub(crate) fn id_token_header(id_token: &str) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(id_token.trim()).map_err(|_| {
        Error::InvalidRequest("the OIDC ID token holds characters a header cannot carry".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The token in an exchange answer: plain text, a JSON string, or `{"token": "…"}`.
fn token_from_body(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body.trim()) {
        Ok(serde_json::Value::String(token)) => token,
        Ok(serde_json::Value::Object(fields)) => match fields.get("token") {
            Some(serde_json::Value::String(token)) => token.clone(),
            _ => body.trim().to_owned(),
        },
        _ => body.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::token_from_body;

    #[test]
    fn reads_plain_text_json_strings_and_token_objects() {
        for body in ["EoAB.token\n", "\"EoAB.token\"", "{\"token\": \"EoAB.token\"}"] {
            assert_eq!(token_from_body(body), "EoAB.token", "{body}");
        }
    }
}
