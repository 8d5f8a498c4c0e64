//! deSEC against a fake that checks every request against
//! <https://desec.readthedocs.io/en/latest/dns/rrsets.html> and `.../dns/domains.html`: the
//! `Authorization: Token` scheme, trailing slashes, `@` for the apex in URLs and `""` in bodies,
//! `cursor=` pagination with a `Link` header, POST/PATCH/DELETE shapes, the domain's
//! `minimum_ttl`, quoted TXT, and the documented error bodies.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::desec::{Config, Desec};
use dnsup::provider::{Applied, DynProvider, ProviderError, RrsetKey};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse, Handler};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const TOKEN: &str = "desec-token-3f9a1c";
const PREFIX: &str = "/api/v1";

/// The account: domains in listing order with their minimum TTL; `example.test` is on page 2.
const DOMAINS: [(&str, u32); 4] = [
    ("aaa.test", 3600),
    ("min.test", 3600),
    ("example.test", 60),
    ("sub.example.test", 60),
];
const PAGE: usize = 2;

struct State {
    store: Store,
    /// Records of `min.test` (minimum TTL 3600).
    min: Store,
}

fn detail(status: u16, text: &str) -> FakeResponse {
    FakeResponse::json(status, json!({ "detail": text }))
}

fn rrset_json(domain: &str, sub: &str, rtype: &str, ttl: u32, records: &[String]) -> Value {
    let name = if sub.is_empty() {
        format!("{domain}.")
    } else {
        format!("{sub}.{domain}.")
    };
    json!({"created": "2024-01-01T00:00:00.000000Z", "domain": domain, "subname": sub,
           "name": name, "type": rtype, "records": records, "ttl": ttl,
           "touched": "2024-01-01T00:00:00.000000Z"})
}

fn handler(
    base: String,
    state: Arc<Mutex<State>>,
) -> impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send {
    move |r: &FakeRequest| {
        r.expect_user_agent()?;
        if r.header("authorization") != Some(&format!("Token {TOKEN}")) {
            if r.header("authorization")
                .is_some_and(|a| a.starts_with("Token "))
            {
                return Ok(detail(401, "Invalid token."));
            }
            return Err(format!(
                "Authorization should be 'Token <token>', got {:?}",
                r.header("authorization")
            ));
        }
        let path = r
            .path
            .strip_prefix(PREFIX)
            .ok_or_else(|| format!("path {} is not under {PREFIX}", r.path))?;
        if !path.ends_with('/') {
            return Err(format!(
                "{} {}: deSEC URLs end in a slash",
                r.method, r.path
            ));
        }
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut st = state.lock().unwrap();
        match (r.method.as_str(), parts.as_slice()) {
            ("GET", ["domains"]) => {
                let Some(cursor) = r.param("cursor") else {
                    return Ok(detail(
                        400,
                        "Pagination required. You can query up to 500 items at a time ('cursor' parameter).",
                    ));
                };
                let start: usize = if cursor.is_empty() {
                    0
                } else {
                    cursor
                        .strip_prefix("page-")
                        .and_then(|n| n.parse().ok())
                        .ok_or_else(|| format!("unknown cursor {cursor:?}"))?
                };
                let page: Vec<Value> = DOMAINS
                    .iter()
                    .skip(start)
                    .take(PAGE)
                    .map(|(n, t)| {
                        json!({"created": "2024-01-01T00:00:00Z", "name": n,
                        "minimum_ttl": t, "published": "2024-01-01T00:00:00Z",
                        "touched": "2024-01-01T00:00:00Z"})
                    })
                    .collect();
                let mut links = vec![format!("<{base}{PREFIX}/domains/?cursor=>; rel=\"first\"")];
                if start > 0 {
                    links.push(format!(
                        "<{base}{PREFIX}/domains/?cursor=page-{}>; rel=\"prev\"",
                        start - PAGE
                    ));
                }
                if start + PAGE < DOMAINS.len() {
                    links.push(format!(
                        "<{base}{PREFIX}/domains/?cursor=page-{}>; rel=\"next\"",
                        start + PAGE
                    ));
                }
                Ok(FakeResponse::json(200, Value::Array(page))
                    .with_header("Link", &links.join(", ")))
            }
            ("GET", ["domains", name]) => match DOMAINS.iter().find(|(n, _)| n == name) {
                Some((n, t)) => Ok(FakeResponse::json(
                    200,
                    json!({"name": n, "minimum_ttl": t,
                    "created": "2024-01-01T00:00:00Z", "keys": []}),
                )),
                None => Ok(detail(404, "Not found.")),
            },
            (method, ["domains", domain, "rrsets", rest @ ..]) => {
                let Some((_, min_ttl)) = DOMAINS.iter().find(|(n, _)| n == domain) else {
                    return Ok(detail(404, "Not found."));
                };
                let store = match *domain {
                    "example.test" => &mut st.store,
                    "min.test" => &mut st.min,
                    _ => return Ok(detail(404, "Not found.")),
                };
                rrsets(r, method, domain, *min_ttl, rest, store)
            }
            _ => Err(format!("{} {}: no such endpoint", r.method, r.path)),
        }
    }
}

