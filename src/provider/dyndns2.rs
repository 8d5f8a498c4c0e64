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
//! Presets (`service = "NAME"`) are rows of [`super::preset::PRESETS`]: the URL, how the
//! credentials travel, the parameters of the host name and of each family's address, and how
//! the answer is read. `dnsup providers` lists them; a dead service (Google Domains,
//! DSLReports) is refused with the reason unless `url`/`server` names a compatible endpoint.
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
use super::http::{Http, HttpSettings, Request, Response, USER_AGENT, short};
use super::preset::{self, Answer, Auth, Host, Meaning, Preset};
use super::update_only;
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef, plain_name,
};

/// How long to wait after `911`/`dnserr`: the protocol asks for at least 30 minutes.
const DNSERR_WAIT: u64 = 1_800;

/// `type = "dyndns2"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A preset (`dnsup providers` lists them); without it, `url` or `server` is required.
    pub service: Option<String>,
    /// The update URL (`https://host/nic/update`).
    pub url: Option<String>,
    /// The update server's host (`host[:port]`): `https://HOST/nic/update`.
    pub server: Option<String>,
    /// The user name (services that take one).
    pub username: Option<String>,
    /// The password, update key or token.
    #[serde(alias = "token")]
    pub password: SecretRef,
    /// The record's numeric id, for services that name records by id (DNS Made Easy,
    /// Sitelutions).
    pub record_id: Option<String>,
    /// A contact (e-mail or URL) appended to the User-Agent, as No-IP asks.
    pub contact: Option<String>,
    /// HTTP settings (`endpoint`, when set, is the full update URL and wins over `url`).
    #[serde(default)]
    pub http: HttpSettings,
}

/// The generic dyndns2 dialect (no preset): `hostname`, `myip`, Basic authentication.
const GENERIC: Preset = Preset {
    name: "dyndns2",
    title: "dyndns2",
    url: "https://localhost/nic/update",
    url_v6: None,
    post: false,
    auth: Auth::Basic,
    host: Host::Param("hostname"),
    ip: Some("myip"),
    ip6: Some("myip"),
    extra: &[],
    extra_v4: &[],
    extra_v6: &[],
    answer: Answer::Dyndns2,
    multi_host: Some(","),
    docs: "https://help.dyn.com/remote-access-api/perform-update/",
    quirks: "",
    dead: None,
};

/// The adapter.
#[derive(Debug)]
pub struct Dyndns2 {
    http: Http,
    url: reqwest::Url,
    url_v6: Option<reqwest::Url>,
    preset: &'static Preset,
    named: bool,
    username: String,
    password: Secret,
    record_id: Option<String>,
    user_agent: String,
}

fn parse_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("url '{url}': {e}"))?;
    if parsed.query().is_some() || !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "the update URL holds no query and no credentials: use username and password".into(),
        );
    }
    Ok(parsed)
}

