//! A fault-injecting DNS proxy for integration tests: it listens on 127.0.0.1 on one ephemeral
//! port for both UDP and TCP (like a DNS server), forwards every request to a real server and
//! breaks the traffic in one configured way ([`Fault`]).
//!
//! Every packet it receives, forwards, alters, holds or drops is logged with a time stamp, both
//! on stderr (shown by the test harness when a test fails) and in [`Proxy::log`], so a failing
//! test says what the client actually saw.
//!
//! ```ignore
//! let named = Named::start();
//! let proxy = Proxy::start(named.addr(), Fault::DropAnswers(1));
//! // point the client at proxy.addr() ...
//! assert_eq!(proxy.forwarded(), 2);
//! ```
//!
//! Plain std threads: one UDP thread, one TCP accept thread, one worker per UDP request and per
//! TCP connection. Dropping the proxy stops and joins all of them.

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dnsup::tsig::{self, Key};

use super::keys::{TestKey, key_arg};

/// "Every one", for the fault counts.
pub const ALL: usize = usize::MAX;

/// How long the proxy waits for the real server's answer to one forwarded request.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(5);
/// How often blocked threads look at the stop flag.
const POLL: Duration = Duration::from_millis(20);
/// A client TCP connection idle this long is closed.
const TCP_IDLE: Duration = Duration::from_secs(30);

/// What the man in the middle sends to the client before the real answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forgery {
    /// The request echoed back as a NOERROR response (zone section only), without TSIG.
    UnsignedNoError,
    /// The same with REFUSED: an unsigned error, as a server that cannot verify would send.
    UnsignedRefused,
    /// A NOERROR response signed with the client's key name but another secret.
    WrongKey,
}

/// The one way the proxy breaks the traffic. Counts are "the first `n`" ([`ALL`]: every one),
/// numbered in the order the proxy sees them.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Forward everything unchanged.
    None,
    /// The first `n` UDP requests are not forwarded: the server never sees them.
    DropQueries(usize),
    /// Every UDP request is forwarded, but the first `n` answers are not returned: the server
    /// acted on the request and the client never learns it.
    DropAnswers(usize),
    /// Every UDP answer is returned this late.
    Delay(Duration),
    /// Every UDP answer is returned twice.
    Duplicate,
    /// Each UDP answer is held back and returned right after the next answer.
    Reorder,
    /// The first `answers` UDP answers are replaced by a truncated one: TC set, only the header
    /// and the zone/question section. When the request was signed and `key` is given, the
    /// truncated answer is signed with it as the server would (RFC 8945 section 5.3), so it is
    /// an authentic "ask again over TCP"; without a key it goes out unsigned.
    Truncate {
        answers: usize,
        key: Option<&'static TestKey>,
    },
    /// The first `n` UDP answers are cut to half their length (TC not set): a garbled datagram.
    CutShort(usize),
    /// In the first `answers` UDP answers, `flips` bytes are XORed with random non-zero values
    /// (deterministic for a `seed`). Two changes a verifier may rightly accept are never made:
    /// the TSIG record's TTL (no MAC covers it and it means nothing) and a 0x20 flip (a change
    /// of case in a name).
    Corrupt {
        answers: usize,
        flips: usize,
        seed: u64,
    },
    /// Before every real answer (UDP and TCP) the client first gets a forged one.
    Forge(Forgery),
    /// TCP: of every answer only the first `bytes` bytes (the 2-byte length prefix included)
    /// are written; then the proxy closes the connection (`close`) or keeps it open and silent.
    TcpCut { bytes: usize, close: bool },
}

/// A running proxy. Dropping it stops it.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

