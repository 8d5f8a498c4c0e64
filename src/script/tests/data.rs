//! Record types, record data and check-names: each mistake gives nsupdate's text, captured from
//! the installed nsupdate 9.18.49 (`printf 'LINE\n' | nsupdate`, its timestamped log line aside).

use hickory_proto::rr::RecordType;

use super::*;
use crate::update::Change;

fn change(line: &str) -> Change {
    match ns(line) {
        Ok(Command::Update { change, .. }) => change,
        other => panic!("{line:?}: {other:?}"),
    }
}

#[test]
fn types_and_data() {
    fails(
        "add foo. 300",
        ErrorKind::MissingArgument,
        "could not read class or type",
    );
    fails(
        "add foo. 300 IN",
        ErrorKind::MissingArgument,
        "could not read type",
    );
    fails(
        "add foo. 300 A",
        ErrorKind::MissingRdata,
        "could not read rdata",
    );
    fails(
        "add foo. 300 A ",
        ErrorKind::MissingRdata,
        "could not read rdata",
    );
    fails(
        "add foo. 300 IN FOO 1",
        ErrorKind::BadType,
        "'FOO' is not a valid type: unknown class/type",
    );
    fails(
        "add foo. 300 FOO 1",
        ErrorKind::BadType,
        "'FOO' is not a valid class or type: unknown class/type",
    );
    for (line, text) in [
        ("add foo. 300 A 1.2.3", "bad dotted quad"),
        ("add a. 300 A ( 1.2.3.4 )", "bad dotted quad"),
        ("add foo. 300 AAAA 1.2.3.4", "bad IPv6 address"),
        ("add foo. 300 MX 10", "unexpected end of input"),
        ("add a. 300 MX mail.", "not a valid number"),
        ("add a. 300 SRV 1 2", "unexpected end of input"),
        ("add a. 300 SRV 1 2 99999 a.", "out of range"),
        ("add foo. 300 A 1.2.3.4 5", "extra input text"),
        ("add a. 300 A 1.2.3.4 ; comment", "extra input text"),
        ("add a. 300 CNAME a b", "extra input text"),
        ("add a. 300 MX 10 a..b", "empty label"),
        ("add a. 300 TXT \"unterminated", "unexpected end of input"),
        ("add a. 300 ANY 1.2.3.4", "unknown class/type"),
        ("add a. 300 AXFR 1", "unknown class/type"),
        ("add a. 300 TYPE65280 0a000001", "unknown class/type"),
        ("add a. 300 A \\# x", "not a valid number"),
        ("add a. 300 A \\# 2 zz11", "bad hex encoding"),
        ("add a. 300 A \\# 3 0a0000", "unexpected end of input"),
        ("add a. 300 SOA a. b. 1 1x 1m 1w 1d", "syntax error"),
        ("add a. 300 CAA 0 issue", "unexpected end of input"),
        ("add a. 300 TLSA 1 1 1", "unexpected end of input"),
        ("add a. 300 HTTPS 1", "unexpected end of input"),
        ("add a. 300 NAPTR 1 2 \"a\"", "unexpected end of input"),
        ("add a. 300 CAA x issue \"a\"", "not a valid number"),
        ("add a. 300 SSHFP 1 1 zz", "bad hex encoding"),
        ("del foo. ANY A", "unknown class/type"),
    ] {
        fails(
            line,
            ErrorKind::BadRdata,
            &format!("invalid rdata format: {text}"),
        );
    }
}

/// Fuzzing (rdata target): generic data that is not data of its type was accepted, and its
/// `show` text did not read back; nsupdate checks it with the type's wire reader.
#[test]
fn generic_data_must_be_data_of_its_type() {
    for line in [
        "add k. 300 TYPE60 \\# 4 0a000001",
        "add k. 300 DNSKEY \\# 4 01010301",
        "add c. 300 CAA \\# 1 00",
    ] {
        fails(
            line,
            ErrorKind::BadRdata,
            "invalid rdata format: unexpected end of input",
        );
    }
    // Good generic data of the same types still reads.
    for line in [
        "add c. 300 CAA \\# 10 00056973737565616263",
        "add s. 300 SSHFP \\# 22 0101000102030405060708090a0b0c0d0e0f10111213",
    ] {
        assert!(
            matches!(ns(line), Ok(Command::Update { .. })),
            "{line}: {:?}",
            ns(line)
        );
    }
}

