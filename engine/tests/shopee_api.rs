//! The Shopee Open Platform road, end to end: a real `auto serve` against a local Open Platform
//! server (`support::shopee_mock`) that checks every signature and timestamp, expires tokens,
//! pages with cursors, fails when told to, and records what each buyer was sent.

use crate::support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::shopee_mock::*;
use support::*;

const SHOP_A: u64 = 610_001_234;
const SHOP_B: u64 = 610_009_876;
/// The listing shop A sells (mapped to a product by item and model id).
const ITEM_A: u64 = 22_012_345_678;
const MODEL_A: u64 = 170_011;
/// The listing shop B sells (mapped to a product by its seller SKU).
const ITEM_B: u64 = 23_620_853_561;
const MODEL_B: u64 = 221_404_189;
const SKU_B: &str = "OFFICE-365-1Y";
const PRICE: f64 = 149_000.0;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A server that syncs only when asked (`POST /api/v1/shopee/sync`).
pub(crate) fn on_request() -> ServeOptions {
    ServeOptions::default().with_env("AUTO_SHOPEE_POLL_SECS", "0")
}

/// A server that polls every second, as a seller's would (every minute).
fn polling() -> ServeOptions {
    ServeOptions::default().with_env("AUTO_SHOPEE_POLL_SECS", "1")
}

