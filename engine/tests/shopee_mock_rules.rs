//! The local Open Platform server's own rules, checked directly (no AUTO involved): if these
//! do not hold, the tests of AUTO's Open Platform road prove nothing.

use crate::support;

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::shopee_mock::*;

const SHOP: u64 = 880_001;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn get(url: &str) -> (StatusCode, Value) {
    let resp = client().get(url).send().await.expect("GET");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn post(url: &str, body: &Value) -> (StatusCode, Value) {
    let resp = client().post(url).json(body).send().await.expect("POST");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Trades a fresh code for tokens; returns (access_token, refresh_token).
async fn connect(mock: &ShopeeMock, shop: u64) -> (String, String) {
    let code = mock.new_code(shop);
    let url = format!(
        "{}{TOKEN_GET}?{}",
        mock.base_url,
        mock.signed_query(TOKEN_GET, None)
    );
    let (status, body) = post(
        &url,
        &json!({"code": code, "shop_id": shop, "partner_id": mock.partner_id}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.get("response").is_none(),
        "token answer is top level: {body}"
    );
    assert_eq!(body["error"], "", "{body}");
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["refresh_token"].as_str().unwrap().to_string(),
    )
}

/// A shop call's URL with extra query parameters.
fn shop_url(mock: &ShopeeMock, path: &str, token: &str, extra: &str) -> String {
    let q = mock.signed_query(path, Some((token, SHOP)));
    format!("{}{path}?{q}{extra}", mock.base_url)
}

fn assert_refused(reply: &(StatusCode, Value), error: &str) {
    let (status, body) = reply;
    assert!(
        !status.is_success(),
        "expected a refusal, got {status} {body}"
    );
    assert_eq!(body["error"], error, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()) && body["request_id"].is_string(),
        "Shopee's envelope: {body}"
    );
}

#[tokio::test]
async fn a_signed_call_is_answered_and_a_wrong_key_or_tampered_query_is_refused_with_error_sign() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP, "Toko Kunci");
    let (token, _) = connect(&mock, SHOP).await;

    let (status, info) = get(&shop_url(&mock, SHOP_INFO, &token, "")).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(
        info["shop_name"], "Toko Kunci",
        "shop info is top level: {info}"
    );

    let ts = mock.now();
    let wrong = signed_query_with(
        PARTNER_ID,
        "not-the-key",
        SHOP_INFO,
        ts,
        Some((&token, SHOP)),
    );
    assert_refused(
        &get(&format!("{}{SHOP_INFO}?{wrong}", mock.base_url)).await,
        "error_sign",
    );

    // The sign covers the shop id: the same sign for another shop is wrong.
    let good = mock.signed_query(SHOP_INFO, Some((&token, SHOP)));
    let other = good.replace(&format!("shop_id={SHOP}"), "shop_id=880002");
    assert_refused(
        &get(&format!("{}{SHOP_INFO}?{other}", mock.base_url)).await,
        "error_sign",
    );

    let public = signed_query_with(PARTNER_ID, "not-the-key", TOKEN_GET, ts, None);
    let reply = post(
        &format!("{}{TOKEN_GET}?{public}", mock.base_url),
        &json!({"code": mock.new_code(SHOP), "shop_id": SHOP, "partner_id": PARTNER_ID}),
    )
    .await;
    assert_refused(&reply, "error_sign");

    let no_sign = good.split("&sign=").next().unwrap().to_string();
    assert_refused(
        &get(&format!("{}{SHOP_INFO}?{no_sign}", mock.base_url)).await,
        "error_param",
    );
}

