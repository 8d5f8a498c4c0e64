//! Cloudflare (API v4) against a fake that checks every request against the documentation:
//! Bearer API token, `/zones` listing paginated with `page`/`per_page` (`result_info.total_pages`),
//! `dns_records` filtered by exact `name` and `type` and paginated, `POST` create, `PATCH` update
//! by id, `DELETE` by id, the `{"success": ..., "errors": [...], "result": ...}` envelope.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::cloudflare::{Cloudflare, Config};
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const TOKEN: &str = "cf-token-Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQ";
const ZONE_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";

#[derive(Debug, Clone, PartialEq, Default)]
struct Extra {
    proxied: bool,
    comment: Option<String>,
    tags: Vec<String>,
}

struct State {
    store: Store,
    /// Other zones of the account (listed before the test zone).
    other_zones: Vec<String>,
    /// Items per page the fake hands out, whatever `per_page` asks (a server may cap it).
    page_size: usize,
    extra: HashMap<String, Extra>,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn envelope(result: Value, page: usize, per_page: usize, total: usize) -> FakeResponse {
    let pages = total.div_ceil(per_page.max(1)).max(1);
    FakeResponse::json(
        200,
        json!({
            "success": true, "errors": [], "messages": [], "result": result,
            "result_info": {"page": page, "per_page": per_page, "count": 0,
                            "total_count": total, "total_pages": pages}
        }),
    )
}

fn error(status: u16, code: u32, message: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"success": false, "errors": [{"code": code, "message": message}], "messages": [], "result": null}),
    )
}

fn record_json(r: &super::store::StoredRecord, e: &Extra) -> Value {
    json!({
        "id": r.id, "zone_id": ZONE_ID, "zone_name": "example.test", "name": r.name,
        "type": r.rtype, "content": r.content, "proxiable": true, "proxied": e.proxied,
        "ttl": r.ttl, "comment": e.comment, "tags": e.tags, "settings": {}, "meta": {},
        "created_on": "2014-01-01T05:20:00.12345Z", "modified_on": "2014-01-01T05:20:00.12345Z"
    })
}

fn page_params(r: &FakeRequest) -> Result<(usize, usize), String> {
    let page: usize = match r.param("page") {
        Some(p) => p
            .parse()
            .map_err(|_| format!("page {p:?} is not a number"))?,
        None => 1,
    };
    let per_page: usize = match r.param("per_page") {
        Some(p) => p
            .parse()
            .map_err(|_| format!("per_page {p:?} is not a number"))?,
        None => 20,
    };
    if page == 0 || per_page == 0 {
        return Err("page and per_page start at 1".into());
    }
    Ok((page, per_page))
}

fn check_ttl(v: &Value) -> Result<u32, String> {
    let t = v
        .as_u64()
        .ok_or_else(|| format!("ttl must be a number, got {v}"))?;
    if t == 1 || (30..=86_400).contains(&t) {
        Ok(t as u32)
    } else {
        Err(format!(
            "ttl {t}: must be 1 (automatic) or 60..86400 (30 on Enterprise)"
        ))
    }
}

