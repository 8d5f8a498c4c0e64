//! The optional HTTP endpoint (`listen = "127.0.0.1:9753"` or `listen = "unix:/run/dnsup/http.sock"`;
//! off by default). Read-only, GET and HEAD only:
//!
//! - `/metrics`: the Prometheus text format 0.0.4, written by `prometheus-client`.
//! - `/healthz`: 200 while the daemon's loop completes passes (the last one ended less than
//!   `2 × interval + 60 s` ago, or the daemon started less than that ago); 503 otherwise. Meant
//!   for liveness checks (restart when it fails); it does not depend on any DNS server.
//! - `/readyz`: 200 when every record was in sync after the last pass; 503 with the records
//!   that are not (or "starting" before the first pass). Meant for alerting, not restarts: a
//!   provider outage makes it 503 until the next successful pass, which a restart cannot fix.
//! - `/`: a status page (HTML, no JavaScript, no secrets): records, values, last change, last
//!   error, what each source said, provider health, notifiers.
//!
//! The per-record data is the persisted status of the state file (`daemon::status`, the same
//! as `dnsup status`, kept across restarts), copied in after each pass ([`Shared::set_state`]),
//! plus counters of this process ([`Shared::record_pass`]); sources and providers come from
//! `daemon::telemetry`. Serving never touches the daemon. Idle, the endpoint is one task blocked in `accept`: no timers.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request, Response, StatusCode};
use prometheus_client::encoding::prometheus_text::{CONTENT_TYPE as METRICS_TYPE, encode};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tokio::task::JoinHandle;

use super::Stats;
use crate::daemon::config::Config;
use crate::daemon::runtime::Outcome;
use crate::daemon::state::State;
use crate::daemon::status::{self, Condition};
use crate::daemon::telemetry;

/// At most this many connections are served at once; more wait in the kernel's backlog.
const MAX_CONNECTIONS: usize = 16;

/// One record's status as the endpoint shows it: the persisted status (the state file's, so
/// it is the same as `dnsup status` and survives a restart) plus what this process counted.
#[derive(Debug, Clone, Default)]
pub struct RecordStatus {
    /// `name/TYPE`.
    pub key: String,
    /// The provider's name.
    pub provider: String,
    /// The value last confirmed on the server.
    pub value: Vec<String>,
    /// In sync: the persisted condition says so and the last pass did not back off.
    pub in_sync: bool,
    /// The persisted condition (`in sync`, `failing`, `no address`, `unknown`).
    pub condition: &'static str,
    /// The last pass's outcome, as the log says it (empty before this process's first pass).
    pub outcome: String,
    /// Unix seconds of the last request about it to its provider (0: never).
    pub last_attempt: u64,
    /// Unix seconds of the last time its provider confirmed it in sync (0: never).
    pub last_success: u64,
    /// Unix seconds of the last change dnsup made (0: never).
    pub last_change: u64,
    /// The change: `old -> new`.
    pub last_change_text: String,
    /// The last error (kept after recovery).
    pub last_error: String,
    /// Unix seconds since which that error was seen.
    pub last_error_time: u64,
    /// Failed tries since the last success.
    pub consecutive_failures: u64,
    /// Changes made since the daemon started.
    pub updates: u64,
    /// Failures since the daemon started.
    pub failures: u64,
    /// Conflicts since the daemon started.
    pub conflicts: u64,
    /// Unix seconds until which the provider is not tried again (0: not backing off).
    pub backoff_until: u64,
}

/// What this process counted about a record (the rest is persisted).
#[derive(Debug, Clone, Default)]
struct Counted {
    outcome: String,
    updates: u64,
    failures: u64,
    conflicts: u64,
    backing_off: bool,
    backoff_until: u64,
}

#[derive(Debug, Default)]
struct Data {
    started: u64,
    interval: u64,
    last_pass: u64,
    passes: u64,
    /// The records shown (`name./TYPE`, provider), in configuration order.
    keys: Vec<(String, String)>,
    /// Their persisted status and confirmed values, as last saved.
    status: BTreeMap<String, status::RecordStatus>,
    published: BTreeMap<String, Vec<IpAddr>>,
    counted: BTreeMap<String, Counted>,
    notifiers: Stat,
}

