//! The core against real servers: every RFC 2136 prerequisite and update form, every TSIG
//! algorithm in both directions, the TSIG failure answers, and TCP for large updates. Each test
//! runs against BIND named and Knot knotd (see `server_tests!`), each with a fresh server.

mod common;

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use dnsup::client::{self, Outcome, Signer};
use dnsup::transport;
use dnsup::tsig::{self, Key, TsigRcode};
use dnsup::update::{Change, Prerequisite, Update, parse_rdata};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, RecordType};

fn n(s: &str) -> Name {
    Name::from_str(s).unwrap()
}

fn rd(rtype: RecordType, text: &str) -> RData {
    parse_rdata(rtype, text, &Name::root()).unwrap()
}

fn a(text: &str) -> RData {
    rd(RecordType::A, text)
}

fn test_key(k: &TestKey) -> Key {
    tsig::parse_nsupdate_y(&key_arg(k)).unwrap()
}

fn sha256() -> Key {
    test_key(key("k-sha256"))
}

fn config() -> transport::Config {
    transport::Config {
        udp_interval: Duration::from_secs(2),
        udp_retries: 2,
        timeout: Duration::from_secs(10),
        ..transport::Config::default()
    }
}

fn send(server: &dyn Server, update: &Update, signer: Option<Signer<'_>>) -> Outcome {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(client::send_update(
        update,
        signer,
        &[server.addr()],
        &config(),
    ))
    .unwrap_or_else(|e| panic!("{}: no answer: {e}\n{}", server.kind(), server.log()))
}

fn update() -> Update {
    Update::new(n("example.test."))
}

fn add(up: &mut Update, name: &str, rdata: RData) {
    up.change(Change::Add {
        name: n(name),
        ttl: 300,
        rdata,
    })
    .unwrap();
}

fn assert_rcode(server: &dyn Server, o: &Outcome, rcode: ResponseCode) {
    assert_eq!(
        o.rcode(),
        rcode,
        "{}: got {} (tsig error {:?})",
        server.kind(),
        o.rcode_name(),
        o.tsig_error
    );
}

/// Add RRs (several names and RRsets in one message), delete one RR, delete an RRset, delete
/// all RRsets of a name; the zone is checked by AXFR after each step.
fn every_update_form(server: &dyn Server) {
    let key = sha256();
    let mut up = update();
    add(&mut up, "multi.example.test.", a("192.0.2.1"));
    add(&mut up, "multi.example.test.", a("192.0.2.2"));
    add(
        &mut up,
        "multi.example.test.",
        rd(RecordType::TXT, "\"one\" \"two words\""),
    );
    add(
        &mut up,
        "multi.example.test.",
        rd(RecordType::MX, "10 mail.example.test."),
    );
    add(
        &mut up,
        "other.example.test.",
        rd(RecordType::AAAA, "2001:db8::7"),
    );
    add(
        &mut up,
        "_x._tcp.example.test.",
        rd(RecordType::SRV, "0 5 443 www.example.test."),
    );
    add(
        &mut up,
        "cname.example.test.",
        rd(RecordType::CNAME, "www.example.test."),
    );
    add(
        &mut up,
        "caa.example.test.",
        rd(RecordType::CAA, "0 issue \"ca.example\""),
    );
    add(
        &mut up,
        "unknown.example.test.",
        parse_rdata(RecordType::Unknown(65280), "\\# 4 0a000001", &Name::root()).unwrap(),
    );
    let o = send(server, &up, Some(Signer::new(&key)));
    assert!(o.is_success(), "{}: {}", server.kind(), o.rcode_name());
    assert!(
        o.authenticated,
        "{}: the answer was not verified",
        server.kind()
    );
    let zone = server.axfr("example.test");
    for rec in [
        "multi.example.test. 300 IN A 192.0.2.1",
        "multi.example.test. 300 IN A 192.0.2.2",
        "multi.example.test. 300 IN TXT \"one\" \"two words\"",
        "multi.example.test. 300 IN MX 10 mail.example.test.",
        "other.example.test. 300 IN AAAA 2001:db8::7",
        "_x._tcp.example.test. 300 IN SRV 0 5 443 www.example.test.",
        "cname.example.test. 300 IN CNAME www.example.test.",
    ] {
        assert!(
            zone.contains(rec),
            "{}: missing {rec}\n{zone}",
            server.kind()
        );
    }
    assert_eq!(server.query("caa.example.test", "CAA").len(), 1);
    assert_eq!(server.query("unknown.example.test", "TYPE65280").len(), 1);

    let mut up = update();
    up.change(Change::DeleteRecord(
        n("multi.example.test."),
        a("192.0.2.1"),
    ))
    .unwrap();
    up.change(Change::DeleteRrset(
        n("multi.example.test."),
        RecordType::TXT,
    ))
    .unwrap();
    up.change(Change::DeleteName(n("other.example.test.")))
        .unwrap();
    let o = send(server, &up, Some(Signer::new(&key)));
    assert!(o.is_success(), "{}: {}", server.kind(), o.rcode_name());
    assert_eq!(server.query("multi.example.test", "A"), ["192.0.2.2"]);
    assert!(server.query("multi.example.test", "TXT").is_empty());
    assert_eq!(server.query("multi.example.test", "MX").len(), 1);
    assert!(
        server
            .axfr("example.test")
            .find("other.example.test.", "AAAA")
            .is_empty()
    );
}

