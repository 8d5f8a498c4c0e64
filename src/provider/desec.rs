//! deSEC (<https://desec.io>), through its REST API v1.
//!
//! Documentation:
//! - <https://desec.readthedocs.io/en/latest/dns/rrsets.html> (RRsets: the `@` subname in URLs
//!   for the apex, `""` in bodies; POST to create, PATCH to modify, DELETE; presentation-format
//!   `records`, TXT quoted; pagination with `cursor=` and the `Link` header)
//! - <https://desec.readthedocs.io/en/latest/dns/domains.html> (listing domains, `minimum_ttl`)
//! - <https://desec.readthedocs.io/en/latest/auth/tokens.html> (`Authorization: Token ...`)
//! - <https://desec.readthedocs.io/en/latest/rate-limits.html> (429 with `Retry-After`)
//!
//! Requests: `GET /domains/?cursor=` (then each `rel="next"` page) lists the account's domains
//! with their `minimum_ttl`; `GET /domains/{name}/rrsets/{subname}/{type}/` reads one RRset
//! (404: absent); a write is `POST /domains/{name}/rrsets/` (create), `PATCH .../{subname}/{type}/`
//! with `ttl` and `records` (modify) or `DELETE .../{subname}/{type}/`. Only that RRset is
//! touched. The guard is read-then-write (deSEC has no conditional write).
//!
//! TTL: deSEC refuses a TTL below the domain's `minimum_ttl` (3600 s unless deSEC granted an
//! exception). dnsup does not silently raise it: a replace asking for less fails before anything
//! is sent, with `Unsupported` naming the domain's minimum, so the user sets `ttl` to at least
//! that in the configuration.

use std::sync::Mutex;
use std::time::Duration;

use hickory_proto::rr::{Name, RData};
use serde::Deserialize;

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response, short};
use super::page;
use super::text::presentation;
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef,
    check_expected, longest_zone, plain_name, relative_name, same_values,
};
use crate::update::{parse_rdata, type_name};

/// The documented API base.
pub const ENDPOINT: &str = "https://desec.io/api/v1";

/// At most this many pages of domains are followed (500 domains each).
const MAX_PAGES: usize = 100;

/// `type = "desec"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// An API token (`Authorization: Token ...`).
    pub token: SecretRef,
    /// HTTP settings (default spacing 1 s: deSEC rate-limits writes per domain).
    #[serde(default)]
    pub http: HttpSettings,
}

/// A deSEC account.
#[derive(Debug)]
pub struct Desec {
    http: Http,
    settings: HttpSettings,
    token: Secret,
    /// Domain name and its minimum TTL, from the last listing (or a single lookup).
    domains: Mutex<Vec<(Name, u32)>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct DomainJson {
    name: String,
    #[serde(default)]
    minimum_ttl: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct RrsetJson {
    #[serde(default)]
    ttl: Option<u32>,
    #[serde(default)]
    records: Vec<String>,
}

impl Desec {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let ([token], http) = Http::configured(
            setup,
            [(&c.token, "token")],
            &c.http,
            Duration::from_secs(1),
        )?;
        Ok(Desec {
            http,
            settings: c.http.clone(),
            token,
            domains: Mutex::new(Vec::new()),
        })
    }

    fn url(&self, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
        // deSEC's URLs end in a slash.
        http::endpoint_url(&self.settings, ENDPOINT, &[segments, &[""]].concat())
    }

    fn request(&self, method: reqwest::Method, url: reqwest::Url) -> Request {
        Request::new(method, url)
            .header("authorization", format!("Token {}", self.token.expose()))
            .header("accept", "application/json")
    }

    /// Every domain of the account, page by page.
    async fn list_domains(&self) -> Result<Vec<(Name, u32)>, ProviderError> {
        let listing = page::pages(MAX_PAGES, String::new(), |cursor, _| async move {
            let url = self.url(&["domains"])?;
            let req = self
                .request(reqwest::Method::GET, url)
                .query(&[("cursor", cursor.as_str())]);
            let r = self.http.send(&req).await?;
            if !r.ok() {
                return Err(self.http.fail(&r, error_detail));
            }
            parse_domains(&r)
        })
        .await?;
        if !listing.complete {
            return Err(ProviderError::Protocol(format!(
                "GET /domains/: more than {MAX_PAGES} pages"
            )));
        }
        *self.domains.lock().unwrap_or_else(|p| p.into_inner()) = listing.items.clone();
        Ok(listing.items)
    }

    /// The minimum TTL of `zone` (from the listing, or `GET /domains/{name}/`).
    async fn minimum_ttl(&self, zone: &Name) -> Result<u32, ProviderError> {
        let cached = {
            let d = self.domains.lock().unwrap_or_else(|p| p.into_inner());
            d.iter().find(|(n, _)| n == zone).map(|(_, t)| *t)
        };
        if let Some(t) = cached {
            return Ok(t);
        }
        let name = plain_name(zone);
        let r = self
            .http
            .send(&self.request(reqwest::Method::GET, self.url(&["domains", &name])?))
            .await?;
        if !r.ok() {
            return Err(self.http.fail(&r, error_detail));
        }
        let entry = domain_entry(&r.json::<DomainJson>()?, &r.what)?;
        self.domains
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry.clone());
        Ok(entry.1)
    }