struct Shared {
    upstream: SocketAddr,
    fault: Fault,
    front: UdpSocket,
    port: u16,
    started: Instant,
    stop: AtomicBool,
    log: Mutex<Vec<String>>,
    /// UDP requests received from clients.
    udp_queries: AtomicUsize,
    /// UDP answers received from the server.
    udp_answers: AtomicUsize,
    /// TCP messages received from clients.
    tcp_messages: AtomicUsize,
    /// Requests the server received from the proxy (UDP and TCP): how many copies it saw.
    forwarded: AtomicUsize,
    /// Packets the fault changed, dropped, delayed, duplicated, held or preceded by a forgery.
    faulted: AtomicUsize,
    /// [`Fault::Reorder`]: the answer held back, its number and its client.
    held: Mutex<Option<(usize, Vec<u8>, SocketAddr)>>,
    /// [`Fault::Corrupt`]: the random state.
    rng: Mutex<u64>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking worker leaves valid data behind.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Proxy {
    /// Starts a proxy in front of `upstream` (a DNS server on UDP and TCP).
    pub fn start(upstream: SocketAddr, fault: Fault) -> Proxy {
        let (front, tcp) = bind_pair();
        let port = front.local_addr().expect("proxy UDP address").port();
        front
            .set_read_timeout(Some(POLL))
            .expect("setting the proxy's UDP timeout");
        tcp.set_nonblocking(true)
            .expect("making the proxy's TCP listener non-blocking");
        let seed = match &fault {
            Fault::Corrupt { seed, .. } => *seed | 1,
            _ => 1,
        };
        let shared = Arc::new(Shared {
            upstream,
            fault,
            front,
            port,
            started: Instant::now(),
            stop: AtomicBool::new(false),
            log: Mutex::new(Vec::new()),
            udp_queries: AtomicUsize::new(0),
            udp_answers: AtomicUsize::new(0),
            tcp_messages: AtomicUsize::new(0),
            forwarded: AtomicUsize::new(0),
            faulted: AtomicUsize::new(0),
            held: Mutex::new(None),
            rng: Mutex::new(seed),
            workers: Mutex::new(Vec::new()),
        });
        shared.note(format!(
            "listening on 127.0.0.1:{port} (UDP+TCP), forwarding to {upstream}, fault {:?}",
            shared.fault
        ));
        let udp = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || udp_loop(&shared))
        };
        let tcp = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || tcp_loop(&shared, &tcp))
        };
        Proxy {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            shared,
            threads: vec![udp, tcp],
        }
    }

    /// 127.0.0.1 and the proxy's port (the same for UDP and TCP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Everything the proxy did so far, one line per event.
    pub fn log(&self) -> String {
        lock(&self.shared.log).join("\n")
    }

    /// How many requests the real server received through the proxy (UDP and TCP).
    pub fn forwarded(&self) -> usize {
        self.shared.forwarded.load(Ordering::SeqCst)
    }

    /// How many UDP requests the proxy received from clients.
    pub fn udp_queries(&self) -> usize {
        self.shared.udp_queries.load(Ordering::SeqCst)
    }

    /// How many TCP messages the proxy received from clients.
    pub fn tcp_messages(&self) -> usize {
        self.shared.tcp_messages.load(Ordering::SeqCst)
    }

    /// How many packets the fault acted on.
    pub fn faulted(&self) -> usize {
        self.shared.faulted.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        // No new workers once both loops are gone.
        let workers: Vec<_> = lock(&self.shared.workers).drain(..).collect();
        for w in workers {
            let _ = w.join();
        }
        self.shared.note("stopped".into());
    }
}

