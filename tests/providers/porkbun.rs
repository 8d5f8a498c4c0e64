//! The Porkbun adapter against a fake that checks every request against
//! <https://porkbun.com/api/json/v3/documentation>: POST with a JSON body holding `apikey` and
//! `secretapikey`, string fields, TTL at least 600, answers with `status`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::porkbun::{Config, Porkbun};
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RData, RecordType};
use serde_json::{Value, json};

use super::duckdns::presented;
use super::fake::{FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const KEY: &str = "pk1_5299b57125c8f3cdf347d2fe0e713311";
const SECRET: &str = "sk1_7d119e3f656b00ae042980302e1425a0";

/// Domains of the fake account, two per page; `example.test` is on page 2.
const DOMAINS: &[&str] = &[
    "aaa.test",
    "bbb.test",
    "ccc.test",
    "example.test",
    "zzz.test",
];
const PAGE: usize = 2;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

/// The stored (presentation) value as Porkbun's `content`.
fn api_content(rtype: &str, stored: &str) -> String {
    if rtype != "TXT" {
        return stored.to_string();
    }
    let RData::TXT(t) = parse_value(RecordType::TXT, stored) else {
        unreachable!()
    };
    let bytes: Vec<u8> = t.txt_data.iter().flat_map(|s| s.iter().copied()).collect();
    String::from_utf8(bytes).unwrap()
}

fn error(status: u16, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"status": "ERROR", "message": message}))
}

fn string_field<'a>(body: &'a Value, field: &str, path: &str) -> Result<&'a str, String> {
    body.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{path}: {field} should be a string, body {body}"))
}

fn handler(
    store: Arc<Mutex<Store>>,
) -> impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send {
    move |r: &FakeRequest| {
        if r.method != "POST" {
            return Err(format!("{} {}: every call is a POST", r.method, r.path));
        }
        r.expect_user_agent()?;
        let body = r.json()?;
        let path = r
            .path
            .strip_prefix("/api/json/v3/")
            .ok_or_else(|| format!("path {}", r.path))?;
        let (k, s) = (
            string_field(&body, "apikey", path)?,
            string_field(&body, "secretapikey", path)?,
        );
        if k != KEY || s != SECRET {
            return Ok(error(400, "Invalid API key. (002)"));
        }
        let parts: Vec<&str> = path.split('/').collect();
        let mut st = store.lock().unwrap();
        let full = |sub: Option<&str>, zone: &str| match sub {
            None | Some("") => zone.to_string(),
            Some(s) => format!("{s}.{zone}"),
        };
        let record_body = |body: &Value| -> Result<(String, String, String, u32), String> {
            let name = string_field(body, "name", path)?.to_string();
            let rtype = string_field(body, "type", path)?.to_string();
            let content = string_field(body, "content", path)?.to_string();
            let ttl: u32 = string_field(body, "ttl", path)?
                .parse()
                .map_err(|_| "ttl should be digits")?;
            if ttl < 600 {
                return Err(format!(
                    "{path}: ttl {ttl} is below Porkbun's minimum of 600"
                ));
            }
            if rtype == "A" && content.parse::<std::net::Ipv4Addr>().is_err() {
                return Err(format!("{path}: A content {content:?}"));
            }
            if rtype == "AAAA" && content.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(format!("{path}: AAAA content {content:?}"));
            }
            Ok((name, rtype, content, ttl))
        };
        match parts.as_slice() {
            ["domain", "listAll"] => {
                let start: usize = match body.get("start") {
                    None => 0,
                    Some(v) => v
                        .as_str()
                        .and_then(|s| s.parse().ok())
                        .ok_or("start should be a string of digits")?,
                };
                let page: Vec<Value> = DOMAINS
                    .iter()
                    .skip(start)
                    .take(PAGE)
                    .map(|d| json!({"domain": d, "status": "ACTIVE", "tld": "test", "createDate": "2020-01-01 00:00:00", "expireDate": "2030-01-01 00:00:00", "securityLock": "1", "whoisPrivacy": "1", "autoRenew": 0, "notLocal": 0}))
                    .collect();
                Ok(FakeResponse::json(
                    200,
                    json!({"status": "SUCCESS", "domains": page}),
                ))
            }
            [_, op, domain, rest @ ..] if *domain != st.zone => {
                let _ = (op, rest);
                Ok(error(400, "Invalid domain."))
            }
            ["dns", "retrieveByNameType", _, rtype, sub @ ..] if sub.len() <= 1 => {
                let name = full(sub.first().copied(), &st.zone.clone());
                let records: Vec<Value> = st
                    .find(&name, rtype)
                    .iter()
                    .map(|r| json!({"id": r.id, "name": r.name, "type": r.rtype, "content": api_content(&r.rtype, &r.content), "ttl": r.ttl.to_string(), "prio": "0", "notes": ""}))
                    .collect();
                Ok(FakeResponse::json(
                    200,
                    json!({"status": "SUCCESS", "cloudflare": "enabled", "records": records}),
                ))
            }
            ["dns", "deleteByNameType", _, rtype, sub @ ..] if sub.len() <= 1 => {
                let name = full(sub.first().copied(), &st.zone.clone());
                st.remove_set(&name, rtype);
                Ok(FakeResponse::json(200, json!({"status": "SUCCESS"})))
            }
            ["dns", "create", _] => {
                let (sub, rtype, content, ttl) = record_body(&body)?;
                if sub.ends_with(&st.zone) {
                    return Err(format!("create: name is the subdomain only, got {sub:?}"));
                }
                let name = full(Some(&sub), &st.zone.clone());
                let stored = if rtype == "TXT" {
                    presented(&content)
                } else {
                    content
                };
                let id = st.add(&name, &rtype, ttl, &stored);
                Ok(FakeResponse::json(
                    200,
                    json!({"status": "SUCCESS", "id": u64::from_str_radix(&id, 16).unwrap()}),
                ))
            }
            ["dns", "edit", _, id] => {
                let (sub, rtype, content, ttl) = record_body(&body)?;
                let name = full(Some(&sub), &st.zone.clone());
                let Some(rec) = st.get_mut(id) else {
                    return Ok(error(
                        400,
                        "Edit error: We were unable to edit the DNS record.",
                    ));
                };
                if rec.name != name || rec.rtype != rtype {
                    return Err(format!(
                        "edit {id}: dnsup changes only values, not {}/{} -> {name}/{rtype}",
                        rec.name, rec.rtype
                    ));
                }
                rec.content = if rtype == "TXT" {
                    presented(&content)
                } else {
                    content
                };
                rec.ttl = ttl;
                Ok(FakeResponse::json(200, json!({"status": "SUCCESS"})))
            }
            ["dns", "delete", _, id] => {
                if st.remove(id) {
                    Ok(FakeResponse::json(200, json!({"status": "SUCCESS"})))
                } else {
                    Ok(error(400, "Invalid record id."))
                }
            }
            _ => Err(format!("undocumented endpoint {path}")),
        }
    }
}

