//! Robustness: every prefix (by character) of every valid test line parses to a command or an
//! error, never a panic, in both dialects; and so do some hostile lines.

use super::*;

const LINES: &[&str] = &[
    "server ns1.example.test 5353",
    "local 2001:db8::1 5353",
    "zone example.test.",
    "class CH",
    "ttl 3600",
    "ttl none",
    "key hmac-sha256-128:dnsup-demo 0SSNOjx/Tq2hL189qh42ovpXIStFdNy9lzXupCHXsNc=",
    "prereq nxdomain a.example.test",
    "yxdomain b.example.test",
    "nxrrset c.example.test IN A",
    "prereq yxrrset d.example.test IN TXT \"v=spf1 -all\"",
    "update add h.example.test. 300 IN A 192.0.2.1",
    "add h.example.test 300 AAAA 2001:db8::1",
    "add h.example.test 300 MX 10 mail.example.test.",
    "add _sip._tcp.example.test 300 SRV 0 5 5060 sip.example.test.",
    "add example.test 300 SOA ns. host. 1 1h 10m 1w 300",
    "add h.example.test 300 TXT \"a;b\" \"c\\\"d\" e\\059f \"\\255\"",
    "add h.example.test 300 CAA 0 issue \"letsencrypt.org\"",
    "add h.example.test 300 HTTPS 1 . alpn=h2,h3 ipv4hint=192.0.2.1",
    "add u.example.test 60 TYPE65280 \\# 3 abcdef",
    "add é.example.test 60 TXT \"ünïcode\"",
    "del x.example.test",
    "delete y.example.test 300 IN A",
    "del z.example.test A 192.0.2.5",
    "check-names off",
    "realm EXAMPLE.TEST",
    "; comment",
    "show",
    "send",
];

#[test]
fn every_prefix_parses_without_panic() {
    let ctxs = [
        ParseContext::default(),
        ParseContext {
            default_ttl: Some(60),
            check_names: false,
            ..ParseContext::default()
        },
    ];
    for line in LINES {
        for (i, _) in line.char_indices().chain([(line.len(), ' ')]) {
            let prefix = &line[..i];
            for dialect in [Dialect::Nsupdate, Dialect::Knsupdate] {
                for ctx in &ctxs {
                    let _ = parse_line(dialect, ctx, prefix);
                }
            }
        }
        // The whole line is valid nsupdate (with a default TTL and check-names off).
        parse_line(Dialect::Nsupdate, &ctxs[1], line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    }
    for line in ["origin example.test.", "add h 1h30m IN TXT x", "exit"] {
        for (i, _) in line.char_indices() {
            let _ = parse_line(Dialect::Knsupdate, &ctxs[0], &line[..i]);
        }
        parse_line(Dialect::Knsupdate, &ctxs[0], line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    }
}

#[test]
fn hostile_lines_do_not_panic() {
    let long_label = format!("add {}. 1 A 192.0.2.1", "a".repeat(300));
    let deep = format!("add {}x. 1 A 192.0.2.1", "a.".repeat(200));
    let hostile = [
        "\0",
        "add \0 1 A 1.2.3.4",
        "add a. 1 A \\",
        "add a. 1 TXT \\",
        "add a. 1 TXT \"\\",
        "add a. 1 TYPE65535 \\# 65536 00",
        "add a. 1 A \\# 99999999999999999999999 00",
        "add \\\\\\\\ 1 A 1.2.3.4",
        "add a\\0 1 A 1.2.3.4",
        "key \u{7f}:\u{0} x",
        "server \u{1F600} 99999999999999999999999999",
        long_label.as_str(),
        deep.as_str(),
        "add a. 1 SOA a. b. 99999999999 1 1 1 1",
        "add a. 1 SOA a. b. 1 99999999999w 1 1 1",
    ];
    let mut session = Session::new(Dialect::Nsupdate);
    for line in hostile {
        let _ = parse_line(Dialect::Nsupdate, &ParseContext::default(), line);
        let _ = parse_line(Dialect::Knsupdate, &ParseContext::default(), line);
        let _ = session.feed(line);
    }
    // Whatever was accepted can be shown.
    let _ = render_show(&session.pending());
}
