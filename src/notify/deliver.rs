//! Delivering one event: HTTP presets and webhooks (reqwest, TLS always verified), e-mail
//! (lettre over SMTP, STARTTLS or implicit TLS), and `exec` (a program run directly, no shell,
//! in a clean environment, killed with its process group when it overruns). Every error
//! message is scrubbed of the notifier's secrets and never holds a URL path or query (where
//! Telegram, Discord, Slack and others carry their tokens).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::config::{Kind, NotifyConfig, UrlRef};
use super::event::Event;
use super::preset::{self, Resolved};
use crate::provider::Secret;
use crate::provider::build::Setup;
use crate::provider::http::USER_AGENT;

/// The most of an answer body (or a program's output) read; the rest is dropped.
const KEEP: usize = 16 * 1024;

/// The PATH an `exec` program gets.
pub const EXEC_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A client built at a delivery, dropped when the notifier's queue is empty again.
type LazyClient = Arc<Mutex<Option<reqwest::Client>>>;

/// One HTTPS client per `ca_file`, built when needed and shared by every notifier that uses
/// it: a client holds the system's root certificates (about 3 MiB), so an idle daemon should
/// not hold them. It is built at a delivery and dropped ([`Notifier::release`]) once the
/// notifier has nothing more queued; notifications are rare, building a client is cheap.
#[derive(Debug, Clone, Default)]
pub struct Clients(Arc<Mutex<HashMap<Option<PathBuf>, LazyClient>>>);

impl Clients {
    fn slot(&self, ca_file: Option<&Path>) -> LazyClient {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(ca_file.map(Path::to_path_buf))
            .or_default()
            .clone()
    }
}

fn build_client(ca_file: Option<&Path>) -> Result<reqwest::Client, String> {
    crate::ip::source::http::https_builder(ca_file)?
        .no_proxy()
        .http1_only()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| format!("cannot set up HTTPS: {e}"))
}

enum Backend {
    Http {
        client: LazyClient,
        ca_file: Option<PathBuf>,
        resolved: Box<Resolved>,
    },
    #[cfg(feature = "https")]
    Email {
        transport: Box<lettre::AsyncSmtpTransport<lettre::Tokio1Executor>>,
        from: lettre::message::Mailbox,
        to: Vec<lettre::message::Mailbox>,
    },
    Exec {
        argv: Vec<String>,
    },
}

/// One configured notifier, ready to deliver.
pub struct Notifier {
    /// Its `[notify.NAME]`.
    pub name: String,
    /// Its type.
    pub kind: Kind,
    timeout: Duration,
    backend: Backend,
    secrets: Vec<Secret>,
    txn: AtomicU64,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// The parts of a secret URL that a service may echo on their own (its path, long path
/// segments, query values), so they are scrubbed too.
fn url_parts(text: &str) -> Vec<Secret> {
    let Ok(u) = reqwest::Url::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if u.path().len() >= 8 {
        out.push(Secret::new(u.path()));
    }
    for seg in u.path_segments().into_iter().flatten() {
        if seg.len() >= 16 {
            out.push(Secret::new(seg));
        }
    }
    for (_, v) in u.query_pairs() {
        if v.len() >= 8 {
            out.push(Secret::new(v.into_owned()));
        }
    }
    out
}

fn load_url(setup: &mut Setup, u: Option<&UrlRef>, what: &str) -> Result<Option<Secret>, String> {
    match u {
        None => Ok(None),
        Some(UrlRef::Plain(s)) => Ok(Some(Secret::new(s.clone()))),
        Some(UrlRef::Secret(r)) => setup.secret(r, what).map(Some),
    }
}

fn load(
    setup: &mut Setup,
    r: Option<&crate::provider::SecretRef>,
    what: &str,
) -> Result<Option<Secret>, String> {
    r.map(|r| setup.secret(r, what)).transpose()
}

impl Notifier {
    /// Build from a checked configuration (secrets are loaded now; warnings go to `setup`).
    pub fn new(name: &str, c: &NotifyConfig, setup: &mut Setup) -> Result<Notifier, String> {
        Notifier::with_clients(name, c, setup, &Clients::default())
    }

