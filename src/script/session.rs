//! The sans-IO state machine that runs a script: it keeps the settings and the pending update,
//! reads one line at a time, and returns what the caller must do ([`Action`]), never doing it.
//!
//! nsupdate behaviour it reproduces (BIND 9.18 `nsupdate.c`, checked with the installed tool):
//! a blank line is `send`, even with nothing pending (an empty UPDATE does go out when both
//! `zone` and `server` are set; otherwise nothing can be sent, which the caller sees as
//! [`Pending::is_empty`]); after a send the prerequisites and changes start afresh and the zone
//! class is free again, while server, local, zone, class, ttl, key and check-names persist;
//! `quit` and end of input drop an unsent update. knsupdate: blank lines do nothing, `exit` is
//! `quit`, and end of input drops the update too.

use std::net::IpAddr;

use hickory_proto::op::Message;
use hickory_proto::rr::{DNSClass, Name};

use super::command::{Command, KeySpec};
use super::error::ScriptError;
use super::parse::{Dialect, ParseContext, parse_line};
use crate::gss::GssAlgorithm;
use crate::update::{Change, Prerequisite, Update};

/// What the caller must do after a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send this update (`send`; a blank line in nsupdate). It may be empty: see
    /// [`Pending::is_empty`]. nsupdate also forgets the last answer when a send starts.
    Send(Pending),
    /// Print this update (`show`): nsupdate prints `Outgoing update query:` and
    /// [`render_show`](super::render_show); knsupdate prints `Update query:`, the kdig text and a
    /// blank line.
    Show(Pending),
    /// Print the answer to the last update, if there is one (`answer`).
    Answer,
    /// Stop reading (`quit`; knsupdate `exit`). Anything pending is dropped.
    Quit,
    /// Print the command summary ([`HELP`](super::HELP)).
    Help,
    /// Print the version.
    Version,
    /// A command dnsup knows but cannot do yet; the text says what.
    Unsupported(&'static str),
}

/// A snapshot of the update to send or show, with the settings in force for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Prerequisites, in input order.
    pub prerequisites: Vec<Prerequisite>,
    /// Changes, in input order.
    pub changes: Vec<Change>,
    /// The `zone` setting (without it, the zone is discovered from the first owner name).
    pub zone: Option<Name>,
    /// The `server` setting: host as written and port if given.
    pub server: Option<(String, Option<u16>)>,
    /// The `local` setting: source address and port if given.
    pub local: Option<(IpAddr, Option<u16>)>,
    /// The class of the update (zone section and added records).
    pub class: DNSClass,
    /// The key from a `key` command, overriding `-k`/`-y`.
    pub key: Option<KeySpec>,
    /// GSS-TSIG from a `gsstsig` / `oldgsstsig` command (the front end adds `-g`/`-o`).
    pub gss: Option<GssAlgorithm>,
    /// The realm of a `realm` command, for the server's principal.
    pub realm: Option<String>,
}

impl Pending {
    /// True when there are neither prerequisites nor changes.
    pub fn is_empty(&self) -> bool {
        self.prerequisites.is_empty() && self.changes.is_empty()
    }

    /// The pending items as an update of `zone`. Names outside the zone are kept (nsupdate sends
    /// them and the server answers NOTZONE), so the items are added unchecked.
    pub fn to_update(&self, zone: Name) -> Update {
        let mut update = Update::with_class(zone, self.class);
        for p in &self.prerequisites {
            update.require_unchecked(p.clone());
        }
        for c in &self.changes {
            update.change_unchecked(c.clone());
        }
        update
    }

    /// The message nsupdate's `show` displays: ID 0, and a zone section only when a zone is set.
    pub fn to_message(&self) -> Message {
        let mut msg = self
            .to_update(self.zone.clone().unwrap_or_else(Name::root))
            .to_message(0);
        if self.zone.is_none() {
            msg.queries.clear();
        }
        msg
    }
}

/// A running script.
#[derive(Debug, Clone)]
pub struct Session {
    dialect: Dialect,
    line: usize,
    ctx: ParseContext,
    server: Option<(String, Option<u16>)>,
    local: Option<(IpAddr, Option<u16>)>,
    zone: Option<Name>,
    key: Option<KeySpec>,
    gss: Option<GssAlgorithm>,
    realm: Option<String>,
    debug: u8,
    prerequisites: Vec<Prerequisite>,
    changes: Vec<Change>,
    dropped: Option<Pending>,
}

impl Session {
    /// A session with the defaults of `dialect` (class IN, no default TTL, origin the root,
    /// check-names on).
    pub fn new(dialect: Dialect) -> Self {
        Session {
            dialect,
            line: 0,
            ctx: ParseContext::default(),
            server: None,
            local: None,
            zone: None,
            key: None,
            gss: None,
            realm: None,
            debug: 0,
            prerequisites: Vec::new(),
            changes: Vec::new(),
            dropped: None,
        }
    }

    /// Read the next line (line breaks at its end are ignored). Errors carry the line number;
    /// the session is unchanged by a line that fails.
    pub fn feed(&mut self, line: &str) -> Result<Option<Action>, ScriptError> {
        let cmd = self.read(line)?;
        Ok(self.apply(cmd))
    }

