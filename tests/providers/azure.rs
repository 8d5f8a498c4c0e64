//! Azure DNS against a fake that checks every request against the documentation: the
//! client-credentials grant of the Microsoft identity platform (a form `POST
//! /{tenant}/oauth2/v2.0/token` with `client_id`, `scope=https://management.azure.com/.default`,
//! `client_secret`, `grant_type=client_credentials`; a wrong secret is 401 `invalid_client`),
//! `Authorization: Bearer` with the token it issued and `api-version=2018-05-01` on every
//! Resource Manager call, the resource group's zones paged by `nextLink`, and record sets at
//! `.../dnsZones/{zone}/{TYPE}/{relative}` with their ETags honoured: `PUT` needs `If-Match`
//! with the current ETag (or `If-None-Match: *` for a new record set) and `DELETE` `If-Match`,
//! else 412 `PreconditionFailed`; bodies `{"properties": {"TTL", "ARecords" | "AAAARecords" |
//! "CNAMERecord" | "TXTRecords"}}`; errors `{"error": {"code", "message"}}`.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::azure::{self, Azure};
use dnsup::provider::build::Setup;
use dnsup::provider::per_rrset::PerRrset;
use dnsup::provider::text::presentation;
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{Name, RData, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";
const SECRET: &str = "Qh8Q~client-secret-value.Zx9";
const SUB: &str = "11111111-2222-3333-4444-555555555555";
const GROUP: &str = "dns-rg";
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-arm-token";

pub struct State {
    store: Store,
    base: String,
    grants: usize,
    /// The ETag of each record set (name, type), changed by every write.
    etags: HashMap<(String, String), String>,
    version: u64,
    /// Page 1 of the zone listing points its `nextLink` at another host.
    foreign_next: bool,
}

type Shared = Arc<Mutex<State>>;

impl State {
    fn etag(&mut self, name: &str, rtype: &str) -> Option<String> {
        if self.store.find(name, rtype).is_empty() {
            return None;
        }
        let k = (name.to_string(), rtype.to_string());
        if !self.etags.contains_key(&k) {
            self.version += 1;
            let e = format!("7f3c1a52-0000-4000-8000-{:012x}", self.version);
            self.etags.insert(k.clone(), e);
        }
        self.etags.get(&k).cloned()
    }

    fn changed(&mut self, name: &str, rtype: &str) {
        self.etags.remove(&(name.to_string(), rtype.to_string()));
    }
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn arm_error(status: u16, code: &str, message: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"error": {"code": code, "message": message}}))
}

/// The token endpoint: the documented form, the client and its secret.
fn grant(s: &mut State, r: &FakeRequest) -> Result<FakeResponse, String> {
    if !r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        return Err("the token request is a form".into());
    }
    let form = r.form();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    for k in form.iter().map(|(k, _)| k.as_str()) {
        if !["client_id", "scope", "client_secret", "grant_type"].contains(&k) {
            return Err(format!("undocumented token parameter {k}"));
        }
    }
    if get("grant_type") != Some("client_credentials") {
        return Err(format!("grant_type {:?}", get("grant_type")));
    }
    if get("scope") != Some(azure::SCOPE) {
        return Err(format!("scope {:?}", get("scope")));
    }
    if get("client_id") != Some(CLIENT) {
        return Err(format!("client_id {:?}", get("client_id")));
    }
    let secret = get("client_secret").ok_or("no client_secret")?;
    if secret != SECRET {
        // The description echoes what was sent, so the test sees that dnsup scrubs it.
        return Ok(FakeResponse::json(
            401,
            json!({"error": "invalid_client", "error_description": format!("AADSTS7000215: Invalid client secret provided ('{secret}'). Ensure the secret being sent in the request is the client secret value."), "error_codes": [7000215]}),
        ));
    }
    s.grants += 1;
    Ok(FakeResponse::json(
        200,
        json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": TOKEN}),
    ))
}

