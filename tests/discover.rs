//! Zone and primary discovery (nsupdate's SOA walk) against real servers.

mod common;

use std::str::FromStr;
use std::time::Duration;

use common::*;
use dnsup::discover::{self, DiscoverError};
use dnsup::transport;
use hickory_proto::rr::Name;

fn find(servers: &[std::net::SocketAddr], name: &str) -> Result<discover::ZoneInfo, DiscoverError> {
    let config = transport::Config {
        udp_interval: Duration::from_secs(1),
        udp_retries: 1,
        timeout: Duration::from_secs(5),
        ..transport::Config::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(discover::find_zone(
        &Name::from_str(name).unwrap(),
        servers,
        None,
        false,
        &config,
    ))
}

fn finds_the_enclosing_zone_and_primary(server: &dyn Server) {
    let info = find(&[server.addr()], "a.b.c.example.test.").unwrap();
    assert_eq!(info.zone.to_string(), "example.test.", "{}", server.kind());
    assert_eq!(
        info.primary.to_string(),
        "ns1.example.test.",
        "{}",
        server.kind()
    );
    let info = find(&[server.addr()], "example.test.").unwrap();
    assert_eq!(info.zone.to_string(), "example.test.");
    let info = find(&[server.addr()], "www.other.test.").unwrap();
    assert_eq!(info.zone.to_string(), "other.test.");
}

fn a_cname_owner_walks_up_to_its_zone(server: &dyn Server) {
    let info = find(&[server.addr()], "alias.example.test.").unwrap();
    assert_eq!(info.zone.to_string(), "example.test.", "{}", server.kind());
}

fn no_enclosing_zone_is_reported(server: &dyn Server) {
    let err = find(&[server.addr()], "host.nowhere.invalid.").unwrap_err();
    assert!(
        matches!(err, DiscoverError::NoZone(_)),
        "{}: {err}",
        server.kind()
    );
    assert_eq!(
        err.to_string(),
        "could not find enclosing zone of host.nowhere.invalid."
    );
}

server_tests!(
    finds_the_enclosing_zone_and_primary,
    a_cname_owner_walks_up_to_its_zone,
    no_enclosing_zone_is_reported,
);

#[test]
fn refused_moves_on_to_the_next_server() {
    let empty = Named::start_with(ServerOptions::empty());
    let real = Named::start();
    let info = find(&[empty.addr(), real.addr()], "www.example.test.").unwrap();
    assert_eq!(info.zone.to_string(), "example.test.");
}
