//! The RFC 2136-only build (`cargo build --no-default-features`: no `https` feature, for
//! routers; ARCHITECTURE.md "The https feature"). It still updates a real named through the
//! daemon, and everything it left out is refused at the configuration check with what to do,
//! exit status 1: a hosted provider type, an HTTPS notifier, an HTTPS echo source, DNS over
//! HTTPS. `dnsup providers` marks what is not built in and `--version` names the build.
//!
//! Only built without the `https` feature (`.ci/run` runs it so); the default build's
//! behaviour is what every other test covers.
#![cfg(not(feature = "https"))]

mod common;

use std::process::{Command, Output};

use common::daemon::{DaemonSetup, daemon_setup, stdout};
use common::*;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The daemon's test configuration (rfc2136 provider `lab` at `named`), with `edit` applied.
fn config_with(named: &Named, edit: impl Fn(String) -> String) -> DaemonSetup {
    let s = daemon_setup(named.addr(), "", "3s", None);
    let text = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(&s.config, edit(text)).unwrap();
    s
}

/// `check-config` and `run --once` both refuse the configuration with exit status 1 and a
/// message holding every one of `needles`; nothing reaches the server.
fn refused(s: &DaemonSetup, named: &Named, needles: &[&str]) {
    for args in [&["check-config"][..], &["run", "--once"][..]] {
        let out = s.command(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", describe(&out));
        let err = stderr(&out);
        for n in needles {
            assert!(err.contains(n), "{args:?}: no '{n}' in:\n{err}");
        }
        assert!(!err.contains("tok-4f9a1c"), "{args:?}: secret in:\n{err}");
    }
    assert!(named.query("home.example.test", "A").is_empty());
}

#[test]
fn rfc2136_daemon_updates_named_in_the_lean_build() {
    let named = Named::start();
    let s = daemon_setup(named.addr(), "", "3s", None);
    let out = s.once();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stdout(&out).contains("created 203.0.113.10"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.10"]);
}

#[test]
fn a_hosted_provider_type_is_refused_with_what_to_do() {
    let named = Named::start();
    let s = config_with(&named, |t| {
        t.replace("provider = \"lab\"", "provider = \"cf\"")
            + "\n[providers.cf]\ntype = \"cloudflare\"\ntoken = \"tok-4f9a1c\"\n"
    });
    refused(
        &s,
        &named,
        &[
            "built without HTTPS providers",
            "provider type 'cloudflare' needs the default build",
        ],
    );
    // A type no build knows is still the parser's error, with the line.
    let s = config_with(&named, |t| {
        t.replace("type = \"rfc2136\"", "type = \"cloudflair\"")
    });
    let out = s.command(&["check-config"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("unknown variant `cloudflair`"),
        "{}",
        describe(&out)
    );
}

#[test]
fn an_https_notifier_is_refused_and_exec_is_built_in() {
    let named = Named::start();
    let s = config_with(&named, |t| {
        t + "\n[notify.hook]\ntype = \"webhook\"\nurl = \"https://hooks.example.net/tok-4f9a1c\"\n"
    });
    refused(
        &s,
        &named,
        &[
            "notify 'hook' (type webhook)",
            "built without HTTPS notifiers",
            "type webhook needs the default build",
        ],
    );
    let s = config_with(&named, |t| {
        t + "\n[notify.mail]\ntype = \"email\"\nsmtp_host = \"mx.example.net\"\nfrom = \"a@example.net\"\nto = [\"b@example.net\"]\n"
    });
    refused(
        &s,
        &named,
        &[
            "notify 'mail' (type email)",
            "built without HTTPS notifiers",
        ],
    );
    let s = config_with(&named, |t| {
        t + "\n[notify.run]\ntype = \"exec\"\nargv = [\"true\"]\n"
    });
    let out = s.command(&["check-config"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn an_https_echo_source_and_dns_over_https_are_refused() {
    let named = Named::start();
    let s = config_with(&named, |t| {
        t.replace("ipv4 = [\"file\"]", "ipv4 = [\"echo\"]") + "\n[sources.echo]\ntype = \"http\"\n"
    });
    refused(
        &s,
        &named,
        &["type 'http'", "built without HTTPS", "default build"],
    );
    let s = config_with(&named, |t| {
        t.replace(
            "type = \"rfc2136\"",
            "type = \"rfc2136\"\ntransport = \"https\"\nurl = \"https://doh.example.net/dns-query\"",
        )
    });
    refused(&s, &named, &["built without HTTPS", "default build"]);
}

#[test]
fn providers_marks_what_is_not_built_in() {
    let out = Command::new(dnsup_bin()).arg("providers").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = stdout(&out);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} row in:\n{text}"))
            .to_string()
    };
    assert!(line("rfc2136").contains("alive"), "{text}");
    assert!(line("cloudflare").contains("not built in"), "{text}");
    assert!(line("he").contains("not built in"), "{text}");
    assert!(line("yandex").contains("dead"), "{text}");
    assert!(text.contains("built without HTTPS providers"), "{text}");

    let out = Command::new(dnsup_bin())
        .args(["providers", "--json"])
        .output()
        .unwrap();
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let status = |name: &str| {
        list.iter()
            .find(|e| e["name"] == name)
            .map(|e| e["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("rfc2136").as_deref(), Some("alive"));
    assert_eq!(status("route53").as_deref(), Some("not built in"));
}

#[test]
fn version_names_the_lean_build() {
    let out = Command::new(dnsup_bin()).arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stdout(&out).contains("features: none (RFC 2136 only: built without https)"),
        "{}",
        describe(&out)
    );
}
