//! Process plumbing shared by the server wrappers: finding binaries, picking ports, starting a
//! server and waiting until it answers, running client tools with a watchdog.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU16, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Finds `binary` in PATH, /usr/sbin or /usr/bin. Panics (never skips) if it is not installed.
pub fn require(binary: &str, package: &str) -> PathBuf {
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path_var).collect();
    dirs.push("/usr/sbin".into());
    dirs.push("/usr/bin".into());
    for dir in dirs {
        let candidate = dir.join(binary);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "`{binary}` not found: apt-get install {package} (or run scripts/test, which installs it)"
    );
}

/// Ports handed to servers of this test process that are still running.
static PORTS_IN_USE: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// A loopback port reserved for one server of this process; released on drop.
#[derive(Debug)]
pub struct PortLease(u16);

impl PortLease {
    pub fn port(&self) -> u16 {
        self.0
    }
}

impl Drop for PortLease {
    fn drop(&mut self) {
        lock_ports().remove(&self.0);
    }
}

fn lock_ports() -> std::sync::MutexGuard<'static, BTreeSet<u16>> {
    // A test that panicked while holding the lock leaves valid data behind.
    PORTS_IN_USE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A port that is free on 127.0.0.1 for both TCP and UDP right now and not leased to another
/// server of this process. The sockets are closed again, so another process can still take the
/// port before the server binds it: the caller must detect a failed bind and try again.
///
/// The port is taken from below the kernel's ephemeral range, never from it: named, knotd and
/// dig all set SO_REUSEPORT on their UDP sockets, and the kernel may then hand a client (dig) the
/// server's own port as its ephemeral source port; the query goes to the client's own socket and
/// dig reports "query response not set". Outside the ephemeral range no client is given the port.
pub fn free_port() -> PortLease {
    let (low, high) = server_port_range();
    let span = u32::from(high - low) + 1;
    let mut seed = std::process::id()
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
    for _ in 0..1000 {
        // xorshift: enough to spread concurrent test processes over the range.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let port = low + u16::try_from(seed % span).unwrap_or(0);
        let Ok(_tcp) = TcpListener::bind((Ipv4Addr::LOCALHOST, port)) else {
            continue;
        };
        if UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_err() {
            continue;
        }
        if lock_ports().insert(port) {
            return PortLease(port);
        }
    }
    panic!("could not find a free port on 127.0.0.1 in {low}..={high}");
}

/// Ports for test servers: from 10000 up to just below the ephemeral range
/// (/proc/sys/net/ipv4/ip_local_port_range), or above it when it starts too low.
fn server_port_range() -> (u16, u16) {
    let range = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let mut bounds = range
        .split_whitespace()
        .filter_map(|v| v.parse::<u16>().ok());
    let (first, last) = (
        bounds.next().unwrap_or(32768),
        bounds.next().unwrap_or(60999),
    );
    if first > 12000 {
        (10000, first - 1)
    } else if last < 63000 {
        (last + 1, 65535)
    } else {
        panic!(
            "the ephemeral port range {first}-{last} leaves no room for test servers: \
             narrow /proc/sys/net/ipv4/ip_local_port_range"
        );
    }
}

/// Why a server did not come up.
#[derive(Debug)]
pub enum StartError {
    /// Someone else had the port: try again with another one.
    PortInUse,
    /// Anything else: the message says what, the log says why.
    Failed(String),
}

/// What `wait_ready` looks for.
pub struct Readiness<'a> {
    /// True for the log line that says the server finished starting.
    pub started_line: fn(&str) -> bool,
    /// Every one of these zones must answer an authoritative SOA query.
    pub zones: &'a [String],
    pub timeout: Duration,
}

/// Starts `cmd` with stdout and stderr going to `log`.
pub fn spawn_logged(cmd: &mut Command, log: &Path) -> Child {
    let file = File::create(log).unwrap_or_else(|e| panic!("creating {}: {e}", log.display()));
    let err = file.try_clone().expect("cloning log file handle");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(err));
    spawn_started(cmd)
}

/// How long a forked child may take to exec before [`spawn_started`] starts it again.
const EXEC_WAIT: Duration = Duration::from_secs(20);
const SPAWN_ATTEMPTS: u32 = 4;