fn show(v: &[IpAddr]) -> String {
    if v.is_empty() {
        "nothing".to_string()
    } else {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Data {
    fn view(&self, key: &str, provider: &str) -> RecordStatus {
        let st = self.status.get(key).cloned().unwrap_or_default();
        let c = self.counted.get(key).cloned().unwrap_or_default();
        let (last_change, last_change_text) =
            st.last_change.as_ref().map_or((0, String::new()), |ch| {
                (ch.at, format!("{} -> {}", show(&ch.from), show(&ch.to)))
            });
        let (last_error, last_error_time) = st.last_error.as_ref().map_or_else(
            || (String::new(), 0),
            |e| (format!("{}: {}", e.kind, e.message), e.since),
        );
        RecordStatus {
            key: key.to_string(),
            provider: provider.to_string(),
            value: self
                .published
                .get(key)
                .map(|v| v.iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
            in_sync: st.condition == Condition::InSync && !c.backing_off,
            condition: st.condition.as_str(),
            outcome: c.outcome,
            last_attempt: st.last_attempt.unwrap_or(0),
            last_success: st.last_success.unwrap_or(0),
            last_change,
            last_change_text,
            last_error,
            last_error_time,
            consecutive_failures: u64::from(st.consecutive_failures),
            updates: c.updates,
            failures: c.failures,
            conflicts: c.conflicts,
            backoff_until: if c.backing_off { c.backoff_until } else { 0 },
        }
    }
}

/// The snapshot shared by the daemon (writer) and the endpoint (reader).
#[derive(Debug, Clone, Default)]
pub struct Shared(Arc<Mutex<Data>>);

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Data> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Remember the configuration's interval.
    pub fn set_config(&self, config: &Config) {
        let mut d = self.lock();
        if d.started == 0 {
            d.started = super::now();
        }
        d.interval = config.interval.as_secs();
    }

    /// Take the persisted status of the records `keys` (`name./TYPE`, provider) from `state`:
    /// at start (the history of the previous run) and after each pass (what was just saved).
    pub fn set_state(&self, keys: Vec<(String, String)>, state: &State) {
        let mut d = self.lock();
        d.status = keys
            .iter()
            .filter_map(|(k, _)| state.status.get(k).map(|s| (k.clone(), s.clone())))
            .collect();
        d.published = keys
            .iter()
            .filter_map(|(k, _)| {
                state
                    .records
                    .get(k)
                    .map(|m| (k.clone(), m.published.clone()))
            })
            .collect();
        d.keys = keys;
    }

    /// Count one pass's outcomes.
    pub fn record_pass(&self, report: &[(String, Outcome)], time: u64) {
        let mut d = self.lock();
        d.last_pass = time;
        d.passes += 1;
        for (key, o) in report {
            let c = d.counted.entry(key.clone()).or_default();
            c.outcome = o.to_string();
            c.backing_off = false;
            match o {
                Outcome::Updated(_) => c.updates += 1,
                Outcome::Failed(_) => c.failures += 1,
                Outcome::Conflict(_) => c.conflicts += 1,
                Outcome::BackingOff(left) => {
                    c.backing_off = true;
                    c.backoff_until = time.saturating_add(*left);
                }
                _ => {}
            }
        }
    }

    /// The notifiers whose counters are shown (replaced on reload).
    pub fn set_notifiers(&self, notifiers: Stat) {
        self.lock().notifiers = notifiers;
    }

    fn notifiers(&self) -> Stat {
        self.lock().notifiers.clone()
    }

    /// The records, in configuration order.
    pub fn records(&self) -> Vec<RecordStatus> {
        let d = self.lock();
        d.keys.iter().map(|(k, p)| d.view(k, p)).collect()
    }
}

/// Each notifier's name and counters.
pub type Stat = Vec<(String, Arc<Stats>)>;

/// Start serving on `listen` (`HOST:PORT`, `[V6]:PORT`, or `unix:PATH`).
pub fn spawn(listen: &str, shared: Shared) -> Result<JoinHandle<()>, String> {
    let limit = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    if let Some(path) = listen.strip_prefix("unix:") {
        // A stale socket from a previous run is replaced; anything else at the path is not.
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            use std::os::unix::fs::FileTypeExt;
            if meta.file_type().is_socket() {
                let _ = std::fs::remove_file(path);
            } else {
                return Err(format!("{path} exists and is not a socket"));
            }
        }
        let listener = tokio::net::UnixListener::bind(path)
            .map_err(|e| format!("cannot listen on {path}: {e}"))?;
        tracing::info!("HTTP endpoint on unix:{path}");
        return Ok(tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                serve(stream, &shared, &limit);
            }
        }));
    }
    let addr: std::net::SocketAddr = listen
        .parse()
        .map_err(|_| format!("'{listen}' is not HOST:PORT (e.g. 127.0.0.1:9753) or unix:PATH"))?;
    if !addr.ip().is_loopback() {
        tracing::warn!(
            "listen = \"{listen}\" is not a loopback address: anyone who can reach it reads record names, addresses and errors"
        );
    }
    let std_listener =
        std::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    std_listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let listener = tokio::net::TcpListener::from_std(std_listener)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    if let Ok(a) = listener.local_addr() {
        tracing::info!("HTTP endpoint on http://{a}/");
    }
    Ok(tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // EMFILE and the like: do not spin.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            serve(stream, &shared, &limit);
        }
    }))
}