/// A UDP socket on an ephemeral port of 127.0.0.1 and a TCP listener on the same port.
fn bind_pair() -> (UdpSocket, TcpListener) {
    let mut last_error = None;
    for _ in 0..100 {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding a UDP socket");
        let port = udp.local_addr().expect("UDP socket address").port();
        match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(tcp) => return (udp, tcp),
            Err(e) => last_error = Some(e),
        }
    }
    panic!("no port free for both UDP and TCP on 127.0.0.1: {last_error:?}");
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn note(&self, event: String) {
        let line = format!(
            "[proxy :{} +{:>5} ms] {event}",
            self.port,
            self.started.elapsed().as_millis()
        );
        eprintln!("{line}");
        lock(&self.log).push(line);
    }

    fn fault(&self, event: String) {
        self.faulted.fetch_add(1, Ordering::SeqCst);
        self.note(format!("FAULT: {event}"));
    }

    fn spawn(self: &Arc<Self>, work: impl FnOnce(&Arc<Shared>) + Send + 'static) {
        let shared = Arc::clone(self);
        let handle = thread::spawn(move || work(&shared));
        lock(&self.workers).push(handle);
    }

    /// Sleeps for `d`, or less if the proxy is stopped.
    fn sleep(&self, d: Duration) {
        let end = Instant::now() + d;
        while !self.stopping() {
            let now = Instant::now();
            if now >= end {
                return;
            }
            thread::sleep((end - now).min(POLL));
        }
    }

    fn send_udp(&self, msg: &[u8], client: SocketAddr, what: &str) {
        match self.front.send_to(msg, client) {
            Ok(_) => self.note(format!("udp -> {client}: {what} {}", summary(msg))),
            Err(e) => self.note(format!("udp -> {client}: {what} not sent: {e}")),
        }
    }

    fn next_random(&self) -> u64 {
        // xorshift64*: deterministic for a seed, good enough to pick bytes.
        let mut x = lock(&self.rng);
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// "the first n": 1-based `number` within `count`.
fn within(number: usize, count: usize) -> bool {
    number <= count
}

fn udp_loop(shared: &Arc<Shared>) {
    let mut buf = vec![0u8; 65535];
    while !shared.stopping() {
        let (n, client) = match shared.front.recv_from(&mut buf) {
            Ok(received) => received,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => {
                // An ICMP error from an earlier answer to a client that is gone.
                shared.note(format!("udp receive error (ignored): {e}"));
                continue;
            }
        };
        let query = buf[..n].to_vec();
        let number = shared.udp_queries.fetch_add(1, Ordering::SeqCst) + 1;
        shared.note(format!(
            "udp <- {client}: query #{number} {}",
            summary(&query)
        ));
        if let Fault::DropQueries(count) = shared.fault
            && within(number, count)
        {
            shared.fault(format!("dropped udp query #{number} (never forwarded)"));
            continue;
        }
        shared.spawn(move |shared| udp_exchange(shared, number, &query, client));
    }
}

/// Forwards one UDP request and returns its answer, faulted.
fn udp_exchange(shared: &Arc<Shared>, number: usize, query: &[u8], client: SocketAddr) {
    if let Fault::Forge(forgery) = shared.fault {
        let forged = forge(query, forgery);
        shared.fault(format!(
            "udp query #{number}: forged {forgery:?} answer first"
        ));
        shared.send_udp(&forged, client, "forged answer");
    }
    let Some(answer) = forward_udp(shared, number, query) else {
        return;
    };
    let a = shared.udp_answers.fetch_add(1, Ordering::SeqCst) + 1;
    let what = format!("answer #{a} (to query #{number})");
    match &shared.fault {
        Fault::DropAnswers(count) if within(a, *count) => {
            shared.fault(format!("dropped udp {what} {}", summary(&answer)));
        }
        Fault::Delay(d) => {
            shared.fault(format!("delaying udp {what} by {d:?}"));
            shared.sleep(*d);
            if !shared.stopping() {
                shared.send_udp(&answer, client, &format!("delayed {what}"));
            }
        }
        Fault::Duplicate => {
            shared.fault(format!("sending udp {what} twice"));
            shared.send_udp(&answer, client, &what);
            shared.send_udp(&answer, client, &format!("duplicate of {what}"));
        }
        Fault::Reorder => {
            let mut held = lock(&shared.held);
            match held.take() {
                None => {
                    shared.fault(format!("holding udp {what} until the next answer"));
                    *held = Some((a, answer, client));
                }
                Some((h, earlier, to)) => {
                    shared.send_udp(&answer, client, &what);
                    shared.fault(format!("releasing held answer #{h} after answer #{a}"));
                    shared.send_udp(&earlier, to, &format!("held answer #{h}"));
                }
            }
        }
        Fault::Truncate { answers, key } if within(a, *answers) => {
            let tc = truncated(query, &answer, *key);
            shared.fault(format!(
                "replacing udp {what} {} by a truncated one (TC, {})",
                summary(&answer),
                if tsig_start(&tc).is_some() {
                    "re-signed"
                } else {
                    "unsigned"
                }
            ));
            shared.send_udp(&tc, client, &format!("truncated {what}"));
        }
        Fault::CutShort(count) if within(a, *count) => {
            let cut = &answer[..answer.len() / 2];
            shared.fault(format!(
                "cutting udp {what} from {} to {} bytes",
                answer.len(),
                cut.len()
            ));
            shared.send_udp(cut, client, &format!("cut {what}"));
        }
        Fault::Corrupt { answers, flips, .. } if within(a, *answers) => {
            let (bad, changes) = corrupt(shared, &answer, *flips);
            shared.fault(format!("corrupted udp {what}: {changes}"));
            shared.send_udp(&bad, client, &format!("corrupted {what}"));
        }
        _ => shared.send_udp(&answer, client, &what),
    }
}

fn forward_udp(shared: &Shared, number: usize, query: &[u8]) -> Option<Vec<u8>> {
    let result = (|| {
        let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        sock.connect(shared.upstream)?;
        sock.set_read_timeout(Some(UPSTREAM_TIMEOUT))?;
        sock.send(query)?;
        shared.forwarded.fetch_add(1, Ordering::SeqCst);
        shared.note(format!(
            "udp query #{number} forwarded to {}",
            shared.upstream
        ));
        let mut buf = vec![0u8; 65535];
        let n = sock.recv(&mut buf)?;
        buf.truncate(n);
        Ok::<_, io::Error>(buf)
    })();
    match result {
        Ok(answer) => Some(answer),
        Err(e) => {
            shared.note(format!(
                "udp query #{number}: no answer from the server: {e}"
            ));
            None
        }
    }
}

fn tcp_loop(shared: &Arc<Shared>, listener: &TcpListener) {
    while !shared.stopping() {
        match listener.accept() {
            Ok((stream, client)) => {
                shared.note(format!("tcp connection from {client}"));
                shared.spawn(move |shared| {
                    if let Err(e) = tcp_connection(shared, stream, client) {
                        shared.note(format!("tcp {client}: {e}"));
                    }
                });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::sleep(POLL),
            Err(e) => {
                shared.note(format!("tcp accept error: {e}"));
                thread::sleep(POLL);
            }
        }
    }
}

/// Relays the messages of one client connection over one connection to the server.
fn tcp_connection(shared: &Arc<Shared>, mut client: TcpStream, peer: SocketAddr) -> io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(POLL))?;
    let mut upstream: Option<TcpStream> = None;
    loop {
        let Some(request) = read_framed(shared, &mut client, TCP_IDLE)? else {
            shared.note(format!("tcp {peer}: client closed the connection"));
            return Ok(());
        };
        let number = shared.tcp_messages.fetch_add(1, Ordering::SeqCst) + 1;
        shared.note(format!(
            "tcp <- {peer}: message #{number} {}",
            summary(&request)
        ));
        if let Fault::Forge(forgery) = shared.fault {
            let forged = forge(&request, forgery);
            shared.fault(format!(
                "tcp message #{number}: forged {forgery:?} answer first"
            ));
            client.write_all(&framed(&forged))?;
        }
        let server = match &mut upstream {
            Some(s) => s,
            None => {
                let s = TcpStream::connect_timeout(&shared.upstream, UPSTREAM_TIMEOUT)?;
                s.set_read_timeout(Some(UPSTREAM_TIMEOUT))?;
                upstream.insert(s)
            }
        };
        server.write_all(&framed(&request))?;
        shared.forwarded.fetch_add(1, Ordering::SeqCst);
        shared.note(format!(
            "tcp message #{number} forwarded to {}",
            shared.upstream
        ));
        let mut len = [0u8; 2];
        server.read_exact(&mut len)?;
        let mut answer = vec![0u8; usize::from(u16::from_be_bytes(len))];
        server.read_exact(&mut answer)?;
        let whole = framed(&answer);
        if let Fault::TcpCut { bytes, close } = shared.fault {
            let part = &whole[..bytes.min(whole.len())];
            client.write_all(part)?;
            client.flush()?;
            if close {
                shared.fault(format!(
                    "tcp answer to message #{number} {}: wrote {} of {} bytes, closing",
                    summary(&answer),
                    part.len(),
                    whole.len()
                ));
                let _ = client.shutdown(Shutdown::Both);
                return Ok(());
            }
            shared.fault(format!(
                "tcp answer to message #{number} {}: wrote {} of {} bytes, then silence",
                summary(&answer),
                part.len(),
                whole.len()
            ));
            // Keep the connection open until the client gives up or the proxy stops.
            let mut sink = [0u8; 512];
            while !shared.stopping() {
                match client.read(&mut sink) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break,
                }
            }
            shared.note(format!("tcp {peer}: connection ended"));
            return Ok(());
        }
        client.write_all(&whole)?;
        shared.note(format!(
            "tcp -> {peer}: answer to message #{number} {}",
            summary(&answer)
        ));
    }
}

