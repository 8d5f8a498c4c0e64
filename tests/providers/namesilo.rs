//! NameSilo against a fake that checks every request against the documentation:
//! `GET /api/{operation}?version=1&type=json&key=KEY&domain=...`, `dnsListRecords`,
//! `dnsAddRecord` (`rrtype`, `rrhost` relative, `rrvalue`, `rrttl` at least 3600),
//! `dnsUpdateRecord` (`rrid`), `dnsDeleteRecord`; answers HTTP 200 with `reply.code` (300
//! success, 110 invalid key), one record as an object and several as an array.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::namesilo::{Config, NameSilo};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};

const KEY: &str = "b6d1f0a2c3e4d5f6a7b8c9d0";

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn reply(operation: &str, code: u32, detail: &str, extra: Value) -> FakeResponse {
    let mut reply = json!({"code": code, "detail": detail});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            reply[k] = v;
        }
    }
    FakeResponse::json(
        200,
        json!({"request": {"operation": operation, "ip": "127.0.0.1"}, "reply": reply}),
    )
}

fn record_json(r: &StoredRecord) -> Value {
    json!({"record_id": r.id, "type": r.rtype, "host": r.name, "value": r.content.trim_end_matches('.'), "ttl": r.ttl.to_string(), "distance": 0})
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    if r.method != "GET" {
        return Err("every operation is a GET".into());
    }
    let op = r
        .path
        .strip_prefix("/api/")
        .ok_or("outside /api")?
        .to_string();
    for (k, want) in [("version", "1"), ("type", "json")] {
        if r.param(k) != Some(want) {
            return Err(format!("{op}: {k} must be {want}"));
        }
    }
    match r.param("key") {
        Some(KEY) => {}
        Some(_) => return Ok(reply(&op, 110, "Invalid API Key", json!({}))),
        None => return Err("key is required".into()),
    }
    if r.param("domain") != Some("example.test") {
        return Ok(reply(
            &op,
            200,
            "Domain is not active, or does not belong to this user",
            json!({}),
        ));
    }
    let mut s = state.lock().unwrap();
    let ttl = || -> Result<u32, String> {
        let t: u32 = r
            .param("rrttl")
            .ok_or("rrttl is sent")?
            .parse()
            .map_err(|_| "rrttl is a number")?;
        if t < 3600 {
            Err(format!("rrttl {t} below NameSilo's 3600"))
        } else {
            Ok(t)
        }
    };
    let host = || -> Result<String, String> {
        let h = r.param("rrhost").ok_or("rrhost is sent")?;
        if h.contains("example.test") || h == "@" {
            return Err(format!("rrhost {h:?} is relative (empty for the apex)"));
        }
        Ok(if h.is_empty() {
            "example.test".to_string()
        } else {
            format!("{h}.example.test")
        })
    };
    match op.as_str() {
        "dnsListRecords" => {
            let records: Vec<Value> = s.store.records.iter().map(record_json).collect();
            let rr = match records.len() {
                1 => records[0].clone(),
                _ => Value::Array(records),
            };
            Ok(reply(&op, 300, "success", json!({"resource_record": rr})))
        }
        "dnsAddRecord" => {
            let t = r.param("rrtype").ok_or("rrtype is sent")?;
            let value = r.param("rrvalue").ok_or("rrvalue is sent")?;
            let rt = RecordType::from_str(t).map_err(|_| format!("rrtype {t}"))?;
            dnsup::update::parse_rdata(rt, value, &zone())
                .map_err(|e| format!("rrvalue {value:?}: {e}"))?;
            let id = s.store.add(&host()?, t, ttl()?, value);
            Ok(reply(&op, 300, "success", json!({"record_id": id})))
        }
        "dnsUpdateRecord" => {
            let id = r.param("rrid").ok_or("rrid is sent")?.to_string();
            let (h, ttl) = (host()?, ttl()?);
            let value = r.param("rrvalue").ok_or("rrvalue is sent")?.to_string();
            let Some(rec) = s.store.get_mut(&id) else {
                return Ok(reply(&op, 280, "Invalid record ID", json!({})));
            };
            if rec.name != h {
                return Err("an update keeps the record's host".into());
            }
            rec.content = value;
            rec.ttl = ttl;
            Ok(reply(&op, 300, "success", json!({"record_id": id})))
        }
        "dnsDeleteRecord" => {
            let id = r.param("rrid").ok_or("rrid is sent")?;
            if !s.store.remove(id) {
                return Ok(reply(&op, 280, "Invalid record ID", json!({})));
            }
            Ok(reply(&op, 300, "success", json!({})))
        }
        other => Err(format!("{other}: not a documented operation")),
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

fn provider(fake: &Fake, key: &str) -> (NameSilo, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "domain = \"example.test\"\napi_key = {}\n{}",
        secrets.file("namesilo.key", key),
        http_table(fake, "/api")
    ));
    (
        NameSilo::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

#[test]
fn namesilo_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn namesilo_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn namesilo_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "ffffffffffffffffffffffff";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}
