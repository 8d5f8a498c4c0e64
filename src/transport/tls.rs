//! DNS over TLS (RFC 7858, authentication as in RFC 8310): the TCP framing of RFC 1035
//! section 4.2.2 inside a TLS session on port 853, ALPN "dot" (RFC 7858 section 3.2 and the
//! IANA ALPN registry).
//!
//! One idle connection per server is kept in [`Tls`], so several sends in a row (a script, a
//! daemon pass, discovery then update) share one handshake (RFC 7858 section 3.4). A kept
//! connection the server has closed meanwhile is noticed when the request cannot be written or
//! the answer is an immediate end of stream, and the request goes once more over a new one.

use std::collections::HashMap;
use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::client::TlsStream;
use zeroize::Zeroizing;

use super::{Config, Failure, Verdict, give_up};

/// Certificate and key files are small; anything bigger is a mistake (or /dev/zero).
const MAX_PEM_FILE: u64 = 1 << 20;

/// What the user said about TLS: where the trust comes from and who we are.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// PEM file of the certificate authorities to trust instead of the system's roots.
    pub ca_file: Option<PathBuf>,
    /// The name the server's certificate must carry; default: the server's address.
    pub server_name: Option<String>,
    /// PEM certificate chain to present (mutual TLS).
    pub client_cert: Option<PathBuf>,
    /// PEM private key of `client_cert`.
    pub client_key: Option<PathBuf>,
    /// Accept any certificate: encryption without authentication (nsupdate `-O`).
    pub insecure: bool,
}

/// A ready TLS client: configuration plus the connections kept for reuse.
pub struct Tls {
    config: Arc<rustls::ClientConfig>,
    name: Option<ServerName<'static>>,
    insecure: bool,
    idle: Mutex<HashMap<SocketAddr, TlsStream<TcpStream>>>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("name", &self.name)
            .field("insecure", &self.insecure)
            .finish_non_exhaustive()
    }
}

/// The warning an insecure connection prints (once per run) and what it gives up.
pub const INSECURE_WARNING: &str = "TLS certificate verification is OFF (insecure): the update \
    is encrypted but the server is not authenticated, so anyone on the path can pose as it and \
    read or change what is sent (TSIG still protects the update itself)";

impl Tls {
    /// Build the client from the options: reads and checks the CA, certificate and key files.
    pub fn new(options: &TlsOptions, alpn: &[u8]) -> Result<Tls, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot set up TLS: {e}"))?;
        let verifier: Arc<dyn ServerCertVerifier> = if options.insecure {
            Arc::new(NoVerification(provider.clone()))
        } else if let Some(ca) = &options.ca_file {
            let mut roots = rustls::RootCertStore::empty();
            for cert in read_certs(ca, "CA file")? {
                roots
                    .add(cert)
                    .map_err(|e| format!("CA file {}: {e}", ca.display()))?;
            }
            rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots),
                provider.clone(),
            )
            .build()
            .map_err(|e| format!("CA file {}: {e}", ca.display()))?
        } else {
            Arc::new(
                rustls_platform_verifier::Verifier::new(provider.clone())
                    .map_err(|e| format!("cannot load the system's root certificates: {e}"))?,
            )
        };
        // "dangerous" only in name when a real verifier is installed (reqwest does the same).
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let mut config = match (&options.client_cert, &options.client_key) {
            (Some(cert), Some(key)) => {
                let chain = read_certs(cert, "client certificate")?;
                let key = read_key(key)?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| format!("client certificate {}: {e}", cert.display()))?
            }
            (None, None) => builder.with_no_client_auth(),
            (Some(_), None) => return Err("a client certificate needs its key file too".into()),
            (None, Some(_)) => return Err("a client key needs its certificate file too".into()),
        };
        config.alpn_protocols = vec![alpn.to_vec()];
        let name = match &options.server_name {
            Some(n) => Some(
                ServerName::try_from(n.trim_end_matches('.').to_string())
                    .map_err(|_| format!("TLS server name '{n}' is not a valid host name"))?,
            ),
            None => None,
        };
        Ok(Tls {
            config: Arc::new(config),
            name,
            insecure: options.insecure,
            idle: Mutex::new(HashMap::new()),
        })
    }

    /// The rustls configuration (shared with the DoH client).
    pub fn client_config(&self) -> Arc<rustls::ClientConfig> {
        self.config.clone()
    }

    /// True when certificates are not checked.
    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// The name to verify for `server`: the configured one, else its IP address.
    fn name_for(&self, server: SocketAddr) -> ServerName<'static> {
        self.name
            .clone()
            .unwrap_or_else(|| ServerName::IpAddress(server.ip().into()))
    }

    fn take_idle(&self, server: SocketAddr) -> Option<TlsStream<TcpStream>> {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&server)
    }

    fn keep(&self, server: SocketAddr, stream: TlsStream<TcpStream>) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(server, stream);
    }

    async fn connect(
        &self,
        server: SocketAddr,
        config: &Config,
        deadline: Instant,
    ) -> Result<TlsStream<TcpStream>, Failure> {
        let tcp = timeout_at(deadline, super::tcp::connect(server, config.local))
            .await
            .map_err(|_| Failure::TimedOut)?
            .map_err(|e| Failure::Io(e.to_string()))?;
        self.handshake(tcp, server, deadline).await
    }

    /// TLS over a connected TCP stream (also used by the pipelined sender).
    pub(super) async fn handshake(
        &self,
        tcp: TcpStream,
        server: SocketAddr,
        deadline: Instant,
    ) -> Result<TlsStream<TcpStream>, Failure> {
        let _ = tcp.set_nodelay(true);
        let name = self.name_for(server);
        tracing::debug!(%server, name = ?name, "TLS handshake");
        let connector = tokio_rustls::TlsConnector::from(self.config.clone());
        timeout_at(deadline, connector.connect(name.clone(), tcp))
            .await
            .map_err(|_| {
                Failure::Tls(format!(
                    "TLS: no handshake answer in time (a plain DNS server waits \
                     for more, it does not speak TLS: is {} its DoT port?)",
                    server.port()
                ))
            })?
            .map_err(|e| tls_failure(&e, &name, server))
    }
}

