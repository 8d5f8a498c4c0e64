//! Moving DNS messages: UDP with retries and TC->TCP fallback, TCP, server failover.
//!
//! The transport knows nothing about UPDATE or TSIG. The caller passes an `accept` function that
//! looks at each datagram or TCP message and says whether it is THE answer (ID, opcode, zone and
//! TSIG checked by the caller); everything else (stray, garbled, forged) is ignored and the
//! transport keeps waiting until the per-try timeout. RFC 1035 section 4.2 (UDP and TCP framing),
//! RFC 2136 section 6.2 and RFC 7766 (TCP use), RFC 7858 (DNS over TLS, in `tls`).

pub mod https;
pub mod pipeline;
mod tcp;
pub mod tls;
mod udp;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::Instant;

/// The largest request we send over UDP (RFC 1035 section 2.3.4, no EDNS).
pub const MAX_UDP_REQUEST: usize = 512;

/// How to reach the servers.
#[derive(Debug, Clone)]
pub struct Config {
    /// Use TCP only (nsupdate `-v`, knsupdate `-T`).
    pub tcp: bool,
    /// How long to wait for one UDP answer before resending (nsupdate `-u`, default 3 s).
    pub udp_interval: Duration,
    /// How many times to resend over UDP after the first try (nsupdate `-r`, default 3).
    pub udp_retries: u32,
    /// The whole exchange with one server must finish within this (nsupdate `-t`, default 300 s).
    pub timeout: Duration,
    /// Source address (and port, 0 for any) to send from.
    pub local: Option<SocketAddr>,
    /// DNS over TLS (RFC 7858) instead of UDP/TCP; it keeps connections for the next send.
    pub tls: Option<Arc<tls::Tls>>,
    /// DNS over HTTPS (RFC 8484) to one URL instead of the servers; takes precedence.
    pub https: Option<Arc<https::Https>>,
    /// Sockets kept for the next exchange of the same run (a script's sends); `None`: a new
    /// socket or connection every time.
    pub reuse: Option<Arc<Reuse>>,
}

/// The server and the source address a socket was made for.
type SocketKey = (SocketAddr, Option<SocketAddr>);

/// Sockets kept from one exchange to the next within one run, as knsupdate keeps its socket
/// across the sends of a script: one UDP socket and one idle TCP connection per server and
/// source address. (DoT connections are kept by [`tls::Tls`].) A new socket and connection per
/// send cost a script of 10,000 sends more than knsupdate's whole run. Answers are still
/// matched by ID, question and TSIG, so a late answer to an earlier send is ignored. A kept TCP
/// connection the server has closed meanwhile is replaced once, and the request sent again.
/// The script runner passes it only for signed messages: an unsigned exchange gets a new
/// socket (a new random source port) every time, since its answer is believed on ID and
/// question alone.
#[derive(Debug, Default)]
pub struct Reuse {
    udp: Mutex<HashMap<SocketKey, tokio::net::UdpSocket>>,
    tcp: Mutex<HashMap<SocketKey, tokio::net::TcpStream>>,
}

impl Reuse {
    fn take_udp(&self, key: SocketKey) -> Option<tokio::net::UdpSocket> {
        self.udp
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key)
    }

    fn keep_udp(&self, key: SocketKey, socket: tokio::net::UdpSocket) {
        self.udp
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, socket);
    }

    fn take_tcp(&self, key: SocketKey) -> Option<tokio::net::TcpStream> {
        self.tcp
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key)
    }

    fn keep_tcp(&self, key: SocketKey, stream: tokio::net::TcpStream) {
        self.tcp
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, stream);
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tcp: false,
            udp_interval: Duration::from_secs(3),
            udp_retries: 3,
            timeout: Duration::from_secs(300),
            local: None,
            tls: None,
            https: None,
            reuse: None,
        }
    }
}

/// What the caller decides about one received message.
#[derive(Debug)]
pub enum Verdict<T> {
    /// This is the answer.
    Accept(T),
    /// Not the answer (wrong ID, garbled, unsigned or badly signed...): keep waiting.
    /// The reason is kept to explain a final failure.
    Ignore(String),
}

