//! Gandi LiveDNS (API v5) against a fake that checks every request against the documentation:
//! `Authorization: Bearer <personal access token>` (never the deprecated `Apikey`), `GET
//! /domains` paginated (`page`/`per_page`, `Total-Count`), RRsets at
//! `/domains/{fqdn}/records/{rrset_name}/{rrset_type}` (`@` for the apex) read with `GET`,
//! replaced with `PUT {"rrset_values": [...], "rrset_ttl": N}` (300 <= N <= 2592000), deleted
//! with `DELETE`; TXT values quoted; error bodies `{"code", "message", "object", "cause"}`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use dnsup::provider::build::Setup;
use dnsup::provider::gandi::{Config, Gandi};
use dnsup::provider::{Applied, DynProvider};
use hickory_proto::rr::{Name, RecordType};
use serde_json::{Value, json};

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::harness::*;
use super::store::Store;
use super::suite::*;

const TOKEN: &str = "pat_0123456789abcdef0123456789abcdef01234567";

struct State {
    store: Store,
    other_domains: Vec<String>,
    page_size: usize,
}

type Shared = Arc<Mutex<State>>;

fn zone() -> Name {
    Name::from_str("example.test.").unwrap()
}

fn error(status: u16, object: &str, cause: &str, message: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"code": status, "message": message, "object": object, "cause": cause}),
    )
}

fn fqdn(rel: &str) -> String {
    if rel == "@" {
        "example.test".into()
    } else {
        format!("{rel}.example.test")
    }
}

fn check_name(rel: &str, rtype: &str) -> Result<RecordType, String> {
    if rel != rel.to_ascii_lowercase()
        || rel.ends_with('.')
        || rel.ends_with("example.test")
        || rel.is_empty()
    {
        return Err(format!(
            "rrset_name {rel:?}: relative to the domain, @ for the apex"
        ));
    }
    RecordType::from_str(rtype).map_err(|_| format!("rrset_type {rtype:?}"))
}

fn handle(state: &Shared, r: &FakeRequest) -> Result<FakeResponse, String> {
    if r.header("x-api-key").is_some() {
        return Err("X-Api-Key is the deprecated API key header".into());
    }
    if !r.expect_auth("Bearer", TOKEN)? {
        return Ok(error(
            401,
            "HTTPUnauthorized",
            "Unauthorized",
            "The server could not verify that you authorized to access the document you requested.",
        ));
    }
    let path = r
        .path
        .strip_prefix("/v5/livedns/")
        .ok_or_else(|| format!("{} is outside /v5/livedns", r.path))?;
    let parts: Vec<&str> = path.split('/').collect();
    let mut s = state.lock().unwrap();
    match (r.method.as_str(), parts.as_slice()) {
        ("GET", ["domains"]) => {
            let page: usize = r.param("page").unwrap_or("1").parse().map_err(|_| "page")?;
            let per_page: usize = r
                .param("per_page")
                .unwrap_or("100")
                .parse()
                .map_err(|_| "per_page")?;
            if page == 0 || per_page == 0 {
                return Err("page and per_page start at 1".into());
            }
            let mut names = s.other_domains.clone();
            names.push("example.test".into());
            let size = per_page.min(s.page_size);
            let items: Vec<Value> = names
                .iter()
                .skip((page - 1) * size)
                .take(size)
                .map(|n| {
                    json!({"fqdn": n, "automatic_snapshots": true,
                           "domain_href": format!("https://api.gandi.net/v5/livedns/domains/{n}"),
                           "domain_keys_href": format!("https://api.gandi.net/v5/livedns/domains/{n}/keys"),
                           "domain_records_href": format!("https://api.gandi.net/v5/livedns/domains/{n}/records")})
                })
                .collect();
            Ok(FakeResponse::json(200, Value::Array(items))
                .with_header("Total-Count", &names.len().to_string()))
        }
        (_, ["domains", d, ..]) if *d != "example.test" => Ok(error(
            404,
            "HTTPNotFound",
            "Not Found",
            "The requested URL was not found on the server.",
        )),
        (method, ["domains", _, "records", rel, rtype]) => {
            let t = check_name(rel, rtype)?;
            let name = fqdn(rel);
            match method {
                "GET" => {
                    let recs = s.store.find(&name, rtype);
                    if recs.is_empty() {
                        return Ok(error(404, "HTTPNotFound", "Not Found", "Unknown record"));
                    }
                    Ok(FakeResponse::json(
                        200,
                        json!({"rrset_name": rel, "rrset_type": rtype, "rrset_ttl": recs[0].ttl,
                               "rrset_values": recs.iter().map(|r| r.content.clone()).collect::<Vec<_>>(),
                               "rrset_href": format!("https://api.gandi.net/v5/livedns/domains/example.test/records/{rel}/{rtype}")}),
                    ))
                }
                "PUT" => {
                    let b = r.json()?;
                    let obj = b.as_object().ok_or("body must be an object")?;
                    for k in obj.keys() {
                        if !["rrset_values", "rrset_ttl"].contains(&k.as_str()) {
                            return Err(format!("PUT: unexpected field {k}"));
                        }
                    }
                    let ttl = match b["rrset_ttl"].as_u64() {
                        Some(t) if (300..=2_592_000).contains(&t) => t as u32,
                        _ => {
                            return Err(format!(
                                "rrset_ttl must be an integer in 300..2592000, got {}",
                                b["rrset_ttl"]
                            ));
                        }
                    };
                    let values = b["rrset_values"]
                        .as_array()
                        .ok_or("rrset_values must be an array")?;
                    if values.is_empty() {
                        return Err(
                            "rrset_values must not be empty (DELETE removes an RRset)".into()
                        );
                    }
                    let mut contents = Vec::new();
                    for v in values {
                        let v = v.as_str().ok_or("each rrset_value is a string")?;
                        if t == RecordType::TXT && !v.starts_with('"') {
                            return Err(format!("TXT value must be quoted, got {v:?}"));
                        }
                        dnsup::update::parse_rdata(t, v, &zone())
                            .map_err(|e| format!("value {v:?}: {e}"))?;
                        contents.push(v.to_string());
                    }
                    let existed = !s.store.find(&name, rtype).is_empty();
                    s.store.set(&name, rtype, ttl, &contents);
                    Ok(FakeResponse::json(
                        if existed { 200 } else { 201 },
                        json!({"message": if existed { "DNS Record Updated" } else { "DNS Record Created" }}),
                    ))
                }
                "DELETE" => {
                    if s.store.find(&name, rtype).is_empty() {
                        return Ok(error(404, "HTTPNotFound", "Not Found", "Unknown record"));
                    }
                    s.store.remove_set(&name, rtype);
                    Ok(FakeResponse::empty(204))
                }
                _ => Err(format!("{method} {}: not a documented method", r.path)),
            }
        }
        _ => Err(format!(
            "{} {}: not a documented endpoint",
            r.method, r.path
        )),
    }
}

