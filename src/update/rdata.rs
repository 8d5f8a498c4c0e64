//! Presentation-format record data (RFC 1035 section 5, RFC 3597 section 5) to hickory's `RData`.
//!
//! Known types are parsed by hickory's zone-file parser, which also makes relative names in the
//! rdata absolute from the origin. The generic form `\# LEN HEX` (RFC 3597) is handled here for
//! every type: for a type hickory knows, the bytes are decoded as that type, so malformed generic
//! rdata is refused before it reaches a server.

use std::str::FromStr;

use hickory_proto::rr::rdata::{NULL, TXT};
use hickory_proto::rr::{Name, RData, RecordType};
use hickory_proto::serialize::binary::{BinDecoder, Restrict};
use hickory_proto::serialize::txt::Parser;

/// Why a record type or rdata could not be parsed. The message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RdataError {
    /// The type is neither a mnemonic hickory knows nor `TYPEnnn`.
    #[error("unknown record type '{0}' (use a mnemonic such as A, or TYPEnnn)")]
    UnknownType(String),
    /// A meta type (ANY, AXFR, OPT, TSIG, ...) cannot be stored in a zone.
    #[error("record type {0} cannot be used as data")]
    MetaType(String),
    /// hickory has no text form for this type: the RFC 3597 form is the way to write it.
    #[error("record type {0} has no text form here: write its data as '\\# LENGTH HEX'")]
    NeedsGeneric(String),
    /// The rdata text does not parse for this type.
    #[error("bad {rtype} data '{text}': {reason}")]
    Invalid {
        /// The record type being parsed.
        rtype: String,
        /// The rdata as given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Parse a record type: a mnemonic (case-insensitive) or RFC 3597 `TYPEnnn`.
pub fn parse_type(text: &str) -> Result<RecordType, RdataError> {
    let upper = text.to_ascii_uppercase();
    if let Some(code) = upper
        .strip_prefix("TYPE")
        .and_then(|n| n.parse::<u16>().ok())
    {
        return Ok(RecordType::from(code));
    }
    RecordType::from_str(&upper).map_err(|_| RdataError::UnknownType(text.to_string()))
}

/// The presentation name of a type: its mnemonic, or `TYPEnnn` for types hickory does not know.
pub fn type_name(rtype: RecordType) -> String {
    match rtype {
        RecordType::Unknown(code) => format!("TYPE{code}"),
        other => other.to_string(),
    }
}

/// True for types that exist only in messages (RFC 6895 section 3.1: QTYPEs and meta-TYPEs).
pub fn is_meta(rtype: RecordType) -> bool {
    matches!(
        rtype,
        RecordType::ANY
            | RecordType::AXFR
            | RecordType::IXFR
            | RecordType::OPT
            | RecordType::TSIG
            | RecordType::ZERO
    ) || matches!(u16::from(rtype), 128..=255)
}

/// Parse rdata `text` for `rtype`; relative names in it are made absolute from `origin`.
pub fn parse_rdata(rtype: RecordType, text: &str, origin: &Name) -> Result<RData, RdataError> {
    let invalid = |reason: String| RdataError::Invalid {
        rtype: type_name(rtype),
        text: text.to_string(),
        reason,
    };
    if is_meta(rtype) {
        return Err(RdataError::MetaType(type_name(rtype)));
    }
    let trimmed = text.trim();
    if trimmed.contains(['\n', '\r']) {
        return Err(invalid("line breaks are not allowed in record data".into()));
    }
    if let Some(generic) = trimmed.strip_prefix("\\#") {
        return parse_generic(rtype, generic).map_err(invalid);
    }
    if trimmed.is_empty() {
        return Err(invalid("no data given".into()));
    }
    if matches!(rtype, RecordType::Unknown(_)) {
        return Err(RdataError::NeedsGeneric(type_name(rtype)));
    }
    if rtype == RecordType::TXT {
        // hickory's lexer keeps `\DDD` escapes literally; TXT is common enough to do it right.
        let strings = character_strings(trimmed).map_err(invalid)?;
        return Ok(RData::TXT(TXT::from_bytes(
            strings.iter().map(Vec::as_slice).collect(),
        )));
    }
    // A one-record zone text lets hickory apply its full presentation rules (quoting, escapes,
    // parentheses, relative names). '$' at the start of a line is the only directive syntax, and
    // the data cannot start a line because line breaks were refused above.
    let zone = format!("@ 0 IN {} {}\n", type_name(rtype), trimmed);
    let parsed = Parser::new(zone, None, Some(origin.clone()))
        .parse()
        .map_err(|e| invalid(e.to_string()))?;
    let mut records = parsed.1.into_values().flat_map(|set| {
        set.records_without_rrsigs()
            .map(|r| r.data.clone())
            .collect::<Vec<_>>()
    });
    match (records.next(), records.next()) {
        (Some(rdata), None) => Ok(rdata),
        _ => Err(invalid("expected exactly one record".into())),
    }
}

/// RFC 1035 section 5.1 character-strings: quoted or bare, `\X` and `\DDD` escapes, at most
/// 255 bytes each.
fn character_strings(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut bytes = text.bytes().peekable();
    loop {
        while bytes.next_if(u8::is_ascii_whitespace).is_some() {}
        let Some(first) = bytes.peek().copied() else {
            break;
        };
        let quoted = first == b'"';
        if quoted {
            bytes.next();
        }
        let mut cur = Vec::new();
        let mut closed = !quoted;
        while let Some(b) = bytes.next() {
            match b {
                b'"' if quoted => {
                    closed = true;
                    break;
                }
                b'"' => return Err("a quote inside an unquoted string".into()),
                c if !quoted && c.is_ascii_whitespace() => break,
                b'\\' => {
                    let esc = bytes.next().ok_or("a backslash at the end of the data")?;
                    if esc.is_ascii_digit() {
                        let d2 = bytes.next().filter(u8::is_ascii_digit);
                        let d3 = bytes.next().filter(u8::is_ascii_digit);
                        let (Some(d2), Some(d3)) = (d2, d3) else {
                            return Err("a \\DDD escape needs three digits".into());
                        };
                        let value = u32::from(esc - b'0') * 100
                            + u32::from(d2 - b'0') * 10
                            + u32::from(d3 - b'0');
                        cur.push(u8::try_from(value).map_err(|_| "a \\DDD escape above 255")?);
                    } else {
                        cur.push(esc);
                    }
                }
                c => cur.push(c),
            }
        }
        if !closed {
            return Err("unterminated quoted string".into());
        }
        if cur.len() > 255 {
            return Err(format!(
                "a string of {} bytes; each string holds at most 255 (split it into several quoted strings)",
                cur.len()
            ));
        }
        out.push(cur);
    }
    if out.is_empty() {
        return Err("no data given".into());
    }
    Ok(out)
}

/// RFC 3597 section 5: `\# LENGTH HEX...` (hex may be split by spaces; length 0 has no hex).
fn parse_generic(rtype: RecordType, rest: &str) -> Result<RData, String> {
    let mut words = rest.split_whitespace();
    let len: usize = words
        .next()
        .ok_or("'\\#' needs a length")?
        .parse()
        .map_err(|_| "the length after '\\#' is not a number".to_string())?;
    let hex: String = words.collect();
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the data after the length is not hexadecimal".into());
    }
    if !hex.len().is_multiple_of(2) {
        return Err("odd number of hex digits".into());
    }
    // All ASCII hex digits: every two-byte slice is on a character boundary.
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| "the data after the length is not hexadecimal".to_string())?;
    if bytes.len() != len {
        return Err(format!(
            "length {len} does not match {} bytes of data",
            bytes.len()
        ));
    }
    if len > usize::from(u16::MAX) {
        return Err("data longer than 65535 bytes".into());
    }
    if matches!(rtype, RecordType::Unknown(_)) {
        // NULL::with asserts on empty data; NULL::new is the empty form.
        let rdata = if bytes.is_empty() {
            NULL::new()
        } else {
            NULL::with(bytes)
        };
        return Ok(RData::Unknown { code: rtype, rdata });
    }
    let mut decoder = BinDecoder::new(&bytes);
    let rdata = RData::read(&mut decoder, rtype, Restrict::new(len as u16))
        .map_err(|e| format!("not valid {} data: {e}", type_name(rtype)))?;
    if !decoder.is_empty() {
        return Err(format!("trailing bytes after {} data", type_name(rtype)));
    }
    Ok(rdata)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Name {
        Name::root()
    }

    fn wire(rdata: &RData) -> Vec<u8> {
        use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};
        let mut buf = Vec::new();
        let mut enc = BinEncoder::new(&mut buf);
        rdata.emit(&mut enc).unwrap();
        buf
    }

    #[test]
    fn types_by_mnemonic_and_number() {
        assert_eq!(parse_type("a").unwrap(), RecordType::A);
        assert_eq!(parse_type("TYPE1").unwrap(), RecordType::A);
        assert_eq!(parse_type("type65280").unwrap(), RecordType::Unknown(65280));
        assert_eq!(type_name(RecordType::Unknown(65280)), "TYPE65280");
        assert!(matches!(
            parse_type("BOGUS"),
            Err(RdataError::UnknownType(_))
        ));
    }

    #[test]
    fn common_types_parse() {
        let cases = [
            (RecordType::A, "192.0.2.1"),
            (RecordType::AAAA, "2001:db8::1"),
            (RecordType::CNAME, "target.example.test."),
            (RecordType::MX, "10 mail.example.test."),
            (RecordType::SRV, "0 5 5060 sip.example.test."),
            (RecordType::PTR, "host.example.test."),
            (RecordType::NS, "ns1.example.test."),
            (RecordType::CAA, "0 issue \"letsencrypt.org\""),
            (
                RecordType::SSHFP,
                "4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            ),
            (
                RecordType::TLSA,
                "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            ),
            (RecordType::HTTPS, "1 . alpn=h2,h3"),
            (RecordType::TXT, "\"hello world\" \"second\""),
        ];
        for (rtype, text) in cases {
            parse_rdata(rtype, text, &root()).unwrap_or_else(|e| panic!("{rtype} {text}: {e}"));
        }
    }

    #[test]
    fn txt_keeps_strings_and_escapes() {
        let rdata = parse_rdata(RecordType::TXT, r#""a b" "c\"d" e\059f"#, &root()).unwrap();
        // three character-strings: "a b", c"d, e;f
        assert_eq!(wire(&rdata), b"\x03a b\x03c\"d\x03e;f");
        let long = format!("\"{}\"", "x".repeat(256));
        assert!(parse_rdata(RecordType::TXT, &long, &root()).is_err());
        let rdata = parse_rdata(RecordType::TXT, "\"\"", &root()).unwrap();
        assert_eq!(wire(&rdata), b"\x00");
    }

    #[test]
    fn relative_names_take_the_origin() {
        let origin = Name::from_ascii("example.test.").unwrap();
        let rdata = parse_rdata(RecordType::CNAME, "www", &origin).unwrap();
        assert_eq!(rdata.to_string(), "www.example.test.");
        let rdata = parse_rdata(RecordType::MX, "10 mail", &Name::root()).unwrap();
        assert_eq!(rdata.to_string(), "10 mail.");
    }

    #[test]
    fn generic_form_for_unknown_and_known_types() {
        let rdata = parse_rdata(RecordType::Unknown(65280), "\\# 4 0a000001", &root()).unwrap();
        assert_eq!(wire(&rdata), [0x0a, 0, 0, 1]);
        let rdata = parse_rdata(RecordType::A, "\\# 4 0A 00 00 01", &root()).unwrap();
        assert_eq!(rdata, RData::A("10.0.0.1".parse().unwrap()));
        let rdata = parse_rdata(RecordType::Unknown(65280), "\\# 0", &root()).unwrap();
        assert!(wire(&rdata).is_empty());
    }

    #[test]
    fn malformed_rdata_is_an_error_not_a_panic() {
        let bad = [
            (RecordType::A, "300.1.1.1"),
            (RecordType::A, ""),
            (RecordType::A, "\\# 3 0a0000"),
            (RecordType::A, "\\# 4 0a0000"),
            (RecordType::A, "\\# x"),
            (RecordType::A, "\\# 2 zz11"),
            (RecordType::A, "\\# 2 aé1"),
            (RecordType::A, "\\# 4 +1+1+1+1"),
            (RecordType::A, "\\# 0"),
            (RecordType::AAAA, "192.0.2.1"),
            (RecordType::MX, "mail.example.test."),
            (RecordType::SRV, "1 2"),
            (RecordType::Unknown(65280), "0a000001"),
            (RecordType::ANY, "1.2.3.4"),
            (RecordType::TXT, "\"unterminated"),
            (RecordType::A, "1.2.3.4\n$INCLUDE /etc/passwd"),
            (RecordType::TXT, "\"a\\25\""),
            (RecordType::TXT, "\"a\\256\""),
        ];
        for (rtype, text) in bad {
            assert!(
                parse_rdata(rtype, text, &root()).is_err(),
                "{rtype} {text:?} parsed"
            );
        }
    }
}
