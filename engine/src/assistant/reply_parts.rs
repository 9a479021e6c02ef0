//! A reply to a buyer in chat-sized parts. An FAQ answer may be far longer than Shopee chat
//! takes in one message, so a reply is cut as a delivery is (`delivery::parts::split_text`, the
//! same splitter) and goes out part by part on either road, like a delivery.
//!
//! When the parts are fixed: a reply waiting (a draft, or pending and not yet taken) is cut
//! under the chat limit of the moment; the first time a road takes it (the extension leases it,
//! the Open Platform claims it) its parts are stored and from then on never cut again. A limit
//! the seller changes while part 1 is in the chat therefore cannot recut parts 2.. into pieces
//! that no longer follow on from what the buyer is reading, and the chat's progress (which parts
//! show) keeps matching the list it is counted against.

use crate::delivery::parts;
use crate::Result;
use rusqlite::{params, types::Type, Connection, OptionalExtension};

/// The parts of a reply: those stored when a road took it, else its text cut under `limit`.
pub fn of(text: &str, stored: Option<&str>, limit: usize) -> rusqlite::Result<Vec<String>> {
    match stored {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(e))),
        None => Ok(parts::split_text(text, limit)),
    }
}

/// The parts as `replies.parts` holds them.
pub fn column(parts: &[String]) -> String {
    serde_json::to_string(parts).expect("a list of strings serialises")
}

/// The seller approves a draft that may have been on its way before (Shopee refused it, perhaps
/// after some parts, perhaps as too long). Edited, it is a new message: its parts are cut afresh
/// when a road takes it, from the first. As it was: the parts the buyer has stay sent and the
/// rest is cut again under the limit now set (the seller lowers it after `message_too_long`).
pub fn reapproved(conn: &Connection, id: i64, edited: bool) -> Result<()> {
    let row: Option<(Option<String>, i64)> = conn
        .prepare_cached("SELECT parts, parts_sent FROM replies WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((Some(stored), sent)) = row else {
        return Ok(());
    };
    if edited || sent <= 0 {
        conn.prepare_cached("UPDATE replies SET parts = NULL, parts_sent = 0 WHERE id = ?1")?
            .execute([id])?;
        return Ok(());
    }
    let old = of("", Some(&stored), parts::DEFAULT_CHAT_LIMIT)?;
    let sent_before = usize::try_from(sent).unwrap_or(0).min(old.len());
    let (had, rest) = old.split_at(sent_before);
    let mut again = had.to_vec();
    again.extend(parts::recut(
        &Default::default(),
        rest,
        parts::chat_limit(conn)?,
    ));
    conn.prepare_cached("UPDATE replies SET parts = ?2 WHERE id = ?1")?
        .execute(params![id, column(&again)])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::conversations::{get_reply, insert_reply, upsert_conversation};
    use crate::orders::Buyer;
    use crate::secrets::Vault;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut conn).unwrap();
        conn
    }

    fn sentence(i: usize) -> String {
        format!("Kalimat nomor {i} dari jawaban panjang tentang garansi dan cara pakai kode.")
    }

    #[test]
    fn a_reply_refused_half_way_and_approved_as_it_was_keeps_the_parts_the_buyer_has() {
        let conn = db();
        let vault = Vault::ephemeral();
        let buyer = Buyer {
            username: "budi".into(),
            user_id: Some(7),
        };
        let conv = upsert_conversation(&conn, "1", "c1", &buyer, None, None).unwrap();
        let text: String = (0..20).map(sentence).collect::<Vec<_>>().join(" ");
        let r = insert_reply(&conn, conv, None, &text, "faq", None, None, "pending").unwrap();
        assert_eq!(
            r.parts,
            parts::split_text(&text, 600),
            "cut under the limit now"
        );
        assert!(r.parts.len() >= 3);
        // A road took it (parts stored), Shopee took part 1, then refused part 2.
        conn.execute(
            "UPDATE replies SET parts = ?2, parts_sent = 1, status = 'draft' WHERE id = ?1",
            params![r.id, column(&r.parts)],
        )
        .unwrap();
        parts::set_chat_limit(&conn, &vault, 150).unwrap();
        // Stored parts are what the reply shows, whatever the limit now.
        assert_eq!(get_reply(&conn, r.id).unwrap().parts, r.parts);

        reapproved(&conn, r.id, false).unwrap();
        let again = get_reply(&conn, r.id).unwrap().parts;
        assert_eq!(again[0], r.parts[0], "the part the buyer has stays");
        assert!(again.len() > r.parts.len());
        assert!(
            again[1..].iter().all(|p| parts::chat_len(p) <= 150),
            "the rest is cut under the limit now set"
        );
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(squash(&again.join(" ")), squash(&text));
        assert_eq!(get_reply(&conn, r.id).unwrap().parts_sent, 1);

        // Edited, it is a new message: cut afresh from the first part.
        reapproved(&conn, r.id, true).unwrap();
        let fresh = get_reply(&conn, r.id).unwrap();
        assert_eq!(fresh.parts_sent, 0);
        assert_eq!(fresh.parts, parts::split_text(&text, 150));
    }
}
