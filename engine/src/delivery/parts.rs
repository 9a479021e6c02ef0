//! Chat-sized deliveries. Shopee chat refuses a text longer than its limit (600 characters in
//! the seller chat API), and 20 keys with instructions are far longer, so a delivery is
//! rendered as parts of at most the seller's chat limit. Parts are cut between lines and
//! between items, never inside an item (an account's Username/Password/Notes stay together);
//! only a text line longer than the limit is cut, at a space. An item longer than the limit is
//! refused when it is imported, and the limit cannot go below an item in stock, so allocation
//! never has to cut one.
//!
//! Length is counted in UTF-16 code units, not in characters. Shopee says "600 characters"
//! and nobody public shows its unit; its web chat is JavaScript, whose string length (and a
//! text field's maxlength) counts UTF-16 units, while a server may count Unicode characters.
//! A UTF-16 count is never below the character count, so a part that fits by it fits by
//! either; the price is that an emoji counts twice.

use super::template::{render as render_template, Values};
use crate::catalog::{Kind, StockSecret};
use crate::secrets::Vault;
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::ops::{Range, RangeInclusive};
use unicode_segmentation::UnicodeSegmentation;

/// The chat limit of a new install: the seller chat API's.
pub const DEFAULT_CHAT_LIMIT: usize = 600;
/// The limits a seller may set.
pub const CHAT_LIMITS: RangeInclusive<usize> = 100..=5000;
/// Room kept for an item's number ("12. ") when measuring it alone, so that it fits numbered
/// in a delivery of up to 99.
const NUMBER_ROOM: usize = 4;

/// A text's length as Shopee chat is assumed to count it (see the module's note).
pub fn chat_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// A rendered delivery: its text and the stretches of it that are items, never to be cut.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rendered {
    text: String,
    items: Vec<Range<usize>>,
}

impl Rendered {
    /// The whole text, as the `message` of a delivery.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The order's lines rendered one after the other, `sep` between them.
    pub fn join(lines: Vec<Rendered>, sep: &str) -> Rendered {
        let mut out = Rendered::default();
        for (i, line) in lines.into_iter().enumerate() {
            if i > 0 {
                out.text.push_str(sep);
            }
            let at = out.text.len();
            out.text.push_str(&line.text);
            out.items
                .extend(line.items.into_iter().map(|r| r.start + at..r.end + at));
        }
        out
    }
}

/// What `{{items}}` stands for in a line's template.
pub enum Items<'a> {
    /// Stock items, each kept whole, `sep` between them.
    Each(Vec<String>, &'static str),
    /// The content of a product without stock (a link, a file's instructions): plain text.
    Text(&'a str),
}

/// Where `{{items}}` goes while the rest of the template is filled in. A NUL cannot come from
/// a template or an order, and a value that holds one anyway loses only the item boundaries.
const MARK: &str = "\u{0}items\u{0}";

/// Renders one order line as `template::render` does, remembering where each item went.
pub fn render(template: &str, v: &Values, items: Items) -> Rendered {
    let fields = [v.buyer, v.order_sn, v.product, v.instructions];
    if fields.iter().any(|f| f.contains('\u{0}')) {
        let text = match &items {
            Items::Each(list, sep) => list.join(sep),
            Items::Text(t) => t.to_string(),
        };
        let plain = render_template(template, &Values { items: &text, ..*v });
        return Rendered {
            text: plain,
            items: Vec::new(),
        };
    }
    let marked = render_template(template, &Values { items: MARK, ..*v });
    let mut out = Rendered::default();
    for (i, piece) in marked.split(MARK).enumerate() {
        if i > 0 {
            match &items {
                Items::Each(list, sep) => {
                    for (j, item) in list.iter().enumerate() {
                        if j > 0 {
                            out.text.push_str(sep);
                        }
                        let at = out.text.len();
                        out.text.push_str(item);
                        out.items.push(at..out.text.len());
                    }
                }
                Items::Text(t) => out.text.push_str(t),
            }
        }
        out.text.push_str(piece);
    }
    // As template::render: no trailing blank lines (items at the very end may have had some).
    let end = out.text.trim_end().len();
    out.text.truncate(end);
    out.items.retain(|r| r.start < end);
    for r in &mut out.items {
        r.end = r.end.min(end);
    }
    out
}

/// One stock item as the buyer reads it (without its number).
pub fn item_text(secret: &StockSecret) -> String {
    match secret {
        StockSecret::Code(c) => c.clone(),
        StockSecret::Account {
            username,
            password,
            notes,
        } => {
            let mut t = format!("Username: {username}\nPassword: {password}");
            if !notes.is_empty() {
                t += &format!("\nNotes: {notes}");
            }
            t
        }
    }
}

/// A line's items as they go into `{{items}}`: numbered when there are several, accounts a
/// blank line apart.
pub fn items_of(kind: Kind, secrets: &[StockSecret]) -> Items<'static> {
    let sep = if kind == Kind::Account { "\n\n" } else { "\n" };
    let list = if secrets.len() == 1 {
        vec![item_text(&secrets[0])]
    } else {
        secrets
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {}", i + 1, item_text(s)))
            .collect()
    };
    Items::Each(list, sep)
}

