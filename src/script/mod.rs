//! The nsupdate command language, without I/O: script lines to typed [`Command`]s
//! ([`parse_line`]), a [`Session`] that runs a script and returns [`Action`]s, and the dig- and
//! kdig-style text of `show` and `answer` ([`render_dig`], [`render_show`], [`render_kdig`]).
//!
//! Two dialects: BIND 9.18 `nsupdate` (the reference for behaviour and for error texts, which
//! each [`ScriptError`] carries for the drop-in front end) and Knot `knsupdate` (origin, zone-file
//! TTLs, no send on blank lines). Records become RFC 2136 [`Prerequisite`](crate::update::Prerequisite)s
//! and [`Change`](crate::update::Change)s of the [`update`](crate::update) module.
//!
//! Files: `command` (the command type), `parse` (line to command), `settings` (server, zone,
//! key, ...), `record` and `knot` (prerequisite and update lines of each dialect), `lex`
//! (words, names, numbers as BIND reads them), `types` (BIND's type mnemonics), `rdata` (record
//! data as BIND's `dns_rdata_fromtext` reads it, with its failure log line), `checknames`
//! (check-names), `session` (the state machine), `discovery` (what an SOA answer means for
//! nsupdate's zone walk), `render` (dig text), `present` and `svcb` (record data in
//! presentation form), `kdig` (knsupdate's text), `error`.

mod checknames;
mod command;
mod discovery;
mod error;
mod kdig;
mod knot;
mod lex;
mod parse;
mod present;
mod rdata;
mod record;
mod render;
mod session;
mod settings;
mod svcb;
mod types;

#[cfg(test)]
mod tests;

pub use command::{Command, KeySpec};
pub use discovery::{SoaStep, name_for_message, soa_step};
pub use error::{ErrorKind, ScriptError};
pub use kdig::{render_kdig, render_kdig_show};
pub use parse::{Dialect, ParseContext, parse_line};
pub use render::{
    rcode_text, render_dig, render_dig_show, render_sent, render_show, tsig_rcode_text,
};
pub use session::{Action, Pending, Session};
pub use types::{iana_type_list, private_type_list};

/// BIND's `parse_hmac` for `-y` and `key`: `Err` is nsupdate's text (`unknown key type 'X'`,
/// `digest-bits out of range [0..N]`).
pub fn check_hmac(algorithm: &str) -> Result<(), String> {
    settings::check_algorithm(algorithm)
        .map(|_| ())
        .map_err(|e| e.nsupdate_text)
}

/// A domain name as nsupdate reads it (`dns_name_fromtext` from the root); `Err` is BIND's
/// reason text.
pub fn parse_name(text: &str) -> Result<hickory_proto::rr::Name, &'static str> {
    lex::parse_name(text, &hickory_proto::rr::Name::root())
}

/// nsupdate's `help` text after its first line (`nsupdate VERSION:`), without a final newline;
/// see [`help`].
pub const HELP: &str = "\
local address [port]      (set local resolver)
server address [port]     (set primary server for zone)
send                      (send the update request)
show                      (show the update request)
answer                    (show the answer to the last request)
quit                      (quit, any pending update is not sent)
help                      (display this message)
key [hmac:]keyname secret (use TSIG to sign the request)
gsstsig                   (use GSS_TSIG to sign the request)
oldgsstsig                (use Microsoft's GSS_TSIG to sign the request)
zone name                 (set the zone to be updated)
class CLASS               (set the zone's DNS class, e.g. IN (default), CH)
check-names { on | off }  (enable / disable check-names)
[prereq] nxdomain name    (require that this name does not exist)
[prereq] yxdomain name    (require that this name exists)
[prereq] nxrrset ....     (require that this RRset does not exist)
[prereq] yxrrset ....     (require that this RRset exists)
[update] add ....         (add the given record to the zone)
[update] del[ete] ....    (remove the given record(s) from the zone)";

/// The whole `help` output as nsupdate prints it (to stdout), for a version string such as
/// `9.18.49`: `nsupdate VERSION:` and [`HELP`], with the final newline.
pub fn help(version: &str) -> String {
    format!("nsupdate {version}:\n{HELP}\n")
}
