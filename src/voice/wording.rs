//! What is said for a call, pure: the template with `{number}` and `{window}`, ticket numbers
//! read digit by digit (A023 → A 零 二 三, optionally 幺 for 1), window numbers read as
//! cardinals (12 → 十二) or digits.
//!
//! The result is both the text for TTS modules and the clip sequence for the clips backend.

use super::config::WindowNumbers;
use super::pack::ClipIndex;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Number,
    Window,
}

/// A parsed template such as `请{number}号到{window}号窗口办理`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown placeholder {{{0}}} (known: {{number}}, {{window}})")]
    UnknownPlaceholder(String),
    #[error("unclosed `{{` in the template")]
    Unclosed,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut segments = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            if start > 0 {
                segments.push(Segment::Literal(rest[..start].to_owned()));
            }
            let after = &rest[start + 1..];
            let end = after.find('}').ok_or(TemplateError::Unclosed)?;
            segments.push(match &after[..end] {
                "number" => Segment::Number,
                "window" => Segment::Window,
                other => return Err(TemplateError::UnknownPlaceholder(other.to_owned())),
            });
            rest = &after[end + 1..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_owned()));
        }
        Ok(Template { segments })
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The literal pieces (what must be covered by clips and be GB2312).
    pub fn literals(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Literal(t) => Some(t.as_str()),
            _ => None,
        })
    }
}

/// A spoken numeral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numeral {
    Digit(u8),
    /// 幺: 1 in a digit string, when configured.
    Yao,
    Ten,
    Hundred,
}

impl Numeral {
    pub fn hanzi(self) -> char {
        match self {
            Numeral::Digit(d) => {
                ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'][usize::from(d.min(9))]
            }
            Numeral::Yao => '幺',
            Numeral::Ten => '十',
            Numeral::Hundred => '百',
        }
    }

    pub fn clip(self) -> String {
        match self {
            Numeral::Digit(d) => format!("digit-{}", d.min(9)),
            Numeral::Yao => "yao".to_owned(),
            Numeral::Ten => "shi".to_owned(),
            Numeral::Hundred => "bai".to_owned(),
        }
    }
}

fn digit(d: u8, one_as_yao: bool) -> Numeral {
    if d == 1 && one_as_yao {
        Numeral::Yao
    } else {
        Numeral::Digit(d)
    }
}

/// A number read digit by digit.
pub fn digits(n: u32, one_as_yao: bool) -> Vec<Numeral> {
    n.to_string()
        .bytes()
        .map(|b| digit(b - b'0', one_as_yao))
        .collect()
}

/// A number as a cardinal: 10 → 十, 12 → 十二, 21 → 二十一, 100 → 一百, 105 → 一百零五,
/// 110 → 一百一十. From 1000 on, digit by digit (no hall has that many windows).
pub fn cardinal(n: u16) -> Vec<Numeral> {
    let d = |x: u16| Numeral::Digit(u8::try_from(x % 10).unwrap_or(0));
    match n {
        0..=9 => vec![d(n)],
        10..=19 => {
            let mut v = vec![Numeral::Ten];
            if !n.is_multiple_of(10) {
                v.push(d(n));
            }
            v
        }
        20..=99 => {
            let mut v = vec![d(n / 10), Numeral::Ten];
            if !n.is_multiple_of(10) {
                v.push(d(n));
            }
            v
        }
        100..=999 => {
            let mut v = vec![d(n / 100), Numeral::Hundred];
            let rest = n % 100;
            match rest {
                0 => {}
                1..=9 => v.extend([Numeral::Digit(0), d(rest)]),
                _ => {
                    // 一百一十五: the tens digit is said even when it is 1.
                    v.push(d(rest / 10));
                    v.push(Numeral::Ten);
                    if !rest.is_multiple_of(10) {
                        v.push(d(rest));
                    }
                }
            }
            v
        }
        _ => digits(u32::from(n), false),
    }
}

/// One token of a ticket number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NumberToken {
    Letter(char),
    Numeral(Numeral),
}

fn number_tokens(number: &str, one_as_yao: bool) -> Vec<NumberToken> {
    number
        .chars()
        .filter_map(|c| {
            if c.is_ascii_alphabetic() {
                Some(NumberToken::Letter(c.to_ascii_uppercase()))
            } else {
                c.to_digit(10)
                    .map(|d| NumberToken::Numeral(digit(d as u8, one_as_yao)))
            }
        })
        .collect()
}

/// The rules for reading calls aloud.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wording {
    pub template: Template,
    pub one_as_yao: bool,
    pub window_numbers: WindowNumbers,
}

/// A call put into words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    /// What the hall display shows as the caption: `请A023号到3号窗口办理`.
    pub caption: String,
    /// What a TTS module is given, numbers already spelled out: `请A零二三号到三号窗口办理`.
    pub tts_text: String,
    /// Clip names for one saying (no chime): `qing letter-a digit-0 … hao-chuangkou-banli`.
    pub clips: Vec<String>,
    /// Literal text no clip covers (left out of `clips`; config check reports it earlier).
    pub uncovered: Vec<String>,
}

impl Wording {
    pub fn new(template: Template, one_as_yao: bool, window_numbers: WindowNumbers) -> Self {
        Wording {
            template,
            one_as_yao,
            window_numbers,
        }
    }

