//! `dnsup apply FILE`: many changes to one zone, split into several UPDATE messages pipelined
//! over one TCP connection. Not atomic; the report says which lines were not applied.

use std::fmt::Write as _;
use std::io::Read as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use hickory_proto::rr::Name;
use serde_json::{Value, json};

use super::exit;
use super::report::Report;
use crate::bulk::{self, Batch, BatchStatus, Item, Limits, Run};
use crate::client::{Outcome, Signer};
use crate::discover;
use crate::transport::{self, pipeline};
use crate::tsig::{Key, TsigRcode};

const AFTER_HELP: &str = "\
FILE holds one change per line, in nsupdate's syntax without 'send':
  update add host1.example.test. 300 A 192.0.2.1
  add host2 300 AAAA 2001:db8::2        (relative to --zone)
  update delete old.example.test. A
  del gone.example.test.
Blank lines and ';' comments are skipped. Other commands are refused: server, zone and key
are options here, apply sends by itself (no 'send'), and prerequisites cannot guard changes
that may land in other messages (see --if-absent).

NOT ATOMIC: the changes are split into several UPDATE messages (at most 60,000 bytes each, or
--batch-size changes) sent over one TCP connection, several at a time. Each message is applied
or rejected as a whole by the server, but independently of the others: if one is rejected,
the others stay applied. The report names every line that was not applied (--rejected FILE
writes them out to run again). For one atomic update, use an nsupdate script with one 'send'
(dnsup nsupdate), which is always one message.

Answers are matched by ID and verified (TSIG) one by one. A message answered SERVFAIL is sent
again (after 0.1 s, then 0.4 s) with fewer messages in flight; a TSIG error or NOTAUTH stops
the run, since every message would get it (the rest are reported as not sent); a lost
connection is opened again and the unanswered messages are sent again.

Exit status: 0 when every change was applied; otherwise that of the first message that was
not (2 refused, 3 prerequisite failed, 4 TSIG, 5 no answer: may or may not be applied).";

/// `apply` arguments.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ApplyArgs {
    /// The file of changes, one per line; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub dest: super::Destination,
    /// TTL of `add` lines that give none.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=2_147_483_647))]
    pub ttl: Option<u32>,
    /// At most this many changes per message (default: as many as fit in 60,000 bytes).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65_535))]
    pub batch_size: Option<u32>,
    /// How many messages may await their answer at once.
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub window: u32,
    /// Create only: add each RRset only if the zone has no RRset of that name and type yet
    /// (RFC 2136 prerequisite per message; every line must be an add). A message in which one
    /// RRset exists is rejected as a whole (YXRRSET), and its lines are reported.
    #[arg(long)]
    pub if_absent: bool,
    /// Give up on the server after this many seconds without an expected answer.
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    /// Source address to send from.
    #[arg(long, value_name = "ADDR")]
    pub local: Option<std::net::IpAddr>,
    /// Write the lines that were not applied (and those whose fate is unknown) to this file,
    /// in the input format, to run again.
    #[arg(long, value_name = "FILE")]
    pub rejected: Option<PathBuf>,
    /// Print the outcome as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print how the changes would be split, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Run `dnsup apply`.
pub fn run(args: ApplyArgs) -> u8 {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(apply(&args)),
        Err(e) => {
            eprintln!("error [runtime]: {e}");
            exit::NETWORK
        }
    }
}

/// A failure before anything was sent: exit code and message.
struct Early(u8, String);

impl From<String> for Early {
    fn from(message: String) -> Self {
        Early(exit::USAGE, message)
    }
}

fn read_input(file: &PathBuf) -> Result<String, String> {
    if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("reading standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))
    }
}

fn absolute(name: &str) -> Result<Name, String> {
    let mut n = Name::from_ascii(name).map_err(|e| format!("zone '{name}': {e}"))?;
    n.set_fqdn(true);
    Ok(n)
}

/// Everything needed to send.
struct Prepared {
    text: String,
    items: Vec<Item>,
    zone: Name,
    key: Option<Key>,
    servers: Vec<SocketAddr>,
    batches: Vec<Batch>,
}

