//! Huawei Cloud DNS (public zones, API v2) at `https://dns.myhuaweicloud.com`, every request
//! signed with SDK-HMAC-SHA256 (Huawei's "AK/SK signing", [`sign::sdk_hmac_sha256`]): the
//! headers `content-type`, `host` and `x-sdk-date` signed, `Authorization: SDK-HMAC-SHA256
//! Access=..., SignedHeaders=..., Signature=...`.
//!
//! Documentation followed:
//! - <https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm.html> (the
//!   signing algorithm; its worked example is pinned in `sign.rs`)
//! - <https://support.huaweicloud.com/intl/en-us/api-dns/dns_api_62003.html> Querying Public
//!   Zones (`GET /v2/zones?type=public&limit=&offset=`, `metadata.total_count`)
//! - <https://support.huaweicloud.com/intl/en-us/api-dns/dns_api_64004.html> Querying Record
//!   Sets in a Zone (`name`, `type`, `search_mode=equal`, at most 500 per page)
//! - <https://support.huaweicloud.com/intl/en-us/api-dns/dns_api_64001.html> Creating,
//!   <https://support.huaweicloud.com/intl/en-us/api-dns/dns_api_64006.html> Modifying,
//!   <https://support.huaweicloud.com/intl/en-us/api-dns/dns_api_64005.html> Deleting a Record Set
//! - <https://support.huaweicloud.com/intl/en-us/api-dns/ErrorCode.html> (errors:
//!   `{"code": "DNS.0xxx", "message": ...}`; the gateway's own: `{"error_code": "APIGW.0301",
//!   "error_msg": ...}` with 401)
//!
//! Huawei holds record sets (one per name and type, the values in `records`, zone-file
//! presentation format: names absolute, TXT quoted), so an RRset is read, compared and then
//! written whole: created, modified (`PUT`, values and TTL) or deleted. Record sets on other
//! resolution lines than the default (API v2.1) are not touched.

use std::time::Duration;

use hickory_proto::rr::{Name, RData};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response, short};
use super::page::{self, ZoneCache};
use super::per_rrset::{Held, RrsetApi};
use super::sign::{self, Utc};
use super::text::{parse_presentation, presentation};
use super::{Capabilities, ProviderError, Rrset, RrsetKey, Secret, SecretRef};

/// The documented endpoint (global: public zones).
pub const ENDPOINT: &str = "https://dns.myhuaweicloud.com";
/// Zones and record sets per page (the documented maximum).
pub const PAGE: u64 = 500;
/// The smallest TTL Huawei takes.
pub const MIN_TTL: u32 = 1;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

/// `type = "huawei"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The access key id (AK).
    pub access_key_id: String,
    /// The secret access key (SK).
    pub secret_access_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct Huawei {
    http: Http,
    settings: HttpSettings,
    access_key: String,
    secret: Secret,
    /// The public zones with their ids, listed once.
    zones: ZoneCache<(Name, String)>,
}

/// A record set as listed: its id, TTL and values (presentation format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSet {
    /// `id`.
    pub id: String,
    /// `ttl`.
    pub ttl: u32,
    /// `records`.
    pub records: Vec<String>,
}

/// The message of an error body (`code`/`message`, or the gateway's
/// `error_code`/`error_msg`).
pub fn error_detail(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let (code, msg) = if s("error_code").is_empty() {
        (s("code"), s("message"))
    } else {
        (s("error_code"), s("error_msg"))
    };
    short(&match (code.is_empty(), msg.is_empty()) {
        (false, false) => format!("{code}: {msg}"),
        (false, true) => code.to_string(),
        _ => msg.to_string(),
    })
}

