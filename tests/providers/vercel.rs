//! Vercel DNS against a fake that checks every request against the documentation:
//! - <https://vercel.com/docs/rest-api/endpoints/dns>: list records `GET
//!   /v4/domains/{domain}/records` (`limit`, `since`, `until`, `teamId`; answer `{"records":
//!   [{"id", "name", "type", "value", "ttl", ...}], "pagination": {"count", "next", "prev"}}`,
//!   `next` the `until` of the next page, null on the last), create `POST
//!   /v2/domains/{domain}/records` (`name`, `type`, `value`, `ttl`; answer `{"uid"}`), update
//!   `PATCH /v1/domains/records/{recordId}`, delete `DELETE
//!   /v2/domains/{domain}/records/{recordId}`.
//! - <https://vercel.com/docs/rest-api/endpoints/domains>: list domains `GET /v5/domains`
//!   (same paging).
//! - Authentication `Authorization: Bearer TOKEN`, a team's resources with `teamId` on every
//!   call; errors `{"error": {"code", "message"}}` (403 `forbidden` for a bad token); TTL at
//!   least 60; 429 when rate limited.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::vercel::{Config, Vercel};
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const TOKEN: &str = "vercel0123456789ABCDEFGHIJ";
const TEAM: &str = "team_dnsup01";

struct State {
    store: Store,
    page_size: usize,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, code: &str, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"error": {"code": code, "message": message}}))
}

