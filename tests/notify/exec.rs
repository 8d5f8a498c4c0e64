//! `exec`: the program gets the event in `DNSUP_*` variables and as JSON on stdin, in a clean
//! environment (none of dnsup's own variables, so no secret), and is killed when it overruns.

use std::process::Command;

use crate::common::{describe, dnsup_bin};
use crate::util::config_with;

#[test]
fn exec_gets_the_event_and_a_clean_environment() {
    let dir = tempfile::tempdir().unwrap();
    let env_out = dir.path().join("env.txt");
    let json_out = dir.path().join("event.json");
    let notify = format!(
        "[notify.hook]\ntype = \"exec\"\nargv = [\"sh\", \"-c\", \"env > {}; cat > {}\"]\n",
        env_out.display(),
        json_out.display()
    );
    let config = config_with(dir.path(), &notify);
    let out = Command::new(dnsup_bin())
        .args(["notify-test", "hook", "--config"])
        .arg(&config)
        .env("DNSUP_KEY", "hmac-sha256:k:c2VjcmV0c2VjcmV0")
        .env("CF_TOKEN", "cloudflare-token-value")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let env = std::fs::read_to_string(&env_out).unwrap();
    assert!(env.contains("DNSUP_EVENT=test"), "{env}");
    assert!(env.contains("PATH=/usr/local/sbin:"), "{env}");
    assert!(
        !env.contains("DNSUP_KEY"),
        "dnsup's environment leaked:\n{env}"
    );
    assert!(
        !env.contains("cloudflare-token-value"),
        "dnsup's environment leaked:\n{env}"
    );
    assert!(!env.contains("HOME="), "dnsup's environment leaked:\n{env}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    assert_eq!(json["event"], "test");
    assert_eq!(json["version"], 1);
}

#[test]
fn an_overrunning_program_is_killed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let notify = "[notify.slow]\ntype = \"exec\"\nargv = [\"sleep\", \"60\"]\ntimeout = \"1s\"\n";
    let config = config_with(dir.path(), notify);
    let started = std::time::Instant::now();
    let out = Command::new(dnsup_bin())
        .args(["notify-test", "slow", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("killed after"),
        "{}",
        describe(&out)
    );
    // Not a timing assertion on dnsup's speed: only that it did not wait for sleep(60).
    assert!(started.elapsed() < std::time::Duration::from_secs(50));
}