/// Fuzzing (rdata target): `OPENPGPKEY \# 0` was accepted (and `show` printed nothing after
/// the type, which does not read back); nsupdate refuses empty data for every type it knows but
/// NULL and APL.
#[test]
fn empty_generic_data_only_where_bind_takes_it() {
    for line in [
        "add o. 300 OPENPGPKEY \\# 0",
        "add o. 300 CAA \\# 0",
        "add o. 300 HTTPS \\# 0",
    ] {
        fails(
            line,
            ErrorKind::BadRdata,
            "invalid rdata format: unexpected end of input",
        );
        assert_eq!(
            ns_err(line).rdata_log.as_deref(),
            Some("near eof: unexpected end of input"),
            "{line}"
        );
    }
    for line in [
        "add o. 300 NULL \\# 0",
        "add o. 300 APL \\# 0",
        "add o. 300 TYPE65280 \\# 0",
    ] {
        assert!(matches!(ns(line), Ok(Command::Update { .. })), "{line}");
    }
}

#[test]
fn generic_and_unknown_types() {
    let Change::Add { rdata, .. } = change("add u. 60 TYPE65280 \\# 3 abcdef") else {
        panic!()
    };
    assert_eq!(rdata.record_type(), RecordType::Unknown(65280));
    let Change::Add { rdata, .. } = change("add u. 60 TYPE65280 \\# 0") else {
        panic!()
    };
    assert_eq!(rdata.record_type(), RecordType::Unknown(65280));
    assert_eq!(
        change("add a. 300 A \\# 4 0a000001"),
        change("add a. 300 TYPE1 10.0.0.1")
    );
    assert_eq!(
        change("del u. TYPE65280"),
        Change::DeleteRrset(n("u."), RecordType::Unknown(65280))
    );
    // TXT keeps nsupdate's lexing: parentheses are data, quotes group.
    let Change::Add { rdata, .. } = change("add e. 300 TXT ( \"a b\" )") else {
        panic!()
    };
    assert_eq!(
        crate::script::present::rdata_text(&rdata, crate::script::present::Style::Bind),
        "\"(\" \"a b\" \")\""
    );
}

#[test]
fn check_names() {
    fails(
        "add a_b. 300 A 1.2.3.4",
        ErrorKind::CheckNames,
        "check-names failed: bad owner 'a_b'",
    );
    fails(
        "add a. 300 MX 10 a_b.",
        ErrorKind::CheckNames,
        "check-names failed: bad name 'a_b'",
    );
    fails(
        "add a_b.x. 300 MX 1 ab.x.",
        ErrorKind::CheckNames,
        "check-names failed: bad owner 'a_b.x'",
    );
    fails(
        "add a.x. 300 NS a_b.x.",
        ErrorKind::CheckNames,
        "check-names failed: bad name 'a_b.x'",
    );
    fails(
        "add _s._tcp.x. 300 SRV 0 0 5 a_b.x.",
        ErrorKind::CheckNames,
        "check-names failed: bad name 'a_b.x'",
    );
    fails(
        "add 1.2.in-addr.arpa. 300 PTR a_b.x.",
        ErrorKind::CheckNames,
        "check-names failed: bad name 'a_b.x'",
    );
    fails(
        "add a.x. 300 SOA a.x. a_b.c_d.x. 1 2 3 4 5",
        ErrorKind::CheckNames,
        "check-names failed: bad name 'a_b.c_d.x'",
    );
    fails(
        "add a.*.x. 300 A 1.2.3.4",
        ErrorKind::CheckNames,
        "check-names failed: bad owner 'a.*.x'",
    );
    fails(
        "add a\\.b.x. 300 A 1.2.3.4",
        ErrorKind::CheckNames,
        "check-names failed: bad owner 'a\\.b.x'",
    );
    fails(
        "add a.x. 300 MX 1 *.x.",
        ErrorKind::CheckNames,
        "check-names failed: bad name '*.x'",
    );
    for ok in [
        "add *.x. 300 A 1.2.3.4",
        "add a--b.x. 300 AAAA ::1",
        "add a_b.x. 300 CNAME a_b.x.",
        "add a_b.x. 300 TXT x",
        "add a_b.x. 300 NS ab.x.",
        "add 1.x. 300 PTR a_b.x.",
        "add b._dns-sd._udp.1.in-addr.arpa. 300 PTR a_b.",
        "add a.x. 300 SOA a.x. a_b.x. 1 2 3 4 5",
        "add a.x. 300 MX 1 .",
        "del a_b.x. A 1.2.3.4",
        "yxrrset a_b.x. A 1.2.3.4",
    ] {
        assert!(ns(ok).is_ok(), "{ok}");
    }
    let off = ParseContext {
        check_names: false,
        ..ParseContext::default()
    };
    assert!(parse_line(Dialect::Nsupdate, &off, "add a_b. 300 MX 10 c_d.").is_ok());
}
