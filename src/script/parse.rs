//! One script line to one [`Command`]: the command word of each dialect. The settings commands
//! are in `settings`, record lines (prerequisites and updates) in `record` and `knot`.
//!
//! The rules and the error texts are BIND 9.18's `bin/nsupdate/nsupdate.c` (`do_next_command` and
//! the `evaluate_*` functions), checked against the installed `nsupdate`; knsupdate's are Knot
//! 3.2's `src/utils/knsupdate/knsupdate_exec.c`, checked against the installed `knsupdate`.

use hickory_proto::rr::{DNSClass, Name};

use super::command::Command;
use super::error::{ErrorKind, ScriptError};
use super::lex::{self, Words};
use super::record;
use super::settings::{check_names, class, key, local, server, ttl, zone_name};

/// Which tool's language a script is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// BIND 9.18 `nsupdate`.
    Nsupdate,
    /// Knot DNS `knsupdate`.
    Knsupdate,
}

/// The settings a line is read against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseContext {
    /// The default class (`class` command; IN).
    pub class: DNSClass,
    /// The class the pending message is already tied to, by its first record (nsupdate: the
    /// first record that names or implies a class fixes the zone class until the next send; a
    /// record of another class is a `class mismatch`). `None` when nothing has fixed it.
    pub zone_class: Option<DNSClass>,
    /// The default TTL for `add` (`ttl` command). knsupdate uses 3600 when unset.
    pub default_ttl: Option<u32>,
    /// The origin of relative names: the root for nsupdate, the `origin` command's name for
    /// knsupdate.
    pub origin: Name,
    /// `check-names on` (nsupdate's default): host-name checks on added owners and targets.
    pub check_names: bool,
}

impl Default for ParseContext {
    fn default() -> Self {
        ParseContext {
            class: DNSClass::IN,
            zone_class: None,
            default_ttl: None,
            origin: Name::root(),
            check_names: true,
        }
    }
}

pub(crate) fn err(
    kind: ErrorKind,
    message: impl Into<String>,
    text: impl Into<String>,
) -> ScriptError {
    ScriptError::new(kind, message, text)
}

/// Read one line (without its line break) as a command.
pub fn parse_line(
    dialect: Dialect,
    ctx: &ParseContext,
    line: &str,
) -> Result<Command, ScriptError> {
    // nsupdate cuts the line at its first CR or LF.
    let line = line.split(['\r', '\n']).next().unwrap_or("");
    match dialect {
        Dialect::Nsupdate => parse_nsupdate(ctx, line),
        Dialect::Knsupdate => parse_knsupdate(ctx, line),
    }
}

fn parse_nsupdate(ctx: &ParseContext, line: &str) -> Result<Command, ScriptError> {
    let mut words = Words::new(line);
    let Some(word) = words.next_word() else {
        return Ok(Command::Blank);
    };
    if word.starts_with(';') {
        return Ok(Command::Comment);
    }
    let d = Dialect::Nsupdate;
    let cmd = match word.to_ascii_lowercase().as_str() {
        "quit" => Command::Quit,
        "prereq" => record::prereq_section(d, ctx, &mut words)?,
        "update" => record::update_section(d, ctx, &mut words)?,
        op @ ("nxdomain" | "yxdomain" | "nxrrset" | "yxrrset") => {
            record::prereq(d, ctx, op, &mut words)?
        }
        "add" => record::update(d, ctx, false, &mut words)?,
        "del" | "delete" => record::update(d, ctx, true, &mut words)?,
        "server" => server(&mut words)?,
        "local" => local(&mut words)?,
        "zone" => Command::Zone(zone_name(&mut words)?),
        "class" => class(&mut words)?,
        "send" => Command::Send,
        "debug" => Command::Debug,
        "ttl" => ttl(&mut words)?,
        "show" => Command::Show,
        "answer" => Command::Answer,
        "key" => key(&mut words)?,
        "realm" => realm(&mut words)?,
        "check-names" | "checknames" => check_names(&mut words)?,
        "gsstsig" => Command::Gsstsig,
        "oldgsstsig" => Command::OldGsstsig,
        "help" => Command::Help,
        "version" => Command::Version,
        _ => {
            return Err(err(
                ErrorKind::UnknownCommand,
                format!(
                    "unknown command '{word}': commands are server, local, zone, class, ttl, key, \
                     prereq, update, add, delete, show, send, answer, quit (see 'help')"
                ),
                format!("incorrect section name: {word}"),
            ));
        }
    };
    Ok(cmd)
}

