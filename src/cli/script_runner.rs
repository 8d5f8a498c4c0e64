//! Runs a script of nsupdate or knsupdate commands: reads lines, drives `script::Session`,
//! sends what it asks to send, and prints what each tool prints. The two front ends
//! (`nsupdate.rs`, `knsupdate.rs`) only parse their options into [`Options`].

use std::io::{BufRead, IsTerminal};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use hickory_proto::op::Message;
use hickory_proto::rr::{Name, RecordType};

use crate::client::{self, ClientError, Outcome, Signer, random_id};
use crate::discover;
use crate::script::{
    Action, Dialect, KeySpec, Pending, Session, render_dig, render_kdig, render_kdig_show,
    render_show,
};
use crate::transport;
use crate::tsig::{self, Key};
use crate::update::Change;

/// The options both front ends share (BIND 9.18 `nsupdate.c` `parse_args`, Knot `knsupdate`).
#[derive(Debug, Default)]
pub struct Options {
    pub key_file: Option<PathBuf>,
    pub key_literal: Option<String>,
    pub tcp: bool,
    pub timeout: Option<u64>,
    pub udp_interval: Option<u64>,
    pub udp_retries: Option<u32>,
    pub port: Option<u16>,
    pub debug: u8,
    pub interactive: bool,
    pub resolv_conf: Option<PathBuf>,
    pub only_v4: bool,
    pub only_v6: bool,
    pub file: Option<PathBuf>,
}

/// Read the script (file or stdin) and run it; returns the exit status.
pub fn run(dialect: Dialect, opts: &Options, default_key: Option<Key>) -> u8 {
    let input: Box<dyn BufRead> = match &opts.file {
        Some(path) => match std::fs::File::open(path) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => {
                eprintln!("could not open '{}': {e}", path.display());
                return 1;
            }
        },
        None => Box::new(std::io::stdin().lock()),
    };
    let interactive = opts.interactive || (opts.file.is_none() && std::io::stdin().is_terminal());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let mut runner = Runner {
        dialect,
        opts,
        default_key,
        last_answer: None,
        status: 0,
    };
    runtime.block_on(runner.run(input, interactive))
}

struct Runner<'a> {
    dialect: Dialect,
    opts: &'a Options,
    default_key: Option<Key>,
    last_answer: Option<Outcome>,
    status: u8,
}

