//! `dnsup nsupdate -S` (BIND 9.20's DNS-over-TLS options) against named's TLS listener,
//! compared with the same scripts sent in clear by BIND's own nsupdate (9.18, which has no
//! TLS) to an identical plain named: the exit status, the `update failed` lines and the zones
//! (AXFR, SOA serial included) must agree after every script. Also: one TLS connection serves
//! every send of a script, and 9.20's option checks with their texts.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::tls::{TLS_NAME, TlsNamed};
use common::*;

/// The corpus scripts that name their server with `@SERVER@` and use no other placeholder
/// and nsupdate's default options: they mean the same over TLS as in clear.
fn tls_corpus() -> Vec<(String, String, bool)> {
    let dir = repo_root().join("tests/script_corpus/nsupdate");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut args_default = true;
        let mut file_input = false;
        let mut body = String::new();
        let mut header = true;
        for line in text.split_inclusive('\n') {
            if header && line.starts_with('#') {
                if let Some(a) = line.strip_prefix("# args:") {
                    args_default = a.trim() == "-y @KEY@";
                }
                file_input |= line.starts_with("# input:") && line.contains("file");
                continue;
            }
            header = false;
            body.push_str(line);
        }
        let placeholders: Vec<&str> = body
            .split('@')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, p)| p)
            .collect();
        if args_default && body.contains("@SERVER@") && placeholders.iter().all(|p| *p == "SERVER")
        {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            out.push((name, body, file_input));
        }
    }
    out
}

fn failures(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("update failed"))
        .map(str::to_string)
        .collect()
}

fn run_script(
    server: &dyn Server,
    bind: bool,
    body: &str,
    file_input: bool,
    args: &[&str],
    dir: &Path,
) -> Output {
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let stdin = if file_input {
        let file = dir.join("script.txt");
        std::fs::write(&file, body).unwrap();
        args.push(file.display().to_string());
        String::new()
    } else {
        body.to_string()
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if bind {
        run_nsupdate(server, &stdin, &args)
    } else {
        let mut full = vec!["nsupdate"];
        full.extend(args);
        run_dnsup(server, &stdin, &full)
    }
}

#[test]
fn corpus_over_tls_matches_bind_nsupdate_in_clear() {
    let clear = Named::start();
    let tls = TlsNamed::start();
    let corpus = tls_corpus();
    assert!(corpus.len() >= 40, "only {} scripts qualify", corpus.len());
    let key = key_arg(key("k-sha256"));
    let ca = tls.pki.ca_file.display().to_string();
    let scratch = tempfile::tempdir().unwrap();
    for (name, body, file_input) in &corpus {
        let in_clear = body.replace("@SERVER@", &format!("server 127.0.0.1 {}", clear.port()));
        let over_tls = body.replace(
            "@SERVER@",
            &format!("server 127.0.0.1 {}", tls.dot_addr().port()),
        );
        let bind = run_script(
            &clear,
            true,
            &in_clear,
            *file_input,
            &["-y", &key],
            scratch.path(),
        );
        let ours = run_script(
            &tls.named,
            false,
            &over_tls,
            *file_input,
            &["-S", "-A", &ca, "-H", TLS_NAME, "-y", &key],
            scratch.path(),
        );
        assert_eq!(
            bind.status.code(),
            ours.status.code(),
            "{name}: exit status\nBIND in clear: {}\ndnsup -S: {}",
            describe(&bind),
            describe(&ours)
        );
        assert_eq!(failures(&bind), failures(&ours), "{name}: update failures");
        for zone in ["example.test", "other.test"] {
            assert_eq!(
                clear.axfr(zone),
                tls.named.axfr(zone),
                "{name}: {zone} differs\nBIND in clear: {}\ndnsup -S: {}",
                describe(&bind),
                describe(&ours)
            );
        }
    }
    // named saw the updates arrive over TLS, signed.
    assert!(tls.named.log().contains("k-sha256"), "{}", tls.named.log());
}

/// A TCP relay that counts the connections it accepted.
fn counting_relay(to: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            seen.fetch_add(1, Ordering::SeqCst);
            let Ok(server) = TcpStream::connect(to) else {
                return;
            };
            for (mut from, mut into) in [
                (client.try_clone().unwrap(), server.try_clone().unwrap()),
                (server, client),
            ] {
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 || into.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = into.shutdown(std::net::Shutdown::Write);
                });
            }
        }
    });
    (addr, count)
}

#[test]
fn one_tls_connection_serves_every_send_of_a_script() {
    let tls = TlsNamed::start();
    let (relay, connections) = counting_relay(tls.dot_addr());
    let ca = tls.pki.ca_file.display().to_string();
    let key = key_arg(key("k-sha256"));
    // Ten sends, with the zone found by an SOA query before each: one handshake in all.
    let mut script = format!("server 127.0.0.1 {}\n", relay.port());
    for i in 0..10 {
        script.push_str(&format!("add r{i}.example.test. 60 A 192.0.2.{i}\nsend\n"));
    }
    let out = run_dnsup(
        &tls.named,
        &script,
        &["nsupdate", "-S", "-A", &ca, "-H", TLS_NAME, "-y", &key],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(tls.named.query("r9.example.test", "A"), ["192.0.2.9"]);
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[test]
fn tls_options_are_checked_with_bind_9_20_texts() {
    let tls = TlsNamed::start();
    let ca = tls.pki.ca_file.display().to_string();
    let cert = tls.pki.client_cert.display().to_string();
    let script = format!(
        "server 127.0.0.1 {}\nadd o.example.test. 60 A 192.0.2.1\nsend\n",
        tls.dot_addr().port()
    );
    let key = key_arg(key("k-sha256"));
    for (args, text) in [
        (
            vec!["-S", "-E", cert.as_str()],
            "nsupdate: cannot specify the -K option withoutthe -E option, and vice versa.\n",
        ),
        (
            vec!["-K", cert.as_str()],
            "nsupdate: cannot specify the -K option withoutthe -E option, and vice versa.\n",
        ),
        (
            vec!["-A", ca.as_str(), "-O"],
            "nsupdate: cannot specify the -A option in conjuction with the -O option.\n",
        ),
    ] {
        let mut full = vec!["nsupdate"];
        full.extend(args.iter().copied());
        let out = run_dnsup(&tls.named, &script, &full);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", describe(&out));
        assert_eq!(String::from_utf8_lossy(&out.stderr), text, "{args:?}");
    }
    // Wrong CA: the communication failure, then nsupdate's own ending: the SOA query failing
    // is fatal (status 1); with `zone` set the update itself fails (status 2).
    let other = tls.pki.other_ca_file.display().to_string();
    let with_zone = script.replacen("\n", "\nzone example.test\n", 1);
    for (script, status, last) in [
        (&script, 1, "could not reach any name server"),
        (&with_zone, 2, "(--ca-file, nsupdate -A)"),
    ] {
        let out = run_dnsup(
            &tls.named,
            script,
            &["nsupdate", "-A", &other, "-H", TLS_NAME, "-y", &key],
        );
        assert_eq!(out.status.code(), Some(status), "{}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("; Communication with 127.0.0.1#"), "{err}");
        assert!(err.contains("is not trusted"), "{err}");
        assert!(err.trim_end().ends_with(last), "{err}");
    }
    assert!(tls.named.query("o.example.test", "A").is_empty());
    // -O: no verification, said loudly; the update lands.
    let out = run_dnsup(&tls.named, &script, &["nsupdate", "-O", "-y", &key]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("verification is OFF"),
        "{}",
        describe(&out)
    );
    assert_eq!(tls.named.query("o.example.test", "A"), ["192.0.2.1"]);
}
