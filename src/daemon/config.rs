//! The daemon's configuration file (TOML). Unknown keys are errors that name the line; secrets
//! are only ever referenced (a key file or an environment variable), never written inline.
//!
//! ```toml
//! interval = "5m"              # polling safety net (events trigger checks sooner)
//! force_refresh = "24h"        # re-read the authoritative server even if nothing changed
//! state_file = "/var/lib/dnsup/state.json"
//!
//! [providers.home]
//! type = "rfc2136"
//! servers = ["ns1.example.net:53"]
//! key_file = "/etc/dnsup/ddns.key"
//!
//! [sources.wan]
//! type = "interface"
//! name = "eth0"
//!
//! [[records]]
//! name = "home.example.net"
//! zone = "example.net"
//! provider = "home"
//! ipv4 = ["wan"]
//! ipv6 = ["wan"]
//! ttl = 60
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::ip::{Scope, SourceSpec};
pub use crate::provider::ProviderConfig;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Poll every this long even without address events (default 5 minutes).
    #[serde(default = "default_interval", deserialize_with = "duration")]
    pub interval: Duration,
    /// Re-read the authoritative records after this long even if nothing changed (default 24 h).
    #[serde(default = "default_refresh", deserialize_with = "duration")]
    pub force_refresh: Duration,
    /// First wait after a provider failed (default 5 s); doubles with each failure.
    #[serde(default = "default_retry_min", deserialize_with = "duration")]
    pub retry_min: Duration,
    /// Longest wait between tries after failures (default 30 min).
    #[serde(default = "default_retry_max", deserialize_with = "duration")]
    pub retry_max: Duration,
    /// Wait this long after an address event before checking, so a burst is one check
    /// (default 20 ms: the kernel sends a burst within microseconds).
    #[serde(default = "default_debounce", deserialize_with = "duration")]
    pub debounce: Duration,
    /// How long one source may take (default 10 s).
    #[serde(default = "default_source_timeout", deserialize_with = "duration")]
    pub source_timeout: Duration,
    /// Where the daemon remembers what it published (default /var/lib/dnsup/state.json).
    #[serde(default = "default_state_file")]
    pub state_file: PathBuf,
    /// Refuse key and token files readable by group or others (default: warn and go on).
    #[serde(default)]
    pub strict_permissions: bool,
    /// Named providers.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Named address sources.
    #[serde(default)]
    pub sources: BTreeMap<String, SourceSpec>,
    /// The records to keep up to date.
    #[serde(default)]
    pub records: Vec<RecordConfig>,
    /// Found while loading, for the user (e.g. a configuration writable by others).
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// Notifiers (`[notify.NAME]`, see `crate::notify::config`).
    #[serde(default)]
    pub notify: BTreeMap<String, crate::notify::NotifyConfig>,
    /// The optional HTTP endpoint (`"127.0.0.1:9753"` or `"unix:PATH"`); off by default.
    pub listen: Option<String>,
}

/// One managed name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordConfig {
    /// Owner name (absolute; a final dot is optional).
    pub name: String,
    /// The zone; found by an SOA query to the provider when absent.
    pub zone: Option<String>,
    /// Which provider holds it.
    pub provider: String,
    /// Sources for the A record (none: no A record is managed).
    #[serde(default)]
    pub ipv4: Vec<String>,
    /// Sources for the AAAA record.
    #[serde(default)]
    pub ipv6: Vec<String>,
    /// How many sources must agree (default: a majority of those listed).
    pub agree: Option<usize>,
    /// TTL of the records (default 300).
    #[serde(default = "default_ttl")]
    pub ttl: u32,
    /// Non-public address kinds allowed for this record (e.g. ["private"]); none by default.
    #[serde(default)]
    pub allow: Vec<Scope>,
}

fn default_interval() -> Duration {
    Duration::from_secs(300)
}
fn default_refresh() -> Duration {
    Duration::from_secs(86_400)
}
fn default_retry_min() -> Duration {
    Duration::from_secs(5)
}
fn default_retry_max() -> Duration {
    Duration::from_secs(1_800)
}
fn default_debounce() -> Duration {
    Duration::from_millis(20)
}
fn default_source_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_state_file() -> PathBuf {
    PathBuf::from("/var/lib/dnsup/state.json")
}
fn default_ttl() -> u32 {
    300
}

