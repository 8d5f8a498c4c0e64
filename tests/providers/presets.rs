//! Every dyndns2/GET preset against its documentation: the request it sends for an IPv4 and
//! an IPv6 update (URL, parameters, auth scheme), written out here by hand from each service's
//! documentation rather than derived from the table, and its documented answers, including the
//! error ones. Then each preset goes through the real HTTP layer to a local HTTPS fake that
//! checks the request and answers as the service does.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use dnsup::provider::build::Setup;
use dnsup::provider::dyndns2::{Config, Dyndns2, answer, outcomes};
use dnsup::provider::http::Response;
use dnsup::provider::preset::{Answer, PRESETS};
use dnsup::provider::{Applied, DynProvider, ProviderError, RrsetKey};
use hickory_proto::rr::RecordType;

use super::fake::{Fake, FakeResponse};
use super::harness::Secrets;
use super::suite::{block, key, v};

const USER: &str = "user";
const PASS: &str = "pw-s3cret";
const HOST: &str = "h.example.net";
const V4: &str = "192.0.2.1";
const V6: &str = "2001:db8::1";
const V6Q: &str = "2001%3Adb8%3A%3A1";

/// How a documented request authenticates.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Creds {
    /// `Authorization: Basic user:password`.
    Basic,
    /// `Authorization: Basic host:password` (one key per host).
    BasicHost,
    /// In the query or the path: no Authorization header.
    InUrl,
}

/// One service as its documentation describes it: the URL of an IPv4 update of `HOST` to
/// `V4`, of an IPv6 update to `V6` (empty: A only), the auth scheme, extra configuration.
struct Doc {
    name: &'static str,
    v4: &'static str,
    v6: &'static str,
    creds: Creds,
    config: &'static str,
}

const fn d(name: &'static str, v4: &'static str, v6: &'static str, creds: Creds) -> Doc {
    Doc {
        name,
        v4,
        v6,
        creds,
        config: "",
    }
}

use Creds::{Basic, BasicHost, InUrl};

