//! Record lines: `[prereq] nxdomain|yxdomain|nxrrset|yxrrset ...` and `[update] add|del ...`, read
//! into [`Prerequisite`]s and [`Change`]s (RFC 2136 sections 2.4 and 2.5).
//!
//! nsupdate's grammar (BIND 9.18 `make_prereq` and `update_addordelete`, checked against the
//! installed tool): `add NAME TTL [CLASS] TYPE DATA` (TTL may be left out once `ttl` is set; a
//! word that is not a number is then read as the class or type); `del NAME [TTL] [CLASS] [TYPE
//! [DATA]]` (TTL ignored; `ANY` there is a type, not a class); `nxrrset|yxrrset NAME [CLASS] TYPE
//! [DATA]`. knsupdate's forms are in `knot`, the record data in `rdata`.

use hickory_proto::rr::{DNSClass, Name, RecordType};

use super::checknames;
use super::command::Command;
use super::error::{ErrorKind, ScriptError};
use super::knot;
use super::lex::{self, Words};
use super::parse::{Dialect, ParseContext, err};
use super::rdata::rdata;
use super::types::type_text as type_name;
use crate::update::{Change, Prerequisite};

/// The largest TTL nsupdate accepts (RFC 2181 section 8: a signed 32-bit maximum).
pub(crate) const TTL_MAX: u32 = 2_147_483_647;

pub(crate) fn ttl_out_of_range(word: &str) -> ScriptError {
    err(
        ErrorKind::BadTtl,
        format!("ttl {word} is too large: the maximum is {TTL_MAX}"),
        format!("ttl '{word}' is out of range (0 to {TTL_MAX})"),
    )
}

pub(crate) fn text(d: Dialect, nsupdate: String, knsupdate: &str) -> String {
    match d {
        Dialect::Nsupdate => nsupdate,
        Dialect::Knsupdate => format!(";; ERROR: {knsupdate}"),
    }
}

/// The operation word after `prereq` or `update`: nsupdate compares it in any case, knsupdate
/// exactly (its `tok_find`).
fn operation<'a>(d: Dialect, words: &mut Words<'a>) -> (Option<String>, &'a str) {
    let literal = words.rest().trim_start();
    let op = words.next_word().map(|w| match d {
        Dialect::Nsupdate => w.to_ascii_lowercase(),
        Dialect::Knsupdate => w.to_string(),
    });
    (op, literal)
}

/// `prereq OP ...`.
pub(crate) fn prereq_section(
    d: Dialect,
    ctx: &ParseContext,
    words: &mut Words<'_>,
) -> Result<Command, ScriptError> {
    let (op, literal) = operation(d, words);
    match op.as_deref() {
        Some(op @ ("nxdomain" | "yxdomain" | "nxrrset" | "yxrrset")) => prereq(d, ctx, op, words),
        other => Err(bad_operation(
            d,
            "prereq",
            "nxdomain, yxdomain, nxrrset or yxrrset",
            other,
            literal,
        )),
    }
}

/// `update OP ...`.
pub(crate) fn update_section(
    d: Dialect,
    ctx: &ParseContext,
    words: &mut Words<'_>,
) -> Result<Command, ScriptError> {
    let (op, literal) = operation(d, words);
    match op.as_deref() {
        Some("add") => update(d, ctx, false, words),
        Some("del" | "delete") => update(d, ctx, true, words),
        other => Err(bad_operation(d, "update", "add or delete", other, literal)),
    }
}

/// `literal`: the rest of the line from the operation on, which knsupdate quotes.
fn bad_operation(
    d: Dialect,
    section: &str,
    allowed: &str,
    op: Option<&str>,
    literal: &str,
) -> ScriptError {
    match op {
        None => err(
            ErrorKind::MissingArgument,
            format!("'{section}' must be followed by {allowed}"),
            text(
                d,
                "could not read operation code".into(),
                "unexpected literal: ''",
            ),
        ),
        Some(op) => err(
            ErrorKind::UnknownOperation,
            format!("'{section} {op}': after '{section}' write {allowed}"),
            text(
                d,
                format!("incorrect operation code: {op}"),
                &format!("unexpected literal: '{literal}'"),
            ),
        ),
    }
}

