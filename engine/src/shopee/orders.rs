//! Pulling a shop's orders: `v2.order.get_order_list` by `update_time` windows of at most 15
//! days from a persisted high-water mark (with an overlap at the edge, for changes Shopee
//! lists a moment late), paged with `cursor`/`more`; then `v2.order.get_order_detail` for up
//! to 50 orders a call; then the same intake as the extension's, keyed (shop id, order_sn).
//! Field names as Shopee's documentation gives them (`wjp-letgo/letgo` x/api/shopee/order,
//! `lindejin/eshop-plat-api` ShopeeOrderDetailReqDTO.java; see ../shared/SHOPEE-NOTES.md).

use super::session::Session;
use super::store;
use super::{blocking, RoadError};
use crate::orders::{Buyer, LineInput, OrderInput};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Shopee refuses windows longer than 15 days.
const WINDOW_SECS: i64 = 15 * 24 * 3600;
/// Each pull reads again the last minutes before the mark.
const OVERLAP_SECS: i64 = 10 * 60;
/// How far back the first pull of a newly connected shop reads.
const FIRST_SYNC_SECS: i64 = 30 * 24 * 3600;
const PAGE_SIZE: usize = 100;
const DETAIL_BATCH: usize = 50;
/// What get_order_detail must add to its few default fields.
const DETAIL_FIELDS: &str = "buyer_user_id,buyer_username,item_list,total_amount,pay_time,order_status,currency,create_time,update_time";

/// What one pull did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Pulled {
    pub seen: usize,
    pub new: usize,
    pub rejected: usize,
}

/// Pulls every order changed since the mark, window by window; the mark moves only after a
/// window's orders are all taken in, so a failure part way loses nothing (the next pull reads
/// that window again, and intake is idempotent).
pub async fn pull(session: &Session) -> Result<Pulled, RoadError> {
    let shop_id = session.shop_id;
    let mark = blocking(&session.engine, move |e| {
        e.db.read(|c| store::sync_mark(c, shop_id))
    })
    .await?;
    let now = Utc::now().timestamp();
    let mut from = match mark.high_water {
        Some(h) => h - OVERLAP_SECS,
        None => now - FIRST_SYNC_SECS,
    };
    let mut pulled = Pulled::default();
    let mut listed_total = 0i64;
    while from < now {
        let to = (from + WINDOW_SECS).min(now);
        let sns = list_window(session, from, to).await?;
        if !mark.first_sync_finished {
            listed_total += sns.len() as i64;
            let t = listed_total;
            blocking(&session.engine, move |e| {
                e.db.write(|c| store::set_first_sync_total(c, shop_id, Some(t)))
            })
            .await?;
        }
        for chunk in sns.chunks(DETAIL_BATCH) {
            let orders = details(session, chunk).await?;
            let first = !mark.first_sync_finished;
            let connected = mark.connected_at_secs;
            let mut inputs = Vec::with_capacity(orders.len());
            let mut raws = Vec::with_capacity(orders.len());
            let mut unread = Vec::new();
            for o in orders {
                match to_input(shop_id, &o, first, connected) {
                    Some(input) => {
                        inputs.push(input);
                        raws.push(o);
                    }
                    None => unread.push(o),
                }
            }
            let done = take_in(session, inputs, raws, unread).await?;
            pulled.seen += done.seen;
            pulled.new += done.new;
            pulled.rejected += done.rejected;
            let (listed, new) = (chunk.len() as i64, done.new as i64);
            blocking(&session.engine, move |e| {
                e.db.write(|c| store::advance(c, shop_id, 0, listed, new))
            })
            .await?;
        }
        blocking(&session.engine, move |e| {
            e.db.write(|c| store::advance(c, shop_id, to, 0, 0))
        })
        .await?;
        from = to;
    }
    if !mark.first_sync_finished {
        blocking(&session.engine, move |e| {
            e.db.write(|c| store::finish_first_sync(c, shop_id))
        })
        .await?;
    }
    Ok(pulled)
}

/// Every order_sn changed within [from, to], all pages.
async fn list_window(session: &Session, from: i64, to: i64) -> Result<Vec<String>, RoadError> {
    let mut cursor = String::new();
    let mut out = Vec::new();
    // A cursor that never ends would be Shopee's bug; stop well after any real shop's volume.
    for _ in 0..10_000 {
        let v = session
            .get(
                "/api/v2/order/get_order_list",
                &[
                    ("time_range_field", "update_time".into()),
                    ("time_from", from.to_string()),
                    ("time_to", to.to_string()),
                    ("page_size", PAGE_SIZE.to_string()),
                    ("cursor", cursor.clone()),
                ],
            )
            .await?;
        let r = v.get("response").unwrap_or(&Value::Null);
        if let Some(list) = r.get("order_list").and_then(Value::as_array) {
            out.extend(
                list.iter()
                    .filter_map(|o| o.get("order_sn").and_then(Value::as_str))
                    .map(str::to_string),
            );
        }
        let more = r.get("more").and_then(Value::as_bool).unwrap_or(false);
        let next = r.get("next_cursor").map(text).unwrap_or_default();
        if !more || next.is_empty() || next == cursor {
            break;
        }
        cursor = next;
    }
    // An order changed twice in the window is listed once per change by some hosts.
    let mut seen = std::collections::HashSet::new();
    out.retain(|sn| seen.insert(sn.clone()));
    Ok(out)
}

