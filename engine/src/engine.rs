//! The engine façade: owns the database, the vault and the caches, and gives every caller
//! (HTTP handlers, the CLI, the desktop app) the same operations.

use crate::auth::{self, PairingGuard, Scope, TokenCache};
use crate::catalog::{
    self, ImportReport, NewProduct, Product, ProductPatch, StockCounts, StockInput,
};
use crate::config::Config;
use crate::delivery::{self, DeliveryFilter, PendingDelivery};
use crate::error::{error_body, ErrorBody};
use crate::events::{Event, Events};
use crate::orders::{
    self, DeliveryInfo, Order, OrderDetail, OrderFilter, OrderInput, OrderPage, Status,
};
use crate::secrets::Vault;
use crate::store::{self, Db};
use crate::{demo, stats, Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use utoipa::ToSchema;

/// One order of a batch that was refused, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedOrder {
    pub index: usize,
    pub order_sn: String,
    pub error: ErrorBody,
}

/// How the seller wants a waiting order handled (the wire's `mode`).
pub use auto_api::DeliverMode;

pub struct Engine {
    pub data_dir: PathBuf,
    pub config: Config,
    pub db: Db,
    pub vault: Vault,
    pub assistant: crate::assistant::Assistant,
    /// Live changes for the UI and the desktop app's notifications.
    pub events: Events,
    /// The Shopee Open Platform road's state in this process.
    pub shopee: crate::shopee::Road,
    /// While set, deliveries stay in the outbox: the extension is handed none (the seller
    /// paused auto-delivery from the tray or the UI). Kept in `meta` across restarts.
    delivery_paused: AtomicBool,
    tokens: TokenCache,
    pairing: PairingGuard,
    origins: RwLock<HashSet<String>>,
}

const KEY_CHECK: &str = "AUTO key check v1";

