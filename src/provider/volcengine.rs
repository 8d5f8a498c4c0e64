//! Volcengine TrafficRoute DNS (火山引擎 云解析 DNS) through its OpenAPI (version 2018-08-01) at
//! `https://dns.volcengineapi.com`, every request signed with Volcengine's `HMAC-SHA256`
//! ([`sign::volc_hmac_sha256`]: service `DNS`, region `cn-north-1`; `content-type`, `host`,
//! `x-content-sha256` and `x-date` signed).
//!
//! Documentation followed:
//! - <https://www.volcengine.com/docs/6758/155088> (调用方式: the host `dns.volcengineapi.com`,
//!   service `DNS`, region `cn-north-1`, `Action` and `Version` in the query, JSON bodies with
//!   `Content-Type: application/json`); <https://www.volcengine.com/docs/6758/371357> (the API
//!   host moved from `open.volcengineapi.com` to `dns.volcengineapi.com` on 2025-06-23; the old
//!   one can be set as `http.endpoint`)
//! - <https://www.volcengine.com/docs/6369/67269> and <https://www.volcengine.com/docs/6369/67270>
//!   (签名方法, 签名示例: the signature; the worked examples are pinned in `sign.rs`)
//! - ListZones (listed in <https://www.volcengine.com/docs/6758/155086>; its parameters as in
//!   the English twin <https://docs.byteplus.com/en/docs/byteplus-dns-suite/reference-listzones>:
//!   GET, `PageNumber`, `PageSize` at most 500). The answer's fields (`Result.Zones[].ZID`,
//!   `ZoneName`, `Result.Total`) rest on ddns-go's source (`dns/traffic_route.go`); the
//!   excerpts found of the page do not show them
//! - <https://www.volcengine.com/docs/6758/155109> ListRecords (GET, `ZID`, `Host` with
//!   `SearchMode=exact`, `Type`, pages of at most 500; `Result.Records`, `Result.TotalCount`)
//! - <https://www.volcengine.com/docs/6758/155104> CreateRecord (POST `ZID`, `Host`, `Type`,
//!   `Value`, `TTL`, `Line`), <https://www.volcengine.com/docs/6758/155106> UpdateRecord (POST
//!   `RecordID`, ...), <https://www.volcengine.com/docs/6758/155105> DeleteRecord (POST
//!   `RecordID`)
//! - <https://www.volcengine.com/docs/6408/78947> (公共错误码: `ResponseMetadata.Error` with
//!   `Code` and `Message`, HTTP 401 for `InvalidAccessKey` and `SignatureDoesNotMatch`, 403
//!   for `InvalidTimestamp`)
//!
//! The record fields of a listing (`RecordID`, `Host`, `Type`, `Value`, `TTL`, `Line`) are
//! named as in the documented CreateRecord/UpdateRecord answers; ddns-go
//! (`dns/traffic_route.go`) reads the same fields. Records are one value each, named by their
//! host label (`@` for the apex); dnsup manages the `default` line. The TTL limits depend on
//! the domain's edition (功能版本规格), which the API does not report: a TTL the edition
//! refuses comes back as the API's error.
//!
//! A, AAAA and CNAME only: the documentation gives no escaping rule for TXT values.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response, short};
use super::page::{self, ZoneCache};
use super::per_record::{Record, RecordApi};
use super::sign::{self, Utc};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, relative_name};

/// The documented endpoint.
pub const ENDPOINT: &str = "https://dns.volcengineapi.com";
/// The API version.
pub const VERSION: &str = "2018-08-01";
/// The service in the credential scope.
pub const SERVICE: &str = "DNS";
/// The region in the credential scope.
pub const REGION: &str = "cn-north-1";
/// The line dnsup manages.
pub const LINE: &str = "default";
/// Zones and records per page (the documented maximum).
pub const PAGE: u64 = 500;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "volcengine"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The Access Key ID (`AKLT...`).
    pub access_key_id: String,
    /// The Secret Access Key.
    pub secret_access_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct Volcengine {
    http: Http,
    settings: HttpSettings,
    access_key: String,
    secret: Secret,
    /// The zones of the account (name, `ZID`), listed once.
    zones: ZoneCache<(Name, u64)>,
}

