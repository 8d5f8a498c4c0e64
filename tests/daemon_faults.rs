//! The daemon under faults, against a real named behind a UDP relay the test controls: the
//! server gone for a long time, a flapping address, a clock jump, a full disk under the state
//! file, and SIGTERM in the middle of an update. After each: no lost update once the fault
//! clears, no update storm (the relay counts every UPDATE), and a state file that parses.
//!
//! Long outages are compressed: `retry_max = "2s"` makes the back-off reach its ceiling in
//! seconds, where the default (30 min) would take an hour of downtime to get there.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use common::daemon::{DaemonSetup, daemon_setup, stdout, wait_for};
use common::*;

/// A UDP relay in front of named: drops everything while `down`, delays UPDATE answers by
/// `update_delay_ms`, counts what it forwards, and reports each UPDATE it sees.
struct Relay {
    addr: SocketAddr,
    down: Arc<AtomicBool>,
    update_delay_ms: Arc<AtomicU64>,
    updates_forwarded: Arc<AtomicUsize>,
    packets_while_down: Arc<AtomicUsize>,
    update_seen: mpsc::Receiver<()>,
    stop: Arc<AtomicBool>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn relay(server: SocketAddr) -> Relay {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = front.local_addr().unwrap();
    front
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let down = Arc::new(AtomicBool::new(false));
    let delay = Arc::new(AtomicU64::new(0));
    let updates = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (seen_tx, seen_rx) = mpsc::channel();
    let (d, dl, u, dr, st) = (
        down.clone(),
        delay.clone(),
        updates.clone(),
        dropped.clone(),
        stop.clone(),
    );
    thread::spawn(move || {
        let mut buf = [0u8; 65535];
        while !st.load(Ordering::SeqCst) {
            let Ok((n, client)) = front.recv_from(&mut buf) else {
                continue;
            };
            if d.load(Ordering::SeqCst) {
                dr.fetch_add(1, Ordering::SeqCst);
                continue;
            }
            let is_update = n > 2 && (buf[2] >> 3) & 0x0f == 5;
            if is_update {
                u.fetch_add(1, Ordering::SeqCst);
                let _ = seen_tx.send(());
            }
            let query = buf[..n].to_vec();
            let front = front.try_clone().unwrap();
            let delay = if is_update {
                Duration::from_millis(dl.load(Ordering::SeqCst))
            } else {
                Duration::ZERO
            };
            // Each exchange on its own thread, so a delayed answer does not hold up others.
            thread::spawn(move || {
                let back = UdpSocket::bind("127.0.0.1:0").unwrap();
                back.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
                back.send_to(&query, server).unwrap();
                let mut answer = [0u8; 65535];
                if let Ok(m) = back.recv(&mut answer) {
                    thread::sleep(delay);
                    let _ = front.send_to(&answer[..m], client);
                }
            });
        }
    });
    Relay {
        addr,
        down,
        update_delay_ms: delay,
        updates_forwarded: updates,
        packets_while_down: dropped,
        update_seen: seen_rx,
        stop,
    }
}

/// `home.example.test` A from a command source reading `addr_file`; the state file in
/// `state_dir` (default: the temporary directory). Long outages are compressed (see above).
fn setup(server: SocketAddr, state_dir: Option<&Path>) -> DaemonSetup {
    daemon_setup(
        server,
        "retry_min = \"1s\"\nretry_max = \"2s\"\n",
        "2s",
        state_dir,
    )
}

#[test]
fn a_long_outage_ends_in_exactly_one_update_without_a_storm() {
    let named = Named::start();
    let r = relay(named.addr());
    r.down.store(true, Ordering::SeqCst);
    let s = setup(r.addr, None);
    let (_running, log) = s.spawn();
    // Down for 8 s: with retry_max 2 s the daemon tries every 1-2 s (plus its 2 s timeout),
    // so a handful of packets, never a flood.
    thread::sleep(Duration::from_secs(8));
    let dropped = r.packets_while_down.load(Ordering::SeqCst);
    assert!(
        dropped >= 2,
        "the daemon kept trying while the server was down ({dropped})"
    );
    assert!(
        dropped <= 24,
        "{dropped} packets in 8 s of outage: an update storm"
    );
    assert!(named.query("home.example.test", "A").is_empty());
    let serial = named.soa_serial("example.test");

    r.down.store(false, Ordering::SeqCst);
    wait_for(
        "the record after the outage",
        Duration::from_secs(20),
        || named.query("home.example.test", "A") == ["203.0.113.10"],
    );
    // A few more passes: nothing else is sent.
    thread::sleep(Duration::from_secs(3));
    assert_eq!(
        r.updates_forwarded.load(Ordering::SeqCst),
        1,
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    assert_eq!(named.soa_serial("example.test"), serial + 1);
    assert_eq!(s.state_addresses(), ["203.0.113.10"]);
}

#[test]
fn a_flapping_address_costs_at_most_one_update_per_change() {
    let named = Named::start();
    let r = relay(named.addr());
    let s = setup(r.addr, None);
    let serial = named.soa_serial("example.test");
    let (_running, _log) = s.spawn();
    wait_for("the first publication", Duration::from_secs(10), || {
        named.query("home.example.test", "A") == ["203.0.113.10"]
    });
    // Flap between two addresses 12 times, 400 ms apart (faster than the 1 s poll).
    let mut changes = 0;
    for i in 0..12 {
        let a = if i % 2 == 0 {
            "203.0.113.11"
        } else {
            "203.0.113.10"
        };
        std::fs::write(&s.addr_file, format!("{a}\n")).unwrap();
        changes += 1;
        thread::sleep(Duration::from_millis(400));
    }
    std::fs::write(&s.addr_file, "203.0.113.12\n").unwrap();
    changes += 1;
    wait_for("the final address", Duration::from_secs(10), || {
        named.query("home.example.test", "A") == ["203.0.113.12"]
    });
    thread::sleep(Duration::from_secs(2));
    let updates = r.updates_forwarded.load(Ordering::SeqCst);
    // One initial publication plus at most one per change; the poll sees fewer changes
    // than were made, so usually far fewer.
    assert!(
        updates <= changes + 1,
        "{updates} updates for {changes} changes"
    );
    // Every UPDATE that was forwarded was applied once: the serial moved by exactly that much.
    assert_eq!(named.soa_serial("example.test"), serial + updates as u32);
    assert_eq!(s.state_addresses(), ["203.0.113.12"]);
}

/// The clocks of dnsup and the server drift apart by two hours, both ways, while the daemon
/// runs: TSIG fails with BADTIME (reported with the skew), nothing is changed, and once the
/// clocks agree again the pending change is made exactly once. The server's clock is the one
/// moved (libfaketime in knotd; dnsup is a static binary, which LD_PRELOAD cannot reach): for
/// TSIG only the difference counts. The daemon's own timers use the monotonic clock, so a
/// jump of its wall clock cannot stretch or cancel a back-off.
#[test]
fn a_clock_jump_is_reported_and_the_update_follows_once_the_clock_is_right() {
    let clock_dir = tempfile::tempdir().unwrap();
    let clock = clock_dir.path().join("offset");
    std::fs::write(&clock, "+0\n").unwrap();
    let knot = Knot::start_with(ServerOptions::default().clock_file(&clock));
    let r = relay(knot.addr());
    let s = setup(r.addr, None);
    let (_running, log) = s.spawn();
    wait_for("the first publication", Duration::from_secs(10), || {
        knot.query("home.example.test", "A") == ["203.0.113.10"]
    });
    let read_log = || std::fs::read_to_string(&log).unwrap();
    for jump in ["+2h", "-2h"] {
        std::fs::write(&clock, format!("{jump}\n")).unwrap();
        let before = read_log().matches("BADTIME").count();
        std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
        wait_for("a BADTIME failure", Duration::from_secs(15), || {
            read_log().matches("BADTIME").count() > before
        });
        assert_eq!(
            knot.query("home.example.test", "A"),
            ["203.0.113.10"],
            "{jump}"
        );
        std::fs::write(&s.addr_file, "203.0.113.10\n").unwrap();
    }
    let text = read_log();
    assert!(
        text.contains("s ahead of ours"),
        "the skew is named: {text}"
    );
    assert!(text.contains("s behind ours"), "the skew is named: {text}");
    assert_eq!(
        r.updates_forwarded.load(Ordering::SeqCst),
        1,
        "signed reads fail first: no UPDATE is sent"
    );

    std::fs::write(&clock, "+0\n").unwrap();
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    wait_for(
        "the update once the clocks agree",
        Duration::from_secs(20),
        || knot.query("home.example.test", "A") == ["203.0.113.11"],
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        r.updates_forwarded.load(Ordering::SeqCst),
        2,
        "{}",
        read_log()
    );
}

/// A tmpfs of a few pages that the test fills up; unmounted when dropped.
struct TinyDisk(tempfile::TempDir);

impl TinyDisk {
    fn mount() -> TinyDisk {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "this test mounts a small tmpfs and must run as root: {}",
            describe(&out)
        );
        TinyDisk(dir)
    }

    fn fill(&self) {
        let mut f = std::fs::File::create(self.0.path().join("filler")).unwrap();
        use std::io::Write;
        let block = [0u8; 4096];
        while f.write_all(&block).and_then(|()| f.sync_all()).is_ok() {}
    }

    fn free(&self) {
        std::fs::remove_file(self.0.path().join("filler")).unwrap();
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn a_full_disk_keeps_the_old_state_file_whole_and_loses_no_update() {
    let named = Named::start();
    let disk = TinyDisk::mount();
    let s = setup(named.addr(), Some(disk.0.path()));
    let out = s.once();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(s.state_addresses(), ["203.0.113.10"]);

    disk.fill();
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    let out = s.once();
    // The update itself does not need the disk: it is applied, and the failure to remember it
    // is reported.
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.11"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("state"),
        "the save failure is reported: {}",
        describe(&out)
    );
    assert_eq!(
        s.state_addresses(),
        ["203.0.113.10"],
        "the old state file is intact"
    );

    disk.free();
    let serial = named.soa_serial("example.test");
    let out = s.once();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // The stale memory only causes a read: the server already holds the address.
    assert!(
        stdout(&out).contains("in sync (203.0.113.11)"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.soa_serial("example.test"), serial);
    assert_eq!(s.state_addresses(), ["203.0.113.11"]);
}

#[test]
fn sigterm_in_the_middle_of_an_update_finishes_it_and_exits() {
    let named = Named::start();
    let r = relay(named.addr());
    r.update_delay_ms.store(1_500, Ordering::SeqCst);
    let s = setup(r.addr, None);
    let (mut running, log) = s.spawn();
    r.update_seen
        .recv_timeout(Duration::from_secs(15))
        .expect("the daemon sends an UPDATE");
    // The answer is held back by the relay: the daemon is waiting for it.
    let kill = Command::new("kill")
        .args(["-TERM", &running.pid().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = running.wait(Duration::from_secs(10));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status}: {text}");
    assert!(text.contains("created 203.0.113.10"), "{text}");
    assert!(text.contains("dnsup stopped"), "{text}");
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.10"]);
    assert_eq!(s.state_addresses(), ["203.0.113.10"]);

    // After a restart nothing is sent again.
    let serial = named.soa_serial("example.test");
    let out = s.once();
    assert!(
        stdout(&out).contains("unchanged (203.0.113.10)"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.soa_serial("example.test"), serial);
    assert_eq!(r.updates_forwarded.load(Ordering::SeqCst), 1);
}
