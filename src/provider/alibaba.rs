//! Alibaba Cloud DNS (Alidns) through its RPC API (version 2015-01-09) at
//! `https://alidns.aliyuncs.com/`, signed with the RPC signature method (HMAC-SHA1, signature
//! version 1.0).
//!
//! Documentation followed:
//! - <https://help.aliyun.com/en/sdk/product-overview/rpc-mechanism> (request syntax and
//!   signature method for RPC APIs; the `DescribeRegions` / `testsecret` example pinned below)
//! - <https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-describedomains>
//! - <https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-describedomainrecords>
//! - <https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-adddomainrecord>
//! - <https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-updatedomainrecord>
//! - <https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-deletedomainrecord>
//!
//! Alidns holds one record (with its own `RecordId`) per value, so an RRset is read with
//! `DescribeDomainRecords` (paginated, filtered by host record and type, and filtered again
//! here for an exact match) and changed record by record: read, compare, then write.

use std::time::Duration;

use base64::Engine;
use hickory_proto::rr::{Name, RData, RecordType};
use serde::Deserialize;
use serde_json::Value;

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response};
use super::page::{self, ZoneCache};
use super::plan::{Held, Step, plan};
use super::sign::{self, Utc};
use super::text;
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef,
    check_expected, longest_zone, plain_name, relative_name,
};

/// The documented endpoint.
pub const ENDPOINT: &str = "https://alidns.aliyuncs.com/";
/// The API version.
pub const VERSION: &str = "2015-01-09";
/// The largest `PageSize` of `DescribeDomainRecords`.
pub const RECORD_PAGE: u32 = 500;
/// The largest `PageSize` of `DescribeDomains`.
pub const DOMAIN_PAGE: u32 = 100;

/// `type = "alibaba"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The AccessKey ID.
    pub access_key_id: String,
    /// The AccessKey secret.
    pub access_key_secret: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct Alibaba {
    http: Http,
    settings: HttpSettings,
    access_key_id: String,
    secret: Secret,
    zones: ZoneCache,
}

/// One record as `DescribeDomainRecords` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliRecord {
    /// `RecordId`.
    pub id: String,
    /// `RR` (host record, `@` for the apex).
    pub rr: String,
    /// `Type`.
    pub rtype: String,
    /// `Value`.
    pub value: String,
    /// `TTL`.
    pub ttl: u32,
    /// `Line` (`default` unless split-horizon lines are used).
    pub line: String,
}

impl Alibaba {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.access_key_id.trim().is_empty() {
            return Err("alibaba: access_key_id is empty".into());
        }
        let ([secret], http) = Http::configured(
            setup,
            [(&c.access_key_secret, "access_key_secret")],
            &c.http,
            Duration::from_millis(100),
        )?;
        Ok(Alibaba {
            http,
            settings: c.http.clone(),
            access_key_id: c.access_key_id.trim().to_string(),
            secret,
            zones: ZoneCache::default(),
        })
    }

    /// Call `action` with `params`; the JSON answer of a success.
    async fn call(&self, action: &str, params: &[(&str, String)]) -> Result<Value, ProviderError> {
        let url = http::endpoint(&self.settings, ENDPOINT, "/")?;
        let mut own: Vec<(String, String)> = vec![("Action".into(), action.into())];
        own.extend(params.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let base = Request::new(reqwest::Method::GET, url);
        let resp = self
            .http
            .send_signed(&base, |r| {
                let query = signed_query(
                    "GET",
                    &own,
                    &self.access_key_id,
                    self.secret.expose(),
                    sign::unix_now(),
                    &sign::nonce(),
                );
                let mut out = r.clone();
                out.url.set_query(Some(&sign::encode_query(&query)));
                out
            })
            .await?;
        if !resp.ok() {
            return Err(api_error(&resp, &self.http));
        }
        resp.json::<Value>()
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        self.zones
            .get_or_list(page::counted(|page, _| async move {
                let v = self
                    .call(
                        "DescribeDomains",
                        &[
                            ("PageNumber", page.to_string()),
                            ("PageSize", DOMAIN_PAGE.to_string()),
                        ],
                    )
                    .await?;
                parse_domains(&v)
            }))
            .await
    }

    /// The records of one host record and type (default line), every page.
    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<AliRecord>, ProviderError> {
        let rr = &relative_name(&key.name, zone);
        let all = page::counted(|page, _| async move {
            let v = self
                .call(
                    "DescribeDomainRecords",
                    &[
                        ("DomainName", plain_name(zone)),
                        ("PageNumber", page.to_string()),
                        ("PageSize", RECORD_PAGE.to_string()),
                        ("RRKeyWord", rr.clone()),
                        ("TypeKeyWord", key.rtype.to_string()),
                        ("SearchMode", "EXACT".into()),
                    ],
                )
                .await?;
            let list = parse_records(&v).map_err(|e| {
                ProviderError::Protocol(format!("alibaba: DescribeDomainRecords: {e}"))
            })?;
            Ok((list, total_count(&v)))
        })
        .await?;
        Ok(all
            .into_iter()
            .filter(|r| {
                r.rr.eq_ignore_ascii_case(rr)
                    && r.rtype.eq_ignore_ascii_case(&key.rtype.to_string())
                    && (r.line.is_empty() || r.line == "default")
            })
            .collect())
    }
}

