//! `dnsup apply FILE`: many changes to one zone, split into several UPDATE messages pipelined
//! over one TCP connection. Not atomic; the report says which lines were not applied.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Seek as _, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use hickory_proto::rr::Name;
use serde_json::{Value, json};

use super::exit;
use super::report::Report;
use crate::bulk::{self, Batch, BatchResult, BatchStatus, Item, Limits, Run};
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

Memory: the input is read twice (every line is checked before anything is sent, then sent in
chunks of 20,000 changes), so memory does not grow with the file; standard input and pipes are
first copied to an unnamed temporary file in $TMPDIR (at most 4 GiB, and never leaving less
than 256 MiB or 5 % of that file system free). With --if-absent every line of one RRset must go in
one message, so the whole input is held.

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
            crate::errln!("error [runtime]: {e}");
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

/// Changes sent per chunk: each chunk is planned and pipelined, then dropped, so memory is
/// bounded by this and the window, not by the input.
const CHUNK: usize = 20_000;

/// The longest input line (as for nsupdate scripts).
const MAX_LINE: u64 = 128 * 1024;

/// The next line into `buf` (without its line break); `Ok(false)` at the end. A NUL byte or a
/// line over [`MAX_LINE`] is an error: such input is not a change list (e.g. /dev/zero).
fn next_line(
    reader: &mut (impl BufRead + ?Sized),
    buf: &mut Vec<u8>,
    line: usize,
) -> Result<bool, String> {
    buf.clear();
    let n = std::io::Read::take(&mut *reader, MAX_LINE + 1)
        .read_until(b'\n', buf)
        .map_err(|e| format!("reading line {line}: {e}"))?;
    if n == 0 {
        return Ok(false);
    }
    if buf.contains(&0) {
        return Err(format!(
            "line {line}: a NUL byte: the input is not a list of changes"
        ));
    }
    if buf.len() as u64 > MAX_LINE {
        return Err(format!("line {line}: longer than {} KiB", MAX_LINE >> 10));
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(true)
}

/// The input as a file that can be read twice: a regular file as it is; standard input, a
/// pipe or a device copied line by line (so bounded per line) to an unnamed temporary file.
fn open_input(file: &Path) -> Result<std::fs::File, String> {
    let spool_from = |reader: &mut dyn BufRead| -> Result<std::fs::File, String> {
        let dir = crate::environment::var_os("TMPDIR").unwrap_or_else(|| "/tmp".into());
        let mut spool = tempfile_in(Path::new(&dir))
            .map_err(|e| format!("cannot make a temporary file in {}: {e}", dir.display()))?;
        let mut out = std::io::BufWriter::new(&mut spool);
        let mut buf = Vec::new();
        let mut line = 1;
        let (mut written, mut checked) = (0u64, 0u64);
        while next_line(reader, &mut buf, line)? {
            buf.push(b'\n');
            out.write_all(&buf)
                .map_err(|e| format!("writing the temporary copy of the input: {e}"))?;
            written += buf.len() as u64;
            if written - checked >= SPOOL_CHECK {
                checked = written;
                spool_room(out.get_ref(), written, line, Path::new(&dir))?;
            }
            line += 1;
        }
        out.flush()
            .map_err(|e| format!("writing the temporary copy of the input: {e}"))?;
        drop(out);
        spool.rewind().map_err(|e| e.to_string())?;
        Ok(spool)
    };
    if file.as_os_str() == "-" {
        return spool_from(&mut std::io::stdin().lock());
    }
    let meta = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if meta.is_dir() {
        return Err(format!(
            "{}: is a directory, not a file of changes",
            file.display()
        ));
    }
    let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if meta.is_file() {
        Ok(f)
    } else {
        spool_from(&mut BufReader::new(f))
    }
}

/// The temporary copy of standard input checks its room every this many bytes.
const SPOOL_CHECK: u64 = 1 << 20;
/// The largest temporary copy of standard input (about 60 million changes).
const MAX_SPOOL: u64 = 4 << 30;
/// The temporary copy stops before the file system has less than this left free...
const MIN_FREE: u64 = 256 << 20;
/// ... or less than this share of its size (in percent).
const MIN_FREE_PERCENT: u64 = 5;

/// Whether the temporary copy of an endless or huge input may grow on: it never fills the
/// file system it is on (`yes | dnsup apply -` must not fill /tmp for everyone).
fn spool_room(spool: &std::fs::File, written: u64, line: usize, dir: &Path) -> Result<(), String> {
    use std::os::fd::AsRawFd as _;
    let hint = "give the changes as a regular file, or set TMPDIR to a larger file system";
    if written > MAX_SPOOL {
        return Err(format!(
            "line {line}: standard input is larger than {} GiB; {hint}",
            MAX_SPOOL >> 30
        ));
    }
    let mut st = std::mem::MaybeUninit::<nix::libc::statvfs>::uninit();
    // SAFETY: fstatvfs fills the struct for an open descriptor of ours, or fails.
    #[allow(unsafe_code)]
    let st = unsafe {
        if nix::libc::fstatvfs(spool.as_raw_fd(), st.as_mut_ptr()) != 0 {
            return Ok(());
        }
        st.assume_init()
    };
    let unit = st.f_frsize as u64;
    let total = (st.f_blocks as u64).saturating_mul(unit);
    let free = (st.f_bavail as u64).saturating_mul(unit);
    let keep = MIN_FREE.max(total / 100 * MIN_FREE_PERCENT);
    if free < keep {
        return Err(format!(
            "line {line}: the temporary copy of standard input ({} MiB so far) would leave less than {} MiB free in {}; {hint}",
            written >> 20,
            keep >> 20,
            dir.display()
        ));
    }
    Ok(())
}

/// An unnamed file in `dir`, readable and writable by us only, gone when closed.
fn tempfile_in(dir: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let unnamed = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .mode(0o600)
        .custom_flags(nix::libc::O_TMPFILE)
        .open(dir);
    if let Ok(f) = unnamed {
        return Ok(f);
    }
    // File systems without O_TMPFILE: a fresh name, removed at once.
    let path = dir.join(format!(
        "dnsup-apply-{}-{}",
        std::process::id(),
        crate::client::random_id()
    ));
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(f)
}

/// Read the changes of `file` from the start, one at a time, with each raw line.
struct Changes<'a> {
    reader: BufReader<&'a std::fs::File>,
    ctx: crate::script::ParseContext,
    line: usize,
    buf: Vec<u8>,
}

