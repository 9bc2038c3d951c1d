//! The OpenAPI 3.1 document of the nixbuild.net API, built with utoipa from the `nixbuild`
//! crate's own types so that the document, the Rust client and the mock server cannot drift
//! apart.
//!
//! [`document()`] returns it; `cargo run -p nixbuild-openapi` writes it to
//! `openapi/openapi.json` and `openapi/openapi.yaml`, and `-- --check` fails when those files
//! are stale. Other languages generate their clients from the committed files.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// docs.rs labels every item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod artifacts;
mod body_rules;
mod described;
mod experimental;
pub mod json_schema;
pub mod mock_control;
mod operations;
mod parameters;
mod responses;

use nixbuild::{Build, BuildId, BuildStatus, BuildsSummary, ErrorBody, Output, Process, Usage};
use utoipa::openapi::info::LicenseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::server::ServerBuilder;
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa::{PartialSchema, ToSchema};

pub use artifacts::{Artifact, ArtifactError, REGENERATE, Staleness, artifacts, check, directory, write};

/// The name of the security scheme every operation requires.
pub const SECURITY_SCHEME: &str = "biscuit";

const DESCRIPTION: &str = "\
nixbuild.net is a remote Nix build service. This API lets an account query its builds: which \
builds ran for a derivation, a CI run or a tag, whether they succeeded, and what they cost.

This document is generated from the types of the `nixbuild` Rust crate. Where the real \
service's behaviour is not public (error bodies, ordering, the summary's definitions, the \
`limit` range), it describes the contract that crate and its mock server keep.

Forward compatibility: the service adds fields and build statuses over time. Clients must \
ignore object fields they do not know, and must accept any string as a build status (see \
`BuildStatus`).";

const TOKEN_DESCRIPTION: &str = "\
A nixbuild.net API token: a Biscuit v2 token (base64url), sent as `Authorization: Bearer \
<token>`. Tokens are made in the nixbuild.net shell (`tokens create -p build:read`) or web UI. \
Its authority block names the account and its rights, and usually an expiry, for example \
`owner(4); right({\"build:read\"}); check if time($time), $time < 2026-06-16T12:14:00Z;` \
(older tokens: `account(1); check if operation(\"read\");`). A holder can attenuate a token \
offline by appending blocks with further checks (a shorter expiry, one build); the service \
verifies the signature against its root key (else 401) and then every check and its policies \
(else 403). The read endpoints need the `build:read` right.";

/// The whole document.
pub fn document() -> OpenApi {
    let security_scheme = SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("biscuit")
            .description(Some(TOKEN_DESCRIPTION))
            .build(),
    );
    let components = ComponentsBuilder::new()
        .schemas_from_iter(build_schemas())
        .schema(BuildsSummary::name(), BuildsSummary::schema())
        .schema(Usage::name(), Usage::schema())
        .schema(Process::name(), Process::schema())
        .security_scheme(SECURITY_SCHEME, security_scheme)
        .build();
    OpenApiBuilder::new()
        .info(info("nixbuild.net API", DESCRIPTION))
        .servers(Some([ServerBuilder::new()
            .url(nixbuild::DEFAULT_BASE_URL)
            .description(Some("The hosted nixbuild.net service"))
            .build()]))
        .tags(Some([
            TagBuilder::new()
                .name("builds")
                .description(Some("Builds and their aggregates"))
                .build(),
            TagBuilder::new()
                .name("usage")
                .description(Some("What the account is billed for"))
                .build(),
        ]))
        .security(Some([SecurityRequirement::new(
            SECURITY_SCHEME,
            Vec::<String>::new(),
        )]))
        .paths(operations::paths())
        .components(Some(components))
        .build()
}

/// The document's info: its title, this crate's version and licence, and `description`.
pub(crate) fn info(title: &str, description: &str) -> utoipa::openapi::Info {
    InfoBuilder::new()
        .title(title)
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(description))
        .license(Some(
            LicenseBuilder::new()
                .name(env!("CARGO_PKG_LICENSE"))
                .identifier(Some(env!("CARGO_PKG_LICENSE")))
                .build(),
        ))
        .build()
}

/// The schemas of a build and what it refers to (its id, status with the known values,
/// outputs), and the error body: what both documents share.
pub(crate) fn build_schemas() -> Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)> {
    let mut schemas = vec![
        (BuildId::name().into(), BuildId::schema()),
        (BuildStatus::name().into(), BuildStatus::schema()),
    ];
    <BuildStatus as ToSchema>::schemas(&mut schemas);
    schemas.extend([
        (Output::name().into(), Output::schema()),
        (<Build as ToSchema>::name().into(), Build::schema()),
        (ErrorBody::name().into(), ErrorBody::schema()),
    ]);
    schemas
}
