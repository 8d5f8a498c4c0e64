//! Hostinger DNS API against a fake that checks every request against the documentation, the
//! OpenAPI description at <https://github.com/hostinger/api/blob/main/openapi.json> (rendered at
//! <https://developers.hostinger.com>):
//!
//! - `Authorization: Bearer TOKEN`, JSON bodies (`Content-Type: application/json`);
//! - `GET /api/domains/v1/portfolio` (`domains_getDomainListV1`): `[{id, domain, type, status}]`;
//! - `GET /api/dns/v1/zones/{domain}` (`DNS_getZoneRecordsV1`): `DNS.V1.Zone.RecordCollection`,
//!   `[{name, records: [{content, is_disabled}], ttl, type}]`, names relative, `@` the apex;
//! - `PUT` on it (`DNS_updateZoneRecordsV1`, `DNS.V1.Zone.UpdateRequest`):
//!   `{overwrite, zone: [{name, records: [{content}], ttl, type}]}`, with `overwrite: true` the
//!   records of that name and type are deleted and the given ones created;
//! - `DELETE` on it (`DNS_deleteZoneRecordsV1`, `DNS.V1.Zone.DestroyRequest`):
//!   `{filters: [{name, type}]}`;
//! - success answers `{"message": "Request accepted"}` (`Common.SuccessEmptyResource`), errors
//!   `{"error": ..., "correlation_id": ...}` with 401, 422, 429 or 500.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::hostinger::{Config, Hostinger};
use dnsup::provider::per_rrset::PerRrset;
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const TOKEN: &str = "hostinger-token-0123456789abcdef";

struct State {
    store: Store,
    /// Disabled records (name, type, content), served with `is_disabled: true`.
    disabled: Vec<(String, String, String)>,
}

type Shared = Arc<Mutex<State>>;

const TYPES: &[&str] = &[
    "A", "AAAA", "CNAME", "ALIAS", "MX", "TXT", "NS", "SOA", "SRV", "CAA",
];

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, message: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"error": message, "correlation_id": "8f5b3e1c-0d4e-4a5b"}),
    )
}

fn accepted() -> FakeResponse {
    FakeResponse::json(200, json!({"message": "Request accepted"}))
}

fn fqdn(name: &str) -> String {
    if name == "@" {
        "example.test".into()
    } else {
        format!("{name}.example.test")
    }
}

