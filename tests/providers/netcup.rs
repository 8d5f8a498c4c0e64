//! netcup against a fake that checks every request against the documentation
//! (<https://ccp.netcup.net/run/webservice/servers/endpoint.php>, the `DomainWebservice`
//! description, and its PHP client):
//! - the JSON form: `POST endpoint.php?JSON`, a JSON body `{"action": NAME, "param": {...}}`;
//! - `login(customernumber, apikey, apipassword)` answers `responsedata.apisessionid`;
//!   `logout`, `infoDnsRecords(domainname)` and `updateDnsRecords(domainname, dnsrecordset)`
//!   take `customernumber`, `apikey` and `apisessionid` (never the password);
//! - `Dnsrecord`: `id` (empty for a new record), `hostname` (`@` for the apex), `type`,
//!   `priority` (MX only), `destination`, `deleterecord` (true deletes), `state` (read only);
//!   `Dnsrecordset`: `dnsrecords`, a list of `Dnsrecord`;
//! - every answer a `Responsemessage` (`serverrequestid`, `clientrequestid`, `action`,
//!   `status`, `statuscode`, `shortmessage`, `longmessage`, `responsedata`) with HTTP 200;
//!   an expired session is status code 4001 (as peers observe it).

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::netcup::{Config, Netcup};
use dnsup::provider::{Applied, DynProvider, ProviderError, Rrset, RrsetKey};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Map, Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const CUSTOMER: &str = "123456";
const API_KEY: &str = "nc-api-key-0123456789abcdef";
const PASSWORD: &str = "nc-api-password-fedcba9876";
const PATH: &str = "/run/webservice/servers/endpoint.php";

struct State {
    store: Store,
    sessions: HashSet<String>,
    logins: usize,
    /// How many of the next calls in a session are answered "session not valid" (expired).
    expire: usize,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn answer(
    action: &str,
    status: &str,
    code: u32,
    short: &str,
    long: &str,
    data: Value,
) -> FakeResponse {
    FakeResponse::json(
        200,
        json!({
            "serverrequestid": "fake-request", "clientrequestid": "", "action": action,
            "status": status, "statuscode": code, "shortmessage": short,
            "longmessage": long, "responsedata": data,
        }),
    )
}

fn hostname(name: &str) -> String {
    if name == "example.test" {
        "@".into()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn record_json(r: &super::store::StoredRecord) -> Value {
    let (priority, destination) = match r.rtype.as_str() {
        "MX" => {
            let (p, d) = r.content.split_once(' ').unwrap();
            (p.to_string(), d.to_string())
        }
        _ => ("0".to_string(), r.content.clone()),
    };
    json!({"id": r.id.clone(), "hostname": hostname(&r.name), "type": r.rtype, "priority": priority,
           "destination": destination, "deleterecord": false, "state": "yes"})
}

fn str_of<'a>(p: &'a Map<String, Value>, k: &str) -> Result<&'a str, String> {
    p.get(k)
        .and_then(Value::as_str)
        .ok_or(format!("param {k}: a string is required"))
}

fn only(p: &Map<String, Value>, allowed: &[&str]) -> Result<(), String> {
    for k in p.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("unexpected param {k}"));
        }
    }
    Ok(())
}

