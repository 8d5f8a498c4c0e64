//! The settings commands of nsupdate: `server`, `local`, `zone`, `class`, `ttl`, `key` and
//! `check-names`, with BIND 9.18's rules and texts (`evaluate_server`, `evaluate_local`,
//! `evaluate_zone`, `evaluate_class`, `evaluate_ttl`, `evaluate_key`, `parse_hmac`,
//! `evaluate_checknames`), each checked against the installed nsupdate.

use std::net::IpAddr;

use hickory_proto::rr::Name;

use super::command::{Command, KeySpec};
use super::error::{ErrorKind, ScriptError};
use super::lex::{self, PortError, Words};
use super::parse::err;
use super::record;

pub(crate) fn server(words: &mut Words<'_>) -> Result<Command, ScriptError> {
    let host = words.next_word().ok_or_else(|| {
        err(
            ErrorKind::MissingArgument,
            "server needs a host: write 'server NAME-OR-ADDRESS [PORT]'",
            "could not read server name",
        )
    })?;
    let port = port(words.next_word())?;
    Ok(Command::Server {
        host: host.to_string(),
        port,
    })
}

fn port(word: Option<&str>) -> Result<Option<u16>, ScriptError> {
    let Some(word) = word else { return Ok(None) };
    match lex::parse_port(word) {
        Ok(p) => Ok(Some(p)),
        Err(PortError::NotNumeric) => Err(err(
            ErrorKind::BadPort,
            format!("port '{word}' is not a number: write a port from 1 to 65535"),
            format!("port '{word}' is not numeric"),
        )),
        Err(PortError::OutOfRange) => Err(err(
            ErrorKind::BadPort,
            format!("port '{word}' is out of range: write a port from 1 to 65535"),
            format!("port '{word}' is out of range (1 to 65535)"),
        )),
    }
}

pub(crate) fn local(words: &mut Words<'_>) -> Result<Command, ScriptError> {
    let addr = words.next_word().ok_or_else(|| {
        err(
            ErrorKind::MissingArgument,
            "local needs an address: write 'local ADDRESS [PORT]'",
            // sic: nsupdate reuses the server message here.
            "could not read server name",
        )
    })?;
    let port = port(words.next_word())?;
    let addr: IpAddr = addr.parse().map_err(|_| {
        err(
            ErrorKind::BadAddress,
            format!("'{addr}' is not an IP address: local takes an IPv4 or IPv6 address literal"),
            format!("invalid address {addr}"),
        )
        .without_newline()
    })?;
    Ok(Command::Local { addr, port })
}

pub(crate) fn zone_name(words: &mut Words<'_>) -> Result<Name, ScriptError> {
    let word = words.next_word().ok_or_else(|| {
        err(
            ErrorKind::MissingArgument,
            "zone needs a name: write 'zone NAME'",
            "could not read zone name",
        )
    })?;
    lex::parse_name(word, &Name::root()).map_err(|why| {
        err(
            ErrorKind::BadName,
            format!("bad zone name '{word}': {why}"),
            "could not parse zone name",
        )
    })
}

pub(crate) fn class(words: &mut Words<'_>) -> Result<Command, ScriptError> {
    let word = words.next_word().ok_or_else(|| {
        err(
            ErrorKind::MissingArgument,
            "class needs a class: write 'class IN' (or CH, HS)",
            "could not read class name",
        )
    })?;
    match lex::parse_class(word) {
        None => Err(err(
            ErrorKind::BadClass,
            format!("unknown class '{word}': use IN, CH, HS or CLASSnnn"),
            format!("could not parse class name: {word}"),
        )),
        Some(c) if matches!(u16::from(c), 0 | 254 | 255) => Err(err(
            ErrorKind::BadClass,
            format!("{word} cannot be the default class: use IN, CH, HS or CLASSnnn"),
            format!("bad default class: {word}"),
        )),
        Some(c) => Ok(Command::Class(c)),
    }
}

