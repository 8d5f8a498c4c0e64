//! Volcengine TrafficRoute DNS against a fake that checks every request against the documented
//! OpenAPI (version 2018-08-01: `Action` and `Version` in the query; ListZones and ListRecords
//! as GET with query parameters, CreateRecord/UpdateRecord/DeleteRecord as POST with JSON
//! bodies and `Content-Type: application/json`) and recomputes the `HMAC-SHA256` signature
//! from the request as received (the documentation-pinned `sign::volc_hmac_sha256`: service
//! `DNS`, region `cn-north-1`, `x-content-sha256` the body's hash). Errors as
//! `ResponseMetadata.Error` (`CodeN`, `Code`, `Message`) with an HTTP error status, as in
//! the public error codes page.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::sign;
use dnsup::provider::volcengine::{self, Volcengine};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::alibaba::{from_api, to_api};
use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const AK: &str = "AKLTYWViMTVmZGYzM2E0NDI5Mzk2MDZjNjFmMjc2MjRjMzg";
const SK: &str = "WkRZeE1EQmxPVGhsWWpWak5HVmtNbUUxTXpZeU9UVXlOMlE1TmpZeVlqTQ==";
/// The zone's `ZID` at the fake; another zone of the account has `OTHER_ZID`.
const ZID: u64 = 304_092;
const OTHER_ZID: u64 = 304_093;

fn volc_error(status: u16, code_n: u64, code: &str, msg: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"ResponseMetadata": {
            "RequestId": "20230914165514D45", "Action": "x", "Version": "2018-08-01",
            "Service": "dns", "Region": "cn-north-1",
            "Error": {"CodeN": code_n, "Code": code, "Message": msg}
        }}),
    )
}

fn ok(action: &str, result: Value) -> FakeResponse {
    FakeResponse::json(
        200,
        json!({"ResponseMetadata": {
            "RequestId": "20230914165514D45", "Action": action, "Version": "2018-08-01",
            "Service": "dns", "Region": "cn-north-1"
        }, "Result": result}),
    )
}

/// The signature checks: `Ok(Some(answer))` when the API would refuse it.
fn check(r: &FakeRequest) -> Result<Option<FakeResponse>, String> {
    r.expect_user_agent()?;
    r.expect_header("content-type", "application/json")?;
    let date = r.header("x-date").ok_or("no X-Date")?;
    if date.len() != 16 || !date.ends_with('Z') || date.as_bytes()[8] != b'T' {
        return Err(format!("X-Date {date:?} is not YYYYMMDDTHHMMSSZ"));
    }
    let hash = r.header("x-content-sha256").ok_or("no X-Content-Sha256")?;
    if hash != sign::sha256_hex(&r.body) {
        return Err("X-Content-Sha256 is not the body's SHA-256".into());
    }
    let auth = r.header("authorization").ok_or("no Authorization")?;
    let rest = auth
        .strip_prefix("HMAC-SHA256 Credential=")
        .ok_or(format!("Authorization {auth:?} is not HMAC-SHA256"))?;
    let parts: Vec<&str> = rest.split(", ").collect();
    let [credential, signed, signature] = parts[..] else {
        return Err(format!(
            "Authorization {auth:?}: Credential, SignedHeaders, Signature"
        ));
    };
    let scope = format!("/{}/cn-north-1/DNS/request", &date[..8]);
    let Some(ak) = credential.strip_suffix(&scope) else {
        return Err(format!("credential {credential:?} is not AK{scope}"));
    };
    if signed != "SignedHeaders=content-type;host;x-content-sha256;x-date" {
        return Err(format!(
            "{signed}: host and x-date must be signed, and the body's hash"
        ));
    }
    if ak != AK {
        return Ok(Some(volc_error(
            401,
            100_009,
            "InvalidAccessKey",
            &format!("The accesskey [{ak}] included in the request is invalid."),
        )));
    }
    if r.param("Version") != Some("2018-08-01") {
        return Err(format!("Version {:?}, not 2018-08-01", r.param("Version")));
    }
    let headers: Vec<(String, String)> = ["content-type", "host", "x-content-sha256", "x-date"]
        .iter()
        .map(|h| (h.to_string(), r.header(h).unwrap_or_default().to_string()))
        .collect();
    let expect = sign::volc_hmac_sha256(
        AK,
        SK,
        "cn-north-1",
        "DNS",
        &r.method,
        &r.raw_query,
        &headers,
        &r.body,
        date,
    );
    let got = signature.strip_prefix("Signature=").unwrap_or_default();
    if !sign::same_secret_bytes(expect.signature.as_bytes(), got.as_bytes()) {
        return Ok(Some(volc_error(
            401,
            100_010,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )));
    }
    Ok(None)
}