    /// [`Notifier::new`], sharing HTTPS clients with the other notifiers built with `clients`.
    pub fn with_clients(
        name: &str,
        c: &NotifyConfig,
        setup: &mut Setup,
        clients: &Clients,
    ) -> Result<Notifier, String> {
        let problems = c.check(name);
        if let Some(p) = problems.into_iter().next() {
            return Err(p);
        }
        let timeout = c.timeout();
        let mut secrets = Vec::new();
        let backend = match c.kind {
            Kind::Exec => Backend::Exec {
                argv: c.argv.clone().unwrap_or_default(),
            },
            #[cfg(feature = "https")]
            Kind::Email => {
                let password = load(setup, c.password.as_ref(), "password")?;
                if let Some(p) = &password {
                    secrets.push(p.clone());
                }
                email_backend(c, password.as_ref(), timeout)?
            }
            _ => {
                let resolved = Resolved {
                    kind: c.kind,
                    endpoint: c.endpoint.clone(),
                    url: load_url(setup, c.url.as_ref(), "url")?,
                    token: load(setup, c.token.as_ref(), "token")?,
                    secret: load(setup, c.secret.as_ref(), "secret")?,
                    user: load(setup, c.user.as_ref(), "user")?,
                    topic: c.topic.clone(),
                    chat_id: c.chat_id.clone(),
                    room: c.room.clone(),
                    priority: c.priority,
                    template: c.template.clone(),
                    content_type: c.content_type.clone(),
                    headers: c.headers.clone().unwrap_or_default(),
                    start_url: load_url(setup, c.start_url.as_ref(), "start_url")?,
                    fail_url: load_url(setup, c.fail_url.as_ref(), "fail_url")?,
                };
                for (s, is_ref) in [
                    (&resolved.url, matches!(c.url, Some(UrlRef::Secret(_)))),
                    (&resolved.token, true),
                    (&resolved.secret, true),
                    (&resolved.user, true),
                    (
                        &resolved.start_url,
                        matches!(c.start_url, Some(UrlRef::Secret(_))),
                    ),
                    (
                        &resolved.fail_url,
                        matches!(c.fail_url, Some(UrlRef::Secret(_))),
                    ),
                ] {
                    if let Some(s) = s
                        && is_ref
                    {
                        secrets.push(s.clone());
                        secrets.extend(url_parts(s.expose()));
                    }
                }
                // The certificates are read now, so a bad ca_file is a set-up error; the
                // client itself is built at the first delivery.
                if let Some(ca) = &c.ca_file {
                    crate::notify::read_small(ca, 1 << 20).map_err(|e| format!("ca_file: {e}"))?;
                }
                Backend::Http {
                    client: clients.slot(c.ca_file.as_deref()),
                    ca_file: c.ca_file.clone(),
                    resolved: Box::new(resolved),
                }
            }
        };
        Ok(Notifier {
            name: name.to_string(),
            kind: c.kind,
            timeout,
            backend,
            secrets,
            txn: AtomicU64::new(0),
        })
    }

