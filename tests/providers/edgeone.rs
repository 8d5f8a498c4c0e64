//! Tencent Cloud EdgeOne against a fake that checks every request against API 3.0 (version
//! 2022-09-01, service `teo`): POST / with the JSON body, X-TC-Action/Version/Timestamp, and
//! the TC3-HMAC-SHA256 signature recomputed from the request as received with the
//! documentation-pinned `tencent::tc3`. Errors come with HTTP 200, as documented; the `name`
//! filter matches fuzzily, as documented, so the fake answers near misses too.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::edgeone::{self, EdgeOne};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use dnsup::provider::{build::Setup, tencent};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::alibaba::{from_api, to_api};
use super::fake::{FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EDGEONE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EDGEONE";
const ZONE_ID: &str = "zone-2o1t24kgy362";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn error(code: &str, message: &str) -> FakeResponse {
    FakeResponse::json(
        200,
        json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "fake"}}),
    )
}

fn ok(mut v: Value) -> Result<FakeResponse, String> {
    v["RequestId"] = json!("fake");
    Ok(FakeResponse::json(200, json!({ "Response": v })))
}

/// The common checks of API 3.0 and the signature; `Some` answer when the API would refuse.
fn check(r: &FakeRequest) -> Result<Option<FakeResponse>, String> {
    r.expect_user_agent()?;
    if r.method != "POST" || r.path != "/" || !r.raw_query.is_empty() {
        return Err(format!(
            "API 3.0 JSON calls are POST / without a query, not {} {}",
            r.method, r.path
        ));
    }
    r.expect_header("x-tc-version", "2022-09-01")?;
    let action = r.header("x-tc-action").ok_or("no X-TC-Action")?;
    let ct = r.header("content-type").ok_or("no Content-Type")?;
    if !ct.starts_with("application/json") {
        return Err(format!("Content-Type {ct}"));
    }
    let ts = r.header("x-tc-timestamp").ok_or("no X-TC-Timestamp")?;
    let at: u64 = ts
        .parse()
        .map_err(|_| format!("X-TC-Timestamp {ts:?} is not a Unix time"))?;
    if now().abs_diff(at) > 300 {
        return Ok(Some(error(
            "AuthFailure.SignatureExpire",
            "Signature expired.",
        )));
    }
    let auth = r.header("authorization").ok_or("no Authorization")?;
    let date = dnsup::provider::sign::Utc::from_unix(at).date();
    let prefix = format!(
        "TC3-HMAC-SHA256 Credential={ID}/{date}/teo/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature="
    );
    let Some(sig) = auth.strip_prefix(&prefix) else {
        return Err(format!(
            "Authorization should start {prefix:?}, got {auth:?}"
        ));
    };
    let host = r.header("host").ok_or("no Host")?;
    let expect = tencent::tc3(ID, KEY, "teo", host, action, ct, &r.body, at);
    if expect.signature != sig {
        return Ok(Some(error(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )));
    }
    Ok(None)
}

fn record_json(rec: &super::store::StoredRecord) -> Value {
    json!({
        "ZoneId": ZONE_ID, "RecordId": format!("record-{}", rec.id), "Name": rec.name,
        "Type": rec.rtype, "Location": "Default", "Content": to_api(&rec.rtype, &rec.content),
        "TTL": rec.ttl, "Weight": -1, "Priority": 0, "Status": "enable",
        "CreatedOn": "2023-08-28T11:31:05Z", "ModifiedOn": "2023-08-28T11:31:05Z"
    })
}