/// Each prerequisite form once holding (the change is applied) and once failing (the answer is
/// the RFC 2136 section 3.2 rcode and the zone, serial included, is exactly as before).
fn every_prerequisite_form(server: &dyn Server) {
    let key = sha256();
    let www = n("www.example.test.");
    let none = n("nothing.example.test.");
    let cases: Vec<(Prerequisite, Option<ResponseCode>)> = vec![
        (Prerequisite::NameInUse(www.clone()), None),
        (
            Prerequisite::NameInUse(none.clone()),
            Some(ResponseCode::NXDomain),
        ),
        (Prerequisite::NameNotInUse(none.clone()), None),
        (
            Prerequisite::NameNotInUse(www.clone()),
            Some(ResponseCode::YXDomain),
        ),
        (Prerequisite::RrsetExists(www.clone(), RecordType::A), None),
        (
            Prerequisite::RrsetExists(www.clone(), RecordType::TXT),
            Some(ResponseCode::NXRRSet),
        ),
        (
            Prerequisite::RrsetEquals(www.clone(), a("192.0.2.80")),
            None,
        ),
        (
            Prerequisite::RrsetEquals(www.clone(), a("192.0.2.81")),
            Some(ResponseCode::NXRRSet),
        ),
        (
            Prerequisite::RrsetAbsent(www.clone(), RecordType::TXT),
            None,
        ),
        (
            Prerequisite::RrsetAbsent(www.clone(), RecordType::A),
            Some(ResponseCode::YXRRSet),
        ),
    ];
    for (i, (prereq, failure)) in cases.into_iter().enumerate() {
        let before = server.axfr("example.test");
        let marker = format!("p{i}.example.test.");
        let mut up = update();
        up.require(prereq.clone()).unwrap();
        add(&mut up, &marker, a("192.0.2.99"));
        let o = send(server, &up, Some(Signer::new(&key)));
        match failure {
            None => {
                assert_rcode(server, &o, ResponseCode::NoError);
                assert_eq!(server.query(&marker, "A"), ["192.0.2.99"], "{prereq:?}");
            }
            Some(rcode) => {
                assert_rcode(server, &o, rcode);
                assert_eq!(
                    server.axfr("example.test"),
                    before,
                    "{prereq:?} changed the zone"
                );
            }
        }
    }
}

/// A value-dependent prerequisite over a whole RRset: all values must match, not just one.
fn value_dependent_prerequisite_needs_the_whole_rrset(server: &dyn Server) {
    let key = sha256();
    let mut up = update();
    add(&mut up, "pair.example.test.", a("192.0.2.1"));
    add(&mut up, "pair.example.test.", a("192.0.2.2"));
    assert!(send(server, &up, Some(Signer::new(&key))).is_success());
    let guarded = |values: &[&str]| {
        let mut up = update();
        for v in values {
            up.require(Prerequisite::RrsetEquals(n("pair.example.test."), a(v)))
                .unwrap();
        }
        up.change(Change::DeleteRrset(n("pair.example.test."), RecordType::A))
            .unwrap();
        send(server, &up, Some(Signer::new(&key)))
    };
    assert_rcode(server, &guarded(&["192.0.2.1"]), ResponseCode::NXRRSet);
    assert_eq!(server.query("pair.example.test", "A").len(), 2);
    assert_rcode(
        server,
        &guarded(&["192.0.2.2", "192.0.2.1"]),
        ResponseCode::NoError,
    );
    assert!(server.query("pair.example.test", "A").is_empty());
}

/// Every algorithm the server has (BIND: six plus a truncated key; Knot: six): the server accepts
/// dnsup's MAC, and dnsup verifies the server's signed answer.
fn every_tsig_algorithm_both_directions(server: &dyn Server) {
    for k in server.keys() {
        let key = test_key(k);
        let name = format!("{}.example.test.", k.name);
        let mut up = update();
        add(&mut up, &name, a("192.0.2.7"));
        let o = send(server, &up, Some(Signer::new(&key)));
        assert!(
            o.is_success(),
            "{} {}: {} {:?}",
            server.kind(),
            k.algorithm,
            o.rcode_name(),
            o.tsig_error
        );
        assert!(
            o.authenticated,
            "{} {}: answer not verified",
            server.kind(),
            k.algorithm
        );
        assert_eq!(server.query(&name, "A"), ["192.0.2.7"], "{}", k.algorithm);
    }
}

