//! Router events drive the daemon: with the poll interval at one hour, a WAN address change on
//! the router (miniupnpd in a namespace, see tests/router/mod.rs) reaches named through the
//! NAT-PMP / PCP announcement or the UPnP GENA event. Forged announcements from another LAN
//! host change nothing; a router reboot is followed; a non-public WAN address is not published.
//! Needs root, miniupnpd-nftables, nftables, iproute2, bind9, bind9-dnsutils, python3.

mod common;
mod router;

use std::time::Duration;

use router::{Lan, WAN1, WAN2, wait_for};

const LIMIT: Duration = Duration::from_secs(30);

fn source(kind: &str) -> String {
    format!("[sources.{kind}]\ntype = \"{kind}\"\n")
}

/// A LAN with named, and the daemon running on `kind` alone with a one-hour poll; the record
/// already holds the first WAN address.
fn running(kind: &str) -> Lan {
    let mut lan = Lan::new();
    lan.start_named();
    let config = lan.config(&source(kind), &[kind], "1h");
    lan.start_daemon(&config);
    wait_for("the first WAN address in DNS", LIMIT, || {
        lan.dig("home.example.test", "A") == WAN1
    });
    if kind == "upnp" {
        // The subscription is made after the first pass; the router sends every variable
        // at once to a new subscriber (the initial event).
        wait_for("the initial UPnP event", LIMIT, || {
            lan.daemon_log().contains("router event: UPnP event (")
        });
        // And its pass is done: a change in the same instant would be found by that pass.
        wait_for("the pass after it", LIMIT, || {
            let log = lan.daemon_log();
            let event = log.find("router event: UPnP event (").unwrap_or(log.len());
            log[event..].contains("home.example.test./A: ")
        });
        std::thread::sleep(Duration::from_millis(300));
    }
    lan
}

/// The WAN address moves; the record follows without a poll; the log says which event did it.
fn follows_a_wan_change(kind: &str, event: &[&str]) {
    let mut lan = running(kind);
    let before = lan.daemon_log().len();
    lan.set_wan(WAN2);
    let took = wait_for("the new WAN address in DNS", LIMIT, || {
        lan.dig("home.example.test", "A") == WAN2
    });
    eprintln!("{kind}: router WAN change -> served by named in {took:?} (poll interval 1 h)");
    let log = lan.daemon_log();
    assert!(
        event.iter().any(|e| log[before..].contains(e)),
        "none of {event:?} after the change in:\n{log}"
    );
    // And back again.
    lan.set_wan(WAN1);
    wait_for("the first address again", LIMIT, || {
        lan.dig("home.example.test", "A") == WAN1
    });
    let log = lan.stop_daemon();
    if kind == "upnp" {
        assert!(log.contains("UPnP: unsubscribed"), "{log}");
    }
}

/// miniupnpd sends a PCP ANNOUNCE when the old address goes and a NAT-PMP announcement and
/// another PCP ANNOUNCE when the new one comes: the NAT-PMP and PCP sources listen to both
/// (one socket on port 5350), and the first one triggers the re-check.
const ANNOUNCEMENTS: &[&str] = &[
    "router event: NAT-PMP announcement from 192.168.77.1:5351",
    "router event: PCP ANNOUNCE from 192.168.77.1:5351",
];

#[test]
fn natpmp_announcement_moves_the_record() {
    follows_a_wan_change("natpmp", ANNOUNCEMENTS);
}

#[test]
fn pcp_announcement_moves_the_record() {
    follows_a_wan_change("pcp", ANNOUNCEMENTS);
}

#[test]
fn upnp_event_moves_the_record() {
    follows_a_wan_change("upnp", &["router event: UPnP event ("]);
}

#[test]
fn a_non_public_wan_address_is_not_published_and_the_reason_is_logged() {
    let lan = running("natpmp");
    lan.ip("isp", "addr add 10.77.0.1/24 dev isp0");
    lan.set_wan("10.77.0.2");
    wait_for("the reason in the log", LIMIT, || {
        lan.daemon_log().contains("use an echo source")
    });
    let log = lan.daemon_log();
    // miniupnpd sends only PCP ANNOUNCEs for an address it will not report.
    assert!(log.contains("router event: PCP ANNOUNCE"), "{log}");
    assert!(log.contains("left alone"), "{log}");
    assert_eq!(lan.dig("home.example.test", "A"), WAN1);
}