/// Reads one length-prefixed message; `None` when the peer closed cleanly between messages.
fn read_framed(
    shared: &Shared,
    stream: &mut TcpStream,
    idle: Duration,
) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 2];
    if !read_full(shared, stream, &mut len, idle)? {
        return Ok(None);
    }
    let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
    if !read_full(shared, stream, &mut msg, idle)? {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "closed in the middle of a message",
        ));
    }
    Ok(Some(msg))
}

/// Fills `buf` from a stream with a short read timeout, watching the stop flag. False if the
/// peer closed before the first byte.
fn read_full(
    shared: &Shared,
    stream: &mut TcpStream,
    buf: &mut [u8],
    idle: Duration,
) -> io::Result<bool> {
    let deadline = Instant::now() + idle;
    let mut filled = 0;
    while filled < buf.len() {
        if shared.stopping() || Instant::now() >= deadline {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "stopped or idle"));
        }
        match stream.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 => return Ok(false),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "closed in the middle of a message",
                ));
            }
            Ok(n) => filled += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn framed(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + 2);
    out.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    out.extend_from_slice(msg);
    out
}

// --- Looking into messages (just enough wire format for the faults) ---

/// `id=0x1234 QR UPDATE NOERROR TC len=61 TSIG`: one message, for the log.
pub fn summary(msg: &[u8]) -> String {
    if msg.len() < 12 {
        return format!("({} bytes, shorter than a header)", msg.len());
    }
    let id = u16::from_be_bytes([msg[0], msg[1]]);
    let opcode = match (msg[2] >> 3) & 0x0f {
        0 => "QUERY".to_string(),
        5 => "UPDATE".to_string(),
        other => format!("OPCODE{other}"),
    };
    let rcode = match msg[3] & 0x0f {
        0 => "NOERROR".to_string(),
        1 => "FORMERR".to_string(),
        2 => "SERVFAIL".to_string(),
        3 => "NXDOMAIN".to_string(),
        5 => "REFUSED".to_string(),
        6 => "YXDOMAIN".to_string(),
        7 => "YXRRSET".to_string(),
        8 => "NXRRSET".to_string(),
        9 => "NOTAUTH".to_string(),
        other => format!("RCODE{other}"),
    };
    let mut s = format!("id={id:#06x}");
    if msg[2] & 0x80 != 0 {
        let _ = write!(s, " QR {opcode} {rcode}");
    } else {
        let _ = write!(s, " {opcode}");
    }
    if msg[2] & 0x02 != 0 {
        s.push_str(" TC");
    }
    let _ = write!(s, " len={}", msg.len());
    if tsig_start(msg).is_some() {
        s.push_str(" TSIG");
    }
    s
}

