//! Renders the kiosk's pages with Slint's software renderer to PNG (no display needed):
//! home, result and elderly mode in portrait, and home and ID entry in landscape.
//! Written to target/screenshots/; with HALLQ_UPDATE_SCREENSHOTS=1 also to ui/screenshots/
//! (the copies the README shows).

mod screenshot;

use std::collections::HashSet;
use std::time::Duration;

use hallq::client::{Issued, ServiceInfo, ServiceState};
use hallq::config::{HallConfig, KioskGroup, OnFailure};
use hallq::devices::printer::{PrintOutcome, PrinterStatus};
use hallq::kiosk::{Input, Kiosk, KioskSettings, show_view};
use hallq::ui::kiosk::{KioskWindow, Theme};
use slint::ComponentHandle;

fn services() -> Vec<ServiceInfo> {
    let s = |id: &str, name: &str, waiting, minutes, state, reason: Option<&str>| ServiceInfo {
        id: id.into(),
        name: name.into(),
        prefix: id.into(),
        waiting,
        issued_today: 30,
        state,
        reason: reason.map(str::to_string),
        estimated_wait_minutes: minutes,
        windows: vec![1, 2],
    };
    vec![
        s("A", "综合受理", 12, 25, ServiceState::Open, None),
        s("B", "社保医保", 4, 8, ServiceState::Open, None),
        s(
            "C",
            "不动产登记",
            3,
            0,
            ServiceState::QuotaReached,
            Some("今日号源已约满"),
        ),
        s(
            "D",
            "咨询",
            0,
            0,
            ServiceState::Closed,
            Some("午休中，14:00 恢复"),
        ),
    ]
}

fn settings() -> KioskSettings {
    let config = HallConfig::parse(hallq::config::EXAMPLE_TOML).unwrap();
    let mut settings = KioskSettings::from_config(&config).unwrap();
    settings.groups = vec![
        KioskGroup {
            name: "综合类".into(),
            services: vec!["A".into(), "D".into()],
        },
        KioskGroup {
            name: "社保医保类".into(),
            services: vec!["B".into()],
        },
    ];
    settings.requires_id = HashSet::from(["B".to_string()]);
    settings.on_print_failure = OnFailure::Block;
    settings
}

fn ready() -> Kiosk {
    let mut k = Kiosk::new(settings());
    k.handle(Duration::ZERO, Input::Printer(PrinterStatus::Ready));
    k.handle(Duration::ZERO, Input::Services(services()));
    k
}

fn issued() -> Issued {
    Issued {
        id: 23,
        number: "A023".into(),
        service: "A".into(),
        service_name: "综合受理".into(),
        state: "waiting".into(),
        class: "walk_in".into(),
        priority: true,
        issued_at: "2026-11-23T01:41:00Z".into(),
        waiting_ahead: 5,
        estimated_wait_minutes: 12,
        windows: vec![1, 2],
        id_last4: None,
    }
}

/// Renders and saves; returns the share of pixels that are dark (text), as a sanity check
/// that Hanzi and digits were drawn.
fn snap(window: &KioskWindow, name: &str, size: (u32, u32)) -> f64 {
    let shot = screenshot::snapshot(window, name, size, true);
    screenshot::share(&shot, screenshot::dark)
}

#[test]
fn kiosk_screenshots() {
    screenshot::software_platform();
    let window = KioskWindow::new().unwrap();
    window.show().unwrap();
    let portrait = (1080, 1920);
    let landscape = (1280, 800);

    let mut k = ready();
    show_view(&window, &k.view(Duration::ZERO));
    let home = snap(&window, "kiosk-home", portrait);
    assert!(home > 0.002, "home page text missing ({home})");

    k.handle(Duration::ZERO, Input::TapService("A".into()));
    k.handle(Duration::ZERO, Input::IssueAnswer(Ok(issued())));
    k.handle(
        Duration::ZERO,
        Input::PrintDone {
            ticket_id: 23,
            reprint: false,
            outcome: PrintOutcome::Printed,
        },
    );
    show_view(&window, &k.view(Duration::from_secs(3)));
    let result = snap(&window, "kiosk-result", portrait);
    assert!(result > home / 4.0, "result page text missing ({result})");

    let mut k = ready();
    k.handle(Duration::ZERO, Input::ToggleElderly);
    show_view(&window, &k.view(Duration::ZERO));
    assert!(window.global::<Theme>().get_elderly());
    let elderly = snap(&window, "kiosk-home-elderly", portrait);
    assert!(elderly > 0.002, "elderly page text missing ({elderly})");

    window.global::<Theme>().set_landscape(true);
    let mut k = ready();
    show_view(&window, &k.view(Duration::ZERO));
    snap(&window, "kiosk-home-landscape", landscape);
    k.handle(Duration::ZERO, Input::TapService("B".into()));
    for c in "3201021955".chars() {
        k.handle(Duration::ZERO, Input::Key(c));
    }
    show_view(&window, &k.view(Duration::ZERO));
    let id = snap(&window, "kiosk-id-landscape", landscape);
    assert!(id > 0.002, "ID page text missing ({id})");
}
