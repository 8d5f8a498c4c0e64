//! `dnsup apply`: bulk changes split into several UPDATE messages (being written).

use clap::Args;

/// `apply` arguments.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The file of changes.
    pub file: std::path::PathBuf,
}

/// Run `dnsup apply`.
pub fn run(_args: ApplyArgs) -> u8 {
    eprintln!("error [input]: dnsup apply is not available in this build yet");
    super::exit::USAGE
}
