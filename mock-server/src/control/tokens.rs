//! `/_mock/tokens`: tokens minted by the mock's root key, and revoked.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wiremock::Request;

use super::body::json_object;
use crate::answer::Answer;
use crate::app::State;

/// The most rights a minted token names.
const MAX_RIGHTS: usize = 64;
/// The longest lifetime a minted token is given: a hundred years, past any test.
const MAX_EXPIRES_IN_SECONDS: u64 = 3_153_600_000;

/// The longest right a minted token names, in characters (JSON Schema's `maxLength` counts
/// characters, so the document can say it).
pub const MAX_RIGHT_CHARS: usize = 128;

/// The body of `POST /_mock/tokens`: the token's shape. Everything is optional: by default a
/// token of account 1 with `build:read`, expiring an hour after the mock's now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The rights in `right({…})`, such as `build:read` (`["build:read"]` when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 64))]
    pub rights: Option<Vec<String>>,
    /// The account in `owner(N)` (1 when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<i64>,
    /// Seconds from the mock's now until it expires (3600 when left out; 0 for a token that
    /// is expired already; at most 100 years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 3_153_600_000_u64))]
    pub expires_in_seconds: Option<u64>,
    /// The instant it expires, instead of `expires_in_seconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// A 2022 token (`account(N); check if operation("read");`, no expiry) instead.
    #[serde(default)]
    pub legacy: bool,
    /// Accept rights nixbuild.net is not known to grant (a typo otherwise: `build:raed` is
    /// a 400).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_unknown_rights: bool,
}

/// A token the mock minted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MintedToken {
    /// The token (base64url), to send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// The body of `POST /_mock/tokens/revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// The token to revoke: it and every token attenuated from it get 401 from now on.
    pub token: String,
}

/// `POST /_mock/tokens`.
pub(super) fn mint(state: &State, request: &Request) -> Answer {
    let shape: TokenRequest = match json_object(request) {
        Ok(shape) => shape,
        Err(answer) => return answer,
    };
    let mut minter = state.tokens();
    if let Some(rights) = shape.rights {
        if rights.len() > MAX_RIGHTS
            || rights
                .iter()
                .any(|r| r.is_empty() || r.chars().count() > MAX_RIGHT_CHARS)
        {
            return Answer::error(
                400,
                format!("`rights` holds at most {MAX_RIGHTS} rights of 1 to {MAX_RIGHT_CHARS} characters"),
            );
        }
        if !shape.allow_unknown_rights
            && let Some(unknown) = rights
                .iter()
                .find(|r| !nixbuild::token::KNOWN_RIGHTS.contains(&r.as_str()))
        {
            return Answer::error(
                400,
                format!(
                    "{} is not a right nixbuild.net grants ({}); to mint one on purpose, add \
                     \"allow_unknown_rights\": true",
                    crate::text::escaped(unknown),
                    nixbuild::token::KNOWN_RIGHTS.join(", ")
                ),
            );
        }
        minter = minter.rights(rights);
    }
    if let Some(owner) = shape.owner {
        minter = minter.owner(owner);
    }
    minter = match (shape.expires_in_seconds, shape.expires_at) {
        (Some(_), Some(_)) => {
            return Answer::error(400, "give `expires_in_seconds` or `expires_at`, not both");
        }
        (Some(seconds), None) if seconds > MAX_EXPIRES_IN_SECONDS => {
            return Answer::error(
                400,
                format!("`expires_in_seconds` is at most {MAX_EXPIRES_IN_SECONDS} (a hundred years)"),
            );
        }
        (Some(seconds), None) => minter.expires_in(Duration::from_secs(seconds)),
        (None, Some(at)) => minter.expires_at(at),
        (None, None) => minter,
    };
    let token = if shape.legacy {
        minter.mint_legacy()
    } else {
        minter.mint()
    };
    Answer::json(
        201,
        &MintedToken {
            token: token.expose_secret().to_owned(),
        },
    )
}

/// `POST /_mock/tokens/revoke`.
pub(super) fn revoke(state: &State, request: &Request) -> Answer {
    let body: RevokeRequest = match json_object(request) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    match state.revoke(&nixbuild::Token::new(body.token.trim())) {
        Ok(()) => Answer::empty(),
        Err(e) => Answer::error(400, format!("cannot revoke: {e}")),
    }
}
