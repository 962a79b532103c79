//! What the visitor types on the keypads: the ID number (masked on screen), the booking code
//! and the staff PIN.

use crate::core::id_number::{IdNumber, IdNumberError};

/// The ID number being typed: 17 digits then a digit or X.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdBuffer {
    chars: String,
}

pub const ID_LEN: usize = 18;

impl IdBuffer {
    /// Adds a key; returns false when the key is not allowed here (X before the 18th place,
    /// anything past 18 characters).
    pub fn push(&mut self, key: char) -> bool {
        let key = key.to_ascii_uppercase();
        let len = self.chars.len();
        let ok = len < ID_LEN && (key.is_ascii_digit() || (key == 'X' && len == ID_LEN - 1));
        if ok {
            self.chars.push(key);
        }
        ok
    }

    pub fn backspace(&mut self) {
        self.chars.pop();
    }

    pub fn clear(&mut self) {
        self.chars.clear();
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn is_complete(&self) -> bool {
        self.chars.len() == ID_LEN
    }

    /// The full text, only to send to the server.
    pub fn text(&self) -> &str {
        &self.chars
    }

    /// GB 11643 validation of the complete number.
    pub fn validate(&self) -> Result<IdNumber, IdNumberError> {
        IdNumber::parse(&self.chars)
    }

    /// For the screen: the first 3 and the last 4 places are shown, the 11 between are
    /// `*`, places not typed yet are `_`; grouped 6-8-4 like the printed card.
    pub fn masked(&self) -> String {
        let mut out = String::with_capacity(ID_LEN + 2);
        for i in 0..ID_LEN {
            if i == 6 || i == 14 {
                out.push(' ');
            }
            out.push(match self.chars.as_bytes().get(i) {
                None => '_',
                Some(_) if (3..14).contains(&i) => '*',
                Some(&b) => char::from(b),
            });
        }
        out
    }
}

/// A short typed text: booking code (letters and digits) or PIN (digits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyBuffer {
    chars: String,
    max: usize,
    digits_only: bool,
}

impl KeyBuffer {
    pub fn code() -> Self {
        KeyBuffer {
            chars: String::new(),
            max: 32,
            digits_only: false,
        }
    }

    pub fn pin() -> Self {
        KeyBuffer {
            chars: String::new(),
            max: 12,
            digits_only: true,
        }
    }

    pub fn push(&mut self, key: char) -> bool {
        let key = key.to_ascii_uppercase();
        let ok = self.chars.len() < self.max
            && (key.is_ascii_digit() || (!self.digits_only && key.is_ascii_uppercase()));
        if ok {
            self.chars.push(key);
        }
        ok
    }

    pub fn backspace(&mut self) {
        self.chars.pop();
    }

    pub fn clear(&mut self) {
        self.chars.clear();
    }

    pub fn text(&self) -> &str {
        &self.chars
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// One dot per character (for the PIN).
    pub fn dots(&self) -> String {
        "●".repeat(self.chars.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "11010519491231002X";

    fn typed(text: &str) -> IdBuffer {
        let mut b = IdBuffer::default();
        for c in text.chars() {
            assert!(b.push(c), "refused {c}");
        }
        b
    }

    #[test]
    fn masks_the_middle_while_typing() {
        assert_eq!(typed("1101").masked(), "110*__ ________ ____");
        let full = typed(VALID);
        assert_eq!(full.masked(), "110*** ******** 002X");
        assert!(!full.masked().contains("0519491231"));
        assert!(full.is_complete());
        assert!(full.validate().is_ok());
    }

    #[test]
    fn x_only_in_the_last_place() {
        let mut b = typed("1101");
        assert!(!b.push('X'));
        let mut b17 = typed(&VALID[..17]);
        assert!(b17.push('x'));
        assert!(!b17.push('1'));
        b.backspace();
        assert_eq!(b.len(), 3);
    }

    #[test]
    fn wrong_check_digit_is_reported() {
        let b = typed("110105194912310021");
        assert_eq!(
            b.validate().unwrap_err(),
            crate::core::id_number::IdNumberError::CheckDigit
        );
    }

    #[test]
    fn code_and_pin_buffers() {
        let mut code = KeyBuffer::code();
        assert!(code.push('y'));
        assert!(code.push('1'));
        assert!(!code.push('-'));
        assert_eq!(code.text(), "Y1");
        let mut pin = KeyBuffer::pin();
        assert!(!pin.push('A'));
        assert!(pin.push('7'));
        assert_eq!(pin.dots(), "●");
    }
}
