//! The wire form of bulk UPDATE messages, every owner name compressed against the zone
//! (RFC 1035 section 4.1.4, RFC 2136 section 2).
//!
//! hickory's encoder, which [`Update::to_wire`](crate::update::Update::to_wire) uses, stops
//! compressing names after the first 120 of a message, so in a message of 2,000 changes almost
//! every owner would be written in full: about 70% more bytes, so more messages for the server
//! to apply one by one. Here each record is encoded once, on its own: its owner is the labels
//! below the zone followed by a pointer to the zone name, which always sits at offset 12 (right
//! after the header, in the zone section). A record's bytes therefore do not depend on where it
//! sits, and a message is the header, the zone section and records laid end to end, with sizes
//! known exactly before it is built. Record data is written by hickory without compression
//! (always allowed: RFC 3597 section 4). The tests check that such a message decodes to exactly
//! what `Update::to_wire` would send.

use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder, NameEncoding};

use crate::update::{Change, Prerequisite};

/// DNS header length; the zone name follows it.
const HEADER: usize = 12;
/// A compression pointer to offset 12: the zone name.
const ZONE_POINTER: [u8; 2] = [0xC0, HEADER as u8];
/// Opcode UPDATE (5) in the flags byte (RFC 2136 section 1.3).
const OPCODE_UPDATE: u8 = 5 << 3;

/// A name in uncompressed wire form.
pub fn name_bytes(name: &Name) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 1);
    for label in name.iter() {
        out.push(label.len() as u8);
        out.extend_from_slice(label);
    }
    out.push(0);
    out
}

/// The owner name: the labels below the zone and a pointer to the zone name; the zone itself
/// is just the pointer. A name whose zone part differs in case from the zone as written is
/// written in full: a pointer would change its case.
fn owner(name: &Name, zone: &Name, out: &mut Vec<u8>) {
    let below = usize::from(name.num_labels()).checked_sub(usize::from(zone.num_labels()));
    let compressible =
        !zone.is_root() && below.is_some_and(|below| name.iter().skip(below).eq(zone.iter()));
    match below {
        Some(below) if compressible => {
            for label in name.iter().take(below) {
                out.push(label.len() as u8);
                out.extend_from_slice(label);
            }
            out.extend_from_slice(&ZONE_POINTER);
        }
        _ => out.extend_from_slice(&name_bytes(name)),
    }
}

/// Encodes records; keeps one buffer for record data between them.
#[derive(Debug, Default)]
pub struct Encoder {
    data: Vec<u8>,
}

impl Encoder {
    /// One record of the prerequisite or update section, appended to `out`.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        out: &mut Vec<u8>,
        zone: &Name,
        name: &Name,
        rtype: RecordType,
        class: DNSClass,
        ttl: u32,
        rdata: Option<&RData>,
    ) -> Result<(), String> {
        owner(name, zone, out);
        out.extend_from_slice(&u16::from(rtype).to_be_bytes());
        out.extend_from_slice(&u16::from(class).to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        self.data.clear();
        if let Some(rdata) = rdata {
            let mut encoder = BinEncoder::new(&mut self.data);
            encoder.set_name_encoding(NameEncoding::Uncompressed);
            rdata
                .emit(&mut encoder)
                .map_err(|e| format!("cannot encode the record data of {name}: {e}"))?;
        }
        let len = u16::try_from(self.data.len())
            .map_err(|_| format!("the record data of {name} is larger than 65535 bytes"))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }

    /// A change as it appears in the update section (RFC 2136 section 2.5), as
    /// [`Update::to_message`](crate::update::Update::to_message) lays it out; appended to `out`.
    pub fn change(
        &mut self,
        out: &mut Vec<u8>,
        zone: &Name,
        class: DNSClass,
        change: &Change,
    ) -> Result<(), String> {
        match change {
            Change::Add { name, ttl, rdata } => self.record(
                out,
                zone,
                name,
                rdata.record_type(),
                class,
                *ttl,
                Some(rdata),
            ),
            Change::DeleteRrset(n, t) => self.record(out, zone, n, *t, DNSClass::ANY, 0, None),
            Change::DeleteName(n) => {
                self.record(out, zone, n, RecordType::ANY, DNSClass::ANY, 0, None)
            }
            Change::DeleteRecord(n, d) => {
                self.record(out, zone, n, d.record_type(), DNSClass::NONE, 0, Some(d))
            }
        }
    }

    /// A prerequisite as it appears in the prerequisite section (RFC 2136 section 2.4),
    /// appended to `out`.
    pub fn prerequisite(
        &mut self,
        out: &mut Vec<u8>,
        zone: &Name,
        class: DNSClass,
        p: &Prerequisite,
    ) -> Result<(), String> {
        match p {
            Prerequisite::NameInUse(n) => {
                self.record(out, zone, n, RecordType::ANY, DNSClass::ANY, 0, None)
            }
            Prerequisite::NameNotInUse(n) => {
                self.record(out, zone, n, RecordType::ANY, DNSClass::NONE, 0, None)
            }
            Prerequisite::RrsetExists(n, t) => {
                self.record(out, zone, n, *t, DNSClass::ANY, 0, None)
            }
            Prerequisite::RrsetAbsent(n, t) => {
                self.record(out, zone, n, *t, DNSClass::NONE, 0, None)
            }
            Prerequisite::RrsetEquals(n, d) => {
                self.record(out, zone, n, d.record_type(), class, 0, Some(d))
            }
        }
    }
}

/// Bytes before the first record: header and zone section.
pub fn preamble_len(zone: &Name) -> usize {
    HEADER + name_bytes(zone).len() + 4
}

