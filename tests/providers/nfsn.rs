//! NearlyFreeSpeech.NET against a fake that checks every request against the API as NFSN's
//! own client (`nfsn/nfsn-apiclient-php`: `Manager.php`, `DNS.php`) and the API introduction
//! (<https://members.nearlyfreespeech.net/wiki/API/Introduction>) describe it:
//! - `https://api.nearlyfreespeech.net/<type>/<id>/<member>`; methods are `POST`s with an
//!   `application/x-www-form-urlencoded` body, properties `GET`s with none;
//! - `X-NFSN-Authentication: login;timestamp;salt;hash`, `hash` the hex SHA-1 of
//!   `login;timestamp;salt;api_key;request_uri;sha1hex(body)`, the salt 16 characters of
//!   `[A-Za-z0-9]`, the timestamp within a few seconds of the server's clock (recomputed here
//!   independently of dnsup's signer);
//! - errors: a non-200 status with `{"error", "debug"}`;
//! - `/dns/<domain>/minTTL` (GET); `listRRs` (filters `name`, `type`, `data`, `scope`) answering
//!   `[{"name", "type", "data", "ttl", "scope"}]` with names relative to the domain (`""` at the
//!   apex); `addRR` (`name`, `type`, `data`, optional `ttl`), `removeRR` (`name`, `type`,
//!   `data`), `replaceRR` (as `addRR`, replacing every record of that name and type).
//!
//! There is no call listing an account's domains; a domain that is not the account's answers
//! an error (the status is not documented: 404 here, 403 in one test).

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use dnsup::provider::build::Setup;
use dnsup::provider::nfsn::{Config, Nfsn};
use dnsup::provider::per_rrset::PerRrset;
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, StoredRecord};
use super::suite::*;

const LOGIN: &str = "joemember";
const API_KEY: &str = "nfsn-api-key-p3kx9Qv2LmZ7";

struct State {
    store: Store,
    /// The domain's `minTTL`.
    min_ttl: u32,
    /// What a domain that is not the account's answers.
    unknown_status: u16,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, message: &str, debug: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"error": message, "debug": debug}))
}

fn sha1_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The hash the server expects for these parts.
fn expected_hash(login: &str, ts: &str, salt: &str, uri: &str, body: &[u8]) -> String {
    sha1_hex(format!("{login};{ts};{salt};{API_KEY};{uri};{}", sha1_hex(body)).as_bytes())
}

/// The fake's own check of the published known answer (python-nfsn's test vector).
#[test]
fn nfsn_fake_verifier_knows_the_published_answer() {
    let check = format!(
        "testlogin;1000000;yumsalty1234;testapikey123;/testing;{}",
        sha1_hex(b"")
    );
    assert_eq!(
        sha1_hex(check.as_bytes()),
        "d20e2ee4105b82060f4c0ea9c2d9a91a3b6cdd13"
    );
}

/// `Ok(None)`: a good signature; `Ok(Some)`: the API's refusal; `Err`: a malformed request.
fn check_auth(r: &FakeRequest) -> Result<Option<FakeResponse>, String> {
    let header = r
        .header("x-nfsn-authentication")
        .ok_or("X-NFSN-Authentication is required")?;
    let parts: Vec<&str> = header.split(';').collect();
    let [login, ts, salt, hash] = parts[..] else {
        return Err(format!("{header:?}: login;timestamp;salt;hash"));
    };
    if salt.len() != 16 || !salt.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("salt {salt:?}: 16 characters of [A-Za-z0-9]"));
    }
    let t: u64 = ts
        .parse()
        .map_err(|_| format!("timestamp {ts:?}: Unix seconds"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if t.abs_diff(now) > 5 {
        return Err(format!("timestamp {t} is {} s off", t.abs_diff(now)));
    }
    if hash.len() != 40 || !hash.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(format!("hash {hash:?}: 40 lower-case hex digits"));
    }
    if login != LOGIN || hash != expected_hash(login, ts, salt, &r.raw_path, &r.body) {
        return Ok(Some(error(
            401,
            "Authentication failure.",
            "The hash does not match.",
        )));
    }
    Ok(None)
}

/// The form arguments of a method call: only `allowed`, each at most once, `required` present.
fn args(
    r: &FakeRequest,
    allowed: &[&str],
    required: &[&str],
) -> Result<Vec<(String, String)>, String> {
    r.expect_header("content-type", "application/x-www-form-urlencoded")?;
    let form = r.form();
    for (i, (k, _)) in form.iter().enumerate() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("{}: unexpected argument {k}", r.path));
        }
        if form[..i].iter().any(|(x, _)| x == k) {
            return Err(format!("{}: argument {k} given twice", r.path));
        }
    }
    for k in required {
        if !form.iter().any(|(x, _)| x == k) {
            return Err(format!("{}: argument {k} is required", r.path));
        }
    }
    Ok(form)
}

fn arg<'a>(form: &'a [(String, String)], k: &str) -> Option<&'a str> {
    form.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str())
}

/// The stored (absolute) name of a relative `name`.
fn absolute(name: &str) -> String {
    if name.is_empty() {
        "example.test".into()
    } else {
        format!("{}.example.test", name.to_ascii_lowercase())
    }
}