/// `300`, `"300s"`, `"5m"`, `"1h"`, `"1d"`, `"200ms"`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{text}' is not a duration (e.g. 30s, 5m, 1h)"))?;
    let ms = match unit {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(format!(
                "'{text}': unknown unit '{unit}' (use ms, s, m, h or d)"
            ));
        }
    };
    n.checked_mul(ms)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("'{text}' is too long"))
}

/// Serde: a duration as seconds or text (`"5m"`).
pub fn duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Secs(u64),
        Text(String),
    }
    match Raw::deserialize(d)? {
        // The same bound as the text form: the runtime adds durations to the clock.
        Raw::Secs(s) => parse_duration(&s.to_string()).map_err(serde::de::Error::custom),
        Raw::Text(t) => parse_duration(&t).map_err(serde::de::Error::custom),
    }
}

/// Serde: an optional duration (see [`duration`]).
pub fn opt_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration(d).map(Some)
}

/// A configuration error, with the file and line when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when the error is tied to one.
    pub line: Option<usize>,
    /// What is wrong and what to do.
    pub message: String,
}

/// The configuration file's text: a regular file of at most 1 MiB (see [`crate::bounded`]).
fn read_config(path: &Path) -> Result<String, ConfigError> {
    crate::bounded::read_text(path, crate::bounded::limit::CONFIG).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: None,
        message: e.reason(),
    })
}

