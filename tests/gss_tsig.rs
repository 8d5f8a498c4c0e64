//! GSS-TSIG (RFC 3645) against a real MIT Kerberos KDC and BIND named with
//! `tkey-gssapi-keytab`, each started by the test on loopback ports. Every case runs
//! `dnsup nsupdate -g` and BIND's `nsupdate -g` on the same script against two fresh servers of
//! the same KDC, and compares the exit status, the messages and the zones afterwards.
//!
//! Needs krb5-kdc, krb5-admin-server, krb5-user, bind9, bind9-dnsutils (scripts/deps/gss).

mod common;

use std::path::Path;
use std::process::Output;

use common::kerberos::{GssNamed, Kdc, run_gss};
use common::*;

struct Run {
    out: Output,
    zone: Zone,
    log: String,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
}

/// Run `body` (after `server` and `zone` lines) with `tool` against a fresh named.
fn run_one(
    kdc: &Kdc,
    tool: &Path,
    args: &[&str],
    body: &str,
    ccache: Option<&Path>,
    extra: &[(&str, &str)],
) -> Run {
    let named = GssNamed::start(kdc);
    let script = format!(
        "server 127.0.0.1 {}\nzone example.test\n{body}",
        named.port()
    );
    let out = run_gss(tool, args, &script, kdc, ccache, extra);
    Run {
        out,
        zone: named.axfr(),
        log: named.log(),
    }
}

/// dnsup and BIND's nsupdate on the same script; asserts the same exit status and zone.
fn both(
    kdc: &Kdc,
    args: &[&str],
    body: &str,
    ccache: Option<&Path>,
    extra: &[(&str, &str)],
) -> (Run, Run) {
    let mut ours_args = vec!["nsupdate"];
    ours_args.extend_from_slice(args);
    let ours = run_one(kdc, &dnsup_bin(), &ours_args, body, ccache, extra);
    let nsupdate = require("nsupdate", "bind9-dnsutils");
    let theirs = run_one(kdc, &nsupdate, args, body, ccache, extra);
    assert_eq!(
        ours.out.status.code(),
        theirs.out.status.code(),
        "dnsup:\n{}\nnsupdate:\n{}\nnamed (dnsup):\n{}",
        describe(&ours.out),
        describe(&theirs.out),
        ours.log
    );
    assert_eq!(ours.zone, theirs.zone, "the zones differ afterwards");
    (ours, theirs)
}

fn original_zone() -> Zone {
    Zone::from_file("example.test", &zone_file("example.test"))
}

#[test]
fn host_principal_from_a_keytab_updates_its_own_name() {
    let kdc = Kdc::start();
    let cache = kdc.kinit("host/client1.example.test");
    let (ours, _) = both(
        &kdc,
        &["-g"],
        "update add client1.example.test 300 A 192.0.2.11\nsend\n",
        Some(&cache),
        &[],
    );
    assert_eq!(ours.out.status.code(), Some(0), "{}", describe(&ours.out));
    assert!(
        ours.zone
            .contains("client1.example.test. 300 IN A 192.0.2.11"),
        "{}",
        ours.zone
    );
    assert!(
        ours.log.contains("host/client1.example.test"),
        "{}",
        ours.log
    );
}

#[test]
fn user_from_the_ticket_cache_in_an_allowed_subdomain() {
    let kdc = Kdc::start();
    let cache = kdc.kinit("alice");
    let (ours, _) = both(
        &kdc,
        &["-g"],
        "update add h1.dyn.example.test 300 TXT \"alice was here\"\nsend\n",
        Some(&cache),
        &[],
    );
    assert_eq!(ours.out.status.code(), Some(0), "{}", describe(&ours.out));
    assert!(
        ours.zone
            .contains("h1.dyn.example.test. 300 IN TXT \"alice was here\"")
    );
}

