//! Strict answers, redacted URLs, first lines.

use crate::ip::Family;
use crate::ip::text::{BadAnswer, first_line, parse_answer, redact_url};

#[test]
fn one_address_alone_with_whitespace_around() {
    assert_eq!(
        parse_answer(b"198.51.100.7\n", Family::V4),
        Ok("198.51.100.7".parse().unwrap())
    );
    assert_eq!(
        parse_answer(b" \t2001:db8::7\r\n", Family::V6),
        Ok("2001:db8::7".parse().unwrap())
    );
}

#[test]
fn anything_else_is_refused() {
    let garbage = |body: &[u8]| match parse_answer(body, Family::V4) {
        Err(BadAnswer::Garbage(why)) => why,
        other => panic!("{body:?}: {other:?}"),
    };
    assert_eq!(garbage(b""), "empty answer");
    assert_eq!(garbage(b"  \n"), "empty answer");
    assert_eq!(
        garbage(b"198.51.100.7\n198.51.100.8\n"),
        "not an IP address: \"198.51.100.7\\n198.51.100.8\\n\""
    );
    assert!(
        garbage(b"<html><body>502 Bad Gateway</body></html>")
            .starts_with("not an IP address: \"<html>")
    );
    assert_eq!(
        garbage(b"198.51.100.7 extra"),
        "not an IP address: \"198.51.100.7 extra\""
    );
    assert_eq!(
        garbage(b"fe80::1%eth0"),
        "not an IP address: \"fe80::1%eth0\""
    );
    assert_eq!(
        garbage(b"\xff\xfe"),
        "answer is not text: \"\u{fffd}\u{fffd}\""
    );
    assert!(garbage(&[b'1'; 300]).starts_with("answer too long"));
    assert_eq!(
        parse_answer(b"2001:db8::1", Family::V4),
        Err(BadAnswer::WrongFamily("2001:db8::1".parse().unwrap()))
    );
    assert_eq!(
        BadAnswer::WrongFamily("192.0.2.1".parse().unwrap()).to_string(),
        "answered 192.0.2.1, an IPv4 address, when asked for IPv6"
    );
}

#[test]
fn urls_lose_their_secrets() {
    assert_eq!(
        redact_url("https://api.ipify.org"),
        "https://api.ipify.org/"
    );
    assert_eq!(
        redact_url("https://user:hunter2@echo.example/ip?token=SECRET#x"),
        "https://echo.example/ip?…"
    );
    assert_eq!(redact_url("not a url?token=SECRET"), "not a url…");
    assert_eq!(redact_url("junk@secret"), "junk…");
}

#[test]
fn first_lines() {
    assert_eq!(
        first_line(b"\n  curl: (6) Could not resolve host\nmore\n").as_deref(),
        Some("curl: (6) Could not resolve host")
    );
    assert_eq!(first_line(b"   \n"), None);
    let long = vec![b'x'; 500];
    let line = first_line(&long).unwrap();
    assert_eq!(line.chars().count(), 201);
    assert!(line.ends_with('…'));
}
