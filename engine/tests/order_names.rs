//! Orders say what was bought: every line carries its product's name and how it found the
//! product (a Shopee listing or a SKU), in the intake's answer, the list and the detail; the
//! trail and the needs-attention reason carry a code and parameters the UI words in the
//! seller's language, beside the English words.

use crate::support;

use serde_json::{json, Value};
use support::*;

const SHOP: &str = "toko_names";

fn line_order(order_sn: &str, lines: Value) -> Value {
    json!({
        "shop": SHOP,
        "order_sn": order_sn,
        "status": "paid",
        "buyer": { "username": "rina" },
        "lines": lines,
        "currency": "IDR",
    })
}

fn listed<'a>(orders: &'a [Value], id: &str) -> &'a Value {
    orders
        .iter()
        .find(|o| id_of(o) == id)
        .unwrap_or_else(|| panic!("order {id} is not in the list"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_carry_the_product_name_and_how_they_matched() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let mut steam = product_body("STEAM-100K");
    steam["name"] = json!("Steam Wallet 100k");
    steam["mappings"] = json!([{ "item_id": 777, "model_id": 888 }]);
    let steam_id = id_of(&create_product(&fx.admin, &steam).await);
    import_keys(&fx.admin, &steam_id, &make_keys("STM", 8)).await;
    let mut netflix = product_body("NFX-1M");
    netflix["name"] = json!("Netflix 1 Month");
    let netflix_id = id_of(&create_product(&fx.admin, &netflix).await);
    import_keys(&fx.admin, &netflix_id, &make_keys("NFX", 2)).await;

    // Shopee's item and model only (no SKU), a SKU only, and a SKU beside a mapped item (the
    // listing wins, as the resolver reads it).
    let order = post_order(
        &ext,
        &line_order(
            "NAMES-1",
            json!([
                { "item_id": 777, "model_id": 888, "quantity": 6, "unit_price": 100000 },
                { "sku": "NFX-1M", "quantity": 1, "unit_price": 50000 },
                { "sku": "NFX-1M", "item_id": 777, "model_id": 888, "quantity": 1, "unit_price": 100000 }
            ]),
        ),
    )
    .await;
    assert_eq!(order["status"], "delivering", "{order}");
    let id = id_of(&order);
    let expect = |lines: &Value, whence: &str| {
        let lines = lines
            .as_array()
            .unwrap_or_else(|| panic!("{whence}: no lines"));
        assert_eq!(lines.len(), 3, "{whence}: {lines:?}");
        assert_eq!(lines[0]["sku"], "", "{whence}");
        assert_eq!(lines[0]["item_id"], 777, "{whence}");
        assert_eq!(lines[0]["model_id"], 888, "{whence}");
        assert_eq!(lines[0]["product_name"], "Steam Wallet 100k", "{whence}");
        assert_eq!(lines[0]["product_id"].to_string(), steam_id, "{whence}");
        assert_eq!(lines[0]["matched_by"], "listing", "{whence}");
        assert_eq!(lines[1]["product_name"], "Netflix 1 Month", "{whence}");
        assert_eq!(lines[1]["matched_by"], "sku", "{whence}");
        assert_eq!(lines[2]["product_name"], "Steam Wallet 100k", "{whence}");
        assert_eq!(lines[2]["matched_by"], "listing", "{whence}");
    };
    expect(&order["lines"], "the intake's answer");
    expect(
        &order_detail(&fx.admin, &id, false).await["lines"],
        "the detail",
    );
    let all = list_all_orders(&fx.admin, "").await;
    expect(&listed(&all, &id)["lines"], "the list");

    // A line no product matches has no name and no match, and says so in its reason.
    let lost = post_order(
        &ext,
        &line_order(
            "NAMES-2",
            json!([{ "item_id": 999, "model_id": 1, "quantity": 1, "unit_price": 1000 }]),
        ),
    )
    .await;
    assert_eq!(lost["status"], "needs_attention", "{lost}");
    assert!(lost["lines"][0]["product_name"].is_null(), "{lost}");
    assert!(lost["lines"][0]["matched_by"].is_null(), "{lost}");
    assert_eq!(lost["attention_reason"], "unknown_sku", "{lost}");
    assert_eq!(lost["attention_params"]["item_id"], 999, "{lost}");
    assert_eq!(lost["attention_params"]["model_id"], 1, "{lost}");

    // Renamed, the product is named as it is now, in the list too; many orders on a page each
    // get their own lines (one query for the page, not one per order).
    let (status, renamed) = fx
        .admin
        .patch(
            &format!("/api/v1/products/{steam_id}"),
            &json!({ "name": "Steam Wallet IDR 100k" }),
        )
        .await;
    assert_eq!(status.as_u16(), 200, "{renamed}");
    for n in 0..3 {
        post_order(
            &ext,
            &line_order(
                &format!("NAMES-1{n}"),
                json!([{ "item_id": 777, "model_id": 888, "quantity": 1, "unit_price": 100000 }]),
            ),
        )
        .await;
    }
    let page = ok(fx.admin.get("/api/v1/orders?limit=3").await);
    let orders = page["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 3, "{page}");
    for o in orders {
        let lines = o["lines"].as_array().expect("lines");
        assert_eq!(lines.len(), 1, "{o}");
        assert_eq!(lines[0]["product_name"], "Steam Wallet IDR 100k", "{o}");
        assert_eq!(lines[0]["matched_by"], "listing", "{o}");
    }
    let all = list_all_orders(&fx.admin, "").await;
    assert_eq!(
        listed(&all, &id)["lines"][0]["product_name"],
        "Steam Wallet IDR 100k"
    );
    assert_eq!(listed(&all, &id)["lines"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        listed(&all, &id_of(&lost))["lines"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

/// The trail event with this code (the first one).
fn event<'a>(trail: &'a Value, code: &str) -> &'a Value {
    trail
        .as_array()
        .and_then(|t| t.iter().find(|e| e["code"] == code))
        .unwrap_or_else(|| panic!("no {code} event in {trail}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trail_events_and_attention_carry_codes_and_params() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let mut body = product_body("CODE-KEY");
    body["name"] = json!("Steam Wallet 100k");
    let pid = id_of(&create_product(&fx.admin, &body).await);
    import_keys(&fx.admin, &pid, &make_keys("CODE", 1)).await;

    // Reported paid, allocated, confirmed in chat.
    let first = post_order(&ext, &paid_order(SHOP, "CODES-1", "CODE-KEY", 1)).await;
    let first_id = id_of(&first);
    let delivered = drain_deliveries(&ext).await;
    assert_eq!(delivered.len(), 1);
    let trail = order_detail(&fx.admin, &first_id, false).await["trail"].clone();
    let reported = event(&trail, "reported");
    assert_eq!(reported["params"], json!({ "status": "paid" }), "{trail}");
    assert_eq!(reported["reason"], "reported as paid", "{trail}");
    assert_eq!(reported["to"], "paid");
    let allocated = event(&trail, "allocated");
    assert_eq!(allocated["params"], json!({}), "{trail}");
    assert_eq!(allocated["to"], "delivering");
    assert!(
        !allocated["reason"].as_str().unwrap_or_default().is_empty(),
        "the English words stay: {trail}"
    );
    let confirmed = event(&trail, "delivery_confirmed");
    assert_eq!(confirmed["params"], json!({}), "{trail}");
    assert_eq!(confirmed["to"], "delivered");
    assert_eq!(confirmed["reason"], "delivery confirmed in chat");

    // Three wanted, none left: the reason names the product and both counts, in the trail and
    // on the order (the list too).
    let short = post_order(&ext, &paid_order(SHOP, "CODES-2", "CODE-KEY", 3)).await;
    assert_eq!(short["status"], "needs_attention", "{short}");
    let want = json!({ "product": "Steam Wallet 100k", "have": 0, "want": 3 });
    assert_eq!(short["attention_reason"], "out_of_stock", "{short}");
    assert_eq!(short["attention_params"], want, "{short}");
    let detail = order_detail(&fx.admin, &id_of(&short), false).await;
    let oos = event(&detail["trail"], "out_of_stock");
    assert_eq!(oos["params"], want, "{detail}");
    assert_eq!(oos["to"], "needs_attention");
    assert_eq!(
        oos["reason"],
        "'Steam Wallet 100k' has 0 in stock, this order needs 3; import more stock"
    );
    assert_eq!(detail["attention_params"], want);
    assert_eq!(detail["attention_detail"], oos["reason"]);
    let listed_short = list_all_orders(&fx.admin, "status=needs_attention").await;
    assert_eq!(listed_short.len(), 1);
    assert_eq!(listed_short[0]["attention_reason"], "out_of_stock");
    assert_eq!(listed_short[0]["attention_params"], want);

    // The seller's own words are a code too, their text a parameter.
    let (status, cancelled) = fx
        .admin
        .post(
            &format!("/api/v1/orders/{}/status", id_of(&short)),
            &json!({ "status": "cancelled", "reason": "buyer asked" }),
        )
        .await;
    assert_eq!(status.as_u16(), 200, "{cancelled}");
    let trail = order_detail(&fx.admin, &id_of(&short), false).await["trail"].clone();
    let note = event(&trail, "seller_note");
    assert_eq!(note["to"], "cancelled", "{trail}");
    assert_eq!(note["params"], json!({ "text": "buyer asked" }), "{trail}");
    assert_eq!(note["reason"], "buyer asked", "{trail}");
    // Every event has a code now; none is left to the English words alone.
    for e in trail.as_array().expect("trail") {
        assert!(e["code"].is_string(), "{e}");
        assert!(e["params"].is_object(), "{e}");
    }
}
