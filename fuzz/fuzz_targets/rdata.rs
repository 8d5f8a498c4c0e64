//! Presentation-format record data: the input is `TYPE DATA` (one line), read by the library's
//! parser (`update::parse_rdata`, used by `dnsup set/add` and the daemon) and by the script
//! parsers of both dialects (`update add NAME TTL IN TYPE DATA`, BIND's rdata text rules).
//!
//! Round-trip oracles, on every record data either parser accepts:
//! - it is of the type asked for, and its wire form fits a record (at most 65535 bytes);
//! - wire -> decode (hickory `RData::read`) -> wire gives the same bytes (when hickory decodes
//!   the type at all);
//! - its RFC 3597 generic form `\# LEN HEX` parses (both parsers) to the same wire bytes;
//! - its text as nsupdate's `show` prints it, fed back as an nsupdate `update add` line, parses
//!   to the same wire bytes (nsupdate's output is valid nsupdate input); the same for
//!   knsupdate's `show` text and knsupdate's parser.
#![no_main]

use dnsup::script::{
    Command, Dialect, ParseContext, Pending, parse_line, render_kdig_show, render_show,
};
use dnsup::update::{Change, parse_rdata, parse_type, type_name};
use dnsup_fuzz::{wire_rdata, zone};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use hickory_proto::serialize::binary::{BinDecoder, Restrict};
use libfuzzer_sys::fuzz_target;

const OWNER: &str = "fuzz.example.test.";

fn context() -> ParseContext {
    ParseContext {
        origin: zone(),
        ..ParseContext::default()
    }
}

/// The data of an `update add` line read by a script parser, or why it is not one.
fn script_rdata(dialect: Dialect, line: &str) -> Result<RData, String> {
    match parse_line(dialect, &context(), line) {
        Ok(Command::Update {
            change: Change::Add { rdata, .. },
            ..
        }) => Ok(rdata),
        Ok(other) => Err(format!("not an add: {other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

/// The `show` line (nsupdate's or knsupdate's) for one added record: `NAME TTL CLASS TYPE DATA`.
fn show_line(rdata: &RData, dialect: Dialect) -> String {
    let pending = Pending {
        prerequisites: Vec::new(),
        changes: vec![Change::Add {
            name: Name::from_ascii(OWNER).expect("a valid name"),
            ttl: 300,
            rdata: rdata.clone(),
        }],
        zone: Some(zone()),
        server: None,
        local: None,
        class: DNSClass::IN,
        key: None,
        gss: None,
        realm: None,
    };
    let text = match dialect {
        Dialect::Nsupdate => render_show(&pending),
        Dialect::Knsupdate => render_kdig_show(&pending, 0),
    };
    text.lines()
        .find(|l| l.starts_with(OWNER))
        .unwrap_or_else(|| panic!("no record line in the show output:\n{text}"))
        .to_string()
}

fn check(rtype: RecordType, rdata: &RData, from: &str, readers: &[Dialect]) {
    assert_eq!(
        rdata.record_type(),
        rtype,
        "{from}: parsed data of another type"
    );
    let wire = wire_rdata(rdata);
    assert!(
        wire.len() <= usize::from(u16::MAX),
        "{from}: data longer than 65535 bytes"
    );

    // Wire round trip through hickory's decoder.
    let mut decoder = BinDecoder::new(&wire);
    if let Ok(decoded) = RData::read(&mut decoder, rtype, Restrict::new(wire.len() as u16)) {
        assert_eq!(
            wire_rdata(&decoded),
            wire,
            "{from}: wire -> decode -> wire changed the data"
        );
    }

    // RFC 3597 generic form.
    let hex: String = wire.iter().map(|b| format!("{b:02x}")).collect();
    let generic = format!("\\# {} {hex}", wire.len());
    if let Ok(again) = parse_rdata(rtype, &generic, &zone()) {
        assert_eq!(
            wire_rdata(&again),
            wire,
            "{from}: generic form parses to other data"
        );
    }
    let generic_line = format!("update add {OWNER} 300 IN {} {generic}", type_name(rtype));

    // The show output of each dialect is input of that dialect. Checked for the dialects whose
    // parser read the original text too: the library parser reads some data BIND refuses (an
    // SSHFP digest of the wrong length), and its show text is then refused just the same.
    for &dialect in readers {
        let from_generic = script_rdata(dialect, &generic_line);
        if let Ok(again) = &from_generic {
            assert_eq!(
                wire_rdata(again),
                wire,
                "{from}: {dialect:?} generic form parses to other data"
            );
        }
        let line = show_line(rdata, dialect);
        match script_rdata(dialect, &format!("update add {line}")) {
            Ok(again) => assert_eq!(
                wire_rdata(&again),
                wire,
                "{from}: the {dialect:?} show text '{line}' reads back as other data"
            ),
            // Types the script parser reads only in generic form are shown generically too.
            Err(_) if from_generic.is_err() => {}
            // Known limits: the types read by hickory's parser refuse `\DDD` (and SVCB/HTTPS
            // any escape or parenthesis), which hickory misreads; their show text writes bytes
            // outside printable ASCII (and commas in ALPN IDs) with escapes.
            Err(e) if e.contains("escape") && e.contains("not supported") => {}
            // And hickory has no SVCB `dohpath` (RFC 9461), which nsupdate prints by name.
            Err(e) if e.contains("(dohpath)") => {}
            Err(e) => panic!("{from}: the {dialect:?} show text '{line}' does not read back: {e}"),
        }
    }
    let _ = rdata.to_string();
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let input = input.lines().next().unwrap_or_default();
    let (word, rest) = input
        .trim_start()
        .split_once([' ', '\t'])
        .unwrap_or((input, ""));
    let Ok(rtype) = parse_type(word) else {
        return;
    };
    let line = format!("update add {OWNER} 300 IN {word} {rest}");
    let mut readers = Vec::new();
    for dialect in [Dialect::Nsupdate, Dialect::Knsupdate] {
        if let Ok(rdata) = script_rdata(dialect, &line) {
            check(rtype, &rdata, "script", &[dialect]);
            readers.push(dialect);
        }
    }
    if let Ok(rdata) = parse_rdata(rtype, rest, &zone()) {
        check(rtype, &rdata, "parse_rdata", &readers);
    }
});
