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