impl Config {
    /// Read and check a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = read_config(path)?;
        let mut config = Config::parse(&text, path)?;
        config.check_file_mode(path)?;
        Ok(config)
    }

    /// The configuration can run programs (`command` sources): a file others may write is a
    /// warning, refused with `strict_permissions = true`.
    pub fn check_file_mode(&mut self, path: &Path) -> Result<(), ConfigError> {
        use std::os::unix::fs::PermissionsExt as _;
        let Ok(meta) = std::fs::metadata(path) else {
            return Ok(());
        };
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o022 == 0 {
            return Ok(());
        }
        let problem = format!(
            "{} is writable by group or others (mode {mode:04o}), who could make dnsup run \
             any program through a command source; chmod go-w it",
            path.display()
        );
        if self.strict_permissions {
            return Err(ConfigError {
                path: path.to_path_buf(),
                line: None,
                message: format!("refused: {problem} (strict_permissions is on)"),
            });
        }
        self.warnings.push(problem);
        Ok(())
    }

    /// Read a configuration file for its providers only (`dnsup set --provider`): records
    /// and sources are parsed but not required.
    pub fn load_providers(path: &Path) -> Result<Config, ConfigError> {
        let text = read_config(path)?;
        Config::parse_unchecked(&text, path)
    }

    /// Parse and check configuration text (`path` is only for messages).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config = Config::parse_unchecked(text, path)?;
        let problems = config.check();
        match problems.split_first() {
            // Every problem, one per line, each naming the file.
            Some((first, rest)) => Err(ConfigError {
                path: path.to_path_buf(),
                line: None,
                message: rest.iter().fold(first.clone(), |all, p| {
                    format!("{all}\n{}: {p}", path.display())
                }),
            }),
            None => Ok(config),
        }
    }

    fn parse_unchecked(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_string();
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .map(|line| key_line(text, line, &message).unwrap_or(line));
            ConfigError {
                path: path.to_path_buf(),
                line,
                message,
            }
        })
    }

    /// Cross-reference checks serde cannot do; each problem is one message.
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.records.is_empty() {
            out.push("no [[records]]: nothing to keep up to date".to_string());
        }
        out.extend(self.check_durations());
        for (name, spec) in &self.sources {
            if let Err(e) = spec.check() {
                out.push(format!("source '{name}': {e}"));
            }
        }
        for (name, p) in &self.providers {
            if let ProviderConfig::Rfc2136(c) = p {
                if c.servers.is_empty() {
                    out.push(format!("provider '{name}': servers is empty"));
                }
                for s in &c.servers {
                    if let Err(e) = crate::discover::split_server(s, 53) {
                        out.push(format!("provider '{name}': {e}"));
                    }
                }
                if c.timeout < Duration::from_secs(1) || c.timeout > Duration::from_secs(300) {
                    out.push(format!(
                        "provider '{name}': timeout must be between 1s and 5m"
                    ));
                }
                if c.key_file.is_some() && c.key_env.is_some() {
                    out.push(format!(
                        "provider '{name}': give key_file or key_env, not both"
                    ));
                }
            }
        }
        out.extend(self.check_names());
        for r in &self.records {
            for (family, list) in [
                (crate::ip::Family::V4, &r.ipv4),
                (crate::ip::Family::V6, &r.ipv6),
            ] {
                for s in list {
                    if family == crate::ip::Family::V6
                        && self
                            .sources
                            .get(s)
                            .and_then(SourceSpec::router_gateway)
                            .is_some()
                    {
                        out.push(format!(
                            "record '{}': source '{s}' asks the router for its IPv4 WAN address and cannot be listed under ipv6 (an interface source follows a delegated prefix)",
                            r.name
                        ));
                    }
                    if let Some(SourceSpec::Static { address }) = self.sources.get(s)
                        && crate::ip::Family::of(*address) != family
                    {
                        out.push(format!(
                            "record '{}': source '{s}' is the address {address}, which cannot be listed under {}",
                            r.name,
                            if family == crate::ip::Family::V4 { "ipv4" } else { "ipv6" }
                        ));
                    }
                }
            }
            if !self.providers.contains_key(&r.provider) {
                out.push(format!(
                    "record '{}': no provider named '{}' (defined: {})",
                    r.name,
                    r.provider,
                    self.providers
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if r.ipv4.is_empty() && r.ipv6.is_empty() {
                out.push(format!(
                    "record '{}': list sources in ipv4 and/or ipv6",
                    r.name
                ));
            }
            for s in r.ipv4.iter().chain(&r.ipv6) {
                if !self.sources.contains_key(s) {
                    out.push(format!("record '{}': no source named '{s}'", r.name));
                }
            }
            for list in [&r.ipv4, &r.ipv6] {
                if let Some(k) = r.agree
                    && !list.is_empty()
                    && (k == 0 || k > list.len())
                {
                    out.push(format!(
                        "record '{}': agree = {k} but {} sources are listed",
                        r.name,
                        list.len()
                    ));
                }
            }
            if r.ttl > 2_147_483_647 {
                out.push(format!("record '{}': ttl above 2147483647", r.name));
            }
        }
        for (name, n) in &self.notify {
            out.extend(n.check(name));
        }
        if let Some(l) = &self.listen
            && !l.starts_with("unix:/")
            && l.parse::<std::net::SocketAddr>().is_err()
        {
            out.push(format!(
                "listen = \"{l}\": give HOST:PORT (e.g. 127.0.0.1:9753) or unix:/PATH"
            ));
        }
        if self.retry_min < Duration::from_secs(1) || self.retry_min > self.retry_max {
            out.push("retry_min must be at least 1s and at most retry_max".to_string());
        }
        out
    }
}

/// What a duration setting may be: below the minimum the daemon would spin, above the maximum
/// a typo (`1000000000d`) would silently switch a mechanism off.
const DURATION_BOUNDS: &[(&str, Duration, Duration)] = &[
    (
        "interval",
        Duration::from_secs(1),
        Duration::from_secs(7 * 86_400),
    ),
    (
        "force_refresh",
        Duration::from_secs(60),
        Duration::from_secs(365 * 86_400),
    ),
    (
        "retry_max",
        Duration::from_secs(1),
        Duration::from_secs(7 * 86_400),
    ),
    ("debounce", Duration::ZERO, Duration::from_secs(60)),
    (
        "source_timeout",
        Duration::from_secs(1),
        Duration::from_secs(600),
    ),
];

impl Config {
    fn check_durations(&self) -> Vec<String> {
        let mut out = Vec::new();
        for &(name, min, max) in DURATION_BOUNDS {
            let value = match name {
                "interval" => self.interval,
                "force_refresh" => self.force_refresh,
                "retry_max" => self.retry_max,
                "debounce" => self.debounce,
                _ => self.source_timeout,
            };
            if value < min || value > max {
                out.push(format!(
                    "{name} = {}: must be between {} and {}",
                    show_duration(value),
                    show_duration(min),
                    show_duration(max)
                ));
            }
        }
        out
    }

    /// Record names and zones are host names; no RRset is managed twice (names compare as DNS
    /// names: without case, with or without the final dot).
    fn check_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen: BTreeMap<(String, &str), &str> = BTreeMap::new();
        for r in &self.records {
            if let Err(e) = check_host_name(&r.name, true) {
                out.push(format!("record '{}': name {e}", r.name.escape_debug()));
                continue;
            }
            let owner = canonical(&r.name);
            if let Some(zone) = &r.zone {
                if let Err(e) = check_host_name(zone, false) {
                    out.push(format!("record '{}': zone {e}", r.name));
                } else {
                    let z = canonical(zone);
                    if owner != z && !owner.ends_with(&format!(".{z}")) && !z.is_empty() {
                        out.push(format!(
                            "record '{}': the name is not inside its zone '{zone}'",
                            r.name
                        ));
                    }
                }
            }
            for (list, rtype) in [(&r.ipv4, "A"), (&r.ipv6, "AAAA")] {
                if list.is_empty() {
                    continue;
                }
                if let Some(first) = seen.insert((owner.clone(), rtype), &r.name) {
                    out.push(format!(
                        "records '{first}' and '{}' both manage {rtype} of {owner}. (names are compared without case and final dot): keep one",
                        r.name
                    ));
                }
            }
        }
        out
    }
}

