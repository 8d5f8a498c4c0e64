//! Amazon Route 53 against a fake that checks every request against the API reference and
//! verifies its SigV4 signature (recomputed from the request as received, with the
//! documentation-pinned `sigv4`; the canonical pieces are checked on their own too).

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::route53::{self, Credentials, Route53, xml};
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RecordType};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const ZONE_ID: &str = "Z1D633PJN98FT9";

pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `YYYYMMDDTHHMMSSZ` to Unix seconds.
fn amz_date(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(n(0..4)?, n(4..6)?, n(6..8)?);
    u64::try_from(days * 86_400 + n(9..11)? * 3600 + n(11..13)? * 60 + n(13..15)?).ok()
}

fn error(status: u16, code: &str, message: &str) -> FakeResponse {
    FakeResponse {
        status,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: format!(
            "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
        )
        .into_bytes(),
    }
}

fn xml_ok(body: String) -> FakeResponse {
    FakeResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}").into_bytes(),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The canonical pieces of SigV4, checked without the signing function; `Ok(None)` when the
/// signature is right, `Ok(Some(answer))` for the documented 403.
fn check_signature(r: &FakeRequest, token: Option<&str>) -> Result<Option<FakeResponse>, String> {
    let date = r.header("x-amz-date").ok_or("no X-Amz-Date header")?;
    let at =
        amz_date(date).ok_or_else(|| format!("X-Amz-Date {date:?} is not YYYYMMDDTHHMMSSZ"))?;
    if now().abs_diff(at) > 300 {
        return Ok(Some(error(
            403,
            "SignatureDoesNotMatch",
            "Signature expired",
        )));
    }
    if r.header("x-amz-security-token") != token {
        return Err(format!(
            "X-Amz-Security-Token should be {token:?}, got {:?}",
            r.header("x-amz-security-token")
        ));
    }
    let auth = r.header("authorization").ok_or("no Authorization header")?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 Credential=")
        .ok_or_else(|| format!("Authorization is not AWS4-HMAC-SHA256: {auth}"))?;
    let parts: Vec<&str> = rest.split(", ").collect();
    let [cred, signed, sig] = parts[..] else {
        return Err(format!("Authorization has not three parts: {auth}"));
    };
    let scope = format!("{}/us-east-1/route53/aws4_request", &date[..8]);
    if cred != format!("{AKID}/{scope}") {
        return Err(format!("Credential should be {AKID}/{scope}, got {cred}"));
    }
    let signed = signed
        .strip_prefix("SignedHeaders=")
        .ok_or("no SignedHeaders")?;
    let names: Vec<&str> = signed.split(';').collect();
    let mut sorted = names.clone();
    sorted.sort();
    if names != sorted || !names.contains(&"host") || !names.contains(&"x-amz-date") {
        return Err(format!(
            "SignedHeaders must be sorted and hold host and x-amz-date: {signed}"
        ));
    }
    if token.is_some() && !names.contains(&"x-amz-security-token") {
        return Err("the session token must be signed".into());
    }
    let sig = sig.strip_prefix("Signature=").ok_or("no Signature")?;
    if sig.len() != 64
        || !sig
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(format!("Signature is not 64 lower-case hex digits: {sig}"));
    }
    if r.raw_query.contains('+') {
        return Err("a space in the query must be %20 (SigV4 canonical form), not +".into());
    }
    let headers: Vec<(String, String)> = names
        .iter()
        .map(|n| {
            r.header(n)
                .map(|v| (n.to_string(), v.to_string()))
                .ok_or_else(|| format!("signed header {n} was not sent"))
        })
        .collect::<Result<_, _>>()?;
    let creds = Credentials {
        access_key_id: AKID,
        secret_access_key: SECRET,
        session_token: token,
    };
    let expect = route53::sigv4(
        &creds,
        "us-east-1",
        "route53",
        &r.method,
        &r.raw_path,
        &r.raw_query,
        &headers,
        &r.body,
        at,
    );
    if expect.signature != sig {
        return Ok(Some(error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )));
    }
    Ok(None)
}

