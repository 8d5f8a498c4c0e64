//! LuaDNS against a fake that checks every request against the documentation
//! (<https://www.luadns.com/api.html>) and LuaDNS's own client (luadns-go, for the records
//! calls the stored page does not reach):
//! - `https://api.luadns.com/v1`, HTTP Basic authentication (email, API key), `Accept:
//!   application/json`; errors `{"status", "request_id", "message"}` with 401/403/404/422/429;
//! - `GET /zones`: `[{"id", "name", ...}]`;
//! - `GET /zones/{zone_id}/records`: `[{"id", "name" (absolute, final dot), "type", "content",
//!   "ttl", "zone_id", ...}]`;
//! - `POST /zones/{zone_id}/records` and `PUT /zones/{zone_id}/records/{id}` with `name`,
//!   `type`, `content`, `ttl`; `DELETE /zones/{zone_id}/records/{id}`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use dnsup::provider::build::Setup;
use dnsup::provider::luadns::{Config, LuaDns};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const EMAIL: &str = "joe@example.test";
const API_KEY: &str = "lua-api-key-5f4dcc3b5aa765d6";

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, word: &str, message: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"status": word, "request_id": "req-1", "message": message}),
    )
}

fn record_json(r: &StoredRecord) -> Value {
    json!({"id": r.id.parse::<u64>().unwrap(), "name": format!("{}.", r.name), "type": r.rtype,
           "content": r.content, "ttl": r.ttl, "zone_id": 7, "generated": false,
           "created_at": "2023-08-25T09:07:17Z", "updated_at": "2023-08-25T09:07:17Z"})
}

/// The body of a create or update: `name` (absolute, in the zone), `type`, `content`, `ttl`.
fn body(r: &FakeRequest) -> Result<(String, String, String, u32), String> {
    r.expect_header("content-type", "application/json")?;
    let b = r.json()?;
    let o = b.as_object().ok_or("the body is an object")?;
    for k in o.keys() {
        if !["name", "type", "content", "ttl"].contains(&k.as_str()) {
            return Err(format!("unexpected field {k}"));
        }
    }
    let name = o["name"].as_str().ok_or("name is a string")?;
    if !name.ends_with("example.test.") {
        return Err(format!("name {name:?}: absolute, with its final dot"));
    }
    let rtype = o["type"].as_str().ok_or("type is a string")?;
    let content = o["content"].as_str().ok_or("content is a string")?;
    let rt = RecordType::from_str(rtype).map_err(|_| format!("type {rtype}"))?;
    dnsup::update::parse_rdata(rt, content, &zone())
        .map_err(|e| format!("content {content:?}: {e}"))?;
    let ttl = o["ttl"].as_u64().ok_or("ttl is a number")? as u32;
    Ok((
        name.trim_end_matches('.').to_string(),
        rtype.to_string(),
        content.to_string(),
        ttl,
    ))
}

/// The store's id of the record LuaDNS numbers `id` (the store writes ids with leading zeros).
fn stored_id(store: &Store, id: &str) -> Option<String> {
    let n: u64 = id.parse().ok()?;
    store
        .records
        .iter()
        .find(|r| r.id.parse::<u64>().ok() == Some(n))
        .map(|r| r.id.clone())
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    r.expect_header("accept", "application/json")?;
    let good = base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{API_KEY}"));
    let auth = r
        .header("authorization")
        .ok_or("HTTP Basic authentication is required")?;
    if !auth.starts_with("Basic ") {
        return Err(format!("{auth:?}: HTTP Basic authentication"));
    }
    if auth != format!("Basic {good}") {
        return Ok(error(401, "Unauthorized", "authentication failed"));
    }
    let parts = r.parts("/v1/")?;
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["zones"]) => Ok(FakeResponse::json(
            200,
            json!([
                {"id": 3, "name": "other.test", "synced": true, "queries_count": 0, "records_count": 2},
                {"id": 7, "name": "example.test", "synced": true, "queries_count": 0, "records_count": 3},
            ]),
        )),
        (_, ["zones", id, ..]) if *id != "7" => Ok(error(404, "Not Found", "zone not found")),
        ("GET", ["zones", _, "records"]) => {
            let list: Vec<Value> = s.store.records.iter().map(record_json).collect();
            Ok(FakeResponse::json(200, Value::Array(list)))
        }
        ("POST", ["zones", _, "records"]) => {
            let (name, rtype, content, ttl) = body(r)?;
            let id = s.store.add(&name, &rtype, ttl, &content);
            let rec = s.store.get(&id).unwrap().clone();
            Ok(FakeResponse::json(200, record_json(&rec)))
        }
        ("PUT", ["zones", _, "records", id]) => {
            let (name, rtype, content, ttl) = body(r)?;
            let Some(rec) = stored_id(&s.store, id).and_then(|i| s.store.get_mut(&i)) else {
                return Ok(error(404, "Not Found", "record not found"));
            };
            if rec.name != name || rec.rtype != rtype {
                return Err(format!("PUT {id}: name/type differ from the record's"));
            }
            rec.content = content;
            rec.ttl = ttl;
            let rec = rec.clone();
            Ok(FakeResponse::json(200, record_json(&rec)))
        }
        ("DELETE", ["zones", _, "records", id]) => {
            let Some(rec) = stored_id(&s.store, id).and_then(|i| s.store.get(&i).cloned()) else {
                return Ok(error(404, "Not Found", "record not found"));
            };
            s.store.remove(&rec.id);
            Ok(FakeResponse::json(200, record_json(&rec)))
        }
        _ => Err(format!("{} {}: not a documented call", r.method, r.path)),
    }
}

fn start() -> (Fake, Shared) {
    let mut store = Store::new("example.test");
    // Ids as LuaDNS writes them (numbers).
    for (i, r) in store.records.iter_mut().enumerate() {
        r.id = (115014343 + i).to_string();
    }
    serve(State { store }, handle)
}

fn provider(fake: &Fake, key: &str) -> (LuaDns, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "email = \"{EMAIL}\"\napi_key = {}\n{}",
        secrets.file("luadns.key", key),
        http_table(fake, "/v1")
    ));
    (
        LuaDns::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

#[test]
fn luadns_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, API_KEY);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn luadns_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, API_KEY);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn luadns_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "not-the-luadns-api-key";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

/// CNAME targets go out with their final dot (as LuaDNS lists them); TXT is refused before
/// any request.
#[test]
fn luadns_cname_keeps_its_dot_and_txt_is_refused() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, API_KEY);
    let k = key("alias.example.test.", RecordType::CNAME);
    let target =
        dnsup::update::parse_rdata(RecordType::CNAME, "target.example.net.", &zone()).unwrap();
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            std::slice::from_ref(&target),
            300
        ))
        .unwrap(),
        Applied::Done
    );
    let held = state
        .lock()
        .unwrap()
        .store
        .find("alias.example.test", "CNAME")[0]
        .content
        .clone();
    assert_eq!(held, "target.example.net.");
    assert_eq!(
        block(DynProvider::read(&p, &zone(), &k)).unwrap().values,
        [target]
    );
    fake.clear();
    let t = key("alias.example.test.", RecordType::TXT);
    let err = block(DynProvider::replace(&p, &zone(), &t, &[], &[txt("x")], 300)).unwrap_err();
    assert!(matches!(err, ProviderError::Unsupported(_)), "{err}");
    assert!(fake.requests().is_empty());
    fake.assert_clean();
}
