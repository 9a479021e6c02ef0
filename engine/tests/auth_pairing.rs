//! Who may call what: tokens, scopes, pairing the extension, CORS for the paired origin only.

use crate::support;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;

const ORIGIN: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
const OTHER_ORIGIN: &str = "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn health_and_the_openapi_document_need_no_token() {
    let fx = Fixture::new();
    let anonymous = fx.admin.with_token(None);
    let health = ok(anonymous.get("/api/v1/health").await);
    assert_eq!(health["status"], "ok");
    assert!(
        health["version"].as_str().is_some_and(|v| !v.is_empty()),
        "{health}"
    );

    let (status, doc) = anonymous.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "not OpenAPI 3: {}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/orders",
        "/api/v1/deliveries",
        "/api/v1/products",
        "/api/v1/health",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "openapi.json lacks {path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pairing_code_gives_the_extension_a_token_with_extension_scope_once() {
    let fx = Fixture::new();
    let anonymous = fx.admin.with_token(None);
    let issued = ok(fx.admin.post("/api/v1/pairing-codes", &json!({})).await);
    let code = issued["code"].as_str().unwrap().to_string();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{issued}"
    );
    let expires = chrono::DateTime::parse_from_rfc3339(issued["expires_at"].as_str().unwrap())
        .expect("RFC3339");
    assert!(
        expires > chrono::Utc::now(),
        "a new code is not already expired: {issued}"
    );

    let body = json!({"code": code, "client": "extension", "origin": ORIGIN});
    let paired = ok(anonymous.post("/api/v1/pair", &body).await);
    assert_eq!(paired["scope"], "extension");
    let ext = fx.admin.with_token(Some(paired["token"].as_str().unwrap()));
    assert_error(
        &anonymous.post("/api/v1/pair", &body).await,
        401,
        "pairing_code_invalid",
    );

    create_product(&fx.admin, &product_body("PAIR-KEY")).await;
    let o = post_order(&ext, &paid_order("shopee-sg", "PAIR-1", "PAIR-KEY", 1)).await;
    assert_eq!(o["status"], "needs_attention");
    assert!(ok(ext.get("/api/v1/deliveries?status=pending").await)["deliveries"].is_array());
    assert_eq!(ok(ext.get("/api/v1/health").await)["status"], "ok");
    assert_error(&ext.get("/api/v1/products").await, 403, "forbidden");
    assert_error(
        &ext.post("/api/v1/pairing-codes", &json!({})).await,
        403,
        "forbidden",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_code_from_the_cli_pairs_while_the_server_runs() {
    let fx = Fixture::new();
    let out = run_auto(fx.dir.path(), &["pair"]);
    out.assert_success("pair");
    let code = out.stdout.trim();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "pair printed {:?}",
        out.stdout
    );
    let paired = ok(fx
        .admin
        .with_token(None)
        .post(
            "/api/v1/pair",
            &json!({"code": code, "client": "extension", "origin": ORIGIN}),
        )
        .await);
    assert_eq!(paired["scope"], "extension");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admin_tokens_do_everything_and_extension_tokens_only_their_part() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("SCOPE-KEY")).await);
    import_keys(&fx.admin, &pid, &make_keys("SCK", 2)).await;
    let oid = id_of(
        &post_order(
            &fx.admin,
            &paid_order("shopee-ph", "SCOPE-1", "SCOPE-KEY", 1),
        )
        .await,
    );
    ok(fx.admin.get("/api/v1/orders").await);
    ok(fx.admin.get(&format!("/api/v1/orders/{oid}")).await);
    ok(fx
        .admin
        .patch(
            &format!("/api/v1/products/{pid}"),
            &json!({"price": 175000}),
        )
        .await);
    assert_eq!(
        ok(fx.admin.get(&format!("/api/v1/products/{pid}")).await)["price"].as_f64(),
        Some(175000.0)
    );
    let sent = drain_deliveries(&fx.admin).await;
    assert_eq!(sent.len(), 1, "an admin may drain the outbox too");

    // Well-formed requests, so only the scope can refuse them.
    for (method, path, body) in [
        (Method::GET, "/api/v1/products".to_string(), None),
        (
            Method::POST,
            "/api/v1/products".to_string(),
            Some(product_body("SCOPE-NEW")),
        ),
        (Method::GET, format!("/api/v1/products/{pid}"), None),
        (Method::GET, format!("/api/v1/products/{pid}/stock"), None),
        (
            Method::PATCH,
            format!("/api/v1/products/{pid}"),
            Some(json!({"price": 1})),
        ),
        (Method::DELETE, format!("/api/v1/products/{pid}"), None),
        (
            Method::POST,
            format!("/api/v1/products/{pid}/stock"),
            Some(json!({"items": ["SCOPE-EXTRA-1"]})),
        ),
        (Method::GET, "/api/v1/orders".to_string(), None),
        (
            Method::GET,
            format!("/api/v1/orders/{oid}?reveal=true"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/orders/{oid}/resend"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/api/v1/orders/{oid}/deliver"),
            Some(json!({"mode": "manual", "note": "x"})),
        ),
        (
            Method::POST,
            format!("/api/v1/orders/{oid}/status"),
            Some(json!({"status": "refunded", "reason": "x"})),
        ),
        (
            Method::POST,
            "/api/v1/pairing-codes".to_string(),
            Some(json!({})),
        ),
    ] {
        let body = body.map(|b| serde_json::to_vec(&b).unwrap());
        let (status, _, reply) = ext
            .request(
                method.clone(),
                &path,
                &[("content-type", "application/json")],
                body,
            )
            .await;
        assert_error(&(status, reply), 403, "forbidden");
    }
    assert_eq!(
        stock(&fx.admin, &pid).await["available"],
        1,
        "nothing changed"
    );
    assert_eq!(
        ok(fx.admin.get("/api/v1/products").await)["products"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        order_detail(&fx.admin, &oid, false).await["status"],
        "delivered"
    );
    assert_eq!(
        ok(fx.admin.get(&format!("/api/v1/products/{pid}")).await)["price"].as_f64(),
        Some(175000.0)
    );
}

