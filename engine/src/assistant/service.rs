//! What happens to a buyer's message: find the conversation and product, search the FAQ,
//! decide (answer / draft with the model / wait for the seller), record it all. The model call
//! itself is async and runs between `receive` and `finish_draft`, outside any transaction.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::conversations::{self as conv, Decision, Reply};
use super::faq::{self, Answers as _};
use super::guard;
use super::knowledge::Knowledge;
use super::lang;
use super::llm::{
    self, ChatMessage, FaqSnippet, LlmClient, LlmConfig, ProductBrief, PromptContext, Role,
};
use super::policy::{self, Evidence};
use super::retrieve::EntryHit;
use super::settings::{self, Effective};
use crate::catalog;
use crate::memory::{self, Memory};
use crate::orders::Buyer;
use crate::secrets::Vault;
use crate::{fields, Error, Result};

/// Below this confidence an FAQ entry is not even offered to the seller as a draft.
const SUGGEST_FLOOR: f32 = 0.3;

/// A buyer's message, as the extension (or the UI's chat tester) reports it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    pub shop: String,
    /// Shopee's conversation id.
    #[serde(deserialize_with = "string_or_number")]
    #[schema(value_type = String)]
    pub conversation_id: String,
    #[serde(default)]
    pub buyer: Buyer,
    pub text: String,
    /// Shopee's message id: the same message reported twice is recorded once.
    #[serde(default, deserialize_with = "opt_string_or_number")]
    #[schema(value_type = Option<String>)]
    pub message_id: Option<String>,
    pub order_sn: Option<String>,
    pub item_id: Option<i64>,
    /// The product, when the caller knows it (the UI's tester).
    pub product_id: Option<i64>,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        _ => Err(serde::de::Error::custom("expected a string or a number")),
    }
}

fn opt_string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(serde::de::Error::custom("expected a string or a number")),
    }
}

/// The answer to `POST /messages`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageOutcome {
    /// Our id of the recorded message.
    pub message_id: i64,
    /// Our id of the conversation.
    pub conversation: i64,
    /// True when this message was already recorded (same Shopee message id).
    pub duplicate: bool,
    pub language: String,
    pub reply: ReplyView,
    /// How sure the FAQ search was, and the bar it had to clear.
    pub confidence: f32,
    pub threshold: f32,
    /// What happens next, in words for the seller.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyView {
    /// The reply's id in the outbox or draft queue, when there is one.
    pub id: Option<i64>,
    pub text: String,
    /// faq, llm or none (the question waits for the seller).
    pub source: String,
    pub faq_id: Option<i64>,
    pub score: Option<f32>,
    /// True when the reply goes to the buyer without the seller's approval.
    pub auto_send: bool,
    /// draft, pending, sent, discarded.
    pub status: Option<String>,
}

impl ReplyView {
    fn none() -> ReplyView {
        ReplyView {
            id: None,
            text: String::new(),
            source: "none".into(),
            faq_id: None,
            score: None,
            auto_send: false,
            status: None,
        }
    }

    fn of(r: &Reply) -> ReplyView {
        ReplyView {
            id: Some(r.id),
            text: r.text.clone(),
            source: if r.source == "seller" {
                "none".into()
            } else {
                r.source.clone()
            },
            faq_id: r.faq_id,
            score: r.score,
            auto_send: r.status != "draft",
            status: Some(r.status.clone()),
        }
    }
}

/// A draft the model still has to write, with everything needed to finish the message.
pub struct DraftJob {
    pub client: LlmClient,
    pub prompt: Vec<ChatMessage>,
    outcome: MessageOutcome,
    auto_send: bool,
    /// An FAQ entry to offer as a draft if the model fails.
    fallback: Option<(EntryHit, String)>,
}

/// What `receive` leaves to do.
pub enum Received {
    Done(MessageOutcome),
    NeedsDraft(Box<DraftJob>),
}

