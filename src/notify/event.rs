//! What a notifier is told: one [`Event`] per thing that happened to a record or the daemon,
//! and the [`Tracker`] that turns the daemon's per-pass outcomes into events (sans-IO: the
//! time is an argument). A failure that repeats every pass is one `failed` event per distinct
//! error; the pass after it that finds the record in sync is one `recovered` event.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::daemon::config::Config;
use crate::daemon::runtime::Outcome;

/// The schema version of the JSON form ([`Event::to_json`]); bumped only on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// An RRset that held other values now holds the new address.
    Updated,
    /// An RRset that did not exist was created.
    Created,
    /// An RRset was deleted.
    Deleted,
    /// A provider failed (one event per distinct error while it keeps failing).
    Failed,
    /// The first pass in sync after failures or a conflict.
    Recovered,
    /// Someone else changed the RRset between dnsup's read and its write; nothing was changed.
    Conflict,
    /// The sources gave an address dnsup refuses to publish (private, CGNAT, ...).
    RefusedAddress,
    /// The daemon started.
    Started,
    /// The daemon stopped.
    Stopped,
    /// `dnsup notify-test`: always delivered, whatever the filter.
    Test,
    /// After each pass, to heartbeat notifiers only (`error` set when a record is not in sync).
    Pass,
}

impl EventKind {
    /// Every kind a filter may name.
    pub const ALL: [EventKind; 9] = [
        EventKind::Updated,
        EventKind::Created,
        EventKind::Deleted,
        EventKind::Failed,
        EventKind::Recovered,
        EventKind::Conflict,
        EventKind::RefusedAddress,
        EventKind::Started,
        EventKind::Stopped,
    ];

    /// The name used in the configuration and the JSON (`refused-address`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Updated => "updated",
            EventKind::Created => "created",
            EventKind::Deleted => "deleted",
            EventKind::Failed => "failed",
            EventKind::Recovered => "recovered",
            EventKind::Conflict => "conflict",
            EventKind::RefusedAddress => "refused-address",
            EventKind::Started => "started",
            EventKind::Stopped => "stopped",
            EventKind::Test => "test",
            EventKind::Pass => "pass",
        }
    }

    /// True for the kinds that mean something is wrong (heartbeats ping their fail URL).
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            EventKind::Failed | EventKind::Conflict | EventKind::RefusedAddress
        )
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One notification. Its JSON form is the documented webhook schema (README "Notifications").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The owner name (absolute, with the final dot), empty for daemon events.
    pub record: String,
    /// `A` or `AAAA`, empty for daemon events.
    pub rtype: String,
    /// The provider's name in the configuration, empty for daemon events.
    pub provider: String,
    /// What the RRset held before.
    pub old: Vec<IpAddr>,
    /// What it holds now (or what dnsup wanted to publish).
    pub new: Vec<IpAddr>,
    /// The error or reason, for failed / conflict / refused-address.
    pub error: Option<String>,
    /// When, in seconds since the Unix epoch.
    pub time: u64,
}

fn join(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Event {
    /// A daemon event (started, stopped, test) with no record.
    pub fn daemon(kind: EventKind, time: u64) -> Event {
        Event {
            kind,
            record: String::new(),
            rtype: String::new(),
            provider: String::new(),
            old: Vec::new(),
            new: Vec::new(),
            error: None,
            time,
        }
    }

    /// `home.example.net. A` or `dnsup` for daemon events.
    pub fn subject(&self) -> String {
        if self.record.is_empty() {
            "dnsup".into()
        } else {
            format!("{} {}", self.record, self.rtype)
        }
    }

    /// A one-line title: `dnsup: home.example.net. A updated`.
    pub fn title(&self) -> String {
        match self.kind {
            EventKind::Started | EventKind::Stopped | EventKind::Test | EventKind::Pass => {
                format!("dnsup {}", self.kind)
            }
            k => format!("dnsup: {} {k}", self.subject()),
        }
    }

    /// The human message: what happened, old and new values, the error.
    pub fn message(&self) -> String {
        let old = if self.old.is_empty() {
            "nothing".to_string()
        } else {
            join(&self.old)
        };
        let new = join(&self.new);
        let err = self.error.as_deref().unwrap_or("");
        let via = if self.provider.is_empty() {
            String::new()
        } else {
            format!(" (provider {})", self.provider)
        };
        let s = self.subject();
        match self.kind {
            EventKind::Updated => format!("{s} updated: {old} -> {new}{via}"),
            EventKind::Created => format!("{s} created: {new}{via}"),
            EventKind::Deleted => format!("{s} deleted (held {old}){via}"),
            EventKind::Failed => format!("{s} update failed{via}: {err}"),
            EventKind::Recovered => format!("{s} recovered: in sync with {new}{via}"),
            EventKind::Conflict => {
                format!("{s}: changed by someone else, not overwritten{via}: {err}")
            }
            EventKind::RefusedAddress => format!("{s}: address not published: {err}"),
            EventKind::Started => "dnsup started".into(),
            EventKind::Stopped => "dnsup stopped".into(),
            EventKind::Test => "dnsup test notification: if you read this, it works".into(),
            EventKind::Pass if self.error.is_some() => format!("dnsup pass: {err}"),
            EventKind::Pass => "dnsup pass: every record in sync".into(),
        }
    }

    /// The documented JSON form (schema version [`SCHEMA_VERSION`]).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "version": SCHEMA_VERSION,
            "event": self.kind.as_str(),
            "time": rfc3339(self.time),
            "unix_time": self.time,
            "record": self.record,
            "type": self.rtype,
            "provider": self.provider,
            "old": self.old.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "new": self.new.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "error": self.error,
            "title": self.title(),
            "message": self.message(),
        })
    }

    /// The environment an `exec` notifier's program gets (besides PATH and LANG).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DNSUP_EVENT", self.kind.as_str().to_string()),
            ("DNSUP_RECORD", self.record.clone()),
            ("DNSUP_TYPE", self.rtype.clone()),
            ("DNSUP_PROVIDER", self.provider.clone()),
            ("DNSUP_OLD", self.old_text()),
            ("DNSUP_NEW", self.new_text()),
            ("DNSUP_ERROR", self.error.clone().unwrap_or_default()),
            ("DNSUP_TIME", rfc3339(self.time)),
            ("DNSUP_MESSAGE", self.message()),
        ]
    }

    /// Old values, space separated.
    pub fn old_text(&self) -> String {
        self.old
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// New values, space separated.
    pub fn new_text(&self) -> String {
        self.new
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// What de-duplication compares: the same kind, record and error is the same news.
    pub fn dedupe_key(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.kind,
            self.record,
            self.rtype,
            self.new_text(),
            self.error.as_deref().unwrap_or("")
        )
    }
}

