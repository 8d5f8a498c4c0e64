//! Per-notifier admission: the event filter, de-duplication (the same news within a window is
//! said once) and rate limiting (at most one delivery per `min_interval`). Sans-IO: the time
//! (seconds on a monotonic clock) is an argument. Memory is bounded: the de-duplication table
//! forgets entries older than its window and holds at most [`MAX_REMEMBERED`].

use std::collections::HashMap;
use std::time::Duration;

use super::event::{Event, EventKind};

/// The most distinct events remembered for de-duplication.
pub const MAX_REMEMBERED: usize = 1_024;

/// Why an event was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// The notifier's `events` does not list this kind.
    Filtered,
    /// Said already within the de-duplication window.
    Duplicate,
    /// Within `min_interval` of the previous delivery.
    RateLimited,
}

/// One notifier's admission state.
#[derive(Debug)]
pub struct Limiter {
    wanted: Vec<EventKind>,
    dedupe_ms: u64,
    min_interval_ms: u64,
    last_sent: Option<u64>,
    seen: HashMap<String, u64>,
}

impl Limiter {
    /// A limiter for these settings.
    pub fn new(wanted: Vec<EventKind>, dedupe: Duration, min_interval: Duration) -> Limiter {
        Limiter {
            wanted,
            dedupe_ms: dedupe.as_millis().min(u128::from(u64::MAX)) as u64,
            min_interval_ms: min_interval.as_millis().min(u128::from(u64::MAX)) as u64,
            last_sent: None,
            seen: HashMap::new(),
        }
    }

    /// Admit `event` at `now_ms` (milliseconds on a monotonic clock), or say why not.
    /// Started, stopped and test events are never de-duplicated or rate limited.
    pub fn admit(&mut self, event: &Event, now_ms: u64) -> Result<(), Rejected> {
        let always = matches!(
            event.kind,
            EventKind::Test | EventKind::Started | EventKind::Stopped
        );
        if event.kind != EventKind::Test && !self.wanted.contains(&event.kind) {
            return Err(Rejected::Filtered);
        }
        if always {
            return Ok(());
        }
        let key = event.dedupe_key();
        if let Some(&at) = self.seen.get(&key)
            && now_ms.saturating_sub(at) < self.dedupe_ms
        {
            return Err(Rejected::Duplicate);
        }
        if let Some(last) = self.last_sent
            && now_ms.saturating_sub(last) < self.min_interval_ms
        {
            return Err(Rejected::RateLimited);
        }
        self.last_sent = Some(now_ms);
        if self.dedupe_ms > 0 {
            let window = self.dedupe_ms;
            self.seen
                .retain(|_, at| now_ms.saturating_sub(*at) < window);
            if self.seen.len() >= MAX_REMEMBERED
                && let Some(oldest) = self
                    .seen
                    .iter()
                    .min_by_key(|(_, at)| **at)
                    .map(|(k, _)| k.clone())
            {
                self.seen.remove(&oldest);
            }
            self.seen.insert(key, now_ms);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(err: &str) -> Event {
        let mut e = Event::daemon(EventKind::Failed, 0);
        e.record = "a.example.".into();
        e.rtype = "A".into();
        e.error = Some(err.into());
        e
    }

    #[test]
    fn filter_dedupe_and_rate() {
        let mut l = Limiter::new(
            vec![EventKind::Failed],
            Duration::from_secs(60),
            Duration::from_secs(10),
        );
        assert_eq!(l.admit(&failed("x"), 0), Ok(()));
        assert_eq!(l.admit(&failed("x"), 1_000), Err(Rejected::Duplicate));
        assert_eq!(l.admit(&failed("y"), 2_000), Err(Rejected::RateLimited));
        assert_eq!(l.admit(&failed("y"), 12_000), Ok(()));
        assert_eq!(l.admit(&failed("x"), 61_000), Ok(()));
        let upd = Event::daemon(EventKind::Updated, 0);
        assert_eq!(l.admit(&upd, 100_000), Err(Rejected::Filtered));
        assert_eq!(l.admit(&Event::daemon(EventKind::Test, 0), 100_001), Ok(()));
    }

    #[test]
    fn memory_is_bounded() {
        let mut l = Limiter::new(
            vec![EventKind::Failed],
            Duration::from_secs(3_600),
            Duration::ZERO,
        );
        for i in 0..(MAX_REMEMBERED * 3) {
            assert_eq!(l.admit(&failed(&i.to_string()), i as u64), Ok(()));
        }
        assert!(l.seen.len() <= MAX_REMEMBERED);
    }
}
