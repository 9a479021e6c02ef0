//! Masking stock secrets for lists: enough of a code to recognise it (`ABCD-••••-••••-WXYZ`),
//! never enough to use it. Accounts show their username so masked, never the password.

use super::import::StockSecret;

const BULLET: char = '•';
/// Longest run of bullets shown: a 1,000-character secret is not worth a 1,000-bullet line.
const MAX_BULLETS: usize = 12;

/// A secret as a list shows it.
pub fn mask_secret(secret: &StockSecret) -> String {
    match secret {
        StockSecret::Code(code) => mask(code),
        StockSecret::Account { username, .. } => match username.rsplit_once('@') {
            // An e-mail's domain tells the seller which account it is and opens nothing.
            Some((local, domain)) if !local.is_empty() => format!("{}@{domain}", mask(local)),
            _ => mask(username),
        },
    }
}

/// Keeps up to 4 letters or digits at each end (fewer in short codes: at most half of a
/// code is ever shown) and hides the ones between; separators stay, so the shape of the code
/// is recognisable.
pub fn mask(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let signs = chars.iter().filter(|c| !is_separator(**c)).count();
    let keep = (signs / 4).min(4);
    let mut out = String::with_capacity(code.len() + 8);
    let mut seen = 0;
    let mut bullets = 0;
    for c in chars {
        if is_separator(c) {
            // A separator inside the hidden part is kept only while its bullets are shown.
            if bullets < MAX_BULLETS || seen >= signs - keep {
                out.push(c);
            }
            continue;
        }
        seen += 1;
        if seen <= keep || seen > signs - keep {
            out.push(c);
        } else if bullets < MAX_BULLETS {
            out.push(BULLET);
            bullets += 1;
        }
    }
    out
}

fn is_separator(c: char) -> bool {
    matches!(c, '-' | ' ' | '_' | '.' | '/' | ':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_four_group_key_keeps_its_first_and_last_group() {
        assert_eq!(mask("ABCD-EFGH-IJKL-WXYZ"), "ABCD-••••-••••-WXYZ");
        assert_eq!(
            mask("ABCDE-FGHIJ-KLMNO-PQRST-UVWXY"),
            "ABCD•-•••••-•••••-•VWXY"
        );
    }

    #[test]
    fn short_codes_show_at_most_half_and_tiny_ones_nothing() {
        assert_eq!(mask("12345678"), "12••••78");
        assert_eq!(mask("ABC"), "•••");
        assert_eq!(mask(""), "");
    }

    #[test]
    fn long_secrets_are_cut_to_a_dozen_bullets() {
        let long = "X".repeat(500);
        let m = mask(&long);
        assert_eq!(m.chars().filter(|c| *c == BULLET).count(), MAX_BULLETS);
        assert!(m.starts_with("XXXX•") && m.ends_with("•XXXX"), "{m}");
    }

    #[test]
    fn an_account_shows_a_masked_username_and_never_the_password() {
        let account = StockSecret::Account {
            username: "budi.santoso@mail.id".into(),
            password: "rahasia-sekali".into(),
            notes: "PIN 1234".into(),
        };
        let m = mask_secret(&account);
        assert_eq!(m, "bu••.•••••so@mail.id");
        assert!(!m.contains("rahasia") && !m.contains("1234"));
    }
}
