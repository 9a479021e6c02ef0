//! Killing the engine at any instant loses nothing and duplicates nothing.

mod support;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use rand::Rng;
use reqwest::StatusCode;
use support::*;

const SHOP: &str = "shopee-vn-crash";
const SKU: &str = "CRASH-KEY";
const ORDERS: usize = 240;
const KEYS: usize = 400;
const CRASHES: usize = 6;

fn order_sn(i: usize) -> String {
    format!("CRASH{i:04}")
}

/// Every fifth order buys two keys, so multi-item allocation is crashed too.
fn quantity(i: usize) -> i64 {
    if i % 5 == 0 {
        2
    } else {
        1
    }
}

/// Posts orders from `queue` until it is empty or the server goes away. An order is `acked`
/// only when the server answered; anything in flight when it died goes back to `retry`.
async fn post_orders(api: Api, queue: Arc<Mutex<VecDeque<usize>>>, acked: Arc<Mutex<HashSet<usize>>>, retry: Arc<Mutex<Vec<usize>>>) {
    loop {
        let Some(i) = queue.lock().unwrap().pop_front() else { return };
        match api.try_post("/api/v1/orders", &paid_order(SHOP, &order_sn(i), SKU, quantity(i))).await {
            Ok((StatusCode::OK, reply)) => {
                let status = reply["order"]["status"].as_str().unwrap_or_default().to_string();
                assert!(matches!(status.as_str(), "delivering" | "delivered"), "order {i} acked as {reply}");
                acked.lock().unwrap().insert(i);
            }
            Ok((status, reply)) => panic!("order {i}: unexpected {status} {reply}"),
            Err(_) => {
                retry.lock().unwrap().push(i);
                // The server is gone: whatever is still queued waits for the next one.
                let rest: Vec<usize> = queue.lock().unwrap().drain(..).collect();
                retry.lock().unwrap().extend(rest);
                return;
            }
        }
    }
}

/// Fetches and confirms deliveries, as the extension would, until the server goes away.
async fn confirm_deliveries(ext: Api) {
    loop {
        let Ok((StatusCode::OK, page)) = ext.try_get("/api/v1/deliveries?status=pending&limit=20").await else { return };
        let batch = page["deliveries"].as_array().cloned().unwrap_or_default();
        if batch.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for d in batch {
            let path = format!("/api/v1/deliveries/{}/confirm", id_of(&d));
            match ext.try_post(&path, &serde_json::json!({})).await {
                Ok((StatusCode::OK, _)) => {}
                Ok((status, reply)) => panic!("confirm {path}: {status} {reply}"),
                Err(_) => return,
            }
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
    let keys = make_keys("CRK", KEYS);
    assert_eq!(import_keys(&admin, &pid, &keys).await["imported"], KEYS);

    let mut order_ids: Vec<usize> = (0..ORDERS).collect();
    order_ids.shuffle(&mut rand::thread_rng());
    let mut fresh: VecDeque<usize> = order_ids.into();
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let mut retry: Vec<usize> = Vec::new();

    for crash in 0..CRASHES {
        // This epoch's work: what was in flight at the last crash, a slice of new orders, and
        // a few already-acknowledged orders sent again (as an extension catching up would).
        let mut work: Vec<usize> = std::mem::take(&mut retry);
        work.extend(fresh.drain(..(ORDERS / (CRASHES + 1)).min(fresh.len())));
        let again: Vec<usize> = acked.lock().unwrap().iter().copied().take(10).collect();
        work.extend(again);
        work.shuffle(&mut rand::thread_rng());
        let queue = Arc::new(Mutex::new(VecDeque::from(work)));
        let retried = Arc::new(Mutex::new(Vec::new()));

        let api = server.api(Some(&admin_token));
        let ext = server.api(Some(&ext_token));
        let mut tasks: Vec<_> = (0..4)
            .map(|_| tokio::spawn(post_orders(api.clone(), queue.clone(), acked.clone(), retried.clone())))
            .collect();
        tasks.push(tokio::spawn(confirm_deliveries(ext)));

        // Not an assertion: this picks the instant of the crash.
        let delay = rand::thread_rng().gen_range(20..400);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.kill();
        for t in tasks {
            t.await.unwrap_or_else(|e| panic!("client task failed in epoch {crash}: {e}"));
        }
        retry = std::mem::take(&mut *retried.lock().unwrap());
        retry.extend(queue.lock().unwrap().drain(..));
        server = Server::start_with(dir.path(), options.clone());
    }

    // The last life: everything not yet acknowledged, then every order once more.
    let api = server.api(Some(&admin_token));
    let ext = server.api(Some(&ext_token));
    let mut rest: Vec<usize> = retry.into_iter().chain(fresh).collect();
    rest.extend(0..ORDERS);
    for i in rest {
        let order = post_order(&api, &paid_order(SHOP, &order_sn(i), SKU, quantity(i))).await;
        assert!(matches!(order["status"].as_str(), Some("delivering" | "delivered")), "{order}");
    }

    // Deliveries leased before a crash come back after the 1 s offer timeout.
    let deadline = Instant::now() + Duration::from_secs(90);
    let orders = loop {
        drain_deliveries(&ext).await;
        let orders = list_all_orders(&api, "").await;
        if orders.iter().all(|o| o["status"] == "delivered") {
            break orders;
        }
        assert!(Instant::now() < deadline, "orders never all delivered: {:?}", statuses(&orders));
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    let expected: HashSet<String> = (0..ORDERS).map(order_sn).collect();
    let got: HashSet<String> = orders.iter().map(|o| o["order_sn"].as_str().unwrap().to_string()).collect();
    assert_eq!(orders.len(), ORDERS, "one order per order_sn");
    assert_eq!(got, expected);

    let imported: HashSet<&String> = keys.iter().collect();
    let mut owner: HashMap<String, String> = HashMap::new();
    for o in &orders {
        let sn = o["order_sn"].as_str().unwrap().to_string();
        let i: usize = sn.trim_start_matches("CRASH").parse().unwrap();
        let detail = order_detail(&api, &id_of(o), true).await;
        let deliveries = detail["deliveries"].as_array().unwrap();
        assert_eq!(deliveries.len(), 1, "exactly one delivery for {sn}: {detail}");
        assert_eq!(deliveries[0]["status"], "sent", "{detail}");
        let mine: HashSet<String> = keys_in(deliveries[0]["message"].as_str().unwrap(), "CRK").into_iter().collect();
        assert_eq!(mine.len() as i64, quantity(i), "{sn} gets its {} keys: {detail}", quantity(i));
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
    assert_eq!(counts["total"], KEYS, "{counts}");
    assert_eq!(counts["available"].as_u64().unwrap() as usize + delivered, KEYS, "no key lost: {counts}");
}

fn statuses(orders: &[serde_json::Value]) -> HashMap<String, usize> {
    orders.iter().fold(HashMap::new(), |mut m, o| {
        *m.entry(o["status"].to_string()).or_default() += 1;
        m
    })
}
