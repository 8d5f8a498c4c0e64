//! Splitting a bulk change into messages that each fit (RFC 1035 section 4.2.2: a DNS message
//! over TCP is at most 65535 bytes).
//!
//! Every change is encoded once ([`super::wire`]); its size in any message is exactly that, so
//! batches are filled to the byte within [`Limits::max_bytes`], the TSIG record (budgeted
//! separately) included.
//!
//! The checks an [`Update`] makes per change are done here once for the whole input (names in
//! the zone, no meta types, no CNAME beside other data at one name), in linear time: splitting
//! must not change which inputs are accepted.

use std::collections::HashMap;

use hickory_proto::rr::{DNSClass, Name, RecordType};

use super::input::{InputError, Item};
use super::wire;
use crate::update::{Change, Prerequisite, Update, is_meta, type_name};

/// The default size budget of one signed message, below the 65535-byte maximum.
pub const MAX_MESSAGE_BYTES: usize = 60_000;

/// Type, class, TTL and RDLENGTH of a record.
const RR_FIXED: usize = 10;

/// How large a message may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many changes per message (`--batch-size`); `None`: as many as fit.
    pub max_records: Option<usize>,
    /// At most this many bytes per message, TSIG included.
    pub max_bytes: usize,
    /// Bytes to keep free for the TSIG record (0 when unsigned).
    pub tsig_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_records: None,
            max_bytes: MAX_MESSAGE_BYTES,
            tsig_bytes: 0,
        }
    }
}

/// One message's worth of changes.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Indexes into the items, in input order.
    pub items: Vec<usize>,
    /// With `--if-absent`, one "RRset does not exist" prerequisite per RRset added.
    pub prerequisites: Vec<Prerequisite>,
    /// The size of the message, unsigned.
    pub bytes: usize,
    zone: Name,
    class: DNSClass,
    prerequisite_bytes: Vec<u8>,
    change_bytes: Vec<u8>,
}

impl Batch {
    /// The zone.
    pub fn zone(&self) -> &Name {
        &self.zone
    }

    /// The zone class.
    pub fn class(&self) -> DNSClass {
        self.class
    }

    /// The message with this ID, unsigned: what [`Batch::update`]'s `to_wire` would send,
    /// with every owner name compressed ([`super::wire`]).
    pub fn to_wire(&self, id: u16) -> Vec<u8> {
        wire::assemble(
            id,
            &self.zone,
            self.class,
            (&self.prerequisite_bytes, self.prerequisites.len() as u16),
            (&self.change_bytes, self.items.len() as u16),
        )
    }

    /// The batch as an [`Update`] (for display and checks; sending uses [`Batch::to_wire`]).
    pub fn update(&self, items: &[Item]) -> Update {
        let mut update = Update::with_class(self.zone.clone(), self.class);
        for p in &self.prerequisites {
            update.require_unchecked(p.clone());
        }
        for &i in &self.items {
            update.change_unchecked(items[i].change.clone());
        }
        update
    }
}

/// The size of the TSIG record a request signed with `key` carries (RFC 8945 section 4.2):
/// owner, fixed part, algorithm name, time (6), fudge, MAC size, MAC, original ID, error and
/// other length (2 each), no other data.
pub fn tsig_bytes(key: &crate::tsig::Key) -> usize {
    wire::name_bytes(key.name()).len()
        + RR_FIXED
        + wire::name_bytes(&key.algorithm().wire_name()).len()
        + 6
        + 2
        + 2
        + key.mac_len()
        + 2
        + 2
        + 2
}

/// The types that may live beside a CNAME (RFC 4035 section 2.5, as [`Update`] allows).
fn cname_exempt(t: RecordType) -> bool {
    matches!(
        t,
        RecordType::RRSIG | RecordType::NSEC | RecordType::NSEC3 | RecordType::KEY
    )
}

/// What was added at one owner name: the line of a CNAME, and the line and type of other data.
type Added = (Option<usize>, Option<(usize, RecordType)>);

/// Check one item as [`Update::change`] would: a name in the zone, no meta type.
pub fn check_item(zone: &Name, item: &Item) -> Result<(), InputError> {
    let meta = |t: RecordType| InputError {
        line: item.line,
        message: format!(
            "{} cannot be added or deleted as a record type",
            type_name(t)
        ),
    };
    let name = item.change.name();
    if !zone.zone_of(name) {
        return Err(InputError {
            line: item.line,
            message: format!("{name} is not in zone {zone}"),
        });
    }
    match &item.change {
        Change::Add { rdata, .. } if is_meta(rdata.record_type()) => Err(meta(rdata.record_type())),
        Change::DeleteRrset(_, t) if is_meta(*t) && *t != RecordType::ANY => Err(meta(*t)),
        _ => Ok(()),
    }
}

/// Whether `item` adds a CNAME (only then is [`CnameCheck`] needed).
pub fn adds_cname(item: &Item) -> bool {
    matches!(&item.change, Change::Add { rdata, .. } if rdata.record_type() == RecordType::CNAME)
}

