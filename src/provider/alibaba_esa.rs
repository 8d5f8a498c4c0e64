//! Alibaba Cloud ESA (Edge Security Acceleration) DNS records through its RPC API (version
//! 2024-09-10) at `https://esa.cn-hangzhou.aliyuncs.com/` (international accounts:
//! `esa.ap-southeast-1.aliyuncs.com`, set as `http.endpoint`), signed like Alibaba Cloud DNS
//! ([`super::alibaba`]: RPC signature v1, HMAC-SHA1, the same query parameters and error
//! body).
//!
//! Documentation followed:
//! - <https://www.alibabacloud.com/help/en/edge-security-acceleration/esa/api-esa-2024-09-10-listsites>
//! - <https://www.alibabacloud.com/help/en/edge-security-acceleration/esa/api-esa-2024-09-10-listrecords>
//!   (`RecordMatchType=exact`, pages of at most 500)
//! - <https://www.alibabacloud.com/help/en/edge-security-acceleration/esa/api-esa-2024-09-10-createrecord>
//! - <https://www.alibabacloud.com/help/en/edge-security-acceleration/esa/api-esa-2024-09-10-updaterecord>
//! - <https://www.alibabacloud.com/help/en/edge-security-acceleration/esa/api-esa-2024-09-10-deleterecord>
//! - <https://help.aliyun.com/en/sdk/product-overview/rpc-mechanism> (the signature)
//!
//! A site (zone) has a numeric `SiteId`; records hold the full name, one value each with its
//! own `RecordId`. ESA keeps A and AAAA under one type, `A/AAAA`: dnsup tells them apart by the
//! address family of each value. Values travel as a JSON `Data` object (`{"Value": ...}`).
//! Records are not proxied (`Proxied` is left out: DNS only). TTL 30 to 86400 s.
//!
//! A, AAAA and CNAME only: ESA documents no escaping for TXT data.

use std::net::IpAddr;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use serde::Deserialize;
use serde_json::{Value, json};

use super::alibaba::{error_of, signed_query_of};
use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request};
use super::page::{self, ZoneCache};
use super::per_record::{Record, RecordApi};
use super::sign;
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name};

/// The documented endpoint (Hangzhou; `https://esa.ap-southeast-1.aliyuncs.com/` outside
/// China).
pub const ENDPOINT: &str = "https://esa.cn-hangzhou.aliyuncs.com/";
/// The API version.
pub const VERSION: &str = "2024-09-10";
/// The smallest TTL ESA takes (1 means "automatic" and is never sent).
pub const MIN_TTL: u32 = 30;
/// Sites and records per page (the documented maximum).
pub const PAGE: u32 = 500;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

/// `type = "alibaba-esa"`.
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
pub struct AlibabaEsa {
    http: Http,
    settings: HttpSettings,
    access_key_id: String,
    secret: Secret,
    /// The sites of the account (name, `SiteId`), listed once.
    sites: ZoneCache<(Name, u64)>,
}

/// ESA's name for the type of `rtype`.
pub fn esa_type(rtype: RecordType) -> String {
    match rtype {
        RecordType::A | RecordType::AAAA => "A/AAAA".into(),
        other => other.to_string(),
    }
}