/// The values of a `PUT` body for `rtype`, in presentation format, and its TTL.
fn put_values(b: &Value, rtype: &str) -> Result<(u32, Vec<String>), String> {
    let top: Vec<&String> = b.as_object().ok_or("an object")?.keys().collect();
    if top != ["properties"] {
        return Err(format!(
            "a record set body holds properties only, got {top:?}"
        ));
    }
    let p = b["properties"]
        .as_object()
        .ok_or("properties is an object")?;
    let field = match rtype {
        "A" => "ARecords",
        "AAAA" => "AAAARecords",
        "CNAME" => "CNAMERecord",
        "TXT" => "TXTRecords",
        _ => return Err(format!("dnsup does not write {rtype}")),
    };
    for k in p.keys() {
        if k != "TTL" && k != field {
            return Err(format!("unexpected property {k} for {rtype}"));
        }
    }
    let ttl = p
        .get("TTL")
        .and_then(Value::as_u64)
        .ok_or("properties.TTL is a number")? as u32;
    let z = zone();
    let mut out = Vec::new();
    let items: Vec<Value> = match p.get(field) {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) if rtype == "CNAME" => vec![o.clone()],
        other => return Err(format!("{field} has the wrong shape: {other:?}")),
    };
    for item in &items {
        let value = match rtype {
            "A" => item["ipv4Address"]
                .as_str()
                .ok_or("ipv4Address")?
                .to_string(),
            "AAAA" => item["ipv6Address"]
                .as_str()
                .ok_or("ipv6Address")?
                .to_string(),
            "CNAME" => {
                let c = item["cname"].as_str().ok_or("cname")?;
                if c.ends_with('.') {
                    return Err(format!(
                        "cname {c:?}: the documentation writes it without the final dot"
                    ));
                }
                format!("{c}.")
            }
            _ => {
                let strings: Vec<String> = item["value"]
                    .as_array()
                    .ok_or("TXT value is an array")?
                    .iter()
                    .map(|s| s.as_str().map(str::to_string).ok_or("TXT strings"))
                    .collect::<Result<_, _>>()?;
                if strings.is_empty() || strings.iter().any(|s| s.len() > 255) {
                    return Err(format!("TXT strings {strings:?}"));
                }
                presentation(&RData::TXT(TXT::new(strings)))
            }
        };
        let rt = RecordType::from_str(rtype).unwrap();
        dnsup::update::parse_rdata(rt, &value, &z).map_err(|e| format!("{value:?}: {e}"))?;
        out.push(value);
    }
    if out.is_empty() {
        return Err("dnsup deletes a record set rather than emptying it".into());
    }
    Ok((ttl, out))
}

