//! DreamHost against a fake that checks every request against the documentation:
//! - <https://help.dreamhost.com/hc/en-us/articles/4407354972692-Connecting-to-the-DreamHost-API>:
//!   one base URL, `key` and `cmd` in the query (GET or POST), optional `unique_id` and
//!   `format` (tab when left out); the tab answer's first line is `success` or `error`, then
//!   the result; `error` then `no_key` without a key; rate limits are `error` then
//!   `slow_down_bucko` and details after a tab.
//! - <https://help.dreamhost.com/hc/en-us/articles/217555707-DNS-API-commands>:
//!   `dns-list_records` (no values) answers a header line `account_id zone record type value
//!   comment editable` and one tab-separated line per record; `dns-add_record` takes `record`
//!   (the full name), `type`, `value` and an optional `comment` and answers `record_added`
//!   (errors `no_such_zone`, `record_already_exists_remove_first`, `CNAME_already_on_record`,
//!   ...); `dns-remove_record` takes `record`, `type` and `value` and answers `record_removed`
//!   (errors `no_such_record`, `no_such_value`, `not_editable`, ...).
//!
//! The documentation names no answer for a key that does not exist; the fake answers it like
//! a missing one (`no_key`).

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::dreamhost::{Config, Dreamhost};
use dnsup::provider::{Applied, DynProvider, ProviderError, Rrset};
use hickory_proto::rr::{Name, RecordType};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::{Store, parse_value};
use super::suite::*;

const KEY: &str = "6SHU5P2HLDAYECUX";

struct State {
    store: Store,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn ok(text: &str) -> FakeResponse {
    FakeResponse::text(200, &format!("success\n{text}\n"))
}

fn err(code: &str) -> FakeResponse {
    FakeResponse::text(200, &format!("error\n{code}\n"))
}

/// The value as DreamHost lists it: names absolute.
fn listed(rtype: &str, content: &str) -> String {
    if rtype == "CNAME" && !content.ends_with('.') {
        format!("{content}.")
    } else {
        content.to_string()
    }
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    if r.path != "/" {
        return Err(format!("{}: every command goes to the base URL", r.path));
    }
    if r.method != "GET" && r.method != "POST" {
        return Err(format!("{}: GET or POST", r.method));
    }
    for (k, _) in &r.query {
        if ![
            "key",
            "cmd",
            "unique_id",
            "format",
            "account",
            "record",
            "type",
            "value",
            "comment",
        ]
        .contains(&k.as_str())
        {
            return Err(format!("unexpected parameter {k}"));
        }
    }
    match r.param("key") {
        Some(KEY) => {}
        _ => return Ok(err("no_key")),
    }
    if r.param("format").is_some_and(|f| f != "tab") {
        return Err("dnsup reads the documented tab format".into());
    }
    let mut s = state.lock().unwrap();
    let cmd = r.param("cmd").ok_or("cmd is required")?;
    let fields = |needed: bool| -> Result<Option<(String, String, String)>, String> {
        let (rec, t, v) = (r.param("record"), r.param("type"), r.param("value"));
        if !needed {
            if rec.is_some() || t.is_some() || v.is_some() {
                return Err("dns-list_records takes no values".into());
            }
            return Ok(None);
        }
        let rec = rec.ok_or("record is required")?;
        if rec.ends_with('.') || !(rec == "example.test" || rec.ends_with(".example.test")) {
            return Err(format!(
                "record {rec:?} is the full name without the final dot"
            ));
        }
        let t = t.ok_or("type is required")?;
        let rt = RecordType::from_str(t).map_err(|_| format!("type {t:?}"))?;
        let v = v.ok_or("value is required")?;
        dnsup::update::parse_rdata(rt, v, &zone()).map_err(|e| format!("value {v:?}: {e}"))?;
        if rt == RecordType::CNAME && !v.ends_with('.') {
            return Err(format!("CNAME {v:?} is not absolute"));
        }
        Ok(Some((rec.to_string(), t.to_string(), v.to_string())))
    };
    match cmd {
        "dns-list_records" => {
            fields(false)?;
            let mut out = String::from("account_id\tzone\trecord\ttype\tvalue\tcomment\teditable");
            // Another zone of the account, which must not be taken for ours.
            out.push_str("\n1\ta.test\ta.test\tA\t198.51.100.1\t\t1");
            for x in &s.store.records {
                // DreamHost's own records: the NS set and a hosted site's address.
                let editable = if x.rtype == "NS" || x.name == "site.example.test" {
                    0
                } else {
                    1
                };
                out.push_str(&format!(
                    "\n1\texample.test\t{}\t{}\t{}\t\t{editable}",
                    x.name,
                    x.rtype,
                    listed(&x.rtype, &x.content)
                ));
            }
            Ok(ok(&out))
        }
        "dns-add_record" => {
            let (rec, t, v) = fields(true)?.unwrap();
            let held = s.store.find(&rec, &t);
            if held.iter().any(|x| listed(&t, &x.content) == v) {
                return Ok(err("record_already_exists_remove_first"));
            }
            if t == "CNAME" && !held.is_empty() {
                return Ok(err("CNAME_already_on_record"));
            }
            s.store.add(&rec, &t, 14400, &v);
            Ok(ok("record_added"))
        }
        "dns-remove_record" => {
            let (rec, t, v) = fields(true)?.unwrap();
            let held = s.store.find(&rec, &t);
            if held.is_empty() {
                return Ok(err("no_such_record"));
            }
            let Some(id) = held
                .iter()
                .find(|x| listed(&t, &x.content) == v)
                .map(|x| x.id.clone())
            else {
                return Ok(err("no_such_value"));
            };
            if rec == "site.example.test" {
                return Ok(err("not_editable"));
            }
            s.store.remove(&id);
            Ok(ok("record_removed"))
        }
        other => Err(format!("cmd {other:?}: not a DNS command dnsup uses")),
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

fn provider(fake: &Fake, key: &str) -> (Dreamhost, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "api_key = {}\n{}",
        secrets.file("dh.key", key),
        http_table(fake, "/")
    ));
    (
        Dreamhost::new(&config, &mut Setup::default()).unwrap(),
        secrets,
    )
}

/// The truth without a TTL: DreamHost lists none.
fn truth(state: &Shared) -> impl Fn(&dnsup::provider::RrsetKey) -> Rrset + '_ {
    move |k| Rrset {
        ttl: None,
        ..state.lock().unwrap().store.rrset(k)
    }
}

