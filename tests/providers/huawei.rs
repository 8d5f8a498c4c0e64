//! Huawei Cloud DNS against a fake that checks every request against the DNS API v2 reference
//! and recomputes its SDK-HMAC-SHA256 signature from the request as received (the
//! documentation-pinned `sign::sdk_hmac_sha256`): `X-Sdk-Date` within 15 minutes, the
//! `Authorization` shape, content-type/host/x-sdk-date signed. Errors as documented: the
//! gateway's `{"error_code": "APIGW.0301", ...}` with 401, the service's `{"code": "DNS.xxxx"}`.

use std::str::FromStr;

use dnsup::provider::build::Setup;
use dnsup::provider::huawei::{self, Huawei};
use dnsup::provider::per_rrset::PerRrset;
use dnsup::provider::sign;
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const AK: &str = "QTWAOYTTINDUT2QVKYUC";
const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
const ZONE_ID: &str = "2c9eb155587194ec01587224c9f90149";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn apigw(code: &str, msg: &str) -> FakeResponse {
    FakeResponse::json(
        401,
        json!({"error_msg": msg, "error_code": code, "request_id": "fake"}),
    )
}

fn dns_error(status: u16, code: &str, msg: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"code": code, "message": msg}))
}

/// The signature checks; `Some` answer when the gateway would refuse.
fn check(r: &FakeRequest) -> Result<Option<FakeResponse>, String> {
    r.expect_user_agent()?;
    let date = r.header("x-sdk-date").ok_or("no X-Sdk-Date")?;
    let at = (|| {
        let n = |a: usize, b: usize| date.get(a..b)?.parse::<i64>().ok();
        if date.len() != 16 || &date[8..9] != "T" || !date.ends_with('Z') {
            return None;
        }
        let days = super::route53::days_from_civil(n(0, 4)?, n(4, 6)?, n(6, 8)?);
        u64::try_from(days * 86_400 + n(9, 11)? * 3600 + n(11, 13)? * 60 + n(13, 15)?).ok()
    })()
    .ok_or_else(|| format!("X-Sdk-Date {date:?} is not YYYYMMDDTHHMMSSZ"))?;
    if now().abs_diff(at) > 900 {
        return Ok(Some(apigw(
            "APIGW.0303",
            "Incorrect app authentication information: the signature expired",
        )));
    }
    let auth = r.header("authorization").ok_or("no Authorization")?;
    let prefix = format!(
        "SDK-HMAC-SHA256 Access={AK}, SignedHeaders=content-type;host;x-sdk-date, Signature="
    );
    let Some(sig) = auth.strip_prefix(&prefix) else {
        return Err(format!(
            "Authorization should start {prefix:?}, got {auth:?}"
        ));
    };
    let headers: Vec<(String, String)> = ["content-type", "host", "x-sdk-date"]
        .iter()
        .map(|h| {
            r.header(h)
                .map(|v| (h.to_string(), v.to_string()))
                .ok_or(format!("signed header {h} missing"))
        })
        .collect::<Result<_, _>>()?;
    let expect = sign::sdk_hmac_sha256(
        AK,
        SK,
        &r.method,
        &r.raw_path,
        &r.raw_query,
        &headers,
        &r.body,
        date,
    );
    if !sign::same_secret_bytes(expect.signature.as_bytes(), sig.as_bytes()) {
        return Ok(Some(apigw(
            "APIGW.0301",
            "Incorrect IAM authentication information: verify aksk signature fail",
        )));
    }
    Ok(None)
}

fn set_json(st: &Store, name: &str, rtype: &str) -> Option<Value> {
    let found = st.find(name, rtype);
    let first = found.first()?;
    Some(json!({
        "id": format!("rs{}", first.id), "name": format!("{name}."), "type": rtype,
        "ttl": first.ttl, "records": found.iter().map(|x| x.content.clone()).collect::<Vec<_>>(),
        "status": "ACTIVE", "zone_id": ZONE_ID, "zone_name": format!("{}.", st.zone),
        "default": false, "description": null
    }))
}

