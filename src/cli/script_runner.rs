//! Runs a script of nsupdate or knsupdate commands: reads lines (with line editing on a
//! terminal), drives `script::Session`, does the I/O the session asks for (resolving `server`,
//! zone discovery, sending), and prints what each tool prints. The two front ends
//! (`nsupdate.rs`, `knsupdate.rs`) parse their options into [`Options`] and load the key.
//!
//! nsupdate's behaviour is BIND 9.18's `bin/nsupdate/nsupdate.c` (`start_update`, `recvsoa`,
//! `send_update`, `update_completed`), checked against the installed nsupdate: every line it
//! prints, and its exit status (1 for what `fatal()` ends, 2 when an update failed).

use std::io::{BufRead, IsTerminal, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RecordType};

use crate::client::{self, ClientError, Outcome, Signer, random_id};
use crate::discover;
use crate::gss::{self, GssAlgorithm, GssKey};
use crate::script::{
    Action, Command, Dialect, KeySpec, Pending, Session, SoaStep, name_for_message, rcode_text,
    render_dig, render_kdig, render_kdig_show, render_sent, render_show, soa_step, tsig_rcode_text,
};
use crate::transport::{self, Failure, NoAnswer};
use crate::tsig::{self, Key};
use crate::update::{Change, Update};

/// What nsupdate and knsupdate print as their version (`-V`, `version`, `help`).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (dnsup)");

/// The options both front ends share (BIND 9.18 `nsupdate.c` `parse_args`, Knot `knsupdate`).
#[derive(Debug, Default)]
pub struct Options {
    pub tcp: bool,
    /// nsupdate `-t` (0: none), knsupdate `-t` (the whole exchange).
    pub timeout: Option<u64>,
    pub udp_interval: Option<u64>,
    pub udp_retries: Option<u32>,
    pub port: Option<u16>,
    pub debug: u8,
    /// `-i`: interactive even when stdin is not a terminal.
    pub interactive: bool,
    pub resolv_conf: Option<PathBuf>,
    pub only_v4: bool,
    pub only_v6: bool,
    /// The script file; `None` reads stdin.
    pub file: Option<PathBuf>,
    /// nsupdate `-l`: the server is the local host.
    pub local_only: bool,
    /// nsupdate `-S` and friends (BIND 9.20): DNS over TLS wherever TCP would be used.
    pub tls_options: Option<Box<crate::transport::tls::TlsOptions>>,
    /// nsupdate `-g` / `-o`: sign with GSS-TSIG.
    pub gss: Option<GssAlgorithm>,
}

/// Where script lines come from: a file or a pipe, or a terminal with line editing.
enum Input {
    Lines(Box<dyn BufRead>),
    Editor(Box<rustyline::DefaultEditor>),
}

/// The longest script line read (nsupdate's own command buffer, MAXCMD, is 128 KiB). A longer
/// line, or a NUL byte, ends the input with an error: it is not a script (e.g. /dev/zero).
const MAX_LINE: u64 = 128 * 1024;

impl Input {
    /// The next line without its line break; `None` at the end of input. A line that is too
    /// long or holds a NUL byte is reported on stderr and ends the input with `Err`.
    fn next_line(&mut self) -> Option<Result<String, ()>> {
        match self {
            Input::Lines(reader) => {
                let mut buf = Vec::new();
                match std::io::Read::take(&mut **reader, MAX_LINE + 1).read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => {
                        if buf.contains(&0) {
                            crate::errln!("input holds a NUL byte: not an update script");
                            return Some(Err(()));
                        }
                        if buf.len() as u64 > MAX_LINE {
                            crate::errln!(
                                "input line longer than {} KiB: not an update script",
                                MAX_LINE >> 10
                            );
                            return Some(Err(()));
                        }
                        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                            buf.pop();
                        }
                        Some(Ok(String::from_utf8_lossy(&buf).into_owned()))
                    }
                }
            }
            Input::Editor(editor) => match editor.readline("> ") {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                    }
                    Some(Ok(line))
                }
                Err(_) => None,
            },
        }
    }
}

/// Open the script: the file, or stdin (with line editing when it is a terminal and the
/// session is interactive). Returns the input and whether the session is interactive
/// (nsupdate: a terminal on stdin and no file, or `-i`).
fn open_input(opts: &Options, prog: &str, dialect: Dialect) -> Result<(Input, bool), u8> {
    let tty = std::io::stdin().is_terminal();
    let interactive = opts.interactive || (opts.file.is_none() && tty);
    let input = match &opts.file {
        Some(path) => match std::fs::File::open(path) {
            Ok(f) => Input::Lines(Box::new(std::io::BufReader::new(f))),
            Err(e) => {
                let not_found = e.kind() == std::io::ErrorKind::NotFound;
                // strerror's text, without Rust's "(os error N)".
                let strerror = e.to_string();
                let strerror = strerror.split(" (os error").next().unwrap_or_default();
                match dialect {
                    Dialect::Nsupdate => {
                        let why = if not_found {
                            "file not found"
                        } else {
                            strerror
                        };
                        crate::errln!("could not open '{}': {why}", path.display());
                    }
                    Dialect::Knsupdate => {
                        crate::errln!(";; ERROR: failed to open '{}' ({strerror})", path.display());
                    }
                }
                return Err(1);
            }
        },
        None if tty && interactive => match rustyline::DefaultEditor::new() {
            Ok(editor) => Input::Editor(Box::new(editor)),
            Err(_) => Input::Lines(Box::new(std::io::stdin().lock())),
        },
        None => Input::Lines(Box::new(std::io::stdin().lock())),
    };
    let _ = prog;
    Ok((input, interactive))
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::errln!("{e}"))
        .ok()
}

