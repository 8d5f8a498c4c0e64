//! Baidu AI Cloud domain resolution (BCD, `https://bcd.baidubce.com`), every request signed
//! with BCE authentication v1 ([`sign::bce_auth_v1`]: `host` and `x-bce-date` signed and
//! listed in the `Authorization`).
//!
//! Documentation followed:
//! - <https://intl.cloud.baidu.com/doc/Reference/s/njwvz1yfu-en> (the authentication string;
//!   its worked example is pinned in `sign.rs`)
//! - <https://cloud.baidu.com/doc/BCD/s/4jwvymhs7> (resolution records: `POST
//!   /v1/domain/resolve/list`, `/add`, `/edit`, `/delete`, JSON bodies; errors as
//!   `{"code", "message", "requestId"}` with an HTTP error status)
//!
//! The API has no call that lists an account's domains, so the domain (zone) is configured
//! (`domain`). Records are one value each with a `recordId`, named relative to the domain
//! (`@` for the apex). A, AAAA and CNAME only (no documented TXT escaping).

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response, short};
use super::page;
use super::per_record::{Record, RecordApi};
use super::sign::{self, Utc};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name, relative_name};

/// The documented endpoint.
pub const ENDPOINT: &str = "https://bcd.baidubce.com";
/// How long a signature is valid (the documented default).
pub const EXPIRATION: u32 = 1800;
/// Records per page asked for.
pub const PAGE: u64 = 1000;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "baidu"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The domain (zone) whose records are managed.
    pub domain: String,
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
pub struct Baidu {
    http: Http,
    settings: HttpSettings,
    domain: Name,
    access_key: String,
    secret: Secret,
}

/// The message of an error body (`code: message`).
pub fn error_detail(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    short(&format!("{}: {}", s("code"), s("message")))
}

/// The records of `key` (relative name `rr`) in a `resolve/list` answer, and the total.
pub fn parse_records(
    r: &Response,
    rr: &str,
    key: &RrsetKey,
) -> Result<(Vec<Record>, u64), ProviderError> {
    let v: Value = r.json()?;
    let bad = |why: String| ProviderError::Protocol(format!("{}: {why}", r.what));
    let list = v
        .get("result")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let rtype = key.rtype.to_string();
    let mut out = Vec::new();
    for x in &list {
        let s = |k: &str| x.get(k).and_then(Value::as_str);
        let (Some(id), Some(name), Some(t), Some(rdata)) = (
            x.get("recordId").and_then(Value::as_u64),
            s("domain"),
            s("rdtype"),
            s("rdata"),
        ) else {
            return Err(bad(
                "a record without recordId, domain, rdtype or rdata".into()
            ));
        };
        if !name.eq_ignore_ascii_case(rr) || !t.eq_ignore_ascii_case(&rtype) {
            continue;
        }
        if s("view").is_some_and(|v| v != "DEFAULT") {
            continue;
        }
        let ttl = x
            .get("ttl")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| bad("a record without ttl".into()))?;
        let value = parse_compact(key.rtype, rdata)
            .map_err(|e| bad(format!("{rtype} value {rdata:?}: {e}")))?;
        out.push(Record {
            id: id.to_string(),
            value,
            ttl,
        });
    }
    Ok((
        out,
        v.get("totalCount").and_then(Value::as_u64).unwrap_or(0),
    ))
}

impl Baidu {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.access_key_id.trim().is_empty() {
            return Err("baidu: access_key_id is empty".into());
        }
        let domain = Name::from_ascii(format!("{}.", c.domain.trim().trim_end_matches('.')))
            .map_err(|e| format!("baidu: domain {:?}: {e}", c.domain))?;
        let ([secret], http) = Http::configured(
            setup,
            [(&c.secret_access_key, "secret_access_key")],
            &c.http,
            Duration::from_millis(100),
        )?;
        Ok(Baidu {
            http,
            settings: c.http.clone(),
            domain,
            access_key: c.access_key_id.trim().to_string(),
            secret,
        })
    }

    /// POST `body` to `/v1/domain/resolve/{op}`, signed; the answer of a success.
    async fn call(&self, op: &str, body: &Value) -> Result<Response, ProviderError> {
        let url = http::endpoint_url(&self.settings, ENDPOINT, &["v1", "domain", "resolve", op])?;
        let request = Request::new(Method::POST, url).json(body);
        let resp = self
            .http
            .send_signed(&request, |r| {
                let date = Utc::from_unix(sign::unix_now()).extended();
                let headers = vec![
                    ("host".to_string(), super::route53::host_header(&r.url)),
                    ("x-bce-date".to_string(), date.clone()),
                ];
                let s = sign::bce_auth_v1(
                    &self.access_key,
                    self.secret.expose(),
                    r.method.as_str(),
                    r.url.path(),
                    r.url.query().unwrap_or_default(),
                    &headers,
                    &date,
                    EXPIRATION,
                    true,
                );
                r.clone()
                    .header("x-bce-date", date)
                    .header("authorization", s.authorization)
            })
            .await?;
        if !resp.ok() {
            return Err(self.http.fail(&resp, error_detail));
        }
        Ok(resp)
    }

    fn rr(&self, key: &RrsetKey) -> String {
        relative_name(&key.name, &self.domain)
    }
}

impl RecordApi for Baidu {
    const LABEL: &'static str = "baidu";
    const CAPABILITIES: Capabilities = CAPABILITIES;

    fn name(&self) -> &'static str {
        "Baidu AI Cloud"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Ok(vec![self.domain.clone()])
    }

    async fn records(&self, _zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let rr = &self.rr(key);
        let domain = &plain_name(&self.domain);
        let listing = page::pages(
            page::MAX_PAGES,
            (1u64, 0u64),
            |(number, before), _| async move {
                let r = self
                    .call(
                        "list",
                        &json!({"domain": domain, "pageNum": number, "pageSize": PAGE}),
                    )
                    .await?;
                let (records, total) = parse_records(&r, rr, key)?;
                let listed = r
                    .json::<Value>()?
                    .get("result")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len) as u64;
                let seen = before + listed;
                Ok((
                    records,
                    (listed > 0 && seen < total).then_some((number + 1, seen)),
                ))
            },
        )
        .await?;
        Ok(listing.items)
    }

    async fn create(
        &self,
        _zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let body = json!({
            "domain": self.rr(key),
            "rdType": key.rtype.to_string(),
            "ttl": ttl,
            "rdata": compact(value),
            "zoneName": plain_name(&self.domain),
        });
        self.call("add", &body).await?;
        Ok(())
    }

    async fn update(
        &self,
        _zone: &Name,
        key: &RrsetKey,
        record: &Record,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let id: u64 = record
            .id
            .parse()
            .map_err(|_| ProviderError::Protocol("baidu: a recordId that is no number".into()))?;
        let body = json!({
            "recordId": id,
            "domain": self.rr(key),
            "view": "DEFAULT",
            "rdType": key.rtype.to_string(),
            "ttl": ttl,
            "rdata": compact(value),
            "zoneName": plain_name(&self.domain),
        });
        self.call("edit", &body).await?;
        Ok(())
    }

    async fn delete(
        &self,
        _zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let id: u64 = record
            .id
            .parse()
            .map_err(|_| ProviderError::Protocol("baidu: a recordId that is no number".into()))?;
        self.call(
            "delete",
            &json!({"zoneName": plain_name(&self.domain), "recordId": id}),
        )
        .await?;
        Ok(())
    }
}