/// `name`, `type`, `ttl` and `records` of a create or modify body, checked.
fn body_set(r: &FakeRequest, zone: &str) -> Result<(String, String, u32, Vec<String>), String> {
    let b = r.json()?;
    let name = b["name"].as_str().ok_or("name must be a string")?;
    let Some(name) = name.strip_suffix('.') else {
        return Err(format!("name {name} must be absolute (end in a dot)"));
    };
    if name != zone && !name.ends_with(&format!(".{zone}")) {
        return Err(format!("name {name} outside {zone}"));
    }
    let ty = b["type"]
        .as_str()
        .ok_or("type must be a string")?
        .to_string();
    let ttl = b["ttl"].as_u64().ok_or("ttl must be an integer")?;
    if !(1..=2_147_483_647).contains(&ttl) {
        return Err(format!("ttl {ttl}"));
    }
    let records: Vec<String> = b["records"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or("records must be a non-empty list")?
        .iter()
        .map(|x| {
            x.as_str()
                .map(str::to_string)
                .ok_or("a record must be a string")
        })
        .collect::<Result<_, _>>()?;
    for x in &records {
        parse_value(ty.parse::<RecordType>().map_err(|_| "type")?, x);
    }
    Ok((name.to_string(), ty, ttl as u32, records))
}

fn handle(
    state: &std::sync::Arc<std::sync::Mutex<Store>>,
    r: &FakeRequest,
) -> Result<FakeResponse, String> {
    if let Some(answer) = check(r)? {
        return Ok(answer);
    }
    let mut st = state.lock().unwrap();
    let zone = st.zone.clone();
    let parts = r.parts("/v2/zones")?;
    let num = |k: &str, max: u64| -> Result<u64, String> {
        match r.param(k) {
            None => Ok(0),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or(format!("{k}={v}")),
        }
    };
    match (r.method.as_str(), &parts[..]) {
        ("GET", [""]) => {
            if r.param("type") != Some("public") {
                return Err("dnsup lists public zones (type=public)".into());
            }
            let (limit, offset) = (num("limit", 500)?, num("offset", 100_000)? as usize);
            if limit == 0 {
                return Err("limit=0".into());
            }
            // One zone per page: the zone is on the second.
            let all = [
                ("ff80808275f5fc0f01761fca3ad10001", "other.test"),
                (ZONE_ID, zone.as_str()),
            ];
            let list: Vec<Value> = all
                .iter()
                .skip(offset)
                .take(1)
                .map(|(id, n)| json!({"id": id, "name": format!("{n}."), "zone_type": "public", "status": "ACTIVE"}))
                .collect();
            Ok(FakeResponse::json(
                200,
                json!({"zones": list, "metadata": {"total_count": all.len()}, "links": {}}),
            ))
        }
        (m, ["", id, "recordsets", rest @ ..]) => {
            if *id != ZONE_ID {
                return Ok(dns_error(404, "DNS.0101", "The zone does not exist."));
            }
            match (m, rest) {
                ("GET", []) => {
                    if r.param("search_mode") != Some("equal") {
                        return Err("dnsup asks for search_mode=equal".into());
                    }
                    let (limit, offset) = (num("limit", 500)?, num("offset", 100_000)?);
                    if limit == 0 || offset != 0 {
                        return Err(format!(
                            "one page is enough here (limit {limit}, offset {offset})"
                        ));
                    }
                    let name = r.param("name").ok_or("name")?;
                    let name = name.strip_suffix('.').ok_or("name must be absolute")?;
                    let ty = r.param("type").ok_or("type")?;
                    let list: Vec<Value> = set_json(&st, name, ty).into_iter().collect();
                    Ok(FakeResponse::json(
                        200,
                        json!({"recordsets": list, "metadata": {"total_count": list.len()}, "links": {}}),
                    ))
                }
                ("POST", []) => {
                    let (name, ty, ttl, records) = body_set(r, &zone)?;
                    if !st.find(&name, &ty).is_empty() {
                        return Ok(dns_error(400, "DNS.0312", "The record set already exists."));
                    }
                    st.set(&name, &ty, ttl, &records);
                    Ok(FakeResponse::json(202, set_json(&st, &name, &ty).unwrap()))
                }
                ("PUT" | "DELETE", [set_id]) => {
                    let Some(sid) = set_id.strip_prefix("rs") else {
                        return Ok(dns_error(404, "DNS.0304", "The record set does not exist."));
                    };
                    let Some(rec) = st.get(sid).cloned() else {
                        return Ok(dns_error(404, "DNS.0304", "The record set does not exist."));
                    };
                    if m == "DELETE" {
                        st.remove_set(&rec.name, &rec.rtype);
                        return Ok(FakeResponse::json(
                            202,
                            json!({"id": set_id, "status": "PENDING_DELETE"}),
                        ));
                    }
                    let (name, ty, ttl, records) = body_set(r, &zone)?;
                    if name != rec.name || ty != rec.rtype {
                        return Err("a modify must keep the name and type".into());
                    }
                    st.set(&name, &ty, ttl, &records);
                    // Keep the record set's id: its first record carries it.
                    let first = st
                        .records
                        .iter_mut()
                        .find(|x| x.name == name && x.rtype == ty)
                        .unwrap();
                    first.id = sid.to_string();
                    Ok(FakeResponse::json(202, set_json(&st, &name, &ty).unwrap()))
                }
                _ => Err(format!("{} {} is not a documented call", r.method, r.path)),
            }
        }
        _ => Err(format!("{} {} is not a documented call", r.method, r.path)),
    }
}

fn setup(
    secret: &str,
) -> (
    Fake,
    std::sync::Arc<std::sync::Mutex<Store>>,
    PerRrset<Huawei>,
    Secrets,
) {
    let (fake, state) = serve(Store::new("example.test"), handle);
    let secrets = Secrets::new();
    let config: huawei::Config = config(&format!(
        "access_key_id = \"{AK}\"\nsecret_access_key = {}\n{}",
        secrets.file("sk", secret),
        http_table(&fake, "")
    ));
    let p = PerRrset(Huawei::new(&config, &mut Setup::default()).unwrap());
    (fake, state, p, secrets)
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn store(s: &Store) -> &Store {
    s
}

#[test]
fn huawei_passes_the_suite() {
    let (fake, state, p, _s) = setup(SK);
    store_passes_the_suite(&p, zone(), &state, store, &fake);
}

#[test]
fn huawei_honours_rate_limits() {
    let (fake, state, p, _s) = setup(SK);
    store_honours_rate_limits(&p, zone(), &state, store, &fake);
}

#[test]
fn huawei_bad_credentials() {
    let (fake, _state, p, _s) = setup("a-wrong-secret-access-key");
    refuses_bad_credentials(&p, &zone(), "a-wrong-secret-access-key", &fake);
}

#[test]
fn huawei_writes_whole_record_sets_and_maps_errors() {
    let (fake, _state, p, _s) = setup(SK);
    let k = key("set.example.test.", RecordType::A);
    let two = [v("192.0.2.1"), v("192.0.2.2")];
    assert_eq!(
        block(DynProvider::replace(&p, &zone(), &k, &[], &two, 300)).unwrap(),
        Applied::Done
    );
    // One POST carrying both values, the name absolute.
    let posts: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    let body = posts[0].json().unwrap();
    assert_eq!(body["name"], "set.example.test.");
    assert_eq!(body["records"].as_array().unwrap().len(), 2);
    // Nothing to change: no write at all.
    fake.clear();
    assert_eq!(
        block(DynProvider::replace(&p, &zone(), &k, &two, &two, 300)).unwrap(),
        Applied::Done
    );
    assert!(fake.requests().iter().all(|r| r.method == "GET"));
    fake.inject(dns_error(
        400,
        "DNS.0303",
        "The record set value is invalid.",
    ));
    let e = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &two,
        &[v("192.0.2.3")],
        300,
    ))
    .unwrap_err();
    assert!(matches!(e, ProviderError::Refused(m) if m.contains("DNS.0303")));
    fake.inject(dns_error(500, "DNS.0001", "Internal error."));
    let e = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(matches!(e, ProviderError::Network(_)), "{e}");
    fake.assert_clean();
}
