//! Regression tests for what an adversarial tester found after issue 11's fixes landed: ways
//! around the guards those fixes added. Each test is named after what it guards.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;

fn native(named: &Named, dir: &Path, args: &[&str]) -> std::process::Output {
    let key_file = write_key_file(dir, key("k-sha256"));
    let mut cmd = Command::new(dnsup_bin());
    cmd.args(args)
        .arg("-s")
        .arg(named.addr().to_string())
        .arg("-k")
        .arg(&key_file);
    run_with_timeout(&mut cmd, b"", Duration::from_secs(60))
}

/// `dnsup delete example.test ANY` is the same UPDATE as `dnsup delete example.test` (class
/// ANY, type ANY: every RRset of the name) and used to slip past the apex guard, removing the
/// zone's MX and TXT without `--apex`.
#[test]
fn deleting_the_apex_as_type_any_needs_the_apex_flag() {
    let named = Named::start();
    let dir = tempfile::tempdir().unwrap();
    let before = common::zone::axfr(named.addr(), "example.test");
    for name in ["example.test", "EXAMPLE.TEST."] {
        let out = native(&named, dir.path(), &["delete", name, "ANY"]);
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--apex"),
            "{}",
            describe(&out)
        );
    }
    assert_eq!(common::zone::axfr(named.addr(), "example.test"), before);

    let out = native(
        &named,
        dir.path(),
        &["delete", "example.test", "ANY", "--apex"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(named.query("example.test", "MX").is_empty());
    assert_eq!(named.query("example.test", "NS"), ["ns1.example.test."]);
}

/// A SIGHUP that points `state_file` at a file another daemon holds used to be taken with a
/// warning ("the lock stays on the old one"), leaving two daemons writing one state file. The
/// reload is refused instead; once the file is free, the reload takes it with its lock.
#[test]
fn a_reload_onto_another_daemons_state_file_is_refused() {
    use common::daemon::{daemon_setup, wait_for};
    let named = Named::start();
    let a = daemon_setup(named.addr(), "", "3s", None);
    let b = daemon_setup(named.addr(), "", "3s", None);
    let (mut run_a, log_a) = a.spawn();
    let (mut run_b, _log_b) = b.spawn();
    let log = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    wait_for("both daemons to start", Duration::from_secs(60), || {
        a.state.exists() && b.state.exists()
    });
    let config = std::fs::read_to_string(&a.config).unwrap();
    let moved = config.replace(
        &a.state.display().to_string(),
        &b.state.display().to_string(),
    );
    std::fs::write(&a.config, moved).unwrap();
    run_a.signal("HUP");
    wait_for("the reload to be refused", Duration::from_secs(60), || {
        log(&log_a).contains("reload failed")
    });
    assert!(log(&log_a).contains("already uses"), "{}", log(&log_a));
    assert!(run_a.alive() && run_b.alive());

    // B gone, the same reload goes through and A holds B's old state file.
    run_b.signal("TERM");
    run_b.wait(Duration::from_secs(60));
    run_a.signal("HUP");
    wait_for("the reload", Duration::from_secs(60), || {
        log(&log_a).contains("configuration reloaded")
    });
    let out = b.command(&["run", "--once"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already uses"),
        "{}",
        describe(&out)
    );
}