/// The assistant's long-lived parts: the searchable FAQ, the memory graph, the model client.
pub struct Assistant {
    pub knowledge: Knowledge,
    pub memory: Memory,
    llm: Mutex<Option<LlmClient>>,
    /// Orders recorded in the graph so far (by order id); saved in `meta` with each graph save.
    pub graph_watermark: std::sync::atomic::AtomicI64,
    /// When orders last came in, and when the graph last caught up with them (ms since the
    /// epoch): the graph waits while orders stream in (see `Engine::assistant_step`).
    pub orders_seen_at: std::sync::atomic::AtomicI64,
    pub graph_caught_up_at: std::sync::atomic::AtomicI64,
}

impl Assistant {
    pub fn new(
        knowledge: Knowledge,
        memory: Memory,
        graph_watermark: std::sync::atomic::AtomicI64,
    ) -> Assistant {
        Assistant {
            knowledge,
            memory,
            llm: Mutex::new(None),
            graph_watermark,
            orders_seen_at: Default::default(),
            graph_caught_up_at: Default::default(),
        }
    }

    /// Forgets the cached model client (the endpoint or key changed).
    pub fn reset_llm(&self) {
        *self.llm.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The model client for the configured endpoint, or None when none is configured.
    pub fn llm_client(&self, conn: &Connection, vault: &Vault) -> Result<Option<LlmClient>> {
        let mut cached = self.llm.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cached.as_ref() {
            return Ok(Some(c.clone()));
        }
        let (endpoint, sealed_key) = settings::get_endpoint(conn)?;
        if endpoint.base_url.is_empty() {
            return Ok(None);
        }
        let api_key = match sealed_key {
            Some(k) => Some(vault.open(&k)?),
            None => None,
        };
        let client = LlmClient::new(LlmConfig {
            base_url: endpoint.base_url,
            model: endpoint.model,
            api_key,
            timeout: Duration::from_secs(endpoint.timeout_secs),
            ..LlmConfig::default()
        })
        .map_err(|e| Error::invalid(e.to_string()))?;
        *cached = Some(client.clone());
        Ok(Some(client))
    }

    /// Records a buyer's message and decides what to do with it. FAQ answers and "wait for the
    /// seller" finish here; a model draft comes back as a job for `finish_draft`.
    pub fn receive(&self, tx: &Connection, vault: &Vault, input: MessageInput) -> Result<Received> {
        let started = Instant::now();
        let shop = fields::one_line("shop", &input.shop, 100, true)?;
        let conversation_id =
            fields::one_line("conversation_id", &input.conversation_id, 100, true)?;
        let text = fields::text("text", &input.text, conv::MAX_MESSAGE, true)?;
        let external = input
            .message_id
            .as_deref()
            .map(|m| fields::one_line("message_id", m, 100, true))
            .transpose()?;
        let order_sn = input
            .order_sn
            .as_deref()
            .map(|s| fields::one_line("order_sn", s, 64, false))
            .transpose()?
            .filter(|s| !s.is_empty());
        let buyer = Buyer {
            username: fields::one_line("buyer.username", &input.buyer.username, 100, false)?,
            user_id: input.buyer.user_id,
        };
        if let Some(p) = input.product_id {
            catalog::get_product(tx, p)?;
        }
        let product = match input.product_id {
            Some(p) => Some(p),
            None => product_of(tx, &shop, input.item_id, order_sn.as_deref())?,
        };
        let conversation = conv::upsert_conversation(
            tx,
            &shop,
            &conversation_id,
            &buyer,
            product,
            order_sn.as_deref(),
        )?;
        let product = product.or(conv::conversation_product(tx, conversation)?);

        let customer = settings::customer_key(&shop, &buyer.username);
        let eff = settings::effective(
            tx,
            product,
            (!buyer.username.is_empty()).then_some(customer.as_str()),
        )?;
        if let Some(ext) = &external {
            if let Some(existing) = conv::find_inbound(tx, conversation, ext)? {
                return Ok(Received::Done(self.replay(
                    tx,
                    existing,
                    conversation,
                    eff.threshold,
                )?));
            }
        }
        let language = lang::of_buyer(&text).to_string();
        let found = self.knowledge.search(tx, &text, product)?;
        let evidence = Evidence::of(&found.hits);
        let confidence = if found.hits.is_empty() {
            0.0
        } else {
            policy::confidence(&evidence)
        };
        let top = found.hits.first().cloned();
        let latency_us = started.elapsed().as_micros() as u64;
        let mut outcome = MessageOutcome {
            message_id: 0,
            conversation,
            duplicate: false,
            language: language.clone(),
            reply: ReplyView::none(),
            confidence,
            threshold: eff.threshold,
            reason: String::new(),
        };
        let memory_buyer = memory::Buyer {
            shop: &shop,
            username: &buyer.username,
            user_id: buyer.user_id,
        };

        // 1. A confident FAQ match: answer it (or queue it for approval when auto-reply is off).
        if let Some(hit) = top
            .as_ref()
            .filter(|_| confidence >= eff.threshold && !found.incomplete)
        {
            let entry = faq::get(tx, hit.faq_id)?;
            let status = if eff.auto_reply { "pending" } else { "draft" };
            let decision = Decision {
                source: "faq",
                faq_id: Some(hit.faq_id),
                score: Some(confidence),
                latency_us,
                state: if eff.auto_reply {
                    "answered"
                } else {
                    "drafted"
                },
                note: String::new(),
            };
            let message = conv::insert_inbound(
                tx,
                conversation,
                external.as_deref(),
                &text,
                &language,
                product,
                &decision,
            )?;
            let reply = conv::insert_reply(
                tx,
                conversation,
                Some(message),
                entry.answer_in(eff.reply_language(&language)),
                "faq",
                Some(hit.faq_id),
                Some(confidence),
                status,
            )?;
            faq::record_hit(tx, hit.faq_id)?;
            self.memory.record_question(
                &memory_buyer,
                &conversation_id,
                message,
                product,
                Some(hit.faq_id),
            )?;
            outcome.message_id = message;
            outcome.reply = ReplyView::of(&reply);
            outcome.reason = if eff.auto_reply {
                "answered from the FAQ".into()
            } else {
                "FAQ answer waits for approval (auto-reply is off)".into()
            };
            return Ok(Received::Done(outcome));
        }

        // 2. Not sure: record the question as waiting, then try the model if allowed.
        // Without a model, full text alone cannot be trusted to answer, but its best match is
        // still worth offering to the seller.
        let fulltext_only = found.mode == super::knowledge::SearchMode::Fulltext;
        let fallback = top
            .filter(|_| confidence >= SUGGEST_FLOOR || fulltext_only)
            .map(|h| {
                faq::get(tx, h.faq_id)
                    .map(|e| (h, e.answer_in(eff.reply_language(&language)).to_string()))
            })
            .transpose()?;
        let client = if eff.llm {
            self.llm_client(tx, vault)?
        } else {
            None
        };
        let waiting = Decision {
            source: "none",
            faq_id: None,
            score: Some(confidence),
            latency_us,
            state: "waiting",
            note: String::new(),
        };
        let message = conv::insert_inbound(
            tx,
            conversation,
            external.as_deref(),
            &text,
            &language,
            product,
            &waiting,
        )?;
        self.memory
            .record_question(&memory_buyer, &conversation_id, message, product, None)?;
        outcome.message_id = message;
        match client {
            Some(client) => {
                let prompt = self.prompt(
                    tx,
                    &eff,
                    &found.hits,
                    product,
                    &memory_buyer,
                    conversation,
                    &text,
                    &language,
                )?;
                Ok(Received::NeedsDraft(Box::new(DraftJob {
                    client,
                    prompt,
                    outcome,
                    auto_send: eff.llm_auto_send,
                    fallback,
                })))
            }
            None => {
                let why = if eff.llm {
                    "no language model is set up"
                } else {
                    "the language model is off here"
                };
                self.settle_without_model(tx, &mut outcome, fallback, why)?;
                Ok(Received::Done(outcome))
            }
        }
    }

    /// Stores what the model wrote (after the guard), or falls back when it failed.
    pub fn finish_draft(
        &self,
        tx: &Connection,
        vault: &Vault,
        job: DraftJob,
        result: std::result::Result<String, llm::LlmError>,
    ) -> Result<MessageOutcome> {
        let mut outcome = job.outcome;
        let message = outcome.message_id;
        let text = match result.and_then(|t| llm::clean_reply(&t)) {
            Ok(text) => match guard::leaked_stock(tx, vault, &text)? {
                None => Ok(text),
                Some(product) => {
                    tracing::warn!(
                        message,
                        "model reply refused: it contained a stock item of {product}"
                    );
                    Err(format!(
                        "the model's reply contained a stock item of {product} and was refused"
                    ))
                }
            },
            Err(e) => {
                tracing::warn!(message, "model draft failed: {e}");
                Err(format!("the language model failed: {e}"))
            }
        };
        match text {
            Ok(text) => {
                let status = if job.auto_send { "pending" } else { "draft" };
                let decision = Decision {
                    source: "llm",
                    faq_id: None,
                    score: Some(outcome.confidence),
                    latency_us: 0,
                    state: if job.auto_send { "answered" } else { "drafted" },
                    note: String::new(),
                };
                conv::set_message_state(tx, message, &decision)?;
                let reply = conv::insert_reply(
                    tx,
                    outcome.conversation,
                    Some(message),
                    &text,
                    "llm",
                    None,
                    Some(outcome.confidence),
                    status,
                )?;
                outcome.reply = ReplyView::of(&reply);
                outcome.reason = if job.auto_send {
                    "answered by the language model".into()
                } else {
                    "the language model's draft waits for approval".into()
                };
            }
            Err(why) => self.settle_without_model(tx, &mut outcome, job.fallback, &why)?,
        }
        Ok(outcome)
    }

    /// No model answer: offer the best FAQ entry as a draft when there is a plausible one,
    /// else leave the question to the seller. Either way the seller decides.
    fn settle_without_model(
        &self,
        tx: &Connection,
        outcome: &mut MessageOutcome,
        fallback: Option<(EntryHit, String)>,
        why: &str,
    ) -> Result<()> {
        let message = outcome.message_id;
        match fallback {
            Some((hit, answer)) => {
                // The suggestion lives on the draft; the message has no answer until approved.
                let decision = Decision {
                    source: "none",
                    faq_id: None,
                    score: Some(outcome.confidence),
                    latency_us: 0,
                    state: "drafted",
                    note: why.to_string(),
                };
                conv::set_message_state(tx, message, &decision)?;
                let reply = conv::insert_reply(
                    tx,
                    outcome.conversation,
                    Some(message),
                    &answer,
                    "faq",
                    Some(hit.faq_id),
                    Some(outcome.confidence),
                    "draft",
                )?;
                outcome.reply = ReplyView::of(&reply);
                outcome.reason = format!(
                    "the FAQ was not sure enough; its best answer waits for approval ({why})"
                );
            }
            None => {
                let decision = Decision {
                    source: "none",
                    faq_id: None,
                    score: Some(outcome.confidence),
                    latency_us: 0,
                    state: "waiting",
                    note: why.to_string(),
                };
                conv::set_message_state(tx, message, &decision)?;
                outcome.reply = ReplyView::none();
                outcome.reason = format!("waits for the seller ({why})");
            }
        }
        Ok(())
    }

    /// The outcome of a message recorded earlier (a repeated report of the same message).
    fn replay(
        &self,
        conn: &Connection,
        message: i64,
        conversation: i64,
        threshold: f32,
    ) -> Result<MessageOutcome> {
        let (language, score, note, state): (String, Option<f32>, String, String) = conn
            .query_row(
                "SELECT language, score, note, state FROM messages WHERE id = ?1",
                [message],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let reply = conv::reply_for_message(conn, message)?;
        Ok(MessageOutcome {
            message_id: message,
            conversation,
            duplicate: true,
            language,
            reply: reply
                .as_ref()
                .map(ReplyView::of)
                .unwrap_or_else(ReplyView::none),
            confidence: score.unwrap_or(0.0),
            threshold,
            reason: if note.is_empty() {
                format!("already recorded ({state})")
            } else {
                format!("already recorded ({state}: {note})")
            },
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn prompt(
        &self,
        conn: &Connection,
        eff: &Effective,
        hits: &[EntryHit],
        product: Option<i64>,
        buyer: &memory::Buyer,
        conversation: i64,
        question: &str,
        language: &str,
    ) -> Result<Vec<ChatMessage>> {
        let reply_language = eff.reply_language(language);
        let entries = faq::get_many(
            conn,
            &hits.iter().take(3).map(|h| h.faq_id).collect::<Vec<_>>(),
        )?;
        let snippets: Vec<FaqSnippet> = entries
            .iter()
            .zip(hits)
            .map(|(e, h)| FaqSnippet {
                question: &e.question,
                answer: e.answer_in(reply_language),
                score: h.score,
            })
            .collect();
        let product_row = product.map(|p| catalog::get_product(conn, p)).transpose()?;
        let price = product_row
            .as_ref()
            .map(|p| format!("{} {}", p.price, p.currency))
            .unwrap_or_default();
        let brief = product_row.as_ref().map(|p| ProductBrief {
            name: &p.name,
            kind: p.kind.as_str(),
            price: &price,
            instructions: &p.instructions,
        });
        let history = self.history_lines(conn, buyer)?;
        let turns = conv::recent_turns(conn, conversation, 7)?;
        // The message itself is the last turn; the prompt adds it as the question.
        let turns: Vec<(Role, &str)> = turns
            .iter()
            .take(turns.len().saturating_sub(1))
            .map(|(d, t)| {
                (
                    if d == "in" {
                        Role::User
                    } else {
                        Role::Assistant
                    },
                    t.as_str(),
                )
            })
            .collect();
        Ok(llm::build_prompt(&PromptContext {
            system_prompt: &eff.system_prompt,
            reply_language,
            store_name: buyer.shop,
            product: brief,
            faq: &snippets,
            history: &history,
            recent_messages: &turns,
            question,
        }))
    }

    /// Short lines about the buyer for the model, from the memory graph.
    fn history_lines(&self, conn: &Connection, buyer: &memory::Buyer) -> Result<Vec<String>> {
        let h = self.memory.buyer_history(buyer)?;
        let mut lines = Vec::new();
        for sn in h.orders.iter().take(5) {
            let row: Option<(String, String)> = conn
                .query_row(
                    "SELECT o.status, IFNULL(group_concat(p.name, ', '), '') FROM orders o
                     LEFT JOIN order_lines l ON l.order_id = o.id LEFT JOIN products p ON p.id = l.product_id
                     WHERE o.shop = ?1 AND o.order_sn = ?2 GROUP BY o.id",
                    rusqlite::params![buyer.shop, sn],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((status, products)) = row {
                lines.push(format!("order {sn}: {products} ({status})"));
            }
        }
        if !h.questions.is_empty() {
            lines.push(format!("asked {} question(s) before", h.questions.len()));
        }
        Ok(lines)
    }
}

/// The product a message is about: the listing it mentions, else the order's first product.
fn product_of(
    conn: &Connection,
    shop: &str,
    item_id: Option<i64>,
    order_sn: Option<&str>,
) -> Result<Option<i64>> {
    if item_id.is_some() {
        if let Some(p) = catalog::resolve_product(conn, shop, item_id, None, "")? {
            return Ok(Some(p.id));
        }
    }
    if let Some(sn) = order_sn {
        let p: Option<i64> = conn
            .query_row(
                "SELECT l.product_id FROM orders o JOIN order_lines l ON l.order_id = o.id
                 WHERE o.shop = ?1 AND o.order_sn = ?2 AND l.product_id IS NOT NULL ORDER BY l.line_no LIMIT 1",
                rusqlite::params![shop, sn],
                |r| r.get(0),
            )
            .optional()?;
        return Ok(p);
    }
    Ok(None)
}