fn record_json(rec: &super::store::StoredRecord, zone: &str) -> Value {
    let host = rec.name.strip_suffix(&format!(".{zone}")).unwrap_or("@");
    json!({
        "RecordID": u64::from_str_radix(&rec.id, 16).unwrap().to_string(),
        "Host": host, "Type": rec.rtype, "Value": to_api(&rec.rtype, &rec.content),
        "TTL": rec.ttl, "Line": "default", "Weight": 1, "Enable": true,
        "PQDN": rec.name, "FQDN": format!("{}.", rec.name), "Remark": "",
    })
}

fn page_of(r: &FakeRequest) -> Result<(usize, u64), String> {
    let n = |k: &str, default: u64| -> Result<u64, String> {
        r.param(k)
            .map_or(Ok(default), |v| v.parse().map_err(|_| format!("{k}={v}")))
    };
    let (number, size) = (n("PageNumber", 1)?, n("PageSize", 10)?);
    if number == 0 || !(1..=500).contains(&size) {
        return Err(format!(
            "PageNumber {number}, PageSize {size} (at most 500)"
        ));
    }
    Ok((number as usize, size))
}

fn handle(state: &Arc<Mutex<Store>>, r: &FakeRequest) -> Result<FakeResponse, String> {
    if let Some(a) = check(r)? {
        return Ok(a);
    }
    if r.path != "/" {
        return Err(format!("every call is on /, not {}", r.path));
    }
    let action = r.param("Action").ok_or("no Action")?.to_string();
    let mut st = state.lock().unwrap();
    let zone = st.zone.clone();
    let method = match action.as_str() {
        "ListZones" | "ListRecords" => "GET",
        "CreateRecord" | "UpdateRecord" | "DeleteRecord" => "POST",
        other => return Err(format!("{other} is not a call dnsup makes")),
    };
    if r.method != method {
        return Err(format!("{action} is a {method}, not {}", r.method));
    }
    let no_zone = || volc_error(400, 0, "ErrZoneNotFound", "未找到域名");
    if action == "ListZones" {
        let (number, _) = page_of(r)?;
        // One zone per page, whatever PageSize says, so that paging is exercised.
        let all = [(ZID, zone.clone()), (OTHER_ZID, "other.test".to_string())];
        let page: Vec<Value> = all
            .iter()
            .skip(number - 1)
            .take(1)
            .map(|(id, n)| json!({"ZID": id, "ZoneName": n, "RecordCount": 3}))
            .collect();
        return Ok(ok("ListZones", json!({"Zones": page, "Total": all.len()})));
    }
    if action == "ListRecords" {
        let (number, _) = page_of(r)?;
        if r.param("ZID") != Some(&ZID.to_string()) {
            return Ok(no_zone());
        }
        if r.param("SearchMode") != Some("exact") {
            return Err("ListRecords: Host is matched fuzzily unless SearchMode=exact".into());
        }
        let host = r.param("Host").ok_or("ListRecords: no Host")?;
        let rtype = r.param("Type").ok_or("ListRecords: no Type")?;
        let name = if host == "@" {
            zone.clone()
        } else {
            format!("{host}.{zone}")
        };
        let all: Vec<Value> = st
            .find(&name, rtype)
            .iter()
            .map(|x| record_json(x, &zone))
            .collect();
        // Two records per page, so that paging is exercised.
        let page: Vec<Value> = all.iter().skip((number - 1) * 2).take(2).cloned().collect();
        return Ok(ok(
            "ListRecords",
            json!({"TotalCount": all.len(), "PageNumber": number, "PageSize": 2, "Records": page}),
        ));
    }
    let b = r.json()?;
    let s = |k: &str| {
        b.get(k)
            .and_then(Value::as_str)
            .ok_or(format!("{action}: {k} must be a string"))
    };
    let id_of = || -> Result<String, String> {
        let id: u64 = s("RecordID")?
            .parse()
            .map_err(|_| format!("{action}: RecordID"))?;
        Ok(format!("{id:08x}"))
    };
    let fields = |b: &Value| -> Result<(String, String, u32, String), String> {
        if s("Line")? != "default" {
            return Err(format!("{action}: dnsup writes the default line"));
        }
        let host = s("Host")?;
        let name = if host == "@" {
            zone.clone()
        } else {
            format!("{host}.{zone}")
        };
        let ty = s("Type")?.to_string();
        let ttl = b
            .get("TTL")
            .and_then(Value::as_u64)
            .ok_or(format!("{action}: TTL must be a number"))? as u32;
        let content = from_api(&ty, s("Value")?);
        parse_value(ty.parse::<RecordType>().map_err(|_| "Type")?, &content);
        Ok((name, ty, ttl, content))
    };
    match action.as_str() {
        "CreateRecord" => {
            if b.get("ZID").and_then(Value::as_u64) != Some(ZID) {
                return Ok(no_zone());
            }
            let (name, ty, ttl, content) = fields(&b)?;
            if st.find(&name, &ty).iter().any(|x| x.content == content) {
                return Ok(volc_error(400, 0, "ErrDBDuplicated", "存在重复的解析记录"));
            }
            let id = st.add(&name, &ty, ttl, &content);
            let rec = st.get(&id).unwrap().clone();
            Ok(ok("CreateRecord", record_json(&rec, &zone)))
        }
        "UpdateRecord" => {
            let id = id_of()?;
            let (name, ty, ttl, content) = fields(&b)?;
            let Some(rec) = st.get_mut(&id) else {
                return Ok(volc_error(404, 0, "ErrRecordNotFound", "未找到解析记录"));
            };
            (rec.name, rec.rtype, rec.ttl, rec.content) = (name, ty, ttl, content);
            let rec = rec.clone();
            Ok(ok("UpdateRecord", record_json(&rec, &zone)))
        }
        _ => {
            let id = id_of()?;
            if !st.remove(&id) {
                return Ok(volc_error(404, 0, "ErrRecordNotFound", "未找到解析记录"));
            }
            Ok(FakeResponse::json(
                200,
                json!({"ResponseMetadata": {"RequestId": "x", "Action": "DeleteRecord",
                    "Version": "2018-08-01", "Service": "dns", "Region": "cn-north-1"}}),
            ))
        }
    }
}

