//! Every provider through one behaviour suite (`suite.rs`): RFC 2136 against real named and
//! knotd, PowerDNS against a real pdns_server, and each hosted API against a local fake that
//! checks every request against the provider's documentation (`fake.rs`).

#[path = "../common/mod.rs"]
mod common;

mod fake;
mod store;
mod suite;

mod cloudflare;
mod digitalocean;
mod gandi;
mod hetzner;
mod rfc2136;

mod duckdns;
mod dyndns2;
mod godaddy;
mod namecheap;
mod porkbun;
