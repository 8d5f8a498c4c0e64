//! GSS-TSIG (RFC 3645) against a real MIT Kerberos KDC and BIND named with
//! `tkey-gssapi-keytab`, each started by the test on loopback ports. Every case runs
//! `dnsup nsupdate -g` and BIND's `nsupdate -g` on the same script against two fresh servers of
//! the same KDC, and compares the exit status, the messages and the zones afterwards.
//!
//! Needs krb5-kdc, krb5-admin-server, krb5-user, bind9, bind9-dnsutils (scripts/deps/gss).

mod common;

use std::path::Path;
use std::process::{Command, Output};

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

/// The OIDs of the GSS mechanisms (RFC 4178 SPNEGO, RFC 1964 Kerberos 5), DER contents.
const SPNEGO: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
const KRB5: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];

/// The key data of every TKEY record with data in `text` (nsupdate -d output), decoded.
fn tkey_tokens(text: &str) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    text.lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "TKEY")?;
            // algorithm inception expiration mode error key-size key... other-size other...
            let fields = &words[at + 1..];
            let size: usize = fields.get(5)?.parse().ok()?;
            let chars = size.div_ceil(3) * 4;
            let mut text = String::new();
            for word in fields.get(6..)? {
                if text.len() >= chars {
                    break;
                }
                text.push_str(word);
            }
            base64::engine::general_purpose::STANDARD.decode(text).ok()
        })
        .collect()
}

/// The mechanism OID of a GSS initial context token (RFC 2743 section 3.1:
/// `[APPLICATION 0] { thisMech OID, innerContextToken }`).
fn token_mech(token: &[u8]) -> Option<&[u8]> {
    if token.first() != Some(&0x60) {
        return None;
    }
    let length = *token.get(1)?;
    let at = 2 + if length & 0x80 != 0 {
        usize::from(length & 0x7f)
    } else {
        0
    };
    if token.get(at) != Some(&0x06) {
        return None;
    }
    let oid_len = usize::from(*token.get(at + 1)?);
    token.get(at + 2..at + 2 + oid_len)
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
    // The raw Kerberos 5 mechanism: the token sent in the TKEY query (printed by -d) must be
    // a krb5 initial context token, not SPNEGO (the default, which would also succeed).
    let krb5 = run_one(
        &kdc,
        &dnsup_bin(),
        &["nsupdate", "-g", "-d"],
        &format!("gsstsig\n{body}"),
        Some(&cache),
        &[("DNSUP_GSS_MECH", "krb5")],
    );
    assert_eq!(krb5.out.status.code(), Some(0), "{}", describe(&krb5.out));
    assert!(
        krb5.zone
            .contains("client1.example.test. 300 IN A 192.0.2.11")
    );
    let tokens = tkey_tokens(&String::from_utf8_lossy(&krb5.out.stdout));
    assert_eq!(tokens.len(), 1, "one TKEY query: {}", describe(&krb5.out));
    assert_eq!(
        token_mech(&tokens[0]),
        Some(KRB5),
        "not a raw krb5 token: {:02x?}",
        &tokens[0][..tokens[0].len().min(24)]
    );
}

/// `KRB5_CLIENT_KTNAME` and no ticket cache: the keytab's principal signs. Each tool gets a
/// ticket cache path of its own that does not exist, so neither can use a ticket the other
/// obtained; the principal is checked in dnsup's -d output and in named's log.
#[test]
fn client_keytab_without_kinit() {
    let kdc = Kdc::start();
    let keytab = kdc.keytab("host/client1.example.test");
    let keytab = keytab.to_str().unwrap();
    let body = "update add client1.example.test 300 A 192.0.2.11\nsend\n";
    let env = [("KRB5_CLIENT_KTNAME", keytab)];
    let (our_cache, their_cache) = (kdc.dir().join("cc-dnsup"), kdc.dir().join("cc-nsupdate"));
    assert!(!our_cache.exists() && !their_cache.exists());
    let ours = run_one(
        &kdc,
        &dnsup_bin(),
        &["nsupdate", "-g", "-d"],
        body,
        Some(&our_cache),
        &env,
    );
    let nsupdate = require("nsupdate", "bind9-dnsutils");
    let theirs = run_one(&kdc, &nsupdate, &["-g"], body, Some(&their_cache), &env);
    assert_eq!(ours.out.status.code(), Some(0), "{}", describe(&ours.out));
    assert_eq!(
        theirs.out.status.code(),
        Some(0),
        "{}",
        describe(&theirs.out)
    );
    assert_eq!(ours.zone, theirs.zone);
    assert!(
        ours.zone
            .contains("client1.example.test. 300 IN A 192.0.2.11")
    );
    assert!(
        ours.stderr()
            .contains(" as host/client1.example.test@EXAMPLE.TEST\n"),
        "{}",
        ours.stderr()
    );
    assert!(
        ours.log
            .contains("/key host/client1.example.test\\@EXAMPLE.TEST: updating zone"),
        "{}",
        ours.log
    );
    // Without the keytab the same run has no credentials at all.
    let none = run_one(
        &kdc,
        &dnsup_bin(),
        &["nsupdate", "-g"],
        body,
        Some(&kdc.dir().join("cc-empty")),
        &[],
    );
    assert_eq!(none.out.status.code(), Some(2), "{}", describe(&none.out));
    assert_eq!(none.zone, original_zone());
    // MIT's library keeps the tickets it got with the client keytab in the default cache
    // (which did not exist before): the keytab's principal, for both tools.
    for cache in [&our_cache, &their_cache] {
        let out = run_with_timeout(
            Command::new(require("klist", "krb5-user"))
                .envs(kdc.env())
                .arg("-c")
                .arg(format!("FILE:{}", cache.display())),
            b"",
            CLIENT_TIMEOUT,
        );
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .contains("Default principal: host/client1.example.test@EXAMPLE.TEST\n"),
            "{}: {}",
            cache.display(),
            describe(&out)
        );
    }
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

