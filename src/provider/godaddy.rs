//! GoDaddy's Domains API v1, authenticated with `Authorization: sso-key KEY:SECRET`.
//!
//! Documentation: <https://developer.godaddy.com/doc/endpoint/domains> and
//! <https://developer.godaddy.com/getstarted>.
//!
//! Used here:
//! - `GET /v1/domains?statuses=ACTIVE&limit=N&marker=LAST`: the account's domains, page by page
//!   (`marker` is the last domain of the previous page, until an empty page), for `find_zone`.
//! - `GET /v1/domains/{domain}/records/{type}/{name}`: one RRset (`[{data, name, ttl, type}]`).
//! - `PUT /v1/domains/{domain}/records/{type}/{name}` with `[{data, ttl}, ...]`: replaces the
//!   whole RRset in one request.
//! - `DELETE /v1/domains/{domain}/records/{type}/{name}`: deletes it (204; 404 when absent).
//!
//! Access restriction (since April/May 2024, stated on the "get started" page): the production
//! Management and DNS APIs are limited to accounts with 10 or more domains and/or an active
//! Discount Domain Club (Premier) plan; other accounts get `403 ACCESS_DENIED` "Authenticated
//! user is not allowed access" even with a valid key. That 403 is reported as an authentication
//! error with GoDaddy's own message, plus a hint about the restriction.
//!
//! TTL: GoDaddy's minimum is 600 s; a smaller TTL is raised to 600 (`min_ttl` in the
//! capabilities). TXT: `data` holds one text; handled as for Porkbun
//! ([`super::porkbun::txt_text`]). Errors are `{"code": "...", "message": "..."}`.

use std::str::FromStr;
use std::time::Duration;

use hickory_proto::rr::{Name, RData};
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response};
use super::page::{self, ZoneCache};
use super::text::{joined_value, parse_joined};
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef,
    check_expected, longest_zone, plain_name, relative_name, same_values,
};

/// The documented API base (OTE, the test environment: `https://api.ote-godaddy.com`).
pub const DEFAULT_ENDPOINT: &str = "https://api.godaddy.com";

/// GoDaddy's smallest TTL.
pub const MIN_TTL: u32 = 600;

/// Domains asked for per page of `GET /v1/domains`.
pub const PAGE: usize = 500;

/// `type = "godaddy"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The API key.
    pub key: SecretRef,
    /// The API secret.
    pub secret: SecretRef,
    /// For resellers: the shopper that owns the domains (`X-Shopper-Id`).
    pub shopper_id: Option<String>,
    /// HTTP settings (`endpoint` defaults to `https://api.godaddy.com`).
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct GoDaddy {
    http: Http,
    settings: HttpSettings,
    key: Secret,
    secret: Secret,
    shopper_id: Option<String>,
    zones: ZoneCache,
}

