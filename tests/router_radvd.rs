//! IPv6 behind a router needs no NAT traversal: radvd (in the router namespace of
//! tests/router/mod.rs) announces a prefix, the host builds its address from it (SLAAC), and
//! when the router announces another prefix (the ISP delegated a new one) and deprecates the
//! old, the AAAA record follows through netlink events, with a one-hour poll interval.
//! Needs root, radvd, iproute2, bind9, bind9-dnsutils (and what tests/router needs).

mod common;
mod router;

use std::time::Duration;

use common::{key, require, write_key_file};
use router::{Lan, wait_for};

const LIMIT: Duration = Duration::from_secs(40);

/// radvd's configuration: `new` announced, `old` (if any) deprecated (preferred lifetime 0).
fn radvd_conf(new: &str, old: Option<&str>) -> String {
    let prefix = |p: &str, preferred: u32| {
        format!(
            "  prefix {p} {{\n    AdvOnLink on;\n    AdvAutonomous on;\n    \
             AdvValidLifetime 600;\n    AdvPreferredLifetime {preferred};\n  }};\n"
        )
    };
    let mut text = String::from(
        "interface lan0 {\n  AdvSendAdvert on;\n  MinRtrAdvInterval 3;\n  MaxRtrAdvInterval 4;\n",
    );
    text.push_str(&prefix(new, 300));
    if let Some(old) = old {
        text.push_str(&prefix(old, 0));
    }
    text.push_str("};\n");
    text
}

/// The host's global IPv6 address on eth0 that starts with `prefix`, if any, and not
/// deprecated.
fn host_address(lan: &Lan, prefix: &str) -> Option<String> {
    let out = lan
        .exec("host", "ip")
        .args(["-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.contains("deprecated") && !l.contains("tentative"))
        .filter_map(|l| l.split_whitespace().nth(3))
        .map(|a| a.split('/').next().unwrap_or_default().to_string())
        .find(|a| a.starts_with(prefix))
}

#[test]
fn a_new_delegated_prefix_moves_the_aaaa_record() {
    let mut lan = Lan::new();
    lan.start_named();
    let conf = lan.dir.path().join("radvd.conf");
    std::fs::write(&conf, radvd_conf("2001:db8:1::/64", None)).unwrap();
    let exec = |lan: &Lan, ns: &str, args: &[&str]| {
        let out = lan.exec(ns, args[0]).args(&args[1..]).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", common::describe(&out));
    };
    exec(
        &lan,
        "router",
        &["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"],
    );
    let pid = lan.dir.path().join("radvd.pid");
    let log = std::fs::File::create(lan.dir.path().join("radvd.log")).unwrap();
    let radvd = lan
        .exec("router", require("radvd", "radvd"))
        .args(["-n", "-m", "stderr", "-C"])
        .arg(&conf)
        .arg("-p")
        .arg(&pid)
        .stderr(log)
        .spawn()
        .unwrap();
    lan.adopt(radvd);
    let first = {
        let mut found = None;
        wait_for("the host's SLAAC address", LIMIT, || {
            found = host_address(&lan, "2001:db8:1:");
            found.is_some()
        });
        found.unwrap()
    };

    let key_file = write_key_file(lan.dir.path(), key("k-sha256"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = lan.dir.path().join("dnsup6.toml");
    std::fs::write(
        &config,
        format!(
            r#"interval = "1h"
state_file = "{dir}/state6.json"

[providers.lab]
type = "rfc2136"
servers = ["127.0.0.1:{port}"]
key_file = "{key}"

[sources.lan]
type = "interface"
name = "eth0"

[[records]]
name = "home.example.test"
zone = "example.test"
provider = "lab"
ipv6 = ["lan"]
ttl = 60
allow = ["documentation"]
"#,
            dir = lan.dir.path().display(),
            port = router::DNS_PORT,
            key = key_file.display(),
        ),
    )
    .unwrap();
    lan.start_daemon(&config);
    wait_for("the first prefix in DNS", LIMIT, || {
        lan.dig("home.example.test", "AAAA") == first
    });

    // The ISP delegates another prefix: radvd announces it and deprecates the old one.
    std::fs::write(
        &conf,
        radvd_conf("2001:db8:2::/64", Some("2001:db8:1::/64")),
    )
    .unwrap();
    let pid = std::fs::read_to_string(&pid).unwrap();
    exec(&lan, "router", &["kill", "-HUP", pid.trim()]);
    let mut second = None;
    wait_for("the host's new SLAAC address", LIMIT, || {
        second = host_address(&lan, "2001:db8:2:");
        second.is_some()
    });
    let second = second.unwrap();
    let took = wait_for("the new prefix in DNS", LIMIT, || {
        lan.dig("home.example.test", "AAAA") == second
    });
    eprintln!("radvd prefix change -> AAAA served by named {took:?} after the address appeared");
    assert!(
        lan.daemon_log().contains("address event"),
        "{}",
        lan.daemon_log()
    );
}
