//! OVHcloud API against a fake that checks every request against the API reference and
//! recomputes its signature from the request as received (`sign::ovh_signature`, the formula of
//! <https://docs.ovh.com/gb/en/customer/first-steps-with-ovh-api/>): the four `X-Ovh-*`
//! headers, the timestamp on the API's clock (the fake's `GET /auth/time` is two hours ahead
//! of ours, so a timestamp from our own clock is a violation), the signature over the full URL
//! and the body. Shapes from the console reference (<https://eu.api.ovh.com/console/#/domain/zone>):
//! zone names and record ids as bare JSON lists, the record object
//! (`id`/`zone`/`subDomain`/`fieldType`/`target`/`ttl`), writes staged until `POST
//! /domain/zone/{zone}/refresh`: the suite's truth is the refreshed (served) zone, so a
//! missing refresh fails it. Errors: `{"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad
//! Request", "message": "Invalid signature"}` (as OVH answers it, see python-ovh issue 103 and
//! php-ovh issue 80), `{"class": "Client::NotFound", "message": ...}`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::ovh::{self, Ovh};
use dnsup::provider::sign;
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const AK: &str = "7kbG7Bk7S9Nt7ZSV";
const AS: &str = "EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF";
const CK: &str = "MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1";
/// How far the fake API's clock is ahead of ours.
const SKEW: u64 = 7200;

/// The fake's state: the staged zone (what the API reads and writes) and the served one
/// (what `refresh` publishes).
pub struct State {
    staged: Store,
    live: Store,
    base: String,
    refreshes: usize,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn error(status: u16, class: &str, msg: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"class": class, "message": msg}))
}

fn invalid_signature() -> FakeResponse {
    FakeResponse::json(
        400,
        json!({"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request", "message": "Invalid signature"}),
    )
}

/// The signature checks; `Some` answer when the API would refuse.
fn check(base: &str, r: &FakeRequest) -> Result<Option<FakeResponse>, String> {
    r.expect_user_agent()?;
    r.expect_header("x-ovh-application", AK)?;
    let consumer = r.header("x-ovh-consumer").ok_or("no X-Ovh-Consumer")?;
    if consumer != CK {
        return Ok(Some(error(
            403,
            "Client::Forbidden",
            "This credential does not exist",
        )));
    }
    let ts: u64 = r
        .header("x-ovh-timestamp")
        .ok_or("no X-Ovh-Timestamp")?
        .parse()
        .map_err(|_| "X-Ovh-Timestamp is not an integer")?;
    if ts.abs_diff(now() + SKEW) > 30 {
        return Err(format!(
            "X-Ovh-Timestamp {ts} is not on the API's clock (GET /auth/time; {} ahead)",
            SKEW
        ));
    }
    let url = if r.raw_query.is_empty() {
        format!("{base}{}", r.raw_path)
    } else {
        format!("{base}{}?{}", r.raw_path, r.raw_query)
    };
    let expect = sign::ovh_signature(AS, CK, &r.method, &url, &r.body, ts);
    let got = r.header("x-ovh-signature").ok_or("no X-Ovh-Signature")?;
    if !got.starts_with("$1$") {
        return Err(format!("X-Ovh-Signature {got:?} must start with $1$"));
    }
    if !sign::same_secret_bytes(expect.as_bytes(), got.as_bytes()) {
        return Ok(Some(invalid_signature()));
    }
    Ok(None)
}

fn record_json(st: &Store, id: &str) -> Option<Value> {
    let rec = st.get(id)?;
    let sub = rec
        .name
        .strip_suffix(&format!(".{}", st.zone))
        .unwrap_or("");
    Some(json!({
        "id": u64::from_str_radix(id, 16).ok()?, "zone": st.zone, "subDomain": sub,
        "fieldType": rec.rtype, "target": rec.content, "ttl": rec.ttl
    }))
}

fn full_name(zone: &str, sub: &str) -> Result<String, String> {
    if sub.ends_with('.') || sub.starts_with('.') {
        return Err(format!("subDomain {sub:?} must be relative to the zone"));
    }
    Ok(if sub.is_empty() {
        zone.to_string()
    } else {
        format!("{sub}.{zone}")
    })
}

fn target(rtype: &str, b: &Value) -> Result<String, String> {
    let t = b["target"].as_str().ok_or("target must be a string")?;
    parse_value(rtype.parse::<RecordType>().map_err(|_| "fieldType")?, t);
    Ok(t.to_string())
}

