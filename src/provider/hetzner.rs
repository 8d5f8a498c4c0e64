//! Hetzner DNS through the Hetzner Cloud API (`https://api.hetzner.cloud/v1`, zones and RRsets,
//! `Authorization: Bearer` with a Cloud project API token). This is the API Hetzner documents as
//! current: DNS moved into the Hetzner Console in 2025, the old DNS Console API
//! (`dns.hetzner.com/api/v1`, `Auth-API-Token`) stopped accepting new zones when the beta ended
//! (November 2025) and was shut down in May 2026, and a migrated zone can no longer be changed
//! through it. Zones still on the old API must be migrated (Hetzner Console) first.
//!
//! The API works on whole RRsets, as dnsup does: read with `GET
//! /zones/{zone}/rrsets/{name}/{type}`, create with `POST /zones/{zone}/rrsets`, change values
//! with the `set_records` action (each kept value keeps its comment), the TTL with `change_ttl`,
//! delete with `DELETE`. Changes are asynchronous actions; dnsup waits (bounded) until each has
//! finished (`GET /zones/actions/{id}`) and reports a failed one. TXT values are quoted
//! character-strings, as the API requires.
//!
//! Documentation:
//! - <https://docs.hetzner.cloud/reference/cloud#zones>
//! - <https://docs.hetzner.cloud/reference/cloud#zone-rrsets>
//! - <https://docs.hetzner.cloud/reference/cloud#zone-rrset-actions>
//! - <https://docs.hetzner.cloud/reference/cloud#zone-actions-get-an-action>
//! - <https://docs.hetzner.cloud/reference/cloud#pagination>, `#errors`, `#rate-limiting`
//! - <https://docs.hetzner.com/networking/dns/migration-to-hetzner-console/process>

use std::time::Duration;

use hickory_proto::rr::{Name, RData};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{BearerApi, HttpSettings, Response};
use super::page;
use super::text::{parse_presentation, presentation};
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, SecretRef, check_expected,
    longest_zone, plain_name, relative_name, same_values,
};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.hetzner.cloud/v1";

/// The API's smallest TTL.
pub const MIN_TTL: u32 = 60;

const PER_PAGE: u32 = 50;

/// `type = "hetzner"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A Hetzner Cloud API token (Read & Write) of the project holding the zones.
    pub token: SecretRef,
    /// How long to wait for an asynchronous change to finish (default 30 s).
    #[serde(
        default = "default_action_timeout",
        deserialize_with = "crate::daemon::config::duration"
    )]
    pub action_timeout: Duration,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

fn default_action_timeout() -> Duration {
    Duration::from_secs(30)
}

/// Hetzner DNS (Cloud API).
#[derive(Debug)]
pub struct Hetzner {
    api: BearerApi,
    action_timeout: Duration,
    /// Pause between two looks at a running action.
    pub poll_interval: Duration,
}

#[derive(Debug, Deserialize)]
struct ZoneList {
    zones: Vec<Zone>,
    meta: Option<Meta>,
}

#[derive(Debug, Deserialize)]
struct Meta {
    pagination: Option<Pagination>,
}

