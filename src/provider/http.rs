//! The HTTP layer every hosted-API adapter shares: reqwest with rustls (certificates always
//! verified: the system's roots plus an optional `ca_file`), a timeout on every request, a
//! User-Agent naming dnsup and its version, `429`/`503` retried after the server's
//! `Retry-After` (bounded), a minimum spacing with jitter between requests to one provider, and
//! error messages that never hold a credential: no query strings, no headers, and every known
//! secret scrubbed from whatever text reaches a message.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::build::Setup;
use super::{ProviderError, Secret, SecretRef};
use crate::ip::source::http::{https_builder, request_error};

/// The User-Agent of every request.
pub const USER_AGENT: &str = concat!("dnsup/", env!("CARGO_PKG_VERSION"));

/// The largest answer body read; larger ones are refused (no API answer is near it).
pub const MAX_BODY: usize = 8 << 20;

tokio::task_local! {
    /// The last HTTP status a request got, while a provider call is measured
    /// (`daemon::telemetry::Measured`): it tells a 5xx from a dropped connection, which are
    /// both `ProviderError::Network`.
    pub static LAST_STATUS: std::cell::Cell<u16>;
}

/// Settings shared by every HTTP provider's configuration (`[providers.NAME]`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Give up on one request after this long (default 20 s).
    #[serde(
        default = "default_timeout",
        deserialize_with = "crate::daemon::config::duration"
    )]
    pub timeout: Duration,
    /// At least this long between two requests to this provider (default: the adapter's).
    #[serde(default, deserialize_with = "crate::daemon::config::opt_duration")]
    pub min_spacing: Option<Duration>,
    /// Extra root certificates (PEM) trusted besides the system's.
    pub ca_file: Option<PathBuf>,
    /// The API's base URL, to reach a proxy or a self-hosted instance (default: the
    /// provider's documented endpoint).
    pub endpoint: Option<String>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: default_timeout(),
            min_spacing: None,
            ca_file: None,
            endpoint: None,
        }
    }
}

fn default_timeout() -> Duration {
    Duration::from_secs(20)
}

