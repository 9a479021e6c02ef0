//! `auto bench`'s stock case: a pool of 100,000 items (four batches, some sold, some
//! withdrawn) and the list endpoint's work per page on it (query, decrypting and masking the
//! page, JSON), first, middle and last pages, keyset and numbered, filtered and not; plus
//! what decrypting for masking costs and a find by code. Runs in-process on a fresh data dir.

use super::stock_list::ItemQuery;
use super::{Kind, StockInput, WithdrawRequest};
use crate::bench::{bench_product, median, open_engine};
use std::time::Instant;

/// What the stock case measured.
pub struct StockBench {
    pub items: usize,
    pub sold: usize,
    pub withdrawn: usize,
    pub import_secs: f64,
    /// (what, median ms per page, items on the page).
    pub pages: Vec<(String, f64, usize)>,
    /// Decrypting and masking one item, in microseconds (median over the pool's first 10k).
    pub unmask_us: f64,
    /// A find by exact code, median ms.
    pub find_ms: f64,
}

const BATCHES: usize = 4;
const REPEAT: usize = 30;

fn code(i: usize) -> String {
    format!("STK{i:07}-{:08X}-WXYZ", (i as u32).wrapping_mul(2654435761))
}

/// Builds the pool in `dir` and times the pages.
pub fn run(dir: &std::path::Path, items: usize, sold: usize) -> anyhow::Result<StockBench> {
    let engine = open_engine(dir)?;
    let pid = bench_product(&engine, "Bench Voucher", "BENCH-STOCK", Kind::Voucher, None)?;
    let t = Instant::now();
    let per_batch = items.div_ceil(BATCHES);
    for b in 0..BATCHES {
        let text: String = (b * per_batch..((b + 1) * per_batch).min(items))
            .map(|i| code(i) + "\n")
            .collect();
        engine.import_stock_batch(pid, StockInput::Text(text), &format!("invoice-{}", b + 1))?;
    }
    let import_secs = t.elapsed().as_secs_f64();
    // Sold items carry their order (the list joins it); withdrawn ones close the pool's end.
    for b in 0..sold.div_ceil(100) {
        let batch = (0..100.min(sold - b * 100))
            .map(|k| {
                serde_json::from_value(serde_json::json!({
                    "shop": "bench_shop", "order_sn": format!("STK{b:04}{k:03}"), "status": "READY_TO_SHIP",
                    "buyer": {"username": "buyer", "user_id": 1},
                    "lines": [{"sku": "BENCH-STOCK", "quantity": 1, "unit_price": 10000}],
                    "total": 10000, "currency": "IDR"
                }))
            })
            .collect::<Result<Vec<_>, _>>()?;
        engine.intake(batch, "bench")?;
    }
    let withdrawn = engine
        .withdraw_stock(
            pid,
            &WithdrawRequest {
                ids: None,
                batch: Some(format!("invoice-{BATCHES}")),
                count: Some(1000),
            },
        )?
        .withdrawn;

    let limit = 50i64;
    let time = |q: ItemQuery| -> anyhow::Result<(f64, usize)> {
        let mut ms = Vec::with_capacity(REPEAT);
        let mut n = 0;
        for _ in 0..REPEAT {
            let t = Instant::now();
            let page = engine.list_stock_items(pid, &q)?;
            let json = serde_json::to_vec(&page)?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            n = page.items.len();
            std::hint::black_box(json);
        }
        Ok((median(ms), n))
    };
    let q = |status: Option<&str>, batch: Option<&str>, after: Option<i64>, page: Option<i64>| {
        ItemQuery {
            status: status.map(str::to_string),
            batch: batch.map(str::to_string),
            after,
            page,
            limit: Some(limit),
        }
    };
    let total = items as i64;
    let last_page = (total + limit - 1) / limit;
    let middle_id: i64 = engine.db.read(|c| {
        Ok(c.query_row(
            "SELECT id FROM stock_items WHERE product_id = ?1 ORDER BY id LIMIT 1 OFFSET ?2",
            [pid, total / 2],
            |r| r.get(0),
        )?)
    })?;
    let available = engine.stock_counts(pid)?.available;
    let cases = vec![
        ("first page".to_string(), q(None, None, None, None)),
        (
            format!("middle page (page {})", last_page / 2),
            q(None, None, None, Some(last_page / 2)),
        ),
        (
            format!("last page (page {last_page})"),
            q(None, None, None, Some(last_page)),
        ),
        (
            "middle page by keyset (after=id)".to_string(),
            q(None, None, Some(middle_id), None),
        ),
        (
            "status=available, first page".to_string(),
            q(Some("available"), None, None, None),
        ),
        (
            "status=available, last page".to_string(),
            q(
                Some("available"),
                None,
                None,
                Some((available + limit - 1) / limit),
            ),
        ),
        (
            "status=allocated (sold, with orders)".to_string(),
            q(Some("allocated"), None, None, None),
        ),
        (
            "batch=invoice-3, middle page".to_string(),
            q(
                None,
                Some("invoice-3"),
                None,
                Some(per_batch as i64 / limit / 2),
            ),
        ),
        (
            "status=withdrawn + batch=invoice-4".to_string(),
            q(Some("withdrawn"), Some("invoice-4"), None, None),
        ),
    ];
    let mut pages = Vec::new();
    for (what, query) in cases {
        let (ms, n) = time(query)?;
        pages.push((what, ms, n));
    }

    // Decrypting and masking alone, item by item.
    let sealed: Vec<Vec<u8>> = engine.db.read(|c| {
        let mut stmt = c.prepare("SELECT secret FROM stock_items ORDER BY id LIMIT 10000")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    let mut per_item = Vec::new();
    for chunk in sealed.chunks(100) {
        let t = Instant::now();
        for s in chunk {
            let plain = engine.vault.open(s)?;
            std::hint::black_box(super::stock_mask::mask(&plain));
        }
        per_item.push(t.elapsed().as_secs_f64() * 1e6 / chunk.len() as f64);
    }
    let mut finds = Vec::new();
    for i in (0..items).step_by(items / 20 + 1) {
        let t = Instant::now();
        let found = engine.find_stock(&code(i), None)?;
        finds.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(found.len() == 1, "code {i} not found");
    }
    engine.close()?;
    Ok(StockBench {
        items,
        sold,
        withdrawn: withdrawn as usize,
        import_secs,
        pages,
        unmask_us: median(per_item),
        find_ms: median(finds),
    })
}
