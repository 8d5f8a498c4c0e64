//! DigitalOcean's API v2 (`Authorization: Bearer` with a personal access token). One record per
//! value: an RRset is the records `GET /v2/domains/{domain}/records?name={fqdn}&type={type}`
//! lists (paginated with `page`/`per_page`, the next page named in `links.pages.next`). Records
//! are changed in place by id (`PATCH` with `type`, `data`, `ttl`), created (`POST`, name
//! relative to the domain, `@` for the apex) or deleted (`DELETE`) only for the difference.
//! TTLs below DigitalOcean's minimum of 30 s are raised to 30.
//!
//! TXT is not served: DigitalOcean keeps a TXT record's data as one unquoted string, with no
//! documented way to hold several character-strings or escapes, so dnsup's exact TXT round trip
//! cannot be promised; dnsup refuses TXT here before sending anything.
//!
//! Documentation:
//! - <https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domains/operation/domains_list>
//! - <https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records/operation/domains_list_records>
//! - <https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records/operation/domains_create_record>
//! - <https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records/operation/domains_patch_record>
//! - <https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records/operation/domains_delete_record>
//! - <https://docs.digitalocean.com/reference/api/intro/#links--pagination>

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{BearerApi, HttpSettings, Response};
use super::page;
use super::plan::{Held, Step, plan};
use super::text::{parse_presentation, presentation};
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, SecretRef, check_expected,
    longest_zone, plain_name, relative_name,
};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.digitalocean.com/v2";

/// DigitalOcean's smallest TTL.
pub const MIN_TTL: u32 = 30;

const PER_PAGE: u32 = 200;

/// `type = "digitalocean"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A personal access token with write scope (or `domain:read`/`domain:update` scopes).
    pub token: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// DigitalOcean.
#[derive(Debug)]
pub struct DigitalOcean {
    api: BearerApi,
}

#[derive(Debug, Deserialize)]
struct Links {
    #[serde(default)]
    pages: Option<Pages>,
}

#[derive(Debug, Deserialize)]
struct Pages {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DomainList {
    domains: Vec<Domain>,
    links: Option<Links>,
}

#[derive(Debug, Deserialize)]
struct Domain {
    name: String,
}

#[derive(Debug, Deserialize)]
struct RecordList {
    domain_records: Vec<DoRecord>,
    links: Option<Links>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DoRecord {
    id: u64,
    #[serde(rename = "type")]
    rtype: String,
    name: String,
    data: String,
    ttl: u32,
}

/// DigitalOcean's error body: `{"id": "...", "message": "..."}` gives the message.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        id: Option<String>,
        message: Option<String>,
    }
    match serde_json::from_slice::<E>(body) {
        Ok(E {
            id: Some(id),
            message: Some(m),
        }) => format!("{m} ({id})"),
        Ok(E {
            message: Some(m), ..
        }) => m,
        _ => String::new(),
    }
}

fn has_next(links: &Option<Links>) -> bool {
    links
        .as_ref()
        .and_then(|l| l.pages.as_ref())
        .and_then(|p| p.next.as_ref())
        .is_some_and(|n| !n.is_empty())
}

/// A page of `GET /domains` (2xx): the domains and whether another page follows.
pub(crate) fn parse_domains(r: &Response) -> Result<(Vec<Name>, bool), ProviderError> {
    let list: DomainList = r.json()?;
    let names = list
        .domains
        .iter()
        .filter_map(|d| Name::from_ascii(format!("{}.", d.name)).ok())
        .collect();
    Ok((names, has_next(&list.links)))
}

/// A page of `GET /domains/{domain}/records` (2xx): the records and whether another page
/// follows.
pub(crate) fn parse_records(r: &Response) -> Result<(Vec<DoRecord>, bool), ProviderError> {
    let list: RecordList = r.json()?;
    Ok((list.domain_records, has_next(&list.links)))
}

impl DigitalOcean {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // 5,000 requests per hour and 250 per minute: one every 250 ms stays below both.
        let api = BearerApi::new(
            setup,
            &c.token,
            &c.http,
            DEFAULT_ENDPOINT,
            Duration::from_millis(250),
            error_detail,
        )?;
        Ok(DigitalOcean { api })
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<DoRecord>, ProviderError> {
        let domain = plain_name(zone).to_ascii_lowercase();
        let fqdn = plain_name(&key.name).to_ascii_lowercase();
        let rtype = key.rtype.to_string();
        let relative = relative_name(&key.name, zone).to_ascii_lowercase();
        let (domain, fqdn, rtype) = (&domain, &fqdn, &rtype);
        let all = page::numbered(|page| async move {
            let (p, pp) = (page.to_string(), PER_PAGE.to_string());
            let req = self
                .api
                .request(Method::GET, self.api.url(&["domains", domain, "records"])?)
                .query(&[
                    ("name", fqdn),
                    ("type", rtype),
                    ("page", &p),
                    ("per_page", &pp),
                ]);
            parse_records(&self.api.send(&req).await?)
        })
        .await?;
        // The filter is the server's; keep only exact matches all the same.
        Ok(all
            .into_iter()
            .filter(|r| {
                r.rtype.eq_ignore_ascii_case(rtype)
                    && (r.name.eq_ignore_ascii_case(&relative) || r.name.eq_ignore_ascii_case(fqdn))
            })
            .collect())
    }

