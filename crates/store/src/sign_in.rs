//! Sign-in limits, counted in the database so that every server sharing it shares them:
//! per account name, a wait that doubles with each failure past a few (backoff, never a
//! lock-out); per client address, a cap on failures in a window.
//!
//! An attempt is counted before the password is checked, in one transaction with the
//! decision, so parallel guesses cannot all slip through before the first is counted;
//! a successful sign-in takes its attempt back. Rows idle for a day are pruned as new
//! attempts come in, so the table holds at most the names and addresses tried that day.
//! Which address a request comes from is the server's business, not this module's.

use time::{Duration, OffsetDateTime};

use crate::{BeginWrite, Store, StoreError, Ts, built_sql, on_pool};

/// How many failed sign-ins are let through, per account and per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Failures of one account let through before each further attempt has to wait.
    pub account_free_failures: i64,
    /// The first wait; it doubles with each further failure.
    pub account_first_wait: Duration,
    /// The longest wait: an account is never closed for longer than this after a failure.
    pub account_longest_wait: Duration,
    /// Failures allowed from one address per window.
    pub address_failures: i64,
    /// The address window, counted from its first failure.
    pub address_window: Duration,
    /// Counts idle this long are forgotten.
    pub forget_after: Duration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            account_free_failures: 5,
            account_first_wait: Duration::seconds(1),
            account_longest_wait: Duration::minutes(15),
            address_failures: 50,
            address_window: Duration::minutes(15),
            forget_after: Duration::hours(24),
        }
    }
}

/// What the limits say about one sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInAttempt {
    /// Go on and check the password; the attempt is counted as a failure until
    /// [`Store::sign_in_succeeded`] takes it back.
    Allowed,
    /// Too many failures for this account name (`account`) or from this address; try
    /// again at `retry_at`. Nothing was counted.
    Refused { account: bool, retry_at: OffsetDateTime },
}

/// One stored count: failures, when its window began, when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Count {
    failures: i64,
    window_start: OffsetDateTime,
    last_failure: OffsetDateTime,
}

impl SignInLimits {
    /// The count as it stands at `now`: forgotten when idle, the address window restarted.
    fn current(&self, account: bool, count: Option<Count>, now: OffsetDateTime) -> Count {
        let fresh = Count { failures: 0, window_start: now, last_failure: now };
        match count {
            Some(c) if now - c.last_failure >= self.forget_after => fresh,
            Some(c) if !account && now - c.window_start >= self.address_window => fresh,
            Some(c) => c,
            None => fresh,
        }
    }

    /// When another attempt may be made, if not now.
    fn retry_at(&self, account: bool, count: Count, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let at = if account {
            let over = count.failures - self.account_free_failures;
            if over < 0 {
                return None;
            }
            // Doubling per failure, capped; the shift is bounded so it cannot overflow.
            let factor: i32 = 1 << over.min(30);
            let wait = self.account_first_wait.saturating_mul(factor);
            count.last_failure + wait.min(self.account_longest_wait)
        } else {
            if count.failures < self.address_failures {
                return None;
            }
            count.window_start + self.address_window
        };
        (at > now).then_some(at)
    }
}

type CountRow = (i64, Ts, Ts);