#[test]
fn dreamhost_passes_the_suite() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    passes_the_suite(
        &p,
        zone(),
        truth(&state),
        || state.lock().unwrap().store.bystanders(),
        &fake,
    );
}

#[test]
fn dreamhost_honours_rate_limits() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    honours_rate_limits(&p, zone(), truth(&state), &fake);
}

#[test]
fn dreamhost_bad_credentials() {
    let (fake, _state) = start();
    let wrong = "WRONGWRONGWRONG1";
    let (p, _s) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

/// `slow_down_bucko` comes with HTTP 200: it is a long wait, not a retry.
#[test]
fn dreamhost_slow_down_is_a_long_wait() {
    let (fake, _state) = start();
    let (p, _s) = provider(&fake, KEY);
    fake.inject(FakeResponse::text(
        200,
        "error\nslow_down_bucko\tdns-list_records: 100 per hour\n",
    ));
    let e = block(DynProvider::read(
        &p,
        &zone(),
        &key("home.example.test.", RecordType::A),
    ))
    .unwrap_err();
    assert!(matches!(e, ProviderError::Throttled(_, 3600)), "{e}");
    assert_eq!(fake.requests().len(), 1);
}

fn cmds(fake: &Fake) -> Vec<String> {
    fake.requests()
        .iter()
        .filter_map(|r| r.param("cmd").map(str::to_string))
        .collect()
}

/// A changed value is added before the old one is removed (the name never goes empty), and
/// the old one is removed with its value as listed; a CNAME the other way round.
#[test]
fn dreamhost_adds_before_it_removes() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    let k = key("home.example.test.", RecordType::CNAME);
    state
        .lock()
        .unwrap()
        .store
        .add("home.example.test", "CNAME", 14400, "old.example.net.");
    fake.clear();
    // A CNAME cannot sit beside another (`CNAME_already_on_record`): it is removed first.
    let cname = |t: &str| parse_value(RecordType::CNAME, t);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[cname("old.example.net.")],
            &[cname("new.example.net.")],
            300,
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        cmds(&fake),
        ["dns-list_records", "dns-remove_record", "dns-add_record"]
    );
    assert_eq!(
        state
            .lock()
            .unwrap()
            .store
            .find("home.example.test", "CNAME")[0]
            .content,
        "new.example.net."
    );
    let k = key("home.example.test.", RecordType::A);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("192.0.2.1")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    fake.clear();
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[v("192.0.2.1")],
            &[v("192.0.2.2")],
            300
        ))
        .unwrap(),
        Applied::Done
    );
    assert_eq!(
        cmds(&fake),
        ["dns-list_records", "dns-add_record", "dns-remove_record"]
    );
    fake.assert_clean();
}

/// A value DreamHost manages itself (`editable` 0) is not changed, and nothing is sent: a
/// half-made change would leave both values.
#[test]
fn dreamhost_refuses_a_value_it_may_not_edit() {
    let (fake, state) = start();
    let (p, _s) = provider(&fake, KEY);
    state
        .lock()
        .unwrap()
        .store
        .add("site.example.test", "A", 14400, "203.0.113.9");
    fake.clear();
    let k = key("site.example.test.", RecordType::A);
    let e = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("203.0.113.9")],
        &[v("192.0.2.7")],
        300,
    ))
    .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Refused(m) if m.contains("not editable")),
        "{e}"
    );
    assert_eq!(cmds(&fake), ["dns-list_records"]);
    fake.assert_clean();
}