fn ttl(b: &Value) -> Result<u32, String> {
    match &b["ttl"] {
        Value::Null => Ok(0),
        t => t
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| format!("ttl {t} must be a non-negative integer")),
    }
}

fn handle(state: &Arc<Mutex<State>>, r: &FakeRequest) -> Result<FakeResponse, String> {
    let mut guard = state.lock().unwrap();
    let s = &mut *guard;
    if r.method == "GET" && r.path == "/1.0/auth/time" {
        return Ok(FakeResponse::json(200, json!(now() + SKEW)));
    }
    if let Some(answer) = check(&s.base, r)? {
        return Ok(answer);
    }
    let parts = r.parts("/1.0/domain/zone")?;
    let zone = s.staged.zone.clone();
    match (r.method.as_str(), &parts[..]) {
        ("GET", [""]) => Ok(FakeResponse::json(200, json!(["other.test", zone]))),
        (m, ["", z, rest @ ..]) => {
            if *z != zone {
                return Ok(error(
                    404,
                    "Client::NotFound",
                    "This service does not exist",
                ));
            }
            match (m, rest) {
                ("GET", ["record"]) => {
                    let ty = r.param("fieldType");
                    let sub = r.param("subDomain");
                    if r.query
                        .iter()
                        .any(|(k, _)| k != "fieldType" && k != "subDomain")
                    {
                        return Err(format!("undocumented query {}", r.raw_query));
                    }
                    let st = &s.staged;
                    let ids: Vec<u64> = st
                        .records
                        .iter()
                        .filter(|x| ty.is_none_or(|t| x.rtype.eq_ignore_ascii_case(t)))
                        .filter(|x| {
                            sub.is_none_or(|sd| full_name(&zone, sd).is_ok_and(|n| n == x.name))
                        })
                        .filter_map(|x| u64::from_str_radix(&x.id, 16).ok())
                        .collect();
                    Ok(FakeResponse::json(200, json!(ids)))
                }
                ("POST", ["record"]) => {
                    let b = r.json()?;
                    let ty = b["fieldType"]
                        .as_str()
                        .ok_or("fieldType must be a string")?;
                    let sub = b["subDomain"].as_str().unwrap_or("");
                    let name = full_name(&zone, sub)?;
                    if b["target"] == "192.0.2.99" {
                        return Ok(error(400, "Client::BadRequest", "Invalid target"));
                    }
                    let id = s.staged.add(&name, ty, ttl(&b)?, &target(ty, &b)?);
                    Ok(FakeResponse::json(
                        200,
                        record_json(&s.staged, &id).unwrap(),
                    ))
                }
                ("GET" | "PUT" | "DELETE", ["record", id]) => {
                    let sid = id.parse::<u64>().map(|n| format!("{n:08x}")).ok();
                    let Some(sid) = sid.filter(|i| s.staged.get(i).is_some()) else {
                        return Ok(error(404, "Client::NotFound", "This record does not exist"));
                    };
                    match m {
                        "GET" => Ok(FakeResponse::json(
                            200,
                            record_json(&s.staged, &sid).unwrap(),
                        )),
                        "DELETE" => {
                            s.staged.remove(&sid);
                            Ok(FakeResponse::json(200, Value::Null))
                        }
                        _ => {
                            let b = r.json()?;
                            let keys: Vec<&String> = b
                                .as_object()
                                .ok_or("body must be an object")?
                                .keys()
                                .collect();
                            if keys
                                .iter()
                                .any(|k| !matches!(k.as_str(), "subDomain" | "target" | "ttl"))
                            {
                                return Err(format!(
                                    "PUT body may hold subDomain, target, ttl: {keys:?}"
                                ));
                            }
                            let rtype = s.staged.get(&sid).unwrap().rtype.clone();
                            let name = match b["subDomain"].as_str() {
                                Some(sub) => full_name(&zone, sub)?,
                                None => s.staged.get(&sid).unwrap().name.clone(),
                            };
                            let content = target(&rtype, &b)?;
                            let t = ttl(&b)?;
                            let rec = s.staged.get_mut(&sid).unwrap();
                            rec.name = name;
                            rec.content = content;
                            rec.ttl = t;
                            Ok(FakeResponse::json(200, Value::Null))
                        }
                    }
                }
                ("POST", ["refresh"]) => {
                    if !r.body.is_empty() {
                        return Err("refresh takes no body".into());
                    }
                    s.live = s.staged.clone();
                    s.refreshes += 1;
                    Ok(FakeResponse::json(200, Value::Null))
                }
                _ => Err(format!("{} {} is not a documented call", r.method, r.path)),
            }
        }
        _ => Err(format!("{} {} is not a documented call", r.method, r.path)),
    }
}

