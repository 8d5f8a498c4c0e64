//! netcup CCP DNS API (the JSON form of the `DomainWebservice`:
//! `POST https://ccp.netcup.net/run/webservice/servers/endpoint.php?JSON` with
//! `{"action": ..., "param": {...}}`). A session API: `login` takes `customernumber`, `apikey`
//! and `apipassword` and answers an `apisessionid`, which every later call carries with
//! `customernumber` and `apikey`; the password travels only in `login`. dnsup keeps the session
//! for the next calls and logs in again when an answer says it is no longer valid (status code
//! 4001, "The session id is not in a valid format", what netcup answers for an expired
//! session), retrying that call once.
//!
//! One record per value, each with an id: `infoDnsRecords` (`domainname`) lists every record
//! of the zone (`responsedata.dnsrecords`: `id`, `hostname`, `type`, `priority`, `destination`,
//! `deleterecord`, `state`); `updateDnsRecords` (`domainname`, `dnsrecordset.dnsrecords`) takes a
//! list of records: one without an `id` is created, one with an `id` is changed, one with
//! `deleterecord: true` is deleted. The engine ([`super::per_record`]) calls create, update and
//! delete one at a time, so each call sends a list of one. `hostname` is relative to the zone,
//! `@` for the apex. Every answer is a `Responsemessage` (`status` "success" or "error",
//! `statuscode`, `shortmessage`, `longmessage`, `responsedata`), with HTTP 200 either way.
//!
//! TTL: netcup keeps one TTL per zone (`Dnszone.ttl`), none per record, so the capabilities say
//! `ttl: false` and the TTL asked for is not sent. No call lists a (non-reseller) customer's
//! zones, so the zone is configured (`domain`).
//!
//! A and AAAA only: the documentation gives no format for other destinations (CNAME with or
//! without its final dot, TXT escaping).
//!
//! Documentation: <https://ccp.netcup.net/run/webservice/servers/endpoint.php> (functions
//! `login`, `logout`, `infoDnsRecords`, `updateDnsRecords`; types `Responsemessage`,
//! `Dnsrecord`, `Dnsrecordset`, `Dnszone`; the JSON URI) and the PHP client it offers
//! (`?PHPSOAPCLIENT`, the same descriptions); credentials
//! <https://helpcenter.netcup.com/en/wiki/general/our-api/>. The meaning of status code 4001 rests
//! on what peers observe (the netcup DynDNS PHP client, Posh-ACME's Netcup plugin); the stored
//! documentation does not list status codes.

use std::sync::Mutex;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint, short};
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name, relative_name};

/// The documented endpoint (the JSON form is chosen by the query `?JSON`).
pub const DEFAULT_ENDPOINT: &str = "https://ccp.netcup.net/run/webservice/servers/endpoint.php";

/// The status code of an answer to a call whose session is no longer valid.
pub const SESSION_INVALID: u64 = 4001;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA],
    ttl: false,
    ..Capabilities::READ_WRITE
};

/// `type = "netcup"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The customer number (CCP, next to the customer's name).
    pub customer_number: String,
    /// An API key (CCP > Master Data > API).
    pub api_key: SecretRef,
    /// The API password (CCP > Master Data > API; one per customer).
    pub api_password: SecretRef,
    /// The zone the records live in (`example.org`): the API cannot list a customer's zones.
    pub domain: String,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// netcup.
#[derive(Debug)]
pub struct Netcup {
    http: Http,
    settings: HttpSettings,
    customer: String,
    key: Secret,
    password: Secret,
    domain: Name,
    session: Mutex<Option<Secret>>,
}

/// A `Responsemessage`.
#[derive(Debug, Clone, Deserialize)]
pub struct Answer {
    /// "success", "error", "warning", "pending", "started".
    #[serde(default)]
    pub status: String,
    /// Like 2000 (success) or 4001 (session not valid).
    #[serde(default, deserialize_with = "number_or_text")]
    pub statuscode: u64,
    /// A short message.
    #[serde(default)]
    pub shortmessage: String,
    /// A longer message.
    #[serde(default)]
    pub longmessage: String,
    /// The call's data (an object, or an empty string when there is none).
    #[serde(default)]
    pub responsedata: Value,
}

impl Answer {
    /// Its messages, on one short line.
    pub fn message(&self) -> String {
        short(&format!(
            "{} {}: {}",
            self.statuscode, self.shortmessage, self.longmessage
        ))
    }
}

#[derive(Debug, Deserialize)]
struct NetcupRecord {
    #[serde(deserialize_with = "id_text")]
    id: String,
    #[serde(default)]
    hostname: String,
    #[serde(rename = "type", default)]
    rtype: String,
    #[serde(default)]
    destination: String,
}

/// netcup writes some numbers as JSON numbers, others as strings.
fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| serde::de::Error::custom(format!("not a count: {n}"))),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("not a number: {}", short(&s)))),
        Value::Null => Ok(0),
        other => Err(serde::de::Error::custom(format!(
            "expected a number, got {}",
            short(&other.to_string())
        ))),
    }
}