/// A record's fields (create and each of ModifyDnsRecords), checked: name, type, content,
/// location and TTL in its documented range.
fn fields(v: &Value, zone: &str) -> Result<(String, String, u32, String), String> {
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{k} must be a string"))
    };
    let name = s("Name")?.to_string();
    if name != zone && !name.ends_with(&format!(".{zone}")) {
        return Err(format!("Name {name} is not a full name in {zone}"));
    }
    if s("Location")? != "Default" {
        return Err("Location must be Default".into());
    }
    let ttl = v
        .get("TTL")
        .and_then(Value::as_u64)
        .ok_or("TTL must be an integer")?;
    if !(60..=86_400).contains(&ttl) {
        return Err(format!("TTL {ttl} outside 60..86400"));
    }
    let ty = s("Type")?.to_string();
    let content = from_api(&ty, s("Content")?);
    parse_value(ty.parse::<RecordType>().map_err(|_| "Type")?, &content);
    Ok((name, ty, ttl as u32, content))
}

fn handler(
    store: Arc<Mutex<Store>>,
) -> impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send + 'static {
    move |r: &FakeRequest| {
        if let Some(answer) = check(r)? {
            return Ok(answer);
        }
        let body = r.json()?;
        let action = r.header("x-tc-action").unwrap().to_string();
        let n = |k: &str| {
            body.get(k).map_or(Ok(0), |v| {
                v.as_u64().ok_or(format!("{k} must be an integer"))
            })
        };
        let mut st = store.lock().unwrap();
        let zone = st.zone.clone();
        if action != "DescribeZones" && body.get("ZoneId") != Some(&json!(ZONE_ID)) {
            return Ok(error("ResourceNotFound", "The resource does not exist."));
        }
        let id_of = |x: &Value| {
            x.as_str()
                .and_then(|s| s.strip_prefix("record-"))
                .map(str::to_string)
                .ok_or(format!("{action}: a RecordId must be record-..."))
        };
        match action.as_str() {
            "DescribeZones" => {
                let (offset, limit) = (n("Offset")? as usize, n("Limit")?);
                if !(1..=100).contains(&limit) {
                    return Err(format!("DescribeZones Limit {limit} (1..100)"));
                }
                // One site per page: example.test is on the second.
                let all = [("zone-other", "other.test"), (ZONE_ID, zone.as_str())];
                let list: Vec<Value> = all
                    .iter()
                    .skip(offset)
                    .take(1)
                    .map(|(id, name)| json!({"ZoneId": id, "ZoneName": name, "Status": "active"}))
                    .collect();
                ok(json!({"TotalCount": all.len(), "Zones": list}))
            }
            "DescribeDnsRecords" => {
                let (offset, limit) = (n("Offset")? as usize, n("Limit")?);
                if !(1..=1000).contains(&limit) {
                    return Err(format!("DescribeDnsRecords Limit {limit} (1..1000)"));
                }
                let filters = body
                    .get("Filters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let mut name = None;
                let mut ty = None;
                for f in &filters {
                    let values: Vec<String> = f
                        .get("Values")
                        .and_then(Value::as_array)
                        .ok_or("a filter without Values")?
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                    match f.get("Name").and_then(Value::as_str) {
                        Some("name") => name = values.first().cloned(),
                        Some("type") => ty = values.first().cloned(),
                        other => return Err(format!("filter {other:?} is not one dnsup uses")),
                    }
                }
                // `name` is fuzzy (a substring), as documented.
                let matching: Vec<Value> = st
                    .records
                    .iter()
                    .filter(|rec| {
                        name.as_ref().is_none_or(|x| rec.name.contains(x.as_str()))
                            && ty.as_ref().is_none_or(|t| &rec.rtype == t)
                    })
                    .map(record_json)
                    .collect();
                // One record per page: an RRset of two values spans two pages.
                let list: Vec<Value> = matching.iter().skip(offset).take(1).cloned().collect();
                ok(json!({"TotalCount": matching.len(), "DnsRecords": list}))
            }
            "CreateDnsRecord" => {
                let (name, ty, ttl, content) = fields(&body, &zone)?;
                if st.find(&name, &ty).iter().any(|x| x.content == content) {
                    return Ok(error(
                        "InvalidParameter.DnsRecordAlreadyExist",
                        "The DNS record already exists.",
                    ));
                }
                let id = st.add(&name, &ty, ttl, &content);
                ok(json!({"RecordId": format!("record-{id}")}))
            }
            "ModifyDnsRecords" => {
                let list = body
                    .get("DnsRecords")
                    .and_then(Value::as_array)
                    .ok_or("DnsRecords must be a list")?;
                for one in list {
                    let id = id_of(one.get("RecordId").unwrap_or(&Value::Null))?;
                    let (name, ty, ttl, content) = fields(one, &zone)?;
                    let Some(rec) = st.get_mut(&id) else {
                        return Ok(error("ResourceNotFound", "The record does not exist."));
                    };
                    (rec.name, rec.rtype, rec.ttl, rec.content) = (name, ty, ttl, content);
                }
                ok(json!({}))
            }
            "DeleteDnsRecords" => {
                let ids = body
                    .get("RecordIds")
                    .and_then(Value::as_array)
                    .ok_or("RecordIds must be a list")?;
                for id in ids {
                    if !st.remove(&id_of(id)?) {
                        return Ok(error("ResourceNotFound", "The record does not exist."));
                    }
                }
                ok(json!({}))
            }
            other => Err(format!("X-TC-Action {other} is not one dnsup uses")),
        }
    }
}

