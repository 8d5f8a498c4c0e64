//! BIND 9 `named` as a test server: its own temp dir, an ephemeral port on 127.0.0.1.

use std::fmt::Write as _;
use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use super::Server;
use super::keys::{TestKey, keys};
use super::options::ServerOptions;
use super::process::{ServerProcess, require, start_server};

/// A running `named -g`. Dropping it kills the server and removes its directory.
#[derive(Debug)]
pub struct Named {
    process: ServerProcess,
    options: ServerOptions,
}

impl Named {
    /// `example.test` and `other.test` from `zones/`, updatable with every test key.
    pub fn start() -> Named {
        Named::start_with(ServerOptions::default())
    }

    pub fn start_with(options: ServerOptions) -> Named {
        let named = require("named", "bind9 bind9-dnsutils");
        require("dig", "bind9-dnsutils");
        let dir = tempfile::Builder::new()
            .prefix("dnsup-named-")
            .tempdir()
            .expect("creating temp dir");
        options.write_zone_files(dir.path());
        let process = start_server(
            "named",
            dir,
            &options.zone_names(),
            // The last line named -g logs once every zone is loaded and every socket is open.
            |line| line.ends_with(" running"),
            |dir, port| {
                let conf = dir.join("named.conf");
                fs::write(&conf, named_conf(&options, dir, port))
                    .unwrap_or_else(|e| panic!("writing {}: {e}", conf.display()));
                let mut cmd = Command::new(&named);
                // -g: foreground, log to stderr. -n 1: one worker thread (many servers run at
                // once on a small machine). No -u: named keeps the uid it was started with,
                // root included, and everything it writes is in the temp dir.
                cmd.arg("-g").args(["-n", "1"]).arg("-c").arg(&conf);
                cmd
            },
        );
        Named { process, options }
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

impl Server for Named {
    fn kind(&self) -> &'static str {
        "named"
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
        keys().iter().collect()
    }
}

/// named.conf for a server in `dir` on 127.0.0.1:`port`.
pub fn named_conf(options: &ServerOptions, dir: &Path, port: u16) -> String {
    let d = dir.display();
    let extra_options = &options.named_options;
    let mut conf = format!(
        r#"options {{
    directory "{d}";
    pid-file "{d}/named.pid";
    session-keyfile "{d}/session.key";
    managed-keys-directory "{d}";
    dump-file "{d}/named_dump.db";
    statistics-file "{d}/named.stats";
    memstatistics-file "{d}/named.memstats";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    // One TCP listener without SO_REUSEPORT: a second server on this port fails to bind
    // ("address in use") instead of sharing the port.
    reuseport no;
    recursion no;
    dnssec-validation no;
    notify no;
    allow-query {{ any; }};
    allow-transfer {{ any; }};
{extra_options}}};

// No rndc channel: it would listen on 127.0.0.1#953 in every instance.
controls {{ }};

"#
    );
    for key in keys() {
        conf.push_str(&key.named_conf());
    }
    for zone in &options.zones {
        let allowed = options.keys_for(zone);
        let allow_update = if allowed.is_empty() {
            "none;".to_string()
        } else {
            allowed.iter().fold(String::new(), |mut acc, k| {
                let _ = write!(acc, " key \"{k}\";");
                acc
            })
        };
        let _ = write!(
            conf,
            "\nzone \"{name}\" {{\n    type primary;\n    file \"{d}/{file}\";\n    \
             allow-update {{ {allow_update} }};\n}};\n",
            name = zone.name,
            file = zone.file_name(),
        );
    }
    conf.push_str(&options.named_extra);
    conf
}
