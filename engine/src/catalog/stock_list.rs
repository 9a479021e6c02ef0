//! A product's stock items as the seller sees them: masked, with their status, batch, import
//! time and the order each went to; filtered by status and batch, paged by id. Only the page
//! shown is decrypted (to mask it), never the pool.

use super::import::StockSecret;
use super::products::Kind;
use super::stock_mask::mask_secret;
use crate::secrets::Vault;
use crate::{Error, Result};
use chrono::DateTime;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};

/// The statuses of a stock item (schema 9).
pub const STATUSES: [&str; 6] = [
    "available",
    "allocated",
    "delivered",
    "revealed",
    "bad",
    "withdrawn",
];
/// Most items on one page.
pub const MAX_PAGE: i64 = 500;
/// Items on a page when the caller does not say.
pub const DEFAULT_PAGE: i64 = 50;

/// Which items, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    pub status: Option<String>,
    pub batch: Option<String>,
    /// Keyset paging: the items after this id (the previous page's `next_after`).
    pub after: Option<i64>,
    /// Numbered paging from 1 (instead of `after`).
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

impl ItemQuery {
    /// Checks the filters and paging; the error says what is wrong (the caller picks the
    /// status: the API answers 400).
    pub fn check(&self) -> std::result::Result<i64, String> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(format!("limit must be between 1 and {MAX_PAGE}"));
        }
        if let Some(s) = &self.status {
            if !STATUSES.contains(&s.as_str()) {
                return Err(format!(
                    "unknown status '{s}': use one of {}",
                    STATUSES.join(", ")
                ));
            }
        }
        if let Some(b) = &self.batch {
            super::stock::batch_label(b)?;
        }
        match (self.after, self.page) {
            (Some(_), Some(_)) => Err("give either after (an item id) or page, not both".into()),
            (Some(a), None) if a < 0 => Err("after must be an item id (0 or more)".into()),
            (None, Some(p)) if p < 1 => Err("page counts from 1".into()),
            (None, Some(p)) if (p - 1).saturating_mul(limit) > 100_000_000 => {
                Err("page is past any stock AUTO can hold".into())
            }
            _ => Ok(limit),
        }
    }
}

/// The order an item went to, an item as lists show it, a page of them (shared with the UI).
pub use auto_api::{OrderRef, StockItem as StockItemView, StockItemPage};

/// The columns of an item with its order; `FROM` is [`ITEM_FROM`].
pub(crate) const ITEM_COLUMNS: &str =
    "s.id, s.secret, s.status, s.batch, s.imported_at, s.changed_at, s.note,
     o.id, o.order_sn, o.shop, o.status";
pub(crate) const ITEM_FROM: &str = "stock_items s
     LEFT JOIN order_lines l ON l.id = s.order_line_id
     LEFT JOIN orders o ON o.id = l.order_id";

/// Reads a row of [`ITEM_COLUMNS`] into a masked view (decrypting its secret to mask it).
pub(crate) fn item_view(vault: &Vault, kind: Kind, r: &rusqlite::Row) -> Result<StockItemView> {
    let sealed: Vec<u8> = r.get(1)?;
    let secret = StockSecret::from_plain(kind, &vault.open(&sealed)?);
    let ts = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let order = match r.get::<_, Option<i64>>(7)? {
        Some(id) => Some(OrderRef {
            id,
            order_sn: r.get(8)?,
            shop: r.get(9)?,
            status: r.get(10)?,
        }),
        None => None,
    };
    Ok(StockItemView {
        id: r.get(0)?,
        masked: mask_secret(&secret),
        status: r.get(2)?,
        batch: r.get(3)?,
        imported_at: ts(r.get(4)?),
        changed_at: r.get::<_, Option<i64>>(5)?.map(ts),
        note: r.get(6)?,
        order,
    })
}

/// The kind of a stock product, or why it has no items to list.
pub(crate) fn stock_kind(conn: &Connection, product_id: i64) -> Result<Kind> {
    let kind: Option<String> = conn
        .prepare_cached("SELECT kind FROM products WHERE id = ?1")?
        .query_row([product_id], |r| r.get(0))
        .optional()?;
    let kind = kind
        .and_then(|k| Kind::parse(&k))
        .ok_or_else(|| Error::not_found(format!("product {product_id}")))?;
    if !kind.has_stock() {
        return Err(Error::invalid(format!(
            "a {} product has no stock items; its content is delivered to every buyer",
            kind.as_str()
        )));
    }
    Ok(kind)
}

