//! The typed commands of the nsupdate / knsupdate language: one [`Command`] per input line.
//!
//! A command is what a line *says*; what it *does* to the pending update and the settings is the
//! [`Session`](super::Session)'s business.

use std::fmt;
use std::net::IpAddr;

use hickory_proto::rr::{DNSClass, Name};

use crate::update::{Change, Prerequisite};

/// One line of an nsupdate or knsupdate script.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `server HOST [PORT]`: where updates go (a name or an address; resolving it is I/O, so the
    /// caller does it, and reports nsupdate's `couldn't get address for 'HOST': not found`).
    Server {
        /// The host as written.
        host: String,
        /// The port, when given (1-65535).
        port: Option<u16>,
    },
    /// `local ADDR [PORT]`: the source address of queries.
    Local {
        /// The source address (an address literal; names are refused, as nsupdate does).
        addr: IpAddr,
        /// The source port, when given.
        port: Option<u16>,
    },
    /// `zone NAME`: the zone of the update (skips SOA discovery when a server is also set).
    Zone(Name),
    /// `origin NAME` (knsupdate): the origin appended to relative names.
    Origin(Name),
    /// `class CLASS`: the default class of records and of the zone.
    Class(DNSClass),
    /// `ttl N`, or `ttl none` (nsupdate) = `None`: the default TTL of `add`.
    Ttl(Option<u32>),
    /// `key [ALG:]NAME SECRET`: the TSIG key for the following sends.
    Key(KeySpec),
    /// `[prereq] nxdomain|yxdomain|nxrrset|yxrrset ...`.
    Prereq {
        /// The prerequisite.
        prereq: Prerequisite,
        /// The class this line fixes the message's zone class to, if it names or implies one
        /// (see [`ParseContext::zone_class`](super::ParseContext::zone_class)).
        class: Option<DNSClass>,
    },
    /// `[update] add|del|delete ...`.
    Update {
        /// The change.
        change: Change,
        /// The class this line fixes the message's zone class to, if it names or implies one.
        class: Option<DNSClass>,
    },
    /// `show`: print the pending update.
    Show,
    /// `send`: send the pending update now.
    Send,
    /// `answer`: print the answer to the last update.
    Answer,
    /// `debug`: more diagnostics (nsupdate: a second `debug` means more still).
    Debug,
    /// `help` (nsupdate).
    Help,
    /// `version` (nsupdate).
    Version,
    /// `quit`, and `exit` (knsupdate).
    Quit,
    /// `check-names on|off` (also `yes|no`, `true|false`, and the spelling `checknames`).
    CheckNames(bool),
    /// `gsstsig`.
    Gsstsig,
    /// `oldgsstsig`.
    OldGsstsig,
    /// `realm [REALM]`.
    Realm(Option<String>),
    /// An empty or all-blank line (nsupdate: the same as `send`).
    Blank,
    /// A comment: the first word starts with `;`.
    Comment,
}

/// A TSIG key given with the `key` command. The secret is checked to be base64 but kept as text,
/// so the TSIG layer decodes it once, where the key is built.
#[derive(Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// The algorithm as written (`hmac-sha256`, `hmac-sha256-128`, ...); `None` means the
    /// dialect's default (nsupdate: hmac-md5, knsupdate: hmac-sha256).
    pub algorithm: Option<String>,
    /// The key name as written.
    pub name: String,
    /// The base64 secret, with any white space inside it removed.
    pub secret: String,
}

impl fmt::Debug for KeySpec {
    /// The secret never reaches logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySpec")
            .field("algorithm", &self.algorithm)
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_debug_hides_the_secret() {
        let key = KeySpec {
            algorithm: Some("hmac-sha256".into()),
            name: "k".into(),
            secret: "c2VjcmV0c2VjcmV0".into(),
        };
        let shown = format!("{key:?}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert!(shown.contains("hmac-sha256") && shown.contains("<redacted>"));
    }
}
