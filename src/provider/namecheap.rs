//! Namecheap dynamic DNS: one GET per change to
//! `https://dynamicdns.park-your-domain.com/update?host=H&domain=D&password=P&ip=V4`, with the
//! domain's Dynamic DNS password (Advanced DNS > Dynamic DNS; one password per domain, so one
//! provider per domain). The answer is a small XML document (`<interface-response>`) whose
//! `<ErrCount>` is 0 on success, otherwise `<errors><Err1>message</Err1></errors>`.
//!
//! Documentation: <https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/how-to-dynamically-update-the-hosts-ip-with-an-http-request/>
//! and <https://www.namecheap.com/support/knowledgebase/article.aspx/43/11/how-do-i-set-up-a-host-for-dynamic-dns/>.
//!
//! - `host` is the name relative to the domain (`@` for the apex, `*` for the wildcard); the
//!   host must already exist as an "A + Dynamic DNS" record.
//! - A records only (Namecheap's dynamic DNS does not set AAAA), one value, write-only, the TTL
//!   is Namecheap's; no delete.
//! - `Err1` "Passwords do not match" is an authentication error; any other error is a refusal.
//!   The XML is read by looking for the few elements used, never trusted to be well formed.

use std::str::FromStr;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use serde::Deserialize;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response};
use super::update_only;
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef, plain_name,
    relative_name,
};

/// The documented update URL.
pub const DEFAULT_ENDPOINT: &str = "https://dynamicdns.park-your-domain.com/update";

/// `type = "namecheap"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The domain (`example.com`): the zone of every name this provider updates.
    pub domain: String,
    /// The domain's Dynamic DNS password.
    pub password: SecretRef,
    /// HTTP settings (`endpoint` is the full update URL).
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct Namecheap {
    http: Http,
    url: reqwest::Url,
    domain: Name,
    password: Secret,
}

impl Namecheap {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let password = setup.secret(&c.password, "password")?;
        let domain = Name::from_str(&format!("{}.", c.domain.trim().trim_end_matches('.')))
            .map_err(|e| format!("domain '{}': {e}", c.domain))?;
        if domain.is_root() {
            return Err("domain is empty".into());
        }
        let base = c.http.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT);
        let url = reqwest::Url::parse(base).map_err(|e| format!("endpoint '{base}': {e}"))?;
        let http = Http::new(
            &c.http,
            Duration::from_secs(1),
            vec![password.clone()],
            false,
        )?;
        Ok(Namecheap {
            http,
            url,
            domain,
            password,
        })
    }
}

/// The text of the first `<tag>...</tag>` in `xml` (case-sensitive, as Namecheap writes it),
/// with the five predefined entities decoded.
fn element<'a>(xml: &'a str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml.get(start..)?.find(&close)?;
    let raw: &'a str = xml.get(start..end)?;
    let raw = raw
        .trim()
        .trim_start_matches("<![CDATA[")
        .trim_end_matches("]]>");
    Some(
        raw.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
            .trim()
            .to_string(),
    )
}

/// What an answer means.
fn outcome(key: &RrsetKey, xml: &str) -> Result<Applied, ProviderError> {
    let count = element(xml, "ErrCount")
        .and_then(|c| c.parse::<u32>().ok())
        .ok_or_else(|| {
            ProviderError::Protocol(format!("{key}: Namecheap's answer has no ErrCount"))
        })?;
    if count == 0 {
        return Ok(Applied::Done);
    }
    let message: String = element(xml, "Err1")
        .unwrap_or_else(|| "unknown error".into())
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if message
        .to_ascii_lowercase()
        .contains("passwords do not match")
    {
        Err(ProviderError::Auth(format!("{key}: Namecheap: {message}")))
    } else {
        Err(ProviderError::Refused(format!(
            "{key}: Namecheap: {message}"
        )))
    }
}

/// The service, for messages.
/// What an answer means: a non-2xx status is its error, else [`outcome`] of the body (passed
/// through `scrub`).
pub(crate) fn answer(
    key: &RrsetKey,
    response: &Response,
    scrub: impl Fn(&str) -> String,
) -> Result<Applied, ProviderError> {
    if !response.ok() {
        return Err(response.error(""));
    }
    outcome(key, &scrub(&response.text()))
}

const SERVICE: &str = "Namecheap dynamic DNS";

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = update_only::capabilities(&[RecordType::A]);

impl Provider for Namecheap {
    fn label(&self) -> String {
        format!("namecheap {}", plain_name(&self.domain))
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        if self.domain.zone_of(name) {
            Ok(self.domain.clone())
        } else {
            Err(ProviderError::Refused(format!(
                "{name} is not in {} (this provider's domain)",
                self.domain
            )))
        }
    }

    async fn read(&self, _zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        update_only::cannot_read(SERVICE, key)
    }

    async fn replace(
        &self,
        _zone: &Name,
        key: &RrsetKey,
        _expected: &[RData],
        new: &[RData],
        _ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let RData::A(ip) = update_only::one_value(SERVICE, "IPv4 address", key, new)? else {
            return Err(update_only::not_one(SERVICE, "IPv4 address", key));
        };
        if !self.domain.zone_of(&key.name) {
            return Err(ProviderError::Refused(format!(
                "{key}: not in {} (this provider's domain)",
                self.domain
            )));
        }
        let host = relative_name(&key.name, &self.domain);
        let domain = plain_name(&self.domain);
        let ip = ip.0.to_string();
        let request = Request::new(reqwest::Method::GET, self.url.clone()).query(&[
            ("host", host.as_str()),
            ("domain", domain.as_str()),
            ("password", self.password.expose()),
            ("ip", ip.as_str()),
        ]);
        let response = self.http.send(&request).await?;
        answer(key, &response, |m| self.http.scrub(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k() -> RrsetKey {
        RrsetKey {
            name: Name::from_str("www.example.com.").unwrap(),
            rtype: RecordType::A,
        }
    }

    #[test]
    fn success_and_errors() {
        let ok = r#"<?xml version="1.0" encoding="utf-16"?>
<interface-response><Command>SETDNSHOST</Command><Language>eng</Language>
<IP>192.0.2.1</IP><ErrCount>0</ErrCount><errors /><ResponseCount>0</ResponseCount>
<responses /><Done>true</Done><debug><![CDATA[]]></debug></interface-response>"#;
        assert_eq!(outcome(&k(), ok).unwrap(), Applied::Done);
        let bad = "<interface-response><ErrCount>1</ErrCount><errors><Err1>Passwords do not match</Err1></errors></interface-response>";
        assert!(matches!(outcome(&k(), bad), Err(ProviderError::Auth(_))));
        let nohost = "<interface-response><ErrCount>1</ErrCount><errors><Err1>No Records updated. A record not Found;</Err1></errors></interface-response>";
        assert!(
            matches!(outcome(&k(), nohost), Err(ProviderError::Refused(m)) if m.contains("A record not Found"))
        );
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "",
            "<ErrCount>",
            "<ErrCount></ErrCount>",
            "</ErrCount><ErrCount>",
            "<ErrCount>x</ErrCount>",
            "<ErrCount>2</ErrCount><Err1>",
            "<ErrCount>ü</ErrCount>",
            "\u{feff}<ErrCount>0</ErrCount>",
        ] {
            let _ = outcome(&k(), text);
        }
        assert!(matches!(
            outcome(&k(), "<html>"),
            Err(ProviderError::Protocol(_))
        ));
        assert_eq!(
            element("<Err1>a &amp; b</Err1>", "Err1").as_deref(),
            Some("a & b")
        );
    }
}
