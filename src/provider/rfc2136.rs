//! The RFC 2136 provider: reads with a query to the primary (RD=0, TSIG-signed when a key is
//! set, so the answer is authentic), writes with one UPDATE guarded by prerequisites
//! (RFC 2136 section 2.4.2 value-dependent "RRset exists", or 2.4.3 "RRset does not exist").

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData};
use serde::Deserialize;

use super::build::Setup;
use super::{Applied, Capabilities, Guard, Provider, ProviderError, Rrset, RrsetKey};
use crate::client::{self, ClientError, Outcome, Signer};
use crate::discover;
use crate::gss;
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
    /// `"tsig"` (the default: key_file or key_env, or unsigned without them) or `"gss"`:
    /// GSS-TSIG with Kerberos credentials from `keytab` (Active Directory, BIND with
    /// tkey-gssapi-keytab).
    pub auth: Option<String>,
    /// GSS: the keytab to get tickets from (a machine account `HOST$`, or `host/NAME@REALM`).
    /// Without it, the ticket cache of `KRB5CCNAME` or the client keytab of
    /// `KRB5_CLIENT_KTNAME`.
    pub keytab: Option<PathBuf>,
    /// GSS: our principal (default: the keytab's first).
    pub principal: Option<String>,
    /// GSS: the realm of the server's principal (default: ours).
    pub realm: Option<String>,
    /// GSS: the server's principal (default: `DNS/<the zone's SOA primary>@<realm>`).
    pub service: Option<String>,
    /// GSS: answer signature check, `strict`, `compatible` (default) or `off`.
    pub gss_verify: Option<String>,
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
    /// GSS-TSIG instead of a key (`auth = "gss"`).
    pub gss: Option<GssProvider>,
}

/// GSS-TSIG state of an RFC 2136 provider: the options, and the credentials and context kept
/// between passes (a context is reused until shortly before it expires, then renegotiated).
#[derive(Debug, Clone)]
pub struct GssProvider {
    /// Where credentials come from and how to negotiate.
    pub options: gss::GssOptions,
    state: Arc<tokio::sync::Mutex<GssCache>>,
}

#[derive(Debug, Default)]
struct GssCache {
    creds: Option<Arc<gss::system::Credentials>>,
    /// The last context: server, primary, key.
    key: Option<(SocketAddr, Name, Arc<gss::GssKey>)>,
}

impl GssProvider {
    /// A provider state for `options`.
    pub fn new(options: gss::GssOptions) -> Self {
        GssProvider {
            options,
            state: Arc::default(),
        }
    }

    /// A key for `server` whose zone's primary is `primary`: the cached one while it fits.
    async fn key(
        &self,
        server: SocketAddr,
        primary: &Name,
        config: &transport::Config,
    ) -> Result<Arc<gss::GssKey>, ProviderError> {
        let mut cache = self.state.lock().await;
        if let Some((s, p, key)) = &cache.key
            && *s == server
            && p == primary
            && key.expires() > unix_now() + 60
        {
            return Ok(Arc::clone(key));
        }
        let auth = |e: String| ProviderError::Auth(format!("GSS-TSIG: {e}"));
        let creds = match &cache.creds {
            Some(c) => Arc::clone(c),
            None => {
                let o = self.options.clone();
                let c = tokio::task::spawn_blocking(move || gss::credentials(&o))
                    .await
                    .map_err(|e| auth(e.to_string()))?
                    .map_err(|e| auth(e.to_string()))?;
                cache.creds = Some(Arc::clone(&c));
                c
            }
        };
        let key = gss::negotiate(server, primary, &creds, &self.options, config)
            .await
            .map_err(|e| match e {
                gss::NegotiateError::Network(n) => ProviderError::Network(n.to_string()),
                other => auth(other.to_string()),
            })?;
        let key = Arc::new(key);
        cache.key = Some((server, primary.clone(), Arc::clone(&key)));
        Ok(key)
    }

