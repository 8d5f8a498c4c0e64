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

fn a_server_that_is_not_authoritative_stops_the_walk(server: &dyn Server) {
    let err = find(&[server.addr()], "host.nowhere.invalid.").unwrap_err();
    assert!(
        matches!(err, DiscoverError::Unsuccessful { .. }),
        "{}: {err}",
        server.kind()
    );
    assert!(
        err.to_string().contains("REFUSED"),
        "{}: {err}",
        server.kind()
    );
}

#[test]
fn the_root_zone_is_never_the_answer() {
    // A server authoritative for the root (as a resolver's NXDOMAIN for a mistyped TLD would
    // point at): dnsup refuses to take "." as the zone to update.
    let root = "$TTL 300\n. IN SOA a.root.invalid. h.root.invalid. 1 3600 600 86400 300\n. IN NS a.root.invalid.\na.root.invalid. IN A 192.0.2.1\n";
    let named = Named::start_with(ServerOptions::empty().zone_text(".", root));
    let err = find(&[named.addr()], "host.nowhere.").unwrap_err();
    assert!(matches!(err, DiscoverError::NoZone(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "could not find enclosing zone of host.nowhere."
    );
}

server_tests!(
    finds_the_enclosing_zone_and_primary,
    a_cname_owner_walks_up_to_its_zone,
    a_server_that_is_not_authoritative_stops_the_walk,
);

#[test]
fn refused_moves_on_to_the_next_server() {
    let empty = Named::start_with(ServerOptions::empty());
    let real = Named::start();
    let info = find(&[empty.addr(), real.addr()], "www.example.test.").unwrap();
    assert_eq!(info.zone.to_string(), "example.test.");
}
