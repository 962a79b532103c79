//! Shared by the kiosk UI flows (one flow per test file: the Slint testing backend's event
//! loop can be set up once per process): a real hall server on 127.0.0.1:0, the kiosk window
//! wired by the real controller, and helpers to find elements by accessible label.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hallq::client::HallClient;
use hallq::config::HallConfig;
use hallq::kiosk::{KioskDeps, KioskGuard, KioskSettings, TicketPrinter, Timing, VoicePrompt};
use hallq::ui::kiosk::{KioskWindow, Theme};
pub use slint::ComponentHandle;

#[path = "../ui_flow/mod.rs"]
mod ui_flow;
pub use ui_flow::*;

/// Quick retries so the flows do not wait long.
pub fn fast_timing() -> Timing {
    Timing {
        services_every: Duration::from_millis(200),
        printer_every: Duration::from_millis(50),
        retry_first: Duration::from_millis(100),
        retry_max: Duration::from_millis(300),
        tick: Duration::from_millis(100),
    }
}

pub struct Kiosk {
    pub window: KioskWindow,
    pub guard: KioskGuard,
    pub voice: Arc<Mutex<Vec<VoicePrompt>>>,
}

/// The window and its controller against `base` with the kiosk token.
pub fn start_kiosk<P: TicketPrinter>(
    config: &HallConfig,
    base: &str,
    token: &str,
    printer: Arc<P>,
    rt: &tokio::runtime::Runtime,
) -> Kiosk {
    let window = KioskWindow::new().unwrap();
    let voice = Arc::new(Mutex::new(Vec::new()));
    let sink = voice.clone();
    let guard = hallq::kiosk::start(
        &window,
        KioskDeps {
            client: HallClient::new(base, token, Duration::from_secs(2)).unwrap(),
            printer,
            settings: KioskSettings::from_config(config).unwrap(),
            landscape: false,
            runtime: rt.handle().clone(),
            timing: fast_timing(),
            voice: Some(Arc::new(move |p: &VoicePrompt| {
                sink.lock().unwrap().push(p.clone())
            })),
        },
    );
    window.show().unwrap();
    Kiosk {
        window,
        guard,
        voice,
    }
}

pub fn press(window: &KioskWindow, label: &str) {
    button(window, label)
        .unwrap_or_else(|| panic!("no button labelled {label:?}"))
        .invoke_accessible_default_action();
}

/// Types `text` on the shown keypad (keys are labelled 数字N / 字母X).
pub fn type_keys(window: &KioskWindow, text: &str) {
    for c in text.chars() {
        press(window, &key_label(c));
    }
}

pub fn theme(window: &KioskWindow) -> Theme<'_> {
    window.global::<Theme>()
}

/// A `sim` printer (PTY simulator) that re-reads its status every second.
pub fn sim_printer(
    on_failure: hallq::config::OnFailure,
) -> (
    hallq::config::PrinterConfig,
    Arc<hallq::devices::printer::PrinterHandle>,
) {
    let mut config = hallq::config::PrinterConfig::new(hallq::config::PrinterBackend::Sim);
    config.poll_secs = 1;
    config.on_failure = on_failure;
    let handle = hallq::devices::printer::PrinterHandle::spawn(&config).unwrap();
    (config, Arc::new(handle))
}

/// The decoded text of every ticket the simulator has printed.
pub fn printed_texts(printer: &hallq::devices::printer::PrinterHandle) -> Vec<String> {
    printer
        .simulator()
        .unwrap()
        .tickets()
        .iter()
        .map(|r| r.text())
        .collect()
}
