//! NearlyFreeSpeech.NET member API (`https://api.nearlyfreespeech.net`). Every request is
//! signed with `X-NFSN-Authentication: login;timestamp;salt;hash` ([`nfsn_authentication`]:
//! SHA-1 over the login, the time, a random salt, the API key, the request path and the SHA-1
//! of the body); the API refuses a request whose time is more than a few seconds off, so the
//! signature is made again for each retry. A request is `/<type>/<id>/<member>`: methods are
//! `POST`s with form-encoded arguments, properties `GET`s. Errors are a non-200 status with
//! `{"error", "debug"}`.
//!
//! DNS is the `dns` object of a domain (`/dns/example.com/...`): `listRRs` (filters `name`,
//! `type`, `data`; answers `[{"name", "type", "data", "ttl", "scope"}]`, `name` relative to the
//! domain, empty at the apex), `addRR`, `removeRR` (one record, by name, type and data: records
//! have no id) and `replaceRR` (every record of a name and type becomes the one given), and
//! the property `minTTL` (60 to 2678400 s; a smaller record TTL is served as the minTTL).
//! There is no call that lists an account's domains: the zone of a name is found by asking for
//! the `minTTL` of each of its parents, longest first (a domain that is not the account's
//! answers an error, its status undocumented); the answer is kept, and TTLs are raised to it
//! so that a held TTL compares equal and is not written again on every refresh.
//!
//! An RRset of one value is written with one `replaceRR`, which the API applies as one change.
//! What is not atomic: the read-compare before it (a change made by someone else in between
//! is overwritten), and RRsets of several values: with the right TTL already, missing values
//! are added and then extra ones removed one call each; otherwise `replaceRR` with the first
//! value and `addRR` for each other one, so for a moment the RRset holds only the first value.
//! A delete removes the values one by one.
//!
//! A and AAAA only: the API documentation available gives no format for the data of names
//! (relative or absolute CNAME targets) or of TXT strings (quoting, several strings). Records
//! NFSN keeps itself (`scope` other than `member`) are read like the others; the API may
//! refuse to change them, which is then the error reported.
//!
//! Documentation: <https://members.nearlyfreespeech.net/wiki/API/Introduction> (authentication,
//! requests; behind the member login) and NFSN's own client
//! <https://github.com/nfsn/nfsn-apiclient-php> (`src/Manager.php`, `src/DNS.php`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::per_rrset::{Held, RrsetApi};
use super::sign::{nfsn_authentication, nfsn_salt, unix_now};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, same_values};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.nearlyfreespeech.net";

/// The lowest `minTTL` a domain can have.
pub const MIN_TTL: u32 = 60;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    min_ttl: MIN_TTL,
    types: &[RecordType::A, RecordType::AAAA],
    ..Capabilities::READ_WRITE
};

/// `type = "nfsn"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The member login.
    pub login: String,
    /// The API key (given by NFSN support on request).
    pub api_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// NearlyFreeSpeech.NET.
#[derive(Debug)]
pub struct Nfsn {
    http: Http,
    settings: HttpSettings,
    login: String,
    api_key: Secret,
    /// The `minTTL` of each domain found.
    min_ttls: Mutex<HashMap<Name, u32>>,
}

/// What a write needs of a read: the TTL of each value, and the domain's `minTTL`.
#[derive(Debug, Clone)]
pub struct Handle {
    /// The TTL of each value, in the order of the RRset's values.
    pub ttls: Vec<u32>,
    /// The domain's lowest TTL.
    pub min_ttl: u32,
}

#[derive(Debug, Deserialize)]
struct Rr {
    #[serde(default)]
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    #[serde(default)]
    data: String,
    #[serde(default)]
    ttl: Ttl,
}

/// A TTL as a number or a string of digits.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum Ttl {
    Number(u32),
    Text(String),
    #[default]
    Missing,
}

/// The `error` (and `debug`) of an error body.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        error: Option<String>,
        debug: Option<String>,
    }
    match serde_json::from_slice::<E>(body) {
        Ok(E {
            error: Some(e),
            debug: Some(d),
        }) if !d.is_empty() => short(&format!("{e} ({d})")),
        Ok(E { error: Some(e), .. }) => short(&e),
        _ => String::new(),
    }
}

