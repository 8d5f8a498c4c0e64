//! The dyndns2 protocol ("Members NIC Update API"): `GET /nic/update?hostname=H&myip=IP` with
//! HTTP Basic authentication, answered by one return code per host name. Generic (give `url`
//! or `server`) or with a preset (`service = ...`).
//!
//! Documentation:
//! - Dyn: <https://help.dyn.com/remote-access-api/perform-update/>,
//!   return codes <https://help.dyn.com/remote-access-api/return-codes/>.
//! - No-IP: <https://www.noip.com/integrate/request>, <https://www.noip.com/integrate/response>.
//! - DNS-O-Matic: <https://dnsomatic.com/docs/api>.
//! - dynv6: <https://dynv6.com/docs/apis> (its own "Update API", see below).
//!
//! Presets (`service`):
//! | service     | default URL                                      | AAAA                      |
//! |-------------|--------------------------------------------------|---------------------------|
//! | `noip`      | `https://dynupdate.no-ip.com/nic/update`         | `myipv6=` (No-IP's extra) |
//! | `dyn`       | `https://members.dyndns.org/v3/update`           | `myip=` (v3 takes IPv6)   |
//! | `dnsomatic` | `https://updates.dnsomatic.com/nic/update`       | none: A only              |
//! | `dynv6`     | `https://dynv6.com/api/update`                   | `ipv6=` (own protocol)    |
//! | `google`    | none: give `url`/`server`                        | `myip=`                   |
//! | (none)      | none: give `url`/`server`                        | `myip=`                   |
//!
//! Google Domains' dynamic DNS shut down in 2024 (the domains moved to Squarespace, which has
//! no such API); `google` remains for endpoints that still speak that dialect (its extra
//! answer `conflict A`/`conflict AAAA` is understood), and needs `url` or `server`.
//!
//! dynv6 does not speak dyndns2 for IPv6 (its `/nic/update` sets only the zone's IPv4), so the
//! `dynv6` preset uses dynv6's Update API: `GET /api/update?hostname=ZONE&token=T&ipv4=V4` (or
//! `ipv6=V6`); the token is `password` (alias `token`), no user name; success is HTTP 200
//! (`addresses updated`/`addresses unchanged`), errors are HTTP statuses (401 bad token,
//! 404 unknown zone). It updates the zone's own address, so the name is the dynv6 zone.
//!
//! One RRset per request: an A update sends only the IPv4 address, an AAAA update only the
//! IPv6 one (never `myip=v4,v6`), so the two are independent.
//!
//! Answer codes (one line per host name; we send one host name, every line is checked):
//! | answer                       | result                                               |
//! |------------------------------|------------------------------------------------------|
//! | `good IP`                    | Done (`good 127.0.0.1` when another address was sent: Blocked, the service ignored the update because of the agent) |
//! | `nochg IP`                   | Done (the address already was IP; repeated `nochg` is abuse, which is why the daemon sends only on a change) |
//! | `badauth`                    | Auth                                                 |
//! | `notfqdn`, `nohost`, `numhost`, `!yours`, `conflict A/AAAA` | Refused               |
//! | `!donator`                   | Refused (a paid feature: the user must act)          |
//! | `badagent`, `abuse`          | Blocked (never retried automatically)                |
//! | `911`, `dnserr`              | Throttled for 30 min (the spec's minimum)            |
//! | anything else                | bad answer (Protocol)                                |
//!
//! User-Agent: the shared `dnsup/VERSION`. No-IP asks for "Company NameOfProgram/Version
//! maintainer-contact" and Dyn for a client naming its maker and version: set `contact`
//! (an e-mail or URL) to send `dnsup/VERSION CONTACT`, which fits both.
//!
//! Capabilities: write-only (no read, no guard), A/AAAA (A only for DNS-O-Matic), one value,
//! no delete (the protocol cannot delete; No-IP's `offline` is not used), the TTL is the
//! service's. Host names cannot be listed: `find_zone` asks for `zone = ...` in the record.

use std::time::Duration;

use base64::Engine as _;
use hickory_proto::rr::{Name, RData, RecordType};
use serde::Deserialize;

use super::build::Setup;
use super::fuzz::{self, Case};
use super::http::{Http, HttpSettings, Request, Response, USER_AGENT};
use super::update_only;
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef, plain_name,
};

/// A service with known settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// No-IP.
    Noip,
    /// Dyn (Oracle).
    Dyn,
    /// DNS-O-Matic (Cisco/OpenDNS).
    Dnsomatic,
    /// dynv6 (its own Update API).
    Dynv6,
    /// The Google Domains dialect, for compatible endpoints (Google's own shut down in 2024).
    Google,
}

