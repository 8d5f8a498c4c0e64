//! IONOS DNS API (`X-API-Key: PREFIX.SECRET`). One record per value, each with an id: zones
//! are listed with `GET /v1/zones` (name and id), an RRset is the records that
//! `GET /v1/zones/{zoneId}?recordName={fqdn}&recordType={type}` returns (disabled records are
//! not served and are left alone), records are created with `POST /v1/zones/{zoneId}/records`
//! (a JSON array), changed in place with `PUT /v1/zones/{zoneId}/records/{recordId}` and
//! deleted with `DELETE`. The shared read-compare-write lives in [`super::per_record`].
//!
//! A, AAAA and CNAME only: IONOS documents no escaping for TXT content, so dnsup's exact TXT
//! round trip cannot be promised. TTLs below 60 s are raised to 60.
//!
//! Documentation: <https://developer.hosting.ionos.com/docs/dns> (API reference:
//! <https://developer.hosting.ionos.com/docs/dns#/Zones>), getting an API key:
//! <https://developer.hosting.ionos.com/docs/getstarted>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::page::ZoneCache;
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.hosting.ionos.com/dns";

/// IONOS' smallest TTL.
pub const MIN_TTL: u32 = 60;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

/// `type = "ionos"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The API key as IONOS shows it: `PUBLICPREFIX.SECRET`.
    pub api_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// IONOS.
#[derive(Debug)]
pub struct Ionos {
    http: Http,
    settings: HttpSettings,
    key: Secret,
    zones: ZoneCache<(Name, String)>,
}

#[derive(Debug, Deserialize)]
struct Zone {
    name: String,
    id: String,
}

#[derive(Debug, Deserialize)]
struct ZoneRecords {
    #[serde(default)]
    records: Vec<IonosRecord>,
}

#[derive(Debug, Deserialize)]
struct IonosRecord {
    id: String,
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    content: String,
    ttl: u32,
    #[serde(default)]
    disabled: bool,
}

/// IONOS' error body: `[{"code": "...", "message": "..."}]` gives `message (code)`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        code: Option<String>,
        message: Option<String>,
    }
    match serde_json::from_slice::<Vec<E>>(body) {
        Ok(list) => list
            .iter()
            .filter_map(|e| match (&e.message, &e.code) {
                (Some(m), Some(c)) => Some(format!("{} ({c})", short(m))),
                (Some(m), None) => Some(short(m)),
                (None, Some(c)) => Some(c.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("; "),
        Err(_) => String::new(),
    }
}

/// `GET /v1/zones` (2xx): the zones and their ids.
pub fn parse_zones(r: &Response) -> Result<Vec<(Name, String)>, ProviderError> {
    let zones: Vec<Zone> = r.json()?;
    Ok(zones
        .into_iter()
        .filter_map(|z| Some((Name::from_ascii(format!("{}.", z.name)).ok()?, z.id)))
        .collect())
}

/// `GET /v1/zones/{id}?recordName=..&recordType=..` (2xx): the enabled records of `key`.
pub fn parse_records(r: &Response, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
    let zone: ZoneRecords = r.json()?;
    let fqdn = plain_name(&key.name);
    let rtype = key.rtype.to_string();
    zone.records
        .into_iter()
        .filter(|x| !x.disabled && x.name.eq_ignore_ascii_case(&fqdn) && x.rtype == rtype)
        .map(|x| {
            let value = parse_compact(key.rtype, &x.content).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: IONOS holds a value dnsup cannot read: {e}"
                ))
            })?;
            Ok(Record {
                id: x.id,
                value,
                ttl: x.ttl,
            })
        })
        .collect()
}

impl Ionos {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // 1,200 requests per hour per key: one every 3 s stays below it on long runs; a
        // pass needs a handful.
        let ([key], http) = Http::configured(
            setup,
            [(&c.api_key, "api_key")],
            &c.http,
            Duration::from_millis(300),
        )?;
        if !key.expose().contains('.') {
            return Err("api_key: IONOS keys are PUBLICPREFIX.SECRET".into());
        }
        Ok(Ionos {
            http,
            settings: c.http.clone(),
            key,
            zones: ZoneCache::default(),
        })
    }

    fn request(&self, method: Method, segments: &[&str]) -> Result<Request, ProviderError> {
        let mut all = vec!["v1"];
        all.extend_from_slice(segments);
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, &all)?;
        Ok(Request::new(method, url)
            .header("x-api-key", self.key.expose())
            .header("accept", "application/json"))
    }

    async fn send(&self, r: &Request) -> Result<Response, ProviderError> {
        self.http.send_ok(r, error_detail).await
    }

    async fn zone_list(&self) -> Result<Vec<(Name, String)>, ProviderError> {
        self.zones
            .get_or_list(async {
                parse_zones(&self.send(&self.request(Method::GET, &["zones"])?).await?)
            })
            .await
    }

    async fn zone_id(&self, zone: &Name) -> Result<String, ProviderError> {
        self.zone_list()
            .await?
            .into_iter()
            .find(|(n, _)| n == zone)
            .map(|(_, id)| id)
            .ok_or_else(|| ProviderError::Refused(format!("IONOS: no zone {zone} in this account")))
    }
}

impl RecordApi for Ionos {
    const LABEL: &'static str = "ionos";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = MIN_TTL;

    fn name(&self) -> &'static str {
        "IONOS"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Ok(self
            .zone_list()
            .await?
            .into_iter()
            .map(|(n, _)| n)
            .collect())
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let id = self.zone_id(zone).await?;
        let fqdn = plain_name(&key.name);
        let rtype = key.rtype.to_string();
        let r = self
            .request(Method::GET, &["zones", &id])?
            .query(&[("recordName", &fqdn), ("recordType", &rtype)]);
        parse_records(&self.send(&r).await?, key)
    }

    async fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let id = self.zone_id(zone).await?;
        let body = json!([{
            "name": plain_name(&key.name),
            "type": key.rtype.to_string(),
            "content": compact(value),
            "ttl": ttl,
            "prio": 0,
            "disabled": false,
        }]);
        self.send(
            &self
                .request(Method::POST, &["zones", &id, "records"])?
                .json(&body),
        )
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
        let id = self.zone_id(zone).await?;
        let body = json!({ "content": compact(value), "ttl": ttl, "prio": 0, "disabled": false });
        self.send(
            &self
                .request(Method::PUT, &["zones", &id, "records", &record.id])?
                .json(&body),
        )
        .await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let id = self.zone_id(zone).await?;
        self.send(&self.request(Method::DELETE, &["zones", &id, "records", &record.id])?)
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
            error_detail(br#"[{"code":"UNAUTHORIZED","message":"The customer is not authorized to do this operation."}]"#),
            "The customer is not authorized to do this operation. (UNAUTHORIZED)"
        );
        assert_eq!(error_detail(b"<html>"), "");
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"name":"example.com","id":"z1","type":"NATIVE","records":[
                {"name":"www.example.com","rootName":"example.com","type":"A","content":"192.0.2.1","changeDate":"2019-12-09T13:04:25.772Z","ttl":3600,"prio":0,"disabled":false,"id":"r1"},
                {"name":"www.example.com","rootName":"example.com","type":"A","content":"192.0.2.2","ttl":3600,"disabled":true,"id":"r2"}]}"#
                .to_vec(),
            what: "GET /v1/zones/z1".into(),
        };
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let got = parse_records(&r, &key).unwrap();
        assert_eq!(got.len(), 1, "disabled records are not served");
        assert_eq!(got[0].id, "r1");
    }
}
