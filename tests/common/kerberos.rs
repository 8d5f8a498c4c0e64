//! An MIT Kerberos KDC and a BIND `named` that accepts GSS-TSIG (`tkey-gssapi-keytab`), both
//! on loopback ports from one temp dir, for GSS-TSIG tests. Setting up takes about a second.
//!
//! Realm EXAMPLE.TEST; principals: `DNS/ns1.example.test` (named's keytab),
//! `host/client1.example.test`, `alice`, `bob` (each with a keytab `<name>.keytab`, `/` -> `_`).
//! The zone example.test (from zones/) allows `krb5-self` A/AAAA updates to any host principal
//! and `alice` A/AAAA/TXT updates under dyn.example.test; nobody else.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::process::{ServerProcess, require, run_with_timeout, start_server};
use super::{CLIENT_TIMEOUT, zone_file};

pub const REALM: &str = "EXAMPLE.TEST";

/// A running `krb5kdc` with its database, keytabs and krb5.conf. Dropping it stops the KDC and
/// removes the directory.
#[derive(Debug)]
pub struct Kdc {
    process: ServerProcess,
}

impl Kdc {
    pub fn start() -> Kdc {
        let krb5kdc = require("krb5kdc", "krb5-kdc");
        let kdb5_util = require("kdb5_util", "krb5-kdc");
        let kadmin = require("kadmin.local", "krb5-admin-server");
        require("kinit", "krb5-user");
        let dir = tempfile::Builder::new()
            .prefix("dnsup-kdc-")
            .tempdir()
            .expect("creating temp dir");
        let mut created = false;
        let process = start_server(
            "krb5kdc",
            dir,
            &[],
            |line| line.contains("commencing operation"),
            |dir, port| {
                write_configs(dir, port);
                if !created {
                    // The database does not depend on the port: create it once.
                    let env = env_for(dir);
                    let run = |cmd: &mut Command| {
                        let out = run_with_timeout(cmd.envs(env.clone()), b"", CLIENT_TIMEOUT);
                        assert!(out.status.success(), "{cmd:?}: {}", super::describe(&out));
                    };
                    run(Command::new(&kdb5_util).args([
                        "create",
                        "-s",
                        "-r",
                        REALM,
                        "-P",
                        "dnsup-master",
                    ]));
                    for principal in [
                        "DNS/ns1.example.test",
                        "host/client1.example.test",
                        "alice",
                        "bob",
                    ] {
                        let keytab = dir.join(keytab_name(principal));
                        run(Command::new(&kadmin).args([
                            "-r",
                            REALM,
                            "-q",
                            &format!("addprinc -randkey {principal}"),
                        ]));
                        run(Command::new(&kadmin).args([
                            "-r",
                            REALM,
                            "-q",
                            &format!("ktadd -k {} {principal}", keytab.display()),
                        ]));
                    }
                    created = true;
                }
                let mut cmd = Command::new(&krb5kdc);
                cmd.args(["-n", "-P"])
                    .arg(dir.join("kdc.pid"))
                    .envs(env_for(dir));
                cmd
            },
        );
        Kdc { process }
    }

    pub fn dir(&self) -> &Path {
        self.process.dir()
    }

    pub fn log(&self) -> String {
        self.process.log()
    }

    /// The environment a Kerberos client (or named) needs to use this KDC.
    pub fn env(&self) -> Vec<(String, String)> {
        env_for(self.dir())
    }

    /// The keytab of `principal`.
    pub fn keytab(&self, principal: &str) -> PathBuf {
        self.dir().join(keytab_name(principal))
    }

    /// A ticket cache for `principal`, obtained with `kinit` from its keytab.
    pub fn kinit(&self, principal: &str) -> PathBuf {
        let cache = self.dir().join(format!(
            "cc-{}",
            keytab_name(principal).replace(".keytab", "")
        ));
        let out = run_with_timeout(
            Command::new(require("kinit", "krb5-user"))
                .envs(self.env())
                .arg("-k")
                .arg("-t")
                .arg(self.keytab(principal))
                .arg("-c")
                .arg(format!("FILE:{}", cache.display()))
                .arg(principal),
            b"",
            CLIENT_TIMEOUT,
        );
        assert!(
            out.status.success(),
            "kinit {principal}: {}",
            super::describe(&out)
        );
        cache
    }
}

fn keytab_name(principal: &str) -> String {
    format!("{}.keytab", principal.replace('/', "_"))
}

