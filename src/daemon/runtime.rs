//! The daemon at work: detect addresses, decide, read, replace, verify, remember; then wait for
//! an address event (Linux netlink, debounced), the poll interval, a back-off to end, SIGHUP
//! (reload) or shutdown. All decisions come from `reconcile`; this file only does the I/O.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hickory_proto::rr::{Name, RecordType};

use super::config::{Config, RecordConfig};
use super::reconcile::{self, Backoff, Plan, Policy};
use super::state::State;
use super::status::{self, FailureKind, Notice};
use super::telemetry::{self, Measured};
use crate::ip::{self, Decision, Family, Vote};
use crate::provider::{self, Applied, DynProvider, ProviderError, Rrset, RrsetKey};

/// What happened to one managed RRset in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The address is what was last confirmed: nothing was read or sent.
    Unchanged(Vec<IpAddr>),
    /// Read from the server: it already held the address.
    Confirmed(Vec<IpAddr>),
    /// Changed on the server and verified.
    Updated(Change),
    /// Would change (plan mode): nothing was sent.
    WouldUpdate(Change),
    /// The sources gave no address that may be published; the record was left alone.
    NoAddress(String),
    /// Someone else changed the RRset between our read and our write; nothing was changed.
    Conflict(String),
    /// The provider failed; retried after a back-off.
    Failed(Failure),
    /// Not tried: the provider is backing off after failures (seconds until the next try).
    BackingOff(u64),
}

/// A change of an RRset: what it held and what it holds (or would hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What the server held before (empty: the RRset did not exist).
    pub from: Vec<IpAddr>,
    /// What it holds now.
    pub to: Vec<IpAddr>,
    /// The TTL it had, if it existed.
    pub ttl_from: Option<u32>,
    /// The TTL it has now.
    pub ttl: u32,
}

impl Change {
    fn write(&self, f: &mut fmt::Formatter<'_>, would: bool) -> fmt::Result {
        let (create, update, ttl) = if would {
            ("would create", "would update", "would change the TTL")
        } else {
            ("created", "updated", "TTL changed")
        };
        if self.from.is_empty() {
            write!(f, "{create} {} (TTL {})", list(&self.to), self.ttl)
        } else if self.from == self.to {
            match self.ttl_from {
                Some(old) => write!(f, "{ttl} {old} -> {} ({})", self.ttl, list(&self.to)),
                None => write!(f, "{ttl} to {} ({})", self.ttl, list(&self.to)),
            }
        } else {
            write!(f, "{update} {} -> {}", list(&self.from), list(&self.to))?;
            match self.ttl_from {
                Some(old) if old != self.ttl => write!(f, " (TTL {old} -> {})", self.ttl),
                _ => Ok(()),
            }
        }
    }
}

impl fmt::Display for Change {
    /// `created 192.0.2.1 (TTL 60)`, `updated 192.0.2.1 -> 192.0.2.2`,
    /// `TTL changed 300 -> 60 (192.0.2.1)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

/// Why a provider failed, with its kind (exit codes, status, metrics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// The message (never a secret).
    pub message: String,
}

impl Failure {
    fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl From<ProviderError> for Failure {
    fn from(e: ProviderError) -> Self {
        let kind = match &e {
            ProviderError::Network(_) | ProviderError::Throttled(..) => FailureKind::Network,
            ProviderError::Auth(_) => FailureKind::Auth,
            ProviderError::Refused(_) => FailureKind::Refused,
            _ => FailureKind::Provider,
        };
        Self::new(kind, e.to_string())
    }
}

impl Outcome {
    /// True when the RRset is known to hold the desired value (or nothing was to be done).
    pub fn in_sync(&self) -> bool {
        matches!(
            self,
            Self::Unchanged(_) | Self::Confirmed(_) | Self::Updated { .. }
        )
    }

