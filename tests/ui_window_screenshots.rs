//! Renders the window terminal with Slint's software renderer to PNG (no display needed):
//! the main page at 1024x600 while serving (held tickets, waiting counts, a transfer), the
//! transfer, 指定叫号 and 办结 dialogs, and the sign-in page. Written to target/screenshots/; with
//! HALLQ_UPDATE_SCREENSHOTS=1 also to ui/screenshots/ (the copies the README shows).

mod screenshot;

use std::time::{Duration, Instant};

use hallq::client::{
    ServiceInfo, ServiceState, StaffInfo, TransferInfo, WaitingInfo, WindowInfo, WindowTicket,
};
use hallq::terminal::{Input, Request, Terminal, TerminalAction, TerminalSettings, show_view};
use hallq::ui::window::TerminalWindow;
use slint::ComponentHandle;

fn service(id: &str, name: &str) -> ServiceInfo {
    ServiceInfo {
        id: id.into(),
        name: name.into(),
        prefix: id.into(),
        waiting: 0,
        issued_today: 0,
        state: ServiceState::Open,
        reason: None,
        estimated_wait_minutes: 0,
        windows: vec![1],
    }
}

fn ticket(id: u64, number: &str, service: &str, name: &str) -> WindowTicket {
    WindowTicket {
        id,
        number: number.into(),
        service: service.into(),
        service_name: name.into(),
        state: "called".into(),
        class: "walk_in".into(),
        priority: false,
        issued_at: "2026-11-23T01:29:10Z".into(),
        called_at: Some("2026-11-23T01:41:15Z".into()),
        recalls: 1,
        transfers: Vec::new(),
        case_number: None,
    }
}

fn serving_window() -> WindowInfo {
    let mut current = ticket(23, "A023", "A", "综合受理");
    current.class = "priority".into();
    current.priority = true;
    current.transfers = vec![TransferInfo {
        at: "2026-11-23T01:35:00Z".into(),
        from_service: "B".into(),
        from_window: Some(3),
        to: "service:A".into(),
    }];
    WindowInfo {
        window: 1,
        name: "综合窗口".into(),
        state: "open".into(),
        staff: Some(StaffInfo {
            id: "1001".into(),
            name: "王丽".into(),
        }),
        ticket: Some(current),
        recalls_left: Some(2),
        held: vec![
            ticket(19, "A019", "A", "综合受理"),
            ticket(8, "C008", "C", "不动产登记"),
        ],
        waiting: vec![
            WaitingInfo {
                service: "A".into(),
                waiting: 12,
            },
            WaitingInfo {
                service: "B".into(),
                waiting: 4,
            },
            WaitingInfo {
                service: "C".into(),
                waiting: 0,
            },
        ],
    }
}

fn names() -> Vec<Input> {
    let mut other = serving_window();
    other.window = 3;
    other.name = "社保窗口".into();
    let mut second = serving_window();
    second.window = 2;
    second.name = "综合受理窗口".into();
    vec![
        Input::Services(vec![
            service("A", "综合受理"),
            service("B", "社保医保"),
            service("C", "不动产登记"),
        ]),
        Input::Windows(vec![serving_window(), second, other]),
        Input::Connected,
        // 我的今日评价: 12 ratings, one of them 不满意.
        Input::Figures(hallq::client::rating::StaffFigures {
            staff: serving_window().staff,
            levels: [0, 1, 2, 3, 6],
            rated: 12,
            satisfaction_percent: Some(91.7),
        }),
    ]
}

/// Renders and saves; returns the share of dark pixels (text drawn at all).
fn snap(window: &TerminalWindow, name: &str) -> f64 {
    let shot = screenshot::snapshot(window, name, (1024, 600), true);
    screenshot::share(&shot, screenshot::dark)
}

#[test]
fn window_terminal_screenshots() {
    screenshot::software_platform();
    let window = TerminalWindow::new().unwrap();
    window.show().unwrap();
    let t0 = Instant::now();

    let mut t = Terminal::new(TerminalSettings::new(1));
    for input in names() {
        t.handle(t0, input);
    }
    t.handle(t0, Input::Action(TerminalAction::Recall));
    t.handle(
        t0,
        Input::Answer {
            request: Request::Recall,
            result: Ok(serving_window()),
        },
    );
    let view = t.view(t0 + Duration::from_secs(3 * 60 + 41));
    assert_eq!(view.ticket.as_ref().unwrap().serving, "03:41");
    show_view(&window, &view);
    let main = snap(&window, "window-terminal");
    assert!(main > 0.01, "main page text missing ({main})");

    t.handle(t0, Input::Action(TerminalAction::Transfer));
    show_view(&window, &t.view(t0 + Duration::from_secs(230)));
    let dialog = snap(&window, "window-transfer");
    assert!(dialog > 0.005, "transfer dialog text missing ({dialog})");

    t.handle(t0, Input::Action(TerminalAction::CallSpecific));
    for c in "A031".chars() {
        t.handle(t0, Input::Key(c));
    }
    show_view(&window, &t.view(t0));
    let pad = snap(&window, "window-call-specific");
    assert!(pad > 0.005, "number pad text missing ({pad})");

    t.handle(t0, Input::CloseOverlay);
    t.handle(t0, Input::Action(TerminalAction::Finish));
    for c in "ZW2026".chars() {
        t.handle(t0, Input::Key(c));
    }
    show_view(&window, &t.view(t0));
    let finish = snap(&window, "window-finish");
    assert!(finish > 0.005, "finish dialog text missing ({finish})");

    let mut t = Terminal::new(TerminalSettings::new(1));
    for input in names() {
        t.handle(t0, input);
    }
    let mut nobody = serving_window();
    nobody.staff = None;
    nobody.ticket = None;
    nobody.held.clear();
    t.handle(t0, Input::Window(nobody));
    for c in "1001".chars() {
        t.handle(t0, Input::Key(c));
    }
    t.handle(t0, Input::Focus(hallq::terminal::state::SignInField::Pin));
    for c in "1234".chars() {
        t.handle(t0, Input::Key(c));
    }
    show_view(&window, &t.view(t0));
    let sign_in = snap(&window, "window-sign-in");
    assert!(sign_in > 0.005, "sign-in page text missing ({sign_in})");
}
