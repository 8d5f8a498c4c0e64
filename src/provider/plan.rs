//! Per-record change planning for APIs that store one record per value, each with its own id
//! (Cloudflare, DigitalOcean, Porkbun, Alibaba Cloud DNS, DNSPod): the fewest create, update
//! and delete calls that turn the records of an RRset into the wanted values. Records already
//! holding a wanted value stay (only their TTL is fixed when needed), the others are reused in
//! place for the remaining values (so per-record settings such as Cloudflare's `proxied` flag
//! or comments survive), then records are created or deleted for the difference.

/// One existing record as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held<V> {
    /// Its value, compared with the wanted ones (`RData`, or the API's text of it).
    pub value: V,
    /// Its TTL needs no change (it is the wanted one, or the provider fixes it).
    pub ttl_ok: bool,
}

/// One call. Records are named by their index in the `held` slice given to [`plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<V> {
    /// The record keeps its value; only its TTL changes.
    Retime(usize),
    /// The record gets a new value; `ttl`: its TTL changes too.
    Reuse {
        /// Index of the record.
        index: usize,
        /// The value it gets.
        value: V,
        /// Whether its TTL must change as well.
        ttl: bool,
    },
    /// A record is created.
    Create(V),
    /// The record is deleted.
    Delete(usize),
}

/// The steps that make `held` hold `new` (duplicates in `new` count once). Updates and creates
/// come before deletes, so the name is never empty in between; nothing at all when `held`
/// already holds `new` with the right TTLs.
pub fn plan<V: PartialEq + Clone>(held: &[Held<V>], new: &[V]) -> Vec<Step<V>> {
    let mut wanted: Vec<&V> = Vec::new();
    for v in new {
        if !wanted.contains(&v) {
            wanted.push(v);
        }
    }
    let mut kept = vec![false; held.len()];
    let mut updates = Vec::new();
    let mut remaining = Vec::new();
    for v in wanted {
        match (0..held.len()).find(|&i| !kept[i] && held[i].value == *v) {
            Some(i) => {
                kept[i] = true;
                if !held[i].ttl_ok {
                    updates.push(Step::Retime(i));
                }
            }
            None => remaining.push(v.clone()),
        }
    }
    let mut spare = (0..held.len()).filter(|&i| !kept[i]);
    let mut creates = Vec::new();
    for value in remaining {
        match spare.next() {
            Some(index) => updates.push(Step::Reuse {
                index,
                value,
                ttl: !held[index].ttl_ok,
            }),
            None => creates.push(Step::Create(value)),
        }
    }
    let deletes = spare.map(Step::Delete);
    updates.into_iter().chain(creates).chain(deletes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(values: &[(&'static str, bool)]) -> Vec<Held<&'static str>> {
        values
            .iter()
            .map(|&(value, ttl_ok)| Held { value, ttl_ok })
            .collect()
    }

    #[test]
    fn records_are_reused_in_place() {
        let ex = held(&[("a", true), ("b", true)]);
        // Same values, same TTL: nothing.
        assert!(plan(&ex, &["b", "a", "a"]).is_empty());
        // One value changes: one in-place update, nothing created or deleted.
        assert_eq!(
            plan(&ex, &["a", "c"]),
            vec![Step::Reuse {
                index: 1,
                value: "c",
                ttl: false
            }]
        );
        // Nothing yet: creates.
        assert_eq!(plan(&[], &["a"]), vec![Step::Create("a")]);
        // Empty new: deletes all.
        assert_eq!(plan(&ex, &[]), vec![Step::Delete(0), Step::Delete(1)]);
        // More values: the spare records first, then creates.
        assert_eq!(
            plan(&ex, &["x", "y", "z"]),
            vec![
                Step::Reuse {
                    index: 0,
                    value: "x",
                    ttl: false
                },
                Step::Reuse {
                    index: 1,
                    value: "y",
                    ttl: false
                },
                Step::Create("z"),
            ]
        );
    }

    #[test]
    fn ttls_are_fixed_and_deletes_come_last() {
        let ex = held(&[("a", false), ("b", false)]);
        // Fewer values: the spare record is deleted, last.
        assert_eq!(
            plan(&ex, &["z"]),
            vec![
                Step::Reuse {
                    index: 0,
                    value: "z",
                    ttl: true
                },
                Step::Delete(1)
            ]
        );
        // A kept value with another TTL is retimed, before the reuses.
        assert_eq!(
            plan(&ex, &["z", "b"]),
            vec![
                Step::Retime(1),
                Step::Reuse {
                    index: 0,
                    value: "z",
                    ttl: true
                }
            ]
        );
        // A TTL the provider fixes (ttl_ok) is never changed.
        assert!(plan(&held(&[("a", true)]), &["a"]).is_empty());
        // Duplicate records of one value: one stays, the other goes.
        assert_eq!(
            plan(&held(&[("a", true), ("a", true)]), &["a"]),
            vec![Step::Delete(1)]
        );
    }
}
