//! OVHcloud API v1 (`/domain/zone`), every request signed with the application secret and
//! consumer key ([`sign::ovh_signature`]: `X-Ovh-Application`, `X-Ovh-Consumer`,
//! `X-Ovh-Timestamp` and `X-Ovh-Signature`). The timestamp is the API's clock: `GET
//! /auth/time` once, and the offset from ours kept for every later request.
//!
//! Documentation followed:
//! - <https://docs.ovh.com/gb/en/customer/first-steps-with-ovh-api/> (keys, the signature
//!   formula, `/auth/time`, the endpoints `eu.api.ovh.com`, `ca.api.ovh.com`)
//! - <https://eu.api.ovh.com/console/#/domain/zone> (the API reference): `GET /domain/zone`
//!   (zone names), `GET /domain/zone/{zoneName}/record?fieldType=&subDomain=` (record ids),
//!   `GET|PUT|DELETE /domain/zone/{zoneName}/record/{id}` (`id`, `zone`, `subDomain`,
//!   `fieldType`, `target`, `ttl`), `POST /domain/zone/{zoneName}/record`, `POST
//!   /domain/zone/{zoneName}/refresh` (apply the changes to the served zone)
//! - errors as `{"errorCode"?, "httpCode"?, "class"?, "message"}`; a bad signature is HTTP 400
//!   `INVALID_SIGNATURE` (an authentication error here), an unknown or revoked consumer key 403
//!
//! Records are one value each (`target`, zone-file text; names relative to the zone, the apex
//! an empty `subDomain`). Changes are staged until `refresh`: after any write the zone is
//! refreshed once, also when a later write of the same change failed.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response, short};
use super::per_record::{self, Record, RecordApi};
use super::sign;
use super::text::{parse_presentation, presentation};
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef, plain_name,
    relative_name,
};

/// The documented API endpoints by their usual names.
pub const ENDPOINTS: [(&str, &str); 3] = [
    ("ovh-eu", "https://eu.api.ovh.com/1.0"),
    ("ovh-ca", "https://ca.api.ovh.com/1.0"),
    ("ovh-us", "https://api.us.ovhcloud.com/1.0"),
];
/// The lowest TTL sent: OVH reads `ttl = 0` as "the zone's default", not as zero.
pub const MIN_TTL: u32 = 1;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    min_ttl: MIN_TTL,
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

fn default_endpoint() -> String {
    "ovh-eu".into()
}

/// `type = "ovh"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `ovh-eu` (default), `ovh-ca` or `ovh-us`.
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    /// The application key (AK).
    pub application_key: String,
    /// The application secret (AS).
    pub application_secret: SecretRef,
    /// The consumer key (CK).
    pub consumer_key: SecretRef,
    /// HTTP settings (`http.endpoint` replaces the base URL, `/1.0` included).
    #[serde(default)]
    pub http: HttpSettings,
}

/// The per-record calls (the [`Provider`] is [`Ovh`], which refreshes after writes).
#[derive(Debug)]
pub struct OvhApi {
    http: Http,
    settings: HttpSettings,
    base: &'static str,
    application_key: String,
    secret: Secret,
    consumer: Secret,
    /// The API's clock minus ours, once read.
    offset: Mutex<Option<i64>>,
    /// Zones written to and not yet refreshed.
    dirty: Mutex<HashSet<Name>>,
}

/// The adapter.
#[derive(Debug)]
pub struct Ovh {
    api: OvhApi,
}

/// The message of an error body (`errorCode: message`, or `class: message`).
pub fn error_detail(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let code = if s("errorCode").is_empty() {
        s("class")
    } else {
        s("errorCode")
    };
    short(&match (code.is_empty(), s("message").is_empty()) {
        (false, false) => format!("{code}: {}", s("message")),
        (false, true) => code.to_string(),
        _ => s("message").to_string(),
    })
}

/// The error an answer means: OVH's signature and credential failures are authentication
/// errors whatever their status (`INVALID_SIGNATURE` comes with HTTP 400).
pub fn failure(r: &Response, detail: &str) -> ProviderError {
    let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let code = v.get("errorCode").and_then(Value::as_str).unwrap_or("");
    match r.error(detail) {
        ProviderError::Refused(m)
            if matches!(
                code,
                "INVALID_SIGNATURE" | "INVALID_CREDENTIAL" | "NOT_CREDENTIAL" | "NOT_GRANTED_CALL"
            ) =>
        {
            ProviderError::Auth(m)
        }
        e => e,
    }
}

/// The server time of a `GET /auth/time` answer (a bare JSON integer).
pub fn parse_time(r: &Response) -> Result<u64, ProviderError> {
    r.json::<u64>()
}

/// The zone names of a `GET /domain/zone` answer.
pub fn parse_zones(r: &Response) -> Result<Vec<Name>, ProviderError> {
    r.json::<Vec<String>>()?
        .iter()
        .map(|z| {
            Name::from_ascii(format!("{}.", z.trim_end_matches('.')))
                .map_err(|e| ProviderError::Protocol(format!("{}: zone name {z:?}: {e}", r.what)))
        })
        .collect()
}

