//! The daemon's commands: `run`, `detect`, `plan`, `check-config`, `status`.
//!
//! Exit codes of `run --once` and `plan`: 0 in sync (and for `plan`, nothing to change);
//! when records failed, the code of their kind if they all failed the same way (4 TSIG or
//! other credentials, 5 network, 2 refused, 3 conflict, 6 zone), else 7 (no address to
//! publish, or a mix); `plan` exits 8 when nothing failed and changes are pending.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::exit;
use crate::daemon::config::{Config, parse_duration};
use crate::daemon::runtime::{Daemon, Outcome, Overrides};
use crate::daemon::service;
use crate::daemon::state::{State, StateLock};
use crate::daemon::status::rfc3339;
use crate::ip::Family;

/// Where the configuration is, and what the command line overrides.
#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// The configuration file.
    #[arg(short, long, default_value = "/etc/dnsup/dnsup.toml")]
    pub config: PathBuf,
    /// Override `state_file`.
    #[arg(long, value_name = "FILE")]
    pub state_file: Option<PathBuf>,
    /// Override `interval` (e.g. 30s, 5m).
    #[arg(long, value_parser = parse_duration)]
    pub interval: Option<Duration>,
}

impl DaemonArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            state_file: self.state_file.clone(),
            interval: self.interval,
        }
    }
}

/// `run`.
#[derive(Debug, Args)]
#[command(
    after_help = "Signals: SIGHUP reloads the configuration, SIGUSR1 checks every record \
now (back-offs forgotten, every record read from its server), SIGTERM stops. One daemon per \
state file (a lock on STATE_FILE.lock). `dnsup status` shows what it last did."
)]
pub struct RunArgs {
    #[command(flatten)]
    pub daemon: DaemonArgs,
    /// One pass, then exit: 0 if every record is in sync; else 4 (TSIG), 5 (network), ...
    /// when every failure is of that kind, 7 for a mix or no address (see the README).
    #[arg(long)]
    pub once: bool,
}

/// `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub daemon: DaemonArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            crate::errln!("error [runtime]: {e}");
            None
        }
    }
}

async fn setup(args: &DaemonArgs) -> Result<Daemon, u8> {
    service::setup(&args.config, &args.overrides())
        .await
        .map_err(|e| {
            crate::errln!("error [config]: {e}");
            exit::USAGE
        })
}

/// The exit code of a pass's report (see the module documentation).
fn report_code(report: &[(String, Outcome)], plan: bool) -> u8 {
    let failed: Vec<_> = report.iter().filter_map(|(_, o)| o.failure()).collect();
    if !failed.is_empty() {
        return exit::for_failures(failed);
    }
    if report
        .iter()
        .any(|(_, o)| !o.in_sync() && !matches!(o, Outcome::WouldUpdate(_)))
    {
        return exit::NOT_IN_SYNC;
    }
    if plan
        && report
            .iter()
            .any(|(_, o)| matches!(o, Outcome::WouldUpdate(_)))
    {
        return exit::PENDING;
    }
    exit::OK
}

/// `dnsup run`.
pub fn run(args: RunArgs) -> u8 {
    let Some(rt) = runtime() else {
        return exit::NETWORK;
    };
    rt.block_on(async {
        let config = match service::load(&args.daemon.config, &args.daemon.overrides()) {
            Ok(c) => c,
            Err(e) => {
                crate::errln!("error [config]: {e}");
                return exit::USAGE;
            }
        };
        let lock = match StateLock::acquire(&config.state_file) {
            Ok(l) => l,
            Err(e) => {
                crate::errln!("error [lock]: {e}");
                return exit::USAGE;
            }
        };
        if !args.once {
            return match service::serve_locked(
                config,
                lock,
                &args.daemon.config,
                &args.daemon.overrides(),
                std::future::pending(),
            )
            .await
            {
                Ok(()) => exit::OK,
                Err(e) => {
                    crate::errln!("error [config]: {e}");
                    exit::USAGE
                }
            };
        }
        let mut daemon = match Daemon::new(config).await {
            Ok(d) => d,
            Err(e) => {
                crate::errln!("error [config]: {e}");
                return exit::USAGE;
            }
        };
        // The pass's notifications too (no `started`/`stopped`: one pass is not a daemon's
        // life), delivered before the exit within the notifiers' timeouts.
        let mut hub = crate::notify::Hub::notifiers_only(daemon.config());
        // From cron, each run is a new process: what the last one reported comes from the
        // state file, so a failure is sent once and its end as `recovered`.
        hub.resume(&daemon.state().status);
        let report = daemon.pass(false).await;
        drop(lock);
        for (key, outcome) in &report {
            crate::outln!("{key}: {outcome}");
        }
        // Our output is written; an exec notifier that does not read its stdin must not
        // kill us with SIGPIPE (the write fails with EPIPE and is reported).
        crate::sigpipe::daemon();
        hub.observe(&report, daemon.config());
        hub.finish().await;
        report_code(&report, false)
    })
}

