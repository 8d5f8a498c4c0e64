//! Regression tests for what a careless or hostile user found (issue 11's defects): secrets in
//! children and /proc, files that are not files, closed pipes, bad configurations that
//! `check-config` must refuse exactly as `run` does, apex deletes, and `apply`'s memory.
//! Each test is named after what it guards.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::daemon::{daemon_setup, wait_for};
use common::*;

const SECRET_B64: &str = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==";

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A `command` source's program sees neither `DNSUP_KEY` nor a `key_env` variable nor any
/// other variable of dnsup's, only PATH, the locale, TZ and DNSUP_FAMILY.
#[test]
fn a_command_source_gets_a_clean_environment_without_secrets() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    let dump = s.dir.path().join("env.txt");
    let config = std::fs::read_to_string(&s.config).unwrap().replace(
        "argv = [\"cat\", ",
        &format!(
            "argv = [\"sh\", \"-c\", \"env > {} && cat \\\"$0\\\"\", ",
            dump.display()
        ),
    );
    // The key comes from the environment: key_env instead of key_file.
    let k = key("k-sha256");
    let config = config.replace(
        &format!("key_file = \"{}\"", s.dir.path().join("ddns.key").display()),
        "key_env = \"DNSUP_LAB_KEY\"",
    );
    std::fs::write(&s.config, config).unwrap();
    let out = Command::new(dnsup_bin())
        .args(["run", "--once", "--config"])
        .arg(&s.config)
        .env("DNSUP_LAB_KEY", key_arg(k))
        .env("DNSUP_KEY", format!("hmac-sha256:other:{SECRET_B64}"))
        .env("UNRELATED_SETTING", "visible-to-nobody")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.10"]);
    let env = std::fs::read_to_string(&dump).unwrap();
    assert!(!env.contains(k.secret), "TSIG secret in the child:\n{env}");
    assert!(!env.contains(SECRET_B64), "DNSUP_KEY in the child:\n{env}");
    let mut names: Vec<&str> = env
        .lines()
        .filter_map(|l| l.split_once('=').map(|(n, _)| n))
        .collect();
    names.sort_unstable();
    // sh itself adds PWD (and may add SHLVL, _).
    let allowed = [
        "PATH",
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "TZ",
        "DNSUP_FAMILY",
        "PWD",
        "SHLVL",
        "_",
    ];
    for n in &names {
        assert!(
            allowed.contains(n),
            "unexpected {n} in the child: {names:?}"
        );
    }
    assert!(env.contains("DNSUP_FAMILY=ipv4"), "{env}");
}

/// A running daemon's /proc/PID/environ no longer holds the key it read from the environment.
#[test]
fn the_daemon_does_not_keep_secrets_in_proc_environ() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    let k = key("k-sha256");
    let config = std::fs::read_to_string(&s.config).unwrap().replace(
        &format!("key_file = \"{}\"", s.dir.path().join("ddns.key").display()),
        "key_env = \"DNSUP_KEY\"",
    );
    std::fs::write(&s.config, config).unwrap();
    let mut child = Command::new(dnsup_bin())
        .args(["run", "--config"])
        .arg(&s.config)
        .env("DNSUP_KEY", key_arg(k))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the first update", Duration::from_secs(30), || {
        named.query("home.example.test", "A") == ["203.0.113.10"]
    });
    let environ = std::fs::read(format!("/proc/{}/environ", child.id())).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let text = String::from_utf8_lossy(&environ);
    assert!(!text.contains(k.secret), "secret in /proc/PID/environ");
    assert!(text.contains("PATH="), "PATH is kept: {text:?}");

    // A SIGHUP reload still finds the key: the daemon kept its own copy.
}

/// Key files, configurations and secret files that are devices, FIFOs or directories are
/// refused at once with a clear error, never read without bound or waited on.
#[test]
fn special_files_are_refused_at_once_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let zero = dir.path().join("zero.key");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.path().join("fifo.key");
    mkfifo(&fifo);
    for (path, kind) in [
        (zero.as_path(), "a character device"),
        (fifo.as_path(), "a FIFO"),
        (dir.path(), "a directory"),
    ] {
        let mut cmd = Command::new(dnsup_bin());
        cmd.args([
            "set",
            "a.example.test.",
            "A",
            "192.0.2.1",
            "-s",
            "127.0.0.1:9",
        ])
        .arg("-k")
        .arg(path);
        let out = run_with_timeout(&mut cmd, b"", Duration::from_secs(20));
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        assert!(stderr(&out).contains(kind), "{}", describe(&out));

        let mut cmd = Command::new(dnsup_bin());
        cmd.args(["check-config", "-c"]).arg(path);
        let out = run_with_timeout(&mut cmd, b"", Duration::from_secs(20));
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        assert!(stderr(&out).contains(kind), "{}", describe(&out));
    }
    // A huge regular file is refused by size, not read.
    let big = dir.path().join("big.toml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(8 << 30).unwrap();
    let mut cmd = Command::new(dnsup_bin());
    cmd.args(["check-config", "-c"]).arg(&big);
    let out = run_with_timeout(&mut cmd, b"", Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("larger than 1 MiB"),
        "{}",
        describe(&out)
    );
    // nsupdate mode: /dev/zero as the script is not a script.
    let mut cmd = Command::new(dnsup_bin());
    cmd.args(["nsupdate", "/dev/zero"]);
    let out = run_with_timeout(&mut cmd, b"", Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("NUL byte"), "{}", describe(&out));
}

