//! Linode (Akamai Cloud) Domains API v4 (`Authorization: Bearer`, API at
//! `https://api.linode.com/v4`). One record per value, each with an id: domains are listed with
//! `GET /domains` (id and name), an RRset is the records of one name and type among
//! `GET /domains/{domainId}/records` (both paged: `page`, `page_size` up to 500, the answer's
//! `pages`), records are created with `POST`, changed in place with
//! `PUT /domains/{domainId}/records/{recordId}` and deleted with `DELETE`. `name` is relative
//! to the domain, empty for the apex; the value is `target`, the TTL `ttl_sec`. The shared
//! read-compare-write lives in [`super::per_record`].
//!
//! TTLs: Linode takes only a fixed set (5 minutes, 1, 2, 4, 8, 16 hours, 1, 2, 4 days, 1, 2,
//! 4 weeks) and rounds any other up to the next; dnsup rounds the same way before sending, so
//! what it compares with is what Linode holds (`ttl_set` in the capabilities).
//!
//! A, AAAA and CNAME only: Linode documents no escaping for TXT targets.
//!
//! Documentation: <https://techdocs.akamai.com/linode-api/reference/get-domains>,
//! <https://techdocs.akamai.com/linode-api/reference/get-domain-records>,
//! <https://techdocs.akamai.com/linode-api/reference/post-domain-record>,
//! <https://techdocs.akamai.com/linode-api/reference/put-domain-record>,
//! <https://techdocs.akamai.com/linode-api/reference/delete-domain-record>; paging and errors:
//! <https://techdocs.akamai.com/linode-api/reference/pagination>,
//! <https://techdocs.akamai.com/linode-api/reference/errors>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{BearerApi, HttpSettings, Response, short};
use super::page::{self, ZoneCache};
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, SecretRef, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.linode.com/v4";

/// The TTLs Linode takes (`ttl_sec`; 0 is the domain's default).
pub const TTLS: &[u32] = &[
    300, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600, 604800, 1209600, 2419200,
];

const PAGE_SIZE: &str = "500";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    min_ttl: 300,
    ttl_set: TTLS,
    ..Capabilities::READ_WRITE
};

/// `type = "linode"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A personal access token with the `domains:read_write` scope.
    pub token: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Linode.
#[derive(Debug)]
pub struct Linode {
    api: BearerApi,
    domains: ZoneCache<(Name, u64)>,
}

#[derive(Debug, Deserialize)]
struct Paged<T> {
    #[serde(default = "Vec::new")]
    data: Vec<T>,
    #[serde(default)]
    page: u32,
    #[serde(default)]
    pages: u32,
}

#[derive(Debug, Deserialize)]
struct Domain {
    id: u64,
    domain: String,
}

#[derive(Debug, Deserialize)]
struct LinodeRecord {
    id: u64,
    #[serde(rename = "type")]
    rtype: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    ttl_sec: u32,
}