/// Sort key of Route 53's record order: labels reversed, then type.
fn order(name: &str, rtype: &str) -> (Vec<String>, String) {
    let mut labels: Vec<String> = name
        .trim_end_matches('.')
        .split('.')
        .map(str::to_ascii_lowercase)
        .collect();
    labels.reverse();
    (labels, rtype.to_string())
}

struct State {
    store: Store,
    /// Before the next POST is applied, someone else changes the RRset (a race).
    race: Option<(String, String, String)>,
}

fn handler(
    state: Arc<Mutex<State>>,
    token: Option<&'static str>,
) -> impl FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send + 'static {
    move |r: &FakeRequest| {
        r.expect_user_agent()?;
        if let Some(answer) = check_signature(r, token)? {
            return Ok(answer);
        }
        let mut st = state.lock().unwrap();
        let zones = [("ZOTHER0000001", "other.test."), (ZONE_ID, "example.test.")];
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/2013-04-01/hostedzone") => {
                for (k, _) in &r.query {
                    if k != "marker" && k != "maxitems" {
                        return Err(format!("ListHostedZones has no parameter {k}"));
                    }
                }
                let max: usize = r
                    .param("maxitems")
                    .unwrap_or("100")
                    .parse()
                    .map_err(|_| "maxitems is not a number")?;
                if !(1..=100).contains(&max) {
                    return Err(format!("maxitems {max} out of 1..=100"));
                }
                // One zone per page, so that finding example.test needs the NextMarker.
                let start = match r.param("marker") {
                    None => 0,
                    Some(m) => zones
                        .iter()
                        .position(|(id, _)| *id == m)
                        .ok_or("unknown marker")?,
                };
                let (id, name) = zones[start];
                let next = zones.get(start + 1);
                Ok(xml_ok(format!(
                    "<ListHostedZonesResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><HostedZones><HostedZone><Id>/hostedzone/{id}</Id><Name>{name}</Name><CallerReference>x</CallerReference><Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>3</ResourceRecordSetCount></HostedZone></HostedZones><IsTruncated>{}</IsTruncated>{}<MaxItems>1</MaxItems></ListHostedZonesResponse>",
                    next.is_some(),
                    next.map(|(i, _)| format!("<NextMarker>{i}</NextMarker>"))
                        .unwrap_or_default()
                )))
            }
            ("GET", p) if p == format!("/2013-04-01/hostedzone/{ZONE_ID}/rrset") => {
                let name = r
                    .param("name")
                    .ok_or("ListResourceRecordSets without name")?;
                let rtype = r.param("type").ok_or("give type with name")?;
                if !name.ends_with('.') {
                    return Err(format!("name {name:?} without its final dot"));
                }
                let max: usize = r
                    .param("maxitems")
                    .unwrap_or("300")
                    .parse()
                    .map_err(|_| "maxitems")?;
                let mut sets: HashMap<(String, String), Vec<_>> = HashMap::new();
                for rec in &st.store.records {
                    sets.entry((rec.name.clone(), rec.rtype.clone()))
                        .or_default()
                        .push(rec.clone());
                }
                let mut keys: Vec<_> = sets.keys().cloned().collect();
                keys.sort_by_key(|(n, t)| order(n, t));
                let from = order(name, rtype);
                let mut out = String::new();
                for k in keys.iter().filter(|(n, t)| order(n, t) >= from).take(max) {
                    let recs = &sets[k];
                    out.push_str(&format!(
                        "<ResourceRecordSet><Name>{}.</Name><Type>{}</Type><TTL>{}</TTL><ResourceRecords>",
                        k.0, k.1, recs[0].ttl
                    ));
                    for rec in recs {
                        out.push_str(&format!(
                            "<ResourceRecord><Value>{}</Value></ResourceRecord>",
                            esc(&rec.content)
                        ));
                    }
                    out.push_str("</ResourceRecords></ResourceRecordSet>");
                }
                Ok(xml_ok(format!(
                    "<ListResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ResourceRecordSets>{out}</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>{max}</MaxItems></ListResourceRecordSetsResponse>"
                )))
            }
            ("POST", p) if p == format!("/2013-04-01/hostedzone/{ZONE_ID}/rrset/") => {
                if !r.header("content-type").is_some_and(|c| c.contains("xml")) {
                    return Err("ChangeResourceRecordSets needs an XML content type".into());
                }
                let doc = xml::parse(&r.body).map_err(|e| format!("body is not XML: {e}"))?;
                if doc.name != "ChangeResourceRecordSetsRequest" {
                    return Err(format!("root element <{}>", doc.name));
                }
                let changes: Vec<_> = doc
                    .child("ChangeBatch")
                    .and_then(|b| b.child("Changes"))
                    .ok_or("no ChangeBatch/Changes")?
                    .children_named("Change")
                    .collect();
                if changes.is_empty() {
                    return Err("an empty change batch".into());
                }
                if let Some((name, rtype, content)) = st.race.take() {
                    st.store.set(&name, &rtype, 300, &[content]);
                }
                // All or nothing: apply to a copy.
                let mut copy = st.store.clone();
                for c in changes {
                    let action = c.text_of("Action").ok_or("a change without Action")?;
                    let set = c
                        .child("ResourceRecordSet")
                        .ok_or("a change without ResourceRecordSet")?;
                    let name = set
                        .text_of("Name")
                        .ok_or("no Name")?
                        .trim_end_matches('.')
                        .to_ascii_lowercase();
                    let rtype = set.text_of("Type").ok_or("no Type")?.to_string();
                    let ttl: u32 = set
                        .text_of("TTL")
                        .ok_or("no TTL")?
                        .parse()
                        .map_err(|_| "TTL is not a number")?;
                    let values: Vec<String> = set
                        .child("ResourceRecords")
                        .ok_or("no ResourceRecords")?
                        .children_named("ResourceRecord")
                        .map(|v| {
                            v.text_of("Value")
                                .map(str::to_string)
                                .ok_or("a ResourceRecord without Value")
                        })
                        .collect::<Result<_, _>>()?;
                    if values.is_empty() {
                        return Err("a record set without values".into());
                    }
                    let existing: Vec<_> = copy.find(&name, &rtype).into_iter().cloned().collect();
                    let invalid = |m: String| {
                        Ok(FakeResponse {
                            status: 400,
                            headers: vec![("Content-Type".into(), "text/xml".into())],
                            body: format!("<?xml version=\"1.0\"?>\n<InvalidChangeBatch xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Messages><Message>{m}</Message></Messages><RequestId>fake</RequestId></InvalidChangeBatch>").into_bytes(),
                        })
                    };
                    match action {
                        "CREATE" => {
                            if !existing.is_empty() {
                                return invalid(format!(
                                    "Tried to create resource record set [name='{name}.', type='{rtype}'] but it already exists"
                                ));
                            }
                            copy.set(&name, &rtype, ttl, &values);
                        }
                        "DELETE" => {
                            let mut have: Vec<String> =
                                existing.iter().map(|e| e.content.clone()).collect();
                            let mut want = values.clone();
                            have.sort();
                            want.sort();
                            if existing.is_empty() || existing[0].ttl != ttl || have != want {
                                return invalid(format!(
                                    "Tried to delete resource record set [name='{name}.', type='{rtype}'] but the values provided do not match the current values"
                                ));
                            }
                            copy.remove_set(&name, &rtype);
                        }
                        other => {
                            return Err(format!(
                                "dnsup should only CREATE and DELETE, not {other}"
                            ));
                        }
                    }
                }
                st.store = copy;
                Ok(xml_ok("<ChangeResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status><SubmittedAt>2017-03-10T01:36:41.958Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>".into()))
            }
            (m, p) => Err(format!("{m} {p} is not a Route 53 operation dnsup uses")),
        }
    }
}

