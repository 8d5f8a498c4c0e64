//! ClouDNS HTTP API (`https://api.cloudns.net/dns/*.json`). Every call carries the API user
//! (`auth-id`, or a sub-user's `sub-auth-id` / `sub-auth-user`) and `auth-password`; dnsup
//! sends them with every parameter as a `POST` form, which the API takes as well as `GET`, so
//! the password never sits in a URL. One record per value, each with an id: master zones are
//! listed with `list-zones.json` (`page`, `rows-per-page`), an RRset is what `records.json`
//! answers for one `host` and `type` (an object keyed by record id; an empty array when there
//! is none; disabled records are not served and are left alone), records are created with
//! `add-record.json`, changed with `mod-record.json` and deleted with `delete-record.json`.
//! `host` is relative to the zone, empty for the apex. A refusal comes as HTTP 200 with
//! `{"status": "Failed", "statusDescription": "..."}`. The shared read-compare-write lives in
//! [`super::per_record`].
//!
//! TTLs: ClouDNS takes only a fixed set (60 s, 5, 15, 30 minutes, 1, 6, 12 hours, 1, 2, 3
//! days, 1, 2 weeks, 1 month); another TTL is rounded up to the next one (`ttl_set` in the
//! capabilities, which the registry and the README show).
//!
//! A, AAAA and CNAME only: ClouDNS documents no escaping for TXT records.
//!
//! Documentation: <https://www.cloudns.net/wiki/article/41/> (API introduction), list zones
//! <https://www.cloudns.net/wiki/article/50/>, list records
//! <https://www.cloudns.net/wiki/article/57/>, add <https://www.cloudns.net/wiki/article/58/>,
//! modify <https://www.cloudns.net/wiki/article/60/>, delete
//! <https://www.cloudns.net/wiki/article/59/>, available TTLs
//! <https://www.cloudns.net/wiki/article/188/>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::page::{self, ZoneCache};
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.cloudns.net";

/// The TTLs ClouDNS takes (`mod-record.json`: "Available TTL's").
pub const TTLS: &[u32] = &[
    60, 300, 900, 1800, 3600, 21600, 43200, 86400, 172800, 259200, 604800, 1209600, 2592000,
];

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    min_ttl: 60,
    ttl_set: TTLS,
    ..Capabilities::READ_WRITE
};

/// Rows per page (`rows-per-page` can be 10, 20, 30, 50 or 100).
const ROWS: usize = 100;

/// `type = "cloudns"`: one of `auth_id`, `sub_auth_id`, `sub_auth_user`, and `auth_password`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The API user's id (`auth-id`).
    pub auth_id: Option<String>,
    /// An API sub-user's id (`sub-auth-id`).
    pub sub_auth_id: Option<String>,
    /// An API sub-user's name (`sub-auth-user`).
    pub sub_auth_user: Option<String>,
    /// The API user's password (`auth-password`).
    pub auth_password: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// ClouDNS.
#[derive(Debug)]
pub struct ClouDns {
    http: Http,
    settings: HttpSettings,
    user: (&'static str, String),
    password: Secret,
    zones: ZoneCache,
}

#[derive(Debug, Deserialize)]
struct Zone {
    name: String,
    #[serde(rename = "type", default)]
    kind: String,
}

#[derive(Debug, Deserialize)]
struct ClouDnsRecord {
    #[serde(deserialize_with = "number_or_text")]
    id: String,
    #[serde(rename = "type")]
    rtype: String,
    #[serde(default)]
    host: String,
    record: String,
    #[serde(deserialize_with = "number_or_text")]
    ttl: String,
    #[serde(default = "active", deserialize_with = "number_or_text")]
    status: String,
}

fn active() -> String {
    "1".into()
}

/// ClouDNS writes numbers as JSON numbers or as strings.
fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a number or a string, got {other}"
        ))),
    }
}

/// The `statusDescription` of a `{"status": "Failed", ...}` body.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        #[serde(rename = "statusDescription")]
        description: Option<String>,
    }
    serde_json::from_slice::<E>(body)
        .ok()
        .and_then(|e| e.description)
        .map(|m| short(&m))
        .unwrap_or_default()
}

/// A 2xx answer that is `{"status": "Failed", ...}` is a refusal (or an authentication
/// error, when its description says so).
pub fn failed(r: &Response) -> Option<ProviderError> {
    let v: Value = serde_json::from_slice(&r.body).ok()?;
    if v.get("status")?.as_str()? != "Failed" {
        return None;
    }
    let d = error_detail(&r.body);
    let what = format!("{}: ClouDNS refused: {d}", r.what);
    Some(if d.starts_with("Invalid authentication") {
        ProviderError::Auth(what)
    } else {
        ProviderError::Refused(what)
    })
}

