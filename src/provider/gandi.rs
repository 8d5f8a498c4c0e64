//! Gandi LiveDNS (API v5, `https://api.gandi.net/v5/livedns`) with a personal access token
//! (`Authorization: Bearer`). The legacy API key (`Authorization: Apikey ...`) is deprecated by
//! Gandi and not supported: create a PAT with the "Manage domain name technical configurations"
//! permission.
//!
//! LiveDNS works on whole RRsets, as dnsup does: `GET`, `PUT` (`{"rrset_values": [...],
//! "rrset_ttl": N}`, replacing the whole RRset) and `DELETE` on
//! `/domains/{fqdn}/records/{name}/{type}`, the name relative (`@` for the apex). TXT values are
//! quoted character-strings. LiveDNS refuses TTLs below 300 s: a smaller TTL is raised to 300,
//! so the TTL is not entirely dnsup's (capabilities say `ttl: false`).
//!
//! Documentation:
//! - <https://api.gandi.net/docs/livedns/> (domains, records by name and type)
//! - <https://api.gandi.net/docs/authentication/> (personal access tokens; API keys deprecated)
//! - <https://api.gandi.net/docs/reference/> (pagination `page`/`per_page`, `total-count`,
//!   error bodies, rate limit)

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
pub const DEFAULT_ENDPOINT: &str = "https://api.gandi.net/v5/livedns";

/// LiveDNS's smallest TTL.
pub const MIN_TTL: u32 = 300;

/// LiveDNS's largest TTL (30 days).
pub const MAX_TTL: u32 = 2_592_000;

const PER_PAGE: u32 = 100;

/// `type = "gandi"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A personal access token.
    pub token: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Gandi LiveDNS.
#[derive(Debug)]
pub struct Gandi {
    api: BearerApi,
}

#[derive(Debug, Deserialize)]
struct Domain {
    fqdn: String,
}

#[derive(Debug, Deserialize)]
struct GRrset {
    rrset_ttl: Option<u32>,
    #[serde(default)]
    rrset_values: Vec<String>,
}

/// Gandi's error body: `{"code": 401, "message": "...", "object": "...", "cause": "...",
/// "errors": [{"location": "...", "name": "...", "description": "..."}]}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Field {
        name: Option<String>,
        description: Option<String>,
    }
    #[derive(Deserialize)]
    struct B {
        message: Option<String>,
        cause: Option<String>,
        #[serde(default)]
        errors: Vec<Field>,
    }
    let Ok(b) = serde_json::from_slice::<B>(body) else {
        return String::new();
    };
    let mut out = b.message.or(b.cause).unwrap_or_default();
    if let Some(f) = b.errors.first() {
        let field = format!(
            "{}: {}",
            f.name.as_deref().unwrap_or("?"),
            f.description.as_deref().unwrap_or("")
        );
        out = if out.is_empty() {
            field
        } else {
            format!("{out} ({field})")
        };
    }
    out
}

impl Gandi {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // 1,000 requests per minute: 100 ms between requests is far below.
        let api = BearerApi::new(
            setup,
            &c.token,
            &c.http,
            DEFAULT_ENDPOINT,
            Duration::from_millis(100),
            error_detail,
        )?;
        Ok(Gandi { api })
    }

    fn rrset_url(&self, zone: &Name, key: &RrsetKey) -> Result<reqwest::Url, ProviderError> {
        self.api.url(&[
            "domains",
            &plain_name(zone).to_ascii_lowercase(),
            "records",
            &relative_name(&key.name, zone).to_ascii_lowercase(),
            &key.rtype.to_string(),
        ])
    }

    /// The body of a `PUT`: the values (once each) and the TTL.
    pub fn put_body(new: &[RData], ttl: u32) -> serde_json::Value {
        let mut values: Vec<String> = Vec::new();
        for v in new {
            let t = presentation(v);
            if !values.contains(&t) {
                values.push(t);
            }
        }
        json!({ "rrset_values": values, "rrset_ttl": ttl.clamp(MIN_TTL, MAX_TTL) })
    }
}

