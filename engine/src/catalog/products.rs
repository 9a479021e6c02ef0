//! Products and the Shopee mapping (listing or SKU → product).

use super::mapping::{check_mappings, mappings_of, replace_mappings};
use super::stock::{stock_counts, StockCounts};
use crate::delivery::template;
use crate::store::now_ms;
use crate::{fields, money, Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// How a product reaches the buyer, a product as the API shows it, and the product form's
/// requests (shared with the UI).
pub use auto_api::{Kind, NewProduct, Product, ProductPatch};

/// The columns delivery needs to render a message.
#[derive(Debug, Clone)]
pub struct ProductRow {
    pub id: i64,
    pub name: String,
    pub kind: Kind,
    pub template: String,
    pub content: String,
    pub instructions: String,
    pub active: bool,
}

const COLUMNS: &str =
    "id, name, sku, kind, price_minor, currency, template, content, instructions, \
                       language, active, low_stock_threshold, created_at, updated_at";

fn ts(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn from_row(row: &Row) -> rusqlite::Result<Product> {
    let currency: String = row.get(5)?;
    let kind: String = row.get(3)?;
    Ok(Product {
        id: row.get(0)?,
        name: row.get(1)?,
        sku: row.get(2)?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Text),
        price: money::from_minor(row.get(4)?, &currency),
        currency,
        template: row.get(6)?,
        content: row.get(7)?,
        instructions: row.get(8)?,
        language: row.get(9)?,
        active: row.get(10)?,
        low_stock_threshold: row.get(11)?,
        mappings: Vec::new(),
        stock: StockCounts::default(),
        created_at: ts(row.get(12)?),
        updated_at: ts(row.get(13)?),
    })
}

fn check_sku(sku: &str) -> Result<String> {
    fields::one_line("sku", sku, 100, true)
}

fn check_threshold(n: i64) -> Result<i64> {
    if !(0..=1_000_000).contains(&n) {
        return Err(Error::invalid(
            "low_stock_threshold must be between 0 and 1000000",
        ));
    }
    Ok(n)
}

/// Creates a product and its mappings.
pub fn create_product(
    conn: &Connection,
    new: NewProduct,
    default_threshold: i64,
) -> Result<Product> {
    let name = fields::one_line("name", &new.name, 200, true)?;
    let sku = check_sku(&new.sku)?;
    let currency = money::parse_currency(&new.currency)?;
    let price = money::to_minor(new.price, &currency, "price")?;
    let language = fields::one_line(
        "language",
        new.language.as_deref().unwrap_or("id"),
        10,
        true,
    )?;
    let template = match new.template {
        Some(t) => fields::text("template", &t, 4000, true)?,
        None => template::default_template(&language).to_string(),
    };
    template::validate(&template, new.kind)?;
    let content = fields::text("content", new.content.as_deref().unwrap_or(""), 4000, false)?;
    let instructions = fields::text(
        "instructions",
        new.instructions.as_deref().unwrap_or(""),
        4000,
        false,
    )?;
    let threshold = check_threshold(new.low_stock_threshold.unwrap_or(default_threshold))?;
    let mappings = new.mappings.unwrap_or_default();
    check_mappings(&mappings)?;
    if !new.kind.has_stock()
        && content.is_empty()
        && !template_has_text_beyond_placeholders(&template)
    {
        return Err(Error::invalid(format!(
            "a {} product needs content (the link, file or text the buyer gets)",
            new.kind.as_str()
        )));
    }
    let now = now_ms();
    let inserted = conn.execute(
        "INSERT INTO products (name, sku, kind, price_minor, currency, template, content, instructions,
                               language, active, low_stock_threshold, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        params![
            name,
            sku,
            new.kind.as_str(),
            price,
            currency,
            template,
            content,
            instructions,
            language,
            new.active.unwrap_or(true),
            threshold,
            now
        ],
    );
    match inserted {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            return Err(Error::conflict(format!(
                "a product with sku '{sku}' exists already"
            )));
        }
        other => other?,
    };
    let id = conn.last_insert_rowid();
    replace_mappings(conn, id, &mappings)?;
    get_product(conn, id)
}