fn unchanged_after(server: &dyn Server, f: impl FnOnce() -> Outcome) -> Outcome {
    let before = server.axfr("example.test");
    let o = f();
    assert_eq!(
        server.axfr("example.test"),
        before,
        "{}: zone changed",
        server.kind()
    );
    o
}

fn one_add() -> Update {
    let mut up = update();
    add(&mut up, "denied.example.test.", a("192.0.2.66"));
    up
}

/// The right key name and algorithm with another secret: the server says BADSIG (unsigned).
fn wrong_secret_is_badsig(server: &dyn Server) {
    let k = key("k-sha256");
    let wrong = tsig::parse_nsupdate_y(&format!(
        "{}:{}:{}",
        k.algorithm, k.name, "c2VjcmV0IHRoYXQgaXMgbm90IHRoZSBzZXJ2ZXIncyEhISEhISEhISEhISE="
    ))
    .unwrap();
    let o = unchanged_after(server, || {
        send(server, &one_add(), Some(Signer::new(&wrong)))
    });
    assert_rcode(server, &o, ResponseCode::NotAuth);
    assert_eq!(o.tsig_error, Some(TsigRcode::BadSig), "{}", server.kind());
}

/// A key the server does not know: BADKEY.
fn unknown_key_is_badkey(server: &dyn Server) {
    let unknown = tsig::parse_nsupdate_y(
        "hmac-sha256:no-such-key:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=",
    )
    .unwrap();
    let o = unchanged_after(server, || {
        send(server, &one_add(), Some(Signer::new(&unknown)))
    });
    assert_rcode(server, &o, ResponseCode::NotAuth);
    assert_eq!(o.tsig_error, Some(TsigRcode::BadKey), "{}", server.kind());
}

/// Signing ten minutes in the past: BADTIME, with the server's clock reported.
fn ten_minutes_behind_is_badtime_with_the_server_clock(server: &dyn Server) {
    let key = sha256();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signer = Signer {
        time: Some(now - 600),
        ..Signer::new(&key)
    };
    let o = unchanged_after(server, || send(server, &one_add(), Some(signer)));
    assert_rcode(server, &o, ResponseCode::NotAuth);
    assert_eq!(o.tsig_error, Some(TsigRcode::BadTime), "{}", server.kind());
    let skew = o.clock_skew().expect("BADTIME reports the skew");
    assert!(
        (595..=610).contains(&skew),
        "{}: skew {skew}",
        server.kind()
    );
    let server_time = o.server_time.unwrap();
    assert!(
        server_time.abs_diff(now) <= 10,
        "{}: server time {server_time}",
        server.kind()
    );
}

/// No key where the zone requires one: refused, zone unchanged.
fn unsigned_update_is_refused(server: &dyn Server) {
    let o = unchanged_after(server, || send(server, &one_add(), None));
    // BIND says REFUSED; Knot says NOTAUTH for an update its ACL does not allow.
    let expected = if server.kind() == "knot" {
        ResponseCode::NotAuth
    } else {
        ResponseCode::Refused
    };
    assert_rcode(server, &o, expected);
    assert!(!o.is_success());
}

/// 500 TXT records in one message: too large for UDP, sent over TCP, applied atomically.
/// They are spread over 25 names because BIND 9.18 refuses more than 100 records per RRset
/// (`max-records-per-type`).
fn large_update_goes_over_tcp(server: &dyn Server) {
    let key = sha256();
    let mut up = update();
    for i in 0..500 {
        add(
            &mut up,
            &format!("bulk{}.example.test.", i % 25),
            rd(RecordType::TXT, &format!("\"record number {i:04}\"")),
        );
    }
    let o = send(server, &up, Some(Signer::new(&key)));
    assert!(o.is_success(), "{}: {}", server.kind(), o.rcode_name());
    assert!(
        o.tcp,
        "{}: a 500-record update must go over TCP",
        server.kind()
    );
    let zone = server.axfr("example.test");
    let count = (0..25)
        .map(|i| zone.find(&format!("bulk{i}.example.test."), "TXT").len())
        .sum::<usize>();
    assert_eq!(count, 500, "{}", server.kind());
}

server_tests!(
    every_update_form,
    every_prerequisite_form,
    value_dependent_prerequisite_needs_the_whole_rrset,
    every_tsig_algorithm_both_directions,
    wrong_secret_is_badsig,
    unknown_key_is_badkey,
    ten_minutes_behind_is_badtime_with_the_server_clock,
    unsigned_update_is_refused,
    large_update_goes_over_tcp,
);
