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

/// Send one request and read length-prefixed messages until one is accepted.
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
    let mut stream = timeout_at(deadline, connect(server, config.local))
        .await
        .map_err(|_| Failure::TimedOut)?
        .map_err(io)?;
    tracing::debug!(%server, bytes = request.len(), "sending over TCP");
    let mut framed = Vec::with_capacity(request.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(request);
    *sends += 1;
    timeout_at(deadline, stream.write_all(&framed))
        .await
        .map_err(|_| Failure::TimedOut)?
        .map_err(io)?;
    let mut last_rejection = None;
    loop {
        let mut len = [0u8; 2];
        match timeout_at(deadline, stream.read_exact(&mut len)).await {
            Err(_) => return Err(give_up(last_rejection)),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(last_rejection.map_or(Failure::Closed, Failure::OnlyRejected));
            }
            Ok(Err(e)) => return Err(io(e)),
            Ok(Ok(_)) => {}
        }
        let mut message = vec![0u8; usize::from(u16::from_be_bytes(len))];
        match timeout_at(deadline, stream.read_exact(&mut message)).await {
            Err(_) => return Err(give_up(last_rejection)),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(Failure::Closed);
            }
            Ok(Err(e)) => return Err(io(e)),
            Ok(Ok(_)) => {}
        }
        match accept(&message) {
            Verdict::Accept((v, _truncated)) => return Ok(v),
            Verdict::Ignore(why) => {
                tracing::debug!(%server, %why, "ignoring a TCP message");
                last_rejection = Some(why);
            }
        }
    }
}
