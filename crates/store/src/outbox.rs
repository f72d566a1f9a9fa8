//! The outbox: domain events ([`DomainEvent`]) appended by the writes that made them, in
//! the same transaction, for notifications, webhooks out and tracker sync to read.

use hindsight_core::access::Viewer;
use hindsight_core::events::{DomainEvent, OutboxEntry};

use crate::sql::Sql;
use crate::{Arg, Store, StoreError, Ts, bind_args, built_sql, on_pool};

/// The protocol of a reader of the outbox (a row of `outbox_readers`), shared by every
/// reader: its position and the outbox's newest id (`$1`: the reader's name), read first so
/// that an idle pass writes nothing; its lease taken or renewed (`$2`: owner, `$3`: now, `$4`:
/// lease end), answering its position, none while another holds it; its position moved
/// (`$2`: the last event handled), in the transaction that stores what it made.
pub(crate) const READER_POSITION_SQL: &str =
    "SELECT last_id, (SELECT MAX(id) FROM outbox) FROM outbox_readers WHERE name = $1";
pub(crate) const READER_LEASE_SQL: &str = "UPDATE outbox_readers SET lease_owner = $2, lease_until = $4 \
     WHERE name = $1 AND (lease_owner = $2 OR lease_until IS NULL OR lease_until < $3) RETURNING last_id";
pub(crate) const READER_MOVE_SQL: &str = "UPDATE outbox_readers SET last_id = $2 WHERE name = $1";

/// Inside a write's transaction `$tx`, appends `$events` (a slice of [`DomainEvent`]) about
/// incident id `$incident` made by `$actor` (a user id, or none) at `$at`; evaluates to
/// `Result<(), StoreError>`. Each append takes the next id from the `outbox_event` counter,
/// locking its row until commit, so ids are in commit order.
macro_rules! append_events {
    ($tx:ident, $events:expr, $incident:expr, $actor:expr, $at:expr) => {
        async {
            let events: &[hindsight_core::events::DomainEvent] = $events;
            let incident_id: &str = $incident;
            let actor_id: Option<&str> = $actor;
            let at: $crate::Ts = $at;
            for event in events {
                let payload = serde_json::to_string(event).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                let id = $crate::next_count!($tx, "outbox_event").await?;
                sqlx::query(
                    "INSERT INTO outbox (id, kind, incident_id, actor_id, at, payload) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(event.kind().as_str())
                .bind(incident_id)
                .bind(actor_id)
                .bind(at)
                .bind(payload)
                .execute(&mut *$tx)
                .await?;
            }
            Ok::<(), $crate::StoreError>(())
        }
    };
}
pub(crate) use append_events;

/// An outbox row as read: id, payload, actor's username, time.
type OutboxRow = (i64, String, Option<String>, Ts);

impl Store {
    /// Domain events after id `after`, oldest first, at most `limit` (capped at
    /// [`crate::MAX_PAGE`]), about incidents the viewer may see.
    pub async fn outbox_events(&self, viewer: &Viewer, after: i64, limit: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        let limit = limit.clamp(1, crate::MAX_PAGE);
        let mut sql = Sql::new(
            "SELECT o.id, o.payload, u.username, o.at FROM outbox o JOIN incidents i ON i.id = o.incident_id \
             LEFT JOIN users u ON u.id = o.actor_id WHERE o.id > ",
        );
        sql.bind(Arg::Int(after))
            .push(" AND ")
            .visible("i", viewer)
            .push(" ORDER BY o.id LIMIT ")
            .bind(Arg::Int(limit));
        let (sql, args) = sql.into_parts();
        let rows: Vec<OutboxRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(id, payload, actor, at)| {
                let event: DomainEvent = serde_json::from_str(&payload)
                    .map_err(|e| StoreError::Corrupt(format!("outbox event {id}: {e}")))?;
                Ok(OutboxEntry { id, event, actor, at: at.get() })
            })
            .collect()
    }
}
