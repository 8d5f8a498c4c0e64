//! Wire-level tests of the update builder: annotated bytes, one comment per field.

use super::*;

fn n(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

fn a(s: &str) -> RData {
    RData::A(s.parse().unwrap())
}

#[test]
fn add_with_name_not_in_use_prerequisite() {
    let mut up = Update::new(n("example.test."));
    up.require(Prerequisite::NameNotInUse(n("host.example.test.")))
        .unwrap();
    up.change(Change::Add {
        name: n("host.example.test."),
        ttl: 300,
        rdata: a("192.0.2.1"),
    })
    .unwrap();
    #[rustfmt::skip]
    let expected: &[u8] = &[
        0x12, 0x34, // ID
        0x28, 0x00, // QR=0, OPCODE=5 (UPDATE), no flags
        0x00, 0x01, // ZOCOUNT
        0x00, 0x01, // PRCOUNT
        0x00, 0x01, // UPCOUNT
        0x00, 0x00, // ADCOUNT
        // zone section, offset 12
        0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', // "example"
        0x04, b't', b'e', b's', b't', 0x00, // "test", root
        0x00, 0x06, // ZTYPE SOA
        0x00, 0x01, // ZCLASS IN
        // prerequisite section, offset 30: name is not in use
        0x04, b'h', b'o', b's', b't', 0xc0, 0x0c, // "host" + pointer to the zone name
        0x00, 0xff, // TYPE ANY
        0x00, 0xfe, // CLASS NONE
        0x00, 0x00, 0x00, 0x00, // TTL 0
        0x00, 0x00, // RDLENGTH 0
        // update section: add an RR
        0xc0, 0x1e, // pointer to host.example.test.
        0x00, 0x01, // TYPE A
        0x00, 0x01, // CLASS IN (the zone class)
        0x00, 0x00, 0x01, 0x2c, // TTL 300
        0x00, 0x04, // RDLENGTH
        0xc0, 0x00, 0x02, 0x01, // 192.0.2.1
    ];
    assert_eq!(up.to_wire(0x1234).unwrap(), expected);
}

#[test]
fn every_prerequisite_form() {
    let mut up = Update::new(n("example.test."));
    let h = n("h.example.test.");
    up.require(Prerequisite::NameInUse(h.clone())).unwrap();
    up.require(Prerequisite::RrsetExists(h.clone(), RecordType::A))
        .unwrap();
    up.require(Prerequisite::RrsetEquals(h.clone(), a("192.0.2.1")))
        .unwrap();
    up.require(Prerequisite::RrsetAbsent(h.clone(), RecordType::TXT))
        .unwrap();
    let wire = up.to_wire(1).unwrap();
    #[rustfmt::skip]
    let tail: &[u8] = &[
        // yxdomain: pointer, TYPE ANY, CLASS ANY, TTL 0, RDLENGTH 0
        0x01, b'h', 0xc0, 0x0c, 0x00, 0xff, 0x00, 0xff, 0, 0, 0, 0, 0x00, 0x00,
        // yxrrset (value independent): TYPE A, CLASS ANY
        0xc0, 0x1e, 0x00, 0x01, 0x00, 0xff, 0, 0, 0, 0, 0x00, 0x00,
        // yxrrset (value dependent): TYPE A, CLASS IN, TTL 0, the rdata
        0xc0, 0x1e, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01,
        // nxrrset: TYPE TXT, CLASS NONE
        0xc0, 0x1e, 0x00, 0x10, 0x00, 0xfe, 0, 0, 0, 0, 0x00, 0x00,
    ];
    assert_eq!(&wire[6..8], &[0x00, 0x04], "PRCOUNT");
    assert!(wire.ends_with(tail), "{wire:02x?}");
}

#[test]
fn every_delete_form() {
    let mut up = Update::new(n("example.test."));
    let h = n("h.example.test.");
    up.change(Change::DeleteRrset(h.clone(), RecordType::A))
        .unwrap();
    up.change(Change::DeleteName(h.clone())).unwrap();
    up.change(Change::DeleteRecord(h.clone(), a("192.0.2.9")))
        .unwrap();
    let wire = up.to_wire(1).unwrap();
    #[rustfmt::skip]
    let tail: &[u8] = &[
        // delete an RRset: TYPE A, CLASS ANY, TTL 0, RDLENGTH 0
        0x01, b'h', 0xc0, 0x0c, 0x00, 0x01, 0x00, 0xff, 0, 0, 0, 0, 0x00, 0x00,
        // delete all RRsets of a name: TYPE ANY, CLASS ANY
        0xc0, 0x1e, 0x00, 0xff, 0x00, 0xff, 0, 0, 0, 0, 0x00, 0x00,
        // delete one RR: TYPE A, CLASS NONE, TTL 0, the rdata
        0xc0, 0x1e, 0x00, 0x01, 0x00, 0xfe, 0, 0, 0, 0, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x09,
    ];
    assert_eq!(&wire[8..10], &[0x00, 0x03], "UPCOUNT");
    assert!(wire.ends_with(tail), "{wire:02x?}");
}

#[test]
fn names_outside_the_zone_are_refused() {
    let mut up = Update::new(n("example.test."));
    let err = up
        .change(Change::DeleteName(n("host.other.test.")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "host.other.test. is not in zone example.test."
    );
    assert!(up.require(Prerequisite::NameInUse(n("test."))).is_err());
    // The zone apex itself is in the zone.
    assert!(
        up.require(Prerequisite::NameInUse(n("example.test.")))
            .is_ok()
    );
}

#[test]
fn cname_beside_other_data_is_refused_either_way() {
    let h = n("h.example.test.");
    let cname = RData::CNAME(hickory_proto::rr::rdata::CNAME(n("t.example.test.")));
    let mut up = Update::new(n("example.test."));
    up.change(Change::Add {
        name: h.clone(),
        ttl: 60,
        rdata: a("192.0.2.1"),
    })
    .unwrap();
    let err = up
        .change(Change::Add {
            name: h.clone(),
            ttl: 60,
            rdata: cname.clone(),
        })
        .unwrap_err();
    assert!(matches!(err, UpdateError::CnameAndOther { .. }), "{err}");

    let mut up = Update::new(n("example.test."));
    up.change(Change::Add {
        name: h.clone(),
        ttl: 60,
        rdata: cname,
    })
    .unwrap();
    assert!(
        up.change(Change::Add {
            name: h,
            ttl: 60,
            rdata: a("192.0.2.1")
        })
        .is_err()
    );
}

#[test]
fn several_names_and_rrsets_in_one_message() {
    let mut up = Update::new(n("example.test."));
    for i in 0..3u8 {
        let name = n(&format!("h{i}.example.test."));
        up.change(Change::DeleteRrset(name.clone(), RecordType::A))
            .unwrap();
        up.change(Change::Add {
            name: name.clone(),
            ttl: 60,
            rdata: a(&format!("192.0.2.{i}")),
        })
        .unwrap();
        up.change(Change::Add {
            name,
            ttl: 60,
            rdata: a(&format!("198.51.100.{i}")),
        })
        .unwrap();
    }
    let msg = Message::from_vec(&up.to_wire(7).unwrap()).unwrap();
    assert_eq!(msg.authorities.len(), 9);
    assert_eq!(msg.metadata.op_code, OpCode::Update);
}

#[test]
fn too_big_for_one_message_is_an_error() {
    let mut up = Update::new(n("example.test."));
    let long = format!("\"{}\"", "x".repeat(255));
    for i in 0..300 {
        let rdata = parse_rdata(RecordType::TXT, &long, &Name::root()).unwrap();
        up.change(Change::Add {
            name: n(&format!("t{i}.example.test.")),
            ttl: 60,
            rdata,
        })
        .unwrap();
    }
    assert!(matches!(up.to_wire(1), Err(UpdateError::Encode(_))));
}
