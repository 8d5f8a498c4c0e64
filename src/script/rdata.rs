//! Record data as nsupdate reads it. The everyday types (A, AAAA, NS, CNAME, PTR, MX, SRV, SOA)
//! are read here; the rest goes to the general parser in [`crate::update::rdata`], with
//! nsupdate's extra rules and its reason texts on top.
//!
//! Why here: nsupdate's names keep their case and accept any label bytes (`_spf`, `a_b` when
//! `check-names off`), and it refuses extra words. hickory's zone parser lower-cases names, runs
//! them through IDNA (refusing `_` inside a label) and ignores extra words, so these types are
//! read with BIND's rules (`lib/dns/rdata/*/*.c` fromtext), returning BIND's reason texts.

use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, PTR, SOA, SRV};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};

use super::error::{ErrorKind, ScriptError};
use super::lex;
use super::parse::{Dialect, ParseContext, err};
use super::record::text;
use crate::update::{RdataError, parse_rdata, type_name};

/// A reason as BIND's `isc_result_totext` gives it.
type Reason = &'static str;

struct Tokens<'a> {
    words: std::str::SplitAsciiWhitespace<'a>,
    origin: &'a Name,
}

impl<'a> Tokens<'a> {
    fn next(&mut self) -> Result<&'a str, Reason> {
        self.words.next().ok_or("unexpected end of input")
    }

    fn name(&mut self) -> Result<Name, Reason> {
        let word = self.next()?;
        lex::parse_name(word, self.origin)
    }

    fn u16(&mut self) -> Result<u16, Reason> {
        let value = self.u32()?;
        u16::try_from(value).map_err(|_| "out of range")
    }

    fn u32(&mut self) -> Result<u32, Reason> {
        lex::parse_u32(self.next()?).map_err(lex::NumberError::bind_text)
    }

    /// SOA timers take TTL units (`1h`) in BIND.
    fn timer(&mut self) -> Result<u32, Reason> {
        lex::parse_ttl_units(self.next()?).ok_or("syntax error")
    }

    fn end(mut self) -> Result<(), Reason> {
        match self.words.next() {
            Some(_) => Err("extra input text"),
            None => Ok(()),
        }
    }
}

/// Parse `text` for `rtype` if it is one of the types read here (and not in the generic `\#`
/// form); `None` leaves it to the general parser.
pub(crate) fn parse_common(
    rtype: RecordType,
    text: &str,
    origin: &Name,
) -> Option<Result<RData, Reason>> {
    if text.trim_start().starts_with("\\#") {
        return None;
    }
    let handled = matches!(
        rtype,
        RecordType::A
            | RecordType::AAAA
            | RecordType::NS
            | RecordType::CNAME
            | RecordType::PTR
            | RecordType::MX
            | RecordType::SRV
            | RecordType::SOA
    );
    if !handled {
        return None;
    }
    let mut t = Tokens {
        words: text.split_ascii_whitespace(),
        origin,
    };
    Some(parse(rtype, &mut t).and_then(|rdata| t.end().map(|()| rdata)))
}

fn parse(rtype: RecordType, t: &mut Tokens<'_>) -> Result<RData, Reason> {
    let rdata = match rtype {
        RecordType::A => {
            let addr: Ipv4Addr = t.next()?.parse().map_err(|_| "bad dotted quad")?;
            RData::A(A(addr))
        }
        RecordType::AAAA => {
            let addr: Ipv6Addr = t.next()?.parse().map_err(|_| "bad IPv6 address")?;
            RData::AAAA(AAAA(addr))
        }
        RecordType::NS => RData::NS(NS(t.name()?)),
        RecordType::CNAME => RData::CNAME(CNAME(t.name()?)),
        RecordType::PTR => RData::PTR(PTR(t.name()?)),
        RecordType::MX => {
            let preference = t.u16()?;
            RData::MX(MX::new(preference, t.name()?))
        }
        RecordType::SRV => {
            let (priority, weight, port) = (t.u16()?, t.u16()?, t.u16()?);
            RData::SRV(SRV::new(priority, weight, port, t.name()?))
        }
        _ => {
            let (mname, rname) = (t.name()?, t.name()?);
            let serial = t.u32()?;
            // The timers are 32-bit on the wire; hickory keeps three as i32, same bits.
            let refresh = t.timer()? as i32;
            let retry = t.timer()? as i32;
            let expire = t.timer()? as i32;
            let minimum = t.timer()?;
            RData::SOA(SOA::new(
                mname, rname, serial, refresh, retry, expire, minimum,
            ))
        }
    };
    Ok(rdata)
}

