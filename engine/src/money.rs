//! Money as integer minor units; the API speaks decimal numbers in the currency's usual precision.

/// Currencies Shopee sells in, with the number of decimals Shopee shows for each.
const EXPONENTS: &[(&str, u32)] = &[
    ("IDR", 0),
    ("VND", 0),
    ("THB", 2),
    ("MYR", 2),
    ("PHP", 2),
    ("SGD", 2),
    ("TWD", 0),
    ("BRL", 2),
    ("MXN", 2),
    ("CLP", 0),
    ("COP", 0),
    ("USD", 2),
];

/// Decimal places of a supported currency, or None when AUTO does not know it.
pub fn exponent(currency: &str) -> Option<u32> {
    EXPONENTS
        .iter()
        .find(|(c, _)| *c == currency)
        .map(|(_, e)| *e)
}

/// Checks a currency code and returns it upper-cased.
pub fn parse_currency(currency: &str) -> crate::Result<String> {
    let upper = currency.trim().to_ascii_uppercase();
    if exponent(&upper).is_none() {
        let known: Vec<&str> = EXPONENTS.iter().map(|(c, _)| *c).collect();
        return Err(crate::Error::invalid(format!(
            "unknown currency '{currency}'; use one of {}",
            known.join(", ")
        )));
    }
    Ok(upper)
}

/// Converts an amount such as 150000 or 12.5 into minor units of `currency`.
pub fn to_minor(amount: f64, currency: &str, field: &str) -> crate::Result<i64> {
    let exp = exponent(currency).unwrap_or(2);
    if !amount.is_finite() || amount < 0.0 {
        return Err(crate::Error::invalid(format!(
            "{field} must be a number of 0 or more"
        )));
    }
    let minor = (amount * 10f64.powi(exp as i32)).round();
    if minor > 1e15 {
        return Err(crate::Error::invalid(format!("{field} is too large")));
    }
    Ok(minor as i64)
}

/// Converts minor units back into the decimal amount the API shows.
pub fn from_minor(minor: i64, currency: &str) -> f64 {
    let exp = exponent(currency).unwrap_or(2);
    minor as f64 / 10f64.powi(exp as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_has_no_decimals_and_ringgit_has_two() {
        assert_eq!(to_minor(150000.0, "IDR", "price").unwrap(), 150000);
        assert_eq!(to_minor(12.5, "MYR", "price").unwrap(), 1250);
        assert_eq!(from_minor(1250, "MYR"), 12.5);
        assert!(to_minor(-1.0, "IDR", "price").is_err());
        assert!(parse_currency("ABC").is_err());
        assert_eq!(parse_currency("thb").unwrap(), "THB");
    }
}