fn fqdn(host: &str) -> Result<String, String> {
    if host.is_empty() || host.ends_with('.') || host.contains("example.test") {
        return Err(format!(
            "hostname {host:?}: relative to the zone, @ for the apex"
        ));
    }
    Ok(if host == "@" {
        "example.test".into()
    } else {
        format!("{host}.example.test")
    })
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    if r.method != "POST" || r.path != PATH || r.raw_query != "JSON" {
        return Err(format!(
            "{} {}?{}: not the JSON endpoint",
            r.method, r.path, r.raw_query
        ));
    }
    r.expect_header("content-type", "application/json")?;
    let body = r.json()?;
    let action = body["action"]
        .as_str()
        .ok_or("action is required")?
        .to_string();
    let p = body["param"]
        .as_object()
        .ok_or("param is an object")?
        .clone();
    if str_of(&p, "customernumber")? != CUSTOMER || str_of(&p, "apikey")? != API_KEY {
        return Ok(answer(
            &action,
            "error",
            4013,
            "Validation Error.",
            "Api key or customer number invalid.",
            json!(""),
        ));
    }
    let mut s = state.lock().unwrap();
    if action == "login" {
        only(
            &p,
            &["customernumber", "apikey", "apipassword", "clientrequestid"],
        )?;
        if str_of(&p, "apipassword")? != PASSWORD {
            return Ok(answer(
                "login",
                "error",
                4013,
                "Validation Error.",
                "The login failed.",
                json!(""),
            ));
        }
        s.logins += 1;
        let sid = format!("session-{}", s.logins);
        s.sessions.insert(sid.clone());
        return Ok(answer(
            "login",
            "success",
            2000,
            "Login successful",
            "Session has been created successful.",
            json!({"apisessionid": sid}),
        ));
    }
    if p.contains_key("apipassword") {
        return Err(format!("{action}: the API password belongs only in login"));
    }
    let sid = str_of(&p, "apisessionid")?.to_string();
    if !s.sessions.contains(&sid) || s.expire > 0 {
        s.expire = s.expire.saturating_sub(1);
        s.sessions.remove(&sid);
        return Ok(answer(
            &action,
            "error",
            4001,
            "Api session id in invalid format",
            "The session id is not in a valid format.",
            json!(""),
        ));
    }
    let common = [
        "customernumber",
        "apikey",
        "apisessionid",
        "clientrequestid",
    ];
    match action.as_str() {
        "logout" => {
            only(&p, &common)?;
            s.sessions.remove(&sid);
            Ok(answer(
                "logout",
                "success",
                2000,
                "Logout successful",
                "Session has been terminated successful.",
                json!(""),
            ))
        }
        "infoDnsRecords" => {
            only(&p, &[&common[..], &["domainname"]].concat())?;
            if str_of(&p, "domainname")? != "example.test" {
                return Ok(answer(
                    &action,
                    "error",
                    5029,
                    "Can not get DNS records for zone.",
                    "Domain not found.",
                    json!(""),
                ));
            }
            let list: Vec<Value> = s.store.records.iter().map(record_json).collect();
            Ok(answer(
                &action,
                "success",
                2000,
                "DNS records found",
                "DNS Records for this zone were found.",
                json!({"dnsrecords": list}),
            ))
        }
        "updateDnsRecords" => {
            only(&p, &[&common[..], &["domainname", "dnsrecordset"]].concat())?;
            if str_of(&p, "domainname")? != "example.test" {
                return Err("domainname is the zone".into());
            }
            let set = p["dnsrecordset"]["dnsrecords"]
                .as_array()
                .ok_or("dnsrecordset.dnsrecords is a list")?;
            for rec in set {
                let o = rec.as_object().ok_or("a Dnsrecord is an object")?;
                only(
                    o,
                    &[
                        "id",
                        "hostname",
                        "type",
                        "priority",
                        "destination",
                        "deleterecord",
                        "state",
                    ],
                )?;
                let name = fqdn(str_of(o, "hostname")?)?;
                let rtype = str_of(o, "type")?;
                let dest = str_of(o, "destination")?;
                let rt = RecordType::from_str(rtype).map_err(|_| format!("type {rtype}"))?;
                dnsup::update::parse_rdata(rt, dest, &zone())
                    .map_err(|e| format!("destination {dest:?}: {e}"))?;
                let delete = o
                    .get("deleterecord")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                match o.get("id").and_then(Value::as_str) {
                    None | Some("") if delete => {
                        return Err("deleterecord needs the record's id".into());
                    }
                    None | Some("") => {
                        s.store.add(&name, rtype, 300, dest);
                    }
                    Some(id) => {
                        let Some(held) = s.store.get(id).cloned() else {
                            return Ok(answer(
                                &action,
                                "error",
                                5030,
                                "Validation Error.",
                                "Record id not found.",
                                json!(""),
                            ));
                        };
                        if held.name != name || held.rtype != rtype {
                            return Err(format!(
                                "record {id}: hostname/type differ from the held record"
                            ));
                        }
                        if delete {
                            if held.content != dest {
                                return Err(format!(
                                    "record {id}: delete names another destination"
                                ));
                            }
                            s.store.remove(id);
                        } else {
                            s.store.get_mut(id).unwrap().content = dest.to_string();
                        }
                    }
                }
            }
            let list: Vec<Value> = s.store.records.iter().map(record_json).collect();
            Ok(answer(
                &action,
                "success",
                2000,
                "DNS records successful updated",
                "The given DNS records for this zone were updated.",
                json!({"dnsrecords": list}),
            ))
        }
        other => Err(format!("{other}: not a documented DNS API function")),
    }
}

fn start() -> (Fake, Shared) {
    serve(
        State {
            store: Store::new("example.test"),
            sessions: HashSet::new(),
            logins: 0,
            expire: 0,
        },
        handle,
    )
}

