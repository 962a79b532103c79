//! The hall's side of the RS-485 caller keypads: a key press becomes the window's engine
//! command (the keypad at address N acts only for window N), and the window's state becomes
//! the text on the keypad's LCD.

use std::sync::Arc;

use tokio::runtime::Handle;

use crate::config::HallConfig;
use crate::core::{
    Command, Engine, Rejected, StaffId, Target, TicketNumber, TicketState, WindowNo,
};
use crate::devices::bus::{BusHandle, KeyCode, KeyPress, KeypadActions};
use crate::hall::{Hall, HallError};

/// Runs keypad presses through the hall. Called on a bus thread, so it may block.
pub struct HallKeypads {
    hall: Hall,
    runtime: Handle,
    config: Arc<HallConfig>,
}

impl HallKeypads {
    pub fn new(hall: Hall, runtime: Handle, config: Arc<HallConfig>) -> Self {
        HallKeypads {
            hall,
            runtime,
            config,
        }
    }

    /// The command a press means, or a short message for the LCD.
    fn command_for(&self, press: KeyPress) -> Result<Command, String> {
        let window = WindowNo(press.window);
        Ok(match press.key {
            KeyCode::CallNext => Command::CallNext { window },
            KeyCode::Recall => Command::Recall { window },
            KeyCode::NoShow => Command::NoShow { window },
            KeyCode::Pause => Command::Pause { window },
            KeyCode::Resume => Command::Resume { window },
            KeyCode::Finish => Command::Finish {
                window,
                case_number: None,
            },
            KeyCode::SignOut => Command::SignOut { window },
            KeyCode::Transfer => Command::Transfer {
                window,
                to: Target::Window(WindowNo(press.arg)),
            },
            KeyCode::SignIn => {
                let staff = press.arg.to_string();
                let member = self.config.staff.iter().find(|s| s.id == staff);
                match member {
                    None => return Err("工号不存在".into()),
                    // A keypad cannot take a PIN: staff with one sign in at a terminal.
                    Some(m) if m.pin_hash.is_some() => return Err("请在终端签到".into()),
                    Some(_) => Command::SignIn {
                        window,
                        staff: StaffId(staff),
                    },
                }
            }
            KeyCode::CallSpecific => {
                let digits = u32::from(press.arg);
                let found = self
                    .runtime
                    .block_on(
                        self.hall
                            .query(move |engine, _| numbers_ending(engine, window, digits)),
                    )
                    .map_err(|e| short_error(&e))?;
                match found.as_slice() {
                    [number] => Command::CallSpecific {
                        window,
                        number: number.clone(),
                    },
                    [] => return Err("无此号码".into()),
                    _ => return Err("号码不唯一".into()),
                }
            }
        })
    }
}

impl KeypadActions for HallKeypads {
    fn on_key(&self, press: KeyPress) -> Result<(), String> {
        let command = self.command_for(press)?;
        tracing::info!(window = press.window, key = ?press.key, seq = press.seq, "keypad press");
        match self.runtime.block_on(self.hall.execute(command, |_, _| ())) {
            Ok(()) => Ok(()),
            Err(err) => {
                tracing::info!(window = press.window, key = ?press.key, "keypad press refused: {err}");
                Err(short_error(&err))
            }
        }
    }
}

/// Waiting tickets this window may call whose sequence number is `digits`: the
/// keypad sends only digits, so `23` means A023 or B023, whichever this window serves.
fn numbers_ending(engine: &Engine, window: WindowNo, digits: u32) -> Vec<TicketNumber> {
    let Some(rules) = engine.rules().window(window) else {
        return Vec::new();
    };
    engine
        .tickets()
        .filter(|t| t.state == TicketState::Waiting)
        .filter(|t| rules.services.iter().any(|(s, _)| *s == t.service))
        .filter(|t| TicketNumber::parse(t.number.as_str()).is_some_and(|(_, seq)| seq == digits))
        .map(|t| t.number.clone())
        .collect()
}

/// At most 8 Hanzi: what a 16-byte keypad LCD can show.
fn short_error(err: &HallError) -> String {
    let text = match err {
        HallError::Rejected(r) => match r {
            Rejected::NoTicketWaiting(_) => "无人等候",
            Rejected::NoCurrentTicket(_) => "当前无号",
            Rejected::RecallLimit { .. } => "已达重呼上限",
            Rejected::WindowPaused(_) => "窗口已暂停",
            Rejected::WindowNotPaused(_) => "窗口未暂停",
            Rejected::NotSignedIn(_) => "请先签到",
            Rejected::UnknownStaff(_) => "工号不存在",
            Rejected::UnknownWindow(_) => "无此窗口",
            Rejected::AlreadyCalled { .. } => "该号已被叫",
            Rejected::NotServedHere { .. } => "本窗口不办",
            _ => "操作失败",
        },
        HallError::Storage { .. } | HallError::Busy | HallError::ShuttingDown => "系统故障",
    };
    text.to_string()
}

/// The LCD line for a window: its current number (or state) and how many wait for it,
/// e.g. `A023 等候12`, `暂停 等候3`, `请签到`.
pub fn keypad_text(engine: &Engine, window: WindowNo) -> String {
    let Some(w) = engine.window(window) else {
        return String::new();
    };
    let waiting: usize = engine
        .waiting_for_window(window)
        .iter()
        .map(|(_, n)| n)
        .sum();
    if w.staff.is_none() && engine.rules().require_sign_in {
        return "请签到".to_string();
    }
    let head = if w.paused {
        "暂停".to_string()
    } else {
        w.current
            .and_then(|id| engine.ticket(id))
            .map(|t| t.number.as_str().to_string())
            .unwrap_or_else(|| "空闲".to_string())
    };
    format!("{head} 等候{waiting}")
}

/// Keeps every keypad's LCD in step with the hall: after each batch of events, the text of
/// each keypad window (the bus writes only what changed).
pub async fn follow_displays(hall: Hall, buses: Vec<(BusHandle, Vec<u16>)>) {
    let mut events = hall.subscribe();
    loop {
        let windows: Vec<u16> = buses.iter().flat_map(|(_, w)| w.clone()).collect();
        let texts = hall
            .query(move |engine, _| {
                windows
                    .iter()
                    .map(|n| (*n, keypad_text(engine, WindowNo(*n))))
                    .collect::<Vec<_>>()
            })
            .await;
        let Ok(texts) = texts else { return };
        for (bus, windows) in &buses {
            for (n, text) in &texts {
                if windows.contains(n) {
                    bus.set_display(*n, text.clone());
                }
            }
        }
        // Wait for the next change; a lagging receiver just refreshes everything.
        match events.recv().await {
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
        while events.try_recv().is_ok() {}
    }
}
