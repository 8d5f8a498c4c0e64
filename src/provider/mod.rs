//! Where records live: one interface for every backend, the RFC 2136 one and each hosted HTTP
//! API. The daemon and `dnsup set --provider` use exactly these operations: find the zone of a
//! name, read the RRset the authoritative side serves, and replace it only if it still holds
//! what was read (an empty replacement deletes it).
//!
//! Implementors write [`Provider`] with plain `async fn`s; users hold a `Box<dyn DynProvider>`
//! (every `Provider` is a `DynProvider`), so one daemon drives any mix of backends.

#![cfg_attr(
    not(feature = "https"),
    allow(
        clippy::duplicate_mod,
        reason = "in the RFC 2136-only build every hosted adapter is the stub not_built.rs"
    )
)]

pub mod build;
pub mod credential;
#[cfg(feature = "https")]
#[doc(hidden)]
pub mod fuzz;
pub mod http;
#[cfg(feature = "https")]
pub mod page;
#[cfg(feature = "https")]
pub mod per_record;
#[cfg(feature = "https")]
pub mod per_rrset;
pub mod plan;
pub mod preset;
pub mod registry;
pub mod rfc2136;
pub mod sign;
pub mod text;
pub mod update_only;

// The hosted-API adapters: compiled with the `https` feature (the default). Without it each
// name is the stub not_built.rs (`path` below), so the configuration still knows every `type`
// and the registry every row, and building one fails with what to do (ARCHITECTURE.md, "The
// https feature"). A new adapter is one more pair of lines here. (Plain `mod` lines, not a
// macro: rustfmt formats only the files of modules it can see.)
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod alibaba;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod alibaba_esa;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod azure;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod baidu;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod bunny;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod cloudflare;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod cloudns;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod desec;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod digitalocean;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod dnspod;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod dreamhost;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod duckdns;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod dyndns2;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod edgeone;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod gandi;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod gcloud;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod gcore;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod godaddy;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod hetzner;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod hostinger;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod huawei;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod ionos;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod linode;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod luadns;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod mythicbeasts;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod namecheap;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod namecom;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod namesilo;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod netcup;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod nfsn;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod ns1;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod ovh;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod porkbun;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod powerdns;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod route53;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod scaleway;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod servercow;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod spaceship;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod template;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod tencent;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod transip;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod vercel;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod volcengine;
#[cfg_attr(not(feature = "https"), path = "not_built.rs")]
pub mod vultr;

#[cfg(not(feature = "https"))]
pub mod not_built;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use hickory_proto::rr::{Name, RData, RecordType};

pub use build::{ProviderConfig, build};
pub use credential::{Secret, SecretRef};
pub use rfc2136::Rfc2136;

/// An RRset as a provider serves it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rrset {
    /// The TTL, when the RRset exists.
    pub ttl: Option<u32>,
    /// The values, in the order served.
    pub values: Vec<RData>,
}

/// What happened to a conditional replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The RRset now holds the new values.
    Done,
    /// The RRset no longer held what was expected (someone changed it): nothing was changed.
    Conflict(String),
}

/// A provider failed to answer or refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// No answer (timeout, connection refused, HTTP 5xx, rate limited): worth retrying later.
    #[error("network: {0}")]
    Network(String),
    /// Credentials were refused (TSIG BADSIG/BADKEY/BADTIME, HTTP 401/403, dyndns2 badauth).
    #[error("authentication: {0}")]
    Auth(String),
    /// The provider refused the request (REFUSED, NOTAUTH, NOTZONE, HTTP 4xx, nohost).
    #[error("refused: {0}")]
    Refused(String),
    /// The provider's answer made no sense.
    #[error("bad answer: {0}")]
    Protocol(String),
    /// The provider cannot do this at all (a dyndns2 service cannot delete, a record type it
    /// does not serve, several values where it holds one): nothing was sent.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// The provider asked us to wait at least this many seconds (a long `Retry-After`, dyndns2
    /// `911`): the daemon does not call it again before then.
    #[error("rate limited: {0} (retry after {1} s)")]
    Throttled(String, u64),
    /// The provider told us to stop (dyndns2 `abuse`, `badagent`): never retried automatically.
    #[error("blocked: {0}")]
    Blocked(String),
}

/// Which RRset: owner name and type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RrsetKey {
    /// Owner name (absolute).
    pub name: Name,
    /// Record type.
    pub rtype: RecordType,
}

impl fmt::Display for RrsetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.name, self.rtype)
    }
}

/// How "replace only if it still holds X" is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The server checks the condition and applies the change in one step (RFC 2136
    /// prerequisites, Route 53 change batches).
    Atomic,
    /// dnsup reads, compares, then writes: a change made by someone else between the read and
    /// the write (a window of one round trip) is not detected.
    ReadThenWrite,
    /// The API cannot read records (dyndns2-style): the new value is written unconditionally.
    None,
}

