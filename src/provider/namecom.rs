//! Name.com API v4 (HTTP Basic: user name and API token). One record per value, each with an
//! id: domains are listed with `GET /v4/domains`, an RRset is the records of one name and type
//! among `GET /v4/domains/{domain}/records` (both paged with `page`/`perPage`, the next page in
//! `nextPage`), records are created with `POST`, changed in place with
//! `PUT /v4/domains/{domain}/records/{id}` and deleted with `DELETE`. `host` is relative to
//! the domain (empty for the apex). TTLs below 300 s are raised to 300. The shared
//! read-compare-write lives in [`super::per_record`].
//!
//! A, AAAA and CNAME only: Name.com documents no escaping for TXT answers, so dnsup's exact TXT
//! round trip cannot be promised.
//!
//! Documentation: <https://docs.name.com/docs/api-reference/dns/list-records> (and
//! `create-record`, `update-record`, `delete-record`, `domains/list-domains`), authentication:
//! <https://docs.name.com/docs/api-reference/authentication>.

use std::time::Duration;

use base64::Engine as _;
use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::page;
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name, relative_name};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.name.com";

/// Name.com's smallest TTL.
pub const MIN_TTL: u32 = 300;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

/// `type = "namecom"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The account's user name.
    pub username: String,
    /// An API token (Account > Security > API tokens).
    pub token: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Name.com.
#[derive(Debug)]
pub struct NameCom {
    http: Http,
    settings: HttpSettings,
    auth: Secret,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DomainList {
    #[serde(default)]
    domains: Vec<Domain>,
    next_page: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Domain {
    domain_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordList {
    #[serde(default)]
    records: Vec<NameComRecord>,
    next_page: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct NameComRecord {
    id: u64,
    #[serde(default)]
    host: String,
    #[serde(rename = "type")]
    rtype: String,
    answer: String,
    ttl: u32,
}

/// Name.com's error body: `{"message": "...", "details": "..."}`.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        message: Option<String>,
        details: Option<String>,
    }
    match serde_json::from_slice::<E>(body) {
        Ok(E {
            message: Some(m),
            details: Some(d),
        }) => short(&format!("{m}: {d}")),
        Ok(E {
            message: Some(m), ..
        }) => short(&m),
        _ => String::new(),
    }
}

/// A page of `GET /v4/domains` (2xx): the domains and whether another page follows.
pub fn parse_domains(r: &Response) -> Result<(Vec<Name>, bool), ProviderError> {
    let list: DomainList = r.json()?;
    let names = list
        .domains
        .iter()
        .filter_map(|d| Name::from_ascii(format!("{}.", d.domain_name)).ok())
        .collect();
    Ok((names, list.next_page.is_some_and(|n| n > 0)))
}

fn host(key: &RrsetKey, zone: &Name) -> String {
    match relative_name(&key.name, zone).as_str() {
        "@" => String::new(),
        other => other.to_string(),
    }
}

/// A page of `GET /v4/domains/{domain}/records` (2xx): the records of `key` and whether
/// another page follows.
pub fn parse_records(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<(Vec<Record>, bool), ProviderError> {
    let list: RecordList = r.json()?;
    let host = host(key, zone);
    let rtype = key.rtype.to_string();
    let records = list
        .records
        .into_iter()
        .filter(|x| x.rtype == rtype && x.host.eq_ignore_ascii_case(&host))
        .map(|x| {
            let value = parse_compact(key.rtype, &x.answer).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: Name.com holds a value dnsup cannot read: {e}"
                ))
            })?;
            Ok(Record {
                id: x.id.to_string(),
                value,
                ttl: x.ttl,
            })
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    Ok((records, list.next_page.is_some_and(|n| n > 0)))
}

impl NameCom {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.username.is_empty() || c.username.contains(':') {
            return Err("username: required, without ':' (HTTP Basic authentication)".into());
        }
        let token = setup.secret(&c.token, "token")?;
        let auth = Secret::new(base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            c.username,
            token.expose()
        )));
        // 20 requests per second and 3,000 per hour: 250 ms apart stays inside both on a pass.
        let http = Http::new(
            &c.http,
            Duration::from_millis(250),
            vec![token, auth.clone()],
            false,
        )?;
        Ok(NameCom {
            http,
            settings: c.http.clone(),
            auth,
        })
    }

    fn request(&self, method: Method, segments: &[&str]) -> Result<Request, ProviderError> {
        let mut all = vec!["v4"];
        all.extend_from_slice(segments);
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, &all)?;
        Ok(Request::new(method, url)
            .header("authorization", format!("Basic {}", self.auth.expose())))
    }

    async fn send(&self, r: &Request) -> Result<Response, ProviderError> {
        self.http.send_ok(r, error_detail).await
    }
}

impl RecordApi for NameCom {
    const LABEL: &'static str = "namecom";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = MIN_TTL;

    fn name(&self) -> &'static str {
        "Name.com"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        page::numbered(|page| async move {
            let p = page.to_string();
            let r = self
                .request(Method::GET, &["domains"])?
                .query(&[("page", &p), ("perPage", "1000")]);
            parse_domains(&self.send(&r).await?)
        })
        .await
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let domain = plain_name(zone);
        let domain = &domain;
        page::numbered(|page| async move {
            let p = page.to_string();
            let r = self
                .request(Method::GET, &["domains", domain, "records"])?
                .query(&[("page", &p), ("perPage", "1000")]);
            parse_records(&self.send(&r).await?, zone, key)
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
        let body = json!({
            "host": host(key, zone),
            "type": key.rtype.to_string(),
            "answer": compact(value),
            "ttl": ttl,
        });
        let r = self
            .request(Method::POST, &["domains", &plain_name(zone), "records"])?
            .json(&body);
        self.send(&r).await?;
        Ok(())
    }

    async fn update(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let body = json!({
            "host": host(key, zone),
            "type": key.rtype.to_string(),
            "answer": compact(value),
            "ttl": ttl,
        });
        let r = self
            .request(
                Method::PUT,
                &["domains", &plain_name(zone), "records", &record.id],
            )?
            .json(&body);
        self.send(&r).await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let r = self.request(
            Method::DELETE,
            &["domains", &plain_name(zone), "records", &record.id],
        )?;
        self.send(&r).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_parse() {
        assert_eq!(
            error_detail(br#"{"message":"Unauthenticated","details":"Authentication failed"}"#),
            "Unauthenticated: Authentication failed"
        );
        let r = Response {
            status: 200,
            headers: vec![],
            body: br#"{"records":[{"id":12345,"domainName":"example.org","host":"www","fqdn":"www.example.org.","type":"A","answer":"10.0.0.1","ttl":300},{"id":2,"domainName":"example.org","fqdn":"example.org.","type":"A","answer":"10.0.0.2","ttl":300}],"nextPage":2,"lastPage":2}"#.to_vec(),
            what: "GET /v4/domains/example.org/records".into(),
        };
        let zone = Name::from_ascii("example.org.").unwrap();
        let www = RrsetKey {
            name: Name::from_ascii("www.example.org.").unwrap(),
            rtype: RecordType::A,
        };
        let (got, more) = parse_records(&r, &zone, &www).unwrap();
        assert_eq!((got.len(), got[0].id.as_str(), more), (1, "12345", true));
        let apex = RrsetKey {
            name: zone.clone(),
            rtype: RecordType::A,
        };
        assert_eq!(parse_records(&r, &zone, &apex).unwrap().0[0].id, "2");
    }
}