/// A page of `GET /domains` (2xx) after `seen` domains: the domains and whether another page
/// follows (by the `Total-Count` header, or a full page without it).
pub(crate) fn parse_domains(r: &Response, seen: usize) -> Result<(Vec<Name>, bool), ProviderError> {
    let list: Vec<Domain> = r.json()?;
    let got = list.len();
    let names: Vec<Name> = list
        .iter()
        .filter_map(|d| Name::from_ascii(format!("{}.", d.fqdn)).ok())
        .collect();
    let total = r
        .header("total-count")
        .and_then(|t| t.trim().parse::<usize>().ok());
    let more = match total {
        Some(t) => seen + names.len() < t && got > 0,
        None => got as u32 >= PER_PAGE,
    };
    Ok((names, more))
}

/// The RRset of a `GET /domains/{fqdn}/records/{name}/{type}` answer (2xx).
pub(crate) fn parse_rrset(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Rrset, ProviderError> {
    let answer: GRrset = r.json()?;
    let mut set = Rrset::default();
    for v in &answer.rrset_values {
        set.values.push(parse_presentation(key.rtype, v, zone)?);
    }
    if !set.values.is_empty() {
        set.ttl = answer.rrset_ttl;
    }
    Ok(set)
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    // TTLs below 300 s are raised to 300.
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

impl Provider for Gandi {
    fn label(&self) -> String {
        "gandi".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zones = page::pages(page::MAX_PAGES, 1u32, |page, seen| async move {
            let (p, pp) = (page.to_string(), PER_PAGE.to_string());
            let req = self
                .api
                .request(Method::GET, self.api.url(&["domains"])?)
                .query(&[("page", &p), ("per_page", &pp)]);
            let (names, more) = parse_domains(&self.api.send(&req).await?, seen)?;
            Ok((names, more.then_some(page + 1)))
        })
        .await?
        .items;
        longest_zone(name, &zones).ok_or_else(|| {
            ProviderError::Refused(format!(
                "no LiveDNS domain of this Gandi account holds {name} ({} domains listed)",
                zones.len()
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let response = self
            .api
            .http
            .send(&self.api.request(Method::GET, self.rrset_url(zone, key)?))
            .await?;
        if response.status == 404 {
            return Ok(Rrset::default());
        }
        if !response.ok() {
            return Err(self.api.fail(&response));
        }
        parse_rrset(&response, zone, key)
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let actual = self.read(zone, key).await?;
        if let Some(conflict) = check_expected(key, &actual, expected) {
            return Ok(conflict);
        }
        let url = self.rrset_url(zone, key)?;
        if new.is_empty() {
            if !actual.values.is_empty() {
                self.api
                    .send(&self.api.request(Method::DELETE, url))
                    .await?;
            }
            return Ok(Applied::Done);
        }
        if ttl < MIN_TTL {
            tracing::debug!("{key}: TTL {ttl} raised to Gandi's minimum {MIN_TTL}");
        }
        let ttl = ttl.clamp(MIN_TTL, MAX_TTL);
        if same_values(&actual.values, new) && actual.ttl == Some(ttl) {
            return Ok(Applied::Done);
        }
        self.api
            .send(
                &self
                    .api
                    .request(Method::PUT, url)
                    .json(&Self::put_body(new, ttl)),
            )
            .await?;
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::TXT;

    #[test]
    fn put_bodies_quote_txt_and_respect_the_ttl_range() {
        let v = [
            RData::TXT(TXT::new(vec!["a b".into(), "c\"d".into()])),
            RData::TXT(TXT::new(vec!["a b".into(), "c\"d".into()])),
        ];
        assert_eq!(
            Gandi::put_body(&v, 60),
            json!({"rrset_values": ["\"a b\" \"c\\\"d\""], "rrset_ttl": 300})
        );
        assert_eq!(Gandi::put_body(&v, 3600)["rrset_ttl"], 3600);
        assert_eq!(Gandi::put_body(&v, u32::MAX)["rrset_ttl"], MAX_TTL);
    }

    #[test]
    fn error_bodies_give_the_message() {
        assert_eq!(
            error_detail(
                br#"{"code":400,"message":"Bad Request","object":"HTTPBadRequest","cause":"Bad Request","errors":[{"location":"body","name":"rrset_ttl","description":"must be >= 300"}]}"#
            ),
            "Bad Request (rrset_ttl: must be >= 300)"
        );
        assert_eq!(
            error_detail(br#"{"code":401,"message":"The server could not verify that you authorized to access the document you requested.","object":"HTTPUnauthorized","cause":"Unauthorized"}"#),
            "The server could not verify that you authorized to access the document you requested."
        );
    }
}