/// One request, built by an adapter (and signed by it when the API wants a signature).
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`.
    pub method: reqwest::Method,
    /// The full URL.
    pub url: reqwest::Url,
    /// Extra headers (names in lower case).
    pub headers: Vec<(String, String)>,
    /// The body (empty: none).
    pub body: Vec<u8>,
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: reqwest::Method, url: reqwest::Url) -> Request {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Add a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Add `Authorization: Bearer TOKEN`.
    pub fn bearer(self, token: &Secret) -> Request {
        self.header("authorization", format!("Bearer {}", token.expose()))
    }

    /// Set a JSON body (and its content type).
    pub fn json(mut self, value: &serde_json::Value) -> Request {
        self.body = value.to_string().into_bytes();
        self.header("content-type", "application/json")
    }

    /// Set an `application/x-www-form-urlencoded` body of `pairs` (secrets sent this way stay
    /// out of the URL).
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Request {
        let mut scratch = reqwest::Url::parse("form:").unwrap_or_else(|_| self.url.clone());
        scratch.query_pairs_mut().clear().extend_pairs(pairs);
        self.body = scratch.query().unwrap_or_default().as_bytes().to_vec();
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    /// Add query parameters (percent-encoded).
    pub fn query(mut self, pairs: &[(&str, &str)]) -> Request {
        {
            let mut q = self.url.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k, v);
            }
        }
        self
    }

    /// The value of a header set on this request.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `METHOD /path` (never the query, which may hold a token), for messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Headers (names in lower case).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// `METHOD /path` of the request, for messages.
    pub what: String,
}

impl Response {
    /// A 2xx status.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON of type `T`; a mismatch is a protocol error naming the request.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ProviderError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| ProviderError::Protocol(format!("{}: unexpected answer ({e})", self.what)))
    }

    /// The usual meaning of a non-2xx status, with `detail` (the API's own error message,
    /// already extracted by the adapter) appended.
    pub fn error(&self, detail: &str) -> ProviderError {
        let what = if detail.is_empty() {
            format!("{} answered HTTP {}", self.what, self.status)
        } else {
            format!("{} answered HTTP {}: {detail}", self.what, self.status)
        };
        match self.status {
            401 | 403 => ProviderError::Auth(what),
            408 | 429 | 500..=599 => ProviderError::Network(what),
            _ => ProviderError::Refused(what),
        }
    }
}

/// A client for one provider.
pub struct Http {
    client: reqwest::Client,
    timeout: Duration,
    spacing: Duration,
    last: Mutex<Option<Instant>>,
    secrets: Vec<Secret>,
    /// How long a `Retry-After` may ask us to wait before giving up (the daemon retries later).
    pub max_retry_wait: Duration,
    /// How many times a 429/503 is retried.
    pub max_retries: u32,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("timeout", &self.timeout)
            .field("spacing", &self.spacing)
            .finish_non_exhaustive()
    }
}

impl Http {
    /// A client with `settings`; `spacing` is the adapter's default minimum spacing;
    /// `secrets` are scrubbed from every message. Plain `http://` URLs are refused unless
    /// `allow_plain` (self-hosted APIs on a trusted network, such as PowerDNS on loopback).
    pub fn new(
        settings: &HttpSettings,
        spacing: Duration,
        secrets: Vec<Secret>,
        allow_plain: bool,
    ) -> Result<Http, String> {
        let client = https_builder(settings.ca_file.as_deref())?
            .https_only(!allow_plain)
            .no_proxy()
            .http1_only()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("cannot set up HTTPS: {e}"))?;
        Ok(Http {
            client,
            timeout: settings.timeout,
            spacing: settings.min_spacing.unwrap_or(spacing),
            last: Mutex::new(None),
            secrets,
            max_retry_wait: Duration::from_secs(60),
            max_retries: 3,
        })
    }

    /// Load the secrets an adapter's configuration names (each `(reference, its key in the
    /// configuration)`) and build a client with `settings` and the adapter's default `spacing`
    /// that scrubs them from every message (HTTPS only).
    pub fn configured<const N: usize>(
        setup: &mut Setup,
        secrets: [(&SecretRef, &str); N],
        settings: &HttpSettings,
        spacing: Duration,
    ) -> Result<([Secret; N], Http), String> {
        let mut loaded = Vec::with_capacity(N);
        for (r, what) in secrets {
            loaded.push(setup.secret(r, what)?);
        }
        let http = Http::new(settings, spacing, loaded.clone(), false)?;
        let loaded: [Secret; N] = loaded
            .try_into()
            .unwrap_or_else(|_| unreachable!("one secret per reference"));
        Ok((loaded, http))
    }

    /// `text` with every known secret replaced by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            let v = s.expose();
            if v.len() >= 4 {
                out = out.replace(v, "[redacted]");
            }
        }
        out
    }

    /// The error a non-2xx `response` means, with the API's own message (`detail` extracts
    /// it from the body) scrubbed of secrets.
    pub fn fail(&self, response: &Response, detail: impl Fn(&[u8]) -> String) -> ProviderError {
        response.error(&self.scrub(&detail(&response.body)))
    }

    /// Send `request`; a non-2xx answer is an error ([`Http::fail`] with `detail`).
    pub async fn send_ok(
        &self,
        request: &Request,
        detail: impl Fn(&[u8]) -> String,
    ) -> Result<Response, ProviderError> {
        let response = self.send(request).await?;
        if !response.ok() {
            return Err(self.fail(&response, detail));
        }
        Ok(response)
    }

    /// Send `request` for something that may not exist: 404 is `None`, another non-2xx
    /// answer an error ([`Http::fail`] with `detail`).
    pub async fn send_found(
        &self,
        request: &Request,
        detail: impl Fn(&[u8]) -> String,
    ) -> Result<Option<Response>, ProviderError> {
        let response = self.send(request).await?;
        match response.status {
            404 => Ok(None),
            _ if response.ok() => Ok(Some(response)),
            _ => Err(self.fail(&response, detail)),
        }
    }

    /// Send `request` as it is.
    pub async fn send(&self, request: &Request) -> Result<Response, ProviderError> {
        self.send_signed(request, |r| r.clone()).await
    }

    /// Send the request `sign` makes of `request`; `sign` runs again for each retry, so
    /// time-stamped signatures stay fresh.
    pub async fn send_signed(
        &self,
        request: &Request,
        sign: impl Fn(&Request) -> Request,
    ) -> Result<Response, ProviderError> {
        let mut attempt = 0;
        loop {
            self.wait_turn().await;
            let signed = sign(request);
            let response = self.send_once(&signed).await?;
            if !matches!(response.status, 429 | 503) {
                return Ok(response);
            }
            let wait = retry_after(response.header("retry-after"), SystemTime::now())
                .unwrap_or(Duration::from_secs(1 << attempt.min(5)));
            if attempt >= self.max_retries || wait > self.max_retry_wait {
                return Err(ProviderError::Throttled(
                    format!("{} answered HTTP {}", response.what, response.status),
                    wait.as_secs().max(1),
                ));
            }
            tracing::info!(
                "{}: HTTP {}, retrying in {} ms",
                response.what,
                response.status,
                wait.as_millis()
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Keep at least `spacing` (plus up to a quarter of it, random) between requests.
    async fn wait_turn(&self) {
        if self.spacing.is_zero() {
            return;
        }
        let gap = spaced(self.spacing, jitter());
        let at = {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let at = match *last {
                Some(t) if t + gap > now => t + gap,
                _ => now,
            };
            *last = Some(at);
            at
        };
        tokio::time::sleep_until(at).await;
    }

    async fn send_once(&self, r: &Request) -> Result<Response, ProviderError> {
        // Some APIs put a secret in the path (template adapters): scrub it before any log line.
        let what = self.scrub(&r.describe());
        let mut builder = self.client.request(r.method.clone(), r.url.clone());
        for (k, v) in &r.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if !r.body.is_empty() {
            builder = builder.body(r.body.clone());
        }
        tracing::debug!("{what}");
        let failed = |e: reqwest::Error| {
            let (_, why) = request_error(e);
            ProviderError::Network(self.scrub(&format!("{what}: {why}")))
        };
        let mut response = tokio::time::timeout(self.timeout, builder.send())
            .await
            .map_err(|_| ProviderError::Network(format!("{what}: no answer in time")))?
            .map_err(failed)?;
        let status = response.status().as_u16();
        let _ = LAST_STATUS.try_with(|c| c.set(status));
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BODY {
                return Err(ProviderError::Protocol(format!(
                    "{what}: answer larger than {MAX_BODY} bytes"
                )));
            }
        }
        tracing::debug!("{what}: HTTP {status}, {} bytes", body.len());
        Ok(Response {
            status,
            headers,
            body,
            what,
        })
    }
}

/// A JSON API reached with `Authorization: Bearer TOKEN` at a base URL (configured, or the
/// adapter's documented one), whose error bodies the adapter's `detail` reads.
#[derive(Debug)]
pub struct BearerApi {
    /// The client.
    pub http: Http,
    settings: HttpSettings,
    token: Secret,
    default_endpoint: &'static str,
    detail: fn(&[u8]) -> String,
}

impl BearerApi {
    /// Load the `token` secret and build the client (`spacing`: the adapter's default).
    pub fn new(
        setup: &mut Setup,
        token: &SecretRef,
        settings: &HttpSettings,
        default_endpoint: &'static str,
        spacing: Duration,
        detail: fn(&[u8]) -> String,
    ) -> Result<BearerApi, String> {
        let ([token], http) = Http::configured(setup, [(token, "token")], settings, spacing)?;
        Ok(BearerApi {
            http,
            settings: settings.clone(),
            token,
            default_endpoint,
            detail,
        })
    }

    /// The base URL with `segments` appended ([`endpoint_url`]).
    pub fn url(&self, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
        endpoint_url(&self.settings, self.default_endpoint, segments)
    }

    /// A request carrying the token.
    pub fn request(&self, method: reqwest::Method, url: reqwest::Url) -> Request {
        Request::new(method, url).bearer(&self.token)
    }

    /// Send `request`; a non-2xx answer is an error ([`Http::send_ok`]).
    pub async fn send(&self, request: &Request) -> Result<Response, ProviderError> {
        self.http.send_ok(request, self.detail).await
    }

    /// The error a non-2xx `response` means ([`Http::fail`]).
    pub fn fail(&self, response: &Response) -> ProviderError {
        self.http.fail(response, self.detail)
    }
}

/// The gap between two requests: `spacing` plus up to a quarter more, by `jitter` in [-1, 1].
fn spaced(spacing: Duration, jitter: f64) -> Duration {
    spacing + spacing.mul_f64(jitter.abs().min(1.0) / 4.0)
}

/// A value in [-1, 1] from the system random generator.
fn jitter() -> f64 {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut b = [0u8; 4];
    if SystemRandom::new().fill(&mut b).is_err() {
        return 0.0;
    }
    f64::from(u32::from_be_bytes(b)) / f64::from(u32::MAX) * 2.0 - 1.0
}

/// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3).
pub fn retry_after(value: Option<&str>, now: SystemTime) -> Option<Duration> {
    let v = value?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Join a base URL and a path (`base` may end in `/` or not).
pub fn endpoint(
    settings: &HttpSettings,
    default: &str,
    path: &str,
) -> Result<reqwest::Url, ProviderError> {
    let base = settings.endpoint.as_deref().unwrap_or(default);
    let joined = format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    reqwest::Url::parse(&joined)
        .map_err(|e| ProviderError::Unsupported(format!("endpoint '{base}': {e}")))
}

/// At most 200 characters of `text`, on one line.
pub fn short(text: &str) -> String {
    let one: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one.chars().count() > 200 {
        let cut: String = one.chars().take(200).collect();
        format!("{cut}...")
    } else {
        one
    }
}

/// The API's base URL (configured or `default`) with `segments` appended, each
/// percent-encoded as one path segment.
pub fn endpoint_url(
    settings: &HttpSettings,
    default: &str,
    segments: &[&str],
) -> Result<reqwest::Url, ProviderError> {
    let mut url = endpoint(settings, default, "")?;
    url.path_segments_mut()
        .map_err(|_| ProviderError::Unsupported("endpoint cannot hold a path".into()))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_gets_up_to_a_quarter_more_never_less() {
        let s = Duration::from_millis(400);
        assert_eq!(spaced(s, 0.0), s);
        assert_eq!(spaced(s, -1.0), Duration::from_millis(500));
        assert_eq!(spaced(s, 1.0), Duration::from_millis(500));
        assert_eq!(spaced(s, -0.5), Duration::from_millis(450));
        assert_eq!(spaced(Duration::ZERO, 1.0), Duration::ZERO);
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            retry_after(Some("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(Some("Sun, 06 Nov 1994 08:49:57 GMT"), now),
            Some(Duration::from_secs(20))
        );
        assert_eq!(
            retry_after(Some("Sun, 06 Nov 1994 08:49:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(Some("soon"), now), None);
        assert_eq!(retry_after(None, now), None);
    }

    #[test]
    #[cfg(feature = "https")]
    fn secrets_are_scrubbed_and_queries_never_shown() {
        let http = Http::new(
            &HttpSettings::default(),
            Duration::ZERO,
            vec![Secret::new("tok-123456")],
            false,
        )
        .unwrap();
        assert_eq!(http.scrub("bad token tok-123456!"), "bad token [redacted]!");
        let r = Request::new(
            reqwest::Method::GET,
            reqwest::Url::parse("https://x.test/nic/update?password=tok-123456").unwrap(),
        );
        assert_eq!(r.describe(), "GET /nic/update");
    }

    #[test]
    fn statuses_map_to_errors() {
        let r = |status| Response {
            status,
            headers: vec![],
            body: vec![],
            what: "GET /x".into(),
        };
        assert!(matches!(r(401).error(""), ProviderError::Auth(_)));
        assert!(matches!(r(403).error(""), ProviderError::Auth(_)));
        assert!(matches!(r(429).error(""), ProviderError::Network(_)));
        assert!(matches!(r(502).error(""), ProviderError::Network(_)));
        assert!(matches!(r(422).error("bad"), ProviderError::Refused(m) if m.ends_with(": bad")));
    }
}