impl Runner<'_> {
    async fn run(&mut self, input: Box<dyn BufRead>, interactive: bool) -> u8 {
        let mut session = Session::new(self.dialect);
        if interactive {
            prompt();
        }
        for line in input.lines() {
            let Ok(line) = line else {
                eprintln!("error reading input");
                return 1;
            };
            match session.feed(&line) {
                Ok(None) => {}
                Ok(Some(action)) => {
                    if let Some(code) = self.act(action).await {
                        return code;
                    }
                }
                Err(e) if self.dialect == Dialect::Knsupdate => {
                    // knsupdate stops at the first error, interactive or not.
                    eprintln!(";; ERROR: {}", e.message);
                    return 1;
                }
                Err(e) => {
                    eprint!("{}", e.nsupdate_stderr(!interactive));
                    tracing::debug!(line = e.line, "{e}");
                    if !interactive {
                        return 1;
                    }
                }
            }
            if interactive {
                prompt();
            }
        }
        session.finish();
        if session.dropped().is_some() {
            tracing::debug!("end of input: the pending update was not sent (as nsupdate)");
        }
        self.status
    }

    /// Perform one action; `Some(code)` ends the run.
    async fn act(&mut self, action: Action) -> Option<u8> {
        match action {
            Action::Send(pending) => return self.send(pending).await,
            Action::Show(pending) => match self.dialect {
                Dialect::Nsupdate => {
                    println!("Outgoing update query:");
                    print!("{}", render_show(&pending));
                }
                Dialect::Knsupdate => {
                    println!("Update query:");
                    print!("{}", render_kdig_show(&pending, random_id()));
                }
            },
            Action::Answer => {
                if let Some(a) = &self.last_answer {
                    println!("Answer:");
                    print!("{}", self.render_answer(a));
                }
            }
            Action::Quit => return Some(self.status),
            Action::Help => print!("{}", crate::script::help(env!("CARGO_PKG_VERSION"))),
            Action::Version => println!("dnsup {}", env!("CARGO_PKG_VERSION")),
            Action::Unsupported(what) => {
                eprintln!("{what}");
                return Some(1);
            }
        }
        None
    }

    /// The answer as the tool prints it; the raw answer still holds its TSIG, which is shown.
    fn render_answer(&self, a: &Outcome) -> String {
        let shown = Message::from_vec(&a.raw).unwrap_or_else(|_| a.response.clone());
        match self.dialect {
            Dialect::Nsupdate => render_dig(&shown),
            Dialect::Knsupdate => render_kdig(&shown),
        }
    }

    fn config(&self) -> transport::Config {
        let d = transport::Config::default();
        transport::Config {
            tcp: self.opts.tcp,
            udp_interval: self
                .opts
                .udp_interval
                .map_or(d.udp_interval, Duration::from_secs),
            udp_retries: self.opts.udp_retries.unwrap_or(d.udp_retries),
            // nsupdate: -t 0 means no timeout; a day is as good as none here.
            timeout: match self.opts.timeout {
                Some(0) => Duration::from_secs(86_400),
                Some(t) => Duration::from_secs(t),
                None => d.timeout,
            },
            local: None,
        }
    }

    async fn send(&mut self, pending: Pending) -> Option<u8> {
        if self.dialect == Dialect::Knsupdate {
            return self.send_knot(pending).await;
        }
        // nsupdate forgets the previous answer at every send, even an empty one.
        self.last_answer = None;
        let key = match &pending.key {
            Some(spec) => match key_from_spec(spec, self.dialect) {
                Ok(k) => Some(k),
                Err(e) => {
                    eprintln!("{e}");
                    return Some(1);
                }
            },
            None => self.default_key.clone(),
        };
        let mut config = self.config();
        config.local = pending
            .local
            .map(|(ip, port)| SocketAddr::new(ip, port.unwrap_or(0)));
        let port = self.opts.port.unwrap_or(53);
        let signer = key.as_ref().map(Signer::new);
        let mut servers = Vec::new();
        if let Some((host, p)) = &pending.server {
            match discover::resolve(host, p.unwrap_or(port)).await {
                Ok(s) => servers = s,
                Err(e) => {
                    eprintln!("{e}");
                    return Some(1);
                }
            }
        }
        let zone = match (&pending.zone, servers.is_empty()) {
            (Some(z), false) => z.clone(),
            (given, _) => {
                let Some(start) = given.clone().or_else(|| first_owner(&pending)) else {
                    // Nothing to send: nsupdate silently does nothing.
                    return None;
                };
                let (ask, recursion) = if servers.is_empty() {
                    (self.resolvers(), true)
                } else {
                    (servers.clone(), false)
                };
                match discover::find_zone(&start, &ask, signer, recursion, &config).await {
                    Ok(info) => {
                        if servers.is_empty() {
                            match discover::resolve(&info.primary.to_ascii(), port).await {
                                Ok(s) => servers = s,
                                Err(e) => {
                                    eprintln!("{e}");
                                    return Some(1);
                                }
                            }
                        }
                        given.clone().unwrap_or(info.zone)
                    }
                    Err(discover::DiscoverError::NoZone(_)) => {
                        eprintln!("could not find enclosing zone");
                        return Some(1);
                    }
                    Err(e) => {
                        eprintln!("{e}");
                        return Some(1);
                    }
                }
            }
        };
        let update = pending.to_update(zone);
        match client::send_update(&update, signer, &servers, &config).await {
            Ok(outcome) => {
                if !outcome.is_success() {
                    let rcode = outcome.rcode_name();
                    match outcome.tsig_error {
                        Some(t) => eprintln!("update failed: {rcode}({t})"),
                        None => eprintln!("update failed: {rcode}"),
                    }
                    self.status = 2;
                }
                self.last_answer = Some(outcome);
            }
            Err(ClientError::Network(e)) => {
                for (addr, why) in &e.0 {
                    eprintln!(
                        "; Communication with {}#{} failed: {why}",
                        addr.ip(),
                        addr.port()
                    );
                }
                self.status = 2;
            }
            Err(ClientError::Unverified(e)) => {
                eprintln!("; TSIG error with server: {e}");
                self.status = 2;
            }
            Err(e) => {
                eprintln!("{e}");
                self.status = 2;
            }
        }
        None
    }

    /// knsupdate's send: no discovery (the zone is required, the server defaults to
    /// 127.0.0.1), and the first failure ends the run with status 1 after printing the answer.
    async fn send_knot(&mut self, pending: Pending) -> Option<u8> {
        let Some(zone) = pending.zone.clone() else {
            eprintln!(";; ERROR: no zone specified");
            return Some(1);
        };
        let key = match &pending.key {
            Some(spec) => match key_from_spec(spec, self.dialect) {
                Ok(k) => Some(k),
                Err(e) => {
                    eprintln!(";; ERROR: {e}");
                    return Some(1);
                }
            },
            None => self.default_key.clone(),
        };
        let port = self.opts.port.unwrap_or(53);
        let servers = match &pending.server {
            Some((host, p)) => match discover::resolve(host, p.unwrap_or(port)).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!(";; ERROR: {e}");
                    return Some(1);
                }
            },
            None => vec![SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)],
        };
        let mut config = self.config();
        config.local = pending
            .local
            .map(|(ip, port)| SocketAddr::new(ip, port.unwrap_or(0)));
        let update = pending.to_update(zone);
        let signer = key.as_ref().map(Signer::new);
        match client::send_update(&update, signer, &servers, &config).await {
            Ok(outcome) if outcome.is_success() => {
                self.last_answer = Some(outcome);
                None
            }
            Ok(outcome) => {
                print!("{}", self.render_answer(&outcome));
                let rcode = outcome.rcode_name();
                match outcome.tsig_error {
                    Some(t) => eprintln!(";; ERROR: update failed with error '{rcode}' ({t})"),
                    None => eprintln!(";; ERROR: update failed with error '{rcode}'"),
                }
                Some(1)
            }
            Err(e) => {
                eprintln!(";; ERROR: failed to update ({e})");
                Some(1)
            }
        }
    }

    fn resolvers(&self) -> Vec<SocketAddr> {
        let path = self
            .opts
            .resolv_conf
            .clone()
            .unwrap_or_else(|| PathBuf::from("/etc/resolv.conf"));
        let text = std::fs::read_to_string(path).unwrap_or_default();
        discover::parse_resolv_conf(&text)
            .into_iter()
            .filter(|ip| !(self.opts.only_v4 && ip.is_ipv6() || self.opts.only_v6 && ip.is_ipv4()))
            .map(|ip| SocketAddr::new(ip, 53))
            .collect()
    }
}

