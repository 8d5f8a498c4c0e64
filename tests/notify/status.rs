//! The daemon's status from the state file, its source and provider metrics, and
//! `run --once` notifying, against a real named.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::common::daemon::{DaemonSetup, daemon_setup, wait_for};
use crate::common::{Named, Server, describe};
use crate::daemon::{metric, promtool_check, sigterm};
use crate::util::{free_port, http_get};

fn append(s: &DaemonSetup, text: &str) {
    let mut c = std::fs::read_to_string(&s.config).unwrap();
    c.push_str(text);
    std::fs::write(&s.config, c).unwrap();
}

fn status_json(s: &DaemonSetup) -> serde_json::Value {
    let out = s.command(&["status", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The page, `/metrics` and `dnsup status` show the persisted status: after a restart, the
/// last change (with the previous address) made by the previous run is still there.
#[test]
fn the_last_change_survives_a_restart_on_the_page_metrics_and_status() {
    let named = Named::start();
    let endpoint: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let s = daemon_setup(
        named.addr(),
        &format!("listen = \"{endpoint}\"\n"),
        "3s",
        None,
    );
    let (mut running, _log) = s.spawn();
    wait_for("the first publication", Duration::from_secs(30), || {
        named.query("home.example.test", "A") == ["203.0.113.10"]
    });
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    wait_for("the change", Duration::from_secs(30), || {
        named.query("home.example.test", "A") == ["203.0.113.11"]
    });
    wait_for("the change on the page", Duration::from_secs(30), || {
        http_get(endpoint, "/")
            .1
            .contains("203.0.113.10 -&gt; 203.0.113.11")
    });
    sigterm(running.pid());
    assert!(running.wait(Duration::from_secs(30)).success());

    let (_running, log) = s.spawn();
    wait_for(
        "/readyz 200 after the restart",
        Duration::from_secs(30),
        || http_get(endpoint, "/readyz").0 == 200,
    );
    let json = status_json(&s);
    let rec = &json["records"][0];
    assert_eq!(rec["record"], "home.example.test./A", "{json}");
    let change = &rec["status"]["last_change"];
    assert_eq!(
        change["from"],
        serde_json::json!(["203.0.113.10"]),
        "{json}"
    );
    assert_eq!(change["to"], serde_json::json!(["203.0.113.11"]), "{json}");
    let (code, page) = http_get(endpoint, "/");
    assert_eq!(code, 200);
    assert!(
        page.contains("203.0.113.10 -&gt; 203.0.113.11"),
        "the previous run's change is on the page:\n{page}\nlog:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert!(page.contains("unchanged (203.0.113.11)"), "{page}");
    // The same instants in the metrics as in the state file.
    let (_, text) = http_get(endpoint, "/metrics");
    let labels = [("name", "home.example.test."), ("type", "A")];
    assert_eq!(
        metric(&text, "dnsup_record_last_change_timestamp_seconds", &labels),
        change["at"].as_f64(),
        "{text}\n{json}"
    );
    let json = status_json(&s);
    assert_eq!(
        metric(
            &text,
            "dnsup_record_last_success_timestamp_seconds",
            &labels
        ),
        json["records"][0]["status"]["last_success"].as_f64(),
        "{text}\n{json}"
    );
    // This process made no change: its counter starts again, the history does not.
    assert_eq!(
        metric(&text, "dnsup_record_updates_total", &labels),
        Some(0.0)
    );
}

/// Per-source answers, refusals by reason, disagreements and latency; per-provider requests;
/// and the page's sources and provider health. Four sources, two of which must agree: two
/// agree, one sees another address, one fails.
#[test]
fn sources_and_providers_are_measured_and_shown() {
    let named = Named::start();
    let endpoint: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let s = daemon_setup(
        named.addr(),
        &format!("listen = \"{endpoint}\"\n"),
        "3s",
        None,
    );
    let config = std::fs::read_to_string(&s.config).unwrap().replace(
        "ipv4 = [\"file\"]",
        "ipv4 = [\"file\", \"file2\", \"odd\", \"broken\"]\nagree = 2",
    );
    std::fs::write(&s.config, config).unwrap();
    append(
        &s,
        &format!(
            r#"
[sources.file2]
type = "command"
argv = ["cat", "{addr}"]

[sources.odd]
type = "static"
address = "198.51.100.7"

[sources.broken]
type = "command"
argv = ["false"]
"#,
            addr = s.addr_file.display()
        ),
    );
    let (_running, log) = s.spawn();
    wait_for("/readyz 200", Duration::from_secs(30), || {
        http_get(endpoint, "/readyz").0 == 200
    });
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.10"]);
    let start = Instant::now();
    let text = loop {
        let (_, text) = http_get(endpoint, "/metrics");
        if metric(&text, "dnsup_passes_total", &[]).unwrap_or(0.0) >= 2.0 {
            break text;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{text}");
        std::thread::sleep(Duration::from_millis(200));
    };
    promtool_check(&text);
    let passes = metric(&text, "dnsup_passes_total", &[]).unwrap();
    let at_least_passes = |name: &str, labels: &[(&str, &str)]| {
        let v = metric(&text, name, labels).unwrap_or(0.0);
        assert!(
            v >= passes,
            "{name} {labels:?} = {v}, passes {passes}\n{text}"
        );
    };
    at_least_passes(
        "dnsup_source_answers_total",
        &[
            ("source", "file2"),
            ("kind", "command"),
            ("family", "ipv4"),
            ("result", "address"),
        ],
    );
    at_least_passes(
        "dnsup_source_disagreements_total",
        &[("source", "odd"), ("kind", "static")],
    );
    at_least_passes(
        "dnsup_source_refusals_total",
        &[
            ("source", "broken"),
            ("kind", "command"),
            ("reason", "bad_answer"),
        ],
    );
    at_least_passes(
        "dnsup_source_duration_seconds_count",
        &[("source", "broken"), ("kind", "command")],
    );
    assert_eq!(
        metric(
            &text,
            "dnsup_source_disagreements_total",
            &[("source", "file")]
        ),
        None,
        "a source that agreed never disagreed\n{text}"
    );
    // Created: a read then the update (and its check); then nothing to ask.
    assert!(
        metric(
            &text,
            "dnsup_provider_requests_total",
            &[("provider", "lab"), ("kind", "rfc2136"), ("outcome", "ok")]
        )
        .unwrap_or(0.0)
            >= 2.0,
        "{text}"
    );
    let (_, page) = http_get(endpoint, "/");
    for want in [
        "<h2>Sources</h2>",
        "odd (static, ipv4)",
        "198.51.100.7",
        "broken (command, ipv4)",
        "<h2>Providers</h2>",
        "lab (rfc2136)",
        "healthy",
    ] {
        assert!(
            page.contains(want),
            "{want} on the page:\n{page}\nlog:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
}

/// `run --once` delivers its pass's notifications before it exits; a notifier that hangs
/// holds the exit no longer than its own timeout.
#[test]
fn run_once_notifies_before_it_exits() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    let events = s.dir.path().join("events.txt");
    append(
        &s,
        &format!(
            r#"
[notify.prog]
type = "exec"
argv = ["sh", "-c", "echo \"$DNSUP_EVENT $DNSUP_RECORD\" >> {events}"]

[notify.stuck]
type = "exec"
argv = ["sleep", "60"]
timeout = "1s"
"#,
            events = events.display()
        ),
    );
    let started = Instant::now();
    let out = s.once();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.10"]);
    assert_eq!(
        std::fs::read_to_string(&events).unwrap_or_default(),
        "created home.example.test.\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Not a timing of dnsup: only that it did not wait for sleep(60).
    assert!(started.elapsed() < Duration::from_secs(50));
    // The next run changes the address: one `updated`.
    std::fs::write(&s.addr_file, "203.0.113.12\n").unwrap();
    assert_eq!(s.once().status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&events).unwrap(),
        "created home.example.test.\nupdated home.example.test.\n"
    );
}

/// `run --once` from cron is a new process each time: a failure is sent once (not at every
/// run), and the run that succeeds again sends `recovered`, from the state file's status.
#[test]
fn run_once_from_cron_sends_a_failure_once_and_then_recovered() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    let events = s.dir.path().join("events.txt");
    append(
        &s,
        &format!(
            r#"
[notify.prog]
type = "exec"
argv = ["sh", "-c", "echo \"$DNSUP_EVENT $DNSUP_RECORD\" >> {events}"]
"#,
            events = events.display()
        ),
    );
    // The right key name with another secret: named answers BADSIG (not auth), every run.
    let key_file = s.dir.path().join("ddns.key");
    let good = std::fs::read_to_string(&key_file).unwrap();
    let secret = good.split('"').nth(3).unwrap().to_string();
    std::fs::write(
        &key_file,
        good.replace(&secret, "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZyE="),
    )
    .unwrap();
    let read = || std::fs::read_to_string(&events).unwrap_or_default();
    for run in 0..3 {
        let out = s.once();
        assert_ne!(out.status.code(), Some(0), "run {run}: {}", describe(&out));
        assert_eq!(
            read(),
            "failed home.example.test.\n",
            "run {run}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(named.query("home.example.test", "A").is_empty());
    std::fs::write(&key_file, good).unwrap();
    let out = s.once();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        read(),
        "failed home.example.test.\nrecovered home.example.test.\ncreated home.example.test.\n"
    );
}
