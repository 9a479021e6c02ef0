//! Shared helpers for the engine's integration tests.
//!
//! The tests talk to the engine only the way a user or the extension does: through the `auto`
//! binary and real HTTP on 127.0.0.1. Nothing here knows the engine's internals, except
//! `in_process`, for the few tests that open the engine in their own process.
#![allow(dead_code)]

pub mod in_process;
pub mod llm_mock;
pub mod shopee_mock;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The engine binary under test.
pub const AUTO: &str = env!("CARGO_BIN_EXE_auto");

/// How long a freshly started server may take to print its ready line.
const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a one-shot CLI command may run.
const CLI_TIMEOUT: Duration = Duration::from_secs(120);

/// A fresh data directory for one test.
pub fn data_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("auto-test-")
        .tempdir()
        .expect("create temp data dir")
}

/// `auto --data-dir DIR` with the environment every child process gets.
pub fn auto_command(dir: &Path) -> Command {
    let mut cmd = Command::new(AUTO);
    cmd.env("AUTO_KEY_STORE", "file")
        .env_remove("AUTO_DATA_DIR")
        .env("NO_COLOR", "1")
        .arg("--data-dir")
        .arg(dir);
    cmd
}

// ---------------------------------------------------------------------------------------------
// One-shot CLI commands
// ---------------------------------------------------------------------------------------------

/// The outcome of a one-shot `auto` command.
#[derive(Debug)]
pub struct CliOutput {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl CliOutput {
    /// Panics with both streams unless the command succeeded.
    pub fn assert_success(&self, what: &str) -> &Self {
        assert!(
            self.status.success(),
            "`{what}` failed with {}\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs `auto --data-dir DIR ARGS...` to completion (bounded), capturing both streams.
pub fn run_auto(dir: &Path, args: &[&str]) -> CliOutput {
    run_command(
        auto_command(dir).args(args),
        &format!("auto {}", args.join(" ")),
    )
}

/// Runs a prepared command to completion within [`CLI_TIMEOUT`]; kills it and panics otherwise.
pub fn run_command(cmd: &mut Command, what: &str) -> CliOutput {
    run_command_within(cmd, what, CLI_TIMEOUT)
}

/// Runs a prepared command to completion within `timeout`; kills it and panics otherwise.
pub fn run_command_within(cmd: &mut Command, what: &str, timeout: Duration) -> CliOutput {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn `{what}`: {e}"));
    let out = collect(child.stdout.take().unwrap());
    let err = collect(child.stderr.take().unwrap());
    let status = wait_bounded(&mut child, timeout)
        .unwrap_or_else(|| panic!("`{what}` did not finish within {timeout:?}"));
    CliOutput {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn collect<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Waits for a child until `timeout`; on timeout the child is killed and `None` returned.
pub fn wait_bounded(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The one line a successful `auto` command printed on stdout (a token, a link).
pub fn only_line(out: &CliOutput, what: &str) -> String {
    out.assert_success(what);
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "{what} must print one line only, got {:?}",
        out.stdout
    );
    lines[0].trim().to_string()
}

/// Creates a token with `auto token create --scope SCOPE` and returns it.
pub fn token(dir: &Path, scope: &str) -> String {
    let token = only_line(
        &run_auto(dir, &["token", "create", "--scope", scope]),
        "token create",
    );
    assert!(
        !token.is_empty() && !token.contains(char::is_whitespace),
        "token looks wrong: {token:?}"
    );
    token
}

// ---------------------------------------------------------------------------------------------
// A running `auto serve`
// ---------------------------------------------------------------------------------------------

/// How to start a server.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    /// Load the demo catalog (omit `--no-demo`).
    pub demo: bool,
    /// Fixed port; `None` means `--port 0`.
    pub port: Option<u16>,
    /// Extra environment variables, e.g. `AUTO_OFFER_TIMEOUT_SECS`.
    pub env: Vec<(String, String)>,
}

impl ServeOptions {
    /// Options with one extra environment variable.
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }
}

/// A child `auto serve` process; killed when dropped.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`, without the trailing slash.
    pub url: String,
    pub port: u16,
    pub data_dir: PathBuf,
    options: ServeOptions,
    stderr: Arc<Mutex<String>>,
    extra_stdout: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `auto serve --port 0 --no-demo` on `dir` and waits for its ready line.
    pub fn start(dir: &Path) -> Server {
        Server::start_with(dir, ServeOptions::default())
    }

    /// Starts a server with explicit options and waits for its ready line.
    pub fn start_with(dir: &Path, options: ServeOptions) -> Server {
        let mut child = serve_command(dir, &options)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn auto serve: {e}"));
        let stderr = Arc::new(Mutex::new(String::new()));
        let extra_stdout = Arc::new(Mutex::new(Vec::new()));
        {
            let stderr = stderr.clone();
            let mut pipe = BufReader::new(child.stderr.take().unwrap());
            std::thread::spawn(move || {
                let mut line = Vec::new();
                while matches!(pipe.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                    stderr
                        .lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&line));
                    line.clear();
                }
            });
        }
        let (ready_tx, ready_rx) = mpsc::channel::<Option<String>>();
        {
            let extra = extra_stdout.clone();
            let pipe = BufReader::new(child.stdout.take().unwrap());
            std::thread::spawn(move || {
                let mut ready_sent = false;
                for line in pipe.lines() {
                    let Ok(line) = line else { break };
                    if !ready_sent && line.starts_with("AUTO is ready at ") {
                        ready_sent = true;
                        let _ = ready_tx.send(Some(line));
                    } else {
                        extra.lock().unwrap().push(line);
                    }
                }
                if !ready_sent {
                    let _ = ready_tx.send(None);
                }
            });
        }
        let ready =
            match ready_rx.recv_timeout(READY_TIMEOUT) {
                Ok(Some(line)) => line,
                outcome => {
                    let _ = child.kill();
                    let status = child.wait();
                    std::thread::sleep(Duration::from_millis(100));
                    panic!(
                    "auto serve did not become ready ({}; exit {:?})\nstdout:\n{:?}\nstderr:\n{}",
                    if outcome.is_err() { "timed out" } else { "stdout closed" },
                    status,
                    extra_stdout.lock().unwrap(),
                    stderr.lock().unwrap()
                );
                }
            };
        let (url, port) = parse_ready_line(&ready);
        Server {
            child: Some(child),
            url,
            port,
            data_dir: dir.to_path_buf(),
            options,
            stderr,
            extra_stdout,
        }
    }

