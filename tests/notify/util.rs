//! What the notification tests share: a configuration with one dummy record, secret files,
//! `dnsup notify-test`, a plain HTTP GET, and a relay that can be switched off.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{describe, dnsup_bin, key, key_arg, require};

/// Write a secret file (mode 0600) and give its `{ file = ... }` reference.
pub fn secret(dir: &Path, name: &str, value: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, format!("{value}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    format!("{{ file = \"{}\" }}", p.display())
}

/// A configuration file with a dummy record (never contacted) and `notify` tables.
pub fn config_with(dir: &Path, notify: &str) -> PathBuf {
    let path = dir.join("dnsup.toml");
    let text = format!(
        r#"state_file = "{state}"

[providers.lab]
type = "rfc2136"
servers = ["127.0.0.1:53"]

[sources.fixed]
type = "static"
address = "203.0.113.10"

[[records]]
name = "home.example.test"
zone = "example.test"
provider = "lab"
ipv4 = ["fixed"]

{notify}
"#,
        state = dir.join("state.json").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// `dnsup notify-test NAME -c CONFIG`.
pub fn notify_test(config: &Path, name: &str) -> Output {
    let out = Command::new(dnsup_bin())
        .args(["notify-test", name, "--config"])
        .arg(config)
        .output()
        .unwrap();
    eprintln!("notify-test {name}: {}", describe(&out));
    out
}

/// GET `path` over plain HTTP/1.1: (status, body); status 0 when nothing listens yet.
pub fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the relay does with the next UPDATE.
pub const PASS: u8 = 0;
/// Drop everything (the server is unreachable).
pub const DOWN: u8 = 1;
/// Before forwarding the next UPDATE, change the record behind the daemon's back (once).
pub const MEDDLE: u8 = 2;

/// A UDP relay in front of named, switched by `mode` (PASS, DOWN, MEDDLE), for 5 minutes.
pub fn relay(server: SocketAddr, mode: Arc<AtomicU8>) -> SocketAddr {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = front.local_addr().unwrap();
    front
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let nsupdate = require("nsupdate", "bind9-dnsutils");
    let y = key_arg(key("k-sha512"));
    let script = format!(
        "server 127.0.0.1 {}\nupdate delete home.example.test. A\nupdate add home.example.test. 60 A 198.51.100.99\nsend\n",
        server.port()
    );
    thread::spawn(move || {
        let back = UdpSocket::bind("127.0.0.1:0").unwrap();
        back.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut buf = [0u8; 65535];
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(300) {
            let Ok((n, client)) = front.recv_from(&mut buf) else {
                continue;
            };
            let m = mode.load(Ordering::SeqCst);
            if m == DOWN {
                continue;
            }
            let opcode = (buf[2] >> 3) & 0x0f;
            if m == MEDDLE && opcode == 5 {
                mode.store(PASS, Ordering::SeqCst);
                let mut child = Command::new(&nsupdate)
                    .args(["-y", &y])
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(script.as_bytes())
                    .unwrap();
                child.wait().unwrap();
            }
            back.send_to(&buf[..n], server).unwrap();
            let mut answer = [0u8; 65535];
            if let Ok(m) = back.recv(&mut answer) {
                let _ = front.send_to(&answer[..m], client);
            }
        }
    });
    addr
}
