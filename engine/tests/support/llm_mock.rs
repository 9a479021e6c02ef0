//! A stand-in for an OpenAI-compatible Chat Completions server, for tests of the assistant.
//!
//! It runs on its own thread and runtime, so it serves async tests and engines started as
//! child processes alike, and it records what it was sent.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// How the mock answers the next requests.
#[derive(Debug, Clone)]
pub enum MockMode {
    /// A plausible support answer, Indonesian for an Indonesian question.
    Ok,
    /// 500 with an OpenAI-style error body.
    Fail500,
    /// 429 with `Retry-After: 1`.
    Fail429,
    /// Waits this long, then answers as `Ok`.
    Stall(Duration),
    /// 200 with an HTML page that echoes the request's Authorization header.
    Garbage,
    /// 200 with an empty content.
    Empty,
    /// 200 with this content.
    Reply(String),
    /// 500 for this many requests, then `Ok`.
    FailTimes(u32),
    /// 401 whose message echoes the bearer token, as careless providers do.
    Unauthorized,
}

/// A running mock server; it stops when dropped.
pub struct MockLlm {
    /// Like `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

#[derive(Default)]
struct Shared {
    mode: Mutex<(Option<MockMode>, u32)>, // the mode, and failures served since it was set
    requests: Mutex<Vec<Value>>,
    auth: Mutex<Vec<Option<String>>>,
    in_flight: AtomicUsize,
    max_concurrent: AtomicUsize,
}

impl MockLlm {
    /// Starts a server on 127.0.0.1 and a free port, answering in `mode`.
    pub fn start(mode: MockMode) -> MockLlm {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind mock LLM");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("mock LLM address").port();
        let shared = Arc::new(Shared::default());
        *shared.mode.lock().unwrap() = (Some(mode), 0);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .route("/v1/chat/completions", post(chat_completions))
            .with_state(shared.clone());
        std::thread::Builder::new()
            .name(format!("mock-llm-{port}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("mock LLM runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    tokio::select! {
                        result = axum::serve(listener, app) => result.expect("mock LLM serve"),
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here cancels the requests that are still stalling.
            })
            .expect("spawn mock LLM thread");
        MockLlm {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            shared,
            _stop: stop,
        }
    }

    /// Changes how the next requests are answered (and restarts a `FailTimes` count).
    pub fn set_mode(&self, mode: MockMode) {
        *self.shared.mode.lock().unwrap() = (Some(mode), 0);
    }

    /// The JSON bodies received so far (`null` for a body that was not JSON).
    pub fn requests(&self) -> Vec<Value> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The Authorization header of each request received, in order.
    pub fn auth_headers(&self) -> Vec<Option<String>> {
        self.shared.auth.lock().unwrap().clone()
    }

    /// The most requests that were being handled at the same time.
    pub fn max_concurrent(&self) -> usize {
        self.shared.max_concurrent.load(Ordering::SeqCst)
    }
}

/// Counts a request as in flight until it is answered or the client goes away.
struct InFlight(Arc<Shared>);

impl InFlight {
    fn enter(shared: &Arc<Shared>) -> InFlight {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_concurrent.fetch_max(now, Ordering::SeqCst);
        InFlight(shared.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn chat_completions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _in_flight = InFlight::enter(&shared);
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let auth = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("<not utf-8>").to_owned());
    shared.requests.lock().unwrap().push(request.clone());
    shared.auth.lock().unwrap().push(auth.clone());

    let mode = {
        let mut guard = shared.mode.lock().unwrap();
        let (mode, failures) = &mut *guard;
        match mode.clone().unwrap_or(MockMode::Ok) {
            MockMode::FailTimes(n) if *failures < n => {
                *failures += 1;
                MockMode::Fail500
            }
            MockMode::FailTimes(_) => MockMode::Ok,
            other => other,
        }
    };
    match mode {
        MockMode::Ok | MockMode::FailTimes(_) => completion(&request, &support_reply(&request)),
        MockMode::Stall(delay) => {
            tokio::time::sleep(delay).await;
            completion(&request, &support_reply(&request))
        }
        MockMode::Reply(content) => completion(&request, &content),
        MockMode::Empty => completion(&request, ""),
        MockMode::Fail500 => error(StatusCode::INTERNAL_SERVER_ERROR, "mock: the model crashed"),
        MockMode::Fail429 => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "mock: rate limit reached");
            let retry_after = header::HeaderValue::from_static("1");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after);
            response
        }
        MockMode::Unauthorized => {
            let token = auth.unwrap_or_default();
            let token = token.trim_start_matches("Bearer ");
            let message = format!("Incorrect API key provided: {token}.");
            error(StatusCode::UNAUTHORIZED, &message)
        }
        MockMode::Garbage => {
            let auth = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            let page = format!(
                "<html><body><h1>Proxy debug</h1><pre>authorization: {auth}</pre></body></html>"
            );
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/html")], page).into_response()
        }
    }
}

