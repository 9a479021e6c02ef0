//! The engine's stock operations: each one transaction over the catalog's stock functions,
//! followed by the events the UI and the desktop app listen to.

use super::low_stock;
use super::stock_export::{self, ExportFormat, WithdrawReport, WithdrawRequest};
use super::stock_find::{find_by_code, FoundItem};
use super::stock_list::{list_items, ItemQuery, StockItemPage};
use super::{ImportReport, StockInput};
use crate::events::Event;
use crate::store::now_ms;
use crate::{delivery, Engine, Result};

/// How far back a crossing is still news: a crossing is told right after the sale that made
/// it, so this only keeps an old one from being told again after a restart.
const LOW_STOCK_NEWS_MS: i64 = 10 * 60 * 1000;

impl Engine {
    /// Imports stock labelled with a batch, then delivers the orders that waited for it, in
    /// one transaction. An import that brings the product back above its threshold clears
    /// its low-stock mark.
    pub fn import_stock_batch(
        &self,
        product_id: i64,
        input: StockInput,
        batch: &str,
    ) -> Result<ImportReport> {
        let mut report = self.db.write(|tx| {
            let mut report = super::import_stock(tx, &self.vault, product_id, input, batch)?;
            if report.imported > 0 {
                report.waiting_delivered =
                    delivery::retry_waiting(tx, &self.vault, "engine")? as u64;
                report.available = super::stock_counts(tx, product_id)?.available;
                low_stock::note_restocked(tx, product_id)?;
            }
            report.still_waiting = low_stock::waiting_orders(tx, product_id)?;
            Ok(report)
        })?;
        if report.imported > 0 {
            self.events.send(Event::Stock { product_id });
        }
        if report.waiting_delivered > 0 {
            self.events.send(Event::Orders {
                changed: report.waiting_delivered as usize,
            });
            // The waiting orders may have taken the fresh stock straight back down.
            self.tell_low_stock();
        }
        report.duplicates.sort_by_key(|d| d.line);
        Ok(report)
    }

    /// One page of a product's stock items, masked.
    pub fn list_stock_items(&self, product_id: i64, query: &ItemQuery) -> Result<StockItemPage> {
        self.db
            .read(|c| list_items(c, &self.vault, product_id, query))
    }

    /// The stock items whose exact code (or account username) is `code`.
    pub fn find_stock(&self, code: &str, product_id: Option<i64>) -> Result<Vec<FoundItem>> {
        self.db
            .read(|c| find_by_code(c, &self.vault, code, product_id))
    }

    /// Withdraws unsold items and hands them to the seller in plain, in one transaction.
    pub fn withdraw_stock(&self, product_id: i64, req: &WithdrawRequest) -> Result<WithdrawReport> {
        let report = self
            .db
            .write(|tx| stock_export::withdraw(tx, &self.vault, product_id, req))?;
        if report.withdrawn > 0 {
            self.events.send(Event::Stock { product_id });
            self.tell_low_stock();
        }
        Ok(report)
    }

    /// Unsold (or withdrawn) items of a product as a TXT or CSV file; returns the file and
    /// how many items it holds.
    pub fn export_stock(
        &self,
        product_id: i64,
        status: &str,
        batch: Option<&str>,
        format: ExportFormat,
    ) -> Result<(String, usize)> {
        let items = self
            .db
            .read(|c| stock_export::plain_items(c, &self.vault, product_id, status, batch))?;
        Ok((stock_export::render(&items, format)?, items.len()))
    }

    /// Delivers the orders that wait for stock, a product or a mapping now (the retry an
    /// import runs by itself); returns how many are being delivered.
    pub fn deliver_waiting(&self) -> Result<usize> {
        let delivered = self
            .db
            .write(|tx| delivery::retry_waiting(tx, &self.vault, "seller"))?;
        if delivered > 0 {
            self.events.send(Event::Orders { changed: delivered });
            self.tell_low_stock();
        }
        Ok(delivered)
    }

    /// Tells listeners of products that crossed their low-stock threshold since the last
    /// time this was told: one `low_stock` event per crossing, however many sales follow it.
    /// Cheap when nothing crossed (one read of the few marked products), and skipped when
    /// nobody listens.
    pub fn tell_low_stock(&self) {
        if !self.events.listening() {
            return;
        }
        let crossed = self
            .db
            .read(|c| low_stock::crossed_since(c, now_ms() - LOW_STOCK_NEWS_MS));
        match crossed {
            Ok(crossed) => {
                for p in crossed {
                    let event = Event::LowStock {
                        product_id: p.product_id,
                        name: p.name,
                        available: p.available,
                        threshold: p.threshold,
                        waiting: p.waiting,
                    };
                    self.events
                        .send_once(("low_stock", p.product_id), p.since_ms, event);
                }
            }
            Err(e) => tracing::warn!("cannot read low-stock crossings: {e}"),
        }
    }
}
