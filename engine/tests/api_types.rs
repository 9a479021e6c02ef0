//! The shared API types (`auto_api`) against what the real engine sends: for every call the UI
//! makes (`ui/src/api.rs` and its callers), the answer of a real `auto serve` reads into the
//! type the UI reads it into and writes back to the very same JSON. A field the engine sends
//! that the type lacks, one the type has that the engine does not send, or a field whose type
//! differs fails here, naming the route and the field, instead of leaving a page of the UI
//! blank.
//!
//! The data is seeded so that every list and optional field the UI shows is filled: a type's
//! element or optional part is only checked when the answer holds one.

use crate::support;

use std::time::Duration;

use auto_api::{
    AiSettings, ApproveRequest, AssistantStatus, AuthorizeLink, ConnectInput, ConversationDetail,
    ConversationPage, Dashboard, DeliverMode, DeliverRequest, DeliverWaiting, DeliveryEnvelope,
    DeliverySettings, DeliverySettingsChange, ExtensionHealth, FaqEntry, FaqPage, FaqPatch,
    FindRequest, FindResult, ImportReport, Kind, LlmRequest, LlmView, Mapping, NewFaq, NewProduct,
    OrderDetail, OrderEnvelope, OrderItems, OrderPage, OrderStatus, PairingCode, Product,
    ProductList, ProductPatch, ReleaseAction, ReleaseRequest, ReplaceRequest, ReplaceResult,
    ReplyList, SearchRequest, SearchView, SellerReply, ShopeeApp, ShopeeShopList, ShopeeShopOut,
    StatusChange, StockCounts, StockItemPage, SyncReport, SystemInfo, TokenList, WithdrawReport,
    WithdrawRequest,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use support::shopee_mock::ShopeeMock;
use support::*;

const SHOP_ID: u64 = 610_004_321;
const ORIGIN: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";

// ---------------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------------

/// Reads `body` as `T` and writes it back; the JSON must come back unchanged. Floats go through
/// text both ways, as between the engine and the browser (an f32 turned straight into a JSON
/// value would gain digits).
fn round_trip<T: DeserializeOwned + Serialize>(body: &Value) -> Result<(), String> {
    let typed: T =
        serde_json::from_value(body.clone()).map_err(|e| format!("does not read: {e}"))?;
    let text = serde_json::to_string(&typed).map_err(|e| format!("does not write: {e}"))?;
    let back: Value = serde_json::from_str(&text).expect("JSON the type wrote");
    match first_difference(body, &back, "") {
        None => Ok(()),
        Some(d) => Err(d),
    }
}

/// Where the engine's JSON and the type's JSON first part ways, in words.
fn first_difference(sent: &Value, back: &Value, at: &str) -> Option<String> {
    match (sent, back) {
        (Value::Object(s), Value::Object(b)) => {
            for (k, v) in s {
                let path = format!("{at}/{k}");
                match b.get(k) {
                    None => {
                        return Some(format!(
                            "{path}: the engine sends it, the shared type has no such field"
                        ))
                    }
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, &path) {
                            return Some(d);
                        }
                    }
                }
            }
            b.keys()
                .find(|k| !s.contains_key(*k))
                .map(|k| format!("{at}/{k}: the shared type has it, the engine does not send it"))
        }
        (Value::Array(s), Value::Array(b)) if s.len() == b.len() => s
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, &format!("{at}/{i}"))),
        _ if sent == back => None,
        _ => Some(format!(
            "{}: the engine sends {sent}, the shared type gives back {back}",
            if at.is_empty() { "/" } else { at }
        )),
    }
}

/// A call the UI makes, the shared type it reads the answer into, and the parts of the answer
/// the seeded data must fill for the check to mean something (JSON pointers, none null).
struct Call {
    method: Method,
    path: String,
    body: Option<Value>,
    check: fn(&Value) -> Result<(), String>,
    filled: &'static [&'static str],
}

fn get(path: impl Into<String>, check: fn(&Value) -> Result<(), String>) -> Call {
    Call {
        method: Method::GET,
        path: path.into(),
        body: None,
        check,
        filled: &[],
    }
}

fn send(
    method: Method,
    path: impl Into<String>,
    body: Value,
    check: fn(&Value) -> Result<(), String>,
) -> Call {
    Call {
        method,
        path: path.into(),
        body: Some(body),
        check,
        filled: &[],
    }
}

