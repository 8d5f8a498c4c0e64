#![allow(dead_code)]
//! The records a fake provider holds: a small in-memory zone with record ids, the way most
//! hosted APIs model one record per value.

use std::str::FromStr;

use dnsup::provider::{Rrset, RrsetKey};
use hickory_proto::rr::{Name, RData, RecordType};

/// One record (one value) as an HTTP API stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// The provider's id for it.
    pub id: String,
    /// Owner name, absolute, without the final dot (`www.example.test`).
    pub name: String,
    /// `A`, `AAAA`, `TXT`, ...
    pub rtype: String,
    /// TTL.
    pub ttl: u32,
    /// The value in presentation format (TXT with its quotes: `"hello world"`).
    pub content: String,
}

/// A zone at a fake provider.
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// The zone's name without the final dot (`example.test`).
    pub zone: String,
    /// Its records.
    pub records: Vec<StoredRecord>,
    next_id: u64,
}

impl Store {
    /// A zone holding a few records that the suite must never touch.
    pub fn new(zone: &str) -> Store {
        let mut s = Store {
            zone: zone.to_string(),
            ..Default::default()
        };
        s.add(zone, "NS", 3600, &format!("ns1.{zone}."));
        s.add(&format!("www.{zone}"), "A", 3600, "192.0.2.80");
        s.add(
            &format!("suite.{zone}"),
            "MX",
            300,
            &format!("10 mail.{zone}."),
        );
        s
    }

    /// Add a record; returns its id.
    pub fn add(&mut self, name: &str, rtype: &str, ttl: u32, content: &str) -> String {
        self.next_id += 1;
        let id = format!("{:08x}", 0x1000 + self.next_id);
        self.records.push(StoredRecord {
            id: id.clone(),
            name: name.trim_end_matches('.').to_ascii_lowercase(),
            rtype: rtype.to_ascii_uppercase(),
            ttl,
            content: content.to_string(),
        });
        id
    }

    /// The records of one name and type.
    pub fn find(&self, name: &str, rtype: &str) -> Vec<&StoredRecord> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.records
            .iter()
            .filter(|r| r.name == name && r.rtype.eq_ignore_ascii_case(rtype))
            .collect()
    }

    /// The record with this id.
    pub fn get(&self, id: &str) -> Option<&StoredRecord> {
        self.records.iter().find(|r| r.id == id)
    }

    /// The record with this id, to change.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut StoredRecord> {
        self.records.iter_mut().find(|r| r.id == id)
    }

    /// Remove a record by id; false when there is none.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.records.len();
        self.records.retain(|r| r.id != id);
        self.records.len() != before
    }

    /// Remove every record of one name and type.
    pub fn remove_set(&mut self, name: &str, rtype: &str) {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.records
            .retain(|r| !(r.name == name && r.rtype.eq_ignore_ascii_case(rtype)));
    }

    /// Replace a whole RRset.
    pub fn set(&mut self, name: &str, rtype: &str, ttl: u32, contents: &[String]) {
        self.remove_set(name, rtype);
        for c in contents {
            self.add(name, rtype, ttl, c);
        }
    }

    /// The truth about an RRset, for the behaviour suite.
    pub fn rrset(&self, key: &RrsetKey) -> Rrset {
        let name = key.name.to_ascii();
        let found = self.find(&name, &key.rtype.to_string());
        Rrset {
            ttl: found.first().map(|r| r.ttl),
            values: found
                .iter()
                .map(|r| parse_value(key.rtype, &r.content))
                .collect(),
        }
    }

    /// A copy of every record but those the suite manages (`suite.` A/AAAA/TXT), to check
    /// that nothing else was touched.
    pub fn bystanders(&self) -> Vec<StoredRecord> {
        let suite = format!("suite.{}", self.zone);
        let mut v: Vec<StoredRecord> = self
            .records
            .iter()
            .filter(|r| !(r.name == suite && matches!(r.rtype.as_str(), "A" | "AAAA" | "TXT")))
            .cloned()
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }
}

/// A presentation-format value as RData.
pub fn parse_value(rtype: RecordType, text: &str) -> RData {
    dnsup::update::parse_rdata(rtype, text, &Name::from_str("example.test.").unwrap())
        .unwrap_or_else(|e| panic!("stored value {text:?} is not {rtype}: {e}"))
}
