//! LuaDNS REST API (`https://api.luadns.com/v1`, HTTP Basic authentication with the account's
//! email and an API key, JSON with `Accept: application/json`). One record per value, each
//! with an id: zones are listed with `GET /zones` (`id`, `name`), an RRset is the records of
//! one name and type among `GET /zones/{zone_id}/records`, records are created with
//! `POST /zones/{zone_id}/records` (`name`, `type`, `content`, `ttl`), changed in place with
//! `PUT /zones/{zone_id}/records/{record_id}` and deleted with `DELETE` on the same path.
//! `name` is the absolute name with its final dot, as the API lists it. Errors come as
//! `{"status", "request_id", "message"}` with the HTTP status (401 authentication, 403 not
//! allowed, 404, 422 validation, 429 rate limited: 1200 requests per 5 minutes). The shared
//! read-compare-write lives in [`super::per_record`].
//!
//! A, AAAA and CNAME only (CNAME targets with their final dot, as listed): the documentation
//! gives no escaping for TXT content.
//!
//! Documentation: <https://www.luadns.com/api.html> (URL, authentication, errors, rate limit,
//! pagination, zones). The records calls' paths and the record object (`id`, `name`, `type`,
//! `content`, `ttl`, `zone_id`) are those of LuaDNS's own client, luadns-go
//! (`client_records.go`, `record.go` and its recorded answers in `testdata/http/`), whose
//! comments point at the same page's "list records", "create a record", "update a record" and
//! "delete a record" sections, which the stored copy of the page does not reach.

use std::time::Duration;

use base64::Engine;
use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::page::ZoneCache;
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.luadns.com/v1";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "luadns"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The account's email (the Basic authentication user).
    pub email: String,
    /// An API key (API Keys page; global or restricted to the zone).
    pub api_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// LuaDNS.
#[derive(Debug)]
pub struct LuaDns {
    http: Http,
    settings: HttpSettings,
    authorization: Secret,
    zones: ZoneCache<(Name, u64)>,
}

#[derive(Debug, Deserialize)]
struct Zone {
    id: u64,
    name: String,
}

#[derive(Debug, Deserialize)]
struct LuaRecord {
    id: u64,
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    ttl: u32,
}

/// The `message` (and `status`) of an error body.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        status: Option<String>,
        message: Option<String>,
    }
    match serde_json::from_slice::<E>(body) {
        Ok(E {
            message: Some(m), ..
        }) => short(&m),
        Ok(E {
            status: Some(s), ..
        }) => short(&s),
        _ => String::new(),
    }
}

/// `GET /zones` (2xx): the zones with their ids.
pub fn parse_zones(r: &Response) -> Result<Vec<(Name, u64)>, ProviderError> {
    let zones: Vec<Zone> = r.json()?;
    Ok(zones
        .into_iter()
        .filter_map(|z| {
            let name = format!("{}.", z.name.trim_end_matches('.'));
            Some((Name::from_ascii(name).ok()?, z.id))
        })
        .collect())
}

/// `GET /zones/{id}/records` (2xx): the records of `key`.
pub fn parse_records(r: &Response, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
    let all: Vec<LuaRecord> = r.json()?;
    let (name, rtype) = (key.name.to_ascii(), key.rtype.to_string());
    all.into_iter()
        .filter(|x| x.rtype == rtype && x.name.eq_ignore_ascii_case(&name))
        .map(|x| {
            let value = parse_compact(key.rtype, &x.content).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: LuaDNS holds a value dnsup cannot read: {e}"
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

/// The `content` of `value`: CNAME targets keep their final dot, as LuaDNS lists them.
pub fn content(value: &RData) -> String {
    match value {
        RData::CNAME(n) => n.0.to_ascii(),
        other => compact(other),
    }
}

impl LuaDns {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let email = c.email.trim();
        if email.is_empty() || email.contains(':') {
            return Err(format!(
                "email '{}': the LuaDNS account's email (no ':')",
                c.email
            ));
        }
        // 1200 requests per 5 minutes is one per 250 ms.
        let ([key], http) = Http::configured(
            setup,
            [(&c.api_key, "api_key")],
            &c.http,
            Duration::from_millis(250),
        )?;
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{email}:{}", key.expose()));
        Ok(LuaDns {
            http,
            settings: c.http.clone(),
            authorization: Secret::new(format!("Basic {basic}")),
            zones: ZoneCache::default(),
        })
    }

    fn request(&self, method: Method, segments: &[&str]) -> Result<Request, ProviderError> {
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, segments)?;
        Ok(Request::new(method, url)
            .header("authorization", self.authorization.expose())
            .header("accept", "application/json"))
    }

    async fn send(&self, r: &Request) -> Result<Response, ProviderError> {
        self.http.send_ok(r, error_detail).await
    }

    async fn zone_list(&self) -> Result<Vec<(Name, u64)>, ProviderError> {
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
            .map(|(_, id)| id.to_string())
            .ok_or_else(|| {
                ProviderError::Refused(format!("LuaDNS: no zone {zone} in this account"))
            })
    }
}

impl RecordApi for LuaDns {
    const LABEL: &'static str = "luadns";
    const CAPABILITIES: Capabilities = CAPABILITIES;

    fn name(&self) -> &'static str {
        "LuaDNS"
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
        let r = self.request(Method::GET, &["zones", &id, "records"])?;
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
        let body = json!({
            "name": key.name.to_ascii(),
            "type": key.rtype.to_string(),
            "content": content(value),
            "ttl": ttl,
        });
        let r = self
            .request(Method::POST, &["zones", &id, "records"])?
            .json(&body);
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
        let body = json!({
            "name": key.name.to_ascii(),
            "type": key.rtype.to_string(),
            "content": content(value),
            "ttl": ttl,
        });
        let r = self
            .request(Method::PUT, &["zones", &id, "records", &record.id])?
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
        let r = self.request(Method::DELETE, &["zones", &id, "records", &record.id])?;
        self.send(&r).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_answers_parse() {
        // Shapes of luadns-go's recorded answers (testdata/http/zones/5/records.index).
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"[{"id":115014348,"name":"example.org.","type":"A","content":"1.1.1.1","ttl":86400,"zone_id":5,"generated":false,"created_at":"2023-08-25T09:07:17Z","updated_at":"2023-08-25T09:07:17Z"},{"id":115014351,"name":"mail.example.org.","type":"CNAME","content":"ghs.google.com.","ttl":86400,"zone_id":5}]"#.to_vec(),
            what: "GET /v1/zones/5/records".into(),
        };
        let key = RrsetKey {
            name: Name::from_ascii("example.org.").unwrap(),
            rtype: RecordType::A,
        };
        let got = parse_records(&r, &key).unwrap();
        assert_eq!((got[0].id.as_str(), got[0].ttl), ("115014348", 86400));
        let key = RrsetKey {
            name: Name::from_ascii("mail.example.org.").unwrap(),
            rtype: RecordType::CNAME,
        };
        let got = parse_records(&r, &key).unwrap();
        assert_eq!(content(&got[0].value), "ghs.google.com.");
        assert_eq!(
            error_detail(
                br#"{"status":"Unauthorized","request_id":"x","message":"Invalid credentials"}"#
            ),
            "Invalid credentials"
        );
    }
}
