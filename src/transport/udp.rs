//! One UDP exchange with retries (RFC 1035 section 4.2.1).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout_at};

use super::{Config, Failure, Verdict, give_up};

/// Largest datagram we read; bigger answers are cut by the kernel and fail to parse (ignored).
const MAX_DATAGRAM: usize = 65535;

async fn bind(server: SocketAddr, local: Option<SocketAddr>) -> std::io::Result<UdpSocket> {
    let local = local.unwrap_or(match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    });
    let socket = UdpSocket::bind(local).await?;
    // A connected socket makes the kernel drop datagrams from any other address.
    socket.connect(server).await?;
    Ok(socket)
}

/// Returns the accepted value and whether the answer was truncated.
pub(super) async fn exchange<T, F>(
    server: SocketAddr,
    request: &[u8],
    config: &Config,
    deadline: Instant,
    sends: &mut u32,
    accept: &mut F,
) -> Result<(T, bool), Failure>
where
    F: FnMut(&[u8]) -> Verdict<(T, bool)>,
{
    let key = (server, config.local);
    let socket = match config.reuse.as_ref().and_then(|r| r.take_udp(key)) {
        Some(socket) => socket,
        None => bind(server, config.local)
            .await
            .map_err(|e| Failure::Io(e.to_string()))?,
    };
    let result = on_socket(&socket, server, request, config, deadline, sends, accept).await;
    if let Some(reuse) = &config.reuse
        && !matches!(result, Err(Failure::Io(_)))
    {
        reuse.keep_udp(key, socket);
    }
    result
}

async fn on_socket<T, F>(
    socket: &UdpSocket,
    server: SocketAddr,
    request: &[u8],
    config: &Config,
    deadline: Instant,
    sends: &mut u32,
    accept: &mut F,
) -> Result<(T, bool), Failure>
where
    F: FnMut(&[u8]) -> Verdict<(T, bool)>,
{
    // Capacity only: `recv_buf` reads into the spare capacity, so the 64 KiB are neither
    // zeroed nor touched beyond what a datagram fills (a one-shot update gets a ~100-byte
    // answer; zeroing cost a dozen page faults).
    let mut buf: Vec<u8> = Vec::with_capacity(MAX_DATAGRAM);
    let mut last_rejection = None;
    for attempt in 0..=config.udp_retries {
        if Instant::now() >= deadline {
            break;
        }
        tracing::debug!(%server, attempt, bytes = request.len(), "sending over UDP");
        // An ICMP error (e.g. port unreachable) surfaces on send or recv; if a rejected answer
        // came earlier, that rejection is the more useful thing to report.
        let fail = |e: std::io::Error, last: Option<String>| {
            last.map_or(Failure::Io(e.to_string()), Failure::OnlyRejected)
        };
        *sends += 1;
        if let Err(e) = socket.send(request).await {
            return Err(fail(e, last_rejection));
        }
        let try_deadline = super::after(config.udp_interval).min(deadline);
        loop {
            buf.clear();
            match timeout_at(try_deadline, socket.recv_buf(&mut buf)).await {
                Err(_elapsed) => break,
                Ok(Err(e)) => return Err(fail(e, last_rejection)),
                Ok(Ok(_)) => {}
            }
            match accept(&buf) {
                Verdict::Accept(v) => return Ok(v),
                Verdict::Ignore(why) => {
                    tracing::debug!(%server, %why, "ignoring a datagram");
                    last_rejection = Some(why);
                }
            }
        }
    }
    Err(give_up(last_rejection))
}
