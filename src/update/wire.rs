//! The wire form of UPDATE messages, for every path: an nsupdate or knsupdate `send`, a native
//! command, the daemon and the bulk path (`dnsup apply`). Names are compressed as BIND's
//! nsupdate compresses them (RFC 1035 section 4.1.4): owner names, and the names inside the
//! data of the RFC 1035 types that may be compressed (NS, CNAME, PTR, MX, SOA; RFC 3597 section
//! 4), point at the longest suffix written before them.
//!
//! Hand-written because hickory's encoder keeps at most 64 compression candidates: past the
//! first ~120 names of a message every owner was written in full, and 2,001 TXT adds that BIND's
//! nsupdate sends as one message came to more than 65,535 bytes.
//!
//! One [`Encoder`], used two ways:
//! - [`message`]: one [`Update`]; every name written may be pointed at by a later one.
//! - Position-independent records for the bulk planner ([`Encoder::change`],
//!   [`Encoder::prerequisite`], [`assemble`]): names are compressed only against the zone
//!   name in the zone section, which always sits at offset 12, so a record's bytes do not
//!   depend on where it goes, and a message is the header, the zone section and records laid
//!   end to end, with its size known exactly before it is built.
//!
//! Other record data is written by hickory without compression. A name is compressed only
//! against a suffix written in the same case, so every name keeps its case. The tests check that
//! the messages decode to exactly what hickory's encoder would have sent.

use std::collections::HashMap;

use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder, NameEncoding};

use super::{Change, Prerequisite, Update};

/// DNS header length; the zone name follows it.
const HEADER: usize = 12;
/// Opcode UPDATE (5) in the flags byte (RFC 2136 section 1.3).
const OPCODE_UPDATE: u8 = 5 << 3;
/// A pointer holds a 14-bit offset.
const MAX_POINTER: usize = 0x3FFF;
/// The largest DNS message (RFC 1035 section 4.2.2: the TCP length field).
pub const MAX_MESSAGE: usize = 65_535;

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

/// Writes names and records, compressing names against the suffixes it has seen.
#[derive(Debug, Default)]
pub struct Encoder {
    /// A suffix in uncompressed wire form (case as written) and the offset where it starts.
    table: HashMap<Vec<u8>, u16>,
    /// Position-independent mode: the zone (wire form) whose name the table holds.
    zone: Option<Vec<u8>>,
    /// One message: names written are added to the table (`out` is then the whole message).
    learn: bool,
    /// Scratch: a name's uncompressed form and where its labels start.
    scratch: Vec<u8>,
    starts: Vec<usize>,
    /// Scratch: record data written by hickory.
    data: Vec<u8>,
}

impl Encoder {
    /// Position-independent mode for records of `zone`: the table holds the zone name's
    /// suffixes where the zone section puts them, and nothing else.
    fn position_independent(&mut self, zone: &Name) {
        let bytes = name_bytes(zone);
        if !self.learn && self.zone.as_ref() == Some(&bytes) {
            return;
        }
        self.table.clear();
        self.learn = true;
        let mut preamble = vec![0; HEADER];
        self.name(&mut preamble, zone);
        self.learn = false;
        self.zone = Some(bytes);
    }

    /// Append `name`: its labels up to the longest known suffix, then a pointer to it. In
    /// message mode the suffixes written in full become known.
    fn name(&mut self, out: &mut Vec<u8>, name: &Name) {
        let (w, starts) = (&mut self.scratch, &mut self.starts);
        w.clear();
        starts.clear();
        for label in name.iter() {
            starts.push(w.len());
            w.push(label.len() as u8);
            w.extend_from_slice(label);
        }
        w.push(0);
        let hit = starts
            .iter()
            .enumerate()
            .find_map(|(i, &s)| self.table.get(&w[s..]).map(|&at| (i, at)));
        let (full, end) = match hit {
            Some((i, _)) => (i, starts[i]),
            None => (starts.len(), w.len()),
        };
        let base = out.len();
        if self.learn {
            for &s in &starts[..full] {
                if base + s <= MAX_POINTER {
                    self.table
                        .entry(w[s..].to_vec())
                        .or_insert((base + s) as u16);
                }
            }
        }
        out.extend_from_slice(&w[..end]);
        if let Some((_, at)) = hit {
            out.extend_from_slice(&(0xC000 | at).to_be_bytes());
        }
    }

    /// Record data: the names of the RFC 1035 types compressed, the rest as hickory writes it.
    fn rdata(&mut self, out: &mut Vec<u8>, owner: &Name, rdata: &RData) -> Result<(), String> {
        match rdata {
            RData::NS(n) => self.name(out, &n.0),
            RData::CNAME(n) => self.name(out, &n.0),
            RData::PTR(n) => self.name(out, &n.0),
            RData::MX(mx) => {
                out.extend_from_slice(&mx.preference.to_be_bytes());
                self.name(out, &mx.exchange);
            }
            RData::SOA(soa) => {
                self.name(out, &soa.mname);
                self.name(out, &soa.rname);
                out.extend_from_slice(&soa.serial.to_be_bytes());
                out.extend_from_slice(&soa.refresh.to_be_bytes());
                out.extend_from_slice(&soa.retry.to_be_bytes());
                out.extend_from_slice(&soa.expire.to_be_bytes());
                out.extend_from_slice(&soa.minimum.to_be_bytes());
            }
            other => {
                self.data.clear();
                let mut encoder = BinEncoder::new(&mut self.data);
                encoder.set_name_encoding(NameEncoding::Uncompressed);
                other
                    .emit(&mut encoder)
                    .map_err(|e| format!("cannot encode the record data of {owner}: {e}"))?;
                out.extend_from_slice(&self.data);
            }
        }
        Ok(())
    }

