//! PowerDNS Authoritative (`pdns_server`) as a test server: its own temp dir, a SQLite database
//! made from the packaged schema, `example.test` loaded from `zones/` with `pdnsutil`, DNS on an
//! ephemeral port on 127.0.0.1 and the HTTP API (with a random key) on another.

use std::cell::Cell;
use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::Server;
use super::keys::TestKey;
use super::options::zone_file;
use super::process::{
    PortLease, ServerProcess, free_port, require, run_with_timeout, start_server,
};

/// The schema the Debian package `pdns-backend-sqlite3` ships.
const SCHEMA: &str = "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql";
const PACKAGES: &str = "pdns-server pdns-backend-sqlite3 sqlite3";

/// A running `pdns_server` in the foreground. Dropping it kills the server and removes its
/// directory.
#[derive(Debug)]
pub struct Pdns {
    process: ServerProcess,
    api: PortLease,
    api_key: String,
    zones: Vec<String>,
}

impl Pdns {
    /// `example.test` from `zones/` (and nothing else: `other.test` is a zone it does not have).
    pub fn start() -> Pdns {
        Pdns::start_with(&["example.test"])
    }

    /// The given zones, each from `zones/NAME.zone`.
    pub fn start_with(zones: &[&str]) -> Pdns {
        let pdns_server = require("pdns_server", PACKAGES);
        let pdnsutil = require("pdnsutil", PACKAGES);
        let sqlite3 = require("sqlite3", PACKAGES);
        require("dig", "bind9-dnsutils");
        assert!(
            Path::new(SCHEMA).is_file(),
            "{SCHEMA} not found: apt-get install {PACKAGES} (or run scripts/test, which installs it)"
        );
        let dir = tempfile::Builder::new()
            .prefix("dnsup-pdns-")
            .tempdir()
            .expect("creating temp dir");
        let db = dir.path().join("pdns.sqlite3");
        let schema = fs::read(SCHEMA).unwrap_or_else(|e| panic!("reading {SCHEMA}: {e}"));
        let out = run_with_timeout(
            Command::new(&sqlite3).arg(&db),
            &schema,
            Duration::from_secs(30),
        );
        assert!(out.status.success(), "sqlite3: {}", super::describe(&out));

        // pdnsutil reads the same configuration: the backend lines are enough for it.
        let conf = dir.path().join("pdns.conf");
        fs::write(&conf, backend_conf(&db)).expect("writing pdns.conf");
        for zone in zones {
            let file = zone_file(zone);
            let out = run_with_timeout(
                Command::new(&pdnsutil)
                    .arg(format!("--config-dir={}", dir.path().display()))
                    .args(["load-zone", zone])
                    .arg(&file),
                b"",
                Duration::from_secs(30),
            );
            assert!(
                out.status.success(),
                "pdnsutil load-zone {zone} {}: {}",
                file.display(),
                super::describe(&out)
            );
        }

        let api_key = random_key();
        let api_port: Cell<Option<PortLease>> = Cell::new(None);
        let names: Vec<String> = zones.iter().map(|z| z.to_string()).collect();
        let process = start_server(
            "pdns",
            dir,
            &names,
            |line| line.contains("Done launching threads, ready to distribute questions"),
            |dir, port| {
                let api = free_port();
                let text = pdns_conf(&db, dir, port, api.port(), &api_key);
                api_port.set(Some(api));
                fs::write(dir.join("pdns.conf"), text).expect("writing pdns.conf");
                let mut cmd = Command::new(&pdns_server);
                cmd.arg(format!("--config-dir={}", dir.display()));
                cmd
            },
        );
        let api = api_port.take().expect("a port for the API");
        let pdns = Pdns {
            process,
            api,
            api_key,
            zones: names,
        };
        pdns.wait_for_api();
        pdns
    }

    fn wait_for_api(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok((200, _)) = self.try_api("GET", "/api/v1/servers/localhost", None) {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "the PowerDNS API on {} did not answer\n--- log:\n{}",
                    self.api_addr(),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// DNS: 127.0.0.1 and its port.
    pub fn addr(&self) -> SocketAddr {
        self.process.addr()
    }

    /// The API's address.
    pub fn api_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.api.port()))
    }

    /// `http://127.0.0.1:PORT`, the `url` of a `powerdns` provider.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.api_addr())
    }

    /// The API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The server's temp dir.
    pub fn dir(&self) -> &Path {
        self.process.dir()
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// One API request with the right key: status and body. Panics when there is no answer.
    pub fn api(&self, method: &str, path: &str, json: Option<&str>) -> (u16, String) {
        self.try_api(method, path, json)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n--- log:\n{}", self.log()))
    }

    /// One plain HTTP/1.1 request to the API (no client library needed for this much).
    pub fn try_api(
        &self,
        method: &str,
        path: &str,
        json: Option<&str>,
    ) -> Result<(u16, String), String> {
        let mut s = TcpStream::connect_timeout(&self.api_addr(), Duration::from_secs(2))
            .map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let body = json.unwrap_or("");
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nX-API-Key: {}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.api_addr(),
            self.api_key,
            body.len()
        );
        s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("not an HTTP answer: {text:?}"))?;
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Ok((status, body))
    }
}

impl Server for Pdns {
    fn kind(&self) -> &'static str {
        "pdns"
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

    /// No TSIG keys: PowerDNS is driven through its API here.
    fn keys(&self) -> Vec<&'static TestKey> {
        Vec::new()
    }
}

fn backend_conf(db: &Path) -> String {
    format!("launch=gsqlite3\ngsqlite3-database={}\n", db.display())
}

/// pdns.conf: SQLite backend, DNS on 127.0.0.1:`port`, the API on 127.0.0.1:`api_port`.
/// Caches are off, so a query right after an API change sees it; no security poll (no network).
pub fn pdns_conf(db: &Path, dir: &Path, port: u16, api_port: u16, key: &str) -> String {
    format!(
        "{backend}local-address=127.0.0.1\n\
         local-port={port}\n\
         api=yes\n\
         api-key={key}\n\
         webserver=yes\n\
         webserver-address=127.0.0.1\n\
         webserver-port={api_port}\n\
         webserver-allow-from=127.0.0.1\n\
         socket-dir={dir}\n\
         guardian=no\n\
         daemon=no\n\
         disable-syslog=yes\n\
         loglevel=4\n\
         security-poll-suffix=\n\
         cache-ttl=0\n\
         query-cache-ttl=0\n\
         negquery-cache-ttl=0\n\
         receiver-threads=1\n",
        backend = backend_conf(db),
        dir = dir.display(),
    )
}

/// 32 hex digits from the system's random source.
fn random_key() -> String {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("reading /dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
