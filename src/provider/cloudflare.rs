//! Cloudflare's API v4 with an API token (`Authorization: Bearer`; the legacy global API key
//! with `X-Auth-Email`/`X-Auth-Key` is not supported). Cloudflare stores one record per value:
//! an RRset is the records of one name and type, found with `GET
//! /zones/{zone_id}/dns_records?name=...&type=...` (paginated). Existing records are changed in
//! place by id (`PATCH` with only `content` and `ttl`), so each record's `proxied` flag,
//! `comment` and `tags` survive; records are created (`POST`) or deleted (`DELETE`) only when the
//! number of values changes. A proxied record's TTL is Cloudflare's ("1" = automatic, 300 s):
//! dnsup never sends a TTL for it and reads it as 300.
//!
//! Documentation (API v4):
//! - <https://developers.cloudflare.com/api/resources/zones/methods/list/>
//! - <https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/list/>
//! - <https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/create/>
//! - <https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/edit/>
//! - <https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/delete/>
//! - <https://developers.cloudflare.com/fundamentals/api/get-started/create-token/>
//! - TXT `content`: "quoted character strings (RFC 1035), each up to 255 bytes".

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{BearerApi, HttpSettings, Response};
use super::page;
use super::plan::{Held, Step, plan};
use super::text::{parse_quoted_or_text, presentation};
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, SecretRef, check_expected,
    longest_zone, plain_name,
};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.cloudflare.com/client/v4";

/// What Cloudflare's automatic TTL (`ttl: 1`) means in seconds.
pub const AUTO_TTL: u32 = 300;

/// Records per page when listing (the documented default for records; zones allow 50).
const RECORDS_PER_PAGE: u32 = 100;
const ZONES_PER_PAGE: u32 = 50;

/// `type = "cloudflare"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// An API token with `Zone:DNS:Edit` (and `Zone:Zone:Read` to find zones by name).
    pub token: SecretRef,
    /// The zone's id (skips the zone lookup; the token then needs only DNS edit rights).
    pub zone_id: Option<String>,
    /// Whether records dnsup creates are proxied (existing records keep their own flag).
    #[serde(default)]
    pub proxied: bool,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Cloudflare.
#[derive(Debug)]
pub struct Cloudflare {
    api: BearerApi,
    zone_id: Option<String>,
    proxied: bool,
    /// Zone name (no final dot, lower case) to id.
    zones: Mutex<HashMap<String, String>>,
}

/// One record as the API shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct CfRecord {
    /// Record id.
    pub id: String,
    /// Content (TXT: quoted character strings).
    pub content: String,
    /// TTL (1 = automatic).
    #[serde(default)]
    pub ttl: u32,
    /// Proxied through Cloudflare.
    #[serde(default)]
    pub proxied: bool,
    /// The record's comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// The record's tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct Page<T> {
    #[serde(default)]
    success: bool,
    result: Option<T>,
    result_info: Option<ResultInfo>,
}

