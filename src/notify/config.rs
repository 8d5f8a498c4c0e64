//! `[notify.NAME]` tables. One flat table for every notifier type, checked per type: a key
//! that does not apply to the type is an error naming it, so a typo never silently disables a
//! setting. Secrets (tokens, passwords, webhook URLs that embed a token) are only referenced
//! (`{ file = ... }`, `{ env = ... }`, `{ credential = ... }`), like every other secret.
//!
//! ```toml
//! [notify.phone]
//! type = "ntfy"
//! topic = "my-dnsup"
//! token = { file = "/etc/dnsup/ntfy.token" }
//! events = ["updated", "created", "failed", "recovered"]
//! min_interval = "1m"     # at most one message a minute (others are dropped and counted)
//! dedupe = "1h"           # the same news is said once an hour
//! ```

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::event::EventKind;
use crate::provider::SecretRef;

/// The notifier types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// POST the event's JSON (or a body template) to a URL.
    Webhook,
    /// ntfy.sh or a self-hosted ntfy.
    Ntfy,
    /// A Gotify server.
    Gotify,
    /// A Telegram bot.
    Telegram,
    /// A Discord channel webhook.
    Discord,
    /// A Slack incoming webhook.
    Slack,
    /// A Matrix room (client-server API).
    Matrix,
    /// Pushover.
    Pushover,
    /// Bark (iOS).
    Bark,
    /// ServerChan (Server酱 Turbo).
    Serverchan,
    /// A DingTalk group robot.
    Dingtalk,
    /// A Feishu / Lark custom bot.
    Feishu,
    /// A WeCom (企业微信) group robot.
    Wecom,
    /// E-mail over SMTP.
    Email,
    /// Healthchecks.io / Uptime Kuma style pings.
    Heartbeat,
    /// Run a program.
    Exec,
}

impl Kind {
    /// The name in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Webhook => "webhook",
            Kind::Ntfy => "ntfy",
            Kind::Gotify => "gotify",
            Kind::Telegram => "telegram",
            Kind::Discord => "discord",
            Kind::Slack => "slack",
            Kind::Matrix => "matrix",
            Kind::Pushover => "pushover",
            Kind::Bark => "bark",
            Kind::Serverchan => "serverchan",
            Kind::Dingtalk => "dingtalk",
            Kind::Feishu => "feishu",
            Kind::Wecom => "wecom",
            Kind::Email => "email",
            Kind::Heartbeat => "heartbeat",
            Kind::Exec => "exec",
        }
    }

    /// The keys this type requires, and the keys it may have (besides the common ones).
    fn keys(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Kind::Webhook => (&["url"], &["template", "content_type", "headers"]),
            Kind::Ntfy => (&["topic"], &["endpoint", "token", "priority"]),
            Kind::Gotify => (&["endpoint", "token"], &["priority"]),
            Kind::Telegram => (&["token", "chat_id"], &["endpoint"]),
            Kind::Discord | Kind::Slack => (&["url"], &[]),
            Kind::Matrix => (&["endpoint", "room", "token"], &[]),
            Kind::Pushover => (&["token", "user"], &["endpoint", "priority"]),
            Kind::Bark => (&["token"], &["endpoint"]),
            Kind::Serverchan => (&["token"], &["endpoint"]),
            Kind::Dingtalk => (&["token"], &["endpoint", "secret"]),
            Kind::Feishu => (&["url"], &["secret"]),
            Kind::Wecom => (&["token"], &["endpoint"]),
            Kind::Email => (
                &["smtp_host", "from", "to"],
                &["smtp_port", "tls", "username", "password"],
            ),
            Kind::Heartbeat => (&["url"], &["start_url", "fail_url"]),
            Kind::Exec => (&["argv"], &[]),
        }
    }
}

/// How an e-mail notifier talks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    /// Plain connection upgraded with STARTTLS (port 587 by default); refused if the server
    /// does not offer it.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465 by default).
    Tls,
    /// No TLS at all: only to a loopback relay (port 25 by default).
    None,
}

/// A URL that may embed a token: written inline when it holds none, or referenced.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum UrlRef {
    /// A URL without a secret in it.
    Plain(String),
    /// A URL that is itself a secret (Discord and Slack webhooks, Healthchecks ping URLs).
    Secret(SecretRef),
}