/// `plan` with a key file that is a symlink to /dev/zero fails at once (it used to grow to
/// gigabytes), and a SIGHUP while the key file is a FIFO does not freeze the daemon: it keeps
/// its configuration, and SIGTERM still stops it.
#[test]
fn a_fifo_key_file_on_reload_does_not_freeze_the_daemon() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    let key_file = s.dir.path().join("ddns.key");

    let saved = std::fs::read(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &key_file).unwrap();
    let mut cmd = Command::new(dnsup_bin());
    cmd.args(["plan", "-c"]).arg(&s.config);
    let out = run_with_timeout(&mut cmd, b"", Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("a character device"),
        "{}",
        describe(&out)
    );
    std::fs::remove_file(&key_file).unwrap();
    std::fs::write(&key_file, &saved).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();

    let (mut daemon, log) = s.spawn();
    wait_for("the first update", Duration::from_secs(30), || {
        named.query("home.example.test", "A") == ["203.0.113.10"]
    });
    std::fs::remove_file(&key_file).unwrap();
    mkfifo(&key_file);
    let pid = nix::unistd::Pid::from_raw(daemon.pid());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGHUP).unwrap();
    wait_for("the reload to be refused", Duration::from_secs(20), || {
        std::fs::read_to_string(&log).unwrap().contains("FIFO")
    });
    // Still serving with the old configuration: a change is followed.
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    wait_for("the change", Duration::from_secs(30), || {
        named.query("home.example.test", "A") == ["203.0.113.11"]
    });
    let start = Instant::now();
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = daemon.wait(Duration::from_secs(20));
    assert!(status.success(), "{status:?} after {:?}", start.elapsed());
}

/// `dnsup ... | head -c 1`: the reader closes the pipe; dnsup ends quietly by SIGPIPE like any
/// Unix tool, never with a panic (it used to abort with 134 and a message).
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    // The process is ended by SIGPIPE, and prints nothing on stderr.
    let mut child = Command::new(dnsup_bin())
        .args(["nsupdate"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let script = "show\n".repeat(5000);
    let _ = std::io::Write::write_all(&mut stdin, script.as_bytes());
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(13), "{}", describe(&out));
    assert!(!stderr(&out).contains("panic"), "{}", describe(&out));
}

/// `dnsup ... > /dev/full`: a write error on stdout is said once, and a command that did its
/// work exits 1 (coreutils' convention); it used to panic (exit 101).
#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    let cases: &[(&[&str], &str)] = &[
        (&["keygen"], ""),
        (&["providers", "--json"], ""),
        (&["--help"], ""),
        (&["--version"], ""),
        (&["keygen", "--help"], ""),
        (&["nsupdate"], "show\nanswer\n"),
        (&["knsupdate"], "show\n"),
    ];
    for (args, input) in cases {
        let script = format!(
            "printf '{input}' | {} {} > /dev/full",
            dnsup_bin().display(),
            args.join(" ")
        );
        let out = Command::new("sh").args(["-c", &script]).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", describe(&out));
        assert!(!err.contains("panic"), "{args:?}: {err}");
        assert_eq!(
            err.matches("standard output could not be written: No space left on device")
                .count(),
            1,
            "{args:?}: {err}"
        );
    }
}

/// Runs `check-config` and `run --once` on `config`; both must refuse it (exit 1) with a message
/// containing `expect`, and nothing may be published.
fn refused_alike(named: &Named, config: &Path, expect: &str) {
    for args in [&["check-config"][..], &["run", "--once"][..]] {
        let mut cmd = Command::new(dnsup_bin());
        cmd.args(args).arg("--config").arg(config);
        let out = run_with_timeout(&mut cmd, b"", Duration::from_secs(30));
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} must refuse ({expect}): {}",
            describe(&out)
        );
        assert!(
            stderr(&out).contains(expect),
            "{args:?}: expected {expect:?}: {}",
            describe(&out)
        );
    }
    assert!(named.query("home.example.test", "A").is_empty());
}