/// Cuts a rendered delivery into parts of at most `limit` (in `chat_len`), in order: as many
/// whole lines and items as fit in each; a text line longer than the limit starts a part of its
/// own and is cut at its spaces (a word longer than the limit, anywhere). The text between two
/// parts (line breaks, the space a long line was cut at) is left out.
pub fn split(r: &Rendered, limit: usize) -> Vec<String> {
    let text = r.text.as_str();
    if chat_len(text) <= limit {
        return vec![text.to_string()];
    }
    let fits = |range: &Range<usize>| chat_len(&text[range.clone()]) <= limit;
    // Each piece, and whether it must start a part.
    let mut pieces: Vec<(Range<usize>, bool)> = Vec::new();
    for line in split_at(text, 0..text.len(), &r.items, |c| c == '\n') {
        if fits(&line) {
            pieces.push((line, false));
            continue;
        }
        // A long line begins a message: a sentence cut across two messages is read more easily
        // than one that begins at the end of the previous message.
        let first = pieces.len();
        for word in split_at(text, line, &r.items, is_space) {
            if fits(&word) {
                pieces.push((word, false));
                continue;
            }
            if r.items
                .iter()
                .any(|i| i.start < word.end && word.start < i.end)
            {
                // Both the import and the setting refuse such items, so this is one allocated
                // in an older version: better cut in the chat than never sent.
                tracing::warn!("a delivery holds an item longer than the chat limit; it is cut");
            }
            for w in split_at(text, word, &[], is_space) {
                if fits(&w) {
                    pieces.push((w, false));
                } else {
                    pieces.extend(cut(text, w, limit).into_iter().map(|c| (c, false)));
                }
            }
        }
        if let Some(p) = pieces.get_mut(first) {
            p.1 = true;
        }
    }
    pack(text, &pieces, limit)
}

/// Cuts a text with no items (a reply to a buyer) as `split` cuts a delivery: between lines, a
/// line longer than the limit at its spaces. One splitter for both, so a reply reads in the chat
/// as a delivery does.
pub fn split_text(text: &str, limit: usize) -> Vec<String> {
    split(
        &Rendered {
            text: text.to_string(),
            items: Vec::new(),
        },
        limit,
    )
}