pub(crate) fn ttl(words: &mut Words<'_>) -> Result<Command, ScriptError> {
    let word = words.next_word().ok_or_else(|| {
        err(
            ErrorKind::MissingArgument,
            "ttl needs a value: write 'ttl SECONDS' or 'ttl none'",
            "could not read ttl",
        )
    })?;
    if word.eq_ignore_ascii_case("none") {
        return Ok(Command::Ttl(None));
    }
    match lex::parse_u32(word) {
        // nsupdate prints nothing but its `syntax error` here (evaluate_ttl).
        Err(_) => Err(err(
            ErrorKind::BadTtl,
            format!("ttl '{word}' is not a number: write seconds in decimal (e.g. 3600, not 1h)"),
            "",
        )),
        Ok(t) if t > record::TTL_MAX => Err(record::ttl_out_of_range(word)),
        Ok(t) => Ok(Command::Ttl(Some(t))),
    }
}

pub(crate) fn key(words: &mut Words<'_>) -> Result<Command, ScriptError> {
    let name_word = words.next_word().ok_or_else(|| {
        err(
            ErrorKind::MissingArgument,
            "key needs a name and a secret: write 'key [ALGORITHM:]NAME BASE64-SECRET'",
            "could not read key name",
        )
    })?;
    let (algorithm, name) = match name_word.split_once(':') {
        Some((alg, name)) => (Some(check_algorithm(alg)?), name),
        None => (None, name_word),
    };
    lex::parse_name(name, &Name::root()).map_err(|why| {
        err(
            ErrorKind::BadKey,
            format!("bad key name '{name}': {why}"),
            "could not parse key name",
        )
    })?;
    // The secret is the rest of the line (nsu_strsep with "\r\n" only), blanks included.
    let raw = words.rest();
    if raw.is_empty() {
        return Err(err(
            ErrorKind::MissingArgument,
            "key needs a secret: write 'key [ALGORITHM:]NAME BASE64-SECRET'",
            "could not read key secret",
        ));
    }
    let secret: String = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    use base64::Engine as _;
    if base64::engine::general_purpose::STANDARD
        .decode(&secret)
        .is_err()
    {
        return Err(err(
            ErrorKind::BadKey,
            "the key secret is not valid base64 (copy the 'secret' value of the key file)",
            // nsupdate prints the secret itself here; dnsup never prints a secret, so it names
            // the key instead (a documented difference).
            format!("could not create key from {name}: bad base64 encoding"),
        ));
    }
    Ok(Command::Key(KeySpec {
        algorithm: algorithm.map(str::to_string),
        name: name.to_string(),
        secret,
    }))
}

/// BIND's `parse_hmac`: the six HMAC names, each optionally `-BITS` (truncation), case-insensitive.
pub(crate) fn check_algorithm(alg: &str) -> Result<&str, ScriptError> {
    let lower = alg.to_ascii_lowercase();
    let unknown = || {
        err(
            ErrorKind::BadKey,
            format!(
                "unknown key algorithm '{alg}': use hmac-md5, hmac-sha1, hmac-sha224, \
                 hmac-sha256, hmac-sha384 or hmac-sha512 (optionally -BITS)"
            ),
            format!("unknown key type '{alg}'"),
        )
    };
    // BIND copies the algorithm into a 20-byte buffer first.
    if lower.len() >= 20 {
        return Err(unknown());
    }
    for (base, max) in [
        ("hmac-md5", 128),
        ("hmac-sha1", 160),
        ("hmac-sha224", 224),
        ("hmac-sha256", 256),
        ("hmac-sha384", 384),
        ("hmac-sha512", 512),
    ] {
        if lower == base {
            return Ok(alg);
        }
        if let Some(bits) = lower.strip_prefix(base).and_then(|r| r.strip_prefix('-')) {
            return match lex::parse_u32(bits) {
                Ok(b) if b <= max => Ok(alg),
                _ => Err(err(
                    ErrorKind::BadKey,
                    format!("'{alg}': the digest bits must be between 0 and {max}"),
                    format!("digest-bits out of range [0..{max}]"),
                )),
            };
        }
    }
    Err(unknown())
}

pub(crate) fn check_names(words: &mut Words<'_>) -> Result<Command, ScriptError> {
    let word = words.next_word().ok_or_else(|| {
        err(
            ErrorKind::MissingArgument,
            "check-names needs a value: write 'check-names on' or 'check-names off'",
            "could not read check-names directive",
        )
    })?;
    match word.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" => Ok(Command::CheckNames(true)),
        "no" | "false" | "off" => Ok(Command::CheckNames(false)),
        _ => Err(err(
            ErrorKind::BadArgument,
            format!("check-names takes on or off, not '{word}'"),
            format!("incorrect check-names directive: {word}"),
        )),
    }
}
