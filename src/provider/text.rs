//! Record values as the hosted APIs write them. Every adapter turns `RData` into the text its
//! API holds and back through this module; the APIs differ only in how they write TXT (and, for
//! the one-text APIs, CNAME targets), so each form is its own pair of functions, and an adapter
//! picks the one its API documents:
//!
//! - **Quoted** ([`presentation`], [`parse_presentation`]): zone-file presentation format, TXT
//!   as quoted character-strings separated by spaces (`"a b" "c"`), `"` and `\` escaped, other
//!   bytes outside printable ASCII as `\DDD` (decimal). PowerDNS, deSEC, Cloudflare, Gandi,
//!   Hetzner, DigitalOcean, the template's `{rdata}`. Cloudflare also reads an unquoted TXT
//!   text ([`parse_quoted_or_text`]); Route 53 writes `\ooo` (octal) escapes
//!   ([`quoted_strings`] with [`Escape::Octal`]).
//! - **Joined** ([`joined_value`], [`parse_joined`]): TXT as one unquoted text, its strings
//!   concatenated (what SPF/DKIM consumers read, RFC 7208 section 3.3), refused when not UTF-8;
//!   read back split into 255-byte strings. Porkbun, GoDaddy, DuckDNS.
//! - **Compact** ([`compact`], [`parse_compact`]): one plain string as it is, anything else
//!   (several strings, quotes, backslashes, control characters, bytes that are not UTF-8) in
//!   quoted form; CNAME targets without their final dot. Alibaba Cloud DNS, DNSPod.

use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{Name, RData, RecordType};

use super::{ProviderError, RrsetKey};

/// How a byte outside printable ASCII is escaped inside a quoted character-string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// `\DDD`, three decimal digits (RFC 1035 section 5.1).
    Decimal,
    /// `\ooo`, three octal digits (Route 53).
    Octal,
}

/// One character-string in quotes: `"` and `\` escaped with a backslash, bytes outside
/// printable ASCII as `escape` says.
pub fn quote(bytes: &[u8], escape: Escape) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => match escape {
                Escape::Decimal => out.push_str(&format!("\\{b:03}")),
                Escape::Octal => out.push_str(&format!("\\{b:03o}")),
            },
        }
    }
    out.push('"');
    out
}