#[derive(Debug, Deserialize)]
struct Pagination {
    next_page: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Zone {
    name: String,
    #[serde(default)]
    pub(crate) ttl: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ZoneAnswer {
    pub(crate) zone: Zone,
}

#[derive(Debug, Deserialize)]
struct RrsetAnswer {
    rrset: HzRrset,
}

#[derive(Debug, Deserialize)]
struct HzRrset {
    pub(crate) ttl: Option<u32>,
    #[serde(default)]
    records: Vec<HzRecord>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct HzRecord {
    value: String,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ActionAnswer {
    pub(crate) action: Action,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Action {
    id: u64,
    status: String,
    #[serde(default)]
    error: Option<ActionError>,
}

#[derive(Debug, Deserialize)]
struct ActionError {
    code: Option<String>,
    message: Option<String>,
}

/// The Cloud API's error body: `{"error": {"code": "...", "message": "..."}}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct B {
        error: ActionError,
    }
    match serde_json::from_slice::<B>(body) {
        Ok(B {
            error:
                ActionError {
                    code: Some(c),
                    message: Some(m),
                },
        }) => format!("{m} ({c})"),
        Ok(B {
            error: ActionError {
                message: Some(m), ..
            },
        }) => m,
        _ => String::new(),
    }
}

impl Hetzner {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // 3,600 requests per hour per project: one a second never runs the budget dry.
        let api = BearerApi::new(
            setup,
            &c.token,
            &c.http,
            DEFAULT_ENDPOINT,
            Duration::from_secs(1),
            error_detail,
        )?;
        Ok(Hetzner {
            api,
            action_timeout: c.action_timeout,
            poll_interval: Duration::from_millis(500),
        })
    }

    /// The RRset's path segments: zone name, `rrsets`, relative lower-case name (`@` for the
    /// apex), type.
    fn rrset_path(zone: &Name, key: &RrsetKey) -> [String; 5] {
        [
            "zones".into(),
            plain_name(zone).to_ascii_lowercase(),
            "rrsets".into(),
            relative_name(&key.name, zone).to_ascii_lowercase(),
            key.rtype.to_string(),
        ]
    }

    /// The RRset with its records (values and comments), `None` when absent.
    async fn get(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Option<(Rrset, Vec<HzRecord>)>, ProviderError> {
        let path = Self::rrset_path(zone, key);
        let segments: Vec<&str> = path.iter().map(String::as_str).collect();
        let response = self
            .api
            .http
            .send(&self.api.request(Method::GET, self.api.url(&segments)?))
            .await?;
        if response.status == 404 {
            return Ok(None);
        }
        if !response.ok() {
            return Err(self.api.fail(&response));
        }
        let Some((mut set, records)) = parse_rrset(&response, zone, key)? else {
            return Ok(None);
        };
        set.ttl = match set.ttl {
            Some(t) => Some(t),
            // No TTL of its own: the zone's default applies.
            None => {
                let response = self
                    .api
                    .send(
                        &self.api.request(
                            Method::GET,
                            self.api
                                .url(&["zones", &plain_name(zone).to_ascii_lowercase()])?,
                        ),
                    )
                    .await?;
                response.json::<ZoneAnswer>()?.zone.ttl
            }
        };
        Ok(Some((set, records)))
    }

    /// Wait until the action in `response` has finished; a failed one is refused.
    async fn finish(&self, response: &Response) -> Result<(), ProviderError> {
        let mut action = response.json::<ActionAnswer>()?.action;
        let deadline = tokio::time::Instant::now() + self.action_timeout;
        loop {
            match action_state(&response.what, &action) {
                Ok(true) => return Ok(()),
                Err(failed) => return Err(ProviderError::Refused(self.api.http.scrub(&failed))),
                Ok(false) => {}
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ProviderError::Network(format!(
                    "{}: action {} still {} after {} s",
                    response.what,
                    action.id,
                    action.status,
                    self.action_timeout.as_secs()
                )));
            }
            tokio::time::sleep(self.poll_interval).await;
            let id = action.id.to_string();
            let polled = self
                .api
                .send(
                    &self
                        .api
                        .request(Method::GET, self.api.url(&["zones", "actions", &id])?),
                )
                .await?;
            action = polled.json::<ActionAnswer>()?.action;
        }
    }

    pub(crate) fn records_body(
        new: &[RData],
        old: &[HzRecord],
        zone: &Name,
        key: &RrsetKey,
    ) -> serde_json::Value {
        let mut records = Vec::new();
        let mut seen: Vec<&RData> = Vec::new();
        for v in new {
            if seen.contains(&v) {
                continue;
            }
            seen.push(v);
            let mut r = json!({ "value": presentation(v) });
            // A value that stays keeps its comment.
            if let Some(c) = old.iter().find_map(|o| {
                parse_presentation(key.rtype, &o.value, zone)
                    .ok()
                    .filter(|p| p == v)
                    .and(o.comment.clone())
            }) && !c.is_empty()
            {
                r["comment"] = json!(c);
            }
            records.push(r);
        }
        serde_json::Value::Array(records)
    }
}

/// A page (number `page`) of `GET /zones` (2xx): the zones and the next page's number.
pub(crate) fn parse_zones(
    r: &Response,
    page: u32,
) -> Result<(Vec<Name>, Option<u32>), ProviderError> {
    let list: ZoneList = r.json()?;
    let names = list
        .zones
        .iter()
        .filter_map(|z| Name::from_ascii(format!("{}.", z.name)).ok())
        .collect();
    let next = list
        .meta
        .and_then(|m| m.pagination)
        .and_then(|p| p.next_page)
        .filter(|next| *next > page);
    Ok((names, next))
}

/// The RRset of a `GET /zones/{zone}/rrsets/{name}/{type}` answer (2xx) and its records; `None`
/// when it holds no records. The TTL is the RRset's own (`None`: the zone's applies).
pub(crate) fn parse_rrset(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Option<(Rrset, Vec<HzRecord>)>, ProviderError> {
    let answer: RrsetAnswer = r.json()?;
    let mut set = Rrset::default();
    for rec in &answer.rrset.records {
        set.values
            .push(parse_presentation(key.rtype, &rec.value, zone)?);
    }
    if set.values.is_empty() {
        return Ok(None);
    }
    set.ttl = answer.rrset.ttl;
    Ok(Some((set, answer.rrset.records)))
}

/// Where an action stands: `Ok(true)` done, `Ok(false)` still running, `Err` why it failed (not
/// scrubbed yet).
pub(crate) fn action_state(what: &str, action: &Action) -> Result<bool, String> {
    match action.status.as_str() {
        "success" => Ok(true),
        "error" => {
            let (message, code) = action
                .error
                .as_ref()
                .map(|e| (e.message.as_deref(), e.code.as_deref()))
                .unwrap_or_default();
            Err(format!(
                "{what}: action {} failed: {} ({})",
                action.id,
                message.unwrap_or_default(),
                code.unwrap_or_default()
            ))
        }
        _ => Ok(false),
    }
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

impl Provider for Hetzner {
    fn label(&self) -> String {
        "hetzner".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zones = page::pages(page::MAX_PAGES, 1u32, |page, _| async move {
            let (p, pp) = (page.to_string(), PER_PAGE.to_string());
            let req = self
                .api
                .request(Method::GET, self.api.url(&["zones"])?)
                .query(&[("page", &p), ("per_page", &pp)]);
            parse_zones(&self.api.send(&req).await?, page)
        })
        .await?
        .items;
        longest_zone(name, &zones).ok_or_else(|| {
            ProviderError::Refused(format!(
                "no zone of this Hetzner project holds {name} ({} zones listed; zones still on the old DNS Console must be migrated)",
                zones.len()
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        Ok(self
            .get(zone, key)
            .await?
            .map(|(s, _)| s)
            .unwrap_or_default())
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let current = self.get(zone, key).await?;
        let actual = current.as_ref().map(|(s, _)| s.clone()).unwrap_or_default();
        if let Some(conflict) = check_expected(key, &actual, expected) {
            return Ok(conflict);
        }
        let ttl = ttl.max(MIN_TTL);
        let path = Self::rrset_path(zone, key);
        let segments: Vec<&str> = path.iter().map(String::as_str).collect();
        match current {
            None if new.is_empty() => {}
            None => {
                let body = json!({
                    "name": relative_name(&key.name, zone).to_ascii_lowercase(),
                    "type": key.rtype.to_string(),
                    "ttl": ttl,
                    "records": Self::records_body(new, &[], zone, key),
                });
                let req = self
                    .api
                    .request(Method::POST, self.api.url(&segments[..3])?)
                    .json(&body);
                let response = self.api.send(&req).await?;
                self.finish(&response).await?;
            }
            Some(_) if new.is_empty() => {
                let response = self
                    .api
                    .send(&self.api.request(Method::DELETE, self.api.url(&segments)?))
                    .await?;
                self.finish(&response).await?;
            }
            Some((set, old)) => {
                if !same_values(&set.values, new) {
                    let mut s = segments.clone();
                    s.extend(["actions", "set_records"]);
                    let body = json!({ "records": Self::records_body(new, &old, zone, key) });
                    let response = self
                        .api
                        .send(
                            &self
                                .api
                                .request(Method::POST, self.api.url(&s)?)
                                .json(&body),
                        )
                        .await?;
                    self.finish(&response).await?;
                }
                if set.ttl != Some(ttl) {
                    let mut s = segments.clone();
                    s.extend(["actions", "change_ttl"]);
                    let response = self
                        .api
                        .send(
                            &self
                                .api
                                .request(Method::POST, self.api.url(&s)?)
                                .json(&json!({ "ttl": ttl })),
                        )
                        .await?;
                    self.finish(&response).await?;
                }
            }
        }
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::RecordType;
    use hickory_proto::rr::rdata::TXT;
    use std::str::FromStr;

    #[test]
    fn error_bodies_give_the_message() {
        assert_eq!(
            error_detail(
                br#"{"error":{"code":"unauthorized","message":"unable to authenticate","details":{}}}"#
            ),
            "unable to authenticate (unauthorized)"
        );
        assert_eq!(error_detail(b"{}"), "");
    }

    #[test]
    fn kept_values_keep_their_comments() {
        let zone = Name::from_str("example.test.").unwrap();
        let key = RrsetKey {
            name: Name::from_str("www.example.test.").unwrap(),
            rtype: RecordType::TXT,
        };
        let old = vec![
            HzRecord {
                value: "\"keep me\"".into(),
                comment: Some("set by hand".into()),
            },
            HzRecord {
                value: "\"drop me\"".into(),
                comment: Some("gone".into()),
            },
        ];
        let new = [
            RData::TXT(TXT::new(vec!["keep me".into()])),
            RData::TXT(TXT::new(vec!["new".into(), "two \"strings\"".into()])),
        ];
        assert_eq!(
            Hetzner::records_body(&new, &old, &zone, &key),
            json!([
                {"value": "\"keep me\"", "comment": "set by hand"},
                {"value": "\"new\" \"two \\\"strings\\\"\""},
            ])
        );
        assert_eq!(
            Hetzner::rrset_path(
                &zone,
                &RrsetKey {
                    name: zone.clone(),
                    rtype: RecordType::A
                }
            ),
            ["zones", "example.test", "rrsets", "@", "A"].map(String::from)
        );
    }
}
