//! dnsup: RFC 2136 DNS UPDATE with TSIG (RFC 8945), a drop-in `nsupdate`, and a DDNS daemon.
//!
//! The protocol core ([`update`], [`tsig`], [`script`]) does no I/O: time and input are arguments.
//! [`transport`] and [`discover`] move bytes with tokio; [`cli`] is the command-line front end.

pub mod bounded;
pub mod bulk;
pub mod cli;
pub mod client;
pub mod daemon;
pub mod discover;
pub mod environment;
#[doc(hidden)]
pub mod fuzz_api;
pub mod gss;
pub mod ip;
pub mod notify;
pub mod output;
pub mod provider;
pub mod script;
pub mod sigpipe;
pub mod transport;
pub mod tsig;
pub mod update;
