//! nsupdate's `check-names` (on by default): the host-name rules of RFC 952 / RFC 1123 section
//! 2.1 for the owners and targets of added records, and its NSEC3PARAM iteration limit.
//!
//! Which names are checked follows BIND 9.18's per-type `checkowner` / `checknames` functions,
//! confirmed with the installed nsupdate: owners of A, AAAA and MX must be host names (a leading
//! `*` label allowed); targets of MX, NS, SRV, the SOA MNAME, and PTR targets under
//! in-addr.arpa / ip6.arpa / ip6.int must be host names; the SOA RNAME must be a mailbox name.

use hickory_proto::rr::{Name, RData, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};

use super::error::{ErrorKind, ScriptError};
use super::present::name_text;

/// BIND's `dns_nsec3_maxiterations()` in 9.18.
const NSEC3_MAX_ITERATIONS: u16 = 150;

fn is_ldh_label(label: &[u8]) -> bool {
    let alnum = |b: &u8| b.is_ascii_alphanumeric();
    match label {
        [] => false,
        [only] => alnum(only),
        [first, middle @ .., last] => {
            alnum(first) && alnum(last) && middle.iter().all(|b| alnum(b) || *b == b'-')
        }
    }
}

/// `dns_name_ishostname`: every label letters, digits and inner hyphens; the root is fine.
fn is_hostname(name: &Name, wildcard: bool) -> bool {
    let mut labels = name.iter().peekable();
    if wildcard && labels.peek() == Some(&&b"*"[..]) {
        labels.next();
    }
    labels.all(is_ldh_label)
}

/// `dns_name_ismailbox`: the first label any printable characters, the rest a host name.
fn is_mailbox(name: &Name) -> bool {
    let mut labels = name.iter();
    match labels.next() {
        None => true,
        Some(first) => first.iter().all(|b| (0x21..0x7f).contains(b)) && labels.all(is_ldh_label),
    }
}

/// The RFC 6763 section 11 browsing names under which PTR targets are free-form.
fn is_dnssd(owner: &Name) -> bool {
    let labels: Vec<&[u8]> = owner.iter().collect();
    matches!(labels.as_slice(), [first, dns_sd, udp, ..]
        if [&b"b"[..], b"db", b"r", b"dr", b"lb"].iter().any(|l| l.eq_ignore_ascii_case(first))
            && dns_sd.eq_ignore_ascii_case(b"_dns-sd")
            && udp.eq_ignore_ascii_case(b"_udp"))
}

fn in_reverse_tree(owner: &Name) -> bool {
    ["in-addr.arpa.", "ip6.arpa.", "ip6.int."]
        .iter()
        .filter_map(|z| Name::from_ascii(z).ok())
        .any(|zone| zone.zone_of(owner))
}

/// BIND formats names in these messages without the final dot.
fn shown(name: &Name) -> String {
    let text = name_text(name);
    if text == "." {
        text
    } else {
        text.trim_end_matches('.').to_string()
    }
}

fn bad(what: &str, name: &Name, hint: &str) -> ScriptError {
    let shown = shown(name);
    ScriptError::new(
        ErrorKind::CheckNames,
        format!(
            "'{shown}' is not a valid host name ({hint}); fix it, or turn the check off with \
             'check-names off'"
        ),
        format!("check-names failed: bad {what} '{shown}'"),
    )
}

/// Check an added record under `check-names on`.
pub(crate) fn check(owner: &Name, rdata: &RData) -> Result<(), ScriptError> {
    let hint = "letters, digits and inner hyphens only";
    let rtype = rdata.record_type();
    if matches!(rtype, RecordType::A | RecordType::AAAA | RecordType::MX)
        && !is_hostname(owner, true)
    {
        return Err(bad("owner", owner, hint));
    }
    let target_ok = |n: &Name| is_hostname(n, false);
    match rdata {
        RData::MX(mx) if !target_ok(&mx.exchange) => Err(bad("name", &mx.exchange, hint)),
        RData::NS(ns) if !target_ok(&ns.0) => Err(bad("name", &ns.0, hint)),
        RData::SRV(srv) if !target_ok(&srv.target) => Err(bad("name", &srv.target, hint)),
        RData::SOA(soa) if !target_ok(&soa.mname) => Err(bad("name", &soa.mname, hint)),
        RData::SOA(soa) if !is_mailbox(&soa.rname) => {
            Err(bad("name", &soa.rname, "a mailbox name"))
        }
        RData::PTR(ptr) if in_reverse_tree(owner) && !is_dnssd(owner) && !target_ok(&ptr.0) => {
            Err(bad("name", &ptr.0, hint))
        }
        _ => Ok(()),
    }
}

/// nsupdate refuses NSEC3PARAM with more iterations than named will use.
pub(crate) fn check_nsec3param(rdata: &RData) -> Result<(), ScriptError> {
    if rdata.record_type() != RecordType::NSEC3PARAM {
        return Ok(());
    }
    let mut wire = Vec::new();
    if rdata.emit(&mut BinEncoder::new(&mut wire)).is_err() {
        return Ok(());
    }
    let iterations = match wire.get(2..4) {
        Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]),
        _ => return Ok(()),
    };
    if iterations > NSEC3_MAX_ITERATIONS {
        return Err(ScriptError::new(
            ErrorKind::BadRdata,
            format!(
                "NSEC3PARAM with {iterations} iterations: the limit is {NSEC3_MAX_ITERATIONS} (RFC 9276 recommends 0)"
            ),
            format!("NSEC3PARAM has excessive iterations (> {NSEC3_MAX_ITERATIONS})"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Name {
        crate::script::lex::parse_name(s, &Name::root()).unwrap()
    }

    #[test]
    fn hostname_rules() {
        assert!(is_hostname(&n("a--b.x."), false));
        assert!(is_hostname(&n("*.x."), true));
        assert!(!is_hostname(&n("*.x."), false));
        assert!(!is_hostname(&n("a.*.x."), true));
        assert!(!is_hostname(&n("-a.x."), false));
        assert!(!is_hostname(&n("a-.x."), false));
        assert!(!is_hostname(&n("a_b.x."), false));
        assert!(is_hostname(&Name::root(), false));
        assert!(is_mailbox(&n("a_b.x.")));
        assert!(!is_mailbox(&n("a_b.c_d.x.")));
        assert!(is_dnssd(&n("b._dns-sd._udp.example.")));
        assert!(in_reverse_tree(&n("1.2.in-addr.arpa.")));
        assert!(!in_reverse_tree(&n("1.x.")));
    }
}