impl Service {
    fn default_url(self) -> Option<&'static str> {
        match self {
            Service::Noip => Some("https://dynupdate.no-ip.com/nic/update"),
            Service::Dyn => Some("https://members.dyndns.org/v3/update"),
            Service::Dnsomatic => Some("https://updates.dnsomatic.com/nic/update"),
            Service::Dynv6 => Some("https://dynv6.com/api/update"),
            Service::Google => None,
        }
    }

    fn path(service: Option<Service>) -> &'static str {
        match service {
            Some(Service::Dyn) => "/v3/update",
            Some(Service::Dynv6) => "/api/update",
            _ => "/nic/update",
        }
    }
}

/// How long to wait after `911`/`dnserr`: the protocol asks for at least 30 minutes.
const DNSERR_WAIT: u64 = 1_800;

/// `type = "dyndns2"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A preset; without it, `url` or `server` is required.
    pub service: Option<Service>,
    /// The update URL (`https://host/nic/update`).
    pub url: Option<String>,
    /// The update server's host (`host[:port]`): `https://HOST/nic/update`.
    pub server: Option<String>,
    /// The user name (not used by dynv6).
    pub username: Option<String>,
    /// The password or update key (dynv6: the zone's HTTP token).
    #[serde(alias = "token")]
    pub password: SecretRef,
    /// A contact (e-mail or URL) appended to the User-Agent, as No-IP asks.
    pub contact: Option<String>,
    /// HTTP settings (`endpoint`, when set, is the full update URL and wins over `url`).
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct Dyndns2 {
    http: Http,
    url: reqwest::Url,
    service: Option<Service>,
    username: String,
    password: Secret,
    user_agent: String,
}

impl Dyndns2 {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let url = match (&c.http.endpoint, &c.url, &c.server) {
            (_, Some(_), Some(_)) => return Err("give url or server, not both".into()),
            (Some(e), _, _) => e.clone(),
            (None, Some(u), None) => u.clone(),
            (None, None, Some(s)) => format!(
                "https://{}{}",
                s.trim_end_matches('/'),
                Service::path(c.service)
            ),
            (None, None, None) => match c.service.and_then(Service::default_url) {
                Some(u) => u.to_string(),
                None if c.service == Some(Service::Google) => {
                    return Err("Google Domains' dynamic DNS shut down in 2024: give url or server of a compatible endpoint".into());
                }
                None => return Err("give service, url or server".into()),
            },
        };
        let url = reqwest::Url::parse(&url).map_err(|e| format!("url '{url}': {e}"))?;
        if url.query().is_some() || !url.username().is_empty() || url.password().is_some() {
            return Err(
                "the update URL holds no query and no credentials: use username and password"
                    .into(),
            );
        }
        let username = match (c.service, &c.username) {
            (Some(Service::Dynv6), _) => String::new(),
            (_, Some(u)) if !u.is_empty() => u.clone(),
            _ => return Err("username is required".into()),
        };
        if username.contains(':') {
            return Err("username cannot contain ':' (HTTP Basic authentication)".into());
        }
        let password = setup.secret(&c.password, "password")?;
        let user_agent = match &c.contact {
            Some(contact) if !contact.trim().is_empty() => {
                let contact = contact.trim();
                if contact.chars().any(|ch| ch.is_control()) {
                    return Err("contact: control characters are not allowed".into());
                }
                format!("{USER_AGENT} {contact}")
            }
            _ => USER_AGENT.to_string(),
        };
        let http = Http::new(
            &c.http,
            Duration::from_secs(1),
            vec![password.clone()],
            false,
        )?;
        Ok(Dyndns2 {
            http,
            url,
            service: c.service,
            username,
            password,
            user_agent,
        })
    }

    /// The request for one RRset's new value.
    fn request(&self, key: &RrsetKey, ip: &str) -> Request {
        let host = plain_name(&key.name);
        let v6 = key.rtype == RecordType::AAAA;
        let base = Request::new(reqwest::Method::GET, self.url.clone())
            .header("user-agent", self.user_agent.clone());
        match self.service {
            Some(Service::Dynv6) => base.query(&[
                ("hostname", host.as_str()),
                ("token", self.password.expose()),
                (if v6 { "ipv6" } else { "ipv4" }, ip),
            ]),
            service => {
                let param = if v6 && service == Some(Service::Noip) {
                    "myipv6"
                } else {
                    "myip"
                };
                let auth = base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    self.username,
                    self.password.expose()
                ));
                base.header("authorization", format!("Basic {auth}"))
                    .query(&[("hostname", host.as_str()), (param, ip)])
            }
        }
    }
}