/// For "unknown field `KEY`" in a tagged table (providers, sources), the parser can only point
/// at the table's header line: the line of `KEY = ...` itself within that table, if found.
fn key_line(text: &str, table_line: usize, message: &str) -> Option<usize> {
    let key = message.strip_prefix("unknown field `")?.split('`').next()?;
    let lines: Vec<&str> = text.lines().collect();
    if !lines.get(table_line - 1)?.trim_start().starts_with('[') {
        return None;
    }
    for (i, l) in lines.iter().enumerate().skip(table_line) {
        let l = l.trim_start();
        if l.starts_with('[') {
            break;
        }
        let name = l
            .split('=')
            .next()
            .unwrap_or_default()
            .trim()
            .trim_matches('"');
        if l.contains('=') && name == key {
            return Some(i + 1);
        }
    }
    None
}

/// A name in lower case without its final dot.
fn canonical(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// A duration as the configuration writes it.
fn show_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(86_400_000) && ms > 0 {
        format!("{}d", ms / 86_400_000)
    } else if ms.is_multiple_of(3_600_000) && ms > 0 {
        format!("{}h", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// A host name as a managed record's owner or zone: labels of letters, digits, `-` and `_`
/// (a leading `*` label for a wildcard owner), 1 to 63 octets each, 253 characters in all.
/// The error shows the offending character visibly and says what to do.
pub fn check_host_name(name: &str, wildcard_ok: bool) -> Result<(), String> {
    let bare = name.strip_suffix('.').unwrap_or(name);
    if bare.is_empty() {
        return Err("is empty (the root is not a host name)".into());
    }
    if bare.len() > 253 {
        return Err(format!(
            "is {} characters long; a DNS name has at most 253",
            bare.len()
        ));
    }
    for (i, label) in bare.split('.').enumerate() {
        if label.is_empty() {
            return Err("has an empty label (two dots in a row, or a leading dot)".into());
        }
        if label.len() > 63 {
            return Err(format!(
                "has a label of {} octets ('{}...'); a label has at most 63",
                label.len(),
                &label[..label.char_indices().nth(20).map_or(label.len(), |(i, _)| i)]
            ));
        }
        if label == "*" && i == 0 && wildcard_ok {
            continue;
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            let hint = if c.is_ascii() {
                "host names hold letters, digits, '-' and '_'"
            } else {
                "write an internationalized name in its ASCII (punycode, xn--...) form"
            };
            return Err(format!(
                "has the character {:?} (U+{:04X}) in label '{}': {hint}",
                c,
                c as u32,
                label.escape_debug()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
