//! The OIDC ID token a request carries (`NIXBUILDNET-OIDC-ID-TOKEN`), read with one set of
//! caps wherever it is read: the exchange carries its claims into a new token, and every
//! other API request gives them to the authorizer as `jwt_claim(name, value)` facts, so that
//! a token attenuated with a check on a claim (`check if jwt_claim("repository",
//! "acme/web")`) works only beside a matching ID token. These fact names are DECIDED for the
//! mock (the service's own are not public; see the API notes).
//!
//! The mock does **not** verify the JWT (it has no issuer's keys): it reads the claims of
//! its payload when it can, and a value that is not a decodable JWT gives no claims.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use biscuit_auth::builder::Term;
use wiremock::Request;

use super::request::{OIDC_ID_TOKEN, id_token};
use crate::answer::Answer;
use crate::limits::{MAX_ID_TOKEN_BYTES, MAX_JWT_CLAIM_NAME_BYTES, MAX_JWT_CLAIMS, MAX_STRING_BYTES};

/// The claims of the ID token `request` carries; `None` when it carries none (see
/// [`required_claims`] for what is refused).
pub(crate) fn claims_of(request: &Request) -> Result<Option<Vec<(String, Term)>>, Answer> {
    // Asked of every request with auth on, which carries three or four headers: walking
    // them is a tenth of what hashing the name costs a debug build (2,200 instructions).
    if !request.headers.keys().any(|name| *name == OIDC_ID_TOKEN) {
        return Ok(None);
    }
    required_claims(request).map(Some)
}

/// The claims of the ID token an operation needs (the exchange): a missing or empty one is
/// a 400, one larger than [`MAX_ID_TOKEN_BYTES`] a 431, one past a claim cap a 400.
pub(crate) fn required_claims(request: &Request) -> Result<Vec<(String, Term)>, Answer> {
    let jwt = id_token(request).map_err(|message| Answer::error(400, message))?;
    if jwt.len() > MAX_ID_TOKEN_BYTES {
        return Err(Answer::error(
            431,
            format!(
                "the OIDC ID token has {} bytes; this mock reads at most {MAX_ID_TOKEN_BYTES}",
                jwt.len()
            ),
        ));
    }
    jwt_claims(jwt).map_err(|message| Answer::error(400, message))
}

/// The claims of a JWT's payload, unverified: strings, integers and booleans as such, other
/// values as their JSON text. A value that is not a decodable JWT has no claims; one with
/// more or larger claims than the caps is refused, naming the cap.
pub(crate) fn jwt_claims(jwt: &str) -> Result<Vec<(String, Term)>, String> {
    let Some(payload) = jwt.split('.').nth(1) else {
        return Ok(Vec::new());
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')) else {
        return Ok(Vec::new());
    };
    let Ok(serde_json::Value::Object(claims)) = serde_json::from_slice(&bytes) else {
        return Ok(Vec::new());
    };
    if claims.len() > MAX_JWT_CLAIMS {
        return Err(format!(
            "the OIDC ID token has {} claims; this mock carries at most {MAX_JWT_CLAIMS} into a token",
            claims.len()
        ));
    }
    claims
        .into_iter()
        .map(|(name, value)| {
            if name.len() > MAX_JWT_CLAIM_NAME_BYTES {
                return Err(format!(
                    "an OIDC ID token claim's name has {} bytes; this mock takes at most \
                     {MAX_JWT_CLAIM_NAME_BYTES}",
                    name.len()
                ));
            }
            let term = match value {
                serde_json::Value::String(s) => Term::Str(s),
                serde_json::Value::Bool(b) => Term::Bool(b),
                serde_json::Value::Number(n) if n.is_i64() => Term::Integer(n.as_i64().unwrap_or_default()),
                other => Term::Str(other.to_string()),
            };
            if let Term::Str(text) = &term
                && text.len() > MAX_STRING_BYTES
            {
                return Err(format!(
                    "the OIDC ID token's claim {} has a value of {} bytes; this mock takes at \
                     most {MAX_STRING_BYTES}",
                    crate::text::escaped(&name),
                    text.len()
                ));
            }
            Ok((name, term))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_come_from_the_payload_of_a_jwt() {
        let payload = URL_SAFE_NO_PAD
            .encode(r#"{"repository":"acme/web","run_number":42,"ref_protected":true,"aud":["a"]}"#);
        let claims = jwt_claims(&format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")).unwrap();
        assert!(claims.contains(&("repository".into(), Term::Str("acme/web".into()))));
        assert!(claims.contains(&("run_number".into(), Term::Integer(42))));
        assert!(claims.contains(&("ref_protected".into(), Term::Bool(true))));
        assert!(claims.contains(&("aud".into(), Term::Str("[\"a\"]".into()))));
        assert!(jwt_claims("not a jwt").unwrap().is_empty());
        assert!(jwt_claims("a.%%%.c").unwrap().is_empty());
    }

    #[test]
    fn claims_past_the_caps_are_refused_naming_the_cap() {
        let jwt = |claims: &serde_json::Value| format!("h.{}.s", URL_SAFE_NO_PAD.encode(claims.to_string()));
        let many: serde_json::Map<String, serde_json::Value> = (0..=MAX_JWT_CLAIMS)
            .map(|i| (format!("c{i}"), i.into()))
            .collect();
        let err = jwt_claims(&jwt(&many.into())).unwrap_err();
        assert!(err.contains("49 claims") && err.contains("at most 48"), "{err}");
        let long_name = serde_json::json!({ "n".repeat(300): 1 });
        assert!(
            jwt_claims(&jwt(&long_name))
                .unwrap_err()
                .contains("name has 300 bytes")
        );
        let long_value = serde_json::json!({ "sub": "v".repeat(2000) });
        assert!(jwt_claims(&jwt(&long_value)).unwrap_err().contains("2000 bytes"));
        let nested = serde_json::json!({ "aud": ["x".repeat(1100)] });
        assert!(
            jwt_claims(&jwt(&nested)).is_err(),
            "a value's JSON text is held to the cap too"
        );
    }
}