/// Run an nsupdate script; returns the exit status. `key` is the key from `-k`, `-y` or `-l`.
pub fn run_nsupdate(opts: &Options, prog: &str, key: Option<Key>) -> u8 {
    let (input, interactive) = match open_input(opts, prog, Dialect::Nsupdate) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let Some(rt) = runtime() else { return 1 };
    let mut ns = Ns::new(opts, key, interactive);
    if let Some(t) = &opts.tls_options {
        if t.insecure {
            crate::errln!("warning: {}", crate::transport::tls::INSECURE_WARNING);
        }
        match crate::transport::tls::build(t) {
            Ok(tls) => ns.tls = Some(tls),
            Err(e) => {
                crate::errln!("{prog}: {e}");
                return 1;
            }
        }
    }
    rt.block_on(ns.run(input))
}

/// Run a knsupdate script; returns the exit status.
pub fn run_knsupdate(opts: &Options, key: Option<Key>) -> u8 {
    let (input, interactive) = match open_input(opts, "knsupdate", Dialect::Knsupdate) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let Some(rt) = runtime() else { return 1 };
    let mut knot = Knot {
        opts,
        key,
        last_answer: None,
        reuse: Arc::default(),
    };
    let terminal = interactive && matches!(input, Input::Editor(_));
    rt.block_on(knot.run(input, terminal))
}

/// `25-Nov-2026 06:59:56.387`: the time stamp of BIND's library log lines (UTC here).
pub(super) fn log_stamp() -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{day:02}-{}-{year} {:02}:{:02}:{:02}.{:03}",
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        now.subsec_millis()
    )
}

/// How nsupdate names a failure to reach a server (`isc_result_totext`).
fn failure_text(failure: &Failure, tcp: bool) -> String {
    match failure {
        Failure::TimedOut => "timed out".into(),
        Failure::Io(e) if e.contains("refused") => {
            // BIND 9.18 reports a refused TCP connection as a canceled operation.
            if tcp {
                "operation canceled".into()
            } else {
                "connection refused".into()
            }
        }
        Failure::Io(e) if e.contains("unreachable") => "host unreachable".into(),
        Failure::Io(e) => e.clone(),
        Failure::Closed => "connection reset".into(),
        Failure::OnlyRejected(_) => "timed out".into(),
        Failure::Tls(e) | Failure::Http(e) => e.clone(),
    }
}

fn addr_text(addr: &SocketAddr) -> String {
    format!("{}#{}", addr.ip(), addr.port())
}

/// Whether this host can use IPv6 / IPv4 at all (BIND's `isc_net_probeipv6` / `probeipv4`).
fn have_family(v6: bool) -> bool {
    if v6 {
        std::net::UdpSocket::bind((Ipv6Addr::UNSPECIFIED, 0)).is_ok()
    } else {
        std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).is_ok()
    }
}

/// What ends a send: `Fatal` ends nsupdate with status 1 (its `fatal()`).
enum Stop {
    Fatal,
}

/// One nsupdate run.
struct Ns<'a> {
    opts: &'a Options,
    key: Option<Key>,
    interactive: bool,
    /// `debug` level: 1 debug (`-d`), 2 more (`-D`).
    debug: u8,
    port: u16,
    have_v4: bool,
    have_v6: bool,
    /// The servers of the `server` command (or of `-l`), up to 4 addresses.
    servers: Option<Vec<SocketAddr>>,
    /// The server of the list in use (`ns_inuse`): where the last SOA query was answered.
    in_use: usize,
    /// The resolv.conf servers (or the loopback addresses), asked with RD=1 and unsigned.
    resolvers: Vec<SocketAddr>,
    /// The raw answer to the last update (`answer`), cleared when a send starts.
    answer: Option<Vec<u8>>,
    seen_error: bool,
    /// `-S`: one TLS client for the run, so its connections serve every send.
    tls: Option<std::sync::Arc<crate::transport::tls::Tls>>,
    /// GSS-TSIG credentials and the context established last (for reuse by the next send).
    gss: GssState,
    /// Sockets and TCP connections kept from one send to the next.
    reuse: Arc<transport::Reuse>,
}

/// GSS-TSIG state of an nsupdate run: credentials are acquired once, and a context is kept
/// for the next update to the same server and primary until it is about to expire.
#[derive(Default)]
struct GssState {
    creds: Option<Arc<gss::system::Credentials>>,
    key: Option<(SocketAddr, Name, GssKey)>,
}