fn relative(r: &StoredRecord) -> String {
    r.name
        .strip_suffix("example.test")
        .unwrap_or(&r.name)
        .trim_end_matches('.')
        .to_string()
}

/// `type` and `data` of a write: a known type, data valid for it.
fn typed(form: &[(String, String)]) -> Result<(String, String), String> {
    let rtype = arg(form, "type").unwrap_or_default();
    let data = arg(form, "data").unwrap_or_default();
    let rt = RecordType::from_str(rtype).map_err(|_| format!("type {rtype:?}"))?;
    dnsup::update::parse_rdata(rt, data, &zone()).map_err(|e| format!("data {data:?}: {e}"))?;
    Ok((rtype.to_string(), data.to_string()))
}

fn ttl(form: &[(String, String)]) -> Result<u32, String> {
    match arg(form, "ttl") {
        None => Ok(3600),
        Some(t) => t.parse().map_err(|_| format!("ttl {t:?}")),
    }
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    if let Some(refused) = check_auth(r)? {
        return Ok(refused);
    }
    let parts = r.parts("/")?;
    let mut s = state.lock().unwrap();
    let [kind, domain, member] = parts[..] else {
        return Err(format!("{}: /<type>/<id>/<member>", r.path));
    };
    if kind != "dns" {
        return Err(format!("{}: only the dns object is used", r.path));
    }
    if domain != "example.test" {
        let status = s.unknown_status;
        return Ok(error(
            status,
            "Not Found.",
            &format!("No such domain {domain}."),
        ));
    }
    if r.method == "GET" {
        if !r.body.is_empty() {
            return Err(format!("GET {}: no body", r.path));
        }
        return match member {
            "minTTL" => Ok(FakeResponse::text(200, &s.min_ttl.to_string())),
            _ => Err(format!("GET {}: not a property used", r.path)),
        };
    }
    if r.method != "POST" {
        return Err(format!("{} {}: methods are POSTs", r.method, r.path));
    }
    match member {
        "listRRs" => {
            let form = args(r, &["name", "type", "data", "scope"], &[])?;
            let list: Vec<Value> = s
                .store
                .records
                .iter()
                .filter(|x| arg(&form, "name").is_none_or(|n| n.eq_ignore_ascii_case(&relative(x))))
                .filter(|x| arg(&form, "type").is_none_or(|t| t.eq_ignore_ascii_case(&x.rtype)))
                .filter(|x| arg(&form, "data").is_none_or(|d| d == x.content))
                .map(|x| {
                    json!({"name": relative(x), "type": x.rtype, "data": x.content,
                           "ttl": x.ttl, "scope": "member"})
                })
                .collect();
            Ok(FakeResponse::json(200, Value::Array(list)))
        }
        "addRR" => {
            let form = args(
                r,
                &["name", "type", "data", "ttl"],
                &["name", "type", "data"],
            )?;
            let (rtype, data) = typed(&form)?;
            let name = absolute(arg(&form, "name").unwrap_or_default());
            let ttl = ttl(&form)?;
            if s.store
                .find(&name, &rtype)
                .iter()
                .any(|x| x.content == data)
            {
                return Ok(error(400, "Duplicate record.", "That record exists."));
            }
            s.store.add(&name, &rtype, ttl, &data);
            Ok(FakeResponse::empty(200))
        }
        "replaceRR" => {
            let form = args(
                r,
                &["name", "type", "data", "ttl"],
                &["name", "type", "data"],
            )?;
            let (rtype, data) = typed(&form)?;
            let name = absolute(arg(&form, "name").unwrap_or_default());
            let ttl = ttl(&form)?;
            s.store.set(&name, &rtype, ttl, &[data]);
            Ok(FakeResponse::empty(200))
        }
        "removeRR" => {
            let form = args(r, &["name", "type", "data"], &["name", "type", "data"])?;
            let (rtype, data) = typed(&form)?;
            let name = absolute(arg(&form, "name").unwrap_or_default());
            let id = s
                .store
                .find(&name, &rtype)
                .iter()
                .find(|x| x.content == data)
                .map(|x| x.id.clone());
            match id {
                Some(id) => {
                    s.store.remove(&id);
                    Ok(FakeResponse::empty(200))
                }
                None => Ok(error(404, "Not Found.", "No such record.")),
            }
        }
        _ => Err(format!("POST {}: not a documented call", r.path)),
    }
}

fn start() -> (Fake, Shared) {
    serve(
        State {
            store: Store::new("example.test"),
            min_ttl: 60,
            unknown_status: 404,
        },
        handle,
    )
}

fn provider(fake: &Fake, key: &str) -> (PerRrset<Nfsn>, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "login = \"{LOGIN}\"\napi_key = {}\n{}",
        secrets.file("nfsn.key", key),
        http_table(fake, "")
    ));
    (
        PerRrset(Nfsn::new(&config, &mut Setup::default()).unwrap()),
        secrets,
    )
}

#[test]
fn nfsn_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, API_KEY);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn nfsn_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, API_KEY);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn nfsn_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "not-the-nfsn-api-key";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

