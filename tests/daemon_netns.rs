//! Event-driven detection: in a network namespace made by the test (its own loopback, a dummy
//! veth interface, a named inside it), adding an address to the interface makes the daemon update
//! the record at once, although its poll interval is an hour. Needs root (ip netns).

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::named::named_conf;
use common::*;

/// A network namespace, deleted (with everything running in it killed) on drop.
struct Netns {
    name: String,
    children: Vec<Child>,
}

impl Netns {
    fn new() -> Netns {
        require("ip", "iproute2");
        let name = format!("dnsup-t{}-{}", std::process::id(), rand_suffix());
        let ok = Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .unwrap();
        assert!(
            ok.success(),
            "ip netns add failed: this test needs root (CAP_SYS_ADMIN)"
        );
        let ns = Netns {
            name,
            children: Vec::new(),
        };
        ns.ip(&["link", "set", "lo", "up"]);
        // A veth pair inside the namespace (dummy interfaces need a kernel module that
        // containers may not load).
        ns.ip(&["link", "add", "d0", "type", "veth", "peer", "name", "d1"]);
        ns.ip(&["link", "set", "d0", "up"]);
        ns.ip(&["link", "set", "d1", "up"]);
        ns
    }

    fn ip(&self, args: &[&str]) {
        let out = Command::new("ip")
            .arg("-n")
            .arg(&self.name)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "ip {args:?}: {}", describe(&out));
    }

    fn exec(&self, program: &Path) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name]).arg(program);
        c
    }

    fn dig(&self, port: u16, args: &[&str]) -> Output {
        self.exec(&require("dig", "bind9-dnsutils"))
            .args([
                "@127.0.0.1",
                "-p",
                &port.to_string(),
                "+time=1",
                "+tries=1",
                "+short",
            ])
            .args(args)
            .output()
            .unwrap()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

#[test]
fn a_new_interface_address_is_published_without_waiting_for_the_poll() {
    let mut ns = Netns::new();
    let dir = tempfile::tempdir().unwrap();
    let port = 5300;
    let options = ServerOptions::default();
    options.write_zone_files(dir.path());
    std::fs::write(
        dir.path().join("named.conf"),
        named_conf(&options, dir.path(), port),
    )
    .unwrap();
    let named = ns
        .exec(&require("named", "bind9"))
        .args(["-g", "-n", "1", "-c"])
        .arg(dir.path().join("named.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    ns.children.push(named);
    wait_for("named in the namespace", Duration::from_secs(15), || {
        !ns.dig(port, &["example.test", "SOA"]).stdout.is_empty()
    });

    let key_file = write_key_file(dir.path(), key("k-sha256"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = dir.path().join("dnsup.toml");
    std::fs::write(
        &config,
        format!(
            r#"interval = "1h"
# default debounce (20 ms)
state_file = "{}/state.json"

[providers.lab]
type = "rfc2136"
servers = ["127.0.0.1:{port}"]
key_file = "{}"

[sources.d0]
type = "interface"
name = "d0"

[[records]]
name = "home.example.test"
zone = "example.test"
provider = "lab"
ipv4 = ["d0"]
ttl = 60
allow = ["documentation"]
"#,
            dir.path().display(),
            key_file.display()
        ),
    )
    .unwrap();
    let log = dir.path().join("daemon.log");
    let daemon = ns
        .exec(&dnsup_bin())
        .args(["-v", "run", "--config"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    ns.children.push(daemon);
    // The first pass finds no IPv4 address on d0 and leaves the record alone.
    wait_for("the first pass", Duration::from_secs(15), || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("dnsup running")
    });
    assert!(ns.dig(port, &["home.example.test", "A"]).stdout.is_empty());

    ns.ip(&["addr", "add", "203.0.113.7/24", "dev", "d0"]);
    let took = wait_for("the new address in DNS", Duration::from_secs(20), || {
        String::from_utf8_lossy(&ns.dig(port, &["home.example.test", "A"]).stdout).trim()
            == "203.0.113.7"
    });
    eprintln!("interface change -> served by named in {took:?} (poll interval 1 h)");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("address event"), "{text}");

    // A second address change is followed too.
    ns.ip(&["addr", "del", "203.0.113.7/24", "dev", "d0"]);
    ns.ip(&["addr", "add", "203.0.113.8/24", "dev", "d0"]);
    wait_for(
        "the changed address in DNS",
        Duration::from_secs(20),
        || {
            String::from_utf8_lossy(&ns.dig(port, &["home.example.test", "A"]).stdout).trim()
                == "203.0.113.8"
        },
    );
}
