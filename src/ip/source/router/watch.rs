//! Router events as triggers: NAT-PMP and PCP announcements (RFC 6886 section 3.2.1, RFC 6887
//! section 14.1.3) and UPnP GENA events (UDA 1.1 section 4). Like a netlink event, a trigger
//! only makes the daemon ask its sources again: nothing an announcement or event says is ever
//! published, so a forged one costs a re-check, never a wrong record.
//!
//! - Announcements: one UDP socket on port 5350, bound to the LAN interface
//!   (`SO_BINDTODEVICE`), member of 224.0.0.1 there; a datagram counts only if it comes from
//!   a watched gateway's port 5351 and reads as a NAT-PMP public-address announcement or a PCP
//!   ANNOUNCE.
//! - GENA: a callback listener on the LAN address only (port chosen by the kernel), a
//!   subscription to the WAN connection service renewed at half its timeout, unsubscribed on
//!   [`RouterWatch::close`]. A NOTIFY counts only from the gateway with the current SID.
//!   A router reboot loses its subscriptions: dnsup listens to the gateway's SSDP
//!   advertisements on the LAN and subscribes again when its `BOOTID.UPNP.ORG` changes (or
//!   when a renewal fails), and re-checks then, since events may have been missed.
//!
//! Announcements are sent once and never repeated (and a GENA NOTIFY may be lost): the poll
//! stays the safety net.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::time::{Instant, sleep_until, timeout};

use super::{Failure, http_body, http_client, natpmp, pcp, upnp};
use crate::ip::SourceSpec;

/// The GENA subscription length asked for (the router may grant another).
const SUBSCRIBE_SECS: u32 = 1800;
/// Wait this long before trying again when subscribing failed; doubled after each failure up
/// to [`RETRY_MAX`].
const RETRY: Duration = Duration::from_secs(30);
const RETRY_MAX: Duration = Duration::from_secs(1800);
/// An SSDP advertisement makes dnsup subscribe again at most this often (a LAN host claiming
/// to be the router and announcing new boot IDs cannot make a SUBSCRIBE storm). One that comes
/// sooner is not dropped: the new subscription is deferred to the end of the gap.
const ADVERTISED_GAP: Duration = Duration::from_secs(10);
/// The most time finding the service and subscribing (or renewing) may take.
const SUBSCRIBE_WITHIN: Duration = Duration::from_secs(10);
/// The most time a NOTIFY may take to arrive in full.
const NOTIFY_READ: Duration = Duration::from_secs(2);
/// Triggers are rationed by a token bucket: a burst of [`BURST`] passes at once (a router sends
/// an announcement when the old address goes and another when the new one comes), then one per
/// [`REFILL`]. A LAN host flooding forged announcements costs at most 4 re-checks per second.
const BURST: u32 = 4;
const REFILL: Duration = Duration::from_millis(250);

/// What the daemon listens to on the LAN for router changes.
pub struct RouterWatch {
    announce: Option<Announcements>,
    gena: Option<Gena>,
    /// Triggers that may be returned now, and when the bucket was last topped up.
    tokens: u32,
    refilled: Instant,
}

struct Announcements {
    socket: UdpSocket,
    gateways: Vec<Ipv4Addr>,
}

struct Gena {
    gateway: Ipv4Addr,
    lan: Ipv4Addr,
    listener: TcpListener,
    ssdp: Option<UdpSocket>,
    sub: Option<Active>,
    /// Subscribe (again) at this time when `sub` is `None`.
    retry_at: Instant,
    /// Failed attempts in a row (for the back-off).
    failures: u32,
    /// When an advertisement last made dnsup subscribe again.
    advertised: Option<Instant>,
    /// An advertisement came within [`ADVERTISED_GAP`] of the last one followed: subscribe
    /// again (for this reason) when the gap ends.
    deferred: Option<&'static str>,
    /// A NOTIFY being read (one at a time; others wait in the listen queue).
    notify: Option<Notify>,
}

/// A connection to the callback listener, read across calls of [`Gena::next`]: the daemon
/// drops that future whenever its debounce timer or a signal fires, and a read kept in a local
/// would be lost with it (`read_buf` itself is cancel-safe).
struct Notify {
    stream: TcpStream,
    buf: Vec<u8>,
    deadline: Instant,
}

