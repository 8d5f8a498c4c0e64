//! K-of-N agreement between address sources.
//!
//! Echo services are run by strangers, DNS answers can be spoofed, and a dual-WAN router can show
//! a different address to each service. Publishing what the first source says makes the record
//! flap or follow an attacker. The daemon asks several independent sources and publishes only
//! an address that at least `needed` of them report.
//!
//! A source votes for an address, for "no address of this family" (`Ok(None)`), or fails
//! (`Err`). A failure is not a vote for anything: it only makes a quorum harder to reach, since a
//! broken source and a dissenting one cannot be told apart.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// What one source said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    /// The source's label (see [`super::describe`]).
    pub source: String,
    /// The address it saw, `Ok(None)` if it has no address of the family, or why it failed.
    pub result: Result<Option<IpAddr>, String>,
}

impl Vote {
    /// A vote from a source's label and its detection result.
    pub fn new<E: std::fmt::Display>(
        source: impl Into<String>,
        result: Result<Option<IpAddr>, E>,
    ) -> Vote {
        Vote {
            source: source.into(),
            result: result.map_err(|e| e.to_string()),
        }
    }

    /// What the source said, in words: `"198.51.100.7"`, `"no address"`, or the error.
    pub fn said(&self) -> String {
        match &self.result {
            Ok(Some(ip)) => ip.to_string(),
            Ok(None) => "no address".to_string(),
            Err(e) => format!("failed: {e}"),
        }
    }
}

/// The outcome of a vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// At least `needed` sources saw `ip`, and no other address was seen as often.
    Publish {
        /// The agreed address.
        ip: IpAddr,
        /// The sources that saw it, in vote order.
        agreeing: Vec<String>,
        /// Every other source and what it said ([`Vote::said`]).
        dissenting: Vec<(String, String)>,
    },
    /// No address (and no "no address") reached the quorum: keep what is published.
    NoQuorum {
        /// The quorum that was needed.
        needed: usize,
        /// The most-seen address and how many sources saw it (`None` if no source saw one,
        /// or if two addresses tie for first place).
        best: Option<(IpAddr, usize)>,
        /// Every source and what it said, in vote order.
        votes: Vec<(String, String)>,
    },
    /// At least `needed` sources agree that there is no address of this family.
    NoAddress,
}

/// The default quorum for `n` sources: a strict majority, `n / 2 + 1` (1 of 1, 2 of 2, 2 of 3,
/// 3 of 4, 3 of 5).
///
/// A strict majority is the smallest quorum that two disjoint groups of sources can never both
/// reach, so at most one answer (one address, or "no address") can win and a single source can
/// never outvote the rest. With two sources both must agree: "1 of 2" would let either one move
/// the record alone, and a flapping dual-WAN pair would flap the record. Three sources tolerate
/// one failure or one liar.
pub fn default_quorum(n: usize) -> usize {
    n / 2 + 1
}

/// Decide from `votes` with a quorum of `needed` (0 counts as 1).
///
/// The most-seen address wins if at least `needed` sources saw it and no other address was
/// seen as often (a tie is [`Decision::NoQuorum`]: with a quorum below a majority two
/// addresses can both reach it, and choosing one would be arbitrary). Otherwise, if at least
/// `needed` sources report no address, the answer is [`Decision::NoAddress`].
pub fn decide(votes: &[Vote], needed: usize) -> Decision {
    let needed = needed.max(1);
    let mut counts: BTreeMap<IpAddr, usize> = BTreeMap::new();
    let mut none = 0;
    for vote in votes {
        match vote.result {
            Ok(Some(ip)) => *counts.entry(ip).or_default() += 1,
            Ok(None) => none += 1,
            Err(_) => {}
        }
    }
    let top = counts.values().copied().max().unwrap_or(0);
    let mut leaders = counts.iter().filter(|&(_, &n)| n == top);
    let best = match (leaders.next(), leaders.next()) {
        (Some((&ip, &n)), None) => Some((ip, n)),
        _ => None,
    };
    match best {
        Some((ip, n)) if n >= needed && n > none => {
            let (agreeing, dissenting): (Vec<_>, Vec<_>) = votes
                .iter()
                .partition(|v| matches!(v.result, Ok(Some(seen)) if seen == ip));
            Decision::Publish {
                ip,
                agreeing: agreeing.into_iter().map(|v| v.source.clone()).collect(),
                dissenting: dissenting
                    .into_iter()
                    .map(|v| (v.source.clone(), v.said()))
                    .collect(),
            }
        }
        _ if none >= needed && none > top => Decision::NoAddress,
        _ => Decision::NoQuorum {
            needed,
            best,
            votes: votes.iter().map(|v| (v.source.clone(), v.said())).collect(),
        },
    }
}