/// One `[notify.NAME]` table.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The notifier type.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Which events (default: updated, created, deleted, failed, recovered, conflict,
    /// refused-address; started/stopped only when listed).
    pub events: Option<Vec<EventKind>>,
    /// At most one delivery per this long; events in between are dropped and counted
    /// (default 0: no limit, the queue still bounds a burst).
    #[serde(default, deserialize_with = "crate::daemon::config::opt_duration")]
    pub min_interval: Option<Duration>,
    /// The same news (kind, record, values, error) within this long is said once (default 1h).
    #[serde(default, deserialize_with = "crate::daemon::config::opt_duration")]
    pub dedupe: Option<Duration>,
    /// Give up on one delivery after this long (default 15 s).
    #[serde(default, deserialize_with = "crate::daemon::config::opt_duration")]
    pub timeout: Option<Duration>,
    /// Extra root certificates (PEM) trusted besides the system's.
    pub ca_file: Option<PathBuf>,
    /// The service's base URL (self-hosted servers; the default is the service's own).
    pub endpoint: Option<String>,
    /// The URL (webhook, discord, slack, feishu, heartbeat success ping).
    pub url: Option<UrlRef>,
    /// The token (bot token, application token, SendKey, access token, device key, robot key).
    pub token: Option<SecretRef>,
    /// A signing secret (DingTalk, Feishu).
    pub secret: Option<SecretRef>,
    /// ntfy topic.
    pub topic: Option<String>,
    /// Telegram chat id (`123456`, `-100...` or `@channel`).
    pub chat_id: Option<String>,
    /// Matrix room id (`!abc:example.org`).
    pub room: Option<String>,
    /// Pushover user key.
    pub user: Option<SecretRef>,
    /// Priority (ntfy 1-5, Gotify 0-10, Pushover -2..2).
    pub priority: Option<i8>,
    /// Webhook body template (placeholders: `{event}`, `{record}`, `{type}`, `{provider}`,
    /// `{old}`, `{new}`, `{error}`, `{time}`, `{title}`, `{message}`, `{json}`).
    pub template: Option<String>,
    /// Webhook body content type (default `application/json`).
    pub content_type: Option<String>,
    /// Webhook extra headers (not secrets: use a URL reference for tokens).
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    /// SMTP server host name.
    pub smtp_host: Option<String>,
    /// SMTP port (default by `tls`: 587, 465 or 25).
    pub smtp_port: Option<u16>,
    /// TLS mode for SMTP.
    pub tls: Option<Tls>,
    /// SMTP user name.
    pub username: Option<String>,
    /// SMTP password.
    pub password: Option<SecretRef>,
    /// Sender address.
    pub from: Option<String>,
    /// Recipients.
    pub to: Option<Vec<String>>,
    /// Heartbeat: pinged when the daemon starts.
    pub start_url: Option<UrlRef>,
    /// Heartbeat: pinged after a pass with failures.
    pub fail_url: Option<UrlRef>,
    /// Exec: the program and its arguments (no shell).
    pub argv: Option<Vec<String>>,
}

/// The default event filter.
pub const DEFAULT_EVENTS: [EventKind; 7] = [
    EventKind::Updated,
    EventKind::Created,
    EventKind::Deleted,
    EventKind::Failed,
    EventKind::Recovered,
    EventKind::Conflict,
    EventKind::RefusedAddress,
];

impl NotifyConfig {
    /// The events this notifier wants.
    pub fn wanted(&self) -> Vec<EventKind> {
        self.events
            .clone()
            .unwrap_or_else(|| DEFAULT_EVENTS.to_vec())
    }