/// `TotalCount` of a listing (0 when absent).
/// The domains of a `DescribeDomains` answer and the total count.
pub(crate) fn parse_domains(v: &Value) -> Result<(Vec<Name>, u64), ProviderError> {
    let list = v
        .pointer("/Domains/Domain")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names = list
        .iter()
        .map(|d| {
            d.get("DomainName")
                .and_then(Value::as_str)
                .and_then(|n| Name::from_utf8(format!("{n}.")).ok())
                .ok_or_else(|| {
                    ProviderError::Protocol(
                        "alibaba: DescribeDomains: a domain without DomainName".into(),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((names, total_count(v)))
}

pub(crate) fn total_count(v: &Value) -> u64 {
    v.get("TotalCount").and_then(Value::as_u64).unwrap_or(0)
}

/// The records of a `DescribeDomainRecords` answer.
pub fn parse_records(v: &Value) -> Result<Vec<AliRecord>, String> {
    let Some(list) = v.pointer("/DomainRecords/Record") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or("DomainRecords.Record is not a list")?;
    list.iter()
        .map(|r| {
            let s = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
            let id = match r.get("RecordId") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err("a record without RecordId".to_string()),
            };
            let ttl = r
                .get("TTL")
                .and_then(|t| {
                    t.as_u64()
                        .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
                })
                .and_then(|t| u32::try_from(t).ok())
                .ok_or("a record without TTL")?;
            Ok(AliRecord {
                id,
                rr: s("RR").ok_or("a record without RR")?,
                rtype: s("Type").ok_or("a record without Type")?,
                value: s("Value").ok_or("a record without Value")?,
                ttl,
                line: s("Line").unwrap_or_default(),
            })
        })
        .collect()
}

/// The error of a non-2xx answer (`{"Code": ..., "Message": ...}`), by its code where the
/// HTTP status alone says too little (Alibaba answers 400 for a bad signature).
pub fn api_error(resp: &Response, http: &Http) -> ProviderError {
    error_of(resp, |m| http.scrub(m))
}

/// [`api_error`] with the message passed through `scrub`.
pub(crate) fn error_of(resp: &Response, scrub: impl Fn(&str) -> String) -> ProviderError {
    let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    let code = v.get("Code").and_then(Value::as_str).unwrap_or_default();
    let message = v.get("Message").and_then(Value::as_str).unwrap_or_default();
    let detail = scrub(&match (code.is_empty(), message.is_empty()) {
        (false, false) => format!("{code}: {message}"),
        (false, true) => code.to_string(),
        _ => message.to_string(),
    });
    let e = resp.error(&detail);
    let text = match &e {
        ProviderError::Auth(m) | ProviderError::Network(m) | ProviderError::Refused(m) => m.clone(),
        other => other.to_string(),
    };
    if code.starts_with("InvalidAccessKeyId")
        || code.starts_with("SignatureDoesNotMatch")
        || code.starts_with("IncompleteSignature")
        || code.starts_with("InvalidTimeStamp")
        || code.starts_with("SignatureNonceUsed")
        || code.starts_with("Forbidden")
        || code == "InvalidSecurityToken.Expired"
    {
        return ProviderError::Auth(text);
    }
    if code.starts_with("Throttling") || code == "ServiceUnavailable" || code == "InternalError" {
        return ProviderError::Network(text);
    }
    e
}

/// RPC signature v1, step 1: the string to sign of `params` (every parameter but
/// `Signature`), for `method`.
pub fn string_to_sign(method: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| {
            (
                sign::percent_encode(k, false),
                sign::percent_encode(v, false),
            )
        })
        .collect();
    encoded.sort();
    let canonical = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{method}&{}&{}",
        sign::percent_encode("/", false),
        sign::percent_encode(&canonical, false)
    )
}

/// RPC signature v1, step 2: `Base64(HMAC-SHA1(secret + "&", string_to_sign))`.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(sign::hmac_sha1(
        format!("{secret}&").as_bytes(),
        string_to_sign.as_bytes(),
    ))
}