/// A record id, written as a string or a number; kept as written.
fn id_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) if !s.is_empty() => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a record id, got {}",
            short(&other.to_string())
        ))),
    }
}

/// The `Responsemessage` of any answer with a 2xx status.
pub fn parse_answer(r: &Response) -> Result<Answer, ProviderError> {
    r.json()
}

/// The `apisessionid` of a `login` answer; a refused login is an authentication error.
pub fn session_of(a: &Answer) -> Result<String, ProviderError> {
    if a.status != "success" {
        return Err(ProviderError::Auth(format!(
            "netcup refused the login (check customer_number, api_key, api_password): {}",
            a.message()
        )));
    }
    a.responsedata
        .get("apisessionid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ProviderError::Protocol("netcup login answered no apisessionid".into()))
}

/// What an answer that is not "success" means (the session case is handled by the caller).
pub fn failure(action: &str, a: &Answer) -> ProviderError {
    let what = format!("netcup {action}: {}", a.message());
    match (a.status.as_str(), a.statuscode) {
        (_, SESSION_INVALID) => ProviderError::Auth(what),
        ("error", _) => ProviderError::Refused(what),
        _ => ProviderError::Protocol(what),
    }
}

fn host(key: &RrsetKey, zone: &Name) -> String {
    relative_name(&key.name, zone)
}

/// The records of `key` in the `responsedata` of an `infoDnsRecords` answer.
pub fn parse_records(
    data: &Value,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Vec<Record>, ProviderError> {
    let list = match data.get("dnsrecords") {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(_) => {
            return Err(ProviderError::Protocol(
                "netcup infoDnsRecords: dnsrecords is not a list".into(),
            ));
        }
    };
    let (name, rtype) = (host(key, zone), key.rtype.to_string());
    let mut out = Vec::new();
    for item in list {
        let x: NetcupRecord = serde_json::from_value(item).map_err(|e| {
            ProviderError::Protocol(format!("netcup infoDnsRecords: unexpected record ({e})"))
        })?;
        if !x.rtype.eq_ignore_ascii_case(&rtype) || !x.hostname.eq_ignore_ascii_case(&name) {
            continue;
        }
        let value = parse_compact(key.rtype, &x.destination).map_err(|e| {
            ProviderError::Protocol(format!(
                "{key}: netcup holds a value dnsup cannot read: {e}"
            ))
        })?;
        out.push(Record {
            id: x.id,
            value,
            ttl: 0,
        });
    }
    Ok(out)
}

impl Netcup {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let customer = c.customer_number.trim().to_string();
        if customer.is_empty() || !customer.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "customer_number '{}': the netcup customer number, digits only",
                c.customer_number
            ));
        }
        let domain = Name::from_ascii(format!("{}.", c.domain.trim_end_matches('.')))
            .map_err(|e| format!("domain '{}': {e}", c.domain))?;
        // netcup states no request rate; a fifth of a second apart is gentle.
        let ([key, password], http) = Http::configured(
            setup,
            [(&c.api_key, "api_key"), (&c.api_password, "api_password")],
            &c.http,
            Duration::from_millis(200),
        )?;
        Ok(Netcup {
            http,
            settings: c.http.clone(),
            customer,
            key,
            password,
            domain,
            session: Mutex::new(None),
        })
    }

    /// `POST ...endpoint.php?JSON` with `{"action", "param"}`; the answer's `Responsemessage`.
    async fn post(&self, action: &str, param: Map<String, Value>) -> Result<Answer, ProviderError> {
        let mut url = endpoint(&self.settings, DEFAULT_ENDPOINT, "")?;
        let path = url.path().trim_end_matches('/').to_string();
        url.set_path(&path);
        url.set_query(Some("JSON"));
        let body = json!({ "action": action, "param": Value::Object(param) });
        let r = Request::new(Method::POST, url).json(&body);
        let response = self
            .http
            .send_ok(&r, |b| short(&String::from_utf8_lossy(b)))
            .await?;
        let mut a = parse_answer(&response)?;
        // Messages may echo what was sent: they pass the same scrubbing as any error.
        a.shortmessage = self.http.scrub(&a.shortmessage);
        a.longmessage = self.http.scrub(&a.longmessage);
        Ok(a)
    }

    fn base(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("customernumber".into(), json!(self.customer));
        m.insert("apikey".into(), json!(self.key.expose()));
        m
    }

    async fn login(&self) -> Result<Secret, ProviderError> {
        let mut param = self.base();
        param.insert("apipassword".into(), json!(self.password.expose()));
        let a = self.post("login", param).await?;
        Ok(Secret::new(session_of(&a)?))
    }

    /// The cached session, or a new one.
    async fn session(&self) -> Result<Secret, ProviderError> {
        if let Some(s) = self.lock().clone() {
            return Ok(s);
        }
        let s = self.login().await?;
        *self.lock() = Some(s.clone());
        Ok(s)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Secret>> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Call `action` in a session; its `responsedata`. An answer saying the session is not
    /// valid (it expired) logs in again and sends the call once more.
    async fn call(&self, action: &str, param: Map<String, Value>) -> Result<Value, ProviderError> {
        for attempt in 0..2 {
            let session = self.session().await?;
            let mut p = self.base();
            p.insert("apisessionid".into(), json!(session.expose()));
            p.extend(param.clone());
            let a = self.post(action, p).await?;
            if a.status == "success" {
                return Ok(a.responsedata);
            }
            if a.statuscode == SESSION_INVALID && attempt == 0 {
                tracing::debug!("netcup: the session is no longer valid; logging in again");
                *self.lock() = None;
                continue;
            }
            return Err(failure(action, &a));
        }
        unreachable!("the loop returns")
    }

    fn domain_param(&self, zone: &Name) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("domainname".into(), json!(plain_name(zone)));
        m
    }

    async fn change(&self, zone: &Name, record: Value) -> Result<(), ProviderError> {
        let mut p = self.domain_param(zone);
        p.insert("dnsrecordset".into(), json!({ "dnsrecords": [record] }));
        self.call("updateDnsRecords", p).await?;
        Ok(())
    }

    /// End the session (`logout`), if there is one.
    pub async fn logout(&self) -> Result<(), ProviderError> {
        let Some(session) = self.lock().take() else {
            return Ok(());
        };
        let mut p = self.base();
        p.insert("apisessionid".into(), json!(session.expose()));
        let a = self.post("logout", p).await?;
        match a.status.as_str() {
            "success" => Ok(()),
            _ => Err(failure("logout", &a)),
        }
    }
}

