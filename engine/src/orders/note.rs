//! What a trail event or a needs-attention reason says, as a code with parameters. The UI
//! words each code in the seller's language; `english` is the text kept in the trail's
//! `reason` (and `attention_detail`) for logs, the CLI and clients that predate the codes.

use serde::Serialize;
use serde_json::{Map, Value};

/// One thing the trail can say. Serialized as `{"code": "...", ...params}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Note {
    /// Shopee (through either road) reported the order in this status.
    Reported {
        status: String,
    },
    /// A first sync found it already fulfilled on Shopee: recorded, never delivered.
    ReportedFulfilledBefore {
        status: String,
    },
    /// A status AUTO does not know: kept unpaid.
    UnknownStatus {
        raw: String,
    },
    Allocated,
    OutOfStock {
        product: String,
        have: i64,
        want: i64,
    },
    /// No product matches the line: `sku`, and the Shopee item/model when known.
    UnknownSku {
        sku: String,
        item_id: Option<i64>,
        model_id: Option<i64>,
    },
    ProductInactive {
        product: String,
    },
    DeliveryConfirmed,
    ResentDeliveryConfirmed,
    CancelledDeliverySent,
    ResendRequested,
    ShopeeCompleted,
    /// Shopee chat refused the message: Shopee's error code and what it said.
    ChatRefused {
        refusal: String,
        said: String,
    },
    RefusedDeliveryRequeued,
    /// The seller (or a token) set the status, with no reason given.
    SetBy {
        status: String,
        actor: String,
    },
    /// The seller's own words.
    SellerNote {
        text: String,
    },
    DeliveredByHand {
        note: String,
    },
    /// Items allocated to the order that no road was handed and no one was shown went back
    /// to the pool when it left.
    ItemsReturned {
        count: i64,
    },
    /// Items handed out or shown stay out of the pool until the seller decides.
    ItemsHeld {
        count: i64,
    },
    /// Replacements that waited for stock are not wanted any more (the order left).
    ReplacementsDropped {
        count: i64,
    },
    /// Shopee reported the cancelled order paid (or completed) again: taken back (what
    /// happened to its items follows in the trail).
    Reopened {
        status: String,
    },
    /// The items held since the cancellation are the order's again: nothing new allocated, so
    /// the buyer never gets a second set.
    ItemsGivenBack {
        count: i64,
    },
    /// The delivery the cancellation stopped before it reached the chat goes out as it was.
    DeliveryResumed,
    /// Reopened, but some items went back to stock or were voided meanwhile: nothing goes out
    /// by itself (the buyer may hold the old ones), the seller delivers again or marks it
    /// delivered.
    ReopenedItemsGone {
        status: String,
    },
    /// A Shopee report of paid (or completed) for a cancelled order that is not newer than the
    /// report that cancelled it (an old page re-sent from the extension's queue, an older API
    /// detail): ignored, nothing reopened or delivered. Times as `YYYY-MM-DD HH:MM:SS UTC`.
    StaleReportIgnored {
        status: String,
        reported_at: String,
        cancelled_at: String,
    },
    /// A Shopee report that would cancel (refund, return) the order, no newer than Shopee's
    /// latest word the order already took (the report that reopened it or moved it on).
    StaleLeaveIgnored {
        status: String,
        reported_at: String,
        known_at: String,
        stays: String,
    },
    /// A bad item (masked) replaced by a fresh one (masked), with the seller's reason.
    KeyReplaced {
        old: String,
        new: String,
        reason: String,
    },
    /// A bad item whose replacement waits for stock of the product.
    ReplacementWaiting {
        old: String,
        product: String,
        reason: String,
    },
    ReplacementConfirmed,
    /// The seller put an item held after the order left back in the pool.
    ItemBackToStock {
        item: String,
    },
    /// The seller voided an item held after the order left: never sold again.
    ItemVoided {
        item: String,
        reason: String,
    },
}