#[derive(Debug, Default, Deserialize)]
struct ApiError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct Record {
    data: String,
    #[serde(default)]
    ttl: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct Domain {
    domain: String,
}

impl GoDaddy {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // GoDaddy allows 60 requests a minute per endpoint.
        let ([key, secret], http) = Http::configured(
            setup,
            [(&c.key, "key"), (&c.secret, "secret")],
            &c.http,
            Duration::from_secs(1),
        )?;
        Ok(GoDaddy {
            http,
            settings: c.http.clone(),
            key,
            secret,
            shopper_id: c.shopper_id.clone(),
            zones: ZoneCache::default(),
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> Result<Request, ProviderError> {
        let url = http::endpoint(&self.settings, DEFAULT_ENDPOINT, path)?;
        let mut r = Request::new(method, url)
            .header(
                "authorization",
                format!("sso-key {}:{}", self.key.expose(), self.secret.expose()),
            )
            .header("accept", "application/json");
        if let Some(id) = &self.shopper_id {
            r = r.header("x-shopper-id", id.clone());
        }
        Ok(r)
    }

    fn error(&self, response: &Response) -> ProviderError {
        response.error(&self.http.scrub(&error_detail(response)))
    }

    fn records_path(zone: &Name, key: &RrsetKey) -> String {
        format!(
            "v1/domains/{}/records/{}/{}",
            plain_name(zone),
            key.rtype,
            relative_name(&key.name, zone)
        )
    }
}

/// GoDaddy's error body: `message (code)`, with a hint when a 403 is its API access policy.
pub(crate) fn error_detail(response: &Response) -> String {
    let e: ApiError = serde_json::from_slice(&response.body).unwrap_or_default();
    let mut detail = match (e.code.is_empty(), e.message.is_empty()) {
        (true, true) => String::new(),
        (false, true) => e.code.clone(),
        (true, false) => e.message.clone(),
        (false, false) => format!("{} ({})", e.message, e.code),
    };
    if response.status == 403 && e.code == "ACCESS_DENIED" {
        detail.push_str(
            "; since 2024 GoDaddy opens its DNS API only to accounts with 10 or more domains or a Discount Domain Club Premier plan",
        );
    }
    detail
}

/// A page of `GET /v1/domains` (2xx): the domains and the marker of the next page (the last
/// domain; a page may hold fewer than `limit` before the end, so the listing stops at an empty
/// page).
pub(crate) fn parse_domains(
    response: &Response,
) -> Result<(Vec<Name>, Option<String>), ProviderError> {
    let page: Vec<Domain> = response.json()?;
    let next = page.last().map(|d| d.domain.clone());
    let zones = page
        .iter()
        .map(|d| {
            Name::from_str(&format!("{}.", d.domain.trim_end_matches('.')))
                .map_err(|e| ProviderError::Protocol(format!("GET /v1/domains: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((zones, next))
}

/// The RRset of a `GET /v1/domains/{domain}/records/{type}/{name}` answer (2xx).
pub(crate) fn parse_rrset(
    response: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Rrset, ProviderError> {
    let records: Vec<Record> = response.json()?;
    let mut set = Rrset::default();
    for r in records {
        set.ttl = set.ttl.or(r.ttl);
        set.values
            .push(parse_joined(key.rtype, zone, &r.data).map_err(|e| {
                ProviderError::Protocol(format!("{key}: GoDaddy holds {:?}: {e}", r.data))
            })?);
    }
    Ok(set)
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

impl Provider for GoDaddy {
    fn label(&self) -> String {
        "godaddy".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zones = self
            .zones
            .get_or_list(async {
                let listing =
                    page::pages(usize::MAX, None, |marker: Option<String>, _| async move {
                        let limit = PAGE.to_string();
                        let mut query = vec![("statuses", "ACTIVE"), ("limit", limit.as_str())];
                        if let Some(m) = &marker {
                            query.push(("marker", m.as_str()));
                        }
                        let request = self
                            .request(reqwest::Method::GET, "v1/domains")?
                            .query(&query);
                        let response = self.http.send(&request).await?;
                        if !response.ok() {
                            return Err(self.error(&response));
                        }
                        let (zones, next) = parse_domains(&response)?;
                        let more = next.is_some() && next != marker;
                        Ok((zones, more.then_some(next)))
                    })
                    .await?;
                Ok(listing.items)
            })
            .await?;
        longest_zone(name, &zones).ok_or_else(|| {
            ProviderError::Refused(format!(
                "{name}: no active domain of this GoDaddy account holds it"
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let request = self.request(reqwest::Method::GET, &Self::records_path(zone, key))?;
        let response = self.http.send(&request).await?;
        // An absent RRset is `200 []`; 404 means the domain is unknown.
        if !response.ok() {
            return Err(self.error(&response));
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
        let ttl = ttl.max(MIN_TTL);
        let actual = self.read(zone, key).await?;
        if let Some(conflict) = check_expected(key, &actual, expected) {
            return Ok(conflict);
        }
        let path = Self::records_path(zone, key);
        if new.is_empty() {
            if actual.values.is_empty() {
                return Ok(Applied::Done);
            }
            let response = self
                .http
                .send(&self.request(reqwest::Method::DELETE, &path)?)
                .await?;
            if !response.ok() && response.status != 404 {
                return Err(self.error(&response));
            }
            return Ok(Applied::Done);
        }
        if same_values(&actual.values, new) && actual.ttl == Some(ttl) {
            return Ok(Applied::Done);
        }
        let mut body: Vec<Value> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for v in new {
            let data = joined_value(key, v)?;
            if !seen.contains(&data) {
                body.push(json!({ "data": data, "ttl": ttl }));
                seen.push(data);
            }
        }
        let request = self
            .request(reqwest::Method::PUT, &path)?
            .json(&Value::Array(body));
        let response = self.http.send(&request).await?;
        if !response.ok() {
            return Err(self.error(&response));
        }
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::RecordType;

    #[test]
    fn record_paths_use_at_for_the_apex() {
        let zone = Name::from_str("example.com.").unwrap();
        let k = |n: &str| RrsetKey {
            name: Name::from_str(n).unwrap(),
            rtype: RecordType::AAAA,
        };
        assert_eq!(
            GoDaddy::records_path(&zone, &k("example.com.")),
            "v1/domains/example.com/records/AAAA/@"
        );
        assert_eq!(
            GoDaddy::records_path(&zone, &k("a.b.example.com.")),
            "v1/domains/example.com/records/AAAA/a.b"
        );
    }

    #[test]
    fn access_denied_explains_the_2024_restriction() {
        let p = GoDaddy {
            http: Http::new(&HttpSettings::default(), Duration::ZERO, vec![], false).unwrap(),
            settings: HttpSettings::default(),
            key: Secret::new("k"),
            secret: Secret::new("s"),
            shopper_id: None,
            zones: ZoneCache::default(),
        };
        let r = Response {
            status: 403,
            headers: vec![],
            body:
                br#"{"code":"ACCESS_DENIED","message":"Authenticated user is not allowed access"}"#
                    .to_vec(),
            what: "GET /v1/domains".into(),
        };
        let e = p.error(&r);
        assert!(
            matches!(&e, ProviderError::Auth(m) if m.contains("not allowed access") && m.contains("10 or more domains")),
            "{e}"
        );
    }
}
