//! Address sources against real things on loopback: programs, a real `named` serving the
//! echo names, a fake whoami.cloudflare CH server, and an HTTPS echo server with a test CA.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::{Named, ServerOptions};
use dnsup::ip::{DnsEcho, Family, SourceErrorKind, SourceSpec, detect};
use hickory_proto::op::{Message, MessageType, OpCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{DNSClass, RData, Record};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

const TIMEOUT: Duration = Duration::from_secs(10);

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

// ---- static ----

#[tokio::test]
async fn static_address_of_its_family_only() {
    let spec = SourceSpec::Static {
        address: ip("198.51.100.7"),
    };
    assert_eq!(
        detect(&spec, Family::V4, TIMEOUT).await,
        Ok(Some(ip("198.51.100.7")))
    );
    assert_eq!(detect(&spec, Family::V6, TIMEOUT).await, Ok(None));
}

// ---- command ----

fn sh(script: &str, timeout_secs: Option<u64>) -> SourceSpec {
    let timeout = timeout_secs.map(Duration::from_secs);
    SourceSpec::Command {
        argv: vec!["/bin/sh".into(), "-c".into(), script.into()],
        timeout,
    }
}

#[tokio::test]
async fn command_prints_an_address() {
    let spec = SourceSpec::Command {
        argv: vec!["/bin/echo".into(), "198.51.100.9".into()],
        timeout: None,
    };
    assert_eq!(
        detect(&spec, Family::V4, TIMEOUT).await,
        Ok(Some(ip("198.51.100.9")))
    );
    // The family asked for is in DNSUP_FAMILY, so one script can serve both.
    let both = sh(
        r#"if [ "$DNSUP_FAMILY" = ipv6 ]; then echo 2001:db8::9; else echo 198.51.100.9; fi"#,
        None,
    );
    assert_eq!(
        detect(&both, Family::V6, TIMEOUT).await,
        Ok(Some(ip("2001:db8::9")))
    );
    assert_eq!(
        detect(&both, Family::V4, TIMEOUT).await,
        Ok(Some(ip("198.51.100.9")))
    );
}

#[tokio::test]
async fn command_failures_are_explained() {
    let err = detect(
        &sh(
            "echo 'no route to WAN' >&2; echo 2nd line >&2; exit 3",
            None,
        ),
        Family::V4,
        TIMEOUT,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), SourceErrorKind::Answer);
    assert_eq!(
        err.to_string(),
        "command /bin/sh: exit status: 3: no route to WAN"
    );

    let err = detect(&sh("echo hello", None), Family::V4, TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SourceErrorKind::Answer);
    assert_eq!(err.reason(), "stdout: not an IP address: \"hello\\n\"");

    let err = detect(&sh("echo 2001:db8::1", None), Family::V4, TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SourceErrorKind::WrongFamily);
    assert_eq!(
        err.reason(),
        "answered 2001:db8::1, an IPv6 address, when asked for IPv4"
    );

    let empty = SourceSpec::Command {
        argv: vec![],
        timeout: None,
    };
    assert_eq!(
        detect(&empty, Family::V4, TIMEOUT)
            .await
            .unwrap_err()
            .kind(),
        SourceErrorKind::Config
    );

    // A shell metacharacter in an argument is just text: nothing runs it.
    let literal = SourceSpec::Command {
        argv: vec![
            "/bin/echo".into(),
            "198.51.100.9; touch /tmp/dnsup-pwned".into(),
        ],
        timeout: None,
    };
    assert!(detect(&literal, Family::V4, TIMEOUT).await.is_err());
    assert!(!std::path::Path::new("/tmp/dnsup-pwned").exists());
}

/// Its own test: under qemu-user a missing program looks like exit status 127 (scripts/cross,
/// QEMU_CANNOT, says why), and the other command failures above must still run there.
#[tokio::test]
async fn a_missing_command_cannot_run() {
    let missing = SourceSpec::Command {
        argv: vec!["/nonexistent/myip".into()],
        timeout: None,
    };
    let err = detect(&missing, Family::V4, TIMEOUT).await.unwrap_err();
    assert_eq!(err.kind(), SourceErrorKind::Local);
    assert!(
        err.reason().starts_with("cannot run /nonexistent/myip"),
        "{err}"
    );
}