impl<'a> Changes<'a> {
    fn new(file: &'a mut std::fs::File, origin: &Name, ttl: Option<u32>) -> Result<Self, String> {
        file.rewind()
            .map_err(|e| format!("reading the input again: {e}"))?;
        Ok(Changes {
            reader: BufReader::with_capacity(64 * 1024, &*file),
            ctx: bulk::input::context(origin, ttl),
            line: 0,
            buf: Vec::new(),
        })
    }

    /// The next change and its raw text; `None` at the end.
    fn next(&mut self) -> Result<Option<(Item, String)>, String> {
        loop {
            self.line += 1;
            if !next_line(&mut self.reader, &mut self.buf, self.line)? {
                return Ok(None);
            }
            let raw = String::from_utf8_lossy(&self.buf);
            if let Some(item) =
                bulk::input::parse_one(&self.ctx, &raw, self.line).map_err(|e| e.to_string())?
            {
                return Ok(Some((item, raw.into_owned())));
            }
        }
    }
}

fn absolute(name: &str) -> Result<Name, String> {
    let mut n = Name::from_ascii(name).map_err(|e| format!("zone '{name}': {e}"))?;
    n.set_fqdn(true);
    Ok(n)
}

/// Everything needed to send, after every line was checked.
struct Prepared {
    input: std::fs::File,
    origin: Name,
    changes: usize,
    zone: Name,
    key: Option<Key>,
    servers: Vec<SocketAddr>,
    limits: Limits,
    /// `--tls`: the pipelined messages (and discovery) go over DNS over TLS.
    tls: Option<std::sync::Arc<crate::transport::tls::Tls>>,
}

