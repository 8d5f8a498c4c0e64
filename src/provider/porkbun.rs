//! Porkbun's JSON API v3: every call is a POST whose JSON body carries `apikey` and
//! `secretapikey`; answers are `{"status": "SUCCESS" | "ERROR", "message": ...}`.
//!
//! Documentation: <https://porkbun.com/api/json/v3/documentation> (host `api.porkbun.com`;
//! the old `porkbun.com/api/json/v3` host stopped serving the API on 2024-12-01),
//! OpenAPI spec <https://porkbun.com/api/json/v3/spec>.
//!
//! Used here:
//! - `POST /domain/listAll` (`start` offset, pages of up to 1000): the account's domains, for
//!   `find_zone`.
//! - `POST /dns/retrieveByNameType/{domain}/{type}[/{subdomain}]`: one RRset, with record ids.
//! - `POST /dns/create/{domain}`, `/dns/edit/{domain}/{id}`, `/dns/delete/{domain}/{id}`: change
//!   only the records that differ (several values per RRset are separate records).
//! - `POST /dns/deleteByNameType/{domain}/{type}[/{subdomain}]`: delete a whole RRset.
//!
//! TTL: Porkbun's minimum (and default) is 600 s; a smaller TTL is raised to 600
//! (`min_ttl` in the capabilities).
//! TXT: Porkbun stores a TXT value as one text (`content`). A multi-string TXT is sent as the
//! concatenation of its strings (what SPF/DKIM consumers read, RFC 7208 section 3.3); a text
//! longer than 255 bytes reads back split into 255-byte strings (see [`super::text::joined`]).
//! Errors: HTTP 4xx with `{"status":"ERROR","message":"..."}`; a refused key ("Invalid API key",
//! or a domain not opted in to API access) is an authentication error whatever the status.

use std::str::FromStr;
use std::time::Duration;

use hickory_proto::rr::{Name, RData};
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response};
use super::page::{self, ZoneCache};
use super::plan::{Held, Step, plan};
use super::text::{joined_value, parse_joined};
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef,
    check_expected, longest_zone, plain_name, relative_name,
};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.porkbun.com/api/json/v3";

/// Porkbun's smallest TTL.
pub const MIN_TTL: u32 = 600;

/// `type = "porkbun"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The API key (`pk1_...`).
    pub api_key: SecretRef,
    /// The secret API key (`sk1_...`).
    pub secret_api_key: SecretRef,
    /// HTTP settings (`endpoint` defaults to `https://api.porkbun.com/api/json/v3`).
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct Porkbun {
    http: Http,
    settings: HttpSettings,
    api_key: Secret,
    secret_api_key: Secret,
    zones: ZoneCache,
}

impl Porkbun {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let ([api_key, secret_api_key], http) = Http::configured(
            setup,
            [
                (&c.api_key, "api_key"),
                (&c.secret_api_key, "secret_api_key"),
            ],
            &c.http,
            Duration::from_millis(500),
        )?;
        Ok(Porkbun {
            http,
            settings: c.http.clone(),
            api_key,
            secret_api_key,
            zones: ZoneCache::default(),
        })
    }

    /// A POST to `path` with the keys added to `body`.
    async fn call(&self, path: &str, mut body: Value) -> Result<Response, ProviderError> {
        let url = http::endpoint(&self.settings, DEFAULT_ENDPOINT, path)?;
        body["apikey"] = Value::String(self.api_key.expose().to_string());
        body["secretapikey"] = Value::String(self.secret_api_key.expose().to_string());
        let request = Request::new(reqwest::Method::POST, url).json(&body);
        let response = self.http.send(&request).await?;
        succeeded(&response, |m| self.http.scrub(m))?;
        Ok(response)
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let path = by_name_type("retrieveByNameType", zone, key);
        let response = self.call(&path, json!({})).await?;
        parse_records(&response, key)
    }
}

