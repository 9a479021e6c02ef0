//! A quick guess of a chat message's language, enough to answer in the buyer's language and to
//! tell the model which one to use. Shopee chat is short and informal, so this looks at script,
//! Vietnamese letters and common Indonesian/Malay chat words rather than a statistical model.

/// The language to answer a buyer in: `guess`, except that a Latin-script message counts as
/// English only when it has an English function word. A message in a language the guess does
/// not know ("Voucher nya ready?", Tagalog, Malay slang) would otherwise get an entry's English
/// text instead of the seller's own answer.
pub fn of_buyer(text: &str) -> &'static str {
    match guess(text) {
        "en" if !has_english_word(text) => "",
        code => code,
    }
}

/// English function words, sorted (binary search).
#[rustfmt::skip]
const EN: &[&str] = &[
    "a", "am", "an", "and", "any", "are", "can", "could", "did", "do", "does", "for", "from",
    "get", "got", "has", "have", "hello", "hi", "how", "i", "if", "in", "is", "it", "me", "my",
    "no", "not", "of", "on", "or", "please", "receive", "send", "sent", "still", "thank",
    "thanks", "that", "the", "this", "to", "until", "was", "what", "when", "where", "which",
    "why", "will", "with", "would", "yes", "you", "your",
];

fn has_english_word(text: &str) -> bool {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| EN.binary_search(&w).is_ok())
}

/// "th", "vi", "id", "en", or "" when there is nothing to go on. Any other Latin-script text
/// counts as "en": the search groups an entry's phrasings by it, and English is what the
/// model knows.
pub fn guess(text: &str) -> &'static str {
    if text.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)) {
        return "th";
    }
    const VI: &str = "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ";
    let lower = text.to_lowercase();
    if lower.chars().filter(|c| VI.contains(*c)).count() >= 2 {
        return "vi";
    }
    const ID: &[&str] = &[
        "yang",
        "dan",
        "kak",
        "kakak",
        "gan",
        "min",
        "sis",
        "kapan",
        "apa",
        "apakah",
        "sudah",
        "udah",
        "sdh",
        "belum",
        "blm",
        "bisa",
        "tidak",
        "gak",
        "ga",
        "nggak",
        "enggak",
        "kode",
        "kodenya",
        "kirim",
        "dikirim",
        "berapa",
        "mohon",
        "tolong",
        "saya",
        "aku",
        "ini",
        "itu",
        "untuk",
        "dengan",
        "akun",
        "akunnya",
        "bagaimana",
        "gimana",
        "kok",
        "masuk",
        "garansi",
        "harga",
        "beli",
        "pesanan",
        "barang",
        "sampai",
        "lama",
        "cara",
        "pakai",
        "kenapa",
        "ada",
        "masih",
        "mau",
        "tanya",
        "dong",
        "ya",
        "nih",
        "deh",
        "aja",
        "saja",
        "lagi",
        "makasih",
        "terima",
        "kasih",
        "bayar",
        "gk",
        "tdk",
        "knp",
        "gmn",
        "brp",
        "pengiriman",
    ];
    let mut words = 0;
    let mut indonesian = 0;
    for w in lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        indonesian += ID.contains(&w) as usize;
    }
    if words == 0 {
        ""
    } else if indonesian > 0 && indonesian * 5 >= words {
        "id"
    } else if lower.chars().any(|c| c.is_ascii_alphabetic()) {
        "en"
    } else {
        ""
    }
}

/// A language code as settings and FAQ translations take it ("id", "en", "pt-br"), lowercased;
/// `field` names it in the error.
pub fn code(field: &str, value: &str) -> crate::Result<String> {
    let v = crate::fields::one_line(field, value, 10, true)?.to_lowercase();
    let well_formed = v.len() <= 5
        && v.split('-').all(|part| !part.is_empty())
        && v.split('-').next().is_some_and(|p| p.len() >= 2)
        && v.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    if well_formed {
        Ok(v)
    } else {
        Err(crate::Error::invalid(format!(
            "{field} must be a language code such as \"id\", \"en\", \"vi\" (got {value:?})"
        )))
    }
}

/// Whether text in language `have` serves a buyer who wants `want`: the same code, or the same
/// language in another region ("en-us" for "en", "pt" for "pt-br").
pub fn serves(have: &str, want: &str) -> bool {
    fn primary(code: &str) -> &str {
        code.split('-').next().unwrap_or("")
    }
    !want.is_empty() && (have == want || primary(have) == primary(want))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_buyer_is_answered_in_english_only_when_they_write_english() {
        assert_eq!(super::of_buyer("How long until I get the key?"), "en");
        assert_eq!(super::of_buyer("is this still available"), "en");
        assert_eq!(super::of_buyer("Voucher masih ada?"), "id");
        assert_eq!(super::of_buyer("Kailan darating ang code po?"), "");
        assert_eq!(super::of_buyer("ok"), "");
        assert_eq!(super::of_buyer("Khi nào tôi nhận được mã?"), "vi");
        assert_eq!(
            super::guess("ok"),
            "en",
            "the search's grouping is unchanged"
        );
    }

    #[test]
    fn the_english_words_are_sorted() {
        assert!(super::EN.windows(2).all(|p| p[0] < p[1]));
    }

    #[test]
    fn language_codes_are_checked_and_lowercased() {
        assert_eq!(super::code("language", " EN ").unwrap(), "en");
        assert_eq!(super::code("language", "pt-BR").unwrap(), "pt-br");
        for bad in [
            "",
            "e",
            "english",
            "en_us",
            "-en",
            "en-",
            "bahasa indonesia",
            "日本",
        ] {
            assert!(super::code("language", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_region_serves_its_language() {
        assert!(super::serves("en", "en"));
        assert!(super::serves("en-us", "en"));
        assert!(super::serves("pt", "pt-br"));
        assert!(!super::serves("id", "en"));
        assert!(!super::serves("id", ""));
    }

    #[test]
    fn guesses_the_languages_of_shopee_chat() {
        assert_eq!(super::guess("kapan kodenya dikirim kak?"), "id");
        assert_eq!(super::guess("Gan, akun netflix nya gak bisa login"), "id");
        assert_eq!(super::guess("How long until I get the key?"), "en");
        assert_eq!(super::guess("Khi nào tôi nhận được mã?"), "vi");
        assert_eq!(super::guess("จะได้รับโค้ดเมื่อไหร่"), "th");
        assert_eq!(super::guess("🙏🙏"), "");
    }
}
