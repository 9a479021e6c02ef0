//! Chat-sized deliveries over the API: a long delivery is handed out in parts of at most the
//! chat limit, with no key cut; the limit is a setting that survives a restart and refuses bad
//! values; an item too long for one chat message is refused at import.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;

const SHOP: &str = "610001234";

/// Long redeem steps: with 20 keys the delivery is well over 600 characters.
const STEPS: &str = "Cara pakai: buka aplikasi Steam, masuk ke akun kakak, pilih menu Akun lalu \
    Tambah Dana ke Dompet Steam, pilih Tukarkan Kode Voucher, tempel kodenya satu per satu, lalu \
    tekan Lanjutkan. Kalau ada kode yang tidak bisa dipakai, kirim tangkapan layarnya di chat ini \
    ya kak, kami ganti secepatnya. Terima kasih sudah belanja di toko kami!";

/// A voucher product with long instructions and `n` keys; returns (product id, keys).
async fn voucher(admin: &Api, sku: &str, n: usize) -> (String, Vec<String>) {
    let mut body = product_body(sku);
    body["instructions"] = json!(STEPS);
    let pid = id_of(&create_product(admin, &body).await);
    let keys = make_keys(sku, n);
    import_keys(admin, &pid, &keys).await;
    (pid, keys)
}

/// Every key in exactly one part, whole; every part within the limit.
#[track_caller]
fn assert_parts(parts: &[String], keys: &[String], prefix: &str, limit: usize) {
    assert_parts_fit(parts, limit);
    for k in keys {
        let holding = parts.iter().filter(|p| p.contains(k.as_str())).count();
        assert_eq!(holding, 1, "key {k} whole in exactly one part: {parts:#?}");
    }
    let found: usize = parts.iter().map(|p| keys_in(p, prefix).len()).sum();
    assert_eq!(found, keys.len(), "no key cut or doubled: {parts:#?}");
}

#[tokio::test]
async fn a_twenty_key_delivery_comes_in_parts_of_at_most_600_with_no_key_cut_and_resends_reuse_them(
) {
    let fx = Fixture::new();
    let ext = fx.extension();
    let (_, keys) = voucher(&fx.admin, "STM", 20).await;
    let order = post_order(&fx.admin, &paid_order(SHOP, "2612PARTS01", "STM", 20)).await;

    let page = ok(ext.get("/api/v1/deliveries?status=pending").await);
    let d = &page["deliveries"][0];
    let message = d["message"].as_str().expect("message").to_string();
    let parts = texts(&d["parts"]);
    assert!(chat_len(&message) > 600, "the whole text stays in message");
    assert!(parts.len() >= 2, "{parts:#?}");
    assert_parts(&parts, &keys, "STM", 600);
    for p in &parts {
        assert!(
            message.contains(p.as_str()),
            "a part is a stretch of the message: {p:?}"
        );
    }

    // The seller's view of the order, revealed, carries the same parts; unrevealed, none.
    let shown = order_detail(&fx.admin, &id_of(&order), true).await;
    assert_eq!(texts(&shown["deliveries"][0]["parts"]), parts);
    assert_eq!(shown["deliveries"][0]["parts_sent"], 0);
    let hidden = order_detail(&fx.admin, &id_of(&order), false).await;
    assert!(hidden["deliveries"][0].get("parts").is_none(), "{hidden}");
    assert!(hidden["deliveries"][0].get("message").is_none(), "{hidden}");

    // A resend, even after the limit went down, sends the same parts again.
    confirm(&ext, &id_of(d)).await;
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"chat_limit": 300}))
        .await);
    let (status, again) = fx
        .admin
        .post(
            &format!("/api/v1/orders/{}/resend", id_of(&order)),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let page = ok(ext.get("/api/v1/deliveries?status=pending").await);
    assert_eq!(texts(&page["deliveries"][0]["parts"]), parts);
}

#[tokio::test]
async fn the_chat_limit_survives_a_restart_and_cuts_the_deliveries_after_it() {
    let mut fx = Fixture::new();
    let settings = ok(fx.admin.get("/api/v1/settings/delivery").await);
    assert_eq!(settings, json!({"paused": false, "chat_limit": 600}));
    let changed = ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"chat_limit": 250}))
        .await);
    assert_eq!(changed, json!({"paused": false, "chat_limit": 250}));
    // Pausing alone leaves the limit as it is.
    let paused = ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"paused": true}))
        .await);
    assert_eq!(paused, json!({"paused": true, "chat_limit": 250}));
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"paused": false}))
        .await);

    fx.server.restart();
    let admin = fx.admin.with_base(&fx.server.url);
    let ext = fx.extension();
    assert_eq!(
        ok(admin.get("/api/v1/settings/delivery").await)["chat_limit"],
        250
    );
    let (_, keys) = voucher(&admin, "LIM", 6).await;
    post_order(&admin, &paid_order(SHOP, "2612PARTS02", "LIM", 6)).await;
    let page = ok(ext.get("/api/v1/deliveries?status=pending").await);
    let parts = texts(&page["deliveries"][0]["parts"]);
    assert!(parts.len() >= 3, "{parts:#?}");
    assert_parts(&parts, &keys, "LIM", 250);
}