fn check_records(rtype: &str, v: &Value) -> Result<Vec<String>, String> {
    let items = v.as_array().ok_or("records must be an array")?;
    let mut out = Vec::new();
    for item in items {
        let s = item.as_str().ok_or("records items must be strings")?;
        if rtype == "TXT" && !s.starts_with('"') {
            return Err(format!(
                "TXT contents must be enclosed in double quotes: {s:?}"
            ));
        }
        let t = dnsup::update::parse_type(rtype).map_err(|e| e.to_string())?;
        dnsup::update::parse_rdata(t, s, &Name::root()).map_err(|e| e.to_string())?;
        out.push(s.to_string());
    }
    Ok(out)
}

fn check_ttl(v: &Value, min: u32) -> Result<Result<u32, FakeResponse>, String> {
    let ttl = v.as_u64().ok_or("ttl must be an integer")? as u32;
    if ttl < min {
        return Ok(Err(FakeResponse::json(
            400,
            json!({
            "ttl": [format!("Ensure this value is greater than or equal to {min}.")]}),
        )));
    }
    Ok(Ok(ttl))
}

fn rrsets(
    r: &FakeRequest,
    method: &str,
    domain: &str,
    min_ttl: u32,
    rest: &[&str],
    store: &mut Store,
) -> Result<FakeResponse, String> {
    let full = |sub: &str| {
        if sub.is_empty() {
            domain.to_string()
        } else {
            format!("{sub}.{domain}")
        }
    };
    match (method, rest) {
        ("POST", []) => {
            let body = r.json()?;
            let obj = body
                .as_object()
                .ok_or("POST body must be one RRset object")?;
            for k in obj.keys() {
                if !["subname", "type", "ttl", "records"].contains(&k.as_str()) {
                    return Err(format!("POST: unexpected field {k}"));
                }
            }
            let sub = obj
                .get("subname")
                .map_or(Some(""), |s| s.as_str())
                .ok_or("subname must be a string")?;
            if sub == "@" {
                return Err(
                    "POST: the apex is subname \"\" in bodies (\"@\" is not accepted)".into(),
                );
            }
            let rtype = obj
                .get("type")
                .and_then(Value::as_str)
                .ok_or("type is mandatory")?;
            if rtype != rtype.to_ascii_uppercase() {
                return Err("type must be uppercase".into());
            }
            let ttl = match check_ttl(obj.get("ttl").ok_or("ttl is mandatory")?, min_ttl)? {
                Ok(t) => t,
                Err(resp) => return Ok(resp),
            };
            let records = check_records(rtype, obj.get("records").ok_or("records is mandatory")?)?;
            if records.is_empty() {
                return Err("POST with no records".into());
            }
            if !store.find(&full(sub), rtype).is_empty() {
                return Ok(FakeResponse::json(
                    400,
                    json!({"non_field_errors":
                    ["Another RRset with the same subdomain and type exists for this domain."]}),
                ));
            }
            store.set(&full(sub), rtype, ttl, &records);
            Ok(FakeResponse::json(
                201,
                rrset_json(domain, sub, rtype, ttl, &records),
            ))
        }
        (_, [sub, rtype]) => {
            if sub.is_empty() {
                return Err("empty subname in a URL: use @".into());
            }
            let sub = if *sub == "@" { "" } else { *sub };
            let name = full(sub);
            let found: Vec<(u32, String)> = store
                .find(&name, rtype)
                .iter()
                .map(|x| (x.ttl, x.content.clone()))
                .collect();
            match method {
                "GET" => {
                    if found.is_empty() {
                        return Ok(detail(404, "Not found."));
                    }
                    let records: Vec<String> = found.iter().map(|(_, c)| c.clone()).collect();
                    Ok(FakeResponse::json(
                        200,
                        rrset_json(domain, sub, rtype, found[0].0, &records),
                    ))
                }
                "DELETE" => {
                    if !r.body.is_empty() {
                        return Err("DELETE with a body".into());
                    }
                    store.remove_set(&name, rtype);
                    Ok(FakeResponse::empty(204))
                }
                "PATCH" => {
                    let body = r.json()?;
                    let obj = body.as_object().ok_or("PATCH body must be an object")?;
                    for k in obj.keys() {
                        if !["ttl", "records"].contains(&k.as_str()) {
                            return Err(format!("PATCH: only ttl and records can change, got {k}"));
                        }
                    }
                    if found.is_empty() {
                        return Ok(detail(404, "Not found."));
                    }
                    let ttl = match obj.get("ttl") {
                        None => found[0].0,
                        Some(v) => match check_ttl(v, min_ttl)? {
                            Ok(t) => t,
                            Err(resp) => return Ok(resp),
                        },
                    };
                    let records = match obj.get("records") {
                        None => found.iter().map(|(_, c)| c.clone()).collect(),
                        Some(v) => check_records(rtype, v)?,
                    };
                    if records.is_empty() {
                        store.remove_set(&name, rtype);
                        return Ok(FakeResponse::empty(204));
                    }
                    store.set(&name, rtype, ttl, &records);
                    Ok(FakeResponse::json(
                        200,
                        rrset_json(domain, sub, rtype, ttl, &records),
                    ))
                }
                other => Err(format!("{other} on an RRset")),
            }
        }
        _ => Err(format!("{} {}: no such endpoint", r.method, r.path)),
    }
}