/// TXT character-strings, each quoted, separated by one space (`"a b" "c"`).
pub fn quoted_strings(strings: &[Box<[u8]>], escape: Escape) -> String {
    strings
        .iter()
        .map(|s| quote(s, escape))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value in zone-file presentation format: TXT as [`quoted_strings`] (decimal escapes, so
/// multi-string TXT records and any byte survive the round trip; hickory's `Display` joins the
/// strings without quotes), every other type as hickory prints it.
pub fn presentation(value: &RData) -> String {
    match value {
        RData::TXT(t) => quoted_strings(&t.txt_data, Escape::Decimal),
        other => other.to_string(),
    }
}

/// A presentation-format value from an API (relative names completed with `zone`).
pub fn parse_presentation(
    rtype: RecordType,
    text: &str,
    zone: &Name,
) -> Result<RData, ProviderError> {
    crate::update::parse_rdata(rtype, text, zone).map_err(|e| {
        ProviderError::Protocol(format!("the API holds a value dnsup cannot read: {e}"))
    })
}

/// One unquoted text as TXT: split every 255 bytes, the way such APIs serve it (an empty text
/// is one empty string).
pub fn split_text(text: &str) -> RData {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return RData::TXT(TXT::from_bytes(vec![&b""[..]]));
    }
    RData::TXT(TXT::from_bytes(bytes.chunks(255).collect()))
}

/// Like [`parse_presentation`], but a TXT value that does not start with `"` is one unquoted
/// text ([`split_text`]): Cloudflare's records written before its API quoted them.
pub fn parse_quoted_or_text(
    rtype: RecordType,
    text: &str,
    zone: &Name,
) -> Result<RData, ProviderError> {
    if rtype == RecordType::TXT && !text.trim_start().starts_with('"') {
        return Ok(split_text(text));
    }
    parse_presentation(rtype, text, zone)
}

/// A TXT value as one text, its strings concatenated; refused when not UTF-8 (a JSON string
/// or URL parameter cannot carry it exactly).
pub fn joined(key: &RrsetKey, txt: &TXT) -> Result<String, ProviderError> {
    String::from_utf8(txt.txt_data.concat()).map_err(|_| {
        ProviderError::Unsupported(format!(
            "{key}: this provider takes TXT values as text; this one is not UTF-8"
        ))
    })
}

/// A value for an API holding one text per record: TXT as [`joined`], every other type as
/// hickory prints it (addresses as they are).
pub fn joined_value(key: &RrsetKey, value: &RData) -> Result<String, ProviderError> {
    match value {
        RData::TXT(t) => joined(key, t),
        other => Ok(other.to_string()),
    }
}

/// The inverse of [`joined_value`]: TXT as [`split_text`], others in presentation format.
pub fn parse_joined(rtype: RecordType, zone: &Name, text: &str) -> Result<RData, String> {
    if rtype == RecordType::TXT {
        return Ok(split_text(text));
    }
    crate::update::parse_rdata(rtype, text, zone).map_err(|e| e.to_string())
}

/// Like [`joined_value`], but never refused: each TXT string is read as UTF-8 with invalid
/// bytes replaced (for templates, which show a value to a URL or body as best they can).
pub fn joined_lossy(value: &RData) -> String {
    match value {
        RData::TXT(t) => t
            .txt_data
            .iter()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect(),
        other => other.to_string(),
    }
}

/// TXT data as one text value, for APIs that hold a TXT record as a single string (Alibaba
/// Cloud DNS, DNSPod): one plain string is sent as it is; several strings, or one holding a
/// quote, a backslash, a control character, leading or trailing white space or bytes that are
/// not UTF-8, are sent in presentation form ([`quoted_strings`]), which is also what those
/// services show for such records.
pub fn compact_txt(strings: &[Box<[u8]>]) -> String {
    if let [one] = strings
        && let Ok(text) = std::str::from_utf8(one)
        && !text.is_empty()
        && !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace)
        && !text
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control())
    {
        return text.to_string();
    }
    quoted_strings(strings, Escape::Decimal)
}

/// The inverse of [`compact_txt`]: a value starting with `"` is presentation form; anything
/// else is one plain string ([`split_text`]).
pub fn parse_compact_txt(text: &str) -> Result<RData, String> {
    if text.trim_start().starts_with('"') {
        return crate::update::parse_rdata(RecordType::TXT, text, &Name::root())
            .map_err(|e| e.to_string());
    }
    Ok(split_text(text))
}

/// A value for an API that holds one text per record in compact form: TXT as
/// [`compact_txt`], CNAME targets without their final dot, addresses as usual.
pub fn compact(value: &RData) -> String {
    match value {
        RData::TXT(t) => compact_txt(&t.txt_data),
        RData::CNAME(n) => n.0.to_ascii().trim_end_matches('.').to_string(),
        other => other.to_string(),
    }
}

