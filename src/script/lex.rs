//! The lexical layer of the nsupdate language, with BIND's rules: how a line splits into words,
//! and how names, classes and numbers are read. Each reader returns BIND's own reason text on
//! failure, so callers can reproduce nsupdate's messages.

use hickory_proto::rr::{DNSClass, Name};

/// Splits a line as nsupdate's `nsu_strsep(&cmdline, " \t\r\n")` does (BIND 9.18
/// `bin/nsupdate/nsupdate.c`): separators before a word are skipped, a word ends at the next
/// separator, and exactly one separator after it is consumed. What is left (for record data or a
/// key secret) keeps any further white space.
#[derive(Debug, Clone)]
pub(crate) struct Words<'a> {
    rest: Option<&'a str>,
}

fn is_sep(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

impl<'a> Words<'a> {
    pub(crate) fn new(line: &'a str) -> Self {
        Words { rest: Some(line) }
    }

    /// The next word, or `None` when the line has no more (nsupdate's `word == NULL || *word == 0`).
    pub(crate) fn next_word(&mut self) -> Option<&'a str> {
        let text = self.rest?.trim_start_matches(is_sep);
        match text.find(is_sep) {
            Some(end) => {
                // The separators are ASCII, so end + 1 is a char boundary.
                self.rest = Some(&text[end + 1..]);
                Some(&text[..end])
            }
            None => {
                self.rest = None;
                (!text.is_empty()).then_some(text)
            }
        }
    }

    /// The unread remainder of the line, exactly as it is (possibly with leading blanks).
    pub(crate) fn rest(&self) -> &'a str {
        self.rest.unwrap_or("")
    }
}

/// Parse a domain name as BIND's `dns_name_fromtext` does: `@` is the origin, a name without a
/// final dot is relative to `origin`, `\X` and `\DDD` escapes, case kept. The error is BIND's
/// reason text (`empty label`, `label too long`, `ran out of space`, `bad escape`,
/// `unexpected end of input`).
pub(crate) fn parse_name(text: &str, origin: &Name) -> Result<Name, &'static str> {
    if text == "@" {
        return Ok(origin.clone());
    }
    if text == "." {
        return Ok(Name::root());
    }
    if text.is_empty() {
        return Err("unexpected end of input");
    }
    let mut labels: Vec<Vec<u8>> = Vec::new();
    let mut label = Vec::new();
    let mut absolute = false;
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        match b {
            b'.' => {
                if label.is_empty() {
                    return Err("empty label");
                }
                labels.push(std::mem::take(&mut label));
                absolute = bytes.peek().is_none();
            }
            b'\\' => {
                let esc = bytes.next().ok_or("unexpected end of input")?;
                if esc.is_ascii_digit() {
                    let mut value = u32::from(esc - b'0');
                    for _ in 0..2 {
                        let d = bytes
                            .next()
                            .filter(u8::is_ascii_digit)
                            .ok_or("bad escape")?;
                        value = value * 10 + u32::from(d - b'0');
                    }
                    label.push(u8::try_from(value).map_err(|_| "bad escape")?);
                } else {
                    label.push(esc);
                }
            }
            other => label.push(other),
        }
        if label.len() > 63 {
            return Err("label too long");
        }
    }
    if !label.is_empty() {
        labels.push(label);
    }
    if !absolute {
        labels.extend(origin.iter().map(<[u8]>::to_vec));
    }
    let wire_len: usize = labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1;
    if wire_len > 255 {
        return Err("ran out of space");
    }
    Name::from_labels(labels).map_err(|_| "bad label")
}

/// A class mnemonic as BIND's `dns_rdataclass_fromtext` reads it: IN, CH/CHAOS, HS/HESIOD, NONE,
/// ANY, RESERVED0 or CLASSnnn, case-insensitive.
pub(crate) fn parse_class(word: &str) -> Option<DNSClass> {
    let upper = word.to_ascii_uppercase();
    let class = match upper.as_str() {
        "IN" => DNSClass::IN,
        "CH" | "CHAOS" => DNSClass::CH,
        "HS" | "HESIOD" => DNSClass::HS,
        "NONE" => DNSClass::NONE,
        "ANY" => DNSClass::ANY,
        "RESERVED0" => DNSClass::from(0),
        _ => {
            let digits = upper.strip_prefix("CLASS")?;
            if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            DNSClass::from(digits.parse::<u16>().ok()?)
        }
    };
    Some(class)
}

/// Why BIND's `isc_parse_uint32` refused a word, with its `isc_result_totext` wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Not all decimal digits.
    NotANumber,
    /// Digits, but above 4294967295.
    OutOfRange,
}

impl NumberError {
    pub(crate) fn bind_text(self) -> &'static str {
        match self {
            NumberError::NotANumber => "not a valid number",
            NumberError::OutOfRange => "out of range",
        }
    }
}

/// `isc_parse_uint32(word, 10)`: decimal digits only (no sign, no unit), at most 4294967295.
pub(crate) fn parse_u32(word: &str) -> Result<u32, NumberError> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::NotANumber);
    }
    word.parse::<u32>().map_err(|_| NumberError::OutOfRange)
}

/// Why a port word was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PortError {
    /// `strtol` did not consume the whole word.
    NotNumeric,
    /// A number outside 1-65535.
    OutOfRange,
}