    pub(crate) fn to_rrset(
        key: &RrsetKey,
        zone: &Name,
        records: &[DoRecord],
    ) -> Result<Rrset, ProviderError> {
        let mut set = Rrset::default();
        for r in records {
            set.ttl.get_or_insert(r.ttl);
            set.values
                .push(parse_presentation(key.rtype, &r.data, zone)?);
        }
        Ok(set)
    }
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA],
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

impl Provider for DigitalOcean {
    fn label(&self) -> String {
        "digitalocean".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zones = page::numbered(|page| async move {
            let (p, pp) = (page.to_string(), PER_PAGE.to_string());
            let req = self
                .api
                .request(Method::GET, self.api.url(&["domains"])?)
                .query(&[("page", &p), ("per_page", &pp)]);
            parse_domains(&self.api.send(&req).await?)
        })
        .await?;
        longest_zone(name, &zones).ok_or_else(|| {
            ProviderError::Refused(format!(
                "no domain of this DigitalOcean account holds {name} ({} domains listed)",
                zones.len()
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let records = self.records(zone, key).await?;
        Self::to_rrset(key, zone, &records)
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let records = self.records(zone, key).await?;
        let actual = Self::to_rrset(key, zone, &records)?;
        if let Some(conflict) = check_expected(key, &actual, expected) {
            return Ok(conflict);
        }
        let ttl = ttl.max(MIN_TTL);
        let domain = plain_name(zone).to_ascii_lowercase();
        let rtype = key.rtype.to_string();
        let held: Vec<Held<RData>> = records
            .iter()
            .zip(&actual.values)
            .map(|(r, v)| Held {
                value: v.clone(),
                ttl_ok: r.ttl == ttl,
            })
            .collect();
        for step in plan(&held, new) {
            match step {
                Step::Retime(i) | Step::Reuse { index: i, .. } => {
                    let mut body = json!({ "type": rtype });
                    if let Step::Reuse { value, .. } = &step {
                        body["data"] = json!(presentation(value));
                    }
                    if matches!(step, Step::Retime(_) | Step::Reuse { ttl: true, .. }) {
                        body["ttl"] = json!(ttl);
                    }
                    let id = records[i].id.to_string();
                    let req = self
                        .api
                        .request(
                            Method::PATCH,
                            self.api.url(&["domains", &domain, "records", &id])?,
                        )
                        .json(&body);
                    self.api.send(&req).await?;
                }
                Step::Create(v) => {
                    let body = json!({
                        "type": rtype,
                        "name": relative_name(&key.name, zone).to_ascii_lowercase(),
                        "data": presentation(&v),
                        "ttl": ttl,
                    });
                    let req = self
                        .api
                        .request(
                            Method::POST,
                            self.api.url(&["domains", &domain, "records"])?,
                        )
                        .json(&body);
                    self.api.send(&req).await?;
                }
                Step::Delete(i) => {
                    let id = records[i].id.to_string();
                    let req = self.api.request(
                        Method::DELETE,
                        self.api.url(&["domains", &domain, "records", &id])?,
                    );
                    self.api.send(&req).await?;
                }
            }
        }
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_give_the_message() {
        assert_eq!(
            error_detail(br#"{"id":"unauthorized","message":"Unable to authenticate you."}"#),
            "Unable to authenticate you. (unauthorized)"
        );
        assert_eq!(error_detail(b""), "");
    }

    #[test]
    fn pages_follow_links_next() {
        let l: RecordList = serde_json::from_str(
            r#"{"domain_records":[{"id":3352896,"type":"A","name":"@","data":"192.0.2.1","priority":null,"port":null,"ttl":1800,"weight":null,"flags":null,"tag":null}],
                "links":{"pages":{"first":"https://api.digitalocean.com/v2/domains/example.com/records?page=1","next":"https://api.digitalocean.com/v2/domains/example.com/records?page=3"}},"meta":{"total":3}}"#,
        )
        .unwrap();
        assert!(has_next(&l.links));
        assert_eq!(l.domain_records[0].id, 3_352_896);
        let last: RecordList =
            serde_json::from_str(r#"{"domain_records":[],"links":{},"meta":{"total":0}}"#).unwrap();
        assert!(!has_next(&last.links));
    }
}
