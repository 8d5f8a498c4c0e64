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
