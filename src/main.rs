//! The `dnsup` binary: parse arguments, run, exit with the documented code (src/cli/exit.rs).

fn main() -> std::process::ExitCode {
    // First, while the process has one thread: no secret stays in /proc/PID/environ.
    dnsup::environment::capture();
    // A closed stdout ends a one-shot command quietly; `run` switches back to ignoring SIGPIPE.
    dnsup::sigpipe::one_shot();
    let code = dnsup::cli::run(std::env::args_os().collect());
    // A lost standard output (closed, or a full disk) is said once, and a success exits 1.
    std::process::ExitCode::from(dnsup::output::finish(code))
}
