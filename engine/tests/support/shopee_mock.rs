//! A local Shopee Open Platform v2 server for the tests of the engine's Open Platform road.
//!
//! Like `llm_mock`, it runs on its own thread and runtime (so a child `auto serve` can reach it),
//! stops when dropped, and records what it was sent. It checks every request the way Shopee
//! does and answers in Shopee's shapes. Where each shape comes from (repository and path; "seen"
//! marks text found in public code whose repository the code index did not name; "inferred" is
//! our choice, nobody showed it):
//!
//! Signing and common parameters
//! - `sign = hex(HMAC-SHA256(partner_key, partner_id + path + timestamp))` for the public calls
//!   (`/api/v2/shop/auth_partner`, `/api/v2/auth/token/get`, `/api/v2/auth/access_token/get`),
//!   `... + access_token + shop_id` for shop calls; `partner_id`, `timestamp`, `sign`
//!   (`access_token`, `shop_id`) in the query, POST parameters in a JSON body:
//!   lazykern/ecommerce-api-docs data/raw/shopee/guides/getting-started/api-calls.json and
//!   authorization-and-authentication.json (Shopee's own guides, copied); wjp-letgo/letgo
//!   x/api/shopee/config/config.go; passwind/go-shopee-v2 goshopee.go.
//! - "Each API request needs to be requested within 5 minutes of a timestamp": api-calls.json.
//! - Envelope `{request_id, error, message[, warning], response}`, `error` "" on success:
//!   api-calls.json; passwind/go-shopee-v2 error.go.
//! - Common errors `error_param` "There is no partner_id in query." / "Invalid partner_id." /
//!   "There is no sign in query." / "There is no access_token in query." / "no timestamp" /
//!   "Invalid timestamp", `error_sign` "Wrong sign.", `error_auth`: every `error_list` in
//!   lazykern/ecommerce-api-docs data/raw/shopee/apis/*/v2.*.json. A stale timestamp answers
//!   `error_param` "Timestamp is expired." (seen, observed live). An expired or unknown access
//!   token answers `invalid_acceess_token` (Shopee's typo; seen in many clients that retry on it,
//!   e.g. a C# order sync and a Laravel client) with the documented message "Invalid
//!   access_token.".
//! - HTTP statuses of refusals (inferred; public clients disagree, one probe saw 200 for a
//!   missing partner_id): 400 for `error_param` and request errors, 403 for sign, token and
//!   code errors, 429 for `error_rate_limit`, 500 for `error_server`. A client must read the
//!   envelope whatever the status.
//! - Rate limit / busy: `error_rate_limit` "Too many requests. You have reached the rate limit.
//!   Please try again later." and `error_server` "System error. Please try again later." (seen:
//!   Shopee's common_error_list as quoted by an Indonesian integration's research notes;
//!   `error_server` also in v2.order.get_order_list.json's error_list).
//! - The `Date` header carries the server's clock (HTTP semantics), offset as the test asks.
//!
//! Authorization (authorization-and-authentication.json unless said otherwise)
//! - `GET /api/v2/shop/auth_partner?partner_id&timestamp&sign&redirect` → after the seller
//!   confirms, a redirect to `redirect` with `code` and `shop_id` appended; the code is valid
//!   once, for 10 minutes. (The page itself is Shopee's; here it answers 302 at once.)
//! - `POST /api/v2/auth/token/get {code, shop_id, partner_id}` → top level, no `response`:
//!   `{refresh_token, access_token, expire_in, request_id, error, message}`
//!   (data/raw/shopee/apis/public/v2.public.get_access_token.json). Refusals `invalid_code`
//!   "The code is expired or used or invalid, please check the code." and `invalid_shop_id`
//!   "The code or shop_id is wrong, please check the code or the shop_id." (same file).
//! - `POST /api/v2/auth/access_token/get {refresh_token, shop_id, partner_id}` → top level
//!   `{partner_id, refresh_token, access_token, expire_in, request_id, error, message, shop_id}`
//!   (v2.public.refresh_access_token.json). Access token 4 h, refresh token 30 days, "can only
//!   be used once"; a new pair each time; "the old access_token is still valid for 5 minutes".
//!   Refusals `error_shop_refresh_token` "Your refresh token is error ,please check refresh
//!   token or shopid." and `refresh_token_expired` "Your refresh_token expired." (same file).
//! - `GET /api/v2/shop/get_shop_info` → top level `{shop_name, region, status, auth_time,
//!   expire_time, ...}` (v2.shop.get_shop_info.json; passwind/go-shopee-v2
//!   fixtures/get_shop_info_resp.json).
//!
//! Orders and chat: see `shopee_mock/orders.rs` and `shopee_mock/chat.rs`.
mod chat;
mod orders;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use rand::Rng;
use serde_json::{json, Value};