    fn rrset_url(&self, zone: &Name, key: &RrsetKey) -> Result<reqwest::Url, ProviderError> {
        let domain = plain_name(zone);
        // `@` is deSEC's reserved subname for the apex in URLs.
        let sub = relative_name(&key.name, zone);
        let rtype = type_name(key.rtype);
        self.url(&["domains", &domain, "rrsets", &sub, &rtype])
    }

    async fn fetch(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let r = self
            .http
            .send(&self.request(reqwest::Method::GET, self.rrset_url(zone, key)?))
            .await?;
        if r.status == 404 {
            return Ok(Rrset::default());
        }
        if !r.ok() {
            return Err(self.http.fail(&r, error_detail));
        }
        parse_rrset(&r, zone, key)
    }

    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        exists: bool,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let records: Vec<String> = new.iter().map(presentation).collect();
        let req = if new.is_empty() {
            self.request(reqwest::Method::DELETE, self.rrset_url(zone, key)?)
        } else if exists {
            self.request(reqwest::Method::PATCH, self.rrset_url(zone, key)?)
                .json(&serde_json::json!({ "ttl": ttl, "records": records }))
        } else {
            let sub = match relative_name(&key.name, zone).as_str() {
                "@" => String::new(),
                s => s.to_string(),
            };
            let url = self.url(&["domains", &plain_name(zone), "rrsets"])?;
            self.request(reqwest::Method::POST, url)
                .json(&serde_json::json!({
                    "subname": sub, "type": type_name(key.rtype), "ttl": ttl, "records": records
                }))
        };
        let r = self.http.send(&req).await?;
        if !r.ok() {
            return Err(self.http.fail(&r, error_detail));
        }
        Ok(())
    }
}

/// A page of domains (name and minimum TTL) and the cursor of the next page.
type DomainPage = (Vec<(Name, u32)>, Option<String>);

/// A page of `GET /domains/` (2xx): its domains and the cursor of the next page.
pub(crate) fn parse_domains(r: &Response) -> Result<DomainPage, ProviderError> {
    let page: Vec<DomainJson> = r.json()?;
    let entries = page
        .iter()
        .map(|d| domain_entry(d, &r.what))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((entries, r.header("link").and_then(next_cursor)))
}

/// The RRset of a `GET .../rrsets/{subname}/{type}/` answer (2xx).
pub(crate) fn parse_rrset(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Rrset, ProviderError> {
    let set: RrsetJson = r.json()?;
    let mut values = Vec::new();
    for text in &set.records {
        values.push(
            parse_rdata(key.rtype, text, zone)
                .map_err(|e| ProviderError::Protocol(format!("{}: {key} holds {e}", r.what)))?,
        );
    }
    Ok(Rrset {
        ttl: if values.is_empty() { None } else { set.ttl },
        values,
    })
}

pub(crate) fn domain_entry(d: &DomainJson, what: &str) -> Result<(Name, u32), ProviderError> {
    let name = Name::from_ascii(format!("{}.", d.name.trim_end_matches('.')))
        .map_err(|e| ProviderError::Protocol(format!("{what}: domain '{}': {e}", d.name)))?;
    // The documented default when a (hypothetical) answer leaves it out.
    Ok((name, d.minimum_ttl.unwrap_or(3600)))
}

/// The `cursor` of the `rel="next"` link of a `Link` header (RFC 8288), if any. Only the
/// cursor is taken: requests are always built from the configured endpoint, so a link can never
/// send the token elsewhere.
pub(crate) fn next_cursor(link: &str) -> Option<String> {
    for part in link.split(',') {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().to_ascii_lowercase();
            p == "rel=\"next\"" || p == "rel=next"
        });
        if !is_next {
            continue;
        }
        let url = target.trim().trim_start_matches('<').trim_end_matches('>');
        let url = reqwest::Url::parse(url).ok()?;
        return url
            .query_pairs()
            .find(|(k, _)| k == "cursor")
            .map(|(_, v)| v.into_owned())
            .filter(|c| !c.is_empty());
    }
    None
}

