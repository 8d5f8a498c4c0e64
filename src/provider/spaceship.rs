//! Spaceship (`X-API-Key` and `X-API-Secret` headers, API at `https://spaceship.dev/api`).
//! Records have no ids: a record is its type, name and value. Domains are listed with
//! `GET /v1/domains` and the records of one with `GET /v1/dns/records/{domain}` (both paged
//! with the required `take`/`skip`, the answers carrying `total`); records are saved (created,
//! or their TTL changed) with `PUT /v1/dns/records/{domain}` and a body
//! `{"force": true, "items": [{"type", "name", "address", "ttl"}]}`, and deleted with
//! `DELETE /v1/dns/records/{domain}` and a body listing them (`[{"type", "name", "address"}]`).
//! Names are relative to the domain, `@` for the apex. Read, compare, then one save and one
//! delete.
//!
//! A and AAAA only: other types carry their value in per-type fields (`cname`, `value`, ...)
//! whose escaping Spaceship does not document. TTLs below 60 s are raised to 60.
//!
//! Documentation: <https://docs.spaceship.dev/> (authentication, "Get domain list", "DNS
//! records": get, save and delete resource records; rate limits are stated per operation).

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::page;
use super::per_rrset::{Held, RrsetApi, found_values, holds_values};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://spaceship.dev/api";

/// Spaceship's smallest TTL.
pub const MIN_TTL: u32 = 60;

/// Items per page (`take` is at most 100 for domains).
const TAKE: u64 = 100;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA],
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

/// `type = "spaceship"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The API key (API Manager).
    pub api_key: SecretRef,
    /// The API secret shown with it.
    pub api_secret: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Spaceship.
#[derive(Debug)]
pub struct Spaceship {
    http: Http,
    settings: HttpSettings,
    key: Secret,
    secret: Secret,
}

#[derive(Debug, Deserialize)]
struct List<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
    #[serde(default)]
    total: u64,
}

#[derive(Debug, Deserialize)]
struct Domain {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Item {
    #[serde(rename = "type")]
    rtype: String,
    name: String,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    ttl: Option<u32>,
}

/// Spaceship's error body: `{"detail": "...", "data": [{"field": "...", "details": "..."}]}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Field {
        field: Option<String>,
        details: Option<String>,
    }
    #[derive(Deserialize)]
    struct E {
        detail: Option<String>,
        #[serde(default)]
        data: Vec<Field>,
    }
    let Ok(e) = serde_json::from_slice::<E>(body) else {
        return String::new();
    };
    let mut parts: Vec<String> = e.detail.into_iter().collect();
    parts.extend(e.data.iter().filter_map(|f| match (&f.field, &f.details) {
        (Some(field), Some(d)) => Some(format!("{field}: {d}")),
        (None, Some(d)) => Some(d.clone()),
        _ => None,
    }));
    short(&parts.join("; "))
}

/// A page of `GET /v1/domains` (2xx): the domains and the total.
pub fn parse_domains(r: &Response) -> Result<(Vec<Name>, u64), ProviderError> {
    let list: List<Domain> = r.json()?;
    let names = list
        .items
        .iter()
        .filter_map(|d| Name::from_ascii(format!("{}.", d.name)).ok())
        .collect();
    Ok((names, list.total))
}

fn host(key: &RrsetKey, zone: &Name) -> String {
    relative_name(&key.name, zone)
}

/// What one page of records says about an RRset.
#[derive(Debug)]
pub struct RecordsPage {
    /// The RRset's values on the page, each with its TTL.
    pub held: Vec<(RData, u32)>,
    /// How many records (of any name and type) the page held.
    pub on_page: u64,
    /// How many records the domain holds.
    pub total: u64,
}

/// A page of `GET /v1/dns/records/{domain}` (2xx).
pub fn parse_records(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<RecordsPage, ProviderError> {
    let list: List<Item> = r.json()?;
    let on_page = list.items.len() as u64;
    let name = host(key, zone);
    let rtype = key.rtype.to_string();
    let items = list
        .items
        .into_iter()
        .filter(|x| x.rtype.eq_ignore_ascii_case(&rtype) && x.name.eq_ignore_ascii_case(&name))
        .map(|x| {
            let text = x.address.unwrap_or_default();
            let value = parse_compact(key.rtype, &text).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: Spaceship holds a value dnsup cannot read: {e}"
                ))
            })?;
            Ok((value, x.ttl.unwrap_or(0)))
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    Ok(RecordsPage {
        held: items,
        on_page,
        total: list.total,
    })
}

