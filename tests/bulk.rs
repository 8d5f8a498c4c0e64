//! `dnsup apply` (bulk changes) against real BIND named and Knot DNS: 10,000 records in one run
//! with the zone checked record by record, a rejected message reported with exactly the lines
//! that were not applied while the others were, the message size limit, TSIG failures that stop
//! the run, and input errors that stop it before anything is sent.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Output;

use common::*;
use serde_json::Value;

const ZONE: &str = "\
$ORIGIN bulk.test.
$TTL 3600
@       IN SOA ns1.bulk.test. hostmaster.bulk.test. 1 3600 600 86400 300
@       IN NS  ns1.bulk.test.
ns1     IN A   192.0.2.53
taken   IN A   192.0.2.99
";

fn options() -> ServerOptions {
    ServerOptions::empty().zone_text("bulk.test", ZONE)
}

/// Each listed `fn name(server: &dyn Server)` runs as `named::name` and `knot::name`, each on a
/// fresh server that serves `bulk.test`.
macro_rules! bulk_tests {
    ($($name:ident),+ $(,)?) => {
        mod named {
            $( #[test] fn $name() { super::$name(&super::Named::start_with(super::options())); } )+
        }
        mod knot {
            $( #[test] fn $name() { super::$name(&super::Knot::start_with(super::options())); } )+
        }
    };
}

bulk_tests!(
    ten_thousand_records_in_one_run,
    a_rejected_message_reports_exactly_its_lines,
    messages_stay_within_the_size_limit,
    adds_and_deletes_apply_in_order,
    a_tsig_failure_stops_the_run,
);

fn key_file(server: &dyn Server, name: &str, secret: Option<&str>) -> PathBuf {
    let k = key(name);
    let path = server.dir().join(format!("{name}.apply.key"));
    let secret = secret.unwrap_or(k.secret);
    std::fs::write(
        &path,
        format!(
            "key \"{}\" {{\n\talgorithm {};\n\tsecret \"{secret}\";\n}};\n",
            k.name, k.algorithm
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// `dnsup apply - --zone bulk.test --server ... --key-file ... --json ARGS` with `input` on stdin.
fn apply(server: &dyn Server, input: &str, args: &[&str]) -> (Output, Value) {
    apply_with_key(server, input, args, &key_file(server, "k-sha256", None))
}

fn apply_with_key(
    server: &dyn Server,
    input: &str,
    args: &[&str],
    key: &std::path::Path,
) -> (Output, Value) {
    let addr = format!("127.0.0.1:{}", server.port());
    let mut full = vec![
        "apply",
        "-",
        "--zone",
        "bulk.test",
        "--server",
        &addr,
        "--key-file",
        key.to_str().unwrap(),
        "--json",
    ];
    full.extend(args);
    let out = run_dnsup(server, input, &full);
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON on stdout ({e}):\n{}", describe(&out)));
    (out, json)
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("dnsup exited by a signal")
}

fn a_line(i: usize) -> String {
    format!(
        "update add h{i:05}.bulk.test. 300 A 10.{}.{}.{}",
        i >> 16,
        (i >> 8) & 255,
        i & 255
    )
}

fn a_record(i: usize) -> String {
    normalize_record(&format!(
        "h{i:05}.bulk.test. 300 IN A 10.{}.{}.{}",
        i >> 16,
        (i >> 8) & 255,
        i & 255
    ))
}

/// The records of the zone whose owner starts with `h` (the ones the tests add).
fn added(zone: &Zone) -> Vec<String> {
    let mut v: Vec<String> = zone
        .0
        .iter()
        .filter(|r| r.starts_with('h'))
        .cloned()
        .collect();
    v.sort();
    v
}

fn messages(json: &Value) -> &Vec<Value> {
    json["batches"].as_array().expect("batches")
}

fn ten_thousand_records_in_one_run(server: &dyn Server) {
    let before = server.axfr("bulk.test");
    let input: String = (0..10_000).map(|i| a_line(i) + "\n").collect();
    let (out, json) = apply(server, &input, &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(json["status"], "ok");
    assert_eq!(json["applied"], 10_000);
    assert_eq!(json["atomic"], false);
    assert_eq!(json["transport"], "tcp");
    assert_eq!(json["connections"], 1);
    let batches = messages(&json);
    assert!(batches.len() >= 4, "{} messages", batches.len());
    for b in batches {
        assert_eq!(b["status"], "applied", "{b}");
        let bytes = b["bytes"].as_u64().unwrap();
        assert!(bytes > 512 && bytes <= 60_000, "{b}");
    }
    let zone = server.axfr("bulk.test");
    let mut want: Vec<String> = (0..10_000).map(a_record).collect();
    want.sort();
    assert_eq!(added(&zone), want);
    // Nothing else changed.
    assert_eq!(
        zone.without_soa().0.len(),
        before.without_soa().0.len() + 10_000
    );
}

fn a_rejected_message_reports_exactly_its_lines(server: &dyn Server) {
    // 100 adds in messages of 10; line 45 adds to an RRset that exists, so with --if-absent
    // the message of lines 41-50 fails its prerequisite and the nine others are applied.
    let mut lines: Vec<String> = (1..=100).map(a_line).collect();
    lines[44] = "update add taken.bulk.test. 300 A 192.0.2.1".into();
    let input = lines.join("\n") + "\n";
    let rejected = server.dir().join("rejected.txt");
    let (out, json) = apply(
        server,
        &input,
        &[
            "--if-absent",
            "--batch-size",
            "10",
            "--rejected",
            rejected.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert_eq!(json["status"], "partial");
    assert_eq!(json["applied"], 90);
    assert_eq!(json["not_applied"], 10);
    assert_eq!(json["unknown"], 0);
    assert_eq!(json["not_applied_lines"], "41-50");
    let batches = messages(&json);
    assert_eq!(batches.len(), 10);
    for (i, b) in batches.iter().enumerate() {
        if i == 4 {
            assert_eq!(b["status"], "rejected", "{b}");
            assert_eq!(b["rcode"], "YXRRSET", "{b}");
            assert_eq!(b["lines"], "41-50");
        } else {
            assert_eq!(b["status"], "applied", "{b}");
        }
    }
    // The zone holds exactly the other 90, and "taken" kept its value.
    let zone = server.axfr("bulk.test");
    let mut want: Vec<String> = (1..=100)
        .filter(|i| !(41..=50).contains(i))
        .map(a_record)
        .collect();
    want.sort();
    assert_eq!(added(&zone), want);
    assert_eq!(server.query("taken.bulk.test", "A"), ["192.0.2.99"]);
    // --rejected lists those ten lines, ready to run again.
    let text = std::fs::read_to_string(&rejected).unwrap();
    let listed: Vec<&str> = text.lines().filter(|l| !l.starts_with(';')).collect();
    assert_eq!(
        listed,
        lines[40..50].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(text.starts_with("; message 5: "), "{text}");
    // The human report names them too.
    let out = run_dnsup(
        server,
        &input,
        &[
            "apply",
            "-",
            "--zone",
            "bulk.test",
            "--server",
            &format!("127.0.0.1:{}", server.port()),
            "--key-file",
            key_file(server, "k-sha256", None).to_str().unwrap(),
            "--if-absent",
            "--batch-size",
            "10",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    // Now every RRset exists: all ten messages fail, in one line that names them.
    assert!(
        stderr.contains("error [prerequisite]: messages 1-10 of 10 (lines 1-100, 100 changes): "),
        "{stderr}"
    );
    assert!(stderr.contains("YXRRSET"), "{stderr}");
    assert!(
        stderr.contains("0 of 100 changes applied by 127.0.0.1:"),
        "{stderr}"
    );
}

fn messages_stay_within_the_size_limit(server: &dyn Server) {
    // 200 TXT records of about 1,000 bytes: no message may exceed the limit.
    let value: String = (0..4)
        .map(|j| format!("\"{}\" ", "x".repeat(240 + j)))
        .collect();
    let input: String = (0..200)
        .map(|i| format!("add h{i:05}.bulk.test. 60 TXT {value}\n"))
        .collect();
    let (out, json) = apply(server, &input, &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let batches = messages(&json);
    assert!(batches.len() >= 4, "{json}");
    for b in batches {
        let bytes = b["bytes"].as_u64().unwrap();
        assert!(bytes <= 60_000, "{b}");
    }
    let zone = server.axfr("bulk.test");
    assert_eq!(added(&zone).len(), 200);
    // Small messages go over TCP too, one change each with --batch-size 1.
    let input: String = (1000..1003).map(|i| a_line(i) + "\n").collect();
    let (out, json) = apply(server, &input, &["--batch-size", "1", "--window", "2"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(json["transport"], "tcp");
    assert_eq!(messages(&json).len(), 3);
    assert!(
        messages(&json)
            .iter()
            .all(|b| b["bytes"].as_u64().unwrap() < 512)
    );
    assert_eq!(
        server.query("h01002.bulk.test", "A"),
        ["10.0.3.234"],
        "the last one arrived"
    );
}

fn adds_and_deletes_apply_in_order(server: &dyn Server) {
    let mut input: String = (0..50).map(|i| a_line(i) + "\n").collect();
    // Delete every even one again, one by record, one by RRset, in later messages.
    for i in (0..50).step_by(2) {
        if i % 4 == 0 {
            input.push_str(&format!("update delete h{i:05}.bulk.test. A\n"));
        } else {
            input.push_str(&format!(
                "del h{i:05}.bulk.test. A 10.0.0.{i}\n; a comment\n\n"
            ));
        }
    }
    input.push_str("del taken.bulk.test.\n");
    let (out, json) = apply(server, &input, &["--batch-size", "7", "--window", "8"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(json["applied"], 76);
    let zone = server.axfr("bulk.test");
    let mut want: Vec<String> = (1..50).step_by(2).map(a_record).collect();
    want.sort();
    assert_eq!(added(&zone), want);
    assert!(zone.find("taken.bulk.test", "A").is_empty());
}

fn a_tsig_failure_stops_the_run(server: &dyn Server) {
    // The right key name with a wrong secret: BADSIG. Every message would fail the same way,
    // so dnsup stops writing; nothing is applied.
    let wrong = key_file(
        server,
        "k-sha256",
        Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    );
    let input: String = (0..100).map(|i| a_line(i) + "\n").collect();
    let before = server.axfr("bulk.test");
    let (out, json) = apply_with_key(
        server,
        &input,
        &["--batch-size", "10", "--window", "2"],
        &wrong,
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert_eq!(json["status"], "failed");
    assert_eq!(json["applied"], 0);
    assert_eq!(json["not_applied"], 100, "{json}");
    let batches = messages(&json);
    assert_eq!(batches[0]["status"], "rejected", "{json}");
    assert_eq!(batches[0]["tsig_error"], "BADSIG", "{json}");
    assert!(
        batches.iter().any(|b| b["status"] == "not-sent"),
        "the run went on after BADSIG: {json}"
    );
    assert_eq!(server.axfr("bulk.test"), before);
}

#[test]
fn a_bad_line_stops_everything_before_sending() {
    let server = Named::start_with(options());
    let before = server.axfr("bulk.test");
    let input = format!(
        "{}\n{}\nupdate add h3.bulk.test. 300 A 300.1.1.1\n",
        a_line(1),
        a_line(2)
    );
    let (out, json) = apply(&server, &input, &[]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert_eq!(json["status"], "error");
    assert!(
        json["error"].as_str().unwrap().starts_with("line 3: "),
        "{json}"
    );
    assert_eq!(server.axfr("bulk.test"), before);
    // A name outside the zone, and an nsupdate command that is an option here.
    for (text, want) in [
        ("update add www.other.test. 300 A 192.0.2.1\n", "line 1: "),
        (&format!("{}\nsend\n", a_line(1)) as &str, "line 2: 'send'"),
    ] {
        let (out, json) = apply(&server, text, &[]);
        assert_eq!(code(&out), 1, "{}", describe(&out));
        assert!(json["error"].as_str().unwrap().starts_with(want), "{json}");
    }
    assert_eq!(server.axfr("bulk.test"), before);
}

#[test]
fn no_server_means_nothing_sent() {
    // A port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let input: String = (0..30).map(|i| a_line(i) + "\n").collect();
    let path = dir.path().join("changes.txt");
    std::fs::write(&path, input).unwrap();
    let out = run_with_timeout(
        std::process::Command::new(dnsup_bin()).args([
            "apply",
            path.to_str().unwrap(),
            "--zone",
            "bulk.test",
            "--server",
            &format!("127.0.0.1:{port}"),
            "--batch-size",
            "10",
            "--json",
        ]),
        b"",
        CLIENT_TIMEOUT,
    );
    assert_eq!(code(&out), 5, "{}", describe(&out));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "failed");
    assert_eq!(json["not_applied"], 30);
    assert!(messages(&json).iter().all(|b| b["status"] == "not-sent"));
}