fn allow_origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

async fn preflight(api: &Api, origin: &str) -> (StatusCode, HeaderMap) {
    let headers = [
        ("origin", origin),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "authorization,content-type",
        ),
    ];
    let (status, headers, _) = api
        .request(Method::OPTIONS, "/api/v1/orders", &headers, None)
        .await;
    (status, headers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cors_is_allowed_only_for_the_paired_extension_origin() {
    let fx = Fixture::new();
    let anonymous = fx.admin.with_token(None);
    let (_, before) = preflight(&anonymous, ORIGIN).await;
    assert_eq!(allow_origin(&before), None, "not paired yet");

    let code = ok(fx.admin.post("/api/v1/pairing-codes", &json!({})).await)["code"]
        .as_str()
        .unwrap()
        .to_string();
    let paired = ok(anonymous
        .post(
            "/api/v1/pair",
            &json!({"code": code, "client": "extension", "origin": ORIGIN}),
        )
        .await);
    let ext = fx.admin.with_token(Some(paired["token"].as_str().unwrap()));

    let (status, headers) = preflight(&anonymous, ORIGIN).await;
    assert!(
        status.is_success(),
        "preflight for the paired origin: {status}"
    );
    assert_eq!(allow_origin(&headers).as_deref(), Some(ORIGIN));
    let (_, headers, _) = ext
        .request(
            Method::GET,
            "/api/v1/deliveries",
            &[("origin", ORIGIN)],
            None,
        )
        .await;
    assert_eq!(
        allow_origin(&headers).as_deref(),
        Some(ORIGIN),
        "the actual request carries it too"
    );

    for origin in [
        OTHER_ORIGIN,
        "https://evil.example",
        "null",
        "http://127.0.0.1:1",
    ] {
        let (_, headers) = preflight(&anonymous, origin).await;
        assert_eq!(allow_origin(&headers), None, "{origin} must not be allowed");
        let (_, headers, _) = ext
            .request(
                Method::GET,
                "/api/v1/deliveries",
                &[("origin", origin)],
                None,
            )
            .await;
        assert_ne!(allow_origin(&headers).as_deref(), Some("*"));
        assert_eq!(allow_origin(&headers), None, "{origin} must not be allowed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_under_scoped_token_is_refused_before_its_body_is_read() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let oid = id_of(&post_order(&ext, &paid_order("shopee-ph", "SCOPE-2", "NO-SKU", 1)).await);
    for path in [
        "/api/v1/products".to_string(),
        format!("/api/v1/products/{oid}/stock"),
        format!("/api/v1/orders/{oid}/status"),
        format!("/api/v1/orders/{oid}/deliver"),
        format!("/api/v1/orders/{oid}/resend"),
    ] {
        for body in ["{}", "{"] {
            let reply = ext.raw(Method::POST, &path, "application/json", body).await;
            assert_error(&reply, 403, "forbidden");
        }
    }
}
