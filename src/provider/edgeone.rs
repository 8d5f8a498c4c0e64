//! Tencent Cloud EdgeOne (TEO) DNS records through API 3.0 (version 2022-09-01) at
//! `https://teo.tencentcloudapi.com` (international accounts: `teo.intl.tencentcloudapi.com`,
//! set as `http.endpoint`), signed with TC3-HMAC-SHA256 (service `teo`): the signer, the
//! transport and the error handling are DNSPod's ([`super::tencent`]).
//!
//! Documentation followed:
//! - <https://cloud.tencent.com/document/api/1552/80725> (signature v3, as DNSPod's),
//!   <https://cloud.tencent.com/document/api/1552/80729> (responses: errors come with HTTP 200)
//! - <https://cloud.tencent.com/document/api/1552/80713> DescribeZones (filter `zone-name`,
//!   `Limit` at most 100),
//!   <https://cloud.tencent.com/document/api/1552/80716> DescribeDnsRecords (filters `name`
//!   and `type`, `Limit` at most 1000; `name` matches fuzzily, so the answer is filtered again
//!   here), <https://cloud.tencent.com/document/api/1552/80720> CreateDnsRecord,
//!   <https://cloud.tencent.com/document/api/1552/114252> ModifyDnsRecords,
//!   <https://cloud.tencent.com/document/api/1552/80718> DeleteDnsRecords
//!   (English: <https://www.tencentcloud.com/document/api/1145/50484>)
//!
//! A site (zone) has an id (`zone-...`); records hold the full name (`www.example.com`), one
//! value each with its own `RecordId`, on a resolution location; dnsup manages the `Default`
//! location. TTL 60 to 86400 s. 20 requests per second per API.
//!
//! A, AAAA and CNAME only: EdgeOne documents no escaping for TXT content, so dnsup's exact TXT
//! round trip cannot be promised.

use hickory_proto::rr::{Name, RData, RecordType};
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::HttpSettings;
use super::page::{self, ZoneCache};
use super::per_record::{Record, RecordApi};
use super::tencent::{Tc3Api, error_kind};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, SecretRef, plain_name};

/// The documented endpoint (mainland China; `teo.intl.tencentcloudapi.com` for international
/// accounts).
pub const ENDPOINT: &str = "https://teo.tencentcloudapi.com";
/// The API version.
pub const VERSION: &str = "2022-09-01";
/// The TC3 service name.
pub const SERVICE: &str = "teo";
/// The resolution location dnsup manages.
pub const LOCATION: &str = "Default";
/// The smallest TTL EdgeOne takes.
pub const MIN_TTL: u32 = 60;
/// Sites per page of `DescribeZones` (its maximum).
pub const ZONE_PAGE: u64 = 100;
/// Records per page of `DescribeDnsRecords` (its maximum).
pub const RECORD_PAGE: u64 = 1000;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

/// `type = "edgeone"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The SecretId (`AKID...`).
    pub secret_id: String,
    /// The SecretKey.
    pub secret_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct EdgeOne {
    api: Tc3Api,
    /// The sites of the account (name, `ZoneId`), listed once.
    sites: ZoneCache<(Name, String)>,
}

