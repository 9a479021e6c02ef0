//! The assistant's operations on the engine façade: what HTTP handlers, the CLI and the
//! background worker call. Each is one SQLite transaction plus the index/graph follow-up.

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};

use rusqlite::OptionalExtension;
use serde::Serialize;
use utoipa::ToSchema;

use super::conversations::{
    self as conv, ConversationDetail, ConversationFilter, ConversationPage, Reply, ReplyFilter,
};
use super::faq::{self, Answers as _, FaqEntry, FaqFilter, FaqPage, FaqPatch, NewFaq};
use super::faq_io::{self, FaqImport, FaqImportReport};
use super::guard;
use super::knowledge::Knowledge;
use super::llm::LlmError;
use super::policy::{self, Evidence};
use super::service::{Assistant, DraftJob, MessageInput, MessageOutcome, Received};
use super::settings::{self, AiSettings, Effective, Level, LlmEndpoint, LlmView};
use crate::config::Config;
use crate::events::Event;
use crate::memory::{GraphStats, Memory};
use crate::store::Db;
use crate::{Engine, Error, Result};

/// Orders recorded in the graph per step.
const GRAPH_STEP: usize = 2000;
/// How long intake must be quiet before the worker records orders in the graph...
const GRAPH_QUIET_MS: i64 = 1000;
/// ...unless the graph has waited this long.
const GRAPH_MAX_WAIT_MS: i64 = 10_000;

/// Opens the assistant's parts at engine start: model and index, and the memory graph
/// (rebuilt from SQLite when its file is missing or damaged).
pub fn open_assistant(db: &Db, data_dir: &Path, config: &Config) -> Result<Assistant> {
    let chosen: Option<Vec<u8>> = db.read(|c| {
        Ok(c.query_row(
            "SELECT value FROM meta WHERE key = 'embedding_model'",
            [],
            |r| r.get(0),
        )
        .optional()?)
    })?;
    let model = chosen
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| config.assistant.model.clone());
    let knowledge = Knowledge::open(
        db,
        data_dir,
        &config.assistant.models_dir,
        &model,
        std::time::Duration::from_secs(config.assistant.release_model_after_secs),
    )?;
    let memory = Memory::open(&data_dir.join("memory.graph"))?;
    let watermark = if memory.needs_rebuild() {
        let started = std::time::Instant::now();
        let stats = db.read(|c| Ok(memory.rebuild_from(c)?))?;
        tracing::info!(
            ?stats,
            ms = started.elapsed().as_millis() as u64,
            "memory graph rebuilt from SQLite"
        );
        let max: i64 = db.read(|c| {
            Ok(c.query_row("SELECT IFNULL(MAX(id), 0) FROM orders", [], |r| r.get(0))?)
        })?;
        db.write(|tx| set_watermark(tx, max))?;
        max
    } else {
        db.read(|c| {
            Ok(c.query_row(
                "SELECT value FROM meta WHERE key = 'graph_order_watermark'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .unwrap_or(0))
        })?
    };
    Ok(Assistant::new(knowledge, memory, AtomicI64::new(watermark)))
}

fn set_watermark(conn: &rusqlite::Connection, id: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('graph_order_watermark', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [id],
    )?;
    Ok(())
}

pub use auto_api::{AssistantStatus, ModelChoice, SearchHit, SearchView};

/// The graph's counts as the API shows them.
fn graph_view(s: GraphStats) -> auto_api::GraphStats {
    auto_api::GraphStats {
        customers: s.customers as u64,
        orders: s.orders as u64,
        products: s.products as u64,
        faqs: s.faqs as u64,
        conversations: s.conversations as u64,
        questions: s.questions as u64,
        edges: s.edges as u64,
    }
}

/// What the memory graph knows that is useful to the seller.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Insights {
    /// Enabled FAQ entries that never answered a question.
    pub faq_never_matched: Vec<i64>,
    /// For each product with questions, how many were asked about it.
    pub product_questions: Vec<(i64, usize)>,
}

impl Engine {
    // ---- FAQ ----