fn env_for(dir: &Path) -> Vec<(String, String)> {
    let d = dir.display();
    vec![
        ("KRB5_CONFIG".into(), format!("{d}/krb5.conf")),
        ("KRB5_KDC_PROFILE".into(), format!("{d}/kdc.conf")),
        // No replay cache files outside the temp dir.
        ("KRB5RCACHETYPE".into(), "none".into()),
        // Never the user's own ticket cache by accident.
        ("KRB5CCNAME".into(), format!("FILE:{d}/cc-none")),
    ]
}

fn write_configs(dir: &Path, port: u16) {
    let d = dir.display();
    let krb5 = format!(
        "[libdefaults]\n  default_realm = {REALM}\n  dns_lookup_kdc = false\n  \
         dns_lookup_realm = false\n  dns_canonicalize_hostname = false\n  rdns = false\n  \
         udp_preference_limit = 1\n[realms]\n  {REALM} = {{\n    kdc = 127.0.0.1:{port}\n  }}\n\
         [domain_realm]\n  .example.test = {REALM}\n  example.test = {REALM}\n"
    );
    let kdc = format!(
        "[kdcdefaults]\n  kdc_listen = 127.0.0.1:{port}\n  kdc_tcp_listen = 127.0.0.1:{port}\n\
         [realms]\n  {REALM} = {{\n    database_name = {d}/principal\n    \
         key_stash_file = {d}/stash\n    acl_file = {d}/kadm5.acl\n    \
         master_key_type = aes256-cts-hmac-sha1-96\n    \
         supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal\n  }}\n\
         [logging]\n  kdc = STDERR\n"
    );
    for (name, text) in [
        ("krb5.conf", krb5),
        ("kdc.conf", kdc),
        ("kadm5.acl", String::new()),
    ] {
        fs::write(dir.join(name), text).expect("writing Kerberos configuration");
    }
}

/// A `named` that accepts GSS-TSIG updates to example.test (policy in the module docs).
#[derive(Debug)]
pub struct GssNamed {
    process: ServerProcess,
}

impl GssNamed {
    pub fn start(kdc: &Kdc) -> GssNamed {
        let named = require("named", "bind9 bind9-dnsutils");
        let dir = tempfile::Builder::new()
            .prefix("dnsup-gss-named-")
            .tempdir()
            .expect("creating temp dir");
        fs::copy(
            zone_file("example.test"),
            dir.path().join("example.test.zone"),
        )
        .expect("copying the zone file");
        let keytab = kdc.keytab("DNS/ns1.example.test");
        let env = kdc.env();
        let process = start_server(
            "named",
            dir,
            &["example.test".to_string()],
            |line| line.ends_with(" running"),
            |dir, port| {
                let d = dir.display();
                let conf = format!(
                    r#"options {{
    directory "{d}";
    pid-file "{d}/named.pid";
    session-keyfile "{d}/session.key";
    managed-keys-directory "{d}";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    reuseport no;
    recursion no;
    dnssec-validation no;
    notify no;
    allow-query {{ any; }};
    allow-transfer {{ any; }};
    tkey-gssapi-keytab "{keytab}";
}};
controls {{ }};
zone "example.test" {{
    type primary;
    file "{d}/example.test.zone";
    update-policy {{
        grant {REALM} krb5-self . A AAAA;
        grant alice@{REALM} subdomain dyn.example.test. A AAAA TXT;
    }};
}};
"#,
                    keytab = keytab.display()
                );
                let path = dir.join("named.conf");
                fs::write(&path, conf).expect("writing named.conf");
                let mut cmd = Command::new(&named);
                cmd.arg("-g")
                    .args(["-n", "1"])
                    .arg("-c")
                    .arg(&path)
                    .envs(env.clone());
                cmd
            },
        );
        GssNamed { process }
    }

    pub fn addr(&self) -> SocketAddr {
        self.process.addr()
    }

    pub fn port(&self) -> u16 {
        self.process.port()
    }

    pub fn log(&self) -> String {
        self.process.log()
    }

    pub fn axfr(&self) -> super::Zone {
        super::zone::axfr(self.addr(), "example.test")
    }
}

/// Runs `tool args` with `script` on stdin and the Kerberos environment of `kdc`, the ticket
/// cache `ccache` (`None`: a cache that does not exist), and `extra` variables.
pub fn run_gss(
    tool: &Path,
    args: &[&str],
    script: &str,
    kdc: &Kdc,
    ccache: Option<&Path>,
    extra: &[(&str, &str)],
) -> Output {
    let mut cmd = Command::new(tool);
    cmd.args(args).envs(kdc.env());
    if let Some(cache) = ccache {
        cmd.env("KRB5CCNAME", format!("FILE:{}", cache.display()));
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    run_with_timeout(&mut cmd, script.as_bytes(), CLIENT_TIMEOUT)
}
