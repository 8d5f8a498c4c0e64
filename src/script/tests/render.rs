//! `show` and `answer` text compared byte for byte with the installed tools: the expected
//! strings are nsupdate 9.18.49's output (`printf 'LINES\nshow\n' | nsupdate`, without its
//! `Outgoing update query:` line), named's answers as nsupdate's `answer` printed them, and
//! knsupdate 3.2.6's output (its random IDs replaced by the ID of the test message).

use hickory_proto::op::Message;

use super::*;

/// Run `lines` and render the last `show` as nsupdate would.
fn show(dialect: Dialect, lines: &[&str]) -> Pending {
    let mut s = Session::new(dialect);
    let mut shown = None;
    for line in lines {
        if let Some(Action::Show(p)) = s.feed(line).unwrap_or_else(|e| panic!("{line:?}: {e}")) {
            shown = Some(p);
        }
    }
    shown.expect("a show line")
}

fn nsupdate_show(lines: &[&str]) -> String {
    render_show(&show(Dialect::Nsupdate, lines))
}

#[test]
fn show_prerequisites_and_updates() {
    let text = nsupdate_show(&[
        "zone example.test",
        "prereq nxdomain a.example.test",
        "prereq yxdomain b.example.test",
        "prereq nxrrset c.example.test A",
        "prereq yxrrset d.example.test IN A",
        "yxrrset e.example.test A 1.2.3.4",
        "update add h.example.test. 300 A 1.2.3.4",
        "add h2.example.test 300 IN TXT \"hi there\" x",
        "del x.example.test",
        "delete y.example.test 300 IN A",
        "del z.example.test A 5.6.7.8",
        "add u.example.test 60 TYPE65280 \\# 0",
        "add u2.example.test 60 TYPE65280 \\# 3 abcdef",
        "show",
    ]);
    let expected = [
        ";; ->>HEADER<<- opcode: UPDATE, status: NOERROR, id:      0\n",
        ";; flags:; ZONE: 0, PREREQ: 0, UPDATE: 0, ADDITIONAL: 0\n",
        ";; ZONE SECTION:\n",
        ";example.test.\t\t\tIN\tSOA\n",
        "\n",
        ";; PREREQUISITE SECTION:\n",
        "a.example.test.\t\t0\tNONE\tANY\t\n",
        "b.example.test.\t\t0\tANY\tANY\t\n",
        "c.example.test.\t\t0\tNONE\tA\t\n",
        "d.example.test.\t\t0\tANY\tA\t\n",
        "e.example.test.\t\t0\tIN\tA\t1.2.3.4\n",
        "\n",
        ";; UPDATE SECTION:\n",
        "h.example.test.\t\t300\tIN\tA\t1.2.3.4\n",
        "h2.example.test.\t300\tIN\tTXT\t\"hi there\" \"x\"\n",
        "x.example.test.\t\t0\tANY\tANY\t\n",
        "y.example.test.\t\t0\tANY\tA\t\n",
        "z.example.test.\t\t0\tNONE\tA\t5.6.7.8\n",
        "u.example.test.\t\t60\tIN\tTYPE65280 \\# 0\n",
        "u2.example.test.\t60\tIN\tTYPE65280 \\# 3 ABCDEF\n",
        "\n",
    ];
    assert_eq!(text, expected.concat());
}

#[test]
fn show_without_zone_or_records() {
    let head = ";; ->>HEADER<<- opcode: UPDATE, status: NOERROR, id:      0\n\
                ;; flags:; ZONE: 0, PREREQ: 0, UPDATE: 0, ADDITIONAL: 0\n";
    assert_eq!(nsupdate_show(&["show"]), head);
    let zone_only = format!("{head};; ZONE SECTION:\n;example.test.\t\t\tIN\tSOA\n\n");
    assert_eq!(nsupdate_show(&["zone example.test", "show"]), zone_only);
    let update_only =
        format!("{head};; UPDATE SECTION:\nh.example.test.\t\t300\tIN\tA\t1.2.3.4\n\n");
    assert_eq!(
        nsupdate_show(&["update add h.example.test. 300 A 1.2.3.4", "show"]),
        update_only
    );
}