    /// The product whose stock item the entry's answer, or a translation of it, holds. Asked of
    /// the entry as stored, inside the transaction that wrote it, so a refusal writes nothing.
    fn leaked_in(&self, conn: &rusqlite::Connection, entry: &FaqEntry) -> Result<Option<String>> {
        for answer in entry.answers() {
            if let Some(product) = guard::leaked_stock(conn, &self.vault, answer)? {
                return Ok(Some(product));
            }
        }
        Ok(None)
    }

    fn check_answers(&self, conn: &rusqlite::Connection, entry: &FaqEntry) -> Result<()> {
        match self.leaked_in(conn, entry)? {
            Some(product) => Err(Error::invalid(format!(
                "the answer contains a stock item of {product}; FAQ answers go to every buyer who asks, so keep keys and passwords out of them"
            ))),
            None => Ok(()),
        }
    }

    pub fn faq_create(&self, new: NewFaq) -> Result<FaqEntry> {
        let id = self.db.write(|tx| {
            if faq::find_same(tx, &new.question, new.product_id)?.is_some() {
                return Err(Error::conflict(
                    "an FAQ entry with this question already exists for the same product; edit it instead",
                ));
            }
            let id = faq::create(tx, new)?.0;
            self.check_answers(tx, &faq::get(tx, id)?)?;
            Ok(id)
        })?;
        self.assistant
            .knowledge
            .entries_changed(&self.db, &[id], true)?;
        self.faq_get(id)
    }

    pub fn faq_update(&self, id: i64, patch: FaqPatch) -> Result<FaqEntry> {
        let change = self.db.write(|tx| {
            let change = faq::update(tx, id, patch)?;
            let e = faq::get(tx, id)?;
            self.check_answers(tx, &e)?;
            if faq::find_same_other(tx, &e.question, e.product_id, id)?.is_some() {
                return Err(Error::conflict(
                    "another FAQ entry has this question for the same product; edit that one instead",
                ));
            }
            Ok(change)
        })?;
        self.assistant.knowledge.variants_removed(&change.removed);
        self.assistant
            .knowledge
            .entries_changed(&self.db, &[id], true)?;
        self.faq_get(id)
    }

    pub fn faq_delete(&self, id: i64) -> Result<()> {
        let removed = self.db.write(|tx| faq::delete(tx, id))?;
        self.assistant.knowledge.variants_removed(&removed);
        self.assistant
            .knowledge
            .entries_changed(&self.db, &[id], false)?;
        self.assistant.memory.forget_faq(id)?;
        Ok(())
    }

    pub fn faq_get(&self, id: i64) -> Result<FaqEntry> {
        self.db.read(|c| faq::get(c, id))
    }

    pub fn faq_list(&self, filter: &FaqFilter) -> Result<FaqPage> {
        self.db.read(|c| faq::list(c, filter))
    }

    /// Imports entries in one transaction; their embeddings follow in the background (see
    /// `assistant_status` for progress), full-text search has them at once.
    pub fn faq_import(&self, input: FaqImport) -> Result<FaqImportReport> {
        let imported = self.db.write(|tx| {
            let imported = faq_io::import(tx, input)?;
            for entry in faq::get_many(tx, &imported.entry_ids)? {
                if let Some(product) = self.leaked_in(tx, &entry)? {
                    return Err(Error::invalid(format!(
                        "an answer in the import contains a stock item of {product}; nothing was imported"
                    )));
                }
            }
            Ok(imported)
        })?;
        self.assistant
            .knowledge
            .entries_changed(&self.db, &imported.entry_ids, false)?;
        Ok(imported.report)
    }

    pub fn faq_export_csv(&self) -> Result<String> {
        self.db.read(faq_io::export_csv)
    }

    pub fn faq_export_json(&self) -> Result<Vec<FaqEntry>> {
        self.db.read(faq_io::all_entries)
    }