/// The offset just past a (possibly compressed) name at `at`.
fn skip_name(msg: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = *msg.get(at)?;
        match len {
            0 => return Some(at + 1),
            l if l & 0xc0 == 0xc0 => return Some(at + 2),
            l if l & 0xc0 == 0 => at += 1 + usize::from(l),
            _ => return None,
        }
    }
}

fn u16_at(msg: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]))
}

/// Where the first question (zone section) ends, if the message has one.
fn question_end(msg: &[u8]) -> Option<usize> {
    (u16_at(msg, 4)? >= 1).then_some(())?;
    let end = skip_name(msg, 12)? + 4;
    (end <= msg.len()).then_some(end)
}

/// The offset of the TSIG record, when it is the message's last record.
fn tsig_start(msg: &[u8]) -> Option<usize> {
    let counts: Vec<usize> = (0..4)
        .map(|i| u16_at(msg, 4 + 2 * i).map(usize::from))
        .collect::<Option<_>>()?;
    let mut at = 12;
    for _ in 0..counts[0] {
        at = skip_name(msg, at)? + 4;
    }
    let mut last = None;
    for _ in 0..counts[1] + counts[2] + counts[3] {
        let start = at;
        at = skip_name(msg, at)?;
        let rtype = u16_at(msg, at)?;
        let rdlength = usize::from(u16_at(msg, at + 8)?);
        at += 10 + rdlength;
        last = Some((start, rtype));
    }
    match last {
        Some((start, 250)) if at == msg.len() && counts[3] > 0 => Some(start),
        _ => None,
    }
}