struct Active {
    service: upnp::WanService,
    sid: String,
    boot_id: Option<u32>,
    renew_at: Instant,
}

impl RouterWatch {
    /// Set up listening for the router sources among `sources`; `None` if there are none or
    /// nothing could be set up (then the daemon polls, and says so).
    pub async fn new<'a>(sources: impl IntoIterator<Item = &'a SourceSpec>) -> Option<Self> {
        let mut announce_gateways = Vec::new();
        let mut upnp_gateway = None;
        for spec in sources {
            let Some(configured) = spec.router_gateway() else {
                continue;
            };
            let gw = match super::gateway(configured).await {
                Ok(gw) => gw,
                Err((_, why)) => {
                    tracing::warn!("router events: {why}; polling only");
                    continue;
                }
            };
            match spec {
                SourceSpec::Upnp { .. } => upnp_gateway = upnp_gateway.or(Some(gw)),
                _ if !announce_gateways.contains(&gw) => announce_gateways.push(gw),
                _ => {}
            }
        }
        let announce = match announce_gateways.first() {
            Some(gw) => match Announcements::new(*gw, announce_gateways.clone()).await {
                Ok(a) => Some(a),
                Err((_, why)) => {
                    tracing::warn!("no NAT-PMP/PCP announcements ({why}); polling only");
                    None
                }
            },
            None => None,
        };
        let gena = match upnp_gateway {
            Some(gw) => match Gena::new(gw).await {
                Ok(g) => Some(g),
                Err((_, why)) => {
                    tracing::warn!("no UPnP events ({why}); polling only");
                    None
                }
            },
            None => None,
        };
        if announce.is_none() && gena.is_none() {
            return None;
        }
        Some(RouterWatch {
            announce,
            gena,
            tokens: BURST,
            refilled: Instant::now(),
        })
    }

    /// Wait until the router may have changed its address: an announcement, an event, or a
    /// new subscription after a reboot. Subscriptions are kept alive meanwhile.
    pub async fn changed(&mut self) {
        self.refill();
        if self.tokens == 0 {
            sleep_until(self.refilled + REFILL).await;
            self.refill();
        }
        loop {
            let why = tokio::select! {
                w = async { match self.announce.as_ref() {
                    Some(a) => a.next().await,
                    None => std::future::pending().await,
                } } => w,
                w = async { match self.gena.as_mut() {
                    Some(g) => g.next().await,
                    None => std::future::pending().await,
                } } => w,
            };
            if let Some(why) = why {
                tracing::debug!("router event: {why}");
                self.tokens = self.tokens.saturating_sub(1);
                return;
            }
        }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        while self.tokens < BURST && now >= self.refilled + REFILL {
            self.tokens += 1;
            self.refilled += REFILL;
        }
        if self.tokens == BURST {
            self.refilled = now;
        }
    }

    /// Unsubscribe from GENA events (at shutdown or reload).
    pub async fn close(self) {
        if let Some(g) = self.gena {
            g.unsubscribe().await;
        }
    }
}

impl std::fmt::Debug for RouterWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterWatch")
            .field("announcements", &self.announce.is_some())
            .field("gena", &self.gena.is_some())
            .finish_non_exhaustive()
    }
}

/// The LAN interface towards `gateway`: our address there and the interface's name.
async fn lan_interface(gateway: Ipv4Addr) -> Result<(Ipv4Addr, String), Failure> {
    let lan = super::lan_address(gateway).await?;
    let addrs = crate::ip::netlink::dump_addresses()
        .await
        .map_err(|e| super::local(format!("reading addresses: {e}")))?;
    let name = addrs
        .into_iter()
        .find(|a| a.addr == IpAddr::V4(lan))
        .map(|a| a.ifname)
        .ok_or_else(|| super::local(format!("no interface holds {lan}")))?;
    Ok((lan, name))
}

/// A UDP socket on `port` of every address (others may listen there too), receiving only
/// what arrives on `ifname`, member of `group` there.
fn multicast_socket(
    port: u16,
    ifname: &str,
    group: Ipv4Addr,
    lan: Ipv4Addr,
) -> std::io::Result<UdpSocket> {
    let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    s.set_reuse_address(true)?;
    s.bind_device(Some(ifname.as_bytes()))?;
    s.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)).into())?;
    s.join_multicast_v4(&group, &lan)?;
    s.set_nonblocking(true)?;
    UdpSocket::from_std(s.into())
}

