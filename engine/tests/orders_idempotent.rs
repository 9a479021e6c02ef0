//! The same order reported any number of times is one order; its status only moves forward;
//! listings find every order exactly once.

use crate::support;

use std::collections::{BTreeSet, HashMap};

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::*;

const SHOP: &str = "shopee-id-idem";

/// Checks that a trail is a chain of real transitions: each entry starts where the last one
/// ended, and none goes from a status to itself.
fn assert_trail_is_a_chain(detail: &Value) {
    let trail = detail["trail"].as_array().unwrap();
    for t in trail {
        assert_ne!(t["from"], t["to"], "a trail entry that moves nothing: {t}");
        assert!(
            t["at"].is_string() && t["actor"].is_string(),
            "trail entry needs at and actor: {t}"
        );
    }
    for w in trail.windows(2) {
        assert_eq!(
            w[0]["to"], w[1]["from"],
            "trail is not a chain: {}",
            detail["trail"]
        );
    }
    if let Some(last) = trail.last() {
        assert_eq!(
            last["to"], detail["status"],
            "the trail ends at the current status: {detail}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_order_reported_again_is_one_order_with_one_trail_entry_per_transition() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("IDEM-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("IDK", 5)).await;

    let unpaid = order(SHOP, "IDEM-1", "unpaid", "IDEM-KEY", 1);
    let first = post_order(&ext, &unpaid).await;
    assert_eq!(first["status"], "unpaid");
    let id = id_of(&first);
    let t1 = order_detail(&fx.admin, &id, false).await;
    let again = post_order(&ext, &unpaid).await;
    assert_eq!(id_of(&again), id, "same shop + order_sn is the same order");
    assert_eq!(
        order_detail(&fx.admin, &id, false).await["trail"],
        t1["trail"],
        "a repeat is not a transition"
    );

    let paid = post_order(&ext, &paid_order(SHOP, "IDEM-1", "IDEM-KEY", 1)).await;
    assert_eq!(
        (id_of(&paid), paid["status"].as_str()),
        (id.clone(), Some("delivering")),
        "{paid}"
    );
    let t2 = order_detail(&fx.admin, &id, false).await;
    assert!(
        t2["trail"].as_array().unwrap().len() > t1["trail"].as_array().unwrap().len(),
        "{t2}"
    );
    assert_trail_is_a_chain(&t2);

    // Late or repeated reports never move it back and never allocate again.
    for status in ["paid", "paid", "unpaid", "UNPAID", "READY_TO_SHIP"] {
        let o = post_order(&ext, &order(SHOP, "IDEM-1", status, "IDEM-KEY", 1)).await;
        assert_eq!(o["status"], "delivering", "after a late {status}: {o}");
    }
    let t3 = order_detail(&fx.admin, &id, false).await;
    assert_eq!(t3["trail"], t2["trail"]);
    assert_eq!(t3["deliveries"].as_array().unwrap().len(), 1, "{t3}");
    assert_eq!(stock(&fx.admin, &pid).await["available"], 4);

    assert_eq!(drain_deliveries(&ext).await.len(), 1);
    let completed = post_order(&ext, &order(SHOP, "IDEM-1", "COMPLETED", "IDEM-KEY", 1)).await;
    assert_eq!(completed["status"], "completed", "{completed}");
    let late = post_order(&ext, &order(SHOP, "IDEM-1", "SHIPPED", "IDEM-KEY", 1)).await;
    assert_eq!(late["status"], "completed", "{late}");
    let done = order_detail(&fx.admin, &id, false).await;
    assert_trail_is_a_chain(&done);
    assert_eq!(list_all_orders(&fx.admin, "q=IDEM-1").await.len(), 1);

    // The same order_sn in another shop is another order.
    let elsewhere = post_order(
        &ext,
        &order("shopee-my-other", "IDEM-1", "unpaid", "IDEM-KEY", 1),
    )
    .await;
    assert_ne!(id_of(&elsewhere), id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shopee_status_names_map_to_internal_statuses() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("MAP-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("MPK", 5)).await;
    for (sn, shopee, internal) in [
        ("MAP-1", "UNPAID", "unpaid"),
        ("MAP-2", "READY_TO_SHIP", "delivering"),
        ("MAP-3", "PROCESSED", "delivering"),
        ("MAP-4", "SHIPPED", "delivering"),
        ("MAP-5", "CANCELLED", "cancelled"),
    ] {
        let o = post_order(&fx.admin, &order(SHOP, sn, shopee, "MAP-KEY", 1)).await;
        assert_eq!(o["status"], internal, "{shopee}: {o}");
    }
    assert_eq!(stock(&fx.admin, &pid).await["available"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_of_one_hundred_with_one_invalid_order_accepts_ninety_nine() {
    let fx = Fixture::new();
    let ext = fx.extension();
    create_product(&fx.admin, &product_body("BATCH-KEY")).await;
    let orders: Vec<Value> = (0..100)
        .map(|i| {
            order(
                SHOP,
                &format!("BATCH{i:03}"),
                "unpaid",
                "BATCH-KEY",
                if i == 37 { 0 } else { 1 },
            )
        })
        .collect();
    for round in 0..2 {
        let (status, reply) = ext
            .post("/api/v1/orders", &json!({ "orders": orders }))
            .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        assert_eq!(
            reply["orders"].as_array().unwrap().len(),
            99,
            "round {round}"
        );
        let rejected = reply["rejected"].as_array().unwrap();
        assert_eq!(rejected.len(), 1, "{reply}");
        assert_eq!(rejected[0]["index"], 37);
        assert_eq!(rejected[0]["order_sn"], "BATCH037");
        assert_eq!(
            rejected[0]["error"]["code"], "invalid_input",
            "{}",
            rejected[0]
        );
    }
    let all = list_all_orders(&fx.admin, "").await;
    assert_eq!(
        all.len(),
        99,
        "sending the batch twice made no extra orders"
    );
    assert!(all.iter().all(|o| o["order_sn"] != "BATCH037"));
}

fn sns(orders: &[Value]) -> BTreeSet<String> {
    orders
        .iter()
        .map(|o| o["order_sn"].as_str().unwrap().to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| format!("FLT-{s}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_listings_filter_by_status_text_dates_and_product() {
    let fx = Fixture::new();
    let a = id_of(&create_product(&fx.admin, &product_body("FLT-A")).await);
    let b = id_of(&create_product(&fx.admin, &product_body("FLT-B")).await);
    import_keys(&fx.admin, &a, &make_keys("FLK", 10)).await;
    let table = [
        ("01", "unpaid", "FLT-A", "2024-02-15T10:00:00Z", "buyer_ana"),
        (
            "02",
            "unpaid",
            "FLT-B",
            "2024-03-10T10:00:00Z",
            "buyer_budi",
        ),
        (
            "03",
            "paid",
            "FLT-A",
            "2024-03-12T10:00:00Z",
            "siti_nurhaliza",
        ),
        ("04", "paid", "FLT-A", "2024-03-20T10:00:00Z", "buyer_citra"),
        (
            "05",
            "paid",
            "FLT-B",
            "2024-03-25T10:00:00Z",
            "siti_nurhaliza",
        ),
        (
            "06",
            "cancelled",
            "FLT-A",
            "2024-04-05T10:00:00Z",
            "buyer_dewi",
        ),
        ("07", "paid", "FLT-B", "2024-04-06T10:00:00Z", "buyer_eko"),
    ];
    for (n, status, sku, created, user) in table {
        let mut body = order(SHOP, &format!("FLT-{n}"), status, sku, 1);
        body["created_at"] = json!(created);
        body["buyer"]["username"] = json!(user);
        let o = post_order(&fx.admin, &body).await;
        let at = chrono::DateTime::parse_from_rfc3339(o["created_at"].as_str().unwrap()).unwrap();
        assert_eq!(
            at,
            chrono::DateTime::parse_from_rfc3339(created).unwrap(),
            "created_at is kept: {o}"
        );
    }
    let cases: Vec<(String, BTreeSet<String>)> = vec![
        ("status=unpaid".into(), set(&["01", "02"])),
        ("status=delivering".into(), set(&["03", "04"])),
        ("status=needs_attention".into(), set(&["05", "07"])),
        ("status=cancelled".into(), set(&["06"])),
        ("q=siti_nurhaliza".into(), set(&["03", "05"])),
        ("q=FLT-04".into(), set(&["04"])),
        (
            "from=2024-03-01T00:00:00Z&to=2024-03-31T23:59:59Z".into(),
            set(&["02", "03", "04", "05"]),
        ),
        ("from=2024-04-01T00:00:00Z".into(), set(&["06", "07"])),
        ("to=2024-02-28T00:00:00Z".into(), set(&["01"])),
        (format!("product_id={a}"), set(&["01", "03", "04", "06"])),
        (format!("product_id={b}"), set(&["02", "05", "07"])),
        (format!("status=delivering&product_id={b}"), set(&[])),
        (
            "status=needs_attention&from=2024-04-01T00:00:00Z".into(),
            set(&["07"]),
        ),
        ("q=siti_nurhaliza&status=delivering".into(), set(&["03"])),
    ];
    for (query, expected) in cases {
        assert_eq!(
            sns(&list_all_orders(&fx.admin, &query).await),
            expected,
            "GET /orders?{query}"
        );
    }
    assert_error(
        &fx.admin.get("/api/v1/orders?status=bogus").await,
        422,
        "invalid_input",
    );
    assert_error(
        &fx.admin.get("/api/v1/orders?from=yesterday").await,
        422,
        "invalid_input",
    );
}

/// 120 orders whose created_at values tie in groups of seven, so pages split ties.
async fn post_120_orders(api: &Api) -> BTreeSet<String> {
    let orders: Vec<Value> = (0..120)
        .map(|i| {
            let mut o = order(SHOP, &format!("PAGE{i:03}"), "unpaid", "PAGE-KEY", 1);
            o["created_at"] = json!(format!("2024-05-01T08:{:02}:00Z", i / 7));
            o
        })
        .collect();
    let reply = ok(api
        .post("/api/v1/orders", &json!({ "orders": orders }))
        .await);
    assert_eq!(
        reply["orders"].as_array().unwrap().len(),
        120,
        "{}",
        reply["rejected"]
    );
    reply["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

async fn page(api: &Api, cursor: &Option<String>) -> (Vec<String>, Option<String>) {
    let mut path = "/api/v1/orders?limit=50".to_string();
    if let Some(c) = cursor {
        path.push_str(&format!("&cursor={}", urlencode(c)));
    }
    let reply = ok(api.get(&path).await);
    let ids = reply["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    (ids, reply["next_cursor"].as_str().map(str::to_string))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cursor_paging_over_120_orders_returns_each_exactly_once() {
    let fx = Fixture::new();
    create_product(&fx.admin, &product_body("PAGE-KEY")).await;
    let created = post_120_orders(&fx.admin).await;
    let (mut seen, mut sizes, mut cursor) = (HashMap::<String, usize>::new(), Vec::new(), None);
    for _ in 0..10 {
        let (ids, next) = page(&fx.admin, &cursor).await;
        sizes.push(ids.len());
        for id in ids {
            *seen.entry(id).or_default() += 1;
        }
        cursor = next;
        if cursor.is_none() {
            break;
        }
    }
    assert!(cursor.is_none(), "paging did not end within 10 pages");
    assert_eq!(sizes, vec![50, 50, 20]);
    assert!(seen.values().all(|n| *n == 1), "an order appeared twice");
    assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paging_stays_exact_while_new_orders_arrive() {
    let fx = Fixture::new();
    create_product(&fx.admin, &product_body("PAGE-KEY")).await;
    let created = post_120_orders(&fx.admin).await;
    let (mut seen, mut cursor) = (HashMap::<String, usize>::new(), None);
    for round in 0..10 {
        let (ids, next) = page(&fx.admin, &cursor).await;
        for id in ids {
            *seen.entry(id).or_default() += 1;
        }
        // New orders arrive between pages, with current and with old timestamps.
        for k in 0..5u32 {
            let mut o = order(SHOP, &format!("LATE{round}-{k}"), "unpaid", "PAGE-KEY", 1);
            if k.is_multiple_of(2) {
                o["created_at"] = json!("2024-05-01T08:08:00Z");
            }
            post_order(&fx.admin, &o).await;
        }
        cursor = next;
        if cursor.is_none() {
            break;
        }
    }
    assert!(cursor.is_none(), "paging did not end");
    for id in &created {
        assert_eq!(
            seen.get(id),
            Some(&1),
            "order {id} must be listed exactly once"
        );
    }
    assert!(seen.values().all(|n| *n == 1), "no order is listed twice");
}
