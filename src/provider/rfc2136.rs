//! The RFC 2136 provider: reads with a query to the primary (RD=0, TSIG-signed when a key is
//! set, so the answer is authentic), writes with one UPDATE guarded by prerequisites
//! (RFC 2136 section 2.4.2 value-dependent "RRset exists", or 2.4.3 "RRset does not exist").

use std::net::SocketAddr;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData};

use super::{Applied, Provider, ProviderError, Rrset, RrsetKey};
use crate::client::{self, ClientError, Outcome, Signer};
use crate::transport;
use crate::tsig::Key;
use crate::update::{Change, Prerequisite, Update};

/// An authoritative server (or several, for failover) reached with RFC 2136.
#[derive(Debug, Clone)]
pub struct Rfc2136 {
    /// Where to send, in order.
    pub servers: Vec<SocketAddr>,
    /// The zone updated.
    pub zone: Name,
    /// The TSIG key, if the server wants one.
    pub key: Option<Key>,
    /// Transport settings.
    pub config: transport::Config,
}

fn client_error(e: ClientError) -> ProviderError {
    match e {
        ClientError::Network(n) => ProviderError::Network(n.to_string()),
        ClientError::Unverified(_) => ProviderError::Auth(e.to_string()),
        other => ProviderError::Protocol(other.to_string()),
    }
}

fn answer_error(o: &Outcome) -> ProviderError {
    let what = format!("{} answered {}", o.server, o.rcode_name());
    match o.tsig_error {
        Some(t) => ProviderError::Auth(format!("{what} ({t})")),
        None => ProviderError::Refused(what),
    }
}

impl Provider for Rfc2136 {
    fn label(&self) -> String {
        match self.servers.first() {
            Some(s) => format!("rfc2136 {s} zone {}", self.zone),
            None => format!("rfc2136 zone {}", self.zone),
        }
    }

    async fn read(&self, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let signer = self.key.as_ref().map(Signer::new);
        let o = client::query(
            &key.name,
            key.rtype,
            false,
            signer,
            &self.servers,
            &self.config,
        )
        .await
        .map_err(client_error)?;
        if o.tsig_error.is_some() {
            return Err(answer_error(&o));
        }
        match o.rcode() {
            ResponseCode::NoError | ResponseCode::NXDomain => {}
            _ => return Err(answer_error(&o)),
        }
        // Only the authoritative server's own data counts, never a cache's.
        if !o.response.metadata.authoritative {
            return Err(ProviderError::Protocol(format!(
                "{} is not authoritative for {}",
                o.server, key.name
            )));
        }
        let mut set = Rrset::default();
        for r in &o.response.answers {
            if r.record_type() == key.rtype && r.name.eq_ignore_root(&key.name) {
                set.ttl = Some(r.ttl);
                set.values.push(r.data.clone());
            }
        }
        Ok(set)
    }

    async fn replace(
        &self,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let mut update = Update::new(self.zone.clone());
        let bad = |e: crate::update::UpdateError| ProviderError::Protocol(e.to_string());
        if expected.is_empty() {
            update
                .require(Prerequisite::RrsetAbsent(key.name.clone(), key.rtype))
                .map_err(bad)?;
        }
        for v in expected {
            update
                .require(Prerequisite::RrsetEquals(key.name.clone(), v.clone()))
                .map_err(bad)?;
        }
        update
            .change(Change::DeleteRrset(key.name.clone(), key.rtype))
            .map_err(bad)?;
        for v in new {
            update
                .change(Change::Add {
                    name: key.name.clone(),
                    ttl,
                    rdata: v.clone(),
                })
                .map_err(bad)?;
        }
        let signer = self.key.as_ref().map(Signer::new);
        let o = client::send_update(&update, signer, &self.servers, &self.config)
            .await
            .map_err(client_error)?;
        if o.tsig_error.is_some() {
            return Err(answer_error(&o));
        }
        match o.rcode() {
            ResponseCode::NoError => Ok(Applied::Done),
            ResponseCode::NXRRSet | ResponseCode::YXRRSet => Ok(Applied::Conflict(format!(
                "{} answered {}: {key} no longer holds what was read",
                o.server,
                o.rcode_name()
            ))),
            _ => Err(answer_error(&o)),
        }
    }
}
