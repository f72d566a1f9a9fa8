//! Hindsight's persistence: one [`Store`] over SQLite (embedded, the default) and
//! PostgreSQL (for several servers sharing one database).
//!
//! SQL is written once where both databases accept it (`$1` placeholders,
//! `RETURNING`); the [`on_pool!`] macro runs the same code against whichever pool
//! is open. SQL assembled at run time goes through `sql::Sql`, which numbers the
//! placeholders as values are bound. Every query that lists incidents, or anything hanging
//! off them, applies the same visibility rule (see [`sql::Sql::visible`]), so private
//! incidents never leak through a list, a count or a lookup.

// Unit tests use some dev-dependencies, not all.
#![cfg_attr(test, allow(unused_crate_dependencies))]

mod accounts;
mod action_items;
mod audit;
mod comments;
mod covers;
mod deliveries;
mod duplicate_check;
mod error;
mod factors;
mod history_imports;
mod incidents;
mod learning;
mod live;
mod notifications;
mod outbox;
mod postmortems;
mod public_summaries;
mod readers;
mod reviews;
mod settings;
mod sign_in;
mod similar;
mod sql;
#[cfg(feature = "test-support")]
pub mod test_support;
mod timeline;
mod trackers;
mod ts;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use accounts::{NewUser, SessionRecord, UserPatch};
pub use action_items::ActionItemFilter;
pub use audit::AuditNote;
pub use comments::PostmortemStamp;
pub use deliveries::{
    ClaimedDelivery, ClaimedTarget, DeliveryFilter, MAX_DIGEST_ITEMS, Outcome, RoutedBatch, SentEvent,
};
pub use duplicate_check::{DuplicateCheck, StoredEvent};
pub use error::StoreError;
pub use factors::{FactorTally, MAX_COVERAGE_ROWS};
pub use history_imports::HistoryCheckpoint;
pub use incidents::{CountUpTo, IncidentFilter, IncidentSort};
pub use learning::{MAX_FIXES, MAX_HOTSPOTS, MAX_LEDGER};
pub use live::{LiveDocument, LiveListener, LiveUpdate};
pub use notifications::{MAX_UNREAD_COUNTED, NotificationFilter, NotifiedBatch};
pub use postmortems::{PostmortemFilter, RespondedIncident};
pub use settings::StoredSetting;
pub use sign_in::{SignInAttempt, SignInLimits};
pub use similar::MAX_SIMILAR;
pub use timeline::{EventCategory, EventVolume, ImportedEvent};
pub use trackers::{ClaimedLink, LinkOutcome, LinkedItem, MAX_SYNC_HISTORY, SealedTracker};
pub use ts::Ts;

/// A page of results and the cursor for the next one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Page cache of the SQLite connection an import writes through, in KiB (the default is 2,000).
const IMPORT_CACHE_KIB: u32 = 32 * 1024;

/// WAL pages an import's connection lets gather before it copies them into the database
/// (the default is 1,000): index pages changed by many transactions are copied once. 64 MiB
/// of log at most; 16,384 measured faster than 8,192 in every round (docs/BENCHMARKS.md).
const IMPORT_CHECKPOINT_PAGES: u32 = 16_384;

/// Largest page a list returns.
pub const MAX_PAGE: i64 = 200;

/// The schema this build migrates a database to: the number of its last migration (the
/// same on both databases; a test holds it to the migrations).
pub const SCHEMA_VERSION: i64 = 28;

/// The open database.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Hindsight's persistence API.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// An in-memory SQLite database: every use goes through the pool's one connection.
    in_memory: bool,
    /// On SQLite, the live updates stored through this store, announced within the
    /// process: one server holds the database, so that is every one.
    live_news: tokio::sync::broadcast::Sender<(String, i64)>,
}

/// How many announcements of live updates a listener may fall behind by before it misses
/// some (rooms poll as well).
const LIVE_NEWS_BACKLOG: usize = 1024;

/// Runs `$body` with `$pool` bound to whichever pool the store holds.
/// The body is compiled once per backend, so the same SQL text serves both.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Inside a transaction `$tx`, the next value of the counter row named `$name` (incident
/// numbers, audit event and outbox ids); evaluates to `Result<i64, sqlx::Error>`. The row
/// stays locked until commit (PostgreSQL's row lock; SQLite's write lock), so values are
/// handed out in commit order, without gaps, however many servers share the database.
macro_rules! next_count {
    ($tx:ident, $name:expr) => {
        sqlx::query_scalar::<_, i64>("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value")
            .bind($name)
            .fetch_one(&mut *$tx)
    };
}
pub(crate) use next_count;

/// Inside a transaction `$tx`, replaces the links of the record `$id` in a link table:
/// `$clear` (one parameter, `$id`) deletes them, then `$add` (two: `$id` and the other
/// side's id) inserts one for each id of `$ids`; evaluates to `Result<(), sqlx::Error>`.
macro_rules! replace_links {
    ($tx:ident, $clear:expr, $add:expr, $id:expr, $ids:expr) => {
        async {
            sqlx::query($clear).bind($id).execute(&mut *$tx).await?;
            for other in $ids {
                sqlx::query($add).bind($id).bind(other).execute(&mut *$tx).await?;
            }
            Ok::<(), sqlx::Error>(())
        }
    };
}
pub(crate) use replace_links;

