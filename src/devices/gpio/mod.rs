//! Physical buttons on a Pi's GPIO header: a press on a configured pin becomes a
//! [`ButtonPress`] for its window. The pin access sits behind [`ButtonInput`], so tests drive
//! it with [`FakeButtons`] and a later move from rppal to gpiocdev touches one file
//! (`rppal_input.rs`).

mod debounce;
mod fake;
mod rppal_input;

use std::sync::mpsc::Sender;

pub use debounce::Debouncer;
pub use fake::FakeButtons;
pub use rppal_input::RppalButtons;

use crate::config::{ButtonAction, ButtonConfig};

/// One press, after debouncing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ButtonPress {
    pub window: u16,
    pub action: ButtonAction,
}

#[derive(Debug, thiserror::Error)]
pub enum GpioError {
    /// No GPIO on this machine (not a Pi, or no access to /dev/gpiomem): buttons are off.
    #[error("GPIO is not available here: {0}")]
    Unavailable(String),
    #[error("cannot use BCM pin {pin}: {reason}")]
    Pin { pin: u8, reason: String },
}

/// Something that watches button pins and sends their presses.
pub trait ButtonInput {
    /// Starts watching `buttons`; presses go to `presses` until the returned guard drops.
    fn watch(
        &mut self,
        buttons: &[ButtonConfig],
        presses: Sender<ButtonPress>,
    ) -> Result<Box<dyn Send>, GpioError>;
}

/// The machine's own button pins (the Pi's header through rppal).
pub fn platform_input() -> impl ButtonInput {
    RppalButtons
}

/// Starts the buttons of `window` on `input` ([`platform_input`] on a Pi), or logs why there
/// are none. Never fails: a kiosk or terminal without GPIO still works from its screen.
pub fn start_buttons(
    input: &mut dyn ButtonInput,
    buttons: &[ButtonConfig],
    window: u16,
    presses: Sender<ButtonPress>,
) -> Option<Box<dyn Send>> {
    let mine: Vec<ButtonConfig> = buttons
        .iter()
        .filter(|b| b.window == window)
        .cloned()
        .collect();
    if mine.is_empty() {
        return None;
    }
    match input.watch(&mine, presses) {
        Ok(guard) => {
            let pins: Vec<u8> = mine.iter().map(|b| b.pin).collect();
            tracing::info!(window, ?pins, "GPIO buttons ready");
            Some(guard)
        }
        Err(err) => {
            tracing::warn!(window, "GPIO buttons disabled: {err}");
            None
        }
    }
}

/// The press a pin's edge means, if the debouncer lets it through.
pub(crate) fn press_for(button: &ButtonConfig) -> ButtonPress {
    ButtonPress {
        window: button.window,
        action: button.action,
    }
}