async fn prepare(args: &ApplyArgs) -> Result<Option<Prepared>, Early> {
    if args.dest.provider.is_some() {
        return Err(
            "dnsup apply sends RFC 2136 UPDATE messages: --provider is for set, add and delete"
                .to_string()
                .into(),
        );
    }
    if args.dest.tls.https.is_some() {
        return Err(
            "dnsup apply pipelines over TCP or TLS: --https is for set, add and delete (use --tls)"
                .to_string()
                .into(),
        );
    }
    let mut input = open_input(&args.file)?;
    let given = args.dest.zone.as_deref().map(absolute).transpose()?;
    let origin = given.clone().unwrap_or_else(Name::root);
    // The first change decides the zone (when not given).
    let first = match Changes::new(&mut input, &origin, args.ttl)?.next()? {
        Some((item, _)) => item,
        None => return Ok(None),
    };
    let key = args.dest.load_key()?;
    let tls = args.dest.tls.build(&args.dest.servers)?;
    let config = transport::Config {
        timeout: Duration::from_secs(args.timeout),
        local: args.local.map(|ip| SocketAddr::new(ip, 0)),
        tls: tls.clone(),
        ..transport::Config::default()
    };
    let servers = args.dest.resolve_servers().await?;
    let signer = key.as_ref().map(Signer::new);
    let (zone, servers) = discover::locate(
        given,
        servers,
        first.change.name(),
        signer,
        args.dest.port(),
        &config,
    )
    .await
    .map_err(|e| Early(exit::ZONE, e.to_string()))?;
    // Every line is checked before anything is sent.
    let mut changes = 0;
    let mut any_cname = false;
    let mut all = Changes::new(&mut input, &origin, args.ttl)?;
    while let Some((item, _)) = all.next()? {
        bulk::batch::check_item(&zone, &item).map_err(|e| e.to_string())?;
        if args.if_absent && !matches!(item.change, crate::update::Change::Add { .. }) {
            return Err(format!(
                "line {}: --if-absent applies to adds only: this line deletes",
                item.line
            )
            .into());
        }
        any_cname |= bulk::batch::adds_cname(&item);
        changes += 1;
    }
    if any_cname {
        let mut check = bulk::batch::CnameCheck::default();
        let mut all = Changes::new(&mut input, &origin, args.ttl)?;
        while let Some((item, _)) = all.next()? {
            check.add(&item).map_err(|e| e.to_string())?;
        }
    }
    let limits = Limits {
        max_records: args.batch_size.map(|n| n as usize),
        tsig_bytes: key.as_ref().map_or(0, bulk::tsig_bytes),
        ..Limits::default()
    };
    Ok(Some(Prepared {
        input,
        origin,
        changes,
        zone,
        key,
        servers,
        limits,
        tls,
    }))
}

/// Line numbers as sorted, merged ranges: a million failed lines in a row are one range.
#[derive(Default, Clone)]
struct Lines(Vec<(usize, usize)>);

impl Lines {
    fn push(&mut self, l: usize) {
        match self.0.last_mut() {
            Some((_, b)) if l == *b + 1 => *b = l,
            _ => self.0.push((l, l)),
        }
    }
    fn extend(&mut self, other: &Lines) {
        for &(a, b) in &other.0 {
            for l in a..=b {
                self.push(l);
            }
        }
    }
    fn count(&self) -> usize {
        self.0.iter().map(|(a, b)| b - a + 1).sum()
    }
    fn ranges(&self) -> String {
        let mut out = String::new();
        for &(a, b) in &self.0 {
            if !out.is_empty() {
                out.push(',');
            }
            if a == b {
                let _ = write!(out, "{a}");
            } else {
                let _ = write!(out, "{a}-{b}");
            }
        }
        out
    }
}

