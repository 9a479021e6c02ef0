//! Rebuilding from SQLite: the tables' rows give the same graph as live recording.

use std::time::Instant;

use rusqlite::{params, Connection};

use super::*;

#[test]
fn a_rebuild_from_sqlite_matches_live_recording() {
    let conn = scenario_database();
    let live_dir = tempfile::tempdir().unwrap();
    let live = open_in(&live_dir);
    record_scenario(&live);

    let dir = tempfile::tempdir().unwrap();
    let rebuilt = open_in(&dir);
    assert!(rebuilt.needs_rebuild());
    let stats = rebuilt.rebuild_from(&conn).unwrap();

    assert_eq!(stats, scenario_stats());
    assert_eq!(rebuilt.stats().unwrap(), live.stats().unwrap());
    for buyer in [alice(), bob(), anonymous()] {
        assert_eq!(
            rebuilt.buyer_history(&buyer).unwrap(),
            live.buyer_history(&buyer).unwrap(),
            "history of {buyer:?}"
        );
    }
    for product in [1, 2, 3] {
        assert_eq!(
            rebuilt.product_questions(product, 10).unwrap(),
            live.product_questions(product, 10).unwrap()
        );
    }
    assert_eq!(rebuilt.faq_never_matched(&[7, 8, 9]).unwrap(), [9]);
    assert!(!rebuilt.needs_rebuild());

    // The rebuild was saved.
    assert!(!rebuilt.sync().unwrap());
    drop(rebuilt);
    let reopened = open_in(&dir);
    assert!(!reopened.needs_rebuild());
    assert_eq!(reopened.stats().unwrap(), scenario_stats());
}

#[test]
fn a_rebuild_replaces_what_the_graph_held() {
    let conn = scenario_database();
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    memory.record_order(&alice(), "STRAY", &[42]).unwrap();

    memory.rebuild_from(&conn).unwrap();

    assert!(!memory
        .buyer_history(&alice())
        .unwrap()
        .orders
        .contains(&"STRAY".to_string()));
    assert_eq!(memory.stats().unwrap(), scenario_stats());
}

#[test]
fn a_second_rebuild_while_one_runs_is_a_conflict() {
    let conn = scenario_database();
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    memory.rebuilding.store(true, Ordering::SeqCst);

    let err = memory.rebuild_from(&conn).unwrap_err();
    assert!(matches!(err, MemoryError::RebuildRunning), "{err}");
    assert!(matches!(crate::Error::from(err), crate::Error::Conflict(_)));
    assert!(memory.needs_rebuild());
}

fn database() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(include_str!("../../../migrations/0001_catalog_orders.sql"))
        .unwrap();
    conn.execute_batch(include_str!("../../../migrations/0003_assistant.sql"))
        .unwrap();
    conn
}

/// The rows `record_scenario` records, plus rows a rebuild must leave out.
fn scenario_database() -> Connection {
    let conn = database();
    for product in 1..=3 {
        add_product(&conn, product);
    }
    for faq in [7, 8, 9] {
        add_faq(&conn, faq);
    }
    add_order(&conn, &alice(), "231101AAA", &[1, 2]);
    add_order(&conn, &alice(), "231105BBB", &[3]);
    add_order(&conn, &bob(), "231103CCC", &[1]);
    add_order(&conn, &anonymous(), "231104DDD", &[2]);

    let c1 = add_conversation(&conn, &alice(), "c-1", Some(1));
    let c2 = add_conversation(&conn, &bob(), "c-2", None);
    assert_eq!(add_message(&conn, c1, "in", Some(7)), 1);
    assert_eq!(add_message(&conn, c1, "out", None), 2);
    assert_eq!(add_message(&conn, c1, "in", None), 3);
    assert_eq!(add_message(&conn, c2, "in", None), 4);
    add_reply(&conn, c1, 3, "faq", 8, "sent");
    add_reply(&conn, c1, 1, "faq", 7, "pending");
    add_reply(&conn, c2, 4, "faq", 9, "draft");
    add_reply(&conn, c2, 4, "faq", 9, "discarded");
    add_reply(&conn, c2, 4, "llm", 9, "sent");
    conn
}

fn add_product(conn: &Connection, id: i64) {
    conn.execute(
        "INSERT INTO products (id, name, sku, kind, price_minor, currency, template, created_at,
                               updated_at)
         VALUES (?1, 'Product', 'SKU-' || ?1, 'text', 1000, 'IDR', '', 0, 0)",
        [id],
    )
    .unwrap();
}

fn add_faq(conn: &Connection, id: i64) {
    conn.execute(
        "INSERT INTO faq_entries (id, question, answer, created_at, updated_at)
         VALUES (?1, 'q', 'a', 0, 0)",
        [id],
    )
    .unwrap();
}

fn add_order(conn: &Connection, buyer: &Buyer, order_sn: &str, products: &[i64]) {
    conn.execute(
        "INSERT INTO orders (shop, order_sn, status, buyer_username, buyer_user_id, currency,
                             created_at, updated_at)
         VALUES (?1, ?2, 'delivered', ?3, ?4, 'IDR', 0, 0)",
        params![buyer.shop, order_sn, buyer.username, buyer.user_id],
    )
    .unwrap();
    let order = conn.last_insert_rowid();
    for (line, product) in products.iter().enumerate() {
        conn.execute(
            "INSERT INTO order_lines (order_id, line_no, quantity, unit_price_minor, product_id)
             VALUES (?1, ?2, 1, 1000, ?3)",
            params![order, line as i64 + 1, product],
        )
        .unwrap();
    }
    // A line Shopee sent that maps to no product adds nothing.
    conn.execute(
        "INSERT INTO order_lines (order_id, line_no, quantity, unit_price_minor)
         VALUES (?1, 99, 1, 1000)",
        [order],
    )
    .unwrap();
}

