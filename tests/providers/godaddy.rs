//! The GoDaddy adapter against a fake that checks every request against
//! <https://developer.godaddy.com/doc/endpoint/domains>: `Authorization: sso-key KEY:SECRET`,
//! records per type and name (`@` for the apex), PUT bodies `[{data, ttl}]` with TTL >= 600.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::godaddy::{Config, GoDaddy};
use dnsup::provider::{DynProvider, ProviderError};
use hickory_proto::rr::{Name, RData, RecordType};
use serde_json::{Value, json};

use super::duckdns::presented;
use super::fake::{FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const KEY: &str = "dLP4Ed2qAs_7Hh1Vmx9QWmRmE3ZkL8yVJ";
const SECRET: &str = "Xy8Q2ZbUd7c9LkPr4wFhTn";

/// Domains of the fake account (sorted, as GoDaddy lists them), at most two per page.
const DOMAINS: &[&str] = &[
    "aaa.test",
    "bbb.test",
    "example.test",
    "sub.example.test.invalid",
    "zzz.test",
];
const PAGE: usize = 2;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn api_data(rtype: &str, stored: &str) -> String {
    if rtype != "TXT" {
        return stored.to_string();
    }
    let RData::TXT(t) = parse_value(RecordType::TXT, stored) else {
        unreachable!()
    };
    String::from_utf8(t.txt_data.iter().flat_map(|s| s.iter().copied()).collect()).unwrap()
}

fn err(status: u16, code: &str, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"code": code, "message": message}))
}

fn handler(
    store: Arc<Mutex<Store>>,
) -> impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send {
    move |r: &FakeRequest| {
        r.expect_user_agent()?;
        let auth = r.header("authorization").ok_or("no Authorization header")?;
        let creds = auth.strip_prefix("sso-key ").ok_or_else(|| {
            format!(
                "Authorization should be sso-key KEY:SECRET, got a {:?} scheme",
                auth.split(' ').next()
            )
        })?;
        if creds != format!("{KEY}:{SECRET}") {
            return Ok(err(401, "UNABLE_TO_AUTHENTICATE", "Unable to authenticate"));
        }
        let parts: Vec<&str> = r.path.trim_start_matches('/').split('/').collect();
        let mut st = store.lock().unwrap();
        match (r.method.as_str(), parts.as_slice()) {
            ("GET", ["v1", "domains"]) => {
                if r.param("statuses") != Some("ACTIVE") {
                    return Err("dnsup lists ACTIVE domains only".into());
                }
                let limit: usize = r
                    .param("limit")
                    .and_then(|l| l.parse().ok())
                    .ok_or("limit should be a number")?;
                let after = r.param("marker").unwrap_or("");
                let page: Vec<Value> = DOMAINS
                    .iter()
                    .filter(|d| **d > after)
                    .take(limit.min(PAGE))
                    .map(|d| json!({"domain": d, "domainId": 1, "status": "ACTIVE", "expires": "2030-01-01T00:00:00.000Z", "renewAuto": true}))
                    .collect();
                Ok(FakeResponse::json(200, Value::Array(page)))
            }
            (method, ["v1", "domains", domain, "records", rtype, name]) => {
                if *domain != st.zone {
                    return Ok(err(
                        404,
                        "NOT_FOUND",
                        "The given domain is not registered, or does not have a zone file",
                    ));
                }
                if name.ends_with(*domain) || name.is_empty() {
                    return Err(format!(
                        "record name should be relative (@ for the apex): {name}"
                    ));
                }
                let full = if *name == "@" {
                    st.zone.clone()
                } else {
                    format!("{name}.{}", st.zone)
                };
                match method {
                    "GET" => {
                        let list: Vec<Value> = st.find(&full, rtype).iter().map(|x| json!({"data": api_data(&x.rtype, &x.content), "name": name, "ttl": x.ttl, "type": x.rtype})).collect();
                        Ok(FakeResponse::json(200, Value::Array(list)))
                    }
                    "PUT" => {
                        let body = r.json()?;
                        let items = body.as_array().ok_or("PUT body should be an array")?;
                        if items.is_empty() {
                            return Err("PUT with an empty array: use DELETE".into());
                        }
                        let mut values = Vec::new();
                        let mut ttl = 0;
                        for item in items {
                            let obj = item.as_object().ok_or("each record is an object")?;
                            for k in obj.keys() {
                                if ![
                                    "data", "ttl", "name", "type", "priority", "port", "protocol",
                                    "service", "weight",
                                ]
                                .contains(&k.as_str())
                                {
                                    return Err(format!("unknown record field {k}"));
                                }
                            }
                            let data = obj
                                .get("data")
                                .and_then(Value::as_str)
                                .ok_or("data should be a string")?;
                            ttl = obj
                                .get("ttl")
                                .and_then(Value::as_u64)
                                .ok_or("ttl should be an integer")?
                                as u32;
                            if ttl < 600 {
                                return Ok(err(422, "INVALID_BODY", "ttl must be at least 600"));
                            }
                            if *rtype == "A" && data.parse::<std::net::Ipv4Addr>().is_err()
                                || *rtype == "AAAA" && data.parse::<std::net::Ipv6Addr>().is_err()
                            {
                                return Err(format!("{rtype} data {data:?}"));
                            }
                            values.push(if *rtype == "TXT" {
                                presented(data)
                            } else {
                                data.to_string()
                            });
                        }
                        st.set(&full, rtype, ttl, &values);
                        Ok(FakeResponse::empty(200))
                    }
                    "DELETE" => {
                        if st.find(&full, rtype).is_empty() {
                            return Ok(err(404, "NOT_FOUND", "Record not found"));
                        }
                        st.remove_set(&full, rtype);
                        Ok(FakeResponse::empty(204))
                    }
                    _ => Err(format!("{method} {}: undocumented", r.path)),
                }
            }
            _ => Err(format!("{} {}: undocumented endpoint", r.method, r.path)),
        }
    }
}

