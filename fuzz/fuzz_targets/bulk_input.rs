//! The input of `dnsup apply` (one `[update] add|delete` line per change), and its split into
//! messages (`bulk::plan`) with dnsup's own wire encoder (`bulk::wire`, names compressed).
//!
//! The first input byte picks the limits (records per message, a small byte budget so inputs
//! split, `--if-absent`, a TSIG budget, the origin and a default TTL); the rest is the input text.
//!
//! Oracles, when the input is accepted: every change is in exactly one message (in input order
//! without `--if-absent`);
//! each message's wire form has the size the planner counted, fits the budget unless it holds a
//! single change (or RRset) too large for any message, decodes (hickory) to the same records
//! as the update it stands for, and can be signed.
#![no_main]

use dnsup::bulk::{Limits, parse, plan, tsig_bytes};
use dnsup::tsig;
use dnsup_fuzz::{ID, SIGNED_AT, assert_same_message, hickory_refuses, key, zone};
use hickory_proto::op::Message;
use hickory_proto::rr::Name;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let key = key();
    let limits = Limits {
        max_records: match control & 0x07 {
            0 => None,
            n => Some(usize::from(n)),
        },
        max_bytes: if control & 0x08 != 0 { 60_000 } else { 200 },
        tsig_bytes: if control & 0x10 != 0 {
            tsig_bytes(&key)
        } else {
            0
        },
    };
    let if_absent = control & 0x20 != 0;
    let origin = if control & 0x40 != 0 {
        zone()
    } else {
        Name::root()
    };
    let default_ttl = (control & 0x80 != 0).then_some(3600);

    let Ok(items) = parse(text, &origin, default_ttl) else {
        return;
    };
    let Ok(batches) = plan(&zone(), &items, &limits, if_absent) else {
        return;
    };
    let mut order: Vec<usize> = batches
        .iter()
        .flat_map(|b| b.items.iter().copied())
        .collect();
    if if_absent {
        // An RRset's adds travel together, in order of the RRset's first appearance.
        order.sort_unstable();
    }
    assert_eq!(
        order,
        (0..items.len()).collect::<Vec<_>>(),
        "changes lost or reordered"
    );
    for b in &batches {
        let wire = b.to_wire(ID);
        assert_eq!(wire.len(), b.bytes, "the planner miscounted a message");
        assert!(
            wire.len() + limits.tsig_bytes <= limits.max_bytes
                || b.items.len() == 1
                || (if_absent && b.prerequisites.len() == 1),
            "a message of {} changes over the budget: {} + {} > {}",
            b.items.len(),
            wire.len(),
            limits.tsig_bytes,
            limits.max_bytes
        );
        if let Some(max) = limits.max_records {
            assert!(
                b.items.len() <= max || (if_absent && b.prerequisites.len() == 1),
                "{} changes in a message, --batch-size {max}",
                b.items.len()
            );
        }
        let built = b.update(&items).to_message(ID);
        match Message::from_vec(&wire) {
            Ok(decoded) => assert_same_message(&decoded, &built),
            // Data kept as BIND's wire bytes that hickory's decoder refuses (see check_update).
            Err(_) if hickory_refuses(&built) => {}
            Err(e) => panic!("a planned message does not decode: {e}"),
        }
        if wire.len() <= 65_535 - tsig_bytes(&key) {
            tsig::sign_request(&wire, &key, SIGNED_AT, tsig::DEFAULT_FUDGE)
                .unwrap_or_else(|e| panic!("a planned message cannot be signed: {e}"));
        }
    }
});
