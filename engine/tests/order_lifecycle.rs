//! The order life cycle through the engine itself (no HTTP): waiting orders that fix
//! themselves, Shopee's statuses arriving out of step, manual delivery, every delivery kind,
//! and secrets that stay sealed on disk.

use auto_engine::catalog::{NewProduct, StockInput};
use auto_engine::config::{Config, KeyStore};
use auto_engine::delivery::DeliveryFilter;
use auto_engine::engine::DeliverMode;
use auto_engine::orders::{OrderInput, Status};
use auto_engine::Engine;
use serde_json::json;

fn engine(dir: &std::path::Path) -> Engine {
    let mut config = Config::default();
    config.secrets.key_store = KeyStore::File;
    Engine::open(dir, config, false).unwrap()
}

fn product(e: &Engine, body: serde_json::Value) -> i64 {
    e.create_product(serde_json::from_value::<NewProduct>(body).unwrap())
        .unwrap()
        .id
}

fn report(e: &Engine, sn: &str, status: &str, sku: &str, qty: i64) -> auto_engine::orders::Order {
    let input: OrderInput = serde_json::from_value(json!({
        "shop": "toko_digital", "order_sn": sn, "status": status,
        "buyer": {"username": "nguyen_van_a", "user_id": 42},
        "lines": [{"sku": sku, "item_id": 777, "model_id": 1, "quantity": qty, "unit_price": 99000}],
        "currency": "VND"
    }))
    .unwrap();
    let (mut orders, rejected) = e.intake(vec![input], "test").unwrap();
    assert!(
        rejected.is_empty(),
        "{:?}",
        rejected
            .iter()
            .map(|r| &r.error.message)
            .collect::<Vec<_>>()
    );
    orders.pop().unwrap()
}

fn fetch_one(e: &Engine, sn: &str) -> auto_engine::delivery::PendingDelivery {
    let filter = DeliveryFilter {
        order_sn: Some(sn.into()),
        ..Default::default()
    };
    let mut found = e.fetch_deliveries(&filter).unwrap();
    assert_eq!(found.len(), 1, "one pending delivery for {sn}");
    found.pop().unwrap()
}

#[test]
fn an_order_for_an_unknown_sku_is_delivered_once_a_product_maps_it() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let waiting = report(&e, "VN0001", "READY_TO_SHIP", "OFFICE-2021", 1);
    assert_eq!(waiting.status, Status::NeedsAttention);
    assert_eq!(waiting.attention_reason.as_deref(), Some("unknown_sku"));

    let id = product(
        &e,
        json!({"name": "Khóa Office 2021", "sku": "OFF21", "kind": "license_key",
        "price": 199000, "currency": "VND", "language": "vi",
        "mappings": [{"shop": "toko_digital", "item_id": 777}]}),
    );
    e.import_stock(id, StockInput::Text("OFF21-AAAA-1111\n".into()))
        .unwrap();
    let order = e.order_detail(waiting.id, false).unwrap();
    assert_eq!(order.order.status, Status::Delivering);
    let d = fetch_one(&e, "VN0001");
    assert!(d.message.contains("OFF21-AAAA-1111"));
    assert!(
        d.message.starts_with("Chào nguyen_van_a"),
        "Vietnamese template: {}",
        d.message
    );
}

#[test]
fn completed_reported_before_the_delivery_is_confirmed_completes_it_after() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let id = product(
        &e,
        json!({"name": "Key", "sku": "K", "kind": "license_key", "price": 1, "currency": "VND"}),
    );
    e.import_stock(id, StockInput::Text("K-1\n".into()))
        .unwrap();
    let o = report(&e, "VN0002", "paid", "K", 1);
    assert_eq!(
        report(&e, "VN0002", "COMPLETED", "K", 1).status,
        Status::Delivering,
        "not delivered yet"
    );
    let d = fetch_one(&e, "VN0002");
    let (_, order) = e.confirm_delivery(d.id, "extension").unwrap();
    assert_eq!(order.status, Status::Completed);
    let trail: Vec<_> = e
        .order_detail(o.id, false)
        .unwrap()
        .trail
        .into_iter()
        .map(|ev| ev.to)
        .collect();
    assert_eq!(
        trail,
        [
            Status::Paid,
            Status::Delivering,
            Status::Delivered,
            Status::Completed
        ]
    );
}

#[test]
fn a_refund_before_sending_cancels_the_delivery_and_returns_the_unseen_key() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let id = product(
        &e,
        json!({"name": "Key", "sku": "K", "kind": "license_key", "price": 1, "currency": "VND"}),
    );
    e.import_stock(id, StockInput::Text("K-1\nK-2\n".into()))
        .unwrap();
    let o = report(&e, "VN0003", "paid", "K", 1);
    report(&e, "VN0003", "REFUNDED", "K", 1);
    assert!(
        e.fetch_deliveries(&DeliveryFilter::default())
            .unwrap()
            .is_empty(),
        "nothing to send after a refund"
    );
    // No road was handed the key and no one was shown it: it is back in the pool.
    let stock = e.stock_counts(id).unwrap();
    assert_eq!((stock.available, stock.allocated), (2, 0));
    // A late "paid" report cannot bring it back.
    assert_eq!(
        report(&e, "VN0003", "paid", "K", 1).status,
        Status::Refunded
    );
    assert!(e.set_status(o.id, Status::Paid, "", "admin").is_err());
}

