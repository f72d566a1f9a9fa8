//! Making and checking secrets: argon2 for passwords, SHA-256 for random tokens, and the
//! server's secret key, which seals what must be read back (a destination's address and
//! signing key) and signs links sent by email.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// HMAC-SHA256 of `body` under `secret`, as lower-case hex: how PagerDuty, GitHub and Jira
/// sign their webhooks.
pub fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// 256 random bits as URL-safe text, with a prefix that says what the secret is for.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// SHA-256 of a high-entropy secret, as hex. Fit for tokens, not for passwords.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// A hash of no one's password, made once, with the parameters of [`hash_password`].
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password(&new_secret("")).unwrap_or_default());
    &DUMMY
}

/// Whether `password` matches `phc`; with no hash (no such user, or one without a
/// password) it is checked against a dummy hash and refused, so that a sign-in takes as
/// long whether or not the name exists.
pub fn verify_password_or_dummy(password: &str, phc: Option<&str>) -> bool {
    match phc {
        Some(phc) => verify_password(password, phc),
        None => {
            let _ = verify_password(password, dummy_hash());
            false
        }
    }
}

/// Whether `password` matches a stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// The server's secret key: 32 random bytes, given in the configuration as base64
/// (`secret_key`). Secrets stored in the database are sealed with a key derived from it
/// (XChaCha20-Poly1305, a random nonce each), links are signed with another (HMAC-SHA256).
/// Losing it makes sealed secrets unreadable: they must be entered again.
#[derive(Clone)]
pub struct SecretKey {
    seal: [u8; 32],
    sign: [u8; 32],
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// Sealed text starts with this, then base64 of the nonce and the ciphertext.
const SEALED_PREFIX: &str = "v1.";

/// Whether `text` is what [`SecretKey::seal`] makes.
pub fn is_sealed(text: &str) -> bool {
    text.starts_with(SEALED_PREFIX)
}

impl SecretKey {
    /// Reads a key written as base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Result<SecretKey, String> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| "secret_key must be base64".to_string())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|bytes: Vec<u8>| format!("secret_key must be 32 bytes of base64, not {}", bytes.len()))?;
        Ok(SecretKey { seal: derive(&key, b"hindsight seal"), sign: derive(&key, b"hindsight sign") })
    }

    /// A new random key, as base64, for the configuration.
    pub fn generate() -> String {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    }

    /// `plain`, sealed: only this key opens it, and any change to it is detected.
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new((&self.seal).into());
        // Encrypting into a Vec fails only when out of memory.
        let sealed = cipher.encrypt(XNonce::from_slice(&nonce), plain.as_bytes()).unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The text [`SecretKey::seal`] sealed; an error when it was sealed with another key
    /// or changed.
    pub fn open(&self, sealed: &str) -> Result<String, String> {
        let unreadable =
            || "a stored secret cannot be opened: it was sealed with another secret_key, or changed".to_string();
        let bytes =
            sealed.strip_prefix(SEALED_PREFIX).and_then(|b| URL_SAFE_NO_PAD.decode(b).ok()).ok_or_else(unreadable)?;
        if bytes.len() < 24 {
            return Err(unreadable());
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.seal).into());
        let plain = cipher.decrypt(XNonce::from_slice(nonce), ciphertext).map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }

    /// A signature of `message` for `purpose`, as URL-safe text.
    pub fn sign(&self, purpose: &str, message: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(purpose, message).finalize().into_bytes())
    }

    /// Whether `signature` is [`SecretKey::sign`]'s for `message` and `purpose`, compared in
    /// constant time.
    pub fn verify(&self, purpose: &str, message: &str, signature: &str) -> bool {
        URL_SAFE_NO_PAD.decode(signature).is_ok_and(|bytes| self.mac(purpose, message).verify_slice(&bytes).is_ok())
    }

    fn mac(&self, purpose: &str, message: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.sign).expect("HMAC accepts keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(message.as_bytes());
        mac
    }
}

/// A subkey of `key` for one use.
fn derive(key: &[u8; 32], purpose: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(purpose);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_verifies_only_itself() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("wrong horse", &phc));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn unknown_users_are_checked_against_a_hash_as_costly_as_a_real_one() {
        let real = hash_password("correct horse").unwrap();
        let params = |phc: &str| phc.split('$').nth(3).map(str::to_string);
        assert!(dummy_hash().starts_with("$argon2id$"));
        assert_eq!(params(dummy_hash()), params(&real), "same memory, time and parallelism");
        assert!(!verify_password_or_dummy("correct horse", None));
        assert!(!verify_password_or_dummy("", None));
        assert!(verify_password_or_dummy("correct horse", Some(&real)));
    }

    #[test]
    fn secrets_are_distinct_and_hash_stably() {
        let a = new_secret("hs_");
        let b = new_secret("hs_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert!(a[3..].bytes().all(|c| c.is_ascii_hexdigit()));
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1): the stored hash is the standard one.
        assert_eq!(hash_secret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_ne!(hash_secret(&a), hash_secret(&b));
    }
    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_unchanged() {
        let key = SecretKey::from_base64(&SecretKey::generate()).unwrap();
        let other = SecretKey::from_base64(&SecretKey::generate()).unwrap();
        let sealed = key.seal("https://hooks.slack.com/services/T0/B0/secret");
        assert!(!sealed.contains("hooks.slack.com"));
        assert_ne!(sealed, key.seal("https://hooks.slack.com/services/T0/B0/secret"), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).unwrap(), "https://hooks.slack.com/services/T0/B0/secret");
        assert!(other.open(&sealed).unwrap_err().contains("another secret_key"));
        let mut changed = sealed.clone().into_bytes();
        let last = changed.len() - 2;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        assert!(key.open(&String::from_utf8(changed).unwrap()).is_err());
        assert!(key.open("plain text").is_err());
        assert!(SecretKey::from_base64("c2hvcnQ=").unwrap_err().contains("32 bytes"));
        assert!(SecretKey::from_base64("not base64!").is_err());
    }

    #[test]
    fn a_signature_holds_for_its_message_and_purpose_only() {
        let key = SecretKey::from_base64(&SecretKey::generate()).unwrap();
        let signature = key.sign("unsubscribe", "u1:mentioned");
        assert!(key.verify("unsubscribe", "u1:mentioned", &signature));
        assert!(!key.verify("unsubscribe", "u1:commented", &signature));
        assert!(!key.verify("other", "u1:mentioned", &signature));
        assert!(!key.verify("unsubscribe", "u1:mentioned", "AAAA"));
        assert_eq!(format!("{key:?}"), "SecretKey(…)");
    }
}
