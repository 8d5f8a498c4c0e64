//! Mythic Beasts Primary DNS API v2 against a fake that checks every request against the
//! documentation. Shapes from <https://www.mythic-beasts.com/support/api/dnsv2> and its
//! tutorial <https://www.mythic-beasts.com/support/api/dnsv2/tutorial>:
//!
//! - HTTP Basic authentication with the API key id as user and its secret as password;
//! - `GET /dns/v2/zones` answers `{"zones": ["example.com"]}`;
//! - `GET /dns/v2/zones/{zone}/records/{host}/{type}` answers
//!   `{"records": [{"data", "host", "ttl", "type"}]}`, `host` relative, `@` for the apex;
//! - `PUT` on the same selection with `{"records": [...]}` replaces what it selects and
//!   answers `{"records_added": N, "records_removed": M, "message": ...}`; `DELETE` removes
//!   it (`{"records_removed": M, ...}`);
//! - errors are `{"error": "..."}` with a 4xx status (403 for a key without permission).

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use dnsup::provider::build::Setup;
use dnsup::provider::mythicbeasts::{Config, MythicBeasts};
use dnsup::provider::per_rrset::PerRrset;
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const KEY_ID: &str = "abcd1234";
const SECRET: &str = "mb-secret-0123456789abcdef";

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn basic(secret: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{KEY_ID}:{secret}"))
}

fn error(status: u16, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({ "error": message }))
}

fn fqdn(host: &str) -> String {
    if host == "@" {
        "example.test".into()
    } else {
        format!("{host}.example.test")
    }
}

fn relative(name: &str) -> String {
    if name == "example.test" {
        "@".into()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if !r.expect_auth("Basic", &basic(SECRET))? {
        return Ok(error(401, "Authentication failed"));
    }
    let parts = r.parts("/dns/v2/")?;
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["zones"]) => Ok(FakeResponse::json(
            200,
            json!({"zones": ["a.test", "example.test"]}),
        )),
        (_, ["zones", z, ..]) if *z != "example.test" => Ok(error(404, "Zone not found")),
        (m, ["zones", _, "records", host, rtype]) => {
            if host.is_empty() || host.ends_with('.') || host.contains("example.test") {
                return Err(format!("host {host:?} is relative, @ for the apex"));
            }
            if RecordType::from_str(rtype).is_err() || rtype.to_uppercase() != *rtype {
                return Err(format!("type {rtype:?}"));
            }
            let name = fqdn(host);
            match m {
                "GET" => {
                    let records: Vec<Value> = s
                        .store
                        .find(&name, rtype)
                        .iter()
                        .map(|x| json!({"data": x.content, "host": relative(&x.name), "ttl": x.ttl, "type": x.rtype}))
                        .collect();
                    Ok(FakeResponse::json(200, json!({ "records": records })))
                }
                "PUT" => {
                    let b = r.json()?;
                    let list = b["records"].as_array().ok_or("records is a list")?;
                    if list.is_empty() {
                        return Err("PUT with no records: use DELETE".into());
                    }
                    let mut contents = Vec::new();
                    let mut ttl = 0;
                    for x in list {
                        for k in x.as_object().ok_or("a record is an object")?.keys() {
                            if !["host", "ttl", "type", "data"].contains(&k.as_str()) {
                                return Err(format!("unexpected field {k}"));
                            }
                        }
                        if x["host"] != *host || x["type"] != *rtype {
                            return Err(format!("record {x} outside the selection"));
                        }
                        let data = x["data"].as_str().ok_or("data is a string")?;
                        let rt = RecordType::from_str(rtype).unwrap();
                        if rt == RecordType::CNAME && !data.ends_with('.') {
                            return Err(format!("CNAME {data:?} would be relative to the zone"));
                        }
                        dnsup::update::parse_rdata(rt, data, &zone())
                            .map_err(|e| format!("data {data:?}: {e}"))?;
                        ttl = x["ttl"].as_u64().ok_or("ttl is a number")? as u32;
                        contents.push(data.to_string());
                    }
                    let removed = s.store.find(&name, rtype).len();
                    s.store.set(&name, rtype, ttl, &contents);
                    Ok(FakeResponse::json(
                        200,
                        json!({"message": format!("{} records added", contents.len()), "records_added": contents.len(), "records_removed": removed}),
                    ))
                }
                "DELETE" => {
                    if !r.body.is_empty() {
                        return Err("DELETE takes no body".into());
                    }
                    let removed = s.store.find(&name, rtype).len();
                    s.store.remove_set(&name, rtype);
                    Ok(FakeResponse::json(
                        200,
                        json!({"message": format!("{removed} records removed"), "records_removed": removed}),
                    ))
                }
                _ => Err(format!("{m} on a record selection")),
            }
        }
        _ => Err(format!(
            "{} {}: not a documented endpoint",
            r.method, r.path
        )),
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

fn provider(fake: &Fake, secret: &str) -> (PerRrset<MythicBeasts>, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "key_id = \"{KEY_ID}\"\nsecret = {}\n{}",
        secrets.file("mb.secret", secret),
        http_table(fake, "/dns/v2")
    ));
    (
        PerRrset(MythicBeasts::new(&config, &mut Setup::default()).unwrap()),
        secrets,
    )
}

#[test]
fn mythicbeasts_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, SECRET);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    // One PUT made the two-value RRset (not one call per value).
    assert!(fake.requests().iter().any(|r| r.method == "PUT"));
}

#[test]
fn mythicbeasts_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, SECRET);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn mythicbeasts_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "wrong-secret-9876543210";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn mythicbeasts_apex_is_at_and_cname_is_absolute() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, SECRET);
    let k = key("example.test.", RecordType::AAAA);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("2001:db8::5")],
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
    let c = key("alias.example.test.", RecordType::CNAME);
    let target =
        dnsup::update::parse_rdata(RecordType::CNAME, "www.example.test.", &zone()).unwrap();
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &c,
            &[],
            std::slice::from_ref(&target),
            300
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        block(DynProvider::read(&p, &zone(), &c)).unwrap().values,
        [target]
    );
    fake.assert_clean();
}

/// A documented refusal (403, a key without permission on the zone) is an authentication
/// error naming Mythic Beasts' message, and a zone outside the key is refused.
#[test]
fn mythicbeasts_documented_errors() {
    let (fake, _state) = start();
    let (p, _s) = provider(&fake, SECRET);
    let k = key("suite.example.test.", RecordType::A);
    fake.inject(error(403, "Permission denied for this zone"));
    let err = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(
        matches!(&err, ProviderError::Auth(m) if m.contains("Permission denied")),
        "{err}"
    );
    let other = Name::from_str("other.test.").unwrap();
    let err = block(DynProvider::find_zone(
        &p,
        &Name::from_str("x.other.test.").unwrap(),
    ))
    .unwrap_err();
    assert!(matches!(err, ProviderError::Refused(_)), "{err}");
    let err = block(DynProvider::read(
        &p,
        &other,
        &key("x.other.test.", RecordType::A),
    ))
    .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("Zone not found")),
        "{err}"
    );
    fake.assert_clean();
}
