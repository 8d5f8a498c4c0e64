//! `dnsup notify-test NAME`: send a test event through one `[notify.NAME]` now.

use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::daemon::config::Config;

/// `notify-test`.
#[derive(Debug, Args)]
pub struct NotifyTestArgs {
    /// The notifier (`[notify.NAME]`).
    pub name: String,
    /// The configuration file.
    #[arg(short, long, default_value = "/etc/dnsup/dnsup.toml")]
    pub config: PathBuf,
}

/// Exit 0 when delivered, 1 for a configuration problem (or a secret that cannot be
/// loaded), 5 when delivery failed.
pub fn run(args: NotifyTestArgs) -> u8 {
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            crate::errln!("error [config]: {e}");
            return exit::USAGE;
        }
    };
    let notifier = match crate::notify::test_notifier(&config, &args.name) {
        Ok(n) => n,
        Err(e) => {
            crate::errln!("error [config]: {e}");
            return exit::USAGE;
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::errln!("error [runtime]: {e}");
            return exit::NETWORK;
        }
    };
    // An exec program that does not read its stdin must not kill us with SIGPIPE.
    crate::sigpipe::daemon();
    let sent = rt.block_on(crate::notify::send_test(&notifier));
    crate::sigpipe::one_shot();
    match sent {
        Ok(()) => {
            crate::outln!("notify '{}': test event delivered", args.name);
            exit::OK
        }
        Err(e) => {
            crate::errln!("error [notify]: notify '{}': {e}", args.name);
            exit::NETWORK
        }
    }
}
