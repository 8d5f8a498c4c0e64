//! Scaleway Domains and DNS API v2beta1 against a fake that checks every request against the
//! documentation at <https://www.scaleway.com/en/developers/api/domains-and-dns/>:
//! - Authentication: the `X-Auth-Token` header holding the API key's secret key
//!   (<https://www.scaleway.com/en/developers/api/#authentication>); a wrong one is 401
//!   `{"message": "authentication is denied", "type": "denied_authentication"}`.
//! - "List DNS zones": `GET /domain/v2beta1/dns-zones` with `page` and `page_size`, answering
//!   `{"dns_zones": [{"domain", "subdomain", "status", ...}], "total_count": N}` (a zone on a
//!   subdomain has it in `subdomain`).
//! - "List records within a DNS zone": `GET /domain/v2beta1/dns-zones/{dns_zone}/records` with
//!   the `name` and `type` filters and paging, answering
//!   `{"records": [{"id", "name", "type", "data", "ttl", "priority", "comment"}],
//!   "total_count": N}`; `name` is relative to the zone, empty for the apex (an empty filter
//!   filters nothing).
//! - "Update records within a DNS zone": `PATCH` on the same path with
//!   `{"changes": [RecordChange], "return_all_records": bool}`; a `RecordChange` is one of
//!   `add`, `set`, `delete`, `clear`; `set` is `{"id_fields": {"name", "type"}, "records":
//!   [Record]}` and replaces every record those fields select; `delete` is `{"id_fields"}`.
//! - Rate limiting: 429 with `Retry-After` (the shared suite).

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::per_rrset::PerRrset;
use dnsup::provider::scaleway::{Config, Scaleway};
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const TOKEN: &str = "b4c2d9a1-7e3f-4c8a-9d1b-2f6e8a0c4b7d";

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, message: &str, kind: &str) -> FakeResponse {
    FakeResponse::json(status, json!({ "message": message, "type": kind }))
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

fn only_keys(v: &Value, allowed: &[&str], what: &str) -> Result<(), String> {
    for k in v.as_object().ok_or(format!("{what} is an object"))?.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("{what}: unexpected field {k}"));
        }
    }
    Ok(())
}

fn paging(r: &FakeRequest) -> Result<(usize, usize), String> {
    let page: usize = r
        .param("page")
        .ok_or("page is sent")?
        .parse()
        .map_err(|_| "page is a number")?;
    let size: usize = r
        .param("page_size")
        .ok_or("page_size is sent")?
        .parse()
        .map_err(|_| "page_size is a number")?;
    if page == 0 || size == 0 || size > 1000 {
        return Err(format!("page {page}, page_size {size} out of range"));
    }
    Ok((page, size))
}

fn id_fields(change: &Value) -> Result<(String, String), String> {
    let f = &change["id_fields"];
    only_keys(f, &["name", "type", "data", "ttl"], "id_fields")?;
    let name = f["name"].as_str().ok_or("id_fields.name is a string")?;
    let rtype = f["type"].as_str().ok_or("id_fields.type is a string")?;
    if name.contains("example.test") || name == "@" || name.ends_with('.') {
        return Err(format!("name {name:?} is relative, empty for the apex"));
    }
    RecordType::from_str(rtype).map_err(|_| format!("type {rtype:?}"))?;
    Ok((name.to_string(), rtype.to_string()))
}