/// Every query parameter of a signed request: `params` (with `Action`), the common ones
/// (`Format=JSON`, `Version`, `AccessKeyId`, `SignatureMethod`, `Timestamp` of `unix`,
/// `SignatureVersion`, `SignatureNonce` = `nonce`) and `Signature`.
pub fn signed_query(
    method: &str,
    params: &[(String, String)],
    access_key_id: &str,
    secret: &str,
    unix: u64,
    nonce: &str,
) -> Vec<(String, String)> {
    signed_query_of(VERSION, method, params, access_key_id, secret, unix, nonce)
}

/// [`signed_query`] for another RPC API of Alibaba Cloud (its `version`), such as ESA.
pub fn signed_query_of(
    version: &str,
    method: &str,
    params: &[(String, String)],
    access_key_id: &str,
    secret: &str,
    unix: u64,
    nonce: &str,
) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = params.to_vec();
    for (k, v) in [
        ("Format", "JSON".to_string()),
        ("Version", version.to_string()),
        ("AccessKeyId", access_key_id.to_string()),
        ("SignatureMethod", "HMAC-SHA1".to_string()),
        ("Timestamp", Utc::from_unix(unix).extended()),
        ("SignatureVersion", "1.0".to_string()),
        ("SignatureNonce", nonce.to_string()),
    ] {
        all.push((k.to_string(), v));
    }
    let sig = signature(secret, &string_to_sign(method, &all));
    all.push(("Signature".into(), sig));
    all
}

pub(crate) fn parse_value(rtype: RecordType, text: &str) -> Result<RData, ProviderError> {
    text::parse_compact(rtype, text)
        .map_err(|e| ProviderError::Protocol(format!("alibaba: {rtype} value {text:?}: {e}")))
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[
        RecordType::A,
        RecordType::AAAA,
        RecordType::TXT,
        RecordType::CNAME,
    ],
    ..Capabilities::READ_WRITE
};

