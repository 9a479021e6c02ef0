//! The memory graph: customers, orders, products, FAQ entries, conversations and questions, and
//! how they connect. It answers what a buyer bought and asked before, which questions a product
//! causes and which FAQ entries never match.
//!
//! An indradb in-memory datastore, saved whole as msgpack by `sync`. SQLite holds every fact
//! recorded here, so the file is a cache: a missing or damaged one is rebuilt, never fatal.

mod graph;
mod image;
mod rebuild;
mod schema;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard};

use indradb::{EdgeDirection, Json};

use graph::Db;
use schema::{Facts, SCHEMA};

/// A buyer of one shop, as orders and chats name them.
#[derive(Debug, Clone, Copy)]
pub struct Buyer<'a> {
    pub shop: &'a str,
    pub username: &'a str,
    /// Shopee's user id, when known; it identifies the buyer better than the username.
    pub user_id: Option<i64>,
}

/// What a buyer bought and asked before.
#[derive(Debug, Default, serde::Serialize, PartialEq)]
pub struct BuyerHistory {
    /// Order numbers, newest first (Shopee's start with the date).
    pub orders: Vec<String>,
    /// Products bought, most recently bought first.
    pub products: Vec<i64>,
    /// Message ids of the buyer's questions, newest first.
    pub questions: Vec<i64>,
    /// FAQ entries that answered those questions, in the same order.
    pub faq_answers: Vec<i64>,
}

/// How many vertices of each type and how many edges the graph holds.
#[derive(Debug, Default, serde::Serialize, PartialEq, Clone)]
pub struct GraphStats {
    pub customers: usize,
    pub orders: usize,
    pub products: usize,
    pub faqs: usize,
    pub conversations: usize,
    pub questions: usize,
    pub edges: usize,
}