/// Linode's error body: `{"errors": [{"field": "...", "reason": "..."}]}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct One {
        field: Option<String>,
        reason: Option<String>,
    }
    #[derive(Deserialize)]
    struct E {
        #[serde(default)]
        errors: Vec<One>,
    }
    let Ok(e) = serde_json::from_slice::<E>(body) else {
        return String::new();
    };
    short(
        &e.errors
            .iter()
            .filter_map(|x| match (&x.field, &x.reason) {
                (Some(f), Some(r)) => Some(format!("{f}: {r}")),
                (None, Some(r)) => Some(r.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}

fn more<T>(p: &Paged<T>) -> bool {
    p.page < p.pages
}

/// A page of `GET /domains` (2xx): the domains with their ids, and whether another follows.
pub fn parse_domains(r: &Response) -> Result<(Vec<(Name, u64)>, bool), ProviderError> {
    let list: Paged<Domain> = r.json()?;
    let names = list
        .data
        .iter()
        .filter_map(|d| Some((Name::from_ascii(format!("{}.", d.domain)).ok()?, d.id)))
        .collect();
    Ok((names, more(&list)))
}

fn host(key: &RrsetKey, zone: &Name) -> String {
    match relative_name(&key.name, zone).as_str() {
        "@" => String::new(),
        other => other.to_string(),
    }
}

/// A page of `GET /domains/{id}/records` (2xx): the records of `key`, and whether another
/// page follows.
pub fn parse_records(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<(Vec<Record>, bool), ProviderError> {
    let list: Paged<LinodeRecord> = r.json()?;
    let (name, rtype) = (host(key, zone), key.rtype.to_string());
    let more = more(&list);
    let records = list
        .data
        .into_iter()
        .filter(|x| x.rtype == rtype && x.name.eq_ignore_ascii_case(&name))
        .map(|x| {
            let value = parse_compact(key.rtype, &x.target).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: Linode holds a value dnsup cannot read: {e}"
                ))
            })?;
            Ok(Record {
                id: x.id.to_string(),
                value,
                ttl: x.ttl_sec,
            })
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    Ok((records, more))
}

impl Linode {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // Linode limits requests per minute per token (hundreds for domains); 100 ms apart
        // stays well inside that.
        let api = BearerApi::new(
            setup,
            &c.token,
            &c.http,
            DEFAULT_ENDPOINT,
            Duration::from_millis(100),
            error_detail,
        )?;
        Ok(Linode {
            api,
            domains: ZoneCache::default(),
        })
    }

    async fn domain_list(&self) -> Result<Vec<(Name, u64)>, ProviderError> {
        self.domains
            .get_or_list(async {
                page::numbered(|page| async move {
                    let p = page.to_string();
                    let r = self
                        .api
                        .request(Method::GET, self.api.url(&["domains"])?)
                        .query(&[("page", &p), ("page_size", PAGE_SIZE)]);
                    parse_domains(&self.api.send(&r).await?)
                })
                .await
            })
            .await
    }

    async fn domain_id(&self, zone: &Name) -> Result<String, ProviderError> {
        self.domain_list()
            .await?
            .into_iter()
            .find(|(n, _)| n == zone)
            .map(|(_, id)| id.to_string())
            .ok_or_else(|| {
                ProviderError::Refused(format!("Linode: no domain {zone} in this account"))
            })
    }
}

impl RecordApi for Linode {
    const LABEL: &'static str = "linode";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = 300;

    fn name(&self) -> &'static str {
        "Linode"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Ok(self
            .domain_list()
            .await?
            .into_iter()
            .map(|(n, _)| n)
            .collect())
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let id = self.domain_id(zone).await?;
        let id = &id;
        page::numbered(|page| async move {
            let p = page.to_string();
            let r = self
                .api
                .request(Method::GET, self.api.url(&["domains", id, "records"])?)
                .query(&[("page", &p), ("page_size", PAGE_SIZE)]);
            parse_records(&self.api.send(&r).await?, zone, key)
        })
        .await
    }

    async fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let id = self.domain_id(zone).await?;
        let body = json!({
            "type": key.rtype.to_string(),
            "name": host(key, zone),
            "target": compact(value),
            "ttl_sec": ttl,
        });
        let url = self.api.url(&["domains", &id, "records"])?;
        self.api
            .send(&self.api.request(Method::POST, url).json(&body))
            .await?;
        Ok(())
    }

    async fn update(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let id = self.domain_id(zone).await?;
        let body = json!({ "target": compact(value), "ttl_sec": ttl });
        let url = self.api.url(&["domains", &id, "records", &record.id])?;
        self.api
            .send(&self.api.request(Method::PUT, url).json(&body))
            .await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let id = self.domain_id(zone).await?;
        let url = self.api.url(&["domains", &id, "records", &record.id])?;
        self.api
            .send(&self.api.request(Method::DELETE, url))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_parse() {
        assert_eq!(
            error_detail(br#"{"errors":[{"reason":"Invalid Token"}]}"#),
            "Invalid Token"
        );
        assert_eq!(
            error_detail(br#"{"errors":[{"field":"ttl_sec","reason":"must be a number"}]}"#),
            "ttl_sec: must be a number"
        );
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"data":[{"id":123456,"type":"A","name":"www","target":"192.0.2.1","priority":50,"weight":50,"port":80,"service":null,"protocol":null,"ttl_sec":604800,"tag":null,"created":"2018-01-01T00:01:01","updated":"2018-01-01T00:01:01"}],"page":1,"pages":2,"results":2}"#.to_vec(),
            what: "GET /v4/domains/1/records".into(),
        };
        let zone = Name::from_ascii("example.org.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("www.example.org.").unwrap(),
            rtype: RecordType::A,
        };
        let (got, more) = parse_records(&r, &zone, &key).unwrap();
        assert_eq!(
            (got[0].id.as_str(), got[0].ttl, more),
            ("123456", 604800, true)
        );
        assert_eq!(CAPABILITIES.effective_ttl(600), 3600);
        assert_eq!(CAPABILITIES.effective_ttl(60), 300);
    }
}