fn record_set_json(s: &mut State, fqdn: &str, rel: &str, rtype: &str) -> Option<Value> {
    let etag = s.etag(fqdn, rtype)?;
    let found = s.store.find(fqdn, rtype);
    let ttl = found[0].ttl;
    let rt = RecordType::from_str(rtype).unwrap();
    let values: Vec<RData> = found.iter().map(|x| parse_value(rt, &x.content)).collect();
    let mut props = json!({"TTL": ttl, "fqdn": format!("{fqdn}."), "provisioningState": "Succeeded", "metadata": {}});
    let list = |f: &dyn Fn(&RData) -> Value| Value::Array(values.iter().map(f).collect());
    match rtype {
        "A" => props["ARecords"] = list(&|v| json!({"ipv4Address": v.to_string()})),
        "AAAA" => props["AAAARecords"] = list(&|v| json!({"ipv6Address": v.to_string()})),
        "CNAME" => {
            props["CNAMERecord"] = json!({"cname": values[0].to_string().trim_end_matches('.')})
        }
        "TXT" => {
            props["TXTRecords"] = list(&|v| match v {
                RData::TXT(t) => {
                    json!({"value": t.txt_data.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect::<Vec<_>>()})
                }
                _ => Value::Null,
            })
        }
        "MX" => {
            props["MXRecords"] = list(&|v| {
                let t = v.to_string();
                let (p, e) = t.split_once(' ').unwrap();
                json!({"preference": p.parse::<u32>().unwrap(), "exchange": e.trim_end_matches('.')})
            })
        }
        "NS" => props["NSRecords"] = list(&|v| json!({"nsdname": v.to_string()})),
        _ => {}
    }
    Some(json!({
        "id": format!("/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Network/dnszones/example.test/{rtype}/{rel}"),
        "name": rel, "type": format!("Microsoft.Network/dnszones/{rtype}"), "etag": etag,
        "properties": props,
    }))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    let mut guard = state.lock().unwrap();
    let s = &mut *guard;
    r.expect_user_agent()?;
    if r.method == "POST" && r.path == format!("/{TENANT}/oauth2/v2.0/token") {
        return grant(s, r);
    }
    match r.header("authorization") {
        Some(a) if a == format!("Bearer {TOKEN}") => {}
        Some(a) if a.starts_with("Bearer ") => {
            return Ok(arm_error(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid.",
            ));
        }
        other => {
            return Err(format!(
                "Authorization must be a Bearer token, got {other:?}"
            ));
        }
    }
    if r.param("api-version") != Some("2018-05-01") {
        return Err(format!("api-version {:?}", r.param("api-version")));
    }
    let parts = r.parts(&format!(
        "/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Network/dnsZones"
    ))?;
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", [""]) => {
            let list = format!(
                "{}/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Network/dnsZones",
                s.base
            );
            let zone = |name: &str, kind: &str| json!({"id": format!("/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Network/dnsZones/{name}"), "etag": "00000000-0000-0000-0000-000000000000", "location": "global", "name": name, "type": "Microsoft.Network/dnsZones", "properties": {"maxNumberOfRecordSets": 10000, "numberOfRecordSets": 4, "nameServers": ["ns1-01.azure-dns.com."], "zoneType": kind}});
            Ok(FakeResponse::json(
                200,
                match r.param("$skipToken") {
                    None => {
                        let next = if s.foreign_next {
                            "https://attacker.invalid/next?api-version=2018-05-01&$skipToken=p2"
                                .to_string()
                        } else {
                            format!("{list}?api-version=2018-05-01&$skipToken=p2")
                        };
                        json!({"value": [zone("other.test", "Public"), zone("test", "Private")], "nextLink": next})
                    }
                    Some("p2") => json!({"value": [zone("example.test", "Public")]}),
                    Some(t) => return Err(format!("$skipToken {t} was never given")),
                },
            ))
        }
        (m, ["", z, rtype, rel]) => {
            if *z != "example.test" {
                return Ok(arm_error(
                    404,
                    "ResourceNotFound",
                    &format!(
                        "The Resource 'Microsoft.Network/dnszones/{z}' under resource group '{GROUP}' was not found."
                    ),
                ));
            }
            if rel.is_empty() || rel.ends_with('.') || rel.contains("example.test") {
                return Err(format!("{rel:?} is not a name relative to the zone"));
            }
            let fqdn = if *rel == "@" {
                "example.test".to_string()
            } else {
                format!("{rel}.example.test")
            };
            let current = s.etag(&fqdn, rtype);
            match m {
                "GET" => {
                    let Some(body) = record_set_json(s, &fqdn, rel, rtype) else {
                        // Someone else creates new-race.* right after it is read as absent.
                        if rel.starts_with("new-race") {
                            s.store
                                .set(&fqdn, rtype, 77, &["198.51.100.78".to_string()]);
                        }
                        return Ok(arm_error(
                            404,
                            "NotFound",
                            &format!(
                                "The resource record '{rel}' does not exist in resource group '{GROUP}' of subscription '{SUB}'."
                            ),
                        ));
                    };
                    // Someone else changes race.* right after it is read.
                    if rel.starts_with("race") {
                        s.store
                            .set(&fqdn, rtype, 77, &["198.51.100.77".to_string()]);
                        s.changed(&fqdn, rtype);
                    }
                    Ok(FakeResponse::json(200, body))
                }
                "PUT" => {
                    let (ttl, values) = put_values(&r.json()?, rtype)?;
                    match (r.header("if-match"), r.header("if-none-match")) {
                        (Some(_), Some(_)) => return Err("both If-Match and If-None-Match".into()),
                        (None, None) => {
                            return Err(
                                "a PUT without If-Match or If-None-Match overwrites blindly".into(),
                            );
                        }
                        (Some(tag), None) if current.as_deref() != Some(tag) => {
                            return Ok(arm_error(
                                412,
                                "PreconditionFailed",
                                &format!(
                                    "The condition '{tag}' in the If-Match header was not satisfied. The current was '{}'.",
                                    current.unwrap_or_default()
                                ),
                            ));
                        }
                        (None, Some(star)) if star != "*" => {
                            return Err(format!("If-None-Match {star:?}: only '*' is documented"));
                        }
                        (None, Some(_)) if current.is_some() => {
                            return Ok(arm_error(
                                412,
                                "PreconditionFailed",
                                "The If-None-Match header was '*' but the record set exists.",
                            ));
                        }
                        _ => {}
                    }
                    let status = if current.is_some() { 200 } else { 201 };
                    s.store.set(&fqdn, rtype, ttl, &values);
                    s.changed(&fqdn, rtype);
                    let body = record_set_json(s, &fqdn, rel, rtype).unwrap();
                    Ok(FakeResponse::json(status, body))
                }
                "DELETE" => {
                    let tag = r.header("if-match").ok_or("dnsup deletes with If-Match")?;
                    let Some(cur) = current else {
                        return Ok(FakeResponse::empty(204));
                    };
                    if cur != tag {
                        return Ok(arm_error(
                            412,
                            "PreconditionFailed",
                            &format!(
                                "The condition '{tag}' in the If-Match header was not satisfied."
                            ),
                        ));
                    }
                    s.store.remove_set(&fqdn, rtype);
                    s.changed(&fqdn, rtype);
                    Ok(FakeResponse::empty(200))
                }
                _ => Err(format!("{m} on a record set is not documented")),
            }
        }
        _ => Err(format!("{} {} is not a documented call", r.method, r.path)),
    }
}

