//! The template provider against two fakes that check each request against what its
//! configuration describes: a JSON webhook (PUT with a Bearer header, DELETE to delete) and a
//! Hurricane Electric-style dynamic DNS update (GET with the key in the query, `good`/`nochg`/
//! `badauth` answers, per <https://dns.he.net/docs.html>).

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::{ProviderConfig, Setup, build};
use dnsup::provider::template::{Config, Template};
use dnsup::provider::{Applied, DynProvider, Guard, ProviderError, RrsetKey};
use hickory_proto::rr::{Name, RecordType};
use serde_json::json;

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const TOKEN: &str = "hook-token-5d1e";
/// A key with characters that must be percent-encoded in a query.
const HE_KEY: &str = "p&ss=w0rd+/ %?#";

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn secret_file(dir: &tempfile::TempDir, value: &str) -> String {
    let file = dir.path().join(format!("secret-{}", value.len()));
    std::fs::write(&file, format!("{value}\n")).unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    file.display().to_string()
}

/// A TXT text as the webhook stores it: one quoted string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn webhook(store: Arc<Mutex<Store>>) -> Fake {
    Fake::start(move |r: &FakeRequest| {
        r.expect_user_agent()?;
        if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return Ok(FakeResponse::json(401, json!({"error": "invalid token"})));
        }
        let parts: Vec<&str> = r.path.trim_matches('/').split('/').collect();
        let ["api", "zones", z, "records", sub, rtype] = parts.as_slice() else {
            return Err(format!("{} {}: no such endpoint", r.method, r.path));
        };
        if *z != "example.test" {
            return Ok(FakeResponse::json(404, json!({"error": "no such zone"})));
        }
        if !r.raw_query.is_empty() {
            return Err("no query expected".into());
        }
        let name = if *sub == "@" {
            z.to_string()
        } else {
            format!("{sub}.{z}")
        };
        let mut st = store.lock().unwrap();
        match r.method.as_str() {
            "PUT" => {
                let body = r.json()?;
                let obj = body.as_object().ok_or("body must be an object")?;
                if obj.len() != 2 {
                    return Err(format!("body must hold ttl and values only: {body}"));
                }
                let ttl = obj["ttl"].as_u64().ok_or("ttl must be a number")? as u32;
                let values = obj["values"].as_str().ok_or("values must be a string")?;
                let contents: Vec<String> = values
                    .split(',')
                    .map(|v| {
                        if *rtype == "TXT" {
                            quoted(v)
                        } else {
                            v.to_string()
                        }
                    })
                    .collect();
                st.set(&name, rtype, ttl, &contents);
                Ok(FakeResponse::json(200, json!({"status": "ok"})))
            }
            "DELETE" => {
                if !r.body.is_empty() {
                    return Err("DELETE with a body".into());
                }
                st.remove_set(&name, rtype);
                Ok(FakeResponse::json(200, json!({"status": "ok"})))
            }
            m => Err(format!("{m}: not configured")),
        }
    })
}

fn webhook_config(fake: &Fake, secret: &str) -> String {
    let base = format!(
        "{}/api/zones/{{zone}}/records/{{subname}}/{{type}}",
        fake.url
    );
    format!(
        r#"type = "template"
method = "PUT"
url = "{base}"
headers = {{ Authorization = "Bearer {{secret}}" }}
body = '{{"ttl": {{ttl}}, "values": "{{values}}"}}'
secret = {{ file = "{secret}" }}
delete_url = "{base}"
delete_method = "DELETE"
types = ["A", "AAAA", "TXT"]
[http]
ca_file = "{ca}"
min_spacing = "0s"
"#,
        ca = fake.ca_file.display()
    )
}

fn make(text: &str) -> Box<dyn DynProvider> {
    let conf: ProviderConfig = toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    block(build("t", &conf, &mut Setup::default())).unwrap()
}