/// The zones of a `GET /v2/zones` page (name, id) and the total count.
pub fn parse_zones(r: &Response) -> Result<(Vec<(Name, String)>, u64), ProviderError> {
    let v: Value = r.json()?;
    let list = v
        .get("zones")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let zones = list
        .iter()
        .map(|z| {
            let name = z
                .get("name")
                .and_then(Value::as_str)
                .and_then(|n| Name::from_ascii(n).ok());
            match (name, z.get("id").and_then(Value::as_str)) {
                (Some(n), Some(id)) => Ok((n, id.to_string())),
                _ => Err(ProviderError::Protocol(format!(
                    "{}: a zone without name or id",
                    r.what
                ))),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let total = v
        .pointer("/metadata/total_count")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Ok((zones, total))
}

/// The record sets of `key` (exactly that name and type) in a record set listing, and the
/// total count.
pub fn parse_recordsets(
    r: &Response,
    key: &RrsetKey,
) -> Result<(Vec<RecordSet>, u64), ProviderError> {
    let v: Value = r.json()?;
    let list = v
        .get("recordsets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let name = key.name.to_ascii();
    let rtype = key.rtype.to_string();
    let mut out = Vec::new();
    for s in &list {
        let bad = || ProviderError::Protocol(format!("{}: a record set missing a field", r.what));
        let n = s.get("name").and_then(Value::as_str).ok_or_else(bad)?;
        let t = s.get("type").and_then(Value::as_str).ok_or_else(bad)?;
        if !n.eq_ignore_ascii_case(&name) || !t.eq_ignore_ascii_case(&rtype) {
            continue;
        }
        // Only the default line (API v2.1 adds `line`; v2 lists only default-line sets).
        if s.get("line")
            .and_then(Value::as_str)
            .is_some_and(|l| l != "default_view")
        {
            continue;
        }
        out.push(RecordSet {
            id: s.get("id").and_then(Value::as_str).ok_or_else(bad)?.into(),
            ttl: s
                .get("ttl")
                .and_then(Value::as_u64)
                .and_then(|t| u32::try_from(t).ok())
                .ok_or_else(bad)?,
            records: s
                .get("records")
                .and_then(Value::as_array)
                .ok_or_else(bad)?
                .iter()
                .map(|x| x.as_str().map(str::to_string).ok_or_else(bad))
                .collect::<Result<_, _>>()?,
        });
    }
    let total = v
        .pointer("/metadata/total_count")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Ok((out, total))
}

impl Huawei {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.access_key_id.trim().is_empty() {
            return Err("huawei: access_key_id is empty".into());
        }
        let ([secret], http) = Http::configured(
            setup,
            [(&c.secret_access_key, "secret_access_key")],
            &c.http,
            Duration::from_millis(100),
        )?;
        Ok(Huawei {
            http,
            settings: c.http.clone(),
            access_key: c.access_key_id.trim().to_string(),
            secret,
            zones: ZoneCache::default(),
        })
    }

    fn url(&self, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
        http::endpoint_url(&self.settings, ENDPOINT, segments)
    }

    /// Send `request` signed (a fresh `X-Sdk-Date` on each try); a non-2xx answer is an error.
    async fn send(&self, request: Request) -> Result<Response, ProviderError> {
        let request = if request.body.is_empty() {
            request.header("content-type", "application/json")
        } else {
            request
        };
        let resp = self
            .http
            .send_signed(&request, |r| {
                let date = Utc::from_unix(sign::unix_now()).basic();
                let host = super::route53::host_header(&r.url);
                let headers = vec![
                    ("content-type".to_string(), "application/json".to_string()),
                    ("host".to_string(), host),
                    ("x-sdk-date".to_string(), date.clone()),
                ];
                let s = sign::sdk_hmac_sha256(
                    &self.access_key,
                    self.secret.expose(),
                    r.method.as_str(),
                    r.url.path(),
                    r.url.query().unwrap_or_default(),
                    &headers,
                    &r.body,
                    &date,
                );
                r.clone()
                    .header("x-sdk-date", date)
                    .header("authorization", s.authorization)
            })
            .await?;
        if !resp.ok() {
            return Err(self.http.fail(&resp, error_detail));
        }
        Ok(resp)
    }

    async fn zone_list(&self) -> Result<Vec<(Name, String)>, ProviderError> {
        self.zones
            .get_or_list(page::counted(|_, offset| async move {
                let (limit, offset) = (PAGE.to_string(), offset.to_string());
                let req = Request::new(Method::GET, self.url(&["v2", "zones"])?).query(&[
                    ("type", "public"),
                    ("limit", &limit),
                    ("offset", &offset),
                ]);
                parse_zones(&self.send(req).await?)
            }))
            .await
    }

    async fn zone_id(&self, zone: &Name) -> Result<String, ProviderError> {
        self.zone_list()
            .await?
            .into_iter()
            .find(|(n, _)| n == zone)
            .map(|(_, id)| id)
            .ok_or_else(|| ProviderError::Refused(format!("huawei: no public zone is {zone}")))
    }

    /// The record set of `key`, if any.
    async fn get(&self, zone_id: &str, key: &RrsetKey) -> Result<Option<RecordSet>, ProviderError> {
        let sets = page::counted(|_, offset| async move {
            let (limit, offset) = (PAGE.to_string(), offset.to_string());
            let req = Request::new(
                Method::GET,
                self.url(&["v2", "zones", zone_id, "recordsets"])?,
            )
            .query(&[
                ("name", &key.name.to_ascii()),
                ("type", &key.rtype.to_string()),
                ("search_mode", "equal"),
                ("limit", &limit),
                ("offset", &offset),
            ]);
            parse_recordsets(&self.send(req).await?, key)
        })
        .await?;
        Ok(sets.into_iter().next())
    }

    fn rrset(set: &RecordSet, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        Ok(Rrset {
            ttl: Some(set.ttl),
            values: set
                .records
                .iter()
                .map(|t| parse_presentation(key.rtype, t, zone))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Where a record set lives: its zone's id and its own.
#[derive(Debug)]
pub struct SetId {
    zone: String,
    set: String,
}

impl RrsetApi for Huawei {
    const LABEL: &'static str = "huawei";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = SetId;

    fn name(&self) -> &'static str {
        "Huawei Cloud"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Ok(self
            .zone_list()
            .await?
            .into_iter()
            .map(|(n, _)| n)
            .collect())
    }

    async fn fetch(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Option<Held<SetId>>, ProviderError> {
        let zone_id = self.zone_id(zone).await?;
        let Some(set) = self.get(&zone_id, key).await? else {
            return Ok(None);
        };
        Ok(Some(Held {
            rrset: Self::rrset(&set, zone, key)?,
            handle: SetId {
                zone: zone_id,
                set: set.id,
            },
        }))
    }

    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: Option<&Held<SetId>>,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let body = json!({
            "name": key.name.to_ascii(),
            "type": key.rtype.to_string(),
            "ttl": ttl,
            "records": new.iter().map(presentation).collect::<Vec<_>>(),
        });
        let request = match held {
            Some(h) => {
                let url =
                    self.url(&["v2", "zones", &h.handle.zone, "recordsets", &h.handle.set])?;
                Request::new(Method::PUT, url)
            }
            None => {
                let zone_id = self.zone_id(zone).await?;
                Request::new(
                    Method::POST,
                    self.url(&["v2", "zones", &zone_id, "recordsets"])?,
                )
            }
        };
        self.send(request.json(&body)).await?;
        Ok(())
    }

    async fn delete(
        &self,
        _: &Name,
        _: &RrsetKey,
        held: &Held<SetId>,
    ) -> Result<(), ProviderError> {
        let url = self.url(&[
            "v2",
            "zones",
            &held.handle.zone,
            "recordsets",
            &held.handle.set,
        ])?;
        self.send(Request::new(Method::DELETE, url)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_parse() {
        assert_eq!(
            error_detail(br#"{"error_msg":"Incorrect IAM authentication information: verify aksk signature fail","error_code":"APIGW.0301","request_id":"x"}"#),
            "APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail"
        );
        assert_eq!(
            error_detail(br#"{"code":"DNS.0302","message":"This zone does not exist."}"#),
            "DNS.0302: This zone does not exist."
        );
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"links":{"self":"x"},"recordsets":[{"id":"2c9eb155587228570158722b6ac30007","name":"www.example.com.","type":"A","ttl":300,"records":["192.168.10.1","192.168.10.2"],"status":"ACTIVE","zone_id":"2c9eb155587194ec01587224c9f90149","zone_name":"example.com.","default":false}],"metadata":{"total_count":1}}"#.to_vec(),
            what: "GET /v2/zones/x/recordsets".into(),
        };
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: hickory_proto::rr::RecordType::A,
        };
        let (sets, total) = parse_recordsets(&r, &key).unwrap();
        assert_eq!(total, 1);
        assert_eq!(sets[0].records, ["192.168.10.1", "192.168.10.2"]);
    }
}