fn setup(secret: &str) -> (Fake, Shared, PerRrset<Azure>, Secrets) {
    let (fake, state) = serve(
        State {
            store: Store::new("example.test"),
            base: String::new(),
            grants: 0,
            etags: HashMap::new(),
            version: 0,
            foreign_next: false,
        },
        handle,
    );
    state.lock().unwrap().base = fake.url.clone();
    let secrets = Secrets::new();
    let config: azure::Config = config(&format!(
        "tenant_id = {TENANT:?}\nclient_id = {CLIENT:?}\nclient_secret = {}\nsubscription_id = {SUB:?}\nresource_group = {GROUP:?}\nauthority = {:?}\n{}",
        secrets.file("azure.secret", secret),
        fake.url,
        http_table(&fake, "")
    ));
    let p = PerRrset(Azure::new(&config, &mut Setup::default()).unwrap());
    (fake, state, p, secrets)
}

fn store(s: &State) -> &Store {
    &s.store
}

fn values_of(state: &Shared, name: &str, rtype: &str) -> Vec<String> {
    state
        .lock()
        .unwrap()
        .store
        .find(name, rtype)
        .iter()
        .map(|x| x.content.clone())
        .collect()
}

#[test]
fn azure_passes_the_suite() {
    let (fake, state, p, _s) = setup(SECRET);
    store_passes_the_suite(&p, zone(), &state, store, &fake);
    // One grant for the whole suite: the token is kept.
    assert_eq!(state.lock().unwrap().grants, 1);
    // Both pages of zones were read.
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.param("$skipToken") == Some("p2"))
    );
}

#[test]
fn azure_honours_rate_limits() {
    let (fake, state, p, _s) = setup(SECRET);
    store_honours_rate_limits(&p, zone(), &state, store, &fake);
}

#[test]
fn azure_bad_credentials() {
    let (fake, _state, p, _s) = setup("Wr0ng~secret-value-never-shown");
    refuses_bad_credentials(&p, &zone(), "Wr0ng~secret-value-never-shown", &fake);
}