fn relative(name: &str) -> String {
    if name == "example.test" {
        "@".into()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.ends_with('.') || name.contains("example.test") {
        return Err(format!("name {name:?} is relative, @ for the apex"));
    }
    Ok(())
}

fn check_type(t: &Value) -> Result<&str, String> {
    let t = t.as_str().ok_or("type is a string")?;
    if !TYPES.contains(&t) {
        return Err(format!("type {t:?} is not in the documented enum"));
    }
    Ok(t)
}

fn zone_listing(s: &State) -> Value {
    let mut entries: Vec<Value> = Vec::new();
    let mut keys: Vec<(String, String)> = s
        .store
        .records
        .iter()
        .map(|r| (r.name.clone(), r.rtype.clone()))
        .chain(s.disabled.iter().map(|(n, t, _)| (n.clone(), t.clone())))
        .collect();
    keys.sort();
    keys.dedup();
    for (name, rtype) in keys {
        let found = s.store.find(&name, &rtype);
        let mut records: Vec<Value> = found
            .iter()
            .map(|r| json!({"content": r.content, "is_disabled": false}))
            .collect();
        for (n, t, c) in &s.disabled {
            if *n == name && *t == rtype {
                records.push(json!({"content": c, "is_disabled": true}));
            }
        }
        let ttl = found.first().map(|r| r.ttl).unwrap_or(14400);
        entries
            .push(json!({"name": relative(&name), "records": records, "ttl": ttl, "type": rtype}));
    }
    Value::Array(entries)
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if !r.expect_auth("Bearer", TOKEN)? {
        return Ok(error(401, "Unauthenticated."));
    }
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/api/domains/v1/portfolio") => Ok(FakeResponse::json(
            200,
            json!([
                {"id": 1, "domain": "a.test", "type": "domain", "status": "active"},
                {"id": 2, "domain": null, "type": "free_domain", "status": "active"},
                {"id": 3, "domain": "example.test", "type": "domain", "status": "active"},
            ]),
        )),
        (_, p) if p.starts_with("/api/dns/v1/zones/") => {
            let domain = &p["/api/dns/v1/zones/".len()..];
            if domain != "example.test" {
                return Ok(error(422, "Domain not found in the account."));
            }
            match r.method.as_str() {
                "GET" => Ok(FakeResponse::json(200, zone_listing(&s))),
                "PUT" => {
                    let b = r.json()?;
                    for k in b.as_object().ok_or("an object")?.keys() {
                        if !["overwrite", "zone"].contains(&k.as_str()) {
                            return Err(format!("unexpected field {k}"));
                        }
                    }
                    if b["overwrite"] != json!(true) {
                        return Err("without overwrite=true the old values would stay".into());
                    }
                    for e in b["zone"].as_array().ok_or("zone is a list")? {
                        for k in e.as_object().ok_or("an entry is an object")?.keys() {
                            if !["name", "records", "ttl", "type"].contains(&k.as_str()) {
                                return Err(format!("unexpected entry field {k}"));
                            }
                        }
                        let name = e["name"].as_str().ok_or("name is a string")?;
                        check_name(name)?;
                        let t = check_type(&e["type"])?;
                        let ttl = e["ttl"].as_u64().ok_or("ttl is a number")? as u32;
                        let mut contents = Vec::new();
                        for x in e["records"].as_array().ok_or("records is a list")? {
                            if x.as_object().map(|o| o.len()) != Some(1) {
                                return Err(format!("a record is {{content}} only, got {x}"));
                            }
                            let c = x["content"].as_str().ok_or("content is a string")?;
                            let rt = RecordType::from_str(t).unwrap();
                            if rt == RecordType::CNAME && !c.ends_with('.') {
                                return Err(format!("CNAME {c:?} is written absolute"));
                            }
                            dnsup::update::parse_rdata(rt, c, &zone())
                                .map_err(|e| format!("content {c:?}: {e}"))?;
                            contents.push(c.to_string());
                        }
                        if contents.is_empty() {
                            return Err("an entry without records".into());
                        }
                        let full = fqdn(name);
                        s.store.set(&full, t, ttl, &contents);
                        s.disabled.retain(|(n, ty, _)| !(*n == full && ty == t));
                    }
                    Ok(accepted())
                }
                "DELETE" => {
                    let b = r.json()?;
                    let filters = b["filters"].as_array().ok_or("filters is a list")?;
                    if filters.is_empty() {
                        return Err("no filter".into());
                    }
                    for f in filters {
                        let name = f["name"].as_str().ok_or("name is a string")?;
                        check_name(name)?;
                        let t = check_type(&f["type"])?;
                        let full = fqdn(name);
                        s.store.remove_set(&full, t);
                        s.disabled.retain(|(n, ty, _)| !(*n == full && ty == t));
                    }
                    Ok(accepted())
                }
                m => Err(format!("{m} {p}: not a documented operation")),
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
            disabled: vec![(
                "www.example.test".into(),
                "AAAA".into(),
                "2001:db8::dead".into(),
            )],
        },
        handle,
    )
}

fn provider(fake: &Fake, token: &str) -> (PerRrset<Hostinger>, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token = {}\n{}",
        secrets.file("hostinger.token", token),
        http_table(fake, "")
    ));
    (
        PerRrset(Hostinger::new(&config, &mut Setup::default()).unwrap()),
        secrets,
    )
}

#[test]
fn hostinger_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn hostinger_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn hostinger_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "wrong-token-abcdefghijklmnop";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

/// Disabled records are not served; the apex is `@`; a CNAME is written absolute.
#[test]
fn hostinger_disabled_apex_and_cname() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    let www6 = key("www.example.test.", RecordType::AAAA);
    assert!(
        block(DynProvider::read(&p, &zone(), &www6))
            .unwrap()
            .values
            .is_empty()
    );
    let apex = key("example.test.", RecordType::A);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &apex,
            &[],
            &[v("192.0.2.9")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        state.lock().unwrap().store.find("example.test", "A").len(),
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

/// A documented validation error (422) is a refusal naming Hostinger's message and its
/// correlation id; a domain outside the portfolio is refused before any zone request.
#[test]
fn hostinger_documented_errors() {
    let (fake, _state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    let k = key("suite.example.test.", RecordType::A);
    fake.inject(error(422, "The zone.0.records.0.content field is invalid."));
    let err = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("field is invalid") && m.contains("correlation id")),
        "{err}"
    );
    let err = block(DynProvider::find_zone(
        &p,
        &Name::from_str("x.other.test.").unwrap(),
    ))
    .unwrap_err();
    assert!(matches!(err, ProviderError::Refused(_)), "{err}");
    fake.inject(error(500, "Internal server error"));
    let err = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(matches!(err, ProviderError::Network(_)), "{err}");
    fake.assert_clean();
}
