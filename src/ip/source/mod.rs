//! Address sources, as configured (serde), and [`detect`]: ask one source for the address of
//! one family.
//!
//! Sources only report what they see; whether an address may be published is decided later by
//! [`check_publishable`](super::check_publishable) and agreement between sources by
//! [`decide`](super::decide). The one exception is choosing among a host's own addresses
//! ([`SourceSpec::Interface`], [`SourceSpec::Prefix`]), which needs the record's `allow` list to
//! prefer a public address over a LAN one: [`detect_allowing`].

mod command;
mod dns;
pub(crate) mod http;
pub mod router;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::filter::Scope;
use super::iface::{ChooseError, choose_addr};
use super::suffix::{Suffix, compose};
use super::{Family, netlink};

pub use dns::{DnsEcho, dns_servers};
pub use http::BUILTIN_URLS;

/// One address source, as written in the configuration (`type = "http"`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SourceSpec {
    /// HTTPS echo services, tried in order until one answers. `None`: [`BUILTIN_URLS`].
    /// HTTPS only, certificates always verified; `ca_file` (PEM) adds trusted roots for a
    /// private echo service.
    Http {
        /// The URLs to try in order.
        urls: Option<Vec<String>>,
        /// Extra root certificates (PEM).
        ca_file: Option<PathBuf>,
    },
    /// A DNS echo service: one datagram instead of a TLS handshake.
    Dns {
        /// Which service (and so which question).
        kind: DnsEcho,
        /// Servers to ask instead of the service's own ([`dns_servers`]), used as given: to
        /// learn an IPv6 address they must be reached over IPv6.
        servers: Option<Vec<SocketAddr>>,
    },
    /// This host's own address on an interface (any interface if `None`), chosen by its
    /// kernel flags ([`choose`](super::choose)).
    Interface {
        /// The interface name.
        name: Option<String>,
    },
    /// A program run without a shell, which prints one address. It gets the family asked for
    /// in `DNSUP_FAMILY` (`ipv4` / `ipv6`) and is killed (with its process group) on timeout.
    Command {
        /// The program and its arguments.
        argv: Vec<String>,
        /// Kill it after this long (`timeout = "5s"`; `timeout_secs = 5`, the older spelling,
        /// is read the same); default and maximum: the detection timeout.
        #[serde(
            default,
            alias = "timeout_secs",
            deserialize_with = "crate::daemon::config::opt_duration"
        )]
        timeout: Option<Duration>,
    },
    /// A fixed address (no address of the other family).
    Static {
        /// The address.
        address: IpAddr,
    },
    /// IPv6 only: the first `prefix_len` bits of this host's chosen address on `interface`,
    /// then the host part `suffix`. For records of other hosts on the LAN.
    Prefix {
        /// The interface whose address gives the prefix (any if `None`).
        interface: Option<String>,
        /// How many leading bits to keep.
        prefix_len: u8,
        /// The host part.
        suffix: Suffix,
    },
    /// IPv4 only: the home router's WAN address by NAT-PMP (RFC 6886).
    Natpmp {
        /// The router (default: the IPv4 default route's gateway).
        gateway: Option<Ipv4Addr>,
    },
    /// IPv4 only: the home router's WAN address by PCP (RFC 6887), from a short-lived MAP.
    Pcp {
        /// The router (default: the IPv4 default route's gateway).
        gateway: Option<Ipv4Addr>,
    },
    /// IPv4 only: the home router's WAN address by UPnP IGD (SSDP, then SOAP
    /// `GetExternalIPAddress`).
    Upnp {
        /// The router (default: the IPv4 default route's gateway); SSDP answers are taken
        /// from it only.
        gateway: Option<Ipv4Addr>,
    },
}

impl SourceSpec {
    /// For the router sources: the configured gateway (`None` inside: the default route's).
    pub fn router_gateway(&self) -> Option<Option<Ipv4Addr>> {
        match self {
            SourceSpec::Natpmp { gateway }
            | SourceSpec::Pcp { gateway }
            | SourceSpec::Upnp { gateway } => Some(*gateway),
            _ => None,
        }
    }
}

