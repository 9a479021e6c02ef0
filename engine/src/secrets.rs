//! Encryption of stock secrets at rest. The 256-bit key lives in the OS keyring, or, where
//! there is none (a headless box, CI), in a 0600 key file in the data dir. Secrets are sealed
//! with XChaCha20-Poly1305; duplicates are found by a keyed hash, never by decrypting.

use crate::config::KeyStore;
use crate::{Error, Result};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const KEY_FILE: &str = "secret.key";
const KEYRING_SERVICE: &str = "AUTO";
const NONCE_LEN: usize = 24;

/// Where the key came from, for the start-up log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Keyring,
    File(PathBuf),
}

/// Seals and opens stock secrets; cheap to share behind an `Arc`.
pub struct Vault {
    key: Zeroizing<[u8; 32]>,
    cipher: XChaCha20Poly1305,
    fingerprint_key: Zeroizing<[u8; 32]>,
    pub source: KeySource,
}

impl Vault {
    /// Loads the data dir's key, or creates one when `may_create` (a database with no secrets).
    pub fn load(data_dir: &Path, store: KeyStore, may_create: bool) -> Result<Vault> {
        let file = data_dir.join(KEY_FILE);
        let account = keyring_account(data_dir);
        let found = if file.exists() && store != KeyStore::Keyring {
            Some((read_key_file(&file)?, KeySource::File(file.clone())))
        } else if store != KeyStore::File {
            match keyring_get(&account) {
                Ok(Some(key)) => Some((key, KeySource::Keyring)),
                Ok(None) => None,
                Err(e) if store == KeyStore::Keyring => {
                    return Err(Error::Secrets(format!(
                        "the OS keyring cannot be used: {e}"
                    )))
                }
                Err(_) => None,
            }
        } else {
            None
        };
        let (key, source) = match found {
            Some(found) => found,
            None if may_create => create_key(&file, &account, store)?,
            None => {
                return Err(Error::Secrets(format!(
                    "the key that encrypts this data dir's stock is missing (looked in the OS keyring and {}); \
                     restore that key file, or start from a fresh data dir",
                    file.display()
                )))
            }
        };
        Ok(Vault::from_key(&key, source))
    }

    fn from_key(key: &[u8; 32], source: KeySource) -> Vault {
        let cipher = XChaCha20Poly1305::new(key.into());
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length works");
        mac.update(b"AUTO stock fingerprint v1");
        let fingerprint_key = Zeroizing::new(mac.finalize().into_bytes().into());
        Vault {
            key: Zeroizing::new(*key),
            cipher,
            fingerprint_key,
            source,
        }
    }

    /// Reads a key file written by `export_key` (kept beside a backup).
    pub fn from_key_file(path: &Path) -> Result<Vault> {
        let key = read_key_file(path)?;
        Ok(Vault::from_key(&key, KeySource::File(path.to_path_buf())))
    }

    /// Writes the key to a new 0600 file, so a backup can be restored on another machine.
    pub fn export_key(&self, path: &Path) -> Result<()> {
        if path.exists() {
            return Err(Error::Secrets(format!(
                "{} exists; choose a new file name",
                path.display()
            )));
        }
        write_key_file(path, &self.key)
    }

    /// Makes this the data dir's key (after a restore of data sealed with it).
    pub fn install(&self, data_dir: &Path, store: KeyStore) -> Result<()> {
        if store == KeyStore::Keyring {
            return keyring_set(&keyring_account(data_dir), &self.key)
                .map_err(|e| Error::Secrets(format!("the OS keyring cannot be used: {e}")));
        }
        // The key file wins over the keyring when both exist (see `load`).
        let file = data_dir.join(KEY_FILE);
        let tmp = data_dir.join(format!("{KEY_FILE}.new"));
        let _ = std::fs::remove_file(&tmp);
        write_key_file(&tmp, &self.key)?;
        std::fs::rename(&tmp, &file)?;
        Ok(())
    }

    /// Whether this key opens `sealed`.
    pub fn opens(&self, sealed: &[u8]) -> bool {
        self.open(sealed).is_ok()
    }

    /// A vault with a random key, for tests and benchmarks.
    pub fn ephemeral() -> Vault {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Vault::from_key(&key, KeySource::File(PathBuf::new()))
    }

