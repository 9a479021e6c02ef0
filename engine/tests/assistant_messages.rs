//! The assistant's message/reply side, end to end: a real `auto serve`, the real local
//! embedding model, and a mock OpenAI-compatible server standing in for the language model.
//! Buyer messages come in through `POST /messages` as the extension sends them; replies go out
//! through the leased outbox, drafts through the seller's queue.

use crate::support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::llm_mock::{MockLlm, MockMode};
use support::*;

const SHOP: &str = "toko_digital_jaya";
const MODEL: &str = "qwen2.5:3b-instruct";

// The FAQ every test starts from (Indonesian, as a seller in Indonesia writes it).
const DELIVERY_ANSWER: &str =
    "Kode dikirim otomatis lewat chat Shopee dalam 1-5 menit setelah pembayaran terverifikasi.";
const WARRANTY_ANSWER: &str =
    "Ada garansi 30 hari: kirim nomor pesanan dan tangkapan layar errornya, kami ganti dengan kode baru.";
const ACTIVATION_ANSWER: &str =
    "Buka Settings > System > Activation > Change product key, lalu masukkan kode dari chat.";

/// A paraphrase of the delivery entry, confidently matched.
const CONFIDENT: &str = "kak kapan kodenya dikirim?";
/// Close to the warranty entry but not sure enough to send (an FAQ suggestion, 0.3 ≤ c < 0.8).
const MID: &str = "kodenya gak bisa aktif gan";
/// Far from every entry (confidence well under 0.3).
const OFF_FAQ: &str = "Do you sell Netflix accounts?";

/// Most a `POST /messages` may take when the model fails in any way (timeout_secs = 1, two
/// retries with backoff: about 4 s in the worst mode).
const FAILURE_BOUND: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Faqs {
    delivery: i64,
    warranty: i64,
}

async fn seed_faq(admin: &Api) -> Faqs {
    let mut ids = Vec::new();
    for body in [
        json!({
            "question": "Berapa lama kode dikirim setelah pembayaran?",
            "variants": ["Kapan kode saya dikirim?", "Kapan lisensi dikirim setelah bayar?",
                         "How long until I receive my code?"],
            "answer": DELIVERY_ANSWER, "language": "id", "tags": ["pengiriman"], "enabled": true,
        }),
        json!({
            "question": "Apakah ada garansi kalau kode tidak bisa dipakai?",
            "variants": ["Kode tidak bisa diaktivasi, bagaimana?",
                         "Is there a warranty if the key does not work?"],
            "answer": WARRANTY_ANSWER, "language": "id", "tags": ["garansi"], "enabled": true,
        }),
        json!({
            "question": "Bagaimana cara aktivasi Windows 11 Pro?",
            "variants": ["Cara pakai kode Windows", "How do I activate Windows with the key?"],
            "answer": ACTIVATION_ANSWER, "language": "id", "tags": ["aktivasi"], "enabled": true,
        }),
    ] {
        let (status, entry) = admin.post("/api/v1/faq", &body).await;
        assert_eq!(status, StatusCode::CREATED, "create FAQ {body}: {entry}");
        ids.push(entry["id"].as_i64().expect("FAQ id"));
    }
    Faqs {
        delivery: ids[0],
        warranty: ids[1],
    }
}

/// A buyer's chat message as the extension reports it.
fn msg(conversation: &str, username: &str, user_id: i64, text: &str) -> Value {
    json!({
        "shop": SHOP,
        "conversation_id": conversation,
        "buyer": {"username": username, "user_id": user_id},
        "text": text,
    })
}

/// `POST /messages`, asserting 200; returns the outcome.
async fn send(api: &Api, body: &Value) -> Value {
    let (status, outcome) = api.post("/api/v1/messages", body).await;
    assert_eq!(status, StatusCode::OK, "POST /messages {body}: {outcome}");
    assert!(
        outcome["message_id"].is_i64() && outcome["conversation"].is_i64(),
        "outcome shape: {outcome}"
    );
    outcome
}

async fn put_ok(api: &Api, path: &str, body: &Value) -> Value {
    ok(api.put(path, body).await)
}

async fn conversation(admin: &Api, id: i64) -> Value {
    ok(admin.get(&format!("/api/v1/conversations/{id}")).await)
}

/// Our ids of the conversations with a question waiting for the seller.
async fn open_conversations(admin: &Api) -> BTreeSet<i64> {
    let page = ok(admin.get("/api/v1/conversations?open=true&limit=200").await);
    page["conversations"]
        .as_array()
        .unwrap_or_else(|| panic!("no conversations array: {page}"))
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn replies(api: &Api, query: &str) -> Vec<Value> {
    let page = ok(api.get(&format!("/api/v1/replies?{query}")).await);
    page["replies"]
        .as_array()
        .unwrap_or_else(|| panic!("no replies array: {page}"))
        .clone()
}

fn ids(list: &[Value]) -> BTreeSet<i64> {
    list.iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

fn inbound(detail: &Value) -> Vec<Value> {
    detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "in")
        .cloned()
        .collect()
}

fn outbound(detail: &Value) -> Vec<Value> {
    detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "out")
        .cloned()
        .collect()
}

async fn configure_llm(admin: &Api, base_url: &str, timeout_secs: u64, api_key: Option<&str>) {
    let mut body = json!({"base_url": base_url, "model": MODEL, "timeout_secs": timeout_secs});
    if let Some(k) = api_key {
        body["api_key"] = json!(k);
    }
    let view = put_ok(admin, "/api/v1/settings/llm", &body).await;
    assert_eq!(view["configured"], true, "{view}");
    assert_eq!(view["base_url"], base_url, "{view}");
}

/// An http base URL on which nothing listens.
fn unreachable_base_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/v1")
}

/// A license-key product mapped to a Shopee listing of `SHOP`.
async fn listed_product(admin: &Api, sku: &str, name: &str, item_id: i64) -> i64 {
    let mut body = product_body(sku);
    body["name"] = json!(name);
    body["mappings"] = json!([{"shop": SHOP, "item_id": item_id}]);
    create_product(admin, &body).await["id"]
        .as_i64()
        .expect("product id")
}

/// Imports keys as a text file, one per line.
async fn import_text_keys(admin: &Api, product: i64, keys: &[String]) {
    let (status, report) = admin
        .raw(
            Method::POST,
            &format!("/api/v1/products/{product}/stock"),
            "text/plain",
            keys.join("\n"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "import stock: {report}");
    assert_eq!(report["imported"], keys.len(), "{report}");
}

async fn graph_stats(admin: &Api) -> Value {
    ok(admin.get("/api/v1/assistant/status").await)["graph"].clone()
}

async fn insights(admin: &Api) -> Value {
    ok(admin.get("/api/v1/assistant/insights").await)
}

/// Waits until the graph worker has brought `n` orders into the graph (it waits for a quiet
/// second after intake, then runs within a second).
async fn graph_has_orders(admin: &Api, n: u64, within: Duration) {
    eventually(
        within,
        &format!("{n} orders in the memory graph"),
        || async {
            let g = graph_stats(admin).await;
            (g["orders"].as_u64() == Some(n)).then_some(())
        },
    )
    .await;
}

fn paid_order_of(order_sn: &str, username: &str, user_id: i64, sku: &str) -> Value {
    json!({
        "shop": SHOP,
        "order_sn": order_sn,
        "status": "paid",
        "buyer": {"username": username, "user_id": user_id},
        "lines": [{"sku": sku, "quantity": 1, "unit_price": 150000}],
        "total": 150000,
        "currency": "IDR",
    })
}

/// Whether `hay` holds any `window`-byte run of `secret`.
fn holds_fragment(hay: &[u8], secret: &str, window: usize) -> bool {
    let secret = secret.as_bytes();
    (0..=secret.len().saturating_sub(window))
        .step_by(window / 2)
        .any(|at| {
            let needle = &secret[at..(at + window).min(secret.len())];
            hay.windows(needle.len()).any(|w| w == needle)
        })
}

/// Every file under `dir` (recursively) with its bytes.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read data dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((path.display().to_string(), bytes));
            }
        }
    }
    out
}

/// A realistic project API key (OpenAI's `sk-proj-` keys are 164 characters).
fn long_api_key() -> String {
    let mut rng = rand::thread_rng();
    let tail: String = (0..156)
        .map(|_| rng.sample(rand::distributions::Alphanumeric) as char)
        .collect();
    format!("sk-proj-{tail}")
}