#[tokio::test]
async fn a_timestamp_over_five_minutes_off_is_refused_and_the_date_header_shows_the_servers_clock()
{
    let mock = ShopeeMock::start();
    let (token, _) = connect(&mock, SHOP).await;
    let local = mock.now();
    mock.set_clock_offset_secs(7 * 60);

    // Signed with the local clock, seven minutes behind the server's.
    let q = signed_query_with(
        PARTNER_ID,
        PARTNER_KEY,
        SHOP_INFO,
        local,
        Some((&token, SHOP)),
    );
    let resp = client()
        .get(format!("{}{SHOP_INFO}?{q}", mock.base_url))
        .send()
        .await
        .unwrap();
    let date = resp.headers()["date"].to_str().unwrap().to_string();
    let server = chrono::DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000"))
        .unwrap_or_else(|e| panic!("Date header {date:?}: {e}"))
        .timestamp();
    assert!(
        (server - (local + 420)).abs() <= 5,
        "Date {date} is the server's clock"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "error_param", "{body}");

    // Within five minutes is fine.
    mock.set_clock_offset_secs(4 * 60);
    let q = signed_query_with(
        PARTNER_ID,
        PARTNER_KEY,
        SHOP_INFO,
        local,
        Some((&token, SHOP)),
    );
    let (status, body) = get(&format!("{}{SHOP_INFO}?{q}", mock.base_url)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_code_works_once_and_only_for_its_shop_and_a_refresh_token_once() {
    let mock = ShopeeMock::start();
    let url = |path: &str| format!("{}{path}?{}", mock.base_url, mock.signed_query(path, None));

    let code = mock.new_code(SHOP);
    let wrong_shop = post(
        &url(TOKEN_GET),
        &json!({"code": code, "shop_id": 999, "partner_id": PARTNER_ID}),
    )
    .await;
    assert_refused(&wrong_shop, "invalid_shop_id");
    let body = json!({"code": code, "shop_id": SHOP, "partner_id": PARTNER_ID});
    let (status, tokens) = post(&url(TOKEN_GET), &body).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["expire_in"], 14_400, "{tokens}");
    assert_refused(&post(&url(TOKEN_GET), &body).await, "invalid_code");

    let refresh = tokens["refresh_token"].as_str().unwrap();
    let body = json!({"refresh_token": refresh, "shop_id": SHOP, "partner_id": PARTNER_ID});
    let (status, renewed) = post(&url(REFRESH), &body).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert_ne!(
        renewed["refresh_token"], tokens["refresh_token"],
        "a new refresh token"
    );
    assert_ne!(renewed["access_token"], tokens["access_token"]);
    assert_eq!(renewed["shop_id"], SHOP);
    assert_refused(
        &post(&url(REFRESH), &body).await,
        "error_shop_refresh_token",
    );

    // The old access token still works for a while; expired, it gets Shopee's typo.
    let old = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        get(&shop_url(&mock, SHOP_INFO, old, "")).await.0,
        StatusCode::OK
    );
    mock.expire_access_tokens();
    let new = renewed["access_token"].as_str().unwrap();
    assert_refused(
        &get(&shop_url(&mock, SHOP_INFO, new, "")).await,
        "invalid_acceess_token",
    );
}

#[tokio::test]
async fn the_authorization_page_redirects_with_a_code_and_the_shop_id() {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP, "A");
    mock.add_shop(SHOP + 1, "B");
    mock.authorize_next(SHOP + 1);
    let q = mock.signed_query(AUTH_PARTNER, None);
    let redirect = "http://127.0.0.1:9/shopee/callback?state=abc";
    let url = format!(
        "{}{AUTH_PARTNER}?{q}&redirect={}",
        mock.base_url,
        support::urlencode(redirect)
    );
    let resp = client().get(url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("http://127.0.0.1:9/shopee/callback?state=abc&code="),
        "{location}"
    );
    assert!(
        location.ends_with(&format!("&shop_id={}", SHOP + 1)),
        "{location}"
    );
}

#[tokio::test]
async fn paging_the_order_list_returns_every_order_once_and_a_window_over_fifteen_days_is_refused()
{
    let mock = ShopeeMock::start();
    let (token, _) = connect(&mock, SHOP).await;
    let now = mock.now();
    mock.add_orders(
        SHOP,
        (0..237).map(|i| {
            let item = ShopeeItem::listing(100, 7, 1, 150_000.0);
            ShopeeOrder::paid(
                &format!("2612{i:06}"),
                5000 + i,
                "b",
                item,
                now,
                3600 - (i as i64 % 40),
            )
        }),
    );
    let from = now - 86_400;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..10 {
        let extra = format!(
            "&time_range_field=update_time&time_from={from}&time_to={now}&page_size=100&cursor={cursor}&response_optional_fields=order_status"
        );
        let (status, page) = get(&shop_url(&mock, ORDER_LIST, &token, &extra)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for o in page["response"]["order_list"].as_array().unwrap() {
            assert_eq!(o["order_status"], "READY_TO_SHIP");
            seen.push(o["order_sn"].as_str().unwrap().to_string());
        }
        if !page["response"]["more"].as_bool().unwrap() {
            assert_eq!(page["response"]["next_cursor"], "");
            break;
        }
        cursor = page["response"]["next_cursor"]
            .as_str()
            .unwrap()
            .to_string();
    }
    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), 237, "three pages, every order once");
    assert_eq!(distinct.len(), 237);

    let extra = format!(
        "&time_range_field=update_time&time_from={}&time_to={now}&page_size=100",
        now - 15 * 86_400 - 1
    );
    let reply = get(&shop_url(&mock, ORDER_LIST, &token, &extra)).await;
    assert_refused(&reply, "order.order_list_invalid_time");
    let extra =
        format!("&time_range_field=update_time&time_from={from}&time_to={now}&page_size=101");
    assert_refused(
        &get(&shop_url(&mock, ORDER_LIST, &token, &extra)).await,
        "error_param",
    );
}

