//! Vultr DNS (API v2) against a fake that checks every request against the documentation:
//! Bearer token, `/v2/domains` and `/v2/domains/{domain}/records` cursor-paged (`per_page`,
//! `cursor`, `meta.links.next`), records created with a relative name (empty for the apex),
//! `PATCH`ed and deleted by id; error bodies `{"error": ..., "status": ...}`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::vultr::{Config, Vultr};
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const TOKEN: &str = "VULTR0123456789ABCDEFGHIJKLMNOPQRSTU";

struct State {
    store: Store,
    page_size: usize,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"error": message, "status": status}))
}

fn relative(name: &str) -> String {
    if name == "example.test" {
        String::new()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn record_json(r: &StoredRecord) -> Value {
    json!({"id": r.id, "type": r.rtype, "name": relative(&r.name), "data": r.content.trim_end_matches('.'), "priority": 0, "ttl": r.ttl})
}

/// A cursor page: the cursor is the index of the first item, base64 as Vultr's look.
fn paged(
    r: &FakeRequest,
    key: &str,
    items: Vec<Value>,
    size: usize,
) -> Result<FakeResponse, String> {
    let per_page: usize = r
        .param("per_page")
        .unwrap_or("100")
        .parse()
        .map_err(|_| "per_page is a number")?;
    if per_page == 0 || per_page > 500 {
        return Err(format!("per_page {per_page} out of range (max 500)"));
    }
    let start: usize = match r.param("cursor") {
        None => 0,
        Some(c) => c
            .strip_prefix("next__")
            .and_then(|n| n.parse().ok())
            .ok_or(format!("cursor {c:?} was not given by the fake"))?,
    };
    let size = size.min(per_page);
    let total = items.len();
    let chunk: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    let next = if start + size < total {
        format!("next__{}", start + size)
    } else {
        String::new()
    };
    Ok(FakeResponse::json(
        200,
        json!({key: chunk, "meta": {"total": total, "links": {"next": next, "prev": ""}}}),
    ))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if !r.expect_auth("Bearer", TOKEN)? {
        return Ok(error(401, "Invalid API token."));
    }
    let parts = r.parts("/v2/")?;
    let mut s = state.lock().unwrap();
    let size = s.page_size;
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["domains"]) => {
            let items = ["a.test", "b.test", "example.test"].iter().map(|d| json!({"domain": d, "date_created": "2020-10-10T01:56:20+00:00", "dns_sec": "disabled"})).collect();
            paged(r, "domains", items, size)
        }
        (_, ["domains", d, ..]) if *d != "example.test" => Ok(error(404, "Domain not found.")),
        ("GET", ["domains", _, "records"]) => {
            let items = s.store.records.iter().map(record_json).collect();
            paged(r, "records", items, size)
        }
        ("POST", ["domains", _, "records"]) => {
            let b = r.json()?;
            for k in b.as_object().ok_or("an object")?.keys() {
                if !["name", "type", "data", "ttl", "priority"].contains(&k.as_str()) {
                    return Err(format!("create: unexpected field {k}"));
                }
            }
            let name = b["name"].as_str().ok_or("name is a string")?;
            if name.contains("example.test") || name == "@" || name.ends_with('.') {
                return Err(format!(
                    "name {name:?} is relative to the domain (empty for the apex)"
                ));
            }
            let t = b["type"].as_str().ok_or("type is a string")?;
            let data = b["data"].as_str().ok_or("data is a string")?;
            let rt = RecordType::from_str(t).map_err(|_| format!("type {t}"))?;
            dnsup::update::parse_rdata(rt, data, &zone())
                .map_err(|e| format!("data {data:?}: {e}"))?;
            let ttl = b["ttl"].as_u64().ok_or("ttl is a number")? as u32;
            let fqdn = if name.is_empty() {
                "example.test".to_string()
            } else {
                format!("{name}.example.test")
            };
            let id = s.store.add(&fqdn, t, ttl, data);
            Ok(FakeResponse::json(
                201,
                json!({"record": record_json(s.store.get(&id).unwrap())}),
            ))
        }
        ("PATCH", ["domains", _, "records", id]) => {
            let b = r.json()?;
            for k in b.as_object().ok_or("an object")?.keys() {
                if !["name", "data", "ttl", "priority"].contains(&k.as_str()) {
                    return Err(format!("update: unexpected field {k}"));
                }
            }
            let Some(rec) = s.store.get_mut(id) else {
                return Ok(error(404, "Record not found."));
            };
            if let Some(d) = b.get("data") {
                rec.content = d.as_str().ok_or("data is a string")?.to_string();
            }
            if let Some(t) = b.get("ttl") {
                rec.ttl = t.as_u64().ok_or("ttl is a number")? as u32;
            }
            Ok(FakeResponse::empty(204))
        }
        ("DELETE", ["domains", _, "records", id]) => {
            if !s.store.remove(id) {
                return Ok(error(404, "Record not found."));
            }
            Ok(FakeResponse::empty(204))
        }
        _ => Err(format!(
            "{} {}: not a documented endpoint",
            r.method, r.path
        )),
    }
}

fn start(page_size: usize) -> (Fake, Shared) {
    serve(
        State {
            store: Store::new("example.test"),
            page_size,
        },
        handle,
    )
}

fn provider(fake: &Fake, token: &str) -> (Vultr, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token = {}\n{}",
        secrets.file("vultr.token", token),
        http_table(fake, "/v2")
    ));
    (Vultr::new(&config, &mut Setup::default()).unwrap(), secrets)
}

#[test]
fn vultr_passes_the_suite_across_pages() {
    let (fake, state) = start(1);
    let (p, _s) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    assert!(fake.requests().iter().any(|r| r.param("cursor").is_some()));
}

#[test]
fn vultr_honours_rate_limits() {
    let (fake, state) = start(100);
    let (p, _s) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn vultr_bad_credentials() {
    let (fake, _state) = start(100);
    let wrong = "WRONGWRONGWRONGWRONGWRONGWRONGWRONG0";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn vultr_apex_is_the_empty_name() {
    let (fake, state) = start(100);
    let (p, _s) = provider(&fake, TOKEN);
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
    fake.assert_clean();
}
