//! Every command form and every settings error, with nsupdate's stderr text as printed by the
//! installed nsupdate 9.18.49 for the same line (`printf 'LINE\n' | nsupdate`).

use std::net::IpAddr;

use hickory_proto::rr::DNSClass;

use super::*;

#[test]
fn blank_comment_and_simple_commands() {
    assert_eq!(ns("").unwrap(), Command::Blank);
    assert_eq!(ns(" \t ").unwrap(), Command::Blank);
    assert_eq!(ns("\r").unwrap(), Command::Blank);
    assert_eq!(ns("; a comment").unwrap(), Command::Comment);
    assert_eq!(ns("   ;x").unwrap(), Command::Comment);
    for (line, cmd) in [
        ("show", Command::Show),
        ("  SHOW  ", Command::Show),
        ("send", Command::Send),
        ("answer", Command::Answer),
        ("debug", Command::Debug),
        ("help", Command::Help),
        ("version", Command::Version),
        ("quit", Command::Quit),
        ("Quit now", Command::Quit),
        ("gsstsig", Command::Gsstsig),
        ("oldgsstsig", Command::OldGsstsig),
        ("realm", Command::Realm(None)),
        (
            "realm EXAMPLE.TEST",
            Command::Realm(Some("EXAMPLE.TEST".into())),
        ),
        ("check-names off", Command::CheckNames(false)),
        ("checknames YES", Command::CheckNames(true)),
        ("check-names true", Command::CheckNames(true)),
        ("check-names no", Command::CheckNames(false)),
    ] {
        assert_eq!(ns(line).unwrap(), cmd, "{line:?}");
    }
}

#[test]
fn unknown_commands() {
    fails(
        "foo",
        ErrorKind::UnknownCommand,
        "incorrect section name: foo",
    );
    // '#' is not a comment in nsupdate.
    fails(
        "# hash",
        ErrorKind::UnknownCommand,
        "incorrect section name: #",
    );
    // 9.18 has no lease or check-svcb.
    fails(
        "lease 10",
        ErrorKind::UnknownCommand,
        "incorrect section name: lease",
    );
    fails(
        "check-svcb off",
        ErrorKind::UnknownCommand,
        "incorrect section name: check-svcb",
    );
    fails(
        "check-names",
        ErrorKind::MissingArgument,
        "could not read check-names directive",
    );
    fails(
        "check-names maybe",
        ErrorKind::BadArgument,
        "incorrect check-names directive: maybe",
    );
}

#[test]
fn server_and_local() {
    assert_eq!(
        ns("server ns1.example.test").unwrap(),
        Command::Server {
            host: "ns1.example.test".into(),
            port: None
        }
    );
    // Words after the port are ignored, as in nsupdate.
    assert_eq!(
        ns("server 127.0.0.1 +53 extra").unwrap(),
        Command::Server {
            host: "127.0.0.1".into(),
            port: Some(53)
        }
    );
    fails(
        "server",
        ErrorKind::MissingArgument,
        "could not read server name",
    );
    fails(
        "server 127.0.0.1 x",
        ErrorKind::BadPort,
        "port 'x' is not numeric",
    );
    fails(
        "server 127.0.0.1 0",
        ErrorKind::BadPort,
        "port '0' is out of range (1 to 65535)",
    );
    fails(
        "server 127.0.0.1 65536",
        ErrorKind::BadPort,
        "port '65536' is out of range (1 to 65535)",
    );
    fails(
        "server 127.0.0.1 -1",
        ErrorKind::BadPort,
        "port '-1' is out of range (1 to 65535)",
    );
    let v6: IpAddr = "::1".parse().unwrap();
    assert_eq!(
        ns("local ::1 5353").unwrap(),
        Command::Local {
            addr: v6,
            port: Some(5353)
        }
    );
    assert_eq!(
        ns("local 192.0.2.1").unwrap(),
        Command::Local {
            addr: "192.0.2.1".parse().unwrap(),
            port: None
        }
    );
    // sic: nsupdate says "server name" for local too.
    fails(
        "local",
        ErrorKind::MissingArgument,
        "could not read server name",
    );
    fails(
        "local 1.2.3.4 x",
        ErrorKind::BadPort,
        "port 'x' is not numeric",
    );
    fails(
        "local 1.2.3.4 0",
        ErrorKind::BadPort,
        "port '0' is out of range (1 to 65535)",
    );
    let e = ns_err("local foo");
    assert_eq!(e.kind, ErrorKind::BadAddress);
    // nsupdate prints no newline here, so "syntax error" follows on the same line.
    assert_eq!(e.nsupdate_stderr(true), "invalid address foosyntax error\n");
}