/// Parse record data with nsupdate's extra rules: no comments or parentheses outside quotes
/// (nsupdate's lexer has neither), and no data in the meta classes.
pub(crate) fn rdata(
    d: Dialect,
    ctx: &ParseContext,
    class: DNSClass,
    rtype: RecordType,
    data: &str,
) -> Result<RData, ScriptError> {
    let bad = |reason: &str, message: String| {
        err(
            ErrorKind::BadRdata,
            message,
            text(
                d,
                format!("invalid rdata format: {reason}"),
                &format!("invalid rdata ({reason})"),
            ),
        )
    };
    if matches!(class, DNSClass::NONE | DNSClass::ANY) {
        return Err(bad(
            "unknown class/type",
            format!(
                "records in class {} carry no data",
                super::present::class_text(class)
            ),
        ));
    }
    if let Some(parsed) = parse_common(rtype, data, &ctx.origin) {
        return parsed.map_err(|reason| {
            bad(
                reason,
                format!("bad {} data '{data}': {reason}", type_name(rtype)),
            )
        });
    }
    if d == Dialect::Nsupdate && rtype != RecordType::TXT && has_unquoted(data, &[';', '(', ')']) {
        return Err(bad(
            "extra input text",
            format!("'{data}': nsupdate record data is one line without comments or parentheses"),
        ));
    }
    parse_rdata(rtype, data, &ctx.origin)
        .map_err(|e| bad(bind_reason(rtype, data, &e), e.to_string()))
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
fn bind_reason(rtype: RecordType, data: &str, e: &RdataError) -> &'static str {
    let generic = data.trim_start().starts_with("\\#");
    match e {
        RdataError::MetaType(_) | RdataError::NeedsGeneric(_) | RdataError::UnknownType(_) => {
            "unknown class/type"
        }
        RdataError::Invalid { reason, .. } => {
            let reason = reason.to_ascii_lowercase();
            if generic {
                if reason.contains("not a number") || reason.contains("needs a length") {
                    "not a valid number"
                } else if reason.contains("hex") {
                    "bad hex encoding"
                } else {
                    "unexpected end of input"
                }
            } else if rtype == RecordType::A {
                "bad dotted quad"
            } else if rtype == RecordType::AAAA {
                "bad IPv6 address"
            } else if reason.contains("unterminated")
                || reason.contains("end of")
                || reason.contains("missing")
                || reason.contains("not present")
            {
                "unexpected end of input"
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

    fn p(rtype: RecordType, text: &str) -> Result<RData, Reason> {
        parse_common(rtype, text, &Name::root()).expect("handled")
    }

    #[test]
    fn names_keep_case_and_underscores() {
        let rdata = p(RecordType::CNAME, "Foo.Bar").unwrap();
        assert_eq!(
            rdata,
            RData::CNAME(CNAME(Name::from_ascii("Foo.Bar.").unwrap()))
        );
        assert!(p(RecordType::MX, "10 a_b.").is_ok());
        assert!(p(RecordType::SRV, "0 0 5 _x._tcp.a.").is_ok());
    }

    #[test]
    fn bind_reasons() {
        assert_eq!(p(RecordType::A, "1.2.3"), Err("bad dotted quad"));
        assert_eq!(p(RecordType::A, "( 1.2.3.4 )"), Err("bad dotted quad"));
        assert_eq!(p(RecordType::A, "1.2.3.4 5"), Err("extra input text"));
        assert_eq!(p(RecordType::AAAA, "1.2.3.4"), Err("bad IPv6 address"));
        assert_eq!(p(RecordType::MX, "10"), Err("unexpected end of input"));
        assert_eq!(p(RecordType::MX, "mail."), Err("not a valid number"));
        assert_eq!(p(RecordType::MX, "70000 mail."), Err("out of range"));
        assert_eq!(p(RecordType::MX, "10 a..b"), Err("empty label"));
        assert_eq!(p(RecordType::SRV, "1 2"), Err("unexpected end of input"));
        assert_eq!(p(RecordType::CNAME, "a b"), Err("extra input text"));
        let soa = p(RecordType::SOA, "ns. host. 1 1h 10m 1w 300").unwrap();
        assert_eq!(
            soa,
            RData::SOA(SOA::new(
                Name::from_ascii("ns.").unwrap(),
                Name::from_ascii("host.").unwrap(),
                1,
                3600,
                600,
                604_800,
                300
            ))
        );
        assert!(parse_common(RecordType::A, "\\# 4 01020304", &Name::root()).is_none());
        assert!(parse_common(RecordType::TXT, "x", &Name::root()).is_none());
    }
}
