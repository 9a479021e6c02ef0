//! Orders: `get_order_list` and `get_order_detail`, and the test's side (seeding, status
//! changes).
//!
//! Where the shapes come from:
//! - `GET /api/v2/order/get_order_list`: `time_range_field` (create_time | update_time),
//!   `time_from`, `time_to` ("The maximum date range ... is 15 days", refused with
//!   `order.order_list_invalid_time` "Start time must be earlier than end time and diff in
//!   15days."), `page_size` ("between 1 and 100"), `cursor` (string, "" first), `order_status`,
//!   `response_optional_fields=order_status`; answer `response {more, next_cursor, order_list
//!   [{order_sn[, order_status]}]}`, `next_cursor` "" when `more` is false:
//!   lazykern/ecommerce-api-docs data/raw/shopee/apis/order/v2.order.get_order_list.json;
//!   wjp-letgo/letgo x/api/shopee/order/entity/getorderlistresult.go. Ordering of the list
//!   and the cursor's content: inferred (oldest first; the cursor is opaque).
//! - `GET /api/v2/order/get_order_detail?order_sn_list=A,B` ("limit [1,50]") with
//!   `response_optional_fields`: fields marked "Return by default" (order_sn, region,
//!   currency, cod, order_status, message_to_seller, create_time, update_time, days_to_ship,
//!   ship_by_date) always, the others (buyer_user_id, buyer_username, item_list, total_amount,
//!   pay_time, ...) only when asked: v2.order.get_order_detail.json in the same repository;
//!   item fields and float amounts: wjp-letgo/letgo x/api/shopee/order/entity/orderentity.go
//!   and itemlistentity.go; passwind/go-shopee-v2 fixtures/get_order_detail_resp.json. An
//!   unknown order answers `error_not_found` "Wrong parameters, detail: the order is not
//!   found." (the documented error example) when none of the list is known; unknown numbers in
//!   a list with known ones are left out (inferred). The refusal text for more than 50:
//!   inferred.

use serde_json::{json, Map, Value};

use super::{int_param, ok_response, param_error, refuse, Answer, MockState, Params};
use axum::http::StatusCode;

/// Most days between `time_from` and `time_to`.
const MAX_WINDOW: i64 = 15 * 86_400;
/// Most order numbers in one `get_order_detail`.
const MAX_DETAIL: usize = 50;

/// One order line on Shopee.
#[derive(Debug, Clone)]
pub struct ShopeeItem {
    pub item_id: u64,
    pub item_name: String,
    pub item_sku: String,
    pub model_id: u64,
    pub model_name: String,
    pub model_sku: String,
    pub quantity: u32,
    pub original_price: f64,
    pub discounted_price: f64,
}

impl ShopeeItem {
    /// A line of `quantity` units of a listing (item and model), with no SKUs.
    pub fn listing(item_id: u64, model_id: u64, quantity: u32, price: f64) -> ShopeeItem {
        ShopeeItem {
            item_id,
            item_name: format!("Listing {item_id}"),
            item_sku: String::new(),
            model_id,
            model_name: if model_id == 0 {
                String::new()
            } else {
                format!("Variant {model_id}")
            },
            model_sku: String::new(),
            quantity,
            original_price: price,
            discounted_price: price,
        }
    }

    /// The same line with a seller SKU on the model (or the item, when it has no model).
    pub fn with_sku(mut self, sku: &str) -> ShopeeItem {
        if self.model_id == 0 {
            self.item_sku = sku.to_string();
        } else {
            self.model_sku = sku.to_string();
        }
        self
    }
}

/// One order on Shopee.
#[derive(Debug, Clone)]
pub struct ShopeeOrder {
    pub order_sn: String,
    pub region: String,
    pub currency: String,
    pub cod: bool,
    pub order_status: String,
    pub create_time: i64,
    pub update_time: i64,
    pub pay_time: Option<i64>,
    pub buyer_user_id: u64,
    pub buyer_username: String,
    pub message_to_seller: String,
    pub items: Vec<ShopeeItem>,
}

impl ShopeeOrder {
    /// A paid order (READY_TO_SHIP) placed `age_secs` ago (by the server's clock `now`).
    pub fn paid(
        order_sn: &str,
        buyer_user_id: u64,
        buyer_username: &str,
        item: ShopeeItem,
        now: i64,
        age_secs: i64,
    ) -> ShopeeOrder {
        ShopeeOrder {
            order_sn: order_sn.to_string(),
            region: "ID".to_string(),
            currency: "IDR".to_string(),
            cod: false,
            order_status: "READY_TO_SHIP".to_string(),
            create_time: now - age_secs,
            update_time: now - age_secs + 5,
            pay_time: Some(now - age_secs + 5),
            buyer_user_id,
            buyer_username: buyer_username.to_string(),
            message_to_seller: String::new(),
            items: vec![item],
        }
    }

