//! The native command line (`dnsup set/add/delete/keygen`) against a real BIND named: what the
//! zone holds afterwards, the documented exit codes, `--json`, `--dry-run`, and clear errors.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use common::*;

struct Env {
    server: Named,
    key_file: std::path::PathBuf,
}

fn env() -> Env {
    let server = Named::start();
    let key_file = write_key_file(server.dir(), key("k-sha256"));
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    Env { server, key_file }
}

impl Env {
    fn dnsup(&self, args: &[&str]) -> Output {
        let server = format!("127.0.0.1:{}", self.server.port());
        let mut full: Vec<&str> = args.to_vec();
        full.extend([
            "--server",
            &server,
            "--key-file",
            self.key_file.to_str().unwrap(),
        ]);
        run_dnsup(&self.server, "", &full)
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("dnsup exited by a signal")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn set_replaces_add_appends_delete_removes() {
    let e = env();
    let out = e.dnsup(&[
        "set",
        "www.example.test",
        "A",
        "192.0.2.1",
        "192.0.2.2",
        "--zone",
        "example.test",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        e.server.query("www.example.test", "A"),
        ["192.0.2.1", "192.0.2.2"]
    );

    let out = e.dnsup(&[
        "add",
        "www",
        "A",
        "192.0.2.3",
        "--zone",
        "example.test",
        "--ttl",
        "60",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(e.server.query("www.example.test", "A").len(), 3);

    let out = e.dnsup(&["delete", "www.example.test.", "A", "192.0.2.1"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        e.server.query("www.example.test", "A"),
        ["192.0.2.2", "192.0.2.3"]
    );

    let out = e.dnsup(&["delete", "www.example.test.", "A"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(e.server.query("www.example.test", "A").is_empty());
    assert_eq!(e.server.query("www.example.test", "AAAA"), ["2001:db8::80"]);

    let out = e.dnsup(&["delete", "www.example.test."]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        e.server
            .axfr("example.test")
            .find("www.example.test.", "AAAA")
            .is_empty()
    );
}

#[test]
fn zone_is_discovered_from_the_server_when_not_given() {
    let e = env();
    let out = e.dnsup(&["set", "deep.name.example.test", "TXT", "\"found the zone\""]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stderr(&out).contains("example.test."), "{}", describe(&out));
    assert_eq!(
        e.server.query("deep.name.example.test", "TXT"),
        ["\"found the zone\""]
    );
}

#[test]
fn failed_guard_exits_3_and_leaves_the_zone() {
    let e = env();
    let before = e.server.axfr("example.test");
    let out = e.dnsup(&[
        "set",
        "www.example.test",
        "A",
        "192.0.2.9",
        "--if-equals",
        "192.0.2.1",
    ]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(stderr(&out).contains("NXRRSET"), "{}", describe(&out));
    assert_eq!(e.server.axfr("example.test"), before);

    let out = e.dnsup(&["add", "www.example.test", "A", "192.0.2.9", "--if-absent"]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(stderr(&out).contains("YXRRSET"), "{}", describe(&out));

    let out = e.dnsup(&[
        "set",
        "www.example.test",
        "A",
        "192.0.2.9",
        "--if-equals",
        "192.0.2.80",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(e.server.query("www.example.test", "A"), ["192.0.2.9"]);
}

#[test]
fn json_outcome_is_one_object_on_stdout() {
    let e = env();
    let out = e.dnsup(&["set", "j.example.test", "A", "192.0.2.5", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["status"], "ok");
    assert_eq!(v["rcode"], "NOERROR");
    assert_eq!(v["zone"], "example.test.");
    assert_eq!(v["exit_code"], 0);

    let out = e.dnsup(&[
        "add",
        "j.example.test",
        "A",
        "192.0.2.6",
        "--if-absent",
        "--json",
    ]);
    assert_eq!(code(&out), 3);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["status"], "failed");
    assert_eq!(v["rcode"], "YXRRSET");
    assert_eq!(v["exit_code"], 3);
}

#[test]
fn dry_run_prints_the_message_and_changes_nothing() {
    let e = env();
    let before = e.server.axfr("example.test");
    let out = e.dnsup(&[
        "set",
        "d.example.test",
        "A",
        "192.0.2.5",
        "--zone",
        "example.test",
        "--dry-run",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("d.example.test."), "{text}");
    assert!(text.contains("192.0.2.5"), "{text}");
    assert_eq!(e.server.axfr("example.test"), before);
}

#[test]
fn tsig_failures_exit_4_and_name_the_cause() {
    let e = env();
    let server = format!("127.0.0.1:{}", e.server.port());
    let out = run_dnsup(
        &e.server,
        "",
        &[
            "set",
            "x.example.test",
            "A",
            "192.0.2.1",
            "--server",
            &server,
            "--zone",
            "example.test",
            "--key",
            "hmac-sha256:k-sha256:c2VjcmV0IHRoYXQgaXMgbm90IHRoZSBzZXJ2ZXIncyEhISEhISEhISEhISE=",
        ],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("BADSIG"), "{}", describe(&out));
    assert!(
        !stderr(&out).contains("c2VjcmV0IHRoYXQ"),
        "the secret leaked: {}",
        describe(&out)
    );
}

#[test]
fn unsigned_update_is_refused_with_exit_2() {
    let e = env();
    let server = format!("127.0.0.1:{}", e.server.port());
    let out = run_dnsup(
        &e.server,
        "",
        &[
            "set",
            "x.example.test",
            "A",
            "192.0.2.1",
            "--server",
            &server,
            "--zone",
            "example.test",
        ],
    );
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("REFUSED"), "{}", describe(&out));
}

#[test]
fn key_from_the_environment() {
    let e = env();
    let k = key("k-sha512");
    let out = Command::new(dnsup_bin())
        .args([
            "set",
            "envkey.example.test",
            "A",
            "192.0.2.44",
            "--zone",
            "example.test",
            "--server",
        ])
        .arg(format!("127.0.0.1:{}", e.server.port()))
        .env("DNSUP_KEY", key_arg(k))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(e.server.query("envkey.example.test", "A"), ["192.0.2.44"]);
}

#[test]
fn no_server_listening_exits_5() {
    let free = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let out = Command::new(dnsup_bin())
        .args([
            "set",
            "x.example.test",
            "A",
            "192.0.2.1",
            "--zone",
            "example.test",
            "--timeout",
            "2",
            "--retries",
            "0",
            "--server",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", describe(&out));
    assert!(
        stderr(&out).starts_with("error [network]:"),
        "{}",
        describe(&out)
    );
}

#[test]
fn bad_input_exits_1_with_what_is_wrong() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "set",
                "x.example.test",
                "A",
                "300.0.0.1",
                "--zone",
                "example.test",
            ],
            "bad A data '300.0.0.1'",
        ),
        (
            &[
                "set",
                "x.example.test",
                "BOGUS",
                "1",
                "--zone",
                "example.test",
            ],
            "unknown record type 'BOGUS'",
        ),
        (
            &[
                "set",
                "x.other.test.",
                "A",
                "192.0.2.1",
                "--zone",
                "example.test.",
                "--server",
                "127.0.0.1",
            ],
            "x.other.test. is not in zone example.test.",
        ),
        (
            &[
                "set",
                "x.example.test",
                "TYPE65280",
                "0a000001",
                "--zone",
                "example.test",
            ],
            "\\# LENGTH HEX",
        ),
        (&["set", "x.example.test", "A"], "required"),
        (
            &[
                "set",
                "x.example.test",
                "A",
                "192.0.2.1",
                "--ttl",
                "2147483648",
            ],
            "--ttl",
        ),
        (
            &[
                "set",
                "x.example.test",
                "A",
                "192.0.2.1",
                "--timeout",
                "18446744073709551615",
            ],
            "--timeout",
        ),
        (
            &[
                "set",
                "x.example.test",
                "A",
                "192.0.2.1",
                "-s",
                "[::1]junk",
                "-z",
                "example.test",
            ],
            "expected [ADDRESS]:PORT",
        ),
        (
            &[
                "set",
                "x.example.test",
                "TYPE65280",
                "\\# 2 aé1",
                "-z",
                "example.test",
            ],
            "not hexadecimal",
        ),
        (
            &[
                "set",
                "x.example.test",
                "A",
                "192.0.2.1",
                "--key-file",
                "/nonexistent/key",
            ],
            "/nonexistent/key",
        ),
    ];
    for (args, expected) in cases {
        let out = Command::new(dnsup_bin()).args(*args).output().unwrap();
        assert_eq!(code(&out), 1, "{args:?}: {}", describe(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: expected {expected:?} in\n{}",
            describe(&out)
        );
    }
}

#[test]
fn the_apex_ns_rrset_cannot_be_replaced() {
    let e = env();
    let before = e.server.axfr("example.test");
    let out = e.dnsup(&[
        "set",
        "example.test.",
        "NS",
        "ns2.example.test.",
        "-z",
        "example.test",
    ]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        stderr(&out).contains("RFC 2136 3.4.2.3"),
        "{}",
        describe(&out)
    );
    assert_eq!(e.server.axfr("example.test"), before);
}

#[test]
fn keygen_prints_a_key_the_server_accepts_format_of() {
    for alg in [
        "hmac-md5",
        "hmac-sha1",
        "hmac-sha224",
        "hmac-sha256",
        "hmac-sha384",
        "hmac-sha512",
        "hmac-sha256-128",
    ] {
        let out = Command::new(dnsup_bin())
            .args(["keygen", "-a", alg, "new-key"])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", describe(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with("key \"new-key\" {\n\talgorithm "),
            "{text}"
        );
        assert!(text.contains(&format!("algorithm {alg};")), "{text}");
        // named-checkconf accepts it, as it accepts tsig-keygen's output.
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("k.conf");
        std::fs::write(&conf, &text).unwrap();
        let check = Command::new(require("named-checkconf", "bind9"))
            .arg(&conf)
            .output()
            .unwrap();
        assert!(check.status.success(), "{alg}: {}", describe(&check));
    }
}

#[test]
fn secrets_stay_out_of_debug_logs_and_errors() {
    let e = env();
    let k = key("k-sha256");
    let server = format!("127.0.0.1:{}", e.server.port());
    // A successful update with trace logging, the key from the environment.
    let out = Command::new(dnsup_bin())
        .args([
            "-vv",
            "set",
            "log.example.test",
            "A",
            "192.0.2.1",
            "--server",
            &server,
        ])
        .env("DNSUP_KEY", key_arg(k))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let all = describe(&out);
    assert!(
        all.contains("sending over UDP"),
        "debug logging is on: {all}"
    );
    assert!(!all.contains(k.secret), "the secret leaked: {all}");
    // A malformed secret: the error says what is wrong without repeating it.
    let bad = "hmac-sha256:k-sha256:not*base64*secret";
    let out = Command::new(dnsup_bin())
        .args([
            "-vv",
            "set",
            "log.example.test",
            "A",
            "192.0.2.1",
            "--server",
            &server,
        ])
        .env("DNSUP_KEY", bad)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        !describe(&out).contains("not*base64*secret"),
        "{}",
        describe(&out)
    );
}

#[test]
fn loose_key_file_permissions_are_warned_about() {
    let e = env();
    std::fs::set_permissions(&e.key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = e.dnsup(&["set", "perm.example.test", "A", "192.0.2.1"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains("readable by group or others"),
        "{}",
        describe(&out)
    );
    std::fs::set_permissions(&e.key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = e.dnsup(&["set", "perm.example.test", "A", "192.0.2.2"]);
    assert!(!stderr(&out).contains("warning"), "{}", describe(&out));
}

#[test]
fn strict_permissions_refuse_a_loose_key_file() {
    let e = env();
    std::fs::set_permissions(&e.key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = e.dnsup(&[
        "set",
        "strict.example.test",
        "A",
        "192.0.2.1",
        "--strict-permissions",
    ]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("refused"), "{}", describe(&out));
    assert!(e.server.query("strict.example.test", "A").is_empty());
}

/// `--provider NAME` takes a provider from the configuration file; here the RFC 2136 one on
/// the same named, so the zone itself shows what happened.
#[test]
fn set_add_delete_through_a_configured_provider() {
    let e = env();
    let config = e.server.dir().join("dnsup.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.home]\ntype = \"rfc2136\"\nservers = [\"127.0.0.1:{}\"]\nkey_file = \"{}\"\n",
            e.server.port(),
            e.key_file.display()
        ),
    )
    .unwrap();
    let via = |args: &[&str]| {
        let mut full = args.to_vec();
        full.extend([
            "--provider",
            "home",
            "--config",
            config.to_str().unwrap(),
            "--json",
        ]);
        let out = run_dnsup(&e.server, "", &full);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("not JSON: {}", describe(&out)));
        (code(&out), json)
    };

    let (c, j) = via(&["set", "p.example.test", "A", "192.0.2.1", "192.0.2.2"]);
    assert_eq!(c, 0, "{j}");
    assert_eq!(j["status"], "ok");
    assert_eq!(
        j["zone"], "example.test.",
        "the zone is found through the provider"
    );
    assert_eq!(
        e.server.query("p.example.test", "A"),
        ["192.0.2.1", "192.0.2.2"]
    );

    // The same values again: read, found equal, nothing sent.
    let (c, j) = via(&["set", "p.example.test", "A", "192.0.2.2", "192.0.2.1"]);
    assert_eq!((c, j["status"].as_str()), (0, Some("unchanged")), "{j}");

    let (c, _) = via(&["add", "p.example.test", "A", "192.0.2.3"]);
    assert_eq!(c, 0);
    assert_eq!(e.server.query("p.example.test", "A").len(), 3);

    // Guards: --if-absent on an existing RRset fails with exit 3 and changes nothing.
    let (c, j) = via(&["set", "p.example.test", "A", "192.0.2.9", "--if-absent"]);
    assert_eq!(c, 3, "{j}");
    assert_eq!(e.server.query("p.example.test", "A").len(), 3);
    let (c, j) = via(&[
        "set",
        "p.example.test",
        "A",
        "192.0.2.9",
        "--if-equals",
        "192.0.2.1",
    ]);
    assert_eq!(c, 3, "{j}");

    let (c, _) = via(&["delete", "p.example.test", "A", "192.0.2.1"]);
    assert_eq!(c, 0);
    assert_eq!(
        e.server.query("p.example.test", "A"),
        ["192.0.2.2", "192.0.2.3"]
    );
    let (c, _) = via(&["delete", "p.example.test", "A"]);
    assert_eq!(c, 0);
    assert!(e.server.query("p.example.test", "A").is_empty());

    // Unknown provider names list the ones defined.
    let out = run_dnsup(
        &e.server,
        "",
        &[
            "set",
            "p.example.test",
            "A",
            "192.0.2.1",
            "--provider",
            "nope",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("defined: home"), "{}", describe(&out));
}
