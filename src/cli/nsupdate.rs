//! The `nsupdate` front end: nsupdate's options, its command language (src/script/), its
//! output lines and its exit codes (0 all sent updates succeeded, 1 input or setup error,
//! 2 an update failed after it was sent).

use std::ffi::OsString;
use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use hickory_proto::rr::{Name, RecordType};

use crate::client::{self, ClientError, Outcome, Signer};
use crate::discover;
use crate::script::{Action, Dialect, KeySpec, Pending, Session, render_dig, render_show};
use crate::transport;
use crate::tsig::{self, Key};
use crate::update::Change;

/// nsupdate's options (BIND 9.18 `nsupdate.c`, `parse_args`).
#[derive(Debug, Default)]
struct Options {
    key_file: Option<PathBuf>,
    key_literal: Option<String>,
    tcp: bool,
    timeout: Option<u64>,
    udp_interval: Option<u64>,
    udp_retries: Option<u32>,
    port: Option<u16>,
    debug: u8,
    interactive: bool,
    resolv_conf: Option<PathBuf>,
    only_v4: bool,
    only_v6: bool,
    file: Option<PathBuf>,
}

const USAGE: &str = "usage: nsupdate [-CdDi] [-L level] [-l] [-g | -o | -y keyname:secret | -k keyfile] [-p port] [-v] [-V] [-P] [-T] [-4 | -6] [filename]";

/// getopt-style parsing: flags may be grouped (`-dv`), values attached (`-t5`) or separate.
fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "-" || !arg.starts_with('-') || arg == "--" {
            if arg == "--" {
                if let Some(f) = args.get(i) {
                    o.file = Some(PathBuf::from(f));
                }
            } else if arg != "-" {
                o.file = Some(PathBuf::from(arg));
            }
            continue;
        }
        for (pos, flag) in arg[1..].char_indices() {
            let takes_value = matches!(flag, 'k' | 'y' | 't' | 'u' | 'r' | 'p' | 'L' | 'C');
            let value = if takes_value {
                let rest = &arg[1 + pos + flag.len_utf8()..];
                let v = if rest.is_empty() {
                    let v = args
                        .get(i)
                        .ok_or_else(|| format!("option requires an argument -- {flag}"))?;
                    i += 1;
                    v.clone()
                } else {
                    rest.to_string()
                };
                Some(v)
            } else {
                None
            };
            let num = |v: &Option<String>| -> Result<u64, String> {
                v.as_deref()
                    .unwrap_or_default()
                    .parse::<u64>()
                    .map_err(|_| format!("bad value for -{flag}: use a number"))
            };
            match flag {
                'k' => o.key_file = value.clone().map(PathBuf::from),
                'y' => o.key_literal = value.clone(),
                'v' => o.tcp = true,
                't' => o.timeout = Some(num(&value)?),
                'u' => o.udp_interval = Some(num(&value)?),
                'r' => o.udp_retries = Some(num(&value)?.min(u64::from(u32::MAX)) as u32),
                'p' => {
                    o.port = Some(
                        u16::try_from(num(&value)?).map_err(|_| "bad port number".to_string())?,
                    )
                }
                'd' => o.debug = o.debug.max(1),
                'D' => o.debug = 2,
                'i' => o.interactive = true,
                'C' => o.resolv_conf = value.clone().map(PathBuf::from),
                'L' => {}
                '4' => o.only_v4 = true,
                '6' => o.only_v6 = true,
                'V' => return Err("version".into()),
                'g' | 'o' => return Err("GSS-TSIG (-g/-o) is not supported yet".into()),
                'l' => return Err("local mode (-l) is not supported yet".into()),
                'P' | 'T' => return Err("listing types (-P/-T) is not supported yet".into()),
                other => return Err(format!("invalid argument -{other}")),
            }
            if takes_value {
                break;
            }
        }
    }
    if o.only_v4 && o.only_v6 {
        return Err("only one of -4 and -6 allowed".into());
    }
    if o.key_file.is_some() && o.key_literal.is_some() {
        return Err("-k and -y cannot be used together".into());
    }
    Ok(o)
}

/// Run the nsupdate front end with these arguments (without argv[0]).
pub fn main(args: Vec<OsString>) -> u8 {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let opts = match parse_options(&args) {
        Ok(o) => o,
        Err(e) if e == "version" => {
            eprintln!("nsupdate (dnsup {})", env!("CARGO_PKG_VERSION"));
            return 0;
        }
        Err(e) => {
            eprintln!("nsupdate: {e}");
            eprintln!("{USAGE}");
            return 1;
        }
    };
    super::init_logging(opts.debug);
    let default_key = match load_default_key(&opts) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
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
            eprintln!("nsupdate: {e}");
            return 1;
        }
    };
    let mut runner = Runner {
        opts: &opts,
        default_key,
        last_answer: None,
        status: 0,
    };
    runtime.block_on(runner.run(input, interactive))
}

fn load_default_key(opts: &Options) -> Result<Option<Key>, String> {
    if let Some(path) = &opts.key_file {
        let loaded = tsig::load_key_file(path, None).map_err(|e| e.to_string())?;
        for w in &loaded.warnings {
            eprintln!("warning: {w}");
        }
        return Ok(Some(loaded.key));
    }
    if let Some(spec) = &opts.key_literal {
        return tsig::parse_nsupdate_y(spec)
            .map(Some)
            .map_err(|e| format!("could not create key from {}: {e}", redact_y(spec)));
    }
    Ok(None)
}

/// `-y alg:name:secret` shown without the secret.
fn redact_y(spec: &str) -> String {
    match spec.rsplit_once(':') {
        Some((head, _)) => format!("{head}:<secret>"),
        None => "<secret>".into(),
    }
}

struct Runner<'a> {
    opts: &'a Options,
    default_key: Option<Key>,
    last_answer: Option<Outcome>,
    status: u8,
}

impl Runner<'_> {
    async fn run(&mut self, input: Box<dyn BufRead>, interactive: bool) -> u8 {
        let mut session = Session::new(Dialect::Nsupdate);
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
            Action::Show(pending) => {
                println!("Outgoing update query:");
                print!("{}", render_show(&pending));
            }
            Action::Answer => {
                if let Some(a) = &self.last_answer {
                    // The raw answer still holds its TSIG, which dig-style text shows.
                    let shown = hickory_proto::op::Message::from_vec(&a.raw)
                        .unwrap_or_else(|_| a.response.clone());
                    println!("Answer:");
                    print!("{}", render_dig(&shown));
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
        // nsupdate forgets the previous answer at every send, even an empty one.
        self.last_answer = None;
        let key = match &pending.key {
            Some(spec) => match key_from_spec(spec) {
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

fn key_from_spec(spec: &KeySpec) -> Result<Key, String> {
    let text = match &spec.algorithm {
        Some(alg) => format!("{alg}:{}:{}", spec.name, spec.secret),
        None => format!("{}:{}", spec.name, spec.secret),
    };
    tsig::parse_nsupdate_y(&text)
        .map_err(|e| format!("could not create key from {}: {e}", spec.name))
}

fn prompt() {
    use std::io::Write;
    print!("> ");
    let _ = std::io::stdout().flush();
}
