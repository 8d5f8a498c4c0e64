//! systemd readiness and watchdog (sd_notify protocol: datagrams to $NOTIFY_SOCKET), without a
//! library: one unbound Unix datagram socket, nothing when systemd did not ask.

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

/// Where to send notifications, if systemd gave a socket.
#[derive(Debug)]
pub struct Notifier {
    socket: Option<(UnixDatagram, std::os::unix::net::SocketAddr)>,
}

impl Notifier {
    /// From the environment ($NOTIFY_SOCKET; `@name` is an abstract socket).
    pub fn from_env() -> Notifier {
        let socket = crate::environment::var_os("NOTIFY_SOCKET").and_then(|path| {
            let path = path.to_str()?.to_string();
            let addr = if let Some(abstract_name) = path.strip_prefix('@') {
                use std::os::linux::net::SocketAddrExt;
                std::os::unix::net::SocketAddr::from_abstract_name(abstract_name).ok()?
            } else {
                std::os::unix::net::SocketAddr::from_pathname(&path).ok()?
            };
            Some((UnixDatagram::unbound().ok()?, addr))
        });
        Notifier { socket }
    }

    /// Send one notification (e.g. `READY=1`); failures are only logged.
    pub fn send(&self, state: &str) {
        if let Some((sock, addr)) = &self.socket
            && let Err(e) = sock.send_to_addr(state.as_bytes(), addr)
        {
            tracing::debug!("sd_notify {state}: {e}");
        }
    }

    /// Half the watchdog period systemd asked for ($WATCHDOG_USEC), if any.
    pub fn watchdog_interval() -> Option<Duration> {
        let usec: u64 = crate::environment::var("WATCHDOG_USEC")?.parse().ok()?;
        (usec > 0).then(|| Duration::from_micros(usec / 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_reaches_the_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        let addr = std::os::unix::net::SocketAddr::from_pathname(&path).unwrap();
        let n = Notifier {
            socket: Some((UnixDatagram::unbound().unwrap(), addr)),
        };
        n.send("READY=1");
        let mut buf = [0u8; 64];
        let len = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"READY=1");
    }
}
