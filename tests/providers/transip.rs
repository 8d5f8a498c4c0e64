//! TransIP API v6 against a fake that checks every request against the API: the login `POST
//! /v6/auth` with a JSON body (`login`, `nonce` never reused, `read_only`, `expiration_time`,
//! `label` never reused, `global_key`) whose `Signature` header the fake verifies with the
//! test key's public half (RSASSA-PKCS1-v1_5, SHA-512, base64), `Authorization: Bearer` with
//! the token it issued, `GET /v6/domains`, and `GET`/`POST`/`DELETE /v6/domains/{domain}/dns`
//! with `{"dnsEntry": {"name", "expire", "type", "content"}}` (no ids: a removal names the
//! entry's four fields exactly); errors `{"error": "..."}`.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use dnsup::provider::build::Setup;
use dnsup::provider::transip::{self, TransIp};
use dnsup::provider::{DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const LOGIN: &str = "example-account";
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImp0aSI6ImZha2UifQ.fake.sig";
/// The public half (RSAPublicKey, DER, base64) of `transip-test-key.pem`, from
/// `openssl rsa -in transip-test-key.pem -RSAPublicKey_out -outform DER`.
const PUBLIC: &str = "MIIBCgKCAQEAmU+RIfT5kN35cbhSclRueQP0bsW2G+ar/9UgXD0mWowaILYBCr8O5XCi4ZFyw0gjdKUBgAUZer04D2kov7N8KygN5/baVWtFQEIvUBj+6FUHqt1MSdC/shF+R7LqmEcPphRKsZF3HWMXld8RhfHgdNXATpXrNh+SVDjHik8k+FUMTXvoKshtPSGvGjw6HLxEQZggHa2QUixHR38RsU1c4cBYfNaqUfQg/Ku0PJ1+05NGvLONlqM17vKR0IUzBz3UZMSxcRmm9KfwE4zcxtpy4uS10t6wkpEHhyY2z2T9E95tjnoTZONLl7YR/QR4DjH8hl21/AQPBIDnhgQqekzR0wIDAQAB";
const KEY: &str = include_str!("transip-test-key.pem");
const KEY_PKCS1: &str = include_str!("transip-test-key-pkcs1.pem");
const WRONG_KEY: &str = include_str!("transip-wrong-key.pem");

pub struct State {
    store: Store,
    logins: usize,
    nonces: HashSet<String>,
    labels: HashSet<String>,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({ "error": message }))
}

fn login(s: &mut State, r: &FakeRequest) -> Result<FakeResponse, String> {
    let b = r.json()?;
    let o = b.as_object().ok_or("the login body is an object")?;
    for k in o.keys() {
        if ![
            "login",
            "nonce",
            "read_only",
            "expiration_time",
            "label",
            "global_key",
        ]
        .contains(&k.as_str())
        {
            return Err(format!("undocumented login field {k}"));
        }
    }
    let sig = r
        .header("signature")
        .ok_or("the login carries a Signature header")?;
    let sig = base64::engine::general_purpose::STANDARD
        .decode(sig)
        .map_err(|_| format!("Signature {sig:?} is not standard base64"))?;
    let public = base64::engine::general_purpose::STANDARD
        .decode(PUBLIC)
        .unwrap();
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA512,
        public,
    );
    if key.verify(&r.body, &sig).is_err() {
        return Ok(error(
            401,
            "Provided signature is not valid for this login request",
        ));
    }
    if b["login"] != LOGIN {
        return Ok(error(401, "Invalid login"));
    }
    let nonce = b["nonce"].as_str().ok_or("nonce is a string")?;
    if nonce.len() < 8 || !s.nonces.insert(nonce.to_string()) {
        return Err(format!("nonce {nonce:?} is short or was used before"));
    }
    let label = b["label"].as_str().ok_or("label is a string")?;
    if !s.labels.insert(label.to_string()) {
        return Err(format!("label {label:?} was used before"));
    }
    if !b["read_only"].is_boolean() || !b["global_key"].is_boolean() {
        return Err("read_only and global_key are booleans".into());
    }
    if b["read_only"] != false {
        return Err("a read-only token cannot change records".into());
    }
    match b["expiration_time"].as_str() {
        Some(t) if t.ends_with(" minutes") || t.ends_with(" hour") => {}
        other => return Err(format!("expiration_time {other:?}")),
    }
    s.logins += 1;
    Ok(FakeResponse::json(201, json!({ "token": TOKEN })))
}

