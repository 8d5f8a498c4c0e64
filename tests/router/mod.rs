//! A home network in three network namespaces, built by the test: `isp` (the upstream, on
//! 100.128.0.1/24 and 100.128.1.1/24), `router` (Debian's miniupnpd answering NAT-PMP, PCP and
//! UPnP IGD on its LAN `lan0` 192.168.77.1/24, WAN `wan0`), `host` (192.168.77.10/24, default
//! route via the router, where dnsup runs) and a named in the host namespace on its loopback.
//! Another LAN host (`evil`, 192.168.77.66) sends forged announcements. Needs root.
//!
//! The WAN addresses are 100.128.x.2, outside every range miniupnpd 2.3.1 refuses to report
//! (it treats 192.0.2/24, 100.64/10 and the private ranges as "no public address"); they exist
//! only inside these namespaces, and dnsup's records allow nothing special for them.

#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::named::named_conf;
use crate::common::{ServerOptions, describe, dnsup_bin, key, require, write_key_file};

/// The first WAN address.
pub const WAN1: &str = "100.128.0.2";
/// The address the router moves to.
pub const WAN2: &str = "100.128.1.2";
/// named's port inside the host namespace.
pub const DNS_PORT: u16 = 5300;

/// The namespaces, the router's processes and the temporary directory; everything is killed
/// and deleted on drop (panics included).
pub struct Lan {
    pub prefix: String,
    pub dir: tempfile::TempDir,
    miniupnpd: Option<Child>,
    children: Vec<Child>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

const NAMESPACES: [&str; 5] = ["isp", "router", "host", "evil", "switch"];

impl Lan {
    /// Build the network, start miniupnpd (and a named in the host namespace).
    pub fn new() -> Lan {
        require("ip", "iproute2");
        require("nft", "nftables");
        require("miniupnpd", "miniupnpd-nftables");
        let prefix = format!(
            "dnsup-rt{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut lan = Lan {
            prefix,
            dir: tempfile::tempdir().unwrap(),
            miniupnpd: None,
            children: Vec::new(),
        };
        for ns in NAMESPACES {
            let ok = Command::new("ip")
                .args(["netns", "add", &lan.ns(ns)])
                .status()
                .unwrap();
            assert!(ok.success(), "ip netns add failed: these tests need root");
            lan.ip(ns, "link set lo up");
        }
        let (r, i, h, e, sw) = (
            lan.ns("router"),
            lan.ns("isp"),
            lan.ns("host"),
            lan.ns("evil"),
            lan.ns("switch"),
        );
        run(
            "ip",
            &format!("link add wan0 netns {r} type veth peer name isp0 netns {i}"),
        );
        // The LAN is a bridge in a namespace of its own (in the router's, the router would
        // answer ARP for its LAN address on the bridge too, and miniupnpd's HTTP socket,
        // bound to lan0, would refuse what arrives there). No IGMP snooping: SSDP's group
        // must reach every port without a querier.
        lan.ip("switch", "link add br0 type bridge mcast_snooping 0");
        run(
            "ip",
            &format!("link add lan0 netns {r} type veth peer name lanp0 netns {sw}"),
        );
        run(
            "ip",
            &format!("link add eth0 netns {h} type veth peer name hostp netns {sw}"),
        );
        run(
            "ip",
            &format!("link add eth0 netns {e} type veth peer name evilp netns {sw}"),
        );
        for port in ["lanp0", "hostp", "evilp"] {
            lan.ip("switch", &format!("link set {port} master br0 up"));
        }
        lan.ip("switch", "link set br0 up");
        lan.ip("isp", "addr add 100.128.0.1/24 dev isp0");
        lan.ip("isp", "addr add 100.128.1.1/24 dev isp0");
        lan.ip("isp", "link set isp0 up");
        lan.ip("router", &format!("addr add {WAN1}/24 dev wan0"));
        lan.ip("router", "link set wan0 up");
        lan.ip("router", "addr add 192.168.77.1/24 dev lan0");
        lan.ip("router", "link set lan0 up");
        lan.ip("router", "route add default via 100.128.0.1");
        lan.ip("host", "addr add 192.168.77.10/24 dev eth0");
        lan.ip("host", "link set eth0 up");
        lan.ip("host", "route add default via 192.168.77.1");
        lan.ip("evil", "addr add 192.168.77.66/24 dev eth0");
        lan.ip("evil", "link set eth0 up");
        // The chains miniupnpd's nftables backend adds its rules to (Debian's nft_init.sh
        // sources an iptables-flavoured helper, so the test makes them itself).
        let nft = lan.dir.path().join("nft.conf");
        std::fs::write(
            &nft,
            "table inet filter {\n chain miniupnpd {\n }\n chain prerouting_miniupnpd {\n }\n \
             chain postrouting_miniupnpd {\n }\n}\n",
        )
        .unwrap();
        lan.exec("router", "nft")
            .arg("-f")
            .arg(&nft)
            .status()
            .unwrap();
        std::fs::write(
            lan.dir.path().join("miniupnpd.conf"),
            "ext_ifname=wan0\nlistening_ip=lan0\nport=0\nenable_natpmp=yes\nenable_upnp=yes\n\
             secure_mode=yes\nsystem_uptime=yes\nipv6_disable=yes\nnotify_interval=60\n\
             uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b\n\
             allow 1024-65535 192.168.77.0/24 1024-65535\ndeny 0-65535 0.0.0.0/0 0-65535\n",
        )
        .unwrap();
        lan.start_router();
        lan
    }

    /// The full name of namespace `short`.
    pub fn ns(&self, short: &str) -> String {
        format!("{}-{short}", self.prefix)
    }

