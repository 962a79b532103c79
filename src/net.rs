//! HTTP clients. Every reqwest client of hallq (LAN API clients, the uploader to the
//! provincial platform, status, load test) is built here, so TLS is always rustls with the
//! ring crypto provider.

use std::sync::Once;

static PROVIDER: Once = Once::new();

/// Installs ring as rustls' process-wide crypto provider (once; a provider installed earlier
/// by someone else is kept).
pub fn install_tls_provider() {
    PROVIDER.call_once(|| {
        // Err only when a provider is already installed: that one is used.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A reqwest client builder with the TLS provider in place.
pub fn http() -> reqwest::ClientBuilder {
    install_tls_provider();
    reqwest::Client::builder()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_builds_and_the_provider_is_ring() {
        let client = super::http().build();
        assert!(client.is_ok());
        let provider = rustls::crypto::CryptoProvider::get_default();
        assert!(provider.is_some_and(|p| !p.cipher_suites.is_empty()));
    }
}