/// Everything `run` refuses, `check-config` refuses too, with the same words: names that are
/// not host names, a missing key file, impossible servers, http:// echo URLs, an empty argv, a
/// zero timeout, an IPv4 static source under ipv6, and durations out of bounds.
#[test]
fn check_config_refuses_what_run_refuses() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    let base = std::fs::read_to_string(&s.config).unwrap();
    let bad = s.dir.path().join("bad.toml");
    let key_line = format!("key_file = \"{}\"", s.dir.path().join("ddns.key").display());
    let label64 = "a".repeat(64);
    let cases: Vec<(String, &str)> = vec![
        (
            base.replace("name = \"home.example.test\"", "name = \"hôme.example.test\""),
            "punycode",
        ),
        (
            base.replace(
                "name = \"home.example.test\"",
                &format!("name = \"{label64}.example.test\""),
            ),
            "a label of 64 octets",
        ),
        (
            base.replace("name = \"home.example.test\"", "name = \"bad label!.example.test\""),
            "U+0020",
        ),
        (
            base.replace(
                "name = \"home.example.test\"",
                "name = \"home.other.test\"",
            ),
            "not inside its zone",
        ),
        (
            base.replace(&key_line, "key_file = \"/nonexistent/ddns.key\""),
            "no such file",
        ),
        (
            base.replace(&format!("[\"{}\"]", named.addr()), "[\"127.0.0.1:99999\"]"),
            "bad port",
        ),
        (
            base.replace(&format!("[\"{}\"]", named.addr()), "[\"[::1\"]"),
            "missing ']'",
        ),
        (
            base.replace(
                "[sources.file]",
                "[sources.web]\ntype = \"http\"\nurls = [\"http://echo.example/ip\"]\n\n[sources.file]",
            ),
            "only https URLs are allowed",
        ),
        (
            base.replace("type = \"command\"", "type = \"command\"\ntimeout_secs = 0"),
            "timeout = 0 s: must be between 1s and 10m",
        ),
        (
            base.replace(
                "[sources.file]",
                "[sources.fixed]\ntype = \"static\"\naddress = \"192.0.2.1\"\n\n[sources.file]",
            )
            .replace("ipv4 = [\"file\"]", "ipv4 = [\"file\"]\nipv6 = [\"fixed\"]"),
            "cannot be listed under ipv6",
        ),
        (base.replace("interval = \"1s\"", "interval = \"0s\""), "interval = 0s"),
        (
            base.replace("interval = \"1s\"", "interval = \"1s\"\ndebounce = \"1000000000d\""),
            "debounce = 1000000000d: must be between 0s and 1m",
        ),
    ];
    for (text, expect) in cases {
        assert_ne!(text, base, "the case for {expect:?} changed nothing");
        std::fs::write(&bad, &text).unwrap();
        refused_alike(&named, &bad, expect);
    }
    // argv = [].
    let text = base.replace(
        &format!("argv = [\"cat\", \"{}\"]", s.addr_file.display()),
        "argv = []",
    );
    assert_ne!(text, base);
    std::fs::write(&bad, &text).unwrap();
    refused_alike(&named, &bad, "argv is empty");
}

/// Two records for one RRset (`dup.example.test` and `DUP.EXAMPLE.TEST.`) are a configuration
/// error naming both; they used to overwrite each other while the state file, keyed by the
/// exact spelling, reported "unchanged" for a value the server did not hold.
#[test]
fn two_records_for_one_rrset_are_refused_naming_both() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    let base = std::fs::read_to_string(&s.config).unwrap();
    let second = base[base.find("[[records]]").unwrap()..]
        .replace("home.example.test", "HOME.EXAMPLE.TEST.");
    std::fs::write(&s.config, format!("{base}\n{second}")).unwrap();
    refused_alike(
        &named,
        &s.config,
        "records 'home.example.test' and 'HOME.EXAMPLE.TEST.' both manage A",
    );
}

/// `check-config` names what it cannot check outside the unit (a systemd credential) instead
/// of calling the file broken or saying nothing.
#[test]
fn check_config_says_what_it_cannot_check() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        r#"state_file = "/tmp/dnsup-unused-state.json"
[providers.cf]
type = "cloudflare"
token = { credential = "cf-token" }

[sources.fixed]
type = "static"
address = "192.0.2.1"