impl SourceSpec {
    /// What the configuration check can tell without asking the source: the same refusals a
    /// pass would meet, reported before the daemon starts.
    pub fn check(&self) -> Result<(), String> {
        match self {
            SourceSpec::Http { urls, .. } => {
                if !cfg!(feature = "https") {
                    return Err(format!("type 'http': {}", http::NO_HTTPS));
                }
                let Some(urls) = urls else { return Ok(()) };
                if urls.is_empty() {
                    return Err("urls is empty (leave it out for the built-in services)".into());
                }
                for u in urls {
                    match reqwest::Url::parse(u) {
                        Ok(p) if p.scheme() == "https" => {}
                        Ok(p) => {
                            return Err(format!(
                                "'{}': only https URLs are allowed, not {} (an unauthenticated answer could be forged)",
                                super::text::redact_url(u),
                                p.scheme()
                            ));
                        }
                        Err(e) => {
                            return Err(format!(
                                "'{}': not a URL: {e}",
                                super::text::redact_url(u)
                            ));
                        }
                    }
                }
                Ok(())
            }
            SourceSpec::Command { argv, timeout } => {
                match argv.first() {
                    None => return Err("argv is empty: give the program and its arguments".into()),
                    Some(p) if p.is_empty() => return Err("argv[0] (the program) is empty".into()),
                    Some(_) => {}
                }
                match timeout {
                    Some(t) if *t < Duration::from_secs(1) || *t > Duration::from_secs(600) => {
                        Err(format!(
                            "timeout = {} s: must be between 1s and 10m",
                            t.as_secs_f64()
                        ))
                    }
                    _ => Ok(()),
                }
            }
            SourceSpec::Interface { name: Some(n) }
            | SourceSpec::Prefix {
                interface: Some(n), ..
            } if n.is_empty() || n.len() > 15 || n.contains(['/', ' ']) => Err(format!(
                "'{}' is not an interface name (at most 15 characters, no '/' or space)",
                n.escape_debug()
            )),
            SourceSpec::Prefix {
                prefix_len, suffix, ..
            } => suffix.check(*prefix_len).map_err(|e| e.to_string()),
            #[allow(unreachable_patterns)]
            _ => Ok(()),
        }
    }
}

/// What kind of failure a [`SourceError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceErrorKind {
    /// The source's configuration is unusable (no URL, empty argv, bad CA file...).
    Config,
    /// No answer within the timeout.
    Timeout,
    /// The network failed: connection refused, unreachable, TLS verification failed.
    Network,
    /// An answer that is not one address: HTTP error status, DNS error, garbage, exit status.
    Answer,
    /// An address of the other family than asked for.
    WrongFamily,
    /// Only addresses whose scope the record does not allow (interface sources).
    Refused,
    /// A local failure: netlink, starting a process.
    Local,
}

/// Why a source gave no address: which source, and why. Never contains a secret: URLs are
/// shown without query strings or user info, commands by their program name only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{label}: {reason}")]
pub struct SourceError {
    label: String,
    kind: SourceErrorKind,
    reason: String,
}

impl SourceError {
    pub(crate) fn new(spec: &SourceSpec, kind: SourceErrorKind, reason: impl Into<String>) -> Self {
        SourceError {
            label: describe(spec),
            kind,
            reason: reason.into(),
        }
    }

    /// The source's label ([`describe`]).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> SourceErrorKind {
        self.kind
    }

    /// Why, without the label.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Ask `spec` for its address of `family`, within `timeout`. `Ok(None)`: the source has no
/// address of that family (a static IPv4 address asked for IPv6, an interface without IPv6).
/// Interface sources consider public addresses only; see [`detect_allowing`].
pub async fn detect(
    spec: &SourceSpec,
    family: Family,
    timeout: Duration,
) -> Result<Option<IpAddr>, SourceError> {
    detect_allowing(spec, family, timeout, &[]).await
}

