//! The PowerDNS provider against a real `pdns_server` (SQLite backend, HTTP API on loopback).
//! The truth is what PowerDNS answers on DNS (a query through the RFC 2136 provider's read),
//! besides the adapter's own read through the API.

use std::str::FromStr;
use std::time::Duration;

use dnsup::provider::build::Setup;
use dnsup::provider::powerdns::{Config, PowerDns};
use dnsup::provider::{Applied, DynProvider, ProviderError, Rfc2136, RrsetKey};
use dnsup::transport;
use hickory_proto::rr::{Name, RecordType};

use super::suite::*;
use crate::common::Pdns;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

/// A provider for `pdns` using `key` as the API key (from a mode-0600 file).
fn provider(pdns: &Pdns, key: &str) -> (PowerDns, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("api.key");
    std::fs::write(&file, format!("{key}\n")).unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let text = format!(
        "url = \"{}\"\napi_key = {{ file = \"{}\" }}\nserver_id = \"localhost\"\n",
        pdns.api_url(),
        file.display()
    );
    let config: Config = toml::from_str(&text).unwrap();
    let mut setup = Setup::default();
    let p = PowerDns::new(&config, &mut setup).unwrap();
    assert!(setup.warnings.is_empty(), "{:?}", setup.warnings);
    (p, dir)
}

/// What PowerDNS answers on DNS.
fn dns(pdns: &Pdns) -> Rfc2136 {
    Rfc2136 {
        servers: vec![pdns.addr()],
        key: None,
        config: transport::Config {
            udp_interval: Duration::from_secs(1),
            udp_retries: 2,
            timeout: Duration::from_secs(5),
            ..transport::Config::default()
        },
        gss: None,
    }
}

/// The RRset through the API, as PowerDNS stores it (disabled records and comments included).
fn api_rrset(pdns: &Pdns, name: &str, rtype: &str) -> Option<serde_json::Value> {
    let (status, body) = pdns.api(
        "GET",
        // Unfiltered: PowerDNS 4.7 leaves disabled records out of a filtered answer.
        "/api/v1/servers/localhost/zones/example.test.",
        None,
    );
    assert_eq!(status, 200, "{body}");
    let zone: serde_json::Value = serde_json::from_str(&body).unwrap();
    zone["rrsets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name && s["type"] == rtype)
        .cloned()
}

fn api_patch(pdns: &Pdns, rrset: serde_json::Value) {
    let body = serde_json::json!({ "rrsets": [rrset] }).to_string();
    let (status, answer) = pdns.api(
        "PATCH",
        "/api/v1/servers/localhost/zones/example.test.",
        Some(&body),
    );
    assert_eq!(status, 204, "{answer}");
}

#[test]
fn powerdns_passes_the_suite() {
    let pdns = Pdns::start();
    let (p, _dir) = provider(&pdns, pdns.api_key());
    // A bystander at the suite's own name (another type), with a comment.
    api_patch(
        &pdns,
        serde_json::json!({"name": "suite.example.test.", "type": "MX", "ttl": 300,
            "changetype": "REPLACE",
            "records": [{"content": "10 mail.example.test.", "disabled": false}],
            "comments": [{"content": "keep me", "account": "ops"}]}),
    );
    let truth = dns(&pdns);
    let read = |k: &RrsetKey| block(DynProvider::read(&truth, &zone(), k)).unwrap();
    let subject = Subject {
        provider: &p,
        zone: zone(),
        truth: &read,
    };
    let bystanders = || {
        let dns: Vec<_> = [
            key("www.example.test.", RecordType::A),
            key("www.example.test.", RecordType::AAAA),
            key("example.test.", RecordType::NS),
            key("example.test.", RecordType::MX),
            key("example.test.", RecordType::TXT),
            key("alias.example.test.", RecordType::CNAME),
            key("suite.example.test.", RecordType::MX),
        ]
        .map(|k| read(&k))
        .into();
        (dns, api_rrset(&pdns, "suite.example.test.", "MX"))
    };
    behaviour_suite(&subject, &bystanders);
}

#[test]
fn powerdns_bad_api_key_is_an_auth_error() {
    let pdns = Pdns::start();
    let secret = "0123456789abcdef-not-the-key";
    let (p, _dir) = provider(&pdns, secret);
    bad_credentials_are_an_auth_error(&p, &zone(), secret);
    let err = block(DynProvider::find_zone(
        &p,
        &Name::from_str("www.example.test.").unwrap(),
    ))
    .unwrap_err();
    assert!(matches!(err, ProviderError::Auth(_)), "{err}");
}

#[test]
fn powerdns_finds_zones_and_names_a_zone_it_does_not_have() {
    let pdns = Pdns::start();
    let (p, _dir) = provider(&pdns, pdns.api_key());
    let found = block(DynProvider::find_zone(
        &p,
        &Name::from_str("a.b.www.example.test.").unwrap(),
    ))
    .unwrap();
    assert_eq!(found, zone());

    let other = Name::from_str("other.test.").unwrap();
    let err = block(DynProvider::find_zone(
        &p,
        &Name::from_str("www.other.test.").unwrap(),
    ))
    .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("www.other.test.")),
        "{err}"
    );
    let k = key("www.other.test.", RecordType::A);
    for err in [
        block(DynProvider::read(&p, &other, &k)).unwrap_err(),
        block(DynProvider::replace(
            &p,
            &other,
            &k,
            &[],
            &[v("192.0.2.1")],
            60,
        ))
        .unwrap_err(),
    ] {
        assert!(
            matches!(&err, ProviderError::Refused(m) if m.contains("has no zone other.test.")),
            "{err}"
        );
    }
}