    fn window_numerals(&self, window: u16) -> Vec<Numeral> {
        match self.window_numbers {
            WindowNumbers::Cardinal => cardinal(window),
            WindowNumbers::Digits => digits(u32::from(window), self.one_as_yao),
        }
    }

    /// Puts a call into words, with clips from `index`.
    pub fn say(&self, number: &str, window: u16, index: &ClipIndex) -> Said {
        let mut said = Said {
            caption: String::new(),
            tts_text: String::new(),
            clips: Vec::new(),
            uncovered: Vec::new(),
        };
        for segment in self.template.segments() {
            match segment {
                Segment::Literal(text) => {
                    said.caption.push_str(text);
                    said.tts_text.push_str(text);
                    let (clips, uncovered) = index.clips_for(text);
                    said.clips.extend(clips);
                    said.uncovered.extend(uncovered);
                }
                Segment::Number => {
                    said.caption.push_str(number);
                    for token in number_tokens(number, self.one_as_yao) {
                        match token {
                            NumberToken::Letter(c) => {
                                said.tts_text.push(c);
                                said.clips
                                    .push(format!("letter-{}", c.to_ascii_lowercase()));
                            }
                            NumberToken::Numeral(n) => {
                                said.tts_text.push(n.hanzi());
                                said.clips.push(n.clip());
                            }
                        }
                    }
                }
                Segment::Window => {
                    said.caption.push_str(&window.to_string());
                    for n in self.window_numerals(window) {
                        said.tts_text.push(n.hanzi());
                        said.clips.push(n.clip());
                    }
                }
            }
        }
        said
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hanzi(v: &[Numeral]) -> String {
        v.iter().map(|n| n.hanzi()).collect()
    }

    fn default_wording() -> Wording {
        Wording::new(
            Template::parse(super::super::config::DEFAULT_TEMPLATE).unwrap(),
            false,
            WindowNumbers::Cardinal,
        )
    }

    #[test]
    fn cardinals() {
        for (n, text) in [
            (0, "零"),
            (3, "三"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (21, "二十一"),
            (99, "九十九"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (115, "一百一十五"),
            (120, "一百二十"),
            (999, "九百九十九"),
            (1000, "一零零零"),
        ] {
            assert_eq!(hanzi(&cardinal(n)), text, "{n}");
        }
    }

    #[test]
    fn digit_strings() {
        assert_eq!(hanzi(&digits(101, false)), "一零一");
        assert_eq!(hanzi(&digits(101, true)), "幺零幺");
    }

    #[test]
    fn default_call() {
        let said = default_wording().say("A023", 3, &ClipIndex::builtin());
        assert_eq!(said.caption, "请A023号到3号窗口办理");
        assert_eq!(said.tts_text, "请A零二三号到三号窗口办理");
        assert_eq!(
            said.clips,
            [
                "qing",
                "letter-a",
                "digit-0",
                "digit-2",
                "digit-3",
                "hao",
                "dao",
                "digit-3",
                "hao-chuangkou-banli"
            ]
        );
        assert!(said.uncovered.is_empty());
    }

    #[test]
    fn yao_and_cardinal_window() {
        let mut w = default_wording();
        w.one_as_yao = true;
        let said = w.say("b101", 12, &ClipIndex::builtin());
        assert_eq!(said.tts_text, "请B幺零幺号到十二号窗口办理");
        assert_eq!(&said.clips[1..5], ["letter-b", "yao", "digit-0", "yao"]);
        assert_eq!(&said.clips[6..9], ["dao", "shi", "digit-2"]);
        w.window_numbers = WindowNumbers::Digits;
        let said = w.say("B101", 12, &ClipIndex::builtin());
        assert_eq!(said.tts_text, "请B幺零幺号到幺二号窗口办理");
    }

    #[test]
    fn led_style_template_splits_into_words() {
        let w = Wording::new(
            Template::parse("请{number}到{window}号窗口").unwrap(),
            false,
            WindowNumbers::Cardinal,
        );
        let said = w.say("A1", 21, &ClipIndex::builtin());
        assert_eq!(
            said.clips,
            [
                "qing",
                "letter-a",
                "digit-1",
                "dao",
                "digit-2",
                "shi",
                "digit-1",
                "hao",
                "chuangkou"
            ]
        );
    }

    #[test]
    fn uncovered_text_is_reported() {
        let w = Wording::new(
            Template::parse("请{number}号到{window}号柜台").unwrap(),
            false,
            WindowNumbers::Cardinal,
        );
        let said = w.say("A1", 2, &ClipIndex::builtin());
        assert_eq!(said.uncovered, ["柜台"]);
        assert_eq!(said.caption, "请A1号到2号柜台");
    }

    #[test]
    fn template_errors() {
        assert_eq!(
            Template::parse("{num}"),
            Err(TemplateError::UnknownPlaceholder("num".into()))
        );
        assert_eq!(Template::parse("请{number"), Err(TemplateError::Unclosed));
        let t = Template::parse("{number}号").unwrap();
        assert_eq!(
            t.segments(),
            [Segment::Number, Segment::Literal("号".into())]
        );
    }
}