/// Cuts again, under `limit`, parts that were cut under a higher one (Shopee refused one as too
/// long and the seller lowered the limit). Parts that fit stay as they are, so parts the buyer
/// has keep their place; a longer one is cut keeping whole every item of `whole` (the order's
/// delivery rendered afresh) found in it.
pub fn recut(whole: &Rendered, old: &[String], limit: usize) -> Vec<String> {
    let items: Vec<&str> = whole
        .items
        .iter()
        .map(|r| &whole.text[r.clone()])
        .filter(|t| !t.is_empty())
        .collect();
    let mut out = Vec::with_capacity(old.len());
    for part in old {
        if chat_len(part) <= limit {
            out.push(part.clone());
            continue;
        }
        let mut keep: Vec<Range<usize>> = items
            .iter()
            .flat_map(|item| part.match_indices(item).map(|(at, m)| at..at + m.len()))
            .collect();
        keep.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(keep.len());
        for r in keep {
            match merged.last_mut() {
                Some(last) if r.start < last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        out.extend(split(
            &Rendered {
                text: part.clone(),
                items: merged,
            },
            limit,
        ));
    }
    out
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The non-blank stretches of `range` between characters `at` matches outside `keep` (sorted
/// ranges), trimmed.
fn split_at(
    text: &str,
    range: Range<usize>,
    keep: &[Range<usize>],
    at: impl Fn(char) -> bool,
) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut push = |r: Range<usize>| {
        let s = &text[r.clone()];
        let lead = s.len() - s.trim_start().len();
        let trail = s.len() - s.trim_end().len();
        if lead < s.len() {
            out.push(r.start + lead..r.end - trail);
        }
    };
    let mut start = range.start;
    let mut k = 0;
    for (i, c) in text[range.clone()].char_indices() {
        let pos = range.start + i;
        while k < keep.len() && keep[k].end <= pos {
            k += 1;
        }
        let inside = k < keep.len() && keep[k].start <= pos;
        if at(c) && !inside {
            push(start..pos);
            start = pos + c.len_utf8();
        }
    }
    push(start..range.end);
    out
}

/// `range` in consecutive stretches of at most `limit`, between what a reader sees as one
/// character (grapheme clusters): Thai, written without spaces, is cut here, and a vowel or tone
/// mark must stay on its consonant, as an emoji sequence (a family, a skin tone) must stay whole.
/// Only a cluster longer than the limit by itself (a contrived one) is cut between code points.
fn cut(text: &str, range: Range<usize>, limit: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut len) = (range.start, 0);
    for (i, g) in text[range.clone()].grapheme_indices(true) {
        let pos = range.start + i;
        let units: Vec<(usize, usize)> = if chat_len(g) <= limit {
            vec![(pos, chat_len(g))]
        } else {
            g.char_indices()
                .map(|(j, c)| (pos + j, c.len_utf16()))
                .collect()
        };
        for (at, n) in units {
            if len + n > limit {
                out.push(start..at);
                start = at;
                len = 0;
            }
            len += n;
        }
    }
    out.push(start..range.end);
    out
}

/// Joins consecutive pieces (with the text between them) while the result fits and the next
/// piece need not start a part.
fn pack(text: &str, pieces: &[(Range<usize>, bool)], limit: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current: Option<(usize, usize, usize)> = None;
    for (p, starts) in pieces {
        let len = chat_len(&text[p.clone()]);
        current = Some(match current {
            Some((start, end, so_far)) => {
                let joined = so_far + chat_len(&text[end..p.start]) + len;
                if joined <= limit && !starts {
                    (start, p.end, joined)
                } else {
                    parts.push(text[start..end].to_string());
                    (p.start, p.end, len)
                }
            }
            None => (p.start, p.end, len),
        });
    }
    if let Some((start, end, _)) = current {
        parts.push(text[start..end].to_string());
    }
    parts
}

/// How many of `parts`, from the first, a chat shows in order, given the shop's messages
/// since the delivery was claimed, oldest first; and the index in `chat` of the last one found.
/// In order, so a part that repeats an earlier one is only found in a later message.
pub fn shown_in_order(parts: &[String], chat: &[&str]) -> (usize, Option<usize>) {
    let (mut shown, mut last) = (0, None);
    for (i, message) in chat.iter().enumerate() {
        if shown < parts.len() && message.trim() == parts[shown].trim() {
            shown += 1;
            last = Some(i);
        }
    }
    (shown, last)
}

// ---- storage ----

/// The parts as `deliveries.parts` holds them: sealed like the message (they carry the keys),
/// or NULL when the delivery is one part, its message (as every row from before parts).
pub fn seal(vault: &Vault, message: &str, parts: &[String]) -> Option<Vec<u8>> {
    if parts.len() == 1 && parts[0] == message {
        return None;
    }
    let json = serde_json::to_string(parts).expect("a list of strings serialises");
    Some(vault.seal(&json))
}

/// Reads back what `seal` stored, given the delivery's (opened) message.
pub fn open(vault: &Vault, message: &str, sealed: Option<&[u8]>) -> Result<Vec<String>> {
    let Some(sealed) = sealed else {
        return Ok(vec![message.to_string()]);
    };
    serde_json::from_str(&vault.open(sealed)?)
        .map_err(|e| Error::Secrets(format!("a delivery's parts cannot be read: {e}")))
}

// ---- the chat limit ----

/// The seller's chat limit (kept in `meta`, so it survives restarts).
pub fn chat_limit(conn: &Connection) -> Result<usize> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'chat_limit'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(limit_of(v.as_deref()))
}

/// The limit a `meta` value stands for (none, or one out of range: the default), for a query
/// that reads the value along with its rows.
pub fn limit_of(value: Option<&str>) -> usize {
    value
        .and_then(|v| v.parse().ok())
        .filter(|n| CHAT_LIMITS.contains(n))
        .unwrap_or(DEFAULT_CHAT_LIMIT)
}

/// Parts for a rendered delivery under the seller's limit.
pub fn parts_for(conn: &Connection, r: &Rendered) -> Result<Vec<String>> {
    if fits_any_limit(r.text()) {
        return Ok(vec![r.text().to_string()]);
    }
    Ok(split(r, chat_limit(conn)?))
}

/// What `deliveries.parts` gets for a rendered delivery under the seller's limit: NULL when it
/// fits in one message, which costs no copy and no seal (most one-key deliveries).
pub fn sealed_parts(conn: &Connection, vault: &Vault, r: &Rendered) -> Result<Option<Vec<u8>>> {
    if fits_any_limit(r.text()) {
        return Ok(None);
    }
    let limit = chat_limit(conn)?;
    if chat_len(r.text()) <= limit {
        return Ok(None);
    }
    Ok(seal(vault, r.text(), &split(r, limit)))
}

/// Whether a text fits under the lowest limit, so the seller's need not be read. Its UTF-8 byte
/// count is never below its UTF-16 count, so most texts are answered without counting.
fn fits_any_limit(text: &str) -> bool {
    let lowest = *CHAT_LIMITS.start();
    text.len() <= lowest || chat_len(text) <= lowest
}

/// Sets the chat limit: within `CHAT_LIMITS`, and not below an item waiting in stock (it would
/// have to be cut in the chat).
pub fn set_chat_limit(conn: &Connection, vault: &Vault, limit: i64) -> Result<usize> {
    let (lo, hi) = (*CHAT_LIMITS.start(), *CHAT_LIMITS.end());
    let limit = usize::try_from(limit)
        .ok()
        .filter(|n| CHAT_LIMITS.contains(n))
        .ok_or_else(|| {
            Error::invalid(format!(
                "the chat limit must be between {lo} and {hi} characters (Shopee chat takes 600); got {limit}"
            ))
        })?;
    if limit < chat_limit(conn)? {
        if let Some((product, count, longest)) = longest_in_stock(conn, vault, limit)? {
            return Err(Error::invalid(format!(
                "'{product}' has {count} item(s) in stock longer than {limit} characters as a buyer gets them \
                 (the longest: {longest}); set the limit to {longest} or more, or withdraw those items first"
            )));
        }
    }
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('chat_limit', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![limit.to_string()])?;
    Ok(limit)
}

/// The first product whose available items include some longer than `limit` as delivered:
/// its name, how many, and the longest. Opens every available item: a rare settings change.
fn longest_in_stock(
    conn: &Connection,
    vault: &Vault,
    limit: usize,
) -> Result<Option<(String, usize, usize)>> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.name, p.kind, s.secret FROM stock_items s JOIN products p ON p.id = s.product_id
         WHERE s.status = 'available' ORDER BY s.product_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut found: Option<(i64, String, usize, usize)> = None;
    while let Some(row) = rows.next()? {
        let product: i64 = row.get(0)?;
        if found.as_ref().is_some_and(|f| f.0 != product) {
            break;
        }
        let kind = Kind::parse(&row.get::<_, String>(2)?).unwrap_or(Kind::LicenseKey);
        let secret = StockSecret::from_plain(kind, &vault.open(&row.get::<_, Vec<u8>>(3)?)?);
        let len = delivered_len(&secret);
        if len > limit {
            let f = found.get_or_insert_with(|| (product, String::new(), 0, 0));
            if f.1.is_empty() {
                f.1 = row.get(1)?;
            }
            f.2 += 1;
            f.3 = f.3.max(len);
        }
    }
    Ok(found.map(|(_, name, count, longest)| (name, count, longest)))
}