#[test]
fn template_passes_the_suite() {
    let store = Arc::new(Mutex::new(Store::new("example.test")));
    let fake = webhook(store.clone());
    let dir = tempfile::tempdir().unwrap();
    let p = make(&webhook_config(&fake, &secret_file(&dir, TOKEN)));
    let caps = p.capabilities();
    assert!(!caps.read && caps.guard == Guard::None && caps.delete);
    assert!(caps.multiple_values && caps.ttl);
    let st = store.clone();
    let truth = move |k: &RrsetKey| st.lock().unwrap().rrset(k);
    let subject = Subject {
        provider: p.as_ref(),
        zone: zone(),
        truth: &truth,
    };
    let st = store.clone();
    let bystanders = move || st.lock().unwrap().bystanders();
    behaviour_suite(&subject, &bystanders);
    fake.assert_clean();
}

#[test]
fn template_honours_rate_limits() {
    let store = Arc::new(Mutex::new(Store::new("example.test")));
    let fake = webhook(store.clone());
    let dir = tempfile::tempdir().unwrap();
    let p = make(&webhook_config(&fake, &secret_file(&dir, TOKEN)));
    let st = store.clone();
    honours_rate_limits(
        p.as_ref(),
        zone(),
        move |k| st.lock().unwrap().rrset(k),
        &fake,
    );
}

#[test]
fn template_bad_credentials() {
    let store = Arc::new(Mutex::new(Store::new("example.test")));
    let fake = webhook(store.clone());
    let dir = tempfile::tempdir().unwrap();
    let secret = "wrong-hook-token-99";
    let p = make(&webhook_config(&fake, &secret_file(&dir, secret)));
    refuses_bad_credentials(p.as_ref(), &zone(), secret, &fake);
}

/// Hurricane Electric-style: `GET /nic/update?hostname=&password=&myip=`.
fn he(store: Arc<Mutex<Store>>) -> Fake {
    Fake::start(move |r: &FakeRequest| {
        r.expect_user_agent()?;
        if r.method != "GET" || r.path != "/nic/update" {
            return Err(format!("{} {}: no such endpoint", r.method, r.path));
        }
        let keys: Vec<&str> = r.query.iter().map(|(k, _)| k.as_str()).collect();
        if keys != ["hostname", "password", "myip"] {
            return Err(format!(
                "query should be hostname, password, myip: {keys:?}"
            ));
        }
        if r.param("password") != Some(HE_KEY) {
            return Ok(FakeResponse::text(200, "badauth"));
        }
        let host = r.param("hostname").unwrap();
        let ip = r.param("myip").unwrap();
        let rtype = match ip.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(_)) => "A",
            Ok(std::net::IpAddr::V6(_)) => "AAAA",
            Err(_) => return Ok(FakeResponse::text(200, "nohost")),
        };
        let mut st = store.lock().unwrap();
        let same = st
            .find(host, rtype)
            .iter()
            .map(|x| x.content.clone())
            .collect::<Vec<_>>()
            == [ip.to_string()];
        st.set(host, rtype, 300, &[ip.to_string()]);
        Ok(FakeResponse::text(
            200,
            &format!("{} {ip}", if same { "nochg" } else { "good" }),
        ))
    })
}

fn he_config(fake: &Fake, secret: &str) -> String {
    format!(
        r#"type = "template"
url = "{}/nic/update?hostname={{name}}&password={{secret}}&myip={{ip}}"
secret = {{ file = "{secret}" }}
success = {{ status = [200], contains = ["good", "nochg"] }}
auth_error = ["badauth"]
[http]
ca_file = "{}"
min_spacing = "0s"
"#,
        fake.url,
        fake.ca_file.display()
    )
}