/// The documented requests (query order as dnsup sends it; services take any order).
fn docs() -> Vec<Doc> {
    vec![
        d(
            "noip",
            "https://dynupdate.no-ip.com/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://dynupdate.no-ip.com/nic/update?hostname=h.example.net&myipv6=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "dyn",
            "https://members.dyndns.org/v3/update?hostname=h.example.net&myip=192.0.2.1",
            "https://members.dyndns.org/v3/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "dnsomatic",
            "https://updates.dnsomatic.com/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "",
            Basic,
        ),
        d(
            "dynv6",
            "https://dynv6.com/api/update?hostname=h.example.net&token=pw-s3cret&ipv4=192.0.2.1",
            "https://dynv6.com/api/update?hostname=h.example.net&token=pw-s3cret&ipv6=2001%3Adb8%3A%3A1",
            InUrl,
        ),
        d(
            "he",
            "https://dyn.dns.he.net/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://dyn.dns.he.net/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            BasicHost,
        ),
        d(
            "dynu",
            "https://api.dynu.com/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://api.dynu.com/nic/update?hostname=h.example.net&myipv6=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "infomaniak",
            "https://infomaniak.com/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://infomaniak.com/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "loopia",
            "https://dyndns.loopia.se/?hostname=h.example.net&myip=192.0.2.1",
            "https://dyndns.loopia.se/?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "ovh-dynhost",
            "https://www.ovh.com/nic/update?hostname=h.example.net&myip=192.0.2.1&system=dyndns",
            "",
            Basic,
        ),
        d(
            "all-inkl",
            "https://dyndns.kasserver.com/?host=h.example.net&myip=192.0.2.1",
            "https://dyndns.kasserver.com/?host=h.example.net&myip6=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "changeip",
            "https://nic.changeip.com/nic/update?hostname=h.example.net&ip=192.0.2.1",
            "https://nic.changeip.com/nic/update?hostname=h.example.net&ip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "domeneshop",
            "https://api.domeneshop.no/v0/dyndns/update?hostname=h.example.net&myip=192.0.2.1",
            "https://api.domeneshop.no/v0/dyndns/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "easydns",
            "https://api.cp.easydns.com/dyn/generic.php?hostname=h.example.net&myip=192.0.2.1",
            "https://api.cp.easydns.com/dyn/generic.php?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "inwx",
            "https://dyndns.inwx.com/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://dyndns.inwx.com/nic/update?hostname=h.example.net&myipv6=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "strato",
            "https://dyndns.strato.com/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://dyndns.strato.com/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "dnshome",
            "https://www.dnshome.de/dyndns.php?hostname=h.example.net&ip=192.0.2.1",
            "https://www.dnshome.de/dyndns.php?hostname=h.example.net&ip6=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "ipv64",
            "https://ipv64.net/nic/update?domain=h.example.net&key=pw-s3cret&ip=192.0.2.1",
            "https://ipv64.net/nic/update?domain=h.example.net&key=pw-s3cret&ip6=2001%3Adb8%3A%3A1",
            InUrl,
        ),
        d(
            "joker",
            "https://svc.joker.com/nic/update?hostname=h.example.net&username=user&password=pw-s3cret&myip=192.0.2.1",
            "https://svc.joker.com/nic/update?hostname=h.example.net&username=user&password=pw-s3cret&myip=2001%3Adb8%3A%3A1",
            InUrl,
        ),
        d(
            "opendns",
            "https://updates.opendns.com/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "",
            Basic,
        ),
        d(
            "selfhost",
            "https://carol.selfhost.de/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "",
            Basic,
        ),
        d(
            "simply",
            "https://api.simply.com/dyndns2/?hostname=h.example.net&myip=192.0.2.1",
            "https://api.simply.com/dyndns2/?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "spdyn",
            "https://update.spdyn.de/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://update.spdyn.de/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "variomedia",
            "https://dyndns.variomedia.de/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://dyndns.variomedia.de/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "nic-ru",
            "https://api.nic.ru/dyndns/update?hostname=h.example.net&myip=192.0.2.1",
            "",
            Basic,
        ),
        d(
            "now-dns",
            "https://now-dns.com/update?hostname=h.example.net&myip=192.0.2.1",
            "https://now-dns.com/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "nsupdate-info",
            "https://ipv4.nsupdate.info/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://ipv6.nsupdate.info/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            BasicHost,
        ),
        d(
            "oray",
            "https://ddns.oray.com/ph/update?hostname=h.example.net&myip=192.0.2.1",
            "",
            Basic,
        ),
        d(
            "pubyun",
            "https://members.3322.org/dyndns/update?hostname=h.example.net&myip=192.0.2.1",
            "",
            Basic,
        ),
        d(
            "schokokeks",
            "https://dyndns.schokokeks.org/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://dyndns.schokokeks.org/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "udmedia",
            "https://www.udmedia.de/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://www.udmedia.de/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "websupport",
            "https://dyndns.websupport.sk/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://dyndns.websupport.sk/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "dy-fi",
            "https://www.dy.fi/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "",
            Basic,
        ),
        d(
            "dyndns-it",
            "https://update.dyndns.it/nic/update?hostname=h.example.net&myip=192.0.2.1",
            "https://update.dyndns.it/nic/update?hostname=h.example.net&myip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "core-networks",
            "https://dyndns.core-networks.de/?hostname=h.example.net&myip=192.0.2.1&keepipv6=1",
            "https://dyndns.core-networks.de/?hostname=h.example.net&myip=2001%3Adb8%3A%3A1&keepipv4=1",
            Basic,
        ),
        d(
            "twodns",
            "https://update.twodns.de/update?hostname=h.example.net&ip=192.0.2.1",
            "https://update.twodns.de/update?hostname=h.example.net&ip=2001%3Adb8%3A%3A1",
            Basic,
        ),
        d(
            "ddnss",
            "https://www.ddnss.de/upd.php?host=h.example.net&user=user&pwd=pw-s3cret&ip=192.0.2.1",
            "https://www.ddnss.de/upd.php?host=h.example.net&user=user&pwd=pw-s3cret&ip6=2001%3Adb8%3A%3A1",
            InUrl,
        ),
        d(
            "key-systems",
            "https://dynamicdns.key-systems.net/update.php?hostname=h.example.net&password=pw-s3cret&ip=192.0.2.1",
            "",
            InUrl,
        ),
        d(
            "zoneedit",
            "https://dynamic.zoneedit.com/auth/dynamic.html?host=h.example.net&dnsto=192.0.2.1",
            "",
            Basic,
        ),
        Doc {
            config: "record_id = \"12345\"",
            ..d(
                "dnsmadeeasy",
                "https://cp.dnsmadeeasy.com/servlet/updateip?id=12345&username=user&password=pw-s3cret&ip=192.0.2.1",
                "https://cp.dnsmadeeasy.com/servlet/updateip?id=12345&username=user&password=pw-s3cret&ip=2001%3Adb8%3A%3A1",
                InUrl,
            )
        },
        d(
            "dondominio",
            "https://dondns.dondominio.com/plain/?host=h.example.net&user=user&password=pw-s3cret&ip=192.0.2.1",
            "",
            InUrl,
        ),
        d(
            "freemyip",
            "https://freemyip.com/update?domain=h.example.net&token=pw-s3cret&myip=192.0.2.1",
            "https://freemyip.com/update?domain=h.example.net&token=pw-s3cret&myip=2001%3Adb8%3A%3A1",
            InUrl,
        ),
        d(
            "goip",
            "https://www.goip.de/setip?subdomain=h.example.net&username=user&password=pw-s3cret&ip=192.0.2.1&shortResponse=true",
            "https://www.goip.de/setip?subdomain=h.example.net&username=user&password=pw-s3cret&ip6=2001%3Adb8%3A%3A1&shortResponse=true",
            InUrl,
        ),
        d(
            "regfish",
            "https://dyndns.regfish.de/?fqdn=h.example.net&token=pw-s3cret&ip=192.0.2.1&forcehost=1&authtype=secure",
            "https://dyndns.regfish.de/?fqdn=h.example.net&token=pw-s3cret&ipv6=2001%3Adb8%3A%3A1&forcehost=1&authtype=secure",
            InUrl,
        ),
        Doc {
            config: "record_id = \"12345\"",
            ..d(
                "sitelutions",
                "https://www.sitelutions.com/dnsup?id=12345&user=user&pass=pw-s3cret&ip=192.0.2.1",
                "",
                InUrl,
            )
        },
        d(
            "mydns-jp",
            "https://www.mydns.jp/directip.html?MID=user&PWD=pw-s3cret&IPV4ADDR=192.0.2.1",
            "https://www.mydns.jp/directip.html?MID=user&PWD=pw-s3cret&IPV6ADDR=2001%3Adb8%3A%3A1",
            InUrl,
        ),
        d(
            "duiadns",
            "https://ipv4.duiadns.net/dynamic.duia?host=h.example.net&password=pw-s3cret&ip4=192.0.2.1",
            "",
            InUrl,
        ),
        d(
            "freedns",
            "https://sync.afraid.org/u/pw-s3cret/?ip=192.0.2.1",
            "https://v6.sync.afraid.org/u/pw-s3cret/?ip=2001%3Adb8%3A%3A1",
            InUrl,
        ),
    ]
}