[[records]]
name = "home.example.test"
zone = "example.test"
provider = "cf"
ipv4 = ["fixed"]
allow = ["documentation"]
"#,
    )
    .unwrap();
    let out = Command::new(dnsup_bin())
        .args(["check-config", "--config"])
        .arg(&config)
        .env_remove("CREDENTIALS_DIRECTORY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "not checked: token: the systemd credential 'cf-token' exists only under the unit"
        ),
        "{}",
        describe(&out)
    );
}

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

/// `dnsup delete example.test` used to remove the zone's MX and TXT with no guard, and
/// `delete example.test SOA` reported "applied" though the server ignores it. Both are refused
/// before anything is sent; `--apex` deletes the apex on purpose.
#[test]
fn deleting_the_apex_needs_a_flag_and_soa_deletes_are_refused() {
    let named = Named::start();
    let dir = tempfile::tempdir().unwrap();
    let before = common::zone::axfr(named.addr(), "example.test");
    let out = native(&named, dir.path(), &["delete", "example.test"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("--apex"), "{}", describe(&out));
    let out = native(&named, dir.path(), &["delete", "example.test", "SOA"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("cannot be deleted"),
        "{}",
        describe(&out)
    );
    assert_eq!(common::zone::axfr(named.addr(), "example.test"), before);

    let out = native(&named, dir.path(), &["delete", "example.test", "--apex"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(named.query("example.test", "MX").is_empty());
    assert_eq!(named.query("example.test", "NS"), ["ns1.example.test."]);
}

/// `set`/`add`/`delete` say exactly what they wrote, so a relative name that nsupdate's rule
/// put below the zone (`outside.other.test` with `-z example.test`) is visible; `--json`
/// carries the same list.
#[test]
fn one_shot_output_names_what_was_written() {
    let named = Named::start();
    let dir = tempfile::tempdir().unwrap();
    let out = native(
        &named,
        dir.path(),
        &[
            "set",
            "outside.other.test",
            "A",
            "192.0.2.7",
            "-z",
            "example.test",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stderr(&out).contains("add outside.other.test.example.test. 300 A 192.0.2.7"),
        "{}",
        describe(&out)
    );
    let out = native(
        &named,
        dir.path(),
        &["delete", "www.example.test", "A", "192.0.2.80", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["changes"],
        serde_json::json!(["delete www.example.test. A 192.0.2.80"]),
        "{v}"
    );
}

/// `keygen -o FILE` creates the key file private (0600) from the start and never overwrites.
#[test]
fn keygen_output_file_is_private_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.key");
    let out = Command::new(dnsup_bin())
        .args(["keygen", "-o"])
        .arg(&path)
        .arg("ddns-key")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("key \"ddns-key\"")
    );
    let out = Command::new(dnsup_bin())
        .args(["keygen", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("already exists"),
        "{}",
        describe(&out)
    );
}

/// `yes ... | dnsup apply -`: the temporary copy of an endless standard input stops before it
/// fills the file system of TMPDIR (here a 64 MiB tmpfs in a private mount namespace, less
/// than the 256 MiB dnsup always leaves free), with the line reached and what to do.
#[test]
fn an_endless_apply_input_does_not_fill_the_temporary_directory() {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "mount -t tmpfs -o size=64m tmpfs {dir} && \
         yes 'add h.example.test. 300 A 192.0.2.1' | TMPDIR={dir} {bin} apply - --zone example.test -s 127.0.0.1 -p 9; \
         echo \"status=$?\"",
        dir = dir.path().display(),
        bin = dnsup_bin().display()
    );
    let out = Command::new(common::require("unshare", "util-linux"))
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = stderr(&out);
    assert!(text.contains("status=1"), "{}", describe(&out));
    assert!(
        err.contains("would leave less than 256 MiB free in")
            && err.contains("give the changes as a regular file"),
        "{}",
        describe(&out)
    );
    // Stopped at the first check (after 1 MiB), far from filling the 64 MiB.
    assert!(err.contains("(1 MiB so far)"), "{}", describe(&out));
}

/// `dnsup status` on a state file that is not JSON says what is wrong and that there is
/// nothing to show (exit 1), not the daemon's "starting without it" (it starts nothing).
#[test]
fn status_on_a_garbage_state_file_says_so_without_pretending_to_start() {
    let s = daemon_setup("127.0.0.1:9".parse().unwrap(), "", "1s", None);
    let state = s.dir.path().join("state.json");
    std::fs::write(&state, "garbage{{{").unwrap();
    let out = Command::new(dnsup_bin())
        .args(["status", "-c"])
        .arg(&s.config)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        err.contains("is not valid (expected value at line 1 column 1): no status to show"),
        "{err}"
    );
    assert!(!err.contains("starting without it"), "{err}");
    // The file is left as it was for the operator to look at.
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "garbage{{{");
}

/// A configuration others may write can make dnsup run any program: warned about by
/// check-config and run, refused with strict_permissions.
#[test]
fn a_configuration_writable_by_others_is_warned_about_or_refused() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    std::fs::set_permissions(&s.config, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = Command::new(dnsup_bin())
        .args(["check-config", "--config"])
        .arg(&s.config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stderr(&out).contains("writable by group or others"),
        "{}",
        describe(&out)
    );
    let text = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(&s.config, format!("strict_permissions = true\n{text}")).unwrap();
    refused_alike(&named, &s.config, "refused: ");
}

/// `dnsup apply` used to hold the whole input (1 M lines peaked at 410 MB, `--dry-run` too). It
/// now reads the input twice and sends it in chunks: an input larger than one chunk, from
/// standard input (spooled to an unnamed file), lands whole; a bad line far into the input
/// still means nothing is sent; /dev/zero is refused at once.
#[test]
fn apply_streams_in_chunks_and_still_checks_every_line_first() {
    let named = Named::start();
    let dir = tempfile::tempdir().unwrap();
    let key_file = write_key_file(dir.path(), key("k-sha256"));
    let apply = |input: &[u8], file: &str| {
        let mut cmd = Command::new(dnsup_bin());
        cmd.args(["apply", file, "--zone", "example.test", "-s"])
            .arg(named.addr().to_string())
            .arg("-k")
            .arg(&key_file);
        run_with_timeout(&mut cmd, input, Duration::from_secs(300))
    };
    let n = 25_000;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "add h{i}.bulk 300 A 10.{}.{}.{}\n",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        ));
    }
    // A bad line near the end: nothing at all is sent.
    let bad = text.replace(
        "add h24990.bulk 300 A",
        "add h24990.bulk 300 A 300.1.1.1 ; was",
    );
    let before = common::zone::axfr(named.addr(), "example.test");
    let out = apply(bad.as_bytes(), "-");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("line 24991"), "{}", describe(&out));
    assert_eq!(common::zone::axfr(named.addr(), "example.test"), before);

    let out = apply(text.as_bytes(), "-");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!("{n} changes applied")),
        "{}",
        describe(&out)
    );
    let after = common::zone::axfr(named.addr(), "example.test");
    // Every record, plus the SOA whose serial moved.
    assert_eq!(after.0.len(), before.0.len() + n);

    let out = apply(b"", "/dev/zero");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("NUL byte"), "{}", describe(&out));
}