#[tokio::test]
async fn command_timeout_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    // The program starts a grandchild that would keep stdout open, then hangs.
    let script = format!("sleep 300 & echo $! > {}; sleep 300", pidfile.display());
    let err = detect(&sh(&script, Some(1)), Family::V4, TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SourceErrorKind::Timeout);
    assert_eq!(err.to_string(), "command /bin/sh: killed after 1 s");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SIGKILL is delivered at once, but the grandchild is reaped by init: wait for that.
    let gone = (0..100).any(|_| {
        let status = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie_or_gone = status.is_empty() || status.contains(") Z ");
        if !zombie_or_gone {
            std::thread::sleep(Duration::from_millis(50));
        }
        zombie_or_gone
    });
    assert!(gone, "grandchild {pid} survived the timeout");
}

// ---- DNS echo ----

const OPENDNS_ZONE: &str = "$TTL 60
@       IN SOA ns1.opendns.com. hostmaster.opendns.com. 1 3600 600 86400 60
@       IN NS  ns1.opendns.com.
ns1     IN A   127.0.0.1
myip    IN A   198.51.100.7
myip    IN AAAA 2001:db8::7
";

const GOOGLE_ZONE: &str = "$TTL 60
@          IN SOA ns1.google.com. dns-admin.google.com. 1 900 900 1800 60
@          IN NS  ns1.google.com.
o-o.myaddr IN TXT \"198.51.100.8\"
o-o.myaddr IN TXT \"edns0-client-subnet 198.51.100.0/24\"
";

#[tokio::test]
async fn dns_echo_against_named() {
    let named = Named::start_with(
        ServerOptions::empty()
            .zone_text("opendns.com", OPENDNS_ZONE)
            .zone_text("l.google.com", GOOGLE_ZONE),
    );
    let servers = Some(vec![named.addr()]);
    let opendns = SourceSpec::Dns {
        kind: DnsEcho::OpenDns,
        servers: servers.clone(),
    };
    assert_eq!(
        detect(&opendns, Family::V4, TIMEOUT).await,
        Ok(Some(ip("198.51.100.7")))
    );
    assert_eq!(
        detect(&opendns, Family::V6, TIMEOUT).await,
        Ok(Some(ip("2001:db8::7")))
    );

    let google = SourceSpec::Dns {
        kind: DnsEcho::Google,
        servers,
    };
    assert_eq!(
        detect(&google, Family::V4, TIMEOUT).await,
        Ok(Some(ip("198.51.100.8")))
    );
    // Asked over IPv4 for IPv6, Google's name answers the IPv4 address: refused.
    let err = detect(&google, Family::V6, TIMEOUT).await.unwrap_err();
    assert_eq!(err.kind(), SourceErrorKind::WrongFamily);
    assert_eq!(
        err.to_string(),
        format!(
            "dns google @{}: answered 198.51.100.8, an IPv4 address, when asked for IPv6",
            named.addr()
        )
    );
}

#[tokio::test]
async fn dns_echo_errors() {
    // A server without the zone answers REFUSED.
    let named = Named::start_with(ServerOptions::empty().zone_text("opendns.com", OPENDNS_ZONE));
    let google = SourceSpec::Dns {
        kind: DnsEcho::Google,
        servers: Some(vec![named.addr()]),
    };
    let err = detect(&google, Family::V4, TIMEOUT).await.unwrap_err();
    assert_eq!(err.kind(), SourceErrorKind::Answer);
    assert_eq!(err.reason(), "the server answered REFUSED");

    // Nobody answers: a timeout, within the time given.
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let spec = SourceSpec::Dns {
        kind: DnsEcho::OpenDns,
        servers: Some(vec![silent.local_addr().unwrap()]),
    };
    let err = detect(&spec, Family::V4, Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SourceErrorKind::Timeout, "{err}");
}

/// A fake 1.1.1.1: answers `whoami.cloudflare. CH TXT` with the address the query came from
/// (or with `fixed` strings), like the real one.
async fn whoami_server(bind: &str, fixed: Option<Vec<String>>) -> SocketAddr {
    let socket = UdpSocket::bind(bind).await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 512];
        while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
            let query = Message::from_vec(&buf[..n]).unwrap();
            let q = query.queries[0].clone();
            assert_eq!(
                (q.query_class(), q.name().to_string().as_str()),
                (DNSClass::CH, "whoami.cloudflare.")
            );
            let mut answer = Message::new(query.metadata.id, MessageType::Response, OpCode::Query);
            answer.add_query(q.clone());
            let strings = fixed.clone().unwrap_or_else(|| vec![peer.ip().to_string()]);
            let mut record = Record::from_rdata(q.name().clone(), 0, RData::TXT(TXT::new(strings)));
            record.dns_class = DNSClass::CH;
            answer.add_answer(record);
            socket
                .send_to(&answer.to_vec().unwrap(), peer)
                .await
                .unwrap();
        }
    });
    addr
}