/// An item's length in a delivery, with room for its number.
fn delivered_len(secret: &StockSecret) -> usize {
    chat_len(&item_text(secret)) + NUMBER_ROOM
}

/// Refuses an import holding an item that would not fit in one chat message: a key is never
/// cut across two messages, so it must be refused here rather than fail a buyer's delivery.
pub fn check_items_fit(conn: &Connection, items: &[(usize, StockSecret)]) -> Result<()> {
    let limit = chat_limit(conn)?;
    let long: Vec<(usize, usize)> = items
        .iter()
        .map(|(line, s)| (*line, delivered_len(s)))
        .filter(|(_, len)| *len > limit)
        .collect();
    if long.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = long
        .iter()
        .take(5)
        .map(|(line, len)| format!("line {line} ({len} characters)"))
        .collect();
    let more = if long.len() > 5 {
        format!(" and {} more", long.len() - 5)
    } else {
        String::new()
    };
    Err(Error::invalid(format!(
        "nothing was imported: {}{more} would not fit in one chat message of at most {limit} characters \
         (counted as the buyer gets it, with its number); shorten the item, or raise the chat limit in \
         Settings → Automatic delivery (up to {})",
        shown.join(", "),
        CHAT_LIMITS.end()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(instructions: &'a str) -> Values<'a> {
        Values {
            buyer: "budi_88",
            order_sn: "2411250001ABCD",
            product: "Steam Wallet IDR 60.000",
            items: "",
            quantity: 20,
            instructions,
        }
    }

    fn keys(n: usize) -> Vec<StockSecret> {
        (0..n)
            .map(|i| StockSecret::Code(format!("STEAM-{i:02}X7-K9PQ-ZZ4M-{:05}", i * 7919)))
            .collect()
    }

    fn plain(v: &[StockSecret]) -> Vec<String> {
        v.iter().map(item_text).collect()
    }

    const TEMPLATE: &str = "Halo kak {{buyer}}, terima kasih atas pesanan {{order_sn}}!\n\n{{product}} ({{quantity}}x):\n{{items}}\n\n{{instructions}}";
    const STEPS: &str = "Cara pakai: buka aplikasi Steam, masuk ke akun kakak, pilih menu Akun lalu Tambah Dana ke Dompet Steam, pilih Tukarkan Kode Voucher, tempel kodenya satu per satu, lalu tekan Lanjutkan. Kalau ada kode yang tidak bisa dipakai, kirim tangkapan layarnya di chat ini ya kak, kami ganti secepatnya. Terima kasih sudah belanja di toko kami!";

    fn every_item_in_one_part(parts: &[String], items: &[String]) {
        for item in items {
            let holding = parts.iter().filter(|p| p.contains(item.as_str())).count();
            assert_eq!(
                holding, 1,
                "item {item:?} is whole in exactly one part: {parts:#?}"
            );
        }
    }

    #[test]
    fn twenty_keys_with_instructions_are_split_into_parts_of_at_most_600_with_no_key_cut() {
        let secrets = keys(20);
        let r = render(
            TEMPLATE,
            &values(STEPS),
            items_of(Kind::LicenseKey, &secrets),
        );
        assert!(
            chat_len(r.text()) > 1000,
            "the delivery is long: {}",
            chat_len(r.text())
        );
        let parts = split(&r, 600);
        assert!(parts.len() >= 2, "{parts:#?}");
        for p in &parts {
            assert!(chat_len(p) <= 600, "a part of {} characters", chat_len(p));
            assert!(!p.starts_with(char::is_whitespace) && !p.ends_with(char::is_whitespace));
        }
        every_item_in_one_part(&parts, &plain(&secrets));
        // Nothing lost and nothing added: the parts are the message, cut at line breaks and spaces.
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(squash(&parts.join(" ")), squash(r.text()));
        // Whole lines stay whole: every numbered key line starts a line of its part.
        for (i, key) in plain(&secrets).iter().enumerate() {
            let line = format!("{}. {key}", i + 1);
            assert!(parts.iter().any(|p| p.lines().any(|l| l == line)), "{line}");
        }
    }

    #[test]
    fn account_items_keep_username_password_and_notes_together() {
        let secrets: Vec<StockSecret> = (0..12)
            .map(|i| StockSecret::Account {
                username: format!("netflix.family{i:02}@mailbox.example"),
                password: format!("Pw-{i:02}-correct-horse-battery"),
                notes: "Profil 3, PIN 4821, jangan ganti password".into(),
            })
            .collect();
        let r = render(
            TEMPLATE,
            &values("Login di netflix.com"),
            items_of(Kind::Account, &secrets),
        );
        let parts = split(&r, 300);
        assert!(parts.len() > 3);
        for p in &parts {
            assert!(chat_len(p) <= 300);
        }
        every_item_in_one_part(
            &parts,
            &secrets
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{}. {}", i + 1, item_text(s)))
                .collect::<Vec<_>>(),
        );
    }

    #[test]
    fn a_long_instruction_line_is_cut_at_spaces_only() {
        let long = STEPS.repeat(3);
        let r = render(
            "{{items}}\n{{instructions}}",
            &values(&long),
            items_of(Kind::LicenseKey, &keys(1)),
        );
        let parts = split(&r, 200);
        let words: Vec<&str> = r.text().split_whitespace().collect();
        let back: Vec<&str> = parts.iter().flat_map(|p| p.split_whitespace()).collect();
        assert_eq!(back, words, "no word was cut");
        assert!(parts.iter().all(|p| chat_len(p) <= 200));
        assert!(parts.len() >= 5);
        // The key before it is a part of its own: the long line starts a message.
        assert_eq!(parts[0], item_text(&keys(1)[0]));
        assert!(parts[1].starts_with("Cara pakai:"), "{:?}", parts[1]);
        // A word longer than the limit (a URL) is the one thing cut inside.
        let url = format!("https://example.com/{}", "a".repeat(250));
        let r = render("{{instructions}}", &values(&url), Items::Text(""));
        let parts = split(&r, 100);
        assert_eq!(parts.concat(), url);
        assert!(parts.iter().all(|p| chat_len(p) <= 100));
    }

    #[test]
    fn exact_limit_edges() {
        // Exactly the limit: one part, untouched.
        let at = "x".repeat(100);
        let r = render("{{instructions}}", &values(&at), Items::Text(""));
        assert_eq!(split(&r, 100), vec![at.clone()]);
        // One more: two lines of 50 joined by one newline are 101 → two parts of 50.
        let two = format!("{}\n{}", "a".repeat(50), "b".repeat(50));
        let r = render("{{instructions}}", &values(&two), Items::Text(""));
        assert_eq!(split(&r, 100), vec!["a".repeat(50), "b".repeat(50)]);
        assert_eq!(split(&r, 101), vec![two.clone()]);
        // An item of exactly the limit stands alone, whole.
        let item = "K".repeat(100);
        let r = render(
            "Kode:\n{{items}}\nSelesai",
            &values(""),
            Items::Each(vec![item.clone()], "\n"),
        );
        assert_eq!(
            split(&r, 100),
            vec!["Kode:".to_string(), item, "Selesai".to_string()]
        );
        // Counted in UTF-16 units: 60 emoji are 120.
        let emoji = "🎮".repeat(60);
        assert_eq!(chat_len(&emoji), 120);
        let r = render("{{instructions}}", &values(&emoji), Items::Text(""));
        let parts = split(&r, 100);
        assert_eq!(parts.concat(), emoji);
        assert!(parts.iter().all(|p| chat_len(p) <= 100));
    }

    #[test]
    fn render_matches_the_plain_template_and_several_lines_join() {
        let secrets = keys(3);
        let r = render(
            TEMPLATE,
            &values(STEPS),
            items_of(Kind::LicenseKey, &secrets),
        );
        let Items::Each(list, sep) = items_of(Kind::LicenseKey, &secrets) else {
            unreachable!()
        };
        let joined = list.join(sep);
        let plain = render_template(
            TEMPLATE,
            &Values {
                items: &joined,
                ..values(STEPS)
            },
        );
        assert_eq!(r.text(), plain);
        for item in &list {
            assert!(r.items.iter().any(|x| &r.text()[x.clone()] == item));
        }
        let both = Rendered::join(vec![r.clone(), r.clone()], "\n\n");
        assert_eq!(both.text(), format!("{plain}\n\n{plain}"));
        assert_eq!(both.items.len(), 6);
        for x in &both.items {
            assert!(list.contains(&both.text()[x.clone()].to_string()));
        }
        // A buyer name holding the marker's NUL changes nothing in the text.
        let odd = Values {
            buyer: "a\u{0}b",
            ..values("")
        };
        let r = render(TEMPLATE, &odd, items_of(Kind::LicenseKey, &secrets));
        assert!(r.text().contains(&joined));
    }

    #[test]
    fn parts_cut_under_a_higher_limit_are_cut_again_keeping_items_whole() {
        let secrets: Vec<StockSecret> = (0..6)
            .map(|i| StockSecret::Account {
                username: format!("user{i}@mail.example"),
                password: format!("pass-{i}-long-enough"),
                notes: "PIN 1234".into(),
            })
            .collect();
        let r = render(TEMPLATE, &values(STEPS), items_of(Kind::Account, &secrets));
        let old = split(&r, 1000);
        let again = recut(&r, &old, 200);
        assert!(again.len() > old.len());
        assert!(again.iter().all(|p| chat_len(p) <= 200));
        let numbered: Vec<String> = secrets
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {}", i + 1, item_text(s)))
            .collect();
        every_item_in_one_part(&again, &numbered);
        // Parts that fit are kept as they were (the buyer may have them already).
        let mixed = vec!["short first part".to_string(), r.text().to_string()];
        let cut = recut(&r, &mixed, 200);
        assert_eq!(cut[0], "short first part");
        every_item_in_one_part(&cut[1..], &numbered);
    }

    #[test]
    fn parts_are_found_in_the_chat_in_order_even_when_two_are_alike() {
        let parts: Vec<String> = ["Halo kak", "KEY-1", "Halo kak", "KEY-2"]
            .map(String::from)
            .to_vec();
        assert_eq!(shown_in_order(&parts, &[]), (0, None));
        assert_eq!(
            shown_in_order(&parts, &["Halo kak", "hi", "KEY-1 "]),
            (2, Some(2))
        );
        // The third part is the first's text: one "Halo kak" cannot count for both.
        assert_eq!(shown_in_order(&parts, &["Halo kak", "KEY-1"]), (2, Some(1)));
        assert_eq!(
            shown_in_order(&parts, &["Halo kak", "KEY-1", "Halo kak", "KEY-2"]),
            (4, Some(3))
        );
        // Out of order does not count: the second part must come after the first.
        assert_eq!(shown_in_order(&parts, &["KEY-1", "Halo kak"]), (1, Some(1)));
    }

    #[test]
    fn one_part_is_stored_as_null_and_parts_come_back_sealed() {
        let vault = Vault::ephemeral();
        assert_eq!(seal(&vault, "hi", &["hi".to_string()]), None);
        assert_eq!(open(&vault, "hi", None).unwrap(), vec!["hi".to_string()]);
        let parts = vec!["a b".to_string(), "KEY-1".to_string()];
        let sealed = seal(&vault, "a b\nKEY-1", &parts).unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("KEY-1"));
        assert_eq!(open(&vault, "a b\nKEY-1", Some(&sealed)).unwrap(), parts);
    }

    #[test]
    fn the_limit_is_a_setting_and_long_items_are_refused_at_import() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut conn).unwrap();
        let vault = Vault::ephemeral();
        assert_eq!(chat_limit(&conn).unwrap(), 600);
        for bad in [99, 5001, -1, 0] {
            assert!(set_chat_limit(&conn, &vault, bad).is_err(), "{bad}");
        }
        assert_eq!(set_chat_limit(&conn, &vault, 100).unwrap(), 100);
        assert_eq!(chat_limit(&conn).unwrap(), 100);
        let fits = StockSecret::Code("K".repeat(96));
        let long = StockSecret::Code("K".repeat(97));
        assert!(check_items_fit(&conn, &[(1, fits.clone())]).is_ok());
        let err = check_items_fit(&conn, &[(1, fits), (2, long.clone())]).unwrap_err();
        assert!(err.to_string().contains("line 2 (101 characters)"), "{err}");
        // A lower limit is refused while stock holds an item it would cut.
        set_chat_limit(&conn, &vault, 600).unwrap();
        conn.execute_batch(
            "INSERT INTO products (id, name, sku, kind, price_minor, currency, template, created_at, updated_at)
             VALUES (1, 'Long keys', 'LK', 'license_key', 1000, 'IDR', '{{items}}', 0, 0);",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO stock_items (product_id, fingerprint, secret, imported_at) VALUES (1, x'01', ?1, 0)",
            [vault.seal(&"K".repeat(150))],
        )
        .unwrap();
        let err = set_chat_limit(&conn, &vault, 120).unwrap_err();
        assert!(
            err.to_string().contains("'Long keys' has 1 item(s)"),
            "{err}"
        );
        assert!(err.to_string().contains("154"), "{err}");
        assert_eq!(
            chat_limit(&conn).unwrap(),
            600,
            "a refused limit changes nothing"
        );
        assert_eq!(set_chat_limit(&conn, &vault, 154).unwrap(), 154);
    }
}
