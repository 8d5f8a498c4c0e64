//! Running a corpus of independent cases on a few threads (each case starts its own servers).

use std::sync::Mutex;

/// Run `check` on every item, up to 4 at a time, and return the sorted failures.
pub fn run_all<T: Sync>(
    items: &[T],
    check: impl Fn(&T) -> Result<(), String> + Sync,
) -> Vec<String> {
    let queue = Mutex::new(items.iter().collect::<Vec<_>>());
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let Some(item) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    if let Err(e) = check(item) {
                        failures.lock().unwrap().push(e);
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    failures
}