impl<'a> Ns<'a> {
    fn new(opts: &'a Options, key: Option<Key>, interactive: bool) -> Self {
        let have_v4 = !opts.only_v6 && have_family(false);
        let have_v6 = !opts.only_v4 && have_family(true);
        let port = opts.port.unwrap_or(53);
        let loopback = || {
            let mut out = Vec::new();
            if have_v6 {
                out.push(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port));
            }
            if have_v4 {
                out.push(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
            }
            out
        };
        let (servers, resolvers) = if opts.local_only {
            (Some(loopback()), Vec::new())
        } else {
            let path = opts
                .resolv_conf
                .clone()
                .unwrap_or_else(|| PathBuf::from("/etc/resolv.conf"));
            let text = crate::bounded::read_text(&path, crate::bounded::limit::RESOLV_CONF)
                .unwrap_or_default();
            let listed = resolv_conf_servers(&text);
            let resolvers: Vec<SocketAddr> = if listed.is_empty() {
                loopback()
            } else {
                listed
                    .into_iter()
                    .filter(|ip| if ip.is_ipv6() { have_v6 } else { have_v4 })
                    .map(|ip| SocketAddr::new(ip, port))
                    .collect()
            };
            (None, resolvers)
        };
        Ns {
            opts,
            key,
            interactive,
            debug: opts.debug,
            port,
            have_v4,
            have_v6,
            servers,
            in_use: 0,
            resolvers,
            answer: None,
            seen_error: false,
            tls: None,
            gss: GssState::default(),
            reuse: Arc::default(),
        }
    }

    fn status(&self) -> u8 {
        if self.seen_error { 2 } else { 0 }
    }

    async fn run(&mut self, mut input: Input) -> u8 {
        let mut session = Session::new(Dialect::Nsupdate);
        while let Some(line) = input.next_line() {
            let Ok(line) = line else { return 1 };
            let command = match session.read(&line) {
                Ok(c) => c,
                Err(e) => {
                    let buffer = format!("buffer-{:p}", line.as_ptr());
                    if let Some(log) = e.library_log(&log_stamp(), &buffer) {
                        crate::errout!("{log}");
                    }
                    crate::errout!("{}", e.nsupdate_stderr(!self.interactive));
                    tracing::debug!(line = e.line, "{e}");
                    if self.interactive {
                        continue;
                    }
                    return 1;
                }
            };
            if let Err(text) = self.before(&command).await {
                if !text.is_empty() {
                    crate::errln!("{text}");
                }
                if self.interactive {
                    continue;
                }
                crate::errln!("syntax error");
                return 1;
            }
            let Some(action) = session.apply(command) else {
                continue;
            };
            match action {
                Action::Send(pending) => {
                    if let Err(Stop::Fatal) = self.send(&pending).await {
                        return 1;
                    }
                }
                Action::Show(pending) => {
                    crate::out!("Outgoing update query:\n{}", render_show(&pending));
                }
                Action::Answer => {
                    if let Some(msg) = self
                        .answer
                        .as_deref()
                        .and_then(|a| Message::from_vec(a).ok())
                    {
                        crate::out!("Answer:\n{}", render_dig(&msg));
                    }
                }
                Action::Quit => break,
                Action::Help => crate::out!("{}", crate::script::help(VERSION)),
                Action::Version => crate::outln!("nsupdate {VERSION}"),
                Action::Unsupported(what) => {
                    crate::errln!("{what}");
                    return 1;
                }
            }
            let _ = std::io::stdout().flush();
        }
        session.finish();
        if session.dropped().is_some() {
            tracing::debug!("end of input: the pending update was not sent (as nsupdate)");
        }
        self.status()
    }

    /// The I/O nsupdate does while it reads a command: resolve a `server`, create a `key`.
    /// `Err` is a syntax error with the text to print.
    async fn before(&mut self, command: &Command) -> Result<(), String> {
        match command {
            Command::Server { host, port } => {
                if self.opts.local_only {
                    return Err("cannot reset server in localhost-only mode".into());
                }
                let addrs = self.resolve(host, port.unwrap_or(self.port)).await?;
                self.servers = Some(addrs);
                self.in_use = 0;
            }
            Command::Key(spec) => {
                self.key = Some(key_from_spec(spec, Dialect::Nsupdate)?);
            }
            Command::Debug => self.debug = (self.debug + 1).min(2),
            _ => {}
        }
        Ok(())
    }

