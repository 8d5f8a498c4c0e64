//! HTTPS echo services: `GET` a URL, the body is the address the service saw us come from.
//!
//! The family is forced twice: host names resolve to addresses of that family only, and the
//! local socket is bound to `0.0.0.0` or `::`. The body must be one address and nothing else.
//! HTTPS only, certificates always verified (rustls with ring, the system's roots plus an
//! optional `ca_file`); no proxy, since a proxy would report its own address; HTTP/1.1 only.
//! The client is built for one detection and dropped after it: nothing stays in memory.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use tokio::time::Instant;

use super::{SourceError, SourceErrorKind, SourceSpec};
use crate::ip::Family;
use crate::ip::text::{BadAnswer, MAX_ANSWER, parse_answer, redact_url};

/// The echo services asked when a source lists no URL, in order. All answer both families
/// (the family is chosen by the connection) with a bare address.
pub const BUILTIN_URLS: &[&str] = &[
    "https://api64.ipify.org",
    "https://icanhazip.com",
    "https://ifconfig.co/ip",
    "https://ident.me",
    "https://api.seeip.org",
];

/// No single URL gets less than this, so a slow first service still has a chance.
const MIN_TRY: Duration = Duration::from_secs(1);

pub(super) async fn detect(
    spec: &SourceSpec,
    urls: Option<&[String]>,
    ca_file: Option<&Path>,
    family: Family,
    timeout: Duration,
) -> Result<Option<IpAddr>, SourceError> {
    let urls: Vec<&str> = match urls {
        None => BUILTIN_URLS.to_vec(),
        Some(urls) => urls.iter().map(String::as_str).collect(),
    };
    if urls.is_empty() {
        return Err(SourceError::new(
            spec,
            SourceErrorKind::Config,
            "no URL to ask",
        ));
    }
    let client = client(family, ca_file)
        .map_err(|why| SourceError::new(spec, SourceErrorKind::Config, why))?;
    let deadline = Instant::now() + timeout;
    let mut failures = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        // Share what is left of the time fairly among the URLs not yet tried.
        let left = deadline.saturating_duration_since(Instant::now());
        let share = (left / (urls.len() - i) as u32).max(MIN_TRY).min(left);
        match fetch(&client, url, family, share).await {
            Ok(ip) => return Ok(Some(ip)),
            Err((kind, why)) => {
                tracing::debug!(url = %redact_url(url), %why, "echo service failed");
                failures.push((redact_url(url), kind, why));
            }
        }
    }
    let kind = failures.first().map_or(SourceErrorKind::Network, |f| f.1);
    let reason = match failures.as_slice() {
        [(_, _, why)] => why.clone(),
        _ => failures
            .iter()
            .map(|(url, _, why)| format!("{url}: {why}"))
            .collect::<Vec<_>>()
            .join("; "),
    };
    Err(SourceError::new(spec, kind, reason))
}

/// One `GET`; the error is what kind of failure it was and why.
async fn fetch(
    client: &reqwest::Client,
    url: &str,
    family: Family,
    timeout: Duration,
) -> Result<IpAddr, (SourceErrorKind, String)> {
    match reqwest::Url::parse(url) {
        Ok(u) if u.scheme() == "https" => {}
        Ok(u) => {
            return Err((
                SourceErrorKind::Config,
                format!(
                    "only https URLs are allowed, not {} (an unauthenticated answer could be forged)",
                    u.scheme()
                ),
            ));
        }
        Err(e) => return Err((SourceErrorKind::Config, format!("not a URL: {e}"))),
    }
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "text/plain")
        .timeout(timeout)
        .send()
        .await
        .map_err(request_error)?;
    let status = response.status();
    if !status.is_success() {
        return Err((SourceErrorKind::Answer, format!("HTTP status {status}")));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(request_error)? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_ANSWER {
            break;
        }
    }
    parse_answer(&body, family).map_err(|e| match e {
        BadAnswer::WrongFamily(_) => (SourceErrorKind::WrongFamily, e.to_string()),
        BadAnswer::Garbage(_) => (SourceErrorKind::Answer, e.to_string()),
    })
}

