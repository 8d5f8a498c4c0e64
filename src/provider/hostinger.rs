//! Hostinger DNS API (`Authorization: Bearer TOKEN`, API at `https://developers.hostinger.com`).
//! Zone-oriented: the domains of the account are `GET /api/domains/v1/portfolio`, a zone's
//! records are `GET /api/dns/v1/zones/{domain}` (a list of `{name, type, ttl, records:
//! [{content, is_disabled}]}`, one entry per name and type), an RRset is replaced with
//! `PUT /api/dns/v1/zones/{domain}` and `{"overwrite": true, "zone": [one such entry]}` (the
//! records of that name and type are deleted and the given ones created, in one request), and
//! removed with `DELETE /api/dns/v1/zones/{domain}` and `{"filters": [{name, type}]}`. Names
//! are relative to the domain, `@` for the apex. Read, compare, then write.
//!
//! A, AAAA and CNAME only: TXT `content` is one string without a documented escaping rule, so
//! dnsup's exact TXT round trip cannot be promised. Disabled records are not served; the update
//! request cannot carry the disabled flag, so a replace of that name and type removes them.
//! CNAME targets are sent absolute (the documentation's example ends with a dot).
//!
//! Documentation: <https://developers.hostinger.com/#tag/dns-zone> (the OpenAPI description:
//! <https://github.com/hostinger/api/blob/main/openapi.json>, operations
//! `DNS_getZoneRecordsV1`, `DNS_updateZoneRecordsV1`, `DNS_deleteZoneRecordsV1`,
//! `domains_getDomainListV1`; authentication, rate limiting (429) and the error body
//! `{"error", "correlation_id"}` in its overview).

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{BearerApi, HttpSettings, Response, short};
use super::per_rrset::{Held, RrsetApi, found};
use super::text::{parse_presentation, presentation};
use super::{Capabilities, ProviderError, Rrset, RrsetKey, SecretRef, plain_name, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://developers.hostinger.com";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "hostinger"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// An API token (hPanel, Account, API).
    pub token: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Hostinger.
#[derive(Debug)]
pub struct Hostinger {
    api: BearerApi,
}

#[derive(Debug, Deserialize)]
struct Domain {
    #[serde(default)]
    domain: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    #[serde(default)]
    ttl: Option<u32>,
    #[serde(default)]
    records: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct Value {
    content: String,
    #[serde(default)]
    is_disabled: bool,
}

/// Hostinger's error body: `{"error": "...", "correlation_id": "..."}` gives `error (id)`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        error: Option<String>,
        message: Option<String>,
        correlation_id: Option<String>,
    }
    let Ok(e) = serde_json::from_slice::<E>(body) else {
        return String::new();
    };
    match (e.error.or(e.message), e.correlation_id) {
        (Some(m), Some(id)) => short(&format!("{m} (correlation id {id})")),
        (Some(m), None) => short(&m),
        _ => String::new(),
    }
}

/// `GET /api/domains/v1/portfolio` (2xx): the account's domains (unclaimed free domains,
/// without a name, left out).
pub fn parse_domains(r: &Response) -> Result<Vec<Name>, ProviderError> {
    let list: Vec<Domain> = r.json()?;
    Ok(list
        .into_iter()
        .filter_map(|d| d.domain)
        .filter_map(|d| Name::from_ascii(format!("{}.", d.trim_end_matches('.'))).ok())
        .collect())
}

/// The `name` of `key` in `zone`: relative, `@` for the apex.
pub fn name(key: &RrsetKey, zone: &Name) -> String {
    relative_name(&key.name, zone)
}

/// `GET /api/dns/v1/zones/{domain}` (2xx): the RRset of `key` (enabled records only).
pub fn parse_rrset(r: &Response, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
    let entries: Vec<Entry> = r.json()?;
    let name = name(key, zone);
    let rtype = key.rtype.to_string();
    let mut out = Rrset::default();
    for e in entries
        .into_iter()
        .filter(|e| e.rtype == rtype && e.name.eq_ignore_ascii_case(&name))
    {
        for v in e.records.into_iter().filter(|v| !v.is_disabled) {
            out.values
                .push(parse_presentation(key.rtype, &v.content, zone)?);
            if out.ttl.is_none() {
                out.ttl = e.ttl;
            }
        }
    }
    Ok(out)
}

