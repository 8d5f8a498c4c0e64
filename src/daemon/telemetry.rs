//! What the daemon measures for `/metrics` and the status page, besides the per-record status:
//! per source, its answers, its refusals by reason, its disagreements in K-of-N decisions and
//! its latency; per provider, its requests and their latency by outcome, and what it said last.
//!
//! One instance per process ([`global`]): it outlives a reload (which builds a new `Daemon`),
//! and the endpoint reads it without a handle threaded through every constructor. Label values
//! are source and provider names and types from the configuration, the family, and fixed lists
//! (reasons, outcomes), so the number of series is bounded by the configuration. A source or
//! provider removed by a reload keeps its series until the process ends.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RData};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::ip::source::{SourceError, SourceErrorKind};
use crate::provider::http::LAST_STATUS;
use crate::provider::{
    Applied, BoxFuture, Capabilities, DynProvider, ProviderError, Rrset, RrsetKey,
};

/// Label pairs.
pub type Labels = Vec<(String, String)>;
type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

/// Seconds: 5 ms to 30 s (source and provider timeouts are at most tens of seconds).
fn histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ])
}

/// What a source said last, for the status page.
#[derive(Debug, Clone, Default)]
pub struct Said {
    /// The source's type (`http`, `dns`, `interface`, ...).
    pub kind: String,
    /// The address, "no address", or why it gave none.
    pub text: String,
    /// It gave an address.
    pub ok: bool,
    /// When (Unix seconds).
    pub at: u64,
}

/// How a provider is doing, for the status page.
#[derive(Debug, Clone, Default)]
pub struct Health {
    /// The provider's type.
    pub kind: String,
    /// The outcome of its last request ([`ProviderOutcome::as_str`]).
    pub last_outcome: String,
    /// When the last request was made (Unix seconds).
    pub last_at: u64,
    /// When a request last succeeded (0: never since start).
    pub last_ok: u64,
    /// Requests since start.
    pub requests: u64,
    /// Requests in a row that failed.
    pub failing: u64,
}

/// How one request to a provider ended: a fixed list, so the label stays bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderOutcome {
    /// Answered as asked.
    Ok,
    /// The RRset held something else than expected: nothing was changed.
    Conflict,
    /// HTTP 5xx.
    ServerError,
    /// No answer, timeout, connection refused.
    Network,
    /// HTTP 408/429/503 or `Retry-After`, dyndns2 `911`.
    RateLimited,
    /// Credentials refused.
    Auth,
    /// The provider refused (DNS REFUSED/NOTAUTH/SERVFAIL, HTTP 4xx).
    Refused,
    /// An answer that made no sense, or a request it cannot do, or "stop".
    BadAnswer,
}

impl ProviderOutcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Conflict => "conflict",
            Self::ServerError => "server_error",
            Self::Network => "network",
            Self::RateLimited => "rate_limited",
            Self::Auth => "auth",
            Self::Refused => "refused",
            Self::BadAnswer => "bad_answer",
        }
    }

    /// The outcome of an error, with the last HTTP status seen during the request (0: none).
    pub fn of_error(e: &ProviderError, http_status: u16) -> Self {
        match e {
            ProviderError::Network(_) => match http_status {
                408 | 429 | 503 => Self::RateLimited,
                500..=599 => Self::ServerError,
                _ => Self::Network,
            },
            ProviderError::Throttled(..) => Self::RateLimited,
            ProviderError::Auth(_) => Self::Auth,
            ProviderError::Refused(_) => Self::Refused,
            _ => Self::BadAnswer,
        }
    }
}

/// The reason label of a source's refusal.
pub fn source_reason(kind: SourceErrorKind) -> &'static str {
    match kind {
        SourceErrorKind::Config => "config",
        SourceErrorKind::Timeout => "timeout",
        SourceErrorKind::Network => "network",
        SourceErrorKind::Answer => "bad_answer",
        SourceErrorKind::WrongFamily => "wrong_family",
        SourceErrorKind::Refused => "non_public",
        SourceErrorKind::Local => "local",
    }
}