/// A port as nsupdate reads it with `strtol(word, &end, 10)`: an optional sign and digits.
pub(crate) fn parse_port(word: &str) -> Result<u16, PortError> {
    let (negative, digits) = match word.as_bytes().first() {
        Some(b'-') => (true, &word[1..]),
        Some(b'+') => (false, &word[1..]),
        _ => (false, word),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PortError::NotNumeric);
    }
    if negative {
        return Err(PortError::OutOfRange);
    }
    match digits.parse::<u32>() {
        Ok(p @ 1..=65535) => Ok(p as u16),
        _ => Err(PortError::OutOfRange),
    }
}

/// A zone-file TTL as Knot's scanner reads it (knsupdate `add`): a number, or number-unit pairs
/// such as `1h30m` with units s, m, h, d, w in either case.
pub(crate) fn parse_ttl_units(word: &str) -> Option<u32> {
    if word.bytes().all(|b| b.is_ascii_digit()) {
        return word.parse().ok();
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for b in word.bytes() {
        if b.is_ascii_digit() {
            let n = number.unwrap_or(0) * 10 + u64::from(b - b'0');
            if n > u64::from(u32::MAX) {
                return None;
            }
            number = Some(n);
            continue;
        }
        let unit = match b.to_ascii_lowercase() {
            b's' => 1,
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86_400,
            b'w' => 604_800,
            _ => return None,
        };
        total += number.take()? * unit;
        if total > u64::from(u32::MAX) {
            return None;
        }
    }
    if number.is_some() {
        // A trailing bare number after units ("1h30") is not a TTL.
        return None;
    }
    u32::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> (Vec<&str>, String) {
        let mut w = Words::new(line);
        let mut out = Vec::new();
        let first = w.next_word();
        out.extend(first);
        let second = w.next_word();
        out.extend(second);
        (out, w.rest().to_string())
    }

    #[test]
    fn words_split_like_strsep() {
        assert_eq!(
            words("  add\t\tfoo  bar "),
            (vec!["add", "foo"], " bar ".into())
        );
        assert_eq!(words("add"), (vec!["add"], String::new()));
        assert_eq!(words("   "), (vec![], String::new()));
        assert_eq!(words("a b"), (vec!["a", "b"], String::new()));
    }

    #[test]
    fn names_follow_bind() {
        let origin = Name::from_ascii("example.test.").unwrap();
        let n = parse_name("host", &origin).unwrap();
        assert_eq!(n.to_ascii(), "host.example.test.");
        assert_eq!(parse_name("@", &origin).unwrap(), origin);
        assert!(parse_name(".", &origin).unwrap().is_root());
        let n = parse_name("a\\065b.", &Name::root()).unwrap();
        assert_eq!(n.iter().next(), Some(&b"aAb"[..]));
        let n = parse_name("a\\.b.c.", &Name::root()).unwrap();
        assert_eq!(n.iter().next(), Some(&b"a.b"[..]));
        assert_eq!(parse_name("a..b", &origin), Err("empty label"));
        assert_eq!(parse_name(".a", &origin), Err("empty label"));
        assert_eq!(parse_name(&"a".repeat(64), &origin), Err("label too long"));
        assert_eq!(parse_name("a\\999", &origin), Err("bad escape"));
        assert_eq!(parse_name("a\\1x", &origin), Err("bad escape"));
        assert_eq!(parse_name("a\\", &origin), Err("unexpected end of input"));
        let long = "abcdefghi.".repeat(26);
        assert_eq!(parse_name(&long, &origin), Err("ran out of space"));
        assert!(parse_name(&"abcdefghi.".repeat(25), &origin).is_ok());
    }

    #[test]
    fn classes_and_numbers() {
        assert_eq!(parse_class("in"), Some(DNSClass::IN));
        assert_eq!(parse_class("Chaos"), Some(DNSClass::CH));
        assert_eq!(parse_class("CLASS3"), Some(DNSClass::CH));
        assert_eq!(parse_class("CLASS"), None);
        assert_eq!(parse_class("CLASS65536"), None);
        assert_eq!(parse_class("A"), None);
        assert_eq!(parse_u32("0300"), Ok(300));
        assert_eq!(parse_u32("1h"), Err(NumberError::NotANumber));
        assert_eq!(parse_u32("-1"), Err(NumberError::NotANumber));
        assert_eq!(parse_u32("4294967296"), Err(NumberError::OutOfRange));
        assert_eq!(parse_port("+53"), Ok(53));
        assert_eq!(parse_port("0"), Err(PortError::OutOfRange));
        assert_eq!(parse_port("-1"), Err(PortError::OutOfRange));
        assert_eq!(parse_port("x"), Err(PortError::NotNumeric));
        assert_eq!(parse_port("-"), Err(PortError::NotNumeric));
        assert_eq!(
            parse_port("99999999999999999999"),
            Err(PortError::OutOfRange)
        );
        assert_eq!(parse_ttl_units("1h30m"), Some(5400));
        assert_eq!(parse_ttl_units("2W"), Some(1_209_600));
        assert_eq!(parse_ttl_units("300"), Some(300));
        assert_eq!(parse_ttl_units("1h30"), None);
        assert_eq!(parse_ttl_units("h"), None);
        assert_eq!(parse_ttl_units("A"), None);
    }
}
