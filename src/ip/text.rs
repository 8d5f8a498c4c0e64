//! Strict reading of what an echo service or a command printed, and redaction of URLs for
//! messages.

use std::net::IpAddr;

use super::Family;

/// The most an echo service or command may print: an address is at most 45 characters, and
/// anything much longer is an error page, not an answer.
pub(crate) const MAX_ANSWER: usize = 256;

/// Why a body is not an address of the wanted family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadAnswer {
    /// Not one address alone on its line (after trimming whitespace).
    Garbage(String),
    /// An address, of the other family.
    WrongFamily(IpAddr),
}

impl std::fmt::Display for BadAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadAnswer::Garbage(why) => f.write_str(why),
            BadAnswer::WrongFamily(ip) => write!(
                f,
                "answered {ip}, an {} address, when asked for {}",
                Family::of(*ip),
                other(Family::of(*ip))
            ),
        }
    }
}

fn other(family: Family) -> Family {
    match family {
        Family::V4 => Family::V6,
        Family::V6 => Family::V4,
    }
}

/// Parse `body` as exactly one address of `family`: surrounding ASCII whitespace is allowed,
/// nothing else (no second line, no zone index, no HTML).
pub(crate) fn parse_answer(body: &[u8], family: Family) -> Result<IpAddr, BadAnswer> {
    if body.len() > MAX_ANSWER {
        return Err(BadAnswer::Garbage(format!(
            "answer too long for an address ({}+ bytes)",
            body.len()
        )));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| BadAnswer::Garbage(format!("answer is not text: {}", excerpt(body))))?
        .trim_ascii();
    if text.is_empty() {
        return Err(BadAnswer::Garbage("empty answer".into()));
    }
    let ip: IpAddr = text
        .parse()
        .map_err(|_| BadAnswer::Garbage(format!("not an IP address: {}", excerpt(body))))?;
    if Family::of(ip) == family {
        Ok(ip)
    } else {
        Err(BadAnswer::WrongFamily(ip))
    }
}

/// The start of `bytes`, quoted and escaped, for error messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 40;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX)]);
    let more = if bytes.len() > MAX { "..." } else { "" };
    format!("\"{}\"{more}", text.escape_debug())
}

/// `url` without user info, query or fragment (they may hold tokens): `https://host/path?…`.
pub(crate) fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            let had_query = parsed.query().is_some();
            parsed.set_query(None);
            parsed.set_fragment(None);
            // Both fail only for URLs that cannot have user info; nothing to remove then.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            let mut shown = parsed.to_string();
            if had_query {
                shown.push_str("?…");
            }
            shown
        }
        // Not a URL: show only up to the first character that could start a secret.
        Err(_) => {
            let cut = url.find(['?', '#', '@']).unwrap_or(url.len());
            let mut shown = url[..cut].to_string();
            if cut < url.len() {
                shown.push('…');
            }
            shown
        }
    }
}

/// The first line of `bytes` (a command's stderr), trimmed and bounded, for error messages.
pub(crate) fn first_line(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    const MAX: usize = 200;
    let mut shown: String = line.chars().take(MAX).collect();
    if line.chars().count() > MAX {
        shown.push('…');
    }
    Some(shown)
}
