//! The command line: clap definitions for the native commands, and dispatch.
//!
//! `dnsup nsupdate` (or a binary named `nsupdate`) hands its arguments, unparsed, to the
//! nsupdate front end, whose option syntax is nsupdate's, not clap's.

mod apply;
mod daemon;
pub mod exit;
mod keys;
pub mod knsupdate;
mod native;
mod notify;
pub mod nsupdate;
mod providers;
mod report;
mod script_runner;
mod tls;
mod via_provider;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// What `dnsup --version` prints after the name (`-V` prints the version alone): the commit,
/// target and cargo features the binary was built from (build.rs). A constant: no cost at run
/// time.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("DNSUP_COMMIT"),
    "\ntarget: ",
    env!("DNSUP_TARGET"),
    "\nfeatures: ",
    env!("DNSUP_FEATURES"),
);

/// dnsup: RFC 2136 dynamic DNS updates signed with TSIG.
#[derive(Debug, Parser)]
#[command(name = "dnsup", version, long_version = LONG_VERSION, about, long_about = None)]
pub struct Cli {
    /// More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire).
    /// `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides.
    #[arg(short = 'v', long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make an RRset exactly these values (replaces what is there).
    Set(RecordArgs),
    /// Add values to an RRset (keeps what is there).
    Add(RecordArgs),
    /// Delete a name, an RRset, or single records.
    Delete(DeleteArgs),
    /// Apply many changes from a file, split into several UPDATE messages (not atomic).
    Apply(apply::ApplyArgs),
    /// Keep records equal to this host's addresses (the daemon); `--once` for one pass.
    Run(daemon::RunArgs),
    /// Print what every address source says and what each record would get.
    Detect(daemon::DaemonArgs),
    /// Show what a pass would change, without changing anything.
    Plan(daemon::DaemonArgs),
    /// Check the configuration file and explain what it sets.
    CheckConfig(daemon::DaemonArgs),
    /// Show what the daemon last did for each record (from the state file).
    Status(daemon::StatusArgs),
    /// Print a new TSIG key in tsig-keygen (named.conf) format.
    Keygen(KeygenArgs),
    /// List every provider dnsup can drive, with what it can do (`--json`, `--markdown`).
    Providers(providers::ProvidersArgs),
    /// Send a test notification through one `[notify.NAME]` of the configuration.
    NotifyTest(notify::NotifyTestArgs),
    /// Read nsupdate commands from FILE or stdin, with nsupdate's options and exit codes.
    Nsupdate {
        /// nsupdate's options and file, e.g. `-k key.conf -v update.txt`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Read knsupdate (Knot) commands from FILE or stdin, with knsupdate's options.
    Knsupdate {
        /// knsupdate's options and file, e.g. `-y hmac-sha256:name:secret update.txt`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

/// Where to send and with which key: shared by the native commands and `apply`.
#[derive(Debug, Args)]
pub struct Destination {
    /// Server to send to, HOST[:PORT] or [IPV6]:PORT; repeat for failover.
    /// Default: the zone's primary (SOA MNAME), found through the resolvers in /etc/resolv.conf.
    #[arg(short, long = "server", value_name = "HOST[:PORT]")]
    pub servers: Vec<String>,
    /// Port for servers given without one [default: 53, 853 with --tls].
    #[arg(short, long)]
    pub port: Option<u16>,
    /// The zone to update; names without a final dot are relative to it.
    /// Default: found by an SOA query, like nsupdate.
    #[arg(short, long)]
    pub zone: Option<String>,
    /// TSIG key file: named.conf style (tsig-keygen), K*.key/K*.private, or Knot's formats.
    #[arg(short = 'k', long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Which key of a key file that holds several.
    #[arg(long, value_name = "NAME", requires = "key_file")]
    pub key_name: Option<String>,
    /// TSIG key as [ALG:]NAME:SECRET (default hmac-sha256). Visible to other users in `ps`:
    /// prefer --key-file or the DNSUP_KEY environment variable.
    #[arg(
        short = 'y',
        long,
        value_name = "[ALG:]NAME:SECRET",
        conflicts_with = "key_file"
    )]
    pub key: Option<String>,
    /// Refuse key and token files readable by group or others (default: warn and go on).
    #[arg(long)]
    pub strict_permissions: bool,
    /// Send through a provider of the configuration file instead (`[providers.NAME]`:
    /// rfc2136, cloudflare, powerdns, dyndns2, ...), with the same read-then-replace care.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["servers", "key_file", "key"])]
    pub provider: Option<String>,
    /// The configuration file that defines --provider.
    #[arg(long, value_name = "FILE", default_value = "/etc/dnsup/dnsup.toml")]
    pub config: PathBuf,
    #[command(flatten)]
    pub tls: tls::TlsArgs,
}

impl Destination {
    /// The key given by --key-file, --key or DNSUP_KEY, if any (warnings go to stderr).
    pub fn load_key(&self) -> Result<Option<crate::tsig::Key>, String> {
        keys::load(
            self.key_file.as_deref(),
            self.key_name.as_deref(),
            self.key.as_deref(),
            self.strict_permissions,
        )
    }

