//! `auto bench`'s orders-list case: many orders (two lines each, one matched by its Shopee
//! item and model, one by SKU) and the list endpoint's work per page (query, lines with their
//! product names, JSON): first, middle and filtered pages, 50 and 500 per page. Runs in-process
//! on a fresh data dir.

use super::OrderFilter;
use crate::bench::{bench_product, median, open_engine};
use crate::catalog::{Kind, Mapping, StockInput};
use crate::Engine;
use std::time::Instant;

/// What the orders-list case measured.
pub struct OrdersBench {
    pub orders: usize,
    pub intake_secs: f64,
    /// (what, median ms per page, orders on the page).
    pub pages: Vec<(String, f64, usize)>,
}

const REPEAT: usize = 30;

fn product(engine: &Engine, name: &str, sku: &str, mappings: Vec<Mapping>) -> anyhow::Result<i64> {
    bench_product(engine, name, sku, Kind::Voucher, Some(mappings))
}

/// Takes in `orders` orders in `dir` and times the list's pages.
pub fn run(dir: &std::path::Path, orders: usize) -> anyhow::Result<OrdersBench> {
    let engine = open_engine(dir)?;
    let by_item = product(
        &engine,
        "Steam Wallet 100k",
        "STEAM-100K",
        vec![Mapping {
            shop: None,
            item_id: Some(777),
            model_id: Some(888),
            sku: None,
        }],
    )?;
    let by_sku = product(&engine, "Netflix 1 Month", "NFX-1M", Vec::new())?;
    // Enough stock that every other order is delivered; the rest wait for stock (a realistic
    // mix of statuses and attention reasons).
    for (pid, prefix) in [(by_item, "STM"), (by_sku, "NFX")] {
        let text: String = (0..orders / 2)
            .map(|i| {
                format!(
                    "{prefix}{i:07}-{:08X}\n",
                    (i as u32).wrapping_mul(2654435761)
                )
            })
            .collect();
        engine.import_stock(pid, StockInput::Text(text))?;
    }
    let t = Instant::now();
    for b in 0..orders.div_ceil(100) {
        let batch = (0..100.min(orders - b * 100))
            .map(|k| {
                serde_json::from_value(serde_json::json!({
                    "shop": "bench_shop", "order_sn": format!("ORD{b:05}{k:03}"), "status": "READY_TO_SHIP",
                    "buyer": {"username": format!("buyer{k}"), "user_id": 1},
                    "lines": [
                        {"item_id": 777, "model_id": 888, "quantity": 1, "unit_price": 10000},
                        {"sku": "NFX-1M", "quantity": 1, "unit_price": 10000}
                    ],
                    "total": 20000, "currency": "IDR"
                }))
            })
            .collect::<Result<Vec<_>, _>>()?;
        engine.intake(batch, "bench")?;
    }
    let intake_secs = t.elapsed().as_secs_f64();
    let newest = engine.list_orders(&OrderFilter::default())?;
    let middle = newest
        .orders
        .first()
        .map(|o| (o.id - orders as i64 / 2).to_string());
    let cases: Vec<(&str, OrderFilter)> = vec![
        ("newest, 50", OrderFilter::default()),
        (
            "middle (cursor), 50",
            OrderFilter {
                cursor: middle,
                ..OrderFilter::default()
            },
        ),
        (
            "needs_attention, 50",
            OrderFilter {
                status: Some("needs_attention".into()),
                ..OrderFilter::default()
            },
        ),
        (
            "newest, 500",
            OrderFilter {
                limit: Some(500),
                ..OrderFilter::default()
            },
        ),
    ];
    let mut pages = Vec::new();
    for (what, filter) in cases {
        let mut times = Vec::with_capacity(REPEAT);
        let mut n = 0;
        for _ in 0..REPEAT {
            let t = Instant::now();
            let page = engine.list_orders(&filter)?;
            // The JSON the endpoint writes is part of its work per page.
            let json = serde_json::to_vec(&page)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            n = page.orders.len();
            std::hint::black_box(json);
        }
        pages.push((what.to_string(), median(times), n));
    }
    engine.close()?;
    Ok(OrdersBench {
        orders,
        intake_secs,
        pages,
    })
}
