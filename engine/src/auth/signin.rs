//! The UI's sign-in. A one-time code, valid for ten minutes, is printed as a link by
//! `auto serve` and `auto signin` (or handed to the desktop window in-process); opening the
//! link trades it for a session: an admin token that the browser keeps in an HttpOnly,
//! SameSite=Strict cookie, so no script and no other site ever sees it. A code in a log or a
//! terminal's scrollback is worthless once used or expired.

use super::tokens::{create_expiring_token, hash, Scope};
use crate::store::now_ms;
use crate::{Error, Result};
use base64::Engine as _;
use rand::RngCore;
use rusqlite::{params, Connection};

/// How long a sign-in link works.
pub const SIGNIN_TTL_MS: i64 = 10 * 60 * 1000;
/// How long a session lasts before the seller signs in again.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// The cookie that carries the session.
pub const SESSION_COOKIE: &str = "auto_session";

/// Creates a sign-in code (shown once, as part of a link).
pub fn create_signin_code(conn: &Connection) -> Result<String> {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    let code = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    conn.execute("DELETE FROM signin_codes WHERE expires_at < ?1", [now_ms()])?;
    conn.execute(
        "INSERT INTO signin_codes (code_hash, expires_at) VALUES (?1, ?2)",
        params![hash(&code), now_ms() + SIGNIN_TTL_MS],
    )?;
    Ok(code)
}

/// Trades a live code, once, for a session token.
pub fn redeem_signin_code(conn: &Connection, code: &str) -> Result<String> {
    let refused = || {
        Error::Unauthorized(
            "this sign-in link was used already or has expired; run `auto signin` for a new one"
                .into(),
        )
    };
    if code.is_empty() || code.len() > 100 {
        return Err(refused());
    }
    let used = conn.execute(
        "DELETE FROM signin_codes WHERE code_hash = ?1 AND expires_at >= ?2",
        params![hash(code), now_ms()],
    )?;
    if used == 0 {
        return Err(refused());
    }
    create_expiring_token(
        conn,
        Scope::Admin,
        "UI session",
        None,
        Some(now_ms() + SESSION_TTL_MS),
    )
}

/// Ends a session (sign out); an unknown token changes nothing.
pub fn end_session(conn: &Connection, token: &str) -> Result<()> {
    conn.execute(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE token_hash = ?1",
        params![hash(token), now_ms()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::verify_token;

    fn db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut c).unwrap();
        c
    }

    #[test]
    fn a_code_works_once_and_the_session_ends_on_sign_out() {
        let c = db();
        let code = create_signin_code(&c).unwrap();
        let session = redeem_signin_code(&c, &code).unwrap();
        assert_eq!(verify_token(&c, &session).unwrap(), Some(Scope::Admin));
        assert!(redeem_signin_code(&c, &code).is_err(), "second use");
        assert!(redeem_signin_code(&c, "made-up").is_err());
        end_session(&c, &session).unwrap();
        assert_eq!(verify_token(&c, &session).unwrap(), None);
    }

    #[test]
    fn expired_codes_and_sessions_are_refused() {
        let c = db();
        let code = create_signin_code(&c).unwrap();
        c.execute("UPDATE signin_codes SET expires_at = 1", [])
            .unwrap();
        assert!(redeem_signin_code(&c, &code).is_err());
        let code = create_signin_code(&c).unwrap();
        let session = redeem_signin_code(&c, &code).unwrap();
        c.execute("UPDATE api_tokens SET expires_at = 1", [])
            .unwrap();
        assert_eq!(verify_token(&c, &session).unwrap(), None);
    }
}