    /// The tester: what the assistant would find and decide for a question, without recording it.
    pub fn assistant_search(&self, text: &str, product_id: Option<i64>) -> Result<SearchView> {
        let text = crate::fields::text("text", text, conv::MAX_MESSAGE, true)?;
        self.db.read(|c| {
            if let Some(p) = product_id {
                crate::catalog::get_product(c, p)?;
            }
            let found = self.assistant.knowledge.search(c, &text, product_id)?;
            let evidence = Evidence::of(&found.hits);
            let confidence = if found.hits.is_empty() {
                0.0
            } else {
                policy::confidence(&evidence)
            };
            let eff = settings::effective(c, product_id, None)?;
            let language = super::lang::of_buyer(&text);
            let top: Vec<_> = found.hits.iter().take(10).cloned().collect();
            let entries = faq::get_many(c, &top.iter().map(|h| h.faq_id).collect::<Vec<_>>())?;
            let hits = top
                .iter()
                .zip(entries)
                .map(|(h, e)| SearchHit {
                    faq_id: h.faq_id,
                    answer: e.answer_in(eff.reply_language(language)).to_string(),
                    question: e.question,
                    product_id: e.product_id,
                    score: h.score,
                    cosine: h.cosine,
                    fulltext_rank: h.fulltext_rank.map(|r| r as u64),
                })
                .collect();
            Ok(SearchView {
                hits,
                confidence,
                threshold: eff.threshold,
                would_answer: !found.hits.is_empty()
                    && confidence >= eff.threshold
                    && !found.incomplete,
                evidence: evidence.into(),
                mode: found.mode,
                micros: found.micros,
                language: language.to_string(),
            })
        })
    }

    // ---- messages and replies ----

    /// Records a buyer's message and decides; see `Assistant::receive`.
    pub fn receive_message(&self, input: MessageInput) -> Result<Received> {
        // The buyer's latest orders belong in the model's context even in the middle of a
        // burst, when the background worker lets the graph wait. A graph that cannot catch up
        // only makes the context thinner: the message itself must still be recorded.
        if let Err(e) = self.graph_catch_up(GRAPH_STEP) {
            tracing::warn!("memory graph could not catch up before a message: {e}");
        }
        let received = self
            .db
            .write(|tx| self.assistant.receive(tx, &self.vault, input))?;
        if let Received::Done(outcome) = &received {
            if !outcome.duplicate {
                self.message_event(outcome);
            }
        }
        Ok(received)
    }

    fn message_event(&self, outcome: &MessageOutcome) {
        self.events.send(Event::Message {
            conversation_id: outcome.conversation,
            message_id: outcome.message_id,
            reply_status: outcome
                .reply
                .status
                .clone()
                .unwrap_or_else(|| "none".into()),
        });
    }

    fn reply_event(&self, reply: &Reply) {
        self.events.send(Event::Message {
            conversation_id: reply.conversation,
            message_id: reply.message_id.unwrap_or(0),
            reply_status: reply.status.clone(),
        });
    }

    /// Finishes a message whose draft the model was asked for.
    pub fn finish_draft(
        &self,
        job: DraftJob,
        result: std::result::Result<String, LlmError>,
    ) -> Result<MessageOutcome> {
        let outcome = self
            .db
            .write(|tx| self.assistant.finish_draft(tx, &self.vault, job, result))?;
        self.message_event(&outcome);
        Ok(outcome)
    }

    /// Pending replies for the extension (leased; offered again after the offer timeout), or
    /// drafts for the seller with `status=draft`.
    pub fn fetch_replies(&self, filter: &ReplyFilter) -> Result<Vec<Reply>> {
        match filter.status.as_deref().unwrap_or("pending") {
            "pending" => {
                let timeout = self.config.delivery.offer_timeout_secs as i64 * 1000;
                self.db.write(|tx| conv::lease_pending(tx, filter, timeout))
            }
            "draft" => self.db.read(|c| conv::list_drafts(c, filter)),
            other => Err(Error::invalid(format!(
                "status {other:?} cannot be fetched: use pending or draft"
            ))),
        }
    }

    pub fn confirm_reply(&self, id: i64) -> Result<Reply> {
        let reply = self.db.write(|tx| conv::confirm(tx, id))?;
        self.reply_event(&reply);
        Ok(reply)
    }

    pub fn approve_reply(&self, id: i64, text: Option<&str>) -> Result<Reply> {
        let reply = self.db.write(|tx| conv::approve(tx, id, text))?;
        if let (Some(m), Some(f)) = (reply.message_id, reply.faq_id) {
            if reply.source == "faq" {
                self.db.write(|tx| faq::record_hit(tx, f))?;
                self.assistant.memory.record_answer(m, f)?;
            }
        }
        self.reply_event(&reply);
        Ok(reply)
    }

