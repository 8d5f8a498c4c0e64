//! Baidu AI Cloud (BCD resolution) against a fake that checks every request against the
//! documented API (POST /v1/domain/resolve/{list,add,edit,delete} with JSON bodies) and
//! recomputes its BCE v1 authentication string from the request as received (the
//! documentation-pinned `sign::bce_auth_v1`): `x-bce-date` within 30 minutes, `host` and
//! `x-bce-date` signed. Errors as `{"code", "message", "requestId"}` with an HTTP error status.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::baidu::{self, Baidu};
use dnsup::provider::build::Setup;
use dnsup::provider::sign;
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::alibaba::{from_api, to_api};
use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const AK: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SK: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn bce_error(status: u16, code: &str, msg: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"code": code, "message": msg, "requestId": "fake"}),
    )
}

fn check(r: &FakeRequest) -> Result<Option<FakeResponse>, String> {
    r.expect_user_agent()?;
    let date = r.header("x-bce-date").ok_or("no x-bce-date")?;
    let auth = r.header("authorization").ok_or("no Authorization")?;
    let parts: Vec<&str> = auth.split('/').collect();
    let [v1, ak, ts, exp, signed, sig] = parts[..] else {
        return Err(format!(
            "Authorization {auth:?} is not bce-auth-v1/ak/ts/exp/headers/sig"
        ));
    };
    if v1 != "bce-auth-v1" || ts != date || exp != "1800" || signed != "host;x-bce-date" {
        return Err(format!(
            "Authorization {auth:?}: wrong prefix, time or signed headers"
        ));
    }
    if ak != AK {
        return Ok(Some(bce_error(403, "AccessDenied", "Access denied.")));
    }
    let headers = vec![
        (
            "host".to_string(),
            r.header("host").ok_or("no Host")?.to_string(),
        ),
        ("x-bce-date".to_string(), date.to_string()),
    ];
    let expect = sign::bce_auth_v1(
        AK,
        SK,
        &r.method,
        &r.raw_path,
        &r.raw_query,
        &headers,
        date,
        1800,
        true,
    );
    if !sign::same_secret_bytes(expect.signature.as_bytes(), sig.as_bytes()) {
        return Ok(Some(bce_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )));
    }
    Ok(None)
}

fn record_json(rec: &super::store::StoredRecord, zone: &str) -> Value {
    let rr = rec.name.strip_suffix(&format!(".{zone}")).unwrap_or("@");
    json!({
        "recordId": u64::from_str_radix(&rec.id, 16).unwrap(), "domain": rr, "view": "DEFAULT",
        "rdtype": rec.rtype, "ttl": rec.ttl, "rdata": to_api(&rec.rtype, &rec.content),
        "zoneName": zone, "status": "RUNNING", "description": ""
    })
}