    /// Encrypts `plain` as nonce ‖ ciphertext.
    pub fn seal(&self, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory data");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts what `seal` made; fails (without saying more) on a wrong key or damaged data.
    pub fn open(&self, sealed: &[u8]) -> Result<String> {
        let fail = || {
            Error::Secrets("a stored secret cannot be decrypted with this data dir's key".into())
        };
        if sealed.len() < NONCE_LEN {
            return Err(fail());
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }

    /// A keyed hash of a secret: equal secrets give equal fingerprints, and nothing else leaks.
    pub fn fingerprint(&self, secret: &str) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&*self.fingerprint_key).expect("32-byte key");
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

fn keyring_account(data_dir: &Path) -> String {
    let canonical = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_path_buf());
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    format!("stock-key-{}", hex(&digest[..8]))
}

/// Bytes as lowercase hex (digests in names, tags and manifests).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn create_key(file: &Path, account: &str, store: KeyStore) -> Result<([u8; 32], KeySource)> {
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    if store != KeyStore::File {
        match keyring_set(account, &key) {
            Ok(()) => {
                tracing::info!("stock encryption key: created and kept in the OS keyring");
                return Ok((key, KeySource::Keyring));
            }
            Err(e) if store == KeyStore::Keyring => {
                return Err(Error::Secrets(format!(
                    "the OS keyring cannot be used: {e}"
                )))
            }
            Err(e) => tracing::warn!(
                "no OS keyring available ({e}); keeping the stock encryption key in {} (mode 0600)",
                file.display()
            ),
        }
    }
    write_key_file(file, &key)?;
    Ok((key, KeySource::File(file.to_path_buf())))
}

fn read_key_file(path: &Path) -> Result<[u8; 32]> {
    use base64::Engine as _;
    let text = Zeroizing::new(std::fs::read_to_string(path)?);
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| Error::Secrets(format!("{} is not an AUTO key file", path.display())))?,
    );
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| Error::Secrets(format!("{} is not an AUTO key file", path.display())))
}

fn write_key_file(path: &Path, key: &[u8; 32]) -> Result<()> {
    use base64::Engine as _;
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(
        base64::engine::general_purpose::STANDARD
            .encode(key)
            .as_bytes(),
    )?;
    f.sync_all()?;
    Ok(())
}

fn keyring_get(account: &str) -> std::result::Result<Option<[u8; 32]>, String> {
    use base64::Engine as _;
    let entry = keyring::Entry::new(KEYRING_SERVICE, account).map_err(|e| e.to_string())?;
    match entry.get_password() {
        Ok(text) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| e.to_string())?;
            let key: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| "keyring entry has the wrong length".to_string())?;
            Ok(Some(key))
        }
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn keyring_set(account: &str, key: &[u8; 32]) -> std::result::Result<(), String> {
    use base64::Engine as _;
    let entry = keyring::Entry::new(KEYRING_SERVICE, account).map_err(|e| e.to_string())?;
    entry
        .set_password(&base64::engine::general_purpose::STANDARD.encode(key))
        .map_err(|e| e.to_string())?;
    // Read it back: some keyrings accept a write and lose it (a locked or in-memory store).
    match keyring_get(account)? {
        Some(back) if &back == key => Ok(()),
        _ => Err("the keyring did not keep the key".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key() {
        let v = Vault::ephemeral();
        let sealed = v.seal("KEY-ÁÉ-คีย์-🔑");
        assert!(!sealed.windows(3).any(|w| w == b"KEY"));
        assert_eq!(v.open(&sealed).unwrap(), "KEY-ÁÉ-คีย์-🔑");
        assert!(Vault::ephemeral().open(&sealed).is_err());
        assert_eq!(v.fingerprint("a"), v.fingerprint("a"));
        assert_ne!(v.fingerprint("a"), v.fingerprint("b"));
    }

    #[test]
    fn a_key_file_is_created_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let a = Vault::load(dir.path(), KeyStore::File, true).unwrap();
        let sealed = a.seal("x");
        let b = Vault::load(dir.path(), KeyStore::File, false).unwrap();
        assert_eq!(b.open(&sealed).unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let empty = tempfile::tempdir().unwrap();
        assert!(Vault::load(empty.path(), KeyStore::File, false).is_err());
    }
}