    /// `get_addresses`: an address literal or a name, up to 4 addresses of the families in use.
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        let failed = |why: &str| format!("couldn't get address for '{host}': {why}");
        // Address literals of a family turned off: BIND maps IPv4 into IPv6 under -6 (and then
        // cannot reach it), and refuses IPv6 under -4.
        match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) if !self.have_v4 && self.have_v6 => {
                return Ok(vec![SocketAddr::new(IpAddr::V6(v4.to_ipv6_mapped()), port)]);
            }
            Ok(IpAddr::V6(_)) if !self.have_v6 => {
                return Err(failed("address family not supported"));
            }
            _ => {}
        }
        let addrs = discover::resolve(host, port)
            .await
            .map_err(|_| failed("not found"))?;
        let addrs: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| {
                if a.is_ipv6() {
                    self.have_v6
                } else {
                    self.have_v4
                }
            })
            .take(4)
            .collect();
        if addrs.is_empty() {
            return Err(failed("not found"));
        }
        Ok(addrs)
    }

    /// An IPv4 address mapped into IPv6 under `-6`: BIND does not reach it.
    fn unreachable(&self, addr: &SocketAddr) -> bool {
        !self.have_v4 && matches!(addr.ip(), IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some())
    }

    fn config(
        &self,
        tcp: bool,
        local: Option<(IpAddr, Option<u16>)>,
        to: &SocketAddr,
    ) -> transport::Config {
        let t = self.opts.timeout.unwrap_or(300);
        let retries = self.opts.udp_retries.unwrap_or(3);
        let mut interval = self.opts.udp_interval.unwrap_or(3);
        if interval == 0 {
            // BIND: no UDP interval means the timeout shared among the tries.
            interval = (t / (u64::from(retries) + 1)).max(1);
        }
        // UDP gives up after its last try (-t does not cut it short); TCP after -t.
        let total = if tcp {
            if t == 0 { 86_400 } else { t }
        } else {
            interval.saturating_mul(u64::from(retries) + 1)
        };
        transport::Config {
            tcp,
            udp_interval: Duration::from_secs(interval),
            udp_retries: retries,
            timeout: Duration::from_secs(total) + Duration::from_millis(100),
            local: local
                .filter(|(ip, _)| ip.is_ipv6() == to.is_ipv6())
                .map(|(ip, port)| SocketAddr::new(ip, port.unwrap_or(0))),
            // 9.20: TLS wherever TCP goes (`usevc`, which -S sets).
            tls: if tcp { self.tls.clone() } else { None },
            https: None,
            reuse: Some(Arc::clone(&self.reuse)),
        }
    }

    /// `start_update`: send now when both zone and server are known, else find the zone first.
    async fn send(&mut self, pending: &Pending) -> Result<(), Stop> {
        self.answer = None;
        // GSS-TSIG needs the primary's name for the server's principal: always ask the SOA.
        if let (Some(zone), Some(servers), None) = (
            &pending.zone,
            self.servers.clone(),
            self.gss_algorithm(pending),
        ) {
            let start = self.in_use.min(servers.len().saturating_sub(1));
            self.send_update(pending, zone.clone(), &servers, start, None)
                .await;
            return Ok(());
        }
        let user_zone = pending.zone.is_some();
        let Some(mut qname) = pending.zone.clone().or_else(|| first_owner(pending)) else {
            return Ok(());
        };
        let (ask, recursion, signed) = match &self.servers {
            Some(s) => (s.clone(), false, true),
            None => (self.resolvers.clone(), true, false),
        };
        if ask.is_empty() {
            crate::errln!("could not reach any name server");
            return Err(Stop::Fatal);
        }
        self.in_use = 0;
        let tcp = self.opts.tcp && self.servers.is_some();
        loop {
            let server = ask[self.in_use];
            let mut config = self.config(tcp, pending.local, &server);
            let signer = if signed {
                self.key.as_ref().map(Signer::new)
            } else {
                None
            };
            unsigned_gets_fresh_sockets(&mut config, signer.is_some());
            if self.unreachable(&server) {
                crate::errln!(
                    "; Communication with {} failed: operation canceled",
                    addr_text(&server)
                );
                self.next_server(ask.len())?;
                continue;
            }
            let mut result = client::query_any_opcode(
                &qname,
                RecordType::SOA,
                recursion,
                signer,
                &[server],
                &config,
            )
            .await;
            if signer.is_some() && result.as_ref().is_ok_and(|o| o.tsig_error.is_some()) {
                // nsupdate asks again without TSIG when the server did not like the key.
                let q = client::query_any_opcode;
                result = q(&qname, RecordType::SOA, recursion, None, &[server], &config).await;
            }
            let outcome = match result {
                Ok(o) => o,
                Err(e) => {
                    crate::errln!(
                        "; Communication with {} failed: {}",
                        addr_text(&server),
                        client_failure(&e, tcp)
                    );
                    self.next_server(ask.len())?;
                    continue;
                }
            };
            let step = soa_step(&outcome.response, user_zone);
            if step == SoaStep::Refused {
                crate::errln!(
                    "; Communication with {} failed: REFUSED",
                    addr_text(&server)
                );
                self.next_server(ask.len())?;
                continue;
            }
            if self.debug > 0
                && let Ok(msg) = Message::from_vec(&outcome.raw)
            {
                crate::errout!("Reply from SOA query:\n{}", render_dig(&msg));
            }
            match step {
                SoaStep::Refused => unreachable!("handled above"),
                SoaStep::BadOpcode => {
                    crate::errln!("invalid OPCODE in response to SOA query");
                    return Err(Stop::Fatal);
                }
                SoaStep::Unsuccessful => {
                    crate::errln!("response to SOA query was unsuccessful");
                    return Err(Stop::Fatal);
                }
                SoaStep::NoSuchZone => {
                    crate::errln!(
                        "specified zone '{}' does not exist (NXDOMAIN)",
                        name_for_message(&qname)
                    );
                    self.seen_error = true;
                    return Ok(());
                }
                SoaStep::Parent => {
                    if qname.is_root() {
                        crate::errln!("could not find enclosing zone");
                        return Err(Stop::Fatal);
                    }
                    qname = qname.base_name();
                }
                SoaStep::Found { zone, primary } => {
                    if self.debug > 0 {
                        crate::errln!("Found zone name: {}", name_for_message(&zone));
                        crate::errln!("The primary is: {}", name_for_message(&primary));
                    }
                    if zone.is_root() {
                        // dnsup never sends an update to the root zone's primary (a resolver
                        // answers NXDOMAIN for a mistyped TLD with the root SOA).
                        crate::errln!("could not find enclosing zone");
                        return Err(Stop::Fatal);
                    }
                    let update_zone = pending.zone.clone().unwrap_or(zone);
                    match &self.servers {
                        Some(servers) => {
                            let servers = servers.clone();
                            self.send_update(
                                pending,
                                update_zone,
                                &servers,
                                self.in_use,
                                Some(&primary),
                            )
                            .await;
                        }
                        None => {
                            let host = name_for_message(&primary);
                            match self.resolve(&host, self.port).await {
                                Ok(primaries) => {
                                    self.send_update(
                                        pending,
                                        update_zone,
                                        &primaries,
                                        0,
                                        Some(&primary),
                                    )
                                    .await;
                                }
                                Err(text) => {
                                    crate::errln!("{text}");
                                    self.seen_error = true;
                                }
                            }
                        }
                    }
                    return Ok(());
                }
            }
        }
    }

    /// GSS-TSIG for this update: a `gsstsig`/`oldgsstsig` command, else `-g`/`-o`.
    fn gss_algorithm(&self, pending: &Pending) -> Option<GssAlgorithm> {
        pending.gss.or(self.opts.gss)
    }

    /// An established GSS-TSIG key for `server` and `primary`: the last one if it still fits,
    /// else a new TKEY negotiation (nsupdate `start_gssrequest`). The key is handed out; the
    /// caller gives it back for reuse.
    async fn gss_key(
        &mut self,
        pending: &Pending,
        algorithm: GssAlgorithm,
        server: &SocketAddr,
        primary: &Name,
        config: &transport::Config,
    ) -> Result<(SocketAddr, Name, GssKey), gss::NegotiateError> {
        let opts = gss_options(algorithm, pending.realm.clone());
        if let Some((s, p, key)) = self.gss.key.take() {
            let fresh = key.expires() > unix_now() + 60;
            if s == *server && p == *primary && key.algorithm() == algorithm && fresh {
                return Ok((s, p, key));
            }
        }
        let creds = match &self.gss.creds {
            Some(c) => Arc::clone(c),
            None => {
                let o = opts.clone();
                let c = tokio::task::spawn_blocking(move || gss::credentials(&o))
                    .await
                    .map_err(|e| gss::GssError::new(gss::GssErrorKind::Other, e.to_string()))??;
                self.gss.creds = Some(Arc::clone(&c));
                c
            }
        };
        if self.debug > 0 {
            crate::errln!(
                "Negotiating GSS-TSIG ({}) with {} as {}",
                algorithm.as_str(),
                addr_text(server),
                creds.principal()
            );
        }
        let key = if self.debug > 0 {
            gss::negotiate_traced(*server, primary, &creds, &opts, config, &mut print_tkey).await?
        } else {
            gss::negotiate(*server, primary, &creds, &opts, config).await?
        };
        Ok((*server, primary.clone(), key))
    }

    /// `next_server`: the next server of the list, or nsupdate's end.
    fn next_server(&mut self, total: usize) -> Result<(), Stop> {
        self.in_use += 1;
        if self.in_use >= total {
            crate::errln!("could not reach any name server");
            return Err(Stop::Fatal);
        }
        Ok(())
    }

    /// `send_update` and `update_completed`: send to the primaries in turn from `start`,
    /// print the outcome as nsupdate does, remember the answer.
    async fn send_update(
        &mut self,
        pending: &Pending,
        zone: Name,
        primaries: &[SocketAddr],
        start: usize,
        primary: Option<&Name>,
    ) {
        let update = pending.to_update(zone);
        let tcp = self.opts.tcp;
        let mut at = start;
        // A copy sent to a server that did not answer may have been applied there.
        let mut sent_before = false;
        while let Some(server) = primaries.get(at) {
            if self.debug > 0 {
                crate::errln!("Sending update to {}", addr_text(server));
            }
            if self.unreachable(server) {
                crate::errln!(
                    "; Communication with {} failed: operation canceled",
                    addr_text(server)
                );
                at += 1;
                continue;
            }
            let mut config = self.config(tcp, pending.local, server);
            let gss_key = match (self.gss_algorithm(pending), primary) {
                (Some(algorithm), Some(primary)) => {
                    match self
                        .gss_key(pending, algorithm, server, primary, &config)
                        .await
                    {
                        Ok(key) => Some(key),
                        Err(e) => {
                            crate::errln!("tkey query failed: {e}");
                            self.seen_error = true;
                            return;
                        }
                    }
                }
                _ => None,
            };
            let signer = match &gss_key {
                Some((_, _, key)) => Some(Signer::new(key)),
                None => self.key.as_ref().map(Signer::new),
            };
            unsigned_gets_fresh_sockets(&mut config, signer.is_some());
            let result =
                client::send_update(&update, signer, std::slice::from_ref(server), &config).await;
            let gss_used = gss_key.is_some();
            // Keep the context for the next update unless the server no longer knows it.
            if let Some(key) = gss_key
                && !matches!(&result, Ok(o) if o.tsig_error == Some(tsig::TsigRcode::BadKey))
            {
                self.gss.key = Some(key);
            }
            if let Ok(outcome) = &result {
                gss_notes(outcome);
            }
            if self.debug > 0 {
                self.print_sent(&update, pending.zone.is_some(), result.as_ref().ok());
            }
            match result {
                Ok(outcome) => {
                    let servfail = outcome.rcode() == ResponseCode::ServFail;
                    self.completed(outcome, sent_before);
                    if gss_used && servfail {
                        crate::errln!("; note: {SAMBA_SERVFAIL}");
                    }
                    return;
                }
                Err(ClientError::Network(e)) => {
                    sent_before = true;
                    let why =
                        e.0.last()
                            .map_or_else(|| "timed out".to_string(), |(_, f)| failure_text(f, tcp));
                    crate::errln!("; Communication with {} failed: {why}", addr_text(server));
                    at += 1;
                }
                Err(ClientError::Unverified(_)) => {
                    crate::errln!("; TSIG error with server: tsig verify failure");
                    self.seen_error = true;
                    return;
                }
                Err(ClientError::UnsignedError { rcode, .. }) => {
                    crate::errln!("; TSIG error with server: expected a TSIG or SIG(0)");
                    if self.debug == 0 {
                        crate::errln!("update failed: {rcode}");
                    }
                    if gss_used && rcode == "SERVFAIL" {
                        crate::errln!("; note: {SAMBA_SERVFAIL}");
                    }
                    self.seen_error = true;
                    return;
                }
                Err(e) => {
                    crate::errln!("{e}");
                    self.seen_error = true;
                    return;
                }
            }
        }
        self.seen_error = true;
    }

    /// nsupdate's debug print of the update as sent: the signed request the answer came back
    /// to (with its TSIG or GSS-TSIG record); without an answer, rebuilt with the HMAC key
    /// (TSIG is deterministic), or unsigned for GSS-TSIG (a MIC cannot be made again without
    /// using up one of the context's sequence numbers).
    fn print_sent(&self, update: &Update, user_zone: bool, outcome: Option<&Outcome>) {
        if let Some(o) = outcome.filter(|o| !o.request.is_empty())
            && let Some(text) = render_sent(&o.request, user_zone)
        {
            print!("Outgoing update query:\n{text}");
            let _ = std::io::stdout().flush();
            return;
        }
        let id = outcome.map_or_else(random_id, |o| o.response.metadata.id);
        let Ok(wire) = update.to_wire(id) else { return };
        let wire = match &self.key {
            Some(key) => {
                let at = outcome.and_then(|o| o.signed_at).unwrap_or_else(|| {
                    SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs())
                });
                match tsig::sign_request(&wire, key, at, tsig::DEFAULT_FUDGE) {
                    Ok((signed, _)) => signed,
                    Err(_) => wire,
                }
            }
            None => wire,
        };
        if let Some(text) = render_sent(&wire, user_zone) {
            crate::out!("Outgoing update query:\n{text}");
            let _ = std::io::stdout().flush();
        }
    }

    /// `update_completed` for an answer. `sent_before`: a copy went to a server that gave no
    /// answer.
    fn completed(&mut self, outcome: Outcome, sent_before: bool) {
        if outcome.tsig_error.is_some() {
            crate::errln!("; TSIG error with server: tsig indicates error");
            self.seen_error = true;
        }
        let rcode = outcome.rcode();
        if rcode != ResponseCode::NoError {
            self.seen_error = true;
            if self.debug == 0 {
                let mut text = rcode_text(u16::from(rcode));
                if let Some(t) = outcome.tsig_error {
                    text.push_str(&format!("({})", tsig_rcode_text(t.code())));
                }
                crate::errln!("update failed: {text}");
            }
            if let Some(note) = resent_note(&outcome, sent_before) {
                crate::errln!("; {note}");
            }
        }
        if self.debug > 0
            && let Ok(msg) = Message::from_vec(&outcome.raw)
        {
            crate::errout!("\nReply from update query:\n{}", render_dig(&msg));
        }
        self.answer = Some(outcome.raw);
    }
}

