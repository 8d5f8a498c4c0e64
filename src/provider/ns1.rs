//! NS1 (IBM NS1 Connect) API v1 (`X-NSONE-Key` header, API at `https://api.nsone.net/v1`).
//! RRset-based: `GET /zones` lists the zones, and an RRset lives at
//! `/zones/{zone}/{fqdn}/{type}`: `GET` reads it (404: absent), `PUT` creates it, `POST` changes
//! it (only the fields sent: its filters and metadata stay), `DELETE` removes it; its body is
//! `{"zone", "domain", "type", "ttl": N, "answers": [{"answer": ["VALUE"]}, ...]}`. Read,
//! compare, then write.
//!
//! A, AAAA and CNAME only: NS1 documents TXT answers as strings without an escaping rule, so
//! dnsup's exact TXT round trip cannot be promised.
//!
//! Documentation: <https://ns1.com/api> ("Records": view, create, update, delete a record;
//! "Zones": list zones; authentication with `X-NSONE-Key`), rate limits:
//! <https://help.ns1.com/hc/en-us/articles/360020250573-About-API-rate-limiting>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::per_rrset::{Held, RrsetApi, found};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, Rrset, RrsetKey, Secret, SecretRef, plain_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.nsone.net/v1";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "ns1"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// An API key with the DNS zone permissions.
    pub api_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// NS1.
#[derive(Debug)]
pub struct Ns1 {
    http: Http,
    settings: HttpSettings,
    token: Secret,
}

#[derive(Debug, Deserialize)]
struct Zone {
    zone: String,
}

#[derive(Debug, Deserialize)]
struct Ns1Record {
    #[serde(default)]
    ttl: Option<u32>,
    #[serde(default)]
    answers: Vec<Answer>,
}

#[derive(Debug, Deserialize)]
struct Answer {
    answer: Vec<serde_json::Value>,
}

/// NS1's error body: `{"message": "..."}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        message: Option<String>,
    }
    serde_json::from_slice::<E>(body)
        .ok()
        .and_then(|e| e.message)
        .map(|m| short(&m))
        .unwrap_or_default()
}

/// `GET /zones` (2xx): the zones.
pub fn parse_zones(r: &Response) -> Result<Vec<Name>, ProviderError> {
    let list: Vec<Zone> = r.json()?;
    Ok(list
        .iter()
        .filter_map(|z| Name::from_ascii(format!("{}.", z.zone.trim_end_matches('.'))).ok())
        .collect())
}

/// `GET /zones/{zone}/{domain}/{type}` (2xx): the RRset.
pub fn parse_rrset(r: &Response, key: &RrsetKey) -> Result<Rrset, ProviderError> {
    let set: Ns1Record = r.json()?;
    let mut out = Rrset {
        ttl: set.ttl,
        values: Vec::new(),
    };
    for a in &set.answers {
        let [serde_json::Value::String(text)] = a.answer.as_slice() else {
            return Err(ProviderError::Protocol(format!(
                "{key}: NS1 holds an answer dnsup cannot read (not one string)"
            )));
        };
        out.values.push(parse_compact(key.rtype, text).map_err(|e| {
            ProviderError::Protocol(format!("{key}: NS1 holds a value dnsup cannot read: {e}"))
        })?);
    }
    if out.values.is_empty() {
        out.ttl = None;
    }
    Ok(out)
}

impl Ns1 {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // NS1 meters each key with token buckets per kind of call (a few per second for
        // record changes) and answers 429 beyond them: 200 ms apart stays inside.
        let ([token], http) = Http::configured(
            setup,
            [(&c.api_key, "api_key")],
            &c.http,
            Duration::from_millis(200),
        )?;
        Ok(Ns1 {
            http,
            settings: c.http.clone(),
            token,
        })
    }

    fn request(&self, method: Method, segments: &[&str]) -> Result<Request, ProviderError> {
        let mut all = vec!["zones"];
        all.extend_from_slice(segments);
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, &all)?;
        Ok(Request::new(method, url).header("x-nsone-key", self.token.expose()))
    }

    fn record_request(
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

impl RrsetApi for Ns1 {
    const LABEL: &'static str = "ns1";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = ();

    fn name(&self) -> &'static str {
        "NS1"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        let r = self
            .http
            .send_ok(&self.request(Method::GET, &[])?, error_detail)
            .await?;
        parse_zones(&r)
    }

    async fn fetch(&self, zone: &Name, key: &RrsetKey) -> Result<Option<Held<()>>, ProviderError> {
        let request = self.record_request(Method::GET, zone, key)?;
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
        let mut values: Vec<String> = new.iter().map(compact).collect();
        values.sort();
        let answers: Vec<serde_json::Value> =
            values.iter().map(|v| json!({ "answer": [v] })).collect();
        // PUT creates, POST changes an existing record.
        let method = if held.is_some() {
            Method::POST
        } else {
            Method::PUT
        };
        let request = self.record_request(method, zone, key)?.json(&json!({
            "zone": plain_name(zone),
            "domain": plain_name(&key.name),
            "type": key.rtype.to_string(),
            "ttl": ttl,
            "answers": answers,
        }));
        self.http.send_ok(&request, error_detail).await?;
        Ok(())
    }

    async fn delete(&self, zone: &Name, key: &RrsetKey, _: &Held<()>) -> Result<(), ProviderError> {
        let request = self.record_request(Method::DELETE, zone, key)?;
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
            body: br#"{"domain":"www.example.com","zone":"example.com","type":"A","ttl":3600,"use_client_subnet":true,"answers":[{"answer":["192.0.2.1"],"id":"5f0c6b3f"},{"answer":["192.0.2.2"]}],"filters":[],"meta":{},"regions":{},"tier":1,"id":"5f0c6b3e"}"#.to_vec(),
            what: "GET /v1/zones/example.com/www.example.com/A".into(),
        };
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let set = parse_rrset(&r, &key).unwrap();
        assert_eq!((set.ttl, set.values.len()), (Some(3600), 2));
        assert_eq!(
            error_detail(br#"{"message":"record not found"}"#),
            "record not found"
        );
    }
}
