//! The Open Platform road's side of the outbox (deliveries and replies). Exactly once across
//! both roads rests on three rules:
//! - a claim is one UPDATE that succeeds only on a row no road holds (not sent, no intent, no
//!   live extension lease), so a delivery leased to the extension is never also sent here,
//!   and the extension's lease skips rows this road claimed;
//! - the claim records the intent to send (`sending_at`) and is committed before the call, so
//!   a crash between the call and its confirmation leaves a row that no road sends again
//!   until it is reconciled against the chat itself;
//! - a refusal by Shopee cancels the delivery and puts the order before the seller; nothing
//!   refused is retried into a duplicate.

use crate::assistant::reply_parts;
use crate::delivery::parts;
use crate::orders::{record_event, transition, Machine, Note, Status};
use crate::secrets::Vault;
use crate::store::now_ms;
use crate::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// What the road sends: a delivery or a reply, to a buyer of a shop.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub buyer_user_id: i64,
    /// The whole text (a delivery's message, a reply's text).
    pub text: String,
    /// What is posted, one chat message each, in order.
    pub parts: Vec<String>,
    /// How many parts Shopee took already: a delivery or reply cut short resumes after them.
    pub parts_sent: usize,
    /// When the intent to send the next part was recorded (ms).
    pub sending_at: i64,
    /// When AUTO made it (ms): none of its parts is in the chat before.
    pub created_at: i64,
    /// The extension had it before: its tab may have typed some parts before it closed.
    pub after_extension: bool,
}

impl Claimed {
    fn new(id: i64, buyer_user_id: i64, text: String, parts: Vec<String>, sent: i64) -> Self {
        Claimed {
            id,
            buyer_user_id,
            text,
            parts,
            parts_sent: usize::try_from(sent).unwrap_or(0),
            sending_at: 0,
            created_at: 0,
            after_extension: false,
        }
    }

    fn at(mut self, sending_at: i64, created_at: i64) -> Self {
        self.sending_at = sending_at;
        self.created_at = created_at;
        self
    }
}

/// Which outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Delivery,
    Reply,
}