fn add_conversation(
    conn: &Connection,
    buyer: &Buyer,
    conversation_id: &str,
    product: Option<i64>,
) -> i64 {
    conn.execute(
        "INSERT INTO conversations (shop, conversation_id, buyer_username, buyer_user_id,
                                    product_id, created_at, last_message_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
        params![
            buyer.shop,
            conversation_id,
            buyer.username,
            buyer.user_id,
            product
        ],
    )
    .unwrap();
    conn.last_insert_rowid()
}

fn add_message(conn: &Connection, conversation: i64, direction: &str, faq: Option<i64>) -> i64 {
    conn.execute(
        "INSERT INTO messages (conversation_id, direction, text, faq_id, created_at, product_id)
         VALUES (?1, ?2, 'text', ?3, 0, (SELECT product_id FROM conversations WHERE id = ?1))",
        params![conversation, direction, faq],
    )
    .unwrap();
    conn.last_insert_rowid()
}

fn add_reply(
    conn: &Connection,
    conversation: i64,
    message: i64,
    source: &str,
    faq: i64,
    status: &str,
) {
    conn.execute(
        "INSERT INTO replies (conversation_id, message_id, text, source, faq_id, status,
                              created_at)
         VALUES (?1, ?2, 'text', ?3, ?4, ?5, 0)",
        params![conversation, message, source, faq, status],
    )
    .unwrap();
}

/// Rebuild, sync and reload times for a graph of about 100k vertices and 250k edges.
#[test]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
fn measure_rebuild_sync_and_reload_of_a_large_graph() {
    let conn = database();
    let started = Instant::now();
    fill_large_database(&conn);
    println!("filled SQLite in {:?}", started.elapsed());

    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    let started = Instant::now();
    let stats = memory.rebuild_from(&conn).unwrap();
    println!(
        "rebuild (with its sync): {:?}, {stats:?}",
        started.elapsed()
    );

    memory.record_order(&alice(), "ONE-MORE", &[1]).unwrap();
    let started = Instant::now();
    assert!(memory.sync().unwrap());
    let size = std::fs::metadata(graph_path(&dir)).unwrap().len();
    println!("sync: {:?}, {:.1} MB", started.elapsed(), size as f64 / 1e6);
    drop(memory);

    let started = Instant::now();
    let memory = open_in(&dir);
    println!("reload: {:?}", started.elapsed());
    assert!(!memory.needs_rebuild());
    let buyer = Buyer {
        shop: SHOP,
        username: "",
        user_id: Some(7),
    };
    let started = Instant::now();
    let history = memory.buyer_history(&buyer).unwrap();
    println!(
        "buyer_history: {:?} ({} orders, {} questions)",
        started.elapsed(),
        history.orders.len(),
        history.questions.len()
    );
    let started = Instant::now();
    let questions = memory.product_questions(7, 20).unwrap();
    println!(
        "product_questions: {:?} ({})",
        started.elapsed(),
        questions.len()
    );
    let started = Instant::now();
    let faqs: Vec<i64> = (1..=200).collect();
    let never = memory.faq_never_matched(&faqs).unwrap();
    println!(
        "faq_never_matched: {:?} ({})",
        started.elapsed(),
        never.len()
    );
}

fn fill_large_database(conn: &Connection) {
    const CUSTOMERS: i64 = 10_000;
    const ORDERS: i64 = 50_000;
    const PRODUCTS: i64 = 1_000;
    const CONVERSATIONS: i64 = 9_000;
    const QUESTIONS: i64 = 30_000;
    conn.execute_batch("BEGIN").unwrap();
    for product in 1..=PRODUCTS {
        add_product(conn, product);
    }
    for faq in 1..=200 {
        add_faq(conn, faq);
    }
    {
        let mut order = conn
            .prepare(
                "INSERT INTO orders (id, shop, order_sn, status, buyer_user_id, currency,
                                     created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'delivered', ?4, 'IDR', 0, 0)",
            )
            .unwrap();
        let mut line = conn
            .prepare(
                "INSERT INTO order_lines (order_id, line_no, quantity, unit_price_minor, product_id)
                 VALUES (?1, ?2, 1, 1000, ?3)",
            )
            .unwrap();
        for i in 1..=ORDERS {
            order
                .execute(params![i, SHOP, format!("2311{i:08}"), i % CUSTOMERS])
                .unwrap();
            line.execute(params![i, 1, i * 7 % PRODUCTS + 1]).unwrap();
            if i % 2 == 0 {
                line.execute(params![i, 2, i * 13 % PRODUCTS + 1]).unwrap();
            }
        }
        let mut conversation = conn
            .prepare(
                "INSERT INTO conversations (id, shop, conversation_id, buyer_user_id, product_id,
                                            created_at, last_message_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
            )
            .unwrap();
        for c in 1..=CONVERSATIONS {
            conversation
                .execute(params![c, SHOP, format!("c{c}"), c, c % PRODUCTS + 1])
                .unwrap();
        }
        let mut message = conn
            .prepare(
                "INSERT INTO messages (id, conversation_id, direction, text, faq_id, created_at, product_id)
                 VALUES (?1, ?2, 'in', 'text', ?3, 0, (SELECT product_id FROM conversations WHERE id = ?2))",
            )
            .unwrap();
        for m in 1..=QUESTIONS {
            let faq = (m % 3 == 0).then_some(m % 150 + 1);
            message
                .execute(params![m, m % CONVERSATIONS + 1, faq])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
}