/// Why one server gave no acceptable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing acceptable arrived in time.
    TimedOut,
    /// Messages arrived but none was acceptable; the last reason is kept.
    OnlyRejected(String),
    /// The network said no (connection refused, unreachable, ...).
    Io(String),
    /// The server closed the TCP connection before answering.
    Closed,
    /// The TLS session could not be set up or broke: untrusted certificate, wrong name, no TLS
    /// on that port, ALPN or client certificate refused. The text says which.
    Tls(String),
    /// A DoH endpoint answered with an HTTP error or something that is not a DNS message.
    Http(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimedOut => f.write_str("timed out"),
            Self::OnlyRejected(why) => write!(f, "no acceptable answer ({why})"),
            Self::Io(e) => f.write_str(e),
            Self::Closed => f.write_str("connection closed before an answer"),
            Self::Tls(e) | Self::Http(e) => f.write_str(e),
        }
    }
}

/// No server gave an acceptable answer. One entry per server tried, in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(.0))]
pub struct NoAnswer(pub Vec<(SocketAddr, Failure)>);

fn describe(tries: &[(SocketAddr, Failure)]) -> String {
    if tries.is_empty() {
        return "no server address to send to".into();
    }
    tries
        .iter()
        .map(|(addr, why)| format!("{addr}: {why}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl NoAnswer {
    /// True if some server answered, but only with messages that failed verification.
    pub fn only_rejected(&self) -> bool {
        self.0
            .iter()
            .any(|(_, f)| matches!(f, Failure::OnlyRejected(_)))
    }
}

/// An answer and where it came from.
#[derive(Debug)]
pub struct Answered<T> {
    /// The server that answered.
    pub server: SocketAddr,
    /// What the `accept` function made of the answer.
    pub value: T,
    /// True if the answer came over TCP (or TLS, which runs over TCP).
    pub tcp: bool,
    /// How many times the request was sent in all (UDP resends, TCP, other servers). More than
    /// one means an earlier copy may have been applied even though its answer never arrived.
    pub sends: u32,
}

/// Send `request` to each server in turn until one gives an accepted answer.
///
/// `accept` returns `(value, truncated)`: a truncated UDP answer (TC bit) makes the transport ask
/// the same server again over TCP. Requests larger than [`MAX_UDP_REQUEST`] always use TCP.
pub async fn exchange<T, F>(
    servers: &[SocketAddr],
    request: &[u8],
    config: &Config,
    mut accept: F,
) -> Result<Answered<T>, NoAnswer>
where
    F: FnMut(&[u8]) -> Verdict<(T, bool)>,
{
    let mut failures = Vec::new();
    let mut sends = 0;
    if let Some(h) = &config.https {
        let deadline = after(config.timeout);
        return match https::exchange(h, request, deadline, &mut sends, &mut accept).await {
            Ok((server, value)) => Ok(Answered {
                server,
                value,
                tcp: true,
                sends,
            }),
            Err(failure) => Err(NoAnswer(vec![failure])),
        };
    }
    for &server in servers {
        let deadline = after(config.timeout);
        let use_tcp = config.tcp || request.len() > MAX_UDP_REQUEST;
        let result = if let Some(tls) = &config.tls {
            tls::exchange(
                tls,
                server,
                request,
                config,
                deadline,
                &mut sends,
                &mut accept,
            )
            .await
            .map(|v| (v, true))
        } else if use_tcp {
            tcp::exchange(server, request, config, deadline, &mut sends, &mut accept)
                .await
                .map(|v| (v, true))
        } else {
            match udp::exchange(server, request, config, deadline, &mut sends, &mut accept).await {
                Ok((_, true)) => {
                    tracing::debug!(%server, "answer truncated, retrying over TCP");
                    tcp::exchange(server, request, config, deadline, &mut sends, &mut accept)
                        .await
                        .map(|v| (v, true))
                }
                Ok((v, false)) => Ok((v, false)),
                Err(e) => Err(e),
            }
        };
        match result {
            Ok((value, tcp)) => {
                return Ok(Answered {
                    server,
                    value,
                    tcp,
                    sends,
                });
            }
            Err(failure) => {
                tracing::debug!(%server, %failure, "no answer, trying the next server");
                failures.push((server, failure));
            }
        }
    }
    Err(NoAnswer(failures))
}

/// `now + d`, saturating far in the future instead of overflowing on absurd durations.
fn after(d: std::time::Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .unwrap_or_else(|| now + std::time::Duration::from_secs(86_400 * 365))
}

/// The outcome of waiting: what was accepted, or why nothing was.
fn give_up(last_rejection: Option<String>) -> Failure {
    match last_rejection {
        Some(why) => Failure::OnlyRejected(why),
        None => Failure::TimedOut,
    }
}

#[cfg(test)]
mod tests;