/// Fuzzing (rdata target): a long ECH value was broken into 56-character words as other base64
/// is; nsupdate prints it as one word, and the broken text does not read back as input.
#[test]
fn show_keeps_a_long_ech_in_one_word() {
    let ech = "AEn+DQBFKwAgACABWIHUGj4u+PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50ZXN0LmV4YW1wbGUAAA==";
    let text = nsupdate_show(&[
        &format!(
            "add fuzz.example.test. 300 IN SVCB 16 foo.example.test. mandatory=alpn alpn=h2 ech={ech}"
        ),
        "show",
    ]);
    // nsupdate 9.18.49's line.
    let expected = format!(
        "fuzz.example.test.\t300\tIN\tSVCB\t16 foo.example.test. mandatory=alpn alpn=\"h2\" ech={ech}\n"
    );
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn show_record_types() {
    let text = nsupdate_show(&[
        "check-names off",
        "add a. 300 DNSKEY \\# 68 0101030d99db2cc14cabdc33d6d77da63a2f15f71112584f234e8d1dc428e39e8a4a97e1aa271a555dc90701e17e2a4c4b6f120b7c32d44f4ac02bd894cf2d4be7778a19",
        "add a. 300 DS \\# 36 3039 0d 02 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
        "add a. 300 TXT \"a;b\" \"c\\\"d\" e\\059f \"\\255\"",
        "add a. 300 SOA ns. host. 1 2 3 4 5",
        "add a. 300 CAA 0 issue \"letsencrypt.org\"",
        "add a. 300 SSHFP 4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "add a. 300 TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "add a. 300 HTTPS 1 foo.example. mandatory=alpn,port alpn=h2,h3 no-default-alpn port=8443 ipv4hint=1.2.3.4,5.6.7.8 ech=AEj+DQBEAQAgACBd ipv6hint=2001:db8::1,::1 key65000=abc",
        "add a. 300 SRV 0 5 5060 sip",
        "add a. 300 MX 10 mail",
        "add a. 300 NAPTR 100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:x@y!\" _sip._udp",
        "add a. 300 AAAA 2001:DB8::1",
        "add a. 300 CNAME Foo.Bar",
        "add a. 300 A \\# 4 0a000001",
        "add a. 300 HINFO \"a b\" c",
        "add a. 300 OPENPGPKEY AAAA",
        "add a. 300 NULL \\# 3 010203",
        "add a. 300 TYPE65280 \\# 48 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "show",
    ]);
    let expected = [
        ";; ->>HEADER<<- opcode: UPDATE, status: NOERROR, id:      0\n",
        ";; flags:; ZONE: 0, PREREQ: 0, UPDATE: 0, ADDITIONAL: 0\n",
        ";; UPDATE SECTION:\n",
        "a.\t\t\t300\tIN\tDNSKEY\t257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+ KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n",
        "a.\t\t\t300\tIN\tDS\t12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567 89ABCDEF\n",
        "a.\t\t\t300\tIN\tTXT\t\"a;b\" \"c\\\"d\" \"e;f\" \"\\255\"\n",
        "a.\t\t\t300\tIN\tSOA\tns. host. 1 2 3 4 5\n",
        "a.\t\t\t300\tIN\tCAA\t0 issue \"letsencrypt.org\"\n",
        "a.\t\t\t300\tIN\tSSHFP\t4 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567 89ABCDEF\n",
        "a.\t\t\t300\tIN\tTLSA\t3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567 89ABCDEF\n",
        "a.\t\t\t300\tIN\tHTTPS\t1 foo.example. mandatory=alpn,port alpn=\"h2,h3\" no-default-alpn port=8443 ipv4hint=1.2.3.4,5.6.7.8 ech=AEj+DQBEAQAgACBd ipv6hint=2001:db8::1,::1 key65000=\"abc\"\n",
        "a.\t\t\t300\tIN\tSRV\t0 5 5060 sip.\n",
        "a.\t\t\t300\tIN\tMX\t10 mail.\n",
        "a.\t\t\t300\tIN\tNAPTR\t100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:x@y!\" _sip._udp.\n",
        "a.\t\t\t300\tIN\tAAAA\t2001:db8::1\n",
        "a.\t\t\t300\tIN\tCNAME\tFoo.Bar.\n",
        "a.\t\t\t300\tIN\tA\t10.0.0.1\n",
        "a.\t\t\t300\tIN\tHINFO\t\"a b\" \"c\"\n",
        "a.\t\t\t300\tIN\tOPENPGPKEY AAAA\n",
        "a.\t\t\t300\tIN\tNULL\t\\# 3 010203\n",
        "a.\t\t\t300\tIN\tTYPE65280 \\# 48 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567 89ABCDEF0123456789ABCDEF0123456789ABCDEF\n",
        "\n",
    ];
    assert_eq!(text, expected.concat());
}

#[test]
fn show_columns_and_name_escapes() {
    let text = nsupdate_show(&[
        "check-names off",
        "add averyveryverylongname.example.test. 2147483647 A 1.2.3.4",
        "add x23456789012345678901. 300 A 1.2.3.4",
        "add x234567890123456789012. 300 A 1.2.3.4",
        "add x2345678901234567890123. 300 A 1.2.3.4",
        "add @ 300 A 1.2.3.4",
        "add a\\065b 300 A 1.2.3.4",
        "add \"q\" 300 A 1.2.3.4",
        "add a\\032b 300 A 1.2.3.4",
        "add a\\(b 300 A 1.2.3.4",
        "add a\\;b@$ 300 A 1.2.3.4",
        "add a\\\\b 300 A 1.2.3.4",
        "add a\\255b 300 A 1.2.3.4",
        "zone a23456789012345678901234567890.",
        "show",
    ]);
    let expected = [
        ";; ->>HEADER<<- opcode: UPDATE, status: NOERROR, id:      0\n",
        ";; flags:; ZONE: 0, PREREQ: 0, UPDATE: 0, ADDITIONAL: 0\n",
        ";; ZONE SECTION:\n",
        ";a23456789012345678901234567890.\tIN\tSOA\n",
        "\n",
        ";; UPDATE SECTION:\n",
        "averyveryverylongname.example.test. 2147483647 IN A 1.2.3.4\n",
        "x23456789012345678901.\t300\tIN\tA\t1.2.3.4\n",
        "x234567890123456789012.\t300\tIN\tA\t1.2.3.4\n",
        "x2345678901234567890123. 300\tIN\tA\t1.2.3.4\n",
        ".\t\t\t300\tIN\tA\t1.2.3.4\n",
        "aAb.\t\t\t300\tIN\tA\t1.2.3.4\n",
        "\\\"q\\\".\t\t\t300\tIN\tA\t1.2.3.4\n",
        "a\\032b.\t\t\t300\tIN\tA\t1.2.3.4\n",
        "a\\(b.\t\t\t300\tIN\tA\t1.2.3.4\n",
        "a\\;b\\@\\$.\t\t300\tIN\tA\t1.2.3.4\n",
        "a\\\\b.\t\t\t300\tIN\tA\t1.2.3.4\n",
        "a\\255b.\t\t\t300\tIN\tA\t1.2.3.4\n",
        "\n",
    ];
    assert_eq!(text, expected.concat());
}

#[test]
fn show_other_classes() {
    let ch = nsupdate_show(&[
        "class CH",
        "zone ch.",
        "add version.ch. 0 TXT \"x\"",
        "show",
    ]);
    assert!(ch.ends_with(
        ";; ZONE SECTION:\n;ch.\t\t\t\tCH\tSOA\n\n;; UPDATE SECTION:\nversion.ch.\t\t0\tCH\tTXT\t\"x\"\n\n"
    ));
    let c99 = nsupdate_show(&[
        "class CLASS99",
        "zone c.",
        "add x.c. 0 TYPE65280 \\# 1 00",
        "show",
    ]);
    assert!(c99.ends_with(
        ";; ZONE SECTION:\n;c.\t\t\t\tCLASS99\tSOA\n\n;; UPDATE SECTION:\nx.c.\t\t\t0\tCLASS99\tTYPE65280 \\# 1 00\n\n"
    ));
}

/// An UPDATE response for example.test. as named sends it: the zone section echoed, and a TSIG
/// record when `tsig` is (key name, MAC, error).
fn response(id: u16, rcode: u8, tsig: Option<(&str, u64, &[u8], u16)>) -> Message {
    signed_response(id, rcode, "hmac-sha256", tsig)
}

fn signed_response(
    id: u16,
    rcode: u8,
    algorithm: &str,
    tsig: Option<(&str, u64, &[u8], u16)>,
) -> Message {
    let mut w = Vec::new();
    w.extend(id.to_be_bytes()); // ID
    w.extend([0xa8, rcode]); // QR=1, OPCODE=5 (UPDATE); RCODE
    w.extend([0, 1, 0, 0, 0, 0, 0, u8::from(tsig.is_some())]); // ZO, PR, UP, AD counts
    w.extend(b"\x07example\x04test\x00"); // zone name
    w.extend([0, 6, 0, 1]); // SOA, IN
    if let Some((key, time, mac, error)) = tsig {
        w.push(key.len() as u8);
        w.extend(key.as_bytes());
        w.push(0); // key name
        w.extend([0, 250, 0, 255, 0, 0, 0, 0]); // TSIG, ANY, TTL 0
        let mut rdata = vec![algorithm.len() as u8]; // algorithm
        rdata.extend(algorithm.as_bytes());
        rdata.push(0);
        rdata.extend(&time.to_be_bytes()[2..]); // time signed, 48 bits
        rdata.extend(300u16.to_be_bytes()); // fudge
        rdata.extend((mac.len() as u16).to_be_bytes()); // MAC size
        rdata.extend(mac); // MAC
        rdata.extend(id.to_be_bytes()); // original ID
        rdata.extend(error.to_be_bytes()); // error
        rdata.extend([0, 0]); // other len
        w.extend((rdata.len() as u16).to_be_bytes()); // RDLENGTH
        w.extend(rdata);
    }
    Message::from_vec(&w).expect("valid response")
}

const MAC: [u8; 32] = [
    0xf6, 0x36, 0x50, 0x9f, 0x78, 0x3e, 0x43, 0xa8, 0xe0, 0x5a, 0xa9, 0xe4, 0x1b, 0x7c, 0xfc, 0xca,
    0xe8, 0xf2, 0xd7, 0x65, 0x84, 0x58, 0xce, 0xe0, 0xc0, 0x0e, 0xf4, 0xa2, 0x73, 0x2d, 0xb0, 0x10,
];

#[test]
fn answers_as_nsupdate_prints_them() {
    let ok = response(44224, 0, Some(("dnsup-demo", 1_795_588_062, &MAC, 0)));
    let expected = [
        ";; ->>HEADER<<- opcode: UPDATE, status: NOERROR, id:  44224\n",
        ";; flags: qr; ZONE: 1, PREREQ: 0, UPDATE: 0, ADDITIONAL: 1\n",
        ";; ZONE SECTION:\n",
        ";example.test.\t\t\tIN\tSOA\n",
        "\n",
        ";; TSIG PSEUDOSECTION:\n",
        "dnsup-demo.\t\t0\tANY\tTSIG\thmac-sha256. 1795588062 300 32 9jZQn3g+Q6jgWqnkG3z8yujy12WEWM7gwA70onMtsBA= 44224 NOERROR 0 \n",
        "\n",
    ];
    assert_eq!(render_dig(&ok), expected.concat());
    let badkey = response(28323, 9, Some(("wrong", 1_795_588_066, &[], 17)));
    let expected = [
        ";; ->>HEADER<<- opcode: UPDATE, status: NOTAUTH, id:  28323\n",
        ";; flags: qr; ZONE: 1, PREREQ: 0, UPDATE: 0, ADDITIONAL: 1\n",
        ";; ZONE SECTION:\n",
        ";example.test.\t\t\tIN\tSOA\n",
        "\n",
        ";; TSIG PSEUDOSECTION:\n",
        "wrong.\t\t\t0\tANY\tTSIG\thmac-sha256. 1795588066 300 0 28323 BADKEY 0 \n",
        "\n",
    ];
    assert_eq!(render_dig(&badkey), expected.concat());
    let refused = response(59076, 5, None);
    let expected = [
        ";; ->>HEADER<<- opcode: UPDATE, status: REFUSED, id:  59076\n",
        ";; flags: qr; ZONE: 1, PREREQ: 0, UPDATE: 0, ADDITIONAL: 0\n",
        ";; ZONE SECTION:\n",
        ";example.test.\t\t\tIN\tSOA\n",
        "\n",
    ];
    assert_eq!(render_dig(&refused), expected.concat());
    // A long MAC breaks after 56 characters, as BIND's base64 does (a hmac-sha512 key).
    let mac512 = [
        0x86, 0x6d, 0x4c, 0xf3, 0x32, 0x80, 0xf2, 0x4c, 0xec, 0x2c, 0x61, 0xe3, 0x42, 0x16, 0xbe,
        0x8d, 0x0f, 0x5a, 0x9b, 0x8c, 0x37, 0xb4, 0x34, 0xa6, 0xbd, 0x39, 0xdf, 0x53, 0x9e, 0xe0,
        0xa9, 0xa0, 0x97, 0xc6, 0x3d, 0x72, 0x7b, 0xce, 0x51, 0x8d, 0xdb, 0x84, 0xdb, 0x4d, 0x5d,
        0x4f, 0x97, 0xf9, 0x86, 0x08, 0x49, 0xc1, 0xbd, 0xd4, 0x12, 0x60, 0x4d, 0x20, 0x6e, 0xcc,
        0x7e, 0x60, 0x6e, 0x36,
    ];
    let sha512 = signed_response(
        59837,
        0,
        "hmac-sha512",
        Some(("k512", 1_795_589_115, &mac512, 0)),
    );
    assert!(render_dig(&sha512).ends_with(
        ";; TSIG PSEUDOSECTION:\n\
         k512.\t\t\t0\tANY\tTSIG\thmac-sha512. 1795589115 300 64 \
         hm1M8zKA8kzsLGHjQha+jQ9am4w3tDSmvTnfU57gqaCXxj1ye85RjduE \
         201dT5f5hghJwb3UEmBNIG7MfmBuNg== 59837 NOERROR 0 \n\n"
    ));
    // YXDOMAIN from a failed prerequisite.
    assert!(
        render_dig(&response(57527, 6, None))
            .starts_with(";; ->>HEADER<<- opcode: UPDATE, status: YXDOMAIN, id:  57527\n")
    );
}

#[test]
fn knsupdate_show_and_answers() {
    let p = show(
        Dialect::Knsupdate,
        &[
            "zone example.test",
            "origin example.test",
            "add h 300 A 1.2.3.4",
            "add h2 A 1.2.3.4",
            "nxdomain a",
            "yxrrset e A 1.2.3.4",
            "del x",
            "del y A",
            "del z A 1.2.3.4",
            "add u TYPE65280 \\# 0",
            "add averyveryverylongname 60 TXT \"hi there\" x",
            "add d 60 DS \\# 36 3039 0d 02 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
            "show",
        ],
    );
    let mut msg = p.to_message();
    msg.metadata.id = 4660;
    let expected = [
        ";; ->>HEADER<<- opcode: UPDATE; status: NOERROR; id: 4660\n",
        ";; Flags: ; ZONE: 1; PREREQ: 2; UPDATE: 8; ADDITIONAL: 0\n",
        "\n",
        ";; ZONE SECTION:\n",
        ";; example.test.       \t\tIN\tSOA\n",
        "\n",
        ";; PREREQUISITE SECTION:\n",
        "a.example.test.     \t0\tNONE\tANY\t\n",
        "e.example.test.     \t0\tIN\tA\t1.2.3.4\n",
        "\n",
        ";; UPDATE SECTION:\n",
        "h.example.test.     \t300\tIN\tA\t1.2.3.4\n",
        "h2.example.test.    \t3600\tIN\tA\t1.2.3.4\n",
        "x.example.test.     \t0\tANY\tANY\t\n",
        "y.example.test.     \t0\tANY\tA\t\n",
        "z.example.test.     \t0\tNONE\tA\t1.2.3.4\n",
        "u.example.test.     \t3600\tIN\tTYPE65280\t\\# 0\n",
        "averyveryverylongname.example.test. 60\tIN\tTXT\t\"hi there\" \"x\"\n",
        "d.example.test.     \t60\tIN\tDS\t12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n",
    ];
    assert_eq!(render_kdig(&msg), expected.concat());
    let badkey = response(59931, 9, Some(("wrong", 1_795_588_324, &[], 17)));
    let expected = [
        ";; ->>HEADER<<- opcode: UPDATE; status: BADKEY; id: 59931\n",
        ";; Flags: qr; ZONE: 1; PREREQ: 0; UPDATE: 0; ADDITIONAL: 1\n",
        "\n",
        ";; ZONE SECTION:\n",
        ";; example.test.       \t\tIN\tSOA\n",
        "\n",
        ";; TSIG PSEUDOSECTION:\n",
        "wrong.              \t0\tANY\tTSIG\thmac-sha256. 1795588324 300 0 59931 BADKEY 0\n",
    ];
    assert_eq!(render_kdig(&badkey), expected.concat());
    let refused = response(8279, 5, None);
    let expected = ";; ->>HEADER<<- opcode: UPDATE; status: REFUSED; id: 8279\n\
                    ;; Flags: qr; ZONE: 1; PREREQ: 0; UPDATE: 0; ADDITIONAL: 0\n\
                    \n;; ZONE SECTION:\n;; example.test.       \t\tIN\tSOA\n";
    assert_eq!(render_kdig(&refused), expected);
}

#[test]
fn knsupdate_show_without_zone_is_the_bare_header() {
    let p = show(
        Dialect::Knsupdate,
        &["add h.example.test. 300 A 1.2.3.4", "show"],
    );
    assert_eq!(
        render_kdig_show(&p, 62653),
        ";; ->>HEADER<<- opcode: UPDATE; status: NOERROR; id: 62653\n\
         ;; Flags: ; ZONE: 0; PREREQ: 0; UPDATE: 0; ADDITIONAL: 0\n"
    );
    let p = show(Dialect::Knsupdate, &["zone example.test", "show"]);
    assert!(render_kdig_show(&p, 1).contains(";; ZONE SECTION:\n"));
}
