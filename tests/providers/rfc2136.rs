//! The RFC 2136 provider on real named and knotd.

use std::str::FromStr;
use std::time::Duration;

use dnsup::provider::{DynProvider, ProviderError, Rfc2136};
use dnsup::{transport, tsig};
use hickory_proto::rr::{Name, RecordType};

use super::suite::*;
use crate::common::{self, Server, key_arg};

fn rfc2136(server: &dyn Server, key_name: &str) -> Rfc2136 {
    Rfc2136 {
        servers: vec![server.addr()],
        key: Some(tsig::parse_nsupdate_y(&key_arg(common::key(key_name))).unwrap()),
        config: transport::Config {
            udp_interval: Duration::from_secs(1),
            udp_retries: 2,
            timeout: Duration::from_secs(5),
            ..transport::Config::default()
        },
        gss: None,
    }
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn rfc2136_passes_the_suite(server: &dyn Server) {
    let p = rfc2136(server, "k-sha256");
    let read = |k: &dnsup::provider::RrsetKey| block(DynProvider::read(&p, &zone(), k)).unwrap();
    let subject = Subject {
        provider: &p,
        zone: zone(),
        truth: &read,
    };
    let bystanders = || {
        [
            key("www.example.test.", RecordType::A),
            key("example.test.", RecordType::NS),
            key("example.test.", RecordType::MX),
        ]
        .map(|k| read(&k))
    };
    behaviour_suite(&subject, &bystanders);
}

fn wrong_key_is_an_authentication_error(server: &dyn Server) {
    let mut p = rfc2136(server, "k-sha256");
    let secret = "d3Jvbmcgc2VjcmV0IHdyb25nIHNlY3JldCB3cm9uZyE=";
    p.key = Some(tsig::parse_nsupdate_y(&format!("hmac-sha256:k-sha256:{secret}")).unwrap());
    let k = key("auth.example.test.", RecordType::A);
    let err = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.1")],
        60,
    ))
    .unwrap_err();
    assert!(
        matches!(err, ProviderError::Auth(_)),
        "{}: {err}",
        server.kind()
    );
    assert!(!format!("{err:?}").contains(secret));
}

fn dead_server_is_a_network_error(server: &dyn Server) {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut p = rfc2136(server, "k-sha256");
    p.servers = vec![sock.local_addr().unwrap()];
    p.config.timeout = Duration::from_secs(2);
    p.config.udp_retries = 0;
    let err = block(DynProvider::read(
        &p,
        &zone(),
        &key("x.example.test.", RecordType::A),
    ))
    .unwrap_err();
    assert!(matches!(err, ProviderError::Network(_)), "{err}");
}

crate::server_tests!(
    rfc2136_passes_the_suite,
    wrong_key_is_an_authentication_error,
    dead_server_is_a_network_error
);