    /// `text` with every secret of this notifier replaced by `[redacted]` (also in the
    /// percent-encoded form a URL would carry).
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            let v = s.expose();
            if v.len() >= 4 {
                out = out.replace(v, "[redacted]");
                let enc = crate::provider::sign::percent_encode(v, true);
                if enc != v {
                    out = out.replace(&enc, "[redacted]");
                }
            }
        }
        out
    }

    /// Drop what a delivery built and an idle notifier does not need (the HTTPS client).
    /// Another notifier sending with the same client keeps its own handle until it is done.
    pub fn release(&self) {
        if let Backend::Http { client, .. } = &self.backend {
            *client
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        }
    }

    /// Deliver `event` once, within the notifier's timeout. The error is safe to log.
    pub async fn deliver(&self, event: &Event) -> Result<(), String> {
        let run = self.deliver_inner(event);
        match tokio::time::timeout(self.timeout + Duration::from_secs(1), run).await {
            Ok(r) => r.map_err(|e| self.scrub(&e)),
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        }
    }

    async fn deliver_inner(&self, event: &Event) -> Result<(), String> {
        match &self.backend {
            Backend::Http {
                client,
                ca_file,
                resolved,
            } => {
                let now_ms = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64);
                let txn = self.txn.fetch_add(1, Ordering::Relaxed);
                let req = match preset::request(resolved, event, now_ms, txn) {
                    Ok(r) => r,
                    // A heartbeat with no URL for this event has nothing to do.
                    Err(e) if resolved.kind == Kind::Heartbeat && e.starts_with("no URL") => {
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                };
                let client = {
                    let mut slot = client
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    match &*slot {
                        Some(c) => c.clone(),
                        None => {
                            let c = build_client(ca_file.as_deref())?;
                            *slot = Some(c.clone());
                            c
                        }
                    }
                };
                send(&client, resolved.kind, req, self.timeout).await
            }
            #[cfg(feature = "https")]
            Backend::Email {
                transport,
                from,
                to,
            } => send_mail(transport, from, to, event).await,
            Backend::Exec { argv } => run_exec(argv, event, self.timeout).await,
        }
    }
}

/// Send one request; the error never holds the URL's path or query.
async fn send(
    client: &reqwest::Client,
    kind: Kind,
    req: crate::provider::http::Request,
    timeout: Duration,
) -> Result<(), String> {
    let host = req.url.host_str().unwrap_or("").to_string();
    let mut b = client
        .request(req.method.clone(), req.url.clone())
        .timeout(timeout);
    for (k, v) in &req.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    if !req.body.is_empty() {
        b = b.body(req.body.clone());
    }
    let mut resp = b.send().await.map_err(|e| {
        format!(
            "{} {host}: {}",
            req.method,
            crate::ip::source::http::request_error(e).1
        )
    })?;
    let status = resp.status();
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = KEEP.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room == 0 {
            break;
        }
    }
    if !status.is_success() {
        let text = crate::provider::http::short(&String::from_utf8_lossy(&body));
        return Err(format!("{} {host}: HTTP {status}: {text}", req.method));
    }
    preset::accepted(kind, &body).map_err(|e| {
        format!(
            "{} {host}: {}",
            req.method,
            crate::provider::http::short(&e)
        )
    })
}

#[cfg(feature = "https")]
fn email_backend(
    c: &NotifyConfig,
    password: Option<&Secret>,
    timeout: Duration,
) -> Result<Backend, String> {
    use super::config::Tls;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Certificate, Tls as LTls, TlsParameters};
    let host = c.smtp_host.clone().unwrap_or_default();
    let mode = c.tls.unwrap_or_default();
    let port = c.smtp_port.unwrap_or(match mode {
        Tls::Starttls => 587,
        Tls::Tls => 465,
        Tls::None => 25,
    });
    let mut params = TlsParameters::builder(host.clone());
    if let Some(ca) = &c.ca_file {
        let pem = crate::notify::read_small(ca, 1 << 20).map_err(|e| format!("ca_file: {e}"))?;
        let cert =
            Certificate::from_pem(&pem).map_err(|e| format!("ca_file {}: {e}", ca.display()))?;
        params = params.add_root_certificate(cert);
    }
    let tls = match mode {
        Tls::None => {
            let loopback = host == "localhost"
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|a| a.is_loopback());
            if !loopback {
                return Err(format!(
                    "tls = \"none\" is only allowed to a loopback relay, not {host}"
                ));
            }
            LTls::None
        }
        Tls::Starttls => LTls::Required(params.build_rustls().map_err(|e| format!("TLS: {e}"))?),
        Tls::Tls => LTls::Wrapper(params.build_rustls().map_err(|e| format!("TLS: {e}"))?),
    };
    let mut b = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some(user) = &c.username {
        let pass = password.map(|p| p.expose().to_string()).unwrap_or_default();
        b = b.credentials(Credentials::new(user.clone(), pass));
    }
    let from = c
        .from
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|e| format!("from: {e}"))?;
    let to =
        c.to.clone()
            .unwrap_or_default()
            .iter()
            .map(|t| t.parse().map_err(|e| format!("to '{t}': {e}")))
            .collect::<Result<Vec<_>, String>>()?;
    Ok(Backend::Email {
        transport: Box::new(b.build()),
        from,
        to,
    })
}

