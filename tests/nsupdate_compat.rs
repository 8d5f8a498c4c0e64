//! `dnsup nsupdate` against BIND's own `nsupdate`: every script of the corpus in
//! `tests/script_corpus/nsupdate/` runs through both tools against two identical fresh named
//! instances, and the exit status, the output (stdout and stderr, with message IDs, TSIG times
//! and MACs, ports and temp paths masked) and the resulting zones (AXFR, SOA serial included)
//! must be the same.
//!
//! A corpus file is a script with a header of `#` lines, which are not part of the script:
//!
//! ```text
//! # covers: what the script exercises (required)
//! # args: nsupdate's options (default: -y @KEY@)
//! # input: stdin (default) or file (the script is written to a file named on the command line)
//! ```
//!
//! Placeholders, in the script and in the args: `@SERVER@` (`server 127.0.0.1 PORT`), `@PORT@`,
//! `@KEY@` (`hmac-sha256:k-sha256:SECRET`), `@SECRET@` (that secret), `@MD5SECRET@` (k-md5's),
//! `@WRONGKEY@` (k-sha256 with another secret), `@UNKNOWNKEY@` (a key the server does not
//! know), `@KEYFILE@` (k-sha256 in tsig-keygen format), `@RESOLV@` (a resolv.conf naming
//! 127.0.0.1), `@RESOLV2@` (127.0.0.2, which answers REFUSED, then 127.0.0.1), `@RESOLV3@`
//! (127.0.0.3, where nothing listens, then 127.0.0.1), `@SESSIONKEY@` (named's session.key),
//! `@BLACKHOLE@` (a port that swallows packets and never answers), `@CLOSED@` (a port nobody
//! listens on), `@DIR@` (a scratch dir).
//!
//! Besides `example.test` and `other.test`, every server has `local.test` (SOA MNAME
//! `localhost.`, so discovery through `-C @RESOLV@ -p @PORT@` reaches the server) and
//! `session.test` (`update-policy local`, for `-l`).

mod common;

use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// The version strings of the two tools (`-V`, `version`, `help`).
const BIND_VERSION: &str = "9.18.49-1~deb12u3-Debian";
const DNSUP_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (dnsup)");

const ZONES: &[&str] = &["example.test", "other.test", "local.test", "session.test"];

const LOCAL_ZONE: &str = "$TTL 300\n@ IN SOA localhost. hostmaster.local.test. 1 3600 600 86400 300\n@ IN NS localhost.\nwww IN A 192.0.2.7\n";

/// One script of the corpus.
struct Script {
    name: String,
    args: String,
    file_input: bool,
    body: String,
}

fn corpus_dir() -> PathBuf {
    repo_root().join("tests/script_corpus/nsupdate")
}

fn load_corpus() -> Vec<Script> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("reading the corpus directory")
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths.iter().map(|p| parse_script(p)).collect()
}

fn parse_script(path: &Path) -> Script {
    let text = std::fs::read_to_string(path).expect("reading a corpus file");
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut args = "-y @KEY@".to_string();
    let mut file_input = false;
    let mut covers = false;
    let mut body = String::new();
    let mut in_header = true;
    for line in text.split_inclusive('\n') {
        if in_header && line.starts_with('#') {
            let (key, value) = line[1..].split_once(':').unwrap_or((line, ""));
            let value = value.trim();
            match key.trim() {
                "covers" => covers = !value.is_empty(),
                "args" => args = value.to_string(),
                "input" => file_input = value == "file",
                other => panic!("{name}: unknown header field {other:?}"),
            }
            continue;
        }
        in_header = false;
        body.push_str(line);
    }
    assert!(covers, "{name}: the header needs a '# covers:' line");
    Script {
        name,
        args,
        file_input,
        body,
    }
}