fn owner(d: Dialect, ctx: &ParseContext, words: &mut Words<'_>) -> Result<Name, ScriptError> {
    let word = words.next_word().ok_or_else(|| {
        err(
            ErrorKind::MissingArgument,
            "a domain name is missing after the operation",
            text(
                d,
                "could not read owner name".into(),
                "failed to parse owner name ''",
            ),
        )
    })?;
    lex::parse_name(word, &ctx.origin).map_err(|why| {
        err(
            ErrorKind::BadName,
            format!("bad domain name '{word}': {why}"),
            text(
                d,
                format!("invalid owner name: {why}"),
                "invalid record (invalid domain name character)",
            ),
        )
    })
}

/// An explicit class on a record line. NONE leaves the zone class alone (BIND treats it as
/// "unset"); any other class must match the class the message is tied to.
pub(crate) fn explicit_class(
    d: Dialect,
    ctx: &ParseContext,
    class: DNSClass,
    word: &str,
) -> Result<Option<DNSClass>, ScriptError> {
    let expected = match d {
        Dialect::Nsupdate if class == DNSClass::NONE => return Ok(None),
        Dialect::Nsupdate => ctx.zone_class.unwrap_or(class),
        Dialect::Knsupdate => ctx.class,
    };
    if class != expected {
        return Err(err(
            ErrorKind::ClassMismatch,
            format!(
                "class {word} does not match this update's class {}: one update has one class",
                super::present::class_text(expected)
            ),
            text(
                d,
                format!("class mismatch: {word}"),
                &format!("class mismatch '{word}'"),
            ),
        ));
    }
    Ok(match d {
        Dialect::Nsupdate => Some(class),
        Dialect::Knsupdate => None,
    })
}

pub(crate) fn record_type(
    d: Dialect,
    word: &str,
    nsupdate_text: String,
) -> Result<RecordType, ScriptError> {
    super::types::parse_type(word).ok_or_else(|| {
        err(
            ErrorKind::BadType,
            format!("unknown record type '{word}' (use a mnemonic such as A, or TYPEnnn)"),
            text(d, nsupdate_text, &format!("invalid record type '{word}'")),
        )
    })
}

/// `[prereq] nxdomain|yxdomain|nxrrset|yxrrset NAME ...`; `op` is lower case.
pub(crate) fn prereq(
    d: Dialect,
    ctx: &ParseContext,
    op: &str,
    words: &mut Words<'_>,
) -> Result<Command, ScriptError> {
    let name = owner(d, ctx, words)?;
    let (prereq, class) = match op {
        "nxdomain" => (Prerequisite::NameNotInUse(name), None),
        "yxdomain" => (Prerequisite::NameInUse(name), None),
        _ if d == Dialect::Knsupdate => return knot::knot_rrset_prereq(ctx, op, name, words),
        _ => {
            let missing = || {
                err(
                    ErrorKind::MissingArgument,
                    format!("{op} needs a type: write '{op} NAME [CLASS] TYPE'"),
                    "could not read class or type",
                )
            };
            let word = words.next_word().ok_or_else(missing)?;
            let (class, pin, tword) = match lex::parse_class(word) {
                Some(c) => {
                    let pin = explicit_class(d, ctx, c, word)?;
                    let tword = words.next_word().ok_or_else(|| {
                        err(
                            ErrorKind::MissingArgument,
                            format!(
                                "{op} needs a type after the class: write '{op} NAME CLASS TYPE'"
                            ),
                            "could not read type",
                        )
                    })?;
                    (c, pin, tword)
                }
                None => {
                    let c = ctx.zone_class.unwrap_or(ctx.class);
                    (c, Some(c), word)
                }
            };
            let rtype = record_type(d, tword, format!("invalid type: {tword}"))?;
            let data = words.rest().trim_start();
            if op == "nxrrset" {
                // nsupdate reads no data for nxrrset; anything after the type is ignored.
                (Prerequisite::RrsetAbsent(name, rtype), pin)
            } else if data.is_empty() {
                (Prerequisite::RrsetExists(name, rtype), pin)
            } else {
                let rdata = rdata(d, ctx, class, rtype, data)?;
                (Prerequisite::RrsetEquals(name, rdata), pin)
            }
        }
    };
    Ok(Command::Prereq { prereq, class })
}

