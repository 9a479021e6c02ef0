//! Orders Shopee answered that AUTO could not take in (no order_sn, a status or currency the
//! intake refuses, lines it cannot read) are kept, redacted, as the last 50 JSON files in
//! `<data dir>/shopee-samples/`, so a seller can hand over exactly what went unread and the
//! reader is fixed from the real thing. Redacted: every text but the fields that name the
//! order's shape (order_sn, statuses, currency, region, SKUs) becomes a same-shaped placeholder
//! (letters → x, digits → 0); numbers, booleans and field names stay.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// How many samples are kept; older ones are deleted.
const KEEP: usize = 50;
/// Texts that describe the order's shape, not a person.
const KEPT_TEXT: [&str; 7] = [
    "order_sn",
    "order_status",
    "currency",
    "region",
    "item_sku",
    "model_sku",
    "message_type",
];

pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("shopee-samples")
}

/// Writes one redacted sample with why it was not read, and prunes to the last 50.
pub fn keep(data_dir: &Path, shop_id: u64, raw: &Value, why: &str) -> std::io::Result<()> {
    let dir = dir(data_dir);
    std::fs::create_dir_all(&dir)?;
    let sample = serde_json::json!({"shop_id": shop_id, "why": why, "order": redact(raw, None)});
    let name = format!("{}-{shop_id}.json", crate::store::now_ms());
    std::fs::write(dir.join(name), serde_json::to_vec_pretty(&sample)?)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for old in files.iter().take(files.len().saturating_sub(KEEP)) {
        let _ = std::fs::remove_file(old);
    }
    Ok(())
}

fn redact(v: &Value, key: Option<&str>) -> Value {
    match v {
        Value::String(s) if key.is_some_and(|k| KEPT_TEXT.contains(&k)) => Value::String(s.clone()),
        Value::String(s) => Value::String(
            s.chars()
                .map(|c| match c {
                    c if c.is_ascii_digit() => '0',
                    c if c.is_alphabetic() => 'x',
                    c => c,
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| redact(i, key)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact(v, Some(k))))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_addresses_go_the_shape_and_numbers_stay() {
        let raw = json!({"order_sn": "2412060AB1", "order_status": "NEW_STATUS", "currency": "IDR",
            "buyer_username": "budi_88", "buyer_user_id": 880011,
            "recipient_address": {"name": "Budi Santoso", "phone": "6281234567890", "full_address": "Jl. Melati 5"},
            "item_list": [{"item_name": "Windows 11 Pro", "item_sku": "WIN11", "model_discounted_price": 149000.0}]});
        let r = redact(&raw, None);
        let text = r.to_string();
        for secret in [
            "budi",
            "Budi",
            "Santoso",
            "6281234567890",
            "Melati",
            "Windows",
        ] {
            assert!(!text.contains(secret), "{secret} survived: {text}");
        }
        assert_eq!(r["order_sn"], "2412060AB1");
        assert_eq!(r["order_status"], "NEW_STATUS");
        assert_eq!(r["buyer_username"], "xxxx_00");
        assert_eq!(r["buyer_user_id"], 880011);
        assert_eq!(r["recipient_address"]["phone"], "0000000000000");
        assert_eq!(r["item_list"][0]["item_sku"], "WIN11");
        assert_eq!(r["item_list"][0]["model_discounted_price"], 149000.0);
    }

    #[test]
    fn only_the_last_fifty_are_kept() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..55 {
            keep(d.path(), 7, &json!({"order_sn": format!("S{i}")}), "test").unwrap();
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert_eq!(std::fs::read_dir(dir(d.path())).unwrap().count(), KEEP);
    }
}
