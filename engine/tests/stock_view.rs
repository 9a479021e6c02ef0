//! Stock you can see: a product's items listed masked, filtered and paged; finding which order
//! got a code; withdrawing and exporting unsold items; batch labels; low stock said once.

use crate::support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

const SHOP: &str = "shopee-id-stockview";

/// Imports key strings with a batch label in the JSON body (asserting 200).
async fn import_batch(api: &Api, pid: &str, keys: &[String], batch: &str) -> Value {
    ok(api
        .post(
            &format!("/api/v1/products/{pid}/stock"),
            &json!({ "items": keys, "batch": batch }),
        )
        .await)
}

async fn list(api: &Api, pid: &str, query: &str) -> Value {
    ok(api
        .get(&format!("/api/v1/products/{pid}/stock/items?{query}"))
        .await)
}

fn items(page: &Value) -> Vec<Value> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {page}"))
        .clone()
}

/// Every item of a listing, following `next_after` to the end.
async fn list_all(api: &Api, pid: &str, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after: Option<i64> = None;
    for _ in 0..1000 {
        let q = match after {
            Some(a) => format!("{query}&after={a}"),
            None => query.to_string(),
        };
        let page = list(api, pid, &q).await;
        all.extend(items(&page));
        match page["next_after"].as_i64() {
            Some(next) => after = Some(next),
            None => return all,
        }
    }
    panic!("more than 1000 pages");
}

