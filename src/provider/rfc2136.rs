//! The RFC 2136 provider: reads with a query to the primary (RD=0, TSIG-signed when a key is
//! set, so the answer is authentic), writes with one UPDATE guarded by prerequisites
//! (RFC 2136 section 2.4.2 value-dependent "RRset exists", or 2.4.3 "RRset does not exist").

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData};
use serde::Deserialize;

use super::build::Setup;
use super::{Applied, Capabilities, Guard, Provider, ProviderError, Rrset, RrsetKey};
use crate::client::{self, ClientError, Outcome, Signer};
use crate::discover;
use crate::transport;
use crate::tsig::{self, Key};
use crate::update::{Change, Prerequisite, Update};

/// `type = "rfc2136"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `HOST`, `HOST:PORT` or `[V6]:PORT`, in failover order.
    pub servers: Vec<String>,
    /// A TSIG key file (any format `dnsup --key-file` reads).
    pub key_file: Option<PathBuf>,
    /// Which key of the file.
    pub key_name: Option<String>,
    /// An environment variable holding `[ALG:]NAME:SECRET`.
    pub key_env: Option<String>,
    /// Use TCP only.
    #[serde(default)]
    pub tcp: bool,
    /// Give up on a server after this long (default 10 s).
    #[serde(
        default = "default_timeout",
        deserialize_with = "crate::daemon::config::duration"
    )]
    pub timeout: Duration,
    /// `"udp"` (default: UDP, TCP when needed or with `tcp = true`), `"tls"` (DNS over TLS,
    /// RFC 7858; servers default to port 853) or `"https"` (DNS over HTTPS, RFC 8484, to `url`).
    #[serde(default)]
    pub transport: Transport,
    /// The DoH endpoint for `transport = "https"`; `servers` are the addresses its host has.
    pub url: Option<String>,
    /// PEM CA file to trust instead of the system's roots (tls, https).
    pub ca_file: Option<PathBuf>,
    /// The name the server's certificate must carry (tls; default: the server's host name or
    /// address).
    pub tls_name: Option<String>,
    /// PEM client certificate and key for mutual TLS.
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

/// How the RFC 2136 provider reaches its servers. There is no way to turn certificate
/// checks off in the daemon.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// UDP, with TCP for large messages (or always with `tcp = true`).
    #[default]
    Udp,
    /// DNS over TLS.
    Tls,
    /// DNS over HTTPS.
    Https,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

/// An authoritative server (or several, for failover) reached with RFC 2136.
#[derive(Debug, Clone)]
pub struct Rfc2136 {
    /// Where to send, in order.
    pub servers: Vec<SocketAddr>,
    /// The TSIG key, if the server wants one.
    pub key: Option<Key>,
    /// Transport settings.
    pub config: transport::Config,
}