fn serve<S>(stream: S, shared: &Shared, limit: &Arc<tokio::sync::Semaphore>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let Ok(permit) = limit.clone().try_acquire_owned() else {
        return; // too many at once: the connection is closed
    };
    let shared = shared.clone();
    tokio::spawn(async move {
        let service = hyper::service::service_fn(move |req| {
            let r = answer(&req, &shared);
            async move { Ok::<_, Infallible>(r) }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(Duration::from_secs(10))
            .max_buf_size(16 * 1024)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let _ = tokio::time::timeout(Duration::from_secs(60), conn).await;
        drop(permit);
    });
}

fn reply(status: StatusCode, ctype: &str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(v) = ctype.parse() {
        h.insert(hyper::header::CONTENT_TYPE, v);
    }
    h.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    h.insert(
        "x-content-type-options",
        hyper::header::HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "content-security-policy",
        hyper::header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    r
}

fn answer<B>(req: &Request<B>, shared: &Shared) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "read-only: GET or HEAD\n".into(),
        );
    }
    let now = super::now();
    match req.uri().path() {
        "/metrics" => reply(StatusCode::OK, METRICS_TYPE, metrics(shared)),
        "/healthz" => {
            let (ok, text) = health(shared, now);
            reply(
                if ok {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                },
                "text/plain; charset=utf-8",
                text,
            )
        }
        "/readyz" => {
            let (ok, text) = ready(shared);
            reply(
                if ok {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                },
                "text/plain; charset=utf-8",
                text,
            )
        }
        "/" => reply(
            StatusCode::OK,
            "text/html; charset=utf-8",
            page(shared, now),
        ),
        _ => reply(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found\n".into(),
        ),
    }
}

/// `/healthz`: alive when passes keep completing.
pub fn health(shared: &Shared, now: u64) -> (bool, String) {
    let d = shared.lock();
    let allowed = d.interval.saturating_mul(2).saturating_add(60);
    let since = if d.last_pass > 0 {
        d.last_pass
    } else {
        d.started
    };
    let age = now.saturating_sub(since);
    if age <= allowed {
        (true, format!("ok: last pass {age} s ago\n"))
    } else {
        (
            false,
            format!("stalled: no pass for {age} s (allowed {allowed} s)\n"),
        )
    }
}

