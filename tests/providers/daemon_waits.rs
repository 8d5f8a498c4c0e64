//! The daemon obeys a provider that says "stop" or "later": dyndns2 `abuse` is never retried
//! (until a reload), `911` not for 30 minutes, and a `429` with a long `Retry-After` not
//! before it ends — while the daemon keeps polling every second. The fake counts the requests.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::fake::{Fake, FakeResponse};
use super::harness::Secrets;
use crate::common::dnsup_bin;

/// Run the daemon for `seconds` against a dyndns2 fake that gives `answer`; how many update
/// requests reached the fake, and the daemon's log.
fn requests_while_running(answer: FakeResponse, seconds: u64) -> (usize, String) {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let answer = Arc::new(Mutex::new(answer));
    let fake = Fake::start(move |r| {
        r.expect_user_agent()?;
        if r.path != "/nic/update" {
            return Err(format!("unexpected path {}", r.path));
        }
        c.fetch_add(1, Ordering::SeqCst);
        Ok(answer.lock().unwrap().clone())
    });
    let secrets = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let addr = dir.path().join("addr");
    std::fs::write(&addr, "203.0.113.10\n").unwrap();
    let config = dir.path().join("dnsup.toml");
    std::fs::write(
        &config,
        format!(
            r#"interval = "1s"
retry_min = "1s"
retry_max = "1s"
state_file = {state:?}

[providers.ddns]
type = "dyndns2"
url = "{url}/nic/update"
username = "user"
password = {password}
http = {{ ca_file = {ca:?} }}

[sources.file]
type = "command"
argv = ["cat", {addr:?}]

[[records]]
name = "home.example.test"
zone = "example.test"
provider = "ddns"
ipv4 = ["file"]
allow = ["documentation"]
"#,
            state = dir.path().join("state.json").display().to_string(),
            url = fake.url,
            password = secrets.file("pw", "secret-pw"),
            ca = fake.ca_file.display().to_string(),
            addr = addr.display().to_string(),
        ),
    )
    .unwrap();
    let log = dir.path().join("log");
    let mut child = Command::new(dnsup_bin())
        .args(["-v", "run", "--config"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(seconds));
    let _ = child.kill();
    let _ = child.wait();
    fake.assert_clean();
    (
        count.load(Ordering::SeqCst),
        std::fs::read_to_string(&log).unwrap(),
    )
}

#[test]
fn abuse_stops_all_requests_to_the_provider() {
    let (n, log) = requests_while_running(FakeResponse::text(200, "abuse"), 5);
    assert_eq!(n, 1, "{log}");
    assert!(
        log.contains("not retried until the configuration is reloaded"),
        "{log}"
    );
}

#[test]
fn dnserr_holds_the_provider_for_30_minutes() {
    let (n, log) = requests_while_running(FakeResponse::text(200, "911"), 5);
    assert_eq!(n, 1, "{log}");
    assert!(log.contains("retry after 1800 s"), "{log}");
}

#[test]
fn a_long_retry_after_is_waited_out() {
    let (n, log) = requests_while_running(
        FakeResponse::text(429, "slow down").with_header("Retry-After", "600"),
        5,
    );
    assert_eq!(n, 1, "{log}");
    assert!(log.contains("retry after 600 s"), "{log}");
}

#[test]
fn a_plain_failure_is_retried_after_the_back_off() {
    let (n, log) = requests_while_running(FakeResponse::text(200, "nohost"), 5);
    assert!(n >= 2, "retried with retry_max = 1s: {n}\n{log}");
}
