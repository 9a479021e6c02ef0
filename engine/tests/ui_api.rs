//! The engine's side of the desktop UI, end to end against a real `auto serve`: the sign-in
//! link traded for an HttpOnly session cookie, the cookie's same-origin rule, live events
//! (SSE), the dashboard and today figures, pausing auto-delivery, backup download and staged
//! restore, the system summary, and the UI's files served at `/`.

use crate::support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

const SHOP: &str = "toko_ui_test";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A client that neither follows redirects nor times out a long response (SSE).
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("build http client")
}

/// One raw request: status, headers and the body's bytes.
async fn raw(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = client()
        .request(method.clone(), url)
        .timeout(Duration::from_secs(60));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("read body").to_vec();
    (status, headers, bytes)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The sign-in link `auto serve` printed after its ready line.
async fn serve_signin_link(server: &Server) -> String {
    eventually(Duration::from_secs(10), "the sign-in line", || async {
        server
            .extra_stdout()
            .iter()
            .find_map(|l| l.strip_prefix("Sign in: "))
            .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
    })
    .await
}

/// Opens a sign-in link; asserts the cookie's attributes and returns the session token.
async fn redeem(link: &str) -> String {
    let (status, headers, body) = raw(Method::GET, link, &[], None).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "sign-in link {link}: {}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(header(&headers, "location"), "/", "{headers:?}");
    assert_eq!(header(&headers, "cache-control"), "no-store", "{headers:?}");
    let cookie = header(&headers, "set-cookie").to_string();
    let value = cookie
        .strip_prefix("auto_session=")
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("no auto_session cookie: {cookie:?}"))
        .to_string();
    assert!(value.len() >= 20, "session token too short: {cookie:?}");
    let attrs: Vec<String> = cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for wanted in ["httponly", "samesite=strict", "path=/"] {
        assert!(
            attrs.iter().any(|a| a == wanted),
            "cookie lacks {wanted}: {cookie:?}"
        );
    }
    value
}

/// A request carrying the session cookie (and no bearer token) plus `extra` headers.
async fn with_cookie(
    server: &Server,
    method: Method,
    path: &str,
    session: &str,
    extra: &[(&str, &str)],
    body: Option<&Value>,
) -> (StatusCode, HeaderMap, Value) {
    let cookie = format!("theme=dark; auto_session={session}; other=1");
    let mut headers: Vec<(&str, &str)> = vec![("cookie", &cookie)];
    headers.extend_from_slice(extra);
    let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
    if bytes.is_some() {
        headers.push(("content-type", "application/json"));
    }
    server
        .api(None)
        .request(method, path, &headers, bytes)
        .await
}

/// A stock product of `SHOP` with `keys` imported; returns its id.
async fn stocked_product(admin: &Api, sku: &str, threshold: i64, keys: &[String]) -> String {
    let mut body = product_body(sku);
    body["low_stock_threshold"] = json!(threshold);
    let product = create_product(admin, &body).await;
    let id = id_of(&product);
    if !keys.is_empty() {
        let summary = import_keys(admin, &id, keys).await;
        assert_eq!(summary["imported"], keys.len(), "{summary}");
    }
    id
}

fn order_in(order_sn: &str, sku: &str, quantity: i64, unit: i64, currency: &str) -> Value {
    let mut body = paid_order(SHOP, order_sn, sku, quantity);
    body["lines"][0]["unit_price"] = json!(unit);
    body["total"] = json!(unit * quantity);
    body["currency"] = json!(currency);
    body
}

/// The one pending delivery of an order, leased through the extension's outbox.
async fn fetch_delivery_of(ext: &Api, order_sn: &str) -> Vec<Value> {
    let page = ok(ext
        .get(&format!(
            "/api/v1/deliveries?status=pending&order_sn={order_sn}"
        ))
        .await);
    page["deliveries"]
        .as_array()
        .unwrap_or_else(|| panic!("no deliveries array: {page}"))
        .clone()
}

fn local_date(offset_minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(offset_minutes))
        .format("%Y-%m-%d")
        .to_string()
}

fn revenue_of(day: &Value, currency: &str) -> Option<f64> {
    day["revenue"]
        .as_array()
        .unwrap_or_else(|| panic!("no revenue array: {day}"))
        .iter()
        .find(|m| m["currency"] == currency)
        .map(|m| m["amount"].as_f64().expect("amount"))
}

// ---- SSE ----------------------------------------------------------------------------------

/// An open `GET /api/v1/events` stream, read by a background task into a buffer.
struct EventStream {
    buf: Arc<Mutex<String>>,
    ended: Arc<AtomicBool>,
    _reader: tokio::task::JoinHandle<()>,
}

