//! E-mail through a real SMTP server: Debian's exim4, started by the test on two loopback
//! ports (STARTTLS and implicit TLS) with a certificate from a test CA, PLAIN authentication
//! required (offered only inside TLS), delivering to a mailbox file the test reads.

use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

use crate::common::daemon::wait_for;
use crate::common::{describe, require};
use crate::util::{config_with, free_port, notify_test, secret};

/// A running exim4 in its own directory; killed when dropped.
struct Exim {
    child: Child,
    dir: tempfile::TempDir,
    starttls: u16,
    tls: u16,
    ca_file: PathBuf,
}

impl Drop for Exim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Exim {
    fn start() -> Exim {
        let exim = require("exim4", "exim4-daemon-light");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // exim writes its logs and the mailbox as its own user.
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
        for sub in ["spool", "log"] {
            std::fs::create_dir(d.join(sub)).unwrap();
            std::fs::set_permissions(d.join(sub), std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let ca_file = d.join("ca.pem");
        std::fs::write(&ca_file, ca.pem()).unwrap();
        std::fs::write(d.join("cert.pem"), cert.pem()).unwrap();
        std::fs::write(d.join("key.pem"), key.serialize_pem()).unwrap();
        std::fs::set_permissions(d.join("key.pem"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        // exim binds its ports itself: another process may take one between free_port() and
        // that bind (exim then logs it and waits 30 s to try again, while a connect to the
        // port reaches the other process). So readiness is exim's own "daemon started" line,
        // and a bind failure starts it again on other ports.
        for attempt in 1..=5 {
            let (starttls, tls) = (free_port(), free_port());
            let conf = d.join("exim.conf");
            std::fs::write(
                &conf,
                format!(
                    r#"primary_hostname = dnsup.test
    qualify_domain = dnsup.test
    domainlist local_domains = dnsup.test
    spool_directory = {d}/spool
    log_file_path = {d}/log/%slog
    pid_file_path = {d}/exim.pid
    daemon_smtp_ports = {starttls} : {tls}
    tls_on_connect_ports = {tls}
    local_interfaces = <; 127.0.0.1.{starttls} ; 127.0.0.1.{tls}
    tls_certificate = {d}/cert.pem
    tls_privatekey = {d}/key.pem
    tls_advertise_hosts = *
    acl_smtp_rcpt = acl_rcpt
    host_lookup =
    keep_environment =

    begin acl
    acl_rcpt:
      accept authenticated = *
      deny message = authentication required

    begin routers
    local:
      driver = accept
      domains = +local_domains
      transport = mailbox

    begin transports
    mailbox:
      driver = appendfile
      file = {d}/mailbox
      user = Debian-exim
      mode = 0644
      envelope_to_add
      return_path_add

    begin authenticators
    plain:
      driver = plaintext
      public_name = PLAIN
      server_prompts = :
      server_condition = ${{if and {{{{eq{{$auth2}}{{dnsup}}}}{{eq{{$auth3}}{{s3cret-Pass}}}}}}}}
      server_set_id = $auth2
      server_advertise_condition = ${{if def:tls_in_cipher}}
    "#,
                    d = d.display()
                ),
            )
            .unwrap();
            let mut child = Command::new(&exim)
                .args(["-bdf", "-C"])
                .arg(&conf)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mainlog = d.join("log/mainlog");
            let _ = std::fs::remove_file(&mainlog);
            let mut started = false;
            let mut bind_failed = false;
            wait_for(
                "exim to start or fail to bind",
                Duration::from_secs(30),
                || {
                    let log = std::fs::read_to_string(&mainlog).unwrap_or_default();
                    started = log.contains("daemon started");
                    bind_failed = log.contains("Address already in use");
                    started || bind_failed
                },
            );
            if bind_failed {
                let _ = child.kill();
                let _ = child.wait();
                assert!(attempt < 5, "exim could not bind its ports in 5 attempts");
                continue;
            }
            for port in [starttls, tls] {
                wait_for("exim to listen", Duration::from_secs(30), || {
                    TcpStream::connect(("127.0.0.1", port)).is_ok()
                });
            }
            return Exim {
                child,
                dir,
                starttls,
                tls,
                ca_file,
            };
        }
        unreachable!("the loop returns or panics")
    }

    fn mailbox(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mailbox")).unwrap_or_default()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log/mainlog")).unwrap_or_default()
    }
}

fn mail_notifier(name: &str, port: u16, tls: &str, ca: &Path, password: &str) -> String {
    format!(
        r#"
[notify.{name}]
type = "email"
smtp_host = "127.0.0.1"
smtp_port = {port}
tls = "{tls}"
ca_file = "{ca}"
username = "dnsup"
password = {password}
from = "dnsup <dnsup@dnsup.test>"
to = ["ops@dnsup.test"]
"#,
        ca = ca.display()
    )
}

#[test]
fn email_is_delivered_over_starttls_and_implicit_tls_with_auth() {
    let exim = Exim::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = secret(d, "pw", "s3cret-Pass");
    let bad = secret(d, "bad", "wrong-Passw0rd");
    let notify = [
        mail_notifier("starttls", exim.starttls, "starttls", &exim.ca_file, &good),
        mail_notifier("implicit", exim.tls, "tls", &exim.ca_file, &good),
        mail_notifier("wrongpass", exim.starttls, "starttls", &exim.ca_file, &bad),
    ]
    .concat();
    let config = config_with(d, &notify);
    for name in ["starttls", "implicit"] {
        let out = notify_test(&config, name);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}\nexim log:\n{}",
            describe(&out),
            exim.log()
        );
    }
    wait_for(
        "two messages in the mailbox",
        Duration::from_secs(30),
        || exim.mailbox().matches("Subject: dnsup test").count() == 2,
    );
    let mbox = exim.mailbox();
    assert!(mbox.contains("From: dnsup <dnsup@dnsup.test>"), "{mbox}");
    assert!(mbox.contains("dnsup test notification"), "{mbox}");
    let log = exim.log();
    // Both authenticated (A=plain:dnsup) inside TLS (X=TLS...).
    let received: Vec<&str> = log.lines().filter(|l| l.contains(" <= ")).collect();
    assert_eq!(received.len(), 2, "{log}");
    for l in received {
        assert!(l.contains("A=plain:dnsup") && l.contains(" X=TLS"), "{l}");
    }
    // A wrong password: exit 5, the server's refusal, and neither password in the output.
    let out = notify_test(&config, "wrongpass");
    assert_eq!(out.status.code(), Some(5), "{}", describe(&out));
    let text = describe(&out);
    assert!(
        !text.contains("wrong-Passw0rd") && !text.contains("s3cret-Pass"),
        "{text}"
    );
}

#[test]
fn plain_smtp_only_to_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let notify = "[notify.m]\ntype = \"email\"\nsmtp_host = \"mail.example.com\"\ntls = \"none\"\nfrom = \"a@example.com\"\nto = [\"b@example.com\"]\n";
    let config = config_with(dir.path(), notify);
    let out = notify_test(&config, "m");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only allowed to a loopback relay"));
}
