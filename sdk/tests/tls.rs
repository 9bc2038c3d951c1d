//! The TLS the default features give (`rustls-ring`): the client's reqwest carries its own
//! rustls configuration, so nothing process-wide is installed, and a real handshake with it
//! offers HTTP/2, names the host, and refuses a certificate no trusted authority signed.
#![cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc")))]

use std::io::Read;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// A throwaway self-signed certificate for `localhost` (made with `openssl req -x509`), and
/// its key: trusted by nothing, which is the point.
const CERT: &[u8] = include_bytes!("fixtures/localhost-untrusted.cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/localhost-untrusted.key.pem");

/// What a client's hello offered: the server name, and the ALPN protocols.
type Hello = (Option<String>, Vec<Vec<u8>>);

/// Serves the certificate and notes what the client's hello offered.
#[derive(Debug)]
struct Noting {
    key: Arc<CertifiedKey>,
    hello: Mutex<Option<Hello>>,
}

impl ResolvesServerCert for Noting {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let alpn = hello
            .alpn()
            .map(|p| p.map(<[u8]>::to_vec).collect())
            .unwrap_or_default();
        *self.hello.lock().unwrap() = Some((hello.server_name().map(str::to_owned), alpn));
        Some(Arc::clone(&self.key))
    }
}

#[tokio::test]
async fn the_client_handshakes_with_its_own_configuration_and_refuses_an_untrusted_certificate() {
    let provider = rustls::crypto::ring::default_provider();
    let key = CertifiedKey::from_der(
        vec![CertificateDer::from_pem_slice(CERT).unwrap()],
        PrivateKeyDer::from_pem_slice(KEY).unwrap(),
        &provider,
    )
    .unwrap();
    let noting = Arc::new(Noting {
        key: Arc::new(key),
        hello: Mutex::new(None),
    });
    let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::clone(&noting) as Arc<dyn ResolvesServerCert>);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let connection = rustls::ServerConnection::new(Arc::new(server_config)).unwrap();
        let mut tls = rustls::StreamOwned::new(connection, socket);
        // The client hangs up at the certificate: the read ends with an error or nothing.
        let _ = tls.read(&mut [0; 16]);
    });

    let client = nixbuild::Client::builder()
        .token("a-token")
        .base_url(format!("https://localhost:{port}"))
        .no_retries()
        .build()
        .unwrap();
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_none(),
        "building the client installs no process-wide provider"
    );
    let err = client.usage().send().await.unwrap_err();
    server.join().unwrap();

    let mut chain = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        chain.push_str(&format!(" / {cause}"));
        source = cause.source();
    }
    assert!(
        chain.contains("certificate"),
        "refused for its certificate: {chain}"
    );
    let hello = noting.hello.lock().unwrap().clone();
    assert_eq!(
        hello,
        Some((
            Some("localhost".to_owned()),
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        )),
        "the hello names the host and offers HTTP/2, then HTTP/1.1"
    );
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_none(),
        "nor does sending a request"
    );
}