impl Note {
    /// The code alone (also the `attention_reason` of a waiting order).
    pub fn code(&self) -> &'static str {
        match self {
            Note::Reported { .. } => "reported",
            Note::ReportedFulfilledBefore { .. } => "reported_fulfilled_before",
            Note::UnknownStatus { .. } => "unknown_status",
            Note::Allocated => "allocated",
            Note::OutOfStock { .. } => "out_of_stock",
            Note::UnknownSku { .. } => "unknown_sku",
            Note::ProductInactive { .. } => "product_inactive",
            Note::DeliveryConfirmed => "delivery_confirmed",
            Note::ResentDeliveryConfirmed => "resent_delivery_confirmed",
            Note::CancelledDeliverySent => "cancelled_delivery_sent",
            Note::ResendRequested => "resend_requested",
            Note::ShopeeCompleted => "shopee_completed",
            Note::ChatRefused { .. } => "chat_refused",
            Note::RefusedDeliveryRequeued => "refused_delivery_requeued",
            Note::SetBy { .. } => "set_by",
            Note::SellerNote { .. } => "seller_note",
            Note::DeliveredByHand { .. } => "delivered_by_hand",
            Note::ItemsReturned { .. } => "items_returned",
            Note::ItemsHeld { .. } => "items_held",
            Note::ReplacementsDropped { .. } => "replacements_dropped",
            Note::Reopened { .. } => "reopened",
            Note::ItemsGivenBack { .. } => "items_given_back",
            Note::DeliveryResumed => "delivery_resumed",
            Note::ReopenedItemsGone { .. } => "reopened_items_gone",
            Note::StaleReportIgnored { .. } => "stale_report_ignored",
            Note::StaleLeaveIgnored { .. } => "stale_leave_ignored",
            Note::KeyReplaced { .. } => "key_replaced",
            Note::ReplacementWaiting { .. } => "replacement_waiting",
            Note::ReplacementConfirmed => "replacement_confirmed",
            Note::ItemBackToStock { .. } => "item_back_to_stock",
            Note::ItemVoided { .. } => "item_voided",
        }
    }

    /// The parameters as a JSON object (without the code); None when there are none.
    pub fn params(&self) -> Option<String> {
        let Ok(Value::Object(mut map)) = serde_json::to_value(self) else {
            return None;
        };
        map.remove("code");
        (!map.is_empty()).then(|| Value::Object(map).to_string())
    }

    /// The English words.
    pub fn english(&self) -> String {
        match self {
            Note::Reported { status } => format!("reported as {status}"),
            Note::ReportedFulfilledBefore { status } => format!(
                "reported as {status}; fulfilled on Shopee before AUTO saw it, so not delivered again"
            ),
            Note::UnknownStatus { raw } => format!(
                "reported as '{raw}', a status AUTO does not know: kept unpaid and not delivered"
            ),
            Note::Allocated => "items allocated; delivery waiting to be sent in chat".into(),
            Note::OutOfStock {
                product,
                have,
                want,
            } => format!(
                "'{product}' has {have} in stock, this order needs {want}; import more stock"
            ),
            Note::UnknownSku {
                sku,
                item_id,
                model_id,
            } => {
                let mut s = format!("SKU '{sku}'");
                if let Some(i) = item_id {
                    s += &format!(" (item {i}");
                    if let Some(m) = model_id {
                        s += &format!(", model {m}");
                    }
                    s += ")";
                }
                s + " matches no product; add it to a product's SKU or mapping"
            }
            Note::ProductInactive { product } => format!("product '{product}' is not active"),
            Note::DeliveryConfirmed => "delivery confirmed in chat".into(),
            Note::ResentDeliveryConfirmed => "resent delivery confirmed in chat".into(),
            Note::CancelledDeliverySent => "a cancelled delivery was sent anyway".into(),
            Note::ResendRequested => "resend requested".into(),
            Note::ShopeeCompleted => "Shopee reported it completed".into(),
            Note::ChatRefused { refusal, said } => {
                crate::shopee::chat::refusal_words(refusal, said)
            }
            Note::RefusedDeliveryRequeued => {
                "the seller asked to send the refused delivery again".into()
            }
            Note::SetBy { status, actor } => format!("set to {status} by {actor}"),
            Note::SellerNote { text } => text.clone(),
            Note::DeliveredByHand { note } if note.is_empty() => "delivered by hand".into(),
            Note::DeliveredByHand { note } => format!("delivered by hand: {note}"),
            Note::ItemsReturned { count } => {
                format!("{count} item(s) no one had seen went back to stock")
            }
            Note::ItemsHeld { count } => format!(
                "{count} item(s) were already handed out or shown: held until you put them back in stock or void them"
            ),
            Note::ReplacementsDropped { count } => {
                format!("{count} replacement(s) waiting for stock are no longer needed")
            }
            Note::Reopened { status } => {
                format!("Shopee reported it {status} again after the cancellation")
            }
            Note::ItemsGivenBack { count } => format!(
                "{count} item(s) held since the cancellation were given back to the order; nothing new was allocated"
            ),
            Note::DeliveryResumed => {
                "the delivery the cancellation stopped goes out again as it was".into()
            }
            Note::ReopenedItemsGone { status } => format!(
                "Shopee reports it {status} again; some of its items were returned to stock or voided: deliver again or mark delivered"
            ),
            Note::StaleReportIgnored {
                status,
                reported_at,
                cancelled_at,
            } => format!(
                "a report of {status} from {reported_at} is not newer than the cancellation ({cancelled_at}): ignored, the order stays cancelled"
            ),
            Note::StaleLeaveIgnored {
                status,
                reported_at,
                known_at,
                stays,
            } => format!(
                "a report of {status} from {reported_at} is not newer than Shopee's latest word the order took ({known_at}): ignored, the order stays {stays}"
            ),
            Note::KeyReplaced { old, new, reason } => {
                format!("item {old} marked bad ({reason}); replaced by {new}")
            }
            Note::ReplacementWaiting {
                old,
                product,
                reason,
            } => format!(
                "item {old} marked bad ({reason}); its replacement waits for stock of '{product}'"
            ),
            Note::ReplacementConfirmed => "replacement confirmed in chat".into(),
            Note::ItemBackToStock { item } => format!("item {item} put back in stock"),
            Note::ItemVoided { item, reason } if reason.is_empty() => {
                format!("item {item} voided: never sold again")
            }
            Note::ItemVoided { item, reason } => {
                format!("item {item} voided ({reason}): never sold again")
            }
        }
    }
}

/// Reads stored parameters back (an older row has none).
pub fn parse_params(stored: Option<&str>) -> Map<String, Value> {
    match stored.map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(map))) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_params_are_what_the_ui_words() {
        let n = Note::OutOfStock {
            product: "Steam 100k".into(),
            have: 1,
            want: 3,
        };
        assert_eq!(n.code(), "out_of_stock");
        let p = parse_params(n.params().as_deref());
        assert_eq!(p["product"], "Steam 100k");
        assert_eq!(p["want"], 3);
        assert!(!p.contains_key("code"));
        assert_eq!(Note::Allocated.params(), None);
        // The code serde writes is the code the UI looks up.
        let all = [
            Note::Allocated,
            Note::ResentDeliveryConfirmed,
            Note::UnknownSku {
                sku: "X".into(),
                item_id: Some(1),
                model_id: None,
            },
            Note::ChatRefused {
                refusal: "user_is_forbidden".into(),
                said: "no".into(),
            },
        ];
        for n in all {
            assert_eq!(serde_json::to_value(&n).unwrap()["code"], n.code());
        }
    }
}
