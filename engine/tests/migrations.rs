//! Schema migrations run forward from an empty file and from every earlier version, keep the
//! data they find, and give the same schema as a fresh database; backup then restore gives
//! the same data.

use auto_engine::config::{Config, KeyStore};
use auto_engine::store::{connect, migrate, migrate_to, MIGRATIONS};
use auto_engine::Engine;
use rusqlite::Connection;

fn schema(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn version(conn: &Connection) -> usize {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

#[test]
fn an_empty_file_migrates_to_the_newest_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = connect(&dir.path().join("auto.db")).unwrap();
    assert_eq!(version(&conn), 0);
    migrate(&mut conn).unwrap();
    assert_eq!(version(&conn), MIGRATIONS.len());
    // Running again is a no-op.
    migrate(&mut conn).unwrap();
    assert_eq!(version(&conn), MIGRATIONS.len());
}

#[test]
fn every_earlier_version_migrates_forward_keeping_its_data() {
    let fresh_dir = tempfile::tempdir().unwrap();
    let mut fresh = connect(&fresh_dir.path().join("auto.db")).unwrap();
    migrate(&mut fresh).unwrap();
    let expected = schema(&fresh);

    for start in 1..MIGRATIONS.len() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = connect(&dir.path().join("auto.db")).unwrap();
        migrate_to(&mut conn, start).unwrap();
        assert_eq!(version(&conn), start);
        // Data written at the older version (every version has products and orders).
        conn.execute_batch(
            "INSERT INTO products (name, sku, kind, price_minor, currency, template, created_at, updated_at)
               VALUES ('Kunci Windows 🔑', 'WIN', 'license_key', 150000, 'IDR', '{{items}}', 1, 1);
             INSERT INTO orders (shop, order_sn, status, currency, created_at, updated_at)
               VALUES ('toko', '2411ABC', 'paid', 'IDR', 1, 1);
             INSERT INTO deliveries (order_id, message, status, created_at)
               VALUES (last_insert_rowid(), x'00', 'sent', 1);
             INSERT INTO deliveries (order_id, message, status, created_at, resend_of)
               SELECT order_id, x'01', 'pending', 2, id FROM deliveries;",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), MIGRATIONS.len(), "from version {start}");
        assert_eq!(
            schema(&conn),
            expected,
            "schema after migrating from version {start}"
        );
        let name: String = conn
            .query_row("SELECT name FROM products WHERE sku = 'WIN'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(name, "Kunci Windows 🔑");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        let resend: (String, i64) = conn
            .query_row(
                "SELECT status, resend_of FROM deliveries WHERE resend_of IS NOT NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(resend.0, "pending", "from version {start}");
        let checked: Result<usize, _> = conn.execute(
            "UPDATE deliveries SET status = 'lost' WHERE id = ?1",
            [resend.1],
        );
        assert!(checked.is_err(), "the outbox still checks its status");
        let dangling: Result<usize, _> = conn.execute(
            "UPDATE deliveries SET resend_of = 999999 WHERE id = ?1",
            [resend.1],
        );
        assert!(dangling.is_err(), "a resend still points at a delivery");
    }
}

#[test]
fn a_database_from_a_newer_auto_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = connect(&dir.path().join("auto.db")).unwrap();
    migrate(&mut conn).unwrap();
    conn.pragma_update(None, "user_version", (MIGRATIONS.len() + 1) as i64)
        .unwrap();
    let err = migrate(&mut conn).unwrap_err().to_string();
    assert!(err.contains("newer AUTO"), "{err}");
}

fn config() -> Config {
    let mut c = Config::default();
    c.secrets.key_store = KeyStore::File;
    c
}

#[test]
fn backup_then_restore_gives_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), config(), true).unwrap();
    let before = serde_json::to_value(engine.list_products().unwrap()).unwrap();
    let backup = dir.path().join("backup.db");
    engine.backup(&backup).unwrap();
    // Change the live data after the backup...
    let first = engine.list_products().unwrap()[0].id;
    engine
        .update_product(
            first,
            serde_json::from_value(serde_json::json!({"name": "changed after backup"})).unwrap(),
        )
        .unwrap();
    engine.close().unwrap();
    drop(engine);
    // ...and restore: the backup's data comes back, key and all.
    Engine::restore(dir.path(), &config(), &backup).unwrap();
    let engine = Engine::open(dir.path(), config(), true).unwrap();
    let after = serde_json::to_value(engine.list_products().unwrap()).unwrap();
    assert_eq!(before, after);
    // A backup over an existing file is refused rather than overwriting it.
    assert!(engine.backup(&backup).is_err());
}

#[test]
fn a_restore_of_something_that_is_not_an_auto_backup_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), config(), false).unwrap();
    engine.close().unwrap();
    drop(engine);
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not a database").unwrap();
    assert!(auto_engine::store::restore_from(&junk, &dir.path().join("auto.db")).is_err());
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let err = auto_engine::store::restore_from(&other, &dir.path().join("auto.db"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not an AUTO backup"), "{err}");
}

#[test]
fn a_backup_restores_into_a_fresh_data_dir_with_its_key_and_delivers_its_stock() {
    let a = tempfile::tempdir().unwrap();
    let engine = Engine::open(a.path(), config(), true).unwrap();
    let backup = a.path().join("nightly.db");
    let key = engine.backup(&backup).unwrap();
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let before = serde_json::to_value(engine.list_products().unwrap()).unwrap();
    drop(engine);

    let b = tempfile::tempdir().unwrap();
    Engine::restore(b.path(), &config(), &backup).unwrap();
    let restored = Engine::open(b.path(), config(), true).unwrap();
    assert_eq!(
        serde_json::to_value(restored.list_products().unwrap()).unwrap(),
        before
    );
    // The restored, still-encrypted stock can be delivered with the installed key.
    let order: auto_engine::orders::OrderInput = serde_json::from_value(serde_json::json!({
        "shop": "demo_shop", "order_sn": "RESTORED1", "status": "paid",
        "buyer": {"username": "budi"}, "currency": "IDR",
        "lines": [{"sku": "DEMO-WIN11-PRO", "quantity": 1, "unit_price": 149000}]
    }))
    .unwrap();
    let (orders, rejected) = restored.intake(vec![order], "test").unwrap();
    assert!(rejected.is_empty());
    let detail = restored.order_detail(orders[0].id, true).unwrap();
    assert!(detail.deliveries[0]
        .message
        .as_deref()
        .unwrap()
        .contains("DEMO-W11P-"));
}

#[test]
fn a_backup_whose_key_is_missing_is_refused_before_anything_is_written() {
    let a = tempfile::tempdir().unwrap();
    let engine = Engine::open(a.path(), config(), true).unwrap();
    let backup = a.path().join("b.db");
    let key = engine.backup(&backup).unwrap();
    drop(engine);
    std::fs::remove_file(key).unwrap();
    let b = tempfile::tempdir().unwrap();
    let err = Engine::restore(b.path(), &config(), &backup)
        .unwrap_err()
        .to_string();
    assert!(err.contains("another key"), "{err}");
    assert!(!b.path().join("auto.db").exists(), "nothing written");
}