/// What can go wrong with the memory graph.
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    #[error("could not {action} the memory graph file {}: {source}", path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the memory graph failed: {0}")]
    Graph(#[from] indradb::Error),
    #[error("could not read the database to rebuild the memory graph: {0}")]
    Rebuild(#[from] rusqlite::Error),
    #[error("the memory graph is already being rebuilt; wait for that to finish")]
    RebuildRunning,
}

impl From<indradb::ValidationError> for MemoryError {
    fn from(e: indradb::ValidationError) -> Self {
        MemoryError::Graph(e.into())
    }
}

impl From<MemoryError> for crate::Error {
    fn from(e: MemoryError) -> Self {
        match e {
            MemoryError::RebuildRunning => crate::Error::Conflict(e.to_string()),
            MemoryError::File { ref source, .. } => {
                crate::Error::Io(io::Error::new(source.kind(), e.to_string()))
            }
            MemoryError::Graph(_) | MemoryError::Rebuild(_) => {
                crate::Error::Io(io::Error::other(e.to_string()))
            }
        }
    }
}

/// The memory graph, shared by the engine and the HTTP server (it is `Send + Sync`).
pub struct Memory {
    /// Replaced whole by a rebuild, which holds the write lock so no fact recorded meanwhile
    /// lands in the graph being discarded.
    db: RwLock<Db>,
    path: PathBuf,
    /// Where indradb stages the image before it replaces `path` (see `image`).
    staging: PathBuf,
    /// Set after a change, cleared by the sync that writes it.
    dirty: AtomicBool,
    needs_rebuild: AtomicBool,
    rebuilding: AtomicBool,
    /// One writer of the file at a time.
    writing: Mutex<()>,
}

impl Memory {
    /// Opens the graph at `path` (e.g. `data_dir/memory.graph`). A missing or unreadable file
    /// gives an empty graph that `needs_rebuild`; an unreadable one is first moved aside to
    /// `path.corrupt-<unix ts>`.
    pub fn open(path: &Path) -> Result<Memory, MemoryError> {
        let staging = image::staging_path();
        let loaded = image::load(path, &staging);
        Ok(Memory {
            db: RwLock::new(loaded.db),
            path: path.to_path_buf(),
            staging,
            dirty: AtomicBool::new(false),
            needs_rebuild: AtomicBool::new(loaded.needs_rebuild),
            rebuilding: AtomicBool::new(false),
            writing: Mutex::new(()),
        })
    }

    /// Whether the graph started empty (no file, or a bad one) and has not been rebuilt since.
    pub fn needs_rebuild(&self) -> bool {
        self.needs_rebuild.load(Ordering::SeqCst)
    }

    /// A buyer placed order `order_sn` for these products.
    pub fn record_order(
        &self,
        buyer: &Buyer,
        order_sn: &str,
        product_ids: &[i64],
    ) -> Result<(), MemoryError> {
        self.apply(&Facts::order(buyer, order_sn, product_ids))
    }

    /// A buyer asked a question (inbound message `message_id`), maybe about a product, maybe
    /// answered or drafted from an FAQ entry.
    pub fn record_question(
        &self,
        buyer: &Buyer,
        conversation_id: &str,
        message_id: i64,
        product_id: Option<i64>,
        answered_by: Option<i64>,
    ) -> Result<(), MemoryError> {
        self.apply(&Facts::question(
            buyer,
            conversation_id,
            message_id,
            product_id,
            answered_by,
        ))
    }

    /// An FAQ entry answered a question after the fact (the seller approved its draft).
    pub fn record_answer(&self, message_id: i64, faq_id: i64) -> Result<(), MemoryError> {
        self.apply(&Facts::answer(message_id, faq_id))
    }

    /// An FAQ entry was deleted: it and its answered_by edges leave the graph.
    pub fn forget_faq(&self, faq_id: i64) -> Result<(), MemoryError> {
        if graph::delete_vertex(&self.db(), schema::faq_id(faq_id))? {
            self.dirty.store(true, Ordering::SeqCst);
        }
        Ok(())
    }

    /// What the buyer bought and asked before.
    pub fn buyer_history(&self, buyer: &Buyer) -> Result<BuyerHistory, MemoryError> {
        let Some(customer) = schema::customer_id(buyer) else {
            return Ok(BuyerHistory::default());
        };
        let s = &*SCHEMA;
        let out = EdgeDirection::Outbound;
        let db = self.db();

        let mut orders = graph::hop(&db, vec![customer], s.bought, out, s.order)?;
        orders.sort_by(|(_, a), (_, b)| b.as_str().cmp(&a.as_str()));
        let order_ids = orders.iter().map(|(id, _)| *id).collect();
        let products = graph::hop(&db, order_ids, s.about, out, s.product)?;

        let mut questions = int_keys(graph::hop(&db, vec![customer], s.asked, out, s.question)?);
        questions.sort_by(|(_, a), (_, b)| b.cmp(a));
        let question_ids = questions.iter().map(|(id, _)| *id).collect();
        let faqs = graph::hop(&db, question_ids, s.answered_by, out, s.faq)?;

        Ok(BuyerHistory {
            orders: distinct(
                orders
                    .into_iter()
                    .filter_map(|(_, k)| k.as_str().map(String::from)),
            ),
            products: distinct(int_keys(products).into_iter().map(|(_, k)| k)),
            questions: questions.into_iter().map(|(_, k)| k).collect(),
            faq_answers: distinct(int_keys(faqs).into_iter().map(|(_, k)| k)),
        })
    }

    /// Message ids of questions about this product, most recent first, at most `limit`.
    pub fn product_questions(
        &self,
        product_id: i64,
        limit: usize,
    ) -> Result<Vec<i64>, MemoryError> {
        let s = &*SCHEMA;
        let product = vec![schema::product_id(product_id)];
        let found = graph::hop(
            &self.db(),
            product,
            s.about,
            EdgeDirection::Inbound,
            s.question,
        )?;
        let mut questions: Vec<i64> = int_keys(found).into_iter().map(|(_, k)| k).collect();
        questions.sort_unstable_by(|a, b| b.cmp(a));
        questions.truncate(limit);
        Ok(questions)
    }

    /// Of the given FAQ entry ids, those that no question was ever answered_by.
    pub fn faq_never_matched(&self, faq_ids: &[i64]) -> Result<Vec<i64>, MemoryError> {
        let ids = faq_ids.iter().map(|&id| schema::faq_id(id)).collect();
        let matched = graph::pointed_at(&self.db(), ids, SCHEMA.answered_by)?;
        Ok(faq_ids
            .iter()
            .copied()
            .filter(|&id| !matched.contains(&schema::faq_id(id)))
            .collect())
    }

    /// Counts of vertices per type and of edges, for health and status.
    pub fn stats(&self) -> Result<GraphStats, MemoryError> {
        graph::stats(&self.db())
    }

    /// Writes the image to disk if anything changed since the last sync; returns whether it
    /// wrote. The file is replaced in one rename, so a crash never leaves half of it.
    pub fn sync(&self) -> Result<bool, MemoryError> {
        let _writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        self.write_if_dirty()
    }

    /// Clears the graph and rebuilds it from SQLite, then syncs. Facts recorded meanwhile wait
    /// for it to finish.
    pub fn rebuild_from(&self, conn: &rusqlite::Connection) -> Result<GraphStats, MemoryError> {
        if self.rebuilding.swap(true, Ordering::SeqCst) {
            return Err(MemoryError::RebuildRunning);
        }
        let result = self.rebuild(conn);
        self.rebuilding.store(false, Ordering::SeqCst);
        result
    }

    fn rebuild(&self, conn: &rusqlite::Connection) -> Result<GraphStats, MemoryError> {
        let started = std::time::Instant::now();
        let _writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let stats = {
            let mut db = self.db.write().unwrap_or_else(PoisonError::into_inner);
            let fresh = image::empty(&self.staging);
            rebuild::load(&fresh, conn)?;
            *db = fresh;
            self.dirty.store(true, Ordering::SeqCst);
            graph::stats(&db)?
        };
        self.write_if_dirty()?;
        self.needs_rebuild.store(false, Ordering::SeqCst);
        tracing::info!(
            ?stats,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "memory graph rebuilt"
        );
        Ok(stats)
    }

    /// Callers hold `writing`.
    fn write_if_dirty(&self) -> Result<bool, MemoryError> {
        if !self.dirty.swap(false, Ordering::SeqCst) {
            return Ok(false);
        }
        let written = image::write(&self.db(), &self.staging, &self.path);
        if written.is_err() {
            self.dirty.store(true, Ordering::SeqCst);
        }
        written.map(|()| true)
    }

    fn apply(&self, facts: &Facts) -> Result<(), MemoryError> {
        if graph::apply(&self.db(), facts)? {
            // After the change, so a sync racing with it writes it now or next time.
            self.dirty.store(true, Ordering::SeqCst);
        }
        Ok(())
    }

    fn db(&self) -> RwLockReadGuard<'_, Db> {
        self.db.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        // Only left behind by a failed sync.
        let _ = std::fs::remove_file(&self.staging);
    }
}

fn int_keys(found: Vec<(uuid::Uuid, Json)>) -> Vec<(uuid::Uuid, i64)> {
    found
        .into_iter()
        .filter_map(|(id, key)| Some((id, key.as_i64()?)))
        .collect()
}

/// The items in their first-seen order, without repeats.
fn distinct<T: Clone + Eq + std::hash::Hash>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|item| seen.insert(item.clone()))
        .collect()
}