fn check_content(rtype: &str, content: &str) -> Result<(), String> {
    let t = RecordType::from_str(rtype).map_err(|_| format!("type {rtype:?}"))?;
    if t == RecordType::TXT && !content.starts_with('"') {
        return Err(format!(
            "TXT content must be quoted character strings, got {content:?}"
        ));
    }
    dnsup::update::parse_rdata(t, content, &zone())
        .map(|_| ())
        .map_err(|e| format!("content {content:?}: {e}"))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if r.header("x-auth-key").is_some() || r.header("x-auth-email").is_some() {
        return Err("the legacy global API key headers must not be sent".into());
    }
    if !r.expect_auth("Bearer", TOKEN)? {
        return Ok(error(403, 9109, "Invalid access token"));
    }
    let path = r
        .path
        .strip_prefix("/client/v4/")
        .ok_or_else(|| format!("{} is outside /client/v4", r.path))?;
    let parts: Vec<&str> = path.split('/').collect();
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["zones"]) => {
            let mut zones: Vec<String> = s.other_zones.clone();
            zones.push("example.test".into());
            if let Some(name) = r.param("name") {
                zones.retain(|z| z == name);
            }
            let (page, per_page) = page_params(r)?;
            if per_page > 50 {
                return Err(format!("zones: per_page {per_page} > 50"));
            }
            let size = per_page.min(s.page_size);
            let total = zones.len();
            let items: Vec<Value> = zones
                .iter()
                .skip((page - 1) * size)
                .take(size)
                .map(|z| {
                    let id = if z == "example.test" {
                        ZONE_ID.to_string()
                    } else {
                        format!("{:032x}", z.len())
                    };
                    json!({"id": id, "name": z, "status": "active", "paused": false, "type": "full"})
                })
                .collect();
            Ok(envelope(Value::Array(items), page, size, total))
        }
        ("GET", ["zones", id]) if *id == ZONE_ID => Ok(FakeResponse::json(
            200,
            json!({"success": true, "errors": [], "messages": [],
                   "result": {"id": ZONE_ID, "name": "example.test", "status": "active"}}),
        )),
        (_, ["zones", id, ..]) if *id != ZONE_ID => Ok(error(
            404,
            7003,
            "Could not route to /zones, perhaps your object identifier is invalid?",
        )),
        ("GET", ["zones", _, "dns_records"]) => {
            let name = r
                .param("name")
                .ok_or("dns_records: the suite's reads filter by name")?;
            let rtype = r
                .param("type")
                .ok_or("dns_records: the suite's reads filter by type")?;
            if name != name.to_ascii_lowercase() || name.ends_with('.') {
                return Err(format!("name {name:?}: lower case, no final dot"));
            }
            let (page, per_page) = page_params(r)?;
            if per_page > 5_000_000 {
                return Err("per_page too large".into());
            }
            let size = per_page.min(s.page_size);
            let found: Vec<Value> = s
                .store
                .find(name, rtype)
                .into_iter()
                .map(|rec| record_json(rec, &s.extra.get(&rec.id).cloned().unwrap_or_default()))
                .collect();
            let total = found.len();
            let items: Vec<Value> = found
                .into_iter()
                .skip((page - 1) * size)
                .take(size)
                .collect();
            Ok(envelope(Value::Array(items), page, size, total))
        }
        ("POST", ["zones", _, "dns_records"]) => {
            let b = r.json()?;
            let obj = b.as_object().ok_or("body must be an object")?;
            for k in obj.keys() {
                if ![
                    "type", "name", "content", "ttl", "proxied", "comment", "tags",
                ]
                .contains(&k.as_str())
                {
                    return Err(format!("create: unexpected field {k}"));
                }
            }
            let rtype = b["type"].as_str().ok_or("type must be a string")?;
            let name = b["name"].as_str().ok_or("name must be a string")?;
            let content = b["content"].as_str().ok_or("content must be a string")?;
            if !(name == "example.test" || name.ends_with(".example.test")) {
                return Err(format!(
                    "name {name:?} is not in the zone (full name expected)"
                ));
            }
            check_content(rtype, content)?;
            let ttl = check_ttl(&b["ttl"])?;
            let proxied = match obj.get("proxied") {
                None => false,
                Some(Value::Bool(p)) => *p,
                Some(other) => return Err(format!("proxied must be a boolean, got {other}")),
            };
            if proxied && ttl != 1 {
                return Err("a proxied record's ttl is 1 (automatic)".into());
            }
            let extra = Extra {
                proxied,
                comment: b["comment"].as_str().map(String::from),
                tags: b["tags"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let id = s.store.add(name, rtype, ttl, content);
            s.extra.insert(id.clone(), extra.clone());
            let rec = s.store.get(&id).unwrap().clone();
            Ok(FakeResponse::json(
                200,
                json!({"success": true, "errors": [], "messages": [], "result": record_json(&rec, &extra)}),
            ))
        }
        ("PATCH", ["zones", _, "dns_records", id]) => {
            let b = r.json()?;
            let obj = b.as_object().ok_or("body must be an object")?;
            for k in obj.keys() {
                if !["content", "ttl"].contains(&k.as_str()) {
                    return Err(format!(
                        "update of {id}: dnsup changes only content and ttl, got {k} (proxied, comment and tags must be kept)"
                    ));
                }
            }
            let extra = s.extra.get(*id).cloned().unwrap_or_default();
            let Some(rec) = s.store.get(id).cloned() else {
                return Ok(error(404, 81044, "Record does not exist."));
            };
            if let Some(c) = obj.get("content") {
                let c = c.as_str().ok_or("content must be a string")?;
                check_content(&rec.rtype, c)?;
            }
            if let Some(t) = obj.get("ttl") {
                let t = check_ttl(t)?;
                if extra.proxied && t != 1 {
                    return Err("a proxied record's ttl cannot be set".into());
                }
            }
            let rec = s.store.get_mut(id).unwrap();
            if let Some(c) = obj.get("content").and_then(Value::as_str) {
                rec.content = c.to_string();
            }
            if let Some(t) = obj.get("ttl").and_then(Value::as_u64) {
                rec.ttl = t as u32;
            }
            let rec = rec.clone();
            Ok(FakeResponse::json(
                200,
                json!({"success": true, "errors": [], "messages": [], "result": record_json(&rec, &extra)}),
            ))
        }
        ("DELETE", ["zones", _, "dns_records", id]) => {
            if !r.body.is_empty() {
                return Err("DELETE has no body".into());
            }
            if !s.store.remove(id) {
                return Ok(error(404, 81044, "Record does not exist."));
            }
            Ok(FakeResponse::json(
                200,
                json!({"success": true, "errors": [], "messages": [], "result": {"id": id}}),
            ))
        }
        _ => Err(format!(
            "{} {}: not a documented endpoint",
            r.method, r.path
        )),
    }
}