/// Check every item as [`Update::change`] would, for the whole input at once.
fn check(zone: &Name, items: &[Item]) -> Result<(), InputError> {
    let mut cnames = false;
    for item in items {
        check_item(zone, item)?;
        cnames |= adds_cname(item);
    }
    if cnames {
        let mut c = CnameCheck::default();
        items.iter().try_for_each(|i| c.add(i))
    } else {
        Ok(())
    }
}

/// No CNAME beside other data at one name (RFC 1034 section 3.6.2), among the adds, fed one
/// item at a time. Names are kept as 64-bit keyed hashes of their lower-case form (16 bytes
/// a name instead of the name), so a stream of a million names stays small; a collision,
/// about one chance in 10^7 for a million names, would refuse an input, never accept one.
#[derive(Default)]
pub struct CnameCheck {
    hasher: std::collections::hash_map::RandomState,
    seen: HashMap<u64, Added>,
}

impl CnameCheck {
    /// Account for `item`; an error names the conflicting lines.
    pub fn add(&mut self, item: &Item) -> Result<(), InputError> {
        use std::hash::BuildHasher as _;
        let Change::Add { name, rdata, .. } = &item.change else {
            return Ok(());
        };
        let t = rdata.record_type();
        if cname_exempt(t) {
            return Ok(());
        }
        let fail = |message: String| InputError {
            line: item.line,
            message,
        };
        let key = self.hasher.hash_one(name.to_lowercase().to_string());
        let entry = self.seen.entry(key).or_default();
        if t == RecordType::CNAME {
            entry.0.get_or_insert(item.line);
            if let Some((line, other)) = entry.1 {
                return Err(fail(format!(
                    "{name}: a CNAME cannot be added beside other data ({}, line {line})",
                    type_name(other)
                )));
            }
        } else {
            entry.1.get_or_insert((item.line, t));
            if let Some(line) = entry.0 {
                return Err(fail(format!(
                    "{name}: {} cannot be added beside a CNAME (line {line})",
                    type_name(t)
                )));
            }
        }
        Ok(())
    }
}

/// Units that must stay in one message: single items, or with `if_absent` every item of one
/// RRset (its prerequisite guards them together), in order of first appearance.
fn units(items: &[Item], if_absent: bool) -> Result<Vec<Vec<usize>>, InputError> {
    if !if_absent {
        return Ok((0..items.len()).map(|i| vec![i]).collect());
    }
    let mut units: Vec<Vec<usize>> = Vec::new();
    let mut by_rrset: HashMap<(Name, RecordType), usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let Change::Add { name, rdata, .. } = &item.change else {
            return Err(InputError {
                line: item.line,
                message: "--if-absent applies to adds only: this line deletes".into(),
            });
        };
        let key = (name.clone(), rdata.record_type());
        match by_rrset.get(&key) {
            Some(&u) => units[u].push(i),
            None => {
                by_rrset.insert(key, units.len());
                units.push(vec![i]);
            }
        }
    }
    Ok(units)
}