/// A page of `list-zones.json` (2xx): the master zones and whether another page may follow.
pub fn parse_zones(r: &Response) -> Result<(Vec<Name>, bool), ProviderError> {
    if let Some(e) = failed(r) {
        return Err(e);
    }
    let zones: Vec<Zone> = r.json()?;
    let more = zones.len() >= ROWS;
    Ok((
        zones
            .into_iter()
            .filter(|z| z.kind.is_empty() || z.kind == "master")
            .filter_map(|z| Name::from_ascii(format!("{}.", z.name)).ok())
            .collect(),
        more,
    ))
}

fn host(key: &RrsetKey, zone: &Name) -> String {
    match relative_name(&key.name, zone).as_str() {
        "@" => String::new(),
        other => other.to_string(),
    }
}

/// A page of `records.json` (2xx): the active records of `key` and whether another page may
/// follow. No record at all is an empty array; records are an object keyed by id.
pub fn parse_records(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<(Vec<Record>, bool), ProviderError> {
    if let Some(e) = failed(r) {
        return Err(e);
    }
    let all: Vec<ClouDnsRecord> = match r.json::<Value>()? {
        Value::Array(a) if a.is_empty() => Vec::new(),
        Value::Object(map) => map
            .into_iter()
            .map(|(_, v)| serde_json::from_value(v))
            .collect::<Result<_, _>>()
            .map_err(|e| ProviderError::Protocol(format!("{}: unexpected answer ({e})", r.what)))?,
        _ => {
            return Err(ProviderError::Protocol(format!(
                "{}: unexpected answer (neither records nor an empty list)",
                r.what
            )));
        }
    };
    let more = all.len() >= ROWS;
    let (host, rtype) = (host(key, zone), key.rtype.to_string());
    let records = all
        .into_iter()
        .filter(|x| x.status == "1" && x.rtype == rtype && x.host.eq_ignore_ascii_case(&host))
        .map(|x| {
            let value = parse_compact(key.rtype, &x.record).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: ClouDNS holds a value dnsup cannot read: {e}"
                ))
            })?;
            let ttl = x.ttl.parse().map_err(|_| {
                ProviderError::Protocol(format!("{key}: ClouDNS gave the TTL {:?}", x.ttl))
            })?;
            Ok(Record {
                id: x.id,
                value,
                ttl,
            })
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    Ok((records, more))
}

/// The answer of `add-record.json`, `mod-record.json` or `delete-record.json` (2xx):
/// `{"status": "Success", ...}`, anything else a refusal.
pub fn parse_change(r: &Response) -> Result<(), ProviderError> {
    if let Some(e) = failed(r) {
        return Err(e);
    }
    let v: Value = r.json()?;
    match v.get("status").and_then(Value::as_str) {
        Some("Success") => Ok(()),
        _ => Err(ProviderError::Protocol(format!(
            "{}: no \"Success\" status in the answer",
            r.what
        ))),
    }
}

impl ClouDns {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let user = match (&c.auth_id, &c.sub_auth_id, &c.sub_auth_user) {
            (Some(id), None, None) => ("auth-id", id.clone()),
            (None, Some(id), None) => ("sub-auth-id", id.clone()),
            (None, None, Some(name)) => ("sub-auth-user", name.clone()),
            _ => {
                return Err(
                    "set exactly one of auth_id, sub_auth_id, sub_auth_user (ClouDNS > API settings)"
                        .into(),
                );
            }
        };
        if user.1.is_empty() {
            return Err(format!("{}: empty", user.0.replace('-', "_")));
        }
        // ClouDNS states no request rate; 200 ms apart is gentle and a pass needs a handful.
        let ([password], http) = Http::configured(
            setup,
            [(&c.auth_password, "auth_password")],
            &c.http,
            Duration::from_millis(200),
        )?;
        Ok(ClouDns {
            http,
            settings: c.http.clone(),
            user,
            password,
            zones: ZoneCache::default(),
        })
    }

    /// `POST /dns/{call}.json` with the credentials and `params` as a form.
    async fn call(&self, call: &str, params: &[(&str, &str)]) -> Result<Response, ProviderError> {
        let file = format!("{call}.json");
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, &["dns", &file])?;
        let mut pairs: Vec<(&str, &str)> = vec![
            (self.user.0, self.user.1.as_str()),
            ("auth-password", self.password.expose()),
        ];
        pairs.extend_from_slice(params);
        let r = Request::new(Method::POST, url).form(&pairs);
        let answer = self.http.send_ok(&r, error_detail).await?;
        // A refusal comes with HTTP 200: its text passes the same scrubbing as any error.
        match failed(&answer) {
            Some(ProviderError::Auth(m)) => Err(ProviderError::Auth(self.http.scrub(&m))),
            Some(ProviderError::Refused(m)) => Err(ProviderError::Refused(self.http.scrub(&m))),
            Some(other) => Err(other),
            None => Ok(answer),
        }
    }
}