fn start(page_size: usize, other_zones: usize) -> (Fake, Shared) {
    let state = Arc::new(Mutex::new(State {
        store: Store::new("example.test"),
        other_zones: (0..other_zones).map(|i| format!("zone{i}.test")).collect(),
        page_size,
        extra: HashMap::new(),
    }));
    let s = state.clone();
    let fake = Fake::start(move |r| handle(&s, r));
    (fake, state)
}

fn provider(fake: &Fake, token: &str, extra: &str) -> (Cloudflare, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token = {}\n{extra}\n{}",
        secrets.file("cf.token", &format!("{token}\n")),
        http_table(fake, "/client/v4")
    ));
    let mut setup = Setup::default();
    let p = Cloudflare::new(&config, &mut setup).unwrap();
    assert!(setup.warnings.is_empty(), "{:?}", setup.warnings);
    (p, secrets)
}

#[test]
fn cloudflare_passes_the_suite() {
    // One item per page: zones and multi-value RRsets span several pages.
    let (fake, state) = start(1, 3);
    let (p, _dir) = provider(&fake, TOKEN, "");
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    // The zone was found on a later page, and RRsets of two values were read across pages.
    let reqs = fake.requests();
    assert!(
        reqs.iter()
            .any(|r| r.path.ends_with("/zones") && r.param("page") == Some("4"))
    );
    assert!(
        reqs.iter()
            .any(|r| r.path.ends_with("/dns_records") && r.param("page") == Some("2"))
    );
}

#[test]
fn cloudflare_passes_the_suite_with_a_configured_zone_id() {
    let (fake, state) = start(50, 2);
    let (p, _dir) = provider(&fake, TOKEN, &format!("zone_id = {ZONE_ID:?}"));
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    assert!(
        !fake
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/zones") && r.method == "GET"),
        "no zone listing with a zone_id"
    );
}