/// The name `listRRs` and the writes use for `name` in `zone`: relative, empty at the apex.
pub fn rr_name(name: &Name, zone: &Name) -> String {
    let labels = name.iter().count().saturating_sub(zone.iter().count());
    let text = name.to_ascii();
    let parts: Vec<&str> = text.trim_end_matches('.').split('.').collect();
    parts[..labels.min(parts.len())].join(".")
}

/// `GET /dns/{domain}/minTTL` (200): the domain's lowest TTL.
pub fn parse_min_ttl(r: &Response) -> Result<u32, ProviderError> {
    let text = r.text();
    let t = text.trim().trim_matches('"');
    t.parse::<u32>()
        .map_err(|_| ProviderError::Protocol(format!("{}: not a TTL: {}", r.what, short(&text))))
}

/// `POST /dns/{domain}/listRRs` (200): the values of `key` (exactly its name and type) with
/// their TTLs; `name` is relative to `zone`.
pub fn parse_rrs(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Vec<(RData, u32)>, ProviderError> {
    let all: Vec<Rr> = r.json()?;
    let (name, rtype) = (rr_name(&key.name, zone), key.rtype.to_string());
    let mut out: Vec<(RData, u32)> = Vec::new();
    for x in all {
        if !x.rtype.eq_ignore_ascii_case(&rtype) || !x.name.eq_ignore_ascii_case(&name) {
            continue;
        }
        let value = parse_compact(key.rtype, &x.data).map_err(|e| {
            ProviderError::Protocol(format!(
                "{key}: NearlyFreeSpeech.NET holds a value dnsup cannot read: {e}"
            ))
        })?;
        let ttl = match x.ttl {
            Ttl::Number(n) => n,
            Ttl::Text(t) => t.trim().parse().map_err(|_| {
                ProviderError::Protocol(format!("{}: TTL {:?} is not a number", r.what, short(&t)))
            })?,
            Ttl::Missing => 0,
        };
        if !out.iter().any(|(v, _)| *v == value) {
            out.push((value, ttl));
        }
    }
    Ok(out)
}

/// The candidate domains of `name`, longest first, down to two labels (NFSN holds registered
/// domains, never a top-level domain).
pub fn candidates(name: &Name) -> Vec<Name> {
    let mut out = Vec::new();
    let mut n = name.clone();
    while n.num_labels() >= 2 {
        out.push(n.clone());
        n = n.base_name();
    }
    out
}

impl Nfsn {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let login = c.login.trim();
        if login.is_empty() || login.contains([';', ' ']) {
            return Err(format!(
                "login '{}': the NearlyFreeSpeech.NET member login (no ';' or spaces)",
                c.login
            ));
        }
        // NFSN publishes no rate limit; a gentle 250 ms between requests.
        let ([api_key], http) = Http::configured(
            setup,
            [(&c.api_key, "api_key")],
            &c.http,
            Duration::from_millis(250),
        )?;
        Ok(Nfsn {
            http,
            settings: c.http.clone(),
            login: login.to_string(),
            api_key,
            min_ttls: Mutex::new(HashMap::new()),
        })
    }

    fn url(&self, domain: &Name, member: &str) -> Result<reqwest::Url, ProviderError> {
        let d = domain.to_ascii();
        endpoint_url(
            &self.settings,
            DEFAULT_ENDPOINT,
            &["dns", d.trim_end_matches('.'), member],
        )
    }

    /// Send `r`, signed afresh for each attempt.
    async fn send(&self, r: &Request) -> Result<Response, ProviderError> {
        self.http
            .send_signed(r, |r| {
                let auth = nfsn_authentication(
                    &self.login,
                    self.api_key.expose(),
                    unix_now(),
                    &nfsn_salt(),
                    r.url.path(),
                    &r.body,
                );
                r.clone().header("x-nfsn-authentication", auth)
            })
            .await
    }

    async fn send_ok(&self, r: &Request) -> Result<Response, ProviderError> {
        let response = self.send(r).await?;
        if response.status != 200 {
            return Err(self.http.fail(&response, error_detail));
        }
        Ok(response)
    }

    /// A DNS method of `zone` with form arguments.
    async fn call(
        &self,
        zone: &Name,
        method: &str,
        args: &[(&str, &str)],
    ) -> Result<Response, ProviderError> {
        let r = Request::new(Method::POST, self.url(zone, method)?).form(args);
        self.send_ok(&r).await
    }

    /// `GET minTTL` of `domain`: `Ok(Err(refusal))` when the API refuses the domain (not this
    /// account's, as far as can be told); `Err` for an authentication failure (401), a rate
    /// limit or a server error.
    async fn probe(&self, domain: &Name) -> Result<Result<u32, ProviderError>, ProviderError> {
        let r = Request::new(Method::GET, self.url(domain, "minTTL")?);
        let response = self.send(&r).await?;
        match response.status {
            200 => Ok(Ok(parse_min_ttl(&response)?)),
            401 | 408 | 429 | 500..=599 => Err(self.http.fail(&response, error_detail)),
            _ => Ok(Err(self.http.fail(&response, error_detail))),
        }
    }

    /// The `minTTL` of `zone` (asked once).
    async fn min_ttl(&self, zone: &Name) -> Result<u32, ProviderError> {
        if let Some(t) = self.cached_min_ttl(zone) {
            return Ok(t);
        }
        let t = self.probe(zone).await??;
        self.remember(zone, t);
        Ok(t)
    }

    fn cached_min_ttl(&self, zone: &Name) -> Option<u32> {
        let m = self.min_ttls.lock().unwrap_or_else(|p| p.into_inner());
        m.get(zone).copied()
    }

    fn remember(&self, zone: &Name, min_ttl: u32) {
        let mut m = self.min_ttls.lock().unwrap_or_else(|p| p.into_inner());
        m.insert(zone.clone(), min_ttl);
    }

    async fn add(
        &self,
        zone: &Name,
        name: &str,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let (rtype, data, ttl) = (key.rtype.to_string(), compact(value), ttl.to_string());
        let args = [
            ("name", name),
            ("type", rtype.as_str()),
            ("data", data.as_str()),
            ("ttl", ttl.as_str()),
        ];
        self.call(zone, "addRR", &args).await?;
        Ok(())
    }

    async fn remove(
        &self,
        zone: &Name,
        name: &str,
        key: &RrsetKey,
        value: &RData,
    ) -> Result<(), ProviderError> {
        let (rtype, data) = (key.rtype.to_string(), compact(value));
        let args = [
            ("name", name),
            ("type", rtype.as_str()),
            ("data", data.as_str()),
        ];
        self.call(zone, "removeRR", &args).await?;
        Ok(())
    }

    async fn replace_rr(
        &self,
        zone: &Name,
        name: &str,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let (rtype, data, ttl) = (key.rtype.to_string(), compact(value), ttl.to_string());
        let args = [
            ("name", name),
            ("type", rtype.as_str()),
            ("data", data.as_str()),
            ("ttl", ttl.as_str()),
        ];
        self.call(zone, "replaceRR", &args).await?;
        Ok(())
    }
}