    /// Read the next line as a command without applying it (for a caller that must do I/O
    /// before the command takes effect, as nsupdate resolves a `server` name at once); apply it
    /// with [`Session::apply`].
    pub fn read(&mut self, line: &str) -> Result<Command, ScriptError> {
        self.line += 1;
        parse_line(self.dialect, &self.ctx, line).map_err(|e| e.at_line(self.line))
    }

    /// Apply an already-parsed command.
    pub fn apply(&mut self, cmd: Command) -> Option<Action> {
        let nsupdate = self.dialect == Dialect::Nsupdate;
        match cmd {
            Command::Server { host, port } => self.server = Some((host, port)),
            Command::Local { addr, port } => self.local = Some((addr, port)),
            Command::Zone(z) => self.zone = Some(z),
            Command::Origin(o) => self.ctx.origin = o,
            Command::Class(c) => self.ctx.class = c,
            Command::Ttl(t) => self.ctx.default_ttl = t,
            Command::Key(k) => self.key = Some(k),
            Command::CheckNames(on) => self.ctx.check_names = on,
            Command::Prereq { prereq, class } => {
                self.pin(class);
                self.prerequisites.push(prereq);
            }
            Command::Update { change, class } => {
                self.pin(class);
                self.changes.push(change);
            }
            Command::Show => {
                // nsupdate's show_message() puts the zone in, which fixes the zone class.
                if nsupdate && self.zone.is_some() {
                    self.pin(Some(self.ctx.class));
                }
                return Some(Action::Show(self.snapshot()));
            }
            Command::Send => return Some(Action::Send(self.take())),
            Command::Blank if nsupdate => return Some(Action::Send(self.take())),
            Command::Blank | Command::Comment => {}
            Command::Answer => return Some(Action::Answer),
            Command::Debug => self.debug = self.debug.saturating_add(1),
            Command::Help => return Some(Action::Help),
            Command::Version => return Some(Action::Version),
            Command::Quit => return Some(Action::Quit),
            // nsupdate: `realm` alone clears the realm.
            Command::Realm(realm) => self.realm = realm,
            Command::Gsstsig => self.gss = Some(GssAlgorithm::GssTsig),
            Command::OldGsstsig => self.gss = Some(GssAlgorithm::Microsoft),
        }
        None
    }

    fn pin(&mut self, class: Option<DNSClass>) {
        if self.ctx.zone_class.is_none() {
            self.ctx.zone_class = class;
        }
    }

    fn snapshot(&self) -> Pending {
        Pending {
            prerequisites: self.prerequisites.clone(),
            changes: self.changes.clone(),
            zone: self.zone.clone(),
            server: self.server.clone(),
            local: self.local,
            class: self.ctx.zone_class.unwrap_or(self.ctx.class),
            key: self.key.clone(),
            gss: self.gss,
            realm: self.realm.clone(),
        }
    }

    /// The pending update, leaving an empty one (and a free zone class) behind.
    fn take(&mut self) -> Pending {
        let pending = self.snapshot();
        self.prerequisites.clear();
        self.changes.clear();
        self.ctx.zone_class = None;
        pending
    }

    /// knsupdate keeps its pending records when a send fails to get any answer (Knot
    /// `cmd_send` resets them only after a reply): give them back to the session.
    pub fn restore(&mut self, pending: Pending) {
        let mut prerequisites = pending.prerequisites;
        prerequisites.append(&mut self.prerequisites);
        self.prerequisites = prerequisites;
        let mut changes = pending.changes;
        changes.append(&mut self.changes);
        self.changes = changes;
    }

    /// End of input. Neither nsupdate nor knsupdate sends what is pending, so this returns
    /// `None`; an unsent update is kept in [`Session::dropped`] for a debug log.
    pub fn finish(&mut self) -> Option<Pending> {
        if !self.prerequisites.is_empty() || !self.changes.is_empty() {
            self.dropped = Some(self.take());
        }
        None
    }

    /// The update dropped at end of input, if one was pending.
    pub fn dropped(&self) -> Option<&Pending> {
        self.dropped.as_ref()
    }

    /// The dialect of the script.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The number of lines read so far.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The settings the next line is read against (class, zone class, TTL, origin, check-names).
    pub fn context(&self) -> &ParseContext {
        &self.ctx
    }

    /// The `zone` setting.
    pub fn zone(&self) -> Option<&Name> {
        self.zone.as_ref()
    }

    /// The `server` setting.
    pub fn server(&self) -> Option<&(String, Option<u16>)> {
        self.server.as_ref()
    }

    /// The `local` setting.
    pub fn local(&self) -> Option<(IpAddr, Option<u16>)> {
        self.local
    }

    /// The `key` setting.
    pub fn key(&self) -> Option<&KeySpec> {
        self.key.as_ref()
    }

    /// How many `debug` commands were given (nsupdate: 1 = debug, 2 = more debug).
    pub fn debug_level(&self) -> u8 {
        self.debug
    }

    /// A snapshot of what would be sent now.
    pub fn pending(&self) -> Pending {
        self.snapshot()
    }
}
