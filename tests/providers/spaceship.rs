//! Spaceship against a fake that checks every request against the documentation at
//! <https://docs.spaceship.dev/>:
//! - Authentication: `X-API-Key` and `X-API-Secret` headers, neither encoded.
//! - "Get domain list": `GET /v1/domains?take=1..100&skip=N` (both required), answer
//!   `{"items": [{"name": ...}], "total": N}`.
//! - "Get resource records list": `GET /v1/dns/records/{domain}?take&skip` (both required),
//!   answer `{"items": [{"type", "name", "address", "ttl", "group"}], "total": N}`; names are
//!   relative (`@` for the apex).
//! - "Save resource records": `PUT /v1/dns/records/{domain}`,
//!   `{"force": bool, "items": [{"type", "name", "address", "ttl"}]}`, TTL 60..3600, 204.
//! - "Delete resource records": `DELETE /v1/dns/records/{domain}`, a JSON array of
//!   `{"type", "name", "address"}`, 204.
//! - Errors: `{"detail": "...", "data": [{"field", "details"}]}`; 401 for bad keys, 404 for a
//!   domain not in the account, 429 when rate limited.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::per_rrset::PerRrset;
use dnsup::provider::spaceship::{Config, Spaceship};
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const KEY: &str = "JdIS8QYFMZpVKupJtdc3";
const SECRET: &str = "F3brvQluT4s8aDB7PeFBH6qKHfH2xTKTneCjZbq3z2w7rj2vV6n_zhSvvJoQ";

struct State {
    store: Store,
    page_size: usize,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, detail: &str) -> FakeResponse {
    FakeResponse::json(status, json!({ "detail": detail }))
}

fn relative(name: &str) -> String {
    if name == "example.test" {
        "@".to_string()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn fqdn(name: &str) -> Result<String, String> {
    if name.is_empty() || name.contains("example.test") || name.ends_with('.') {
        return Err(format!(
            "name {name:?} is relative to the domain (@ for the apex)"
        ));
    }
    Ok(if name == "@" {
        "example.test".into()
    } else {
        format!("{name}.example.test")
    })
}

fn item_json(r: &StoredRecord) -> Value {
    let mut v = json!({"type": r.rtype, "name": relative(&r.name), "ttl": r.ttl, "group": {"type": "custom"}});
    match r.rtype.as_str() {
        "A" | "AAAA" => v["address"] = json!(r.content),
        "CNAME" => v["cname"] = json!(r.content.trim_end_matches('.')),
        "MX" => {
            let (pref, exchange) = r.content.split_once(' ').unwrap();
            v["preference"] = json!(pref.parse::<u16>().unwrap());
            v["exchange"] = json!(exchange.trim_end_matches('.'));
        }
        "NS" => v["nameserver"] = json!(r.content.trim_end_matches('.')),
        _ => v["value"] = json!(r.content),
    }
    v
}

fn paged(
    r: &FakeRequest,
    items: Vec<Value>,
    max_take: usize,
    size: usize,
) -> Result<FakeResponse, String> {
    let take: usize = r
        .param("take")
        .ok_or("take is required")?
        .parse()
        .map_err(|_| "take is a number")?;
    let skip: usize = r
        .param("skip")
        .ok_or("skip is required")?
        .parse()
        .map_err(|_| "skip is a number")?;
    if take == 0 || take > max_take {
        return Err(format!("take {take} out of 1..{max_take}"));
    }
    let total = items.len();
    let chunk: Vec<Value> = items.into_iter().skip(skip).take(take.min(size)).collect();
    Ok(FakeResponse::json(
        200,
        json!({"items": chunk, "total": total}),
    ))
}

/// `{"type", "name", "address"}` (and `ttl` when saving): the record it names.
fn item(v: &Value, with_ttl: bool) -> Result<(String, String, String, u32), String> {
    let allowed: &[&str] = if with_ttl {
        &["type", "name", "address", "ttl"]
    } else {
        &["type", "name", "address"]
    };
    for k in v.as_object().ok_or("an item is an object")?.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("item: unexpected field {k}"));
        }
    }
    let t = v["type"].as_str().ok_or("type is a string")?;
    if !["A", "AAAA"].contains(&t) {
        return Err(format!(
            "type {t}: this fake checks A and AAAA (address) items only"
        ));
    }
    let name = fqdn(v["name"].as_str().ok_or("name is a string")?)?;
    let address = v["address"].as_str().ok_or("address is a string")?;
    let rt = RecordType::from_str(t).unwrap();
    dnsup::update::parse_rdata(rt, address, &zone())
        .map_err(|e| format!("address {address:?}: {e}"))?;
    let ttl = if with_ttl {
        let ttl = v["ttl"].as_u64().ok_or("ttl is a number")?;
        if !(60..=3600).contains(&ttl) {
            return Err(format!("ttl {ttl} outside 60..3600"));
        }
        ttl as u32
    } else {
        0
    };
    Ok((name, t.to_string(), address.to_string(), ttl))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    let (Some(key), Some(secret)) = (r.header("x-api-key"), r.header("x-api-secret")) else {
        return Err("X-API-Key and X-API-Secret headers are required".into());
    };
    if key != KEY || secret != SECRET {
        return Ok(error(401, "Unauthorized"));
    }
    let parts = r.parts("/api/v1/")?;
    let mut s = state.lock().unwrap();
    let size = s.page_size;
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["domains"]) => {
            let items = ["a.test", "example.test", "z.test"]
                .iter()
                .map(|d| json!({"name": d, "unicodeName": d, "isPremium": false, "autoRenew": false}))
                .collect();
            paged(r, items, 100, size)
        }
        (_, ["dns", "records", d]) if *d != "example.test" => {
            Ok(error(404, &format!("SOA record for domain {d} not found.")))
        }
        ("GET", ["dns", "records", _]) => {
            let items = s.store.records.iter().map(item_json).collect();
            paged(r, items, 500, size)
        }
        ("PUT", ["dns", "records", _]) => {
            let b = r.json()?;
            for k in b.as_object().ok_or("an object")?.keys() {
                if !["force", "items"].contains(&k.as_str()) {
                    return Err(format!("save: unexpected field {k}"));
                }
            }
            b["force"].as_bool().ok_or("force is a boolean")?;
            let items = b["items"].as_array().ok_or("items is an array")?;
            if items.is_empty() {
                return Err("items holds at least one record".into());
            }
            for i in items {
                let (name, t, address, ttl) = item(i, true)?;
                let existing = s
                    .store
                    .find(&name, &t)
                    .iter()
                    .find(|x| x.content == address)
                    .map(|x| x.id.clone());
                match existing {
                    Some(id) => s.store.get_mut(&id).unwrap().ttl = ttl,
                    None => {
                        s.store.add(&name, &t, ttl, &address);
                    }
                }
            }
            Ok(FakeResponse::empty(204))
        }
        ("DELETE", ["dns", "records", _]) => {
            let b = r.json()?;
            let items = b.as_array().ok_or("the body is an array of records")?;
            if items.is_empty() {
                return Err("delete: at least one record".into());
            }
            for i in items {
                let (name, t, address, _) = item(i, false)?;
                let ids: Vec<String> = s
                    .store
                    .find(&name, &t)
                    .iter()
                    .filter(|x| x.content == address)
                    .map(|x| x.id.clone())
                    .collect();
                for id in ids {
                    s.store.remove(&id);
                }
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

fn provider(fake: &Fake, key: &str, secret: &str) -> (PerRrset<Spaceship>, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "api_key = {}\napi_secret = {}\n{}",
        secrets.file("spaceship.key", key),
        secrets.file("spaceship.secret", secret),
        http_table(fake, "/api")
    ));
    (
        PerRrset(Spaceship::new(&config, &mut Setup::default()).unwrap()),
        secrets,
    )
}