#[test]
fn zone_class_ttl() {
    assert_eq!(
        ns("zone example.test").unwrap(),
        Command::Zone(n("example.test."))
    );
    // Extra words are ignored.
    assert_eq!(ns("zone a b").unwrap(), Command::Zone(n("a.")));
    fails(
        "zone",
        ErrorKind::MissingArgument,
        "could not read zone name",
    );
    fails("zone a..b", ErrorKind::BadName, "could not parse zone name");
    assert_eq!(ns("class CH").unwrap(), Command::Class(DNSClass::CH));
    assert_eq!(ns("class class4").unwrap(), Command::Class(DNSClass::HS));
    fails(
        "class",
        ErrorKind::MissingArgument,
        "could not read class name",
    );
    fails(
        "class foo",
        ErrorKind::BadClass,
        "could not parse class name: foo",
    );
    fails("class ANY", ErrorKind::BadClass, "bad default class: ANY");
    fails("class NONE", ErrorKind::BadClass, "bad default class: NONE");
    assert_eq!(ns("ttl 60").unwrap(), Command::Ttl(Some(60)));
    assert_eq!(ns("ttl NONE").unwrap(), Command::Ttl(None));
    fails("ttl", ErrorKind::MissingArgument, "could not read ttl");
    // nsupdate prints only "syntax error" for these two.
    fails("ttl 1h", ErrorKind::BadTtl, "");
    fails("ttl 4294967296", ErrorKind::BadTtl, "");
    fails(
        "ttl 2147483648",
        ErrorKind::BadTtl,
        "ttl '2147483648' is out of range (0 to 2147483647)",
    );
}

#[test]
fn keys() {
    let Command::Key(k) =
        ns("key hmac-sha256:dnsup-demo 0SSNOjx/Tq2hL189qh42ovpXIStFdNy9lzXupCHXsNc=").unwrap()
    else {
        panic!("not a key")
    };
    assert_eq!(k.algorithm.as_deref(), Some("hmac-sha256"));
    assert_eq!(k.name, "dnsup-demo");
    assert_eq!(k.secret, "0SSNOjx/Tq2hL189qh42ovpXIStFdNy9lzXupCHXsNc=");
    // The secret is the rest of the line; white space inside base64 is dropped.
    let Command::Key(k) = ns("key k c2Vj cmV0").unwrap() else {
        panic!()
    };
    assert_eq!((k.algorithm, k.secret.as_str()), (None, "c2VjcmV0"));
    let Command::Key(k) = ns("key HMAC-SHA256-128:k c2VjcmV0").unwrap() else {
        panic!()
    };
    assert_eq!(k.algorithm.as_deref(), Some("HMAC-SHA256-128"));
    fails("key", ErrorKind::MissingArgument, "could not read key name");
    fails(
        "key foo",
        ErrorKind::MissingArgument,
        "could not read key secret",
    );
    fails(
        "key foo bad!secret",
        ErrorKind::BadKey,
        "could not create key from foo: bad base64 encoding",
    );
    fails(
        "key hmac-sha256:foo c2VjcmV0 extra words",
        ErrorKind::BadKey,
        "could not create key from foo: bad base64 encoding",
    );
    fails(
        "key hmac-foo:foo c2VjcmV0",
        ErrorKind::BadKey,
        "unknown key type 'hmac-foo'",
    );
    fails(
        "key :foo c2VjcmV0",
        ErrorKind::BadKey,
        "unknown key type ''",
    );
    fails(
        "key hmac-sha256-1000:foo c2VjcmV0",
        ErrorKind::BadKey,
        "digest-bits out of range [0..256]",
    );
    fails(
        "key hmac-md5-x:foo c2VjcmV0",
        ErrorKind::BadKey,
        "digest-bits out of range [0..128]",
    );
    fails(
        "key a..b c2VjcmV0",
        ErrorKind::BadKey,
        "could not parse key name",
    );
    fails(
        "key hmac-sha256: c2VjcmV0",
        ErrorKind::BadKey,
        "could not parse key name",
    );
}

#[test]
fn key_errors_do_not_show_the_secret_in_the_message() {
    let e = ns_err("key foo bad!secret");
    assert!(!e.message.contains("bad!secret"), "{}", e.message);
    assert!(!e.to_string().contains("bad!secret"));
}

#[test]
fn knsupdate_commands() {
    let k = |line: &str| parse_line(Dialect::Knsupdate, &ParseContext::default(), line);
    assert_eq!(k("").unwrap(), Command::Blank);
    assert_eq!(k(" ; x").unwrap(), Command::Comment);
    assert_eq!(k("exit").unwrap(), Command::Quit);
    assert_eq!(k("quit").unwrap(), Command::Quit);
    assert_eq!(
        k("origin example.test").unwrap(),
        Command::Origin(n("example.test."))
    );
    assert_eq!(
        k("zone example.test.").unwrap(),
        Command::Zone(n("example.test."))
    );
    assert_eq!(k("ttl 60").unwrap(), Command::Ttl(Some(60)));
    assert_eq!(k("class IN").unwrap(), Command::Class(DNSClass::IN));
    assert_eq!(
        k("server 127.0.0.1 5353").unwrap(),
        Command::Server {
            host: "127.0.0.1".into(),
            port: Some(5353)
        }
    );
    assert!(matches!(
        k("key hmac-sha256:k c2VjcmV0").unwrap(),
        Command::Key(_)
    ));
    // Captured from knsupdate 3.2.6.
    let e = k("SHOW").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownCommand);
    assert_eq!(e.nsupdate_text, ";; ERROR: unexpected literal: 'SHOW'");
    assert_eq!(
        k("ttl none").unwrap_err().nsupdate_text,
        ";; ERROR: failed to parse ttl 'none'"
    );
    assert_eq!(k("help").unwrap_err().kind, ErrorKind::UnknownCommand);
    assert_eq!(
        k("gsstsig").unwrap_err().nsupdate_text,
        ";; ERROR: gsstsig not supported"
    );
    assert_eq!(k("realm X").unwrap_err().kind, ErrorKind::Unsupported);
    assert_eq!(
        k("key k").unwrap_err().nsupdate_text,
        ";; ERROR: invalid key specification"
    );
}