    pub fn discard_reply(&self, id: i64) -> Result<Reply> {
        let reply = self.db.write(|tx| conv::discard(tx, id))?;
        self.reply_event(&reply);
        Ok(reply)
    }

    pub fn seller_reply(&self, conversation: i64, text: &str) -> Result<Reply> {
        let reply = self
            .db
            .write(|tx| conv::seller_reply(tx, conversation, text))?;
        self.reply_event(&reply);
        Ok(reply)
    }

    pub fn list_conversations(&self, filter: &ConversationFilter) -> Result<ConversationPage> {
        self.db.read(|c| conv::list_conversations(c, filter))
    }

    pub fn conversation(&self, id: i64) -> Result<ConversationDetail> {
        self.db.read(|c| conv::conversation_detail(c, id))
    }

    // ---- settings ----

    pub fn ai_settings(&self, level: Level, key: &str) -> Result<AiSettings> {
        self.db.read(|c| settings::get(c, level, key))
    }

    pub fn put_ai_settings(&self, level: Level, key: &str, s: &AiSettings) -> Result<AiSettings> {
        self.db.write(|tx| settings::put(tx, level, key, s))
    }

    pub fn effective_settings(
        &self,
        product: Option<i64>,
        customer: Option<&str>,
    ) -> Result<Effective> {
        self.db.read(|c| settings::effective(c, product, customer))
    }

    pub fn llm_endpoint(&self) -> Result<LlmView> {
        self.db.read(|c| {
            let (e, key) = settings::get_endpoint(c)?;
            Ok(LlmView {
                configured: !e.base_url.is_empty(),
                base_url: e.base_url,
                model: e.model,
                timeout_secs: if e.timeout_secs == 0 {
                    20
                } else {
                    e.timeout_secs
                },
                api_key_set: key.is_some(),
            })
        })
    }

    /// Sets the model endpoint. `api_key`: None keeps the stored key, Some("") removes it.
    pub fn put_llm_endpoint(&self, e: &LlmEndpoint, api_key: Option<&str>) -> Result<LlmView> {
        let e = settings::check_endpoint(e)?;
        let sealed = api_key.map(|k| {
            let k = k.trim();
            (!k.is_empty()).then(|| self.vault.seal(k))
        });
        if let Some(Some(_)) = &sealed {
            if api_key.is_some_and(|k| k.len() > 500 || k.chars().any(char::is_control)) {
                return Err(Error::invalid("api_key is not a valid key"));
            }
        }
        self.db.write(|tx| settings::put_endpoint(tx, &e, sealed))?;
        self.assistant.reset_llm();
        self.llm_endpoint()
    }

    // ---- status, model, maintenance ----

    pub fn assistant_status(&self) -> Result<AssistantStatus> {
        Ok(AssistantStatus {
            search: self.assistant.knowledge.status(),
            graph: graph_view(self.assistant.memory.stats()?),
            llm: self.llm_endpoint()?,
            models: super::embed::MODEL_CHOICES
                .iter()
                .map(|(n, a)| ModelChoice {
                    name: n.to_string(),
                    about: a.to_string(),
                })
                .collect(),
        })
    }

