//! The Shopee mapping (listing or SKU → product) and resolving order lines through it.

use super::products::{Kind, ProductRow};
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::Arc;

/// One Shopee mapping: a listing or a seller SKU (shared with the UI).
pub use auto_api::Mapping;

pub(super) fn check_mappings(mappings: &[Mapping]) -> Result<()> {
    for m in mappings {
        if m.item_id.is_none() && m.sku.as_deref().is_none_or(|s| s.trim().is_empty()) {
            return Err(Error::invalid("each mapping needs an item_id or a sku"));
        }
        if m.model_id.is_some() && m.item_id.is_none() {
            return Err(Error::invalid(
                "a mapping with a model_id needs its item_id",
            ));
        }
    }
    Ok(())
}

pub(super) fn replace_mappings(
    conn: &Connection,
    product_id: i64,
    mappings: &[Mapping],
) -> Result<()> {
    conn.execute("DELETE FROM listings WHERE product_id = ?1", [product_id])?;
    for m in mappings {
        let shop = m.shop.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let sku = m.sku.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let res = conn.execute(
            "INSERT INTO listings (product_id, shop, item_id, model_id, sku) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![product_id, shop, m.item_id, m.model_id, sku],
        );
        if let Err(rusqlite::Error::SqliteFailure(e, _)) = &res {
            if e.code == rusqlite::ErrorCode::ConstraintViolation {
                return Err(Error::conflict(format!(
                    "the mapping {} already points at another product",
                    describe_mapping(m)
                )));
            }
        }
        res?;
    }
    Ok(())
}

fn describe_mapping(m: &Mapping) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &m.shop {
        parts.push(format!("shop {s}"));
    }
    if let Some(i) = m.item_id {
        parts.push(format!("item {i}"));
    }
    if let Some(md) = m.model_id {
        parts.push(format!("model {md}"));
    }
    if let Some(s) = &m.sku {
        parts.push(format!("sku '{s}'"));
    }
    parts.join(", ")
}

pub(super) fn mappings_of(conn: &Connection, id: i64) -> Result<Vec<Mapping>> {
    let mut stmt = conn.prepare_cached(
        "SELECT shop, item_id, model_id, sku FROM listings WHERE product_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Mapping {
            shop: r.get(0)?,
            item_id: r.get(1)?,
            model_id: r.get(2)?,
            sku: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A line found its product through a listing (its Shopee item/model).
pub const BY_LISTING: &str = "listing";
/// A line found its product through its SKU (a mapped one or the product's own).
pub const BY_SKU: &str = "sku";

/// The product an order line refers to: a listing match first (most specific wins), then a
/// mapped SKU, then the product's own SKU.
pub fn resolve_product(
    conn: &Connection,
    shop: &str,
    item_id: Option<i64>,
    model_id: Option<i64>,
    sku: &str,
) -> Result<Option<ProductRow>> {
    Ok(resolve_product_by(conn, shop, item_id, model_id, sku)?.map(|(p, _)| p))
}

/// `resolve_product`, saying how it matched: `BY_LISTING` or `BY_SKU`.
pub fn resolve_product_by(
    conn: &Connection,
    shop: &str,
    item_id: Option<i64>,
    model_id: Option<i64>,
    sku: &str,
) -> Result<Option<(ProductRow, &'static str)>> {
    let mut id: Option<i64> = None;
    let mut by = BY_LISTING;
    if let Some(item) = item_id {
        id = conn
            .prepare_cached(
                "SELECT product_id FROM listings
                 WHERE item_id = ?2 AND (shop = ?1 OR shop IS NULL) AND (model_id = ?3 OR model_id IS NULL)
                 ORDER BY shop IS NULL, model_id IS NULL LIMIT 1",
            )?
            .query_row(params![shop, item, model_id], |r| r.get(0))
            .optional()?;
    }
    let sku = sku.trim();
    if id.is_none() && !sku.is_empty() {
        by = BY_SKU;
        id = conn
            .prepare_cached(
                "SELECT product_id FROM listings WHERE sku = ?2 AND (shop = ?1 OR shop IS NULL)
                 ORDER BY shop IS NULL LIMIT 1",
            )?
            .query_row(params![shop, sku], |r| r.get(0))
            .optional()?;
        if id.is_none() {
            id = conn
                .prepare_cached("SELECT id FROM products WHERE sku = ?1")?
                .query_row([sku], |r| r.get(0))
                .optional()?;
        }
    }
    let Some(id) = id else { return Ok(None) };
    Ok(product_row(conn, id)?.map(|p| (p, by)))
}

/// The columns delivery needs of one product.
pub fn product_row(conn: &Connection, id: i64) -> Result<Option<ProductRow>> {
    Ok(conn
        .prepare_cached("SELECT id, name, kind, template, content, instructions, active FROM products WHERE id = ?1")?
        .query_row([id], |r| {
            let kind: String = r.get(2)?;
            Ok(ProductRow {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: Kind::parse(&kind).unwrap_or(Kind::Text),
                template: r.get(3)?,
                content: r.get(4)?,
                instructions: r.get(5)?,
                active: r.get(6)?,
            })
        })
        .optional()?)
}

/// One remembered answer: shop, item id, model id, SKU, and the product they resolved to
/// with how.
type Resolved = (
    String,
    Option<i64>,
    Option<i64>,
    String,
    Option<(Arc<ProductRow>, &'static str)>,
);

/// Resolves order lines to products, remembering each answer for the life of one
/// transaction (a batch of orders mostly names the same few listings, so a short list scanned
/// in order beats hashing owned keys; the product is shared, not copied, into every line).
#[derive(Default)]
pub struct Resolver {
    seen: Vec<Resolved>,
}

impl Resolver {
    pub fn resolve(
        &mut self,
        conn: &Connection,
        shop: &str,
        item_id: Option<i64>,
        model_id: Option<i64>,
        sku: &str,
    ) -> Result<Option<(Arc<ProductRow>, &'static str)>> {
        let hit = self
            .seen
            .iter()
            .find(|(s, i, m, k, _)| *i == item_id && *m == model_id && k == sku && s == shop);
        if let Some((.., product)) = hit {
            return Ok(product.clone());
        }
        let found = resolve_product_by(conn, shop, item_id, model_id, sku)?
            .map(|(p, by)| (Arc::new(p), by));
        self.seen.push((
            shop.to_string(),
            item_id,
            model_id,
            sku.to_string(),
            found.clone(),
        ));
        Ok(found)
    }
}
