//! Telling people what the daemon did: events (`event`), `[notify.NAME]` configuration
//! (`config`), per-notifier filter / de-duplication / rate limit (`limit`, sans-IO), the
//! request of every HTTP preset (`preset`, pure), delivery (`deliver`) and the optional HTTP
//! endpoint with metrics, health and a status page (`endpoint`).
//!
//! Notifications never sit on the update path: the daemon hands each pass's outcomes to the
//! [`Hub`], which turns them into events, admits each per notifier, and *tries* to put it on
//! that notifier's bounded queue (a full queue drops the event and counts it). One task per
//! notifier delivers from its queue. A notifier that hangs or fails only delays or loses its
//! own events; the failure is logged and counted. (`src/daemon/notify.rs` is sd_notify, not this.)

pub mod config;
pub mod deliver;
pub mod endpoint;
pub mod event;
pub mod limit;
pub mod preset;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use config::NotifyConfig;
pub use event::{Event, EventKind, Tracker};

use crate::daemon::config::Config;
use crate::daemon::runtime::Outcome;
use config::Kind;
use deliver::Notifier;
use limit::{Limiter, Rejected};

/// Events waiting per notifier; more are dropped (and counted) until it catches up.
pub const QUEUE: usize = 32;

/// How long shutdown waits for notifiers to deliver the `stopped` event and what is queued.
pub const DRAIN: Duration = Duration::from_secs(5);

/// Counters of one notifier (exported on `/metrics`).
#[derive(Debug, Default)]
pub struct Stats {
    /// Delivered.
    pub sent: AtomicU64,
    /// Delivery failed (error, timeout, refused answer).
    pub failed: AtomicU64,
    /// Dropped because the queue was full.
    pub dropped: AtomicU64,
    /// Not queued: said already (de-duplication) or within `min_interval`.
    pub suppressed: AtomicU64,
}

struct Slot {
    name: String,
    kind: Kind,
    limiter: Limiter,
    tx: mpsc::Sender<Event>,
    stats: Arc<Stats>,
    timeout: Duration,
}

