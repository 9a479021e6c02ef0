//! The FAQ's words, counted in memory: which words each live variant has, and in how many
//! variants each word is. Full-text search needs these counts for every question (to leave the
//! FAQ's common words out, and for BM25), and SQLite can only give them slowly: a document
//! frequency from fts5vocab walks the word's whole posting list, and FTS5's `bm25()` re-reads
//! the positions of every matching row, 2 µs a row, most of a search's full-text time at
//! 10,000 variants. FTS5 stays the index: it says which variants contain a word.

use std::collections::HashMap;

#[derive(Default)]
pub struct Words {
    ids: HashMap<String, u32>,
    /// Per word id: how many live variants have the word.
    doc_freq: Vec<u32>,
    /// Per live variant: its word ids, repeats included (its length is the list's).
    docs: HashMap<usize, Box<[u32]>>,
    total_len: u64,
}

/// The words of a text as FTS5's unicode61 tokenizer splits them: runs of letters and digits,
/// lowercased. (FTS5 also folds diacritics; a word spelled differently here only loses its
/// count, and FTS5 still finds it.)
pub fn split(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

impl Words {
    /// Sets the text of a variant (replacing what it had).
    pub fn insert(&mut self, id: usize, text: &str) {
        self.remove(id);
        let mut list = Vec::new();
        for word in split(text) {
            let next = self.ids.len() as u32;
            let wid = *self.ids.entry(word).or_insert(next);
            if wid == next {
                self.doc_freq.push(0);
            }
            if !list.contains(&wid) {
                self.doc_freq[wid as usize] += 1;
            }
            list.push(wid);
        }
        self.total_len += list.len() as u64;
        self.docs.insert(id, list.into_boxed_slice());
    }

    pub fn remove(&mut self, id: usize) {
        let Some(list) = self.docs.remove(&id) else {
            return;
        };
        self.total_len -= list.len() as u64;
        let mut seen = Vec::with_capacity(list.len());
        for &wid in list.iter() {
            if !seen.contains(&wid) {
                seen.push(wid);
                self.doc_freq[wid as usize] -= 1;
            }
        }
    }

    /// In how many live variants `word` is (0 for a word never seen).
    pub fn doc_freq(&self, word: &str) -> u32 {
        self.ids
            .get(word)
            .map_or(0, |&wid| self.doc_freq[wid as usize])
    }

    /// Whether a live variant has `word`.
    pub fn has(&self, id: usize, word: &str) -> bool {
        match (self.ids.get(word), self.docs.get(&id)) {
            (Some(wid), Some(list)) => list.contains(wid),
            _ => false,
        }
    }

    /// How many live variants there are.
    pub fn docs(&self) -> usize {
        self.docs.len()
    }

    /// A variant's length in words, when it is live.
    pub fn len_of(&self, id: usize) -> Option<usize> {
        self.docs.get(&id).map(|l| l.len())
    }

    pub fn average_len(&self) -> f32 {
        if self.docs.is_empty() {
            0.0
        } else {
            self.total_len as f32 / self.docs.len() as f32
        }
    }
}

/// BM25's usual constants (FTS5's own `bm25()` uses the same).
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// BM25 of one word in one variant, the word being in `matching` of `docs` variants. Short
/// FAQ questions almost never repeat a word, so a word counts once (tf = 1).
pub fn bm25_term(matching: usize, docs: usize, len: f32, average_len: f32) -> f32 {
    let (n, m) = (docs.max(matching) as f32, matching as f32);
    let idf = ((n - m + 0.5) / (m + 0.5)).ln().max(1e-6);
    let norm = if average_len > 0.0 {
        len / average_len
    } else {
        1.0
    };
    idf * (K1 + 1.0) / (1.0 + K1 * (1.0 - B + B * norm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_inserts_edits_and_removals() {
        let mut w = Words::default();
        w.insert(1, "Kapan kodenya dikirim? kapan?");
        w.insert(2, "Kapan bisa refund");
        assert_eq!(w.doc_freq("kapan"), 2);
        assert_eq!(w.doc_freq("kodenya"), 1);
        assert_eq!(w.len_of(1), Some(4));
        assert_eq!(w.average_len(), 3.5);
        w.insert(1, "How long until the key arrives");
        assert_eq!(w.doc_freq("kapan"), 1);
        assert_eq!(w.doc_freq("kodenya"), 0);
        assert_eq!(w.doc_freq("key"), 1);
        w.remove(2);
        w.remove(2);
        assert_eq!(w.doc_freq("kapan"), 0);
        assert_eq!(w.docs(), 1);
        assert_eq!(w.average_len(), 6.0);
        assert_eq!(w.doc_freq("never"), 0);
    }

    #[test]
    fn rarer_words_and_shorter_variants_score_higher() {
        let rare = bm25_term(2, 1000, 6.0, 6.0);
        let common = bm25_term(300, 1000, 6.0, 6.0);
        assert!(rare > common && common > 0.0);
        assert!(bm25_term(2, 1000, 3.0, 6.0) > bm25_term(2, 1000, 12.0, 6.0));
        // A word in every variant still counts a little, never negatively.
        assert!(bm25_term(1000, 1000, 6.0, 6.0) > 0.0);
    }
}