impl RecordApi for ClouDns {
    const LABEL: &'static str = "cloudns";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = 60;

    fn name(&self) -> &'static str {
        "ClouDNS"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        self.zones
            .get_or_list(page::numbered(|page| async move {
                let (p, rows) = (page.to_string(), ROWS.to_string());
                let r = self
                    .call("list-zones", &[("page", &p), ("rows-per-page", &rows)])
                    .await?;
                parse_zones(&r)
            }))
            .await
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let (domain, host, rtype) = (plain_name(zone), host(key, zone), key.rtype.to_string());
        let (domain, host, rtype) = (&domain, &host, &rtype);
        page::numbered(|page| async move {
            let (p, rows) = (page.to_string(), ROWS.to_string());
            let r = self
                .call(
                    "records",
                    &[
                        ("domain-name", domain),
                        ("host", host),
                        ("type", rtype),
                        ("rows-per-page", &rows),
                        ("page", &p),
                    ],
                )
                .await?;
            parse_records(&r, zone, key)
        })
        .await
    }

    async fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let r = self
            .call(
                "add-record",
                &[
                    ("domain-name", &plain_name(zone)),
                    ("record-type", &key.rtype.to_string()),
                    ("host", &host(key, zone)),
                    ("record", &compact(value)),
                    ("ttl", &ttl.to_string()),
                ],
            )
            .await?;
        parse_change(&r)
    }

    async fn update(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let r = self
            .call(
                "mod-record",
                &[
                    ("domain-name", &plain_name(zone)),
                    ("record-id", &record.id),
                    ("host", &host(key, zone)),
                    ("record", &compact(value)),
                    ("ttl", &ttl.to_string()),
                ],
            )
            .await?;
        parse_change(&r)
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let r = self
            .call(
                "delete-record",
                &[
                    ("domain-name", &plain_name(zone)),
                    ("record-id", &record.id),
                ],
            )
            .await?;
        parse_change(&r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Response {
        Response {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "POST /dns/records.json".into(),
        }
    }

    #[test]
    fn documented_shapes_parse() {
        let zone = Name::from_ascii("example.com.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let r = answer(
            r#"{"3456":{"id":"3456","type":"A","host":"www","record":"192.0.2.1","dynamicurl_status":0,"failover":"0","ttl":"3600","status":1},"3457":{"id":"3457","type":"A","host":"www","record":"192.0.2.2","failover":"0","ttl":"3600","status":0}}"#,
        );
        let (got, more) = parse_records(&r, &zone, &key).unwrap();
        assert_eq!(
            (got.len(), got[0].id.as_str(), got[0].ttl, more),
            (1, "3456", 3600, false)
        );
        assert!(
            parse_records(&answer("[]"), &zone, &key)
                .unwrap()
                .0
                .is_empty()
        );
        let e = parse_records(
            &answer(r#"{"status":"Failed","statusDescription":"Invalid authentication, incorrect auth-id or auth-password."}"#),
            &zone,
            &key,
        )
        .unwrap_err();
        assert!(matches!(e, ProviderError::Auth(_)), "{e}");
        let e = parse_change(&answer(
            r#"{"status":"Failed","statusDescription":"Missing domain-name"}"#,
        ))
        .unwrap_err();
        assert!(matches!(e, ProviderError::Refused(_)), "{e}");
        parse_change(&answer(r#"{"status":"Success","statusDescription":"The record was added successfully.","data":{"id":1}}"#)).unwrap();
    }

    #[test]
    fn ttls_round_up_to_the_documented_set() {
        assert_eq!(CAPABILITIES.effective_ttl(120), 300);
        assert_eq!(CAPABILITIES.effective_ttl(350), 900);
        assert_eq!(CAPABILITIES.effective_ttl(3600), 3600);
        assert_eq!(CAPABILITIES.effective_ttl(10_000_000), 2_592_000);
    }
}