/// The relative name of a stored owner (`@` at the apex).
fn relative(name: &str) -> String {
    match name.strip_suffix(".example.test") {
        Some(r) => r.to_string(),
        None => "@".to_string(),
    }
}

fn entry(b: &Value) -> Result<(String, u32, String, String), String> {
    let o = b.as_object().ok_or("an object")?;
    if o.keys().collect::<Vec<_>>() != ["dnsEntry"] {
        return Err(format!("the body holds dnsEntry only, got {b}"));
    }
    let e = b["dnsEntry"].as_object().ok_or("dnsEntry is an object")?;
    let mut keys: Vec<&String> = e.keys().collect();
    keys.sort();
    if keys != ["content", "expire", "name", "type"] {
        return Err(format!("dnsEntry fields {keys:?}"));
    }
    let name = e["name"].as_str().ok_or("name")?;
    if name.ends_with('.') || name.contains("example.test") || name.is_empty() {
        return Err(format!("name {name:?} is relative to the domain"));
    }
    let fqdn = if name == "@" {
        "example.test".to_string()
    } else {
        format!("{name}.example.test")
    };
    let expire = e["expire"].as_u64().ok_or("expire is a number")? as u32;
    let rtype = e["type"].as_str().ok_or("type")?.to_string();
    let content = e["content"].as_str().ok_or("content")?.to_string();
    let rt = RecordType::from_str(&rtype).map_err(|_| format!("type {rtype}"))?;
    dnsup::update::parse_rdata(rt, &content, &zone()).map_err(|e| format!("{content:?}: {e}"))?;
    Ok((fqdn, expire, rtype, content))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    let mut guard = state.lock().unwrap();
    let s = &mut *guard;
    r.expect_user_agent()?;
    if r.method == "POST" && r.path == "/v6/auth" {
        return login(s, r);
    }
    match r.header("authorization") {
        Some(a) if a == format!("Bearer {TOKEN}") => {}
        Some(a) if a.starts_with("Bearer ") => {
            return Ok(error(401, "Your access token has been revoked."));
        }
        other => {
            return Err(format!(
                "Authorization must be a Bearer token, got {other:?}"
            ));
        }
    }
    let parts = r.parts("/v6/domains")?;
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", [""]) => Ok(FakeResponse::json(
            200,
            json!({"domains": [{"name": "other.test", "tags": []}, {"name": "example.test", "tags": [], "isDnsOnly": false}]}),
        )),
        (_, ["", d, "dns"]) if *d != "example.test" => Ok(error(404, "Domain not found")),
        ("GET", ["", _, "dns"]) => {
            let entries: Vec<Value> = s
                .store
                .records
                .iter()
                .map(|x| json!({"name": relative(&x.name), "expire": x.ttl, "type": x.rtype, "content": x.content}))
                .collect();
            Ok(FakeResponse::json(200, json!({ "dnsEntries": entries })))
        }
        ("POST", ["", _, "dns"]) => {
            let (fqdn, expire, rtype, content) = entry(&r.json()?)?;
            let same = s.store.find(&fqdn, &rtype);
            if same.iter().any(|x| x.content == content) {
                return Ok(error(406, "This DNS entry already exists"));
            }
            if rtype == "CNAME" && !same.is_empty() {
                return Ok(error(
                    406,
                    "A CNAME entry cannot coexist with another entry of this name",
                ));
            }
            s.store.add(&fqdn, &rtype, expire, &content);
            Ok(FakeResponse::empty(201))
        }
        ("DELETE", ["", _, "dns"]) => {
            let (fqdn, expire, rtype, content) = entry(&r.json()?)?;
            let id = s
                .store
                .find(&fqdn, &rtype)
                .iter()
                .find(|x| x.content == content && x.ttl == expire)
                .map(|x| x.id.clone());
            match id {
                Some(id) => {
                    s.store.remove(&id);
                    Ok(FakeResponse::empty(204))
                }
                None => Ok(error(404, "DNS entry not found")),
            }
        }
        _ => Err(format!("{} {} is not a call dnsup makes", r.method, r.path)),
    }
}

fn setup(pem: &str) -> (Fake, Shared, TransIp, Secrets) {
    let (fake, state) = serve(
        State {
            store: Store::new("example.test"),
            logins: 0,
            nonces: HashSet::new(),
            labels: HashSet::new(),
        },
        handle,
    );
    let secrets = Secrets::new();
    let config: transip::Config = config(&format!(
        "login = {LOGIN:?}\nprivate_key = {}\n{}",
        secrets.file("transip.pem", pem),
        http_table(&fake, "/v6")
    ));
    let p = TransIp::new(&config, &mut Setup::default()).unwrap();
    (fake, state, p, secrets)
}

