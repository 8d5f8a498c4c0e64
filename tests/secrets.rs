//! No secret in any output: the daemon runs a full update cycle with debug logging through
//! four kinds of credentials at once — a TSIG key (real named), a PowerDNS API key (real
//! pdns_server), a Bearer token (a webhook through the template adapter) and a dyndns2
//! password (HTTP Basic) — plus a dyndns2 provider whose password is refused, so error paths
//! run too. Every byte the daemon writes (stdout, stderr, the state file) is searched for each
//! secret, and so is the output of `plan`, `detect` and `check-config`.

mod common;
#[path = "providers/fake.rs"]
mod fake;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use base64::Engine;
use common::*;
use fake::{Fake, FakeResponse};

const HOOK_TOKEN: &str = "hook-Tok3n-b5c2f1e0d9a8";
const NOIP_PASSWORD: &str = "noip-Passw0rd-7f3e2d1c";
const WRONG_PASSWORD: &str = "wrong-Passw0rd-0a1b2c3d";

fn secret_file(dir: &Path, name: &str, value: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, format!("{value}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p.display().to_string()
}

/// A webhook that wants `Authorization: Bearer HOOK_TOKEN`, and a dyndns2 endpoint that takes
/// `user:NOIP_PASSWORD` and answers `badauth` to anything else. Records what was published.
fn endpoints(published: Arc<Mutex<Vec<String>>>) -> Fake {
    Fake::start(move |r| {
        r.expect_user_agent()?;
        match (r.method.as_str(), r.path.as_str()) {
            ("PUT", p) if p.starts_with("/hook/") => {
                r.expect_header("authorization", &format!("Bearer {HOOK_TOKEN}"))?;
                published
                    .lock()
                    .unwrap()
                    .push(format!("hook {}", String::from_utf8_lossy(&r.body)));
                Ok(FakeResponse::json(200, serde_json::json!({"ok": true})))
            }
            ("GET", "/nic/update") => {
                let good = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD
                        .encode(format!("user:{NOIP_PASSWORD}"))
                );
                if r.header("authorization") != Some(good.as_str()) {
                    return Ok(FakeResponse::text(401, "badauth"));
                }
                let ip = r.param("myip").unwrap_or_default().to_string();
                published.lock().unwrap().push(format!("noip {ip}"));
                Ok(FakeResponse::text(200, &format!("good {ip}")))
            }
            (m, p) => Err(format!("unexpected {m} {p}")),
        }
    })
}

fn run(args: &[&str], config: &Path) -> Output {
    let out = Command::new(dnsup_bin())
        .args(args)
        .arg("--config")
        .arg(config)
        .env("HOOK_TOKEN", HOOK_TOKEN)
        .output()
        .unwrap();
    eprintln!("{}", describe(&out));
    out
}

