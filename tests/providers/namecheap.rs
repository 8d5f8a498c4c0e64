//! The Namecheap dynamic DNS adapter against a fake that checks every request against
//! Namecheap's "dynamically update the host's IP with an HTTP request" article.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::namecheap::{Config, Namecheap};
use dnsup::provider::{DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};

use super::fake::{FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const PASSWORD: &str = "0123456789abcdef0123456789abcdef";

/// Hosts set up as "A + Dynamic DNS Record" in the fake account.
const DYNAMIC_HOSTS: &[&str] = &["suite", "rate", "auth", "@", "*"];

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn answer(ip: Option<&str>, error: Option<&str>) -> FakeResponse {
    let body = match error {
        None => format!(
            "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<interface-response>\r\n  <Command>SETDNSHOST</Command>\r\n  <Language>eng</Language>\r\n  <IP>{}</IP>\r\n  <ErrCount>0</ErrCount>\r\n  <errors />\r\n  <ResponseCount>0</ResponseCount>\r\n  <responses />\r\n  <Done>true</Done>\r\n  <debug><![CDATA[]]></debug>\r\n</interface-response>",
            ip.unwrap_or_default()
        ),
        Some(e) => format!(
            "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<interface-response>\r\n  <Command>SETDNSHOST</Command>\r\n  <Language>eng</Language>\r\n  <ErrCount>1</ErrCount>\r\n  <errors>\r\n    <Err1>{e}</Err1>\r\n  </errors>\r\n  <ResponseCount>1</ResponseCount>\r\n  <responses>\r\n    <response>\r\n      <ResponseNumber>304156</ResponseNumber>\r\n      <ResponseString>Validation error; invalid ; password</ResponseString>\r\n    </response>\r\n  </responses>\r\n  <Done>true</Done>\r\n  <debug><![CDATA[]]></debug>\r\n</interface-response>"
        ),
    };
    FakeResponse::xml(200, &body)
}

fn handler(
    store: Arc<Mutex<Store>>,
) -> impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send {
    move |r: &FakeRequest| {
        if r.method != "GET" || r.path != "/update" {
            return Err(format!("{} {}: updates are GET /update", r.method, r.path));
        }
        r.expect_user_agent()?;
        let mut names: Vec<&str> = r.query.iter().map(|(k, _)| k.as_str()).collect();
        names.sort();
        if names != ["domain", "host", "ip", "password"] {
            return Err(format!(
                "parameters should be host, domain, password, ip; got {names:?}"
            ));
        }
        let s = &mut store.lock().unwrap();
        let domain = r.param("domain").unwrap();
        if domain != s.zone {
            return Ok(answer(None, Some("Domain name not found")));
        }
        if r.param("password") != Some(PASSWORD) {
            return Ok(answer(None, Some("Passwords do not match")));
        }
        let host = r.param("host").unwrap();
        if host.is_empty() || host.ends_with('.') || host.ends_with(domain) {
            return Err(format!(
                "host should be relative to the domain (@ for the apex): {host:?}"
            ));
        }
        let ip = r.param("ip").unwrap();
        let ip: std::net::Ipv4Addr = ip.parse().map_err(|_| format!("ip={ip} should be IPv4"))?;
        if !DYNAMIC_HOSTS.contains(&host) {
            return Ok(answer(
                None,
                Some("No Records updated. A record not Found;"),
            ));
        }
        let name = if host == "@" {
            s.zone.clone()
        } else {
            format!("{host}.{}", s.zone)
        };
        s.set(&name, "A", 1799, &[ip.to_string()]);
        Ok(answer(Some(&ip.to_string()), None))
    }
}

fn start(password: &str) -> (Env, Namecheap) {
    Env::start("example.test", handler, |fake, secrets| {
        let mut c: Config = config(&format!(
            "domain = \"example.test\"\npassword = {}",
            secrets.file("password", password)
        ));
        c.http = fake.settings("/update");
        Namecheap::new(&c, &mut Setup::default()).unwrap()
    })
}

#[test]
fn namecheap_passes_the_suite() {
    let (e, p) = start(PASSWORD);
    store_passes_the_suite(&p, zone(), &e.store, |s| s, &e.fake);
}

#[test]
fn namecheap_honours_rate_limits() {
    let (e, p) = start(PASSWORD);
    store_honours_rate_limits(&p, zone(), &e.store, |s| s, &e.fake);
}

#[test]
fn namecheap_bad_credentials() {
    let (e, p) = start("ffffffffffffffffffffffffffffffff");
    refuses_bad_credentials(&p, &zone(), "ffffffffffffffffffffffffffffffff", &e.fake);
}

#[test]
fn namecheap_hosts_and_errors() {
    let (e, p) = start(PASSWORD);
    // The apex is `@`, the wildcard `*`.
    for (name, host) in [("example.test.", "@"), ("*.example.test.", "*")] {
        e.fake.clear();
        block(p.replace(
            &zone(),
            &key(name, RecordType::A),
            &[],
            &[v("192.0.2.7")],
            60,
        ))
        .unwrap();
        assert_eq!(e.fake.requests()[0].param("host"), Some(host));
    }
    // A host that is not a dynamic record is refused with Namecheap's message.
    let err = block(p.replace(
        &zone(),
        &key("nodyn.example.test.", RecordType::A),
        &[],
        &[v("192.0.2.7")],
        60,
    ))
    .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("A record not Found")),
        "{err}"
    );
    // Garbage answers are bad answers, never a panic.
    for body in [
        "",
        "<html>",
        "<ErrCount>1",
        "<interface-response><ErrCount>2</ErrCount>",
    ] {
        e.fake.inject(FakeResponse::xml(200, body));
        let err = block(p.replace(
            &zone(),
            &key("suite.example.test.", RecordType::A),
            &[],
            &[v("192.0.2.8")],
            60,
        ))
        .unwrap_err();
        assert!(
            matches!(err, ProviderError::Protocol(_) | ProviderError::Refused(_)),
            "{body:?}: {err}"
        );
    }
    // AAAA and TXT are refused before anything is sent.
    e.fake.clear();
    let err = block(p.replace(
        &zone(),
        &key("suite.example.test.", RecordType::AAAA),
        &[],
        &[v("2001:db8::1")],
        60,
    ))
    .unwrap_err();
    assert!(matches!(err, ProviderError::Unsupported(_)), "{err}");
    assert!(matches!(
        block(p.find_zone(&Name::from_str("a.other.test.").unwrap())),
        Err(ProviderError::Refused(_))
    ));
    assert!(e.fake.requests().is_empty());
    e.fake.assert_clean();
}
