//! Delivery message templates: `{{placeholder}}` substitution, checked when a product is saved.

use crate::catalog::Kind;
use crate::{Error, Result};

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "buyer",
    "order_sn",
    "product",
    "items",
    "quantity",
    "instructions",
];

/// The template a new product gets when none is given, by language.
pub fn default_template(language: &str) -> &'static str {
    match language {
        "en" => "Hi {{buyer}}, thank you for your order {{order_sn}}!\n\n{{product}} ({{quantity}}x):\n{{items}}\n\n{{instructions}}",
        "vi" => "Chào {{buyer}}, cảm ơn bạn đã đặt đơn {{order_sn}}!\n\n{{product}} ({{quantity}}x):\n{{items}}\n\n{{instructions}}",
        "th" => "สวัสดี {{buyer}} ขอบคุณสำหรับคำสั่งซื้อ {{order_sn}}!\n\n{{product}} ({{quantity}}x):\n{{items}}\n\n{{instructions}}",
        _ => "Halo kak {{buyer}}, terima kasih atas pesanan {{order_sn}}!\n\n{{product}} ({{quantity}}x):\n{{items}}\n\n{{instructions}}",
    }
}

/// Yields each `{{name}}` in `template` as (byte range, trimmed name).
fn placeholders(template: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let start = pos + find_pair(&template[pos..], b'{')?;
        let end = start + 2 + find_pair(&template[start + 2..], b'}')?;
        pos = end + 2;
        Some((start..end + 2, template[start + 2..end].trim()))
    })
}

/// Where `cc` first occurs in `text`. A byte scan: `str::find` sets up a substring searcher on
/// every call, which was 3% of the work of delivering an order.
fn find_pair(text: &str, c: u8) -> Option<usize> {
    text.as_bytes()
        .windows(2)
        .position(|w| w[0] == c && w[1] == c)
}

/// Checks that a template only uses known placeholders, and that a stock product's template
/// includes `{{items}}` (or the buyer would get a message without their key).
pub fn validate(template: &str, kind: Kind) -> Result<()> {
    let mut has_items = false;
    for (_, name) in placeholders(template) {
        if !PLACEHOLDERS.contains(&name) {
            let shown: String = name.chars().take(30).collect();
            return Err(Error::invalid(format!(
                "the template uses an unknown placeholder {{{{{shown}}}}}; use {}",
                PLACEHOLDERS
                    .iter()
                    .map(|p| format!("{{{{{p}}}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        has_items |= name == "items";
    }
    if kind.has_stock() && !has_items {
        return Err(Error::invalid(
            "the template of a stock product must contain {{items}}, where the keys go",
        ));
    }
    Ok(())
}

/// The values a message is rendered with.
pub struct Values<'a> {
    pub buyer: &'a str,
    pub order_sn: &'a str,
    pub product: &'a str,
    pub items: &'a str,
    pub quantity: i64,
    pub instructions: &'a str,
}

/// Fills in the placeholders; blank lines left by empty values at the end are dropped.
pub fn render(template: &str, v: &Values) -> String {
    let mut out = String::with_capacity(template.len() + v.items.len() + 64);
    let mut last = 0;
    for (range, name) in placeholders(template) {
        out.push_str(&template[last..range.start]);
        match name {
            "buyer" => out.push_str(v.buyer),
            "order_sn" => out.push_str(v.order_sn),
            "product" => out.push_str(v.product),
            "items" => out.push_str(v.items),
            "quantity" => out.push_str(&v.quantity.to_string()),
            "instructions" => out.push_str(v.instructions),
            _ => out.push_str(&template[range.clone()]),
        }
        last = range.end;
    }
    out.push_str(&template[last..]);
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(items: &'a str) -> Values<'a> {
        Values {
            buyer: "budi_88",
            order_sn: "2411250001",
            product: "Windows 11 Pro",
            items,
            quantity: 1,
            instructions: "",
        }
    }

    #[test]
    fn placeholders_are_filled_and_trailing_blank_lines_dropped() {
        let t = default_template("en");
        let m = render(t, &values("ABCDE-12345"));
        assert!(m.starts_with("Hi budi_88, thank you for your order 2411250001!"));
        assert!(m.ends_with("ABCDE-12345"));
        assert_eq!(render("{{ buyer }}:{{items}}", &values("K")), "budi_88:K");
    }

    #[test]
    fn unknown_placeholders_and_missing_items_are_refused() {
        assert!(validate("Hi {{name}} {{items}}", Kind::LicenseKey).is_err());
        assert!(validate("Hi {{buyer}}", Kind::LicenseKey).is_err());
        assert!(validate("Hi {{buyer}}, see the link", Kind::Link).is_ok());
        for lang in ["id", "en", "vi", "th"] {
            assert!(validate(default_template(lang), Kind::Account).is_ok());
        }
    }
}
