//! The dyndns2 adapter against a fake that checks every request against the dyndns2
//! specification (Dyn's "perform update", No-IP's integration guide, dynv6's Update API).

use std::os::unix::fs::PermissionsExt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use dnsup::provider::build::Setup;
use dnsup::provider::dyndns2::{Config, Dyndns2};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const USER: &str = "user@example.test";
const PASS: &str = "dyn-pass-0123456789";

fn secret_file(dir: &tempfile::TempDir, value: &str) -> String {
    let path = dir.path().join(format!("secret-{}", value.len()));
    std::fs::write(&path, value).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path.display().to_string()
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    /// `myip` for both families.
    Generic,
    /// No-IP: `myip` (IPv4) and `myipv6`.
    Noip,
    /// dynv6's Update API.
    Dynv6,
}

/// The documented request: GET, the path, Basic auth (or dynv6's token), the User-Agent, the
/// parameters and nothing else; the answer is the documented return code.
fn handler(
    store: Arc<Mutex<Store>>,
    dialect: Dialect,
) -> impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send {
    move |r: &FakeRequest| {
        if r.method != "GET" {
            return Err(format!("{} {}: updates are GET", r.method, r.path));
        }
        r.expect_user_agent()?;
        if !r.body.is_empty() {
            return Err("a GET update has no body".into());
        }
        let path = if dialect == Dialect::Dynv6 {
            "/api/update"
        } else {
            "/nic/update"
        };
        if r.path != path {
            return Err(format!("path should be {path}, got {}", r.path));
        }
        let allowed: &[&str] = match dialect {
            Dialect::Generic => &["hostname", "myip"],
            Dialect::Noip => &["hostname", "myip", "myipv6"],
            Dialect::Dynv6 => &["hostname", "token", "ipv4", "ipv6"],
        };
        for (k, _) in &r.query {
            if !allowed.contains(&k.as_str()) {
                return Err(format!("unexpected parameter {k}"));
            }
            if r.query.iter().filter(|(n, _)| n == k).count() > 1 {
                return Err(format!("parameter {k} given twice"));
            }
        }
        let host = r
            .param("hostname")
            .ok_or("hostname is required")?
            .to_string();
        if host.ends_with('.') || !host.contains('.') {
            return Err(format!(
                "hostname should be a FQDN without the final dot: {host}"
            ));
        }
        let (ip, ok_auth) = if dialect == Dialect::Dynv6 {
            if r.header("authorization").is_some() {
                return Err("dynv6 takes the token as a parameter, not Basic auth".into());
            }
            let token = r.param("token").ok_or("token is required")?;
            let ip = match (r.param("ipv4"), r.param("ipv6")) {
                (Some(v4), None) => v4
                    .parse::<std::net::Ipv4Addr>()
                    .map_err(|_| format!("ipv4={v4} is not IPv4"))?
                    .to_string(),
                (None, Some(v6)) => v6
                    .parse::<std::net::Ipv6Addr>()
                    .map_err(|_| format!("ipv6={v6} is not IPv6"))?
                    .to_string(),
                _ => return Err("exactly one of ipv4 / ipv6 per update".into()),
            };
            (ip, token == PASS)
        } else {
            let auth = r.header("authorization").ok_or("no Authorization header")?;
            let b64 = auth
                .strip_prefix("Basic ")
                .ok_or("Authorization should be Basic")?;
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| "Basic credentials are not base64")?;
            let raw = String::from_utf8(raw).map_err(|_| "credentials not UTF-8")?;
            let (u, p) = raw
                .split_once(':')
                .ok_or("credentials need user:password")?;
            let ip = match (dialect, r.param("myip"), r.param("myipv6")) {
                (Dialect::Generic, Some(ip), None) => ip
                    .parse::<std::net::IpAddr>()
                    .map_err(|_| format!("myip={ip} is not an address (one address per update)"))?
                    .to_string(),
                (Dialect::Noip, Some(ip), None) => ip
                    .parse::<std::net::Ipv4Addr>()
                    .map_err(|_| format!("No-IP: myip={ip} should be IPv4 (IPv6 goes in myipv6)"))?
                    .to_string(),
                (Dialect::Noip, None, Some(ip)) => ip
                    .parse::<std::net::Ipv6Addr>()
                    .map_err(|_| format!("myipv6={ip} is not IPv6"))?
                    .to_string(),
                _ => return Err("exactly one address parameter per update".into()),
            };
            (ip, u == USER && p == PASS)
        };
        if !ok_auth {
            return Ok(if dialect == Dialect::Dynv6 {
                FakeResponse::text(401, "invalid authentication token")
            } else {
                FakeResponse::text(200, "badauth")
            });
        }
        let mut s = store.lock().unwrap();
        if !host.ends_with(&format!(".{}", s.zone)) {
            return Ok(if dialect == Dialect::Dynv6 {
                FakeResponse::text(404, "zone not found")
            } else {
                FakeResponse::text(200, "nohost")
            });
        }
        let rtype = if ip.contains(':') { "AAAA" } else { "A" };
        let same = s
            .find(&host, rtype)
            .iter()
            .map(|r| r.content.clone())
            .collect::<Vec<_>>()
            == [ip.clone()];
        s.set(&host, rtype, 60, std::slice::from_ref(&ip));
        Ok(match (dialect, same) {
            (Dialect::Dynv6, true) => FakeResponse::text(200, "addresses unchanged"),
            (Dialect::Dynv6, false) => FakeResponse::text(200, "addresses updated"),
            (_, true) => FakeResponse::text(200, &format!("nochg {ip}")),
            (_, false) => FakeResponse::text(200, &format!("good {ip}")),
        })
    }
}

