//! Record data as nsupdate reads it: BIND 9.18's `dns_rdata_fromtext` with the lexer nsupdate
//! gives it (no comments, no parentheses: `;` and `(` are ordinary characters), rebuilt here for
//! the types scripts use, producing the wire form.
//!
//! Why here and not in hickory: nsupdate's names keep their case and accept any label bytes
//! (`_spf`, `a_b` when `check-names off`), it refuses extra words, and on failure it prints a
//! library log line that names the token it stopped at (`dns_rdata_fromtext: buffer-0x..:1:
//! near '300.1.1.1': bad dotted quad`). hickory's zone parser lower-cases names, refuses `_`
//! inside labels, ignores extra words and says nothing comparable. The types not read here go to
//! hickory's parser ([`crate::update::parse_rdata`]) with BIND's reasons guessed on top.
//!
//! The "near" rule, from `lib/dns/rdata.c`: a type parser either fails on a token it puts back
//! (`RETTOK`: the message names that token) or fails after consuming it (`RETERR`: the message
//! names the next token, usually `eof`); a first token with an unterminated quote names
//! nothing; a successful parse followed by more words is `extra input text` near the first one.

use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::rdata::NULL;
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use hickory_proto::serialize::binary::{BinDecoder, Restrict};

use super::error::{ErrorKind, ScriptError};
use super::lex;
use super::parse::{Dialect, ParseContext, err};
use super::record::text;
use super::types::type_text;
use crate::update::{RdataError, parse_rdata};

/// Where BIND's lexer was when a parse failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Near {
    /// At this token (`near 'TOKEN'`).
    Token(String),
    /// At the end of the data (`near eof`).
    Eof,
    /// BIND names no token (an unterminated quote in the first word).
    Nothing,
}

/// A failed parse: BIND's reason text and where it stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fail {
    pub(crate) reason: &'static str,
    pub(crate) near: Near,
}

impl Fail {
    /// The tail of BIND's `dns_rdata_fromtext: buffer-0x...:1: ` log line.
    pub(crate) fn log_detail(&self) -> String {
        match &self.near {
            Near::Token(t) => format!("near '{t}': {}", self.reason),
            Near::Eof => format!("near eof: {}", self.reason),
            Near::Nothing => self.reason.to_string(),
        }
    }
}

const UNEXPECTED_END: &str = "unexpected end of input";

/// A token of BIND's lexer: a word (escapes kept), or the inside of a quoted string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Quoted(String),
    Eof,
}

/// BIND's `isc_lex` over one line, without specials or comments: words end at blanks, a `\`
/// escapes the next character, and (when asked for) a word starting with `"` runs to the next
/// unescaped `"`.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    /// The next token and where it starts; `Err` for an unterminated quoted string (the lexer
    /// has then consumed everything).
    fn token(&mut self, quoted: bool) -> Result<(usize, Tok), ()> {
        let blank = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
        let rest = &self.text[self.pos..];
        let start = self.pos + (rest.len() - rest.trim_start_matches(blank).len());
        let mut chars = self.text[start..].char_indices();
        let Some((_, first)) = chars.next() else {
            self.pos = self.text.len();
            return Ok((start, Tok::Eof));
        };
        let in_quotes = quoted && first == '"';
        let mut escaped = first == '\\';
        for (i, c) in chars {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                '\\' => escaped = true,
                '"' if in_quotes => {
                    self.pos = start + i + 1;
                    return Ok((
                        start,
                        Tok::Quoted(self.text[start + 1..start + i].to_string()),
                    ));
                }
                c if !in_quotes && blank(c) => {
                    self.pos = start + i;
                    return Ok((start, Tok::Word(self.text[start..start + i].to_string())));
                }
                _ => {}
            }
        }
        self.pos = self.text.len();
        if in_quotes {
            return Err(());
        }
        Ok((start, Tok::Word(self.text[start..].to_string())))
    }
}

/// How a type parser failed.
enum E {
    /// On the token starting here, which BIND puts back (`RETTOK`).
    At(usize, &'static str),
    /// After consuming its token (`RETERR`).
    After(&'static str),
}

type R<T> = Result<T, E>;

struct Parser<'a> {
    lx: Lexer<'a>,
    origin: &'a Name,
    out: Vec<u8>,
}

fn is_number(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())
}