/// One page of a product's items. The filters and paging are checked here too, so that every
/// caller (API, CLI, bench) gets the same answer for bad input.
pub fn list_items(
    conn: &Connection,
    vault: &Vault,
    product_id: i64,
    q: &ItemQuery,
) -> Result<StockItemPage> {
    let limit = q.check().map_err(Error::invalid)?;
    let kind = stock_kind(conn, product_id)?;
    let mut filter = String::from("s.product_id = ?");
    let mut args = vec![Value::Integer(product_id)];
    if let Some(status) = &q.status {
        filter += " AND s.status = ?";
        args.push(Value::Text(status.clone()));
    }
    if let Some(batch) = &q.batch {
        filter += " AND s.batch = ?";
        args.push(Value::Text(batch.trim().to_string()));
    }
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM stock_items s WHERE {filter}"
        ))?
        .query_row(params_from_iter(&args), |r| r.get(0))?;
    // A numbered page becomes a keyset one: the skipped items are counted in the index alone,
    // and only the page's own rows are joined and decrypted.
    let after = match (q.after, q.page) {
        (Some(after), _) => after,
        (None, Some(page)) if page > 1 => {
            let mut skip = args.clone();
            skip.push(Value::Integer((page - 1) * limit - 1));
            conn.prepare_cached(&format!(
                "SELECT s.id FROM stock_items s WHERE {filter} ORDER BY s.id LIMIT 1 OFFSET ?"
            ))?
            .query_row(params_from_iter(&skip), |r| r.get(0))
            .optional()?
            .unwrap_or(i64::MAX)
        }
        _ => 0,
    };
    let mut page_args = args;
    page_args.push(Value::Integer(after));
    page_args.push(Value::Integer(limit + 1));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM}
         WHERE {filter} AND s.id > ? ORDER BY s.id LIMIT ? + 0"
    ))?;
    let mut rows = stmt.query(params_from_iter(&page_args))?;
    let mut items = Vec::with_capacity(limit as usize);
    let mut more = false;
    while let Some(r) = rows.next()? {
        if items.len() as i64 == limit {
            more = true;
            break;
        }
        items.push(item_view(vault, kind, r)?);
    }
    Ok(StockItemPage {
        next_after: if more {
            items.last().map(|i| i.id)
        } else {
            None
        },
        items,
        total,
        limit,
        page: q.page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(
        status: Option<&str>,
        after: Option<i64>,
        page: Option<i64>,
        limit: Option<i64>,
    ) -> ItemQuery {
        ItemQuery {
            status: status.map(str::to_string),
            batch: None,
            after,
            page,
            limit,
        }
    }

    #[test]
    fn bad_paging_and_filters_say_what_is_wrong() {
        for (query, words) in [
            (q(None, None, None, Some(0)), "limit"),
            (q(None, None, None, Some(-5)), "limit"),
            (q(None, None, None, Some(100_000)), "limit"),
            (q(Some("sold"), None, None, None), "unknown status"),
            (q(None, Some(-1), None, None), "after"),
            (q(None, None, Some(0), None), "page"),
            (q(None, Some(3), Some(2), None), "not both"),
            (q(None, None, Some(i64::MAX), Some(500)), "past"),
        ] {
            let err = query.check().unwrap_err();
            assert!(err.contains(words), "{query:?}: {err}");
        }
        assert_eq!(
            q(Some("withdrawn"), Some(10), None, Some(500)).check(),
            Ok(500)
        );
    }

    #[test]
    fn the_unfiltered_list_walks_an_index_in_id_order_without_sorting() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut conn).unwrap();
        for filter in ["", " AND s.status = 'available'", " AND s.batch = 'b'"] {
            let plan: Vec<String> = conn
                .prepare(&format!(
                    "EXPLAIN QUERY PLAN SELECT {ITEM_COLUMNS} FROM {ITEM_FROM}
                     WHERE s.product_id = 1{filter} AND s.id > 0 ORDER BY s.id LIMIT 51"
                ))
                .unwrap()
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let plan = plan.join("; ");
            assert!(!plan.contains("TEMP B-TREE"), "{filter}: {plan}");
            assert!(plan.contains("USING INDEX"), "{filter}: {plan}");
        }
    }
}
