//! Standard output and standard error that never panic. `println!` panics when a write fails
//! (`dnsup keygen > /dev/full` ended with a panic, exit 101). Every command writes through
//! [`outln!`](crate::outln) and [`errln!`](crate::errln) instead: the first failure of
//! standard output is kept (later output is dropped), and [`finish`] reports it once on
//! standard error and turns a success into exit code 1. A failing standard error has nowhere
//! to be reported and is ignored.
//!
//! A closed pipe (EPIPE) never gets here: one-shot commands die of SIGPIPE quietly, as Unix
//! tools do (`crate::sigpipe`). A descriptor closed at start (`dnsup keygen >&-`) is not an
//! error: Rust's runtime opens /dev/null on a closed 0, 1 or 2 before `main` (so no file or
//! socket can take that number), and output then goes there, as with BIND's `tsig-keygen`.
//! It cannot be told apart from a service manager's `StandardOutput=null`.

use std::fmt;
use std::io::Write;
use std::sync::Mutex;

/// The first failure of standard output.
static FAILED: Mutex<Option<String>> = Mutex::new(None);

fn record(why: String) {
    if let Ok(mut failed) = FAILED.lock()
        && failed.is_none()
    {
        *failed = Some(why);
    }
}

fn failed() -> bool {
    FAILED.lock().map_or(true, |f| f.is_some())
}

/// Keep a failure of standard output that happened elsewhere (clap's help text).
pub fn lost(e: &std::io::Error) {
    record(e.to_string());
}

/// Write to standard output; a failure is kept for [`finish`].
pub fn out(args: fmt::Arguments<'_>) {
    if failed() {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args) {
        record(e.to_string());
    }
}

/// Write to standard error; a failure is ignored (there is nowhere to report it).
pub fn err(args: fmt::Arguments<'_>) {
    // One write (stderr is unbuffered): lines from several threads do not interleave.
    let text = args.to_string();
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Flush standard output and say whether the output went where it should: the exit code to
/// use. A command that succeeded but lost its output exits 1; a failed command keeps its code.
pub fn finish(code: u8) -> u8 {
    if !failed()
        && let Err(e) = std::io::stdout().lock().flush()
    {
        record(e.to_string());
    }
    let Some(why) = FAILED.lock().ok().and_then(|mut f| f.take()) else {
        return code;
    };
    if code == 0 {
        err(format_args!(
            "error [output]: standard output could not be written: {why} (the command itself succeeded; nothing it printed can be trusted to have arrived)\n"
        ));
        1
    } else {
        err(format_args!(
            "warning: standard output could not be written: {why}\n"
        ));
        code
    }
}

/// `print!` that never panics ([`out`]).
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::out(format_args!($($arg)*)) };
}

/// `println!` that never panics ([`out`]).
#[macro_export]
macro_rules! outln {
    () => { $crate::output::out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that never panics ([`err`]).
#[macro_export]
macro_rules! errout {
    ($($arg:tt)*) => { $crate::output::err(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics ([`err`]).
#[macro_export]
macro_rules! errln {
    () => { $crate::output::err(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::err(format_args!("{}\n", format_args!($($arg)*))) };
}
