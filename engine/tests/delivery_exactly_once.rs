//! A stock item is delivered to exactly one order, once, however the orders arrive.

use crate::support;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use rand::seq::SliceRandom;
use reqwest::StatusCode;
use serde_json::json;
use support::*;

const SHOP: &str = "shopee-id-1001";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_orders_from_sixteen_clients_each_sent_twice_get_five_hundred_distinct_keys() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let product = create_product(&fx.admin, &product_body("EXO-KEY")).await;
    let pid = id_of(&product);
    let keys = make_keys("EXO", 500);
    let summary = import_keys(&fx.admin, &pid, &keys).await;
    assert_eq!(summary["imported"], 500, "{summary}");

    // Every order twice, shuffled, spread over 16 concurrent clients.
    let mut sends: Vec<usize> = (0..500).chain(0..500).collect();
    sends.shuffle(&mut rand::thread_rng());
    let sends = Arc::new(sends);
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (client, sends) = (ext.clone(), sends.clone());
        tasks.push(tokio::spawn(async move {
            for i in sends.iter().skip(worker).step_by(16) {
                let order = post_order(
                    &client,
                    &paid_order(SHOP, &format!("EXO{i:04}"), "EXO-KEY", 1),
                )
                .await;
                assert_eq!(
                    order["status"], "delivering",
                    "a paid order with stock is delivering at once: {order}"
                );
            }
        }));
    }
    for t in tasks {
        t.await.expect("client task");
    }
    let counts = stock(&fx.admin, &pid).await;
    assert_eq!(counts["available"], 0, "{counts}");
    assert_eq!(counts["total"], 500, "{counts}");

    let delivered = drain_deliveries(&ext).await;
    assert_eq!(delivered.len(), 500, "one delivery per order");
    let ids: HashSet<String> = delivered.iter().map(id_of).collect();
    assert_eq!(ids.len(), 500, "no delivery is offered twice");
    let order_sns: HashSet<&str> = delivered
        .iter()
        .map(|d| d["order_sn"].as_str().unwrap())
        .collect();
    assert_eq!(order_sns.len(), 500, "every order got exactly one delivery");

    let imported: HashSet<&String> = keys.iter().collect();
    let mut seen = HashSet::new();
    for d in &delivered {
        let message = d["message"].as_str().expect("delivery has a message");
        let found = keys_in(message, "EXO");
        assert_eq!(found.len(), 1, "exactly one key per message: {message:?}");
        assert!(
            imported.contains(&found[0]),
            "key {} was never imported",
            found[0]
        );
        assert!(
            seen.insert(found[0].clone()),
            "key {} delivered twice",
            found[0]
        );
    }
    assert_eq!(seen.len(), 500);

    let orders = list_all_orders(&fx.admin, "").await;
    assert_eq!(
        orders.len(),
        500,
        "sending each order twice made one order each"
    );
    for o in &orders {
        assert_eq!(o["status"], "delivered", "{o}");
    }
    assert_eq!(stock(&fx.admin, &pid).await["available"], 0);
    assert!(
        drain_deliveries(&ext).await.is_empty(),
        "nothing is left in the outbox"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_quantity_of_three_delivers_three_distinct_keys_in_one_message() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("Q3-KEY")).await);
    let keys = make_keys("QTY", 5);
    import_keys(&fx.admin, &pid, &keys).await;

    let order = post_order(&ext, &paid_order(SHOP, "Q3-0001", "Q3-KEY", 3)).await;
    assert_eq!(order["status"], "delivering", "{order}");
    assert_eq!(stock(&fx.admin, &pid).await["available"], 2);

    let delivered = drain_deliveries(&ext).await;
    assert_eq!(
        delivered.len(),
        1,
        "quantity n is one message, not n: {delivered:?}"
    );
    let message = delivered[0]["message"].as_str().unwrap();
    let found: BTreeSet<String> = keys_in(message, "QTY").into_iter().collect();
    assert_eq!(found.len(), 3, "three distinct keys in {message:?}");
    assert!(
        found.iter().all(|k| keys.contains(k)),
        "keys come from stock: {found:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_out_of_stock_order_is_delivered_automatically_when_stock_arrives() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("OOS-KEY")).await);

    let order = post_order(&ext, &paid_order(SHOP, "OOS-0001", "OOS-KEY", 2)).await;
    assert_eq!(order["status"], "needs_attention", "{order}");
    assert_eq!(order["attention_reason"], "out_of_stock", "{order}");
    assert!(
        drain_deliveries(&ext).await.is_empty(),
        "nothing to deliver without stock"
    );

    let keys = make_keys("OOS", 2);
    import_keys(&fx.admin, &pid, &keys).await;
    let oid = id_of(&order);
    let admin = fx.admin.clone();
    eventually(
        Duration::from_secs(10),
        "the waiting order to be allocated",
        || {
            let (admin, oid) = (admin.clone(), oid.clone());
            async move {
                let o = order_detail(&admin, &oid, false).await;
                (o["status"] == "delivering").then_some(())
            }
        },
    )
    .await;
    assert_eq!(stock(&fx.admin, &pid).await["available"], 0);

    let delivered = drain_deliveries(&ext).await;
    assert_eq!(delivered.len(), 1);
    let found: BTreeSet<String> = keys_in(delivered[0]["message"].as_str().unwrap(), "OOS")
        .into_iter()
        .collect();
    assert_eq!(found, keys.iter().cloned().collect::<BTreeSet<_>>());
    assert_eq!(
        order_detail(&fx.admin, &oid, false).await["status"],
        "delivered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_resend_repeats_the_same_keys_without_allocating_a_new_one() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("RS-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("RSK", 3)).await;
    let oid = id_of(&post_order(&ext, &paid_order(SHOP, "RS-0001", "RS-KEY", 1)).await);
    let first = drain_deliveries(&ext).await;
    assert_eq!(first.len(), 1);
    let first_keys = keys_in(first[0]["message"].as_str().unwrap(), "RSK");
    assert_eq!(first_keys.len(), 1);

    let (status, reply) = fx
        .admin
        .post(&format!("/api/v1/orders/{oid}/resend"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_ne!(
        id_of(&reply["delivery"]),
        id_of(&first[0]),
        "a resend is a new delivery"
    );
    assert_eq!(
        stock(&fx.admin, &pid).await["available"],
        2,
        "a resend allocates nothing"
    );

    let again = drain_deliveries(&ext).await;
    assert_eq!(again.len(), 1, "the resend is in the outbox");
    assert_eq!(
        again[0]["message"], first[0]["message"],
        "same message, same key"
    );

    let detail = order_detail(&fx.admin, &oid, true).await;
    assert_eq!(detail["status"], "delivered", "{detail}");
    let deliveries = detail["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2, "{detail}");
    for d in deliveries {
        assert_eq!(keys_in(d["message"].as_str().unwrap(), "RSK"), first_keys);
        assert_eq!(d["status"], "sent");
    }
    assert_eq!(stock(&fx.admin, &pid).await["available"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_confirms_of_the_same_delivery_change_it_once() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("CC-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("CCK", 1)).await;
    let oid = id_of(&post_order(&ext, &paid_order(SHOP, "CC-0001", "CC-KEY", 1)).await);
    let page = ok(ext.get("/api/v1/deliveries?status=pending&limit=10").await);
    let did = id_of(&page["deliveries"][0]);

    let confirms: Vec<_> = (0..16)
        .map(|_| {
            let (ext, did) = (ext.clone(), did.clone());
            tokio::spawn(async move { confirm(&ext, &did).await })
        })
        .collect();
    let mut confirmed_at = HashSet::new();
    for c in confirms {
        let reply = c.await.expect("confirm task");
        assert_eq!(reply["order"]["status"], "delivered", "{reply}");
        confirmed_at.insert(reply["delivery"]["confirmed_at"].to_string());
    }
    assert_eq!(
        confirmed_at.len(),
        1,
        "repeated confirms do not change the delivery: {confirmed_at:?}"
    );

    let detail = order_detail(&fx.admin, &oid, false).await;
    assert_eq!(
        detail["deliveries"].as_array().unwrap().len(),
        1,
        "{detail}"
    );
    assert_eq!(detail["deliveries"][0]["status"], "sent");
    let to_delivered = detail["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["to"] == "delivered")
        .count();
    assert_eq!(
        to_delivered, 1,
        "one trail entry for one transition: {}",
        detail["trail"]
    );

    let unknown = unknown_id_like(&did);
    let (status, body) = ext
        .post(&format!("/api/v1/deliveries/{unknown}/confirm"), &json!({}))
        .await;
    assert_error(&(status, body), 404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fetched_delivery_is_offered_again_only_after_its_offer_timeout() {
    let fx = Fixture::with(ServeOptions::default().with_env("AUTO_OFFER_TIMEOUT_SECS", "1"));
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("LEASE-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("LSE", 2)).await;
    post_order(&ext, &paid_order(SHOP, "LEASE-1", "LEASE-KEY", 1)).await;

    let first = ok(ext.get("/api/v1/deliveries?status=pending&limit=10").await);
    assert_eq!(first["deliveries"].as_array().unwrap().len(), 1, "{first}");
    let did = id_of(&first["deliveries"][0]);
    let second = ok(ext.get("/api/v1/deliveries?status=pending&limit=10").await);
    assert!(
        second["deliveries"].as_array().unwrap().is_empty(),
        "a leased delivery is not offered twice: {second}"
    );

    let offered = eventually(
        Duration::from_secs(15),
        "the unconfirmed delivery to be offered again",
        || {
            let ext = ext.clone();
            async move {
                let page = ok(ext.get("/api/v1/deliveries?status=pending&limit=10").await);
                page["deliveries"].as_array().unwrap().first().cloned()
            }
        },
    )
    .await;
    assert_eq!(
        id_of(&offered),
        did,
        "the same delivery comes back, not a new one"
    );
    assert_eq!(offered["message"], first["deliveries"][0]["message"]);
    confirm(&ext, &did).await;
    assert_eq!(
        stock(&fx.admin, &pid).await["available"],
        1,
        "re-offering allocates nothing"
    );

    // The order_sn filter narrows the outbox.
    post_order(&ext, &paid_order(SHOP, "LEASE-2", "LEASE-KEY", 1)).await;
    let none = ok(ext
        .get("/api/v1/deliveries?status=pending&order_sn=NOPE")
        .await);
    assert!(none["deliveries"].as_array().unwrap().is_empty(), "{none}");
    let one = ok(ext
        .get("/api/v1/deliveries?status=pending&order_sn=LEASE-2")
        .await);
    let counts: HashMap<&str, usize> =
        one["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .fold(HashMap::new(), |mut m, d| {
                *m.entry(d["order_sn"].as_str().unwrap()).or_default() += 1;
                m
            });
    assert_eq!(counts, HashMap::from([("LEASE-2", 1)]), "{one}");
}
