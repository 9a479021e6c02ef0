//! Function words that full-text search leaves out of a question: pronouns, particles,
//! auxiliaries and question words of the languages Shopee buyers write in. They say nothing
//! about what a question is about, yet in a small FAQ (where no word is frequent enough to
//! count as common) one shared "apakah" made "Apakah toko ini buka saat Lebaran?" look like a
//! sure match for "Apakah ada garansi…?": full text ranked that entry first and lifted its
//! score over the line. The vector side still reads the whole question.
//!
//! Kept short on purpose: negations ("not", "tidak", "belum") and words like "sudah" change
//! what a buyer means and stay searchable.

/// Whether full-text search should skip `word` (lowercased, as `words::split` gives it).
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// Sorted, for the binary search (a unit test checks the order).
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    // English, Indonesian/Malay, Vietnamese and Filipino, merged in byte order.
    "a", "about", "ada", "adakah", "agar", "akan", "ako", "aku", "am", "an", "and", "ang",
    "anh", "any", "apa", "apakah", "are", "as", "at", "atau", "ba", "bagaimana", "be", "been",
    "bisakah", "boleh", "bolehkah", "but", "by", "bạn", "can", "could", "của", "dan", "deh",
    "dengan", "di", "dimana", "do", "does", "dong", "em", "for", "from", "gimana", "gitu",
    "hai", "halo", "has", "have", "he", "hello", "hi", "how", "i", "if", "in", "ini", "into",
    "is", "it", "its", "itu", "iya", "juga", "kah", "kak", "kakak", "kalau", "kalo", "kami",
    "kamu", "kapan", "ke", "kenapa", "kita", "ko", "lah", "là", "mana", "me", "mengapa",
    "mo", "mohon", "my", "ng", "nhé", "nya", "of", "on", "or", "our", "pada", "please", "pls",
    "po", "sa", "saya", "she", "sih", "so", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "thì", "to", "tolong", "tôi", "untuk", "us",
    "và", "vậy", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will",
    "with", "would", "ya", "yang", "you", "your", "ơi", "ạ",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_lowercase_and_without_repeats() {
        for pair in STOP_WORDS.windows(2) {
            assert!(pair[0] < pair[1], "{:?} before {:?}", pair[0], pair[1]);
        }
        for w in STOP_WORDS {
            assert_eq!(*w, w.to_lowercase(), "{w}");
            assert_eq!(
                crate::assistant::words::split(w).count(),
                1,
                "{w} is one word"
            );
        }
    }

    #[test]
    fn function_words_are_skipped_and_words_that_carry_meaning_are_kept() {
        for w in ["apakah", "the", "kak", "how", "bạn", "ạ"] {
            assert!(is_stop_word(w), "{w}");
        }
        for w in [
            "garansi", "refund", "tidak", "not", "belum", "sudah", "kode", "lebaran",
        ] {
            assert!(!is_stop_word(w), "{w}");
        }
    }
}