/// The counters and histograms (see the module documentation).
pub struct Telemetry {
    source_answers: Family<Labels, Counter>,
    source_refusals: Family<Labels, Counter>,
    source_disagreements: Family<Labels, Counter>,
    source_seconds: Histograms,
    provider_requests: Family<Labels, Counter>,
    provider_seconds: Histograms,
    said: Mutex<BTreeMap<(String, String), Said>>,
    health: Mutex<BTreeMap<String, Health>>,
}

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry {
            source_answers: Family::default(),
            source_refusals: Family::default(),
            source_disagreements: Family::default(),
            source_seconds: Family::new_with_constructor(histogram),
            provider_requests: Family::default(),
            provider_seconds: Family::new_with_constructor(histogram),
            said: Mutex::default(),
            health: Mutex::default(),
        }
    }
}

/// The process's instance.
pub fn global() -> &'static Telemetry {
    static GLOBAL: OnceLock<Telemetry> = OnceLock::new();
    GLOBAL.get_or_init(Telemetry::default)
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Telemetry {
    /// A source answered (or failed) after `took`.
    pub fn source_answered(
        &self,
        source: &str,
        kind: &str,
        family: &str,
        result: &Result<Option<IpAddr>, SourceError>,
        took: Duration,
        now: u64,
    ) {
        let base = [("source", source), ("kind", kind)];
        self.source_seconds
            .get_or_create(&labels(&base))
            .observe(took.as_secs_f64());
        let (text, ok) = match result {
            Ok(Some(ip)) => (ip.to_string(), true),
            Ok(None) => ("no address".to_string(), false),
            Err(e) => (e.to_string(), false),
        };
        match result {
            Ok(found) => {
                let what = if found.is_some() { "address" } else { "none" };
                self.source_answers
                    .get_or_create(&labels(&[
                        ("source", source),
                        ("kind", kind),
                        ("family", family),
                        ("result", what),
                    ]))
                    .inc();
            }
            Err(e) => self.source_refused(source, kind, source_reason(e.kind())),
        }
        lock(&self.said).insert(
            (source.to_string(), family.to_string()),
            Said {
                kind: kind.to_string(),
                text,
                ok,
                at: now,
            },
        );
    }

    /// A source's answer was refused (`reason`: see [`source_reason`], or `non_public` when the
    /// agreed address may not be published).
    pub fn source_refused(&self, source: &str, kind: &str, reason: &str) {
        self.source_refusals
            .get_or_create(&labels(&[
                ("source", source),
                ("kind", kind),
                ("reason", reason),
            ]))
            .inc();
    }

    /// A source gave an address that lost a K-of-N decision (or none reached the quorum).
    pub fn source_disagreed(&self, source: &str, kind: &str) {
        self.source_disagreements
            .get_or_create(&labels(&[("source", source), ("kind", kind)]))
            .inc();
    }

    /// One request to a provider ended with `outcome` after `took`.
    pub fn provider_request(
        &self,
        provider: &str,
        kind: &str,
        outcome: ProviderOutcome,
        took: Duration,
        now: u64,
    ) {
        let l = labels(&[
            ("provider", provider),
            ("kind", kind),
            ("outcome", outcome.as_str()),
        ]);
        self.provider_requests.get_or_create(&l).inc();
        self.provider_seconds
            .get_or_create(&l)
            .observe(took.as_secs_f64());
        let mut health = lock(&self.health);
        let h = health.entry(provider.to_string()).or_default();
        h.kind = kind.to_string();
        h.last_outcome = outcome.as_str().to_string();
        h.last_at = now;
        h.requests += 1;
        // A conflict is the provider working as asked.
        if matches!(outcome, ProviderOutcome::Ok | ProviderOutcome::Conflict) {
            h.last_ok = now;
            h.failing = 0;
        } else {
            h.failing += 1;
        }
    }

    /// What each (source, family) said last.
    pub fn sources(&self) -> Vec<((String, String), Said)> {
        lock(&self.said)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Each provider's health.
    pub fn providers(&self) -> Vec<(String, Health)> {
        lock(&self.health)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Add the families to a registry (they are shared, not copied).
    pub fn register(&self, reg: &mut Registry) {
        reg.register(
            "source_answers",
            "Answers from a source (result: address or none)",
            self.source_answers.clone(),
        );
        reg.register(
            "source_refusals",
            "Source answers not used, by reason (timeout, network, bad_answer, non_public, ...)",
            self.source_refusals.clone(),
        );
        reg.register(
            "source_disagreements",
            "Times a source's address lost a K-of-N decision, or no address reached the quorum",
            self.source_disagreements.clone(),
        );
        reg.register(
            "source_duration_seconds",
            "How long a source took to answer or fail",
            self.source_seconds.clone(),
        );
        reg.register(
            "provider_requests",
            "Requests to a provider (find zone, read, replace) by outcome",
            self.provider_requests.clone(),
        );
        reg.register(
            "provider_request_duration_seconds",
            "How long a provider request took, by outcome",
            self.provider_seconds.clone(),
        );
    }
}

/// A provider whose every request is measured into [`global`].
pub struct Measured {
    name: String,
    kind: &'static str,
    inner: Box<dyn DynProvider>,
}

impl Measured {
    /// Measure `inner`, named `name` (of type `kind`) in the configuration.
    pub fn wrap(
        name: &str,
        kind: &'static str,
        inner: Box<dyn DynProvider>,
    ) -> Box<dyn DynProvider> {
        Box::new(Measured {
            name: name.to_string(),
            kind,
            inner,
        })
    }

    async fn measure<T>(
        &self,
        call: BoxFuture<'_, Result<T, ProviderError>>,
        ok: impl Fn(&T) -> ProviderOutcome,
    ) -> Result<T, ProviderError> {
        let start = Instant::now();
        // The HTTP layer leaves the last status it saw here: a 5xx and a dropped connection
        // are both `Network` errors, but not the same outcome.
        let (result, status) = LAST_STATUS
            .scope(Cell::new(0), async {
                let r = call.await;
                (r, LAST_STATUS.with(Cell::get))
            })
            .await;
        let outcome = match &result {
            Ok(v) => ok(v),
            Err(e) => ProviderOutcome::of_error(e, status),
        };
        global().provider_request(
            &self.name,
            self.kind,
            outcome,
            start.elapsed(),
            crate::notify::now(),
        );
        result
    }
}

impl DynProvider for Measured {
    fn label(&self) -> String {
        self.inner.label()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn find_zone<'a>(&'a self, name: &'a Name) -> BoxFuture<'a, Result<Name, ProviderError>> {
        Box::pin(self.measure(self.inner.find_zone(name), |_| ProviderOutcome::Ok))
    }
    fn read<'a>(
        &'a self,
        zone: &'a Name,
        key: &'a RrsetKey,
    ) -> BoxFuture<'a, Result<Rrset, ProviderError>> {
        Box::pin(self.measure(self.inner.read(zone, key), |_| ProviderOutcome::Ok))
    }
    fn replace<'a>(
        &'a self,
        zone: &'a Name,
        key: &'a RrsetKey,
        expected: &'a [RData],
        new: &'a [RData],
        ttl: u32,
    ) -> BoxFuture<'a, Result<Applied, ProviderError>> {
        Box::pin(self.measure(
            self.inner.replace(zone, key, expected, new, ttl),
            |a| match a {
                Applied::Conflict(_) => ProviderOutcome::Conflict,
                _ => ProviderOutcome::Ok,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_5xx_is_a_server_error_and_a_dropped_connection_is_network() {
        let e = ProviderError::Network("x".into());
        assert_eq!(
            ProviderOutcome::of_error(&e, 502),
            ProviderOutcome::ServerError
        );
        assert_eq!(ProviderOutcome::of_error(&e, 0), ProviderOutcome::Network);
        assert_eq!(
            ProviderOutcome::of_error(&e, 429),
            ProviderOutcome::RateLimited
        );
        assert_eq!(
            ProviderOutcome::of_error(&ProviderError::Throttled("x".into(), 5), 0),
            ProviderOutcome::RateLimited
        );
        assert_eq!(
            ProviderOutcome::of_error(&ProviderError::Auth("x".into()), 401),
            ProviderOutcome::Auth
        );
    }

    #[test]
    fn a_provider_request_is_counted_with_its_latency_and_health() {
        let t = Telemetry::default();
        t.provider_request(
            "p",
            "rfc2136",
            ProviderOutcome::Network,
            Duration::from_millis(3),
            10,
        );
        t.provider_request(
            "p",
            "rfc2136",
            ProviderOutcome::Ok,
            Duration::from_millis(20),
            11,
        );
        let mut reg = Registry::default();
        t.register(&mut reg);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &reg).unwrap();
        assert!(
            text.contains(
                "provider_requests_total{provider=\"p\",kind=\"rfc2136\",outcome=\"ok\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains("provider_request_duration_seconds_bucket{le=\"0.005\",provider=\"p\",kind=\"rfc2136\",outcome=\"network\"} 1"),
            "{text}"
        );
        let h = &t.providers()[0].1;
        assert_eq!((h.requests, h.failing, h.last_ok), (2, 0, 11));
    }
}
