//! Killing the engine at any instant loses nothing and duplicates nothing.

use crate::support;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::seq::{IteratorRandom, SliceRandom};
use rand::Rng;
use reqwest::StatusCode;
use serde_json::json;
use support::*;

const SHOP: &str = "shopee-vn-crash";
const SKU: &str = "CRASH-KEY";
const ORDERS: usize = 240;
const KEYS: usize = 400;
/// A second stock file, imported while the engine is killed.
const LATE_KEYS: usize = 100;
const CRASHES: usize = 6;

fn order_sn(i: usize) -> String {
    format!("CRASH{i:04}")
}

/// Every fifth order buys two keys, so multi-item allocation is crashed too.
fn quantity(i: usize) -> i64 {
    if i.is_multiple_of(5) {
        2
    } else {
        1
    }
}

/// What the clients of one engine life share.
#[derive(Default)]
struct Life {
    /// New orders not yet sent in this life.
    queue: Mutex<VecDeque<usize>>,
    /// Orders whose post got no answer: they may or may not have been stored.
    in_flight: Mutex<Vec<usize>>,
    /// Answers received in this life (new or repeated orders, confirms).
    answers: AtomicUsize,
}

/// Posts queued orders, then keeps re-sending acknowledged ones (as an extension catching up
/// does), until the server goes away; so there is always a request in flight at the kill.
async fn post_orders(api: Api, life: Arc<Life>, acked: Arc<Mutex<HashSet<usize>>>) {
    loop {
        let next = life.queue.lock().unwrap().pop_front();
        let next = next.or_else(|| {
            acked
                .lock()
                .unwrap()
                .iter()
                .copied()
                .choose(&mut rand::thread_rng())
        });
        let Some(i) = next else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        match api
            .try_post(
                "/api/v1/orders",
                &paid_order(SHOP, &order_sn(i), SKU, quantity(i)),
            )
            .await
        {
            Ok((StatusCode::OK, reply)) => {
                let status = reply["order"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                assert!(
                    matches!(status.as_str(), "delivering" | "delivered"),
                    "order {i} acked as {reply}"
                );
                acked.lock().unwrap().insert(i);
                life.answers.fetch_add(1, Ordering::SeqCst);
            }
            Ok((status, reply)) => panic!("order {i}: unexpected {status} {reply}"),
            Err(_) => {
                life.in_flight.lock().unwrap().push(i);
                return;
            }
        }
    }
}

/// Fetches and confirms deliveries, as the extension would, until the server goes away.
async fn confirm_deliveries(ext: Api, life: Arc<Life>) {
    loop {
        let Ok((StatusCode::OK, page)) = ext
            .try_get("/api/v1/deliveries?status=pending&limit=20")
            .await
        else {
            return;
        };
        let batch = page["deliveries"].as_array().cloned().unwrap_or_default();
        if batch.is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        for d in batch {
            let path = format!("/api/v1/deliveries/{}/confirm", id_of(&d));
            match ext.try_post(&path, &json!({})).await {
                Ok((StatusCode::OK, _)) => life.answers.fetch_add(1, Ordering::SeqCst),
                Ok((status, reply)) => panic!("confirm {path}: {status} {reply}"),
                Err(_) => return,
            };
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_engine_at_random_moments_loses_and_duplicates_no_key() {
    let dir = data_dir();
    let options = ServeOptions::default().with_env("AUTO_OFFER_TIMEOUT_SECS", "1");
    let mut server = Server::start_with(dir.path(), options.clone());
    let (admin_token, ext_token) = (token(dir.path(), "admin"), token(dir.path(), "extension"));
    let admin = server.api(Some(&admin_token));
    let pid = id_of(&create_product(&admin, &product_body(SKU)).await);
    let keys = make_keys("CRK", KEYS + LATE_KEYS);
    let (first_keys, late_keys) = keys.split_at(KEYS);
    assert_eq!(
        import_keys(&admin, &pid, first_keys).await["imported"],
        KEYS
    );

    let mut order_ids: Vec<usize> = (0..ORDERS).collect();
    order_ids.shuffle(&mut rand::thread_rng());
    let mut fresh: VecDeque<usize> = order_ids.into();
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let mut in_flight: Vec<usize> = Vec::new();

    for crash in 0..CRASHES {
        let slice = ORDERS / (CRASHES + 1);
        let mut work: Vec<usize> = std::mem::take(&mut in_flight);
        work.extend(fresh.drain(..slice.min(fresh.len())));
        let life = Arc::new(Life {
            queue: Mutex::new(work.into()),
            ..Default::default()
        });
        let api = server.api(Some(&admin_token));
        let mut tasks: Vec<_> = (0..4)
            .map(|_| tokio::spawn(post_orders(api.clone(), life.clone(), acked.clone())))
            .collect();
        tasks.push(tokio::spawn(confirm_deliveries(
            server.api(Some(&ext_token)),
            life.clone(),
        )));
        let import = (crash == 2).then(|| {
            let (api, pid, late) = (api.clone(), pid.clone(), late_keys.to_vec());
            tokio::spawn(async move {
                api.try_post(
                    &format!("/api/v1/products/{pid}/stock"),
                    &json!({ "items": late }),
                )
                .await
            })
        });

        // The crash comes after a random number of answers, while clients are mid-request.
        let target = rand::thread_rng().gen_range(1..=slice);
        let deadline = Instant::now() + Duration::from_secs(30);
        while life.answers.load(Ordering::SeqCst) < target {
            assert!(
                Instant::now() < deadline,
                "epoch {crash}: the server stopped answering"
            );
            tokio::time::sleep(Duration::from_micros(
                rand::thread_rng().gen_range(100..2000),
            ))
            .await;
        }
        server.kill();
        for t in tasks {
            t.await
                .unwrap_or_else(|e| panic!("client task failed in epoch {crash}: {e}"));
        }
        if let Some(import) = import {
            let outcome = import.await.unwrap();
            eprintln!("import during crash {crash}: {:?}", outcome.map(|(s, _)| s));
        }
        in_flight = std::mem::take(&mut *life.in_flight.lock().unwrap());
        in_flight.extend(life.queue.lock().unwrap().drain(..));
        let acked_now = acked.lock().unwrap().len();
        eprintln!(
            "crash {crash}: after {target} answers; {acked_now} orders acked, {} to resend",
            in_flight.len()
        );

        server = Server::start_with(dir.path(), options.clone());
        let total = stock(&server.api(Some(&admin_token)), &pid).await["total"]
            .as_u64()
            .unwrap() as usize;
        assert!(
            total == KEYS || total == KEYS + LATE_KEYS,
            "a stock import is all or nothing, total {total}"
        );
    }

    // The last life: the interrupted import again (duplicates are skipped), everything not yet
    // acknowledged, then every order once more.
    let api = server.api(Some(&admin_token));
    let ext = server.api(Some(&ext_token));
    let again = import_keys(&api, &pid, late_keys).await;
    let skipped = again["duplicates"].as_array().unwrap().len();
    assert!(
        again["imported"] == LATE_KEYS || skipped == LATE_KEYS,
        "import was half-done: {again}"
    );
    let mut rest: Vec<usize> = in_flight.into_iter().chain(fresh).collect();
    rest.extend(0..ORDERS);
    for i in rest {
        let order = post_order(&api, &paid_order(SHOP, &order_sn(i), SKU, quantity(i))).await;
        assert!(
            matches!(order["status"].as_str(), Some("delivering" | "delivered")),
            "{order}"
        );
    }

    // Deliveries leased before a crash come back after the 1 s offer timeout.
    let deadline = Instant::now() + Duration::from_secs(90);
    let orders = loop {
        drain_deliveries(&ext).await;
        let orders = list_all_orders(&api, "").await;
        if orders.iter().all(|o| o["status"] == "delivered") {
            break orders;
        }
        assert!(
            Instant::now() < deadline,
            "orders never all delivered: {:?}",
            statuses(&orders)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    let expected: HashSet<String> = (0..ORDERS).map(order_sn).collect();
    let got: HashSet<String> = orders
        .iter()
        .map(|o| o["order_sn"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(orders.len(), ORDERS, "one order per order_sn");
    assert_eq!(got, expected);

    let imported: HashSet<&String> = keys.iter().collect();
    let mut owner: HashMap<String, String> = HashMap::new();
    for o in &orders {
        let sn = o["order_sn"].as_str().unwrap().to_string();
        let i: usize = sn.trim_start_matches("CRASH").parse().unwrap();
        let detail = order_detail(&api, &id_of(o), true).await;
        let deliveries = detail["deliveries"].as_array().unwrap();
        assert_eq!(
            deliveries.len(),
            1,
            "exactly one delivery for {sn}: {detail}"
        );
        assert_eq!(deliveries[0]["status"], "sent", "{detail}");
        let mine: HashSet<String> = keys_in(deliveries[0]["message"].as_str().unwrap(), "CRK")
            .into_iter()
            .collect();
        assert_eq!(
            mine.len() as i64,
            quantity(i),
            "{sn} gets its {} keys: {detail}",
            quantity(i)
        );
        for k in mine {
            assert!(imported.contains(&k), "{k} was never imported");
            if let Some(other) = owner.insert(k.clone(), sn.clone()) {
                panic!("key {k} delivered to both {other} and {sn}");
            }
        }
    }

    let delivered = owner.len();
    assert_eq!(delivered as i64, (0..ORDERS).map(quantity).sum::<i64>());
    let counts = stock(&api, &pid).await;
    assert_eq!(counts["total"], KEYS + LATE_KEYS, "{counts}");
    let available = counts["available"].as_u64().unwrap() as usize;
    assert_eq!(
        available + delivered,
        KEYS + LATE_KEYS,
        "no key lost: {counts}"
    );
}

fn statuses(orders: &[serde_json::Value]) -> HashMap<String, usize> {
    orders.iter().fold(HashMap::new(), |mut m, o| {
        *m.entry(o["status"].to_string()).or_default() += 1;
        m
    })
}
