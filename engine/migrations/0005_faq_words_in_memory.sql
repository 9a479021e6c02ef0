-- Document frequencies of the FAQ's words are now counted in memory (assistant/words.rs):
-- fts5vocab walked a word's whole posting list for each lookup.
DROP TABLE IF EXISTS faq_fts_vocab;