    /// Forget the context (the server no longer knows it).
    async fn forget(&self) {
        self.state.lock().await.key = None;
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Rfc2136 {
    /// Load the key and resolve the servers of a configuration.
    pub async fn from_config(c: &Config, setup: &mut Setup) -> Result<Rfc2136, String> {
        if c.servers.is_empty() {
            return Err("servers is empty".into());
        }
        let gss = match c.auth.as_deref() {
            None | Some("tsig") => None,
            Some("gss") => {
                if c.key_file.is_some() || c.key_env.is_some() {
                    return Err("auth = \"gss\" takes no key_file or key_env".into());
                }
                if let Some(path) = &c.keytab
                    && let Some(w) = super::credential::loose_permissions(path)
                {
                    if setup.strict_permissions {
                        return Err(format!("refused: keytab {w} (strict permissions are on)"));
                    }
                    setup.warnings.push(format!("keytab {w}"));
                }
                let policy = match c.gss_verify.as_deref() {
                    None => gss::VerifyPolicy::default(),
                    Some(p) => gss::VerifyPolicy::parse(p).ok_or_else(|| {
                        format!("gss_verify = \"{p}\": use strict, compatible or off")
                    })?,
                };
                Some(GssProvider::new(gss::GssOptions {
                    policy,
                    principal: c.principal.clone(),
                    keytab: c.keytab.clone(),
                    realm: c.realm.clone(),
                    service: c.service.clone(),
                    ..gss::GssOptions::default()
                }))
            }
            Some(other) => {
                return Err(format!("auth = \"{other}\": use \"tsig\" or \"gss\""));
            }
        };
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
                reuse: None,
            },
            gss,
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

impl Rfc2136 {
    /// Send `update` with GSS-TSIG: the primary's name from the zone's SOA (the server's
    /// principal is `DNS/<primary>`), then the first server that negotiates a context.
    async fn send_gss(
        &self,
        g: &GssProvider,
        zone: &Name,
        update: &Update,
    ) -> Result<Outcome, ProviderError> {
        let info = discover::find_zone(zone, &self.servers, None, false, &self.config)
            .await
            .map_err(|e| ProviderError::Refused(e.to_string()))?;
        let mut last = ProviderError::Network("no server".into());
        for server in &self.servers {
            let key = match g.key(*server, &info.primary, &self.config).await {
                Ok(k) => k,
                Err(e @ ProviderError::Network(_)) => {
                    last = e;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let one = std::slice::from_ref(server);
            let o = client::send_update(update, Some(Signer::new(key.as_ref())), one, &self.config)
                .await
                .map_err(|e| match e {
                    ClientError::UnsignedError { server, rcode } if rcode == "SERVFAIL" => {
                        ProviderError::Refused(format!(
                            "{server} answered SERVFAIL unsigned (a Samba DNS server answers \
                             SERVFAIL when a secure update is refused: the principal may not \
                             update this name)"
                        ))
                    }
                    other => client_error(other),
                })?;
            if o.tsig_error == Some(tsig::TsigRcode::BadKey) {
                g.forget().await;
            }
            if o.gss_signature == Some(tsig::gss::SignatureVariant::SambaNoMacLength) {
                tracing::info!(server = %o.server, "GSS-TSIG answer signed in Samba's form (request MAC without its length); accepted");
            }
            if o.rcode() == ResponseCode::ServFail {
                return Err(ProviderError::Refused(format!(
                    "{} answered SERVFAIL (a Samba DNS server answers SERVFAIL when a secure \
                     update is refused: the principal may not update this name)",
                    o.server
                )));
            }
            return Ok(o);
        }
        Err(last)
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
        let o = match &self.gss {
            Some(g) => self.send_gss(g, zone, &update).await?,
            None => {
                let signer = self.key.as_ref().map(Signer::new);
                client::send_update(&update, signer, &self.servers, &self.config)
                    .await
                    .map_err(client_error)?
            }
        };
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