    /// An API client for this server.
    pub fn api(&self, token: Option<&str>) -> Api {
        Api::new(&self.url, token)
    }

    /// The host:port this server listens on.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The operating-system process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("server running").id()
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Stdout lines other than the ready line.
    pub fn extra_stdout(&self) -> Vec<String> {
        self.extra_stdout.lock().unwrap().clone()
    }

    /// SIGKILLs the process (a crash) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM and waits (bounded) for the process to exit; returns its exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("server running");
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill -TERM");
        assert!(sent.success(), "kill -TERM failed");
        match wait_bounded(&mut child, Duration::from_secs(30)) {
            Some(status) => status,
            None => panic!(
                "auto serve did not exit within 30 s of SIGTERM\n{}",
                self.stderr()
            ),
        }
    }

    /// Crashes the server (SIGKILL) and starts a new one on the same data dir and options.
    pub fn restart(&mut self) {
        self.kill();
        let next = Server::start_with(&self.data_dir, self.options.clone());
        let old = std::mem::replace(self, next);
        drop(old);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn serve_command(dir: &Path, options: &ServeOptions) -> Command {
    let mut cmd = auto_command(dir);
    let port = options.port.unwrap_or(0).to_string();
    cmd.args(["serve", "--port", &port]);
    if !options.demo {
        cmd.arg("--no-demo");
    }
    for (k, v) in &options.env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Spawns `auto serve` without waiting for readiness (for tests that expect it to fail).
pub fn spawn_serve(dir: &Path, options: &ServeOptions) -> Child {
    serve_command(dir, options)
        .spawn()
        .expect("spawn auto serve")
}

fn parse_ready_line(line: &str) -> (String, u16) {
    let url = line.strip_prefix("AUTO is ready at ").unwrap().trim_end();
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.strip_suffix('/'))
        .unwrap_or_else(|| panic!("ready line has an unexpected URL: {line:?}"));
    let port: u16 = rest
        .parse()
        .unwrap_or_else(|_| panic!("bad port in ready line {line:?}"));
    assert_ne!(port, 0, "ready line must name the real port");
    (format!("http://127.0.0.1:{port}"), port)
}

// ---------------------------------------------------------------------------------------------
// JSON client
// ---------------------------------------------------------------------------------------------

/// A small JSON client for the engine's HTTP API. Paths are absolute (`/api/v1/...`).
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub token: Option<String>,
    http: reqwest::Client,
}

/// A response: status, lower-cased headers, and the body as JSON (`Null` when empty, a JSON
/// string when the body is not JSON).
pub type Reply = (StatusCode, Value);

impl Api {
    /// A client for `base` (`http://127.0.0.1:PORT`) with an optional bearer token.
    pub fn new(base: &str, token: Option<&str>) -> Api {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("build http client");
        Api {
            base: base.trim_end_matches('/').to_string(),
            token: token.map(str::to_string),
            http,
        }
    }

