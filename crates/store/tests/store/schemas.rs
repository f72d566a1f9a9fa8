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

/// Each migration of both databases as `backend version checksum` lines (the checksum sqlx
/// keeps of the file, SHA-384, in hex).
fn migration_lines() -> Vec<String> {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let mut lines = Vec::new();
    for (backend, migrator) in
        [("sqlite", sqlx::migrate!("./migrations/sqlite")), ("postgres", sqlx::migrate!("./migrations/postgres"))]
    {
        for migration in migrator.migrations.iter() {
            lines.push(format!("{backend} {:04} {}", migration.version, hex(&migration.checksum)));
        }
    }
    lines
}

/// A migration, once released, is never edited: a database that ran it would refuse the
/// new file (sqlx compares checksums), and one that did not would get another schema.
/// `migrations/CHECKSUMS` lists every migration's checksum; a new migration adds its line.
#[test]
fn released_migrations_are_never_edited() {
    let listed: Vec<&str> =
        include_str!("../../migrations/CHECKSUMS").lines().filter(|l| !l.starts_with('#')).collect();
    let now = migration_lines();
    let edited: Vec<&&str> = listed.iter().filter(|line| !now.iter().any(|n| n == *line)).collect();
    assert!(
        edited.is_empty(),
        "released migrations were edited or removed (add a new migration instead): {edited:?}\nnow:\n{}",
        now.join("\n")
    );
    let unlisted: Vec<&String> = now.iter().filter(|n| !listed.contains(&n.as_str())).collect();
    assert!(unlisted.is_empty(), "new migrations: add these lines to migrations/CHECKSUMS:\n{unlisted:#?}");
}

#[test]
fn the_schema_version_is_the_last_migration_on_both_databases() {
    for migrator in [sqlx::migrate!("./migrations/sqlite"), sqlx::migrate!("./migrations/postgres")] {
        let last = migrator.migrations.iter().map(|m| m.version).max();
        assert_eq!(last, Some(hindsight_store::SCHEMA_VERSION));
    }
}

/// An install of the release before notifications (schema 17), with incidents, a
/// post-mortem and an action item, upgrades to this one: its past events tell nobody, new
/// ones do, its post-mortems' readers are proposed, and its closed items keep when they
/// last changed as when they closed. (The item is written as that release wrote it: this
/// release's store writes columns it did not have.)
async fn an_install_before_notifications_upgrades_without_telling_its_past(store: Store) {
    use crate::common::{action_item, admin, incident, person};
    use hindsight_core::{NewActionItem, Role};
    use hindsight_store::Ts;
    hindsight_store::test_support::migrate_to(&store, 17).await;
    let admin = admin(&store).await;
    person(&store, "bob", Role::Editor).await;
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let owned = |title: &str| NewActionItem { owner: Some("bob".into()), ..action_item(title) };
    let at = "'2026-11-02T10:00:00.000000Z'";
    let at = if store.backend() == "postgres" { format!("{at}::timestamptz") } else { at.to_string() };
    let sections = r#"{"root_cause": {"component": "  DB-Pool ", "legacy_code": true, "certainty": "probable"}, "impact": {"access_lost_minutes": 45}}"#;
    hindsight_store::test_support::execute_raw(
        &store,
        &format!(
            "INSERT INTO postmortems (id, incident_id, status, sections, created_at, updated_at, version) \
             SELECT 'old-pm', id, 'published', '{sections}', {at}, {at}, 1 FROM incidents"
        ),
    )
    .await;
    hindsight_store::test_support::execute_raw(
        &store,
        &format!(
            "INSERT INTO action_items (id, incident_id, title, description, kind, priority, status, created_at, \
             updated_at, version) SELECT 'old-item', id, 'Before the upgrade', '', 'fix_root_cause', 'p2', 'done', \
             {at}, {at}, 1 FROM incidents"
        ),
    )
    .await;

    store.migrate().await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), Some(hindsight_store::SCHEMA_VERSION));
    let now = Ts::now();
    let until = Ts::from(now.get() + time::Duration::seconds(30));
    let idle = store.notify_from_outbox("worker", now, until, 100).await.unwrap().unwrap();
    assert_eq!((idle.events, idle.notifications), (0, 0), "the events from before the upgrade are not news");
    store.create_action_item(&admin, incident.number, owned("After the upgrade")).await.unwrap();
    let told = store.notify_from_outbox("worker", now, until, 100).await.unwrap().unwrap();
    assert_eq!((told.events, told.notifications), (1, 1));
    let reading = store.reading(&admin, "old-pm").await.unwrap();
    assert!(!reading.chosen);
    let closed = hindsight_store::test_support::fetch_raw(
        &store,
        "SELECT CAST(closed_at = updated_at AS TEXT) FROM action_items WHERE id = 'old-item'",
    )
    .await;
    assert!(matches!(closed[0].as_deref(), Some("1" | "true")), "{closed:?}");
    let cause = hindsight_store::test_support::fetch_raw(
        &store,
        "SELECT cause_component || ' ' || cause_certainty || ' ' || CAST(cause_legacy AS TEXT) || ' ' || \
         CAST(impact_minutes AS TEXT) FROM postmortems WHERE id = 'old-pm'",
    )
    .await;
    assert!(matches!(cause[0].as_deref(), Some("db-pool probable 1 45" | "db-pool probable true 45")), "{cause:?}");
}

#[tokio::test]
async fn sqlite_an_install_before_notifications_upgrades_without_telling_its_past() {
    an_install_before_notifications_upgrades_without_telling_its_past(
        hindsight_store::test_support::empty_sqlite_store().await,
    )
    .await;
}

#[tokio::test]
async fn postgres_an_install_before_notifications_upgrades_without_telling_its_past() {
    let Some(store) = hindsight_store::test_support::empty_postgres_store().await else { return };
    an_install_before_notifications_upgrades_without_telling_its_past(store).await;
}
