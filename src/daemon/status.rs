//! What the daemon knows about each managed RRset, as an operator (or a monitor) wants it:
//! when it last tried, when it last succeeded, the last change it made (old -> new), how many
//! tries in a row failed, and the last error. Persisted in the state file next to the
//! reconcile memory, shown by `dnsup status`, and meant to feed `/metrics`, `/readyz` and
//! notifications: a plain serde struct with pure transitions (time is an argument).
//!
//! Every field has a default, so state files written before this existed still load.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// What kind of failure: a stable name (JSON `snake_case`) for exit codes, metrics labels and
/// notification filters. `cli::exit::for_failures` maps these to exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureKind {
    /// Credentials refused: TSIG BADSIG, BADKEY, BADTIME, an answer that failed verification,
    /// HTTP 401/403, dyndns2 `badauth`.
    Auth,
    /// No answer: timeout, connection refused, a server name that does not resolve, HTTP 5xx,
    /// rate limiting.
    Network,
    /// The provider refused: REFUSED, NOTAUTH, NOTZONE, SERVFAIL, HTTP 4xx, dyndns2 `nohost`.
    Refused,
    /// Someone else changed the RRset between our read and our write: nothing was changed.
    Conflict,
    /// The zone of the record could not be found.
    Zone,
    /// The sources gave no address that may be published (the record is left alone).
    NoAddress,
    /// The provider's answer made no sense, it cannot make this change, or it told us to stop.
    Provider,
}

impl FailureKind {
    /// The name used in JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Network => "network",
            Self::Refused => "refused",
            Self::Conflict => "conflict",
            Self::Zone => "zone",
            Self::NoAddress => "no_address",
            Self::Provider => "provider",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a record stands after the last pass that looked at it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Not looked at yet.
    #[default]
    Unknown,
    /// The server holds the desired addresses (read, written, or remembered).
    InSync,
    /// The last try failed (see `last_error`); retried after a back-off.
    Failing,
    /// The sources gave no address that may be published; the record is left alone.
    NoAddress,
}

impl Condition {
    /// The words `dnsup status` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::InSync => "in sync",
            Self::Failing => "failing",
            Self::NoAddress => "no address",
        }
    }
}

/// A change the daemon made (verified on the server, or accepted by a write-only provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// When (unix seconds).
    pub at: u64,
    /// What the RRset held before (empty: it did not exist).
    pub from: Vec<IpAddr>,
    /// What it holds now.
    pub to: Vec<IpAddr>,
    /// Its TTL before, if it existed and the provider says.
    #[serde(default)]
    pub ttl_from: Option<u32>,
    /// Its TTL now.
    pub ttl: u32,
}

/// The last failure, kept after recovery as history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastError {
    /// When this error was first seen (a run of identical errors keeps its start).
    pub since: u64,
    /// What kind of failure.
    pub kind: FailureKind,
    /// The message, as logged (never a secret).
    pub message: String,
}

/// The status of one managed RRset (`"name./TYPE"` in [`crate::daemon::state::State`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordStatus {
    /// Where it stands now.
    pub condition: Condition,
    /// When the provider was last asked about it (read or write), unix seconds.
    pub last_attempt: Option<u64>,
    /// When the provider last confirmed it in sync (after a read or a verified write).
    pub last_success: Option<u64>,
    /// The last change made.
    pub last_change: Option<Change>,
    /// Tries in a row that failed (0 when in sync). A record without an address does not count
    /// as a try: nothing was asked.
    pub consecutive_failures: u32,
    /// The last failure (kept after a recovery).
    pub last_error: Option<LastError>,
}

/// What a transition means for an operator: the daemon logs (and a notifier sends) only
/// [`Notice::New`] and [`Notice::Recovered`], so a failure repeated every pass is said once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Nothing worth saying.
    Quiet,
    /// A failure, or a different failure than the last one.
    New,
    /// In sync again after `failures` failed tries (or a time without an address) since `since`.
    Recovered {
        /// Failed tries in the run that ended.
        failures: u32,
        /// When the run of failures started.
        since: u64,
        /// What the last failure was.
        kind: FailureKind,
    },
}

impl RecordStatus {
    /// The provider is about to be asked.
    pub fn attempted(&mut self, now: u64) {
        self.last_attempt = Some(now);
    }

