//! Presenting an outcome: one human line on stderr or one JSON object on stdout.

use serde_json::{Value, json};

use super::exit;
use crate::client::Outcome;
use crate::tsig::TsigRcode;

/// What one native command did.
pub struct Report<'a> {
    /// The zone updated.
    pub zone: String,
    /// The command, for the JSON `action` field.
    pub action: &'a str,
    /// Print JSON instead of text.
    pub json: bool,
    /// What the update writes, in words (`add NAME TTL TYPE VALUE`, `delete NAME TYPE`).
    pub changes: Vec<String>,
}

impl Report<'_> {
    /// Report an authentic answer; returns the exit code.
    pub fn outcome(&self, o: &Outcome) -> u8 {
        let code = exit::for_outcome(o);
        let rcode = o.rcode_name();
        let tsig = o.tsig_error.map(|t| t.to_string());
        let skew = o.clock_skew();
        if self.json {
            self.print_json(json!({
                "status": if code == exit::OK { "ok" } else { "failed" },
                "exit_code": code,
                "rcode": rcode,
                "tsig_error": tsig,
                "server_time": if skew.is_some() { o.server_time.map(Value::from) } else { None },
                "clock_skew_seconds": skew,
                "server": o.server.to_string(),
                "transport": if o.tcp { "tcp" } else { "udp" },
                "sends": o.sends,
            }));
        } else if code == exit::OK {
            let what = if self.changes.is_empty() {
                self.action.to_string()
            } else {
                self.changes.join("; ")
            };
            line(format!(
                "{}: {what}: applied by {} (NOERROR)",
                self.zone, o.server
            ));
        } else {
            line(format!("error [{}]: {}", phase(code), explain(o)));
        }
        code
    }

    /// Report a failure to get an answer (or to build the request); returns the exit code.
    pub fn failure(&self, code: u8, message: &str) -> u8 {
        if self.json {
            self.print_json(json!({
                "status": "error",
                "exit_code": code,
                "error": message,
            }));
        } else {
            line(format!("error [{}]: {message}", phase(code)));
        }
        code
    }

    fn print_json(&self, mut v: Value) {
        v["zone"] = Value::from(self.zone.clone());
        v["action"] = Value::from(self.action);
        if !self.changes.is_empty() {
            v["changes"] = Value::from(self.changes.clone());
        }
        crate::outln!("{v}");
    }
}

/// One line on stderr in one write: stderr is unbuffered, and `eprintln!` with arguments writes
/// every piece on its own (15 system calls for the success line).
fn line(mut text: String) {
    text.push('\n');
    crate::errout!("{text}");
}

pub(super) fn phase(code: u8) -> &'static str {
    match code {
        exit::USAGE => "input",
        exit::TSIG => "tsig",
        exit::NETWORK => "network",
        exit::ZONE => "zone",
        exit::PREREQUISITE => "prerequisite",
        exit::GSS => "gss",
        _ => "server",
    }
}

/// One line saying what the server answered and what it means.
fn explain(o: &Outcome) -> String {
    let rcode = o.rcode_name();
    match o.tsig_error {
        Some(TsigRcode::BadTime) => match (o.server_time, o.clock_skew()) {
            (Some(t), Some(skew)) => format!(
                "{} answered {rcode}(BADTIME): its clock says {t} (unix time), {} s {} ours; \
                 fix the clock of this machine or the server",
                o.server,
                skew.unsigned_abs(),
                if skew >= 0 { "ahead of" } else { "behind" }
            ),
            _ => format!("{} answered {rcode}(BADTIME): clocks differ", o.server),
        },
        Some(TsigRcode::BadKey) => format!(
            "{} answered {rcode}(BADKEY): the server does not know this key name or algorithm",
            o.server
        ),
        Some(TsigRcode::BadSig) => format!(
            "{} answered {rcode}(BADSIG): the secret does not match the server's",
            o.server
        ),
        Some(other) => format!("{} answered {rcode}({other})", o.server),
        None => {
            let hint = match rcode.as_str() {
                "REFUSED" => ": the server does not allow this update (key or policy)",
                "NOTAUTH" => {
                    ": the server is not authoritative for the zone, or the key is not accepted"
                }
                "NOTZONE" => ": a name is outside the zone",
                "YXRRSET" | "NXRRSET" | "YXDOMAIN" | "NXDOMAIN" if o.sends > 1 => {
                    ": a prerequisite failed on a resent copy of the update; an earlier copy \
                     whose answer was lost may have been applied: check the zone"
                }
                "YXRRSET" | "NXRRSET" | "YXDOMAIN" | "NXDOMAIN" => {
                    ": a prerequisite failed; the zone was not changed"
                }
                _ => "",
            };
            format!("{} answered {rcode}{hint}", o.server)
        }
    }
}
