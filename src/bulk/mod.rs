//! Bulk changes (`dnsup apply`): many changes to one zone, split into several UPDATE messages
//! and pipelined over one TCP connection.
//!
//! A bulk change is **not atomic**. Each message is one RFC 2136 update that the server applies
//! or rejects as a whole, but the messages are independent: when one is rejected, the others
//! may still be applied, and the report says exactly which input lines were not. (An nsupdate
//! script's `send`, by contrast, is always one message.)
//!
//! The parts, sans-IO except [`exec`]:
//! - [`input`]: the input format, one change per line in nsupdate's `update add|delete` syntax,
//!   to [`Item`]s (a change and its line number);
//! - [`batch`]: items to [`Batch`]es that each fit in one message (record count and byte
//!   limits, exact sizes: no message ever exceeds the limit);
//! - [`wire`]: the messages' wire form (the encoder of every path), names compressed against
//!   the zone;
//! - [`exec`]: sign each batch with TSIG just before it is written, pipeline the batches over
//!   TCP ([`crate::transport::pipeline`]), verify each answer, and say per batch what happened
//!   ([`BatchResult`]).

pub mod batch;
pub mod exec;
pub mod input;
/// The messages' wire form: the encoder every path uses ([`crate::update::wire`]).
pub use crate::update::wire;

pub use batch::{Batch, Limits, MAX_MESSAGE_BYTES, plan, tsig_bytes};
pub use exec::{BatchResult, BatchStatus, Options, Run, apply};
pub use input::{InputError, Item, parse};

/// Format a sorted list of line numbers as ranges: `1-3,7,9-12`.
pub fn line_ranges(lines: impl IntoIterator<Item = usize>) -> String {
    let mut out = String::new();
    let mut run: Option<(usize, usize)> = None;
    let push = |out: &mut String, (a, b): (usize, usize)| {
        if !out.is_empty() {
            out.push(',');
        }
        if a == b {
            out.push_str(&a.to_string());
        } else {
            out.push_str(&format!("{a}-{b}"));
        }
    };
    for l in lines {
        run = match run {
            Some((a, b)) if l == b + 1 => Some((a, l)),
            Some(r) => {
                push(&mut out, r);
                Some((l, l))
            }
            None => Some((l, l)),
        };
    }
    if let Some(r) = run {
        push(&mut out, r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::line_ranges;

    #[test]
    fn ranges() {
        assert_eq!(line_ranges([1, 2, 3, 7, 9, 10, 11, 12]), "1-3,7,9-12");
        assert_eq!(line_ranges([5]), "5");
        assert_eq!(line_ranges([]), "");
    }
}