/// Whether an answer succeeded (2xx with status `SUCCESS`); else the error it means, with
/// Porkbun's message passed through `scrub`.
pub(crate) fn succeeded(
    response: &Response,
    scrub: impl Fn(&str) -> String,
) -> Result<(), ProviderError> {
    let status: Status = serde_json::from_slice(&response.body).unwrap_or_default();
    if response.ok() && status.status.eq_ignore_ascii_case("SUCCESS") {
        return Ok(());
    }
    let detail = scrub(status.message.unwrap_or_default().trim());
    let lower = detail.to_ascii_lowercase();
    if lower.contains("invalid api key") || lower.contains("not opted in to api access") {
        let what = format!(
            "{} answered HTTP {}: {detail}",
            response.what, response.status
        );
        return Err(ProviderError::Auth(what));
    }
    if response.ok() {
        // 200 with status ERROR (or no status at all).
        let detail = if detail.is_empty() {
            "no SUCCESS status".to_string()
        } else {
            detail
        };
        return Err(ProviderError::Refused(format!(
            "{}: {detail}",
            response.what
        )));
    }
    Err(response.error(&detail))
}

/// The records of a `retrieveByNameType` answer (successful) that are `key`'s.
pub(crate) fn parse_records(
    response: &Response,
    key: &RrsetKey,
) -> Result<Vec<Record>, ProviderError> {
    let list: RecordList = response.json()?;
    let want = plain_name(&key.name).to_ascii_lowercase();
    // The endpoint filters already; keep only exact matches in case it ever widens.
    Ok(list
        .records
        .into_iter()
        .filter(|r| {
            r.name.trim_end_matches('.').eq_ignore_ascii_case(&want)
                && r.rtype.eq_ignore_ascii_case(&key.rtype.to_string())
        })
        .collect())
}

/// The RRset `records` hold.
pub(crate) fn to_rrset(
    zone: &Name,
    key: &RrsetKey,
    records: &[Record],
) -> Result<Rrset, ProviderError> {
    let mut set = Rrset::default();
    for r in records {
        set.ttl = set.ttl.or_else(|| r.ttl.parse().ok());
        let value = parse_joined(key.rtype, zone, &r.content).map_err(|e| {
            ProviderError::Protocol(format!("{key}: Porkbun holds {:?}: {e}", r.content))
        })?;
        set.values.push(value);
    }
    Ok(set)
}

/// The zones of a `domain/listAll` page (successful); none at the end of the listing.
pub(crate) fn parse_domains(response: &Response) -> Result<Vec<Name>, ProviderError> {
    let page: DomainList = response.json()?;
    page.domains
        .iter()
        .map(|d| {
            Name::from_str(&format!("{}.", d.domain.trim_end_matches('.')))
                .map_err(|e| ProviderError::Protocol(format!("domain/listAll: bad domain: {e}")))
        })
        .collect()
}

fn by_name_type(op: &str, zone: &Name, key: &RrsetKey) -> String {
    let domain = plain_name(zone);
    let sub = relative_name(&key.name, zone);
    if sub == "@" {
        format!("dns/{op}/{domain}/{}", key.rtype)
    } else {
        format!("dns/{op}/{domain}/{}/{sub}", key.rtype)
    }
}

#[derive(Debug, Default, Deserialize)]
struct Status {
    #[serde(default)]
    status: String,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RecordList {
    #[serde(default)]
    records: Vec<Record>,
}

/// One record as Porkbun answers it (every field a string).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Record {
    #[serde(deserialize_with = "string_or_number")]
    id: String,
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    content: String,
    #[serde(default, deserialize_with = "string_or_number")]
    ttl: String,
}

#[derive(Debug, Deserialize)]
struct DomainList {
    #[serde(default)]
    domains: Vec<DomainEntry>,
}

#[derive(Debug, Deserialize)]
struct DomainEntry {
    domain: String,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string, got {other}"
        ))),
    }
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

