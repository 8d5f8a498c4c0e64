//! Proves the test harness with the real tools: BIND `named` and Knot `knotd` started on loopback,
//! updated by BIND `nsupdate` and Knot `knsupdate`. This is also the baseline every dnsup test is
//! compared against: what the reference clients do here, dnsup must do too.

mod common;

use std::thread;

use common::*;

/// Records of zones/example.test.zone, normalized as `Zone` prints them.
const EXAMPLE_TEST: &[&str] = &[
    "example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 3600 600 86400 300",
    "example.test. 3600 IN NS ns1.example.test.",
    "example.test. 3600 IN MX 10 mail.example.test.",
    "example.test. 3600 IN TXT \"v=spf1 mx -all\"",
    "_sip._tcp.example.test. 3600 IN SRV 10 60 5060 sip.example.test.",
    "alias.example.test. 3600 IN CNAME www.example.test.",
    "mail.example.test. 3600 IN A 192.0.2.25",
    "ns1.example.test. 3600 IN A 192.0.2.53",
    "ns1.example.test. 3600 IN AAAA 2001:db8::53",
    "sip.example.test. 3600 IN A 192.0.2.60",
    "www.example.test. 3600 IN A 192.0.2.80",
    "www.example.test. 3600 IN AAAA 2001:db8::80",
];

/// (a) A fresh server serves exactly the zone files.
fn axfr_serves_the_zone_files(server: &dyn Server) {
    let zone = server.axfr("example.test");
    for record in EXAMPLE_TEST {
        assert!(
            zone.contains(record),
            "{}: missing {record}\n{zone}",
            server.kind()
        );
    }
    assert_eq!(
        zone.len(),
        EXAMPLE_TEST.len(),
        "{}: extra records\n{zone}",
        server.kind()
    );
    assert_eq!(
        zone,
        Zone::from_file("example.test", &zone_file("example.test"))
    );
    assert_eq!(server.soa_serial("example.test"), 2024010101);
    assert_eq!(
        server.axfr("other.test"),
        Zone::from_file("other.test", &zone_file("other.test"))
    );
    assert_eq!(server.query("www.example.test", "A"), ["192.0.2.80"]);
    assert_eq!(server.query("www.example.test", "AAAA"), ["2001:db8::80"]);
    assert_eq!(server.query("example.test", "TXT"), ["\"v=spf1 mx -all\""]);
    assert!(server.query("nothing.example.test", "A").is_empty());
}

/// (b) Every key the server declares can update the zone with `nsupdate -y`.
fn nsupdate_with_every_key(server: &dyn Server) {
    let keys = server.keys();
    let expected = if server.kind() == "knot" { 6 } else { 7 };
    assert_eq!(keys.len(), expected, "{}: keys {keys:?}", server.kind());
    let mut serial = server.soa_serial("example.test");
    for (i, key) in keys.iter().enumerate() {
        let n = i + 1;
        let script = format!(
            "{}update add k{n}.example.test. 300 A 192.0.2.{n}\nsend\n",
            script_header(server, "example.test")
        );
        let out = run_nsupdate(server, &script, &["-y", &key_arg(key)]);
        assert!(
            out.status.success(),
            "{}: nsupdate with {} ({}) failed\n{}\nserver log:\n{}",
            server.kind(),
            key.name,
            key.algorithm,
            describe(&out),
            server.log()
        );
        assert_eq!(
            server.query(&format!("k{n}.example.test"), "A"),
            [format!("192.0.2.{n}")],
            "{}: key {}",
            server.kind(),
            key.name
        );
        let new_serial = server.soa_serial("example.test");
        assert!(
            new_serial > serial,
            "{}: serial did not grow",
            server.kind()
        );
        serial = new_serial;
    }
    let zone = server.axfr("example.test");
    for n in 1..=keys.len() {
        assert!(zone.contains(&format!("k{n}.example.test. 300 IN A 192.0.2.{n}")));
    }
    assert_eq!(zone.len(), EXAMPLE_TEST.len() + keys.len());
}