/// deSEC's error bodies: `{"detail": "..."}`, field errors `{"ttl": ["..."]}`, or a list of
/// those (bulk requests).
pub(crate) fn error_detail(body: &[u8]) -> String {
    fn from(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Array(items) => items.iter().find_map(from),
            serde_json::Value::Object(map) => {
                if let Some(d) = map.get("detail").and_then(from) {
                    return Some(d);
                }
                map.iter().find_map(|(field, v)| {
                    from(v).map(|m| {
                        if field == "non_field_errors" {
                            m
                        } else {
                            format!("{field}: {m}")
                        }
                    })
                })
            }
            _ => None,
        }
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => from(&v).map(|m| short(&m)).unwrap_or_default(),
        Err(_) => short(String::from_utf8_lossy(body).trim()),
    }
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities::READ_WRITE;

impl Provider for Desec {
    fn label(&self) -> String {
        "desec".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let domains = self.list_domains().await?;
        let names: Vec<Name> = domains.into_iter().map(|(n, _)| n).collect();
        longest_zone(name, &names).ok_or_else(|| {
            ProviderError::Refused(format!("no domain of this deSEC account holds {name}"))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        self.fetch(zone, key).await
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        if !new.is_empty() {
            let min = self.minimum_ttl(zone).await?;
            if ttl < min {
                return Err(ProviderError::Unsupported(format!(
                    "{key}: TTL {ttl} is below the minimum TTL of {} at deSEC ({min} s); set ttl to {min} or more",
                    plain_name(zone)
                )));
            }
        }
        let current = self.fetch(zone, key).await?;
        if let Some(conflict) = check_expected(key, &current, expected) {
            return Ok(conflict);
        }
        if same_values(&current.values, new) && (new.is_empty() || current.ttl == Some(ttl)) {
            return Ok(Applied::Done);
        }
        self.write(zone, key, !current.values.is_empty(), new, ttl)
            .await?;
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_cursors() {
        let link = "<https://desec.io/api/v1/domains/?cursor=>; rel=\"first\", \
                    <https://desec.io/api/v1/domains/?cursor=:prev>; rel=\"prev\", \
                    <https://desec.io/api/v1/domains/?cursor=abc%3D>; rel=\"next\"";
        assert_eq!(next_cursor(link).as_deref(), Some("abc="));
        let last = "<https://desec.io/api/v1/domains/?cursor=>; rel=\"first\", \
                    <https://desec.io/api/v1/domains/?cursor=p>; rel=\"prev\"";
        assert_eq!(next_cursor(last), None);
        assert_eq!(next_cursor(""), None);
    }

    #[test]
    fn error_details() {
        assert_eq!(
            error_detail(br#"{"detail": "Invalid token."}"#),
            "Invalid token."
        );
        assert_eq!(
            error_detail(br#"{"ttl": ["Ensure this value is greater than or equal to 3600."]}"#),
            "ttl: Ensure this value is greater than or equal to 3600."
        );
        assert_eq!(
            error_detail(br#"{"non_field_errors": ["Another RRset with the same subdomain and type exists for this domain."]}"#),
            "Another RRset with the same subdomain and type exists for this domain."
        );
        assert_eq!(
            error_detail(br#"[{}, {"records": ["bad"]}]"#),
            "records: bad"
        );
        assert_eq!(error_detail(b"oops"), "oops");
    }
}