async fn sell(ext: &Api, sn: &str, sku: &str, quantity: i64) -> Value {
    post_order(ext, &paid_order(SHOP, sn, sku, quantity)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_products_items_are_listed_masked_with_status_batch_and_order_filtered_and_paged() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("SV-LIST")).await);
    let keys_a = make_keys("SVA", 120);
    let keys_b = make_keys("SVB", 30);
    let report = import_batch(&fx.admin, &pid, &keys_a, "  invoice A  ").await;
    assert_eq!(report["batch"], "invoice A", "trimmed: {report}");
    let (status, report) = fx
        .admin
        .raw(
            Method::POST,
            &format!("/api/v1/products/{pid}/stock?batch=invoice%20B"),
            "text/plain",
            keys_b.join("\n"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["imported"], 30);

    // Three sold: the oldest items go first; one of the deliveries is confirmed in chat.
    let first = sell(&ext, "SV-L-1", "SV-LIST", 1).await;
    sell(&ext, "SV-L-2", "SV-LIST", 2).await;
    let pending = ok(ext.get("/api/v1/deliveries?status=pending&limit=50").await);
    let first_delivery = pending["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["order_id"] == first["id"])
        .unwrap_or_else(|| panic!("no delivery for the first order: {pending}"))
        .clone();
    confirm(&ext, &id_of(&first_delivery)).await;

    let counts = stock(&fx.admin, &pid).await;
    assert_eq!(counts["total"], 150, "{counts}");
    assert_eq!(counts["available"], 147, "{counts}");
    assert_eq!(counts["allocated"], 3, "{counts}");
    assert_eq!(counts["by_status"]["delivered"], 1, "{counts}");
    assert_eq!(counts["by_status"]["allocated"], 2, "{counts}");

    // The default page: 50 items, oldest first, masked, never a plain code.
    let page = list(&fx.admin, &pid, "").await;
    assert_eq!(page["total"], 150);
    let shown = items(&page);
    assert_eq!(shown.len(), 50);
    let text = page.to_string();
    for key in keys_a.iter().chain(&keys_b) {
        assert!(!text.contains(key.as_str()), "{key} in plain in the list");
    }
    let item0 = &shown[0];
    assert_eq!(item0["status"], "delivered", "{item0}");
    assert_eq!(item0["order"]["order_sn"], "SV-L-1", "{item0}");
    assert_eq!(item0["order"]["id"], first["id"], "{item0}");
    assert_eq!(item0["batch"], "invoice A");
    assert!(item0["imported_at"].is_string(), "{item0}");
    let masked = item0["masked"].as_str().unwrap();
    assert!(
        masked.starts_with("SVA-") && masked.contains('•'),
        "{masked}"
    );
    assert_eq!(
        &masked[masked.len() - 3..],
        &keys_a[0][keys_a[0].len() - 3..],
        "the end of the code shows: {masked} for {}",
        keys_a[0]
    );
    assert!(shown[3]["order"].is_null(), "an unsold item has no order");

    // Keyset paging walks every item once, in id order.
    let all = list_all(&fx.admin, &pid, "limit=7").await;
    let ids: Vec<i64> = all.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 150);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats");
    // Numbered pages: the third page of 50 is the last 50.
    let third = list(&fx.admin, &pid, "page=3&limit=50").await;
    assert_eq!(
        items(&third)
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        ids[100..]
    );
    assert!(third["next_after"].is_null());
    assert!(items(&list(&fx.admin, &pid, "page=4&limit=50").await).is_empty());

    // Filters.
    let delivered = list_all(&fx.admin, &pid, "status=delivered").await;
    assert_eq!(delivered.len(), 1);
    let allocated = list_all(&fx.admin, &pid, "status=allocated").await;
    assert_eq!(allocated.len(), 2);
    assert!(allocated.iter().all(|i| i["order"]["order_sn"] == "SV-L-2"));
    let b = list_all(&fx.admin, &pid, "batch=invoice%20B").await;
    assert_eq!(b.len(), 30);
    assert!(b
        .iter()
        .all(|i| i["batch"] == "invoice B" && i["status"] == "available"));
    let a_unsold = list(
        &fx.admin,
        &pid,
        "status=available&batch=invoice%20A&limit=500",
    )
    .await;
    assert_eq!(a_unsold["total"], 117);
    assert_eq!(items(&a_unsold).len(), 117);

    // Bad input says what is wrong and changes nothing.
    for query in [
        "limit=0",
        "limit=-1",
        "limit=100000",
        "limit=ten",
        "page=0",
        "page=-2",
        "after=-5",
        "after=3&page=2",
        "status=sold",
        "batch=a%01b",
    ] {
        let reply = fx
            .admin
            .get(&format!("/api/v1/products/{pid}/stock/items?{query}"))
            .await;
        assert_error(&reply, 400, "bad_request");
    }
    assert_error(
        &fx.admin.get("/api/v1/products/999999/stock/items").await,
        404,
        "not_found",
    );
    let mut link = product_body("SV-LINK");
    link["kind"] = json!("link");
    link["content"] = json!("https://example.com/course");
    let link_id = id_of(&create_product(&fx.admin, &link).await);
    assert_error(
        &fx.admin
            .get(&format!("/api/v1/products/{link_id}/stock/items"))
            .await,
        422,
        "invalid_input",
    );
    assert_error(
        &ext.get(&format!("/api/v1/products/{pid}/stock/items"))
            .await,
        403,
        "forbidden",
    );
    assert_eq!(stock(&fx.admin, &pid).await["total"], 150);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn find_by_code_names_the_order_of_a_delivered_code_and_says_when_no_item_has_it() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("SV-FIND")).await);
    let other = id_of(&create_product(&fx.admin, &product_body("SV-FIND-2")).await);
    let keys = make_keys("SVF", 5);
    import_batch(&fx.admin, &pid, &keys, "lot-9").await;
    let order = sell(&ext, "SV-F-1", "SV-FIND", 1).await;
    let sent = drain_deliveries(&ext).await;
    assert_eq!(sent.len(), 1);
    let delivered_key = keys_in(sent[0]["message"].as_str().unwrap(), "SVF");
    assert_eq!(delivered_key, [keys[0].clone()], "the oldest key went out");

    // The buyer quotes the key (with a stray space): it went to order SV-F-1.
    let found = ok(fx
        .admin
        .post(
            "/api/v1/stock/find",
            &json!({ "code": format!(" {} ", keys[0]) }),
        )
        .await);
    let hits = found["found"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{found}");
    assert_eq!(hits[0]["product_id"].to_string(), pid);
    assert_eq!(hits[0]["product_sku"], "SV-FIND");
    assert_eq!(hits[0]["item"]["status"], "delivered", "{found}");
    assert_eq!(hits[0]["item"]["order"]["order_sn"], "SV-F-1");
    assert_eq!(hits[0]["item"]["order"]["id"], order["id"]);
    assert_eq!(hits[0]["item"]["batch"], "lot-9");
    assert!(
        !found.to_string().contains(&keys[0]),
        "the answer masks the code: {found}"
    );

    // An unsold key: found, no order.
    let found = ok(fx
        .admin
        .post("/api/v1/stock/find", &json!({ "code": keys[3] }))
        .await);
    assert_eq!(found["found"][0]["item"]["status"], "available", "{found}");
    assert!(found["found"][0]["item"]["order"].is_null(), "{found}");

    // Unknown, in another product, or empty.
    for body in [
        json!({ "code": "SVF-NEVER-IMPORTED" }),
        json!({ "code": keys[0].to_lowercase() }),
        json!({ "code": keys[3], "product_id": other.parse::<i64>().unwrap() }),
    ] {
        let reply = fx.admin.post("/api/v1/stock/find", &body).await;
        assert_error(&reply, 404, "not_found");
        assert!(
            reply.1["error"]["message"]
                .as_str()
                .unwrap()
                .contains("stock item with this code"),
            "{}",
            reply.1
        );
    }
    assert_error(
        &fx.admin
            .post("/api/v1/stock/find", &json!({ "code": "  " }))
            .await,
        422,
        "invalid_input",
    );
    assert_error(
        &ext.post("/api/v1/stock/find", &json!({ "code": keys[0] }))
            .await,
        403,
        "forbidden",
    );

    // An account is found by its username, shown masked, never with its password.
    let mut account = product_body("SV-FIND-ACC");
    account["kind"] = json!("account");
    let acc = id_of(&create_product(&fx.admin, &account).await);
    let (status, report) = fx
        .admin
        .raw(
            Method::POST,
            &format!("/api/v1/products/{acc}/stock"),
            "text/plain",
            "budi.santoso@mail.id:rahasia-99\nsiti@mail.id:lain-77",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let found = ok(fx
        .admin
        .post(
            "/api/v1/stock/find",
            &json!({ "code": "Budi.Santoso@mail.id" }),
        )
        .await);
    assert_eq!(found["found"][0]["product_id"].to_string(), acc, "{found}");
    let masked = found["found"][0]["item"]["masked"].as_str().unwrap();
    assert!(
        masked.ends_with("@mail.id") && masked.contains('•'),
        "{masked}"
    );
    assert!(!found.to_string().contains("rahasia"), "{found}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn withdrawing_1000_items_hands_them_back_and_they_come_back_as_withdrawn_duplicates() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("SV-WD")).await);
    let keep = make_keys("SVK", 100);
    let out = make_keys("SVW", 1000);
    import_batch(&fx.admin, &pid, &keep, "keep").await;
    import_batch(&fx.admin, &pid, &out, "resell-elsewhere").await;
    sell(&ext, "SV-W-1", "SV-WD", 1).await;
    let sold_id = list(&fx.admin, &pid, "status=allocated").await["items"][0]["id"].clone();

    // Only unsold items leave: naming a sold one withdraws nothing.
    let some_unsold = list(&fx.admin, &pid, "status=available&limit=3").await;
    let mut ids: Vec<Value> = items(&some_unsold)
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    ids.push(sold_id);
    let reply = fx
        .admin
        .post(
            &format!("/api/v1/products/{pid}/stock/withdraw"),
            &json!({ "ids": ids }),
        )
        .await;
    assert_error(&reply, 409, "conflict");
    for body in [
        json!({}),
        json!({ "ids": [] }),
        json!({ "count": 0 }),
        json!({ "ids": [1], "count": 3 }),
        json!({ "batch": "x\u{7}y" }),
    ] {
        let reply = fx
            .admin
            .post(&format!("/api/v1/products/{pid}/stock/withdraw"), &body)
            .await;
        assert_error(&reply, 422, "invalid_input");
    }
    assert_eq!(stock(&fx.admin, &pid).await["available"], 1099);

    // The batch of 1,000 leaves the pool; the answer hands every code back in plain.
    let report = ok(fx
        .admin
        .post(
            &format!("/api/v1/products/{pid}/stock/withdraw"),
            &json!({ "batch": "resell-elsewhere" }),
        )
        .await);
    assert_eq!(report["withdrawn"], 1000, "{}", report["withdrawn"]);
    let handed: BTreeSet<String> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(handed, out.iter().cloned().collect::<BTreeSet<_>>());
    let counts = stock(&fx.admin, &pid).await;
    assert_eq!(counts["available"], 99, "{counts}");
    assert_eq!(counts["by_status"]["withdrawn"], 1000, "{counts}");
    assert_eq!(counts["total"], 1100, "{counts}");

    // Never sold again: 99 more orders take the kept keys only, the 100th waits.
    let mut batch = Vec::new();
    for i in 0..100 {
        batch.push(paid_order(SHOP, &format!("SV-W-B{i:03}"), "SV-WD", 1));
    }
    ok(ext
        .post("/api/v1/orders", &json!({ "orders": batch }))
        .await);
    let sent = drain_deliveries(&ext).await;
    assert_eq!(sent.len(), 100, "the first order and 99 of the batch");
    for d in &sent {
        assert!(
            keys_in(d["message"].as_str().unwrap(), "SVW").is_empty(),
            "a withdrawn key was sold"
        );
    }

    // Imported again: every one is a duplicate, and says it was withdrawn.
    let again = import_batch(&fx.admin, &pid, &out, "back").await;
    assert_eq!(again["imported"], 0, "{}", again["imported"]);
    let reasons: BTreeSet<&str> = again["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["reason"].as_str().unwrap())
        .collect();
    assert_eq!(again["duplicates"].as_array().unwrap().len(), 1000);
    assert_eq!(reasons, BTreeSet::from(["withdrawn"]));
    // A sold key is still `in_stock` (it was imported and went to an order).
    let sold_again = import_batch(&fx.admin, &pid, &keep[..1], "").await;
    assert_eq!(sold_again["duplicates"][0]["reason"], "in_stock");

    // The withdrawn codes can be downloaded again, and a withdrawal can answer as a file.
    let (status, headers, body) = fx
        .admin
        .request(
            Method::GET,
            &format!("/api/v1/products/{pid}/stock/export?format=txt&status=withdrawn"),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let lines: BTreeSet<String> = body.as_str().unwrap().lines().map(str::to_string).collect();
    assert_eq!(lines, handed);

    let more = make_keys("SVX", 3);
    let report = import_batch(&fx.admin, &pid, &more, "x").await;
    assert_eq!(
        report["waiting_delivered"], 1,
        "the 100th order takes the oldest: {report}"
    );
    let (status, headers, body) = fx
        .admin
        .request(
            Method::POST,
            &format!("/api/v1/products/{pid}/stock/withdraw?format=csv"),
            &[("content-type", "application/json")],
            Some(json!({ "batch": "x", "count": 2 }).to_string().into_bytes()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    let csv = body.as_str().unwrap();
    assert!(csv.starts_with("code,batch,imported_at\n"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains(&more[2]) && csv.contains(&more[1]),
        "newest first: {csv}"
    );
    assert!(!csv.contains(&more[0]), "sold to the waiting order: {csv}");
    assert_eq!(stock(&fx.admin, &pid).await["available"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unsold_items_export_as_txt_and_csv() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("SV-EXP")).await);
    let keys = make_keys("SVE", 4);
    import_batch(&fx.admin, &pid, &keys[..2], "march").await;
    import_batch(&fx.admin, &pid, &keys[2..], "april").await;
    sell(&ext, "SV-E-1", "SV-EXP", 1).await;

    let get = |path: String| {
        let api = fx.admin.clone();
        async move { api.request(Method::GET, &path, &[], None).await }
    };
    let (status, headers, body) =
        get(format!("/api/v1/products/{pid}/stock/export?format=txt")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("SV-EXP-stock.txt"));
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(
        body.as_str().unwrap(),
        format!("{}\n{}\n{}\n", keys[1], keys[2], keys[3]),
        "unsold only, oldest first"
    );

    let (status, headers, body) = get(format!(
        "/api/v1/products/{pid}/stock/export?format=csv&batch=april"
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let rows: Vec<Vec<String>> = body
        .as_str()
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows[0], ["code", "batch", "imported_at"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][0], keys[2]);
    assert_eq!(rows[1][1], "april");
    assert!(
        rows[1][2].starts_with("20"),
        "an RFC 3339 time: {:?}",
        rows[1]
    );

    // Accounts: username, password, notes; the TXT reads back as an import.
    let mut account = product_body("SV-EXP-ACC");
    account["kind"] = json!("account");
    let acc = id_of(&create_product(&fx.admin, &account).await);
    ok(fx
        .admin
        .post(
            &format!("/api/v1/products/{acc}/stock"),
            &json!({"items": [{"username": "a@x.id", "password": "p|w:1", "notes": "profil 2"}]}),
        )
        .await);
    let (_, _, body) = get(format!("/api/v1/products/{acc}/stock/export?format=csv")).await;
    let csv = body.as_str().unwrap();
    assert!(
        csv.starts_with("username,password,notes,batch,imported_at\n"),
        "{csv}"
    );
    assert!(csv.contains("a@x.id,p|w:1,profil 2,,"), "{csv}");
    let (_, _, body) = get(format!("/api/v1/products/{acc}/stock/export?format=txt")).await;
    assert_eq!(body.as_str().unwrap(), "a@x.id\tp|w:1\tprofil 2\n");

    for query in ["format=pdf", "status=delivered", "batch=%0A"] {
        let (status, _, body) = get(format!("/api/v1/products/{pid}/stock/export?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{body}");
    }
    let (status, _, _) = get("/api/v1/products/999999/stock/export".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = ext
        .request(
            Method::GET,
            &format!("/api/v1/products/{pid}/stock/export"),
            &[],
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the extension cannot export codes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_label_with_control_characters_or_too_long_is_refused_and_nothing_is_imported() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("SV-BATCH")).await);
    let keys = make_keys("SVL", 3);
    for batch in ["line\nbreak", "bell\u{7}", &"x".repeat(65)] {
        let reply = fx
            .admin
            .post(
                &format!("/api/v1/products/{pid}/stock"),
                &json!({ "items": keys, "batch": batch }),
            )
            .await;
        assert_error(&reply, 400, "bad_request");
    }
    for query in ["batch=tab%09here", "batch=%1B%5B31m"] {
        let reply = fx
            .admin
            .raw(
                Method::POST,
                &format!("/api/v1/products/{pid}/stock?{query}"),
                "text/plain",
                keys.join("\n"),
            )
            .await;
        assert_error(&reply, 400, "bad_request");
    }
    let reply = fx
        .admin
        .raw(
            Method::POST,
            &format!("/api/v1/products/{pid}/stock?batch=one"),
            "application/json",
            json!({ "items": keys, "batch": "two" }).to_string(),
        )
        .await;
    assert_error(&reply, 400, "bad_request");
    assert_eq!(stock(&fx.admin, &pid).await["total"], 0);
    // 64 characters (not bytes) is the limit.
    let report = import_batch(&fx.admin, &pid, &keys[..1], &"é".repeat(64)).await;
    assert_eq!(report["imported"], 1, "{report}");

    // The command line takes a label too, checked the same way.
    let mut server = fx.server;
    assert!(server.terminate().success());
    let file = fx.dir.path().join("keys.txt");
    std::fs::write(&file, keys[1..].join("\n")).unwrap();
    let refused = run_auto(
        fx.dir.path(),
        &[
            "import-stock",
            "SV-BATCH",
            file.to_str().unwrap(),
            "--batch",
            "bad\u{1}label",
        ],
    );
    assert!(!refused.status.success(), "{refused:?}");
    assert!(
        refused.stderr.contains("control characters"),
        "{}",
        refused.stderr
    );
    let out = run_auto(
        fx.dir.path(),
        &[
            "import-stock",
            "SV-BATCH",
            file.to_str().unwrap(),
            "--batch",
            "supplier 7",
        ],
    );
    out.assert_success("import-stock --batch");
    assert!(
        out.stdout.contains("imported 2 (batch 'supplier 7')"),
        "{}",
        out.stdout
    );
    let server = Server::start(fx.dir.path());
    let api = fx.admin.with_base(&server.url);
    let page = list(&api, &pid, "batch=supplier%207").await;
    assert_eq!(page["total"], 2, "{page}");
}

/// An open `GET /api/v1/events` stream, read into a buffer by a background task.
struct Events {
    buf: Arc<Mutex<String>>,
    ended: Arc<AtomicBool>,
}

impl Events {
    async fn open(api: &Api) -> Events {
        let mut resp = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(format!("{}/api/v1/events", api.base))
            .bearer_auth(api.token.as_deref().unwrap())
            .send()
            .await
            .expect("open the event stream");
        assert_eq!(resp.status(), StatusCode::OK);
        let buf = Arc::new(Mutex::new(String::new()));
        let ended = Arc::new(AtomicBool::new(false));
        let (b, e) = (buf.clone(), ended.clone());
        tokio::spawn(async move {
            while let Ok(Some(chunk)) = resp.chunk().await {
                b.lock().unwrap().push_str(&String::from_utf8_lossy(&chunk));
            }
            e.store(true, Ordering::SeqCst);
        });
        Events { buf, ended }
    }

    /// The data of every complete event named `name`.
    fn named(&self, name: &str) -> Vec<Value> {
        assert!(!self.ended.load(Ordering::SeqCst), "the event stream ended");
        let text = self.buf.lock().unwrap().replace("\r\n", "\n");
        let mut blocks: Vec<&str> = text.split("\n\n").collect();
        blocks.pop();
        blocks
            .into_iter()
            .filter(|b| {
                b.lines().any(|l| {
                    l.trim() == format!("event: {name}") || l.trim() == format!("event:{name}")
                })
            })
            .filter_map(|b| {
                let data: String = b
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                serde_json::from_str(&data).ok()
            })
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn low_stock_is_said_once_across_sales_and_cleared_by_an_import_that_delivers_the_waiting() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let mut body = product_body("SV-LOW");
    body["low_stock_threshold"] = json!(3);
    let pid = id_of(&create_product(&fx.admin, &body).await);
    import_keys(&fx.admin, &pid, &make_keys("SVLO", 6)).await;
    let events = Events::open(&fx.admin).await;
    let mine = |events: &Events| -> Vec<Value> {
        events
            .named("low_stock")
            .into_iter()
            .filter(|e| e["product_id"].as_i64() == pid.parse().ok())
            .collect()
    };

    // 6 → 5 → 4 → 3 (the crossing) → 2 → 1 → 0, then two orders wait.
    let mut since = Value::Null;
    for i in 1..=8 {
        let order = sell(&ext, &format!("SV-LO-{i}"), "SV-LOW", 1).await;
        let counts = stock(&fx.admin, &pid).await;
        if i < 3 {
            assert!(counts["low_stock_since"].is_null(), "sale {i}: {counts}");
        } else if i == 3 {
            since = counts["low_stock_since"].clone();
            assert!(since.is_string(), "the crossing sale marks it: {counts}");
        } else {
            assert_eq!(
                counts["low_stock_since"], since,
                "sale {i} changes nothing: {counts}"
            );
        }
        if i > 6 {
            assert_eq!(order["status"], "needs_attention", "{order}");
        }
    }
    let told = eventually(Duration::from_secs(10), "the low-stock event", || async {
        let told = mine(&events);
        (!told.is_empty()).then_some(told)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let told_after = mine(&events);
    assert_eq!(
        told_after.len(),
        1,
        "one notice for the crossing, not one per sale: {told_after:?}"
    );
    assert_eq!(told[0]["threshold"], 3);
    assert_eq!(
        told[0]["available"], 3,
        "told by the sale that crossed: {}",
        told[0]
    );
    assert_eq!(told[0]["name"], "Product SV-LOW");

    // The dashboard: one entry for the product, how many orders wait, since when.
    let dash = ok(fx
        .admin
        .get("/api/v1/stats/dashboard?days=7&tz_offset_minutes=420")
        .await);
    let entry = dash["stock_warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["product_id"].as_i64() == pid.parse().ok())
        .unwrap_or_else(|| panic!("no dashboard entry: {dash}"))
        .clone();
    assert_eq!(entry["available"], 0, "{entry}");
    assert_eq!(entry["waiting"], 2, "{entry}");
    assert_eq!(entry["low_since"], since, "{entry}");
    assert_eq!(stock(&fx.admin, &pid).await["waiting_orders"], 2);

    // A restock delivers the two waiting orders by itself and says so; 8 left is above 3.
    let report = import_keys(&fx.admin, &pid, &make_keys("SVLP", 10)).await;
    assert_eq!(report["waiting_delivered"], 2, "{report}");
    assert_eq!(report["still_waiting"], 0, "{report}");
    assert_eq!(report["available"], 8, "{report}");
    let counts = stock(&fx.admin, &pid).await;
    assert!(counts["low_stock_since"].is_null(), "cleared: {counts}");
    assert_eq!(counts["waiting_orders"], 0);
    // Nothing waits now: the button's retry has nothing to do.
    assert_eq!(
        ok(fx
            .admin
            .post("/api/v1/stock/deliver-waiting", &json!({}))
            .await)["delivering"],
        0
    );

    // Down again (8 → 3): a new crossing, a second notice.
    for i in 9..=13 {
        sell(&ext, &format!("SV-LO-{i}"), "SV-LOW", 1).await;
    }
    eventually(
        Duration::from_secs(10),
        "the second low-stock event",
        || async { (mine(&events).len() == 2).then_some(()) },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(mine(&events).len(), 2);
    assert_ne!(stock(&fx.admin, &pid).await["low_stock_since"], since);
}

/// The dashboard's low-stock entries for one product (there should be at most one).
async fn dashboard_entries(api: &Api, pid: &str) -> Vec<Value> {
    let dash = ok(api
        .get("/api/v1/stats/dashboard?days=7&tz_offset_minutes=420")
        .await);
    dash["stock_warnings"]
        .as_array()
        .unwrap_or_else(|| panic!("no stock_warnings: {dash}"))
        .iter()
        .filter(|w| w["product_id"].as_i64() == pid.parse().ok())
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn saving_a_threshold_marks_or_clears_low_stock_at_once_and_says_it_once() {
    let fx = Fixture::new();
    let mut body = product_body("SV-TH");
    body["low_stock_threshold"] = json!(2);
    let pid = id_of(&create_product(&fx.admin, &body).await);
    import_keys(&fx.admin, &pid, &make_keys("SVTH", 4)).await;
    let mut text = product_body("SV-TH-TEXT");
    text["kind"] = json!("text");
    text["content"] = json!("Login: see the attached guide");
    let text_id = id_of(&create_product(&fx.admin, &text).await);
    let mut link = product_body("SV-TH-LINK");
    link["kind"] = json!("link");
    link["content"] = json!("https://example.com/course");
    let link_id = id_of(&create_product(&fx.admin, &link).await);
    let events = Events::open(&fx.admin).await;
    let told = |events: &Events, id: &str| -> Vec<Value> {
        events
            .named("low_stock")
            .into_iter()
            .filter(|e| e["product_id"].as_i64() == id.parse().ok())
            .collect()
    };
    let save = |threshold: i64| {
        let admin = &fx.admin;
        let pid = &pid;
        async move {
            ok(admin
                .patch(
                    &format!("/api/v1/products/{pid}"),
                    &json!({ "low_stock_threshold": threshold }),
                )
                .await)
        }
    };
    assert!(dashboard_entries(&fx.admin, &pid).await.is_empty());

    // Raised to the available count (4 ≤ 4): marked now, no sale needed, told once.
    assert_eq!(save(4).await["low_stock_threshold"], 4);
    let counts = stock(&fx.admin, &pid).await;
    let since = counts["low_stock_since"].clone();
    assert!(since.is_string(), "marked by the save: {counts}");
    assert_eq!(counts["available"], 4, "nothing was taken: {counts}");
    let first = eventually(Duration::from_secs(10), "the low-stock event", || async {
        let t = told(&events, &pid);
        (!t.is_empty()).then_some(t)
    })
    .await;
    assert_eq!(first[0]["threshold"], 4, "{}", first[0]);
    assert_eq!(first[0]["available"], 4, "{}", first[0]);
    assert_eq!(first[0]["name"], "Product SV-TH");
    let entries = dashboard_entries(&fx.admin, &pid).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["low_since"], since, "{entries:?}");
    assert_eq!(entries[0]["available"], 4);

    // Saved again with the same value, then higher still: the same crossing, no new notice.
    save(4).await;
    save(10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(told(&events, &pid).len(), 1, "{:?}", told(&events, &pid));
    assert_eq!(stock(&fx.admin, &pid).await["low_stock_since"], since);
    assert_eq!(dashboard_entries(&fx.admin, &pid).await.len(), 1);

    // Lowered below the count (4 > 3): cleared at once, gone from the dashboard.
    save(3).await;
    let counts = stock(&fx.admin, &pid).await;
    assert!(counts["low_stock_since"].is_null(), "cleared: {counts}");
    assert_eq!(counts["low_stock"], false, "{counts}");
    assert!(dashboard_entries(&fx.admin, &pid).await.is_empty());

    // Raised again: a new crossing, a second notice.
    save(4).await;
    eventually(
        Duration::from_secs(10),
        "the second low-stock event",
        || async { (told(&events, &pid).len() == 2).then_some(()) },
    )
    .await;
    assert_ne!(stock(&fx.admin, &pid).await["low_stock_since"], since);

    // Products that keep no stock: any threshold, no mark, no notice, no dashboard entry.
    for id in [&text_id, &link_id] {
        ok(fx
            .admin
            .patch(
                &format!("/api/v1/products/{id}"),
                &json!({ "low_stock_threshold": 1000 }),
            )
            .await);
        let counts = stock(&fx.admin, id).await;
        assert!(counts["low_stock_since"].is_null(), "{counts}");
        assert_eq!(counts["low_stock"], false, "{counts}");
        assert!(dashboard_entries(&fx.admin, id).await.is_empty());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(told(&events, &text_id).is_empty());
    assert!(told(&events, &link_id).is_empty());
}
