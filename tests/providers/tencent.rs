//! Tencent Cloud DNSPod against a fake that checks every request against API 3.0 and
//! verifies its TC3-HMAC-SHA256 signature (recomputed from the request as received with the
//! documentation-pinned `tencent::tc3`; headers, scope date and the 5-minute timestamp window
//! checked on their own). Errors come with HTTP 200, as documented.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::tencent::{self, Tencent};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::alibaba::{from_api, to_api};
use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

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

fn check(r: &FakeRequest) -> Result<Option<FakeResponse>, String> {
    r.expect_user_agent()?;
    if r.method != "POST" || r.path != "/" || !r.raw_query.is_empty() {
        return Err(format!(
            "API 3.0 JSON calls are POST / without a query, not {} {}",
            r.method, r.path
        ));
    }
    r.expect_header("x-tc-version", "2021-03-23")?;
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
        "TC3-HMAC-SHA256 Credential={ID}/{date}/dnspod/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature="
    );
    let Some(sig) = auth.strip_prefix(&prefix) else {
        return Err(format!(
            "Authorization should start {prefix:?}, got {auth:?}"
        ));
    };
    if sig.len() != 64
        || !sig
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(format!("Signature is not 64 lower-case hex digits: {sig}"));
    }
    let host = r.header("host").ok_or("no Host")?;
    let expect = tencent::tc3(ID, KEY, "dnspod", host, action, ct, &r.body, at);
    if expect.signature != sig {
        return Ok(Some(error(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )));
    }
    Ok(None)
}

/// DNSPod ids are integers: the store's hex id as a number.
fn num_id(id: &str) -> u64 {
    u64::from_str_radix(id, 16).unwrap()
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
        let s = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{action}: {k} must be a string"))
        };
        let n = |k: &str| {
            body.get(k)
                .and_then(Value::as_u64)
                .ok_or_else(|| format!("{action}: {k} must be an integer"))
        };
        let mut st = store.lock().unwrap();
        let zone = st.zone.clone();
        let fqdn = |sub: &str| {
            if sub == "@" {
                zone.clone()
            } else {
                format!("{sub}.{zone}")
            }
        };
        let host_of = |name: &str| {
            name.strip_suffix(&format!(".{zone}"))
                .map(str::to_string)
                .unwrap_or_else(|| "@".into())
        };
        let record = |rec: &super::store::StoredRecord| {
            json!({
                "RecordId": num_id(&rec.id), "Value": to_api(&rec.rtype, &rec.content),
                "Status": "ENABLE", "UpdatedOn": "2021-03-28 11:27:09", "Name": host_of(&rec.name),
                "Line": "默认", "LineId": "0", "Type": rec.rtype, "Weight": null, "MonitorStatus": "",
                "Remark": "", "TTL": rec.ttl, "MX": 0, "DefaultNS": false
            })
        };
        match action.as_str() {
            "DescribeDomainList" => {
                let offset = body
                    .get("Offset")
                    .map(|_| n("Offset"))
                    .transpose()?
                    .unwrap_or(0) as usize;
                let limit = body
                    .get("Limit")
                    .map(|_| n("Limit"))
                    .transpose()?
                    .unwrap_or(20);
                if !(1..=3000).contains(&limit) {
                    return Err(format!("Limit {limit}"));
                }
                // One domain per page, so that example.test is on the second.
                let all = ["other.test", zone.as_str()];
                let list: Vec<Value> = all
                    .iter()
                    .enumerate()
                    .skip(offset)
                    .take(1)
                    .map(|(i, d)| json!({"DomainId": 1000 + i, "Name": d, "Status": "ENABLE"}))
                    .collect();
                if list.is_empty() {
                    return Ok(error("ResourceNotFound.NoDataOfDomain", "No domains."));
                }
                ok(
                    json!({"DomainCountInfo": {"DomainTotal": all.len(), "AllTotal": all.len()}, "DomainList": list}),
                )
            }
            "DescribeRecordList" => {
                if s("Domain")? != zone {
                    return Ok(error(
                        "InvalidParameterValue.DomainNotExists",
                        "The domain does not exist.",
                    ));
                }
                let offset = body
                    .get("Offset")
                    .map(|_| n("Offset"))
                    .transpose()?
                    .unwrap_or(0) as usize;
                let limit = body
                    .get("Limit")
                    .map(|_| n("Limit"))
                    .transpose()?
                    .unwrap_or(100);
                if !(1..=3000).contains(&limit) {
                    return Err(format!("Limit {limit}"));
                }
                let sub = body.get("Subdomain").map(|_| s("Subdomain")).transpose()?;
                let ty = body
                    .get("RecordType")
                    .map(|_| s("RecordType"))
                    .transpose()?;
                let matching: Vec<Value> = st
                    .records
                    .iter()
                    .filter(|rec| {
                        sub.is_none_or(|x| host_of(&rec.name).eq_ignore_ascii_case(x))
                            && ty.is_none_or(|t| rec.rtype == t)
                    })
                    .map(record)
                    .collect();
                // One record per page: an RRset of two values spans two pages.
                let list: Vec<Value> = matching.iter().skip(offset).take(1).cloned().collect();
                if list.is_empty() {
                    return Ok(error("ResourceNotFound.NoDataOfRecord", "记录列表为空。"));
                }
                ok(
                    json!({"RecordCountInfo": {"SubdomainCount": 1, "ListCount": list.len(), "TotalCount": matching.len()}, "RecordList": list}),
                )
            }
            "CreateRecord" | "ModifyRecord" => {
                if s("Domain")? != zone {
                    return Ok(error(
                        "InvalidParameterValue.DomainNotExists",
                        "The domain does not exist.",
                    ));
                }
                if s("RecordLine")? != "默认" {
                    return Err("RecordLine must be 默认 (the default line)".into());
                }
                let (sub, ty, value) = (s("SubDomain")?, s("RecordType")?, s("Value")?);
                let ttl = u32::try_from(n("TTL")?).map_err(|_| "TTL")?;
                let content = from_api(ty, value);
                parse_value(
                    ty.parse::<RecordType>().map_err(|_| "RecordType")?,
                    &content,
                );
                let name = fqdn(sub);
                if action == "CreateRecord" {
                    if st.find(&name, ty).iter().any(|x| x.content == content) {
                        return Ok(error(
                            "InvalidParameter.DomainRecordExist",
                            "记录已经存在，无需再次添加。",
                        ));
                    }
                    let id = st.add(&name, ty, ttl, &content);
                    return ok(json!({"RecordId": num_id(&id)}));
                }
                let id = n("RecordId")?;
                let Some(rec) = st.records.iter_mut().find(|x| num_id(&x.id) == id) else {
                    return Ok(error("InvalidParameter.RecordIdInvalid", "记录编号错误。"));
                };
                rec.name = name;
                rec.rtype = ty.to_string();
                rec.content = content;
                rec.ttl = ttl;
                ok(json!({"RecordId": id}))
            }
            "DeleteRecord" => {
                if s("Domain")? != zone {
                    return Ok(error(
                        "InvalidParameterValue.DomainNotExists",
                        "The domain does not exist.",
                    ));
                }
                let id = n("RecordId")?;
                let sid = st
                    .records
                    .iter()
                    .find(|x| num_id(&x.id) == id)
                    .map(|x| x.id.clone());
                match sid {
                    Some(sid) => {
                        st.remove(&sid);
                        ok(json!({}))
                    }
                    None => Ok(error("InvalidParameter.RecordIdInvalid", "记录编号错误。")),
                }
            }
            other => Err(format!("X-TC-Action {other} is not one dnsup uses")),
        }
    }
}