impl Announcements {
    async fn new(first: Ipv4Addr, gateways: Vec<Ipv4Addr>) -> Result<Self, Failure> {
        let (lan, ifname) = lan_interface(first).await?;
        let socket = multicast_socket(
            natpmp::ANNOUNCE_PORT,
            &ifname,
            Ipv4Addr::new(224, 0, 0, 1),
            lan,
        )
        .map_err(|e| super::local(format!("listening on port 5350 of {ifname}: {e}")))?;
        tracing::debug!(%ifname, ?gateways, "listening for NAT-PMP/PCP announcements");
        Ok(Announcements { socket, gateways })
    }

    /// The next datagram; `Some` if it is an announcement from a watched gateway.
    async fn next(&self) -> Option<String> {
        let mut buf = [0u8; pcp::MAX_MESSAGE + 4];
        let (n, from) = self.socket.recv_from(&mut buf).await.ok()?;
        let bytes = &buf[..n];
        let from_gateway = match from {
            SocketAddr::V4(a) => a.port() == natpmp::SERVER_PORT && self.gateways.contains(a.ip()),
            SocketAddr::V6(_) => false,
        };
        if !from_gateway {
            tracing::debug!(%from, "ignored a datagram on port 5350: not from the gateway");
            return None;
        }
        if let Ok(a) = natpmp::parse_answer(bytes) {
            return Some(format!(
                "NAT-PMP announcement from {from} (epoch {})",
                a.epoch
            ));
        }
        match pcp::parse_answer(bytes) {
            Ok(a) if a.opcode == pcp::OP_ANNOUNCE => {
                Some(format!("PCP ANNOUNCE from {from} (epoch {})", a.epoch))
            }
            _ => {
                tracing::debug!(%from, "ignored a datagram on port 5350: not an announcement");
                None
            }
        }
    }
}

