//! Money and dates the local way: each currency as its buyers write it, dates in the seller's
//! time zone and language.

use crate::i18n::{Lang, LANG};
use auto_api::chrono::{DateTime, Utc};
use dioxus::prelude::*;

/// Groups the integer part with `sep` every three digits.
fn group(int: u64, sep: char) -> String {
    let digits = int.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `amount` in `currency`: IDR "Rp 150.000", VND "150.000 ₫", THB "฿1,234.50", MYR "RM 12.50",
/// PHP "₱12.50", SGD "S$12.50".
pub fn money(amount: f64, currency: &str) -> String {
    let neg = if amount < 0.0 { "-" } else { "" };
    let a = amount.abs();
    let whole = |sep| group(a.round() as u64, sep);
    let cents = || {
        let c = (a * 100.0).round() as u64;
        format!("{}.{:02}", group(c / 100, ','), c % 100)
    };
    match currency {
        "IDR" => format!("{neg}Rp {}", whole('.')),
        "VND" => format!("{neg}{} ₫", whole('.')),
        "THB" => format!("{neg}฿{}", cents()),
        "MYR" => format!("{neg}RM {}", cents()),
        "PHP" => format!("{neg}₱{}", cents()),
        "SGD" => format!("{neg}S${}", cents()),
        other => format!("{neg}{} {other}", cents()),
    }
}

/// A compact amount for chart axes: "1,2 jt" / "1.2M", "150 rb" / "150K".
pub fn short(amount: f64) -> String {
    let id = *LANG.peek() == Lang::Id;
    let (v, unit) = if amount >= 1e9 {
        (amount / 1e9, if id { " M" } else { "B" })
    } else if amount >= 1e6 {
        (amount / 1e6, if id { " jt" } else { "M" })
    } else if amount >= 1e3 {
        (amount / 1e3, if id { " rb" } else { "K" })
    } else {
        (amount, "")
    };
    let s = if v >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    let s = if id { s.replace('.', ",") } else { s };
    format!("{s}{unit}")
}

/// The seller's offset from UTC in minutes (UTC+7 is 420).
pub fn tz_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

fn month(m: u32) -> &'static str {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const ID: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
    ];
    let i = (m as usize).min(11);
    if *LANG.peek() == Lang::Id {
        ID[i]
    } else {
        EN[i]
    }
}

/// An instant in local time: "25 Nov 2026, 13:05" / "25 Nov 2026 13.05".
pub fn datetime(at: &DateTime<Utc>) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        at.timestamp_millis() as f64
    ));
    let (h, m) = (d.get_hours(), d.get_minutes());
    if *LANG.read() == Lang::Id {
        format!(
            "{} {} {} {:02}.{:02}",
            d.get_date(),
            month(d.get_month()),
            d.get_full_year(),
            h,
            m
        )
    } else {
        format!(
            "{} {} {}, {:02}:{:02}",
            d.get_date(),
            month(d.get_month()),
            d.get_full_year(),
            h,
            m
        )
    }
}

/// A calendar day ("2026-11-25") as "25 Nov".
pub fn day(date: &str) -> String {
    let mut it = date.split('-');
    let (_, m, d) = (it.next(), it.next(), it.next());
    match (m.and_then(|m| m.parse::<u32>().ok()), d) {
        (Some(m), Some(d)) if (1..=12).contains(&m) => {
            format!("{} {}", d.trim_start_matches('0'), month(m - 1))
        }
        _ => date.to_string(),
    }
}

/// A local date ("2026-11-25") at local midnight as an RFC 3339 instant, for API filters;
/// `end` gives the following midnight.
pub fn local_day_bound(date: &str, end: bool) -> Option<String> {
    let mut it = date.split('-').map(|p| p.parse::<u32>().ok());
    let (y, m, d) = (it.next()??, it.next()??, it.next()??);
    let dt = js_sys::Date::new_with_year_month_day(y, m as i32 - 1, d as i32 + i32::from(end));
    if dt.get_time().is_nan() {
        return None;
    }
    Some(String::from(dt.to_iso_string()))
}

/// A percentage: "82%".
pub fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}