impl Parser<'_> {
    fn get(&mut self, quoted: bool) -> R<(usize, Tok)> {
        self.lx.token(quoted).map_err(|()| E::After(UNEXPECTED_END))
    }

    /// A word (`isc_tokentype_string`, end of data not allowed).
    fn word(&mut self) -> R<(usize, String)> {
        match self.get(false)? {
            (start, Tok::Word(w)) => Ok((start, w)),
            _ => Err(E::After(UNEXPECTED_END)),
        }
    }

    /// A quoted string or a word (`isc_tokentype_qstring`, end of data not allowed).
    fn qword(&mut self) -> R<(usize, String, bool)> {
        match self.get(true)? {
            (start, Tok::Word(w)) => Ok((start, w, false)),
            (start, Tok::Quoted(q)) => Ok((start, q, true)),
            (_, Tok::Eof) => Err(E::After(UNEXPECTED_END)),
        }
    }

    /// A decimal number up to `max` (`isc_tokentype_number`).
    fn number(&mut self, max: u32) -> R<u32> {
        let (start, w) = self.word()?;
        if !is_number(&w) {
            return Err(E::At(start, "not a valid number"));
        }
        match w.parse::<u32>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(E::At(start, "out of range")),
        }
    }

    fn u8(&mut self) -> R<()> {
        let n = self.number(0xff)?;
        self.out.push(n as u8);
        Ok(())
    }

    fn u16(&mut self) -> R<()> {
        let n = self.number(0xffff)?;
        self.out.extend_from_slice(&(n as u16).to_be_bytes());
        Ok(())
    }

    fn u32(&mut self) -> R<()> {
        let n = self.number(u32::MAX)?;
        self.out.extend_from_slice(&n.to_be_bytes());
        Ok(())
    }

    /// A number or a mnemonic (`dns_mnemonic_fromtext`).
    fn mnemonic(&mut self, table: &[(&str, u8)]) -> R<()> {
        let (start, w) = self.word()?;
        let value = if is_number(&w) {
            match w.parse::<u32>() {
                Ok(n) if n <= 0xff => n as u8,
                _ => return Err(E::At(start, "out of range")),
            }
        } else {
            match table.iter().find(|(name, _)| name.eq_ignore_ascii_case(&w)) {
                Some((_, v)) => *v,
                None => return Err(E::At(start, "unknown class/type")),
            }
        };
        self.out.push(value);
        Ok(())
    }

    fn name(&mut self) -> R<()> {
        let (start, w) = self.word()?;
        let name = lex::parse_name(&w, self.origin).map_err(|why| E::At(start, why))?;
        for label in name.iter() {
            self.out.push(label.len() as u8);
            self.out.extend_from_slice(label);
        }
        self.out.push(0);
        Ok(())
    }

    /// `txt_fromtext`: a character-string with `\X` and `\DDD` escapes, at most 255 bytes.
    fn character_string(&mut self, start: usize, text: &str) -> R<()> {
        let bytes = unescape(text).map_err(|r| E::At(start, r))?;
        if bytes.len() > 255 {
            return Err(E::At(start, "text too long"));
        }
        self.out.push(bytes.len() as u8);
        self.out.extend_from_slice(&bytes);
        Ok(())
    }

    /// `isc_hex_tobuffer`: hex digits over one or more words; `length` bytes exactly, or (None)
    /// at least one byte up to the end of the data.
    fn hex(&mut self, length: Option<usize>) -> R<()> {
        let mut remaining = length;
        let mut digits = Vec::new();
        let mut total = 0usize;
        while remaining != Some(0) {
            let w = match self.get(false)? {
                (_, Tok::Word(w)) => w,
                _ if length.is_none() => break,
                _ => return Err(E::After(UNEXPECTED_END)),
            };
            for c in w.bytes() {
                let v = (c as char)
                    .to_digit(16)
                    .ok_or(E::After("bad hex encoding"))?;
                digits.push(v as u8);
                if digits.len() == 2 {
                    if remaining == Some(0) {
                        return Err(E::After("bad hex encoding"));
                    }
                    self.out.push(digits[0] << 4 | digits[1]);
                    digits.clear();
                    total += 1;
                    remaining = remaining.map(|r| r - 1);
                }
            }
        }
        if remaining.is_some_and(|r| r > 0) {
            return Err(E::After(UNEXPECTED_END));
        }
        if !digits.is_empty() {
            return Err(E::After("bad hex encoding"));
        }
        if length.is_none() && total == 0 {
            return Err(E::After(UNEXPECTED_END));
        }
        Ok(())
    }

    /// `isc_base64_tobuffer`: with no length (-2), at least one byte up to the end of the data
    /// or the padding; with a length, exactly that many bytes.
    fn base64(&mut self, length: Option<usize>) -> R<()> {
        const ALPHABET: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
        let bad = || E::After("bad base64 encoding");
        let mut vals = Vec::new();
        let mut total = 0;
        let mut seen_end = false;
        while !seen_end && length.is_none_or(|l| total < l) {
            let w = match self.get(false)? {
                (_, Tok::Word(w)) => w,
                _ if length.is_some() => return Err(E::After(UNEXPECTED_END)),
                _ => break,
            };
            for c in w.bytes() {
                if seen_end {
                    return Err(bad());
                }
                let v = ALPHABET.iter().position(|&a| a == c).ok_or_else(bad)? as u8;
                vals.push(v);
                if vals.len() == 4 {
                    let [a, b, c, d] = [vals[0], vals[1], vals[2], vals[3]];
                    if a == 64 || b == 64 || (c == 64 && d != 64) {
                        return Err(bad());
                    }
                    if (c == 64 && b & 0xf != 0) || (d == 64 && c & 0x3 != 0) {
                        return Err(bad());
                    }
                    let n = if c == 64 {
                        1
                    } else if d == 64 {
                        2
                    } else {
                        3
                    };
                    let (c, d) = (c % 64, d % 64);
                    let bytes = [a << 2 | b >> 4, b << 4 | c >> 2, c << 6 | d];
                    if length.is_some_and(|l| total + n > l) {
                        return Err(bad());
                    }
                    self.out.extend_from_slice(&bytes[..n]);
                    total += n;
                    seen_end = n != 3;
                    vals.clear();
                }
            }
        }
        if !vals.is_empty() {
            return Err(bad());
        }
        if total == 0 {
            return Err(E::After(UNEXPECTED_END));
        }
        Ok(())
    }

    /// `multitxt_fromtext`: escaped text without a length byte.
    fn multitext(&mut self, start: usize, text: &str) -> R<()> {
        let bytes = unescape(text).map_err(|r| E::At(start, r))?;
        self.out.extend_from_slice(&bytes);
        Ok(())
    }
}

