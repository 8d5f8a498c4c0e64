//! Network faults between dnsup and a real BIND `named`: a proxy ([`common::proxy`]) drops,
//! delays, duplicates, reorders, truncates, corrupts and forges answers, or cuts TCP answers.
//!
//! Every test sends a multi-record update (one UPDATE message) and then reads the zone back by
//! AXFR. Whatever the fault, one of two things must be true:
//! - dnsup exits 0 and the zone holds every record of the update exactly once, with the SOA
//!   serial advanced exactly once; or
//! - dnsup exits with the documented code and a clear one-line error on stderr, and the zone
//!   holds either all of the records (the server applied the update; its answer was lost) or
//!   none of them, never a part.
//!
//! No run may hang: each dnsup runs under a wall-clock guard of its configured timeout plus
//! [`SLACK`], which kills it and fails the test.
//!
//! Retries and non-idempotent updates: when an ANSWER is lost, the server has applied the update
//! and dnsup's resend reaches a zone that already holds it. For an unguarded update this is
//! harmless: RFC 2136 adds and deletes are idempotent, BIND answers NOERROR to the repeated
//! copy without changing the zone (the serial does not move again), and dnsup exits 0. For a
//! guarded update the repeated copy's prerequisite fails; `tests/lost_answer.rs` covers that for
//! the native CLI (exit 3, "may have been applied"), and
//! [`lost_answer_to_a_guarded_script_update`] here covers the nsupdate and knsupdate front ends.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::proxy::{ALL, Fault, Forgery, Proxy};
use common::*;

/// How much longer than its configured timeout a dnsup run may take before it counts as a hang.
const SLACK: Duration = Duration::from_secs(15);

/// The key every update is signed with.
const KEY: &str = "k-sha256";

/// A named instance and the key file dnsup signs with (mode 600: no warning on stderr).
struct Env {
    named: Named,
    key_file: PathBuf,
}

fn env() -> Env {
    let named = Named::start();
    let key_file = write_key_file(named.dir(), key(KEY));
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    Env { named, key_file }
}

/// Transport settings, passed to dnsup as flags.
#[derive(Clone, Copy)]
struct Timing {
    /// Whole exchange with the server, seconds (`--timeout`, nsupdate `-t`).
    timeout: u64,
    /// UDP resends after the first try (`--retries`, nsupdate `-r`).
    retries: u32,
    /// Seconds to wait for each UDP answer before resending (`--retry-interval`, nsupdate `-u`).
    interval: u64,
}

/// Enough for the retries to do their job: 4 tries of 1 s within 10 s.
const RETRYING: Timing = Timing {
    timeout: 10,
    retries: 3,
    interval: 1,
};

/// For runs expected to fail: give up after 3 s.
const GIVE_UP_FAST: Timing = Timing {
    timeout: 3,
    retries: 5,
    interval: 1,
};

/// One multi-record update: `dnsup add NAME A v1 v2 v3` (one UPDATE message).
struct Change {
    name: String,
    values: [&'static str; 3],
}

impl Change {
    fn new(label: &str) -> Change {
        Change {
            name: format!("{label}.example.test."),
            values: ["192.0.2.101", "192.0.2.102", "192.0.2.103"],
        }
    }

    /// The records AXFR shows once the update is applied.
    fn records(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|v| normalize_record(&format!("{} 300 IN A {v}", self.name)))
            .collect()
    }
}

/// What a finished dnsup run printed and how long it took.
struct Run {
    out: Output,
    elapsed: Duration,
}

impl Run {
    fn code(&self) -> i32 {
        self.out
            .status
            .code()
            .unwrap_or_else(|| panic!("dnsup was killed by a signal\n{}", describe(&self.out)))
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    /// The `--json` object on stdout.
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.out.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", describe(&self.out)))
    }
}

