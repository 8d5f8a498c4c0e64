//! Pipelined TCP: many requests on one connection, several outstanding at once, answers matched
//! by message ID (RFC 7766 sections 6.2.1.1 and 7; RFC 1035 section 4.2.2 framing).
//!
//! Like the rest of the transport this knows nothing about UPDATE or TSIG. The caller implements
//! [`Requests`]: it builds (and signs) request number `i` just before it is written, judges each
//! message whose ID matches an outstanding request (anything else is ignored, as in
//! [`exchange`](super::exchange)), and says what to do next: done, resend later, or stop sending.
//!
//! Behaviour:
//! - at most [`Settings::window`] requests are outstanding; requests are written in order and
//!   each one gets an ID no other outstanding request has;
//! - a request answered with [`Step::RetryAfter`] (an overloaded server) is written again after
//!   the delay, before any request not yet written, and the window is halved: the server sets
//!   the pace;
//! - if the server closes the connection, or an answer does not come within
//!   [`Settings::timeout`], the connection is opened again after a short pause (to the same
//!   server, then the next ones) and the unanswered requests are written again, oldest first;
//!   after [`Settings::reconnects`] losses in a row without any answer, the run gives up. Such
//!   requests have `sends > 1`: an earlier copy may have been applied;
//! - when no server can be reached, the remaining requests are reported as not sent, and the
//!   ones written but unanswered as failed (their fate is unknown).
//!
//! Servers process the requests of one connection in the order they arrive (BIND and Knot
//! apply the UPDATEs of a zone one after the other), so the requests' order is kept.

use std::collections::VecDeque;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{Instant, sleep_until, timeout_at};

use super::{Failure, Verdict};

/// How to pipeline.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The most requests outstanding at once (at least 1).
    pub window: usize,
    /// How long to wait to connect, and for each answer after its request was written.
    pub timeout: Duration,
    /// Source address (and port, 0 for any) to connect from.
    pub local: Option<SocketAddr>,
    /// How many times in a row a connection lost without any answer is opened again.
    pub reconnects: u32,
    /// DNS over TLS (RFC 7858 section 3.3 allows pipelining) instead of plain TCP.
    pub tls: Option<std::sync::Arc<super::tls::Tls>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            window: 4,
            timeout: Duration::from_secs(10),
            local: None,
            reconnects: 3,
            tls: None,
        }
    }
}

/// What to do once a request has its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The request is finished.
    Done,
    /// Write the request again after this delay (the server is overloaded); halves the window.
    RetryAfter(Duration),
    /// The request is finished, and no further request should be written (every one would
    /// fail the same way); outstanding answers are still read.
    Stop,
}

/// The caller's side of a pipelined run over requests `0..count`.
pub trait Requests {
    /// What [`Requests::accept`] makes of an answer.
    type Answer;

    /// The wire form of request `index`, built now (so it can be signed with the current time),
    /// with a message ID that is not in `busy` (the IDs of the outstanding requests). Called
    /// again for each resend. An error marks the request [`Fate::Invalid`].
    fn build(&mut self, index: usize, busy: &[u16]) -> Result<Vec<u8>, String>;

    /// Whether `message`, which carries the ID of request `index`, is its answer. Ignored
    /// messages (forged, unsigned, garbled) leave the request waiting.
    fn accept(&mut self, index: usize, message: &[u8]) -> Verdict<Self::Answer>;

    /// What to do after request `index` got `answer`.
    fn step(&mut self, index: usize, answer: &Self::Answer) -> Step;
}

/// What became of one request.
#[derive(Debug)]
pub enum Fate<A> {
    /// It was answered (the last answer, when it was retried).
    Answered {
        /// What [`Requests::accept`] made of the answer.
        answer: A,
        /// How many times it was written (more than one: an earlier copy may have been applied).
        sends: u32,
    },
    /// Written, but no acceptable answer came: it may or may not have been applied.
    Unanswered {
        /// Why.
        failure: Failure,
        /// How many times it was written.
        sends: u32,
    },
    /// Never written (no connection, or the run was stopped before it).
    NotSent(Option<Failure>),
    /// [`Requests::build`] failed; nothing was written.
    Invalid(String),
}

