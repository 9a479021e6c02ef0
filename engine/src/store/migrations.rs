//! Versioned, forward-only schema migrations. `PRAGMA user_version` holds how many ran.

use crate::{Error, Result};
use rusqlite::Connection;

/// Every migration in order; the schema version is the number applied.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_catalog_orders",
        include_str!("../../migrations/0001_catalog_orders.sql"),
    ),
    (
        "0002_access",
        include_str!("../../migrations/0002_access.sql"),
    ),
    (
        "0003_assistant",
        include_str!("../../migrations/0003_assistant.sql"),
    ),
    ("0004_ui", include_str!("../../migrations/0004_ui.sql")),
    (
        "0005_faq_words_in_memory",
        include_str!("../../migrations/0005_faq_words_in_memory.sql"),
    ),
    (
        "0006_deliveries_check",
        include_str!("../../migrations/0006_deliveries_check.sql"),
    ),
    (
        "0007_faq_translations",
        include_str!("../../migrations/0007_faq_translations.sql"),
    ),
    (
        "0008_shopee_open_platform",
        include_str!("../../migrations/0008_shopee_open_platform.sql"),
    ),
    (
        "0009_after_the_sale",
        include_str!("../../migrations/0009_after_the_sale.sql"),
    ),
    (
        "0010_stock_view",
        include_str!("../../migrations/0010_stock_view.sql"),
    ),
    (
        "0011_waiting_replacements",
        include_str!("../../migrations/0011_waiting_replacements.sql"),
    ),
    (
        "0012_cancel_reported_at",
        include_str!("../../migrations/0012_cancel_reported_at.sql"),
    ),
    (
        "0013_shopee_reported_at",
        include_str!("../../migrations/0013_shopee_reported_at.sql"),
    ),
    (
        "0014_reply_parts",
        include_str!("../../migrations/0014_reply_parts.sql"),
    ),
];

/// Brings the schema up to the newest version.
pub fn migrate(conn: &mut Connection) -> Result<usize> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Applies migrations up to `target` (used by tests to build every earlier version).
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<usize> {
    let current: usize =
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(Error::conflict(format!(
            "this data dir was written by a newer AUTO (schema {current}, this one knows {}); \
             install that version or restore a backup",
            MIGRATIONS.len()
        )));
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().take(target).skip(current) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)
            .map_err(|e| Error::conflict(format!("migration {name} failed: {e}")))?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
        tracing::info!(migration = name, "schema migrated");
    }
    Ok(target.max(current))
}
