//! DNS over HTTPS (RFC 8484): the message is the body of a POST with the media type
//! `application/dns-message` (section 4.1), the answer the body of a 2xx response of the same
//! type (section 4.2); HTTP/2 when the server offers it (section 5.2), HTTP/1.1 otherwise.
//! reqwest keeps the connection between sends.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::time::{Instant, timeout_at};

use super::tls::{Tls, TlsOptions, rustls_error_text};
use super::{Failure, Verdict};

/// The media type of RFC 8484 section 6.
const DNS_MESSAGE: &str = "application/dns-message";

/// The largest DNS message (a 2-byte length in every other transport).
const MAX_MESSAGE: usize = 65_535;

/// A DoH endpoint and the client that reaches it.
pub struct Https {
    client: reqwest::Client,
    url: reqwest::Url,
    /// Where errors say the failure was, before any answer tells the real address.
    shown_addr: SocketAddr,
}

impl std::fmt::Debug for Https {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL's path could hold a token (some DoH services put one there): host only.
        f.debug_struct("Https")
            .field("host", &self.url.host_str())
            .finish_non_exhaustive()
    }
}

impl Https {
    /// A client for `url` with the TLS options (`server_name` must be unset: the URL's host
    /// is the name checked). `connect_to`: addresses to connect to instead of resolving the
    /// URL's host (like curl's `--resolve`), e.g. from `--server`.
    pub fn new(
        url: &str,
        options: &TlsOptions,
        connect_to: &[SocketAddr],
    ) -> Result<Https, String> {
        if !cfg!(feature = "https") {
            return Err(format!(
                "--https '{url}': {}",
                crate::ip::source::http::NO_HTTPS
            ));
        }
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("--https '{url}': {e}"))?;
        if parsed.scheme() != "https" {
            return Err(format!(
                "--https '{url}': the URL must start with https:// (DNS over HTTPS needs TLS)"
            ));
        }
        let Some(host) = parsed.host_str().map(str::to_string) else {
            return Err(format!("--https '{url}': no host in the URL"));
        };
        if options.server_name.is_some() {
            return Err("with --https the name checked is the URL's host: drop --tls-name".into());
        }
        let tls = Tls::new(options, b"h2")?;
        let mut config = (*tls.client_config()).clone();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let mut builder = builder(config)?
            .https_only(true)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("dnsup/", env!("CARGO_PKG_VERSION")));
        if !connect_to.is_empty() {
            builder = builder.resolve_to_addrs(&host, connect_to);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot set up HTTPS: {e}"))?;
        let port = parsed.port_or_known_default().unwrap_or(443);
        let shown_addr = connect_to
            .first()
            .map_or(SocketAddr::from(([0, 0, 0, 0], port)), |a| {
                SocketAddr::new(a.ip(), port)
            });
        Ok(Https {
            client,
            url: parsed,
            shown_addr,
        })
    }

    /// The URL without its query string (which could hold a token), for messages.
    fn shown(&self) -> String {
        let mut u = self.url.clone();
        u.set_query(None);
        u.to_string()
    }
}

/// reqwest with this TLS configuration (the `https` feature).
#[cfg(feature = "https")]
fn builder(config: rustls::ClientConfig) -> Result<reqwest::ClientBuilder, String> {
    Ok(reqwest::Client::builder().tls_backend_preconfigured(config))
}

/// Without the `https` feature reqwest has no TLS ([`Https::new`] refused before).
#[cfg(not(feature = "https"))]
fn builder(_config: rustls::ClientConfig) -> Result<reqwest::ClientBuilder, String> {
    Err(crate::ip::source::http::NO_HTTPS.to_string())
}

/// POST `request`; the answer body goes to `accept`. Returns where the answer came from.
pub(super) async fn exchange<T, F>(
    https: &Https,
    request: &[u8],
    deadline: Instant,
    sends: &mut u32,
    accept: &mut F,
) -> Result<(SocketAddr, T), (SocketAddr, Failure)>
where
    F: FnMut(&[u8]) -> Verdict<(T, bool)>,
{
    let unknown = https.shown_addr;
    tracing::debug!(url = %https.shown(), bytes = request.len(), "sending over HTTPS");
    *sends += 1;
    let sent = https
        .client
        .post(https.url.clone())
        .header(reqwest::header::CONTENT_TYPE, DNS_MESSAGE)
        .header(reqwest::header::ACCEPT, DNS_MESSAGE)
        .body(request.to_vec())
        .send();
    let mut response = match timeout_at(deadline, sent).await {
        Err(_) => return Err((unknown, Failure::TimedOut)),
        Ok(Err(e)) => return Err((unknown, failure(&e, https))),
        Ok(Ok(r)) => r,
    };
    let server = response.remote_addr().unwrap_or(unknown);
    let status = response.status();
    tracing::debug!(%server, %status, version = ?response.version(), "HTTPS answer");
    if !status.is_success() {
        return Err((
            server,
            Failure::Http(format!(
                "DoH: {} answered HTTP {status} (is the URL the server's DoH endpoint?)",
                https.shown()
            )),
        ));
    }
    let media = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if !media.eq_ignore_ascii_case(DNS_MESSAGE) {
        return Err((
            server,
            Failure::Http(format!(
                "DoH: {} answered with '{media}', not {DNS_MESSAGE}",
                https.shown()
            )),
        ));
    }
    let mut body = Vec::new();
    loop {
        match timeout_at(deadline, response.chunk()).await {
            Err(_) => return Err((server, Failure::TimedOut)),
            Ok(Err(e)) => return Err((server, failure(&e, https))),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => {
                if body.len() + chunk.len() > MAX_MESSAGE {
                    return Err((
                        server,
                        Failure::Http(format!(
                            "DoH: {} answered more than {MAX_MESSAGE} bytes",
                            https.shown()
                        )),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
    match accept(&body) {
        Verdict::Accept((v, _)) => Ok((server, v)),
        Verdict::Ignore(why) => Err((server, Failure::OnlyRejected(why))),
    }
}

/// What a failed request means: a TLS problem in words, or the connection's error.
fn failure(e: &reqwest::Error, https: &Https) -> Failure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let host = https.url.host_str().unwrap_or("").to_string();
    let at = https.shown_addr;
    while let Some(err) = source {
        if let Some(r) = find_rustls(err) {
            return Failure::Tls(rustls_error_text(r, &host, at));
        }
        source = err.source();
    }
    // reqwest's own text names the URL; the deepest cause says why.
    let mut cause = e.to_string();
    let mut s = std::error::Error::source(e);
    while let Some(err) = s {
        cause = err.to_string();
        s = err.source();
    }
    Failure::Io(format!("DoH: {}: {cause}", https.shown()))
}

/// The rustls error inside `err`, looking through io::Errors wrapped in io::Errors (which
/// `source()` skips).
fn find_rustls<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut current: &(dyn std::error::Error + 'static) = err;
    for _ in 0..8 {
        if let Some(r) = current.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        let io = current.downcast_ref::<std::io::Error>()?;
        current = io.get_ref()?;
    }
    None
}

/// Build the client, shared (cheaply cloned) by every send of a run.
pub fn build(
    url: &str,
    options: &TlsOptions,
    connect_to: &[SocketAddr],
) -> Result<Arc<Https>, String> {
    Https::new(url, options, connect_to).map(Arc::new)
}