    /// The port for servers given without one.
    pub fn port(&self) -> u16 {
        self.tls.default_port(self.port)
    }

    /// The addresses of every --server, in order.
    pub async fn resolve_servers(&self) -> Result<Vec<std::net::SocketAddr>, String> {
        let mut out = Vec::new();
        for s in &self.servers {
            let (host, port) = crate::discover::split_server(s, self.port())?;
            out.extend(
                crate::discover::resolve(&host, port)
                    .await
                    .map_err(|e| format!("--server {s}: {e}"))?,
            );
        }
        Ok(out)
    }
}

/// GSS-TSIG (RFC 3645, Kerberos): for Active Directory DNS and BIND with tkey-gssapi-keytab.
#[derive(Debug, Clone, Args)]
pub struct GssArgs {
    /// Sign with GSS-TSIG using Kerberos credentials (the ticket cache of kinit, or --keytab)
    /// instead of a TSIG key. Needs the system library libgssapi_krb5.so.2.
    #[arg(long, conflicts_with_all = ["key_file", "key", "provider"])]
    pub gss: bool,
    /// Our Kerberos principal (default: the ticket cache's, or the keytab's first).
    #[arg(long, value_name = "PRINCIPAL", requires = "gss")]
    pub principal: Option<String>,
    /// Get tickets from this keytab (e.g. a machine account HOST$ or host/NAME@REALM).
    #[arg(long, value_name = "FILE", requires = "gss")]
    pub keytab: Option<PathBuf>,
    /// Realm of the server's principal (default: our principal's realm).
    #[arg(long, value_name = "REALM", requires = "gss")]
    pub realm: Option<String>,
    /// The server's principal (default: DNS/<primary of the zone's SOA>@<realm>).
    #[arg(long, value_name = "PRINCIPAL", requires = "gss")]
    pub service: Option<String>,
    /// TSIG algorithm name: gss-tsig, or gss.microsoft.com for Windows 2000 (nsupdate -o).
    #[arg(long, value_name = "NAME", default_value = "gss-tsig", requires = "gss",
          value_parser = ["gss-tsig", "gss.microsoft.com"])]
    pub gss_algorithm: String,
    /// How to check the server's answer signature: strict (RFC 8945), compatible (also
    /// Samba's variant, reported when used), off.
    #[arg(long, value_name = "POLICY", default_value = "compatible", requires = "gss",
          value_parser = ["strict", "compatible", "off"])]
    pub gss_verify: String,
    /// GSS mechanism: spnego (as nsupdate) or krb5.
    #[arg(long, value_name = "MECH", default_value = "spnego", requires = "gss",
          value_parser = ["spnego", "krb5"])]
    pub gss_mech: String,
}

impl GssArgs {
    /// The GSS options, when --gss is given.
    pub fn options(&self) -> Option<crate::gss::GssOptions> {
        use crate::gss::{GssAlgorithm, GssOptions, Mechanism, VerifyPolicy};
        self.gss.then(|| GssOptions {
            algorithm: Some(if self.gss_algorithm == "gss.microsoft.com" {
                GssAlgorithm::Microsoft
            } else {
                GssAlgorithm::GssTsig
            }),
            policy: VerifyPolicy::parse(&self.gss_verify).unwrap_or_default(),
            mechanism: if self.gss_mech == "krb5" {
                Mechanism::Krb5
            } else {
                Mechanism::Spnego
            },
            principal: self.principal.clone(),
            keytab: self.keytab.clone(),
            realm: self.realm.clone(),
            service: self.service.clone(),
        })
    }
}