/// One batch that was not applied, for the human report.
struct Failed {
    index: usize,
    code: u8,
    detail: String,
    lines: Lines,
}

/// What the chunks did, added up.
#[derive(Default)]
struct Tally {
    messages: usize,
    applied: usize,
    not_applied: Lines,
    unknown: Lines,
    code: u8,
    failed: Vec<Failed>,
    batches_json: Vec<Value>,
    /// The message whose answer stopped the run (every other would get it), and its code.
    stopped: Option<(usize, u8)>,
    server: Option<SocketAddr>,
    connections: u32,
    elapsed: Duration,
    rejected_error: Option<String>,
}

async fn apply(args: &ApplyArgs) -> u8 {
    let early = Report {
        zone: args.dest.zone.clone().unwrap_or_default(),
        action: "apply",
        json: args.json,
        changes: Vec::new(),
    };
    let mut p = match prepare(args).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            if args.json {
                crate::outln!(
                    "{}",
                    json!({"status": "ok", "exit_code": exit::OK, "action": "apply",
                           "zone": early.zone, "changes": 0, "applied": 0, "messages": 0})
                );
            } else {
                crate::errln!("apply: no changes in the input; nothing sent");
            }
            return exit::OK;
        }
        Err(Early(code, message)) => return early.failure(code, &message),
    };
    let mut options = bulk::Options::new(p.key.as_ref());
    options.pipeline = pipeline::Settings {
        window: args.window as usize,
        timeout: Duration::from_secs(args.timeout),
        local: args.local.map(|ip| SocketAddr::new(ip, 0)),
        tls: p.tls.clone(),
        ..pipeline::Settings::default()
    };
    let mut rejected = match &args.rejected {
        None => None,
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Some(std::io::BufWriter::new(f)),
            Err(e) => {
                return early.failure(exit::USAGE, &format!("{}: {e}", path.display()));
            }
        },
    };
    let mut tally = Tally::default();
    let mut dry = String::new();
    let chunk_size = if args.if_absent { usize::MAX } else { CHUNK };
    let (origin, zone, limits) = (p.origin.clone(), p.zone.clone(), p.limits);
    let mut changes = match Changes::new(&mut p.input, &origin, args.ttl) {
        Ok(c) => c,
        Err(e) => return early.failure(exit::USAGE, &e),
    };
    let started = tokio::time::Instant::now();
    loop {
        let mut items = Vec::new();
        let mut raws = Vec::new();
        while items.len() < chunk_size {
            match changes.next() {
                Ok(Some((item, raw))) => {
                    items.push(item);
                    raws.push(raw);
                }
                Ok(None) => break,
                Err(e) => return early.failure(exit::USAGE, &e),
            }
        }
        if items.is_empty() {
            break;
        }
        let batches = match bulk::plan(&zone, &items, &limits, args.if_absent) {
            Ok(b) => b,
            Err(e) => return early.failure(exit::USAGE, &e.to_string()),
        };
        if args.dry_run {
            dry_run_chunk(args, &items, &batches, &mut tally, &mut dry);
            continue;
        }
        let run = if tally.stopped.is_some() {
            None
        } else {
            Some(bulk::apply(&batches, &p.servers, &options).await)
        };
        let ctx = Chunk {
            items: &items,
            raws: &raws,
            batches: &batches,
        };
        ctx.add_to(&mut tally, run.as_ref(), &mut rejected);
    }
    tally.elapsed = started.elapsed();
    if let (Some(w), Some(path)) = (rejected.as_mut(), &args.rejected)
        && let Err(e) = w.flush()
    {
        tally.rejected_error = Some(format!("writing {}: {e}", path.display()));
    }
    if args.dry_run {
        return dry_run_report(args, &p, &tally, &dry);
    }
    report(args, &p, &tally)
}