/// `/readyz`: every record in sync after the last pass.
pub fn ready(shared: &Shared) -> (bool, String) {
    if shared.lock().passes == 0 {
        return (false, "starting: no pass has completed yet\n".into());
    }
    let records = shared.records();
    let bad: Vec<&RecordStatus> = records.iter().filter(|r| !r.in_sync).collect();
    if bad.is_empty() {
        let n = records.len();
        return (
            true,
            format!("ok: {n} record{} in sync\n", if n == 1 { "" } else { "s" }),
        );
    }
    let mut out = format!("{} of {} records not in sync\n", bad.len(), records.len());
    for r in bad {
        let _ = writeln!(out, "{}: {}", r.key, r.outcome);
    }
    (false, out)
}

fn rss_bytes() -> i64 {
    // /proc/self/statm: size resident ... in pages.
    let Ok(text) = super::read_small(std::path::Path::new("/proc/self/statm"), 4096)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
    else {
        return 0;
    };
    let pages: i64 = text
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages.saturating_mul(4096)
}

type Labels = Vec<(String, String)>;

fn gauge_family(reg: &mut Registry, name: &str, help: &str) -> Family<Labels, Gauge> {
    let f = Family::<Labels, Gauge>::default();
    reg.register(name, help, f.clone());
    f
}

fn counter_family(reg: &mut Registry, name: &str, help: &str) -> Family<Labels, Counter> {
    let f = Family::<Labels, Counter>::default();
    reg.register(name, help, f.clone());
    f
}