async fn prepare(args: &ApplyArgs) -> Result<Option<Prepared>, Early> {
    if args.dest.provider.is_some() {
        return Err(
            "dnsup apply sends RFC 2136 UPDATE messages: --provider is for set, add and delete"
                .to_string()
                .into(),
        );
    }
    let text = read_input(&args.file)?;
    let given = args.dest.zone.as_deref().map(absolute).transpose()?;
    let origin = given.clone().unwrap_or_else(Name::root);
    let items = bulk::parse(&text, &origin, args.ttl).map_err(|e| e.to_string())?;
    let Some(first) = items.first() else {
        return Ok(None);
    };
    let key = args.dest.load_key()?;
    let config = transport::Config {
        timeout: Duration::from_secs(args.timeout),
        local: args.local.map(|ip| SocketAddr::new(ip, 0)),
        ..transport::Config::default()
    };
    let servers = args.dest.resolve_servers().await?;
    let signer = key.as_ref().map(Signer::new);
    let (zone, servers) = discover::locate(
        given,
        servers,
        first.change.name(),
        signer,
        args.dest.port,
        &config,
    )
    .await
    .map_err(|e| Early(exit::ZONE, e.to_string()))?;
    let limits = Limits {
        max_records: args.batch_size.map(|n| n as usize),
        tsig_bytes: key.as_ref().map_or(0, bulk::tsig_bytes),
        ..Limits::default()
    };
    let batches = bulk::plan(&zone, &items, &limits, args.if_absent).map_err(|e| e.to_string())?;
    Ok(Some(Prepared {
        text,
        items,
        zone,
        key,
        servers,
        batches,
    }))
}

async fn apply(args: &ApplyArgs) -> u8 {
    let early = Report {
        zone: args.dest.zone.clone().unwrap_or_default(),
        action: "apply",
        json: args.json,
        changes: Vec::new(),
    };
    let p = match prepare(args).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            if args.json {
                println!(
                    "{}",
                    json!({"status": "ok", "exit_code": exit::OK, "action": "apply",
                           "zone": early.zone, "changes": 0, "applied": 0, "messages": 0})
                );
            } else {
                eprintln!("apply: no changes in the input; nothing sent");
            }
            return exit::OK;
        }
        Err(Early(code, message)) => return early.failure(code, &message),
    };
    if args.dry_run {
        return dry_run(args, &p);
    }
    let mut options = bulk::Options::new(p.key.as_ref());
    options.pipeline = pipeline::Settings {
        window: args.window as usize,
        timeout: Duration::from_secs(args.timeout),
        local: args.local.map(|ip| SocketAddr::new(ip, 0)),
        ..pipeline::Settings::default()
    };
    let run = bulk::apply(&p.batches, &p.servers, &options).await;
    report(args, &p, &run)
}

fn lines_of(p: &Prepared, batch: &Batch) -> Vec<usize> {
    batch.items.iter().map(|&i| p.items[i].line).collect()
}

fn dry_run(args: &ApplyArgs, p: &Prepared) -> u8 {
    let zone = p.zone.to_string();
    if args.json {
        let batches: Vec<Value> = p
            .batches
            .iter()
            .enumerate()
            .map(|(i, b)| {
                json!({"message": i + 1, "lines": bulk::line_ranges(lines_of(p, b)),
                       "changes": b.items.len(), "prerequisites": b.prerequisites.len(),
                       "bytes": b.bytes})
            })
            .collect();
        println!(
            "{}",
            json!({"status": "dry-run", "exit_code": exit::OK, "action": "apply", "zone": zone,
                   "atomic": false, "changes": p.items.len(), "messages": p.batches.len(),
                   "servers": p.servers.iter().map(ToString::to_string).collect::<Vec<_>>(),
                   "batches": batches})
        );
    } else {
        let mut out = format!(
            "{zone}: {} changes would be sent as {} UPDATE messages (not atomic) to {}\n",
            p.items.len(),
            p.batches.len(),
            p.servers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (i, b) in p.batches.iter().enumerate() {
            let _ = writeln!(
                out,
                "message {}: lines {} ({} changes{}, {} bytes unsigned)",
                i + 1,
                bulk::line_ranges(lines_of(p, b)),
                b.items.len(),
                match b.prerequisites.len() {
                    0 => String::new(),
                    n => format!(", {n} prerequisites"),
                },
                b.bytes
            );
        }
        print!("{out}");
    }
    exit::OK
}

/// The exit code of a batch that was not applied (`OK` for one that was). Batches not sent
/// because an answer stopped the run share that answer's code.
fn failure_code(run: &Run, index: usize) -> u8 {
    let result = &run.results[index];
    match (&result.status, result.outcome.as_ref()) {
        (BatchStatus::Applied, _) => exit::OK,
        (BatchStatus::Rejected, Some(o)) => exit::for_outcome(o),
        (BatchStatus::Invalid(_), _) => exit::USAGE,
        (BatchStatus::NotSent(_), _) => match run.stopped_by {
            Some(j) if j != index => failure_code(run, j),
            _ => exit::NETWORK,
        },
        _ => exit::NETWORK,
    }
}

fn phase(code: u8) -> &'static str {
    match code {
        exit::USAGE => "input",
        exit::TSIG => "tsig",
        exit::NETWORK => "network",
        exit::PREREQUISITE => "prerequisite",
        _ => "server",
    }
}