#[allow(unused_imports)] // each test binary uses a different part
pub use chat::{ChatMessage, ChatRefusal, SentMessage};
#[allow(unused_imports)]
pub use orders::{ShopeeItem, ShopeeOrder};

/// The partner id every test app uses unless it asks for another.
pub const PARTNER_ID: u64 = 2_001_234;
/// The partner key of the test app (a test value, not a secret).
pub const PARTNER_KEY: &str =
    "shpk4b7a1e0c9d2f3a6b5c8d7e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

pub const AUTH_PARTNER: &str = "/api/v2/shop/auth_partner";
pub const TOKEN_GET: &str = "/api/v2/auth/token/get";
pub const REFRESH: &str = "/api/v2/auth/access_token/get";
pub const SHOP_INFO: &str = "/api/v2/shop/get_shop_info";
pub const ORDER_LIST: &str = "/api/v2/order/get_order_list";
pub const ORDER_DETAIL: &str = "/api/v2/order/get_order_detail";
pub const SEND_MESSAGE: &str = "/api/v2/sellerchat/send_message";
pub const CONVERSATIONS: &str = "/api/v2/sellerchat/get_conversation_list";
pub const MESSAGES: &str = "/api/v2/sellerchat/get_message";

/// How far a request's timestamp may be from the server's clock.
const TIMESTAMP_WINDOW: i64 = 5 * 60;
/// How long a code from the authorization page stays valid.
const CODE_LIFETIME: i64 = 10 * 60;
/// How long an access token is still accepted after it was refreshed.
const OLD_TOKEN_GRACE: i64 = 5 * 60;

