//! Vercel DNS (`Authorization: Bearer`, API at `https://api.vercel.com`, a team's domains with
//! `teamId`). One record per value, each with an id: domains are listed with `GET /v5/domains`,
//! an RRset is the records of one name and type among `GET /v4/domains/{domain}/records` (both
//! paged by creation time: `limit`, then `until` set to the answer's `pagination.next`),
//! records are created with `POST /v2/domains/{domain}/records`, changed in place with
//! `PATCH /v1/domains/records/{recordId}` and deleted with
//! `DELETE /v2/domains/{domain}/records/{recordId}`. Names are relative to the domain, empty
//! for the apex. TTLs below 60 s are raised to 60. The shared read-compare-write lives in
//! [`super::per_record`].
//!
//! A, AAAA and CNAME only: Vercel documents no escaping for TXT values.
//!
//! Documentation: <https://vercel.com/docs/rest-api/endpoints/dns> (list, create, update,
//! delete records), <https://vercel.com/docs/rest-api/endpoints/domains> (list domains),
//! <https://vercel.com/docs/rest-api#rate-limits> and
//! <https://vercel.com/docs/rest-api#pagination>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{BearerApi, HttpSettings, Request, Response, short};
use super::page;
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, SecretRef, plain_name, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.vercel.com";

/// Vercel's smallest TTL.
pub const MIN_TTL: u32 = 60;

const LIMIT: &str = "100";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

/// `type = "vercel"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// An access token (Account Settings > Tokens).
    pub token: SecretRef,
    /// The team whose domains these are (`teamId`); none: the token's personal account.
    pub team_id: Option<String>,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Vercel.
#[derive(Debug)]
pub struct Vercel {
    api: BearerApi,
    team_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Pagination {
    #[serde(default)]
    next: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct DomainList {
    #[serde(default)]
    domains: Vec<Domain>,
    #[serde(default)]
    pagination: Pagination,
}

#[derive(Debug, Deserialize)]
struct Domain {
    name: String,
}

#[derive(Debug, Deserialize)]
struct RecordList {
    #[serde(default)]
    records: Vec<VercelRecord>,
    #[serde(default)]
    pagination: Pagination,
}

#[derive(Debug, Deserialize)]
struct VercelRecord {
    id: String,
    #[serde(rename = "type")]
    rtype: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    ttl: u32,
}

/// Vercel's error body: `{"error": {"code": "...", "message": "..."}}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Inner {
        code: Option<String>,
        message: Option<String>,
    }
    #[derive(Deserialize)]
    struct E {
        error: Option<Inner>,
    }
    match serde_json::from_slice::<E>(body).ok().and_then(|e| e.error) {
        Some(Inner {
            code: Some(c),
            message: Some(m),
        }) => short(&format!("{m} ({c})")),
        Some(Inner {
            message: Some(m), ..
        }) => short(&m),
        Some(Inner { code: Some(c), .. }) => c,
        _ => String::new(),
    }
}