fn provider(fake: &Fake, password: &str) -> (Netcup, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "customer_number = \"{CUSTOMER}\"\napi_key = {}\napi_password = {}\ndomain = \"example.test\"\n{}",
        secrets.file("netcup.key", API_KEY),
        secrets.file("netcup.password", password),
        http_table(fake, PATH)
    ));
    (
        Netcup::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

/// The truth without a TTL: netcup holds none per record.
fn truth(state: &Shared) -> impl Fn(&RrsetKey) -> Rrset + '_ {
    move |k| Rrset {
        ttl: None,
        ..state.lock().unwrap().store.rrset(k)
    }
}

#[test]
fn netcup_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    passes_the_suite(
        &p,
        zone(),
        truth(&state),
        || state.lock().unwrap().store.bystanders(),
        &fake,
    );
    // One login served the whole suite: the session is kept.
    assert_eq!(state.lock().unwrap().logins, 1);
}

#[test]
fn netcup_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    honours_rate_limits(&p, zone(), truth(&state), &fake);
}

#[test]
fn netcup_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "not-the-netcup-password";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

/// An expired session (status code 4001) is renewed with one new login and the call sent
/// again; the records end up as asked.
#[test]
fn netcup_logs_in_again_when_the_session_expires() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    let k = key("home.example.test.", RecordType::A);
    assert_eq!(
        block(DynProvider::read(&p, &zone(), &k)).unwrap().values,
        []
    );
    state.lock().unwrap().expire = 1;
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("192.0.2.7")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    let s = state.lock().unwrap();
    assert_eq!(s.logins, 2, "one new login after the session expired");
    assert_eq!(s.store.find("home.example.test", "A").len(), 1);
    drop(s);
    // Logging out ends the session; the next call logs in again.
    block(p.logout()).unwrap();
    assert!(state.lock().unwrap().sessions.is_empty());
    assert_eq!(
        block(DynProvider::read(&p, &zone(), &k)).unwrap().values,
        [v("192.0.2.7")]
    );
    assert_eq!(state.lock().unwrap().logins, 3);
    fake.assert_clean();
}

/// A session that is refused again right after a new login is an authentication error, not a
/// loop; no message holds the key or the password.
#[test]
fn netcup_a_second_invalid_session_is_an_auth_error() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    let k = key("home.example.test.", RecordType::A);
    block(DynProvider::read(&p, &zone(), &k)).unwrap();
    fake.clear();
    state.lock().unwrap().expire = 2;
    let err = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(matches!(err, ProviderError::Auth(_)), "{err}");
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains(API_KEY) && !text.contains(PASSWORD),
        "{text}"
    );
    // Two calls and the login between them.
    assert_eq!(fake.requests().len(), 3);
    assert_eq!(state.lock().unwrap().logins, 2);
}

/// The apex is `@`; types other than A/AAAA are refused before a request; a name outside the
/// configured domain is refused by the zone lookup.
#[test]
fn netcup_apex_types_and_domain() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    let k = key("example.test.", RecordType::AAAA);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("2001:db8::5")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        state
            .lock()
            .unwrap()
            .store
            .find("example.test", "AAAA")
            .len(),
        1
    );
    fake.clear();
    let t = key("example.test.", RecordType::TXT);
    let err = block(DynProvider::replace(&p, &zone(), &t, &[], &[txt("x")], 300)).unwrap_err();
    assert!(matches!(err, ProviderError::Unsupported(_)), "{err}");
    assert!(fake.requests().is_empty());
    let outside = Name::from_str("host.other.test.").unwrap();
    let err = block(DynProvider::find_zone(&p, &outside)).unwrap_err();
    assert!(matches!(err, ProviderError::Refused(_)), "{err}");
    fake.assert_clean();
}

/// netcup holds no TTL per record: a replace with the values already held and another TTL
/// reads the zone and sends no update, and a read reports no TTL.
#[test]
fn netcup_is_never_rewritten_for_a_ttl() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    let k = key("home.example.test.", RecordType::A);
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.7")],
        300,
    ))
    .unwrap();
    fake.clear();
    let set = block(DynProvider::read(&p, &zone(), &k)).unwrap();
    assert_eq!(set.ttl, None);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &set.values,
            &set.values,
            86400
        ))
        .unwrap(),
        Applied::Done
    );
    let actions: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| r.json().unwrap()["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["infoDnsRecords", "infoDnsRecords"]);
    assert_eq!(
        state
            .lock()
            .unwrap()
            .store
            .find("home.example.test", "A")
            .len(),
        1
    );
    fake.assert_clean();
}