/// Runs dnsup with `args` and `stdin` under the hang guard for `timing`.
fn run(args: &[String], stdin: &str, timing: Timing) -> Run {
    let mut cmd = Command::new(dnsup_bin());
    cmd.args(args);
    let started = Instant::now();
    let out = run_with_timeout(
        &mut cmd,
        stdin.as_bytes(),
        Duration::from_secs(timing.timeout) + SLACK,
    );
    let run = Run {
        out,
        elapsed: started.elapsed(),
    };
    eprintln!(
        "dnsup {} -> {:?} after {:?}\nstdout: {}stderr: {}",
        args.join(" "),
        run.out.status.code(),
        run.elapsed,
        String::from_utf8_lossy(&run.out.stdout),
        run.stderr()
    );
    run
}

impl Env {
    fn zone(&self) -> Zone {
        self.named.axfr("example.test")
    }

    /// `dnsup add` of `change` through `proxy`, with `extra` flags.
    fn add(&self, proxy: &Proxy, change: &Change, timing: Timing, extra: &[&str]) -> Run {
        let mut args: Vec<String> = ["add", change.name.as_str(), "A"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(change.values.iter().map(|v| v.to_string()));
        args.extend(
            [
                "--zone",
                "example.test",
                "--server",
                &proxy.addr().to_string(),
                "--key-file",
                self.key_file.to_str().unwrap(),
                "--timeout",
                &timing.timeout.to_string(),
                "--retries",
                &timing.retries.to_string(),
                "--retry-interval",
                &timing.interval.to_string(),
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        args.extend(extra.iter().map(|s| s.to_string()));
        run(&args, "", timing)
    }

    /// `dnsup nsupdate` with `body` after a `server`/`zone` header naming the proxy.
    fn nsupdate(&self, proxy: &Proxy, body: &str, timing: Timing) -> Run {
        let args: Vec<String> = [
            "nsupdate",
            "-k",
            self.key_file.to_str().unwrap(),
            "-t",
            &timing.timeout.to_string(),
            "-r",
            &timing.retries.to_string(),
            "-u",
            &timing.interval.to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let script = format!(
            "server 127.0.0.1 {}\nzone example.test\n{body}",
            proxy.port()
        );
        run(&args, &script, timing)
    }
}

/// Everything a failed assertion should show: the run, the proxy's log, the zones.
fn context(run: &Run, proxy: &Proxy, before: &Zone, after: &Zone) -> String {
    format!(
        "{}\nelapsed: {:?}\n--- proxy log:\n{}\n--- zone before:\n{before}--- zone after:\n{after}",
        describe(&run.out),
        run.elapsed,
        proxy.log()
    )
}

/// Whether the update is in the zone: all of `records` (true) or none (false). Panics on a
/// half-applied update, and on any other difference from `before`. When applied, the serial
/// must have advanced exactly once; when not, the zone must be exactly `before`.
fn applied(before: &Zone, after: &Zone, records: &[String], why: &str) -> bool {
    let present: Vec<&String> = records.iter().filter(|r| after.contains(r)).collect();
    assert!(
        present.is_empty() || present.len() == records.len(),
        "half-applied update: only {present:?} of {records:?}\n{why}"
    );
    if present.is_empty() {
        assert_eq!(after, before, "zone changed without the update\n{why}");
        return false;
    }
    let mut expected = before.without_soa().0;
    expected.extend(records.iter().cloned());
    expected.sort();
    assert_eq!(
        after.without_soa().0,
        expected,
        "zone is not `before` plus the update (records exactly once)\n{why}"
    );
    assert_eq!(
        after.soa_serial(),
        before.soa_serial().wrapping_add(1),
        "the serial must advance exactly once\n{why}"
    );
    true
}

/// The run succeeded and the update is in the zone exactly once. Returns the `--json` object.
fn assert_success(
    e: &Env,
    proxy: &Proxy,
    change: &Change,
    before: &Zone,
    run: &Run,
) -> serde_json::Value {
    let after = e.zone();
    let why = context(run, proxy, before, &after);
    assert_eq!(run.code(), 0, "expected success\n{why}");
    assert!(
        applied(before, &after, &change.records(), &why),
        "exit 0 but the update is not in the zone\n{why}"
    );
    let json = run.json();
    assert_eq!(json["status"], "ok", "{why}");
    json
}

/// The run failed with `code`, saying `says` on stderr, in one `error [...]` line. Returns
/// whether the server applied the update (all records there) or not (none).
fn assert_failure(
    e: &Env,
    proxy: &Proxy,
    change: &Change,
    before: &Zone,
    run: &Run,
    code: i32,
    says: &str,
) -> bool {
    let after = e.zone();
    let why = context(run, proxy, before, &after);
    assert_eq!(run.code(), code, "{why}");
    let stderr = run.stderr();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error ["))
        .collect();
    assert_eq!(errors.len(), 1, "expected one error line\n{why}");
    assert!(errors[0].contains(says), "expected {says:?}\n{why}");
    applied(before, &after, &change.records(), &why)
}

// --- No fault: the proxy itself is transparent ---

#[test]
fn without_a_fault_the_proxy_is_transparent_over_udp_and_tcp() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::None);
    let before = e.zone();
    let change = Change::new("plain");
    let run = e.add(&proxy, &change, RETRYING, &["--json"]);
    let json = assert_success(&e, &proxy, &change, &before, &run);
    assert_eq!((json["sends"].as_u64(), proxy.forwarded()), (Some(1), 1));
    assert_eq!(json["transport"], "udp");

    let before = e.zone();
    let change = Change::new("plain-tcp");
    let run = e.add(&proxy, &change, RETRYING, &["--json", "--tcp"]);
    let json = assert_success(&e, &proxy, &change, &before, &run);
    assert_eq!(json["transport"], "tcp", "{}", proxy.log());
    assert_eq!(proxy.tcp_messages(), 1, "{}", proxy.log());
}

// --- Drop ---

#[test]
fn dropped_queries_are_resent_and_applied_once() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::DropQueries(2));
    let before = e.zone();
    let change = Change::new("dropq");
    let run = e.add(&proxy, &change, RETRYING, &["--json"]);
    let json = assert_success(&e, &proxy, &change, &before, &run);
    // Two copies lost on the way, the third reached named: one copy applied.
    assert_eq!(json["sends"], 3, "{}", proxy.log());
    assert_eq!(proxy.forwarded(), 1, "{}", proxy.log());
    assert_eq!(proxy.faulted(), 2, "{}", proxy.log());
}

/// The first answer is lost after named applied the update: the resent copy meets a zone that
/// already holds the records. The correct outcome for an unguarded update is success: named
/// answers the repeat NOERROR without changing the zone again (records once, serial +1).
#[test]
fn lost_answer_to_an_unguarded_update_is_resent_harmlessly() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::DropAnswers(1));
    let before = e.zone();
    let change = Change::new("dropa");
    let run = e.add(&proxy, &change, RETRYING, &["--json"]);
    let json = assert_success(&e, &proxy, &change, &before, &run);
    assert_eq!(json["sends"], 2, "{}", proxy.log());
    assert_eq!(
        proxy.forwarded(),
        2,
        "named saw both copies\n{}",
        proxy.log()
    );
}

