//! The process environment, read once at start and then emptied of everything dnsup does not
//! need, so that no secret given in a variable (`DNSUP_KEY`, a `key_env`, a `{ env = ... }`
//! credential) stays visible in `/proc/PID/environ` or reaches a child process.
//!
//! `main` calls [`capture`] before anything else, while the process has one thread. It copies
//! every variable into a private snapshot, overwrites the values of every variable not on
//! [`KEEP`] in the process's own memory (that memory is what `/proc/PID/environ` shows, even
//! after `unsetenv`), and removes them from the environment. Code that needs a variable asks
//! [`var`], which answers from the snapshot. Children ([`child_command`]) start from an empty
//! environment plus [`CHILD`] and what the caller adds.
//!
//! In a process that did not call [`capture`] (the library used from tests or another
//! program), [`var`] reads the live environment and nothing is removed.

use std::ffi::{OsStr, OsString};
use std::sync::OnceLock;

/// Variables that stay in dnsup's own environment: the platform's (locale, time zone, paths),
/// systemd's service protocol, the resolver's and TLS roots' standard variables, logging.
/// None of them is a place dnsup documents for a secret.
pub const KEEP: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_MESSAGES",
    "LC_NUMERIC",
    "LC_TIME",
    "TZ",
    "TERM",
    "NO_COLOR",
    "TMPDIR",
    "RUST_LOG",
    "RUST_BACKTRACE",
    "NOTIFY_SOCKET",
    "WATCHDOG_USEC",
    "WATCHDOG_PID",
    "JOURNAL_STREAM",
    "INVOCATION_ID",
    "CREDENTIALS_DIRECTORY",
    "RUNTIME_DIRECTORY",
    "STATE_DIRECTORY",
    "CONFIGURATION_DIRECTORY",
    "LISTEN_FDS",
    "LISTEN_PID",
    "LISTEN_FDNAMES",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "RES_OPTIONS",
    "LOCALDOMAIN",
    "HOSTALIASES",
    "KRB5CCNAME",
    "KRB5_CONFIG",
    "KRB5_KTNAME",
    "KRB5_CLIENT_KTNAME",
    // GSS-TSIG: the Kerberos library's replay cache and trace settings (not secrets).
    "KRB5RCACHETYPE",
    "KRB5RCACHEDIR",
    "KRB5_TRACE",
];

/// Variables a child process inherits (when dnsup has them); everything else it gets is set
/// explicitly by the caller and documented there (e.g. `DNSUP_FAMILY` for a command source).
pub const CHILD: &[&str] = &["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"];

/// `PATH` for a child when dnsup itself has none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static SNAPSHOT: OnceLock<Vec<(OsString, OsString)>> = OnceLock::new();

/// Read the environment once and remove from the process every variable not on [`KEEP`].
///
/// Must be called first thing in `main`, before any thread is started: it changes the
/// process's environment, which is only sound while no other thread may read it.
pub fn capture() {
    let all: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let remove: Vec<OsString> = all
        .iter()
        .filter(|(name, _)| !kept(name))
        .map(|(name, _)| name.clone())
        .collect();
    if SNAPSHOT.set(all).is_err() {
        return;
    }
    scrub::overwrite_values(|name| !kept(OsStr::new(name)));
    for name in remove {
        scrub::remove(&name);
    }
}

fn kept(name: &OsStr) -> bool {
    name.to_str().is_some_and(|n| KEEP.contains(&n))
}

/// A variable as dnsup started with it (or from the live environment, see the module doc).
pub fn var_os(name: &str) -> Option<OsString> {
    match SNAPSHOT.get() {
        Some(all) => all
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.clone()),
        None => std::env::var_os(name),
    }
}

/// [`var_os`] as UTF-8 text; `None` when unset or not UTF-8.
pub fn var(name: &str) -> Option<String> {
    var_os(name).and_then(|v| v.into_string().ok())
}

/// A command to run `program` with an empty environment plus [`CHILD`] (and a default `PATH`):
/// no secret of dnsup's, and nothing else of its environment, reaches the child.
pub fn child_command(program: impl AsRef<OsStr>) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(program);
    command.env_clear();
    for name in CHILD {
        if let Some(value) = var_os(name) {
            command.env(name, value);
        }
    }
    if var_os("PATH").is_none() {
        command.env("PATH", DEFAULT_PATH);
    }
    command
}

/// The one place that touches the C environment directly.
#[allow(unsafe_code)]
mod scrub {
    use std::ffi::{CStr, OsStr, c_char};

    unsafe extern "C" {
        // The C library's environment array (POSIX): NULL-terminated "NAME=VALUE" strings.
        static mut environ: *mut *mut c_char;
    }

    /// Overwrite with NUL bytes, in place, the value of every variable for which `remove(name)`
    /// holds. The strings of the initial environment live on the stack that the kernel shows
    /// as /proc/PID/environ; `unsetenv` only drops the pointer, so the bytes must be cleared.
    pub(super) fn overwrite_values(remove: impl Fn(&str) -> bool) {
        // SAFETY: called from `capture`, which `main` runs before any other thread exists, so
        // nothing reads or changes the environment meanwhile. `environ` is a valid
        // NULL-terminated array of valid NUL-terminated strings (POSIX); we only write NUL
        // bytes inside each string's own length, after its '='.
        unsafe {
            let mut entry = environ;
            if entry.is_null() {
                return;
            }
            while !(*entry).is_null() {
                let text = *entry;
                let bytes = CStr::from_ptr(text).to_bytes();
                if let Some(eq) = bytes.iter().position(|&b| b == b'=') {
                    let name = std::str::from_utf8(&bytes[..eq]).unwrap_or("");
                    if name.is_empty() || remove(name) {
                        let len = bytes.len() - eq - 1;
                        std::ptr::write_bytes(text.add(eq + 1), 0, len);
                    }
                }
                entry = entry.add(1);
            }
        }
    }

    /// Remove `name` from the environment.
    pub(super) fn remove(name: &OsStr) {
        if name.is_empty() || name.to_string_lossy().contains('=') {
            return;
        }
        // SAFETY: single-threaded, as for `overwrite_values`.
        unsafe { std::env::remove_var(name) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_capture_var_reads_the_live_environment() {
        assert_eq!(var_os("PATH"), std::env::var_os("PATH"));
    }

    #[test]
    fn no_secret_location_is_kept() {
        for name in [
            "DNSUP_KEY",
            "DNSUP_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "CF_API_TOKEN",
        ] {
            assert!(!KEEP.contains(&name), "{name}");
        }
        for name in CHILD {
            assert!(
                KEEP.contains(name),
                "{name} is passed to children but not kept"
            );
        }
    }
}