/// The sites of a `DescribeZones` response (name, id) and the total count.
pub fn parse_zones(r: &Value) -> Result<(Vec<(Name, String)>, u64), ProviderError> {
    let list = r
        .get("Zones")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let sites = list
        .iter()
        .map(|z| {
            let name = z
                .get("ZoneName")
                .and_then(Value::as_str)
                .and_then(|n| Name::from_ascii(format!("{n}.")).ok());
            let id = z.get("ZoneId").and_then(Value::as_str);
            match (name, id) {
                (Some(n), Some(id)) => Ok((n, id.to_string())),
                _ => Err(ProviderError::Protocol(
                    "edgeone: DescribeZones: a site without ZoneName or ZoneId".into(),
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let total = r.get("TotalCount").and_then(Value::as_u64).unwrap_or(0);
    Ok((sites, total))
}

/// The records of `key` (exactly that name and type, default location) in a
/// `DescribeDnsRecords` response, and the total count of the (fuzzy) listing.
pub fn parse_records(r: &Value, key: &RrsetKey) -> Result<(Vec<Record>, u64), ProviderError> {
    let bad = |why: &str| ProviderError::Protocol(format!("edgeone: DescribeDnsRecords: {why}"));
    let list = r
        .get("DnsRecords")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let total = r.get("TotalCount").and_then(Value::as_u64).unwrap_or(0);
    let name = plain_name(&key.name);
    let rtype = key.rtype.to_string();
    let mut out = Vec::new();
    for x in &list {
        let s = |k: &str| x.get(k).and_then(Value::as_str);
        let (Some(id), Some(n), Some(t), Some(content)) =
            (s("RecordId"), s("Name"), s("Type"), s("Content"))
        else {
            return Err(bad("a record without RecordId, Name, Type or Content"));
        };
        let location = s("Location").unwrap_or(LOCATION);
        if !n.trim_end_matches('.').eq_ignore_ascii_case(&name)
            || !t.eq_ignore_ascii_case(&rtype)
            || location != LOCATION
        {
            continue;
        }
        let ttl = x
            .get("TTL")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| bad("a record without TTL"))?;
        let value = parse_compact(key.rtype, content)
            .map_err(|e| bad(&format!("{rtype} value {content:?}: {e}")))?;
        out.push(Record {
            id: id.to_string(),
            value,
            ttl,
        });
    }
    Ok((out, total))
}

impl EdgeOne {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let api = Tc3Api::new(
            "edgeone",
            &c.secret_id,
            &c.secret_key,
            &c.http,
            setup,
            (ENDPOINT, SERVICE, VERSION),
        )?;
        Ok(EdgeOne {
            api,
            sites: ZoneCache::default(),
        })
    }

    async fn call(&self, action: &str, params: &Value) -> Result<Value, ProviderError> {
        self.api
            .call_raw(action, params)
            .await?
            .map_err(|(code, msg)| error_kind(&code, format!("edgeone: {action}: {code}: {msg}")))
    }

    /// Every site of the account, listed once.
    async fn sites(&self) -> Result<Vec<(Name, String)>, ProviderError> {
        self.sites
            .get_or_list(async {
                page::counted(|_, offset| async move {
                    let params = json!({"Offset": offset, "Limit": ZONE_PAGE});
                    parse_zones(&self.call("DescribeZones", &params).await?)
                })
                .await
            })
            .await
    }

    /// The `ZoneId` of `zone`.
    async fn zone_id(&self, zone: &Name) -> Result<String, ProviderError> {
        self.sites()
            .await?
            .into_iter()
            .find(|(n, _)| n == zone)
            .map(|(_, id)| id)
            .ok_or_else(|| {
                ProviderError::Refused(format!("edgeone: no site of this account is {zone}"))
            })
    }

    /// The fields of a record of `key` holding `value` (create and modify).
    fn fields(key: &RrsetKey, value: &RData, ttl: u32) -> Value {
        json!({
            "Name": plain_name(&key.name),
            "Type": key.rtype.to_string(),
            "Content": compact(value),
            "Location": LOCATION,
            "TTL": ttl,
        })
    }
}

impl RecordApi for EdgeOne {
    const LABEL: &'static str = "edgeone";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = MIN_TTL;

    fn name(&self) -> &'static str {
        "EdgeOne"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Ok(self.sites().await?.into_iter().map(|(n, _)| n).collect())
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let zone_id = &self.zone_id(zone).await?;
        let listing = page::pages(page::MAX_PAGES, 0u64, |offset, _| async move {
            let params = json!({
                "ZoneId": zone_id,
                "Offset": offset,
                "Limit": RECORD_PAGE,
                "Filters": [
                    {"Name": "name", "Values": [plain_name(&key.name)]},
                    {"Name": "type", "Values": [key.rtype.to_string()]},
                ],
            });
            let r = self.call("DescribeDnsRecords", &params).await?;
            let (records, total) = parse_records(&r, key)?;
            // The page's length, not its exact matches, moves the offset (`name` is fuzzy).
            let listed = r
                .get("DnsRecords")
                .and_then(Value::as_array)
                .map_or(0, Vec::len) as u64;
            let next = offset + listed;
            Ok((records, (listed > 0 && next < total).then_some(next)))
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
        let mut params = Self::fields(key, value, ttl);
        params["ZoneId"] = json!(self.zone_id(zone).await?);
        self.call("CreateDnsRecord", &params).await?;
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
        let mut one = Self::fields(key, value, ttl);
        one["RecordId"] = json!(record.id);
        let params = json!({"ZoneId": self.zone_id(zone).await?, "DnsRecords": [one]});
        self.call("ModifyDnsRecords", &params).await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let params = json!({"ZoneId": self.zone_id(zone).await?, "RecordIds": [record.id]});
        self.call("DeleteDnsRecords", &params).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_parse() {
        // DescribeZones / DescribeDnsRecords output examples (fields trimmed).
        let zones = json!({"TotalCount": 1, "Zones": [{"ZoneId": "zone-2o1t24kgy362", "ZoneName": "example.com", "Status": "active"}], "RequestId": "x"});
        let (z, total) = parse_zones(&zones).unwrap();
        assert_eq!(total, 1);
        assert_eq!(z[0].1, "zone-2o1t24kgy362");
        let recs = json!({"TotalCount": 2, "DnsRecords": [
            {"ZoneId": "zone-2o1t24kgy362", "RecordId": "record-1a8df68z", "Name": "www.example.com", "Type": "A", "Location": "Default", "Content": "1.2.3.4", "TTL": 300, "Weight": -1, "Priority": 0, "Status": "enable"},
            {"ZoneId": "zone-2o1t24kgy362", "RecordId": "record-2", "Name": "www2.example.com", "Type": "A", "Location": "Default", "Content": "1.2.3.5", "TTL": 300}
        ], "RequestId": "y"});
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let (r, total) = parse_records(&recs, &key).unwrap();
        assert_eq!(total, 2);
        assert_eq!(r.len(), 1, "the fuzzy match www2 is not www");
        assert_eq!(r[0].id, "record-1a8df68z");
        assert!(parse_records(&json!({"DnsRecords": [{"Name": "x"}]}), &key).is_err());
    }
}