fn setup(secret: &str) -> (Fake, Arc<Mutex<Store>>, Volcengine, Secrets) {
    let (fake, state) = serve(Store::new("example.test"), handle);
    let secrets = Secrets::new();
    let config: volcengine::Config = config(&format!(
        "access_key_id = \"{AK}\"\nsecret_access_key = {}\n{}",
        secrets.file("sk", secret),
        http_table(&fake, "")
    ));
    let p = Volcengine::new(&config, &mut Setup::default()).unwrap();
    (fake, state, p, secrets)
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn store(s: &Store) -> &Store {
    s
}

#[test]
fn volcengine_passes_the_suite() {
    let (fake, state, p, _s) = setup(SK);
    store_passes_the_suite(&p, zone(), &state, store, &fake);
}

#[test]
fn volcengine_honours_rate_limits() {
    let (fake, state, p, _s) = setup(SK);
    store_honours_rate_limits(&p, zone(), &state, store, &fake);
}

#[test]
fn volcengine_bad_credentials() {
    let (fake, _state, p, _s) = setup("a-wrong-secret-access-key");
    refuses_bad_credentials(&p, &zone(), "a-wrong-secret-access-key", &fake);
}

#[test]
fn volcengine_errors_map_and_other_zones_are_refused() {
    let (fake, _state, p, _s) = setup(SK);
    let k = key("err.example.test.", RecordType::A);
    // The zone list first, so that the injected answer meets the listing of records.
    block(DynProvider::find_zone(&p, &k.name)).unwrap();
    fake.inject(volc_error(400, 0, "ErrParamInvalid", "参数校验失败"));
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
        matches!(e, ProviderError::Refused(ref m) if m.contains("ErrParamInvalid")),
        "{e}"
    );
    let e = block(DynProvider::find_zone(
        &p,
        &Name::from_str("a.elsewhere.test.").unwrap(),
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

#[test]
fn volcengine_keeps_the_secret_out_of_errors_and_debug() {
    let (fake, _state, p, _s) = setup(SK);
    let k = key("leak.example.test.", RecordType::A);
    block(DynProvider::find_zone(&p, &k.name)).unwrap();
    // An API message that echoes the secret (a misbehaving proxy, say), with and without an
    // HTTP error status.
    for status in [400, 200] {
        fake.inject(volc_error(
            status,
            0,
            "ErrParamInvalid",
            &format!("bad key {SK}"),
        ));
        let e = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(shown.contains("ErrParamInvalid"), "{shown}");
        assert!(!shown.contains(SK), "the secret leaked into: {shown}");
    }
    assert!(!format!("{p:?}").contains(SK));
    fake.assert_clean();
}