/// What an answer must turn into.
#[derive(Clone, Copy, Debug)]
enum Want {
    Done,
    Auth,
    Refused,
    Blocked,
    Wait,
    Bad,
}

fn is(want: Want, got: &Result<Applied, ProviderError>) -> bool {
    match (want, got) {
        (Want::Done, Ok(Applied::Done)) => true,
        (Want::Auth, Err(ProviderError::Auth(_))) => true,
        (Want::Refused, Err(ProviderError::Refused(_))) => true,
        (Want::Blocked, Err(ProviderError::Blocked(_))) => true,
        (Want::Wait, Err(ProviderError::Throttled(_, s))) => *s >= 600,
        (Want::Bad, Err(ProviderError::Protocol(_))) => true,
        _ => false,
    }
}

/// The documented answers of the services with their own answer words (status, body, meaning).
fn own_answers(name: &str) -> Vec<(u16, &'static str, Want)> {
    use Want::*;
    match name {
        "easydns" => vec![
            (200, "NOERROR", Done),
            (200, "NOACCESS", Auth),
            (200, "NOSERVICE", Refused),
            (200, "ILLEGAL INPUT", Refused),
            (200, "TOOSOON", Wait),
        ],
        "ddnss" => vec![
            (200, "<html>Updated 1 hostname.</html>", Done),
            (200, "badauth", Auth),
            (200, "badysys", Refused),
            (200, "notfqdn", Refused),
        ],
        "zoneedit" => vec![
            (
                200,
                "<SUCCESS CODE=\"200\" TEXT=\"Update succeeded.\" ZONE=\"example.net\" IP=\"192.0.2.1\">",
                Done,
            ),
            (200, "<SUCCESS CODE=\"201\" TEXT=\"no change\">", Done),
            (
                200,
                "<ERROR CODE=\"707\" TEXT=\"Duplicate updates for the same host/ip\">",
                Wait,
            ),
            (200, "<ERROR CODE=\"708\" TEXT=\"Login failed\">", Auth),
            (200, "<ERROR CODE=\"709\" TEXT=\"Bad hostname\">", Refused),
        ],
        "dnsmadeeasy" => vec![
            (200, "success", Done),
            (200, "error-record-ip-same", Done),
            (200, "error-auth", Auth),
            (200, "error-auth-suspend", Blocked),
            (200, "error-record-invalid", Refused),
            (200, "error-system", Wait),
        ],
        "sitelutions" => vec![
            (200, "success", Done),
            (200, "failure: bad record id", Refused),
            (200, "dberror", Wait),
        ],
        "regfish" => vec![
            (200, "success|100|update succeeded!", Done),
            (200, "success|101|no update needed at this time..", Done),
            (200, "fail|401|authentication failed", Auth),
            (200, "fail|406|invalid ip", Refused),
        ],
        "freemyip" => vec![(200, "OK", Done), (200, "ERROR", Refused)],
        "freedns" => vec![
            (
                200,
                "Updated 1 host(s) h.example.net to 192.0.2.1 in 0.2 seconds",
                Done,
            ),
            (
                200,
                "No IP change detected for h.example.net with IP 192.0.2.1, skipping update",
                Done,
            ),
            (
                200,
                "ERROR: Unable to locate this record (changed password recently? deleted and re-created this dynamic entry?)",
                Auth,
            ),
        ],
        "duiadns" => vec![
            (
                200,
                "<html>Hostname h.example.net updated to 192.0.2.1</html>",
                Done,
            ),
            (200, "<html>Invalid password</html>", Bad),
        ],
        "dondominio" => vec![
            (200, "host:h.example.net\nIP:192.0.2.1", Done),
            (200, "OK", Done),
            (200, "ERROR: invalid user", Refused),
        ],
        "goip" | "key-systems" => vec![
            (200, "h.example.net (192.0.2.1) updated", Done),
            (200, "zugriff verweigert", Refused),
        ],
        _ => vec![],
    }
}

