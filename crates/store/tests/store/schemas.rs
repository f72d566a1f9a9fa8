//! The two databases' schemas.

use hindsight_store::Store;
use hindsight_store::test_support::{fetch_raw, postgres_store, sqlite_store};

/// Every `table.column` of a migrated store, as its database lists them.
async fn columns(store: &Store, postgres: bool) -> std::collections::BTreeSet<String> {
    let sql = if postgres {
        "SELECT table_name || '.' || column_name FROM information_schema.columns \
         WHERE table_schema = current_schema()"
    } else {
        "SELECT m.name || '.' || c.name FROM sqlite_master m, pragma_table_info(m.name) c \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
    };
    fetch_raw(store, sql).await.into_iter().flatten().collect()
}

/// The same migrations on both databases give the same tables and columns, apart from how
/// each keeps its full-text search (PostgreSQL a generated column with a GIN index, SQLite
/// an FTS5 table and the tables FTS5 keeps beside it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_give_the_same_tables_and_columns() {
    let Some(postgres) = postgres_store().await else { return };
    let sqlite = sqlite_store().await;
    let on_postgres = columns(&postgres, true).await;
    let on_sqlite = columns(&sqlite, false).await;
    let only_postgres: Vec<&String> = on_postgres.difference(&on_sqlite).collect();
    let only_sqlite: Vec<&String> =
        on_sqlite.difference(&on_postgres).filter(|c| !c.starts_with("incidents_search")).collect();
    assert_eq!(only_postgres, ["incidents.search"], "columns only PostgreSQL has");
    assert!(only_sqlite.is_empty(), "columns only SQLite has: {only_sqlite:?}");
    assert!(on_sqlite.contains("incidents_search.title"), "SQLite's full-text table is there");
    assert!(on_postgres.len() > 100, "a whole schema was read: {}", on_postgres.len());
}