/// Spawns `cmd` and returns once the child has exec'd (or already exited).
///
/// On a native machine `spawn` itself returns after the exec. Under qemu-user (scripts/cross
/// --test) this test process is emulated, and qemu emulates the fork by forking the whole
/// emulator: a fork taken while another thread of a busy test process holds one of qemu's
/// internal locks never gets to its exec (an armv7 run saw a `dig` fork wait more than 330 s).
/// The fork has run none of the program, so killing it and spawning again is safe; a child
/// counts as started once its /proc/PID/cmdline names the program (the fork still shows this
/// test's command line).
pub fn spawn_started(cmd: &mut Command) -> Child {
    let program = cmd.get_program().as_encoded_bytes().to_vec();
    for attempt in 1..=SPAWN_ATTEMPTS {
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting {cmd:?}: {e}"));
        let deadline = Instant::now() + EXEC_WAIT;
        while Instant::now() < deadline {
            if has_exec(&mut child, &program) {
                return child;
            }
            thread::sleep(Duration::from_millis(5));
        }
        eprintln!(
            "test harness: the fork for {cmd:?} did not exec within {EXEC_WAIT:?} \
             (attempt {attempt} of {SPAWN_ATTEMPTS}); killed, starting it again"
        );
        kill(&mut child);
    }
    panic!("{cmd:?}: {SPAWN_ATTEMPTS} forks never got to exec the program");
}

fn has_exec(child: &mut Child, program: &[u8]) -> bool {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return true;
    }
    match fs::read(format!("/proc/{}/cmdline", child.id())) {
        Ok(cmdline) => cmdline.split(|b| *b == 0).any(|arg| arg == program),
        // Gone already: it ran.
        Err(_) => true,
    }
}

/// Waits until the server started by `child` logged that it is running and answers an SOA query
/// for each zone on `addr`.
pub fn wait_ready(
    child: &mut Child,
    log: &Path,
    addr: SocketAddr,
    ready: &Readiness<'_>,
) -> Result<(), StartError> {
    let deadline = Instant::now() + ready.timeout;
    let mut pending: Vec<&str> = ready.zones.iter().map(String::as_str).collect();
    loop {
        let text = read_log(log);
        if port_in_use(&text) {
            return Err(StartError::PortInUse);
        }
        if let Some(status) = child.try_wait().expect("polling server process") {
            let text = read_log(log);
            return Err(if port_in_use(&text) {
                StartError::PortInUse
            } else {
                StartError::Failed(format!("server exited during start-up ({status})"))
            });
        }
        let started = text.lines().any(|l| (ready.started_line)(l.trim_end()));
        if started {
            pending.retain(|zone| !soa_answers(addr, zone));
            if pending.is_empty() {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            return Err(StartError::Failed(format!(
                "not ready after {:?} (started: {started}; zones not answering SOA: {pending:?})",
                ready.timeout
            )));
        }
        thread::sleep(Duration::from_millis(10));
    }
}

fn port_in_use(log: &str) -> bool {
    let log = log.to_ascii_lowercase();
    log.contains("address in use") || log.contains("address already in use")
}

/// The log file's contents so far (lossy UTF-8; empty if it cannot be read).
pub fn read_log(log: &Path) -> String {
    fs::read(log)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// Kills and reaps a server process (used by the `Drop` impls).
pub fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

static QUERY_ID: AtomicU16 = AtomicU16::new(0x5eed);

/// One raw UDP query for `zone`/SOA (RD=0): true if the answer is authoritative NOERROR with an answer.
pub fn soa_answers(addr: SocketAddr, zone: &str) -> bool {
    let id = QUERY_ID.fetch_add(1, Ordering::Relaxed);
    let mut msg = Vec::with_capacity(64);
    msg.extend_from_slice(&id.to_be_bytes());
    msg.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]); // flags 0, QD=1
    for label in zone
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        msg.push(label.len() as u8);
        msg.extend_from_slice(label.as_bytes());
    }
    msg.extend_from_slice(&[0, 0, 6, 0, 1]); // root, SOA, IN
    let Ok(sock) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) else {
        return false;
    };
    if sock
        .set_read_timeout(Some(Duration::from_millis(200)))
        .is_err()
        || sock.send_to(&msg, addr).is_err()
    {
        return false;
    }
    let mut buf = [0u8; 1500];
    while let Ok((n, from)) = sock.recv_from(&mut buf) {
        if from != addr || n < 12 || buf[..2] != id.to_be_bytes() {
            continue;
        }
        let qr_aa = buf[2] & 0x84 == 0x84;
        let rcode = buf[3] & 0x0f;
        let ancount = u16::from_be_bytes([buf[6], buf[7]]);
        return qr_aa && rcode == 0 && ancount > 0;
    }
    false
}

