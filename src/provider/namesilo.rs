//! NameSilo API (`GET https://www.namesilo.com/api/{operation}?version=1&type=json&key=KEY`).
//! One record per value, each with an id: `dnsListRecords` lists a domain's records (`host` is
//! the FQDN), `dnsAddRecord` creates one (`rrtype`, `rrhost` relative to the domain, empty for
//! the apex, `rrvalue`, `rrttl`), `dnsUpdateRecord` changes one in place by `rrid`,
//! `dnsDeleteRecord` removes one. Every answer is HTTP 200 with `reply.code`: 300 is success,
//! 110 an invalid key and 113 a key not allowed from this address (credentials), anything else
//! a refusal. The API key travels in the query (NameSilo's only scheme): it is scrubbed from
//! every message and never logged. TTLs below 3600 s (NameSilo's minimum) are raised. The
//! domain is configured (`domain = "..."`). The shared read-compare-write lives in
//! [`super::per_record`].
//!
//! A, AAAA and CNAME only: NameSilo documents no escaping for TXT values.
//!
//! Documentation: <https://www.namesilo.com/api-reference> (dnsListRecords, dnsAddRecord,
//! dnsUpdateRecord, dnsDeleteRecord, reply codes).

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://www.namesilo.com/api";

/// NameSilo's smallest TTL.
pub const MIN_TTL: u32 = 3600;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

/// `type = "namesilo"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The domain (zone) whose records are managed.
    pub domain: String,
    /// The API key.
    pub api_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// NameSilo.
#[derive(Debug)]
pub struct NameSilo {
    http: Http,
    settings: HttpSettings,
    key: Secret,
    domain: Name,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    reply: Reply,
}

#[derive(Debug, Deserialize)]
struct Reply {
    code: Value,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    resource_record: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct SiloRecord {
    record_id: String,
    #[serde(rename = "type")]
    rtype: String,
    host: String,
    value: String,
    ttl: Value,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Any answer: `Ok` when `reply.code` is 300, else the error it means (the detail scrubbed by
/// `scrub`).
fn reply(r: &Response, scrub: impl Fn(&str) -> String) -> Result<Reply, ProviderError> {
    if !r.ok() {
        return Err(r.error(""));
    }
    let e: Envelope = r.json()?;
    let code = text(&e.reply.code);
    let what = format!(
        "{}: NameSilo answered {code}: {}",
        r.what,
        short(&scrub(&e.reply.detail))
    );
    match code.as_str() {
        "300" => Ok(e.reply),
        "110" | "113" => Err(ProviderError::Auth(what)),
        _ => Err(ProviderError::Refused(what)),
    }
}

/// `dnsListRecords` (any status): the records of `key`. NameSilo's JSON follows its XML, so
/// one record comes as an object and several as an array; both are read.
pub fn parse_records(r: &Response, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
    let list = match reply(r, str::to_string)?.resource_record {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(one) => vec![one],
    };
    let fqdn = plain_name(&key.name);
    let rtype = key.rtype.to_string();
    let mut out = Vec::new();
    for item in list {
        let x: SiloRecord = serde_json::from_value(item)
            .map_err(|e| ProviderError::Protocol(format!("{}: unexpected record ({e})", r.what)))?;
        if x.rtype != rtype || !x.host.eq_ignore_ascii_case(&fqdn) {
            continue;
        }
        let value = parse_compact(key.rtype, &x.value).map_err(|e| {
            ProviderError::Protocol(format!(
                "{key}: NameSilo holds a value dnsup cannot read: {e}"
            ))
        })?;
        let ttl = text(&x.ttl).parse().map_err(|_| {
            ProviderError::Protocol(format!("{key}: NameSilo answered a TTL that is no number"))
        })?;
        out.push(Record {
            id: x.record_id,
            value,
            ttl,
        });
    }
    Ok(out)
}

impl NameSilo {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let domain = Name::from_ascii(format!("{}.", c.domain.trim_end_matches('.')))
            .map_err(|e| format!("domain '{}': {e}", c.domain))?;
        let ([key], http) = Http::configured(
            setup,
            [(&c.api_key, "api_key")],
            &c.http,
            Duration::from_millis(500),
        )?;
        Ok(NameSilo {
            http,
            settings: c.http.clone(),
            key,
            domain,
        })
    }

    /// The request of `operation` with `params` (and the common parameters).
    pub fn request(
        &self,
        operation: &str,
        params: &[(&str, &str)],
    ) -> Result<Request, ProviderError> {
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, &[operation])?;
        let domain = plain_name(&self.domain);
        Ok(Request::new(Method::GET, url)
            .query(&[
                ("version", "1"),
                ("type", "json"),
                ("key", self.key.expose()),
                ("domain", &domain),
            ])
            .query(params))
    }

    async fn call(
        &self,
        operation: &str,
        params: &[(&str, &str)],
    ) -> Result<Response, ProviderError> {
        let response = self.http.send(&self.request(operation, params)?).await?;
        reply(&response, |m| self.http.scrub(m))?;
        Ok(response)
    }

    fn host(&self, key: &RrsetKey) -> String {
        match relative_name(&key.name, &self.domain).as_str() {
            "@" => String::new(),
            other => other.to_string(),
        }
    }
}

impl RecordApi for NameSilo {
    const LABEL: &'static str = "namesilo";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = MIN_TTL;

