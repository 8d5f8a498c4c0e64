//! nsupdate parity misses of issue 17, each run through BIND's nsupdate and `dnsup nsupdate`
//! side by side: an answer to the SOA query with opcode UPDATE, and the deprecation warning
//! for an HMAC key given as a `K*.+NNN+NNNNN` pair.

mod common;

use std::net::UdpSocket;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use common::*;

fn nsupdate(args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(require("nsupdate", "bind9-dnsutils"));
    cmd.args(args);
    run_with_timeout(&mut cmd, stdin.as_bytes(), CLIENT_TIMEOUT)
}

fn dnsup_nsupdate(args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(dnsup_bin());
    cmd.arg("nsupdate").args(args);
    run_with_timeout(&mut cmd, stdin.as_bytes(), CLIENT_TIMEOUT)
}

/// A server that answers every query on UDP with the query itself, QR set and opcode UPDATE.
fn opcode_update_server() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            if n < 12 {
                continue;
            }
            let mut reply = buf[..n].to_vec();
            reply[2] = 0x80 | (5 << 3); // QR, opcode UPDATE, no AA/TC/RD
            reply[3] = 0; // NOERROR
            let _ = socket.send_to(&reply, from);
        }
    });
    port
}

#[test]
fn soa_answer_with_opcode_update_stops_at_once_like_nsupdate() {
    let port = opcode_update_server();
    let script = format!("server 127.0.0.1 {port}\nadd x.example.test. 60 A 192.0.2.1\nsend\n");
    let bind = nsupdate(&[], &script);
    let ours = dnsup_nsupdate(&[], &script);
    assert_eq!(bind.status.code(), Some(1), "{}", describe(&bind));
    assert_eq!(
        ours.status.code(),
        bind.status.code(),
        "{}",
        describe(&ours)
    );
    assert_eq!(
        String::from_utf8_lossy(&ours.stderr),
        String::from_utf8_lossy(&bind.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&ours.stderr),
        "invalid OPCODE in response to SOA query\n"
    );
}

/// `DD-Mon-YYYY HH:MM:SS.mmm ` at the start of a line becomes `STAMP `.
fn mask_stamps(text: &str) -> String {
    text.lines()
        .map(|l| {
            let b = l.as_bytes();
            let stamp = b.len() > 25
                && b[2] == b'-'
                && b[6] == b'-'
                && b[11] == b' '
                && b[20] == b'.'
                && b[24] == b' ';
            if stamp {
                format!("STAMP {}", &l[25..])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn hmac_key_pair_warns_deprecated_like_nsupdate() {
    let dir = tempfile::tempdir().unwrap();
    let k = key("k-sha256");
    let stem = "Kk-sha256.+163+01234";
    let private = dir.path().join(format!("{stem}.private"));
    std::fs::write(
        &private,
        format!(
            "Private-key-format: v1.3\nAlgorithm: 163 (HMAC_SHA256)\nKey: {}\nBits: AAA=\n",
            k.secret
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(format!("{stem}.key")),
        format!("k-sha256. IN KEY 512 3 163 {}\n", k.secret),
    )
    .unwrap();
    for f in ["private", "key"] {
        let p = dir.path().join(format!("{stem}.{f}"));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let script = "server 127.0.0.1 1\nzone example.test\nadd a.example.test. 60 A 192.0.2.1\n";
    for arg in [format!("{stem}.key"), private.display().to_string()] {
        let mut bind_cmd = Command::new(require("nsupdate", "bind9-dnsutils"));
        bind_cmd.current_dir(dir.path()).args(["-k", &arg]);
        let bind = run_with_timeout(&mut bind_cmd, script.as_bytes(), CLIENT_TIMEOUT);
        let mut ours_cmd = Command::new(dnsup_bin());
        ours_cmd
            .current_dir(dir.path())
            .args(["nsupdate", "-k", &arg]);
        let ours = run_with_timeout(&mut ours_cmd, script.as_bytes(), CLIENT_TIMEOUT);
        assert_eq!(
            ours.status.code(),
            bind.status.code(),
            "{}",
            describe(&ours)
        );
        let bind_err = mask_stamps(&String::from_utf8_lossy(&bind.stderr));
        let ours_err = mask_stamps(&String::from_utf8_lossy(&ours.stderr));
        assert!(
            bind_err.contains("Use of K* file pairs for HMAC is deprecated"),
            "{bind_err}"
        );
        assert_eq!(ours_err, bind_err, "-k {arg}");
    }
}