/// Where and how to send.
#[derive(Debug, Args)]
pub struct Connection {
    #[command(flatten)]
    pub dest: Destination,
    #[command(flatten)]
    pub gss: GssArgs,
    /// Use TCP only.
    #[arg(long)]
    pub tcp: bool,
    /// Give up on a server after this many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    /// Resend over UDP this many times.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub retries: u32,
    /// Seconds between UDP resends.
    #[arg(long, default_value_t = 2, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub retry_interval: u64,
    /// Source address to send from.
    #[arg(long, value_name = "ADDR")]
    pub local: Option<std::net::IpAddr>,
    /// Print the outcome as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print the message that would be sent, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Guards: RFC 2136 prerequisites checked by the server before it changes anything.
#[derive(Debug, Args)]
pub struct Guards {
    /// Only if the RRset does not exist (NXRRSET).
    #[arg(long, conflicts_with_all = ["if_exists", "if_equals"])]
    pub if_absent: bool,
    /// Only if the RRset exists, whatever its values.
    #[arg(long)]
    pub if_exists: bool,
    /// Only if the RRset holds exactly these values (repeat for each value).
    #[arg(long, value_name = "VALUE")]
    pub if_equals: Vec<String>,
    /// Only if the name owns no records at all.
    #[arg(long, conflicts_with = "if_name_exists")]
    pub if_name_absent: bool,
    /// Only if the name owns at least one record.
    #[arg(long)]
    pub if_name_exists: bool,
}

/// `set` and `add`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Owner name; relative names are relative to --zone when given.
    pub name: String,
    /// Record type (A, AAAA, TXT, MX, TYPE65280, ...).
    #[arg(value_name = "TYPE")]
    pub rtype: String,
    /// Values in presentation format, one argument each (`\# LEN HEX` for unknown types).
    #[arg(required = true, value_name = "VALUE")]
    pub values: Vec<String>,
    /// Time to live of the new records (RFC 2181 section 8: at most 2147483647).
    #[arg(long, default_value_t = 300,
          value_parser = clap::value_parser!(u32).range(0..=2_147_483_647))]
    pub ttl: u32,
    #[command(flatten)]
    pub guards: Guards,
    #[command(flatten)]
    pub conn: Connection,
}

/// `delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Owner name.
    pub name: String,
    /// Delete only this RRset.
    #[arg(value_name = "TYPE")]
    pub rtype: Option<String>,
    /// Delete only these records of the RRset.
    #[arg(value_name = "VALUE")]
    pub values: Vec<String>,
    /// Allow deleting every record at the zone apex (all but SOA and NS: MX, TXT, A, ...).
    #[arg(long)]
    pub apex: bool,
    #[command(flatten)]
    pub guards: Guards,
    #[command(flatten)]
    pub conn: Connection,
}

/// `keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Algorithm: hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512.
    #[arg(short, long, default_value = "hmac-sha256")]
    pub algorithm: String,
    /// Key name.
    #[arg(default_value = "tsig-key")]
    pub name: String,
    /// Write the key to FILE (created with mode 0600; an existing file is refused) instead of
    /// standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// Run dnsup with these arguments; returns the process exit code.
pub fn run(args: Vec<OsString>) -> u8 {
    let invoked_as = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("dnsup")
        .to_string();
    match invoked_as.as_str() {
        "nsupdate" => return nsupdate::main(args.into_iter().skip(1).collect()),
        "knsupdate" => return knsupdate::main(args.into_iter().skip(1).collect()),
        _ => {}
    }
    // The front ends parse their tools' options themselves: clap must not see them (it would
    // take nsupdate's -v and -h as its own).
    match args.get(1).and_then(|a| a.to_str()) {
        Some("nsupdate") => return nsupdate::main(args.into_iter().skip(2).collect()),
        Some("knsupdate") => return knsupdate::main(args.into_iter().skip(2).collect()),
        _ => {}
    }
    let (verbose, command) = match fast_record_command(&args) {
        Some(parsed) => parsed,
        None => match Cli::try_parse_from(&args) {
            Ok(cli) => (cli.verbose, cli.command),
            Err(e) => {
                let code = if e.use_stderr() {
                    exit::USAGE
                } else {
                    exit::OK
                };
                // Help and version go to stdout: a failure there is reported like any output.
                if let Err(lost) = e.print()
                    && !e.use_stderr()
                {
                    crate::output::lost(&lost);
                }
                return code;
            }
        },
    };
    match &command {
        Command::Run(r) if !r.once => init_logging_as(verbose, LogProfile::Daemon),
        _ => init_logging(verbose),
    }
    match command {
        Command::Nsupdate { args } => nsupdate::main(args),
        Command::Knsupdate { args } => knsupdate::main(args),
        Command::Keygen(k) => native::keygen(&k),
        Command::Providers(p) => providers::run(&p),
        Command::Apply(a) => apply::run(a),
        Command::Run(r) => daemon::run(r),
        Command::Detect(d) => daemon::detect(d),
        Command::Plan(d) => daemon::plan(d),
        Command::CheckConfig(d) => daemon::check_config(d),
        Command::Status(s) => daemon::status(s),
        Command::NotifyTest(n) => notify::run(n),
        Command::Set(r) => native::run_record(native::Verb::Set, r),
        Command::Add(r) => native::run_record(native::Verb::Add, r),
        Command::Delete(d) => native::run_delete(d),
    }
}

