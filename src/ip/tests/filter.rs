//! `classify` on both sides of every boundary of the special-purpose registries, and the
//! messages of `check_publishable`.

use std::net::IpAddr;
use std::str::FromStr;

use crate::ip::filter::{Scope, check_publishable, classify};

use Scope::*;

fn check(table: &[(&str, Scope)]) {
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|&(text, want)| {
            let ip: IpAddr = text.parse().expect(text);
            let got = classify(ip);
            (got != want).then(|| format!("{text}: got {got:?}, want {want:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
}

#[test]
fn ipv4_boundaries() {
    check(&[
        ("0.0.0.0", Unspecified),
        ("0.0.0.1", Reserved),
        ("0.255.255.255", Reserved),
        ("1.0.0.0", Public),
        ("9.255.255.255", Public),
        ("10.0.0.0", Private),
        ("10.255.255.255", Private),
        ("11.0.0.0", Public),
        ("100.63.255.255", Public),
        ("100.64.0.0", SharedCgnat),
        ("100.127.255.255", SharedCgnat),
        ("100.128.0.0", Public),
        ("126.255.255.255", Public),
        ("127.0.0.0", Loopback),
        ("127.0.0.1", Loopback),
        ("127.255.255.255", Loopback),
        ("128.0.0.0", Public),
        ("169.253.255.255", Public),
        ("169.254.0.0", LinkLocal),
        ("169.254.255.255", LinkLocal),
        ("169.255.0.0", Public),
        ("172.15.255.255", Public),
        ("172.16.0.0", Private),
        ("172.31.255.255", Private),
        ("172.32.0.0", Public),
        ("191.255.255.255", Public),
        ("192.0.0.0", ProtocolAssignments),
        ("192.0.0.8", ProtocolAssignments),
        ("192.0.0.9", Public),
        ("192.0.0.10", Public),
        ("192.0.0.11", ProtocolAssignments),
        ("192.0.0.170", ProtocolAssignments),
        ("192.0.0.255", ProtocolAssignments),
        ("192.0.1.0", Public),
        ("192.0.1.255", Public),
        ("192.0.2.0", Documentation),
        ("192.0.2.255", Documentation),
        ("192.0.3.0", Public),
        ("192.31.196.1", Public),
        ("192.52.193.1", Public),
        ("192.88.98.255", Public),
        ("192.88.99.0", Reserved),
        ("192.88.99.255", Reserved),
        ("192.88.100.0", Public),
        ("192.167.255.255", Public),
        ("192.168.0.0", Private),
        ("192.168.255.255", Private),
        ("192.169.0.0", Public),
        ("192.175.48.1", Public),
        ("198.17.255.255", Public),
        ("198.18.0.0", Benchmarking),
        ("198.19.255.255", Benchmarking),
        ("198.20.0.0", Public),
        ("198.51.99.255", Public),
        ("198.51.100.0", Documentation),
        ("198.51.100.255", Documentation),
        ("198.51.101.0", Public),
        ("203.0.112.255", Public),
        ("203.0.113.0", Documentation),
        ("203.0.113.255", Documentation),
        ("203.0.114.0", Public),
        ("223.255.255.255", Public),
        ("224.0.0.0", Multicast),
        ("239.255.255.255", Multicast),
        ("240.0.0.0", Reserved),
        ("255.255.255.254", Reserved),
        ("255.255.255.255", Broadcast),
        ("8.8.8.8", Public),
        ("1.1.1.1", Public),
    ]);
}

#[test]
fn ipv6_boundaries() {
    check(&[
        ("::", Unspecified),
        ("::1", Loopback),
        ("::2", Reserved),
        ("::192.0.2.1", Reserved), // IPv4-compatible, deprecated (RFC 4291 2.5.5.1)
        ("::fffe:ffff:ffff", Reserved),
        ("::ffff:0.0.0.0", Ipv4Mapped),
        ("::ffff:198.51.100.1", Ipv4Mapped),
        ("::ffff:255.255.255.255", Ipv4Mapped),
        ("::1:0:0:0", Reserved),
        ("64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", Reserved),
        ("64:ff9b::", Nat64),
        ("64:ff9b::192.0.2.33", Nat64),
        ("64:ff9b::ffff:ffff", Nat64),
        ("64:ff9b::1:0:0", Reserved),
        ("64:ff9b:1::", Nat64),
        ("64:ff9b:1:ffff:ffff:ffff:ffff:ffff", Nat64),
        ("64:ff9b:2::", Reserved),
        ("ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Reserved),
        ("100::", Discard),
        ("100::ffff:ffff:ffff:ffff", Discard),
        ("100:0:0:1::", Reserved),
        ("1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Reserved),
        ("2000::", Public),
        ("2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Public),
        ("2001::", Teredo),
        ("2001:0:ffff:ffff:ffff:ffff:ffff:ffff", Teredo),
        ("2001:1::", ProtocolAssignments),
        ("2001:1::1", Public),
        ("2001:1::2", Public),
        ("2001:1::3", Public),
        ("2001:1::4", ProtocolAssignments),
        ("2001:1:ffff:ffff:ffff:ffff:ffff:ffff", ProtocolAssignments),
        ("2001:2::", Benchmarking),
        ("2001:2:0:ffff:ffff:ffff:ffff:ffff", Benchmarking),
        ("2001:2:1::", ProtocolAssignments),
        ("2001:3::", Public),
        ("2001:3:ffff:ffff:ffff:ffff:ffff:ffff", Public),
        ("2001:4::", ProtocolAssignments),
        ("2001:4:111:ffff:ffff:ffff:ffff:ffff", ProtocolAssignments),
        ("2001:4:112::", Public),
        ("2001:4:112:ffff:ffff:ffff:ffff:ffff", Public),
        ("2001:4:113::", ProtocolAssignments),
        ("2001:10::", ProtocolAssignments),
        ("2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", ProtocolAssignments),
        ("2001:20::", Public),
        ("2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", Public),
        ("2001:30::", Public),
        ("2001:3f:ffff:ffff:ffff:ffff:ffff:ffff", Public),
        ("2001:40::", ProtocolAssignments),
        (
            "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
            ProtocolAssignments,
        ),
        ("2001:200::", Public),
        ("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", Public),
        ("2001:db8::", Documentation),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", Documentation),
        ("2001:db9::", Public),
        ("2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Public),
        ("2002::", SixToFour),
        ("2002:c000:204::1", SixToFour),
        ("2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", SixToFour),
        ("2003::", Public),
        ("2606:4700:4700::1111", Public),
        ("2a00:1450:4001:80b::200e", Public),
        ("3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Public),
        ("3fff::", Documentation),
        ("3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", Documentation),
        ("3fff:1000::", Public),
        ("3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Public),
        ("4000::", Reserved),
        ("5f00::1", Reserved),
        ("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Reserved),
        ("fc00::", UniqueLocal),
        ("fd12:3456:789a::1", UniqueLocal),
        ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UniqueLocal),
        ("fe00::", Reserved),
        ("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Reserved),
        ("fe80::", LinkLocal),
        ("fe80::1", LinkLocal),
        ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", LinkLocal),
        ("fec0::1", Reserved), // site-local, deprecated (RFC 3879)
        ("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Reserved),
        ("ff00::", Multicast),
        ("ff02::1", Multicast),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Multicast),
    ]);
}

fn refusal(ip: &str, allow: &[Scope]) -> Option<String> {
    check_publishable(ip.parse().unwrap(), allow)
        .err()
        .map(|r| r.to_string())
}

#[test]
fn refusals_name_the_registry_and_the_fix() {
    assert_eq!(
        refusal("192.168.1.5", &[]).as_deref(),
        Some(
            "192.168.1.5 is a private address (RFC 1918); \
             set allow = [\"private\"] on the record to publish it"
        )
    );
    assert_eq!(
        refusal("100.72.1.2", &[]).as_deref(),
        Some(
            "100.72.1.2 is a carrier-grade NAT shared address (RFC 6598); \
             set allow = [\"cgnat\"] on the record to publish it"
        )
    );
    assert_eq!(
        refusal("fd00::5", &[Private]).as_deref(),
        Some(
            "fd00::5 is a unique local address (RFC 4193); \
             set allow = [\"unique-local\"] on the record to publish it"
        )
    );
    assert_eq!(
        refusal("2001:db8::1", &[]).as_deref(),
        Some(
            "2001:db8::1 is a documentation address (RFC 5737, RFC 3849, RFC 9637); \
             set allow = [\"documentation\"] on the record to publish it"
        )
    );
    assert_eq!(
        refusal("fe80::1", &[LinkLocal]).as_deref(),
        Some("fe80::1 is a link-local address (RFC 3927, RFC 4291); it cannot be published")
    );
    assert_eq!(
        refusal("255.255.255.255", &Scope::ALL).as_deref(),
        Some("255.255.255.255 is the limited broadcast address (RFC 919); it cannot be published")
    );
}

#[test]
fn allow_lists_let_their_scopes_through_and_nothing_else() {
    assert_eq!(refusal("198.51.100.7", &[Documentation]), None);
    assert_eq!(refusal("192.168.1.5", &[Private]), None);
    assert_eq!(refusal("100.64.0.1", &[SharedCgnat]), None);
    assert_eq!(refusal("8.8.8.8", &[]), None);
    assert_eq!(refusal("2606:4700:4700::1111", &[]), None);
    assert!(refusal("10.0.0.1", &[SharedCgnat, UniqueLocal]).is_some());
    for never in [LinkLocal, Multicast, Broadcast, Unspecified] {
        assert!(!never.can_be_allowed());
    }
    assert!(refusal("::", &Scope::ALL).is_some());
    assert!(refusal("ff02::1", &Scope::ALL).is_some());
    assert!(refusal("169.254.1.1", &Scope::ALL).is_some());
}

#[test]
fn scope_names_are_the_serde_names() {
    for scope in Scope::ALL {
        let json = serde_json::to_string(&scope).unwrap();
        assert_eq!(json, format!("\"{}\"", scope.name()), "{scope:?}");
        assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), scope);
        assert_eq!(Scope::from_str(scope.name()), Ok(scope));
        assert_eq!(scope.to_string(), scope.name());
    }
    assert_eq!(
        serde_json::from_str::<Scope>("\"shared-cgnat\"").unwrap(),
        SharedCgnat
    );
    assert_eq!(Scope::from_str("shared-cgnat"), Ok(SharedCgnat));
    let err = Scope::from_str("lan").unwrap_err();
    assert!(err.contains("unknown address scope \"lan\""), "{err}");
    assert!(err.contains("private"), "{err}");
}