fn store(s: &State) -> &Store {
    &s.store
}

#[test]
fn transip_passes_the_suite() {
    let (fake, state, p, _s) = setup(KEY);
    store_passes_the_suite(&p, zone(), &state, store, &fake);
    // One login for the whole suite: the token is kept.
    assert_eq!(state.lock().unwrap().logins, 1);
}

#[test]
fn transip_takes_a_pkcs1_key_too() {
    let (fake, state, p, _s) = setup(KEY_PKCS1);
    let k = key("pkcs1.example.test.", RecordType::A);
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.7")],
        300,
    ))
    .unwrap();
    assert_eq!(state.lock().unwrap().logins, 1);
    fake.assert_clean();
}

#[test]
fn transip_honours_rate_limits() {
    let (fake, state, p, _s) = setup(KEY);
    store_honours_rate_limits(&p, zone(), &state, store, &fake);
}

#[test]
fn transip_bad_credentials() {
    let (fake, _state, p, _s) = setup(WRONG_KEY);
    // No line of the private key shows in the error.
    for line in WRONG_KEY.lines().filter(|l| !l.starts_with("-----")) {
        refuses_bad_credentials(&p, &zone(), line, &fake);
    }
}

#[test]
fn transip_changes_without_ids() {
    let (fake, state, p, _s) = setup(KEY);
    let z = zone();
    let k = key("two.example.test.", RecordType::A);
    block(DynProvider::replace(
        &p,
        &z,
        &k,
        &[],
        &[v("192.0.2.1")],
        300,
    ))
    .unwrap();
    // A new address: the new entry is added before the old one is removed, by its fields.
    fake.clear();
    block(DynProvider::replace(
        &p,
        &z,
        &k,
        &[v("192.0.2.1")],
        &[v("192.0.2.2")],
        300,
    ))
    .unwrap();
    let writes: Vec<(String, Value)> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method.clone(), r.json().unwrap()))
        .collect();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(writes[0].0, "POST");
    assert_eq!(writes[0].1["dnsEntry"]["content"], "192.0.2.2");
    assert_eq!(writes[1].0, "DELETE");
    assert_eq!(
        writes[1].1,
        json!({"dnsEntry": {"name": "two", "expire": 300, "type": "A", "content": "192.0.2.1"}})
    );
    // Only the TTL changes: removed, then added again.
    fake.clear();
    block(DynProvider::replace(
        &p,
        &z,
        &k,
        &[v("192.0.2.2")],
        &[v("192.0.2.2")],
        60,
    ))
    .unwrap();
    let methods: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| r.method)
        .collect();
    assert_eq!(methods, ["DELETE", "POST"]);
    let st = state.lock().unwrap();
    let held: Vec<(u32, String)> = st
        .store
        .find("two.example.test", "A")
        .iter()
        .map(|x| (x.ttl, x.content.clone()))
        .collect();
    assert_eq!(held, [(60, "192.0.2.2".to_string())]);
    drop(st);
    // TXT is refused before anything is sent (no documented escaping).
    fake.clear();
    let t = key("two.example.test.", RecordType::TXT);
    let e = block(DynProvider::replace(&p, &z, &t, &[], &[txt("x")], 60)).unwrap_err();
    assert!(matches!(e, ProviderError::Unsupported(_)), "{e}");
    assert!(fake.requests().is_empty());
    fake.assert_clean();
}

/// The TransIP half of `azure::providers_log_no_secret`: a refused key, then a write and a
/// delete.
pub fn log_flows() {
    let (_fake, _state, p, _s) = setup(WRONG_KEY);
    let k = key("log.example.test.", RecordType::A);
    assert!(block(DynProvider::read(&p, &zone(), &k)).is_err());
    let (_fake, _state, p, _s) = setup(KEY);
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.5")],
        300,
    ))
    .unwrap();
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.5")],
        &[],
        300,
    ))
    .unwrap();
}

/// What must never show in a log: the token and every line of both keys.
pub fn log_secrets() -> Vec<String> {
    let mut out = vec![TOKEN.to_string()];
    out.extend(
        KEY.lines()
            .chain(WRONG_KEY.lines())
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_string),
    );
    out
}
