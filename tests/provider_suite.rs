//! One behaviour suite for every provider: read an RRset, replace it only if it still holds
//! what was read, and report a conflict (changing nothing) when it does not. Run here against
//! the RFC 2136 provider on real named and knotd; hosted-API adapters join the same suite.

mod common;

use std::str::FromStr;
use std::time::Duration;

use common::*;
use dnsup::daemon::reconcile::rdata;
use dnsup::provider::{Applied, Provider, ProviderError, Rfc2136, RrsetKey};
use dnsup::{transport, tsig};
use hickory_proto::rr::{Name, RData, RecordType};

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn v(s: &str) -> RData {
    rdata(s.parse().unwrap())
}

fn key(name: &str, rtype: RecordType) -> RrsetKey {
    RrsetKey {
        name: Name::from_str(name).unwrap(),
        rtype,
    }
}

/// The suite: every provider must pass it unchanged.
fn behaviour_suite<P: Provider>(p: &P) {
    let k = key("suite.example.test.", RecordType::A);
    // Absent: empty read; a guarded create works once and then conflicts.
    assert!(
        block(p.read(&k)).unwrap().values.is_empty(),
        "{}",
        p.label()
    );
    assert_eq!(
        block(p.replace(&k, &[], &[v("192.0.2.1")], 120)).unwrap(),
        Applied::Done
    );
    let set = block(p.read(&k)).unwrap();
    assert_eq!(set.values, vec![v("192.0.2.1")]);
    assert_eq!(set.ttl, Some(120));
    assert!(matches!(
        block(p.replace(&k, &[], &[v("192.0.2.9")], 120)).unwrap(),
        Applied::Conflict(_)
    ));
    // A stale guard conflicts and changes nothing.
    assert!(matches!(
        block(p.replace(&k, &[v("192.0.2.7")], &[v("192.0.2.9")], 120)).unwrap(),
        Applied::Conflict(_)
    ));
    assert_eq!(block(p.read(&k)).unwrap().values, vec![v("192.0.2.1")]);
    // The right guard replaces, several values in one RRset, new TTL.
    let two = [v("192.0.2.2"), v("192.0.2.3")];
    assert_eq!(
        block(p.replace(&k, &[v("192.0.2.1")], &two, 60)).unwrap(),
        Applied::Done
    );
    let mut got = block(p.read(&k)).unwrap();
    got.values.sort_by_key(|r| r.to_string());
    assert_eq!(got.values, two);
    assert_eq!(got.ttl, Some(60));
    // A guard over a whole RRset must list all of it.
    assert!(matches!(
        block(p.replace(&k, &[v("192.0.2.2")], &[v("192.0.2.4")], 60)).unwrap(),
        Applied::Conflict(_)
    ));
    // AAAA is a separate RRset; replacing with nothing deletes.
    let k6 = key("suite.example.test.", RecordType::AAAA);
    assert_eq!(
        block(p.replace(&k6, &[], &[v("2001:db8::1")], 60)).unwrap(),
        Applied::Done
    );
    assert_eq!(block(p.replace(&k, &two, &[], 60)).unwrap(), Applied::Done);
    assert!(block(p.read(&k)).unwrap().values.is_empty());
    assert_eq!(block(p.read(&k6)).unwrap().values, vec![v("2001:db8::1")]);
}

fn rfc2136(server: &dyn Server, key_name: &str) -> Rfc2136 {
    Rfc2136 {
        servers: vec![server.addr()],
        zone: Name::from_str("example.test.").unwrap(),
        key: Some(tsig::parse_nsupdate_y(&key_arg(common::key(key_name))).unwrap()),
        config: transport::Config {
            udp_interval: Duration::from_secs(1),
            udp_retries: 2,
            timeout: Duration::from_secs(5),
            ..transport::Config::default()
        },
    }
}

fn rfc2136_passes_the_suite(server: &dyn Server) {
    behaviour_suite(&rfc2136(server, "k-sha256"));
}

fn wrong_key_is_an_authentication_error(server: &dyn Server) {
    let mut p = rfc2136(server, "k-sha256");
    p.key = Some(
        tsig::parse_nsupdate_y("hmac-sha256:k-sha256:d3Jvbmcgc2VjcmV0IHdyb25nIHNlY3JldCB3cm9uZyE=")
            .unwrap(),
    );
    let k = key("auth.example.test.", RecordType::A);
    let err = block(p.replace(&k, &[], &[v("192.0.2.1")], 60)).unwrap_err();
    assert!(
        matches!(err, ProviderError::Auth(_)),
        "{}: {err}",
        server.kind()
    );
}

fn dead_server_is_a_network_error(_server: &dyn Server) {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut p = rfc2136(_server, "k-sha256");
    p.servers = vec![sock.local_addr().unwrap()];
    p.config.timeout = Duration::from_secs(2);
    p.config.udp_retries = 0;
    let err = block(p.read(&key("x.example.test.", RecordType::A))).unwrap_err();
    assert!(matches!(err, ProviderError::Network(_)), "{err}");
}

server_tests!(
    rfc2136_passes_the_suite,
    wrong_key_is_an_authentication_error,
    dead_server_is_a_network_error
);
