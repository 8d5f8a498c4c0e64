//! What address sources read from the outside:
//! - the body of an HTTPS echo service and the stdout of an address command (one address of
//!   the family asked for, nothing else), and the command's stderr shown in errors;
//! - an rtnetlink datagram (the kernel's address dump and events), its addresses, and the
//!   choice among them by flags (`ip::choose`);
//! - the agreement of sources (`ip::decide`) over the addresses found.
//!
//! Oracles: an accepted answer is of the family asked for and reads back from its own text;
//! an address taken from netlink has the family of its message; a chosen address is one of the
//! candidates, of the family asked for, and publishable under the allow list given; a decision
//! to publish is backed by at least the quorum.
#![no_main]

use std::net::IpAddr;

use dnsup::fuzz_api::{excerpt, first_line, netlink_addresses, parse_ip_answer, redact_url};
use dnsup::ip::{Decision, Family, Scope, Vote, check_publishable, choose, decide};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Echo service body / command stdout.
    for family in Family::ALL {
        if let Ok(ip) = parse_ip_answer(data, family) {
            assert_eq!(
                Family::of(ip),
                family,
                "an answer of the other family accepted"
            );
            assert_eq!(
                parse_ip_answer(ip.to_string().as_bytes(), family),
                Ok(ip),
                "an accepted address does not read back from its text"
            );
        }
    }
    let _ = excerpt(data);
    let _ = first_line(data);
    if let Ok(url) = std::str::from_utf8(data) {
        let shown = redact_url(url);
        // Redaction never shows a query string (it may hold a token).
        // (The check needs a query that is not also elsewhere in the URL, nor the "…" that
        // redaction itself appends.)
        if let Some(q) = url.find('?') {
            let query = &url[q + 1..];
            if !query.is_empty() && !query.contains('…') && !url[..q].contains(query) {
                assert!(!shown.contains(&url[q..]), "a URL's query shown: {shown}");
            }
        }
    }

    // rtnetlink datagram.
    let Ok(addrs) = netlink_addresses(data) else {
        return;
    };
    let mut votes = Vec::new();
    for a in &addrs {
        let _ = dnsup::ip::classify(a.addr);
    }
    for family in Family::ALL {
        for allow in [
            &[][..],
            &[Scope::Private, Scope::UniqueLocal, Scope::SharedCgnat][..],
        ] {
            let interface = addrs.first().map(|a| a.ifname.as_str());
            for name in [None, interface] {
                match choose(&addrs, family, name, allow) {
                    Ok(ip) => {
                        assert_eq!(
                            Family::of(ip),
                            family,
                            "chose an address of the other family"
                        );
                        assert!(
                            addrs.iter().any(|a| a.addr == ip),
                            "chose an address not offered"
                        );
                        assert!(
                            check_publishable(ip, allow).is_ok(),
                            "chose an address the allow list refuses: {ip}"
                        );
                        votes.push(Vote::new::<String>(format!("{name:?}"), Ok(Some(ip))));
                    }
                    Err(e) => {
                        let _ = e.to_string();
                        votes.push(Vote::new(format!("{name:?}"), Err::<Option<IpAddr>, _>(e)));
                    }
                }
            }
        }
    }
    for needed in 0..=votes.len() + 1 {
        if let Decision::Publish { ip, .. } = decide(&votes, needed) {
            let backers = votes.iter().filter(|v| v.result == Ok(Some(ip))).count();
            assert!(
                backers >= needed.max(1),
                "published {ip} with {backers} < {needed} votes"
            );
        }
    }
});