    /// Switches the embedding model (kept across restarts); variants are re-embedded in the
    /// background with progress in `assistant_status`.
    pub fn set_embedding_model(&self, model: &str) -> Result<AssistantStatus> {
        self.assistant.knowledge.switch_model(&self.db, model)?;
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('embedding_model', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [model.as_bytes()],
            )?;
            Ok(())
        })?;
        self.assistant_status()
    }

    /// Rebuilds the vector index and the memory graph from SQLite.
    pub fn rebuild_assistant(&self) -> Result<AssistantStatus> {
        self.assistant.knowledge.rebuild(&self.db)?;
        self.db
            .read(|c| Ok(self.assistant.memory.rebuild_from(c)?))?;
        let max: i64 = self.db.read(|c| {
            Ok(c.query_row("SELECT IFNULL(MAX(id), 0) FROM orders", [], |r| r.get(0))?)
        })?;
        self.assistant.graph_watermark.store(max, Ordering::Relaxed);
        self.db.write(|tx| set_watermark(tx, max))?;
        self.assistant_status()
    }

    pub fn insights(&self) -> Result<Insights> {
        let (enabled, products): (Vec<i64>, Vec<i64>) = self.db.read(|c| {
            let enabled = c
                .prepare("SELECT id FROM faq_entries WHERE enabled = 1 ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            let products = c
                .prepare("SELECT id FROM products ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            Ok((enabled, products))
        })?;
        let mut product_questions = Vec::new();
        for p in products {
            let n = self.assistant.memory.product_questions(p, 10_000)?.len();
            if n > 0 {
                product_questions.push((p, n));
            }
        }
        product_questions.sort_by_key(|p| std::cmp::Reverse(p.1));
        Ok(Insights {
            faq_never_matched: self.assistant.memory.faq_never_matched(&enabled)?,
            product_questions,
        })
    }

    /// One step of background work: embed pending variants, bring new orders into the graph.
    /// Returns true when more work is waiting.
    pub fn assistant_step(&self) -> Result<bool> {
        let embedded = self.assistant.knowledge.index_step(&self.db)?;
        if embedded == 0 {
            self.assistant.knowledge.model.release_if_idle();
        }
        if embedded > 0 {
            let st = self.assistant.knowledge.status();
            self.events.send(Event::Faq {
                indexed: st.indexed as usize,
                variants: st.variants as usize,
            });
        }
        let orders = if self.graph_may_catch_up() {
            self.graph_catch_up(GRAPH_STEP)?
        } else {
            0
        };
        Ok(embedded > 0 || orders == GRAPH_STEP)
    }

    /// Whether the background worker may record orders in the graph now. During a burst of
    /// orders (a flash sale) it waits for a quiet second, at most 10 s: on two cores it would
    /// take an eighth of the CPU from intake and delivery, and the graph only feeds the
    /// model's drafts, which catch up for their own buyer anyway (`receive_message`).
    fn graph_may_catch_up(&self) -> bool {
        let now = crate::store::now_ms();
        let a = &self.assistant;
        now - a.orders_seen_at.load(Ordering::Relaxed) >= GRAPH_QUIET_MS
            || now - a.graph_caught_up_at.load(Ordering::Relaxed) >= GRAPH_MAX_WAIT_MS
    }

    /// Records orders newer than the graph's watermark (idempotent, so a replay after a crash
    /// is harmless). Order intake stays free of graph work this way.
    fn graph_catch_up(&self, limit: usize) -> Result<usize> {
        let from = self
            .assistant
            .graph_watermark
            .load(Ordering::Relaxed)
            .max(0);
        type OrderRow = (i64, String, String, String, Option<i64>, Option<String>);
        let rows: Vec<OrderRow> = self.db.read(|c| {
            Ok(c.prepare_cached(
                "SELECT o.id, o.shop, o.order_sn, o.buyer_username, o.buyer_user_id,
                        (SELECT group_concat(DISTINCT l.product_id) FROM order_lines l WHERE l.order_id = o.id)
                 FROM orders o WHERE o.id > ?1 ORDER BY o.id LIMIT ?2",
            )?
            .query_map(rusqlite::params![from, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })?
            .collect::<rusqlite::Result<_>>()?)
        })?;
        let Some(last) = rows.last().map(|r| r.0) else {
            return Ok(0);
        };
        for (_, shop, sn, username, user_id, products) in &rows {
            let products: Vec<i64> = products
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter_map(|p| p.parse().ok())
                .collect();
            let buyer = crate::memory::Buyer {
                shop,
                username,
                user_id: *user_id,
            };
            self.assistant.memory.record_order(&buyer, sn, &products)?;
        }
        // fetch_max: a message's catch-up may run beside the worker's.
        self.assistant
            .graph_watermark
            .fetch_max(last, Ordering::Relaxed);
        self.assistant
            .graph_caught_up_at
            .store(crate::store::now_ms(), Ordering::Relaxed);
        Ok(rows.len())
    }

    /// Saves the vector index and the memory graph if they changed.
    pub fn assistant_flush(&self) -> Result<()> {
        self.assistant.knowledge.save_if_dirty()?;
        if self.assistant.memory.sync()? {
            let wm = self.assistant.graph_watermark.load(Ordering::Relaxed);
            if wm >= 0 {
                self.db.write(|tx| set_watermark(tx, wm))?;
            }
        }
        Ok(())
    }
}