impl Provider for Alibaba {
    fn label(&self) -> String {
        "alibaba".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        longest_zone(name, &self.zones().await?).ok_or_else(|| {
            ProviderError::Refused(format!("alibaba: no domain of this account holds {name}"))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let records = self.records(zone, key).await?;
        let mut set = Rrset::default();
        for r in &records {
            set.ttl = Some(r.ttl);
            set.values.push(parse_value(key.rtype, &r.value)?);
        }
        Ok(set)
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let records = self.records(zone, key).await?;
        let mut current = Rrset::default();
        let mut held = Vec::new();
        for r in &records {
            let value = parse_value(key.rtype, &r.value)?;
            current.values.push(value.clone());
            held.push(Held {
                value,
                ttl_ok: r.ttl == ttl,
            });
        }
        if let Some(conflict) = check_expected(key, &current, expected) {
            return Ok(conflict);
        }
        let rr = relative_name(&key.name, zone);
        let rtype = key.rtype.to_string();
        let update = |r: &AliRecord, value: String| {
            vec![
                ("RecordId", r.id.clone()),
                ("RR", rr.clone()),
                ("Type", rtype.clone()),
                ("Value", value),
                ("TTL", ttl.to_string()),
            ]
        };
        for step in plan(&held, new) {
            let (action, params) = match step {
                Step::Retime(i) => (
                    "UpdateDomainRecord",
                    update(&records[i], records[i].value.clone()),
                ),
                Step::Reuse { index, value, .. } => (
                    "UpdateDomainRecord",
                    update(&records[index], text::compact(&value)),
                ),
                Step::Create(value) => (
                    "AddDomainRecord",
                    vec![
                        ("DomainName", plain_name(zone)),
                        ("RR", rr.clone()),
                        ("Type", rtype.clone()),
                        ("Value", text::compact(&value)),
                        ("TTL", ttl.to_string()),
                    ],
                ),
                Step::Delete(i) => (
                    "DeleteDomainRecord",
                    vec![("RecordId", records[i].id.clone())],
                ),
            };
            self.call(action, &params).await?;
        }
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The example of Alibaba Cloud's "Request syntax and signature method V2 for RPC APIs"
    /// (https://help.aliyun.com/en/sdk/product-overview/rpc-mechanism, also
    /// https://developer.aliyun.com/ask/210168): DescribeRegions with AccessKeyId `testid`
    /// and AccessKeySecret `testsecret`.
    #[test]
    fn documented_describe_regions_example() {
        let params = pairs(&[
            ("TimeStamp", "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
        ]);
        let sts = string_to_sign("GET", &params);
        // The page prints the separators of the encoded query as "&"; the published
        // signature below is the HMAC of this string with them percent-encoded ("%26"), as
        // the algorithm's own text (percentEncode of the canonicalized query) says.
        assert_eq!(
            sts,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(
            signature("testsecret", &sts),
            "CT9X0VtwR86fNWSnsc6v8YGOjuE="
        );
    }

    #[test]
    fn encoding_of_star_tilde_plus_and_space() {
        // The documented rules: space is %20 (not +), * is %2A, ~ stays, + is %2B.
        let sts = string_to_sign("GET", &pairs(&[("V", "a b*c~d+e")]));
        assert_eq!(sts, "GET&%2F&V%3Da%2520b%252Ac~d%252Be");
    }

    #[test]
    fn signed_query_has_the_common_parameters() {
        let q = signed_query(
            "GET",
            &pairs(&[("Action", "DescribeDomains")]),
            "testid",
            "testsecret",
            1_456_231_584,
            "n-1",
        );
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("Timestamp"), Some("2016-02-23T12:46:24Z"));
        assert_eq!(get("Format"), Some("JSON"));
        assert_eq!(get("Version"), Some("2015-01-09"));
        assert_eq!(get("SignatureMethod"), Some("HMAC-SHA1"));
        assert_eq!(get("SignatureVersion"), Some("1.0"));
        assert_eq!(get("SignatureNonce"), Some("n-1"));
        let unsigned: Vec<_> = q
            .iter()
            .filter(|(k, _)| k != "Signature")
            .cloned()
            .collect();
        assert_eq!(
            get("Signature"),
            Some(signature("testsecret", &string_to_sign("GET", &unsigned)).as_str())
        );
    }

    #[test]
    fn parses_documented_records() {
        let v: Value = serde_json::from_str(
            r#"{"RequestId":"536E9CAD-DB30-4647-AC87-AA5CC38C5382","TotalCount":2,"PageNumber":1,"PageSize":2,
            "DomainRecords":{"Record":[{"DomainName":"example.com","RecordId":"9999985","RR":"www","Type":"MX","Value":"mail1.hichina.com","Line":"default","Priority":5,"TTL":600,"Status":"Enable","Locked":false}]}}"#,
        )
        .unwrap();
        let r = parse_records(&v).unwrap();
        assert_eq!(r[0].id, "9999985");
        assert_eq!(r[0].ttl, 600);
        assert!(parse_records(&serde_json::json!({"DomainRecords":{"Record":[{}]}})).is_err());
    }
}
