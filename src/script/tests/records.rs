//! Prerequisite and update lines: each form gives the right RFC 2136 item, and each mistake
//! nsupdate's text (captured from the installed nsupdate 9.18.49).

use hickory_proto::rr::{DNSClass, RecordType};

use super::*;
use crate::update::{Change, Prerequisite};

fn prereq(line: &str) -> (Prerequisite, Option<DNSClass>) {
    match ns(line) {
        Ok(Command::Prereq { prereq, class }) => (prereq, class),
        other => panic!("{line:?}: {other:?}"),
    }
}

fn change_in(ctx: &ParseContext, line: &str) -> (Change, Option<DNSClass>) {
    match parse_line(Dialect::Nsupdate, ctx, line) {
        Ok(Command::Update { change, class }) => (change, class),
        other => panic!("{line:?}: {other:?}"),
    }
}

fn change(line: &str) -> Change {
    change_in(&ParseContext::default(), line).0
}

#[test]
fn prerequisite_forms() {
    let h = n("h.example.test.");
    let ex = (Prerequisite::NameNotInUse(h.clone()), None);
    assert_eq!(prereq("nxdomain h.example.test"), ex);
    assert_eq!(prereq("prereq NXDOMAIN h.example.test."), ex);
    assert_eq!(
        prereq("yxdomain h.example.test").0,
        Prerequisite::NameInUse(h.clone())
    );
    let in_ = Some(DNSClass::IN);
    assert_eq!(
        prereq("nxrrset h.example.test A"),
        (Prerequisite::RrsetAbsent(h.clone(), RecordType::A), in_)
    );
    // nsupdate reads no data for nxrrset.
    assert_eq!(
        prereq("nxrrset h.example.test A 1.2.3.4").0,
        Prerequisite::RrsetAbsent(h.clone(), RecordType::A)
    );
    assert_eq!(
        prereq("yxrrset h.example.test IN A"),
        (Prerequisite::RrsetExists(h.clone(), RecordType::A), in_)
    );
    assert_eq!(
        prereq("prereq yxrrset h.example.test A 192.0.2.1").0,
        Prerequisite::RrsetEquals(h.clone(), a("192.0.2.1"))
    );
    // An explicit class other than the default fixes the zone class (BIND setzoneclass).
    assert_eq!(
        prereq("yxrrset h.example.test CH TXT x").1,
        Some(DNSClass::CH)
    );
    // NONE leaves it free.
    assert_eq!(prereq("nxrrset h.example.test NONE A").1, None);
    assert_eq!(
        prereq("nxrrset h TYPE65280").0,
        Prerequisite::RrsetAbsent(n("h."), RecordType::Unknown(65280))
    );
}

#[test]
fn prerequisite_errors() {
    fails(
        "prereq",
        ErrorKind::MissingArgument,
        "could not read operation code",
    );
    fails(
        "prereq foo",
        ErrorKind::UnknownOperation,
        "incorrect operation code: foo",
    );
    fails(
        "prereq add a. 1 A 1.2.3.4",
        ErrorKind::UnknownOperation,
        "incorrect operation code: add",
    );
    fails(
        "nxdomain",
        ErrorKind::MissingArgument,
        "could not read owner name",
    );
    fails(
        "yxrrset a.",
        ErrorKind::MissingArgument,
        "could not read class or type",
    );
    fails(
        "yxrrset a. IN",
        ErrorKind::MissingArgument,
        "could not read type",
    );
    fails("yxrrset a. FOO", ErrorKind::BadType, "invalid type: FOO");
    fails("yxrrset a. IN FOO", ErrorKind::BadType, "invalid type: FOO");
    fails(
        "yxrrset a. A 1.2.3.4 5",
        ErrorKind::BadRdata,
        "invalid rdata format: extra input text",
    );
    fails(
        "yxrrset foo. NONE A 1.2.3.4",
        ErrorKind::BadRdata,
        "invalid rdata format: unknown class/type",
    );
}

