//! Gcore Managed DNS (`Authorization: APIKey TOKEN`, API at `https://api.gcore.com/dns`).
//! RRset-based: `GET /v2/zones` lists the zones (`limit`/`offset`, `total_amount`), and an
//! RRset lives at `/v2/zones/{zone}/{fqdn}/{type}`: `GET` reads it (404: absent), `POST`
//! creates it, `PUT` replaces it, `DELETE` removes it; its body is
//! `{"ttl": N, "resource_records": [{"content": ["VALUE"]}, ...]}`. Read, compare, then write.
//!
//! A, AAAA and CNAME only: Gcore documents TXT content as one string without an escaping rule,
//! so dnsup's exact TXT round trip cannot be promised.
//!
//! Documentation: <https://api.gcore.com/docs/dns#tag/RRsets> (get, create, update, delete an
//! RRset), <https://api.gcore.com/docs/dns#tag/Zones> (list zones), authentication:
//! <https://gcore.com/docs/account-settings/create-use-or-delete-a-permanent-api-token>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::page;
use super::per_rrset::{Held, RrsetApi, found};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, Rrset, RrsetKey, Secret, SecretRef, plain_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.gcore.com/dns";

const PAGE: u64 = 1000;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "gcore"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A permanent API token.
    pub token: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Gcore.
#[derive(Debug)]
pub struct Gcore {
    http: Http,
    settings: HttpSettings,
    token: Secret,
}

#[derive(Debug, Deserialize)]
struct ZoneList {
    #[serde(default)]
    zones: Vec<Zone>,
    #[serde(default)]
    total_amount: u64,
}

#[derive(Debug, Deserialize)]
struct Zone {
    name: String,
}

#[derive(Debug, Deserialize)]
struct GcoreRrset {
    #[serde(default)]
    ttl: Option<u32>,
    #[serde(default)]
    resource_records: Vec<ResourceRecord>,
}

#[derive(Debug, Deserialize)]
struct ResourceRecord {
    content: Vec<serde_json::Value>,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

/// Gcore's error body: `{"error": "..."}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        error: Option<String>,
    }
    serde_json::from_slice::<E>(body)
        .ok()
        .and_then(|e| e.error)
        .map(|m| short(&m))
        .unwrap_or_default()
}

/// A page of `GET /v2/zones` (2xx): the zones and the total.
pub fn parse_zones(r: &Response) -> Result<(Vec<Name>, u64), ProviderError> {
    let list: ZoneList = r.json()?;
    let names = list
        .zones
        .iter()
        .filter_map(|z| Name::from_ascii(format!("{}.", z.name.trim_end_matches('.'))).ok())
        .collect();
    Ok((names, list.total_amount))
}

/// `GET /v2/zones/{zone}/{name}/{type}` (2xx): the RRset (disabled records are not served).
pub fn parse_rrset(r: &Response, key: &RrsetKey) -> Result<Rrset, ProviderError> {
    let set: GcoreRrset = r.json()?;
    let mut out = Rrset {
        ttl: set.ttl,
        values: Vec::new(),
    };
    for rr in set.resource_records.iter().filter(|rr| rr.enabled) {
        let [serde_json::Value::String(text)] = rr.content.as_slice() else {
            return Err(ProviderError::Protocol(format!(
                "{key}: Gcore holds a record dnsup cannot read (content is not one string)"
            )));
        };
        out.values.push(parse_compact(key.rtype, text).map_err(|e| {
            ProviderError::Protocol(format!("{key}: Gcore holds a value dnsup cannot read: {e}"))
        })?);
    }
    if out.values.is_empty() {
        out.ttl = None;
    }
    Ok(out)
}

impl Gcore {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let ([token], http) = Http::configured(
            setup,
            [(&c.token, "token")],
            &c.http,
            Duration::from_millis(100),
        )?;
        Ok(Gcore {
            http,
            settings: c.http.clone(),
            token,
        })
    }

    fn request(&self, method: Method, segments: &[&str]) -> Result<Request, ProviderError> {
        let mut all = vec!["v2", "zones"];
        all.extend_from_slice(segments);
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, &all)?;
        Ok(Request::new(method, url)
            .header("authorization", format!("APIKey {}", self.token.expose())))
    }

    fn rrset_request(
        &self,
        method: Method,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Request, ProviderError> {
        self.request(
            method,
            &[
                &plain_name(zone),
                &plain_name(&key.name),
                &key.rtype.to_string(),
            ],
        )
    }
}

impl RrsetApi for Gcore {
    const LABEL: &'static str = "gcore";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = ();

    fn name(&self) -> &'static str {
        "Gcore"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        page::counted(|_page, seen| async move {
            let (limit, offset) = (PAGE.to_string(), seen.to_string());
            let r = self
                .request(Method::GET, &[])?
                .query(&[("limit", &limit), ("offset", &offset)]);
            parse_zones(&self.http.send_ok(&r, error_detail).await?)
        })
        .await
    }

    async fn fetch(&self, zone: &Name, key: &RrsetKey) -> Result<Option<Held<()>>, ProviderError> {
        let request = self.rrset_request(Method::GET, zone, key)?;
        match self.http.send_found(&request, error_detail).await? {
            Some(r) => Ok(found(parse_rrset(&r, key)?)),
            None => Ok(None),
        }
    }

    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: Option<&Held<()>>,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let records: Vec<serde_json::Value> = new
            .iter()
            .map(|v| json!({ "content": [compact(v)] }))
            .collect();
        let method = if held.is_some() {
            Method::PUT
        } else {
            Method::POST
        };
        let request = self
            .rrset_request(method, zone, key)?
            .json(&json!({ "ttl": ttl, "resource_records": records }));
        self.http.send_ok(&request, error_detail).await?;
        Ok(())
    }

    async fn delete(&self, zone: &Name, key: &RrsetKey, _: &Held<()>) -> Result<(), ProviderError> {
        let request = self.rrset_request(Method::DELETE, zone, key)?;
        self.http.send_ok(&request, error_detail).await?;
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
            body: br#"{"name":"www.example.com","type":"A","ttl":300,"resource_records":[{"id":1,"content":["192.0.2.1"],"enabled":true},{"id":2,"content":["192.0.2.2"],"enabled":false}],"meta":{}}"#.to_vec(),
            what: "GET /v2/zones/example.com/www.example.com/A".into(),
        };
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let set = parse_rrset(&r, &key).unwrap();
        assert_eq!((set.ttl, set.values.len()), (Some(300), 1));
        assert_eq!(
            error_detail(br#"{"error":"rrset is not found"}"#),
            "rrset is not found"
        );
    }
}