impl Provider for Porkbun {
    fn label(&self) -> String {
        "porkbun".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zones = self
            .zones
            .get_or_list(async {
                let listing = page::pages(usize::MAX, (), |(), start| async move {
                    let response = self
                        .call(
                            "domain/listAll",
                            json!({ "start": start.to_string(), "includeLabels": "no" }),
                        )
                        .await?;
                    let zones = parse_domains(&response)?;
                    if zones.is_empty() {
                        return Ok((Vec::new(), None));
                    }
                    if start + zones.len() > 1_000_000 {
                        return Err(ProviderError::Protocol(
                            "domain/listAll: the listing does not end".into(),
                        ));
                    }
                    Ok((zones, Some(())))
                })
                .await?;
                Ok(listing.items)
            })
            .await?;
        longest_zone(name, &zones).ok_or_else(|| {
            ProviderError::Refused(format!(
                "{name}: no domain of this Porkbun account holds it"
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let records = self.records(zone, key).await?;
        to_rrset(zone, key, &records)
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let ttl = ttl.max(MIN_TTL);
        let records = self.records(zone, key).await?;
        let mut actual = Rrset::default();
        for r in &records {
            if let Ok(v) = parse_joined(key.rtype, zone, &r.content) {
                actual.values.push(v);
            }
        }
        if let Some(conflict) = check_expected(key, &actual, expected) {
            return Ok(conflict);
        }
        if new.is_empty() {
            if !records.is_empty() {
                self.call(&by_name_type("deleteByNameType", zone, key), json!({}))
                    .await?;
            }
            return Ok(Applied::Done);
        }
        let domain = plain_name(zone);
        let sub = match relative_name(&key.name, zone).as_str() {
            "@" => String::new(),
            s => s.to_string(),
        };
        // What each wanted value looks like at Porkbun: records are compared by that text.
        let wanted = new
            .iter()
            .map(|v| joined_value(key, v))
            .collect::<Result<Vec<String>, _>>()?;
        let held: Vec<Held<String>> = records
            .iter()
            .map(|r| Held {
                value: r.content.clone(),
                ttl_ok: r.ttl == ttl.to_string(),
            })
            .collect();
        let body = |content: &str| {
            json!({
                "name": sub,
                "type": key.rtype.to_string(),
                "content": content,
                "ttl": ttl.to_string(),
            })
        };
        for step in plan(&held, &wanted) {
            match step {
                Step::Retime(i) => {
                    let r = &records[i];
                    self.call(&format!("dns/edit/{domain}/{}", r.id), body(&r.content))
                        .await?
                }
                Step::Reuse { index, value, .. } => {
                    let id = &records[index].id;
                    self.call(&format!("dns/edit/{domain}/{id}"), body(&value))
                        .await?
                }
                Step::Create(value) => {
                    self.call(&format!("dns/create/{domain}"), body(&value))
                        .await?
                }
                Step::Delete(i) => {
                    let id = &records[i].id;
                    self.call(&format!("dns/delete/{domain}/{id}"), json!({}))
                        .await?
                }
            };
        }
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::RecordType;

    fn key(name: &str, rtype: RecordType) -> RrsetKey {
        RrsetKey {
            name: Name::from_str(name).unwrap(),
            rtype,
        }
    }

    #[test]
    fn paths_leave_out_the_apex() {
        let zone = Name::from_str("example.com.").unwrap();
        assert_eq!(
            by_name_type(
                "retrieveByNameType",
                &zone,
                &key("example.com.", RecordType::A)
            ),
            "dns/retrieveByNameType/example.com/A"
        );
        assert_eq!(
            by_name_type(
                "deleteByNameType",
                &zone,
                &key("a.b.example.com.", RecordType::TXT)
            ),
            "dns/deleteByNameType/example.com/TXT/a.b"
        );
    }

    #[test]
    fn answers_parse() {
        let list: RecordList = serde_json::from_str(
            r#"{"status":"SUCCESS","records":[{"id":"106926659","name":"www.example.com","type":"A","content":"1.1.1.1","ttl":"600","prio":"0","notes":""},{"id":7,"name":"example.com","type":"A","content":"1.1.1.2","ttl":600}]}"#,
        )
        .unwrap();
        assert_eq!(list.records[0].id, "106926659");
        assert_eq!(list.records[1].ttl, "600");
        let s: Status =
            serde_json::from_str(r#"{"status":"ERROR","message":"Invalid API key. (002)"}"#)
                .unwrap();
        assert_eq!(s.status, "ERROR");
    }
}
