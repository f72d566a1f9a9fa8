//! Checkpoints of imports of incident history from a vendor's API.

use hindsight_store::{HistoryCheckpoint, Store};
use time::macros::datetime;

async fn a_checkpoint_is_kept_per_vendor_and_window_and_replaced(store: Store) {
    let since = datetime!(2026-01-01 00:00 UTC);
    let until = Some(datetime!(2026-03-01 00:00 UTC));
    assert_eq!(store.history_checkpoint("pagerduty", since, until).await.unwrap(), None);
    let mut checkpoint = HistoryCheckpoint {
        vendor: "pagerduty".into(),
        since,
        until,
        ends_at: datetime!(2026-03-01 00:00 UTC),
        chunk_start: datetime!(2026-01-31 00:00 UTC),
        chunk_done: 3,
        finished_at: None,
    };
    store.save_history_checkpoint(&checkpoint).await.unwrap();
    assert_eq!(store.history_checkpoint("pagerduty", since, until).await.unwrap().as_ref(), Some(&checkpoint));
    // Another window, another vendor, or the open-ended window are other imports.
    assert_eq!(store.history_checkpoint("pagerduty", since, None).await.unwrap(), None);
    assert_eq!(store.history_checkpoint("opsgenie", since, until).await.unwrap(), None);
    let later = datetime!(2026-01-01 00:00:00.000_001 UTC);
    assert_eq!(store.history_checkpoint("pagerduty", later, until).await.unwrap(), None);

    checkpoint.chunk_done = 4;
    checkpoint.finished_at = Some(datetime!(2026-03-02 08:00 UTC));
    store.save_history_checkpoint(&checkpoint).await.unwrap();
    let open = HistoryCheckpoint { until: None, ends_at: datetime!(2026-12-08 03:00 +01:00), ..checkpoint.clone() };
    store.save_history_checkpoint(&open).await.unwrap();
    assert_eq!(store.history_checkpoint("pagerduty", since, until).await.unwrap(), Some(checkpoint));
    let read = store.history_checkpoint("pagerduty", since, None).await.unwrap().unwrap();
    assert_eq!(read.ends_at, datetime!(2026-12-08 02:00 UTC), "kept in UTC");
    assert_eq!(read.until, None);
}

on_both_databases!(a_checkpoint_is_kept_per_vendor_and_window_and_replaced);