    /// The same token against another server (e.g. after a restart on a new port).
    pub fn with_base(&self, base: &str) -> Api {
        Api {
            base: base.trim_end_matches('/').to_string(),
            ..self.clone()
        }
    }

    /// The same server with another token (or none).
    pub fn with_token(&self, token: Option<&str>) -> Api {
        Api {
            token: token.map(str::to_string),
            ..self.clone()
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// Like `post`, but a transport error (server gone) is returned instead of panicking.
    pub async fn try_post(&self, path: &str, body: &Value) -> Result<Reply, reqwest::Error> {
        self.try_send(Method::POST, path, Some(body)).await
    }

    /// Like `get`, but a transport error (server gone) is returned instead of panicking.
    pub async fn try_get(&self, path: &str) -> Result<Reply, reqwest::Error> {
        self.try_send(Method::GET, path, None).await
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        match self.try_send(method.clone(), path, body).await {
            Ok(reply) => reply,
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    async fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, reqwest::Error> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await?;
        let status = resp.status();
        Ok((status, body_json(&resp.bytes().await?)))
    }

    /// Sends a raw body with an explicit content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
    ) -> Reply {
        let (status, _, value) = self
            .request(
                method,
                path,
                &[("content-type", content_type)],
                Some(body.into()),
            )
            .await;
        (status, value)
    }

    /// Sends a request with extra headers; returns the response headers too.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        (
            status,
            headers,
            body_json(&resp.bytes().await.expect("read body")),
        )
    }
}

fn body_json(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// Asserts an error reply: status, `error.code`, and a non-empty `error.message`.
#[track_caller]
pub fn assert_error(reply: &Reply, status: u16, code: &str) {
    let (s, body) = reply;
    assert_eq!(
        s.as_u16(),
        status,
        "expected {status} {code}, got {s} {body}"
    );
    assert_eq!(body["error"]["code"], code, "wrong error code in {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error without a message: {body}"
    );
}

/// Asserts a 2xx reply and returns its body.
#[track_caller]
pub fn ok(reply: Reply) -> Value {
    assert!(
        reply.0.is_success(),
        "expected success, got {} {}",
        reply.0,
        reply.1
    );
    reply.1
}

/// An id of the same shape as `existing` that names nothing (for 404 checks).
pub fn unknown_id_like(existing: &str) -> String {
    if existing.bytes().all(|b| b.is_ascii_digit()) {
        return "999999999".to_string();
    }
    let (prefix, rest) = match existing.rfind('_') {
        Some(at) => existing.split_at(at + 1),
        None => ("", existing),
    };
    let zeroed: String = rest
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { '0' } else { c })
        .collect();
    format!("{prefix}{zeroed}")
}

/// A JSON id (number or string) as it appears in a URL path.
pub fn id_of(v: &Value) -> String {
    match &v["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("object has no id: {other} in {v}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP (for Host headers and oversized bodies, where a high-level client gets in the way)
// ---------------------------------------------------------------------------------------------

/// A response read off a raw socket. `status` is 0 when the server sent nothing parseable.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Value,
}

/// How a raw request body is framed.
pub enum RawBody {
    None,
    Sized(Vec<u8>),
    Chunked(Vec<u8>),
}

/// Sends one HTTP/1.1 request over a fresh TCP connection, writing the body while reading the
/// response so an early rejection is seen even if the server stops reading.
pub async fn raw_http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: RawBody,
) -> RawResponse {
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match &body {
        RawBody::None => {}
        RawBody::Sized(b) => head.push_str(&format!("content-length: {}\r\n", b.len())),
        RawBody::Chunked(_) => head.push_str("transfer-encoding: chunked\r\n"),
    }
    head.push_str("connection: close\r\n\r\n");
    let (addr, what) = (addr.to_string(), format!("{method} {path}"));
    tokio::task::spawn_blocking(move || raw_exchange(&addr, head, body, &what))
        .await
        .expect("raw http thread")
}

fn raw_exchange(addr: &str, head: String, body: RawBody, what: &str) -> RawResponse {
    use std::io::Write;
    let stream = std::net::TcpStream::connect(addr).expect("connect");
    let mut wr = stream.try_clone().expect("clone socket");
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        wr.write_all(head.as_bytes())?;
        match body {
            RawBody::None => {}
            RawBody::Sized(b) => {
                for chunk in b.chunks(64 * 1024) {
                    wr.write_all(chunk)?;
                }
            }
            RawBody::Chunked(b) => {
                for chunk in b.chunks(64 * 1024) {
                    wr.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                    wr.write_all(chunk)?;
                    wr.write_all(b"\r\n")?;
                }
                wr.write_all(b"0\r\n\r\n")?;
            }
        }
        wr.flush()
    });
    let mut rd = stream;
    rd.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    while !response_complete(&buf) {
        assert!(
            Instant::now() < deadline,
            "no complete response within 60 s for {what}"
        );
        match rd.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    // Unblock a writer still pushing a body the server no longer reads.
    let _ = rd.shutdown(std::net::Shutdown::Both);
    let _ = writer.join();
    parse_raw_response(&buf)
}