/// What a provider can do; the behaviour suite and the docs' table are driven by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// The current RRset can be read through the API.
    pub read: bool,
    /// How the condition of a replace is enforced.
    pub guard: Guard,
    /// An RRset can be deleted.
    pub delete: bool,
    /// An RRset may hold several values.
    pub multiple_values: bool,
    /// The TTL is set by dnsup (false: the provider decides).
    pub ttl: bool,
    /// The smallest TTL the provider accepts; a smaller one is raised to it (0: no minimum).
    pub min_ttl: u32,
    /// The only TTLs the provider accepts, ascending (empty: any from `min_ttl` up). Another
    /// TTL is rounded up to the next one in the set (down to the largest above them all).
    pub ttl_set: &'static [u32],
    /// The record types served; empty means any type the API knows.
    pub types: &'static [RecordType],
}

impl Capabilities {
    /// A full read/write API without a server-side condition (most HTTP APIs).
    pub const READ_WRITE: Capabilities = Capabilities {
        read: true,
        guard: Guard::ReadThenWrite,
        delete: true,
        multiple_values: true,
        ttl: true,
        min_ttl: 0,
        ttl_set: &[],
        types: &[],
    };

    /// The TTL the provider will hold when asked for `ttl`: at least `min_ttl`, and for a
    /// provider with a fixed set of TTLs the next one up in the set (its largest when `ttl`
    /// is above them all).
    pub fn effective_ttl(&self, ttl: u32) -> u32 {
        let ttl = ttl.max(self.min_ttl);
        match self.ttl_set.iter().copied().find(|&allowed| allowed >= ttl) {
            Some(allowed) => allowed,
            None => self.ttl_set.last().copied().unwrap_or(ttl),
        }
    }

    /// Whether `rtype` is served.
    pub fn serves(&self, rtype: RecordType) -> bool {
        self.types.is_empty() || self.types.contains(&rtype)
    }

    /// Refuse what the provider cannot do before anything is sent.
    pub fn check(&self, key: &RrsetKey, new: &[RData]) -> Result<(), ProviderError> {
        if !self.serves(key.rtype) {
            let list: Vec<String> = self.types.iter().map(ToString::to_string).collect();
            return Err(ProviderError::Unsupported(format!(
                "{key}: this provider serves only {} records",
                list.join("/")
            )));
        }
        if new.is_empty() && !self.delete {
            return Err(ProviderError::Unsupported(format!(
                "{key}: this provider cannot delete records"
            )));
        }
        if new.len() > 1 && !self.multiple_values {
            return Err(ProviderError::Unsupported(format!(
                "{key}: this provider holds one value per name and type, not {}",
                new.len()
            )));
        }
        Ok(())
    }
}

/// A backend that holds records. Implement this; use it through [`DynProvider`].
pub trait Provider {
    /// A short name for logs (`rfc2136 127.0.0.1:53`, `cloudflare`). Never a secret.
    fn label(&self) -> String;

    /// What this backend can do.
    fn capabilities(&self) -> Capabilities;

    /// The zone holding `name`, as the provider knows it.
    fn find_zone(&self, name: &Name) -> impl Future<Output = Result<Name, ProviderError>>;

    /// The RRset as the authoritative side serves it now (empty when it does not exist).
    fn read(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> impl Future<Output = Result<Rrset, ProviderError>>;

    /// Make the RRset `new` (with `ttl`) only if it still holds exactly `expected` (empty:
    /// only if it does not exist), as far as [`Capabilities::guard`] allows. An empty `new`
    /// deletes the RRset.
    fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> impl Future<Output = Result<Applied, ProviderError>>;
}

/// A boxed future, not `Send` (dnsup runs on one thread).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// [`Provider`] in a form that can sit behind `dyn`.
pub trait DynProvider {
    /// See [`Provider::label`].
    fn label(&self) -> String;
    /// See [`Provider::capabilities`].
    fn capabilities(&self) -> Capabilities;
    /// See [`Provider::find_zone`].
    fn find_zone<'a>(&'a self, name: &'a Name) -> BoxFuture<'a, Result<Name, ProviderError>>;
    /// See [`Provider::read`].
    fn read<'a>(
        &'a self,
        zone: &'a Name,
        key: &'a RrsetKey,
    ) -> BoxFuture<'a, Result<Rrset, ProviderError>>;
    /// See [`Provider::replace`].
    fn replace<'a>(
        &'a self,
        zone: &'a Name,
        key: &'a RrsetKey,
        expected: &'a [RData],
        new: &'a [RData],
        ttl: u32,
    ) -> BoxFuture<'a, Result<Applied, ProviderError>>;
}

