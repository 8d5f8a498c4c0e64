// Shared by every provider's tests; each uses a subset.
#![allow(dead_code)]
//! A local HTTPS stand-in for a hosted DNS API that cannot be reached from here. It serves TLS
//! with a certificate from a per-fake test CA (the adapter trusts it through `ca_file`; the
//! system roots stay in force), hands every request to the provider's handler, and records it.
//!
//! The handler checks each request against the provider's documented API (method, path,
//! query, headers including the auth scheme, body) and answers with the documented shapes. A
//! request that breaks the documentation is a *violation*: the fake answers 400 and records
//! it, and every test ends with [`Fake::assert_clean`]. Faults (rate limiting, 5xx) are queued
//! with [`Fake::inject`]: the next request is still checked, then gets the injected answer.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dnsup::provider::http::HttpSettings;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct FakeRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, percent-decoded.
    pub path: String,
    /// The raw path as sent (percent-encoded).
    pub raw_path: String,
    /// The raw query string (without `?`), empty when none.
    pub raw_query: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl FakeRequest {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, or a violation.
    pub fn json(&self) -> Result<serde_json::Value, String> {
        if !self
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
        {
            return Err(format!(
                "{} {}: a JSON body needs Content-Type: application/json (got {:?})",
                self.method,
                self.path,
                self.header("content-type")
            ));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("{} {}: body is not JSON: {e}", self.method, self.path))
    }

    /// The body as `application/x-www-form-urlencoded` pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// `Err` unless the header equals `value`.
    pub fn expect_header(&self, name: &str, value: &str) -> Result<(), String> {
        match self.header(name) {
            Some(v) if v == value => Ok(()),
            other => Err(format!(
                "{} {}: header {name} should be {value:?}, got {other:?}",
                self.method, self.path
            )),
        }
    }

    /// The checks every hosted API's fake makes first: a dnsup User-Agent and
    /// `Authorization: SCHEME CREDENTIAL`. `Ok(true)`: the right credential; `Ok(false)`:
    /// another credential of that scheme (the fake answers as its API refuses one); `Err`: no
    /// such header at all.
    pub fn expect_auth(&self, scheme: &str, credential: &str) -> Result<bool, String> {
        self.expect_user_agent()?;
        match self.header("authorization") {
            Some(a) if a == format!("{scheme} {credential}") => Ok(true),
            Some(a) if a.starts_with(&format!("{scheme} ")) => Ok(false),
            other => Err(format!(
                "Authorization must be '{scheme} <token>', got {other:?}"
            )),
        }
    }

    /// The path below `prefix`, split at `/`.
    pub fn parts(&self, prefix: &str) -> Result<Vec<&str>, String> {
        self.path
            .strip_prefix(prefix)
            .map(|p| p.split('/').collect())
            .ok_or_else(|| format!("{} is outside {prefix}", self.path))
    }

    /// `Err` unless the User-Agent names dnsup and its version.
    pub fn expect_user_agent(&self) -> Result<(), String> {
        match self.header("user-agent") {
            Some(ua) if ua.starts_with("dnsup/") && ua.len() > 6 => Ok(()),
            other => Err(format!("User-Agent should be dnsup/VERSION, got {other:?}")),
        }
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct FakeResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl FakeResponse {
    /// A JSON answer.
    pub fn json(status: u16, value: serde_json::Value) -> FakeResponse {
        FakeResponse {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: value.to_string().into_bytes(),
        }
    }

    /// A plain-text answer.
    pub fn text(status: u16, text: &str) -> FakeResponse {
        FakeResponse {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: text.as_bytes().to_vec(),
        }
    }

    /// An XML answer.
    pub fn xml(status: u16, text: &str) -> FakeResponse {
        FakeResponse {
            status,
            headers: vec![("Content-Type".into(), "text/xml".into())],
            body: text.as_bytes().to_vec(),
        }
    }

    /// No body.
    pub fn empty(status: u16) -> FakeResponse {
        FakeResponse {
            status,
            headers: vec![],
            body: vec![],
        }
    }

    /// Add a header.
    pub fn with_header(mut self, name: &str, value: &str) -> FakeResponse {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The provider's handler: `Ok` answers, `Err` is a violation of the documented API.
pub type Handler = Box<dyn FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send>;

struct Shared {
    handler: Handler,
    log: Vec<FakeRequest>,
    violations: Vec<String>,
    injected: VecDeque<FakeResponse>,
}

/// A running fake; stops when dropped (the listener thread ends with the test process).
pub struct Fake {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// The test CA the fake's certificate chains to.
    pub ca_file: PathBuf,
    shared: Arc<Mutex<Shared>>,
    _dir: tempfile::TempDir,
}

fn tls_config() -> (rustls::ServerConfig, String) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "dnsup fake provider CA");
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".into()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        )
        .unwrap();
    (config, ca.pem())
}

impl Fake {
    /// Start a fake with `handler`.
    pub fn start(
        handler: impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send + 'static,
    ) -> Fake {
        let (tls, ca_pem) = tls_config();
        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca_pem).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared {
            handler: Box::new(handler),
            log: Vec::new(),
            violations: Vec::new(),
            injected: VecDeque::new(),
        }));
        let tls = Arc::new(tls);
        let s = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (tls, s) = (tls.clone(), s.clone());
                std::thread::spawn(move || serve(stream, tls, s));
            }
        });
        Fake {
            url: format!("https://127.0.0.1:{port}"),
            ca_file,
            shared,
            _dir: dir,
        }
    }

    /// HTTP settings that reach this fake (endpoint `self.url` + `path`).
    pub fn settings(&self, path: &str) -> HttpSettings {
        HttpSettings {
            endpoint: Some(format!("{}{path}", self.url)),
            ca_file: Some(self.ca_file.clone()),
            timeout: Duration::from_secs(10),
            min_spacing: Some(Duration::ZERO),
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<FakeRequest> {
        self.shared.lock().unwrap().log.clone()
    }

    /// Forget the requests so far.
    pub fn clear(&self) {
        self.shared.lock().unwrap().log.clear();
    }

    /// The next request (after its checks) gets `response` instead of the handler's.
    pub fn inject(&self, response: FakeResponse) {
        self.shared.lock().unwrap().injected.push_back(response);
    }

    /// Replace the handler's logic for the rest of the test (to simulate a changed API state).
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().unwrap().violations.clone()
    }

    /// Panic if any request broke the documented API.
    pub fn assert_clean(&self) {
        let v = self.violations();
        assert!(
            v.is_empty(),
            "requests that break the documented API:\n{}",
            v.join("\n")
        );
    }
}

