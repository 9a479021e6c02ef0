//! Who may call the API: tokens with scopes, and pairing codes the extension trades for one.

mod pairing;
mod signin;
mod tokens;

pub use pairing::{create_pairing_code, redeem_pairing_code, PairingGuard};
pub use signin::{
    create_signin_code, end_session, redeem_signin_code, SESSION_COOKIE, SESSION_TTL_MS,
    SIGNIN_TTL_MS,
};
pub use tokens::{
    create_token, list_tokens, paired_origins, revoke_token, verify_token, Scope, TokenCache,
    TokenInfo,
};
