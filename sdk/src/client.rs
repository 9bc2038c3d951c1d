//! [`Client`] and [`ClientBuilder`]: where requests go and how they are sent.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, InvalidHeaderValue};
use url::Url;

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::token::Token;

/// The hosted nixbuild.net API.
pub const DEFAULT_BASE_URL: &str = "https://api.nixbuild.net";
/// The longest a request may take, connection, upload and download included, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest answer a client reads unless told otherwise: 256 MiB. A build is about 650
/// bytes of JSON, so this is some 400,000 builds in one answer, several times what any
/// single listing returns in practice; larger ones are what `stream()` is for.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;
/// The longest the client waits for a connection by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The environment variable [`Client::from_env`] reads the token from.
pub const TOKEN_ENV: &str = "NIXBUILD_TOKEN";
/// The environment variable [`Client::from_env`] reads a base URL from, if set.
pub const API_URL_ENV: &str = "NIXBUILD_API_URL";

/// The base URL `NIXBUILD_API_URL` names, as [`Client::from_env`] reads it: `None` when it is
/// unset, not Unicode, empty or only white space (so that `NIXBUILD_API_URL=` in a CI file
/// means the real API, not an error). For a tool of its own that reads the variable, such
/// as the `nixbuild` command, and must agree.
pub fn api_url_from_env() -> Option<String> {
    set(std::env::var(API_URL_ENV).ok())
}

/// A variable's value when it is set to something other than white space.
fn set(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// A client of the nixbuild.net API.
///
/// Cheap to clone (the clones share one connection pool) and `Send + Sync`.
///
/// ```no_run
/// # async fn run() -> nixbuild::Result<()> {
/// let client = nixbuild::Client::builder().token("En0K…").build()?;
/// let failed = client
///     .builds()
///     .list()
///     .tag("GITHUB_RUN_ID", "42")
///     .status(nixbuild::BuildStatus::BuildFailed)
///     .send()
///     .await?;
/// for build in failed {
///     println!("{} failed: {}", build.name(), build.status_message.as_deref().unwrap_or(""));
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    /// When the token expires, as read from it; `None` when unknown or not checked.
    pub(crate) token_expiry: Option<chrono::DateTime<chrono::Utc>>,
    /// The largest success body read.
    pub(crate) max_response_bytes: u64,
}

impl Client {
    /// A builder to configure a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the token from `NIXBUILD_TOKEN` (required)
    /// and the base URL from `NIXBUILD_API_URL` (optional); everything else is defaulted.
    /// [`ClientBuilder::from_env`] does the same and lets you change the rest.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    // Each resource's entry point (`builds()`, `usage()`, `auth()`, `processes()`) is
    // written beside the resource, in `api/`: the client knows how to send, and the
    // resources know the client, never the other way round.

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field(
                "base_url",
                &crate::printable::url_without_userinfo(self.inner.base_url.as_str()),
            )
            .field("token", &"<redacted>")
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Every setting but the token has a default.
///
/// ```
/// use std::time::Duration;
///
/// let client = nixbuild::Client::builder()
///     .token("En0K…")
///     .base_url("https://nixbuild.example.com/api/v1")
///     .timeout(Duration::from_secs(20))
///     .user_agent("my-ci-bot/1.2")
///     .build()?;
/// assert_eq!(client.base_url().as_str(), "https://nixbuild.example.com/api/v1");
/// # Ok::<(), nixbuild::Error>(())
/// ```
#[derive(Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    token: Option<Token>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    retry: Option<RetryPolicy>,
    http: Option<reqwest::Client>,
    skip_expiry_check: bool,
    max_response_bytes: Option<u64>,
}