#[tokio::test]
async fn order_detail_carries_optional_fields_only_when_asked_and_at_most_fifty_orders() {
    let mock = ShopeeMock::start();
    let (token, _) = connect(&mock, SHOP).await;
    let now = mock.now();
    let item = ShopeeItem::listing(22_012_345_678, 170_011, 2, 149_000.0).with_sku("WIN11");
    mock.add_order(
        SHOP,
        ShopeeOrder::paid("261206AB", 77, "budi_88", item, now, 60),
    );

    let (_, bare) = get(&shop_url(
        &mock,
        ORDER_DETAIL,
        &token,
        "&order_sn_list=261206AB",
    ))
    .await;
    let o = &bare["response"]["order_list"][0];
    assert_eq!(o["order_status"], "READY_TO_SHIP", "{bare}");
    assert!(
        o.get("buyer_user_id").is_none() && o.get("item_list").is_none(),
        "{o}"
    );

    let extra = "&order_sn_list=261206AB&response_optional_fields=buyer_user_id,buyer_username,item_list,total_amount,pay_time";
    let (_, full) = get(&shop_url(&mock, ORDER_DETAIL, &token, extra)).await;
    let o = &full["response"]["order_list"][0];
    assert_eq!(o["buyer_user_id"], 77);
    assert_eq!(o["buyer_username"], "budi_88");
    assert_eq!(o["total_amount"], 298_000.0);
    assert_eq!(o["item_list"][0]["model_sku"], "WIN11");
    assert_eq!(o["item_list"][0]["model_quantity_purchased"], 2);

    let many: Vec<String> = (0..51).map(|i| format!("X{i}")).collect();
    let extra = format!("&order_sn_list={}", many.join(","));
    assert_refused(
        &get(&shop_url(&mock, ORDER_DETAIL, &token, &extra)).await,
        "error_param",
    );
}

#[tokio::test]
async fn chat_records_each_text_refuses_long_or_sixth_in_a_row_and_ids_overflow_f64() {
    let mock = ShopeeMock::start();
    let (token, _) = connect(&mock, SHOP).await;
    let send = |text: String| {
        let url = shop_url(&mock, SEND_MESSAGE, &token, "");
        async move {
            post(
                &url,
                &json!({"to_id": 42, "message_type": "text", "content": {"text": text}}),
            )
            .await
        }
    };
    let (status, sent) = send("kode: ABC-123".into()).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert!(sent["response"]["message_id"].is_string(), "{sent}");
    let conv = sent["response"]["conversation_id"]
        .as_u64()
        .expect("an integer");
    assert!(
        conv > 1 << 53 && (conv as f64) as u64 != conv,
        "{conv} must not fit an f64"
    );
    assert_eq!(mock.sent_to(SHOP, 42), vec!["kode: ABC-123".to_string()]);

    assert_refused(&send("x".repeat(601)).await, "message_too_long");
    for i in 0..4 {
        assert_eq!(send(format!("part {i}")).await.0, StatusCode::OK);
    }
    assert_refused(&send("sixth".into()).await, "reach_5_message_limit");
    mock.buyer_says(SHOP, 42, "budi", "ok makasih");
    assert_eq!(send("after the answer".into()).await.0, StatusCode::OK);

    mock.refuse_sends(SHOP, 43, ChatRefusal::Blocked);
    let url = shop_url(&mock, SEND_MESSAGE, &token, "");
    let reply = post(
        &url,
        &json!({"to_id": 43, "message_type": "text", "content": {"text": "hi"}}),
    )
    .await;
    assert_refused(&reply, "error_blocked");
    assert!(mock.sent_to(SHOP, 43).is_empty());
    assert_eq!(mock.send_attempts(SHOP, 43), 1);

    // The buyer's side: conversations with nanosecond times, messages newest first.
    let extra = "&direction=older&type=all&page_size=10";
    let (_, list) = get(&shop_url(&mock, CONVERSATIONS, &token, extra)).await;
    let c = &list["response"]["conversations"][0];
    assert_eq!(c["conversation_id"].as_u64(), Some(conv), "{list}");
    assert!(c["last_message_timestamp"].as_i64().unwrap() > 1_000_000_000_000_000_000);
    let extra = format!("&conversation_id={conv}&page_size=3");
    let (_, msgs) = get(&shop_url(&mock, MESSAGES, &token, &extra)).await;
    let first = &msgs["response"]["messages"][0];
    assert_eq!(first["content"]["text"], "after the answer", "{msgs}");
    assert_eq!(msgs["response"]["page_result"]["next_offset"], "3");
    assert!(
        first["created_timestamp"].as_i64().unwrap() < 10_000_000_000,
        "seconds"
    );
}

#[tokio::test]
async fn every_fifth_shop_call_is_refused_as_rate_limited_or_busy() {
    let mock = ShopeeMock::start();
    let (token, _) = connect(&mock, SHOP).await;
    mock.fail_every(5);
    let mut refused = Vec::new();
    for i in 1..=10 {
        let (status, body) = get(&shop_url(&mock, SHOP_INFO, &token, "")).await;
        if !status.is_success() {
            refused.push((i, body["error"].as_str().unwrap().to_string()));
        }
    }
    assert_eq!(
        refused,
        vec![
            (5, "error_rate_limit".to_string()),
            (10, "error_server".to_string())
        ]
    );
    assert_eq!(mock.faults_served(), 2);
    assert_eq!(mock.calls(SHOP_INFO), 10);
}
