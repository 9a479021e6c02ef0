//! Stock imports: duplicates are reported, broken files are never half-imported, and text in
//! any script round-trips unchanged.

use crate::support;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

const SHOP: &str = "shopee-th-stock";

async fn import_text(api: &Api, pid: &str, content_type: &str, body: &str) -> Reply {
    api.raw(
        Method::POST,
        &format!("/api/v1/products/{pid}/stock"),
        content_type,
        body.to_string(),
    )
    .await
}

fn lines_and_reasons(summary: &Value, field: &str) -> BTreeSet<(u64, String)> {
    summary[field]
        .as_array()
        .unwrap_or_else(|| panic!("no {field} array: {summary}"))
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_keys_are_reported_and_never_imported_twice() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("DUP-KEY")).await);
    let other = id_of(&create_product(&fx.admin, &product_body("DUP-OTHER")).await);

    let (status, summary) = import_text(
        &fx.admin,
        &pid,
        "text/plain",
        "DUP-A\nDUP-B\nDUP-A\n\nDUP-C\n",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["imported"], 3, "{summary}");
    assert_eq!(
        lines_and_reasons(&summary, "duplicates"),
        BTreeSet::from([(3, "in_file".to_string())])
    );
    assert_eq!(summary["available"], 3);

    let (_, summary) = import_text(&fx.admin, &pid, "text/plain", "DUP-C\nDUP-D").await;
    assert_eq!(summary["imported"], 1, "{summary}");
    assert_eq!(
        lines_and_reasons(&summary, "duplicates"),
        BTreeSet::from([(1, "in_stock".to_string())])
    );
    assert_eq!(summary["available"], 4);

    // Uniqueness is global: another product cannot take a key this one holds.
    let summary = import_keys(
        &fx.admin,
        &other,
        &["DUP-D".to_string(), "DUP-E".to_string()],
    )
    .await;
    assert_eq!(summary["imported"], 1, "{summary}");
    let reasons: Vec<&Value> = summary["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["reason"])
        .collect();
    assert_eq!(reasons, vec!["in_stock"], "{summary}");
    assert_eq!(stock(&fx.admin, &pid).await["available"], 4);
    assert_eq!(stock(&fx.admin, &other).await["available"], 1);

    // Windows line endings are not part of the key.
    let (_, summary) = import_text(&fx.admin, &pid, "text/plain", "DUP-F\r\nDUP-G\r\n").await;
    assert_eq!(summary["imported"], 2, "{summary}");
    let (_, summary) = import_text(&fx.admin, &pid, "text/plain", "DUP-G").await;
    assert_eq!(
        summary["imported"], 0,
        "DUP-G imported with a stray \\r the first time: {summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivered_key_cannot_be_imported_again() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let pid = id_of(&create_product(&fx.admin, &product_body("BURN-KEY")).await);
    import_keys(&fx.admin, &pid, &["BURN-ONLY-KEY".to_string()]).await;
    post_order(&ext, &paid_order(SHOP, "BURN-1", "BURN-KEY", 1)).await;
    assert_eq!(drain_deliveries(&ext).await.len(), 1);

    let summary = import_keys(&fx.admin, &pid, &["BURN-ONLY-KEY".to_string()]).await;
    assert_eq!(
        summary["imported"], 0,
        "a burned key would be sold twice: {summary}"
    );
    assert_eq!(summary["duplicates"][0]["reason"], "in_stock", "{summary}");
    assert_eq!(stock(&fx.admin, &pid).await["available"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_one_column_csv_imports_codes_with_or_without_a_header() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("CSV-KEY")).await);
    let (status, summary) = import_text(&fx.admin, &pid, "text/csv", "code\nCSV-1\nCSV-2\n").await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["imported"], 2, "the header is not a key: {summary}");
    let (_, summary) = import_text(&fx.admin, &pid, "text/csv", "CSV-3\nCSV-4\nCSV-1\n").await;
    assert_eq!(summary["imported"], 2, "{summary}");
    assert_eq!(
        lines_and_reasons(&summary, "duplicates"),
        BTreeSet::from([(3, "in_stock".to_string())])
    );
    assert_eq!(stock(&fx.admin, &pid).await["available"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_csv_with_an_unterminated_quote_is_never_half_imported() {
    let fx = Fixture::new();
    let pid = id_of(&create_product(&fx.admin, &product_body("BRK-KEY")).await);
    let (status, summary) = import_text(
        &fx.admin,
        &pid,
        "text/csv",
        "code\nBRK-GOOD-1\n\"BRK-BROKEN-2\nBRK-GOOD-3\n",
    )
    .await;
    let available = stock(&fx.admin, &pid).await["available"].as_u64().unwrap();
    match status.as_u16() {
        422 => {
            assert_error(&(status, summary), 422, "invalid_input");
            assert_eq!(available, 0, "an unreadable file imports nothing");
        }
        200 => {
            let rejected = lines_and_reasons(&summary, "rejected");
            assert!(
                rejected.iter().any(|(line, _)| *line == 3),
                "the broken row is reported: {summary}"
            );
            assert!(summary["imported"].as_u64().unwrap() <= 2, "{summary}");
            assert_eq!(
                Some(available),
                summary["imported"].as_u64(),
                "counts agree: {summary}"
            );
        }
        other => panic!("unexpected {other}: {summary}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn account_rows_with_the_wrong_column_count_are_rejected_and_good_accounts_are_delivered() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let mut body = product_body("ACC-1");
    body["kind"] = json!("account");
    let pid = id_of(&create_product(&fx.admin, &body).await);
    let csv =
        "username,password,notes\nalice@mail.test,pw-Alice-1,\nbob@mail.test,pw-Bob-2,2FA off\n\
               carol@mail.test,pw-Carol-3,x,extra\ndave@mail.test\n";
    let (status, summary) = import_text(&fx.admin, &pid, "text/csv", csv).await;
    match status.as_u16() {
        422 => {
            assert_error(&(status, summary), 422, "invalid_input");
            assert_eq!(stock(&fx.admin, &pid).await["available"], 0);
            let (_, summary) = import_text(
                &fx.admin,
                &pid,
                "text/csv",
                &csv[..csv.find("carol").unwrap()],
            )
            .await;
            assert_eq!(summary["imported"], 2, "{summary}");
        }
        200 => {
            assert_eq!(summary["imported"], 2, "{summary}");
            let lines: BTreeSet<u64> = lines_and_reasons(&summary, "rejected")
                .into_iter()
                .map(|(l, _)| l)
                .collect();
            assert_eq!(lines, BTreeSet::from([4, 5]), "{summary}");
        }
        other => panic!("unexpected {other}: {summary}"),
    }
    let json_accounts =
        json!({"items": [{"username": "erin@mail.test", "password": "pw-Erin-5", "notes": "new"}]});
    let summary = ok(fx
        .admin
        .post(&format!("/api/v1/products/{pid}/stock"), &json_accounts)
        .await);
    assert_eq!(summary["imported"], 1, "{summary}");
    assert_eq!(stock(&fx.admin, &pid).await["available"], 3);

    post_order(&ext, &paid_order(SHOP, "ACC-ORDER-1", "ACC-1", 3)).await;
    let sent = drain_deliveries(&ext).await;
    let message = sent[0]["message"].as_str().unwrap();
    for secret in [
        "alice@mail.test",
        "pw-Alice-1",
        "bob@mail.test",
        "pw-Bob-2",
        "erin@mail.test",
        "pw-Erin-5",
    ] {
        assert!(
            message.contains(secret),
            "{secret} missing from {message:?}"
        );
    }
    assert!(
        !message.contains("carol") && !message.contains("dave"),
        "rejected rows are not stock: {message:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn link_file_and_text_products_take_no_stock() {
    let fx = Fixture::new();
    for kind in ["link", "file", "text"] {
        let mut body = product_body(&format!("NOSTOCK-{kind}"));
        body["kind"] = json!(kind);
        body["content"] = json!("https://drive.example/course");
        let pid = id_of(&create_product(&fx.admin, &body).await);
        let reply = fx
            .admin
            .post(
                &format!("/api/v1/products/{pid}/stock"),
                &json!({"items": ["NS-1"]}),
            )
            .await;
        assert_error(&reply, 422, "invalid_input");
        assert_error(
            &import_text(&fx.admin, &pid, "text/plain", "NS-2\n").await,
            422,
            "invalid_input",
        );
    }
    // The refused keys did not slip into the global pool either.
    let pid = id_of(&create_product(&fx.admin, &product_body("NOSTOCK-KEY")).await);
    assert_eq!(
        import_keys(&fx.admin, &pid, &["NS-1".to_string(), "NS-2".to_string()]).await["imported"],
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn vietnamese_thai_and_emoji_text_round_trips_unchanged() {
    let fx = Fixture::new();
    let ext = fx.extension();
    let name = "Khóa bản quyền Windows 11 Pro 🔑";
    let template = "Xin chào {{buyer}} 🎉 คีย์ของคุณ: {{items}} — đơn {{order_sn}}";
    let mut body = product_body("UNI-VN");
    body["name"] = json!(name);
    body["template"] = json!(template);
    body["language"] = json!("vi");
    body["currency"] = json!("VND");
    let product = create_product(&fx.admin, &body).await;
    assert_eq!(product["name"], name);
    assert_eq!(product["template"], template);
    let pid = id_of(&product);
    let fetched = ok(fx.admin.get(&format!("/api/v1/products/{pid}")).await);
    assert_eq!(fetched["name"], name, "{fetched}");

    let keys = ["KHÓA-ĐẶC-BIỆT-001", "คีย์-ไทย-002", "🔑-EMOJI-003"];
    let (status, summary) = import_text(
        &fx.admin,
        &pid,
        "text/plain; charset=utf-8",
        &keys.join("\n"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["imported"], 3, "{summary}");

    let buyer = "người_mua_ทดสอบ_😀";
    let mut order = paid_order("shopee-vn", "UNIVN0001", "UNI-VN", 3);
    order["buyer"]["username"] = json!(buyer);
    let posted = post_order(&ext, &order).await;
    assert_eq!(posted["buyer"]["username"], buyer);
    assert_eq!(posted["order_sn"], "UNIVN0001");

    let sent = drain_deliveries(&ext).await;
    let message = sent[0]["message"].as_str().unwrap();
    assert_eq!(sent[0]["buyer"]["username"], buyer);
    assert!(
        message.starts_with(&format!("Xin chào {buyer} 🎉 คีย์ของคุณ: ")),
        "{message:?}"
    );
    assert!(message.ends_with("— đơn UNIVN0001"), "{message:?}");
    for key in keys {
        assert!(message.contains(key), "{key} missing from {message:?}");
    }
    let found = ok(fx
        .admin
        .get(&format!("/api/v1/orders?q={}", urlencode(buyer)))
        .await);
    assert_eq!(
        found["orders"].as_array().unwrap().len(),
        1,
        "search by a unicode username: {found}"
    );
    assert_eq!(found["orders"][0]["buyer"]["username"], buyer);
}