struct Account {
    fake: Fake,
    state: Arc<Mutex<State>>,
    _dir: tempfile::TempDir,
}

fn start() -> Account {
    let state = Arc::new(Mutex::new(State {
        store: Store::new("example.test"),
        min: Store::new("min.test"),
    }));
    // The fake's own URL is known only once it runs: hand it over through a cell.
    let base = Arc::new(Mutex::new(String::new()));
    let (b, s) = (base.clone(), state.clone());
    let mut inner: Option<Handler> = None;
    let fake = Fake::start(move |r| {
        let h =
            inner.get_or_insert_with(|| Box::new(handler(b.lock().unwrap().clone(), s.clone())));
        h(r)
    });
    *base.lock().unwrap() = fake.url.clone();
    Account {
        fake,
        state,
        _dir: tempfile::tempdir().unwrap(),
    }
}

fn provider(setup: &Account, token: &str) -> Desec {
    let file = setup._dir.path().join(format!("token-{}", token.len()));
    std::fs::write(&file, format!("{token}\n")).unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let settings = setup.fake.settings(PREFIX);
    let text = format!(
        "token = {{ file = \"{}\" }}\n[http]\nendpoint = \"{}\"\nca_file = \"{}\"\nmin_spacing = \"0s\"\n",
        file.display(),
        settings.endpoint.unwrap(),
        settings.ca_file.unwrap().display()
    );
    let config: Config = toml::from_str(&text).unwrap();
    Desec::new(&config, &mut Setup::default()).unwrap()
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

#[test]
fn desec_passes_the_suite() {
    let s = start();
    let p = provider(&s, TOKEN);
    let st = s.state.clone();
    let truth = move |k: &RrsetKey| st.lock().unwrap().store.rrset(k);
    let subject = Subject {
        provider: &p,
        zone: zone(),
        truth: &truth,
    };
    let st = s.state.clone();
    let bystanders = move || {
        let g = st.lock().unwrap();
        (g.store.bystanders(), g.min.records.clone())
    };
    behaviour_suite(&subject, &bystanders);
    s.fake.assert_clean();
}

#[test]
fn desec_honours_rate_limits() {
    let s = start();
    let p = provider(&s, TOKEN);
    let st = s.state.clone();
    honours_rate_limits(
        &p,
        zone(),
        move |k| st.lock().unwrap().store.rrset(k),
        &s.fake,
    );
}

#[test]
fn desec_bad_credentials() {
    let s = start();
    let secret = "wrong-desec-token-77";
    let p = provider(&s, secret);
    bad_credentials_are_an_auth_error(&p, &zone(), secret);
    let err = block(DynProvider::find_zone(&p, &zone())).unwrap_err();
    assert!(
        matches!(&err, ProviderError::Auth(m) if m.contains("Invalid token.")),
        "{err}"
    );
    s.fake.assert_clean();
}

#[test]
fn desec_follows_pagination_to_find_zones() {
    let s = start();
    let p = provider(&s, TOKEN);
    let n = |t: &str| Name::from_str(t).unwrap();
    assert_eq!(
        block(DynProvider::find_zone(&p, &n("www.example.test."))).unwrap(),
        zone()
    );
    let pages: Vec<String> = s
        .fake
        .requests()
        .iter()
        .map(|r| format!("{} {}?{}", r.method, r.path, r.raw_query))
        .collect();
    assert_eq!(
        pages,
        [
            "GET /api/v1/domains/?cursor=",
            "GET /api/v1/domains/?cursor=page-2"
        ]
    );
    // The longest match wins, across pages.
    assert_eq!(
        block(DynProvider::find_zone(&p, &n("a.sub.example.test."))).unwrap(),
        n("sub.example.test.")
    );
    let err = block(DynProvider::find_zone(&p, &n("www.elsewhere.test."))).unwrap_err();
    assert!(matches!(err, ProviderError::Refused(_)), "{err}");
    s.fake.assert_clean();
}

#[test]
fn desec_apex_uses_at_in_urls_and_empty_subname_in_bodies() {
    let s = start();
    let p = provider(&s, TOKEN);
    let k = key("example.test.", RecordType::A);
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
    assert_eq!(
        s.state.lock().unwrap().store.rrset(&k).values,
        [v("192.0.2.7")]
    );
    let reqs = s.fake.requests();
    assert!(
        reqs.iter()
            .any(|r| r.method == "GET" && r.path == "/api/v1/domains/example.test/rrsets/@/A/")
    );
    let post = reqs.iter().find(|r| r.method == "POST").expect("a POST");
    assert_eq!(post.json().unwrap()["subname"], "");
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("192.0.2.7")],
            &[v("192.0.2.8")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    assert!(
        s.fake
            .requests()
            .iter()
            .any(|r| r.method == "PATCH" && r.path == "/api/v1/domains/example.test/rrsets/@/A/")
    );
    // Apex bystanders (NS) untouched.
    assert_eq!(
        s.state
            .lock()
            .unwrap()
            .store
            .find("example.test", "NS")
            .len(),
        1
    );
    s.fake.assert_clean();
}

#[test]
fn desec_refuses_a_ttl_below_the_domain_minimum_before_sending() {
    let s = start();
    let p = provider(&s, TOKEN);
    let min = Name::from_str("min.test.").unwrap();
    let k = key("home.min.test.", RecordType::A);
    let err = block(DynProvider::replace(
        &p,
        &min,
        &k,
        &[],
        &[v("192.0.2.1")],
        60,
    ))
    .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Unsupported(m) if m.contains("minimum TTL") && m.contains("3600")),
        "{err}"
    );
    assert!(
        s.fake.requests().iter().all(|r| r.method == "GET"),
        "nothing is written"
    );
    assert!(
        s.state
            .lock()
            .unwrap()
            .min
            .find("home.min.test", "A")
            .is_empty()
    );
    // At the minimum it works.
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &min,
            &k,
            &[],
            &[v("192.0.2.1")],
            3600
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        s.state.lock().unwrap().min.rrset(&k).values,
        [parse_value(RecordType::A, "192.0.2.1")]
    );
    s.fake.assert_clean();
}

#[test]
fn desec_multi_string_txt_is_sent_quoted() {
    let s = start();
    let p = provider(&s, TOKEN);
    let k = key("_acme-challenge.example.test.", RecordType::TXT);
    let value = txt(r#""first string" "second \"quoted\"""#);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            std::slice::from_ref(&value),
            60
        ))
        .unwrap(),
        Applied::Done
    );
    let post = s
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        post.json().unwrap()["records"],
        json!([r#""first string" "second \"quoted\"""#])
    );
    assert_eq!(
        block(DynProvider::read(&p, &zone(), &k)).unwrap().values,
        [value]
    );
    s.fake.assert_clean();
}