/// A running Open Platform server; it stops when dropped.
pub struct ShopeeMock {
    /// `http://127.0.0.1:PORT`, what AUTO's `base_url` is set to.
    pub base_url: String,
    pub partner_id: u64,
    pub partner_key: String,
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

struct Shared {
    partner_id: u64,
    partner_key: String,
    state: Mutex<MockState>,
}

/// One access or refresh token.
#[derive(Debug, Clone)]
struct Token {
    shop_id: u64,
    expires_at: i64,
    used: bool,
}

#[derive(Debug, Clone)]
struct Code {
    shop_id: u64,
    expires_at: i64,
    used: bool,
}

/// A shop the server knows: its orders and its chat.
#[derive(Debug, Default)]
pub(crate) struct Shop {
    name: String,
    region: String,
    orders: BTreeMap<String, ShopeeOrder>,
    chat: chat::ShopChat,
}

/// Everything the server holds, behind one lock (handlers never await while holding it).
pub(crate) struct MockState {
    clock_offset: i64,
    access_lifetime: i64,
    refresh_lifetime: i64,
    authorize_next: Option<u64>,
    codes: HashMap<String, Code>,
    access: HashMap<String, Token>,
    refresh: HashMap<String, Token>,
    shops: BTreeMap<u64, Shop>,
    fail_every: Option<u64>,
    shop_calls: u64,
    faults_served: u64,
    expire_after_calls: Option<u64>,
    hang_next_send: bool,
    /// Successful sends to let through before the hung one.
    sends_before_hang: u64,
    hung_sends: u64,
    five_message_rule: bool,
    calls: BTreeMap<String, u64>,
    refusals: Vec<(String, String)>,
    seen: Vec<String>,
    next_id: u64,
    last_nanos: i64,
}

/// A refusal: the HTTP status and Shopee's `error` and `message`.
pub(crate) struct Refusal {
    status: StatusCode,
    error: String,
    message: String,
}

impl Refusal {
    fn into_response(self) -> Response {
        let body =
            json!({ "request_id": random_hex(), "error": self.error, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

/// What one request is answered with.
pub(crate) type Answer = Result<Response, Refusal>;

impl ShopeeMock {
    /// Starts a server for the test app ([`PARTNER_ID`], [`PARTNER_KEY`]).
    pub fn start() -> ShopeeMock {
        ShopeeMock::start_with(PARTNER_ID, PARTNER_KEY)
    }

    /// Starts a server on 127.0.0.1 and a free port for an app with this id and key.
    pub fn start_with(partner_id: u64, partner_key: &str) -> ShopeeMock {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind Shopee mock");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("mock address").port();
        let shared = Arc::new(Shared {
            partner_id,
            partner_key: partner_key.to_string(),
            state: Mutex::new(MockState {
                clock_offset: 0,
                access_lifetime: 4 * 3600,
                refresh_lifetime: 30 * 86_400,
                authorize_next: None,
                codes: HashMap::new(),
                access: HashMap::new(),
                refresh: HashMap::new(),
                shops: BTreeMap::new(),
                fail_every: None,
                shop_calls: 0,
                faults_served: 0,
                expire_after_calls: None,
                hang_next_send: false,
                sends_before_hang: 0,
                hung_sends: 0,
                five_message_rule: true,
                calls: BTreeMap::new(),
                refusals: Vec::new(),
                seen: Vec::new(),
                next_id: 0,
                last_nanos: 0,
            }),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new().fallback(dispatch).with_state(shared.clone());
        std::thread::Builder::new()
            .name(format!("shopee-mock-{port}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("Shopee mock runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    tokio::select! {
                        result = axum::serve(listener, app) => result.expect("Shopee mock serve"),
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here ends the requests that are still hanging.
            })
            .expect("spawn Shopee mock thread");
        ShopeeMock {
            base_url: format!("http://127.0.0.1:{port}"),
            partner_id,
            partner_key: partner_key.to_string(),
            shared,
            _stop: stop,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, MockState> {
        self.shared.state.lock().unwrap()
    }

    // -- the shops and their authorization ------------------------------------------------

    /// Registers a shop (a shop must exist to authorize, to have orders or chat).
    pub fn add_shop(&self, shop_id: u64, name: &str) {
        let mut st = self.state();
        let shop = st.shops.entry(shop_id).or_default();
        shop.name = name.to_string();
        shop.region = "ID".to_string();
    }

    /// The shop whose seller confirms the next visit of the authorization page.
    pub fn authorize_next(&self, shop_id: u64) {
        let mut st = self.state();
        st.shop_or_default(shop_id);
        st.authorize_next = Some(shop_id);
    }

    /// A fresh one-time code for a shop, as if its seller had just authorized the app.
    pub fn new_code(&self, shop_id: u64) -> String {
        let mut st = self.state();
        st.shop_or_default(shop_id);
        st.mint_code(shop_id)
    }

    /// Access tokens handed out from now on live this long (default 4 hours).
    pub fn set_access_token_lifetime(&self, lifetime: Duration) {
        self.state().access_lifetime = lifetime.as_secs() as i64;
    }

    /// Every access token handed out so far stops working now.
    pub fn expire_access_tokens(&self) {
        let mut st = self.state();
        let now = st.now() - 1;
        for t in st.access.values_mut() {
            t.expires_at = t.expires_at.min(now);
        }
    }

    /// Every refresh token handed out so far stops working (the authorization ran out).
    pub fn expire_refresh_tokens(&self) {
        let mut st = self.state();
        let now = st.now() - 1;
        for t in st.refresh.values_mut() {
            t.expires_at = t.expires_at.min(now);
        }
    }

    /// After `calls` more shop calls are answered, every access token expires (mid-sync).
    pub fn expire_access_tokens_after_calls(&self, calls: u64) {
        self.state().expire_after_calls = Some(calls);
    }

    /// Every access and refresh token handed out so far (to check they are never shown).
    pub fn issued_tokens(&self) -> Vec<String> {
        let st = self.state();
        st.access.keys().chain(st.refresh.keys()).cloned().collect()
    }

    /// Access tokens currently valid, per shop.
    pub fn valid_access_tokens(&self, shop_id: u64) -> usize {
        let st = self.state();
        let now = st.now();
        st.access
            .values()
            .filter(|t| t.shop_id == shop_id && t.expires_at > now)
            .count()
    }

    // -- the clock and faults ---------------------------------------------------------------

    /// Moves the server's clock (positive: the server is ahead of the computer running AUTO).
    pub fn set_clock_offset_secs(&self, secs: i64) {
        self.state().clock_offset = secs;
    }

    /// The server's clock, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.state().now()
    }

    /// Every `n`-th shop call is refused with a rate-limit or busy error (alternately), before
    /// it does anything; `0` stops the faults.
    pub fn fail_every(&self, n: u64) {
        let mut st = self.state();
        st.fail_every = (n > 0).then_some(n);
        st.shop_calls = 0;
    }

    /// How many calls were refused by [`ShopeeMock::fail_every`].
    pub fn faults_served(&self) -> u64 {
        self.state().faults_served
    }

    /// The next `send_message` that succeeds is recorded (the buyer has the message) and then
    /// never answered, so a test can kill AUTO between the send and its confirm.
    pub fn hang_after_next_send(&self) {
        self.hang_after_sends(0);
    }

    /// As [`ShopeeMock::hang_after_next_send`], for the send after `answered` more sends that
    /// succeed and are answered (a crash between two parts of one delivery).
    pub fn hang_after_sends(&self, answered: u64) {
        let mut st = self.state();
        st.hang_next_send = true;
        st.sends_before_hang = answered;
    }

    /// How many sends were recorded and left unanswered.
    pub fn hung_sends(&self) -> u64 {
        self.state().hung_sends
    }

    /// Shopee refuses a 6th message in a row before the buyer answers; on by default.
    pub fn set_five_message_rule(&self, on: bool) {
        self.state().five_message_rule = on;
    }

    // -- what the server saw ------------------------------------------------------------------

    /// Requests received on `path` (answered, refused or hanging).
    pub fn calls(&self, path: &str) -> u64 {
        self.state().calls.get(path).copied().unwrap_or(0)
    }

    /// Requests received, per path.
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        self.state().calls.clone()
    }

    /// Every refusal served, as (path, Shopee's error code).
    pub fn refusals(&self) -> Vec<(String, String)> {
        self.state().refusals.clone()
    }

    /// Whether `needle` occurred in any request line or body received so far.
    pub fn saw_text(&self, needle: &str) -> bool {
        self.state().seen.iter().any(|r| r.contains(needle))
    }

    // -- signing, for the mock's own tests ----------------------------------------------------

    /// `hex(HMAC-SHA256(partner_key, base))` with this app's key.
    pub fn sign(&self, base: &str) -> String {
        hmac_hex(&self.partner_key, base)
    }

    /// A correctly signed query string for `path` at the server's current time: a public call
    /// with `shop` None, a shop call with `Some((access_token, shop_id))`.
    pub fn signed_query(&self, path: &str, shop: Option<(&str, u64)>) -> String {
        let ts = self.now();
        signed_query_with(self.partner_id, &self.partner_key, path, ts, shop)
    }
}

/// A signed query string for `path` at `ts` (see [`ShopeeMock::signed_query`]).
pub fn signed_query_with(
    partner_id: u64,
    partner_key: &str,
    path: &str,
    ts: i64,
    shop: Option<(&str, u64)>,
) -> String {
    match shop {
        None => {
            let sign = hmac_hex(partner_key, &format!("{partner_id}{path}{ts}"));
            format!("partner_id={partner_id}&timestamp={ts}&sign={sign}")
        }
        Some((token, shop_id)) => {
            let sign = hmac_hex(
                partner_key,
                &format!("{partner_id}{path}{ts}{token}{shop_id}"),
            );
            format!("partner_id={partner_id}&timestamp={ts}&access_token={token}&shop_id={shop_id}&sign={sign}")
        }
    }
}

/// Lower-case hex of HMAC-SHA256.
pub fn hmac_hex(key: &str, base: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(base.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl MockState {
    pub(crate) fn now(&self) -> i64 {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        secs + self.clock_offset
    }

    /// The server's clock in nanoseconds, strictly increasing from call to call.
    pub(crate) fn now_nanos(&mut self) -> i64 {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or_default()
            + self.clock_offset * 1_000_000_000;
        self.last_nanos = nanos.max(self.last_nanos + 1);
        self.last_nanos
    }

    /// A fresh number for ids.
    pub(crate) fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn shop_or_default(&mut self, shop_id: u64) -> &mut Shop {
        self.shops.entry(shop_id).or_insert_with(|| Shop {
            name: format!("Toko {shop_id}"),
            region: "ID".to_string(),
            ..Shop::default()
        })
    }

    fn mint_code(&mut self, shop_id: u64) -> String {
        let code = random_hex();
        let expires_at = self.now() + CODE_LIFETIME;
        self.codes.insert(
            code.clone(),
            Code {
                shop_id,
                expires_at,
                used: false,
            },
        );
        code
    }

    /// A new access and refresh token for a shop; returns the JSON fields of the answer.
    fn issue_tokens(&mut self, shop_id: u64) -> Value {
        let now = self.now();
        let (access, refresh) = (random_hex(), random_hex());
        self.access.insert(
            access.clone(),
            Token {
                shop_id,
                expires_at: now + self.access_lifetime,
                used: false,
            },
        );
        self.refresh.insert(
            refresh.clone(),
            Token {
                shop_id,
                expires_at: now + self.refresh_lifetime,
                used: false,
            },
        );
        json!({ "access_token": access, "refresh_token": refresh, "expire_in": self.access_lifetime })
    }
}

/// 32 random lower-case hex digits, the shape of Shopee's codes and tokens.
fn random_hex() -> String {
    format!("{:032x}", rand::thread_rng().gen::<u128>())
}

// -------------------------------------------------------------------------------------------
// Answers
// -------------------------------------------------------------------------------------------

/// A success in Shopee's envelope, with `response` when given.
pub(crate) fn ok_response(response: Value) -> Response {
    Json(json!({
        "request_id": random_hex(),
        "error": "",
        "message": "",
        "response": response,
    }))
    .into_response()
}

/// A success whose fields sit at the top level (the token calls, get_shop_info).
pub(crate) fn ok_top_level(mut fields: Value) -> Response {
    fields["request_id"] = json!(random_hex());
    fields["error"] = json!("");
    fields["message"] = json!("");
    Json(fields).into_response()
}

/// A refusal in Shopee's envelope.
pub(crate) fn refuse(status: StatusCode, error: &str, message: &str) -> Refusal {
    Refusal {
        status,
        error: error.to_string(),
        message: message.to_string(),
    }
}

pub(crate) fn param_error(message: &str) -> Refusal {
    refuse(StatusCode::BAD_REQUEST, "error_param", message)
}

/// The request's query, decoded.
pub(crate) type Params = HashMap<String, String>;

/// An integer query parameter, or the refusal Shopee gives for a bad one.
pub(crate) fn int_param(q: &Params, name: &str) -> Result<Option<i64>, Refusal> {
    match q.get(name).map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| param_error(&format!("Wrong parameters, detail: {name} is invalid."))),
    }
}

async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    Query(q): Query<Params>,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let (answer, hang, date) = {
        let mut st = shared.state.lock().unwrap();
        *st.calls.entry(path.clone()).or_default() += 1;
        st.seen.push(format!(
            "{method} {path}?{} {}",
            uri.query().unwrap_or(""),
            String::from_utf8_lossy(&body)
        ));
        let mut hang = false;
        let response = handle(&shared, &mut st, &method, &path, &q, &body, &mut hang);
        (response, hang, http_date(st.now()))
    };
    let mut response = answer;
    if let Ok(v) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(header::DATE, v);
    }
    if hang {
        // The message is with the buyer; the answer never comes.
        std::future::pending::<()>().await;
    }
    response
}

/// `Sun, 06 Dec 2026 10:00:00 GMT` for a Unix time.
fn http_date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

fn handle(
    shared: &Shared,
    st: &mut MockState,
    method: &Method,
    path: &str,
    q: &Params,
    body: &Bytes,
    hang: &mut bool,
) -> Response {
    match route(shared, st, method, path, q, body, hang) {
        Ok(r) => r,
        Err(refusal) => {
            st.refusals.push((path.to_string(), refusal.error.clone()));
            refusal.into_response()
        }
    }
}

fn route(
    shared: &Shared,
    st: &mut MockState,
    method: &Method,
    path: &str,
    q: &Params,
    body: &Bytes,
    hang: &mut bool,
) -> Answer {
    match path {
        AUTH_PARTNER | TOKEN_GET | REFRESH => {
            check_common(shared, st, path, q, None)?;
            match (method, path) {
                (&Method::GET, AUTH_PARTNER) => authorize(st, q),
                (&Method::POST, TOKEN_GET) => token_get(shared, st, body),
                (&Method::POST, REFRESH) => token_refresh(shared, st, body),
                _ => Err(not_found()),
            }
        }
        SHOP_INFO | ORDER_LIST | ORDER_DETAIL | SEND_MESSAGE | CONVERSATIONS | MESSAGES => {
            let shop_id = check_shop_call(shared, st, path, q)?;
            inject_fault(st)?;
            match (method, path) {
                (&Method::GET, SHOP_INFO) => shop_info(st, shop_id),
                (&Method::GET, ORDER_LIST) => orders::order_list(st, shop_id, q),
                (&Method::GET, ORDER_DETAIL) => orders::order_detail(st, shop_id, q),
                (&Method::POST, SEND_MESSAGE) => chat::send_message(st, shop_id, body, hang),
                (&Method::GET, CONVERSATIONS) => chat::conversation_list(st, shop_id, q),
                (&Method::GET, MESSAGES) => chat::messages(st, shop_id, q),
                _ => Err(not_found()),
            }
        }
        _ => Err(not_found()),
    }
}

fn not_found() -> Refusal {
    refuse(
        StatusCode::NOT_FOUND,
        "error_not_found",
        "Wrong parameters, detail: the api is not found.",
    )
}

/// The checks every call gets: partner id, timestamp, sign (with the shop's token and id for a
/// shop call), in the order Shopee's error lists give them.
fn check_common(
    shared: &Shared,
    st: &MockState,
    path: &str,
    q: &Params,
    shop: Option<(&str, u64)>,
) -> Result<(), Refusal> {
    let partner = q.get("partner_id").map(|s| s.trim()).unwrap_or("");
    if partner.is_empty() {
        return Err(param_error("There is no partner_id in query."));
    }
    if partner.parse::<u64>().ok() != Some(shared.partner_id) {
        return Err(param_error("Invalid partner_id."));
    }
    let Some(ts) = q.get("timestamp").filter(|t| !t.trim().is_empty()) else {
        return Err(param_error("no timestamp"));
    };
    let Ok(ts) = ts.trim().parse::<i64>() else {
        return Err(param_error("Invalid timestamp"));
    };
    let Some(sign) = q.get("sign").filter(|s| !s.is_empty()) else {
        return Err(param_error("There is no sign in query."));
    };
    let base = match shop {
        None => format!("{}{path}{ts}", shared.partner_id),
        Some((token, shop_id)) => format!("{}{path}{ts}{token}{shop_id}", shared.partner_id),
    };
    if *sign != hmac_hex(&shared.partner_key, &base) {
        return Err(refuse(StatusCode::FORBIDDEN, "error_sign", "Wrong sign."));
    }
    let now = st.now();
    if ts < now - TIMESTAMP_WINDOW {
        return Err(param_error("Timestamp is expired."));
    }
    if ts > now + TIMESTAMP_WINDOW {
        return Err(param_error("Invalid timestamp"));
    }
    Ok(())
}

/// The checks of a shop call; returns the shop id its token belongs to.
fn check_shop_call(
    shared: &Shared,
    st: &mut MockState,
    path: &str,
    q: &Params,
) -> Result<u64, Refusal> {
    let token = q
        .get("access_token")
        .map(String::as_str)
        .unwrap_or("")
        .to_string();
    if token.is_empty() {
        return Err(param_error("There is no access_token in query."));
    }
    let Some(shop_id) = q.get("shop_id").and_then(|s| s.trim().parse::<u64>().ok()) else {
        return Err(param_error("There is no shop_id in query."));
    };
    check_common(shared, st, path, q, Some((&token, shop_id)))?;
    let now = st.now();
    let valid = st
        .access
        .get(&token)
        .is_some_and(|t| t.shop_id == shop_id && t.expires_at > now);
    if !valid {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "invalid_acceess_token",
            "Invalid access_token.",
        ));
    }
    if let Some(left) = st.expire_after_calls {
        if left <= 1 {
            st.expire_after_calls = None;
            for t in st.access.values_mut() {
                t.expires_at = t.expires_at.min(now - 1);
            }
        } else {
            st.expire_after_calls = Some(left - 1);
        }
    }
    Ok(shop_id)
}

/// Every n-th shop call is refused, alternately rate-limited and busy.
fn inject_fault(st: &mut MockState) -> Result<(), Refusal> {
    st.shop_calls += 1;
    let Some(n) = st.fail_every else {
        return Ok(());
    };
    if !st.shop_calls.is_multiple_of(n) {
        return Ok(());
    }
    st.faults_served += 1;
    Err(if !st.faults_served.is_multiple_of(2) {
        refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "error_rate_limit",
            "Too many requests. You have reached the rate limit. Please try again later.",
        )
    } else {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error_server",
            "System error. Please try again later.",
        )
    })
}

// -------------------------------------------------------------------------------------------
// Authorization
// -------------------------------------------------------------------------------------------

/// The authorization page: the chosen shop's seller confirms at once.
fn authorize(st: &mut MockState, q: &Params) -> Answer {
    let Some(redirect) = q.get("redirect").filter(|r| !r.is_empty()) else {
        return Err(param_error(
            "Wrong parameters, detail: redirect is required.",
        ));
    };
    let shop_id =
        match st.authorize_next.take() {
            Some(id) => id,
            None if st.shops.len() == 1 => *st.shops.keys().next().unwrap(),
            None => return Err(param_error(
                "Wrong parameters, detail: the test chose no shop to authorize (authorize_next).",
            )),
        };
    let code = st.mint_code(shop_id);
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let location = format!("{redirect}{sep}code={code}&shop_id={shop_id}");
    Ok((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}

/// The JSON body of a POST, or Shopee's refusal of it.
pub(crate) fn json_body(body: &Bytes) -> Result<Value, Refusal> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| param_error("Wrong parameters, detail: the body is not a JSON object."))
}

/// A body field that must be a positive integer (a number, or digits in a string).
pub(crate) fn body_u64(body: &Value, name: &str) -> Result<u64, Refusal> {
    match &body[name] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| param_error(&format!("Wrong parameters, detail: {name} is invalid.")))
}

fn token_get(shared: &Shared, st: &mut MockState, body: &Bytes) -> Answer {
    let body = json_body(body)?;
    if body_u64(&body, "partner_id")? != shared.partner_id {
        return Err(param_error("Invalid partner_id."));
    }
    let shop_id = body_u64(&body, "shop_id")?;
    let code = body["code"].as_str().unwrap_or("").to_string();
    let now = st.now();
    let Some(found) = st
        .codes
        .get(&code)
        .filter(|c| !c.used && c.expires_at > now)
        .cloned()
    else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "invalid_code",
            "The code is expired or used or invalid, please check the code.",
        ));
    };
    if found.shop_id != shop_id {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "invalid_shop_id",
            "The code or shop_id is wrong, please check the code or the shop_id.",
        ));
    }
    st.codes.get_mut(&code).unwrap().used = true;
    let fields = st.issue_tokens(shop_id);
    Ok(ok_top_level(fields))
}