impl Spaceship {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // Spaceship states its limits per operation and window (listing domains: 300
        // requests per user in 300 s); a pass needs a handful, 300 ms apart stays inside.
        let ([key, secret], http) = Http::configured(
            setup,
            [(&c.api_key, "api_key"), (&c.api_secret, "api_secret")],
            &c.http,
            Duration::from_millis(300),
        )?;
        Ok(Spaceship {
            http,
            settings: c.http.clone(),
            key,
            secret,
        })
    }

    fn request(&self, method: Method, segments: &[&str]) -> Result<Request, ProviderError> {
        let mut all = vec!["v1"];
        all.extend_from_slice(segments);
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, &all)?;
        Ok(Request::new(method, url)
            .header("x-api-key", self.key.expose())
            .header("x-api-secret", self.secret.expose()))
    }

    async fn send(&self, r: &Request) -> Result<Response, ProviderError> {
        self.http.send_ok(r, error_detail).await
    }

    async fn records(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Vec<(RData, u32)>, ProviderError> {
        let domain = plain_name(zone);
        let domain = &domain;
        let listing = page::pages(page::MAX_PAGES, 0u64, |skip, _| async move {
            let (take, from) = (TAKE.to_string(), skip.to_string());
            let r = self
                .request(Method::GET, &["dns", "records", domain])?
                .query(&[("take", &take), ("skip", &from)]);
            let page = parse_records(&self.send(&r).await?, zone, key)?;
            let next = skip + page.on_page;
            Ok((
                page.held,
                (page.on_page > 0 && next < page.total).then_some(next),
            ))
        })
        .await?;
        Ok(listing.items)
    }

    /// Delete `values` of `key` (nothing to send when empty).
    async fn remove(
        &self,
        zone: &Name,
        key: &RrsetKey,
        values: &[RData],
    ) -> Result<(), ProviderError> {
        if values.is_empty() {
            return Ok(());
        }
        let body = serde_json::Value::Array(self.items(zone, key, values, None));
        let domain = plain_name(zone);
        self.send(
            &self
                .request(Method::DELETE, &["dns", "records", &domain])?
                .json(&body),
        )
        .await?;
        Ok(())
    }

    fn items(
        &self,
        zone: &Name,
        key: &RrsetKey,
        values: &[RData],
        ttl: Option<u32>,
    ) -> Vec<serde_json::Value> {
        let name = host(key, zone);
        values
            .iter()
            .map(|v| {
                let mut item = json!({
                    "type": key.rtype.to_string(),
                    "name": name,
                    "address": compact(v),
                });
                if let Some(t) = ttl {
                    item["ttl"] = json!(t);
                }
                item
            })
            .collect()
    }
}

impl RrsetApi for Spaceship {
    const LABEL: &'static str = "spaceship";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = Vec<u32>;

    fn name(&self) -> &'static str {
        "Spaceship"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        page::counted(|_page, seen| async move {
            let (take, skip) = (TAKE.to_string(), seen.to_string());
            let r = self
                .request(Method::GET, &["domains"])?
                .query(&[("take", &take), ("skip", &skip)]);
            parse_domains(&self.send(&r).await?)
        })
        .await
    }

    async fn fetch(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Option<Held<Vec<u32>>>, ProviderError> {
        Ok(found_values(self.records(zone, key).await?))
    }

    fn holds(held: &Held<Vec<u32>>, new: &[RData], ttl: u32) -> bool {
        holds_values(held, new, ttl)
    }

    /// `PUT` with `force` sets the new values (and their TTL); values no longer wanted are
    /// then deleted.
    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: Option<&Held<Vec<u32>>>,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let body = json!({ "force": true, "items": self.items(zone, key, new, Some(ttl)) });
        let domain = plain_name(zone);
        self.send(
            &self
                .request(Method::PUT, &["dns", "records", &domain])?
                .json(&body),
        )
        .await?;
        let stale: Vec<RData> = held
            .map(|h| h.rrset.values.as_slice())
            .unwrap_or_default()
            .iter()
            .filter(|v| !new.iter().any(|w| compact(w) == compact(v)))
            .cloned()
            .collect();
        self.remove(zone, key, &stale).await
    }

    async fn delete(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: &Held<Vec<u32>>,
    ) -> Result<(), ProviderError> {
        self.remove(zone, key, &held.rrset.values).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_parse() {
        assert_eq!(
            error_detail(
                br#"{"detail":"Validation failed","data":[{"field":"items[0].ttl","details":"must be between 60 and 3600"}]}"#
            ),
            "Validation failed; items[0].ttl: must be between 60 and 3600"
        );
        assert_eq!(error_detail(b"<html>"), "");
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"items":[{"type":"A","name":"www","address":"192.0.2.1","ttl":3600,"group":{"type":"custom"}},{"type":"A","name":"@","address":"192.0.2.9","ttl":60,"group":{"type":"custom"}},{"type":"CNAME","name":"x","cname":"www.example.com","ttl":300}],"total":3}"#.to_vec(),
            what: "GET /api/v1/dns/records/example.com".into(),
        };
        let zone = Name::from_ascii("example.com.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let page = parse_records(&r, &zone, &key).unwrap();
        assert_eq!(
            (page.held.len(), page.held[0].1, page.on_page, page.total),
            (1, 3600, 3, 3)
        );
        let apex = RrsetKey {
            name: zone.clone(),
            rtype: RecordType::A,
        };
        assert_eq!(parse_records(&r, &zone, &apex).unwrap().held[0].1, 60);
    }
}