    /// The same order in another status (UNPAID has no pay time).
    pub fn with_status(mut self, status: &str) -> ShopeeOrder {
        self.order_status = status.to_string();
        if status == "UNPAID" {
            self.pay_time = None;
        }
        self
    }

    /// What the buyer paid: the lines' discounted prices.
    pub fn total_amount(&self) -> f64 {
        self.items
            .iter()
            .map(|i| i.discounted_price * f64::from(i.quantity))
            .sum()
    }

    fn time(&self, field: &str) -> i64 {
        if field == "create_time" {
            self.create_time
        } else {
            self.update_time
        }
    }

    /// The detail of this order with the default fields and the optional ones asked for.
    fn detail(&self, optional: &[&str]) -> Value {
        let mut o = Map::new();
        o.insert("order_sn".into(), json!(self.order_sn));
        o.insert("region".into(), json!(self.region));
        o.insert("currency".into(), json!(self.currency));
        o.insert("cod".into(), json!(self.cod));
        o.insert("order_status".into(), json!(self.order_status));
        o.insert("message_to_seller".into(), json!(self.message_to_seller));
        o.insert("create_time".into(), json!(self.create_time));
        o.insert("update_time".into(), json!(self.update_time));
        o.insert("days_to_ship".into(), json!(2));
        o.insert("ship_by_date".into(), json!(self.create_time + 2 * 86_400));
        for field in optional {
            let value = match *field {
                "buyer_user_id" => json!(self.buyer_user_id),
                "buyer_username" => json!(self.buyer_username),
                "total_amount" => json!(self.total_amount()),
                "pay_time" => json!(self.pay_time),
                "payment_method" => json!("ShopeePay"),
                "note" => json!(""),
                "item_list" => Value::Array(
                    self.items
                        .iter()
                        .map(|i| {
                            json!({
                                "item_id": i.item_id,
                                "item_name": i.item_name,
                                "item_sku": i.item_sku,
                                "model_id": i.model_id,
                                "model_name": i.model_name,
                                "model_sku": i.model_sku,
                                "model_quantity_purchased": i.quantity,
                                "model_original_price": i.original_price,
                                "model_discounted_price": i.discounted_price,
                                "wholesale": false,
                                "weight": 0.0,
                                "add_on_deal": false,
                                "main_item": false,
                                "promotion_type": "",
                                "promotion_id": 0,
                            })
                        })
                        .collect(),
                ),
                _ => continue,
            };
            o.insert((*field).to_string(), value);
        }
        Value::Object(o)
    }
}

// -------------------------------------------------------------------------------------------
// The test's side
// -------------------------------------------------------------------------------------------

impl super::ShopeeMock {
    /// Adds (or replaces) an order of a shop.
    pub fn add_order(&self, shop_id: u64, order: ShopeeOrder) {
        let mut st = self.state();
        st.shop_or_default(shop_id)
            .orders
            .insert(order.order_sn.clone(), order);
    }

    /// Adds many orders of a shop.
    pub fn add_orders(&self, shop_id: u64, orders: impl IntoIterator<Item = ShopeeOrder>) {
        // Built before the lock: the iterator may ask the server for its clock.
        let orders: Vec<ShopeeOrder> = orders.into_iter().collect();
        let mut st = self.state();
        let shop = st.shop_or_default(shop_id);
        for o in orders {
            shop.orders.insert(o.order_sn.clone(), o);
        }
    }

    /// Moves an order to another status, as Shopee does: its update_time becomes now.
    pub fn set_status(&self, shop_id: u64, order_sn: &str, status: &str) {
        let mut st = self.state();
        let now = st.now();
        let order = st
            .shops
            .get_mut(&shop_id)
            .and_then(|s| s.orders.get_mut(order_sn))
            .unwrap_or_else(|| panic!("no order {order_sn} in shop {shop_id}"));
        order.order_status = status.to_string();
        order.update_time = now.max(order.update_time + 1);
        if status != "UNPAID" && order.pay_time.is_none() {
            order.pay_time = Some(now);
        }
    }