fn start(secret: &str) -> (Env, Porkbun) {
    Env::start("example.test", handler, |fake, secrets| {
        let mut c: Config = config(&format!(
            "api_key = {}\nsecret_api_key = {}",
            secrets.file("key", KEY),
            secrets.file("secret", secret)
        ));
        c.http = fake.settings("/api/json/v3");
        Porkbun::new(&c, &mut Setup::default()).unwrap()
    })
}

#[test]
fn porkbun_passes_the_suite() {
    let (e, p) = start(SECRET);
    store_passes_the_suite(&p, zone(), &e.store, |s| s, &e.fake);
    // find_zone walked the pages (example.test is on page 2) until an empty one.
    let starts: Vec<String> = e
        .fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("listAll"))
        .map(|r| r.json().unwrap()["start"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(starts, ["0", "2", "4", "5"]);
}

#[test]
fn porkbun_honours_rate_limits() {
    let (e, p) = start(SECRET);
    store_honours_rate_limits(&p, zone(), &e.store, |s| s, &e.fake);
}

#[test]
fn porkbun_bad_credentials() {
    let (e, p) = start("sk1_wrongwrongwrongwrong");
    refuses_bad_credentials(&p, &zone(), "sk1_wrongwrongwrongwrong", &e.fake);
}

#[test]
fn porkbun_changes_only_what_differs_by_id() {
    let (e, p) = start(SECRET);
    let name = "multi.example.test";
    let ids: Vec<String> = {
        let mut s = e.store.lock().unwrap();
        ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
            .iter()
            .map(|ip| s.add(name, "A", 600, ip))
            .collect()
    };
    let k = key("multi.example.test.", RecordType::A);
    let old = [v("192.0.2.1"), v("192.0.2.2"), v("192.0.2.3")];
    e.fake.clear();
    let applied =
        block(p.replace(&zone(), &k, &old, &[v("192.0.2.2"), v("192.0.2.9")], 60)).unwrap();
    assert_eq!(applied, Applied::Done);
    let ops: Vec<String> = e
        .fake
        .requests()
        .iter()
        .map(|r| r.path.trim_start_matches("/api/json/v3/").to_string())
        .collect();
    assert_eq!(
        ops,
        [
            "dns/retrieveByNameType/example.test/A/multi".to_string(),
            format!("dns/edit/example.test/{}", ids[0]),
            format!("dns/delete/example.test/{}", ids[2]),
        ]
    );
    let s = e.store.lock().unwrap();
    let kept = s.find(name, "A");
    assert_eq!(kept.len(), 2);
    assert!(
        kept.iter()
            .any(|r| r.id == ids[1] && r.content == "192.0.2.2"),
        "untouched record keeps its id"
    );
    // TTL below 600 was raised to Porkbun's minimum.
    assert!(kept.iter().all(|r| r.ttl == 600));
    drop(s);
    e.fake.assert_clean();
}

#[test]
fn porkbun_long_txt_and_apex() {
    let (e, p) = start(SECRET);
    let long = "v=DKIM1; k=rsa; p=".to_string() + &"A".repeat(400);
    let value = txt(&format!("\"{}\" \"{}\"", &long[..255], &long[255..]));
    let k = key("example.test.", RecordType::TXT);
    assert_eq!(
        block(p.replace(&zone(), &k, &[], std::slice::from_ref(&value), 600)).unwrap(),
        Applied::Done
    );
    let create = e
        .fake
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("dns/create/example.test"))
        .unwrap();
    assert_eq!(create.json().unwrap()["name"], "");
    assert_eq!(create.json().unwrap()["content"], long.as_str());
    // Read back as the same 255-byte strings.
    assert_eq!(block(p.read(&zone(), &k)).unwrap().values, [value]);
    e.fake.assert_clean();
}
