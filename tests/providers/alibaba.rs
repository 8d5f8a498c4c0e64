//! Alibaba Cloud DNS against a fake that checks every request against the RPC API reference
//! and verifies its signature (the string to sign rebuilt from the query as received; the
//! HMAC from the documentation-pinned `alibaba::signature`), the timestamp (5 minutes) and
//! that no SignatureNonce is used twice.

use std::collections::HashSet;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::alibaba::{self, Alibaba};
use dnsup::provider::build::Setup;
use hickory_proto::rr::{Name, RData, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::route53::days_from_civil;
use super::store::{Store, parse_value};
use super::suite::*;

const AK: &str = "LTAI5tEXAMPLEKEYID";
const SECRET: &str = "testsecret-for-the-fake";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `YYYY-MM-DDTHH:MM:SSZ` to Unix seconds.
fn iso(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(n(0..4)?, n(5..7)?, n(8..10)?);
    u64::try_from(days * 86_400 + n(11..13)? * 3600 + n(14..16)? * 60 + n(17..19)?).ok()
}

pub fn err(status: u16, code: &str, message: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"RequestId": "fake", "HostId": "alidns.aliyuncs.com", "Code": code, "Message": message, "Recommend": "https://api.aliyun.com/troubleshoot"}),
    )
}

/// The API's text of a stored (presentation-format) value: TXT unquoted when it is one
/// plain string, names without the final dot.
pub fn to_api(rtype: &str, content: &str) -> String {
    match rtype {
        "TXT" => {
            let RData::TXT(t) = parse_value(RecordType::TXT, content) else {
                unreachable!()
            };
            match &t.txt_data[..] {
                [one]
                    if std::str::from_utf8(one).is_ok_and(|s| {
                        !s.is_empty()
                            && s.trim() == s
                            && !s.chars().any(|c| c == '"' || c == '\\' || c.is_control())
                    }) =>
                {
                    String::from_utf8(one.to_vec()).unwrap()
                }
                _ => content.to_string(),
            }
        }
        "CNAME" => content.trim_end_matches('.').to_string(),
        _ => content.to_string(),
    }
}

/// The stored form of a value sent to the API.
pub fn from_api(rtype: &str, text: &str) -> String {
    match rtype {
        "TXT" if text.starts_with('"') => text.to_string(),
        "TXT" => format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")),
        "CNAME" if !text.ends_with('.') => format!("{text}."),
        _ => text.to_string(),
    }
}

struct State {
    store: Store,
    nonces: HashSet<String>,
}

fn check(r: &FakeRequest, st: &mut State) -> Result<Option<FakeResponse>, String> {
    rpc_check(r, &mut st.nonces, "2015-01-09", AK, SECRET)
}

/// The checks of every signed RPC call of API `version` with the key `ak` / `secret`: `Some`
/// answer when the API would refuse it (as documented), `Err` when it breaks the documentation.
pub fn rpc_check(
    r: &FakeRequest,
    nonces: &mut HashSet<String>,
    version: &str,
    ak: &str,
    secret: &str,
) -> Result<Option<FakeResponse>, String> {
    r.expect_user_agent()?;
    if r.method != "GET" && r.method != "POST" {
        return Err(format!(
            "RPC APIs are called with GET or POST, not {}",
            r.method
        ));
    }
    if r.path != "/" {
        return Err(format!("the RPC path is /, not {}", r.path));
    }
    if r.raw_query.contains('+') {
        return Err("a space must be %20 in the query, not + (the signature encodes it so)".into());
    }
    let p = |k: &str| {
        r.param(k)
            .ok_or_else(|| format!("missing common parameter {k}"))
    };
    for (k, want) in [
        ("Format", "JSON"),
        ("Version", version),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ] {
        if p(k)? != want {
            return Err(format!("{k} should be {want}, got {}", p(k)?));
        }
    }
    if p("AccessKeyId")? != ak {
        return Ok(Some(err(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        )));
    }
    let ts = p("Timestamp")?;
    let at = iso(ts).ok_or_else(|| format!("Timestamp {ts:?} is not YYYY-MM-DDThh:mm:ssZ"))?;
    if now().abs_diff(at) > 300 {
        return Ok(Some(err(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        )));
    }
    let nonce = p("SignatureNonce")?.to_string();
    if nonce.is_empty() || !nonces.insert(nonce) {
        return Ok(Some(err(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        )));
    }
    let sig = p("Signature")?.to_string();
    let others: Vec<(String, String)> = r
        .query
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    if r.query.iter().filter(|(k, _)| k == "Signature").count() != 1 {
        return Err("exactly one Signature".into());
    }
    let expect = alibaba::signature(secret, &alibaba::string_to_sign(&r.method, &others));
    if expect != sig {
        return Ok(Some(err(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        )));
    }
    Ok(None)
}