fn handle(state: &Arc<Mutex<Store>>, r: &FakeRequest) -> Result<FakeResponse, String> {
    if let Some(a) = check(r)? {
        return Ok(a);
    }
    if r.method != "POST" {
        return Err(format!("every resolve call is a POST, not {}", r.method));
    }
    let op = r
        .path
        .strip_prefix("/v1/domain/resolve/")
        .ok_or(format!("{} is not a resolve call", r.path))?;
    let b = r.json()?;
    let mut st = state.lock().unwrap();
    let zone = st.zone.clone();
    let s = |k: &str| {
        b.get(k)
            .and_then(Value::as_str)
            .ok_or(format!("{op}: {k} must be a string"))
    };
    let n = |k: &str| {
        b.get(k)
            .and_then(Value::as_u64)
            .ok_or(format!("{op}: {k} must be a number"))
    };
    let zone_key = if op == "list" { "domain" } else { "zoneName" };
    if s(zone_key)? != zone {
        return Ok(bce_error(
            400,
            "DomainNotExist",
            "The domain does not exist.",
        ));
    }
    match op {
        "list" => {
            let (num, size) = (n("pageNum")? as usize, n("pageSize")?);
            if num == 0 || !(1..=1000).contains(&size) {
                return Err(format!("pageNum {num}, pageSize {size}"));
            }
            let all: Vec<Value> = st.records.iter().map(|x| record_json(x, &zone)).collect();
            // Two records per page, whatever pageSize says, so that paging is exercised.
            let page: Vec<Value> = all.iter().skip((num - 1) * 2).take(2).cloned().collect();
            Ok(FakeResponse::json(
                200,
                json!({"totalCount": all.len(), "pageNo": num, "pageSize": 2, "result": page}),
            ))
        }
        "add" | "edit" => {
            let rr = s("domain")?;
            let name = if rr == "@" {
                zone.clone()
            } else {
                format!("{rr}.{zone}")
            };
            let ty = s("rdType")?.to_string();
            let ttl = n("ttl")? as u32;
            let content = from_api(&ty, s("rdata")?);
            parse_value(ty.parse::<RecordType>().map_err(|_| "rdType")?, &content);
            if op == "add" {
                if st.find(&name, &ty).iter().any(|x| x.content == content) {
                    return Ok(bce_error(400, "RecordExist", "The record already exists."));
                }
                st.add(&name, &ty, ttl, &content);
                return Ok(FakeResponse::json(200, json!({})));
            }
            if s("view")? != "DEFAULT" {
                return Err("edit keeps the DEFAULT view".into());
            }
            let id = format!("{:08x}", n("recordId")?);
            let Some(rec) = st.get_mut(&id) else {
                return Ok(bce_error(
                    404,
                    "RecordNotExist",
                    "The record does not exist.",
                ));
            };
            (rec.name, rec.rtype, rec.ttl, rec.content) = (name, ty, ttl, content);
            Ok(FakeResponse::json(200, json!({})))
        }
        "delete" => {
            let id = format!("{:08x}", n("recordId")?);
            if !st.remove(&id) {
                return Ok(bce_error(
                    404,
                    "RecordNotExist",
                    "The record does not exist.",
                ));
            }
            Ok(FakeResponse::json(200, json!({})))
        }
        other => Err(format!("resolve/{other} is not a call dnsup makes")),
    }
}

fn setup(secret: &str) -> (Fake, Arc<Mutex<Store>>, Baidu, Secrets) {
    let (fake, state) = serve(Store::new("example.test"), handle);
    let secrets = Secrets::new();
    let config: baidu::Config = config(&format!(
        "domain = \"example.test\"\naccess_key_id = \"{AK}\"\nsecret_access_key = {}\n{}",
        secrets.file("sk", secret),
        http_table(&fake, "")
    ));
    let p = Baidu::new(&config, &mut Setup::default()).unwrap();
    (fake, state, p, secrets)
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn store(s: &Store) -> &Store {
    s
}

#[test]
fn baidu_passes_the_suite() {
    let (fake, state, p, _s) = setup(SK);
    store_passes_the_suite(&p, zone(), &state, store, &fake);
}

#[test]
fn baidu_honours_rate_limits() {
    let (fake, state, p, _s) = setup(SK);
    store_honours_rate_limits(&p, zone(), &state, store, &fake);
}

#[test]
fn baidu_bad_credentials() {
    let (fake, _state, p, _s) = setup("a-wrong-secret-access-key");
    refuses_bad_credentials(&p, &zone(), "a-wrong-secret-access-key", &fake);
}

#[test]
fn baidu_errors_map_and_other_domains_are_refused() {
    let (fake, _state, p, _s) = setup(SK);
    let k = key("err.example.test.", RecordType::A);
    fake.inject(bce_error(400, "InvalidParameter", "rdata is invalid"));
    let e = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.1")],
        300,
    ))
    .unwrap_err();
    assert!(
        matches!(e, ProviderError::Refused(ref m) if m.contains("InvalidParameter")),
        "{e}"
    );
    let e = block(DynProvider::find_zone(
        &p,
        &Name::from_str("a.other.test.").unwrap(),
    ))
    .unwrap_err();
    assert!(matches!(e, ProviderError::Refused(_)), "{e}");
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("192.0.2.1")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    fake.assert_clean();
}
