//! nsupdate parity misses of issue 17, each run through BIND's nsupdate and `dnsup nsupdate`
//! side by side: an answer to the SOA query with opcode UPDATE, the deprecation warning for an
//! HMAC key given as a `K*.+NNN+NNNNN` pair, 2,001 adds in one send (one message, names
//! compressed as nsupdate does), and TKEY record data in text form (sent; the server's FORMERR).

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

const MANY_ZONE: &str = "$ORIGIN many-updates.test.\n$TTL 3600\n\
@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n";

/// Two named instances serving fresh copies of the same zone: one for BIND's nsupdate, one for
/// dnsup.
fn twin_servers(zone: &str, text: &str) -> (Named, Named) {
    let options = || ServerOptions::empty().zone_text(zone, text);
    (Named::start_with(options()), Named::start_with(options()))
}

#[test]
fn two_thousand_and_one_adds_in_one_send_are_one_message_as_with_nsupdate() {
    let (theirs, ours) = twin_servers("many-updates.test", MANY_ZONE);
    let k = key("k-sha256");
    let dir = tempfile::tempdir().unwrap();
    let key_file = write_key_file(dir.path(), k);
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let key_file = key_file.to_str().unwrap();
    let script = |server: &Named| {
        let mut s = format!("server 127.0.0.1 {}\n", server.port());
        for i in 0..2001 {
            s.push_str(&format!(
                "update add host{i}.many-updates.test. 3600 IN TXT \"host {i}\"\n"
            ));
        }
        s.push_str("send\n");
        s
    };
    let serial = theirs.soa_serial("many-updates.test");
    let bind = run_nsupdate(&theirs, &script(&theirs), &["-k", key_file]);
    let dnsup = run_dnsup(&ours, &script(&ours), &["nsupdate", "-k", key_file]);
    assert_eq!(bind.status.code(), Some(0), "{}", describe(&bind));
    assert_eq!(
        dnsup.status.code(),
        bind.status.code(),
        "{}",
        describe(&dnsup)
    );
    assert_eq!(dnsup.stdout, bind.stdout, "{}", describe(&dnsup));
    assert_eq!(dnsup.stderr, bind.stderr, "{}", describe(&dnsup));
    let (zone_bind, zone_ours) = (
        theirs.axfr("many-updates.test"),
        ours.axfr("many-updates.test"),
    );
    assert_eq!(zone_ours, zone_bind);
    assert_eq!(zone_ours.find("host2000.many-updates.test", "TXT").len(), 1);
    assert_eq!(zone_ours.len(), zone_bind.len());
    // One message each: the serial went up by one, not once per split.
    assert_eq!(zone_bind.soa_serial(), serial + 1);
    assert_eq!(zone_ours.soa_serial(), serial + 1);
}

#[test]
fn tkey_data_in_text_is_sent_and_the_servers_formerr_reported_as_nsupdate_does() {
    let (theirs, ours) = twin_servers(
        "example.test",
        &std::fs::read_to_string(zone_file("example.test")).unwrap(),
    );
    let k = key("k-sha256");
    let dir = tempfile::tempdir().unwrap();
    let key_file = write_key_file(dir.path(), k);
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let key_file = key_file.to_str().unwrap();
    for data in [
        "hmac-sha256. 0 0 3 NOERROR 0 0",
        "gss-tsig. 1700000000 1700003600 3 BADKEY 3 AQID 2 AAE=",
    ] {
        let script = |server: &Named| {
            format!(
                "server 127.0.0.1 {}\nzone example.test\nupdate add tkey.example.test 0 in tkey {data}\nsend\n",
                server.port()
            )
        };
        let bind = run_nsupdate(&theirs, &script(&theirs), &["-k", key_file]);
        let dnsup = run_dnsup(&ours, &script(&ours), &["nsupdate", "-k", key_file]);
        assert_eq!(bind.status.code(), Some(2), "{data}: {}", describe(&bind));
        // named cannot parse a TKEY outside the additional section: an unsigned FORMERR.
        assert!(
            String::from_utf8_lossy(&bind.stderr).contains("update failed: FORMERR\n"),
            "{data}: {}",
            describe(&bind)
        );
        assert_eq!(
            dnsup.status.code(),
            bind.status.code(),
            "{data}: {}",
            describe(&dnsup)
        );
        assert_eq!(dnsup.stdout, bind.stdout, "{data}: {}", describe(&dnsup));
        assert_eq!(dnsup.stderr, bind.stderr, "{data}: {}", describe(&dnsup));
    }
    // Data BIND's reader refuses is refused before sending, with BIND's exit status.
    for data in [
        "hmac-sha256. 0 0 3 BOGUS 0 0",
        "hmac-sha256. 0 0 3 NOERROR 4 AQID 0",
    ] {
        let script = |server: &Named| {
            format!(
                "server 127.0.0.1 {}\nzone example.test\nupdate add tkey.example.test 0 in tkey {data}\nsend\n",
                server.port()
            )
        };
        let bind = run_nsupdate(&theirs, &script(&theirs), &["-k", key_file]);
        let dnsup = run_dnsup(&ours, &script(&ours), &["nsupdate", "-k", key_file]);
        assert_eq!(bind.status.code(), Some(1), "{data}: {}", describe(&bind));
        assert_eq!(
            dnsup.status.code(),
            bind.status.code(),
            "{data}: {}",
            describe(&dnsup)
        );
        assert_eq!(
            mask_buffer(&mask_stamps(&String::from_utf8_lossy(&dnsup.stderr))),
            mask_buffer(&mask_stamps(&String::from_utf8_lossy(&bind.stderr))),
            "{data}"
        );
    }
    assert_eq!(ours.axfr("example.test"), theirs.axfr("example.test"));
}

/// `buffer-0x55d0c0ffee00` (an address in BIND's log line) becomes `buffer-X`.
fn mask_buffer(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("buffer-0x") {
        out.push_str(&rest[..at]);
        out.push_str("buffer-X");
        rest = rest[at + 9..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    out
}