struct Setup2 {
    fake: Fake,
    store: Arc<Mutex<Store>>,
    dir: tempfile::TempDir,
}

fn start(dialect: Dialect) -> Setup2 {
    let store = Arc::new(Mutex::new(Store::new("example.test")));
    let fake = Fake::start(handler(store.clone(), dialect));
    Setup2 {
        fake,
        store,
        dir: tempfile::tempdir().unwrap(),
    }
}

fn provider(s: &Setup2, toml_text: &str, password: &str, path: &str) -> Dyndns2 {
    let file = secret_file(&s.dir, password);
    let mut c: Config =
        toml::from_str(&format!("{toml_text}\npassword = {{ file = {file:?} }}\n")).unwrap();
    c.http = s.fake.settings(path);
    Dyndns2::new(&c, &mut Setup::default()).unwrap()
}

fn run_suite(s: &Setup2, p: &Dyndns2) {
    passes_the_suite(
        p,
        zone(),
        |k| s.store.lock().unwrap().rrset(k),
        || s.store.lock().unwrap().bystanders(),
        &s.fake,
    );
}

#[test]
fn dyndns2_passes_the_suite() {
    let s = start(Dialect::Generic);
    // `url` (not the endpoint override) names the update URL.
    let file = secret_file(&s.dir, PASS);
    let mut c: Config = toml::from_str(&format!(
        "url = \"{}/nic/update\"\nusername = \"{USER}\"\npassword = {{ file = {file:?} }}\n",
        s.fake.url
    ))
    .unwrap();
    c.http = s.fake.settings("");
    c.http.endpoint = None;
    let p = Dyndns2::new(&c, &mut Setup::default()).unwrap();
    run_suite(&s, &p);
}

#[test]
fn dyndns2_noip_preset_passes_the_suite_with_myipv6() {
    let s = start(Dialect::Noip);
    let p = provider(
        &s,
        &format!("service = \"noip\"\nusername = \"{USER}\"\ncontact = \"ops@example.test\""),
        PASS,
        "/nic/update",
    );
    run_suite(&s, &p);
    let ua = s.fake.requests()[0]
        .header("user-agent")
        .unwrap()
        .to_string();
    assert!(
        ua.starts_with("dnsup/") && ua.ends_with(" ops@example.test"),
        "{ua}"
    );
}