fn token_refresh(shared: &Shared, st: &mut MockState, body: &Bytes) -> Answer {
    let body = json_body(body)?;
    if body_u64(&body, "partner_id")? != shared.partner_id {
        return Err(param_error("Invalid partner_id."));
    }
    let shop_id = body_u64(&body, "shop_id")?;
    let refresh = body["refresh_token"].as_str().unwrap_or("").to_string();
    let now = st.now();
    let bad_token = || {
        refuse(
            StatusCode::FORBIDDEN,
            "error_shop_refresh_token",
            "Your refresh token is error ,please check refresh token or shopid.",
        )
    };
    let Some(found) = st.refresh.get(&refresh).cloned() else {
        return Err(bad_token());
    };
    if found.used || found.shop_id != shop_id {
        return Err(bad_token());
    }
    if found.expires_at <= now {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "refresh_token_expired",
            "Your refresh_token expired.",
        ));
    }
    st.refresh.get_mut(&refresh).unwrap().used = true;
    // The shop's older access tokens keep working for five minutes.
    for t in st.access.values_mut().filter(|t| t.shop_id == shop_id) {
        t.expires_at = t.expires_at.min(now + OLD_TOKEN_GRACE);
    }
    let mut fields = st.issue_tokens(shop_id);
    fields["partner_id"] = json!(shared.partner_id);
    fields["shop_id"] = json!(shop_id);
    Ok(ok_top_level(fields))
}

fn shop_info(st: &mut MockState, shop_id: u64) -> Answer {
    let now = st.now();
    let shop = st.shop_or_default(shop_id);
    Ok(ok_top_level(json!({
        "shop_name": shop.name,
        "region": shop.region,
        "status": "NORMAL",
        "is_cb": false,
        "is_sip": false,
        "auth_time": now - 60,
        "expire_time": now + 365 * 86_400,
    })))
}