/// The same lost answer for a script guarded by a prerequisite (`prereq nxdomain`), through
/// the nsupdate and the knsupdate front ends: named applied the first copy; the resent copy
/// fails its prerequisite (YXDOMAIN) because of that very copy, so the zone holds the update
/// exactly once. dnsup keeps each tool's verdict and exit status (nsupdate: `update failed:
/// YXDOMAIN`, 2; knsupdate: `update failed with error 'YXDOMAIN'`, 1), and must add that the
/// update was resent and may have been applied, so "failed" is not read as "nothing changed".
#[test]
fn lost_answer_to_a_guarded_script_update() {
    let e = env();
    let knot_key = write_knot_key_file(e.named.dir(), key(KEY));
    std::fs::set_permissions(&knot_key, std::fs::Permissions::from_mode(0o600)).unwrap();
    for front_end in ["nsupdate", "knsupdate"] {
        let proxy = Proxy::start(e.named.addr(), Fault::DropAnswers(1));
        let before = e.zone();
        let owner = |n: u8| format!("{front_end}-g{n}.example.test.");
        let records: Vec<String> = [
            format!("{} 300 IN A 192.0.2.11", owner(1)),
            format!("{} 300 IN TXT \"guarded\"", owner(2)),
            format!("{} 300 IN AAAA 2001:db8::11", owner(3)),
        ]
        .iter()
        .map(|r| normalize_record(r))
        .collect();
        let mut body = format!("prereq nxdomain {}\n", owner(1));
        for r in &records {
            body.push_str(&format!("update add {r}\n"));
        }
        body.push_str("send\n");
        let (run, code, says) = if front_end == "nsupdate" {
            let run = e.nsupdate(&proxy, &body, RETRYING);
            (run, 2, "update failed: YXDOMAIN")
        } else {
            // knsupdate's -t is the total of its 1 + -r tries: 2 s each.
            let args: Vec<String> = [
                "knsupdate",
                "-k",
                knot_key.to_str().unwrap(),
                "-t",
                "8",
                "-r",
                "3",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            let script = format!(
                "server 127.0.0.1 {}\nzone example.test\n{body}",
                proxy.port()
            );
            let run = run(&args, &script, RETRYING);
            (run, 1, "update failed with error 'YXDOMAIN'")
        };
        let after = e.zone();
        let why = context(&run, &proxy, &before, &after);
        assert!(applied(&before, &after, &records, &why), "{why}");
        assert_eq!(proxy.forwarded(), 2, "{why}");
        assert_eq!(run.code(), code, "{why}");
        let stderr = run.stderr();
        assert!(stderr.contains(says), "{why}");
        assert!(stderr.contains("may have been applied"), "{why}");
    }
}

#[test]
fn all_queries_dropped_fails_with_exit_5_and_leaves_the_zone() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::DropQueries(ALL));
    let before = e.zone();
    let change = Change::new("dropall");
    let run = e.add(&proxy, &change, GIVE_UP_FAST, &[]);
    let applied = assert_failure(&e, &proxy, &change, &before, &run, 5, "timed out");
    assert!(!applied, "named never saw the update\n{}", proxy.log());
    assert_eq!(proxy.forwarded(), 0);
}

