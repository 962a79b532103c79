//! `[[buttons]]`: physical call buttons wired to a window terminal's GPIO pins.

use serde::Deserialize;

use super::error::Problem;

/// `[[buttons]]`: one button on a BCM pin, read by `hallq window` for its window.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ButtonConfig {
    /// The window whose terminal reads this button.
    pub window: u16,
    /// BCM GPIO number (2–27 on a Raspberry Pi header).
    pub pin: u8,
    /// What a press does.
    #[serde(default)]
    pub action: ButtonAction,
    /// Presses closer together than this are one press (contact bounce).
    #[serde(default = "default_debounce_ms")]
    pub debounce_ms: u64,
    /// `up`: wired to GND with the internal pull-up, pressed = low (recommended); `down`:
    /// wired to 3V3 with the internal pull-down, pressed = high.
    #[serde(default)]
    pub pull: PullName,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonAction {
    /// 叫号
    #[default]
    CallNext,
    /// 重呼
    Recall,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PullName {
    #[default]
    Up,
    Down,
}

fn default_debounce_ms() -> u64 {
    30
}

/// BCM pins a button may use: the header's GPIO 2–27.
pub const BUTTON_PINS: std::ops::RangeInclusive<u8> = 2..=27;

/// Unknown windows, pins off the header, one pin used twice, a silly debounce.
pub(super) fn check(buttons: &[ButtonConfig], windows: &[u16], out: &mut Vec<Problem>) {
    for (i, b) in buttons.iter().enumerate() {
        let p = format!("buttons[{i}]");
        if !windows.contains(&b.window) {
            out.push(Problem::new(
                format!("{p}.window"),
                format!("unknown window {}", b.window),
            ));
        }
        if !BUTTON_PINS.contains(&b.pin) {
            out.push(Problem::new(
                format!("{p}.pin"),
                format!("BCM pin {} is not a header GPIO (use 2 to 27)", b.pin),
            ));
        }
        if buttons[..i].iter().any(|o| o.pin == b.pin) {
            out.push(Problem::new(
                format!("{p}.pin"),
                format!("BCM pin {} is used by another button", b.pin),
            ));
        }
        if !(5..=500).contains(&b.debounce_ms) {
            out.push(Problem::new(
                format!("{p}.debounce_ms"),
                "debounce must be 5 to 500 ms (20–50 ms suits a push button)",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn button(window: u16, pin: u8) -> ButtonConfig {
        ButtonConfig {
            window,
            pin,
            action: ButtonAction::CallNext,
            debounce_ms: 30,
            pull: PullName::Up,
        }
    }

    #[test]
    fn good_buttons_pass() {
        let mut out = Vec::new();
        check(&[button(1, 17), button(2, 27)], &[1, 2], &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn bad_buttons_are_reported_with_their_keys() {
        let mut out = Vec::new();
        let mut slow = button(1, 5);
        slow.debounce_ms = 2000;
        check(
            &[button(9, 17), button(1, 17), button(1, 40), slow],
            &[1, 2],
            &mut out,
        );
        let paths: Vec<&str> = out.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "buttons[0].window",
                "buttons[1].pin",
                "buttons[2].pin",
                "buttons[3].debounce_ms"
            ]
        );
    }
}