/// `dns_tsigrcode_fromtext`: a response code or TSIG error mnemonic (any case), or a number.
fn tsig_rcode(word: &str) -> Option<u32> {
    const NAMES: &[(&str, u32)] = &[
        ("NOERROR", 0),
        ("FORMERR", 1),
        ("SERVFAIL", 2),
        ("NXDOMAIN", 3),
        ("NOTIMP", 4),
        ("REFUSED", 5),
        ("YXDOMAIN", 6),
        ("YXRRSET", 7),
        ("NXRRSET", 8),
        ("NOTAUTH", 9),
        ("NOTZONE", 10),
        ("RESERVED11", 11),
        ("RESERVED12", 12),
        ("RESERVED13", 13),
        ("RESERVED14", 14),
        ("RESERVED15", 15),
        ("BADVERS", 16),
        ("BADSIG", 16),
        ("BADKEY", 17),
        ("BADTIME", 18),
        ("BADMODE", 19),
        ("BADNAME", 20),
        ("BADALG", 21),
        ("BADTRUNC", 22),
        ("BADCOOKIE", 23),
    ];
    if word.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return word.parse::<u32>().ok();
    }
    NAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, v)| *v)
}

/// Hex digits (an even number of them) as bytes.
fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// BIND's escapes: `\DDD` (three digits, at most 255) and `\X`.
fn unescape(text: &str) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::new();
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let c = bytes.next().ok_or("syntax error")?;
        if c.is_ascii_digit() {
            let d2 = bytes
                .next()
                .filter(u8::is_ascii_digit)
                .ok_or("syntax error")?;
            let d3 = bytes
                .next()
                .filter(u8::is_ascii_digit)
                .ok_or("syntax error")?;
            let v = u32::from(c - b'0') * 100 + u32::from(d2 - b'0') * 10 + u32::from(d3 - b'0');
            out.push(u8::try_from(v).map_err(|_| "syntax error")?);
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// DNSSEC algorithm mnemonics (`dns_secalg_fromtext`).
const SECALG: &[(&str, u8)] = &[
    ("RSAMD5", 1),
    ("DH", 2),
    ("DSA", 3),
    ("RSASHA1", 5),
    ("NSEC3DSA", 6),
    ("NSEC3RSASHA1", 7),
    ("RSASHA256", 8),
    ("RSASHA512", 10),
    ("ECCGOST", 12),
    ("ECDSAP256SHA256", 13),
    ("ECDSAP384SHA384", 14),
    ("ED25519", 15),
    ("ED448", 16),
    ("INDIRECT", 252),
    ("PRIVATEDNS", 253),
    ("PRIVATEOID", 254),
];

/// DS digest type mnemonics (`dns_dsdigest_fromtext`).
const DSDIGEST: &[(&str, u8)] = &[("SHA-1", 1), ("SHA-256", 2), ("GOST", 3), ("SHA-384", 4)];

/// DNSKEY protocol mnemonics (`dns_secproto_fromtext`).
const SECPROTO: &[(&str, u8)] = &[
    ("NONE", 0),
    ("TLS", 1),
    ("EMAIL", 2),
    ("DNSSEC", 3),
    ("IPSEC", 4),
    ("ALL", 255),
];

/// The types read here, by code.
fn supported(code: u16) -> bool {
    matches!(
        code,
        1 | 2..=9 | 12..=18 | 21 | 28 | 33 | 36 | 39 | 43 | 44 | 48 | 49 | 51 | 52 | 53 | 59 | 60
            | 61 | 99 | 108 | 109 | 249 | 256 | 257 | 32769
    )
}

fn parse_type_text(code: u16, p: &mut Parser<'_>) -> R<()> {
    match code {
        1 => {
            let (start, w) = p.word()?;
            let addr: Ipv4Addr = w.parse().map_err(|_| E::At(start, "bad dotted quad"))?;
            p.out.extend_from_slice(&addr.octets());
        }
        28 => {
            let (start, w) = p.word()?;
            let addr: Ipv6Addr = w.parse().map_err(|_| E::At(start, "bad IPv6 address"))?;
            p.out.extend_from_slice(&addr.octets());
        }
        2..=5 | 7..=9 | 12 | 39 => p.name()?,
        14 | 17 => {
            p.name()?;
            p.name()?;
        }
        15 | 18 | 21 | 36 => {
            p.u16()?;
            p.name()?;
        }
        33 => {
            p.u16()?;
            p.u16()?;
            p.u16()?;
            p.name()?;
        }
        6 => {
            p.name()?;
            p.name()?;
            p.u32()?;
            for _ in 0..4 {
                let (start, w) = p.word()?;
                let n = lex::parse_ttl_units(&w).ok_or(E::At(start, "syntax error"))?;
                p.out.extend_from_slice(&n.to_be_bytes());
            }
        }
        13 => {
            for _ in 0..2 {
                let (start, w, _) = p.qword()?;
                p.character_string(start, &w)?;
            }
        }
        16 | 99 => {
            let mut strings = 0;
            loop {
                match p.get(true)? {
                    (start, Tok::Word(w) | Tok::Quoted(w)) => p.character_string(start, &w)?,
                    (start, Tok::Eof) => {
                        p.lx.pos = start;
                        break;
                    }
                }
                strings += 1;
            }
            if strings == 0 {
                return Err(E::After(UNEXPECTED_END));
            }
        }
        43 | 59 | 32769 => {
            p.u16()?;
            p.mnemonic(SECALG)?;
            p.mnemonic(DSDIGEST)?;
            let length = match p.out.last() {
                Some(1) => Some(20),
                Some(2) => Some(32),
                Some(4) => Some(48),
                _ => None,
            };
            p.hex(length)?;
        }
        48 | 60 => {
            let (start, w) = p.word()?;
            let flags = if is_number(&w) {
                w.parse::<u16>().map_err(|_| E::At(start, "out of range"))?
            } else {
                return Err(E::At(start, "unknown flag"));
            };
            p.out.extend_from_slice(&flags.to_be_bytes());
            p.mnemonic(SECPROTO)?;
            p.mnemonic(SECALG)?;
            if flags & 0xc000 != 0xc000 {
                p.base64(None)?;
            }
        }
        44 => {
            p.u8()?;
            p.u8()?;
            let length = match p.out.last() {
                Some(1) => Some(20),
                Some(2) => Some(32),
                _ => None,
            };
            p.hex(length)?;
        }
        52 | 53 => {
            p.u8()?;
            p.u8()?;
            p.u8()?;
            p.hex(None)?;
        }
        49 | 61 => p.base64(None)?,
        249 => {
            // `fromtext_tkey`: algorithm, inception, expiration, mode, error, key size and key
            // (base64, exactly that many bytes), other size and other data. BIND reads it and
            // nsupdate sends it; the server judges (named: FORMERR, a meta type in an update).
            p.name()?;
            p.u32()?;
            p.u32()?;
            p.u16()?;
            let (start, w) = p.word()?;
            let code = tsig_rcode(&w).ok_or(E::At(start, "unknown class/type"))?;
            let code = u16::try_from(code).map_err(|_| E::At(start, "out of range"))?;
            p.out.extend_from_slice(&code.to_be_bytes());
            for _ in 0..2 {
                let size = p.number(0xffff)?;
                p.out.extend_from_slice(&(size as u16).to_be_bytes());
                if size > 0 {
                    p.base64(Some(size as usize))?;
                }
            }
        }
        51 => {
            p.u8()?;
            p.u8()?;
            p.u16()?;
            let (start, salt) = p.word()?;
            let bytes = if salt == "-" {
                Vec::new()
            } else {
                hex_bytes(&salt).ok_or(E::At(start, "bad hex encoding"))?
            };
            if bytes.len() > 255 {
                return Err(E::At(start, "out of range"));
            }
            p.out.push(bytes.len() as u8);
            p.out.extend_from_slice(&bytes);
        }
        108 | 109 => {
            let (_, w) = p.word()?;
            let want = if code == 108 { 6 } else { 8 };
            let groups: Vec<&str> = w.split('-').collect();
            let ok = groups.len() == want && groups.iter().all(|g| g.len() == 2);
            let bytes = ok
                .then(|| hex_bytes(&groups.concat()))
                .flatten()
                .ok_or(E::After("bad EUI"))?;
            p.out.extend_from_slice(&bytes);
        }
        256 => {
            p.u16()?;
            p.u16()?;
            let (start, w, quoted) = p.qword()?;
            if !quoted {
                return Err(E::At(start, "syntax error"));
            }
            p.multitext(start, &w)?;
        }
        257 => {
            p.u8()?;
            let (start, tag) = p.word()?;
            if tag.is_empty() || tag.len() > 255 || !tag.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(E::At(start, "syntax error"));
            }
            p.out.push(tag.len() as u8);
            p.out.extend_from_slice(tag.as_bytes());
            let (start, value, _) = p.qword()?;
            p.multitext(start, &value)?;
        }
        _ => return Err(E::After("not implemented")),
    }
    Ok(())
}