    /// In sync: `confirmed` when the provider said so now (a read or a verified write), not
    /// when only the remembered state says it (no request was made).
    pub fn in_sync(&mut self, now: u64, confirmed: bool, change: Option<Change>) -> Notice {
        let notice = match (&self.last_error, self.condition) {
            (Some(e), Condition::Failing | Condition::NoAddress) => Notice::Recovered {
                failures: self.consecutive_failures,
                since: e.since,
                kind: e.kind,
            },
            _ => Notice::Quiet,
        };
        self.condition = Condition::InSync;
        self.consecutive_failures = 0;
        if confirmed {
            self.last_success = Some(now);
        }
        if change.is_some() {
            self.last_change = change;
        }
        notice
    }

    /// A try failed (or, for [`FailureKind::NoAddress`], there was nothing to try).
    pub fn failed(&mut self, now: u64, kind: FailureKind, message: &str) -> Notice {
        let condition = if kind == FailureKind::NoAddress {
            Condition::NoAddress
        } else {
            self.consecutive_failures = self.consecutive_failures.saturating_add(1);
            Condition::Failing
        };
        let same = self.condition == condition
            && self
                .last_error
                .as_ref()
                .is_some_and(|e| e.kind == kind && e.message == message);
        self.condition = condition;
        if same {
            return Notice::Quiet;
        }
        self.last_error = Some(LastError {
            since: now,
            kind,
            message: message.to_string(),
        });
        Notice::New
    }

    /// True when nothing is wrong: in sync, or not looked at yet. What `/readyz` answers.
    pub fn healthy(&self) -> bool {
        matches!(self.condition, Condition::InSync | Condition::Unknown)
    }
}

/// Unix seconds as `2026-12-02T09:16:25Z` (UTC). Hand-written: the proleptic Gregorian
/// conversion is ten lines, and a date crate for one format is not worth its size.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_failure_is_new_once_and_a_recovery_says_how_long() {
        let mut s = RecordStatus::default();
        s.attempted(100);
        assert_eq!(
            s.failed(100, FailureKind::Network, "timed out"),
            Notice::New
        );
        s.attempted(105);
        assert_eq!(
            s.failed(105, FailureKind::Network, "timed out"),
            Notice::Quiet
        );
        assert_eq!(s.consecutive_failures, 2);
        assert_eq!(s.last_error.as_ref().unwrap().since, 100);
        assert_eq!(
            s.failed(110, FailureKind::Auth, "BADSIG"),
            Notice::New,
            "a different failure is said"
        );
        assert!(!s.healthy());
        let change = Change {
            at: 120,
            from: vec![],
            to: vec!["192.0.2.1".parse().unwrap()],
            ttl_from: None,
            ttl: 60,
        };
        assert_eq!(
            s.in_sync(120, true, Some(change.clone())),
            Notice::Recovered {
                failures: 3,
                since: 110,
                kind: FailureKind::Auth
            }
        );
        assert_eq!(s.consecutive_failures, 0);
        assert_eq!(s.last_success, Some(120));
        assert_eq!(s.last_change, Some(change));
        assert_eq!(s.last_attempt, Some(105));
        assert!(s.healthy());
        assert_eq!(s.in_sync(130, false, None), Notice::Quiet);
        assert_eq!(
            s.last_success,
            Some(120),
            "a remembered state is no success"
        );
    }

    #[test]
    fn no_address_is_not_a_try_and_is_said_once() {
        let mut s = RecordStatus::default();
        assert_eq!(s.failed(1, FailureKind::NoAddress, "none"), Notice::New);
        let before = s.clone();
        assert_eq!(s.failed(2, FailureKind::NoAddress, "none"), Notice::Quiet);
        assert_eq!(s, before, "nothing to save when nothing changed");
        assert_eq!(s.consecutive_failures, 0);
        assert_eq!(s.condition, Condition::NoAddress);
    }

    #[test]
    fn an_old_state_entry_without_status_fields_loads() {
        let s: RecordStatus = serde_json::from_str("{}").unwrap();
        assert_eq!(s, RecordStatus::default());
    }

    #[test]
    fn dates_are_utc_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_202_985), "2026-12-02T09:16:25Z");
        assert_eq!(rfc3339(4_102_444_800), "2100-01-01T00:00:00Z");
    }
}