#[test]
fn azure_writes_are_guarded_by_the_etag() {
    let (fake, state, p, _s) = setup(SECRET);
    let z = zone();
    // Read 192.0.2.1; changed to 198.51.100.77 right after (a new ETag): the PUT's If-Match
    // fails with 412, nothing is written, and the outcome is a conflict, not an error.
    state
        .lock()
        .unwrap()
        .store
        .set("race.example.test", "A", 300, &["192.0.2.1".to_string()]);
    let k = key("race.example.test.", RecordType::A);
    let out = block(DynProvider::replace(
        &p,
        &z,
        &k,
        &[v("192.0.2.1")],
        &[v("192.0.2.9")],
        300,
    ))
    .unwrap();
    assert!(
        matches!(out, Applied::Conflict(ref m) if m.contains("412")),
        "{out:?}"
    );
    assert_eq!(
        values_of(&state, "race.example.test", "A"),
        ["198.51.100.77"]
    );
    // The same for a delete.
    state
        .lock()
        .unwrap()
        .store
        .set("race2.example.test", "A", 300, &["192.0.2.1".to_string()]);
    let k = key("race2.example.test.", RecordType::A);
    let out = block(DynProvider::replace(
        &p,
        &z,
        &k,
        &[v("192.0.2.1")],
        &[],
        300,
    ))
    .unwrap();
    assert!(matches!(out, Applied::Conflict(_)), "{out:?}");
    assert_eq!(
        values_of(&state, "race2.example.test", "A"),
        ["198.51.100.77"]
    );
    // Created by someone else between the read (absent) and the PUT: If-None-Match: * fails.
    let k = key("new-race.example.test.", RecordType::A);
    let out = block(DynProvider::replace(
        &p,
        &z,
        &k,
        &[],
        &[v("192.0.2.9")],
        300,
    ))
    .unwrap();
    assert!(matches!(out, Applied::Conflict(_)), "{out:?}");
    assert_eq!(
        values_of(&state, "new-race.example.test", "A"),
        ["198.51.100.78"]
    );

    // An address change is one GET and one PUT carrying the ETag that GET gave.
    let k = key("one.example.test.", RecordType::A);
    block(DynProvider::replace(
        &p,
        &z,
        &k,
        &[],
        &[v("192.0.2.1")],
        300,
    ))
    .unwrap();
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
    let reqs = fake.requests();
    let methods: Vec<&str> = reqs.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["GET", "PUT"]);
    assert!(
        reqs[1]
            .header("if-match")
            .is_some_and(|t| t.starts_with("7f3c1a52-"))
    );
    assert_eq!(
        reqs[1].json().unwrap()["properties"]["ARecords"],
        json!([{"ipv4Address": "192.0.2.2"}])
    );
    fake.assert_clean();
}

#[test]
fn azure_follows_next_link_only_to_its_endpoint() {
    let (fake, state, p, _s) = setup(SECRET);
    state.lock().unwrap().foreign_next = true;
    let e = block(DynProvider::find_zone(
        &p,
        &Name::from_str("www.example.test.").unwrap(),
    ))
    .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Protocol(m) if m.contains("nextLink")),
        "{e}"
    );
    // The token never went to the other host: every request reached the fake.
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.param("$skipToken").is_none())
    );
    fake.assert_clean();
}

#[test]
fn azure_token_is_renewed_after_a_401() {
    let (fake, state, p, _s) = setup(SECRET);
    let k = key("www.example.test.", RecordType::A);
    block(DynProvider::read(&p, &zone(), &k)).unwrap();
    fake.inject(arm_error(
        401,
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time is earlier than current UTC time.",
    ));
    let e = block(DynProvider::read(&p, &zone(), &k)).unwrap_err();
    assert!(
        matches!(&e, ProviderError::Auth(m) if m.contains("ExpiredAuthenticationToken")),
        "{e}"
    );
    block(DynProvider::read(&p, &zone(), &k)).unwrap();
    assert_eq!(state.lock().unwrap().grants, 2);
    fake.assert_clean();
}

/// The Azure half of [`providers_log_no_secret`]: a refused secret, then a write and a delete.
fn azure_log_flows() {
    let wrong = "Wr0ng~another-secret-value";
    let (_fake, _state, p, _s) = setup(wrong);
    let k = key("log.example.test.", RecordType::A);
    assert!(block(DynProvider::read(&p, &zone(), &k)).is_err());
    let (_fake, _state, p, _s) = setup(SECRET);
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

/// No secret, key line or token reaches the logs, down to TRACE (reqwest's and hyper's too).
/// The flows run in a child process of this test binary that runs only this test, with a
/// global subscriber: a scoped one misses events when other tests run alongside.
#[test]
fn providers_log_no_secret() {
    if std::env::var_os("DNSUP_LOG_PROBE").is_some() {
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(std::io::stderr)
            .init();
        azure_log_flows();
        super::transip::log_flows();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "azure::providers_log_no_secret",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DNSUP_LOG_PROBE", "1")
        .output()
        .unwrap();
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{logs}");
    assert!(
        logs.contains("dnsZones") && logs.contains("/v6/auth"),
        "the requests are logged:\n{logs}"
    );
    let mut secrets = vec![
        SECRET.to_string(),
        "Wr0ng~another-secret-value".into(),
        TOKEN.into(),
    ];
    secrets.extend(super::transip::log_secrets());
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "{secret} in the logs:\n{logs}"
        );
    }
}