/// RFC 3597 `\# LENGTH HEX` (`unknown_fromtext`); meta types have no data, even in this form.
fn parse_generic(p: &mut Parser<'_>, meta: bool) -> R<()> {
    if meta {
        let (start, _) = p.word()?;
        return Err(E::At(start, "invalid use of a meta type"));
    }
    let length = p.number(u32::MAX)?;
    if length > 65535 {
        return Err(E::After("out of range"));
    }
    if length > 0 {
        p.hex(Some(length as usize))?;
    }
    Ok(())
}

/// The outcome of [`parse_bind`]: wire-form data, or nothing when the type is not read here.
pub(crate) fn parse_bind(
    rtype: RecordType,
    text: &str,
    origin: &Name,
) -> Option<Result<Vec<u8>, Fail>> {
    let code = u16::from(rtype);
    let mut p = Parser {
        lx: Lexer { text, pos: 0 },
        origin,
        out: Vec::new(),
    };
    // dns_rdata_fromtext reads the first token as a quoted string to look for `\#`.
    let generic = match p.lx.token(true) {
        Err(()) => {
            return Some(Err(Fail {
                reason: UNEXPECTED_END,
                near: Near::Nothing,
            }));
        }
        Ok((_, Tok::Word(w))) if w == "\\#" => true,
        Ok((start, _)) => {
            p.lx.pos = start;
            false
        }
    };
    if !generic && !supported(code) {
        return None;
    }
    let result = if generic {
        // BIND then reads the bytes with the type's wire reader, which for every type it knows
        // but NULL and APL needs at least one byte.
        let empty_ok = matches!(code, 10 | 42) || type_text(rtype).starts_with("TYPE");
        match parse_generic(&mut p, crate::update::is_meta(rtype)) {
            Ok(()) if p.out.is_empty() && !empty_ok => Err(E::After(UNEXPECTED_END)),
            other => other,
        }
    } else {
        parse_type_text(code, &mut p)
    };
    let reason = match result {
        Ok(()) => None,
        Err(E::At(start, reason)) => {
            p.lx.pos = start;
            Some(reason)
        }
        Err(E::After(reason)) => Some(reason),
    };
    // What follows: the token BIND names, or extra words after good data.
    let next = match p.lx.token(false) {
        Ok((_, Tok::Word(w) | Tok::Quoted(w))) => Near::Token(w),
        Ok((_, Tok::Eof)) => Near::Eof,
        Err(()) => Near::Nothing,
    };
    Some(match (reason, next) {
        (Some(reason), near) => Err(Fail { reason, near }),
        (None, Near::Eof) => Ok(p.out),
        (None, near) => Err(Fail {
            reason: "extra input text",
            near,
        }),
    })
}

