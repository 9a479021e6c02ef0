//! After the sale, over HTTP against a real engine: a cancellation returns the items no one has
//! seen and holds the rest for the seller; a cancellation Shopee undoes is delivered once; a
//! bad key is replaced (with and without stock, twice, one of three) and never sent again.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use support::*;

const SHOP: &str = "toko-after-sale";

/// A license-key product in English with `keys` in stock; returns its id.
async fn product_with(fx: &Fixture, sku: &str, keys: &[String]) -> String {
    let mut body = product_body(sku);
    body["language"] = json!("en");
    body["instructions"] = json!("Redeem it in the app.");
    let pid = id_of(&create_product(&fx.admin, &body).await);
    if !keys.is_empty() {
        import_keys(&fx.admin, &pid, keys).await;
    }
    pid
}

/// The per-status stock counts of a product: (available, allocated, delivered, revealed, bad).
async fn counts(fx: &Fixture, pid: &str) -> (i64, i64, i64, i64, i64) {
    let s = stock(&fx.admin, pid).await;
    let b = &s["by_status"];
    let n = |k: &str| b[k].as_i64().unwrap_or_else(|| panic!("{k} in {s}"));
    (
        n("available"),
        n("allocated"),
        n("delivered"),
        n("revealed"),
        n("bad"),
    )
}

/// Reports an order as Shopee's road (the extension) does.
async fn report(ext: &Api, sn: &str, status: &str, sku: &str, qty: i64) -> Value {
    post_order(ext, &order(SHOP, sn, status, sku, qty)).await
}

async fn items(fx: &Fixture, oid: &str) -> Vec<Value> {
    ok(fx.admin.get(&format!("/api/v1/orders/{oid}/items")).await)["items"]
        .as_array()
        .expect("items")
        .clone()
}

/// The trail event with `code`, the last one.
fn event<'a>(detail: &'a Value, code: &str) -> &'a Value {
    detail["trail"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {}", detail["trail"]))
}

async fn pending(ext: &Api) -> Vec<Value> {
    ok(ext.get("/api/v1/deliveries?status=pending&limit=50").await)["deliveries"]
        .as_array()
        .unwrap()
        .clone()
}

async fn replace(fx: &Fixture, oid: &str, item: &Value, reason: &str) -> Reply {
    fx.admin
        .post(
            &format!("/api/v1/orders/{oid}/items/{}/replace", id_of(item)),
            &json!({ "reason": reason }),
        )
        .await
}