/// GSS-TSIG options of an nsupdate run: the algorithm of `-g`/`-o` or the script, the realm of
/// `realm`, and two settings nsupdate has no option for, from the environment:
/// `DNSUP_GSS_VERIFY` (strict, compatible, off) and `DNSUP_GSS_MECH` (spnego, krb5).
/// Credentials come from the ticket cache (`KRB5CCNAME`) or a client keytab (`KRB5_CLIENT_KTNAME`).
fn gss_options(algorithm: GssAlgorithm, realm: Option<String>) -> gss::GssOptions {
    let policy = crate::environment::var("DNSUP_GSS_VERIFY")
        .and_then(|v| gss::VerifyPolicy::parse(&v))
        .unwrap_or_default();
    let mechanism = match crate::environment::var("DNSUP_GSS_MECH").as_deref() {
        Some("krb5") => gss::Mechanism::Krb5,
        _ => gss::Mechanism::Spnego,
    };
    gss::GssOptions {
        algorithm: Some(algorithm),
        policy,
        mechanism,
        realm,
        ..gss::GssOptions::default()
    }
}

/// nsupdate -d's print of the TKEY exchange: the query on stdout under the same title as an
/// update (BIND prints every request it sends with one function), the answer on stderr.
fn print_tkey(message: gss::TkeyMessage<'_>) {
    match message {
        gss::TkeyMessage::Query(wire) => {
            if let Ok(msg) = Message::from_vec(wire) {
                print!("Outgoing update query:\n{}", render_dig(&msg));
                let _ = std::io::stdout().flush();
            }
        }
        gss::TkeyMessage::Answer(wire) => {
            if let Ok(msg) = Message::from_vec(wire) {
                eprint!("recvmsg reply from GSS-TSIG query\n{}", render_dig(&msg));
            }
        }
    }
}

