//! named with DNS-over-TLS (and DNS-over-HTTPS) listeners on loopback, certificates made by
//! the test with rcgen: a CA, a server certificate for `ns1.example.test`, another CA that
//! signed nothing of the server's, and a client certificate for mutual TLS.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

use super::named::Named;
use super::options::ServerOptions;
use super::process::{PortLease, free_port};

/// The name in the server's certificate.
pub const TLS_NAME: &str = "ns1.example.test";

/// Certificates and keys, written as PEM files in a temp dir.
#[derive(Debug)]
pub struct TestPki {
    /// The CA that signed the server's (and the client's) certificate.
    pub ca_file: PathBuf,
    /// A CA that signed nothing the server has.
    pub other_ca_file: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// A client certificate signed by `ca_file`'s CA.
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    /// A client certificate signed by the other CA.
    pub stranger_cert: PathBuf,
    pub stranger_key: PathBuf,
    dir: tempfile::TempDir,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn leaf(
    dir: &Path,
    stem: &str,
    names: &[&str],
    ca: &CertifiedIssuer<'static, KeyPair>,
) -> (PathBuf, PathBuf) {
    let key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let cert = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, ca)
        .unwrap();
    let cert_file = dir.join(format!("{stem}.crt"));
    let key_file = dir.join(format!("{stem}.key"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    (cert_file, key_file)
}

impl TestPki {
    pub fn new() -> TestPki {
        let dir = tempfile::Builder::new()
            .prefix("dnsup-pki-")
            .tempdir()
            .unwrap();
        let d = dir.path();
        let ca_ = ca("dnsup test CA");
        let other = ca("dnsup other CA");
        let ca_file = d.join("ca.pem");
        let other_ca_file = d.join("other-ca.pem");
        std::fs::write(&ca_file, ca_.pem()).unwrap();
        std::fs::write(&other_ca_file, other.pem()).unwrap();
        let (server_cert, server_key) = leaf(d, "server", &[TLS_NAME], &ca_);
        let (client_cert, client_key) = leaf(d, "client", &["client.example.test"], &ca_);
        let (stranger_cert, stranger_key) = leaf(d, "stranger", &["stranger.test"], &other);
        TestPki {
            ca_file,
            other_ca_file,
            server_cert,
            server_key,
            client_cert,
            client_key,
            stranger_cert,
            stranger_key,
            dir,
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// named with a plain listener (the harness's), a DoT listener and a DoH listener.
#[derive(Debug)]
pub struct TlsNamed {
    pub named: Named,
    pub pki: TestPki,
    dot: PortLease,
    doh: PortLease,
}

impl TlsNamed {
    /// The default zones, DoT on one port and DoH (`/dns-query`, HTTP/2) on another.
    pub fn start() -> TlsNamed {
        TlsNamed::start_with(ServerOptions::default(), false)
    }

    /// `mutual`: the TLS block asks clients for a certificate signed by the test CA.
    pub fn start_with(options: ServerOptions, mutual: bool) -> TlsNamed {
        let pki = TestPki::new();
        let dot = free_port();
        let doh = free_port();
        let client_ca = if mutual {
            format!("ca-file \"{}\"; ", pki.ca_file.display())
        } else {
            String::new()
        };
        let options = options
            .named_extra(&format!(
                "tls local-tls {{ key-file \"{}\"; cert-file \"{}\"; {client_ca}}};\n\
                 http local-http {{ endpoints {{ \"/dns-query\"; }}; }};",
                pki.server_key.display(),
                pki.server_cert.display()
            ))
            .named_options(&format!(
                "    listen-on port {} tls local-tls {{ 127.0.0.1; }};\n    \
                 listen-on port {} tls local-tls http local-http {{ 127.0.0.1; }};",
                dot.port(),
                doh.port()
            ));
        let named = Named::start_with(options);
        TlsNamed {
            named,
            pki,
            dot,
            doh,
        }
    }

    pub fn dot_addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.dot.port()))
    }

    pub fn doh_addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.doh.port()))
    }

    /// The DoH URL; the host is the certificate's name, which the client maps to 127.0.0.1.
    pub fn doh_url(&self, path: &str) -> String {
        format!("https://{TLS_NAME}:{}{path}", self.doh.port())
    }
}
