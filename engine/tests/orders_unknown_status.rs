//! An order reported with a status AUTO does not know (a new Shopee status, a localized text no
//! map has) is recorded unpaid with the raw status for the seller, and never delivered on a
//! guess; a known paid status later delivers it as usual.

use crate::support;

use serde_json::json;
use support::*;

const SHOP: &str = "880011223";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_status_is_kept_unpaid_with_the_raw_text_and_never_delivered() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("UNK-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("UNK", 2)).await;

    let body = order(SHOP, "UNK-1", "Menunggu Verifikasi", "UNK-KEY", 1);
    let first = post_order(&ext, &body).await;
    assert_eq!(first["status"], "unpaid", "{first}");
    assert_eq!(first["attention_reason"], "unknown_status", "{first}");
    let detail = first["attention_detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("Menunggu Verifikasi"),
        "the raw status is kept: {first}"
    );
    let id = id_of(&first);
    let trail = order_detail(&fx.admin, &id, false).await["trail"].clone();
    assert!(
        trail[0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("Menunggu Verifikasi"),
        "the trail says what Shopee said: {trail}"
    );

    // Reported again with another unknown text: still unpaid, the seller sees the new one.
    post_order(&ext, &order(SHOP, "UNK-1", "status 7", "UNK-KEY", 1)).await;
    let again = order_detail(&fx.admin, &id, false).await;
    assert_eq!(again["status"], "unpaid");
    assert!(
        again["attention_detail"]
            .as_str()
            .unwrap()
            .contains("status 7"),
        "{again}"
    );
    assert!(
        drain_deliveries(&ext).await.is_empty(),
        "nothing delivered on a guess"
    );
    let dash = ok(fx.admin.get("/api/v1/stats/dashboard").await);
    assert_eq!(dash["unknown_status"], 1, "{dash}");

    // Shopee's known status says paid: delivered as any order, and the note is gone.
    let paid = post_order(&ext, &order(SHOP, "UNK-1", "READY_TO_SHIP", "UNK-KEY", 1)).await;
    assert_eq!(paid["status"], "delivering", "{paid}");
    assert!(paid["attention_reason"].is_null(), "{paid}");
    assert_eq!(drain_deliveries(&ext).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_status_after_payment_changes_nothing_and_an_empty_one_is_refused() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("UNK2-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("UNKB", 1)).await;
    let paid = post_order(&ext, &order(SHOP, "UNK-2", "READY_TO_SHIP", "UNK2-KEY", 1)).await;
    assert_eq!(paid["status"], "delivering");
    let later = post_order(
        &ext,
        &order(SHOP, "UNK-2", "Sedang Diproses Ulang", "UNK2-KEY", 1),
    )
    .await;
    assert_eq!(later["status"], "delivering", "{later}");
    assert!(later["attention_reason"].is_null(), "{later}");

    let mut empty = order(SHOP, "UNK-3", "", "UNK2-KEY", 1);
    empty["status"] = json!("   ");
    let (status, reply) = ext.post("/api/v1/orders", &empty).await;
    assert_eq!(status.as_u16(), 422, "{reply}");
}