/// The error of an answer (`ResponseMetadata.Error`): its code and message, if it has one.
pub fn error_of(v: &Value) -> Option<(String, String)> {
    let e = v.pointer("/ResponseMetadata/Error")?;
    let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or_default();
    Some((s("Code").to_string(), s("Message").to_string()))
}

/// `code: message` of an error body, for messages.
pub fn error_detail(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    short(&match error_of(&v) {
        Some((c, m)) if !c.is_empty() => format!("{c}: {m}"),
        Some((_, m)) => m,
        None => String::new(),
    })
}

/// What an answer means: the JSON of a success, or the error its status and error code say.
pub fn answer(r: &Response, scrub: impl Fn(&str) -> String) -> Result<Value, ProviderError> {
    if !r.ok() {
        let e = r.error(&scrub(&error_detail(&r.body)));
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        return Err(match (error_of(&v), e) {
            (Some((code, _)), ProviderError::Refused(m)) if auth_code(&code) => {
                ProviderError::Auth(m)
            }
            (_, e) => e,
        });
    }
    let v: Value = r.json()?;
    if let Some((code, msg)) = error_of(&v) {
        let what = format!("{} answered: {code}: {}", r.what, scrub(&msg));
        return Err(if auth_code(&code) {
            ProviderError::Auth(what)
        } else {
            ProviderError::Refused(what)
        });
    }
    Ok(v)
}

/// Whether a public error code means the credentials or the signature.
fn auth_code(code: &str) -> bool {
    matches!(
        code,
        "InvalidAccessKey"
            | "SignatureDoesNotMatch"
            | "InvalidTimestamp"
            | "MissingSignature"
            | "InvalidAuthorization"
            | "InvalidCredential"
            | "InvalidSecretToken"
            | "AccessDenied"
    )
}