impl ClientBuilder {
    /// A builder with the token from `NIXBUILD_TOKEN` and the base URL from
    /// `NIXBUILD_API_URL` when set. Fails when `NIXBUILD_TOKEN` is unset or not Unicode.
    pub fn from_env() -> Result<ClientBuilder> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder> {
        let token = var(TOKEN_ENV)
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| Error::Config(format!("{TOKEN_ENV} is not set")))?;
        let mut builder = ClientBuilder::default().token(token);
        if let Some(url) = set(var(API_URL_ENV)) {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The API token, sent as `Authorization: Bearer <token>`. Required.
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Where the API is: `https://api.nixbuild.net` by default. A path prefix of a
    /// self-hosted deployment (`https://host/api/v1`) is kept: requests go to
    /// `https://host/api/v1/builds`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The longest one attempt of a request may take, from connecting to the last byte of the
    /// body (60 s by default). It applies to a caller-supplied `reqwest::Client` too.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The longest the client waits for a connection (10 s by default). Not applied to a
    /// caller-supplied `reqwest::Client`, which keeps its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Names your program in the `User-Agent` header, before this crate's own
    /// `nixbuild-rs/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// How failed requests are retried ([`RetryPolicy::default`] unless set).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends every request once: the same as `.retry(RetryPolicy::disabled())`.
    pub fn no_retries(self) -> Self {
        self.retry(RetryPolicy::disabled())
    }

    /// Sends requests through this `reqwest::Client` (its proxy, TLS and pool settings)
    /// instead of one of the crate's own.
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`, as the crate's own
    /// client is: a client that follows redirects sends this crate's headers (the OIDC ID
    /// token among them) wherever the server points. An answer that arrives from another
    /// origin than the base URL's is still refused with [`Error::Redirect`].
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Whether to refuse, locally, to send a token whose expiry (read from the token with
    /// feature `biscuit`) has passed: the request fails with [`Error::TokenExpired`] instead
    /// of a 403 round trip. On by default; a token that cannot be read is always sent.
    pub fn check_token_expiry(mut self, check: bool) -> Self {
        self.skip_expiry_check = !check;
        self
    }

    /// The largest answer the client reads, in bytes ([`DEFAULT_MAX_RESPONSE_BYTES`] unless
    /// set). A larger one is [`Error::ResponseTooLarge`], refused from its `Content-Length`
    /// before anything is read, or as soon as the bytes read pass the limit: a broken proxy
    /// or an endless body cannot make the client allocate without bound.
    /// [`ListBuilds::stream`](crate::api::ListBuilds::stream) reads page by page, so no
    /// limit ever stops it.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// Checks the configuration and makes the client.
    pub fn build(self) -> Result<Client> {
        let token = self.token.ok_or_else(|| {
            Error::Config(format!("no token: call ClientBuilder::token or set {TOKEN_ENV}"))
        })?;
        let authorization = bearer(&token)
            .map_err(|_| Error::Config("the token holds characters an HTTP header cannot carry".into()))?;
        let base_url = parse_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let timeout = positive("timeout", self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let connect_timeout = positive(
            "connect timeout",
            self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        )?;
        let user_agent = match self.user_agent {
            Some(app) => format!("{} {}", app.trim(), crate_user_agent()),
            None => crate_user_agent(),
        };
        let user_agent = HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::Config(format!("`{user_agent}` is not a valid User-Agent")))?;
        let http = match self.http {
            Some(http) => http,
            // No redirect is followed: reqwest strips only `Authorization` when one crosses
            // origins, and the OIDC ID token and a POST body would go along. A 3xx answer
            // becomes `Error::Redirect`, naming where it pointed.
            None => crate::tls::http_client_builder()?
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(connect_timeout)
                .build()
                .map_err(|e| Error::Config(format!("cannot set up the HTTP client: {e}")))?,
        };
        let token_expiry = if self.skip_expiry_check {
            None
        } else {
            token_expiry(&token)
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                authorization,
                user_agent,
                timeout,
                retry: self.retry.unwrap_or_default(),
                token_expiry,
                max_response_bytes: self.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            }),
        })
    }
}

/// The token's expiry as the token itself states it (unverified: only to save a doomed
/// request; the service decides).
#[cfg(feature = "biscuit")]
fn token_expiry(token: &Token) -> Option<chrono::DateTime<chrono::Utc>> {
    token.inspect().ok()?.expires_at
}

#[cfg(not(feature = "biscuit"))]
fn token_expiry(_token: &Token) -> Option<chrono::DateTime<chrono::Utc>> {
    None
}

/// `nixbuild-rs/<version>`.
fn crate_user_agent() -> String {
    format!("nixbuild-rs/{}", env!("CARGO_PKG_VERSION"))
}

fn bearer(token: &Token) -> std::result::Result<HeaderValue, InvalidHeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))?;
    // Keeps the value out of reqwest's and http's Debug output.
    value.set_sensitive(true);
    Ok(value)
}

fn positive(what: &str, duration: Duration) -> Result<Duration> {
    if duration.is_zero() {
        Err(Error::Config(format!("the {what} must be longer than zero")))
    } else {
        Ok(duration)
    }
}

fn parse_base_url(raw: &str) -> Result<Url> {
    let invalid = |why: &str| {
        let shown = crate::printable::url_without_userinfo(raw);
        let shown = crate::printable::escape_controls(&shown);
        Error::Config(format!("base URL `{shown}` {why}"))
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| invalid(&format!("is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must be http or https"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry credentials: use the token"));
    }
    // Requests append path segments, so a trailing slash would make an empty segment.
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_keeps_its_prefix_and_drops_trailing_slashes() {
        assert_eq!(
            parse_base_url("https://h/api/v1/").unwrap().as_str(),
            "https://h/api/v1"
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
    }

    #[test]
    fn base_url_errors_say_what_is_wrong() {
        for (url, why) in [
            ("api.nixbuild.net", "is not a URL"),
            ("ftp://h", "http or https"),
            ("https://h/?x=1", "query"),
            ("https://user:pw@h", "credentials"),
            ("https://ci-bot:s3cr3t-pass@h:99999", "is not a URL"),
            ("https://h/\u{1b}[2J\u{7}?q", "query"),
        ] {
            let err = parse_base_url(url).unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
            assert!(!err.contains("s3cr3t") && !err.contains("pw@"), "{err}");
            assert!(!err.chars().any(crate::printable::is_unsafe), "{err}");
        }
    }

    #[test]
    fn from_env_reads_token_and_optional_url() {
        let vars = |token: Option<&'static str>, url: Option<&'static str>| {
            move |name: &str| match name {
                TOKEN_ENV => token.map(String::from),
                API_URL_ENV => url.map(String::from),
                _ => None,
            }
        };
        let client = ClientBuilder::from_vars(vars(Some("t0k"), Some("http://localhost:1/p")))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), "http://localhost:1/p");
        for unset in [None, Some(""), Some(" \t ")] {
            let client = ClientBuilder::from_vars(vars(Some("t0k"), unset))
                .unwrap()
                .build()
                .unwrap();
            assert_eq!(
                client.base_url().as_str(),
                "https://api.nixbuild.net/",
                "{unset:?}"
            );
        }
        let err = ClientBuilder::from_vars(vars(None, None)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid nixbuild client configuration: NIXBUILD_TOKEN is not set"
        );
    }

    #[test]
    fn the_token_is_required_and_never_shown() {
        let err = Client::builder().build().unwrap_err();
        assert!(err.to_string().contains("no token"), "{err}");
        let builder = Client::builder().token("s3cr3t-token");
        assert!(!format!("{builder:?}").contains("s3cr3t"));
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}").contains("s3cr3t"));
        let err = Client::builder().token("bad\u{7}s3cr3t").build().unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }

    #[test]
    fn zero_timeouts_are_refused() {
        let err = Client::builder()
            .token("t")
            .timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("timeout must be longer than zero"),
            "{err}"
        );
    }
}