/// `dnsup detect`.
pub fn detect(args: DaemonArgs) -> u8 {
    let Some(rt) = runtime() else {
        return exit::NETWORK;
    };
    rt.block_on(async {
        let daemon = match setup(&args).await {
            Ok(d) => d,
            Err(code) => return code,
        };
        let d = daemon.detect().await;
        crate::outln!("sources:");
        for src in &d.sources {
            let fam = match src.family {
                Family::V4 => "ipv4",
                Family::V6 => "ipv6",
            };
            let said = match &src.result {
                Ok(Some(ip)) => ip.to_string(),
                Ok(None) => "no address".into(),
                Err(e) => format!("error: {e}"),
            };
            crate::outln!("  {} ({}) {fam}: {said}", src.name, src.label);
        }
        crate::outln!("records:");
        let mut all = true;
        for (key, r) in &d.records {
            match r {
                Ok(ip) => crate::outln!("  {key}: would publish {ip}"),
                Err(why) => {
                    all = false;
                    crate::outln!("  {key}: nothing to publish: {why}");
                }
            }
        }
        if all { exit::OK } else { exit::NOT_IN_SYNC }
    })
}

/// `dnsup plan`.
pub fn plan(args: DaemonArgs) -> u8 {
    let Some(rt) = runtime() else {
        return exit::NETWORK;
    };
    rt.block_on(async {
        let mut daemon = match setup(&args).await {
            Ok(d) => d,
            Err(code) => return code,
        };
        let report = daemon.pass(true).await;
        for (key, outcome) in &report {
            crate::outln!("{key}: {outcome}");
        }
        report_code(&report, true)
    })
}

