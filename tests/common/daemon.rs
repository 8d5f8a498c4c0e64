//! What the daemon tests share: a configuration managing `home.example.test` A on an RFC 2136
//! server from a command source that prints a file the test rewrites, one-shot and long runs of
//! the daemon on it, and waiting for a condition.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::{describe, dnsup_bin, key};

/// A daemon's configuration and the files it uses, in a temporary directory.
pub struct DaemonSetup {
    /// The temporary directory (configuration, key, address file, logs).
    pub dir: tempfile::TempDir,
    /// The file the address source prints (`203.0.113.10` at first).
    pub addr_file: PathBuf,
    /// The configuration file.
    pub config: PathBuf,
    /// The state file.
    pub state: PathBuf,
}

/// A config managing `home.example.test` A at `server` (rfc2136 with the `k-sha256` key, a
/// `timeout` per request) from a command source printing `addr_file`, every second; `extra`
/// are more top-level settings; the state file in `state_dir` (default: the temporary
/// directory).
pub fn daemon_setup(
    server: SocketAddr,
    extra: &str,
    timeout: &str,
    state_dir: Option<&Path>,
) -> DaemonSetup {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("ddns.key");
    std::fs::write(&key_file, key("k-sha256").named_conf()).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let addr_file = dir.path().join("addr");
    std::fs::write(&addr_file, "203.0.113.10\n").unwrap();
    let state = state_dir.unwrap_or(dir.path()).join("state.json");
    let config = dir.path().join("dnsup.toml");
    let text = format!(
        r#"interval = "1s"
state_file = "{state}"
{extra}
[providers.lab]
type = "rfc2136"
servers = ["{server}"]
key_file = "{key}"
timeout = "{timeout}"

[sources.file]
type = "command"
argv = ["cat", "{addr}"]

[[records]]
name = "home.example.test"
zone = "example.test"
provider = "lab"
ipv4 = ["file"]
ttl = 60
allow = ["documentation"]
"#,
        state = state.display(),
        key = key_file.display(),
        addr = addr_file.display(),
    );
    std::fs::write(&config, text).unwrap();
    DaemonSetup {
        dir,
        addr_file,
        config,
        state,
    }
}

impl DaemonSetup {
    /// `dnsup run --once` on this configuration (its output also goes to stderr).
    pub fn once(&self) -> Output {
        let out = Command::new(dnsup_bin())
            .args(["run", "--once", "--config"])
            .arg(&self.config)
            .output()
            .unwrap();
        eprintln!("{}", describe(&out));
        out
    }

    /// The daemon (`-v run`) on this configuration, its stderr in the returned log file.
    pub fn spawn(&self) -> (Running, PathBuf) {
        self.spawn_with(&["-v", "run"], &[])
    }

    /// `dnsup ARGS --config FILE` with these extra environment variables (and without
    /// JOURNAL_STREAM, so the log is as on a terminal), its stderr in the returned log file.
    pub fn spawn_with(&self, args: &[&str], env: &[(&str, &Path)]) -> (Running, PathBuf) {
        let log = self.dir.path().join("daemon.log");
        let mut cmd = Command::new(dnsup_bin());
        cmd.args(args)
            .arg("--config")
            .arg(&self.config)
            .env_remove("JOURNAL_STREAM")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        (Running(Some(cmd.spawn().unwrap())), log)
    }

    /// `dnsup ARGS --config FILE`, waited for.
    pub fn command(&self, args: &[&str]) -> Output {
        let out = Command::new(dnsup_bin())
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .output()
            .unwrap();
        eprintln!("{}", describe(&out));
        out
    }

    /// The published addresses the state file holds; panics if it does not parse.
    pub fn state_addresses(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.state).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("state file does not parse ({e}):\n{text}"));
        let records = v["records"].as_object().expect("records in the state file");
        records
            .values()
            .flat_map(|m| m["published"].as_array().cloned().unwrap_or_default())
            .map(|a| a.as_str().unwrap().to_string())
            .collect()
    }
}

/// A running daemon, killed when dropped.
pub struct Running(Option<Child>);

impl Running {
    /// Send it a signal by name (`TERM`, `USR1`, `HUP`).
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    /// True while the process has not exited.
    pub fn alive(&mut self) -> bool {
        self.0
            .as_mut()
            .is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    /// Its process id.
    pub fn pid(&self) -> i32 {
        self.0.as_ref().unwrap().id() as i32
    }

    /// Wait for the process to end, at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> std::process::ExitStatus {
        let start = Instant::now();
        let child = self.0.as_mut().unwrap();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.0 = None;
                return status;
            }
            assert!(
                start.elapsed() < limit,
                "the daemon did not exit within {limit:?}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Wait until `f` holds, checking every 100 ms; panics naming `what` after `limit`.
pub fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(100));
    }
}

/// A process's stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
