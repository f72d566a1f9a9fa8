//! Which records of one import belong together, so that an import finding or declaring
//! incidents from what it reads does not glue records that have nothing to do with each other
//! into one incident (two unrelated alerts a year apart).
//!
//! The rule, for records handed over one at a time in any order: a record joins the first
//! episode that shares one of its keys (the tool's incident id or number, an alert
//! fingerprint, a chat channel); else the episode nearest in time whose records it comes
//! within [`EPISODE_GAP`] of; else it starts an episode of its own. So records far apart in
//! time with no key in common are apart; a resolution days after its alert (same fingerprint),
//! and records about one problem from several tools within a day, stay together.
//!
//! Not the finding of stored incidents: the server's import does that, an episode at a time.

use std::collections::HashSet;

use time::{Duration, OffsetDateTime};

/// How far in time a record with no key in common with an episode may lie from its records and
/// still join it.
pub const EPISODE_GAP: Duration = Duration::hours(24);

/// Episodes one import tells apart at most (each keeps its key-moment candidates in memory);
/// past it, a record that would start one joins the episode nearest in time.
pub const MAX_EPISODES: usize = 32;

/// Keys one episode remembers at most; records past it join by key only through the ones kept.
const MAX_KEYS: usize = 10_000;

/// The episodes of one import so far.
#[derive(Debug, Default)]
pub struct Episodes {
    episodes: Vec<Episode>,
}

#[derive(Debug)]
struct Episode {
    keys: HashSet<(String, String)>,
    first: OffsetDateTime,
    last: OffsetDateTime,
}

impl Episode {
    /// How far `at` lies from the episode's records: zero within their span.
    fn distance(&self, at: OffsetDateTime) -> Duration {
        if at < self.first {
            self.first - at
        } else if at > self.last {
            at - self.last
        } else {
            Duration::ZERO
        }
    }

    fn take(&mut self, at: OffsetDateTime, keys: &[(String, String)]) {
        self.first = self.first.min(at);
        self.last = self.last.max(at);
        for key in keys {
            if self.keys.len() < MAX_KEYS && !self.keys.contains(key) {
                self.keys.insert(key.clone());
            }
        }
    }
}

impl Episodes {
    /// The episode (0, 1, … in the order they began) of a record at `at` with these keys
    /// (kind, value), by the rule above.
    pub fn assign(&mut self, at: OffsetDateTime, keys: &[(String, String)]) -> usize {
        let by_key = self.episodes.iter().position(|e| keys.iter().any(|k| e.keys.contains(k)));
        let nearest =
            || self.episodes.iter().enumerate().min_by_key(|(_, e)| e.distance(at)).map(|(i, e)| (i, e.distance(at)));
        let index = match (by_key, nearest()) {
            (Some(index), _) => index,
            (None, Some((index, distance))) if distance <= EPISODE_GAP || self.episodes.len() >= MAX_EPISODES => index,
            _ => {
                self.episodes.push(Episode { keys: HashSet::new(), first: at, last: at });
                self.episodes.len() - 1
            }
        };
        self.episodes[index].take(at, keys);
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn key(kind: &str, value: &str) -> Vec<(String, String)> {
        vec![(kind.to_string(), value.to_string())]
    }

    #[test]
    fn unrelated_records_a_year_apart_are_apart() {
        let mut episodes = Episodes::default();
        assert_eq!(episodes.assign(datetime!(2026-11-20 23:27 UTC), &key("alert_fingerprint", "a")), 0);
        assert_eq!(episodes.assign(datetime!(2025-11-20 08:00 UTC), &key("alert_fingerprint", "b")), 1);
        assert_eq!(episodes.assign(datetime!(2025-11-20 08:30 UTC), &[]), 1, "near the second");
    }

    #[test]
    fn a_shared_key_joins_whatever_the_time_and_nearness_joins_without_one() {
        let mut episodes = Episodes::default();
        assert_eq!(episodes.assign(datetime!(2026-11-20 10:00 UTC), &key("alert_fingerprint", "a")), 0);
        assert_eq!(episodes.assign(datetime!(2026-11-23 10:00 UTC), &key("alert_fingerprint", "a")), 0);
        assert_eq!(episodes.assign(datetime!(2026-11-20 10:02 UTC), &key("pagerduty_incident", "P1")), 0);
        assert_eq!(episodes.assign(datetime!(2026-12-20 10:02 UTC), &key("pagerduty_incident", "P2")), 1);
    }

    #[test]
    fn past_the_most_episodes_a_record_joins_the_nearest() {
        let mut episodes = Episodes::default();
        let start = datetime!(2026-01-01 00:00 UTC);
        for i in 0..MAX_EPISODES as i64 {
            assert_eq!(episodes.assign(start + Duration::days(10 * i), &[]), i as usize);
        }
        assert_eq!(episodes.assign(start + Duration::days(10 * MAX_EPISODES as i64 + 5), &[]), MAX_EPISODES - 1);
    }
}