#[tokio::test]
async fn a_chat_limit_out_of_range_or_of_the_wrong_type_is_refused_and_changes_nothing() {
    let fx = Fixture::new();
    for bad in [json!(99), json!(5001), json!(0), json!(-600)] {
        let reply = fx
            .admin
            .put(
                "/api/v1/settings/delivery",
                &json!({"chat_limit": bad, "paused": true}),
            )
            .await;
        assert_error(&reply, 422, "invalid_input");
        let said = reply.1["error"]["message"].as_str().unwrap();
        assert!(said.contains("between 100 and 5000"), "{said}");
    }
    for bad in [
        json!("600"),
        json!(600.5),
        json!(true),
        json!([600]),
        json!(null),
    ] {
        let reply = fx
            .admin
            .put("/api/v1/settings/delivery", &json!({"chat_limit": bad}))
            .await;
        assert_error(&reply, 422, "invalid_input");
    }
    assert_error(
        &fx.admin.put("/api/v1/settings/delivery", &json!({})).await,
        422,
        "invalid_input",
    );
    let unknown = fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"chat_limt": 300}))
        .await;
    assert_error(&unknown, 422, "invalid_input");
    let not_json = fx
        .admin
        .raw(
            Method::PUT,
            "/api/v1/settings/delivery",
            "application/json",
            "{chat_limit: 300",
        )
        .await;
    assert_error(&not_json, 400, "bad_request");
    // The edges are taken.
    for edge in [100, 5000, 600] {
        let s = ok(fx
            .admin
            .put("/api/v1/settings/delivery", &json!({"chat_limit": edge}))
            .await);
        assert_eq!(s["chat_limit"], edge);
    }
    assert_eq!(
        ok(fx.admin.get("/api/v1/settings/delivery").await),
        json!({"paused": false, "chat_limit": 600}),
        "a refused change changed nothing, the pause included"
    );
    // The extension may not change it.
    let reply = fx
        .extension()
        .put("/api/v1/settings/delivery", &json!({"chat_limit": 300}))
        .await;
    assert!(
        matches!(reply.0.as_u16(), 401 | 403),
        "extension: {} {}",
        reply.0,
        reply.1
    );
}

#[tokio::test]
async fn an_item_longer_than_the_chat_limit_is_refused_at_import_naming_its_line() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("LONG")).await);
    let long = format!("LONG-{}", "X".repeat(640));
    let body = format!("LONG-000001-AAAAA\n{long}\nLONG-000002-BBBBB\n");
    let reply = fx
        .admin
        .raw(
            Method::POST,
            &format!("/api/v1/products/{pid}/stock"),
            "text/plain",
            body,
        )
        .await;
    assert_error(&reply, 422, "invalid_input");
    let said = reply.1["error"]["message"].as_str().unwrap();
    assert!(said.contains("line 2 (649 characters)"), "{said}");
    assert!(said.contains("600"), "{said}");
    assert_eq!(
        stock(&fx.admin, &pid).await["available"],
        0,
        "nothing imported"
    );

    // Under a higher limit it fits; then the limit cannot go below it.
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"chat_limit": 700}))
        .await);
    let summary = import_keys(&fx.admin, &pid, std::slice::from_ref(&long)).await;
    assert_eq!(summary["imported"], 1, "{summary}");
    let reply = fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"chat_limit": 600}))
        .await;
    assert_error(&reply, 422, "invalid_input");
    let said = reply.1["error"]["message"].as_str().unwrap();
    assert!(said.contains("'Product LONG' has 1 item(s)"), "{said}");
    assert_eq!(
        ok(fx.admin.get("/api/v1/settings/delivery").await)["chat_limit"],
        700
    );
    // Sold, it is delivered whole in one part.
    post_order(&fx.admin, &paid_order(SHOP, "2612PARTS03", "LONG", 1)).await;
    let page = ok(fx.extension().get("/api/v1/deliveries").await);
    let parts = texts(&page["deliveries"][0]["parts"]);
    assert_eq!(parts.iter().filter(|p| p.contains(&long)).count(), 1);
    assert!(parts.iter().all(|p| chat_len(p) <= 700));
}