/// `[update] add|del|delete NAME ...`.
pub(crate) fn update(
    d: Dialect,
    ctx: &ParseContext,
    delete: bool,
    words: &mut Words<'_>,
) -> Result<Command, ScriptError> {
    let name = owner(d, ctx, words)?;
    if d == Dialect::Knsupdate {
        return if delete {
            knot::knot_delete(ctx, name, words)
        } else {
            knot::knot_add(ctx, name, words)
        };
    }
    let delete_name = || {
        Ok(Command::Update {
            change: Change::DeleteName(name.clone()),
            class: None,
        })
    };
    let Some(mut word) = words.next_word() else {
        if delete {
            return delete_name();
        }
        return Err(err(
            ErrorKind::MissingArgument,
            "add needs a TTL, a type and data: write 'add NAME TTL TYPE DATA'",
            "could not read owner ttl",
        ));
    };
    let mut ttl = 0;
    match lex::parse_u32(word) {
        Ok(t) => {
            if !delete && t > TTL_MAX {
                return Err(ttl_out_of_range(word));
            }
            ttl = t;
            match words.next_word() {
                Some(w) => word = w,
                None if delete => return delete_name(),
                None => return Err(missing_type()),
            }
        }
        // Not a TTL: for delete (TTL ignored) or with a default TTL, the word is the class
        // or type.
        Err(_) if delete => {}
        Err(e) => match ctx.default_ttl {
            Some(default) => ttl = default,
            None => {
                return Err(err(
                    ErrorKind::BadTtl,
                    format!(
                        "add needs a TTL, and '{word}' is not one: write 'add NAME TTL TYPE DATA' with \
                     the TTL in decimal seconds, or set a default with 'ttl N'"
                    ),
                    format!("ttl '{word}': {}", e.bind_text()),
                ));
            }
        },
    }
    let (class, pin, rtype) = match lex::parse_class(word).filter(|c| *c != DNSClass::ANY) {
        Some(c) => {
            let pin = explicit_class(d, ctx, c, word)?;
            let Some(tword) = words.next_word() else {
                if delete {
                    return Ok(Command::Update {
                        change: Change::DeleteName(name),
                        class: pin,
                    });
                }
                return Err(err(
                    ErrorKind::MissingArgument,
                    "add needs a type after the class: write 'add NAME TTL CLASS TYPE DATA'",
                    "could not read type",
                ));
            };
            let text = format!("'{tword}' is not a valid type: unknown class/type");
            (c, pin, record_type(d, tword, text)?)
        }
        None => {
            let c = ctx.zone_class.unwrap_or(ctx.class);
            let text = format!("'{word}' is not a valid class or type: unknown class/type");
            (c, Some(c), record_type(d, word, text)?)
        }
    };
    let data = words.rest().trim_start();
    let change = match (delete, data.is_empty()) {
        (true, true) if rtype == RecordType::ANY => Change::DeleteName(name),
        (true, true) => Change::DeleteRrset(name, rtype),
        (true, false) => Change::DeleteRecord(name, rdata(d, ctx, class, rtype, data)?),
        (false, true) => {
            return Err(err(
                ErrorKind::MissingRdata,
                format!(
                    "add needs record data after the type: write 'add NAME TTL {} DATA'",
                    type_name(rtype)
                ),
                "could not read rdata",
            ));
        }
        (false, false) => {
            let rdata = rdata(d, ctx, class, rtype, data)?;
            if ctx.check_names {
                checknames::check(&name, &rdata)?;
            }
            checknames::check_nsec3param(&rdata)?;
            Change::Add { name, ttl, rdata }
        }
    };
    Ok(Command::Update { change, class: pin })
}

fn missing_type() -> ScriptError {
    err(
        ErrorKind::MissingArgument,
        "add needs a type and data after the TTL: write 'add NAME TTL TYPE DATA'",
        "could not read class or type",
    )
}