impl Rfc2136 {
    /// Load the key and resolve the servers of a configuration.
    pub async fn from_config(c: &Config, setup: &mut Setup) -> Result<Rfc2136, String> {
        if c.servers.is_empty() {
            return Err("servers is empty".into());
        }
        let key = match (&c.key_file, &c.key_env) {
            (Some(_), Some(_)) => return Err("give key_file or key_env, not both".into()),
            (Some(path), None) if setup.unchecked_credential_file(path) => None,
            (Some(path), None) => {
                if setup.strict_permissions
                    && let Some(w) = super::credential::loose_permissions(path)
                {
                    return Err(format!("refused: key file {w} (strict permissions are on)"));
                }
                let loaded =
                    tsig::load_key_file(path, c.key_name.as_deref()).map_err(|e| e.to_string())?;
                setup.warnings.extend(loaded.warnings);
                Some(loaded.key)
            }
            (None, Some(var)) => {
                let spec =
                    zeroize::Zeroizing::new(crate::environment::var(var).ok_or_else(|| {
                        format!("key_env: the environment variable {var} is not set")
                    })?);
                Some(tsig::parse_knot_line(&spec).map_err(|e| format!("key_env {var}: {e}"))?)
            }
            (None, None) => None,
        };
        let default_port = if c.transport == Transport::Tls {
            853
        } else {
            53
        };
        let mut servers = Vec::new();
        for s in &c.servers {
            let (host, port) = discover::split_server(s, default_port)?;
            match discover::resolve(&host, port).await {
                Ok(found) => servers.extend(found),
                // check-config: a name that does not resolve here and now may at run time.
                Err(e) if setup.check_only => setup
                    .warnings
                    .push(format!("server '{s}' does not resolve now ({e})")),
                Err(e) => return Err(e.to_string()),
            }
        }
        let (tls, https) = secure(c)?;
        if https.is_some() {
            // The URL's port is the one used; the addresses only say where its host is.
            servers = servers
                .into_iter()
                .map(|a| SocketAddr::new(a.ip(), 443))
                .collect();
        }
        let https = match https {
            Some(options) => {
                let url = c.url.as_deref().unwrap_or_default();
                Some(transport::https::build(url, &options, &servers)?)
            }
            None => None,
        };
        Ok(Rfc2136 {
            servers,
            key,
            config: transport::Config {
                tcp: c.tcp,
                udp_interval: Duration::from_secs(2).min(c.timeout),
                udp_retries: 2,
                timeout: c.timeout,
                local: None,
                tls,
                https,
            },
        })
    }
}

/// The DoT client, or the options for the DoH client, from the configuration.
type Secure = (
    Option<std::sync::Arc<transport::tls::Tls>>,
    Option<transport::tls::TlsOptions>,
);

fn secure(c: &Config) -> Result<Secure, String> {
    let server_name = c.tls_name.clone().or_else(|| {
        let first = c.servers.first()?;
        let (host, _) = discover::split_server(first, 853).ok()?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<std::net::IpAddr>()
            .is_err()
            .then(|| bare.trim_end_matches('.').to_string())
    });
    let options = |name: Option<String>| transport::tls::TlsOptions {
        ca_file: c.ca_file.clone(),
        server_name: name,
        client_cert: c.client_cert.clone(),
        client_key: c.client_key.clone(),
        insecure: false,
    };
    let any_tls_setting = c.ca_file.is_some()
        || c.tls_name.is_some()
        || c.client_cert.is_some()
        || c.client_key.is_some();
    match c.transport {
        Transport::Udp if any_tls_setting || c.url.is_some() => Err(
            "ca_file, tls_name, client_cert, client_key and url need transport = \"tls\" or \"https\""
                .into(),
        ),
        Transport::Udp => Ok((None, None)),
        Transport::Tls if c.url.is_some() => Err("url is for transport = \"https\"".into()),
        Transport::Tls => Ok((Some(transport::tls::build(&options(server_name))?), None)),
        Transport::Https if c.url.is_none() => {
            Err("transport = \"https\" needs url = \"https://HOST/dns-query\"".into())
        }
        Transport::Https if c.tls_name.is_some() => {
            Err("with transport = \"https\" the name checked is the url's host: drop tls_name".into())
        }
        Transport::Https => Ok((None, Some(options(None)))),
    }
}

fn client_error(e: ClientError) -> ProviderError {
    match e {
        ClientError::Network(n) => ProviderError::Network(n.to_string()),
        ClientError::Unverified(_) => ProviderError::Auth(e.to_string()),
        other => ProviderError::Protocol(other.to_string()),
    }
}