impl<P: Provider> DynProvider for P {
    fn label(&self) -> String {
        Provider::label(self)
    }
    fn capabilities(&self) -> Capabilities {
        Provider::capabilities(self)
    }
    fn find_zone<'a>(&'a self, name: &'a Name) -> BoxFuture<'a, Result<Name, ProviderError>> {
        Box::pin(Provider::find_zone(self, name))
    }
    fn read<'a>(
        &'a self,
        zone: &'a Name,
        key: &'a RrsetKey,
    ) -> BoxFuture<'a, Result<Rrset, ProviderError>> {
        Box::pin(Provider::read(self, zone, key))
    }
    fn replace<'a>(
        &'a self,
        zone: &'a Name,
        key: &'a RrsetKey,
        expected: &'a [RData],
        new: &'a [RData],
        ttl: u32,
    ) -> BoxFuture<'a, Result<Applied, ProviderError>> {
        Box::pin(async move {
            Provider::capabilities(self).check(key, new)?;
            Provider::replace(self, zone, key, expected, new, ttl).await
        })
    }
}

/// The zone among `zones` that holds `name` (the longest match), for providers that list the
/// zones of an account.
pub fn longest_zone(name: &Name, zones: &[Name]) -> Option<Name> {
    zones
        .iter()
        .filter(|z| z.zone_of(name))
        .max_by_key(|z| z.num_labels())
        .cloned()
}

/// The owner name relative to its zone, as most HTTP APIs want it: `@` for the apex,
/// `www` for `www.example.com.` in `example.com.`.
pub fn relative_name(name: &Name, zone: &Name) -> String {
    // Not `num_labels`: it leaves out a leading `*` (RFC 4034 label count).
    let labels = name.iter().count().saturating_sub(zone.iter().count());
    if labels == 0 {
        return "@".to_string();
    }
    let text = name.to_ascii();
    let parts: Vec<&str> = text.trim_end_matches('.').split('.').collect();
    parts[..labels].join(".")
}

/// Owner name without the final dot (`www.example.com`), as most HTTP APIs write it.
pub fn plain_name(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_string()
}

/// Compare two value lists as sets (order and duplicates aside).
pub fn same_values(a: &[RData], b: &[RData]) -> bool {
    let mut x: Vec<String> = a.iter().map(ToString::to_string).collect();
    let mut y: Vec<String> = b.iter().map(ToString::to_string).collect();
    x.sort();
    x.dedup();
    y.sort();
    y.dedup();
    x == y
}

/// The read-then-write guard HTTP adapters share: `Some(Conflict)` when the RRset no longer
/// holds `expected`.
pub fn check_expected(key: &RrsetKey, actual: &Rrset, expected: &[RData]) -> Option<Applied> {
    if same_values(&actual.values, expected) {
        return None;
    }
    let shown: Vec<String> = actual.values.iter().map(ToString::to_string).collect();
    Some(Applied::Conflict(format!(
        "{key} now holds [{}], not what was read",
        shown.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn relative_names() {
        let z = Name::from_str("example.com.").unwrap();
        assert_eq!(relative_name(&z, &z), "@");
        let n = Name::from_str("a.b.example.com.").unwrap();
        assert_eq!(relative_name(&n, &z), "a.b");
        assert_eq!(plain_name(&n), "a.b.example.com");
        let w = Name::from_str("*.example.com.").unwrap();
        assert_eq!(relative_name(&w, &z), "*");
        let w = Name::from_str("*.a.example.com.").unwrap();
        assert_eq!(relative_name(&w, &z), "*.a");
    }

    #[test]
    fn ttl_from_a_fixed_set_is_rounded_up() {
        let caps = Capabilities {
            min_ttl: 60,
            ttl_set: &[60, 300, 900, 3600],
            ..Capabilities::READ_WRITE
        };
        assert_eq!(caps.effective_ttl(1), 60);
        assert_eq!(caps.effective_ttl(60), 60);
        assert_eq!(caps.effective_ttl(61), 300);
        assert_eq!(caps.effective_ttl(300), 300);
        assert_eq!(caps.effective_ttl(350), 900);
        assert_eq!(
            caps.effective_ttl(86400),
            3600,
            "above the set: its largest"
        );
        let free = Capabilities {
            min_ttl: 30,
            ..Capabilities::READ_WRITE
        };
        assert_eq!((free.effective_ttl(5), free.effective_ttl(77)), (30, 77));
    }

    #[test]
    fn longest_zone_wins() {
        let n = Name::from_str("a.sub.example.com.").unwrap();
        let zones = [
            Name::from_str("example.com.").unwrap(),
            Name::from_str("sub.example.com.").unwrap(),
            Name::from_str("other.com.").unwrap(),
        ];
        assert_eq!(longest_zone(&n, &zones), Some(zones[1].clone()));
        assert_eq!(
            longest_zone(&Name::from_str("x.org.").unwrap(), &zones),
            None
        );
    }
}