// ---------------------------------------------------------------------------------------------
// 1. FAQ auto-answer, outbox lease and confirm
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_indonesian_paraphrase_is_answered_from_the_faq_and_sent_exactly_once() {
    let fx = Fixture::with(ServeOptions::default().with_env("AUTO_OFFER_TIMEOUT_SECS", "2"));
    let ext = fx.extension();
    let faqs = seed_faq(&fx.admin).await;

    let outcome = send(&ext, &msg("880001", "budi_santoso", 5_551_001, CONFIDENT)).await;
    assert_eq!(outcome["duplicate"], false, "{outcome}");
    assert_eq!(outcome["language"], "id", "{outcome}");
    let reply = &outcome["reply"];
    assert_eq!(reply["source"], "faq", "{outcome}");
    assert_eq!(reply["faq_id"], faqs.delivery, "{outcome}");
    assert_eq!(reply["status"], "pending", "{outcome}");
    assert_eq!(reply["auto_send"], true, "{outcome}");
    assert_eq!(reply["text"], DELIVERY_ANSWER, "{outcome}");
    let confidence = outcome["confidence"].as_f64().unwrap();
    let threshold = outcome["threshold"].as_f64().unwrap();
    assert!(confidence >= threshold, "{outcome}");
    let reply_id = reply["id"].as_i64().expect("reply id");
    let conv = outcome["conversation"].as_i64().unwrap();

    // The extension's outbox offers it once, with what it needs to find the chat.
    let offered = replies(&ext, "status=pending").await;
    assert_eq!(ids(&offered), BTreeSet::from([reply_id]), "{offered:?}");
    let r = &offered[0];
    assert_eq!(r["text"], DELIVERY_ANSWER);
    assert_eq!(r["shop"], SHOP);
    assert_eq!(r["conversation_id"], "880001");
    assert_eq!(r["buyer"]["username"], "budi_santoso");
    assert!(
        replies(&ext, "status=pending").await.is_empty(),
        "a leased reply is not offered again before the offer timeout"
    );
    // Not confirmed within the offer timeout: offered again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let again = replies(&ext, "status=pending").await;
    assert_eq!(
        ids(&again),
        BTreeSet::from([reply_id]),
        "re-offered: {again:?}"
    );
    assert_eq!(again[0]["attempts"], 2, "{again:?}");

    let (status, first) = ext
        .post(&format!("/api/v1/replies/{reply_id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["status"], "sent", "{first}");
    assert!(first["confirmed_at"].is_string(), "{first}");
    let (status, second) = ext
        .post(&format!("/api/v1/replies/{reply_id}/confirm"), &json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a repeated confirm is a no-op: {second}"
    );
    assert_eq!(second, first, "a repeated confirm changes nothing");

    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        replies(&ext, "status=pending").await.is_empty(),
        "a sent reply is never offered again"
    );

    let detail = conversation(&fx.admin, conv).await;
    let ins = inbound(&detail);
    let outs = outbound(&detail);
    assert_eq!(ins.len(), 1, "{detail}");
    assert_eq!(ins[0]["text"], CONFIDENT);
    assert_eq!(ins[0]["state"], "answered");
    assert_eq!(ins[0]["source"], "faq");
    assert_eq!(ins[0]["faq_id"], faqs.delivery);
    assert_eq!(
        outs.len(),
        1,
        "one outbound message however often it was confirmed: {detail}"
    );
    assert_eq!(outs[0]["text"], DELIVERY_ANSWER);
    assert_eq!(detail["open_questions"], 0, "{detail}");
    assert!(!open_conversations(&fx.admin).await.contains(&conv));

    // The FAQ entry counts the hit.
    let entry = ok(fx
        .admin
        .get(&format!("/api/v1/faq/{}", faqs.delivery))
        .await);
    assert_eq!(entry["hits"], 1, "{entry}");
}

// ---------------------------------------------------------------------------------------------
// 2. The same Shopee message twice
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_shopee_message_reported_again_is_recorded_once() {
    let fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;

    // Numbers, as Seller Centre's JSON has them.
    let body = json!({
        "shop": SHOP,
        "conversation_id": 271_828_182_845_u64,
        "buyer": {"username": "sari.dewi", "user_id": 77_001},
        "text": CONFIDENT,
        "message_id": 9_876_543_210_u64,
    });
    let first = send(&ext, &body).await;
    assert_eq!(first["duplicate"], false, "{first}");
    assert_eq!(first["reply"]["status"], "pending", "{first}");

    // The same ids as strings (the DOM fallback reads them as text) are the same message.
    let mut as_strings = body.clone();
    as_strings["conversation_id"] = json!("271828182845");
    as_strings["message_id"] = json!("9876543210");
    for again in [&body, &as_strings] {
        let replay = send(&ext, again).await;
        assert_eq!(replay["duplicate"], true, "{replay}");
        assert_eq!(replay["message_id"], first["message_id"], "{replay}");
        assert_eq!(replay["conversation"], first["conversation"], "{replay}");
        assert_eq!(replay["reply"], first["reply"], "same reply: {replay}");
        assert_eq!(replay["language"], first["language"], "{replay}");
    }

    // Eight concurrent reports of another message: one is recorded, seven are duplicates.
    let mut next = body.clone();
    next["message_id"] = json!(9_876_543_211_u64);
    next["text"] = json!("kak, kodenya sudah dikirim belum? saya sudah bayar");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (ext, next) = (ext.clone(), next.clone());
            tokio::spawn(async move { send(&ext, &next).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|o| o["duplicate"] == false).count(),
        1,
        "{outcomes:?}"
    );
    let message_ids: BTreeSet<i64> = outcomes
        .iter()
        .map(|o| o["message_id"].as_i64().unwrap())
        .collect();
    assert_eq!(message_ids.len(), 1, "{outcomes:?}");
    let reply_ids: BTreeSet<String> = outcomes
        .iter()
        .map(|o| o["reply"]["id"].to_string())
        .collect();
    assert_eq!(reply_ids.len(), 1, "{outcomes:?}");

    let conv = first["conversation"].as_i64().unwrap();
    let detail = conversation(&fx.admin, conv).await;
    assert_eq!(detail["conversation_id"], "271828182845", "{detail}");
    assert_eq!(inbound(&detail).len(), 2, "two distinct messages: {detail}");
    assert_eq!(
        detail["replies"].as_array().unwrap().len(),
        2,
        "one reply per message: {detail}"
    );
    let listed = ok(fx.admin.get("/api/v1/conversations").await);
    assert_eq!(
        listed["conversations"].as_array().unwrap().len(),
        1,
        "{listed}"
    );

    // "Same outcome": the replay also states the bar the answer cleared.
    let replay = send(&ext, &body).await;
    assert_eq!(
        replay["threshold"], first["threshold"],
        "a replayed outcome reports another threshold than the original: {replay} vs {first}"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Settings: store < product < customer
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_and_customer_settings_override_the_store_for_their_messages() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let faqs = seed_faq(&fx.admin).await;
    let win = listed_product(
        &fx.admin,
        "WIN11-PRO",
        "Windows 11 Pro Retail Key",
        4_410_001,
    )
    .await;
    let office = listed_product(&fx.admin, "OFF-2021", "Office 2021 Pro Plus", 4_410_002).await;

    put_ok(
        &fx.admin,
        "/api/v1/settings/ai/store",
        &json!({"auto_reply": true, "threshold": 0.8}),
    )
    .await;
    put_ok(
        &fx.admin,
        &format!("/api/v1/settings/ai/product?key={win}"),
        &json!({"auto_reply": false}),
    )
    .await;
    assert_eq!(
        ok(fx
            .admin
            .get(&format!("/api/v1/settings/ai/product?key={win}"))
            .await),
        json!({"auto_reply": false})
    );

    // About the Windows listing (item_id mapped to it): a confident answer waits for approval.
    let mut about_win = msg("990001", "rina_kurnia", 66_001, CONFIDENT);
    about_win["item_id"] = json!(4_410_001);
    let o = send(&ext, &about_win).await;
    assert_eq!(o["reply"]["source"], "faq", "{o}");
    assert_eq!(o["reply"]["faq_id"], faqs.delivery, "{o}");
    assert_eq!(
        o["reply"]["status"], "draft",
        "product says no auto-reply: {o}"
    );
    assert_eq!(o["reply"]["auto_send"], false, "{o}");
    let draft = o["reply"]["id"].as_i64().unwrap();
    assert!(ids(&replies(&fx.admin, "status=draft").await).contains(&draft));
    assert!(!ids(&replies(&ext, "status=pending").await).contains(&draft));
    let detail = conversation(&fx.admin, o["conversation"].as_i64().unwrap()).await;
    assert_eq!(detail["product_id"], win, "{detail}");
    assert_eq!(inbound(&detail)[0]["state"], "drafted", "{detail}");

    // Naming the product directly works the same.
    let mut by_id = msg("990002", "yusuf.h", 66_002, CONFIDENT);
    by_id["product_id"] = json!(win);
    let o = send(&ext, &by_id).await;
    assert_eq!(o["reply"]["status"], "draft", "{o}");

    // Another product, same question: the store's auto-reply applies.
    let mut about_office = msg("990003", "rina_kurnia", 66_001, CONFIDENT);
    about_office["item_id"] = json!(4_410_002);
    let o = send(&ext, &about_office).await;
    assert_eq!(o["reply"]["status"], "pending", "{o}");
    let detail = conversation(&fx.admin, o["conversation"].as_i64().unwrap()).await;
    assert_eq!(detail["product_id"], office, "{detail}");

    let eff = ok(fx
        .admin
        .get(&format!(
            "/api/v1/settings/ai?product_id={win}&customer={SHOP}/rina_kurnia"
        ))
        .await);
    assert_eq!(eff["auto_reply"], false, "{eff}");
    assert_eq!(eff["from"]["auto_reply"], "product", "{eff}");
    assert_eq!(eff["from"]["threshold"], "store", "{eff}");
    assert_eq!(eff["from"]["llm"], "default", "{eff}");

    // The customer level beats the product: auto-reply on, and every FAQ match is good enough.
    put_ok(
        &fx.admin,
        &format!("/api/v1/settings/ai/customer?key={SHOP}/rina_kurnia"),
        &json!({"auto_reply": true, "threshold": 0.0}),
    )
    .await;
    let eff = ok(fx
        .admin
        .get(&format!(
            "/api/v1/settings/ai?product_id={win}&customer={SHOP}/rina_kurnia"
        ))
        .await);
    assert_eq!(eff["auto_reply"], true, "{eff}");
    assert_eq!(eff["threshold"], 0.0, "{eff}");
    assert_eq!(eff["from"]["auto_reply"], "customer", "{eff}");
    assert_eq!(eff["from"]["threshold"], "customer", "{eff}");

    let mut again = about_win.clone();
    again["text"] = json!("gan, lisensinya kapan dikirim ya?");
    let o = send(&ext, &again).await;
    assert_eq!(
        o["reply"]["status"], "pending",
        "customer says auto-reply: {o}"
    );
    assert_eq!(o["threshold"], 0.0, "{o}");
    let mut off_faq = about_win.clone();
    off_faq["text"] = json!(OFF_FAQ);
    let o = send(&ext, &off_faq).await;
    assert_eq!(
        o["reply"]["source"], "faq",
        "threshold 0 answers anything: {o}"
    );
    assert_eq!(o["reply"]["status"], "pending", "{o}");

    // Another buyer of the same product still gets the product's behaviour.
    let mut other = msg("990004", "dimas_ap", 66_004, CONFIDENT);
    other["item_id"] = json!(4_410_001);
    let o = send(&ext, &other).await;
    assert_eq!(o["reply"]["status"], "draft", "{o}");

    // Clearing the product level gives the store back.
    put_ok(
        &fx.admin,
        &format!("/api/v1/settings/ai/product?key={win}"),
        &json!({}),
    )
    .await;
    let mut later = msg("990005", "tono_s", 66_005, CONFIDENT);
    later["item_id"] = json!(4_410_001);
    let o = send(&ext, &later).await;
    assert_eq!(o["reply"]["status"], "pending", "{o}");
}

/// Customer keys are `<shop>/<buyer username>`. What the effective-settings view shows for a
/// customer must be what that customer's messages get.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_effective_view_shows_the_customer_settings_messages_get_in_a_capitalised_shop() {
    let fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;

    let shop = "TokoDigitalJaya";
    put_ok(
        &fx.admin,
        &format!("/api/v1/settings/ai/customer?key={shop}/siti_rahma"),
        &json!({"threshold": 0.0}),
    )
    .await;
    let mut m = msg("770001", "siti_rahma", 0, OFF_FAQ);
    m["shop"] = json!(shop);
    m["buyer"] = json!({"username": "siti_rahma"});
    let o = send(&ext, &m).await;
    assert_eq!(
        o["threshold"], 0.0,
        "the message used the customer level: {o}"
    );
    let eff = ok(fx
        .admin
        .get(&format!("/api/v1/settings/ai?customer={shop}/siti_rahma"))
        .await);
    assert_eq!(
        eff["from"]["threshold"], "customer",
        "GET /settings/ai?customer= shows other settings than the ones messages of this \
         customer get: {eff}"
    );
}

/// Messages match the customer's username without regard to case; settings saved under the
/// username as Seller Centre displays it must reach that buyer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_settings_saved_under_a_capitalised_username_apply_to_that_buyer() {
    let fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;

    put_ok(
        &fx.admin,
        &format!("/api/v1/settings/ai/customer?key={SHOP}/Andi_Wijaya"),
        &json!({"threshold": 0.0}),
    )
    .await;
    let mut m = msg("770002", "Andi_Wijaya", 0, OFF_FAQ);
    m["buyer"] = json!({"username": "Andi_Wijaya"});
    let o = send(&ext, &m).await;
    assert_eq!(
        o["threshold"], 0.0,
        "customer settings saved under the buyer's username as written never apply: {o}"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. The language model drafts what the FAQ cannot answer
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_off_faq_question_gets_a_model_draft_built_from_faq_product_and_history() {
    let fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;
    let mock = MockLlm::start(MockMode::Ok);
    let key = "sk-test-4c1d8e2a9b7f3605";
    configure_llm(&fx.admin, &mock.base_url, 10, Some(key)).await;
    let win = listed_product(
        &fx.admin,
        "WIN11-PRO",
        "Windows 11 Pro Retail Key",
        5_120_001,
    )
    .await;

    // The buyer bought before; the graph worker records the order.
    let (buyer, uid) = ("hendra.gunawan", 31_337_001_i64);
    post_order(
        &ext,
        &paid_order_of("241125HG7Q1XJP", buyer, uid, "WIN11-PRO"),
    )
    .await;
    graph_has_orders(&fx.admin, 1, Duration::from_secs(10)).await;

    // A first exchange in the same chat, answered from the FAQ and sent.
    let mut first = msg("660001", buyer, uid, CONFIDENT);
    first["item_id"] = json!(5_120_001);
    let o = send(&ext, &first).await;
    assert_eq!(o["reply"]["source"], "faq", "{o}");
    let faq_reply = o["reply"]["id"].as_i64().unwrap();
    ok(ext
        .post(&format!("/api/v1/replies/{faq_reply}/confirm"), &json!({}))
        .await);
    assert!(
        mock.requests().is_empty(),
        "a confident FAQ answer needs no model"
    );

    let question = "Bisa kirim invoice ke email kantor saya?";
    let mut second = msg("660001", buyer, uid, question);
    second["message_id"] = json!("660001-0002");
    let o = send(&ext, &second).await;
    assert!(
        o["confidence"].as_f64().unwrap() < o["threshold"].as_f64().unwrap(),
        "{o}"
    );
    let reply = &o["reply"];
    assert_eq!(reply["source"], "llm", "{o}");
    assert_eq!(reply["status"], "draft", "{o}");
    assert_eq!(reply["auto_send"], false, "{o}");
    let text = reply["text"].as_str().unwrap();
    assert!(
        text.starts_with("Halo kak!") && text.contains("Kode dikirim otomatis lewat chat"),
        "the mock's Indonesian answer, as it wrote it: {o}"
    );

    // What the model was sent.
    let requests = mock.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let req = &requests[0];
    assert_eq!(req["model"], MODEL, "{req}");
    assert_eq!(
        mock.auth_headers(),
        vec![Some(format!("Bearer {key}"))],
        "the configured key is sent"
    );
    let messages = req["messages"].as_array().expect("messages");
    assert_eq!(messages[0]["role"], "system", "{req}");
    let system = messages[0]["content"].as_str().unwrap();
    assert!(
        [DELIVERY_ANSWER, WARRANTY_ANSWER, ACTIVATION_ANSWER]
            .iter()
            .any(|a| system.contains(a)),
        "the FAQ is in the system message: {system}"
    );
    assert!(
        system.contains("Windows 11 Pro Retail Key"),
        "the product is in the system message: {system}"
    );
    assert!(
        system.contains("241125HG7Q1XJP"),
        "the buyer's order history is in the system message: {system}"
    );
    assert!(system.contains(SHOP), "{system}");
    let last = messages.last().unwrap();
    assert_eq!(last["role"], "user", "{req}");
    assert_eq!(last["content"], question, "{req}");
    let turns: Vec<(&str, &str)> = messages[1..messages.len() - 1]
        .iter()
        .map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap()))
        .collect();
    assert_eq!(
        turns,
        vec![("user", CONFIDENT), ("assistant", DELIVERY_ANSWER)],
        "the earlier turns of the chat, oldest first"
    );

    // The draft waits for the seller, not in the extension's outbox.
    let draft = reply["id"].as_i64().unwrap();
    assert!(ids(&replies(&fx.admin, "status=draft").await).contains(&draft));
    assert!(!ids(&replies(&ext, "status=pending").await).contains(&draft));
    let conv = o["conversation"].as_i64().unwrap();
    let detail = conversation(&fx.admin, conv).await;
    assert_eq!(inbound(&detail)[1]["state"], "drafted", "{detail}");
    assert_eq!(
        detail["product_id"], win,
        "the listing named the product: {detail}"
    );
    assert!(open_conversations(&fx.admin).await.contains(&conv));

    // The seller edits and approves it: it goes out with their words.
    let edited = "Halo kak, faktur pajak bisa kami kirim lewat email dalam 1x24 jam ya. Mohon kirim NPWP dan nama PT 🙏";
    let (status, approved) = fx
        .admin
        .post(
            &format!("/api/v1/replies/{draft}/approve"),
            &json!({"text": edited}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "pending", "{approved}");
    assert_eq!(approved["text"], edited, "{approved}");
    let outbox = replies(&ext, "status=pending").await;
    let sent = outbox
        .iter()
        .find(|r| r["id"] == draft)
        .unwrap_or_else(|| panic!("approved draft not in the outbox: {outbox:?}"));
    assert_eq!(sent["text"], edited);
    assert_error(
        &fx.admin
            .post(&format!("/api/v1/replies/{draft}/approve"), &json!({}))
            .await,
        409,
        "conflict",
    );
    ok(ext
        .post(&format!("/api/v1/replies/{draft}/confirm"), &json!({}))
        .await);
    let detail = conversation(&fx.admin, conv).await;
    assert!(
        inbound(&detail).iter().all(|m| m["state"] == "answered"),
        "{detail}"
    );
    assert_eq!(
        outbound(&detail).last().unwrap()["text"],
        edited,
        "{detail}"
    );
    assert!(!open_conversations(&fx.admin).await.contains(&conv));

    // A customer whose model drafts go out without approval.
    put_ok(
        &fx.admin,
        &format!("/api/v1/settings/ai/customer?key={SHOP}/langganan_setia"),
        &json!({"llm_auto_send": true}),
    )
    .await;
    let o = send(
        &ext,
        &msg(
            "660002",
            "langganan_setia",
            31_337_002,
            "Apakah toko ini buka saat Lebaran?",
        ),
    )
    .await;
    assert_eq!(o["reply"]["source"], "llm", "{o}");
    assert_eq!(o["reply"]["status"], "pending", "{o}");
    assert_eq!(o["reply"]["auto_send"], true, "{o}");
    let id = o["reply"]["id"].as_i64().unwrap();
    assert!(ids(&replies(&ext, "status=pending").await).contains(&id));

    // LLM off at the store level: nobody asks the model any more.
    put_ok(
        &fx.admin,
        "/api/v1/settings/ai/store",
        &json!({"llm": false}),
    )
    .await;
    let before = mock.requests().len();
    let o = send(&ext, &msg("660003", "pembeli_baru", 31_337_003, OFF_FAQ)).await;
    assert_ne!(o["reply"]["source"], "llm", "{o}");
    assert_eq!(
        mock.requests().len(),
        before,
        "the model is not asked when off"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. The model fails in every way: the question waits for the seller, nothing is lost
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_model_leaves_the_question_to_the_seller_within_bounded_time() {
    let fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;
    let mock = MockLlm::start(MockMode::Ok);
    configure_llm(&fx.admin, &mock.base_url, 1, None).await;

    let cases: Vec<(&str, Option<MockMode>, &str)> = vec![
        ("down", None, "Bisa kirim invoice ke email kantor saya?"),
        (
            "500",
            Some(MockMode::Fail500),
            "Apakah toko ini buka saat hari raya Lebaran?",
        ),
        (
            "429",
            Some(MockMode::Fail429),
            "Do you ship a physical DVD to Surabaya?",
        ),
        (
            "stall",
            Some(MockMode::Stall(Duration::from_secs(3))),
            "Kak, bisa request warna kotak untuk kado?",
        ),
        (
            "garbage",
            Some(MockMode::Garbage),
            "Ada voucher ongkir untuk pembelian kedua?",
        ),
        (
            "empty",
            Some(MockMode::Empty),
            "Is there a student discount for bulk orders?",
        ),
    ];
    for (i, (name, mode, question)) in cases.into_iter().enumerate() {
        match mode {
            Some(mode) => {
                configure_llm(&fx.admin, &mock.base_url, 1, None).await;
                mock.set_mode(mode);
            }
            None => configure_llm(&fx.admin, &unreachable_base_url(), 1, None).await,
        }
        let before = mock.requests().len();
        let buyer = format!("pembeli_{name}");
        let body = json!({
            "shop": SHOP,
            "conversation_id": format!("55000{i}"),
            "buyer": {"username": buyer, "user_id": 900 + i},
            "text": question,
            "message_id": format!("m-{name}"),
        });

        // While the model is being asked, the message is already recorded and waiting.
        let started = Instant::now();
        let task = {
            let (ext, body) = (ext.clone(), body.clone());
            tokio::spawn(async move { send(&ext, &body).await })
        };
        if name == "stall" {
            let found = eventually(
                Duration::from_secs(3),
                "the stalled question listed",
                || {
                    let admin = fx.admin.clone();
                    let buyer = buyer.clone();
                    async move {
                        let page = ok(admin
                            .get(&format!("/api/v1/conversations?open=true&q={buyer}"))
                            .await);
                        page["conversations"].as_array().unwrap().first().cloned()
                    }
                },
            )
            .await;
            assert!(
                !task.is_finished(),
                "{name}: the model is still being asked"
            );
            assert_eq!(found["open_questions"], 1, "{found}");
            assert_eq!(found["last_message"], question, "{found}");
        }
        let o = task.await.unwrap();
        let took = started.elapsed();
        assert!(took < FAILURE_BOUND, "{name}: took {took:?}");
        if name == "stall" {
            assert!(
                took >= Duration::from_secs(1),
                "{name}: the timeout was waited for"
            );
        }

        let reply = &o["reply"];
        match reply["source"].as_str() {
            Some("none") => {
                assert!(reply["id"].is_null(), "{name}: {o}");
                assert!(reply["status"].is_null(), "{name}: {o}");
            }
            Some("faq") => {
                // The FAQ's best guess, as a draft for the seller.
                assert_eq!(reply["status"], "draft", "{name}: {o}");
                assert!(o["confidence"].as_f64().unwrap() >= 0.3, "{name}: {o}");
            }
            other => panic!("{name}: a failed model gives no {other:?} reply: {o}"),
        }
        assert_eq!(reply["auto_send"], false, "{name}: {o}");
        let reason = o["reason"].as_str().unwrap();
        assert!(reason.contains("language model"), "{name}: {o}");

        let conv = o["conversation"].as_i64().unwrap();
        let detail = conversation(&fx.admin, conv).await;
        let ins = inbound(&detail);
        assert_eq!(ins.len(), 1, "{name}: {detail}");
        assert_eq!(ins[0]["text"], question, "{name}: nothing lost");
        assert!(
            ins[0]["state"] == "waiting" || ins[0]["state"] == "drafted",
            "{name}: {detail}"
        );
        assert!(
            !ins[0]["note"].as_str().unwrap().is_empty(),
            "{name}: the seller sees why: {detail}"
        );
        assert!(
            detail["replies"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["source"] != "llm" && r["status"] == "draft"),
            "{name}: {detail}"
        );
        assert!(
            open_conversations(&fx.admin).await.contains(&conv),
            "{name}"
        );

        let asked = mock.requests().len() - before;
        match name {
            "down" => assert_eq!(asked, 0),
            // Retried: 1 + 2 attempts.
            "500" | "429" | "stall" => assert_eq!(asked, 3, "{name}"),
            // Not a chat completion / nothing said: retrying will not help.
            _ => assert_eq!(asked, 1, "{name}"),
        }
        // The same message reported again waits, and does not ask the model again.
        let replay = send(&ext, &body).await;
        assert_eq!(replay["duplicate"], true, "{name}: {replay}");
        assert_eq!(replay["reply"], o["reply"], "{name}: {replay}");
        assert_eq!(mock.requests().len() - before, asked, "{name}");
    }

    // A model that fails twice and then answers is retried into a draft.
    mock.set_mode(MockMode::FailTimes(2));
    let before = mock.requests().len();
    let o = send(
        &ext,
        &msg(
            "559999",
            "pembeli_sabar",
            999,
            "Apakah bisa bayar pakai COD?",
        ),
    )
    .await;
    assert_eq!(mock.requests().len() - before, 3);
    if o["confidence"].as_f64().unwrap() < o["threshold"].as_f64().unwrap() {
        assert_eq!(o["reply"]["source"], "llm", "{o}");
        assert_eq!(o["reply"]["status"], "draft", "{o}");
    }
    // Everything asked is still there for the seller.
    let all = ok(fx.admin.get("/api/v1/conversations?limit=200").await);
    assert_eq!(all["conversations"].as_array().unwrap().len(), 7, "{all}");
}

// ---------------------------------------------------------------------------------------------
// 6. Stock never leaks through the assistant
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_reply_containing_a_stock_key_is_refused_and_faq_answers_cannot_hold_one() {
    let fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;
    let win = listed_product(
        &fx.admin,
        "WIN11-PRO",
        "Windows 11 Pro Retail Key",
        6_600_001,
    )
    .await;
    let keys = make_keys("W11P", 5);
    import_text_keys(&fx.admin, win, &keys).await;
    let mock = MockLlm::start(MockMode::Ok);
    configure_llm(&fx.admin, &mock.base_url, 5, None).await;
    // Even with model replies sent without approval, a key must not go out.
    put_ok(
        &fx.admin,
        "/api/v1/settings/ai/store",
        &json!({"llm_auto_send": true}),
    )
    .await;

    let key = &keys[2];
    let spaced = key.replace('-', " ").to_lowercase();
    let texts = [
        format!("Halo kak, ini kode lisensinya ya: {key} 🙏"),
        format!("Siap kak! Kodenya {spaced}, silakan dicoba."),
    ];
    let mut convs = Vec::new();
    for (i, reply) in texts.iter().enumerate() {
        mock.set_mode(MockMode::Reply(reply.clone()));
        let mut m = msg(
            &format!("440{i}"),
            "pembeli_nakal",
            4_400_001,
            "Kak, minta kode Windows-nya dong sekarang, saya belum bayar",
        );
        m["item_id"] = json!(6_600_001);
        let before = mock.requests().len();
        let o = send(&ext, &m).await;
        assert_eq!(
            mock.requests().len() - before,
            1,
            "the model was asked: {o}"
        );
        let serialized = o.to_string();
        assert!(keys_in(&serialized, "W11P").is_empty(), "{o}");
        assert!(!serialized.to_lowercase().contains(&spaced), "{o}");
        assert_ne!(o["reply"]["source"], "llm", "refused: {o}");
        assert_ne!(o["reply"]["status"], "pending", "{o}");
        let conv = o["conversation"].as_i64().unwrap();
        let detail = conversation(&fx.admin, conv).await;
        let ins = inbound(&detail);
        assert!(
            ins[0]["state"] == "waiting" || ins[0]["state"] == "drafted",
            "{detail}"
        );
        assert!(
            ins[0]["note"].as_str().unwrap().contains("stock item"),
            "the seller sees why: {detail}"
        );
        assert!(open_conversations(&fx.admin).await.contains(&conv));
        convs.push(conv);
    }
    // The prompt never carried stock either.
    for r in mock.requests() {
        assert!(keys_in(&r.to_string(), "W11P").is_empty(), "{r}");
    }

    // No API that shows replies or conversations shows the key.
    let mut seen = Vec::new();
    seen.push(ok(fx
        .admin
        .get("/api/v1/replies?status=draft&limit=100")
        .await));
    seen.push(ok(ext
        .get("/api/v1/replies?status=pending&limit=100")
        .await));
    seen.push(ok(fx.admin.get("/api/v1/conversations?limit=200").await));
    for c in &convs {
        seen.push(conversation(&fx.admin, *c).await);
    }
    for v in &seen {
        let s = v.to_string();
        assert!(keys_in(&s, "W11P").is_empty(), "{s}");
        assert!(!s.to_lowercase().contains(&spaced), "{s}");
    }

    // FAQ answers go to every buyer who asks: one with a stock key is refused.
    let body = json!({
        "question": "Minta contoh kode aktivasi",
        "answer": format!("Contohnya seperti ini: {}", keys[0]),
        "language": "id", "tags": [], "enabled": true,
    });
    assert_error(
        &fx.admin.post("/api/v1/faq", &body).await,
        422,
        "invalid_input",
    );
    let (status, entries) = fx.admin.get("/api/v1/faq?limit=100").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        keys_in(&entries.to_string(), "W11P").is_empty(),
        "{entries}"
    );
    let (status, listed) = fx.admin.get("/api/v1/faq").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        listed["total"], 3,
        "the refused entry was not added: {listed}"
    );
    let faq_id = listed["entries"][0]["id"].clone();
    let before = ok(fx.admin.get(&format!("/api/v1/faq/{faq_id}")).await);
    assert_error(
        &fx.admin
            .patch(
                &format!("/api/v1/faq/{faq_id}"),
                &json!({"answer": format!("Kode cadangan: {}", keys[4])}),
            )
            .await,
        422,
        "invalid_input",
    );
    // A translation goes to buyers as well, so it is checked the same way, on create and edit.
    let mut translated = body.clone();
    translated["answer"] = json!("Contohnya ada di chat.");
    translated["translations"] = json!({"en": format!("For example: {}", keys[1])});
    assert_error(
        &fx.admin.post("/api/v1/faq", &translated).await,
        422,
        "invalid_input",
    );
    assert_error(
        &fx.admin
            .patch(
                &format!("/api/v1/faq/{faq_id}"),
                &json!({"translations": {"en": "Fine.", "vi": format!("Mã dự phòng: {}", keys[3])}}),
            )
            .await,
        422,
        "invalid_input",
    );
    assert_eq!(
        ok(fx.admin.get(&format!("/api/v1/faq/{faq_id}")).await),
        before,
        "refused edits change nothing"
    );
    assert_eq!(ok(fx.admin.get("/api/v1/faq").await)["total"], 3);
    assert!(
        keys_in(&fx.server.stderr(), "W11P").is_empty(),
        "server log"
    );
}

// ---------------------------------------------------------------------------------------------
// 6b. The answer in the buyer's language
// ---------------------------------------------------------------------------------------------

const DELIVERY_ANSWER_EN: &str =
    "Your code is sent automatically in the Shopee chat within 1-5 minutes after payment is verified.";
const DELIVERY_ANSWER_VI: &str =
    "Mã được gửi tự động qua chat Shopee trong 1-5 phút sau khi thanh toán được xác nhận.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_gets_the_faq_answer_in_the_language_they_write_in() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let faqs = seed_faq(&fx.admin).await;
    let path = format!("/api/v1/faq/{}", faqs.delivery);
    let entry = ok(fx
        .admin
        .patch(
            &path,
            &json!({"translations": {"EN": DELIVERY_ANSWER_EN, "vi": DELIVERY_ANSWER_VI}}),
        )
        .await);
    assert_eq!(
        entry["translations"],
        json!({"en": DELIVERY_ANSWER_EN, "vi": DELIVERY_ANSWER_VI}),
        "codes are stored lowercased: {entry}"
    );
    assert_eq!(entry["answer"], DELIVERY_ANSWER, "{entry}");
    let english = "How long until I receive my code?";

    // Reply language "auto" (the default): each buyer gets the language they wrote in.
    let o = send(&ext, &msg("770001", "john.miller", 77_001, english)).await;
    assert_eq!(o["language"], "en", "{o}");
    assert_eq!(o["reply"]["source"], "faq", "{o}");
    assert_eq!(o["reply"]["faq_id"], faqs.delivery, "{o}");
    assert_eq!(o["reply"]["text"], DELIVERY_ANSWER_EN, "{o}");
    let o = send(&ext, &msg("770002", "budi_santoso", 77_002, CONFIDENT)).await;
    assert_eq!(o["language"], "id", "{o}");
    assert_eq!(o["reply"]["text"], DELIVERY_ANSWER, "{o}");
    // The outbox carries the text each buyer was given.
    let texts: BTreeSet<String> = replies(&ext, "status=pending")
        .await
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        texts,
        BTreeSet::from([DELIVERY_ANSWER.to_string(), DELIVERY_ANSWER_EN.to_string()])
    );
    // An entry with no English text answers in its own language.
    let o = send(
        &ext,
        &msg(
            "770003",
            "john.miller",
            77_001,
            "How do I activate Windows with the key?",
        ),
    )
    .await;
    assert_eq!(o["reply"]["source"], "faq", "{o}");
    assert_eq!(o["reply"]["text"], ACTIVATION_ANSWER, "{o}");
    // The seller's tester shows what that buyer would get.
    let (status, found) = fx
        .admin
        .post("/api/v1/assistant/search", &json!({"text": english}))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["hits"][0]["faq_id"], faqs.delivery, "{found}");
    assert_eq!(found["hits"][0]["answer"], DELIVERY_ANSWER_EN, "{found}");

    // The store fixes Indonesian: the English buyer gets the Indonesian answer...
    put_ok(
        &fx.admin,
        "/api/v1/settings/ai/store",
        &json!({"reply_language": "id"}),
    )
    .await;
    let o = send(&ext, &msg("770004", "sarah_lee", 77_004, english)).await;
    assert_eq!(o["reply"]["text"], DELIVERY_ANSWER, "{o}");
    // ...unless that buyer's own settings say otherwise (most specific wins), whatever they write.
    put_ok(
        &fx.admin,
        &format!("/api/v1/settings/ai/customer?key={SHOP}/sarah_lee"),
        &json!({"reply_language": "en"}),
    )
    .await;
    let o = send(
        &ext,
        &msg("770005", "sarah_lee", 77_004, "Kapan kode saya dikirim?"),
    )
    .await;
    assert_eq!(o["reply"]["faq_id"], faqs.delivery, "{o}");
    assert_eq!(o["reply"]["text"], DELIVERY_ANSWER_EN, "{o}");
    // A fixed language the entry has no text in: its own answer.
    put_ok(
        &fx.admin,
        &format!("/api/v1/settings/ai/customer?key={SHOP}/sarah_lee"),
        &json!({"reply_language": "th"}),
    )
    .await;
    let o = send(&ext, &msg("770006", "sarah_lee", 77_004, english)).await;
    assert_eq!(o["reply"]["text"], DELIVERY_ANSWER, "{o}");

    // `{}` removes the translations; a PATCH without the field keeps them.
    let kept = ok(fx.admin.patch(&path, &json!({"tags": ["kirim"]})).await);
    assert_eq!(kept["translations"]["en"], DELIVERY_ANSWER_EN, "{kept}");
    let cleared = ok(fx.admin.patch(&path, &json!({"translations": {}})).await);
    assert_eq!(cleared["translations"], json!({}), "{cleared}");
}