    /// `ip -n NS ARGS`, which must succeed.
    pub fn ip(&self, ns: &str, args: &str) {
        let mut all = vec!["-n".to_string(), self.ns(ns)];
        all.extend(args.split_whitespace().map(String::from));
        let out = Command::new("ip").args(&all).output().unwrap();
        assert!(out.status.success(), "ip {all:?}: {}", describe(&out));
    }

    /// A command run in namespace `ns`.
    pub fn exec(&self, ns: &str, program: impl AsRef<Path>) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns(ns)])
            .arg(program.as_ref());
        c
    }

    /// Start miniupnpd in the router namespace and wait until it answers NAT-PMP.
    pub fn start_router(&mut self) {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.dir.path().join("miniupnpd.log"))
            .unwrap();
        let child = self
            .exec("router", require("miniupnpd", "miniupnpd-nftables"))
            // Its own pid file: several routers run at once (one per test).
            .arg("-P")
            .arg(self.dir.path().join("miniupnpd.pid"))
            .args(["-d", "-f"])
            .arg(self.dir.path().join("miniupnpd.conf"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.miniupnpd = Some(child);
        wait_for("miniupnpd", Duration::from_secs(15), || {
            self.router_log().contains("Listening for NAT-PMP/PCP")
        });
    }

    /// Kill miniupnpd (as a router reboot would).
    pub fn stop_router(&mut self) {
        if let Some(mut c) = self.miniupnpd.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Everything miniupnpd logged.
    pub fn router_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("miniupnpd.log")).unwrap_or_default()
    }

    /// Move the router's WAN address to `to` (flush, then add, as a DHCP renewal would).
    pub fn set_wan(&self, to: &str) {
        self.ip("router", "addr flush dev wan0");
        self.ip("router", &format!("addr add {to}/24 dev wan0"));
    }

    /// Kill `child` (started by the test in one of the namespaces) with the rest.
    pub fn adopt(&mut self, child: Child) {
        self.children.insert(0, child);
    }

    /// Start named in the host namespace (zone example.test, k-sha256 may update it).
    pub fn start_named(&mut self) {
        let options = ServerOptions::default();
        let dir = self.dir.path().join("named");
        std::fs::create_dir_all(&dir).unwrap();
        options.write_zone_files(&dir);
        std::fs::write(dir.join("named.conf"), named_conf(&options, &dir, DNS_PORT)).unwrap();
        let named = self
            .exec("host", require("named", "bind9"))
            .args(["-g", "-n", "1", "-c"])
            .arg(dir.join("named.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.children.push(named);
        wait_for(
            "named in the host namespace",
            Duration::from_secs(20),
            || !self.dig("example.test", "SOA").is_empty(),
        );
    }

    /// `dig +short` against named in the host namespace.
    pub fn dig(&self, name: &str, rtype: &str) -> String {
        let out = self
            .exec("host", require("dig", "bind9-dnsutils"))
            .args([
                "@127.0.0.1",
                "-p",
                &DNS_PORT.to_string(),
                "+time=1",
                "+tries=1",
                "+short",
            ])
            .args([name, rtype])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A dnsup configuration for `home.example.test` A from the named sources (TOML text of
    /// `[sources.*]` tables in `sources`), `interval` between polls; returns its path.
    pub fn config(&self, sources: &str, names: &[&str], interval: &str) -> PathBuf {
        let key_file = write_key_file(self.dir.path(), key("k-sha256"));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        let path = self.dir.path().join("dnsup.toml");
        std::fs::write(
            &path,
            format!(
                r#"interval = "{interval}"
state_file = "{dir}/state.json"
source_timeout = "5s"

[providers.lab]
type = "rfc2136"
servers = ["127.0.0.1:{DNS_PORT}"]
key_file = "{key}"

{sources}

[[records]]
name = "home.example.test"
zone = "example.test"
provider = "lab"
ipv4 = [{list}]
ttl = 60
"#,
                dir = self.dir.path().display(),
                key = key_file.display(),
                list = list.join(", "),
            ),
        )
        .unwrap();
        path
    }

    /// Start `dnsup -v run` in the host namespace; its log is [`Lan::daemon_log`].
    pub fn start_daemon(&mut self, config: &Path) {
        let log = File::create(self.dir.path().join("daemon.log")).unwrap();
        let child = self
            .exec("host", dnsup_bin())
            .args(["-v", "run", "--config"])
            .arg(config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.children.push(child);
        wait_for("the daemon's first pass", Duration::from_secs(30), || {
            self.daemon_log().contains("dnsup running")
        });
    }

    /// Stop the daemons started here with SIGTERM and wait for them.
    pub fn stop_daemon(&mut self) -> String {
        // The last child started is the daemon.
        if let Some(mut c) = self.children.pop() {
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            let start = Instant::now();
            while c.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(20) {
                thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        self.daemon_log()
    }

    /// What the daemon logged so far.
    pub fn daemon_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
    }

    /// `dnsup detect` in the host namespace.
    pub fn detect(&self, config: &Path) -> Output {
        self.exec("host", dnsup_bin())
            .args(["detect", "--config"])
            .arg(config)
            .output()
            .unwrap()
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        self.stop_router();
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in NAMESPACES {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.ns(ns)])
                .status();
        }
        if std::thread::panicking() {
            eprintln!("--- miniupnpd log ---\n{}", self.router_log());
            eprintln!("--- daemon log ---\n{}", self.daemon_log());
        }
    }
}

fn run(program: &str, args: &str) {
    let out = Command::new(program)
        .args(args.split_whitespace())
        .output()
        .unwrap();
    assert!(out.status.success(), "{program} {args}: {}", describe(&out));
}

/// Poll `f` every 10 ms until it holds; panics after `limit`. Returns how long it took.
pub fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(10));
    }
    start.elapsed()
}
