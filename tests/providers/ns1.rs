//! NS1 against a fake that checks every request against the documentation at
//! <https://ns1.com/api>:
//! - Authentication: the `X-NSONE-Key` header; 401 `{"message": "Unauthorized"}`.
//! - "List zones": `GET /v1/zones`, an array of `{"zone": ...}`.
//! - "View record details": `GET /v1/zones/{zone}/{domain}/{type}` (domain is the FQDN without
//!   the final dot), 404 `{"message": "record not found"}`.
//! - "Create a new DNS record": `PUT` at the same path with `zone`, `domain`, `type`,
//!   `answers` (`[{"answer": ["VALUE"]}]`) and `ttl`; 400 `record already exists` when it
//!   does.
//! - "Update record configuration": `POST` at the same path, the fields to change; a record's
//!   other fields (filters, meta) stay.
//! - "Delete a record": `DELETE` at the same path.
//! - Rate limiting: 429 with `Retry-After` (token buckets per key, see
//!   <https://help.ns1.com/hc/en-us/articles/360020250573-About-API-rate-limiting>).

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::ns1::{Config, Ns1};
use dnsup::provider::per_rrset::PerRrset;
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const KEY: &str = "qACMD09OJXBxT7XOuRs8";

struct State {
    store: Store,
    /// The record's fields dnsup does not manage, which an update must keep.
    filters: Value,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({ "message": message }))
}

fn answers(
    b: &Value,
    name: &str,
    rtype: &str,
    create: bool,
) -> Result<(Option<u32>, Vec<String>), String> {
    for k in b.as_object().ok_or("an object")?.keys() {
        if ![
            "zone",
            "domain",
            "type",
            "ttl",
            "answers",
            "filters",
            "meta",
            "use_client_subnet",
        ]
        .contains(&k.as_str())
        {
            return Err(format!("unexpected field {k}"));
        }
    }
    if (create || b.get("zone").is_some())
        && (b["zone"] != "example.test" || b["domain"] != name || b["type"] != rtype)
    {
        return Err(format!(
            "zone/domain/type {} {} {} do not match the path",
            b["zone"], b["domain"], b["type"]
        ));
    }
    let ttl = match b.get("ttl") {
        Some(t) => Some(t.as_u64().ok_or("ttl is a number")? as u32),
        None => None,
    };
    let rt = RecordType::from_str(rtype).map_err(|_| format!("type {rtype}"))?;
    let mut out = Vec::new();
    for a in b["answers"].as_array().ok_or("answers is an array")? {
        let parts = a["answer"].as_array().ok_or("answer is an array")?;
        let [Value::String(v)] = parts.as_slice() else {
            return Err(format!("an {rtype} answer is one string, got {parts:?}"));
        };
        dnsup::update::parse_rdata(rt, v, &zone()).map_err(|e| format!("answer {v:?}: {e}"))?;
        out.push(v.clone());
    }
    if out.is_empty() {
        return Err("a record has at least one answer".into());
    }
    Ok((ttl, out))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    match r.header("x-nsone-key") {
        None => return Err("the X-NSONE-Key header is required".into()),
        Some(k) if k != KEY => return Ok(error(401, "Unauthorized")),
        Some(_) => {}
    }
    if r.header("authorization").is_some() {
        return Err("NS1 takes the key in X-NSONE-Key, not Authorization".into());
    }
    let parts = r.parts("/v1/zones")?;
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", [""]) => Ok(FakeResponse::json(
            200,
            json!([{"zone": "a.test", "ttl": 3600}, {"zone": "example.test", "ttl": 3600}]),
        )),
        (_, ["", z, ..]) if *z != "example.test" => Ok(error(404, "zone not found")),
        (method, ["", _, name, rtype]) => {
            if !(*name == "example.test" || name.ends_with(".example.test")) {
                return Err(format!(
                    "the domain {name:?} is the FQDN without the final dot"
                ));
            }
            let exists = !s.store.find(name, rtype).is_empty();
            match method {
                "GET" => {
                    let found = s.store.find(name, rtype);
                    if found.is_empty() {
                        return Ok(error(404, "record not found"));
                    }
                    let list: Vec<Value> = found
                        .iter()
                        .map(|x| json!({"answer": [x.content.trim_end_matches('.')], "id": x.id}))
                        .collect();
                    let ttl = found[0].ttl;
                    Ok(FakeResponse::json(
                        200,
                        json!({"zone": "example.test", "domain": name, "type": rtype, "ttl": ttl, "answers": list, "filters": s.filters, "meta": {}, "use_client_subnet": true, "tier": 1, "id": "5f0c6b3e"}),
                    ))
                }
                "PUT" => {
                    if exists {
                        return Ok(error(400, "record already exists"));
                    }
                    let (ttl, vals) = answers(&r.json()?, name, rtype, true)?;
                    s.store.set(name, rtype, ttl.unwrap_or(3600), &vals);
                    Ok(FakeResponse::json(200, json!({})))
                }
                "POST" => {
                    if !exists {
                        return Ok(error(404, "record not found"));
                    }
                    let b = r.json()?;
                    if b.get("filters").is_some() {
                        s.filters = b["filters"].clone();
                    }
                    let old = s.store.find(name, rtype)[0].ttl;
                    let (ttl, vals) = answers(&b, name, rtype, false)?;
                    s.store.set(name, rtype, ttl.unwrap_or(old), &vals);
                    Ok(FakeResponse::json(200, json!({})))
                }
                "DELETE" => {
                    if !exists {
                        return Ok(error(404, "record not found"));
                    }
                    s.store.remove_set(name, rtype);
                    Ok(FakeResponse::json(200, json!({})))
                }
                _ => Err(format!("{method} on a record is not documented")),
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
            filters: json!([{"filter": "up", "config": {}}]),
        },
        handle,
    )
}

fn provider(fake: &Fake, key: &str) -> (PerRrset<Ns1>, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "api_key = {}\n{}",
        secrets.file("ns1.key", key),
        http_table(fake, "/v1")
    ));
    (
        PerRrset(Ns1::new(&config, &mut Setup::default()).unwrap()),
        secrets,
    )
}

#[test]
fn ns1_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn ns1_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn ns1_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "WRONGWRONGWRONGWRONG";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

/// An update sends the answers and TTL only: the record's filters stay as they were.
#[test]
fn ns1_update_keeps_the_records_filters() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    let k = key("home.example.test.", RecordType::A);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("192.0.2.1")],
            60
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("192.0.2.1")],
            &[v("192.0.2.2")],
            60
        ))
        .unwrap(),
        Applied::Done
    );
    let s = state.lock().unwrap();
    assert_eq!(s.filters, json!([{"filter": "up", "config": {}}]));
    assert_eq!(
        s.store.find("home.example.test", "A")[0].content,
        "192.0.2.2"
    );
    fake.assert_clean();
}