fn record_json(rec: &super::store::StoredRecord, zone: &str) -> Value {
    let rr = rec
        .name
        .strip_suffix(&format!(".{zone}"))
        .unwrap_or(if rec.name == zone { "@" } else { &rec.name });
    json!({
        "DomainName": zone, "RecordId": rec.id, "RR": rr, "Type": rec.rtype,
        "Value": to_api(&rec.rtype, &rec.content), "TTL": rec.ttl, "Line": "default",
        "Status": "ENABLE", "Locked": false, "Weight": 1
    })
}

fn handler(
    state: Arc<Mutex<State>>,
) -> impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send + 'static {
    move |r: &FakeRequest| {
        let mut st = state.lock().unwrap();
        if let Some(answer) = check(r, &mut st)? {
            return Ok(answer);
        }
        let p = |k: &str| {
            r.param(k)
                .ok_or_else(|| format!("{:?}: missing {k}", r.param("Action")))
        };
        let num = |k: &str, max: u64| -> Result<Option<u64>, String> {
            match r.param(k) {
                None => Ok(None),
                Some(v) => match v.parse::<u64>() {
                    Ok(n) if n >= 1 && n <= max => Ok(Some(n)),
                    _ => Err(format!("{k}={v} out of 1..={max}")),
                },
            }
        };
        let zone = st.store.zone.clone();
        let fqdn = |rr: &str| {
            if rr == "@" {
                zone.clone()
            } else {
                format!("{rr}.{zone}")
            }
        };
        let ok = |v: Value| {
            let mut v = v;
            v["RequestId"] = json!("fake-request");
            Ok(FakeResponse::json(200, v))
        };
        match p("Action")? {
            "DescribeDomains" => {
                let page = num("PageNumber", 100_000)?.unwrap_or(1);
                // The fake pages one domain at a time so that example.test is on page 2.
                num("PageSize", 100)?;
                let all = ["other.test", zone.as_str()];
                let list: Vec<Value> = all
                    .iter()
                    .skip(page as usize - 1)
                    .take(1)
                    .map(|d| json!({"DomainName": d, "DomainId": format!("id-{d}")}))
                    .collect();
                ok(
                    json!({"TotalCount": all.len(), "PageNumber": page, "PageSize": 1, "Domains": {"Domain": list}}),
                )
            }
            "DescribeDomainRecords" => {
                if p("DomainName")? != zone {
                    return Ok(err(
                        400,
                        "IncorrectDomainUser",
                        "The domain name does not belong to this user.",
                    ));
                }
                let page = num("PageNumber", 100_000)?.unwrap_or(1) as usize;
                num("PageSize", 500)?;
                let exact = match r.param("SearchMode") {
                    None | Some("LIKE") => false,
                    Some("EXACT") => true,
                    Some(m) => return Err(format!("SearchMode {m} is not one dnsup should use")),
                };
                let rr = r.param("RRKeyWord").map(str::to_ascii_lowercase);
                let ty = r.param("TypeKeyWord");
                let matching: Vec<Value> = st
                    .store
                    .records
                    .iter()
                    .map(|rec| record_json(rec, &zone))
                    .filter(|j| {
                        let have = j["RR"].as_str().unwrap().to_ascii_lowercase();
                        rr.as_ref().is_none_or(|k| {
                            if exact {
                                have == *k
                            } else {
                                have.contains(k.as_str())
                            }
                        }) && ty.is_none_or(|t| j["Type"].as_str().unwrap().eq_ignore_ascii_case(t))
                    })
                    .collect();
                // One record per page: an RRset of two values spans two pages.
                let list: Vec<Value> = matching.iter().skip(page - 1).take(1).cloned().collect();
                ok(
                    json!({"TotalCount": matching.len(), "PageNumber": page, "PageSize": 1, "DomainRecords": {"Record": list}}),
                )
            }
            "AddDomainRecord" => {
                if p("DomainName")? != zone {
                    return Ok(err(
                        400,
                        "IncorrectDomainUser",
                        "The domain name does not belong to this user.",
                    ));
                }
                let (rr, ty, value) = (p("RR")?, p("Type")?, p("Value")?);
                let ttl: u32 = p("TTL")?.parse().map_err(|_| "TTL is not a number")?;
                if r.param("Line").is_some_and(|l| l != "default") {
                    return Err("dnsup manages the default line only".into());
                }
                let content = from_api(ty, value);
                let name = fqdn(rr);
                if st
                    .store
                    .find(&name, ty)
                    .iter()
                    .any(|x| x.content == content)
                {
                    return Ok(err(
                        400,
                        "DomainRecordDuplicate",
                        "The DNS record already exists.",
                    ));
                }
                parse_value(ty.parse().map_err(|_| "Type")?, &content);
                let id = st.store.add(&name, ty, ttl, &content);
                ok(json!({"RecordId": id}))
            }
            "UpdateDomainRecord" => {
                let id = p("RecordId")?.to_string();
                let (rr, ty, value) = (p("RR")?, p("Type")?, p("Value")?);
                let ttl: u32 = p("TTL")?.parse().map_err(|_| "TTL is not a number")?;
                let name = fqdn(rr);
                let content = from_api(ty, value);
                let Some(rec) = st.store.get(&id).cloned() else {
                    return Ok(err(
                        400,
                        "DomainRecordNotBelongToUser",
                        "The DNS record does not belong to this user.",
                    ));
                };
                if rec.name == name && rec.rtype == ty && rec.content == content && rec.ttl == ttl {
                    return Ok(err(
                        400,
                        "DomainRecordDuplicate",
                        "The DNS record already exists.",
                    ));
                }
                let rec = st.store.get_mut(&id).unwrap();
                rec.name = name;
                rec.rtype = ty.to_string();
                rec.content = content;
                rec.ttl = ttl;
                ok(json!({"RecordId": id}))
            }
            "DeleteDomainRecord" => {
                let id = p("RecordId")?.to_string();
                if !st.store.remove(&id) {
                    return Ok(err(
                        400,
                        "DomainRecordNotBelongToUser",
                        "The DNS record does not belong to this user.",
                    ));
                }
                ok(json!({"RecordId": id}))
            }
            other => Err(format!("Action {other} is not one dnsup uses")),
        }
    }
}

