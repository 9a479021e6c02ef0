//! A replacement goes out by either road to Shopee, exactly once: the Open Platform road claims
//! it like any pending delivery, and one the extension holds is never claimed as well.

use crate::support::in_process::voucher_engine;
use auto_engine::delivery::DeliveryFilter;
use auto_engine::orders::{OrderInput, Status};
use auto_engine::shopee::outbox::{claim_delivery, sent, Kind};
use auto_engine::Engine;
use serde_json::json;

const SHOP: &str = "445566";

fn paid(e: &Engine, sn: &str, actor: &str) -> i64 {
    let input: OrderInput = serde_json::from_value(json!({
        "shop": SHOP, "order_sn": sn, "status": "READY_TO_SHIP",
        "buyer": {"username": "budi_88", "user_id": 880011},
        "lines": [{"sku": "STEAM-60K", "quantity": 1, "unit_price": 60000}],
        "currency": "IDR"
    }))
    .unwrap();
    let (orders, rejected) = e.intake(vec![input], actor).unwrap();
    assert!(rejected.is_empty());
    assert_eq!(orders[0].status, Status::Delivering);
    orders[0].id
}

fn claim(e: &Engine) -> Option<auto_engine::shopee::outbox::Claimed> {
    e.db.write(|c| claim_delivery(c, &e.vault, SHOP, 120_000))
        .unwrap()
}

#[test]
fn the_open_platform_road_sends_a_replacement_once_in_the_products_language() {
    let dir = tempfile::tempdir().unwrap();
    let e = voucher_engine(dir.path(), &["STM-AAAA-0001", "STM-BBBB-0002"]);
    let oid = paid(&e, "OP-1", "open_platform");
    let first = claim(&e).expect("the first delivery");
    assert!(first.text.contains("STM-AAAA-0001"));
    sent(&e, Kind::Delivery, first.id, "9001", 1).unwrap();
    let item = e.order_items(oid).unwrap().items[0].id;

    let (r, _) = e
        .replace_item(oid, item, "sudah terpakai", "admin")
        .unwrap();
    let claimed = claim(&e).expect("the replacement is claimed like any delivery");
    assert_eq!(Some(claimed.id), r.delivery_id);
    assert!(
        claimed
            .text
            .starts_with("Halo kak budi_88, ini pengganti untuk Steam 60K kakak (OP-1):"),
        "{}",
        claimed.text
    );
    assert!(claimed.text.contains("STM-BBBB-0002"));
    assert!(!claimed.text.contains("STM-AAAA-0001"));
    // Claimed: neither road takes it again, not even after every lease ran out.
    assert!(claim(&e).is_none());
    let leased = e
        .db
        .write(|c| auto_engine::delivery::lease_pending(c, &e.vault, &DeliveryFilter::default(), 0))
        .unwrap();
    assert!(leased.is_empty(), "{leased:?}");
    sent(&e, Kind::Delivery, claimed.id, "9002", 1).unwrap();
    let detail = e.order_detail(oid, false).unwrap();
    assert_eq!(detail.order.status, Status::Delivered);
    assert_eq!(
        detail.trail.last().and_then(|t| t.code.as_deref()),
        Some("replacement_confirmed")
    );
    let items = e.order_items(oid).unwrap().items;
    let statuses: Vec<&str> = items.iter().map(|i| i.status.as_str()).collect();
    assert_eq!(statuses, ["bad", "delivered"]);
}

#[test]
fn a_replacement_the_extension_holds_is_not_claimed_by_the_open_platform_road() {
    let dir = tempfile::tempdir().unwrap();
    let e = voucher_engine(dir.path(), &["STM-CCCC-0003", "STM-DDDD-0004"]);
    let oid = paid(&e, "EX-1", "extension");
    let first = e.fetch_deliveries(&DeliveryFilter::default()).unwrap();
    e.confirm_delivery(first[0].id, "extension").unwrap();
    let item = e.order_items(oid).unwrap().items[0].id;
    e.replace_item(oid, item, "expired", "admin").unwrap();
    let leased = e.fetch_deliveries(&DeliveryFilter::default()).unwrap();
    assert_eq!(leased.len(), 1);
    assert!(leased[0].message.contains("STM-DDDD-0004"));
    assert!(claim(&e).is_none(), "the extension holds it");
    e.confirm_delivery(leased[0].id, "extension").unwrap();
    assert!(claim(&e).is_none());
    assert!(e
        .fetch_deliveries(&DeliveryFilter::default())
        .unwrap()
        .is_empty());
}