/// Every answer lost: named applied the update (all of it, once, however many copies came),
/// dnsup cannot know and fails with exit 5; its message must not claim the zone is unchanged.
#[test]
fn all_answers_dropped_fails_with_exit_5_and_the_update_applied_once() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::DropAnswers(ALL));
    let before = e.zone();
    let change = Change::new("dropallans");
    let run = e.add(&proxy, &change, GIVE_UP_FAST, &[]);
    let applied = assert_failure(&e, &proxy, &change, &before, &run, 5, "timed out");
    assert!(
        applied,
        "named answered, so it applied the update\n{}",
        proxy.log()
    );
    assert!(proxy.forwarded() >= 2, "{}", proxy.log());
    assert!(!run.stderr().contains("not changed"), "{}", run.stderr());
    assert!(
        run.stderr()
            .contains("may have received and applied the update"),
        "a lost answer is not a failed update: {}",
        run.stderr()
    );
}

// --- Delay ---

#[test]
fn an_answer_delayed_less_than_the_retry_interval_is_waited_for() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::Delay(Duration::from_millis(400)));
    let before = e.zone();
    let change = Change::new("slow");
    let timing = Timing {
        interval: 2,
        ..RETRYING
    };
    let run = e.add(&proxy, &change, timing, &["--json"]);
    let json = assert_success(&e, &proxy, &change, &before, &run);
    assert_eq!(json["sends"], 1, "no resend\n{}", proxy.log());
    assert_eq!(proxy.forwarded(), 1);
}

/// Answers 1.5 s late with a 1 s retry interval: dnsup resends, then the first copy's late
/// answer arrives and is accepted (same ID, same request MAC, so it verifies). Normally that
/// is after one resend; a loaded machine may fit in another, which is just as correct.
#[test]
fn an_answer_delayed_past_the_retry_interval_is_still_accepted() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::Delay(Duration::from_millis(1500)));
    let before = e.zone();
    let change = Change::new("slower");
    let run = e.add(&proxy, &change, RETRYING, &["--json"]);
    let json = assert_success(&e, &proxy, &change, &before, &run);
    let sends = json["sends"].as_u64().unwrap_or(0);
    assert!(
        sends >= 2,
        "the answer came after a resend\n{}",
        proxy.log()
    );
    assert_eq!(proxy.forwarded() as u64, sends, "{}", proxy.log());
}

