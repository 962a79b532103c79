//! Shared by the kiosk UI flows (one flow per test file: the Slint testing backend's event
//! loop can be set up once per process): a real hall server on 127.0.0.1:0, the kiosk window
//! wired by the real controller, and helpers to find elements by accessible label.

#![allow(dead_code)]

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hallq::client::HallClient;
use hallq::config::HallConfig;
use hallq::kiosk::{KioskDeps, KioskGuard, KioskSettings, TicketPrinter, Timing, VoicePrompt};
use hallq::ui::kiosk::{KioskWindow, Theme};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
pub use slint::ComponentHandle;

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

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

/// Sleeps on the Slint event loop.
pub async fn sleep(d: Duration) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    slint::Timer::single_shot(d, move || {
        let _ = tx.send(());
    });
    let _ = rx.await;
}

/// Waits (on the event loop) until `cond` holds; fails after `secs` seconds.
pub async fn wait_for(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let tries = secs * 50;
    for _ in 0..tries {
        if cond() {
            return;
        }
        sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

pub fn labelled(window: &KioskWindow, label: &str) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(window, label).collect()
}

/// The button (or tile) with this accessible label, if shown.
pub fn button(window: &KioskWindow, label: &str) -> Option<ElementHandle> {
    labelled(window, label)
        .into_iter()
        .find(|e| e.accessible_role() == Some(AccessibleRole::Button))
}

pub fn has_text(window: &KioskWindow, text: &str) -> bool {
    !labelled(window, text).is_empty()
}

pub fn press(window: &KioskWindow, label: &str) {
    button(window, label)
        .unwrap_or_else(|| panic!("no button labelled {label:?}"))
        .invoke_accessible_default_action();
}

/// Types `text` on the shown keypad (keys are labelled 数字N / 字母X).
pub fn type_keys(window: &KioskWindow, text: &str) {
    for c in text.chars() {
        let label = if c.is_ascii_digit() {
            format!("数字{c}")
        } else {
            format!("字母{c}")
        };
        press(window, &label);
    }
}

pub fn theme(window: &KioskWindow) -> Theme<'_> {
    window.global::<Theme>()
}

/// Runs `flow` on the Slint event loop (set up by the caller) and returns when it ends;
/// a panic in the flow fails the test after the loop stops.
pub fn run_flow<F: Future<Output = ()> + 'static>(flow: F) {
    let failed: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
    let done = failed.clone();
    slint::spawn_local(async move {
        let result =
            futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(flow)).await;
        if let Err(panic) = result {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            *done.borrow_mut() = Some(text);
        }
        slint::quit_event_loop().unwrap();
    })
    .unwrap();
    slint::run_event_loop_until_quit().unwrap();
    if let Some(text) = failed.borrow_mut().take() {
        panic!("{text}");
    }
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
