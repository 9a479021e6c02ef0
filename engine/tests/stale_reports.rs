//! A cancelled order that Shopee reports paid again is reopened only by news: a report no newer
//! than the cancellation (an old page the extension re-sends from its queue, an older Open
//! Platform detail) changes nothing, delivers nothing and says why in the trail, once.

use crate::support;

use auto_engine::orders::Status;
use auto_engine::shopee::orders::to_input;
use auto_engine::Engine;
use serde_json::{json, Value};
use support::*;

const SHOP: &str = "toko-stale";

async fn product_with(fx: &Fixture, sku: &str, keys: &[String]) -> String {
    let pid = id_of(&create_product(&fx.admin, &product_body(sku)).await);
    import_keys(&fx.admin, &pid, keys).await;
    pid
}

/// (available, allocated, delivered, revealed) of a product.
async fn counts(fx: &Fixture, pid: &str) -> (i64, i64, i64, i64) {
    let s = stock(&fx.admin, pid).await;
    let n = |k: &str| {
        s["by_status"][k]
            .as_i64()
            .unwrap_or_else(|| panic!("{k} in {s}"))
    };
    (
        n("available"),
        n("allocated"),
        n("delivered"),
        n("revealed"),
    )
}

/// An extension report of the order as read at `seen_at` (None: an extension that predates
/// the field), with Shopee's own time when the page showed one.
fn read(sn: &str, status: &str, sku: &str, seen_at: Option<&str>, shopee: Option<&str>) -> Value {
    let mut o = order(SHOP, sn, status, sku, 1);
    if let Some(t) = seen_at {
        o["seen_at"] = json!(t);
    }
    if let Some(t) = shopee {
        o["shopee_updated_at"] = json!(t);
    }
    o
}

fn count(codes: &[String], code: &str) -> usize {
    codes.iter().filter(|c| *c == code).count()
}

