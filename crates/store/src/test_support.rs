//! Fresh, migrated stores for tests: a temp-file SQLite database, or a new
//! database on the PostgreSQL server that `HINDSIGHT_TEST_DATABASE_URL` points to.
//!
//! For tests only (this crate's and the server's), so every failure panics with
//! what went wrong: a test cannot go on without its database. Each call gives a
//! database of its own, so tests run in parallel without seeing each other's rows.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sqlx::{Connection, PgConnection};

use crate::{Store, built_sql, redact};

#[doc(hidden)]
pub use pastey;

/// Turns each behaviour named, an `async fn name(store: Store)`, into two tests:
/// `sqlite_<name>` on a fresh SQLite store and `postgres_<name>` on a fresh PostgreSQL one
/// (which fails under `CI` when [`DATABASE_URL_VAR`] is unset, and is skipped, saying so,
/// elsewhere).
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        $crate::test_support::pastey::paste! {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn [<sqlite_ $name>]() {
                    $name($crate::test_support::sqlite_store().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn [<postgres_ $name>]() {
                    let Some(store) = $crate::test_support::postgres_store().await else { return };
                    $name(store).await;
                }
            )+
        }
    };
}

/// The variable naming a PostgreSQL server tests may create databases on, as
/// `postgres://USER@HOST:PORT/DB` with a user allowed to `CREATE DATABASE`.
pub const DATABASE_URL_VAR: &str = "HINDSIGHT_TEST_DATABASE_URL";

/// Test databases older than this are left over from earlier runs and swept.
const LEFT_OVER_AFTER: Duration = Duration::from_secs(60 * 60);

/// Prefix of every test database's name, on disk and in PostgreSQL.
const PREFIX: &str = "hindsight_test_";

/// A migrated store on a new SQLite file under the system's temp directory.
pub async fn sqlite_store() -> Store {
    let store = empty_sqlite_store().await;
    store.migrate().await.unwrap_or_else(|e| panic!("cannot migrate a test database: {e}"));
    store
}

/// A store on a new SQLite file under the system's temp directory, not migrated at all.
pub async fn empty_sqlite_store() -> Store {
    let dir = std::env::temp_dir().join("hindsight-test-stores");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    sweep_old_files(&dir);
    let path = dir.join(format!("{PREFIX}{}.db", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}", path.display());
    Store::connect(&url).await.unwrap_or_else(|e| panic!("cannot open test database {url}: {e}"))
}

/// A store on a new database of the server `HINDSIGHT_TEST_DATABASE_URL` names, not
/// migrated at all; `None` as for [`postgres_store`].
pub async fn empty_postgres_store() -> Option<Store> {
    let url = postgres_database().await?;
    Some(Store::connect(&url).await.unwrap_or_else(|e| panic!("cannot connect to test database {}: {e}", redact(&url))))
}

/// Migrates the store's database up to schema `version` only, as an install of an earlier
/// release left it (for tests of upgrades).
pub async fn migrate_to(store: &Store, version: i64) {
    let result = match &store.db {
        crate::Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run_to(version, pool).await,
        crate::Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run_to(version, pool).await,
    };
    result.unwrap_or_else(|e| panic!("cannot migrate to schema {version}: {e}"));
}

/// Whether tests run under CI: `CI` set to anything but empty, `0` or `false`. There a
/// test whose database or tool is missing fails rather than skipping, so a run that
/// checked nothing cannot pass.
pub fn under_ci() -> bool {
    is_ci(std::env::var("CI").ok().as_deref())
}

fn is_ci(value: Option<&str>) -> bool {
    value.map(str::trim).is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The PostgreSQL server to test on, from `HINDSIGHT_TEST_DATABASE_URL`: `None` (skip)
/// when unset outside CI, an error saying what to set under CI.
fn postgres_server(url: Option<&str>, ci: bool) -> Result<Option<String>, String> {
    match url.filter(|url| !url.is_empty()) {
        Some(url) => Ok(Some(url.to_string())),
        None if ci => Err(format!(
            "{DATABASE_URL_VAR} is not set, and under CI the PostgreSQL run of every store test must run: \
             point it at a server where the test user may CREATE DATABASE (.ci/run starts one)"
        )),
        None => Ok(None),
    }
}

/// A migrated store on a new database of the server `HINDSIGHT_TEST_DATABASE_URL`
/// names, or `None` (after a notice) when the variable is unset; under CI an unset
/// variable fails the test instead.
pub async fn postgres_store() -> Option<Store> {
    let url = postgres_database().await?;
    let store =
        Store::connect(&url).await.unwrap_or_else(|e| panic!("cannot connect to test database {}: {e}", redact(&url)));
    store.migrate().await.unwrap_or_else(|e| panic!("cannot migrate test database {}: {e}", redact(&url)));
    Some(store)
}

/// The URL of a new, empty database on the server `HINDSIGHT_TEST_DATABASE_URL` names,
/// for tests that hand a URL to the binary; `None` (after a notice) when it is unset,
/// and under CI a failure instead.
pub async fn postgres_database() -> Option<String> {
    let url = std::env::var(DATABASE_URL_VAR).ok();
    let admin_url = match postgres_server(url.as_deref(), under_ci()) {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!("{DATABASE_URL_VAR} is not set: skipping the PostgreSQL run of this test");
            return None;
        }
        Err(e) => panic!("{e}"),
    };
    let shown = redact(&admin_url);
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {DATABASE_URL_VAR}={shown}: {e}"));
    sweep_old_databases(&mut admin).await;
    // A UUIDv7 makes the name unique and says when it was made, for the sweep.
    let name = format!("{PREFIX}{}", uuid::Uuid::now_v7().simple());
    sqlx::query(built_sql(&format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create database {name} on {shown}: {e}"));
    // Closing is a courtesy to the server; the database exists either way.
    let _ = admin.close().await;
    Some(with_database(&admin_url, &name))
}

/// Runs one SQL statement on the store's database behind the store's back, as
/// someone with direct database access could (tests of tamper detection). Returns
/// the number of rows it changed.
pub async fn execute_raw(store: &Store, sql: &str) -> u64 {
    let result = match &store.db {
        crate::Db::Sqlite(pool) => sqlx::query(built_sql(sql)).execute(pool).await.map(|r| r.rows_affected()),
        crate::Db::Postgres(pool) => sqlx::query(built_sql(sql)).execute(pool).await.map(|r| r.rows_affected()),
    };
    result.unwrap_or_else(|e| panic!("cannot run {sql:?}: {e}"))
}

/// Reads one text column of every row `sql` selects, behind the store's back.
pub async fn fetch_raw(store: &Store, sql: &str) -> Vec<Option<String>> {
    let result = match &store.db {
        crate::Db::Sqlite(pool) => sqlx::query_scalar(built_sql(sql)).fetch_all(pool).await,
        crate::Db::Postgres(pool) => sqlx::query_scalar(built_sql(sql)).fetch_all(pool).await,
    };
    result.unwrap_or_else(|e| panic!("cannot run {sql:?}: {e}"))
}

/// `url` with its database replaced by `name`, query string kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// Removes SQLite files of earlier runs, so that repeated runs do not fill the temp
/// directory. Best effort: a file another process is still using is young, so kept.
fn sweep_old_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let old: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(PREFIX))
        .filter(|entry| {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| SystemTime::now().duration_since(modified).ok())
                .is_some_and(|age| age > LEFT_OVER_AFTER)
        })
        .map(|entry| entry.path())
        .collect();
    for path in old {
        let _ = std::fs::remove_file(path);
    }
}