    /// The kind of failure, for outcomes that are failures (`None` for the others, and for a
    /// back-off, which only the long-running daemon sees).
    pub fn failure(&self) -> Option<FailureKind> {
        match self {
            Self::NoAddress(_) => Some(FailureKind::NoAddress),
            Self::Conflict(_) => Some(FailureKind::Conflict),
            Self::Failed(f) => Some(f.kind),
            _ => None,
        }
    }
}

fn list(ips: &[IpAddr]) -> String {
    if ips.is_empty() {
        return "nothing".into();
    }
    ips.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unchanged(ips) => write!(f, "unchanged ({})", list(ips)),
            Self::Confirmed(ips) => write!(f, "in sync ({})", list(ips)),
            Self::Updated(c) => write!(f, "{c}"),
            Self::WouldUpdate(c) => c.write(f, true),
            Self::NoAddress(why) => write!(f, "left alone: {why}"),
            Self::Conflict(why) => write!(f, "conflict, not changed: {why}"),
            Self::Failed(e) => write!(f, "failed: {}", e.message),
            Self::BackingOff(left) => write!(f, "backing off, next try in {left} s"),
        }
    }
}

/// One source's answer for one family.
#[derive(Debug, Clone)]
pub struct SourceReport {
    /// The source's name in the configuration.
    pub name: String,
    /// The family asked for.
    pub family: Family,
    /// What kind of source it is.
    pub label: String,
    /// The address it gave, none, or why it failed.
    pub result: Result<Option<IpAddr>, String>,
}

/// What `dnsup detect` shows.
#[derive(Debug, Clone)]
pub struct Detection {
    /// What each source said.
    pub sources: Vec<SourceReport>,
    /// (RRset, the address to publish or why there is none).
    pub records: Vec<(String, Result<IpAddr, String>)>,
}

/// A managed RRset: a record of the configuration and one family.
#[derive(Debug, Clone)]
struct Target {
    record: usize,
    family: Family,
    /// Found at the first pass that needs it when the configuration does not say: a slow or
    /// unreachable server must not hold up the start (READY=1).
    zone: Option<Name>,
    key: RrsetKey,
}

impl Target {
    /// The source names the record lists for this target's family.
    fn sources<'a>(&self, r: &'a RecordConfig) -> &'a [String] {
        match self.family {
            Family::V4 => &r.ipv4,
            Family::V6 => &r.ipv6,
        }
    }
}

/// A source asked for one family with a record's allowed scopes.
type DetectKey = (String, Family, Vec<ip::Scope>);

/// What each source said in one pass.
#[derive(Debug, Clone, Default)]
pub struct Detected(BTreeMap<DetectKey, Result<Option<IpAddr>, String>>);

/// A problem that stops the daemon from starting (or a reload from taking effect).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);

