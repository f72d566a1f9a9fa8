//! Making and checking secrets: argon2 for passwords, SHA-256 for random tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

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
}
