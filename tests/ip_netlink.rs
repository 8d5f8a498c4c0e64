//! rtnetlink against the real kernel: the address dump on this host, and address events in a
//! private network namespace made by the test (needs root and `ip` from iproute2).

use std::fs::File;
use std::net::IpAddr;
use std::process::Command;
use std::time::Duration;

use dnsup::ip::{
    AddressWatch, Family, IfAddr, Scope, SourceErrorKind, SourceSpec, Suffix, choose, compose,
    dump_addresses, source::detect_allowing,
};
use nix::sched::{CloneFlags, setns};

/// How long the kernel may take to report an event before the test fails.
const EVENT_WAIT: Duration = Duration::from_secs(5);

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn dump_sees_loopback_on_this_host() {
    let addrs = runtime().block_on(dump_addresses()).unwrap();
    let on_lo = |addr: &str| {
        addrs
            .iter()
            .any(|a| a.ifname == "lo" && a.addr == ip(addr) && a.flags.permanent)
    };
    assert!(on_lo("127.0.0.1"), "{addrs:#?}");
    assert!(on_lo("::1"), "{addrs:#?}");
    let lo4 = addrs.iter().find(|a| a.addr == ip("127.0.0.1")).unwrap();
    assert_eq!((lo4.prefix_len, lo4.index, lo4.valid_lft), (8, 1, None));
}

/// A network namespace for this test: created with `ip netns add`, entered by the current
/// thread only, left and deleted on drop (panics included).
struct Netns {
    name: String,
    home: File,
}

