//! Thin wrappers that let the fuzz targets (`fuzz/`, cargo-fuzz) reach the parsers of outside
//! input that are not public API. Not a stable interface: hidden from the documentation, and it
//! changes with the code it wraps. Each function only forwards (and turns a crate-private
//! result type into a public one); the checks live where they always do.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;

use hickory_proto::op::{OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RecordType};
use netlink_packet_core::NetlinkPayload;
use netlink_packet_route::RouteNetlinkMessage;

use crate::client::{self, Outcome};
use crate::ip::{Family, IfAddr, netlink, text};
use crate::transport::Verdict;
use crate::tsig::{Key, RequestMac};

/// [`client`]'s acceptance check of one answer (ID, QR, opcode, TSIG, question): `Ok` with the
/// outcome and the TC bit when it is the answer, `Err` with the reason it is ignored.
pub fn check_answer(
    bytes: &[u8],
    id: u16,
    op_code: OpCode,
    question: &(Name, RecordType, DNSClass),
    key: Option<&Key>,
    mac: Option<&RequestMac>,
    signed_at: Option<u64>,
) -> Result<(Outcome, bool), String> {
    match client::check_answer(bytes, id, op_code, question, key, mac, signed_at) {
        Verdict::Accept(accepted) => Ok(accepted),
        Verdict::Ignore(why) => Err(why),
    }
}

/// The rcode of an unsigned error answer to a signed request (how a failure is explained).
pub fn unsigned_rcode(bytes: &[u8], id: u16, key: Option<&Key>) -> Option<ResponseCode> {
    client::unsigned_rcode(bytes, id, key)
}

/// What an HTTPS echo service or an address command printed, read as one address of `family`.
pub fn parse_ip_answer(body: &[u8], family: Family) -> Result<IpAddr, String> {
    text::parse_answer(body, family).map_err(|e| e.to_string())
}

/// The quoted start of an answer, as error messages show it.
pub fn excerpt(bytes: &[u8]) -> String {
    text::excerpt(bytes)
}

/// The first line of a command's stderr, as error messages show it.
pub fn first_line(bytes: &[u8]) -> Option<String> {
    text::first_line(bytes)
}

/// A URL without its secrets, as messages show it.
pub fn redact_url(url: &str) -> String {
    text::redact_url(url)
}

/// One rtnetlink datagram read as the address dump reads it: the messages it holds, then each
/// `RTM_NEWADDR` as an [`IfAddr`], named from the `RTM_NEWLINK` messages of the same datagram.
/// `Err` when the datagram does not parse (the watch counts that as a change).
pub fn netlink_addresses(datagram: &[u8]) -> io::Result<Vec<IfAddr>> {
    let messages = netlink::messages(datagram)?;
    let inner = || {
        messages.iter().filter_map(|m| match &m.payload {
            NetlinkPayload::InnerMessage(inner) => Some(inner),
            _ => None,
        })
    };
    let names: HashMap<u32, String> = inner()
        .filter_map(|m| match m {
            RouteNetlinkMessage::NewLink(link) => Some((
                link.header.index,
                link.attributes.iter().find_map(|a| match a {
                    netlink_packet_route::link::LinkAttribute::IfName(n) => Some(n.clone()),
                    _ => None,
                })?,
            )),
            _ => None,
        })
        .collect();
    Ok(inner()
        .filter_map(|m| match m {
            RouteNetlinkMessage::NewAddress(a) => netlink::to_ifaddr(a, &names),
            _ => None,
        })
        .collect())
}