/// Wire-form data as an `RData`: decoded for the types hickory holds exactly, kept as raw bytes
/// (with the type code) for the others, so what goes out is what BIND would send.
pub(crate) fn from_wire(rtype: RecordType, wire: &[u8]) -> Result<RData, &'static str> {
    let decoded = matches!(
        rtype,
        RecordType::A
            | RecordType::AAAA
            | RecordType::NS
            | RecordType::CNAME
            | RecordType::PTR
            | RecordType::MX
            | RecordType::SRV
            | RecordType::SOA
            | RecordType::TXT
    );
    if decoded {
        let len = u16::try_from(wire.len()).map_err(|_| "out of range")?;
        let mut decoder = BinDecoder::new(wire);
        let rdata =
            RData::read(&mut decoder, rtype, Restrict::new(len)).map_err(|_| UNEXPECTED_END)?;
        if !decoder.is_empty() {
            return Err("extra input text");
        }
        return Ok(rdata);
    }
    let rdata = if wire.is_empty() {
        NULL::new()
    } else {
        NULL::with(wire.to_vec())
    };
    Ok(RData::Unknown { code: rtype, rdata })
}

/// Parse record data with nsupdate's rules for the record's class and type.
pub(crate) fn rdata(
    d: Dialect,
    ctx: &ParseContext,
    class: DNSClass,
    rtype: RecordType,
    data: &str,
) -> Result<RData, ScriptError> {
    let generic = data.trim_start().starts_with("\\#");
    let bad = |fail: &Fail, message: String| {
        let mut e = err(
            ErrorKind::BadRdata,
            message,
            text(
                d,
                format!("invalid rdata format: {}", fail.reason),
                &format!(
                    "invalid rdata ({})",
                    if generic && fail.reason != "not a valid number" {
                        "the rdata length statement is incorrect"
                    } else {
                        knot_reason(rtype, fail.reason)
                    }
                ),
            ),
        );
        if d == Dialect::Nsupdate {
            e.rdata_log = Some(fail.log_detail());
        }
        e
    };
    if matches!(class, DNSClass::NONE | DNSClass::ANY)
        || (crate::update::is_meta(rtype) && !generic && u16::from(rtype) != 249)
    {
        // BIND has no data form for the meta classes and types; it stops at the first word.
        let first = data.split_ascii_whitespace().next().unwrap_or_default();
        let fail = Fail {
            reason: "unknown class/type",
            near: Near::Token(first.to_string()),
        };
        return Err(bad(
            &fail,
            format!(
                "{} {} records carry no data",
                super::present::class_text(class),
                type_text(rtype)
            ),
        ));
    }
    if let Some(parsed) = parse_bind(rtype, data, &ctx.origin) {
        let wire = parsed.map_err(|fail| {
            let message = format!("bad {} data '{data}': {}", type_text(rtype), fail.reason);
            bad(&fail, message)
        })?;
        let fail_at_end = |reason| {
            let fail = Fail {
                reason,
                near: Near::Eof,
            };
            bad(
                &fail,
                format!("bad {} data '{data}': {reason}", type_text(rtype)),
            )
        };
        let rdata = from_wire(rtype, &wire).map_err(fail_at_end)?;
        // BIND reads generic data with the type's wire reader and refuses what is not data of
        // the type (a DNSKEY without its key). Here: the type's text form, as `show` prints it,
        // must read back to the same bytes.
        if generic && supported(u16::from(rtype)) {
            let text = super::present::rdata_text(&rdata, super::present::Style::Bind);
            match parse_bind(rtype, &text, &ctx.origin) {
                Some(Ok(again)) if again == wire && !text.starts_with("\\#") => {}
                Some(Err(fail)) => return Err(fail_at_end(fail.reason)),
                _ => return Err(fail_at_end(UNEXPECTED_END)),
            }
        }
        return Ok(rdata);
    }
    // Types read by hickory's zone-file parser (NAPTR, HTTPS, SVCB, CERT, CSYNC, ...).
    let first = data.split_ascii_whitespace().next().unwrap_or_default();
    if d == Dialect::Nsupdate && has_unquoted(data, &[';', '(', ')']) {
        let word = data
            .split_ascii_whitespace()
            .find(|w| w.contains([';', '(', ')']))
            .unwrap_or(first);
        let fail = Fail {
            reason: "extra input text",
            near: Near::Token(word.to_string()),
        };
        return Err(bad(
            &fail,
            format!("'{data}': nsupdate record data is one line without comments or parentheses"),
        ));
    }
    if type_text(rtype).starts_with("TYPE") {
        // A type BIND does not know has only the generic form.
        let fail = Fail {
            reason: "unknown class/type",
            near: Near::Token(first.to_string()),
        };
        return Err(bad(
            &fail,
            format!(
                "{} has no text form: write its data as '\\# LENGTH HEX'",
                type_text(rtype)
            ),
        ));
    }
    if !hickory_reads(rtype) {
        let fail = Fail {
            reason: "not implemented",
            near: Near::Token(first.to_string()),
        };
        return Err(bad(
            &fail,
            format!(
                "dnsup cannot read {} data in text form yet: write it as '\\# LENGTH HEX'",
                type_text(rtype)
            ),
        ));
    }
    parse_rdata(rtype, data, &ctx.origin).map_err(|e| {
        let reason = bind_reason(&e);
        let near = if reason == UNEXPECTED_END {
            Near::Eof
        } else {
            Near::Token(first.to_string())
        };
        bad(&Fail { reason, near }, e.to_string())
    })
}