impl RrsetApi for Nfsn {
    const LABEL: &'static str = "nfsn";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = Handle;

    fn name(&self) -> &'static str {
        "NearlyFreeSpeech.NET"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Err(ProviderError::Unsupported(
            "NearlyFreeSpeech.NET lists no domains; the zone is found by asking for each parent"
                .into(),
        ))
    }

    /// Ask for the `minTTL` of each parent of `name`, longest first: the first the API
    /// answers is the zone. Refusals of the others are expected; a `401`, a rate limit or a
    /// server error ends the search.
    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let mut refused: Option<ProviderError> = None;
        for candidate in candidates(name) {
            match self.probe(&candidate).await? {
                Ok(t) => {
                    self.remember(&candidate, t);
                    return Ok(candidate);
                }
                Err(e) => {
                    // A 403 is kept over a 404: it may be the credentials, not the domain.
                    if !matches!(refused, Some(ProviderError::Auth(_))) {
                        refused = Some(e);
                    }
                }
            }
        }
        Err(match refused {
            Some(ProviderError::Auth(e)) => ProviderError::Auth(e),
            Some(e) => ProviderError::Refused(format!(
                "no domain of this NearlyFreeSpeech.NET account holds {name} (last answer: {e})"
            )),
            None => ProviderError::Refused(format!("{name}: no domain to ask for")),
        })
    }

    async fn fetch(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Option<Held<Handle>>, ProviderError> {
        let min_ttl = self.min_ttl(zone).await?;
        let (name, rtype) = (rr_name(&key.name, zone), key.rtype.to_string());
        let r = self
            .call(
                zone,
                "listRRs",
                &[("name", name.as_str()), ("type", rtype.as_str())],
            )
            .await?;
        let held = parse_rrs(&r, zone, key)?;
        if held.is_empty() {
            return Ok(None);
        }
        let (values, ttls): (Vec<RData>, Vec<u32>) = held.into_iter().unzip();
        Ok(Some(Held {
            rrset: super::Rrset {
                ttl: ttls.first().copied(),
                values,
            },
            handle: Handle { ttls, min_ttl },
        }))
    }

    fn holds(held: &Held<Handle>, new: &[RData], ttl: u32) -> bool {
        let ttl = ttl.max(held.handle.min_ttl);
        held.handle.ttls.iter().all(|&t| t == ttl) && same_values(&held.rrset.values, new)
    }

    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: Option<&Held<Handle>>,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let min_ttl = match held {
            Some(h) => h.handle.min_ttl,
            None => self.min_ttl(zone).await?,
        };
        let ttl = ttl.max(min_ttl);
        let name = rr_name(&key.name, zone);
        let Some((first, rest)) = new.split_first() else {
            return Ok(());
        };
        match held {
            // Several values, the TTL already right: add what is missing, then remove what
            // is left over (the RRset never loses a value it keeps).
            Some(h) if new.len() > 1 && h.handle.ttls.iter().all(|&t| t == ttl) => {
                for v in new {
                    if !h.rrset.values.contains(v) {
                        self.add(zone, &name, key, v, ttl).await?;
                    }
                }
                for v in &h.rrset.values {
                    if !new.contains(v) {
                        self.remove(zone, &name, key, v).await?;
                    }
                }
            }
            // One change for one value; the others are added after it.
            _ => {
                self.replace_rr(zone, &name, key, first, ttl).await?;
                for v in rest {
                    self.add(zone, &name, key, v, ttl).await?;
                }
            }
        }
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: &Held<Handle>,
    ) -> Result<(), ProviderError> {
        let name = rr_name(&key.name, zone);
        for v in &held.rrset.values {
            self.remove(zone, &name, key, v).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn n(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    #[test]
    fn names_are_relative_and_empty_at_the_apex() {
        let z = n("example.com.");
        assert_eq!(rr_name(&z, &z), "");
        assert_eq!(rr_name(&n("www.example.com."), &z), "www");
        assert_eq!(rr_name(&n("a.b.example.com."), &z), "a.b");
        assert_eq!(
            candidates(&n("a.b.example.com.")),
            [
                n("a.b.example.com."),
                n("b.example.com."),
                n("example.com.")
            ]
        );
        assert!(candidates(&n("com.")).is_empty());
    }

    #[test]
    fn answers_parse() {
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"[{"name":"","type":"A","data":"192.0.2.1","ttl":"3600","scope":"member"},{"name":"www","type":"A","data":"192.0.2.2","ttl":180,"scope":"member"},{"name":"www","type":"AAAA","data":"2001:db8::1","ttl":"180","scope":"member"}]"#.to_vec(),
            what: "POST /dns/example.com/listRRs".into(),
        };
        let z = n("example.com.");
        let apex = RrsetKey {
            name: z.clone(),
            rtype: RecordType::A,
        };
        let got = parse_rrs(&r, &z, &apex).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].0.to_string(), got[0].1), ("192.0.2.1".into(), 3600));
        let www = RrsetKey {
            name: n("www.example.com."),
            rtype: RecordType::A,
        };
        let got = parse_rrs(&r, &z, &www).unwrap();
        assert_eq!((got[0].0.to_string(), got[0].1), ("192.0.2.2".into(), 180));
        let ttl = Response {
            body: b"60".to_vec(),
            ..r.clone()
        };
        assert_eq!(parse_min_ttl(&ttl).unwrap(), 60);
        assert_eq!(
            error_detail(br#"{"error":"Authentication failure.","debug":"The hash is wrong."}"#),
            "Authentication failure. (The hash is wrong.)"
        );
    }
}
