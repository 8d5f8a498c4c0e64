//! The `dnsup` binary: parse arguments, run, exit with the documented code (src/cli/exit.rs).

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(dnsup::cli::run(std::env::args_os().collect()))
}
