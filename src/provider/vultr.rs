//! Vultr DNS (API v2, `Authorization: Bearer`). One record per value, each with an id:
//! domains are listed with `GET /v2/domains`, an RRset is the records of one name and type
//! among `GET /v2/domains/{domain}/records` (both cursor-paged: `per_page`, `cursor`, the next
//! cursor in `meta.links.next`), records are created with `POST`, changed in place with
//! `PATCH /v2/domains/{domain}/records/{id}` and deleted with `DELETE`. Names are relative to
//! the domain, the apex is the empty name. The shared read-compare-write lives in
//! [`super::per_record`].
//!
//! A, AAAA and CNAME only: Vultr documents no escaping for TXT data, so dnsup's exact TXT round
//! trip cannot be promised.
//!
//! Documentation: <https://www.vultr.com/api/#tag/dns> (list domains, list/create/update/delete
//! records), paging: <https://www.vultr.com/api/#section/Introduction/Meta-and-Pagination>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{BearerApi, HttpSettings, Response, short};
use super::page;
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, SecretRef, plain_name, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.vultr.com/v2";

const PER_PAGE: &str = "500";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "vultr"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A personal access token (Account > API).
    pub token: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Vultr.
#[derive(Debug)]
pub struct Vultr {
    api: BearerApi,
}

#[derive(Debug, Default, Deserialize)]
struct Meta {
    #[serde(default)]
    links: Links,
}

#[derive(Debug, Default, Deserialize)]
struct Links {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
struct DomainList {
    domains: Vec<Domain>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Debug, Deserialize)]
struct Domain {
    domain: String,
}

#[derive(Debug, Deserialize)]
struct RecordList {
    records: Vec<VultrRecord>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Debug, Deserialize)]
struct VultrRecord {
    id: String,
    #[serde(rename = "type")]
    rtype: String,
    name: String,
    data: String,
    ttl: u32,
}

/// Vultr's error body: `{"error": "...", "status": 401}` gives the message.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        error: Option<String>,
    }
    serde_json::from_slice::<E>(body)
        .ok()
        .and_then(|e| e.error)
        .map(|m| short(&m))
        .unwrap_or_default()
}

fn next(meta: &Meta) -> Option<String> {
    (!meta.links.next.is_empty()).then(|| meta.links.next.clone())
}

/// A page of `GET /domains` (2xx): the domains and the next cursor.
pub fn parse_domains(r: &Response) -> Result<(Vec<Name>, Option<String>), ProviderError> {
    let list: DomainList = r.json()?;
    let names = list
        .domains
        .iter()
        .filter_map(|d| Name::from_ascii(format!("{}.", d.domain)).ok())
        .collect();
    Ok((names, next(&list.meta)))
}

/// A page of `GET /domains/{domain}/records` (2xx): the records of `key` and the next cursor.
pub fn parse_records(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<(Vec<Record>, Option<String>), ProviderError> {
    let list: RecordList = r.json()?;
    let relative = match relative_name(&key.name, zone).as_str() {
        "@" => String::new(),
        other => other.to_string(),
    };
    let rtype = key.rtype.to_string();
    let records = list
        .records
        .into_iter()
        .filter(|x| x.rtype == rtype && x.name.eq_ignore_ascii_case(&relative))
        .map(|x| {
            let value = parse_compact(key.rtype, &x.data).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: Vultr holds a value dnsup cannot read: {e}"
                ))
            })?;
            Ok(Record {
                id: x.id,
                value,
                ttl: x.ttl,
            })
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    Ok((records, next(&list.meta)))
}

impl Vultr {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // 30 requests per second per IP: 50 ms apart is well inside it.
        let api = BearerApi::new(
            setup,
            &c.token,
            &c.http,
            DEFAULT_ENDPOINT,
            Duration::from_millis(50),
            error_detail,
        )?;
        Ok(Vultr { api })
    }
}

impl RecordApi for Vultr {
    const LABEL: &'static str = "vultr";
    const CAPABILITIES: Capabilities = CAPABILITIES;

    fn name(&self) -> &'static str {
        "Vultr"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        let listing = page::pages(page::MAX_PAGES, String::new(), |cursor, _| async move {
            let mut req = self
                .api
                .request(Method::GET, self.api.url(&["domains"])?)
                .query(&[("per_page", PER_PAGE)]);
            if !cursor.is_empty() {
                req = req.query(&[("cursor", &cursor)]);
            }
            parse_domains(&self.api.send(&req).await?)
        })
        .await?;
        Ok(listing.items)
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let domain = plain_name(zone);
        let domain = &domain;
        let listing = page::pages(page::MAX_PAGES, String::new(), |cursor, _| async move {
            let mut req = self
                .api
                .request(Method::GET, self.api.url(&["domains", domain, "records"])?)
                .query(&[("per_page", PER_PAGE)]);
            if !cursor.is_empty() {
                req = req.query(&[("cursor", &cursor)]);
            }
            parse_records(&self.api.send(&req).await?, zone, key)
        })
        .await?;
        Ok(listing.items)
    }

    async fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let name = match relative_name(&key.name, zone).as_str() {
            "@" => String::new(),
            other => other.to_string(),
        };
        let body = json!({
            "name": name,
            "type": key.rtype.to_string(),
            "data": compact(value),
            "ttl": ttl,
        });
        let url = self.api.url(&["domains", &plain_name(zone), "records"])?;
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
        let body = json!({ "data": compact(value), "ttl": ttl });
        let url = self
            .api
            .url(&["domains", &plain_name(zone), "records", &record.id])?;
        self.api
            .send(&self.api.request(Method::PATCH, url).json(&body))
            .await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let url = self
            .api
            .url(&["domains", &plain_name(zone), "records", &record.id])?;
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
            error_detail(br#"{"error":"Invalid API token.","status":401}"#),
            "Invalid API token."
        );
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"records":[{"id":"cb676a46-66fd-4dfb-b839-443f2e6c0b60","type":"A","name":"foo","data":"10.0.0.1","priority":0,"ttl":300}],"meta":{"total":1,"links":{"next":"bmV4dF9fMg==","prev":""}}}"#.to_vec(),
            what: "GET /v2/domains/example.com/records".into(),
        };
        let zone = Name::from_ascii("example.com.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("foo.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let (got, next) = parse_records(&r, &zone, &key).unwrap();
        assert_eq!(got[0].id, "cb676a46-66fd-4dfb-b839-443f2e6c0b60");
        assert_eq!(next.as_deref(), Some("bmV4dF9fMg=="));
    }
}
