//! A quick guess of a chat message's language, enough to answer in the buyer's language and to
//! tell the model which one to use. Shopee chat is short and informal, so this looks at script,
//! Vietnamese letters and common Indonesian/Malay chat words rather than a statistical model.

/// "th", "vi", "id", "en", or "" when there is nothing to go on.
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

#[cfg(test)]
mod tests {
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