fn completion(request: &Value, content: &str) -> Response {
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let prompt_chars: usize = request["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| m["content"].as_str())
                .map(str::len)
                .sum()
        })
        .unwrap_or_default();
    let prompt_tokens = prompt_chars / 4;
    let completion_tokens = content.len() / 4;
    Json(json!({
        "id": format!("chatcmpl-mock{created}"),
        "object": "chat.completion",
        "created": created,
        "model": request["model"].as_str().unwrap_or("mock"),
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content },
            "finish_reason": "stop"
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens
        }
    }))
    .into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "error": { "message": message, "type": "mock_error", "param": null, "code": null }
    });
    (status, Json(body)).into_response()
}

/// What a decent model would answer to the last user message: Indonesian for an Indonesian
/// question, and a different answer per topic so that tests can tell replies apart.
fn support_reply(request: &Value) -> String {
    let question = request["messages"]
        .as_array()
        .and_then(|messages| messages.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_lowercase();
    let words: Vec<&str> = question
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |keys: &[&str]| words.iter().any(|w| keys.iter().any(|k| w.starts_with(k)));
    let indonesian = has(&[
        "kapan", "kode", "berapa", "apakah", "kak", "gan", "sudah", "bisa", "belum", "kirim",
        "harga", "garansi",
    ]);
    let topic = if has(&[
        "kirim", "dikirim", "deliver", "send", "sent", "receive", "arrive",
    ]) {
        "delivery"
    } else if has(&["refund", "garansi", "warranty", "return", "uang"]) {
        "refund"
    } else if has(&["harga", "price", "berapa", "cost", "diskon", "discount"]) {
        "price"
    } else {
        "other"
    };
    let reply = match (indonesian, topic) {
        (true, "delivery") => "Halo kak! Kode dikirim otomatis lewat chat dalam beberapa detik setelah pembayaran terverifikasi. Kalau belum masuk dalam 10 menit, kabari kami ya 🙏",
        (true, "refund") => "Halo kak! Untuk garansi atau refund, kirim nomor pesanan dan tangkapan layar kendalanya ya, penjual akan mengecek dan membalas secepatnya 🙏",
        (true, "price") => "Halo kak! Harga yang berlaku sesuai yang tertera di halaman produk ya, promo otomatis terpotong saat checkout 😊",
        (true, _) => "Halo kak, terima kasih sudah menghubungi kami! Penjual akan segera membalas pertanyaan kakak ya 🙏",
        (false, "delivery") => "Hi! Your code is sent automatically in this chat a few seconds after your payment is verified. If it hasn't arrived within 10 minutes, please let us know.",
        (false, "refund") => "Hi! For warranty or refund requests, please send your order number and a screenshot of the issue; the seller will check and reply as soon as possible.",
        (false, "price") => "Hi! The price is the one shown on the product page; any promotion is applied automatically at checkout.",
        (false, _) => "Hi, thanks for reaching out! The seller will reply to your question soon.",
    };
    reply.to_owned()
}