#[test]
fn update_forms() {
    let h = n("h.example.test.");
    let add = Change::Add {
        name: h.clone(),
        ttl: 300,
        rdata: a("192.0.2.1"),
    };
    assert_eq!(change("add h.example.test 300 A 192.0.2.1"), add);
    assert_eq!(change("update add h.example.test. 300 IN A 192.0.2.1"), add);
    assert_eq!(change("UPDATE ADD h.example.test. 300 in a 192.0.2.1"), add);
    assert_eq!(change("add h.example.test. 0300 A 192.0.2.1"), add);
    assert_eq!(change("del h.example.test"), Change::DeleteName(h.clone()));
    assert_eq!(
        change("delete h.example.test 300"),
        Change::DeleteName(h.clone())
    );
    assert_eq!(
        change("del h.example.test IN"),
        Change::DeleteName(h.clone())
    );
    // ANY is a type after del, not a class.
    assert_eq!(
        change("del h.example.test ANY"),
        Change::DeleteName(h.clone())
    );
    assert_eq!(
        change("update delete h.example.test A"),
        Change::DeleteRrset(h.clone(), RecordType::A)
    );
    assert_eq!(
        change("del h.example.test 300 IN A"),
        Change::DeleteRrset(h.clone(), RecordType::A)
    );
    assert_eq!(
        change("del h.example.test AXFR"),
        Change::DeleteRrset(h.clone(), RecordType::AXFR)
    );
    assert_eq!(
        change("del h.example.test A 192.0.2.1 "),
        Change::DeleteRecord(h.clone(), a("192.0.2.1"))
    );
    assert_eq!(
        change("del h.example.test 99 A 192.0.2.1"),
        Change::DeleteRecord(h, a("192.0.2.1"))
    );
    // A TTL beyond 32 bits is no TTL: it is read as the class or type (as nsupdate does).
    fails(
        "del h. 999999999999 A 1.2.3.4",
        ErrorKind::BadType,
        "'999999999999' is not a valid class or type: unknown class/type",
    );
}

#[test]
fn names_are_absolute_from_the_origin() {
    assert_eq!(change("del host").name(), &n("host."));
    assert_eq!(change("del @").name(), &Name::root());
    assert_eq!(
        change("del a\\.b.c").name().iter().next(),
        Some(&b"a.b"[..])
    );
    let ctx = ParseContext {
        origin: n("example.test."),
        ..ParseContext::default()
    };
    let k = |line: &str| match parse_line(Dialect::Knsupdate, &ctx, line) {
        Ok(Command::Update { change, .. }) => change,
        other => panic!("{line:?}: {other:?}"),
    };
    assert_eq!(k("del host").name(), &n("host.example.test."));
    assert_eq!(k("del host.other."), Change::DeleteName(n("host.other.")));
    // knsupdate: TTL optional (3600), zone-file units, relative data names.
    assert_eq!(
        k("add www CNAME web"),
        Change::Add {
            name: n("www.example.test."),
            ttl: 3600,
            rdata: RData::CNAME(hickory_proto::rr::rdata::CNAME(n("web.example.test."))),
        }
    );
    assert!(matches!(
        k("add h 1h30m IN A 192.0.2.1"),
        Change::Add { ttl: 5400, .. }
    ));
    assert!(matches!(
        k("add h IN 60 A 192.0.2.1"),
        Change::Add { ttl: 60, .. }
    ));
    assert_eq!(
        k("del h A"),
        Change::DeleteRrset(n("h.example.test."), RecordType::A)
    );
    assert_eq!(
        k("del h 0 IN A 192.0.2.1"),
        Change::DeleteRecord(n("h.example.test."), a("192.0.2.1"))
    );
    let ctx60 = ParseContext {
        default_ttl: Some(60),
        ..ctx.clone()
    };
    let Ok(Command::Update { change, .. }) =
        parse_line(Dialect::Knsupdate, &ctx60, "add h A 192.0.2.1")
    else {
        panic!()
    };
    assert!(matches!(change, Change::Add { ttl: 60, .. }));
    let e = parse_line(Dialect::Knsupdate, &ctx, "add h 300 CH A 192.0.2.1").unwrap_err();
    assert_eq!(e.kind, ErrorKind::ClassMismatch);
}