impl Store {
    /// Decides whether a sign-in for `username` from `address` may be tried at `now`,
    /// and if so counts it (as a failure, until [`Store::sign_in_succeeded`]). Also prunes
    /// counts idle for longer than `limits.forget_after`.
    pub async fn begin_sign_in(
        &self,
        username: &str,
        address: &str,
        now: OffsetDateTime,
        limits: &SignInLimits,
    ) -> Result<SignInAttempt, StoreError> {
        // SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL locks the two rows.
        let lock = if self.backend() == "postgres" { " FOR UPDATE" } else { "" };
        let select = format!(
            "SELECT failures, window_start, last_failure FROM sign_in_failures WHERE scope = $1 AND key = $2{lock}"
        );
        on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin_write().await?;
                let mut counts = Vec::new();
                for (account, scope, key) in [(true, "account", username), (false, "address", address)] {
                    // The row must exist for PostgreSQL to lock it; a new one is rolled back if refused.
                    sqlx::query(
                        "INSERT INTO sign_in_failures (scope, key, failures, window_start, last_failure) \
                         VALUES ($1, $2, 0, $3, $3) ON CONFLICT (scope, key) DO NOTHING",
                    )
                    .bind(scope)
                    .bind(key)
                    .bind(Ts(now))
                    .execute(&mut *tx)
                    .await?;
                    let row: Option<CountRow> =
                        sqlx::query_as(built_sql(&select)).bind(scope).bind(key).fetch_optional(&mut *tx).await?;
                    let stored = row.map(|(failures, window_start, last_failure)| Count {
                        failures,
                        window_start: window_start.get(),
                        last_failure: last_failure.get(),
                    });
                    let count = limits.current(account, stored, now);
                    if let Some(retry_at) = limits.retry_at(account, count, now) {
                        tx.rollback().await?;
                        return Ok(SignInAttempt::Refused { account, retry_at });
                    }
                    counts.push((scope, key, count));
                }
                for (scope, key, count) in counts {
                    sqlx::query(
                        "UPDATE sign_in_failures SET failures = $3, window_start = $4, last_failure = $5 \
                         WHERE scope = $1 AND key = $2",
                    )
                    .bind(scope)
                    .bind(key)
                    .bind(count.failures + 1)
                    .bind(Ts(count.window_start))
                    .bind(Ts(now))
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("DELETE FROM sign_in_failures WHERE last_failure < $1")
                    .bind(Ts(now - limits.forget_after))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok::<_, StoreError>(SignInAttempt::Allowed)
            }
            .await
        })
    }

    /// Takes back the attempt [`Store::begin_sign_in`] counted, now that it succeeded: the
    /// account's failures are forgotten, the address's count goes down by one.
    pub async fn sign_in_succeeded(&self, username: &str, address: &str) -> Result<(), StoreError> {
        on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin_write().await?;
                sqlx::query("DELETE FROM sign_in_failures WHERE scope = 'account' AND key = $1")
                    .bind(username)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE sign_in_failures SET failures = failures - 1 \
                     WHERE scope = 'address' AND key = $1 AND failures > 0",
                )
                .bind(address)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok::<_, StoreError>(())
            }
            .await
        })
    }

    /// How many sign-in counts are stored (account names and addresses together).
    pub async fn sign_in_counts(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures").fetch_one(pool).await)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn account_waits_double_from_one_second_up_to_fifteen_minutes() {
        let limits = SignInLimits::default();
        let last = datetime!(2026-12-01 10:00 UTC);
        let wait = |failures| {
            let count = Count { failures, window_start: last, last_failure: last };
            limits.retry_at(true, count, last).map(|at| at - last)
        };
        assert_eq!(wait(4), None);
        assert_eq!(wait(5), Some(Duration::seconds(1)));
        assert_eq!(wait(6), Some(Duration::seconds(2)));
        assert_eq!(wait(14), Some(Duration::seconds(512)));
        assert_eq!(wait(15), Some(Duration::minutes(15)));
        assert_eq!(wait(1_000_000), Some(Duration::minutes(15)));
    }

    #[test]
    fn address_cap_holds_for_its_window_then_starts_again() {
        let limits = SignInLimits::default();
        let start = datetime!(2026-12-01 10:00 UTC);
        let count = Count { failures: 50, window_start: start, last_failure: start + Duration::minutes(14) };
        let now = start + Duration::minutes(14);
        assert_eq!(
            limits.retry_at(false, limits.current(false, Some(count), now), now),
            Some(start + Duration::minutes(15))
        );
        let later = start + Duration::minutes(15);
        assert_eq!(limits.current(false, Some(count), later).failures, 0);
        let under = Count { failures: 49, ..count };
        assert_eq!(limits.retry_at(false, under, now), None);
    }
}