    fn name(&self) -> &'static str {
        "NameSilo"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Ok(vec![self.domain.clone()])
    }

    async fn records(&self, _zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        parse_records(&self.call("dnsListRecords", &[]).await?, key)
    }

    async fn create(
        &self,
        _zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let (rtype, host, value, ttl) = (
            key.rtype.to_string(),
            self.host(key),
            compact(value),
            ttl.to_string(),
        );
        self.call(
            "dnsAddRecord",
            &[
                ("rrtype", &rtype),
                ("rrhost", &host),
                ("rrvalue", &value),
                ("rrttl", &ttl),
            ],
        )
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
        let (host, value, ttl) = (self.host(key), compact(value), ttl.to_string());
        self.call(
            "dnsUpdateRecord",
            &[
                ("rrid", &record.id),
                ("rrhost", &host),
                ("rrvalue", &value),
                ("rrttl", &ttl),
            ],
        )
        .await?;
        Ok(())
    }

    async fn delete(
        &self,
        _zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        self.call("dnsDeleteRecord", &[("rrid", &record.id)])
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(body: &str) -> Response {
        Response {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "GET /api/dnsListRecords".into(),
        }
    }

    #[test]
    fn one_record_or_many_and_reply_codes() {
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let one = r#"{"request":{"operation":"dnsListRecords","ip":"192.0.2.9"},"reply":{"code":300,"detail":"success","resource_record":{"record_id":"1a2b3c","type":"A","host":"www.example.com","value":"192.0.2.1","ttl":"7207","distance":0}}}"#;
        assert_eq!(parse_records(&resp(one), &key).unwrap()[0].id, "1a2b3c");
        let many = r#"{"request":{},"reply":{"code":"300","detail":"success","resource_record":[{"record_id":"a","type":"A","host":"www.example.com","value":"192.0.2.1","ttl":3600},{"record_id":"b","type":"A","host":"example.com","value":"192.0.2.2","ttl":3600}]}}"#;
        assert_eq!(parse_records(&resp(many), &key).unwrap().len(), 1);
        assert!(matches!(
            parse_records(
                &resp(r#"{"reply":{"code":110,"detail":"Invalid API Key"}}"#),
                &key
            ),
            Err(ProviderError::Auth(_))
        ));
        assert!(matches!(
            parse_records(
                &resp(r#"{"reply":{"code":280,"detail":"Invalid domain syntax"}}"#),
                &key
            ),
            Err(ProviderError::Refused(_))
        ));
    }
}
