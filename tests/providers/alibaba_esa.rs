//! Alibaba Cloud ESA against a fake that checks every request against the ESA RPC API
//! (version 2024-09-10): the signature, timestamp and nonce checks of Alibaba Cloud DNS's fake
//! (`alibaba::rpc_check`), GET for listings and POST for changes, each action's documented
//! parameters (`RecordMatchType=exact`, `A/AAAA` as one type, `Data` as a JSON object, `Ttl`
//! in 30..86400), and errors as `{"Code", "Message"}` with an HTTP error status.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::alibaba_esa::{self, AlibabaEsa};
use dnsup::provider::build::Setup;
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::alibaba::{err, from_api, rpc_check, to_api};
use super::fake::{FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const AK: &str = "LTAI5tESAEXAMPLEKEYID";
const SECRET: &str = "esa-testsecret-for-the-fake";
const SITE_ID: u64 = 1_234_567_890_123;

struct State {
    store: Store,
    nonces: HashSet<String>,
}

fn record_json(rec: &super::store::StoredRecord) -> Value {
    let ty = if matches!(rec.rtype.as_str(), "A" | "AAAA") {
        "A/AAAA"
    } else {
        rec.rtype.as_str()
    };
    json!({
        "RecordId": u64::from_str_radix(&rec.id, 16).unwrap(), "RecordName": rec.name,
        "RecordType": ty, "Ttl": rec.ttl, "Proxied": false, "SiteId": SITE_ID,
        "SiteName": "example.test", "RecordSourceType": "OSS",
        "Data": {"Value": to_api(&rec.rtype, &rec.content)},
        "CreateTime": "2023-03-10T13:30:39Z", "UpdateTime": "2023-03-10T13:30:39Z"
    })
}

/// `Type`, `Ttl` and `Data` of CreateRecord/UpdateRecord, checked; the stored type (`A` or
/// `AAAA` by the address for `A/AAAA`), TTL and presentation value.
fn fields(r: &FakeRequest) -> Result<(String, u32, String), String> {
    let p = |k: &str| r.param(k).ok_or_else(|| format!("missing {k}"));
    let ttl: u32 = p("Ttl")?.parse().map_err(|_| "Ttl is not a number")?;
    if !(30..=86_400).contains(&ttl) {
        return Err(format!("Ttl {ttl} outside 30..86400"));
    }
    let data: Value =
        serde_json::from_str(p("Data")?).map_err(|e| format!("Data is not JSON: {e}"))?;
    let value = data
        .get("Value")
        .and_then(Value::as_str)
        .ok_or("Data.Value must be a string")?;
    let ty = match p("Type")? {
        "A/AAAA" if value.contains(':') => "AAAA".to_string(),
        "A/AAAA" => "A".to_string(),
        "A" | "AAAA" => return Err("A and AAAA are written as Type=A/AAAA".into()),
        other => other.to_string(),
    };
    let content = from_api(&ty, value);
    parse_value(ty.parse::<RecordType>().map_err(|_| "Type")?, &content);
    Ok((ty, ttl, content))
}

fn handle(state: &Arc<Mutex<State>>, r: &FakeRequest) -> Result<FakeResponse, String> {
    let mut st = state.lock().unwrap();
    if let Some(answer) = rpc_check(r, &mut st.nonces, "2024-09-10", AK, SECRET)? {
        return Ok(answer);
    }
    let p = |k: &str| r.param(k).ok_or_else(|| format!("missing {k}"));
    let action = p("Action")?.to_string();
    let want = if action.starts_with("List") {
        "GET"
    } else {
        "POST"
    };
    if r.method != want {
        return Err(format!("{action} is sent with {want}, not {}", r.method));
    }
    let page = |k: &str, max: u64| -> Result<u64, String> {
        match r.param(k) {
            None => Ok(if k == "PageNumber" { 1 } else { max }),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(format!("{k} {v:?} outside 1..{max}")),
            },
        }
    };
    let not_found = || {
        Ok(err(
            404,
            "Record.NotFound",
            "The specified record does not exist.",
        ))
    };
    let st = &mut st.store;
    match action.as_str() {
        "ListSites" => {
            let (number, size) = (page("PageNumber", 100_000)?, page("PageSize", 500)?);
            let all = [(99u64, "other.test"), (SITE_ID, "example.test")];
            // One site per page regardless of PageSize, so that paging is exercised.
            let _ = size;
            let list: Vec<Value> = all
                .iter()
                .skip(number as usize - 1)
                .take(1)
                .map(|(id, n)| json!({"SiteId": id, "SiteName": n, "AccessType": "NS", "Status": "active"}))
                .collect();
            Ok(FakeResponse::json(
                200,
                json!({"RequestId": "fake", "TotalCount": all.len(), "PageNumber": number, "PageSize": 1, "Sites": list}),
            ))
        }
        "ListRecords" => {
            if p("SiteId")? != SITE_ID.to_string() {
                return Ok(err(
                    400,
                    "InvalidSiteId",
                    "The specified site does not exist.",
                ));
            }
            let (number, size) = (page("PageNumber", 100_000)?, page("PageSize", 500)?);
            if p("RecordMatchType")? != "exact" {
                return Err("dnsup asks for RecordMatchType=exact".into());
            }
            let name = p("RecordName")?.to_string();
            let ty = p("Type")?.to_string();
            let matching: Vec<Value> = st
                .records
                .iter()
                .filter(|x| x.name == name)
                .map(record_json)
                .filter(|x| x["RecordType"] == ty)
                .collect();
            let _ = size;
            // One record per page: the A and AAAA of one name span pages.
            let list: Vec<Value> = matching
                .iter()
                .skip(number as usize - 1)
                .take(1)
                .cloned()
                .collect();
            Ok(FakeResponse::json(
                200,
                json!({"RequestId": "fake", "TotalCount": matching.len(), "PageNumber": number, "PageSize": 1, "Records": list}),
            ))
        }
        "CreateRecord" => {
            if p("SiteId")? != SITE_ID.to_string() {
                return Ok(err(
                    400,
                    "InvalidSiteId",
                    "The specified site does not exist.",
                ));
            }
            let name = p("RecordName")?.to_string();
            if !name.ends_with(".example.test") && name != "example.test" {
                return Err(format!("RecordName {name} is not a full name in the site"));
            }
            let (ty, ttl, content) = fields(r)?;
            if st.find(&name, &ty).iter().any(|x| x.content == content) {
                return Ok(err(400, "Record.Exist", "The record already exists."));
            }
            let id = st.add(&name, &ty, ttl, &content);
            Ok(FakeResponse::json(
                200,
                json!({"RequestId": "fake", "RecordId": u64::from_str_radix(&id, 16).unwrap()}),
            ))
        }
        "UpdateRecord" => {
            let id = format!(
                "{:08x}",
                p("RecordId")?.parse::<u64>().map_err(|_| "RecordId")?
            );
            let (ty, ttl, content) = fields(r)?;
            let Some(rec) = st.get_mut(&id) else {
                return not_found();
            };
            (rec.rtype, rec.ttl, rec.content) = (ty, ttl, content);
            Ok(FakeResponse::json(200, json!({"RequestId": "fake"})))
        }
        "DeleteRecord" => {
            let id = format!(
                "{:08x}",
                p("RecordId")?.parse::<u64>().map_err(|_| "RecordId")?
            );
            if !st.remove(&id) {
                return not_found();
            }
            Ok(FakeResponse::json(200, json!({"RequestId": "fake"})))
        }
        other => Err(format!("Action {other} is not one dnsup uses")),
    }
}

