//! GSS-TSIG against a Samba AD DC with its internal DNS, provisioned by the test in its own
//! network namespace (needs root; samba, samba-ad-dc, samba-ad-provision, krb5-user). One
//! test, because provisioning takes 15-60 s: Administrator and a machine account update, `-o`,
//! a second user denied by the owner ACL (Samba's SERVFAIL), an unsigned update refused, and
//! Samba's answer signature, which BIND's nsupdate reports as "tsig verify failure" (exit 2)
//! although the record was written, and dnsup reports truthfully (exit 0 and a note).

mod common;

use std::process::Output;

use common::samba::{ADDR, ADMIN_PASSWORD, SambaDc, ZONE};
use common::*;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn records(dc: &SambaDc, name: &str) -> String {
    let out = dc.run(
        &format!("dig +short @{ADDR} {name}.{ZONE} A"),
        std::time::Duration::from_secs(30),
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn samba_ad_dc_secure_updates() {
    let dc = SambaDc::start();
    let nsupdate = require("nsupdate", "bind9-dnsutils");
    let dnsup = dnsup_bin();
    let ours = |args: &str| format!("nsupdate {args}");
    let script = |name: &str, addr: &str| {
        format!("server {ADDR}\nzone {ZONE}\nupdate add {name}.{ZONE} 300 A {addr}\nsend\n")
    };
    let admin = dc.kinit("Administrator", ADMIN_PASSWORD);

    // Administrator: both tools write the record; only dnsup reports success.
    let theirs = dc.client(
        &nsupdate,
        "-g",
        &script("b1", "10.53.0.11"),
        Some(&admin),
        "",
    );
    assert_eq!(theirs.status.code(), Some(2), "{}", describe(&theirs));
    assert!(stderr(&theirs).contains("tsig verify failure"));
    assert_eq!(
        records(&dc, "b1"),
        "10.53.0.11",
        "nsupdate wrote it after all"
    );
    let mine = dc.client(
        &dnsup,
        &ours("-g"),
        &script("d1", "10.53.0.21"),
        Some(&admin),
        "",
    );
    assert_eq!(mine.status.code(), Some(0), "{}", describe(&mine));
    assert!(
        stderr(&mine).contains("Samba's form"),
        "{}",
        describe(&mine)
    );
    assert_eq!(records(&dc, "d1"), "10.53.0.21");

    // strict refuses Samba's answer signature as nsupdate does.
    let strict = dc.client(
        &dnsup,
        &ours("-g"),
        &script("d2", "10.53.0.22"),
        Some(&admin),
        "DNSUP_GSS_VERIFY=strict",
    );
    assert_eq!(strict.status.code(), Some(2), "{}", describe(&strict));
    assert!(stderr(&strict).contains("tsig verify failure"));

    // -o: Samba answers FORMERR to the Windows 2000 form; both tools fall back to gss-tsig.
    let theirs = dc.client(
        &nsupdate,
        "-o",
        &script("b3", "10.53.0.13"),
        Some(&admin),
        "",
    );
    assert_eq!(records(&dc, "b3"), "10.53.0.13", "{}", describe(&theirs));
    let mine = dc.client(
        &dnsup,
        &ours("-o"),
        &script("d3", "10.53.0.23"),
        Some(&admin),
        "",
    );
    assert_eq!(mine.status.code(), Some(0), "{}", describe(&mine));
    assert_eq!(records(&dc, "d3"), "10.53.0.23");

    // Unsigned: REFUSED for both.
    let theirs = dc.client(&nsupdate, "", &script("b4", "10.53.0.14"), None, "");
    let mine = dc.client(&dnsup, &ours(""), &script("d4", "10.53.0.24"), None, "");
    assert_eq!(mine.status.code(), theirs.status.code());
    assert_eq!(stderr(&mine), "update failed: REFUSED\n");
    assert_eq!(stderr(&mine), stderr(&theirs));

    // A second user may not overwrite Administrator's record: Samba says SERVFAIL.
    let out = dc.tool("user create bob 'Dnsup-Bob-1!'");
    assert!(out.status.success(), "{}", describe(&out));
    let bob = dc.kinit("bob", "Dnsup-Bob-1!");
    let theirs = dc.client(&nsupdate, "-g", &script("d1", "10.53.0.99"), Some(&bob), "");
    let mine = dc.client(
        &dnsup,
        &ours("-g"),
        &script("d1", "10.53.0.98"),
        Some(&bob),
        "",
    );
    assert_eq!(mine.status.code(), Some(2), "{}", describe(&mine));
    assert_eq!(theirs.status.code(), Some(2), "{}", describe(&theirs));
    assert!(
        stderr(&mine).contains("update failed: SERVFAIL"),
        "{}",
        describe(&mine)
    );
    assert!(stderr(&mine).contains("secure update is refused"));
    assert_eq!(records(&dc, "d1"), "10.53.0.21", "unchanged");

    // A machine account from a keytab, natively: its own name.
    for cmd in [
        "computer create client1".to_string(),
        "user setpassword 'client1$' --newpassword='Dnsup-Host-1!'".to_string(),
        "user enable 'client1$'".to_string(),
        format!(
            "domain exportkeytab {} --principal='client1$'",
            dc.dir().join("client1.keytab").display()
        ),
    ] {
        let out = dc.tool(&cmd);
        assert!(out.status.success(), "samba-tool {cmd}: {}", describe(&out));
    }
    let keytab = dc.dir().join("client1.keytab");
    let native = dc.client(
        &dnsup,
        &format!(
            "set client1.{ZONE} A 10.53.0.31 -s {ADDR} --gss --keytab {} --principal 'client1$@{}'",
            keytab.display(),
            common::samba::REALM
        ),
        "",
        None,
        "",
    );
    assert_eq!(native.status.code(), Some(0), "{}", describe(&native));
    assert_eq!(records(&dc, "client1"), "10.53.0.31");
}
