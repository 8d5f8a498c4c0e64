//! Scaleway Domains and DNS API v2beta1 (`X-Auth-Token` header holding an API key's secret
//! key, API at `https://api.scaleway.com/domain/v2beta1`). RRset-based: the zones are
//! `GET /dns-zones` (paged: `page`, `page_size`, `total_count`; a zone is its `domain` with an
//! optional `subdomain` in front), an RRset is what `GET /dns-zones/{zone}/records` answers
//! filtered by `name` and `type` (`{"records": [{"id", "name", "type", "data", "ttl"}]}`,
//! names relative to the zone, empty for the apex), and one
//! `PATCH /dns-zones/{zone}/records` with a `set` change (`id_fields` name and type, then the
//! new records) replaces every record of that name and type in one request; a `delete` change
//! with the same `id_fields` removes them. Read, compare, then write.
//!
//! A, AAAA and CNAME only: the documentation gives TXT `data` as one string without an
//! escaping rule, so dnsup's exact TXT round trip cannot be promised. CNAME targets are sent
//! absolute (with their final dot), the way the documented examples write names.
//!
//! Documentation: <https://www.scaleway.com/en/developers/api/domains-and-dns/> ("List DNS
//! zones", "List records within a DNS zone", "Update records within a DNS zone"; schemas
//! `RecordChange`, `RecordChangeSet.id_fields`, `ListDNSZoneRecordsResponse`), authentication:
//! <https://www.scaleway.com/en/developers/api/#authentication>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::page;
use super::per_rrset::{Held, RrsetApi, found_values, holds_values};
use super::text::{parse_presentation, presentation};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.scaleway.com/domain/v2beta1";

/// Items per page asked for (the documented maximum is 1000; 100 is the default's tenfold).
const PAGE_SIZE: &str = "100";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "scaleway"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The secret key of an API key allowed to manage the zones (IAM: `DomainsDNSFullAccess`).
    pub secret_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Scaleway.
#[derive(Debug)]
pub struct Scaleway {
    http: Http,
    settings: HttpSettings,
    token: Secret,
}

#[derive(Debug, Deserialize)]
struct ZoneList {
    #[serde(default)]
    dns_zones: Vec<Zone>,
    #[serde(default)]
    total_count: u64,
}

#[derive(Debug, Deserialize)]
struct Zone {
    domain: String,
    #[serde(default)]
    subdomain: String,
}

#[derive(Debug, Deserialize)]
struct RecordList {
    #[serde(default)]
    records: Vec<ScwRecord>,
    #[serde(default)]
    total_count: u64,
}

#[derive(Debug, Deserialize)]
struct ScwRecord {
    #[serde(default)]
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    data: String,
    ttl: u32,
}

/// Scaleway's error body: `{"message": "...", "type": "..."}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        message: Option<String>,
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    match serde_json::from_slice::<E>(body) {
        Ok(E {
            message: Some(m),
            kind: Some(k),
        }) => short(&format!("{m} ({k})")),
        Ok(E {
            message: Some(m), ..
        }) => short(&m),
        Ok(E { kind: Some(k), .. }) => short(&k),
        _ => String::new(),
    }
}

/// A page of `GET /dns-zones` (2xx): the zones and the total count.
pub fn parse_zones(r: &Response) -> Result<(Vec<Name>, u64), ProviderError> {
    let list: ZoneList = r.json()?;
    let names = list
        .dns_zones
        .iter()
        .filter_map(|z| {
            let domain = z.domain.trim_end_matches('.');
            let sub = z.subdomain.trim_end_matches('.');
            let full = if sub.is_empty() {
                format!("{domain}.")
            } else {
                format!("{sub}.{domain}.")
            };
            Name::from_ascii(full).ok()
        })
        .collect();
    Ok((names, list.total_count))
}

/// The `name` of `key` in `zone`: relative, empty for the apex.
pub fn record_name(key: &RrsetKey, zone: &Name) -> String {
    match relative_name(&key.name, zone).as_str() {
        "@" => String::new(),
        other => other.to_string(),
    }
}

