//! The DDNS daemon: keep A/AAAA records equal to this host's current public addresses.
//!
//! `reconcile` decides (no I/O), `state` remembers across restarts, `config` reads the TOML
//! file, `runtime` wires sources, providers, timers, signals and systemd together, `telemetry`
//! counts what sources and providers did (for `/metrics` and the status page).

pub mod config;
pub mod memory;
pub mod notify;
pub mod reconcile;
pub mod runtime;
pub mod service;
pub mod state;
pub mod status;
pub mod telemetry;