/// Starting a transaction that will write.
pub(crate) trait BeginWrite {
    type Database: sqlx::Database;
    /// On SQLite `BEGIN IMMEDIATE`: the write lock is taken (waiting as the busy timeout
    /// allows) before anything is read, so two writers queue instead of the second failing
    /// with "database is locked" when the first commits after it has read. On PostgreSQL a
    /// plain `BEGIN`.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

/// A value bound to a query whose SQL is assembled at run time.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    Bool(bool),
    Time(Ts),
}

/// Binds every [`Arg`] to a query, in order.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                $crate::Arg::Text(v) => query.bind(v),
                $crate::Arg::OptText(v) => query.bind(v),
                $crate::Arg::Int(v) => query.bind(v),
                $crate::Arg::Bool(v) => query.bind(v),
                $crate::Arg::Time(v) => query.bind(v),
            };
        }
        query
    }};
}
pub(crate) use bind_args;

/// `$a, $b, …` placeholders for `count` values starting at `$first`.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// Opens `url`: `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let mut in_memory = false;
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl(format!("{url}: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = SqlitePoolOptions::new()
                .max_connections(if in_memory { 1 } else { 8 })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
                .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(1800)) })
                .connect_with(options)
                .await?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options =
                PgConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl(format!("{}: {e}", redact(url))))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Db::Postgres(pool)
        } else {
            return Err(StoreError::BadUrl(format!(
                "{}: expected sqlite://PATH or postgres://USER@HOST/DB",
                redact(url)
            )));
        };
        Ok(Store { db, in_memory, live_news: tokio::sync::broadcast::channel(LIVE_NEWS_BACKLOG).0 })
    }

    /// The store to run one large import through. On SQLite that is a connection of its own with a
    /// larger page cache (`IMPORT_CACHE_KIB`), held for the whole import: the pool's
    /// connections take turns, and each one's cache is dropped whenever another has written,
    /// so an import spread over them keeps reading the pages it just wrote back from the
    /// kernel. Its statement journals stay in memory (`temp_store`): each multi-row INSERT
    /// copies the index pages it changes there before changing them, which had been a
    /// temporary file's writes. Dropping the returned store closes that connection. On
    /// PostgreSQL, and for an in-memory SQLite database (which a second connection would not
    /// see), the same store.
    pub async fn for_import(&self) -> Result<Store, StoreError> {
        let Db::Sqlite(pool) = &self.db else {
            return Ok(self.clone());
        };
        if self.in_memory {
            return Ok(self.clone());
        }
        let options = (*pool.connect_options())
            .clone()
            .pragma("cache_size", format!("-{IMPORT_CACHE_KIB}"))
            .pragma("wal_autocheckpoint", IMPORT_CHECKPOINT_PAGES.to_string())
            .pragma("temp_store", "MEMORY");
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        Ok(Store { db: Db::Sqlite(pool), in_memory: false, live_news: self.live_news.clone() })
    }

    /// Brings the schema up to date and, the first time only, seals history written
    /// before the audit chain. Safe to run from several processes at once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        self.seal_history_once().await?;
        Ok(())
    }

    /// Writes a copy of the whole SQLite database to the new file `path` (`VACUUM INTO`):
    /// the database as of one moment, made while servers go on reading and writing, and
    /// compact. Answers `false` on PostgreSQL, whose backups pg_dump makes.
    pub async fn backup_into(&self, path: &str) -> Result<bool, StoreError> {
        let Db::Sqlite(pool) = &self.db else { return Ok(false) };
        sqlx::query("VACUUM INTO $1").bind(path).execute(pool).await?;
        Ok(true)
    }

    /// The schema version of the database (its last migration), `None` for a database
    /// Hindsight never migrated.
    pub async fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
        let version = on_pool!(self, |pool| sqlx::query_scalar::<_, Option<i64>>(sql).fetch_one(pool).await);
        match version {
            Ok(version) => Ok(version),
            // No such table: not a Hindsight database.
            Err(sqlx::Error::Database(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Which database this store speaks to: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match &self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await)
    }

    /// Whether [`Store::close`] has begun: no connection is handed out any more.
    pub fn is_closed(&self) -> bool {
        match &self.db {
            Db::Sqlite(pool) => pool.is_closed(),
            Db::Postgres(pool) => pool.is_closed(),
        }
    }
}

/// A new sortable, URL-safe id (UUIDv7).
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// The URL with any password replaced, fit for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &userinfo[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Marks SQL assembled at run time as safe to send. Callers build it only from
/// constant fragments and `$n` placeholders; every value a user controls is bound.
pub(crate) fn built_sql(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.to_string())
}