fn response(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![],
        body: body.as_bytes().to_vec(),
        what: "GET /update".into(),
    }
}

fn build(name: &str, extra: &str, endpoint: Option<(&Fake, &str)>, secrets: &Secrets) -> Dyndns2 {
    let mut text = format!(
        "service = \"{name}\"\nusername = \"{USER}\"\npassword = {}\n{extra}\n",
        secrets.file(&format!("{name}.pw"), PASS)
    );
    if let Some((fake, path)) = endpoint {
        text.push_str(&super::harness::http_table(fake, path));
    }
    let c: Config = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    Dyndns2::new(&c, &mut Setup::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn basic(user: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{PASS}"))
    )
}

/// Every alive preset has a documented request here, and sends exactly it.
#[test]
fn presets_send_the_documented_requests() {
    let docs = docs();
    for p in PRESETS.iter().filter(|p| p.dead.is_none()) {
        assert!(
            docs.iter().any(|d| d.name == p.name),
            "preset {} has no documented request in tests/providers/presets.rs",
            p.name
        );
    }
    let secrets = Secrets::new();
    for doc in &docs {
        let p = build(doc.name, doc.config, None, &secrets);
        for (rtype, ip, want) in [(RecordType::A, V4, doc.v4), (RecordType::AAAA, V6, doc.v6)] {
            let serves = p.capabilities().serves(rtype);
            if want.is_empty() {
                assert!(
                    !serves,
                    "{}: {rtype} is documented as unsupported",
                    doc.name
                );
                continue;
            }
            assert!(serves, "{}: {rtype} should be served", doc.name);
            let r = p.request(&[HOST.to_string()], rtype, ip);
            assert_eq!(r.url.as_str(), want, "{} {rtype}", doc.name);
            let auth = r.header_value("authorization").map(str::to_string);
            let expected = match doc.creds {
                Basic => Some(basic(USER)),
                BasicHost => Some(basic(HOST)),
                InUrl => None,
            };
            assert_eq!(auth, expected, "{} {rtype}: Authorization", doc.name);
            assert!(r.header_value("user-agent").unwrap().starts_with("dnsup/"));
            assert_eq!(r.method, reqwest::Method::GET, "{}", doc.name);
            assert!(r.body.is_empty());
            // A message about the request never shows the secret.
            assert!(!r.describe().contains(PASS) || doc.name == "freedns");
        }
    }
}

/// The answers each service documents, errors included, mean what they say.
#[test]
fn presets_read_their_documented_answers() {
    let k: RrsetKey = key("h.example.net.", RecordType::A);
    for p in PRESETS.iter().filter(|p| p.dead.is_none()) {
        let cases: Vec<(u16, &str, Want)> = match p.answer {
            Answer::Dyndns2 => vec![
                (200, "good 192.0.2.1", Want::Done),
                (200, "nochg 192.0.2.1", Want::Done),
                (200, "badauth", Want::Auth),
                (401, "badauth", Want::Auth),
                (200, "nohost", Want::Refused),
                (200, "notfqdn", Want::Refused),
                (200, "!donator", Want::Refused),
                (200, "abuse", Want::Blocked),
                (200, "badagent", Want::Blocked),
                (200, "911", Want::Wait),
                (200, "dnserr", Want::Wait),
                (200, "<html>maintenance</html>", Want::Bad),
            ],
            Answer::Status => vec![
                (200, "", Want::Done),
                (204, "", Want::Done),
                (401, "invalid token", Want::Auth),
                (403, "forbidden", Want::Auth),
                (404, "host not found", Want::Refused),
                (500, "oops", Want::Bad),
            ],
            Answer::Echo | Answer::Words(_) => {
                let own = own_answers(p.name);
                assert!(
                    !own.is_empty(),
                    "{}: no documented answers in the test",
                    p.name
                );
                let mut all = own;
                all.push((401, "Unauthorized", Want::Auth));
                all
            }
        };
        for (status, body, want) in cases {
            let got = answer(p.answer, &k, V4, &response(status, body), body);
            let got = match (want, got) {
                // A 5xx is a network error: the daemon retries later.
                (Want::Bad, Err(ProviderError::Network(m))) if status >= 500 => {
                    Err(ProviderError::Protocol(m))
                }
                (_, g) => g,
            };
            assert!(is(want, &got), "{}: {status} {body:?} gave {got:?}", p.name);
        }
    }
}

/// Several host names in one request (where documented), and an answer with fewer lines than
/// hosts: the hosts without a line are not counted as done.
#[test]
fn multi_host_requests_and_short_answers() {
    let secrets = Secrets::new();
    let hosts: Vec<String> = ["a.example.net", "b.example.net", "c.example.net"]
        .iter()
        .map(ToString::to_string)
        .collect();
    let keys: Vec<RrsetKey> = hosts
        .iter()
        .map(|h| key(&format!("{h}."), RecordType::A))
        .collect();
    let multi: Vec<_> = PRESETS
        .iter()
        .filter(|p| p.dead.is_none() && p.multi_host.is_some())
        .collect();
    assert!(
        multi.len() >= 3,
        "noip, dyn, strato, domeneshop document it"
    );
    for p in multi {
        let d = build(p.name, "", None, &secrets);
        let r = d.request(&hosts, RecordType::A, V4);
        let (_, value) = r
            .url
            .query_pairs()
            .find(|(k, _)| k == "hostname")
            .unwrap_or_else(|| panic!("{}: no hostname", p.name));
        assert_eq!(
            value, "a.example.net,b.example.net,c.example.net",
            "{}",
            p.name
        );
        if p.answer == Answer::Dyndns2 {
            let got = outcomes(&keys, V4, "good 192.0.2.1\nnochg 192.0.2.1\n");
            assert_eq!(got[0], Ok(Applied::Done));
            assert_eq!(got[1], Ok(Applied::Done));
            assert!(
                matches!(&got[2], Err(ProviderError::Protocol(m)) if m.contains("not confirmed"))
            );
            let got = outcomes(&keys, V4, "good 192.0.2.1\nabuse\n911");
            assert!(matches!(got[1], Err(ProviderError::Blocked(_))));
            assert!(matches!(got[2], Err(ProviderError::Throttled(_, 1800))));
        }
    }
}

/// Each preset through the real HTTP layer: a local HTTPS fake at the preset's path checks the
/// request (method, path, parameters, auth, User-Agent) and answers with the service's success
/// answer, then with a documented error.
#[test]
fn presets_update_through_a_fake_service() {
    let secrets = Secrets::new();
    for doc in docs() {
        let p = dnsup::provider::preset::find(doc.name).unwrap();
        let want = reqwest::Url::parse(doc.v4).unwrap();
        let path = want.path().to_string();
        let expected_query: Vec<(String, String)> = want
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let seen = Arc::new(Mutex::new(0usize));
        let counter = seen.clone();
        let creds = doc.creds;
        let name = doc.name;
        let ok_answer = match p.answer {
            Answer::Dyndns2 => (200, "good 192.0.2.1".to_string()),
            Answer::Status => (200, String::new()),
            _ => {
                let (s, b, _) = own_answers(name)[0];
                (s, b.to_string())
            }
        };
        let fake = Fake::start(move |r| {
            *counter.lock().unwrap() += 1;
            r.expect_user_agent()?;
            if r.method != "GET" {
                return Err(format!("{name}: updates are GET"));
            }
            if r.path != path {
                return Err(format!("{name}: path {} instead of {path}", r.path));
            }
            if r.query != expected_query {
                return Err(format!(
                    "{name}: query {:?} instead of {expected_query:?}",
                    r.query
                ));
            }
            match creds {
                Basic => r.expect_header("authorization", &basic(USER))?,
                BasicHost => r.expect_header("authorization", &basic(HOST))?,
                InUrl if r.header("authorization").is_some() => {
                    return Err(format!("{name}: credentials go in the URL, not a header"));
                }
                InUrl => {}
            }
            Ok(FakeResponse::text(ok_answer.0, &ok_answer.1))
        });
        // The endpoint is the service's URL on the fake (the token path segment is added by
        // the adapter, so the fake sees the documented path).
        let endpoint_path = if p.auth == dnsup::provider::preset::Auth::Path {
            reqwest::Url::parse(p.url).unwrap().path().to_string()
        } else {
            want.path().to_string()
        };
        let d = build(
            doc.name,
            doc.config,
            Some((&fake, &endpoint_path)),
            &secrets,
        );
        let zone = key("example.net.", RecordType::A).name;
        let k = key("h.example.net.", RecordType::A);
        let got = block(DynProvider::replace(&d, &zone, &k, &[], &[v(V4)], 60));
        assert_eq!(got, Ok(Applied::Done), "{name}");
        fake.assert_clean();
        assert_eq!(*seen.lock().unwrap(), 1, "{name}: one request");
        // A documented refusal is an error, never a success, and never shows the secret.
        fake.inject(FakeResponse::text(401, "badauth"));
        let err = block(DynProvider::replace(&d, &zone, &k, &[], &[v(V4)], 60)).unwrap_err();
        assert!(matches!(err, ProviderError::Auth(_)), "{name}: {err}");
        assert!(
            !format!("{err} {err:?}").contains(PASS),
            "{name}: secret in {err}"
        );
    }
    let _ = V6Q;
}

/// Dead services are refused with the reason, before anything is sent.
#[test]
fn dead_services_are_refused_with_the_reason() {
    let secrets = Secrets::new();
    for name in ["google", "dslreports"] {
        let text = format!(
            "service = \"{name}\"\nusername = \"u\"\npassword = {}\n",
            secrets.file(&format!("{name}.pw"), PASS)
        );
        let c: Config = toml::from_str(&text).unwrap();
        let err = Dyndns2::new(&c, &mut Setup::default()).unwrap_err();
        assert!(err.contains("compatible endpoint"), "{name}: {err}");
    }
    for kind in ["yandex", "cloudxns"] {
        let conf: dnsup::provider::ProviderConfig =
            toml::from_str(&format!("type = \"{kind}\"\ntoken = \"x\"\n")).unwrap();
        let err = block(dnsup::provider::build(kind, &conf, &mut Setup::default()))
            .err()
            .unwrap();
        assert!(err.contains(kind), "{err}");
        assert!(dnsup::provider::registry::dead(kind).is_some());
    }
}
