//! Gcore Managed DNS against a fake that checks every request against the documentation:
//! `Authorization: APIKey TOKEN`, `GET /dns/v2/zones` (`limit`/`offset`, `total_amount`), and
//! RRsets at `/dns/v2/zones/{zone}/{fqdn}/{type}`: `GET` (404 when absent), `POST` to create
//! (409 when it exists), `PUT` to replace, `DELETE`; bodies
//! `{"ttl": N, "resource_records": [{"content": ["VALUE"]}]}`; errors `{"error": "..."}`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::gcore::{Config, Gcore};
use dnsup::provider::per_rrset::PerRrset;
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;

const TOKEN: &str = "1234$0123456789abcdef0123456789abcdef0123456789abcdef";

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({ "error": message }))
}

fn values(b: &Value, rtype: &str) -> Result<(u32, Vec<String>), String> {
    for k in b.as_object().ok_or("an object")?.keys() {
        if !["ttl", "resource_records"].contains(&k.as_str()) {
            return Err(format!("unexpected field {k}"));
        }
    }
    let ttl = b["ttl"].as_u64().ok_or("ttl is a number")? as u32;
    let rt = RecordType::from_str(rtype).map_err(|_| format!("type {rtype}"))?;
    let mut out = Vec::new();
    for rr in b["resource_records"]
        .as_array()
        .ok_or("resource_records is an array")?
    {
        let content = rr["content"].as_array().ok_or("content is an array")?;
        let [Value::String(v)] = content.as_slice() else {
            return Err(format!("{rtype} content is one string, got {content:?}"));
        };
        dnsup::update::parse_rdata(rt, v, &zone()).map_err(|e| format!("content {v:?}: {e}"))?;
        out.push(v.clone());
    }
    if out.is_empty() {
        return Err("an RRset has at least one record".into());
    }
    Ok((ttl, out))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if !r.expect_auth("APIKey", TOKEN)? {
        return Ok(error(401, "invalid token"));
    }
    let parts = r.parts("/dns/v2/zones")?;
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", [""]) => {
            let limit: usize = r
                .param("limit")
                .unwrap_or("10")
                .parse()
                .map_err(|_| "limit is a number")?;
            let offset: usize = r
                .param("offset")
                .unwrap_or("0")
                .parse()
                .map_err(|_| "offset is a number")?;
            let all = ["a.test", "example.test"];
            let zones: Vec<Value> = all
                .iter()
                .skip(offset)
                .take(limit.min(1))
                .map(|z| json!({"name": z, "id": 1}))
                .collect();
            Ok(FakeResponse::json(
                200,
                json!({"zones": zones, "total_amount": all.len()}),
            ))
        }
        (_, ["", z, ..]) if *z != "example.test" => Ok(error(404, "zone is not found")),
        (method, ["", _, name, rtype]) => {
            if !(*name == "example.test" || name.ends_with(".example.test")) {
                return Err(format!(
                    "the RRset name {name:?} is the FQDN without the final dot"
                ));
            }
            let exists = !s.store.find(name, rtype).is_empty();
            match method {
                "GET" => {
                    let found = s.store.find(name, rtype);
                    if found.is_empty() {
                        return Ok(error(404, "rrset is not found"));
                    }
                    let records: Vec<Value> = found.iter().enumerate().map(|(i, r)| json!({"id": i + 1, "content": [r.content.trim_end_matches('.')], "enabled": true})).collect();
                    Ok(FakeResponse::json(
                        200,
                        json!({"name": name, "type": rtype, "ttl": found[0].ttl, "resource_records": records, "meta": {}}),
                    ))
                }
                "POST" | "PUT" => {
                    let (ttl, vals) = values(&r.json()?, rtype)?;
                    match (method, exists) {
                        ("POST", true) => return Ok(error(409, "rrset already exists")),
                        ("PUT", false) => return Ok(error(404, "rrset is not found")),
                        _ => {}
                    }
                    s.store.set(name, rtype, ttl, &vals);
                    Ok(FakeResponse::json(200, json!({})))
                }
                "DELETE" => {
                    if !exists {
                        return Ok(error(404, "rrset is not found"));
                    }
                    s.store.remove_set(name, rtype);
                    Ok(FakeResponse::json(200, json!({})))
                }
                _ => Err(format!("{method} on an RRset is not documented")),
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

fn provider(fake: &Fake, token: &str) -> (PerRrset<Gcore>, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token = {}\n{}",
        secrets.file("gcore.token", token),
        http_table(fake, "/dns")
    ));
    (
        PerRrset(Gcore::new(&config, &mut Setup::default()).unwrap()),
        secrets,
    )
}

#[test]
fn gcore_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.param("offset") == Some("1"))
    );
}

#[test]
fn gcore_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn gcore_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "9999$ffffffffffffffffffffffffffffffffffffffffffffffff";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}
