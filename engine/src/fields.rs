//! Checking the text fields sellers and Shopee send: trimmed, bounded, no control characters.

use crate::{Error, Result};

fn check(field: &str, value: &str, max: usize, required: bool, multiline: bool) -> Result<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Error::invalid(format!("{field} must not be empty")));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    let allowed = |c: char| multiline && matches!(c, '\n' | '\t' | '\r');
    if v.chars().any(|c| c.is_control() && !allowed(c)) {
        let what = if multiline {
            "control characters"
        } else {
            "line breaks or control characters"
        };
        return Err(Error::invalid(format!("{field} contains {what}")));
    }
    Ok(v.to_string())
}

/// A text that may span lines (a template, instructions).
pub fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String> {
    check(field, value, max, required, true)
}

/// A one-line text (a name, a SKU, an order number).
pub fn one_line(field: &str, value: &str, max: usize, required: bool) -> Result<String> {
    check(field, value, max, required, false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(
            super::one_line("name", "  Khóa 🔑 ", 10, true).unwrap(),
            "Khóa 🔑"
        );
        assert!(super::one_line("name", "   ", 10, true).is_err());
        assert!(super::one_line("name", "a\nb", 10, true).is_err());
        assert!(super::text("template", "a\nb", 10, true).is_ok());
        assert!(super::text("template", "a\u{7}b", 10, true).is_err());
        assert!(super::one_line("name", "ááááá", 4, true).is_err());
    }
}