fn patch(s: &mut State, r: &FakeRequest) -> Result<FakeResponse, String> {
    let b = r.json()?;
    only_keys(
        &b,
        &[
            "changes",
            "return_all_records",
            "disallow_new_zone_creation",
            "serial",
        ],
        "the body",
    )?;
    let changes = b["changes"].as_array().ok_or("changes is a list")?;
    if changes.is_empty() {
        return Err("no changes".into());
    }
    for c in changes {
        only_keys(c, &["add", "set", "delete", "clear"], "a change")?;
        if c.as_object().unwrap().len() != 1 {
            return Err(format!(
                "a change is exactly one of add/set/delete/clear: {c}"
            ));
        }
        if let Some(set) = c.get("set") {
            only_keys(set, &["id", "id_fields", "records"], "set")?;
            let (name, rtype) = id_fields(set)?;
            let list = set["records"].as_array().ok_or("set.records is a list")?;
            let rt = RecordType::from_str(&rtype).unwrap();
            let mut contents = Vec::new();
            let mut ttl = 0;
            for x in list {
                only_keys(
                    x,
                    &["name", "type", "data", "ttl", "priority", "comment"],
                    "a record",
                )?;
                if x["name"] != name.as_str() || x["type"] != rtype.as_str() {
                    return Err(format!("record {x} outside its id_fields"));
                }
                let data = x["data"].as_str().ok_or("data is a string")?;
                if rt == RecordType::CNAME && !data.ends_with('.') {
                    return Err(format!("CNAME {data:?} is not absolute"));
                }
                dnsup::update::parse_rdata(rt, data, &zone())
                    .map_err(|e| format!("data {data:?}: {e}"))?;
                ttl = x["ttl"].as_u64().ok_or("ttl is a number")? as u32;
                contents.push(data.to_string());
            }
            if contents.is_empty() {
                return Err("set with no records: use delete".into());
            }
            s.store.set(&fqdn(&name), &rtype, ttl, &contents);
        } else if let Some(del) = c.get("delete") {
            only_keys(del, &["id", "id_fields"], "delete")?;
            let (name, rtype) = id_fields(del)?;
            if s.store.find(&fqdn(&name), &rtype).is_empty() {
                return Ok(error(404, "record not found", "not_found"));
            }
            s.store.remove_set(&fqdn(&name), &rtype);
        } else {
            return Err(format!("dnsup has no use for {c}"));
        }
    }
    Ok(FakeResponse::json(200, json!({ "records": [] })))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    if r.header("authorization").is_some() {
        return Err("Scaleway takes the secret key in X-Auth-Token, not Authorization".into());
    }
    match r.header("x-auth-token") {
        None => return Err("the X-Auth-Token header is required".into()),
        Some(t) if t != TOKEN => {
            return Ok(error(
                401,
                "authentication is denied",
                "denied_authentication",
            ));
        }
        Some(_) => {}
    }
    let parts = r.parts("/domain/v2beta1/")?;
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["dns-zones"]) => {
            let (page, size) = paging(r)?;
            let all = [
                ("a.test", ""),
                ("example.test", ""),
                ("example.test", "dev"),
            ];
            let list: Vec<Value> = all
                .iter()
                .skip((page - 1) * size)
                .take(size)
                .map(|(d, sub)| json!({"domain": d, "subdomain": sub, "ns": [], "ns_default": [], "ns_master": [], "status": "active", "project_id": "p"}))
                .collect();
            Ok(FakeResponse::json(
                200,
                json!({"dns_zones": list, "total_count": all.len()}),
            ))
        }
        (_, ["dns-zones", z, ..]) if *z != "example.test" => {
            Ok(error(404, "dns zone not found", "not_found"))
        }
        ("GET", ["dns-zones", _, "records"]) => {
            let (page, size) = paging(r)?;
            let name = r.param("name").unwrap_or("");
            let rtype = r.param("type").ok_or("dnsup filters by type")?;
            if name.contains("example.test") || name == "@" {
                return Err(format!(
                    "name filter {name:?} is relative, empty for the apex"
                ));
            }
            let matching: Vec<Value> = s
                .store
                .records
                .iter()
                .filter(|x| x.rtype == rtype && (name.is_empty() || relative(&x.name) == name))
                .map(|x| {
                    let data = if x.rtype == "CNAME" && !x.content.ends_with('.') {
                        format!("{}.", x.content)
                    } else {
                        x.content.clone()
                    };
                    json!({"id": x.id, "name": relative(&x.name), "type": x.rtype, "data": data, "ttl": x.ttl, "priority": 0, "comment": null})
                })
                .collect();
            let total = matching.len();
            let list: Vec<Value> = matching
                .into_iter()
                .skip((page - 1) * size)
                .take(size)
                .collect();
            Ok(FakeResponse::json(
                200,
                json!({"records": list, "total_count": total}),
            ))
        }
        ("PATCH", ["dns-zones", _, "records"]) => patch(&mut s, r),
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

fn provider(fake: &Fake, token: &str) -> (PerRrset<Scaleway>, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "secret_key = {}\n{}",
        secrets.file("scw.key", token),
        http_table(fake, "/domain/v2beta1")
    ));
    (
        PerRrset(Scaleway::new(&config, &mut Setup::default()).unwrap()),
        secrets,
    )
}

#[test]
fn scaleway_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    // Every write was one PATCH of the whole RRset.
    assert!(fake.requests().iter().any(|r| r.method == "PATCH"));
}

#[test]
fn scaleway_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn scaleway_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "00000000-0000-4000-8000-000000000000";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

/// The apex is the empty name (whose filter filters nothing: other names' records in the
/// answer are left out), and a two-value RRset is written in one PATCH.
#[test]
fn scaleway_apex_is_the_empty_name_and_one_patch_per_rrset() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    state
        .lock()
        .unwrap()
        .store
        .add("other.example.test", "A", 300, "198.51.100.7");
    let apex = key("example.test.", RecordType::A);
    assert!(
        block(DynProvider::read(&p, &zone(), &apex))
            .unwrap()
            .values
            .is_empty()
    );
    fake.clear();
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &apex,
            &[],
            &[v("192.0.2.1"), v("192.0.2.2")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    let patches: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    let body = patches[0].json().unwrap();
    assert_eq!(body["changes"][0]["set"]["id_fields"]["name"], "");
    let set = block(DynProvider::read(&p, &zone(), &apex)).unwrap();
    assert_eq!((set.values.len(), set.ttl), (2, Some(300)));
    let s = state.lock().unwrap();
    assert_eq!(s.store.find("other.example.test", "A").len(), 1);
    drop(s);
    fake.assert_clean();
}