async fn details(session: &Session, sns: &[String]) -> Result<Vec<Value>, RoadError> {
    let v = session
        .get(
            "/api/v2/order/get_order_detail",
            &[
                ("order_sn_list", sns.join(",")),
                ("response_optional_fields", DETAIL_FIELDS.into()),
            ],
        )
        .await?;
    Ok(v.get("response")
        .and_then(|r| r.get("order_list"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

struct TakenIn {
    seen: usize,
    new: usize,
    rejected: usize,
}

/// Takes the orders in; `raws` are their details as Shopee sent them (same order), `unread`
/// details that had no order at all. What is refused or unread is kept as a redacted sample.
async fn take_in(
    session: &Session,
    inputs: Vec<OrderInput>,
    raws: Vec<Value>,
    unread: Vec<Value>,
) -> Result<TakenIn, RoadError> {
    let shop_id = session.shop_id;
    blocking(&session.engine, move |e| {
        let shop = shop_id.to_string();
        let sns: Vec<String> = inputs.iter().map(|o| o.order_sn.clone()).collect();
        let known = e.db.read(|c| count_known(c, &shop, &sns))?;
        let seen = inputs.len();
        let (_, rejected) = e.intake(inputs, "open_platform")?;
        let refused = rejected
            .iter()
            .map(|r| (&raws[r.index], r.error.message.as_str()));
        let no_order = unread.iter().map(|raw| (raw, "no order_sn"));
        for (raw, why) in refused.chain(no_order) {
            tracing::warn!(shop_id, "a Shopee order was not taken in: {why}");
            if let Err(err) = super::samples::keep(&e.data_dir, shop_id, raw, why) {
                tracing::warn!("could not keep the sample: {err}");
            }
        }
        Ok(TakenIn {
            seen,
            new: seen.saturating_sub(known + rejected.len()),
            rejected: rejected.len() + unread.len(),
        })
    })
    .await
}

fn count_known(c: &rusqlite::Connection, shop: &str, sns: &[String]) -> crate::Result<usize> {
    let mut stmt = c.prepare_cached("SELECT 1 FROM orders WHERE shop = ?1 AND order_sn = ?2")?;
    let mut n = 0;
    for sn in sns {
        if stmt.exists(rusqlite::params![shop, sn])? {
            n += 1;
        }
    }
    Ok(n)
}

/// Shopee's statuses after the seller shipped: an order first seen in one of them during the
/// shop's first pull (or paid before the shop was connected) was fulfilled without AUTO.
const FULFILLED: [&str; 3] = ["SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED"];

/// One order of get_order_detail in the intake's terms.
pub fn to_input(
    shop_id: u64,
    o: &Value,
    first_sync: bool,
    connected_secs: i64,
) -> Option<OrderInput> {
    let order_sn = o.get("order_sn").map(text).filter(|s| !s.is_empty())?;
    let status = o.get("order_status").map(text).unwrap_or_default();
    let pay_time = o.get("pay_time").and_then(int).filter(|&t| t > 0);
    let fulfilled = FULFILLED.contains(&status.as_str());
    let historic = fulfilled && (first_sync || pay_time.is_some_and(|t| t < connected_secs));
    let lines = o
        .get("item_list")
        .and_then(Value::as_array)
        .map(|items| items.iter().map(to_line).collect())
        .unwrap_or_default();
    Some(OrderInput {
        shop: shop_id.to_string(),
        order_sn,
        status,
        buyer: Buyer {
            username: o.get("buyer_username").map(text).unwrap_or_default(),
            user_id: o.get("buyer_user_id").and_then(int).filter(|&id| id > 0),
        },
        lines,
        total: o.get("total_amount").and_then(float),
        currency: o.get("currency").map(text).unwrap_or_default(),
        created_at: o.get("create_time").and_then(int).and_then(secs),
        paid_at: pay_time.and_then(secs),
        // Kept: a detail older than the cancellation it follows must not reopen the order.
        shopee_updated_at: o
            .get("update_time")
            .and_then(int)
            .filter(|&t| t > 0)
            .and_then(secs),
        seen_at: None,
        historic,
    })
}

fn to_line(i: &Value) -> LineInput {
    let model_sku = i.get("model_sku").map(text).unwrap_or_default();
    let sku = if model_sku.trim().is_empty() {
        i.get("item_sku").map(text).unwrap_or_default()
    } else {
        model_sku
    };
    LineInput {
        sku: Some(sku).filter(|s| !s.trim().is_empty()),
        item_id: i.get("item_id").and_then(int).filter(|&v| v > 0),
        // Shopee says model_id 0 for a listing without variations.
        model_id: i.get("model_id").and_then(int).filter(|&v| v > 0),
        quantity: i.get("model_quantity_purchased").and_then(int).unwrap_or(0),
        unit_price: i
            .get("model_discounted_price")
            .and_then(float)
            .filter(|p| *p > 0.0)
            .or_else(|| i.get("model_original_price").and_then(float))
            .unwrap_or(0.0),
    }
}

/// A JSON string or number as text (ids come as either, and 64-bit ones must not pass
/// through a float).
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

pub fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn secs(t: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detail(status: &str, pay_time: i64) -> Value {
        // Shape of v2.order.get_order_detail's order_list[] with the optional fields asked
        // for (Shopee's documentation as the SDKs named at the top of this file copy it).
        json!({
            "order_sn": "2412060AB1CD2E", "region": "ID", "currency": "IDR", "cod": false,
            "total_amount": 298000.0, "order_status": status, "create_time": 1733450000,
            "update_time": 1733450100, "pay_time": pay_time,
            "buyer_user_id": 880011223, "buyer_username": "budi_88",
            "item_list": [
                {"item_id": 22012345678u64, "item_name": "Windows 11 Pro", "item_sku": "WIN11",
                 "model_id": 0, "model_name": "", "model_sku": "",
                 "model_quantity_purchased": 2, "model_original_price": 160000.0,
                 "model_discounted_price": 149000.0},
                {"item_id": 22012345679u64, "item_sku": "STEAM", "model_id": 170011,
                 "model_sku": "STEAM-60K", "model_quantity_purchased": 1,
                 "model_original_price": 0, "model_discounted_price": 0}
            ]
        })
    }

    #[test]
    fn a_detail_becomes_the_intakes_order() {
        let o = to_input(123456, &detail("READY_TO_SHIP", 1733450050), false, 0).unwrap();
        assert_eq!(o.shop, "123456");
        assert_eq!(o.order_sn, "2412060AB1CD2E");
        assert_eq!(o.status, "READY_TO_SHIP");
        assert_eq!(o.buyer.username, "budi_88");
        assert_eq!(o.buyer.user_id, Some(880011223));
        assert_eq!(o.total, Some(298000.0));
        assert!(!o.historic);
        assert_eq!(
            o.lines[0].sku.as_deref(),
            Some("WIN11"),
            "item_sku when the model has none"
        );
        assert_eq!(o.lines[0].model_id, None, "model_id 0 means no variation");
        assert_eq!(o.lines[0].quantity, 2);
        assert_eq!(o.lines[0].unit_price, 149000.0);
        assert_eq!(o.lines[1].sku.as_deref(), Some("STEAM-60K"));
        assert_eq!(o.lines[1].model_id, Some(170011));
        assert_eq!(o.lines[1].unit_price, 0.0);
        assert_eq!(o.paid_at.unwrap().timestamp(), 1733450050);
        assert_eq!(o.shopee_updated_at.unwrap().timestamp(), 1733450100);
        assert_eq!(o.seen_at, None, "the API road reads no page");
    }

    #[test]
    fn fulfilled_orders_of_a_first_pull_or_paid_before_connecting_are_history() {
        for s in FULFILLED {
            assert!(
                to_input(1, &detail(s, 100), true, 0).unwrap().historic,
                "{s}"
            );
            assert!(
                to_input(1, &detail(s, 100), false, 200).unwrap().historic,
                "{s} paid before"
            );
            assert!(
                !to_input(1, &detail(s, 300), false, 200).unwrap().historic,
                "{s} paid after"
            );
        }
        assert!(
            !to_input(1, &detail("READY_TO_SHIP", 100), true, 0)
                .unwrap()
                .historic
        );
        assert!(!to_input(1, &detail("UNPAID", 0), true, 0).unwrap().historic);
    }

    #[test]
    fn big_ids_keep_every_digit() {
        let v: Value =
            serde_json::from_str(r#"{"id": 9223372036854775807, "s": "12345678901234567890"}"#)
                .unwrap();
        assert_eq!(text(&v["id"]), "9223372036854775807");
        assert_eq!(text(&v["s"]), "12345678901234567890");
        assert_eq!(int(&v["id"]), Some(i64::MAX));
    }
}
