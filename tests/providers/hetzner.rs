//! Hetzner DNS through the Hetzner Cloud API against a fake that checks every request against
//! the documentation: Bearer token, `/v1/zones` paginated (`meta.pagination.next_page`), RRsets
//! addressed as `/zones/{id_or_name}/rrsets/{rr_name}/{rr_type}` (lower case, relative, `@` for
//! the apex), create with `POST /rrsets`, `set_records` and `change_ttl` actions, `DELETE`,
//! asynchronous actions polled at `/zones/actions/{id}`, TXT values quoted, error bodies
//! `{"error": {"code", "message", "details"}}`.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dnsup::provider::build::Setup;
use dnsup::provider::hetzner::{Config, Hetzner};
use dnsup::provider::{Applied, DynProvider, ProviderError};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const TOKEN: &str = "hcloud-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV";
const ZONE_ID: u64 = 4711;
const ZONE_TTL: u32 = 3600;

struct State {
    store: Store,
    other_zones: Vec<String>,
    page_size: usize,
    /// Comments by record id.
    comments: HashMap<String, String>,
    /// RRsets (name, type) without a TTL of their own (the zone's applies).
    no_ttl: HashSet<(String, String)>,
    /// Actions: id to the number of polls before it succeeds (or fails, when negative).
    actions: HashMap<u64, i32>,
    next_action: u64,
    /// The next action fails with this message.
    fail_next: Option<String>,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, code: &str, message: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"error": {"code": code, "message": message, "details": {}}}),
    )
}

fn action_json(id: u64, command: &str, status: &str, error: Option<&str>) -> Value {
    json!({
        "id": id, "command": command, "status": status,
        "progress": if status == "running" { 50 } else { 100 },
        "started": "2016-01-30T23:55:00Z",
        "finished": if status == "running" { Value::Null } else { json!("2016-01-30T23:56:00Z") },
        "resources": [{"id": ZONE_ID, "type": "zone"}],
        "error": error.map(|m| json!({"code": "action_failed", "message": m})),
    })
}

impl State {
    fn new_action(&mut self, command: &str) -> Value {
        self.next_action += 1;
        let id = self.next_action;
        if let Some(m) = self.fail_next.take() {
            return action_json(id, command, "error", Some(&m));
        }
        // Every second action is still running when answered: one poll finishes it.
        if id.is_multiple_of(2) {
            self.actions.insert(id, 1);
            action_json(id, command, "running", None)
        } else {
            action_json(id, command, "success", None)
        }
    }

    fn rrset_json(&self, fqdn: &str, rel: &str, rtype: &str) -> Option<Value> {
        let recs = self.store.find(fqdn, rtype);
        if recs.is_empty() {
            return None;
        }
        let ttl = if self.no_ttl.contains(&(fqdn.to_string(), rtype.to_string())) {
            Value::Null
        } else {
            json!(recs[0].ttl)
        };
        let records: Vec<Value> = recs
            .iter()
            .map(|r| json!({"value": r.content, "comment": self.comments.get(&r.id)}))
            .collect();
        Some(json!({
            "id": format!("{rel}/{rtype}"), "name": rel, "type": rtype, "ttl": ttl,
            "labels": {}, "protection": {"change": false}, "records": records, "zone": ZONE_ID
        }))
    }
}

fn fqdn(rel: &str) -> String {
    if rel == "@" {
        "example.test".into()
    } else {
        format!("{rel}.example.test")
    }
}

fn check_rr_name(rel: &str) -> Result<(), String> {
    if rel != rel.to_ascii_lowercase()
        || rel.ends_with('.')
        || rel.ends_with("example.test")
        || rel.is_empty()
    {
        return Err(format!(
            "rr_name {rel:?}: lower case, relative to the zone, no final dot, @ for the apex"
        ));
    }
    Ok(())
}

fn check_type(rtype: &str) -> Result<RecordType, String> {
    let t = RecordType::from_str(rtype).map_err(|_| format!("type {rtype:?}"))?;
    if rtype != rtype.to_ascii_uppercase() {
        return Err(format!("type {rtype:?} must be upper case"));
    }
    Ok(t)
}