#[test]
fn no_secret_reaches_any_output_of_a_full_debug_cycle() {
    let named = Named::start();
    let pdns = Pdns::start();
    let published = Arc::new(Mutex::new(Vec::new()));
    let fake = endpoints(published.clone());
    let dir = tempfile::tempdir().unwrap();
    let tsig = key("k-sha256");
    let key_file = dir.path().join("ddns.key");
    std::fs::write(&key_file, tsig.named_conf()).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let addr_file = dir.path().join("addr");
    std::fs::write(&addr_file, "203.0.113.10\n").unwrap();
    let state = dir.path().join("state.json");
    let config = dir.path().join("dnsup.toml");
    let ca = fake.ca_file.display();
    std::fs::write(
        &config,
        format!(
            r#"interval = "1s"
state_file = "{state}"

[providers.bind]
type = "rfc2136"
servers = ["{named}"]
key_file = "{key}"

[providers.pdns]
type = "powerdns"
url = "{pdns_url}"
api_key = {{ file = "{pdns_key}" }}

[providers.hook]
type = "template"
url = "{fake}/hook/{{name}}"
method = "PUT"
headers = {{ Authorization = "Bearer {{secret}}" }}
body = '{{"ip": "{{ip}}"}}'
secret = {{ env = "HOOK_TOKEN" }}
http = {{ ca_file = "{ca}" }}

{dyndns2}[sources.file]
type = "command"
argv = ["cat", "{addr}"]

{records}"#,
            state = state.display(),
            named = named.addr(),
            key = key_file.display(),
            pdns_url = pdns.api_url(),
            pdns_key = secret_file(dir.path(), "pdns.key", pdns.api_key()),
            fake = fake.url,
            dyndns2 = [("noip", NOIP_PASSWORD), ("wrong", WRONG_PASSWORD)]
                .map(|(name, password)| format!(
                    "[providers.{name}]\ntype = \"dyndns2\"\nurl = \"{}/nic/update\"\n\
                     username = \"user\"\npassword = {{ file = \"{}\" }}\n\
                     http = {{ ca_file = \"{}\" }}\n\n",
                    fake.url,
                    secret_file(dir.path(), &format!("{name}.pw"), password),
                    fake.ca_file.display()
                ))
                .concat(),
            // a: RFC 2136 and b: PowerDNS find their zone; the write-only ones are told it.
            records = [
                ("a", "bind"),
                ("b", "pdns"),
                ("c", "hook"),
                ("d", "noip"),
                ("e", "wrong")
            ]
            .map(|(host, provider)| format!(
                "[[records]]\nname = \"{host}.example.test\"\n{}provider = \"{provider}\"\n\
                     ipv4 = [\"file\"]\nallow = [\"documentation\"]\n\n",
                if matches!(host, "a" | "b") {
                    ""
                } else {
                    "zone = \"example.test\"\n"
                }
            ))
            .concat(),
            addr = addr_file.display(),
        ),
    )
    .unwrap();

    let mut outputs = vec![
        run(&["-vv", "check-config"], &config),
        run(&["-vv", "detect"], &config),
        run(&["-vv", "plan"], &config),
    ];
    let cycle = run(&["-vv", "run", "--once"], &config);
    // Four records published, the fifth refused for its credentials: the only failure is
    // an authentication failure, so the exit code is 4 (as for a wrong TSIG key).
    assert_eq!(cycle.status.code(), Some(4), "{}", describe(&cycle));
    assert_eq!(named.query("a.example.test", "A"), ["203.0.113.10"]);
    assert_eq!(pdns.query("b.example.test", "A"), ["203.0.113.10"]);
    let seen = published.lock().unwrap().clone();
    assert!(seen.contains(&"noip 203.0.113.10".to_string()), "{seen:?}");
    assert!(
        seen.iter()
            .any(|s| s.starts_with("hook") && s.contains("203.0.113.10")),
        "{seen:?}"
    );
    let text = String::from_utf8_lossy(&cycle.stdout);
    assert!(
        text.contains("authentication"),
        "the refused password is reported: {text}"
    );
    // Debug logging really was on: requests were logged.
    assert!(
        String::from_utf8_lossy(&cycle.stderr).contains("DEBUG"),
        "{}",
        describe(&cycle)
    );
    outputs.push(cycle);
    // A second pass with a new address runs the update path of every provider again.
    std::fs::write(&addr_file, "203.0.113.11\n").unwrap();
    outputs.push(run(&["-vv", "run", "--once"], &config));
    assert_eq!(named.query("a.example.test", "A"), ["203.0.113.11"]);

    let mut everything = Vec::new();
    for o in &outputs {
        everything.extend_from_slice(&o.stdout);
        everything.extend_from_slice(&o.stderr);
    }
    everything.extend_from_slice(&std::fs::read(&state).unwrap());
    let everything = String::from_utf8_lossy(&everything);
    let basic = |pw: &str| base64::engine::general_purpose::STANDARD.encode(format!("user:{pw}"));
    for (what, secret) in [
        ("TSIG secret", tsig.secret.to_string()),
        ("PowerDNS API key", pdns.api_key().to_string()),
        ("webhook token", HOOK_TOKEN.to_string()),
        ("dyndns2 password", NOIP_PASSWORD.to_string()),
        ("refused dyndns2 password", WRONG_PASSWORD.to_string()),
        ("dyndns2 Basic credentials", basic(NOIP_PASSWORD)),
        ("refused Basic credentials", basic(WRONG_PASSWORD)),
    ] {
        assert!(
            !everything.contains(&secret),
            "the {what} appears in dnsup's output:\n{everything}"
        );
    }
    fake.assert_clean();
}