/// Drops test databases that earlier runs left on a long-lived server. Best effort:
/// another process may be sweeping the same ones, and a failure here harms no test.
async fn sweep_old_databases(admin: &mut PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'hindsight\\_test\\_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    for name in names {
        let Some(made) = name
            .strip_prefix(PREFIX)
            // Only names this module made: 32 hex digits, safe to put in SQL.
            .filter(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()))
            .and_then(|id| uuid::Uuid::parse_str(id).ok())
            .and_then(|id| id.get_timestamp())
        else {
            continue;
        };
        let (secs, nanos) = made.to_unix();
        let made = SystemTime::UNIX_EPOCH + Duration::new(secs, nanos);
        let old = SystemTime::now().duration_since(made).is_ok_and(|age| age > LEFT_OVER_AFTER);
        if old {
            let _ = sqlx::query(built_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut *admin)
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_in_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
    }

    #[test]
    fn database_is_added_to_url_without_one() {
        assert_eq!(with_database("postgres://u:p@db", "t1"), "postgres://u:p@db/t1");
    }

    #[test]
    fn query_string_is_kept_when_database_is_replaced() {
        assert_eq!(with_database("postgres://u@db/main?sslmode=disable", "t1"), "postgres://u@db/t1?sslmode=disable");
    }

    #[test]
    fn ci_is_any_value_but_empty_zero_or_false() {
        assert!(is_ci(Some("true")) && is_ci(Some("1")) && is_ci(Some("yes")));
        assert!(!is_ci(None) && !is_ci(Some("")) && !is_ci(Some("0")) && !is_ci(Some("false")));
    }

    #[test]
    fn without_a_test_database_postgres_tests_skip_outside_ci_and_fail_under_it() {
        assert_eq!(postgres_server(None, false), Ok(None));
        assert_eq!(postgres_server(Some(""), false), Ok(None));
        let error = postgres_server(None, true).unwrap_err();
        assert!(error.contains(DATABASE_URL_VAR) && error.contains("under CI"), "{error}");
        assert_eq!(postgres_server(Some("postgres://p@h/db"), true), Ok(Some("postgres://p@h/db".to_string())));
    }
}
