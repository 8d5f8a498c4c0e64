//! Servercow DNS API (`X-Auth-Username` / `X-Auth-Password` headers, JSON). One URL per domain,
//! `https://api.servercow.de/dns/v1/domains/{domain}`: `GET` lists its records (`[{name, ttl,
//! type, content}]`, `name` relative to the domain, empty for the apex), `POST` with `{type,
//! name, content, ttl}` creates or replaces the record of that name and type, `DELETE` with
//! `{type, name}` removes it. There is no listing of domains: the domain is configured. Read,
//! compare, then that one write.
//!
//! A, AAAA and CNAME, one value per name and type: the documentation allows several values
//! (`content` as a list) only for TXT, CAA and TLSA, and gives TXT content without an escaping
//! rule, so dnsup's exact TXT round trip cannot be promised. Errors come as `{"error": "..."}`,
//! also with HTTP 200; the documentation gives no wording for them, so an error that speaks of
//! authentication, login, credentials or a password is taken as refused credentials, any other
//! as a refusal.
//!
//! Documentation: <https://wiki.servercow.de/en/domains/dns_api/api-syntax> (URL, headers,
//! `GET`, `POST`, `DELETE` and their bodies, record types, `content` lists), creating the API
//! user and its permissions: <https://wiki.servercow.com/en/domains/dns_api/create-user/>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::per_rrset::{Held, RrsetApi, found};
use super::text::{parse_presentation, presentation};
use super::{
    Capabilities, ProviderError, Rrset, RrsetKey, Secret, SecretRef, plain_name, relative_name,
};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.servercow.de/dns/v1";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    multiple_values: false,
    ..Capabilities::READ_WRITE
};

/// `type = "servercow"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The domain the records live in (`example.org`).
    pub domain: String,
    /// The DNS API user's name (customer portal, Servercow DNS-API).
    pub username: String,
    /// The DNS API user's password.
    pub password: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Servercow.
#[derive(Debug)]
pub struct Servercow {
    http: Http,
    settings: HttpSettings,
    domain: Name,
    username: String,
    password: Secret,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Content {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
struct ScRecord {
    #[serde(default)]
    name: String,
    #[serde(default)]
    ttl: Option<u32>,
    #[serde(rename = "type")]
    rtype: String,
    content: Content,
}

#[derive(Debug, Deserialize)]
struct Message {
    error: Option<String>,
}

/// Servercow's error body: `{"error": "..."}`.
pub fn error_detail(body: &[u8]) -> String {
    serde_json::from_slice::<Message>(body)
        .ok()
        .and_then(|m| m.error)
        .map(|m| short(&m))
        .unwrap_or_default()
}

/// The error an `{"error": ...}` answer (any status) means.
fn answer_error(r: &Response, message: &str) -> ProviderError {
    let what = format!("{} answered: {}", r.what, short(message));
    let lower = message.to_ascii_lowercase();
    if ["auth", "login", "credential", "password"]
        .iter()
        .any(|w| lower.contains(w))
    {
        ProviderError::Auth(what)
    } else {
        ProviderError::Refused(what)
    }
}

/// A write answer (2xx): `{"message": ...}` is done, `{"error": ...}` is refused.
pub fn parse_write(r: &Response) -> Result<(), ProviderError> {
    match serde_json::from_slice::<Message>(&r.body) {
        Ok(Message { error: Some(e) }) => Err(answer_error(r, &e)),
        Ok(_) => Ok(()),
        Err(e) => Err(ProviderError::Protocol(format!(
            "{}: unexpected answer ({e})",
            r.what
        ))),
    }
}

/// The `name` of `key` in `zone`: relative, empty for the apex.
pub fn name(key: &RrsetKey, zone: &Name) -> String {
    match relative_name(&key.name, zone).as_str() {
        "@" => String::new(),
        other => other.to_string(),
    }
}

/// `GET /domains/{domain}` (2xx): the RRset of `key` (an `{"error": ...}` answer is its
/// error).
pub fn parse_rrset(r: &Response, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
    if let Ok(Message { error: Some(e) }) = serde_json::from_slice::<Message>(&r.body) {
        return Err(answer_error(r, &e));
    }
    let records: Vec<ScRecord> = r.json()?;
    let name = name(key, zone);
    let rtype = key.rtype.to_string();
    let mut out = Rrset::default();
    for x in records
        .into_iter()
        .filter(|x| x.rtype == rtype && x.name.eq_ignore_ascii_case(&name))
    {
        let values = match x.content {
            Content::One(v) => vec![v],
            Content::Many(v) => v,
        };
        for v in values {
            out.values.push(parse_presentation(key.rtype, &v, zone)?);
        }
        if out.ttl.is_none() {
            out.ttl = x.ttl;
        }
    }
    Ok(out)
}

impl Servercow {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let domain = Name::from_ascii(format!("{}.", c.domain.trim_end_matches('.')))
            .map_err(|e| format!("domain '{}': {e}", c.domain))?;
        if c.username.is_empty() {
            return Err("username: required (the DNS API user)".into());
        }
        // No rate limit is documented: a fifth of a second apart stays polite.
        let ([password], http) = Http::configured(
            setup,
            [(&c.password, "password")],
            &c.http,
            Duration::from_millis(200),
        )?;
        Ok(Servercow {
            http,
            settings: c.http.clone(),
            domain,
            username: c.username.clone(),
            password,
        })
    }

    fn request(&self, method: Method, zone: &Name) -> Result<Request, ProviderError> {
        let url = endpoint_url(
            &self.settings,
            DEFAULT_ENDPOINT,
            &["domains", &plain_name(zone)],
        )?;
        Ok(Request::new(method, url)
            .header("x-auth-username", self.username.as_str())
            .header("x-auth-password", self.password.expose())
            .header("content-type", "application/json"))
    }

    async fn send(
        &self,
        method: Method,
        zone: &Name,
        body: serde_json::Value,
    ) -> Result<(), ProviderError> {
        let mut r = self.request(method, zone)?;
        r.body = body.to_string().into_bytes();
        parse_write(&self.http.send_ok(&r, error_detail).await?)
    }
}

impl RrsetApi for Servercow {
    const LABEL: &'static str = "servercow";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = ();