fn start(page_size: usize, other_domains: usize) -> (Fake, Shared) {
    serve(
        State {
            store: Store::new("example.test"),
            other_domains: (0..other_domains).map(|i| format!("g{i}.test")).collect(),
            page_size,
        },
        handle,
    )
}

fn provider(fake: &Fake, token: &str) -> (Gandi, Secrets) {
    let secrets = Secrets::new();
    let config: Config = config(&format!(
        "token = {}\n{}",
        secrets.file("gandi.pat", token),
        http_table(fake, "/v5/livedns")
    ));
    (Gandi::new(&config, &mut Setup::default()).unwrap(), secrets)
}

#[test]
fn gandi_passes_the_suite() {
    let (fake, state) = start(2, 3);
    let (p, _dir) = provider(&fake, TOKEN);
    store_passes_the_suite(&p, zone(), &state, |s| &s.store, &fake);
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.path == "/v5/livedns/domains" && r.param("page") == Some("2")),
        "the domain list was followed to page 2"
    );
}

#[test]
fn gandi_honours_rate_limits() {
    let (fake, state) = start(100, 0);
    let (p, _dir) = provider(&fake, TOKEN);
    store_honours_rate_limits(&p, zone(), &state, |s| &s.store, &fake);
}

#[test]
fn gandi_bad_credentials() {
    let (fake, _state) = start(100, 0);
    let wrong = "pat_wrongwrongwrongwrongwrongwrongwrong00";
    let (p, _dir) = provider(&fake, wrong);
    refuses_bad_credentials(&p, &zone(), wrong, &fake);
}

#[test]
fn gandi_raises_small_ttls_and_skips_needless_writes() {
    let (fake, state) = start(100, 0);
    let (p, _dir) = provider(&fake, TOKEN);
    let k = key("example.test.", RecordType::A);
    assert_eq!(
        block(DynProvider::replace(
            &p,
            &zone(),
            &k,
            &[],
            &[v("192.0.2.1"), v("192.0.2.2")],
            60
        ))
        .unwrap(),
        Applied::Done
    );
    let set = block(DynProvider::read(&p, &zone(), &k)).unwrap();
    assert_eq!(set.ttl, Some(300), "raised to Gandi's minimum");
    assert_eq!(
        state.lock().unwrap().store.find("example.test", "A").len(),
        2
    );
    // The same values and (raised) TTL: nothing is written.
    fake.clear();
    block(DynProvider::replace(
        &p,
        &zone(),
        &k,
        &[v("192.0.2.2"), v("192.0.2.1")],
        &[v("192.0.2.1"), v("192.0.2.2")],
        60,
    ))
    .unwrap();
    assert!(fake.requests().iter().all(|r| r.method == "GET"));
    // A multi-string TXT goes out as quoted strings in one value.
    let kt = key("_acme-challenge.example.test.", RecordType::TXT);
    block(DynProvider::replace(
        &p,
        &zone(),
        &kt,
        &[],
        &[txt("\"a\" \"b c\"")],
        300,
    ))
    .unwrap();
    assert_eq!(
        state
            .lock()
            .unwrap()
            .store
            .find("_acme-challenge.example.test", "TXT")[0]
            .content,
        "\"a\" \"b c\""
    );
    fake.assert_clean();
}