fn setup(secret: &str) -> (super::fake::Fake, Arc<Mutex<State>>, AlibabaEsa, Secrets) {
    let (fake, state) = serve(
        State {
            store: Store::new("example.test"),
            nonces: HashSet::new(),
        },
        handle,
    );
    let secrets = Secrets::new();
    let config: alibaba_esa::Config = config(&format!(
        "access_key_id = \"{AK}\"\naccess_key_secret = {}\n{}",
        secrets.file("secret", secret),
        http_table(&fake, "/")
    ));
    let p = AlibabaEsa::new(&config, &mut Setup::default()).unwrap();
    (fake, state, p, secrets)
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn store(s: &State) -> &Store {
    &s.store
}

#[test]
fn alibaba_esa_passes_the_suite() {
    let (fake, state, p, _s) = setup(SECRET);
    store_passes_the_suite(&p, zone(), &state, store, &fake);
}

#[test]
fn alibaba_esa_honours_rate_limits() {
    let (fake, state, p, _s) = setup(SECRET);
    store_honours_rate_limits(&p, zone(), &state, store, &fake);
}

#[test]
fn alibaba_esa_bad_credentials() {
    let (fake, _state, p, _s) = setup("a-wrong-access-key-secret");
    refuses_bad_credentials(&p, &zone(), "a-wrong-access-key-secret", &fake);
}

#[test]
fn alibaba_esa_keeps_a_and_aaaa_apart_and_maps_errors() {
    let (fake, state, p, _s) = setup(SECRET);
    let k4 = key("dual.example.test.", RecordType::A);
    let k6 = key("dual.example.test.", RecordType::AAAA);
    {
        let mut st = state.lock().unwrap();
        st.store
            .add("dual.example.test", "AAAA", 300, "2001:db8::7");
        st.store.add("dual.example.test", "A", 300, "192.0.2.7");
    }
    assert_eq!(
        block(DynProvider::read(&p, &zone(), &k4)).unwrap().values,
        [v("192.0.2.7")]
    );
    // Replacing the A leaves the AAAA (same ESA type, other family) alone.
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k4,
            &[v("192.0.2.7")],
            &[],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        block(DynProvider::read(&p, &zone(), &k6)).unwrap().values,
        [v("2001:db8::7")]
    );
    let requests = fake.requests();
    let list = requests
        .iter()
        .find(|r| r.param("Action") == Some("ListRecords"))
        .unwrap();
    assert_eq!(list.param("Type"), Some("A/AAAA"));
    // A TTL under ESA's 30 s is raised to it.
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k4,
            &[],
            &[v("192.0.2.8")],
            1
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        block(DynProvider::read(&p, &zone(), &k4)).unwrap().ttl,
        Some(30)
    );
    fake.inject(err(
        400,
        "Throttling.User",
        "Request was denied due to user flow control.",
    ));
    let e = block(DynProvider::read(&p, &zone(), &k4)).unwrap_err();
    assert!(matches!(e, ProviderError::Network(_)), "{e}");
    fake.inject(err(
        403,
        "Forbidden.RAM",
        "User not authorized to operate on the specified resource.",
    ));
    let e = block(DynProvider::read(&p, &zone(), &k4)).unwrap_err();
    assert!(matches!(e, ProviderError::Auth(_)), "{e}");
    fake.assert_clean();
}
