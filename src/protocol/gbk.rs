//! Text for Chinese thermal printers: GBK bytes, 2-byte codes only.
//!
//! Printers implement the single-byte ASCII range and the 2-byte GBK areas; anything else
//! (4-byte GB18030, the one-byte `0x80` euro sign, control characters) prints garbage or is
//! taken as a command. [`encode`] refuses such characters; [`normalize`] first maps the few
//! that have a full-width twin (`¥` → `￥`).

use encoding_rs::GBK;

/// A character that cannot be sent to the printer as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("character \"{ch}\" (U+{code:04X}) cannot be printed: it is not a 2-byte GBK character")]
pub struct UnprintableChar {
    pub ch: char,
    pub code: u32,
}

/// Maps characters with a printable twin: `¥` (4 bytes in GB18030) → `￥` (`A3 A4`).
pub fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{00A5}' => '\u{FFE5}',
            other => other,
        })
        .collect()
}

/// The GBK bytes of one character when the printer can print it as text: printable ASCII
/// (one byte) or a 2-byte GBK code (lead byte ≥ 0x81).
fn char_bytes(c: char) -> Option<Vec<u8>> {
    if c.is_ascii() {
        return (c == ' ' || c.is_ascii_graphic()).then(|| vec![c as u8]);
    }
    let mut buf = [0u8; 4];
    let (bytes, _, had_errors) = GBK.encode(c.encode_utf8(&mut buf));
    (!had_errors && bytes.len() == 2 && bytes[0] >= 0x81).then(|| bytes.into_owned())
}

/// The first character of `text` (after [`normalize`]) that cannot be printed.
pub fn first_unprintable(text: &str) -> Option<char> {
    normalize(text).chars().find(|&c| char_bytes(c).is_none())
}

/// GBK bytes of `text` (normalized first); newlines and other control characters are
/// refused like any unprintable character.
pub fn encode(text: &str) -> Result<Vec<u8>, UnprintableChar> {
    let mut out = Vec::with_capacity(text.len() * 2);
    for c in normalize(text).chars() {
        match char_bytes(c) {
            Some(b) => out.extend_from_slice(&b),
            None => {
                return Err(UnprintableChar {
                    ch: c,
                    code: u32::from(c),
                });
            }
        }
    }
    Ok(out)
}

/// `text` with every unprintable character replaced by `?` (for data from outside the
/// configuration, which was validated, e.g. a service name sent by an older server).
pub fn lossy(text: &str) -> String {
    normalize(text)
        .chars()
        .map(|c| if char_bytes(c).is_some() { c } else { '?' })
        .collect()
}

/// Columns a text takes at normal size: 1 per ASCII character, 2 per Hanzi.
pub fn columns(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Splits `text` into lines of at most `width` columns (never inside a character).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(2);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = if c.is_ascii() { 1 } else { 2 };
        if used + w > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        line.push(c);
        used += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_bytes() {
        assert_eq!(encode("请").unwrap(), vec![0xC7, 0xEB]);
        assert_eq!(encode("号A1").unwrap(), vec![0xBA, 0xC5, 0x41, 0x31]);
        assert_eq!(
            encode("政务服务中心").unwrap(),
            vec![
                0xD5, 0xFE, 0xCE, 0xF1, 0xB7, 0xFE, 0xCE, 0xF1, 0xD6, 0xD0, 0xD0, 0xC4
            ]
        );
    }

    #[test]
    fn yen_becomes_full_width() {
        assert_eq!(encode("¥5").unwrap(), vec![0xA3, 0xA4, 0x35]);
    }

    #[test]
    fn refuses_four_byte_euro_and_controls() {
        assert_eq!(encode("𠮷").unwrap_err().code, 0x20BB7);
        assert_eq!(encode("€").unwrap_err().ch, '€');
        assert_eq!(encode("a\u{1b}b").unwrap_err().code, 0x1B);
        assert_eq!(encode("a\nb").unwrap_err().code, 0x0A);
        assert_eq!(first_unprintable("张𠮷"), Some('𠮷'));
        assert_eq!(first_unprintable("￥¥"), None);
        assert_eq!(lossy("张𠮷三"), "张?三");
    }

    #[test]
    fn wraps_by_columns() {
        assert_eq!(columns("A023号"), 6);
        assert_eq!(wrap("一二三四五", 4), vec!["一二", "三四", "五"]);
        assert_eq!(wrap("ab一", 3), vec!["ab", "一"]);
        assert_eq!(wrap("", 4), vec![""]);
    }
}
