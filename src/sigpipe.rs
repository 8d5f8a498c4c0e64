//! Writing to a closed pipe (`dnsup detect | head -c 1`): the Rust runtime ignores SIGPIPE, so
//! the write fails with EPIPE and `println!` panics (an abort under `panic = "abort"`, exit 134).
//! One-shot commands instead die of SIGPIPE quietly, as Unix tools do ([`one_shot`]); the
//! long-running daemon keeps ignoring it ([`daemon`]), so a closed log pipe or a child that
//! closed its stdin can never kill it.

use nix::sys::signal::{SigHandler, Signal, signal};

/// Default SIGPIPE disposition: the process ends, silently, on a write to a closed pipe.
#[allow(unsafe_code)]
pub fn one_shot() {
    // SAFETY: SIG_DFL installs no handler of ours, so no async-signal-safety rule applies;
    // sigaction itself is thread-safe.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
}

/// Ignore SIGPIPE: writes to closed pipes and sockets fail with EPIPE instead.
#[allow(unsafe_code)]
pub fn daemon() {
    // SAFETY: as in `one_shot`: SIG_IGN installs no handler.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) };
}