/// The result of a pipelined run.
#[derive(Debug)]
pub struct Summary<A> {
    /// One entry per request, in order.
    pub fates: Vec<Fate<A>>,
    /// The last server a connection was made to.
    pub server: Option<SocketAddr>,
    /// How many connections were opened.
    pub connections: u32,
    /// The request whose answer said [`Step::Stop`], if one did.
    pub stopped_by: Option<usize>,
}

struct Outstanding {
    index: usize,
    id: u16,
    deadline: Instant,
}

struct State<A> {
    fates: Vec<Fate<A>>,
    sends: Vec<u32>,
    /// Requests to write, in order, each with the earliest time it may be written.
    queue: VecDeque<(usize, Instant)>,
    outstanding: Vec<Outstanding>,
    window: usize,
    stopped: bool,
    stopped_by: Option<usize>,
    /// Accepted answers so far.
    answered: usize,
}

impl<A> State<A> {
    fn busy(&self) -> Vec<u16> {
        self.outstanding.iter().map(|o| o.id).collect()
    }

    /// Whether the first queued request may be written now (the window has room and its
    /// pause, if any, is over). Requests never overtake one another in the queue: a request
    /// waiting to be resent holds back the ones after it.
    fn ready(&self, now: Instant) -> bool {
        !self.stopped
            && self.outstanding.len() < self.window
            && self.queue.front().is_some_and(|&(_, t)| t <= now)
    }

    /// Put the outstanding requests back at the front of the queue, oldest first.
    fn requeue_outstanding(&mut self, now: Instant) {
        let mut back: Vec<usize> = self.outstanding.drain(..).map(|o| o.index).collect();
        back.sort_unstable();
        for index in back.into_iter().rev() {
            self.queue.push_front((index, now));
        }
    }

    /// Give up on what is left: requests never written are not sent (for `not_sent`), those
    /// written before are unanswered (for `failure`).
    fn abandon(&mut self, not_sent: &Failure, failure: &Failure) {
        self.requeue_outstanding(Instant::now());
        for (index, _) in self.queue.drain(..) {
            self.fates[index] = if self.sends[index] > 0 {
                Fate::Unanswered {
                    failure: failure.clone(),
                    sends: self.sends[index],
                }
            } else {
                Fate::NotSent(Some(not_sent.clone()))
            };
        }
    }
}

async fn connect(server: SocketAddr, local: Option<SocketAddr>) -> std::io::Result<TcpStream> {
    let socket = match server {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    let local = local.unwrap_or(match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    });
    socket.bind(local)?;
    let stream = socket.connect(server).await?;
    // Requests are written whole; Nagle would only delay the last segment of each.
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// How one connection ended.
enum Ended {
    /// Nothing left to do.
    Finished,
    /// The connection failed; the outstanding requests were put back in the queue.
    Lost(Failure),
}

/// Write requests `0..count` to the first server that accepts a connection (then the next ones
/// if it is lost), pipelined, and collect what became of each.
pub async fn run<R: Requests>(
    servers: &[SocketAddr],
    count: usize,
    requests: &mut R,
    settings: &Settings,
) -> Summary<R::Answer> {
    let start = Instant::now();
    let mut state = State {
        fates: (0..count).map(|_| Fate::NotSent(None)).collect(),
        sends: vec![0; count],
        queue: (0..count).map(|i| (i, start)).collect(),
        outstanding: Vec::new(),
        window: settings.window.max(1),
        stopped: false,
        stopped_by: None,
        answered: 0,
    };
    let mut summary_server = None;
    let mut connections = 0;
    let mut lost = 0;
    let mut server_index = 0;
    let mut last_failure = Failure::Io("no server address to send to".into());
    while !state.queue.is_empty() && !state.stopped && server_index < servers.len() {
        let server = servers[server_index];
        let deadline = Instant::now() + settings.timeout;
        let stream = match timeout_at(deadline, connect(server, settings.local)).await {
            Err(_) => Err(Failure::Io(format!("{server}: connecting timed out"))),
            Ok(Err(e)) => Err(Failure::Io(format!("{server}: {e}"))),
            Ok(Ok(s)) => Ok(s),
        };
        let stream = match stream {
            Ok(s) => s,
            Err(failure) => {
                tracing::debug!(%server, %failure, "cannot connect, trying the next server");
                last_failure = failure;
                server_index += 1;
                continue;
            }
        };
        let ended = match &settings.tls {
            Some(tls) => match tls.handshake(stream, server, deadline).await {
                Ok(stream) => {
                    connections += 1;
                    summary_server = Some(server);
                    tracing::debug!(%server, window = state.window, "pipelining over TLS");
                    let answered_before = state.answered;
                    let ended = one_connection(stream, server, requests, settings, &mut state);
                    (ended.await, answered_before)
                }
                Err(failure) => {
                    tracing::debug!(%server, %failure, "TLS failed, trying the next server");
                    last_failure = failure;
                    server_index += 1;
                    continue;
                }
            },
            None => {
                connections += 1;
                summary_server = Some(server);
                tracing::debug!(%server, window = state.window, "pipelining over TCP");
                let answered_before = state.answered;
                let ended = one_connection(stream, server, requests, settings, &mut state);
                (ended.await, answered_before)
            }
        };
        let (ended, answered_before) = ended;
        match ended {
            Ended::Finished => break,
            Ended::Lost(failure) => {
                tracing::debug!(%server, %failure, "connection lost");
                last_failure = failure;
                // Only losses in a row without an answer count: a server that closes the
                // connection after some answers (idle or per-connection limits) is followed.
                lost = if state.answered > answered_before {
                    1
                } else {
                    lost + 1
                };
                if lost > settings.reconnects {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50 << lost.min(6))).await;
            }
        }
    }
    if !state.queue.is_empty() || !state.outstanding.is_empty() {
        let not_sent = if state.stopped {
            Failure::Io("an earlier answer stopped the run".into())
        } else {
            last_failure.clone()
        };
        state.abandon(&not_sent, &last_failure);
    }
    Summary {
        fates: state.fates,
        server: summary_server,
        connections,
        stopped_by: state.stopped_by,
    }
}