/// The daemon's state between passes.
pub struct Daemon {
    config: Config,
    /// The providers the records use, by name.
    providers: BTreeMap<String, Box<dyn DynProvider>>,
    /// Providers whose servers did not resolve when the daemon started (a boot before the
    /// network or the resolver is up): built again at each try, with the back-off.
    unbuilt: BTreeMap<String, String>,
    targets: Vec<Target>,
    state: State,
    /// Back-off per provider, in seconds of the monotonic clock since `started` (a jump of
    /// the wall clock must not stretch or cancel a back-off).
    backoff: BTreeMap<String, Backoff>,
    started: std::time::Instant,
    /// Providers that told us to stop (dyndns2 `abuse`, `badagent`): not tried again until the
    /// configuration is reloaded, since retrying would get the account blocked.
    blocked: BTreeMap<String, String>,
    policy: Policy,
    /// Read every record from its server at the next pass (SIGUSR1), even when unchanged.
    check_now: bool,
    /// Problems already warned about in this process, by record: said again only when they
    /// change (the persisted status cannot tell: a restart must say them once more).
    announced: BTreeMap<String, String>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A jitter value in [-1, 1] from the system random generator.
fn jitter() -> f64 {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut b = [0u8; 4];
    if SystemRandom::new().fill(&mut b).is_err() {
        return 0.0;
    }
    f64::from(u32::from_be_bytes(b)) / f64::from(u32::MAX) * 2.0 - 1.0
}

/// A source's type for metrics labels: the first word of its description (`http`, `dns`,
/// `interface`, `static`, ...).
fn source_kind(spec: &ip::SourceSpec) -> String {
    ip::describe(spec)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn fqdn(name: &str) -> Result<Name, SetupError> {
    let mut n = Name::from_ascii(name).map_err(|e| SetupError(format!("name '{name}': {e}")))?;
    n.set_fqdn(true);
    Ok(n)
}

/// Why an RFC 2136 provider's servers do not resolve now, if that is so: such a provider is
/// retried later instead of failing the start.
async fn unresolvable(conf: &provider::build::ProviderConfig) -> Option<String> {
    let provider::build::ProviderConfig::Rfc2136(c) = conf else {
        return None;
    };
    for s in &c.servers {
        let Ok((host, port)) = crate::discover::split_server(s, 53) else {
            return None;
        };
        if let Err(e) = crate::discover::resolve(&host, port).await {
            return Some(format!("server '{s}': {e}"));
        }
    }
    None
}

impl Daemon {
    /// Set up from a configuration: load keys, resolve servers, load the state. Nothing here
    /// waits for a provider's server: zones are found, and servers that do not resolve yet are
    /// tried again, at the passes.
    pub async fn new(config: Config) -> Result<Daemon, SetupError> {
        let mut providers: BTreeMap<String, Box<dyn DynProvider>> = BTreeMap::new();
        let mut unbuilt = BTreeMap::new();
        let mut targets = Vec::new();
        let mut setup = provider::build::Setup {
            strict_permissions: config.strict_permissions,
            ..Default::default()
        };
        for (i, r) in config.records.iter().enumerate() {
            let name = fqdn(&r.name)?;
            if !providers.contains_key(&r.provider) && !unbuilt.contains_key(&r.provider) {
                let pconf = config
                    .providers
                    .get(&r.provider)
                    .ok_or_else(|| SetupError(format!("no provider '{}'", r.provider)))?;
                // A server name that does not resolve yet (booted before the network or the
                // resolver) is not a configuration error: the provider is built at a later try.
                if let Some(why) = unresolvable(pconf).await {
                    tracing::warn!(
                        "provider '{}': {why}; trying again with the back-off",
                        r.provider
                    );
                    unbuilt.insert(r.provider.clone(), why);
                } else {
                    let built = provider::build(&r.provider, pconf, &mut setup)
                        .await
                        .map_err(|e| SetupError(format!("provider '{}': {e}", r.provider)))?;
                    providers.insert(
                        r.provider.clone(),
                        Measured::wrap(&r.provider, pconf.kind(), built),
                    );
                }
            }
            let zone = r.zone.as_deref().map(fqdn).transpose()?;
            for (family, sources, rtype) in [
                (Family::V4, &r.ipv4, RecordType::A),
                (Family::V6, &r.ipv6, RecordType::AAAA),
            ] {
                if !sources.is_empty() {
                    targets.push(Target {
                        record: i,
                        family,
                        zone: zone.clone(),
                        key: RrsetKey {
                            name: name.clone(),
                            rtype,
                        },
                    });
                }
            }
        }
        for w in config.warnings.iter().chain(&setup.warnings) {
            tracing::warn!("{w}");
        }
        let state = match State::load(&config.state_file) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("{e}; starting without it (it is rewritten at the next save)");
                State::fresh()
            }
        };
        let policy = Policy {
            force_refresh: config.force_refresh.as_secs().max(1),
            backoff_base: config.retry_min.as_secs().max(1),
            backoff_max: config.retry_max.as_secs().max(1),
        };
        Ok(Daemon {
            config,
            providers,
            unbuilt,
            targets,
            state,
            backoff: BTreeMap::new(),
            started: std::time::Instant::now(),
            blocked: BTreeMap::new(),
            policy,
            check_now: false,
            announced: BTreeMap::new(),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The managed RRsets (`name./TYPE`), in configuration order.
    pub fn rrsets(&self) -> Vec<String> {
        self.targets.iter().map(|t| t.key.to_string()).collect()
    }

    /// The managed RRsets with their provider's name, in configuration order.
    pub fn rrset_providers(&self) -> Vec<(String, String)> {
        self.targets
            .iter()
            .map(|t| {
                (
                    t.key.to_string(),
                    self.config.records[t.record].provider.clone(),
                )
            })
            .collect()
    }

    /// What the daemon remembers and knows about each RRset (as saved in the state file).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// One line for the start and reload messages: records, sources, state file, polling.
    pub fn summary(&self) -> String {
        let sources: Vec<String> = self
            .config
            .sources
            .iter()
            .map(|(n, s)| format!("{n} ({})", ip::describe(s)))
            .collect();
        let n = self.targets.len();
        format!(
            "{n} record{} ({}), sources {}, state {}, poll every {}",
            if n == 1 { "" } else { "s" },
            self.rrsets().join(", "),
            sources.join(", "),
            self.config.state_file.display(),
            humanize(self.config.interval),
        )
    }

    /// Check now (SIGUSR1): forget back-offs and read every record from its server at the
    /// next pass, even those that look unchanged.
    pub fn check_now(&mut self) {
        self.backoff.clear();
        self.check_now = true;
    }

    /// True if any source needs kernel address events (interface-based sources).
    pub fn watches_interfaces(&self) -> bool {
        self.config.sources.values().any(|s| {
            matches!(
                s,
                ip::SourceSpec::Interface { .. } | ip::SourceSpec::Prefix { .. }
            )
        })
    }

    /// The router sources (natpmp, pcp, upnp) the records use: their announcements and events
    /// trigger passes ([`crate::ip::source::router::watch`]).
    pub fn router_sources(&self) -> Vec<&ip::SourceSpec> {
        let used: std::collections::BTreeSet<&String> = self
            .targets
            .iter()
            .flat_map(|t| t.sources(&self.config.records[t.record]))
            .collect();
        used.into_iter()
            .filter_map(|n| self.config.sources.get(n))
            .filter(|s| s.router_gateway().is_some())
            .collect()
    }

    /// Ask every source used by the records, once per (source, family, allowed scopes): the
    /// allowed scopes matter to interface sources, which prefer a public address. This part of
    /// a pass only reads: dropping the future (SIGTERM) loses nothing.
    pub async fn detect_all(&self) -> Detected {
        let mut wanted: Vec<DetectKey> = Vec::new();
        for t in &self.targets {
            let r = &self.config.records[t.record];
            for n in t.sources(r) {
                let k = (n.clone(), t.family, r.allow.clone());
                if !wanted.contains(&k) {
                    wanted.push(k);
                }
            }
        }
        let timeout = self.config.source_timeout;
        let mut set = tokio::task::JoinSet::new();
        for k in wanted {
            let Some(spec) = self.config.sources.get(&k.0).cloned() else {
                continue;
            };
            let kind = source_kind(&spec);
            set.spawn(async move {
                let start = std::time::Instant::now();
                let r = ip::source::detect_allowing(&spec, k.1, timeout, &k.2).await;
                (k, kind, r, start.elapsed())
            });
        }
        let mut out = BTreeMap::new();
        let at = now();
        while let Some(joined) = set.join_next().await {
            if let Ok((k, kind, v, took)) = joined {
                let family = match k.1 {
                    Family::V4 => "ipv4",
                    Family::V6 => "ipv6",
                };
                telemetry::global().source_answered(&k.0, &kind, family, &v, took, at);
                let v = v.map_err(|e| e.to_string());
                match &v {
                    Ok(Some(ip)) => tracing::trace!("source {} {family}: {ip}", k.0),
                    Ok(None) => tracing::trace!("source {} {family}: no address", k.0),
                    Err(e) => tracing::trace!("source {} {family}: {e}", k.0),
                }
                out.insert(k, v);
            }
        }
        Detected(out)
    }

    /// The desired address for a target from the detected votes, or why there is none.
    fn desired(&self, t: &Target, detected: &Detected) -> Result<IpAddr, String> {
        let r: &RecordConfig = &self.config.records[t.record];
        let votes: Vec<Vote> = t
            .sources(r)
            .iter()
            .map(|n| Vote {
                source: n.clone(),
                result: detected
                    .0
                    .get(&(n.clone(), t.family, r.allow.clone()))
                    .cloned()
                    .unwrap_or_else(|| Err("not asked".into())),
            })
            .collect();
        let needed = r.agree.unwrap_or_else(|| ip::default_quorum(votes.len()));
        let decision = ip::decide(&votes, needed);
        let t = telemetry::global();
        let kind = |n: &str| {
            self.config
                .sources
                .get(n)
                .map(source_kind)
                .unwrap_or_default()
        };
        // A disagreement: a source that saw an address which is not the one published.
        let disagreed = |ip: Option<IpAddr>| {
            for v in &votes {
                if matches!(v.result, Ok(Some(seen)) if Some(seen) != ip) {
                    t.source_disagreed(&v.source, &kind(&v.source));
                }
            }
        };
        match decision {
            Decision::Publish { ip, agreeing, .. } => {
                disagreed(Some(ip));
                if let Err(e) = ip::check_publishable(ip, &r.allow) {
                    for n in &agreeing {
                        t.source_refused(n, &kind(n), "non_public");
                    }
                    return Err(e.to_string());
                }
                Ok(ip)
            }
            other => {
                if matches!(other, Decision::NoQuorum { .. }) {
                    disagreed(None);
                }
                Err(describe_decision(&other))
            }
        }
    }

    /// What every source says and which address each record would get (for `dnsup detect`).
    pub async fn detect(&self) -> Detection {
        let detected = self.detect_all().await;
        let sources = detected
            .0
            .iter()
            .map(|((name, family, _), result)| {
                let label = self
                    .config
                    .sources
                    .get(name)
                    .map(ip::describe)
                    .unwrap_or_default();
                SourceReport {
                    name: name.clone(),
                    family: *family,
                    label,
                    result: result.clone(),
                }
            })
            .collect();
        let records = self
            .targets
            .iter()
            .map(|t| (t.key.to_string(), self.desired(t, &detected)))
            .collect();
        Detection { sources, records }
    }

    /// One pass over every target. With `dry_run`, nothing is changed or remembered.
    pub async fn pass(&mut self, dry_run: bool) -> Vec<(String, Outcome)> {
        let detected = self.detect_all().await;
        self.apply(&detected, dry_run).await
    }

    /// The second half of a pass: decide, read, replace, verify and remember, for every
    /// target, from what the sources said. Logs what an operator needs at the default level
    /// (changes, new problems, recoveries) and the rest at debug.
    pub async fn apply(&mut self, detected: &Detected, dry_run: bool) -> Vec<(String, Outcome)> {
        let before = self.state.clone();
        let force = std::mem::take(&mut self.check_now);
        let mut report = Vec::new();
        for i in 0..self.targets.len() {
            let t = self.targets[i].clone();
            let key = t.key.to_string();
            let outcome = match self.desired(&t, detected) {
                Err(why) => Outcome::NoAddress(why),
                Ok(ip) => self.reconcile_one(i, ip, dry_run, force).await,
            };
            if !dry_run {
                self.remember(&t, &key, &outcome);
            }
            report.push((key, outcome));
        }
        if !dry_run
            && self.state != before
            && let Err(e) = self.state.save(&self.config.state_file)
        {
            tracing::error!("{e}");
        }
        report
    }

    /// Update the record's status after an outcome, and log what changed for an operator.
    fn remember(&mut self, t: &Target, key: &str, outcome: &Outcome) {
        let now = now();
        let pname = &self.config.records[t.record].provider;
        let via = match self.providers.get(pname) {
            Some(p) => format!("{pname} ({})", p.label()),
            None => pname.clone(),
        };
        let st = self.state.status.entry(key.to_string()).or_default();
        match outcome {
            Outcome::Unchanged(_) | Outcome::Confirmed(_) | Outcome::Updated(_) => {
                let change = match outcome {
                    Outcome::Updated(c) => Some(status::Change {
                        at: now,
                        from: c.from.clone(),
                        to: c.to.clone(),
                        ttl_from: c.ttl_from,
                        ttl: c.ttl,
                    }),
                    _ => None,
                };
                let confirmed = !matches!(outcome, Outcome::Unchanged(_));
                let notice = st.in_sync(now, confirmed, change);
                self.announced.remove(key);
                if let Outcome::Updated(_) = outcome {
                    tracing::info!("{key}: {outcome} at {via}");
                }
                match notice {
                    Notice::Recovered {
                        failures,
                        since,
                        kind,
                    } => {
                        // A change was said just above; otherwise say where it stands.
                        let now_is = match outcome {
                            Outcome::Updated(_) => String::new(),
                            other => format!(": {other}"),
                        };
                        let since = status::rfc3339(since);
                        if kind == FailureKind::NoAddress {
                            tracing::info!(
                                "{key}: the sources give an address again (none since {since}){now_is}"
                            );
                        } else {
                            tracing::info!(
                                "{key}: recovered after {failures} failed tries ({kind} since {since}){now_is}"
                            );
                        }
                    }
                    _ if matches!(outcome, Outcome::Updated(_)) => {}
                    _ => tracing::debug!("{key}: {outcome}"),
                }
            }
            Outcome::NoAddress(_) | Outcome::Conflict(_) | Outcome::Failed(_) => {
                let kind = outcome.failure().unwrap_or(FailureKind::Provider);
                let text = outcome.to_string();
                let message = match outcome {
                    Outcome::NoAddress(m) | Outcome::Conflict(m) => m.as_str(),
                    Outcome::Failed(f) => f.message.as_str(),
                    _ => "",
                };
                st.failed(now, kind, message);
                let new = self.announced.get(key) != Some(&text);
                if new {
                    let at = if kind == FailureKind::NoAddress {
                        String::new()
                    } else {
                        format!(" [{via}]")
                    };
                    tracing::warn!("{key}: {text}{at}");
                    self.announced.insert(key.to_string(), text);
                } else {
                    tracing::debug!("{key}: {text} (again)");
                }
            }
            Outcome::WouldUpdate(_) | Outcome::BackingOff(_) => {
                tracing::debug!("{key}: {outcome}");
            }
        }
    }

    /// The provider of a target, built now if its servers did not resolve before.
    async fn provider_for(&mut self, pname: &str) -> Result<&dyn DynProvider, Failure> {
        if self.unbuilt.contains_key(pname) {
            let pconf = self
                .config
                .providers
                .get(pname)
                .ok_or_else(|| Failure::new(FailureKind::Provider, "no such provider"))?;
            let mut setup = provider::build::Setup {
                strict_permissions: self.config.strict_permissions,
                ..Default::default()
            };
            if let Some(why) = unresolvable(pconf).await {
                return Err(Failure::new(
                    FailureKind::Network,
                    format!("network: {why}"),
                ));
            }
            // Resolvable now; anything else wrong with it (a key file edited since the start)
            // is reported and tried again with the back-off.
            let p = provider::build(pname, pconf, &mut setup)
                .await
                .map_err(|e| {
                    Failure::new(FailureKind::Provider, format!("provider '{pname}': {e}"))
                })?;
            for w in setup.warnings {
                tracing::warn!("{w}");
            }
            self.unbuilt.remove(pname);
            self.providers
                .insert(pname.to_string(), Measured::wrap(pname, pconf.kind(), p));
        }
        self.providers
            .get(pname)
            .map(AsRef::as_ref)
            .ok_or_else(|| Failure::new(FailureKind::Provider, format!("no provider '{pname}'")))
    }

    async fn reconcile_one(&mut self, i: usize, ip: IpAddr, dry_run: bool, force: bool) -> Outcome {
        let t = self.targets[i].clone();
        let desired = [ip];
        let pname = self.config.records[t.record].provider.clone();
        // A provider with a minimum TTL holds at least that: compare with what it will hold,
        // or every forced re-read would find a "difference" and write again.
        let ttl = match self.providers.get(&pname) {
            Some(p) => p
                .capabilities()
                .effective_ttl(self.config.records[t.record].ttl),
            None => self.config.records[t.record].ttl,
        };
        let key = t.key.to_string();
        let now = now();
        let mono = self.mono();
        if let Some(why) = self.blocked.get(&pname) {
            return Outcome::Failed(Failure::new(
                FailureKind::Provider,
                format!(
                    "provider '{pname}' told us to stop ({why}); not retried until the configuration is reloaded"
                ),
            ));
        }
        let backoff = self.backoff.entry(pname.clone()).or_default();
        if !backoff.ready(mono) {
            return Outcome::BackingOff(backoff.until().saturating_sub(mono));
        }
        let memory = self.state.records.get(&key).cloned();
        if !dry_run
            && !force
            && !reconcile::needs_read(memory.as_ref(), &desired, ttl, now, &self.policy)
        {
            return Outcome::Unchanged(desired.to_vec());
        }
        if !dry_run {
            self.state
                .status
                .entry(key.clone())
                .or_default()
                .attempted(now);
        }
        let result = self.try_one(i, &desired, ttl, memory, dry_run).await;
        if let Err(Held {
            blocked: Some(why), ..
        }) = &result
        {
            self.blocked.insert(pname.clone(), why.clone());
        }
        let (outcome, throttled) = match result {
            Ok(o) => (o, None),
            Err(f) => {
                let hold = f.hold;
                (Outcome::Failed(f.failure), hold)
            }
        };
        let backoff = self.backoff.entry(pname).or_default();
        if outcome.in_sync() {
            backoff.succeeded();
            if !dry_run {
                self.state
                    .records
                    .insert(key, reconcile::confirmed(&desired, ttl, now));
            }
        } else if matches!(outcome, Outcome::Conflict(_) | Outcome::Failed(_)) {
            backoff.failed(mono, &self.policy, jitter());
            if let Some(secs) = throttled {
                backoff.hold_until(mono.saturating_add(secs));
            }
        }
        outcome
    }

    /// Find the zone if needed, read, replace if different, verify.
    async fn try_one(
        &mut self,
        i: usize,
        desired: &[IpAddr],
        ttl: u32,
        memory: Option<reconcile::Memory>,
        dry_run: bool,
    ) -> Result<Outcome, Held> {
        let t = self.targets[i].clone();
        let pname = self.config.records[t.record].provider.clone();
        self.provider_for(&pname).await?;
        let zone = match t.zone.clone() {
            Some(z) => z,
            None => {
                let p = self.provider_for(&pname).await?;
                let z = p.find_zone(&t.key.name).await.map_err(|e| {
                    Failure::new(
                        FailureKind::Zone,
                        format!(
                            "cannot find the zone of {} ({e}); set zone = \"...\" in the record",
                            t.key.name
                        ),
                    )
                })?;
                // Every target of the record shares the zone.
                for other in &mut self.targets {
                    if other.record == t.record {
                        other.zone = Some(z.clone());
                    }
                }
                z
            }
        };
        let provider = self.provider_for(&pname).await?;
        // A write-only provider (dyndns2-style) cannot be read: what dnsup last published
        // stands in for the read, as ddclient's cache does.
        let readable = provider.capabilities().read;
        let remembered = Rrset {
            ttl: memory.as_ref().map(|m| m.ttl),
            values: memory.as_ref().map_or_else(Vec::new, |m| {
                m.published.iter().map(|ip| reconcile::rdata(*ip)).collect()
            }),
        };
        let actual = if readable {
            provider.read(&zone, &t.key).await?
        } else {
            remembered
        };
        let change = Change {
            from: reconcile::addresses(&actual),
            to: desired.to_vec(),
            ttl_from: actual.ttl,
            ttl,
        };
        match reconcile::plan(desired, &actual, ttl) {
            Plan::InSync => Ok(Outcome::Confirmed(change.from)),
            Plan::Replace { .. } if dry_run => Ok(Outcome::WouldUpdate(change)),
            Plan::Replace { expected, new } => {
                match provider
                    .replace(&zone, &t.key, &expected, &new, ttl)
                    .await?
                {
                    Applied::Conflict(why) => Ok(Outcome::Conflict(why)),
                    Applied::Done if !readable => Ok(Outcome::Updated(change)),
                    Applied::Done => {
                        let after = provider.read(&zone, &t.key).await?;
                        match reconcile::plan(desired, &after, ttl) {
                            Plan::InSync => Ok(Outcome::Updated(change)),
                            Plan::Replace { .. } => Ok(Outcome::Failed(Failure::new(
                                FailureKind::Provider,
                                format!(
                                    "the server accepted the update but serves {}",
                                    list(&reconcile::addresses(&after))
                                ),
                            ))),
                        }
                    }
                }
            }
        }
    }

    /// Seconds on the monotonic clock since the daemon started.
    fn mono(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// When the next pass is due: the poll interval, or sooner when a back-off ends.
    pub fn next_wake(&self) -> Duration {
        let interval = self.config.interval;
        let now = self.mono();
        self.backoff
            .values()
            .filter(|b| b.failures() > 0)
            .map(|b| Duration::from_secs(b.until().saturating_sub(now).max(1)))
            .chain([interval])
            .min()
            .unwrap_or(interval)
    }
}

/// A failure, how long the provider asked us to wait (`Retry-After`, dyndns2 `911`), and
/// whether it told us to stop.
struct Held {
    failure: Failure,
    hold: Option<u64>,
    blocked: Option<String>,
}

impl From<Failure> for Held {
    fn from(failure: Failure) -> Self {
        Held {
            failure,
            hold: None,
            blocked: None,
        }
    }
}

impl From<ProviderError> for Held {
    fn from(e: ProviderError) -> Self {
        let hold = match &e {
            ProviderError::Throttled(_, secs) => Some(*secs),
            _ => None,
        };
        let blocked = match &e {
            ProviderError::Blocked(why) => Some(why.clone()),
            _ => None,
        };
        Held {
            failure: e.into(),
            hold,
            blocked,
        }
    }
}

/// `5m`, `30s`, `1h`: durations as the configuration writes them.
fn humanize(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => format!("{}ms", d.as_millis()),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn describe_decision(d: &Decision) -> String {
    match d {
        Decision::NoAddress => "no source has an address of this family".into(),
        Decision::NoQuorum {
            needed,
            best,
            votes,
        } => {
            let said: Vec<String> = votes.iter().map(|(s, v)| format!("{s}: {v}")).collect();
            let any = votes.iter().any(|(_, v)| v.parse::<IpAddr>().is_ok());
            let must = format!("{needed} of {} must agree", votes.len());
            match best {
                Some((ip, n)) => format!(
                    "sources disagree ({must}; {ip} has {n}): {}",
                    said.join("; ")
                ),
                None if any => format!("sources disagree ({must}): {}", said.join("; ")),
                None => format!("no address from the sources ({})", said.join("; ")),
            }
        }
        Decision::Publish { ip, .. } => format!("publish {ip}"),
    }
}

/// Command-line values that override the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--state-file`.
    pub state_file: Option<PathBuf>,
    /// `--interval`.
    pub interval: Option<Duration>,
}

impl Overrides {
    /// Apply to a loaded configuration.
    pub fn apply(&self, c: &mut Config) {
        if let Some(p) = &self.state_file {
            c.state_file.clone_from(p);
        }
        if let Some(i) = self.interval {
            c.interval = i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(s: &[&str]) -> Vec<IpAddr> {
        s.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn changes_say_create_update_or_ttl_only() {
        let c = |from: &[&str], ttl_from, to: &[&str], ttl| Change {
            from: ips(from),
            to: ips(to),
            ttl_from,
            ttl,
        };
        let create = c(&[], None, &["192.0.2.1"], 60);
        assert_eq!(create.to_string(), "created 192.0.2.1 (TTL 60)");
        assert_eq!(
            Outcome::WouldUpdate(create).to_string(),
            "would create 192.0.2.1 (TTL 60)"
        );
        let ttl = c(&["192.0.2.1"], Some(300), &["192.0.2.1"], 60);
        assert_eq!(ttl.to_string(), "TTL changed 300 -> 60 (192.0.2.1)");
        assert_eq!(
            Outcome::WouldUpdate(ttl).to_string(),
            "would change the TTL 300 -> 60 (192.0.2.1)"
        );
        let both = c(&["192.0.2.1"], Some(300), &["192.0.2.2"], 60);
        assert_eq!(
            both.to_string(),
            "updated 192.0.2.1 -> 192.0.2.2 (TTL 300 -> 60)"
        );
        let addr = c(&["192.0.2.1"], Some(60), &["192.0.2.2"], 60);
        assert_eq!(addr.to_string(), "updated 192.0.2.1 -> 192.0.2.2");
    }

    #[test]
    fn disagreeing_sources_say_how_many_must_agree() {
        let vote = |s: &str, a: &str| Vote {
            source: s.into(),
            result: Ok(Some(a.parse().unwrap())),
        };
        let votes = [vote("a", "192.0.2.1"), vote("b", "192.0.2.2")];
        let d = ip::decide(&votes, 2);
        let text = describe_decision(&d);
        assert!(
            text.starts_with("sources disagree (2 of 2 must agree)"),
            "{text}"
        );
        assert!(text.contains("a: 192.0.2.1"), "{text}");
    }
}
