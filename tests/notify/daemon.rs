//! The daemon against a real named with notifiers and the HTTP endpoint on: the events of an
//! update, a failure, a recovery and a conflict (counted), the metrics (values asserted and
//! checked by `promtool check metrics`), `/readyz` transitions, the status page in headless
//! Chromium, and notifiers that hang or fail without delaying an update.

use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::daemon::{DaemonSetup, daemon_setup, wait_for};
use crate::common::{Named, Server, describe, require};
use crate::fake::{Fake, FakeResponse};
use crate::util::{DOWN, MEDDLE, PASS, free_port, http_get, relay};

/// A webhook receiver that records every event's JSON.
fn receiver() -> (Fake, Arc<Mutex<Vec<serde_json::Value>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let e = events.clone();
    let fake = Fake::start(move |r| {
        if r.method != "POST" || r.path != "/events" {
            return Err(format!("unexpected {} {}", r.method, r.path));
        }
        let v = r.json()?;
        e.lock().unwrap().push(v);
        Ok(FakeResponse::empty(204))
    });
    (fake, events)
}

fn append(s: &DaemonSetup, text: &str) {
    let mut c = std::fs::read_to_string(&s.config).unwrap();
    c.push_str(text);
    std::fs::write(&s.config, c).unwrap();
}

fn kinds(events: &Mutex<Vec<serde_json::Value>>) -> Vec<String> {
    events
        .lock()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap_or("?").to_string())
        .collect()
}

fn wait_event(events: &Mutex<Vec<serde_json::Value>>, kind: &str, n: usize, log: &std::path::Path) {
    let limit = Duration::from_secs(60);
    let start = Instant::now();
    while kinds(events).iter().filter(|k| *k == kind).count() < n {
        assert!(
            start.elapsed() < limit,
            "timed out waiting for {n} '{kind}' events; got {:?}\nlog:\n{}",
            kinds(events),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        thread::sleep(Duration::from_millis(100));
    }
}

pub(crate) fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            (l.starts_with(&format!("{name}{{"))
                || (labels.is_empty() && l.starts_with(&format!("{name} "))))
                && labels
                    .iter()
                    .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// `promtool check metrics` on the scraped text (Debian's prometheus package, offline).
pub(crate) fn promtool_check(text: &str) {
    let promtool = require("promtool", "prometheus");
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}\n{text}",
        describe(&out)
    );
}

pub(crate) fn sigterm(pid: i32) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
}