    /// The delivery timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(Duration::from_secs(15))
    }

    /// The de-duplication window.
    pub fn dedupe(&self) -> Duration {
        self.dedupe.unwrap_or(Duration::from_secs(3_600))
    }

    /// The keys that are set, by name.
    fn set_keys(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut add = |set: bool, name: &'static str| {
            if set {
                out.push(name);
            }
        };
        add(self.endpoint.is_some(), "endpoint");
        add(self.url.is_some(), "url");
        add(self.token.is_some(), "token");
        add(self.secret.is_some(), "secret");
        add(self.topic.is_some(), "topic");
        add(self.chat_id.is_some(), "chat_id");
        add(self.room.is_some(), "room");
        add(self.user.is_some(), "user");
        add(self.priority.is_some(), "priority");
        add(self.template.is_some(), "template");
        add(self.content_type.is_some(), "content_type");
        add(self.headers.is_some(), "headers");
        add(self.smtp_host.is_some(), "smtp_host");
        add(self.smtp_port.is_some(), "smtp_port");
        add(self.tls.is_some(), "tls");
        add(self.username.is_some(), "username");
        add(self.password.is_some(), "password");
        add(self.from.is_some(), "from");
        add(self.to.is_some(), "to");
        add(self.start_url.is_some(), "start_url");
        add(self.fail_url.is_some(), "fail_url");
        add(self.argv.is_some(), "argv");
        out
    }

    /// Every problem with this table, each a message naming `[notify.NAME]` and the key.
    pub fn check(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        let t = self.kind.as_str();
        if !cfg!(feature = "https") && self.kind != Kind::Exec {
            return vec![format!(
                "notify '{name}' (type {t}): this dnsup was built without HTTPS notifiers (cargo \
                 feature \"https\"); only type exec is built in, type {t} needs the default build"
            )];
        }
        let (required, optional) = self.kind.keys();
        let set = self.set_keys();
        for r in required {
            if !set.contains(r) {
                out.push(format!("notify '{name}' (type {t}): {r} is required"));
            }
        }
        for s in &set {
            if !required.contains(s) && !optional.contains(s) {
                out.push(format!(
                    "notify '{name}' (type {t}): '{s}' does not apply to this type (it takes {})",
                    required
                        .iter()
                        .chain(optional)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if let Some(events) = &self.events {
            if events.is_empty() {
                out.push(format!(
                    "notify '{name}': events is empty (remove the notifier or list events)"
                ));
            }
            if events.contains(&EventKind::Test) || events.contains(&EventKind::Pass) {
                out.push(format!(
                    "notify '{name}': 'test' and 'pass' are not filterable events (notify-test always sends; heartbeats get every pass)"
                ));
            }
        }
        if self
            .timeout
            .is_some_and(|t| t.is_zero() || t > Duration::from_secs(600))
        {
            out.push(format!(
                "notify '{name}': timeout must be between 1ms and 10m"
            ));
        }
        if let Some(argv) = &self.argv
            && argv.first().is_none_or(String::is_empty)
        {
            out.push(format!(
                "notify '{name}': argv is empty; give the program and its arguments"
            ));
        }
        if let Some(to) = &self.to
            && to.is_empty()
        {
            out.push(format!("notify '{name}': to is empty"));
        }
        for (key, url) in [
            ("endpoint", self.endpoint.as_deref()),
            ("url", plain(self.url.as_ref())),
            ("start_url", plain(self.start_url.as_ref())),
            ("fail_url", plain(self.fail_url.as_ref())),
        ] {
            if let Some(u) = url
                && let Err(e) = check_url(u)
            {
                out.push(format!("notify '{name}': {key}: {e}"));
            }
        }
        if let Some(p) = self.priority {
            let ok = match self.kind {
                Kind::Ntfy => (1..=5).contains(&p),
                Kind::Gotify => (0..=10).contains(&p),
                Kind::Pushover => (-2..=2).contains(&p),
                _ => true,
            };
            if !ok {
                out.push(format!(
                    "notify '{name}': priority {p} is out of range for {t} (ntfy 1-5, gotify 0-10, pushover -2..2)"
                ));
            }
        }
        out
    }
}

fn plain(u: Option<&UrlRef>) -> Option<&str> {
    match u {
        Some(UrlRef::Plain(s)) => Some(s),
        _ => None,
    }
}

/// An `https://` URL (plain `http://` only to a loopback address, e.g. a local relay).
pub fn check_url(u: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(u).map_err(|e| format!("'{u}' is not a URL ({e})"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "'{}' is plain http: use https (plain http only to a loopback address)",
            url.host_str().unwrap_or("")
        )),
        s => Err(format!("scheme '{s}' is not http(s)")),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<NotifyConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    #[cfg(feature = "https")]
    fn required_and_foreign_keys_are_named() {
        let c = parse("type = \"telegram\"\ntopic = \"x\"\n").unwrap();
        let p = c.check("t");
        assert!(p.iter().any(|m| m.contains("token is required")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("chat_id is required")), "{p:?}");
        assert!(
            p.iter().any(|m| m.contains("'topic' does not apply")),
            "{p:?}"
        );
    }

    #[test]
    fn inline_secret_is_refused() {
        let e =
            parse("type = \"gotify\"\nendpoint = \"https://g\"\ntoken = \"abc\"\n").unwrap_err();
        assert!(e.contains("never written in the configuration"), "{e}");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_url("http://example.com/x").is_err());
        assert!(check_url("ftp://example.com/x").is_err());
    }

    #[test]
    fn unknown_event_and_key_are_errors() {
        assert!(parse("type = \"exec\"\nargv = [\"true\"]\nevents = [\"bogus\"]\n").is_err());
        assert!(parse("type = \"exec\"\nargv = [\"true\"]\nbogus = 1\n").is_err());
        let c = parse("type = \"exec\"\nargv = []\n").unwrap();
        assert!(!c.check("x").is_empty());
    }
}
