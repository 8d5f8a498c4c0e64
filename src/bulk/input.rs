//! The input of `dnsup apply`: one change per line.
//!
//! ```text
//! ; comments and blank lines are skipped
//! update add host1.example.test. 300 A 192.0.2.1
//! add host2 300 IN AAAA 2001:db8::2          ; relative to --zone
//! update delete old.example.test. A
//! del gone.example.test.
//! ```
//!
//! Each line is read exactly as nsupdate reads an `update add|delete` line (the same parser,
//! [`crate::script::parse_line`]): `[update] add NAME TTL [IN] TYPE DATA...`,
//! `[update] del[ete] NAME [TTL] [IN] [TYPE [DATA...]]`. Names without a final dot are relative
//! to the origin (the zone when `--zone` is given, else the root, like nsupdate). The TTL of
//! `add` may be left out when a default TTL is given. Other nsupdate commands, `send` and
//! prerequisites included, are refused: `apply` decides the messages itself, and a
//! prerequisite cannot guard changes that may end up in other messages.

use hickory_proto::rr::{DNSClass, Name};

use crate::script::{Command, Dialect, ParseContext, parse_line};
use crate::update::Change;

/// One change and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// 1-based line number in the input.
    pub line: usize,
    /// The change.
    pub change: Change,
}

/// A line that cannot be applied; nothing is sent when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct InputError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// How lines are read: relative names complete against `origin`; `default_ttl` is the TTL of
/// `add` lines that give none.
pub fn context(origin: &Name, default_ttl: Option<u32>) -> ParseContext {
    ParseContext {
        origin: origin.clone(),
        default_ttl,
        ..ParseContext::default()
    }
}

/// Read every line of `text`. `origin` completes relative names; `default_ttl` is the TTL of
/// `add` lines that give none.
pub fn parse(text: &str, origin: &Name, default_ttl: Option<u32>) -> Result<Vec<Item>, InputError> {
    let ctx = context(origin, default_ttl);
    let mut items = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        items.extend(parse_one(&ctx, raw, i + 1)?);
    }
    Ok(items)
}

/// Read one line (number `line`): a change, or `None` for a blank or comment line.
pub fn parse_one(ctx: &ParseContext, raw: &str, line: usize) -> Result<Option<Item>, InputError> {
    let fail = |message: String| InputError { line, message };
    let cmd = parse_line(Dialect::Nsupdate, ctx, raw).map_err(|e| fail(e.to_string()))?;
    match cmd {
        Command::Blank | Command::Comment => Ok(None),
        Command::Update { change, class } => {
            if let Some(c) = class.filter(|c| *c != DNSClass::IN) {
                return Err(fail(format!(
                    "class {c}: apply updates class IN zones only"
                )));
            }
            Ok(Some(Item { line, change }))
        }
        Command::Prereq { .. } => Err(fail(
            "prerequisites are not supported by apply: its changes may be split over \
             several messages, and a prerequisite guards only its own message \
             (use --if-absent, or an nsupdate script for one atomic guarded update)"
                .into(),
        )),
        Command::Send => Err(fail(
            "'send' is not used by apply: it splits the changes into messages itself \
             (an nsupdate script with sends runs with 'dnsup nsupdate')"
                .into(),
        )),
        _ => {
            let word = raw.split_whitespace().next().unwrap_or_default();
            Err(fail(format!(
                "'{word}' is not a change: apply reads only '[update] add ...' and \
                 '[update] delete ...' lines (server, zone and key are options)"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::RecordType;

    fn zone() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    #[test]
    fn adds_and_deletes_with_line_numbers() {
        let text = "; header\n\nupdate add a.example.test. 300 A 192.0.2.1\nadd b 60 IN AAAA 2001:db8::1\n\
                    update delete c.example.test. A\ndel d.example.test.\n";
        let items = parse(text, &zone(), None).unwrap();
        assert_eq!(
            items.iter().map(|i| i.line).collect::<Vec<_>>(),
            [3, 4, 5, 6]
        );
        match &items[1].change {
            Change::Add { name, ttl, rdata } => {
                assert_eq!(name.to_string(), "b.example.test.");
                assert_eq!(*ttl, 60);
                assert_eq!(rdata.record_type(), RecordType::AAAA);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            items[2].change,
            Change::DeleteRrset(_, RecordType::A)
        ));
        assert!(matches!(items[3].change, Change::DeleteName(_)));
    }

    #[test]
    fn default_ttl_fills_in() {
        let items = parse("add a 192.0.2.1\n", &zone(), Some(120));
        // Without a type the line is wrong; with one the default TTL is used.
        assert!(items.is_err());
        let items = parse("add a A 192.0.2.1\n", &zone(), Some(120)).unwrap();
        assert!(matches!(items[0].change, Change::Add { ttl: 120, .. }));
    }

    #[test]
    fn other_commands_are_refused_with_the_line() {
        for (text, needle) in [
            ("add a 1 A 192.0.2.1\nsend\n", "'send'"),
            ("prereq nxdomain a.example.test.\n", "prerequisites"),
            ("server 127.0.0.1\n", "'server'"),
            ("add a 1 CH A 192.0.2.1\n", "line 1"),
            ("add a 1 A 300.0.0.1\n", "line 1"),
        ] {
            let e = parse(text, &zone(), None).unwrap_err();
            assert!(e.to_string().contains(needle), "{text:?}: {e}");
        }
        let e = parse("add a 1 A 192.0.2.1\nsend\n", &zone(), None).unwrap_err();
        assert_eq!(e.line, 2);
    }
}