fn lines_of(items: &[Item], batch: &Batch) -> Lines {
    let mut lines = Lines::default();
    for &i in &batch.items {
        lines.push(items[i].line);
    }
    lines
}

fn dry_run_chunk(
    args: &ApplyArgs,
    items: &[Item],
    batches: &[Batch],
    tally: &mut Tally,
    out: &mut String,
) {
    for b in batches {
        tally.messages += 1;
        let lines = lines_of(items, b);
        if args.json {
            tally
                .batches_json
                .push(json!({"message": tally.messages, "lines": lines.ranges(),
                   "changes": b.items.len(), "prerequisites": b.prerequisites.len(),
                   "bytes": b.bytes}));
        } else {
            let _ = writeln!(
                out,
                "message {}: lines {} ({} changes{}, {} bytes unsigned)",
                tally.messages,
                lines.ranges(),
                b.items.len(),
                match b.prerequisites.len() {
                    0 => String::new(),
                    n => format!(", {n} prerequisites"),
                },
                b.bytes
            );
        }
    }
}

fn dry_run_report(args: &ApplyArgs, p: &Prepared, tally: &Tally, text: &str) -> u8 {
    let zone = p.zone.to_string();
    let servers: Vec<String> = p.servers.iter().map(ToString::to_string).collect();
    if args.json {
        crate::outln!(
            "{}",
            json!({"status": "dry-run", "exit_code": exit::OK, "action": "apply", "zone": zone,
                   "atomic": false, "changes": p.changes, "messages": tally.messages,
                   "servers": servers, "batches": tally.batches_json})
        );
    } else {
        crate::out!(
            "{zone}: {} changes would be sent as {} UPDATE messages (not atomic) to {}\n{text}",
            p.changes,
            tally.messages,
            servers.join(", ")
        );
    }
    exit::OK
}

/// One chunk's batches and what became of them.
struct Chunk<'a> {
    items: &'a [Item],
    raws: &'a [String],
    batches: &'a [Batch],
}

impl Chunk<'_> {
    /// Add this chunk's outcome to `tally`; `run` is `None` when an earlier chunk's answer
    /// stopped the run (then nothing of this chunk was sent). Lines not applied go to
    /// `rejected` as they are found.
    fn add_to(
        &self,
        tally: &mut Tally,
        run: Option<&Run>,
        rejected: &mut Option<std::io::BufWriter<std::fs::File>>,
    ) {
        let first = tally.messages;
        if let Some(run) = run {
            tally.server = run.server.or(tally.server);
            tally.connections += run.connections;
        }
        for (i, batch) in self.batches.iter().enumerate() {
            let index = first + i;
            tally.messages += 1;
            let lines = lines_of(self.items, batch);
            let (status, outcome, this, sends, bytes) = match run {
                Some(run) => {
                    let r: &BatchResult = &run.results[i];
                    (
                        r.status.clone(),
                        r.outcome.as_ref(),
                        failure_code(run, i),
                        r.sends,
                        r.bytes,
                    )
                }
                None => {
                    let (j, code) = tally.stopped.unwrap_or((0, exit::NETWORK));
                    (
                        BatchStatus::NotSent(format!(
                            "message {} was answered with an error every message would get",
                            j + 1
                        )),
                        None,
                        code,
                        0,
                        0,
                    )
                }
            };
            let detail = match &status {
                BatchStatus::Applied => String::new(),
                BatchStatus::Rejected => match outcome {
                    Some(o) => format!("{}: not applied", answer_text(o)),
                    None => "rejected: not applied".into(),
                },
                BatchStatus::Unknown(why) => {
                    format!("no answer ({why}): it may or may not have been applied")
                }
                BatchStatus::NotSent(why) | BatchStatus::Invalid(why) => {
                    format!("not sent: {why}")
                }
            };
            match &status {
                BatchStatus::Applied => tally.applied += lines.count(),
                BatchStatus::Unknown(_) => tally.unknown.extend(&lines),
                _ => tally.not_applied.extend(&lines),
            }
            if this != exit::OK {
                if tally.code == exit::OK {
                    tally.code = this;
                }
                if let Some(w) = rejected.as_mut() {
                    let _ = writeln!(w, "; message {}: {detail}", index + 1);
                    for &item in &batch.items {
                        let _ = writeln!(w, "{}", self.raws[item]);
                    }
                }
            }
            tally.batches_json.push(json!({
                "message": index + 1,
                "lines": lines.ranges(),
                "changes": batch.items.len(),
                "bytes": bytes,
                "status": status.word(),
                "rcode": outcome.map(Outcome::rcode_name),
                "tsig_error": outcome.and_then(|o| o.tsig_error.map(|t| t.to_string())),
                "sends": sends,
                "error": if detail.is_empty() { None } else { Some(detail.clone()) },
            }));
            if this != exit::OK {
                tally.failed.push(Failed {
                    index,
                    code: this,
                    detail,
                    lines,
                });
            }
        }
        if let Some(run) = run
            && tally.stopped.is_none()
            && let Some(j) = run.stopped_by
        {
            tally.stopped = Some((first + j, failure_code(run, j)));
        }
    }
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
        let mut lines = Lines::default();
        for f in g {
            lines.extend(&f.lines);
        }
        let _ = writeln!(
            out,
            "error [{}]: {which} (lines {}, {} changes): {}",
            phase(first.code),
            lines.ranges(),
            lines.count(),
            first.detail
        );
    }
    out
}