/// Answers later than the whole timeout: exit 5 on time; named did apply the update.
#[test]
fn answers_delayed_past_the_timeout_fail_with_exit_5_on_time() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::Delay(Duration::from_secs(6)));
    let before = e.zone();
    let change = Change::new("tooslow");
    let run = e.add(&proxy, &change, GIVE_UP_FAST, &[]);
    let applied = assert_failure(&e, &proxy, &change, &before, &run, 5, "timed out");
    assert!(applied, "{}", proxy.log());
}

// --- Duplicate, reorder ---

/// Every answer twice, over a script of two updates: each is applied once; the stray copy of
/// the first answer does not disturb the second update.
#[test]
fn duplicated_answers_are_harmless() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::Duplicate);
    let before = e.zone();
    let body = "update add d1.example.test. 300 A 192.0.2.21\n\
                update add d2.example.test. 300 A 192.0.2.22\n\
                send\n\
                update delete d1.example.test. A\n\
                update add d3.example.test. 300 A 192.0.2.23\n\
                send\n";
    let run = e.nsupdate(&proxy, body, RETRYING);
    let after = e.zone();
    let why = context(&run, &proxy, &before, &after);
    assert_eq!(run.code(), 0, "{why}");
    let mut expected = before.without_soa().0;
    expected.extend(
        [
            "d2.example.test. 300 IN A 192.0.2.22",
            "d3.example.test. 300 IN A 192.0.2.23",
        ]
        .map(normalize_record),
    );
    expected.sort();
    assert_eq!(after.without_soa().0, expected, "{why}");
    assert_eq!(after.soa_serial(), before.soa_serial() + 2, "{why}");
    assert_eq!(proxy.forwarded(), 2, "one copy of each update\n{why}");
}

/// Each answer is held until the next one: the first try's answer comes after the resend's.
#[test]
fn reordered_answers_are_accepted_once() {
    let e = env();
    let proxy = Proxy::start(e.named.addr(), Fault::Reorder);
    let before = e.zone();
    let change = Change::new("reorder");
    let run = e.add(&proxy, &change, RETRYING, &["--json"]);
    let json = assert_success(&e, &proxy, &change, &before, &run);
    assert_eq!(json["sends"], 2, "{}", proxy.log());
}

// --- Truncation ---

/// An authentic truncated answer (TC, signed as named would) makes dnsup ask again over TCP.
/// named applied the UDP copy already; the TCP copy changes nothing more.
#[test]
fn a_truncated_answer_is_retried_over_tcp() {
    let e = env();
    let proxy = Proxy::start(
        e.named.addr(),
        Fault::Truncate {
            answers: ALL,
            key: Some(key(KEY)),
        },
    );
    let before = e.zone();
    let change = Change::new("tc");
    let run = e.add(&proxy, &change, RETRYING, &["--json"]);
    let json = assert_success(&e, &proxy, &change, &before, &run);
    assert_eq!(json["transport"], "tcp", "{}", proxy.log());
    assert_eq!(proxy.udp_queries(), 1, "{}", proxy.log());
    assert_eq!(proxy.tcp_messages(), 1, "{}", proxy.log());
}

/// Answers that cannot be authentic are ignored, however they are broken: an unsigned TC
/// answer to a signed request, and an answer cut in half. The resend's intact answer is
/// accepted.
#[test]
fn unsigned_truncated_or_cut_short_answers_are_ignored() {
    let e = env();
    for (label, fault) in [
        (
            "tc-unsigned",
            Fault::Truncate {
                answers: 1,
                key: None,
            },
        ),
        ("cut", Fault::CutShort(1)),
    ] {
        let proxy = Proxy::start(e.named.addr(), fault);
        let before = e.zone();
        let change = Change::new(label);
        let run = e.add(&proxy, &change, RETRYING, &["--json"]);
        let json = assert_success(&e, &proxy, &change, &before, &run);
        assert_eq!(json["sends"], 2, "{label}: {}", proxy.log());
        assert_eq!(json["transport"], "udp", "{label}: {}", proxy.log());
    }
}

// --- Corruption ---