/// Points AUTO at the mock with the test app's credentials.
pub(crate) async fn configure(admin: &Api, mock: &ShopeeMock) -> Value {
    let (status, app) = admin
        .put(
            "/api/v1/shopee/app",
            &json!({"partner_id": mock.partner_id, "partner_key": mock.partner_key, "base_url": mock.base_url}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "PUT /shopee/app: {app}");
    assert_eq!(app["configured"], true, "{app}");
    app
}

/// A client that does not follow redirects and holds no token (a browser, for the callback).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Runs the authorization as the seller would: AUTO's link, Shopee's page (the mock answers
/// with a redirect), AUTO's callback. Returns the callback's status, body and address.
async fn authorize_through_callback(
    admin: &Api,
    mock: &ShopeeMock,
    shop: u64,
) -> (u16, String, String) {
    mock.authorize_next(shop);
    let link = ok(admin.get("/api/v1/shopee/authorize").await);
    let url = link["url"]
        .as_str()
        .unwrap_or_else(|| panic!("no url: {link}"))
        .to_string();
    assert!(
        url.starts_with(&format!("{}{AUTH_PARTNER}?", mock.base_url)),
        "the link goes to the configured host: {url}"
    );
    let page = browser()
        .get(&url)
        .send()
        .await
        .expect("open Shopee's page");
    assert_eq!(
        page.status().as_u16(),
        302,
        "Shopee's page redirects: {}",
        page.text().await.unwrap_or_default()
    );
    let back = page.headers()["location"].to_str().unwrap().to_string();
    assert!(
        back.contains("/shopee/callback?") && back.contains("state="),
        "{back}"
    );
    let landing = browser().get(&back).send().await.expect("AUTO's callback");
    let status = landing.status().as_u16();
    (status, landing.text().await.unwrap_or_default(), back)
}

/// Connects a shop with a code, as when the seller pastes it; asserts 201.
pub(crate) async fn connect_with_code(admin: &Api, mock: &ShopeeMock, shop: u64) -> Value {
    let code = mock.new_code(shop);
    let (status, body) = admin
        .post(
            "/api/v1/shopee/shops",
            &json!({"code": code, "shop_id": shop}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "connect shop {shop}: {body}");
    body["shop"].clone()
}

/// Waits (at most 3 s) for the sync AUTO may start by itself when a shop is connected, so
/// that orders a test adds afterwards are new to a sync the test asks for.
pub(crate) async fn settle_after_connect(admin: &Api) {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if shops(admin)
            .await
            .iter()
            .all(|s| s["last_sync_at"].is_string())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn shops(admin: &Api) -> Vec<Value> {
    ok(admin.get("/api/v1/shopee/shops").await)["shops"]
        .as_array()
        .expect("shops array")
        .clone()
}

/// One sync of every shop; returns the report.
pub(crate) async fn sync(admin: &Api) -> Value {
    let (status, report) = admin.post("/api/v1/shopee/sync", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "POST /shopee/sync: {report}");
    assert!(report["shops"].is_array(), "sync report: {report}");
    report
}

/// Syncs until every listed order of each shop is delivered in AUTO (at most `rounds` syncs);
/// returns the reports.
async fn sync_until_delivered(
    admin: &Api,
    rounds: usize,
    wanted: &[(u64, &[String])],
) -> Vec<Value> {
    let mut reports = Vec::new();
    for _ in 0..rounds {
        reports.push(sync(admin).await);
        let mut done = true;
        for (shop, sns) in wanted {
            done &= all_delivered(admin, *shop, sns).await;
        }
        if done {
            return reports;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let last: Vec<&Value> = reports.iter().rev().take(3).collect();
    panic!("not every order delivered after {rounds} syncs; last reports: {last:?}");
}

/// A license-key product mapped to a listing (and, for shop B, known by its SKU), with keys.
async fn listing_product(admin: &Api, sku: &str, mapping: Value, keys: &[String]) -> String {
    let mut body = product_body(sku);
    body["mappings"] = json!([mapping]);
    let pid = id_of(&create_product(admin, &body).await);
    let summary = import_keys(admin, &pid, keys).await;
    assert_eq!(summary["imported"], keys.len(), "{summary}");
    pid
}

/// The buyer of the i-th order of a shop: distinct across shops.
fn buyer(shop: u64, i: usize) -> u64 {
    (shop % 1000) * 1_000_000 + 1000 + i as u64
}

fn sn(shop: u64, i: usize) -> String {
    format!("2612{:02}{:06}AB", shop % 100, i)
}

/// A paid order of shop A's listing (mapped by item and model, no SKU on Shopee).
fn order_a(mock: &ShopeeMock, i: usize, age_secs: i64) -> ShopeeOrder {
    let item = ShopeeItem::listing(ITEM_A, MODEL_A, 1, PRICE);
    ShopeeOrder::paid(
        &sn(SHOP_A, i),
        buyer(SHOP_A, i),
        &format!("pembeli_a{i}"),
        item,
        mock.now(),
        age_secs,
    )
}

/// A paid order of shop B's listing (known by its model SKU).
fn order_b(mock: &ShopeeMock, i: usize, age_secs: i64) -> ShopeeOrder {
    let item = ShopeeItem::listing(ITEM_B, MODEL_B, 1, PRICE).with_sku(SKU_B);
    ShopeeOrder::paid(
        &sn(SHOP_B, i),
        buyer(SHOP_B, i),
        &format!("pembeli_b{i}"),
        item,
        mock.now(),
        age_secs,
    )
}

/// AUTO's orders of one shop, by order number.
async fn orders_of(admin: &Api, shop: u64) -> HashMap<String, Value> {
    let shop = shop.to_string();
    list_all_orders(admin, "")
        .await
        .into_iter()
        .filter(|o| o["shop"].as_str() == Some(shop.as_str()))
        .map(|o| (o["order_sn"].as_str().unwrap().to_string(), o))
        .collect()
}

/// Whether every listed order of the shop is delivered in AUTO.
async fn all_delivered(admin: &Api, shop: u64, sns: &[String]) -> bool {
    let orders = orders_of(admin, shop).await;
    sns.iter()
        .all(|s| orders.get(s).is_some_and(|o| o["status"] == "delivered"))
}

/// Every key each buyer got: exactly one message per buyer with exactly one key, all distinct
/// and all from `imported`; `seen` collects them across shops.
fn assert_one_message_one_key_each(
    mock: &ShopeeMock,
    shop: u64,
    buyers: &[u64],
    prefix: &str,
    imported: &[String],
    seen: &mut HashSet<String>,
) {
    let imported: HashSet<&String> = imported.iter().collect();
    for b in buyers {
        let texts = mock.sent_to(shop, *b);
        assert_eq!(
            texts.len(),
            1,
            "buyer {b} of shop {shop} got {} messages: {texts:?}",
            texts.len()
        );
        let keys = keys_in(&texts[0], prefix);
        assert_eq!(keys.len(), 1, "one key in {:?}", texts[0]);
        assert!(
            imported.contains(&keys[0]),
            "key {} was never imported",
            keys[0]
        );
        assert!(
            seen.insert(keys[0].clone()),
            "key {} delivered twice",
            keys[0]
        );
    }
}

fn calls_per_order(mock: &ShopeeMock, orders: usize) -> String {
    let counts = mock.call_counts();
    let total: u64 = counts.values().sum();
    format!(
        "{total} calls for {orders} orders ({:.2} per order): {counts:?}",
        total as f64 / orders as f64
    )
}

// ---------------------------------------------------------------------------------------------
// Connecting a shop
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shop_connected_through_the_callback_is_listed_with_its_name_and_token_expiry() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    let before = ok(fx.admin.get("/api/v1/shopee/app").await);
    assert_eq!(before["configured"], false, "{before}");
    assert!(
        before["partner_id"].is_null() && before["base_url"].is_null(),
        "{before}"
    );
    let app = configure(&fx.admin, &mock).await;
    assert_eq!(app["partner_id"], mock.partner_id, "{app}");
    assert_eq!(app["base_url"], mock.base_url.as_str(), "{app}");
    assert_eq!(
        ok(fx.admin.get("/api/v1/shopee/app").await),
        app,
        "GET shows what PUT answered"
    );

    let link = ok(fx.admin.get("/api/v1/shopee/authorize").await);
    let url = link["url"].as_str().unwrap();
    for part in ["partner_id=", "timestamp=", "sign=", "redirect="] {
        assert!(url.contains(part), "the link has {part}: {url}");
    }

    let (status, page, callback) = authorize_through_callback(&fx.admin, &mock, SHOP_A).await;
    assert_eq!(status, 200, "the callback connects the shop: {page}");
    assert!(
        page.contains("Toko Kunci Murah") || page.to_lowercase().contains("connected"),
        "{page}"
    );
    assert_eq!(mock.calls(TOKEN_GET), 1, "the code was traded once");

    let listed = shops(&fx.admin).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let shop = &listed[0];
    assert_eq!(shop["shop_id"], SHOP_A, "{shop}");
    assert_eq!(
        shop["name"], "Toko Kunci Murah",
        "the name from get_shop_info: {shop}"
    );
    let now = chrono::Utc::now();
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(
            shop[field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} in {shop}")),
        )
        .unwrap_or_else(|e| panic!("{field} is RFC 3339: {e} in {shop}"))
    };
    let access = at("access_expires_at");
    assert!(
        access > now + chrono::Duration::hours(3) && access < now + chrono::Duration::hours(5),
        "{shop}"
    );
    assert!(
        at("refresh_expires_at") > now + chrono::Duration::days(29),
        "{shop}"
    );
    assert_eq!(shop["reauthorize_soon"], false, "{shop}");
    assert!(shop["last_error"].is_null(), "{shop}");

    // The same landing page again (a reload) connects nothing more and says why.
    let again = browser().get(&callback).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 400, "a used state is refused");
    assert_eq!(shops(&fx.admin).await.len(), 1);

    let (status, _) = fx
        .admin
        .delete(&format!("/api/v1/shopee/shops/{SHOP_A}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(shops(&fx.admin).await.is_empty(), "disconnected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pasting_the_address_the_seller_landed_on_connects_the_shop() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_B, "Voucher Kilat");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    // Shopee would not redirect to 127.0.0.1 for this seller: they copy the address instead.
    let landed = format!(
        "https://seller.example.com/shopee?code={}&shop_id={SHOP_B}",
        mock.new_code(SHOP_B)
    );
    let (status, body) = fx
        .admin
        .post("/api/v1/shopee/shops", &json!({"url": landed}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["shop"]["shop_id"], SHOP_B, "{body}");
    assert_eq!(shops(&fx.admin).await.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Orders in, deliveries out
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_hundred_paid_orders_across_two_shops_and_several_pages_each_get_one_message_with_distinct_keys(
) {
    const N_A: usize = 180;
    const N_B: usize = 120;
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    mock.add_shop(SHOP_B, "Voucher Kilat");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys_a = make_keys("WINK", N_A + 10);
    let keys_b = make_keys("OFFK", N_B + 10);
    let pa = listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys_a,
    )
    .await;
    let pb = listing_product(&fx.admin, "OFFICE-KEY", json!({"sku": SKU_B}), &keys_b).await;

    let (status, page, _) = authorize_through_callback(&fx.admin, &mock, SHOP_A).await;
    assert_eq!(status, 200, "{page}");
    connect_with_code(&fx.admin, &mock, SHOP_B).await;
    settle_after_connect(&fx.admin).await;
    // A flash sale: 300 orders paid in the last five minutes.
    mock.add_orders(SHOP_A, (0..N_A).map(|i| order_a(&mock, i, 290 - i as i64)));
    mock.add_orders(SHOP_B, (0..N_B).map(|i| order_b(&mock, i, 250 - i as i64)));
    let sns_a: Vec<String> = (0..N_A).map(|i| sn(SHOP_A, i)).collect();
    let sns_b: Vec<String> = (0..N_B).map(|i| sn(SHOP_B, i)).collect();

    let started = Instant::now();
    let first = sync(&fx.admin).await;
    let elapsed = started.elapsed();
    let reports =
        sync_until_delivered(&fx.admin, 10, &[(SHOP_A, &sns_a[..]), (SHOP_B, &sns_b[..])]).await;
    eprintln!(
        "first sync: {} orders in {:.2} s ({:.0} orders/s); {}",
        N_A + N_B,
        elapsed.as_secs_f64(),
        (N_A + N_B) as f64 / elapsed.as_secs_f64(),
        calls_per_order(&mock, N_A + N_B)
    );

    let per_shop: HashMap<u64, &Value> = first["shops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["shop_id"].as_u64().unwrap(), s))
        .collect();
    assert_eq!(per_shop.len(), 2, "{first}");
    assert!(
        per_shop[&SHOP_A]["orders_seen"].as_u64() >= Some(N_A as u64),
        "{first}"
    );
    assert_eq!(per_shop[&SHOP_A]["orders_new"], N_A, "{first}");
    assert_eq!(per_shop[&SHOP_B]["orders_new"], N_B, "{first}");
    let sent: u64 = reports
        .iter()
        .chain(std::iter::once(&first))
        .flat_map(|r| r["shops"].as_array().unwrap().iter())
        .map(|s| s["deliveries_sent"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        sent as usize,
        N_A + N_B,
        "the reports count every delivery once: {reports:?}"
    );
    assert!(
        mock.calls(ORDER_LIST) >= 3,
        "several pages of 100: {:?}",
        mock.call_counts()
    );

    let mut seen = HashSet::new();
    let buyers_a: Vec<u64> = (0..N_A).map(|i| buyer(SHOP_A, i)).collect();
    let buyers_b: Vec<u64> = (0..N_B).map(|i| buyer(SHOP_B, i)).collect();
    assert_one_message_one_key_each(&mock, SHOP_A, &buyers_a, "WINK", &keys_a, &mut seen);
    assert_one_message_one_key_each(&mock, SHOP_B, &buyers_b, "OFFK", &keys_b, &mut seen);
    assert_eq!(
        mock.all_sent().len(),
        N_A + N_B,
        "no other message went out"
    );
    assert_eq!(stock(&fx.admin, &pa).await["available"], 10);
    assert_eq!(stock(&fx.admin, &pb).await["available"], 10);

    // The orders are AUTO's like any other, keyed by the shop id and Shopee's order number.
    let orders_a = orders_of(&fx.admin, SHOP_A).await;
    assert_eq!(orders_a.len(), N_A);
    assert_eq!(orders_of(&fx.admin, SHOP_B).await.len(), N_B);
    let sample = &orders_a[&sns_a[7]];
    assert_eq!(sample["buyer"]["user_id"], buyer(SHOP_A, 7), "{sample}");
    let detail = order_detail(&fx.admin, &id_of(sample), false).await;
    assert!(
        detail.to_string().contains("open_platform"),
        "the detail says which road: {detail}"
    );
    let message_id = mock
        .all_sent()
        .into_iter()
        .find(|m| m.buyer_id == buyer(SHOP_A, 7))
        .unwrap()
        .message_id;
    assert!(
        detail["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message_id"] == message_id.as_str()),
        "the delivery keeps Shopee's message id {message_id}: {detail}"
    );

    // Nothing more happens on the next sync.
    let quiet = sync(&fx.admin).await;
    for s in quiet["shops"].as_array().unwrap() {
        assert_eq!(s["orders_new"], 0, "{quiet}");
        assert_eq!(s["deliveries_sent"], 0, "{quiet}");
    }
    assert_eq!(mock.all_sent().len(), N_A + N_B);
    let listed = shops(&fx.admin).await;
    for s in &listed {
        assert!(s["last_sync_at"].is_string(), "{s}");
        assert!(s["last_error"].is_null(), "{s}");
    }
    let pulled: i64 = listed
        .iter()
        .map(|s| s["orders_pulled"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(pulled as usize, N_A + N_B, "orders new to AUTO: {listed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unpaid_order_is_delivered_once_shopee_says_it_is_paid_and_a_cancelled_one_never() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("PAYL", 3);
    let pid = listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    mock.add_orders(
        SHOP_A,
        (0..2).map(|i| order_a(&mock, i, 60).with_status("UNPAID")),
    );

    sync(&fx.admin).await;
    let orders = orders_of(&fx.admin, SHOP_A).await;
    for i in 0..2 {
        assert_eq!(orders[&sn(SHOP_A, i)]["status"], "unpaid", "{orders:?}");
    }
    assert!(mock.all_sent().is_empty());

    // The buyer pays one (its update_time moves on); the other is cancelled.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    mock.set_status(SHOP_A, &sn(SHOP_A, 0), "READY_TO_SHIP");
    mock.set_status(SHOP_A, &sn(SHOP_A, 1), "CANCELLED");
    sync_until_delivered(&fx.admin, 5, &[(SHOP_A, &[sn(SHOP_A, 0)][..])]).await;
    sync(&fx.admin).await;
    assert_eq!(mock.sent_to(SHOP_A, buyer(SHOP_A, 0)).len(), 1);
    assert!(mock.sent_to(SHOP_A, buyer(SHOP_A, 1)).is_empty());
    assert_eq!(
        orders_of(&fx.admin, SHOP_A).await[&sn(SHOP_A, 1)]["status"],
        "cancelled"
    );
    assert_eq!(
        stock(&fx.admin, &pid).await["available"],
        2,
        "one key taken"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_that_expires_mid_sync_is_refreshed_and_the_sync_goes_on() {
    const N: usize = 150;
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("TOKK", N);
    listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    let before = shops(&fx.admin).await[0]["access_expires_at"].clone();
    // Tokens from now on live 3 hours, so the refreshed one shows another expiry.
    mock.set_access_token_lifetime(Duration::from_secs(3 * 3600));
    mock.add_orders(SHOP_A, (0..N).map(|i| order_a(&mock, i, 250 - i as i64)));
    let sns: Vec<String> = (0..N).map(|i| sn(SHOP_A, i)).collect();

    // Between the list and the details: the token dies while the sync is under way.
    mock.expire_access_tokens_after_calls(3);
    sync_until_delivered(&fx.admin, 5, &[(SHOP_A, &sns[..])]).await;

    assert!(
        mock.calls(REFRESH) >= 1,
        "the token was refreshed: {:?}",
        mock.call_counts()
    );
    assert!(
        mock.refusals()
            .iter()
            .any(|(_, e)| e == "invalid_acceess_token"),
        "the expiry was met: {:?}",
        mock.refusals()
    );
    let buyers: Vec<u64> = (0..N).map(|i| buyer(SHOP_A, i)).collect();
    assert_one_message_one_key_each(&mock, SHOP_A, &buyers, "TOKK", &keys, &mut HashSet::new());
    let shop = &shops(&fx.admin).await[0];
    assert_ne!(
        shop["access_expires_at"], before,
        "a new token, a new expiry: {shop}"
    );
    assert!(shop["last_error"].is_null(), "{shop}");

    // A refresh token is good once: the next sync must use the new one, and it works.
    mock.expire_access_tokens();
    sync(&fx.admin).await;
    assert!(mock.calls(REFRESH) >= 2, "{:?}", mock.call_counts());
    assert!(
        !mock.refusals().iter().any(|(p, _)| p == REFRESH),
        "no refresh was refused (an old refresh token was not reused): {:?}",
        mock.refusals()
    );
    assert!(shops(&fx.admin).await[0]["last_error"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shop_whose_authorization_ran_out_says_to_authorize_it_again_and_loses_nothing() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("REAU", 5);
    listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    mock.add_orders(SHOP_A, (0..3).map(|i| order_a(&mock, i, 120 - i as i64)));

    mock.expire_refresh_tokens();
    mock.expire_access_tokens();
    let report = sync(&fx.admin).await;
    let mine = &report["shops"][0];
    let said = mine["error"].as_str().unwrap_or_default().to_lowercase();
    assert!(
        said.contains("authoriz"),
        "the sync says to authorize again: {report}"
    );
    let shop = &shops(&fx.admin).await[0];
    let last = shop["last_error"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(last.contains("authoriz"), "the shop shows it: {shop}");
    assert!(mock.all_sent().is_empty());

    // Authorized again, the waiting orders go out, once each.
    let (status, page, _) = authorize_through_callback(&fx.admin, &mock, SHOP_A).await;
    assert_eq!(status, 200, "{page}");
    let sns: Vec<String> = (0..3).map(|i| sn(SHOP_A, i)).collect();
    sync_until_delivered(&fx.admin, 5, &[(SHOP_A, &sns[..])]).await;
    let buyers: Vec<u64> = (0..3).map(|i| buyer(SHOP_A, i)).collect();
    assert_one_message_one_key_each(&mock, SHOP_A, &buyers, "REAU", &keys, &mut HashSet::new());
    assert!(
        shops(&fx.admin).await[0]["last_error"].is_null(),
        "cleared once authorized"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_failing_every_fifth_call_loses_no_order_and_sends_no_message_twice() {
    const N: usize = 150;
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("FLKY", N);
    listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    mock.add_orders(SHOP_A, (0..N).map(|i| order_a(&mock, i, 280 - i as i64)));
    let sns: Vec<String> = (0..N).map(|i| sn(SHOP_A, i)).collect();

    mock.fail_every(5);
    let started = Instant::now();
    sync_until_delivered(&fx.admin, 40, &[(SHOP_A, &sns[..])]).await;
    eprintln!(
        "through every-fifth-call faults: {N} orders in {:.1} s; {} faults; {}",
        started.elapsed().as_secs_f64(),
        mock.faults_served(),
        calls_per_order(&mock, N)
    );
    assert!(
        mock.faults_served() >= 5,
        "faults were served: {}",
        mock.faults_served()
    );
    let orders = orders_of(&fx.admin, SHOP_A).await;
    assert_eq!(orders.len(), N, "no order lost");
    let buyers: Vec<u64> = (0..N).map(|i| buyer(SHOP_A, i)).collect();
    assert_one_message_one_key_each(&mock, SHOP_A, &buyers, "FLKY", &keys, &mut HashSet::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn auto_killed_between_a_send_and_its_confirm_sends_no_second_message_after_restart() {
    const N: usize = 6;
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let mut fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("KILL", N);
    listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    mock.add_orders(SHOP_A, (0..N).map(|i| order_a(&mock, i, 200 - i as i64)));
    let sns: Vec<String> = (0..N).map(|i| sn(SHOP_A, i)).collect();

    // The first send reaches the buyer; its answer never comes; AUTO dies waiting.
    mock.hang_after_next_send();
    let admin = fx.admin.clone();
    let stuck =
        tokio::spawn(async move { admin.try_post("/api/v1/shopee/sync", &json!({})).await });
    let m = &mock;
    eventually(
        Duration::from_secs(60),
        "the first send to hang",
        || async move { (m.hung_sends() == 1).then_some(()) },
    )
    .await;
    let delivered_before: Vec<u64> = (0..N)
        .map(|i| buyer(SHOP_A, i))
        .filter(|b| !mock.sent_to(SHOP_A, *b).is_empty())
        .collect();
    assert_eq!(
        delivered_before.len(),
        1,
        "exactly the hung message is with a buyer"
    );
    let hung_buyer = delivered_before[0];
    fx.server.restart();
    let _ = stuck.await;
    let admin = fx.admin.with_base(&fx.server.url);

    sync_until_delivered(&admin, 10, &[(SHOP_A, &sns[..])]).await;
    let buyers: Vec<u64> = (0..N).map(|i| buyer(SHOP_A, i)).collect();
    assert_one_message_one_key_each(&mock, SHOP_A, &buyers, "KILL", &keys, &mut HashSet::new());

    // The hung one ends confirmed with the id Shopee gave the message.
    let hung_message = mock
        .all_sent()
        .into_iter()
        .find(|m| m.buyer_id == hung_buyer)
        .unwrap();
    let orders = orders_of(&admin, SHOP_A).await;
    let order = orders
        .values()
        .find(|o| o["buyer"]["user_id"] == hung_buyer)
        .expect("the hung buyer's order");
    let detail = order_detail(&admin, &id_of(order), false).await;
    let deliveries = detail["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "one delivery: {detail}");
    assert_eq!(deliveries[0]["status"], "sent", "{detail}");
    assert_eq!(
        deliveries[0]["message_id"],
        hung_message.message_id.as_str(),
        "{detail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_extension_reporting_the_same_orders_at_the_same_time_leaves_each_buyer_one_delivery() {
    const N: usize = 120;
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(polling());
    let ext = fx.extension();
    configure(&fx.admin, &mock).await;
    let keys = make_keys("TWOR", N + 5);
    listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    let orders: Vec<ShopeeOrder> = (0..N)
        .map(|i| order_a(&mock, i, 1200 - i as i64 * 5))
        .collect();
    mock.add_orders(SHOP_A, orders.clone());
    let sns: Vec<String> = orders.iter().map(|o| o.order_sn.clone()).collect();

    // The extension reports every order (as the Seller Centre tab shows them) and posts and
    // confirms whatever deliveries it is given, while the poller does the same through the API.
    let confirmed: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let drainer = {
        let (ext, confirmed, stop) = (ext.clone(), confirmed.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let page = ok(ext.get("/api/v1/deliveries?status=pending&limit=20").await);
                let batch = page["deliveries"].as_array().cloned().unwrap_or_default();
                if batch.is_empty() {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                for d in batch {
                    let (status, reply) = ext
                        .post(
                            &format!("/api/v1/deliveries/{}/confirm", id_of(&d)),
                            &json!({}),
                        )
                        .await;
                    if status == StatusCode::OK {
                        confirmed
                            .lock()
                            .unwrap()
                            .push(d["order_sn"].as_str().unwrap_or("").to_string());
                    } else {
                        // A lease the other road took back is not the extension's to confirm.
                        assert!(status.is_client_error(), "confirm: {status} {reply}");
                    }
                }
            }
        })
    };
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    for chunk in orders.chunks(20) {
        let batch: Vec<Value> = chunk
            .iter()
            .map(|o| {
                json!({
                    "shop": SHOP_A.to_string(), "order_sn": o.order_sn, "status": "READY_TO_SHIP",
                    "buyer": {"username": o.buyer_username, "user_id": o.buyer_user_id},
                    "lines": [{"item_id": ITEM_A, "model_id": MODEL_A, "quantity": 1, "unit_price": PRICE}],
                    "total": PRICE, "currency": "IDR",
                })
            })
            .collect();
        let (status, reply) = ext.post("/api/v1/orders", &json!({"orders": batch})).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
    }
    let admin = fx.admin.clone();
    eventually(
        Duration::from_secs(120),
        "every order delivered by one road or the other",
        || {
            let (admin, sns) = (admin.clone(), sns.clone());
            async move { all_delivered(&admin, SHOP_A, &sns).await.then_some(()) }
        },
    )
    .await;
    // A moment more, for anything either road might still be about to send.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::SeqCst);
    drainer.await.expect("extension task");

    let confirmed = confirmed.lock().unwrap().clone();
    let mut by_extension: BTreeMap<String, usize> = BTreeMap::new();
    for s in &confirmed {
        *by_extension.entry(s.clone()).or_default() += 1;
    }
    for o in &orders {
        let api = mock.sent_to(SHOP_A, o.buyer_user_id).len();
        let extension = by_extension.get(&o.order_sn).copied().unwrap_or(0);
        assert_eq!(
            api + extension,
            1,
            "{}: {api} by the API, {extension} by the extension",
            o.order_sn
        );
    }
    eprintln!(
        "two roads: {} by the API, {} by the extension",
        mock.all_sent().len(),
        confirmed.len()
    );
    assert_eq!(
        orders_of(&fx.admin, SHOP_A).await.len(),
        N,
        "one order each, reported by both"
    );
}

// ---------------------------------------------------------------------------------------------
// What the seller must see
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_chat_refusal_puts_its_order_in_needs_attention_with_a_reason_and_is_not_retried() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    mock.set_five_message_rule(false);
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("REFU", 10);
    listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    let kinds = ChatRefusal::ALL;
    for (i, kind) in kinds.iter().enumerate() {
        mock.refuse_sends(SHOP_A, buyer(SHOP_A, i), *kind);
    }
    // One more buyer, whom Shopee lets through.
    let n = kinds.len() + 1;
    mock.add_orders(SHOP_A, (0..n).map(|i| order_a(&mock, i, 200 - i as i64)));

    sync(&fx.admin).await;
    let attempts: Vec<u64> = (0..n)
        .map(|i| mock.send_attempts(SHOP_A, buyer(SHOP_A, i)))
        .collect();
    sync(&fx.admin).await;
    sync(&fx.admin).await;

    let orders = orders_of(&fx.admin, SHOP_A).await;
    for (i, kind) in kinds.iter().enumerate() {
        let o = &orders[&sn(SHOP_A, i)];
        assert_eq!(o["status"], "needs_attention", "{kind:?}: {o}");
        assert!(
            o["attention_reason"]
                .as_str()
                .is_some_and(|r| !r.is_empty()),
            "{kind:?}: {o}"
        );
        let words = o["attention_detail"].as_str().unwrap_or_default();
        assert!(
            words.len() > kind.code().len() + 10 && words.trim() != kind.code(),
            "{kind:?}: the reason is in the seller's words, not only the code: {o}"
        );
        let b = buyer(SHOP_A, i);
        assert!(mock.sent_to(SHOP_A, b).is_empty(), "{kind:?}");
        assert_eq!(
            mock.send_attempts(SHOP_A, b),
            attempts[i],
            "{kind:?}: not retried by later syncs"
        );
        assert!(attempts[i] >= 1, "{kind:?}: it was tried");
    }
    let fine = &orders[&sn(SHOP_A, n - 1)];
    assert_eq!(fine["status"], "delivered", "{fine}");
    assert_eq!(mock.sent_to(SHOP_A, buyer(SHOP_A, n - 1)).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_auto_cannot_take_in_is_kept_redacted_for_the_seller_and_said_in_the_shop_state() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("ODDC", 5);
    listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    let good = order_a(&mock, 0, 300);
    // A currency the intake does not know: refused, so it must not vanish unseen.
    let mut odd = order_a(&mock, 1, 300);
    odd.currency = "XAU".into();
    odd.buyer_username = "rahasia_pembeli".into();
    mock.add_orders(SHOP_A, [good.clone(), odd.clone()]);
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    sync_until_delivered(&fx.admin, 5, &[(SHOP_A, &[good.order_sn.clone()][..])]).await;

    let shop = shops(&fx.admin).await.remove(0);
    let said = shop["last_error"].as_str().unwrap_or_default().to_string();
    assert!(said.contains("could not be taken in"), "{shop}");
    let dir = fx.dir.path().join("shopee-samples");
    let samples: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect();
    assert!(
        samples
            .iter()
            .any(|s| s.contains(&odd.order_sn) && s.contains("XAU")),
        "the refused order is kept with its shape: {samples:?}"
    );
    assert!(
        samples.iter().all(|s| !s.contains("rahasia_pembeli")),
        "no buyer name survives: {samples:?}"
    );
    assert!(mock.sent_to(SHOP_A, odd.buyer_user_id).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_first_sync_records_old_fulfilled_orders_without_delivering_them() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("OLDS", 20);
    let pid = listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    let day = 86_400;
    let mut old = Vec::new();
    for i in 0..25 {
        // Sold and fulfilled days or weeks ago (the seller sent these keys by hand).
        let status = if i < 20 { "COMPLETED" } else { "SHIPPED" };
        let age = day * (2 + i as i64);
        old.push(order_a(&mock, i, age).with_status(status));
    }
    let fresh: Vec<ShopeeOrder> = (25..30).map(|i| order_a(&mock, i, 300)).collect();
    mock.add_orders(SHOP_A, old.iter().cloned().chain(fresh.iter().cloned()));
    connect_with_code(&fx.admin, &mock, SHOP_A).await;

    let fresh_sns: Vec<String> = fresh.iter().map(|o| o.order_sn.clone()).collect();
    sync_until_delivered(&fx.admin, 5, &[(SHOP_A, &fresh_sns[..])]).await;
    let orders = orders_of(&fx.admin, SHOP_A).await;
    for o in &old {
        let got = orders
            .get(&o.order_sn)
            .unwrap_or_else(|| panic!("{} recorded", o.order_sn));
        // Recorded as history (fulfilled before AUTO), never handed to the outbox.
        let status = got["status"].as_str().unwrap_or_default();
        assert!(
            !["paid", "delivering", "needs_attention"].contains(&status),
            "{got}"
        );
        assert!(
            mock.sent_to(SHOP_A, o.buyer_user_id).is_empty(),
            "{} not delivered again",
            o.order_sn
        );
        let detail = order_detail(&fx.admin, &id_of(got), false).await;
        assert!(
            detail["deliveries"].as_array().unwrap().is_empty(),
            "{detail}"
        );
    }
    assert_eq!(
        stock(&fx.admin, &pid).await["available"],
        15,
        "only the five paid orders took keys"
    );
    let shop = &shops(&fx.admin).await[0];
    assert_eq!(shop["orders_pulled"], 30, "orders new to AUTO: {shop}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn buyer_messages_in_seller_chat_reach_the_conversations_with_every_digit_of_their_id() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    let (conv1, _) = mock.buyer_says(SHOP_A, 9_001, "rina_store", "kak kapan kodenya dikirim?");
    let (conv2, _) = mock.buyer_says_about(
        SHOP_A,
        9_002,
        "andi99",
        "Is there a warranty?",
        Some("261206AB"),
    );

    sync(&fx.admin).await;
    let list = ok(fx.admin.get("/api/v1/conversations?limit=200").await);
    let convs = list["conversations"].as_array().unwrap();
    for (conv, name, text) in [
        (conv1, "rina_store", "kak kapan kodenya dikirim?"),
        (conv2, "andi99", "Is there a warranty?"),
    ] {
        let c = convs
            .iter()
            .find(|c| c["conversation_id"].as_str() == Some(conv.to_string().as_str()))
            .unwrap_or_else(|| panic!("conversation {conv} (all digits) in {list}"));
        assert_eq!(c["shop"], SHOP_A.to_string(), "{c}");
        assert_eq!(c["buyer"]["username"], name, "{c}");
        let detail = ok(fx
            .admin
            .get(&format!("/api/v1/conversations/{}", c["id"]))
            .await);
        let inbound: Vec<&Value> = detail["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["direction"] == "in")
            .collect();
        assert_eq!(inbound.len(), 1, "{detail}");
        assert_eq!(inbound[0]["text"], text, "{detail}");
    }

    // Read again, nothing is taken twice; a new message is.
    sync(&fx.admin).await;
    mock.buyer_says(SHOP_A, 9_001, "rina_store", "sudah bayar ya kak");
    sync(&fx.admin).await;
    let c = ok(fx.admin.get("/api/v1/conversations?limit=200").await)["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversation_id"].as_str() == Some(conv1.to_string().as_str()))
        .cloned()
        .unwrap();
    let detail = ok(fx
        .admin
        .get(&format!("/api/v1/conversations/{}", c["id"]))
        .await);
    let inbound = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "in")
        .count();
    assert_eq!(inbound, 2, "{detail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_buyer_question_the_faq_answers_is_answered_in_seller_chat_once() {
    const ANSWER: &str =
        "Kode dikirim otomatis lewat chat Shopee dalam 1-5 menit setelah pembayaran terverifikasi.";
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let (status, entry) = fx
        .admin
        .post(
            "/api/v1/faq",
            &json!({
                "question": "Berapa lama kode dikirim setelah pembayaran?",
                "variants": ["Kapan kode saya dikirim?", "Kapan lisensi dikirim setelah bayar?",
                             "How long until I receive my code?"],
                "answer": ANSWER, "language": "id", "enabled": true,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;

    mock.buyer_says(SHOP_A, 9_001, "budi_santoso", "kak kapan kodenya dikirim?");
    sync(&fx.admin).await;
    sync(&fx.admin).await;
    assert_eq!(
        mock.sent_to(SHOP_A, 9_001),
        vec![ANSWER.to_string()],
        "one answer, in the buyer's chat"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_partner_key_is_a_clear_error_about_the_key_and_connects_nothing() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    let (status, _) = fx
        .admin
        .put(
            "/api/v1/shopee/app",
            &json!({"partner_id": mock.partner_id, "partner_key": "shpk-this-is-not-the-key", "base_url": mock.base_url}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let code = mock.new_code(SHOP_A);
    let (status, body) = fx
        .admin
        .post(
            "/api/v1/shopee/shops",
            &json!({"code": code, "shop_id": SHOP_A}),
        )
        .await;
    assert!(!status.is_success(), "{status} {body}");
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        message.contains("key") || message.contains("sign"),
        "the error points at the partner key: {body}"
    );
    assert!(
        mock.refusals().iter().any(|(_, e)| e == "error_sign"),
        "{:?}",
        mock.refusals()
    );
    assert!(shops(&fx.admin).await.is_empty(), "nothing stored");

    // With the right key, the same code still works: nothing was spent.
    configure(&fx.admin, &mock).await;
    let (status, body) = fx
        .admin
        .post(
            "/api/v1/shopee/shops",
            &json!({"code": code, "shop_id": SHOP_A}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_malformed_or_foreign_callback_is_refused_and_connects_nothing() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let code = mock.new_code(SHOP_A);
    // A real state, from a link AUTO made.
    let link = ok(fx.admin.get("/api/v1/shopee/authorize").await);
    let url = link["url"].as_str().unwrap();
    let state = url
        .split("state%3D")
        .nth(1)
        .or_else(|| url.split("state=").nth(1))
        .map(|s| s.split(['&', '%']).next().unwrap().to_string())
        .unwrap_or_else(|| panic!("a state in {url}"));
    let base = format!("{}/shopee/callback", fx.server.url);
    for query in [
        String::new(),
        format!("?state={state}"),
        format!("?state={state}&code={code}"),
        format!("?state={state}&shop_id={SHOP_A}"),
        format!("?state={state}&code={code}&shop_id=abc"),
        format!("?state={state}&code=%3Cscript%3E&shop_id={SHOP_A}"),
        format!("?state=not-ours&code={code}&shop_id={SHOP_A}"),
        format!("?code={code}&shop_id={SHOP_A}"),
    ] {
        let resp = browser()
            .get(format!("{base}{query}"))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let page = resp.text().await.unwrap_or_default();
        assert_eq!(status, 400, "callback {query}: {page}");
        assert!(
            !page.contains("<script>"),
            "the page does not echo markup: {page}"
        );
    }
    assert_eq!(mock.calls(TOKEN_GET), 0, "no code was traded");
    assert!(shops(&fx.admin).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shop_id_that_does_not_match_the_code_is_refused_with_shopees_reason_and_stores_nothing()
{
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    mock.add_shop(SHOP_B, "Voucher Kilat");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let code = mock.new_code(SHOP_A);
    let (status, body) = fx
        .admin
        .post(
            "/api/v1/shopee/shops",
            &json!({"code": code, "shop_id": SHOP_B}),
        )
        .await;
    assert!(
        status.is_client_error() || status.as_u16() == 502,
        "{status} {body}"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("shop"), "Shopee's reason: {body}");
    assert!(shops(&fx.admin).await.is_empty(), "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn app_credentials_with_a_bad_partner_id_key_or_base_url_are_refused_and_change_nothing() {
    let mock = ShopeeMock::start();
    let fx = Fixture::with(on_request());
    let good = configure(&fx.admin, &mock).await;
    let pid = mock.partner_id;
    let key = mock.partner_key.clone();
    let base = mock.base_url.clone();
    for body in [
        json!({"partner_id": pid, "partner_key": key, "base_url": "ftp://x"}),
        json!({"partner_id": pid, "partner_key": key, "base_url": "javascript:alert(1)"}),
        json!({"partner_id": pid, "partner_key": key, "base_url": ""}),
        json!({"partner_id": pid, "partner_key": key, "base_url": "http://"}),
        json!({"partner_id": 0, "partner_key": key, "base_url": base}),
        json!({"partner_id": -5, "partner_key": key, "base_url": base}),
        json!({"partner_id": "abc", "partner_key": key, "base_url": base}),
        json!({"partner_id": 1.5, "partner_key": key, "base_url": base}),
        json!({"partner_id": pid, "partner_key": "", "base_url": base}),
        json!({"partner_id": pid, "partner_key": "   ", "base_url": base}),
    ] {
        let reply = fx.admin.put("/api/v1/shopee/app", &body).await;
        assert_error(&reply, 422, "invalid_input");
    }
    assert_eq!(
        ok(fx.admin.get("/api/v1/shopee/app").await),
        good,
        "unchanged"
    );
    for preset in ["live", "test"] {
        let (status, app) = fx
            .admin
            .put(
                "/api/v1/shopee/app",
                &json!({"partner_id": pid, "partner_key": key, "base_url": preset}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{preset}: {app}");
        assert!(
            app["base_url"].as_str().unwrap().starts_with("https://"),
            "{app}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_computer_clock_minutes_off_is_reported_as_such_and_connects_once_it_is_right() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    mock.set_clock_offset_secs(10 * 60);
    let code = mock.new_code(SHOP_A);
    let (status, body) = fx
        .admin
        .post(
            "/api/v1/shopee/shops",
            &json!({"code": code, "shop_id": SHOP_A}),
        )
        .await;
    assert!(!status.is_success(), "{status} {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("clock") && message.contains("10 minutes"),
        "{body}"
    );
    assert!(shops(&fx.admin).await.is_empty());
    mock.set_clock_offset_secs(0);
    let (status, body) = fx
        .admin
        .post(
            "/api/v1/shopee/shops",
            &json!({"code": code, "shop_id": SHOP_A}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_partner_key_and_tokens_never_appear_in_responses_logs_or_shopee_status() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request().with_env("RUST_LOG", "debug"));
    configure(&fx.admin, &mock).await;
    let keys = make_keys("SECR", 3);
    listing_product(
        &fx.admin,
        "WIN11-PRO",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    let (_, _, _) = authorize_through_callback(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    mock.add_orders(SHOP_A, (0..3).map(|i| order_a(&mock, i, 100)));
    mock.buyer_says(SHOP_A, 9_001, "rina_store", "halo kak");
    mock.fail_every(4);
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(sync(&fx.admin).await.to_string());
    }
    mock.fail_every(0);
    mock.expire_access_tokens();
    answers.push(sync(&fx.admin).await.to_string());
    for path in [
        "/api/v1/shopee/app",
        "/api/v1/shopee/shops",
        "/api/v1/shopee/authorize",
        "/api/v1/orders?limit=100",
        "/api/v1/conversations?limit=100",
        "/api/v1/openapi.json",
    ] {
        answers.push(fx.admin.get(path).await.1.to_string());
    }
    let status = run_auto(fx.dir.path(), &["shopee", "status"]);
    let cli = format!("{}\n{}", status.stdout, status.stderr);
    assert!(status.status.success(), "auto shopee status: {cli}");
    assert!(
        cli.contains(&SHOP_A.to_string()),
        "the status names the shop: {cli}"
    );

    let mut logs = String::new();
    let mut dirs = vec![fx.dir.path().join("logs")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                logs.push_str(&String::from_utf8_lossy(
                    &std::fs::read(&p).unwrap_or_default(),
                ));
            }
        }
    }
    let mut secrets = vec![mock.partner_key.clone()];
    secrets.extend(mock.issued_tokens());
    for secret in &secrets {
        let shown = &secret[..8.min(secret.len())];
        for (what, text) in [
            ("an API answer", answers.join("\n")),
            ("the logs", logs.clone()),
            ("auto shopee status", cli.clone()),
            (
                "the server's output",
                fx.server.stderr() + &fx.server.extra_stdout().join("\n"),
            ),
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret ({shown}…) appears in {what}"
            );
        }
    }
    assert!(
        !mock.saw_text(&mock.partner_key),
        "the key itself never travels"
    );
}

// ---------------------------------------------------------------------------------------------
// Chat-sized deliveries
// ---------------------------------------------------------------------------------------------

/// Redeem steps longer than one chat message: with 20 keys, three messages (the steps cut at a
/// space).
const LONG_STEPS: &str = "Cara pakai: buka aplikasi Steam, masuk ke akun kakak, pilih menu Akun \
    lalu Tambah Dana ke Dompet Steam, pilih Tukarkan Kode Voucher, tempel kodenya satu per satu, \
    lalu tekan Lanjutkan. Saldo masuk dalam beberapa detik dan bisa langsung dipakai untuk membeli \
    game, DLC atau item komunitas. Kalau ada kode yang tidak bisa dipakai, kirim tangkapan layarnya \
    di chat ini ya kak, kami ganti secepatnya tanpa biaya. Kode hanya bisa dipakai satu kali dan \
    berlaku untuk akun Steam region Indonesia; akun region lain tidak bisa menukarkannya, jadi \
    pastikan region akun kakak sebelum menukar. Terima kasih sudah belanja di toko kami, ditunggu \
    pesanan berikutnya!";

/// A product of shop A's listing whose delivery of `keys` comes in several parts; returns its
/// id. The order for it buys `keys.len()` of the listing.
async fn long_delivery_product(admin: &Api, keys: &[String]) -> String {
    let mut body = product_body("STEAM-BULK");
    body["instructions"] = json!(LONG_STEPS);
    body["mappings"] = json!([{"item_id": ITEM_A, "model_id": MODEL_A}]);
    let pid = id_of(&create_product(admin, &body).await);
    assert_eq!(import_keys(admin, &pid, keys).await["imported"], keys.len());
    pid
}

/// The revealed delivery of the one order shop A's buyer 0 placed, and its order.
async fn only_delivery(admin: &Api) -> (Value, Value) {
    let orders = orders_of(admin, SHOP_A).await;
    let order = orders.get(&sn(SHOP_A, 0)).expect("the order").clone();
    let detail = order_detail(admin, &id_of(&order), true).await;
    (detail["deliveries"].clone(), order)
}

fn part_texts(delivery: &Value) -> Vec<String> {
    delivery["parts"]
        .as_array()
        .unwrap_or_else(|| panic!("no parts: {delivery}"))
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

/// Every key in exactly one message, whole.
#[track_caller]
fn each_key_once(texts: &[String], keys: &[String], prefix: &str) {
    let got: Vec<String> = texts.iter().flat_map(|t| keys_in(t, prefix)).collect();
    assert_eq!(got.len(), keys.len(), "{texts:#?}");
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), keys.len());
    for k in keys {
        assert!(got.contains(k), "key {k} missing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_in_parts_goes_one_message_per_part_once_each_across_a_crash_between_parts() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let mut fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("BULK", 20);
    long_delivery_product(&fx.admin, &keys).await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    let item = ShopeeItem::listing(ITEM_A, MODEL_A, 20, PRICE);
    let b = buyer(SHOP_A, 0);
    mock.add_orders(
        SHOP_A,
        [ShopeeOrder::paid(
            &sn(SHOP_A, 0),
            b,
            "pembeli_a0",
            item,
            mock.now(),
            200,
        )],
    );

    // The first part is answered; the second reaches the buyer, its answer never comes, and
    // AUTO dies waiting.
    mock.hang_after_sends(1);
    let admin = fx.admin.clone();
    let stuck =
        tokio::spawn(async move { admin.try_post("/api/v1/shopee/sync", &json!({})).await });
    let m = &mock;
    eventually(
        Duration::from_secs(60),
        "the second part to hang",
        || async move { (m.hung_sends() == 1).then_some(()) },
    )
    .await;
    assert_eq!(mock.sent_to(SHOP_A, b).len(), 2, "two parts with the buyer");
    fx.server.restart();
    let _ = stuck.await;
    let admin = fx.admin.with_base(&fx.server.url);

    let (deliveries, order) = only_delivery(&admin).await;
    let parts = part_texts(&deliveries[0]);
    assert!(parts.len() >= 3, "a long delivery: {parts:#?}");
    assert_eq!(
        deliveries[0]["parts_sent"], 1,
        "the answered part is recorded"
    );
    sync_until_delivered(&admin, 10, &[(SHOP_A, &[sn(SHOP_A, 0)])]).await;

    // Each part once, in order, each within Shopee's 600 (the stand-in refuses longer ones).
    let got = mock.sent_to(SHOP_A, b);
    assert_eq!(got, parts, "the chat holds the parts once each, in order");
    assert!(got.iter().all(|t| t.chars().count() <= 600));
    each_key_once(&got, &keys, "BULK");
    let (deliveries, _) = only_delivery(&admin).await;
    assert_eq!(deliveries.as_array().unwrap().len(), 1, "{deliveries}");
    let d = &deliveries[0];
    assert_eq!(d["status"], "sent", "{d}");
    assert_eq!(d["parts_sent"], parts.len(), "{d}");
    let last = mock.chat_with(SHOP_A, b).last().unwrap().message_id.clone();
    assert_eq!(d["message_id"], last.as_str(), "{d}");
    assert_eq!(order["status"], "delivering", "before the syncs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_refused_after_some_parts_goes_on_from_the_refused_part_when_the_seller_retries()
{
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    // A small limit: more parts than Shopee lets the shop send in a row before the buyer answers.
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"chat_limit": 150}))
        .await);
    let keys = make_keys("ROW", 20);
    long_delivery_product(&fx.admin, &keys).await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    let item = ShopeeItem::listing(ITEM_A, MODEL_A, 20, PRICE);
    let b = buyer(SHOP_A, 0);
    mock.add_orders(
        SHOP_A,
        [ShopeeOrder::paid(
            &sn(SHOP_A, 0),
            b,
            "pembeli_a0",
            item,
            mock.now(),
            200,
        )],
    );

    sync(&fx.admin).await;
    let (deliveries, order) = only_delivery(&fx.admin).await;
    let parts = part_texts(&deliveries[0]);
    assert!(parts.len() > 5, "{} parts", parts.len());
    assert_eq!(order["status"], "needs_attention", "{order}");
    assert_eq!(order["attention_reason"], "chat_refused", "{order}");
    assert_eq!(
        mock.sent_to(SHOP_A, b),
        parts[..5].to_vec(),
        "five in a row"
    );
    sync(&fx.admin).await;
    assert_eq!(
        mock.sent_to(SHOP_A, b).len(),
        5,
        "a refusal is not retried by itself"
    );

    // Each time, the buyer answers and the seller sends the rest. Nothing is sent twice.
    for _ in 0..parts.len() {
        if mock.sent_to(SHOP_A, b).len() >= parts.len() {
            break;
        }
        mock.buyer_says(SHOP_A, b, "pembeli_a0", "sudah masuk kak, lanjut");
        let (status, body) = fx
            .admin
            .post(
                &format!("/api/v1/orders/{}/deliver", id_of(&order)),
                &json!({"mode": "retry"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        sync(&fx.admin).await;
    }
    let got = mock.sent_to(SHOP_A, b);
    assert_eq!(got, parts, "every part once, in order");
    each_key_once(&got, &keys, "ROW");
    assert!(got.iter().all(|t| t.encode_utf16().count() <= 150));
    let orders = orders_of(&fx.admin, SHOP_A).await;
    assert_eq!(orders[&sn(SHOP_A, 0)]["status"], "delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_part_shopee_refuses_as_too_long_is_cut_again_when_the_seller_lowers_the_limit_and_retries(
) {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    // Above what Shopee takes: the keys go in one message, the long steps in one too many.
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"chat_limit": 1000}))
        .await);
    let keys = make_keys("TOOL", 20);
    long_delivery_product(&fx.admin, &keys).await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    let item = ShopeeItem::listing(ITEM_A, MODEL_A, 20, PRICE);
    let b = buyer(SHOP_A, 0);
    let order = ShopeeOrder::paid(&sn(SHOP_A, 0), b, "pembeli_a0", item, mock.now(), 200);
    mock.add_orders(SHOP_A, [order]);

    sync(&fx.admin).await;
    let (deliveries, order) = only_delivery(&fx.admin).await;
    let first = part_texts(&deliveries[0]);
    assert_eq!(first.len(), 2, "{first:#?}");
    assert!(first[1].chars().count() > 600);
    assert_eq!(order["status"], "needs_attention", "{order}");
    let words = order["attention_detail"].as_str().unwrap_or_default();
    assert!(words.contains("600 or less"), "{order}");
    assert_eq!(mock.sent_to(SHOP_A, b), first[..1].to_vec());

    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"chat_limit": 600}))
        .await);
    let (status, body) = fx
        .admin
        .post(
            &format!("/api/v1/orders/{}/deliver", id_of(&order)),
            &json!({"mode": "retry"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    sync(&fx.admin).await;

    let got = mock.sent_to(SHOP_A, b);
    assert_eq!(got.len(), 3, "the keys once, the steps in two: {got:#?}");
    assert_eq!(got[0], first[0], "the part the buyer had is not sent again");
    assert!(got.iter().all(|t| t.chars().count() <= 600));
    assert_eq!(
        format!("{} {}", got[1], got[2]),
        first[1],
        "the steps cut at a space"
    );
    each_key_once(&got, &keys, "TOOL");
    let orders = orders_of(&fx.admin, SHOP_A).await;
    assert_eq!(orders[&sn(SHOP_A, 0)]["status"], "delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parts_the_extension_typed_before_its_tab_closed_are_not_sent_again_by_the_api() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request().with_env("AUTO_OFFER_TIMEOUT_SECS", "1"));
    configure(&fx.admin, &mock).await;
    let keys = make_keys("HALF", 20);
    long_delivery_product(&fx.admin, &keys).await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    // Paused while the order comes in, so the extension is the first road to take it.
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"paused": true}))
        .await);
    let item = ShopeeItem::listing(ITEM_A, MODEL_A, 20, PRICE);
    let b = buyer(SHOP_A, 0);
    let order = ShopeeOrder::paid(&sn(SHOP_A, 0), b, "pembeli_a0", item, mock.now(), 200);
    mock.add_orders(SHOP_A, [order]);
    sync(&fx.admin).await;
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"paused": false}))
        .await);

    // The extension takes it and types the first part; its tab closes before the rest.
    let page = ok(fx.extension().get("/api/v1/deliveries").await);
    let parts: Vec<String> = part_texts(&page["deliveries"][0]);
    assert!(parts.len() >= 3, "{parts:#?}");
    mock.seller_centre_says(SHOP_A, b, &parts[0]);
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // Its lease ran out: the API road takes it, reads the chat first, sends the rest.
    sync_until_delivered(&fx.admin, 5, &[(SHOP_A, &[sn(SHOP_A, 0)])]).await;
    assert_eq!(mock.sent_to(SHOP_A, b), parts, "each part once, in order");
    each_key_once(&mock.sent_to(SHOP_A, b), &keys, "HALF");
    let (deliveries, _) = only_delivery(&fx.admin).await;
    assert_eq!(deliveries[0]["road"], "open_platform", "{deliveries}");
    assert_eq!(deliveries[0]["parts_sent"], parts.len());
}

/// The trail codes of one of AUTO's orders.
async fn trail_codes(admin: &Api, order: &Value) -> Vec<String> {
    order_detail(admin, &id_of(order), false).await["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["code"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_detail_older_than_shopees_cancellation_does_not_reopen_the_order_a_newer_one_does() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP_A, "Toko Kunci Murah");
    let fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    let keys = make_keys("STALE", 3);
    let pid = listing_product(
        &fx.admin,
        "WIN11-STALE",
        json!({"item_id": ITEM_A, "model_id": MODEL_A}),
        &keys,
    )
    .await;
    connect_with_code(&fx.admin, &mock, SHOP_A).await;
    settle_after_connect(&fx.admin).await;
    let sn0 = sn(SHOP_A, 0);
    let b = buyer(SHOP_A, 0);
    mock.add_orders(SHOP_A, [order_a(&mock, 0, 60)]);
    sync_until_delivered(&fx.admin, 5, &[(SHOP_A, &[sn0.clone()][..])]).await;
    assert_eq!(mock.sent_to(SHOP_A, b).len(), 1);
    // The order as Shopee served it before the cancellation (its update_time then).
    let paid = mock.order(SHOP_A, &sn0).unwrap();

    // The buyer cancels on Shopee: the delivered key is held for the seller.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    mock.set_status(SHOP_A, &sn0, "CANCELLED");
    sync(&fx.admin).await;
    assert_eq!(
        orders_of(&fx.admin, SHOP_A).await[&sn0]["status"],
        "cancelled"
    );
    assert_eq!(stock(&fx.admin, &pid).await["by_status"]["revealed"], 1);

    // Shopee then serves the older detail again (still READY_TO_SHIP, its old update_time):
    // old news, twice.
    mock.add_order(SHOP_A, paid);
    sync(&fx.admin).await;
    sync(&fx.admin).await;
    let order = orders_of(&fx.admin, SHOP_A).await[&sn0].clone();
    assert_eq!(order["status"], "cancelled", "{order}");
    assert_eq!(stock(&fx.admin, &pid).await["by_status"]["revealed"], 1);
    let codes = trail_codes(&fx.admin, &order).await;
    let count = |c: &str| codes.iter().filter(|x| *x == c).count();
    assert_eq!(count("stale_report_ignored"), 1, "{codes:?}");
    assert_eq!(count("reopened"), 0, "{codes:?}");

    // The seller turned the request down: Shopee's newer change reopens it with its own key.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    mock.set_status(SHOP_A, &sn0, "READY_TO_SHIP");
    sync(&fx.admin).await;
    let order = orders_of(&fx.admin, SHOP_A).await[&sn0].clone();
    assert_eq!(order["status"], "delivered", "{order}");
    assert_eq!(stock(&fx.admin, &pid).await["by_status"]["delivered"], 1);
    assert_eq!(
        stock(&fx.admin, &pid).await["available"],
        2,
        "no second key"
    );
    assert_eq!(mock.sent_to(SHOP_A, b).len(), 1, "nothing sent again");
    let codes = trail_codes(&fx.admin, &order).await;
    assert_eq!(
        codes.iter().filter(|x| *x == "reopened").count(),
        1,
        "{codes:?}"
    );
}