impl Dyndns2 {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let preset = match c.service.as_deref() {
            None => None,
            Some(name) => Some(preset::find(name).ok_or_else(|| {
                format!(
                    "service '{name}': no such preset (`dnsup providers` lists them; or give url/server)"
                )
            })?),
        };
        let custom = c.http.endpoint.is_some() || c.url.is_some() || c.server.is_some();
        if let Some(p) = preset
            && let Some(why) = p.dead
            && !custom
        {
            return Err(format!(
                "service '{}': {why}; give url or server of a compatible endpoint",
                p.name
            ));
        }
        let named = preset.is_some();
        let preset = preset.unwrap_or(&GENERIC);
        let path = reqwest::Url::parse(preset.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| "/nic/update".into());
        let (url, url_v6) = match (&c.http.endpoint, &c.url, &c.server) {
            (_, Some(_), Some(_)) => return Err("give url or server, not both".into()),
            (Some(e), _, _) => (e.clone(), None),
            (None, Some(u), None) => (u.clone(), None),
            (None, None, Some(s)) => (format!("https://{}{path}", s.trim_end_matches('/')), None),
            (None, None, None) if named => (preset.url.to_string(), preset.url_v6),
            (None, None, None) => return Err("give service, url or server".into()),
        };
        let url = parse_url(&url)?;
        let url_v6 = url_v6.map(parse_url).transpose()?;
        let username = match (preset.needs_username(), &c.username) {
            (false, _) => c.username.clone().unwrap_or_default(),
            (true, Some(u)) if !u.is_empty() => u.clone(),
            (true, _) => return Err("username is required".into()),
        };
        if username.contains(':') {
            return Err("username cannot contain ':' (HTTP Basic authentication)".into());
        }
        let record_id = match (preset.host, &c.record_id) {
            (Host::Id(_), Some(id))
                if !id.is_empty() && id.chars().all(|ch| ch.is_ascii_digit()) =>
            {
                Some(id.clone())
            }
            (Host::Id(_), _) => {
                return Err(format!(
                    "service '{}' names records by their numeric id: set record_id = \"...\"",
                    preset.name
                ));
            }
            (_, Some(_)) => {
                return Err(format!(
                    "record_id: service '{}' names records by host name, not id",
                    preset.name
                ));
            }
            (_, None) => None,
        };
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
            url_v6,
            preset,
            named,
            username,
            password,
            record_id,
            user_agent,
        })
    }

    /// The preset this provider follows (the generic dyndns2 dialect without one).
    pub fn preset(&self) -> &'static Preset {
        self.preset
    }

    /// The request that sets `hosts` (one, or several where the service allows it) of type
    /// `rtype` to `ip`.
    pub fn request(&self, hosts: &[String], rtype: RecordType, ip: &str) -> Request {
        let p = self.preset;
        let v6 = rtype == RecordType::AAAA;
        let mut url = match (&self.url_v6, v6) {
            (Some(u), true) => u.clone(),
            _ => self.url.clone(),
        };
        if p.auth == Auth::Path
            && let Ok(mut segments) = url.path_segments_mut()
        {
            segments
                .pop_if_empty()
                .push(self.password.expose())
                .push("");
        }
        let method = if p.post {
            reqwest::Method::POST
        } else {
            reqwest::Method::GET
        };
        let mut r = Request::new(method, url).header("user-agent", self.user_agent.clone());
        let joined = hosts.join(p.multi_host.unwrap_or(","));
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        match p.host {
            Host::Param(name) => pairs.push((name, &joined)),
            Host::Id(name) => pairs.push((name, self.record_id.as_deref().unwrap_or(""))),
            Host::Implied => {}
        }
        match p.auth {
            Auth::Basic | Auth::BasicHost => {
                // One key per host: the user name is the host name, whatever is configured.
                let user = if p.auth == Auth::BasicHost {
                    joined.as_str()
                } else {
                    self.username.as_str()
                };
                let auth = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", self.password.expose()));
                r = r.header("authorization", format!("Basic {auth}"));
            }
            Auth::Query { user, password } => {
                if let Some(u) = user {
                    pairs.push((u, &self.username));
                }
                pairs.push((password, self.password.expose()));
            }
            Auth::Path => {}
        }
        let param = if v6 { p.ip6.or(p.ip) } else { p.ip };
        if let Some(param) = param {
            pairs.push((param, ip));
        }
        pairs.extend_from_slice(p.extra);
        pairs.extend_from_slice(if v6 { p.extra_v6 } else { p.extra_v4 });
        r.query(&pairs)
    }

    /// What the service's answer means for an update of one host that sent `sent`.
    pub fn judge(
        &self,
        key: &RrsetKey,
        sent: &str,
        response: &Response,
    ) -> Result<Applied, ProviderError> {
        let text = self.http.scrub(&response.text());
        answer(self.preset.answer, key, sent, response, &text)
    }
}

/// What an answer (`text`, already scrubbed) means under `rule`, for an update of `key` that
/// sent `sent`.
pub fn answer(
    rule: Answer,
    key: &RrsetKey,
    sent: &str,
    response: &Response,
    text: &str,
) -> Result<Applied, ProviderError> {
    match rule {
        Answer::Dyndns2 => judge(key, sent, response, text),
        Answer::Status => status_outcome(key, response, text),
        Answer::Echo | Answer::Words(_) if !response.ok() => Err(response.error(&first_line(text))),
        Answer::Echo if text.contains(sent) => Ok(Applied::Done),
        Answer::Echo => Err(ProviderError::Refused(format!(
            "{key}: the service did not confirm {sent}: {}",
            first_line(text)
        ))),
        Answer::Words(words) => match words.iter().find(|(w, _)| text.contains(w)) {
            Some((word, meaning)) => meant(key, word, *meaning),
            None => Err(ProviderError::Protocol(format!(
                "{key}: unknown answer '{}'",
                first_line(text)
            ))),
        },
    }
}

/// The result a service's answer word means.
fn meant(key: &RrsetKey, word: &str, meaning: Meaning) -> Result<Applied, ProviderError> {
    let said = |what: &str| format!("{key}: the service answered '{word}': {what}");
    match meaning {
        Meaning::Done => Ok(Applied::Done),
        Meaning::Auth => Err(ProviderError::Auth(said("credentials refused"))),
        Meaning::NoHost => Err(ProviderError::Refused(said("no such host in this account"))),
        Meaning::Refused => Err(ProviderError::Refused(said("update refused"))),
        Meaning::Blocked => Err(ProviderError::Blocked(said(
            "the account or host is blocked; not retried",
        ))),
        Meaning::Wait(secs) => Err(ProviderError::Throttled(said("try again later"), secs)),
    }
}

/// The first line of `text`, at most 200 characters.
fn first_line(text: &str) -> String {
    short(text.lines().next().unwrap_or("").trim())
}