#[test]
fn cloudflare_honours_rate_limits() {
    let (fake, state) = start(50, 0);
    let (p, _dir) = provider(&fake, TOKEN, "");
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn cloudflare_bad_credentials() {
    let (fake, _state) = start(50, 0);
    let wrong = "cf-wrong-token-0000000000000000000000";
    let (p, _dir) = provider(&fake, wrong, "");
    bad_credentials_are_an_auth_error(&p, &zone(), wrong);
    let err = block(DynProvider::find_zone(&p, &zone())).unwrap_err();
    assert!(err.to_string().contains("Invalid access token"), "{err}");
    fake.assert_clean();
}

#[test]
fn cloudflare_keeps_proxied_comment_and_tags() {
    let (fake, state) = start(50, 0);
    let id = {
        let mut s = state.lock().unwrap();
        let id = s.store.add("proxy.example.test", "A", 1, "192.0.2.10");
        s.extra.insert(
            id.clone(),
            Extra {
                proxied: true,
                comment: Some("origin, do not remove".into()),
                tags: vec!["owner:ops".into()],
            },
        );
        id
    };
    let (p, _dir) = provider(&fake, TOKEN, "proxied = false");
    let k = key("proxy.example.test.", RecordType::A);
    let set = block(DynProvider::read(&p, &zone(), &k)).unwrap();
    assert_eq!(set.ttl, Some(300), "automatic TTL reads as 300 s");
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("192.0.2.10")],
            &[v("192.0.2.11"), v("192.0.2.12")],
            60
        ))
        .unwrap(),
        Applied::Done
    );
    let s = state.lock().unwrap();
    let recs = s.store.find("proxy.example.test", "A");
    assert_eq!(recs.len(), 2);
    // The existing record was changed in place: same id, still proxied, comment and tags kept.
    let same = s.store.get(&id).unwrap();
    assert_eq!(same.content, "192.0.2.11");
    assert_eq!(same.ttl, 1);
    assert!(s.extra[&id].proxied);
    // The new record of the set follows the set: proxied, with its comment and tags.
    let other = recs.iter().find(|r| r.id != id).unwrap();
    assert_eq!(other.content, "192.0.2.12");
    assert_eq!(
        s.extra[&other.id],
        Extra {
            proxied: true,
            comment: Some("origin, do not remove".into()),
            tags: vec!["owner:ops".into()],
        }
    );
    drop(s);
    fake.assert_clean();
}

#[test]
fn cloudflare_creates_proxied_records_when_configured() {
    let (fake, state) = start(50, 0);
    let (p, _dir) = provider(&fake, TOKEN, "proxied = true");
    let k = key("new.example.test.", RecordType::AAAA);
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("2001:db8::5")],
        120,
    ))
    .unwrap();
    let s = state.lock().unwrap();
    let r = s.store.find("new.example.test", "AAAA")[0].clone();
    assert_eq!(r.ttl, 1);
    assert!(s.extra[&r.id].proxied);
    drop(s);
    // A conflict changes nothing and sends no write.
    fake.clear();
    let got = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("2001:db8::6")],
        &[],
        120,
    ))
    .unwrap();
    assert!(matches!(got, Applied::Conflict(_)), "{got:?}");
    assert!(fake.requests().iter().all(|r| r.method == "GET"));
    fake.assert_clean();
}

#[test]
fn cloudflare_api_errors_are_reported_without_the_token() {
    let (fake, _state) = start(50, 0);
    let (p, _dir) = provider(&fake, TOKEN, "");
    fake.inject(error(400, 9005, "Content for A record is invalid."));
    let err = block(DynProvider::read(
        &p,
        &zone(),
        &key("x.example.test.", RecordType::A),
    ))
    .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("Content for A record is invalid. (code 9005)"),
        "{text}"
    );
    assert!(
        matches!(err, dnsup::provider::ProviderError::Refused(_)),
        "{err}"
    );
    assert!(!text.contains(TOKEN));
    fake.assert_clean();
}