fn setup(secret: &str) -> (Fake, Arc<Mutex<State>>, Ovh, Secrets) {
    let zone = Store::new("example.test");
    let state = State {
        staged: zone.clone(),
        live: zone,
        base: String::new(),
        refreshes: 0,
    };
    let (fake, state) = serve(state, handle);
    state.lock().unwrap().base = fake.url.clone();
    let secrets = Secrets::new();
    let config: ovh::Config = config(&format!(
        "endpoint = \"ovh-ca\"\napplication_key = \"{AK}\"\napplication_secret = {}\nconsumer_key = {}\n{}",
        secrets.file("as", secret),
        secrets.file("ck", CK),
        http_table(&fake, "/1.0")
    ));
    let p = Ovh::new(&config, &mut Setup::default()).unwrap();
    (fake, state, p, secrets)
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn live(s: &State) -> &Store {
    &s.live
}

#[test]
fn ovh_passes_the_suite() {
    let (fake, state, p, _s) = setup(AS);
    store_passes_the_suite(&p, zone(), &state, live, &fake);
}

#[test]
fn ovh_honours_rate_limits() {
    let (fake, state, p, _s) = setup(AS);
    store_honours_rate_limits(&p, zone(), &state, live, &fake);
}

#[test]
fn ovh_bad_credentials() {
    let (fake, _state, p, _s) = setup("a-wrong-application-secret");
    refuses_bad_credentials(&p, &zone(), "a-wrong-application-secret", &fake);
    // The consumer key travels in a header: it never shows in an error either.
    let e = block(DynProvider::read(
        &p,
        &zone(),
        &key("x.example.test.", RecordType::A),
    ))
    .unwrap_err();
    assert!(!format!("{e} {e:?}").contains(CK), "{e}");
}

#[test]
fn ovh_refreshes_once_per_change_and_keeps_the_clock_offset() {
    let (fake, state, p, _s) = setup(AS);
    let k = key("set.example.test.", RecordType::A);
    let two = [v("192.0.2.1"), v("192.0.2.2")];
    assert_eq!(
        block(DynProvider::replace(&p, &zone(), &k, &[], &two, 300)).unwrap(),
        Applied::Done
    );
    let reqs = fake.requests();
    let posts = |p: &str| {
        reqs.iter()
            .filter(|r| r.method == "POST" && r.path.ends_with(p))
            .count()
    };
    assert_eq!((posts("/record"), posts("/refresh")), (2, 1));
    // The refresh comes after the writes.
    assert!(reqs.last().unwrap().path.ends_with("/refresh"));
    // The API's time was asked once, before the first signed request.
    assert_eq!(
        reqs.iter().filter(|r| r.path == "/1.0/auth/time").count(),
        1
    );
    assert_eq!(
        state
            .lock()
            .unwrap()
            .live
            .find("set.example.test", "A")
            .len(),
        2
    );
    // Nothing to change: no write, no refresh, no second look at the clock.
    fake.clear();
    assert_eq!(
        block(DynProvider::replace(&p, &zone(), &k, &two, &two, 300)).unwrap(),
        Applied::Done
    );
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.method == "GET" && r.path != "/1.0/auth/time")
    );
    assert_eq!(state.lock().unwrap().refreshes, 1);
    // A write that fails after one that worked: the first is still published (the fake
    // refuses the target 192.0.2.99 as the API refuses a bad one).
    fake.clear();
    let k2 = key("half.example.test.", RecordType::A);
    let err = block(DynProvider::replace(
        &p,
        &zone(),
        &k2,
        &[],
        &[v("192.0.2.7"), v("192.0.2.99")],
        300,
    ))
    .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("Client::BadRequest")),
        "{err}"
    );
    assert_eq!(state.lock().unwrap().refreshes, 2);
    assert_eq!(
        state
            .lock()
            .unwrap()
            .live
            .find("half.example.test", "A")
            .len(),
        1
    );
    fake.inject(error(
        404,
        "Client::NotFound",
        "This service does not exist",
    ));
    let err = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("Client::NotFound")),
        "{err}"
    );
    fake.inject(invalid_signature());
    let err = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(matches!(err, ProviderError::Auth(_)), "{err}");
    fake.assert_clean();
}
