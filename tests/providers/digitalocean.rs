//! DigitalOcean (API v2) against a fake that checks every request against the documentation:
//! Bearer token, `/v2/domains` and `/v2/domains/{domain}/records?name={fqdn}&type=...`
//! paginated with `page`/`per_page` (`links.pages.next`), records created with a relative name
//! (`@` for the apex), updated by id, deleted by id; TTL at least 30; error bodies
//! `{"id": ..., "message": ...}`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::digitalocean::{Config, DigitalOcean};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const TOKEN: &str = "dop_v1_0123456789abcdef0123456789abcdef";

struct State {
    store: Store,
    other_domains: Vec<String>,
    page_size: usize,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, id: &str, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"id": id, "message": message}))
}

fn relative(name: &str) -> String {
    if name == "example.test" {
        "@".into()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn record_json(r: &StoredRecord) -> Value {
    json!({
        "id": u64::from_str_radix(&r.id, 16).unwrap(), "type": r.rtype, "name": relative(&r.name),
        "data": r.content.trim_end_matches('.'), "priority": null, "port": null, "ttl": r.ttl,
        "weight": null, "flags": null, "tag": null
    })
}

/// A page of `items` with DigitalOcean's `links` and `meta`.
fn paged(
    r: &FakeRequest,
    key: &str,
    items: Vec<Value>,
    page_size: usize,
    url: &str,
) -> Result<FakeResponse, String> {
    let page: usize = r
        .param("page")
        .unwrap_or("1")
        .parse()
        .map_err(|_| "page must be a number".to_string())?;
    let per_page: usize = r
        .param("per_page")
        .unwrap_or("20")
        .parse()
        .map_err(|_| "per_page must be a number".to_string())?;
    if page == 0 || per_page == 0 || per_page > 200 {
        return Err(format!(
            "page {page} / per_page {per_page} out of range (per_page max 200)"
        ));
    }
    let size = per_page.min(page_size);
    let total = items.len();
    let last = total.div_ceil(size).max(1);
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    let mut pages = serde_json::Map::new();
    if page > 1 {
        pages.insert(
            "first".into(),
            json!(format!("{url}?page=1&per_page={size}")),
        );
        pages.insert(
            "prev".into(),
            json!(format!("{url}?page={}&per_page={size}", page - 1)),
        );
    }
    if page < last {
        pages.insert(
            "next".into(),
            json!(format!("{url}?page={}&per_page={size}", page + 1)),
        );
        pages.insert(
            "last".into(),
            json!(format!("{url}?page={last}&per_page={size}")),
        );
    }
    Ok(FakeResponse::json(
        200,
        json!({key: chunk, "links": {"pages": pages}, "meta": {"total": total}}),
    ))
}

fn check_data(rtype: &str, data: &str) -> Result<(), String> {
    let t = RecordType::from_str(rtype).map_err(|_| format!("type {rtype:?}"))?;
    if !matches!(t, RecordType::A | RecordType::AAAA) {
        return Err(format!("dnsup sends only A and AAAA here, got {rtype}"));
    }
    dnsup::update::parse_rdata(t, data, &zone())
        .map(|_| ())
        .map_err(|e| format!("data {data:?}: {e}"))
}

fn check_ttl(v: &Value) -> Result<u32, String> {
    match v.as_u64() {
        Some(t) if t >= 30 => Ok(t as u32),
        _ => Err(format!("ttl must be a number >= 30, got {v}")),
    }
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if !r.expect_auth("Bearer", TOKEN)? {
        return Ok(error(401, "unauthorized", "Unable to authenticate you."));
    }
    let path = r
        .path
        .strip_prefix("/v2/")
        .ok_or_else(|| format!("{} is outside /v2", r.path))?;
    let parts: Vec<&str> = path.split('/').collect();
    let mut s = state.lock().unwrap();
    let base = "https://api.digitalocean.com/v2";
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["domains"]) => {
            let mut names = s.other_domains.clone();
            names.push("example.test".into());
            let items = names
                .iter()
                .map(|n| json!({"name": n, "ttl": 1800, "zone_file": ""}))
                .collect();
            paged(r, "domains", items, s.page_size, &format!("{base}/domains"))
        }
        (_, ["domains", d, ..]) if *d != "example.test" => Ok(error(
            404,
            "not_found",
            "The resource you were accessing could not be found.",
        )),
        ("GET", ["domains", _, "records"]) => {
            let name = r.param("name").ok_or("records: dnsup filters by name")?;
            let rtype = r.param("type").ok_or("records: dnsup filters by type")?;
            if !(name == "example.test" || name.ends_with(".example.test")) {
                return Err(format!(
                    "name {name:?} must be the fully qualified record name"
                ));
            }
            let items = s
                .store
                .find(name, rtype)
                .into_iter()
                .map(record_json)
                .collect();
            paged(
                r,
                "domain_records",
                items,
                s.page_size,
                &format!("{base}/domains/example.test/records"),
            )
        }
        ("POST", ["domains", _, "records"]) => {
            let b = r.json()?;
            let obj = b.as_object().ok_or("body must be an object")?;
            for k in obj.keys() {
                if !["type", "name", "data", "ttl"].contains(&k.as_str()) {
                    return Err(format!("create: unexpected field {k}"));
                }
            }
            let rtype = b["type"].as_str().ok_or("type must be a string")?;
            let name = b["name"].as_str().ok_or("name must be a string")?;
            let data = b["data"].as_str().ok_or("data must be a string")?;
            if name.contains("example.test") || name.is_empty() || name.ends_with('.') {
                return Err(format!(
                    "name {name:?} must be relative to the domain (@ for the apex)"
                ));
            }
            check_data(rtype, data)?;
            let ttl = check_ttl(&b["ttl"])?;
            let fqdn = if name == "@" {
                "example.test".to_string()
            } else {
                format!("{name}.example.test")
            };
            let id = s.store.add(&fqdn, rtype, ttl, data);
            let rec = s.store.get(&id).unwrap().clone();
            Ok(FakeResponse::json(
                201,
                json!({"domain_record": record_json(&rec)}),
            ))
        }
        ("PATCH" | "PUT", ["domains", _, "records", id]) => {
            let b = r.json()?;
            let obj = b.as_object().ok_or("body must be an object")?;
            let rtype = b["type"].as_str().ok_or("update: type is required")?;
            for k in obj.keys() {
                if !["type", "name", "data", "ttl"].contains(&k.as_str()) {
                    return Err(format!("update: unexpected field {k}"));
                }
            }
            let Ok(n) = id.parse::<u64>() else {
                return Err(format!("record id {id:?} is an integer"));
            };
            let id = &format!("{n:08x}");
            let Some(rec) = s.store.get(id).cloned() else {
                return Ok(error(
                    404,
                    "not_found",
                    "The resource you were accessing could not be found.",
                ));
            };
            if rec.rtype != rtype {
                return Ok(error(422, "unprocessable_entity", "type cannot be changed"));
            }
            if let Some(d) = obj.get("data") {
                check_data(rtype, d.as_str().ok_or("data must be a string")?)?;
            }
            if let Some(t) = obj.get("ttl") {
                check_ttl(t)?;
            }
            let rec = s.store.get_mut(id).unwrap();
            if let Some(d) = obj.get("data").and_then(Value::as_str) {
                rec.content = d.to_string();
            }
            if let Some(t) = obj.get("ttl").and_then(Value::as_u64) {
                rec.ttl = t as u32;
            }
            let rec = rec.clone();
            Ok(FakeResponse::json(
                200,
                json!({"domain_record": record_json(&rec)}),
            ))
        }
        ("DELETE", ["domains", _, "records", id]) => {
            let Ok(n) = id.parse::<u64>() else {
                return Err(format!("record id {id:?} is an integer"));
            };
            if !s.store.remove(&format!("{n:08x}")) {
                return Ok(error(
                    404,
                    "not_found",
                    "The resource you were accessing could not be found.",
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

fn start(page_size: usize, other_domains: usize) -> (Fake, Shared) {
    serve(
        State {
            store: Store::new("example.test"),
            other_domains: (0..other_domains).map(|i| format!("d{i}.test")).collect(),
            page_size,
        },
        handle,
    )
}

fn provider(fake: &Fake, token: &str) -> (DigitalOcean, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token = {}\n{}",
        secrets.file("do.token", token),
        http_table(fake, "/v2")
    ));
    (
        DigitalOcean::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

#[test]
fn digitalocean_passes_the_suite() {
    let (fake, state) = start(1, 2);
    let (p, _dir) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    let reqs = fake.requests();
    assert!(
        reqs.iter()
            .any(|r| r.path == "/v2/domains" && r.param("page") == Some("3"))
    );
    assert!(
        reqs.iter()
            .any(|r| r.path.ends_with("/records") && r.param("page") == Some("2"))
    );
}

#[test]
fn digitalocean_honours_rate_limits() {
    let (fake, state) = start(20, 0);
    let (p, _dir) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn digitalocean_bad_credentials() {
    let (fake, _state) = start(20, 0);
    let wrong = "dop_v1_wrongwrongwrongwrongwrongwrong00";
    let (p, _dir) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn digitalocean_apex_small_ttl_and_in_place_updates() {
    let (fake, state) = start(20, 0);
    let (p, _dir) = provider(&fake, TOKEN);
    let k = key("example.test.", RecordType::A);
    // The apex is "@"; a TTL below 30 is raised to 30.
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.1")],
        5,
    ))
    .unwrap();
    let id = {
        let s = state.lock().unwrap();
        let r = s.store.find("example.test", "A")[0].clone();
        assert_eq!(r.ttl, 30);
        r.id
    };
    // A new value reuses the record (same id) instead of delete + create.
    fake.clear();
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("192.0.2.1")],
            &[v("192.0.2.2")],
            30
        ))
        .unwrap(),
        Applied::Done
    );
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.method != "POST" && r.method != "DELETE")
    );
    assert_eq!(
        state.lock().unwrap().store.get(&id).unwrap().content,
        "192.0.2.2"
    );
    // TXT is refused before anything is sent.
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
    fake.assert_clean();
}