fn relative(name: &str) -> String {
    if name == "example.test" {
        String::new()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

/// The fake's creation time of a record: its id as a number (newest first in listings).
fn created(r: &StoredRecord) -> u64 {
    1_600_000_000_000 + u64::from_str_radix(&r.id, 16).unwrap()
}

fn record_json(r: &StoredRecord) -> Value {
    json!({"id": format!("rec_{}", r.id), "slug": "example.test", "name": relative(&r.name), "type": r.rtype, "value": r.content.trim_end_matches('.'), "creator": "u", "created": created(r), "createdAt": created(r), "ttl": r.ttl})
}

/// Newest first; `until` keeps those created before it.
fn paged(
    r: &FakeRequest,
    key: &str,
    mut items: Vec<(u64, Value)>,
    size: usize,
) -> Result<FakeResponse, String> {
    let limit: usize = r
        .param("limit")
        .unwrap_or("20")
        .parse()
        .map_err(|_| "limit is a number")?;
    if limit == 0 || limit > 100 {
        return Err(format!("limit {limit} out of range"));
    }
    let until: Option<u64> = match r.param("until") {
        Some(u) => Some(u.parse().map_err(|_| "until is a timestamp")?),
        None => None,
    };
    items.sort_by_key(|x| std::cmp::Reverse(x.0));
    let left: Vec<(u64, Value)> = items
        .into_iter()
        .filter(|(t, _)| until.is_none_or(|u| *t < u))
        .collect();
    let size = size.min(limit);
    let chunk: Vec<(u64, Value)> = left.iter().take(size).cloned().collect();
    let next = if left.len() > size {
        json!(chunk.last().unwrap().0)
    } else {
        Value::Null
    };
    let values: Vec<Value> = chunk.into_iter().map(|(_, v)| v).collect();
    Ok(FakeResponse::json(
        200,
        json!({key: values, "pagination": {"count": size, "next": next, "prev": null}}),
    ))
}

fn check_ttl(b: &Value) -> Result<u32, String> {
    let t = b["ttl"].as_u64().ok_or("ttl is a number")?;
    if t < 60 {
        return Err(format!("ttl {t} below Vercel's minimum of 60"));
    }
    Ok(t as u32)
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if !r.expect_auth("Bearer", TOKEN)? {
        return Ok(error(403, "forbidden", "Not authorized"));
    }
    if r.param("teamId") != Some(TEAM) {
        return Err(format!(
            "teamId={TEAM} is required on every call of a team's domain"
        ));
    }
    let parts = r.parts("/")?;
    let mut s = state.lock().unwrap();
    let size = s.page_size;
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["v5", "domains"]) => {
            let items = ["a.test", "example.test", "z.test"]
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    (
                        i as u64 + 1,
                        json!({"name": d, "verified": true, "createdAt": i + 1}),
                    )
                })
                .collect();
            paged(r, "domains", items, size)
        }
        (_, [_, "domains", d, ..]) if *d != "example.test" && *d != "records" => {
            Ok(error(404, "not_found", "Domain not found"))
        }
        ("GET", ["v4", "domains", _, "records"]) => {
            let items = s
                .store
                .records
                .iter()
                .map(|x| (created(x), record_json(x)))
                .collect();
            paged(r, "records", items, size)
        }
        ("POST", ["v2", "domains", _, "records"]) => {
            let b = r.json()?;
            for k in b.as_object().ok_or("an object")?.keys() {
                if !["name", "type", "value", "ttl", "comment", "mxPriority"].contains(&k.as_str())
                {
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
            let value = b["value"].as_str().ok_or("value is a string")?;
            let rt = RecordType::from_str(t).map_err(|_| format!("type {t}"))?;
            dnsup::update::parse_rdata(rt, value, &zone())
                .map_err(|e| format!("value {value:?}: {e}"))?;
            let fqdn = if name.is_empty() {
                "example.test".to_string()
            } else {
                format!("{name}.example.test")
            };
            let id = s.store.add(&fqdn, t, check_ttl(&b)?, value);
            Ok(FakeResponse::json(200, json!({"uid": format!("rec_{id}")})))
        }
        ("PATCH", ["v1", "domains", "records", id]) => {
            let b = r.json()?;
            for k in b.as_object().ok_or("an object")?.keys() {
                if !["name", "type", "value", "ttl", "comment", "mxPriority"].contains(&k.as_str())
                {
                    return Err(format!("update: unexpected field {k}"));
                }
            }
            let ttl = if b.get("ttl").is_some() {
                Some(check_ttl(&b)?)
            } else {
                None
            };
            let id = id.strip_prefix("rec_").ok_or("record ids are rec_...")?;
            let Some(rec) = s.store.get_mut(id) else {
                return Ok(error(404, "not_found", "Record not found"));
            };
            if let Some(v) = b.get("value") {
                rec.content = v.as_str().ok_or("value is a string")?.to_string();
            }
            if let Some(t) = ttl {
                rec.ttl = t;
            }
            let out = record_json(rec);
            Ok(FakeResponse::json(200, out))
        }
        ("DELETE", ["v2", "domains", _, "records", id]) => {
            let id = id.strip_prefix("rec_").ok_or("record ids are rec_...")?;
            if !s.store.remove(id) {
                return Ok(error(404, "not_found", "Record not found"));
            }
            Ok(FakeResponse::json(200, json!({})))
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

fn provider(fake: &Fake, token: &str) -> (Vercel, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token = {}\nteam_id = \"{TEAM}\"\n{}",
        secrets.file("vercel.token", token),
        http_table(fake, "")
    ));
    (
        Vercel::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

#[test]
fn vercel_passes_the_suite_across_pages() {
    let (fake, state) = start(1);
    let (p, _s) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    assert!(fake.requests().iter().any(|r| r.param("until").is_some()));
}

#[test]
fn vercel_honours_rate_limits() {
    let (fake, state) = start(100);
    let (p, _s) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn vercel_bad_credentials() {
    let (fake, _state) = start(100);
    let wrong = "WRONGwrongWRONGwrong0000";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn vercel_apex_is_the_empty_name() {
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
            30
        ))
        .unwrap(),
        Applied::Done
    );
    let held: Vec<u32> = state
        .lock()
        .unwrap()
        .store
        .find("example.test", "AAAA")
        .iter()
        .map(|r| r.ttl)
        .collect();
    assert_eq!(held, [60]);
    fake.assert_clean();
}
