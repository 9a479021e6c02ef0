-- Replies in chat-sized parts, as deliveries are (0009 gave deliveries theirs). `parts` is the
-- JSON list of the parts a reply is posted as, fixed when a road first takes the reply (the
-- extension leases it, or the Open Platform claims it) and NULL before: a reply waiting is cut
-- under the limit of the moment, one on its way never again, so a limit changed between two of
-- its parts cannot recut what the buyer is reading. Replies are not secret (their text is
-- plain), so neither are their parts. `parts_sent`: how many parts Shopee took on the Open
-- Platform road, so a crash resumes after them and never posts one twice.
ALTER TABLE replies ADD COLUMN parts TEXT;
ALTER TABLE replies ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
