//! nsupdate's zone discovery, without I/O: what an answer to one SOA query means for the walk
//! (BIND 9.18 `recvsoa`). The caller sends the queries, prints nsupdate's lines and follows
//! the [`SoaStep`].
//!
//! The rules, in BIND's order: REFUSED moves on to the next server; an opcode other than QUERY
//! and an rcode other than NOERROR or NXDOMAIN end nsupdate; NXDOMAIN for a zone the user named
//! is an error for this send only; then an SOA is looked for among the answer's names in order
//! (a CNAME or DNAME there means "ask one label up"), then in the authority section; with no SOA,
//! ask one label up.

use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// What to do after an answer to an SOA query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SoaStep {
    /// The zone is `zone`, its primary `primary` (the SOA MNAME).
    Found {
        /// The owner of the SOA.
        zone: Name,
        /// The SOA MNAME.
        primary: Name,
    },
    /// Ask again for the parent of the name just asked about (nsupdate ends with `could not
    /// find enclosing zone` when that name is the root).
    Parent,
    /// The server refused: ask the next one (`; Communication with ADDR failed: REFUSED`).
    Refused,
    /// Not an answer to a query: nsupdate ends with `invalid OPCODE in response to SOA query`.
    BadOpcode,
    /// nsupdate ends with `response to SOA query was unsuccessful`.
    Unsuccessful,
    /// The zone named with `zone` does not exist: nsupdate says `specified zone 'ZONE' does
    /// not exist (NXDOMAIN)` and gives up this send.
    NoSuchZone,
}

/// The distinct owner names of `records`, in order of first appearance.
fn names(records: &[Record]) -> Vec<&Name> {
    let mut out: Vec<&Name> = Vec::new();
    for r in records {
        if !out.iter().any(|n| **n == r.name) {
            out.push(&r.name);
        }
    }
    out
}

fn soa_of<'a>(records: &'a [Record], name: &Name) -> Option<&'a Name> {
    records
        .iter()
        .filter(|r| r.name == *name)
        .find_map(|r| match &r.data {
            RData::SOA(soa) => Some(&soa.mname),
            _ => None,
        })
}

/// Classify an answer to an SOA query; `user_zone` is true when the query was for the zone
/// given with the `zone` command.
pub fn soa_step(response: &Message, user_zone: bool) -> SoaStep {
    let m = &response.metadata;
    if m.response_code == ResponseCode::Refused {
        return SoaStep::Refused;
    }
    if m.op_code != OpCode::Query {
        return SoaStep::BadOpcode;
    }
    match m.response_code {
        ResponseCode::NoError => {}
        ResponseCode::NXDomain if user_zone => return SoaStep::NoSuchZone,
        ResponseCode::NXDomain => {}
        _ => return SoaStep::Unsuccessful,
    }
    for name in names(&response.answers) {
        if let Some(primary) = soa_of(&response.answers, name) {
            return SoaStep::Found {
                zone: name.clone(),
                primary: primary.clone(),
            };
        }
        let redirect = response.answers.iter().any(|r| {
            r.name == *name && matches!(r.record_type(), RecordType::CNAME | RecordType::DNAME)
        });
        if redirect {
            return SoaStep::Parent;
        }
    }
    for name in names(&response.authorities) {
        if let Some(primary) = soa_of(&response.authorities, name) {
            return SoaStep::Found {
                zone: name.clone(),
                primary: primary.clone(),
            };
        }
    }
    SoaStep::Parent
}

/// The name BIND prints in its messages: no final dot, except for the root.
pub fn name_for_message(name: &Name) -> String {
    let text = super::present::name_text(name);
    if text == "." {
        text
    } else {
        text.trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use hickory_proto::op::MessageType;
    use hickory_proto::rr::rdata::{CNAME, SOA};

    use super::*;

    fn n(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    fn soa(owner: &str, mname: &str) -> Record {
        let data = SOA::new(n(mname), n("h."), 1, 2, 3, 4, 5);
        Record::from_rdata(n(owner), 300, RData::SOA(data))
    }

    fn answer(rcode: ResponseCode) -> Message {
        let mut m = Message::new(1, MessageType::Response, OpCode::Query);
        m.metadata.response_code = rcode;
        m
    }

    #[test]
    fn steps() {
        let mut m = answer(ResponseCode::NoError);
        m.answers.push(soa("example.test.", "ns1.example.test."));
        assert_eq!(
            soa_step(&m, false),
            SoaStep::Found {
                zone: n("example.test."),
                primary: n("ns1.example.test.")
            }
        );
        let mut m = answer(ResponseCode::NXDomain);
        m.authorities.push(soa("example.test.", "ns1."));
        assert!(matches!(soa_step(&m, false), SoaStep::Found { .. }));
        assert_eq!(soa_step(&m, true), SoaStep::NoSuchZone);
        let mut m = answer(ResponseCode::NoError);
        m.answers.push(Record::from_rdata(
            n("alias.example.test."),
            300,
            RData::CNAME(CNAME(n("www.example.test."))),
        ));
        m.authorities.push(soa("example.test.", "ns1."));
        assert_eq!(soa_step(&m, false), SoaStep::Parent);
        assert_eq!(
            soa_step(&answer(ResponseCode::NoError), false),
            SoaStep::Parent
        );
        assert_eq!(
            soa_step(&answer(ResponseCode::Refused), false),
            SoaStep::Refused
        );
        assert_eq!(
            soa_step(&answer(ResponseCode::ServFail), false),
            SoaStep::Unsuccessful
        );
        let mut m = answer(ResponseCode::NoError);
        m.metadata.op_code = OpCode::Update;
        assert_eq!(soa_step(&m, false), SoaStep::BadOpcode);
        assert_eq!(name_for_message(&n("example.test.")), "example.test");
        assert_eq!(name_for_message(&Name::root()), ".");
    }
}