/// Claims the oldest pending delivery of `shop` for the buyer's chat, recording the intent.
pub fn claim_delivery(
    conn: &Connection,
    vault: &Vault,
    shop: &str,
    timeout_ms: i64,
) -> Result<Option<Claimed>> {
    let now = now_ms();
    type Row = (i64, i64, Vec<u8>, Option<Vec<u8>>, i64, i64, Option<String>);
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT d.id, o.buyer_user_id, d.message, d.parts, d.parts_sent, d.created_at, d.road
             FROM deliveries d JOIN orders o ON o.id = d.order_id
             WHERE d.status = 'pending' AND d.sending_at IS NULL
               AND (d.offered_at IS NULL OR d.offered_at <= ?2)
               AND o.shop = ?1 AND o.buyer_user_id IS NOT NULL
             ORDER BY d.id LIMIT 1",
        )?
        .query_row(params![shop, now - timeout_ms], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()?;
    let Some((id, buyer, sealed, sealed_parts, sent, created_at, road)) = row else {
        return Ok(None);
    };
    conn.prepare_cached(
        "UPDATE deliveries SET sending_at = ?2, offered_at = ?2, attempts = attempts + 1,
                road = 'open_platform'
         WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    let text = vault.open(&sealed)?;
    let parts = parts::open(vault, &text, sealed_parts.as_deref())?;
    let mut claim = Claimed::new(id, buyer, text, parts, sent).at(now, created_at);
    claim.after_extension = road.as_deref() == Some("extension");
    Ok(Some(claim))
}

/// Claims the oldest pending reply in a conversation of `shop`.
pub fn claim_reply(conn: &Connection, shop: &str, timeout_ms: i64) -> Result<Option<Claimed>> {
    let now = now_ms();
    type Row = (i64, i64, String, i64, Option<String>, Option<String>, i64);
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT r.id, c.buyer_user_id, r.text, r.created_at, r.road, r.parts, r.parts_sent
             FROM replies r JOIN conversations c ON c.id = r.conversation_id
             WHERE r.status = 'pending' AND r.sending_at IS NULL
               AND (r.offered_at IS NULL OR r.offered_at <= ?2)
               AND c.shop = ?1 AND c.buyer_user_id IS NOT NULL
             ORDER BY r.id LIMIT 1",
        )?
        .query_row(params![shop, now - timeout_ms], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()?;
    let Some((id, buyer, text, created_at, road, stored, sent)) = row else {
        return Ok(None);
    };
    // Parts stored when a road first took the reply stay as they are; else it is cut now and
    // the cut is stored with the intent, before any part goes (see assistant::reply_parts).
    let parts = reply_parts::of(&text, stored.as_deref(), parts::chat_limit(conn)?)?;
    conn.prepare_cached(
        "UPDATE replies SET sending_at = ?2, offered_at = ?2, attempts = attempts + 1,
                road = 'open_platform', parts = IFNULL(parts, ?3)
         WHERE id = ?1",
    )?
    .execute(params![id, now, reply_parts::column(&parts)])?;
    let mut claim = Claimed::new(id, buyer, text, parts, sent).at(now, created_at);
    claim.after_extension = road.as_deref() == Some("extension");
    Ok(Some(claim))
}

/// Shopee took the message (a delivery's last part): keep its id, then confirm as the
/// extension would (events and all). Should AUTO stop between the two, the claim is still open
/// and the next sync finds the message in the chat and confirms it then.
pub fn sent(
    engine: &crate::Engine,
    kind: Kind,
    id: i64,
    message_id: &str,
    parts: usize,
) -> Result<()> {
    engine.db.write(|c| {
        match kind {
            Kind::Delivery => c
                .prepare_cached(
                    "UPDATE deliveries SET message_id = COALESCE(NULLIF(?2, ''), message_id), parts_sent = ?3 WHERE id = ?1",
                )?
                .execute(params![id, message_id, parts as i64])?,
            Kind::Reply => c
                .prepare_cached(
                    "UPDATE replies SET chat_message_id = COALESCE(NULLIF(?2, ''), chat_message_id), parts_sent = ?3 WHERE id = ?1",
                )?
                .execute(params![id, message_id, parts as i64])?,
        };
        Ok(())
    })?;
    match kind {
        Kind::Delivery => engine.confirm_delivery(id, "open_platform").map(|_| ()),
        // A reply the seller discarded while it was on its way was sent all the same; there
        // is nothing left to confirm.
        Kind::Reply => match engine.confirm_reply(id) {
            Ok(_) | Err(crate::Error::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        },
    }
}

/// Shopee took a delivery's or reply's parts up to `sent`; the intent for the next is recorded
/// afresh, so a crash from here resumes after them (and no other process settles a send in
/// progress).
pub fn part_sent(conn: &Connection, kind: Kind, id: i64, sent: usize) -> Result<()> {
    let sql = match kind {
        Kind::Delivery => "UPDATE deliveries SET parts_sent = ?2, sending_at = ?3 WHERE id = ?1 AND status = 'pending'",
        Kind::Reply => "UPDATE replies SET parts_sent = ?2, sending_at = ?3 WHERE id = ?1 AND status = 'pending'",
    };
    conn.prepare_cached(sql)?
        .execute(params![id, sent as i64, now_ms()])?;
    Ok(())
}

/// The chat shows a delivery's or reply's parts up to `sent` but not the rest: recorded, and
/// free for either road to go on with (the extension reads its progress from the chat).
pub fn resume_later(conn: &Connection, kind: Kind, id: i64, sent: usize) -> Result<()> {
    let sql = match kind {
        Kind::Delivery => "UPDATE deliveries SET parts_sent = max(parts_sent, ?2) WHERE id = ?1 AND status = 'pending'",
        Kind::Reply => "UPDATE replies SET parts_sent = max(parts_sent, ?2) WHERE id = ?1 AND status = 'pending'",
    };
    conn.prepare_cached(sql)?
        .execute(params![id, sent as i64])?;
    release(conn, kind, id)
}

/// The call surely did not send (Shopee answered "busy"): either road may take it again.
pub fn release(conn: &Connection, kind: Kind, id: i64) -> Result<()> {
    let sql = match kind {
        Kind::Delivery => "UPDATE deliveries SET sending_at = NULL, offered_at = NULL WHERE id = ?1 AND status = 'pending'",
        Kind::Reply => "UPDATE replies SET sending_at = NULL, offered_at = NULL WHERE id = ?1 AND status = 'pending'",
    };
    conn.prepare_cached(sql)?.execute([id])?;
    Ok(())
}

/// Shopee refused the message for a reason a retry will not change: the delivery is
/// cancelled (its items stay the order's) and the order waits for the seller with the reason.
/// Returns the order, for its event.
pub fn refused(conn: &Connection, kind: Kind, id: i64, note: &Note) -> Result<Option<i64>> {
    match kind {
        Kind::Delivery => {
            conn.prepare_cached(
                "UPDATE deliveries SET status = 'cancelled', sending_at = NULL WHERE id = ?1 AND status = 'pending'",
            )?
            .execute([id])?;
            let (order_id, status): (i64, String) = conn
                .prepare_cached(
                    "SELECT o.id, o.status FROM orders o JOIN deliveries d ON d.order_id = o.id WHERE d.id = ?1",
                )?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let status = Status::parse(&status).unwrap_or(Status::NeedsAttention);
            if status.can_move_to(Status::NeedsAttention) {
                transition(
                    conn,
                    order_id,
                    status,
                    Status::NeedsAttention,
                    "open_platform",
                    note,
                )?;
            } else {
                record_event(conn, order_id, Some(status), status, "open_platform", note)?;
            }
            Ok(Some(order_id))
        }
        Kind::Reply => {
            // A reply Shopee will not carry goes back to the seller as a draft. Its parts and
            // how many went stay: approved as it was, it goes on after them
            // (assistant::reply_parts::reapproved).
            conn.prepare_cached(
                "UPDATE replies SET status = 'draft', sending_at = NULL, offered_at = NULL WHERE id = ?1 AND status = 'pending'",
            )?
            .execute([id])?;
            Ok(None)
        }
    }
}

/// Sends this process or an earlier one began and never settled, oldest first.
pub fn unsettled(
    conn: &Connection,
    vault: &Vault,
    kind: Kind,
    shop: &str,
    older_than: i64,
) -> Result<Vec<Claimed>> {
    let sql = match kind {
        Kind::Delivery => {
            "SELECT d.id, o.buyer_user_id, d.message, d.sending_at, d.created_at, d.parts, d.parts_sent
             FROM deliveries d JOIN orders o ON o.id = d.order_id
             WHERE d.status = 'pending' AND d.sending_at IS NOT NULL AND d.sending_at <= ?2 AND o.shop = ?1
             ORDER BY d.id"
        }
        Kind::Reply => {
            "SELECT r.id, c.buyer_user_id, CAST(r.text AS BLOB), r.sending_at, r.created_at, CAST(r.parts AS BLOB), r.parts_sent
             FROM replies r JOIN conversations c ON c.id = r.conversation_id
             WHERE r.status = 'pending' AND r.sending_at IS NOT NULL AND r.sending_at <= ?2 AND c.shop = ?1
             ORDER BY r.id"
        }
    };
    type Row = (i64, i64, Vec<u8>, i64, i64, Option<Vec<u8>>, i64);
    let rows: Vec<Row> = conn
        .prepare_cached(sql)?
        .query_map(params![shop, older_than], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(id, buyer, bytes, sending, created, sealed, sent)| {
            let (text, parts) = match kind {
                Kind::Delivery => {
                    let text = vault.open(&bytes)?;
                    let parts = parts::open(vault, &text, sealed.as_deref())?;
                    (text, parts)
                }
                Kind::Reply => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    // A claim has its parts stored; one without was claimed by an AUTO before
                    // parts, which sent the text whole.
                    let stored = sealed.map(|b| String::from_utf8_lossy(&b).into_owned());
                    let parts = match stored {
                        Some(json) => reply_parts::of(&text, Some(&json), 0)?,
                        None => vec![text.clone()],
                    };
                    (text, parts)
                }
            };
            Ok(Claimed::new(id, buyer, text, parts, sent).at(sending, created))
        })
        .collect()
}

/// The seller retries a delivery Shopee's chat refused: the same message (same items, nothing
/// new allocated) goes to the outbox again and the order to delivering.
pub fn retry_refused(conn: &Connection, vault: &Vault, order_id: i64, actor: &str) -> Result<bool> {
    type Last = (i64, Vec<u8>, Option<Vec<u8>>, i64);
    let last: Option<Last> = conn
        .prepare_cached(
            "SELECT id, message, parts, parts_sent FROM deliveries
             WHERE order_id = ?1 AND status = 'cancelled' ORDER BY id DESC LIMIT 1",
        )?
        .query_row([order_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((last_id, message, mut sealed_parts, sent)) = last else {
        return Ok(false);
    };
    // Refused as too long, the seller lowers the chat limit and retries: the parts not sent
    // yet are cut again under the limit now set, keeping whole the items the order holds.
    let limit = parts::chat_limit(conn)?;
    let text = vault.open(&message)?;
    let old = parts::open(vault, &text, sealed_parts.as_deref())?;
    if old.iter().any(|p| parts::chat_len(p) > limit) {
        let whole = crate::delivery::current_items(conn, vault, order_id)?;
        let sent_before = usize::try_from(sent).unwrap_or(0).min(old.len());
        let (had, rest) = old.split_at(sent_before);
        let mut again = had.to_vec();
        again.extend(parts::recut(&whole, rest, limit));
        sealed_parts = parts::seal(vault, &text, &again);
    }
    // Its parts too, and how far it got: the parts the buyer already has are not sent again.
    conn.prepare_cached(
        "INSERT INTO deliveries (order_id, message, parts, parts_sent, status, created_at, resend_of)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6)",
    )?
    .execute(params![order_id, message, sealed_parts, sent, now_ms(), last_id])?;
    transition(
        conn,
        order_id,
        Status::NeedsAttention,
        Status::Delivering,
        actor,
        &Note::RefusedDeliveryRequeued,
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Kind as ProductKind, NewProduct, StockInput};
    use crate::config::{Config, KeyStore};
    use crate::delivery::DeliveryFilter;
    use crate::engine::DeliverMode;
    use crate::orders::{Buyer, LineInput, OrderInput};
    use crate::Engine;

    fn engine(dir: &std::path::Path) -> Engine {
        let mut config = Config::default();
        config.secrets.key_store = KeyStore::File;
        let e = Engine::open(dir, config, false).unwrap();
        let p = e
            .create_product(NewProduct {
                name: "Steam 60K".into(),
                sku: "STEAM-60K".into(),
                kind: ProductKind::LicenseKey,
                price: 60000.0,
                currency: "IDR".into(),
                template: None,
                content: None,
                instructions: None,
                language: Some("id".into()),
                active: None,
                low_stock_threshold: None,
                mappings: None,
            })
            .unwrap();
        let keys: String = (0..10).map(|i| format!("STM-{i:04}-ABCD-EFGH\n")).collect();
        e.import_stock(p.id, StockInput::Text(keys)).unwrap();
        e
    }

    fn paid(e: &Engine, sn: &str) {
        let order = OrderInput {
            shop: "123456".into(),
            order_sn: sn.into(),
            status: "READY_TO_SHIP".into(),
            buyer: Buyer {
                username: "budi_88".into(),
                user_id: Some(880011),
            },
            lines: vec![LineInput {
                sku: Some("STEAM-60K".into()),
                item_id: None,
                model_id: None,
                quantity: 1,
                unit_price: 60000.0,
            }],
            total: Some(60000.0),
            currency: "IDR".into(),
            created_at: None,
            paid_at: None,
            shopee_updated_at: None,
            seen_at: None,
            historic: false,
        };
        let (orders, rejected) = e.intake(vec![order], "open_platform").unwrap();
        assert!(rejected.is_empty());
        assert_eq!(orders[0].status, Status::Delivering);
    }

    fn stock_left(e: &Engine) -> i64 {
        e.stock_counts(1).unwrap().available
    }

    #[test]
    fn a_delivery_leased_by_one_road_is_never_taken_by_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(dir.path());
        paid(&e, "A1");
        paid(&e, "A2");
        // The extension holds A1; the API road gets A2 only, and then nothing.
        let leased = e
            .fetch_deliveries(&DeliveryFilter {
                order_sn: Some("A1".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(leased.len(), 1);
        let claim =
            e.db.write(|c| claim_delivery(c, &e.vault, "123456", 120_000))
                .unwrap()
                .expect("A2 is free");
        assert_ne!(claim.id, leased[0].id);
        assert_eq!(claim.buyer_user_id, 880011);
        assert!(
            claim.text.contains("STM-"),
            "the claim carries the opened text"
        );
        assert!(e
            .db
            .write(|c| claim_delivery(c, &e.vault, "123456", 120_000))
            .unwrap()
            .is_none());
        // Even with every lease timed out, the extension is never handed a claimed delivery,
        // and the API road never takes back the one the extension had.
        let all = e
            .db
            .write(|c| crate::delivery::lease_pending(c, &e.vault, &DeliveryFilter::default(), 0))
            .unwrap();
        assert_eq!(
            all.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![leased[0].id]
        );
        // Released (Shopee said busy): either road may take it again.
        e.db.write(|c| release(c, Kind::Delivery, claim.id))
            .unwrap();
        let again = e.fetch_deliveries(&DeliveryFilter::default()).unwrap();
        assert_eq!(
            again.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![claim.id]
        );
    }

    #[test]
    fn a_sent_claim_is_confirmed_with_shopees_message_id() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(dir.path());
        paid(&e, "B1");
        let claim =
            e.db.write(|c| claim_delivery(c, &e.vault, "123456", 120_000))
                .unwrap()
                .unwrap();
        let unsettled_now = |e: &Engine| {
            e.db.read(|c| unsettled(c, &e.vault, Kind::Delivery, "123456", i64::MAX))
                .unwrap()
        };
        assert_eq!(
            unsettled_now(&e).len(),
            1,
            "an unanswered claim waits to be settled"
        );
        assert_eq!(unsettled_now(&e)[0].text, claim.text);
        sent(&e, Kind::Delivery, claim.id, "2345678901234567890", 1).unwrap();
        assert!(unsettled_now(&e).is_empty());
        let detail = e.order_detail(1, false).unwrap();
        assert_eq!(detail.order.status, Status::Delivered);
        assert_eq!(detail.road, "open_platform");
        let d = &detail.deliveries[0];
        assert_eq!(d.road.as_deref(), Some("open_platform"));
        assert_eq!(d.message_id.as_deref(), Some("2345678901234567890"));
    }

    #[test]
    fn a_refused_delivery_waits_for_the_seller_and_goes_again_without_new_stock() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(dir.path());
        paid(&e, "C1");
        let left = stock_left(&e);
        let claim =
            e.db.write(|c| claim_delivery(c, &e.vault, "123456", 120_000))
                .unwrap()
                .unwrap();
        let why = Note::ChatRefused {
            refusal: "user_is_forbidden".into(),
            said: String::new(),
        };
        e.db.write(|c| refused(c, Kind::Delivery, claim.id, &why))
            .unwrap();
        let o = e.order_detail(1, false).unwrap();
        assert_eq!(o.order.status, Status::NeedsAttention);
        assert_eq!(o.order.attention_reason.as_deref(), Some("chat_refused"));
        assert!(o
            .order
            .attention_detail
            .unwrap()
            .contains("does not allow messages"));
        // Nothing is offered again by itself.
        assert!(e
            .fetch_deliveries(&DeliveryFilter::default())
            .unwrap()
            .is_empty());
        // The seller retries: the same message, no new item taken.
        e.deliver(1, DeliverMode::Retry, "", "admin").unwrap();
        assert_eq!(stock_left(&e), left);
        let again = e.fetch_deliveries(&DeliveryFilter::default()).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].message, claim.text);
        assert_eq!(
            e.order_detail(1, false).unwrap().order.status,
            Status::Delivering
        );
    }

    #[test]
    fn history_pulled_from_shopee_is_recorded_and_never_delivered() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(dir.path());
        let left = stock_left(&e);
        for (sn, status) in [("H1", "COMPLETED"), ("H2", "SHIPPED")] {
            let order = OrderInput {
                shop: "123456".into(),
                order_sn: sn.into(),
                status: status.into(),
                buyer: Buyer::default(),
                lines: vec![LineInput {
                    sku: Some("STEAM-60K".into()),
                    item_id: None,
                    model_id: None,
                    quantity: 1,
                    unit_price: 60000.0,
                }],
                total: None,
                currency: "IDR".into(),
                created_at: None,
                paid_at: None,
                shopee_updated_at: None,
                seen_at: None,
                historic: true,
            };
            let (orders, _) = e.intake(vec![order], "open_platform").unwrap();
            assert_eq!(orders[0].status, Status::Delivered, "{status}");
        }
        assert_eq!(stock_left(&e), left);
        assert!(e
            .fetch_deliveries(&DeliveryFilter::default())
            .unwrap()
            .is_empty());
    }
}