/// What Knot's zone-file scanner says for data BIND refuses with `reason` (its `zs_strerror`
/// texts, as knsupdate 3.2 prints them in `invalid record (...)`).
pub(crate) fn knot_reason(rtype: RecordType, reason: &str) -> &'static str {
    match reason {
        "bad dotted quad" => "invalid IPv4 address",
        "bad IPv6 address" => "invalid IPv6 address",
        "not a valid number" => "invalid number",
        "out of range" => "number is bigger than 16 bits",
        "extra input text" => "unexpected data",
        "bad hex encoding" => "invalid hexadecimal character",
        "bad base64 encoding" => "invalid Base64 character",
        "unknown class/type" => "unsupported record type",
        "empty label" | "label too long" | "bad escape" | "ran out of space" => {
            "invalid domain name character"
        }
        UNEXPECTED_END => match rtype {
            RecordType::A | RecordType::AAAA => "invalid address character",
            RecordType::TXT | RecordType::HINFO | RecordType::Unknown(99) => {
                "invalid text character"
            }
            _ => "invalid number",
        },
        _ => "invalid rdata",
    }
}

/// The types hickory's parser reads that are not read here.
fn hickory_reads(rtype: RecordType) -> bool {
    matches!(
        rtype,
        RecordType::NAPTR
            | RecordType::HTTPS
            | RecordType::SVCB
            | RecordType::CERT
            | RecordType::CSYNC
            | RecordType::NULL
    )
}