impl Gena {
    async fn new(gateway: Ipv4Addr) -> Result<Self, Failure> {
        let (lan, ifname) = lan_interface(gateway).await?;
        let listener = TcpListener::bind((lan, 0))
            .await
            .map_err(|e| super::local(format!("callback listener on {lan}: {e}")))?;
        let ssdp = match multicast_socket(upnp::SSDP_ADDR.1, &ifname, upnp::SSDP_ADDR.0, lan) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(
                    "not listening to SSDP on {ifname} ({e}): a router reboot is noticed at the next renewal"
                );
                None
            }
        };
        // Subscribing happens in `next`, at once: the daemon's first pass does not wait for it,
        // and the new subscription triggers a re-check.
        Ok(Gena {
            gateway,
            lan,
            listener,
            ssdp,
            sub: None,
            retry_at: Instant::now(),
            failures: 0,
            advertised: None,
            deferred: None,
            notify: None,
        })
    }

    fn callback(&self) -> String {
        let port = self.listener.local_addr().map_or(0, |a| a.port());
        format!("<http://{}:{port}/dnsup>", self.lan)
    }

    /// Find the service and subscribe anew.
    async fn subscribe(&mut self) -> Result<(), Failure> {
        self.sub = None;
        let (boot_id, service) = super::wan_service(self.gateway).await?;
        // The detection asks the same service (a rebooted router may have moved it).
        if let Ok(mut known) = super::services().lock() {
            known.insert(self.gateway, service.clone());
        }
        let request = http_client()?
            .request(method(b"SUBSCRIBE"), &service.event_url)
            .header("CALLBACK", self.callback())
            .header("NT", "upnp:event")
            .header("TIMEOUT", format!("Second-{SUBSCRIBE_SECS}"));
        let sub = send_subscribe(request).await?;
        tracing::info!(
            "UPnP: subscribed to {} events for {} s",
            service.service_type,
            sub.timeout
        );
        self.sub = Some(Active {
            service,
            sid: sub.sid,
            boot_id,
            renew_at: renew_at(sub.timeout),
        });
        Ok(())
    }

    async fn renew(&mut self) -> Result<(), Failure> {
        let Some(active) = self.sub.as_mut() else {
            return Err(super::local("no subscription"));
        };
        let request = http_client()?
            .request(method(b"SUBSCRIBE"), &active.service.event_url)
            .header("SID", &active.sid)
            .header("TIMEOUT", format!("Second-{SUBSCRIBE_SECS}"));
        let sub = send_subscribe(request).await?;
        active.renew_at = renew_at(sub.timeout);
        Ok(())
    }

    async fn unsubscribe(self) {
        let Some(active) = self.sub else { return };
        let Ok(client) = http_client() else { return };
        let request = client
            .request(method(b"UNSUBSCRIBE"), &active.service.event_url)
            .header("SID", &active.sid);
        match timeout(
            Duration::from_secs(2),
            http_body(request, 1024, "UNSUBSCRIBE"),
        )
        .await
        {
            Ok(Ok((200, _))) => tracing::debug!("UPnP: unsubscribed"),
            Ok(Ok((status, _))) => tracing::debug!("UPnP: UNSUBSCRIBE answered {status}"),
            Ok(Err((_, why))) => tracing::debug!("UPnP: UNSUBSCRIBE failed: {why}"),
            Err(_) => tracing::debug!("UPnP: UNSUBSCRIBE timed out"),
        }
    }

    /// Subscribe again now; `Some` (a reason to re-check) if it worked.
    async fn resubscribe(&mut self, why: &str) -> Option<String> {
        let done = timeout(SUBSCRIBE_WITHIN, self.subscribe())
            .await
            .unwrap_or_else(|_| Err(super::network("no answer in time")));
        match done {
            Ok(()) => {
                self.failures = 0;
                // A subscription made now also answers an advertisement still waiting.
                self.deferred = None;
                Some(format!("UPnP: subscribed ({why})"))
            }
            Err((_, e)) => {
                let wait = RETRY
                    .saturating_mul(1 << self.failures.min(6))
                    .min(RETRY_MAX);
                self.failures = self.failures.saturating_add(1);
                tracing::warn!("UPnP: cannot subscribe ({e}); trying again in {wait:?}");
                self.retry_at = Instant::now() + wait;
                None
            }
        }
    }

    /// When an advertisement may next make dnsup subscribe again (`None`: now).
    fn may_follow_at(&self) -> Option<Instant> {
        self.advertised.map(|t| t + ADVERTISED_GAP)
    }

    /// Follow an advertisement that calls for a new subscription: now, or at the end of the
    /// gap (then `None` now).
    async fn follow_advertisement(&mut self, why: &'static str) -> Option<String> {
        if self.may_follow_at().is_some_and(|at| Instant::now() < at) {
            if self.deferred.is_none() {
                tracing::info!(
                    "UPnP: {why}; subscribing again within {} s",
                    ADVERTISED_GAP.as_secs()
                );
            }
            self.deferred = Some(why);
            return None;
        }
        self.advertised = Some(Instant::now());
        self.deferred = None;
        tracing::info!("UPnP: {why}; subscribing again");
        self.resubscribe(why).await
    }

    /// The next thing that happens: `Some` when it is a reason to re-check.
    async fn next(&mut self) -> Option<String> {
        if self.notify.is_some() {
            return self.read_notify().await;
        }
        let due = match &self.sub {
            Some(a) => a.renew_at,
            None => self.retry_at,
        };
        let follow_at = match self.deferred {
            Some(_) => self.may_follow_at(),
            None => None,
        };
        let timer = follow_at.map_or(due, |at| at.min(due));
        let mut buf = vec![0u8; upnp::MAX_DATAGRAM + 1];
        tokio::select! {
            () = sleep_until(timer) => {
                if let Some(why) = self.deferred
                    && follow_at.is_none_or(|at| Instant::now() >= at)
                {
                    return self.follow_advertisement(why).await;
                }
                if Instant::now() < due {
                    return None;
                }
                if self.sub.is_none() {
                    return self.resubscribe("no subscription yet").await;
                }
                let renewed = timeout(SUBSCRIBE_WITHIN, self.renew())
                    .await
                    .unwrap_or_else(|_| Err(super::network("no answer in time")));
                match renewed {
                    Ok(()) => None,
                    Err((_, why)) => {
                        tracing::info!("UPnP: renewal failed ({why}); subscribing again");
                        self.resubscribe("the renewal failed").await
                    }
                }
            }
            accepted = self.listener.accept() => {
                let (stream, peer) = accepted.ok()?;
                if peer.ip() != IpAddr::V4(self.gateway) {
                    tracing::debug!(%peer, "UPnP: ignored a connection not from the gateway");
                    return None;
                }
                // Read on in the next calls (see `Notify`): a cancelled call loses nothing.
                self.notify = Some(Notify {
                    stream,
                    buf: Vec::with_capacity(1024),
                    deadline: Instant::now() + NOTIFY_READ,
                });
                None
            }
            received = async { match self.ssdp.as_ref() {
                Some(s) => s.recv_from(&mut buf).await,
                None => std::future::pending().await,
            } } => {
                let (n, from) = received.ok()?;
                if from.ip() != IpAddr::V4(self.gateway) {
                    return None;
                }
                let ad = upnp::parse_advertisement(&buf[..n]).ok()?;
                let known = self.sub.as_ref().and_then(|a| a.boot_id);
                match (ad.alive, ad.boot_id, &self.sub) {
                    (true, Some(new), Some(_)) if known.is_some_and(|k| k != new) => {
                        tracing::debug!("UPnP: boot ID {new} advertised (was {known:?})");
                        self.follow_advertisement("the router rebooted").await
                    }
                    (true, _, None) => self.follow_advertisement("the router is back").await,
                    _ => None,
                }
            }
        }
    }
}

