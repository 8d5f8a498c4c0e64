//! Where records live: one interface for every backend (RFC 2136 here; hosted HTTP APIs plug in
//! the same way). The daemon's data flow uses exactly two operations: read the RRset the
//! authoritative side serves, and replace it only if it still holds what was read.

pub mod rfc2136;

use std::fmt;

use hickory_proto::rr::{Name, RData, RecordType};

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
    /// No answer (timeout, connection refused, ...): worth retrying later.
    #[error("network: {0}")]
    Network(String),
    /// Credentials were refused (TSIG BADSIG/BADKEY/BADTIME, HTTP 401/403).
    #[error("authentication: {0}")]
    Auth(String),
    /// The provider refused the request (REFUSED, NOTAUTH, NOTZONE, HTTP 4xx).
    #[error("refused: {0}")]
    Refused(String),
    /// The provider's answer made no sense.
    #[error("bad answer: {0}")]
    Protocol(String),
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

/// A backend that holds records.
pub trait Provider {
    /// A short name for logs (`rfc2136 127.0.0.1:53`).
    fn label(&self) -> String;

    /// The RRset as the authoritative side serves it now (empty when it does not exist).
    fn read(
        &self,
        key: &RrsetKey,
    ) -> impl std::future::Future<Output = Result<Rrset, ProviderError>>;

    /// Make the RRset `new` (with `ttl`) only if it still holds exactly `expected`
    /// (empty: only if it does not exist). Atomic where the backend allows.
    fn replace(
        &self,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> impl std::future::Future<Output = Result<Applied, ProviderError>>;
}