/// `dnsup add|set|delete ...` parsed by a parser of that command alone. Building the parser of
/// every subcommand costs more than the update itself (issue 6: a third of the instructions of
/// a one-shot `dnsup add`), so the one-shot record commands skip it. Only a clean parse is
/// taken: help, `-v` before the command and every error go through the full parser, so what
/// users see is unchanged (`fast_parse_agrees_with_the_full_parser` checks the results agree).
fn fast_record_command(args: &[OsString]) -> Option<(u8, Command)> {
    use clap::{Args as _, FromArgMatches as _};
    let sub = args.get(1)?.to_str()?;
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return None;
    }
    // The only global option of `Cli`.
    let base = clap::Command::new("dnsup").arg(
        clap::Arg::new("verbose")
            .short('v')
            .long("verbose")
            .action(clap::ArgAction::Count),
    );
    let parser = match sub {
        "add" | "set" => RecordArgs::augment_args(base),
        "delete" => DeleteArgs::augment_args(base),
        _ => return None,
    };
    let mut matches = parser.try_get_matches_from(&args[1..]).ok()?;
    let verbose = matches.get_count("verbose");
    // `_mut` takes the values out instead of cloning every match first.
    let command = match sub {
        "add" => Command::Add(RecordArgs::from_arg_matches_mut(&mut matches).ok()?),
        "set" => Command::Set(RecordArgs::from_arg_matches_mut(&mut matches).ok()?),
        _ => Command::Delete(DeleteArgs::from_arg_matches_mut(&mut matches).ok()?),
    };
    Some((verbose, command))
}

/// Who the logs are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogProfile {
    /// A command that ends: only warnings and errors by default (its result is on stdout).
    OneShot,
    /// The long-running daemon: what an operator needs by default (start, changes, failures,
    /// recoveries, reloads, stop), with timestamps unless journald adds its own.
    Daemon,
}

/// Logs go to stderr, for a one-shot command. See [`init_logging_as`].
pub fn init_logging(verbose: u8) {
    init_logging_as(verbose, LogProfile::OneShot);
}

/// Logs go to stderr. Default level: warnings (one-shot) or info (daemon); `-v` debug, `-vv`
/// trace of dnsup, `-vvv` trace of every library too. `RUST_LOG` (`Targets` syntax:
/// `dnsup=debug,hickory_proto=trace`, or a bare level) overrides. The daemon's lines carry a
/// UTC timestamp unless stderr goes to journald (`JOURNAL_STREAM` is set), which has its own.
/// A `Targets` filter rather than `EnvFilter`: no regex engine in the binary, which keeps the
/// daemon's resident memory small.
pub fn init_logging_as(verbose: u8, profile: LogProfile) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    let base = match profile {
        LogProfile::OneShot => LevelFilter::WARN,
        LogProfile::Daemon => LevelFilter::INFO,
    };
    let level = match verbose {
        0 => base,
        1 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let filter = crate::environment::var("RUST_LOG")
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| {
            if verbose >= 3 {
                Targets::new().with_default(LevelFilter::TRACE)
            } else {
                Targets::new().with_target("dnsup", level)
            }
        });
    let timestamps =
        profile == LogProfile::Daemon && crate::environment::var("JOURNAL_STREAM").is_none();
    let _ = tracing::subscriber::set_global_default(LazyLog {
        filter,
        timestamps,
        inner: std::sync::OnceLock::new(),
    });
}

/// The subscriber `init_logging` installs: the filter decides at once, and the formatting
/// subscriber behind it is built at the first span or event that passes. Building it up front
/// (the registry's span slab: 32 KiB written) cost a one-shot update more than its logging
/// does, which without `-v` is nothing.
struct LazyLog {
    filter: tracing_subscriber::filter::Targets,
    timestamps: bool,
    inner: std::sync::OnceLock<Box<dyn tracing::Subscriber + Send + Sync>>,
}

