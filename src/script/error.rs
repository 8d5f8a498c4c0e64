//! Script errors: where (line), what (a kind to branch on), a message that says what to do, and
//! the exact text the real tool prints for the same mistake, for the drop-in front ends.

use std::fmt;

/// What is wrong with a script line. Each kind lists the nsupdate messages it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The first word is not a command (nsupdate: `incorrect section name: X`; knsupdate:
    /// `unexpected literal`).
    UnknownCommand,
    /// The word after `prereq` or `update` is not an operation of that section (nsupdate:
    /// `incorrect operation code: X`).
    UnknownOperation,
    /// A required word is missing (nsupdate: `could not read owner name`, `could not read ttl`, ...).
    MissingArgument,
    /// A domain name does not parse: empty label, label over 63 bytes, name over 255 bytes, bad
    /// escape (nsupdate: `invalid owner name: ...`, `could not parse zone name`).
    BadName,
    /// A TTL is not a decimal number or is above 2147483647 (nsupdate: `ttl 'X': not a valid
    /// number`, `ttl 'X' is out of range (0 to 2147483647)`).
    BadTtl,
    /// An unknown class, or NONE/ANY as the default class (nsupdate: `could not parse class name`,
    /// `bad default class`).
    BadClass,
    /// A record's class differs from the class of the update (nsupdate: `class mismatch: X`).
    ClassMismatch,
    /// An unknown record type (nsupdate: `'X' is not a valid type`, `invalid type: X`).
    BadType,
    /// `add` without record data (nsupdate: `could not read rdata`).
    MissingRdata,
    /// The record data does not parse for its type (nsupdate: `invalid rdata format: ...`).
    BadRdata,
    /// A port is not a number in 1-65535 (nsupdate: `port 'X' is not numeric`, `... out of range`).
    BadPort,
    /// `local` needs an IPv4 or IPv6 address literal (nsupdate: `invalid address X`).
    BadAddress,
    /// A `key` line is unusable: unknown algorithm, digest bits out of range, or a secret that is
    /// not base64 (nsupdate: `unknown key type`, `could not create key from ...`).
    BadKey,
    /// An added record fails the host-name checks of `check-names on` (the default).
    CheckNames,
    /// A setting has a value outside its choices (nsupdate: `incorrect check-names directive`).
    BadArgument,
    /// The command exists in the real tool but this dialect rejects it (knsupdate: `gsstsig not
    /// supported`).
    Unsupported,
}

/// A script line that cannot be used. `Display` shows `line N: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line number, set by the [`Session`](super::Session); 0 from [`parse_line`](super::parse_line).
    pub line: usize,
    /// What went wrong, to branch on.
    pub kind: ErrorKind,
    /// What is wrong and what to write instead.
    pub message: String,
    /// What the real tool of the dialect prints to stderr for this mistake, without the final
    /// newline (and without the `syntax error` line nsupdate adds in batch mode). Empty when
    /// nsupdate prints nothing. Use [`ScriptError::nsupdate_stderr`] for the exact bytes.
    pub nsupdate_text: String,
    /// For bad record data: the end of the library log line nsupdate prints before its message,
    /// `near 'TOKEN': REASON` (see [`ScriptError::library_log`]).
    pub rdata_log: Option<String>,
    /// nsupdate ends its text with a newline (all but one message do).
    newline: bool,
}

impl ScriptError {
    pub(crate) fn new(
        kind: ErrorKind,
        message: impl Into<String>,
        nsupdate_text: impl Into<String>,
    ) -> Self {
        ScriptError {
            line: 0,
            kind,
            message: message.into(),
            nsupdate_text: nsupdate_text.into(),
            rdata_log: None,
            newline: true,
        }
    }

    /// nsupdate's `invalid address X` has no newline (BIND 9.18 `evaluate_local`), so its
    /// `syntax error` follows on the same line.
    pub(crate) fn without_newline(mut self) -> Self {
        self.newline = false;
        self
    }

    pub(crate) fn at_line(mut self, line: usize) -> Self {
        self.line = line;
        self
    }

    /// The library log line nsupdate prints to stderr before the message for bad record data:
    /// `STAMP dns_rdata_fromtext: BUFFER:1: near 'TOKEN': REASON`, with the caller's time stamp
    /// (`25-Nov-2026 06:59:56.387`) and buffer name (`buffer-0x7f2ae7b59c60`).
    pub fn library_log(&self, stamp: &str, buffer: &str) -> Option<String> {
        let detail = self.rdata_log.as_deref()?;
        Some(format!(
            "{stamp} dns_rdata_fromtext: {buffer}:1: {detail}\n"
        ))
    }

    /// Exactly what nsupdate writes to stderr for this error: its message, then, in batch mode
    /// (`batch`: stdin not a terminal and no `-i`), the `syntax error` line before it exits 1.
    pub fn nsupdate_stderr(&self, batch: bool) -> String {
        let mut out = self.nsupdate_text.clone();
        if self.newline && !out.is_empty() {
            out.push('\n');
        }
        if batch {
            out.push_str("syntax error\n");
        }
        out
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScriptError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_bytes_follow_nsupdate() {
        let e = ScriptError::new(
            ErrorKind::UnknownCommand,
            "m",
            "incorrect section name: foo",
        );
        assert_eq!(
            e.nsupdate_stderr(true),
            "incorrect section name: foo\nsyntax error\n"
        );
        assert_eq!(e.nsupdate_stderr(false), "incorrect section name: foo\n");
        let e =
            ScriptError::new(ErrorKind::BadAddress, "m", "invalid address foo").without_newline();
        assert_eq!(e.nsupdate_stderr(true), "invalid address foosyntax error\n");
        let e = ScriptError::new(ErrorKind::BadTtl, "m", "");
        assert_eq!(e.nsupdate_stderr(true), "syntax error\n");
        assert_eq!(e.nsupdate_stderr(false), "");
        assert_eq!(e.clone().at_line(3).to_string(), "line 3: m");
        assert_eq!(e.to_string(), "m");
    }
}
