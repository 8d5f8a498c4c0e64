//! Notifications and the HTTP endpoint against real local receivers: every HTTP preset
//! against an HTTPS fake that checks each request against the service's documented API
//! (`presets.rs`), e-mail through a real exim4 on a loopback port (`email.rs`), `exec` in a
//! clean environment (`exec.rs`), and the daemon against a real named: the events of an
//! update, a failure, a recovery and a conflict, metrics checked by `promtool`, `/readyz`
//! transitions, a status page rendered by headless Chromium, and notifiers that hang or fail
//! without delaying the update (`daemon.rs`); the status kept across a restart, source and
//! provider metrics, and `run --once` notifying (`status.rs`).

#[path = "../common/mod.rs"]
mod common;
#[path = "../providers/fake.rs"]
mod fake;

mod daemon;
mod email;
mod exec;
mod presets;
mod status;
mod util;
