//! DuckDNS: one GET per change to `https://www.duckdns.org/update`, authenticated by the
//! account token as a query parameter; answers `OK` or `KO` (with `verbose=true`, `OK` is
//! followed by the addresses or text and `UPDATED`/`NOCHANGE`).
//!
//! Documentation: <https://www.duckdns.org/spec.jsp>.
//!
//! - A: `domains=SUB&token=T&ip=V4&verbose=true`. AAAA: `ipv6=V6` alone (giving `ipv6` turns
//!   off the IPv4 auto-detection, so the A record is left alone).
//! - TXT: `domains=SUB&token=T&txt=TEXT&verbose=true`. DuckDNS holds one TXT text per
//!   sub-domain and serves it for every name below it too, so `_acme-challenge.SUB.duckdns.org`
//!   maps to `SUB`. A multi-string TXT is sent as its strings concatenated (what consumers read).
//! - Names: `SUB.duckdns.org` only (the zone is `duckdns.org`); `domains` is the sub-name.
//!
//! Capabilities: write-only (no read API, so no guard), one value per RRset, the TTL is
//! DuckDNS's. Delete: `clear=true` clears the TXT of a TXT update, but on an address update it
//! clears *both* the A and the AAAA record; the capability model has one `delete` flag for all
//! types, and deleting an A RRset must not touch AAAA, so `delete = false` (a TXT value is
//! overwritten, not removed).
//! `KO` says the token is wrong or the sub-domain is not in the account: reported as an
//! authentication error (both need the user to fix the configuration).

use std::str::FromStr;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use serde::Deserialize;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response};
use super::text::joined;
use super::update_only;
use super::{Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef};

/// The documented update URL.
pub const DEFAULT_ENDPOINT: &str = "https://www.duckdns.org/update";

/// The zone every DuckDNS name is in.
pub const ZONE: &str = "duckdns.org.";

/// `type = "duckdns"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The account token.
    pub token: SecretRef,
    /// HTTP settings (`endpoint` is the full update URL, default
    /// `https://www.duckdns.org/update`).
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct DuckDns {
    http: Http,
    url: reqwest::Url,
    token: Secret,
}

impl DuckDns {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let token = setup.secret(&c.token, "token")?;
        let base = c.http.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT);
        let url = reqwest::Url::parse(base).map_err(|e| format!("endpoint '{base}': {e}"))?;
        let http = Http::new(&c.http, Duration::from_secs(1), vec![token.clone()], false)?;
        Ok(DuckDns { http, url, token })
    }
}

fn zone() -> Name {
    Name::from_str(ZONE).unwrap_or_else(|_| Name::root())
}

/// The DuckDNS sub-name (`SUB` of `SUB.duckdns.org`) that holds `key`.
fn sub_name(key: &RrsetKey) -> Result<String, ProviderError> {
    let zone = zone();
    let (labels, zone_labels) = (key.name.iter().count(), zone.iter().count());
    if !zone.zone_of(&key.name) || labels <= zone_labels {
        return Err(ProviderError::Refused(format!(
            "{key}: DuckDNS names are SUB.duckdns.org"
        )));
    }
    let extra = labels - zone_labels;
    if extra > 1 && key.rtype != RecordType::TXT {
        return Err(ProviderError::Refused(format!(
            "{key}: DuckDNS sets addresses of SUB.duckdns.org only, not of names below it"
        )));
    }
    let text = key.name.to_ascii().to_ascii_lowercase();
    let labels: Vec<&str> = text.trim_end_matches('.').split('.').collect();
    let sub = labels[labels.len() - 3];
    if sub == "*" {
        return Err(ProviderError::Refused(format!(
            "{key}: DuckDNS names are SUB.duckdns.org"
        )));
    }
    Ok(sub.to_string())
}

/// The parameters of one update (without the token).
fn params(key: &RrsetKey, value: &RData) -> Result<Vec<(&'static str, String)>, ProviderError> {
    let sub = sub_name(key)?;
    let mut p = vec![("domains", sub)];
    match value {
        RData::A(a) => p.push(("ip", a.0.to_string())),
        RData::AAAA(a) => p.push(("ipv6", a.0.to_string())),
        RData::TXT(t) => p.push(("txt", joined(key, t)?)),
        _ => {
            return Err(ProviderError::Unsupported(format!(
                "{key}: DuckDNS serves only A/AAAA/TXT records"
            )));
        }
    }
    p.push(("verbose", "true".into()));
    Ok(p)
}