/// A NAT-PMP announcement saying 6.6.6.6, sent from `evil` to 224.0.0.1:5350 from port 5351,
/// with `source` as the IP source address (a raw socket may claim any).
fn forge(lan: &Lan, source: &str) {
    let script = format!(
        r#"
import socket, struct
payload = bytes([0, 128, 0, 0, 0, 0, 0, 9, 6, 6, 6, 6])  # NAT-PMP: op 128, result 0, epoch 9, 6.6.6.6
udp = struct.pack("!HHHH", 5351, 5350, 8 + len(payload), 0) + payload
src, dst = socket.inet_aton("{source}"), socket.inet_aton("224.0.0.1")
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 1, 17, 0, src, dst)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.sendto(ip + udp, ("224.0.0.1", 0))
"#
    );
    let out = lan
        .exec("evil", common::require("python3", "python3"))
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::describe(&out));
}

#[test]
fn forged_announcements_from_another_lan_host_change_nothing() {
    let lan = running("natpmp");
    // From evil's own address: not the gateway, ignored.
    forge(&lan, "192.168.77.66");
    wait_for("the forged announcement to be seen", LIMIT, || {
        lan.daemon_log()
            .contains("ignored a datagram on port 5350: not from the gateway")
    });
    assert!(!lan.daemon_log().contains("router event:"));
    // Claiming to be the gateway: a trigger at most, and the re-check asks the real router.
    forge(&lan, "192.168.77.1");
    wait_for("the re-check", LIMIT, || {
        lan.daemon_log()
            .contains("router event: NAT-PMP announcement")
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(lan.dig("home.example.test", "A"), WAN1);
    let log = lan.daemon_log();
    assert!(!log.contains("6.6.6.6"), "{log}");
}

#[test]
fn after_a_router_reboot_upnp_events_still_arrive() {
    let mut lan = running("upnp");
    wait_for("the subscription", LIMIT, || {
        lan.daemon_log().contains("UPnP: subscribed to")
    });
    // Advertisements are followed at most once per 10 s (a LAN host posing as the router
    // cannot cause a SUBSCRIBE storm); one that comes sooner is deferred, not dropped, so the
    // reboot may come at once (the first subscription may itself have followed one).
    lan.stop_router();
    // A reboot takes longer than a second (the boot ID is the start time in seconds).
    std::thread::sleep(Duration::from_millis(1100));
    lan.start_router();
    wait_for("a new subscription", LIMIT, || {
        lan.daemon_log().contains("subscribing again")
            && lan.daemon_log().matches("UPnP: subscribed to").count() >= 2
    });
    // The new subscription's initial event, and its pass (a change in the same instant would
    // be found by that pass, not by an event).
    wait_for("the initial event of the new subscription", LIMIT, || {
        let log = lan.daemon_log();
        let again = log.find("the router rebooted").unwrap_or(log.len());
        log[again..].contains("router event: UPnP event (")
    });
    std::thread::sleep(Duration::from_millis(300));
    lan.set_wan(WAN2);
    wait_for("the new WAN address in DNS", LIMIT, || {
        lan.dig("home.example.test", "A") == WAN2
    });
    let log = lan.daemon_log();
    let after = &log[log.find("the router rebooted").unwrap_or(0)..];
    assert!(after.contains("router event: UPnP event ("), "{log}");
}

#[test]
fn a_second_reboot_within_the_advertisement_gap_is_deferred_not_lost() {
    let mut lan = running("upnp");
    wait_for("the subscription", LIMIT, || {
        lan.daemon_log().contains("UPnP: subscribed to")
    });
    let reboot = |lan: &mut Lan| {
        lan.stop_router();
        // The boot ID is the start time in seconds.
        std::thread::sleep(Duration::from_millis(1100));
        lan.start_router();
    };
    reboot(&mut lan);
    wait_for("the first new subscription", LIMIT, || {
        lan.daemon_log().matches("UPnP: subscribed to").count() >= 2
    });
    // At once again: within 10 s of the advertisement just followed.
    let before = lan.daemon_log().len();
    reboot(&mut lan);
    wait_for("the deferral to be announced", LIMIT, || {
        lan.daemon_log()[before..]
            .contains("UPnP: the router rebooted; subscribing again within 10 s")
    });
    wait_for("the deferred subscription", LIMIT, || {
        lan.daemon_log().matches("UPnP: subscribed to").count() >= 3
    });
    std::thread::sleep(Duration::from_millis(300));
    lan.set_wan(WAN2);
    wait_for("the new WAN address in DNS", LIMIT, || {
        lan.dig("home.example.test", "A") == WAN2
    });
    let log = lan.daemon_log();
    let last = log.rfind("UPnP: subscribed to").unwrap_or(0);
    assert!(log[last..].contains("router event: UPnP event ("), "{log}");
}