impl Netns {
    fn enter() -> Netns {
        let name = format!(
            "dnsup-test-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let home = File::open("/proc/thread-self/ns/net").expect("opening our netns");
        run(&["netns", "add", &name]);
        let ns = Netns { name, home };
        let file = File::open(format!("/run/netns/{}", ns.name)).expect("opening the new netns");
        setns(&file, CloneFlags::CLONE_NEWNET).expect("setns into the test netns");
        ns
    }

    /// `ip -n NS ARGS...`, which must succeed.
    fn ip(&self, args: &[&str]) -> String {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        run(&all)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = setns(&self.home, CloneFlags::CLONE_NEWNET);
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

fn run(args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("running ip (package iproute2)");
    assert!(
        out.status.success(),
        "ip {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Wait for events until `done` holds for the dump; fails after [`EVENT_WAIT`] without one.
async fn until(watch: &mut AddressWatch, what: &str, done: impl Fn(&[IfAddr]) -> bool) {
    loop {
        if done(&dump_addresses().await.unwrap()) {
            return;
        }
        tokio::time::timeout(EVENT_WAIT, watch.changed())
            .await
            .unwrap_or_else(|_| panic!("no address event while waiting for {what}"))
            .unwrap();
    }
}

fn mac_of(ns: &Netns, ifname: &str) -> [u8; 6] {
    let text = ns.ip(&["link", "show", ifname]);
    let mac = text
        .split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)
        .expect("a link/ether line");
    match mac.parse::<Suffix>().unwrap() {
        Suffix::Eui64(bytes) => bytes,
        Suffix::Fixed(_) => panic!("{mac} is not a MAC"),
    }
}

#[test]
fn events_and_dump_in_a_private_netns() {
    let ns = Netns::enter();
    ns.ip(&["link", "set", "lo", "up"]);
    ns.ip(&["link", "add", "d0", "type", "veth", "peer", "name", "d1"]);
    runtime().block_on(async {
        // The watch exists before anything changes: every change below must wake it.
        let mut watch = AddressWatch::new().unwrap();
        ns.ip(&["addr", "add", "203.0.113.7/24", "dev", "d0"]);
        tokio::time::timeout(EVENT_WAIT, watch.changed())
            .await
            .expect("no event for a new IPv4 address")
            .unwrap();
        let addrs = dump_addresses().await.unwrap();
        let d0 = addrs
            .iter()
            .find(|a| a.addr == ip("203.0.113.7"))
            .expect("203.0.113.7 dumped");
        assert_eq!((d0.ifname.as_str(), d0.prefix_len), ("d0", 24));
        assert!(d0.flags.permanent, "{d0:?}");
        assert!(
            addrs
                .iter()
                .any(|a| a.ifname == "lo" && a.addr == ip("127.0.0.1"))
        );

        // IPv6 on a live link: the kernel runs DAD (tentative), then reports the address again.
        ns.ip(&["link", "set", "d1", "up"]);
        ns.ip(&["link", "set", "d0", "up"]);
        ns.ip(&[
            "addr",
            "add",
            "2a01:4f8:1:2::7/64",
            "dev",
            "d0",
            "mngtmpaddr",
            "valid_lft",
            "7200",
            "preferred_lft",
            "3600",
        ]);
        until(&mut watch, "DAD to finish", |addrs| {
            addrs
                .iter()
                .any(|a| a.addr == ip("2a01:4f8:1:2::7") && !a.flags.tentative)
        })
        .await;
        let addrs = dump_addresses().await.unwrap();
        let v6 = addrs
            .iter()
            .find(|a| a.addr == ip("2a01:4f8:1:2::7"))
            .unwrap();
        assert!(v6.flags.mngtmpaddr && !v6.flags.permanent, "{v6:?}");
        let (valid, preferred) = (v6.valid_lft.unwrap(), v6.preferred_lft.unwrap());
        assert!(
            (7000..=7200).contains(&valid) && (3400..=3600).contains(&preferred),
            "{v6:?}"
        );
        assert_eq!(
            choose(&addrs, Family::V6, Some("d0"), &[]),
            Ok(ip("2a01:4f8:1:2::7"))
        );

        // The kernel's own EUI-64 link-local address agrees with `compose`.
        until(&mut watch, "a link-local address on d0", |addrs| {
            addrs
                .iter()
                .any(|a| a.ifname == "d0" && a.addr.to_string().starts_with("fe80:"))
        })
        .await;
        let kernel_ll = dump_addresses()
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.ifname == "d0" && a.addr.to_string().starts_with("fe80:"))
            .unwrap();
        let ours = compose(
            "fe80::".parse().unwrap(),
            64,
            &Suffix::Eui64(mac_of(&ns, "d0")),
        );
        assert_eq!(kernel_ll.addr, IpAddr::V6(ours));

        // Sources over the same dump.
        let timeout = Duration::from_secs(5);
        let iface = SourceSpec::Interface {
            name: Some("d0".into()),
        };
        let refused = detect_allowing(&iface, Family::V4, timeout, &[])
            .await
            .unwrap_err();
        assert_eq!(refused.kind(), SourceErrorKind::Refused);
        assert_eq!(
            refused.to_string(),
            "interface d0: 203.0.113.7 is a documentation address (RFC 5737, RFC 3849, \
             RFC 9637); set allow = [\"documentation\"] on the record to publish it"
        );
        let allowed = detect_allowing(&iface, Family::V4, timeout, &[Scope::Documentation]).await;
        assert_eq!(allowed, Ok(Some(ip("203.0.113.7"))));
        let prefix = SourceSpec::Prefix {
            interface: Some("d0".into()),
            prefix_len: 64,
            suffix: "::1234".parse().unwrap(),
        };
        assert_eq!(
            detect_allowing(&prefix, Family::V6, timeout, &[]).await,
            Ok(Some(ip("2a01:4f8:1:2::1234")))
        );
        assert_eq!(
            detect_allowing(&prefix, Family::V4, timeout, &[]).await,
            Ok(None)
        );
        let missing = SourceSpec::Interface {
            name: Some("eth7".into()),
        };
        let err = detect_allowing(&missing, Family::V6, timeout, &[])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no interface \"eth7\""), "{err}");

        // Removing an address and changing the default route are events too.
        ns.ip(&["addr", "del", "203.0.113.7/24", "dev", "d0"]);
        tokio::time::timeout(EVENT_WAIT, watch.changed())
            .await
            .expect("no event for a removed address")
            .unwrap();
        ns.ip(&["addr", "add", "198.51.100.2/24", "dev", "d0"]);
        let mut route_watch = AddressWatch::new().unwrap();
        ns.ip(&[
            "route",
            "add",
            "default",
            "via",
            "198.51.100.1",
            "dev",
            "d0",
        ]);
        tokio::time::timeout(EVENT_WAIT, route_watch.changed())
            .await
            .expect("no event for a new default route")
            .unwrap();
    });
    drop(ns);
}