#[test]
fn a_waiting_order_can_be_retried_or_marked_delivered_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let id = product(
        &e,
        json!({"name": "Key", "sku": "K", "kind": "voucher", "price": 1, "currency": "VND"}),
    );
    let a = report(&e, "VN0004", "paid", "K", 2);
    let b = report(&e, "VN0005", "paid", "K", 1);
    assert_eq!(a.attention_reason.as_deref(), Some("out_of_stock"));
    let manual = e
        .deliver(b.id, DeliverMode::Manual, "sent from my phone", "admin")
        .unwrap();
    assert_eq!(manual.status, Status::Delivered);
    // Retrying without stock keeps it waiting, quietly.
    let before = e.order_detail(a.id, false).unwrap().trail.len();
    assert_eq!(
        e.deliver(a.id, DeliverMode::Retry, "", "admin")
            .unwrap()
            .status,
        Status::NeedsAttention
    );
    assert_eq!(e.order_detail(a.id, false).unwrap().trail.len(), before);
    e.import_stock(id, StockInput::Text("V-1\nV-2\n".into()))
        .unwrap();
    assert_eq!(
        e.order_detail(a.id, false).unwrap().order.status,
        Status::Delivering
    );
    assert!(
        e.deliver(a.id, DeliverMode::Retry, "", "admin").is_err(),
        "not waiting any more"
    );
}

#[test]
fn accounts_links_and_texts_render_what_the_buyer_needs() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let acc = product(
        &e,
        json!({"name": "Canva Pro", "sku": "CANVA", "kind": "account", "price": 15000, "currency": "IDR", "language": "en"}),
    );
    e.import_stock(
        acc,
        StockInput::Csv("username,password,notes\nsiti@mail.id,\"p,ss\",Tim 1\n".into()),
    )
    .unwrap();
    product(
        &e,
        json!({"name": "Course", "sku": "COURSE", "kind": "link", "price": 1, "currency": "IDR",
        "content": "https://example.com/course", "template": "Hi {{buyer}}, your link: {{items}}"}),
    );
    let d1 = {
        report(&e, "ID0001", "paid", "CANVA", 1);
        fetch_one(&e, "ID0001").message
    };
    assert!(
        d1.contains("Username: siti@mail.id\nPassword: p,ss\nNotes: Tim 1"),
        "{d1}"
    );
    for sn in ["ID0002", "ID0003"] {
        report(&e, sn, "paid", "COURSE", 3);
        assert_eq!(
            fetch_one(&e, sn).message,
            "Hi nguyen_van_a, your link: https://example.com/course"
        );
    }
}

#[test]
fn stock_and_messages_are_sealed_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let id = product(
        &e,
        json!({"name": "Key", "sku": "K", "kind": "license_key", "price": 1, "currency": "VND"}),
    );
    e.import_stock(
        id,
        StockInput::Text("SECRET-KEY-0001-VISIBLE\nSECRET-KEY-0002-VISIBLE\n".into()),
    )
    .unwrap();
    report(&e, "VN0006", "paid", "K", 1);
    assert!(fetch_one(&e, "VN0006")
        .message
        .contains("SECRET-KEY-0001-VISIBLE"));
    e.close().unwrap();
    for name in ["auto.db", "auto.db-wal"] {
        let path = dir.path().join(name);
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !bytes.windows(14).any(|w| w == b"SECRET-KEY-000"),
                "{name} holds a key in clear text"
            );
        }
    }
}

#[test]
fn an_expired_pairing_code_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let (code, _) = e.create_pairing_code().unwrap();
    e.db.write(|tx| {
        tx.execute(
            "UPDATE pairing_codes SET expires_at = expires_at - 6 * 60 * 1000",
            [],
        )?;
        Ok(())
    })
    .unwrap();
    let err = e
        .pair(
            &code,
            "extension",
            Some("chrome-extension://abcdefghijklmnop"),
        )
        .unwrap_err();
    assert!(matches!(err, auto_engine::Error::PairingCodeInvalid));
    let (fresh, _) = e.create_pairing_code().unwrap();
    let token = e
        .pair(
            &fresh,
            "extension",
            Some("chrome-extension://abcdefghijklmnop"),
        )
        .unwrap();
    assert_eq!(
        e.authenticate(&token).unwrap(),
        auto_engine::auth::Scope::Extension
    );
    assert!(e.origin_allowed("chrome-extension://abcdefghijklmnop"));
    assert!(!e.origin_allowed("chrome-extension://someoneelse"));
}