#[cfg(feature = "https")]
async fn send_mail(
    transport: &lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: &lettre::message::Mailbox,
    to: &[lettre::message::Mailbox],
    event: &Event,
) -> Result<(), String> {
    use lettre::AsyncTransport;
    let mut m = lettre::Message::builder()
        .from(from.clone())
        .subject(event.title())
        .header(lettre::message::header::ContentType::TEXT_PLAIN);
    for t in to {
        m = m.to(t.clone());
    }
    let body = format!(
        "{}\n\nevent: {}\nrecord: {} {}\nprovider: {}\nold: {}\nnew: {}\nerror: {}\ntime: {}\n",
        event.message(),
        event.kind,
        event.record,
        event.rtype,
        event.provider,
        event.old_text(),
        event.new_text(),
        event.error.as_deref().unwrap_or(""),
        super::event::rfc3339(event.time),
    );
    let msg = m
        .body(body)
        .map_err(|e| format!("cannot build the message: {e}"))?;
    transport
        .send(msg)
        .await
        .map(|_| ())
        .map_err(|e| format!("SMTP: {e}"))
}

/// Run `argv` with the event: variables `DNSUP_*`, the JSON on stdin, a clean environment
/// (PATH and LANG only), in its own process group, killed with it after `limit`.
async fn run_exec(argv: &[String], event: &Event, limit: Duration) -> Result<(), String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("argv is empty".into());
    };
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", EXEC_PATH)
        .env("LANG", "C.UTF-8")
        .envs(event.env())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let group = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .map(Pid::from_raw);
    let stdin = child.stdin.take();
    let stderr = child.stderr.take();
    let json = event.to_json().to_string();
    let run = async {
        let feed = async {
            if let Some(mut s) = stdin {
                // A program that does not read its input is fine.
                let _ = s.write_all(json.as_bytes()).await;
                let _ = s.shutdown().await;
            }
        };
        let ((), errors, status) = tokio::join!(feed, keep(stderr), child.wait());
        (errors, status)
    };
    let Ok((errors, status)) = tokio::time::timeout(limit, run).await else {
        if let Some(g) = group {
            let _ = killpg(g, Signal::SIGKILL);
        }
        let _ = child.kill().await;
        return Err(format!("{program}: killed after {limit:?}"));
    };
    let status = status.map_err(|e| format!("{program}: {e}"))?;
    if status.success() {
        return Ok(());
    }
    let first = String::from_utf8_lossy(&errors)
        .lines()
        .next()
        .map(|l| format!(": {}", crate::provider::http::short(l)))
        .unwrap_or_default();
    Err(format!("{program}: {status}{first}"))
}

async fn keep<R: AsyncRead + Unpin>(pipe: Option<R>) -> Vec<u8> {
    let mut kept = Vec::new();
    let Some(mut pipe) = pipe else {
        return kept;
    };
    let mut buf = [0u8; 1024];
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                let room = KEEP.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
}

/// The notifiers of a configuration, built (secrets loaded); the first error stops.
pub fn build_all(
    notify: &BTreeMap<String, NotifyConfig>,
    setup: &mut Setup,
) -> Result<Vec<Notifier>, String> {
    notify
        .iter()
        .map(|(n, c)| Notifier::new(n, c, setup).map_err(|e| format!("notify '{n}': {e}")))
        .collect()
}