/// A request body as the UI sends it: built from the shared type.
fn wire(body: impl Serialize) -> Value {
    serde_json::to_value(body).expect("a request body")
}

impl Call {
    fn filled(mut self, pointers: &'static [&'static str]) -> Call {
        self.filled = pointers;
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Seeding: one of everything the UI shows
// ---------------------------------------------------------------------------------------------

/// Ids the calls need.
struct Seeded {
    faq: i64,
    conversation: i64,
    draft: i64,
}

async fn seed(fx: &Fixture, mock: &ShopeeMock) -> Seeded {
    let admin = &fx.admin;
    let ext = fx.extension();

    // The FAQ: one entry about a product with a translation, one store-wide.
    let product = create_product(admin, &product_body("TYPES-KEY")).await;
    let mut ids = Vec::new();
    for body in [
        json!({"question": "Berapa lama kode dikirim?", "variants": ["Kapan kode saya dikirim?"],
               "answer": "Kode dikirim otomatis lewat chat dalam 5 menit.", "language": "id",
               "translations": {"en": "The code comes in chat within 5 minutes."},
               "tags": ["pengiriman"], "product_id": product["id"]}),
        json!({"question": "Apakah ada garansi?", "answer": "Ada garansi 30 hari.",
               "language": "id", "tags": ["garansi"]}),
    ] {
        let (status, entry) = admin.post("/api/v1/faq", &body).await;
        assert_eq!(status, StatusCode::CREATED, "create FAQ {body}: {entry}");
        ids.push(entry["id"].as_i64().expect("FAQ id"));
    }

    // Drafts wait for the seller: the store does not auto-reply.
    ok(admin
        .put(
            "/api/v1/settings/ai/store",
            &json!({"auto_reply": false, "threshold": 0.7, "llm": false, "llm_auto_send": false,
                    "system_prompt": "Jawab singkat.", "reply_language": "auto"}),
        )
        .await);
    let asked = ok(ext
        .post(
            "/api/v1/messages",
            &json!({"shop": "toko_types", "conversation_id": "77001",
                    "buyer": {"username": "rina_k", "user_id": 66_001},
                    "text": "Berapa lama kode dikirim?"}),
        )
        .await);
    let conversation = asked["conversation"].as_i64().expect("conversation id");
    let draft = asked["reply"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the FAQ answer waits as a draft: {asked}"));
    // A second question that stays a draft, and a first one approved, sent and confirmed.
    let second = ok(ext
        .post(
            "/api/v1/messages",
            &json!({"shop": "toko_types", "conversation_id": "77001",
                    "buyer": {"username": "rina_k", "user_id": 66_001},
                    "text": "Apakah ada garansi?"}),
        )
        .await);
    ok(admin
        .post(&format!("/api/v1/replies/{draft}/approve"), &json!({}))
        .await);
    let pending = ok(ext.get("/api/v1/replies?status=pending").await);
    for r in pending["replies"].as_array().expect("replies") {
        ok(ext
            .post(&format!("/api/v1/replies/{}/confirm", r["id"]), &json!({}))
            .await);
    }
    let draft = second["reply"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the second answer waits as a draft: {second}"));

    // Access: a paired extension, a revoked token, a sign-in session.
    let code = ok(admin.post("/api/v1/pairing-codes", &json!({})).await);
    ok(admin
        .with_token(None)
        .post(
            "/api/v1/pair",
            &json!({"code": code["code"], "client": "extension", "origin": ORIGIN}),
        )
        .await);
    let spare = token(fx.dir.path(), "extension");
    let tokens = ok(admin.get("/api/v1/tokens").await);
    let newest = tokens["tokens"][0]["id"].clone();
    assert!(!spare.is_empty());
    assert_eq!(
        admin.delete(&format!("/api/v1/tokens/{newest}")).await.0,
        StatusCode::NO_CONTENT
    );
    sign_in(&fx.server).await;

    // The extension's health report.
    ok(ext
        .post(
            "/api/v1/extension/health",
            &json!({"unreadable": 2, "last_path": "/api/v3/order/get_order_list_card_list",
                    "last_reason": "no readable order"}),
        )
        .await);

    // The Shopee road: an app, a connected shop, one sync.
    ok(admin
        .put(
            "/api/v1/shopee/app",
            &json!({"partner_id": mock.partner_id, "partner_key": mock.partner_key,
                    "base_url": mock.base_url}),
        )
        .await);
    mock.add_shop(SHOP_ID, "Toko Tipe");
    let code = mock.new_code(SHOP_ID);
    // Connected the way the UI does it: the seller pastes the address Shopee sent them to.
    let landing = format!("http://127.0.0.1/shopee/callback?code={code}&shop_id={SHOP_ID}");
    let (status, shop) = admin
        .post(
            "/api/v1/shopee/shops",
            &wire(ConnectInput::Url { url: landing }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "connect the shop: {shop}");
    round_trip::<ShopeeShopOut>(&shop).expect("the connect answer is the UI's ShopeeShopOut");
    ok(admin.post("/api/v1/shopee/sync", &json!({})).await);

    Seeded {
        faq: ids[0],
        conversation,
        draft,
    }
}

/// Opens the sign-in link `auto serve` printed, as the desktop window does: a session token.
async fn sign_in(server: &Server) {
    let link = eventually(Duration::from_secs(10), "the sign-in line", || async {
        server
            .extra_stdout()
            .iter()
            .find_map(|l| l.strip_prefix("Sign in: "))
            .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
    })
    .await;
    let browser = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = browser
        .get(&link)
        .send()
        .await
        .expect("open the sign-in link");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "sign-in link {link}");
}

// ---------------------------------------------------------------------------------------------
// The calls
// ---------------------------------------------------------------------------------------------

/// Every call the UI makes in the domains whose types are shared, in the order a seller meets
/// them (products, stock, delivery settings and the dashboard: [`catalog_calls`]; orders:
/// [`order_calls`]).
fn ui_calls(s: &Seeded) -> Vec<Call> {
    let (faq, conv, draft) = (s.faq, s.conversation, s.draft);
    vec![
        // The FAQ page and the first-run guide.
        get("/api/v1/faq?limit=50&q=", round_trip::<FaqPage>).filled(&[
            "/entries/0/product_id",
            "/entries/0/translations/en",
            "/entries/1",
        ]),
        get("/api/v1/faq?limit=1", round_trip::<FaqPage>).filled(&["/next_cursor"]),
        get("/api/v1/assistant/status", round_trip::<AssistantStatus>).filled(&["/models/0"]),
        send(
            Method::POST,
            "/api/v1/assistant/search",
            wire(SearchRequest {
                text: "berapa lama kode dikirim".into(),
                product_id: None,
            }),
            round_trip::<SearchView>,
        )
        .filled(&["/hits/0/fulltext_rank", "/hits/0/product_id"]),
        send(
            Method::POST,
            "/api/v1/faq",
            wire(NewFaq {
                question: "Bisa bayar pakai transfer?".into(),
                variants: vec!["Boleh transfer bank?".into()],
                answer: "Bisa, lewat semua metode Shopee.".into(),
                product_id: None,
                language: "id".into(),
                translations: [("en".to_string(), "Yes, every Shopee method.".to_string())].into(),
                tags: vec!["bayar".into()],
                enabled: true,
            }),
            round_trip::<FaqEntry>,
        ),
        send(
            Method::PATCH,
            format!("/api/v1/faq/{faq}"),
            wire(FaqPatch {
                tags: Some(vec!["pengiriman".into(), "kode".into()]),
                ..FaqPatch::default()
            }),
            round_trip::<FaqEntry>,
        ),
        // Settings → assistant.
        get("/api/v1/settings/ai/store", round_trip::<AiSettings>).filled(&[
            "/threshold",
            "/system_prompt",
            "/reply_language",
        ]),
        send(
            Method::PUT,
            "/api/v1/settings/ai/store",
            wire(AiSettings {
                auto_reply: Some(false),
                threshold: Some(0.65),
                ..AiSettings::default()
            }),
            round_trip::<AiSettings>,
        ),
        send(
            Method::PUT,
            "/api/v1/settings/llm",
            wire(LlmRequest {
                base_url: "http://127.0.0.1:11434/v1".into(),
                model: "qwen2.5:3b-instruct".into(),
                timeout_secs: Some(20),
                api_key: Some("sk-types-test".into()),
            }),
            round_trip::<LlmView>,
        ),
        get("/api/v1/settings/llm", round_trip::<LlmView>),
        // Conversations and the navigation's count of open questions.
        get(
            "/api/v1/conversations?limit=100",
            round_trip::<ConversationPage>,
        )
        .filled(&[
            "/conversations/0/last_message",
            "/conversations/0/buyer/user_id",
        ]),
        get(
            "/api/v1/conversations?open=true&limit=100",
            round_trip::<ConversationPage>,
        )
        .filled(&["/conversations/0"]),
        get(
            "/api/v1/replies?status=draft&limit=100",
            round_trip::<ReplyList>,
        )
        .filled(&["/replies/0/message_id", "/replies/0/score"]),
        get(
            format!("/api/v1/conversations/{conv}"),
            round_trip::<ConversationDetail>,
        )
        .filled(&[
            "/messages/0/score",
            "/messages/0/faq_id",
            "/replies/0/confirmed_at",
        ]),
        send(
            Method::POST,
            format!("/api/v1/replies/{draft}/approve"),
            wire(ApproveRequest {
                text: Some("Ada garansi 30 hari, kak.".into()),
            }),
            round_trip::<auto_api::Reply>,
        ),
        send(
            Method::POST,
            format!("/api/v1/conversations/{conv}/reply"),
            wire(SellerReply {
                text: "Terima kasih sudah belanja!".into(),
            }),
            round_trip::<auto_api::Reply>,
        ),
        // Settings → pairing, system.
        get("/api/v1/tokens", round_trip::<TokenList>).filled(&[
            "/tokens/0/expires_at",
            "/tokens/1/revoked_at",
            "/tokens/2/origin",
        ]),
        send(
            Method::POST,
            "/api/v1/pairing-codes",
            json!({}),
            round_trip::<PairingCode>,
        ),
        get("/api/v1/system", round_trip::<SystemInfo>).filled(&["/port"]),
        // The dashboard's warning about pages the extension could not read.
        get(
            "/api/v1/extension/health",
            round_trip::<Option<ExtensionHealth>>,
        )
        .filled(&["/last_path", "/last_reason"]),
        // Settings → Shopee API.
        get("/api/v1/shopee/app", round_trip::<ShopeeApp>).filled(&["/partner_id"]),
        get("/api/v1/shopee/authorize", round_trip::<AuthorizeLink>),
        get("/api/v1/shopee/shops", round_trip::<ShopeeShopList>)
            .filled(&["/shops/0/name", "/shops/0/last_sync_at"]),
        send(
            Method::POST,
            "/api/v1/shopee/sync",
            json!({}),
            round_trip::<SyncReport>,
        )
        .filled(&["/shops/0"]),
    ]
}

// ---------------------------------------------------------------------------------------------
// Products, stock, delivery settings, the dashboard
// ---------------------------------------------------------------------------------------------

/// Ids and codes the catalog's calls need.
struct Catalog {
    /// A stock product with a mapping, sold down to its low-stock threshold.
    product: i64,
    /// A code sold to an order (the search by code finds it with its order).
    sold_code: String,
    /// Delivered, one item marked bad and replaced.
    replaced_order: i64,
    /// Delivered and sent again; its item is replaced by a call.
    resent_order: i64,
    resent_item: i64,
    /// Cancelled after delivery: its item is held for the seller to decide.
    held_order: i64,
    held_item: i64,
    /// Paid for a product with no stock: it waits for the seller.
    waiting_order: i64,
}

/// A stock product with a listing mapping and a batch, three orders delivered from it (one
/// item then marked bad and replaced), a product with no stock an order waits for.
async fn seed_catalog(fx: &Fixture) -> Catalog {
    let admin = &fx.admin;
    let ext = fx.extension();
    let mut body = product_body("TYPES-STOCK");
    body["low_stock_threshold"] = json!(3);
    body["mappings"] = json!([{"shop": "toko_types", "item_id": 5001, "model_id": 6001}]);
    let product = create_product(admin, &body).await;
    let pid = id_of(&product);
    let (status, report) = admin
        .post(
            &format!("/api/v1/products/{pid}/stock?batch=invoice-1"),
            &json!({ "items": make_keys("TYPESK", 6) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "import: {report}");

    let mut orders = Vec::new();
    for sn in ["TYPES-1", "TYPES-2", "TYPES-3"] {
        orders.push(id_of(
            &post_order(&ext, &paid_order("toko_types", sn, "TYPES-STOCK", 1)).await,
        ));
    }
    drain_deliveries(&ext).await;
    let items = ok(admin
        .get(&format!("/api/v1/orders/{}/items", orders[0]))
        .await);
    let item = items["items"][0].clone();
    ok(admin
        .post(
            &format!(
                "/api/v1/orders/{}/items/{}/replace",
                orders[0],
                id_of(&item)
            ),
            &json!({"reason": "the buyer says it is used"}),
        )
        .await);
    drain_deliveries(&ext).await;
    let detail = order_detail(admin, &orders[1], true).await;
    let message = detail["deliveries"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("a revealed delivery: {detail}"));
    let sold_code = keys_in(message, "TYPESK")
        .pop()
        .unwrap_or_else(|| panic!("a code in {message}"));

    create_product(admin, &product_body("TYPES-EMPTY")).await;
    let waiting = post_order(&ext, &paid_order("toko_types", "TYPES-4", "TYPES-EMPTY", 1)).await;

    // A line that finds its product by the listing, not the SKU.
    let mut listing = paid_order("toko_types", "TYPES-L1", "", 1);
    listing["lines"] = json!([{"item_id": 5001, "model_id": 6001, "quantity": 1,
                               "unit_price": 150000}]);
    post_order(&ext, &listing).await;
    // A resend, and a cancellation after delivery (the item is held).
    ok(admin
        .post(&format!("/api/v1/orders/{}/resend", orders[1]), &json!({}))
        .await);
    drain_deliveries(&ext).await;
    post_order(
        &ext,
        &order("toko_types", "TYPES-3", "CANCELLED", "TYPES-STOCK", 1),
    )
    .await;
    let first_item = |items: Value| -> i64 {
        items["items"][0]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("an item: {items}"))
    };
    let resent_item = first_item(ok(admin
        .get(&format!("/api/v1/orders/{}/items", orders[1]))
        .await));
    let held_item = first_item(ok(admin
        .get(&format!("/api/v1/orders/{}/items", orders[2]))
        .await));
    let id = |s: &String| -> i64 { s.parse().expect("an order id") };

    Catalog {
        product: pid.parse().expect("product id"),
        sold_code,
        replaced_order: id(&orders[0]),
        resent_order: id(&orders[1]),
        resent_item,
        held_order: id(&orders[2]),
        held_item,
        waiting_order: id(&id_of(&waiting)),
    }
}

/// Every call the UI makes for products, stock, delivery settings and the dashboard.
fn catalog_calls(c: &Catalog) -> Vec<Call> {
    let pid = c.product;
    vec![
        // The dashboard.
        get(
            "/api/v1/stats/dashboard?days=7&tz_offset_minutes=420",
            round_trip::<Dashboard>,
        )
        .filled(&[
            "/days/0",
            "/today/revenue/0",
            // Fewest available first: the stock product, sold down to 2, comes last.
            "/stock_warnings/2/low_since",
            "/extension",
        ]),
        // Products and one product's page.
        get("/api/v1/products", round_trip::<ProductList>).filled(&[
            "/products/0/mappings/0/item_id",
            "/products/0/stock/low_stock_since",
        ]),
        get(format!("/api/v1/products/{pid}"), round_trip::<Product>)
            .filled(&["/mappings/0/shop", "/mappings/0/model_id"]),
        get(
            format!("/api/v1/products/{pid}/stock"),
            round_trip::<StockCounts>,
        )
        .filled(&["/low_stock_since"]),
        send(
            Method::POST,
            "/api/v1/products",
            wire(NewProduct {
                name: "Voucher 50k".into(),
                sku: "TYPES-VOUCHER".into(),
                kind: Kind::Voucher,
                price: 50000.0,
                currency: "IDR".into(),
                instructions: Some("Tukar di aplikasi.".into()),
                language: Some("id".into()),
                active: Some(true),
                low_stock_threshold: Some(5),
                mappings: Some(vec![Mapping {
                    sku: Some("VCR-50".into()),
                    ..Mapping::default()
                }]),
                ..NewProduct::default()
            }),
            round_trip::<Product>,
        )
        .filled(&["/mappings/0/sku"]),
        send(
            Method::PATCH,
            format!("/api/v1/products/{pid}"),
            wire(ProductPatch {
                low_stock_threshold: Some(3),
                ..ProductPatch::default()
            }),
            round_trip::<Product>,
        ),
        // The stock page: its items, the search by code, an import, a withdrawal.
        get(
            format!("/api/v1/products/{pid}/stock/items?limit=2&after=0"),
            round_trip::<StockItemPage>,
        )
        .filled(&[
            "/items/0/order/order_sn",
            "/items/0/changed_at",
            "/next_after",
        ]),
        get(
            format!("/api/v1/products/{pid}/stock/items?limit=50&after=0&status=bad"),
            round_trip::<StockItemPage>,
        )
        .filled(&["/items/0/note"]),
        send(
            Method::POST,
            "/api/v1/stock/find",
            wire(FindRequest {
                code: c.sold_code.clone(),
                product_id: None,
            }),
            round_trip::<FindResult>,
        )
        .filled(&["/found/0/item/order"]),
        send(
            Method::POST,
            format!("/api/v1/products/{pid}/stock?batch=invoice-2"),
            json!({ "items": ["TYPESK-900001-AAAAA", "TYPESK-900001-AAAAA", ""] }),
            round_trip::<ImportReport>,
        )
        .filled(&["/duplicates/0", "/rejected/0"]),
        send(
            Method::POST,
            format!("/api/v1/products/{pid}/stock/withdraw"),
            wire(WithdrawRequest {
                count: Some(1),
                ..WithdrawRequest::default()
            }),
            round_trip::<WithdrawReport>,
        )
        .filled(&["/items/0/code"]),
        send(
            Method::POST,
            "/api/v1/stock/deliver-waiting",
            json!({}),
            round_trip::<DeliverWaiting>,
        ),
        // Settings → delivery.
        get("/api/v1/settings/delivery", round_trip::<DeliverySettings>),
        send(
            Method::PUT,
            "/api/v1/settings/delivery",
            wire(DeliverySettingsChange {
                chat_limit: Some(800),
                ..DeliverySettingsChange::default()
            }),
            round_trip::<DeliverySettings>,
        ),
        send(
            Method::PUT,
            "/api/v1/settings/delivery",
            wire(DeliverySettingsChange {
                paused: Some(false),
                ..DeliverySettingsChange::default()
            }),
            round_trip::<DeliverySettings>,
        ),
    ]
}

/// Every call the UI makes for orders: the list, one order, its items, the seller's actions
/// (last: they move the orders the calls before read).
fn order_calls(c: &Catalog) -> Vec<Call> {
    let (replaced, resent, held) = (c.replaced_order, c.resent_order, c.held_order);
    let waiting = c.waiting_order;
    vec![
        get("/api/v1/orders?limit=1", round_trip::<OrderPage>)
            .filled(&["/next_cursor", "/orders/0"]),
        get(
            "/api/v1/orders?status=needs_attention&limit=50",
            round_trip::<OrderPage>,
        )
        .filled(&[
            "/orders/0/attention_reason",
            "/orders/0/attention_detail",
            "/orders/0/attention_params",
            "/orders/0/paid_at",
        ]),
        get("/api/v1/orders?q=TYPES-L&limit=50", round_trip::<OrderPage>).filled(&[
            "/orders/0/lines/0/item_id",
            "/orders/0/lines/0/model_id",
            "/orders/0/lines/0/product_id",
            "/orders/0/lines/0/product_name",
            "/orders/0/lines/0/matched_by",
        ]),
        get(
            format!("/api/v1/orders/{replaced}"),
            round_trip::<OrderDetail>,
        )
        .filled(&[
            "/trail/1/from",
            "/trail/0/code",
            "/deliveries/0/confirmed_at",
            "/deliveries/0/road",
        ]),
        get(
            format!("/api/v1/orders/{resent}?reveal=true"),
            round_trip::<OrderDetail>,
        )
        .filled(&["/deliveries/0/message", "/deliveries/1/resend_of"]),
        get(format!("/api/v1/orders/{held}"), round_trip::<OrderDetail>),
        get(
            format!("/api/v1/orders/{replaced}/items"),
            round_trip::<OrderItems>,
        )
        .filled(&[
            "/items/0/note",
            "/items/0/replaced_by",
            "/items/0/delivery_id",
            "/items/0/changed_at",
            "/items/1/replaces",
        ]),
        send(
            Method::POST,
            format!("/api/v1/orders/{resent}/items/{}/replace", c.resent_item),
            wire(ReplaceRequest {
                reason: "the buyer says it does not work".into(),
            }),
            round_trip::<ReplaceResult>,
        )
        .filled(&["/replacement", "/delivery_id", "/items/0"]),
        send(
            Method::POST,
            format!("/api/v1/orders/{held}/items/{}/release", c.held_item),
            wire(ReleaseRequest {
                action: ReleaseAction::Pool,
                reason: String::new(),
            }),
            // Back in the pool, the item is no longer the order's: the list comes back empty
            // (the items call above checks an item).
            round_trip::<OrderItems>,
        ),
        // The order page's buttons.
        send(
            Method::POST,
            format!("/api/v1/orders/{resent}/resend"),
            json!({}),
            round_trip::<DeliveryEnvelope>,
        )
        .filled(&["/delivery/resend_of"]),
        send(
            Method::POST,
            format!("/api/v1/orders/{waiting}/deliver"),
            wire(DeliverRequest {
                mode: DeliverMode::Retry,
                note: String::new(),
            }),
            round_trip::<OrderEnvelope>,
        )
        .filled(&["/order/attention_reason", "/order/attention_params"]),
        send(
            Method::POST,
            format!("/api/v1/orders/{waiting}/deliver"),
            wire(DeliverRequest {
                mode: DeliverMode::Manual,
                note: "sent by hand in chat".into(),
            }),
            round_trip::<OrderEnvelope>,
        )
        .filled(&["/order/paid_at", "/order/lines/0/product_id"]),
        send(
            Method::POST,
            format!("/api/v1/orders/{replaced}/status"),
            wire(StatusChange {
                status: OrderStatus::Refunded,
                reason: "the buyer asked".into(),
            }),
            round_trip::<OrderEnvelope>,
        )
        .filled(&["/order/paid_at"]),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_answer_the_ui_reads_is_its_shared_type_exactly() {
    let mock = ShopeeMock::start();
    let fx = Fixture::with(ServeOptions::default().with_env("AUTO_SHOPEE_POLL_SECS", "0"));
    // The catalog first: the access seeding expects its tokens to be the newest.
    let catalog = seed_catalog(&fx).await;
    let seeded = seed(&fx, &mock).await;

    let mut failures = Vec::new();
    for call in ui_calls(&seeded)
        .into_iter()
        .chain(catalog_calls(&catalog))
        .chain(order_calls(&catalog))
    {
        let what = format!("{} {}", call.method, call.path);
        let (status, body) = match &call.body {
            None => fx.admin.get(&call.path).await,
            Some(b) if call.method == Method::POST => fx.admin.post(&call.path, b).await,
            Some(b) if call.method == Method::PUT => fx.admin.put(&call.path, b).await,
            Some(b) => fx.admin.patch(&call.path, b).await,
        };
        if !status.is_success() {
            failures.push(format!("{what}: {status} {body}"));
            continue;
        }
        for pointer in call.filled {
            if body.pointer(pointer).is_none_or(Value::is_null) {
                failures.push(format!(
                    "{what}: the seeded answer leaves {pointer} empty, so its type goes unchecked: {body}"
                ));
            }
        }
        if let Err(e) = (call.check)(&body) {
            failures.push(format!("{what}: {e}\n  answer: {body}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_check_catches_a_field_one_side_lacks_or_types_differently() {
    let shop = json!({"configured": true, "partner_id": 7, "base_url": "https://x"});
    assert_eq!(round_trip::<ShopeeApp>(&shop), Ok(()));

    let mut extra = shop.clone();
    extra["region"] = json!("ID");
    let e = round_trip::<ShopeeApp>(&extra).unwrap_err();
    assert!(e.contains("/region") && e.contains("no such field"), "{e}");

    let mut missing = shop.clone();
    missing.as_object_mut().unwrap().remove("base_url");
    let e = round_trip::<ShopeeApp>(&missing).unwrap_err();
    assert!(
        e.contains("/base_url") && e.contains("does not send"),
        "{e}"
    );

    let mut retyped = shop.clone();
    retyped["partner_id"] = json!("7");
    assert!(round_trip::<ShopeeApp>(&retyped)
        .unwrap_err()
        .contains("does not read"));

    // f32 scores survive the trip as the engine writes them.
    let settings = json!({"threshold": 0.7});
    assert_eq!(round_trip::<AiSettings>(&settings), Ok(()));
}