/// Print what happened; returns the exit code.
fn report(args: &ApplyArgs, p: &Prepared, t: &Tally) -> u8 {
    let zone = p.zone.to_string();
    let total = t.messages;
    let code = t.code;
    let seconds = t.elapsed.as_secs_f64();
    let server = t.server.map(|s| s.to_string());
    let status = if code == exit::OK {
        "ok"
    } else if t.applied > 0 {
        "partial"
    } else {
        "failed"
    };
    if args.json {
        crate::outln!(
            "{}",
            json!({
                "status": status,
                "exit_code": code,
                "action": "apply",
                "zone": zone,
                "atomic": false,
                "server": server,
                "transport": "tcp",
                "changes": p.changes,
                "applied": t.applied,
                "not_applied": t.not_applied.count(),
                "unknown": t.unknown.count(),
                "not_applied_lines": t.not_applied.ranges(),
                "unknown_lines": t.unknown.ranges(),
                "messages": total,
                "connections": t.connections,
                "seconds": (seconds * 1000.0).round() / 1000.0,
                "rejected_file_error": t.rejected_error,
                "batches": t.batches_json,
            })
        );
    } else {
        crate::errout!("{}", human_failures(&t.failed, total));
        let by = server.map(|s| format!(" by {s}")).unwrap_or_default();
        if code == exit::OK {
            crate::errln!(
                "{zone}: apply: {} changes applied{by} in {total} UPDATE messages \
                 ({seconds:.2} s)",
                t.applied
            );
        } else {
            let mut line = format!(
                "{zone}: apply: {} of {} changes applied{by}; {} not applied",
                t.applied,
                p.changes,
                t.not_applied.count()
            );
            if t.not_applied.count() > 0 {
                let _ = write!(line, " (lines {})", t.not_applied.ranges());
            }
            if t.unknown.count() > 0 {
                let _ = write!(
                    line,
                    "; {} unknown (lines {})",
                    t.unknown.count(),
                    t.unknown.ranges()
                );
            }
            if t.applied > 0 {
                line.push_str(". Not atomic: the messages applied stay applied");
            }
            crate::errln!("{line}.");
        }
        if let Some(e) = &t.rejected_error {
            crate::errln!("error [output]: {e}");
        }
    }
    code
}