async fn pending(ext: &Api) -> usize {
    ok(ext.get("/api/v1/deliveries?status=pending&limit=50").await)["deliveries"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_old_page_re_sent_after_a_cancellation_reopens_nothing_and_says_why_once() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "ST-OLD", &make_keys("STOLD", 3)).await;
    let paid = read(
        "OLD-1",
        "READY_TO_SHIP",
        "ST-OLD",
        Some("2026-12-06T10:00:00Z"),
        None,
    );
    let oid = id_of(&post_order(&ext, &paid).await);
    // The buyer cancels before anything went out: the key goes back to stock.
    let cancel = read(
        "OLD-1",
        "IN_CANCEL",
        "ST-OLD",
        Some("2026-12-06T10:05:00Z"),
        None,
    );
    assert_eq!(post_order(&ext, &cancel).await["status"], "cancelled");
    assert_eq!(counts(&fx, &pid).await, (3, 0, 0, 0));

    // The page read at 10:02, queued while AUTO was closed, arrives now; and again.
    let stale = read(
        "OLD-1",
        "READY_TO_SHIP",
        "ST-OLD",
        Some("2026-12-06T10:02:00Z"),
        None,
    );
    for _ in 0..2 {
        let o = post_order(&ext, &stale).await;
        assert_eq!(o["status"], "cancelled", "{o}");
    }
    // Read later but showing what Shopee changed before the cancellation: Shopee's time rules.
    let late_read_old_news = read(
        "OLD-1",
        "READY_TO_SHIP",
        "ST-OLD",
        Some("2026-12-06T10:30:00Z"),
        Some("2026-12-06T09:59:00Z"),
    );
    assert_eq!(
        post_order(&ext, &late_read_old_news).await["status"],
        "cancelled"
    );
    // Read at the very second of the cancellation: not later, so not news.
    let same = read(
        "OLD-1",
        "READY_TO_SHIP",
        "ST-OLD",
        Some("2026-12-06T10:05:00Z"),
        None,
    );
    assert_eq!(post_order(&ext, &same).await["status"], "cancelled");
    assert_eq!(counts(&fx, &pid).await, (3, 0, 0, 0), "nothing allocated");
    assert_eq!(pending(&ext).await, 0, "nothing to deliver");

    let detail = order_detail(&fx.admin, &oid, false).await;
    let c = trail_codes_of(&detail);
    assert_eq!(count(&c, "reopened"), 0, "{c:?}");
    // One entry per distinct old report (the same one twice says it once).
    assert_eq!(count(&c, "stale_report_ignored"), 3, "{c:?}");
    let said: Vec<&Value> = detail["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "stale_report_ignored")
        .collect();
    assert_eq!(said[0]["params"]["status"], "paid", "{}", said[0]);
    assert_eq!(said[0]["params"]["reported_at"], "2026-12-06 10:02:00 UTC");
    assert_eq!(said[0]["params"]["cancelled_at"], "2026-12-06 10:05:00 UTC");
    assert_eq!(said[1]["params"]["reported_at"], "2026-12-06 09:59:00 UTC");
    assert_eq!(said[0]["to"], "cancelled");
    assert!(
        said[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("not newer than the cancellation")),
        "{}",
        said[0]
    );

    // The seller turned the request down on Shopee; the page read after that reopens it.
    let news = read(
        "OLD-1",
        "READY_TO_SHIP",
        "ST-OLD",
        Some("2026-12-06T10:20:00Z"),
        None,
    );
    assert_eq!(post_order(&ext, &news).await["status"], "delivering");
    let sent = drain_deliveries(&ext).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(counts(&fx, &pid).await, (2, 0, 1, 0));
    let c = trail_codes_of(&order_detail(&fx.admin, &oid, false).await);
    assert_eq!(count(&c, "reopened"), 1, "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivered_order_keeps_its_held_key_out_of_reach_of_an_old_page() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "ST-HELD", &make_keys("STHLD", 3)).await;
    let paid = read(
        "HELD-1",
        "READY_TO_SHIP",
        "ST-HELD",
        Some("2026-12-06T11:00:00Z"),
        None,
    );
    let oid = id_of(&post_order(&ext, &paid).await);
    assert_eq!(drain_deliveries(&ext).await.len(), 1);
    let cancel = read(
        "HELD-1",
        "CANCELLED",
        "ST-HELD",
        Some("2026-12-06T11:10:00Z"),
        None,
    );
    assert_eq!(post_order(&ext, &cancel).await["status"], "cancelled");
    assert_eq!(counts(&fx, &pid).await, (2, 0, 0, 1), "held for the seller");

    let stale = read(
        "HELD-1",
        "SHIPPED",
        "ST-HELD",
        Some("2026-12-06T11:05:00Z"),
        None,
    );
    assert_eq!(post_order(&ext, &stale).await["status"], "cancelled");
    assert_eq!(
        counts(&fx, &pid).await,
        (2, 0, 0, 1),
        "still held, not given back"
    );
    assert_eq!(pending(&ext).await, 0);

    // A report with no time at all (an older extension) is taken as before: reopened.
    let untimed = read("HELD-1", "SHIPPED", "ST-HELD", None, None);
    let o = post_order(&ext, &untimed).await;
    assert_eq!(o["status"], "delivered", "{o}");
    assert_eq!(counts(&fx, &pid).await, (2, 0, 1, 0), "its own key back");
    assert_eq!(pending(&ext).await, 0, "no second key");
    let c = trail_codes_of(&order_detail(&fx.admin, &oid, false).await);
    assert_eq!(count(&c, "stale_report_ignored"), 1, "{c:?}");
    assert_eq!(count(&c, "reopened"), 1, "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancellation_reported_without_a_time_counts_from_when_auto_recorded_it() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "ST-NOW", &make_keys("STNOW", 2)).await;
    let oid = id_of(&post_order(&ext, &read("NOW-1", "READY_TO_SHIP", "ST-NOW", None, None)).await);
    post_order(&ext, &read("NOW-1", "IN_CANCEL", "ST-NOW", None, None)).await;
    // Shopee's time of a change long before AUTO recorded the cancellation: old news.
    let old = read(
        "NOW-1",
        "READY_TO_SHIP",
        "ST-NOW",
        None,
        Some("2020-01-01T00:00:00Z"),
    );
    assert_eq!(post_order(&ext, &old).await["status"], "cancelled");
    assert_eq!(counts(&fx, &pid).await, (2, 0, 0, 0));
    // A change after it: news.
    let new = read(
        "NOW-1",
        "READY_TO_SHIP",
        "ST-NOW",
        None,
        Some("2099-01-01T00:00:00Z"),
    );
    assert_eq!(post_order(&ext, &new).await["status"], "delivering");
    assert_eq!(counts(&fx, &pid).await, (1, 1, 0, 0));
    let c = trail_codes_of(&order_detail(&fx.admin, &oid, false).await);
    assert_eq!(count(&c, "stale_report_ignored"), 1, "{c:?}");
    assert_eq!(count(&c, "reopened"), 1, "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_report_time_that_is_not_a_time_is_refused_and_stores_nothing() {
    let fx = Fixture::new();
    let ext = fx.extension();
    product_with(&fx, "ST-BAD", &make_keys("STBAD", 1)).await;
    for field in ["seen_at", "shopee_updated_at"] {
        for value in [
            json!(1733450100),
            json!("yesterday"),
            json!("2026-13-01T00:00:00Z"),
            json!(true),
            json!({"at": "2026-12-06T10:00:00Z"}),
        ] {
            let mut body = read("BAD-1", "READY_TO_SHIP", "ST-BAD", None, None);
            body[field] = value.clone();
            assert_error(
                &ext.post("/api/v1/orders", &body).await,
                422,
                "invalid_input",
            );
            // In a batch the bad order alone is refused, with the reason.
            let good = read(
                "BAD-2",
                "UNPAID",
                "ST-BAD",
                Some("2026-12-06T10:00:00Z"),
                None,
            );
            let reply = ok(ext
                .post("/api/v1/orders", &json!({"orders": [good, body]}))
                .await);
            let rejected = reply["rejected"].as_array().unwrap();
            assert_eq!(rejected.len(), 1, "{field}={value}: {reply}");
            assert_eq!(rejected[0]["index"], 1);
            assert_eq!(rejected[0]["error"]["code"], "invalid_input");
            assert_eq!(reply["orders"].as_array().unwrap().len(), 1);
        }
    }
    let page = ok(fx.admin.get("/api/v1/orders?limit=50").await);
    let sns: Vec<&str> = page["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["order_sn"].as_str())
        .collect();
    assert_eq!(sns, vec!["BAD-2"], "the refused order was not stored");
    // Both times are documented, and neither is required (older clients send neither).
    let doc = ok(fx.admin.get("/api/v1/openapi.json").await);
    let schema = &doc["components"]["schemas"]["OrderInput"];
    for (field, words) in [
        ("shopee_updated_at", "Shopee"),
        ("seen_at", "read the page"),
    ] {
        let description = schema["properties"][field]["description"]
            .as_str()
            .unwrap_or("");
        assert!(description.contains(words), "{field}: {schema}");
        let required = schema["required"].as_array().unwrap();
        assert!(
            !required.iter().any(|r| r == field),
            "{field} must be optional"
        );
    }
}

// ------------------------------------------------------------------ the Open Platform road

const API_SHOP: u64 = 556677;

/// The engine with a voucher product holding two keys.
fn engine(dir: &std::path::Path) -> Engine {
    in_process::voucher_engine(dir, &["STM-AAAA-0001", "STM-BBBB-0002"])
}

/// get_order_detail's order as Shopee sends it, in `status` as of `update_time`.
fn detail(status: &str, update_time: i64) -> Value {
    json!({
        "order_sn": "2412060STALE1", "region": "ID", "currency": "IDR", "cod": false,
        "total_amount": 60000.0, "order_status": status, "create_time": 1733450000,
        "update_time": update_time, "pay_time": 1733450050,
        "buyer_user_id": 880011, "buyer_username": "budi_88",
        "item_list": [{"item_id": 2201, "item_sku": "STEAM-60K", "model_id": 0, "model_sku": "",
                       "model_quantity_purchased": 1, "model_discounted_price": 60000.0}]
    })
}

/// Takes the detail in as the Open Platform road does; the order's status after it.
fn take(e: &Engine, status: &str, update_time: i64) -> Status {
    let input = to_input(API_SHOP, &detail(status, update_time), false, 0).expect("an order");
    let (orders, rejected) = e.intake(vec![input], "open_platform").unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    orders[0].status
}

fn trail_codes(e: &Engine) -> Vec<String> {
    e.db.read(|c| {
        let mut stmt = c.prepare(
            "SELECT COALESCE(code, '') FROM order_events e JOIN orders o ON o.id = e.order_id
             WHERE o.order_sn = '2412060STALE1' ORDER BY e.id",
        )?;
        let codes = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(codes)
    })
    .unwrap()
}

fn available(e: &Engine) -> i64 {
    e.stock_counts(1).unwrap().available
}

#[test]
fn an_older_api_detail_after_a_cancellation_does_not_reopen_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    assert_eq!(take(&e, "READY_TO_SHIP", 1733450100), Status::Delivering);
    assert_eq!(take(&e, "CANCELLED", 1733450400), Status::Cancelled);
    let cancelled_at: i64 =
        e.db.read(|c| {
            Ok(c.query_row(
                "SELECT cancel_reported_at FROM orders WHERE order_sn = '2412060STALE1'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(
        cancelled_at,
        1733450400 * 1000,
        "Shopee's update_time, kept"
    );
    assert_eq!(available(&e), 2);

    // A detail fetched before the cancellation, taken in after it (twice), and one of the
    // cancellation's own second: none is news.
    for t in [1733450300, 1733450300, 1733450400] {
        assert_eq!(take(&e, "READY_TO_SHIP", t), Status::Cancelled);
    }
    assert_eq!(available(&e), 2, "nothing allocated");
    let c = trail_codes(&e);
    assert_eq!(count(&c, "stale_report_ignored"), 2, "{c:?}");
    assert_eq!(count(&c, "reopened"), 0, "{c:?}");

    // Shopee changed it after the cancellation (the request turned down): reopened, once.
    assert_eq!(take(&e, "READY_TO_SHIP", 1733450900), Status::Delivering);
    assert_eq!(take(&e, "READY_TO_SHIP", 1733450900), Status::Delivering);
    assert_eq!(available(&e), 1);
    let c = trail_codes(&e);
    assert_eq!(count(&c, "reopened"), 1, "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_later_reading_that_it_is_still_cancelled_moves_the_cancellation_time_on() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "ST-ON", &make_keys("STON", 2)).await;
    let at = |t: &str| Some(format!("2026-12-06T{t}:00Z"));
    let report = |status: &str, t: &str| read("ON-1", status, "ST-ON", at(t).as_deref(), None);
    let oid = id_of(&post_order(&ext, &report("READY_TO_SHIP", "12:00")).await);
    post_order(&ext, &report("IN_CANCEL", "12:05")).await;
    // Read again at 12:10, still cancelled.
    let again = report("CANCELLED", "12:10");
    assert_eq!(post_order(&ext, &again).await["status"], "cancelled");
    // A page read at 12:07 saying paid is older than what the 12:10 page showed.
    assert_eq!(
        post_order(&ext, &report("READY_TO_SHIP", "12:07")).await["status"],
        "cancelled"
    );
    // An older "still cancelled" reading does not move it back: 12:08 stays old news too.
    post_order(&ext, &report("CANCELLED", "12:01")).await;
    assert_eq!(
        post_order(&ext, &report("READY_TO_SHIP", "12:08")).await["status"],
        "cancelled"
    );
    assert_eq!(counts(&fx, &pid).await, (2, 0, 0, 0));
    let detail = order_detail(&fx.admin, &oid, false).await;
    let said: Vec<&Value> = detail["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "stale_report_ignored")
        .collect();
    assert_eq!(said.len(), 2, "{}", detail["trail"]);
    for e in said {
        assert_eq!(
            e["params"]["cancelled_at"], "2026-12-06 12:10:00 UTC",
            "{e}"
        );
    }
    assert_eq!(
        post_order(&ext, &report("READY_TO_SHIP", "12:11")).await["status"],
        "delivering"
    );
}

#[test]
fn an_order_cancelled_before_the_column_counts_from_its_cancellation_in_the_trail() {
    use auto_engine::store::{connect, migrate, migrate_to, MIGRATIONS};
    let at = |name: &str| MIGRATIONS.iter().position(|(n, _)| *n == name).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = connect(&dir.path().join("auto.db")).unwrap();
    migrate_to(&mut conn, at("0012_cancel_reported_at")).unwrap();
    conn.execute_batch(
        "INSERT INTO orders (id, shop, order_sn, status, currency, created_at, updated_at)
           VALUES (1, 'toko', 'C-1', 'cancelled', 'IDR', 1, 9000),
                  (2, 'toko', 'P-1', 'paid', 'IDR', 1, 1);
         INSERT INTO order_events (order_id, at, from_status, to_status, actor)
           VALUES (1, 1000, NULL, 'paid', 'extension'),
                  (1, 5000, 'delivering', 'cancelled', 'extension'),
                  (1, 6000, 'cancelled', 'cancelled', 'engine'),
                  (2, 1000, NULL, 'paid', 'extension');",
    )
    .unwrap();
    migrate(&mut conn).unwrap();
    let of = |id: i64| -> Option<i64> {
        conn.query_row(
            "SELECT cancel_reported_at FROM orders WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(of(1), Some(5000), "when AUTO recorded the cancellation");
    assert_eq!(of(2), None, "not cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_first_seen_cancelled_keeps_the_time_of_that_report() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "ST-FIRST", &make_keys("STFST", 2)).await;
    let report = |status: &str, t: &str| {
        let at = format!("2026-12-06T{t}:00Z");
        read("FIRST-1", status, "ST-FIRST", Some(at.as_str()), None)
    };
    let o = post_order(&ext, &report("IN_CANCEL", "13:05")).await;
    assert_eq!(o["status"], "cancelled");
    assert_eq!(
        post_order(&ext, &report("READY_TO_SHIP", "13:00")).await["status"],
        "cancelled"
    );
    assert_eq!(counts(&fx, &pid).await, (2, 0, 0, 0));
    let c = trail_codes_of(&order_detail(&fx.admin, &id_of(&o), false).await);
    assert_eq!(count(&c, "stale_report_ignored"), 1, "{c:?}");
    assert_eq!(
        post_order(&ext, &report("READY_TO_SHIP", "13:06")).await["status"],
        "delivering"
    );
    assert_eq!(counts(&fx, &pid).await, (1, 1, 0, 0));
}

// ------------------------------------------------------------ the mirror: old "cancelled" news

fn leave_notes(detail: &Value) -> Vec<Value> {
    detail["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "stale_leave_ignored")
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_old_cancellation_page_re_sent_after_the_order_was_reopened_keeps_it_open() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "ST-MIR", &make_keys("STMIR", 3)).await;
    let report = |status: &str, t: &str| {
        let at = format!("2026-12-06T{t}:00Z");
        read("MIR-1", status, "ST-MIR", Some(at.as_str()), None)
    };
    let oid = id_of(&post_order(&ext, &report("READY_TO_SHIP", "10:00")).await);
    // The buyer asks to cancel; the seller turns it down on Shopee and the order comes back.
    assert_eq!(
        post_order(&ext, &report("IN_CANCEL", "10:05")).await["status"],
        "cancelled"
    );
    assert_eq!(counts(&fx, &pid).await, (3, 0, 0, 0));
    assert_eq!(
        post_order(&ext, &report("READY_TO_SHIP", "10:20")).await["status"],
        "delivering"
    );
    assert_eq!(counts(&fx, &pid).await, (2, 1, 0, 0));

    // A page read at 10:10, while the request was still open, arrives from the queue; twice.
    for _ in 0..2 {
        let o = post_order(&ext, &report("IN_CANCEL", "10:10")).await;
        assert_eq!(o["status"], "delivering", "{o}");
    }
    assert_eq!(
        counts(&fx, &pid).await,
        (2, 1, 0, 0),
        "nothing back in the pool"
    );
    let detail = order_detail(&fx.admin, &oid, false).await;
    let said = leave_notes(&detail);
    assert_eq!(
        said.len(),
        1,
        "the same report twice says it once: {}",
        detail["trail"]
    );
    assert_eq!(said[0]["params"]["status"], "cancelled", "{}", said[0]);
    assert_eq!(said[0]["params"]["reported_at"], "2026-12-06 10:10:00 UTC");
    assert_eq!(said[0]["params"]["known_at"], "2026-12-06 10:20:00 UTC");
    assert_eq!(said[0]["params"]["stays"], "delivering");
    assert_eq!(said[0]["to"], "delivering");
    assert!(
        said[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("not newer than Shopee's latest word")),
        "{}",
        said[0]
    );

    // Its delivery still goes out; an old "cancelled" page again (10:15): the key stays the
    // buyer's.
    assert_eq!(drain_deliveries(&ext).await.len(), 1);
    assert_eq!(counts(&fx, &pid).await, (2, 0, 1, 0));
    let o = post_order(&ext, &report("CANCELLED", "10:15")).await;
    assert_eq!(o["status"], "delivered", "{o}");
    assert_eq!(counts(&fx, &pid).await, (2, 0, 1, 0));
    let detail = order_detail(&fx.admin, &oid, false).await;
    let said = leave_notes(&detail);
    assert_eq!(said.len(), 2, "{}", detail["trail"]);
    assert_eq!(said[1]["params"]["stays"], "delivered");
    let c = trail_codes_of(&detail);
    assert_eq!(
        count(&c, "items_returned"),
        1,
        "only the real cancellation: {c:?}"
    );

    // A later page saying paid (10:25) moves Shopee's word on: a 10:22 cancellation is old too.
    post_order(&ext, &report("READY_TO_SHIP", "10:25")).await;
    assert_eq!(
        post_order(&ext, &report("IN_CANCEL", "10:22")).await["status"],
        "delivered"
    );
    // Cancelled on Shopee after all that (10:30): cancelled as before, the seen key held.
    let o = post_order(&ext, &report("CANCELLED", "10:30")).await;
    assert_eq!(o["status"], "cancelled", "{o}");
    assert_eq!(counts(&fx, &pid).await, (2, 0, 0, 1));
    let c = trail_codes_of(&order_detail(&fx.admin, &oid, false).await);
    assert_eq!(count(&c, "stale_leave_ignored"), 3, "{c:?}");
    assert_eq!(count(&c, "items_held"), 1, "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancellation_with_no_time_cancels_a_reopened_order_as_before() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "ST-UNT", &make_keys("STUNT", 2)).await;
    let untimed = |status: &str| read("UNT-1", status, "ST-UNT", None, None);
    let oid = id_of(&post_order(&ext, &untimed("READY_TO_SHIP")).await);
    post_order(&ext, &untimed("IN_CANCEL")).await;
    // Reopened by a report with no time: Shopee's word is still newer than the cancellation.
    assert_eq!(
        post_order(&ext, &untimed("READY_TO_SHIP")).await["status"],
        "delivering"
    );
    // A page from long before that cancellation: old news.
    let old = read(
        "UNT-1",
        "IN_CANCEL",
        "ST-UNT",
        Some("2020-01-01T00:00:00Z"),
        None,
    );
    assert_eq!(post_order(&ext, &old).await["status"], "delivering");
    assert_eq!(counts(&fx, &pid).await, (1, 1, 0, 0));
    // A cancellation with no time cannot be told from news (an older extension): taken.
    let o = post_order(&ext, &untimed("IN_CANCEL")).await;
    assert_eq!(o["status"], "cancelled", "{o}");
    assert_eq!(
        counts(&fx, &pid).await,
        (2, 0, 0, 0),
        "its key back in the pool"
    );
    let c = trail_codes_of(&order_detail(&fx.admin, &oid, false).await);
    assert_eq!(count(&c, "stale_leave_ignored"), 1, "{c:?}");
    assert_eq!(count(&c, "items_returned"), 2, "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_seller_cancels_a_reopened_order_whatever_shopee_said_last() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "ST-SEL", &make_keys("STSEL", 2)).await;
    let report = |status: &str, t: &str| read("SEL-1", status, "ST-SEL", Some(t), None);
    let oid = id_of(&post_order(&ext, &report("READY_TO_SHIP", "2026-12-06T10:00:00Z")).await);
    post_order(&ext, &report("IN_CANCEL", "2026-12-06T10:05:00Z")).await;
    // Shopee's latest word is far in the future (a clock ahead): the seller's cancel still goes.
    assert_eq!(
        post_order(&ext, &report("READY_TO_SHIP", "2099-01-01T00:00:00Z")).await["status"],
        "delivering"
    );
    let o = ok(fx
        .admin
        .post(
            &format!("/api/v1/orders/{oid}/status"),
            &json!({"status": "cancelled", "reason": "buyer asked in chat"}),
        )
        .await);
    assert_eq!(o["order"]["status"], "cancelled", "{o}");
    assert_eq!(counts(&fx, &pid).await, (2, 0, 0, 0));
    let c = trail_codes_of(&order_detail(&fx.admin, &oid, false).await);
    assert_eq!(count(&c, "stale_leave_ignored"), 0, "{c:?}");
}

#[test]
fn an_older_api_detail_after_a_reopening_does_not_cancel_the_order_again() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    assert_eq!(take(&e, "READY_TO_SHIP", 1733450100), Status::Delivering);
    assert_eq!(take(&e, "IN_CANCEL", 1733450400), Status::Cancelled);
    assert_eq!(available(&e), 2);
    assert_eq!(take(&e, "READY_TO_SHIP", 1733450900), Status::Delivering);
    assert_eq!(available(&e), 1);
    // The cancellation's detail, fetched before the reopening, taken in after it (twice).
    for _ in 0..2 {
        assert_eq!(take(&e, "IN_CANCEL", 1733450400), Status::Delivering);
    }
    assert_eq!(available(&e), 1, "the key stays the order's");
    let c = trail_codes(&e);
    assert_eq!(count(&c, "stale_leave_ignored"), 1, "{c:?}");
    // Cancelled on Shopee after the reopening: cancelled, the key back.
    assert_eq!(take(&e, "CANCELLED", 1733451000), Status::Cancelled);
    assert_eq!(available(&e), 2);
}

#[test]
fn a_reopened_order_from_before_0013_counts_from_its_undone_cancellation() {
    use auto_engine::store::{connect, migrate, migrate_to, MIGRATIONS};
    let at = |name: &str| MIGRATIONS.iter().position(|(n, _)| *n == name).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = connect(&dir.path().join("auto.db")).unwrap();
    migrate_to(&mut conn, at("0013_shopee_reported_at")).unwrap();
    conn.execute_batch(
        "INSERT INTO orders (id, shop, order_sn, status, currency, created_at, updated_at,
                             cancel_reported_at)
           VALUES (1, 'toko', 'R-1', 'delivered', 'IDR', 1, 9000, 5000),
                  (2, 'toko', 'C-1', 'cancelled', 'IDR', 1, 9000, 6000),
                  (3, 'toko', 'P-1', 'paid', 'IDR', 1, 1, NULL);",
    )
    .unwrap();
    migrate(&mut conn).unwrap();
    let of = |id: i64| -> Option<i64> {
        conn.query_row(
            "SELECT shopee_reported_at FROM orders WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(of(1), Some(5000), "reopened after that cancellation");
    assert_eq!(of(2), None, "cancelled now: set when reopened");
    assert_eq!(of(3), None, "nothing known");
}