/// How one round on a connection ended.
enum Round<T> {
    Done(T, Box<TlsStream<TcpStream>>),
    /// A kept connection was found closed before anything came back: try a new one.
    Stale,
    Failed(Failure),
}

/// Send one request over DoT and read framed messages until one is accepted.
pub(super) async fn exchange<T, F>(
    tls: &Tls,
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
    let len = u16::try_from(request.len())
        .map_err(|_| Failure::Io("request larger than 65535 bytes".into()))?;
    let mut framed = Vec::with_capacity(request.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(request);
    if let Some(stream) = tls.take_idle(server) {
        tracing::debug!(%server, "reusing the TLS connection");
        match round(tls, stream, server, &framed, deadline, sends, accept, true).await {
            Round::Done(v, stream) => {
                tls.keep(server, *stream);
                return Ok(v);
            }
            Round::Failed(f) => return Err(f),
            Round::Stale => tracing::debug!(%server, "kept TLS connection was closed"),
        }
    }
    let stream = tls.connect(server, config, deadline).await?;
    match round(tls, stream, server, &framed, deadline, sends, accept, false).await {
        Round::Done(v, stream) => {
            tls.keep(server, *stream);
            Ok(v)
        }
        Round::Failed(f) => Err(f),
        Round::Stale => Err(Failure::Closed),
    }
}

#[allow(clippy::too_many_arguments)]
async fn round<T, F>(
    tls: &Tls,
    mut stream: TlsStream<TcpStream>,
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
    let name = tls.name_for(server);
    let fail = |e: std::io::Error| Failure::Tls(tls_failure_text(&e, &name, server));
    tracing::debug!(%server, bytes = framed.len() - 2, "sending over TLS");
    *sends += 1;
    let written = timeout_at(deadline, async {
        stream.write_all(framed).await?;
        stream.flush().await
    })
    .await;
    match written {
        Err(_) => return Round::Failed(Failure::TimedOut),
        Ok(Err(_)) if reused => return Round::Stale,
        Ok(Err(e)) => return Round::Failed(fail(e)),
        Ok(Ok(())) => {}
    }
    let mut last_rejection = None;
    let mut received = false;
    loop {
        let mut len = [0u8; 2];
        match timeout_at(deadline, stream.read_exact(&mut len)).await {
            Err(_) => return Round::Failed(give_up(last_rejection)),
            Ok(Err(e)) if is_closed(&e) => {
                if reused && !received {
                    return Round::Stale;
                }
                if !received {
                    // TLS 1.3 finishes the client's side of the handshake before the server
                    // has judged our certificate; a server that refuses it just hangs up.
                    return Round::Failed(Failure::Tls(
                        "TLS: the server closed the session without answering: it may want a \
                         client certificate it trusts (--client-cert/--client-key, nsupdate \
                         -K/-E)"
                            .into(),
                    ));
                }
                return Round::Failed(
                    last_rejection.map_or(Failure::Closed, Failure::OnlyRejected),
                );
            }
            Ok(Err(e)) => return Round::Failed(fail(e)),
            Ok(Ok(_)) => {}
        }
        received = true;
        let mut message = vec![0u8; usize::from(u16::from_be_bytes(len))];
        match timeout_at(deadline, stream.read_exact(&mut message)).await {
            Err(_) => return Round::Failed(give_up(last_rejection)),
            Ok(Err(e)) if is_closed(&e) => return Round::Failed(Failure::Closed),
            Ok(Err(e)) => return Round::Failed(fail(e)),
            Ok(Ok(_)) => {}
        }
        match accept(&message) {
            Verdict::Accept((v, _truncated)) => return Round::Done(v, Box::new(stream)),
            Verdict::Ignore(why) => {
                tracing::debug!(%server, %why, "ignoring a TLS message");
                last_rejection = Some(why);
            }
        }
    }
}

fn is_closed(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::BrokenPipe
    )
}