/// A reqwest error as a kind and a message with its causes, without URLs (they may hold
/// tokens): "error sending request: client error (Connect): invalid peer certificate: ...".
pub(crate) fn request_error(e: reqwest::Error) -> (SourceErrorKind, String) {
    let kind = if e.is_timeout() {
        SourceErrorKind::Timeout
    } else {
        SourceErrorKind::Network
    };
    let e = e.without_url();
    let mut message = e.to_string();
    // Inner errors (a redirect's) may name their URL: show those redacted.
    let mut urls = Vec::new();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        if let Some(url) = c
            .downcast_ref::<reqwest::Error>()
            .and_then(reqwest::Error::url)
        {
            urls.push(url.as_str().to_string());
        }
        let text = c.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = c.source();
    }
    for url in urls {
        message = message.replace(&url, &redact_url(&url));
    }
    (kind, message)
}

fn client(family: Family, ca_file: Option<&Path>) -> Result<reqwest::Client, String> {
    https_builder(ca_file)?
        .https_only(true)
        .no_proxy()
        .http1_only()
        .local_address(family.unspecified())
        .dns_resolver(FamilyResolver(family))
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("dnsup/", env!("CARGO_PKG_VERSION")))
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| format!("cannot set up HTTPS: {e}"))
}

/// A reqwest client builder with [`tls_config`]: every HTTPS client of dnsup (echo services,
/// hosted APIs, notifiers) starts here.
#[cfg(feature = "https")]
pub(crate) fn https_builder(ca_file: Option<&Path>) -> Result<reqwest::ClientBuilder, String> {
    Ok(reqwest::Client::builder().tls_backend_preconfigured(tls_config(ca_file)?))
}

/// Without the `https` feature reqwest has no TLS: every HTTPS client fails to build, with what
/// to do (the configuration check refuses what needs one first).
#[cfg(not(feature = "https"))]
pub(crate) fn https_builder(_ca_file: Option<&Path>) -> Result<reqwest::ClientBuilder, String> {
    Err(NO_HTTPS.to_string())
}

/// A reqwest client builder for plain-HTTP clients (UPnP IGD and its events on the LAN). With
/// the `https` feature reqwest's rustls has no built-in provider, so the client gets the same
/// TLS configuration although it never uses it; without the feature reqwest has no TLS at all.
pub(crate) fn plain_builder() -> Result<reqwest::ClientBuilder, String> {
    #[cfg(feature = "https")]
    return https_builder(None);
    #[cfg(not(feature = "https"))]
    return Ok(reqwest::Client::builder());
}

/// What a build without the `https` feature says about anything that needs HTTPS.
pub const NO_HTTPS: &str =
    "this dnsup was built without HTTPS (cargo feature \"https\"); this needs the default build";

/// rustls with ring; the platform verifier (the system's roots, `SSL_CERT_FILE` honoured) with
/// the certificates of `ca_file` added as roots.
#[cfg(feature = "https")]
pub(crate) fn tls_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    use std::sync::Arc;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let extra = match ca_file {
        Some(path) => read_roots(path)?,
        None => Vec::new(),
    };
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
            .map_err(|e| format!("cannot load root certificates: {e}"))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        // "dangerous" only in name: this is the standard verifier, as reqwest itself installs it.
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(feature = "https")]
fn read_roots(path: &Path) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let shown = path.display();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("ca_file {shown}: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("ca_file {shown}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("ca_file {shown}: no PEM certificate in it"));
    }
    Ok(certs)
}

/// Resolves host names to addresses of one family only, so the connection (and so the address
/// the service sees) is of that family. Uses the system resolver (getaddrinfo).
struct FamilyResolver(Family);

impl reqwest::dns::Resolve for FamilyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let family = self.0;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| Family::of(a.ip()) == family)
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no {family} address").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