#[test]
fn template_dyndns_style_passes_the_suite() {
    let store = Arc::new(Mutex::new(Store::new("example.test")));
    let fake = he(store.clone());
    let dir = tempfile::tempdir().unwrap();
    let p = make(&he_config(&fake, &secret_file(&dir, HE_KEY)));
    let caps = p.capabilities();
    assert!(!caps.delete && !caps.multiple_values && !caps.ttl);
    assert!(!caps.serves(RecordType::TXT));
    let st = store.clone();
    let truth = move |k: &RrsetKey| st.lock().unwrap().rrset(k);
    let subject = Subject {
        provider: p.as_ref(),
        zone: zone(),
        truth: &truth,
    };
    let st = store.clone();
    let bystanders = move || st.lock().unwrap().bystanders();
    behaviour_suite(&subject, &bystanders);
    // The key went out percent-encoded and arrived intact (checked by the fake).
    assert!(fake.requests().iter().all(|r| !r.raw_query.contains(' ')));
    fake.assert_clean();
}

#[test]
fn template_body_words_are_errors() {
    let store = Arc::new(Mutex::new(Store::new("example.test")));
    let fake = he(store.clone());
    let dir = tempfile::tempdir().unwrap();
    let secret = "not-the-he-key";
    let p = make(&he_config(&fake, &secret_file(&dir, secret)));
    bad_credentials_are_an_auth_error(p.as_ref(), &zone(), secret);
    // An answer without good/nochg is refused, with the answer in the message.
    let p = make(&he_config(&fake, &secret_file(&dir, HE_KEY)));
    let k = key("suite.example.test.", RecordType::A);
    fake.inject(FakeResponse::text(200, "nohost"));
    let err = block(p.replace(&zone(), &k, &[], &[v("192.0.2.1")], 60)).unwrap_err();
    assert!(
        matches!(&err, ProviderError::Refused(m) if m.contains("nohost")),
        "{err}"
    );
    assert!(!format!("{err:?}").contains("p&ss"), "{err:?}");
    let err = block(p.find_zone(&k.name)).unwrap_err();
    assert!(matches!(err, ProviderError::Unsupported(_)), "{err}");
    fake.assert_clean();
}

#[test]
fn template_configuration_mistakes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let secret = secret_file(&dir, TOKEN);
    let bad = [
        (
            format!("url = \"https://x.test/?h={{host}}\"\nsecret = {{ file = \"{secret}\" }}"),
            "unknown placeholder {host}",
        ),
        (
            "url = \"http://x.test/?h={name}\"".to_string(),
            "only https://",
        ),
        (
            "url = \"https://x.test/?p={secret}\"".to_string(),
            "no secret is set",
        ),
        (
            "url = \"https://x.test/\"\nmethod = \"FETCH\"".to_string(),
            "use GET, POST",
        ),
        (
            "url = \"https://x.test/\"\ndelete_method = \"DELETE\"".to_string(),
            "need a delete_url",
        ),
    ];
    for (text, want) in bad {
        let c: Config = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let err = Template::new(&c, &mut Setup::default()).unwrap_err();
        assert!(err.contains(want), "{text}: {err}");
    }
}

#[test]
fn template_write_only_apply() {
    // A create and a replace send the same request: there is no guard to send.
    let store = Arc::new(Mutex::new(Store::new("example.test")));
    let fake = webhook(store.clone());
    let dir = tempfile::tempdir().unwrap();
    let p = make(&webhook_config(&fake, &secret_file(&dir, TOKEN)));
    let k = key("home.example.test.", RecordType::AAAA);
    assert_eq!(
        block(p.replace(&zone(), &k, &[v("2001:db8::9")], &[v("2001:db8::1")], 300)).unwrap(),
        Applied::Done
    );
    let req = &fake.requests()[0];
    assert_eq!(req.path, "/api/zones/example.test/records/home/AAAA");
    assert_eq!(
        req.json().unwrap(),
        json!({"ttl": 300, "values": "2001:db8::1"})
    );
    assert!(block(p.read(&zone(), &k)).is_err());
    fake.assert_clean();
}