fn start(secret: &str) -> (Env, GoDaddy) {
    Env::start("example.test", handler, |fake, secrets| {
        let mut c: Config = config(&format!(
            "key = {}\nsecret = {}",
            secrets.file("key", KEY),
            secrets.file("secret", secret)
        ));
        c.http = fake.settings("");
        GoDaddy::new(&c, &mut Setup::default()).unwrap()
    })
}

#[test]
fn godaddy_passes_the_suite() {
    let (e, p) = start(SECRET);
    store_passes_the_suite(&p, zone(), &e.store, |s| s, &e.fake);
    let markers: Vec<Option<String>> = e
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/domains")
        .map(|r| r.param("marker").map(str::to_string))
        .collect();
    assert_eq!(
        markers,
        [
            None,
            Some("bbb.test".into()),
            Some("sub.example.test.invalid".into()),
            Some("zzz.test".into())
        ]
    );
}

#[test]
fn godaddy_honours_rate_limits() {
    let (e, p) = start(SECRET);
    store_honours_rate_limits(&p, zone(), &e.store, |s| s, &e.fake);
}

#[test]
fn godaddy_bad_credentials() {
    let (e, p) = start("wrong-secret-value");
    refuses_bad_credentials(&p, &zone(), "wrong-secret-value", &e.fake);
}

#[test]
fn godaddy_access_restriction_and_ttl_floor() {
    let (e, p) = start(SECRET);
    let k = key("suite.example.test.", RecordType::A);
    e.fake.inject(err(
        403,
        "ACCESS_DENIED",
        "Authenticated user is not allowed access",
    ));
    let error = block(p.read(&zone(), &k)).unwrap_err();
    assert!(
        matches!(&error, ProviderError::Auth(m) if m.contains("not allowed access") && m.contains("10 or more domains")),
        "{error}"
    );
    // TTL below 600 is raised to the minimum; the apex is `@`.
    let apex = key("example.test.", RecordType::AAAA);
    block(p.replace(&zone(), &apex, &[], &[v("2001:db8::5")], 60)).unwrap();
    let put = e
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert_eq!(put.path, "/v1/domains/example.test/records/AAAA/@");
    assert_eq!(
        put.json().unwrap(),
        json!([{"data": "2001:db8::5", "ttl": 600}])
    );
    assert_eq!(e.store.lock().unwrap().rrset(&apex).ttl, Some(600));
    // An unknown domain is an error, not an empty RRset.
    let other = Name::from_str("other.test.").unwrap();
    let error = block(p.read(&other, &key("x.other.test.", RecordType::A))).unwrap_err();
    assert!(matches!(error, ProviderError::Refused(_)), "{error}");
    e.fake.assert_clean();
}
