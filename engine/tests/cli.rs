//! The `auto` command line: serving, tokens, stock import, export, backup and restore.

use crate::support;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use support::*;

const SHOP: &str = "shopee-id-cli";

/// Spawns a `serve` that is expected to refuse to start; returns its stderr.
fn serve_expecting_failure(dir: &std::path::Path, options: &ServeOptions) -> String {
    let mut cmd = auto_command(dir);
    cmd.args([
        "serve",
        "--port",
        &options.port.unwrap_or(0).to_string(),
        "--no-demo",
    ]);
    let out = run_command_within(
        &mut cmd,
        "auto serve (expected to fail)",
        Duration::from_secs(60),
    );
    assert!(
        !out.status.success(),
        "serve should have failed\nstdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    assert!(
        !out.stdout.contains("AUTO is ready"),
        "a refused server must not claim to be ready: {}",
        out.stdout
    );
    out.stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn serve_on_a_busy_port_says_the_port_is_in_use() {
    let dir = data_dir();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let stderr = serve_expecting_failure(
        dir.path(),
        &ServeOptions {
            port: Some(port),
            ..Default::default()
        },
    );
    assert!(
        stderr.contains("in use"),
        "stderr should say the port is in use:\n{stderr}"
    );
    assert!(
        stderr.contains(&port.to_string()),
        "and name the port:\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_server_on_the_same_data_dir_is_refused_and_sigterm_stops_the_first_cleanly() {
    let fx = Fixture::new();
    let stderr = serve_expecting_failure(fx.dir.path(), &ServeOptions::default());
    assert!(stderr.contains("already running"), "stderr:\n{stderr}");
    assert_eq!(
        ok(fx.admin.get("/api/v1/health").await)["status"],
        "ok",
        "the first server is untouched"
    );

    let mut server = fx.server;
    let status = server.terminate();
    assert!(
        status.success(),
        "SIGTERM should end serve cleanly, got {status}\n{}",
        server.stderr()
    );
    let extra = server.extra_stdout();
    assert!(
        extra.len() == 1 && extra[0].starts_with("Sign in: http://127.0.0.1:"),
        "stdout holds only the ready line and the sign-in link: {extra:?}"
    );
    // The lock went with it: the data dir can be served again.
    let again = Server::start(fx.dir.path());
    assert_eq!(
        ok(again.api(None).get("/api/v1/health").await)["status"],
        "ok"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn token_create_prints_a_working_token_while_the_server_runs() {
    let fx = Fixture::new();
    let out = run_auto(
        fx.dir.path(),
        &[
            "token",
            "create",
            "--scope",
            "admin",
            "--label",
            "laptop UI",
        ],
    );
    out.assert_success("token create --label");
    let labelled = fx.admin.with_token(Some(out.stdout.trim()));
    assert_eq!(
        out.stdout.trim_end().lines().count(),
        1,
        "only the token: {:?}",
        out.stdout
    );
    assert!(ok(labelled.get("/api/v1/products").await)["products"].is_array());

    let ext = fx
        .admin
        .with_token(Some(&token(fx.dir.path(), "extension")));
    assert_error(&ext.get("/api/v1/products").await, 403, "forbidden");
    assert!(
        !run_auto(fx.dir.path(), &["token", "create", "--scope", "root"])
            .status
            .success(),
        "unknown scope"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn import_stock_reads_a_text_file_by_sku_or_product_id() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("CLI-KEY")).await);
    let mut server = fx.server;
    assert!(server.terminate().success());

    let file = fx.dir.path().join("keys.txt");
    std::fs::write(&file, "CLI-K-1\n\nCLI-K-2\r\nCLI-K-3\nCLI-K-1\n").unwrap();
    let out = run_auto(
        fx.dir.path(),
        &["import-stock", "CLI-KEY", file.to_str().unwrap()],
    );
    out.assert_success("import-stock by sku");
    assert!(out.stdout.contains("imported 3"), "summary: {}", out.stdout);
    std::fs::write(&file, "CLI-K-4\nCLI-K-2\n").unwrap();
    let out = run_auto(
        fx.dir.path(),
        &["import-stock", &pid, file.to_str().unwrap()],
    );
    out.assert_success("import-stock by id");
    assert!(out.stdout.contains("imported 1"), "summary: {}", out.stdout);
    assert!(!run_auto(
        fx.dir.path(),
        &["import-stock", "NO-SUCH-SKU", file.to_str().unwrap()]
    )
    .status
    .success());

    let server = Server::start(fx.dir.path());
    let counts = stock(&fx.admin.with_base(&server.url), &pid).await;
    assert_eq!(counts["available"], 4, "{counts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn export_orders_writes_csv_with_every_order_and_its_status() {
    let fx = Fixture::new();
    let name = "Steam \"Wallet\", 100k — Thẻ nạp Việt ไทย 😀";
    let mut product = product_body("EXP-KEY");
    product["name"] = json!(name);
    let pid = id_of(&create_product(&fx.admin, &product).await);
    import_keys(&fx.admin, &pid, &make_keys("EXK", 2)).await;
    let mut other = product_body("EXP-TWO");
    other["name"] = json!("Netflix, 1 bulan");
    create_product(&fx.admin, &other).await;
    let mut expected = BTreeMap::new();
    for (sn, status, sku) in [
        ("EXP-1", "unpaid", "EXP-KEY"),
        ("EXP-2", "paid", "EXP-KEY"),
        ("EXP-3", "paid", "EXP-KEY"),
        ("EXP-4", "cancelled", "EXP-KEY"),
        ("EXP-5", "unpaid", "EXP-NOBODY"),
        ("EXP-6", "unpaid", "EXP-KEY"),
    ] {
        let mut body = order(SHOP, sn, status, sku, 1);
        body["buyer"]["username"] = json!("pembeli, \"quoted\" 😀");
        if sn == "EXP-6" {
            body["lines"]
                .as_array_mut()
                .unwrap()
                .push(json!({ "sku": "EXP-TWO", "quantity": 1, "unit_price": 150000 }));
            body["total"] = json!(300000);
        }
        let o = post_order(&fx.admin, &body).await;
        let products = match sn {
            "EXP-5" => String::new(),
            "EXP-6" => format!("{name} | Netflix, 1 bulan"),
            _ => name.to_string(),
        };
        expected.insert(
            sn.to_string(),
            (o["status"].as_str().unwrap().to_string(), products),
        );
    }
    let out = run_auto(fx.dir.path(), &["export", "orders", "--csv"]);
    out.assert_success("export orders --csv");
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    let header = reader.headers().expect("csv header").clone();
    // Readers by position keep working: the old columns in their old places, the new at the end.
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        [
            "order_sn",
            "shop",
            "status",
            "attention_reason",
            "buyer_username",
            "buyer_user_id",
            "skus",
            "quantity",
            "total",
            "currency",
            "created_at",
            "paid_at",
            "products",
        ]
    );
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column: {header:?}"))
    };
    let (sn_col, status_col, products_col) = (col("order_sn"), col("status"), col("products"));
    let mut got = BTreeMap::new();
    for row in reader.records() {
        let row = row.expect("well-formed csv row");
        assert_eq!(row.len(), header.len(), "{row:?}");
        got.insert(
            row[sn_col].to_string(),
            (row[status_col].to_string(), row[products_col].to_string()),
        );
    }
    assert_eq!(got, expected);
}

async fn snapshot(api: &Api) -> (Value, Vec<Value>) {
    let mut products = ok(api.get("/api/v1/products").await)["products"].clone();
    products
        .as_array_mut()
        .unwrap()
        .sort_by_key(|p| p["sku"].as_str().unwrap().to_string());
    let mut orders = Vec::new();
    for o in list_all_orders(api, "").await {
        orders.push(order_detail(api, &id_of(&o), true).await);
    }
    orders.sort_by_key(|o| o["order_sn"].as_str().unwrap().to_string());
    (products, orders)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_restored_into_a_fresh_data_dir_has_the_same_products_orders_and_stock() {
    let fx = Fixture::new();
    let ext = fx.extension();
    for sku in ["BAK-A", "BAK-B"] {
        let pid = id_of(&create_product(&fx.admin, &product_body(sku)).await);
        import_keys(&fx.admin, &pid, &make_keys(&format!("{sku}K"), 4)).await;
    }
    for i in 0..6u32 {
        let status = if i.is_multiple_of(3) {
            "unpaid"
        } else {
            "paid"
        };
        post_order(
            &ext,
            &order(
                SHOP,
                &format!("BAK-{i}"),
                status,
                if i.is_multiple_of(2) {
                    "BAK-A"
                } else {
                    "BAK-B"
                },
                1,
            ),
        )
        .await;
    }
    drain_deliveries(&ext).await;
    let before = snapshot(&fx.admin).await;

    let elsewhere = data_dir();
    let backup = elsewhere.path().join("auto-backup.bin");
    run_auto(fx.dir.path(), &["backup", backup.to_str().unwrap()]).assert_success("backup");
    let busy = run_auto(fx.dir.path(), &["restore", backup.to_str().unwrap()]);
    assert!(
        !busy.status.success(),
        "restore must refuse while a server runs on the dir"
    );
    assert_eq!(
        snapshot(&fx.admin).await,
        before,
        "the refused restore changed nothing"
    );

    let fresh = data_dir();
    run_auto(fresh.path(), &["restore", backup.to_str().unwrap()]).assert_success("restore");
    let server = Server::start(fresh.path());
    let admin = server.api(Some(&token(fresh.path(), "admin")));
    assert_eq!(snapshot(&admin).await, before);

    // The restored stock is usable: a new order gets a key from the backup.
    let o = post_order(&admin, &paid_order(SHOP, "BAK-NEW", "BAK-A", 1)).await;
    assert_eq!(o["status"], "delivering", "{o}");
    let detail = order_detail(&admin, &id_of(&o), true).await;
    assert_eq!(
        keys_in(
            detail["deliveries"][0]["message"].as_str().unwrap(),
            "BAK-AK"
        )
        .len(),
        1,
        "{detail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_first_start_loads_the_demo_catalog_once() {
    let dir = data_dir();
    let demo = ServeOptions {
        demo: true,
        ..Default::default()
    };
    let mut server = Server::start_with(dir.path(), demo.clone());
    let admin = server.api(Some(&token(dir.path(), "admin")));
    let first = ok(admin.get("/api/v1/products").await)["products"]
        .as_array()
        .unwrap()
        .len();
    assert!(
        first >= 2,
        "the demo catalog has several products, got {first}"
    );
    server.restart();
    let admin = admin.with_base(&server.url);
    let again = ok(admin.get("/api/v1/products").await)["products"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(again, first, "a second start does not load the demo again");

    let plain = data_dir();
    let server = Server::start(plain.path());
    let admin = server.api(Some(&token(plain.path(), "admin")));
    assert!(
        ok(admin.get("/api/v1/products").await)["products"]
            .as_array()
            .unwrap()
            .is_empty(),
        "--no-demo"
    );
}

/// A small labelled set in banking77's `text,category` form: seven intents of a digital-goods
/// shop, the first five questions of each are the FAQ, then calibration and test questions.
const LABELLED: &[(&str, [&str; 9])] = &[
    (
        "account_login",
        [
            "How do I log in to the account I bought?",
            "Where are the login details for my account?",
            "The account password you sent does not work",
            "I can't sign in to the Netflix account",
            "What email do I use to sign in?",
            "Login failed with the credentials from the chat",
            "Which username goes with the account?",
            "My sign in keeps getting rejected",
            "how do i sign into the account from my order",
        ],
    ),
    (
        "activation",
        [
            "How do I activate Windows with the key?",
            "Where do I enter the product key?",
            "Steps to activate Office with this code",
            "How to redeem the license key?",
            "Activation instructions please",
            "How do I use the code to activate?",
            "Where do I type the activation code?",
            "What are the steps to redeem my key",
            "how to activate the software with my key",
        ],
    ),
    (
        "delivery_time",
        [
            "How long until I receive my code?",
            "When will the key be sent?",
            "I paid, when do I get my voucher?",
            "How fast is delivery after payment?",
            "When does the code arrive in chat?",
            "How many minutes until the key comes?",
            "I already paid but have no code yet",
            "When is my license delivered?",
            "how soon do i get the voucher after paying",
        ],
    ),
    (
        "payment_method",
        [
            "Can I pay with GoPay?",
            "Which payment methods do you accept?",
            "Is bank transfer possible?",
            "Can I pay by credit card?",
            "Do you take ShopeePay?",
            "Can I pay using OVO?",
            "Is cash on delivery available?",
            "What ways can I pay for the order?",
            "can i use dana to pay",
        ],
    ),
    (
        "refund",
        [
            "Can I get a refund?",
            "I want my money back",
            "How do I return an unused key?",
            "Is a refund possible if I change my mind?",
            "Refund policy for digital products?",
            "Can I cancel and be refunded?",
            "Will you refund a key I did not use?",
            "How long does a refund take?",
            "i would like to get refunded for my order",
        ],
    ),
    (
        "region",
        [
            "Does this key work in Indonesia?",
            "Is the voucher region locked?",
            "Can I use the code outside Malaysia?",
            "Which countries is this key valid in?",
            "Is it a global key?",
            "Will the code work on an Asia server?",
            "Is the gift card only for one region?",
            "Does it work in Vietnam?",
            "is this code region free",
        ],
    ),
    (
        "warranty",
        [
            "Is there a warranty if the key stops working?",
            "What if the account gets banned?",
            "Do you replace a key that doesn't work?",
            "How long is the warranty?",
            "My code stopped working after a week",
            "Is the account guaranteed?",
            "Will you give a new key if this one fails?",
            "What does the guarantee cover?",
            "the key worked once and now says invalid, can you replace it",
        ],
    ),
];

#[test]
fn eval_faq_measures_answers_and_declining_on_a_labelled_set() {
    let dir = data_dir();
    let (mut train, mut test) = (
        String::from("text,category\n"),
        String::from("text,category\n"),
    );
    for (intent, questions) in LABELLED {
        for (i, q) in questions.iter().enumerate() {
            let line = format!("\"{q}\",{intent}\n");
            if i < 7 {
                train.push_str(&line)
            } else {
                test.push_str(&line)
            }
        }
    }
    let (train_csv, test_csv) = (dir.path().join("train.csv"), dir.path().join("test.csv"));
    std::fs::write(&train_csv, train).unwrap();
    std::fs::write(&test_csv, test).unwrap();
    let mut cmd = auto_command(dir.path());
    cmd.arg("eval-faq")
        .arg("--train")
        .arg(&train_csv)
        .arg("--test")
        .arg(&test_csv)
        .args(["--shots", "5", "--folds"]);
    let out = run_command_within(&mut cmd, "auto eval-faq", Duration::from_secs(300));
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let o = &out.stdout;
    assert!(
        o.contains("== FAQ: 6 intents in, 1 left out; 5 questions each = 30 variants"),
        "{o}"
    );
    assert!(o.contains("(Hybrid)"), "the real model was used: {o}");
    // The run with every intent in: these seven intents are far apart, so nearly every test
    // question finds its own.
    let all_in = o
        .split("== FAQ: 7 intents in, 0 left out")
        .nth(1)
        .unwrap_or_else(|| panic!("no run with every intent: {o}"));
    let top1: f64 = all_in
        .split("top-1 accuracy ")
        .nth(1)
        .and_then(|s| s.split('%').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no top-1 accuracy: {o}"));
    assert!(top1 >= 70.0, "top-1 accuracy {top1}%: {o}");
    assert!(o.contains("threshold sweep (test split)"), "{o}");
    let fold_rows = o
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(": 1 intents ("))
        .count();
    assert_eq!(fold_rows, 7, "one row per set of left-out intents: {o}");
    assert!(o.contains("over 7 folds"), "{o}");
}