/// [`detect`], letting interface and prefix sources choose addresses of the `allow`ed scopes
/// (the record's `allow` list) when there is no public one.
pub async fn detect_allowing(
    spec: &SourceSpec,
    family: Family,
    timeout: Duration,
    allow: &[Scope],
) -> Result<Option<IpAddr>, SourceError> {
    match spec {
        // A command enforces its own deadline, so that it is killed rather than abandoned.
        SourceSpec::Command { argv, timeout: own } => {
            let limit = own.map_or(timeout, |own| own.min(timeout));
            command::detect(spec, argv, family, limit).await
        }
        _ => tokio::time::timeout(timeout, detect_within(spec, family, timeout, allow))
            .await
            .unwrap_or_else(|_| {
                Err(SourceError::new(
                    spec,
                    SourceErrorKind::Timeout,
                    format!("no answer within {}", seconds(timeout)),
                ))
            }),
    }
}

async fn detect_within(
    spec: &SourceSpec,
    family: Family,
    timeout: Duration,
    allow: &[Scope],
) -> Result<Option<IpAddr>, SourceError> {
    match spec {
        SourceSpec::Static { address } => Ok((Family::of(*address) == family).then_some(*address)),
        SourceSpec::Http { urls, ca_file } => {
            http::detect(spec, urls.as_deref(), ca_file.as_deref(), family, timeout).await
        }
        SourceSpec::Dns { kind, servers } => {
            dns::detect(spec, *kind, servers.as_deref(), family, timeout).await
        }
        SourceSpec::Interface { name } => {
            from_interface(spec, name.as_deref(), family, allow).await
        }
        SourceSpec::Prefix {
            interface,
            prefix_len,
            suffix,
        } => {
            if family == Family::V4 {
                return Ok(None);
            }
            suffix
                .check(*prefix_len)
                .map_err(|e| SourceError::new(spec, SourceErrorKind::Config, e.to_string()))?;
            let chosen = from_interface(spec, interface.as_deref(), family, allow).await?;
            Ok(chosen.map(|ip| match ip {
                IpAddr::V6(v6) => IpAddr::V6(compose(v6, *prefix_len, suffix)),
                IpAddr::V4(_) => ip,
            }))
        }
        SourceSpec::Command { argv, .. } => command::detect(spec, argv, family, timeout).await,
        SourceSpec::Natpmp { gateway }
        | SourceSpec::Pcp { gateway }
        | SourceSpec::Upnp { gateway } => {
            if family == Family::V6 {
                return Ok(None);
            }
            from_router(spec, *gateway, allow).await
        }
    }
}

/// What the router says, refused (with a hint) when it is not a public address: a router
/// behind another NAT (double NAT, CGNAT) or without a WAN connection says a private, shared or
/// unspecified address, which is not this network's public address.
async fn from_router(
    spec: &SourceSpec,
    gateway: Option<Ipv4Addr>,
    allow: &[Scope],
) -> Result<Option<IpAddr>, SourceError> {
    let fail = |(kind, why): router::Failure| SourceError::new(spec, kind, why);
    let gw = router::gateway(gateway).await.map_err(fail)?;
    let said = match spec {
        SourceSpec::Natpmp { .. } => router::natpmp_address(gw)
            .await
            .map(|a| Some(IpAddr::V4(a))),
        SourceSpec::Pcp { .. } => router::pcp_address(gw).await.map(Some),
        _ => router::upnp_address(gw).await,
    }
    .map_err(|(kind, why)| {
        // A router without a usable WAN address: the same advice as for a non-public one.
        let hint = if kind == SourceErrorKind::Refused {
            ECHO_HINT
        } else {
            ""
        };
        fail((kind, format!("router {gw}: {why}{hint}")))
    })?;
    let Some(ip) = said else {
        return Err(SourceError::new(
            spec,
            SourceErrorKind::Refused,
            format!("router {gw} has no WAN address (disconnected){ECHO_HINT}"),
        ));
    };
    if let Err(refusal) = super::check_publishable(ip, allow) {
        return Err(SourceError::new(
            spec,
            SourceErrorKind::Refused,
            format!(
                "router {gw} says {}, {}: it is behind another NAT (double NAT, CGNAT) or not \
                 connected{ECHO_HINT}",
                refusal.ip,
                refusal.scope.description()
            ),
        ));
    }
    Ok(Some(ip))
}

