//! Servercow DNS API against a fake that checks every request against the documentation,
//! <https://wiki.servercow.de/en/domains/dns_api/api-syntax>:
//!
//! - one URL per domain, `/dns/v1/domains/{domain}`;
//! - `X-Auth-Username` and `X-Auth-Password` headers and `Content-Type: application/json` on
//!   every request (no Authorization header);
//! - `GET` lists the domain's records, `[{name, ttl, type, content}]` (`content` a list for
//!   TXT/CAA/TLSA holding several values), `name` relative, empty for the apex;
//! - `POST` with `{type, name, content, ttl}` creates or replaces the record of that name and
//!   type; `DELETE` with `{type, name}` removes it; both answer `{"message": ...}`;
//! - errors are `{"error": ...}`, with HTTP 200.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::per_rrset::PerRrset;
use dnsup::provider::servercow::{Config, Servercow};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const USER: &str = "dnsapi_example";
const PASSWORD: &str = "servercow-pass-0123456789";

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(message: &str) -> FakeResponse {
    FakeResponse::json(200, json!({ "error": message }))
}

fn fqdn(name: &str) -> String {
    if name.is_empty() {
        "example.test".into()
    } else {
        format!("{name}.example.test")
    }
}

fn relative(name: &str) -> String {
    if name == "example.test" {
        String::new()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn fields(b: &Value, allowed: &[&str], required: &[&str]) -> Result<(), String> {
    let o = b.as_object().ok_or("the body is an object")?;
    for k in o.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("unexpected field {k}"));
        }
    }
    for k in required {
        if !o.contains_key(*k) {
            return Err(format!("missing field {k}"));
        }
    }
    let name = b["name"].as_str().ok_or("name is a string")?;
    if name == "@" || name.ends_with('.') || name.contains("example.test") {
        return Err(format!("name {name:?} is relative, empty for the apex"));
    }
    let t = b["type"].as_str().ok_or("type is a string")?;
    if !["TXT", "A", "AAAA", "CNAME", "TLSA", "CAA", "MX"].contains(&t) {
        return Err(format!("type {t:?} is not supported by the API"));
    }
    Ok(())
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    if r.header("authorization").is_some() {
        return Err("credentials go in X-Auth-Username/X-Auth-Password".into());
    }
    r.expect_header("content-type", "application/json")?;
    r.expect_header("x-auth-username", USER)?;
    match r.header("x-auth-password") {
        Some(PASSWORD) => {}
        Some(_) => return Ok(error("Authentication failed")),
        None => return Err("no X-Auth-Password".into()),
    }
    let domain = r
        .path
        .strip_prefix("/dns/v1/domains/")
        .ok_or(format!("{} is not a domain URL", r.path))?;
    if domain != "example.test" {
        return Ok(error("Domain not found or no permission"));
    }
    let mut s = state.lock().unwrap();
    match r.method.as_str() {
        "GET" => {
            if !r.body.is_empty() {
                return Err("GET takes no data".into());
            }
            let mut out: Vec<Value> = Vec::new();
            for rec in &s.store.records {
                out.push(json!({"name": relative(&rec.name), "ttl": rec.ttl, "type": rec.rtype, "content": rec.content}));
            }
            Ok(FakeResponse::json(200, Value::Array(out)))
        }
        "POST" => {
            let b = r.json()?;
            fields(
                &b,
                &["type", "name", "content", "ttl"],
                &["type", "name", "content"],
            )?;
            let t = b["type"].as_str().unwrap();
            let content = b["content"]
                .as_str()
                .ok_or("content is one string for A/AAAA/CNAME")?;
            let rt = RecordType::from_str(t).unwrap();
            if rt == RecordType::CNAME && !content.ends_with('.') {
                return Err(format!("CNAME {content:?} is written absolute"));
            }
            dnsup::update::parse_rdata(rt, content, &zone())
                .map_err(|e| format!("content {content:?}: {e}"))?;
            let ttl = b["ttl"].as_u64().ok_or("ttl is a number")? as u32;
            let name = fqdn(b["name"].as_str().unwrap());
            s.store.set(&name, t, ttl, &[content.to_string()]);
            Ok(FakeResponse::json(200, json!({"message": "ok"})))
        }
        "DELETE" => {
            let b = r.json()?;
            fields(&b, &["type", "name"], &["type", "name"])?;
            let name = fqdn(b["name"].as_str().unwrap());
            s.store.remove_set(&name, b["type"].as_str().unwrap());
            Ok(FakeResponse::json(200, json!({"message": "ok"})))
        }
        m => Err(format!("{m}: not a documented method")),
    }
}

fn start() -> (Fake, Shared) {
    serve(
        State {
            store: Store::new("example.test"),
        },
        handle,
    )
}

fn provider(fake: &Fake, password: &str) -> (PerRrset<Servercow>, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "domain = \"example.test\"\nusername = \"{USER}\"\npassword = {}\n{}",
        secrets.file("servercow.pw", password),
        http_table(fake, "/dns/v1")
    ));
    (
        PerRrset(Servercow::new(&config, &mut Setup::default()).unwrap()),
        secrets,
    )
}

#[test]
fn servercow_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn servercow_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn servercow_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "wrong-password-987654321";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

/// The apex is the empty name; an error answered with HTTP 200 is an error, never a success;
/// a name outside the configured domain is refused without a request.
#[test]
fn servercow_apex_and_errors_in_200() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    let apex = key("example.test.", RecordType::AAAA);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &apex,
            &[],
            &[v("2001:db8::7")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        state
            .lock()
            .unwrap()
            .store
            .find("example.test", "AAAA")
            .len(),
        1
    );
    let k = key("suite.example.test.", RecordType::A);
    fake.inject(error("Invalid record"));
    let err = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("Invalid record")),
        "{err}"
    );
    fake.clear();
    let err = block(DynProvider::find_zone(
        &p,
        &Name::from_str("x.other.test.").unwrap(),
    ))
    .unwrap_err();
    assert!(matches!(err, ProviderError::Refused(_)), "{err}");
    assert!(fake.requests().is_empty());
    fake.assert_clean();
}