/// What dnsup says beyond nsupdate about a GSS-TSIG answer: an answer signature accepted only
/// in Samba's form (nsupdate reports "tsig verify failure" and exits 2 for it).
fn gss_notes(outcome: &Outcome) {
    let Some(variant) = outcome.gss_signature else {
        return;
    };
    if variant == tsig::gss::SignatureVariant::SambaNoMacLength {
        crate::errln!(
            "; note: the answer's GSS-TSIG signature verified only in Samba's form (request MAC \
             without its length): the update's outcome is authentic (DNSUP_GSS_VERIFY=compatible; \
             BIND's nsupdate reports \"tsig verify failure\" here)"
        );
    }
}

/// Samba answers a refused secure update with an unsigned SERVFAIL (Windows: REFUSED).
const SAMBA_SERVFAIL: &str = "a Samba DNS server answers SERVFAIL when a secure update is \
     refused: the principal may not update this name (Windows answers REFUSED)";

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// For a prerequisite failure on an update that was sent more than once (a resend, or an
/// earlier try that got no answer): the failure may come from our own earlier copy, applied by
/// the server although its answer was lost. Retried updates are not idempotent under
/// prerequisites, so say so instead of letting "update failed" read as "nothing changed".
fn resent_note(outcome: &Outcome, sent_before: bool) -> Option<&'static str> {
    let prerequisite = matches!(
        outcome.rcode(),
        ResponseCode::YXDomain
            | ResponseCode::NXDomain
            | ResponseCode::YXRRSet
            | ResponseCode::NXRRSet
    );
    (prerequisite && outcome.tsig_error.is_none() && (sent_before || outcome.sends > 1)).then_some(
        "the update was sent more than once: an earlier copy whose answer was lost may have \
         been applied; check the zone",
    )
}