fn secret_file(dir: &tempfile::TempDir, name: &str, value: &str) -> String {
    let p = dir.path().join(name);
    let mut f = std::fs::File::create(&p).unwrap();
    writeln!(f, "{value}").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p.display().to_string()
}

fn setup(
    token: Option<&'static str>,
    secret: &str,
) -> (Fake, Arc<Mutex<State>>, Route53, tempfile::TempDir) {
    let state = Arc::new(Mutex::new(State {
        store: Store::new("example.test"),
        race: None,
    }));
    let fake = Fake::start(handler(state.clone(), token));
    let dir = tempfile::tempdir().unwrap();
    let s = fake.settings("");
    let mut text = format!(
        "access_key_id = \"{AKID}\"\nsecret_access_key = {{ file = \"{}\" }}\n",
        secret_file(&dir, "secret", secret)
    );
    if let Some(t) = token {
        text.push_str(&format!(
            "session_token = {{ file = \"{}\" }}\n",
            secret_file(&dir, "token", t)
        ));
    }
    text.push_str(&format!(
        "[http]\nendpoint = \"{}\"\nca_file = \"{}\"\nmin_spacing = \"0s\"\n",
        s.endpoint.unwrap(),
        s.ca_file.unwrap().display()
    ));
    let config: route53::Config = toml::from_str(&text).unwrap();
    let p = Route53::new(&config, &mut Setup::default()).unwrap();
    (fake, state, p, dir)
}

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