/// The name nsupdate starts discovery from: the first update's owner, else the first
/// prerequisite's; for DS, the parent side (one label up).
fn first_owner(p: &Pending) -> Option<Name> {
    if let Some(c) = p.changes.first() {
        let is_ds = matches!(c, Change::Add { rdata, .. } if rdata.record_type() == RecordType::DS)
            || matches!(c, Change::DeleteRrset(_, RecordType::DS));
        let name = c.name().clone();
        return Some(if is_ds && !name.is_root() {
            name.base_name()
        } else {
            name
        });
    }
    p.prerequisites.first().map(|q| q.name().clone())
}

/// The key of a `key` command; without an algorithm nsupdate means hmac-md5, knsupdate
/// hmac-sha256 (the defaults of their `-y` parsers).
fn key_from_spec(spec: &KeySpec, dialect: Dialect) -> Result<Key, String> {
    let text = match &spec.algorithm {
        Some(alg) => format!("{alg}:{}:{}", spec.name, spec.secret),
        None => format!("{}:{}", spec.name, spec.secret),
    };
    let parsed = match dialect {
        Dialect::Nsupdate => tsig::parse_nsupdate_y(&text),
        Dialect::Knsupdate => tsig::parse_knot_line(&text),
    };
    parsed.map_err(|e| format!("could not create key from {}: {e}", spec.name))
}

fn prompt() {
    use std::io::Write;
    print!("> ");
    let _ = std::io::stdout().flush();
}