/// A failed TCP connect stays an I/O failure (refused, unreachable); anything in or after the
/// handshake is a TLS failure with a sentence saying what went wrong.
fn tls_failure(e: &std::io::Error, name: &ServerName<'_>, server: SocketAddr) -> Failure {
    Failure::Tls(tls_failure_text(e, name, server))
}

/// What a TLS error means, in words a user can act on.
pub(crate) fn tls_failure_text(
    e: &std::io::Error,
    name: &ServerName<'_>,
    server: SocketAddr,
) -> String {
    let shown = match name {
        ServerName::DnsName(n) => n.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        _ => format!("{name:?}"),
    };
    let Some(rustls_error) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) else {
        return if is_closed(e) {
            "TLS: the server closed the connection during the handshake (no TLS on this port, \
                 or it refused our client certificate)"
                .into()
        } else {
            format!("TLS: {e}")
        };
    };
    rustls_error_text(rustls_error, &shown, server)
}

/// A rustls error in words a user can act on; `shown` is the name that was checked.
pub(crate) fn rustls_error_text(e: &rustls::Error, shown: &str, server: SocketAddr) -> String {
    use rustls::{AlertDescription as A, Error as E};
    match e {
        E::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
            "TLS: the server's certificate is not trusted (issuer unknown; checked for the \
             name {shown}): give the CA that signed it (--ca-file, nsupdate -A)"
        ),
        E::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(
            "TLS: the server's certificate is not valid for the name {shown}: give the name \
             it was issued for (--tls-name, nsupdate -H)"
        ),
        E::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => {
            format!("TLS: the server's certificate ({shown}) has expired")
        }
        E::InvalidCertificate(CertificateError::Other(o))
            if format!("{o:?}").contains("CaUsedAsEndEntity") =>
        {
            format!(
                "TLS: the server's certificate ({shown}) is a CA certificate; a self-signed \
                 server certificate must say basicConstraints CA:FALSE"
            )
        }
        E::InvalidCertificate(other) => {
            format!("TLS: the server's certificate ({shown}) was rejected: {other:?}")
        }
        E::AlertReceived(A::NoApplicationProtocol) => {
            "TLS: the server refused the application protocol (ALPN) we asked for: it does not \
             serve DNS over TLS/HTTPS on this port"
                .into()
        }
        E::AlertReceived(
            a @ (A::CertificateRequired
            | A::BadCertificate
            | A::UnknownCA
            | A::CertificateUnknown
            | A::AccessDenied),
        ) => format!(
            "TLS: the server refused our client certificate (alert {a:?}): it wants a certificate \
             it trusts (--client-cert/--client-key, nsupdate -K/-E)"
        ),
        E::AlertReceived(a) => format!("TLS: the server ended the handshake with alert {a:?}"),
        E::InvalidMessage(_) => format!(
            "TLS: the server does not speak TLS on port {} (it answered with something that is \
             not TLS)",
            server.port()
        ),
        other => format!("TLS with {server}: {other}"),
    }
}

/// Read a whole small file, refusing anything that is not a regular file or is too big.
fn read_small(path: &Path, what: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("{what} {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{what} {shown}: not a regular file"));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{what} {shown}: {e}"))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_PEM_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{what} {shown}: {e}"))?;
    if bytes.len() as u64 > MAX_PEM_FILE {
        return Err(format!(
            "{what} {shown}: larger than {MAX_PEM_FILE} bytes, not a PEM file"
        ));
    }
    Ok(bytes)
}

fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let shown = path.display();
    let bytes = read_small(path, what)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{what} {shown}: {e}"))?;
    if certs.is_empty() {
        return Err(format!(
            "{what} {shown}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
        ));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    use std::os::unix::fs::PermissionsExt as _;
    let shown = path.display();
    let bytes = read_small(path, "client key")?;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            crate::errln!(
                "warning: client key {shown} is readable by group or others (mode {mode:04o}); chmod 600 it"
            );
        }
    }
    // The parser's error never contains key material, only what it expected.
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => {
            format!("client key {shown}: no PEM private key in it")
        }
        _ => format!("client key {shown}: not a readable PEM private key"),
    })
}

/// `-O`: accept any certificate, but still check the handshake signatures so the session is
/// at least encrypted to whoever holds the certificate's key.
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The options with their files checked, for a caller that wants the error before anything
/// is sent.
pub fn build(options: &TlsOptions) -> Result<Arc<Tls>, String> {
    Tls::new(options, b"dot").map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> TlsOptions {
        TlsOptions::default()
    }

    #[test]
    fn files_that_are_not_small_regular_pem_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.pem");
        std::fs::write(&big, vec![b'A'; (MAX_PEM_FILE + 1) as usize]).unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, b"").unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for (path, says) in [
            (Path::new("/dev/zero"), "not a regular file"),
            (dir.path(), "not a regular file"),
            (fifo.as_path(), "not a regular file"),
            (big.as_path(), "larger than"),
            (empty.as_path(), "no PEM certificate"),
            (Path::new("/nonexistent/ca.pem"), "No such file"),
        ] {
            let o = TlsOptions {
                ca_file: Some(path.to_path_buf()),
                ..options()
            };
            let err = Tls::new(&o, b"dot").unwrap_err();
            assert!(err.contains(says), "{}: {err}", path.display());
            assert!(err.contains(&path.display().to_string()), "{err}");
        }
    }

    #[test]
    fn a_client_key_that_is_not_a_key_says_so_without_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let cert = rcgen::generate_simple_self_signed(vec!["c.test".into()]).unwrap();
        let cert_file = dir.path().join("c.pem");
        std::fs::write(&cert_file, cert.cert.pem()).unwrap();
        let key_file = dir.path().join("k.pem");
        std::fs::write(
            &key_file,
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IQ==\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let o = TlsOptions {
            client_cert: Some(cert_file.clone()),
            client_key: Some(key_file),
            ..options()
        };
        let err = Tls::new(&o, b"dot").unwrap_err();
        assert!(err.contains("client"), "{err}");
        assert!(!err.contains("c2VjcmV0"), "{err}");
        let half = TlsOptions {
            client_cert: Some(cert_file),
            ..options()
        };
        assert!(
            Tls::new(&half, b"dot")
                .unwrap_err()
                .contains("needs its key")
        );
    }

    #[test]
    fn tls_errors_are_sentences() {
        let at: SocketAddr = "192.0.2.1:853".parse().unwrap();
        let cases = [
            (
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
                "not trusted",
            ),
            (
                rustls::Error::InvalidCertificate(CertificateError::NotValidForName),
                "not valid for the name ns1.test",
            ),
            (
                rustls::Error::AlertReceived(rustls::AlertDescription::NoApplicationProtocol),
                "ALPN",
            ),
            (
                rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired),
                "client certificate",
            ),
            (
                rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
                "does not speak TLS on port 853",
            ),
        ];
        for (e, says) in cases {
            let text = rustls_error_text(&e, "ns1.test", at);
            assert!(text.starts_with("TLS"), "{text}");
            assert!(text.contains(says), "{e:?}: {text}");
        }
    }

    #[test]
    fn insecure_and_named_clients_build() {
        let t = Tls::new(
            &TlsOptions {
                insecure: true,
                server_name: Some("ns1.example.test.".into()),
                ..options()
            },
            b"dot",
        )
        .unwrap();
        assert!(t.insecure());
        assert_eq!(t.client_config().alpn_protocols, vec![b"dot".to_vec()]);
        let bad = TlsOptions {
            server_name: Some("not a name!".into()),
            ..options()
        };
        assert!(
            Tls::new(&bad, b"dot")
                .unwrap_err()
                .contains("not a valid host name")
        );
    }
}