/// dynv6 answers with a status and a line of text: 2xx is done, else the status' error with the
/// first line (passed through `scrub`).
fn dynv6_outcome(
    key: &RrsetKey,
    response: &Response,
    scrub: impl Fn(&str) -> String,
) -> Result<Applied, ProviderError> {
    if response.ok() {
        return Ok(Applied::Done);
    }
    let first = response
        .text()
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let first: String = first.chars().take(200).collect();
    Err(match response.error(&scrub(&first)) {
        ProviderError::Refused(m) => ProviderError::Refused(format!("{key}: {m}")),
        other => other,
    })
}

/// The outcome of an update that sent `sent`, from the answer's codes (`text`, already
/// scrubbed); an answer without a code the status decides.
fn judge(
    key: &RrsetKey,
    sent: &str,
    response: &Response,
    text: &str,
) -> Result<Applied, ProviderError> {
    match outcome(key, sent, text) {
        // Some services answer badauth with HTTP 401 and a code; a code wins over the status.
        Err(ProviderError::Protocol(_)) if !response.ok() => Err(response.error("")),
        other => other,
    }
}

/// The fuzzer's way in ([`super::fuzz`]): op 0 a dyndns2 answer to an update sending
/// 192.0.2.1, 1 one sending 127.0.0.1, anything else a dynv6 answer.
pub(crate) fn fuzz_answer(case: &Case) {
    let r = &case.response;
    let result = match case.op % 3 {
        0 => judge(&case.key, "192.0.2.1", r, &r.text()),
        1 => judge(&case.key, "127.0.0.1", r, &r.text()),
        _ => dynv6_outcome(&case.key, r, str::to_string),
    };
    if let Some(Applied::Conflict(_)) = fuzz::result(result) {
        unreachable!("a dyndns2 service never reports a conflict");
    }
}

/// What a dyndns2 answer means, for an update that sent `sent`.
pub fn outcome(key: &RrsetKey, sent: &str, body: &str) -> Result<Applied, ProviderError> {
    let mut any = false;
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        any = true;
        let mut words = line.split_whitespace();
        let code = words.next().unwrap_or("");
        let arg = words.next().unwrap_or("");
        let said = |what: &str| format!("{key}: the service answered '{code}': {what}");
        match code {
            "good" if arg == "127.0.0.1" && sent != "127.0.0.1" => {
                return Err(ProviderError::Blocked(said(
                    "the update was ignored because the client (User-Agent) is not accepted",
                )));
            }
            "good" | "nochg" => {}
            "badauth" => return Err(ProviderError::Auth(said("wrong user name or password"))),
            "notfqdn" => {
                return Err(ProviderError::Refused(said(
                    "not a fully-qualified host name",
                )));
            }
            "nohost" => {
                return Err(ProviderError::Refused(said(
                    "no such host name in this account",
                )));
            }
            "numhost" => {
                return Err(ProviderError::Refused(said(
                    "too many host names, or a round-robin host",
                )));
            }
            "!yours" => {
                return Err(ProviderError::Refused(said(
                    "the host name belongs to another account",
                )));
            }
            "conflict" => {
                return Err(ProviderError::Refused(said(
                    "a conflicting record of that type is set by hand",
                )));
            }
            "!donator" => {
                return Err(ProviderError::Refused(said(
                    "a feature of paid accounts only; fix the account, dnsup will not retry",
                )));
            }
            "badagent" => {
                return Err(ProviderError::Blocked(said(
                    "this client is not accepted; not retried",
                )));
            }
            "abuse" => {
                return Err(ProviderError::Blocked(said(
                    "the host name is blocked for abuse; not retried, unblock it at the service",
                )));
            }
            "911" | "dnserr" => {
                return Err(ProviderError::Throttled(
                    said("a problem at the service"),
                    DNSERR_WAIT,
                ));
            }
            _ => {
                let shown: String = code
                    .chars()
                    .filter(|c| c.is_ascii_graphic())
                    .take(40)
                    .collect();
                return Err(ProviderError::Protocol(format!(
                    "{key}: unknown answer '{shown}'"
                )));
            }
        }
    }
    if any {
        Ok(Applied::Done)
    } else {
        Err(ProviderError::Protocol(format!("{key}: empty answer")))
    }
}

/// The service, for messages.
const SERVICE: &str = "a dyndns2 service";

impl Provider for Dyndns2 {
    fn label(&self) -> String {
        match self.service {
            Some(s) => format!("dyndns2 {s:?}").to_ascii_lowercase(),
            None => format!("dyndns2 {}", self.url.host_str().unwrap_or("?")),
        }
    }