/// `realm [REALM]`: nsupdate keeps `@REALM` in a 1024-byte buffer (BIND 9.18
/// `evaluate_realm`), so a realm of 1023 bytes or more is a syntax error.
fn realm(words: &mut Words<'_>) -> Result<Command, ScriptError> {
    let Some(word) = words.next_word() else {
        return Ok(Command::Realm(None));
    };
    if word.len() + 1 >= 1024 {
        return Err(err(
            ErrorKind::BadArgument,
            format!(
                "realm is too long ({} bytes; a Kerberos realm is a short name such as EXAMPLE.COM)",
                word.len()
            ),
            "realm is too long",
        ));
    }
    Ok(Command::Realm(Some(word.to_string())))
}

/// knsupdate: the line is trimmed; empty lines and `;` comments do nothing; command words are
/// lower case and exact (`tok_find`).
fn parse_knsupdate(ctx: &ParseContext, line: &str) -> Result<Command, ScriptError> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(Command::Blank);
    }
    if line.starts_with(';') {
        return Ok(Command::Comment);
    }
    let (word, rest) = line
        .split_once([' ', '\t'])
        .map_or((line, ""), |(w, r)| (w, r.trim_start()));
    let kerr =
        |kind, message: String, text: String| err(kind, message, format!(";; ERROR: {text}"));
    let d = Dialect::Knsupdate;
    let mut words = Words::new(rest);
    let cmd = match word {
        "add" => record::update(d, ctx, false, &mut words)?,
        "del" | "delete" => record::update(d, ctx, true, &mut words)?,
        "update" => record::update_section(d, ctx, &mut words)?,
        "prereq" => record::prereq_section(d, ctx, &mut words)?,
        op @ ("nxdomain" | "yxdomain" | "nxrrset" | "yxrrset") => {
            record::prereq(d, ctx, op, &mut words)?
        }
        "answer" => Command::Answer,
        "debug" => Command::Debug,
        "exit" | "quit" => Command::Quit,
        "send" => Command::Send,
        "show" => Command::Show,
        "server" => server(&mut words)
            .map_err(|e| knot_text(e, &format!("failed to parse server '{rest}'")))?,
        "local" => local(&mut words)
            .map_err(|e| knot_text(e, &format!("failed to parse local '{rest}'")))?,
        "zone" | "origin" => {
            let name = lex::parse_name(rest, &Name::root()).map_err(|why| {
                kerr(
                    ErrorKind::BadName,
                    format!("bad {word} name '{rest}': {why}"),
                    format!("failed to parse zone '{rest}'"),
                )
            })?;
            if word == "zone" {
                Command::Zone(name)
            } else {
                Command::Origin(name)
            }
        }
        "class" => match lex::parse_class(rest) {
            Some(c) => Command::Class(c),
            None => {
                return Err(kerr(
                    ErrorKind::BadClass,
                    format!("unknown class '{rest}': use IN, CH, HS or CLASSnnn"),
                    format!("failed to parse class '{rest}'"),
                ));
            }
        },
        "ttl" => match lex::parse_u32(rest) {
            Ok(t) => Command::Ttl(Some(t)),
            Err(_) => {
                return Err(kerr(
                    ErrorKind::BadTtl,
                    format!("ttl '{rest}' is not a number: write seconds in decimal"),
                    format!("failed to parse ttl '{rest}'"),
                ));
            }
        },
        "key" => key(&mut words).map_err(|e| knot_text(e, "invalid key specification"))?,
        "gsstsig" | "oldgsstsig" | "realm" => {
            return Err(kerr(
                ErrorKind::Unsupported,
                format!("knsupdate has no GSS-TSIG: '{word}' is not supported"),
                format!("{word} not supported"),
            ));
        }
        _ => {
            return Err(kerr(
                ErrorKind::UnknownCommand,
                format!(
                    "unknown command '{word}': knsupdate commands are lower case (server, zone, \
                     origin, ttl, key, add, del, show, send, answer, quit)"
                ),
                format!("unexpected literal: '{line}'"),
            ));
        }
    };
    Ok(cmd)
}

fn knot_text(mut e: ScriptError, text: &str) -> ScriptError {
    e.nsupdate_text = format!(";; ERROR: {text}");
    e
}
