//! Linode (Akamai Cloud) Domains API v4 against a fake that checks every request against the
//! documentation:
//! - Authentication: `Authorization: Bearer TOKEN`
//!   (<https://techdocs.akamai.com/linode-api/reference/get-started>); 401
//!   `{"errors": [{"reason": "Invalid Token"}]}`.
//! - Paging <https://techdocs.akamai.com/linode-api/reference/pagination>: `page` from 1,
//!   `page_size` 25..500; answers `{"data": [...], "page", "pages", "results"}`.
//! - List domains <https://techdocs.akamai.com/linode-api/reference/get-domains>: `GET
//!   /v4/domains`, `{"id", "domain", "type", ...}`.
//! - List records <https://techdocs.akamai.com/linode-api/reference/get-domain-records>:
//!   `GET /v4/domains/{domainId}/records`, `{"id", "type", "name", "target", "ttl_sec", ...}`,
//!   `name` relative and empty for the apex.
//! - Create <https://techdocs.akamai.com/linode-api/reference/post-domain-record>: `POST` with
//!   `type`, `name`, `target`, `ttl_sec`; update
//!   <https://techdocs.akamai.com/linode-api/reference/put-domain-record>: `PUT
//!   .../records/{recordId}`; delete
//!   <https://techdocs.akamai.com/linode-api/reference/delete-domain-record>.
//! - `ttl_sec`: other values than 0, 300, 3600, 7200, 14400, 28800, 57600, 86400, 172800,
//!   345600, 604800, 1209600, 2419200 are rounded up by Linode; the fake refuses them, to
//!   check that dnsup rounds first (so its compare sees what Linode will hold).
//! - Errors: `{"errors": [{"field", "reason"}]}`; 429 when rate limited.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::linode::{Config, Linode, TTLS};
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const TOKEN: &str = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
const DOMAIN_ID: &str = "1234";

struct State {
    store: Store,
    page_size: usize,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, field: Option<&str>, reason: &str) -> FakeResponse {
    let mut e = json!({ "reason": reason });
    if let Some(f) = field {
        e["field"] = json!(f);
    }
    FakeResponse::json(status, json!({ "errors": [e] }))
}

