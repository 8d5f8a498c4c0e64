//! Name.com API v4 against a fake that checks every request against the documentation: HTTP
//! Basic (user name, API token), `/v4/domains` and `/v4/domains/{domain}/records` paged with
//! `page`/`perPage` (`nextPage`), records created and updated with `host` relative to the
//! domain (empty for the apex), `type`, `answer`, `ttl` (at least 300); error bodies
//! `{"message": ..., "details": ...}`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use dnsup::provider::DynProvider;
use dnsup::provider::build::Setup;
use dnsup::provider::namecom::{Config, NameCom};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const USER: &str = "dnsup-user";
const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

struct State {
    store: Store,
    page_size: usize,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, message: &str, details: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"message": message, "details": details}))
}

fn host(name: &str) -> String {
    if name == "example.test" {
        String::new()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn record_json(r: &StoredRecord) -> Value {
    let mut v = json!({"id": u64::from_str_radix(&r.id, 16).unwrap(), "domainName": "example.test", "fqdn": format!("{}.", r.name), "type": r.rtype, "answer": r.content.trim_end_matches('.'), "ttl": r.ttl});
    let h = host(&r.name);
    if !h.is_empty() {
        v["host"] = json!(h);
    }
    v
}

fn paged(
    r: &FakeRequest,
    key: &str,
    items: Vec<Value>,
    size: usize,
) -> Result<FakeResponse, String> {
    let page: usize = r
        .param("page")
        .unwrap_or("1")
        .parse()
        .map_err(|_| "page is a number")?;
    let per: usize = r
        .param("perPage")
        .unwrap_or("1000")
        .parse()
        .map_err(|_| "perPage is a number")?;
    if page == 0 || per == 0 || per > 1000 {
        return Err(format!("page {page} / perPage {per} out of range"));
    }
    let size = size.min(per);
    let last = items.len().div_ceil(size).max(1);
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    let mut body = json!({key: chunk, "lastPage": last});
    if page < last {
        body["nextPage"] = json!(page + 1);
    }
    Ok(FakeResponse::json(200, body))
}

fn check_body(b: &Value) -> Result<(String, String, String, u32), String> {
    for k in b.as_object().ok_or("an object")?.keys() {
        if !["host", "type", "answer", "ttl", "priority"].contains(&k.as_str()) {
            return Err(format!("unexpected field {k}"));
        }
    }
    let h = b["host"].as_str().ok_or("host is a string")?;
    if h.contains("example.test") || h == "@" || h.ends_with('.') {
        return Err(format!(
            "host {h:?} is relative to the domain (empty for the apex)"
        ));
    }
    let t = b["type"].as_str().ok_or("type is a string")?;
    let answer = b["answer"].as_str().ok_or("answer is a string")?;
    let rt = RecordType::from_str(t).map_err(|_| format!("type {t}"))?;
    dnsup::update::parse_rdata(rt, answer, &zone())
        .map_err(|e| format!("answer {answer:?}: {e}"))?;
    let ttl = b["ttl"].as_u64().ok_or("ttl is a number")?;
    if ttl < 300 {
        return Err(format!("ttl {ttl} below Name.com's minimum of 300"));
    }
    let fqdn = if h.is_empty() {
        "example.test".to_string()
    } else {
        format!("{h}.example.test")
    };
    Ok((fqdn, t.to_string(), answer.to_string(), ttl as u32))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{TOKEN}"));
    if !r.expect_auth("Basic", &basic)? {
        return Ok(error(401, "Unauthenticated", "Authentication failed"));
    }
    let parts = r.parts("/v4/")?;
    let mut s = state.lock().unwrap();
    let size = s.page_size;
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["domains"]) => {
            let items = ["a.test", "example.test"]
                .iter()
                .map(|d| json!({"domainName": d, "locked": true, "autorenewEnabled": true}))
                .collect();
            paged(r, "domains", items, size)
        }
        (_, ["domains", d, ..]) if *d != "example.test" => {
            Ok(error(404, "Not Found", "domain not found"))
        }
        ("GET", ["domains", _, "records"]) => {
            let items = s.store.records.iter().map(record_json).collect();
            paged(r, "records", items, size)
        }
        ("POST", ["domains", _, "records"]) => {
            let (fqdn, t, answer, ttl) = check_body(&r.json()?)?;
            let id = s.store.add(&fqdn, &t, ttl, &answer);
            Ok(FakeResponse::json(
                200,
                record_json(s.store.get(&id).unwrap()),
            ))
        }
        ("PUT", ["domains", _, "records", id]) => {
            let (fqdn, t, answer, ttl) = check_body(&r.json()?)?;
            let n: u64 = id
                .parse()
                .map_err(|_| format!("record id {id:?} is a number"))?;
            let Some(rec) = s.store.get_mut(&format!("{n:08x}")) else {
                return Ok(error(404, "Not Found", "record not found"));
            };
            if rec.name != fqdn || rec.rtype != t {
                return Err("an update keeps the record's host and type".into());
            }
            rec.content = answer;
            rec.ttl = ttl;
            let rec = rec.clone();
            Ok(FakeResponse::json(200, record_json(&rec)))
        }
        ("DELETE", ["domains", _, "records", id]) => {
            let n: u64 = id
                .parse()
                .map_err(|_| format!("record id {id:?} is a number"))?;
            if !s.store.remove(&format!("{n:08x}")) {
                return Ok(error(404, "Not Found", "record not found"));
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

fn provider(fake: &Fake, token: &str) -> (NameCom, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "username = \"{USER}\"\ntoken = {}\n{}",
        secrets.file("namecom.token", token),
        http_table(fake, "")
    ));
    (
        NameCom::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

#[test]
fn namecom_passes_the_suite_across_pages() {
    let (fake, state) = start(1);
    let (p, _s) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    assert!(fake.requests().iter().any(|r| r.param("page") == Some("2")));
}

#[test]
fn namecom_honours_rate_limits() {
    let (fake, state) = start(1000);
    let (p, _s) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn namecom_bad_credentials() {
    let (fake, _state) = start(1000);
    let wrong = "ffffffffffffffffffffffffffffffffffffffff";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn namecom_small_ttl_is_raised_at_the_apex() {
    let (fake, state) = start(1000);
    let (p, _s) = provider(&fake, TOKEN);
    let k = key("example.test.", RecordType::A);
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.1")],
        60,
    ))
    .unwrap();
    assert_eq!(
        state.lock().unwrap().store.find("example.test", "A")[0].ttl,
        300
    );
    fake.assert_clean();
}
