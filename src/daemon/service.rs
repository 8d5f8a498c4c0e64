//! The long-running loop: passes on start, on address events (debounced), on the poll timer,
//! when a back-off ends and on SIGUSR1 (check now); SIGHUP reloads the configuration;
//! shutdown (SIGTERM, SIGINT or the caller's future) cancels a detection in progress (sources
//! only read), lets a change in progress finish, saves the state and returns.
//!
//! One daemon per state file: [`StateLock`] is held for the whole run.

use std::future::Future;
use std::path::Path;
use std::pin::pin;

use tokio::signal::unix::{SignalKind, signal};
use tokio::time::{Instant, sleep, sleep_until};

use super::config::Config;
use super::notify::Notifier;
use super::runtime::{Daemon, Overrides, SetupError};
use super::state::StateLock;
use crate::ip::AddressWatch;
use crate::ip::source::router::watch::RouterWatch;

/// Load the configuration and apply the overrides.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Config, SetupError> {
    let mut config = Config::load(path).map_err(|e| SetupError(e.to_string()))?;
    overrides.apply(&mut config);
    Ok(config)
}

/// Load, apply overrides and set up.
pub async fn setup(path: &Path, overrides: &Overrides) -> Result<Daemon, SetupError> {
    Daemon::new(load(path, overrides)?).await
}

/// Why the loop ends.
enum Stop {
    /// The caller's future resolved.
    Asked,
    /// A signal.
    Signal(&'static str),
}

/// Run until `shutdown` resolves or SIGTERM/SIGINT arrives.
pub async fn serve(
    path: &Path,
    overrides: &Overrides,
    shutdown: impl Future<Output = ()>,
) -> Result<(), SetupError> {
    let config = load(path, overrides)?;
    let lock = StateLock::acquire(&config.state_file).map_err(SetupError)?;
    serve_locked(config, lock, path, overrides, shutdown).await
}

/// [`serve`] with the configuration loaded and its state file locked (the lock is held until
/// this returns).
pub async fn serve_locked(
    config: Config,
    lock: StateLock,
    path: &Path,
    overrides: &Overrides,
    shutdown: impl Future<Output = ()>,
) -> Result<(), SetupError> {
    let mut _lock = lock;
    crate::sigpipe::daemon();
    // The handlers first: SIGUSR1's default action would kill a daemon still setting up.
    let sig = |kind| signal(kind).map_err(|e| SetupError(e.to_string()));
    let mut hangup = sig(SignalKind::hangup())?;
    let mut terminate = sig(SignalKind::terminate())?;
    let mut interrupt = sig(SignalKind::interrupt())?;
    let mut user1 = sig(SignalKind::user_defined1())?;
    let mut daemon = Daemon::new(config).await?;
    let notifier = Notifier::from_env();
    let mut shutdown = pin!(shutdown);
    let mut watch = open_watch(&daemon);
    let mut router = RouterWatch::new(daemon.router_sources()).await;
    let watchdog = Notifier::watchdog_interval();
    let mut next_watchdog = watchdog.map(|w| Instant::now() + w);

    // Ready once the configuration is loaded: the first pass may wait for a slow provider,
    // and systemd must not hold the boot (or time the start out) for it.
    notifier.send("READY=1");
    tracing::info!(
        "dnsup running (version {}): config {}, {}, address events {}, router events {}",
        env!("CARGO_PKG_VERSION"),
        path.display(),
        daemon.summary(),
        if watch.is_some() { "on" } else { "off" },
        if router.is_some() { "on" } else { "off" },
    );
    let mut hub = crate::notify::Hub::start(daemon.config());
    hub.set_state(&daemon);
    hub.daemon_event(crate::notify::EventKind::Started);
    let mut first = true;
    let stop = loop {
        if !first {
            let wake = Instant::now() + daemon.next_wake();
            let dog = next_watchdog.unwrap_or(wake + daemon.next_wake());
            tokio::select! {
                () = &mut shutdown => break Stop::Asked,
                _ = terminate.recv() => break Stop::Signal("SIGTERM"),
                _ = interrupt.recv() => break Stop::Signal("SIGINT"),
                () = sleep_until(wake) => {}
                () = sleep_until(dog), if next_watchdog.is_some() => {
                    notifier.send("WATCHDOG=1");
                    next_watchdog = watchdog.map(|w| Instant::now() + w);
                    continue;
                }
                _ = user1.recv() => {
                    tracing::info!("SIGUSR1: checking every record now");
                    daemon.check_now();
                }
                _ = hangup.recv() => {
                    notifier.send("RELOADING=1");
                    match setup(path, overrides).await {
                        Ok(d) => {
                            // One daemon per state file holds across reloads too: a new
                            // state_file is taken only with its lock.
                            let relocked = if d.config().state_file == daemon.config().state_file {
                                Ok(None)
                            } else {
                                StateLock::acquire(&d.config().state_file).map(Some)
                            };
                            match relocked {
                                Ok(new_lock) => {
                                    if let Some(l) = new_lock {
                                        _lock = l;
                                    }
                                    daemon = d;
                                    hub.reload(daemon.config());
                                    hub.set_state(&daemon);
                                    watch = open_watch(&daemon);
                                    if let Some(r) = router.take() {
                                        r.close().await;
                                    }
                                    router = RouterWatch::new(daemon.router_sources()).await;
                                    tracing::info!("configuration reloaded: {}", daemon.summary());
                                }
                                Err(e) => tracing::error!(
                                    "reload failed, keeping the running configuration: {e}"
                                ),
                            }
                        }
                        Err(e) => tracing::error!("reload failed, keeping the running configuration: {e}"),
                    }
                    notifier.send("READY=1");
                }
                changed = next_event(&mut watch, &mut router) => {
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
                            r = next_event(&mut watch, &mut router) => {
                                if r.is_err() { break; }
                                quiet.as_mut().reset(Instant::now() + debounce);
                            }
                        }
                    }
                    tracing::debug!("address event: checking now");
                }
            }
        }
        first = false;
        // Asking the sources only reads: a stop cancels it at once instead of waiting for a
        // hung source's timeout. Changing records is not cancelled (a signal that arrives
        // then is seen right after it).
        let detected = tokio::select! {
            d = daemon.detect_all() => d,
            () = &mut shutdown => break Stop::Asked,
            _ = terminate.recv() => break Stop::Signal("SIGTERM"),
            _ = interrupt.recv() => break Stop::Signal("SIGINT"),
        };
        let report = daemon.apply(&detected, false).await;
        hub.set_state(&daemon);
        hub.observe(&report, daemon.config());
        super::memory::release_code_pages();
    };
    if let Some(r) = router {
        r.close().await;
    }
    notifier.send("STOPPING=1");
    hub.shutdown().await;
    match stop {
        Stop::Asked => tracing::info!("dnsup stopped"),
        Stop::Signal(s) => tracing::info!("dnsup stopped ({s})"),
    }
    Ok(())
}

/// The next address event (netlink) or router event (announcement, GENA): both trigger the
/// same debounced pass. `Err` only when the netlink watch failed.
async fn next_event(
    watch: &mut Option<AddressWatch>,
    router: &mut Option<RouterWatch>,
) -> std::io::Result<()> {
    tokio::select! {
        r = async { match watch.as_mut() {
            Some(w) => w.changed().await,
            None => std::future::pending().await,
        } } => r,
        () = async { match router.as_mut() {
            Some(r) => r.changed().await,
            None => std::future::pending().await,
        } } => Ok(()),
    }
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