/// The zone is the first parent whose `minTTL` the API answers, longest first, whatever
/// refusal the others get; a name outside every domain is refused after its last parent.
#[test]
fn nfsn_finds_the_zone_by_asking_each_parent() {
    for status in [404, 403] {
        let (fake, state) = start();
        state.lock().unwrap().unknown_status = status;
        let (p, _s) = provider(&fake, API_KEY);
        let name = Name::from_str("a.b.example.test.").unwrap();
        assert_eq!(block(DynProvider::find_zone(&p, &name)).unwrap(), zone());
        let asked: Vec<String> = fake
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert_eq!(
            asked,
            [
                "GET /dns/a.b.example.test/minTTL",
                "GET /dns/b.example.test/minTTL",
                "GET /dns/example.test/minTTL",
            ]
        );
        fake.clear();
        let other = Name::from_str("www.other.test.").unwrap();
        let err = block(DynProvider::find_zone(&p, &other)).unwrap_err();
        match status {
            404 => assert!(matches!(err, ProviderError::Refused(_)), "{err}"),
            _ => assert!(matches!(err, ProviderError::Auth(_)), "{err}"),
        }
        assert_eq!(fake.requests().len(), 2, "www.other.test, other.test");
        fake.assert_clean();
    }
}

/// One value over an RRset of several is one `replaceRR` (after the read); the apex is the
/// empty name.
#[test]
fn nfsn_one_value_is_one_replace() {
    let (fake, state) = start();
    state.lock().unwrap().store.set(
        "example.test",
        "A",
        300,
        &["192.0.2.10".into(), "192.0.2.11".into()],
    );
    let (p, _s) = provider(&fake, API_KEY);
    let k = key("example.test.", RecordType::A);
    let held = [v("192.0.2.10"), v("192.0.2.11")];
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &held,
            &[v("192.0.2.12")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    let calls: Vec<(String, Vec<(String, String)>)> = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| (r.path.clone(), r.form()))
        .collect();
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(
        calls,
        [
            (
                "/dns/example.test/listRRs".to_string(),
                vec![pair("name", ""), pair("type", "A")]
            ),
            (
                "/dns/example.test/replaceRR".to_string(),
                vec![
                    pair("name", ""),
                    pair("type", "A"),
                    pair("data", "192.0.2.12"),
                    pair("ttl", "300")
                ]
            ),
        ]
    );
    let s = state.lock().unwrap();
    let now = s.store.find("example.test", "A");
    assert_eq!(now.len(), 1);
    assert_eq!((now[0].content.as_str(), now[0].ttl), ("192.0.2.12", 300));
    assert_eq!(
        s.store.find("www.example.test", "A").len(),
        1,
        "www untouched"
    );
    drop(s);
    fake.assert_clean();
}

/// A domain whose `minTTL` is above the TTL asked for gets its `minTTL`, and holding it is
/// not a change: nothing is written again.
#[test]
fn nfsn_respects_the_domains_min_ttl() {
    let (fake, state) = start();
    state.lock().unwrap().min_ttl = 180;
    let (p, _s) = provider(&fake, API_KEY);
    let k = key("home.example.test.", RecordType::AAAA);
    assert_eq!(block(DynProvider::find_zone(&p, &k.name)).unwrap(), zone());
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("2001:db8::7")],
            30
        ))
        .unwrap(),
        Applied::Done
    );
    let set = block(DynProvider::read(&p, &zone(), &k)).unwrap();
    assert_eq!(set.ttl, Some(180));
    fake.clear();
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("2001:db8::7")],
            &[v("2001:db8::7")],
            120
        ))
        .unwrap(),
        Applied::Done
    );
    let paths: Vec<String> = fake.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/dns/example.test/listRRs"], "no write");
    fake.assert_clean();
}

/// Several values: missing ones added, then extra ones removed, each one call; never a moment
/// without a value that stays.
#[test]
fn nfsn_several_values_add_then_remove() {
    let (fake, state) = start();
    state.lock().unwrap().store.set(
        "multi.example.test",
        "A",
        60,
        &["192.0.2.1".into(), "192.0.2.2".into()],
    );
    let (p, _s) = provider(&fake, API_KEY);
    let k = key("multi.example.test.", RecordType::A);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("192.0.2.1"), v("192.0.2.2")],
            &[v("192.0.2.2"), v("192.0.2.3")],
            60
        ))
        .unwrap(),
        Applied::Done
    );
    let calls: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| {
            let data = r
                .form()
                .into_iter()
                .find(|(k, _)| k == "data")
                .map(|(_, v)| v)
                .unwrap_or_default();
            format!("{} {data}", r.path.rsplit('/').next().unwrap())
        })
        .collect();
    assert_eq!(calls, ["listRRs ", "addRR 192.0.2.3", "removeRR 192.0.2.1"]);
    let mut held: Vec<String> = state
        .lock()
        .unwrap()
        .store
        .find("multi.example.test", "A")
        .iter()
        .map(|r| r.content.clone())
        .collect();
    held.sort();
    assert_eq!(held, ["192.0.2.2", "192.0.2.3"]);
    fake.assert_clean();
}