/// Bytes flipped in the first two answers: TSIG cannot verify them, they are ignored, and
/// the third try's intact answer is accepted.
#[test]
fn corrupted_answers_are_ignored() {
    let e = env();
    for seed in [0x5eed, 0xfa17] {
        let proxy = Proxy::start(
            e.named.addr(),
            Fault::Corrupt {
                answers: 2,
                flips: 3,
                seed,
            },
        );
        let before = e.zone();
        let change = Change::new(&format!("corrupt-{seed:x}"));
        let run = e.add(&proxy, &change, RETRYING, &["--json"]);
        let json = assert_success(&e, &proxy, &change, &before, &run);
        assert_eq!(json["sends"], 3, "{}", proxy.log());
    }
}

/// Every answer corrupted (one byte each): no authentic answer, exit 4. named applied the
/// update, once.
#[test]
fn only_corrupted_answers_fail_with_exit_4() {
    let e = env();
    let proxy = Proxy::start(
        e.named.addr(),
        Fault::Corrupt {
            answers: ALL,
            flips: 1,
            seed: 0xbad,
        },
    );
    let before = e.zone();
    let change = Change::new("corrupt-all");
    let run = e.add(&proxy, &change, GIVE_UP_FAST, &[]);
    let applied = assert_failure(&e, &proxy, &change, &before, &run, 4, "no authentic answer");
    assert!(applied, "{}", proxy.log());
}

// --- Forgery ---

/// A forged answer before the real one, over UDP and TCP: unsigned NOERROR, unsigned
/// REFUSED, and NOERROR signed with the right key name but the wrong secret. dnsup ignores the
/// forgery, accepts named's signed answer, and does not resend.
#[test]
fn a_forged_answer_before_the_real_one_is_ignored() {
    let e = env();
    for forgery in [
        Forgery::UnsignedNoError,
        Forgery::UnsignedRefused,
        Forgery::WrongKey,
    ] {
        for tcp in [false, true] {
            let proxy = Proxy::start(e.named.addr(), Fault::Forge(forgery));
            let before = e.zone();
            let change = Change::new(&format!(
                "forged-{}-{}",
                format!("{forgery:?}").to_lowercase(),
                if tcp { "tcp" } else { "udp" }
            ));
            let mut extra = vec!["--json"];
            if tcp {
                extra.push("--tcp");
            }
            let run = e.add(&proxy, &change, RETRYING, &extra);
            let json = assert_success(&e, &proxy, &change, &before, &run);
            assert_eq!(json["sends"], 1, "{forgery:?} tcp={tcp}\n{}", proxy.log());
            assert_eq!(proxy.faulted(), 1, "{}", proxy.log());
        }
    }
}

// --- TCP cut ---

/// Over TCP, the proxy writes only part of named's answer (1 byte of the length prefix; or
/// the prefix and 10 bytes of the message) and closes. No answer: exit 5 with a clear error.
/// named applied the update (once).
#[test]
fn a_tcp_answer_cut_by_a_close_fails_with_exit_5() {
    let e = env();
    for bytes in [1, 12] {
        let proxy = Proxy::start(e.named.addr(), Fault::TcpCut { bytes, close: true });
        let before = e.zone();
        let change = Change::new(&format!("tcpcut-{bytes}"));
        let run = e.add(&proxy, &change, GIVE_UP_FAST, &["--tcp"]);
        let applied = assert_failure(&e, &proxy, &change, &before, &run, 5, "closed");
        assert!(applied, "{}", proxy.log());
    }
}

/// Over TCP, part of the answer and then silence: dnsup gives up at its timeout with exit 5.
#[test]
fn a_tcp_answer_stalled_mid_message_fails_with_exit_5_on_time() {
    let e = env();
    let proxy = Proxy::start(
        e.named.addr(),
        Fault::TcpCut {
            bytes: 12,
            close: false,
        },
    );
    let before = e.zone();
    let change = Change::new("tcpstall");
    let run = e.add(&proxy, &change, GIVE_UP_FAST, &["--tcp"]);
    let applied = assert_failure(&e, &proxy, &change, &before, &run, 5, "timed out");
    assert!(applied, "{}", proxy.log());
}