    fn name(&self) -> &'static str {
        "Servercow"
    }

    /// The one configured domain (the API has no call listing them).
    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        Ok(vec![self.domain.clone()])
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        if self.domain.zone_of(name) {
            Ok(self.domain.clone())
        } else {
            Err(ProviderError::Refused(format!(
                "{name} is not in the configured Servercow domain {}",
                self.domain
            )))
        }
    }

    async fn fetch(&self, zone: &Name, key: &RrsetKey) -> Result<Option<Held<()>>, ProviderError> {
        let r = self.request(Method::GET, zone)?;
        Ok(found(parse_rrset(
            &self.http.send_ok(&r, error_detail).await?,
            zone,
            key,
        )?))
    }

    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        _: Option<&Held<()>>,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let [value] = new else {
            return Err(ProviderError::Unsupported(format!(
                "{key}: Servercow holds one value per name and type"
            )));
        };
        let body = json!({
            "type": key.rtype.to_string(),
            "name": name(key, zone),
            "content": presentation(value),
            "ttl": ttl,
        });
        self.send(Method::POST, zone, body).await
    }

    async fn delete(&self, zone: &Name, key: &RrsetKey, _: &Held<()>) -> Result<(), ProviderError> {
        let body = json!({"type": key.rtype.to_string(), "name": name(key, zone)});
        self.send(Method::DELETE, zone, body).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &[u8]) -> Response {
        Response {
            status: 200,
            headers: vec![],
            body: body.to_vec(),
            what: "GET /dns/v1/domains/example.org".into(),
        }
    }

    #[test]
    fn documented_shapes_parse() {
        let zone = Name::from_ascii("example.org.").unwrap();
        let r = response(
            br#"[{"name":"www","ttl":120,"type":"A","content":"192.0.2.1"},
                {"name":"_acme-challenge.www","ttl":20,"type":"TXT","content":["zeile1","zeile2"]},
                {"name":"","ttl":300,"type":"AAAA","content":"2001:db8::1"}]"#,
        );
        let www = RrsetKey {
            name: Name::from_ascii("www.example.org.").unwrap(),
            rtype: RecordType::A,
        };
        let set = parse_rrset(&r, &zone, &www).unwrap();
        assert_eq!((set.ttl, set.values.len()), (Some(120), 1));
        let apex = RrsetKey {
            name: zone.clone(),
            rtype: RecordType::AAAA,
        };
        assert_eq!(parse_rrset(&r, &zone, &apex).unwrap().values.len(), 1);
        let denied = response(br#"{"error":"Authentication failed"}"#);
        assert!(matches!(
            parse_rrset(&denied, &zone, &www),
            Err(ProviderError::Auth(_))
        ));
        assert!(matches!(
            parse_write(&response(br#"{"error":"Invalid record type"}"#)),
            Err(ProviderError::Refused(_))
        ));
        assert!(parse_write(&response(br#"{"message":"ok"}"#)).is_ok());
    }
}
