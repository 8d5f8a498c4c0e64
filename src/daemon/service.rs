//! The long-running loop: passes on start, on address events (debounced), on the poll timer
//! and when a back-off ends; SIGHUP reloads the configuration; shutdown (SIGTERM, SIGINT or
//! the caller's future) lets the current pass finish, saves the state and returns.

use std::future::Future;
use std::path::Path;
use std::pin::pin;

use tokio::signal::unix::{SignalKind, signal};
use tokio::time::{Instant, sleep, sleep_until};

use super::config::Config;
use super::notify::Notifier;
use super::runtime::{Daemon, Overrides, SetupError};
use crate::ip::AddressWatch;

/// Load, apply overrides and set up.
pub async fn setup(path: &Path, overrides: &Overrides) -> Result<Daemon, SetupError> {
    let mut config = Config::load(path).map_err(|e| SetupError(e.to_string()))?;
    overrides.apply(&mut config);
    Daemon::new(config).await
}

/// Run until `shutdown` resolves or SIGTERM/SIGINT arrives.
pub async fn serve(
    path: &Path,
    overrides: &Overrides,
    shutdown: impl Future<Output = ()>,
) -> Result<(), SetupError> {
    crate::sigpipe::daemon();
    let mut daemon = setup(path, overrides).await?;
    let notifier = Notifier::from_env();
    let mut hangup = signal(SignalKind::hangup()).map_err(|e| SetupError(e.to_string()))?;
    let mut terminate = signal(SignalKind::terminate()).map_err(|e| SetupError(e.to_string()))?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| SetupError(e.to_string()))?;
    let mut shutdown = pin!(shutdown);
    let mut watch = open_watch(&daemon);
    let watchdog = Notifier::watchdog_interval();
    let mut next_watchdog = watchdog.map(|w| Instant::now() + w);

    daemon.pass(false).await;
    super::memory::release_code_pages();
    notifier.send("READY=1");
    tracing::info!(
        records = daemon.config().records.len(),
        events = watch.is_some(),
        "dnsup running"
    );
    loop {
        let wake = Instant::now() + daemon.next_wake();
        let dog = next_watchdog.unwrap_or(wake + daemon.next_wake());
        tokio::select! {
            () = &mut shutdown => break,
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
            () = sleep_until(wake) => {}
            () = sleep_until(dog), if next_watchdog.is_some() => {
                notifier.send("WATCHDOG=1");
                next_watchdog = watchdog.map(|w| Instant::now() + w);
                continue;
            }
            _ = hangup.recv() => {
                notifier.send("RELOADING=1");
                match setup(path, overrides).await {
                    Ok(d) => {
                        daemon = d;
                        watch = open_watch(&daemon);
                        tracing::info!("configuration reloaded");
                    }
                    Err(e) => tracing::error!("reload failed, keeping the running configuration: {e}"),
                }
                notifier.send("READY=1");
            }
            changed = async {
                match watch.as_mut() {
                    Some(w) => w.changed().await,
                    None => std::future::pending().await,
                }
            } => {
                if let Err(e) = changed {
                    tracing::warn!("address events stopped ({e}); polling only");
                    watch = None;
                    continue;
                }
                // A burst of events (an address and its routes) becomes one pass.
                let debounce = daemon.config().debounce;
                let quiet = sleep(debounce);
                let mut quiet = pin!(quiet);
                loop {
                    tokio::select! {
                        () = &mut quiet => break,
                        r = async { match watch.as_mut() {
                            Some(w) => w.changed().await,
                            None => std::future::pending().await,
                        } } => {
                            if r.is_err() { break; }
                            quiet.as_mut().reset(Instant::now() + debounce);
                        }
                    }
                }
                tracing::debug!("address event: checking now");
            }
        }
        daemon.pass(false).await;
        super::memory::release_code_pages();
    }
    notifier.send("STOPPING=1");
    tracing::info!("dnsup stopped");
    Ok(())
}

fn open_watch(daemon: &Daemon) -> Option<AddressWatch> {
    if !daemon.watches_interfaces() {
        return None;
    }
    match AddressWatch::new() {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!(
                "no address events ({e}); polling every {:?}",
                daemon.config().interval
            );
            None
        }
    }
}
