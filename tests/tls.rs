//! DNS over TLS (RFC 7858) against a real named with a `tls` listener and a certificate made
//! by the test: updates land (AXFR), answers are verified, an unsigned update is REFUSED, and
//! every TLS failure (wrong CA, wrong name, no TLS on the port, client certificate refused)
//! has its clear error and exit code with the zone unchanged. A relay that records the bytes
//! proves that the key name and the record's name never cross the wire in clear.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::process::Output;
use std::sync::{Arc, Mutex};

use common::tls::{TLS_NAME, TlsNamed};
use common::*;

fn code(out: &Output) -> i32 {
    out.status.code().expect("dnsup exited by a signal")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

struct Env {
    s: TlsNamed,
    key_file: std::path::PathBuf,
}

fn env() -> Env {
    env_with(TlsNamed::start())
}

fn env_with(s: TlsNamed) -> Env {
    let key_file = write_key_file(s.named.dir(), key("k-sha256"));
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    Env { s, key_file }
}

impl Env {
    /// `dnsup ARGS --tls --server 127.0.0.1:DOT --ca-file CA --tls-name ns1.example.test -k KEY`.
    fn dot(&self, args: &[&str]) -> Output {
        let server = self.s.dot_addr().to_string();
        let mut full: Vec<&str> = args.to_vec();
        full.extend([
            "--tls",
            "--server",
            &server,
            "--ca-file",
            self.s.pki.ca_file.to_str().unwrap(),
            "--tls-name",
            TLS_NAME,
            "--key-file",
            self.key_file.to_str().unwrap(),
        ]);
        run_dnsup(&self.s.named, "", &full)
    }

    fn raw(&self, args: &[&str]) -> Output {
        run_dnsup(&self.s.named, "", args)
    }

    fn zone(&self) -> Zone {
        self.s.named.axfr("example.test")
    }
}

#[test]
fn dot_updates_land_with_verified_answers() {
    let e = env();
    // set with an explicit zone, then add with the zone found by an SOA query over TLS.
    let out = e.dot(&[
        "set",
        "www.example.test",
        "A",
        "192.0.2.1",
        "192.0.2.2",
        "--zone",
        "example.test",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("\"rcode\":\"NOERROR\""), "{json}");
    assert_eq!(
        e.s.named.query("www.example.test", "A"),
        ["192.0.2.1", "192.0.2.2"]
    );
    let out = e.dot(&[
        "add",
        "mail.example.test.",
        "TXT",
        "\"over tls\"",
        "--ttl",
        "60",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let out = e.dot(&["delete", "www.example.test.", "A", "192.0.2.1"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // A guarded update whose prerequisite fails: the answer is verified, the exit code says so.
    let out = e.dot(&["add", "www.example.test.", "A", "192.0.2.9", "--if-absent"]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    let zone = e.zone();
    assert!(
        zone.contains("mail.example.test. 60 IN TXT \"over tls\""),
        "{zone:?}"
    );
    assert_eq!(
        zone.find("www.example.test.", "A"),
        ["www.example.test. 300 IN A 192.0.2.2"]
    );
    // named logs the signed update with its key.
    assert!(e.s.named.log().contains("k-sha256"), "{}", e.s.named.log());
}

#[test]
fn dot_unsigned_update_is_refused_and_a_wrong_key_is_badsig() {
    let e = env();
    let before = e.zone();
    let server = e.s.dot_addr().to_string();
    let ca = e.s.pki.ca_file.to_str().unwrap();
    let base = [
        "add",
        "x.example.test.",
        "A",
        "192.0.2.7",
        "--zone",
        "example.test",
        "--tls",
        "--server",
        &server,
        "--ca-file",
        ca,
        "--tls-name",
        TLS_NAME,
    ];
    let out = e.raw(&base);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("REFUSED"), "{}", describe(&out));
    // The server knows the name but the secret is another one: BADSIG, exit 4.
    let wrong = format!("hmac-sha256:k-sha256:{}", key("k-sha512").secret);
    let mut args = base.to_vec();
    args.extend(["-y", &wrong]);
    let out = e.raw(&args);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert_eq!(e.zone(), before);
}

#[test]
fn dot_failures_are_clear_and_leave_the_zone_unchanged() {
    let e = env();
    let before = e.zone();
    let dot = e.s.dot_addr().to_string();
    let plain = e.s.named.addr().to_string();
    let key = e.key_file.to_str().unwrap();
    let ca = e.s.pki.ca_file.to_str().unwrap();
    let other_ca = e.s.pki.other_ca_file.to_str().unwrap();
    let update = [
        "add",
        "x.example.test.",
        "A",
        "192.0.2.7",
        "-z",
        "example.test",
    ];
    let run = |extra: &[&str]| {
        let mut args = update.to_vec();
        args.extend(["-k", key, "--timeout", "5"]);
        args.extend(extra);
        e.raw(&args)
    };
    let cases: [(&str, Vec<&str>, &str); 5] = [
        (
            "wrong CA",
            vec![
                "--tls",
                "-s",
                &dot,
                "--ca-file",
                other_ca,
                "--tls-name",
                TLS_NAME,
            ],
            "is not trusted",
        ),
        (
            "wrong name",
            vec![
                "--tls",
                "-s",
                &dot,
                "--ca-file",
                ca,
                "--tls-name",
                "ns2.example.test",
            ],
            "is not valid for the name ns2.example.test",
        ),
        (
            "no name: the address is checked",
            vec!["--tls", "-s", &dot, "--ca-file", ca],
            "is not valid for the name 127.0.0.1",
        ),
        (
            "TLS to the plain DNS port",
            vec![
                "--tls",
                "-s",
                &plain,
                "--ca-file",
                ca,
                "--tls-name",
                TLS_NAME,
            ],
            "TLS",
        ),
        ("plain DNS to the TLS port", vec!["--tcp", "-s", &dot], ""),
    ];
    for (what, extra, says) in cases {
        let out = run(&extra);
        assert_eq!(code(&out), 5, "{what}: {}", describe(&out));
        let err = stderr(&out);
        eprintln!("{what}: {err}");
        assert!(err.contains("error [network]"), "{what}: {err}");
        assert!(err.contains(says), "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
    }
    // Options that make no sense are usage errors, before anything is sent.
    for (what, extra) in [
        ("--ca-file without --tls", vec!["-s", &dot, "--ca-file", ca]),
        ("--tls without --server", vec!["--tls"]),
        (
            "a CA file that is not PEM",
            vec!["--tls", "-s", &dot, "--ca-file", "/etc/hostname"],
        ),
        (
            "a CA file that is a device",
            vec!["--tls", "-s", &dot, "--ca-file", "/dev/zero"],
        ),
    ] {
        let out = run(&extra);
        assert_eq!(code(&out), 1, "{what}: {}", describe(&out));
    }
    assert_eq!(e.zone(), before);
    // --tls-insecure goes through, and says what it gives up.
    let out = run(&["--tls", "-s", &dot, "--tls-insecure"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains("verification is OFF"),
        "{}",
        describe(&out)
    );
    assert_eq!(e.s.named.query("x.example.test", "A"), ["192.0.2.7"]);
}

/// A TCP relay that records every byte in both directions.
struct Relay {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<u8>>>,
}

fn relay(to: SocketAddr) -> Relay {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let Ok(server) = TcpStream::connect(to) else {
                return;
            };
            for (mut from, mut into) in [
                (client.try_clone().unwrap(), server.try_clone().unwrap()),
                (server, client),
            ] {
                let record = record.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    loop {
                        match from.read(&mut buf) {
                            Ok(0) | Err(_) => {
                                let _ = into.shutdown(std::net::Shutdown::Write);
                                return;
                            }
                            Ok(n) => {
                                record.lock().unwrap().extend_from_slice(&buf[..n]);
                                if into.write_all(&buf[..n]).is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        }
    });
    Relay { addr, seen }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn nothing_goes_in_clear_through_a_recording_relay() {
    let e = env();
    let key = e.key_file.to_str().unwrap();
    let ca = e.s.pki.ca_file.to_str().unwrap();
    // On the wire a name is labels: \x0bsecret-host; the key name k-sha256 likewise.
    let owner = b"\x0bsecret-host";
    let key_name = b"\x08k-sha256";

    let tls_relay = relay(e.s.dot_addr());
    let via = tls_relay.addr.to_string();
    let out = e.raw(&[
        "add",
        "secret-host.example.test.",
        "A",
        "192.0.2.44",
        "--tls",
        "-s",
        &via,
        "--ca-file",
        ca,
        "--tls-name",
        TLS_NAME,
        "-k",
        key,
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        e.s.named.query("secret-host.example.test", "A"),
        ["192.0.2.44"]
    );
    let seen = tls_relay.seen.lock().unwrap().clone();
    assert!(seen.len() > 500, "the relay saw only {} bytes", seen.len());
    assert!(!contains(&seen, owner), "the record's name went in clear");
    assert!(!contains(&seen, key_name), "the key name went in clear");
    // (The server's name does go in clear, in the TLS SNI extension: that is not a secret.)

    // The same relay in front of the plain TCP port sees both: the check above can fail.
    let clear_relay = relay(e.s.named.addr());
    let via = clear_relay.addr.to_string();
    let out = e.raw(&[
        "add",
        "secret-host.example.test.",
        "A",
        "192.0.2.45",
        "--tcp",
        "-z",
        "example.test",
        "-s",
        &via,
        "-k",
        key,
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let seen = clear_relay.seen.lock().unwrap().clone();
    assert!(contains(&seen, owner) && contains(&seen, key_name));
}

#[test]
fn mutual_tls_accepts_the_right_client_certificate_only() {
    let e = env_with(TlsNamed::start_with(ServerOptions::default(), true));
    let before = e.zone();
    let pki = &e.s.pki;
    let (cert, key) = (
        pki.client_cert.to_str().unwrap(),
        pki.client_key.to_str().unwrap(),
    );
    let (stranger_cert, stranger_key) = (
        pki.stranger_cert.to_str().unwrap(),
        pki.stranger_key.to_str().unwrap(),
    );
    let update = [
        "add",
        "m.example.test.",
        "A",
        "192.0.2.8",
        "-z",
        "example.test",
        "--timeout",
        "5",
    ];
    for (what, extra) in [
        ("no client certificate", vec![]),
        (
            "a certificate of another CA",
            vec!["--client-cert", stranger_cert, "--client-key", stranger_key],
        ),
    ] {
        let mut args = update.to_vec();
        args.extend(extra);
        let out = e.dot(&args);
        assert_eq!(code(&out), 5, "{what}: {}", describe(&out));
        eprintln!("{what}: {}", stderr(&out));
        assert!(stderr(&out).contains("TLS"), "{what}: {}", describe(&out));
    }
    assert_eq!(e.zone(), before);
    let mut args = update.to_vec();
    args.extend(["--client-cert", cert, "--client-key", key]);
    let out = e.dot(&args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(e.s.named.query("m.example.test", "A"), ["192.0.2.8"]);
}

#[test]
fn doh_updates_land_and_errors_are_clear() {
    let e = env();
    let ca = e.s.pki.ca_file.to_str().unwrap();
    let other_ca = e.s.pki.other_ca_file.to_str().unwrap();
    let key = e.key_file.to_str().unwrap();
    let url = e.s.doh_url("/dns-query");
    // The URL names the certificate's host; --server says where that host is.
    let doh = |args: &[&str], url: &str, ca: &str| {
        let mut full = args.to_vec();
        full.extend([
            "--https",
            url,
            "-s",
            "127.0.0.1",
            "--ca-file",
            ca,
            "-k",
            key,
        ]);
        full.extend(["--timeout", "5"]);
        e.raw(&full)
    };
    let out = doh(
        &["set", "doh.example.test.", "A", "192.0.2.80", "--json"],
        &url,
        ca,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"rcode\":\"NOERROR\""));
    let out = doh(
        &[
            "add",
            "doh.example.test.",
            "A",
            "192.0.2.81",
            "-z",
            "example.test",
        ],
        &url,
        ca,
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        e.s.named.query("doh.example.test", "A"),
        ["192.0.2.80", "192.0.2.81"]
    );
    let before = e.zone();
    // No key: REFUSED over DoH as over anything else.
    let out = e.raw(&[
        "add",
        "x.example.test.",
        "A",
        "192.0.2.1",
        "-z",
        "example.test",
        "--https",
        &url,
        "-s",
        "127.0.0.1",
        "--ca-file",
        ca,
    ]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    for (what, url, ca, says) in [
        (
            "a path that is not the endpoint",
            e.s.doh_url("/no-such-path"),
            ca,
            "HTTP 404",
        ),
        ("wrong CA", url.clone(), other_ca, "is not trusted"),
        (
            "DoH to the DoT port",
            format!("https://{TLS_NAME}:{}/dns-query", e.s.dot_addr().port()),
            ca,
            "timed out",
        ),
    ] {
        let out = doh(
            &[
                "add",
                "x.example.test.",
                "A",
                "192.0.2.1",
                "-z",
                "example.test",
            ],
            &url,
            ca,
        );
        eprintln!("{what}: {}", stderr(&out));
        assert_eq!(code(&out), 5, "{what}: {}", describe(&out));
        assert!(stderr(&out).contains(says), "{what}: {}", describe(&out));
    }
    assert_eq!(e.zone(), before);
}

#[test]
fn daemon_rfc2136_provider_over_tls_and_https() {
    let e = env();
    let ca = e.s.pki.ca_file.display().to_string();
    for (transport, server, settings) in [
        (
            "tls",
            e.s.dot_addr().to_string(),
            format!("ca_file = \"{ca}\"\ntls_name = \"{TLS_NAME}\"\n"),
        ),
        (
            "https",
            "127.0.0.1".to_string(),
            format!(
                "ca_file = \"{ca}\"\nurl = \"{}\"\n",
                e.s.doh_url("/dns-query")
            ),
        ),
    ] {
        let setup =
            common::daemon::daemon_setup(server.parse().unwrap_or(e.s.dot_addr()), "", "5s", None);
        let text = std::fs::read_to_string(&setup.config).unwrap();
        let text = text
            .replace(
                &format!("servers = [\"{}\"]", e.s.dot_addr()),
                &format!("servers = [\"{server}\"]"),
            )
            .replace(
                "type = \"rfc2136\"\n",
                &format!("type = \"rfc2136\"\ntransport = \"{transport}\"\n{settings}"),
            );
        std::fs::write(&setup.config, text).unwrap();
        let address = if transport == "tls" {
            "203.0.113.10"
        } else {
            "203.0.113.11"
        };
        std::fs::write(&setup.addr_file, format!("{address}\n")).unwrap();
        let out = setup.once();
        assert_eq!(code(&out), 0, "{transport}: {}", describe(&out));
        assert_eq!(
            e.s.named.query("home.example.test", "A"),
            [address],
            "{transport}"
        );
    }
    // Certificate checks cannot be turned off in the daemon, and TLS settings need a transport.
    let setup = common::daemon::daemon_setup(e.s.dot_addr(), "", "5s", None);
    let text = std::fs::read_to_string(&setup.config).unwrap();
    std::fs::write(
        &setup.config,
        text.replace(
            "type = \"rfc2136\"\n",
            &format!("type = \"rfc2136\"\nca_file = \"{ca}\"\n"),
        ),
    )
    .unwrap();
    let out = setup.once();
    assert_ne!(code(&out), 0, "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("need transport"),
        "{}",
        describe(&out)
    );
}

#[test]
fn apply_pipelines_over_tls() {
    let e = env();
    let input = e.s.named.dir().join("changes.txt");
    let lines: String = (0..500)
        .map(|i| {
            format!(
                "update add bulk{i}.example.test. 300 A 10.0.{}.{}\n",
                i / 256,
                i % 256
            )
        })
        .collect();
    std::fs::write(&input, lines).unwrap();
    let out = e.dot(&[
        "apply",
        input.to_str().unwrap(),
        "--batch-size",
        "50",
        "--zone",
        "example.test",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let zone = e.zone();
    assert_eq!(
        (0..500)
            .filter(|i| !zone.find(&format!("bulk{i}.example.test."), "A").is_empty())
            .count(),
        500
    );
    // --https is refused by apply before anything is sent.
    let url = e.s.doh_url("/dns-query");
    let out = e.raw(&[
        "apply",
        input.to_str().unwrap(),
        "--zone",
        "example.test",
        "--https",
        &url,
    ]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
}
