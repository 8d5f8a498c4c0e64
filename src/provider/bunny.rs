//! Bunny DNS (`AccessKey: KEY` header, API at `https://api.bunny.net`). One record per value,
//! each with an id, inside a zone with an id: zones are listed with `GET /dnszone` (paged with
//! `page`/`perPage`, `HasMoreItems`), a zone's records come with `GET /dnszone/{id}`, records
//! are added with `PUT /dnszone/{id}/records`, changed in place with
//! `POST /dnszone/{id}/records/{recordId}` and deleted with `DELETE`. Record types are numbers
//! (A 0, AAAA 1, CNAME 2, TXT 3, ...); names are relative to the zone, the apex is empty.
//! The shared read-compare-write lives in [`super::per_record`].
//!
//! A, AAAA and CNAME only: Bunny documents no escaping for TXT values, so dnsup's exact TXT
//! round trip cannot be promised.
//!
//! Documentation: <https://docs.bunny.net/reference/dnszonepublic_index>,
//! <https://docs.bunny.net/reference/dnszonepublic_index2> (get zone),
//! <https://docs.bunny.net/reference/dnszonepublic_addrecord>,
//! <https://docs.bunny.net/reference/dnszonepublic_updaterecord>,
//! <https://docs.bunny.net/reference/dnszonepublic_deleterecord>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::page::{self, ZoneCache};
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.bunny.net";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// Bunny's number for a record type.
pub fn type_number(t: RecordType) -> Option<u8> {
    match t {
        RecordType::A => Some(0),
        RecordType::AAAA => Some(1),
        RecordType::CNAME => Some(2),
        RecordType::TXT => Some(3),
        _ => None,
    }
}

/// `type = "bunny"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The account's API key (Account settings > API).
    pub api_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Bunny DNS.
#[derive(Debug)]
pub struct Bunny {
    http: Http,
    settings: HttpSettings,
    key: Secret,
    zones: ZoneCache<(Name, u64)>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ZoneList {
    #[serde(default)]
    items: Vec<Zone>,
    #[serde(default)]
    has_more_items: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Zone {
    id: u64,
    domain: String,
    #[serde(default)]
    records: Vec<BunnyRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BunnyRecord {
    id: u64,
    #[serde(rename = "Type")]
    rtype: u8,
    ttl: u32,
    value: String,
    #[serde(default)]
    name: String,
}

/// Bunny's error body: `{"ErrorKey": "...", "Field": "...", "Message": "..."}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct E {
        message: Option<String>,
        error_key: Option<String>,
    }
    match serde_json::from_slice::<E>(body) {
        Ok(E {
            message: Some(m),
            error_key: Some(k),
        }) => format!("{} ({k})", short(&m)),
        Ok(E {
            message: Some(m), ..
        }) => short(&m),
        _ => String::new(),
    }
}

/// A page of `GET /dnszone` (2xx): the zones with their ids, and whether more follow.
pub fn parse_zones(r: &Response) -> Result<(Vec<(Name, u64)>, bool), ProviderError> {
    let list: ZoneList = r.json()?;
    let zones = list
        .items
        .into_iter()
        .filter_map(|z| Some((Name::from_ascii(format!("{}.", z.domain)).ok()?, z.id)))
        .collect();
    Ok((zones, list.has_more_items))
}

fn relative(key: &RrsetKey, zone: &Name) -> String {
    match relative_name(&key.name, zone).as_str() {
        "@" => String::new(),
        other => other.to_string(),
    }
}

/// `GET /dnszone/{id}` (2xx): the records of `key`.
pub fn parse_records(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Vec<Record>, ProviderError> {
    let z: Zone = r.json()?;
    let Some(number) = type_number(key.rtype) else {
        return Ok(Vec::new());
    };
    let name = relative(key, zone);
    z.records
        .into_iter()
        .filter(|x| x.rtype == number && x.name.eq_ignore_ascii_case(&name))
        .map(|x| {
            let value = parse_compact(key.rtype, &x.value).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: Bunny holds a value dnsup cannot read: {e}"
                ))
            })?;
            Ok(Record {
                id: x.id.to_string(),
                value,
                ttl: x.ttl,
            })
        })
        .collect()
}