/// Runs `cmd` with `stdin`, capturing stdout and stderr; kills it and panics after `timeout`.
///
/// The limit is kept by coreutils' `timeout`, a native program that execs `cmd`, so its clock
/// starts when `cmd` starts. Under qemu-user (scripts/cross --test) this test process is itself
/// emulated, and its forks can be slow to exec or never exec ([`spawn_started`] starts those
/// again); that time is not the tool's and must not count against it. This process waits
/// `timeout` plus [`SPAWN_SLACK`] as a last resort.
pub fn run_with_timeout(cmd: &mut Command, stdin: &[u8], timeout: Duration) -> Output {
    let mut limited = Command::new(require("timeout", "coreutils"));
    limited
        .args(["--verbose", "--kill-after=5"])
        .arg(format!("{:.3}s", timeout.as_secs_f64()))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => limited.env(key, value),
            None => limited.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        limited.current_dir(dir);
    }
    limited
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn_started(&mut limited);
    let mut input = child.stdin.take().expect("piped stdin");
    let stdin = stdin.to_vec();
    // A tool may exit without reading all of its input: ignore EPIPE.
    let writer = thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let stdout = reader(child.stdout.take().expect("piped stdout"));
    let stderr = reader(child.stderr.take().expect("piped stderr"));
    let deadline = Instant::now() + timeout + SPAWN_SLACK;
    let status = loop {
        if let Some(status) = child.try_wait().expect("polling child") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            // `timeout` leads its own process group: take the tool with it, or its pipes stay open.
            if let Ok(pid) = i32::try_from(child.id()) {
                let group = nix::unistd::Pid::from_raw(pid);
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
            }
            kill(&mut child);
            break None;
        }
        thread::sleep(Duration::from_millis(2));
    };
    let _ = writer.join();
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    // `timeout --verbose` says so when it had to signal the tool; nothing else prints this.
    let marker = b"timeout: sending signal ";
    let timed_out = stderr.windows(marker.len()).any(|w| w == marker);
    match status {
        Some(status) if !timed_out => Output {
            status,
            stdout,
            stderr,
        },
        _ => panic!(
            "{cmd:?} did not finish within {timeout:?}{}\nstdout:\n{}\nstderr:\n{}",
            if timed_out {
                ""
            } else {
                " (and was not ended by `timeout` within a minute after that)"
            },
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        ),
    }
}

/// How long past a client's own limit [`run_with_timeout`] waits for it to be started at all.
const SPAWN_SLACK: Duration = Duration::from_secs(60);

fn reader(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// How many times a server start is retried on another port when its port was taken.
const PORT_ATTEMPTS: usize = 5;
/// Generous: under qemu-user the fork that starts the server may wait for qemu's locks first.
const START_TIMEOUT: Duration = Duration::from_secs(45);

/// A running server process with its temp dir and port. Dropping it kills and reaps the process,
/// then removes the directory.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    port: PortLease,
    log: PathBuf,
    // Declared last: removed after the process is gone.
    dir: tempfile::TempDir,
}

impl ServerProcess {
    pub fn port(&self) -> u16 {
        self.port.port()
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port()))
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        read_log(&self.log)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        kill(&mut self.child);
    }
}

/// Starts a server in `dir`: `command(dir, port)` writes the configuration for that port and
/// returns the command line. Retries on a fresh port when the port was taken; panics with the
/// server's log when it does not come up.
pub fn start_server(
    kind: &str,
    dir: tempfile::TempDir,
    zones: &[String],
    started_line: fn(&str) -> bool,
    mut command: impl FnMut(&Path, u16) -> Command,
) -> ServerProcess {
    let log = dir.path().join(format!("{kind}.log"));
    let ready = Readiness {
        started_line,
        zones,
        timeout: START_TIMEOUT,
    };
    for attempt in 1..=PORT_ATTEMPTS {
        let port = free_port();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port.port()));
        let mut cmd = command(dir.path(), port.port());
        let mut child = spawn_logged(&mut cmd, &log);
        match wait_ready(&mut child, &log, addr, &ready) {
            Ok(()) => {
                return ServerProcess {
                    child,
                    port,
                    log,
                    dir,
                };
            }
            Err(StartError::PortInUse) if attempt < PORT_ATTEMPTS => kill(&mut child),
            Err(err) => {
                kill(&mut child);
                let configs: String = fs::read_dir(dir.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "conf"))
                    .map(|p| format!("--- {}:\n{}\n", p.display(), read_log(&p)))
                    .collect();
                panic!(
                    "{kind} did not start on {addr} (attempt {attempt}): {err:?}\n\
                     command: {cmd:?}\n{configs}--- {kind} log:\n{}",
                    read_log(&log)
                );
            }
        }
    }
    unreachable!("the last attempt returns or panics")
}