/// Split `items` into messages for `zone`. With `if_absent`, every item must be an add, and each
/// message requires that the RRsets it adds to do not exist yet (RFC 2136 section 2.4.3).
pub fn plan(
    zone: &Name,
    items: &[Item],
    limits: &Limits,
    if_absent: bool,
) -> Result<Vec<Batch>, InputError> {
    check(zone, items)?;
    let class = DNSClass::IN;
    let budget = limits
        .max_bytes
        .saturating_sub(wire::preamble_len(zone) + limits.tsig_bytes);
    let max_records = limits.max_records.unwrap_or(usize::MAX).clamp(1, 65_535);
    let empty = |zone: &Name| Batch {
        items: Vec::new(),
        prerequisites: Vec::new(),
        bytes: wire::preamble_len(zone),
        zone: zone.clone(),
        class,
        prerequisite_bytes: Vec::new(),
        change_bytes: Vec::new(),
    };
    let mut encoder = wire::Encoder::default();
    let mut batches = Vec::new();
    let mut current = empty(zone);
    let mut changes = Vec::new();
    let mut prerequisite = Vec::new();
    for unit in units(items, if_absent)? {
        changes.clear();
        for &i in &unit {
            encoder
                .change(&mut changes, zone, class, &items[i].change)
                .map_err(|message| InputError {
                    line: items[i].line,
                    message,
                })?;
        }
        prerequisite.clear();
        let guard = match (&items[unit[0]].change, if_absent) {
            (Change::Add { name, rdata, .. }, true) => {
                let p = Prerequisite::RrsetAbsent(name.clone(), rdata.record_type());
                encoder
                    .prerequisite(&mut prerequisite, zone, class, &p)
                    .map_err(|message| InputError {
                        line: items[unit[0]].line,
                        message,
                    })?;
                Some(p)
            }
            _ => None,
        };
        // --batch-size counts changes; the count fields hold at most 65535 records.
        let cost = changes.len() + prerequisite.len();
        let fits = current.items.len() + unit.len() <= max_records
            && current.bytes + cost <= budget + wire::preamble_len(zone);
        if !fits && !current.items.is_empty() {
            batches.push(std::mem::replace(&mut current, empty(zone)));
        }
        current.bytes += cost;
        current.items.extend(unit);
        current.change_bytes.extend_from_slice(&changes);
        current.prerequisite_bytes.extend_from_slice(&prerequisite);
        current.prerequisites.extend(guard);
    }
    if !current.items.is_empty() {
        batches.push(current);
    }
    Ok(batches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::input::parse;

    fn zone() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    fn items(n: usize) -> Vec<Item> {
        let text: String = (0..n)
            .map(|i| {
                format!(
                    "add h{i:05}.example.test. 300 A 10.0.{}.{}\n",
                    i / 256,
                    i % 256
                )
            })
            .collect();
        parse(&text, &Name::root(), None).unwrap()
    }

    #[test]
    fn every_message_fits_and_nothing_is_lost() {
        let items = items(10_000);
        let limits = Limits {
            tsig_bytes: 200,
            ..Limits::default()
        };
        let batches = plan(&zone(), &items, &limits, false).unwrap();
        assert!(batches.len() >= 4, "{}", batches.len());
        let mut seen: Vec<usize> = Vec::new();
        for b in &batches {
            let wire = b.to_wire(0x1234);
            assert_eq!(wire.len(), b.bytes);
            assert!(wire.len() + 200 <= MAX_MESSAGE_BYTES);
            // It decodes to the update (hickory cannot encode it: too large uncompressed).
            assert_eq!(
                hickory_proto::op::Message::from_vec(&wire).unwrap(),
                b.update(&items).to_message(0x1234)
            );
            seen.extend(&b.items);
        }
        assert_eq!(seen, (0..10_000).collect::<Vec<_>>());
        // Filled to within one record of the budget.
        assert!(batches[0].bytes + 200 > MAX_MESSAGE_BYTES - 30);
    }

    #[test]
    fn batch_size_caps_the_record_count() {
        let items = items(25);
        let limits = Limits {
            max_records: Some(10),
            ..Limits::default()
        };
        let sizes: Vec<usize> = plan(&zone(), &items, &limits, false)
            .unwrap()
            .iter()
            .map(|b| b.items.len())
            .collect();
        assert_eq!(sizes, [10, 10, 5]);
    }

    #[test]
    fn if_absent_keeps_an_rrset_together_with_one_prerequisite() {
        let text = "add a.example.test. 1 A 192.0.2.1\nadd b.example.test. 1 A 192.0.2.2\n\
                    add a.example.test. 1 A 192.0.2.3\nadd a.example.test. 1 TXT x\n";
        let items = parse(text, &Name::root(), None).unwrap();
        let limits = Limits {
            max_records: Some(2),
            ..Limits::default()
        };
        let batches = plan(&zone(), &items, &limits, true).unwrap();
        let groups: Vec<Vec<usize>> = batches.iter().map(|b| b.items.clone()).collect();
        assert_eq!(groups, [vec![0, 2], vec![1, 3]]);
        assert_eq!(batches[0].prerequisites.len(), 1);
        assert_eq!(batches[1].prerequisites.len(), 2);
        for b in &batches {
            assert_eq!(
                hickory_proto::op::Message::from_vec(&b.to_wire(7)).unwrap(),
                b.update(&items).to_message(7)
            );
        }
        let deletes = parse("del a.example.test. A\n", &Name::root(), None).unwrap();
        assert!(plan(&zone(), &deletes, &limits, true).is_err());
    }

    #[test]
    fn whole_input_checks() {
        let bad = [
            ("add a.other.test. 1 A 192.0.2.1\n", "not in zone"),
            (
                "add a.example.test. 1 A 192.0.2.1\nadd b.example.test. 1 A 192.0.2.2\n\
                 add a.example.test. 1 CNAME b.example.test.\n",
                "line 3: a.example.test.: a CNAME cannot be added beside other data (A, line 1)",
            ),
        ];
        for (text, needle) in bad {
            let items = parse(text, &Name::root(), None).unwrap();
            let limits = Limits {
                max_records: Some(1),
                ..Limits::default()
            };
            let e = plan(&zone(), &items, &limits, false).unwrap_err();
            assert!(e.to_string().contains(needle), "{e}");
        }
    }

    #[test]
    fn one_oversized_change_is_alone() {
        let big = format!("add t.example.test. 1 TXT {}\n", "\"x\" ".repeat(300));
        let text =
            format!("add a.example.test. 1 A 192.0.2.1\n{big}add b.example.test. 1 A 192.0.2.2\n");
        let items = parse(&text, &Name::root(), None).unwrap();
        let limits = Limits {
            max_bytes: 400,
            ..Limits::default()
        };
        let groups: Vec<Vec<usize>> = plan(&zone(), &items, &limits, false)
            .unwrap()
            .iter()
            .map(|b| b.items.clone())
            .collect();
        assert_eq!(groups, [vec![0], vec![1], vec![2]]);
    }
}