/// The body of the `PUT` making `key` hold `new` with `ttl`.
pub fn put_body(zone: &Name, key: &RrsetKey, new: &[RData], ttl: u32) -> serde_json::Value {
    let mut values: Vec<String> = new.iter().map(presentation).collect();
    values.sort();
    values.dedup();
    let records: Vec<serde_json::Value> = values.iter().map(|v| json!({ "content": v })).collect();
    json!({
        "overwrite": true,
        "zone": [{
            "name": name(key, zone),
            "type": key.rtype.to_string(),
            "ttl": ttl,
            "records": records,
        }],
    })
}

/// The body of the `DELETE` removing `key`.
pub fn delete_body(zone: &Name, key: &RrsetKey) -> serde_json::Value {
    json!({ "filters": [{ "name": name(key, zone), "type": key.rtype.to_string() }] })
}

impl Hostinger {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // The limit is not given as a number; 429s carry the headers and are waited out. A
        // quarter second apart keeps a pass (three requests) well inside any sane limit.
        let api = BearerApi::new(
            setup,
            &c.token,
            &c.http,
            DEFAULT_ENDPOINT,
            Duration::from_millis(250),
            error_detail,
        )?;
        Ok(Hostinger { api })
    }

    fn zone_url(&self, zone: &Name) -> Result<reqwest::Url, ProviderError> {
        self.api
            .url(&["api", "dns", "v1", "zones", &plain_name(zone)])
    }

    async fn send(
        &self,
        method: Method,
        zone: &Name,
        body: serde_json::Value,
    ) -> Result<(), ProviderError> {
        let r = self
            .api
            .request(method, self.zone_url(zone)?)
            .header("accept", "application/json")
            .json(&body);
        self.api.send(&r).await?;
        Ok(())
    }
}

impl RrsetApi for Hostinger {
    const LABEL: &'static str = "hostinger";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = ();

    fn name(&self) -> &'static str {
        "Hostinger"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        let url = self.api.url(&["api", "domains", "v1", "portfolio"])?;
        let r = self
            .api
            .request(Method::GET, url)
            .header("accept", "application/json");
        parse_domains(&self.api.send(&r).await?)
    }

    async fn fetch(&self, zone: &Name, key: &RrsetKey) -> Result<Option<Held<()>>, ProviderError> {
        let r = self
            .api
            .request(Method::GET, self.zone_url(zone)?)
            .header("accept", "application/json");
        Ok(found(parse_rrset(&self.api.send(&r).await?, zone, key)?))
    }

    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        _: Option<&Held<()>>,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        self.send(Method::PUT, zone, put_body(zone, key, new, ttl))
            .await
    }

    async fn delete(&self, zone: &Name, key: &RrsetKey, _: &Held<()>) -> Result<(), ProviderError> {
        self.send(Method::DELETE, zone, delete_body(zone, key))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_parse() {
        // The OpenAPI description's examples.
        assert_eq!(
            error_detail(br#"{"error":"Unauthenticated","correlation_id":"e1c2"}"#),
            "Unauthenticated (correlation id e1c2)"
        );
        let zone = Name::from_ascii("mydomain.tld.").unwrap();
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"[{"name":"www","records":[{"content":"mydomain.tld.","is_disabled":false}],"ttl":14400,"type":"CNAME"},
                {"name":"@","records":[{"content":"192.0.2.1","is_disabled":false},{"content":"192.0.2.2","is_disabled":true}],"ttl":300,"type":"A"}]"#
                .to_vec(),
            what: "GET /api/dns/v1/zones/mydomain.tld".into(),
        };
        let www = RrsetKey {
            name: Name::from_ascii("www.mydomain.tld.").unwrap(),
            rtype: RecordType::CNAME,
        };
        let set = parse_rrset(&r, &zone, &www).unwrap();
        assert_eq!((set.ttl, set.values.len()), (Some(14400), 1));
        let apex = RrsetKey {
            name: zone.clone(),
            rtype: RecordType::A,
        };
        let set = parse_rrset(&r, &zone, &apex).unwrap();
        assert_eq!(set.values.len(), 1, "disabled records are not served");
        assert_eq!(
            delete_body(&zone, &apex),
            json!({"filters": [{"name": "@", "type": "A"}]})
        );
        let domains = Response {
            body: br#"[{"id":13632,"domain":"mydomain.tld","type":"domain","status":"active"},{"id":1,"domain":null,"type":"free_domain","status":"active"}]"#.to_vec(),
            ..r
        };
        assert_eq!(parse_domains(&domains).unwrap(), [zone]);
    }
}
