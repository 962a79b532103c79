//! The Raspberry Pi's GPIO through rppal (GPIO character device, kernel debounce). The only
//! file that knows rppal: moving to gpiocdev replaces this file.

use std::sync::mpsc::Sender;
use std::time::Duration;

use rppal::gpio::{Gpio, InputPin, Trigger};

use super::{ButtonInput, ButtonPress, Debouncer, GpioError, press_for};
use crate::config::{ButtonConfig, PullName};

/// The Pi's header pins.
pub struct RppalButtons;

/// Keeps the pins (and their interrupt threads) alive.
struct Pins(#[allow(dead_code)] Vec<InputPin>);

impl ButtonInput for RppalButtons {
    fn watch(
        &mut self,
        buttons: &[ButtonConfig],
        presses: Sender<ButtonPress>,
    ) -> Result<Box<dyn Send>, GpioError> {
        let gpio = Gpio::new().map_err(|e| GpioError::Unavailable(e.to_string()))?;
        let mut pins = Vec::with_capacity(buttons.len());
        for button in buttons {
            let pin_err = |e: rppal::gpio::Error| GpioError::Pin {
                pin: button.pin,
                reason: e.to_string(),
            };
            let pin = gpio.get(button.pin).map_err(pin_err)?;
            let (mut input, trigger) = match button.pull {
                PullName::Up => (pin.into_input_pullup(), Trigger::FallingEdge),
                PullName::Down => (pin.into_input_pulldown(), Trigger::RisingEdge),
            };
            let gap = Duration::from_millis(button.debounce_ms);
            let mut debouncer = Debouncer::new(gap);
            let press = press_for(button);
            let tx = presses.clone();
            input
                .set_async_interrupt(trigger, Some(gap), move |event| {
                    if debouncer.accept(event.timestamp) {
                        let _ = tx.send(press);
                    }
                })
                .map_err(pin_err)?;
            pins.push(input);
        }
        Ok(Box::new(Pins(pins)))
    }
}