#[test]
fn powerdns_keeps_comments_and_disabled_records() {
    let pdns = Pdns::start();
    let (p, _dir) = provider(&pdns, pdns.api_key());
    let truth = dns(&pdns);
    let k = key("keep.example.test.", RecordType::A);
    api_patch(
        &pdns,
        serde_json::json!({"name": "keep.example.test.", "type": "A", "ttl": 300,
            "changetype": "REPLACE",
            "records": [{"content": "192.0.2.10", "disabled": false},
                        {"content": "192.0.2.99", "disabled": true}],
            "comments": [{"content": "parked .99", "account": "ops"}]}),
    );
    // Only what DNS serves is read.
    let got = block(DynProvider::read(&p, &zone(), &k)).unwrap();
    assert_eq!(got.values, [v("192.0.2.10")]);
    assert_eq!(got.ttl, Some(300));
    assert_eq!(block(DynProvider::read(&truth, &zone(), &k)).unwrap(), got);

    // A replace keeps the disabled record and the comment.
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("192.0.2.10")],
            &[v("192.0.2.11")],
            60
        ))
        .unwrap(),
        Applied::Done
    );
    let set = api_rrset(&pdns, "keep.example.test.", "A").unwrap();
    assert_eq!(set["ttl"], 60);
    assert_eq!(
        set["records"],
        serde_json::json!([{"content": "192.0.2.11", "disabled": false},
                           {"content": "192.0.2.99", "disabled": true}])
    );
    assert_eq!(set["comments"][0]["content"], "parked .99");
    assert_eq!(
        block(DynProvider::read(&truth, &zone(), &k))
            .unwrap()
            .values,
        [v("192.0.2.11")]
    );

    // A new value equal to the disabled one enables it.
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("192.0.2.11")],
            &[v("192.0.2.99")],
            60
        ))
        .unwrap(),
        Applied::Done
    );
    let set = api_rrset(&pdns, "keep.example.test.", "A").unwrap();
    assert_eq!(
        set["records"],
        serde_json::json!([{"content": "192.0.2.99", "disabled": false}])
    );

    // An RRset of only disabled records reads as absent; deleting keeps them.
    api_patch(
        &pdns,
        serde_json::json!({"name": "keep.example.test.", "type": "A", "ttl": 60,
            "changetype": "REPLACE",
            "records": [{"content": "192.0.2.10", "disabled": false},
                        {"content": "192.0.2.98", "disabled": true}]}),
    );
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("192.0.2.10")],
            &[],
            60
        ))
        .unwrap(),
        Applied::Done
    );
    assert!(
        block(DynProvider::read(&p, &zone(), &k))
            .unwrap()
            .values
            .is_empty()
    );
    assert!(
        block(DynProvider::read(&truth, &zone(), &k))
            .unwrap()
            .values
            .is_empty()
    );
    let set = api_rrset(&pdns, "keep.example.test.", "A").unwrap();
    assert_eq!(
        set["records"],
        serde_json::json!([{"content": "192.0.2.98", "disabled": true}])
    );
    // ... and a create guarded by "absent" works over them.
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("192.0.2.12")],
            60
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        block(DynProvider::read(&truth, &zone(), &k))
            .unwrap()
            .values,
        [v("192.0.2.12")]
    );
}

#[test]
fn powerdns_api_refusals_carry_the_server_message() {
    let pdns = Pdns::start();
    let (p, _dir) = provider(&pdns, pdns.api_key());
    // A CNAME next to other data at the same name: PowerDNS answers 422 with {"error": ...}.
    let k = key("www.example.test.", RecordType::CNAME);
    let cname =
        dnsup::update::parse_rdata(RecordType::CNAME, "mail.example.test.", &zone()).unwrap();
    let err = block(DynProvider::replace(&p, &zone(), &k, &[], &[cname], 60)).unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("HTTP 422") && m.contains("CNAME")),
        "{err}"
    );
    assert!(!format!("{err:?}").contains(pdns.api_key()));
}