fn clamp(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The `/metrics` text.
pub fn metrics(shared: &Shared) -> String {
    let stats = shared.notifiers();
    let mut reg = Registry::with_prefix("dnsup");
    let info = gauge_family(
        &mut reg,
        "record_address",
        "The address a record is published with (value 1, the address in a label)",
    );
    let in_sync = gauge_family(
        &mut reg,
        "record_in_sync",
        "1 if the record was in sync after the last pass",
    );
    let attempt = gauge_family(
        &mut reg,
        "record_last_attempt_timestamp_seconds",
        "When a pass last looked at the record (Unix time)",
    );
    let success = gauge_family(
        &mut reg,
        "record_last_success_timestamp_seconds",
        "When the record was last found or made in sync (Unix time)",
    );
    let change = gauge_family(
        &mut reg,
        "record_last_change_timestamp_seconds",
        "When dnsup last changed the record (Unix time, 0 if never; kept across restarts)",
    );
    let consecutive = gauge_family(
        &mut reg,
        "record_consecutive_failures",
        "Failures and conflicts since the record was last in sync",
    );
    let backoff = gauge_family(
        &mut reg,
        "record_backoff_until_timestamp_seconds",
        "Until when the record's provider is not tried again after failures (Unix time, 0: none)",
    );
    let updates = counter_family(
        &mut reg,
        "record_updates",
        "Changes made to the record since start",
    );
    let failures = counter_family(&mut reg, "record_failures", "Failed attempts since start");
    let conflicts = counter_family(
        &mut reg,
        "record_conflicts",
        "Attempts refused because someone else changed the record, since start",
    );
    let n_sent = counter_family(&mut reg, "notify_sent", "Notifications delivered");
    let n_failed = counter_family(&mut reg, "notify_failed", "Notifications that failed");
    let n_dropped = counter_family(
        &mut reg,
        "notify_dropped",
        "Notifications dropped: queue full",
    );
    let n_supp = counter_family(
        &mut reg,
        "notify_suppressed",
        "Notifications not sent: duplicate or rate limited",
    );
    telemetry::global().register(&mut reg);
    let records = shared.records();
    let d = shared.lock();
    for r in &records {
        let (name, rtype) = r.key.rsplit_once('/').unwrap_or((r.key.as_str(), ""));
        let labels: Labels = vec![
            ("name".into(), name.into()),
            ("type".into(), rtype.into()),
            ("provider".into(), r.provider.clone()),
        ];
        for v in &r.value {
            let mut l = labels.clone();
            l.push(("address".into(), v.clone()));
            info.get_or_create(&l).set(1);
        }
        in_sync.get_or_create(&labels).set(i64::from(r.in_sync));
        attempt.get_or_create(&labels).set(clamp(r.last_attempt));
        success.get_or_create(&labels).set(clamp(r.last_success));
        change.get_or_create(&labels).set(clamp(r.last_change));
        consecutive
            .get_or_create(&labels)
            .set(clamp(r.consecutive_failures));
        backoff.get_or_create(&labels).set(clamp(r.backoff_until));
        updates.get_or_create(&labels).inc_by(r.updates);
        failures.get_or_create(&labels).inc_by(r.failures);
        conflicts.get_or_create(&labels).inc_by(r.conflicts);
    }
    for (name, s) in &stats {
        let l: Labels = vec![("notifier".into(), name.clone())];
        n_sent
            .get_or_create(&l)
            .inc_by(s.sent.load(Ordering::Relaxed));
        n_failed
            .get_or_create(&l)
            .inc_by(s.failed.load(Ordering::Relaxed));
        n_dropped
            .get_or_create(&l)
            .inc_by(s.dropped.load(Ordering::Relaxed));
        n_supp
            .get_or_create(&l)
            .inc_by(s.suppressed.load(Ordering::Relaxed));
    }
    let passes = Counter::<u64, AtomicU64>::default();
    passes.inc_by(d.passes);
    reg.register("passes", "Passes completed since start", passes);
    let last = Gauge::<i64>::default();
    last.set(clamp(d.last_pass));
    reg.register(
        "last_pass_timestamp_seconds",
        "When the last pass completed (Unix time)",
        last,
    );
    let start = Gauge::<i64>::default();
    start.set(clamp(d.started));
    reg.register(
        "process_start_time_seconds",
        "When the daemon started (Unix time)",
        start,
    );
    let rss = Gauge::<i64>::default();
    rss.set(rss_bytes());
    reg.register(
        "process_resident_memory_bytes",
        "Resident memory of the daemon",
        rss,
    );
    drop(d);
    let mut out = String::new();
    if encode(&mut out, &reg).is_err() {
        return "# encoding failed\n".into();
    }
    out
}

/// HTML-escape.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn when(t: u64, now: u64) -> String {
    if t == 0 {
        return "never".into();
    }
    let ago = now.saturating_sub(t);
    let rel = match ago {
        0..60 => format!("{ago} s ago"),
        60..3_600 => format!("{} min ago", ago / 60),
        3_600..86_400 => format!("{} h ago", ago / 3_600),
        _ => format!("{} d ago", ago / 86_400),
    };
    format!(
        "<time datetime=\"{0}\">{1}</time>",
        super::event::rfc3339(t),
        esc(&rel)
    )
}

