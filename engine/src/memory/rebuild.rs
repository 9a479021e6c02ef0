//! Rebuilding the graph from SQLite, which holds every fact the graph records: orders and their
//! lines, buyers' inbound messages, and FAQ replies approved or sent.

use rusqlite::Connection;

use super::graph::{Db, Loader};
use super::schema::Facts;
use super::{Buyer, MemoryError};

/// Loads every fact from `conn` into `db` (expected empty).
pub(super) fn load(db: &Db, conn: &Connection) -> Result<(), MemoryError> {
    // One read transaction, so orders, questions and answers come from the same snapshot.
    // A caller already inside a transaction gets its snapshot anyway.
    let _snapshot = if conn.is_autocommit() {
        Some(conn.unchecked_transaction()?)
    } else {
        None
    };
    let mut loader = Loader::new(db);
    load_orders(conn, &mut loader)?;
    load_questions(conn, &mut loader)?;
    load_answers(conn, &mut loader)?;
    loader.finish()
}

/// One row per order line with a product (one row for an order without any), grouped by order.
const ORDERS: &str = "
    SELECT o.id, o.shop, o.order_sn, o.buyer_username, o.buyer_user_id, l.product_id
    FROM orders o
    LEFT JOIN order_lines l ON l.order_id = o.id AND l.product_id IS NOT NULL
    ORDER BY o.id";

struct OrderRow {
    id: i64,
    shop: String,
    order_sn: String,
    username: String,
    user_id: Option<i64>,
    products: Vec<i64>,
}

impl OrderRow {
    fn facts(&self) -> Facts {
        let buyer = Buyer {
            shop: &self.shop,
            username: &self.username,
            user_id: self.user_id,
        };
        Facts::order(&buyer, &self.order_sn, &self.products)
    }
}

fn load_orders(conn: &Connection, loader: &mut Loader) -> Result<(), MemoryError> {
    let mut stmt = conn.prepare(ORDERS)?;
    let mut rows = stmt.query([])?;
    let mut current: Option<OrderRow> = None;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if current.as_ref().is_none_or(|order| order.id != id) {
            if let Some(done) = current.take() {
                loader.add(done.facts())?;
            }
            current = Some(OrderRow {
                id,
                shop: row.get(1)?,
                order_sn: row.get(2)?,
                username: row.get(3)?,
                user_id: row.get(4)?,
                products: Vec::new(),
            });
        }
        if let (Some(order), Some(product)) = (current.as_mut(), row.get::<_, Option<i64>>(5)?) {
            order.products.push(product);
        }
    }
    if let Some(done) = current {
        loader.add(done.facts())?;
    }
    Ok(())
}

const QUESTIONS: &str = "
    SELECT c.shop, c.buyer_username, c.buyer_user_id, c.conversation_id, m.id, m.product_id,
           m.faq_id
    FROM messages m
    JOIN conversations c ON m.conversation_id = c.id
    WHERE m.direction = 'in'
    ORDER BY m.id";

fn load_questions(conn: &Connection, loader: &mut Loader) -> Result<(), MemoryError> {
    let mut stmt = conn.prepare(QUESTIONS)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let shop: String = row.get(0)?;
        let username: String = row.get(1)?;
        let buyer = Buyer {
            shop: &shop,
            username: &username,
            user_id: row.get(2)?,
        };
        let conversation_id: String = row.get(3)?;
        loader.add(Facts::question(
            &buyer,
            &conversation_id,
            row.get(4)?,
            row.get(5)?,
            row.get(6)?,
        ))?;
    }
    Ok(())
}

/// FAQ replies the seller approved (pending) or that went out (sent); drafts and discarded
/// ones never answered anything.
const ANSWERS: &str = "
    SELECT message_id, faq_id
    FROM replies
    WHERE source = 'faq' AND status IN ('pending', 'sent')
      AND message_id IS NOT NULL AND faq_id IS NOT NULL
    ORDER BY id";

fn load_answers(conn: &Connection, loader: &mut Loader) -> Result<(), MemoryError> {
    let mut stmt = conn.prepare(ANSWERS)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        loader.add(Facts::answer(row.get(0)?, row.get(1)?))?;
    }
    Ok(())
}
