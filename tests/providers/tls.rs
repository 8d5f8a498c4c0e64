//! Certificates are always verified for hosted APIs, and plain HTTP is refused for them: a
//! fake whose CA is not trusted, or an `http://` endpoint, fails before any credential is sent.

use std::str::FromStr;

use dnsup::provider::build::Setup;
use dnsup::provider::{ProviderConfig, ProviderError, RrsetKey};
use hickory_proto::rr::{Name, RecordType};

use super::fake::{Fake, FakeResponse};
use super::harness::{Secrets, config};
use super::suite::block;

fn cloudflare(endpoint: &str, ca_file: Option<&str>, secrets: &Secrets) -> ProviderConfig {
    let ca = ca_file.map_or(String::new(), |c| format!("ca_file = {c:?}\n"));
    config(&format!(
        "type = \"cloudflare\"\ntoken = {}\n[http]\nendpoint = {endpoint:?}\n{ca}",
        secrets.file("token", "tls-test-token")
    ))
}

fn read_error(c: &ProviderConfig) -> ProviderError {
    let p = block(dnsup::provider::build("cf", c, &mut Setup::default())).unwrap();
    let key = RrsetKey {
        name: Name::from_str("www.example.test.").unwrap(),
        rtype: RecordType::A,
    };
    block(p.read(&Name::from_str("example.test.").unwrap(), &key)).unwrap_err()
}

#[test]
fn an_untrusted_certificate_is_refused_before_any_request() {
    let fake = Fake::start(|_| Ok(FakeResponse::json(200, serde_json::json!({}))));
    let secrets = Secrets::new();
    // The fake's own CA is not given: the system roots do not know it.
    let err = read_error(&cloudflare(
        &format!("{}/client/v4", fake.url),
        None,
        &secrets,
    ));
    assert!(
        matches!(&err, ProviderError::Network(m) if m.contains("certificate")),
        "{err}"
    );
    assert!(
        fake.requests().is_empty(),
        "a request got through an unverified TLS session"
    );
}

#[test]
fn plain_http_is_refused_for_hosted_apis() {
    let secrets = Secrets::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/client/v4", listener.local_addr().unwrap());
    let err = read_error(&cloudflare(&url, None, &secrets));
    assert!(matches!(err, ProviderError::Network(_)), "{err}");
    listener.set_nonblocking(true).unwrap();
    assert!(
        listener.accept().is_err(),
        "dnsup connected to a plain-HTTP endpoint"
    );
}