/// The status page: one card per record (readable on a phone without zooming), no script.
pub fn page(shared: &Shared, now: u64) -> String {
    let stats = shared.notifiers();
    let records = shared.records();
    let (ready_ok, ready_text) = ready(shared);
    let mut h = String::new();
    h.push_str(concat!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
        "<title>dnsup status</title><style>",
        "body{font:16px/1.4 system-ui,sans-serif;margin:0;padding:1em;background:#f6f7f9;color:#1b1f24}",
        "h1{font-size:1.3em;margin:0 0 .5em}",
        ".sum{padding:.6em .8em;border-radius:8px;margin-bottom:1em}",
        ".ok{background:#dff5e3}.bad{background:#fde2e1}",
        ".card{background:#fff;border-radius:8px;padding:.8em;margin-bottom:.8em;box-shadow:0 1px 2px #0002;overflow-wrap:anywhere}",
        ".card h2{font-size:1.05em;margin:0 0 .4em}",
        "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em .8em;margin:0}",
        "dt{color:#57606a}dd{margin:0}",
        ".tag{display:inline-block;padding:0 .5em;border-radius:1em;font-size:.85em}",
        "footer{color:#57606a;font-size:.85em;margin-top:1em}",
        "</style></head><body><h1>dnsup status</h1>"
    ));
    let _ = write!(
        h,
        "<p class=\"sum {}\">{}</p>",
        if ready_ok { "ok" } else { "bad" },
        esc(ready_text.lines().next().unwrap_or(""))
    );
    if records.is_empty() {
        h.push_str("<p>No pass has completed yet.</p>");
    }
    for r in &records {
        let _ = write!(
            h,
            "<section class=\"card\"><h2>{} <span class=\"tag {}\">{}</span></h2><dl>",
            esc(&r.key),
            if r.in_sync { "ok" } else { "bad" },
            if r.in_sync { "in sync" } else { "not in sync" }
        );
        let value = if r.value.is_empty() {
            "unknown".to_string()
        } else {
            r.value.join(", ")
        };
        let rows: [(&str, String); 8] = [
            ("value", esc(&value)),
            ("provider", esc(&r.provider)),
            (
                "last pass",
                if r.outcome.is_empty() {
                    format!("{} (before this start)", esc(r.condition))
                } else {
                    esc(&r.outcome)
                },
            ),
            ("last asked", when(r.last_attempt, now)),
            ("last success", when(r.last_success, now)),
            (
                "last change",
                if r.last_change == 0 {
                    "never".into()
                } else {
                    format!(
                        "{} ({})",
                        esc(&r.last_change_text),
                        when(r.last_change, now)
                    )
                },
            ),
            (
                "last error",
                if r.last_error.is_empty() {
                    "none".into()
                } else {
                    format!("{} ({})", esc(&r.last_error), when(r.last_error_time, now))
                },
            ),
            ("failures in a row", r.consecutive_failures.to_string()),
        ];
        for (k, v) in rows {
            let _ = write!(h, "<dt>{k}</dt><dd>{v}</dd>");
        }
        h.push_str("</dl></section>");
    }
    let t = telemetry::global();
    let sources = t.sources();
    if !sources.is_empty() {
        h.push_str("<section class=\"card\"><h2>Sources</h2><dl>");
        for ((name, family), said) in &sources {
            let _ = write!(
                h,
                "<dt>{} ({}, {})</dt><dd><span class=\"tag {}\">{}</span> {}</dd>",
                esc(name),
                esc(&said.kind),
                esc(family),
                if said.ok { "ok" } else { "bad" },
                esc(&said.text),
                when(said.at, now)
            );
        }
        h.push_str("</dl></section>");
    }
    let providers = t.providers();
    if !providers.is_empty() {
        h.push_str("<section class=\"card\"><h2>Providers</h2><dl>");
        for (name, p) in &providers {
            let ok = p.failing == 0;
            let _ = write!(
                h,
                "<dt>{} ({})</dt><dd><span class=\"tag {}\">{}</span> last request {} {}; last success {}; {} requests",
                esc(name),
                esc(&p.kind),
                if ok { "ok" } else { "bad" },
                if ok { "healthy" } else { "failing" },
                esc(&p.last_outcome),
                when(p.last_at, now),
                when(p.last_ok, now),
                p.requests
            );
            if !ok {
                let _ = write!(h, ", {} failed in a row", p.failing);
            }
            h.push_str("</dd>");
        }
        h.push_str("</dl></section>");
    }
    if !stats.is_empty() {
        h.push_str("<section class=\"card\"><h2>Notifiers</h2><dl>");
        for (name, s) in &stats {
            let _ = write!(
                h,
                "<dt>{}</dt><dd>{} sent, {} failed, {} dropped</dd>",
                esc(name),
                s.sent.load(Ordering::Relaxed),
                s.failed.load(Ordering::Relaxed),
                s.dropped.load(Ordering::Relaxed)
            );
        }
        h.push_str("</dl></section>");
    }
    let _ = write!(
        h,
        "<footer>dnsup {} · read-only · {}</footer></body></html>",
        env!("CARGO_PKG_VERSION"),
        super::event::rfc3339(now)
    );
    h
}
