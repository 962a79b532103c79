//! Resident ID numbers (居民身份证号码, GB 11643-1999): validation and the digest the rest of
//! the system keeps. The full number is never stored, logged or shown.

use std::fmt;

use jiff::civil::Date;
use sha2::{Digest, Sha256};

use super::types::IdDigest;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// A validated 18-character ID number. `Debug` and `Display` show it masked.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("an ID number has 18 characters")]
    Length,
    #[error("an ID number has 17 digits and a final digit or X")]
    Characters,
    #[error("the birth date in the ID number is not a date")]
    BirthDate,
    #[error("the check digit does not match")]
    CheckDigit,
}

impl IdNumberError {
    pub fn message_zh(&self) -> &'static str {
        match self {
            Self::Length => "身份证号码应为18位",
            Self::Characters => "身份证号码只能包含数字和末位X",
            Self::BirthDate => "身份证号码中的出生日期无效",
            Self::CheckDigit => "身份证号码校验位不正确，请核对",
        }
    }
}

impl IdNumber {
    pub fn parse(text: &str) -> Result<Self, IdNumberError> {
        let text: String = text.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        if bytes.len() != 18 {
            return Err(IdNumberError::Length);
        }
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::Characters);
        }
        let sum: u32 = bytes[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        if CHECK[(sum % 11) as usize] != bytes[17] {
            return Err(IdNumberError::CheckDigit);
        }
        let id = IdNumber(text);
        id.birth_date().ok_or(IdNumberError::BirthDate)?;
        Ok(id)
    }

    pub fn birth_date(&self) -> Option<Date> {
        let year: i16 = self.0.get(6..10)?.parse().ok()?;
        let month: i8 = self.0.get(10..12)?.parse().ok()?;
        let day: i8 = self.0.get(12..14)?.parse().ok()?;
        Date::new(year, month, day).ok()
    }

    pub fn last4(&self) -> &str {
        &self.0[14..]
    }

    /// Masked for screens and logs: first 3 and last 4 characters kept.
    pub fn masked(&self) -> String {
        format!("{}***********{}", &self.0[..3], self.last4())
    }

    /// What the engine and store keep: a salted SHA-256, the last four, the birth date.
    pub fn digest(&self, salt: &[u8]) -> IdDigest {
        let mut hasher = Sha256::new();
        hasher.update(salt);
        hasher.update(self.0.as_bytes());
        IdDigest {
            hash: hex::encode(hasher.finalize()),
            last4: self.last4().to_string(),
            birth_date: self.birth_date(),
        }
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Age in whole years on `on`.
pub fn age_on(birth: Date, on: Date) -> i16 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    // A synthetic number with a valid check digit (GB 11643 example form).
    const VALID: &str = "11010519491231002X";

    #[test]
    fn accepts_valid_and_reads_birth_date() {
        let id = IdNumber::parse(VALID).unwrap();
        assert_eq!(id.birth_date(), Some(date(1949, 12, 31)));
        assert_eq!(id.last4(), "002X");
        assert_eq!(id.masked(), "110***********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110***********002X)");
    }

    #[test]
    fn lowercase_x_is_accepted() {
        assert!(IdNumber::parse(&VALID.to_lowercase()).is_ok());
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(IdNumber::parse("123"), Err(IdNumberError::Length));
        assert_eq!(
            IdNumber::parse("11010519491231002Y"),
            Err(IdNumberError::Characters)
        );
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdNumberError::CheckDigit)
        );
        // Month 13 with a check digit that matches its digits.
        let body = *b"11010519491331002";
        let sum: u32 = body
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let mut full = body.to_vec();
        full.push(CHECK[(sum % 11) as usize]);
        assert_eq!(
            IdNumber::parse(std::str::from_utf8(&full).unwrap()),
            Err(IdNumberError::BirthDate)
        );
    }

    #[test]
    fn digest_is_salted_and_keeps_no_full_number() {
        let id = IdNumber::parse(VALID).unwrap();
        let a = id.digest(b"salt-a");
        let b = id.digest(b"salt-b");
        assert_ne!(a.hash, b.hash);
        assert_eq!(a.hash.len(), 64);
        assert!(!a.hash.contains("110105"));
        assert_eq!(a.last4, "002X");
    }

    #[test]
    fn age_counts_birthdays() {
        let birth = date(1956, 6, 15);
        assert_eq!(age_on(birth, date(2026, 6, 14)), 69);
        assert_eq!(age_on(birth, date(2026, 6, 15)), 70);
    }
}