fn setup(secret: &str) -> (Fake, Arc<Mutex<Store>>, Tencent, tempfile::TempDir) {
    let store = Arc::new(Mutex::new(Store::new("example.test")));
    let fake = Fake::start(handler(store.clone()));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    writeln!(std::fs::File::create(&path).unwrap(), "{secret}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let st = fake.settings("");
    let text = format!(
        "secret_id = \"{ID}\"\nsecret_key = {{ file = \"{}\" }}\n[http]\nendpoint = \"{}\"\nca_file = \"{}\"\nmin_spacing = \"0s\"\n",
        path.display(),
        st.endpoint.unwrap(),
        st.ca_file.unwrap().display()
    );
    let config: tencent::Config = toml::from_str(&text).unwrap();
    let p = Tencent::new(&config, &mut Setup::default()).unwrap();
    (fake, store, p, dir)
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

#[test]
fn tencent_passes_the_suite() {
    let (fake, store, p, _dir) = setup(KEY);
    passes_the_suite(
        &p,
        zone(),
        |k| store.lock().unwrap().rrset(k),
        || store.lock().unwrap().bystanders(),
        &fake,
    );
}

#[test]
fn tencent_honours_rate_limits() {
    let (fake, store, p, _dir) = setup(KEY);
    honours_rate_limits(&p, zone(), |k| store.lock().unwrap().rrset(k), &fake);
}

#[test]
fn tencent_bad_credentials() {
    let (fake, _store, p, _dir) = setup("a-wrong-secret-key");
    refuses_bad_credentials(&p, &zone(), "a-wrong-secret-key", &fake);
}

#[test]
fn tencent_error_codes_with_http_200() {
    let (fake, _store, p, _dir) = setup(KEY);
    let k = key("codes.example.test.", RecordType::A);
    // No records is an empty RRset, not an error.
    assert!(
        block(DynProvider::read(&p, &zone(), &k))
            .unwrap()
            .values
            .is_empty()
    );
    fake.inject(error("RequestLimitExceeded", "请求的次数超过了频率限制。"));
    let e = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(matches!(e, ProviderError::Network(_)), "{e}");
    fake.inject(error("UnauthorizedOperation", "请求未授权。"));
    let e = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(matches!(e, ProviderError::Auth(_)), "{e}");
    fake.inject(error("InvalidParameter.DomainInvalid", "域名不正确。"));
    let e = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.1")],
        600,
    ))
    .unwrap_err();
    assert!(matches!(e, ProviderError::Refused(_)), "{e}");
    // Creating sends the default line.
    fake.clear();
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("192.0.2.1")],
            600
        ))
        .unwrap(),
        Applied::Done
    );
    let create = fake
        .requests()
        .into_iter()
        .find(|r| r.header("x-tc-action") == Some("CreateRecord"))
        .unwrap();
    assert_eq!(create.json().unwrap()["RecordLine"], "默认");
    fake.assert_clean();
}