/// What the server said, in a few words.
fn answer_text(o: &Outcome) -> String {
    let rcode = o.rcode_name();
    let why = match o.tsig_error {
        Some(TsigRcode::BadTime) => match o.clock_skew() {
            Some(skew) => format!(
                "(BADTIME): its clock is {} s {} ours; fix the clock",
                skew.unsigned_abs(),
                if skew >= 0 { "ahead of" } else { "behind" }
            ),
            None => "(BADTIME): the clocks differ".into(),
        },
        Some(TsigRcode::BadKey) => {
            "(BADKEY): the server does not know this key name or algorithm".into()
        }
        Some(TsigRcode::BadSig) => "(BADSIG): the secret does not match the server's".into(),
        Some(other) => format!("({other})"),
        None => String::new(),
    };
    let hint = match rcode.as_str() {
        "YXRRSET" | "NXRRSET" | "YXDOMAIN" | "NXDOMAIN" if o.sends > 1 => {
            "; the message was written more than once: an earlier copy whose answer was lost \
             may have been applied, check the zone"
        }
        _ => "",
    };
    format!("{} answered {rcode}{why}{hint}", o.server)
}

/// One batch that was not applied, for the human report.
struct Failed {
    index: usize,
    code: u8,
    detail: String,
    lines: Vec<usize>,
}

/// One line per run of consecutive failed batches with the same code and detail.
fn human_failures(failed: &[Failed], total: usize) -> String {
    let mut out = String::new();
    let mut groups: Vec<Vec<&Failed>> = Vec::new();
    for f in failed {
        match groups.last_mut() {
            Some(g)
                if g.last().is_some_and(|last| {
                    last.index + 1 == f.index && last.code == f.code && last.detail == f.detail
                }) =>
            {
                g.push(f);
            }
            _ => groups.push(vec![f]),
        }
    }
    for (n, g) in groups.iter().enumerate() {
        if n == 20 {
            let rest: usize = groups[n..].iter().map(Vec::len).sum();
            let _ = writeln!(
                out,
                "... and {rest} more messages not applied (see --json or --rejected)"
            );
            break;
        }
        let (first, last) = (g[0], g[g.len() - 1]);
        let which = if g.len() == 1 {
            format!("message {} of {total}", first.index + 1)
        } else {
            format!("messages {}-{} of {total}", first.index + 1, last.index + 1)
        };
        let lines: Vec<usize> = g.iter().flat_map(|f| f.lines.iter().copied()).collect();
        let _ = writeln!(
            out,
            "error [{}]: {which} (lines {}, {} changes): {}",
            phase(first.code),
            bulk::line_ranges(lines.iter().copied()),
            lines.len(),
            first.detail
        );
    }
    out
}