/// What an answer means.
fn outcome(key: &RrsetKey, body: &str) -> Result<Applied, ProviderError> {
    let first = body.lines().next().unwrap_or("").trim();
    match first {
        "OK" => Ok(Applied::Done),
        "KO" => Err(ProviderError::Auth(format!(
            "{key}: DuckDNS answered KO: the token is wrong or {} is not in this account",
            key.name
        ))),
        _ => Err(ProviderError::Protocol(format!(
            "{key}: DuckDNS answered neither OK nor KO"
        ))),
    }
}

/// What an answer means: a non-2xx status is its error (with the first line of the body,
/// passed through `scrub`), else [`outcome`].
pub(crate) fn answer(
    key: &RrsetKey,
    response: &Response,
    scrub: impl Fn(&str) -> String,
) -> Result<Applied, ProviderError> {
    if !response.ok() {
        let first = response.text().lines().next().unwrap_or("").to_string();
        return Err(response.error(&scrub(first.trim())));
    }
    outcome(key, &response.text())
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities =
    update_only::capabilities(&[RecordType::A, RecordType::AAAA, RecordType::TXT]);

impl Provider for DuckDns {
    fn label(&self) -> String {
        "duckdns".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zone = zone();
        if zone.zone_of(name) && name.iter().count() > zone.iter().count() {
            Ok(zone)
        } else {
            Err(ProviderError::Refused(format!(
                "{name}: DuckDNS holds only names under duckdns.org"
            )))
        }
    }

    async fn read(&self, _zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        update_only::cannot_read("DuckDNS", key)
    }

    async fn replace(
        &self,
        _zone: &Name,
        key: &RrsetKey,
        _expected: &[RData],
        new: &[RData],
        _ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let value = update_only::one_value("DuckDNS", "value", key, new)?;
        let p = params(key, value)?;
        let mut pairs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.insert(1, ("token", self.token.expose()));
        let request = Request::new(reqwest::Method::GET, self.url.clone()).query(&pairs);
        let response = self.http.send(&request).await?;
        answer(key, &response, |m| self.http.scrub(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::TXT;

    fn key(name: &str, rtype: RecordType) -> RrsetKey {
        RrsetKey {
            name: Name::from_str(name).unwrap(),
            rtype,
        }
    }

    #[test]
    fn parameters_per_type() {
        let a = params(
            &key("home.duckdns.org.", RecordType::A),
            &RData::A("192.0.2.1".parse::<std::net::Ipv4Addr>().unwrap().into()),
        )
        .unwrap();
        assert_eq!(a[0], ("domains", "home".to_string()));
        assert_eq!(a[1], ("ip", "192.0.2.1".to_string()));
        let t = params(
            &key("_acme-challenge.home.duckdns.org.", RecordType::TXT),
            &RData::TXT(TXT::new(vec!["tok en".into()])),
        )
        .unwrap();
        assert_eq!(t[0], ("domains", "home".to_string()));
        assert_eq!(t[1], ("txt", "tok en".to_string()));
        assert!(sub_name(&key("a.home.duckdns.org.", RecordType::A)).is_err());
        assert!(sub_name(&key("duckdns.org.", RecordType::A)).is_err());
        assert!(sub_name(&key("*.duckdns.org.", RecordType::A)).is_err());
        assert!(sub_name(&key("*.home.duckdns.org.", RecordType::A)).is_err());
        assert!(sub_name(&key("home.example.org.", RecordType::A)).is_err());
    }

    #[test]
    fn answers() {
        let k = key("home.duckdns.org.", RecordType::A);
        assert_eq!(
            outcome(&k, "OK\n192.0.2.1\n\nUPDATED").unwrap(),
            Applied::Done
        );
        assert_eq!(outcome(&k, "OK").unwrap(), Applied::Done);
        assert!(matches!(outcome(&k, "KO"), Err(ProviderError::Auth(_))));
        assert!(matches!(
            outcome(&k, "<html>"),
            Err(ProviderError::Protocol(_))
        ));
    }
}