fn has_unquoted(data: &str, chars: &[char]) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in data.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            c if !quoted && chars.contains(&c) => return true,
            _ => {}
        }
    }
    false
}

/// The `isc_result_totext` reason BIND gives for the same bad data, as far as it can be told.
fn bind_reason(e: &RdataError) -> &'static str {
    match e {
        RdataError::MetaType(_) | RdataError::NeedsGeneric(_) | RdataError::UnknownType(_) => {
            "unknown class/type"
        }
        RdataError::Invalid { reason, .. } => {
            let reason = reason.to_ascii_lowercase();
            if reason.contains("unterminated")
                || reason.contains("end of")
                || reason.contains("missing")
                || reason.contains("not present")
            {
                UNEXPECTED_END
            } else if reason.contains("parsing number") || reason.contains("invalid digit") {
                "not a valid number"
            } else if reason.contains("encoding error") || reason.contains("hex") {
                "bad hex encoding"
            } else {
                "syntax error"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(rtype: RecordType, text: &str) -> Result<Vec<u8>, String> {
        parse_bind(rtype, text, &Name::root())
            .expect("read here")
            .map_err(|f| f.log_detail())
    }

    #[test]
    fn names_keep_case_and_underscores() {
        let wire = p(RecordType::CNAME, "Foo.Bar").unwrap();
        assert_eq!(wire, b"\x03Foo\x03Bar\x00");
        assert!(p(RecordType::MX, "10 a_b.").is_ok());
        assert!(p(RecordType::SRV, "0 0 5 _x._tcp.a.").is_ok());
    }

    /// The reasons and tokens of nsupdate 9.18.49's `dns_rdata_fromtext` lines for the same data.
    #[test]
    fn bind_reasons_and_tokens() {
        let cases: &[(RecordType, &str, &str)] = &[
            (RecordType::A, "1.2.3", "near '1.2.3': bad dotted quad"),
            (
                RecordType::A,
                "(1.2.3.4)",
                "near '(1.2.3.4)': bad dotted quad",
            ),
            (RecordType::A, "1.2.3.4 5", "near '5': extra input text"),
            (RecordType::A, "1.2.3.4 ; c", "near ';': extra input text"),
            (RecordType::A, "1.2.3.4 \"x", "near '\"x': extra input text"),
            (
                RecordType::A,
                "\"1.2.3.4\"",
                "near '\"1.2.3.4\"': bad dotted quad",
            ),
            (RecordType::A, "\"1.2.3.4", "unexpected end of input"),
            (
                RecordType::AAAA,
                "1.2.3.4",
                "near '1.2.3.4': bad IPv6 address",
            ),
            (RecordType::MX, "10", "near eof: unexpected end of input"),
            (RecordType::MX, "x y", "near 'x': not a valid number"),
            (RecordType::MX, "70000 x.", "near '70000': out of range"),
            (
                RecordType::MX,
                "99999999999 x.",
                "near '99999999999': out of range",
            ),
            (RecordType::MX, "0x10 x.", "near '0x10': not a valid number"),
            (RecordType::MX, "10 a..b", "near 'a..b': empty label"),
            (RecordType::SRV, "1 2", "near eof: unexpected end of input"),
            (RecordType::SRV, "1 2 3 4 5", "near '5': extra input text"),
            (RecordType::CNAME, "a b", "near 'b': extra input text"),
            (
                RecordType::TXT,
                "\"a\" \"b",
                "near eof: unexpected end of input",
            ),
            (RecordType::TXT, "\"abc", "unexpected end of input"),
            (
                RecordType::CAA,
                "0 issue",
                "near eof: unexpected end of input",
            ),
            (
                RecordType::CAA,
                "x issue \"a\"",
                "near 'x': not a valid number",
            ),
            (
                RecordType::CAA,
                "0 iss-ue \"x\"",
                "near 'iss-ue': syntax error",
            ),
            (RecordType::SSHFP, "1 1 zz", "near eof: bad hex encoding"),
            (
                RecordType::SSHFP,
                "1 1 zz 00",
                "near '00': bad hex encoding",
            ),
            (
                RecordType::SSHFP,
                "1 1 ab cd",
                "near eof: unexpected end of input",
            ),
            (RecordType::TLSA, "3 1 1 abc", "near eof: bad hex encoding"),
            (
                RecordType::DS,
                "1 8 2 abcd",
                "near eof: unexpected end of input",
            ),
            (RecordType::DS, "70000 8 2 ab", "near '70000': out of range"),
            (
                RecordType::DS,
                "1 FOO 2 ab",
                "near 'FOO': unknown class/type",
            ),
            (
                RecordType::DNSKEY,
                "257 3 8",
                "near eof: unexpected end of input",
            ),
            (
                RecordType::DNSKEY,
                "257 3 8 !!",
                "near eof: bad base64 encoding",
            ),
            (
                RecordType::SOA,
                "a. b. 1 2 3 4",
                "near eof: unexpected end of input",
            ),
            (
                RecordType::SOA,
                "a. b. 1 1x 2 3 4",
                "near '1x': syntax error",
            ),
            (
                RecordType::SOA,
                "a. b. x 1 2 3 4",
                "near 'x': not a valid number",
            ),
            (
                RecordType::Unknown(256),
                "10 1 https://x/",
                "near 'https://x/': syntax error",
            ),
            (RecordType::HINFO, "a", "near eof: unexpected end of input"),
            (
                RecordType::A,
                "\\# 3 010203",
                "near eof: unexpected end of input",
            ),
            (
                RecordType::A,
                "\\# 4 0102",
                "near eof: unexpected end of input",
            ),
            (
                RecordType::Unknown(65280),
                "\\# x",
                "near 'x': not a valid number",
            ),
        ];
        for (rtype, text, expected) in cases {
            let got = match p(*rtype, text) {
                Ok(wire) => match from_wire(*rtype, &wire) {
                    Ok(_) => "ok".to_string(),
                    Err(reason) => format!("near eof: {reason}"),
                },
                Err(e) => e,
            };
            assert_eq!(&got, expected, "{rtype} {text:?}");
        }
    }

    #[test]
    fn data_in_wire_form() {
        assert_eq!(
            p(RecordType::DNSKEY, "257 3 ECDSAP256SHA256 Aw EA AQ==").unwrap(),
            b"\x01\x01\x03\x0d\x03\x01\x00\x01"
        );
        assert_eq!(
            p(RecordType::CAA, "0 issue letsencrypt.org").unwrap(),
            b"\x00\x05issueletsencrypt.org"
        );
        assert_eq!(
            p(RecordType::TXT, "\"a\\065\" a\\ b").unwrap(),
            b"\x02aA\x03a b"
        );
        assert_eq!(
            p(RecordType::SOA, "a. b. 1 1h 2 3 4").unwrap()[6..10],
            [0, 0, 0, 1]
        );
        assert_eq!(p(RecordType::Unknown(65280), "\\# 0").unwrap(), b"");
        assert_eq!(
            p(RecordType::Unknown(65280), "\\# 3 ab CD ef").unwrap(),
            b"\xab\xcd\xef"
        );
        assert!(parse_bind(RecordType::NAPTR, "1 2 \"a\" \"b\" \"\" .", &Name::root()).is_none());
    }

    #[test]
    fn tkey_data_in_text_as_bind_reads_it() {
        let tkey = RecordType::from(249);
        let wire = p(tkey, "a. 1 2 3 badkey 3 AQID 2 AAE=").unwrap();
        #[rustfmt::skip]
        let want: &[u8] = &[
            1, b'a', 0, // algorithm
            0, 0, 0, 1, 0, 0, 0, 2, // inception, expiration
            0, 3, 0, 17, // mode, error (BADKEY)
            0, 3, 1, 2, 3, // key size and key
            0, 2, 0, 1, // other size and data
        ];
        assert_eq!(wire, want);
        assert_eq!(p(tkey, "a. 0 0 3 21 0 0").unwrap()[13..15], [0, 21]);
        assert_eq!(
            p(tkey, "a. 0 0 3 BOGUS 0 0").unwrap_err(),
            "near 'BOGUS': unknown class/type"
        );
        assert_eq!(
            p(tkey, "a. 0 0 3 NOERROR 4 AQID 0").unwrap_err(),
            "near eof: unexpected end of input"
        );
        assert!(p(tkey, "a. 0 0 3 NOERROR 2 AQID 0").is_err());
        assert!(p(tkey, "a. 0 0 70000 NOERROR 0 0").is_err());
    }
}
