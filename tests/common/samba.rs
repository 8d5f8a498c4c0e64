//! A Samba AD DC with its internal DNS, provisioned by the test in a network namespace of its
//! own (10.53.0.1 on a veth end; hostname dc1, realm AD.EXAMPLE.TEST, zone ad.example.test).
//! Commands run inside the namespace with a private /etc/hosts and /etc/resolv.conf mounted
//! (`unshare -m -u`), so the host's files are never touched. Needs root. Provisioning takes
//! 15-60 s depending on the machine.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::process::{require, run_with_timeout};

pub const ADDR: &str = "10.53.0.1";
pub const REALM: &str = "AD.EXAMPLE.TEST";
pub const ZONE: &str = "ad.example.test";
pub const ADMIN_PASSWORD: &str = "Dnsup-Admin-1!";

/// A running Samba DC. Dropping it stops samba and deletes the namespace and directory.
pub struct SambaDc {
    ns: String,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl SambaDc {
    pub fn start() -> SambaDc {
        let samba = require("samba", "samba samba-ad-dc");
        let samba_tool = require("samba-tool", "samba samba-ad-dc samba-ad-provision");
        require("kinit", "krb5-user");
        require("ip", "iproute2");
        require("unshare", "util-linux");
        let ns = format!("dnsup-samba-{}", std::process::id());
        let dir = tempfile::Builder::new()
            .prefix("dnsup-samba-")
            .tempdir()
            .expect("creating temp dir");
        let ip = |args: &[&str]| {
            let out = Command::new("ip").args(args).output().expect("running ip");
            assert!(
                out.status.success(),
                "ip {args:?} (needs root): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let _ = Command::new("ip").args(["netns", "del", &ns]).output();
        ip(&["netns", "add", &ns]);
        let mut dc = SambaDc {
            ns: ns.clone(),
            dir,
            child: None,
        };
        ip(&[
            "-n", &ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1",
        ]);
        ip(&["-n", &ns, "addr", "add", &format!("{ADDR}/24"), "dev", "v0"]);
        for link in ["v0", "v1", "lo"] {
            ip(&["-n", &ns, "link", "set", link, "up"]);
        }
        let d = dc.dir.path().to_path_buf();
        fs::create_dir_all(d.join("etc")).unwrap();
        fs::write(
            d.join("etc/hosts"),
            format!("127.0.0.1 localhost\n{ADDR} dc1.{ZONE} dc1\n"),
        )
        .unwrap();
        fs::write(d.join("etc/resolv.conf"), format!("nameserver {ADDR}\n")).unwrap();
        let out = dc.run(
            &format!(
                "{tool} domain provision --targetdir={dd}/dc --realm={REALM} --domain=ADLAB \
                 --server-role=dc --dns-backend=SAMBA_INTERNAL --host-name=dc1 --host-ip={ADDR} \
                 --option='interfaces=lo v0' --option='bind interfaces only=yes' \
                 --adminpass='{ADMIN_PASSWORD}'",
                tool = samba_tool.display(),
                dd = d.display()
            ),
            Duration::from_secs(300),
        );
        assert!(
            out.status.success(),
            "provisioning: {}",
            super::describe(&out)
        );
        // The forwarder points at the DC itself; services the test does not need are off.
        let conf = d.join("dc/etc/smb.conf");
        let text = fs::read_to_string(&conf).unwrap();
        let text: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("dns forwarder"))
            .map(|l| format!("{l}\n"))
            .collect();
        let text = text.replacen(
            "[global]\n",
            &format!(
                "[global]\n\tserver services = -s3fs -nbt -wrepl -ntp_signd -winbindd\n\t\
                 pid directory = {dd}/dc/run\n\twinbindd socket directory = {dd}/dc/run/w\n\t\
                 ntp signd socket directory = {dd}/dc/run/n\n",
                dd = d.display()
            ),
            1,
        );
        fs::write(&conf, text).unwrap();
        fs::create_dir_all(d.join("dc/run")).unwrap();
        let script = dc.script(&format!(
            "exec {samba} --foreground --no-process-group -M single -s {conf} --debug-stdout",
            samba = samba.display(),
            conf = conf.display()
        ));
        let log = fs::File::create(d.join("samba.log")).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &ns, "unshare", "-m", "-u", "sh"])
            .arg(&script)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("starting samba");
        dc.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let out = dc.run(
                &format!("dig +short +time=1 +tries=1 @{ADDR} {ZONE} SOA"),
                Duration::from_secs(10),
            );
            if String::from_utf8_lossy(&out.stdout).contains("hostmaster") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "samba's DNS did not answer; log:\n{}",
                fs::read_to_string(d.join("samba.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        dc
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A script that mounts the private hosts and resolv.conf, sets the Kerberos environment
    /// (the provisioned krb5.conf, ticket caches in the temp dir), then runs `body`.
    fn script(&self, body: &str) -> PathBuf {
        let d = self.dir.path().display();
        let text = format!(
            "set -u\nmount --bind {d}/etc/hosts /etc/hosts\n\
             mount --bind {d}/etc/resolv.conf /etc/resolv.conf\nhostname dc1\n\
             export KRB5_CONFIG={d}/dc/private/krb5.conf KRB5RCACHETYPE=none\n\
             export KRB5CCNAME=FILE:{d}/cc-none\n{body}\n"
        );
        let path = self.dir.path().join(format!("script-{}.sh", next_script()));
        fs::write(&path, text).unwrap();
        path
    }

    /// Run `body` in the namespace (see [`SambaDc::script`]).
    pub fn run(&self, body: &str, timeout: Duration) -> Output {
        let script = self.script(body);
        run_with_timeout(
            Command::new("ip")
                .args(["netns", "exec", &self.ns, "unshare", "-m", "-u", "sh"])
                .arg(&script),
            b"",
            timeout,
        )
    }

    /// `samba-tool ARGS` against this DC's configuration.
    pub fn tool(&self, args: &str) -> Output {
        let conf = self.dir.path().join("dc/etc/smb.conf");
        self.run(
            &format!(
                "{} {args} -s {}",
                require("samba-tool", "samba").display(),
                conf.display()
            ),
            Duration::from_secs(120),
        )
    }

    /// Run `tool args` with `stdin` as its input, the ticket cache `cache` (`None`: none) and
    /// `env` (`NAME=value ...`), in the namespace.
    pub fn client(
        &self,
        tool: &Path,
        args: &str,
        stdin: &str,
        cache: Option<&Path>,
        env: &str,
    ) -> Output {
        let input = self.dir.path().join(format!("input-{}.txt", next_script()));
        fs::write(&input, stdin).unwrap();
        let cache = cache.map_or_else(
            || format!("FILE:{}/cc-none", self.dir.path().display()),
            |c| format!("FILE:{}", c.display()),
        );
        self.run(
            &format!(
                "export KRB5CCNAME={cache} {env}
exec {} {args} < {}",
                tool.display(),
                input.display()
            ),
            Duration::from_secs(60),
        )
    }

    /// A ticket cache for `user` with `password`.
    pub fn kinit(&self, user: &str, password: &str) -> PathBuf {
        let cache = self.dir.path().join(format!("cc-{user}"));
        let out = self.run(
            &format!(
                "echo '{password}' | KRB5CCNAME=FILE:{} kinit {user}@{REALM}",
                cache.display()
            ),
            Duration::from_secs(60),
        );
        assert!(
            out.status.success(),
            "kinit {user}: {}",
            super::describe(&out)
        );
        cache
    }
}

fn next_script() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

impl Drop for SambaDc {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).output();
    }
}