impl LazyLog {
    fn inner(&self) -> &(dyn tracing::Subscriber + Send + Sync) {
        use tracing_subscriber::prelude::*;
        self.inner
            .get_or_init(|| {
                let layer = tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_target(false);
                if self.timestamps {
                    Box::new(
                        tracing_subscriber::registry()
                            .with(layer)
                            .with(self.filter.clone()),
                    )
                } else {
                    Box::new(
                        tracing_subscriber::registry()
                            .with(layer.without_time())
                            .with(self.filter.clone()),
                    )
                }
            })
            .as_ref()
    }
}

impl tracing::Subscriber for LazyLog {
    // The filter's own answers, which the built subscriber would give too; they are cached per
    // call site (always or never), so `enabled` is hardly ever asked.
    fn register_callsite(
        &self,
        metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing_subscriber::Layer::<tracing_subscriber::Registry>::register_callsite(
            &self.filter,
            metadata,
        )
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        tracing_subscriber::Layer::<tracing_subscriber::Registry>::max_level_hint(&self.filter)
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        self.inner().enabled(metadata)
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        self.inner().new_span(span)
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        self.inner().record(span, values);
    }

    fn record_follows_from(&self, span: &tracing::span::Id, follows: &tracing::span::Id) {
        self.inner().record_follows_from(span, follows);
    }

    fn event(&self, event: &tracing::Event<'_>) {
        self.inner().event(event);
    }

    fn enter(&self, span: &tracing::span::Id) {
        self.inner().enter(span);
    }

    fn exit(&self, span: &tracing::span::Id) {
        self.inner().exit(span);
    }

    fn clone_span(&self, id: &tracing::span::Id) -> tracing::span::Id {
        self.inner().clone_span(id)
    }

    fn try_close(&self, id: tracing::span::Id) -> bool {
        self.inner().try_close(id)
    }

    fn current_span(&self) -> tracing_core::span::Current {
        // No span was entered before the first one built the subscriber.
        match self.inner.get() {
            Some(inner) => inner.current_span(),
            None => tracing_core::span::Current::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<OsString> {
        std::iter::once("dnsup")
            .chain(line.split_whitespace())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn fast_parse_agrees_with_the_full_parser() {
        for line in [
            "add www A 192.0.2.1 --zone example.test --server 127.0.0.1:53 -k key.conf",
            "add www.example.test. A 192.0.2.1 192.0.2.2 --ttl 0 -s a -s b:54 --port 5353",
            "set www TXT a b --ttl 60 -v -v --json --tcp --timeout 3 --retries 0",
            "set www AAAA ::1 --retry-interval 1 --local 127.0.0.1 --dry-run --verbose",
            "add www A 192.0.2.1 --if-name-absent --if-equals 192.0.2.9 --if-equals 192.0.2.8",
            "add www A 192.0.2.1 --if-absent -k key.conf --key-name other",
            "delete www",
            "delete www A",
            "delete www A 192.0.2.1 --if-exists -y hmac-sha256:k:c2VjcmV0 --if-name-exists",
            "delete -v www MX 10 mx.example.test. -z example.test",
        ] {
            let (verbose, command) = fast_record_command(&args(line)).expect(line);
            let cli = Cli::try_parse_from(args(line)).expect(line);
            assert_eq!(verbose, cli.verbose, "{line}");
            assert_eq!(
                format!("{command:?}"),
                format!("{:?}", cli.command),
                "{line}"
            );
        }
    }

    #[test]
    fn fast_parse_leaves_help_errors_and_other_commands_to_the_full_parser() {
        for line in [
            "add --help",
            "add www A 192.0.2.1 -h",
            "add www A",
            "add www A 192.0.2.1 --ttl -1",
            "add www A 192.0.2.1 --ttl 2147483648",
            "add www A 192.0.2.1 --version",
            "add www A 192.0.2.1 --no-such-option",
            "add www A 192.0.2.1 --if-absent --if-exists",
            "add www A 192.0.2.1 --key-name k",
            "add www A 192.0.2.1 -k f -y k:c2VjcmV0",
            "delete",
            "delete www A --timeout 0",
        ] {
            assert!(fast_record_command(&args(line)).is_none(), "{line}");
            assert!(Cli::try_parse_from(args(line)).is_err(), "{line}");
        }
        for line in ["-v add www A 192.0.2.1", "keygen", "apply changes.txt"] {
            assert!(fast_record_command(&args(line)).is_none(), "{line}");
        }
    }
}
