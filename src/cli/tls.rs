//! `--tls`, `--https` and their options for the native commands: DNS over TLS (RFC 7858) and
//! DNS over HTTPS (RFC 8484).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use crate::transport::https::{self, Https};
use crate::transport::tls::{self, INSECURE_WARNING, Tls, TlsOptions};

/// The port of DNS over TLS (RFC 7858 section 3.1).
pub const DOT_PORT: u16 = 853;

/// Encrypted transport: flattened into `Destination`.
#[derive(Debug, Args, Default)]
pub struct TlsArgs {
    /// Send over DNS over TLS (RFC 7858), to port 853 unless --port or HOST:PORT says
    /// otherwise; SOA discovery and read-back go the same way. Needs --server.
    #[arg(long, conflicts_with = "provider")]
    pub tls: bool,
    /// Send over DNS over HTTPS (RFC 8484, POST, HTTP/2 where offered) to this URL, e.g.
    /// https://ns1.example.net/dns-query; --server, if given, is the address to connect to.
    #[arg(long, value_name = "URL", conflicts_with_all = ["tls", "provider"])]
    pub https: Option<String>,
    /// PEM file of the CA(s) that sign the server's certificate (default: the system's roots).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// The name the server's certificate must be valid for (default: the --server name, or
    /// its address).
    #[arg(long, value_name = "NAME")]
    pub tls_name: Option<String>,
    /// PEM certificate to present to the server (mutual TLS); needs --client-key.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// PEM private key of --client-cert.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// Do not verify the server's certificate (encrypted, but anyone on the path can pose as
    /// the server). Warns on every run.
    #[arg(long)]
    pub tls_insecure: bool,
}

impl TlsArgs {
    /// True when TLS (DoT or DoH) is asked for.
    pub fn enabled(&self) -> bool {
        self.tls || self.https.is_some()
    }

    fn options(&self, server_name: Option<String>) -> TlsOptions {
        TlsOptions {
            ca_file: self.ca_file.clone(),
            server_name,
            client_cert: self.client_cert.clone(),
            client_key: self.client_key.clone(),
            insecure: self.tls_insecure,
        }
    }

    /// The DoH client for `--https`, connecting to `connect_to` when given (else the URL's
    /// host through the system resolver); also returns the addresses to report.
    pub async fn build_https(
        &self,
        connect_to: &[SocketAddr],
    ) -> Result<Option<(Arc<Https>, Vec<SocketAddr>)>, String> {
        let Some(url) = &self.https else {
            return Ok(None);
        };
        if self.tls_insecure && self.ca_file.is_some() {
            return Err("--tls-insecure and --ca-file contradict each other".into());
        }
        if self.tls_insecure {
            crate::errln!("warning: {INSECURE_WARNING}");
        }
        let client = https::build(url, &self.options(self.tls_name.clone()), connect_to)?;
        let servers = if connect_to.is_empty() {
            let parsed = reqwest::Url::parse(url).map_err(|e| format!("--https '{url}': {e}"))?;
            let host = parsed.host_str().unwrap_or_default().to_string();
            let port = parsed.port_or_known_default().unwrap_or(443);
            crate::discover::resolve(&host, port)
                .await
                .map_err(|e| format!("--https '{url}': {e}"))?
        } else {
            connect_to.to_vec()
        };
        Ok(Some((client, servers)))
    }

    /// The port for servers given without one.
    pub fn default_port(&self, given: Option<u16>) -> u16 {
        given.unwrap_or(if self.tls { DOT_PORT } else { 53 })
    }

    /// The TLS client, when `--tls` is given; `servers` are the --server values, whose first
    /// host name (when it is a name, not an address) is the default name to verify.
    pub fn build(&self, servers: &[String]) -> Result<Option<Arc<Tls>>, String> {
        let any_option = self.ca_file.is_some()
            || self.tls_name.is_some()
            || self.client_cert.is_some()
            || self.tls_insecure;
        if !self.tls {
            if any_option && self.https.is_none() {
                return Err(
                    "--ca-file, --tls-name, --client-cert, --client-key and --tls-insecure \
                            need --tls or --https"
                        .into(),
                );
            }
            return Ok(None);
        }
        if servers.is_empty() {
            return Err(
                "--tls needs --server: the primary's address (discovery through \
                        the system's resolvers would go in clear)"
                    .into(),
            );
        }
        if self.tls_insecure && self.ca_file.is_some() {
            return Err("--tls-insecure and --ca-file contradict each other".into());
        }
        let server_name = self.tls_name.clone().or_else(|| {
            servers.first().and_then(|s| {
                let (host, _) = crate::discover::split_server(s, DOT_PORT).ok()?;
                let bare = host.trim_start_matches('[').trim_end_matches(']');
                bare.parse::<std::net::IpAddr>()
                    .is_err()
                    .then(|| bare.trim_end_matches('.').to_string())
            })
        });
        let options = self.options(server_name);
        if self.tls_insecure {
            crate::errln!("warning: {INSECURE_WARNING}");
        }
        tls::build(&options).map(Some)
    }
}
