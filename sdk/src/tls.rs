//! [`http_client_builder`]: reqwest's builder with the TLS this crate was built for, set on
//! the builder itself, so that nothing process-wide is installed.
//!
//! With `rustls-ring` (the default), reqwest's rustls has no crypto provider of its own: a
//! client built the usual way would need one installed for the whole process, and would
//! panic without it. Instead the builder gets a complete rustls configuration: ring's
//! provider, the platform's certificate verifier (the same roots reqwest's own default
//! trusts), and the ALPN protocols reqwest would offer. With `rustls-aws-lc`, reqwest's own
//! default is used as it is.

use crate::error::Result;

/// A `reqwest::ClientBuilder` with this crate's TLS: what [`ClientBuilder::build`] starts
/// from, and what to start from for a client of your own passed to
/// [`ClientBuilder::http_client`] (to set a proxy, say).
///
/// With the default feature `rustls-ring`, `reqwest::Client::builder()` alone would panic
/// at `build()` unless a process-wide rustls provider is installed; this one carries its own
/// and installs nothing.
///
/// ```
/// let http = nixbuild::http_client_builder()?
///     .redirect(nixbuild::reexports::reqwest::redirect::Policy::none())
///     .build()
///     .expect("a client");
/// let client = nixbuild::Client::builder().token("…").http_client(http).build()?;
/// # Ok::<(), nixbuild::Error>(())
/// ```
///
/// # Errors
/// [`Error::Config`](crate::Error::Config) when the platform's certificate verifier cannot be set up.
///
/// [`ClientBuilder::build`]: crate::ClientBuilder::build
/// [`ClientBuilder::http_client`]: crate::ClientBuilder::http_client
pub fn http_client_builder() -> Result<reqwest::ClientBuilder> {
    with_tls(reqwest::Client::builder())
}

#[cfg(feature = "rustls-aws-lc")]
fn with_tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
    // reqwest's own default: aws-lc-rs, the platform's verifier, nothing global.
    Ok(builder)
}

#[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc")))]
fn with_tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
    Ok(builder.tls_backend_preconfigured(ring_config()?))
}

/// Without a TLS feature reqwest speaks plain HTTP only; `https` URLs fail when sent.
#[cfg(not(any(feature = "rustls-ring", feature = "rustls-aws-lc")))]
fn with_tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
    Ok(builder)
}

/// rustls with ring, TLS 1.2 and 1.3, the platform's verifier, and ALPN for HTTP/2 and
/// HTTP/1.1: what reqwest itself would configure, with the provider named here.
#[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc")))]
fn ring_config() -> Result<rustls::ClientConfig> {
    use std::sync::Arc;
    // rustls 0.23.48 deprecates ring's provider for lacking post-quantum key exchange, and
    // names no ring replacement: that is what the `rustls-aws-lc` feature is for. ring stays
    // the default for its build time (see the README's build figures).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
        .map_err(|e| crate::Error::Config(format!("cannot set up TLS certificate verification: {e}")))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| crate::Error::Config(format!("cannot set up TLS: {e}")))?
        .dangerous()
        // "dangerous" only names the API for a verifier of one's own: this one is the
        // platform's, verifying every certificate and host name as reqwest's default does.
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(all(test, feature = "rustls-ring", not(feature = "rustls-aws-lc")))]
mod tests {
    use super::*;

    #[test]
    fn the_ring_configuration_offers_http2_and_verifies_with_ring() {
        let config = ring_config().unwrap();
        assert_eq!(config.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert!(
            config
                .crypto_provider()
                .kx_groups
                .iter()
                .any(|kx| format!("{:?}", kx.name()) == "X25519"),
            "ring's key exchange"
        );
    }
}
