//! Source configuration (TOML, as the daemon reads it) and labels.

use std::net::SocketAddr;

use crate::ip::source::{DnsEcho, SourceSpec, describe, dns_servers};
use crate::ip::{Family, Suffix};

#[derive(Debug, serde::Deserialize)]
struct Config {
    source: Vec<SourceSpec>,
}

fn parse(text: &str) -> Result<Vec<SourceSpec>, String> {
    toml::from_str::<Config>(text)
        .map(|c| c.source)
        .map_err(|e| e.to_string())
}

#[test]
fn every_kind_from_toml() {
    let sources = parse(
        r#"
        [[source]]
        type = "http"
        [[source]]
        type = "http"
        urls = ["https://echo.example/ip"]
        ca_file = "/etc/dnsup/echo-ca.pem"
        [[source]]
        type = "dns"
        kind = "opendns"
        [[source]]
        type = "dns"
        kind = "cloudflare"
        servers = ["127.0.0.1:5353", "[::1]:53"]
        [[source]]
        type = "interface"
        name = "eth0"
        [[source]]
        type = "command"
        argv = ["/usr/local/bin/wan-ip", "--wan", "1"]
        timeout_secs = 5
        [[source]]
        type = "static"
        address = "2001:db8::1"
        [[source]]
        type = "prefix"
        interface = "eth0"
        prefix_len = 56
        suffix = "aa:bb:cc:dd:ee:ff"
        "#,
    )
    .unwrap();
    assert_eq!(sources.len(), 8);
    assert_eq!(
        sources[0],
        SourceSpec::Http {
            urls: None,
            ca_file: None
        }
    );
    assert_eq!(
        sources[3],
        SourceSpec::Dns {
            kind: DnsEcho::Cloudflare,
            servers: Some(vec![
                "127.0.0.1:5353".parse::<SocketAddr>().unwrap(),
                "[::1]:53".parse().unwrap()
            ]),
        }
    );
    assert_eq!(
        sources[7],
        SourceSpec::Prefix {
            interface: Some("eth0".into()),
            prefix_len: 56,
            suffix: Suffix::Eui64([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
        }
    );
    let labels: Vec<String> = sources.iter().map(describe).collect();
    assert_eq!(
        labels,
        [
            "http (built-in services)",
            "http https://echo.example/ip",
            "dns opendns",
            "dns cloudflare @127.0.0.1:5353 (+1 more)",
            "interface eth0",
            "command /usr/local/bin/wan-ip",
            "static 2001:db8::1",
            "prefix /56 of eth0 + aa:bb:cc:dd:ee:ff",
        ]
    );
}

#[test]
fn mistakes_are_refused() {
    let unknown_field = parse("[[source]]\ntype = \"static\"\naddress = \"192.0.2.1\"\nttl = 5\n");
    assert!(unknown_field.unwrap_err().contains("unknown field `ttl`"));
    let unknown_type = parse("[[source]]\ntype = \"ftp\"\n");
    assert!(unknown_type.unwrap_err().contains("unknown variant `ftp`"));
    let unknown_kind = parse("[[source]]\ntype = \"dns\"\nkind = \"quad9\"\n");
    assert!(
        unknown_kind
            .unwrap_err()
            .contains("unknown variant `quad9`")
    );
    let bad_suffix = parse("[[source]]\ntype = \"prefix\"\nprefix_len = 64\nsuffix = \"eth0\"\n");
    assert!(
        bad_suffix
            .unwrap_err()
            .contains("neither an IPv6 host suffix")
    );
    let no_argv = parse("[[source]]\ntype = \"command\"\n");
    assert!(no_argv.unwrap_err().contains("missing field `argv`"));
}

#[test]
fn labels_hide_tokens_and_arguments() {
    let spec = SourceSpec::Http {
        urls: Some(vec![
            "https://me:pw@echo.example/ip?key=SECRET".into(),
            "https://other.example/".into(),
        ]),
        ca_file: None,
    };
    assert_eq!(describe(&spec), "http https://echo.example/ip?… (+1 more)");
    let spec = SourceSpec::Command {
        argv: vec!["curl".into(), "-H".into(), "Authorization: SECRET".into()],
        timeout: None,
    };
    assert_eq!(describe(&spec), "command curl");
}

#[test]
fn builtin_dns_servers_match_the_family() {
    for kind in [DnsEcho::OpenDns, DnsEcho::Cloudflare, DnsEcho::Google] {
        for family in Family::ALL {
            let servers = dns_servers(kind, family);
            assert_eq!(servers.len(), 2);
            assert!(
                servers
                    .iter()
                    .all(|s| Family::of(s.ip()) == family && s.port() == 53)
            );
        }
    }
    assert_eq!(
        dns_servers(DnsEcho::OpenDns, Family::V6)[0].to_string(),
        "[2620:119:35::35]:53"
    );
    assert_eq!(
        dns_servers(DnsEcho::Google, Family::V6)[0].to_string(),
        "[2001:4860:4802:32::a]:53"
    );
}

#[test]
fn family_serde_names() {
    assert_eq!(serde_json::to_string(&Family::V4).unwrap(), "\"ipv4\"");
    assert_eq!(
        serde_json::from_str::<Family>("\"ipv6\"").unwrap(),
        Family::V6
    );
    assert_eq!(Family::of("::ffff:192.0.2.1".parse().unwrap()), Family::V6);
    assert_eq!(Family::V6.to_string(), "IPv6");
    assert_eq!(Family::V4.record_type(), "A");
}