/// How nsupdate names a failed exchange.
fn client_failure(e: &ClientError, tcp: bool) -> String {
    match e {
        ClientError::Network(NoAnswer(tries)) => tries
            .last()
            .map_or_else(|| "timed out".to_string(), |(_, f)| failure_text(f, tcp)),
        ClientError::Unverified(_) => "tsig verify failure".into(),
        other => other.to_string(),
    }
}

/// The nameservers of a resolv.conf (BIND's `irs_resconf` keeps the first three).
fn resolv_conf_servers(text: &str) -> Vec<IpAddr> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next())
                .flatten()
                .and_then(|addr| addr.split('%').next()?.parse().ok())
        })
        .take(3)
        .collect()
}

/// The name nsupdate starts discovery from: the first update's owner, else the first
/// prerequisite's; for a DS record, the parent side (one label up).
fn first_owner(p: &Pending) -> Option<Name> {
    if let Some(c) = p.changes.first() {
        let rtype = match c {
            Change::Add { rdata, .. } | Change::DeleteRecord(_, rdata) => Some(rdata.record_type()),
            Change::DeleteRrset(_, t) => Some(*t),
            _ => None,
        };
        let name = c.name().clone();
        return Some(if rtype == Some(RecordType::DS) && !name.is_root() {
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
    parsed.map_err(|e| format!("could not create key from {}: {}", spec.name, e.message))
}

/// One knsupdate run.
struct Knot<'a> {
    opts: &'a Options,
    key: Option<Key>,
    last_answer: Option<Outcome>,
    /// Sockets and TCP connections kept from one send to the next.
    reuse: Arc<transport::Reuse>,
}

impl Knot<'_> {
    /// `terminal`: knsupdate's interactive loop, which reports an error and reads on; from a
    /// file or a pipe the first error ends the run.
    async fn run(&mut self, mut input: Input, terminal: bool) -> u8 {
        let mut session = Session::new(Dialect::Knsupdate);
        while let Some(line) = input.next_line() {
            let Ok(line) = line else { return 1 };
            let action = match session.feed(&line) {
                Ok(a) => a,
                Err(e) => {
                    crate::errln!("{}", e.nsupdate_text);
                    if terminal {
                        continue;
                    }
                    return 1;
                }
            };
            let Some(action) = action else { continue };
            match action {
                Action::Send(pending) => {
                    if let Some(code) = self.send(pending, &mut session).await {
                        return code;
                    }
                }
                Action::Show(pending) => {
                    crate::outln!("Update query:");
                    crate::outln!("{}", render_kdig_show(&pending, random_id()));
                }
                Action::Answer => {
                    crate::outln!("Answer:");
                    match &self.last_answer {
                        Some(a) => crate::out!("{}", render_answer_kdig(a)),
                        // knsupdate prints its empty answer buffer.
                        None => crate::out!(
                            "{}",
                            render_kdig(&Message::new(
                                0,
                                hickory_proto::op::MessageType::Query,
                                hickory_proto::op::OpCode::Query
                            ))
                        ),
                    }
                }
                Action::Quit => return 0,
                Action::Help | Action::Version => {}
                Action::Unsupported(what) => {
                    crate::errln!(";; ERROR: {what}");
                    return 1;
                }
            }
            let _ = std::io::stdout().flush();
        }
        session.finish();
        0
    }

    /// One try: knsupdate's `-t` is the total of its `1 + -r` tries.
    fn config(&self, local: Option<SocketAddr>) -> transport::Config {
        let tries = u64::from(self.opts.udp_retries.unwrap_or(3)) + 1;
        let wait = match self.opts.timeout.unwrap_or(12) {
            0 => Duration::from_secs(86_400),
            t => Duration::from_millis((t * 1000 / tries).max(1)),
        };
        transport::Config {
            tcp: self.opts.tcp,
            udp_interval: wait,
            udp_retries: 0,
            timeout: wait,
            local,
            tls: None,
            https: None,
            reuse: Some(Arc::clone(&self.reuse)),
        }
    }

    /// knsupdate's send: no discovery (the zone is required, the server defaults to
    /// 127.0.0.1), `1 + -r` tries each with its warning, and the first failure ends the run
    /// with status 1 after printing the answer.
    async fn send(&mut self, pending: Pending, session: &mut Session) -> Option<u8> {
        let Some(zone) = pending.zone.clone() else {
            crate::errln!(";; ERROR: no zone specified");
            return Some(1);
        };
        let port = self.opts.port.unwrap_or(53);
        let servers = match &pending.server {
            Some((host, p)) => match discover::resolve(host, p.unwrap_or(port)).await {
                Ok(s) => s,
                Err(e) => {
                    crate::errln!(";; ERROR: {e}");
                    return Some(1);
                }
            },
            None => vec![SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)],
        };
        let server = servers[0];
        let key = match &pending.key {
            Some(spec) => match key_from_spec(spec, Dialect::Knsupdate) {
                Ok(k) => Some(k),
                Err(_) => {
                    crate::errln!(";; ERROR: invalid key specification");
                    return Some(1);
                }
            },
            None => self.key.clone(),
        };
        let local = pending
            .local
            .map(|(ip, port)| SocketAddr::new(ip, port.unwrap_or(0)));
        let mut config = self.config(local);
        let update = pending.to_update(zone);
        let signer = key.as_ref().map(Signer::new);
        unsigned_gets_fresh_sockets(&mut config, signer.is_some());
        let tries = self.opts.udp_retries.unwrap_or(3) + 1;
        let (proto, what) = if config.tcp {
            ("TCP", "can't connect to")
        } else {
            ("UDP", "response timeout for")
        };
        for attempt in 0..tries {
            let result =
                client::send_update(&update, signer, std::slice::from_ref(&server), &config).await;
            let outcome = match result {
                Ok(o) => o,
                Err(ClientError::Network(_)) => {
                    crate::errln!(
                        ";; WARNING: {what} {}@{}({proto})",
                        server.ip(),
                        server.port()
                    );
                    continue;
                }
                Err(ClientError::Unverified(_) | ClientError::UnsignedError { .. }) => {
                    crate::errln!(";; ERROR: reply verification (failed to verify TSIG)");
                    return Some(1);
                }
                Err(e) => {
                    crate::errln!(";; ERROR: failed to send UPDATE message ({e})");
                    return Some(1);
                }
            };
            if outcome.tsig_error.is_some() {
                // The server's error answer carries no valid MAC: knsupdate fails to verify it.
                crate::out!("{}", render_answer_kdig(&outcome));
                crate::errln!(";; ERROR: reply verification (failed to verify TSIG)");
                return Some(1);
            }
            let rcode = outcome.rcode();
            if rcode != ResponseCode::NoError {
                crate::out!("{}", render_answer_kdig(&outcome));
                crate::errln!(
                    ";; ERROR: update failed with error '{}'",
                    rcode_text(u16::from(rcode))
                );
                if let Some(note) = resent_note(&outcome, attempt > 0) {
                    crate::errln!(";; WARNING: {note}");
                }
                return Some(1);
            }
            self.last_answer = Some(outcome);
            return None;
        }
        // knsupdate keeps the records when no answer came.
        session.restore(pending);
        Some(1)
    }
}

/// The answer as knsupdate prints it; the raw answer still holds its TSIG, which is shown.
fn render_answer_kdig(a: &Outcome) -> String {
    let shown = Message::from_vec(&a.raw).unwrap_or_else(|_| a.response.clone());
    render_kdig(&shown)
}

/// Sockets are kept between sends only for signed messages: an unsigned answer is believed on
/// its ID and question alone, so each unsigned exchange gets a new random source port (as
/// nsupdate's dispatch does), and an off-path forger must guess the port as well as the ID.
/// A signed answer is checked by its TSIG, so the kept socket's fixed port costs nothing.
fn unsigned_gets_fresh_sockets(config: &mut transport::Config, signed: bool) {
    if !signed {
        config.reuse = None;
    }
}