fn template_has_text_beyond_placeholders(template: &str) -> bool {
    let mut rest = template.to_string();
    for p in template::PLACEHOLDERS {
        rest = rest.replace(&format!("{{{{{p}}}}}"), "");
    }
    rest.trim().len() > 20
}

/// Applies a patch; changing the kind of a product that has stock or orders is refused.
pub fn update_product(conn: &Connection, id: i64, patch: ProductPatch) -> Result<Product> {
    let current = get_product(conn, id)?;
    let kind = patch.kind.unwrap_or(current.kind);
    if kind != current.kind && (current.stock.total > 0 || has_orders(conn, id)?) {
        return Err(Error::conflict(
            "the kind of a product with stock or orders cannot change; create a new product",
        ));
    }
    let currency = match &patch.currency {
        Some(c) => money::parse_currency(c)?,
        None => current.currency.clone(),
    };
    let price = money::to_minor(patch.price.unwrap_or(current.price), &currency, "price")?;
    let name = fields::one_line(
        "name",
        patch.name.as_deref().unwrap_or(&current.name),
        200,
        true,
    )?;
    let sku = check_sku(patch.sku.as_deref().unwrap_or(&current.sku))?;
    let template = fields::text(
        "template",
        patch.template.as_deref().unwrap_or(&current.template),
        4000,
        true,
    )?;
    template::validate(&template, kind)?;
    let content = fields::text(
        "content",
        patch.content.as_deref().unwrap_or(&current.content),
        4000,
        false,
    )?;
    let instructions = fields::text(
        "instructions",
        patch
            .instructions
            .as_deref()
            .unwrap_or(&current.instructions),
        4000,
        false,
    )?;
    let language = fields::one_line(
        "language",
        patch.language.as_deref().unwrap_or(&current.language),
        10,
        true,
    )?;
    let threshold = check_threshold(
        patch
            .low_stock_threshold
            .unwrap_or(current.low_stock_threshold),
    )?;
    let res = conn.execute(
        "UPDATE products SET name = ?2, sku = ?3, kind = ?4, price_minor = ?5, currency = ?6, template = ?7,
                content = ?8, instructions = ?9, language = ?10, active = ?11, low_stock_threshold = ?12,
                updated_at = ?13
         WHERE id = ?1",
        params![
            id,
            name,
            sku,
            kind.as_str(),
            price,
            currency,
            template,
            content,
            instructions,
            language,
            patch.active.unwrap_or(current.active),
            threshold,
            now_ms()
        ],
    );
    if let Err(rusqlite::Error::SqliteFailure(e, _)) = &res {
        if e.code == rusqlite::ErrorCode::ConstraintViolation {
            return Err(Error::conflict(format!(
                "a product with sku '{sku}' exists already"
            )));
        }
    }
    res?;
    if let Some(mappings) = &patch.mappings {
        check_mappings(mappings)?;
        replace_mappings(conn, id, mappings)?;
    }
    get_product(conn, id)
}

fn has_orders(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM order_lines WHERE product_id = ?1 LIMIT 1",
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Deletes a product with no orders, with its mappings and unsold stock.
pub fn delete_product(conn: &Connection, id: i64) -> Result<()> {
    get_product(conn, id)?;
    if has_orders(conn, id)? {
        return Err(Error::conflict(
            "this product has orders; set active to false to hide it instead",
        ));
    }
    conn.execute("DELETE FROM stock_items WHERE product_id = ?1", [id])?;
    conn.execute("DELETE FROM products WHERE id = ?1", [id])?;
    Ok(())
}

/// One product with its mappings and stock counts.
pub fn get_product(conn: &Connection, id: i64) -> Result<Product> {
    let mut product = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM products WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| Error::not_found(format!("product {id}")))?;
    product.mappings = mappings_of(conn, id)?;
    product.stock = stock_counts(conn, id)?;
    Ok(product)
}

/// Every product, newest first.
pub fn list_products(conn: &Connection) -> Result<Vec<Product>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM products ORDER BY id"))?;
    let mut products: Vec<Product> = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    for p in &mut products {
        p.mappings = mappings_of(conn, p.id)?;
        p.stock = stock_counts(conn, p.id)?;
    }
    Ok(products)
}