/// `records`: a non-empty array of `{value, comment?}` with valid, distinct values.
fn check_records(t: RecordType, v: &Value) -> Result<Vec<(String, Option<String>)>, String> {
    let arr = v.as_array().ok_or("records must be an array")?;
    if arr.is_empty() {
        return Err("records must not be empty".into());
    }
    let mut out = Vec::new();
    for r in arr {
        let obj = r.as_object().ok_or("a record is an object")?;
        for k in obj.keys() {
            if !["value", "comment"].contains(&k.as_str()) {
                return Err(format!("record: unexpected field {k}"));
            }
        }
        let value = r["value"].as_str().ok_or("value must be a string")?;
        if t == RecordType::TXT && !value.starts_with('"') {
            return Err(format!("TXT value must be quoted strings, got {value:?}"));
        }
        dnsup::update::parse_rdata(t, value, &zone())
            .map_err(|e| format!("value {value:?}: {e}"))?;
        let comment = match obj.get("comment") {
            None => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(other) => return Err(format!("comment must be a string, got {other}")),
        };
        if out.iter().any(|(v, _)| v == value) {
            return Err(format!("duplicate value {value:?}"));
        }
        out.push((value.to_string(), comment));
    }
    Ok(out)
}

fn check_ttl(v: &Value) -> Result<u32, String> {
    match v.as_u64() {
        Some(t) if (60..=2_147_483_647).contains(&t) => Ok(t as u32),
        _ => Err(format!("ttl must be an integer >= 60, got {v}")),
    }
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if r.header("auth-api-token").is_some() {
        return Err("Auth-API-Token is the old DNS Console API's header".into());
    }
    if !r.expect_auth("Bearer", TOKEN)? {
        return Ok(error(401, "unauthorized", "unable to authenticate"));
    }
    let path = r
        .path
        .strip_prefix("/v1/")
        .ok_or_else(|| format!("{} is outside /v1", r.path))?;
    let parts: Vec<&str> = path.split('/').collect();
    let mut s = state.lock().unwrap();
    let zone_ok = |z: &str| z == "example.test" || z == ZONE_ID.to_string();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["zones"]) => {
            let page: usize = r.param("page").unwrap_or("1").parse().map_err(|_| "page")?;
            let per_page: usize = r
                .param("per_page")
                .unwrap_or("25")
                .parse()
                .map_err(|_| "per_page")?;
            if page == 0 || per_page == 0 || per_page > 50 {
                return Err(format!(
                    "page {page} / per_page {per_page} out of range (max 50)"
                ));
            }
            let mut names = s.other_zones.clone();
            names.push("example.test".into());
            if let Some(n) = r.param("name") {
                names.retain(|z| z == n);
            }
            let size = per_page.min(s.page_size);
            let total = names.len();
            let last = total.div_ceil(size).max(1);
            let zones: Vec<Value> = names
                .iter()
                .enumerate()
                .skip((page - 1) * size)
                .take(size)
                .map(|(i, n)| {
                    let id = if n == "example.test" {
                        ZONE_ID
                    } else {
                        i as u64 + 1
                    };
                    json!({"id": id, "name": n, "mode": "primary", "ttl": ZONE_TTL,
                           "status": "ok", "record_count": 3, "labels": {}})
                })
                .collect();
            Ok(FakeResponse::json(
                200,
                json!({"zones": zones, "meta": {"pagination": {
                    "page": page, "per_page": size,
                    "previous_page": if page > 1 { json!(page - 1) } else { Value::Null },
                    "next_page": if page < last { json!(page + 1) } else { Value::Null },
                    "last_page": last, "total_entries": total}}}),
            ))
        }
        ("GET", ["zones", "actions", id]) => {
            let id: u64 = id.parse().map_err(|_| format!("action id {id:?}"))?;
            let Some(left) = s.actions.get_mut(&id) else {
                return Ok(error(404, "not_found", "action not found"));
            };
            *left -= 1;
            let status = if *left <= 0 { "success" } else { "running" };
            Ok(FakeResponse::json(
                200,
                json!({"action": action_json(id, "set_rrset_records", status, None)}),
            ))
        }
        (_, ["zones", z, ..]) if !zone_ok(z) => Ok(error(404, "not_found", "zone not found")),
        ("GET", ["zones", _]) => Ok(FakeResponse::json(
            200,
            json!({"zone": {"id": ZONE_ID, "name": "example.test", "mode": "primary", "ttl": ZONE_TTL, "status": "ok"}}),
        )),
        ("GET", ["zones", _, "rrsets", rel, rtype]) => {
            check_rr_name(rel)?;
            check_type(rtype)?;
            match s.rrset_json(&fqdn(rel), rel, rtype) {
                Some(set) => Ok(FakeResponse::json(200, json!({"rrset": set}))),
                None => Ok(error(404, "not_found", "rrset not found")),
            }
        }
        ("POST", ["zones", _, "rrsets"]) => {
            let b = r.json()?;
            let obj = b.as_object().ok_or("body must be an object")?;
            for k in obj.keys() {
                if !["name", "type", "ttl", "labels", "records"].contains(&k.as_str()) {
                    return Err(format!("create: unexpected field {k}"));
                }
            }
            let rel = b["name"].as_str().ok_or("name must be a string")?;
            check_rr_name(rel)?;
            let rtype = b["type"].as_str().ok_or("type must be a string")?;
            let t = check_type(rtype)?;
            let ttl = match obj.get("ttl") {
                None | Some(Value::Null) => ZONE_TTL,
                Some(v) => check_ttl(v)?,
            };
            let records = check_records(t, &b["records"])?;
            let name = fqdn(rel);
            if !s.store.find(&name, rtype).is_empty() {
                return Ok(error(409, "uniqueness_error", "rrset already exists"));
            }
            for (value, comment) in records {
                let id = s.store.add(&name, rtype, ttl, &value);
                if let Some(c) = comment {
                    s.comments.insert(id, c);
                }
            }
            let action = s.new_action("create_rrset");
            let set = s.rrset_json(&name, rel, rtype);
            Ok(FakeResponse::json(
                201,
                json!({"rrset": set, "action": action}),
            ))
        }
        ("POST", ["zones", _, "rrsets", rel, rtype, "actions", what]) => {
            check_rr_name(rel)?;
            let t = check_type(rtype)?;
            let b = r.json()?;
            let name = fqdn(rel);
            let existing: Vec<_> = s.store.find(&name, rtype).into_iter().cloned().collect();
            if existing.is_empty() {
                return Ok(error(404, "not_found", "rrset not found"));
            }
            match *what {
                "set_records" => {
                    if b.as_object().map(|o| o.len()) != Some(1) {
                        return Err("set_records takes only records".into());
                    }
                    let records = check_records(t, &b["records"])?;
                    let ttl = existing[0].ttl;
                    s.store.remove_set(&name, rtype);
                    for (value, comment) in records {
                        let id = s.store.add(&name, rtype, ttl, &value);
                        if let Some(c) = comment {
                            s.comments.insert(id, c);
                        }
                    }
                    let action = s.new_action("set_rrset_records");
                    Ok(FakeResponse::json(201, json!({"action": action})))
                }
                "change_ttl" => {
                    if b.as_object().map(|o| o.len()) != Some(1) {
                        return Err("change_ttl takes only ttl".into());
                    }
                    let ttl = check_ttl(&b["ttl"])?;
                    for rec in existing {
                        s.store.get_mut(&rec.id).unwrap().ttl = ttl;
                    }
                    s.no_ttl.remove(&(name, rtype.to_string()));
                    let action = s.new_action("change_rrset_ttl");
                    Ok(FakeResponse::json(201, json!({"action": action})))
                }
                other => Err(format!("action {other}: not one dnsup needs")),
            }
        }
        ("DELETE", ["zones", _, "rrsets", rel, rtype]) => {
            check_rr_name(rel)?;
            check_type(rtype)?;
            let name = fqdn(rel);
            if s.store.find(&name, rtype).is_empty() {
                return Ok(error(404, "not_found", "rrset not found"));
            }
            s.store.remove_set(&name, rtype);
            let action = s.new_action("delete_rrset");
            Ok(FakeResponse::json(201, json!({"action": action})))
        }
        _ => Err(format!(
            "{} {}: not a documented endpoint",
            r.method, r.path
        )),
    }
}

