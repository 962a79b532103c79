//! A stand-in for the GPIO header in tests: `press(pin, at)` is an edge on that pin.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{ButtonInput, ButtonPress, Debouncer, GpioError, press_for};
use crate::config::ButtonConfig;

type Watched = Vec<(ButtonConfig, Debouncer, Sender<ButtonPress>)>;

/// Fake pins; clone it to keep a handle for pressing after `watch`.
#[derive(Clone, Default)]
pub struct FakeButtons {
    watched: Arc<Mutex<Watched>>,
}

impl FakeButtons {
    /// An edge on `pin` at `at` (the edge's timestamp). False when no button watches `pin`.
    pub fn press(&self, pin: u8, at: Duration) -> bool {
        let Ok(mut watched) = self.watched.lock() else {
            return false;
        };
        let mut found = false;
        for (button, debouncer, tx) in watched.iter_mut().filter(|(b, _, _)| b.pin == pin) {
            found = true;
            if debouncer.accept(at) {
                let _ = tx.send(press_for(button));
            }
        }
        found
    }
}

impl ButtonInput for FakeButtons {
    fn watch(
        &mut self,
        buttons: &[ButtonConfig],
        presses: Sender<ButtonPress>,
    ) -> Result<Box<dyn Send>, GpioError> {
        let mut watched = self
            .watched
            .lock()
            .map_err(|_| GpioError::Unavailable("fake pins poisoned".into()))?;
        for b in buttons {
            let gap = Duration::from_millis(b.debounce_ms);
            watched.push((b.clone(), Debouncer::new(gap), presses.clone()));
        }
        Ok(Box::new(()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;
    use crate::config::{ButtonAction, PullName};

    #[test]
    fn a_bouncing_press_sends_one_call_for_its_window() {
        let mut pins = FakeButtons::default();
        let (tx, rx) = mpsc::channel();
        let buttons = [
            ButtonConfig {
                window: 3,
                pin: 17,
                action: ButtonAction::CallNext,
                debounce_ms: 30,
                pull: PullName::Up,
            },
            ButtonConfig {
                window: 3,
                pin: 27,
                action: ButtonAction::Recall,
                debounce_ms: 30,
                pull: PullName::Up,
            },
        ];
        let _guard = pins.watch(&buttons, tx).unwrap();
        for t in [0, 2, 5, 11] {
            assert!(pins.press(17, Duration::from_millis(t)));
        }
        assert!(pins.press(27, Duration::from_millis(12)));
        assert!(
            !pins.press(4, Duration::from_millis(13)),
            "pin 4 has no button"
        );
        let got: Vec<ButtonPress> = rx.try_iter().collect();
        assert_eq!(
            got,
            [
                ButtonPress {
                    window: 3,
                    action: ButtonAction::CallNext
                },
                ButtonPress {
                    window: 3,
                    action: ButtonAction::Recall
                },
            ]
        );
    }
}
