//! Bad requests get the right status and error code, and write nothing.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

const SHOP: &str = "shopee-id-bad";

async fn counts(fx: &Fixture) -> (usize, usize) {
    let products = ok(fx.admin.get("/api/v1/products").await)["products"]
        .as_array()
        .unwrap()
        .len();
    (products, list_all_orders(&fx.admin, "").await.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_json_is_a_bad_request_and_writes_nothing() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("MAL-KEY")).await);
    let before = counts(&fx).await;
    let json = "application/json";
    for (path, body) in [
        (
            "/api/v1/products".to_string(),
            r#"{"name": "Broken", "sku": "#,
        ),
        (
            "/api/v1/orders".to_string(),
            r#"{"shop": "s", "order_sn": "MAL-1", "status": "paid""#,
        ),
        ("/api/v1/orders".to_string(), ""),
        ("/api/v1/orders".to_string(), "not json at all"),
        (
            format!("/api/v1/products/{pid}/stock"),
            r#"{"items": ["MAL-K1","#,
        ),
    ] {
        let reply = fx.admin.raw(Method::POST, &path, json, body).await;
        assert_error(&reply, 400, "bad_request");
    }
    assert_eq!(counts(&fx).await, before);
    assert_eq!(stock(&fx.admin, &pid).await["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_types_and_missing_fields_are_invalid_input() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("TYP-KEY")).await);
    let before = counts(&fx).await;
    let mut bad_products = Vec::new();
    for (field, value) in [
        ("price", json!("150000")),
        ("kind", json!("banana")),
        ("name", json!(42)),
        ("template", json!("Hi {{buyer}}, here: {{password}}")),
        ("mappings", json!("not a list")),
    ] {
        let mut body = product_body(&format!("TYP-{field}"));
        body[field] = value;
        bad_products.push(body);
    }
    let mut no_sku = product_body("TYP-NOSKU");
    no_sku.as_object_mut().unwrap().remove("sku");
    bad_products.push(no_sku);
    for body in bad_products {
        assert_error(
            &fx.admin.post("/api/v1/products", &body).await,
            422,
            "invalid_input",
        );
    }

    let good = paid_order(SHOP, "TYP-1", "TYP-KEY", 1);
    let mut bad_orders = Vec::new();
    for (pointer, value) in [
        ("/lines/0/quantity", json!("two")),
        ("/lines", json!({"sku": "TYP-KEY"})),
        // An unknown status text is recorded unpaid (orders_unknown_status.rs); no status is bad.
        ("/status", json!("")),
        ("/status", json!(7)),
        ("/buyer", json!("someone")),
        ("/total", json!([1])),
    ] {
        let mut body = good.clone();
        *body.pointer_mut(pointer).unwrap() = value;
        bad_orders.push(body);
    }
    let mut no_sn = good.clone();
    no_sn.as_object_mut().unwrap().remove("order_sn");
    bad_orders.push(no_sn);
    for body in bad_orders {
        assert_error(
            &fx.admin.post("/api/v1/orders", &body).await,
            422,
            "invalid_input",
        );
    }
    let reply = fx
        .admin
        .post(
            &format!("/api/v1/products/{pid}/stock"),
            &json!({"items": "TYP-K1"}),
        )
        .await;
    assert_error(&reply, 422, "invalid_input");

    assert_eq!(counts(&fx).await, before);
    assert_eq!(stock(&fx.admin, &pid).await["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ten_megabyte_body_is_rejected_and_nothing_is_imported() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("BIG-KEY")).await);
    let auth = format!("Bearer {}", fx.admin.token.as_deref().unwrap());
    let keys = make_keys("BIGPAYLOAD-TEST", 400_000)
        .join("\n")
        .into_bytes();
    assert!(keys.len() > 10_000_000);
    let path = format!("/api/v1/products/{pid}/stock");
    let headers = [
        ("host", "127.0.0.1"),
        ("authorization", auth.as_str()),
        ("content-type", "text/plain"),
    ];
    for body in [RawBody::Sized(keys.clone()), RawBody::Chunked(keys)] {
        let reply = raw_http(&fx.server.addr(), "POST", &path, &headers, body).await;
        assert_eq!(reply.status, 413, "{reply:?}");
        assert_eq!(
            reply.body["error"]["code"], "payload_too_large",
            "{reply:?}"
        );
    }
    let order = serde_json::to_vec(&json!({
        "shop": SHOP, "order_sn": "BIG-1", "status": "paid",
        "buyer": {"username": "x".repeat(10_500_000), "user_id": 1},
        "lines": [{"sku": "BIG-KEY", "quantity": 1, "unit_price": 1}], "total": 1, "currency": "IDR",
    }))
    .unwrap();
    let headers = [
        ("host", "127.0.0.1"),
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let reply = raw_http(
        &fx.server.addr(),
        "POST",
        "/api/v1/orders",
        &headers,
        RawBody::Sized(order),
    )
    .await;
    assert_eq!(reply.status, 413, "{reply:?}");
    assert_eq!(
        reply.body["error"]["code"], "payload_too_large",
        "{reply:?}"
    );

    assert_eq!(
        stock(&fx.admin, &pid).await["total"],
        0,
        "nothing half-imported"
    );
    assert_eq!(counts(&fx).await.1, 0);
    assert_eq!(
        ok(fx.admin.get("/api/v1/health").await)["status"],
        "ok",
        "the server survives"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_three_megabyte_stock_file_is_within_the_limit() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("MID-KEY")).await);
    let keys = make_keys("MIDSIZED-STOCK-FILE", 95_000);
    let body = keys.join("\n");
    assert!(body.len() > 3_000_000 && body.len() < 5 * 1024 * 1024);
    let (status, summary) = fx
        .admin
        .raw(
            Method::POST,
            &format!("/api/v1/products/{pid}/stock"),
            "text/plain",
            body,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["imported"], 95_000);
    assert_eq!(stock(&fx.admin, &pid).await["available"], 95_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_for_an_unknown_sku_needs_attention_and_takes_no_stock() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("KNOWN-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("KNW", 2)).await;
    let order = post_order(&fx.admin, &paid_order(SHOP, "UNK-1", "NO-SUCH-SKU", 1)).await;
    assert_eq!(order["status"], "needs_attention", "{order}");
    assert_eq!(order["attention_reason"], "unknown_sku", "{order}");
    assert_eq!(stock(&fx.admin, &pid).await["available"], 2);
    assert!(drain_deliveries(&fx.extension()).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_zero_or_negative_quantity_is_invalid_and_creates_no_order() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("QTY-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("QTK", 3)).await;
    for (sn, qty) in [
        ("QTY-NEG", -1),
        ("QTY-ZERO", 0),
        ("QTY-VERYNEG", -1_000_000),
    ] {
        let reply = fx
            .admin
            .post("/api/v1/orders", &paid_order(SHOP, sn, "QTY-KEY", qty))
            .await;
        assert_error(&reply, 422, "invalid_input");
        let found = ok(fx.admin.get(&format!("/api/v1/orders?q={sn}")).await);
        assert!(
            found["orders"].as_array().unwrap().is_empty(),
            "{sn} must not exist: {found}"
        );
    }
    assert_eq!(stock(&fx.admin, &pid).await["available"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_illegal_status_move_is_a_conflict_and_a_refund_keeps_keys_burned() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("MOVE-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("MVK", 2)).await;
    let unpaid = post_order(&fx.admin, &order(SHOP, "MOVE-1", "unpaid", "MOVE-KEY", 1)).await;
    let uid = id_of(&unpaid);
    let trail_before = order_detail(&fx.admin, &uid, false).await["trail"].clone();
    let path = format!("/api/v1/orders/{uid}/status");
    assert_error(
        &fx.admin
            .post(&path, &json!({"status": "delivered", "reason": "t"}))
            .await,
        409,
        "illegal_transition",
    );
    assert_error(
        &fx.admin
            .post(&path, &json!({"status": "teleported", "reason": "t"}))
            .await,
        422,
        "invalid_input",
    );
    let after = order_detail(&fx.admin, &uid, false).await;
    assert_eq!(after["status"], "unpaid");
    assert_eq!(
        after["trail"], trail_before,
        "a refused move leaves no trail"
    );

    let paid = post_order(&fx.admin, &paid_order(SHOP, "MOVE-2", "MOVE-KEY", 1)).await;
    assert_eq!(drain_deliveries(&fx.extension()).await.len(), 1);
    let path = format!("/api/v1/orders/{}/status", id_of(&paid));
    let refunded = ok(fx
        .admin
        .post(
            &path,
            &json!({"status": "refunded", "reason": "buyer asked"}),
        )
        .await);
    assert_eq!(refunded["order"]["status"], "refunded", "{refunded}");
    assert_error(
        &fx.admin
            .post(&path, &json!({"status": "paid", "reason": "t"}))
            .await,
        409,
        "illegal_transition",
    );
    let counts = stock(&fx.admin, &pid).await;
    assert_eq!(
        counts["available"], 1,
        "the refunded order's key stays burned: {counts}"
    );
    let missing = format!("/api/v1/orders/{}/status", unknown_id_like(&uid));
    assert_error(
        &fx.admin
            .post(&missing, &json!({"status": "cancelled"}))
            .await,
        404,
        "not_found",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_non_loopback_host_header_is_refused() {
    let fx = Fixture::new();
    let auth = format!("Bearer {}", fx.admin.token.as_deref().unwrap());
    let port = fx.server.port;
    let addr = fx.server.addr();
    let evil_port = format!("evil.example:{port}");
    let rebound = format!("127.0.0.1.evil.example:{port}");
    for host in [
        "evil.example",
        evil_port.as_str(),
        rebound.as_str(),
        "localhost.evil.example",
        "192.168.1.20",
    ] {
        for path in ["/api/v1/health", "/api/v1/products"] {
            let reply = raw_http(
                &addr,
                "GET",
                path,
                &[("host", host), ("authorization", &auth)],
                RawBody::None,
            )
            .await;
            assert_eq!(reply.status, 403, "Host {host} on {path}: {reply:?}");
            assert_eq!(reply.body["error"]["code"], "host_not_allowed", "{reply:?}");
        }
        let body = serde_json::to_vec(&product_body("EVIL-KEY")).unwrap();
        let headers = [
            ("host", host),
            ("authorization", &auth),
            ("content-type", "application/json"),
        ];
        let reply = raw_http(
            &addr,
            "POST",
            "/api/v1/products",
            &headers,
            RawBody::Sized(body),
        )
        .await;
        assert_eq!(reply.status, 403, "{reply:?}");
    }
    assert!(ok(fx.admin.get("/api/v1/products").await)["products"]
        .as_array()
        .unwrap()
        .is_empty());

    let with_port = [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    for host in with_port
        .iter()
        .map(String::as_str)
        .chain(["127.0.0.1", "localhost", "[::1]"])
    {
        let reply = raw_http(
            &addr,
            "GET",
            "/api/v1/products",
            &[("host", host), ("authorization", &auth)],
            RawBody::None,
        )
        .await;
        assert_eq!(reply.status, 200, "loopback Host {host} is fine: {reply:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn missing_wrong_and_under_scoped_tokens_are_refused() {
    let fx = Fixture::new();
    let anonymous = fx.admin.with_token(None);
    let admin_token = fx.admin.token.clone().unwrap();
    let mut altered = admin_token.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    let ext = fx.extension();
    let order = paid_order(SHOP, "AUTH-1", "AUTH-KEY", 1);

    for api in [
        anonymous.clone(),
        fx.admin.with_token(Some("not-a-token")),
        fx.admin.with_token(Some(&altered)),
    ] {
        assert_error(&api.get("/api/v1/products").await, 401, "unauthorized");
        assert_error(
            &api.post("/api/v1/orders", &order).await,
            401,
            "unauthorized",
        );
        assert_error(&api.get("/api/v1/deliveries").await, 401, "unauthorized");
    }
    let (status, _, body) = fx
        .admin
        .with_token(None)
        .request(
            Method::GET,
            "/api/v1/products",
            &[("authorization", &format!("Basic {admin_token}"))],
            None,
        )
        .await;
    assert_error(&(status, body), 401, "unauthorized");

    assert_error(&ext.get("/api/v1/products").await, 403, "forbidden");
    assert_error(
        &ext.post("/api/v1/products", &product_body("AUTH-KEY"))
            .await,
        403,
        "forbidden",
    );
    assert_error(&ext.get("/api/v1/orders").await, 403, "forbidden");
    assert_error(
        &ext.post("/api/v1/pairing-codes", &json!({})).await,
        403,
        "forbidden",
    );
    let oid = id_of(&post_order(&ext, &order).await);
    let path = format!("/api/v1/orders/{oid}/status");
    assert_error(
        &ext.post(&path, &json!({"status": "refunded", "reason": "x"}))
            .await,
        403,
        "forbidden",
    );
    assert_error(
        &ext.post(&format!("/api/v1/orders/{oid}/resend"), &json!({}))
            .await,
        403,
        "forbidden",
    );

    assert!(ok(fx.admin.get("/api/v1/products").await)["products"]
        .as_array()
        .unwrap()
        .is_empty());
    let detail = order_detail(&fx.admin, &oid, false).await;
    assert_eq!(
        detail["status"], "needs_attention",
        "the refused refund changed nothing: {detail}"
    );
}

async fn new_pairing_code(admin: &Api) -> String {
    let reply = ok(admin.post("/api/v1/pairing-codes", &json!({})).await);
    reply["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code: {reply}"))
        .to_string()
}

fn pair_body(code: &str) -> Value {
    json!({"code": code, "client": "extension", "origin": "chrome-extension://abcdefghijklmnopabcdefghijklmnop"})
}

fn wrong_code(right: &str) -> String {
    let n: u32 = right.parse().unwrap();
    format!("{:06}", (n + 500_001) % 1_000_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_or_already_used_pairing_code_is_refused() {
    let fx = Fixture::new();
    let anonymous = fx.admin.with_token(None);
    let code = new_pairing_code(&fx.admin).await;
    assert_error(
        &anonymous
            .post("/api/v1/pair", &pair_body(&wrong_code(&code)))
            .await,
        401,
        "pairing_code_invalid",
    );
    let paired = ok(anonymous.post("/api/v1/pair", &pair_body(&code)).await);
    assert_eq!(paired["scope"], "extension");
    // A used code is as dead as an expired one.
    assert_error(
        &anonymous.post("/api/v1/pair", &pair_body(&code)).await,
        401,
        "pairing_code_invalid",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eleven_wrong_pairing_codes_are_too_many_attempts() {
    let fx = Fixture::new();
    let anonymous = fx.admin.with_token(None);
    let code = new_pairing_code(&fx.admin).await;
    let wrong = wrong_code(&code);
    for attempt in 1..=10 {
        let reply = anonymous.post("/api/v1/pair", &pair_body(&wrong)).await;
        assert_eq!(
            reply.0,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {}",
            reply.1
        );
        assert_error(&reply, 401, "pairing_code_invalid");
    }
    assert_error(
        &anonymous.post("/api/v1/pair", &pair_body(&wrong)).await,
        429,
        "too_many_attempts",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn error_messages_listings_and_logs_never_contain_an_imported_key() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("SEC-KEY")).await);
    let text_pid = id_of(&create_product(&fx.admin, &json!({
        "name": "Redeem steps", "sku": "SEC-TEXT", "kind": "text", "price": 1000, "currency": "IDR",
        "content": "Open the app and redeem."
    })).await);
    let keys = make_keys("SECRET", 3);
    import_keys(&fx.admin, &pid, &keys).await;
    let oid = id_of(&post_order(&ext, &paid_order(SHOP, "SEC-1", "SEC-KEY", 1)).await);
    let sent = drain_deliveries(&ext).await;
    assert_eq!(
        keys_in(sent[0]["message"].as_str().unwrap(), "SECRET").len(),
        1
    );

    let stock_path = format!("/api/v1/products/{pid}/stock");
    let mut replies: Vec<Reply> = vec![
        fx.admin
            .post(&stock_path, &json!({"items": [keys[0], keys[1]]}))
            .await,
        fx.admin
            .raw(
                Method::POST,
                &stock_path,
                "text/plain",
                format!("{}\n{}\n", keys[2], keys[2]),
            )
            .await,
        fx.admin
            .raw(
                Method::POST,
                &stock_path,
                "text/csv",
                format!("code\n\"{}\n{}", keys[0], keys[1]),
            )
            .await,
        fx.admin
            .post(
                &format!("/api/v1/products/{text_pid}/stock"),
                &json!({"items": keys}),
            )
            .await,
        fx.admin
            .post(
                &format!("/api/v1/orders/{oid}/status"),
                &json!({"status": "unpaid", "reason": keys[0]}),
            )
            .await,
        fx.admin
            .post(
                &format!("/api/v1/orders/{oid}/status"),
                &json!({"status": "paid"}),
            )
            .await,
        fx.admin.get(&format!("/api/v1/orders/{oid}")).await,
        fx.admin.get("/api/v1/orders").await,
        fx.admin.get("/api/v1/products").await,
        fx.admin.get(&stock_path).await,
        ext.get("/api/v1/deliveries?status=pending").await,
    ];
    replies.push(
        fx.admin
            .post("/api/v1/products", &json!({"name": keys[1], "sku": 5}))
            .await,
    );
    let everything: String = replies.iter().map(|(s, b)| format!("{s} {b}\n")).collect();
    for key in &keys {
        assert!(
            !everything.contains(key.as_str()),
            "a reply leaks {key}:\n{everything}"
        );
    }

    let mut logs = fx.server.stderr();
    for entry in walk(fx.dir.path()) {
        let name = entry.to_string_lossy().to_lowercase();
        if name.contains("log")
            && !name.ends_with(".db")
            && !name.contains(".db-")
            && !name.contains("sqlite")
        {
            logs.push_str(&String::from_utf8_lossy(
                &std::fs::read(&entry).unwrap_or_default(),
            ));
        }
    }
    for key in &keys {
        assert!(!logs.contains(key.as_str()), "the logs contain {key}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