/// Pipeline over one connection until everything is answered or the connection is lost.
async fn one_connection<R: Requests, S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    server: SocketAddr,
    requests: &mut R,
    settings: &Settings,
    state: &mut State<R::Answer>,
) -> Ended {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        // Fill the window.
        while state.ready(Instant::now()) {
            let Some((index, _)) = state.queue.pop_front() else {
                break;
            };
            let request = match requests.build(index, &state.busy()) {
                Ok(r) => r,
                Err(e) => {
                    state.fates[index] = Fate::Invalid(e);
                    continue;
                }
            };
            let Some(id) = request.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
                state.fates[index] = Fate::Invalid("a request shorter than its ID".into());
                continue;
            };
            let Ok(len) = u16::try_from(request.len()) else {
                state.fates[index] =
                    Fate::Invalid("request larger than 65535 bytes (RFC 1035 4.2.2)".into());
                continue;
            };
            let mut framed = Vec::with_capacity(request.len() + 2);
            framed.extend_from_slice(&len.to_be_bytes());
            framed.extend_from_slice(&request);
            state.sends[index] += 1;
            let deadline = Instant::now() + settings.timeout;
            state.outstanding.push(Outstanding {
                index,
                id,
                deadline,
            });
            tracing::trace!(%server, index, id, bytes = request.len(), "writing");
            match timeout_at(deadline, stream.write_all(&framed)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return lose(state, Failure::Io(e.to_string())),
                Err(_) => return lose(state, Failure::TimedOut),
            }
        }
        if state.outstanding.is_empty() {
            if state.stopped || state.queue.is_empty() {
                return Ended::Finished;
            }
            // The next request waits to be resent: wait for it.
            if let Some(&(_, t)) = state.queue.front() {
                sleep_until(t).await;
            }
            continue;
        }
        // Wait for the next bytes, the oldest answer's deadline, or a delayed resend.
        let deadline = state
            .outstanding
            .iter()
            .map(|o| o.deadline)
            .min()
            .expect("outstanding is not empty");
        let resend_at = if state.outstanding.len() < state.window && !state.stopped {
            state.queue.front().map(|&(_, t)| t)
        } else {
            None
        };
        let wake = resend_at.map_or(deadline, |t| t.min(deadline));
        let read = tokio::select! {
            r = stream.read(&mut chunk) => Some(r),
            () = sleep_until(wake) => None,
        };
        match read {
            None if Instant::now() >= deadline => return lose(state, Failure::TimedOut),
            None => continue,
            Some(Ok(0)) => return lose(state, Failure::Closed),
            Some(Err(e)) => return lose(state, Failure::Io(e.to_string())),
            Some(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
        // Take every complete message out of the buffer.
        let mut used = 0;
        while let Some(len) = buf
            .get(used..used + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        {
            let Some(message) = buf.get(used + 2..used + 2 + len) else {
                break;
            };
            used += 2 + len;
            answer(server, requests, state, message);
        }
        buf.drain(..used);
    }
}

/// Handle one message from the server.
fn answer<R: Requests>(
    server: SocketAddr,
    requests: &mut R,
    state: &mut State<R::Answer>,
    message: &[u8],
) {
    let Some(id) = message.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
        tracing::debug!(%server, "ignoring a TCP message shorter than a DNS header");
        return;
    };
    let Some(pos) = state.outstanding.iter().position(|o| o.id == id) else {
        tracing::debug!(%server, id, "ignoring a TCP message with no outstanding request's ID");
        return;
    };
    let index = state.outstanding[pos].index;
    match requests.accept(index, message) {
        Verdict::Ignore(why) => {
            tracing::debug!(%server, index, %why, "ignoring a TCP message");
        }
        Verdict::Accept(value) => {
            state.outstanding.remove(pos);
            state.answered += 1;
            let sends = state.sends[index];
            match requests.step(index, &value) {
                Step::Done => {}
                Step::Stop => {
                    state.stopped = true;
                    state.stopped_by.get_or_insert(index);
                }
                Step::RetryAfter(delay) => {
                    state.window = (state.window / 2).max(1);
                    tracing::debug!(%server, index, ?delay, window = state.window, "resending later");
                    let at = Instant::now() + delay;
                    // Keep the order: before every request that was never written.
                    let pos = state
                        .queue
                        .iter()
                        .position(|&(i, _)| i > index)
                        .unwrap_or(state.queue.len());
                    state.queue.insert(pos, (index, at));
                }
            }
            state.fates[index] = Fate::Answered {
                answer: value,
                sends,
            };
        }
    }
}