impl RecordApi for Netcup {
    const LABEL: &'static str = "netcup";
    const CAPABILITIES: Capabilities = CAPABILITIES;

    fn name(&self) -> &'static str {
        "netcup"
    }

    /// The one configured zone (the API has no call listing a customer's zones).
    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Ok(vec![self.domain.clone()])
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let data = self.call("infoDnsRecords", self.domain_param(zone)).await?;
        parse_records(&data, zone, key)
    }

    async fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        _ttl: u32,
    ) -> Result<(), ProviderError> {
        let record = json!({
            "hostname": host(key, zone),
            "type": key.rtype.to_string(),
            "destination": compact(value),
            "deleterecord": false,
        });
        self.change(zone, record).await
    }

    async fn update(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
        value: &RData,
        _ttl: u32,
    ) -> Result<(), ProviderError> {
        let record = json!({
            "id": record.id,
            "hostname": host(key, zone),
            "type": key.rtype.to_string(),
            "destination": compact(value),
            "deleterecord": false,
        });
        self.change(zone, record).await
    }

    async fn delete(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let record = json!({
            "id": record.id,
            "hostname": host(key, zone),
            "type": key.rtype.to_string(),
            "destination": compact(&record.value),
            "deleterecord": true,
        });
        self.change(zone, record).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &str) -> Response {
        Response {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "POST /run/webservice/servers/endpoint.php".into(),
        }
    }

    #[test]
    fn documented_shapes_parse() {
        let ok = response(
            r#"{"serverrequestid":"s1","clientrequestid":"","action":"login","status":"success","statuscode":2000,"shortmessage":"Login successful","longmessage":"Session has been created successful.","responsedata":{"apisessionid":"abc123"}}"#,
        );
        assert_eq!(session_of(&parse_answer(&ok).unwrap()).unwrap(), "abc123");
        let refused = response(
            r#"{"serverrequestid":"s2","clientrequestid":"","action":"login","status":"error","statuscode":4013,"shortmessage":"Validation Error.","longmessage":"login failed","responsedata":""}"#,
        );
        let refused = parse_answer(&refused).unwrap();
        assert!(matches!(session_of(&refused), Err(ProviderError::Auth(_))));

        let zone = Name::from_ascii("example.org.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("example.org.").unwrap(),
            rtype: RecordType::A,
        };
        let data: Value = serde_json::from_str(
            r#"{"dnsrecords":[{"id":"101","hostname":"@","type":"A","priority":"0","destination":"192.0.2.1","deleterecord":false,"state":"yes"},{"id":"102","hostname":"www","type":"A","priority":"0","destination":"192.0.2.2","deleterecord":false,"state":"yes"}]}"#,
        )
        .unwrap();
        let got = parse_records(&data, &zone, &key).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id, "101");
        let a: Answer = serde_json::from_str(
            r#"{"status":"error","statuscode":"4001","shortmessage":"Api session id in invalid format","longmessage":"The session id is not in a valid format.","responsedata":""}"#,
        )
        .unwrap();
        assert_eq!(a.statuscode, SESSION_INVALID);
    }
}