fn method(name: &[u8]) -> reqwest::Method {
    // Both names are valid tokens, so this cannot fail; GET is never reached.
    reqwest::Method::from_bytes(name).unwrap_or(reqwest::Method::GET)
}

fn renew_at(timeout: u32) -> Instant {
    Instant::now() + Duration::from_secs(u64::from(timeout / 2).max(5))
}

async fn send_subscribe(request: reqwest::RequestBuilder) -> Result<upnp::Subscription, Failure> {
    let response = request
        .send()
        .await
        .map_err(crate::ip::source::http::request_error)?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(super::answer(format!("SUBSCRIBE answered HTTP {status}")));
    }
    let h = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    upnp::parse_subscription(h("sid").as_deref(), h("timeout").as_deref()).map_err(super::answer)
}

impl Gena {
    /// Read more of the pending NOTIFY; when it is complete, answer it and return it if it
    /// belongs to the current subscription.
    async fn read_notify(&mut self) -> Option<String> {
        let n = self.notify.as_mut()?;
        let read = tokio::time::timeout_at(n.deadline, n.stream.read_buf(&mut n.buf)).await;
        if !matches!(read, Ok(Ok(1..))) || n.buf.len() > upnp::MAX_DATAGRAM + upnp::MAX_BODY {
            tracing::debug!("UPnP: dropped an incomplete or oversized NOTIFY");
            self.notify = None;
            return None;
        }
        let (sid, start, length) = match upnp::parse_event_head(&n.buf) {
            Ok(upnp::EventHead::Partial) => return None,
            Ok(upnp::EventHead::Complete {
                sid,
                body_start,
                length,
            }) => (sid, body_start, length),
            Err(e) => {
                tracing::debug!("UPnP: ignored a request: {e}");
                self.notify = None;
                return None;
            }
        };
        if n.buf.len() < start + length {
            return None;
        }
        let n = self.notify.take()?;
        let ours = self.sub.as_ref().is_some_and(|a| a.sid == sid);
        let answer: &[u8] = if ours {
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        } else {
            b"HTTP/1.1 412 Precondition Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        };
        // A few bytes into an empty send buffer: no waiting, so nothing to cancel.
        let _ = n.stream.try_write(answer);
        if !ours {
            tracing::debug!("UPnP: ignored an event for an unknown subscription {sid:?}");
            return None;
        }
        match upnp::parse_event_body(sid, &n.buf[start..start + length]) {
            Ok(e) => Some(format!("UPnP event ({})", e.variables.join(", "))),
            Err(e) => {
                tracing::debug!("UPnP: ignored an event: {e}");
                None
            }
        }
    }
}
