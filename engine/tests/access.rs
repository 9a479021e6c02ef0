//! Tokens: listed without their secret, revoked at once, and a revoked extension's origin
//! leaves CORS.

use auto_engine::auth::Scope;
use auto_engine::config::{Config, KeyStore};
use auto_engine::Engine;

#[test]
fn a_revoked_token_stops_working_at_once_and_its_origin_leaves_cors() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.secrets.key_store = KeyStore::File;
    let e = Engine::open(dir.path(), config, false).unwrap();
    let admin = e.create_token(Scope::Admin, "script").unwrap();
    let (code, _) = e.create_pairing_code().unwrap();
    let origin = "chrome-extension://kbfnbcaeplbcioakkpcpgfkobkghlhen";
    let ext = e.pair(&code, "extension", Some(origin)).unwrap();
    assert_eq!(e.authenticate(&ext).unwrap(), Scope::Extension);
    assert!(e.origin_allowed(origin));

    let tokens = e.list_tokens().unwrap();
    assert_eq!(tokens.len(), 2);
    let listed = serde_json::to_string(&tokens).unwrap();
    assert!(
        !listed.contains(&ext) && !listed.contains(&admin),
        "a listing never shows a token"
    );
    let ext_id = tokens
        .iter()
        .find(|t| t.scope == Scope::Extension)
        .unwrap()
        .id;

    e.revoke_token(ext_id).unwrap();
    e.revoke_token(ext_id).unwrap();
    assert!(
        e.authenticate(&ext).is_err(),
        "revoked, even though it was cached"
    );
    assert!(!e.origin_allowed(origin));
    assert_eq!(e.authenticate(&admin).unwrap(), Scope::Admin);
    assert!(e.revoke_token(9999).is_err());
}