#[test]
fn a_name_the_policy_does_not_allow_is_refused_and_the_zone_unchanged() {
    let kdc = Kdc::start();
    let cache = kdc.kinit("alice");
    let (ours, theirs) = both(
        &kdc,
        &["-g"],
        "update add www.example.test 300 A 192.0.2.66\nsend\n",
        Some(&cache),
        &[],
    );
    assert_eq!(ours.out.status.code(), Some(2));
    assert_eq!(ours.stderr(), "update failed: REFUSED\n");
    assert_eq!(ours.stderr(), theirs.stderr());
    assert_eq!(ours.zone, original_zone());
    assert!(
        ours.log.contains("rejected by secure update"),
        "{}",
        ours.log
    );
}

#[test]
fn no_ticket_is_a_clear_error() {
    let kdc = Kdc::start();
    let (ours, theirs) = both(
        &kdc,
        &["-g"],
        "update add client1.example.test 300 A 192.0.2.11\nsend\n",
        None,
        &[],
    );
    assert_eq!(ours.out.status.code(), Some(2), "{}", describe(&ours.out));
    assert!(theirs.stderr().starts_with("tkey query failed: "));
    let err = ours.stderr();
    assert!(err.starts_with("tkey query failed: "), "{err}");
    assert!(err.contains("kinit"), "says what to do: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(ours.zone, original_zone());
}

#[test]
fn several_updates_over_one_context() {
    let kdc = Kdc::start();
    let cache = kdc.kinit("host/client1.example.test");
    let body = "update add client1.example.test 300 A 192.0.2.11\nsend\n\
                update add client1.example.test 300 AAAA 2001:db8::11\nsend\n\
                update delete client1.example.test A\nupdate add client1.example.test 300 A 192.0.2.12\nsend\n";
    let (ours, _) = both(&kdc, &["-g"], body, Some(&cache), &[]);
    assert_eq!(ours.out.status.code(), Some(0), "{}", describe(&ours.out));
    assert!(
        ours.zone
            .contains("client1.example.test. 300 IN A 192.0.2.12")
    );
    assert!(
        ours.zone
            .contains("client1.example.test. 300 IN AAAA 2001:db8::11")
    );
    // With -d dnsup says when it negotiates: once for the three updates.
    let traced = run_one(
        &kdc,
        &dnsup_bin(),
        &["nsupdate", "-g", "-d"],
        body,
        Some(&cache),
        &[],
    );
    assert_eq!(traced.out.status.code(), Some(0));
    assert_eq!(
        traced.stderr().matches("Negotiating GSS-TSIG").count(),
        1,
        "{}",
        traced.stderr()
    );
}

#[test]
fn answer_signatures_verify_strictly_against_bind() {
    let kdc = Kdc::start();
    let cache = kdc.kinit("host/client1.example.test");
    // strict: only an RFC 8945 answer MAC is accepted; BIND signs that way.
    let ours = run_one(
        &kdc,
        &dnsup_bin(),
        &["nsupdate", "-g"],
        "update add client1.example.test 300 A 192.0.2.11\nsend\n",
        Some(&cache),
        &[("DNSUP_GSS_VERIFY", "strict")],
    );
    assert_eq!(ours.out.status.code(), Some(0), "{}", describe(&ours.out));
    assert_eq!(ours.stderr(), "");
}

#[test]
fn old_algorithm_name_and_raw_kerberos_mechanism() {
    let kdc = Kdc::start();
    let cache = kdc.kinit("host/client1.example.test");
    let body = "update add client1.example.test 300 A 192.0.2.11\nsend\n";
    let (ours, _) = both(&kdc, &["-o"], body, Some(&cache), &[]);
    assert_eq!(ours.out.status.code(), Some(0), "{}", describe(&ours.out));
    let krb5 = run_one(
        &kdc,
        &dnsup_bin(),
        &["nsupdate", "-g"],
        &format!("gsstsig\n{body}"),
        Some(&cache),
        &[("DNSUP_GSS_MECH", "krb5")],
    );
    assert_eq!(krb5.out.status.code(), Some(0), "{}", describe(&krb5.out));
    assert!(
        krb5.zone
            .contains("client1.example.test. 300 IN A 192.0.2.11")
    );
}

#[test]
fn client_keytab_without_kinit() {
    let kdc = Kdc::start();
    let keytab = kdc.keytab("host/client1.example.test");
    let keytab = keytab.to_str().unwrap();
    let (ours, _) = both(
        &kdc,
        &["-g"],
        "update add client1.example.test 300 A 192.0.2.11\nsend\n",
        None,
        &[("KRB5_CLIENT_KTNAME", keytab)],
    );
    assert_eq!(ours.out.status.code(), Some(0), "{}", describe(&ours.out));
}

/// The native commands with --gss: ticket cache, keytab, refusal, no credentials.
#[test]
fn native_set_with_gss() {
    let kdc = Kdc::start();
    let named = GssNamed::start(&kdc);
    let server = format!("127.0.0.1:{}", named.port());
    let cache = kdc.kinit("alice");
    let keytab = kdc.keytab("host/client1.example.test");
    let keytab = keytab.to_str().unwrap();
    let dnsup = |args: &[&str], ccache: Option<&Path>| {
        let mut all = vec!["set"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-s", &server, "--gss"]);
        run_gss(&dnsup_bin(), &all, "", &kdc, ccache, &[])
    };
    let out = dnsup(&["h2.dyn.example.test", "TXT", "native"], Some(&cache));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = dnsup(
        &[
            "client1.example.test",
            "A",
            "192.0.2.77",
            "--keytab",
            keytab,
            "--gss-mech",
            "krb5",
            "--gss-verify",
            "strict",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = dnsup(&["www.example.test", "A", "192.0.2.78"], Some(&cache));
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let out = dnsup(&["client1.example.test", "A", "192.0.2.79"], None);
    assert_eq!(out.status.code(), Some(9), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error [gss]: ") && err.contains("kinit"),
        "{err}"
    );
    let zone = named.axfr();
    assert!(
        zone.contains("h2.dyn.example.test. 300 IN TXT \"native\""),
        "{zone}"
    );
    assert_eq!(
        zone.find("client1.example.test.", "A"),
        ["client1.example.test. 300 IN A 192.0.2.77"]
    );
    assert_eq!(
        zone.find("www.example.test.", "A"),
        ["www.example.test. 3600 IN A 192.0.2.80"]
    );
}

/// The daemon's RFC 2136 provider with `auth = "gss"` and a keytab (no ticket cache): the host
/// principal keeps its own A record; a record the policy does not allow stays unchanged.
#[test]
fn daemon_rfc2136_provider_with_a_keytab() {
    let kdc = Kdc::start();
    let named = GssNamed::start(&kdc);
    let dir = tempfile::tempdir().unwrap();
    let config = |name: &str| {
        let path = dir.path().join(format!("{name}.toml"));
        let text = format!(
            r#"interval = "1s"
state_file = "{state}"

[providers.ad]
type = "rfc2136"
servers = ["127.0.0.1:{port}"]
auth = "gss"
keytab = "{keytab}"
timeout = "10s"

[sources.fixed]
type = "command"
argv = ["echo", "198.51.100.7"]

[[records]]
name = "{name}.example.test"
zone = "example.test"
provider = "ad"
ipv4 = ["fixed"]
ttl = 60
allow = ["documentation"]
"#,
            state = dir.path().join(format!("{name}.state.json")).display(),
            port = named.port(),
            keytab = kdc.keytab("host/client1.example.test").display(),
        );
        std::fs::write(&path, text).unwrap();
        path
    };
    let once = |path: &Path| {
        let p = path.to_str().unwrap();
        run_gss(
            &dnsup_bin(),
            &["run", "--once", "--config", p],
            "",
            &kdc,
            None,
            &[],
        )
    };
    let own = config("client1");
    let out = once(&own);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        named.axfr().find("client1.example.test.", "A"),
        ["client1.example.test. 60 IN A 198.51.100.7"]
    );
    // In sync now: a second pass changes nothing.
    let serial = named.axfr().soa_serial();
    let out = once(&own);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(named.axfr().soa_serial(), serial);

    let other = config("www");
    let out = once(&other);
    // Every failure of the pass is a refusal: the native commands' code for REFUSED.
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("REFUSED"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.axfr().soa_serial(), serial, "zone unchanged");
}
