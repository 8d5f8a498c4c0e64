//! Reading what a server serves, with BIND's `dig`, in a normalized form tests can compare.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use super::process::{require, run_with_timeout};

const DIG_TIMEOUT: Duration = Duration::from_secs(30);

/// The records of a zone, each normalized by [`normalize_record`], sorted, SOA once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone(pub Vec<String>);

impl Zone {
    /// Parses dig / named-compilezone presentation output: one record per line; blank lines and
    /// `;` comment lines are skipped; a repeated record (AXFR's closing SOA) is kept once.
    pub fn parse(text: &str) -> Zone {
        let mut records: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with(';'))
            .map(normalize_record)
            .collect();
        records.sort();
        records.dedup();
        Zone(records)
    }

    /// The zone as BIND reads it from a zone file (via `named-compilezone`), normalized like AXFR.
    pub fn from_file(origin: &str, path: &Path) -> Zone {
        let tool = require("named-compilezone", "bind9-utils");
        let out = run_with_timeout(
            Command::new(tool)
                .args(["-q", "-i", "none", "-o", "-", origin])
                .arg(path),
            b"",
            DIG_TIMEOUT,
        );
        assert!(
            out.status.success(),
            "named-compilezone {origin} {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Zone::parse(&String::from_utf8_lossy(&out.stdout))
    }

    /// The same zone without its SOA record.
    pub fn without_soa(&self) -> Zone {
        Zone(
            self.0
                .iter()
                .filter(|r| record_type(r) != Some("SOA"))
                .cloned()
                .collect(),
        )
    }

    /// Whether the zone has this record; `record` is normalized first, so spacing and owner case
    /// do not matter: `zone.contains("www.example.test. 3600 IN A 192.0.2.80")`.
    pub fn contains(&self, record: &str) -> bool {
        let record = normalize_record(record);
        self.0.contains(&record)
    }

    /// The records at `owner` (any case; the trailing dot is optional) of type `rtype` (`"A"`, ...).
    pub fn find(&self, owner: &str, rtype: &str) -> Vec<&str> {
        let owner = format!("{}.", owner.trim_end_matches('.').to_ascii_lowercase());
        self.0
            .iter()
            .filter(|r| r.split(' ').next() == Some(owner.as_str()))
            .filter(|r| record_type(r).is_some_and(|t| t.eq_ignore_ascii_case(rtype)))
            .map(String::as_str)
            .collect()
    }

    /// The serial of the zone's SOA record; panics if there is none.
    pub fn soa_serial(&self) -> u32 {
        let soa = self
            .0
            .iter()
            .find(|r| record_type(r) == Some("SOA"))
            .unwrap_or_else(|| panic!("no SOA in zone:\n{self}"));
        // owner ttl class SOA mname rname serial ...
        let serial = soa.split(' ').nth(6).expect("SOA has a serial");
        serial.parse().expect("SOA serial is a number")
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for record in &self.0 {
            writeln!(f, "{record}")?;
        }
        Ok(())
    }
}

fn record_type(record: &str) -> Option<&str> {
    record.split(' ').nth(3)
}

/// `owner TTL CLASS TYPE rdata` with single spaces (outside quoted strings), lowercase owner,
/// uppercase class and type. Expects the TTL and class to be present, as dig and
/// named-compilezone print them.
pub fn normalize_record(line: &str) -> String {
    let mut tokens = tokenize(line);
    if let Some(owner) = tokens.first_mut() {
        *owner = owner.to_ascii_lowercase();
    }
    for token in tokens.iter_mut().skip(2).take(2) {
        *token = token.to_ascii_uppercase();
    }
    tokens.join(" ")
}

/// Splits at whitespace, keeping "quoted strings" (with backslash escapes) whole.
fn tokenize(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            '"' => {
                in_quotes = !in_quotes;
                current.push(c);
            }
            c if c.is_whitespace() && !in_quotes => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Runs `dig @addr -p port ARGS` and returns its output (does not check the status).
pub fn dig(addr: SocketAddr, args: &[&str]) -> Output {
    let tool = require("dig", "bind9-dnsutils");
    run_with_timeout(
        Command::new(tool)
            .arg(format!("@{}", addr.ip()))
            .args(["-p", &addr.port().to_string()])
            .args(["+time=2", "+tries=3", "+norecurse"])
            .args(args),
        b"",
        DIG_TIMEOUT,
    )
}

/// AXFR of `zone` from the server at `addr`; panics if the transfer fails.
pub fn axfr(addr: SocketAddr, zone: &str) -> Zone {
    let out = dig(
        addr,
        &[zone, "AXFR", "+nocmd", "+nostats", "+nocomments", "+onesoa"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let parsed = Zone::parse(&text);
    assert!(
        out.status.success() && !text.contains("failed") && parsed.find(zone, "SOA").len() == 1,
        "AXFR of {zone} from {addr} failed ({}):\n{text}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    parsed
}

/// `dig +short NAME TYPE`: the rdata of the answer, sorted. Empty for NXDOMAIN / NODATA.
pub fn query(addr: SocketAddr, name: &str, rtype: &str) -> Vec<String> {
    let out = dig(addr, &[name, rtype, "+short"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !text.starts_with(';'),
        "dig {name} {rtype} at {addr} failed ({}):\n{text}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rdata: Vec<String> = text
        .lines()
        .map(|l| tokenize(l).join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    rdata.sort();
    rdata
}

/// The serial of `zone`'s SOA as served at `addr`.
pub fn soa_serial(addr: SocketAddr, zone: &str) -> u32 {
    let soa = query(addr, zone, "SOA");
    let [soa] = soa.as_slice() else {
        panic!("expected one SOA for {zone} at {addr}, got {soa:?}");
    };
    soa.split(' ')
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unparsable SOA {soa:?}"))
}
