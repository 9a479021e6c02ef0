//! `auto bench`: intake throughput and latency, paid-to-message-ready latency and idle memory,
//! measured against a fresh data dir through real loopback HTTP, with the server in its own
//! process (so its memory is its own); then the stock list's pages on a 100k pool and the
//! orders list's pages, in-process (`--stock-only`, `--list-only` for one alone). Prints
//! figures; asserts nothing.

use crate::auth::Scope;
use crate::catalog::{Kind, Mapping, NewProduct, StockInput};
use crate::config::{Config, KeyStore};
use crate::Engine;
use anyhow::{bail, Context};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Single orders to post.
    #[arg(long, default_value_t = 4000)]
    pub orders: usize,
    /// Batches of 100 orders to post.
    #[arg(long, default_value_t = 200)]
    pub batches: usize,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Paid orders timed from POST to their delivery being handed out.
    #[arg(long, default_value_t = 500)]
    pub ready_samples: usize,
    /// Only the engine-alone figures (no server, no HTTP): what a profiler should look at.
    #[arg(long)]
    pub engine_only: bool,
    /// Items in the stock pool whose list pages are timed.
    #[arg(long, default_value_t = 100_000)]
    pub stock_items: usize,
    /// Only the stock case (list pages of a large pool).
    #[arg(long)]
    pub stock_only: bool,
    /// Orders taken in for the orders-list case (its pages timed).
    #[arg(long, default_value_t = 20_000)]
    pub list_orders: usize,
    /// Only the orders-list case.
    #[arg(long)]
    pub list_only: bool,
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.engine_only {
        return engine_only(args.orders, args.batches)
            .map(|rates| print_engine_only(args.orders, args.batches, rates));
    }
    if args.stock_only {
        return stock_pages(args.stock_items);
    }
    if args.list_only {
        return order_pages(args.list_orders);
    }
    let dir = tempdir()?;
    let keys = args.orders + args.batches * 100 + args.ready_samples + 10;
    eprintln!("setting up {} with {keys} keys...", dir.display());
    let token = setup(&dir, keys)?;
    // Short, so that the bench can watch the model being let go (the default is 10 minutes).
    std::fs::write(
        dir.join("config.toml"),
        format!("[assistant]\nrelease_model_after_secs = {MODEL_RELEASE_SECS}\n"),
    )?;
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .args([
            "--data-dir",
            dir.to_str().unwrap_or("."),
            "serve",
            "--port",
            "0",
            "--no-demo",
        ])
        .env("AUTO_KEY_STORE", "file")
        .env("AUTO_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the server")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let pid = child.id();
    let server = Server(child);
    let mut line = String::new();
    let mut stdout = BufReader::new(stdout);
    stdout.read_line(&mut line)?;
    // Keep reading what the server prints after the URL, so that it never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_string();
    if !url.starts_with("http://") {
        bail!("the server did not start: {line}");
    }
    std::thread::sleep(Duration::from_secs(1));
    let idle_rss = rss_kib(pid);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // Before any order, so that the memory graph taking in orders does not blur the figures.
    let model = rt.block_on(model_memory(&url, &token, pid));
    let result = rt.block_on(measure(url, token, args.clone()));
    let loaded_rss = rss_kib(pid);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let r = result?;
    let model = model?;
    let engine_only_rates = engine_only(args.orders, args.batches)?;

    println!(
        "AUTO bench ({} cores, server in its own process, loopback HTTP)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!("  single orders     {:>6} orders, {:>2} clients: {:>8.0} orders/s   latency p50 {:>6.2} ms  p99 {:>6.2} ms",
        args.orders, args.concurrency, r.single_rate, r.single.0, r.single.1);
    println!("  batches of 100 (new, unpaid) {:>6} orders, {:>2} clients: {:>8.0} orders/s   latency p50 {:>6.2} ms  p99 {:>6.2} ms (per batch)",
        args.batches * 100, args.concurrency, r.unpaid_rate, r.unpaid.0, r.unpaid.1);
    println!("  batches of 100 (new, paid) {:>6} orders, {:>2} clients: {:>8.0} orders/s   latency p50 {:>6.2} ms  p99 {:>6.2} ms (per batch)",
        args.batches * 100, args.concurrency, r.batch_rate, r.batch.0, r.batch.1);
    println!("  same batches sent again (idempotent): {:>8.0} orders/s   latency p50 {:>6.2} ms  p99 {:>6.2} ms (per batch)",
        r.resent_rate, r.resent.0, r.resent.1);
    println!("  paid-to-ready     {:>6} orders, sequential:  POST paid order → delivery handed out (fsynced): p50 {:.2} ms  p99 {:.2} ms",
        args.ready_samples, r.ready.0, r.ready.1);
    print_engine_only(args.orders, args.batches, engine_only_rates);
    println!(
        "  server RSS        idle {:.1} MB, after load {:.1} MB",
        idle_rss as f64 / 1024.0,
        loaded_rss as f64 / 1024.0
    );
    println!(
        "  with an FAQ       model loaded {:.1} MB; idle, model let go after {MODEL_RELEASE_SECS} s: {:.1} MB; first question after that {:.0} ms",
        model.loaded_kib as f64 / 1024.0,
        model.released_kib as f64 / 1024.0,
        model.reload_ms
    );
    stock_pages(args.stock_items)?;
    order_pages(args.list_orders)
}

