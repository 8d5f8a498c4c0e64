//! Configuration parsing: good files, and errors that say where and what.

use std::path::Path;
use std::time::Duration;

use super::*;

const GOOD: &str = r#"
interval = "2m"
state_file = "/tmp/state.json"

[providers.home]
type = "rfc2136"
servers = ["127.0.0.1:5353"]
key_file = "/etc/dnsup/ddns.key"

[sources.fixed]
type = "static"
address = "192.0.2.1"

[sources.script]
type = "command"
argv = ["/usr/local/bin/my-ip"]

[[records]]
name = "home.example.test"
zone = "example.test"
provider = "home"
ipv4 = ["fixed", "script"]
ttl = 60
"#;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("dnsup.toml"))
}

#[test]
fn a_good_file_with_defaults() {
    let c = parse(GOOD).unwrap();
    assert_eq!(c.interval, Duration::from_secs(120));
    assert_eq!(c.force_refresh, Duration::from_secs(86_400));
    assert_eq!(c.debounce, Duration::from_millis(20));
    assert_eq!(c.records[0].ttl, 60);
    assert_eq!(c.records[0].ipv4, ["fixed", "script"]);
    assert!(c.records[0].ipv6.is_empty());
}

#[test]
fn unknown_keys_name_the_line() {
    let text = GOOD.replace("ttl = 60", "ttl = 60\ncolour = \"blue\"");
    let e = parse(&text).unwrap_err();
    assert_eq!(e.line, Some(24), "{e}");
    assert!(e.message.contains("colour"), "{e}");
    assert!(e.to_string().starts_with("dnsup.toml:24: "), "{e}");
}

#[test]
fn bad_values_name_the_line() {
    let text = GOOD.replace("interval = \"2m\"", "interval = \"2 fortnights\"");
    let e = parse(&text).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    // Inside a tagged source the line is that of the source's table.
    let text = GOOD.replace("address = \"192.0.2.1\"", "address = \"192.0.2.300\"");
    assert_eq!(parse(&text).unwrap_err().line, Some(10));
}

#[test]
fn cross_references_are_checked() {
    let e = parse(&GOOD.replace("provider = \"home\"", "provider = \"away\"")).unwrap_err();
    assert!(
        e.message
            .contains("no provider named 'away' (defined: home)"),
        "{e}"
    );
    let e = parse(&GOOD.replace("[\"fixed\", \"script\"]", "[\"fixed\", \"nope\"]")).unwrap_err();
    assert!(e.message.contains("no source named 'nope'"), "{e}");
    let e = parse(&GOOD.replace("ttl = 60", "ttl = 60\nagree = 3")).unwrap_err();
    assert!(e.message.contains("agree = 3 but 2 sources"), "{e}");
}

#[test]
fn secrets_cannot_be_inline() {
    let text = GOOD.replace(
        "key_file = \"/etc/dnsup/ddns.key\"",
        "secret = \"c2VjcmV0\"",
    );
    let e = parse(&text).unwrap_err();
    assert!(e.message.contains("secret"), "{e}");
    assert!(
        !e.to_string().contains("c2VjcmV0"),
        "the value must not be echoed: {e}"
    );
}

#[test]
fn durations() {
    assert_eq!(parse_duration("200ms").unwrap(), Duration::from_millis(200));
    assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
    assert_eq!(parse_duration("1d").unwrap(), Duration::from_secs(86_400));
    assert!(parse_duration("5 m").is_err());
    assert!(parse_duration("m").is_err());
    assert!(parse_duration("99999999999999999999d").is_err());
}

/// Fuzzing (daemon_config target): `interval = 9223372036854775807` (seconds, as an integer)
/// was accepted, and the daemon panicked ("overflow when adding duration to instant") when it
/// set its next wake-up after the first pass. Integers now have the bound of the text form.
#[test]
fn huge_durations_are_refused() {
    let text = GOOD.replace("interval = \"2m\"", "interval = 9223372036854775807");
    let e = parse(&text).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("too long"), "{e}");
    // Long values that parse are still refused by the bounds: a typo never disables a timer.
    let longest = format!("interval = {}", u64::MAX / 1000);
    for text in [
        GOOD.replace("interval = \"2m\"", &longest),
        GOOD.replace(
            "interval = \"2m\"",
            &format!("interval = \"{}ms\"", u64::MAX),
        ),
    ] {
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("must be between 1s and 7d"), "{e}");
    }
}

#[test]
fn unknown_fields_in_tagged_tables_name_their_own_line() {
    let text =
        "[providers.lab]\ntype = \"rfc2136\"\nservers = [\"127.0.0.1\"]\n\n key_fil = \"/x\"\n";
    let e = Config::parse(text, Path::new("c.toml")).unwrap_err();
    assert_eq!(e.line, Some(5), "{e}");
    assert!(e.message.contains("unknown field `key_fil`"), "{e}");
}
