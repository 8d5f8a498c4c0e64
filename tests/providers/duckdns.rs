//! The DuckDNS adapter against a fake that checks every request against
//! <https://www.duckdns.org/spec.jsp>.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::duckdns::{Config, DuckDns};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};

use super::fake::{FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const TOKEN: &str = "a7c4d0ad-114e-40ef-ba1d-d217904a50f2";

fn zone() -> Name {
    Name::from_str("duckdns.org.").unwrap()
}

/// A text as DNS serves it: 255-byte strings, quoted.
pub fn presented(text: &str) -> String {
    let bytes = text.as_bytes();
    let chunks: Vec<&[u8]> = if bytes.is_empty() {
        vec![&[][..]]
    } else {
        bytes.chunks(255).collect()
    };
    chunks
        .iter()
        .map(|c| {
            let mut s = String::from("\"");
            for &b in *c {
                match b {
                    b'"' | b'\\' => {
                        s.push('\\');
                        s.push(b as char);
                    }
                    0x20..=0x7e => s.push(b as char),
                    _ => s.push_str(&format!("\\{b:03}")),
                }
            }
            s.push('"');
            s
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn handler(
    store: Arc<Mutex<Store>>,
) -> impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send {
    move |r: &FakeRequest| {
        if r.method != "GET" || r.path != "/update" {
            return Err(format!("{} {}: updates are GET /update", r.method, r.path));
        }
        r.expect_user_agent()?;
        for (k, _) in &r.query {
            if !["domains", "token", "ip", "ipv6", "txt", "verbose", "clear"].contains(&k.as_str())
            {
                return Err(format!("unexpected parameter {k}"));
            }
            if r.query.iter().filter(|(n, _)| n == k).count() > 1 {
                return Err(format!("parameter {k} given twice"));
            }
        }
        let domains = r.param("domains").ok_or("domains is required")?;
        let token = r.param("token").ok_or("token is required")?;
        if r.param("verbose") != Some("true") {
            return Err("dnsup asks verbose=true".into());
        }
        if r.param("clear").is_some() {
            return Err("clear=true clears both addresses: never sent".into());
        }
        if domains.is_empty()
            || domains.contains(['.', ','])
            || domains != domains.to_ascii_lowercase()
        {
            return Err(format!("domains should be one sub-name, got {domains:?}"));
        }
        let which: Vec<&str> = ["ip", "ipv6", "txt"]
            .into_iter()
            .filter(|p| r.param(p).is_some())
            .collect();
        if which.len() != 1 {
            return Err(format!("one of ip / ipv6 / txt per update, got {which:?}"));
        }
        if token != TOKEN || !["suite", "rate", "auth", "home"].contains(&domains) {
            return Ok(FakeResponse::text(200, "KO"));
        }
        let name = format!("{domains}.duckdns.org");
        let mut s = store.lock().unwrap();
        let (v4, v6) = (
            s.find(&name, "A")
                .first()
                .map(|r| r.content.clone())
                .unwrap_or_default(),
            s.find(&name, "AAAA")
                .first()
                .map(|r| r.content.clone())
                .unwrap_or_default(),
        );
        match which[0] {
            "ip" => {
                let ip = r.param("ip").unwrap();
                let ip: std::net::IpAddr = ip
                    .parse()
                    .map_err(|_| format!("ip={ip} is not an address"))?;
                let rtype = if ip.is_ipv4() { "A" } else { "AAAA" };
                s.set(&name, rtype, 60, &[ip.to_string()]);
                let (a, aaaa) = if ip.is_ipv4() {
                    (ip.to_string(), v6)
                } else {
                    (v4, ip.to_string())
                };
                Ok(FakeResponse::text(
                    200,
                    &format!("OK\n{a}\n{aaaa}\nUPDATED"),
                ))
            }
            "ipv6" => {
                let ip = r.param("ipv6").unwrap();
                let ip: std::net::Ipv6Addr =
                    ip.parse().map_err(|_| format!("ipv6={ip} is not IPv6"))?;
                s.set(&name, "AAAA", 60, &[ip.to_string()]);
                Ok(FakeResponse::text(200, &format!("OK\n{v4}\n{ip}\nUPDATED")))
            }
            _ => {
                let txt = r.param("txt").unwrap();
                s.set(&name, "TXT", 60, &[presented(txt)]);
                Ok(FakeResponse::text(200, &format!("OK\n{txt}\nUPDATED")))
            }
        }
    }
}

fn start(token: &str) -> (Env, DuckDns) {
    Env::start("duckdns.org", handler, |fake, secrets| {
        let mut c: Config = config(&format!("token = {}", secrets.file("token", token)));
        c.http = fake.settings("/update");
        DuckDns::new(&c, &mut Setup::default()).unwrap()
    })
}

#[test]
fn duckdns_passes_the_suite() {
    let (e, p) = start(TOKEN);
    store_passes_the_suite(&p, zone(), &e.store, |s| s, &e.fake);
}

#[test]
fn duckdns_honours_rate_limits() {
    let (e, p) = start(TOKEN);
    store_honours_rate_limits(&p, zone(), &e.store, |s| s, &e.fake);
}

#[test]
fn duckdns_bad_credentials() {
    let (e, p) = start("00000000-0000-0000-0000-000000000000");
    refuses_bad_credentials(&p, &zone(), "00000000-0000-0000-0000-000000000000", &e.fake);
}

#[test]
fn duckdns_names_and_txt() {
    let (e, p) = start(TOKEN);
    // The ACME challenge name maps to its DuckDNS sub-domain.
    let k = key("_acme-challenge.home.duckdns.org.", RecordType::TXT);
    assert_eq!(
        block(p.replace(&zone(), &k, &[], &[txt("\"challenge-token_1\"")], 60)).unwrap(),
        Applied::Done
    );
    assert_eq!(e.fake.requests()[0].param("domains"), Some("home"));
    assert_eq!(e.fake.requests()[0].param("txt"), Some("challenge-token_1"));
    // Addresses only for SUB.duckdns.org itself; other zones are refused; nothing is sent.
    e.fake.clear();
    for name in ["a.home.duckdns.org.", "home.example.org."] {
        let err = block(p.replace(
            &zone(),
            &key(name, RecordType::A),
            &[],
            &[v("192.0.2.1")],
            60,
        ))
        .unwrap_err();
        assert!(matches!(err, ProviderError::Refused(_)), "{name}: {err}");
    }
    assert!(matches!(
        block(p.find_zone(&Name::from_str("x.example.org.").unwrap())),
        Err(ProviderError::Refused(_))
    ));
    // No delete (clear=true would drop A and AAAA together).
    let err = block(p.replace(&zone(), &k, &[txt("x")], &[], 60)).unwrap_err();
    assert!(matches!(err, ProviderError::Unsupported(_)), "{err}");
    assert!(e.fake.requests().is_empty());
    // An unknown sub-domain answers KO.
    let err = block(p.replace(
        &zone(),
        &key("other.duckdns.org.", RecordType::A),
        &[],
        &[v("192.0.2.1")],
        60,
    ))
    .unwrap_err();
    assert!(matches!(err, ProviderError::Auth(_)), "{err}");
    assert!(!format!("{err:?}").contains(TOKEN));
    e.fake.assert_clean();
}
