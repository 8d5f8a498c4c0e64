//! Tests of the script language. Expected error texts and `show` output were captured from the
//! installed BIND 9.18.49 `nsupdate` and Knot 3.2.6 `knsupdate` (see each file).

mod commands;
mod data;
mod prefixes;
mod records;
mod render;
mod session;

use hickory_proto::rr::{Name, RData};

use super::*;

fn n(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

fn a(s: &str) -> RData {
    RData::A(s.parse().unwrap())
}

/// Parse an nsupdate line with the default settings.
fn ns(line: &str) -> Result<Command, ScriptError> {
    parse_line(Dialect::Nsupdate, &ParseContext::default(), line)
}

/// Parse an nsupdate line that must fail; returns the error.
fn ns_err(line: &str) -> ScriptError {
    match ns(line) {
        Err(e) => e,
        Ok(cmd) => panic!("{line:?} parsed as {cmd:?}"),
    }
}

/// Assert the kind and nsupdate's exact text for a bad line.
fn fails(line: &str, kind: ErrorKind, nsupdate_text: &str) {
    let e = ns_err(line);
    assert_eq!(e.kind, kind, "{line:?}: {e}");
    assert_eq!(e.nsupdate_text, nsupdate_text, "{line:?}");
    assert!(!e.message.is_empty());
}
