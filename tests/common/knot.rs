//! Knot DNS `knotd` as a test server: its own temp dir, an ephemeral port on 127.0.0.1.

use std::fmt::Write as _;
use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use super::Server;
use super::keys::{TestKey, keys};
use super::options::ServerOptions;
use super::process::{ServerProcess, require, start_server};

/// A running `knotd` in the foreground. Dropping it kills the server and removes its directory.
#[derive(Debug)]
pub struct Knot {
    process: ServerProcess,
    options: ServerOptions,
}

impl Knot {
    /// `example.test` and `other.test` from `zones/`, updatable with every key Knot supports.
    pub fn start() -> Knot {
        Knot::start_with(ServerOptions::default())
    }

    pub fn start_with(options: ServerOptions) -> Knot {
        let knotd = require("knotd", "knot knot-dnsutils");
        require("dig", "bind9-dnsutils");
        let dir = tempfile::Builder::new()
            .prefix("dnsup-knot-")
            .tempdir()
            .expect("creating temp dir");
        options.write_zone_files(dir.path());
        let process = start_server(
            "knotd",
            dir,
            &options.zone_names(),
            // Logged once the sockets are bound; zones load after it, hence the SOA checks.
            |line| line.contains("server started in the foreground"),
            |dir, port| {
                let conf = dir.join("knot.conf");
                fs::write(&conf, knot_conf(&options, dir, port))
                    .unwrap_or_else(|e| panic!("writing {}: {e}", conf.display()));
                let mut cmd = Command::new(&knotd);
                cmd.arg("-c").arg(&conf);
                cmd.envs(options.env.iter().map(|(k, v)| (k, v)));
                cmd
            },
        );
        Knot { process, options }
    }

    pub fn port(&self) -> u16 {
        self.process.port()
    }

    pub fn addr(&self) -> SocketAddr {
        self.process.addr()
    }

    pub fn dir(&self) -> &Path {
        self.process.dir()
    }

    pub fn log(&self) -> String {
        self.process.log()
    }

    pub fn options(&self) -> &ServerOptions {
        &self.options
    }
}

impl Server for Knot {
    fn kind(&self) -> &'static str {
        "knot"
    }

    fn addr(&self) -> SocketAddr {
        self.process.addr()
    }

    fn dir(&self) -> &Path {
        self.process.dir()
    }

    fn log(&self) -> String {
        self.process.log()
    }

    fn keys(&self) -> Vec<&'static TestKey> {
        knot_keys().collect()
    }
}

/// The test keys Knot can use: all but the truncated one.
fn knot_keys() -> impl Iterator<Item = &'static TestKey> {
    keys().iter().filter(|k| k.knot_supports())
}

/// knot.conf (Knot DNS 3.2 YAML) for a server in `dir` on 127.0.0.1:`port`.
pub fn knot_conf(options: &ServerOptions, dir: &Path, port: u16) -> String {
    let d = dir.display();
    // One worker of each kind: many servers run at once on a small machine. TCP listens without
    // SO_REUSEPORT (tcp-reuseport is off by default), so a second server on the port fails.
    let mut conf = format!(
        r#"server:
    rundir: "{d}"
    pidfile: "{d}/knot.pid"
    listen: 127.0.0.1@{port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1

log:
  - target: stderr
    any: info

database:
    storage: "{d}"

key:
"#
    );
    for key in knot_keys() {
        let _ = write!(
            conf,
            "  - id: {}\n    algorithm: {}\n    secret: {}\n",
            key.name, key.algorithm, key.secret
        );
    }
    conf.push_str("\nacl:\n  - id: transfer\n    action: transfer\n");
    let mut zone_acls = Vec::new();
    for (i, zone) in options.zones.iter().enumerate() {
        let allowed: Vec<String> = options
            .keys_for(zone)
            .into_iter()
            .filter(|name| knot_keys().any(|k| k.name == name))
            .collect();
        if allowed.is_empty() {
            zone_acls.push("[transfer]".to_string());
        } else {
            let _ = write!(
                conf,
                "  - id: update-{i}\n    key: [{}]\n    action: update\n",
                allowed.join(", ")
            );
            zone_acls.push(format!("[transfer, update-{i}]"));
        }
    }
    // The journal keeps the changes; the zone file is never rewritten (tests read zones by AXFR).
    let _ = write!(
        conf,
        r#"
template:
  - id: default
    storage: "{d}"
    zonefile-sync: -1
    journal-content: changes
"#
    );
    if !options.zones.is_empty() {
        conf.push_str("\nzone:\n");
    }
    for (zone, acl) in options.zones.iter().zip(&zone_acls) {
        let _ = write!(
            conf,
            "  - domain: {name}\n    file: \"{d}/{file}\"\n    acl: {acl}\n",
            name = if zone.name == "." {
                ".".to_string()
            } else {
                format!("{}.", zone.name)
            },
            file = zone.file_name()
        );
    }
    conf
}