    /// One record of the prerequisite or update section, appended to `out`.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        out: &mut Vec<u8>,
        name: &Name,
        rtype: RecordType,
        class: DNSClass,
        ttl: u32,
        rdata: Option<&RData>,
    ) -> Result<(), String> {
        self.name(out, name);
        out.extend_from_slice(&u16::from(rtype).to_be_bytes());
        out.extend_from_slice(&u16::from(class).to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        let at = out.len();
        out.extend_from_slice(&[0, 0]);
        if let Some(rdata) = rdata {
            self.rdata(out, name, rdata)?;
        }
        let len = u16::try_from(out.len() - at - 2)
            .map_err(|_| format!("the record data of {name} is larger than 65535 bytes"))?;
        out[at..at + 2].copy_from_slice(&len.to_be_bytes());
        Ok(())
    }

    fn change_record(
        &mut self,
        out: &mut Vec<u8>,
        class: DNSClass,
        change: &Change,
    ) -> Result<(), String> {
        match change {
            Change::Add { name, ttl, rdata } => {
                self.record(out, name, rdata.record_type(), class, *ttl, Some(rdata))
            }
            Change::DeleteRrset(n, t) => self.record(out, n, *t, DNSClass::ANY, 0, None),
            Change::DeleteName(n) => self.record(out, n, RecordType::ANY, DNSClass::ANY, 0, None),
            Change::DeleteRecord(n, d) => {
                self.record(out, n, d.record_type(), DNSClass::NONE, 0, Some(d))
            }
        }
    }

    fn prerequisite_record(
        &mut self,
        out: &mut Vec<u8>,
        class: DNSClass,
        p: &Prerequisite,
    ) -> Result<(), String> {
        match p {
            Prerequisite::NameInUse(n) => {
                self.record(out, n, RecordType::ANY, DNSClass::ANY, 0, None)
            }
            Prerequisite::NameNotInUse(n) => {
                self.record(out, n, RecordType::ANY, DNSClass::NONE, 0, None)
            }
            Prerequisite::RrsetExists(n, t) => self.record(out, n, *t, DNSClass::ANY, 0, None),
            Prerequisite::RrsetAbsent(n, t) => self.record(out, n, *t, DNSClass::NONE, 0, None),
            Prerequisite::RrsetEquals(n, d) => {
                self.record(out, n, d.record_type(), class, 0, Some(d))
            }
        }
    }

    /// A change as it appears in the update section (RFC 2136 section 2.5) of a message for
    /// `zone`, position-independent; appended to `out`.
    pub fn change(
        &mut self,
        out: &mut Vec<u8>,
        zone: &Name,
        class: DNSClass,
        change: &Change,
    ) -> Result<(), String> {
        self.position_independent(zone);
        self.change_record(out, class, change)
    }

    /// A prerequisite as it appears in the prerequisite section (RFC 2136 section 2.4) of a
    /// message for `zone`, position-independent; appended to `out`.
    pub fn prerequisite(
        &mut self,
        out: &mut Vec<u8>,
        zone: &Name,
        class: DNSClass,
        p: &Prerequisite,
    ) -> Result<(), String> {
        self.position_independent(zone);
        self.prerequisite_record(out, class, p)
    }
}

/// The header of an UPDATE with `id` and the section counts.
fn header(out: &mut Vec<u8>, id: u16, counts: [u16; 4]) {
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&[OPCODE_UPDATE, 0]);
    for count in counts {
        out.extend_from_slice(&count.to_be_bytes());
    }
}

/// `update` in wire form with `id`, unsigned: every name compressed against those before it.
/// Refused when it does not fit in a DNS message (65,535 bytes).
pub fn message(update: &Update, id: u16) -> Result<Vec<u8>, String> {
    let too_many = |what| format!("the update has more {what} than a DNS message can hold (65535)");
    let prcount =
        u16::try_from(update.prerequisites().len()).map_err(|_| too_many("prerequisites"))?;
    let upcount = u16::try_from(update.changes().len()).map_err(|_| too_many("changes"))?;
    let mut encoder = Encoder {
        learn: true,
        ..Encoder::default()
    };
    let mut out = Vec::with_capacity(512);
    header(&mut out, id, [1, prcount, upcount, 0]);
    encoder.name(&mut out, update.zone());
    out.extend_from_slice(&u16::from(RecordType::SOA).to_be_bytes());
    out.extend_from_slice(&u16::from(update.class()).to_be_bytes());
    for p in update.prerequisites() {
        encoder.prerequisite_record(&mut out, update.class(), p)?;
    }
    for c in update.changes() {
        encoder.change_record(&mut out, update.class(), c)?;
        if out.len() > MAX_MESSAGE {
            break;
        }
    }
    if out.len() > MAX_MESSAGE {
        return Err(format!(
            "the update is larger than a DNS message can hold ({MAX_MESSAGE} bytes); split it"
        ));
    }
    Ok(out)
}