#[test]
fn dyndns2_dynv6_preset_passes_the_suite() {
    let s = start(Dialect::Dynv6);
    let p = provider(&s, "service = \"dynv6\"", PASS, "/api/update");
    run_suite(&s, &p);
    let s2 = start(Dialect::Dynv6);
    let bad = provider(&s2, "service = \"dynv6\"", "wrong-token-000", "/api/update");
    refuses_bad_credentials(&bad, &zone(), "wrong-token-000", &s2.fake);
}

#[test]
fn dyndns2_honours_rate_limits() {
    let s = start(Dialect::Generic);
    let p = provider(&s, &format!("username = \"{USER}\""), PASS, "/nic/update");
    honours_rate_limits(&p, zone(), |k| s.store.lock().unwrap().rrset(k), &s.fake);
}

#[test]
fn dyndns2_bad_credentials() {
    let s = start(Dialect::Generic);
    let p = provider(
        &s,
        &format!("username = \"{USER}\""),
        "wrong-password-1",
        "/nic/update",
    );
    refuses_bad_credentials(&p, &zone(), "wrong-password-1", &s.fake);
}

#[test]
fn dyndns2_answer_codes() {
    let s = start(Dialect::Generic);
    let p = provider(&s, &format!("username = \"{USER}\""), PASS, "/nic/update");
    let k = key("home.example.test.", RecordType::A);
    let send = || block(p.replace(&zone(), &k, &[], &[v("192.0.2.10")], 60));
    type Check = fn(&ProviderError) -> bool;
    let cases: &[(u16, &str, Check)] = &[
        (200, "badauth", |e| matches!(e, ProviderError::Auth(_))),
        (401, "badauth", |e| matches!(e, ProviderError::Auth(_))),
        (200, "notfqdn", |e| matches!(e, ProviderError::Refused(_))),
        (200, "nohost", |e| matches!(e, ProviderError::Refused(_))),
        (200, "numhost", |e| matches!(e, ProviderError::Refused(_))),
        (200, "!donator", |e| matches!(e, ProviderError::Refused(_))),
        (200, "badagent", |e| matches!(e, ProviderError::Blocked(_))),
        (200, "abuse", |e| matches!(e, ProviderError::Blocked(_))),
        (200, "good 127.0.0.1", |e| {
            matches!(e, ProviderError::Blocked(_))
        }),
        (200, "911", |e| {
            matches!(e, ProviderError::Throttled(_, 1800))
        }),
        (200, "dnserr", |e| {
            matches!(e, ProviderError::Throttled(_, 1800))
        }),
        (200, "good 192.0.2.10\nabuse", |e| {
            matches!(e, ProviderError::Blocked(_))
        }),
        (200, "<html>oops</html>", |e| {
            matches!(e, ProviderError::Protocol(_))
        }),
        (502, "<html>bad gateway</html>", |e| {
            matches!(e, ProviderError::Network(_))
        }),
    ];
    for (status, body, check) in cases {
        s.fake.clear();
        s.fake.inject(FakeResponse::text(*status, body));
        let err = send().unwrap_err();
        assert!(check(&err), "{status} {body:?}: {err}");
        assert!(!format!("{err:?}").contains(PASS));
        // Blocked and fatal answers are never retried by the adapter itself.
        assert_eq!(s.fake.requests().len(), 1, "{body:?}");
    }
    s.fake.inject(FakeResponse::text(200, "nochg 192.0.2.10"));
    assert_eq!(send().unwrap(), Applied::Done);
    s.fake.assert_clean();
}

#[test]
fn dyndns2_refuses_what_the_protocol_cannot_do_before_sending() {
    let s = start(Dialect::Generic);
    let p = provider(&s, &format!("username = \"{USER}\""), PASS, "/nic/update");
    let k = key("home.example.test.", RecordType::A);
    assert!(matches!(
        block(p.replace(&zone(), &k, &[v("192.0.2.1")], &[], 60)),
        Err(ProviderError::Unsupported(_))
    ));
    assert!(matches!(
        block(p.find_zone(&k.name)),
        Err(ProviderError::Unsupported(m)) if m.contains("zone =")
    ));
    assert!(s.fake.requests().is_empty());
}
