//! Google Cloud DNS against a fake that checks every request against the documentation: the
//! token grant of <https://developers.google.com/identity/protocols/oauth2/service-account>
//! (form `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, an RS256 JWT whose
//! signature the fake verifies with the test key's public half, its `iss`, `scope`, `aud`,
//! `iat`/`exp`), `Authorization: Bearer` with the token it issued, and the Cloud DNS v1
//! reference: `managedZones` (paged by `nextPageToken`, a private zone to skip),
//! `resourceRecordSets.list` (`name`, `type`), `changes.create` applied atomically: a
//! deletion that does not match the stored RRset exactly fails the whole change with 412
//! `conditionNotMet`, an addition of an existing RRset with 409 `alreadyExists`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use dnsup::provider::build::Setup;
use dnsup::provider::gcloud::{self, GoogleCloudDns};
use dnsup::provider::sign;
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const EMAIL: &str = "dnsup@example-project.iam.gserviceaccount.com";
const PROJECT: &str = "example-project";
const TOKEN: &str = "ya29.fake-access-token";
/// The test key's public half (RSAPublicKey, DER, base64), from
/// `openssl rsa -in gcloud-test-key.pem -RSAPublicKey_out -outform DER`.
const PUBLIC: &str = "MIIBCgKCAQEA2CoviOrKTbD1/CBA46qJbeYQnCHQDZUT/SM8bfzPPDJggPYfSPO3eEcdddNZYvF4qr7XteoUVUnUMcdsSN97YZakAEtp6/teL6zJa70QwAz7yMJgC/oPaWIRUMq0FA6A6oqP8bxaUYwjnibht6d8uwq+9OSD+4kmDUHfn/RwDJqUggfJKFkwJ+PEgoZ/jBAzQtg7v0I0iNp2nUtpTvzfS+c0UDZkQ/pJ+T0jzXN23KnHQn6HKZ3wcBpuv+O4rBf5F1UlGo7lLUG2VCxc7FwXXhfmKVp63TIL3GK5H20HW74V8Fq7vnTiKTwHszSVCy3tiC6cREMFaHfDh4Isvjz+fQIDAQAB";

pub struct State {
    store: Store,
    base: String,
    grants: usize,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn google_error(status: u16, reason: &str, msg: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"error": {"code": status, "message": msg, "errors": [{"domain": "global", "reason": reason, "message": msg}]}}),
    )
}

fn b64(part: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| format!("JWT part {part:?} is not base64url without padding"))
}

/// The token endpoint: the grant checked, the JWT verified.
fn grant(s: &mut State, r: &FakeRequest) -> Result<FakeResponse, String> {
    if !r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        return Err("the token request is a form".into());
    }
    let form = r.form();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return Err(format!("grant_type {:?}", get("grant_type")));
    }
    let jwt = get("assertion").ok_or("no assertion")?;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, sig] = parts[..] else {
        return Err("the assertion is not header.claims.signature".into());
    };
    let header: Value = serde_json::from_slice(&b64(h)?).map_err(|e| e.to_string())?;
    if header != json!({"alg": "RS256", "typ": "JWT"}) {
        return Err(format!("JWT header {header}"));
    }
    let claims: Value = serde_json::from_slice(&b64(c)?).map_err(|e| e.to_string())?;
    if claims["iss"] != EMAIL
        || claims["scope"] != sign::GOOGLE_DNS_SCOPE
        || claims["aud"] != format!("{}/token", s.base)
    {
        return Err(format!("JWT claims {claims}"));
    }
    let (iat, exp) = (
        claims["iat"].as_u64().ok_or("iat")?,
        claims["exp"].as_u64().ok_or("exp")?,
    );
    if iat.abs_diff(now()) > 300 || exp != iat + 3600 {
        return Err(format!("iat {iat} / exp {exp}"));
    }
    let public = base64::engine::general_purpose::STANDARD
        .decode(PUBLIC)
        .unwrap();
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        public,
    );
    if key
        .verify(format!("{h}.{c}").as_bytes(), &b64(sig)?)
        .is_err()
    {
        return Ok(FakeResponse::json(
            400,
            json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}),
        ));
    }
    s.grants += 1;
    Ok(FakeResponse::json(
        200,
        json!({"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"}),
    ))
}

fn rrset_json(st: &Store, name: &str, rtype: &str) -> Option<Value> {
    let found = st.find(name, rtype);
    let first = found.first()?;
    Some(json!({
        "kind": "dns#resourceRecordSet", "name": format!("{name}."), "type": rtype,
        "ttl": first.ttl, "rrdatas": found.iter().map(|x| x.content.clone()).collect::<Vec<_>>()
    }))
}

