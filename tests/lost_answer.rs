//! An answer lost on the way back: dnsup resends the same update, whose prerequisite then fails
//! because the first copy was applied. dnsup must not claim the zone is unchanged.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::process::Command;
use std::thread;
use std::time::Duration;

use common::*;

/// A UDP relay that forwards every request to `server` but drops the first answer.
fn lossy_relay(server: SocketAddr) -> SocketAddr {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = front.local_addr().unwrap();
    thread::spawn(move || {
        let back = UdpSocket::bind("127.0.0.1:0").unwrap();
        back.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 65535];
        for i in 0..4 {
            let Ok((n, client)) = front.recv_from(&mut buf) else {
                return;
            };
            back.send_to(&buf[..n], server).unwrap();
            let mut answer = [0u8; 65535];
            if let (Ok(m), true) = (back.recv(&mut answer), i > 0) {
                front.send_to(&answer[..m], client).unwrap();
            }
        }
    });
    addr
}

#[test]
fn a_guard_failing_on_a_resent_copy_says_the_change_may_be_applied() {
    let named = Named::start();
    let relay = lossy_relay(named.addr());
    let out = Command::new(dnsup_bin())
        .args([
            "add",
            "lost.example.test",
            "A",
            "192.0.2.5",
            "--if-name-absent",
        ])
        .args(["-z", "example.test", "--retry-interval", "1", "--server"])
        .arg(relay.to_string())
        .env("DNSUP_KEY", key_arg(key("k-sha256")))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("may have been applied"), "{err}");
    assert!(!err.contains("the zone was not changed"), "{err}");
    // And indeed the first copy was applied.
    assert_eq!(named.query("lost.example.test", "A"), ["192.0.2.5"]);
}