/// The annotated example documents every source type and option: with each commented source
/// and option switched on, `check-config` accepts it.
#[test]
fn the_annotated_example_documents_options_that_exist() {
    let example = std::fs::read_to_string(repo_root().join("contrib/dnsup.toml")).unwrap();
    let mut out = String::new();
    let mut in_source = false;
    for line in example.lines() {
        if line.starts_with("# [sources.") {
            in_source = true;
        } else if line.trim().is_empty() || !line.starts_with("# ") {
            in_source = false;
        }
        let option = [
            "# key_name",
            "# tcp",
            "# timeout",
            "# urls",
            "# ca_file",
            "# servers",
        ]
        .iter()
        .any(|p| line.starts_with(p));
        if (in_source && !line.starts_with("#  ")) || option {
            out.push_str(&line[2..]);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    assert!(out.contains("\n[sources.lan-host]\n"), "{out}");
    assert!(out.contains("\ntimeout = \"5s\""), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.toml");
    std::fs::write(&path, &out).unwrap();
    let out = Command::new(dnsup_bin())
        .args(["check-config", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

/// SECURITY.md and the README say what the binary does (defect 9): a command source's stdout
/// must be exactly one address (a second line is refused, nothing is published), and the
/// template provider accepts only https:// URLs (check-config and run refuse http://).
#[test]
fn documented_refusals_match_the_binary() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    std::fs::write(&s.addr_file, "203.0.113.10\n203.0.113.11\n").unwrap();
    let out = s.once();
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(named.query("home.example.test", "A").is_empty());

    let base = std::fs::read_to_string(&s.config).unwrap();
    let text = base.replace(
        "[sources.file]",
        "[providers.web]\ntype = \"template\"\nurl = \"http://dns.example/update?ip={ip}\"\n\n[sources.file]",
    )
    .replace("provider = \"lab\"", "provider = \"web\"");
    std::fs::write(&s.config, text).unwrap();
    refused_alike(&named, &s.config, "only https:// URLs are accepted");
}