/// One RRset of a change: (name without the dot, type, ttl, sorted rrdatas).
type ChangeSet = (String, String, u32, Vec<String>);

fn change_set(v: &Value, zone: &str) -> Result<ChangeSet, String> {
    let name = v["name"].as_str().ok_or("name")?;
    let name = name
        .strip_suffix('.')
        .ok_or(format!("name {name} must be absolute"))?;
    if name != zone && !name.ends_with(&format!(".{zone}")) {
        return Err(format!("{name} outside {zone}"));
    }
    let ty = v["type"].as_str().ok_or("type")?.to_string();
    let ttl = v["ttl"]
        .as_u64()
        .and_then(|t| u32::try_from(t).ok())
        .ok_or("ttl")?;
    let mut datas: Vec<String> = v["rrdatas"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or("rrdatas must be a non-empty list")?
        .iter()
        .map(|x| x.as_str().map(str::to_string).ok_or("rrdata"))
        .collect::<Result<_, _>>()?;
    for d in &datas {
        parse_value(ty.parse::<RecordType>().map_err(|_| "type")?, d);
    }
    datas.sort();
    Ok((name.to_string(), ty, ttl, datas))
}

fn handle(state: &Arc<Mutex<State>>, r: &FakeRequest) -> Result<FakeResponse, String> {
    let mut guard = state.lock().unwrap();
    let s = &mut *guard;
    r.expect_user_agent()?;
    if r.path == "/token" && r.method == "POST" {
        return grant(s, r);
    }
    match r.header("authorization") {
        Some(a) if a == format!("Bearer {TOKEN}") => {}
        Some(a) if a.starts_with("Bearer ") => {
            return Ok(google_error(401, "authError", "Invalid Credentials"));
        }
        other => {
            return Err(format!(
                "Authorization must be a Bearer token, got {other:?}"
            ));
        }
    }
    let parts = r.parts(&format!("/dns/v1/projects/{PROJECT}/managedZones"))?;
    let zone = s.store.zone.clone();
    match (r.method.as_str(), &parts[..]) {
        ("GET", [""]) => {
            // Two pages: a private zone and another public one, then the zone.
            Ok(FakeResponse::json(
                200,
                match r.param("pageToken") {
                    None => json!({"managedZones": [
                        {"kind": "dns#managedZone", "name": "corp", "dnsName": format!("{zone}."), "visibility": "private"},
                        {"kind": "dns#managedZone", "name": "other-zone", "dnsName": "other.test.", "visibility": "public"}
                    ], "nextPageToken": "page-2"}),
                    Some("page-2") => json!({"managedZones": [
                        {"kind": "dns#managedZone", "name": "example-zone", "dnsName": format!("{zone}."), "visibility": "public"}
                    ]}),
                    Some(t) => return Err(format!("pageToken {t} was never given")),
                },
            ))
        }
        (m, ["", z, rest @ ..]) => {
            if *z != "example-zone" {
                return Ok(google_error(
                    404,
                    "notFound",
                    "The 'parameters.managedZone' resource named 'x' does not exist.",
                ));
            }
            match (m, rest) {
                ("GET", ["rrsets"]) => {
                    let name = r.param("name").ok_or("dnsup filters by name")?;
                    let name = name.strip_suffix('.').ok_or("name must be absolute")?;
                    let ty = r.param("type").ok_or("dnsup filters by type")?;
                    let list: Vec<Value> = rrset_json(&s.store, name, ty).into_iter().collect();
                    // Someone else changes race.* right after it is read.
                    if name.starts_with("race.") {
                        s.store.set(name, ty, 77, &["198.51.100.77".to_string()]);
                    }
                    Ok(FakeResponse::json(
                        200,
                        json!({"kind": "dns#resourceRecordSetsListResponse", "rrsets": list}),
                    ))
                }
                ("POST", ["changes"]) => {
                    let b = r.json()?;
                    let list = |k: &str| -> Result<Vec<ChangeSet>, String> {
                        b[k].as_array()
                            .map(Vec::as_slice)
                            .unwrap_or_default()
                            .iter()
                            .map(|v| change_set(v, &zone))
                            .collect()
                    };
                    let (adds, dels) = (list("additions")?, list("deletions")?);
                    if adds.is_empty() && dels.is_empty() {
                        return Err("an empty change".into());
                    }
                    for (i, (n, t, ttl, datas)) in dels.iter().enumerate() {
                        let found = s.store.find(n, t);
                        let mut have: Vec<String> =
                            found.iter().map(|x| x.content.clone()).collect();
                        have.sort();
                        if found.first().map(|x| x.ttl) != Some(*ttl) || &have != datas {
                            return Ok(google_error(
                                412,
                                "conditionNotMet",
                                &format!("Precondition not met for 'entity.change.deletions[{i}]'"),
                            ));
                        }
                    }
                    for (i, (n, t, _, _)) in adds.iter().enumerate() {
                        let deleted = dels.iter().any(|(dn, dt, _, _)| dn == n && dt == t);
                        if !deleted && !s.store.find(n, t).is_empty() {
                            return Ok(google_error(
                                409,
                                "alreadyExists",
                                &format!(
                                    "The resource 'entity.change.additions[{i}]' already exists"
                                ),
                            ));
                        }
                    }
                    for (n, t, _, _) in &dels {
                        s.store.remove_set(n, t);
                    }
                    for (n, t, ttl, datas) in &adds {
                        s.store.set(n, t, *ttl, datas);
                    }
                    Ok(FakeResponse::json(
                        200,
                        json!({"kind": "dns#change", "id": "7", "status": "pending", "additions": b["additions"], "deletions": b["deletions"]}),
                    ))
                }
                _ => Err(format!("{} {} is not a documented call", r.method, r.path)),
            }
        }
        _ => Err(format!("{} {} is not a documented call", r.method, r.path)),
    }
}

fn setup(pem: &str) -> (Fake, Arc<Mutex<State>>, GoogleCloudDns, Secrets) {
    let state = State {
        store: Store::new("example.test"),
        base: String::new(),
        grants: 0,
    };
    let (fake, state) = serve(state, handle);
    state.lock().unwrap().base = fake.url.clone();
    let key = json!({
        "type": "service_account", "project_id": PROJECT, "private_key_id": "k1",
        "private_key": pem, "client_email": EMAIL, "client_id": "1",
        "token_uri": format!("{}/token", fake.url),
    });
    let secrets = Secrets::new();
    let config: gcloud::Config = config(&format!(
        "service_account_key = {}\n{}",
        secrets.file("key.json", &key.to_string()),
        http_table(&fake, "/dns/v1")
    ));
    let p = GoogleCloudDns::new(&config, &mut Setup::default()).unwrap();
    (fake, state, p, secrets)
}

const KEY: &str = include_str!("gcloud-test-key.pem");
const WRONG_KEY: &str = include_str!("gcloud-wrong-key.pem");

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn store(s: &State) -> &Store {
    &s.store
}

#[test]
fn gcloud_passes_the_suite() {
    let (fake, state, p, _s) = setup(KEY);
    store_passes_the_suite(&p, zone(), &state, store, &fake);
    // One grant for the whole suite: the token is kept.
    assert_eq!(state.lock().unwrap().grants, 1);
}

#[test]
fn gcloud_honours_rate_limits() {
    let (fake, state, p, _s) = setup(KEY);
    store_honours_rate_limits(&p, zone(), &state, store, &fake);
}

#[test]
fn gcloud_bad_credentials() {
    let (fake, _state, p, _s) = setup(WRONG_KEY);
    // The private key's base64 body must not show either.
    let body_line = WRONG_KEY.lines().nth(1).unwrap();
    refuses_bad_credentials(&p, &zone(), body_line, &fake);
}

#[test]
fn gcloud_change_is_guarded_by_the_server() {
    let (fake, state, p, _s) = setup(KEY);
    let k = key("race.example.test.", RecordType::A);
    state
        .lock()
        .unwrap()
        .store
        .set("race.example.test", "A", 300, &["192.0.2.1".to_string()]);
    // Read 192.0.2.1; changed to 198.51.100.77 right after; the exact deletion fails: nothing
    // is written and the outcome is a conflict, not an error.
    let out = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.1")],
        &[v("192.0.2.9")],
        300,
    ))
    .unwrap();
    assert!(matches!(out, Applied::Conflict(_)), "{out:?}");
    let st = state.lock().unwrap();
    let now: Vec<_> = st
        .store
        .find("race.example.test", "A")
        .iter()
        .map(|x| x.content.clone())
        .collect();
    assert_eq!(now, ["198.51.100.77"]);
    drop(st);
    // An address change is one POST holding the old RRset's deletion and the new addition.
    let k = key("one.example.test.", RecordType::A);
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[],
        &[v("192.0.2.1")],
        300,
    ))
    .unwrap();
    fake.clear();
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.1")],
        &[v("192.0.2.2")],
        300,
    ))
    .unwrap();
    let posts: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    let b = posts[0].json().unwrap();
    assert_eq!(b["deletions"][0]["rrdatas"], json!(["192.0.2.1"]));
    assert_eq!(b["additions"][0]["rrdatas"], json!(["192.0.2.2"]));
    fake.inject(google_error(
        403,
        "forbidden",
        "The caller does not have permission",
    ));
    let e = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(matches!(e, ProviderError::Auth(m) if m.contains("forbidden")));
    fake.assert_clean();
}