fn split_head(buf: &[u8]) -> Option<(String, &[u8])> {
    let pos = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some((
        String::from_utf8_lossy(&buf[..pos]).into_owned(),
        &buf[pos + 4..],
    ))
}

fn response_complete(buf: &[u8]) -> bool {
    let Some((head, rest)) = split_head(buf) else {
        return false;
    };
    let head = head.to_ascii_lowercase();
    if let Some(len) = head.lines().find_map(|l| l.strip_prefix("content-length:")) {
        return rest.len() >= len.trim().parse::<usize>().unwrap_or(usize::MAX);
    }
    if head.contains("transfer-encoding: chunked") {
        return rest.ends_with(b"0\r\n\r\n");
    }
    false
}

fn parse_raw_response(buf: &[u8]) -> RawResponse {
    let Some((head, rest)) = split_head(buf) else {
        return RawResponse {
            status: 0,
            headers: HashMap::new(),
            body: Value::Null,
        };
    };
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    RawResponse {
        status,
        headers,
        body: body_json(&body),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(pos) = data.windows(2).position(|w| w == b"\r\n") {
        let size_line = String::from_utf8_lossy(&data[..pos]).into_owned();
        let size =
            usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16).unwrap_or(0);
        data = &data[pos + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Builders and domain helpers
// ---------------------------------------------------------------------------------------------

/// A license-key product body with the given SKU.
pub fn product_body(sku: &str) -> Value {
    json!({
        "name": format!("Product {sku}"),
        "sku": sku,
        "kind": "license_key",
        "price": 150000,
        "currency": "IDR",
    })
}

/// An order body with one line.
pub fn order(shop: &str, order_sn: &str, status: &str, sku: &str, quantity: i64) -> Value {
    json!({
        "shop": shop,
        "order_sn": order_sn,
        "status": status,
        "buyer": { "username": format!("buyer_{}", order_sn.to_lowercase()), "user_id": buyer_id(order_sn) },
        "lines": [{ "sku": sku, "quantity": quantity, "unit_price": 150000 }],
        "total": 150000 * quantity,
        "currency": "IDR",
    })
}

/// A paid order with one line.
pub fn paid_order(shop: &str, order_sn: &str, sku: &str, quantity: i64) -> Value {
    order(shop, order_sn, "paid", sku, quantity)
}

fn buyer_id(order_sn: &str) -> u64 {
    order_sn
        .bytes()
        .fold(1000u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
        % 1_000_000_000
}

/// `n` unique keys `PREFIX-000001-XXXXX` (same length, so none is a substring of another).
pub fn make_keys(prefix: &str, n: usize) -> Vec<String> {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|i| {
            let tail: String = (0..5)
                .map(|_| rng.sample(rand::distributions::Alphanumeric) as char)
                .collect();
            format!("{prefix}-{i:06}-{}", tail.to_uppercase())
        })
        .collect()
}

/// Every key made by [`make_keys`] with `prefix` that occurs in `text`: exactly
/// `PREFIX-DDDDDD-XXXXX`, so a SKU or order number that shares the prefix is not mistaken for one.
pub fn keys_in(text: &str, prefix: &str) -> Vec<String> {
    let marker = format!("{prefix}-");
    text.match_indices(&marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            let digits = rest.get(..6)?;
            let tail = rest.get(7..12)?;
            let well_formed = digits.bytes().all(|b| b.is_ascii_digit())
                && rest.as_bytes()[6] == b'-'
                && tail.bytes().all(|b| b.is_ascii_alphanumeric())
                && !rest[12..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-');
            well_formed.then(|| format!("{marker}{}", &rest[..12]))
        })
        .collect()
}

/// Creates a product (asserting 201) and returns it.
pub async fn create_product(api: &Api, body: &Value) -> Value {
    let (status, product) = api.post("/api/v1/products", body).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "create product {body}: {product}"
    );
    product
}

/// Imports key strings as JSON stock (asserting 200) and returns the import summary.
pub async fn import_keys(api: &Api, product_id: &str, keys: &[String]) -> Value {
    let (status, summary) = api
        .post(
            &format!("/api/v1/products/{product_id}/stock"),
            &json!({ "items": keys }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "import stock: {summary}");
    summary
}

/// The stock counts of a product.
pub async fn stock(api: &Api, product_id: &str) -> Value {
    ok(api
        .get(&format!("/api/v1/products/{product_id}/stock"))
        .await)
}

/// Posts one order (asserting 200) and returns the `order` object.
pub async fn post_order(api: &Api, body: &Value) -> Value {
    let (status, reply) = api.post("/api/v1/orders", body).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "post order {}: {reply}",
        body["order_sn"]
    );
    assert!(reply["order"].is_object(), "reply without order: {reply}");
    reply["order"].clone()
}

/// An order's detail (order fields plus `trail` and `deliveries`), optionally revealed.
pub async fn order_detail(api: &Api, id: &str, reveal: bool) -> Value {
    let path = if reveal {
        format!("/api/v1/orders/{id}?reveal=true")
    } else {
        format!("/api/v1/orders/{id}")
    };
    let mut detail = ok(api.get(&path).await);
    // The detail is "the order plus trail and deliveries"; accept it flat or under "order".
    if let Some(inner) = detail.get("order").filter(|o| o.is_object()).cloned() {
        let mut merged = inner;
        for key in ["trail", "deliveries"] {
            if let Some(v) = detail.get(key) {
                merged[key] = v.clone();
            }
        }
        detail = merged;
    }
    assert!(
        detail["trail"].is_array() && detail["deliveries"].is_array(),
        "order detail shape: {detail}"
    );
    detail
}

/// Every order matching `query` (e.g. `status=paid`), following cursors to the end.
pub async fn list_all_orders(api: &Api, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    let mut seen_cursors = BTreeSet::new();
    for _ in 0..1000 {
        let mut path = format!("/api/v1/orders?limit=100&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", urlencode(c)));
        }
        let page = ok(api.get(&path).await);
        all.extend(
            page["orders"]
                .as_array()
                .unwrap_or_else(|| panic!("no orders array: {page}"))
                .iter()
                .cloned(),
        );
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert!(
                    seen_cursors.insert(next.to_string()),
                    "cursor {next} repeated"
                );
                cursor = Some(next.to_string());
            }
            None => return all,
        }
    }
    panic!("more than 1000 pages of orders");
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Fetches pending deliveries and confirms each one until a fetch comes back empty.
/// Returns every delivery as fetched (with its message).
pub async fn drain_deliveries(ext: &Api) -> Vec<Value> {
    let mut fetched = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            Instant::now() < deadline,
            "draining deliveries took over 120 s"
        );
        let page = ok(ext.get("/api/v1/deliveries?status=pending&limit=50").await);
        let batch = page["deliveries"]
            .as_array()
            .unwrap_or_else(|| panic!("no deliveries array: {page}"))
            .clone();
        if batch.is_empty() {
            return fetched;
        }
        for d in batch {
            confirm(ext, &id_of(&d)).await;
            fetched.push(d);
        }
    }
}

