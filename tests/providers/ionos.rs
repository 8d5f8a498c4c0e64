//! IONOS DNS API against a fake that checks every request against the documentation:
//! `X-API-Key: PREFIX.SECRET`, `GET /dns/v1/zones`, `GET /dns/v1/zones/{id}?recordName=&recordType=`,
//! `POST /dns/v1/zones/{id}/records` with a JSON array, `PUT`/`DELETE
//! /dns/v1/zones/{id}/records/{recordId}`; TTL at least 60; error bodies
//! `[{"code": ..., "message": ...}]`; disabled records are not served.

use std::str::FromStr;

use dnsup::provider::build::Setup;
use dnsup::provider::ionos::{Config, Ionos};
use dnsup::provider::{DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const KEY: &str = "a1b2c3d4e5f6.SeCrEt0123456789abcdefSECRET";
const ZONE_ID: &str = "11af3414-ebba-11e9-8df5-66fbe8a334b4";

struct State {
    store: Store,
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, code: &str, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!([{"code": code, "message": message}]))
}

fn record_json(r: &StoredRecord) -> Value {
    json!({
        "name": r.name, "rootName": "example.test", "type": r.rtype,
        "content": r.content.trim_end_matches('.'), "changeDate": "2019-12-09T13:04:25.772Z",
        "ttl": r.ttl, "prio": 0, "disabled": false, "id": r.id
    })
}

fn check(b: &Value, create: bool) -> Result<(String, String, u32), String> {
    let obj = b.as_object().ok_or("a record is an object")?;
    let allowed: &[&str] = if create {
        &["name", "type", "content", "ttl", "prio", "disabled"]
    } else {
        &["content", "ttl", "prio", "disabled"]
    };
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("unexpected field {k}"));
        }
    }
    let content = b["content"].as_str().ok_or("content is a string")?;
    let ttl = b["ttl"].as_u64().ok_or("ttl is a number")?;
    if ttl < 60 {
        return Err(format!("ttl {ttl} below IONOS' minimum of 60"));
    }
    if b["disabled"] != json!(false) {
        return Err("dnsup writes enabled records".into());
    }
    let name = if create {
        let n = b["name"].as_str().ok_or("name is a string")?;
        if !(n == "example.test" || n.ends_with(".example.test")) {
            return Err(format!(
                "name {n:?} must be fully qualified, without the final dot"
            ));
        }
        let t = b["type"].as_str().ok_or("type is a string")?;
        let rt = RecordType::from_str(t).map_err(|_| format!("type {t}"))?;
        dnsup::update::parse_rdata(rt, content, &zone())
            .map_err(|e| format!("content {content:?}: {e}"))?;
        format!("{n}|{t}")
    } else {
        String::new()
    };
    Ok((name, content.to_string(), ttl as u32))
}

fn handle(
    state: &std::sync::Arc<std::sync::Mutex<State>>,
    r: &FakeRequest,
) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    match r.header("x-api-key") {
        Some(KEY) => {}
        Some(_) => {
            return Ok(error(
                401,
                "UNAUTHORIZED",
                "The customer is not authorized to do this operation.",
            ));
        }
        None => return Err("X-API-Key is required".into()),
    }
    let parts = r.parts("/dns/v1/")?;
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["zones"]) => Ok(FakeResponse::json(
            200,
            json!([
                {"name": "other.test", "id": "00000000-0000-0000-0000-000000000001", "type": "NATIVE"},
                {"name": "example.test", "id": ZONE_ID, "type": "NATIVE"}
            ]),
        )),
        (_, ["zones", id, ..]) if *id != ZONE_ID => {
            Ok(error(404, "ZONE_NOT_FOUND", "Zone not found"))
        }
        ("GET", ["zones", _]) => {
            let name = r.param("recordName").ok_or("dnsup filters by recordName")?;
            let rtype = r.param("recordType").ok_or("dnsup filters by recordType")?;
            let mut records: Vec<Value> = s
                .store
                .find(name, rtype)
                .into_iter()
                .map(record_json)
                .collect();
            // A disabled record of the same name and type: not served, never touched.
            if name.starts_with("suite.") && rtype == "A" {
                records.push(json!({"name": name, "type": "A", "content": "198.51.100.99", "ttl": 60, "disabled": true, "id": "disabled-1"}));
            }
            Ok(FakeResponse::json(
                200,
                json!({"name": "example.test", "id": ZONE_ID, "type": "NATIVE", "records": records}),
            ))
        }
        ("POST", ["zones", _, "records"]) => {
            let b = r.json()?;
            let list = b.as_array().ok_or("the body is an array of records")?;
            let mut out = Vec::new();
            for rec in list {
                let (nt, content, ttl) = check(rec, true)?;
                let (n, t) = nt.split_once('|').unwrap();
                let id = s.store.add(n, t, ttl, &content);
                out.push(record_json(s.store.get(&id).unwrap()));
            }
            Ok(FakeResponse::json(201, Value::Array(out)))
        }
        ("PUT", ["zones", _, "records", id]) => {
            if *id == "disabled-1" {
                return Err("the disabled record was touched".into());
            }
            let (_, content, ttl) = check(&r.json()?, false)?;
            let Some(rec) = s.store.get_mut(id) else {
                return Ok(error(404, "RECORD_NOT_FOUND", "Record not found"));
            };
            rec.content = content;
            rec.ttl = ttl;
            let rec = rec.clone();
            Ok(FakeResponse::json(200, record_json(&rec)))
        }
        ("DELETE", ["zones", _, "records", id]) => {
            if *id == "disabled-1" {
                return Err("the disabled record was touched".into());
            }
            if !s.store.remove(id) {
                return Ok(error(404, "RECORD_NOT_FOUND", "Record not found"));
            }
            Ok(FakeResponse::empty(200))
        }
        _ => Err(format!(
            "{} {}: not a documented endpoint",
            r.method, r.path
        )),
    }
}

fn start() -> (Fake, std::sync::Arc<std::sync::Mutex<State>>) {
    serve(
        State {
            store: Store::new("example.test"),
        },
        handle,
    )
}

fn provider(fake: &Fake, key: &str) -> (Ionos, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "api_key = {}\n{}",
        secrets.file("ionos.key", key),
        http_table(fake, "/dns")
    ));
    (Ionos::new(&config, &mut Setup::default()).unwrap(), secrets)
}

#[test]
fn ionos_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn ionos_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn ionos_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "ffffffffffff.WrongSecretWrongSecretWrong";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn ionos_small_ttl_is_raised_and_txt_refused_before_sending() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    let k = key("example.test.", RecordType::A);
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.1")],
        5,
    ))
    .unwrap();
    assert_eq!(
        state.lock().unwrap().store.find("example.test", "A")[0].ttl,
        60
    );
    fake.clear();
    let err = block(DynProvider::replace(
        &p,
        &zone(),
        &key("t.example.test.", RecordType::TXT),
        &[],
        &[txt("\"x\"")],
        60,
    ))
    .unwrap_err();
    assert!(matches!(err, ProviderError::Unsupported(_)), "{err}");
    assert!(fake.requests().is_empty());
    let secrets = Secrets::new();
    let c: Config = config(&format!(
        "api_key = {}\n",
        secrets.file("k", "no-dot-in-this-key")
    ));
    assert!(Ionos::new(&c, &mut Setup::default()).is_err());
    fake.assert_clean();
}
