//! The daemon's decisions, without I/O: whether a record needs a look at the authoritative
//! server, what to change, and when to try again after failures. Time (unix seconds) and
//! randomness (the jitter) are arguments, so every path is testable without waiting.
//!
//! Data flow per managed RRset: desired addresses (from the sources) -> [`needs_read`] ->
//! read actual -> [`plan`] -> replace guarded by "still holds what was read" -> read again to
//! verify -> [`Memory`] is updated and saved. Nothing is read or sent while the desired value is
//! what was last confirmed, until `force_refresh` has passed: an unchanged address costs no
//! traffic and never moves the zone's serial.

use std::net::IpAddr;

use hickory_proto::rr::RData;
use serde::{Deserialize, Serialize};

use crate::provider::Rrset;

/// What the daemon last confirmed on the authoritative side for one RRset. Persisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    /// The addresses the RRset held, sorted.
    pub published: Vec<IpAddr>,
    /// The TTL it had.
    pub ttl: u32,
    /// When that was last confirmed (unix seconds).
    pub confirmed_at: u64,
}

/// Timing policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Re-read the authoritative server after this long even if nothing changed (seconds).
    pub force_refresh: u64,
    /// First delay after a failure (seconds).
    pub backoff_base: u64,
    /// Longest delay between tries (seconds).
    pub backoff_max: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            force_refresh: 86_400,
            backoff_base: 5,
            backoff_max: 1_800,
        }
    }
}

/// True when the authoritative server must be asked: no memory, a different desired value or
/// TTL, or the forced refresh is due. A confirmation dated in the future (a clock that was
/// wrong when it was written, e.g. a Raspberry Pi without RTC that booted in 2100) is stale:
/// trusting it would silence `force_refresh` until that date.
pub fn needs_read(
    memory: Option<&Memory>,
    desired: &[IpAddr],
    ttl: u32,
    now: u64,
    policy: &Policy,
) -> bool {
    match memory {
        None => true,
        Some(m) => {
            m.published != sorted(desired)
                || m.ttl != ttl
                || m.confirmed_at > now
                || now - m.confirmed_at >= policy.force_refresh
        }
    }
}

/// What to do after reading the RRset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// It already holds the desired addresses and TTL.
    InSync,
    /// Replace it, guarded by "it still holds `expected`".
    Replace {
        /// What was read (the guard).
        expected: Vec<RData>,
        /// What to publish.
        new: Vec<RData>,
    },
}

/// Compare the desired addresses with what the server serves.
pub fn plan(desired: &[IpAddr], actual: &Rrset, ttl: u32) -> Plan {
    if addresses(actual) == sorted(desired) && actual.ttl == Some(ttl) {
        return Plan::InSync;
    }
    Plan::Replace {
        expected: actual.values.clone(),
        new: sorted(desired).into_iter().map(rdata).collect(),
    }
}

/// The addresses an RRset holds (A and AAAA data only), sorted.
pub fn addresses(set: &Rrset) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = set
        .values
        .iter()
        .filter_map(|v| match v {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

/// The record data for an address (A or AAAA by its family).
pub fn rdata(ip: IpAddr) -> RData {
    match ip {
        IpAddr::V4(v4) => RData::A(v4.into()),
        IpAddr::V6(v6) => RData::AAAA(v6.into()),
    }
}

fn sorted(ips: &[IpAddr]) -> Vec<IpAddr> {
    let mut v = ips.to_vec();
    v.sort();
    v.dedup();
    v
}

/// After a verified change or an in-sync read: what to remember.
pub fn confirmed(desired: &[IpAddr], ttl: u32, now: u64) -> Memory {
    Memory {
        published: sorted(desired),
        ttl,
        confirmed_at: now,
    }
}

/// Exponential back-off with jitter, kept per provider so one failing server is not hammered
/// by every record it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
    until: u64,
}

impl Backoff {
    /// May we talk to the provider at `now`?
    pub fn ready(&self, now: u64) -> bool {
        now >= self.until
    }

    /// The time before which we must not try again (0 when not backing off).
    pub fn until(&self) -> u64 {
        self.until
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Record a failure at `now`; `jitter` in [-1, 1] spreads the delay by up to ±20 %.
    /// Returns the time of the next try.
    pub fn failed(&mut self, now: u64, policy: &Policy, jitter: f64) -> u64 {
        self.failures = self.failures.saturating_add(1);
        let exp = self.failures.saturating_sub(1).min(30);
        let delay = policy
            .backoff_base
            .saturating_mul(1u64 << exp)
            .min(policy.backoff_max);
        let spread = (delay as f64 * 0.2 * jitter.clamp(-1.0, 1.0)) as i64;
        let delay = (delay as i64 + spread).max(1) as u64;
        self.until = now.saturating_add(delay);
        self.until
    }

    /// Do not try again before `t` (a provider asked us to wait that long).
    pub fn hold_until(&mut self, t: u64) {
        self.until = self.until.max(t);
    }

    /// Record a success: back to normal.
    pub fn succeeded(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests;
