//! Presentation format as BIND 9.18 prints it in dig-style output (and Knot, with its few
//! differences): names, classes, types, and record data rendered from the wire bytes, so every
//! type prints the same whichever way hickory parsed it.
//!
//! Checked against the installed nsupdate's `show`: names keep their case and escape
//! `"();\@$` and non-printing bytes (`\DDD`); TXT strings are always quoted; hex and base64 split
//! into 56-character words (BIND's `isc_hex_totext` / `isc_base64_totext` with a word length of
//! 58); unknown types print as `\# LEN HEX` (RFC 3597 section 5).

use std::net::{Ipv4Addr, Ipv6Addr};

use base64::Engine as _;
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};

/// Whose presentation details to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// BIND's `dns_master_style_debug` (nsupdate, dig).
    Bind,
    /// Knot's default dump style (knsupdate, kdig): hex and base64 unbroken.
    Knot,
}

/// BIND's debug style breaks hex after 28 bytes and base64 after 56 characters: its word length
/// of 58 (`(loops + 1) * 2 >= 58` and `(loops + 1) * 4 >= 58` in `isc_hex_totext` /
/// `isc_base64_totext`).
const HEX_BYTES_PER_WORD: usize = 28;
const BASE64_CHARS_PER_WORD: usize = 56;