#[derive(Debug, Deserialize)]
struct ResultInfo {
    #[serde(default)]
    page: u32,
    #[serde(default)]
    total_pages: u32,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Zone {
    id: String,
    name: String,
}

/// The text of Cloudflare's error body: `errors[0].message (code N)`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        code: Option<i64>,
        message: Option<String>,
    }
    #[derive(Deserialize)]
    struct B {
        #[serde(default)]
        errors: Vec<E>,
    }
    match serde_json::from_slice::<B>(body) {
        Ok(b) => match b.errors.first() {
            Some(E {
                code: Some(c),
                message: Some(m),
            }) => format!("{m} (code {c})"),
            Some(E {
                message: Some(m), ..
            }) => m.clone(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

impl Cloudflare {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // Cloudflare allows 1,200 requests per 5 minutes per user: 250 ms keeps well below.
        let api = BearerApi::new(
            setup,
            &c.token,
            &c.http,
            DEFAULT_ENDPOINT,
            Duration::from_millis(250),
            error_detail,
        )?;
        if let Some(id) = &c.zone_id
            && (id.is_empty() || !id.chars().all(|ch| ch.is_ascii_alphanumeric()))
        {
            return Err(format!("zone_id '{id}' is not a Cloudflare id"));
        }
        Ok(Cloudflare {
            api,
            zone_id: c.zone_id.clone(),
            proxied: c.proxied,
            zones: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn parse_page<T: serde::de::DeserializeOwned>(
        response: &Response,
    ) -> Result<(T, u32, u32), ProviderError> {
        let page: Page<T> = response.json()?;
        if !page.success {
            return Err(ProviderError::Protocol(format!(
                "{}: success is false: {}",
                response.what,
                error_detail(&response.body)
            )));
        }
        let result = page
            .result
            .ok_or_else(|| ProviderError::Protocol(format!("{}: no result", response.what)))?;
        let (p, total) = page
            .result_info
            .map(|i| (i.page, i.total_pages))
            .unwrap_or((1, 1));
        Ok((result, p, total))
    }

    /// Every zone of the account (all pages), cached by name.
    async fn list_zones(&self) -> Result<Vec<Name>, ProviderError> {
        let names = page::numbered(|page| async move {
            let (p, pp) = (page.to_string(), ZONES_PER_PAGE.to_string());
            let req = self
                .api
                .request(Method::GET, self.api.url(&["zones"])?)
                .query(&[("page", &p), ("per_page", &pp)]);
            let response = self.api.send(&req).await?;
            let (zones, _, total) = Self::parse_page::<Vec<Zone>>(&response)?;
            let mut names = Vec::new();
            let mut cache = self.zones.lock().unwrap_or_else(|e| e.into_inner());
            for (name, id, n) in zone_names(zones) {
                cache.insert(name, id);
                names.push(n);
            }
            Ok((names, page < total))
        })
        .await?;
        Ok(names)
    }

    /// The zone's id: configured, cached, or looked up by name.
    async fn zone_id(&self, zone: &Name) -> Result<String, ProviderError> {
        if let Some(id) = &self.zone_id {
            return Ok(id.clone());
        }
        let name = plain_name(zone).to_ascii_lowercase();
        if let Some(id) = self
            .zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&name)
        {
            return Ok(id.clone());
        }
        let req = self
            .api
            .request(Method::GET, self.api.url(&["zones"])?)
            .query(&[("name", &name)]);
        let response = self.api.send(&req).await?;
        let (zones, _, _) = Self::parse_page::<Vec<Zone>>(&response)?;
        let id = zones
            .into_iter()
            .find(|z| z.name.eq_ignore_ascii_case(&name))
            .map(|z| z.id)
            .ok_or_else(|| {
                ProviderError::Refused(format!(
                    "zone {name} is not in this Cloudflare account (or the token cannot read it)"
                ))
            })?;
        self.zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name, id.clone());
        Ok(id)
    }

    /// The records of one name and type (all pages).
    async fn records(&self, zone_id: &str, key: &RrsetKey) -> Result<Vec<CfRecord>, ProviderError> {
        let name = plain_name(&key.name).to_ascii_lowercase();
        let rtype = key.rtype.to_string();
        let (name, rtype) = (&name, &rtype);
        page::numbered(|page| async move {
            let (p, pp) = (page.to_string(), RECORDS_PER_PAGE.to_string());
            let req = self
                .api
                .request(
                    Method::GET,
                    self.api.url(&["zones", zone_id, "dns_records"])?,
                )
                .query(&[
                    ("name", name),
                    ("type", rtype),
                    ("page", &p),
                    ("per_page", &pp),
                ]);
            let response = self.api.send(&req).await?;
            let (records, _, total) = Self::parse_page::<Vec<CfRecord>>(&response)?;
            Ok((records, page < total))
        })
        .await
    }

    pub(crate) fn to_rrset(
        key: &RrsetKey,
        zone: &Name,
        records: &[CfRecord],
    ) -> Result<Rrset, ProviderError> {
        let mut set = Rrset::default();
        for r in records {
            let ttl = if r.ttl <= 1 { AUTO_TTL } else { r.ttl };
            set.ttl.get_or_insert(ttl);
            set.values
                .push(parse_quoted_or_text(key.rtype, &r.content, zone)?);
        }
        Ok(set)
    }
}

/// The zones of a listing page whose names are names: (name as listed in lower case, id, name).
pub(crate) fn zone_names(zones: Vec<Zone>) -> Vec<(String, String, Name)> {
    zones
        .into_iter()
        .filter_map(|z| {
            let n = Name::from_ascii(format!("{}.", z.name)).ok()?;
            Some((z.name.to_ascii_lowercase(), z.id, n))
        })
        .collect()
}

/// The name of a zone looked up by id.
pub(crate) fn zone_name(zone: &Zone) -> Result<Name, ProviderError> {
    Name::from_ascii(format!("{}.", zone.name))
        .map_err(|e| ProviderError::Protocol(format!("zone name '{}': {e}", zone.name)))
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities::READ_WRITE;

impl Provider for Cloudflare {
    fn label(&self) -> String {
        "cloudflare".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        if let Some(id) = &self.zone_id {
            let response = self
                .api
                .send(&self.api.request(Method::GET, self.api.url(&["zones", id])?))
                .await?;
            let (zone, _, _) = Self::parse_page::<Zone>(&response)?;
            let z = zone_name(&zone)?;
            if !z.zone_of(name) {
                return Err(ProviderError::Refused(format!(
                    "{name} is not in the configured zone {z} (zone_id {id})"
                )));
            }
            return Ok(z);
        }
        let zones = self.list_zones().await?;
        longest_zone(name, &zones).ok_or_else(|| {
            ProviderError::Refused(format!(
                "no zone of this Cloudflare account holds {name} ({} zones listed)",
                zones.len()
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let zone_id = self.zone_id(zone).await?;
        let records = self.records(&zone_id, key).await?;
        Self::to_rrset(key, zone, &records)
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let zone_id = self.zone_id(zone).await?;
        let records = self.records(&zone_id, key).await?;
        let actual = Self::to_rrset(key, zone, &records)?;
        if let Some(conflict) = check_expected(key, &actual, expected) {
            return Ok(conflict);
        }
        // Cloudflare's minimum TTL is 60 s (30 s on Enterprise zones; the API says which).
        let ttl = ttl.max(30);
        // A proxied record's TTL is Cloudflare's: never changed (an automatic TTL on a
        // DNS-only record gets the TTL asked for).
        let held: Vec<Held<RData>> = records
            .iter()
            .zip(&actual.values)
            .map(|(r, v)| Held {
                value: v.clone(),
                ttl_ok: r.proxied || r.ttl == ttl,
            })
            .collect();
        // New records inherit the set's proxied flag, comment and tags, if it has records.
        let template = records.first();
        let proxied = template.map_or(self.proxied, |r| r.proxied);
        let name = plain_name(&key.name).to_ascii_lowercase();
        for step in plan(&held, new) {
            match step {
                Step::Retime(i) | Step::Reuse { index: i, .. } => {
                    let mut body = serde_json::Map::new();
                    if let Step::Reuse { value, .. } = &step {
                        body.insert("content".into(), Value::String(presentation(value)));
                    }
                    if matches!(step, Step::Retime(_) | Step::Reuse { ttl: true, .. }) {
                        body.insert("ttl".into(), json!(ttl));
                    }
                    let id = &records[i].id;
                    let req = self
                        .api
                        .request(
                            Method::PATCH,
                            self.api.url(&["zones", &zone_id, "dns_records", id])?,
                        )
                        .json(&Value::Object(body));
                    self.api.send(&req).await?;
                }
                Step::Create(v) => {
                    let proxiable = matches!(
                        key.rtype,
                        RecordType::A | RecordType::AAAA | RecordType::CNAME
                    );
                    let proxied = proxied && proxiable;
                    let mut body = json!({
                        "type": key.rtype.to_string(),
                        "name": name,
                        "content": presentation(&v),
                        "ttl": if proxied { 1 } else { ttl },
                    });
                    if proxiable {
                        body["proxied"] = json!(proxied);
                    }
                    if let Some(c) = template.and_then(|r| r.comment.as_ref()) {
                        body["comment"] = json!(c);
                    }
                    if let Some(t) = template.and_then(|r| r.tags.as_ref())
                        && !t.is_empty()
                    {
                        body["tags"] = json!(t);
                    }
                    let req = self
                        .api
                        .request(
                            Method::POST,
                            self.api.url(&["zones", &zone_id, "dns_records"])?,
                        )
                        .json(&body);
                    self.api.send(&req).await?;
                }
                Step::Delete(i) => {
                    let req = self.api.request(
                        Method::DELETE,
                        self.api
                            .url(&["zones", &zone_id, "dns_records", &records[i].id])?,
                    );
                    self.api.send(&req).await?;
                }
            }
        }
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_give_the_message() {
        let body = br#"{"success":false,"errors":[{"code":9109,"message":"Invalid access token"}],"messages":[],"result":null}"#;
        assert_eq!(error_detail(body), "Invalid access token (code 9109)");
        assert_eq!(error_detail(b"<html>"), "");
    }
}