/// `nsupdate -d -g`: dnsup prints what BIND's nsupdate prints, after normalising what differs
/// between two runs (IDs, key names, times, MACs, tokens and their lengths, ports, alignment):
/// on stdout the TKEY query and the update with its GSS-TSIG record (TSIG pseudosection); on
/// stderr the SOA answer, the TKEY answer and the update's answer, each with its signature.
/// Deliberate differences, dropped before comparing: nsupdate's trace of its own function
/// names ("start_gssrequest", "send_gssrequest", "Found realm from ticket: ...") where dnsup
/// says "Negotiating GSS-TSIG (...) with SERVER as PRINCIPAL", and "Sending update to", which
/// nsupdate prints after the negotiation and dnsup before. Both tools use SPNEGO.
#[test]
fn debug_output_shows_the_tkey_exchange_and_the_signature_as_nsupdate_does() {
    let kdc = Kdc::start();
    let cache = kdc.kinit("host/client1.example.test");
    let body = "update add client1.example.test 300 A 192.0.2.11\nsend\n";
    let (ours, theirs) = both(&kdc, &["-d", "-g"], body, Some(&cache), &[]);
    assert_eq!(ours.out.status.code(), Some(0), "{}", describe(&ours.out));
    let out = |run: &Run| String::from_utf8_lossy(&run.out.stdout).into_owned();
    assert_eq!(
        normalized(&out(&ours)),
        normalized(&out(&theirs)),
        "stdout\ndnsup:\n{}\nnsupdate:\n{}",
        out(&ours),
        out(&theirs)
    );
    // The update as sent carries its GSS-TSIG record (a 28-byte MIC from MIT's krb5).
    let sent = normalized(&out(&ours));
    let update = sent
        .iter()
        .position(|l| l.starts_with(";; ->>HEADER<<- opcode: UPDATE"))
        .expect("the update is printed");
    assert_eq!(
        sent[update..].iter().rev().nth(2).map(String::as_str),
        Some(";; TSIG PSEUDOSECTION:"),
        "{sent:#?}"
    );
    assert_eq!(
        sent[update..].iter().rev().nth(1).map(String::as_str),
        Some("KEY 0 ANY TSIG gss-tsig. TIME 300 28 MAC ID NOERROR 0"),
        "{sent:#?}"
    );
    let skip = |line: &String| {
        ![
            "start_gssrequest",
            "send_gssrequest",
            "Found realm from ticket:",
            "Negotiating GSS-TSIG",
            "Sending update to",
        ]
        .iter()
        .any(|p| line.starts_with(p))
    };
    let err = |run: &Run| -> Vec<String> {
        normalized(&run.stderr())
            .into_iter()
            .filter(|l| skip(l))
            .collect()
    };
    assert_eq!(
        err(&ours),
        err(&theirs),
        "stderr\ndnsup:\n{}\nnsupdate:\n{}",
        ours.stderr(),
        theirs.stderr()
    );
    assert!(
        ours.stderr()
            .contains("\nNegotiating GSS-TSIG (gss-tsig.) with 127.0.0.1#")
            && ours
                .stderr()
                .contains(" as host/client1.example.test@EXAMPLE.TEST\n"),
        "{}",
        ours.stderr()
    );
    // The same mechanism as nsupdate: SPNEGO.
    for run in [&ours, &theirs] {
        let tokens = tkey_tokens(&out(run));
        assert_eq!(tokens.len(), 1, "{}", out(run));
        assert_eq!(token_mech(&tokens[0]), Some(SPNEGO));
    }
}

