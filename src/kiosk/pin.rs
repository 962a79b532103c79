//! The staff PIN that unlocks a priority ticket: argon2id hashes in PHC string form
//! (`hallq hash-pin` makes one; the hall server verifies).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("a PIN has 4 to 12 digits")]
    Format,
    #[error("cannot hash the PIN: {0}")]
    Hash(String),
}

/// A PIN is 4 to 12 ASCII digits (it is typed on the kiosk's keypad).
pub fn check_pin_format(pin: &str) -> Result<(), PinError> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::Format)
    }
}

/// An argon2id PHC string for `pin`, with a random salt.
pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    check_pin_format(pin)?;
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| PinError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

/// Does `pin` match the PHC string `hash`? A malformed hash never matches.
pub fn verify_pin(hash: &str, pin: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Is `hash` an argon2 PHC string?
pub fn is_pin_hash(hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| h.algorithm.as_str().starts_with("argon2"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let hash = hash_pin("2468").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(is_pin_hash(&hash));
        assert!(verify_pin(&hash, "2468"));
        assert!(!verify_pin(&hash, "2469"));
    }

    #[test]
    fn bad_pins_and_hashes_are_refused() {
        assert!(hash_pin("12a4").is_err());
        assert!(hash_pin("123").is_err());
        assert!(!is_pin_hash("plain-text"));
        assert!(!verify_pin("plain-text", "1234"));
    }
}