/// The next page's `until`: `pagination.next`, a timestamp (null on the last page).
fn next(p: &Pagination) -> Option<String> {
    match &p.next {
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A page of `GET /v5/domains` (2xx): the domains and the next page's `until`.
pub fn parse_domains(r: &Response) -> Result<(Vec<Name>, Option<String>), ProviderError> {
    let list: DomainList = r.json()?;
    let names = list
        .domains
        .iter()
        .filter_map(|d| Name::from_ascii(format!("{}.", d.name)).ok())
        .collect();
    Ok((names, next(&list.pagination)))
}

fn host(key: &RrsetKey, zone: &Name) -> String {
    match relative_name(&key.name, zone).as_str() {
        "@" => String::new(),
        other => other.to_string(),
    }
}

/// A page of `GET /v4/domains/{domain}/records` (2xx): the records of `key` and the next
/// page's `until`.
pub fn parse_records(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<(Vec<Record>, Option<String>), ProviderError> {
    let list: RecordList = r.json()?;
    let (name, rtype) = (host(key, zone), key.rtype.to_string());
    let records = list
        .records
        .into_iter()
        .filter(|x| x.rtype == rtype && x.name.eq_ignore_ascii_case(&name))
        .map(|x| {
            let value = parse_compact(key.rtype, &x.value).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: Vercel holds a value dnsup cannot read: {e}"
                ))
            })?;
            Ok(Record {
                id: x.id,
                value,
                ttl: x.ttl,
            })
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    Ok((records, next(&list.pagination)))
}

impl Vercel {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.team_id.as_deref().is_some_and(str::is_empty) {
            return Err("team_id: empty (leave it out for a personal account)".into());
        }
        // Vercel limits requests per account and window and answers 429 with the reset time;
        // a pass needs a handful, 200 ms apart is gentle.
        let api = BearerApi::new(
            setup,
            &c.token,
            &c.http,
            DEFAULT_ENDPOINT,
            Duration::from_millis(200),
            error_detail,
        )?;
        Ok(Vercel {
            api,
            team_id: c.team_id.clone(),
        })
    }

    fn request(&self, method: Method, segments: &[&str]) -> Result<Request, ProviderError> {
        let r = self.api.request(method, self.api.url(segments)?);
        Ok(match &self.team_id {
            Some(t) => r.query(&[("teamId", t)]),
            None => r,
        })
    }
}

impl RecordApi for Vercel {
    const LABEL: &'static str = "vercel";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = MIN_TTL;

    fn name(&self) -> &'static str {
        "Vercel"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        let listing = page::pages(page::MAX_PAGES, String::new(), |until, _| async move {
            let mut r = self
                .request(Method::GET, &["v5", "domains"])?
                .query(&[("limit", LIMIT)]);
            if !until.is_empty() {
                r = r.query(&[("until", &until)]);
            }
            parse_domains(&self.api.send(&r).await?)
        })
        .await?;
        Ok(listing.items)
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let domain = plain_name(zone);
        let domain = &domain;
        let listing = page::pages(page::MAX_PAGES, String::new(), |until, _| async move {
            let mut r = self
                .request(Method::GET, &["v4", "domains", domain, "records"])?
                .query(&[("limit", LIMIT)]);
            if !until.is_empty() {
                r = r.query(&[("until", &until)]);
            }
            parse_records(&self.api.send(&r).await?, zone, key)
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
        let body = json!({
            "name": host(key, zone),
            "type": key.rtype.to_string(),
            "value": compact(value),
            "ttl": ttl,
        });
        let r = self
            .request(
                Method::POST,
                &["v2", "domains", &plain_name(zone), "records"],
            )?
            .json(&body);
        self.api.send(&r).await?;
        Ok(())
    }

    async fn update(
        &self,
        _zone: &Name,
        _key: &RrsetKey,
        record: &Record,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let body = json!({ "value": compact(value), "ttl": ttl });
        let r = self
            .request(Method::PATCH, &["v1", "domains", "records", &record.id])?
            .json(&body);
        self.api.send(&r).await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let r = self.request(
            Method::DELETE,
            &["v2", "domains", &plain_name(zone), "records", &record.id],
        )?;
        self.api.send(&r).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_parse() {
        assert_eq!(
            error_detail(br#"{"error":{"code":"forbidden","message":"Not authorized"}}"#),
            "Not authorized (forbidden)"
        );
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"records":[{"id":"rec_1","slug":"example.com","name":"","type":"A","value":"192.0.2.1","creator":"u","created":1609499532000,"updated":1609499532000,"createdAt":1609499532000,"updatedAt":1609499532000,"ttl":60}],"pagination":{"count":1,"next":1609499531000,"prev":null}}"#.to_vec(),
            what: "GET /v4/domains/example.com/records".into(),
        };
        let zone = Name::from_ascii("example.com.").unwrap();
        let apex = RrsetKey {
            name: zone.clone(),
            rtype: RecordType::A,
        };
        let (got, next) = parse_records(&r, &zone, &apex).unwrap();
        assert_eq!((got[0].id.as_str(), got[0].ttl), ("rec_1", 60));
        assert_eq!(next.as_deref(), Some("1609499531000"));
    }
}
