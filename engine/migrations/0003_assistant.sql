-- The assistant: FAQ entries and their question variants (with embeddings and full-text),
-- conversations with buyers, their messages, the reply outbox, and AI settings per level.

-- AUTOINCREMENT: ids are never reused, so an id in the vector index can only ever name the
-- text it was embedded from, even after deletes.
CREATE TABLE faq_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    product_id INTEGER REFERENCES products (id) ON DELETE CASCADE,
    language   TEXT NOT NULL DEFAULT '',
    tags       TEXT NOT NULL DEFAULT '[]',
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX faq_entries_by_product ON faq_entries (product_id);

-- Position 0 is the entry's main question; the rest are other phrasings. A variant's text never
-- changes: an edit replaces the row, so a variant id names one text (and one embedding).
CREATE TABLE faq_variants (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id        INTEGER NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    text            TEXT NOT NULL,
    embedding       BLOB,
    embedding_model TEXT
);
CREATE INDEX faq_variants_by_entry ON faq_variants (entry_id);
CREATE INDEX faq_variants_unembedded ON faq_variants (id) WHERE embedding IS NULL;

-- BM25 over the variants. remove_diacritics folds Vietnamese and accented spellings together.
CREATE VIRTUAL TABLE faq_fts USING fts5 (
    text,
    content = 'faq_variants',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Document frequency per word, to leave the FAQ's common words out of queries.
CREATE VIRTUAL TABLE faq_fts_vocab USING fts5vocab (faq_fts, 'row');
CREATE TRIGGER faq_variants_ai AFTER INSERT ON faq_variants BEGIN
    INSERT INTO faq_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER faq_variants_ad AFTER DELETE ON faq_variants BEGIN
    INSERT INTO faq_fts (faq_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER faq_variants_au AFTER UPDATE OF text ON faq_variants BEGIN
    INSERT INTO faq_fts (faq_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO faq_fts (rowid, text) VALUES (new.id, new.text);
END;

-- Counts how often each entry answered (automatically or as a draft), for "never matches".
CREATE TABLE faq_hits (
    entry_id INTEGER PRIMARY KEY REFERENCES faq_entries (id) ON DELETE CASCADE,
    hits     INTEGER NOT NULL DEFAULT 0,
    last_at  INTEGER
);

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    shop            TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    buyer_username  TEXT NOT NULL DEFAULT '',
    buyer_user_id   INTEGER,
    product_id      INTEGER REFERENCES products (id) ON DELETE SET NULL,
    order_sn        TEXT,
    created_at      INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL,
    UNIQUE (shop, conversation_id)
);
CREATE INDEX conversations_recent ON conversations (last_message_at);

-- Inbound messages carry the assistant's decision (faq_id: the entry that answered it, once
-- one did; a suggested draft is not an answer until the seller approves it); state says whether the seller still owes
-- an answer ('waiting'), a draft waits for approval ('drafted') or a reply exists ('answered').
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    external_id     TEXT,
    text            TEXT NOT NULL,
    language        TEXT NOT NULL DEFAULT '',
    -- The product the message was about when it arrived (a chat can move between products).
    product_id      INTEGER REFERENCES products (id) ON DELETE SET NULL,
    source          TEXT NOT NULL DEFAULT 'none' CHECK (source IN ('faq', 'llm', 'seller', 'none')),
    faq_id          INTEGER REFERENCES faq_entries (id) ON DELETE SET NULL,
    score           REAL,
    latency_us      INTEGER,
    state           TEXT NOT NULL DEFAULT 'answered'
        CHECK (state IN ('waiting', 'drafted', 'answered')),
    note            TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
CREATE UNIQUE INDEX messages_external ON messages (conversation_id, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX messages_waiting ON messages (id) WHERE state != 'answered';

-- The outbox for chat replies, drained by the extension like deliveries. Drafts wait for the
-- seller's approval; pending ones are offered to the extension until confirmed.
CREATE TABLE replies (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    message_id      INTEGER REFERENCES messages (id),
    text            TEXT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('faq', 'llm', 'seller')),
    faq_id          INTEGER REFERENCES faq_entries (id) ON DELETE SET NULL,
    score           REAL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'sent', 'discarded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    offered_at      INTEGER,
    confirmed_at    INTEGER
);
CREATE INDEX replies_pending ON replies (id) WHERE status = 'pending';
CREATE INDEX replies_draft ON replies (id) WHERE status = 'draft';
CREATE INDEX replies_by_conversation ON replies (conversation_id);

-- AI settings per level; most specific wins. scope_key: '' for the store, the product id,
-- or '<shop>/<buyer username>' for a customer. settings is a JSON object of the fields set.
CREATE TABLE ai_settings (
    scope      TEXT NOT NULL CHECK (scope IN ('store', 'product', 'customer')),
    scope_key  TEXT NOT NULL,
    settings   TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_key)
);