/// The inverse of [`compact`] (relative names are taken as absolute).
pub fn parse_compact(rtype: RecordType, text: &str) -> Result<RData, String> {
    if rtype == RecordType::TXT {
        return parse_compact_txt(text);
    }
    let text = if rtype == RecordType::CNAME && !text.ends_with('.') {
        format!("{text}.")
    } else {
        text.to_string()
    };
    crate::update::parse_rdata(rtype, &text, &Name::root()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn txt(presentation: &str) -> RData {
        crate::update::parse_rdata(RecordType::TXT, presentation, &Name::root()).unwrap()
    }

    fn key() -> RrsetKey {
        RrsetKey {
            name: Name::from_str("x.example.com.").unwrap(),
            rtype: RecordType::TXT,
        }
    }

    #[test]
    fn quoting_escapes() {
        assert_eq!(quote(b"a\"b\\c\xff", Escape::Decimal), r#""a\"b\\c\255""#);
        assert_eq!(quote(b"a\"b\\c\xff", Escape::Octal), r#""a\"b\\c\377""#);
        assert_eq!(quote(b"", Escape::Decimal), r#""""#);
        assert_eq!(quote(b"tab\t", Escape::Decimal), r#""tab\009""#);
    }

    #[test]
    fn presentation_round_trips() {
        let origin = Name::root();
        for text in [
            r#""acme token with spaces" "and \"quotes\"""#,
            r#""back\\slash" "semi;colon" "tab\009""#,
            r#""""#,
            r#""\255""#,
        ] {
            let v = txt(text);
            let shown = presentation(&v);
            assert_eq!(
                parse_presentation(RecordType::TXT, &shown, &origin).unwrap(),
                v
            );
        }
        assert_eq!(presentation(&txt(r#""a b" "c\"d""#)), r#""a b" "c\"d""#);
        let a = parse_presentation(RecordType::A, "192.0.2.1", &origin).unwrap();
        assert_eq!(presentation(&a), "192.0.2.1");
        assert!(matches!(
            parse_presentation(RecordType::A, "nope", &origin),
            Err(ProviderError::Protocol(_))
        ));
    }

    #[test]
    fn quoted_or_text_reads_unquoted_txt_as_one_text() {
        let zone = Name::from_str("example.test.").unwrap();
        let v = RData::TXT(TXT::new(vec!["acme token".into(), "and \"q\" \\".into()]));
        let shown = presentation(&v);
        assert_eq!(shown, r#""acme token" "and \"q\" \\""#);
        assert_eq!(
            parse_quoted_or_text(RecordType::TXT, &shown, &zone).unwrap(),
            v
        );
        match parse_quoted_or_text(RecordType::TXT, &"x".repeat(300), &zone).unwrap() {
            RData::TXT(t) => assert_eq!(t.txt_data.len(), 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_quoted_or_text(RecordType::TXT, "", &zone).unwrap(),
            txt(r#""""#)
        );
    }

    #[test]
    fn joined_round_trips_and_refuses_non_utf8() {
        let k = key();
        let root = Name::root();
        let one = RData::TXT(TXT::new(vec!["hello \"world\"".into()]));
        assert_eq!(joined_value(&k, &one).unwrap(), "hello \"world\"");
        assert_eq!(
            parse_joined(RecordType::TXT, &root, "hello \"world\"").unwrap(),
            one
        );
        // Long texts come back as 255-byte strings; several strings are sent concatenated.
        let long = "a".repeat(300);
        let RData::TXT(t) = parse_joined(RecordType::TXT, &root, &long).unwrap() else {
            panic!()
        };
        assert_eq!(t.txt_data.len(), 2);
        assert_eq!(joined(&k, &t).unwrap(), long);
        let bad = TXT::from_bytes(vec![&[0xff][..]]);
        assert!(matches!(
            joined(&k, &bad),
            Err(ProviderError::Unsupported(_))
        ));
        assert_eq!(joined_lossy(&RData::TXT(bad)), "\u{fffd}");
        assert_eq!(joined_lossy(&txt(r#""a b" "c""#)), "a bc");
        let a = parse_joined(RecordType::A, &root, "192.0.2.1").unwrap();
        assert_eq!(joined_value(&k, &a).unwrap(), "192.0.2.1");
    }

    #[test]
    fn compact_round_trips() {
        for v in [
            "plain-token_123",
            "\"with spaces\"",
            "\"two\" \"strings\"",
            "\"q\\\"uote\"",
            "\"back\\\\slash\"",
            "\"\\255\"",
            "\" lead\"",
        ] {
            let rd = txt(v);
            let text = compact(&rd);
            assert_eq!(
                parse_compact(RecordType::TXT, &text).unwrap(),
                rd,
                "{v} -> {text}"
            );
        }
        assert_eq!(compact(&txt("\"a b\"")), "a b");
        let cname = parse_compact(RecordType::CNAME, "target.example.com").unwrap();
        assert_eq!(compact(&cname), "target.example.com");
        let long = "x".repeat(300);
        assert_eq!(
            compact(&parse_compact(RecordType::TXT, &long).unwrap()),
            "\"".to_string() + &"x".repeat(255) + "\" \"" + &"x".repeat(45) + "\""
        );
    }
}
