//! knsupdate's record lines (Knot 3.2 `src/utils/knsupdate/knsupdate_exec.c`): `add` reads a
//! zone-file record (`parse_full_rr`: `NAME [TTL] [CLASS] TYPE DATA`, TTL in zone-file units,
//! 3600 by default); `del` and the rrset prerequisites read `NAME [TTL] [CLASS] [TYPE [DATA]]`
//! (`parse_partial_rr`); relative names take the `origin`.

use hickory_proto::rr::{Name, RData, RecordType};

use super::command::Command;
use super::error::{ErrorKind, ScriptError};
use super::lex::{self, Words};
use super::parse::{Dialect, ParseContext, err};
use super::rdata::rdata;
use super::record::explicit_class;
use super::types::type_text as type_name;
use crate::update::{Change, Prerequisite};

/// knsupdate's TTL when neither the line nor `ttl` gives one.
const KNSUPDATE_TTL: u32 = 3600;

/// knsupdate `add`: `NAME [TTL] [CLASS] TYPE DATA`, TTL and class in either order.
pub(crate) fn knot_add(
    ctx: &ParseContext,
    name: Name,
    words: &mut Words<'_>,
) -> Result<Command, ScriptError> {
    let mut ttl = None;
    let mut class_seen = false;
    let d = Dialect::Knsupdate;
    // What zscanner says when the line ends where a field should be.
    let mut missing = "owner is invalid";
    loop {
        let word = words.next_word().ok_or_else(|| {
            err(
                ErrorKind::MissingArgument,
                "add needs a type and data: write 'add NAME [TTL] TYPE DATA'",
                format!(";; ERROR: invalid record ({missing})"),
            )
        })?;
        if ttl.is_none() && word.starts_with(|c: char| c.is_ascii_digit()) {
            ttl = Some(lex::parse_ttl_units(word).ok_or_else(|| {
                err(
                    ErrorKind::BadTtl,
                    format!("bad TTL '{word}': write seconds, or units such as 1h30m"),
                    ";; ERROR: invalid record (invalid time unit)",
                )
            })?);
            missing = "invalid time unit";
            continue;
        }
        if let (false, Some(c)) = (class_seen, lex::parse_class(word)) {
            explicit_class(d, ctx, c, word)?;
            class_seen = true;
            missing = "unsupported record type";
            continue;
        }
        let rtype = super::types::parse_type(word).ok_or_else(|| {
            err(
                ErrorKind::BadType,
                format!("unknown record type '{word}' (use a mnemonic such as A, or TYPEnnn)"),
                ";; ERROR: invalid record (unsupported record type)",
            )
        })?;
        let data = words.rest().trim_start();
        let rdata = if data.is_empty() {
            Err(err(
                ErrorKind::MissingRdata,
                format!(
                    "add needs record data after the type: write 'add NAME {} DATA'",
                    type_name(rtype)
                ),
                format!(
                    ";; ERROR: invalid record ({})",
                    super::rdata::knot_reason(rtype, "unexpected end of input")
                ),
            ))
        } else {
            rdata(d, ctx, ctx.class, rtype, data)
        }
        .map_err(|mut e| {
            // zscanner reads the whole record: its errors say "record", not "rdata".
            e.nsupdate_text = e
                .nsupdate_text
                .replacen("invalid rdata", "invalid record", 1);
            e
        })?;
        let ttl = ttl.or(ctx.default_ttl).unwrap_or(KNSUPDATE_TTL);
        return Ok(Command::Update {
            change: Change::Add { name, ttl, rdata },
            class: None,
        });
    }
}

/// knsupdate `parse_partial_rr`: `[TTL] [CLASS] [TYPE [DATA]]` after the owner.
fn knot_partial(
    ctx: &ParseContext,
    words: &mut Words<'_>,
) -> Result<(Option<RecordType>, Option<RData>), ScriptError> {
    let d = Dialect::Knsupdate;
    let mut probe = words.clone();
    let mut word = probe.next_word();
    if word.is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit())) {
        *words = probe.clone();
        word = probe.next_word();
    }
    if let Some(c) = word.and_then(lex::parse_class) {
        explicit_class(d, ctx, c, word.unwrap_or_default())?;
        *words = probe.clone();
        word = probe.next_word();
    }
    let rtype = match word.map(super::types::parse_type) {
        Some(Some(t)) => {
            *words = probe;
            Some(t)
        }
        _ => None,
    };
    let data = words.rest().trim_start();
    match (rtype, data.is_empty()) {
        (_, true) => Ok((rtype, None)),
        (Some(t), false) => Ok((rtype, Some(rdata(d, ctx, ctx.class, t, data)?))),
        (None, false) => Err(err(
            ErrorKind::BadType,
            format!("'{data}' is not a record type: write NAME [TYPE [DATA]]"),
            ";; ERROR: invalid rdata (unsupported record type)",
        )),
    }
}

pub(crate) fn knot_delete(
    ctx: &ParseContext,
    name: Name,
    words: &mut Words<'_>,
) -> Result<Command, ScriptError> {
    let change = match knot_partial(ctx, words)? {
        (_, Some(rdata)) => Change::DeleteRecord(name, rdata),
        (Some(t), None) if t != RecordType::ANY => Change::DeleteRrset(name, t),
        _ => Change::DeleteName(name),
    };
    Ok(Command::Update {
        change,
        class: None,
    })
}

pub(crate) fn knot_rrset_prereq(
    ctx: &ParseContext,
    op: &str,
    name: Name,
    words: &mut Words<'_>,
) -> Result<Command, ScriptError> {
    let (rtype, rdata) = knot_partial(ctx, words)?;
    let rtype = rtype.unwrap_or(RecordType::ANY);
    let prereq = match (op, rdata) {
        ("nxrrset", _) => Prerequisite::RrsetAbsent(name, rtype),
        (_, Some(rdata)) => Prerequisite::RrsetEquals(name, rdata),
        (_, None) => Prerequisite::RrsetExists(name, rtype),
    };
    Ok(Command::Prereq {
        prereq,
        class: None,
    })
}
