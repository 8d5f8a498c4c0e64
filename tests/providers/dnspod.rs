//! DNSPod's legacy token API against a fake that checks every request against the
//! documentation: form `POST /{Action}` with `login_token=ID,TOKEN`, `format=json`, `lang`,
//! `error_on_empty=no`; `Domain.List`, `Record.List` (by `sub_domain`, `record_type`),
//! `Record.Create`/`Record.Modify` on the default line, `Record.Remove`; answers with HTTP
//! 200 and `status.code` (`1` success, `-1` failed login); TTL at least 600.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::dnspod::{Config, DnsPod};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};

const ID: &str = "13490";
const TOKEN: &str = "6b5976c68aba5b14a0558b77c17c3932";

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn status(code: &str, message: &str) -> FakeResponse {
    FakeResponse::json(
        200,
        json!({"status": {"code": code, "message": message, "created_at": "2026-12-02 10:00:00"}}),
    )
}

fn sub(name: &str) -> String {
    if name == "example.test" {
        "@".into()
    } else {
        name.trim_end_matches(".example.test").to_string()
    }
}

/// DNSPod's TXT values are compact: one plain string, or quoted strings.
fn to_store(rtype: &str, value: &str) -> Result<String, String> {
    let t = RecordType::from_str(rtype).map_err(|_| format!("record_type {rtype}"))?;
    let rd = dnsup::provider::text::parse_compact(t, value)
        .map_err(|e| format!("value {value:?}: {e}"))?;
    Ok(dnsup::provider::text::presentation(&rd))
}

fn from_store(r: &StoredRecord) -> String {
    let t = RecordType::from_str(&r.rtype).unwrap();
    dnsup::provider::text::compact(&super::store::parse_value(t, &r.content))
}

fn record_json(r: &StoredRecord) -> Value {
    json!({"id": r.id, "name": sub(&r.name), "line": "默认", "line_id": "0", "type": r.rtype, "ttl": r.ttl.to_string(), "value": from_store(r), "mx": "0", "enabled": "1", "status": "enabled"})
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    if r.method != "POST" {
        return Err(format!("{} {}: every action is a POST", r.method, r.path));
    }
    r.expect_header("content-type", "application/x-www-form-urlencoded")?;
    if !r.raw_query.is_empty() {
        return Err("parameters go in the form body, not the URL".into());
    }
    let form = r.form();
    let p = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    for (k, want) in [("format", "json"), ("error_on_empty", "no")] {
        if p(k) != Some(want) {
            return Err(format!("{k} must be {want}"));
        }
    }
    if p("lang").is_none() {
        return Err("lang is sent".into());
    }
    match p("login_token") {
        Some(t) if t == format!("{ID},{TOKEN}") => {}
        Some(t) if t.contains(',') => return Ok(status("-1", "Login failed")),
        other => return Err(format!("login_token must be ID,TOKEN, got {other:?}")),
    }
    let action = r.path.trim_start_matches('/');
    let mut s = state.lock().unwrap();
    if action != "Domain.List" && p("domain") != Some("example.test") {
        return Ok(status("6", "Domain id invalid"));
    }
    let ttl = || -> Result<u32, String> {
        let t: u32 = p("ttl")
            .ok_or("ttl is sent")?
            .parse()
            .map_err(|_| "ttl is a number")?;
        if t < 600 {
            Err(format!("ttl {t} below the free plan's 600"))
        } else {
            Ok(t)
        }
    };
    match action {
        "Domain.List" => Ok(FakeResponse::json(
            200,
            json!({"status": {"code": "1", "message": "Action completed successful"}, "info": {"domain_total": 2}, "domains": [{"id": 1, "name": "other.test"}, {"id": 2, "name": "example.test"}]}),
        )),
        "Record.List" => {
            let sd = p("sub_domain").ok_or("dnsup filters by sub_domain")?;
            let t = p("record_type").ok_or("dnsup filters by record_type")?;
            let fqdn = if sd == "@" {
                "example.test".to_string()
            } else {
                format!("{sd}.example.test")
            };
            let records: Vec<Value> = s
                .store
                .find(&fqdn, t)
                .into_iter()
                .map(record_json)
                .collect();
            Ok(FakeResponse::json(
                200,
                json!({"status": {"code": "1", "message": "Action completed successful"}, "info": {"record_total": records.len().to_string()}, "records": records}),
            ))
        }
        "Record.Create" | "Record.Modify" => {
            if p("record_line_id") != Some("0") && p("record_line") != Some("默认") {
                return Err("the default line (record_line_id 0) is named".into());
            }
            let sd = p("sub_domain").ok_or("sub_domain is sent")?;
            if sd.contains("example.test") || sd.is_empty() {
                return Err(format!("sub_domain {sd:?} is relative (@ for the apex)"));
            }
            let t = p("record_type").ok_or("record_type is sent")?;
            let value = to_store(t, p("value").ok_or("value is sent")?)?;
            let ttl = ttl()?;
            let fqdn = if sd == "@" {
                "example.test".to_string()
            } else {
                format!("{sd}.example.test")
            };
            if action == "Record.Create" {
                let id = s.store.add(&fqdn, t, ttl, &value);
                Ok(FakeResponse::json(
                    200,
                    json!({"status": {"code": "1", "message": "Action completed successful"}, "record": {"id": id, "name": sd, "status": "enabled"}}),
                ))
            } else {
                let id = p("record_id").ok_or("record_id is sent")?;
                let Some(rec) = s.store.get_mut(id) else {
                    return Ok(status("8", "Record id invalid"));
                };
                rec.content = value;
                rec.ttl = ttl;
                Ok(FakeResponse::json(
                    200,
                    json!({"status": {"code": "1", "message": "Action completed successful"}, "record": {"id": id}}),
                ))
            }
        }
        "Record.Remove" => {
            let id = p("record_id").ok_or("record_id is sent")?;
            if !s.store.remove(id) {
                return Ok(status("8", "Record id invalid"));
            }
            Ok(status("1", "Action completed successful"))
        }
        other => Err(format!("{other}: not a documented action")),
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

fn provider(fake: &Fake, token: &str) -> (DnsPod, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token_id = \"{ID}\"\ntoken = {}\n{}",
        secrets.file("dnspod.token", token),
        http_table(fake, "")
    ));
    (
        DnsPod::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

#[test]
fn dnspod_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn dnspod_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn dnspod_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "ffffffffffffffffffffffffffffffff";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}
