//! Mythic Beasts Primary DNS API v2 (HTTP Basic: API key id and secret). RRset-based: the
//! zones the key may touch are `GET /dns/v2/zones` (`{"zones": ["example.com"]}`), and an RRset
//! is the selection `/dns/v2/zones/{zone}/records/{host}/{type}`: `GET` reads it
//! (`{"records": [{"host", "ttl", "type", "data"}]}`), `PUT` with such a `records` list
//! replaces every record it selects in one request, `DELETE` removes them. `host` is relative
//! to the zone, `@` for the apex. Read, compare, then write.
//!
//! A, AAAA and CNAME only: the documentation gives TXT `data` as one string without an
//! escaping rule, so dnsup's exact TXT round trip cannot be promised. CNAME targets are sent
//! absolute (with their final dot): a name without it is relative to the zone there.
//!
//! Documentation: <https://www.mythic-beasts.com/support/api/dnsv2> (endpoints, Basic or
//! Bearer authentication), tutorial with request and answer shapes:
//! <https://www.mythic-beasts.com/support/api/dnsv2/tutorial>.

use std::time::Duration;

use base64::Engine as _;
use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::per_rrset::{Held, RrsetApi, found};
use super::text::{parse_presentation, presentation};
use super::{
    Capabilities, ProviderError, Rrset, RrsetKey, Secret, SecretRef, plain_name, relative_name,
};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.mythic-beasts.com/dns/v2";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "mythicbeasts"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The API key's id (control panel, API Keys), not secret.
    pub key_id: String,
    /// The API key's secret.
    pub secret: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Mythic Beasts.
#[derive(Debug)]
pub struct MythicBeasts {
    http: Http,
    settings: HttpSettings,
    auth: Secret,
}

#[derive(Debug, Deserialize)]
struct ZoneList {
    #[serde(default)]
    zones: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RecordList {
    #[serde(default)]
    records: Vec<MbRecord>,
}

#[derive(Debug, Deserialize)]
struct MbRecord {
    host: String,
    ttl: u32,
    #[serde(rename = "type")]
    rtype: String,
    data: String,
}

/// Mythic Beasts' error body: `{"error": "..."}`.
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

/// `GET /zones` (2xx): the zones the key may touch.
pub fn parse_zones(r: &Response) -> Result<Vec<Name>, ProviderError> {
    let list: ZoneList = r.json()?;
    Ok(list
        .zones
        .iter()
        .filter_map(|z| Name::from_ascii(format!("{}.", z.trim_end_matches('.'))).ok())
        .collect())
}

/// The `host` of `key` in `zone`: relative, `@` for the apex.
pub fn host(key: &RrsetKey, zone: &Name) -> String {
    relative_name(&key.name, zone)
}

/// `GET /zones/{zone}/records/{host}/{type}` (2xx): the RRset (only records of that host and
/// type are taken, whatever else the answer holds).
pub fn parse_rrset(r: &Response, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
    let list: RecordList = r.json()?;
    let host = host(key, zone);
    let rtype = key.rtype.to_string();
    let mut out = Rrset::default();
    for x in list
        .records
        .into_iter()
        .filter(|x| x.rtype == rtype && x.host.eq_ignore_ascii_case(&host))
    {
        let value = parse_presentation(key.rtype, &x.data, zone)?;
        out.ttl.get_or_insert(x.ttl);
        out.values.push(value);
    }
    Ok(out)
}

/// The body of a `PUT` making `key` hold `new` with `ttl`.
pub fn put_body(zone: &Name, key: &RrsetKey, new: &[RData], ttl: u32) -> serde_json::Value {
    let host = host(key, zone);
    let mut values: Vec<String> = new.iter().map(presentation).collect();
    values.sort();
    values.dedup();
    let records: Vec<serde_json::Value> = values
        .iter()
        .map(|v| json!({"host": host, "ttl": ttl, "type": key.rtype.to_string(), "data": v}))
        .collect();
    json!({ "records": records })
}

impl MythicBeasts {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.key_id.is_empty() || c.key_id.contains(':') {
            return Err("key_id: required, without ':' (HTTP Basic authentication)".into());
        }
        let secret = setup.secret(&c.secret, "secret")?;
        let auth = Secret::new(base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            c.key_id,
            secret.expose()
        )));
        // No rate limit is documented: a fifth of a second apart stays polite.
        let http = Http::new(
            &c.http,
            Duration::from_millis(200),
            vec![secret, auth.clone()],
            false,
        )?;
        Ok(MythicBeasts {
            http,
            settings: c.http.clone(),
            auth,
        })
    }

    fn request(&self, method: Method, segments: &[&str]) -> Result<Request, ProviderError> {
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, segments)?;
        Ok(Request::new(method, url)
            .header("authorization", format!("Basic {}", self.auth.expose()))
            .header("accept", "application/json"))
    }

    fn rrset_request(
        &self,
        method: Method,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Request, ProviderError> {
        let (z, h, t) = (plain_name(zone), host(key, zone), key.rtype.to_string());
        self.request(method, &["zones", &z, "records", &h, &t])
    }
}

impl RrsetApi for MythicBeasts {
    const LABEL: &'static str = "mythicbeasts";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = ();

    fn name(&self) -> &'static str {
        "Mythic Beasts"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        let r = self.request(Method::GET, &["zones"])?;
        parse_zones(&self.http.send_ok(&r, error_detail).await?)
    }

    async fn fetch(&self, zone: &Name, key: &RrsetKey) -> Result<Option<Held<()>>, ProviderError> {
        let r = self.rrset_request(Method::GET, zone, key)?;
        Ok(found(parse_rrset(
            &self.http.send_ok(&r, error_detail).await?,
            zone,
            key,
        )?))
    }

    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        _: Option<&Held<()>>,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let request = self
            .rrset_request(Method::PUT, zone, key)?
            .json(&put_body(zone, key, new, ttl));
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
        // The tutorial's answers.
        let zones = Response {
            status: 200,
            headers: vec![],
            body: br#"{ "zones": [ "example.com" ] }"#.to_vec(),
            what: "GET /dns/v2/zones".into(),
        };
        assert_eq!(
            parse_zones(&zones).unwrap(),
            [Name::from_ascii("example.com.").unwrap()]
        );
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"records": [{"data": "1.2.3.4", "host": "test1", "ttl": 300, "type": "A"},
                {"data": "mx.mythic-beasts.com.", "host": "@", "ttl": 300, "type": "MX", "mx_priority": 10}]}"#
                .to_vec(),
            what: "GET /dns/v2/zones/example.com/records/test1/A".into(),
        };
        let zone = Name::from_ascii("example.com.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("test1.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let set = parse_rrset(&r, &zone, &key).unwrap();
        assert_eq!((set.ttl, set.values.len()), (Some(300), 1));
        assert_eq!(
            error_detail(br#"{"error": "Zone not found"}"#),
            "Zone not found"
        );
        let cname = RrsetKey {
            name: zone.clone(),
            rtype: RecordType::CNAME,
        };
        let target = RData::CNAME(hickory_proto::rr::rdata::CNAME(
            Name::from_ascii("t.example.net.").unwrap(),
        ));
        assert_eq!(
            put_body(&zone, &cname, &[target], 60),
            json!({"records": [{"host": "@", "ttl": 60, "type": "CNAME", "data": "t.example.net."}]})
        );
    }
}