#[test]
fn update_failure_recovery_and_conflict_are_notified_counted_and_exported() {
    let named = Named::start();
    let mode = Arc::new(AtomicU8::new(PASS));
    let relay = relay(named.addr(), mode.clone());
    let port = free_port();
    let endpoint: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let s = daemon_setup(
        relay,
        &format!("listen = \"{endpoint}\"\nretry_min = \"1s\"\nretry_max = \"2s\"\n"),
        "2s",
        None,
    );
    let (fake, events) = receiver();
    append(
        &s,
        &format!(
            "\n[notify.hook]\ntype = \"webhook\"\nurl = \"{}/events\"\nca_file = \"{}\"\nevents = [\"started\", \"stopped\", \"created\", \"updated\", \"failed\", \"recovered\", \"conflict\"]\n",
            fake.url,
            fake.ca_file.display()
        ),
    );
    let (mut running, log) = s.spawn();

    // Start: started, then the record is created.
    wait_event(&events, "created", 1, &log);
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.10"]);
    wait_for("/readyz 200", Duration::from_secs(30), || {
        http_get(endpoint, "/readyz").0 == 200
    });

    // A change: updated, with the old and new values.
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    wait_event(&events, "updated", 1, &log);
    let upd = events.lock().unwrap().last().cloned().unwrap();
    assert_eq!(upd["old"], serde_json::json!(["203.0.113.10"]));
    assert_eq!(upd["new"], serde_json::json!(["203.0.113.11"]));
    assert_eq!(upd["record"], "home.example.test.");
    assert_eq!(upd["type"], "A");
    assert_eq!(upd["provider"], "lab");

    // The server is unreachable: failed (once, however often it is retried), /readyz 503.
    mode.store(DOWN, Ordering::SeqCst);
    std::fs::write(&s.addr_file, "203.0.113.12\n").unwrap();
    wait_event(&events, "failed", 1, &log);
    let (code, body) = http_get(endpoint, "/readyz");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("1 of 1 records not in sync"), "{body}");
    assert_eq!(http_get(endpoint, "/healthz").0, 200);
    thread::sleep(Duration::from_secs(3)); // a few more failing tries

    // Back: recovered and updated.
    mode.store(PASS, Ordering::SeqCst);
    wait_event(&events, "recovered", 1, &log);
    wait_event(&events, "updated", 2, &log);
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.12"]);

    // Someone edits the record between our read and our write: conflict, then (after the
    // back-off) a fresh read, recovered and updated from their value.
    mode.store(MEDDLE, Ordering::SeqCst);
    std::fs::write(&s.addr_file, "203.0.113.13\n").unwrap();
    wait_event(&events, "conflict", 1, &log);
    wait_event(&events, "updated", 3, &log);
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.13"]);
    let last = events.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last["old"], serde_json::json!(["198.51.100.99"]));
    wait_for("/readyz 200 again", Duration::from_secs(30), || {
        http_get(endpoint, "/readyz").0 == 200
    });

    // Metrics: the values this history means, in a format promtool accepts.
    let (code, text) = http_get(endpoint, "/metrics");
    assert_eq!(code, 200);
    promtool_check(&text);
    let rec = [
        ("name", "home.example.test."),
        ("type", "A"),
        ("provider", "lab"),
    ];
    assert_eq!(
        metric(&text, "dnsup_record_updates_total", &rec),
        Some(4.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "dnsup_record_conflicts_total", &rec),
        Some(1.0),
        "{text}"
    );
    assert!(
        metric(&text, "dnsup_record_failures_total", &rec).unwrap_or(0.0) >= 1.0,
        "{text}"
    );
    assert_eq!(
        metric(&text, "dnsup_record_in_sync", &rec),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "dnsup_record_consecutive_failures", &rec),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "dnsup_record_address",
            &[("address", "203.0.113.13")]
        ),
        Some(1.0),
        "{text}"
    );
    // The provider's requests by outcome: reads and updates answered, the tries while the
    // server was unreachable, the one update refused by its prerequisite; each with its
    // latency histogram (whose count is the request count).
    let lab = |outcome| {
        [
            ("provider", "lab"),
            ("kind", "rfc2136"),
            ("outcome", outcome),
        ]
    };
    let requests = |outcome| metric(&text, "dnsup_provider_requests_total", &lab(outcome));
    let observed = |outcome| {
        metric(
            &text,
            "dnsup_provider_request_duration_seconds_count",
            &lab(outcome),
        )
    };
    // 4 changes, each read then replaced (and read back): at least 8 answered requests.
    assert!(requests("ok").unwrap_or(0.0) >= 8.0, "{text}");
    assert!(requests("network").unwrap_or(0.0) >= 1.0, "{text}");
    assert_eq!(requests("conflict"), Some(1.0), "{text}");
    for outcome in ["ok", "network", "conflict"] {
        assert_eq!(observed(outcome), requests(outcome), "{outcome}: {text}");
    }
    // The source answered once per pass (or once more, for a pass in progress).
    let passes = metric(&text, "dnsup_passes_total", &[]).unwrap();
    let answers = metric(
        &text,
        "dnsup_source_answers_total",
        &[
            ("source", "file"),
            ("kind", "command"),
            ("result", "address"),
        ],
    )
    .unwrap();
    assert!(answers == passes || answers == passes + 1.0, "{text}");

    // Stop: the stopped event is delivered before the process exits.
    sigterm(running.pid());
    let status = running.wait(Duration::from_secs(30));
    assert!(status.success(), "{status}");
    let sequence = kinds(&events);
    assert_eq!(
        sequence,
        [
            "started",
            "created",
            "updated",
            "failed",
            "recovered",
            "updated",
            "conflict",
            "recovered",
            "updated",
            "stopped"
        ],
        "log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let (_, metrics_sent) = (
        0,
        metric(&text, "dnsup_notify_sent_total", &[("notifier", "hook")]),
    );
    assert!(metrics_sent.unwrap_or(0.0) >= 8.0, "{text}");
    fake.assert_clean();
}

/// A receiver that accepts connections and never answers.
fn black_hole() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten() {
            held.push(s);
        }
    });
    addr
}

#[test]
fn hanging_and_failing_notifiers_do_not_delay_the_update() {
    let named = Named::start();
    let port = free_port();
    let endpoint: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let s = daemon_setup(
        named.addr(),
        &format!("listen = \"{endpoint}\"\n"),
        "3s",
        None,
    );
    let hole = black_hole();
    // It answers 500 and echoes the path, where the webhook's token is.
    let failing = Fake::start(|r| {
        Ok(FakeResponse::text(
            500,
            &format!("internal error at {}", r.path),
        ))
    });
    let token_url = crate::util::secret(
        s.dir.path(),
        "hook.url",
        &format!("{}/hook/SECRETtoken1234567890", failing.url),
    );
    append(
        &s,
        &format!(
            r#"
[notify.hang]
type = "webhook"
url = "http://{hole}/hook"
timeout = "60s"

[notify.slowprog]
type = "exec"
argv = ["sleep", "60"]
timeout = "60s"

[notify.broken]
type = "webhook"
url = {token_url}
ca_file = "{ca}"
"#,
            ca = failing.ca_file.display()
        ),
    );
    let (_running, log) = s.spawn();
    wait_for("the first publication", Duration::from_secs(30), || {
        named.query("home.example.test", "A") == ["203.0.113.10"]
    });
    // Each notifier now holds the `created` event: two hang for 60 s, one got a 500.
    let changed = Instant::now();
    std::fs::write(&s.addr_file, "203.0.113.20\n").unwrap();
    wait_for("the changed address", Duration::from_secs(30), || {
        named.query("home.example.test", "A") == ["203.0.113.20"]
    });
    let took = changed.elapsed();
    // Half the notifiers' hang: the update did not wait for them.
    assert!(took < Duration::from_secs(30), "the update took {took:?}");
    eprintln!("address change to served record: {took:?}");
    wait_for("the 500 in the log", Duration::from_secs(30), || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("notify 'broken': created not delivered")
    });
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("HTTP 500"), "{text}");
    assert!(
        !text.contains("SECRETtoken"),
        "the webhook token leaked:\n{text}"
    );
    let (_, m) = http_get(endpoint, "/metrics");
    assert!(
        metric(&m, "dnsup_notify_failed_total", &[("notifier", "broken")]).unwrap_or(0.0) >= 1.0,
        "{m}"
    );
}