fn setup(secret: &str) -> (Env, EdgeOne) {
    Env::start("example.test", handler, |fake, secrets| {
        let config: edgeone::Config = config(&format!(
            "secret_id = \"{ID}\"\nsecret_key = {}\n{}",
            secrets.file("key", secret),
            http_table(fake, "")
        ));
        EdgeOne::new(&config, &mut Setup::default()).unwrap()
    })
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

#[test]
fn edgeone_passes_the_suite() {
    let (env, p) = setup(KEY);
    passes_the_suite(
        &p,
        zone(),
        |k| env.store.lock().unwrap().rrset(k),
        || env.store.lock().unwrap().bystanders(),
        &env.fake,
    );
}

#[test]
fn edgeone_honours_rate_limits() {
    let (env, p) = setup(KEY);
    honours_rate_limits(
        &p,
        zone(),
        |k| env.store.lock().unwrap().rrset(k),
        &env.fake,
    );
}

#[test]
fn edgeone_bad_credentials() {
    let (env, p) = setup("a-wrong-secret-key");
    refuses_bad_credentials(&p, &zone(), "a-wrong-secret-key", &env.fake);
}

#[test]
fn edgeone_error_codes_fuzzy_names_and_minimum_ttl() {
    let (env, p) = setup(KEY);
    let k = key("host.example.test.", RecordType::A);
    // A near miss the fuzzy `name` filter returns is not part of the RRset.
    env.store
        .lock()
        .unwrap()
        .add("myhost.example.test", "A", 300, "192.0.2.99");
    assert!(
        block(DynProvider::read(&p, &zone(), &k))
            .unwrap()
            .values
            .is_empty()
    );
    // TTL below EdgeOne's 60 s is raised to it (the fake refuses less).
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("192.0.2.1")],
            5
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        block(DynProvider::read(&p, &zone(), &k)).unwrap().ttl,
        Some(60)
    );
    env.fake
        .inject(error("RequestLimitExceeded", "请求的次数超过了频率限制。"));
    let e = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(matches!(e, ProviderError::Network(_)), "{e}");
    env.fake
        .inject(error("UnauthorizedOperation.NoPermission", "请求未授权。"));
    let e = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(matches!(e, ProviderError::Auth(_)), "{e}");
    env.fake.inject(error(
        "InvalidParameter.InvalidDnsContent",
        "记录内容不合法。",
    ));
    let e = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.1")],
        &[v("192.0.2.2")],
        600,
    ))
    .unwrap_err();
    assert!(matches!(e, ProviderError::Refused(_)), "{e}");
    // A name outside the account's sites is refused before any record call.
    let e = block(DynProvider::find_zone(
        &p,
        &Name::from_str("a.nowhere.test.").unwrap(),
    ))
    .unwrap_err();
    assert!(matches!(e, ProviderError::Refused(_)), "{e}");
    env.fake.assert_clean();
}