// ---------------------------------------------------------------------------------------------
// 7. The API key stays secret
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_llm_api_key_is_never_returned_logged_or_stored_in_plain_text() {
    let mut fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;
    let mock = MockLlm::start(MockMode::Ok);
    let key = long_api_key();

    let view = put_ok(
        &fx.admin,
        "/api/v1/settings/llm",
        &json!({"base_url": mock.base_url, "model": MODEL, "timeout_secs": 5, "api_key": key}),
    )
    .await;
    assert_eq!(view["api_key_set"], true, "{view}");
    let mut shown = vec![view];
    shown.push(ok(fx.admin.get("/api/v1/settings/llm").await));
    shown.push(ok(fx.admin.get("/api/v1/assistant/status").await));
    assert_eq!(shown[1]["api_key_set"], true, "{}", shown[1]);

    // Leaving the key out keeps it; the model is asked with it.
    put_ok(
        &fx.admin,
        "/api/v1/settings/llm",
        &json!({"base_url": mock.base_url, "model": MODEL, "timeout_secs": 5}),
    )
    .await;
    shown.push(ok(fx.admin.get("/api/v1/settings/llm").await));
    assert_eq!(shown[3]["api_key_set"], true);
    let o = send(
        &ext,
        &msg(
            "330001",
            "rahmat_h",
            3301,
            "Apakah ada diskon untuk reseller?",
        ),
    )
    .await;
    assert_eq!(o["reply"]["source"], "llm", "{o}");
    assert_eq!(mock.auth_headers(), vec![Some(format!("Bearer {key}"))]);
    shown.push(o);

    // Providers that echo the key back in errors.
    for (i, mode) in [MockMode::Unauthorized, MockMode::Fail500]
        .into_iter()
        .enumerate()
    {
        mock.set_mode(mode);
        let o = send(
            &ext,
            &msg(
                &format!("33010{i}"),
                "rahmat_h",
                3301,
                "Bisa bayar pakai transfer BCA?",
            ),
        )
        .await;
        assert_ne!(o["reply"]["source"], "llm", "{o}");
        let conv = o["conversation"].as_i64().unwrap();
        shown.push(o);
        shown.push(conversation(&fx.admin, conv).await);
    }
    shown.push(ok(fx.admin.get("/api/v1/conversations?limit=200").await));
    shown.push(ok(fx.admin.get("/api/v1/replies?status=draft").await));
    for v in &shown {
        let s = v.to_string();
        assert!(
            !holds_fragment(s.as_bytes(), &key, 16),
            "key in a response: {s}"
        );
    }

    // On disk: database, WAL, graph, index, logs, config.
    let stderr = fx.server.stderr();
    assert!(
        !holds_fragment(stderr.as_bytes(), &key, 16),
        "key in the log: {stderr}"
    );
    let files = files_under(fx.dir.path());
    for name in ["auto.db", "auto.db-wal"] {
        assert!(
            files.iter().any(|(p, _)| p.ends_with(name)),
            "{name} scanned: {:?}",
            files.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
    }
    for (path, bytes) in &files {
        assert!(
            !holds_fragment(bytes, &key, 16),
            "the key is readable in {path}"
        );
    }
    let status = fx.server.terminate();
    assert!(status.success(), "clean stop: {status}");
    for (path, bytes) in files_under(fx.dir.path()) {
        assert!(
            !holds_fragment(&bytes, &key, 16),
            "the key is readable in {path}"
        );
    }

    // "" removes it.
    fx.server = Server::start(fx.dir.path());
    let admin = fx.admin.with_base(&fx.server.url);
    let view = put_ok(
        &admin,
        "/api/v1/settings/llm",
        &json!({"base_url": mock.base_url, "model": MODEL, "timeout_secs": 5, "api_key": ""}),
    )
    .await;
    assert_eq!(view["api_key_set"], false, "{view}");
}

/// A proxy or gateway that answers with an HTML debug page echoing the request headers: the
/// error the seller sees quotes the start of that page, and must not quote the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbage_answer_echoing_a_long_api_key_does_not_leak_it() {
    let fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;
    let mock = MockLlm::start(MockMode::Garbage);
    let key = long_api_key();
    configure_llm(&fx.admin, &mock.base_url, 5, Some(&key)).await;

    let o = send(
        &ext,
        &msg(
            "220001",
            "wulan_sari",
            2201,
            "Apakah ada diskon untuk reseller?",
        ),
    )
    .await;
    assert_eq!(mock.requests().len(), 1);
    let conv = o["conversation"].as_i64().unwrap();
    let detail = conversation(&fx.admin, conv).await;
    for v in [&o, &detail] {
        let s = v.to_string();
        assert!(
            !holds_fragment(s.as_bytes(), &key, 16),
            "part of the API key is shown to the seller: {s}"
        );
    }
    let stderr = fx.server.stderr();
    assert!(
        !holds_fragment(stderr.as_bytes(), &key, 16),
        "part of the API key is in the log"
    );
    for (path, bytes) in files_under(fx.dir.path()) {
        assert!(
            !holds_fragment(&bytes, &key, 16),
            "part of the API key is readable in {path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 8. The memory graph survives restarts
// ---------------------------------------------------------------------------------------------

/// Stops the server cleanly and starts a new one on the same data dir; returns the admin
/// client for it.
fn restart_cleanly(fx: &mut Fixture) -> Api {
    let status = fx.server.terminate();
    assert!(
        status.success(),
        "clean stop: {status}\n{}",
        fx.server.stderr()
    );
    fx.server = Server::start(fx.dir.path());
    fx.admin.with_base(&fx.server.url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_graph_survives_a_clean_restart_and_is_rebuilt_when_deleted() {
    let mut fx = Fixture::new();
    let ext = fx.extension();
    let faqs = seed_faq(&fx.admin).await;
    let win = listed_product(
        &fx.admin,
        "WIN11-PRO",
        "Windows 11 Pro Retail Key",
        7_700_001,
    )
    .await;
    let office = listed_product(&fx.admin, "OFF-2021", "Office 2021 Pro Plus", 7_700_002).await;

    // Two buyers, three orders.
    for (sn, buyer, uid, sku) in [
        ("241125AB0001", "agus_pratama", 7001, "WIN11-PRO"),
        ("241125AB0002", "agus_pratama", 7001, "OFF-2021"),
        ("241125AB0003", "maya_lestari", 7002, "OFF-2021"),
    ] {
        post_order(&ext, &paid_order_of(sn, buyer, uid, sku)).await;
    }
    graph_has_orders(&fx.admin, 3, Duration::from_secs(10)).await;
    // Agus asks about Windows from its listing twice, then in general in another chat.
    let mut m1 = msg("110001", "agus_pratama", 7001, CONFIDENT);
    m1["item_id"] = json!(7_700_001);
    assert_eq!(send(&ext, &m1).await["reply"]["status"], "pending");
    let m2 = msg(
        "110001",
        "agus_pratama",
        7001,
        "Cara aktivasi Windows 11 Pro bagaimana kak?",
    );
    send(&ext, &m2).await;
    let m3 = msg("110002", "agus_pratama", 7001, OFF_FAQ);
    assert_eq!(send(&ext, &m3).await["reply"]["source"], "none");
    // Maya asks about Office.
    let mut m4 = msg(
        "110003",
        "maya_lestari",
        7002,
        "berapa lama kode dikirim setelah bayar",
    );
    m4["item_id"] = json!(7_700_002);
    send(&ext, &m4).await;

    let before = graph_stats(&fx.admin).await;
    let insights_before = insights(&fx.admin).await;
    assert_eq!(before["customers"], 2, "{before}");
    assert_eq!(before["orders"], 3, "{before}");
    assert_eq!(before["questions"], 4, "{before}");
    assert_eq!(before["conversations"], 3, "{before}");
    let product_questions: Vec<(i64, i64)> = insights_before["product_questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_i64().unwrap(), p[1].as_i64().unwrap()))
        .collect();
    assert!(
        product_questions.contains(&(office, 1)),
        "{insights_before}"
    );
    assert!(
        product_questions.iter().any(|&(p, n)| p == win && n >= 1),
        "{insights_before}"
    );
    assert!(
        !insights_before["faq_never_matched"]
            .as_array()
            .unwrap()
            .contains(&json!(faqs.delivery)),
        "{insights_before}"
    );

    // A clean stop saves the graph; a start loads it.
    let admin = restart_cleanly(&mut fx);
    assert!(fx.dir.path().join("memory.graph").exists());
    assert_eq!(graph_stats(&admin).await, before, "after a clean restart");
    assert_eq!(insights(&admin).await, insights_before);

    // Without its file the graph is rebuilt from the database, the same.
    let status = fx.server.terminate();
    assert!(status.success());
    std::fs::remove_file(fx.dir.path().join("memory.graph")).expect("delete memory.graph");
    fx.server = Server::start(fx.dir.path());
    let admin = fx.admin.with_base(&fx.server.url);
    assert_eq!(graph_stats(&admin).await, before, "after a rebuild");
    assert_eq!(insights(&admin).await, insights_before);

    // And the rebuilt graph keeps learning.
    let ext = ext.with_base(&fx.server.url);
    send(
        &ext,
        &msg(
            "110004",
            "agus_pratama",
            7001,
            "kode saya belum dikirim, kapan dikirimnya?",
        ),
    )
    .await;
    let after = graph_stats(&admin).await;
    assert_eq!(after["questions"], 5, "{after}");
}

/// What the graph records live and what a rebuild from SQLite makes of the same history must
/// agree: an FAQ suggestion the seller discarded did not answer anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuilt_graph_equals_the_live_one_after_a_discarded_faq_suggestion() {
    let mut fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;
    listed_product(
        &fx.admin,
        "WIN11-PRO",
        "Windows 11 Pro Retail Key",
        8_800_001,
    )
    .await;

    // An FAQ suggestion (mid confidence, no model): a draft, discarded by the seller.
    let o = send(&ext, &msg("120001", "fajar_n", 8001, MID)).await;
    assert_eq!(o["reply"]["source"], "faq", "{o}");
    assert_eq!(o["reply"]["status"], "draft", "{o}");
    let draft = o["reply"]["id"].as_i64().unwrap();
    ok(fx
        .admin
        .post(&format!("/api/v1/replies/{draft}/discard"), &json!({}))
        .await);
    let live = graph_stats(&fx.admin).await;
    let live_insights = insights(&fx.admin).await;

    let status = fx.server.terminate();
    assert!(status.success());
    std::fs::remove_file(fx.dir.path().join("memory.graph")).expect("delete memory.graph");
    fx.server = Server::start(fx.dir.path());
    let admin = fx.admin.with_base(&fx.server.url);
    assert_eq!(
        (graph_stats(&admin).await, insights(&admin).await),
        (live, live_insights),
        "a rebuild counts a discarded FAQ suggestion as an answer"
    );
}

/// The same for a chat that was tied to a product only later: the earlier question was not
/// about that product.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuilt_graph_keeps_early_questions_apart_from_a_later_product() {
    let mut fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;
    let win = listed_product(
        &fx.admin,
        "WIN11-PRO",
        "Windows 11 Pro Retail Key",
        8_900_001,
    )
    .await;

    // A general question first, then one from the product's listing, in the same chat.
    send(&ext, &msg("130001", "lina_m", 9001, OFF_FAQ)).await;
    let mut m = msg("130001", "lina_m", 9001, CONFIDENT);
    m["item_id"] = json!(8_900_001);
    send(&ext, &m).await;
    let live = graph_stats(&fx.admin).await;
    let live_insights = insights(&fx.admin).await;
    assert_eq!(
        live_insights["product_questions"],
        json!([[win, 1]]),
        "{live_insights}"
    );

    let status = fx.server.terminate();
    assert!(status.success());
    std::fs::remove_file(fx.dir.path().join("memory.graph")).expect("delete memory.graph");
    fx.server = Server::start(fx.dir.path());
    let admin = fx.admin.with_base(&fx.server.url);
    assert_eq!(
        (graph_stats(&admin).await, insights(&admin).await),
        (live, live_insights),
        "a rebuild ties every question of the chat to the product named later"
    );
}

// ---------------------------------------------------------------------------------------------
// 9. The drafts queue
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suggestion_draft_can_be_discarded_and_the_seller_answers_instead() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let faqs = seed_faq(&fx.admin).await;
    put_ok(
        &fx.admin,
        "/api/v1/settings/ai/store",
        &json!({"llm": false}),
    )
    .await;

    let o = send(&ext, &msg("140001", "eko_prasetyo", 14_001, MID)).await;
    let conf = o["confidence"].as_f64().unwrap();
    assert!((0.3..0.8).contains(&conf), "a mid-confidence question: {o}");
    assert_eq!(o["reply"]["source"], "faq", "{o}");
    assert_eq!(o["reply"]["faq_id"], faqs.warranty, "{o}");
    assert_eq!(o["reply"]["status"], "draft", "{o}");
    assert_eq!(o["reply"]["text"], WARRANTY_ANSWER, "{o}");
    let draft = o["reply"]["id"].as_i64().unwrap();
    let conv = o["conversation"].as_i64().unwrap();

    let drafts = replies(&fx.admin, "status=draft").await;
    assert_eq!(ids(&drafts), BTreeSet::from([draft]), "{drafts:?}");
    assert_eq!(drafts[0]["conversation"], conv);
    assert_error(
        &ext.get("/api/v1/replies?status=draft").await,
        403,
        "forbidden",
    );
    assert!(replies(&ext, "status=pending").await.is_empty());
    assert_error(
        &ext.post(&format!("/api/v1/replies/{draft}/confirm"), &json!({}))
            .await,
        409,
        "conflict",
    );
    let detail = conversation(&fx.admin, conv).await;
    assert_eq!(detail["drafts"], 1, "{detail}");
    assert_eq!(detail["open_questions"], 1, "{detail}");
    assert!(open_conversations(&fx.admin).await.contains(&conv));

    let discarded = ok(fx
        .admin
        .post(&format!("/api/v1/replies/{draft}/discard"), &json!({}))
        .await);
    assert_eq!(discarded["status"], "discarded", "{discarded}");
    assert!(replies(&fx.admin, "status=draft").await.is_empty());
    let detail = conversation(&fx.admin, conv).await;
    assert_eq!(inbound(&detail)[0]["state"], "waiting", "{detail}");
    assert_eq!(detail["drafts"], 0, "{detail}");
    assert!(open_conversations(&fx.admin).await.contains(&conv));
    assert_error(
        &fx.admin
            .post(&format!("/api/v1/replies/{draft}/approve"), &json!({}))
            .await,
        409,
        "conflict",
    );

    // The seller writes the answer.
    let own = "Halo kak Eko, coba restart PC lalu aktivasi ulang ya. Kalau masih gagal kirim screenshot errornya, kami ganti kodenya 🙏";
    let (status, seller) = fx
        .admin
        .post(
            &format!("/api/v1/conversations/{conv}/reply"),
            &json!({"text": own}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{seller}");
    assert_eq!(seller["status"], "pending", "{seller}");
    assert_eq!(seller["source"], "seller", "{seller}");
    assert_eq!(seller["text"], own);
    let seller_id = seller["id"].as_i64().unwrap();
    assert!(!open_conversations(&fx.admin).await.contains(&conv));
    let outbox = replies(&ext, "status=pending").await;
    assert_eq!(ids(&outbox), BTreeSet::from([seller_id]), "{outbox:?}");
    assert_eq!(outbox[0]["conversation_id"], "140001");
    ok(ext
        .post(&format!("/api/v1/replies/{seller_id}/confirm"), &json!({}))
        .await);
    let detail = conversation(&fx.admin, conv).await;
    assert_eq!(inbound(&detail)[0]["state"], "answered", "{detail}");
    assert_eq!(outbound(&detail).len(), 1, "{detail}");
    assert_eq!(outbound(&detail)[0]["text"], own);
    assert_eq!(detail["open_questions"], 0, "{detail}");

    // A second suggestion, approved as it is, goes to the outbox unchanged.
    let o = send(&ext, &msg("140002", "nur_aini", 14_002, MID)).await;
    assert_eq!(o["reply"]["status"], "draft", "{o}");
    let second = o["reply"]["id"].as_i64().unwrap();
    let approved = ok(fx
        .admin
        .post(&format!("/api/v1/replies/{second}/approve"), &json!({}))
        .await);
    assert_eq!(approved["status"], "pending", "{approved}");
    assert_eq!(approved["source"], "faq", "{approved}");
    assert_eq!(approved["text"], WARRANTY_ANSWER);
    assert!(!open_conversations(&fx.admin)
        .await
        .contains(&o["conversation"].as_i64().unwrap()));
    // An approved FAQ suggestion counts as a match of that entry.
    let ins = insights(&fx.admin).await;
    assert!(
        !ins["faq_never_matched"]
            .as_array()
            .unwrap()
            .contains(&json!(faqs.warranty)),
        "{ins}"
    );
}

// ---------------------------------------------------------------------------------------------
// 10. Bad input and access
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_and_wrong_callers_are_refused_and_record_nothing() {
    let fx = Fixture::new();
    let ext = fx.extension();
    seed_faq(&fx.admin).await;
    let good = msg("150001", "andi_w", 15_001, CONFIDENT);

    let mut bad: Vec<(&str, Value)> = Vec::new();
    let mut b = good.clone();
    b.as_object_mut().unwrap().remove("text");
    bad.push(("missing text", b));
    let mut b = good.clone();
    b["text"] = json!("   ");
    bad.push(("blank text", b));
    let mut b = good.clone();
    b["text"] = json!("kak ".repeat(1001));
    bad.push(("text over 4000 chars", b));
    let mut b = good.clone();
    b["sentiment"] = json!("angry");
    bad.push(("unknown field", b));
    let mut b = good.clone();
    b["buyer"] = json!("andi_w");
    bad.push(("buyer as a string", b));
    let mut b = good.clone();
    b["conversation_id"] = json!({"id": 1});
    bad.push(("conversation_id as an object", b));
    let mut b = good.clone();
    b["message_id"] = json!(true);
    bad.push(("message_id as a bool", b));
    let mut b = good.clone();
    b["item_id"] = json!("4410001");
    bad.push(("item_id as a string", b));
    let mut b = good.clone();
    b["shop"] = json!("");
    bad.push(("empty shop", b));
    let mut b = good.clone();
    b["conversation_id"] = json!("");
    bad.push(("empty conversation_id", b));
    let mut b = good.clone();
    b["message_id"] = json!("");
    bad.push(("empty message_id", b));
    let mut b = good.clone();
    b["shop"] = json!("toko\ndigital");
    bad.push(("shop on two lines", b));
    for (what, body) in &bad {
        let reply = ext.post("/api/v1/messages", body).await;
        assert_eq!(reply.0.as_u16(), 422, "{what}: {}", reply.1);
        assert_error(&reply, 422, "invalid_input");
    }
    let mut b = good.clone();
    b["product_id"] = json!(424_242);
    assert_error(&ext.post("/api/v1/messages", &b).await, 404, "not_found");
    let (status, _) = ext
        .raw(
            Method::POST,
            "/api/v1/messages",
            "application/json",
            "{\"shop\": ",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let anonymous = fx.server.api(None);
    assert_error(
        &anonymous.post("/api/v1/messages", &good).await,
        401,
        "unauthorized",
    );
    let forged = fx.server.api(Some("not-a-real-token-0123456789abcdef"));
    assert_error(
        &forged.post("/api/v1/messages", &good).await,
        401,
        "unauthorized",
    );
    let listed = ok(fx.admin.get("/api/v1/conversations").await);
    assert_eq!(
        listed["conversations"],
        json!([]),
        "refused messages record nothing"
    );

    // A good one, for the id-based checks.
    let o = send(&ext, &good).await;
    let reply = o["reply"]["id"].as_i64().unwrap();
    let conv = o["conversation"].as_i64().unwrap();
    assert_eq!(o["reply"]["status"], "pending");

    // The extension only reports messages and drains the outbox.
    for (method, path) in [
        (Method::GET, "/api/v1/replies?status=draft".to_string()),
        (Method::POST, format!("/api/v1/replies/{reply}/approve")),
        (Method::POST, format!("/api/v1/replies/{reply}/discard")),
        (Method::GET, "/api/v1/conversations".to_string()),
        (Method::GET, "/api/v1/conversations?open=true".to_string()),
        (Method::GET, format!("/api/v1/conversations/{conv}")),
        (Method::POST, format!("/api/v1/conversations/{conv}/reply")),
        (Method::GET, "/api/v1/settings/ai".to_string()),
        (Method::PUT, "/api/v1/settings/ai/store".to_string()),
        (Method::GET, "/api/v1/settings/llm".to_string()),
        (Method::PUT, "/api/v1/settings/llm".to_string()),
        (Method::GET, "/api/v1/assistant/status".to_string()),
        (Method::GET, "/api/v1/assistant/insights".to_string()),
        (Method::POST, "/api/v1/faq".to_string()),
    ] {
        let body = match path.as_str() {
            p if p.ends_with("/reply") => json!({"text": "Halo kak"}),
            "/api/v1/settings/ai/store" => json!({"auto_reply": false}),
            "/api/v1/settings/llm" => json!({"base_url": "", "model": ""}),
            _ => json!({}),
        };
        let (status, _, value) = ext
            .request(
                method.clone(),
                &path,
                &[("content-type", "application/json")],
                (method != Method::GET).then(|| serde_json::to_vec(&body).unwrap()),
            )
            .await;
        assert_error(&(status, value), 403, "forbidden");
        let (status, _, value) = anonymous.request(method.clone(), &path, &[], None).await;
        assert_error(&(status, value), 401, "unauthorized");
    }
    assert_error(&anonymous.get("/api/v1/replies").await, 401, "unauthorized");
    // Nothing the extension tried changed anything.
    let eff = ok(fx.admin.get("/api/v1/settings/ai").await);
    assert_eq!(eff["auto_reply"], true, "{eff}");
    let r = conversation(&fx.admin, conv).await["replies"][0].clone();
    assert_eq!(r["status"], "pending", "{r}");

    for query in [
        "status=sent",
        "status=discarded",
        "status=",
        "limit=0",
        "limit=101",
        "colour=red",
    ] {
        assert_error(
            &ext.get(&format!("/api/v1/replies?{query}")).await,
            422,
            "invalid_input",
        );
    }
    for path in ["/api/v1/replies/987654/confirm"] {
        assert_error(&ext.post(path, &json!({})).await, 404, "not_found");
    }
    assert_error(
        &fx.admin
            .post("/api/v1/replies/987654/approve", &json!({}))
            .await,
        404,
        "not_found",
    );
    assert_error(
        &fx.admin
            .post("/api/v1/replies/987654/discard", &json!({}))
            .await,
        404,
        "not_found",
    );
    assert_error(
        &fx.admin.get("/api/v1/conversations/987654").await,
        404,
        "not_found",
    );
    assert_error(
        &fx.admin
            .post(
                "/api/v1/conversations/987654/reply",
                &json!({"text": "Halo kak"}),
            )
            .await,
        404,
        "not_found",
    );
    // Approving what is not a draft.
    assert_error(
        &fx.admin
            .post(
                &format!("/api/v1/replies/{reply}/approve"),
                &json!({"text": "Halo"}),
            )
            .await,
        409,
        "conflict",
    );
    ok(ext
        .post(&format!("/api/v1/replies/{reply}/confirm"), &json!({}))
        .await);
    assert_error(
        &fx.admin
            .post(&format!("/api/v1/replies/{reply}/approve"), &json!({}))
            .await,
        409,
        "conflict",
    );
    assert_error(
        &fx.admin
            .post(&format!("/api/v1/replies/{reply}/discard"), &json!({}))
            .await,
        409,
        "conflict",
    );
    // Seller replies and approvals are checked too.
    for text in [json!(""), json!("x".repeat(2001)), json!(12)] {
        assert_error(
            &fx.admin
                .post(
                    &format!("/api/v1/conversations/{conv}/reply"),
                    &json!({"text": text}),
                )
                .await,
            422,
            "invalid_input",
        );
    }
    // Settings that make no sense.
    for body in [
        json!({"threshold": 1.5}),
        json!({"threshold": -0.1}),
        json!({"reply_language": "bahasa indonesia!"}),
        json!({"auto_reply": "yes"}),
        json!({"autoreply": true}),
    ] {
        assert_error(
            &fx.admin.put("/api/v1/settings/ai/store", &body).await,
            422,
            "invalid_input",
        );
    }
    assert_error(
        &fx.admin
            .put(
                "/api/v1/settings/ai/product?key=424242",
                &json!({"llm": false}),
            )
            .await,
        404,
        "not_found",
    );
    assert_error(
        &fx.admin
            .put("/api/v1/settings/ai/customer", &json!({"llm": false}))
            .await,
        422,
        "invalid_input",
    );
    for body in [
        json!({"base_url": "ftp://127.0.0.1/v1", "model": MODEL}),
        json!({"base_url": "http://127.0.0.1:11434/v1", "model": ""}),
        json!({"base_url": "http://127.0.0.1:11434/v1", "model": MODEL, "timeout_secs": 0}),
    ] {
        assert_error(
            &fx.admin.put("/api/v1/settings/llm", &body).await,
            422,
            "invalid_input",
        );
    }
    let detail = conversation(&fx.admin, conv).await;
    assert_eq!(inbound(&detail).len(), 1, "{detail}");
    assert_eq!(detail["replies"].as_array().unwrap().len(), 1, "{detail}");
}