/// The orders list's work per page (lines and product names included).
fn order_pages(orders: usize) -> anyhow::Result<()> {
    let dir = tempdir()?;
    eprintln!(
        "orders list: taking in {orders} orders into {}...",
        dir.display()
    );
    let result = crate::orders::bench::run(&dir, orders);
    let _ = std::fs::remove_dir_all(&dir);
    let r = result?;
    println!(
        "  orders list       {} orders of 2 lines (taken in in {:.1} s), median of 30, with JSON:",
        r.orders, r.intake_secs
    );
    for (what, ms, n) in &r.pages {
        println!("    {what:<42} {ms:>7.2} ms per page ({n} orders)");
    }
    Ok(())
}

/// The stock case: the list endpoint's work per page on a large pool.
fn stock_pages(items: usize) -> anyhow::Result<()> {
    let dir = tempdir()?;
    let sold = (items / 50).min(2000);
    eprintln!("stock: importing {items} items into {}...", dir.display());
    let result = crate::catalog::bench::run(&dir, items, sold);
    let _ = std::fs::remove_dir_all(&dir);
    let r = result?;
    println!(
        "  stock list        {} items in 4 batches ({} sold, {} withdrawn; imported in {:.1} s), 50 per page, median of 30:",
        r.items, r.sold, r.withdrawn, r.import_secs
    );
    for (what, ms, n) in &r.pages {
        println!("    {what:<42} {ms:>7.2} ms per page ({n} items)");
    }
    println!(
        "    decrypting + masking                       {:>7.2} µs per item ({:.2} ms of a 50-item page)",
        r.unmask_us,
        r.unmask_us * 50.0 / 1000.0
    );
    println!(
        "    find by exact code (fingerprint)           {:>7.3} ms",
        r.find_ms
    );
    Ok(())
}

/// The server's `release_model_after_secs` in the bench.
const MODEL_RELEASE_SECS: u64 = 2;

struct ModelMemory {
    loaded_kib: u64,
    released_kib: u64,
    reload_ms: f64,
}