fn start(page_size: usize, other_zones: usize) -> (Fake, Shared) {
    serve(
        State {
            store: Store::new("example.test"),
            other_zones: (0..other_zones).map(|i| format!("z{i}.test")).collect(),
            page_size,
            comments: HashMap::new(),
            no_ttl: HashSet::new(),
            actions: HashMap::new(),
            next_action: 0,
            fail_next: None,
        },
        handle,
    )
}

fn provider(fake: &Fake, token: &str) -> (Hetzner, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token = {}\naction_timeout = \"5s\"\n{}",
        secrets.file("hcloud.token", token),
        http_table(fake, "/v1")
    ));
    let mut p = Hetzner::new(&config, &mut Setup::default()).unwrap();
    p.poll_interval = Duration::from_millis(10);
    (p, secrets)
}

#[test]
fn hetzner_passes_the_suite() {
    let (fake, state) = start(1, 2);
    let (p, _dir) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    let reqs = fake.requests();
    assert!(
        reqs.iter()
            .any(|r| r.path == "/v1/zones" && r.param("page") == Some("3"))
    );
    assert!(
        reqs.iter()
            .any(|r| r.path.starts_with("/v1/zones/actions/")),
        "running actions were polled"
    );
}

#[test]
fn hetzner_honours_rate_limits() {
    let (fake, state) = start(25, 0);
    let (p, _dir) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn hetzner_bad_credentials() {
    let (fake, _state) = start(25, 0);
    let wrong = "hcloud-wrong-token-000000000000000000000000000000000000000000000";
    let (p, _dir) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn hetzner_keeps_comments_reads_zone_ttl_and_reports_failed_actions() {
    let (fake, state) = start(25, 0);
    {
        let mut s = state.lock().unwrap();
        let id = s.store.add("host.example.test", "A", 600, "192.0.2.1");
        s.comments.insert(id, "office router".into());
        s.store.add("host.example.test", "A", 600, "192.0.2.2");
        s.no_ttl.insert(("host.example.test".into(), "A".into()));
    }
    let (p, _dir) = provider(&fake, TOKEN);
    let k = key("host.example.test.", RecordType::A);
    // No TTL of its own: the zone's default is what resolvers get.
    let set = block(DynProvider::read(&p, &zone(), &k)).unwrap();
    assert_eq!(set.ttl, Some(ZONE_TTL));
    // Replace one of two values: the kept value keeps its comment; the TTL is set.
    let got = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.1"), v("192.0.2.2")],
        &[v("192.0.2.1"), v("192.0.2.3")],
        120,
    ))
    .unwrap();
    assert_eq!(got, Applied::Done);
    {
        let s = state.lock().unwrap();
        let recs = s.store.find("host.example.test", "A");
        let kept = recs.iter().find(|r| r.content == "192.0.2.1").unwrap();
        assert_eq!(
            s.comments.get(&kept.id).map(String::as_str),
            Some("office router")
        );
        assert!(recs.iter().all(|r| r.ttl == 120));
    }
    // Only the TTL differs: only change_ttl is sent.
    fake.clear();
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.1"), v("192.0.2.3")],
        &[v("192.0.2.3"), v("192.0.2.1")],
        300,
    ))
    .unwrap();
    let posts: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        posts,
        ["/v1/zones/example.test/rrsets/host/A/actions/change_ttl"]
    );
    // A failed action is refused, with its message.
    state.lock().unwrap().fail_next = Some("zone is locked".into());
    let err = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.1"), v("192.0.2.3")],
        &[],
        300,
    ))
    .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("zone is locked")),
        "{err}"
    );
    // The apex is "@".
    let apex = key("example.test.", RecordType::AAAA);
    block(DynProvider::replace(
        &p,
        &zone(),
        &apex,
        &[],
        &[v("2001:db8::1")],
        60,
    ))
    .unwrap();
    assert!(fake.requests().iter().any(|r| r.method == "POST"
        && r.path == "/v1/zones/example.test/rrsets"
        && r.json().unwrap()["name"] == "@"));
    fake.assert_clean();
}