/// What to do when the router's own address is not the public one.
const ECHO_HINT: &str =
    "; use an echo source (type = \"http\" or \"dns\") to learn the public address";

/// The chosen address of `family`, or `None` if there is none at all.
async fn from_interface(
    spec: &SourceSpec,
    name: Option<&str>,
    family: Family,
    allow: &[Scope],
) -> Result<Option<IpAddr>, SourceError> {
    let addrs = netlink::dump_addresses().await.map_err(|e| {
        SourceError::new(
            spec,
            SourceErrorKind::Local,
            format!("reading addresses: {e}"),
        )
    })?;
    match choose_addr(&addrs, family, name, allow) {
        Ok(a) => Ok(Some(a.addr)),
        Err(ChooseError::NoAddress { skipped, .. }) => {
            tracing::debug!(source = %describe(spec), ?skipped, "no usable {family} address");
            Ok(None)
        }
        Err(e @ ChooseError::Refused(_)) => Err(SourceError::new(
            spec,
            SourceErrorKind::Refused,
            e.to_string(),
        )),
        Err(e) => Err(SourceError::new(
            spec,
            SourceErrorKind::Config,
            e.to_string(),
        )),
    }
}

/// "3 s", "1.5 s": a duration for messages.
pub(crate) fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// A short label for logs and `dnsup detect`: `http api.ipify.org`, `dns opendns`,
/// `interface eth0`, `command myip`, `static 192.0.2.1`, `prefix /56 of eth0 + ::1234`.
/// It contains no secret (see [`SourceError`]).
pub fn describe(spec: &SourceSpec) -> String {
    match spec {
        SourceSpec::Http { urls: None, .. } => "http (built-in services)".to_string(),
        SourceSpec::Http {
            urls: Some(urls), ..
        } => match urls.as_slice() {
            [] => "http (no URL)".to_string(),
            [one] => format!("http {}", super::text::redact_url(one)),
            [first, rest @ ..] => format!(
                "http {} (+{} more)",
                super::text::redact_url(first),
                rest.len()
            ),
        },
        SourceSpec::Dns { kind, servers } => match servers.as_deref() {
            None | Some([]) => format!("dns {}", kind.name()),
            Some([one]) => format!("dns {} @{one}", kind.name()),
            Some([first, rest @ ..]) => {
                format!("dns {} @{first} (+{} more)", kind.name(), rest.len())
            }
        },
        SourceSpec::Interface { name } => match name {
            Some(name) => format!("interface {name}"),
            None => "interface (any)".to_string(),
        },
        SourceSpec::Command { argv, .. } => match argv.first() {
            Some(program) => format!("command {program}"),
            None => "command (empty)".to_string(),
        },
        SourceSpec::Static { address } => format!("static {address}"),
        SourceSpec::Prefix {
            interface,
            prefix_len,
            suffix,
        } => match interface {
            Some(i) => format!("prefix /{prefix_len} of {i} + {suffix}"),
            None => format!("prefix /{prefix_len} + {suffix}"),
        },
        SourceSpec::Natpmp { gateway } => router_label("natpmp", *gateway),
        SourceSpec::Pcp { gateway } => router_label("pcp", *gateway),
        SourceSpec::Upnp { gateway } => router_label("upnp", *gateway),
    }
}

fn router_label(protocol: &str, gateway: Option<Ipv4Addr>) -> String {
    match gateway {
        Some(gw) => format!("{protocol} @{gw}"),
        None => format!("{protocol} (default gateway)"),
    }
}
