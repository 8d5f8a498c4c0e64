//! Bunny DNS against a fake that checks every request against the documentation: `AccessKey`
//! header, `GET /dnszone` (paged, `HasMoreItems`), `GET /dnszone/{id}` with its records,
//! `PUT /dnszone/{id}/records` to add, `POST /dnszone/{id}/records/{recordId}` to update,
//! `DELETE` to remove; record types as numbers, names relative (empty for the apex).

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::bunny::{Bunny, Config};
use hickory_proto::rr::Name;
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};

const KEY: &str = "b8a1c2d3-0000-4444-9999-0123456789ab-ffff-eeee";
const TYPES: [&str; 5] = ["A", "AAAA", "CNAME", "TXT", "MX"];

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, key: &str, message: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"ErrorKey": key, "Field": "", "Message": message}),
    )
}

fn relative(name: &str) -> String {
    if name == "example.test" {
        String::new()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn record_json(r: &StoredRecord) -> Option<Value> {
    let t = TYPES.iter().position(|t| *t == r.rtype)?;
    Some(
        json!({"Id": u64::from_str_radix(&r.id, 16).unwrap(), "Type": t, "Ttl": r.ttl, "Value": r.content.trim_end_matches('.'), "Name": relative(&r.name), "Weight": 0, "Priority": 0, "Port": 0, "Flags": 0, "Tag": "", "Accelerated": false, "Disabled": false}),
    )
}

fn zone_json(s: &Store) -> Value {
    let records: Vec<Value> = s.records.iter().filter_map(record_json).collect();
    json!({"Id": 42, "Domain": "example.test", "Records": records, "Nameserver1": "kiki.bunny.net"})
}

fn check_record(b: &Value) -> Result<(String, String, String, u32), String> {
    for k in b.as_object().ok_or("an object")?.keys() {
        if !["Id", "Type", "Ttl", "Value", "Name"].contains(&k.as_str()) {
            return Err(format!("unexpected field {k}"));
        }
    }
    let t = b["Type"].as_u64().ok_or("Type is a number")? as usize;
    let t = *TYPES.get(t).ok_or("Type out of range")?;
    let name = b["Name"].as_str().ok_or("Name is a string")?;
    if name.contains("example.test") || name == "@" {
        return Err(format!("Name {name:?} is relative (empty for the apex)"));
    }
    let value = b["Value"].as_str().ok_or("Value is a string")?;
    let rt = hickory_proto::rr::RecordType::from_str(t).unwrap();
    dnsup::update::parse_rdata(rt, value, &zone()).map_err(|e| format!("Value {value:?}: {e}"))?;
    let ttl = b["Ttl"].as_u64().ok_or("Ttl is a number")? as u32;
    let fqdn = if name.is_empty() {
        "example.test".to_string()
    } else {
        format!("{name}.example.test")
    };
    Ok((fqdn, t.to_string(), value.to_string(), ttl))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    match r.header("accesskey") {
        Some(KEY) => {}
        Some(_) => return Ok(FakeResponse::empty(401)),
        None => return Err("the AccessKey header is required".into()),
    }
    let parts = r.parts("/dnszone")?;
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", [""]) => {
            let page: usize = r
                .param("page")
                .unwrap_or("1")
                .parse()
                .map_err(|_| "page is a number")?;
            let items: Vec<Value> = vec![
                json!({"Id": 41, "Domain": "other.test", "Records": []}),
                zone_json(&s.store),
            ];
            let item = items.get(page - 1).cloned().into_iter().collect::<Vec<_>>();
            Ok(FakeResponse::json(
                200,
                json!({"Items": item, "CurrentPage": page, "TotalItems": 2, "HasMoreItems": page < 2}),
            ))
        }
        (_, ["", id, ..]) if *id != "42" => Ok(error(
            404,
            "dnszone.not_found",
            "The requested DNS zone was not found",
        )),
        ("GET", ["", _]) => Ok(FakeResponse::json(200, zone_json(&s.store))),
        ("PUT", ["", _, "records"]) => {
            let (fqdn, t, value, ttl) = check_record(&r.json()?)?;
            let id = s.store.add(&fqdn, &t, ttl, &value);
            Ok(FakeResponse::json(
                201,
                record_json(s.store.get(&id).unwrap()).unwrap(),
            ))
        }
        ("POST", ["", _, "records", id]) => {
            let b = r.json()?;
            let (fqdn, t, value, ttl) = check_record(&b)?;
            let n: u64 = id.parse().map_err(|_| "record id is a number")?;
            if b["Id"] != json!(n) {
                return Err("the body's Id is the record's".into());
            }
            let Some(rec) = s.store.get_mut(&format!("{n:08x}")) else {
                return Ok(error(
                    404,
                    "dnszone.record.not_found",
                    "The record was not found",
                ));
            };
            if rec.name != fqdn || rec.rtype != t {
                return Err("an update keeps the record's name and type".into());
            }
            rec.content = value;
            rec.ttl = ttl;
            Ok(FakeResponse::empty(204))
        }
        ("DELETE", ["", _, "records", id]) => {
            let n: u64 = id.parse().map_err(|_| "record id is a number")?;
            if !s.store.remove(&format!("{n:08x}")) {
                return Ok(error(
                    404,
                    "dnszone.record.not_found",
                    "The record was not found",
                ));
            }
            Ok(FakeResponse::empty(204))
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

fn provider(fake: &Fake, key: &str) -> (Bunny, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "api_key = {}\n{}",
        secrets.file("bunny.key", key),
        http_table(fake, "")
    ));
    (Bunny::new(&config, &mut Setup::default()).unwrap(), secrets)
}

#[test]
fn bunny_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    assert!(fake.requests().iter().any(|r| r.param("page") == Some("2")));
}

#[test]
fn bunny_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn bunny_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "00000000-0000-0000-0000-000000000000-0000-0000";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}
