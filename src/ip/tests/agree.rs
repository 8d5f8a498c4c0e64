//! K-of-N agreement: unanimous, quorum with dissent, split votes, failures, "no address".

use std::net::IpAddr;

use crate::ip::agree::{Decision, Vote, decide, default_quorum};

const A: &str = "198.51.100.7";
const B: &str = "203.0.113.9";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn saw(source: &str, addr: &str) -> Vote {
    Vote {
        source: source.into(),
        result: Ok(Some(ip(addr))),
    }
}

fn none(source: &str) -> Vote {
    Vote {
        source: source.into(),
        result: Ok(None),
    }
}

fn failed(source: &str, why: &str) -> Vote {
    Vote {
        source: source.into(),
        result: Err(why.into()),
    }
}

fn publishes(decision: &Decision) -> Option<IpAddr> {
    match decision {
        Decision::Publish { ip, .. } => Some(*ip),
        _ => None,
    }
}

#[test]
fn default_quorum_is_a_strict_majority() {
    let table: Vec<usize> = (0..=6).map(default_quorum).collect();
    assert_eq!(table, [1, 1, 2, 2, 3, 3, 4]);
}

#[test]
fn unanimous() {
    let votes = [saw("http", A), saw("dns", A), saw("iface", A)];
    assert_eq!(
        decide(&votes, 3),
        Decision::Publish {
            ip: ip(A),
            agreeing: vec!["http".into(), "dns".into(), "iface".into()],
            dissenting: vec![],
        }
    );
}

#[test]
fn two_of_three_with_a_dissenter_and_a_failure() {
    let votes = [saw("http", A), saw("dns", B), saw("iface", A)];
    assert_eq!(
        decide(&votes, 2),
        Decision::Publish {
            ip: ip(A),
            agreeing: vec!["http".into(), "iface".into()],
            dissenting: vec![("dns".into(), B.into())],
        }
    );
    let votes = [saw("http", A), failed("dns", "timed out"), saw("iface", A)];
    assert_eq!(
        decide(&votes, 2),
        Decision::Publish {
            ip: ip(A),
            agreeing: vec!["http".into(), "iface".into()],
            dissenting: vec![("dns".into(), "failed: timed out".into())],
        }
    );
}

#[test]
fn too_few_agreeing_is_no_quorum() {
    let votes = [
        saw("http", A),
        failed("dns", "timed out"),
        failed("cmd", "exit 1"),
    ];
    assert_eq!(
        decide(&votes, 2),
        Decision::NoQuorum {
            needed: 2,
            best: Some((ip(A), 1)),
            votes: vec![
                ("http".into(), A.into()),
                ("dns".into(), "failed: timed out".into()),
                ("cmd".into(), "failed: exit 1".into()),
            ],
        }
    );
    // Two sources that disagree under the default quorum of 2: nothing moves.
    let votes = [saw("wan1", A), saw("wan2", B)];
    assert!(matches!(
        decide(&votes, default_quorum(2)),
        Decision::NoQuorum { best: None, .. }
    ));
}

#[test]
fn a_split_vote_publishes_nothing_even_below_a_majority() {
    let votes = [saw("a", A), saw("b", B), saw("c", "192.0.2.1")];
    assert!(matches!(
        decide(&votes, 1),
        Decision::NoQuorum { best: None, .. }
    ));
    let votes = [saw("a", A), saw("b", B)];
    assert!(matches!(
        decide(&votes, 1),
        Decision::NoQuorum {
            needed: 1,
            best: None,
            ..
        }
    ));
    // A clear leader wins a low quorum.
    let votes = [saw("a", A), saw("b", B), saw("c", A)];
    assert_eq!(publishes(&decide(&votes, 1)), Some(ip(A)));
}

#[test]
fn only_failures() {
    let votes = [failed("a", "x"), failed("b", "y")];
    assert!(matches!(
        decide(&votes, 1),
        Decision::NoQuorum { best: None, .. }
    ));
    assert!(matches!(
        decide(&[], 1),
        Decision::NoQuorum { best: None, .. }
    ));
}

#[test]
fn no_address_needs_a_quorum_too() {
    assert_eq!(decide(&[none("a"), none("b")], 2), Decision::NoAddress);
    assert_eq!(
        decide(&[none("a"), none("b"), saw("c", A)], 2),
        Decision::NoAddress
    );
    // One "none" against one address: a tie, nothing decided.
    assert!(matches!(
        decide(&[none("a"), saw("b", A)], 1),
        Decision::NoQuorum { .. }
    ));
    assert!(matches!(
        decide(&[none("a"), failed("b", "x")], 2),
        Decision::NoQuorum { best: None, .. }
    ));
    // An address seen by the quorum wins over a minority saying "none".
    let decision = decide(&[saw("a", A), saw("b", A), none("c")], 2);
    assert_eq!(
        decision,
        Decision::Publish {
            ip: ip(A),
            agreeing: vec!["a".into(), "b".into()],
            dissenting: vec![("c".into(), "no address".into())],
        }
    );
}

#[test]
fn quorum_edge_values() {
    // 0 counts as 1; a quorum above the number of sources can never be met.
    assert_eq!(publishes(&decide(&[saw("a", A)], 0)), Some(ip(A)));
    assert!(matches!(
        decide(&[saw("a", A), saw("b", A)], 3),
        Decision::NoQuorum {
            needed: 3,
            best: Some((_, 2)),
            ..
        }
    ));
}

#[test]
fn votes_from_detection_results() {
    let vote = Vote::new("static", Ok::<_, String>(Some(ip(A))));
    assert_eq!(vote.said(), A);
    let vote = Vote::new("cmd", Err::<Option<IpAddr>, _>("exit status: 1"));
    assert_eq!(vote.result, Err("exit status: 1".to_string()));
    assert_eq!(vote.said(), "failed: exit status: 1");
}