/// The record ids of a `GET /domain/zone/{zone}/record` answer.
pub fn parse_ids(r: &Response) -> Result<Vec<u64>, ProviderError> {
    r.json::<Vec<u64>>()
}

/// The record of a `GET /domain/zone/{zone}/record/{id}` answer if it is of `key` (exactly
/// that relative name `sub` and type).
pub fn parse_record(
    r: &Response,
    zone: &Name,
    sub: &str,
    key: &RrsetKey,
) -> Result<Option<Record>, ProviderError> {
    let v: Value = r.json()?;
    let bad = |why: String| ProviderError::Protocol(format!("{}: {why}", r.what));
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let (Some(id), Some(name), Some(t), Some(target)) = (
        v.get("id").and_then(Value::as_u64),
        s("subDomain"),
        s("fieldType"),
        s("target"),
    ) else {
        return Err(bad(
            "a record without id, subDomain, fieldType or target".into()
        ));
    };
    if !name.eq_ignore_ascii_case(sub) || !t.eq_ignore_ascii_case(&key.rtype.to_string()) {
        return Ok(None);
    }
    let ttl = v
        .get("ttl")
        .and_then(Value::as_u64)
        .and_then(|t| u32::try_from(t).ok())
        .ok_or_else(|| bad("a record without ttl".into()))?;
    let value = parse_presentation(key.rtype, target, zone)
        .map_err(|e| bad(format!("{t} target {target:?}: {e}")))?;
    Ok(Some(Record {
        id: id.to_string(),
        value,
        ttl,
    }))
}

impl OvhApi {
    fn url(&self, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
        http::endpoint_url(&self.settings, self.base, segments)
    }

    /// The API's clock minus ours (`GET /auth/time`, unsigned, asked once).
    async fn offset(&self) -> Result<i64, ProviderError> {
        if let Some(o) = *self.offset.lock().unwrap_or_else(|p| p.into_inner()) {
            return Ok(o);
        }
        let req = Request::new(Method::GET, self.url(&["auth", "time"])?);
        let r = self.http.send(&req).await?;
        if !r.ok() {
            return Err(failure(&r, &self.http.scrub(&error_detail(&r.body))));
        }
        let server = i64::try_from(parse_time(&r)?)
            .map_err(|_| ProviderError::Protocol(format!("{}: time out of range", r.what)))?;
        let local = i64::try_from(sign::unix_now()).unwrap_or(i64::MAX);
        let o = server.saturating_sub(local);
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) = Some(o);
        Ok(o)
    }

    /// Send `request` signed (a fresh timestamp on each try); a non-2xx answer is an error.
    async fn send(&self, request: Request) -> Result<Response, ProviderError> {
        let offset = self.offset().await?;
        let request = request.header("accept", "application/json");
        let resp = self
            .http
            .send_signed(&request, |r| {
                let now = i64::try_from(sign::unix_now()).unwrap_or(i64::MAX);
                let ts = u64::try_from(now.saturating_add(offset)).unwrap_or(0);
                let signature = sign::ovh_signature(
                    self.secret.expose(),
                    self.consumer.expose(),
                    r.method.as_str(),
                    r.url.as_str(),
                    &r.body,
                    ts,
                );
                r.clone()
                    .header("x-ovh-application", self.application_key.clone())
                    .header("x-ovh-consumer", self.consumer.expose())
                    .header("x-ovh-timestamp", ts.to_string())
                    .header("x-ovh-signature", signature)
            })
            .await?;
        if !resp.ok() {
            return Err(failure(&resp, &self.http.scrub(&error_detail(&resp.body))));
        }
        Ok(resp)
    }

    fn mark(&self, zone: &Name) {
        self.dirty
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(zone.clone());
    }

    /// `subDomain` of `key` in `zone` (empty for the apex).
    fn sub(zone: &Name, key: &RrsetKey) -> String {
        match relative_name(&key.name, zone).as_str() {
            "@" => String::new(),
            s => s.to_string(),
        }
    }
}

impl RecordApi for OvhApi {
    const LABEL: &'static str = "ovh";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = MIN_TTL;