#[test]
fn spaceship_passes_the_suite_across_pages() {
    let (fake, state) = start(2);
    let (p, _s) = provider(&fake, KEY, SECRET);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.param("skip").is_some_and(|s| s != "0")),
        "listings were paged"
    );
}

#[test]
fn spaceship_honours_rate_limits() {
    let (fake, state) = start(100);
    let (p, _s) = provider(&fake, KEY, SECRET);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn spaceship_bad_credentials() {
    let (fake, _state) = start(100);
    let wrong = "WRONGwrongWRONGwrongWRONGwrong";
    let (p, _s) = provider(&fake, KEY, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn spaceship_apex_is_at_and_ttl_is_raised_to_sixty() {
    let (fake, state) = start(100);
    let (p, _s) = provider(&fake, KEY, SECRET);
    let k = key("example.test.", RecordType::A);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("192.0.2.5")],
            5
        ))
        .unwrap(),
        Applied::Done
    );
    let held = state
        .lock()
        .unwrap()
        .store
        .find("example.test", "A")
        .iter()
        .map(|r| r.ttl)
        .collect::<Vec<_>>();
    assert_eq!(held, [60]);
    fake.assert_clean();
}

#[test]
fn spaceship_refuses_other_types_before_sending() {
    let (fake, _state) = start(100);
    let (p, _s) = provider(&fake, KEY, SECRET);
    let k = key("suite.example.test.", RecordType::CNAME);
    let err = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.5")],
        60,
    ))
    .unwrap_err();
    assert!(
        matches!(err, dnsup::provider::ProviderError::Unsupported(_)),
        "{err}"
    );
    assert!(fake.requests().is_empty(), "nothing was sent");
}
