//! What staff ask for (buttons, F-keys, GPIO) and the API requests that carry it out.

use crate::client::TransferTarget;

/// An action of the window terminal. Buttons, F1–F9 and outside triggers (a GPIO button)
/// all arrive as one of these and go through the same checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TerminalAction {
    /// 叫号 (F1)
    CallNext,
    /// 重呼 (F2)
    Recall,
    /// 过号 (F3)
    NoShow,
    /// 挂起 (F4)
    Hold,
    /// 回呼 (F5): opens the list of held tickets.
    ResumeHeld,
    /// 转移 (F6): opens the picker of services and windows.
    Transfer,
    /// 指定叫号 (F7): opens the number pad.
    CallSpecific,
    /// 暂停 / 恢复 (F8)
    TogglePause,
    /// 办结 (F9): opens the 办件编号 entry; F9 again there confirms.
    Finish,
    /// 签退
    SignOut,
}

impl TerminalAction {
    /// The action of function key F`n` (1–9).
    pub fn from_function_key(n: u8) -> Option<Self> {
        Some(match n {
            1 => Self::CallNext,
            2 => Self::Recall,
            3 => Self::NoShow,
            4 => Self::Hold,
            5 => Self::ResumeHeld,
            6 => Self::Transfer,
            7 => Self::CallSpecific,
            8 => Self::TogglePause,
            9 => Self::Finish,
            _ => return None,
        })
    }

    /// The name the UI markup uses for it (`act("call-next")`).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "call-next" => Self::CallNext,
            "recall" => Self::Recall,
            "no-show" => Self::NoShow,
            "hold" => Self::Hold,
            "resume-held" => Self::ResumeHeld,
            "transfer" => Self::Transfer,
            "call-specific" => Self::CallSpecific,
            "toggle-pause" => Self::TogglePause,
            "finish" => Self::Finish,
            "sign-out" => Self::SignOut,
            _ => return None,
        })
    }
}

/// One window API call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    CallNext,
    Call(String),
    Recall,
    NoShow,
    Hold,
    ResumeHeld(String),
    Transfer(TransferTarget),
    Pause,
    Resume,
    Finish(Option<String>),
    SignIn { staff: String, pin: Option<String> },
    SignOut,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_key_has_one_action() {
        let actions: std::collections::HashSet<_> = (1..=9)
            .filter_map(TerminalAction::from_function_key)
            .collect();
        assert_eq!(actions.len(), 9);
        assert_eq!(TerminalAction::from_function_key(10), None);
        assert_eq!(
            TerminalAction::from_name("toggle-pause"),
            Some(TerminalAction::TogglePause)
        );
    }
}
