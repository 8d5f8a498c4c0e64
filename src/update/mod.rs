//! RFC 2136 DNS UPDATE messages, built without I/O.
//!
//! An [`Update`] is a zone, a list of [`Prerequisite`]s (RFC 2136 section 2.4) and a list of
//! [`Change`]s (section 2.5). [`Update::to_wire`] lays them out ([`wire`]): the
//! zone section is the question section, prerequisites the answer section and changes the
//! authority section. Checks that a server would otherwise answer with NOTZONE or that nsupdate
//! refuses (names outside the zone, CNAME beside other data) happen when items are added.

pub mod rdata;
pub mod wire;

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

pub use rdata::{RdataError, is_meta, parse_rdata, parse_type, type_name};

/// The largest UPDATE we send over UDP; larger ones go over TCP (RFC 2136 section 6.2 leaves the
/// choice to the requestor; 512 is what every server accepts without EDNS).
pub const MAX_UDP_UPDATE: usize = 512;

/// A condition the server checks before applying any change (RFC 2136 section 2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prerequisite {
    /// 2.4.4 "Name is in use": class ANY, type ANY (nsupdate `yxdomain`).
    NameInUse(Name),
    /// 2.4.5 "Name is not in use": class NONE, type ANY (nsupdate `nxdomain`).
    NameNotInUse(Name),
    /// 2.4.1 "RRset exists (value independent)": class ANY (nsupdate `yxrrset NAME TYPE`).
    RrsetExists(Name, RecordType),
    /// 2.4.2 "RRset exists (value dependent)": one RR of the RRset; all such RRs for one name and
    /// type together must equal the RRset in the zone exactly.
    RrsetEquals(Name, RData),
    /// 2.4.3 "RRset does not exist": class NONE (nsupdate `nxrrset`).
    RrsetAbsent(Name, RecordType),
}

/// A change to the zone (RFC 2136 section 2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// 2.5.1 "Add to an RRset".
    Add {
        /// Owner name.
        name: Name,
        /// Time to live.
        ttl: u32,
        /// Record data.
        rdata: RData,
    },
    /// 2.5.2 "Delete an RRset": class ANY, the given type.
    DeleteRrset(Name, RecordType),
    /// 2.5.3 "Delete all RRsets from a name": class ANY, type ANY.
    DeleteName(Name),
    /// 2.5.4 "Delete an RR from an RRset": class NONE, with the rdata.
    DeleteRecord(Name, RData),
}

impl Prerequisite {
    /// The owner name the prerequisite is about.
    pub fn name(&self) -> &Name {
        match self {
            Self::NameInUse(n)
            | Self::NameNotInUse(n)
            | Self::RrsetExists(n, _)
            | Self::RrsetEquals(n, _)
            | Self::RrsetAbsent(n, _) => n,
        }
    }

    fn to_record(&self, class: DNSClass) -> Record {
        let (name, rtype, class, rdata) = match self {
            Self::NameInUse(n) => (n, RecordType::ANY, DNSClass::ANY, None),
            Self::NameNotInUse(n) => (n, RecordType::ANY, DNSClass::NONE, None),
            Self::RrsetExists(n, t) => (n, *t, DNSClass::ANY, None),
            Self::RrsetAbsent(n, t) => (n, *t, DNSClass::NONE, None),
            Self::RrsetEquals(n, d) => (n, d.record_type(), class, Some(d)),
        };
        record(name, 0, class, rtype, rdata)
    }
}

impl Change {
    /// The owner name the change is about.
    pub fn name(&self) -> &Name {
        match self {
            Self::Add { name, .. } => name,
            Self::DeleteRrset(n, _) | Self::DeleteName(n) | Self::DeleteRecord(n, _) => n,
        }
    }

    fn to_record(&self, class: DNSClass) -> Record {
        match self {
            Self::Add { name, ttl, rdata } => {
                record(name, *ttl, class, rdata.record_type(), Some(rdata))
            }
            Self::DeleteRrset(n, t) => record(n, 0, DNSClass::ANY, *t, None),
            Self::DeleteName(n) => record(n, 0, DNSClass::ANY, RecordType::ANY, None),
            Self::DeleteRecord(n, d) => record(n, 0, DNSClass::NONE, d.record_type(), Some(d)),
        }
    }
}

/// A record as it appears in an UPDATE; `None` rdata means RDLENGTH 0.
fn record(
    name: &Name,
    ttl: u32,
    class: DNSClass,
    rtype: RecordType,
    rdata: Option<&RData>,
) -> Record {
    let mut rec = match rdata {
        Some(d) => Record::from_rdata(name.clone(), ttl, d.clone()),
        None => Record::update0(name.clone(), ttl, rtype),
    };
    rec.dns_class = class;
    rec
}