fn serve(stream: std::net::TcpStream, tls: Arc<rustls::ServerConfig>, shared: Arc<Mutex<Shared>>) {
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let Ok(conn) = rustls::ServerConnection::new(tls) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut tls, &mut buf) else {
            return;
        };
        let response = {
            let mut s = shared.lock().unwrap();
            s.log.push(request.clone());
            let checked = (s.handler)(&request);
            match (checked, s.injected.pop_front()) {
                (Err(v), _) => {
                    s.violations.push(v.clone());
                    FakeResponse::text(400, &format!("dnsup fake: {v}"))
                }
                (Ok(_), Some(injected)) => injected,
                (Ok(r), None) => r,
            }
        };
        let mut head = format!("HTTP/1.1 {} X\r\n", response.status);
        for (k, v) in &response.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", response.body.len()));
        if tls.write_all(head.as_bytes()).is_err()
            || tls.write_all(&response.body).is_err()
            || tls.flush().is_err()
        {
            return;
        }
    }
}

fn read_request(
    tls: &mut rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>,
    buf: &mut Vec<u8>,
) -> Option<FakeRequest> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = tls.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buf.len() < body_start + length {
        let n = tls.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[body_start..body_start + length].to_vec();
    buf.drain(..body_start + length);
    let (raw_path, raw_query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    let path =
        url::form_urlencoded::parse(format!("p={}", raw_path.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
    let query = url::form_urlencoded::parse(raw_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Some(FakeRequest {
        method,
        path,
        raw_path,
        raw_query,
        query,
        headers,
        body,
    })
}