#[tokio::test]
async fn dns_echo_in_class_chaos() {
    let v4 = whoami_server("127.0.0.1:0", None).await;
    let spec = SourceSpec::Dns {
        kind: DnsEcho::Cloudflare,
        servers: Some(vec![v4]),
    };
    assert_eq!(
        detect(&spec, Family::V4, TIMEOUT).await,
        Ok(Some(ip("127.0.0.1")))
    );
    let v6 = whoami_server("[::1]:0", None).await;
    let spec = SourceSpec::Dns {
        kind: DnsEcho::Cloudflare,
        servers: Some(vec![v6]),
    };
    assert_eq!(
        detect(&spec, Family::V6, TIMEOUT).await,
        Ok(Some(ip("::1")))
    );

    let two = whoami_server(
        "127.0.0.1:0",
        Some(vec!["198.51.100.1".into(), "198.51.100.2".into()]),
    )
    .await;
    let spec = SourceSpec::Dns {
        kind: DnsEcho::Cloudflare,
        servers: Some(vec![two]),
    };
    let err = detect(&spec, Family::V4, TIMEOUT).await.unwrap_err();
    assert_eq!(
        err.reason(),
        "several addresses in the answer: 198.51.100.1, 198.51.100.2"
    );
    let junk = whoami_server("127.0.0.1:0", Some(vec!["hello".into()])).await;
    let spec = SourceSpec::Dns {
        kind: DnsEcho::Cloudflare,
        servers: Some(vec![junk]),
    };
    let err = detect(&spec, Family::V4, TIMEOUT).await.unwrap_err();
    assert_eq!(
        err.reason(),
        "no address for whoami.cloudflare. TXT in the answer"
    );
}

// ---- HTTPS echo ----

/// A test CA and an HTTPS echo server on `[::]` (so on 127.0.0.1 and ::1) with a certificate
/// from it for localhost, 127.0.0.1 and ::1. Paths: `/ip` echoes the client's address; the
/// others misbehave on purpose.
struct Echo {
    port: u16,
    ca_file: PathBuf,
    _dir: tempfile::TempDir,
}

fn test_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