fn with_status<'a>(items: &'a [Value], status: &str) -> Vec<&'a Value> {
    items.iter().filter(|i| i["status"] == status).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_before_any_hand_out_returns_the_items_to_the_pool() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "AS-RET", &make_keys("ASRET", 4)).await;
    let before = counts(&fx, &pid).await;
    assert_eq!(before, (4, 0, 0, 0, 0));

    // Shopee's road: paid, then cancelled before the extension fetched anything.
    let o = report(&ext, "RET-1", "READY_TO_SHIP", "AS-RET", 2).await;
    assert_eq!(o["status"], "delivering", "{o}");
    assert_eq!(counts(&fx, &pid).await, (2, 2, 0, 0, 0));
    let o = report(&ext, "RET-1", "CANCELLED", "AS-RET", 2).await;
    assert_eq!(o["status"], "cancelled", "{o}");
    assert_eq!(
        counts(&fx, &pid).await,
        before,
        "counts back to where they were"
    );
    let detail = order_detail(&fx.admin, &id_of(&o), false).await;
    assert_eq!(event(&detail, "items_returned")["params"]["count"], 2);
    assert!(!trail_codes_of(&detail).contains(&"items_held".to_string()));
    assert!(
        items(&fx, &id_of(&o)).await.is_empty(),
        "the order holds no item"
    );
    assert!(pending(&ext).await.is_empty(), "nothing left to send");

    // The seller's road: refunded in AUTO before any hand-out.
    let o = report(&ext, "RET-2", "paid", "AS-RET", 1).await;
    assert_eq!(counts(&fx, &pid).await, (3, 1, 0, 0, 0));
    let moved = ok(fx
        .admin
        .post(
            &format!("/api/v1/orders/{}/status", id_of(&o)),
            &json!({"status": "refunded", "reason": "buyer changed their mind"}),
        )
        .await);
    assert_eq!(moved["order"]["status"], "refunded");
    assert_eq!(counts(&fx, &pid).await, before);

    // The returned keys are sold again, each once.
    let o = report(&ext, "RET-3", "paid", "AS-RET", 4).await;
    assert_eq!(o["status"], "delivering", "all four back in the pool: {o}");
    let sent = drain_deliveries(&ext).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        keys_in(sent[0]["message"].as_str().unwrap(), "ASRET")
            .into_iter()
            .collect::<BTreeSet<_>>()
            .len(),
        4
    );
    assert_eq!(counts(&fx, &pid).await, (0, 0, 4, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_after_hand_out_holds_the_items_until_the_seller_decides() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let keys = make_keys("ASHLD", 6);
    let pid = product_with(&fx, "AS-HOLD", &keys).await;

    // Leased by the extension, then refunded on Shopee before the confirm.
    let o = report(&ext, "HOLD-1", "paid", "AS-HOLD", 2).await;
    let oid = id_of(&o);
    let leased = pending(&ext).await;
    assert_eq!(leased.len(), 1);
    let o = report(&ext, "HOLD-1", "REFUNDED", "AS-HOLD", 2).await;
    assert_eq!(o["status"], "refunded");
    assert_eq!(counts(&fx, &pid).await, (4, 0, 0, 2, 0), "held, not back");
    let detail = order_detail(&fx.admin, &oid, false).await;
    assert_eq!(event(&detail, "items_held")["params"]["count"], 2);
    let held = items(&fx, &oid).await;
    assert_eq!(held.len(), 2);
    for i in &held {
        assert_eq!(i["status"], "revealed", "{i}");
        let masked = i["masked"].as_str().unwrap();
        assert!(masked.contains('•'), "masked: {masked}");
        assert!(
            keys.iter().all(|k| !masked.contains(k.as_str())),
            "{masked}"
        );
    }
    // The extension had posted it after all: its late confirm changes nothing held.
    confirm(&ext, &id_of(&leased[0])).await;
    assert_eq!(counts(&fx, &pid).await, (4, 0, 0, 2, 0));

    // The seller decides: one back to the pool, one void.
    let release = |item: &Value, action: &str| {
        let path = format!("/api/v1/orders/{oid}/items/{}/release", id_of(item));
        let admin = fx.admin.clone();
        let body = json!({ "action": action, "reason": "buyer kept it" });
        async move { admin.post(&path, &body).await }
    };
    let after = ok(release(&held[0], "pool").await);
    assert_eq!(after["items"].as_array().unwrap().len(), 1, "{after}");
    let after = ok(release(&held[1], "void").await);
    assert_eq!(after["items"][0]["status"], "bad", "{after}");
    assert_eq!(after["items"][0]["note"], "buyer kept it");
    assert_eq!(counts(&fx, &pid).await, (5, 0, 0, 0, 1));
    assert_error(&release(&held[1], "pool").await, 409, "conflict");
    let detail = order_detail(&fx.admin, &oid, false).await;
    let c = trail_codes_of(&detail);
    assert!(c.contains(&"item_back_to_stock".to_string()), "{c:?}");
    assert!(c.contains(&"item_voided".to_string()), "{c:?}");

    // Shown to the seller (the delivery text revealed) counts as seen too, on the seller's road.
    let o = report(&ext, "HOLD-2", "paid", "AS-HOLD", 1).await;
    let oid2 = id_of(&o);
    let shown = order_detail(&fx.admin, &oid2, true).await;
    assert!(shown["deliveries"][0]["message"].is_string());
    ok(fx
        .admin
        .post(
            &format!("/api/v1/orders/{oid2}/status"),
            &json!({"status": "cancelled"}),
        )
        .await);
    assert_eq!(items(&fx, &oid2).await[0]["status"], "revealed");
    assert_eq!(counts(&fx, &pid).await, (4, 0, 0, 1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancellation_shopee_undoes_is_allocated_afresh_exactly_once() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "AS-BACK", &make_keys("ASBCK", 3)).await;
    let o = report(&ext, "BACK-1", "READY_TO_SHIP", "AS-BACK", 1).await;
    let oid = id_of(&o);
    assert_eq!(
        report(&ext, "BACK-1", "IN_CANCEL", "AS-BACK", 1).await["status"],
        "cancelled"
    );
    assert_eq!(counts(&fx, &pid).await, (3, 0, 0, 0, 0));
    // The seller refused the cancellation on Shopee: paid again, reported twice.
    for _ in 0..2 {
        let again = report(&ext, "BACK-1", "READY_TO_SHIP", "AS-BACK", 1).await;
        assert_eq!(again["status"], "delivering", "{again}");
    }
    assert_eq!(counts(&fx, &pid).await, (2, 1, 0, 0, 0), "allocated once");
    let sent = drain_deliveries(&ext).await;
    assert_eq!(sent.len(), 1, "one delivery: {sent:?}");
    assert_eq!(
        keys_in(sent[0]["message"].as_str().unwrap(), "ASBCK").len(),
        1
    );
    let detail = order_detail(&fx.admin, &oid, false).await;
    assert_eq!(detail["status"], "delivered");
    assert_eq!(
        trail_codes_of(&detail)
            .iter()
            .filter(|c| *c == "reopened")
            .count(),
        1,
        "{:?}",
        trail_codes_of(&detail)
    );

    // A cancellation the seller made in AUTO is theirs: a page still showing paid keeps it.
    let o = report(&ext, "BACK-2", "paid", "AS-BACK", 1).await;
    ok(fx
        .admin
        .post(
            &format!("/api/v1/orders/{}/status", id_of(&o)),
            &json!({"status": "cancelled", "reason": "out of region"}),
        )
        .await);
    assert_eq!(
        report(&ext, "BACK-2", "READY_TO_SHIP", "AS-BACK", 1).await["status"],
        "cancelled"
    );
    assert_eq!(counts(&fx, &pid).await, (2, 0, 1, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_key_is_replaced_with_and_without_stock_and_never_sent_again() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let keys = make_keys("ASRPL", 2);
    let pid = product_with(&fx, "AS-RPL", &keys).await;
    let o = report(&ext, "RPL-1", "paid", "AS-RPL", 1).await;
    let oid = id_of(&o);
    let first = drain_deliveries(&ext).await;
    let first_key = keys_in(first[0]["message"].as_str().unwrap(), "ASRPL")[0].clone();
    let held = items(&fx, &oid).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["status"], "delivered");

    // Replaced from stock: the old one bad, a fresh one in a replacement message.
    let r = ok(replace(&fx, &oid, &held[0], "buyer says: already redeemed").await);
    assert_eq!(r["waiting"], false, "{r}");
    assert!(r["delivery_id"].is_i64(), "{r}");
    // A double click: the same request again replaces nothing more.
    assert_error(
        &replace(&fx, &oid, &held[0], "buyer says: already redeemed").await,
        409,
        "conflict",
    );
    let now = items(&fx, &oid).await;
    let bad = with_status(&now, "bad");
    let fresh = with_status(&now, "allocated");
    assert_eq!((bad.len(), fresh.len()), (1, 1), "{now:?}");
    assert_eq!(bad[0]["note"], "buyer says: already redeemed");
    assert_eq!(bad[0]["replaced_by"], fresh[0]["id"]);
    assert_eq!(fresh[0]["replaces"], bad[0]["id"]);
    assert_eq!(counts(&fx, &pid).await, (0, 1, 0, 0, 1));
    let detail = order_detail(&fx.admin, &oid, false).await;
    let ev = event(&detail, "key_replaced");
    assert_eq!(ev["params"]["old"], bad[0]["masked"]);
    assert_eq!(ev["params"]["new"], fresh[0]["masked"]);
    assert!(
        !ev["reason"].as_str().unwrap().contains(&first_key),
        "masked in the trail"
    );
    let out = pending(&ext).await;
    assert_eq!(out.len(), 1);
    let text = out[0]["message"].as_str().unwrap();
    assert!(
        text.starts_with("Hi buyer_rpl-1, here is a replacement for your Product AS-RPL (RPL-1):"),
        "{text}"
    );
    assert!(text.contains("Redeem it in the app."), "{text}");
    let second_key = keys_in(text, "ASRPL");
    assert_eq!(second_key.len(), 1);
    assert_ne!(second_key[0], first_key);
    let mut later_texts = vec![text.to_string()];
    confirm(&ext, &id_of(&out[0])).await;
    let detail = order_detail(&fx.admin, &oid, false).await;
    assert_eq!(detail["status"], "delivered");
    assert!(trail_codes_of(&detail).contains(&"replacement_confirmed".to_string()));

    // Replace the replacement: no stock left, so it waits; an import sends it.
    let now = items(&fx, &oid).await;
    let current = with_status(&now, "delivered")[0].clone();
    let r = ok(replace(&fx, &oid, &current, "does not work either").await);
    assert_eq!(r["waiting"], true, "{r}");
    assert!(r["replacement"].is_null());
    assert!(pending(&ext).await.is_empty(), "nothing to send yet");
    let detail = order_detail(&fx.admin, &oid, false).await;
    assert_eq!(
        event(&detail, "replacement_waiting")["params"]["product"],
        "Product AS-RPL"
    );
    let waiting = items(&fx, &oid).await;
    assert!(
        waiting.iter().any(|i| i["replacement_waiting"] == true),
        "{waiting:?}"
    );
    assert_error(
        &replace(&fx, &oid, &current, "again").await,
        409,
        "conflict",
    );
    let third = make_keys("ASRP3", 1);
    let summary = import_keys(&fx.admin, &pid, &third).await;
    assert_eq!(summary["waiting_delivered"], 1, "{summary}");
    let out = pending(&ext).await;
    assert_eq!(out.len(), 1);
    let text = out[0]["message"].as_str().unwrap();
    assert_eq!(keys_in(text, "ASRP3"), third);
    later_texts.push(text.to_string());
    confirm(&ext, &id_of(&out[0])).await;
    let done = items(&fx, &oid).await;
    assert_eq!(with_status(&done, "bad").len(), 2);
    assert_eq!(with_status(&done, "delivered").len(), 1);
    assert!(done.iter().all(|i| i["replacement_waiting"] == false));

    // A resend carries what the order holds now: never a bad key.
    ok(fx
        .admin
        .post(&format!("/api/v1/orders/{oid}/resend"), &json!({}))
        .await);
    let out = pending(&ext).await;
    assert_eq!(out.len(), 1);
    later_texts.push(out[0]["message"].as_str().unwrap().to_string());
    for t in &later_texts[1..] {
        assert!(!t.contains(&first_key), "the first bad key went again: {t}");
    }
    for t in &later_texts[2..] {
        assert!(
            !t.contains(&second_key[0]),
            "the second bad key went again: {t}"
        );
    }
    assert!(later_texts[2].contains(&third[0]));
    // The same in what the seller sees of every delivery after the first.
    let shown = order_detail(&fx.admin, &oid, true).await;
    for d in shown["deliveries"].as_array().unwrap().iter().skip(1) {
        assert!(!d["message"].as_str().unwrap().contains(&first_key), "{d}");
    }
    assert_eq!(counts(&fx, &pid).await, (0, 0, 1, 0, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replacing_one_item_of_three_replaces_only_that_one() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "AS-THREE", &make_keys("AS3KY", 5)).await;
    let o = report(&ext, "THREE-1", "paid", "AS-THREE", 3).await;
    let oid = id_of(&o);
    let sent = drain_deliveries(&ext).await;
    let original = keys_in(sent[0]["message"].as_str().unwrap(), "AS3KY");
    assert_eq!(original.len(), 3);
    let before = items(&fx, &oid).await;
    assert_eq!(with_status(&before, "delivered").len(), 3);
    let r = ok(replace(&fx, &oid, &before[1], "region locked").await);
    let now: Vec<Value> = r["items"].as_array().unwrap().clone();
    assert_eq!(now.len(), 4, "{now:?}");
    for i in [0, 2] {
        let same = now.iter().find(|x| x["id"] == before[i]["id"]).unwrap();
        assert_eq!(same["status"], "delivered", "untouched: {same}");
        assert!(same["replaced_by"].is_null());
    }
    assert_eq!(
        now.iter().find(|x| x["id"] == before[1]["id"]).unwrap()["status"],
        "bad"
    );
    let out = pending(&ext).await;
    assert_eq!(out.len(), 1);
    let keys = keys_in(out[0]["message"].as_str().unwrap(), "AS3KY");
    assert_eq!(keys.len(), 1, "one key in the replacement: {keys:?}");
    assert!(!original.contains(&keys[0]));
    assert_eq!(counts(&fx, &pid).await, (1, 1, 2, 0, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replacing_an_item_not_yet_sent_withdraws_the_delivery_that_carries_it() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "AS-WAIT", &make_keys("ASWAI", 4)).await;
    let o = report(&ext, "WAIT-1", "paid", "AS-WAIT", 2).await;
    let oid = id_of(&o);
    let before = items(&fx, &oid).await;
    assert_eq!(with_status(&before, "allocated").len(), 2);
    let bad_masked = before[0]["masked"].clone();
    ok(replace(&fx, &oid, &before[0], "the seller spotted a typo").await);
    // One delivery goes: the order's other key and the fresh one, the bad one nowhere.
    let out = pending(&ext).await;
    assert_eq!(out.len(), 1, "{out:?}");
    let keys = keys_in(out[0]["message"].as_str().unwrap(), "ASWAI");
    assert_eq!(keys.len(), 2, "{keys:?}");
    let now = items(&fx, &oid).await;
    let bad = with_status(&now, "bad");
    assert_eq!(bad[0]["masked"], bad_masked);
    let detail = order_detail(&fx.admin, &oid, false).await;
    let cancelled = detail["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "cancelled")
        .count();
    assert_eq!(cancelled, 1, "the first delivery was withdrawn");
    // While the extension holds it, another replacement on it must wait.
    let allocated = with_status(&now, "allocated");
    assert_error(
        &replace(&fx, &oid, allocated[0], "again").await,
        409,
        "conflict",
    );
    confirm(&ext, &id_of(&out[0])).await;
    assert_eq!(
        order_detail(&fx.admin, &oid, false).await["status"],
        "delivered"
    );
    assert_eq!(counts(&fx, &pid).await, (1, 0, 2, 0, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_replace_and_release_requests_are_refused_and_change_nothing() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "AS-BAD", &make_keys("ASBAD", 5)).await;
    let a = id_of(&report(&ext, "BAD-A", "paid", "AS-BAD", 1).await);
    let b = id_of(&report(&ext, "BAD-B", "paid", "AS-BAD", 1).await);
    drain_deliveries(&ext).await;
    let item_a = items(&fx, &a).await[0].clone();
    let item_b = items(&fx, &b).await[0].clone();
    let snapshot = |fx: &Fixture| {
        let admin = fx.admin.clone();
        let (a, b, pid) = (a.clone(), b.clone(), pid.clone());
        async move {
            (
                ok(admin.get(&format!("/api/v1/orders/{a}/items")).await),
                ok(admin.get(&format!("/api/v1/orders/{b}/items")).await),
                ok(admin.get(&format!("/api/v1/products/{pid}/stock")).await),
                order_detail(&admin, &a, false).await["trail"].clone(),
            )
        }
    };
    let before = snapshot(&fx).await;

    // An item of another order, an unknown item, an unknown order.
    assert_error(&replace(&fx, &a, &item_b, "broken").await, 404, "not_found");
    let unknown = json!({"id": 999_999_999});
    assert_error(
        &replace(&fx, &a, &unknown, "broken").await,
        404,
        "not_found",
    );
    assert_error(
        &replace(&fx, "999999999", &item_a, "broken").await,
        404,
        "not_found",
    );
    // An item still in the pool.
    let page = ok(fx
        .admin
        .get(&format!(
            "/api/v1/products/{pid}/stock/items?status=available"
        ))
        .await);
    let available = page["items"][0].clone();
    assert!(available["id"].is_i64(), "{page}");
    assert_error(
        &replace(&fx, &a, &available, "broken").await,
        409,
        "conflict",
    );
    // Reasons: empty, blank, too long, with control characters, missing, wrong type.
    for reason in ["", "   ", &"x".repeat(201), "bad\u{7}key", "two\nlines"] {
        assert_error(
            &replace(&fx, &a, &item_a, reason).await,
            422,
            "invalid_input",
        );
    }
    let path = format!("/api/v1/orders/{a}/items/{}/replace", id_of(&item_a));
    assert_error(
        &fx.admin.post(&path, &json!({})).await,
        422,
        "invalid_input",
    );
    assert_error(
        &fx.admin.post(&path, &json!({"reason": 5})).await,
        422,
        "invalid_input",
    );
    assert_error(
        &fx.admin
            .post(&path, &json!({"reason": "x", "extra": true}))
            .await,
        422,
        "invalid_input",
    );
    // A delivered item is not held: no decision to make; an unknown action is refused.
    let release = format!("/api/v1/orders/{a}/items/{}/release", id_of(&item_a));
    assert_error(
        &fx.admin.post(&release, &json!({"action": "pool"})).await,
        409,
        "conflict",
    );
    assert_error(
        &fx.admin.post(&release, &json!({"action": "burn"})).await,
        422,
        "invalid_input",
    );
    // The extension may not replace keys.
    let (status, _) = ext.post(&path, &json!({"reason": "broken"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(snapshot(&fx).await, before, "nothing changed");

    // An order that left gets no replacement.
    ok(fx
        .admin
        .post(
            &format!("/api/v1/orders/{b}/status"),
            &json!({"status": "refunded"}),
        )
        .await);
    let held = items(&fx, &b).await[0].clone();
    assert_eq!(held["status"], "revealed");
    assert_error(&replace(&fx, &b, &held, "broken").await, 409, "conflict");
}

/// The order's deliveries as the seller sees them (texts revealed only when `reveal`).
async fn deliveries(fx: &Fixture, oid: &str, reveal: bool) -> Vec<Value> {
    order_detail(&fx.admin, oid, reveal).await["deliveries"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivered_order_shopee_reopens_gets_its_own_key_back_never_a_second_one() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "AS-KEEP", &make_keys("ASKEP", 4)).await;
    // Delivered in the buyer's chat, then the buyer asks to cancel (IN_CANCEL).
    let o = report(&ext, "KEEP-1", "READY_TO_SHIP", "AS-KEEP", 1).await;
    let oid = id_of(&o);
    let sent = drain_deliveries(&ext).await;
    let key = keys_in(sent[0]["message"].as_str().unwrap(), "ASKEP");
    assert_eq!(counts(&fx, &pid).await, (3, 0, 1, 0, 0));
    assert_eq!(
        report(&ext, "KEEP-1", "IN_CANCEL", "AS-KEEP", 1).await["status"],
        "cancelled"
    );
    assert_eq!(counts(&fx, &pid).await, (3, 0, 0, 1, 0), "held");

    // The seller turned the request down: Shopee shows it shipped again, twice.
    for _ in 0..2 {
        let again = report(&ext, "KEEP-1", "SHIPPED", "AS-KEEP", 1).await;
        assert_eq!(again["status"], "delivered", "{again}");
        assert!(again["attention_reason"].is_null(), "{again}");
    }
    assert!(pending(&ext).await.is_empty(), "no second delivery");
    assert_eq!(counts(&fx, &pid).await, (3, 0, 1, 0, 0), "no new item");
    let held = items(&fx, &oid).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["status"], "delivered");
    let shown = deliveries(&fx, &oid, true).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(keys_in(shown[0]["message"].as_str().unwrap(), "ASKEP"), key);
    let detail = order_detail(&fx.admin, &oid, false).await;
    let c = trail_codes_of(&detail);
    assert_eq!(c.iter().filter(|c| *c == "reopened").count(), 1, "{c:?}");
    assert_eq!(event(&detail, "items_given_back")["params"]["count"], 1);
    assert_eq!(event(&detail, "reopened")["to"], "delivered", "{detail}");
    assert_eq!(
        c.iter().filter(|c| *c == "allocated").count(),
        1,
        "allocated once, at the sale: {c:?}"
    );

    // Reported completed instead: completed, still nothing sent again.
    let o = report(&ext, "KEEP-2", "READY_TO_SHIP", "AS-KEEP", 1).await;
    drain_deliveries(&ext).await;
    report(&ext, "KEEP-2", "IN_CANCEL", "AS-KEEP", 1).await;
    let again = report(&ext, "KEEP-2", "COMPLETED", "AS-KEEP", 1).await;
    assert_eq!(again["status"], "completed", "{again}");
    assert!(pending(&ext).await.is_empty());
    assert_eq!(deliveries(&fx, &id_of(&o), false).await.len(), 1);
    assert_eq!(counts(&fx, &pid).await, (2, 0, 2, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reopened_order_whose_delivery_never_went_out_sends_the_same_text_once() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "AS-RESUME", &make_keys("ASRSM", 5)).await;

    // Shown to the seller, not sent yet, when the buyer asked to cancel.
    let o = report(&ext, "RSM-1", "READY_TO_SHIP", "AS-RESUME", 2).await;
    let oid = id_of(&o);
    let first = deliveries(&fx, &oid, true).await;
    assert_eq!(first.len(), 1);
    report(&ext, "RSM-1", "IN_CANCEL", "AS-RESUME", 2).await;
    assert_eq!(deliveries(&fx, &oid, false).await[0]["status"], "cancelled");
    assert_eq!(counts(&fx, &pid).await, (3, 0, 0, 2, 0));
    let again = report(&ext, "RSM-1", "READY_TO_SHIP", "AS-RESUME", 2).await;
    assert_eq!(again["status"], "delivering", "{again}");
    assert_eq!(counts(&fx, &pid).await, (3, 2, 0, 0, 0), "no new item");
    let out = pending(&ext).await;
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0]["id"], first[0]["id"], "the same delivery resumes");
    assert_eq!(out[0]["message"], first[0]["message"], "the same text");
    confirm(&ext, &id_of(&out[0])).await;
    assert!(pending(&ext).await.is_empty());
    let detail = order_detail(&fx.admin, &oid, false).await;
    assert_eq!(detail["status"], "delivered");
    assert_eq!(event(&detail, "items_given_back")["params"]["count"], 2);
    assert!(trail_codes_of(&detail).contains(&"delivery_resumed".to_string()));
    assert_eq!(counts(&fx, &pid).await, (3, 0, 2, 0, 0));

    // Leased by the extension when cancelled: the extension that holds it confirms it, once;
    // nothing else is queued meanwhile.
    let o = report(&ext, "RSM-2", "paid", "AS-RESUME", 1).await;
    let oid = id_of(&o);
    let leased = pending(&ext).await;
    assert_eq!(leased.len(), 1);
    report(&ext, "RSM-2", "IN_CANCEL", "AS-RESUME", 1).await;
    let again = report(&ext, "RSM-2", "paid", "AS-RESUME", 1).await;
    assert_eq!(again["status"], "delivering", "{again}");
    assert!(pending(&ext).await.is_empty(), "still leased, no copy");
    confirm(&ext, &id_of(&leased[0])).await;
    let shown = deliveries(&fx, &oid, false).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["status"], "sent");
    assert_eq!(
        order_detail(&fx.admin, &oid, false).await["status"],
        "delivered"
    );
    assert_eq!(counts(&fx, &pid).await, (2, 0, 3, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reopened_order_whose_items_the_seller_released_waits_and_sends_nothing() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = product_with(&fx, "AS-GONE", &make_keys("ASGON", 5)).await;
    let o = report(&ext, "GONE-1", "READY_TO_SHIP", "AS-GONE", 2).await;
    let oid = id_of(&o);
    drain_deliveries(&ext).await;
    report(&ext, "GONE-1", "IN_CANCEL", "AS-GONE", 2).await;
    let held = items(&fx, &oid).await;
    assert_eq!(with_status(&held, "revealed").len(), 2);
    // The seller voids one; the other still waits for a decision.
    ok(fx
        .admin
        .post(
            &format!("/api/v1/orders/{oid}/items/{}/release", id_of(&held[0])),
            &json!({ "action": "void", "reason": "buyer kept it" }),
        )
        .await);
    assert_eq!(counts(&fx, &pid).await, (3, 0, 0, 1, 1));

    for _ in 0..2 {
        let again = report(&ext, "GONE-1", "READY_TO_SHIP", "AS-GONE", 2).await;
        assert_eq!(again["status"], "needs_attention", "{again}");
        assert_eq!(again["attention_reason"], "reopened_items_gone", "{again}");
        assert_eq!(again["attention_params"]["status"], "paid", "{again}");
    }
    assert!(pending(&ext).await.is_empty(), "nothing sent by itself");
    assert_eq!(deliveries(&fx, &oid, false).await.len(), 1);
    // The item still held is the order's again; the voided one stays void; none new.
    assert_eq!(counts(&fx, &pid).await, (3, 0, 1, 0, 1));
    let now = items(&fx, &oid).await;
    assert_eq!(with_status(&now, "delivered").len(), 1, "{now:?}");
    assert_eq!(with_status(&now, "bad").len(), 1, "{now:?}");
    let detail = order_detail(&fx.admin, &oid, false).await;
    let c = trail_codes_of(&detail);
    assert_eq!(c.iter().filter(|c| *c == "reopened").count(), 1, "{c:?}");
    assert_eq!(event(&detail, "items_given_back")["params"]["count"], 1);
    assert!(c.contains(&"reopened_items_gone".to_string()), "{c:?}");

    // The seller marks it delivered: done, still nothing sent.
    ok(fx
        .admin
        .post(
            &format!("/api/v1/orders/{oid}/deliver"),
            &json!({ "mode": "manual", "note": "buyer has the other key" }),
        )
        .await);
    assert_eq!(
        order_detail(&fx.admin, &oid, false).await["status"],
        "delivered"
    );
    assert!(pending(&ext).await.is_empty());
}