/// `2026-12-02T09:16:24Z` (UTC) from Unix seconds.
pub fn rfc3339(unix: u64) -> String {
    let t = crate::provider::sign::Utc::from_unix(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// How a record stood after the last pass, as far as notifications care.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Standing {
    Fine,
    Troubled,
}

/// Turns each pass's outcomes into events. Remembers per RRset whether it was in trouble, so
/// the first good pass after failures is `recovered`.
#[derive(Debug, Default)]
pub struct Tracker {
    standing: BTreeMap<String, Standing>,
    /// Failures a previous run already reported (`run --once` resumed from the state file):
    /// the same failure again at the first pass is not news.
    reported: BTreeMap<String, String>,
}

/// Split the daemon's `name/TYPE` key.
fn split_key(key: &str) -> (String, String) {
    match key.rsplit_once('/') {
        Some((n, t)) => (n.to_string(), t.to_string()),
        None => (key.to_string(), String::new()),
    }
}

/// The provider of the record whose name is `name` (compared as DNS names).
fn provider_of(config: &Config, name: &str) -> String {
    let norm = |s: &str| s.trim_end_matches('.').to_ascii_lowercase();
    let want = norm(name);
    config
        .records
        .iter()
        .find(|r| norm(&r.name) == want)
        .map(|r| r.provider.clone())
        .unwrap_or_default()
}

impl Tracker {
    /// Start from the persisted per-record status of an earlier run (`run --once` from cron):
    /// a record that was failing is in trouble, so its first good pass is `recovered`, and the
    /// same failure as last time is not sent again (each run would otherwise repeat it).
    pub fn resume(&mut self, status: &BTreeMap<String, crate::daemon::status::RecordStatus>) {
        for (key, st) in status {
            if st.consecutive_failures == 0 {
                continue;
            }
            self.standing.insert(key.clone(), Standing::Troubled);
            if let Some(e) = &st.last_error {
                self.reported.insert(key.clone(), e.message.clone());
            }
        }
    }

    /// The events one pass's `report` means, at `time`.
    pub fn observe(
        &mut self,
        report: &[(String, Outcome)],
        config: &Config,
        time: u64,
    ) -> Vec<Event> {
        let mut out = Vec::new();
        for (key, outcome) in report {
            let (record, rtype) = split_key(key);
            let provider = provider_of(config, &record);
            let event = |kind, old: Vec<IpAddr>, new: Vec<IpAddr>, error: Option<String>| Event {
                kind,
                record: record.clone(),
                rtype: rtype.clone(),
                provider: provider.clone(),
                old,
                new,
                error,
                time,
            };
            let was_troubled = self.standing.get(key) == Some(&Standing::Troubled);
            let reported = self.reported.remove(key);
            let news = |message: &str| reported.as_deref() != Some(message);
            match outcome {
                Outcome::Updated(change) => {
                    let (from, to) = (&change.from, &change.to);
                    if was_troubled {
                        out.push(event(EventKind::Recovered, from.clone(), to.clone(), None));
                    }
                    let kind = if from.is_empty() {
                        EventKind::Created
                    } else if to.is_empty() {
                        EventKind::Deleted
                    } else {
                        EventKind::Updated
                    };
                    out.push(event(kind, from.clone(), to.clone(), None));
                    self.standing.insert(key.clone(), Standing::Fine);
                }
                Outcome::Unchanged(now) | Outcome::Confirmed(now) => {
                    if was_troubled {
                        out.push(event(EventKind::Recovered, now.clone(), now.clone(), None));
                    }
                    self.standing.insert(key.clone(), Standing::Fine);
                }
                Outcome::Failed(failure) => {
                    if news(&failure.message) {
                        out.push(event(
                            EventKind::Failed,
                            Vec::new(),
                            Vec::new(),
                            Some(failure.message.clone()),
                        ));
                    }
                    self.standing.insert(key.clone(), Standing::Troubled);
                }
                Outcome::Conflict(why) => {
                    if news(why) {
                        out.push(event(
                            EventKind::Conflict,
                            Vec::new(),
                            Vec::new(),
                            Some(why.clone()),
                        ));
                    }
                    self.standing.insert(key.clone(), Standing::Troubled);
                }
                Outcome::NoAddress(why) if is_refusal(why) => {
                    out.push(event(
                        EventKind::RefusedAddress,
                        Vec::new(),
                        Vec::new(),
                        Some(why.clone()),
                    ));
                }
                // Backing off (already reported as failed), no address of a family (the log
                // says it), plan mode: no news.
                _ => {}
            }
        }
        out
    }

    /// True if any record is failing or in conflict after the last pass.
    pub fn any_troubled(&self) -> bool {
        self.standing.values().any(|s| *s == Standing::Troubled)
    }
}

/// The daemon says "left alone: ..." for several reasons; a refusal of a non-public address
/// is the one worth a notification. `Outcome::NoAddress` carries text only, so this matches
/// the two endings of `ip::filter::Refusal`'s message (tested in `refusal_text_is_recognised`).
fn is_refusal(why: &str) -> bool {
    why.ends_with("on the record to publish it") || why.ends_with("it cannot be published")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            r#"
[providers.lab]
type = "rfc2136"
servers = ["127.0.0.1:53"]
[sources.s]
type = "static"
address = "192.0.2.1"
[[records]]
name = "Home.Example.Test"
provider = "lab"
ipv4 = ["s"]
"#,
            std::path::Path::new("t.toml"),
        )
        .unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn updated(from: Vec<IpAddr>, to: Vec<IpAddr>) -> Outcome {
        Outcome::Updated(crate::daemon::runtime::Change {
            from,
            to,
            ttl_from: None,
            ttl: 60,
        })
    }

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_210_184), "2026-12-02T11:16:24Z");
    }

    #[test]
    fn update_failure_recovery_sequence() {
        let c = config();
        let mut t = Tracker::default();
        let key = "home.example.test./A".to_string();
        let e = t.observe(
            &[(key.clone(), updated(vec![], vec![ip("192.0.2.1")]))],
            &c,
            10,
        );
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, EventKind::Created);
        assert_eq!(e[0].provider, "lab");
        assert_eq!(e[0].record, "home.example.test.");
        assert_eq!(e[0].rtype, "A");
        let e = t.observe(
            &[(
                key.clone(),
                Outcome::Failed(crate::daemon::runtime::Failure {
                    kind: crate::daemon::status::FailureKind::Network,
                    message: "boom".into(),
                }),
            )],
            &c,
            11,
        );
        assert_eq!(e[0].kind, EventKind::Failed);
        assert!(t.any_troubled());
        let e = t.observe(&[(key.clone(), Outcome::BackingOff(3))], &c, 12);
        assert!(e.is_empty());
        let e = t.observe(
            &[(
                key.clone(),
                updated(vec![ip("192.0.2.1")], vec![ip("192.0.2.2")]),
            )],
            &c,
            13,
        );
        let kinds: Vec<_> = e.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [EventKind::Recovered, EventKind::Updated]);
        let e = t.observe(&[(key, Outcome::Unchanged(vec![ip("192.0.2.2")]))], &c, 14);
        assert!(e.is_empty());
        assert!(!t.any_troubled());
    }

    #[test]
    fn refusal_text_is_recognised() {
        let r = crate::ip::check_publishable(ip("10.0.0.1"), &[]).unwrap_err();
        assert!(is_refusal(&r.to_string()), "{r}");
        let r = crate::ip::check_publishable(ip("127.0.0.1"), &[]).unwrap_err();
        assert!(is_refusal(&r.to_string()), "{r}");
        assert!(!is_refusal("no source has an address of this family"));
    }

    #[test]
    fn json_schema_fields() {
        let mut e = Event::daemon(EventKind::Updated, 1_796_210_184);
        e.record = "a.example.".into();
        e.rtype = "A".into();
        e.old = vec![ip("192.0.2.1")];
        e.new = vec![ip("192.0.2.2")];
        let j = e.to_json();
        assert_eq!(j["version"], 1);
        assert_eq!(j["event"], "updated");
        assert_eq!(j["time"], "2026-12-02T11:16:24Z");
        assert_eq!(j["old"][0], "192.0.2.1");
        assert_eq!(j["new"][0], "192.0.2.2");
        assert!(j["error"].is_null());
        assert_eq!(j["message"], "a.example. A updated: 192.0.2.1 -> 192.0.2.2");
    }
}
