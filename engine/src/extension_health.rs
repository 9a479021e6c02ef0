//! What the browser extension reports about its own reading of Seller Centre: how many
//! responses it kept as unreadable samples (Shopee changed a page it reads), and the last one's
//! path. The dashboard warns the seller while the count is above zero. One row in `meta`, so the
//! warning survives a restart of AUTO until the extension reports the samples cleared.

use crate::engine::Engine;
use crate::store::now_ms;
use crate::{fields, Error, Result};
pub use auto_api::ExtensionHealth;
use chrono::DateTime;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use utoipa::ToSchema;

const META_KEY: &str = "extension_health";
/// The extension keeps its last 50 samples; a larger count is not from it.
const MAX_UNREADABLE: i64 = 10_000;

/// The extension's report, sent when its count of unreadable samples changes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthReport {
    /// Unreadable Seller Centre responses the extension keeps as samples (0 once cleared).
    pub unreadable: i64,
    /// The URL path (no query) of the last one, e.g. `/api/v3/order/get_order_list_card_list`.
    #[serde(default)]
    pub last_path: Option<String>,
    /// Why it could not be read, in the extension's words.
    #[serde(default)]
    pub last_reason: Option<String>,
}

/// Checks a report: a count in range, a path that is a path, one-line texts.
pub fn validate(report: HealthReport, at_ms: i64) -> Result<ExtensionHealth> {
    if !(0..=MAX_UNREADABLE).contains(&report.unreadable) {
        return Err(Error::invalid(format!(
            "unreadable must be between 0 and {MAX_UNREADABLE}"
        )));
    }
    let last_path = match report.last_path.as_deref() {
        None => None,
        Some(p) => {
            let p = fields::one_line("last_path", p, 300, false)?;
            if !p.is_empty() && !p.starts_with('/') {
                return Err(Error::invalid(
                    "last_path must be a URL path starting with '/' (no host, no query)",
                ));
            }
            Some(p).filter(|p| !p.is_empty())
        }
    };
    let last_reason = match report.last_reason.as_deref() {
        None => None,
        Some(r) => Some(fields::one_line("last_reason", r, 300, false)?).filter(|r| !r.is_empty()),
    };
    Ok(ExtensionHealth {
        unreadable: report.unreadable,
        last_path,
        last_reason,
        reported_at: DateTime::from_timestamp_millis(at_ms).unwrap_or_default(),
    })
}

/// Stores the last report.
pub fn store(conn: &Connection, health: &ExtensionHealth) -> Result<()> {
    let json = serde_json::to_vec(health).map_err(|e| Error::Io(std::io::Error::other(e)))?;
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![META_KEY, json])?;
    Ok(())
}

/// The last report, if the extension ever sent one.
pub fn read(conn: &Connection) -> Result<Option<ExtensionHealth>> {
    let raw: Option<Vec<u8>> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([META_KEY], |r| r.get(0))
        .optional()?;
    // A row this version cannot read is treated as no report, not as a failed dashboard.
    Ok(raw.and_then(|b| serde_json::from_slice(&b).ok()))
}

impl Engine {
    /// Records the extension's report and returns it as stored.
    pub fn report_extension_health(&self, report: HealthReport) -> Result<ExtensionHealth> {
        let health = validate(report, now_ms())?;
        self.db.write(|c| store(c, &health))?;
        Ok(health)
    }

    /// The extension's last report.
    pub fn extension_health(&self) -> Result<Option<ExtensionHealth>> {
        self.db.read(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(n: i64, path: Option<&str>) -> HealthReport {
        HealthReport {
            unreadable: n,
            last_path: path.map(str::to_string),
            last_reason: Some("no readable record".into()),
        }
    }

    #[test]
    fn a_report_is_checked_before_it_is_kept() {
        assert!(validate(report(-1, None), 0).is_err());
        assert!(validate(report(MAX_UNREADABLE + 1, None), 0).is_err());
        assert!(validate(report(1, Some("https://seller.shopee.co.id/api")), 0).is_err());
        assert!(validate(report(1, Some("/a\nb")), 0).is_err());
        let ok = validate(
            report(3, Some("/api/v3/order/get_order_list_card_list")),
            1_000,
        )
        .unwrap();
        assert_eq!(ok.unreadable, 3);
        assert_eq!(ok.reported_at.timestamp_millis(), 1_000);
    }

    #[test]
    fn the_last_report_is_read_back_and_replaced() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
            .unwrap();
        assert_eq!(read(&conn).unwrap(), None);
        let first = validate(report(2, Some("/webchat/api/v1.2/conversations")), 5).unwrap();
        store(&conn, &first).unwrap();
        assert_eq!(read(&conn).unwrap(), Some(first));
        let cleared = validate(report(0, None), 6).unwrap();
        store(&conn, &cleared).unwrap();
        assert_eq!(read(&conn).unwrap().unwrap().unreadable, 0);
    }
}
