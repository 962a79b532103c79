//! Shared by the window-terminal UI flows (one flow per test file: the Slint testing
//! backend's event loop can be set up once per process): a real hall server on 127.0.0.1:0,
//! the terminal wired by the real controller, and helpers that find elements by accessible
//! label.

#![allow(dead_code)]

use std::time::Duration;

use hallq::client::HallClient;
use hallq::terminal::{TerminalDeps, TerminalGuard, TerminalSettings, Timing};
use hallq::ui::window::TerminalWindow;
pub use slint::ComponentHandle;

#[path = "../ui_flow/mod.rs"]
mod ui_flow;
pub use ui_flow::*;

use crate::common::CONFIG_24H;

/// The 24-hour test hall plus 李强 (1002, PIN 123456) and 张伟 (1003, no PIN).
pub fn config_with_staff() -> String {
    let hash = hallq::kiosk::pin::hash_pin("123456").unwrap();
    format!(
        "{CONFIG_24H}\n[[staff]]\nid = \"1002\"\nname = \"李强\"\npin_hash = \"{hash}\"\n\n\
         [[staff]]\nid = \"1003\"\nname = \"张伟\"\n"
    )
}

/// Quick retries so the flows do not wait long.
pub fn fast_timing() -> Timing {
    Timing {
        retry_first: Duration::from_millis(100),
        retry_max: Duration::from_millis(300),
        poll_every: Duration::from_secs(30),
        tick: Duration::from_millis(100),
    }
}

pub struct Terminal {
    pub window: TerminalWindow,
    pub guard: TerminalGuard,
}

/// The terminal of window `n` and its controller against `base`.
pub fn start_terminal(base: &str, token: &str, n: u16, rt: &tokio::runtime::Runtime) -> Terminal {
    let window = TerminalWindow::new().unwrap();
    let guard = hallq::terminal::start(
        &window,
        TerminalDeps {
            client: HallClient::new(base, token, Duration::from_secs(3)).unwrap(),
            settings: TerminalSettings::new(n),
            runtime: rt.handle().clone(),
            timing: fast_timing(),
            timezone: jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(),
        },
    );
    window
        .window()
        .set_size(slint::LogicalSize::new(1024.0, 600.0));
    window.show().unwrap();
    Terminal { window, guard }
}

/// Presses the button (or field) with this label.
pub fn press(window: &TerminalWindow, label: &str) {
    labelled(window, label)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("nothing labelled {label:?}"))
        .invoke_accessible_default_action();
}

pub fn enabled(window: &TerminalWindow, label: &str) -> bool {
    button(window, label)
        .unwrap_or_else(|| panic!("no button labelled {label:?}"))
        .accessible_enabled()
        .unwrap_or(true)
}

/// Types on the shown pad (keys labelled 数字N / 字母X).
pub fn type_keys(window: &TerminalWindow, text: &str) {
    for c in text.chars() {
        press(window, &key_label(c));
    }
}

/// The status line's text.
pub fn status(window: &TerminalWindow) -> String {
    labelled(window, "状态栏")
        .first()
        .and_then(|e| e.accessible_value())
        .map(|s| s.to_string())
        .unwrap_or_default()
}

/// The value of a text field or text with this label.
pub fn value(window: &TerminalWindow, label: &str) -> String {
    labelled(window, label)
        .first()
        .and_then(|e| e.accessible_value())
        .map(|s| s.to_string())
        .unwrap_or_default()
}

/// Presses function key F`n` on the physical keyboard.
pub fn function_key(window: &TerminalWindow, n: u8) {
    use slint::platform::{Key, WindowEvent};
    let key = match n {
        1 => Key::F1,
        2 => Key::F2,
        3 => Key::F3,
        4 => Key::F4,
        5 => Key::F5,
        6 => Key::F6,
        7 => Key::F7,
        8 => Key::F8,
        9 => Key::F9,
        _ => panic!("no F{n}"),
    };
    let text: slint::SharedString = key.into();
    window
        .window()
        .dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
    window
        .window()
        .dispatch_event(WindowEvent::KeyReleased { text });
}

/// Waits until the status line says `text`.
pub async fn wait_status(window: &TerminalWindow, text: &str) {
    let w = window.clone_strong();
    let mut last = String::new();
    for _ in 0..500 {
        last = status(&w);
        if last == text {
            return;
        }
        sleep(Duration::from_millis(20)).await;
    }
    panic!("status line is {last:?}, expected {text:?}");
}

/// Signs in on the sign-in page (PIN only when given) and waits for the main page.
pub async fn sign_in(window: &TerminalWindow, staff: &str, pin: Option<&str>) {
    wait_for("the sign-in page", 10, || has_text(window, "工号")).await;
    press(window, "工号");
    type_keys(window, staff);
    if let Some(pin) = pin {
        press(window, "密码");
        type_keys(window, pin);
    }
    press(window, "签到");
}
