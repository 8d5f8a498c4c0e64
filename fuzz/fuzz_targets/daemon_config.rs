//! The daemon's configuration file (TOML, `dnsup run -c FILE`, `dnsup check-config`).
//!
//! `Config::parse` must return (the error with a line number when there is one), and a config
//! it accepts must be one the daemon can run without panicking. The oracle does what the
//! daemon's set-up and loop do with the values, minus the I/O:
//! - every record name and zone is a DNS name (set-up refuses it cleanly otherwise);
//! - every provider server splits into host and port (`discover::split_server`);
//! - the durations the runtime adds to the clock can be (the service sets its next wake-up at
//!   now + interval and a fallback one interval later, resets its debounce timer to
//!   now + debounce, and the HTTPS source sets a deadline at now + source_timeout; the other
//!   durations only go to tokio timers, which saturate);
//! - every source describes itself, and prefix sources check their suffix;
//! - the cross-reference check (`Config::check`) has nothing to say.
#![no_main]

use std::path::Path;
use std::time::{Duration, Instant};

use dnsup::daemon::config::{Config, ProviderConfig};
use dnsup::discover::split_server;
use dnsup::ip::SourceSpec;
use hickory_proto::rr::Name;
use libfuzzer_sys::fuzz_target;

/// `times` additions of `d` to the clock do not overflow.
fn usable(d: Duration, times: u32, what: &str) {
    let mut t = Some(Instant::now());
    for _ in 0..times {
        t = t.and_then(|t| t.checked_add(d));
    }
    assert!(
        t.is_some(),
        "{what} = {d:?} is accepted but cannot be used as a timer deadline"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // Config::load reads the file as UTF-8
    };
    let config = match Config::parse(text, Path::new("dnsup.toml")) {
        Ok(c) => c,
        Err(e) => {
            if let Some(line) = e.line {
                assert!(
                    line >= 1 && line <= text.split('\n').count(),
                    "error line {line} outside the file"
                );
            }
            let _ = e.to_string();
            return;
        }
    };
    assert!(
        config.check().is_empty(),
        "parse accepted a config check refuses"
    );
    usable(config.interval, 2, "interval");
    usable(config.debounce, 1, "debounce");
    usable(config.source_timeout, 1, "source_timeout");
    for p in config.providers.values() {
        let _ = p.kind();
        if let ProviderConfig::Rfc2136(c) = p {
            for s in &c.servers {
                let _ = split_server(s, 53);
            }
            usable(c.timeout, 1, "timeout");
        }
    }
    for spec in config.sources.values() {
        let _ = dnsup::ip::describe(spec);
        if let SourceSpec::Prefix {
            prefix_len, suffix, ..
        } = spec
            && suffix.check(*prefix_len).is_ok()
        {
            let _ = dnsup::ip::compose(std::net::Ipv6Addr::LOCALHOST, *prefix_len, suffix);
        }
    }
    for r in &config.records {
        let _ = Name::from_ascii(&r.name);
        if let Some(z) = &r.zone {
            let _ = Name::from_ascii(z);
        }
        let _ = dnsup::ip::default_quorum(r.ipv4.len().max(r.ipv6.len()));
    }
});