/// Print what happened; returns the exit code.
fn report(args: &ApplyArgs, p: &Prepared, run: &Run) -> u8 {
    let zone = p.zone.to_string();
    let total = p.batches.len();
    let mut applied = 0usize;
    let mut not_applied: Vec<usize> = Vec::new();
    let mut unknown: Vec<usize> = Vec::new();
    let mut code = exit::OK;
    let mut failed = Vec::new();
    let mut batches_json = Vec::new();
    let mut rejected_text = String::new();
    let input_lines: Vec<&str> = p.text.lines().collect();
    for (i, (batch, result)) in p.batches.iter().zip(&run.results).enumerate() {
        let lines = lines_of(p, batch);
        let ranges = bulk::line_ranges(lines.iter().copied());
        let outcome = result.outcome.as_ref();
        let this = failure_code(run, i);
        let detail = match &result.status {
            BatchStatus::Applied => String::new(),
            BatchStatus::Rejected => match outcome {
                Some(o) => format!("{}: not applied", answer_text(o)),
                None => "rejected: not applied".into(),
            },
            BatchStatus::Unknown(why) => {
                format!("no answer ({why}): it may or may not have been applied")
            }
            BatchStatus::NotSent(why) => format!("not sent: {why}"),
            BatchStatus::Invalid(why) => format!("not sent: {why}"),
        };
        match &result.status {
            BatchStatus::Applied => applied += lines.len(),
            BatchStatus::Unknown(_) => unknown.extend(&lines),
            _ => not_applied.extend(&lines),
        }
        if this != exit::OK {
            if code == exit::OK {
                code = this;
            }
            let _ = writeln!(rejected_text, "; message {} of {total}: {detail}", i + 1);
            for &l in &lines {
                if let Some(text) = input_lines.get(l - 1) {
                    rejected_text.push_str(text);
                    rejected_text.push('\n');
                }
            }
        }
        batches_json.push(json!({
            "message": i + 1,
            "lines": ranges,
            "changes": lines.len(),
            "bytes": result.bytes,
            "status": result.status.word(),
            "rcode": outcome.map(Outcome::rcode_name),
            "tsig_error": outcome.and_then(|o| o.tsig_error.map(|t| t.to_string())),
            "sends": result.sends,
            "error": if detail.is_empty() { None } else { Some(detail.clone()) },
        }));
        if this != exit::OK {
            failed.push(Failed {
                index: i,
                code: this,
                detail,
                lines,
            });
        }
    }
    not_applied.sort_unstable();
    unknown.sort_unstable();
    let mut rejected_error = None;
    if let Some(path) = &args.rejected
        && let Err(e) = std::fs::write(path, &rejected_text)
    {
        rejected_error = Some(format!("writing {}: {e}", path.display()));
    }
    let seconds = run.elapsed.as_secs_f64();
    let server = run.server.map(|s| s.to_string());
    let status = if code == exit::OK {
        "ok"
    } else if applied > 0 {
        "partial"
    } else {
        "failed"
    };
    if args.json {
        println!(
            "{}",
            json!({
                "status": status,
                "exit_code": code,
                "action": "apply",
                "zone": zone,
                "atomic": false,
                "server": server,
                "transport": "tcp",
                "changes": p.items.len(),
                "applied": applied,
                "not_applied": not_applied.len(),
                "unknown": unknown.len(),
                "not_applied_lines": bulk::line_ranges(not_applied.iter().copied()),
                "unknown_lines": bulk::line_ranges(unknown.iter().copied()),
                "messages": total,
                "connections": run.connections,
                "seconds": (seconds * 1000.0).round() / 1000.0,
                "rejected_file_error": rejected_error,
                "batches": batches_json,
            })
        );
    } else {
        eprint!("{}", human_failures(&failed, total));
        let by = server.map(|s| format!(" by {s}")).unwrap_or_default();
        if code == exit::OK {
            eprintln!(
                "{zone}: apply: {applied} changes applied{by} in {total} UPDATE messages \
                 ({seconds:.2} s)"
            );
        } else {
            let mut line = format!(
                "{zone}: apply: {applied} of {} changes applied{by}; {} not applied",
                p.items.len(),
                not_applied.len()
            );
            if !not_applied.is_empty() {
                let _ = write!(
                    line,
                    " (lines {})",
                    bulk::line_ranges(not_applied.iter().copied())
                );
            }
            if !unknown.is_empty() {
                let _ = write!(
                    line,
                    "; {} unknown (lines {})",
                    unknown.len(),
                    bulk::line_ranges(unknown.iter().copied())
                );
            }
            if applied > 0 {
                line.push_str(". Not atomic: the messages applied stay applied");
            }
            eprintln!("{line}.");
        }
        if let Some(e) = &rejected_error {
            eprintln!("error [output]: {e}");
        }
    }
    code
}