/// Bytes before the first record: header and zone section.
pub fn preamble_len(zone: &Name) -> usize {
    HEADER + name_bytes(zone).len() + 4
}

/// A whole message of position-independent records: header with `id`, the zone section, then
/// `prerequisites` (`prcount` records) and `changes` (`upcount` records) as
/// [`Encoder::prerequisite`] and [`Encoder::change`] wrote them.
pub fn assemble(
    id: u16,
    zone: &Name,
    class: DNSClass,
    prerequisites: (&[u8], u16),
    changes: (&[u8], u16),
) -> Vec<u8> {
    let zone_bytes = name_bytes(zone);
    let mut out =
        Vec::with_capacity(HEADER + zone_bytes.len() + 4 + prerequisites.0.len() + changes.0.len());
    header(&mut out, id, [1, prerequisites.1, changes.1, 0]);
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
        let ours = assemble(
            0x4242,
            zone,
            update.class(),
            (&pre, update.prerequisites().len() as u16),
            (&upd, update.changes().len() as u16),
        );
        let theirs = update.to_message(0x4242).to_vec().unwrap();
        assert_eq!(
            Message::from_vec(&ours).unwrap(),
            Message::from_vec(&theirs).unwrap()
        );
        // The message mode compresses at least as well and decodes the same.
        let whole = message(update, 0x4242).unwrap();
        assert!(whole.len() <= ours.len());
        assert_eq!(
            Message::from_vec(&whole).unwrap(),
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
        let theirs = u.to_message(1).to_vec().unwrap();
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

    /// The nsupdate script of issue 17: 2,001 TXT adds in one send. BIND's nsupdate sends them
    /// as one message; hickory's encoder wrote them in more than 65,535 bytes.
    #[test]
    fn two_thousand_and_one_txt_adds_fit_in_one_message_as_nsupdate_sends_them() {
        let zone = n("many-updates.test.");
        let mut u = Update::new(zone.clone());
        for i in 0..2001 {
            u.change_unchecked(Change::Add {
                name: n(&format!("host{i}.many-updates.test.")),
                ttl: 3600,
                rdata: d(RecordType::TXT, &format!("\"host {i}\"")),
            });
        }
        let wire = u.to_wire(7).unwrap();
        assert!(wire.len() <= MAX_MESSAGE, "{}", wire.len());
        let decoded = Message::from_vec(&wire).unwrap();
        assert_eq!(decoded.authorities, u.to_message(7).authorities);
        assert_eq!(decoded.metadata.id, 7);
        // Owners past the first 16 KiB still point at the zone name.
        let last = b"\x08host2000\xc0\x0c";
        assert!(wire.windows(last.len()).any(|w| w == last));
    }

    #[test]
    fn names_in_record_data_and_repeated_owners_point_at_earlier_names() {
        let mut u = Update::new(n("example.test."));
        u.change_unchecked(Change::Add {
            name: n("www.example.test."),
            ttl: 60,
            rdata: d(RecordType::A, "192.0.2.1"),
        })
        .change_unchecked(Change::Add {
            name: n("alias.example.test."),
            ttl: 60,
            rdata: d(RecordType::CNAME, "www.example.test."),
        })
        .change_unchecked(Change::Add {
            name: n("example.test."),
            ttl: 60,
            rdata: d(RecordType::MX, "10 mail.www.example.test."),
        })
        .change_unchecked(Change::Add {
            name: n("www.example.test."),
            ttl: 60,
            rdata: RData::NS(hickory_proto::rr::rdata::NS(n("ns.Example.test."))),
        });
        let wire = same_as_hickory(&u);
        let whole = message(&u, 0x4242).unwrap();
        // "www" is written once (at offset 30); the CNAME's data and the second owner point
        // at it, the MX's exchange is "mail" + that pointer.
        assert_eq!(whole.windows(4).filter(|w| *w == b"\x03www").count(), 1);
        assert!(whole.windows(5).any(|w| w == b"\x04mail"));
        assert!(whole.windows(2).filter(|w| *w == [0xC0, 30]).count() >= 3);
        // Case is kept: "Example" is not compressed against "example".
        assert!(whole.windows(8).any(|w| w == b"\x07Example"));
        assert!(whole.len() < wire.len());
    }

    #[test]
    fn a_message_larger_than_65535_bytes_is_refused() {
        let mut u = Update::new(n("example.test."));
        let long = format!("\"{}\"", "x".repeat(255));
        for i in 0..300 {
            u.change_unchecked(Change::Add {
                name: n(&format!("t{i}.example.test.")),
                ttl: 60,
                rdata: d(RecordType::TXT, &long),
            });
        }
        let e = message(&u, 1).unwrap_err();
        assert!(e.contains("65535 bytes"), "{e}");
    }
}