/// The server's memory with the embedding model loaded (an FAQ entry added and a question
/// asked), then idle once the model has been let go, and what the next question costs.
async fn model_memory(url: &str, token: &str, pid: u32) -> anyhow::Result<ModelMemory> {
    let client = reqwest::Client::new();
    post(
        &client,
        &format!("{url}/api/v1/faq"),
        token,
        &json!({
            "question": "How long until I get my license key?",
            "variants": ["When will the key be sent?", "kapan kodenya dikirim?"],
            "answer": "Your key arrives in this chat within a minute of payment.",
        }),
    )
    .await?;
    let ask = || async {
        let t = Instant::now();
        let found = post(
            &client,
            &format!("{url}/api/v1/assistant/search"),
            token,
            &json!({"text": "when do I receive my key"}),
        )
        .await?;
        if found["mode"] != "hybrid" {
            bail!("the model is not in use: {found}");
        }
        anyhow::Ok(t.elapsed().as_secs_f64() * 1000.0)
    };
    ask().await?;
    let loaded_kib = rss_kib(pid);
    let deadline = Instant::now() + Duration::from_secs(MODEL_RELEASE_SECS + 10);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let status: Value = client
            .get(format!("{url}/api/v1/assistant/status"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        if status["search"]["model_loaded"] == false {
            break;
        }
        if Instant::now() > deadline {
            bail!("the model was not let go: {status}");
        }
    }
    let released_kib = rss_kib(pid);
    let reload_ms = ask().await?;
    Ok(ModelMemory {
        loaded_kib,
        released_kib,
        reload_ms,
    })
}

fn tempdir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "auto-bench-{}-{}",
        std::process::id(),
        crate::store::now_ms()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The engine on a bench's data dir, its key in a file (a bench machine has no keyring).
pub(crate) fn open_engine(dir: &std::path::Path) -> anyhow::Result<Engine> {
    let mut config = Config::default();
    config.secrets.key_store = KeyStore::File;
    Ok(Engine::open(dir, config, false)?)
}

/// A product for a bench: only its name, SKU, kind and mappings matter.
pub(crate) fn bench_product(
    engine: &Engine,
    name: &str,
    sku: &str,
    kind: Kind,
    mappings: Option<Vec<Mapping>>,
) -> anyhow::Result<i64> {
    let product = engine.create_product(NewProduct {
        name: name.into(),
        sku: sku.into(),
        kind,
        price: 10000.0,
        currency: "IDR".into(),
        template: None,
        content: None,
        instructions: None,
        language: Some("en".into()),
        active: None,
        low_stock_threshold: None,
        mappings,
    })?;
    Ok(product.id)
}

/// The median of timings (the middle one; 0 for none).
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn setup(dir: &std::path::Path, keys: usize) -> anyhow::Result<String> {
    let engine = open_engine(dir)?;
    let product_id = bench_product(&engine, "Bench Key", "BENCH-KEY", Kind::LicenseKey, None)?;
    let text: String = (0..keys)
        .map(|i| format!("BENCH-{i:08}-{:08X}\n", i.wrapping_mul(2654435761)))
        .collect();
    engine.import_stock(product_id, StockInput::Text(text))?;
    let token = engine.create_token(Scope::Admin, "bench")?;
    engine.close()?;
    Ok(token)
}

fn print_engine_only(orders: usize, batches: usize, (single, batched): (f64, f64)) {
    println!("  engine only, 1 thread, no HTTP: {orders:>6} single orders {single:>8.0} orders/s; {batches:>4} batches of 100 {batched:>8.0} orders/s");
}

/// The engine alone, no HTTP: the same orders through `Engine::intake`, to show where time goes.
/// `n` single orders, then `batches` batches of 100 (either may be 0, to profile the other).
fn engine_only(n: usize, batches: usize) -> anyhow::Result<(f64, f64)> {
    let dir = tempdir()?;
    setup(&dir, n + batches * 100 + 10)?;
    let mut config = Config::default();
    config.secrets.key_store = KeyStore::File;
    let engine = Engine::open(&dir, config, false)?;
    // As in the server: commits never run a checkpoint themselves.
    engine.db.checkpoint_in_background()?;
    let input = |sn: String| -> anyhow::Result<crate::orders::OrderInput> {
        Ok(serde_json::from_value(order(&sn))?)
    };
    let t = Instant::now();
    // The server checkpoints every 250 ms in the background; without it the WAL grows without
    // bound and every page read searches it (walFindFrame was an eighth of the time).
    let checkpoint = || engine.db.checkpoint_if_large(4 * 1024 * 1024);
    for i in 0..n {
        engine.intake(vec![input(format!("E{i:07}"))?], "bench")?;
        if i % 250 == 249 {
            checkpoint()?;
        }
    }
    let single = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for b in 0..batches {
        let batch = (0..100)
            .map(|k| input(format!("F{b:05}{k:03}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        engine.intake(batch, "bench")?;
        if b % 10 == 9 {
            checkpoint()?;
        }
    }
    let batched = (batches * 100) as f64 / t.elapsed().as_secs_f64();
    engine.close()?;
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
    Ok((single, batched))
}

fn order(sn: &str) -> Value {
    order_with_status(sn, "READY_TO_SHIP")
}

fn order_with_status(sn: &str, status: &str) -> Value {
    json!({
        "shop": "bench_shop", "order_sn": sn, "status": status,
        "buyer": {"username": format!("buyer_{sn}"), "user_id": 1000},
        "lines": [{"sku": "BENCH-KEY", "item_id": 1, "model_id": 2, "quantity": 1, "unit_price": 50000}],
        "total": 50000, "currency": "IDR"
    })
}

struct Results {
    single_rate: f64,
    single: (f64, f64),
    unpaid_rate: f64,
    unpaid: (f64, f64),
    batch_rate: f64,
    batch: (f64, f64),
    resent_rate: f64,
    resent: (f64, f64),
    ready: (f64, f64),
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    if ms.is_empty() {
        return (0.0, 0.0);
    }
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let at = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    (at(0.50), at(0.99))
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> anyhow::Result<Value> {
    let resp = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    let status = resp.status();
    let v: Value = resp.json().await?;
    if !status.is_success() {
        bail!("{url}: {status} {v}");
    }
    Ok(v)
}

/// Runs `per_client` requests on each of `clients` tasks; returns (wall seconds, latencies ms).
async fn fan_out<F, Fut>(clients: usize, per_client: usize, f: F) -> anyhow::Result<(f64, Vec<f64>)>
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let f = Arc::new(f);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_client);
            for i in 0..per_client {
                let t = Instant::now();
                f(c, i).await?;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((started.elapsed().as_secs_f64(), all))
}

/// Posts every pre-built batch body once from `clients` tasks; returns (seconds, latencies).
async fn post_batches(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    bodies: &Arc<Vec<Vec<Arc<String>>>>,
) -> anyhow::Result<(f64, Vec<f64>)> {
    let (cl, u, t, bodies) = (
        client.clone(),
        url.to_string(),
        token.to_string(),
        bodies.clone(),
    );
    let (clients, per) = (bodies.len(), bodies.first().map_or(0, Vec::len));
    fan_out(clients, per, move |ci, i| {
        let (cl, u, t, body) = (cl.clone(), u.clone(), t.clone(), bodies[ci][i].clone());
        async move {
            let resp = cl
                .post(&u)
                .bearer_auth(&t)
                .header("content-type", "application/json")
                .body((*body).clone())
                .send()
                .await?;
            let status = resp.status();
            let text = resp.text().await?;
            if !status.is_success() || !text.ends_with(r#""rejected":[]}"#) {
                bail!(
                    "batch not accepted whole: {status} {}",
                    &text[text.len().saturating_sub(300)..]
                );
            }
            Ok(())
        }
    })
    .await
}

async fn measure(url: String, token: String, args: BenchArgs) -> anyhow::Result<Results> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let orders_url = format!("{url}/api/v1/orders");
    let c = args.concurrency.max(1);

    let per = args.orders / c;
    let (cl, u, t) = (client.clone(), orders_url.clone(), token.clone());
    let (secs, single) = fan_out(c, per, move |ci, i| {
        let (cl, u, t) = (cl.clone(), u.clone(), t.clone());
        async move {
            post(&cl, &u, &t, &order(&format!("S{ci:02}{i:07}")))
                .await
                .map(|_| ())
        }
    })
    .await?;
    let single_rate = (per * c) as f64 / secs;

    // Bodies are built before the clock starts and answers are checked without parsing them
    // whole: the client shares the two cores with the server and should not be what is timed.
    let per = args.batches / c;
    let build = |prefix: char, status: &str| -> Arc<Vec<Vec<Arc<String>>>> {
        Arc::new(
            (0..c)
                .map(|ci| {
                    (0..per)
                        .map(|i| {
                            let orders: Vec<Value> = (0..100)
                                .map(|k| {
                                    order_with_status(
                                        &format!("{prefix}{ci:02}{i:05}{k:03}"),
                                        status,
                                    )
                                })
                                .collect();
                            Arc::new(json!({ "orders": orders }).to_string())
                        })
                        .collect()
                })
                .collect(),
        )
    };
    // Orders seen before payment: intake alone, nothing to allocate.
    let unpaid_bodies = build('U', "UNPAID");
    let (secs, unpaid) = post_batches(&client, &orders_url, &token, &unpaid_bodies).await?;
    let unpaid_rate = (per * c * 100) as f64 / secs;
    let bodies = build('B', "READY_TO_SHIP");
    let (secs, batch) = post_batches(&client, &orders_url, &token, &bodies).await?;
    let batch_rate = (per * c * 100) as f64 / secs;
    // The extension re-sends what a Seller Centre page shows on every visit: the same orders
    // again, which intake recognises and leaves as they are.
    let (secs, resent) = post_batches(&client, &orders_url, &token, &bodies).await?;
    let resent_rate = (per * c * 100) as f64 / secs;

    let mut ready = Vec::with_capacity(args.ready_samples);
    for i in 0..args.ready_samples {
        let sn = format!("R{i:07}");
        let t0 = Instant::now();
        post(&client, &orders_url, &token, &order(&sn)).await?;
        let v: Value = client
            .get(format!("{url}/api/v1/deliveries?order_sn={sn}&limit=1"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let elapsed = t0.elapsed().as_secs_f64() * 1000.0;
        let Some(id) = v["deliveries"][0]["id"].as_i64() else {
            bail!("no delivery for {sn}: {v}")
        };
        ready.push(elapsed);
        post(
            &client,
            &format!("{url}/api/v1/deliveries/{id}/confirm"),
            &token,
            &json!({}),
        )
        .await?;
    }
    Ok(Results {
        single_rate,
        single: percentiles(single),
        unpaid_rate,
        unpaid: percentiles(unpaid),
        batch_rate,
        batch: percentiles(batch),
        resent_rate,
        resent: percentiles(resent),
        ready: percentiles(ready),
    })
}

/// A process's resident memory in KiB (0 when it cannot be read).
pub(crate) fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
