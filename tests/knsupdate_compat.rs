//! `dnsup knsupdate` against Knot's own `knsupdate`: every script of the corpus in
//! `tests/script_corpus/knsupdate/` runs through both tools against two identical fresh knotd
//! instances, and the exit status, the output (stdout and stderr, with message IDs and TSIG
//! times and MACs masked) and the resulting zones (AXFR) must be the same.
//!
//! A corpus file is a script with a header of `#` lines, which are not part of the script:
//!
//! ```text
//! # covers: what the script exercises (required)
//! # args: knsupdate's options (default: -y @KEY@)
//! # input: stdin (default) or file (the script is written to a file named on the command line)
//! ```
//!
//! Placeholders, in the script and in the args: `@SERVER@` (`server 127.0.0.1 PORT`), `@PORT@`,
//! `@KEY@` (`hmac-sha256:k-sha256:SECRET`), `@SECRET@` (that secret), `@WRONGKEY@` (k-sha256
//! with another secret), `@UNKNOWNKEY@` (a key the server does not know), `@KEYFILE@`
//! (k-sha256 as a one-line `alg:name:secret` file), `@BLACKHOLE@` (a port that swallows packets
//! and never answers), `@CLOSED@` (a port nobody listens on), `@DIR@` (a scratch dir).

mod common;

use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const ZONES: &[&str] = &["example.test", "other.test"];

/// One script of the corpus.
struct Script {
    name: String,
    args: String,
    file_input: bool,
    body: String,
}

fn corpus_dir() -> PathBuf {
    repo_root().join("tests/script_corpus/knsupdate")
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

/// A knotd with the default zones, and the files scripts refer to.
struct Lab {
    server: Knot,
    scratch: tempfile::TempDir,
}

impl Lab {
    fn start() -> Lab {
        Lab {
            server: Knot::start(),
            scratch: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn zones(&self) -> Vec<(String, Zone)> {
        ZONES
            .iter()
            .map(|z| (z.to_string(), self.server.axfr(z)))
            .collect()
    }
}

fn substitute(text: &str, lab: &Lab, ports: &Ports) -> String {
    let server = &lab.server;
    let k = key("k-sha256");
    let dir = lab.scratch.path();
    let keyfile = write_knot_key_file(dir, k);
    std::fs::set_permissions(
        &keyfile,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let wrong = "hmac-sha256:k-sha256:AAAAAAAAuCmURoPzf+19Bzfb2YLvOr/Zf0BEWXf7V0w=";
    let unknown = format!("hmac-sha256:no-such-key:{}", k.secret);
    text.replace("@SERVER@", &format!("server 127.0.0.1 {}", server.port()))
        .replace("@PORT@", &server.port().to_string())
        .replace("@KEY@", &key_arg(k))
        .replace("@SECRET@", k.secret)
        .replace("@WRONGKEY@", wrong)
        .replace("@UNKNOWNKEY@", &unknown)
        .replace("@KEYFILE@", &keyfile.display().to_string())
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

/// The TSIG record's time, MAC and original ID differ on every run (kdig style: the fields
/// after `TSIG` are `ALGORITHM TIME FUDGE MACSIZE [MAC] ORIGID ERROR OTHERLEN [OTHER]`).
fn mask_tsig(line: &str) -> String {
    let Some((head, rdata)) = line.split_once("\tTSIG\t") else {
        return line.to_string();
    };
    let words: Vec<&str> = rdata.split(' ').collect();
    let has_mac = words.get(3).is_some_and(|n| *n != "0");
    let after_mac = if has_mac { 5 } else { 4 };
    let masked: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| match i {
            1 => "TIME".to_string(),
            4 if has_mac => "MAC".to_string(),
            i if i == after_mac => "ID".to_string(),
            i if i == after_mac + 3 => "OTHER".to_string(),
            _ => w.to_string(),
        })
        .collect();
    format!("{head}\tTSIG\t{}", masked.join(" "))
}

/// stdout and stderr with message IDs, TSIG times and MACs, the server's port, the temp dir
/// and the program path masked.
fn normalize(out: &Output, lab: &Lab, prog: &Path) -> String {
    let text = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let port = lab.server.port().to_string();
    let text = text
        .replace(&lab.scratch.path().display().to_string(), "DIR")
        .replace(&format!("@{port}"), "@PORT")
        .replace(&format!("#{port}"), "#PORT")
        .replace(&format!("{}: ", prog.display()), "knsupdate: ");
    text.lines()
        .map(|l| {
            let line = match l.find("; id: ") {
                Some(i) if l.starts_with(";; ->>HEADER<<-") => format!("{}; id: ID", &l[..i]),
                _ => l.to_string(),
            };
            mask_tsig(&line)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// dnsup run as `knsupdate` (a symlink named so).
struct Link {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Link {
    fn new() -> Link {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("knsupdate");
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
    let knsupdate = require("knsupdate", "knot-dnsutils");
    let (knot, dnsup) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&knsupdate, script, &theirs, &ports, &[]));
        let b = s.spawn(|| run(&link.path, script, &ours, &ports, &[]));
        (a.join().unwrap(), b.join().unwrap())
    });
    let name = &script.name;
    let (a, b) = (
        normalize(&knot, &theirs, &knsupdate),
        normalize(&dnsup, &ours, &link.path),
    );
    if std::env::var_os("CORPUS_SHOW").is_some() {
        eprintln!("=== {name}: exit {:?}\n{a}\n", knot.status.code());
    }
    let mut problems = Vec::new();
    if knot.status.code() != dnsup.status.code() {
        problems.push(format!(
            "exit status: knsupdate {:?}, dnsup {:?}",
            knot.status.code(),
            dnsup.status.code()
        ));
    }
    if a != b {
        problems.push(format!(
            "output differs\n--- knsupdate\n{a}\n--- dnsup\n{b}"
        ));
    }
    for ((zone, z1), (_, z2)) in theirs.zones().into_iter().zip(ours.zones()) {
        if z1 != z2 {
            problems.push(format!(
                "zone {zone} differs\n--- knsupdate\n{z1}\n--- dnsup\n{z2}"
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
    assert!(corpus.len() >= 20, "{} scripts", corpus.len());
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

#[test]
fn a_knsupdate_symlink_behaves_as_knsupdate() {
    let server = Knot::start();
    let link = server.dir().join("knsupdate");
    std::os::unix::fs::symlink(dnsup_bin(), &link).unwrap();
    let script = format!(
        "server 127.0.0.1 {}\nzone example.test\nadd link.example.test. A 192.0.2.8\nsend\n",
        server.port()
    );
    let out = run_with_timeout(
        std::process::Command::new(&link).args(["-y", &key_arg(key("k-sha512"))]),
        script.as_bytes(),
        CLIENT_TIMEOUT,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(server.query("link.example.test", "A"), ["192.0.2.8"]);
    assert_eq!(
        server.axfr("example.test").find("link.example.test.", "A"),
        ["link.example.test. 3600 IN A 192.0.2.8"]
    );
}
