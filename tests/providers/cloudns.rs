//! ClouDNS against a fake that checks every request against the documentation:
//! - API introduction <https://www.cloudns.net/wiki/article/41/>: `https://api.cloudns.net/dns/`
//!   `NAME.json`, parameters by POST or GET, `auth-id` (or `sub-auth-id` / `sub-auth-user`) and
//!   `auth-password` on every call; the fake requires a POST form and refuses credentials in
//!   the URL.
//! - List zones <https://www.cloudns.net/wiki/article/50/>: `page`, `rows-per-page` (10, 20,
//!   30, 50 or 100) required; an array of `{"name", "type", "zone", "status"}`.
//! - List records <https://www.cloudns.net/wiki/article/57/>: `domain-name` required, `host`,
//!   `type`, `rows-per-page`, `page`; an object keyed by record id, `[]` when none.
//! - Add record <https://www.cloudns.net/wiki/article/58/>: `domain-name`, `record-type`,
//!   `host` (empty for the apex), `record`, `ttl` from the "Available TTL's" list.
//! - Modify record <https://www.cloudns.net/wiki/article/60/>: `domain-name`, `record-id`,
//!   `host`, `record`, `ttl` (same list).
//! - Delete record <https://www.cloudns.net/wiki/article/59/>: `domain-name`, `record-id`.
//! - Errors: HTTP 200 with `{"status": "Failed", "statusDescription": "..."}`; bad credentials
//!   "Invalid authentication, incorrect auth-id or auth-password.".

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::cloudns::{ClouDns, Config, TTLS};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Map, Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const AUTH_ID: &str = "4021";
const PASSWORD: &str = "cl0uDNS-api-password-1234";

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn failed(description: &str) -> FakeResponse {
    FakeResponse::json(
        200,
        json!({"status": "Failed", "statusDescription": description}),
    )
}

fn success(description: &str, data: Value) -> FakeResponse {
    FakeResponse::json(
        200,
        json!({"status": "Success", "statusDescription": description, "data": data}),
    )
}

fn host(name: &str) -> String {
    if name == "example.test" {
        String::new()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

fn record_json(r: &StoredRecord) -> Value {
    json!({"id": r.id, "type": r.rtype, "host": host(&r.name), "record": r.content.trim_end_matches('.'), "dynamicurl_status": 0, "failover": "0", "ttl": r.ttl.to_string(), "status": 1})
}

/// The form's parameters, after the checks every call shares.
fn params(r: &FakeRequest, allowed: &[&str]) -> Result<Vec<(String, String)>, String> {
    r.expect_user_agent()?;
    if r.method != "POST" {
        return Err(format!(
            "{}: dnsup sends its parameters as a POST form",
            r.method
        ));
    }
    if !r.raw_query.is_empty() {
        return Err("parameters (and the password) belong in the form body, not the URL".into());
    }
    r.expect_header("content-type", "application/x-www-form-urlencoded")?;
    let form = r.form();
    for (k, _) in &form {
        if !["auth-id", "sub-auth-id", "sub-auth-user", "auth-password"].contains(&k.as_str())
            && !allowed.contains(&k.as_str())
        {
            return Err(format!("{}: unexpected parameter {k}", r.path));
        }
    }
    Ok(form)
}

fn get<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn need<'a>(form: &'a [(String, String)], name: &str) -> Result<&'a str, String> {
    get(form, name).ok_or(format!("{name} is required"))
}

fn ttl(form: &[(String, String)]) -> Result<u32, String> {
    let t: u32 = need(form, "ttl")?.parse().map_err(|_| "ttl is a number")?;
    if !TTLS.contains(&t) {
        return Err(format!("ttl {t} is not one of the available TTLs"));
    }
    Ok(t)
}

fn value(form: &[(String, String)], rtype: &str) -> Result<String, String> {
    let record = need(form, "record")?;
    let rt = RecordType::from_str(rtype).map_err(|_| format!("record-type {rtype}"))?;
    dnsup::update::parse_rdata(rt, record, &zone())
        .map_err(|e| format!("record {record:?}: {e}"))?;
    Ok(record.to_string())
}