/// The zones of a `ListZones` answer (name, `ZID`) and the total.
pub fn parse_zones(v: &Value) -> Result<(Vec<(Name, u64)>, u64), ProviderError> {
    let list = v
        .pointer("/Result/Zones")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let zones = list
        .iter()
        .map(|z| {
            let name = z
                .get("ZoneName")
                .and_then(Value::as_str)
                .and_then(|n| Name::from_ascii(format!("{}.", n.trim_end_matches('.'))).ok());
            match (name, z.get("ZID").and_then(Value::as_u64)) {
                (Some(n), Some(id)) => Ok((n, id)),
                _ => Err(ProviderError::Protocol(
                    "volcengine: ListZones: a zone without ZoneName or ZID".into(),
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let total = v
        .pointer("/Result/Total")
        .or_else(|| v.pointer("/Result/TotalCount"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Ok((zones, total))
}

/// The records of `key` (host label `host`, exactly that type, default line) in a
/// `ListRecords` answer, and the total count of the listing.
pub fn parse_records(
    v: &Value,
    host: &str,
    key: &RrsetKey,
) -> Result<(Vec<Record>, u64), ProviderError> {
    let bad = |why: String| ProviderError::Protocol(format!("volcengine: ListRecords: {why}"));
    let list = v
        .pointer("/Result/Records")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let rtype = key.rtype.to_string();
    let mut out = Vec::new();
    for x in &list {
        let s = |k: &str| x.get(k).and_then(Value::as_str);
        let (Some(id), Some(h), Some(t), Some(value)) =
            (s("RecordID"), s("Host"), s("Type"), s("Value"))
        else {
            return Err(bad("a record without RecordID, Host, Type or Value".into()));
        };
        if !h.eq_ignore_ascii_case(host)
            || !t.eq_ignore_ascii_case(&rtype)
            || s("Line").is_some_and(|l| !l.eq_ignore_ascii_case(LINE))
        {
            continue;
        }
        let ttl = x
            .get("TTL")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| bad("a record without TTL".into()))?;
        let value = parse_compact(key.rtype, value)
            .map_err(|e| bad(format!("{rtype} value {value:?}: {e}")))?;
        out.push(Record {
            id: id.to_string(),
            value,
            ttl,
        });
    }
    let total = v
        .pointer("/Result/TotalCount")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Ok((out, total))
}

impl Volcengine {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.access_key_id.trim().is_empty() {
            return Err("volcengine: access_key_id is empty".into());
        }
        let ([secret], http) = Http::configured(
            setup,
            [(&c.secret_access_key, "secret_access_key")],
            &c.http,
            Duration::from_millis(100),
        )?;
        Ok(Volcengine {
            http,
            settings: c.http.clone(),
            access_key: c.access_key_id.trim().to_string(),
            secret,
            zones: ZoneCache::default(),
        })
    }

    /// Call `action`: `GET` with `query`, or `POST` with the JSON `body`; signed; the JSON
    /// answer of a success.
    async fn call(
        &self,
        action: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ProviderError> {
        let mut url = http::endpoint(&self.settings, ENDPOINT, "/")?;
        let mut pairs = vec![
            ("Action".to_string(), action.to_string()),
            ("Version".to_string(), VERSION.to_string()),
        ];
        pairs.extend(query.iter().map(|(k, v)| (k.to_string(), v.clone())));
        url.set_query(Some(&sign::encode_query(&pairs)));
        let request = match body {
            Some(b) => Request::new(Method::POST, url).json(b),
            None => Request::new(Method::GET, url).header("content-type", "application/json"),
        };
        let resp = self
            .http
            .send_signed(&request, |r| {
                let date = Utc::from_unix(sign::unix_now()).basic();
                let hash = sign::sha256_hex(&r.body);
                let headers = vec![
                    ("content-type".to_string(), "application/json".to_string()),
                    ("host".to_string(), super::route53::host_header(&r.url)),
                    ("x-content-sha256".to_string(), hash.clone()),
                    ("x-date".to_string(), date.clone()),
                ];
                let s = sign::volc_hmac_sha256(
                    &self.access_key,
                    self.secret.expose(),
                    REGION,
                    SERVICE,
                    r.method.as_str(),
                    r.url.query().unwrap_or_default(),
                    &headers,
                    &r.body,
                    &date,
                );
                r.clone()
                    .header("x-date", date)
                    .header("x-content-sha256", hash)
                    .header("authorization", s.authorization)
            })
            .await?;
        answer(&resp, |m| self.http.scrub(m))
    }

    /// Every zone of the account, listed once.
    async fn zone_list(&self) -> Result<Vec<(Name, u64)>, ProviderError> {
        self.zones
            .get_or_list(async {
                page::counted(|number, _| async move {
                    let query = [
                        ("PageNumber", number.to_string()),
                        ("PageSize", PAGE.to_string()),
                    ];
                    parse_zones(&self.call("ListZones", &query, None).await?)
                })
                .await
            })
            .await
    }

    /// The `ZID` of `zone`.
    async fn zid(&self, zone: &Name) -> Result<u64, ProviderError> {
        self.zone_list()
            .await?
            .into_iter()
            .find(|(n, _)| n == zone)
            .map(|(_, id)| id)
            .ok_or_else(|| {
                ProviderError::Refused(format!("volcengine: no zone of this account is {zone}"))
            })
    }
}

impl RecordApi for Volcengine {
    const LABEL: &'static str = "volcengine";
    const CAPABILITIES: Capabilities = CAPABILITIES;

    fn name(&self) -> &'static str {
        "Volcengine"
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
        let zid = self.zid(zone).await?;
        let host = &relative_name(&key.name, zone);
        let listing = page::pages(page::MAX_PAGES, 1u64, |number, seen| async move {
            let query = [
                ("ZID", zid.to_string()),
                ("Host", host.clone()),
                ("SearchMode", "exact".to_string()),
                ("Type", key.rtype.to_string()),
                ("PageNumber", number.to_string()),
                ("PageSize", PAGE.to_string()),
            ];
            let v = self.call("ListRecords", &query, None).await?;
            let (records, total) = parse_records(&v, host, key)?;
            // The page's length, not its matches, counts towards the total.
            let listed = v
                .pointer("/Result/Records")
                .and_then(Value::as_array)
                .map_or(0, Vec::len) as u64;
            let more = listed > 0 && (seen as u64) + listed < total;
            Ok((records, more.then_some(number + 1)))
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
            "ZID": self.zid(zone).await?,
            "Host": relative_name(&key.name, zone),
            "Type": key.rtype.to_string(),
            "Value": compact(value),
            "TTL": ttl,
            "Line": LINE,
        });
        self.call("CreateRecord", &[], Some(&body)).await?;
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
            "RecordID": record.id,
            "Host": relative_name(&key.name, zone),
            "Type": key.rtype.to_string(),
            "Value": compact(value),
            "TTL": ttl,
            "Line": LINE,
        });
        self.call("UpdateRecord", &[], Some(&body)).await?;
        Ok(())
    }

    async fn delete(
        &self,
        _zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        self.call("DeleteRecord", &[], Some(&json!({"RecordID": record.id})))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "GET /?Action=ListRecords".into(),
        }
    }

    #[test]
    fn documented_shapes_parse() {
        let zones = json!({"ResponseMetadata": {"RequestId": "x", "Action": "ListZones", "Version": "2018-08-01", "Service": "dns", "Region": "cn-north-1"},
            "Result": {"Zones": [{"ZID": 304092, "ZoneName": "example.com", "RecordCount": 3}], "Total": 1}});
        let (z, total) = parse_zones(&zones).unwrap();
        assert_eq!((z[0].1, total), (304_092, 1));
        assert_eq!(z[0].0, Name::from_ascii("example.com.").unwrap());
        let recs = json!({"Result": {"TotalCount": 3, "PageNumber": 1, "PageSize": 500, "Records": [
            {"RecordID": "3170534137672596377", "Host": "www", "Type": "A", "Value": "1.1.1.1", "TTL": 600, "Line": "default", "Enable": true, "PQDN": "www.example.com"},
            {"RecordID": "2", "Host": "www", "Type": "A", "Value": "1.1.1.2", "TTL": 600, "Line": "telecom"},
            {"RecordID": "3", "Host": "www2", "Type": "A", "Value": "1.1.1.3", "TTL": 600, "Line": "default"}
        ]}});
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let (r, total) = parse_records(&recs, "www", &key).unwrap();
        assert_eq!(total, 3);
        assert_eq!(r.len(), 1, "other lines and hosts are not this RRset");
        assert_eq!(r[0].id, "3170534137672596377");
        assert!(
            parse_records(&json!({"Result": {"Records": [{"Host": "x"}]}}), "x", &key).is_err()
        );
    }

    #[test]
    fn errors_are_read_from_the_metadata() {
        let body = r#"{"ResponseMetadata":{"RequestId":"x","Action":"ListZones","Version":"2018-08-01","Service":"dns","Region":"cn-north-1","Error":{"CodeN":100010,"Code":"SignatureDoesNotMatch","Message":"The request signature we calculated does not match"}}}"#;
        let e = answer(&resp(401, body), str::to_string).unwrap_err();
        assert!(
            matches!(e, ProviderError::Auth(ref m) if m.contains("SignatureDoesNotMatch")),
            "{e}"
        );
        let e = answer(
            &resp(
                400,
                &body.replace("SignatureDoesNotMatch", "InvalidAccessKey"),
            ),
            str::to_string,
        )
        .unwrap_err();
        assert!(matches!(e, ProviderError::Auth(_)), "{e}");
        let e = answer(
            &resp(
                200,
                &body.replace("SignatureDoesNotMatch", "ErrParamInvalid"),
            ),
            str::to_string,
        )
        .unwrap_err();
        assert!(
            matches!(e, ProviderError::Refused(ref m) if m.contains("ErrParamInvalid")),
            "{e}"
        );
        assert!(
            answer(
                &resp(200, r#"{"ResponseMetadata":{},"Result":{}}"#),
                str::to_string
            )
            .is_ok()
        );
    }
}
