//! The extension reports how many Seller Centre responses it could not read; the dashboard
//! carries the last report so the seller is warned, and the warning goes when the extension
//! reports its samples cleared. Only the extension (or admin) may report; bad reports are refused.

use crate::support;

use serde_json::json;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_what_the_extension_could_not_read_until_it_is_cleared() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let dash = ok(fx.admin.get("/api/v1/stats/dashboard").await);
    assert!(dash["extension"].is_null(), "no report yet: {dash}");

    let report = json!({
        "unreadable": 2,
        "last_path": "/api/v3/order/get_order_list_card_list",
        "last_reason": "no readable order in a response on an order path"
    });
    let stored = ok(ext.post("/api/v1/extension/health", &report).await);
    assert_eq!(stored["unreadable"], 2, "{stored}");
    let dash = ok(fx.admin.get("/api/v1/stats/dashboard").await);
    assert_eq!(dash["extension"]["unreadable"], 2, "{dash}");
    assert_eq!(
        dash["extension"]["last_path"],
        "/api/v3/order/get_order_list_card_list"
    );
    assert_eq!(
        ok(fx.admin.get("/api/v1/extension/health").await)["unreadable"],
        2
    );

    ok(ext
        .post("/api/v1/extension/health", &json!({"unreadable": 0}))
        .await);
    let dash = ok(fx.admin.get("/api/v1/stats/dashboard").await);
    assert_eq!(dash["extension"]["unreadable"], 0, "{dash}");

    let doc = ok(fx.admin.with_token(None).get("/api/v1/openapi.json").await);
    assert!(
        doc["paths"]["/api/v1/extension/health"]["post"].is_object(),
        "openapi.json documents the report"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_or_unauthorised_report_is_refused() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let (status, body) = ext
        .post("/api/v1/extension/health", &json!({"unreadable": -1}))
        .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    let (status, body) = ext
        .post(
            "/api/v1/extension/health",
            &json!({"unreadable": 1, "last_path": "https://seller.shopee.co.id/x?SPC_CDS=1"}),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    let (status, body) = ext
        .post(
            "/api/v1/extension/health",
            &json!({"unreadable": 1, "extra": true}),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    let anon = fx.admin.with_token(None);
    let (status, _) = anon
        .post("/api/v1/extension/health", &json!({"unreadable": 1}))
        .await;
    assert_eq!(status.as_u16(), 401);
    // Reading the report is for the seller's UI, not for the extension's token.
    let (status, _) = ext.get("/api/v1/extension/health").await;
    assert_eq!(status.as_u16(), 403);
}