/// One label in master-file form.
fn push_label(out: &mut String, label: &[u8]) {
    for &b in label {
        match b {
            b'"' | b'(' | b')' | b'.' | b';' | b'\\' | b'@' | b'$' => {
                out.push('\\');
                out.push(b as char);
            }
            0x21..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
}

/// Labels (root excluded) as an absolute name: `a.example.`, or `.` for none.
pub(crate) fn labels_text<'a>(labels: impl Iterator<Item = &'a [u8]>) -> String {
    let mut out = String::new();
    for label in labels {
        push_label(&mut out, label);
        out.push('.');
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// A name as BIND's `dns_name_totext` writes it, with the final dot.
pub(crate) fn name_text(name: &Name) -> String {
    labels_text(name.iter())
}

/// A class mnemonic, or `CLASSnnn`.
pub(crate) fn class_text(class: DNSClass) -> String {
    match u16::from(class) {
        1 => "IN".into(),
        3 => "CH".into(),
        4 => "HS".into(),
        254 => "NONE".into(),
        255 => "ANY".into(),
        n => format!("CLASS{n}"),
    }
}

/// A type mnemonic, or `TYPEnnn`.
pub(crate) fn type_text(rtype: RecordType) -> String {
    super::types::type_text(rtype)
}

/// Hex, upper case; BIND breaks it into words of 56 digits.
pub(crate) fn hex(bytes: &[u8], style: Style) -> String {
    let mut out = String::new();
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && style == Style::Bind && i % HEX_BYTES_PER_WORD == 0 {
            out.push(' ');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// Base64; BIND breaks it into words of 56 characters.
pub(crate) fn base64(bytes: &[u8], style: Style) -> String {
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    if style == Style::Knot {
        return text;
    }
    let chunks: Vec<&str> = text
        .as_bytes()
        .chunks(BASE64_CHARS_PER_WORD)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    chunks.join(" ")
}

/// A character-string, quoted (BIND `txt_totext` with quoting).
pub(crate) fn quoted(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

/// A cursor over record data in wire form.
pub(crate) struct Wire<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Wire<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Wire { buf, pos: 0 }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.buf.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(out)
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let out = self.buf.get(self.pos..).unwrap_or_default();
        self.pos = self.buf.len();
        out
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.bytes(1).map(|b| b[0])
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        self.bytes(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.bytes(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A character-string: a length byte and that many bytes.
    pub(crate) fn string(&mut self) -> Option<&'a [u8]> {
        let len = self.u8()?;
        self.bytes(usize::from(len))
    }

    /// A domain name, following compression pointers within this buffer.
    pub(crate) fn name(&mut self) -> Option<String> {
        let mut labels: Vec<&[u8]> = Vec::new();
        let mut at = self.pos;
        let mut end = None;
        for _ in 0..128 {
            let len = *self.buf.get(at)?;
            match len {
                0 => {
                    self.pos = end.unwrap_or(at + 1);
                    return Some(labels_text(labels.into_iter()));
                }
                1..=63 => {
                    labels.push(self.buf.get(at + 1..at + 1 + usize::from(len))?);
                    at += 1 + usize::from(len);
                }
                0xc0..=0xff => {
                    let low = *self.buf.get(at + 1)?;
                    end.get_or_insert(at + 2);
                    at = (usize::from(len & 0x3f) << 8) | usize::from(low);
                }
                _ => return None,
            }
        }
        None
    }
}

/// The wire form of record data (empty for the RDLENGTH 0 records of updates).
pub(crate) fn rdata_wire(rdata: &RData) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut encoder = BinEncoder::new(&mut buf);
    if rdata.emit(&mut encoder).is_err() {
        buf.clear();
    }
    buf
}

/// RFC 3597 section 5 generic form.
pub(crate) fn generic(bytes: &[u8], style: Style) -> String {
    if bytes.is_empty() {
        return "\\# 0".into();
    }
    format!("\\# {} {}", bytes.len(), hex(bytes, style))
}

/// Record data in presentation form: empty for an update's empty RDATA, else the type's text
/// form, or the generic form when the type is unknown or the data does not decode.
pub(crate) fn rdata_text(rdata: &RData, style: Style) -> String {
    if matches!(rdata, RData::Update0(_)) {
        return String::new();
    }
    let bytes = rdata_wire(rdata);
    typed_text(rdata.record_type(), &bytes, style).unwrap_or_else(|| generic(&bytes, style))
}

fn typed_text(rtype: RecordType, bytes: &[u8], style: Style) -> Option<String> {
    let mut w = Wire::new(bytes);
    let text = match u16::from(rtype) {
        1 => Ipv4Addr::from(<[u8; 4]>::try_from(w.bytes(4)?).ok()?).to_string(),
        28 => Ipv6Addr::from(<[u8; 16]>::try_from(w.bytes(16)?).ok()?).to_string(),
        2..=5 | 7..=9 | 12 | 39 => w.name()?,
        15 | 18 | 21 | 36 => format!("{} {}", w.u16()?, w.name()?),
        14 | 17 => format!("{} {}", w.name()?, w.name()?),
        256 => format!("{} {} {}", w.u16()?, w.u16()?, quoted(w.rest())),
        6 => format!(
            "{} {} {} {} {} {} {}",
            w.name()?,
            w.name()?,
            w.u32()?,
            w.u32()?,
            w.u32()?,
            w.u32()?,
            w.u32()?
        ),
        13 | 16 | 99 => {
            let mut parts = Vec::new();
            while !w.is_empty() {
                parts.push(quoted(w.string()?));
            }
            if parts.is_empty() {
                return None;
            }
            parts.join(" ")
        }
        33 => format!("{} {} {} {}", w.u16()?, w.u16()?, w.u16()?, w.name()?),
        35 => format!(
            "{} {} {} {} {} {}",
            w.u16()?,
            w.u16()?,
            quoted(w.string()?),
            quoted(w.string()?),
            quoted(w.string()?),
            w.name()?
        ),
        44 => format!("{} {} {}", w.u8()?, w.u8()?, hex(w.rest(), style)),
        52 | 53 => format!(
            "{} {} {} {}",
            w.u8()?,
            w.u8()?,
            w.u8()?,
            hex(w.rest(), style)
        ),
        43 | 59 | 32769 => format!(
            "{} {} {} {}",
            w.u16()?,
            w.u8()?,
            w.u8()?,
            hex(w.rest(), style)
        ),
        25 | 48 | 60 => format!(
            "{} {} {} {}",
            w.u16()?,
            w.u8()?,
            w.u8()?,
            base64(w.rest(), style)
        ),
        51 => {
            let (alg, flags, iterations) = (w.u8()?, w.u8()?, w.u16()?);
            let salt = w.string()?;
            let salt = if salt.is_empty() {
                "-".into()
            } else {
                hex(salt, Style::Knot)
            };
            format!("{alg} {flags} {iterations} {salt}")
        }
        61 => base64(w.rest(), style),
        // TKEY (RFC 2930), as BIND's tkey_249.c prints it: the times as numbers, the error as
        // its mnemonic, each data field after its length (none when empty).
        249 => {
            let algorithm = w.name()?;
            let (inception, expiration, mode, error) = (w.u32()?, w.u32()?, w.u16()?, w.u16()?);
            let key_len = w.u16()?;
            let key = w.bytes(usize::from(key_len))?;
            let other_len = w.u16()?;
            let other = w.bytes(usize::from(other_len))?;
            let mut text = format!(
                "{algorithm} {inception} {expiration} {mode} {} {key_len}",
                super::render::tsig_rcode_text(error)
            );
            for (len, data) in [(None, key), (Some(other_len), other)] {
                if let Some(len) = len {
                    text.push_str(&format!(" {len}"));
                }
                if !data.is_empty() {
                    text.push(' ');
                    text.push_str(&base64(data, style));
                }
            }
            text
        }
        108 | 109 => {
            let bytes = w.rest();
            if bytes.len() != if u16::from(rtype) == 108 { 6 } else { 8 } {
                return None;
            }
            let groups: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            groups.join("-")
        }
        257 => {
            let flags = w.u8()?;
            let tag = String::from_utf8_lossy(w.string()?).into_owned();
            // kdig ends a CAA value with a blank.
            let end = if style == Style::Knot { " " } else { "" };
            format!("{flags} {tag} {}{end}", quoted(w.rest()))
        }
        64 | 65 => super::svcb::svcb_text(&mut w)?,
        _ => return None,
    };
    w.is_empty().then_some(text)
}

#[cfg(test)]
mod tkey_tests {
    use super::*;

    fn tkey(error: u16, key: &[u8], other: &[u8]) -> Vec<u8> {
        let mut rdata = b"\x08gss-tsig\x00".to_vec();
        rdata.extend_from_slice(&1_796_221_357u32.to_be_bytes());
        rdata.extend_from_slice(&1_796_224_957u32.to_be_bytes());
        rdata.extend_from_slice(&3u16.to_be_bytes());
        rdata.extend_from_slice(&error.to_be_bytes());
        rdata.extend_from_slice(&(key.len() as u16).to_be_bytes());
        rdata.extend_from_slice(key);
        rdata.extend_from_slice(&(other.len() as u16).to_be_bytes());
        rdata.extend_from_slice(other);
        rdata
    }

    #[test]
    fn tkey_as_bind_prints_it() {
        let text = |r: &[u8]| typed_text(RecordType::Unknown(249), r, Style::Bind);
        assert_eq!(
            text(&tkey(0, &[1, 2, 3], &[])).as_deref(),
            Some("gss-tsig. 1796221357 1796224957 3 NOERROR 3 AQID 0")
        );
        assert_eq!(
            text(&tkey(20, &[], &[9])).as_deref(),
            Some("gss-tsig. 1796221357 1796224957 3 BADNAME 0 1 CQ==")
        );
        // Long keys in 56-character words, as BIND's debug style.
        let long = text(&tkey(0, &[0; 60], &[])).unwrap();
        assert_eq!(long.split(' ').nth(6).map(str::len), Some(56));
        // Truncated or with trailing bytes: not a TKEY text.
        let full = tkey(0, &[1, 2, 3], &[]);
        assert_eq!(text(&full[..full.len() - 1]), None);
        assert_eq!(text(&[full.as_slice(), &[0]].concat()), None);
    }
}