/// Confirms a delivery (asserting 200 and status `sent`); returns the reply.
pub async fn confirm(ext: &Api, delivery_id: &str) -> Value {
    let (status, reply) = ext
        .post(
            &format!("/api/v1/deliveries/{delivery_id}/confirm"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "confirm {delivery_id}: {reply}");
    assert_eq!(
        reply["delivery"]["status"], "sent",
        "confirm reply: {reply}"
    );
    reply
}

/// Polls `probe` every 100 ms until it yields a value or `timeout` passes (then panics).
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A fresh server on a fresh dir with an admin token: the usual start of a test.
pub struct Fixture {
    pub server: Server,
    pub admin: Api,
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with(ServeOptions::default())
    }

    pub fn with(options: ServeOptions) -> Fixture {
        let dir = data_dir();
        let server = Server::start_with(dir.path(), options);
        let admin = server.api(Some(&token(dir.path(), "admin")));
        Fixture { server, admin, dir }
    }

    /// A client holding a new extension-scoped token.
    pub fn extension(&self) -> Api {
        self.server.api(Some(&token(self.dir.path(), "extension")))
    }
}

/// The codes of an order's trail events (`GET /orders/{id}`'s `trail`), oldest first.
pub fn trail_codes_of(detail: &Value) -> Vec<String> {
    detail["trail"]
        .as_array()
        .expect("the order's trail")
        .iter()
        .filter_map(|e| e["code"].as_str().map(str::to_string))
        .collect()
}

/// A message's length as Shopee's chat counts it (UTF-16 code units): the tests' own count,
/// not the engine's.
pub fn chat_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// A JSON list of strings (a message's chat parts, as the API returns them).
pub fn texts(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|p| p.as_str().expect("a part is text").to_string())
        .collect()
}

/// Every part of a message cut for the chat is within `limit` and not blank.
#[track_caller]
pub fn assert_parts_fit(parts: &[String], limit: usize) {
    for p in parts {
        assert!(
            chat_len(p) <= limit,
            "a part of {} > {limit}: {p:?}",
            chat_len(p)
        );
        assert!(!p.trim().is_empty(), "a blank part: {parts:#?}");
    }
}
