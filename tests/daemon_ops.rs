//! The daemon as an operator lives with it (issue 11), against a real named: the regression
//! tests of defects 8 (exit codes of `run --once`/`plan`) and 10 (a confirmation dated in the
//! future), the log at the default level through start, change, outage and recovery, the
//! README's first run on the annotated example, the lock, SIGUSR1, `dnsup status`, the state
//! file's mode, readiness before a slow server, SIGTERM during a hung source, and a server
//! name that does not resolve.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::daemon::{DaemonSetup, daemon_setup, stdout, wait_for};
use common::*;

/// `home.example.test` A from a command source, compressed back-off (1-2 s), 2 s timeout.
fn setup(server: SocketAddr) -> DaemonSetup {
    daemon_setup(
        server,
        "retry_min = \"1s\"\nretry_max = \"2s\"\n",
        "2s",
        None,
    )
}

/// Replace the key file with `k-sha256` under a secret the server does not have.
fn wrong_key(s: &DaemonSetup) {
    let key_file = s.dir.path().join("ddns.key");
    let text = key("k-sha256").named_conf().replace(
        key("k-sha256").secret,
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    std::fs::write(&key_file, text).unwrap();
}

/// A UDP relay in front of `server` that drops everything while `down` is set.
fn switchable_relay(server: SocketAddr, down: Arc<AtomicBool>) -> SocketAddr {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = front.local_addr().unwrap();
    front
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    thread::spawn(move || {
        let back = UdpSocket::bind("127.0.0.1:0").unwrap();
        back.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut buf = [0u8; 65535];
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(180) {
            let Ok((n, client)) = front.recv_from(&mut buf) else {
                continue;
            };
            if down.load(Ordering::SeqCst) {
                continue;
            }
            back.send_to(&buf[..n], server).unwrap();
            let mut answer = [0u8; 65535];
            if let Ok(m) = back.recv(&mut answer) {
                let _ = front.send_to(&answer[..m], client);
            }
        }
    });
    addr
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Defect 8: a wrong key made `run --once` exit 7, like "no address", and lost the CLI's
/// explanation. Now 4 (TSIG), with the reason; a dead server is 5 (network).
#[test]
fn regression_run_once_exits_4_for_a_wrong_key_and_5_for_a_dead_server() {
    let named = Named::start();
    let s = setup(named.addr());
    wrong_key(&s);
    let out = s.once();
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(
        stdout(&out).contains("the secret does not match the server's"),
        "{}",
        describe(&out)
    );
    let out = s.command(&["plan"]);
    assert_eq!(out.status.code(), Some(4), "plan too: {}", describe(&out));
    assert!(named.query("home.example.test", "A").is_empty());

    // Nothing listens on this port: no answer.
    let dead = {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.local_addr().unwrap()
    };
    let s = setup(dead);
    let out = s.once();
    assert_eq!(out.status.code(), Some(5), "{}", describe(&out));
    assert!(
        stdout(&out).contains("failed: network"),
        "{}",
        describe(&out)
    );
}

/// Defect 10: a state entry confirmed in 2100 (a Pi without RTC that booted with a wrong clock)
/// made every pass say "unchanged" without asking the server, for ever.
#[test]
fn regression_a_state_entry_confirmed_in_the_future_is_read_again() {
    let named = Named::start();
    let s = setup(named.addr());
    std::fs::write(
        &s.state,
        r#"{"version":1,"records":{"home.example.test./A":
            {"published":["203.0.113.10"],"ttl":60,"confirmed_at":4102444800}}}"#,
    )
    .unwrap();
    let out = s.once();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stdout(&out).contains("created 203.0.113.10"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.10"]);
}

/// At the default level: the start line, each change, a failure said once however long the
/// outage, the recovery, and nothing at all while nothing happens. Timestamps, since stderr is
/// not journald here.
#[test]
fn the_default_log_says_start_changes_outage_recovery_and_is_quiet_when_steady() {
    let named = Named::start();
    let down = Arc::new(AtomicBool::new(false));
    let relay = switchable_relay(named.addr(), down.clone());
    let s = setup(relay);
    let (mut running, log) = s.spawn_with(&["run"], &[]);
    wait_for("the first publication", Duration::from_secs(20), || {
        read(&log).contains("created 203.0.113.10")
    });
    let text = read(&log);
    let start = text
        .lines()
        .find(|l| l.contains("dnsup running (version"))
        .unwrap_or_else(|| panic!("a start line: {text}"));
    assert!(start.starts_with("20"), "a timestamp first: {start}");
    assert!(start.contains(&s.config.display().to_string()), "{start}");
    assert!(start.contains("1 record (home.example.test./A)"), "{start}");
    assert!(start.contains("sources file (command cat"), "{start}");
    let created = text
        .lines()
        .find(|l| l.contains("created 203.0.113.10"))
        .unwrap();
    assert!(created.contains("home.example.test./A"), "{created}");
    assert!(created.contains("(TTL 60)"), "{created}");
    assert!(created.contains("lab (rfc2136 127.0.0.1:"), "{created}");
    assert!(!text.contains("DEBUG"), "{text}");

    // A steady state prints nothing new (the poll runs every second).
    let before = read(&log);
    thread::sleep(Duration::from_secs(3));
    assert_eq!(read(&log), before, "steady state must be quiet");

    // A change of address.
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    wait_for("the update line", Duration::from_secs(20), || {
        read(&log).contains("updated 203.0.113.10 -> 203.0.113.11")
    });

    // An outage, long enough for several tries: said once.
    down.store(true, Ordering::SeqCst);
    std::fs::write(&s.addr_file, "203.0.113.12\n").unwrap();
    wait_for("the failure", Duration::from_secs(20), || {
        read(&log).contains("failed")
    });
    thread::sleep(Duration::from_secs(8));
    let text = read(&log);
    let failures = text.lines().filter(|l| l.contains("failed")).count();
    assert_eq!(failures, 1, "a repeated failure is said once:\n{text}");
    assert!(!text.contains("backing off"), "{text}");
    let status = s.command(&["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let st = &v["records"][0]["status"];
    assert_eq!(st["condition"], "failing", "{v}");
    assert!(st["consecutive_failures"].as_u64().unwrap() >= 2, "{v}");
    assert_eq!(st["last_error"]["kind"], "network", "{v}");

    // The server is back.
    down.store(false, Ordering::SeqCst);
    wait_for("the recovery", Duration::from_secs(20), || {
        let text = read(&log);
        text.contains("updated 203.0.113.11 -> 203.0.113.12") && text.contains("recovered after")
    });
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.12"]);
    let before = read(&log);
    thread::sleep(Duration::from_secs(3));
    assert_eq!(read(&log), before, "steady state must be quiet again");

    running.signal("TERM");
    assert!(running.wait(Duration::from_secs(20)).success());
    eprintln!("the daemon's log:\n{}", read(&log));
    assert!(
        read(&log).contains("dnsup stopped (SIGTERM)"),
        "{}",
        read(&log)
    );
}

/// README: `check-config`, `detect`, `plan`, `run --once` on `contrib/dnsup.toml`, adapted
/// only where it must be (the test's named and key, a source that works offline, the test
/// zone), outside systemd.
#[test]
fn the_readme_first_run_works_on_the_annotated_example() {
    let named = Named::start();
    let s = setup(named.addr());
    let example = std::fs::read_to_string(repo_root().join("contrib/dnsup.toml")).unwrap();
    let mut conf: toml::Table = example.parse().unwrap();
    conf.insert("state_file".into(), s.state.display().to_string().into());
    let home = conf["providers"]["home"].as_table().unwrap().clone();
    let mut home = home;
    home.insert(
        "servers".into(),
        toml::Value::Array(vec![named.addr().to_string().into()]),
    );
    home.insert(
        "key_file".into(),
        s.dir.path().join("ddns.key").display().to_string().into(),
    );
    let mut providers = toml::Table::new();
    providers.insert("home".into(), home.into());
    conf.insert("providers".into(), providers.into());
    let mut source = toml::Table::new();
    source.insert("type".into(), "command".into());
    source.insert(
        "argv".into(),
        toml::Value::Array(vec!["cat".into(), s.addr_file.display().to_string().into()]),
    );
    let mut sources = toml::Table::new();
    sources.insert("wan".into(), source.into());
    conf.insert("sources".into(), sources.into());
    let records = conf["records"].as_array().unwrap().clone();
    let mut record = records[0].as_table().unwrap().clone();
    record.insert("name".into(), "home.example.test".into());
    record.insert("zone".into(), "example.test".into());
    record.insert("ipv4".into(), toml::Value::Array(vec!["wan".into()]));
    record.remove("ipv6");
    record.insert(
        "allow".into(),
        toml::Value::Array(vec!["documentation".into()]),
    );
    conf.insert("records".into(), toml::Value::Array(vec![record.into()]));
    std::fs::write(&s.config, emit(&conf)).unwrap();

    let out = s.command(&["check-config"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = s.command(&["detect"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(stdout(&out).contains("would publish 203.0.113.10"));
    let out = s.command(&["plan"]);
    assert_eq!(
        out.status.code(),
        Some(8),
        "changes pending: {}",
        describe(&out)
    );
    assert!(stdout(&out).contains("would create 203.0.113.10 (TTL 60)"));
    let out = s.command(&["run", "--once"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.10"]);
    let out = s.command(&["plan"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing pending: {}",
        describe(&out)
    );
    let out = s.command(&["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(stdout(&out).contains("in sync"), "{}", describe(&out));
}

/// TOML text for a configuration table (the crate's writer is a feature dnsup does not build):
/// top-level keys, `[a.b]` tables, `[[records]]`; strings, numbers, booleans and arrays.
fn emit(conf: &toml::Table) -> String {
    fn value(v: &toml::Value) -> String {
        match v {
            toml::Value::String(s) => format!("{s:?}"),
            toml::Value::Array(a) => {
                format!("[{}]", a.iter().map(value).collect::<Vec<_>>().join(", "))
            }
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => panic!("not written by this test: {other:?}"),
        }
    }
    fn table(out: &mut String, path: &str, t: &toml::Table, header: &str) {
        if !header.is_empty() {
            out.push_str(&format!("\n{header}\n"));
        }
        for (k, v) in t {
            let nested = v.is_table()
                || v.as_array()
                    .is_some_and(|a| !a.is_empty() && a.iter().all(toml::Value::is_table));
            if !nested {
                out.push_str(&format!("{k} = {}\n", value(v)));
            }
        }
        for (k, v) in t {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            match v {
                toml::Value::Table(sub) => table(out, &p, sub, &format!("[{p}]")),
                toml::Value::Array(a) if !a.is_empty() && a.iter().all(toml::Value::is_table) => {
                    for item in a {
                        table(out, &p, item.as_table().unwrap(), &format!("[[{p}]]"));
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    table(&mut out, "", conf, "");
    out
}

/// One daemon per state file: a second `run` (or `run --once`) names the first one's PID.
#[test]
fn a_second_daemon_on_the_same_state_file_is_refused_naming_the_first() {
    let named = Named::start();
    let s = setup(named.addr());
    let (mut running, log) = s.spawn_with(&["run"], &[]);
    wait_for("the daemon", Duration::from_secs(20), || {
        read(&log).contains("created")
    });
    for args in [&["run", "--once"][..], &["run"][..]] {
        let out = s.command(args);
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("PID {}", running.pid())) && err.contains("state file"),
            "{err}"
        );
    }
    assert!(running.alive());
    running.signal("TERM");
    running.wait(Duration::from_secs(20));
    // Released with the process.
    assert_eq!(s.once().status.code(), Some(0));
}

/// SIGUSR1 asks for a pass now, whatever the poll interval.
#[test]
fn sigusr1_makes_a_running_daemon_check_now() {
    let named = Named::start();
    let s = setup(named.addr());
    let (running, log) = s.spawn_with(&["run", "--interval", "1h"], &[]);
    wait_for("the first publication", Duration::from_secs(20), || {
        named.query("home.example.test", "A") == ["203.0.113.10"]
    });
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    thread::sleep(Duration::from_secs(2));
    assert_eq!(
        named.query("home.example.test", "A"),
        ["203.0.113.10"],
        "no pass before the hour"
    );
    running.signal("USR1");
    wait_for("the update after SIGUSR1", Duration::from_secs(20), || {
        named.query("home.example.test", "A") == ["203.0.113.11"]
    });
    assert!(read(&log).contains("SIGUSR1: checking"), "{}", read(&log));
}

/// `dnsup status`: the last change, the failures in a row and the last error, as a table and
/// as JSON, from the state file.
#[test]
fn status_shows_the_last_change_and_the_failures() {
    let named = Named::start();
    let s = setup(named.addr());
    assert_eq!(s.once().status.code(), Some(0));
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    assert_eq!(s.once().status.code(), Some(0));
    std::fs::write(&s.addr_file, "203.0.113.12\n").unwrap();
    wrong_key(&s);
    assert_eq!(s.once().status.code(), Some(4));

    let out = s.command(&["status"]);
    assert_eq!(
        out.status.code(),
        Some(7),
        "a record is failing: {}",
        describe(&out)
    );
    let text = stdout(&out);
    assert!(text.starts_with("RECORD"), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("home.example.test./A (lab)"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("failing"), "{row}");
    assert!(row.contains("203.0.113.10 -> 203.0.113.11"), "{row}");
    assert!(row.contains("auth since"), "{row}");
    assert!(row.contains("BADSIG"), "{row}");

    let out = s.command(&["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["records"][0];
    assert_eq!(r["record"], "home.example.test./A", "{v}");
    assert_eq!(r["published"][0], "203.0.113.11", "{v}");
    assert_eq!(r["healthy"], false, "{v}");
    let st = &r["status"];
    assert_eq!(st["condition"], "failing");
    assert_eq!(st["consecutive_failures"], 1);
    assert_eq!(st["last_error"]["kind"], "auth");
    assert_eq!(st["last_change"]["from"][0], "203.0.113.10");
    assert_eq!(st["last_change"]["to"][0], "203.0.113.11");
    assert!(st["last_success"].as_u64().unwrap() <= st["last_attempt"].as_u64().unwrap());
}

/// Rewriting the state file keeps its mode and owner.
#[test]
fn a_rewritten_state_file_keeps_its_mode_and_owner() {
    let named = Named::start();
    let s = setup(named.addr());
    assert_eq!(s.once().status.code(), Some(0));
    std::fs::set_permissions(&s.state, std::fs::Permissions::from_mode(0o640)).unwrap();
    // As root (the tests are), the owner can be someone else: nobody's uid and gid.
    std::os::unix::fs::chown(&s.state, Some(65534), Some(65534)).unwrap();
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    assert_eq!(s.once().status.code(), Some(0));
    assert_eq!(s.state_addresses(), ["203.0.113.11"]);
    let meta = std::fs::metadata(&s.state).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
}

/// READY=1 goes to systemd once the configuration is loaded, before the first pass waits for
/// a server that never answers.
#[test]
fn ready_does_not_wait_for_a_black_holed_server() {
    let hole = UdpSocket::bind("127.0.0.1:0").unwrap();
    let s = setup(hole.local_addr().unwrap());
    let notify_path = s.dir.path().join("notify");
    let notify = std::os::unix::net::UnixDatagram::bind(&notify_path).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let (_running, log) = s.spawn_with(&["run"], &[("NOTIFY_SOCKET", notify_path.as_path())]);
    let mut buf = [0u8; 256];
    let n = notify.recv(&mut buf).expect("READY=1");
    assert_eq!(&buf[..n], b"READY=1");
    assert!(
        !read(&log).contains("failed"),
        "READY=1 came after the first pass: {}",
        read(&log)
    );
    wait_for("the failure", Duration::from_secs(30), || {
        read(&log).contains("failed: network")
    });
    drop(hole);
}

/// SIGTERM while a source hangs ends the daemon at once, not after the source's timeout.
#[test]
fn sigterm_cancels_a_hung_source() {
    let named = Named::start();
    let s = setup(named.addr());
    let text = std::fs::read_to_string(&s.config).unwrap();
    let cat = format!("argv = [\"cat\", \"{}\"]", s.addr_file.display());
    assert!(text.contains(&cat));
    let text = text.replace(&cat, "argv = [\"sleep\", \"120\"]");
    std::fs::write(&s.config, format!("source_timeout = \"120s\"\n{text}")).unwrap();
    let (mut running, log) = s.spawn_with(&["run"], &[]);
    wait_for("the start", Duration::from_secs(20), || {
        read(&log).contains("dnsup running")
    });
    thread::sleep(Duration::from_millis(500));
    running.signal("TERM");
    // The source would hang for two minutes: the daemon ends well before.
    let status = running.wait(Duration::from_secs(30));
    assert!(status.success(), "{status}: {}", read(&log));
    assert!(read(&log).contains("dnsup stopped (SIGTERM)"));
}

/// A server name that does not resolve (a boot before the resolver is up) is a network
/// failure, retried, not a configuration error that stops the daemon.
#[test]
fn a_server_name_that_does_not_resolve_is_retried_not_fatal() {
    let s = setup("127.0.0.1:9".parse().unwrap());
    let text = std::fs::read_to_string(&s.config).unwrap().replace(
        "servers = [\"127.0.0.1:9\"]",
        "servers = [\"ns.invalid:53\"]",
    );
    std::fs::write(&s.config, text).unwrap();
    let out = s.once();
    assert_eq!(out.status.code(), Some(5), "{}", describe(&out));
    assert!(stdout(&out).contains("ns.invalid"), "{}", describe(&out));
    let (mut running, log) = s.spawn_with(&["run"], &[]);
    wait_for("the failure", Duration::from_secs(30), || {
        read(&log).contains("failed: network")
    });
    assert!(running.alive(), "{}", read(&log));
}

/// `-v`, `-vv` and `-vvv` are distinct: debug (each record at each pass), trace of dnsup (each
/// source's answer, each message written), trace of the libraries too.
#[test]
fn verbosity_levels_are_distinct() {
    let named = Named::start();
    let s = setup(named.addr());
    let levels: Vec<String> = [
        &["run", "--once"][..],
        &["-v", "run", "--once"],
        &["-vv", "run", "--once"],
    ]
    .iter()
    .map(|args| String::from_utf8_lossy(&s.command(args).stderr).into_owned())
    .collect();
    assert!(
        !levels[0].contains("DEBUG") && !levels[0].contains("TRACE"),
        "{}",
        levels[0]
    );
    assert!(
        levels[1].contains("DEBUG") && !levels[1].contains("TRACE"),
        "{}",
        levels[1]
    );
    assert!(
        levels[2].contains("TRACE") && levels[2].contains("source file ipv4: 203.0.113.10"),
        "{}",
        levels[2]
    );
    // -vvv: the libraries' own lines too (hickory's), which -vv leaves out: the same work
    // (one update) logs more.
    let update = |args: &[&str], addr: &str| {
        std::fs::write(&s.addr_file, format!("{addr}\n")).unwrap();
        let text = String::from_utf8_lossy(&s.command(args).stderr).into_owned();
        text.lines()
            .filter(|l| l.contains("TRACE") || l.contains("DEBUG"))
            .count()
    };
    let vv = update(&["-vv", "run", "--once"], "203.0.113.11");
    let vvv = update(&["-vvv", "run", "--once"], "203.0.113.12");
    assert!(vvv > vv, "-vvv adds the libraries' lines: {vvv} <= {vv}");
}

/// A host without IPv6 (here: a source that prints only an IPv4 address, asked for IPv6):
/// "left alone: ..." for the AAAA record is said once, not at every pass.
#[test]
fn a_standing_no_address_is_said_once() {
    let named = Named::start();
    let s = setup(named.addr());
    let text = std::fs::read_to_string(&s.config)
        .unwrap()
        .replace("ipv4 = [\"file\"]", "ipv4 = [\"file\"]\nipv6 = [\"file\"]");
    std::fs::write(&s.config, text).unwrap();
    let (_running, log) = s.spawn_with(&["run"], &[]);
    wait_for("the A record", Duration::from_secs(20), || {
        read(&log).contains("created 203.0.113.10")
    });
    // Four passes at least (interval 1 s).
    thread::sleep(Duration::from_secs(4));
    let text = read(&log);
    let said = text
        .lines()
        .filter(|l| l.contains("home.example.test./AAAA: left alone"))
        .count();
    assert_eq!(said, 1, "{text}");
    assert!(named.query("home.example.test", "AAAA").is_empty());
}

/// Under journald (JOURNAL_STREAM set), which stamps every line itself, no timestamp.
#[test]
fn no_timestamps_under_journald() {
    let named = Named::start();
    let s = setup(named.addr());
    let stream = std::path::Path::new("8:12345");
    let (_running, log) = s.spawn_with(&["run"], &[("JOURNAL_STREAM", stream)]);
    wait_for("the start line", Duration::from_secs(20), || {
        read(&log).contains("dnsup running")
    });
    let text = read(&log);
    let start = text.lines().find(|l| l.contains("dnsup running")).unwrap();
    assert!(start.trim_start().starts_with("INFO"), "{start}");
}