fn answer_error(o: &Outcome) -> ProviderError {
    let what = format!("{} answered {}", o.server, o.rcode_name());
    match (o.tsig_error, o.clock_skew()) {
        (Some(t @ crate::tsig::TsigRcode::BadTime), Some(skew)) => ProviderError::Auth(format!(
            "{what} ({t}): the server's clock is {} s {} ours; fix the clock of this machine or the server",
            skew.unsigned_abs(),
            if skew >= 0 { "ahead of" } else { "behind" }
        )),
        // The same explanations as the one-shot commands give (cli/report.rs).
        (Some(t @ crate::tsig::TsigRcode::BadSig), _) => ProviderError::Auth(format!(
            "{what} ({t}): the secret does not match the server's"
        )),
        (Some(t @ crate::tsig::TsigRcode::BadKey), _) => ProviderError::Auth(format!(
            "{what} ({t}): the server does not know this key name or algorithm"
        )),
        (Some(t), _) => ProviderError::Auth(format!("{what} ({t})")),
        (None, _) => {
            let hint = match o.rcode_name().as_str() {
                "REFUSED" => ": the server does not allow this update (key or policy)",
                "NOTAUTH" => {
                    ": the server is not authoritative for the zone, or the key is not accepted"
                }
                "NOTZONE" => ": a name is outside the zone",
                _ => "",
            };
            ProviderError::Refused(format!("{what}{hint}"))
        }
    }
}

impl Provider for Rfc2136 {
    fn label(&self) -> String {
        match self.servers.first() {
            Some(s) => format!("rfc2136 {s}"),
            None => "rfc2136".into(),
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            guard: Guard::Atomic,
            ..Capabilities::READ_WRITE
        }
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let signer = self.key.as_ref().map(Signer::new);
        discover::find_zone(name, &self.servers, signer, false, &self.config)
            .await
            .map(|z| z.zone)
            .map_err(|e| ProviderError::Refused(e.to_string()))
    }

    async fn read(&self, _zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let signer = self.key.as_ref().map(Signer::new);
        let o = client::query(
            &key.name,
            key.rtype,
            false,
            signer,
            &self.servers,
            &self.config,
        )
        .await
        .map_err(client_error)?;
        if o.tsig_error.is_some() {
            return Err(answer_error(&o));
        }
        match o.rcode() {
            ResponseCode::NoError | ResponseCode::NXDomain => {}
            _ => return Err(answer_error(&o)),
        }
        // Only the authoritative server's own data counts, never a cache's.
        if !o.response.metadata.authoritative {
            return Err(ProviderError::Protocol(format!(
                "{} is not authoritative for {}",
                o.server, key.name
            )));
        }
        let mut set = Rrset::default();
        for r in &o.response.answers {
            if r.record_type() == key.rtype && r.name.eq_ignore_root(&key.name) {
                set.ttl = Some(r.ttl);
                set.values.push(r.data.clone());
            }
        }
        Ok(set)
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let mut update = Update::new(zone.clone());
        let bad = |e: crate::update::UpdateError| ProviderError::Protocol(e.to_string());
        if expected.is_empty() {
            update
                .require(Prerequisite::RrsetAbsent(key.name.clone(), key.rtype))
                .map_err(bad)?;
        }
        for v in expected {
            update
                .require(Prerequisite::RrsetEquals(key.name.clone(), v.clone()))
                .map_err(bad)?;
        }
        update
            .change(Change::DeleteRrset(key.name.clone(), key.rtype))
            .map_err(bad)?;
        for v in new {
            update
                .change(Change::Add {
                    name: key.name.clone(),
                    ttl,
                    rdata: v.clone(),
                })
                .map_err(bad)?;
        }
        let signer = self.key.as_ref().map(Signer::new);
        let o = client::send_update(&update, signer, &self.servers, &self.config)
            .await
            .map_err(client_error)?;
        if o.tsig_error.is_some() {
            return Err(answer_error(&o));
        }
        match o.rcode() {
            ResponseCode::NoError => Ok(Applied::Done),
            ResponseCode::NXRRSet | ResponseCode::YXRRSet => Ok(Applied::Conflict(format!(
                "{} answered {}: {key} no longer holds what was read",
                o.server,
                o.rcode_name()
            ))),
            _ => Err(answer_error(&o)),
        }
    }
}