#[test]
fn ttl_rules() {
    fails(
        "add a.b.",
        ErrorKind::MissingArgument,
        "could not read owner ttl",
    );
    fails(
        "add a.b. 1h A 1.2.3.4",
        ErrorKind::BadTtl,
        "ttl '1h': not a valid number",
    );
    fails(
        "add a.b. A 1.2.3.4",
        ErrorKind::BadTtl,
        "ttl 'A': not a valid number",
    );
    fails(
        "add foo. -1 A 1.2.3.4",
        ErrorKind::BadTtl,
        "ttl '-1': not a valid number",
    );
    fails(
        "add foo. 0x10 A 1.2.3.4",
        ErrorKind::BadTtl,
        "ttl '0x10': not a valid number",
    );
    fails(
        "add foo. 4294967296 A 1.2.3.4",
        ErrorKind::BadTtl,
        "ttl '4294967296': out of range",
    );
    fails(
        "add foo. 4294967295 A 1.2.3.4",
        ErrorKind::BadTtl,
        "ttl '4294967295' is out of range (0 to 2147483647)",
    );
    let e = ns_err("add a.b. A 1.2.3.4");
    assert!(e.message.contains("ttl N"), "{}", e.message);
    let max = change("add foo. 2147483647 A 1.2.3.4");
    assert!(matches!(
        max,
        Change::Add {
            ttl: 2_147_483_647,
            ..
        }
    ));
    // With a default TTL, a word that is not a number is the class or type.
    let ctx = ParseContext {
        default_ttl: Some(60),
        ..ParseContext::default()
    };
    assert!(matches!(
        change_in(&ctx, "add h. A 1.2.3.4").0,
        Change::Add { ttl: 60, .. }
    ));
    assert!(matches!(
        change_in(&ctx, "add h. IN A 1.2.3.4").0,
        Change::Add { ttl: 60, .. }
    ));
    assert!(matches!(
        change_in(&ctx, "add h. 120 A 1.2.3.4").0,
        Change::Add { ttl: 120, .. }
    ));
    let e = parse_line(Dialect::Nsupdate, &ctx, "add x. 99999999999 A 1.2.3.4").unwrap_err();
    assert_eq!(
        e.nsupdate_text,
        "'99999999999' is not a valid class or type: unknown class/type"
    );
}

#[test]
fn class_rules() {
    let (_, class) = change_in(&ParseContext::default(), "add h. 300 A 1.2.3.4");
    assert_eq!(class, Some(DNSClass::IN));
    let (_, class) = change_in(&ParseContext::default(), "add h. 300 CH TXT x");
    assert_eq!(class, Some(DNSClass::CH));
    assert_eq!(change_in(&ParseContext::default(), "del h.").1, None);
    let ch = ParseContext {
        class: DNSClass::CH,
        ..ParseContext::default()
    };
    assert_eq!(change_in(&ch, "add h. 300 TXT x").1, Some(DNSClass::CH));
    // Once the zone class is fixed, records without a class take it.
    let fixed = ParseContext {
        zone_class: Some(DNSClass::IN),
        ..ch
    };
    assert_eq!(change_in(&fixed, "add h. 300 TXT x").1, Some(DNSClass::IN));
    let e = parse_line(Dialect::Nsupdate, &fixed, "add foo. 300 CH TXT x").unwrap_err();
    assert_eq!(
        (e.kind, e.nsupdate_text.as_str()),
        (ErrorKind::ClassMismatch, "class mismatch: CH")
    );
    fails(
        "add foo. 300 NONE A 1.2.3.4",
        ErrorKind::BadRdata,
        "invalid rdata format: unknown class/type",
    );
}
