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
use crate::ip::{self, Decision, Family, Vote};
use crate::provider::{self, Applied, DynProvider, Rrset, RrsetKey};

/// What happened to one managed RRset in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The address is what was last confirmed: nothing was read or sent.
    Unchanged(Vec<IpAddr>),
    /// Read from the server: it already held the address.
    Confirmed(Vec<IpAddr>),
    /// Changed on the server and verified.
    Updated {
        /// What the server held before.
        from: Vec<IpAddr>,
        /// What it holds now.
        to: Vec<IpAddr>,
    },
    /// Would change (plan mode): nothing was sent.
    WouldUpdate {
        /// What the server holds.
        from: Vec<IpAddr>,
        /// What would be published.
        to: Vec<IpAddr>,
    },
    /// The sources gave no address that may be published; the record was left alone.
    NoAddress(String),
    /// Someone else changed the RRset between our read and our write; nothing was changed.
    Conflict(String),
    /// The provider failed; retried after a back-off.
    Failed(String),
    /// Not tried: the provider is backing off after failures (seconds until the next try).
    BackingOff(u64),
}

impl Outcome {
    /// True when the RRset is known to hold the desired value (or nothing was to be done).
    pub fn in_sync(&self) -> bool {
        matches!(
            self,
            Self::Unchanged(_) | Self::Confirmed(_) | Self::Updated { .. }
        )
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
            Self::Updated { from, to } => write!(f, "updated {} -> {}", list(from), list(to)),
            Self::WouldUpdate { from, to } => {
                write!(f, "would update {} -> {}", list(from), list(to))
            }
            Self::NoAddress(why) => write!(f, "left alone: {why}"),
            Self::Conflict(why) => write!(f, "conflict, not changed: {why}"),
            Self::Failed(why) => write!(f, "failed: {why}"),
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
    zone: Name,
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
/// What each source said.
type Detected = BTreeMap<DetectKey, Result<Option<IpAddr>, String>>;

/// A problem that stops the daemon from starting (or a reload from taking effect).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);

/// The daemon's state between passes.
pub struct Daemon {
    config: Config,
    /// The providers the records use, by name.
    providers: BTreeMap<String, Box<dyn DynProvider>>,
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

fn fqdn(name: &str) -> Result<Name, SetupError> {
    let mut n = Name::from_ascii(name).map_err(|e| SetupError(format!("name '{name}': {e}")))?;
    n.set_fqdn(true);
    Ok(n)
}

impl Daemon {
    /// Set up from a configuration: load keys, resolve servers, find zones, load the state.
    pub async fn new(config: Config) -> Result<Daemon, SetupError> {
        let mut providers: BTreeMap<String, Box<dyn DynProvider>> = BTreeMap::new();
        let mut targets = Vec::new();
        let mut setup = provider::build::Setup {
            strict_permissions: config.strict_permissions,
            ..Default::default()
        };
        for (i, r) in config.records.iter().enumerate() {
            let name = fqdn(&r.name)?;
            if !providers.contains_key(&r.provider) {
                let pconf = config
                    .providers
                    .get(&r.provider)
                    .ok_or_else(|| SetupError(format!("no provider '{}'", r.provider)))?;
                let built = provider::build(&r.provider, pconf, &mut setup)
                    .await
                    .map_err(|e| SetupError(format!("provider '{}': {e}", r.provider)))?;
                providers.insert(r.provider.clone(), built);
            }
            let zone = match &r.zone {
                Some(z) => fqdn(z)?,
                None => providers[&r.provider].find_zone(&name).await.map_err(|e| {
                    SetupError(format!(
                        "record '{}': cannot find its zone ({e}); set zone = \"...\"",
                        r.name
                    ))
                })?,
            };
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
                tracing::warn!("{e}");
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
            targets,
            state,
            backoff: BTreeMap::new(),
            started: std::time::Instant::now(),
            blocked: BTreeMap::new(),
            policy,
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
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

    /// Ask every source used by the records, once per (source, family, allowed scopes): the
    /// allowed scopes matter to interface sources, which prefer a public address.
    async fn detect_all(&self) -> Detected {
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
            set.spawn(async move {
                let r = ip::source::detect_allowing(&spec, k.1, timeout, &k.2)
                    .await
                    .map_err(|e| e.to_string());
                (k, r)
            });
        }
        let mut out = BTreeMap::new();
        while let Some(joined) = set.join_next().await {
            if let Ok((k, v)) = joined {
                out.insert(k, v);
            }
        }
        out
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
                    .get(&(n.clone(), t.family, r.allow.clone()))
                    .cloned()
                    .unwrap_or_else(|| Err("not asked".into())),
            })
            .collect();
        let needed = r.agree.unwrap_or_else(|| ip::default_quorum(votes.len()));
        match ip::decide(&votes, needed) {
            Decision::Publish { ip, .. } => {
                ip::check_publishable(ip, &r.allow).map_err(|e| e.to_string())?;
                Ok(ip)
            }
            other => Err(describe_decision(&other)),
        }
    }

    /// What every source says and which address each record would get (for `dnsup detect`).
    pub async fn detect(&self) -> Detection {
        let detected = self.detect_all().await;
        let sources = detected
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
        let mut report = Vec::new();
        let mut dirty = false;
        for i in 0..self.targets.len() {
            let t = self.targets[i].clone();
            let outcome = match self.desired(&t, &detected) {
                Err(why) => Outcome::NoAddress(why),
                Ok(ip) => self.reconcile_one(&t, ip, dry_run, &mut dirty).await,
            };
            match &outcome {
                Outcome::Updated { .. } => tracing::info!("{}: {outcome}", t.key),
                o if o.in_sync() => tracing::debug!("{}: {outcome}", t.key),
                Outcome::WouldUpdate { .. } => tracing::info!("{}: {outcome}", t.key),
                _ => tracing::warn!("{}: {outcome}", t.key),
            }
            report.push((t.key.to_string(), outcome));
        }
        if dirty
            && !dry_run
            && let Err(e) = self.state.save(&self.config.state_file)
        {
            tracing::error!("{e}");
        }
        report
    }

    async fn reconcile_one(
        &mut self,
        t: &Target,
        ip: IpAddr,
        dry_run: bool,
        dirty: &mut bool,
    ) -> Outcome {
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
            return Outcome::Failed(format!(
                "provider '{pname}' told us to stop ({why}); not retried until the configuration is reloaded"
            ));
        }
        let backoff = self.backoff.entry(pname.clone()).or_default();
        if !backoff.ready(mono) {
            return Outcome::BackingOff(backoff.until().saturating_sub(mono));
        }
        let memory = self.state.records.get(&key);
        if !dry_run && !reconcile::needs_read(memory, &desired, ttl, now, &self.policy) {
            return Outcome::Unchanged(desired.to_vec());
        }
        let Some(provider) = self.providers.get(&pname) else {
            return Outcome::Failed(format!("no provider '{pname}'"));
        };
        // A write-only provider (dyndns2-style) cannot be read: what dnsup last published
        // stands in for the read, as ddclient's cache does.
        let readable = provider.capabilities().read;
        let remembered = Rrset {
            ttl: memory.map(|m| m.ttl),
            values: memory.map_or_else(Vec::new, |m| {
                m.published.iter().map(|ip| reconcile::rdata(*ip)).collect()
            }),
        };
        let zone = &t.zone;
        let result: Result<Outcome, provider::ProviderError> = async {
            let actual = if readable {
                provider.read(zone, &t.key).await?
            } else {
                remembered
            };
            let from = reconcile::addresses(&actual);
            match reconcile::plan(&desired, &actual, ttl) {
                Plan::InSync => Ok(Outcome::Confirmed(from)),
                Plan::Replace { .. } if dry_run => Ok(Outcome::WouldUpdate {
                    from,
                    to: desired.to_vec(),
                }),
                Plan::Replace { expected, new } => {
                    match provider.replace(zone, &t.key, &expected, &new, ttl).await? {
                        Applied::Conflict(why) => Ok(Outcome::Conflict(why)),
                        Applied::Done if !readable => Ok(Outcome::Updated {
                            from,
                            to: desired.to_vec(),
                        }),
                        Applied::Done => {
                            let after = provider.read(zone, &t.key).await?;
                            match reconcile::plan(&desired, &after, ttl) {
                                Plan::InSync => Ok(Outcome::Updated {
                                    from,
                                    to: desired.to_vec(),
                                }),
                                Plan::Replace { .. } => Ok(Outcome::Failed(format!(
                                    "the server accepted the update but serves {}",
                                    list(&reconcile::addresses(&after))
                                ))),
                            }
                        }
                    }
                }
            }
        }
        .await;
        if let Err(provider::ProviderError::Blocked(why)) = &result {
            self.blocked.insert(pname.clone(), why.clone());
        }
        let throttled = match &result {
            Err(provider::ProviderError::Throttled(_, secs)) => Some(*secs),
            _ => None,
        };
        let outcome = result.unwrap_or_else(|e| Outcome::Failed(e.to_string()));
        let backoff = self.backoff.entry(pname).or_default();
        if outcome.in_sync() {
            backoff.succeeded();
            if !dry_run {
                self.state
                    .records
                    .insert(key, reconcile::confirmed(&desired, ttl, now));
                *dirty = true;
            }
        } else if matches!(outcome, Outcome::Conflict(_) | Outcome::Failed(_)) {
            backoff.failed(mono, &self.policy, jitter());
            if let Some(secs) = throttled {
                backoff.hold_until(mono.saturating_add(secs));
            }
        }
        outcome
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

fn describe_decision(d: &Decision) -> String {
    match d {
        Decision::NoAddress => "no source has an address of this family".into(),
        Decision::NoQuorum {
            needed,
            best,
            votes,
        } => {
            let votes: Vec<String> = votes.iter().map(|(s, v)| format!("{s}: {v}")).collect();
            match best {
                Some((ip, n)) => format!(
                    "sources disagree: {ip} has {n} of the {needed} votes needed ({})",
                    votes.join("; ")
                ),
                None => format!("no address from the sources ({})", votes.join("; ")),
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