    fn name(&self) -> &'static str {
        "OVHcloud"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        parse_zones(
            &self
                .send(Request::new(Method::GET, self.url(&["domain", "zone"])?))
                .await?,
        )
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let z = plain_name(zone);
        let sub = Self::sub(zone, key);
        let rtype = key.rtype.to_string();
        let mut query = vec![("fieldType", rtype.as_str())];
        // The apex is not filtered by an empty `subDomain` (its meaning is undocumented):
        // the records of that type are read and the apex ones kept.
        if !sub.is_empty() {
            query.push(("subDomain", sub.as_str()));
        }
        let url = self.url(&["domain", "zone", &z, "record"])?;
        let ids = parse_ids(
            &self
                .send(Request::new(Method::GET, url).query(&query))
                .await?,
        )?;
        let mut out = Vec::new();
        for id in ids.iter().take(crate::provider::page::MAX_PAGES * 10) {
            let id = id.to_string();
            let url = self.url(&["domain", "zone", &z, "record", &id])?;
            let r = self.send(Request::new(Method::GET, url)).await?;
            out.extend(parse_record(&r, zone, &sub, key)?);
        }
        Ok(out)
    }

    async fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let body = json!({
            "fieldType": key.rtype.to_string(),
            "subDomain": Self::sub(zone, key),
            "target": presentation(value),
            "ttl": ttl,
        });
        let url = self.url(&["domain", "zone", &plain_name(zone), "record"])?;
        self.mark(zone);
        self.send(Request::new(Method::POST, url).json(&body))
            .await?;
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
        let body = json!({
            "subDomain": Self::sub(zone, key),
            "target": presentation(value),
            "ttl": ttl,
        });
        let url = self.url(&["domain", "zone", &plain_name(zone), "record", &record.id])?;
        self.mark(zone);
        self.send(Request::new(Method::PUT, url).json(&body))
            .await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let url = self.url(&["domain", "zone", &plain_name(zone), "record", &record.id])?;
        self.mark(zone);
        self.send(Request::new(Method::DELETE, url)).await?;
        Ok(())
    }
}

impl Ovh {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.application_key.trim().is_empty() {
            return Err("ovh: application_key is empty".into());
        }
        let base = ENDPOINTS
            .iter()
            .find(|(n, _)| *n == c.endpoint.trim())
            .map(|(_, u)| *u)
            .ok_or_else(|| {
                format!(
                    "ovh: endpoint {:?} is not one of ovh-eu, ovh-ca, ovh-us",
                    c.endpoint
                )
            })?;
        let ([secret, consumer], http) = Http::configured(
            setup,
            [
                (&c.application_secret, "application_secret"),
                (&c.consumer_key, "consumer_key"),
            ],
            &c.http,
            Duration::from_millis(100),
        )?;
        Ok(Ovh {
            api: OvhApi {
                http,
                settings: c.http.clone(),
                base,
                application_key: c.application_key.trim().to_string(),
                secret,
                consumer,
                offset: Mutex::new(None),
                dirty: Mutex::new(HashSet::new()),
            },
        })
    }

    /// `POST /domain/zone/{zone}/refresh` if anything was written to `zone`.
    async fn refresh(&self, zone: &Name) -> Result<(), ProviderError> {
        let written = self
            .api
            .dirty
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(zone);
        if written {
            let url = self
                .api
                .url(&["domain", "zone", &plain_name(zone), "refresh"])?;
            self.api.send(Request::new(Method::POST, url)).await?;
        }
        Ok(())
    }
}

impl Provider for Ovh {
    fn label(&self) -> String {
        OvhApi::LABEL.into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        per_record::find_zone(&self.api, name).await
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        per_record::read(&self.api, zone, key).await
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let ttl = CAPABILITIES.effective_ttl(ttl);
        let result = per_record::replace(&self.api, zone, key, expected, new, ttl).await;
        // Apply what was written even when a later write failed.
        let refreshed = self.refresh(zone).await;
        let applied = result?;
        refreshed?;
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "GET /1.0/domain/zone".into(),
        }
    }

    #[test]
    fn documented_shapes_parse() {
        let bad_sig = response(
            400,
            r#"{"errorCode":"INVALID_SIGNATURE","httpCode":"400 Bad Request","message":"Invalid signature"}"#,
        );
        assert_eq!(
            error_detail(&bad_sig.body),
            "INVALID_SIGNATURE: Invalid signature"
        );
        assert!(matches!(failure(&bad_sig, "x"), ProviderError::Auth(_)));
        let missing = response(
            404,
            r#"{"class":"Client::NotFound","message":"This service does not exist"}"#,
        );
        assert_eq!(
            error_detail(&missing.body),
            "Client::NotFound: This service does not exist"
        );
        assert!(matches!(failure(&missing, "x"), ProviderError::Refused(_)));
        assert_eq!(
            parse_time(&response(200, "1366560945")).unwrap(),
            1_366_560_945
        );
        assert_eq!(
            parse_zones(&response(200, r#"["example.com","example.org"]"#)).unwrap()[1],
            Name::from_ascii("example.org.").unwrap()
        );
        assert_eq!(
            parse_ids(&response(200, "[5104441,5104442]"))
                .unwrap()
                .len(),
            2
        );
        let zone = Name::from_ascii("example.com.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let r = response(
            200,
            r#"{"id":5104441,"zone":"example.com","subDomain":"www","fieldType":"A","target":"192.0.2.1","ttl":3600}"#,
        );
        let rec = parse_record(&r, &zone, "www", &key).unwrap().unwrap();
        assert_eq!((rec.id.as_str(), rec.ttl), ("5104441", 3600));
        assert!(parse_record(&r, &zone, "", &key).unwrap().is_none());
    }
}
