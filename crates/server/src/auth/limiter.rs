//! Slows password guessing: after too many failed sign-ins for one name from one
//! address, further attempts are refused for a while.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per window before sign-ins are refused.
const MAX_FAILURES: u32 = 10;
/// How long failures are remembered.
const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failed sign-ins per (address, username), in memory.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    /// Whether a sign-in for `key` may be tried now.
    pub fn allowed(&self, key: &str) -> bool {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match failures.get(key) {
            Some((_, since)) if since.elapsed() > WINDOW => {
                failures.remove(key);
                true
            }
            Some((count, _)) => *count < MAX_FAILURES,
            None => true,
        }
    }

    /// Records a failed sign-in.
    pub fn failed(&self, key: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| since.elapsed() <= WINDOW);
        }
        let entry = failures.entry(key.to_string()).or_insert((0, Instant::now()));
        entry.0 += 1;
    }

    /// Forgets failures after a successful sign-in.
    pub fn succeeded(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenth_failure_blocks_further_attempts() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_FAILURES {
            assert!(limiter.allowed("1.2.3.4 ana"));
            limiter.failed("1.2.3.4 ana");
        }
        assert!(!limiter.allowed("1.2.3.4 ana"));
        assert!(limiter.allowed("1.2.3.4 bo"));
        limiter.succeeded("1.2.3.4 ana");
        assert!(limiter.allowed("1.2.3.4 ana"));
    }
}