/// (c) An unsigned update is refused: nsupdate exits 2, the zone and its serial stay as they were.
/// BIND answers REFUSED; Knot 3.2 answers NOTAUTH when no ACL allows the update.
fn unsigned_nsupdate_is_refused(server: &dyn Server) {
    let before = server.axfr("example.test");
    let script = format!(
        "{}update add unsigned.example.test. 300 A 192.0.2.99\nsend\n",
        script_header(server, "example.test")
    );
    let out = run_nsupdate(server, &script, &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}: {}",
        server.kind(),
        describe(&out)
    );
    let expected = match server.kind() {
        "knot" => "update failed: NOTAUTH",
        _ => "update failed: REFUSED",
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        expected,
        "{}: {}",
        server.kind(),
        describe(&out)
    );
    assert_eq!(server.axfr("example.test"), before);
    assert_eq!(server.soa_serial("example.test"), before.soa_serial());
    assert!(server.query("unsigned.example.test", "A").is_empty());
}

/// A key with the right name and a wrong secret is rejected (NOTAUTH/BADSIG), nothing changes.
fn wrong_secret_is_rejected(server: &dyn Server) {
    let before = server.axfr("example.test");
    let bad = TestKey {
        secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ..*key("k-sha256")
    };
    let script = format!(
        "{}update add badsig.example.test. 300 A 192.0.2.98\nsend\n",
        script_header(server, "example.test")
    );
    let out = run_nsupdate(server, &script, &["-y", &key_arg(&bad)]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}: {}",
        server.kind(),
        describe(&out)
    );
    assert_eq!(server.axfr("example.test"), before);
}

/// (d) Knot's knsupdate with an hmac-sha256 key works too (adds, then deletes).
fn knsupdate_with_sha256(server: &dyn Server) {
    let k = key("k-sha256");
    let script = format!(
        "{}update add kn.example.test. 300 A 192.0.2.200\nsend\nquit\n",
        script_header(server, "example.test")
    );
    let out = run_knsupdate(server, &script, &["-y", &key_arg(k)]);
    assert!(
        out.status.success(),
        "{}: {}\n{}",
        server.kind(),
        describe(&out),
        server.log()
    );
    assert_eq!(server.query("kn.example.test", "A"), ["192.0.2.200"]);

    let script = format!(
        "{}update delete kn.example.test. A\nsend\nquit\n",
        script_header(server, "example.test")
    );
    let out = run_knsupdate(server, &script, &["-y", &key_arg(k)]);
    assert!(
        out.status.success(),
        "{}: {}",
        server.kind(),
        describe(&out)
    );
    assert!(server.query("kn.example.test", "A").is_empty());
}

server_tests!(
    axfr_serves_the_zone_files,
    nsupdate_with_every_key,
    unsigned_nsupdate_is_refused,
    wrong_secret_is_rejected,
    knsupdate_with_sha256,
);

#[test]
fn test_keys_have_the_algorithm_output_size() {
    let decoded_len = |b64: &str| b64.len() / 4 * 3 - b64.bytes().filter(|&b| b == b'=').count();
    for k in keys() {
        let bytes = match k.base_algorithm() {
            "hmac-md5" => 16,
            "hmac-sha1" => 20,
            "hmac-sha224" => 28,
            "hmac-sha256" => 32,
            "hmac-sha384" => 48,
            "hmac-sha512" => 64,
            other => panic!("unexpected algorithm {other}"),
        };
        assert_eq!(decoded_len(k.secret), bytes, "{}", k.name);
    }
    assert_eq!(key("k-sha256-trunc").truncation_bits(), Some(128));
    assert_eq!(key("k-sha256-trunc").base_algorithm(), "hmac-sha256");
    assert_eq!(key("k-sha256").truncation_bits(), None);
    assert_eq!(
        key_arg(key("k-sha1")),
        "hmac-sha1:k-sha1:OE+ptNptvCCdZiVD2/IRWYVkkKM="
    );
}

