//! The session: what persists, what a send takes, blank lines, quit and end of input, each as
//! observed with the installed nsupdate (against a named on 127.0.0.1) and knsupdate.

use hickory_proto::rr::DNSClass;

use super::*;
use crate::update::{Change, Prerequisite};

fn run(s: &mut Session, lines: &[&str]) -> Vec<Action> {
    lines
        .iter()
        .filter_map(|l| s.feed(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

#[test]
fn send_takes_the_pending_update_and_settings_persist() {
    let mut s = Session::new(Dialect::Nsupdate);
    let actions = run(
        &mut s,
        &[
            "server 127.0.0.1 53531",
            "local 127.0.0.1",
            "zone example.test",
            "key hmac-sha256:k c2VjcmV0",
            "nxdomain h.example.test",
            "add h.example.test 300 A 192.0.2.1",
            "send",
        ],
    );
    let [Action::Send(p)] = actions.as_slice() else {
        panic!("{actions:?}")
    };
    assert_eq!(
        p.prerequisites,
        vec![Prerequisite::NameNotInUse(n("h.example.test."))]
    );
    assert_eq!(p.changes.len(), 1);
    assert_eq!(p.zone, Some(n("example.test.")));
    assert_eq!(p.server, Some(("127.0.0.1".into(), Some(53531))));
    assert_eq!(p.local, Some(("127.0.0.1".parse().unwrap(), None)));
    assert_eq!(p.class, DNSClass::IN);
    assert_eq!(p.key.as_ref().map(|k| k.name.as_str()), Some("k"));
    // nsupdate: after a send the message starts empty; zone, server, key stay.
    let after = s.pending();
    assert!(after.is_empty());
    assert_eq!(
        (after.zone, after.server, after.key),
        (p.zone.clone(), p.server.clone(), p.key.clone())
    );
}

#[test]
fn blank_line_is_send_in_nsupdate_even_when_empty() {
    let mut s = Session::new(Dialect::Nsupdate);
    // With zone and server set, nsupdate really sends an empty UPDATE on a blank line (seen in
    // named's answer); without them there is nothing to send: the caller checks is_empty().
    let actions = run(&mut s, &["", "   ", "add h. 1 A 192.0.2.1", ""]);
    assert_eq!(actions.len(), 3);
    assert!(matches!(&actions[0], Action::Send(p) if p.is_empty()));
    assert!(matches!(&actions[2], Action::Send(p) if p.changes.len() == 1));
    let mut k = Session::new(Dialect::Knsupdate);
    assert!(run(&mut k, &["", "  ", "; c", "zone x."]).is_empty());
}

#[test]
fn quit_and_end_of_input_drop_the_update() {
    let mut s = Session::new(Dialect::Nsupdate);
    let actions = run(&mut s, &["add h. 1 A 192.0.2.1", "quit"]);
    assert_eq!(actions, vec![Action::Quit]);
    let mut s = Session::new(Dialect::Nsupdate);
    run(&mut s, &["add h. 1 A 192.0.2.1"]);
    assert_eq!(s.finish(), None);
    assert_eq!(s.dropped().map(|p| p.changes.len()), Some(1));
    assert!(s.pending().is_empty());
    let mut s = Session::new(Dialect::Nsupdate);
    run(&mut s, &["add h. 1 A 192.0.2.1", "send"]);
    assert_eq!(s.finish(), None);
    assert!(s.dropped().is_none());
    let mut k = Session::new(Dialect::Knsupdate);
    assert_eq!(
        run(&mut k, &["zone x.", "add h.x. A 192.0.2.1", "exit"]),
        vec![Action::Quit]
    );
    let mut k = Session::new(Dialect::Knsupdate);
    run(&mut k, &["zone x.", "add h.x. A 192.0.2.1"]);
    assert_eq!(k.finish(), None);
    assert!(k.dropped().is_some());
}

#[test]
fn other_actions() {
    let mut s = Session::new(Dialect::Nsupdate);
    let actions = run(
        &mut s,
        &["answer", "help", "version", "debug", "debug", "; x", "show"],
    );
    assert_eq!(
        actions[..3],
        [Action::Answer, Action::Help, Action::Version]
    );
    assert!(matches!(actions[3], Action::Show(_)));
    assert_eq!(s.debug_level(), 2);
    assert_eq!(s.feed("realm X").unwrap(), None);
    assert_eq!(s.pending().realm.as_deref(), Some("X"));
    assert_eq!(s.pending().gss, None);
    assert_eq!(s.feed("gsstsig").unwrap(), None);
    assert_eq!(s.pending().gss, Some(crate::gss::GssAlgorithm::GssTsig));
    assert_eq!(s.feed("oldgsstsig").unwrap(), None);
    assert_eq!(s.pending().gss, Some(crate::gss::GssAlgorithm::Microsoft));
    // `realm` alone clears it (nsupdate evaluate_realm).
    s.feed("realm").unwrap();
    assert_eq!(s.pending().realm, None);
}

#[test]
fn realm_is_too_long_as_nsupdate() {
    let mut s = Session::new(Dialect::Nsupdate);
    let ok = format!("realm {}", "A".repeat(1022));
    assert_eq!(s.feed(&ok).unwrap(), None);
    for n in [1023, 1200] {
        let e = s.feed(&format!("realm {}", "A".repeat(n))).unwrap_err();
        assert_eq!(e.nsupdate_text, "realm is too long");
        assert_eq!(e.nsupdate_stderr(true), "realm is too long\nsyntax error\n");
    }
    assert_eq!(
        s.pending().realm.map(|r| r.len()),
        Some(1022),
        "a failed line changes nothing"
    );
}

#[test]
fn errors_carry_line_numbers_and_leave_the_session_alone() {
    let mut s = Session::new(Dialect::Nsupdate);
    run(&mut s, &["zone example.test", "add h. 1 A 192.0.2.1"]);
    let e = s.feed("add h. 1h A 192.0.2.1").unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.to_string().starts_with("line 3: "), "{e}");
    assert_eq!(s.pending().changes.len(), 1);
    assert_eq!(s.line(), 3);
}

#[test]
fn the_first_record_fixes_the_class_until_send() {
    let mut s = Session::new(Dialect::Nsupdate);
    // As nsupdate: `class CH` after an IN record does not change the message's class.
    run(
        &mut s,
        &["add a. 300 A 192.0.2.1", "class CH", "add foo. 300 TXT x"],
    );
    assert_eq!(s.pending().class, DNSClass::IN);
    let e = s.feed("add b. 300 CH TXT x").unwrap_err();
    assert_eq!(e.nsupdate_text, "class mismatch: CH");
    run(&mut s, &["send", "add foo. 300 TXT x"]);
    assert_eq!(s.pending().class, DNSClass::CH);
    let mut s = Session::new(Dialect::Nsupdate);
    run(&mut s, &["add foo. 300 CH TXT x"]);
    assert_eq!(s.pending().class, DNSClass::CH);
    assert!(s.feed("add bar. 300 IN TXT x").is_err());
    // A failed line does not fix it.
    let mut s = Session::new(Dialect::Nsupdate);
    assert!(s.feed("add foo. 300 CH TXT").is_err());
    run(&mut s, &["add bar. 300 A 192.0.2.1"]);
    assert_eq!(s.pending().class, DNSClass::IN);
}

#[test]
fn ttl_origin_and_check_names_settings() {
    let mut s = Session::new(Dialect::Nsupdate);
    assert!(s.feed("add h. A 192.0.2.1").is_err());
    run(&mut s, &["ttl 60", "add h. A 192.0.2.1", "ttl none"]);
    assert!(matches!(
        s.pending().changes[0],
        Change::Add { ttl: 60, .. }
    ));
    assert!(s.feed("add h2. A 192.0.2.1").is_err());
    assert!(s.feed("add a_b. 60 A 192.0.2.1").is_err());
    run(&mut s, &["check-names off", "add a_b. 60 A 192.0.2.1"]);
    assert!(!s.context().check_names);
    let mut k = Session::new(Dialect::Knsupdate);
    run(
        &mut k,
        &[
            "origin example.test",
            "add h A 192.0.2.1",
            "ttl 60",
            "add h2 A 192.0.2.1",
        ],
    );
    let p = k.pending();
    assert_eq!(p.changes[0].name(), &n("h.example.test."));
    assert!(matches!(p.changes[0], Change::Add { ttl: 3600, .. }));
    assert!(matches!(p.changes[1], Change::Add { ttl: 60, .. }));
}

#[test]
fn restore_puts_items_back_in_front() {
    let mut k = Session::new(Dialect::Knsupdate);
    let Some(Action::Send(p)) = ({
        run(&mut k, &["zone x.", "add a.x. A 192.0.2.1"]);
        k.feed("send").unwrap()
    }) else {
        panic!()
    };
    run(&mut k, &["add b.x. A 192.0.2.2"]);
    k.restore(p);
    let names: Vec<String> = k
        .pending()
        .changes
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(names, ["a.x.", "b.x."]);
}
