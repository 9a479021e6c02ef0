-- An FAQ entry's answer in other languages, as a JSON object of language code → text, so a
-- buyer who writes English gets the English answer of an entry written in Indonesian.
ALTER TABLE faq_entries ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