/// Answers every query on 127.0.0.2 at the server's port with REFUSED, until dropped.
struct Refuser {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Refuser {
    fn start(port: u16) -> Refuser {
        use std::sync::atomic::{AtomicBool, Ordering};
        let socket = UdpSocket::bind((Ipv4Addr::new(127, 0, 0, 2), port))
            .expect("binding 127.0.0.2 for the refusing server");
        socket
            .set_read_timeout(Some(std::time::Duration::from_millis(20)))
            .unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !flag.load(Ordering::Relaxed) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                if n < 12 {
                    continue;
                }
                let mut reply = buf[..n].to_vec();
                reply[2] |= 0x80; // QR
                reply[3] = (reply[3] & 0xf0) | 5; // REFUSED
                let _ = socket.send_to(&reply, from);
            }
        });
        Refuser {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Refuser {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A named with the corpus zones, and the files scripts refer to.
struct Lab {
    server: Named,
    _refuser: Refuser,
    scratch: tempfile::TempDir,
    // Dropped after the server, which journals session.test there.
    _session_zone: tempfile::TempDir,
}

impl Lab {
    fn start() -> Lab {
        let session_zone = tempfile::tempdir().expect("temp dir");
        let zone_path = session_zone.path().join("session.test.zone");
        std::fs::write(&zone_path, LOCAL_ZONE.replace("local.test", "session.test")).unwrap();
        let options = ServerOptions::default()
            .zone_text("local.test", LOCAL_ZONE)
            .named_extra(&format!(
                "zone \"session.test\" {{ type primary; file \"{}\"; update-policy local; }};",
                zone_path.display()
            ));
        let server = Named::start_with(options);
        Lab {
            _refuser: Refuser::start(server.port()),
            server,
            scratch: tempfile::tempdir().expect("temp dir"),
            _session_zone: session_zone,
        }
    }

    fn zones(&self) -> Vec<(String, Zone)> {
        ZONES
            .iter()
            .map(|z| (z.to_string(), self.server.axfr(z)))
            .collect()
    }
}

/// Ports shared by both runs of a script: one that swallows everything, one that is closed.
struct Ports {
    _udp: UdpSocket,
    _tcp: TcpListener,
    blackhole: u16,
    closed: u16,
}

impl Ports {
    fn new() -> Ports {
        // The black hole: a bound UDP socket nobody reads, a TCP listener nobody accepts on.
        let (udp, tcp) = loop {
            let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            let port = udp.local_addr().unwrap().port();
            if let Ok(tcp) = TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
                break (udp, tcp);
            }
        };
        let closed = {
            let probe = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            probe.local_addr().unwrap().port()
        };
        Ports {
            blackhole: udp.local_addr().unwrap().port(),
            _udp: udp,
            _tcp: tcp,
            closed,
        }
    }
}

fn substitute(text: &str, lab: &Lab, ports: &Ports) -> String {
    let server = &lab.server;
    let k = key("k-sha256");
    let dir = lab.scratch.path();
    let keyfile = write_key_file(dir, k);
    // Not readable by others: dnsup warns about loose key files, nsupdate does not.
    std::fs::set_permissions(
        &keyfile,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let resolv = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let wrong = "hmac-sha256:k-sha256:AAAAAAAAuCmURoPzf+19Bzfb2YLvOr/Zf0BEWXf7V0w=";
    let unknown = format!("hmac-sha256:no-such-key:{}", k.secret);
    text.replace("@SERVER@", &format!("server 127.0.0.1 {}", server.port()))
        .replace("@PORT@", &server.port().to_string())
        .replace("@KEY@", &key_arg(k))
        .replace("@SECRET@", k.secret)
        .replace("@MD5SECRET@", key("k-md5").secret)
        .replace("@WRONGKEY@", wrong)
        .replace("@UNKNOWNKEY@", &unknown)
        .replace("@KEYFILE@", &keyfile.display().to_string())
        .replace("@RESOLV@", &resolv("resolv.conf", "nameserver 127.0.0.1\n"))
        .replace(
            "@RESOLV2@",
            &resolv(
                "resolv2.conf",
                "nameserver 127.0.0.2\nnameserver 127.0.0.1\n",
            ),
        )
        .replace(
            "@RESOLV3@",
            &resolv(
                "resolv3.conf",
                "nameserver 127.0.0.3\nnameserver 127.0.0.1\n",
            ),
        )
        .replace(
            "@SESSIONKEY@",
            &server.dir().join("session.key").display().to_string(),
        )
        .replace("@BLACKHOLE@", &ports.blackhole.to_string())
        .replace("@CLOSED@", &ports.closed.to_string())
        .replace("@DIR@", &dir.display().to_string())
}

fn run(tool: &Path, script: &Script, lab: &Lab, ports: &Ports, prefix: &[&str]) -> Output {
    let args = substitute(&script.args, lab, ports);
    let body = substitute(&script.body, lab, ports);
    let mut cmd = Command::new(tool);
    cmd.args(prefix).args(args.split_whitespace());
    let stdin = if script.file_input {
        let path = lab.scratch.path().join("script.txt");
        std::fs::write(&path, &body).unwrap();
        cmd.arg(path);
        String::new()
    } else {
        body
    };
    run_with_timeout(&mut cmd, stdin.as_bytes(), CLIENT_TIMEOUT)
}

/// The TSIG record's time, MAC, original ID and other data differ on every run.
fn mask_tsig(line: &str) -> String {
    let Some((head, rdata)) = line.split_once("\tTSIG\t") else {
        return line.to_string();
    };
    // ALGORITHM TIME FUDGE MACSIZE [MAC] ORIGID ERROR OTHERLEN [OTHER]
    let words: Vec<&str> = rdata.split(' ').collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let masked = match i {
            1 => "TIME",
            4 if words.get(3) != Some(&"0") => "MAC",
            _ => w,
        };
        out.push(masked.to_string());
    }
    // After the MAC: original ID, error, other length, other data.
    let after_mac = if words.get(3) == Some(&"0") { 4 } else { 5 };
    if let Some(id) = out.get_mut(after_mac) {
        *id = "ID".into();
    }
    if let Some(other) = out.get_mut(after_mac + 3)
        && !other.is_empty()
    {
        *other = "OTHER".into();
    }
    format!("{head}\tTSIG\t{}", out.join(" "))
}

/// stdout and stderr with what legitimately differs between runs masked: message IDs, TSIG
/// times and MACs, the server's port and temp dirs, and the time stamp and buffer address of
/// BIND's library log lines.
fn normalize(out: &Output, lab: &Lab, nsupdate: &Path) -> String {
    let text = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let port = lab.server.port().to_string();
    let text = text
        .replace(&lab.server.dir().display().to_string(), "SERVERDIR")
        .replace(&lab.scratch.path().display().to_string(), "DIR")
        .replace(&format!("#{port}"), "#PORT")
        .replace(&format!("{}: ", nsupdate.display()), "nsupdate: ")
        .replace(BIND_VERSION, "VERSION")
        .replace(DNSUP_VERSION, "VERSION");
    text.lines()
        .map(|l| {
            // "25-Nov-2026 06:59:56.387 dns_rdata_fromtext: buffer-0x7f2ae7b59c60:1: ..."
            let l = match l.find(" dns_rdata_fromtext: buffer-") {
                Some(i) => {
                    let rest = &l[i + " dns_rdata_fromtext: buffer-".len()..];
                    let rest = rest.split_once(':').map_or("", |(_, r)| r);
                    format!("TIME dns_rdata_fromtext: buffer-ADDR:{rest}")
                }
                None => l.to_string(),
            };
            // "id:  12345" is printed %6u: mask the number and its padding.
            let line = match l.find("id:") {
                Some(i) if l.starts_with(";; ->>HEADER<<-") => {
                    let rest = l[i + 3..].trim_start_matches(' ');
                    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                    format!("{}id: ID{rest}", &l[..i])
                }
                _ => l,
            };
            mask_tsig(&line)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// dnsup run as `nsupdate` (a symlink named so), the way it replaces nsupdate on a system.
/// (`dnsup nsupdate ARGS` is the same front end; `script_nsupdate_cli.rs` covers that form.)
struct Link {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Link {
    fn new() -> Link {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nsupdate");
        std::os::unix::fs::symlink(dnsup_bin(), &path).expect("symlink");
        Link { _dir: dir, path }
    }
}

fn compare(script: &Script, link: &Link) -> Result<(), String> {
    let ports = Ports::new();
    let (theirs, ours) = std::thread::scope(|s| {
        let a = s.spawn(Lab::start);
        let b = s.spawn(Lab::start);
        (a.join().unwrap(), b.join().unwrap())
    });
    let nsupdate = require("nsupdate", "bind9-dnsutils");
    let (bind, dnsup) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&nsupdate, script, &theirs, &ports, &[]));
        let b = s.spawn(|| run(&link.path, script, &ours, &ports, &[]));
        (a.join().unwrap(), b.join().unwrap())
    });
    let name = &script.name;
    if std::env::var_os("CORPUS_SHOW").is_some() {
        eprintln!(
            "=== {name}: exit {:?}\n{}\n",
            bind.status.code(),
            normalize(&bind, &theirs, &nsupdate)
        );
    }
    let mut problems = Vec::new();
    if bind.status.code() != dnsup.status.code() {
        problems.push(format!(
            "exit status: nsupdate {:?}, dnsup {:?}",
            bind.status.code(),
            dnsup.status.code()
        ));
    }
    let (a, b) = (
        normalize(&bind, &theirs, &nsupdate),
        normalize(&dnsup, &ours, &link.path),
    );
    if a != b {
        problems.push(format!("output differs\n--- nsupdate\n{a}\n--- dnsup\n{b}"));
    }
    for ((zone, z1), (_, z2)) in theirs.zones().into_iter().zip(ours.zones()) {
        if z1 != z2 {
            problems.push(format!(
                "zone {zone} differs\n--- nsupdate\n{z1}\n--- dnsup\n{z2}"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {}", problems.join("\n")))
    }
}

#[test]
fn the_corpus_is_big_enough_and_documented() {
    let corpus = load_corpus();
    assert!(corpus.len() >= 60, "{} scripts", corpus.len());
}

#[test]
fn same_script_same_output_same_zone_same_exit_status() {
    let corpus = load_corpus();
    let only = std::env::var("CORPUS_ONLY").ok();
    let selected: Vec<_> = corpus
        .iter()
        .filter(|s| only.as_deref().is_none_or(|o| s.name.contains(o)))
        .collect();
    let link = Link::new();
    let failures = common::parallel::run_all(&selected, |script| compare(script, &link));
    assert!(
        failures.is_empty(),
        "{} of {} scripts differ:\n\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n\n")
    );
}

/// Every TSIG algorithm through the nsupdate front end, with the key as `-y` and as `-k` file.
#[test]
fn every_key_form_the_way_nsupdate_takes_it() {
    let server = Named::start();
    for k in server.keys() {
        let file = write_key_file(server.dir(), k);
        for args in [
            vec!["nsupdate".to_string(), "-y".into(), key_arg(k)],
            vec!["nsupdate".into(), "-k".into(), file.display().to_string()],
        ] {
            let owner = format!(
                "{}-{}.example.test.",
                k.name,
                args[1].trim_start_matches('-')
            );
            let script = format!(
                "server 127.0.0.1 {}\nupdate add {owner} 300 A 192.0.2.3\nsend\n",
                server.port()
            );
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run_dnsup(&server, &script, &args);
            assert!(
                out.status.success(),
                "{} {args:?}: {}",
                k.algorithm,
                describe(&out)
            );
            assert_eq!(server.query(&owner, "A"), ["192.0.2.3"], "{}", k.algorithm);
        }
    }
}

#[test]
fn an_nsupdate_symlink_behaves_as_nsupdate() {
    let server = Named::start();
    let link = server.dir().join("nsupdate");
    std::os::unix::fs::symlink(dnsup_bin(), &link).unwrap();
    let script = format!(
        "server 127.0.0.1 {}\nupdate add link.example.test. 300 A 192.0.2.8\nsend\n",
        server.port()
    );
    let out = run_with_timeout(
        std::process::Command::new(&link).args(["-y", &key_arg(key("k-sha384"))]),
        script.as_bytes(),
        CLIENT_TIMEOUT,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(server.query("link.example.test", "A"), ["192.0.2.8"]);
}