/// The lines of nsupdate -d text with what differs between runs replaced (see the test
/// above), and the whitespace between fields made one space.
fn normalized(text: &str) -> Vec<String> {
    // How many base64 words BIND prints for `n` bytes (56 characters a word).
    let words = |n: usize| (n.div_ceil(3) * 4).div_ceil(56);
    let key = |w: &str| {
        let (semi, rest) = w.strip_prefix(';').map_or(("", w), |r| (";", r));
        match rest.split_once(".sig-") {
            Some((n, _)) if n.bytes().all(|b| b.is_ascii_digit()) => format!("{semi}KEY"),
            _ => w.to_string(),
        }
    };
    text.lines()
        .map(|line| {
            let mut w: Vec<String> = line.split_whitespace().map(key).collect();
            if let Some(at) = w.iter().position(|x| x == "id:") {
                w[at + 1] = "ID".into();
            }
            if let Some(at) = w.iter().position(|x| x.contains('#')) {
                w[at] = w[at].split('#').next().unwrap_or("").to_string() + "#PORT";
            }
            let field = |w: &[String], i: usize| w.get(i).cloned().unwrap_or_default();
            match w.get(3).map(String::as_str) {
                // KEY 0 ANY TSIG alg time fudge mac-size mac... id error other-size
                Some("TSIG") if w.len() > 7 => {
                    let mac: usize = field(&w, 7).parse().unwrap_or(0);
                    let after = 8 + words(mac);
                    let mut n = w[..5].to_vec();
                    n.extend(["TIME".into(), field(&w, 6), field(&w, 7), "MAC".into()]);
                    n.extend(["ID".into(), field(&w, after + 1), field(&w, after + 2)]);
                    w = n;
                }
                // KEY 0 ANY TKEY alg inception expiration mode error size key... other-size
                Some("TKEY") if w.len() > 9 => {
                    let size: usize = field(&w, 9).parse().unwrap_or(0);
                    let time = |i| field(&w, i).parse::<i64>().unwrap_or(0);
                    let lifetime = time(6) - time(5);
                    let mut n = w[..5].to_vec();
                    n.extend(["TIME".into(), format!("TIME+{lifetime}")]);
                    n.extend([field(&w, 7), field(&w, 8), "SIZE".into(), "TOKEN".into()]);
                    n.push(field(&w, 10 + words(size)));
                    w = n;
                }
                _ => {}
            }
            w.join(" ")
        })
        .collect()
}

/// A static dnsup refuses to load the system Kerberos library when the system's glibc is
/// not the one it was linked with (glibc's static dlopen would bring in a mismatched libc):
/// run in a private mount namespace where libc.so.6 says "release version 2.99", it stops
/// with the message before loading anything, with a valid ticket and a server that would
/// accept the update. dnsup is static, so it runs there although no dynamic program can.
/// Needs root (unshare -m, mount). x86_64 only: the ARM builds are dynamic (no guard).
#[cfg(target_arch = "x86_64")]
#[test]
fn a_static_build_refuses_another_system_glibc() {
    let kdc = Kdc::start();
    let named = GssNamed::start(&kdc);
    let cache = kdc.kinit("host/client1.example.test");
    let fake = kdc.dir().join("libc.so.6");
    std::fs::write(
        &fake,
        "GNU C Library (dnsup test) stable release version 2.99.\n",
    )
    .unwrap();
    let libc = format!("/lib/{}-linux-gnu/libc.so.6", std::env::consts::ARCH);
    assert!(Path::new(&libc).is_file(), "{libc}: not this test's system");
    let unshare = require("unshare", "util-linux");
    let dnsup = dnsup_bin();
    let in_namespace = |args: &[&str], script: &str| {
        let mut all = vec![
            "-m",
            "sh",
            "-c",
            "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"",
            "sh",
            fake.to_str().unwrap(),
            &libc,
            dnsup.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        run_gss(&unshare, &all, script, &kdc, Some(&cache), &[])
    };
    let refusal = "GSS-TSIG is not available: this dnsup is a static build linked with glibc ";
    let why = ", and this system has glibc 2.99; loading the system Kerberos library \
               (libgssapi_krb5.so.2) needs the same glibc (use a dnsup built on this system's \
               release, or a build without crt-static)";
    let script = format!(
        "server 127.0.0.1 {}\nzone example.test\nupdate add client1.example.test 300 A 192.0.2.11\nsend\n",
        named.port()
    );
    let out = in_namespace(&["nsupdate", "-g"], &script);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        err.starts_with(&format!("tkey query failed: {refusal}"))
            && err.ends_with(&format!("{why}\n")),
        "{err}"
    );
    let server = format!("127.0.0.1:{}", named.port());
    let out = in_namespace(
        &[
            "set",
            "client1.example.test",
            "A",
            "192.0.2.12",
            "-s",
            &server,
            "--gss",
        ],
        "",
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(9), "{}", describe(&out));
    assert!(
        err.starts_with(&format!("error [gss]: {refusal}")) && err.contains(why),
        "{err}"
    );
    assert_eq!(named.axfr(), original_zone());
    // Outside the namespace the same command goes through.
    let out = run_gss(
        &dnsup,
        &[
            "set",
            "client1.example.test",
            "A",
            "192.0.2.12",
            "-s",
            &server,
            "--gss",
        ],
        "",
        &kdc,
        Some(&cache),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}