/// Where pass outcomes go: notifiers and the status endpoint.
pub struct Hub {
    slots: Vec<Slot>,
    workers: Vec<JoinHandle<()>>,
    tracker: Tracker,
    clock: tokio::time::Instant,
    /// The per-record status the endpoint serves.
    pub status: endpoint::Shared,
    endpoint: Option<JoinHandle<()>>,
    /// Where the endpoint listens (kept across reloads when unchanged: rebinding the same
    /// address before the old listener is dropped would fail).
    listen: Option<String>,
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Read a small file through `crate::bounded` (a regular file of at most `max` bytes, opened
/// without blocking).
pub fn read_small(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    crate::bounded::read_file(path, max).map_err(|e| e.to_string())
}

impl Hub {
    /// A hub with nothing configured (no tasks, no wake-ups).
    pub fn idle() -> Hub {
        Hub {
            slots: Vec::new(),
            workers: Vec::new(),
            tracker: Tracker::default(),
            clock: tokio::time::Instant::now(),
            status: endpoint::Shared::default(),
            endpoint: None,
            listen: None,
        }
    }

    /// Build the notifiers and the endpoint `config` names and start their tasks (call inside
    /// the runtime). A notifier that cannot be built is logged and left out: notifications
    /// never stop the daemon. An endpoint that cannot listen is logged the same way.
    pub fn start(config: &Config) -> Hub {
        let mut hub = Hub::idle();
        hub.configure(config, true);
        hub
    }

    /// The notifiers only, without the endpoint (`dnsup run --once`).
    pub fn notifiers_only(config: &Config) -> Hub {
        let mut hub = Hub::idle();
        hub.configure(config, false);
        hub
    }

    fn configure(&mut self, config: &Config, endpoint: bool) {
        let mut setup = crate::provider::build::Setup {
            strict_permissions: config.strict_permissions,
            ..Default::default()
        };
        let clients = deliver::Clients::default();
        for (name, c) in &config.notify {
            match Notifier::with_clients(name, c, &mut setup, &clients) {
                Ok(n) => self.add(n, c),
                Err(e) => tracing::error!("notify '{name}': {e}; this notifier is off"),
            }
        }
        for w in setup.warnings {
            tracing::warn!("{w}");
        }
        self.status.set_config(config);
        self.status.set_notifiers(self.stats());
        if !endpoint || (self.endpoint.is_some() && self.listen == config.listen) {
            return;
        }
        if let Some(h) = self.endpoint.take() {
            h.abort();
        }
        self.listen.clone_from(&config.listen);
        if let Some(listen) = &config.listen {
            match endpoint::spawn(listen, self.status.clone()) {
                Ok(h) => self.endpoint = Some(h),
                Err(e) => tracing::error!("listen = \"{listen}\": {e}; the HTTP endpoint is off"),
            }
        }
    }

    fn add(&mut self, n: Notifier, c: &NotifyConfig) {
        let (tx, mut rx) = mpsc::channel::<Event>(QUEUE);
        let stats = Arc::new(Stats::default());
        let s = stats.clone();
        let name = n.name.clone();
        self.workers.push(tokio::spawn(async move {
            while let Some(e) = rx.recv().await {
                match n.deliver(&e).await {
                    Ok(()) => {
                        s.sent.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!("notify '{}': {} delivered", n.name, e.kind);
                    }
                    Err(why) => {
                        s.failed.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!("notify '{}': {} not delivered: {why}", n.name, e.kind);
                    }
                }
                // Idle again: give back what the delivery brought in (client, heap, code
                // pages), so a daemon that has notified is as small as one that has not.
                if rx.is_empty() {
                    n.release();
                    crate::daemon::memory::release_after_burst();
                }
            }
        }));
        self.slots.push(Slot {
            name,
            kind: c.kind,
            limiter: Limiter::new(
                c.wanted(),
                c.dedupe(),
                c.min_interval.unwrap_or(Duration::ZERO),
            ),
            tx,
            stats,
            timeout: c.timeout(),
        });
    }

    /// Each notifier's name and counters.
    pub fn stats(&self) -> Vec<(String, Arc<Stats>)> {
        self.slots
            .iter()
            .map(|s| (s.name.clone(), s.stats.clone()))
            .collect()
    }

    /// Offer `event` to every notifier; never waits.
    pub fn emit(&mut self, event: &Event) {
        let now_ms = self.clock.elapsed().as_millis() as u64;
        for slot in &mut self.slots {
            let heartbeat = slot.kind == Kind::Heartbeat;
            let admitted = match (heartbeat, event.kind) {
                (true, EventKind::Pass | EventKind::Started | EventKind::Test) => Ok(()),
                (true, _) | (false, EventKind::Pass) => continue,
                (false, _) => slot.limiter.admit(event, now_ms),
            };
            match admitted {
                Ok(()) => {}
                Err(Rejected::Filtered) => continue,
                Err(why) => {
                    slot.stats.suppressed.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!("notify '{}': {} not sent ({why:?})", slot.name, event.kind);
                    continue;
                }
            }
            if slot.tx.try_send(event.clone()).is_err() {
                slot.stats.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    "notify '{}': {} dropped: the notifier is behind ({QUEUE} queued)",
                    slot.name,
                    event.kind
                );
            }
        }
    }

    /// A daemon event (started, stopped).
    pub fn daemon_event(&mut self, kind: EventKind) {
        self.emit(&Event::daemon(kind, now()));
    }

    /// The persisted per-record status the endpoint serves (at start, after a reload, and
    /// after each pass, once the daemon has saved it).
    pub fn set_state(&self, daemon: &crate::daemon::runtime::Daemon) {
        self.status
            .set_state(daemon.rrset_providers(), daemon.state());
    }

    /// Resume from an earlier run's persisted per-record status ([`Tracker::resume`]).
    pub fn resume(
        &mut self,
        status: &std::collections::BTreeMap<String, crate::daemon::status::RecordStatus>,
    ) {
        self.tracker.resume(status);
    }

    /// One pass's outcomes: update the status, emit the events they mean and a heartbeat.
    pub fn observe(&mut self, report: &[(String, Outcome)], config: &Config) {
        let t = now();
        self.status.record_pass(report, t);
        if self.slots.is_empty() {
            return;
        }
        for e in self.tracker.observe(report, config, t) {
            self.emit(&e);
        }
        let bad = report
            .iter()
            .filter(|(_, o)| {
                matches!(
                    o,
                    Outcome::Failed(_) | Outcome::Conflict(_) | Outcome::BackingOff(_)
                )
            })
            .count();
        let mut pass = Event::daemon(EventKind::Pass, t);
        if bad > 0 {
            pass.error = Some(format!("{bad} of {} records not in sync", report.len()));
        }
        self.emit(&pass);
    }

    /// A new configuration (SIGHUP): notifiers and endpoint rebuilt, what the tracker knows
    /// about records kept.
    pub fn reload(&mut self, config: &Config) {
        let tracker = std::mem::take(&mut self.tracker);
        let status = self.status.clone();
        let endpoint = self.endpoint.take();
        let listen = self.listen.take();
        self.stop_tasks();
        *self = Hub::idle();
        self.tracker = tracker;
        self.status = status;
        self.endpoint = endpoint;
        self.listen = listen;
        self.configure(config, true);
    }

    fn stop_tasks(&mut self) {
        self.slots.clear();
        if let Some(h) = self.endpoint.take() {
            h.abort();
        }
        // Workers end once their queue is drained (their senders are gone).
        self.workers.clear();
    }

    /// Say `stopped`, then give the notifiers up to [`DRAIN`] to deliver what is queued.
    pub async fn shutdown(mut self) {
        if self.slots.is_empty() {
            self.stop_tasks();
            return;
        }
        self.daemon_event(EventKind::Stopped);
        self.drain(DRAIN).await;
    }

    /// `dnsup run --once`: deliver what the pass queued before the process exits, waiting at
    /// most the longest notifier timeout (plus a second): every notifier gets one full try,
    /// and a notifier that hangs cannot hold the exit longer than its own timeout.
    pub async fn finish(mut self) {
        let Some(longest) = self.slots.iter().map(|s| s.timeout).max() else {
            self.stop_tasks();
            return;
        };
        self.drain(longest + Duration::from_secs(1)).await;
    }

    async fn drain(&mut self, limit: Duration) {
        self.slots.clear();
        if let Some(h) = self.endpoint.take() {
            h.abort();
        }
        let workers = std::mem::take(&mut self.workers);
        let all = async {
            for w in workers {
                let _ = w.await;
            }
        };
        if tokio::time::timeout(limit, all).await.is_err() {
            tracing::warn!("notify: gave up waiting for notifiers after {limit:?}");
        }
    }
}

/// `dnsup notify-test NAME`: that notifier, built (secrets loaded; warnings on stderr).
pub fn test_notifier(config: &Config, name: &str) -> Result<Notifier, String> {
    let Some(c) = config.notify.get(name) else {
        let names: Vec<_> = config.notify.keys().cloned().collect();
        return Err(format!(
            "no [notify.{name}] in the configuration (defined: {})",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ));
    };
    let mut setup = crate::provider::build::Setup {
        strict_permissions: config.strict_permissions,
        ..Default::default()
    };
    let n = Notifier::new(name, c, &mut setup).map_err(|e| format!("notify '{name}': {e}"))?;
    for w in setup.warnings {
        crate::errln!("warning: notify '{name}': {w}");
    }
    Ok(n)
}

/// Deliver a test event through `n` now (not through a queue, so the answer is seen).
pub async fn send_test(n: &Notifier) -> Result<(), String> {
    n.deliver(&Event::daemon(EventKind::Test, now())).await
}