#[test]
fn zone_normalization() {
    let zone = Zone::parse(
        "Example.TEST.\t3600\tIN\tSOA\tns1.example.test. h.example.test. 7 1 1 1 1\n\
         www.example.test.  300 in a 192.0.2.1\n\
         ; a comment\n\
         t.example.test. 300 IN TXT \"two  spaces\" \"x\"\n\
         example.test. 3600 IN SOA ns1.example.test. h.example.test. 7 1 1 1 1\n",
    );
    assert_eq!(zone.len(), 3, "{zone}");
    assert!(zone.contains("www.example.test. 300 IN A 192.0.2.1"));
    assert!(zone.contains("t.example.test. 300 IN TXT \"two  spaces\" \"x\""));
    assert_eq!(zone.soa_serial(), 7);
    assert_eq!(zone.without_soa().len(), 2);
    assert_eq!(zone.find("WWW.example.test.", "a").len(), 1);
}

#[test]
fn update_rights_follow_the_options() {
    // Only k-sha512 may update example.test; other.test takes no updates at all.
    let opts = ServerOptions::empty()
        .update_keys(&["k-sha512"])
        .zone("example.test", zone_file("example.test"))
        .zone_with_keys("other.test", zone_file("other.test"), &[]);
    let named = Named::start_with(opts.clone());
    let knot = Knot::start_with(opts);
    for server in [&named as &dyn Server, &knot] {
        let send = |zone: &str, key: &str| {
            let script = format!(
                "{}update add r.{zone}. 300 A 192.0.2.7\nsend\n",
                script_header(server, zone)
            );
            run_nsupdate(server, &script, &["-y", &key_arg(common::key(key))])
        };
        let out = send("example.test", "k-sha256");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: {}",
            server.kind(),
            describe(&out)
        );
        let out = send("example.test", "k-sha512");
        assert!(
            out.status.success(),
            "{}: {}",
            server.kind(),
            describe(&out)
        );
        let out = send("other.test", "k-sha512");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: {}",
            server.kind(),
            describe(&out)
        );
        assert_eq!(server.query("r.example.test", "A"), ["192.0.2.7"]);
        assert!(server.query("r.other.test", "A").is_empty());
    }
}

/// Servers started at the same moment each get their own port and serve their own zone.
#[test]
fn parallel_starts_do_not_collide() {
    let handles: Vec<_> = (0..8u32)
        .map(|i| {
            thread::spawn(move || {
                let zone = format!(
                    "$TTL 300\n@ SOA ns1.p.test. h.p.test. {serial} 1 1 1 1\n@ NS ns1.p.test.\n\
                     ns1 A 192.0.2.1\n",
                    serial = 1000 + i
                );
                let opts = ServerOptions::empty().zone_text("p.test", &zone);
                let server: Box<dyn Server + Send> = if i % 2 == 0 {
                    Box::new(Named::start_with(opts))
                } else {
                    Box::new(Knot::start_with(opts))
                };
                (i, server)
            })
        })
        .collect();
    let servers: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut ports: Vec<u16> = servers.iter().map(|(_, s)| s.port()).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), servers.len(), "ports reused: {ports:?}");
    for (i, server) in &servers {
        // Several queries: a port shared with another server would answer some of them.
        for _ in 0..5 {
            assert_eq!(
                server.soa_serial("p.test"),
                1000 + i,
                "{} #{i}",
                server.kind()
            );
        }
    }
}

#[test]
#[should_panic(expected = "did not finish within 300ms")]
fn a_client_over_its_time_is_killed_and_named() {
    let mut cmd = std::process::Command::new("sleep");
    cmd.arg("30");
    common::process::run_with_timeout(&mut cmd, b"", std::time::Duration::from_millis(300));
}

#[test]
fn a_client_keeps_its_exit_status_signal_environment_and_directory() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new("/bin/sh");
    cmd.args(["-c", "pwd; echo \"$PROBE\"; cat; exit 3"])
        .env("PROBE", "seen")
        .current_dir(dir.path());
    let out = common::process::run_with_timeout(&mut cmd, b"input", CLIENT_TIMEOUT);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, format!("{}\nseen\ninput", dir.path().display()));
    let mut cmd = std::process::Command::new("/bin/sh");
    cmd.args(["-c", "kill -TERM $$"]);
    let out = common::process::run_with_timeout(&mut cmd, b"", CLIENT_TIMEOUT);
    assert_eq!(out.status.signal(), Some(15), "{out:?}");
}
