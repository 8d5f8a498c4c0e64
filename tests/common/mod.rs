//! Integration-test harness: real BIND (`named`) and Knot (`knotd`) servers on 127.0.0.1, each in
//! its own temp dir on its own ephemeral port, and the real `nsupdate` / `knsupdate` / `dig` as the
//! baseline dnsup is compared against.
//!
//! Use it from a test file with `mod common;`. Write a test once against `&dyn Server` and run it
//! on both servers with [`server_tests!`](crate::server_tests):
//!
//! ```ignore
//! mod common;
//! use common::*;
//!
//! fn serves_www(server: &dyn Server) {
//!     assert_eq!(server.query("www.example.test", "A"), ["192.0.2.80"]);
//! }
//! server_tests!(serves_www);
//! ```
//!
//! Missing server binaries make tests panic with the package to install; they are never skipped.

// Each test binary uses a subset of the harness.
#![allow(dead_code, unused_imports, unused_macros)]

pub mod daemon;
pub mod kerberos;
pub mod keys;
pub mod knot;
pub mod named;
pub mod options;
pub mod parallel;
pub mod pdns;
pub mod process;
pub mod proxy;
pub mod samba;
pub mod tls;
pub mod zone;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

pub use keys::{TestKey, key, key_arg, keys, write_key_file, write_knot_key_file};
pub use knot::Knot;
pub use named::Named;
pub use options::{ServerOptions, ZoneSource, ZoneSpec, repo_root, zone_file};
pub use pdns::Pdns;
pub use process::{require, run_with_timeout};
pub use zone::{Zone, normalize_record};

/// What tests need from a running test server, whichever implementation it is.
pub trait Server {
    /// `"named"` or `"knot"`.
    fn kind(&self) -> &'static str;
    /// 127.0.0.1 and the server's port.
    fn addr(&self) -> SocketAddr;
    /// The server's temp dir (configuration, zone copies, journals, log).
    fn dir(&self) -> &Path;
    /// Everything the server logged so far.
    fn log(&self) -> String;
    /// The test keys the server declares (Knot: all but the truncated one).
    fn keys(&self) -> Vec<&'static TestKey>;

    fn port(&self) -> u16 {
        self.addr().port()
    }

    /// The zone as served now (AXFR), normalized. Panics if the transfer fails.
    fn axfr(&self, zone: &str) -> Zone {
        zone::axfr(self.addr(), zone)
    }

    /// `dig +short NAME TYPE` against this server: rdata strings, sorted.
    fn query(&self, name: &str, rtype: &str) -> Vec<String> {
        zone::query(self.addr(), name, rtype)
    }

    /// The serial of the zone's SOA as served now.
    fn soa_serial(&self, zone: &str) -> u32 {
        zone::soa_serial(self.addr(), zone)
    }
}

/// The dnsup binary under test: the one cargo built for this test run, or the one named by
/// `DNSUP_TEST_BINARY` (an absolute path; .ci/run points it at the release build to run the
/// GSS-TSIG tests against the LTO, panic=abort, static-PIE binary users install).
pub fn dnsup_bin() -> PathBuf {
    match std::env::var_os("DNSUP_TEST_BINARY") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            assert!(
                path.is_absolute() && path.is_file(),
                "DNSUP_TEST_BINARY={}: not an absolute path to a file",
                path.display()
            );
            path
        }
        _ => PathBuf::from(env!("CARGO_BIN_EXE_dnsup")),
    }
}

/// How long a client tool may run before the test kills it and fails.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);

/// `server 127.0.0.1 PORT\nzone ZONE\n`: the start of an nsupdate / knsupdate script.
pub fn script_header(server: &dyn Server, zone: &str) -> String {
    format!("server 127.0.0.1 {}\nzone {zone}\n", server.port())
}

/// Runs BIND `nsupdate ARGS` with `script` on stdin (the script names its own server).
pub fn run_nsupdate(server: &dyn Server, script: &str, args: &[&str]) -> Output {
    run_client(server, require("nsupdate", "bind9-dnsutils"), script, args)
}

/// Runs Knot `knsupdate ARGS` with `script` on stdin (the script names its own server).
pub fn run_knsupdate(server: &dyn Server, script: &str, args: &[&str]) -> Output {
    run_client(server, require("knsupdate", "knot-dnsutils"), script, args)
}

/// Runs the dnsup binary with `args` and `stdin` (for example in its nsupdate mode).
pub fn run_dnsup(server: &dyn Server, stdin: &str, args: &[&str]) -> Output {
    run_client(server, dnsup_bin(), stdin, args)
}

fn run_client(server: &dyn Server, tool: PathBuf, stdin: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(&tool);
    cmd.args(args);
    let started = std::time::Instant::now();
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_with_timeout(&mut cmd, stdin.as_bytes(), CLIENT_TIMEOUT)
    }));
    match out {
        Ok(out) => out,
        Err(panic) => {
            eprintln!(
                "{} {args:?} failed after {:?}; {} log:\n{}",
                tool.display(),
                started.elapsed(),
                server.kind(),
                server.log()
            );
            std::panic::resume_unwind(panic)
        }
    }
}

/// A one-paragraph description of a finished client run, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Defines each listed `fn name(server: &dyn Server)` as two tests, `named::name` and
/// `knot::name`, each with a fresh default server ([`Named::start`] / [`Knot::start`]).
#[macro_export]
macro_rules! server_tests {
    ($($name:ident),+ $(,)?) => {
        mod named {
            $(
                #[test]
                fn $name() {
                    super::$name(&$crate::common::Named::start());
                }
            )+
        }
        mod knot {
            $(
                #[test]
                fn $name() {
                    super::$name(&$crate::common::Knot::start());
                }
            )+
        }
    };
}
