//! The reconcile decisions with explicit times.

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn set(ttl: u32, ips: &[&str]) -> Rrset {
    Rrset {
        ttl: Some(ttl),
        values: ips.iter().map(|s| rdata(ip(s))).collect(),
    }
}

const P: Policy = Policy {
    force_refresh: 1000,
    backoff_base: 5,
    backoff_max: 60,
};

#[test]
fn unchanged_address_needs_no_read_until_the_forced_refresh() {
    let m = confirmed(&[ip("192.0.2.1")], 60, 100);
    assert!(!needs_read(Some(&m), &[ip("192.0.2.1")], 60, 101, &P));
    assert!(!needs_read(Some(&m), &[ip("192.0.2.1")], 60, 1099, &P));
    assert!(needs_read(Some(&m), &[ip("192.0.2.1")], 60, 1100, &P));
}

#[test]
fn a_confirmation_dated_in_the_future_is_stale() {
    // Written by a clock 75 years ahead: without this, force_refresh would wait until 2100.
    let m = confirmed(&[ip("192.0.2.1")], 60, 4_102_444_800);
    assert!(needs_read(
        Some(&m),
        &[ip("192.0.2.1")],
        60,
        1_764_000_000,
        &P
    ));
    // One second ahead is a wrong clock too (the next pass, with the clock right, re-reads).
    let m = confirmed(&[ip("192.0.2.1")], 60, 101);
    assert!(needs_read(Some(&m), &[ip("192.0.2.1")], 60, 100, &P));
}

#[test]
fn a_new_address_a_new_ttl_or_no_memory_needs_a_read() {
    let m = confirmed(&[ip("192.0.2.1")], 60, 100);
    assert!(needs_read(Some(&m), &[ip("192.0.2.2")], 60, 101, &P));
    assert!(needs_read(Some(&m), &[ip("192.0.2.1")], 300, 101, &P));
    assert!(needs_read(None, &[ip("192.0.2.1")], 60, 101, &P));
}

#[test]
fn order_and_duplicates_do_not_matter() {
    let m = confirmed(&[ip("192.0.2.2"), ip("192.0.2.1")], 60, 100);
    assert!(!needs_read(
        Some(&m),
        &[ip("192.0.2.1"), ip("192.0.2.2"), ip("192.0.2.1")],
        60,
        101,
        &P
    ));
}

#[test]
fn plan_is_in_sync_only_with_same_values_and_ttl() {
    assert_eq!(
        plan(&[ip("192.0.2.1")], &set(60, &["192.0.2.1"]), 60),
        Plan::InSync
    );
    let Plan::Replace { expected, new } = plan(&[ip("192.0.2.1")], &set(300, &["192.0.2.1"]), 60)
    else {
        panic!("a TTL change is a change");
    };
    assert_eq!(expected, set(300, &["192.0.2.1"]).values);
    assert_eq!(new, vec![rdata(ip("192.0.2.1"))]);
}

#[test]
fn plan_guards_with_what_was_read() {
    let actual = set(60, &["198.51.100.7", "198.51.100.8"]);
    match plan(&[ip("192.0.2.1")], &actual, 60) {
        Plan::Replace { expected, new } => {
            assert_eq!(expected, actual.values);
            assert_eq!(new, vec![rdata(ip("192.0.2.1"))]);
        }
        other => panic!("{other:?}"),
    }
    // Absent RRset: the guard is "does not exist" (empty expected).
    match plan(&[ip("2001:db8::1")], &Rrset::default(), 60) {
        Plan::Replace { expected, new } => {
            assert!(expected.is_empty());
            assert_eq!(new, vec![rdata(ip("2001:db8::1"))]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn backoff_doubles_up_to_the_cap_and_resets() {
    let mut b = Backoff::default();
    assert!(b.ready(0));
    assert_eq!(b.failed(100, &P, 0.0), 105);
    assert!(!b.ready(104));
    assert!(b.ready(105));
    assert_eq!(b.failed(105, &P, 0.0), 115);
    assert_eq!(b.failed(115, &P, 0.0), 135);
    assert_eq!(b.failed(135, &P, 0.0), 175);
    assert_eq!(b.failed(175, &P, 0.0), 235, "capped at 60 s");
    for _ in 0..100 {
        b.failed(0, &P, 0.0);
    }
    assert_eq!(b.until(), 60, "no overflow after many failures");
    b.succeeded();
    assert!(b.ready(0));
    assert_eq!(b.failures(), 0);
}

#[test]
fn jitter_spreads_by_at_most_a_fifth() {
    let mut lo = Backoff::default();
    let mut hi = Backoff::default();
    for _ in 0..5 {
        lo.failed(0, &P, -1.0);
        hi.failed(0, &P, 1.0);
    }
    assert_eq!(lo.until(), 48);
    assert_eq!(hi.until(), 72);
    let mut wild = Backoff::default();
    assert_eq!(wild.failed(0, &P, 50.0), 6, "jitter is clamped");
}