impl Bunny {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let ([key], http) = Http::configured(
            setup,
            [(&c.api_key, "api_key")],
            &c.http,
            Duration::from_millis(100),
        )?;
        Ok(Bunny {
            http,
            settings: c.http.clone(),
            key,
            zones: ZoneCache::default(),
        })
    }

    fn request(&self, method: Method, segments: &[&str]) -> Result<Request, ProviderError> {
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, segments)?;
        Ok(Request::new(method, url)
            .header("accesskey", self.key.expose())
            .header("accept", "application/json"))
    }

    async fn send(&self, r: &Request) -> Result<Response, ProviderError> {
        self.http.send_ok(r, error_detail).await
    }

    async fn zone_list(&self) -> Result<Vec<(Name, u64)>, ProviderError> {
        self.zones
            .get_or_list(async {
                page::numbered(|p| async move {
                    let p = p.to_string();
                    let r = self
                        .request(Method::GET, &["dnszone"])?
                        .query(&[("page", &p), ("perPage", "1000")]);
                    parse_zones(&self.send(&r).await?)
                })
                .await
            })
            .await
    }

    async fn zone_id(&self, zone: &Name) -> Result<String, ProviderError> {
        self.zone_list()
            .await?
            .into_iter()
            .find(|(n, _)| n == zone)
            .map(|(_, id)| id.to_string())
            .ok_or_else(|| ProviderError::Refused(format!("Bunny: no zone {zone} in this account")))
    }

    fn body(&self, zone: &Name, key: &RrsetKey, value: &RData, ttl: u32) -> serde_json::Value {
        json!({
            "Type": type_number(key.rtype),
            "Ttl": ttl,
            "Value": compact(value),
            "Name": relative(key, zone),
        })
    }
}

impl RecordApi for Bunny {
    const LABEL: &'static str = "bunny";
    const CAPABILITIES: Capabilities = CAPABILITIES;

    fn name(&self) -> &'static str {
        "Bunny"
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
        parse_records(
            &self
                .send(&self.request(Method::GET, &["dnszone", &id])?)
                .await?,
            zone,
            key,
        )
    }

    async fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let id = self.zone_id(zone).await?;
        let r = self
            .request(Method::PUT, &["dnszone", &id, "records"])?
            .json(&self.body(zone, key, value, ttl));
        self.send(&r).await?;
        Ok(())
    }

    async fn update(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let id = self.zone_id(zone).await?;
        let mut body = self.body(zone, key, value, ttl);
        body["Id"] = json!(record.id.parse::<u64>().unwrap_or(0));
        let r = self
            .request(Method::POST, &["dnszone", &id, "records", &record.id])?
            .json(&body);
        self.send(&r).await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let id = self.zone_id(zone).await?;
        self.send(&self.request(Method::DELETE, &["dnszone", &id, "records", &record.id])?)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_parse() {
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"Id":7,"Domain":"example.com","Records":[{"Id":11,"Type":0,"Ttl":300,"Value":"192.0.2.1","Name":"www","Weight":100,"Priority":0,"Port":0,"Flags":0,"Tag":"","Accelerated":false,"Disabled":false},{"Id":12,"Type":1,"Ttl":300,"Value":"2001:db8::1","Name":"www"}]}"#.to_vec(),
            what: "GET /dnszone/7".into(),
        };
        let zone = Name::from_ascii("example.com.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let got = parse_records(&r, &zone, &key).unwrap();
        assert_eq!((got.len(), got[0].id.as_str()), (1, "11"));
        assert_eq!(
            error_detail(br#"{"ErrorKey":"dnszone.record.invalid","Field":"Value","Message":"The record value is invalid"}"#),
            "The record value is invalid (dnszone.record.invalid)"
        );
    }
}
