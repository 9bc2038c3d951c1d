#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// docs.rs labels every item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod api;
mod client;
mod error;
pub mod examples;
mod filter;
mod models;
pub mod printable;
mod query_pairs;
pub mod report;
mod request;
mod retry;
mod secret;
mod tls;
pub mod token;

pub use client::{
    API_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, TOKEN_ENV, api_url_from_env,
};
pub use error::{ApiError, DecodeError, Endpoint, Error, Result};
pub use filter::{BuildFilter, FilterError, FilterParam, InvalidTimeBound, TimeBound};
#[cfg(feature = "openapi")]
pub use models::KnownBuildStatus;
#[cfg(feature = "experimental")]
pub use models::Process;
pub use models::{Build, BuildId, BuildStatus, BuildsSummary, ErrorBody, Output, Tags, TagsIter, Usage};
pub use reqwest::StatusCode;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use tls::http_client_builder;
pub use token::bearer::Token;
#[cfg(feature = "biscuit")]
pub use token::error::TokenError;

/// The versions of `chrono` and `reqwest` this crate's API uses, for callers that name their
/// types (`chrono::NaiveDate` bounds, a custom `reqwest::Client`).
pub mod reexports {
    pub use chrono;
    pub use reqwest;
}