/// A whole message: header with `id`, the zone section, then `prerequisites` (`prcount`
/// records) and `changes` (`upcount` records) as an [`Encoder`] wrote them.
pub fn message(
    id: u16,
    zone: &Name,
    class: DNSClass,
    prerequisites: (&[u8], u16),
    changes: (&[u8], u16),
) -> Vec<u8> {
    let zone_bytes = name_bytes(zone);
    let mut out =
        Vec::with_capacity(HEADER + zone_bytes.len() + 4 + prerequisites.0.len() + changes.0.len());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&[OPCODE_UPDATE, 0]);
    for count in [1, prerequisites.1, changes.1, 0] {
        out.extend_from_slice(&count.to_be_bytes());
    }
    out.extend_from_slice(&zone_bytes);
    out.extend_from_slice(&u16::from(RecordType::SOA).to_be_bytes());
    out.extend_from_slice(&u16::from(class).to_be_bytes());
    out.extend_from_slice(prerequisites.0);
    out.extend_from_slice(changes.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::update::{Update, parse_rdata};
    use hickory_proto::op::Message;

    fn n(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    fn d(t: RecordType, s: &str) -> RData {
        parse_rdata(t, s, &n("example.test.")).unwrap()
    }

    /// Our message and hickory's for the same update decode to the same message.
    fn same_as_hickory(update: &Update) -> Vec<u8> {
        let zone = update.zone();
        let mut encoder = Encoder::default();
        let mut pre = Vec::new();
        for p in update.prerequisites() {
            encoder
                .prerequisite(&mut pre, zone, update.class(), p)
                .unwrap();
        }
        let mut upd = Vec::new();
        for c in update.changes() {
            encoder.change(&mut upd, zone, update.class(), c).unwrap();
        }
        let ours = message(
            0x4242,
            zone,
            update.class(),
            (&pre, update.prerequisites().len() as u16),
            (&upd, update.changes().len() as u16),
        );
        let theirs = update.to_wire(0x4242).unwrap();
        assert_eq!(
            Message::from_vec(&ours).unwrap(),
            Message::from_vec(&theirs).unwrap()
        );
        ours
    }

    #[test]
    fn every_kind_of_change_and_prerequisite_decodes_as_hickory_sends_it() {
        let mut u = Update::new(n("example.test."));
        let www = n("www.example.test.");
        u.require_unchecked(Prerequisite::NameInUse(www.clone()))
            .require_unchecked(Prerequisite::NameNotInUse(n("new.example.test.")))
            .require_unchecked(Prerequisite::RrsetExists(www.clone(), RecordType::A))
            .require_unchecked(Prerequisite::RrsetAbsent(www.clone(), RecordType::AAAA))
            .require_unchecked(Prerequisite::RrsetEquals(
                www.clone(),
                d(RecordType::A, "192.0.2.1"),
            ))
            .require_unchecked(Prerequisite::NameInUse(n("example.test.")));
        u.change_unchecked(Change::Add {
            name: www.clone(),
            ttl: 300,
            rdata: d(RecordType::A, "192.0.2.2"),
        })
        .change_unchecked(Change::Add {
            name: n("mx.example.test."),
            ttl: 60,
            rdata: d(RecordType::MX, "10 mail.example.test."),
        })
        .change_unchecked(Change::Add {
            name: n("example.test."),
            ttl: 60,
            rdata: d(RecordType::TXT, "\"v=spf1 -all\" \"two\""),
        })
        .change_unchecked(Change::Add {
            name: n("_sip._tcp.example.test."),
            ttl: 60,
            rdata: d(RecordType::SRV, "10 60 5060 sip.example.test."),
        })
        .change_unchecked(Change::Add {
            name: n("alias.example.test."),
            ttl: 60,
            rdata: d(RecordType::CNAME, "www.example.test."),
        })
        .change_unchecked(Change::DeleteRrset(www.clone(), RecordType::AAAA))
        .change_unchecked(Change::DeleteName(n("old.example.test.")))
        .change_unchecked(Change::DeleteRecord(www, d(RecordType::A, "192.0.2.1")))
        // Case differs from the zone as written: sent in full, case kept.
        .change_unchecked(Change::DeleteName(n("Mixed.EXAMPLE.test.")));
        let ours = same_as_hickory(&u);
        // Owners point at the zone name: "www" + pointer.
        assert!(
            ours.windows(6)
                .any(|w| w == [3, b'w', b'w', b'w', 0xC0, 0x0C])
        );
    }

    #[test]
    fn compression_makes_a_bulk_message_smaller_than_hickorys() {
        let mut u = Update::new(n("bulk-apply-1.bench."));
        for i in 0..1000 {
            u.change_unchecked(Change::Add {
                name: n(&format!("h{i:05}.bulk-apply-1.bench.")),
                ttl: 300,
                rdata: d(RecordType::A, "10.0.0.1"),
            });
        }
        let ours = same_as_hickory(&u);
        let theirs = u.to_wire(1).unwrap();
        // 9 bytes of owner instead of 27 for all but hickory's first 120 names.
        assert!(
            ours.len() * 10 < theirs.len() * 6,
            "{} vs {}",
            ours.len(),
            theirs.len()
        );
    }

    #[test]
    fn names_outside_the_zone_and_the_root_zone_are_written_in_full() {
        let mut u = Update::new(Name::root());
        u.change_unchecked(Change::DeleteName(n("a.test.")));
        same_as_hickory(&u);
        let mut u = Update::new(n("example.test."));
        u.change_unchecked(Change::DeleteName(n("a.other.test.")))
            .change_unchecked(Change::DeleteName(n("test.")));
        same_as_hickory(&u);
    }
}