    fn capabilities(&self) -> Capabilities {
        update_only::capabilities(if self.service == Some(Service::Dnsomatic) {
            &[RecordType::A]
        } else {
            &[RecordType::A, RecordType::AAAA]
        })
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        Err(ProviderError::Unsupported(format!(
            "{name}: a dyndns2 service updates host names and cannot list zones: set zone = ... in the record"
        )))
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
        let ip = match update_only::one_value(SERVICE, "address", key, new)? {
            RData::A(a) if key.rtype == RecordType::A => a.0.to_string(),
            RData::AAAA(a) if key.rtype == RecordType::AAAA => a.0.to_string(),
            _ => return Err(update_only::not_one(SERVICE, "address", key)),
        };
        let response = self.http.send(&self.request(key, &ip)).await?;
        if self.service == Some(Service::Dynv6) {
            return dynv6_outcome(key, &response, |m| self.http.scrub(m));
        }
        let text = self.http.scrub(&response.text());
        judge(key, &ip, &response, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn k() -> RrsetKey {
        RrsetKey {
            name: Name::from_str("home.example.net.").unwrap(),
            rtype: RecordType::A,
        }
    }

    #[test]
    fn answer_codes_map_to_actions() {
        let ok = |b| outcome(&k(), "192.0.2.1", b);
        assert_eq!(ok("good 192.0.2.1").unwrap(), Applied::Done);
        assert_eq!(ok("nochg 192.0.2.1\n").unwrap(), Applied::Done);
        assert!(matches!(
            ok("good 127.0.0.1"),
            Err(ProviderError::Blocked(_))
        ));
        assert_eq!(
            outcome(&k(), "127.0.0.1", "good 127.0.0.1").unwrap(),
            Applied::Done
        );
        assert!(matches!(ok("badauth"), Err(ProviderError::Auth(_))));
        for code in [
            "notfqdn",
            "nohost",
            "numhost",
            "!donator",
            "!yours",
            "conflict A",
        ] {
            assert!(matches!(ok(code), Err(ProviderError::Refused(_))), "{code}");
        }
        for code in ["badagent", "abuse"] {
            assert!(matches!(ok(code), Err(ProviderError::Blocked(_))), "{code}");
        }
        for code in ["911", "dnserr"] {
            assert!(
                matches!(ok(code), Err(ProviderError::Throttled(_, 1800))),
                "{code}"
            );
        }
        assert!(matches!(ok(""), Err(ProviderError::Protocol(_))));
        assert!(matches!(ok("<html>"), Err(ProviderError::Protocol(_))));
        // One line per host: every line counts.
        assert!(matches!(
            ok("good 192.0.2.1\nnohost"),
            Err(ProviderError::Refused(_))
        ));
    }

    fn build(toml_text: &str) -> Result<Dyndns2, String> {
        let dir = tempfile_dir();
        let path = dir.join("pw");
        std::fs::write(&path, "s3cret-pw").unwrap();
        let text = format!("{toml_text}\npassword = {{ file = {:?} }}\n", path);
        let c: Config = toml::from_str(&text).map_err(|e| e.to_string())?;
        Dyndns2::new(&c, &mut Setup::default())
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("dnsup-dyndns2-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn presets_and_urls() {
        let p = build("service = \"noip\"\nusername = \"u\"").unwrap();
        assert_eq!(p.url.as_str(), "https://dynupdate.no-ip.com/nic/update");
        let six = RrsetKey {
            name: k().name,
            rtype: RecordType::AAAA,
        };
        let r = p.request(&six, "2001:db8::1");
        assert_eq!(
            r.url.query(),
            Some("hostname=home.example.net&myipv6=2001%3Adb8%3A%3A1")
        );
        assert_eq!(
            r.header_value("authorization"),
            Some("Basic dTpzM2NyZXQtcHc=")
        );
        let p =
            build("service = \"dyn\"\nusername = \"u\"\ncontact = \"ops@example.net\"").unwrap();
        assert_eq!(p.url.as_str(), "https://members.dyndns.org/v3/update");
        let r = p.request(&six, "2001:db8::1");
        assert!(r.url.query().unwrap().contains("&myip=2001"));
        assert!(
            r.header_value("user-agent")
                .unwrap()
                .ends_with(" ops@example.net")
        );
        let p = build("service = \"dynv6\"").unwrap();
        let r = p.request(&k(), "192.0.2.1");
        assert_eq!(
            r.url.query(),
            Some("hostname=home.example.net&token=s3cret-pw&ipv4=192.0.2.1")
        );
        assert!(r.header_value("authorization").is_none());
        assert!(build("service = \"google\"\nusername = \"u\"").is_err());
        let p =
            build("service = \"google\"\nusername = \"u\"\nserver = \"dyn.example.org\"").unwrap();
        assert_eq!(p.url.as_str(), "https://dyn.example.org/nic/update");
        assert!(build("username = \"u\"").is_err());
        assert!(build("url = \"https://u:p@x.example/nic/update\"\nusername = \"u\"").is_err());
        assert!(build("service = \"noip\"").is_err(), "username required");
        let p = build("service = \"dnsomatic\"\nusername = \"u\"").unwrap();
        assert_eq!(p.capabilities().types, &[RecordType::A]);
    }
}