#[test]
fn the_status_page_renders_in_headless_chromium() {
    let chromium = require("chromium", "chromium");
    let named = Named::start();
    let port = free_port();
    let endpoint: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let s = daemon_setup(
        named.addr(),
        &format!("listen = \"{endpoint}\"\n"),
        "3s",
        None,
    );
    let (_running, _log) = s.spawn();
    wait_for("/readyz 200", Duration::from_secs(30), || {
        http_get(endpoint, "/readyz").0 == 200
    });
    let (code, html) = http_get(endpoint, "/");
    assert_eq!(code, 200);
    assert!(!html.contains("<script"), "no JavaScript: {html}");
    assert!(!html.contains("c2VjcmV0"), "no secret");
    let shot = s.dir.path().join("status.png");
    let profile = s.dir.path().join("chromium-profile");
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--hide-scrollbars",
        "--window-size=412,915",
    ];
    let url = format!("http://{endpoint}/");
    let out = Command::new(&chromium)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    assert!(png.len() > 2_000, "a screenshot with content");
    // To look at it: DNSUP_KEEP_SCREENSHOT=/tmp/status.png cargo test --test notify status_page
    if let Some(keep) = std::env::var_os("DNSUP_KEEP_SCREENSHOT") {
        std::fs::write(keep, &png).unwrap();
    }
    let out = Command::new(&chromium)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("home.example.test./A"), "{dom}");
    assert!(dom.contains("203.0.113.10"), "{dom}");
    assert!(dom.contains("in sync"), "{dom}");
}

#[test]
fn the_endpoint_listens_on_a_unix_socket() {
    use std::io::{Read, Write};
    let named = Named::start();
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("http.sock");
    let s = daemon_setup(
        named.addr(),
        &format!("listen = \"unix:{}\"\n", sock.display()),
        "3s",
        None,
    );
    let (_running, _log) = s.spawn();
    let get = |path: &str| -> String {
        let Ok(mut c) = std::os::unix::net::UnixStream::connect(&sock) else {
            return String::new();
        };
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        write!(
            c,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        let _ = c.read_to_string(&mut out);
        out
    };
    wait_for(
        "/readyz 200 over the socket",
        Duration::from_secs(30),
        || get("/readyz").starts_with("HTTP/1.1 200"),
    );
    assert!(get("/healthz").starts_with("HTTP/1.1 200"));
    // Read-only: anything but GET/HEAD is refused.
    let mut c = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    write!(
        c,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 405"), "{out}");
}

#[test]
fn a_reload_keeps_the_endpoint_and_takes_new_notifiers() {
    let named = Named::start();
    let port = free_port();
    let endpoint: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let s = daemon_setup(
        named.addr(),
        &format!("listen = \"{endpoint}\"\n"),
        "3s",
        None,
    );
    let (running, log) = s.spawn();
    wait_for("/readyz 200", Duration::from_secs(30), || {
        http_get(endpoint, "/readyz").0 == 200
    });
    let (fake, events) = receiver();
    append(
        &s,
        &format!(
            "\n[notify.hook]\ntype = \"webhook\"\nurl = \"{}/events\"\nca_file = \"{}\"\n",
            fake.url,
            fake.ca_file.display()
        ),
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(running.pid()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    wait_for("the reload", Duration::from_secs(30), || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("configuration reloaded")
    });
    std::fs::write(&s.addr_file, "203.0.113.30\n").unwrap();
    wait_event(&events, "updated", 1, &log);
    // The same address after the reload: still served, now with the new notifier's counters.
    let (code, m) = http_get(endpoint, "/metrics");
    assert_eq!(code, 200, "{m}");
    wait_for("the notifier's counter", Duration::from_secs(30), || {
        metric(
            &http_get(endpoint, "/metrics").1,
            "dnsup_notify_sent_total",
            &[("notifier", "hook")],
        )
        .unwrap_or(0.0)
            >= 1.0
    });
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("the HTTP endpoint is off"), "{text}");
}