fn lose<A>(state: &mut State<A>, failure: Failure) -> Ended {
    state.requeue_outstanding(Instant::now());
    Ended::Lost(failure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// Requests are `[id_hi, id_lo, index]`; the answer is accepted when its third byte is the
    /// index, and `retry` lists indexes whose first answer asks for a resend.
    struct Echo {
        retry: Vec<usize>,
        next_id: u16,
    }

    impl Requests for Echo {
        type Answer = u8;
        fn build(&mut self, index: usize, busy: &[u16]) -> Result<Vec<u8>, String> {
            if index == 99 {
                return Err("no".into());
            }
            loop {
                self.next_id = self.next_id.wrapping_add(1);
                if !busy.contains(&self.next_id) {
                    break;
                }
            }
            let id = self.next_id.to_be_bytes();
            Ok(vec![id[0], id[1], index as u8])
        }
        fn accept(&mut self, index: usize, message: &[u8]) -> Verdict<u8> {
            match message.get(2) {
                Some(&b) if usize::from(b) == index => Verdict::Accept(b),
                _ => Verdict::Ignore("not ours".into()),
            }
        }
        fn step(&mut self, index: usize, _: &u8) -> Step {
            if let Some(pos) = self.retry.iter().position(|&i| i == index) {
                self.retry.remove(pos);
                Step::RetryAfter(Duration::from_millis(10))
            } else {
                Step::Done
            }
        }
    }

    async fn read_frame(s: &mut TcpStream) -> Option<Vec<u8>> {
        let mut len = [0u8; 2];
        s.read_exact(&mut len).await.ok()?;
        let mut m = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut m).await.ok()?;
        Some(m)
    }

    async fn write_frame(s: &mut TcpStream, m: &[u8]) {
        let mut f = (m.len() as u16).to_be_bytes().to_vec();
        f.extend_from_slice(m);
        s.write_all(&f).await.unwrap();
    }

    fn settings() -> Settings {
        Settings {
            window: 3,
            timeout: Duration::from_secs(2),
            local: None,
            reconnects: 2,
            tls: None,
        }
    }

    /// A peer that answers in reverse order of each group of `group` requests, after a stray
    /// message and a forged answer with the right ID, and closes the first connection after
    /// `close_after` requests without answering them.
    async fn peer(group: usize, close_after: Option<usize>) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut first = true;
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                s.set_nodelay(true).unwrap();
                let mut pending = Vec::new();
                let mut seen = 0;
                while let Some(m) = read_frame(&mut s).await {
                    seen += 1;
                    if first && Some(seen) == close_after {
                        break;
                    }
                    pending.push(m);
                    if pending.len() == group {
                        write_frame(&mut s, &[0xff, 0xff, 0]).await;
                        for m in pending.drain(..).rev() {
                            write_frame(&mut s, &[m[0], m[1], 200]).await;
                            write_frame(&mut s, &m).await;
                        }
                    }
                }
                first = false;
            }
        });
        addr
    }

    fn answered(fates: &[Fate<u8>]) -> Vec<(u8, u32)> {
        fates
            .iter()
            .map(|f| match f {
                Fate::Answered { answer, sends } => (*answer, *sends),
                other => panic!("not answered: {other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn answers_out_of_order_are_matched_by_id() {
        let server = peer(3, None).await;
        let mut reqs = Echo {
            retry: vec![],
            next_id: 0,
        };
        let got = run(&[server], 9, &mut reqs, &settings()).await;
        let want: Vec<(u8, u32)> = (0..9).map(|i| (i, 1)).collect();
        assert_eq!(answered(&got.fates), want);
        assert_eq!(got.connections, 1);
    }

    #[tokio::test]
    async fn a_retry_is_written_again_and_halves_the_window() {
        let server = peer(1, None).await;
        let mut reqs = Echo {
            retry: vec![2],
            next_id: 0,
        };
        let got = run(&[server], 5, &mut reqs, &settings()).await;
        let a = answered(&got.fates);
        assert_eq!(a[2], (2, 2));
        assert_eq!(a[4], (4, 1));
    }

    #[tokio::test]
    async fn a_lost_connection_is_opened_again_and_unanswered_requests_resent() {
        // The first connection dies at the 2nd request: requests 0 and 1 are written again.
        let server = peer(1, Some(2)).await;
        let mut reqs = Echo {
            retry: vec![],
            next_id: 0,
        };
        let got = run(&[server], 4, &mut reqs, &settings()).await;
        let a = answered(&got.fates);
        assert_eq!(a.iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        assert!(a[1].1 == 2, "{a:?}");
        assert_eq!(got.connections, 2);
    }

    #[tokio::test]
    async fn a_server_that_closes_after_each_answer_is_followed() {
        // One answer per connection, then the connection is closed: more connections than the
        // reconnect limit, and everything is answered.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                if let Some(m) = read_frame(&mut s).await {
                    write_frame(&mut s, &m).await;
                }
                // Close politely (FIN after the answer), and read what is left so the close
                // does not turn into a reset that could discard the answer.
                let _ = s.shutdown().await;
                let mut rest = [0u8; 1024];
                while let Ok(Ok(n)) =
                    tokio::time::timeout(Duration::from_millis(200), s.read(&mut rest)).await
                {
                    if n == 0 {
                        break;
                    }
                }
            }
        });
        let mut reqs = Echo {
            retry: vec![],
            next_id: 0,
        };
        let got = run(&[addr], 6, &mut reqs, &settings()).await;
        assert_eq!(answered(&got.fates).len(), 6);
        assert!(got.connections > 3, "{}", got.connections);
    }

    #[tokio::test]
    async fn no_server_means_nothing_sent() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let mut reqs = Echo {
            retry: vec![],
            next_id: 0,
        };
        let got = run(&[addr], 2, &mut reqs, &settings()).await;
        assert!(matches!(got.fates[0], Fate::NotSent(Some(Failure::Io(_)))));
        assert_eq!(got.connections, 0);
    }

    #[tokio::test]
    async fn a_request_that_cannot_be_built_is_invalid() {
        let server = peer(1, None).await;
        let mut reqs = Echo {
            retry: vec![],
            next_id: 0,
        };
        let got = run(&[server], 100, &mut reqs, &settings()).await;
        assert!(matches!(got.fates[99], Fate::Invalid(_)));
        assert!(matches!(got.fates[98], Fate::Answered { answer: 98, .. }));
    }
}
