//! One TCP exchange (RFC 1035 section 4.2.2 framing, RFC 7766).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{Instant, timeout_at};

use super::{Config, Failure, Verdict, give_up};

pub(super) async fn connect(
    server: SocketAddr,
    local: Option<SocketAddr>,
) -> std::io::Result<TcpStream> {
    let socket = match server {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    if let Some(local) = local {
        socket.bind(local)?;
    } else {
        let any: SocketAddr = match server {
            SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        socket.bind(any)?;
    }
    socket.connect(server).await
}

/// How one round on a connection ended.
enum Round<T> {
    Done(T, TcpStream),
    /// A kept connection was found closed before anything came back: try a new one.
    Stale,
    Failed(Failure),
}

/// Send one request and read length-prefixed messages until one is accepted; on a kept
/// connection ([`super::Reuse`]) when there is one.
pub(super) async fn exchange<T, F>(
    server: SocketAddr,
    request: &[u8],
    config: &Config,
    deadline: Instant,
    sends: &mut u32,
    accept: &mut F,
) -> Result<T, Failure>
where
    F: FnMut(&[u8]) -> Verdict<(T, bool)>,
{
    let io = |e: std::io::Error| Failure::Io(e.to_string());
    let len = u16::try_from(request.len())
        .map_err(|_| Failure::Io("request larger than 65535 bytes".into()))?;
    let mut framed = Vec::with_capacity(request.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(request);
    let key = (server, config.local);
    let keep = |stream: TcpStream| {
        if let Some(reuse) = &config.reuse {
            reuse.keep_tcp(key, stream);
        }
    };
    if let Some(stream) = config.reuse.as_ref().and_then(|r| r.take_tcp(key)) {
        tracing::debug!(%server, "reusing the TCP connection");
        match round(stream, server, &framed, deadline, sends, accept, true).await {
            Round::Done(v, stream) => {
                keep(stream);
                return Ok(v);
            }
            Round::Failed(f) => return Err(f),
            Round::Stale => {
                // The server had closed it: that copy was never read.
                *sends -= 1;
                tracing::debug!(%server, "kept TCP connection was closed");
            }
        }
    }
    let stream = timeout_at(deadline, connect(server, config.local))
        .await
        .map_err(|_| Failure::TimedOut)?
        .map_err(io)?;
    match round(stream, server, &framed, deadline, sends, accept, false).await {
        Round::Done(v, stream) => {
            keep(stream);
            Ok(v)
        }
        Round::Failed(f) => Err(f),
        Round::Stale => Err(Failure::Closed),
    }
}

async fn round<T, F>(
    mut stream: TcpStream,
    server: SocketAddr,
    framed: &[u8],
    deadline: Instant,
    sends: &mut u32,
    accept: &mut F,
    reused: bool,
) -> Round<T>
where
    F: FnMut(&[u8]) -> Verdict<(T, bool)>,
{
    let io = |e: std::io::Error| Failure::Io(e.to_string());
    let closed = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::BrokenPipe
        )
    };
    tracing::debug!(%server, bytes = framed.len() - 2, "sending over TCP");
    *sends += 1;
    match timeout_at(deadline, stream.write_all(framed)).await {
        Err(_) => return Round::Failed(Failure::TimedOut),
        Ok(Err(_)) if reused => return Round::Stale,
        Ok(Err(e)) => return Round::Failed(io(e)),
        Ok(Ok(())) => {}
    }
    let mut last_rejection = None;
    let mut received = false;
    loop {
        let mut len = [0u8; 2];
        match timeout_at(deadline, stream.read_exact(&mut len)).await {
            Err(_) => return Round::Failed(give_up(last_rejection)),
            Ok(Err(e)) if reused && !received && closed(&e) => return Round::Stale,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Round::Failed(
                    last_rejection.map_or(Failure::Closed, Failure::OnlyRejected),
                );
            }
            Ok(Err(e)) => return Round::Failed(io(e)),
            Ok(Ok(_)) => {}
        }
        received = true;
        let mut message = vec![0u8; usize::from(u16::from_be_bytes(len))];
        match timeout_at(deadline, stream.read_exact(&mut message)).await {
            Err(_) => return Round::Failed(give_up(last_rejection)),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Round::Failed(Failure::Closed);
            }
            Ok(Err(e)) => return Round::Failed(io(e)),
            Ok(Ok(_)) => {}
        }
        match accept(&message) {
            Verdict::Accept((v, _truncated)) => return Round::Done(v, stream),
            Verdict::Ignore(why) => {
                tracing::debug!(%server, %why, "ignoring a TCP message");
                last_rejection = Some(why);
            }
        }
    }
}