/// A truncated version of `answer`: its header with TC set and only its question, re-signed
/// with `key` when the request was signed.
fn truncated(request: &[u8], answer: &[u8], key: Option<&'static TestKey>) -> Vec<u8> {
    let mut tc = answer[..12].to_vec();
    tc[2] |= 0x02;
    let question = question_end(answer).map(|end| &answer[12..end]);
    let qdcount: u16 = if question.is_some() { 1 } else { 0 };
    tc[4..6].copy_from_slice(&qdcount.to_be_bytes());
    tc[6..12].fill(0);
    if let Some(q) = question {
        tc.extend_from_slice(q);
    }
    match (key, tsig_start(request)) {
        (Some(key), Some(start)) => sign_as_server(request, start, &tc, key).unwrap_or(tc),
        _ => tc,
    }
}

/// Signs `response` as the server would answer the signed `request` (whose TSIG record starts at
/// `tsig_at`). The request MAC is recomputed from the request (signing is deterministic), and
/// checked against the one on the wire.
fn sign_as_server(
    request: &[u8],
    tsig_at: usize,
    response: &[u8],
    test_key: &TestKey,
) -> Option<Vec<u8>> {
    let key: Key = tsig::parse_nsupdate_y(&key_arg(test_key)).ok()?;
    // TSIG RDATA: after owner, type, class, TTL, RDLENGTH: algorithm name, time (48), fudge.
    let rdata = skip_name(request, tsig_at)? + 10;
    let after_alg = skip_name(request, rdata)?;
    let t = request.get(after_alg..after_alg + 8)?;
    let time = t[..6]
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let fudge = u16::from_be_bytes([t[6], t[7]]);
    let mut unsigned = request[..tsig_at].to_vec();
    let arcount = u16_at(&unsigned, 10)?.checked_sub(1)?;
    unsigned[10..12].copy_from_slice(&arcount.to_be_bytes());
    let (resigned, mac) = tsig::sign_request(&unsigned, &key, time, fudge).ok()?;
    if resigned != request {
        return None;
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    tsig::sign_response(response, &mac, &key, now, tsig::DEFAULT_FUDGE, None, &[]).ok()
}

/// The forged answer to `request`: the request's header with QR set (and REFUSED for
/// [`Forgery::UnsignedRefused`]), its zone/question section and nothing else.
fn forge(request: &[u8], forgery: Forgery) -> Vec<u8> {
    let end = question_end(request).unwrap_or(request.len().min(12));
    let mut msg = request[..end].to_vec();
    if msg.len() < 12 {
        return msg;
    }
    msg[2] |= 0x80;
    msg[3] &= 0xf0;
    msg[6..12].fill(0);
    match forgery {
        Forgery::UnsignedNoError => msg,
        Forgery::UnsignedRefused => {
            msg[3] |= 5;
            msg
        }
        Forgery::WrongKey => {
            // The client's key name (k-sha256), another secret.
            let other = tsig::parse_nsupdate_y(
                "hmac-sha256:k-sha256:b3RoZXIga2V5IG9mIHRoZSBmb3JnZXIgMTIzNDU2Nzg5MA==",
            )
            .expect("the forger's key");
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            tsig::sign_request(&msg, &other, now, tsig::DEFAULT_FUDGE)
                .map(|(signed, _)| signed)
                .unwrap_or(msg)
        }
    }
}

/// `answer` with `flips` bytes changed; and what was changed, for the log.
fn corrupt(shared: &Shared, answer: &[u8], flips: usize) -> (Vec<u8>, String) {
    let mut bad = answer.to_vec();
    // The TSIG TTL: owner name, type (2), class (2), then the 4 TTL bytes.
    let ttl = tsig_start(answer)
        .and_then(|start| skip_name(answer, start))
        .map(|after_owner| after_owner + 4..after_owner + 8);
    let mut changes = Vec::new();
    let mut used = Vec::new();
    let mut done = 0;
    while done < flips.min(bad.len().saturating_sub(8)) {
        let at = (shared.next_random() % bad.len() as u64) as usize;
        let xor = (shared.next_random() % 255 + 1) as u8;
        if xor == 0x20 || ttl.as_ref().is_some_and(|r| r.contains(&at)) || used.contains(&at) {
            continue;
        }
        used.push(at);
        bad[at] ^= xor;
        changes.push(format!("byte {at} ^= {xor:#04x}"));
        done += 1;
    }
    (bad, changes.join(", "))
}