#[test]
fn route53_passes_the_suite() {
    let (fake, state, p, _dir) = setup(None, SECRET);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn route53_with_a_session_token_passes_the_suite() {
    let (fake, state, p, _dir) = setup(Some("FwoGZXIvYXdzEXAMPLETOKEN"), SECRET);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn route53_honours_rate_limits() {
    let (fake, state, p, _dir) = setup(None, SECRET);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn route53_bad_credentials() {
    let (fake, _state, p, _dir) = setup(None, "a-wrong-secret-access-key");
    refuses_bad_credentials(&p, &zone(), "a-wrong-secret-access-key", &fake);
}

#[test]
fn route53_change_between_read_and_write_is_a_conflict_from_the_server() {
    let (fake, state, p, _dir) = setup(None, SECRET);
    let k = key("race.example.test.", RecordType::A);
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
    // Someone else writes after dnsup's read and before its change batch: Route 53 refuses
    // the DELETE of values that are no longer there, and nothing changes.
    state.lock().unwrap().race =
        Some(("race.example.test".into(), "A".into(), "192.0.2.99".into()));
    let got = block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.1")],
        &[v("192.0.2.2")],
        300,
    ))
    .unwrap();
    assert!(
        matches!(got, Applied::Conflict(ref m) if m.contains("no longer holds")),
        "{got:?}"
    );
    let st = state.lock().unwrap();
    let now: Vec<_> = st
        .store
        .find("race.example.test", "A")
        .iter()
        .map(|r| r.content.clone())
        .collect();
    assert_eq!(now, ["192.0.2.99"]);
    drop(st);
    // The batch sent was one DELETE of exactly what was read plus one CREATE.
    let post = fake
        .requests()
        .into_iter()
        .rfind(|r| r.method == "POST")
        .unwrap();
    let body = String::from_utf8(post.body).unwrap();
    assert!(body.contains("<Action>DELETE</Action><ResourceRecordSet><Name>race.example.test.</Name><Type>A</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value>"), "{body}");
    assert!(body.contains("<Action>CREATE</Action>"), "{body}");
    fake.assert_clean();
}

#[test]
fn route53_zones_come_from_every_page() {
    let (fake, _state, p, _dir) = setup(None, SECRET);
    let z = block(DynProvider::find_zone(
        &p,
        &Name::from_str("a.b.example.test.").unwrap(),
    ))
    .unwrap();
    assert_eq!(z, zone());
    let markers: Vec<_> = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/2013-04-01/hostedzone")
        .map(|r| r.param("marker").map(str::to_string))
        .collect();
    assert_eq!(markers, [None, Some("Z1D633PJN98FT9".to_string())]);
    fake.assert_clean();
}