/// Why an item cannot go into an update. The server would refuse it, or it makes no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// RFC 2136 section 3.4.1.3 / 3.2.1: every name must be in the zone (NOTZONE).
    #[error("{name} is not in zone {zone}")]
    NotInZone {
        /// The offending owner name.
        name: String,
        /// The zone of the update.
        zone: String,
    },
    /// RFC 1034 section 3.6.2 / RFC 2181 section 10.1: a CNAME cannot share its owner with other data.
    #[error("{name}: a CNAME cannot be added beside other data ({other}) in the same update")]
    CnameAndOther {
        /// Owner name.
        name: String,
        /// The other type added at the same name.
        other: String,
    },
    /// A meta type used where a stored type is required.
    #[error("{0} cannot be added or deleted as a record type")]
    MetaType(String),
    /// The message could not be encoded (e.g. it exceeds 65535 bytes).
    #[error("cannot encode the update: {0}")]
    Encode(String),
}

/// An RFC 2136 update for one zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    zone: Name,
    class: DNSClass,
    prerequisites: Vec<Prerequisite>,
    changes: Vec<Change>,
}

impl Update {
    /// An empty update of `zone` (class IN).
    pub fn new(zone: Name) -> Self {
        Self::with_class(zone, DNSClass::IN)
    }

    /// An empty update of `zone` in `class`.
    pub fn with_class(mut zone: Name, class: DNSClass) -> Self {
        zone.set_fqdn(true);
        Self {
            zone,
            class,
            prerequisites: Vec::new(),
            changes: Vec::new(),
        }
    }

    /// The zone (the single entry of the zone section).
    pub fn zone(&self) -> &Name {
        &self.zone
    }

    /// The zone class.
    pub fn class(&self) -> DNSClass {
        self.class
    }

    /// The prerequisites, in order.
    pub fn prerequisites(&self) -> &[Prerequisite] {
        &self.prerequisites
    }

    /// The changes, in order.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// True when there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.prerequisites.is_empty() && self.changes.is_empty()
    }

    fn check_name(&self, name: &Name) -> Result<(), UpdateError> {
        if self.zone.zone_of(name) {
            Ok(())
        } else {
            Err(UpdateError::NotInZone {
                name: name.to_string(),
                zone: self.zone.to_string(),
            })
        }
    }

    /// Add a prerequisite; its name must be in the zone.
    pub fn require(&mut self, prereq: Prerequisite) -> Result<&mut Self, UpdateError> {
        self.check_name(prereq.name())?;
        self.prerequisites.push(prereq);
        Ok(self)
    }

    /// Add a change; its name must be in the zone, and a CNAME may not be added beside other data.
    pub fn change(&mut self, change: Change) -> Result<&mut Self, UpdateError> {
        self.check_name(change.name())?;
        match &change {
            Change::Add { name, rdata, .. } => {
                let rtype = rdata.record_type();
                if is_meta(rtype) {
                    return Err(UpdateError::MetaType(type_name(rtype)));
                }
                self.check_cname(name, rtype)?;
            }
            Change::DeleteRrset(_, t) if is_meta(*t) && *t != RecordType::ANY => {
                return Err(UpdateError::MetaType(type_name(*t)));
            }
            _ => {}
        }
        self.changes.push(change);
        Ok(self)
    }

    /// Add a prerequisite without the zone check: the nsupdate front end lets the server judge
    /// (NOTZONE), as nsupdate does.
    pub fn require_unchecked(&mut self, prereq: Prerequisite) -> &mut Self {
        self.prerequisites.push(prereq);
        self
    }

    /// Add a change without local checks; see [`Update::require_unchecked`].
    pub fn change_unchecked(&mut self, change: Change) -> &mut Self {
        self.changes.push(change);
        self
    }

    fn check_cname(&self, name: &Name, rtype: RecordType) -> Result<(), UpdateError> {
        // DNSSEC types may live beside a CNAME (RFC 4035 section 2.5).
        let exempt = |t: RecordType| {
            matches!(
                t,
                RecordType::RRSIG | RecordType::NSEC | RecordType::NSEC3 | RecordType::KEY
            )
        };
        if exempt(rtype) {
            return Ok(());
        }
        for c in &self.changes {
            if let Change::Add {
                name: other_name,
                rdata,
                ..
            } = c
            {
                let other = rdata.record_type();
                if other_name.eq_ignore_root(name)
                    && !exempt(other)
                    && (other == RecordType::CNAME) != (rtype == RecordType::CNAME)
                {
                    let shown = if other == RecordType::CNAME {
                        rtype
                    } else {
                        other
                    };
                    return Err(UpdateError::CnameAndOther {
                        name: name.to_string(),
                        other: type_name(shown),
                    });
                }
            }
        }
        Ok(())
    }

    /// The update as a hickory message with the given ID (unsigned).
    pub fn to_message(&self, id: u16) -> Message {
        let mut msg = Message::new(id, MessageType::Query, OpCode::Update);
        let mut zone = Query::query(self.zone.clone(), RecordType::SOA);
        zone.set_query_class(self.class);
        msg.add_query(zone);
        for p in &self.prerequisites {
            msg.add_answer(p.to_record(self.class));
        }
        for c in &self.changes {
            msg.add_authority(c.to_record(self.class));
        }
        msg
    }

    /// The update in wire form with the given ID (unsigned), names compressed as BIND's
    /// nsupdate does ([`wire::message`]); refused when larger than a DNS message can hold.
    pub fn to_wire(&self, id: u16) -> Result<Vec<u8>, UpdateError> {
        wire::message(self, id).map_err(UpdateError::Encode)
    }
}

#[cfg(test)]
mod tests;