/// A page of `GET /dns-zones/{zone}/records` (2xx): the values of `key` (records of other
/// names or types in the answer are left out) with their TTL, and the total count.
pub fn parse_records(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<(Vec<(RData, u32)>, u64), ProviderError> {
    let list: RecordList = r.json()?;
    let (name, rtype) = (record_name(key, zone), key.rtype.to_string());
    let mut out = Vec::new();
    for x in list
        .records
        .iter()
        .filter(|x| x.rtype == rtype && x.name.eq_ignore_ascii_case(&name))
    {
        out.push((parse_presentation(key.rtype, &x.data, zone)?, x.ttl));
    }
    Ok((out, list.total_count))
}

/// The body of the `PATCH` making `key` hold `new` with `ttl` (empty `new`: deleting it).
pub fn patch_body(zone: &Name, key: &RrsetKey, new: &[RData], ttl: u32) -> serde_json::Value {
    let name = record_name(key, zone);
    let rtype = key.rtype.to_string();
    let id_fields = json!({"name": name, "type": rtype});
    let change = if new.is_empty() {
        json!({"delete": {"id_fields": id_fields}})
    } else {
        let mut values: Vec<String> = new.iter().map(presentation).collect();
        values.sort();
        values.dedup();
        let records: Vec<serde_json::Value> = values
            .iter()
            .map(|v| json!({"name": name, "type": rtype, "data": v, "ttl": ttl}))
            .collect();
        json!({"set": {"id_fields": id_fields, "records": records}})
    };
    json!({"changes": [change], "return_all_records": false})
}

impl Scaleway {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // Scaleway meters API calls per organization and answers 429 beyond its quota;
        // a pass needs a handful of calls, 200 ms apart is gentle.
        let ([token], http) = Http::configured(
            setup,
            [(&c.secret_key, "secret_key")],
            &c.http,
            Duration::from_millis(200),
        )?;
        Ok(Scaleway {
            http,
            settings: c.http.clone(),
            token,
        })
    }

    fn request(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Request, ProviderError> {
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, segments)?;
        let mut r = Request::new(method, url).header("x-auth-token", self.token.expose());
        if !query.is_empty() {
            r = r.query(query);
        }
        Ok(r)
    }

    async fn patch(
        &self,
        zone: &Name,
        key: &RrsetKey,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let z = plain_name(zone);
        let request = self
            .request(Method::PATCH, &["dns-zones", &z, "records"], &[])?
            .json(&patch_body(zone, key, new, ttl));
        self.http.send_ok(&request, error_detail).await?;
        Ok(())
    }
}

impl RrsetApi for Scaleway {
    const LABEL: &'static str = "scaleway";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = Vec<u32>;

    fn name(&self) -> &'static str {
        "Scaleway"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        page::counted(|p, _| async move {
            let page = p.to_string();
            let r = self.request(
                Method::GET,
                &["dns-zones"],
                &[("page", &page), ("page_size", PAGE_SIZE)],
            )?;
            parse_zones(&self.http.send_ok(&r, error_detail).await?)
        })
        .await
    }

    async fn fetch(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Option<Held<Vec<u32>>>, ProviderError> {
        let z = plain_name(zone);
        let (name, rtype) = (record_name(key, zone), key.rtype.to_string());
        let found = page::counted(|p, _| {
            let (z, name, rtype) = (&z, &name, &rtype);
            async move {
                let page = p.to_string();
                let r = self.request(
                    Method::GET,
                    &["dns-zones", z, "records"],
                    &[
                        ("name", name.as_str()),
                        ("type", rtype.as_str()),
                        ("page", &page),
                        ("page_size", PAGE_SIZE),
                    ],
                )?;
                parse_records(&self.http.send_ok(&r, error_detail).await?, zone, key)
            }
        })
        .await?;
        Ok(found_values(found))
    }

    fn holds(held: &Held<Vec<u32>>, new: &[RData], ttl: u32) -> bool {
        holds_values(held, new, ttl)
    }

    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        _: Option<&Held<Vec<u32>>>,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        self.patch(zone, key, new, ttl).await
    }

    async fn delete(
        &self,
        zone: &Name,
        key: &RrsetKey,
        _: &Held<Vec<u32>>,
    ) -> Result<(), ProviderError> {
        self.patch(zone, key, &[], 0).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> RrsetKey {
        RrsetKey {
            name: Name::from_ascii(name).unwrap(),
            rtype: RecordType::A,
        }
    }

    #[test]
    fn documented_shapes_parse() {
        let zone = Name::from_ascii("example.com.").unwrap();
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"records":[{"data":"192.0.2.1","name":"www","priority":0,"ttl":3600,"type":"A","comment":null,"id":"4a1c3b9e-1d1f-4a3e-9f1e-0b1c2d3e4f50"},{"data":"192.0.2.9","name":"www2","priority":0,"ttl":60,"type":"A","id":"x"}],"total_count":2}"#.to_vec(),
            what: "GET /domain/v2beta1/dns-zones/example.com/records".into(),
        };
        let (values, total) = parse_records(&r, &zone, &key("www.example.com.")).unwrap();
        assert_eq!((values.len(), values[0].1, total), (1, 3600, 2));
        let z = Response {
            body: br#"{"dns_zones":[{"domain":"example.com","subdomain":"","ns":[],"status":"active"},{"domain":"example.com","subdomain":"dev","status":"active"}],"total_count":2}"#.to_vec(),
            ..r
        };
        let (zones, _) = parse_zones(&z).unwrap();
        assert_eq!(zones[1], Name::from_ascii("dev.example.com.").unwrap());
        assert_eq!(
            error_detail(
                br#"{"message":"authentication is denied","type":"denied_authentication"}"#
            ),
            "authentication is denied (denied_authentication)"
        );
    }

    #[test]
    fn apex_is_the_empty_name_and_delete_is_a_delete_change() {
        let zone = Name::from_ascii("example.com.").unwrap();
        let b = patch_body(&zone, &key("example.com."), &[], 60);
        assert_eq!(
            b["changes"][0]["delete"]["id_fields"],
            json!({"name": "", "type": "A"})
        );
    }
}
