//! The daemon's commands: `run`, `detect`, `plan`, `check-config`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::exit;
use crate::daemon::config::{Config, parse_duration};
use crate::daemon::runtime::{Daemon, Overrides};
use crate::daemon::service;
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
pub struct RunArgs {
    #[command(flatten)]
    pub daemon: DaemonArgs,
    /// One pass, then exit: 0 if every record is in sync, 7 if not.
    #[arg(long)]
    pub once: bool,
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("error [runtime]: {e}");
            None
        }
    }
}

async fn setup(args: &DaemonArgs) -> Result<Daemon, u8> {
    service::setup(&args.config, &args.overrides())
        .await
        .map_err(|e| {
            eprintln!("error [config]: {e}");
            exit::USAGE
        })
}

/// `dnsup run`.
pub fn run(args: RunArgs) -> u8 {
    let Some(rt) = runtime() else {
        return exit::NETWORK;
    };
    rt.block_on(async {
        if args.once {
            let mut daemon = match setup(&args.daemon).await {
                Ok(d) => d,
                Err(code) => return code,
            };
            let report = daemon.pass(false).await;
            for (key, outcome) in &report {
                println!("{key}: {outcome}");
            }
            return if report.iter().all(|(_, o)| o.in_sync()) {
                exit::OK
            } else {
                exit::NOT_IN_SYNC
            };
        }
        match service::serve(
            &args.daemon.config,
            &args.daemon.overrides(),
            std::future::pending(),
        )
        .await
        {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("error [config]: {e}");
                exit::USAGE
            }
        }
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
        println!("sources:");
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
            println!("  {} ({}) {fam}: {said}", src.name, src.label);
        }
        println!("records:");
        let mut all = true;
        for (key, r) in &d.records {
            match r {
                Ok(ip) => println!("  {key}: would publish {ip}"),
                Err(why) => {
                    all = false;
                    println!("  {key}: nothing to publish: {why}");
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
        for (key, outcome) in daemon.pass(true).await {
            println!("{key}: {outcome}");
        }
        exit::OK
    })
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
            eprintln!("error [config]: {e}");
            return exit::USAGE;
        }
    };
    let mut problems = Vec::new();
    if let Err(e) = c.check_file_mode(&args.config) {
        problems.push(e.message);
    }
    for w in &c.warnings {
        eprintln!("warning: {w}");
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
                eprintln!("warning: provider '{name}' is not used by any record");
                continue;
            }
            if let Err(e) = crate::provider::build(name, conf, &mut setup).await {
                let problem = format!("provider '{name}': {e}");
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
        }
    });
    for w in &setup.warnings {
        eprintln!("warning: {w}");
    }
    for p in &problems {
        eprintln!("error [config]: {path}: {p}");
    }
    if !problems.is_empty() {
        return exit::USAGE;
    }
    for u in &setup.unchecked {
        println!("not checked: {u}");
    }
    println!(
        "{path}: ok ({} records, {} providers, {} sources; poll every {:?}, state in {})",
        c.records.len(),
        c.providers.len(),
        c.sources.len(),
        args.interval.unwrap_or(c.interval),
        args.state_file.as_ref().unwrap_or(&c.state_file).display()
    );
    exit::OK
}