impl Engine {
    /// Opens the engine on a data dir: database and migrations, the encryption key, and on a
    /// first start the demo catalog (when `load_demo`).
    pub fn open(data_dir: &Path, config: Config, load_demo: bool) -> Result<Engine> {
        std::fs::create_dir_all(data_dir)?;
        apply_staged_restore(data_dir, &config)?;
        let db = Db::open(&data_dir.join("auto.db"))?;
        let key_check: Option<Vec<u8>> = db.read(|c| {
            Ok(
                c.query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })?;
        let vault = Vault::load(data_dir, config.secrets.key_store, key_check.is_none())?;
        match &key_check {
            Some(sealed) => {
                if vault.open(sealed).ok().as_deref() != Some(KEY_CHECK) {
                    return Err(Error::Secrets(
                        "the encryption key found does not belong to this database; restore the key file \
                         (secret.key) or keyring entry that came with it"
                            .into(),
                    ));
                }
            }
            None => {
                let sealed = vault.seal(KEY_CHECK);
                db.write(|tx| {
                    tx.execute(
                        "INSERT INTO meta (key, value) VALUES ('key_check', ?1)",
                        [sealed],
                    )?;
                    Ok(())
                })?;
            }
        }
        match &vault.source {
            crate::secrets::KeySource::Keyring => {
                tracing::info!("stock encryption key: OS keyring")
            }
            crate::secrets::KeySource::File(p) => {
                tracing::info!("stock encryption key: key file {}", p.display())
            }
        }
        let assistant = crate::assistant::ops::open_assistant(&db, data_dir, &config)?;
        let paused = db.read(|c| {
            Ok(c.query_row(
                "SELECT value FROM meta WHERE key = 'delivery_paused'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?)
        })? == Some("1".into());
        let engine = Engine {
            data_dir: data_dir.to_path_buf(),
            config,
            db,
            vault,
            assistant,
            events: Events::default(),
            shopee: crate::shopee::Road::default(),
            delivery_paused: AtomicBool::new(paused),
            tokens: TokenCache::default(),
            pairing: PairingGuard::default(),
            origins: RwLock::new(HashSet::new()),
        };
        if load_demo && engine.config.demo.load_on_first_start {
            demo::load_if_first_start(&engine)?;
        }
        let origins = engine.db.read(auth::paired_origins)?;
        engine
            .origins
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .extend(origins);
        Ok(engine)
    }

    // ---- catalog ----

    pub fn list_products(&self) -> Result<Vec<Product>> {
        self.db.read(catalog::list_products)
    }

    pub fn get_product(&self, id: i64) -> Result<Product> {
        self.db.read(|c| catalog::get_product(c, id))
    }

    /// Finds a product by id or SKU (for the CLI).
    pub fn find_product(&self, id_or_sku: &str) -> Result<Product> {
        let id: Option<i64> = self.db.read(|c| {
            Ok(c.query_row(
                "SELECT id FROM products WHERE sku = ?1 OR CAST(id AS TEXT) = ?1",
                [id_or_sku],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        let id = id.ok_or_else(|| Error::not_found(format!("product '{id_or_sku}'")))?;
        self.get_product(id)
    }

    /// Creates a product; orders that waited for its SKU are delivered.
    pub fn create_product(&self, new: NewProduct) -> Result<Product> {
        let threshold = self.config.delivery.low_stock_threshold;
        let (product, retried) = self.db.write(|tx| {
            let p = catalog::create_product(tx, new, threshold)?;
            let retried = delivery::retry_waiting(tx, &self.vault, "engine")?;
            Ok((catalog::get_product(tx, p.id)?, retried))
        })?;
        self.events.send(Event::Product { id: product.id });
        self.orders_changed(retried);
        Ok(product)
    }

    /// Saves a product; orders that waited for it are delivered, and a threshold (or kind)
    /// that moves the line past the stock marks or clears low stock at once, not at the next
    /// sale or import.
    pub fn update_product(&self, id: i64, patch: ProductPatch) -> Result<Product> {
        let (product, retried, crossed) = self.db.write(|tx| {
            catalog::update_product(tx, id, patch)?;
            let retried = delivery::retry_waiting(tx, &self.vault, "engine")?;
            let crossed = catalog::low_stock::note_threshold_saved(tx, id)?;
            Ok((catalog::get_product(tx, id)?, retried, crossed))
        })?;
        self.events.send(Event::Product { id });
        self.orders_changed(retried);
        if crossed {
            self.tell_low_stock();
        }
        Ok(product)
    }

    pub fn delete_product(&self, id: i64) -> Result<()> {
        self.db.write(|tx| catalog::delete_product(tx, id))?;
        self.events.send(Event::Product { id });
        Ok(())
    }

    /// Tells listeners that orders waiting for stock or a mapping moved on.
    fn orders_changed(&self, count: usize) {
        if count > 0 {
            self.events.send(Event::Orders { changed: count });
            self.tell_low_stock();
        }
    }

    /// Imports stock, then delivers the orders that waited for it, in one transaction.
    /// (With no batch label: `import_stock_batch` in catalog::stock_engine.)
    pub fn import_stock(&self, product_id: i64, input: StockInput) -> Result<ImportReport> {
        self.import_stock_batch(product_id, input, "")
    }

    pub fn stock_counts(&self, product_id: i64) -> Result<StockCounts> {
        self.db.read(|c| {
            catalog::get_product(c, product_id)?;
            catalog::stock_counts(c, product_id)
        })
    }

    // ---- orders ----

    /// Takes in reported orders. Invalid ones are refused one by one; the valid ones are
    /// written in one transaction, and one that fails there spoils no other.
    pub fn intake(
        &self,
        inputs: Vec<OrderInput>,
        actor: &str,
    ) -> Result<(Vec<Order>, Vec<RejectedOrder>)> {
        let mut rejected = Vec::new();
        let mut valid = Vec::with_capacity(inputs.len());
        for (index, input) in inputs.into_iter().enumerate() {
            let order_sn = input.order_sn.chars().take(64).collect::<String>();
            match orders::validate_order(input) {
                Ok(v) => valid.push((index, v)),
                Err(e) => rejected.push(RejectedOrder {
                    index,
                    order_sn,
                    error: error_body(&e),
                }),
            }
        }
        // Fast path: the whole batch in one transaction. Valid orders almost never fail here;
        // when one does, the batch is redone with a savepoint per order so that the failure
        // spoils no other (savepoints cost a sub-journal copy of every page they touch).
        let orders = match self
            .db
            .write(|tx| self.intake_valid(tx, &valid, actor, None))
        {
            Ok(orders) => orders,
            Err(e) if matches!(e, Error::Storage(_) | Error::Io(_)) => return Err(e),
            Err(_) => self
                .db
                .write(|tx| self.intake_valid(tx, &valid, actor, Some(&mut rejected)))?,
        };
        rejected.sort_by_key(|r| r.index);
        self.assistant
            .orders_seen_at
            .store(crate::store::now_ms(), Ordering::Relaxed);
        if !self.events.listening() {
            return Ok((orders, rejected));
        }
        let mut allocated = std::collections::BTreeSet::new();
        for order in &orders {
            self.order_event(order);
            if order.status == Status::Delivering {
                allocated.extend(order.lines.iter().filter_map(|l| l.product_id));
            }
        }
        // One stock event per product a batch took items from, not one per order.
        for product_id in allocated {
            self.events.send(Event::Stock { product_id });
        }
        self.tell_low_stock();
        Ok((orders, rejected))
    }

    /// Writes validated orders; with `rejected`, each in a savepoint and failures collected
    /// there, else the first failure fails the whole transaction.
    fn intake_valid(
        &self,
        tx: &rusqlite::Connection,
        valid: &[(usize, orders::ValidOrder)],
        actor: &str,
        mut rejected: Option<&mut Vec<RejectedOrder>>,
    ) -> Result<Vec<Order>> {
        let mut ctx = orders::IntakeContext::new(tx);
        let mut stored = Vec::with_capacity(valid.len());
        for (index, order) in valid {
            let Some(rejected) = rejected.as_deref_mut() else {
                stored.push(orders::intake_order(&mut ctx, &self.vault, order, actor)?);
                continue;
            };
            tx.prepare_cached("SAVEPOINT intake")?.execute([])?;
            match orders::intake_order(&mut ctx, &self.vault, order, actor) {
                Ok(order) => {
                    tx.prepare_cached("RELEASE intake")?.execute([])?;
                    stored.push(order);
                }
                Err(e) => {
                    tx.prepare_cached("ROLLBACK TO intake")?.execute([])?;
                    tx.prepare_cached("RELEASE intake")?.execute([])?;
                    rejected.push(RejectedOrder {
                        index: *index,
                        order_sn: order.order_sn.clone(),
                        error: error_body(&e),
                    });
                }
            }
        }
        Ok(stored)
    }

    pub fn list_orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        self.db.read(|c| orders::list_orders(c, filter))
    }

    /// An order with trail and deliveries. Revealing the delivery text first makes its
    /// allocation durable, like handing it to the extension.
    pub fn order_detail(&self, id: i64, reveal: bool) -> Result<OrderDetail> {
        if reveal {
            // Once shown, its items are seen: a cancellation no longer returns them.
            self.db.write(|tx| delivery::mark_revealed(tx, id))?;
            self.db.ensure_durable()?;
        }
        self.db
            .read(|c| orders::get_order_detail(c, &self.vault, id, reveal))
    }

    /// A status change asked for by the seller (refund, cancel, complete...).
    pub fn set_status(&self, id: i64, to: Status, reason: &str, actor: &str) -> Result<Order> {
        let mut returned_to = Vec::new();
        self.db
            .write(|tx| {
                let order = orders::get_order(tx, id)?;
                if order.status == to {
                    return Ok(order);
                }
                let why = if reason.trim().is_empty() {
                    orders::Note::SetBy {
                        status: to.to_string(),
                        actor: actor.to_string(),
                    }
                } else {
                    orders::Note::SellerNote {
                        text: reason.trim().to_string(),
                    }
                };
                orders::transition(tx, id, order.status, to, actor, &why)?;
                match to {
                    Status::Cancelled | Status::Refunded | Status::Returned => {
                        delivery::cancel_pending(tx, id)?;
                        let left = delivery::leave_order(tx, id, to, "engine")?;
                        if left.returned > 0 {
                            // What came back may be what a waiting order needs.
                            delivery::retry_waiting(tx, &self.vault, "engine")?;
                        }
                        returned_to = left.products;
                    }
                    Status::Paid => {
                        delivery::allocate_order(tx, &self.vault, id, actor)?;
                    }
                    _ => {}
                }
                orders::get_order(tx, id)
            })
            .inspect(|order| {
                self.order_event(order);
                for product_id in &returned_to {
                    self.events.send(Event::Stock {
                        product_id: *product_id,
                    });
                }
                self.tell_low_stock();
            })
    }

    pub fn resend(&self, id: i64, actor: &str) -> Result<DeliveryInfo> {
        let info = self.db.write(|tx| {
            // After a replacement the order's items as they stand, never the bad one.
            match delivery::resend_current(tx, &self.vault, id, actor)? {
                Some(new) => delivery::deliveries_of(tx, &self.vault, id, false)?
                    .into_iter()
                    .find(|d| d.id == new)
                    .ok_or_else(|| Error::not_found(format!("delivery {new}"))),
                None => delivery::resend(tx, id, actor),
            }
        })?;
        self.delivery_event(&info, id);
        Ok(info)
    }

    pub(crate) fn order_event(&self, order: &Order) {
        self.events.send(Event::Order {
            id: order.id,
            order_sn: order.order_sn.clone(),
            shop: order.shop.clone(),
            status: order.status.to_string(),
            attention_reason: order.attention_reason.clone(),
        });
    }

    fn delivery_event(&self, info: &DeliveryInfo, order_id: i64) {
        self.events.send(Event::Delivery {
            id: info.id,
            order_id,
            status: info.status.clone(),
        });
    }

    /// Retries a waiting order now, or records that the seller delivered it by hand.
    pub fn deliver(&self, id: i64, mode: DeliverMode, note: &str, actor: &str) -> Result<Order> {
        self.db
            .write(|tx| {
                let order = orders::get_order(tx, id)?;
                match mode {
                    DeliverMode::Retry => {
                        if !matches!(order.status, Status::NeedsAttention | Status::Paid) {
                            return Err(Error::conflict(format!(
                                "an order that is {} is not waiting for delivery",
                                order.status
                            )));
                        }
                        // A delivery Shopee's chat refused goes out again as it was: its
                        // items are the order's already.
                        let refused = order.attention_reason.as_deref() == Some("chat_refused");
                        if !(refused
                            && crate::shopee::outbox::retry_refused(tx, &self.vault, id, actor)?)
                        {
                            delivery::allocate_order(tx, &self.vault, id, actor)?;
                        }
                    }
                    DeliverMode::Manual => {
                        let why = orders::Note::DeliveredByHand {
                            note: note.trim().to_string(),
                        };
                        orders::transition(tx, id, order.status, Status::Delivered, actor, &why)?;
                        delivery::cancel_pending(tx, id)?;
                    }
                }
                orders::get_order(tx, id)
            })
            .inspect(|order| {
                self.order_event(order);
                self.tell_low_stock();
            })
    }

    pub fn export_orders_csv(&self, out: impl std::io::Write) -> Result<usize> {
        self.db.read(|c| orders::export_csv(c, out))
    }

    // ---- deliveries ----

    /// Leases pending deliveries for the extension. They leave only after their allocation
    /// (and the lease) is fsynced: a power cut can then never hand the same key out twice.
    pub fn fetch_deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<PendingDelivery>> {
        if self.delivery_paused() {
            return Ok(Vec::new());
        }
        let timeout_ms = (self.config.delivery.offer_timeout_secs as i64).saturating_mul(1000);
        let leased = self
            .db
            .write(|tx| delivery::lease_pending(tx, &self.vault, filter, timeout_ms))?;
        self.db.ensure_durable()?;
        Ok(leased)
    }

    /// Whether auto-delivery is paused (deliveries wait in the outbox).
    pub fn delivery_paused(&self) -> bool {
        self.delivery_paused.load(Ordering::Relaxed)
    }

    /// Pauses or resumes handing deliveries to the extension; orders are still taken in and
    /// allocated meanwhile, so nothing is lost and resuming sends what waited.
    pub fn set_delivery_paused(&self, paused: bool) -> Result<()> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('delivery_paused', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [if paused { "1" } else { "0" }],
            )?;
            Ok(())
        })?;
        self.delivery_paused.store(paused, Ordering::Relaxed);
        self.events.send(Event::DeliveryPaused { paused });
        Ok(())
    }

    /// The most a chat message of a delivery may hold; longer deliveries go in parts.
    pub fn chat_limit(&self) -> Result<usize> {
        self.db.read(delivery::parts::chat_limit)
    }

    /// Sets the chat limit for deliveries allocated from now on (kept across restarts).
    pub fn set_chat_limit(&self, limit: i64) -> Result<usize> {
        self.db
            .write(|tx| delivery::parts::set_chat_limit(tx, &self.vault, limit))
    }

    pub fn confirm_delivery(&self, id: i64, actor: &str) -> Result<(DeliveryInfo, Order)> {
        let (info, order) = self.db.write(|tx| {
            let (info, order_id) = delivery::confirm(tx, id, actor)?;
            Ok((info, orders::get_order(tx, order_id)?))
        })?;
        self.delivery_event(&info, order.id);
        self.order_event(&order);
        Ok((info, order))
    }

    // ---- access ----

    pub fn create_token(&self, scope: Scope, label: &str) -> Result<String> {
        self.db
            .write(|tx| auth::create_token(tx, scope, label, None))
    }

    pub fn list_tokens(&self) -> Result<Vec<auth::TokenInfo>> {
        self.db.read(auth::list_tokens)
    }

    /// Revokes a token at once (a paired extension loses access; its origin leaves CORS).
    pub fn revoke_token(&self, id: i64) -> Result<()> {
        self.db.write(|tx| auth::revoke_token(tx, id))?;
        self.tokens.clear();
        let origins = self.db.read(auth::paired_origins)?;
        let mut allowed = self.origins.write().unwrap_or_else(|p| p.into_inner());
        allowed.clear();
        allowed.extend(origins);
        Ok(())
    }

    /// The scope of a bearer token (cached briefly).
    pub fn authenticate(&self, token: &str) -> Result<Scope> {
        self.tokens
            .scope(token, || self.db.read(|c| auth::verify_token(c, token)))
    }

    /// A one-time code for the UI's sign-in link (see `auth::signin`).
    pub fn create_signin_code(&self) -> Result<String> {
        self.db.write(auth::create_signin_code)
    }

    /// Trades a sign-in code for a session token (the cookie's value).
    pub fn redeem_signin_code(&self, code: &str) -> Result<String> {
        self.db.write(|tx| auth::redeem_signin_code(tx, code))
    }

    /// Signs a session out at once.
    pub fn end_session(&self, token: &str) -> Result<()> {
        self.db.write(|tx| auth::end_session(tx, token))?;
        self.tokens.clear();
        Ok(())
    }

    pub fn create_pairing_code(&self) -> Result<(String, DateTime<Utc>)> {
        self.db.write(auth::create_pairing_code)
    }

    pub fn pair(&self, code: &str, client: &str, origin: Option<&str>) -> Result<String> {
        let token = self
            .db
            .write(|tx| auth::redeem_pairing_code(tx, &self.pairing, code, client, origin))?;
        if let Some(o) = origin {
            self.origins
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .insert(o.to_string());
        }
        Ok(token)
    }

    /// Whether CORS may let this origin in (a paired extension).
    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.origins
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(origin)
    }

    // ---- housekeeping ----

    /// Writes a consistent copy of the database to `dest`, and its encryption key to
    /// `dest` + `.key` (0600): without the key, a backup's stock cannot be read elsewhere.
    pub fn backup(&self, dest: &Path) -> Result<PathBuf> {
        let key_path = key_path_of(dest);
        if key_path.exists() {
            return Err(Error::conflict(format!(
                "{} exists; choose a new file name",
                key_path.display()
            )));
        }
        self.db.ensure_durable()?;
        store::backup_to(self.db.path(), dest)?;
        self.vault.export_key(&key_path)?;
        Ok(key_path)
    }

    /// Replaces the data dir's database with a backup (the server must be stopped). The key
    /// beside the backup (or else the data dir's own) must open it; that is checked before
    /// anything is written, and that key becomes the data dir's.
    pub fn restore(data_dir: &Path, config: &Config, backup: &Path) -> Result<()> {
        let check: Option<Vec<u8>> = {
            let conn = rusqlite::Connection::open_with_flags(
                backup,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .map_err(|e| Error::invalid(format!("{} cannot be opened: {e}", backup.display())))?;
            conn.query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|_| Error::invalid(format!("{} is not an AUTO backup", backup.display())))?
        };
        let beside = key_path_of(backup);
        let vault = if beside.exists() {
            Vault::from_key_file(&beside)?
        } else {
            Vault::load(data_dir, config.secrets.key_store, true)?
        };
        if let Some(sealed) = &check {
            if !vault.opens(sealed) {
                return Err(Error::Secrets(format!(
                    "the backup was sealed with another key; put its key file next to it as {}",
                    beside.display()
                )));
            }
        }
        store::restore_from(backup, &data_dir.join("auto.db"))?;
        vault.install(data_dir, config.secrets.key_store)
    }

    /// A consistent copy of the database, for the UI's backup download. Its stock stays
    /// sealed with this data dir's key: it restores here (or with the key file that
    /// `auto backup` writes beside a backup).
    pub fn backup_bytes(&self) -> Result<Vec<u8>> {
        let dir = tempfile::tempdir_in(&self.data_dir)?;
        let path = dir.path().join("backup.db");
        self.db.ensure_durable()?;
        store::backup_to(self.db.path(), &path)?;
        Ok(std::fs::read(&path)?)
    }

    /// Checks an uploaded backup (an AUTO database this data dir's key opens) and stages it;
    /// it replaces the database at the next start, before anything opens it.
    pub fn stage_restore(&self, bytes: &[u8]) -> Result<()> {
        let staged = self.data_dir.join(STAGED_RESTORE);
        let tmp = tempfile::NamedTempFile::new_in(&self.data_dir)?;
        std::fs::write(tmp.path(), bytes)?;
        {
            let conn = rusqlite::Connection::open_with_flags(
                tmp.path(),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .map_err(|_| Error::invalid("the file is not an AUTO backup"))?;
            let ok: String = conn
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(|_| Error::invalid("the file is not an SQLite database"))?;
            if ok != "ok" {
                return Err(Error::invalid(format!("the backup is damaged: {ok}")));
            }
            let sealed: Option<Vec<u8>> = conn
                .query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|_| Error::invalid("the file is not an AUTO backup"))?;
            match sealed {
                Some(s) if self.vault.opens(&s) => {}
                // The upload's fault, not AUTO's: a 422 that says why, not an internal error.
                Some(_) => {
                    return Err(Error::invalid(
                        "this backup was sealed with another key; restore it with `auto restore` \
                         and the key file that was saved beside it",
                    ))
                }
                None => return Err(Error::invalid("the file is not an AUTO backup")),
            }
        }
        tmp.persist(&staged).map_err(|e| Error::Io(e.error))?;
        tracing::info!("a backup is staged; it replaces the database at the next start");
        Ok(())
    }

    /// The dashboard's figures over the last `days` local days.
    pub fn dashboard(&self, days: i64, tz_offset_minutes: i64) -> Result<stats::Dashboard> {
        self.db
            .read(|c| stats::dashboard(c, days, tz_offset_minutes, store::now_ms()))
    }

    /// Today's orders and what waits (the extension's popup).
    pub fn today(&self, tz_offset_minutes: i64) -> Result<stats::Today> {
        self.db
            .read(|c| stats::today(c, tz_offset_minutes, store::now_ms()))
    }

    /// True until the seller has seen an order or paired an extension: the UI shows its
    /// first-run guide.
    pub fn first_run(&self) -> Result<bool> {
        self.db.read(|c| {
            Ok(c.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM orders)
                    AND NOT EXISTS (SELECT 1 FROM api_tokens WHERE scope = 'extension')",
                [],
                |r| r.get(0),
            )?)
        })
    }

    /// Flushes the assistant's index and graph, then closes the database.
    pub fn close(&self) -> Result<()> {
        if let Err(e) = self.assistant_flush() {
            tracing::warn!("could not save the assistant's index or graph: {e}");
        }
        self.db.close()
    }
}

/// A backup uploaded through the UI, waiting for the next start.
const STAGED_RESTORE: &str = "restore-pending.db";

fn apply_staged_restore(data_dir: &Path, config: &Config) -> Result<()> {
    let staged = data_dir.join(STAGED_RESTORE);
    if !staged.exists() {
        return Ok(());
    }
    let keep = data_dir.join(format!(
        "auto-before-restore-{}.db",
        Utc::now().format("%Y%m%d-%H%M%S")
    ));
    if data_dir.join("auto.db").exists() {
        store::backup_to(&data_dir.join("auto.db"), &keep)?;
    }
    Engine::restore(data_dir, config, &staged)?;
    std::fs::remove_file(&staged)?;
    tracing::info!(
        "restored the staged backup; the database before it is kept as {}",
        keep.display()
    );
    Ok(())
}

fn key_path_of(backup: &Path) -> PathBuf {
    let mut p = backup.as_os_str().to_owned();
    p.push(".key");
    PathBuf::from(p)
}