/// The sites of a `ListSites` answer (name, id) and the total count.
pub fn parse_sites(v: &Value) -> Result<(Vec<(Name, u64)>, u64), ProviderError> {
    let list = v
        .get("Sites")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let sites = list
        .iter()
        .map(|s| {
            let name = s
                .get("SiteName")
                .and_then(Value::as_str)
                .and_then(|n| Name::from_ascii(format!("{n}.")).ok());
            match (name, s.get("SiteId").and_then(Value::as_u64)) {
                (Some(n), Some(id)) => Ok((n, id)),
                _ => Err(ProviderError::Protocol(
                    "alibaba-esa: ListSites: a site without SiteName or SiteId".into(),
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        sites,
        v.get("TotalCount").and_then(Value::as_u64).unwrap_or(0),
    ))
}

/// The records of `key` in a `ListRecords` answer (exactly that name; of that address family
/// for `A/AAAA`) and the total count.
pub fn parse_records(v: &Value, key: &RrsetKey) -> Result<(Vec<Record>, u64), ProviderError> {
    let bad = |why: String| ProviderError::Protocol(format!("alibaba-esa: ListRecords: {why}"));
    let list = v
        .get("Records")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let name = plain_name(&key.name);
    let want = esa_type(key.rtype);
    let mut out = Vec::new();
    for x in &list {
        let (Some(id), Some(n), Some(t), Some(value)) = (
            x.get("RecordId").and_then(Value::as_u64),
            x.get("RecordName").and_then(Value::as_str),
            x.get("RecordType").and_then(Value::as_str),
            x.pointer("/Data/Value").and_then(Value::as_str),
        ) else {
            return Err(bad(
                "a record without RecordId, RecordName, RecordType or Data.Value".into(),
            ));
        };
        if !n.eq_ignore_ascii_case(&name) || !t.eq_ignore_ascii_case(&want) {
            continue;
        }
        if want == "A/AAAA" {
            let family = match value.parse::<IpAddr>() {
                Ok(IpAddr::V4(_)) => RecordType::A,
                Ok(IpAddr::V6(_)) => RecordType::AAAA,
                Err(_) => return Err(bad(format!("A/AAAA value {value:?} is no address"))),
            };
            if family != key.rtype {
                continue;
            }
        }
        let ttl = x
            .get("Ttl")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| bad("a record without Ttl".into()))?;
        let value = parse_compact(key.rtype, value)
            .map_err(|e| bad(format!("{} value {value:?}: {e}", key.rtype)))?;
        out.push(Record {
            id: id.to_string(),
            value,
            ttl,
        });
    }
    Ok((
        out,
        v.get("TotalCount").and_then(Value::as_u64).unwrap_or(0),
    ))
}

impl AlibabaEsa {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.access_key_id.trim().is_empty() {
            return Err("alibaba-esa: access_key_id is empty".into());
        }
        let ([secret], http) = Http::configured(
            setup,
            [(&c.access_key_secret, "access_key_secret")],
            &c.http,
            Duration::from_millis(100),
        )?;
        Ok(AlibabaEsa {
            http,
            settings: c.http.clone(),
            access_key_id: c.access_key_id.trim().to_string(),
            secret,
            sites: ZoneCache::default(),
        })
    }

    /// Call `action` (`GET` for listings, `POST` for changes, every parameter in the signed
    /// query); the JSON answer of a success.
    async fn call(
        &self,
        method: reqwest::Method,
        action: &str,
        params: &[(&str, String)],
    ) -> Result<Value, ProviderError> {
        let url = http::endpoint(&self.settings, ENDPOINT, "/")?;
        let mut own: Vec<(String, String)> = vec![("Action".into(), action.into())];
        own.extend(params.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let base = Request::new(method.clone(), url);
        let resp = self
            .http
            .send_signed(&base, |r| {
                let query = signed_query_of(
                    VERSION,
                    method.as_str(),
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
            return Err(error_of(&resp, |m| self.http.scrub(m)));
        }
        resp.json::<Value>()
    }

    /// Every site of the account, listed once.
    async fn sites(&self) -> Result<Vec<(Name, u64)>, ProviderError> {
        self.sites
            .get_or_list(async {
                page::counted(|page, _| async move {
                    let v = self
                        .call(
                            reqwest::Method::GET,
                            "ListSites",
                            &[
                                ("PageNumber", page.to_string()),
                                ("PageSize", PAGE.to_string()),
                            ],
                        )
                        .await?;
                    parse_sites(&v)
                })
                .await
            })
            .await
    }

    async fn site_id(&self, zone: &Name) -> Result<u64, ProviderError> {
        self.sites()
            .await?
            .into_iter()
            .find(|(n, _)| n == zone)
            .map(|(_, id)| id)
            .ok_or_else(|| {
                ProviderError::Refused(format!("alibaba-esa: no site of this account is {zone}"))
            })
    }

    /// `Type`, `Ttl` and `Data` of a record holding `value`.
    fn fields(key: &RrsetKey, value: &RData, ttl: u32) -> Vec<(&'static str, String)> {
        vec![
            ("Type", esa_type(key.rtype)),
            ("Ttl", ttl.to_string()),
            ("Data", json!({ "Value": compact(value) }).to_string()),
        ]
    }
}

impl RecordApi for AlibabaEsa {
    const LABEL: &'static str = "alibaba-esa";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = MIN_TTL;

    fn name(&self) -> &'static str {
        "Alibaba Cloud ESA"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Ok(self.sites().await?.into_iter().map(|(n, _)| n).collect())
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let site = self.site_id(zone).await?;
        let listing = page::pages(
            page::MAX_PAGES,
            (1u32, 0u64),
            |(page, before), _| async move {
                let v = self
                    .call(
                        reqwest::Method::GET,
                        "ListRecords",
                        &[
                            ("SiteId", site.to_string()),
                            ("RecordName", plain_name(&key.name)),
                            ("RecordMatchType", "exact".into()),
                            ("Type", esa_type(key.rtype)),
                            ("PageNumber", page.to_string()),
                            ("PageSize", PAGE.to_string()),
                        ],
                    )
                    .await?;
                let (records, total) = parse_records(&v, key)?;
                // The records listed, not those kept, move the paging (A and AAAA share pages).
                let listed = v
                    .get("Records")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len) as u64;
                let seen = before + listed;
                Ok((
                    records,
                    (listed > 0 && seen < total).then_some((page + 1, seen)),
                ))
            },
        )
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
        let mut params = vec![
            ("SiteId", self.site_id(zone).await?.to_string()),
            ("RecordName", plain_name(&key.name)),
        ];
        params.extend(Self::fields(key, value, ttl));
        self.call(reqwest::Method::POST, "CreateRecord", &params)
            .await?;
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
        let mut params = vec![("RecordId", record.id.clone())];
        params.extend(Self::fields(key, value, ttl));
        self.call(reqwest::Method::POST, "UpdateRecord", &params)
            .await?;
        Ok(())
    }

    async fn delete(
        &self,
        _zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        self.call(
            reqwest::Method::POST,
            "DeleteRecord",
            &[("RecordId", record.id.clone())],
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_and_aaaa_share_a_type_and_are_told_apart() {
        let v = json!({"TotalCount": 3, "PageNumber": 1, "PageSize": 500, "Records": [
            {"RecordId": 1234567890, "RecordName": "www.example.com", "RecordType": "A/AAAA", "Ttl": 30, "Proxied": false, "Data": {"Value": "2.2.2.2"}},
            {"RecordId": 1234567891, "RecordName": "www.example.com", "RecordType": "A/AAAA", "Ttl": 30, "Data": {"Value": "2001:db8::1"}},
            {"RecordId": 1234567892, "RecordName": "www.example.com", "RecordType": "TXT", "Ttl": 30, "Data": {"Value": "x"}}
        ]});
        let key = |t| RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: t,
        };
        let (a, total) = parse_records(&v, &key(RecordType::A)).unwrap();
        assert_eq!(total, 3);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].id, "1234567890");
        let (aaaa, _) = parse_records(&v, &key(RecordType::AAAA)).unwrap();
        assert_eq!(aaaa[0].value.to_string(), "2001:db8::1");
        let sites = json!({"TotalCount": 1, "Sites": [{"SiteId": 123456789, "SiteName": "example.com", "AccessType": "NS"}]});
        assert_eq!(parse_sites(&sites).unwrap().0[0].1, 123_456_789);
        assert_eq!(esa_type(RecordType::AAAA), "A/AAAA");
    }
}