fn fqdn(host: &str) -> Result<String, String> {
    if host.contains("example.test") || host == "@" || host.ends_with('.') {
        return Err(format!(
            "host {host:?} is relative to the zone (empty for the apex)"
        ));
    }
    Ok(if host.is_empty() {
        "example.test".into()
    } else {
        format!("{host}.example.test")
    })
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    let call = r
        .path
        .strip_prefix("/dns/")
        .ok_or(format!("{} is outside /dns/", r.path))?;
    let allowed: &[&str] = match call {
        "list-zones.json" => &[
            "page",
            "rows-per-page",
            "search",
            "group-id",
            "has-cloud-domains",
        ],
        "records.json" => &[
            "domain-name",
            "host",
            "host-like",
            "type",
            "rows-per-page",
            "page",
            "order-by",
        ],
        "add-record.json" => &["domain-name", "record-type", "host", "record", "ttl"],
        "mod-record.json" => &["domain-name", "record-id", "host", "record", "ttl"],
        "delete-record.json" => &["domain-name", "record-id"],
        _ => return Err(format!("{}: not a documented call", r.path)),
    };
    let form = params(r, allowed)?;
    let users = ["auth-id", "sub-auth-id", "sub-auth-user"]
        .iter()
        .filter(|k| get(&form, k).is_some())
        .count();
    if users != 1 || get(&form, "auth-password").is_none() {
        return Err(
            "one of auth-id/sub-auth-id/sub-auth-user and auth-password are required".into(),
        );
    }
    if get(&form, "auth-id") != Some(AUTH_ID) || get(&form, "auth-password") != Some(PASSWORD) {
        return Ok(failed(
            "Invalid authentication, incorrect auth-id or auth-password.",
        ));
    }
    if call != "list-zones.json" && need(&form, "domain-name")? != "example.test" {
        return Ok(failed("Missing domain-name"));
    }
    let mut s = state.lock().unwrap();
    match call {
        "list-zones.json" => {
            let page: usize = need(&form, "page")?
                .parse()
                .map_err(|_| "page is a number")?;
            let rows: usize = need(&form, "rows-per-page")?
                .parse()
                .map_err(|_| "rows-per-page")?;
            if ![10, 20, 30, 50, 100].contains(&rows) || page == 0 {
                return Err(format!("page {page}, rows-per-page {rows}"));
            }
            let zones: Vec<Value> = [
                ("a.test", "master"),
                ("example.test", "master"),
                ("s.test", "slave"),
            ]
            .iter()
            .map(|(z, t)| json!({"name": z, "type": t, "zone": "domain", "status": "1"}))
            .skip((page - 1) * rows)
            .take(rows)
            .collect();
            Ok(FakeResponse::json(200, Value::Array(zones)))
        }
        "records.json" => {
            let host_filter = get(&form, "host");
            let type_filter = get(&form, "type");
            let found: Map<String, Value> = s
                .store
                .records
                .iter()
                .filter(|x| host_filter.is_none_or(|h| host(&x.name) == h))
                .filter(|x| type_filter.is_none_or(|t| x.rtype.eq_ignore_ascii_case(t)))
                .map(|x| (x.id.clone(), record_json(x)))
                .collect();
            if found.is_empty() {
                return Ok(FakeResponse::json(200, json!([])));
            }
            Ok(FakeResponse::json(200, Value::Object(found)))
        }
        "add-record.json" => {
            let t = need(&form, "record-type")?;
            let name = fqdn(need(&form, "host")?)?;
            let (v, ttl) = (value(&form, t)?, ttl(&form)?);
            let id = s.store.add(&name, t, ttl, &v);
            Ok(success(
                "The record was added successfully.",
                json!({"id": id}),
            ))
        }
        "mod-record.json" => {
            let id = need(&form, "record-id")?;
            let Some(rec) = s.store.get(id).cloned() else {
                return Ok(failed("Invalid record-id param."));
            };
            if fqdn(need(&form, "host")?)? != rec.name {
                return Err("mod-record: host differs from the record's".into());
            }
            let (v, ttl) = (value(&form, &rec.rtype)?, ttl(&form)?);
            let rec = s.store.get_mut(id).unwrap();
            rec.content = v;
            rec.ttl = ttl;
            Ok(success("The record was modified successfully.", json!({})))
        }
        "delete-record.json" => {
            if !s.store.remove(need(&form, "record-id")?) {
                return Ok(failed("Invalid record-id param."));
            }
            Ok(success("The record was deleted successfully.", json!({})))
        }
        _ => unreachable!(),
    }
}

fn start() -> (Fake, Shared) {
    serve(
        State {
            store: Store::new("example.test"),
        },
        handle,
    )
}

fn provider(fake: &Fake, password: &str) -> (ClouDns, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "auth_id = \"{AUTH_ID}\"\nauth_password = {}\n{}",
        secrets.file("cloudns.password", password),
        http_table(fake, "")
    ));
    (
        ClouDns::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

#[test]
fn cloudns_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn cloudns_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn cloudns_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "not-the-cloudns-password";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

/// A TTL outside ClouDNS's set is rounded up to the next one it takes, and the daemon's view
/// of what it will hold (`effective_ttl`) is what it then holds.
#[test]
fn cloudns_rounds_the_ttl_up_to_its_set() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, PASSWORD);
    let k = key("home.example.test.", RecordType::A);
    for (asked, held) in [(120, 300), (350, 900), (3600, 3600), (5_000_000, 2_592_000)] {
        let current = block(DynProvider::read(&p, &zone(), &k)).unwrap().values;
        assert_eq!(
            block(DynProvider::replace(
                &p,
                &zone(),
                &k,
                &current,
                &[v("192.0.2.8")],
                asked
            ))
            .unwrap(),
            Applied::Done
        );
        let ttls: Vec<u32> = state
            .lock()
            .unwrap()
            .store
            .find("home.example.test", "A")
            .iter()
            .map(|r| r.ttl)
            .collect();
        assert_eq!(ttls, [held], "asked {asked}");
        assert_eq!(p.capabilities().effective_ttl(asked), held);
    }
    fake.assert_clean();
}

#[test]
fn cloudns_apex_is_the_empty_host_and_txt_is_refused() {
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
    fake.assert_clean();
}
