//! The router sources against a real router: Debian's miniupnpd in a network namespace made by
//! the test (see tests/router/mod.rs), asked by `dnsup detect` in the host namespace behind it.
//! Needs root, miniupnpd-nftables, nftables, iproute2.

mod common;
mod router;

use router::{Lan, WAN1, WAN2};

const ALL_SOURCES: &str = r#"
[sources.natpmp]
type = "natpmp"

[sources.pcp]
type = "pcp"

[sources.upnp]
type = "upnp"
"#;

fn stdout(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn line<'a>(text: &'a str, source: &str) -> &'a str {
    text.lines()
        .find(|l| l.trim_start().starts_with(&format!("{source} (")))
        .unwrap_or_else(|| panic!("no line for {source} in:\n{text}"))
}

#[test]
fn each_router_source_reads_the_wan_address() {
    let lan = Lan::new();
    let config = lan.config(ALL_SOURCES, &["natpmp", "pcp", "upnp"], "1h");
    let out = lan.detect(&config);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for (source, label) in [
        ("natpmp", "natpmp (default gateway)"),
        ("pcp", "pcp (default gateway)"),
        ("upnp", "upnp (default gateway)"),
    ] {
        assert_eq!(
            line(&text, source).trim(),
            format!("{source} ({label}) ipv4: {WAN1}"),
            "{text}"
        );
    }
    assert!(text.contains(&format!("would publish {WAN1}")), "{text}");
    // PCP's mapping was deleted again.
    let log = lan.router_log();
    assert!(log.contains("PCP MAP: added mapping"), "{log}");

    // The router's new address is what each source says next (nothing is cached but the
    // UPnP service's URLs).
    lan.set_wan(WAN2);
    let text = stdout(&lan.detect(&config));
    for source in ["natpmp", "pcp", "upnp"] {
        assert!(line(&text, source).ends_with(WAN2), "{source}: {text}");
    }
}

#[test]
fn a_configured_gateway_is_used_and_a_wrong_one_fails_clearly() {
    let lan = Lan::new();
    let sources = r#"
[sources.natpmp]
type = "natpmp"
gateway = "192.168.77.1"

[sources.wrong]
type = "natpmp"
gateway = "192.168.77.99"
"#;
    let config = lan.config(sources, &["natpmp", "wrong"], "1h");
    let text = stdout(&lan.detect(&config));
    assert!(line(&text, "natpmp").ends_with(WAN1), "{text}");
    let wrong = line(&text, "wrong");
    assert!(wrong.contains("error: natpmp @192.168.77.99: "), "{text}");
}

#[test]
fn a_router_without_a_public_address_is_refused_with_a_hint() {
    let lan = Lan::new();
    // A double NAT: the router's WAN address is private (the ISP's own NAT in front of it).
    lan.ip("isp", "addr add 10.77.0.1/24 dev isp0");
    lan.set_wan("10.77.0.2");
    let config = lan.config(ALL_SOURCES, &["natpmp", "pcp", "upnp"], "1h");
    let out = lan.detect(&config);
    let text = stdout(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    for source in ["natpmp", "pcp", "upnp"] {
        let l = line(&text, source);
        assert!(l.contains("error: "), "{source}: {text}");
        assert!(
            l.contains("use an echo source"),
            "{source} gives no hint: {text}"
        );
    }
    assert!(
        text.contains("home.example.test./A: nothing to publish"),
        "{text}"
    );
}
