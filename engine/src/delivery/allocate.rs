//! Allocation: the one place stock leaves the pool. It runs inside the caller's
//! `BEGIN IMMEDIATE` transaction together with the status change and the outbox row, so an
//! item is allocated, rendered and queued all at once or not at all, and no other writer can
//! take the same item in between.

use super::parts;
use super::template::Values;
use crate::catalog::{product_row, resolve_product, ProductRow, StockSecret};
use crate::orders::{set_attention, transition, Note, Status};
use crate::secrets::Vault;
use crate::store::{now_ms, Held};
use crate::{Error, Result};
use rusqlite::{params, Connection};
use std::collections::HashMap;
use std::sync::Arc;

/// An order line on its way to allocation, with the product it resolved to (if any).
pub struct LineToFill {
    pub id: i64,
    pub sku: String,
    pub item_id: Option<i64>,
    pub model_id: Option<i64>,
    pub quantity: i64,
    pub product: Option<Arc<ProductRow>>,
}

/// The order fields a message needs.
pub struct OrderToFill<'a> {
    pub id: i64,
    pub status: Status,
    pub order_sn: &'a str,
    pub buyer: &'a str,
}

/// Allocates a paid (or waiting) order, loading it from storage: every line gets its items,
/// or nothing is taken and the order waits in needs_attention with the reason. Returns the
/// order's new status.
pub fn allocate_order(
    conn: &Connection,
    vault: &Vault,
    order_id: i64,
    actor: &str,
) -> Result<Status> {
    let (status, shop, order_sn, buyer): (String, String, String, String) = conn
        .prepare_cached("SELECT status, shop, order_sn, buyer_username FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    let status = Status::parse(&status).unwrap_or(Status::NeedsAttention);
    if !matches!(status, Status::Paid | Status::NeedsAttention) {
        return Ok(status);
    }
    type Row = (i64, String, Option<i64>, Option<i64>, i64, Option<i64>);
    let rows: Vec<Row> = conn
        .prepare_cached("SELECT id, sku, item_id, model_id, quantity, product_id FROM order_lines WHERE order_id = ?1 ORDER BY line_no")?
        .query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut lines = Vec::with_capacity(rows.len());
    for (id, sku, item_id, model_id, quantity, product_id) in rows {
        let product = match product_id {
            Some(pid) => product_row(conn, pid)?,
            None => resolve_product(conn, &shop, item_id, model_id, &sku)?,
        }
        .map(Arc::new);
        if let Some(p) = &product {
            if product_id != Some(p.id) {
                conn.execute(
                    "UPDATE order_lines SET product_id = ?2 WHERE id = ?1",
                    params![id, p.id],
                )?;
            }
        }
        lines.push(LineToFill {
            id,
            sku,
            item_id,
            model_id,
            quantity,
            product,
        });
    }
    let order = OrderToFill {
        id: order_id,
        status,
        order_sn: &order_sn,
        buyer: &buyer,
    };
    allocate_lines(conn, vault, &order, &lines, actor)
}

/// Why an order cannot be allocated now.
pub struct Wait {
    pub note: Note,
}

/// The stock chosen for an order, not yet taken.
pub struct Plan {
    pools: HashMap<i64, std::vec::IntoIter<(i64, Vec<u8>)>>,
}

impl Plan {
    /// Gives the chosen items back to the pool, untaken (the order was not stored after all).
    pub fn release(self, stock: &mut StockPool) {
        for (product_id, items) in self.pools {
            stock.put_back(product_id, items.collect());
        }
    }
}

/// A stock item's id and its sealed secret.
type SealedItem = (i64, Vec<u8>);

/// The next available items of a product. `LIMIT ?3 + 0`, not `LIMIT ?3`: SQLite plans a bare
/// bound LIMIT by its value, so every new value re-prepared the statement (50k instructions,
/// a sixth of a single paid order); an expression is planned once.
const READ_AHEAD: &str = "SELECT id, secret FROM stock_items
     WHERE product_id = ?1 AND status = 'available' AND id > ?2 ORDER BY id LIMIT ?3 + 0";

/// Available stock read ahead for one transaction, so that a batch of orders reads each
/// product's items in a few large steps instead of one query per order. Only the writer
/// transaction that owns the pool takes items, so what it read stays available until taken.
#[derive(Default)]
pub struct StockPool {
    items: HashMap<i64, std::collections::VecDeque<SealedItem>>,
    /// The highest item id read per product, and whether the product ran dry.
    read_to: HashMap<i64, (i64, bool)>,
}

impl StockPool {
    /// Takes `want` items of a product, or reports how many there are.
    fn reserve(
        &mut self,
        conn: &Connection,
        product_id: i64,
        want: i64,
    ) -> Result<std::result::Result<Vec<SealedItem>, i64>> {
        let queue = self.items.entry(product_id).or_default();
        let (last, dry) = self.read_to.entry(product_id).or_insert((0, false));
        while (queue.len() as i64) < want && !*dry {
            // A lone order reads just what it needs; a batch, once it has come back for more,
            // reads ahead.
            let step = if *last == 0 { want } else { want.max(256) };
            let mut stmt = conn.prepare_cached(READ_AHEAD)?;
            let rows = stmt.query_map(params![product_id, *last, step], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            let before = queue.len();
            for row in rows {
                let (id, sealed): (i64, Vec<u8>) = row?;
                *last = id;
                queue.push_back((id, sealed));
            }
            *dry = ((queue.len() - before) as i64) < step;
        }
        if (queue.len() as i64) < want {
            return Ok(Err(queue.len() as i64));
        }
        Ok(Ok(queue.drain(..want as usize).collect()))
    }

    /// Returns reserved items to the front of the pool (an order that could not be filled).
    fn put_back(&mut self, product_id: i64, items: Vec<SealedItem>) {
        let queue = self.items.entry(product_id).or_default();
        for item in items.into_iter().rev() {
            queue.push_front(item);
        }
    }
}

/// Checks that every line has an active product with enough stock, and picks the items.
/// Reads only; `take` does the writing.
pub fn plan(
    conn: &Connection,
    stock: &mut StockPool,
    lines: &[LineToFill],
) -> Result<std::result::Result<Plan, Wait>> {
    let mut needed: HashMap<i64, i64> = HashMap::new();
    for line in lines {
        let Some(product) = &line.product else {
            return Ok(Err(Wait {
                note: Note::UnknownSku {
                    sku: line.sku.clone(),
                    item_id: line.item_id,
                    model_id: line.item_id.and(line.model_id),
                },
            }));
        };
        if !product.active {
            return Ok(Err(Wait {
                note: Note::ProductInactive {
                    product: product.name.clone(),
                },
            }));
        }
        if product.kind.has_stock() {
            *needed.entry(product.id).or_default() += line.quantity;
        }
    }
    let mut pools = HashMap::new();
    for (&product_id, &want) in &needed {
        match stock.reserve(conn, product_id, want)? {
            Ok(items) => {
                pools.insert(product_id, items.into_iter());
            }
            Err(have) => {
                // Give back what earlier products of this order reserved.
                Plan {
                    pools: std::mem::take(&mut pools),
                }
                .release(stock);
                let name = lines
                    .iter()
                    .filter_map(|l| l.product.as_ref())
                    .find(|p| p.id == product_id)
                    .map(|p| p.name.as_str())
                    .unwrap_or("");
                return Ok(Err(Wait {
                    note: Note::OutOfStock {
                        product: name.to_string(),
                        have,
                        want,
                    },
                }));
            }
        }
    }
    Ok(Ok(Plan { pools }))
}

/// Takes the planned items for the (stored) lines, renders one message per line and queues
/// the delivery. The caller records the status change in the same transaction.
pub fn take(
    held: &mut Held,
    vault: &Vault,
    order: &OrderToFill,
    lines: &[LineToFill],
    mut plan: Plan,
) -> Result<()> {
    let now = now_ms();
    // The delivery row first, so each item can name the delivery that carries it (what a
    // cancellation or a replacement needs to know); its text is filled in once rendered.
    held.get("INSERT INTO deliveries (order_id, message, status, created_at) VALUES (?1, x'', 'pending', ?2)")?
        .execute(params![order.id, now])?;
    let delivery_id = held.conn().last_insert_rowid();
    let mut rendered = Vec::with_capacity(lines.len());
    for line in lines {
        let product = line.product.as_ref().expect("planned lines have products");
        let items = if product.kind.has_stock() {
            let pool = plan.pools.get_mut(&product.id).expect("planned");
            let mut secrets = Vec::with_capacity(line.quantity as usize);
            for _ in 0..line.quantity {
                let (item_id, sealed) = pool.next().expect("enough items planned");
                let taken = held
                    .get("UPDATE stock_items SET status = 'allocated', order_line_id = ?2, allocated_at = ?3, changed_at = ?3, delivery_id = ?4 WHERE id = ?1 AND status = 'available'")?
                    .execute(params![item_id, line.id, now, delivery_id])?;
                if taken != 1 {
                    return Err(Error::conflict(
                        "a stock item was taken by another order; retry",
                    ));
                }
                secrets.push(StockSecret::from_plain(product.kind, &vault.open(&sealed)?));
            }
            // Low stock is said once, by the sale that crosses the threshold.
            crate::catalog::low_stock::note_taken(held, product.id)?;
            parts::items_of(product.kind, &secrets)
        } else {
            parts::Items::Text(&product.content)
        };
        // Rendered knowing where each item is, so chat-sized parts never cut one.
        rendered.push(parts::render(
            &product.template,
            &Values {
                buyer: order.buyer,
                order_sn: order.order_sn,
                product: &product.name,
                items: "",
                quantity: line.quantity,
                instructions: &product.instructions,
            },
            items,
        ));
    }
    let rendered = parts::Rendered::join(rendered, "\n\n");
    let cut = parts::sealed_parts(held.conn(), vault, &rendered)?;
    held.get("UPDATE deliveries SET message = ?2, parts = ?3 WHERE id = ?1")?
        .execute(params![delivery_id, vault.seal(rendered.text()), cut])?;
    Ok(())
}

/// Allocates a stored order whose lines are resolved: all items or none, with the status
/// change. Returns the order's new status.
pub fn allocate_lines(
    conn: &Connection,
    vault: &Vault,
    order: &OrderToFill,
    lines: &[LineToFill],
    actor: &str,
) -> Result<Status> {
    match plan(conn, &mut StockPool::default(), lines)? {
        Err(w) => wait(conn, order.id, order.status, actor, &w.note),
        Ok(p) => {
            take(&mut Held::new(conn), vault, order, lines, p)?;
            transition(
                conn,
                order.id,
                order.status,
                Status::Delivering,
                actor,
                &Note::Allocated,
            )?;
            Ok(Status::Delivering)
        }
    }
}

/// Puts the order in needs_attention, or, when it waits already, updates the reason quietly
/// (a retry that fails again is not news for the trail).
fn wait(
    conn: &Connection,
    order_id: i64,
    status: Status,
    actor: &str,
    note: &Note,
) -> Result<Status> {
    if status == Status::NeedsAttention {
        set_attention(conn, order_id, note)?;
    } else {
        transition(conn, order_id, status, Status::NeedsAttention, actor, note)?;
    }
    Ok(Status::NeedsAttention)
}

/// Retries every order waiting for stock, a product or a mapping, oldest payment first;
/// returns how many are now delivering.
pub fn retry_waiting(conn: &Connection, vault: &Vault, actor: &str) -> Result<usize> {
    let waiting: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM orders WHERE status = 'needs_attention'
               AND attention_reason IN ('out_of_stock', 'unknown_sku', 'product_inactive')
             ORDER BY COALESCE(paid_at, created_at), id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Replacements first: those buyers paid and got a bad item already.
    let mut delivered = super::replace::fill_waiting(conn, vault, actor)?;
    for id in waiting {
        if allocate_order(conn, vault, id, actor)? == Status::Delivering {
            delivered += 1;
        }
    }
    Ok(delivered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;

    #[test]
    fn reading_stock_ahead_plans_its_statement_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO products (id, name, sku, kind, price_minor, currency, template, created_at, updated_at)
             VALUES (1, 'Key', 'KEY', 'license_key', 1000, 'IDR', '{{items}}', 0, 0);",
        )
        .unwrap();
        for i in 0..600 {
            conn.execute(
                "INSERT INTO stock_items (product_id, fingerprint, secret, imported_at) VALUES (1, ?1, ?2, 0)",
                params![format!("f{i}"), vec![0u8; 8]],
            )
            .unwrap();
        }
        // Lone orders of different sizes, then a batch that comes back for more: every read a
        // new LIMIT.
        for want in [1, 3, 2] {
            let got = StockPool::default().reserve(&conn, 1, want).unwrap();
            assert_eq!(got.map(|items| items.len()), Ok(want as usize));
        }
        let mut pool = StockPool::default();
        for _ in 0..300 {
            assert!(pool.reserve(&conn, 1, 2).unwrap().is_ok());
        }
        assert_eq!(pool.reserve(&conn, 1, 1).unwrap().err(), Some(0));
        let stmt = conn.prepare_cached(READ_AHEAD).unwrap();
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
        assert!(stmt.get_status(StatementStatus::Run) >= 6);
    }
}