/// `dnsup status`: what the state file says about each record of the configuration.
pub fn status(args: StatusArgs) -> u8 {
    let mut config = match Config::load(&args.daemon.config) {
        Ok(c) => c,
        Err(e) => {
            crate::errln!("error [config]: {e}");
            return exit::USAGE;
        }
    };
    args.daemon.overrides().apply(&mut config);
    let state = match State::load(&config.state_file) {
        Ok(s) => s,
        Err(e) => {
            crate::errln!(
                "error [state]: {e}: no status to show (a daemon started now would begin without it and rewrite it)"
            );
            return exit::USAGE;
        }
    };
    let mut rows = Vec::new();
    for r in &config.records {
        let mut name = r.name.to_ascii_lowercase();
        if !name.ends_with('.') {
            name.push('.');
        }
        for (sources, rtype) in [(&r.ipv4, "A"), (&r.ipv6, "AAAA")] {
            if sources.is_empty() {
                continue;
            }
            let key = format!("{name}/{rtype}");
            // Keys were written as the configuration spelled the name: find it either way.
            let stored = state
                .status
                .keys()
                .chain(state.records.keys())
                .find(|k| k.eq_ignore_ascii_case(&key))
                .cloned()
                .unwrap_or(key);
            rows.push((
                stored.clone(),
                r.provider.clone(),
                state.records.get(&stored).cloned(),
                state.status.get(&stored).cloned().unwrap_or_default(),
            ));
        }
    }
    if args.json {
        let records: Vec<serde_json::Value> = rows
            .iter()
            .map(|(key, provider, memory, status)| {
                serde_json::json!({
                    "record": key,
                    "provider": provider,
                    "published": memory.as_ref().map(|m| &m.published),
                    "ttl": memory.as_ref().map(|m| m.ttl),
                    "confirmed_at": memory.as_ref().map(|m| m.confirmed_at),
                    "healthy": status.healthy(),
                    "status": status,
                })
            })
            .collect();
        let out = serde_json::json!({
            "state_file": config.state_file.display().to_string(),
            "records": records,
        });
        crate::outln!("{out}");
        return status_code(&rows);
    }
    let ts = |t: Option<u64>| t.map_or_else(|| "-".to_string(), rfc3339);
    let mut table = vec![[
        "RECORD".to_string(),
        "STATE".into(),
        "PUBLISHED".into(),
        "LAST CHANGE".into(),
        "LAST SUCCESS".into(),
        "LAST ATTEMPT".into(),
        "FAILS".into(),
        "LAST ERROR".into(),
    ]];
    for (key, provider, memory, st) in &rows {
        let published = memory.as_ref().map_or_else(
            || "-".to_string(),
            |m| {
                let ips: Vec<String> = m.published.iter().map(ToString::to_string).collect();
                format!("{} (TTL {})", ips.join(","), m.ttl)
            },
        );
        let change = st.last_change.as_ref().map_or_else(
            || "-".to_string(),
            |c| {
                let show = |v: &[std::net::IpAddr]| {
                    if v.is_empty() {
                        "nothing".to_string()
                    } else {
                        v.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(",")
                    }
                };
                format!("{} {} -> {}", rfc3339(c.at), show(&c.from), show(&c.to))
            },
        );
        let error = st.last_error.as_ref().map_or_else(
            || "-".to_string(),
            |e| format!("{} since {}: {}", e.kind, rfc3339(e.since), e.message),
        );
        table.push([
            format!("{key} ({provider})"),
            st.condition.as_str().to_string(),
            published,
            change,
            ts(st.last_success),
            ts(st.last_attempt),
            st.consecutive_failures.to_string(),
            error,
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &table {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        crate::outln!("{}", line.trim_end());
    }
    status_code(&rows)
}

/// `status` exits 0 when every record is in sync (or not looked at yet), 7 when one is failing
/// or has no address: a monitoring check can use the code alone.
fn status_code<A, B, C>(rows: &[(A, B, C, crate::daemon::status::RecordStatus)]) -> u8 {
    if rows.iter().all(|r| r.3.healthy()) {
        exit::OK
    } else {
        exit::NOT_IN_SYNC
    }
}

/// `dnsup check-config`: every check that loading for `run` makes, without sending anything:
/// the file, names, durations, sources, and each provider's set-up (key files, secrets,
/// servers). Only zone discovery (an SOA query) is left to `run`.
pub fn check_config(args: DaemonArgs) -> u8 {
    let Some(rt) = runtime() else {
        return exit::NETWORK;
    };
    let path = args.config.display();
    // The file's syntax first: nothing else can be checked without it.
    let mut c = match Config::load_providers(&args.config) {
        Ok(c) => c,
        Err(e) => {
            crate::errln!("error [config]: {e}");
            return exit::USAGE;
        }
    };
    let mut problems = Vec::new();
    if let Err(e) = c.check_file_mode(&args.config) {
        problems.push(e.message);
    }
    for w in &c.warnings {
        crate::errln!("warning: {w}");
    }
    // Then every problem at once: the configuration's own checks, and each used provider's
    // set-up, as `run` would meet them.
    problems.extend(c.check());
    let mut setup = crate::provider::build::Setup {
        strict_permissions: c.strict_permissions,
        check_only: true,
        ..Default::default()
    };
    rt.block_on(async {
        for (name, conf) in &c.providers {
            if !c.records.iter().any(|r| &r.provider == name) {
                crate::errln!("warning: provider '{name}' is not used by any record");
                continue;
            }
            if let Err(e) = crate::provider::build(name, conf, &mut setup).await {
                let problem = format!("provider '{name}': {e}");
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
        }
        // Notifiers: their secrets load as `run` would load them.
        for (name, conf) in &c.notify {
            if conf.check(name).is_empty()
                && let Err(e) = crate::notify::deliver::Notifier::new(name, conf, &mut setup)
            {
                problems.push(format!("notify '{name}': {e}"));
            }
        }
    });
    for w in &setup.warnings {
        crate::errln!("warning: {w}");
    }
    for p in &problems {
        crate::errln!("error [config]: {path}: {p}");
    }
    if !problems.is_empty() {
        return exit::USAGE;
    }
    for u in &setup.unchecked {
        crate::outln!("not checked: {u}");
    }
    if !c.notify.is_empty() || c.listen.is_some() {
        crate::outln!(
            "notifiers: {}; HTTP endpoint: {}",
            if c.notify.is_empty() {
                "none".to_string()
            } else {
                c.notify.keys().cloned().collect::<Vec<_>>().join(", ")
            },
            c.listen.as_deref().unwrap_or("off")
        );
    }
    crate::outln!(
        "{path}: ok ({} records, {} providers, {} sources; poll every {:?}, state in {})",
        c.records.len(),
        c.providers.len(),
        c.sources.len(),
        args.interval.unwrap_or(c.interval),
        args.state_file.as_ref().unwrap_or(&c.state_file).display()
    );
    exit::OK
}
