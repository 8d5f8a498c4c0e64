//! SVCB and HTTPS record data (RFC 9460 section 2.1) in BIND's presentation form, as the
//! installed nsupdate prints it: `1 foo.example. mandatory=alpn,port alpn="h2,h3"
//! no-default-alpn port=8443 ipv4hint=1.2.3.4 ech=BASE64 ipv6hint=::1 key65000="abc"`.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::present::{Style, Wire, base64};

/// RFC 9460 section 14.3.2 key names.
fn key_name(key: u16) -> String {
    match key {
        0 => "mandatory".into(),
        1 => "alpn".into(),
        2 => "no-default-alpn".into(),
        3 => "port".into(),
        4 => "ipv4hint".into(),
        5 => "ech".into(),
        6 => "ipv6hint".into(),
        7 => "dohpath".into(),
        n => format!("key{n}"),
    }
}

/// Text inside double quotes: `"` and `\` escaped, non-printing bytes as `\DDD`; with `commas`,
/// a comma inside a value is escaped twice, as BIND does for alpn lists.
fn quoted_value(bytes: &[u8], commas: bool) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b',' if commas => out.push_str("\\\\,"),
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out
}

fn value_text(key: u16, value: &[u8]) -> Option<String> {
    let mut w = Wire::new(value);
    let text = match key {
        0 => {
            let mut keys = Vec::new();
            while !w.is_empty() {
                keys.push(key_name(w.u16()?));
            }
            keys.join(",")
        }
        1 => {
            let mut ids = Vec::new();
            while !w.is_empty() {
                ids.push(quoted_value(w.string()?, true));
            }
            format!("\"{}\"", ids.join(","))
        }
        3 => w.u16()?.to_string(),
        4 => {
            let mut addrs = Vec::new();
            while !w.is_empty() {
                addrs.push(Ipv4Addr::from(<[u8; 4]>::try_from(w.bytes(4)?).ok()?).to_string());
            }
            addrs.join(",")
        }
        // One word in both tools (BIND's svcb totext does not break it as other base64), so
        // that `show` output reads back as input.
        5 => base64(w.rest(), Style::Knot),
        6 => {
            let mut addrs = Vec::new();
            while !w.is_empty() {
                addrs.push(Ipv6Addr::from(<[u8; 16]>::try_from(w.bytes(16)?).ok()?).to_string());
            }
            addrs.join(",")
        }
        _ => format!("\"{}\"", quoted_value(w.rest(), false)),
    };
    w.is_empty().then_some(text)
}

/// `PRIORITY TARGET KEY=VALUE...` from the wire form; `None` if the data does not decode.
pub(crate) fn svcb_text(w: &mut Wire<'_>) -> Option<String> {
    let mut out = format!("{} {}", w.u16()?, w.name()?);
    while !w.is_empty() {
        let key = w.u16()?;
        let len = w.u16()?;
        let value = w.bytes(usize::from(len))?;
        out.push(' ');
        out.push_str(&key_name(key));
        if !value.is_empty() {
            out.push('=');
            out.push_str(&value_text(key, value)?);
        }
    }
    Some(out)
}