    /// An order as the server has it.
    pub fn order(&self, shop_id: u64, order_sn: &str) -> Option<ShopeeOrder> {
        let st = self.state();
        st.shops.get(&shop_id)?.orders.get(order_sn).cloned()
    }
}

// -------------------------------------------------------------------------------------------
// The calls
// -------------------------------------------------------------------------------------------

/// An opaque cursor: the (time, order_sn) of the last order of the page, hex-encoded.
fn encode_cursor(time: i64, sn: &str) -> String {
    format!("{time}|{sn}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_cursor(cursor: &str) -> Option<(i64, String)> {
    if !cursor.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok())
        .collect();
    let text = String::from_utf8(bytes?).ok()?;
    let (time, sn) = text.split_once('|')?;
    Some((time.parse().ok()?, sn.to_string()))
}

pub(crate) fn order_list(st: &mut MockState, shop_id: u64, q: &Params) -> Answer {
    let field = q.get("time_range_field").map(String::as_str).unwrap_or("");
    if field != "create_time" && field != "update_time" {
        return Err(param_error(
            "Wrong parameters, detail: time_range_field must be create_time or update_time.",
        ));
    }
    let (Some(from), Some(to)) = (int_param(q, "time_from")?, int_param(q, "time_to")?) else {
        return Err(param_error(
            "Wrong parameters, detail: time_from and time_to are required.",
        ));
    };
    if to < from || to - from > MAX_WINDOW {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "order.order_list_invalid_time",
            "Start time must be earlier than end time and diff in 15days.",
        ));
    }
    let page_size = int_param(q, "page_size")?
        .ok_or_else(|| param_error("Wrong parameters, detail: page_size is required."))?;
    if !(1..=100).contains(&page_size) {
        return Err(param_error(
            "Wrong parameters, detail: page_size should be between 1 and 100.",
        ));
    }
    let after = match q.get("cursor").map(|c| c.trim().trim_matches('"')) {
        None | Some("") => None,
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| param_error("Wrong parameters, detail: cursor is invalid."))?,
        ),
    };
    let status = q.get("order_status").filter(|s| !s.is_empty());
    let with_status = q
        .get("response_optional_fields")
        .is_some_and(|f| f.split(',').any(|f| f.trim() == "order_status"));

    let shop = st.shop_or_default(shop_id);
    let mut matching: Vec<(i64, &ShopeeOrder)> = shop
        .orders
        .values()
        .map(|o| (o.time(field), o))
        .filter(|(t, o)| *t >= from && *t <= to && status.is_none_or(|s| *s == o.order_status))
        .filter(|(t, o)| {
            after
                .as_ref()
                .is_none_or(|(at, asn)| (*t, o.order_sn.as_str()) > (*at, asn.as_str()))
        })
        .collect();
    matching.sort_by(|a, b| (a.0, &a.1.order_sn).cmp(&(b.0, &b.1.order_sn)));
    let page = &matching[..matching.len().min(page_size as usize)];
    let more = matching.len() > page.len();
    let next_cursor = match (more, page.last()) {
        (true, Some((t, o))) => encode_cursor(*t, &o.order_sn),
        _ => String::new(),
    };
    let list: Vec<Value> = page
        .iter()
        .map(|(_, o)| {
            if with_status {
                json!({ "order_sn": o.order_sn, "order_status": o.order_status })
            } else {
                json!({ "order_sn": o.order_sn })
            }
        })
        .collect();
    Ok(ok_response(json!({
        "more": more,
        "next_cursor": next_cursor,
        "order_list": list,
    })))
}

pub(crate) fn order_detail(st: &mut MockState, shop_id: u64, q: &Params) -> Answer {
    let sns: Vec<&str> = q
        .get("order_sn_list")
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if sns.is_empty() {
        return Err(param_error(
            "Wrong parameters, detail: order_sn_list is required.",
        ));
    }
    if sns.len() > MAX_DETAIL {
        return Err(param_error(
            "Wrong parameters, detail: order_sn_list should have at most 50 order_sn.",
        ));
    }
    let optional: Vec<&str> = q
        .get("response_optional_fields")
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let shop = st.shop_or_default(shop_id);
    let found: Vec<Value> = sns
        .iter()
        .filter_map(|sn| shop.orders.get(*sn))
        .map(|o| o.detail(&optional))
        .collect();
    if found.is_empty() {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "error_not_found",
            "Wrong parameters, detail: the order is not found.",
        ));
    }
    Ok(ok_response(json!({ "order_list": found })))
}