impl EventStream {
    async fn open(server: &Server, token: &str) -> EventStream {
        let resp = client()
            .get(format!("{}/api/v1/events", server.url))
            .bearer_auth(token)
            .send()
            .await
            .expect("open event stream");
        assert_eq!(resp.status(), StatusCode::OK, "GET /api/v1/events");
        let ctype = header(resp.headers(), "content-type").to_string();
        assert!(ctype.starts_with("text/event-stream"), "{ctype}");
        let buf = Arc::new(Mutex::new(String::new()));
        let ended = Arc::new(AtomicBool::new(false));
        let reader = {
            let (buf, ended) = (buf.clone(), ended.clone());
            let mut resp = resp;
            tokio::spawn(async move {
                while let Ok(Some(chunk)) = resp.chunk().await {
                    buf.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&chunk));
                }
                ended.store(true, Ordering::SeqCst);
            })
        };
        EventStream {
            buf,
            ended,
            _reader: reader,
        }
    }

    fn text(&self) -> String {
        self.buf.lock().unwrap().clone()
    }

    /// Every complete event so far: (name, JSON data).
    fn events(&self) -> Vec<(String, Value)> {
        let text = self.text().replace("\r\n", "\n");
        let mut out = Vec::new();
        let mut blocks: Vec<&str> = text.split("\n\n").collect();
        blocks.pop(); // the part after the last blank line is not complete yet
        for block in blocks {
            let mut name = String::from("message");
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.strip_prefix(' ').unwrap_or(v));
                }
            }
            if data.is_empty() {
                continue; // a keep-alive comment
            }
            let value = serde_json::from_str(&data)
                .unwrap_or_else(|_| panic!("event data is not JSON: {data:?}"));
            out.push((name, value));
        }
        out
    }

    /// Waits for an event named `name` whose data satisfies `pred`; returns its data.
    async fn wait_for(&self, name: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some((_, v)) = self
                .events()
                .into_iter()
                .find(|(n, v)| n == name && pred(v))
            {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "no `{name}` event for {what} within 15 s; the stream so far:\n{}",
                self.text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

// ---- assistant ----------------------------------------------------------------------------

const DELIVERY_ANSWER: &str =
    "Kode dikirim otomatis lewat chat Shopee dalam 1-5 menit setelah pembayaran terverifikasi.";
/// A paraphrase of the delivery entry, confidently matched (as in assistant_messages.rs).
const CONFIDENT: &str = "kak kapan kodenya dikirim?";
/// Far from every entry.
const OFF_FAQ: &str = "Do you sell Netflix accounts?";

async fn seed_faq(admin: &Api) {
    let body = json!({
        "question": "Berapa lama kode dikirim setelah pembayaran?",
        "variants": ["Kapan kode saya dikirim?", "Kapan lisensi dikirim setelah bayar?",
                     "How long until I receive my code?"],
        "answer": DELIVERY_ANSWER, "language": "id", "tags": ["pengiriman"], "enabled": true,
    });
    let (status, entry) = admin.post("/api/v1/faq", &body).await;
    assert_eq!(status, StatusCode::CREATED, "create FAQ: {entry}");
}

fn buyer_message(conversation: &str, user_id: i64, text: &str) -> Value {
    json!({
        "shop": SHOP,
        "conversation_id": conversation,
        "buyer": {"username": format!("buyer_{conversation}"), "user_id": user_id},
        "text": text,
    })
}

async fn send_message(ext: &Api, body: &Value) -> Value {
    let (status, outcome) = ext.post("/api/v1/messages", body).await;
    assert_eq!(status, StatusCode::OK, "POST /messages {body}: {outcome}");
    outcome
}

// ---------------------------------------------------------------------------------------------
// 1. Sign-in link, session cookie, sign out
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signin_link_gives_a_strict_httponly_session_cookie_once() {
    let fx = Fixture::new();
    let server = &fx.server;
    let link = serve_signin_link(server).await;
    assert!(
        link.starts_with(&format!("{}/signin?code=", server.url)),
        "the link names this server: {link}"
    );

    let session = redeem(&link).await;

    // The cookie is a session: who is calling, and admin endpoints.
    let (status, _, who) =
        with_cookie(server, Method::GET, "/api/v1/session", &session, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["via"], "cookie", "{who}");
    assert_eq!(who["scope"], "admin", "{who}");
    let (status, _, who) = fx
        .admin
        .request(Method::GET, "/api/v1/session", &[], None)
        .await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["via"], "token", "{who}");
    for path in ["/api/v1/products", "/api/v1/system", "/api/v1/tokens"] {
        let (status, _, body) = with_cookie(server, Method::GET, path, &session, &[], None).await;
        assert_eq!(status, StatusCode::OK, "GET {path} with the cookie: {body}");
    }
    // A change from AUTO's own page (Origin is this server).
    let origin = format!("http://127.0.0.1:{}", server.port);
    let (status, _, product) = with_cookie(
        server,
        Method::POST,
        "/api/v1/products",
        &session,
        &[("origin", &origin), ("sec-fetch-site", "same-origin")],
        Some(&product_body("UI-COOKIE")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{product}");

    // The same link again: refused, with a page for a person, not JSON.
    let (status, headers, body) = raw(Method::GET, &link, &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        header(&headers, "content-type").starts_with("text/html"),
        "{headers:?}"
    );
    assert!(header(&headers, "set-cookie").is_empty(), "{headers:?}");
    let page = String::from_utf8_lossy(&body);
    assert!(page.contains("does not work"), "{page}");
    assert!(page.contains("auto signin"), "{page}");

    // Made-up, empty and oversized codes.
    for bad in [
        format!("{}/signin?code=made-up-code-AAAAAAAAAAAAAAAA", server.url),
        format!("{}/signin?code=", server.url),
        format!("{}/signin", server.url),
        format!("{}/signin?code={}", server.url, "A".repeat(300)),
    ] {
        let (status, headers, _) = raw(Method::GET, &bad, &[], None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}");
        assert!(header(&headers, "set-cookie").is_empty(), "{bad}");
    }
    // A made-up cookie is no session.
    let (status, _, body) = with_cookie(
        server,
        Method::GET,
        "/api/v1/session",
        "at_made_up_session",
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");
    let (status, _, body) = server
        .api(None)
        .request(Method::GET, "/api/v1/session", &[], None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // `auto signin` while the server runs: a new link to this very port, that works once.
    let second = only_line(
        &run_auto(server.data_dir.as_path(), &["signin"]),
        "auto signin",
    );
    assert!(
        second.starts_with(&format!("http://127.0.0.1:{}/signin?code=", server.port)),
        "the link names the running server's port {}: {second}",
        server.port
    );
    assert_ne!(second, link);
    let other = redeem(&second).await;
    assert_ne!(other, session, "each sign-in is its own session");
    let (status, _, _) = raw(Method::GET, &second, &[], None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "second use of the new link"
    );

    // Sign out: the cookie is cleared and the session ends at once; another one lives on.
    let (status, headers, _) = with_cookie(
        server,
        Method::POST,
        "/api/v1/session/logout",
        &session,
        &[("origin", &origin)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let cleared = header(&headers, "set-cookie").to_ascii_lowercase();
    assert!(
        cleared.starts_with("auto_session=;") && cleared.contains("max-age=0"),
        "the cookie is cleared: {cleared:?}"
    );
    let (status, _, body) =
        with_cookie(server, Method::GET, "/api/v1/session", &session, &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "after logout: {body}");
    let (status, _, body) =
        with_cookie(server, Method::GET, "/api/v1/products", &session, &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "after logout: {body}");
    let (status, _, body) =
        with_cookie(server, Method::GET, "/api/v1/session", &other, &[], None).await;
    assert_eq!(status, StatusCode::OK, "the other session: {body}");
    // The session is no API token to list; the admin token still works.
    ok(fx.admin.get("/api/v1/products").await);
}

// ---------------------------------------------------------------------------------------------
// 2. The cookie counts only from AUTO's own pages; scopes of the new endpoints
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_is_refused_across_origins_and_tokens_are_not_affected() {
    let fx = Fixture::new();
    let server = &fx.server;
    let session = redeem(&serve_signin_link(server).await).await;
    let own = format!("http://127.0.0.1:{}", server.port);
    let own_https = own.replace("http:", "https:");

    for (name, headers) in [
        ("another port", vec![("origin", "http://127.0.0.1:1")]),
        ("another host", vec![("origin", "http://evil.example")]),
        ("null origin", vec![("origin", "null")]),
        ("https", vec![("origin", own_https.as_str())]),
        ("cross-site", vec![("sec-fetch-site", "cross-site")]),
        ("same-site", vec![("sec-fetch-site", "same-site")]),
        (
            "own origin but cross-site fetch",
            vec![("origin", own.as_str()), ("sec-fetch-site", "cross-site")],
        ),
    ] {
        for (method, path) in [
            (Method::GET, "/api/v1/session"),
            (Method::GET, "/api/v1/products"),
            (Method::GET, "/api/v1/events"),
            (Method::GET, "/api/v1/backup"),
        ] {
            let (status, _, body) =
                with_cookie(server, method.clone(), path, &session, &headers, None).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{name}: {method} {path}: {body}"
            );
            assert_eq!(body["error"]["code"], "cross_origin", "{name}: {body}");
        }
        let (status, _, body) = with_cookie(
            server,
            Method::POST,
            "/api/v1/products",
            &session,
            &headers,
            Some(&product_body(&format!("UI-X-{}", name.len()))),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: create: {body}");
    }
    // Nothing was created by those refused requests.
    let products = ok(fx.admin.get("/api/v1/products").await);
    assert_eq!(
        products["products"].as_array().map(Vec::len),
        Some(0),
        "{products}"
    );

    // AUTO's own pages: Origin equal to http://<Host>, or a same-origin / direct fetch.
    let localhost = format!("localhost:{}", server.port);
    let localhost_origin = format!("http://{localhost}");
    for headers in [
        vec![("origin", own.as_str())],
        vec![("origin", own.as_str()), ("sec-fetch-site", "same-origin")],
        vec![("sec-fetch-site", "none")],
        vec![
            ("host", localhost.as_str()),
            ("origin", localhost_origin.as_str()),
        ],
    ] {
        let (status, _, body) = with_cookie(
            server,
            Method::GET,
            "/api/v1/session",
            &session,
            &headers,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{headers:?}: {body}");
        assert_eq!(body["via"], "cookie");
    }
    // Origin must match the Host the request was sent to.
    let (status, _, body) = with_cookie(
        server,
        Method::GET,
        "/api/v1/session",
        &session,
        &[("origin", &localhost_origin)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // A bearer token is not a cookie: Origin and Sec-Fetch-Site do not matter to it.
    let (status, _, body) = fx
        .admin
        .request(
            Method::GET,
            "/api/v1/session",
            &[
                ("origin", "http://127.0.0.1:1"),
                ("sec-fetch-site", "cross-site"),
            ],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["via"], "token", "{body}");

    // Scopes: the extension reads today's figures, not the seller's dashboard or events.
    let ext = fx.extension();
    for path in [
        "/api/v1/events",
        "/api/v1/stats/dashboard",
        "/api/v1/system",
        "/api/v1/backup",
        "/api/v1/settings/delivery",
    ] {
        assert_error(&ext.get(path).await, 403, "forbidden");
    }
    assert_error(
        &ext.put("/api/v1/settings/delivery", &json!({"paused": true}))
            .await,
        403,
        "forbidden",
    );
    let (status, _, body) = ext
        .request(
            Method::POST,
            "/api/v1/restore",
            &[("content-type", "application/octet-stream")],
            Some(b"SQLite format 3\0".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let today = ok(ext.get("/api/v1/stats/today?tz_offset_minutes=420").await);
    for field in ["orders_today", "pending_deliveries", "needs_attention"] {
        assert_eq!(today[field], 0, "{today}");
    }
    // And nobody without a token or cookie reads anything.
    let anonymous = server.api(None);
    for path in [
        "/api/v1/events",
        "/api/v1/stats/dashboard",
        "/api/v1/stats/today",
        "/api/v1/system",
        "/api/v1/backup",
    ] {
        assert_error(&anonymous.get(path).await, 401, "unauthorized");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Live events
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_events_tell_orders_stock_and_deliveries_without_secrets() {
    let fx = Fixture::new();
    let admin_token = fx.admin.token.clone().unwrap();
    let ext = fx.extension();
    let stream = EventStream::open(&fx.server, &admin_token).await;

    // Product and stock.
    let product = create_product(&fx.admin, &product_body("UI-SSE")).await;
    let pid = id_of(&product);
    let pid_num: i64 = pid.parse().expect("numeric product id");
    stream
        .wait_for("product", "the new product", |v| {
            v["id"] == pid_num && v["type"] == "product"
        })
        .await;
    let keys = make_keys("SSEKEY", 3);
    import_keys(&fx.admin, &pid, &keys).await;
    stream
        .wait_for("stock", "the import", |v| v["product_id"] == pid_num)
        .await;

    // A paid order for the stock product: its order event, allocated.
    let order = post_order(&fx.admin, &paid_order(SHOP, "UI-SSE-1", "UI-SSE", 1)).await;
    let order_id = order["id"].as_i64().expect("order id");
    assert_eq!(order["status"], "delivering", "{order}");
    let ev = stream
        .wait_for("order", "the paid order", |v| v["order_sn"] == "UI-SSE-1")
        .await;
    assert_eq!(ev["id"], order_id, "{ev}");
    assert_eq!(ev["shop"], SHOP, "{ev}");
    assert_eq!(ev["status"], "delivering", "{ev}");
    assert!(ev["attention_reason"].is_null(), "{ev}");
    // The allocation took an item: a second stock event for the product (the import's was first).
    let deadline = Instant::now() + Duration::from_secs(15);
    while stream
        .events()
        .iter()
        .filter(|(n, v)| n == "stock" && v["product_id"] == pid_num)
        .count()
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "no stock event for the allocation:\n{}",
            stream.text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // An order for an unknown SKU: told with why it waits.
    post_order(&fx.admin, &paid_order(SHOP, "UI-SSE-2", "NO-SUCH-SKU", 1)).await;
    let ev = stream
        .wait_for("order", "the unknown SKU", |v| v["order_sn"] == "UI-SSE-2")
        .await;
    assert_eq!(ev["status"], "needs_attention", "{ev}");
    assert_eq!(ev["attention_reason"], "unknown_sku", "{ev}");

    // The extension sends the delivery and confirms it.
    let fetched = fetch_delivery_of(&ext, "UI-SSE-1").await;
    assert_eq!(fetched.len(), 1, "{fetched:?}");
    let delivery_id = fetched[0]["id"].as_i64().unwrap();
    assert_eq!(
        keys_in(fetched[0]["message"].as_str().unwrap(), "SSEKEY").len(),
        1,
        "the message holds the key: {}",
        fetched[0]
    );
    confirm(&ext, &delivery_id.to_string()).await;
    let ev = stream
        .wait_for("delivery", "the confirmed delivery", |v| {
            v["id"] == delivery_id
        })
        .await;
    assert_eq!(ev["status"], "sent", "{ev}");
    assert_eq!(ev["order_id"], order_id, "{ev}");
    stream
        .wait_for("order", "the delivered order", |v| {
            v["order_sn"] == "UI-SSE-1" && v["status"] == "delivered"
        })
        .await;

    // Pausing and resuming auto-delivery are told too.
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"paused": true}))
        .await);
    stream
        .wait_for("delivery_paused", "pause", |v| v["paused"] == true)
        .await;
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"paused": false}))
        .await);
    stream
        .wait_for("delivery_paused", "resume", |v| v["paused"] == false)
        .await;

    // A buyer's message: ids and what the assistant did, never its text.
    let secret_text = "pesan rahasia pembeli 7731";
    let outcome = send_message(&ext, &buyer_message("990001", 4_400_001, secret_text)).await;
    let ev = stream
        .wait_for("message", "the buyer's message", |v| {
            v["message_id"] == outcome["message_id"]
        })
        .await;
    assert_eq!(ev["conversation_id"], outcome["conversation"], "{ev}");
    assert!(ev["reply_status"].is_string(), "{ev}");

    // Every event is JSON with its type; none carries a key or a buyer's words.
    let text = stream.text();
    assert!(
        keys_in(&text, "SSEKEY").is_empty(),
        "a stock key leaked into the event stream:\n{text}"
    );
    for key in &keys {
        assert!(!text.contains(key.as_str()), "key {key} in the stream");
    }
    assert!(!text.contains(secret_text), "message text in the stream");
    for (name, data) in stream.events() {
        assert!(data["type"].is_string(), "{name}: {data}");
    }

    // An admin session cookie opens the stream too (the UI's EventSource).
    let session = redeem(&serve_signin_link(&fx.server).await).await;
    let resp = client()
        .get(format!("{}/api/v1/events", fx.server.url))
        .header("cookie", format!("auto_session={session}"))
        .header("origin", format!("http://127.0.0.1:{}", fx.server.port))
        .send()
        .await
        .expect("open event stream with the cookie");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(header(resp.headers(), "content-type").starts_with("text/event-stream"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_event_stream_does_not_hold_up_shutdown() {
    let mut fx = Fixture::new();
    let admin_token = fx.admin.token.clone().unwrap();
    let addr_file = fx.dir.path().join("server.addr");
    assert_eq!(
        std::fs::read_to_string(&addr_file).expect("server.addr while serving"),
        fx.server.addr(),
    );
    let first = EventStream::open(&fx.server, &admin_token).await;
    let second = EventStream::open(&fx.server, &admin_token).await;
    create_product(&fx.admin, &product_body("UI-BYE")).await;
    first.wait_for("product", "a product", |_| true).await;
    second.wait_for("product", "a product", |_| true).await;

    let started = Instant::now();
    let status = fx.server.terminate();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "SIGTERM with open event streams took {took:?} to exit"
    );
    assert!(status.success(), "exit after SIGTERM: {status}");
    eventually(Duration::from_secs(5), "the streams to end", || async {
        (first.ended.load(Ordering::SeqCst) && second.ended.load(Ordering::SeqCst)).then_some(())
    })
    .await;
    assert!(
        !addr_file.exists(),
        "server.addr is removed when the server stops"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Dashboard and today
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_counts_orders_revenue_deliveries_stock_and_answers() {
    let fx = Fixture::new();
    let health = ok(fx.admin.with_token(None).get("/api/v1/health").await);
    assert_eq!(
        health["assistant"]["search"], "hybrid",
        "the local model must be installed (scripts/setup-model.sh): {health}"
    );
    let ext = fx.extension();

    // An empty shop first.
    let empty = ok(fx
        .admin
        .get("/api/v1/stats/dashboard?days=7&tz_offset_minutes=420")
        .await);
    assert_eq!(empty["today"]["orders"], 0, "{empty}");
    assert_eq!(empty["pending_deliveries"], 0, "{empty}");
    assert_eq!(empty["answers"]["total"], 0, "{empty}");
    assert_eq!(empty["answers"]["auto_rate"], 0.0, "{empty}");

    let low = stocked_product(&fx.admin, "UI-LOW", 10, &make_keys("LOWKEY", 6)).await;
    let plenty = stocked_product(&fx.admin, "UI-PLENTY", 2, &make_keys("PLENTYKEY", 8)).await;
    // An inactive, empty product warns nobody.
    let mut inactive = product_body("UI-OFF");
    inactive["active"] = json!(false);
    create_product(&fx.admin, &inactive).await;

    // Paid: A (IDR), B (IDR, two keys), C (VND); D paid then cancelled; E an unknown SKU.
    let a = post_order(&fx.admin, &order_in("UI-A", "UI-LOW", 1, 150_000, "IDR")).await;
    let b = post_order(&fx.admin, &order_in("UI-B", "UI-LOW", 2, 75_000, "IDR")).await;
    let c = post_order(&fx.admin, &order_in("UI-C", "UI-LOW", 1, 250_000, "VND")).await;
    let d = post_order(&fx.admin, &order_in("UI-D", "UI-LOW", 1, 500_000, "IDR")).await;
    let e = post_order(
        &fx.admin,
        &order_in("UI-E", "NO-SUCH-SKU", 1, 99_000, "IDR"),
    )
    .await;
    for o in [&a, &b, &c, &d] {
        assert_eq!(o["status"], "delivering", "{o}");
    }
    assert_eq!(e["status"], "needs_attention", "{e}");
    let (status, cancelled) = fx
        .admin
        .post(
            &format!("/api/v1/orders/{}/status", id_of(&d)),
            &json!({"status": "cancelled", "reason": "buyer cancelled"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    // An unpaid order counts for nothing.
    post_order(&fx.admin, &order(SHOP, "UI-U", "unpaid", "UI-PLENTY", 1)).await;

    // A is sent and confirmed.
    let fetched = fetch_delivery_of(&ext, "UI-A").await;
    assert_eq!(fetched.len(), 1, "{fetched:?}");
    confirm(&ext, &id_of(&fetched[0])).await;

    // Buyer messages: one answered from the FAQ on its own, one left to the seller.
    seed_faq(&fx.admin).await;
    let answered = send_message(&ext, &buyer_message("770001", 3_300_001, CONFIDENT)).await;
    assert_eq!(answered["reply"]["source"], "faq", "{answered}");
    assert_eq!(answered["reply"]["auto_send"], true, "{answered}");
    let left = send_message(&ext, &buyer_message("770002", 3_300_002, OFF_FAQ)).await;
    assert!(
        left["reply"].is_null() || left["reply"]["source"] != "faq",
        "{left}"
    );

    let before = local_date(420);
    let dash = ok(fx
        .admin
        .get("/api/v1/stats/dashboard?days=7&tz_offset_minutes=420")
        .await);
    let after = local_date(420);

    let days = dash["days"].as_array().expect("days");
    assert_eq!(days.len(), 7, "{dash}");
    let dates: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    let today = dates[6];
    assert!(
        today == before || today == after,
        "the last day is today at UTC+7 ({before}): {dates:?}"
    );
    let mut expected = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap();
    for date in dates.iter().rev() {
        assert_eq!(*date, expected.format("%Y-%m-%d").to_string(), "{dates:?}");
        expected = expected.pred_opt().unwrap();
    }
    assert_eq!(dash["today"], days[6], "today is the last day: {dash}");
    for earlier in &days[..6] {
        assert_eq!(earlier["orders"], 0, "{earlier}");
        assert_eq!(earlier["delivered"], 0, "{earlier}");
        assert_eq!(earlier["revenue"], json!([]), "{earlier}");
    }
    let t = &dash["today"];
    assert_eq!(
        t["orders"], 4,
        "A, B, C and E were paid today; D was cancelled: {t}"
    );
    assert_eq!(t["delivered"], 1, "{t}");
    assert_eq!(
        revenue_of(t, "IDR"),
        Some(150_000.0 + 150_000.0 + 99_000.0),
        "{t}"
    );
    assert_eq!(revenue_of(t, "VND"), Some(250_000.0), "{t}");
    assert_eq!(t["revenue"].as_array().unwrap().len(), 2, "{t}");

    assert_eq!(dash["pending_deliveries"], 2, "B and C wait: {dash}");
    assert_eq!(dash["needs_attention"], 1, "E: {dash}");

    let warnings = dash["stock_warnings"].as_array().expect("stock_warnings");
    let low_stock = ok(fx.admin.get(&format!("/api/v1/products/{low}/stock")).await);
    assert_eq!(warnings.len(), 1, "only UI-LOW is low: {warnings:?}");
    let w = &warnings[0];
    assert_eq!(w["product_id"].to_string(), low, "{w}");
    assert_eq!(w["name"], "Product UI-LOW", "{w}");
    assert_eq!(w["threshold"], 10, "{w}");
    assert_eq!(w["available"], low_stock["available"], "{w} vs {low_stock}");
    assert!(w["available"].as_i64().unwrap() <= 2, "{w}");
    assert!(
        !warnings
            .iter()
            .any(|w| w["product_id"] == plenty.parse::<i64>().unwrap()),
        "{warnings:?}"
    );

    let answers = &dash["answers"];
    assert_eq!(answers["total"], 2, "{answers}");
    assert_eq!(answers["faq"], 1, "{answers}");
    assert_eq!(answers["llm"], 0, "{answers}");
    assert_eq!(answers["waiting"], 1, "{answers}");
    assert_eq!(answers["drafts"], 0, "{answers}");
    assert_eq!(answers["auto_rate"], 0.5, "{answers}");

    // The popup's figures agree, for the extension and the admin alike.
    for api in [&ext, &fx.admin] {
        let today = ok(api.get("/api/v1/stats/today?tz_offset_minutes=420").await);
        assert_eq!(today["orders_today"], 4, "{today}");
        assert_eq!(today["pending_deliveries"], 2, "{today}");
        assert_eq!(today["needs_attention"], 1, "{today}");
    }

    // Defaults (7 days, UTC) and the edges of the window.
    let default = ok(fx.admin.get("/api/v1/stats/dashboard").await);
    assert_eq!(default["days"].as_array().unwrap().len(), 7, "{default}");
    assert_eq!(
        default["days"][6]["date"],
        local_date(0),
        "without an offset, days are UTC days"
    );
    for (days, tz) in [(1, -720), (366, 840)] {
        let d = ok(fx
            .admin
            .get(&format!(
                "/api/v1/stats/dashboard?days={days}&tz_offset_minutes={tz}"
            ))
            .await);
        assert_eq!(d["days"].as_array().unwrap().len(), days as usize, "{days}");
        assert_eq!(d["today"]["orders"], 4, "days={days} tz={tz}: {d}");
    }

    // Bad windows: a JSON error, not a panic or a page.
    for query in [
        "days=0",
        "days=1000",
        "days=-3",
        "tz_offset_minutes=9999",
        "tz_offset_minutes=-721",
        "days=abc",
        "tz_offset_minutes=seven",
        "days=1.5",
    ] {
        let (status, body) = fx
            .admin
            .get(&format!("/api/v1/stats/dashboard?{query}"))
            .await;
        assert!(status.is_client_error(), "{query}: {status} {body}");
        assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "{query}: not a JSON error: {body}"
        );
    }
    for query in ["tz_offset_minutes=9999", "tz_offset_minutes=x"] {
        let (status, body) = ext.get(&format!("/api/v1/stats/today?{query}")).await;
        assert!(status.is_client_error(), "{query}: {status} {body}");
        assert!(body["error"]["code"].is_string(), "{query}: {body}");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Pause auto-delivery
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_delivery_hands_out_nothing_survives_a_restart_and_resumes() {
    let mut fx = Fixture::new();
    let ext = fx.extension();
    let keys = make_keys("PAUSEKEY", 3);
    let pid = stocked_product(&fx.admin, "UI-PAUSE", 1, &keys).await;

    let settings = ok(fx.admin.get("/api/v1/settings/delivery").await);
    assert_eq!(settings, json!({"paused": false, "chat_limit": 600}));
    let paused = ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"paused": true}))
        .await);
    assert_eq!(paused, json!({"paused": true, "chat_limit": 600}));
    assert_eq!(
        ok(fx.admin.get("/api/v1/settings/delivery").await),
        json!({"paused": true, "chat_limit": 600})
    );
    assert_eq!(
        ok(fx.admin.get("/api/v1/system").await)["delivery_paused"],
        true
    );

    // A paid order is taken in and allocated, but nothing goes out.
    let order = post_order(&fx.admin, &paid_order(SHOP, "UI-P-1", "UI-PAUSE", 1)).await;
    assert_eq!(order["status"], "delivering", "{order}");
    let oid = id_of(&order);
    let detail = order_detail(&fx.admin, &oid, false).await;
    let deliveries = detail["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{detail}");
    assert_eq!(deliveries[0]["status"], "pending", "{detail}");
    assert_eq!(stock(&fx.admin, &pid).await["available"], 2);
    for _ in 0..3 {
        let page = ok(ext.get("/api/v1/deliveries?status=pending").await);
        assert_eq!(page["deliveries"], json!([]), "paused: {page}");
    }
    let today = ok(ext.get("/api/v1/stats/today").await);
    assert_eq!(today["pending_deliveries"], 1, "it waits: {today}");

    // Still paused after a crash and a restart.
    fx.server.restart();
    let admin = fx.admin.with_base(&fx.server.url);
    let ext = ext.with_base(&fx.server.url);
    assert_eq!(
        ok(admin.get("/api/v1/settings/delivery").await),
        json!({"paused": true, "chat_limit": 600})
    );
    assert_eq!(
        ok(admin.get("/api/v1/system").await)["delivery_paused"],
        true
    );
    let page = ok(ext.get("/api/v1/deliveries?status=pending").await);
    assert_eq!(
        page["deliveries"],
        json!([]),
        "paused after restart: {page}"
    );

    // Bad bodies change nothing.
    for (body, what) in [
        (json!({"paused": false, "extra": 1}), "unknown field"),
        (json!({"paused": "no"}), "string"),
        (json!({"paused": 0}), "number"),
        (json!({"paused": null}), "null"),
        (json!({}), "missing"),
        (json!("paused"), "a string body"),
    ] {
        let (status, reply) = admin.put("/api/v1/settings/delivery", &body).await;
        assert!(status.is_client_error(), "{what}: {status} {reply}");
        assert!(reply["error"]["code"].is_string(), "{what}: {reply}");
    }
    let (status, _, reply) = admin
        .request(
            Method::PUT,
            "/api/v1/settings/delivery",
            &[("content-type", "application/json")],
            Some(b"{\"paused\": fals".to_vec()),
        )
        .await;
    assert!(status.is_client_error(), "{status} {reply}");
    assert_eq!(
        ok(admin.get("/api/v1/settings/delivery").await),
        json!({"paused": true, "chat_limit": 600}),
        "a refused change leaves it paused"
    );

    // Resume: what waited goes out, with its key.
    assert_eq!(
        ok(admin
            .put("/api/v1/settings/delivery", &json!({"paused": false}))
            .await),
        json!({"paused": false, "chat_limit": 600})
    );
    let fetched = fetch_delivery_of(&ext, "UI-P-1").await;
    assert_eq!(fetched.len(), 1, "{fetched:?}");
    let sent = keys_in(fetched[0]["message"].as_str().unwrap(), "PAUSEKEY");
    assert_eq!(sent.len(), 1, "{}", fetched[0]);
    assert!(keys.contains(&sent[0]));
    confirm(&ext, &id_of(&fetched[0])).await;
    let detail = order_detail(&admin, &oid, false).await;
    assert_eq!(detail["status"], "delivered", "{detail}");
    assert_eq!(
        ok(admin.get("/api/v1/system").await)["delivery_paused"],
        false
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Backup and staged restore
// ---------------------------------------------------------------------------------------------

async fn download_backup(server: &Server, token: &str) -> Vec<u8> {
    let auth = format!("Bearer {token}");
    let (status, headers, bytes) = raw(
        Method::GET,
        &format!("{}/api/v1/backup", server.url),
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(header(&headers, "content-type"), "application/vnd.sqlite3");
    let disposition = header(&headers, "content-disposition");
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".db"),
        "{disposition}"
    );
    assert_eq!(header(&headers, "cache-control"), "no-store");
    assert!(
        bytes.starts_with(b"SQLite format 3\0"),
        "not an SQLite file ({} bytes)",
        bytes.len()
    );
    bytes
}

async fn upload(server: &Server, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let (status, _, value) = server
        .api(Some(token))
        .request(
            Method::POST,
            "/api/v1/restore",
            &[("content-type", "application/octet-stream")],
            Some(body),
        )
        .await;
    (status, value)
}

fn files_named(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read data dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

fn product_skus(db: &Path) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open kept database");
    let mut stmt = conn
        .prepare("SELECT sku FROM products ORDER BY sku")
        .unwrap();
    let skus = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    skus
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_downloaded_backup_restores_at_the_next_start() {
    let mut fx = Fixture::new();
    let token = fx.admin.token.clone().unwrap();
    let ext = fx.extension();
    let keys = make_keys("BAKKEY", 2);
    stocked_product(&fx.admin, "UI-BEFORE", 1, &keys).await;

    let backup = download_backup(&fx.server, &token).await;
    let staged = fx.dir.path().join("restore-pending.db");

    // Not a backup: refused, nothing staged, nothing left behind.
    let files_before: Vec<String> = files_named(fx.dir.path(), "");
    let plain_sqlite = {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        drop(conn);
        std::fs::read(&path).unwrap()
    };
    let mut truncated = backup.clone();
    truncated.truncate(backup.len() / 2);
    for (what, body) in [
        (
            "garbage",
            b"this is not a database at all, just words".to_vec(),
        ),
        ("header only", b"SQLite format 3\0".to_vec()),
        ("a foreign SQLite file", plain_sqlite),
        ("a truncated backup", truncated),
    ] {
        let (status, reply) = upload(&fx.server, &token, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {reply}");
        assert_eq!(reply["error"]["code"], "invalid_input", "{what}: {reply}");
        assert!(!staged.exists(), "{what} was staged");
    }
    let (status, reply) = upload(&fx.server, &token, Vec::new()).await;
    assert!(status.is_client_error(), "empty body: {status} {reply}");
    assert!(!staged.exists());
    let left: Vec<String> = files_named(fx.dir.path(), "")
        .into_iter()
        .filter(|f| !files_before.contains(f))
        .collect();
    assert!(
        left.iter()
            .all(|f| !f.starts_with(".tmp") && !f.contains("restore")),
        "refused uploads leave no files: {left:?}"
    );

    // Another data dir's backup is sealed with another key: refused with a reason.
    {
        let other = Fixture::new();
        let foreign = download_backup(&other.server, other.admin.token.as_deref().unwrap()).await;
        let (status, reply) = upload(&fx.server, &token, foreign).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a backup sealed with another key: {reply}"
        );
        assert!(
            reply["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("another key")),
            "{reply}"
        );
        assert!(!staged.exists());
    }

    // The real backup is staged; the running server is not changed by it.
    let (status, reply) = upload(&fx.server, &token, backup.clone()).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply, json!({"restart_required": true}));
    assert!(staged.exists(), "the backup waits for the next start");
    create_product(&fx.admin, &product_body("UI-AFTER")).await;
    let listed = ok(fx.admin.get("/api/v1/products").await);
    assert_eq!(listed["products"].as_array().unwrap().len(), 2, "{listed}");

    // Next start: the backup replaced the database; the one before it is kept.
    fx.server.restart();
    let admin = fx.admin.with_base(&fx.server.url);
    let ext = ext.with_base(&fx.server.url);
    let listed = ok(admin.get("/api/v1/products").await);
    let skus: Vec<&str> = listed["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    assert_eq!(
        skus,
        vec!["UI-BEFORE"],
        "the change after the backup is gone"
    );
    assert!(!staged.exists(), "the staged backup is used up");
    let kept = files_named(fx.dir.path(), "auto-before-restore-");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].ends_with(".db"), "{kept:?}");
    let kept_skus = product_skus(&fx.dir.path().join(&kept[0]));
    assert_eq!(
        kept_skus,
        vec!["UI-AFTER", "UI-BEFORE"],
        "the kept database"
    );

    // The restored stock still opens with this data dir's key: a paid order gets its key.
    post_order(&admin, &paid_order(SHOP, "UI-R-1", "UI-BEFORE", 1)).await;
    let fetched = fetch_delivery_of(&ext, "UI-R-1").await;
    assert_eq!(fetched.len(), 1, "{fetched:?}");
    let sent = keys_in(fetched[0]["message"].as_str().unwrap(), "BAKKEY");
    assert_eq!(sent.len(), 1, "{}", fetched[0]);
    assert!(keys.contains(&sent[0]));

    // A later start restores nothing again.
    fx.server.restart();
    let admin = fx.admin.with_base(&fx.server.url);
    let orders = list_all_orders(&admin, "").await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(files_named(fx.dir.path(), "auto-before-restore-").len(), 1);
}

// ---------------------------------------------------------------------------------------------
// 7. System summary, unknown API paths, the UI's files
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_tells_port_and_first_run_and_unknown_api_paths_are_json_404() {
    let fx = Fixture::new();
    let info = ok(fx.admin.get("/api/v1/system").await);
    assert_eq!(info["port"], fx.server.port, "{info}");
    assert_eq!(info["first_run"], true, "a fresh dir without demo: {info}");
    assert_eq!(info["products"], 0, "{info}");
    assert_eq!(info["delivery_paused"], false, "{info}");
    assert!(
        info["version"].as_str().is_some_and(|v| !v.is_empty()),
        "{info}"
    );
    let data_dir = Path::new(info["data_dir"].as_str().expect("data_dir"));
    assert_eq!(
        data_dir.canonicalize().unwrap(),
        fx.dir.path().canonicalize().unwrap(),
        "{info}"
    );

    create_product(&fx.admin, &product_body("UI-SYS")).await;
    let info = ok(fx.admin.get("/api/v1/system").await);
    assert_eq!(info["products"], 1, "{info}");
    assert_eq!(
        info["first_run"], true,
        "a product alone is no order: {info}"
    );

    post_order(&fx.admin, &paid_order(SHOP, "UI-SYS-1", "UI-SYS", 1)).await;
    let info = ok(fx.admin.get("/api/v1/system").await);
    assert_eq!(info["first_run"], false, "after an order: {info}");

    // Pairing an extension ends the first run too.
    let paired = Fixture::new();
    assert_eq!(
        ok(paired.admin.get("/api/v1/system").await)["first_run"],
        true
    );
    let _ext = paired.extension();
    assert_eq!(
        ok(paired.admin.get("/api/v1/system").await)["first_run"],
        false
    );

    // Unknown API paths are JSON 404s, with or without a token, whatever the method.
    for api in [&fx.admin, &fx.admin.with_token(None)] {
        for (method, path) in [
            (Method::GET, "/api/v1/no-such-thing"),
            (Method::GET, "/api/v2/orders"),
            (Method::POST, "/api/v1/stats/nothing"),
            (Method::DELETE, "/api/whatever/deep/path"),
        ] {
            let (status, headers, body) = api.request(method.clone(), path, &[], None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
            assert!(
                header(&headers, "content-type").starts_with("application/json"),
                "{method} {path}: {headers:?}"
            );
            assert_eq!(
                body["error"]["code"], "not_found",
                "{method} {path}: {body}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_is_served_at_every_client_route_and_a_plain_page_without_it() {
    const MARKER: &str = "AUTO-UI-INDEX-7f3a";
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(
        ui.path().join("index.html"),
        format!("<!doctype html><title>AUTO</title><div id=main>{MARKER}</div>"),
    )
    .unwrap();
    std::fs::create_dir(ui.path().join("assets")).unwrap();
    std::fs::write(
        ui.path().join("assets/app.js"),
        "console.log('app-js-4411');",
    )
    .unwrap();
    let fx =
        Fixture::with(ServeOptions::default().with_env("AUTO_UI_DIR", ui.path().to_str().unwrap()));
    let anonymous = fx.server.api(None);

    for path in ["/", "/some/client/route", "/orders/42", "/settings"] {
        let (status, headers, body) =
            raw(Method::GET, &format!("{}{path}", fx.server.url), &[], None).await;
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body.contains(MARKER), "{path} serves index.html: {body}");
        assert!(
            header(&headers, "content-type").starts_with("text/html"),
            "{path}: {headers:?}"
        );
        assert_eq!(header(&headers, "cache-control"), "no-cache", "{path}");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert!(
            header(&headers, "content-security-policy").contains("frame-ancestors 'none'"),
            "{path}: {headers:?}"
        );
    }
    let (status, headers, body) = raw(
        Method::GET,
        &format!("{}/assets/app.js", fx.server.url),
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("app-js-4411"));
    assert!(
        header(&headers, "content-type").contains("javascript"),
        "{headers:?}"
    );
    // The files never shadow the API, nor reach outside the UI's folder.
    let (status, body) = anonymous.get("/api/v1/health").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ok");
    assert_error(
        &anonymous.get("/api/v1/nothing-here").await,
        404,
        "not_found",
    );
    let escape = raw_http(
        &fx.server.addr(),
        "GET",
        "/..%2f..%2f..%2fetc%2fpasswd",
        &[("host", &fx.server.addr())],
        RawBody::None,
    )
    .await;
    assert!(
        !escape.body.to_string().contains("root:"),
        "{}",
        escape.body
    );

    // An AUTO_UI_DIR without index.html: the plain page, everywhere outside the API.
    let empty = tempfile::tempdir().unwrap();
    let bare = Fixture::with(
        ServeOptions::default().with_env("AUTO_UI_DIR", empty.path().to_str().unwrap()),
    );
    for path in ["/", "/some/client/route"] {
        let (status, headers, body) = raw(
            Method::GET,
            &format!("{}{path}", bare.server.url),
            &[],
            None,
        )
        .await;
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(
            header(&headers, "content-type").starts_with("text/html"),
            "{headers:?}"
        );
        assert!(body.contains("UI has not been built"), "{path}: {body}");
        assert!(!body.contains(MARKER));
    }
    assert_error(
        &bare.server.api(None).get("/api/v1/nothing-here").await,
        404,
        "not_found",
    );
}