async fn https_echo() -> Echo {
    let ca = test_ca("dnsup test CA");
    let key = KeyPair::generate().unwrap();
    let names = vec!["localhost".to_string(), "127.0.0.1".into(), "::1".into()];
    let cert = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = TcpListener::bind("[::]:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses our certificate ends the handshake: nothing to serve.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request);
                let target = head.split_whitespace().nth(1).unwrap_or("/");
                let path = target.split('?').next().unwrap_or("/");
                let me = peer.ip().to_canonical();
                let (status, extra, body) = match path {
                    "/ip" => ("200 OK", String::new(), format!("{me}\n")),
                    "/garbage" => (
                        "200 OK",
                        String::new(),
                        "<html><body>Your IP</body></html>".into(),
                    ),
                    "/v6" => ("200 OK", String::new(), "2001:db8::1\n".into()),
                    "/big" => ("200 OK", String::new(), "1".repeat(10_000)),
                    "/downgrade" => (
                        "302 Found",
                        format!("Location: http://127.0.0.1:{port}/ip?token=SECRET\r\n"),
                        String::new(),
                    ),
                    _ => ("500 Internal Server Error", String::new(), "oops".into()),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\n{extra}Content-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Echo {
        port,
        ca_file,
        _dir: dir,
    }
}

impl Echo {
    fn spec(&self, paths: &[&str]) -> SourceSpec {
        SourceSpec::Http {
            urls: Some(
                paths
                    .iter()
                    .map(|p| format!("https://{p}").replace("PORT", &self.port.to_string()))
                    .collect(),
            ),
            ca_file: Some(self.ca_file.clone()),
        }
    }
}

#[tokio::test]
async fn https_echo_trusted_through_ca_file() {
    let echo = https_echo().await;
    let spec = echo.spec(&["127.0.0.1:PORT/ip"]);
    assert_eq!(
        detect(&spec, Family::V4, TIMEOUT).await,
        Ok(Some(ip("127.0.0.1")))
    );
    let spec = echo.spec(&["[::1]:PORT/ip"]);
    assert_eq!(
        detect(&spec, Family::V6, TIMEOUT).await,
        Ok(Some(ip("::1")))
    );
    // A host name resolves to the family asked for only, so the echo sees that family.
    let spec = echo.spec(&["localhost:PORT/ip"]);
    assert_eq!(
        detect(&spec, Family::V4, TIMEOUT).await,
        Ok(Some(ip("127.0.0.1")))
    );
    let localhost_v6 = std::net::ToSocketAddrs::to_socket_addrs(&("localhost", 0))
        .unwrap()
        .any(|a| a.is_ipv6());
    let v6 = detect(&spec, Family::V6, TIMEOUT).await;
    if localhost_v6 {
        assert_eq!(v6, Ok(Some(ip("::1"))));
    } else {
        // This system's hosts file gives localhost no IPv6 address: never fall back to IPv4.
        let err = v6.unwrap_err();
        assert!(
            err.reason().contains("localhost has no IPv6 address"),
            "{err}"
        );
    }
    // The next URL is tried when one fails.
    let spec = echo.spec(&["127.0.0.1:PORT/broken", "127.0.0.1:PORT/ip"]);
    assert_eq!(
        detect(&spec, Family::V4, TIMEOUT).await,
        Ok(Some(ip("127.0.0.1")))
    );
}

#[tokio::test]
async fn https_echo_with_an_untrusted_certificate_is_refused() {
    let echo = https_echo().await;
    let no_ca = SourceSpec::Http {
        urls: Some(vec![format!("https://127.0.0.1:{}/ip", echo.port)]),
        ca_file: None,
    };
    let err = detect(&no_ca, Family::V4, TIMEOUT).await.unwrap_err();
    assert_eq!(err.kind(), SourceErrorKind::Network);
    assert!(err.reason().contains("certificate"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let other_ca = dir.path().join("other.pem");
    std::fs::write(&other_ca, test_ca("someone else").pem()).unwrap();
    let wrong_ca = SourceSpec::Http {
        urls: Some(vec![format!("https://127.0.0.1:{}/ip", echo.port)]),
        ca_file: Some(other_ca),
    };
    let err = detect(&wrong_ca, Family::V4, TIMEOUT).await.unwrap_err();
    assert!(err.reason().contains("UnknownIssuer"), "{err}");
}

#[tokio::test]
async fn https_echo_answers_must_be_one_address() {
    let echo = https_echo().await;
    let reason = |paths: &'static [&'static str], family| {
        let spec = echo.spec(paths);
        async move {
            detect(&spec, family, TIMEOUT)
                .await
                .unwrap_err()
                .reason()
                .to_string()
        }
    };
    assert_eq!(
        reason(&["127.0.0.1:PORT/garbage"], Family::V4).await,
        "not an IP address: \"<html><body>Your IP</body></html>\""
    );
    assert_eq!(
        reason(&["127.0.0.1:PORT/v6"], Family::V4).await,
        "answered 2001:db8::1, an IPv6 address, when asked for IPv4"
    );
    assert!(
        reason(&["127.0.0.1:PORT/big"], Family::V4)
            .await
            .starts_with("answer too long")
    );
    assert_eq!(
        reason(&["127.0.0.1:PORT/nope"], Family::V4).await,
        "HTTP status 500 Internal Server Error"
    );
    // A redirect to plain http is not followed.
    let downgrade = reason(&["127.0.0.1:PORT/downgrade"], Family::V4).await;
    assert!(
        downgrade.contains("URL scheme is not allowed"),
        "{downgrade}"
    );
    assert!(!downgrade.contains("SECRET"), "{downgrade}");
}

#[tokio::test]
async fn https_errors_hide_url_secrets_and_refuse_plain_http() {
    let echo = https_echo().await;
    let spec = echo.spec(&["user:hunter2@127.0.0.1:PORT/nope?token=SECRET"]);
    let err = detect(&spec, Family::V4, TIMEOUT)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "http https://127.0.0.1:{}/nope?…: HTTP status 500 Internal Server Error",
            echo.port
        )
    );
    // Nothing listens on port 1: the connection error names no URL either.
    let spec = SourceSpec::Http {
        urls: Some(vec![
            "https://127.0.0.1:1/ip?token=SECRET".into(),
            format!("http://127.0.0.1:{}/ip", echo.port),
        ]),
        ca_file: None,
    };
    let err = detect(&spec, Family::V4, TIMEOUT).await.unwrap_err();
    let text = err.to_string();
    assert!(
        !text.contains("SECRET") && !text.contains("hunter2"),
        "{text}"
    );
    assert!(
        text.contains("https://127.0.0.1:1/ip?…: error sending request"),
        "{text}"
    );
    assert!(
        text.contains("only https URLs are allowed, not http"),
        "{text}"
    );
}