fn relative(name: &str) -> String {
    if name == "example.test" {
        String::new()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn record_json(r: &StoredRecord) -> Value {
    json!({"id": u64::from_str_radix(&r.id, 16).unwrap(), "type": r.rtype, "name": relative(&r.name), "target": r.content.trim_end_matches('.'), "priority": 0, "weight": 0, "port": 0, "service": null, "protocol": null, "ttl_sec": r.ttl, "tag": null})
}

fn paged(r: &FakeRequest, items: Vec<Value>, size: usize) -> Result<FakeResponse, String> {
    let page: usize = r
        .param("page")
        .unwrap_or("1")
        .parse()
        .map_err(|_| "page is a number")?;
    let per: usize = r
        .param("page_size")
        .unwrap_or("100")
        .parse()
        .map_err(|_| "page_size is a number")?;
    if page == 0 || !(25..=500).contains(&per) {
        return Err(format!("page {page} / page_size {per} out of range"));
    }
    let size = size.min(per);
    let results = items.len();
    let pages = results.div_ceil(size).max(1);
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * size)
        .take(size)
        .collect();
    Ok(FakeResponse::json(
        200,
        json!({"data": chunk, "page": page, "pages": pages, "results": results}),
    ))
}

fn ttl(b: &Value) -> Result<u32, String> {
    let t = b["ttl_sec"].as_u64().ok_or("ttl_sec is a number")? as u32;
    if t != 0 && !TTLS.contains(&t) {
        return Err(format!(
            "ttl_sec {t}: Linode would round it up; dnsup must send a valid one"
        ));
    }
    Ok(t)
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if !r.expect_auth("Bearer", TOKEN)? {
        return Ok(error(401, None, "Invalid Token"));
    }
    let parts = r.parts("/v4/")?;
    let mut s = state.lock().unwrap();
    let size = s.page_size;
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["domains"]) => {
            let items = [("a.test", 1), ("example.test", 1234), ("other.test", 99)]
                .iter()
                .map(|(d, id)| json!({"id": id, "domain": d, "type": "master", "status": "active", "ttl_sec": 0}))
                .collect();
            paged(r, items, size)
        }
        (_, ["domains", id, ..]) if *id != DOMAIN_ID => Ok(error(404, None, "Not found")),
        ("GET", ["domains", _, "records"]) => {
            let items = s.store.records.iter().map(record_json).collect();
            paged(r, items, size)
        }
        ("POST", ["domains", _, "records"]) => {
            let b = r.json()?;
            for k in b.as_object().ok_or("an object")?.keys() {
                if ![
                    "type", "name", "target", "ttl_sec", "priority", "weight", "port", "service",
                    "protocol", "tag",
                ]
                .contains(&k.as_str())
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
            let target = b["target"].as_str().ok_or("target is a string")?;
            let rt = RecordType::from_str(t).map_err(|_| format!("type {t}"))?;
            dnsup::update::parse_rdata(rt, target, &zone())
                .map_err(|e| format!("target {target:?}: {e}"))?;
            let fqdn = if name.is_empty() {
                "example.test".to_string()
            } else {
                format!("{name}.example.test")
            };
            let id = s.store.add(&fqdn, t, ttl(&b)?, target);
            Ok(FakeResponse::json(
                200,
                record_json(s.store.get(&id).unwrap()),
            ))
        }
        ("PUT", ["domains", _, "records", id]) => {
            let b = r.json()?;
            for k in b.as_object().ok_or("an object")?.keys() {
                if ![
                    "name", "target", "ttl_sec", "priority", "weight", "port", "service",
                    "protocol", "tag",
                ]
                .contains(&k.as_str())
                {
                    return Err(format!("update: unexpected field {k}"));
                }
            }
            let id = format!(
                "{:08x}",
                id.parse::<u64>().map_err(|_| "record ids are numbers")?
            );
            let ttl = if b.get("ttl_sec").is_some() {
                Some(ttl(&b)?)
            } else {
                None
            };
            let Some(rec) = s.store.get_mut(&id) else {
                return Ok(error(404, None, "Not found"));
            };
            if let Some(t) = b.get("target") {
                rec.content = t.as_str().ok_or("target is a string")?.to_string();
            }
            if let Some(t) = ttl {
                rec.ttl = t;
            }
            let out = record_json(rec);
            Ok(FakeResponse::json(200, out))
        }
        ("DELETE", ["domains", _, "records", id]) => {
            let id = format!(
                "{:08x}",
                id.parse::<u64>().map_err(|_| "record ids are numbers")?
            );
            if !s.store.remove(&id) {
                return Ok(error(404, None, "Not found"));
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

fn provider(fake: &Fake, token: &str) -> (Linode, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token = {}\n{}",
        secrets.file("linode.token", token),
        http_table(fake, "/v4")
    ));
    (
        Linode::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

#[test]
fn linode_passes_the_suite_across_pages() {
    let (fake, state) = start(1);
    let (p, _s) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    assert!(fake.requests().iter().any(|r| r.param("page") == Some("2")));
}

#[test]
fn linode_honours_rate_limits() {
    let (fake, state) = start(100);
    let (p, _s) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn linode_bad_credentials() {
    let (fake, _state) = start(100);
    let wrong = "0000000000000000000000000000000000000000000000000000000000000000";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn linode_rounds_the_ttl_up_and_the_apex_is_the_empty_name() {
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
            600
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
    assert_eq!(held, [3600], "600 s is rounded up to 3600 s");
    assert_eq!(p.capabilities().effective_ttl(600), 3600);
    fake.assert_clean();
}