fn setup(secret: &str) -> (Fake, Arc<Mutex<State>>, Alibaba, tempfile::TempDir) {
    let state = Arc::new(Mutex::new(State {
        store: Store::new("example.test"),
        nonces: HashSet::new(),
    }));
    let fake = Fake::start(handler(state.clone()));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    writeln!(std::fs::File::create(&path).unwrap(), "{secret}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let s = fake.settings("/");
    let text = format!(
        "access_key_id = \"{AK}\"\naccess_key_secret = {{ file = \"{}\" }}\n[http]\nendpoint = \"{}\"\nca_file = \"{}\"\nmin_spacing = \"0s\"\n",
        path.display(),
        s.endpoint.unwrap(),
        s.ca_file.unwrap().display()
    );
    let config: alibaba::Config = toml::from_str(&text).unwrap();
    let p = Alibaba::new(&config, &mut Setup::default()).unwrap();
    (fake, state, p, dir)
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

#[test]
fn alibaba_passes_the_suite() {
    let (fake, state, p, _dir) = setup(SECRET);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn alibaba_honours_rate_limits() {
    let (fake, state, p, _dir) = setup(SECRET);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn alibaba_bad_credentials() {
    let (fake, _state, p, _dir) = setup("a-wrong-access-key-secret");
    refuses_bad_credentials(&p, &zone(), "a-wrong-access-key-secret", &fake);
}

#[test]
fn alibaba_changes_only_what_differs_and_pages_through_records() {
    let (fake, state, p, _dir) = setup(SECRET);
    {
        let mut st = state.lock().unwrap();
        st.store.add("multi.example.test", "A", 600, "192.0.2.1");
        st.store.add("multi.example.test", "A", 600, "192.0.2.2");
        st.store.add("multi.example.test", "A", 600, "192.0.2.3");
        // A host record that only a LIKE search would mix in.
        st.store.add("multi2.example.test", "A", 600, "192.0.2.50");
    }
    let k = key("multi.example.test.", RecordType::A);
    let set = block(dnsup::provider::DynProvider::read(&p, &zone(), &k)).unwrap();
    assert_eq!(set.values.len(), 3, "all three pages read");
    fake.clear();
    let got = block(dnsup::provider::DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.1"), v("192.0.2.2"), v("192.0.2.3")],
        &[v("192.0.2.1"), v("192.0.2.4")],
        600,
    ))
    .unwrap();
    assert_eq!(got, dnsup::provider::Applied::Done);
    let actions: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| r.param("Action").unwrap().to_string())
        .filter(|a| a != "DescribeDomainRecords")
        .collect();
    // .1 stays untouched, one obsolete record is reused for .4, the other is deleted.
    assert_eq!(actions, ["UpdateDomainRecord", "DeleteDomainRecord"]);
    let st = state.lock().unwrap();
    let mut now: Vec<_> = st
        .store
        .find("multi.example.test", "A")
        .iter()
        .map(|r| r.content.clone())
        .collect();
    now.sort();
    assert_eq!(now, ["192.0.2.1", "192.0.2.4"]);
    assert_eq!(st.store.find("multi2.example.test", "A").len(), 1);
    drop(st);
    fake.assert_clean();
}

#[test]
fn alibaba_nonces_are_never_reused_and_errors_map() {
    let (fake, _state, p, _dir) = setup(SECRET);
    let k = key("n.example.test.", RecordType::A);
    for _ in 0..3 {
        block(dnsup::provider::DynProvider::read(&p, &zone(), &k)).unwrap();
    }
    let nonces: HashSet<String> = fake
        .requests()
        .iter()
        .map(|r| r.param("SignatureNonce").unwrap().to_string())
        .collect();
    assert_eq!(nonces.len(), fake.requests().len());
    fake.inject(err(
        400,
        "Throttling.User",
        "Request was denied due to user flow control.",
    ));
    let e = block(dnsup::provider::DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(
        matches!(e, dnsup::provider::ProviderError::Network(_)),
        "{e}"
    );
    fake.assert_clean();
}