/// Services judged by their HTTP status alone: 2xx is done, 404 an unknown host, else the
/// status' usual meaning with the first line of the answer.
pub(crate) fn status_outcome(
    key: &RrsetKey,
    response: &Response,
    text: &str,
) -> Result<Applied, ProviderError> {
    if response.ok() {
        return Ok(Applied::Done);
    }
    if response.status == 404 {
        return Err(ProviderError::Refused(format!(
            "{key}: no such host at the service (HTTP 404): {}",
            first_line(text)
        )));
    }
    Err(match response.error(&first_line(text)) {
        ProviderError::Refused(m) => ProviderError::Refused(format!("{key}: {m}")),
        other => other,
    })
}

/// The outcome of an update that sent `sent`, from the answer's codes (`text`, already
/// scrubbed); an answer without a code the status decides.
pub(crate) fn judge(
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

/// What a dyndns2 answer means for each of `hosts` (one request for several, where the
/// service allows it): the n-th line answers the n-th host. A host without a line was not
/// confirmed by the service, so it is not counted as done (a bad answer for that host).
pub fn outcomes(hosts: &[RrsetKey], sent: &str, body: &str) -> Vec<Result<Applied, ProviderError>> {
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    hosts
        .iter()
        .enumerate()
        .map(|(i, key)| match lines.get(i) {
            Some(line) => outcome(key, sent, line),
            None => Err(ProviderError::Protocol(format!(
                "{key}: the service answered {} line(s) for {} host names: this one was not confirmed",
                lines.len(),
                hosts.len()
            ))),
        })
        .collect()
}

/// The service, for messages.
const SERVICE: &str = "a dyndns2 service";

const A_ONLY: &[RecordType] = &[RecordType::A];
const A_AAAA: &[RecordType] = &[RecordType::A, RecordType::AAAA];

impl Provider for Dyndns2 {
    fn label(&self) -> String {
        if self.named {
            format!("dyndns2 {}", self.preset.name)
        } else {
            format!("dyndns2 {}", self.url.host_str().unwrap_or("?"))
        }
    }

    fn capabilities(&self) -> Capabilities {
        update_only::capabilities(if self.preset.ipv6() { A_AAAA } else { A_ONLY })
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
        let hosts = [plain_name(&key.name)];
        let response = self
            .http
            .send(&self.request(&hosts, key.rtype, &ip))
            .await?;
        self.judge(key, &ip, &response)
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
        let r = p.request(&[plain_name(&six.name)], six.rtype, "2001:db8::1");
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
        let r = p.request(&[plain_name(&six.name)], six.rtype, "2001:db8::1");
        assert!(r.url.query().unwrap().contains("&myip=2001"));
        assert!(
            r.header_value("user-agent")
                .unwrap()
                .ends_with(" ops@example.net")
        );
        let p = build("service = \"dynv6\"").unwrap();
        let r = p.request(&[plain_name(&k().name)], RecordType::A, "192.0.2.1");
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
        let err = build("service = \"nosuch\"").unwrap_err();
        assert!(err.contains("dnsup providers"), "{err}");
        let err = build("service = \"dslreports\"\nusername = \"u\"").unwrap_err();
        assert!(err.contains("gone"), "{err}");
        let err = build("service = \"dnsmadeeasy\"\nusername = \"u\"").unwrap_err();
        assert!(err.contains("record_id"), "{err}");
    }

    #[test]
    fn several_hosts_one_line_each_and_missing_lines_are_not_done() {
        let hosts = [
            k(),
            RrsetKey {
                name: Name::from_str("b.example.net.").unwrap(),
                rtype: RecordType::A,
            },
            RrsetKey {
                name: Name::from_str("c.example.net.").unwrap(),
                rtype: RecordType::A,
            },
        ];
        let got = outcomes(&hosts, "192.0.2.1", "good 192.0.2.1\nnohost\n");
        assert_eq!(got[0], Ok(Applied::Done));
        assert!(matches!(got[1], Err(ProviderError::Refused(_))));
        assert!(matches!(&got[2], Err(ProviderError::Protocol(m)) if m.contains("not confirmed")));
        let got = outcomes(
            &hosts,
            "192.0.2.1",
            "nochg 192.0.2.1\nnochg 192.0.2.1\ngood 192.0.2.1",
        );
        assert!(got.iter().all(|r| *r == Ok(Applied::Done)));
        let p = build("service = \"noip\"\nusername = \"u\"").unwrap();
        let names: Vec<String> = hosts.iter().map(|h| plain_name(&h.name)).collect();
        let r = p.request(&names, RecordType::A, "192.0.2.1");
        assert_eq!(
            r.url.query(),
            Some("hostname=home.example.net%2Cb.example.net%2Cc.example.net&myip=192.0.2.1")
        );
    }
}
